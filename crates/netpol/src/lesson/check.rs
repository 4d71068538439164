//! The checker: grades a learner's workspace against a lesson. A workspace completes the
//! lesson when it behaves like the lesson's solution on every probe (`behaviour`), keeps the
//! lesson's constraints and loads without errors. The goal lines are the task as the
//! learner reads it and the checklist on the diagram; they are graded too, and a complete
//! workspace meets them all, but they no longer decide alone.
//!
//! The checker never evaluates on its own: it runs [`crate::workspace::evaluate`] (the
//! same path the playground uses for manifests, drawn endpoints and arrows),
//! [`crate::connectivity()`] and [`crate::explain`] on the effective cluster, so what a
//! lesson reports is exactly what the playground shows.

use serde::Serialize;

use super::behaviour::{Difference, Reference};
use super::model::{Failing, RightAnswer, WrongAnswer};
use super::{constraints, Constraint, Expectation, Lesson};
use crate::chain::{explain, Explanation};
use crate::diag::{Diagnostic, Severity};
use crate::endpoint::Endpoint;
use crate::model::Cluster;
use crate::traffic::Traffic;
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
    /// True when the workspace behaves like the solution on every probe, every
    /// expectation is met, every constraint holds, the manifests load without errors and
    /// the arrows turn into policies.
    pub complete: bool,
    /// The first way the workspace behaves differently from the lesson's solution, with
    /// its explanation; `None` when it behaves the same on every probe.
    pub difference: Option<Difference>,
    /// How many ordered pairs of endpoints (probes included) the workspace and the
    /// solution disagree on.
    pub differing_pairs: usize,
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
/// compares it with the solution, and grades each expectation (with its explanation) and
/// each constraint.
pub fn check(lesson: &Lesson, ws: &Workspace) -> Report {
    Grader::new(lesson).check(ws)
}

/// [`check`] for a workspace the caller has already evaluated (the playground evaluates
/// it anyway to draw the diagram).
pub fn check_evaluation(lesson: &Lesson, evaluation: &workspace::Evaluation) -> Report {
    Grader::new(lesson).check_evaluation(evaluation)
}

/// A lesson ready to grade many workspaces: the solution's side of the comparison is
/// computed once (the playground grades on every keystroke).
#[derive(Clone, Debug)]
pub struct Grader {
    lesson: Lesson,
    reference: Reference,
    /// The start evaluated, for the constraints that compare with it ("unchanged" means
    /// what the start's manifests and arrows produce); empty when none does.
    start: Cluster,
}

impl Grader {
    /// Evaluates the lesson's solution with its probes.
    pub fn new(lesson: &Lesson) -> Grader {
        let needs_start = lesson
            .constraints
            .iter()
            .any(Constraint::compares_with_start);
        let start = if needs_start {
            workspace::evaluate(&lesson.start).effective
        } else {
            Cluster::default()
        };
        Grader {
            lesson: lesson.clone(),
            reference: Reference::new(lesson),
            start,
        }
    }

    /// The lesson graded against.
    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// The comparison's reference: the probes and the solution's side.
    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    /// [`check`] with the solution's side reused.
    pub fn check(&self, ws: &Workspace) -> Report {
        self.check_evaluation(&workspace::evaluate(ws))
    }

    /// [`check_evaluation`] with the solution's side reused.
    pub fn check_evaluation(&self, evaluation: &workspace::Evaluation) -> Report {
        let comparison = self.reference.compare(evaluation);
        grade_evaluation(
            &self.lesson,
            &self.start,
            evaluation,
            comparison.first,
            comparison.pairs,
        )
    }
}

fn grade_evaluation(
    lesson: &Lesson,
    start: &Cluster,
    evaluation: &workspace::Evaluation,
    difference: Option<Difference>,
    differing_pairs: usize,
) -> Report {
    let cluster = &evaluation.effective;
    let outcomes: Vec<Outcome> = lesson.goal.iter().map(|e| grade(cluster, e)).collect();
    let constraints: Vec<(Constraint, Result<(), String>)> = lesson
        .constraints
        .iter()
        .map(|c| (c.clone(), constraints::holds(c, start, cluster)))
        .collect();
    let diagnostics: Vec<Diagnostic> = evaluation.diagnostics().cloned().collect();
    // Arrows that do not turn into policies must be reported, or the goal looks
    // unreachable for no visible reason.
    let generate_error = evaluation.generated.as_ref().err().map(|e| e.to_string());
    let complete = difference.is_none()
        && outcomes.iter().all(|o| o.met)
        && constraints.iter().all(|(_, r)| r.is_ok())
        && generate_error.is_none()
        && !diagnostics.iter().any(|d| d.severity == Severity::Error);
    Report {
        outcomes,
        constraints,
        complete,
        difference,
        differing_pairs,
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

/// Checks a known wrong answer: the grader must refuse it, for a reason of behaviour (a
/// difference from the solution, an unmet goal line or a broken constraint) rather than a
/// broken manifest, and it must fail what it says it fails, when it says. The report is
/// the grade a learner would see.
pub fn check_wrong_answer(lesson: &Lesson, wrong: &WrongAnswer) -> (Report, Result<(), String>) {
    Grader::new(lesson).check_wrong_answer(wrong)
}

/// Checks a known right answer: it must complete the lesson. The report is the grade a
/// learner would see.
pub fn check_right_answer(lesson: &Lesson, right: &RightAnswer) -> (Report, Result<(), String>) {
    Grader::new(lesson).check_right_answer(right)
}

impl Grader {
    /// [`check_wrong_answer`] with the solution's side reused.
    pub fn check_wrong_answer(&self, wrong: &WrongAnswer) -> (Report, Result<(), String>) {
        let report = self.check(&wrong.workspace);
        let verdict = judge_wrong_answer(&report, wrong.fails.as_ref());
        (report, verdict)
    }

    /// [`check_right_answer`] with the solution's side reused.
    pub fn check_right_answer(&self, right: &RightAnswer) -> (Report, Result<(), String>) {
        let report = self.check(&right.workspace);
        let verdict = if report.complete {
            Ok(())
        } else {
            Err(why_incomplete(&report))
        };
        (report, verdict)
    }
}

/// Why a report is not complete, in one line: the first reason a learner would be told.
pub fn why_incomplete(report: &Report) -> String {
    if let Some(e) = &report.generate_error {
        return format!("its arrows do not generate: {e}");
    }
    if let Some(d) = report
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    {
        return format!("its manifests have errors: {d}");
    }
    if let Some(d) = &report.difference {
        return d.message().to_string();
    }
    if let Some(o) = report.outcomes.iter().find(|o| !o.met) {
        return format!("`{}` is not met", o.expectation);
    }
    if let Some((c, Err(e))) = report.constraints.iter().find(|(_, r)| r.is_err()) {
        return format!("`{c}` is broken: {e}");
    }
    "it is complete".to_string()
}

fn judge_wrong_answer(report: &Report, fails: Option<&Failing>) -> Result<(), String> {
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
    if report.complete {
        let met = fails
            .map(|f| format!("`{f}` is met and "))
            .unwrap_or_default();
        return Err(format!(
            "{met}it completes the lesson: the grader lets this wrong answer through"
        ));
    }
    match fails {
        None => Ok(()),
        Some(Failing::Goal { expectation }) => {
            let outcome = report
                .outcomes
                .iter()
                .find(|o| &o.expectation == expectation);
            match outcome {
                None => Err(format!("`{expectation}` is not in the goal")),
                Some(o) if o.met => Err(format!(
                    "`{expectation}` is met, though the wrong answer says it fails it"
                )),
                Some(Outcome { error: Some(e), .. }) => Err(format!(
                    "`{expectation}` cannot be evaluated ({e}), so it fails for the wrong reason"
                )),
                Some(_) => Ok(()),
            }
        }
        Some(Failing::Constraint { constraint }) => {
            match report.constraints.iter().find(|(c, _)| c == constraint) {
                None => Err(format!("`{constraint}` is not a constraint of the lesson")),
                Some((_, Ok(()))) => Err(format!(
                    "`{constraint}` holds, though the wrong answer says it breaks it"
                )),
                Some((_, Err(_))) => Ok(()),
            }
        }
    }
}
