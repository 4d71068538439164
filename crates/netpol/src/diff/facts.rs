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

use std::collections::HashMap;
use std::rc::Rc;

use super::cause::{
    side_causes, Cause, CauseKind, Effect, Namer, PolicyChange, PolicyIndex, SideFacts,
};
use super::Snapshot;
use crate::endpoint::Endpoint;
use crate::eval::{self, explain, peer_matches, rule_connections, RuleMiss, Traffic};
use crate::model::{Cluster, Direction, Pod, Policy, PortRef, Rule};
use crate::ports::{Connections, Protocol};

const DIRECTIONS: [Direction; 2] = [Direction::Egress, Direction::Ingress];

fn slot(d: Direction) -> usize {
    match d {
        Direction::Egress => 0,
        Direction::Ingress => 1,
    }
}

/// Which side of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Version {
    Old,
    New,
}

/// Whose rules [`Side::evidence`] looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Policies {
    All,
    Changed,
}

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
    new_by_id: HashMap<String, PolicyIndex>,
    /// Per common endpoint: what about it changed (`labels of x/a`), empty when nothing.
    endpoint_changes: Vec<Vec<String>>,
    /// Per common endpoint: a changed policy isolates it for egress / for ingress.
    touched: Vec<[bool; 2]>,
    keys: HashMap<CauseKey, usize>,
    causes: Vec<Cause>,
}

/// One side with its memoised evidence.
struct Side<'a> {
    version: Version,
    snapshot: Snapshot<'a>,
    /// Per policy: added/removed, edited or unchanged.
    changes: Vec<PolicyChange>,
    /// Per common endpoint and direction: the policies isolating it.
    isolators: Vec<Option<Rc<[PolicyIndex]>>>,
    /// Per policy (changed ones only, on demand): per direction, per rule.
    rules: Vec<Option<[Vec<RuleMemo>; 2]>>,
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

impl<'a> Facts<'a> {
    pub fn new(
        old: Snapshot<'a>,
        new: Snapshot<'a>,
        common: &'a [(usize, usize)],
        shortcut: bool,
    ) -> Facts<'a> {
        let (old_changes, new_changes, new_by_id) = classify_policies(old.cluster, new.cluster);
        let side = |version, snapshot: Snapshot<'a>, changes: Vec<PolicyChange>| Side {
            version,
            snapshot,
            isolators: vec![None; common.len() * 2],
            rules: (0..changes.len()).map(|_| None).collect(),
            changes,
        };
        let mut facts = Facts {
            old: side(Version::Old, old, old_changes),
            new: side(Version::New, new, new_changes),
            common,
            shortcut,
            new_by_id,
            endpoint_changes: Vec::new(),
            touched: vec![[false; 2]; common.len()],
            keys: HashMap::new(),
            causes: Vec::new(),
        };
        facts.endpoint_changes = facts.classify_endpoints();
        facts.mark_touched();
        facts
    }

    /// Every cause found, by the index pairs refer to.
    pub fn into_causes(self) -> Vec<Cause> {
        self.causes
    }

    /// The causes of the change of pair (`from`, `to`) (positions in `common`), sorted.
    pub fn causes(
        &mut self,
        from: usize,
        to: usize,
        opened: &Connections,
        closed: &Connections,
    ) -> Vec<usize> {
        let mut ids = if !self.shortcut {
            self.explained_causes(from, to, opened, closed)
        } else if let Some(ids) = self.shortcut_causes(from, to, opened, closed) {
            ids
        } else {
            self.memoised_causes(from, to, opened, closed)
        };
        ids.sort_unstable();
        ids.dedup();
        let causes = &self.causes;
        ids.sort_by(|a, b| causes.get(*a).cmp(&causes.get(*b)));
        ids
    }

    /// The causes from both sides' full evidence, computed with the memoised peer and port
    /// matching instead of explanations.
    fn memoised_causes(
        &mut self,
        from: usize,
        to: usize,
        opened: &Connections,
        closed: &Connections,
    ) -> Vec<usize> {
        let common = self.common;
        let mut out = Vec::new();
        for d in DIRECTIONS {
            let was = self.old.evidence(common, d, from, to, Policies::All);
            let now = self.new.evidence(common, d, from, to, Policies::All);
            let opened_here = opened.difference(&was.allows());
            let closed_here = closed.difference(&now.allows());
            let mut namer = self.namer(d, from, to);
            side_causes(&mut namer, &was, &now, &opened_here, &closed_here, &mut out);
        }
        out
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
        let common = self.common;
        let was = self.old.evidence(common, d, from, to, Policies::Changed);
        let now = self.new.evidence(common, d, from, to, Policies::Changed);
        let mut out = Vec::new();
        let mut namer = self.namer(d, from, to);
        side_causes(&mut namer, &was, &now, opened, closed, &mut out);
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
        let cluster = self.cluster(v);
        let policy = cluster.policies.get(key.policy)?;
        let change = self.side(v).changes.get(key.policy).copied()?;
        let kind = match key.effect {
            Effect::Allows(rule) => CauseKind::Allows { rule },
            Effect::NoLongerAllows(rule) => CauseKind::NoLongerAllows {
                rule,
                now: self.rule_now(&key, policy, rule, to),
            },
            Effect::Isolates => CauseKind::Isolates,
            Effect::NoLongerIsolates => CauseKind::NoLongerIsolates,
        };
        let endpoint_changes = match (change, key.other) {
            (PolicyChange::Unchanged, Some(other)) => {
                let mut notes: Vec<String> = [key.subject, other]
                    .iter()
                    .flat_map(|c| self.endpoint_changes.get(*c).cloned().unwrap_or_default())
                    .collect();
                notes.dedup();
                notes
            }
            _ => Vec::new(),
        };
        Some(Cause {
            direction: key.direction,
            policy: policy.id(),
            change,
            kind,
            pod: self.endpoint(v, key.subject).id(cluster),
            endpoint_changes,
        })
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
        let np = *self.new_by_id.get(&policy.id())?;
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
                if side.changes.get(p) == Some(&PolicyChange::Unchanged) {
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

impl<'a> Side<'a> {
    /// Common endpoint `c` as an endpoint of this side.
    fn endpoint(&self, common: &[(usize, usize)], c: usize) -> Endpoint {
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

    fn change(&self, p: PolicyIndex) -> PolicyChange {
        self.changes
            .get(p)
            .copied()
            .unwrap_or(PolicyChange::Unchanged)
    }

    /// Policies isolating common endpoint `c` in direction `d` (the rule
    /// [`crate::explain`] applies), memoised.
    fn isolators(
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
                Some(pod) => cluster
                    .policies
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| isolates(p, pod, d))
                    .map(|(k, _)| k)
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
    fn explained_side(&self, side: &eval::Side, d: Direction, receiver: &Endpoint) -> SideFacts {
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
    fn evidence(
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
fn isolates(policy: &Policy, pod: &Pod, d: Direction) -> bool {
    policy.namespace == pod.namespace
        && policy.isolates(d)
        && policy.pod_selector.matches(&pod.labels)
}

/// What differs between the two sides' versions of one pod (`labels of x/a`, ...).
fn pod_changes(a: &Pod, b: &Pod, namespace_labels_changed: bool) -> Vec<String> {
    let id = a.id();
    let mut notes = Vec::new();
    if a.labels != b.labels {
        notes.push(format!("labels of {id}"));
    }
    if a.ports != b.ports {
        notes.push(format!("ports of {id}"));
    }
    if a.ips != b.ips {
        notes.push(format!("IPs of {id}"));
    }
    if namespace_labels_changed {
        notes.push(format!("labels of namespace {}", a.namespace));
    }
    notes
}

/// Added / removed / edited / unchanged for every policy of each side, by id, and the new
/// side's policies by id.
fn classify_policies(
    old: &Cluster,
    new: &Cluster,
) -> (
    Vec<PolicyChange>,
    Vec<PolicyChange>,
    HashMap<String, PolicyIndex>,
) {
    let by_id = |c: &Cluster| -> HashMap<String, PolicyIndex> {
        c.policies
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id(), i))
            .collect()
    };
    let (old_by_id, new_by_id) = (by_id(old), by_id(new));
    let classify =
        |mine: &Cluster, theirs: &Cluster, index: &HashMap<String, PolicyIndex>, missing| {
            mine.policies
                .iter()
                .map(
                    |p| match index.get(&p.id()).and_then(|&i| theirs.policies.get(i)) {
                        None => missing,
                        Some(q) if same_semantics(p, q) => PolicyChange::Unchanged,
                        Some(_) => PolicyChange::Edited,
                    },
                )
                .collect()
        };
    let old_changes = classify(old, new, &new_by_id, PolicyChange::Removed);
    let new_changes = classify(new, old, &old_by_id, PolicyChange::Added);
    (old_changes, new_changes, new_by_id)
}

/// Same selection, isolation and rules (where the policy was written does not count).
fn same_semantics(a: &Policy, b: &Policy) -> bool {
    let same_rules = |x: &[Rule], y: &[Rule]| {
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .all(|(r, s)| r.peers == s.peers && r.ports == s.ports)
    };
    a.pod_selector == b.pod_selector
        && DIRECTIONS
            .iter()
            .all(|&d| a.isolates(d) == b.isolates(d) && same_rules(a.rules(d), b.rules(d)))
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
fn renumber(mut miss: eval::PeerMiss, i: usize) -> eval::PeerMiss {
    use eval::PeerMiss::*;
    match &mut miss {
        OtherNamespace { peer, .. }
        | NamespaceSelector { peer, .. }
        | PodSelector { peer, .. }
        | NotAPod { peer }
        | IpBlock { peer, .. } => *peer = i,
    }
    miss
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
        let v = match effect {
            Effect::Allows(_) | Effect::Isolates => Version::New,
            Effect::NoLongerAllows(_) | Effect::NoLongerIsolates => Version::Old,
        };
        let change = self.facts.side(v).change(policy);
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
