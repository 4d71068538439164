//! The lesson files under `www/lessons/` and the lesson checker.
//!
//! Every lesson file must pass the format check of `parse_lesson` (unknown and missing
//! fields are errors), be listed in `index.yaml`, have a solution that completes it, a
//! start that does not meet its goal, right answers that each complete it, and wrong
//! answers that the grader refuses, each for what it says it fails; a trainer who breaks
//! one finds out here, not in front of a room of new engineers. The rest unit-tests the
//! reader and the checker (grading by behaviour: probes, sides, accepted differences).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a panic is a failed test"
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use netpol::lesson::{
    check, check_evaluation, check_right_answer, check_wrong_answer, parse_answer, parse_index,
    parse_lesson, Constraint, Difference, Expectation, Failing, Grader, Leeway, Lesson,
};
use netpol::workspace::Workspace;
use netpol::{Protocol, Severity};

fn lessons_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/lessons")
}

/// Every lesson file (not the index), sorted by name.
fn lesson_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(lessons_dir())
        .expect("www/lessons exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") && !p.ends_with("index.yaml"))
        .collect();
    netpol::sorting::sort(&mut files);
    files
}

fn read(path: &Path) -> (String, Lesson) {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let text = fs::read_to_string(path).unwrap();
    match parse_lesson(&name, &text) {
        Ok(l) => (name, l),
        Err(d) => panic!(
            "{name} does not pass the format check:\n{}",
            d.iter()
                .map(|d| format!("  {d}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn all_lessons() -> Vec<(String, Lesson)> {
    lesson_files().iter().map(|p| read(p)).collect()
}

#[test]
fn there_are_at_least_fifteen_lessons() {
    assert!(lesson_files().len() >= 15, "{:?}", lesson_files());
}

#[test]
fn every_lesson_file_passes_the_format_check() {
    // `read` panics with every diagnostic of the first file that fails.
    let lessons = all_lessons();
    let ids: BTreeSet<&str> = lessons.iter().map(|(_, l)| l.id.as_str()).collect();
    assert_eq!(ids.len(), lessons.len(), "lesson ids must be unique");
    for (name, l) in &lessons {
        assert!(!l.goal.is_empty(), "{name}: empty goal");
        assert!(
            !l.hints.is_empty(),
            "{name}: a lesson for a classroom needs hints"
        );
    }
}

#[test]
fn the_index_lists_every_lesson_once_in_order() {
    let text = fs::read_to_string(lessons_dir().join("index.yaml")).unwrap();
    let index = parse_index("index.yaml", &text).unwrap_or_else(|d| panic!("{d:?}"));
    let on_disk: Vec<String> = lesson_files()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    let listed: BTreeSet<&String> = index.lessons.iter().collect();
    let present: BTreeSet<&String> = on_disk.iter().collect();
    assert_eq!(
        listed, present,
        "index.yaml and the files in www/lessons differ"
    );
    // The numbered file names give the teaching order; the index must agree with it.
    assert_eq!(index.lessons, on_disk);
}

#[test]
fn every_solution_completes_its_lesson() {
    for (name, l) in all_lessons() {
        let report = check(&l, &l.solution);
        let unmet: Vec<String> = report
            .outcomes
            .iter()
            .filter(|o| !o.met)
            .map(|o| format!("{} (actual: {}, {:?})", o.expectation, o.actual, o.error))
            .collect();
        let broken: Vec<String> = report
            .constraints
            .iter()
            .filter_map(|(c, r)| r.as_ref().err().map(|e| format!("{c}: {e}")))
            .collect();
        // Warnings too: a solution is what the learner copies, so it must not model
        // what the linter warns about.
        let errors: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .map(|d| d.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{name}: the solution has findings: {errors:#?}"
        );
        assert!(
            report.complete,
            "{name}: the solution does not complete the lesson\n unmet: {unmet:#?}\n constraints: {broken:#?}\n errors: {errors:#?}\n generate: {:?}",
            report.generate_error
        );
    }
}

#[test]
fn no_start_meets_its_goal() {
    for (name, l) in all_lessons() {
        let report = check(&l, &l.start);
        assert!(
            !report.goal_met(),
            "{name}: the start already meets every expectation"
        );
        // The start must be a sound place to begin: it loads, every endpoint the goal
        // names exists, and the constraints hold (a constraint broken before the learner
        // typed anything is a broken lesson).
        let errors: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{name}: the start has errors: {errors:#?}"
        );
        for o in &report.outcomes {
            assert!(
                o.error.is_none(),
                "{name}: {}: {:?}",
                o.expectation,
                o.error
            );
            if !o.met {
                assert!(
                    o.explanation.is_some(),
                    "{name}: unmet {} has no explanation",
                    o.expectation
                );
            }
        }
        for (c, r) in &report.constraints {
            assert!(
                r.is_ok() || !c.must_hold_at_start(),
                "{name}: `{c}` fails on the start: {r:?}"
            );
        }
    }
}

#[test]
fn every_wrong_answer_fails_what_it_says_it_fails() {
    let mut count = 0;
    for (name, l) in all_lessons() {
        for wrong in &l.wrong_answers {
            let (report, verdict) = check_wrong_answer(&l, wrong);
            assert!(
                verdict.is_ok(),
                "{name}: wrong answer `{}` is not caught: {:?}",
                wrong.title,
                verdict
            );
            assert!(!report.complete, "{name}: `{}` completes", wrong.title);
            count += 1;
        }
    }
    assert!(count >= 30, "{count} wrong answers in the course");
}

#[test]
fn every_right_answer_completes_its_lesson() {
    let mut count = 0;
    for (name, l) in all_lessons() {
        assert!(
            l.right_answers.len() >= 2,
            "{name}: {} right answers; list at least two",
            l.right_answers.len()
        );
        let grader = Grader::new(&l);
        for right in &l.right_answers {
            let (report, verdict) = grader.check_right_answer(right);
            assert!(
                verdict.is_ok(),
                "{name}: right answer `{}` is refused: {:?}",
                right.title,
                verdict
            );
            assert!(report.difference.is_none(), "{name}: `{}`", right.title);
            count += 1;
        }
    }
    assert!(count >= 40, "{count} right answers in the course");
}

#[test]
fn a_wrong_answer_without_a_goal_line_is_caught_on_a_probe() {
    // The course's wrong answers that meet every goal line: the grader must refuse each
    // for a difference from the solution, and name it.
    let mut count = 0;
    for (name, l) in all_lessons() {
        let grader = Grader::new(&l);
        for wrong in l.wrong_answers.iter().filter(|w| w.fails.is_none()) {
            let (report, verdict) = grader.check_wrong_answer(wrong);
            assert!(verdict.is_ok(), "{name}: `{}`: {verdict:?}", wrong.title);
            assert!(
                report.goal_met(),
                "{name}: `{}` fails a goal line: give it `fails:`",
                wrong.title
            );
            let d = report
                .difference
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: `{}`", wrong.title));
            assert!(d.message().starts_with("Your policies"), "{}", d.message());
            count += 1;
        }
    }
    assert!(
        count >= 30,
        "{count} probe-caught wrong answers in the course"
    );
}

#[test]
fn every_lesson_lists_at_least_two_wrong_answers() {
    // Every lesson has the learner write (or draw) a policy, and a goal that has never
    // refused a plausible wrong answer has not been shown to grade anything.
    for (name, l) in all_lessons() {
        assert!(
            l.wrong_answers.len() >= 2,
            "{name}: {} wrong answers",
            l.wrong_answers.len()
        );
    }
}

#[test]
fn every_lesson_ends_its_text_with_the_task_and_hints_start_with_the_explanation() {
    for (name, l) in all_lessons() {
        assert!(
            l.text.contains("**Your task:**"),
            "{name}: the text has no **Your task:** line"
        );
        // The first hint sends the learner to the evidence, not to the answer.
        let first = l
            .hints
            .first()
            .map(|h| h.to_lowercase())
            .unwrap_or_default();
        assert!(
            first.contains("explanation"),
            "{name}: the first hint does not point at the explanation: {first}"
        );
    }
}

#[test]
fn the_readme_documents_every_constraint_and_field() {
    let readme = fs::read_to_string(lessons_dir().join("README.md")).unwrap();
    for word in [
        "id",
        "title",
        "text",
        "start",
        "goal",
        "constraints",
        "hints",
        "solution",
        "manifests",
        "add_manifests",
        "namespaces",
        "pods",
        "externals",
        "arrows",
        "options",
        "keep_policy",
        "use_match_expressions",
        "no_policy_in",
        "keep_namespaces",
        "ingress_denies",
        "egress_denies",
        "allow",
        "deny",
        "wrong_answers",
        "fails",
        "patch",
        "replace",
        "with",
        "workspace",
        "netpol lesson check",
        "right_answers",
        "accept",
        "may_allow",
        "may_deny",
        "may_differ",
        "reason",
        "netpol lesson grade",
        "flows",
    ] {
        assert!(
            readme.contains(&format!("`{word}")),
            "README.md does not mention `{word}`"
        );
    }
}

#[test]
fn the_schema_has_the_fields_the_reader_accepts() {
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(lessons_dir().join("schema.json")).unwrap())
            .unwrap();
    let keys = |v: &serde_json::Value| -> BTreeSet<String> {
        v.as_object().unwrap().keys().cloned().collect()
    };
    assert_eq!(
        keys(&schema["properties"]),
        [
            "id",
            "title",
            "text",
            "start",
            "goal",
            "constraints",
            "hints",
            "solution",
            "wrong_answers",
            "right_answers",
            "accept",
            "flows"
        ]
        .map(String::from)
        .into()
    );
    let required: BTreeSet<String> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        required,
        ["id", "title", "text", "start", "goal", "solution"]
            .map(String::from)
            .into()
    );
    assert_eq!(schema["additionalProperties"], false);
    let defs = &schema["definitions"];
    assert_eq!(
        keys(&defs["WorkspaceFile"]["properties"]),
        [
            "manifests",
            "namespaces",
            "pods",
            "externals",
            "arrows",
            "options"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(
        keys(&defs["SolutionFile"]["properties"]),
        [
            "manifests",
            "add_manifests",
            "namespaces",
            "pods",
            "externals",
            "arrows",
            "options"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(
        keys(&defs["WrongAnswerFile"]["properties"]),
        ["title", "fails", "patch", "workspace"]
            .map(String::from)
            .into()
    );
    assert_eq!(
        keys(&defs["RightAnswerFile"]["properties"]),
        ["title", "patch", "workspace"].map(String::from).into()
    );
    assert_eq!(
        keys(&defs["AcceptFile"]["properties"]),
        ["may_allow", "may_deny", "may_differ", "reason"]
            .map(String::from)
            .into()
    );
}

// ---------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------

/// A two-pod namespace with a deny-all: the smallest cluster worth a lesson.
const CLUSTER: &str = "apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
";

const ALLOW_A_TO_B: &str = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-to-b, namespace: x}
spec:
  podSelector: {matchLabels: {app: a}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: b}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-a, namespace: x}
spec:
  podSelector: {matchLabels: {app: b}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: a}}}]}]
";

/// A lesson file around `start` and `solution` blocks (indented by the caller).
fn lesson_text(extra: &str) -> String {
    format!(
        "id: tiny
title: Tiny
text: Let a reach b.
start:
  manifests: |
{}
goal:
  - allow: \"x/a -> x/b : 80/TCP\"
  - deny: x/b -> x/a:80
constraints:
  - keep_policy: x/deny-all
hints: [Write two policies.]
solution:
  add_manifests: |
{}
{extra}",
        indent(CLUSTER),
        indent(ALLOW_A_TO_B)
    )
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn tiny() -> Lesson {
    parse_lesson("tiny.yaml", &lesson_text("")).unwrap_or_else(|d| panic!("{d:#?}"))
}

#[test]
fn reads_a_lesson_and_appends_add_manifests_to_the_start() {
    let l = tiny();
    assert_eq!(l.id, "tiny");
    assert_eq!(
        l.goal,
        vec![
            Expectation {
                from: "x/a".into(),
                to: "x/b".into(),
                port: 80,
                protocol: Protocol::Tcp,
                allowed: true
            },
            Expectation {
                from: "x/b".into(),
                to: "x/a".into(),
                port: 80,
                protocol: Protocol::Tcp,
                allowed: false
            },
        ]
    );
    assert_eq!(
        l.constraints,
        vec![Constraint::KeepPolicy {
            namespace: "x".into(),
            name: "deny-all".into()
        }]
    );
    assert!(l.solution.manifests.starts_with(&l.start.manifests));
    assert!(l.solution.manifests.contains("name: b-from-a"));
    assert!(check(&l, &l.solution).complete);
    assert!(!check(&l, &l.start).complete);
}

#[test]
fn an_unknown_field_is_named_with_its_place_and_a_suggestion() {
    let text = lesson_text("").replace("hints:", "hint:");
    let d = parse_lesson("tiny.yaml", &text).unwrap_err();
    let unknown = d.iter().find(|d| d.name == "unknown-field").unwrap();
    assert!(unknown.message.contains("`hint`"), "{unknown}");
    assert_eq!(unknown.help.as_deref(), Some("did you mean `hints`?"));
    let line = text.lines().position(|l| l.starts_with("hint:")).unwrap() + 1;
    assert_eq!((unknown.line, unknown.column), (line, 1), "{unknown}");
    assert_eq!(unknown.source, "tiny.yaml");
}

#[test]
fn a_missing_field_is_named() {
    let text = lesson_text("").replace("title: Tiny\n", "");
    let d = parse_lesson("tiny.yaml", &text).unwrap_err();
    assert!(
        d.iter()
            .any(|d| d.name == "missing-field" && d.message.contains("`title`")),
        "{d:#?}"
    );
}

#[test]
fn nested_mistakes_are_all_reported_at_their_places() {
    let text = lesson_text(
        "  arrows: [\"x/a => x/b\"]
  options: {selektor: matchLabels}",
    )
    .replace(
        "  - deny: x/b -> x/a:80",
        "  - deny: x/b -> x/a:eighty\n  - {from: x/a, to: x/b, port: 80}",
    )
    .replace("keep_policy: x/deny-all", "keep_polcy: x/deny-all");
    let d = parse_lesson("tiny.yaml", &text).unwrap_err();
    let messages: Vec<String> = d.iter().map(|d| d.to_string()).collect();
    let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
    assert!(
        has("`eighty` is a port name, not a port number"),
        "{messages:#?}"
    );
    assert!(has("missing required field `allowed`"), "{messages:#?}");
    assert!(
        has("unknown constraint `keep_polcy`") && has("did you mean `keep_policy`?"),
        "{messages:#?}"
    );
    // Workspace problems are found when the workspace is built, after the format check.
    let text = lesson_text("  arrows: [\"x/a => x/b\"]\n  options: {selektor: matchLabels}");
    let d = parse_lesson("tiny.yaml", &text).unwrap_err();
    let messages: Vec<String> = d.iter().map(|d| d.to_string()).collect();
    let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
    assert!(has("intent `x/a => x/b`"), "{messages:#?}");
    assert!(
        has("unknown option `selektor`") && has("`selector`"),
        "{messages:#?}"
    );
    let arrow_line = text.lines().position(|l| l.contains("=>")).unwrap() + 1;
    assert!(d.iter().any(|d| d.line == arrow_line), "{d:#?}");
}

#[test]
fn syntax_errors_and_wrong_types_are_diagnostics() {
    let d = parse_lesson("x.yaml", "id: [unclosed\n").unwrap_err();
    assert_eq!(d[0].name, "yaml-syntax");
    let d = parse_lesson("x.yaml", "- a list\n").unwrap_err();
    assert_eq!(d[0].name, "wrong-type");
    let d = parse_lesson("x.yaml", "").unwrap_err();
    assert_eq!(d[0].name, "missing-field");
    let text = lesson_text("").replace("id: tiny", "id: Tiny Lesson");
    let d = parse_lesson("x.yaml", &text).unwrap_err();
    assert!(d[0].message.contains("lowercase"), "{d:#?}");
}

#[test]
fn expectations_parse_in_every_spelling() {
    let e = Expectation::parse("ns/a → ip:8.8.8.8:53/udp", true).unwrap();
    assert_eq!(
        (e.to.as_str(), e.port, e.protocol),
        ("ip:8.8.8.8", 53, Protocol::Udp)
    );
    let e = Expectation::parse(" ns/a -> ns/b : 8080 ", false).unwrap();
    assert_eq!(
        (e.from.as_str(), e.to.as_str(), e.port),
        ("ns/a", "ns/b", 8080)
    );
    assert_eq!(e.to_string(), "deny ns/a -> ns/b : 8080/TCP");
    assert!(Expectation::parse("ns/a -> ns/b", true).is_err());
    assert!(Expectation::parse("ns/a ns/b : 80", true).is_err());
    assert!(Expectation::parse("ns/a -> ns/b : http", true).is_err());
    assert!(Expectation::parse("ns/a -> ns/b : 80/ICMP", true).is_err());
}

#[test]
fn parses_the_index() {
    let i = parse_index(
        "index.yaml",
        "title: Course\nlessons: [01-a.yaml, 02-b.yaml]\n",
    )
    .unwrap();
    assert_eq!(i.title.as_deref(), Some("Course"));
    assert_eq!(i.lessons, vec!["01-a.yaml", "02-b.yaml"]);
    assert!(parse_index("index.yaml", "lessons: [../etc/passwd.yaml]\n").is_err());
    assert!(parse_index("index.yaml", "lesons: []\n").is_err());
}

// ---------------------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------------------

fn with_manifests(l: &Lesson, manifests: String) -> Workspace {
    let mut ws = l.start.clone();
    ws.manifests = manifests;
    ws
}

#[test]
fn an_unmet_expectation_carries_its_explanation() {
    let l = tiny();
    let report = check(&l, &l.start);
    assert!(!report.complete);
    let first = &report.outcomes[0];
    assert!(!first.met && !first.actual);
    let why = first.explanation.as_ref().expect("an explanation");
    assert_eq!(why.from, "x/a");
    // Both sides are isolated by deny-all and nothing allows the connection.
    assert_eq!(why.egress.isolated_by[0].policy, "x/deny-all");
    assert!(why.egress.allowed_by.is_empty());
    // The deny expectation is met from the start.
    assert!(report.outcomes[1].met);
    assert_eq!(report.met(), 1);
}

#[test]
fn an_expectation_on_a_missing_pod_is_unmet_with_an_error() {
    let mut l = tiny();
    l.goal
        .push(Expectation::parse("x/c -> x/b : 80", false).unwrap());
    let report = check(&l, &l.solution);
    let last = report.outcomes.last().unwrap();
    assert!(!last.met && last.explanation.is_none());
    assert!(last.error.as_deref().unwrap().contains("x/c"), "{last:?}");
    assert!(!report.complete);
}

#[test]
fn changing_a_kept_policy_breaks_the_constraint() {
    let l = tiny();
    // Reaching the goal by weakening deny-all instead of adding policies.
    let weakened = l.start.manifests.replace(
        "spec: {podSelector: {}, policyTypes: [Ingress, Egress]}",
        "spec: {podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{}], egress: [{}]}",
    );
    let report = check(&l, &with_manifests(&l, weakened));
    let (c, r) = &report.constraints[0];
    assert!(matches!(c, Constraint::KeepPolicy { .. }));
    assert!(r.as_ref().unwrap_err().contains("was changed"), "{r:?}");
    assert!(!report.complete);
    // Deleting it is reported as such.
    let deleted = l
        .solution
        .manifests
        .replace("name: deny-all", "name: something-else");
    let report = check(&l, &with_manifests(&l, deleted));
    assert!(report.goal_met(), "the goal itself is met");
    assert!(report.constraints[0]
        .1
        .as_ref()
        .unwrap_err()
        .contains("deleted"));
    assert!(!report.complete);
    // Moving it around in the text (a different place, the same spec) is fine.
    let moved = format!("{ALLOW_A_TO_B}---\n{CLUSTER}");
    let report = check(&l, &with_manifests(&l, moved));
    assert!(report.complete, "{:#?}", report.constraints);
}

#[test]
fn match_expressions_are_required_of_changed_policies_only() {
    let mut l = tiny();
    l.constraints = vec![Constraint::UseMatchExpressions];
    let report = check(&l, &l.solution);
    let err = report.constraints[0].1.as_ref().unwrap_err();
    assert!(
        err.contains("x/a-to-b") && err.contains("spec.podSelector"),
        "{err}"
    );
    assert!(
        !err.contains("deny-all"),
        "unchanged policies are not the learner's: {err}"
    );
    assert!(!report.complete);
    let expressions = ALLOW_A_TO_B
        .replace(
            "{matchLabels: {app: a}}",
            "{matchExpressions: [{key: app, operator: In, values: [a]}]}",
        )
        .replace(
            "{matchLabels: {app: b}}",
            "{matchExpressions: [{key: app, operator: In, values: [b]}]}",
        );
    let ws = with_manifests(&l, format!("{CLUSTER}---\n{expressions}"));
    let report = check(&l, &ws);
    assert!(report.complete, "{report:#?}");
}

#[test]
fn no_policy_in_a_namespace() {
    let mut l = tiny();
    l.constraints = vec![Constraint::NoPolicyIn {
        namespace: "x".into(),
    }];
    let report = check(&l, &l.solution);
    let err = report.constraints[0].1.as_ref().unwrap_err();
    assert!(err.contains("`deny-all`") && err.contains("`x`"), "{err}");
}

#[test]
fn errors_in_the_manifests_keep_a_lesson_incomplete() {
    let l = tiny();
    let broken = format!("{}---\nkind: [\n", l.solution.manifests);
    let report = check(&l, &with_manifests(&l, broken));
    assert!(report.goal_met());
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error));
    assert!(!report.complete);
}

#[test]
fn arrows_count_like_written_policies() {
    let text = lesson_text("").replace(
        "solution:\n  add_manifests: |",
        "solution:\n  arrows: [\"x/a -> x/b:80/TCP\"]\n  unused: |",
    );
    // `unused` is not a field: the reader says so.
    assert!(parse_lesson("tiny.yaml", &text).is_err());
    let text = {
        let cut = text.find("  unused: |").unwrap();
        text[..cut].to_string()
    };
    let l = parse_lesson("tiny.yaml", &text).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(l.solution.arrows.len(), 1);
    assert_eq!(
        l.solution.manifests, l.start.manifests,
        "a solution inherits the start's manifests"
    );
    let report = check(&l, &l.solution);
    assert!(report.complete, "{report:#?}");
}

fn shipped(file: &str) -> Lesson {
    read(&lessons_dir().join(file)).1
}

fn with_arrows(l: &Lesson, arrows: &[&str]) -> Workspace {
    let mut ws = l.start.clone();
    ws.arrows = arrows
        .iter()
        .map(|a| netpol::generate::parse_intent(a).unwrap())
        .collect();
    ws
}

#[test]
fn the_first_lessons_can_be_completed_by_drawing_arrows() {
    // The browser tests complete lesson 2 by drawing; the generated policies must be
    // enough on their own, next to what the start already has. They open only the port
    // drawn, which lesson 2 accepts (its `accept:` list).
    let l = shipped("02-pod-1-to-pod-2.yaml");
    let report = check(
        &l,
        &with_arrows(
            &l,
            &["team-one-namespace/pod-1 -> team-one-namespace/pod-2:8080/TCP"],
        ),
    );
    assert!(report.complete, "{report:#?}");
    // In lesson 3 an arrow meets the goal, but leaves the colleague's broken rule in place:
    // pod-2's egress still admits a pod labelled `app: pod-3` of its own namespace, which
    // the solution's does not. Graded side by side, that is a difference, with its reason.
    let l = shipped("03-cross-namespace.yaml");
    let report = check(
        &l,
        &with_arrows(
            &l,
            &["team-one-namespace/pod-2 -> team-two-namespace/pod-3:8080/TCP"],
        ),
    );
    assert!(report.goal_met(), "{report:#?}");
    assert!(!report.complete);
    let Some(Difference::Connection(d)) = &report.difference else {
        panic!("{report:#?}");
    };
    assert_eq!(d.side, Some(netpol::Direction::Egress), "{}", d.message);
    assert_eq!(d.from, "team-one-namespace/pod-2");
    assert!(d.to.starts_with("team-one-namespace/probe-"), "{}", d.to);
    // A wrong arrow leaves the lesson open, with the reason on the unmet expectation.
    let report = check(
        &l,
        &with_arrows(
            &l,
            &["team-one-namespace/pod-1 -> team-two-namespace/pod-3:8080/TCP"],
        ),
    );
    assert!(!report.complete);
    let unmet: Vec<_> = report.outcomes.iter().filter(|o| !o.met).collect();
    assert!(unmet.iter().all(|o| o.explanation.is_some()));
}

#[test]
fn generated_policies_follow_the_selector_constraint() {
    let l = shipped("17-kustomize.yaml");
    let arrow = "team-one-namespace/pod-2 -> team-two-namespace/pod-3:8080/TCP";
    let mut ws = with_arrows(&l, &[arrow]);
    let report = check(&l, &ws);
    assert!(report.goal_met(), "{report:#?}");
    assert!(
        !report.complete,
        "generated matchLabels break use_match_expressions"
    );
    ws.options.selector = netpol::generate::SelectorStyle::Expressions;
    let report = check(&l, &ws);
    assert!(report.complete, "{report:#?}");
}

#[test]
fn checking_an_evaluation_is_checking_the_workspace() {
    let l = shipped("04-and-or.yaml");
    for ws in [&l.start, &l.solution] {
        let evaluation = netpol::workspace::evaluate(ws);
        assert_eq!(check_evaluation(&l, &evaluation), check(&l, ws));
    }
}

#[test]
fn goals_that_say_nothing_are_rejected() {
    let text = lesson_text("").replace(
        "  - allow: \"x/a -> x/b : 80/TCP\"\n  - deny: x/b -> x/a:80\n",
        "",
    );
    let d = parse_lesson("tiny.yaml", &text).unwrap_err();
    assert!(d[0].message.contains("the goal is empty"), "{d:#?}");
    let text = lesson_text("").replace("deny: x/b -> x/a:80", "deny: x/a -> x/a:80");
    let d = parse_lesson("tiny.yaml", &text).unwrap_err();
    assert!(d[0].message.contains("talk to itself"), "{d:#?}");
    let text = lesson_text("").replace("deny: x/b -> x/a:80", "deny: x/a -> x/b:80");
    let d = parse_lesson("tiny.yaml", &text).unwrap_err();
    assert!(d[0].message.contains("already in the goal"), "{d:#?}");
}

#[test]
fn drawn_pods_and_namespaces_are_part_of_the_workspace() {
    let text = "id: drawn
title: Drawn
text: Pods drawn on the diagram, no manifests at all.
start:
  namespaces:
    - {name: shop, labels: {team: shop}}
  pods:
    - {namespace: shop, name: web, labels: {app: web}}
    - {namespace: shop, name: db, labels: {app: db}}
  externals: [\"ip:8.8.8.8\"]
goal:
  - deny: shop/db -> shop/web:80
  - allow: \"shop/web -> shop/db : 5432\"
solution:
  arrows: [\"shop/web -> shop/db:5432/TCP\"]
  options: {baseline: deny-all, selector: matchExpressions, dns: true}
";
    let l = parse_lesson("drawn.yaml", text).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(l.start.pods.len(), 2);
    assert_eq!(l.solution.pods, l.start.pods, "inherited from the start");
    assert_eq!(l.start.namespaces[0].labels["team"], "shop");
    assert_eq!(
        l.solution.options.baseline,
        netpol::generate::Baseline::DenyAll
    );
    assert!(l.solution.options.dns);
    // With nothing isolated, the start allows db -> web; the deny-all baseline fixes it.
    assert!(!check(&l, &l.start).goal_met());
    let report = check(&l, &l.solution);
    assert!(report.complete, "{report:#?}");
    // A typo in a drawn pod's field is named.
    let d = parse_lesson(
        "drawn.yaml",
        &text.replace("{namespace: shop, name: db", "{namespace: shop, nam: db"),
    )
    .unwrap_err();
    assert!(
        d.iter().any(|d| d.message.contains("unknown field `nam`")),
        "{d:#?}"
    );
    // So is a missing one (a pod's first mistake is its only one reported).
    let d = parse_lesson(
        "drawn.yaml",
        &text.replace("{namespace: shop, name: db", "{namespace: shop"),
    )
    .unwrap_err();
    assert!(
        d.iter()
            .any(|d| d.message.contains("missing required field `name`")),
        "{d:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// Wrong answers and the constraints that judge one side of a connection
// ---------------------------------------------------------------------------------------

/// The tiny lesson with wrong answers appended (indented by the caller).
fn with_wrong_answers(wrong: &str) -> Result<Lesson, Vec<netpol::Diagnostic>> {
    parse_lesson(
        "tiny.yaml",
        &format!("{}wrong_answers:\n{wrong}", lesson_text("")),
    )
}

#[test]
fn wrong_answers_are_read_as_patches_or_workspaces() {
    let l = with_wrong_answers(
        "  - title: a only
    fails: {allow: \"x/a -> x/b : 80/TCP\"}
    patch:
      - replace: \"ingress: [{from: [{podSelector: {matchLabels: {app: a}}}]}]\"
        with: \"ingress: []\"
  - title: deny-all deleted
    fails: {keep_policy: x/deny-all}
    workspace:
      add_manifests: \"\"
",
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(l.wrong_answers.len(), 2);
    let patched = &l.wrong_answers[0];
    assert!(patched.workspace.manifests.contains("ingress: []"));
    assert!(!patched
        .workspace
        .manifests
        .contains("matchLabels: {app: a}}}]}]"));
    assert_eq!(
        patched.fails,
        Some(Failing::Goal {
            expectation: l.goal[0].clone()
        })
    );
    let (report, verdict) = check_wrong_answer(&l, patched);
    assert_eq!(verdict, Ok(()), "{report:#?}");
    assert!(!report.outcomes[0].met);
    // The second "wrong answer" is the start itself: it keeps deny-all, so the constraint
    // it names holds and the checker says the lesson lets it through.
    let (_, verdict) = check_wrong_answer(&l, &l.wrong_answers[1]);
    assert!(verdict.unwrap_err().contains("holds"));
}

#[test]
fn a_wrong_answer_that_completes_the_lesson_is_reported() {
    let l = with_wrong_answers(&format!(
        "  - title: the solution itself
    fails: {{allow: \"x/a -> x/b : 80/TCP\"}}
    workspace:
      add_manifests: |
{}
",
        indent(&indent(ALLOW_A_TO_B))
    ))
    .unwrap_or_else(|d| panic!("{d:#?}"));
    let (report, verdict) = check_wrong_answer(&l, &l.wrong_answers[0]);
    assert!(report.complete);
    let err = verdict.unwrap_err();
    assert!(
        err.contains("is met") && err.contains("lets this wrong answer through"),
        "{err}"
    );
}

#[test]
fn a_wrong_answer_that_fails_for_a_broken_manifest_is_reported() {
    let l = with_wrong_answers(
        "  - title: broken YAML
    fails: {allow: \"x/a -> x/b : 80/TCP\"}
    workspace:
      add_manifests: \"kind: [\"
",
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    let (_, verdict) = check_wrong_answer(&l, &l.wrong_answers[0]);
    assert!(verdict.unwrap_err().contains("wrong reason"));
}

#[test]
fn wrong_answers_must_name_a_goal_line_or_constraint_and_patch_the_solution() {
    let d = with_wrong_answers(
        "  - title: not in the goal
    fails: {deny: \"x/a -> x/b : 81/TCP\"}
    patch: [{replace: \"kind: Pod\", with: \"kind: Pod\"}]
  - title: not a constraint of this lesson
    fails: use_match_expressions
    patch: [{replace: \"no such line\", with: \"\"}]
  - title: both
    fails: {keep_policy: x/deny-all}
    patch: []
    workspace: {}
  - titel: typo
    fails: {keep_policy: x/deny-all}
    workspace: {}
",
    )
    .unwrap_err();
    let messages: Vec<String> = d.iter().map(|d| d.to_string()).collect();
    let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
    assert!(has("is not a line of the goal"), "{messages:#?}");
    assert!(
        has("is not one of the lesson's constraints"),
        "{messages:#?}"
    );
    assert!(
        has("the solution has no lines `no such line`"),
        "{messages:#?}"
    );
    // `kind: Pod` is in the solution twice: a patch must name one place.
    assert!(has("occurs 2 times"), "{messages:#?}");
    assert!(has("not both"), "{messages:#?}");
    assert!(
        has("unknown field `titel`") && has("`title`"),
        "{messages:#?}"
    );
    // Each at its line.
    let text = format!("{}wrong_answers:\n", lesson_text(""));
    let first = text.lines().count() + 2;
    assert!(
        d.iter()
            .any(|d| d.line == first && d.message.contains("not a line of the goal")),
        "{d:#?}"
    );
}

#[test]
fn keep_namespaces_compares_namespace_labels_with_the_start() {
    let text = lesson_text("")
        .replace(
            "  manifests: |\n",
            "  manifests: |\n    apiVersion: v1\n    kind: Namespace\n    metadata: {name: x}\n    ---\n",
        )
        .replace("  - keep_policy: x/deny-all", "  - keep_namespaces");
    let l = parse_lesson("tiny.yaml", &text).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(l.constraints, vec![Constraint::KeepNamespaces]);
    assert!(check(&l, &l.solution).complete);
    let relabelled = l.solution.manifests.replace(
        "metadata: {name: x}",
        "metadata: {name: x, labels: {name: x}}",
    );
    let report = check(&l, &with_manifests(&l, relabelled));
    let err = report.constraints[0].1.as_ref().unwrap_err();
    assert!(err.contains("`x` was relabelled"), "{err}");
    let removed = l.solution.manifests.replace(
        "kind: Namespace\nmetadata: {name: x}",
        "kind: Namespace\nmetadata: {name: y}",
    );
    let report = check(&l, &with_manifests(&l, removed));
    assert!(report.constraints[0]
        .1
        .as_ref()
        .unwrap_err()
        .contains("`x` was removed"));
}

#[test]
fn a_side_that_must_deny_on_its_own_is_checked_alone() {
    let text = lesson_text("").replace(
        "  - keep_policy: x/deny-all",
        "  - ingress_denies: \"x/a -> x/b : 81/TCP\"\n  - egress_denies: x/a -> x/b:81",
    );
    let l = parse_lesson("tiny.yaml", &text).unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(matches!(
        &l.constraints[0],
        Constraint::DeniedBy { direction: netpol::Direction::Ingress, connection } if connection.port == 81
    ));
    assert!(!l.constraints[0].must_hold_at_start());
    assert_eq!(
        l.constraints[0].to_string(),
        "`x/b` denies `x/a -> x/b : 81/TCP` by its own ingress"
    );
    // The solution allows a -> b on every port, on both sides.
    let report = check(&l, &l.solution);
    for (c, r) in &report.constraints {
        let err = r.as_ref().unwrap_err();
        assert!(err.contains("lets it through"), "{c}: {err}");
    }
    // Ports on b's ingress only: the ingress constraint holds, the egress one does not.
    let narrowed = l.solution.manifests.replace(
        "ingress: [{from: [{podSelector: {matchLabels: {app: a}}}]}]",
        "ingress: [{from: [{podSelector: {matchLabels: {app: a}}}], ports: [{port: 80}]}]",
    );
    let report = check(&l, &with_manifests(&l, narrowed.clone()));
    assert_eq!(report.constraints[0].1, Ok(()));
    assert!(report.constraints[1].1.is_err());
    // A pod that no policy isolates cannot deny anything on its own.
    let open = CLUSTER.replace(
        "spec: {podSelector: {}, policyTypes: [Ingress, Egress]}",
        "spec: {podSelector: {matchLabels: {app: none}}}",
    );
    let report = check(&l, &with_manifests(&l, open));
    assert!(report.constraints[0]
        .1
        .as_ref()
        .unwrap_err()
        .contains("no policy isolates `x/b`"));
    // b's ingress denies port 81, but an Admin Accept decides before any NetworkPolicy:
    // the side lets it through, whatever the NetworkPolicy evidence says.
    let admin_accept = format!(
        "{narrowed}\n---\n{}",
        "apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: accept-all}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {}}
  ingress: [{name: all, action: Accept, from: [{namespaces: {}}]}]"
    );
    let report = check(&l, &with_manifests(&l, admin_accept));
    let err = report.constraints[0].1.as_ref().unwrap_err();
    assert!(
        err.contains("Admin tier's `accept-all` accepts it"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------
// Grading by behaviour
// ---------------------------------------------------------------------------------------

/// The tiny lesson with `extra` top-level fields (right answers, accepted differences).
fn with_extra(extra: &str) -> Result<Lesson, Vec<netpol::Diagnostic>> {
    parse_lesson("extra.yaml", &format!("{}{extra}", lesson_text("")))
}

/// The tiny lesson's solution with `from` for b's ingress peer instead of `app: a`.
fn admitting(l: &Lesson, from: &str) -> Workspace {
    let mut ws = l.solution.clone();
    ws.manifests = ws.manifests.replace(
        "ingress: [{from: [{podSelector: {matchLabels: {app: a}}}]}]",
        &format!("ingress: [{{from: [{from}]}}]"),
    );
    assert_ne!(ws.manifests, l.solution.manifests);
    ws
}

#[test]
fn an_ingress_that_admits_too_much_is_refused_though_egress_denies_today() {
    // deny-all closes every pod's egress in x, so `podSelector: {}` on b's ingress changes
    // no connection: the grader compares each side and still refuses it.
    let l = tiny();
    let report = check(&l, &admitting(&l, "{podSelector: {}}"));
    assert!(report.goal_met());
    assert!(!report.complete);
    let Some(Difference::Connection(d)) = &report.difference else {
        panic!("{report:#?}");
    };
    assert_eq!(d.side, Some(netpol::Direction::Ingress));
    assert!(d.learner_allows);
    assert_eq!(d.to, "x/b");
    assert!(d.from.starts_with("x/probe-"), "{}", d.from);
    assert!(
        d.message.contains("(its ingress)")
            && d.message
                .contains("denied today only by the sender's egress"),
        "{}",
        d.message
    );
    assert!(!d.explanation.ingress.allowed_by.is_empty());
    assert!(d.solution_explanation.ingress.allowed_by.is_empty());
}

#[test]
fn a_namespace_selector_admits_impostors_in_other_namespaces() {
    let l = tiny();
    let report = check(
        &l,
        &admitting(
            &l,
            "{namespaceSelector: {}, podSelector: {matchLabels: {app: a}}}",
        ),
    );
    let Some(Difference::Connection(d)) = &report.difference else {
        panic!("{report:#?}");
    };
    assert_eq!(d.to, "x/b");
    assert_eq!(d.from, "probe-other-namespace/probe-app-a", "{}", d.message);
    assert!(
        d.message
            .contains("a pod labelled `app: a` in `probe-other-namespace`"),
        "{}",
        d.message
    );
    assert_eq!(d.probes.len(), 1);
    assert_eq!(d.probes[0].labels.get("app").map(String::as_str), Some("a"));
}

#[test]
fn right_answers_and_accepted_differences_are_read_and_graded() {
    let l = with_extra(&format!(
        "right_answers:
  - title: matchExpressions
    patch:
      - replace: \"ingress: [{{from: [{{podSelector: {{matchLabels: {{app: a}}}}}}]}}]\"
        with: \"ingress: [{{from: [{{podSelector: {{matchExpressions: [{{key: app, operator: In, values: [a]}}]}}}}]}}]\"
  - title: one port only
    workspace:
      add_manifests: |
{}
accept:
  - may_deny: \"x/a -> x/b\"
    reason: the goal names 80/TCP; closing the rest is stricter
",
        indent(&indent(&ALLOW_A_TO_B.replace(
            "ingress: [{from: [{podSelector: {matchLabels: {app: a}}}]}]",
            "ingress: [{from: [{podSelector: {matchLabels: {app: a}}}], ports: [{port: 80}]}]"
        )))
    ))
    .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(l.right_answers.len(), 2);
    assert_eq!(l.accept.len(), 1);
    assert_eq!(l.accept[0].leeway, Leeway::MayDeny);
    for right in &l.right_answers {
        let (report, verdict) = check_right_answer(&l, right);
        assert_eq!(verdict, Ok(()), "{}: {report:#?}", right.title);
    }
    // Without the accepted difference, the port-only answer is refused, at a port it closes.
    let mut strict = l.clone();
    strict.accept.clear();
    let (report, verdict) = check_right_answer(&strict, &strict.right_answers[1]);
    assert!(verdict
        .unwrap_err()
        .contains("the lesson's solution allows it"));
    let Some(Difference::Connection(d)) = &report.difference else {
        panic!("{report:#?}");
    };
    assert!(
        !d.learner_allows && (d.port, d.protocol) != (80, netpol::Protocol::Tcp),
        "{d:#?}"
    );
    // The accepted difference is one way: opening more is still refused.
    let report = check(&l, &admitting(&l, "{podSelector: {}}"));
    assert!(!report.complete);
}

#[test]
fn accepted_differences_are_checked_when_read() {
    let d = with_extra(
        "accept:
  - may_deny: \"x/a -> x/b : 99999\"
    reason: bad port
  - may_allow: \"x/a -> x/b\"
    may_deny: \"x/a -> x/b\"
    reason: both
  - reason: none
  - may_differ: \"x/a\"
    reason: no arrow
  - may_allow: \"x/a -> x/b\"
    reason: \"  \"
",
    )
    .unwrap_err();
    let messages: Vec<String> = d.iter().map(|d| d.to_string()).collect();
    let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
    assert!(has("is not a port number"), "{messages:#?}");
    assert!(has("not several"), "{messages:#?}");
    assert!(
        has("needs `may_allow:`, `may_deny:` or `may_differ:`"),
        "{messages:#?}"
    );
    assert!(has("write `from -> to`"), "{messages:#?}");
    assert!(has("say why"), "{messages:#?}");
    assert_eq!(d.len(), 5, "{messages:#?}");
}

#[test]
fn a_removed_pod_of_the_lesson_is_a_difference() {
    let l = tiny();
    let mut ws = l.solution.clone();
    ws.manifests = ws.manifests.replacen(
        "metadata: {name: b, namespace: x, labels: {app: b}}",
        "metadata: {name: c, namespace: x, labels: {app: b}}",
        1,
    );
    let report = check(&l, &ws);
    let Some(Difference::Missing { endpoint, message }) = &report.difference else {
        panic!("{report:#?}");
    };
    assert_eq!(endpoint, "x/b");
    assert!(message.contains("missing from your workspace"), "{message}");
}

#[test]
fn an_answer_file_is_a_workspace_or_plain_manifests() {
    let l = tiny();
    // A workspace file: what it leaves out is the start's.
    let ws = parse_answer(
        "answer.yaml",
        &format!("add_manifests: |\n{}", indent(ALLOW_A_TO_B)),
        &l,
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(check(&l, &ws).complete);
    // Plain manifests: the editor's whole text.
    let text = format!("{}---\n{ALLOW_A_TO_B}", CLUSTER);
    let ws = parse_answer("answer.yaml", &text, &l).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(ws.manifests, text);
    assert!(check(&l, &ws).complete);
    // A mistake in a workspace file is located.
    let d = parse_answer("answer.yaml", "add_manifests: x\narows: []\n", &l).unwrap_err();
    assert!(
        d.iter().any(|d| d.line == 2 && d.message.contains("arows")),
        "{d:#?}"
    );
}
