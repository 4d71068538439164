//! A CiliumNetworkPolicy rule (`spec`, or one entry of `specs`) as written, for serde
//! (`cilium.io/v2`, `pkg/policy/api/{rule,ingress,egress,cidr,l4}.go` of cilium/cilium at
//! `2efb257c8533`). The loader decodes each rule on its own, so that a wrong type in one
//! entry of `specs` leaves the others loading.
//!
//! Every field is optional, even where the CRD requires it, so that validation reports a
//! missing field with its path. `Option<Vec<_>>` keeps "absent" apart from "empty": an
//! explicit empty peer list selects nothing since Cilium 1.15 (docs/cilium.md §6).
//! Fields decided at run time (`toFQDNs`, `toServices`, L7 `rules`, `authentication`, ...)
//! are read as raw nodes only to say that they are there.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::de::IgnoredAny;
use serde::Deserialize;

/// One rule (`spec` or `specs[i]`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// The endpoints the rule applies to (namespace added for a namespaced policy).
    #[serde(default)]
    pub endpoint_selector: Option<LabelSelector>,
    /// A host policy: selects nodes (needs `--enable-host-firewall`, off by default).
    #[serde(default)]
    pub node_selector: Option<LabelSelector>,
    /// Allow rules for traffic into the endpoint.
    #[serde(default)]
    pub ingress: Option<Vec<PeerRule>>,
    /// Deny rules for traffic into the endpoint.
    #[serde(default)]
    pub ingress_deny: Option<Vec<PeerRule>>,
    /// Allow rules for traffic out of the endpoint.
    #[serde(default)]
    pub egress: Option<Vec<PeerRule>>,
    /// Deny rules for traffic out of the endpoint.
    #[serde(default)]
    pub egress_deny: Option<Vec<PeerRule>>,
    /// Per direction: whether this rule puts the endpoint in default deny.
    #[serde(default)]
    pub enable_default_deny: Option<DefaultDeny>,
    /// Metadata only.
    #[serde(default)]
    pub labels: Option<Vec<RuleLabel>>,
    /// Metadata only.
    #[serde(default)]
    #[expect(dead_code, reason = "decoded for its type check only")]
    pub description: Option<String>,
    /// Hubble only.
    #[serde(default)]
    #[expect(dead_code, reason = "decoded for its type check only")]
    pub log: Option<IgnoredAny>,
}

/// `enableDefaultDeny`.
#[derive(Debug, Default, Deserialize)]
pub struct DefaultDeny {
    /// Unset: true when the rule has ingress entries.
    #[serde(default)]
    pub ingress: Option<bool>,
    /// Unset: true when the rule has egress entries.
    #[serde(default)]
    pub egress: Option<bool>,
}

/// An entry of `labels`: `key` is required.
#[derive(Debug, Default, Deserialize)]
pub struct RuleLabel {
    /// Required by the CRD.
    #[serde(default)]
    pub key: Option<String>,
    /// Optional.
    #[serde(default)]
    #[expect(dead_code, reason = "decoded for its type check only")]
    pub value: Option<String>,
    /// Optional.
    #[serde(default)]
    #[expect(dead_code, reason = "decoded for its type check only")]
    pub source: Option<String>,
}

/// An entry of `ingress`, `ingressDeny`, `egress` or `egressDeny`: one type for the four,
/// since they share most fields; validation refuses the fields that do not belong to the
/// list the entry is in (a `toCIDR` under `ingress`, `toFQDNs` under `egressDeny`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerRule {
    /// Ingress peers: pods by identity labels.
    #[serde(default)]
    pub from_endpoints: Option<Vec<LabelSelector>>,
    /// Removed in Cilium 1.19 (CRD `maxItems: 0`).
    #[serde(default)]
    pub from_requires: Option<Vec<IgnoredAny>>,
    /// Ingress peers: addresses outside the cluster.
    #[serde(default, rename = "fromCIDR")]
    pub from_cidr: Option<Vec<String>>,
    /// Ingress peers: addresses with exceptions.
    #[serde(default, rename = "fromCIDRSet")]
    pub from_cidr_set: Option<Vec<CidrRule>>,
    /// Ingress peers: reserved identities (`world`, `host`, ...).
    #[serde(default)]
    pub from_entities: Option<Vec<String>>,
    /// Cloud provider groups: decided at run time.
    #[serde(default)]
    pub from_groups: Option<Vec<IgnoredAny>>,
    /// Nodes by label: needs `--enable-node-selector-labels` (off).
    #[serde(default)]
    pub from_nodes: Option<Vec<IgnoredAny>>,
    /// Egress peers: pods by identity labels.
    #[serde(default)]
    pub to_endpoints: Option<Vec<LabelSelector>>,
    /// Removed in Cilium 1.19.
    #[serde(default)]
    pub to_requires: Option<Vec<IgnoredAny>>,
    /// Egress peers: addresses outside the cluster.
    #[serde(default, rename = "toCIDR")]
    pub to_cidr: Option<Vec<String>>,
    /// Egress peers: addresses with exceptions.
    #[serde(default, rename = "toCIDRSet")]
    pub to_cidr_set: Option<Vec<CidrRule>>,
    /// Egress peers: reserved identities.
    #[serde(default)]
    pub to_entities: Option<Vec<String>>,
    /// Services' backends: resolved at run time.
    #[serde(default)]
    pub to_services: Option<Vec<IgnoredAny>>,
    /// Cloud provider groups: decided at run time.
    #[serde(default)]
    pub to_groups: Option<Vec<IgnoredAny>>,
    /// Nodes by label: needs `--enable-node-selector-labels` (off).
    #[serde(default)]
    pub to_nodes: Option<Vec<IgnoredAny>>,
    /// DNS names: the addresses are learnt from DNS answers at run time.
    #[serde(default, rename = "toFQDNs")]
    pub to_fqdns: Option<Vec<IgnoredAny>>,
    /// Ports, with optional L7 rules.
    #[serde(default)]
    pub to_ports: Option<Vec<PortRule>>,
    /// ICMP types (not modelled: the engine has TCP, UDP and SCTP).
    #[serde(default)]
    pub icmps: Option<Vec<IgnoredAny>>,
    /// Mutual authentication: decided at run time.
    #[serde(default)]
    pub authentication: Option<IgnoredAny>,
}

/// `fromCIDRSet`/`toCIDRSet` entry: one of `cidr`, `cidrGroupRef`, `cidrGroupSelector`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CidrRule {
    /// An address block with its prefix length.
    #[serde(default)]
    pub cidr: Option<String>,
    /// The name of a CiliumCIDRGroup.
    #[serde(default)]
    pub cidr_group_ref: Option<String>,
    /// CiliumCIDRGroups by label.
    #[serde(default)]
    pub cidr_group_selector: Option<LabelSelector>,
    /// Blocks inside `cidr` left out.
    #[serde(default)]
    pub except: Option<Vec<String>>,
}

/// An entry of `toPorts`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortRule {
    /// At most 40.
    #[serde(default)]
    pub ports: Option<Vec<PortProtocol>>,
    /// L7 rules (HTTP, Kafka, DNS): decided by the proxy at run time.
    #[serde(default)]
    pub rules: Option<IgnoredAny>,
    /// TLS interception: run time.
    #[serde(default, rename = "terminatingTLS")]
    pub terminating_tls: Option<IgnoredAny>,
    /// TLS interception: run time.
    #[serde(default, rename = "originatingTLS")]
    pub originating_tls: Option<IgnoredAny>,
    /// SNI: run time.
    #[serde(default)]
    pub server_names: Option<IgnoredAny>,
    /// Envoy listener: run time.
    #[serde(default)]
    pub listener: Option<IgnoredAny>,
}

/// An entry of `ports`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortProtocol {
    /// A number 0-65535 (as a number or a string) or a port name.
    #[serde(default)]
    pub port: Option<IntOrString>,
    /// End of a range starting at `port`.
    #[serde(default)]
    pub end_port: Option<i64>,
    /// `TCP`, `UDP`, `SCTP`, `ANY` (the default), or an extended protocol.
    #[serde(default)]
    pub protocol: Option<String>,
}
