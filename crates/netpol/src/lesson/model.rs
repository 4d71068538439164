//! The lesson model: what a lesson file says once it is read (start, goal, constraints,
//! hints, solution) and the lesson list.

use std::fmt;

use serde::Serialize;

use super::Expectation;
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
}

/// A rule about how the goal may be reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Constraint {
    /// The policy must still exist with the spec it has in the start
    /// ("do not touch namespace-default").
    KeepPolicy {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// Policies the learner wrote or changed select pods with `matchExpressions` only: no
    /// `matchLabels` in their `podSelector`s (Kustomize's `commonLabels` rewrites those).
    UseMatchExpressions,
    /// No NetworkPolicy in this namespace (the fix belongs elsewhere).
    NoPolicyIn {
        /// The namespace.
        namespace: String,
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
                "select pods with matchExpressions, not matchLabels, in the policies you write"
                    .to_string()
            }
            Constraint::NoPolicyIn { namespace } => {
                format!("add no NetworkPolicy to `{namespace}`")
            }
        }
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
