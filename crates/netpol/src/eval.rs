//! The NetworkPolicy evaluator with evidence: for one direction of one connection, which
//! NetworkPolicies isolate the pod, which rules allow it, and why every other candidate
//! rule did not match. Whether that answer counts is the tier chain's call
//! ([`crate::chain`]); this module knows nothing of ClusterNetworkPolicies.
//!
//! Semantics (Kubernetes API reference, networking.k8s.io/v1, and the upstream e2e suite
//! test/e2e/network/netpol):
//! - a pod is isolated in a direction when any policy selecting it has that policy type;
//!   when no policy isolates it, everything is allowed in that direction;
//! - an isolated pod allows the union of the rules of the policies that isolate it.

use serde::Serialize;

use crate::cidr::Cidr;
use crate::endpoint::Endpoint;
use crate::model::{Cluster, Direction, Peer, Pod, PolicyPort, PortRef, Rule};
use crate::ports::{Connections, PortRanges};
use crate::selector::Mismatch;
use crate::traffic::{any_peer, port_allowed, where_ips_come_from};
// The chain's types live in `crate::chain`; these stay reachable here because callers
// match on misses next to the NetworkPolicy evidence they come with.
pub use crate::traffic::{PeerMiss, RuleMiss, Traffic};

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

/// A rule that was considered and did not allow the connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Which rule; flattened, so the JSON has `policy` and `rule` at this level.
    #[serde(flatten)]
    pub rule: RuleRef,
    /// Why it did not match.
    pub miss: RuleMiss,
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

/// What the NetworkPolicies say about one direction of a connection: which of them isolate
/// the pod, which rules allow, and why the others do not. The chain
/// ([`crate::chain`]) decides whether this answer counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkPolicyEvidence {
    /// Policies that select the pod and isolate it in this direction.
    pub isolated_by: Vec<PolicyRef>,
    /// Rules that allow the connection.
    pub allowed_by: Vec<RuleRef>,
    /// Rules that did not, with the reason.
    pub candidates: Vec<Candidate>,
}

/// The NetworkPolicy evidence for `pod` in `direction` towards `other`: with `index`, only
/// the policies of the pod's namespace are looked at (the same answer, faster for many
/// connections of one cluster).
pub fn network_policies(
    cluster: &Cluster,
    index: Option<&PoliciesByNamespace>,
    direction: Direction,
    pod: &Pod,
    other: &Endpoint,
    traffic: &Traffic,
) -> NetworkPolicyEvidence {
    let mut out = NetworkPolicyEvidence::default();
    match index {
        Some(PoliciesByNamespace(by)) => {
            let of_namespace = by.get(&pod.namespace).map_or(&[][..], Vec::as_slice);
            let policies = of_namespace
                .iter()
                .filter_map(|&i| Some((i, cluster.policies.get(i)?)));
            collect(cluster, policies, direction, pod, other, traffic, &mut out);
        }
        None => {
            let policies = cluster.policies.iter().enumerate();
            collect(cluster, policies, direction, pod, other, traffic, &mut out);
        }
    }
    out
}

/// [`network_policies`] over `policies` (with their indices).
fn collect<'c>(
    cluster: &Cluster,
    policies: impl Iterator<Item = (usize, &'c crate::model::Policy)>,
    direction: Direction,
    pod: &Pod,
    other: &Endpoint,
    traffic: &Traffic,
    out: &mut NetworkPolicyEvidence,
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
    let dst_pod = dst.pod(cluster);
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
