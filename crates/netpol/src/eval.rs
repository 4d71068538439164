//! Evaluation with evidence: for one connection, which policies isolate each side, which
//! rules allow it, and why every other candidate rule did not match.
//!
//! The verdict is derived from the evidence ([`Explanation::allowed`]), so "explain" is a
//! renderer over the same result, never a second evaluator. `matrix` is the fast path for
//! many pairs and is property-tested against this module.
//!
//! Semantics (Kubernetes API reference, networking.k8s.io/v1, and the upstream e2e suite
//! test/e2e/network/netpol):
//! - a pod is isolated in a direction when any policy selecting it has that policy type;
//!   when no policy isolates it, everything is allowed in that direction;
//! - an isolated pod allows the union of the rules of the policies that isolate it;
//! - a connection needs the source's egress and the destination's ingress to allow it;
//! - a pod talking to itself is always allowed (the loopback the e2e suite never probes
//!   and that every CNI lets through);
//! - external endpoints have no policies of their own: only the pod side is checked.

use serde::Serialize;

use crate::cidr::Cidr;
use crate::cnp::eval::{evaluate_tier, tier_policies};
use crate::cnp::{Action, Tier, TierEvidence};
use crate::endpoint::Endpoint;
use crate::model::{Cluster, Direction, Peer, Pod, PolicyPort, PortRef, Rule};
use crate::ports::{Connections, PortRanges, Protocol};
use crate::selector::Mismatch;

/// One connection to evaluate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Traffic {
    /// The endpoint that opens the connection: its egress is checked.
    pub from: Endpoint,
    /// The endpoint that accepts it: its ingress is checked.
    pub to: Endpoint,
    /// Destination port on `to`; NetworkPolicy never looks at the source port.
    pub port: u16,
    /// Matched against each policy port's `protocol` (TCP when a policy leaves it out).
    pub protocol: Protocol,
}

/// A policy, by id and index into [`Cluster::policies`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    /// `namespace/name`.
    pub policy: String,
    /// Index into `Cluster::policies`.
    #[serde(skip)]
    pub index: usize,
}

/// A rule of a policy: `policy`'s `ingress[rule]` or `egress[rule]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    /// `namespace/name` of the policy.
    pub policy: String,
    /// Index of the policy in `Cluster::policies`.
    #[serde(skip)]
    pub policy_index: usize,
    /// Index of the rule inside the policy's ingress or egress list.
    pub rule: usize,
}

/// Why one peer of a rule did not match the other side of the connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PeerMiss {
    /// A podSelector-only peer selects pods of the policy's namespace only.
    OtherNamespace {
        /// 0-based position of the peer in the rule's `from`/`to` list.
        peer: usize,
        /// The policy's namespace.
        policy_namespace: String,
        /// The other pod's namespace.
        pod_namespace: String,
    },
    /// The namespaceSelector does not select the other pod's namespace.
    NamespaceSelector {
        /// 0-based position of the peer in the rule's `from`/`to` list.
        peer: usize,
        /// The namespace that was not selected.
        namespace: String,
        /// The first selector term the namespace's labels fail (`team=web`).
        wanted: String,
        /// What the namespace has.
        found: String,
    },
    /// The podSelector does not select the other pod.
    PodSelector {
        /// 0-based position of the peer in the rule's `from`/`to` list.
        peer: usize,
        /// The first selector term the pod's labels fail (`app=api`).
        wanted: String,
        /// What the pod has.
        found: String,
    },
    /// A pod or namespace selector never matches traffic to or from outside the cluster.
    NotAPod {
        /// 0-based position of the peer in the rule's `from`/`to` list.
        peer: usize,
    },
    /// A ClusterNetworkPolicy `namespaces` or `pods` peer never matches a host-network pod
    /// (the API excludes them: its traffic is the node's).
    HostNetwork {
        /// 0-based position of the peer in the rule's `from`/`to` list.
        peer: usize,
    },
    /// The ipBlock does not cover the address.
    IpBlock {
        /// 0-based position of the peer in the rule's `from`/`to` list.
        peer: usize,
        /// Human reason (`8.8.8.8 is not in 10.0.0.0/8`, `10.1.2.3 is in except 10.0.0.0/8`).
        reason: String,
    },
    /// A ClusterNetworkPolicy `networks` peer does not cover the address.
    Network {
        /// 0-based position of the peer in the rule's `from`/`to` list.
        peer: usize,
        /// Which address fell outside the networks (`8.8.8.8 is not in networks
        /// 10.0.0.0/8`), or that only part of a range is covered.
        reason: String,
    },
    /// A ClusterNetworkPolicy `nodes` peer does not match the endpoint.
    Node {
        /// 0-based position of the peer in the rule's `from`/`to` list.
        peer: usize,
        /// Why the endpoint is not a selected node's address: it is a pod, no Node
        /// matches, or an Accept or Pass rule covers only part of a range.
        reason: String,
    },
    /// A ClusterNetworkPolicy `domainNames` peer: matched by the name a connection was
    /// resolved from, which the playground cannot see.
    DomainName {
        /// 0-based position of the peer in the rule's `from`/`to` list.
        peer: usize,
        /// The names, comma-separated.
        names: String,
    },
}

impl PeerMiss {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            PeerMiss::OtherNamespace {
                peer,
                policy_namespace,
                pod_namespace,
            } => format!(
                "peer {peer}: podSelector without namespaceSelector only selects pods in `{policy_namespace}`, the pod is in `{pod_namespace}`"
            ),
            PeerMiss::NamespaceSelector {
                peer,
                namespace,
                wanted,
                found,
            } => format!(
                "peer {peer}: namespaceSelector wants `{wanted}`, namespace `{namespace}` has {found}"
            ),
            PeerMiss::PodSelector {
                peer,
                wanted,
                found,
            } => format!("peer {peer}: podSelector wants `{wanted}`, the pod has {found}"),
            PeerMiss::NotAPod { peer } => format!(
                "peer {peer}: pod and namespace selectors only match pods, not addresses outside the cluster"
            ),
            PeerMiss::HostNetwork { peer } => format!(
                "peer {peer}: the pod uses hostNetwork, and ClusterNetworkPolicy `namespaces` and `pods` peers never match host-network pods (reach it through `nodes` or `networks`)"
            ),
            PeerMiss::IpBlock { peer, reason }
            | PeerMiss::Network { peer, reason }
            | PeerMiss::Node { peer, reason } => format!("peer {peer}: {reason}"),
            PeerMiss::DomainName { peer, names } => format!(
                "peer {peer}: domainNames ({names}) match by the DNS name a connection was opened to, which the playground cannot see: treated as no match"
            ),
        }
    }

    /// The same miss for peer `index`.
    pub fn with_peer(mut self, index: usize) -> PeerMiss {
        match &mut self {
            PeerMiss::OtherNamespace { peer, .. }
            | PeerMiss::NamespaceSelector { peer, .. }
            | PeerMiss::PodSelector { peer, .. }
            | PeerMiss::NotAPod { peer }
            | PeerMiss::HostNetwork { peer }
            | PeerMiss::IpBlock { peer, .. }
            | PeerMiss::Network { peer, .. }
            | PeerMiss::Node { peer, .. }
            | PeerMiss::DomainName { peer, .. } => *peer = index,
        }
        self
    }
}

/// Why a rule did not allow the connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RuleMiss {
    /// No peer in `from`/`to` matched.
    Peers {
        /// One entry per peer.
        peers: Vec<PeerMiss>,
    },
    /// The peer matched but the port or protocol did not.
    Ports {
        /// What the rule allows towards this destination (`TCP 80,443`).
        allows: String,
    },
}

impl RuleMiss {
    /// One line for people (peers joined by `; `).
    pub fn describe(&self) -> String {
        match self {
            RuleMiss::Peers { peers } => peers
                .iter()
                .map(PeerMiss::describe)
                .collect::<Vec<_>>()
                .join("; "),
            RuleMiss::Ports { allows } => {
                format!("the peer matches but the rule only allows {allows}")
            }
        }
    }
}

/// A rule that was considered and did not allow the connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Which rule; flattened, so the JSON has `policy` and `rule` at this level.
    #[serde(flatten)]
    pub rule: RuleRef,
    /// Why it did not match.
    pub miss: RuleMiss,
}

/// The stage that decided one direction of a connection, in evaluation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// The endpoint is outside the cluster: no policy applies to it.
    Outside,
    /// An Admin-tier ClusterNetworkPolicy rule (Accept or Deny).
    Admin,
    /// The NetworkPolicies that select the pod for this direction.
    NetworkPolicy,
    /// A Baseline-tier ClusterNetworkPolicy rule (Accept or Deny).
    Baseline,
    /// Nothing decided: allowed.
    Default,
}

impl Stage {
    /// `Outside`, `Admin`, `NetworkPolicy`, `Baseline`, `Default`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Outside => "Outside",
            Stage::Admin => "Admin",
            Stage::NetworkPolicy => "NetworkPolicy",
            Stage::Baseline => "Baseline",
            Stage::Default => "Default",
        }
    }
}

impl Serialize for Stage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Evidence for one direction (the sender's egress or the receiver's ingress): the whole
/// chain in evaluation order. The Admin tier, then the NetworkPolicies (`isolated_by`,
/// `allowed_by`, `candidates`), then the Baseline tier; `decided_by` names the stage whose
/// answer counts and `allowed` is that answer.
///
/// In JSON, the tiers, `decidedBy` and `allowed` are written only when a
/// ClusterNetworkPolicy selects the pod in this direction: without one, the evidence is
/// what it was before the tiers, and so is every tool's view of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// Egress (checked on the sender) or Ingress (checked on the receiver).
    pub direction: Direction,
    /// The pod this side is checked on; `None` for an external endpoint (nothing to check).
    pub pod: Option<String>,
    /// The Admin-tier ClusterNetworkPolicies that select the pod, checked before any
    /// NetworkPolicy (empty evidence when none does).
    pub admin: TierEvidence,
    /// Policies that select the pod and isolate it in this direction.
    pub isolated_by: Vec<PolicyRef>,
    /// Rules that allow the connection.
    pub allowed_by: Vec<RuleRef>,
    /// Rules that did not, with the reason.
    pub candidates: Vec<Candidate>,
    /// The Baseline-tier ClusterNetworkPolicies, consulted only when neither the Admin
    /// tier nor a NetworkPolicy decided.
    pub baseline: TierEvidence,
    /// The stage whose answer counts.
    pub decided_by: Stage,
    /// True when this side lets the connection through.
    pub allowed: bool,
}

impl Serialize for Side {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let tiers = self.has_tiers();
        let mut st = s.serialize_struct("Side", if tiers { 9 } else { 5 })?;
        st.serialize_field("direction", &self.direction)?;
        st.serialize_field("pod", &self.pod)?;
        if tiers {
            st.serialize_field("admin", &self.admin)?;
        }
        st.serialize_field("isolatedBy", &self.isolated_by)?;
        st.serialize_field("allowedBy", &self.allowed_by)?;
        st.serialize_field("candidates", &self.candidates)?;
        if tiers {
            st.serialize_field("baseline", &self.baseline)?;
            st.serialize_field("decidedBy", &self.decided_by)?;
            st.serialize_field("allowed", &self.allowed)?;
        }
        st.end()
    }
}

impl Side {
    /// True when this side lets the connection through.
    pub fn allows(&self) -> bool {
        self.allowed
    }

    /// True when a ClusterNetworkPolicy of either tier selects the pod in this direction.
    pub fn has_tiers(&self) -> bool {
        !self.admin.is_empty() || !self.baseline.is_empty()
    }
}

/// Everything about one connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// Sender id, as [`Endpoint::id`] writes it (`namespace/name`, `ip:8.8.8.8`).
    pub from: String,
    /// Receiver id, in the same form.
    pub to: String,
    /// Destination port.
    pub port: u16,
    /// Transport protocol of the connection.
    pub protocol: Protocol,
    /// True when a pod talks to itself (always allowed).
    pub loopback: bool,
    /// The sender's egress.
    pub egress: Side,
    /// The receiver's ingress.
    pub ingress: Side,
    /// True when the connection goes through: a loopback, or both sides allow it.
    pub allowed: bool,
}

impl Serialize for Direction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Explanation {
    /// True when the connection is allowed.
    pub fn allowed(&self) -> bool {
        self.allowed
    }
}

/// The verdict for one connection.
pub fn verdict(cluster: &Cluster, traffic: &Traffic) -> bool {
    explain(cluster, traffic).allowed
}

/// The verdict for one connection with its evidence.
pub fn explain(cluster: &Cluster, traffic: &Traffic) -> Explanation {
    explain_among(cluster, None, traffic)
}

/// The NetworkPolicies of each namespace, by index into [`Cluster::policies`]: explaining
/// many connections of one large cluster (a flow log's) then looks only at the policies of
/// the two ends' namespaces, instead of comparing every policy's namespace each time.
#[derive(Clone, Debug, Default)]
pub struct PoliciesByNamespace(std::collections::HashMap<String, Vec<usize>>);

impl PoliciesByNamespace {
    /// Indexes `cluster`'s policies.
    pub fn new(cluster: &Cluster) -> Self {
        let mut by = std::collections::HashMap::<String, Vec<usize>>::new();
        for (i, p) in cluster.policies.iter().enumerate() {
            by.entry(p.namespace.clone()).or_default().push(i);
        }
        PoliciesByNamespace(by)
    }
}

/// [`explain`] with the policies indexed by namespace (`index` must be of `cluster`): the
/// same explanation, for many connections of one cluster.
pub fn explain_indexed(
    cluster: &Cluster,
    index: &PoliciesByNamespace,
    traffic: &Traffic,
) -> Explanation {
    explain_among(cluster, Some(index), traffic)
}

fn explain_among(
    cluster: &Cluster,
    index: Option<&PoliciesByNamespace>,
    traffic: &Traffic,
) -> Explanation {
    let loopback =
        matches!((&traffic.from, &traffic.to), (Endpoint::Pod(a), Endpoint::Pod(b)) if a == b);
    let egress = side(cluster, index, Direction::Egress, traffic);
    let ingress = side(cluster, index, Direction::Ingress, traffic);
    let allowed = loopback || (egress.allows() && ingress.allows());
    Explanation {
        from: traffic.from.id(cluster),
        to: traffic.to.id(cluster),
        port: traffic.port,
        protocol: traffic.protocol,
        loopback,
        egress,
        ingress,
        allowed,
    }
}

fn side(
    cluster: &Cluster,
    index: Option<&PoliciesByNamespace>,
    direction: Direction,
    traffic: &Traffic,
) -> Side {
    // Egress is checked on the sender against the receiver; ingress the other way round.
    let (subject, other) = match direction {
        Direction::Egress => (&traffic.from, &traffic.to),
        Direction::Ingress => (&traffic.to, &traffic.from),
    };
    let mut out = Side {
        direction,
        pod: None,
        admin: TierEvidence::default(),
        isolated_by: Vec::new(),
        allowed_by: Vec::new(),
        candidates: Vec::new(),
        baseline: TierEvidence::default(),
        decided_by: Stage::Outside,
        allowed: true,
    };
    let Endpoint::Pod(subject_index) = *subject else {
        return out;
    };
    let Some(pod) = cluster.pods.get(subject_index) else {
        return out;
    };
    out.pod = Some(pod.id());
    match index {
        Some(PoliciesByNamespace(by)) => {
            let of_namespace = by.get(&pod.namespace).map_or(&[][..], Vec::as_slice);
            let policies = of_namespace
                .iter()
                .filter_map(|&i| Some((i, cluster.policies.get(i)?)));
            network_policies(cluster, policies, direction, pod, other, traffic, &mut out);
        }
        None => {
            let policies = cluster.policies.iter().enumerate();
            network_policies(cluster, policies, direction, pod, other, traffic, &mut out);
        }
    }
    if cluster.cluster_policies.is_empty() {
        (out.decided_by, out.allowed) = if out.isolated_by.is_empty() {
            (Stage::Default, true)
        } else {
            (Stage::NetworkPolicy, !out.allowed_by.is_empty())
        };
        return out;
    }
    out.admin = evaluate_tier(cluster, Tier::Admin, direction, pod, other, traffic);
    match out.admin.action() {
        Some(action @ (Action::Accept | Action::Deny)) => {
            out.decided_by = Stage::Admin;
            out.allowed = action == Action::Accept;
            out.baseline.policies = tier_policies(cluster, Tier::Baseline, direction, pod);
        }
        _ if !out.isolated_by.is_empty() => {
            out.decided_by = Stage::NetworkPolicy;
            out.allowed = !out.allowed_by.is_empty();
            out.baseline.policies = tier_policies(cluster, Tier::Baseline, direction, pod);
        }
        _ => {
            out.baseline = evaluate_tier(cluster, Tier::Baseline, direction, pod, other, traffic);
            (out.decided_by, out.allowed) = match out.baseline.action() {
                Some(Action::Accept) => (Stage::Baseline, true),
                Some(Action::Deny) => (Stage::Baseline, false),
                // Pass in the Baseline tier leaves the decision to the default.
                Some(Action::Pass) | None => (Stage::Default, true),
            };
        }
    }
    out
}

/// The NetworkPolicy evidence: which of `policies` (with their indices) isolate `pod`, and
/// which rules allow.
fn network_policies<'c>(
    cluster: &Cluster,
    policies: impl Iterator<Item = (usize, &'c crate::model::Policy)>,
    direction: Direction,
    pod: &crate::model::Pod,
    other: &Endpoint,
    traffic: &Traffic,
    out: &mut Side,
) {
    for (index, policy) in policies {
        if policy.namespace != pod.namespace
            || !policy.isolates(direction)
            || !policy.pod_selector.matches(&pod.labels)
        {
            continue;
        }
        out.isolated_by.push(PolicyRef {
            policy: policy.id(),
            index,
        });
        for (rule_index, rule) in policy.rules(direction).iter().enumerate() {
            let rule_ref = RuleRef {
                policy: policy.id(),
                policy_index: index,
                rule: rule_index,
            };
            match rule_matches(cluster, &policy.namespace, rule, other, traffic) {
                Ok(()) => out.allowed_by.push(rule_ref),
                Err(miss) => out.candidates.push(Candidate {
                    rule: rule_ref,
                    miss,
                }),
            }
        }
    }
}

fn rule_matches(
    cluster: &Cluster,
    policy_namespace: &str,
    rule: &Rule,
    other: &Endpoint,
    traffic: &Traffic,
) -> Result<(), RuleMiss> {
    if !rule.peers.is_empty() {
        any_peer(&rule.peers, |peer| {
            peer_matches(cluster, policy_namespace, peer, other)
        })?;
    }
    port_allowed(&rule_connections(cluster, rule, &traffic.to), traffic)
}

/// `Ok` when one of `peers` matches; else every peer's miss, numbered by its position.
pub(crate) fn any_peer<P>(
    peers: &[P],
    mut matches: impl FnMut(&P) -> Result<(), PeerMiss>,
) -> Result<(), RuleMiss> {
    let mut misses = Vec::new();
    for (i, peer) in peers.iter().enumerate() {
        match matches(peer) {
            Ok(()) => return Ok(()),
            Err(m) => misses.push(m.with_peer(i)),
        }
    }
    Err(RuleMiss::Peers { peers: misses })
}

/// `Ok` when a rule whose peers matched, allowing `allowed`, lets `traffic`'s port through.
pub(crate) fn port_allowed(allowed: &Connections, traffic: &Traffic) -> Result<(), RuleMiss> {
    if allowed.allows(traffic.port, traffic.protocol) {
        Ok(())
    } else {
        Err(RuleMiss::Ports {
            allows: if allowed.is_empty() {
                "ports the destination does not expose".to_string()
            } else {
                allowed.to_string()
            },
        })
    }
}

/// Whether `peer`, written in a policy of `policy_namespace`, matches endpoint `other`.
/// The `peer` index in a returned miss is 0; callers set it.
pub fn peer_matches(
    cluster: &Cluster,
    policy_namespace: &str,
    peer: &Peer,
    other: &Endpoint,
) -> Result<(), PeerMiss> {
    match (peer, other) {
        (
            Peer::Pods {
                namespace_selector,
                pod_selector,
            },
            Endpoint::Pod(i),
        ) => {
            let Some(pod) = cluster.pods.get(*i) else {
                return Err(PeerMiss::NotAPod { peer: 0 });
            };
            match namespace_selector {
                None => {
                    if pod.namespace != policy_namespace {
                        return Err(PeerMiss::OtherNamespace {
                            peer: 0,
                            policy_namespace: policy_namespace.to_string(),
                            pod_namespace: pod.namespace.clone(),
                        });
                    }
                }
                Some(sel) => {
                    let labels = cluster
                        .namespace(&pod.namespace)
                        .map(|n| n.labels.clone())
                        .unwrap_or_else(|| {
                            crate::model::Namespace::implicit(&pod.namespace).labels
                        });
                    if let Some(Mismatch { wanted, found, .. }) = sel.mismatch(&labels) {
                        return Err(PeerMiss::NamespaceSelector {
                            peer: 0,
                            namespace: pod.namespace.clone(),
                            wanted,
                            found,
                        });
                    }
                }
            }
            if let Some(sel) = pod_selector {
                if let Some(Mismatch { wanted, found, .. }) = sel.mismatch(&pod.labels) {
                    return Err(PeerMiss::PodSelector {
                        peer: 0,
                        wanted,
                        found,
                    });
                }
            }
            Ok(())
        }
        (Peer::Pods { .. }, Endpoint::External(_)) => Err(PeerMiss::NotAPod { peer: 0 }),
        (Peer::IpBlock { cidr, except }, Endpoint::External(net)) => {
            ip_block_covers(cidr, except, net)
                .map_err(|reason| PeerMiss::IpBlock { peer: 0, reason })
        }
        (Peer::IpBlock { cidr, except }, Endpoint::Pod(i)) => {
            let Some(pod) = cluster.pods.get(*i) else {
                return Err(PeerMiss::NotAPod { peer: 0 });
            };
            if pod.ips.is_empty() {
                return Err(PeerMiss::IpBlock {
                    peer: 0,
                    reason: format!(
                        "ipBlock {cidr} is matched against pod IPs, and `{}` has none {}",
                        pod.id(),
                        where_ips_come_from(pod)
                    ),
                });
            }
            let mut last = String::new();
            for ip in &pod.ips {
                match ip_block_covers(cidr, except, &Cidr::host(*ip)) {
                    Ok(()) => return Ok(()),
                    Err(r) => last = r,
                }
            }
            Err(PeerMiss::IpBlock {
                peer: 0,
                reason: last,
            })
        }
    }
}

/// Where a pod without IPs would have got them, for a miss: its manifest, or for a
/// host-network pod also its node.
pub(crate) fn where_ips_come_from(pod: &Pod) -> &'static str {
    if pod.host_network {
        "(no status.podIP in its manifest, and no Node of the input for its spec.nodeName, whose address a host-network pod has)"
    } else {
        "in its manifest (status.podIP)"
    }
}

/// Whether an ipBlock peer matches `other` (an address it covers, or a pod with an IP it
/// covers): [`peer_matches`] for an ipBlock, without the words of a miss. The bulk index
/// asks it for every endpoint with an address, most of which miss.
pub(crate) fn ip_block_matches(
    cluster: &Cluster,
    cidr: &Cidr,
    except: &[Cidr],
    other: &Endpoint,
) -> bool {
    match other {
        Endpoint::External(net) => ip_block_holds(cidr, except, net),
        Endpoint::Pod(i) => cluster.pods.get(*i).is_some_and(|p| {
            p.ips
                .iter()
                .any(|ip| ip_block_holds(cidr, except, &Cidr::host(*ip)))
        }),
    }
}

/// Whether an ipBlock covers all of `net`: inside `cidr` and outside every `except`.
fn ip_block_holds(cidr: &Cidr, except: &[Cidr], net: &Cidr) -> bool {
    cidr.contains(net) && !except.iter().any(|e| e.overlaps(net))
}

/// [`ip_block_holds`], with the reason when it does not.
fn ip_block_covers(cidr: &Cidr, except: &[Cidr], net: &Cidr) -> Result<(), String> {
    // The words are built only for a miss: bulk queries call this once per pair and
    // ipBlock, and formatting addresses there was a third of a matrix's time.
    let shown = || {
        if net.prefix == 128 || (net.is_ipv4() && net.prefix == 32) {
            net.addr.to_string()
        } else {
            net.to_string()
        }
    };
    if !cidr.contains(net) {
        return Err(format!("{} is not inside ipBlock {cidr}", shown()));
    }
    if let Some(e) = except.iter().find(|e| e.overlaps(net)) {
        return Err(format!(
            "{} is in ipBlock {cidr} but also in its except {e}",
            shown()
        ));
    }
    Ok(())
}

/// The connections a rule allows towards `dst`: its ports, with named ports resolved
/// against `dst`'s container ports. A named port resolves only on a pod destination.
pub fn rule_connections(cluster: &Cluster, rule: &Rule, dst: &Endpoint) -> Connections {
    if rule.ports.is_empty() {
        return Connections::all();
    }
    let dst_pod = match dst {
        Endpoint::Pod(i) => cluster.pods.get(*i),
        Endpoint::External(_) => None,
    };
    let mut out = Connections::none();
    for port in &rule.ports {
        out = out.union(&port_connections(port, dst_pod));
    }
    out
}

fn port_connections(port: &PolicyPort, dst: Option<&crate::model::Pod>) -> Connections {
    let ranges = match &port.port {
        None => PortRanges::all(),
        Some(PortRef::Number(n)) => PortRanges::range(*n, port.end_port.unwrap_or(*n).max(*n)),
        Some(PortRef::Name(name)) => match dst.and_then(|p| p.named_port(name, port.protocol)) {
            Some(n) => PortRanges::range(n, n),
            None => PortRanges::empty(),
        },
    };
    Connections::of(port.protocol, ranges)
}
