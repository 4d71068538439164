//! The lesson model: what a lesson file says once it is read (start, goal, constraints,
//! hints, solution, known wrong answers) and the lesson list.

use std::fmt;

use serde::Serialize;

use super::Expectation;
use crate::expect::Pattern;
use crate::model::Direction;
use crate::ports::Connections;
use crate::workspace::Workspace;

/// One lesson, as read from its file.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// Stable id (`default-policy`): lowercase letters, digits and `-`. Progress is kept
    /// under it, so renaming a lesson's id resets its learners' progress.
    pub id: String,
    /// Title shown in the lesson list.
    pub title: String,
    /// The lesson's text (markdown-ish: paragraphs, `code`, **bold**, lists, fences).
    pub text: String,
    /// Where the learner starts.
    pub start: Workspace,
    /// Connectivity the learner must reach.
    pub goal: Vec<Expectation>,
    /// Rules about how the goal may be reached.
    pub constraints: Vec<Constraint>,
    /// Hints, revealed one at a time.
    pub hints: Vec<String>,
    /// A workspace that reaches the goal.
    pub solution: Workspace,
    /// Plausible answers that must not complete the lesson, each with what it fails.
    pub wrong_answers: Vec<WrongAnswer>,
    /// Answers written differently from the solution that behave the same: they must
    /// complete the lesson.
    pub right_answers: Vec<RightAnswer>,
    /// Differences from the solution's behaviour that still complete the lesson.
    pub accept: Vec<Accept>,
    /// A recorded flow log (Hubble JSON lines or CSV) the playground loads with the start,
    /// for lessons about observed traffic; empty for the others.
    pub flows: String,
}

/// A known right answer: a workspace that differs from the solution in text but not in
/// behaviour (another label, `matchExpressions`, one policy instead of two). Listing them
/// proves the grader does not refuse a correct answer for its spelling.
#[derive(Clone, Debug, PartialEq)]
pub struct RightAnswer {
    /// How it differs from the solution, in a few words.
    pub title: String,
    /// The whole workspace (the file gives it whole, or as a `patch` of the solution).
    pub workspace: Workspace,
}

/// Which way a learner's answer may differ from the solution where an [`Accept`] applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Leeway {
    /// The learner may allow what the solution denies (`may_allow:`).
    MayAllow,
    /// The learner may deny what the solution allows (`may_deny:`).
    MayDeny,
    /// Either (`may_differ:`): what the lesson does not grade at all, such as pods that
    /// cannot exist in its world.
    MayDiffer,
}

impl Leeway {
    /// Whether this leeway covers a learner allowing more (`opened`) or less.
    pub fn covers(self, opened: bool) -> bool {
        match self {
            Leeway::MayAllow => opened,
            Leeway::MayDeny => !opened,
            Leeway::MayDiffer => true,
        }
    }

    /// The field name in a lesson file.
    pub fn key(self) -> &'static str {
        match self {
            Leeway::MayAllow => "may_allow",
            Leeway::MayDeny => "may_deny",
            Leeway::MayDiffer => "may_differ",
        }
    }
}

/// A difference from the solution that a lesson declares acceptable, with its reason
/// ("53/TCP to kube-dns may stay closed").
#[derive(Clone, Debug, PartialEq)]
pub struct Accept {
    /// Why the difference is acceptable, shown to trainers.
    pub reason: String,
    /// Which way the learner may differ.
    pub leeway: Leeway,
    /// Senders it applies to.
    pub from: Pattern,
    /// Receivers it applies to.
    pub to: Pattern,
    /// The ports it applies to; `None` is every port of every protocol.
    pub ports: Option<Connections>,
    /// The connection as the file writes it (`*/* -> kube-system/kube-dns : 53/TCP`).
    pub text: String,
}

impl fmt::Display for Accept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = self.leeway.key().replace('_', " ");
        write!(f, "{verb} {} ({})", self.text, self.reason)
    }
}

/// A known wrong answer: a workspace a learner could well write, which the lesson must
/// refuse. Listing them is how a trainer proves the goal grades what the text teaches.
#[derive(Clone, Debug, PartialEq)]
pub struct WrongAnswer {
    /// What the learner did, in a few words (`two list items: OR instead of AND`).
    pub title: String,
    /// The goal line or constraint it must fail, when it fails one; without it, the wrong
    /// answer must differ from the solution on some probe.
    pub fails: Option<Failing>,
    /// The workspace the learner would end up with (the file gives it whole, or as a
    /// `patch` of the solution).
    pub workspace: Workspace,
}

/// What a wrong answer must fail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failing {
    /// A goal line, as written in the goal.
    Goal {
        /// The goal line, equal to one in [`Lesson::goal`].
        expectation: Expectation,
    },
    /// A constraint, as written in the constraints.
    Constraint {
        /// The constraint, equal to one in [`Lesson::constraints`].
        constraint: Constraint,
    },
}

impl fmt::Display for Failing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failing::Goal { expectation } => write!(f, "{expectation}"),
            Failing::Constraint { constraint } => write!(f, "constraint: {constraint}"),
        }
    }
}

/// A rule about how the goal may be reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Constraint {
    /// The policy must still exist with the spec it has in the start
    /// ("do not touch namespace-default").
    KeepPolicy {
        /// The namespace part of `keep_policy: namespace/name`.
        namespace: String,
        /// The name part of `keep_policy: namespace/name`.
        name: String,
    },
    /// Policies the learner wrote or changed select pods with `matchExpressions` only: no
    /// `matchLabels` in their `podSelector`s (Kustomize's `commonLabels` rewrites those).
    UseMatchExpressions,
    /// No NetworkPolicy in this namespace (the fix belongs elsewhere).
    NoPolicyIn {
        /// The namespace that must have no NetworkPolicy.
        namespace: String,
    },
    /// Every namespace keeps the labels it has in the start: the learner may not edit
    /// Namespaces (only the platform team labels them).
    KeepNamespaces,
    /// The ClusterNetworkPolicies stay as in the start: none added, removed or changed
    /// (the tiers are the platform team's; the learner works with NetworkPolicies).
    KeepClusterPolicies,
    /// One side of a connection denies it on its own, whatever the other side allows: the
    /// receiver's ingress (`ingress_denies`) or the sender's egress (`egress_denies`).
    /// Goal lines judge whole connections, so "restrict both sides" needs this.
    DeniedBy {
        /// The side that must deny.
        direction: Direction,
        /// The connection (its `allowed` is false).
        connection: Expectation,
    },
}

impl Constraint {
    /// One line for people (`do not change team-one-namespace/namespace-default`).
    pub fn describe(&self) -> String {
        match self {
            Constraint::KeepPolicy { namespace, name } => {
                format!("keep `{namespace}/{name}` exactly as it is")
            }
            Constraint::UseMatchExpressions => {
                "select pods with matchExpressions, not matchLabels, in the policies you write (or keep Kustomize out of selectors)"
                    .to_string()
            }
            Constraint::NoPolicyIn { namespace } => {
                format!("add no NetworkPolicy to `{namespace}`")
            }
            Constraint::KeepNamespaces => {
                "leave the Namespaces and their labels as they are".to_string()
            }
            Constraint::KeepClusterPolicies => {
                "leave the ClusterNetworkPolicies as they are".to_string()
            }
            Constraint::DeniedBy {
                direction,
                connection: c,
            } => {
                let (end, side) = match direction {
                    Direction::Ingress => (&c.to, "ingress"),
                    Direction::Egress => (&c.from, "egress"),
                };
                format!("`{end}` denies `{}` by its own {side}", c.connection())
            }
        }
    }
}

impl Constraint {
    /// True when the start must already keep it. Most constraints restrict *how* the goal
    /// is reached, so a start that breaks them is a broken lesson; a side that must deny
    /// on its own is part of the task, like a goal line.
    pub fn must_hold_at_start(&self) -> bool {
        !matches!(self, Constraint::DeniedBy { .. })
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The lesson list (`www/lessons/index.yaml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonIndex {
    /// The course title, if any.
    pub title: Option<String>,
    /// Lesson file names relative to the index, in teaching order.
    pub lessons: Vec<String>,
}
