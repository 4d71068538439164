//! The checker: grades a learner's workspace against a lesson's goal and constraints.
//!
//! The checker never evaluates on its own: it runs [`crate::workspace::evaluate`] (the
//! same path the playground uses for manifests, drawn endpoints and arrows) and
//! [`crate::explain`] on the effective cluster, so what a lesson reports is exactly what
//! the playground shows.

use serde::Serialize;

use super::{Constraint, Expectation, Lesson};
use crate::diag::{Diagnostic, Severity};
use crate::endpoint::Endpoint;
use crate::eval::{explain, Explanation, Traffic};
use crate::model::{Cluster, Peer, Policy, Rule};
use crate::selector::Selector;
use crate::workspace::{self, Workspace};

/// The grade of one expectation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The expectation.
    pub expectation: Expectation,
    /// True when the workspace does what the expectation asks.
    pub met: bool,
    /// What the workspace does: true when the connection is allowed.
    pub actual: bool,
    /// The evidence: which policies isolate each side and which rules allow or miss.
    /// Present whenever both endpoints exist (met or not), so the UI can show why an
    /// unmet expectation fails and, on request, why a met one holds.
    pub explanation: Option<Explanation>,
    /// Why the expectation could not be evaluated (an endpoint that does not exist).
    pub error: Option<String>,
}

/// The grade of a whole workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// One per goal expectation, in goal order.
    pub outcomes: Vec<Outcome>,
    /// One per constraint, in lesson order: `Err` says what breaks it.
    pub constraints: Vec<(Constraint, Result<(), String>)>,
    /// True when every expectation is met, every constraint holds, the manifests load
    /// without errors and the arrows turn into policies.
    pub complete: bool,
    /// Problems in the workspace (manifest errors and lints), as the playground shows them.
    pub diagnostics: Vec<Diagnostic>,
    /// Why the arrows could not be turned into policies, when they could not.
    pub generate_error: Option<String>,
}

impl Report {
    /// How many expectations are met.
    pub fn met(&self) -> usize {
        self.outcomes.iter().filter(|o| o.met).count()
    }

    /// True when every expectation is met (constraints and errors aside).
    pub fn goal_met(&self) -> bool {
        self.outcomes.iter().all(|o| o.met)
    }
}

/// Grades a workspace against a lesson: evaluates it the way the playground does, then
/// each expectation (with its explanation) and each constraint.
pub fn check(lesson: &Lesson, ws: &Workspace) -> Report {
    check_evaluation(lesson, &workspace::evaluate(ws))
}

/// [`check`] for a workspace the caller has already evaluated (the playground evaluates
/// it anyway to draw the diagram).
pub fn check_evaluation(lesson: &Lesson, evaluation: &workspace::Evaluation) -> Report {
    let cluster = &evaluation.effective;
    let outcomes: Vec<Outcome> = lesson.goal.iter().map(|e| grade(cluster, e)).collect();
    // Constraints that compare with the start evaluate it the same way, so "unchanged"
    // means "what the start's manifests and arrows produce". Only those pay for it.
    let needs_start = lesson
        .constraints
        .iter()
        .any(|c| !matches!(c, Constraint::NoPolicyIn { .. }));
    let start = if needs_start {
        workspace::evaluate(&lesson.start).effective
    } else {
        Cluster::default()
    };
    let constraints: Vec<(Constraint, Result<(), String>)> = lesson
        .constraints
        .iter()
        .map(|c| (c.clone(), holds(c, &start, cluster)))
        .collect();
    let diagnostics: Vec<Diagnostic> = evaluation.diagnostics().cloned().collect();
    // Arrows that do not turn into policies must be reported, or the goal looks
    // unreachable for no visible reason.
    let generate_error = evaluation.generated.as_ref().err().map(|e| e.to_string());
    let complete = outcomes.iter().all(|o| o.met)
        && constraints.iter().all(|(_, r)| r.is_ok())
        && generate_error.is_none()
        && !diagnostics.iter().any(|d| d.severity == Severity::Error);
    Report {
        outcomes,
        constraints,
        complete,
        diagnostics,
        generate_error,
    }
}

fn grade(cluster: &Cluster, expectation: &Expectation) -> Outcome {
    let ends = Endpoint::parse(cluster, &expectation.from)
        .and_then(|from| Endpoint::parse(cluster, &expectation.to).map(|to| (from, to)));
    match ends {
        Ok((from, to)) => {
            let explanation = explain(
                cluster,
                &Traffic {
                    from,
                    to,
                    port: expectation.port,
                    protocol: expectation.protocol,
                },
            );
            let actual = explanation.allowed;
            Outcome {
                expectation: expectation.clone(),
                met: actual == expectation.allowed,
                actual,
                explanation: Some(explanation),
                error: None,
            }
        }
        Err(e) => Outcome {
            expectation: expectation.clone(),
            met: false,
            actual: false,
            explanation: None,
            error: Some(e.to_string()),
        },
    }
}

fn holds(constraint: &Constraint, start: &Cluster, now: &Cluster) -> Result<(), String> {
    match constraint {
        Constraint::KeepPolicy { namespace, name } => {
            let named = |c: &Cluster| -> Vec<Policy> {
                c.policies
                    .iter()
                    .filter(|p| &p.namespace == namespace && &p.name == name)
                    .cloned()
                    .collect()
            };
            let Some(original) = named(start).into_iter().next() else {
                return Err(format!(
                    "the lesson is broken: `{namespace}/{name}` is not in its start"
                ));
            };
            let current = named(now);
            if current.is_empty() {
                return Err(format!("`{namespace}/{name}` was deleted; put it back"));
            }
            // Every policy of that name counts: a second copy (edited, or generated) with
            // a different spec would change what the original does.
            if current.iter().all(|p| same_spec(p, &original)) {
                Ok(())
            } else {
                Err(format!(
                    "`{namespace}/{name}` was changed; undo the change and add a policy next to it instead"
                ))
            }
        }
        Constraint::UseMatchExpressions => {
            let offenders: Vec<String> = now
                .policies
                .iter()
                .filter(|p| {
                    !start
                        .policies
                        .iter()
                        .any(|s| s.id() == p.id() && same_spec(s, p))
                })
                .filter_map(|p| match_labels_at(p).map(|at| format!("`{}` ({at})", p.id())))
                .collect();
            if offenders.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "matchLabels in a podSelector of {}: write `matchExpressions: [{{key: ..., operator: In, values: [...]}}]`",
                    offenders.join(", ")
                ))
            }
        }
        Constraint::NoPolicyIn { namespace } => {
            let found: Vec<String> = now
                .policies
                .iter()
                .filter(|p| &p.namespace == namespace)
                .map(|p| format!("`{}`", p.name))
                .collect();
            if found.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{} in `{namespace}`: leave that namespace alone",
                    found.join(", ")
                ))
            }
        }
    }
}

/// Equal as far as behaviour goes: everything but where the policy was written.
fn same_spec(a: &Policy, b: &Policy) -> bool {
    fn rules(r: &[Rule]) -> Vec<(&Vec<Peer>, &Vec<crate::model::PolicyPort>)> {
        r.iter().map(|r| (&r.peers, &r.ports)).collect()
    }
    a.namespace == b.namespace
        && a.name == b.name
        && a.pod_selector == b.pod_selector
        && a.isolates_ingress == b.isolates_ingress
        && a.isolates_egress == b.isolates_egress
        && a.declared_types == b.declared_types
        && rules(&a.ingress) == rules(&b.ingress)
        && rules(&a.egress) == rules(&b.egress)
}

/// Where a policy selects pods with `matchLabels` (`spec.podSelector`,
/// `ingress[0].from[1]`), if anywhere.
fn match_labels_at(p: &Policy) -> Option<String> {
    let uses = |s: &Selector| !s.match_labels.is_empty();
    if uses(&p.pod_selector) {
        return Some("spec.podSelector".to_string());
    }
    for (direction, list, rules) in [("ingress", "from", &p.ingress), ("egress", "to", &p.egress)] {
        for (i, rule) in rules.iter().enumerate() {
            for (j, peer) in rule.peers.iter().enumerate() {
                if let Peer::Pods {
                    pod_selector: Some(s),
                    ..
                } = peer
                {
                    if uses(s) {
                        return Some(format!("{direction}[{i}].{list}[{j}].podSelector"));
                    }
                }
            }
        }
    }
    None
}
