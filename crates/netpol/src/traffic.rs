//! One connection to evaluate, and the words for why a rule does not match it: shared by
//! the NetworkPolicy evaluator ([`crate::eval`]) and the tier evaluator
//! ([`crate::cnp::eval`]). It depends on neither, so neither evaluator needs the other.

use serde::Serialize;

use crate::endpoint::Endpoint;
use crate::model::{Direction, Pod};
use crate::ports::{Connections, Protocol};

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

/// Where a pod without IPs would have got them, for a miss: its manifest, or for a
/// host-network pod also its node.
pub(crate) fn where_ips_come_from(pod: &Pod) -> &'static str {
    if pod.host_network {
        "(no status.podIP in its manifest, and no Node of the input for its spec.nodeName, whose address a host-network pod has)"
    } else {
        "in its manifest (status.podIP)"
    }
}
