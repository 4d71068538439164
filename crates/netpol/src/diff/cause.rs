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

use std::rc::Rc;

use crate::model::Direction;
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
}

impl Cause {
    /// One line for people, e.g. `added NetworkPolicy x/allow-a (ingress[0]) allows it`.
    /// Rules are numbered from 0, as in `netpol explain` and the manifests' field paths.
    pub fn describe(&self) -> String {
        let policy = format!("{}NetworkPolicy {}", self.change.prefix(), self.policy);
        let dir = match self.direction {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        };
        let pod = &self.pod;
        let because = if self.endpoint_changes.is_empty() {
            String::new()
        } else {
            format!(" ({} changed)", self.endpoint_changes.join(", "))
        };
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
                if !allows.intersect(opened).is_empty() {
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
                if !allowed.intersect(closed).is_empty() {
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
}
