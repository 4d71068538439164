//! `netpol lesson check FILE`: validates a lesson file for a trainer.
//!
//! A lesson is sound when it reads (the format check of [`netpol::lesson::parse_lesson`]),
//! its solution completes it, its start does not already meet its goal (a lesson that is
//! solved before the learner types anything teaches nothing), and every wrong answer it
//! lists fails the goal line or constraint it names (a goal that lets a wrong answer
//! through teaches it). The report lists every expectation of the start and the solution
//! as met or unmet, with the explanation of each unmet one, so a trainer sees what the
//! learner will see, then what each wrong answer fails.

use std::fmt::Write as _;
use std::path::Path;

use netpol::lesson::{check, check_wrong_answer, parse_lesson, Failing, Lesson, Report};
use netpol::{render, Severity};

/// Checks one lesson file. `Ok` is the report of a sound lesson; `Err` says what is wrong
/// (with the same report when the file reads but the lesson is unsound).
pub fn check_file(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let name = path.display().to_string();
    let lesson = parse_lesson(&name, &text).map_err(|diagnostics| {
        let mut out = format!("`{name}` is not a valid lesson file:\n");
        for d in diagnostics {
            let _ = writeln!(out, "  {d}");
        }
        out.trim_end().to_string()
    })?;
    let start = check(&lesson, &lesson.start);
    let solution = check(&lesson, &lesson.solution);
    let mut out = String::new();
    let _ = writeln!(out, "lesson `{}`: {}", lesson.id, lesson.title);
    let _ = writeln!(
        out,
        "  {}, {}, {}, {}",
        count(lesson.goal.len(), "expectation"),
        count(lesson.constraints.len(), "constraint"),
        count(lesson.hints.len(), "hint"),
        count(lesson.wrong_answers.len(), "wrong answer")
    );
    section(&mut out, "start", &lesson.start.manifests, &start);
    section(&mut out, "solution", &lesson.solution.manifests, &solution);
    let mut problems: Vec<String> = wrong_answers(&mut out, &lesson);
    if start.goal_met() {
        problems
            .push("the start already meets every expectation: the lesson asks for nothing".into());
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
        problems.push("the solution does not complete the lesson".into());
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
            "ok: the solution completes the lesson; the start and every wrong answer do not"
        );
        Ok(out)
    } else {
        for p in problems {
            let _ = writeln!(out, "error: {p}");
        }
        Err(out.trim_end().to_string())
    }
}

/// Grades each wrong answer, writes what it fails, and returns the problems: a wrong
/// answer the lesson lets through, or one that fails for another reason than it says.
fn wrong_answers(out: &mut String, lesson: &Lesson) -> Vec<String> {
    if lesson.wrong_answers.is_empty() {
        return Vec::new();
    }
    let _ = writeln!(out, "\nwrong answers:");
    let mut problems = Vec::new();
    for (i, wrong) in lesson.wrong_answers.iter().enumerate() {
        let (report, verdict) = check_wrong_answer(lesson, wrong);
        let n = i + 1;
        match verdict {
            Ok(()) => {
                let _ = writeln!(out, "  {n}. {}: fails as listed", wrong.title);
                let _ = writeln!(out, "        {}", wrong.fails);
            }
            Err(e) => {
                let _ = writeln!(out, "  {n}. {}: WRONG ANSWER NOT CAUGHT", wrong.title);
                let _ = writeln!(out, "        must fail: {}", wrong.fails);
                let _ = writeln!(out, "        {e}");
                problems.push(format!("wrong answer {n} ({}): {e}", wrong.title));
            }
        }
        // The other ways it falls short, so a trainer sees the whole picture.
        for o in report.outcomes.iter().filter(|o| !o.met) {
            if !matches!(&wrong.fails, Failing::Goal { expectation } if *expectation == o.expectation)
            {
                let _ = writeln!(out, "        also unmet: {}", o.expectation);
            }
        }
        for (c, r) in &report.constraints {
            let listed =
                matches!(&wrong.fails, Failing::Constraint { constraint } if constraint == c);
            if r.is_err() && !listed {
                let _ = writeln!(out, "        also broken: {c}");
            }
        }
    }
    problems
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
                assert!(!report.contains("NOT CAUGHT"), "{report}");
                n += 1;
            }
        }
        assert!(n >= 15);
    }

    #[test]
    fn a_wrong_answer_the_goal_lets_through_fails_the_check() {
        let dir = std::env::temp_dir().join(format!("netpol-wrong-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let shipped = std::fs::read_to_string(lessons().join("02-pod-1-to-pod-2.yaml")).unwrap();
        // Drop the goal line that catches `podSelector: {}`: the wrong answer now passes
        // the goal, and the check must say so and name it.
        let weakened = shipped.replace(
            "  - deny: \"team-one-namespace/batch -> team-one-namespace/pod-2 : 8080/TCP\"\n",
            "",
        );
        assert_ne!(weakened, shipped);
        let weakened = weakened.replace(
            "      deny: \"team-one-namespace/batch -> team-one-namespace/pod-2 : 8080/TCP\"",
            "      deny: \"team-one-namespace/pod-2 -> team-one-namespace/pod-1 : 8080/TCP\"",
        );
        let file = dir.join("weak.yaml");
        std::fs::write(&file, weakened).unwrap();
        let err = check_file(&file).unwrap_err();
        assert!(err.contains("WRONG ANSWER NOT CAUGHT"), "{err}");
        assert!(
            err.contains("error: wrong answer 1 (`podSelector: {}` admits every pod"),
            "{err}"
        );
        // The wrong answers that are still caught say which line they fail.
        assert!(
            err.contains("2. `namespaceSelector: {}` admits every pod of every namespace: fails as listed\n        deny sandbox/debug -> team-one-namespace/pod-2 : 8080/TCP"),
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
