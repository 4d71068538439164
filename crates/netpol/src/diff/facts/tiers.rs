//! Causes for pairs a ClusterNetworkPolicy reaches: the whole chain (Admin tier,
//! NetworkPolicies, Baseline tier, default) on both sides, compared stage by stage.
//!
//! A change is a set of ports, and different ports of it can have different causes (an
//! Admin rule for TCP 80 only, a NetworkPolicy for the rest). The ports are cut into
//! stretches at every boundary of every rule that could apply (NetworkPolicy rules of the
//! policies isolating either end, every ClusterNetworkPolicy rule of the direction, with
//! named ports resolved on the receiver) and of the change itself; inside a stretch every
//! rule matches all ports or none, so the chain decides the same way on each of them, and
//! explaining the first port of each stretch gives every cause exactly.
//!
//! Per direction that made the difference at a port (for a port that opened, a direction
//! that blocked it before; for one that closed, a direction that blocks it now), the causes
//! are:
//! - when the Admin tier decides on either side: its first matching rule before and after
//!   (Accept, Deny, or the Pass that let the NetworkPolicies decide), and what decided on a
//!   side the Admin tier passed on;
//! - else when NetworkPolicies isolate the pod on both sides: their rules, as without tiers;
//! - else when they isolate it on one side only: those policies, which take the pod out of
//!   the Baseline tier's reach or put it back, and the Baseline rule that decides there;
//! - else the Baseline tier's first matching rule before and after.
//!
//! A rule or policy that is the same on both sides and whose pair did not change is left
//! out when something that did change is listed (an unchanged Admin Accept that decides now
//! only because a higher Deny was removed is not a cause; the removal is). An unchanged
//! rule counts as changed when it matches the pair at the port on one side only because an
//! end changed (labels, ports, IPs) or a Node did: a `nodes` peer covers an address through
//! the Nodes it selects, so a Node relabelled, added, removed or re-addressed moves the
//! address in or out, and the cause names those Nodes with their state on each side. If
//! nothing that changed is found, the deciding rules are listed anyway: every change gets a
//! cause.

use std::collections::BTreeSet;
use std::rc::Rc;

use super::super::cause::{Effect, Namer, PolicyIndex};
use super::super::side::{slot, Policies, Version, DIRECTIONS};
use super::{Facts, Naming};
use std::collections::HashMap;

use crate::chain::Stage;
use crate::cnp::eval::{node_counts_for, peer_matches, selects, tier_policies};
use crate::cnp::{self, Action, CnpRule, Tier};
use crate::diff::{Cause, CauseKind, NodeChange, NodeState, PolicyChange};
use crate::endpoint::Endpoint;
use crate::model::{Direction, Node};
use crate::ports::{Connections, Protocol, MAX_PORT};

/// A possible cause: a policy of one side (NetworkPolicy or ClusterNetworkPolicy, as the
/// effect says), and whether it counts only if something about it changed.
type Factor = (PolicyIndex, Effect, bool);

/// What the tiers say about the common endpoints, memoised across pairs: a
/// ClusterNetworkPolicy rule's peers match the same endpoints for every pair, and a tier's
/// policies for a pod are the same whatever the other end.
#[derive(Default)]
pub(super) struct TierMemo {
    /// (side, tier, direction, subject): the tier's policies selecting it, in order.
    policies: HashMap<(Version, Tier, usize, usize), Rc<[PolicyIndex]>>,
    /// (side, policy, direction, rule, other end): whether a peer matches.
    peers: HashMap<(Version, PolicyIndex, usize, usize, usize), bool>,
    /// (side, policy, direction, rule, receiver): the connections the rule covers.
    ports: HashMap<(Version, PolicyIndex, usize, usize, usize), Rc<Connections>>,
}

/// The chain of one direction at one port, as [`crate::chain::Side`] has it, with the
/// NetworkPolicy stage taken from the memoised evidence (an explanation looks at every
/// policy of the cluster, for every pair) and without the texts.
struct Chain {
    decided_by: Stage,
    allowed: bool,
    /// The Admin tier's first matching rule: (policy, rule).
    admin: Option<(PolicyIndex, usize)>,
    /// NetworkPolicies isolating the pod.
    isolated_by: Rc<[PolicyIndex]>,
    /// Their rules that allow the connection: (policy, rule).
    allowed_by: Vec<(PolicyIndex, usize)>,
    /// The Baseline tier's first matching rule, when it was reached.
    baseline: Option<(PolicyIndex, usize)>,
}

impl<'a> Facts<'a> {
    /// Per common endpoint: whether a ClusterNetworkPolicy of either side selects it for
    /// egress / for ingress.
    pub(super) fn mark_tiered(&self) -> Vec<[bool; 2]> {
        let mut tiered = vec![[false; 2]; self.common.len()];
        for v in [Version::Old, Version::New] {
            let cluster = self.cluster(v);
            if cluster.cluster_policies.is_empty() {
                continue;
            }
            for (c, flags) in tiered.iter_mut().enumerate() {
                let Endpoint::Pod(i) = self.endpoint(v, c) else {
                    continue;
                };
                let Some(pod) = cluster.pods.get(i) else {
                    continue;
                };
                for policy in &cluster.cluster_policies {
                    if !selects(cluster, policy, pod) {
                        continue;
                    }
                    for d in DIRECTIONS {
                        if let (false, Some(flag)) =
                            (policy.rules(d).is_empty(), flags.get_mut(slot(d)))
                        {
                            *flag = true;
                        }
                    }
                }
            }
        }
        tiered
    }

    /// The causes of pair (`from`, `to`) from the chains of tiers on both sides.
    pub(super) fn tier_causes(
        &mut self,
        from: usize,
        to: usize,
        opened: &Connections,
        closed: &Connections,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        for (port, protocol) in self.probe_ports(from, to, opened, closed) {
            let was_opened = opened.allows(port, protocol);
            let was_closed = closed.allows(port, protocol);
            for d in DIRECTIONS {
                let at = (from, to, port, protocol);
                let old = self.chain(Version::Old, d, at);
                if was_opened && old.allowed {
                    continue;
                }
                let new = self.chain(Version::New, d, at);
                if (was_opened && !old.allowed) || (was_closed && !new.allowed) {
                    let mut namer = self.namer(d, from, to);
                    namer.direction_causes(&old, &new, (port, protocol), &mut out);
                }
            }
        }
        out
    }

    /// The chain of direction `d` of pair (`from`, `to`) at `port` on side `v`: the
    /// decisions [`crate::chain`] takes, stage by stage.
    fn chain(
        &mut self,
        v: Version,
        d: Direction,
        (from, to, port, protocol): (usize, usize, u16, Protocol),
    ) -> Chain {
        let common = self.common;
        let facts = self.side(v).evidence(common, d, from, to, Policies::All);
        let allowed_by: Vec<(PolicyIndex, usize)> = facts
            .matching
            .iter()
            .filter(|(_, _, allows)| allows.allows(port, protocol))
            .map(|(p, r, _)| (*p, *r))
            .collect();
        let mut chain = Chain {
            decided_by: Stage::Default,
            allowed: true,
            admin: None,
            isolated_by: facts.isolated_by,
            allowed_by,
            baseline: None,
        };
        let cluster = self.cluster(v);
        let (subject, other) = match d {
            Direction::Egress => (from, to),
            Direction::Ingress => (to, from),
        };
        let is_pod = match self.endpoint(v, subject) {
            Endpoint::Pod(i) => cluster.pods.get(i).is_some(),
            Endpoint::External(_) => false,
        };
        if !is_pod {
            chain.decided_by = Stage::Outside;
            return chain;
        }
        let np = (!chain.isolated_by.is_empty()).then_some(!chain.allowed_by.is_empty());
        if cluster.cluster_policies.is_empty() {
            (chain.decided_by, chain.allowed) = crate::chain::decide(None, || np, || None);
            return chain;
        }
        let first_match = |facts: &mut Facts<'_>, tier| {
            facts.first_match(v, tier, d, (subject, other, to), (port, protocol))
        };
        let admin = first_match(self, Tier::Admin);
        chain.admin = admin.as_ref().map(|(at, _)| *at);
        let mut baseline_at = None;
        let admin = admin.map(|(_, action)| action);
        (chain.decided_by, chain.allowed) = crate::chain::decide(
            admin,
            || np,
            || {
                let baseline = first_match(self, Tier::Baseline);
                baseline_at = baseline.as_ref().map(|(at, _)| *at);
                baseline.map(|(_, action)| action)
            },
        );
        chain.baseline = baseline_at;
        chain
    }

    /// The first rule of `tier` that matches at `port` for pair (`subject`, `other`) in
    /// direction `d` (`to` is the receiver), with its action: what
    /// [`crate::cnp::eval::evaluate_tier`] finds, from memoised peers and ports.
    fn first_match(
        &mut self,
        v: Version,
        tier: Tier,
        d: Direction,
        (subject, other, to): (usize, usize, usize),
        (port, protocol): (u16, Protocol),
    ) -> Option<((PolicyIndex, usize), Action)> {
        let cluster = self.cluster(v);
        for &p in self.tier_policies(v, tier, d, subject).iter() {
            let Some(policy) = cluster.cluster_policies.get(p) else {
                continue;
            };
            for (r, rule) in policy.rules(d).iter().enumerate() {
                let covers = self.tier_rule(v, (p, r), d, other, to);
                if covers.is_some_and(|c| c.allows(port, protocol)) {
                    return Some(((p, r), rule.action));
                }
            }
        }
        None
    }

    /// What rule `r` of ClusterNetworkPolicy `p` covers towards receiver `to` when a peer
    /// matches `other`; `None` when none does.
    fn tier_rule(
        &mut self,
        v: Version,
        (p, r): (PolicyIndex, usize),
        d: Direction,
        other: usize,
        to: usize,
    ) -> Option<Rc<Connections>> {
        let cluster = self.cluster(v);
        let rule = cluster.cluster_policies.get(p)?.rules(d).get(r)?;
        let key = (v, p, slot(d), r, other);
        let peers = match self.tier_memo.peers.get(&key) {
            Some(&m) => m,
            None => {
                let end = self.endpoint(v, other);
                let m = rule
                    .peers
                    .iter()
                    .any(|peer| peer_matches(cluster, peer, &end, rule.action).is_ok());
                self.tier_memo.peers.insert(key, m);
                m
            }
        };
        if !peers {
            return None;
        }
        let key = (v, p, slot(d), r, to);
        if let Some(found) = self.tier_memo.ports.get(&key) {
            return Some(Rc::clone(found));
        }
        let receiver = self.endpoint(v, to);
        let covers = Rc::new(cnp::eval::rule_connections(cluster, rule, &receiver));
        self.tier_memo.ports.insert(key, Rc::clone(&covers));
        Some(covers)
    }

    /// The policies of `tier` selecting common endpoint `subject` for `d`, in order.
    fn tier_policies(
        &mut self,
        v: Version,
        tier: Tier,
        d: Direction,
        subject: usize,
    ) -> Rc<[PolicyIndex]> {
        let key = (v, tier, slot(d), subject);
        if let Some(found) = self.tier_memo.policies.get(&key) {
            return Rc::clone(found);
        }
        let cluster = self.cluster(v);
        let found: Rc<[PolicyIndex]> = match self.endpoint(v, subject) {
            Endpoint::Pod(i) => cluster.pods.get(i).map_or_else(
                || Rc::from([]),
                |pod| {
                    tier_policies(cluster, tier, d, pod)
                        .into_iter()
                        .map(|p| p.index)
                        .collect()
                },
            ),
            Endpoint::External(_) => Rc::from([]),
        };
        self.tier_memo.policies.insert(key, Rc::clone(&found));
        found
    }

    /// The first port of every stretch of the change where all rules that could apply
    /// agree (see the module comment).
    fn probe_ports(
        &mut self,
        from: usize,
        to: usize,
        opened: &Connections,
        closed: &Connections,
    ) -> Vec<(u16, Protocol)> {
        let changed = opened.union(closed);
        let mut cuts: [BTreeSet<u16>; 3] = Default::default();
        let common = self.common;
        // Only rules whose peers match the other end can match at any port.
        for v in [Version::Old, Version::New] {
            for d in DIRECTIONS {
                let (subject, other) = match d {
                    Direction::Egress => (from, to),
                    Direction::Ingress => (to, from),
                };
                let evidence = self.side(v).evidence(common, d, from, to, Policies::All);
                for (_, _, allows) in &evidence.matching {
                    add_cuts(&mut cuts, allows);
                }
                for tier in [Tier::Admin, Tier::Baseline] {
                    for &p in self.tier_policies(v, tier, d, subject).iter() {
                        let rules = self
                            .cluster(v)
                            .cluster_policies
                            .get(p)
                            .map_or(0, |policy| policy.rules(d).len());
                        for r in 0..rules {
                            if let Some(covers) = self.tier_rule(v, (p, r), d, other, to) {
                                add_cuts(&mut cuts, &covers);
                            }
                        }
                    }
                }
            }
        }
        let mut ports = Vec::new();
        for (protocol, cuts) in Protocol::ALL.into_iter().zip(&cuts) {
            for &(lo, hi) in changed.ports(protocol).ranges() {
                ports.push((lo, protocol));
                if lo < hi {
                    ports.extend(cuts.range(lo + 1..=hi).map(|&cut| (cut, protocol)));
                }
            }
        }
        ports
    }

    /// Spells out the cause of a ClusterNetworkPolicy rule found for the first time.
    pub(super) fn spell_tier(&mut self, key: super::CauseKey, v: Version) -> Option<Cause> {
        let cluster = self.cluster(v);
        let policy = cluster.cluster_policies.get(key.policy)?;
        let index = match key.effect {
            Effect::TierDecides(r) | Effect::TierNoLongerDecides(r) => r,
            _ => return None,
        };
        let rule = policy.rules(key.direction).get(index)?;
        let tier_rule = crate::diff::cause::TierRule {
            tier: policy.tier,
            priority: policy.priority,
            rule: index,
            name: rule.name.clone(),
            action: rule.action,
        };
        let kind = match key.effect {
            Effect::TierDecides(_) => CauseKind::Decides(tier_rule),
            _ => CauseKind::NoLongerDecides(tier_rule),
        };
        let change = self.side(v).cluster_change(key.policy);
        let node_changes = match (change, key.other) {
            (PolicyChange::Unchanged, Some(other)) => self.rule_node_changes(rule, other),
            _ => Vec::new(),
        };
        Some(Cause {
            direction: key.direction,
            policy: policy.name.clone(),
            change,
            kind,
            pod: self.endpoint(v, key.subject).id(cluster),
            endpoint_changes: self.endpoint_notes(change, &key),
            node_changes,
        })
    }

    /// The Nodes that make a `nodes` peer of `rule` (a rule both sides have) match common
    /// endpoint `other` on one side only.
    fn rule_node_changes(&self, rule: &CnpRule, other: usize) -> Vec<NodeChange> {
        let (old_end, new_end) = (
            self.endpoint(Version::Old, other),
            self.endpoint(Version::New, other),
        );
        let counts = |v: Version, node: Option<&Node>, end: &Endpoint| {
            node.is_some_and(|n| {
                rule.peers
                    .iter()
                    .any(|peer| node_counts_for(self.cluster(v), n, peer, end, rule.action))
            })
        };
        self.nodes
            .iter()
            .filter(|(before, after)| {
                counts(Version::Old, *before, &old_end) != counts(Version::New, *after, &new_end)
            })
            .filter_map(|(before, after)| {
                let state = |n: &Node| NodeState {
                    labels: n.labels.clone(),
                    addresses: n.addresses.clone(),
                };
                Some(NodeChange {
                    name: before.or(*after)?.name.clone(),
                    before: before.map(state),
                    after: after.map(state),
                })
            })
            .collect()
    }
}

/// Records where each range of `allows` starts and where it stops.
fn add_cuts(cuts: &mut [BTreeSet<u16>; 3], allows: &Connections) {
    for (protocol, cuts) in Protocol::ALL.into_iter().zip(cuts.iter_mut()) {
        for &(lo, hi) in allows.ports(protocol).ranges() {
            cuts.insert(lo);
            if hi < MAX_PORT {
                cuts.insert(hi + 1);
            }
        }
    }
}

impl Naming<'_, '_> {
    /// The causes of one direction that decides differently at one port (see the module
    /// comment), from its chain before (`old`) and after (`new`).
    fn direction_causes(
        &mut self,
        old: &Chain,
        new: &Chain,
        at: (u16, Protocol),
        out: &mut Vec<usize>,
    ) {
        let factors = chain_factors(old, new);
        let mut found = Vec::new();
        for &(policy, effect, needs_change) in &factors {
            if !needs_change || self.changed(policy, effect, at) {
                found.extend(self.cause(policy, effect));
            }
        }
        if found.is_empty() {
            for &(policy, effect, _) in &factors {
                found.extend(self.cause(policy, effect));
            }
        }
        out.extend(found);
    }

    /// Whether the policy of `effect` was added, removed or edited, or either end of the
    /// pair changed so that its rule matches on one side only (an unchanged rule that
    /// matches on both sides did not change its mind: something before it did).
    fn changed(&mut self, policy: PolicyIndex, effect: Effect, at: (u16, Protocol)) -> bool {
        let v = if effect.of_new_side() {
            Version::New
        } else {
            Version::Old
        };
        let side = self.facts.side(v);
        let change = if effect.of_cluster_policy() {
            side.cluster_change(policy)
        } else {
            side.change(policy)
        };
        let moved = |c: usize| {
            self.facts
                .endpoint_changes
                .get(c)
                .is_some_and(|n| !n.is_empty())
        };
        if change != PolicyChange::Unchanged {
            return true;
        }
        let moved = moved(self.subject) || moved(self.other);
        match effect {
            // A Node that changed moves an address in or out of a `nodes` peer.
            Effect::TierDecides(rule) | Effect::TierNoLongerDecides(rule) => {
                (moved || !self.facts.nodes.is_empty())
                    && !self.matches_on_the_other_side(v, policy, rule, at)
            }
            _ => moved,
        }
    }

    /// Whether rule `rule` of ClusterNetworkPolicy `policy` of side `v` (unchanged, so the
    /// other side has it too, by name) matches this pair at `at` on the other side.
    fn matches_on_the_other_side(
        &mut self,
        v: Version,
        policy: PolicyIndex,
        rule: usize,
        (port, protocol): (u16, Protocol),
    ) -> bool {
        let there = match v {
            Version::Old => Version::New,
            Version::New => Version::Old,
        };
        let Some(mine) = self.facts.cluster(v).cluster_policies.get(policy) else {
            return false;
        };
        let theirs = self.facts.cluster(there).cluster_policies.iter();
        let Some(p) = theirs.into_iter().position(|q| q.name == mine.name) else {
            return false;
        };
        let d = self.direction;
        let (subject, other, to) = (self.subject, self.other, self.to);
        self.facts
            .tier_policies(there, mine.tier, d, subject)
            .contains(&p)
            && self
                .facts
                .tier_rule(there, (p, rule), d, other, to)
                .is_some_and(|c| c.allows(port, protocol))
    }
}

/// The possible causes of one direction deciding differently before (`old`) and after
/// (`new`), stage by stage.
fn chain_factors(old: &Chain, new: &Chain) -> Vec<Factor> {
    let mut factors = Vec::new();
    if old.decided_by == Stage::Admin || new.decided_by == Stage::Admin {
        if let Some((p, r)) = old.admin {
            factors.push((p, Effect::TierNoLongerDecides(r), true));
        }
        if let Some((p, r)) = new.admin {
            factors.push((p, Effect::TierDecides(r), true));
        }
        if old.decided_by != Stage::Admin {
            factors.extend(after_admin(old, Version::Old));
        }
        if new.decided_by != Stage::Admin {
            factors.extend(after_admin(new, Version::New));
        }
        return factors;
    }
    let np = |s: &Chain| s.decided_by == Stage::NetworkPolicy;
    let baseline_rule = |s: &Chain, v: Version| {
        s.baseline
            .filter(|_| s.decided_by == Stage::Baseline)
            .map(|(p, r)| (p, tier_effect(v, r), true))
    };
    match (np(old), np(new)) {
        (true, true) if new.allowed => factors.extend(
            new.allowed_by
                .iter()
                .map(|&(p, r)| (p, Effect::Allows(r), false)),
        ),
        (true, true) => factors.extend(
            old.allowed_by
                .iter()
                .map(|&(p, r)| (p, Effect::NoLongerAllows(r), false)),
        ),
        (true, false) => {
            let effect = if new.decided_by == Stage::Baseline {
                Effect::NoLongerIsolatesOverBaseline
            } else {
                Effect::NoLongerIsolates
            };
            factors.extend(old.isolated_by.iter().map(|&p| (p, effect, false)));
            factors.extend(baseline_rule(new, Version::New));
        }
        (false, true) => {
            let effect = if old.decided_by == Stage::Baseline {
                Effect::IsolatesOverBaseline
            } else {
                Effect::Isolates
            };
            factors.extend(new.isolated_by.iter().map(|&p| (p, effect, false)));
            factors.extend(baseline_rule(old, Version::Old));
        }
        (false, false) => {
            // A Baseline Pass and no match both leave it to the default.
            let matched =
                |s: &Chain, v: Version| s.baseline.map(|(p, r)| (p, tier_effect(v, r), true));
            factors.extend(matched(old, Version::Old));
            factors.extend(matched(new, Version::New));
        }
    }
    factors
}

/// What decided on a side where the Admin tier did not (the other side's Admin rule did).
fn after_admin(s: &Chain, v: Version) -> Vec<Factor> {
    let new = v == Version::New;
    match s.decided_by {
        Stage::NetworkPolicy if s.allowed => s
            .allowed_by
            .iter()
            .map(|&(p, r)| {
                let effect = if new {
                    Effect::Allows(r)
                } else {
                    Effect::NoLongerAllows(r)
                };
                (p, effect, true)
            })
            .collect(),
        Stage::NetworkPolicy => {
            let effect = if new {
                Effect::Isolates
            } else {
                Effect::NoLongerIsolates
            };
            s.isolated_by.iter().map(|&p| (p, effect, true)).collect()
        }
        Stage::Baseline => s
            .baseline
            .iter()
            .map(|&(p, r)| (p, tier_effect(v, r), true))
            .collect(),
        _ => Vec::new(),
    }
}

fn tier_effect(v: Version, rule: usize) -> Effect {
    match v {
        Version::New => Effect::TierDecides(rule),
        Version::Old => Effect::TierNoLongerDecides(rule),
    }
}
