//! Cilium policies as the evaluator uses them: one [`CiliumRule`] per `spec` and per entry
//! of `specs`, with the agent's parsing already applied (the implicit namespace added to
//! selectors, `enableDefaultDeny` resolved, protocol `ANY` expanded), so that evaluation
//! never needs to know how a rule was written. docs/cilium.md §11 proposed this shape.

use std::fmt;

use crate::cidr::Cidr;
use crate::model::{Direction, Origin};
use crate::ports::Protocol;
use crate::selector::Operator;

/// `apiVersion` of both kinds.
pub const API_VERSION: &str = "cilium.io/v2";

/// The two kinds: namespaced or clusterwide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CiliumKind {
    /// `CiliumNetworkPolicy`: selects pods of its namespace only.
    Namespaced,
    /// `CiliumClusterwideNetworkPolicy`: selects pods of every namespace.
    Clusterwide,
}

impl CiliumKind {
    /// The manifest `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            CiliumKind::Namespaced => "CiliumNetworkPolicy",
            CiliumKind::Clusterwide => "CiliumClusterwideNetworkPolicy",
        }
    }
}

/// One CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiliumPolicy {
    /// Namespaced or clusterwide.
    pub kind: CiliumKind,
    /// `metadata.namespace`; `None` for a clusterwide policy.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// The rules that loaded (`spec` first, then `specs` in order). A rule with an error is
    /// left out; `rejected_by_agent` then says that Cilium would enforce none of them.
    pub rules: Vec<CiliumRule>,
    /// True when some rule of the object has an error: the agent refuses the whole object
    /// (`CiliumNetworkPolicy.Parse` returns the first error), while the playground still
    /// evaluates the rules that are right, and says so.
    pub rejected_by_agent: bool,
    /// Where the object is.
    pub origin: Option<Origin>,
    /// Where each entry of its rules is, by rule (`spec_index`), list and index: kept
    /// beside the rules, not in [`Entry`], so entries compare equal across edits that only
    /// move them (`diff`).
    pub entry_origins: Vec<(EntrySlot, Origin)>,
}

impl CiliumPolicy {
    /// Where entry `list[index]` of rule `spec_index` is, when the loader saw it.
    pub fn entry_origin(
        &self,
        spec_index: Option<usize>,
        list: EntryList,
        index: usize,
    ) -> Option<&Origin> {
        self.entry_origins
            .iter()
            .find(|(key, _)| *key == (spec_index, list, index))
            .map(|(_, origin)| origin)
    }

    /// `namespace/name`, or `name` for a clusterwide policy.
    pub fn id(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Which entry of a policy: its rule (`spec_index`), list and index in the list.
pub type EntrySlot = (Option<usize>, EntryList, usize);

/// One rule (`spec`, or `specs[i]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiliumRule {
    /// `None` for `spec`, `Some(i)` for `specs[i]`.
    pub spec_index: Option<usize>,
    /// The endpoints it applies to, with the namespace of a namespaced policy added.
    pub subject: IdSelector,
    /// `ingress` entries then `ingressDeny` entries.
    pub ingress: Vec<Entry>,
    /// `egress` entries then `egressDeny` entries.
    pub egress: Vec<Entry>,
    /// Resolved `enableDefaultDeny.ingress`: true when unset and the rule has ingress entries.
    pub default_deny_ingress: bool,
    /// Resolved `enableDefaultDeny.egress`.
    pub default_deny_egress: bool,
}

impl CiliumRule {
    /// `spec` or `specs[i]`: where the rule is in its object.
    pub fn path(&self) -> String {
        match self.spec_index {
            None => "spec".to_string(),
            Some(i) => format!("specs[{i}]"),
        }
    }

    /// The entries of one direction (allows and denies).
    pub fn entries(&self, direction: Direction) -> &[Entry] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    /// Whether this rule puts the endpoints it selects in default deny in `direction`:
    /// it has an entry there and did not opt out with `enableDefaultDeny`.
    pub fn default_deny(&self, direction: Direction) -> bool {
        !self.entries(direction).is_empty()
            && match direction {
                Direction::Ingress => self.default_deny_ingress,
                Direction::Egress => self.default_deny_egress,
            }
    }
}

/// The list an entry comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryList {
    /// `ingress`
    Ingress,
    /// `ingressDeny`
    IngressDeny,
    /// `egress`
    Egress,
    /// `egressDeny`
    EgressDeny,
}

impl EntryList {
    /// The field name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryList::Ingress => "ingress",
            EntryList::IngressDeny => "ingressDeny",
            EntryList::Egress => "egress",
            EntryList::EgressDeny => "egressDeny",
        }
    }

    /// True for the deny lists.
    pub fn is_deny(self) -> bool {
        matches!(self, EntryList::IngressDeny | EntryList::EgressDeny)
    }

    /// The direction the list speaks about.
    pub fn direction(self) -> Direction {
        match self {
            EntryList::Ingress | EntryList::IngressDeny => Direction::Ingress,
            EntryList::Egress | EntryList::EgressDeny => Direction::Egress,
        }
    }
}

/// One entry of a rule list: who (peers) and what (ports).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The list it is in.
    pub list: EntryList,
    /// Its index in that list.
    pub index: usize,
    /// The peers it matches.
    pub peers: Peers,
    /// The ports it matches.
    pub ports: Ports,
}

impl Entry {
    /// True for an `ingressDeny`/`egressDeny` entry.
    pub fn is_deny(&self) -> bool {
        self.list.is_deny()
    }
}

/// The peers of an entry: Cilium accepts one kind of peer per entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peers {
    /// No peer field: every peer, the world included (meaningful with `toPorts`).
    Wildcard,
    /// An explicit empty list, or `ingress: [{}]`: nothing (the entry still enables
    /// default deny).
    Nothing,
    /// `fromEndpoints`/`toEndpoints`: pods by identity labels (or reserved identities
    /// through `reserved:` keys).
    Endpoints(Vec<IdSelector>),
    /// `fromEntities`/`toEntities`.
    Entities(Vec<Entity>),
    /// `fromCIDR`, `fromCIDRSet` (and `to...`): addresses outside the cluster.
    Cidrs(Vec<CidrPeer>),
    /// Peers only the running agent knows (`toFQDNs`, `toServices`, groups): never
    /// matched here; the loader warns.
    RunTime,
}

/// One CIDR peer: a block, or a CiliumCIDRGroup by name or labels, minus exceptions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CidrPeer {
    /// What the addresses come from.
    pub source: CidrSource,
    /// Blocks left out.
    pub except: Vec<Cidr>,
}

/// Where a CIDR peer's blocks come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CidrSource {
    /// `cidr` or an entry of `fromCIDR`/`toCIDR`.
    Block(Cidr),
    /// `cidrGroupRef`: a CiliumCIDRGroup by name.
    GroupRef(String),
    /// `cidrGroupSelector`: CiliumCIDRGroups by label.
    GroupSelector(crate::selector::Selector),
}

/// The ports of an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ports {
    /// No `toPorts`: every port and protocol.
    Any,
    /// The `ports` of every `toPorts` entry.
    List(Vec<PortSpec>),
}

/// One `ports` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSpec {
    /// `None` for `ANY` (or unset): TCP, UDP and SCTP.
    pub protocol: Option<Protocol>,
    /// Which ports.
    pub port: PortMatch,
}

/// A port as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortMatch {
    /// `port: 0` (or unset with an extended protocol): every port.
    All,
    /// `port`, or `port` to `endPort`, inclusive.
    Range(u16, u16),
    /// A container port name (lower-cased, as the agent compares them).
    Named(String),
}

/// A Cilium entity (`entity.go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    /// Everything.
    All,
    /// Addresses outside the cluster.
    World,
    /// IPv4 addresses outside the cluster.
    WorldIpv4,
    /// IPv6 addresses outside the cluster.
    WorldIpv6,
    /// Every pod and node of the cluster.
    Cluster,
    /// Same as `cluster` without a ClusterMesh.
    ClusterMesh,
    /// The node the selected pod runs on.
    Host,
    /// Every other node.
    RemoteNode,
    /// The API server (not modelled: matches nothing here).
    KubeApiserver,
    /// Cilium health endpoints (not modelled).
    Health,
    /// Endpoints without an identity yet (not modelled).
    Init,
    /// The Envoy ingress (not modelled).
    Ingress,
    /// Pods not managed by Cilium (not modelled).
    Unmanaged,
    /// Nothing.
    None,
}

impl Entity {
    /// Reads an entity name, as the CRD enum spells it (`world-ipv4`/`world-ipv6` are
    /// read too; validation says the CRD refuses them).
    pub fn parse(s: &str) -> Option<Entity> {
        Some(match s {
            "all" => Entity::All,
            "world" => Entity::World,
            "world-ipv4" => Entity::WorldIpv4,
            "world-ipv6" => Entity::WorldIpv6,
            "cluster" => Entity::Cluster,
            "cluster-mesh" => Entity::ClusterMesh,
            "host" => Entity::Host,
            "remote-node" => Entity::RemoteNode,
            "kube-apiserver" => Entity::KubeApiserver,
            "health" => Entity::Health,
            "init" => Entity::Init,
            "ingress" => Entity::Ingress,
            "unmanaged" => Entity::Unmanaged,
            "none" => Entity::None,
            _ => return None,
        })
    }

    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::All => "all",
            Entity::World => "world",
            Entity::WorldIpv4 => "world-ipv4",
            Entity::WorldIpv6 => "world-ipv6",
            Entity::Cluster => "cluster",
            Entity::ClusterMesh => "cluster-mesh",
            Entity::Host => "host",
            Entity::RemoteNode => "remote-node",
            Entity::KubeApiserver => "kube-apiserver",
            Entity::Health => "health",
            Entity::Init => "init",
            Entity::Ingress => "ingress",
            Entity::Unmanaged => "unmanaged",
            Entity::None => "none",
        }
    }

    /// The entities of the CRD enum, for messages.
    pub const NAMES: [&'static str; 12] = [
        "all",
        "world",
        "cluster",
        "cluster-mesh",
        "host",
        "init",
        "ingress",
        "unmanaged",
        "remote-node",
        "health",
        "none",
        "kube-apiserver",
    ];
}

/// The source of an identity label (`k8s:`, `reserved:`, ...); `any:` in a selector
/// matches a label of every source.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LabelSource {
    /// No source written, or `any:`.
    Any,
    /// `k8s:`: pod, namespace and service account labels.
    K8s,
    /// `reserved:` (or a leading `$`): `host`, `world`, `remote-node`, ...
    Reserved,
    /// Another source (`cidr:`, `node:`, ...): nothing here carries it.
    Other(String),
}

/// Sources Cilium knows (`labels.go`, `LabelSource*`): a key starting with one of these
/// and a colon names its source.
const SOURCES: [&str; 9] = [
    "any",
    "k8s",
    "reserved",
    "cidr",
    "cidrgroup",
    "node",
    "unspec",
    "container",
    "kvstore",
];

impl LabelSource {
    /// Splits `k8s:app` into its source and key (`$host` is `reserved:host`).
    pub fn split(written: &str) -> (LabelSource, &str) {
        if let Some(rest) = written.strip_prefix('$') {
            return (LabelSource::Reserved, rest);
        }
        if let Some((source, key)) = written.split_once(':') {
            if SOURCES.contains(&source) {
                let source = match source {
                    "any" => LabelSource::Any,
                    "k8s" => LabelSource::K8s,
                    "reserved" => LabelSource::Reserved,
                    other => LabelSource::Other(other.to_string()),
                };
                return (source, key);
            }
        }
        (LabelSource::Any, written)
    }
}

/// One term of an identity selector.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdRequirement {
    /// The source the label must have (`Any`: any).
    pub source: LabelSource,
    /// The key without its source.
    pub key: String,
    /// How `values` compare.
    pub operator: Operator,
    /// Values (empty for Exists/DoesNotExist).
    pub values: Vec<String>,
}

/// A label selector over identity labels (every term must hold; none selects everything).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct IdSelector {
    /// The terms, `matchLabels` first.
    pub terms: Vec<IdRequirement>,
}

/// One identity label: source, key, value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdLabel {
    /// `k8s` or `reserved` here.
    pub source: LabelSource,
    /// The key.
    pub key: String,
    /// The value (empty for reserved labels).
    pub value: String,
}

impl IdSelector {
    /// True when some term's key is `key` with a source that `sources` allows.
    pub fn names_key(&self, key: &str) -> bool {
        self.terms
            .iter()
            .any(|t| t.key == key && matches!(t.source, LabelSource::Any | LabelSource::K8s))
    }

    /// True when some term's key starts with `prefix` (source `any` or `k8s`).
    pub fn names_key_prefix(&self, prefix: &str) -> bool {
        self.terms.iter().any(|t| {
            t.key.starts_with(prefix) && matches!(t.source, LabelSource::Any | LabelSource::K8s)
        })
    }

    /// The namespaces its namespace term allows (`io.kubernetes.pod.namespace In [...]`, as
    /// the agent adds to every namespaced policy), when it has one: only pods of those
    /// namespaces, or pods that carry that label key themselves, can match it.
    pub fn namespaces(&self) -> Option<&[String]> {
        self.terms
            .iter()
            .find(|t| {
                t.key == super::validate::NAMESPACE_LABEL
                    && t.operator == Operator::In
                    && matches!(t.source, LabelSource::Any | LabelSource::K8s)
            })
            .map(|t| t.values.as_slice())
    }

    /// True when some term has the `reserved:` source.
    pub fn has_reserved(&self) -> bool {
        self.terms.iter().any(|t| t.source == LabelSource::Reserved)
    }

    /// Whether an identity's labels satisfy every term.
    pub fn matches(&self, labels: &[IdLabel]) -> bool {
        self.terms.iter().all(|t| {
            let mut values = labels
                .iter()
                .filter(|l| {
                    l.key == t.key && (t.source == LabelSource::Any || t.source == l.source)
                })
                .map(|l| &l.value);
            match t.operator {
                Operator::In => values.any(|v| t.values.contains(v)),
                Operator::NotIn => values.all(|v| !t.values.contains(v)),
                Operator::Exists => values.next().is_some(),
                Operator::DoesNotExist => values.next().is_none(),
            }
        })
    }
}

/// A reference to one entry of one rule, for explanations:
/// `CiliumNetworkPolicy default/deny-world egressDeny[0]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryRef {
    /// The object's kind.
    pub kind: CiliumKind,
    /// [`CiliumPolicy::id`].
    pub policy: String,
    /// `None` for `spec`, `Some(i)` for `specs[i]`.
    pub spec_index: Option<usize>,
    /// The list.
    pub list: EntryList,
    /// The index in it.
    pub index: usize,
}

impl fmt::Display for EntryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.kind.as_str(), self.policy)?;
        if let Some(i) = self.spec_index {
            write!(f, "specs[{i}].")?;
        }
        write!(f, "{}[{}]", self.list.as_str(), self.index)
    }
}

impl serde::Serialize for EntryRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A CiliumCIDRGroup (`cilium.io/v2alpha1`): named blocks that `cidrGroupRef` and
/// `cidrGroupSelector` refer to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CidrGroup {
    /// `metadata.name` (cluster-scoped).
    pub name: String,
    /// `metadata.labels`.
    pub labels: crate::model::Labels,
    /// `spec.externalCIDRs`.
    pub cidrs: Vec<Cidr>,
}

/// What a pod's Cilium identity needs besides its labels: read from the pod spec.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodMeta {
    /// `spec.serviceAccountName`.
    pub service_account: Option<String>,
    /// `spec.nodeName`.
    pub node: Option<String>,
}

/// Every Cilium object of the input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CiliumObjects {
    /// CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies, in manifest order.
    pub policies: Vec<CiliumPolicy>,
    /// CiliumCIDRGroups.
    pub cidr_groups: Vec<CidrGroup>,
    /// Per pod id (`namespace/name`): service account and node, for identities.
    pub pods: std::collections::BTreeMap<String, PodMeta>,
    /// The API server's addresses (the `kubernetes` Service's endpoints in `default`):
    /// Cilium's `kube-apiserver` identity.
    pub api_server: Vec<std::net::IpAddr>,
}

impl CiliumObjects {
    /// True when the input has a Cilium policy: every query must then evaluate them.
    pub fn has_policies(&self) -> bool {
        !self.policies.is_empty()
    }
}
