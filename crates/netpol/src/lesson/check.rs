//! The checker: grades a learner's workspace against a lesson's goal and constraints.
//!
//! The checker never evaluates on its own: it runs [`crate::workspace::evaluate`] (the
//! same path the playground uses for manifests, drawn endpoints and arrows) and
//! [`crate::explain`] on the effective cluster, so what a lesson reports is exactly what
//! the playground shows.

use serde::Serialize;

use super::model::{Failing, WrongAnswer};
use super::{constraints, Constraint, Expectation, Lesson};
use crate::diag::{Diagnostic, Severity};
use crate::endpoint::Endpoint;
use crate::eval::{explain, Explanation, Traffic};
use crate::model::Cluster;
use crate::workspace::{self, Workspace};

/// The grade of one expectation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The goal line graded, as the lesson writes it.
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
        .any(Constraint::compares_with_start);
    let start = if needs_start {
        workspace::evaluate(&lesson.start).effective
    } else {
        Cluster::default()
    };
    let constraints: Vec<(Constraint, Result<(), String>)> = lesson
        .constraints
        .iter()
        .map(|c| (c.clone(), constraints::holds(c, &start, cluster)))
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

/// The engine's explanation of the connection an expectation names, or why there is none
/// (an endpoint that does not exist).
pub(super) fn explain_expectation(
    cluster: &Cluster,
    expectation: &Expectation,
) -> Result<Explanation, String> {
    let from = Endpoint::parse(cluster, &expectation.from).map_err(|e| e.to_string())?;
    let to = Endpoint::parse(cluster, &expectation.to).map_err(|e| e.to_string())?;
    Ok(explain(
        cluster,
        &Traffic {
            from,
            to,
            port: expectation.port,
            protocol: expectation.protocol,
        },
    ))
}

fn grade(cluster: &Cluster, expectation: &Expectation) -> Outcome {
    match explain_expectation(cluster, expectation) {
        Ok(explanation) => {
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
            error: Some(e),
        },
    }
}

/// Checks a known wrong answer: it must fail what it says it fails, and for that reason
/// rather than a broken manifest. The report is the grade a learner would see.
pub fn check_wrong_answer(lesson: &Lesson, wrong: &WrongAnswer) -> (Report, Result<(), String>) {
    let report = check(lesson, &wrong.workspace);
    let verdict = judge_wrong_answer(&report, &wrong.fails);
    (report, verdict)
}

fn judge_wrong_answer(report: &Report, fails: &Failing) -> Result<(), String> {
    if let Some(e) = &report.generate_error {
        return Err(format!(
            "its arrows do not generate ({e}), so it fails for the wrong reason"
        ));
    }
    if let Some(d) = report
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    {
        return Err(format!(
            "its manifests have errors, so it fails for the wrong reason: {d}"
        ));
    }
    match fails {
        Failing::Goal { expectation } => {
            let outcome = report
                .outcomes
                .iter()
                .find(|o| &o.expectation == expectation);
            match outcome {
                None => Err(format!("`{expectation}` is not in the goal")),
                Some(o) if o.met => Err(format!(
                    "`{expectation}` is met: the lesson lets this wrong answer through"
                )),
                Some(Outcome { error: Some(e), .. }) => Err(format!(
                    "`{expectation}` cannot be evaluated ({e}), so it fails for the wrong reason"
                )),
                Some(_) => Ok(()),
            }
        }
        Failing::Constraint { constraint } => {
            match report.constraints.iter().find(|(c, _)| c == constraint) {
                None => Err(format!("`{constraint}` is not a constraint of the lesson")),
                Some((_, Ok(()))) => Err(format!(
                    "`{constraint}` holds: the lesson lets this wrong answer through"
                )),
                Some((_, Err(_))) => Ok(()),
            }
        }
    }
}
