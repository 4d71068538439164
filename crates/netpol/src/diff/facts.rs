//! The evidence behind a pair's causes, before and after, and how policies and endpoints
//! differ between the two sides.
//!
//! The reference is the engine's explanation: [`crate::explain`] on both sides gives, per
//! direction, the isolating policies and, for every rule of theirs, whether its peers match
//! the other end (allowed, or missed only on ports). That costs two explanations per
//! changed pair, too slow when a change closes a namespace to thousands of pairs, so the
//! common case takes a shortcut with the same result: when neither end's labels, ports or
//! addresses changed, a policy that is the same on both sides does the same on both
//! sides, so only the changed policies can be causes; and when changed policies select
//! only one end (the sender for egress or the receiver for ingress), only that side can
//! have changed. The evidence of that side is then computed for the changed policies
//! alone, from the engine's own peer and port matching ([`crate::eval::peer_matches`],
//! [`crate::eval::rule_connections`]), memoised per rule and endpoint. Anything else (an
//! endpoint that changed, changed policies on both ends) gets the full evidence of both
//! directions from the same memoised matching. The property tests hold both to the causes
//! the explanations give, and check that every change has a cause.
//!
//! A pair where a ClusterNetworkPolicy (on either side) selects the sender for egress or
//! the receiver for ingress takes neither path: its causes come from the whole chain of
//! tiers, explained at one port of each stretch where every rule involved agrees (see
//! `tiers.rs`). Without ClusterNetworkPolicies no pair goes there. Nodes matter there
//! only: a `nodes` peer matches an address through them, so a Node relabelled, added,
//! removed or re-addressed is what changed for such a rule, and its cause names the Node.

mod tiers;

use std::collections::HashMap;
use std::rc::Rc;

use super::cause::{
    side_causes, Cause, CauseKind, Effect, Namer, PolicyChange, PolicyIndex, SideFacts,
};
use super::changes::{pod_changes, Differences};
use super::side::{isolates, slot, Policies, Side, Version, DIRECTIONS};
use super::Snapshot;
use crate::chain::explain;
use crate::endpoint::Endpoint;
use crate::eval::{self, peer_matches, rule_connections, RuleMiss, Traffic};
use crate::model::{Cluster, Direction, Node, Pod, Policy, Rule};
use crate::ports::{Connections, Protocol};

/// A cause before it is spelled out: enough to tell two causes apart cheaply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct CauseKey {
    direction: Direction,
    policy: PolicyIndex,
    effect: Effect,
    subject: usize,
    /// The other end, when the text depends on it (what an unchanged policy's endpoints
    /// changed, what an old rule says about the other end now).
    other: Option<usize>,
}

/// Everything the causes of many pairs share, computed once or memoised, and the causes
/// found so far (each kept once; pairs refer to them by index).
pub(super) struct Facts<'a> {
    old: Side<'a>,
    new: Side<'a>,
    /// Endpoints on both sides: (position in old, position in new).
    common: &'a [(usize, usize)],
    /// False to take every cause from explanations (the reference path).
    shortcut: bool,
    /// New policy index by `namespace/name`.
    new_by_id: &'a crate::fasthash::FastMap<super::changes::PolicyId<'a>, PolicyIndex>,
    /// Per common endpoint: what about it changed (`labels of x/a`), empty when nothing.
    endpoint_changes: Vec<Vec<String>>,
    /// Per common endpoint: a changed policy isolates it for egress / for ingress.
    touched: Vec<[bool; 2]>,
    /// The Nodes that differ between the sides: (old, new), `None` where absent.
    nodes: &'a [(Option<&'a Node>, Option<&'a Node>)],
    /// Per common endpoint: a ClusterNetworkPolicy of either side selects it for egress /
    /// for ingress.
    tiered: Vec<[bool; 2]>,
    tier_memo: tiers::TierMemo,
    keys: crate::fasthash::FastMap<CauseKey, usize>,
    causes: Vec<Cause>,
    /// Both sides' evidence by direction, joint classes of sender and receiver, and which
    /// policies: pairs of the same joint classes get the same (see [`EvidenceKey`]).
    evidence: crate::fasthash::FastMap<EvidenceKey, Rc<(SideFacts, SideFacts)>>,
}

/// Isolation, peer matching and named ports, all that evidence reads of the two ends, are
/// the same for every member of a class on each side, so both sides' evidence is the same
/// for every pair of the same two joint classes. Replicas are neighbours in a snapshot's
/// order, so a bounded memo (cleared when full) keeps what the next senders ask for.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct EvidenceKey {
    direction: Direction,
    from_class: usize,
    to_class: usize,
    changed_only: bool,
}

/// Entries the evidence memo holds before it starts again (a few MB).
const EVIDENCE_KEPT: usize = 1 << 15;

impl<'a> Facts<'a> {
    pub fn new(
        old: Snapshot<'a>,
        new: Snapshot<'a>,
        common: &'a [(usize, usize)],
        differences: &'a Differences<'a>,
        shortcut: bool,
    ) -> Facts<'a> {
        let d = differences;
        let mut facts = Facts {
            old: Side::new(Version::Old, old, &d.old, &d.old_cluster, common.len()),
            new: Side::new(Version::New, new, &d.new, &d.new_cluster, common.len()),
            common,
            shortcut,
            new_by_id: &d.new_by_id,
            endpoint_changes: Vec::new(),
            touched: vec![[false; 2]; common.len()],
            nodes: &d.nodes,
            tiered: Vec::new(),
            tier_memo: tiers::TierMemo::default(),
            keys: crate::fasthash::FastMap::default(),
            causes: Vec::new(),
            evidence: crate::fasthash::FastMap::default(),
        };
        facts.endpoint_changes = facts.classify_endpoints();
        facts.mark_touched();
        facts.tiered = facts.mark_tiered();
        facts
    }

    /// Every cause found, by the index pairs refer to.
    pub fn into_causes(self) -> Vec<Cause> {
        self.causes
    }

    /// The cause at index `i` (see [`Facts::causes`]).
    pub fn cause(&self, i: usize) -> Option<&Cause> {
        self.causes.get(i)
    }

    /// The causes of the change of pair (`from`, `to`) (positions in `common`), sorted.
    pub fn causes(
        &mut self,
        (from, to): (usize, usize),
        classes: (usize, usize),
        opened: &Connections,
        closed: &Connections,
    ) -> Vec<usize> {
        let tiered = |c: usize, d: Direction| {
            self.tiered
                .get(c)
                .and_then(|t| t.get(slot(d)))
                .is_some_and(|&t| t)
        };
        let tiered = tiered(from, Direction::Egress) || tiered(to, Direction::Ingress);
        let mut ids = if tiered {
            self.tier_causes(from, to, opened, closed)
        } else if !self.shortcut {
            self.explained_causes(from, to, opened, closed)
        } else if let Some(ids) = self.shortcut_causes(from, to, classes, opened, closed) {
            ids
        } else {
            self.memoised_causes(from, to, classes, opened, closed)
        };
        crate::sorting::sort_unstable(&mut ids);
        ids.dedup();
        let causes = &self.causes;
        crate::sorting::sort_by(&mut ids, |a, b| causes.get(*a).cmp(&causes.get(*b)));
        ids
    }

    /// The causes from both sides' full evidence, computed with the memoised peer and port
    /// matching instead of explanations.
    fn memoised_causes(
        &mut self,
        from: usize,
        to: usize,
        classes: (usize, usize),
        opened: &Connections,
        closed: &Connections,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        for d in DIRECTIONS {
            let both = self.both_evidence(d, (from, to), classes, Policies::All);
            let (was, now) = &*both;
            let opened_here = opened.difference(&was.allows());
            let closed_here = closed.difference(&now.allows());
            let mut namer = self.namer(d, from, to);
            side_causes(&mut namer, was, now, &opened_here, &closed_here, &mut out);
        }
        out
    }

    /// Both sides' evidence for one direction of `from` → `to`, whose joint classes are
    /// `classes`: from the memo when a pair of the same classes asked before.
    fn both_evidence(
        &mut self,
        direction: Direction,
        (from, to): (usize, usize),
        (from_class, to_class): (usize, usize),
        policies: Policies,
    ) -> Rc<(SideFacts, SideFacts)> {
        let key = EvidenceKey {
            direction,
            from_class,
            to_class,
            changed_only: policies == Policies::Changed,
        };
        if let Some(found) = self.evidence.get(&key) {
            return Rc::clone(found);
        }
        let common = self.common;
        let was = self.old.evidence(common, direction, from, to, policies);
        let now = self.new.evidence(common, direction, from, to, policies);
        let both = Rc::new((was, now));
        if self.evidence.len() >= EVIDENCE_KEPT {
            self.evidence.clear();
        }
        self.evidence.insert(key, Rc::clone(&both));
        both
    }

    /// The causes from both sides' explanations: the reference path.
    fn explained_causes(
        &mut self,
        from: usize,
        to: usize,
        opened: &Connections,
        closed: &Connections,
    ) -> Vec<usize> {
        let explain_in = |v: Version, facts: &Facts<'_>| {
            // Isolation and peer matching do not depend on the port; `matching` keeps
            // every rule whose peers match, whatever port is probed.
            let traffic = Traffic {
                from: facts.endpoint(v, from),
                to: facts.endpoint(v, to),
                port: 1,
                protocol: Protocol::Tcp,
            };
            (explain(facts.cluster(v), &traffic), traffic.to)
        };
        let (before, old_dst) = explain_in(Version::Old, self);
        let (after, new_dst) = explain_in(Version::New, self);
        let mut out = Vec::new();
        for d in DIRECTIONS {
            let (side_before, side_after) = match d {
                Direction::Egress => (&before.egress, &after.egress),
                Direction::Ingress => (&before.ingress, &after.ingress),
            };
            let was = self
                .side(Version::Old)
                .explained_side(side_before, d, &old_dst);
            let now = self
                .side(Version::New)
                .explained_side(side_after, d, &new_dst);
            let opened_here = opened.difference(&was.allows());
            let closed_here = closed.difference(&now.allows());
            let mut namer = self.namer(d, from, to);
            side_causes(&mut namer, &was, &now, &opened_here, &closed_here, &mut out);
        }
        out
    }

    /// The causes from the changed policies alone, when that is enough (see the module
    /// comment); `None` when it is not.
    fn shortcut_causes(
        &mut self,
        from: usize,
        to: usize,
        classes: (usize, usize),
        opened: &Connections,
        closed: &Connections,
    ) -> Option<Vec<usize>> {
        let unchanged = |c: usize| self.endpoint_changes.get(c).is_some_and(Vec::is_empty);
        if !unchanged(from) || !unchanged(to) {
            return None;
        }
        let egress = self.touched.get(from)?[0];
        let ingress = self.touched.get(to)?[1];
        let d = match (egress, ingress) {
            (true, false) => Direction::Egress,
            (false, true) => Direction::Ingress,
            _ => return None,
        };
        let both = self.both_evidence(d, (from, to), classes, Policies::Changed);
        let (was, now) = &*both;
        let mut out = Vec::new();
        let mut namer = self.namer(d, from, to);
        side_causes(&mut namer, was, now, opened, closed, &mut out);
        Some(out)
    }

    fn cluster(&self, v: Version) -> &'a Cluster {
        match v {
            Version::Old => self.old.snapshot.cluster,
            Version::New => self.new.snapshot.cluster,
        }
    }

    fn side(&mut self, v: Version) -> &mut Side<'a> {
        match v {
            Version::Old => &mut self.old,
            Version::New => &mut self.new,
        }
    }

    /// Common endpoint `c` as an endpoint of side `v`.
    fn endpoint(&self, v: Version, c: usize) -> Endpoint {
        let side = match v {
            Version::Old => &self.old,
            Version::New => &self.new,
        };
        side.endpoint(self.common, c)
    }

    fn namer<'f>(&'f mut self, direction: Direction, from: usize, to: usize) -> Naming<'f, 'a> {
        let (subject, other) = match direction {
            Direction::Egress => (from, to),
            Direction::Ingress => (to, from),
        };
        Naming {
            facts: self,
            direction,
            subject,
            other,
            to,
        }
    }

    /// Spells out a cause found for the first time.
    fn spell(&mut self, key: CauseKey, v: Version, to: usize) -> Option<Cause> {
        if key.effect.of_cluster_policy() {
            return self.spell_tier(key, v);
        }
        let cluster = self.cluster(v);
        let policy = cluster.policies.get(key.policy)?;
        let change = self.side(v).change(key.policy);
        let kind = match key.effect {
            Effect::Allows(rule) => CauseKind::Allows { rule },
            Effect::NoLongerAllows(rule) => CauseKind::NoLongerAllows {
                rule,
                now: self.rule_now(&key, policy, rule, to),
            },
            Effect::Isolates => CauseKind::Isolates,
            Effect::NoLongerIsolates => CauseKind::NoLongerIsolates,
            Effect::IsolatesOverBaseline => CauseKind::IsolatesOverBaseline,
            Effect::NoLongerIsolatesOverBaseline => CauseKind::NoLongerIsolatesOverBaseline,
            Effect::TierDecides(_) | Effect::TierNoLongerDecides(_) => return None,
        };
        let endpoint_changes = self.endpoint_notes(change, &key);
        Some(Cause {
            direction: key.direction,
            policy: policy.id(),
            change,
            kind,
            pod: self.endpoint(v, key.subject).id(cluster),
            endpoint_changes,
            node_changes: Vec::new(),
        })
    }

    /// For a policy that did not change: what changed about the two ends instead.
    fn endpoint_notes(&self, change: PolicyChange, key: &CauseKey) -> Vec<String> {
        match (change, key.other) {
            (PolicyChange::Unchanged, Some(other)) => {
                let mut notes: Vec<String> = [key.subject, other]
                    .iter()
                    .flat_map(|c| self.endpoint_changes.get(*c).cloned().unwrap_or_default())
                    .collect();
                notes.dedup();
                notes
            }
            _ => Vec::new(),
        }
    }

    /// What rule `rule` of old `policy` says on the new side about the pair of `key`.
    fn rule_now(
        &mut self,
        key: &CauseKey,
        policy: &Policy,
        rule: usize,
        to: usize,
    ) -> Option<String> {
        let d = key.direction;
        let np = *self.new_by_id.get(&super::changes::policy_id(policy))?;
        let common = self.common;
        let new_cluster = self.new.snapshot.cluster;
        let subject = self.new.endpoint(common, key.subject);
        if !self.new.isolators(common, key.subject, d).contains(&np) {
            return Some(format!(
                "it no longer applies to {}",
                subject.id(new_cluster)
            ));
        }
        let new_policy = new_cluster.policies.get(np)?;
        let Some(rule) = new_policy.rules(d).get(rule) else {
            return Some("the rule is gone".to_string());
        };
        let other = self.new.endpoint(common, key.other?);
        let receiver = self.new.endpoint(common, to);
        Some(rule_miss(new_cluster, new_policy, rule, &other, &receiver).describe())
    }

    /// Per common endpoint, what changed about it between the sides.
    fn classify_endpoints(&self) -> Vec<Vec<String>> {
        let (old, new) = (self.old.snapshot.cluster, self.new.snapshot.cluster);
        let mut namespace_changed: HashMap<&str, bool> = HashMap::new();
        let mut out = Vec::with_capacity(self.common.len());
        for c in 0..self.common.len() {
            let (Endpoint::Pod(i), Endpoint::Pod(j)) = (
                self.endpoint(Version::Old, c),
                self.endpoint(Version::New, c),
            ) else {
                out.push(Vec::new());
                continue;
            };
            let (Some(a), Some(b)) = (old.pods.get(i), new.pods.get(j)) else {
                out.push(Vec::new());
                continue;
            };
            let ns_changed = *namespace_changed
                .entry(a.namespace.as_str())
                .or_insert_with(|| {
                    let labels = |c: &'a Cluster| c.namespace(&a.namespace).map(|n| &n.labels);
                    labels(old) != labels(new)
                });
            out.push(pod_changes(a, b, ns_changed));
        }
        out
    }

    /// Marks the common endpoints a changed policy isolates, on either side.
    fn mark_touched(&mut self) {
        for side in [&self.old, &self.new] {
            let cluster = side.snapshot.cluster;
            let mut by_namespace: HashMap<&str, Vec<(usize, &Pod)>> = HashMap::new();
            for c in 0..self.common.len() {
                if let Endpoint::Pod(i) = side.endpoint(self.common, c) {
                    if let Some(pod) = cluster.pods.get(i) {
                        by_namespace
                            .entry(pod.namespace.as_str())
                            .or_default()
                            .push((c, pod));
                    }
                }
            }
            for (p, policy) in cluster.policies.iter().enumerate() {
                if side.change(p) == PolicyChange::Unchanged {
                    continue;
                }
                let pods = by_namespace.get(policy.namespace.as_str());
                for &(c, pod) in pods.into_iter().flatten() {
                    for d in DIRECTIONS {
                        let flag = self.touched.get_mut(c).and_then(|t| t.get_mut(slot(d)));
                        if let (true, Some(flag)) = (isolates(policy, pod, d), flag) {
                            *flag = true;
                        }
                    }
                }
            }
        }
    }
}

/// Why `rule` of `policy` does not let `other` through to `receiver`, in the words of
/// [`crate::explain`]: the peers that miss, or the ports it allows.
fn rule_miss(
    cluster: &Cluster,
    policy: &Policy,
    rule: &Rule,
    other: &Endpoint,
    receiver: &Endpoint,
) -> RuleMiss {
    let misses: Option<Vec<eval::PeerMiss>> = rule
        .peers
        .iter()
        .enumerate()
        .map(|(i, peer)| {
            peer_matches(cluster, &policy.namespace, peer, other)
                .err()
                .map(|m| renumber(m, i))
        })
        .collect();
    match misses {
        Some(peers) if !peers.is_empty() => RuleMiss::Peers { peers },
        _ => {
            let allows = rule_connections(cluster, rule, receiver);
            RuleMiss::Ports {
                allows: if allows.is_empty() {
                    "ports the destination does not expose".to_string()
                } else {
                    allows.to_string()
                },
            }
        }
    }
}

/// `peer_matches` numbers every miss 0; the rule's list position is `i`.
fn renumber(miss: eval::PeerMiss, i: usize) -> eval::PeerMiss {
    miss.with_peer(i)
}

/// Names the causes of one side of one pair.
struct Naming<'f, 'a> {
    facts: &'f mut Facts<'a>,
    direction: Direction,
    /// The common endpoint the side is checked on, and the other end.
    subject: usize,
    other: usize,
    /// The receiver (named ports resolve on it).
    to: usize,
}

impl Namer for Naming<'_, '_> {
    fn cause(&mut self, policy: PolicyIndex, effect: Effect) -> Option<usize> {
        let v = if effect.of_new_side() {
            Version::New
        } else {
            Version::Old
        };
        let change = if effect.of_cluster_policy() {
            self.facts.side(v).cluster_change(policy)
        } else {
            self.facts.side(v).change(policy)
        };
        let text_needs_other = change == PolicyChange::Unchanged
            || (matches!(effect, Effect::NoLongerAllows(_)) && change != PolicyChange::Removed);
        let key = CauseKey {
            direction: self.direction,
            // The effect says which side the policy index is of.
            policy,
            effect,
            subject: self.subject,
            other: text_needs_other.then_some(self.other),
        };
        if let Some(id) = self.facts.keys.get(&key) {
            return Some(*id);
        }
        let spelled = self.facts.spell(key, v, self.to)?;
        let id = self.facts.causes.len();
        self.facts.causes.push(spelled);
        self.facts.keys.insert(key, id);
        Some(id)
    }
}
