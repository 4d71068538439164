//! Equivalence classes of endpoints: pods that every policy treats alike, so that the
//! many-pairs queries (`connectivity`, and through it `diff`) compute one answer per pair
//! of classes instead of per pair of pods, and expand to pods only for what they print.
//!
//! Real clusters run thousands of replicas of one pod template: same namespace, same
//! labels, same container ports, different IPs. Every evaluator reads a pod only through
//!
//! - its namespace (selectors, the namespace's labels, podSelector-only peers),
//! - its labels (policy subjects, peers),
//! - its named container ports, in order (a named port resolves on the first match),
//! - `hostNetwork` (ClusterNetworkPolicy never selects such a pod as subject or peer),
//! - and its addresses only through address peers: whether each NetworkPolicy ipBlock
//!   (cidr with its excepts), each ClusterNetworkPolicy `networks` peer and each `nodes`
//!   peer matches it (see `eval::ip_block_matches` and `cnp::eval::peer_matches`).
//!
//! so two pods with the same key get the same verdict towards everything, in both
//! directions. The key keeps the answers of the address peers, not the IPs themselves: the
//! replicas of one template differ in IP yet share a class unless some ipBlock tells them
//! apart (a boundary or an `except` between them). Labels no policy reads are kept in the
//! key too: that may split a class needlessly, never merge pods that differ.
//!
//! The only verdict that depends on identity is loopback (a pod to itself), which the
//! callers add per endpoint position. Externals are one class each.

use std::collections::HashMap;

use crate::cidr::Cidr;
use crate::cnp::{Action, CnpPeer};
use crate::endpoint::Endpoint;
use crate::model::{Cluster, ContainerPort, Labels, Peer};
use crate::selector::Selector;

/// A partition of an endpoint list into classes, numbered in the order of their first
/// member, so the same input always gives the same classes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classes {
    /// Per endpoint position: its class.
    of: Vec<u32>,
    /// Per class: its members' positions, ascending.
    members: Vec<Vec<usize>>,
}

/// What a pod's class is made of (see the module comment).
#[derive(Hash, PartialEq, Eq)]
enum Key<'c> {
    Pod {
        namespace: &'c str,
        labels: &'c Labels,
        named_ports: Vec<&'c ContainerPort>,
        host_network: bool,
        /// One bit per address peer of the cluster: whether it matches the pod.
        addresses: Vec<u64>,
    },
    /// An endpoint on its own (an address outside the cluster, or a pod index the cluster
    /// does not have): one class per position.
    Alone(usize),
}

/// An address peer, whose answer for a pod is part of the pod's key.
enum AddressPeer<'c> {
    IpBlock(&'c Cidr, &'c [Cidr]),
    Cluster(&'c CnpPeer),
}

impl Classes {
    /// Partitions `endpoints` (positions into the list) by what `cluster`'s policies see.
    pub fn of_endpoints(cluster: &Cluster, endpoints: &[Endpoint]) -> Classes {
        let peers = address_peers(cluster);
        let mut ids: HashMap<Key<'_>, u32> = HashMap::new();
        let mut out = Classes {
            of: Vec::with_capacity(endpoints.len()),
            members: Vec::new(),
        };
        for (pos, endpoint) in endpoints.iter().enumerate() {
            let key = match endpoint {
                Endpoint::Pod(i) => match cluster.pods.get(*i) {
                    Some(pod) => {
                        let mut addresses = vec![0u64; peers.len().div_ceil(64)];
                        for (k, peer) in peers.iter().enumerate() {
                            if matches_pod(cluster, peer, endpoint) {
                                if let Some(w) = addresses.get_mut(k / 64) {
                                    *w |= 1 << (k % 64);
                                }
                            }
                        }
                        Key::Pod {
                            namespace: &pod.namespace,
                            labels: &pod.labels,
                            named_ports: pod.ports.iter().filter(|p| p.name.is_some()).collect(),
                            host_network: pod.host_network,
                            addresses,
                        }
                    }
                    None => Key::Alone(pos),
                },
                Endpoint::External(_) => Key::Alone(pos),
            };
            let next = u32::try_from(out.members.len()).unwrap_or(u32::MAX);
            let class = *ids.entry(key).or_insert(next);
            if class == next {
                out.members.push(Vec::new());
            }
            if let Some(m) = out.members.get_mut(class as usize) {
                m.push(pos);
            }
            out.of.push(class);
        }
        out
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when there are no endpoints.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The class of the endpoint at position `pos`.
    pub fn class_of(&self, pos: usize) -> Option<usize> {
        self.of.get(pos).map(|&c| c as usize)
    }

    /// The positions of the members of `class`, ascending.
    pub fn members(&self, class: usize) -> &[usize] {
        self.members.get(class).map_or(&[], Vec::as_slice)
    }

    /// One member of each class (its first), in class order: the endpoints to compute on.
    pub fn representatives(&self) -> impl Iterator<Item = usize> + '_ {
        self.members.iter().filter_map(|m| m.first().copied())
    }
}

/// Every distinct address peer of the cluster's NetworkPolicies and ClusterNetworkPolicies.
fn address_peers(cluster: &Cluster) -> Vec<AddressPeer<'_>> {
    let mut blocks: Vec<(&Cidr, &[Cidr])> = Vec::new();
    let mut seen_blocks: HashMap<(&Cidr, &[Cidr]), ()> = HashMap::new();
    for policy in &cluster.policies {
        for rule in policy.ingress.iter().chain(&policy.egress) {
            for peer in &rule.peers {
                if let Peer::IpBlock { cidr, except } = peer {
                    let key = (cidr, except.as_slice());
                    if seen_blocks.insert(key, ()).is_none() {
                        blocks.push(key);
                    }
                }
            }
        }
    }
    let mut out: Vec<AddressPeer<'_>> = blocks
        .into_iter()
        .map(|(c, e)| AddressPeer::IpBlock(c, e))
        .collect();
    let mut networks: Vec<&[Cidr]> = Vec::new();
    let mut nodes: Vec<&Selector> = Vec::new();
    for policy in &cluster.cluster_policies {
        for rule in policy.ingress.iter().chain(&policy.egress) {
            for peer in &rule.peers {
                let new = match peer {
                    CnpPeer::Networks(cidrs) if !networks.contains(&cidrs.as_slice()) => {
                        networks.push(cidrs);
                        true
                    }
                    CnpPeer::Nodes(sel) if !nodes.contains(&sel) => {
                        nodes.push(sel);
                        true
                    }
                    _ => false,
                };
                if new {
                    out.push(AddressPeer::Cluster(peer));
                }
            }
        }
    }
    out
}

/// Whether `peer` matches the pod `endpoint`, as the evaluators decide it. For a pod an
/// address peer covers all of it or nothing (it has no range), so the action does not
/// matter.
fn matches_pod(cluster: &Cluster, peer: &AddressPeer<'_>, endpoint: &Endpoint) -> bool {
    match peer {
        AddressPeer::IpBlock(cidr, except) => {
            crate::eval::ip_block_matches(cluster, cidr, except, endpoint)
        }
        AddressPeer::Cluster(peer) => {
            crate::cnp::eval::peer_matches(cluster, peer, endpoint, Action::Deny).is_ok()
        }
    }
}
