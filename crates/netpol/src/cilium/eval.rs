//! One direction of one connection under the Cilium policies: which rules select the pod,
//! whether they put it in default deny, which entries allow and which deny, with the
//! references an explanation names (`CiliumNetworkPolicy default/deny-world
//! egressDeny[0]`). `crate::chain` combines this with the NetworkPolicies of the same
//! stage; this module knows nothing of the tiers or of NetworkPolicies.
//!
//! Peers are matched as the agent sees them (docs/cilium.md §1, §3, §4): a pod by its
//! identity labels; a host-network pod, and an address of a Node of the input, as the node
//! (`host` from a pod on that node, `remote-node` from the others); any other address as
//! `world`. CIDR rules match `world` only (`policy-cidr-match-mode` empty).

use serde::Serialize;

use super::model::{
    CidrPeer, CidrSource, CiliumObjects, Entity, Entry, EntryRef, IdLabel, LabelSource, Peers,
    PortMatch, Ports,
};
use super::validate::{CLUSTER_LABEL, NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX};
use crate::cidr::Cidr;
use crate::endpoint::Endpoint;
use crate::model::{Cluster, Direction, Pod};
use crate::ports::Protocol;
use crate::traffic::Traffic;

/// The cluster name every pod's identity carries (the agent's `--cluster-name` default).
pub const CLUSTER_NAME: &str = "default";

/// The node label that keeps the Cilium agent off a node (Helm chart affinity).
pub const NO_CILIUM_LABEL: &str = "cilium.io/no-schedule";

/// What the Cilium policies say about one direction of one connection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CiliumEvidence {
    /// The rules that select the pod and have entries in this direction
    /// (`CiliumNetworkPolicy default/p spec`).
    pub rules: Vec<String>,
    /// True when one of them puts the pod in default deny in this direction.
    pub default_deny: bool,
    /// The rules (of `rules`) that do: the others opted out with `enableDefaultDeny`.
    pub default_deny_by: Vec<String>,
    /// Allow entries that match the connection.
    pub allowed_by: Vec<EntryRef>,
    /// Deny entries that match the connection: any one denies, whatever allows.
    pub denied_by: Vec<EntryRef>,
    /// The peer is the pod's own node, which Cilium always lets in (`allow-localhost`).
    pub local_host: bool,
    /// The reserved identity labels of the other end when it is not a pod (`host`,
    /// `remote-node` or `world`, and `kube-apiserver` for the API server's address): what
    /// `fromEntities`/`toEntities` see. Empty for a pod.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub peer_identity: Vec<String>,
    /// Policies among those of `rules` that the agent refuses whole, because another of
    /// their rules has an error (the playground still evaluates their good rules).
    pub refused_by_agent: Vec<String>,
}

impl CiliumEvidence {
    /// True when no Cilium rule selects the pod in this direction (and the peer is not
    /// its own node, which Cilium lets in whatever isolates the pod).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && !self.local_host
    }

    /// The answer of the NetworkPolicy stage, with the NetworkPolicies' own (`isolated`:
    /// one selects the pod in this direction; `allowed`: one of their rules allows): a
    /// Cilium deny wins over every allow; else the pod is isolated when a policy of either
    /// kind isolates it, and then allowed when an allow of either kind matches (or the
    /// peer is its own node, at ingress); else this stage does not decide (`None`).
    pub fn answer(&self, isolated: bool, allowed: bool) -> Option<bool> {
        if !self.denied_by.is_empty() {
            return Some(false);
        }
        (isolated || self.default_deny)
            .then_some(allowed || !self.allowed_by.is_empty() || self.local_host)
    }

    /// True when a deny decided although an allow (of either kind) matched.
    pub fn deny_overrode_allow(&self, np_allowed: bool) -> bool {
        !self.denied_by.is_empty() && (np_allowed || !self.allowed_by.is_empty())
    }
}

/// The other end of a connection, as the agent identifies it.
pub(super) enum Peer<'a> {
    /// A pod (not host-network): its identity labels.
    Pod(&'a Pod, Vec<IdLabel>),
    /// A node's address or a host-network pod; `local` when it is the subject's node,
    /// `api` when the address is the API server's (then also `kube-apiserver`).
    Node { local: bool, api: bool },
    /// An address outside the cluster; `api` when it is the API server's.
    World { net: Cidr, api: bool },
}

/// Evaluates `direction` for the pod `subject` of `cluster` in `traffic`, whose other end
/// is `other`.
pub fn evaluate(
    cluster: &Cluster,
    direction: Direction,
    subject: &Pod,
    other: &Endpoint,
    traffic: &Traffic,
) -> CiliumEvidence {
    let objects = &cluster.cilium;
    let mut out = CiliumEvidence::default();
    if !objects.has_policies() || subject.host_network {
        // A host-network pod is the host endpoint: only host policies select it.
        return out;
    }
    let labels = identity(cluster, subject);
    let subject_node = objects
        .pods
        .get(&subject.id())
        .and_then(|m| m.node.as_deref());
    let peer = classify(cluster, subject_node, other);
    for policy in &objects.policies {
        for rule in &policy.rules {
            let entries = rule.entries(direction);
            if entries.is_empty() || !rule.subject.matches(&labels) {
                continue;
            }
            let name = format!("{} {} {}", policy.kind.as_str(), policy.id(), rule.path());
            let whole = format!("{} {}", policy.kind.as_str(), policy.id());
            if policy.rejected_by_agent && !out.refused_by_agent.contains(&whole) {
                out.refused_by_agent.push(whole);
            }
            if rule.default_deny(direction) {
                out.default_deny = true;
                out.default_deny_by.push(name.clone());
            }
            out.rules.push(name);
            for entry in entries {
                if !peer_matches(objects, entry, &peer) {
                    continue;
                }
                let dst = match direction {
                    Direction::Ingress => Some(subject),
                    Direction::Egress => match &peer {
                        Peer::Pod(p, _) => Some(*p),
                        _ => None,
                    },
                };
                if !ports_match(&entry.ports, dst, traffic) {
                    continue;
                }
                let r = EntryRef {
                    kind: policy.kind,
                    policy: policy.id(),
                    spec_index: rule.spec_index,
                    list: entry.list,
                    index: entry.index,
                };
                if entry.is_deny() {
                    out.denied_by.push(r);
                } else {
                    out.allowed_by.push(r);
                }
            }
        }
    }
    out.local_host =
        direction == Direction::Ingress && matches!(peer, Peer::Node { local: true, .. });
    if !out.rules.is_empty() {
        out.peer_identity = peer
            .reserved_labels()
            .iter()
            .map(|l| format!("reserved:{}", l.key))
            .collect();
    }
    out
}

/// A pod's identity labels (source `k8s`): its labels, its namespace, its namespace's
/// labels, its service account and the cluster name (docs/cilium.md §3).
pub fn identity(cluster: &Cluster, pod: &Pod) -> Vec<IdLabel> {
    identity_with(cluster, pod, &namespace_identity(cluster, &pod.namespace))
}

/// The labels [`identity`] gives every pod of namespace `namespace`: the namespace and its
/// labels. Callers that build the identities of many pods compute this once per namespace
/// and pass it to [`identity_with`]: looking the namespace up for each pod (a search
/// through every namespace) and formatting the same keys again was most of building the
/// identities of a 5,000-pod cluster (issue 22).
pub fn namespace_identity(cluster: &Cluster, namespace: &str) -> Vec<IdLabel> {
    let k8s = |key: String, value: String| IdLabel {
        source: LabelSource::K8s,
        key,
        value,
    };
    let mut out = vec![k8s(NAMESPACE_LABEL.to_string(), namespace.to_string())];
    for (k, v) in cluster.namespace_labels(namespace).iter() {
        out.push(k8s(format!("{NAMESPACE_LABELS_PREFIX}{k}"), v.clone()));
    }
    out
}

/// [`identity`], with the namespace part ([`namespace_identity`] of the pod's namespace)
/// computed by the caller: the same labels in the same order.
pub fn identity_with(cluster: &Cluster, pod: &Pod, namespace_part: &[IdLabel]) -> Vec<IdLabel> {
    let k8s = |key: String, value: String| IdLabel {
        source: LabelSource::K8s,
        key,
        value,
    };
    let mut out: Vec<IdLabel> = Vec::with_capacity(pod.labels.len() + namespace_part.len() + 2);
    out.extend(pod.labels.iter().map(|(k, v)| k8s(k.clone(), v.clone())));
    out.extend_from_slice(namespace_part);
    if let Some(sa) = cluster
        .cilium
        .pods
        .get(&pod.id())
        .and_then(|m| m.service_account.clone())
    {
        out.push(k8s("io.cilium.k8s.policy.serviceaccount".to_string(), sa));
    }
    out.push(k8s(CLUSTER_LABEL.to_string(), CLUSTER_NAME.to_string()));
    out
}

/// Whether the Cilium policies can change what `direction` of `subject` decides towards
/// `other`: a Cilium rule with entries in that direction selects it, or (at ingress) the
/// peer is its own node, which Cilium lets in. When neither holds, the chain gives the
/// NetworkPolicy-only answer for this side (see [`CiliumEvidence::answer`]).
pub fn matters(cluster: &Cluster, direction: Direction, subject: &Pod, other: &Endpoint) -> bool {
    let objects = &cluster.cilium;
    if !objects.has_policies() || subject.host_network {
        return false;
    }
    let labels = identity(cluster, subject);
    let selected = objects.policies.iter().any(|p| {
        p.rules
            .iter()
            .any(|r| !r.entries(direction).is_empty() && r.subject.matches(&labels))
    });
    if selected || direction == Direction::Egress {
        return selected;
    }
    let subject_node = objects
        .pods
        .get(&subject.id())
        .and_then(|m| m.node.as_deref());
    matches!(
        classify(cluster, subject_node, other),
        Peer::Node { local: true, .. }
    )
}

fn classify<'c>(cluster: &'c Cluster, subject_node: Option<&str>, other: &Endpoint) -> Peer<'c> {
    match seen(cluster, other) {
        Seen::Pod(p) => Peer::Pod(p, identity(cluster, p)),
        Seen::Node { node, api } => Peer::Node {
            local: node.is_some() && node == subject_node,
            api,
        },
        Seen::World { net, api } => Peer::World { net, api },
    }
}

/// The other end of a connection as the agent identifies it, before the subject is known
/// (a node is then `host` or `remote-node` depending on the subject's node).
pub(super) enum Seen<'c> {
    /// A pod that is not host-network (its identity follows its IP).
    Pod(&'c Pod),
    /// A host-network pod or a Node's address, on this node (when known); `api` when its
    /// address is the API server's.
    Node { node: Option<&'c str>, api: bool },
    /// An address outside the cluster; `api` when it is the API server's.
    World { net: Cidr, api: bool },
}

/// How the agent sees `other`, whoever the subject is.
pub(super) fn seen<'c>(cluster: &'c Cluster, other: &Endpoint) -> Seen<'c> {
    let node_of = |p: &Pod| {
        cluster
            .cilium
            .pods
            .get(&p.id())
            .and_then(|m| m.node.as_deref())
    };
    let api_server = &cluster.cilium.api_server;
    match other {
        Endpoint::Pod(i) => match cluster.pods.get(*i) {
            Some(p) if p.host_network => Seen::Node {
                node: node_of(p),
                api: p.ips.iter().any(|ip| api_server.contains(ip)),
            },
            Some(p) => Seen::Pod(p),
            // Not a pod of this cluster: nothing matches it but the wildcard.
            None => Seen::World {
                net: Cidr::host(std::net::IpAddr::from([0, 0, 0, 0])),
                api: false,
            },
        },
        Endpoint::External(c) => {
            // A node that does not run Cilium is no `host` or `remote-node` to it: its
            // address has a world (CIDR) identity. The Helm chart keeps the agent off nodes
            // labelled `cilium.io/no-schedule=true`, as the connectivity tests' kind
            // cluster does.
            let node = cluster.nodes.iter().find(|n| {
                c.is_host()
                    && n.addresses.contains(&c.addr)
                    && n.labels.get(NO_CILIUM_LABEL).map(String::as_str) != Some("true")
            });
            // An address a pod of the input has is that pod to the agent (its identity
            // follows its IP), although the model names it as an address.
            let pod = || {
                cluster
                    .pods
                    .iter()
                    .find(|p| !p.host_network && c.is_host() && p.ips.contains(&c.addr))
            };
            // The API server's address keeps its node or world identity and gains
            // `kube-apiserver`; a pod's address keeps the pod's identity (docs/cilium.md §1).
            let api = c.is_host() && api_server.contains(&c.addr);
            match (node, pod()) {
                (Some(n), _) => Seen::Node {
                    node: Some(n.name.as_str()),
                    api,
                },
                (None, Some(p)) => Seen::Pod(p),
                (None, None) => Seen::World { net: *c, api },
            }
        }
    }
}

fn reserved(name: &str) -> IdLabel {
    IdLabel {
        source: LabelSource::Reserved,
        key: name.to_string(),
        value: String::new(),
    }
}

/// The reserved labels of a node or world address: `name`, and `kube-apiserver` when it
/// is the API server's (cilium/cilium `pkg/labels`, `LabelKubeAPIServerExt` for an address
/// outside the cluster; the node's labels plus `kube-apiserver` for a node).
fn reserved_identity(name: &str, api: bool) -> Vec<IdLabel> {
    let mut out = vec![reserved(name)];
    if api {
        out.push(reserved("kube-apiserver"));
    }
    out
}

impl Peer<'_> {
    /// The reserved identity labels of a node or world peer; empty for a pod.
    fn reserved_labels(&self) -> Vec<IdLabel> {
        match self {
            Peer::Pod(..) => Vec::new(),
            Peer::Node { local, api } => {
                reserved_identity(if *local { "host" } else { "remote-node" }, *api)
            }
            Peer::World { api, .. } => reserved_identity("world", *api),
        }
    }
}

pub(super) fn peer_matches(objects: &CiliumObjects, entry: &Entry, peer: &Peer<'_>) -> bool {
    match &entry.peers {
        Peers::Wildcard => true,
        Peers::Nothing | Peers::RunTime => false,
        Peers::Endpoints(selectors) => {
            let reserved_labels;
            let labels: &[IdLabel] = match peer {
                Peer::Pod(_, labels) => labels,
                Peer::Node { .. } | Peer::World { .. } => {
                    reserved_labels = peer.reserved_labels();
                    &reserved_labels
                }
            };
            selectors.iter().any(|s| s.matches(labels))
        }
        Peers::Entities(entities) => entities.iter().any(|e| entity_matches(*e, peer)),
        Peers::Cidrs(cidrs) => match peer {
            Peer::World { net, .. } => cidrs
                .iter()
                .any(|c| cidr_matches(objects, c, net, entry.is_deny())),
            Peer::Pod(..) | Peer::Node { .. } => false,
        },
    }
}

/// Whether `entity` selects `peer` (cilium/cilium `pkg/policy/api/entity.go`,
/// `EntitySelectorMapping` and `InitEntities`): each entity is a selector over reserved
/// labels, so an API server address, which carries `kube-apiserver` next to `host`,
/// `remote-node` or `world`, is selected by the entities of both labels; and `cluster`
/// includes `kube-apiserver`, so it selects the API server even outside the cluster.
fn entity_matches(entity: Entity, peer: &Peer<'_>) -> bool {
    match (entity, peer) {
        (Entity::All, _) => true,
        (Entity::World, Peer::World { .. }) => true,
        (Entity::WorldIpv4, Peer::World { net, .. }) => net.is_ipv4(),
        (Entity::WorldIpv6, Peer::World { net, .. }) => !net.is_ipv4(),
        (Entity::Cluster | Entity::ClusterMesh, Peer::Pod(..) | Peer::Node { .. }) => true,
        (Entity::Cluster | Entity::ClusterMesh, Peer::World { api, .. }) => *api,
        (Entity::Host, Peer::Node { local, .. }) => *local,
        (Entity::RemoteNode, Peer::Node { local, .. }) => !*local,
        (Entity::KubeApiserver, Peer::Node { api, .. } | Peer::World { api, .. }) => *api,
        // health, init, ingress, unmanaged, none: nothing the playground models carries
        // these identities.
        _ => false,
    }
}

/// Whether a CIDR peer covers `net`. An allow needs all of `net` inside a block and outside
/// its exceptions; a deny takes any overlap that its exceptions do not cover in full (a
/// range endpoint is allowed only when all of its addresses are).
fn cidr_matches(objects: &CiliumObjects, peer: &CidrPeer, net: &Cidr, deny: bool) -> bool {
    let blocks: Vec<&Cidr> = match &peer.source {
        CidrSource::Block(b) => vec![b],
        CidrSource::GroupRef(name) => objects
            .cidr_groups
            .iter()
            .filter(|g| &g.name == name)
            .flat_map(|g| g.cidrs.iter())
            .collect(),
        CidrSource::GroupSelector(sel) => objects
            .cidr_groups
            .iter()
            .filter(|g| sel.matches(&g.labels))
            .flat_map(|g| g.cidrs.iter())
            .collect(),
    };
    blocks.iter().any(|b| {
        if deny {
            b.overlaps(net) && !peer.except.iter().any(|e| e.contains(net))
        } else {
            b.contains(net) && !peer.except.iter().any(|e| e.overlaps(net))
        }
    })
}

/// Whether an entry's ports take the connection; a named port resolves on the destination
/// pod (`dst`), never on an address.
fn ports_match(ports: &Ports, dst: Option<&Pod>, traffic: &Traffic) -> bool {
    ports_take(ports, dst, traffic.port, traffic.protocol)
}

/// [`ports_match`] for one port and protocol.
pub(super) fn ports_take(ports: &Ports, dst: Option<&Pod>, port: u16, protocol: Protocol) -> bool {
    let Ports::List(specs) = ports else {
        return true;
    };
    specs.iter().any(|s| {
        if s.protocol.is_some_and(|p| p != protocol) {
            return false;
        }
        match &s.port {
            PortMatch::All => true,
            PortMatch::Range(lo, hi) => (*lo..=*hi).contains(&port),
            PortMatch::Named(name) => dst.is_some_and(|pod| {
                pod.ports.iter().any(|cp| {
                    cp.protocol == protocol
                        && cp.port == port
                        && cp
                            .name
                            .as_deref()
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
            }),
        }
    })
}
