//! The Admin and Baseline tiers for one connection and direction, with evidence: which
//! policies select the pod, which rules were tried before the first match and why they did
//! not match, the matching rule with its action, and same-priority rules of other policies
//! whose action differs (the API leaves their order to the implementation).
//!
//! Semantics (`apis/v1alpha2/clusternetworkpolicy_types.go` and the conformance tests of
//! kubernetes-sigs/network-policy-api): within a tier, policies are tried by priority and
//! rules in the order written; the first rule whose peers and protocols match decides.
//! Peers select pods by namespace and pod labels, `networks` by address (pod IPs included),
//! `nodes` by the addresses of the selected nodes (a host-network pod's IPs are its
//! node's, so it is matched through them); `domainNames` cannot be evaluated without DNS
//! and never match. Named ports resolve on the destination pod.

use serde::Serialize;

use super::model::{
    evaluation_order, Action, ClusterNetworkPolicy, CnpPeer, CnpPort, CnpRule, Subject, Tier,
};
use crate::cidr::Cidr;
use crate::endpoint::{external_id, Endpoint};
use crate::model::{Cluster, Direction, Node, Pod};
use crate::ports::{Connections, PortRanges};
use crate::selector::{Mismatch, Selector};
use crate::traffic::{any_peer, port_allowed, where_ips_come_from, PeerMiss, RuleMiss, Traffic};

/// A ClusterNetworkPolicy of a tier, by name and index into `Cluster::cluster_policies`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TierPolicyRef {
    /// `metadata.name`.
    pub policy: String,
    /// `spec.priority`: lower runs first within the tier.
    pub priority: u16,
    /// Index into `Cluster::cluster_policies`.
    #[serde(skip)]
    pub index: usize,
}

/// A rule of a ClusterNetworkPolicy: its `ingress[rule]` or `egress[rule]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TierRuleRef {
    /// The policy's `metadata.name`.
    pub policy: String,
    /// The policy's `spec.priority`: lower runs first within the tier.
    pub priority: u16,
    /// Index of the policy in `Cluster::cluster_policies`.
    #[serde(skip)]
    pub policy_index: usize,
    /// Index of the rule in the policy's ingress or egress list.
    pub rule: usize,
    /// The rule's `name`, when written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The rule's action: what it decides when it matches.
    pub action: Action,
}

/// A rule that was tried and did not match, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TierCandidate {
    /// Which rule; flattened, so the JSON has `policy`, `priority` and `rule` at this level.
    #[serde(flatten)]
    pub rule: TierRuleRef,
    /// Why it did not match.
    pub miss: RuleMiss,
}

/// What one tier found for one direction of a connection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TierEvidence {
    /// Policies of the tier that select the pod and have rules for this direction, in
    /// evaluation order (priority, then name).
    pub policies: Vec<TierPolicyRef>,
    /// False when an earlier stage decided, so the tier was not consulted.
    pub reached: bool,
    /// Rules tried before the first match (all of them when none matches), with why they
    /// did not match.
    pub candidates: Vec<TierCandidate>,
    /// The first matching rule: its action decides (or passes to the next stage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<TierRuleRef>,
    /// Matching rules of other policies with the same priority and another action: the API
    /// lets the implementation apply either.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ambiguous: Vec<TierRuleRef>,
}

impl TierEvidence {
    /// True when no policy of the tier selects the pod in this direction.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The action of the matching rule, if one matched.
    pub fn action(&self) -> Option<Action> {
        self.matched.as_ref().map(|m| m.action)
    }
}

/// Whether `policy`'s subject selects `pod`. Host-network pods are never subjects: the API
/// leaves them out of subject selection.
pub fn selects(cluster: &Cluster, policy: &ClusterNetworkPolicy, pod: &Pod) -> bool {
    if pod.host_network {
        return false;
    }
    match &policy.subject {
        Subject::Namespaces(ns) => ns.matches(&cluster.namespace_labels(&pod.namespace)),
        Subject::Pods {
            namespace_selector,
            pod_selector,
        } => {
            namespace_selector.matches(&cluster.namespace_labels(&pod.namespace))
                && pod_selector.matches(&pod.labels)
        }
    }
}

/// The policies of `tier` that select pod `subject` and have rules for `direction`, in
/// evaluation order.
pub fn tier_policies(
    cluster: &Cluster,
    tier: Tier,
    direction: Direction,
    subject: &Pod,
) -> Vec<TierPolicyRef> {
    evaluation_order(&cluster.cluster_policies, tier)
        .into_iter()
        .filter_map(|index| {
            let policy = cluster.cluster_policies.get(index)?;
            (!policy.rules(direction).is_empty() && selects(cluster, policy, subject)).then(|| {
                TierPolicyRef {
                    policy: policy.name.clone(),
                    priority: policy.priority,
                    index,
                }
            })
        })
        .collect()
}

/// Evaluates `tier` for pod `subject` in `direction` of `traffic`: the first matching rule
/// and the evidence around it. `other` is the far end (the receiver for egress, the sender
/// for ingress).
pub fn evaluate_tier(
    cluster: &Cluster,
    tier: Tier,
    direction: Direction,
    subject: &Pod,
    other: &Endpoint,
    traffic: &Traffic,
) -> TierEvidence {
    let policies = tier_policies(cluster, tier, direction, subject);
    let mut out = TierEvidence {
        reached: true,
        ..TierEvidence::default()
    };
    for (pos, p) in policies.iter().enumerate() {
        let Some(policy) = cluster.cluster_policies.get(p.index) else {
            continue;
        };
        for (rule_index, rule) in policy.rules(direction).iter().enumerate() {
            let rule_ref = rule_ref(p, rule_index, rule);
            match rule_matches(cluster, rule, other, traffic) {
                Ok(()) => {
                    out.ambiguous = ambiguous(
                        cluster,
                        &policies,
                        pos,
                        direction,
                        rule.action,
                        other,
                        traffic,
                    );
                    out.matched = Some(rule_ref);
                    out.policies = policies;
                    return out;
                }
                Err(miss) => out.candidates.push(TierCandidate {
                    rule: rule_ref,
                    miss,
                }),
            }
        }
    }
    out.policies = policies;
    out
}

fn rule_ref(p: &TierPolicyRef, rule: usize, r: &CnpRule) -> TierRuleRef {
    TierRuleRef {
        policy: p.policy.clone(),
        priority: p.priority,
        policy_index: p.index,
        rule,
        name: r.name.clone(),
        action: r.action,
    }
}

/// First matches of the policies after `pos` with the same priority, where their action
/// differs from `action`.
fn ambiguous(
    cluster: &Cluster,
    policies: &[TierPolicyRef],
    pos: usize,
    direction: Direction,
    action: Action,
    other: &Endpoint,
    traffic: &Traffic,
) -> Vec<TierRuleRef> {
    let Some(priority) = policies.get(pos).map(|p| p.priority) else {
        return Vec::new();
    };
    policies
        .iter()
        .skip(pos + 1)
        .take_while(|p| p.priority == priority)
        .filter_map(|p| {
            let policy = cluster.cluster_policies.get(p.index)?;
            let (i, rule) = policy
                .rules(direction)
                .iter()
                .enumerate()
                .find(|(_, r)| rule_matches(cluster, r, other, traffic).is_ok())?;
            (rule.action != action).then(|| rule_ref(p, i, rule))
        })
        .collect()
}

/// Whether `rule` matches the far end `other` and the port of `traffic`.
pub fn rule_matches(
    cluster: &Cluster,
    rule: &CnpRule,
    other: &Endpoint,
    traffic: &Traffic,
) -> Result<(), RuleMiss> {
    any_peer(&rule.peers, |peer| {
        peer_matches(cluster, peer, other, rule.action)
    })?;
    port_allowed(&rule_connections(cluster, rule, &traffic.to), traffic)
}

/// How much of an address endpoint an address peer covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coverage {
    /// Every address of the endpoint.
    Full,
    /// Some of them: enough for a Deny rule, not for Accept or Pass.
    Partial,
    None,
}

/// Whether `peer` matches `other`. An external range that a `networks` or `nodes` peer
/// covers only in part counts as matched by a Deny rule (some of its addresses are
/// dropped) and not by Accept or Pass (some are not accepted or passed): an endpoint is
/// allowed only when all its addresses are.
pub fn peer_matches(
    cluster: &Cluster,
    peer: &CnpPeer,
    other: &Endpoint,
    action: Action,
) -> Result<(), PeerMiss> {
    let pod = other.pod(cluster);
    match peer {
        CnpPeer::Namespaces(ns) => {
            let pod = selectable(pod)?;
            namespace_matches(cluster, ns, pod)
        }
        CnpPeer::Pods {
            namespace_selector,
            pod_selector,
        } => {
            let pod = selectable(pod)?;
            namespace_matches(cluster, namespace_selector, pod)?;
            match pod_selector.mismatch(&pod.labels) {
                None => Ok(()),
                Some(Mismatch { wanted, found, .. }) => Err(PeerMiss::PodSelector {
                    peer: 0,
                    wanted,
                    found,
                }),
            }
        }
        CnpPeer::Networks(cidrs) => address_match(network_coverage(cidrs, other, pod), action)
            .map_err(|partial| PeerMiss::Network {
                peer: 0,
                reason: network_reason(cidrs, other, pod, partial),
            }),
        CnpPeer::Nodes(sel) => address_match(node_coverage(cluster, sel, other, pod), action)
            .map_err(|partial| PeerMiss::Node {
                peer: 0,
                reason: node_reason(cluster, sel, other, pod, partial),
            }),
        CnpPeer::DomainNames(names) => Err(PeerMiss::DomainName {
            peer: 0,
            names: names.join(", "),
        }),
    }
}

/// The pod a `namespaces` or `pods` peer may match: not an outside address, and not a
/// host-network pod (the API leaves those out of both kinds of peer).
fn selectable(pod: Option<&Pod>) -> Result<&Pod, PeerMiss> {
    match pod {
        None => Err(PeerMiss::NotAPod { peer: 0 }),
        Some(p) if p.host_network => Err(PeerMiss::HostNetwork { peer: 0 }),
        Some(p) => Ok(p),
    }
}

/// `Err(true)` for a partial cover that does not count.
fn address_match(coverage: Coverage, action: Action) -> Result<(), bool> {
    match (coverage, action) {
        (Coverage::Full, _) | (Coverage::Partial, Action::Deny) => Ok(()),
        (Coverage::Partial, _) => Err(true),
        (Coverage::None, _) => Err(false),
    }
}

fn namespace_matches(cluster: &Cluster, sel: &Selector, pod: &Pod) -> Result<(), PeerMiss> {
    match sel.mismatch(&cluster.namespace_labels(&pod.namespace)) {
        None => Ok(()),
        Some(Mismatch { wanted, found, .. }) => Err(PeerMiss::NamespaceSelector {
            peer: 0,
            namespace: pod.namespace.clone(),
            wanted,
            found,
        }),
    }
}

/// How `networks` cover an endpoint. A pod is covered through the IPs its manifest gives;
/// a pod without IPs is covered only by a whole address family (`0.0.0.0/0`, `::/0`),
/// which holds whatever address it gets.
pub(crate) fn network_coverage(cidrs: &[Cidr], other: &Endpoint, pod: Option<&Pod>) -> Coverage {
    match (other, pod) {
        (Endpoint::External(net), _) => {
            if cidrs.iter().any(|c| c.contains(net)) {
                Coverage::Full
            } else if cidrs.iter().any(|c| c.overlaps(net)) {
                Coverage::Partial
            } else {
                Coverage::None
            }
        }
        (Endpoint::Pod(_), Some(pod)) if pod.ips.is_empty() => {
            if cidrs.iter().any(|c| c.prefix == 0) {
                Coverage::Full
            } else {
                Coverage::None
            }
        }
        (Endpoint::Pod(_), Some(pod)) => {
            if pod
                .ips
                .iter()
                .any(|ip| cidrs.iter().any(|c| c.contains_ip(*ip)))
            {
                Coverage::Full
            } else {
                Coverage::None
            }
        }
        (Endpoint::Pod(_), None) => Coverage::None,
    }
}

fn network_reason(cidrs: &[Cidr], other: &Endpoint, pod: Option<&Pod>, partial: bool) -> String {
    let list: Vec<String> = cidrs.iter().map(Cidr::to_string).collect();
    let list = list.join(", ");
    match (other, pod) {
        (Endpoint::External(net), _) if partial => format!(
            "networks {list} cover only part of {}; an Accept or Pass rule must cover all of it",
            external_id(net)
        ),
        (Endpoint::External(net), _) => {
            format!("{} is not in networks {list}", external_id(net))
        }
        (_, Some(pod)) if pod.ips.is_empty() => format!(
            "networks {list} are matched against pod IPs, and `{}` has none {}",
            pod.id(),
            where_ips_come_from(pod)
        ),
        (_, Some(pod)) => {
            let ips: Vec<String> = pod.ips.iter().map(ToString::to_string).collect();
            format!(
                "`{}` ({}) is not in networks {list}",
                pod.id(),
                ips.join(", ")
            )
        }
        (_, None) => format!("not in networks {list}"),
    }
}

/// How the addresses of the nodes `sel` selects cover an endpoint: an external one by
/// range, a pod through its IPs (only a host-network pod has its node's).
fn node_coverage(
    cluster: &Cluster,
    sel: &Selector,
    other: &Endpoint,
    pod: Option<&Pod>,
) -> Coverage {
    let mut coverage = Coverage::None;
    for node in cluster.nodes.iter().filter(|n| sel.matches(&n.labels)) {
        match one_node_coverage(node, other, pod) {
            Coverage::Full => return Coverage::Full,
            Coverage::Partial => coverage = Coverage::Partial,
            Coverage::None => {}
        }
    }
    coverage
}

/// How one node's addresses cover an endpoint: a pod is covered when one of its IPs is an
/// address of the node, as its traffic carries that address on the wire.
fn one_node_coverage(node: &Node, other: &Endpoint, pod: Option<&Pod>) -> Coverage {
    let net = match (other, pod) {
        (Endpoint::External(net), _) => net,
        (Endpoint::Pod(_), Some(pod)) => {
            return if pod.ips.iter().any(|ip| node.addresses.contains(ip)) {
                Coverage::Full
            } else {
                Coverage::None
            };
        }
        (Endpoint::Pod(_), None) => return Coverage::None,
    };
    let mut coverage = Coverage::None;
    for addr in &node.addresses {
        let host = Cidr::host(*addr);
        if host.contains(net) {
            return Coverage::Full;
        }
        if net.contains(&host) {
            coverage = Coverage::Partial;
        }
    }
    coverage
}

/// Whether `node` is one that makes `peer` (a `nodes` peer of a rule with `action`) match
/// `other` (an endpoint of `cluster`): the peer selects the node and the node's addresses
/// cover the endpoint as [`peer_matches`] requires (all of it, or some of it for Deny).
/// False for other peers.
pub fn node_counts_for(
    cluster: &Cluster,
    node: &Node,
    peer: &CnpPeer,
    other: &Endpoint,
    action: Action,
) -> bool {
    let pod = other.pod(cluster);
    match peer {
        CnpPeer::Nodes(sel) => {
            sel.matches(&node.labels)
                && address_match(one_node_coverage(node, other, pod), action).is_ok()
        }
        _ => false,
    }
}

fn node_reason(
    cluster: &Cluster,
    sel: &Selector,
    other: &Endpoint,
    pod: Option<&Pod>,
    partial: bool,
) -> String {
    let selected: Vec<&str> = cluster
        .nodes
        .iter()
        .filter(|n| sel.matches(&n.labels))
        .map(|n| n.name.as_str())
        .collect();
    let shown = match (other, pod) {
        (Endpoint::External(net), _) => external_id(net),
        (Endpoint::Pod(_), None) => return "nodes peers match node addresses".to_string(),
        (Endpoint::Pod(_), Some(p)) if p.ips.is_empty() => return addressless_pod(p),
        (Endpoint::Pod(_), Some(p)) => {
            let ips: Vec<String> = p.ips.iter().map(ToString::to_string).collect();
            format!("`{}` ({})", p.id(), ips.join(", "))
        }
    };
    if partial {
        format!("{shown} holds the address of a node `{sel}` selects, but an Accept or Pass rule must cover all of it")
    } else if selected.is_empty() {
        format!("no Node in the input matches `{sel}`, so {shown} is not a node address")
    } else {
        format!(
            "{shown} is not an address of the nodes `{sel}` selects ({})",
            selected.join(", ")
        )
    }
}

/// Why a pod without IPs is no node address: a pod-network pod never is one; a host-network
/// pod is, but the input does not say which.
fn addressless_pod(pod: &Pod) -> String {
    if pod.host_network {
        format!(
            "nodes peers match node addresses; `{}` uses hostNetwork, but neither its manifest (status.podIP) nor a Node of the input (its spec.nodeName) gives its address",
            pod.id()
        )
    } else {
        format!(
            "nodes peers match node addresses, and `{}` is on the pod network",
            pod.id()
        )
    }
}

/// The connections a rule matches towards `dst`: its protocols, with named ports resolved
/// against `dst`'s container ports (by name, whatever the protocol). A named port never
/// matches an endpoint outside the cluster.
pub fn rule_connections(cluster: &Cluster, rule: &CnpRule, dst: &Endpoint) -> Connections {
    if rule.ports.is_empty() {
        return Connections::all();
    }
    let dst_pod = dst.pod(cluster);
    let mut out = Connections::none();
    for port in &rule.ports {
        let c = match port {
            CnpPort::Ports {
                protocol,
                start,
                end,
            } => Connections::of(*protocol, PortRanges::range(*start, *end)),
            CnpPort::Named(name) => dst_pod
                .and_then(|p| p.ports.iter().find(|c| c.name.as_deref() == Some(name)))
                .map(|c| Connections::of(c.protocol, PortRanges::range(c.port, c.port)))
                .unwrap_or_default(),
        };
        out = out.union(&c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cidr::Cidr;

    fn cidr(s: &str) -> Cidr {
        Cidr::parse(s, true).unwrap()
    }

    #[test]
    fn network_coverage_of_externals_and_pods() {
        let private = [cidr("10.0.0.0/8")];
        let ext = |s: &str| Endpoint::External(cidr(s));
        assert_eq!(
            network_coverage(&private, &ext("10.1.2.3"), None),
            Coverage::Full
        );
        assert_eq!(
            network_coverage(&private, &ext("0.0.0.0/0"), None),
            Coverage::Partial
        );
        assert_eq!(
            network_coverage(&private, &ext("8.8.8.8"), None),
            Coverage::None
        );
        let mut pod = Pod {
            namespace: "x".into(),
            name: "a".into(),
            kind: crate::model::EndpointKind::Pod,
            labels: Default::default(),
            ports: Vec::new(),
            ips: Vec::new(),
            host_network: false,
            origin: None,
        };
        let everything = [cidr("0.0.0.0/0")];
        assert_eq!(
            network_coverage(&everything, &Endpoint::Pod(0), Some(&pod)),
            Coverage::Full
        );
        assert_eq!(
            network_coverage(&private, &Endpoint::Pod(0), Some(&pod)),
            Coverage::None
        );
        pod.ips.push("10.9.9.9".parse().unwrap());
        assert_eq!(
            network_coverage(&private, &Endpoint::Pod(0), Some(&pod)),
            Coverage::Full
        );
        assert_eq!(
            network_coverage(&[cidr("::/0")], &Endpoint::Pod(0), Some(&pod)),
            Coverage::None
        );
    }

    #[test]
    fn partial_cover_counts_for_deny_only() {
        assert_eq!(address_match(Coverage::Partial, Action::Deny), Ok(()));
        assert_eq!(address_match(Coverage::Partial, Action::Accept), Err(true));
        assert_eq!(address_match(Coverage::Partial, Action::Pass), Err(true));
        assert_eq!(address_match(Coverage::None, Action::Deny), Err(false));
    }
}
