//! The many-pair queries when Cilium policies are loaded. Rather than a second, bit-set
//! evaluator that could drift from the chain, `matrix` then asks the chain itself for every
//! pair (`crate::chain::explain_indexed`), and `connectivity` for every side that a Cilium
//! rule selects or where the peer is the pod's own node ([`PerPair::matters`]): correct,
//! and slower.
//! For the exact port sets of `connectivity`, the port space of each protocol is cut where
//! any policy's port, range or named port (every container port) begins or ends; inside
//! one piece no rule can tell two ports apart, so one probe per piece gives the whole set.
//! A property test holds this path to the per-pair chain.

use std::collections::BTreeSet;

use super::model::{PortMatch, Ports};
use crate::chain::explain_indexed;
use crate::cnp::CnpPort;
use crate::endpoint::Endpoint;
use crate::eval::PoliciesByNamespace;
use crate::model::{Cluster, PortRef};
use crate::ports::{Connections, PortRanges, Protocol, MAX_PORT, MIN_PORT};
use crate::traffic::Traffic;

/// The chain for many pairs of one cluster.
pub struct PerPair<'c> {
    cluster: &'c Cluster,
    index: PoliciesByNamespace,
    /// Per protocol (TCP, UDP, SCTP): the first port of every piece, ascending.
    starts: [Vec<u16>; 3],
}

impl<'c> PerPair<'c> {
    /// Cuts the port space for `cluster`'s policies.
    pub fn new(cluster: &'c Cluster) -> PerPair<'c> {
        let mut cuts: [BTreeSet<u16>; 3] = Default::default();
        let mut cut = |protocol: Option<Protocol>, lo: u16, hi: u16| {
            for p in Protocol::ALL {
                if protocol.is_none_or(|want| want == p) {
                    if let Some(set) = cuts.get_mut(index(p)) {
                        set.insert(lo.max(MIN_PORT));
                        if let Some(next) = hi.checked_add(1) {
                            set.insert(next);
                        }
                    }
                }
            }
        };
        // Named ports resolve to container ports: cutting at each container port a rule
        // names is enough for them (cutting at every one multiplied the pieces, and every
        // piece is one explanation per pair).
        let named = named_ports(cluster);
        for pod in &cluster.pods {
            for cp in &pod.ports {
                let name = cp.name.as_deref().map(str::to_lowercase);
                if name.is_some_and(|n| named.contains(&n)) {
                    cut(Some(cp.protocol), cp.port, cp.port);
                }
            }
        }
        for policy in &cluster.policies {
            for rule in policy.ingress.iter().chain(&policy.egress) {
                for p in &rule.ports {
                    if let Some(PortRef::Number(n)) = p.port {
                        cut(Some(p.protocol), n, p.end_port.unwrap_or(n));
                    }
                }
            }
        }
        for policy in &cluster.cluster_policies {
            for rule in policy.ingress.iter().chain(&policy.egress) {
                for p in &rule.ports {
                    if let CnpPort::Ports {
                        protocol,
                        start,
                        end,
                    } = p
                    {
                        cut(Some(*protocol), *start, *end);
                    }
                }
            }
        }
        for policy in &cluster.cilium.policies {
            for rule in &policy.rules {
                for entry in rule.ingress.iter().chain(&rule.egress) {
                    if let Ports::List(specs) = &entry.ports {
                        for s in specs {
                            if let PortMatch::Range(lo, hi) = s.port {
                                cut(s.protocol, lo, hi);
                            }
                        }
                    }
                }
            }
        }
        let starts = cuts.map(|mut set| {
            set.insert(MIN_PORT);
            set.into_iter().collect()
        });
        PerPair {
            cluster,
            index: PoliciesByNamespace::new(cluster),
            starts,
        }
    }

    /// What the sender's egress and the receiver's ingress each allow from `from` to
    /// `to`, after the whole chain (loopback is the caller's).
    pub fn sides(&self, from: &Endpoint, to: &Endpoint) -> (Connections, Connections) {
        let mut egress = Connections::none();
        let mut ingress = Connections::none();
        for protocol in Protocol::ALL {
            let Some(starts) = self.starts.get(index(protocol)) else {
                continue;
            };
            for (k, &lo) in starts.iter().enumerate() {
                let hi = starts
                    .get(k + 1)
                    .map_or(MAX_PORT, |next| next.saturating_sub(1));
                let traffic = Traffic {
                    from: from.clone(),
                    to: to.clone(),
                    port: lo,
                    protocol,
                };
                let e = explain_indexed(self.cluster, &self.index, &traffic);
                let piece = Connections::of(protocol, PortRanges::range(lo, hi));
                if e.egress.allows() {
                    egress = egress.union(&piece);
                }
                if e.ingress.allows() {
                    ingress = ingress.union(&piece);
                }
            }
        }
        (egress, ingress)
    }

    /// Whether the Cilium policies can change `direction` of the pair (`from`, `to`):
    /// where they cannot, the NetworkPolicy-and-tiers answer without them is exact.
    pub fn matters(
        &self,
        direction: crate::model::Direction,
        from: &Endpoint,
        to: &Endpoint,
    ) -> bool {
        let (subject, other) = match direction {
            crate::model::Direction::Egress => (from, to),
            crate::model::Direction::Ingress => (to, from),
        };
        subject
            .pod(self.cluster)
            .is_some_and(|pod| super::eval::matters(self.cluster, direction, pod, other))
    }

    /// The verdict for one probe (loopback included).
    pub fn verdict(&self, from: &Endpoint, to: &Endpoint, port: u16, protocol: Protocol) -> bool {
        let traffic = Traffic {
            from: from.clone(),
            to: to.clone(),
            port,
            protocol,
        };
        explain_indexed(self.cluster, &self.index, &traffic).allowed
    }
}

/// Every port name a rule of any kind names, lower-cased (Cilium compares names so).
fn named_ports(cluster: &Cluster) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for policy in &cluster.policies {
        for rule in policy.ingress.iter().chain(&policy.egress) {
            for p in &rule.ports {
                if let Some(PortRef::Name(n)) = &p.port {
                    out.insert(n.to_lowercase());
                }
            }
        }
    }
    for policy in &cluster.cluster_policies {
        for rule in policy.ingress.iter().chain(&policy.egress) {
            for p in &rule.ports {
                if let CnpPort::Named(n) = p {
                    out.insert(n.to_lowercase());
                }
            }
        }
    }
    for policy in &cluster.cilium.policies {
        for rule in &policy.rules {
            for entry in rule.ingress.iter().chain(&rule.egress) {
                if let Ports::List(specs) = &entry.ports {
                    for s in specs {
                        if let PortMatch::Named(n) = &s.port {
                            out.insert(n.to_lowercase());
                        }
                    }
                }
            }
        }
    }
    out
}

fn index(p: Protocol) -> usize {
    match p {
        Protocol::Tcp => 0,
        Protocol::Udp => 1,
        Protocol::Sctp => 2,
    }
}
