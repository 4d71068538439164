//! Causes: which policy, rule or isolation made a pair's connections open or close.
//!
//! A connection needs the sender's egress and the receiver's ingress. For each of the two
//! sides, the evidence before and after ([`SideFacts`]: which policies isolate the pod,
//! which rules match the other end and what they allow) says what that side let through.
//! A port that opened was blocked before by a side that lets it through now; that side
//! opened it either because nothing isolates the pod any more (the causes are the policies
//! that isolated it) or because rules allow it now (the causes are those rules). A port
//! that closed is the mirror image: a side that isolates now where nothing did (the new
//! isolating policies), or whose allowing rules no longer do (those rules, with what they
//! say now). So `diff(A, B)` and `diff(B, A)` give the same causes seen from the other
//! side: added ↔ removed, allows ↔ no longer allows, isolates ↔ no longer isolates.
//!
//! Where a ClusterNetworkPolicy selects an end, the causes come from the whole chain of
//! tiers instead (`facts/tiers.rs`): the Admin or Baseline rule that decides (or passes) now
//! or did before, and NetworkPolicies that take a pod out of the Baseline tier's reach. A
//! rule that is the same on both sides says what changed instead: the ends
//! ([`Cause::endpoint_changes`]) or the Nodes its `nodes` peer covers the address through
//! ([`Cause::node_changes`], each a [`NodeChange`] with the Node before and after).

use std::net::IpAddr;
use std::rc::Rc;

use crate::cnp::{Action, Tier};
use crate::model::{Direction, Labels};
use crate::ports::Connections;

/// How a policy differs between the two sides (policies are matched by `namespace/name`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyChange {
    /// Only the new side has it.
    Added,
    /// Only the old side has it.
    Removed,
    /// Both have it, with different selectors, policy types or rules.
    Edited,
    /// Both have it as it was; what changed is a pod's or a namespace's labels, ports or
    /// addresses (see [`Cause::endpoint_changes`]).
    Unchanged,
}

impl PolicyChange {
    /// The same change seen from the other side.
    pub fn swapped(self) -> PolicyChange {
        match self {
            PolicyChange::Added => PolicyChange::Removed,
            PolicyChange::Removed => PolicyChange::Added,
            other => other,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            PolicyChange::Added => "added ",
            PolicyChange::Removed => "removed ",
            PolicyChange::Edited => "edited ",
            PolicyChange::Unchanged => "",
        }
    }
}

/// What the policy did to the pair.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CauseKind {
    /// Rule `rule` of the policy (new side) allows connections that were blocked.
    Allows {
        /// Index into the policy's `ingress` or `egress` list.
        rule: usize,
    },
    /// Rule `rule` of the policy (old side) allowed connections that are now blocked.
    NoLongerAllows {
        /// Index into the policy's `ingress` or `egress` list, on the old side.
        rule: usize,
        /// What the rule does now, when the policy still exists (`the peer matches but the
        /// rule only allows TCP 80`, `it no longer applies to x/b`).
        now: Option<String>,
    },
    /// The policy isolates the pod now, and nothing allows the closed connections.
    Isolates,
    /// The policy isolated the pod before; nothing isolates it now.
    NoLongerIsolates,
    /// The NetworkPolicy isolates the pod now, so the Baseline tier, which decided before,
    /// is no longer reached.
    IsolatesOverBaseline,
    /// The NetworkPolicy isolated the pod before, so the Baseline tier, which decides now,
    /// was not reached.
    NoLongerIsolatesOverBaseline,
    /// A ClusterNetworkPolicy rule (new side) matches the connection first in its tier, and
    /// its action decides (or passes) where before something else did.
    Decides(TierRule),
    /// A ClusterNetworkPolicy rule (old side) matched first in its tier and decided (or
    /// passed); it no longer does.
    NoLongerDecides(TierRule),
    /// A Cilium policy made the difference at the change's probe port: its entry `entry`
    /// (`CiliumNetworkPolicy x/p egressDeny[0]`) allows or denies the connection on one
    /// side only (`matches_now`: on the new side); an empty `entry` means its rules put
    /// the pod in default deny on one side only.
    Cilium {
        /// The entry, as explanations name it; empty for default deny.
        entry: String,
        /// True for an `ingressDeny`/`egressDeny` entry.
        deny: bool,
        /// True when it matches (or isolates) on the new side, false on the old.
        matches_now: bool,
    },
}

/// A rule of a ClusterNetworkPolicy, with what a reader needs to find it and weigh it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TierRule {
    /// The policy's tier.
    pub tier: Tier,
    /// The policy's `spec.priority`.
    pub priority: u16,
    /// Index into the policy's `ingress` or `egress` list.
    pub rule: usize,
    /// The rule's `name`, when written.
    pub name: Option<String>,
    /// The rule's action.
    pub action: Action,
}

impl TierRule {
    /// `(ingress[0] `deny-all`, priority 5)`.
    fn place(&self, dir: &str) -> String {
        let name = self
            .name
            .as_deref()
            .map(|n| format!(" `{n}`"))
            .unwrap_or_default();
        format!("({dir}[{}]{name}, priority {})", self.rule, self.priority)
    }

    /// What the action does, in the present or the past tense.
    fn verb(&self, past: bool) -> &'static str {
        match (self.action, self.tier, past) {
            (Action::Accept, _, false) => "accepts it",
            (Action::Accept, _, true) => "accepted it",
            (Action::Deny, _, false) => "denies it",
            (Action::Deny, _, true) => "denied it",
            (Action::Pass, Tier::Admin, false) => "passes it to the NetworkPolicies",
            (Action::Pass, Tier::Admin, true) => "passed it to the NetworkPolicies",
            // Pass in the Baseline tier leaves the connection to the default (allowed).
            (Action::Pass, Tier::Baseline, false) => "passes it to the default",
            (Action::Pass, Tier::Baseline, true) => "passed it to the default",
        }
    }
}

/// Why some of a pair's connections opened or closed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cause {
    /// The side of the connection: the sender's egress or the receiver's ingress.
    pub direction: Direction,
    /// The policy, `namespace/name`.
    pub policy: String,
    /// How the policy differs between the sides.
    pub change: PolicyChange,
    /// What it did.
    pub kind: CauseKind,
    /// The pod the policy applies to (the sender for egress, the receiver for ingress).
    pub pod: String,
    /// For an unchanged policy: what changed instead (`labels of x/a`,
    /// `labels of namespace x`, `ports of x/b`, `IPs of x/a`).
    pub endpoint_changes: Vec<String>,
    /// For an unchanged ClusterNetworkPolicy rule with a `nodes` peer: the Nodes that make
    /// the peer match the other end on one side only (relabelled, added, removed or
    /// re-addressed), by name.
    pub node_changes: Vec<NodeChange>,
}

/// A Node as a `nodes` peer sees it on one side.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeState {
    /// Its labels.
    pub labels: Labels,
    /// The IPs of its `status.addresses`.
    pub addresses: Vec<IpAddr>,
}

/// How one Node differs between the sides (Nodes are matched by name).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeChange {
    /// `metadata.name`.
    pub name: String,
    /// The old side's Node; `None` when it was added.
    pub before: Option<NodeState>,
    /// The new side's Node; `None` when it was removed.
    pub after: Option<NodeState>,
}

impl NodeChange {
    /// The same change seen from the other side.
    pub fn swapped(&self) -> NodeChange {
        NodeChange {
            name: self.name.clone(),
            before: self.after.clone(),
            after: self.before.clone(),
        }
    }

    /// `Node `node-1` was relabelled (role=infra → role=worker)`, `... was added
    /// (role=infra; 192.168.1.10)`, `... changed addresses (192.168.1.9 → 192.168.1.10)`.
    pub fn describe(&self) -> String {
        let name = &self.name;
        match (&self.before, &self.after) {
            (None, Some(now)) => format!("Node `{name}` was added ({})", now.describe()),
            (Some(was), None) => format!("Node `{name}` was removed ({})", was.describe()),
            (Some(was), Some(now)) => {
                let mut parts = Vec::new();
                if was.labels != now.labels {
                    parts.push(format!(
                        "was relabelled ({} → {})",
                        labels_text(&was.labels),
                        labels_text(&now.labels)
                    ));
                }
                if was.addresses != now.addresses {
                    parts.push(format!(
                        "changed addresses ({} → {})",
                        addresses_text(&was.addresses),
                        addresses_text(&now.addresses)
                    ));
                }
                format!("Node `{name}` {}", parts.join(" and "))
            }
            (None, None) => format!("Node `{name}`"),
        }
    }
}

impl NodeState {
    /// `role=infra; 192.168.1.10`.
    fn describe(&self) -> String {
        format!(
            "{}; {}",
            labels_text(&self.labels),
            addresses_text(&self.addresses)
        )
    }
}

/// `role=infra,zone=a`, or `no labels`.
fn labels_text(labels: &Labels) -> String {
    if labels.is_empty() {
        return "no labels".to_string();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `192.168.1.10, 10.0.0.1`, or `no addresses`.
fn addresses_text(addresses: &[IpAddr]) -> String {
    if addresses.is_empty() {
        return "no addresses".to_string();
    }
    addresses
        .iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Cause {
    /// True when the policy is a ClusterNetworkPolicy (its `policy` is a name, not
    /// `namespace/name`).
    pub fn is_cluster_policy(&self) -> bool {
        matches!(
            self.kind,
            CauseKind::Decides(_) | CauseKind::NoLongerDecides(_)
        )
    }

    /// One line for people, e.g. `added NetworkPolicy x/allow-a (ingress[0]) allows it`
    /// or `added Admin ClusterNetworkPolicy deny-in (ingress[0] `deny-all`, priority 5)
    /// denies it`. Rules are numbered from 0, as in `netpol explain` and the manifests'
    /// field paths.
    pub fn describe(&self) -> String {
        let dir = match self.direction {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        };
        let because = if self.endpoint_changes.is_empty() {
            String::new()
        } else {
            format!(" ({} changed)", self.endpoint_changes.join(", "))
        };
        match &self.kind {
            CauseKind::Decides(rule) | CauseKind::NoLongerDecides(rule) => {
                self.describe_tier(rule, dir, &because)
            }
            CauseKind::Cilium {
                entry,
                deny,
                matches_now,
            } => self.describe_cilium(entry, *deny, *matches_now, dir),
            _ => self.describe_network_policy(dir, &because),
        }
    }

    fn describe_tier(&self, rule: &TierRule, dir: &str, because: &str) -> String {
        let policy = format!(
            "{}{} ClusterNetworkPolicy {} {}",
            self.change.prefix(),
            rule.tier,
            self.policy,
            rule.place(dir)
        );
        let no_longer = matches!(self.kind, CauseKind::NoLongerDecides(_));
        let text = match (no_longer, self.change) {
            (true, PolicyChange::Removed) => format!("{policy} {}", rule.verb(true)),
            (true, _) => format!("{policy} no longer {}{because}", rule.verb(false)),
            (false, _) => format!("{policy} {}{because}", rule.verb(false)),
        };
        if self.node_changes.is_empty() {
            return text;
        }
        let nodes: Vec<String> = self.node_changes.iter().map(NodeChange::describe).collect();
        let matches = if no_longer {
            "no longer covers the address"
        } else {
            "covers the address now"
        };
        format!(
            "{text}: {}, so the rule's `nodes` peer {matches}",
            nodes.join("; ")
        )
    }

    fn describe_cilium(&self, entry: &str, deny: bool, now: bool, dir: &str) -> String {
        let prefix = self.change.prefix();
        let pod = &self.pod;
        if entry.is_empty() {
            let policy = format!("{prefix}Cilium policy {}", self.policy);
            return if now {
                format!("{policy} puts {pod} in default deny for {dir} and no rule allows it")
            } else {
                format!("{policy} no longer puts {pod} in default deny for {dir}")
            };
        }
        let verb = match (deny, now) {
            (true, true) => "denies it",
            (true, false) => "no longer denies it",
            (false, true) => "allows it",
            (false, false) => "no longer allows it",
        };
        format!("{prefix}{entry} {verb}")
    }

    fn describe_network_policy(&self, dir: &str, because: &str) -> String {
        let policy = format!("{}NetworkPolicy {}", self.change.prefix(), self.policy);
        let pod = &self.pod;
        match (&self.kind, self.change) {
            (CauseKind::Allows { rule }, _) => {
                format!("{policy} ({dir}[{rule}]) allows it{because}")
            }
            (CauseKind::NoLongerAllows { rule, .. }, PolicyChange::Removed) => {
                format!("{policy} ({dir}[{rule}]) allowed it")
            }
            (CauseKind::NoLongerAllows { rule, now }, _) => {
                let now = now.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
                format!("{policy} ({dir}[{rule}]) no longer allows it{because}{now}")
            }
            (CauseKind::Isolates, PolicyChange::Added) => {
                format!("{policy} isolates {pod} for {dir} and no rule allows it")
            }
            (CauseKind::Isolates, _) => {
                format!("{policy} now isolates {pod} for {dir}{because} and no rule allows it")
            }
            (CauseKind::NoLongerIsolates, PolicyChange::Removed) => {
                format!("{policy} isolated {pod} for {dir}")
            }
            (CauseKind::NoLongerIsolates, _) => {
                format!("{policy} no longer isolates {pod} for {dir}{because}")
            }
            (CauseKind::IsolatesOverBaseline, PolicyChange::Added) => format!(
                "{policy} isolates {pod} for {dir}, so the Baseline tier no longer decides"
            ),
            (CauseKind::IsolatesOverBaseline, _) => format!(
                "{policy} now isolates {pod} for {dir}{because}, so the Baseline tier no longer decides"
            ),
            (CauseKind::NoLongerIsolatesOverBaseline, PolicyChange::Removed) => {
                format!("{policy} isolated {pod} for {dir}, so the Baseline tier decides now")
            }
            (CauseKind::NoLongerIsolatesOverBaseline, _) => format!(
                "{policy} no longer isolates {pod} for {dir}{because}, so the Baseline tier decides now"
            ),
            (
                CauseKind::Decides(_) | CauseKind::NoLongerDecides(_) | CauseKind::Cilium { .. },
                _,
            ) => String::new(),
        }
    }
}

/// A policy of one side, by index into that side's `Cluster::policies`.
pub(super) type PolicyIndex = usize;

/// The evidence for one side (direction) of one pair, in one cluster.
#[derive(Clone, Debug, Default)]
pub(super) struct SideFacts {
    /// Policies that isolate the pod in this direction; empty when none does (or the
    /// endpoint is outside the cluster).
    pub isolated_by: Rc<[PolicyIndex]>,
    /// Rules of isolating policies whose peers match the other end: (policy, rule index,
    /// what the rule allows towards the receiver).
    pub matching: Vec<(PolicyIndex, usize, Rc<Connections>)>,
}

impl SideFacts {
    /// What this side lets through.
    pub fn allows(&self) -> Connections {
        if self.isolated_by.is_empty() {
            return Connections::all();
        }
        self.matching
            .iter()
            .fold(Connections::none(), |acc, (_, _, c)| acc.union(c))
    }
}

/// What a policy did, before the cause is spelled out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Effect {
    /// Rule (index) of a new-side policy allows what was blocked.
    Allows(usize),
    /// Rule (index) of an old-side policy allowed what is blocked now.
    NoLongerAllows(usize),
    /// A new-side policy isolates the pod where nothing did.
    Isolates,
    /// An old-side policy isolated the pod; nothing does now.
    NoLongerIsolates,
    /// A new-side policy isolates the pod where the Baseline tier decided.
    IsolatesOverBaseline,
    /// An old-side policy isolated the pod; the Baseline tier decides now.
    NoLongerIsolatesOverBaseline,
    /// Rule (index) of a new-side ClusterNetworkPolicy decides or passes now.
    TierDecides(usize),
    /// Rule (index) of an old-side ClusterNetworkPolicy decided or passed before.
    TierNoLongerDecides(usize),
}

impl Effect {
    /// True when the effect is of a new-side policy.
    pub fn of_new_side(self) -> bool {
        matches!(
            self,
            Effect::Allows(_)
                | Effect::Isolates
                | Effect::IsolatesOverBaseline
                | Effect::TierDecides(_)
        )
    }

    /// True when the policy index is into `Cluster::cluster_policies`.
    pub fn of_cluster_policy(self) -> bool {
        matches!(
            self,
            Effect::TierDecides(_) | Effect::TierNoLongerDecides(_)
        )
    }
}

/// Turns effects into causes (kept once each in the diff, so pairs share them).
pub(super) trait Namer {
    /// The cause id for `effect` of `policy` (of the new side for `Allows`/`Isolates`,
    /// of the old side otherwise).
    fn cause(&mut self, policy: PolicyIndex, effect: Effect) -> Option<usize>;
}

/// The causes of one side: `opened` are the connections this side opened (blocked before,
/// let through now), `closed` those it closed.
pub(super) fn side_causes(
    namer: &mut dyn Namer,
    before: &SideFacts,
    after: &SideFacts,
    opened: &Connections,
    closed: &Connections,
    out: &mut Vec<usize>,
) {
    if !opened.is_empty() {
        if after.isolated_by.is_empty() {
            for &p in before.isolated_by.iter() {
                out.extend(namer.cause(p, Effect::NoLongerIsolates));
            }
        } else {
            for (p, rule, allows) in &after.matching {
                if allows.overlaps(opened) {
                    out.extend(namer.cause(*p, Effect::Allows(*rule)));
                }
            }
        }
    }
    if !closed.is_empty() {
        if before.isolated_by.is_empty() {
            for &p in after.isolated_by.iter() {
                out.extend(namer.cause(p, Effect::Isolates));
            }
        } else {
            for (p, rule, allowed) in &before.matching {
                if allowed.overlaps(closed) {
                    out.extend(namer.cause(*p, Effect::NoLongerAllows(*rule)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cause(change: PolicyChange, kind: CauseKind) -> Cause {
        Cause {
            direction: Direction::Ingress,
            policy: "x/p".into(),
            change,
            kind,
            pod: "x/b".into(),
            endpoint_changes: Vec::new(),
            node_changes: Vec::new(),
        }
    }

    #[test]
    fn describes_every_kind_of_cause() {
        use CauseKind::*;
        use PolicyChange::*;
        let now = Some("the peer matches but the rule only allows TCP 80".to_string());
        let mut labels = cause(Unchanged, Allows { rule: 0 });
        labels.endpoint_changes = vec!["labels of x/a".into()];
        let got: Vec<String> = [
            cause(Added, Allows { rule: 1 }),
            cause(Edited, Allows { rule: 0 }),
            labels,
            cause(Removed, NoLongerAllows { rule: 0, now: None }),
            cause(Edited, NoLongerAllows { rule: 2, now }),
            cause(Added, Isolates),
            cause(Edited, Isolates),
            cause(Removed, NoLongerIsolates),
            cause(Edited, NoLongerIsolates),
        ]
        .iter()
        .map(Cause::describe)
        .collect();
        assert_eq!(
            got,
            [
                "added NetworkPolicy x/p (ingress[1]) allows it",
                "edited NetworkPolicy x/p (ingress[0]) allows it",
                "NetworkPolicy x/p (ingress[0]) allows it (labels of x/a changed)",
                "removed NetworkPolicy x/p (ingress[0]) allowed it",
                "edited NetworkPolicy x/p (ingress[2]) no longer allows it: the peer matches but the rule only allows TCP 80",
                "added NetworkPolicy x/p isolates x/b for ingress and no rule allows it",
                "edited NetworkPolicy x/p now isolates x/b for ingress and no rule allows it",
                "removed NetworkPolicy x/p isolated x/b for ingress",
                "edited NetworkPolicy x/p no longer isolates x/b for ingress",
            ]
        );
    }

    #[test]
    fn describes_node_changes() {
        let state = |labels: &[(&str, &str)], addresses: &[&str]| NodeState {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            addresses: addresses.iter().map(|a| a.parse().unwrap()).collect(),
        };
        let node = |before, after| NodeChange {
            name: "n".into(),
            before,
            after,
        };
        let both = node(
            Some(state(&[("role", "infra"), ("zone", "a")], &["10.0.0.1"])),
            Some(state(&[], &[])),
        );
        assert_eq!(
            both.describe(),
            "Node `n` was relabelled (role=infra,zone=a → no labels) and changed addresses (10.0.0.1 → no addresses)"
        );
        assert_eq!(both.swapped().swapped(), both);
        assert_eq!(
            node(None, Some(state(&[], &["10.0.0.1", "10.0.0.2"]))).describe(),
            "Node `n` was added (no labels; 10.0.0.1, 10.0.0.2)"
        );
        let mut denied = cause(
            PolicyChange::Unchanged,
            CauseKind::Decides(TierRule {
                tier: Tier::Admin,
                priority: 1,
                rule: 0,
                name: None,
                action: Action::Deny,
            }),
        );
        denied.policy = "lock".into();
        denied.direction = Direction::Egress;
        denied.node_changes = vec![node(None, Some(state(&[], &["10.0.0.1"])))];
        assert_eq!(
            denied.describe(),
            "Admin ClusterNetworkPolicy lock (egress[0], priority 1) denies it: Node `n` was added (no labels; 10.0.0.1), so the rule's `nodes` peer covers the address now"
        );
    }

    #[test]
    fn describes_tier_causes() {
        use CauseKind::*;
        use PolicyChange::*;
        let rule = |tier, action, name: Option<&str>| TierRule {
            tier,
            priority: 5,
            rule: 1,
            name: name.map(String::from),
            action,
        };
        let mut labels = cause(Unchanged, Decides(rule(Tier::Admin, Action::Deny, None)));
        labels.policy = "lock".into();
        labels.endpoint_changes = vec!["labels of namespace x".into()];
        let tier = |change, kind| {
            let mut c = cause(change, kind);
            c.policy = "c".into();
            c
        };
        let got: Vec<String> = [
            tier(
                Added,
                Decides(rule(Tier::Admin, Action::Deny, Some("deny-all"))),
            ),
            tier(
                Removed,
                NoLongerDecides(rule(Tier::Baseline, Action::Accept, None)),
            ),
            tier(
                Edited,
                NoLongerDecides(rule(Tier::Admin, Action::Pass, None)),
            ),
            tier(Edited, Decides(rule(Tier::Baseline, Action::Pass, None))),
            labels,
            cause(Added, IsolatesOverBaseline),
            cause(Removed, NoLongerIsolatesOverBaseline),
        ]
        .iter()
        .map(Cause::describe)
        .collect();
        assert_eq!(
            got,
            [
                "added Admin ClusterNetworkPolicy c (ingress[1] `deny-all`, priority 5) denies it",
                "removed Baseline ClusterNetworkPolicy c (ingress[1], priority 5) accepted it",
                "edited Admin ClusterNetworkPolicy c (ingress[1], priority 5) no longer passes it to the NetworkPolicies",
                "edited Baseline ClusterNetworkPolicy c (ingress[1], priority 5) passes it to the default",
                "Admin ClusterNetworkPolicy lock (ingress[1], priority 5) denies it (labels of namespace x changed)",
                "added NetworkPolicy x/p isolates x/b for ingress, so the Baseline tier no longer decides",
                "removed NetworkPolicy x/p isolated x/b for ingress, so the Baseline tier decides now",
            ]
        );
    }
}
