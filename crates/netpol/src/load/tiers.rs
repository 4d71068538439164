//! ClusterNetworkPolicies and Nodes in a document: decoded with the loader's own object
//! types (the spec with `cnp::api`'s), validated by `cnp::validate`, whose problems at
//! field paths are placed here; and the frozen v1alpha1 kinds, which are not evaluated.
//! A Node also gives the address of the host-network pods that run on it.

use std::net::IpAddr;

use serde::Deserialize;

use super::document::{Cx, Object};
use super::objects::Meta;
use crate::cnp::api::Spec;
use crate::diag;
use crate::model::Node;
use crate::yaml::NodeId;

/// A ClusterNetworkPolicy: metadata and the spec as written ([`Spec`], validated later).
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct ClusterNetworkPolicyObject {
    pub metadata: Option<Meta>,
    pub spec: Option<Spec>,
}

/// A Node: its labels and `status.addresses`.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct NodeObject {
    pub metadata: Option<Meta>,
    pub status: Option<NodeStatus>,
}

/// `status` of a Node.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct NodeStatus {
    pub addresses: Option<Vec<NodeAddress>>,
}

/// One entry of `status.addresses`.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct NodeAddress {
    /// `InternalIP`, `ExternalIP`, `Hostname`, ...
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub address: Option<String>,
}

impl Cx<'_> {
    /// AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1), which
    /// ClusterNetworkPolicy replaced: an error that says what to write instead.
    pub(super) fn frozen_kind(&mut self, node: NodeId, kind: &str) {
        let (tier, extra) = if kind == "AdminNetworkPolicy" {
            ("Admin", "")
        } else {
            ("Baseline", " and a `priority`")
        };
        self.error(
            diag::UNSUPPORTED_VERSION,
            self.at_path(node, "kind", false),
            format!("`{kind}` (policy.networking.k8s.io/v1alpha1) is frozen and not evaluated: ClusterNetworkPolicy replaces it"),
        )
        .help(format!(
            "write `apiVersion: {}` and `kind: ClusterNetworkPolicy` with `tier: {tier}`{extra}; actions `Allow` become `Accept`, and rule `ports` become `protocols`",
            crate::cnp::API_VERSION
        ));
    }

    pub(super) fn cluster_policy(&mut self, node: NodeId) {
        let Some(object) = self.decode::<ClusterNetworkPolicyObject>(node) else {
            return;
        };
        let meta = object.metadata.unwrap_or_default();
        let Some(identity) = self.identity(node, &meta, "ClusterNetworkPolicy", false) else {
            return;
        };
        let (policy, problems) =
            crate::cnp::validate::validate(object.spec.as_ref(), &identity.name);
        self.report_problems(node, problems);
        if let Some(mut policy) = policy {
            policy.origin = Some(self.at(node, false));
            // Each rule where it is written, so that an explanation's rule finds its line.
            for (field, rules) in [
                ("ingress", &mut policy.ingress),
                ("egress", &mut policy.egress),
            ] {
                for (i, rule) in rules.iter_mut().enumerate() {
                    rule.origin = Some(self.at_path(node, &format!("spec.{field}[{i}]"), false));
                }
            }
            self.out
                .objects
                .push(Object::ClusterPolicy(policy, identity, node));
        }
    }

    pub(super) fn node_object(&mut self, node: NodeId) {
        let Some(object) = self.decode::<NodeObject>(node) else {
            return;
        };
        let meta = object.metadata.unwrap_or_default();
        let Some(identity) = self.identity(node, &meta, "Node", false) else {
            return;
        };
        let listed = object.status.and_then(|s| s.addresses).unwrap_or_default();
        let typed = self.node_addresses(node, &listed);
        let mut addresses = Vec::new();
        for (_, ip) in &typed {
            if !addresses.contains(ip) {
                addresses.push(*ip);
            }
        }
        let model = Node {
            name: identity.name.clone(),
            labels: meta.labels.unwrap_or_default(),
            addresses,
            origin: Some(self.at(node, false)),
        };
        self.out
            .objects
            .push(Object::Node(model, host_ips(&typed), identity));
    }

    /// The IP addresses of `status.addresses` (InternalIP, ExternalIP), with their type, in
    /// order; an address that is not an IP is an error.
    fn node_addresses(&mut self, node: NodeId, listed: &[NodeAddress]) -> Vec<(String, IpAddr)> {
        let mut out = Vec::new();
        for (i, a) in listed.iter().enumerate() {
            let (Some(kind), Some(text)) = (a.kind.as_deref(), a.address.as_deref()) else {
                continue;
            };
            if !kind.ends_with("IP") {
                continue; // Hostname, InternalDNS, ExternalDNS
            }
            match text.parse::<IpAddr>() {
                Ok(ip) => out.push((kind.to_string(), ip)),
                Err(_) => {
                    self.error(
                        diag::INVALID_VALUE,
                        self.at_path(node, &format!("status.addresses[{i}].address"), false),
                        format!("`{text}` is not an IP address"),
                    );
                }
            }
        }
        out
    }
}

/// The pod IPs the kubelet gives a host-network pod on a node with these addresses: the
/// first InternalIP (the first ExternalIP when there is none), and the first address of the
/// other family, InternalIPs again first (kubernetes `GetNodeHostIPs`, whose result is the
/// `status.podIPs` of host-network pods). Empty when the node lists neither.
pub(super) fn host_ips(typed: &[(String, IpAddr)]) -> Vec<IpAddr> {
    let of = |kind: &'static str| {
        typed
            .iter()
            .filter(move |(k, _)| k == kind)
            .map(|(_, ip)| *ip)
    };
    let mut ordered = of("InternalIP").chain(of("ExternalIP"));
    let Some(primary) = ordered.next() else {
        return Vec::new();
    };
    let other = ordered.find(|ip| ip.is_ipv6() != primary.is_ipv6());
    std::iter::once(primary).chain(other).collect()
}
