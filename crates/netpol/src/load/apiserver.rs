//! The API server's addresses, from the `kubernetes` Service's endpoints in `default`: an
//! `EndpointSlice` labelled `kubernetes.io/service-name: kubernetes`, or the `Endpoints`
//! object `default/kubernetes`. These are the addresses Cilium gives the
//! `reserved:kube-apiserver` label (cilium/cilium `pkg/k8s/watchers/endpoint*.go`,
//! `addKubeAPIServerServiceEPSliceV1` and `addKubeAPIServerServiceEndpoints`, which read the
//! same objects), so `toEntities: [kube-apiserver]` matches them. Every other slice or
//! Endpoints object is skipped with a note: nothing else in them is evaluated.
//!
//! Only the metadata goes through serde; the addresses are read from the tree, which keeps
//! four more decoders out of the download for a handful of fields.

use std::net::IpAddr;

use super::document::{Cx, Object};
use super::objects::MetadataObject;
use crate::diag;
use crate::yaml::NodeId;

/// The label an EndpointSlice names its Service with.
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// Which of the two kinds, and where each keeps its addresses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `endpoints[].addresses[]`: strings.
    EndpointSlice,
    /// `subsets[].addresses[].ip`.
    Endpoints,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::EndpointSlice => "EndpointSlice",
            Kind::Endpoints => "Endpoints",
        }
    }
}

impl Cx<'_> {
    /// An EndpointSlice: the API server's addresses when it is the `kubernetes` Service's
    /// slice in `default`, else skipped.
    pub(super) fn endpoint_slice(&mut self, node: NodeId) {
        self.api_server_object(node, Kind::EndpointSlice);
    }

    /// An Endpoints object: the API server's addresses when it is `default/kubernetes`,
    /// else skipped.
    pub(super) fn endpoints(&mut self, node: NodeId) {
        self.api_server_object(node, Kind::Endpoints);
    }

    fn api_server_object(&mut self, node: NodeId, kind: Kind) {
        let Some(object) = self.decode::<MetadataObject>(node) else {
            return;
        };
        let meta = object.metadata.unwrap_or_default();
        let Some(identity) = self.identity(node, &meta, kind.as_str(), true) else {
            return;
        };
        let is_api_server = identity.namespace == "default"
            && match kind {
                Kind::EndpointSlice => {
                    meta.labels
                        .as_ref()
                        .and_then(|l| l.get(SERVICE_NAME_LABEL))
                        .map(String::as_str)
                        == Some("kubernetes")
                }
                Kind::Endpoints => identity.name == "kubernetes",
            };
        if !is_api_server {
            self.error(
                diag::SKIPPED_KIND,
                self.at_path(node, "kind", false),
                format!(
                    "skipped this `{}`: only the API server's (the `kubernetes` Service in `default`) is used, for Cilium's `kube-apiserver` entity",
                    kind.as_str()
                ),
            );
            return;
        }
        let addresses = match kind {
            Kind::EndpointSlice => self.slice_addresses(node),
            Kind::Endpoints => self.subset_addresses(node),
        };
        self.out
            .objects
            .push(Object::ApiServer(addresses, identity));
    }

    /// `endpoints[].addresses[]`, unless the slice lists host names (`addressType: FQDN`,
    /// which the agent cannot use as addresses either).
    fn slice_addresses(&mut self, node: NodeId) -> Vec<IpAddr> {
        let tree = self.tree;
        let fqdn = tree
            .get(node, "addressType")
            .and_then(|v| tree.scalar(v))
            .is_some_and(|(t, _, _)| t == "FQDN");
        let mut out = Vec::new();
        if fqdn {
            return out;
        }
        for endpoint in self.items_at(node, "endpoints") {
            for address in self.items_at(endpoint, "addresses") {
                self.address(address, &mut out);
            }
        }
        out
    }

    /// `subsets[].addresses[].ip` (the ready addresses, as the agent reads them).
    fn subset_addresses(&mut self, node: NodeId) -> Vec<IpAddr> {
        let mut out = Vec::new();
        for subset in self.items_at(node, "subsets") {
            for address in self.items_at(subset, "addresses") {
                if let Some(ip) = self.tree.get(address, "ip") {
                    self.address(ip, &mut out);
                }
            }
        }
        out
    }

    /// The items of `map.key`: none when it is absent or null, and an error at it when it
    /// is not a list (kubectl refuses the object; the rest of the input still loads).
    fn items_at(&mut self, map: NodeId, key: &str) -> Vec<NodeId> {
        let tree = self.tree;
        let Some(value) = tree.get(map, key) else {
            return Vec::new();
        };
        if tree.is_null(value) {
            return Vec::new();
        }
        if !tree.is_seq(value) {
            self.error(
                diag::WRONG_TYPE,
                self.at(value, false),
                format!("`{}` must be a list", tree.path_of(value)),
            );
            return Vec::new();
        }
        tree.items(value).to_vec()
    }

    /// One address, into `out` once; an error at it when it is not an IP address.
    fn address(&mut self, node: NodeId, out: &mut Vec<IpAddr>) {
        let text = self
            .tree
            .scalar(node)
            .map(|(t, _, _)| t)
            .unwrap_or_default();
        match text.parse::<IpAddr>() {
            Ok(ip) if !out.contains(&ip) => out.push(ip),
            Ok(_) => {}
            Err(_) => {
                self.error(
                    diag::INVALID_VALUE,
                    self.at(node, false),
                    format!("`{text}` is not an IP address"),
                );
            }
        }
    }
}
