//! One side of a comparison with its evidence memoised: which policies isolate each
//! endpoint, and what each rule's peers and ports say about each endpoint, computed once
//! with the engine's own matching ([`crate::eval::peer_matches`],
//! [`crate::eval::rule_connections`]) and reused by every pair that asks.

use std::collections::HashMap;
use std::rc::Rc;

use super::cause::{PolicyChange, PolicyIndex, SideFacts};
use super::Snapshot;
use crate::endpoint::Endpoint;
use crate::eval::{peer_matches, rule_connections, RuleMiss};
use crate::model::{Cluster, Direction, Pod, Policy, PortRef, Rule};
use crate::ports::Connections;

pub(super) const DIRECTIONS: [Direction; 2] = [Direction::Egress, Direction::Ingress];

pub(super) fn slot(d: Direction) -> usize {
    match d {
        Direction::Egress => 0,
        Direction::Ingress => 1,
    }
}

/// Which side of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Version {
    Old,
    New,
}

/// Whose rules [`Side::evidence`] looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Policies {
    All,
    Changed,
}

/// One side with its memoised evidence.
pub(super) struct Side<'a> {
    version: Version,
    pub snapshot: Snapshot<'a>,
    /// Per policy: added/removed, edited or unchanged.
    changes: &'a [PolicyChange],
    /// Per ClusterNetworkPolicy: added/removed, edited or unchanged.
    cluster_changes: &'a [PolicyChange],
    /// Per common endpoint and direction: the policies isolating it.
    isolators: Vec<Option<Rc<[PolicyIndex]>>>,
    /// Per policy (changed ones only, on demand): per direction, per rule.
    rules: Vec<Option<[Vec<RuleMemo>; 2]>>,
    /// The policies of each namespace: a pod's isolators are among its namespace's only,
    /// and a snapshot has thousands of namespaces' policies to skip.
    by_namespace: HashMap<&'a str, Vec<PolicyIndex>>,
}

/// What one rule does towards each common endpoint, filled in as pairs ask.
struct RuleMemo {
    /// 0 not known yet, 1 no peer matches the endpoint, 2 a peer does.
    peers: Vec<u8>,
    /// What it allows: the same towards every receiver unless it names ports.
    ports: RulePorts,
}

enum RulePorts {
    Fixed(Rc<Connections>),
    PerReceiver(Vec<Option<Rc<Connections>>>),
}

impl<'a> Side<'a> {
    pub(super) fn new(
        version: Version,
        snapshot: Snapshot<'a>,
        changes: &'a [PolicyChange],
        cluster_changes: &'a [PolicyChange],
        common_len: usize,
    ) -> Side<'a> {
        let mut by_namespace: HashMap<&'a str, Vec<PolicyIndex>> = HashMap::new();
        for (i, p) in snapshot.cluster.policies.iter().enumerate() {
            by_namespace
                .entry(p.namespace.as_str())
                .or_default()
                .push(i);
        }
        Side {
            version,
            snapshot,
            by_namespace,
            cluster_changes,
            isolators: vec![None; common_len * 2],
            rules: (0..changes.len()).map(|_| None).collect(),
            changes,
        }
    }

    /// Common endpoint `c` as an endpoint of this side.
    pub(super) fn endpoint(&self, common: &[(usize, usize)], c: usize) -> Endpoint {
        common
            .get(c)
            .map(|&(o, n)| match self.version {
                Version::Old => o,
                Version::New => n,
            })
            .and_then(|i| self.snapshot.endpoints.get(i))
            .cloned()
            .unwrap_or(Endpoint::Pod(usize::MAX))
    }

    pub(super) fn change(&self, p: PolicyIndex) -> PolicyChange {
        self.changes
            .get(p)
            .copied()
            .unwrap_or(PolicyChange::Unchanged)
    }

    /// How ClusterNetworkPolicy `p` (an index into `Cluster::cluster_policies`) differs.
    pub(super) fn cluster_change(&self, p: usize) -> PolicyChange {
        self.cluster_changes
            .get(p)
            .copied()
            .unwrap_or(PolicyChange::Unchanged)
    }

    /// Policies isolating common endpoint `c` in direction `d` (the rule
    /// [`crate::explain`] applies), memoised.
    pub(super) fn isolators(
        &mut self,
        common: &[(usize, usize)],
        c: usize,
        d: Direction,
    ) -> Rc<[PolicyIndex]> {
        let at = c * 2 + slot(d);
        if let Some(Some(found)) = self.isolators.get(at) {
            return Rc::clone(found);
        }
        let cluster = self.snapshot.cluster;
        let found: Rc<[PolicyIndex]> = match self.endpoint(common, c) {
            Endpoint::Pod(i) => match cluster.pods.get(i) {
                Some(pod) => self
                    .by_namespace
                    .get(pod.namespace.as_str())
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .copied()
                    .filter(|&k| cluster.policies.get(k).is_some_and(|p| isolates(p, pod, d)))
                    .collect(),
                None => Rc::from([]),
            },
            Endpoint::External(_) => Rc::from([]),
        };
        if let Some(memo) = self.isolators.get_mut(at) {
            *memo = Some(Rc::clone(&found));
        }
        found
    }

    /// Evidence of one side from its explanation (the reference path).
    pub(super) fn explained_side(
        &self,
        side: &crate::chain::Side,
        d: Direction,
        receiver: &Endpoint,
    ) -> SideFacts {
        let cluster = self.snapshot.cluster;
        let peer_matched = side.allowed_by.iter().chain(
            side.candidates
                .iter()
                .filter(|c| matches!(c.miss, RuleMiss::Ports { .. }))
                .map(|c| &c.rule),
        );
        let matching = peer_matched
            .filter_map(|r| {
                let rule = cluster.policies.get(r.policy_index)?.rules(d).get(r.rule)?;
                let allows = rule_connections(cluster, rule, receiver);
                Some((r.policy_index, r.rule, Rc::new(allows)))
            })
            .collect();
        SideFacts {
            isolated_by: side.isolated_by.iter().map(|p| p.index).collect(),
            matching,
        }
    }

    /// Evidence of direction `d` of pair (`from`, `to`): every isolating policy, and the
    /// matching rules of all of them or of the changed ones only (the shortcut).
    pub(super) fn evidence(
        &mut self,
        common: &[(usize, usize)],
        d: Direction,
        from: usize,
        to: usize,
        policies: Policies,
    ) -> SideFacts {
        let (subject, other) = match d {
            Direction::Egress => (from, to),
            Direction::Ingress => (to, from),
        };
        let isolated_by = self.isolators(common, subject, d);
        let mut matching = Vec::new();
        for &p in isolated_by.iter() {
            if policies == Policies::Changed && self.change(p) == PolicyChange::Unchanged {
                continue;
            }
            let rules = self.rule_count(p, d);
            for r in 0..rules {
                if self.peers_match(common, p, d, r, other) {
                    if let Some(allows) = self.rule_ports(common, p, d, r, to) {
                        matching.push((p, r, allows));
                    }
                }
            }
        }
        SideFacts {
            isolated_by,
            matching,
        }
    }

    fn rule_count(&self, p: PolicyIndex, d: Direction) -> usize {
        self.snapshot
            .cluster
            .policies
            .get(p)
            .map_or(0, |policy| policy.rules(d).len())
    }

    /// The memo of rule `r` of policy `p`, created with the policy's on first use.
    fn memo(
        &mut self,
        common_len: usize,
        p: PolicyIndex,
        d: Direction,
        r: usize,
    ) -> Option<&mut RuleMemo> {
        let cluster = self.snapshot.cluster;
        let entry = self.rules.get_mut(p)?;
        if entry.is_none() {
            let policy = cluster.policies.get(p)?;
            *entry = Some(DIRECTIONS.map(|d| {
                policy
                    .rules(d)
                    .iter()
                    .map(|rule| RuleMemo::new(cluster, rule, common_len))
                    .collect()
            }));
        }
        entry.as_mut()?.get_mut(slot(d))?.get_mut(r)
    }

    /// Whether rule `r` of policy `p` has a peer matching common endpoint `other`; an
    /// empty peer list matches everything.
    fn peers_match(
        &mut self,
        common: &[(usize, usize)],
        p: PolicyIndex,
        d: Direction,
        r: usize,
        other: usize,
    ) -> bool {
        let known = self
            .memo(common.len(), p, d, r)
            .and_then(|m| m.peers.get(other).copied())
            .unwrap_or(0);
        if known != 0 {
            return known == 2;
        }
        let cluster = self.snapshot.cluster;
        let other_endpoint = self.endpoint(common, other);
        let matched = match cluster.policies.get(p) {
            Some(policy) => policy.rules(d).get(r).is_some_and(|rule| {
                rule.peers.is_empty()
                    || rule.peers.iter().any(|peer| {
                        peer_matches(cluster, &policy.namespace, peer, &other_endpoint).is_ok()
                    })
            }),
            None => false,
        };
        if let Some(slot) = self
            .memo(common.len(), p, d, r)
            .and_then(|m| m.peers.get_mut(other))
        {
            *slot = if matched { 2 } else { 1 };
        }
        matched
    }

    /// What rule `r` of policy `p` allows towards common endpoint `receiver`.
    fn rule_ports(
        &mut self,
        common: &[(usize, usize)],
        p: PolicyIndex,
        d: Direction,
        r: usize,
        receiver: usize,
    ) -> Option<Rc<Connections>> {
        let cluster = self.snapshot.cluster;
        let receiver_endpoint = self.endpoint(common, receiver);
        let rule = cluster.policies.get(p)?.rules(d).get(r)?;
        match &mut self.memo(common.len(), p, d, r)?.ports {
            RulePorts::Fixed(c) => Some(Rc::clone(c)),
            RulePorts::PerReceiver(memo) => {
                let at = memo.get_mut(receiver)?;
                let allows = at.get_or_insert_with(|| {
                    Rc::new(rule_connections(cluster, rule, &receiver_endpoint))
                });
                Some(Rc::clone(allows))
            }
        }
    }
}

impl RuleMemo {
    fn new(cluster: &Cluster, rule: &Rule, common_len: usize) -> RuleMemo {
        let named = rule
            .ports
            .iter()
            .any(|p| matches!(p.port, Some(PortRef::Name(_))));
        let ports = if named {
            RulePorts::PerReceiver(vec![None; common_len])
        } else {
            // Without named ports the receiver does not matter; an address stands in.
            let anywhere = Endpoint::External(crate::cidr::Cidr {
                addr: std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
                prefix: 0,
            });
            RulePorts::Fixed(Rc::new(rule_connections(cluster, rule, &anywhere)))
        };
        RuleMemo {
            peers: vec![0; common_len],
            ports,
        }
    }
}

/// Whether `policy` isolates `pod` in `d` (the rule [`crate::explain`] applies).
pub(super) fn isolates(policy: &Policy, pod: &Pod, d: Direction) -> bool {
    policy.namespace == pod.namespace
        && policy.isolates(d)
        && policy.pod_selector.matches(&pod.labels)
}
