//! `netpol lesson check FILE` validates a lesson file for a trainer; `netpol lesson grade
//! LESSON ANSWER` grades a learner's answer the way the playground does; `netpol lesson
//! show FILE` prints what the engine reads from a lesson file (each workspace whole, as JSON
//! for tools: the browser tests take a lesson's workspaces from it instead of reading the
//! file themselves).
//!
//! A lesson is sound when it reads (the format check of [`netpol::lesson::parse_lesson`]),
//! its solution completes it, its start does not (a lesson that is solved before the
//! learner types anything teaches nothing), every right answer it lists completes it, and
//! every wrong answer it lists is refused (for the goal line or constraint it names, when
//! it names one). The report lists every expectation of the start and the solution as met
//! or unmet, with the explanation of each unmet one, so a trainer sees what the learner
//! will see, then which probe catches each wrong answer.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;

use netpol::lesson::{
    parse_answer, parse_lesson, why_incomplete, Constraint, Difference, Expectation, Failing,
    Grader, Lesson, Report,
};
use netpol::workspace::Workspace;
use netpol::{render, Severity};
use serde::Serialize;

/// Reads and parses a lesson file; `Err` lists its problems with their places.
fn read_lesson(path: &Path) -> Result<Lesson, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let name = path.display().to_string();
    parse_lesson(&name, &text).map_err(|diagnostics| {
        let mut out = format!("`{name}` is not a valid lesson file:\n");
        for d in diagnostics {
            let _ = writeln!(out, "  {d}");
        }
        out.trim_end().to_string()
    })
}

/// Checks one lesson file. `Ok` is the report of a sound lesson; `Err` says what is wrong
/// (with the same report when the file reads but the lesson is unsound).
pub fn check_file(path: &Path) -> Result<String, String> {
    let lesson = read_lesson(path)?;
    let grader = Grader::new(&lesson);
    let start = grader.check(&lesson.start);
    let solution = grader.check(&lesson.solution);
    let mut out = String::new();
    let _ = writeln!(out, "lesson `{}`: {}", lesson.id, lesson.title);
    let _ = writeln!(
        out,
        "  {}, {}, {}, {}, {}, {}",
        count(lesson.goal.len(), "expectation"),
        count(lesson.constraints.len(), "constraint"),
        count(lesson.hints.len(), "hint"),
        count(lesson.right_answers.len(), "right answer"),
        count(lesson.wrong_answers.len(), "wrong answer"),
        count(lesson.accept.len(), "accepted difference")
    );
    let probes = grader.reference().probes();
    let _ = writeln!(
        out,
        "  graded on the lesson's endpoints and {} probe pods in {} namespaces ({} of them added), {} addresses and {} ports",
        probes.pods.len(),
        probes
            .pods
            .iter()
            .map(|p| p.pod.namespace.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        probes.namespaces.len(),
        probes.addresses.len(),
        probes.ports.len()
    );
    for a in &lesson.accept {
        let _ = writeln!(out, "  accepted: {a}");
    }
    section(&mut out, "start", &lesson.start.manifests, &start);
    section(&mut out, "solution", &lesson.solution.manifests, &solution);
    let mut problems: Vec<String> = right_answers(&mut out, &grader);
    problems.extend(wrong_answers(&mut out, &grader));
    if start.goal_met() {
        problems
            .push("the start already meets every expectation: the lesson asks for nothing".into());
    }
    if start.complete {
        problems.push("the start already completes the lesson: it asks for nothing".into());
    }
    if start
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        problems.push("the start's manifests have errors".into());
    }
    if start
        .constraints
        .iter()
        .any(|(c, r)| c.must_hold_at_start() && r.is_err())
    {
        problems.push("a constraint fails on the start itself".into());
    }
    if !solution.complete {
        problems.push(format!(
            "the solution does not complete the lesson: {}",
            why_incomplete(&solution)
        ));
    }
    if solution
        .diagnostics
        .iter()
        .any(|d| d.severity != Severity::Info)
    {
        // Not fatal (a lint may be new since the lesson was written), but learners copy
        // solutions, so the trainer should look.
        let _ = writeln!(
            out,
            "note: the linter has findings on the solution (listed above); learners copy solutions"
        );
    }
    if problems.is_empty() {
        let _ = write!(
            out,
            "ok: the solution and every right answer complete the lesson; the start and every wrong answer do not"
        );
        Ok(out)
    } else {
        for p in problems {
            let _ = writeln!(out, "error: {p}");
        }
        Err(out.trim_end().to_string())
    }
}

/// Grades each right answer and returns the problems: a right answer the grader refuses.
fn right_answers(out: &mut String, grader: &Grader) -> Vec<String> {
    let lesson = grader.lesson();
    if lesson.right_answers.is_empty() {
        return Vec::new();
    }
    let _ = writeln!(out, "\nright answers:");
    let mut problems = Vec::new();
    for (i, right) in lesson.right_answers.iter().enumerate() {
        let n = i + 1;
        match grader.check_right_answer(right).1 {
            Ok(()) => {
                let _ = writeln!(out, "  {n}. {}: completes the lesson", right.title);
            }
            Err(e) => {
                let _ = writeln!(out, "  {n}. {}: RIGHT ANSWER REFUSED", right.title);
                let _ = writeln!(out, "        {e}");
                problems.push(format!("right answer {n} ({}): {e}", right.title));
            }
        }
    }
    problems
}

/// Grades each wrong answer, writes what catches it (the first difference from the
/// solution, the goal line it fails), and returns the problems: a wrong answer the lesson
/// lets through, or one that fails for another reason than it says.
fn wrong_answers(out: &mut String, grader: &Grader) -> Vec<String> {
    let lesson = grader.lesson();
    if lesson.wrong_answers.is_empty() {
        return Vec::new();
    }
    let _ = writeln!(out, "\nwrong answers:");
    let mut problems = Vec::new();
    for (i, wrong) in lesson.wrong_answers.iter().enumerate() {
        let (report, verdict) = grader.check_wrong_answer(wrong);
        let n = i + 1;
        match verdict {
            Ok(()) => {
                let _ = writeln!(out, "  {n}. {}: refused", wrong.title);
                if let Some(fails) = &wrong.fails {
                    let _ = writeln!(out, "        fails {fails}");
                }
            }
            Err(e) => {
                let _ = writeln!(out, "  {n}. {}: WRONG ANSWER NOT CAUGHT", wrong.title);
                if let Some(fails) = &wrong.fails {
                    let _ = writeln!(out, "        must fail: {fails}");
                }
                let _ = writeln!(out, "        {e}");
                problems.push(format!("wrong answer {n} ({}): {e}", wrong.title));
            }
        }
        if let Some(d) = &report.difference {
            let _ = writeln!(out, "        caught by: {}", d.message());
        }
        // The other ways it falls short, so a trainer sees the whole picture.
        for o in report.outcomes.iter().filter(|o| !o.met) {
            if !matches!(&wrong.fails, Some(Failing::Goal { expectation }) if *expectation == o.expectation)
            {
                let _ = writeln!(out, "        also unmet: {}", o.expectation);
            }
        }
        for (c, r) in &report.constraints {
            let listed =
                matches!(&wrong.fails, Some(Failing::Constraint { constraint }) if constraint == c);
            if r.is_err() && !listed {
                let _ = writeln!(out, "        also broken: {c}");
            }
        }
    }
    problems
}

/// `netpol lesson grade LESSON ANSWER`: the grade a learner would get, as text or as the
/// report's JSON, and the exit code (0 done, 1 not done). Bad input is an `Err` (exit 2)
/// with the problems' places.
pub fn grade_file(lesson: &Path, answer: &str, json: bool) -> Result<(String, u8), String> {
    let lesson = read_lesson(lesson)?;
    let (name, text) = if answer == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        ("<stdin>".to_string(), text)
    } else {
        let text =
            std::fs::read_to_string(answer).map_err(|e| format!("cannot read `{answer}`: {e}"))?;
        (answer.to_string(), text)
    };
    let ws = parse_answer(&name, &text, &lesson).map_err(|diagnostics| {
        let mut out = format!("`{name}` is not a valid answer file:\n");
        for d in diagnostics {
            let _ = writeln!(out, "  {d}");
        }
        out.trim_end().to_string()
    })?;
    let report = Grader::new(&lesson).check(&ws);
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            format!(
                "  {name}: manifests line {}:{}: {}",
                d.line, d.column, d.message
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "`{name}` has manifests that do not load:\n{}",
            errors.join("\n")
        ));
    }
    let code = u8::from(!report.complete);
    if json {
        let body = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        return Ok((body, code));
    }
    Ok((grade_text(&lesson, &report), code))
}

/// The grade as a learner reads it: done, or the first thing that is not right and why.
fn grade_text(lesson: &Lesson, report: &Report) -> String {
    let mut out = String::new();
    if report.complete {
        let _ = write!(
            out,
            "done: `{}` behaves like the solution of “{}” on every probe",
            lesson.id, lesson.title
        );
        return out;
    }
    let _ = writeln!(out, "not done: {}", lesson.title);
    let _ = writeln!(out, "{}", why_incomplete(report));
    if let Some(Difference::Connection(d)) = &report.difference {
        let _ = writeln!(
            out,
            "\n{} pair{} of endpoints differ from the solution; the first, {} ports this way: {}",
            report.differing_pairs,
            if report.differing_pairs == 1 { "" } else { "s" },
            if d.learner_allows { "opened" } else { "closed" },
            d.ports
        );
        let _ = writeln!(out, "\nIn your workspace:");
        for line in render::explanation_text(&d.explanation).lines() {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out, "\nUnder the lesson's solution:");
        for line in render::explanation_text(&d.solution_explanation).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    for o in report.outcomes.iter().filter(|o| !o.met) {
        let _ = writeln!(out, "unmet goal: {}", o.expectation);
    }
    for (c, r) in &report.constraints {
        if let Err(e) = r {
            let _ = writeln!(out, "broken: {c}: {e}");
        }
    }
    out.trim_end().to_string()
}

/// `netpol lesson show FILE -o json`: the lesson as the engine reads it.
#[derive(Serialize)]
struct Shown<'a> {
    id: &'a str,
    title: &'a str,
    text: &'a str,
    goal: &'a [Expectation],
    constraints: &'a [Constraint],
    hints: &'a [String],
    /// The recorded flow log the playground loads with the start ("" when none).
    flows: &'a str,
    start: &'a Workspace,
    solution: &'a Workspace,
    right_answers: Vec<ShownAnswer<'a>>,
    wrong_answers: Vec<ShownAnswer<'a>>,
}

/// A right or wrong answer, its workspace whole (a `patch` of the solution applied, the
/// fields it leaves out taken from the start).
#[derive(Serialize)]
struct ShownAnswer<'a> {
    title: &'a str,
    /// Wrong answers only: `{"goal": i}` or `{"constraint": i}`, indexes into the lesson's
    /// `goal` and `constraints`; `null` when the answer names neither (a probe catches it).
    #[serde(skip_serializing_if = "Option::is_none")]
    fails: Option<Option<FailsAt>>,
    workspace: &'a Workspace,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum FailsAt {
    Goal(usize),
    Constraint(usize),
}

/// Where a wrong answer's `fails` is in the lesson (the reader only accepts a goal line or
/// constraint that is in it).
fn fails_at(lesson: &Lesson, fails: &Failing) -> Option<FailsAt> {
    match fails {
        Failing::Goal { expectation } => lesson
            .goal
            .iter()
            .position(|g| g == expectation)
            .map(FailsAt::Goal),
        Failing::Constraint { constraint } => lesson
            .constraints
            .iter()
            .position(|c| c == constraint)
            .map(FailsAt::Constraint),
    }
}

/// `netpol lesson show FILE`: the lesson as the engine reads it, as JSON (`json`) or a
/// summary for people.
pub fn show_file(path: &Path, json: bool) -> Result<String, String> {
    let lesson = read_lesson(path)?;
    if json {
        let shown = Shown {
            id: &lesson.id,
            title: &lesson.title,
            text: &lesson.text,
            goal: &lesson.goal,
            constraints: &lesson.constraints,
            hints: &lesson.hints,
            flows: &lesson.flows,
            start: &lesson.start,
            solution: &lesson.solution,
            right_answers: lesson
                .right_answers
                .iter()
                .map(|r| ShownAnswer {
                    title: &r.title,
                    fails: None,
                    workspace: &r.workspace,
                })
                .collect(),
            wrong_answers: lesson
                .wrong_answers
                .iter()
                .map(|w| {
                    let fails = match &w.fails {
                        None => None,
                        Some(f) => Some(fails_at(&lesson, f).ok_or_else(|| {
                            format!(
                                "wrong answer `{}` fails `{f}`, which is not in the lesson",
                                w.title
                            )
                        })?),
                    };
                    Ok(ShownAnswer {
                        title: &w.title,
                        fails: Some(fails),
                        workspace: &w.workspace,
                    })
                })
                .collect::<Result<_, String>>()?,
        };
        return serde_json::to_string_pretty(&shown).map_err(|e| e.to_string());
    }
    let mut out = String::new();
    let _ = writeln!(out, "lesson `{}`: {}", lesson.id, lesson.title);
    let _ = writeln!(out, "\ngoal:");
    for g in &lesson.goal {
        let _ = writeln!(out, "  {g}");
    }
    if !lesson.constraints.is_empty() {
        let _ = writeln!(out, "\nconstraints:");
        for c in &lesson.constraints {
            let _ = writeln!(out, "  {c}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "start: {}", holds(&lesson.start));
    let _ = writeln!(out, "solution: {}", holds(&lesson.solution));
    if !lesson.flows.is_empty() {
        let _ = writeln!(out, "flows: {} lines", lesson.flows.lines().count());
    }
    if !lesson.right_answers.is_empty() {
        let _ = writeln!(out, "\nright answers:");
        for (i, r) in lesson.right_answers.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}: {}", i + 1, r.title, holds(&r.workspace));
        }
    }
    if !lesson.wrong_answers.is_empty() {
        let _ = writeln!(out, "\nwrong answers:");
        for (i, w) in lesson.wrong_answers.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}: {}", i + 1, w.title, holds(&w.workspace));
            match &w.fails {
                Some(f) => {
                    let _ = writeln!(out, "        fails {f}");
                }
                None => {
                    let _ = writeln!(out, "        differs from the solution on a probe");
                }
            }
        }
    }
    Ok(out.trim_end().to_string())
}

/// What a workspace holds, in a few words: `12 lines of manifests, 2 arrows`.
fn holds(ws: &Workspace) -> String {
    let mut parts = vec![count(ws.manifests.lines().count(), "line") + " of manifests"];
    for (n, what) in [
        (ws.namespaces.len(), "drawn namespace"),
        (ws.pods.len(), "drawn pod"),
        (ws.externals.len(), "external"),
        (ws.arrows.len(), "arrow"),
    ] {
        if n > 0 {
            parts.push(count(n, what));
        }
    }
    parts.join(", ")
}

/// `1 hint`, `3 hints`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// One workspace's grade: each expectation, each constraint, its diagnostics.
fn section(out: &mut String, which: &str, manifests: &str, report: &Report) {
    let _ = writeln!(
        out,
        "\n{which}: {}/{} expectations met{}",
        report.met(),
        report.outcomes.len(),
        if report.complete { ", complete" } else { "" }
    );
    for o in &report.outcomes {
        let mark = if o.met { "met  " } else { "UNMET" };
        let _ = writeln!(out, "  {mark} {}", o.expectation);
        if o.met {
            continue;
        }
        if let Some(e) = &o.error {
            let _ = writeln!(out, "        {e}");
        } else if let Some(e) = &o.explanation {
            for line in render::explanation_text(e).lines() {
                let _ = writeln!(out, "        {line}");
            }
        }
    }
    for (c, r) in &report.constraints {
        match r {
            Ok(()) => {
                let _ = writeln!(out, "  ok    {c}");
            }
            Err(e) => {
                let _ = writeln!(out, "  BROKEN {c}: {e}");
            }
        }
    }
    if let Some(e) = &report.generate_error {
        let _ = writeln!(
            out,
            "  error: the arrows could not be turned into policies: {e}"
        );
    }
    for d in &report.diagnostics {
        // Manifest positions are inside the workspace's joined manifests, not the lesson
        // file: quote the line so it can be found in the file.
        let quoted = manifests
            .lines()
            .nth(d.line.saturating_sub(1))
            .map(str::trim)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}[{}] {which} manifests line {}: {}\n        > {quoted}",
            d.severity.as_str(),
            d.code,
            d.line,
            d.message
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lessons() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/lessons")
    }

    #[test]
    fn every_shipped_lesson_checks() {
        let mut n = 0;
        for entry in std::fs::read_dir(lessons()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") && !path.ends_with("index.yaml") {
                let report = check_file(&path).unwrap_or_else(|e| panic!("{e}"));
                assert!(report.contains("UNMET"), "{report}");
                assert!(report.ends_with("every wrong answer do not"), "{report}");
                assert!(!report.contains("REFUSED"), "{report}");
                assert!(!report.contains("NOT CAUGHT"), "{report}");
                n += 1;
            }
        }
        assert!(n >= 15);
    }

    #[test]
    fn a_wrong_answer_the_grader_lets_through_fails_the_check() {
        let dir = std::env::temp_dir().join(format!("netpol-wrong-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let shipped = std::fs::read_to_string(lessons().join("02-pod-1-to-pod-2.yaml")).unwrap();
        // Accept whatever reaches pod-2 from team-one-namespace and drop the goal line about
        // batch: the `podSelector: {}` wrong answer then behaves like the solution, and the
        // check must say so and name it.
        let goal_line =
            "  - deny: \"team-one-namespace/batch -> team-one-namespace/pod-2 : 8080/TCP\"\n";
        let weakened = shipped.replacen(goal_line, "", 1);
        assert_ne!(weakened, shipped);
        let weakened = weakened.replace(
            "    fails:\n      deny: \"team-one-namespace/batch -> team-one-namespace/pod-2 : 8080/TCP\"\n",
            "",
        )
        .replacen(
            "\naccept:\n",
            "\naccept:\n  - may_allow: \"team-one-namespace/* -> team-one-namespace/pod-2\"\n    reason: a test that weakens the lesson\n",
            1,
        );
        assert!(weakened.contains("a test that weakens"));
        let file = dir.join("weak.yaml");
        std::fs::write(&file, weakened).unwrap();
        let err = check_file(&file).unwrap_err();
        assert!(err.contains("WRONG ANSWER NOT CAUGHT"), "{err}");
        assert!(
            err.contains("error: wrong answer 1 (`podSelector: {}` admits every pod"),
            "{err}"
        );
        assert!(err.contains("it completes the lesson"), "{err}");
        // The wrong answers that are still caught say what catches them.
        assert!(
            err.contains("2. `namespaceSelector: {}` admits every pod of every namespace: refused\n        fails deny sandbox/debug -> team-one-namespace/pod-2 : 8080/TCP\n        caught by: Your policies let "),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_broken_file_is_an_error_with_places() {
        let dir = std::env::temp_dir().join(format!("netpol-lesson-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("broken.yaml");
        std::fs::write(&file, "id: x\ntitel: X\n").unwrap();
        let err = check_file(&file).unwrap_err();
        assert!(err.contains("broken.yaml:2:1"), "{err}");
        assert!(err.contains("did you mean `title`?"), "{err}");
        assert!(check_file(&dir.join("missing.yaml"))
            .unwrap_err()
            .contains("cannot read"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
