//! A ClusterNetworkPolicy's `spec` as written (`policy.networking.k8s.io/v1alpha2`), for
//! serde: the loader decodes manifests into these types (its own types hold the object
//! and its metadata) and `validate` turns them into the model.
//!
//! Every field is optional here, even where the API requires it, so that a missing field
//! is reported by validation with its path and a fix rather than as a decoding error.
//! Fields follow `apis/v1alpha2/clusternetworkpolicy_types.go` of
//! kubernetes-sigs/network-policy-api.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::Deserialize;

/// `spec`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    /// `Admin` or `Baseline`.
    #[serde(default)]
    pub tier: Option<String>,
    /// 0 to 1000.
    #[serde(default)]
    pub priority: Option<i64>,
    /// Exactly one of `namespaces` and `pods`.
    #[serde(default)]
    pub subject: Option<Subject>,
    /// At most 25 rules.
    #[serde(default)]
    pub ingress: Option<Vec<Rule>>,
    /// At most 25 rules.
    #[serde(default)]
    pub egress: Option<Vec<Rule>>,
}

/// `spec.subject`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    /// Every pod of the selected namespaces.
    #[serde(default)]
    pub namespaces: Option<LabelSelector>,
    /// Selected pods of selected namespaces.
    #[serde(default)]
    pub pods: Option<NamespacedPod>,
}

/// `pods` in a subject or peer.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespacedPod {
    /// `{}` selects every namespace.
    #[serde(default)]
    pub namespace_selector: Option<LabelSelector>,
    /// Required; `{}` selects every pod.
    #[serde(default)]
    pub pod_selector: Option<LabelSelector>,
}

/// An ingress or egress rule. Ingress rules have `from`, egress rules `to`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// At most 100 characters.
    #[serde(default)]
    pub name: Option<String>,
    /// `Accept`, `Deny` or `Pass`.
    #[serde(default)]
    pub action: Option<String>,
    /// Ingress peers (1 to 25).
    #[serde(default)]
    pub from: Option<Vec<Peer>>,
    /// Egress peers (1 to 25).
    #[serde(default)]
    pub to: Option<Vec<Peer>>,
    /// 1 to 25 entries when present.
    #[serde(default)]
    pub protocols: Option<Vec<ProtocolMatch>>,
}

/// A peer: exactly one field set. Ingress peers may only be `namespaces` or `pods`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Peer {
    /// Every pod of the selected namespaces.
    #[serde(default)]
    pub namespaces: Option<LabelSelector>,
    /// Selected pods of selected namespaces.
    #[serde(default)]
    pub pods: Option<NamespacedPod>,
    /// Selected nodes' addresses (egress, experimental).
    #[serde(default)]
    pub nodes: Option<LabelSelector>,
    /// CIDRs (egress; 1 to 25).
    #[serde(default)]
    pub networks: Option<Vec<String>>,
    /// Domain names (egress, experimental; 1 to 25).
    #[serde(default)]
    pub domain_names: Option<Vec<String>>,
}

/// One entry of `protocols`: exactly one field set.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtocolMatch {
    #[serde(default)]
    pub tcp: Option<PortMatch>,
    #[serde(default)]
    pub udp: Option<PortMatch>,
    #[serde(default)]
    pub sctp: Option<PortMatch>,
    /// A container port name on the destination pod.
    #[serde(default)]
    pub destination_named_port: Option<String>,
}

/// `tcp`/`udp`/`sctp`: the API requires `destinationPort`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortMatch {
    #[serde(default)]
    pub destination_port: Option<Port>,
}

/// `destinationPort`: exactly one of `number` and `range`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Port {
    /// 1 to 65535.
    #[serde(default)]
    pub number: Option<i64>,
    /// `start < end`, both 1 to 65535.
    #[serde(default)]
    pub range: Option<PortRange>,
}

/// `range`: `start` to `end`, both inclusive.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortRange {
    #[serde(default)]
    pub start: Option<i64>,
    #[serde(default)]
    pub end: Option<i64>,
}
