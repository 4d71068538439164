//! End-to-end tests of the `netpol` binary: output contracts (the matrix JSON other tools
//! rely on), exit codes, and one-line errors on bad input. The exact output of every
//! format is in `golden.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

#[allow(dead_code, reason = "each test binary uses part of the support module")]
mod common;

use std::process::Output;

use common::{stderr, stdout};

const DOCS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/docs-example"
);

fn docs_files() -> Vec<String> {
    [
        "cluster.yaml",
        "namespace-default-team-one.yaml",
        "namespace-default-team-two.yaml",
        "pod-1-networkpolicy.yaml",
        "pod-2-networkpolicy.yaml",
        "pod-3-networkpolicy.yaml",
    ]
    .iter()
    .map(|f| format!("{DOCS}/{f}"))
    .collect()
}

fn netpol(args: &[&str], stdin: Option<&str>) -> Output {
    common::run_netpol(args, stdin, None)
}

#[test]
fn matrix_json_contract() {
    let files = docs_files();
    let mut args: Vec<&str> = vec!["matrix"];
    args.extend(files.iter().map(String::as_str));
    args.extend([
        "--port",
        "8080/TCP",
        "--port",
        "53/UDP",
        "--external",
        "8.8.8.8",
        "-o",
        "json",
    ]);
    let out = netpol(&args, None);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let endpoints: Vec<&str> = v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(
        endpoints,
        [
            "team-one-namespace/pod-1",
            "team-one-namespace/pod-2",
            "team-two-namespace/pod-3",
            "kube-system/kube-dns",
            "system-ingress/ingress-nginx",
            "ip:8.8.8.8"
        ]
    );
    let checks = v["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0]["port"], 8080);
    assert_eq!(checks[0]["protocol"], "TCP");
    assert_eq!(checks[1]["protocol"], "UDP");
    let allowed = |k: usize, i: usize, j: usize| checks[k]["allowed"][i][j].as_bool().unwrap();
    assert!(allowed(0, 0, 1)); // pod-1 -> pod-2
    assert!(!allowed(0, 1, 0)); // pod-2 -> pod-1
    assert!(allowed(0, 1, 2)); // pod-2 -> pod-3
    assert!(!allowed(0, 0, 2)); // pod-1 -> pod-3
    assert!(allowed(1, 0, 3)); // pod-1 -> kube-dns 53/UDP
    assert!(allowed(0, 0, 5)); // pod-1 -> 8.8.8.8
    assert_eq!(checks[0]["allowed"].as_array().unwrap().len(), 6);
    // The object has exactly these keys.
    assert_eq!(v.as_object().unwrap().len(), 2);
    assert_eq!(checks[0].as_object().unwrap().len(), 3);
}

#[test]
fn connectivity_lists_exact_port_sets() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: b}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: x}\nspec:\n  podSelector: {matchLabels: {app: b}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: a}}}]\n      ports: [{port: 8080}, {port: 9000, endPort: 9100}, {port: 53, protocol: UDP}]\n";
    let out = netpol(&["connectivity", "-"], Some(yaml));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "x/a => x/b : TCP 8080,9000-9100; UDP 53\nx/b => x/a : All connections\n"
    );
    let json = netpol(&["connectivity", "-", "-o", "json"], Some(yaml));
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(v["connections"][0]["conn"], "TCP 8080,9000-9100; UDP 53");
}

/// Three replicas of `web`, which only addresses in 10.0.0.0/8 reach (`web-3` is outside),
/// and one `db` that only `web` reaches: the replicas the ipBlock tells apart are two
/// classes of the same labels, and `web-3` reaches `db` but not the other replicas.
const REPLICAS: &str = "
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: x, labels: {app: web}}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: x, labels: {app: web}}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: web-3, namespace: x, labels: {app: web}}
status: {podIP: 192.168.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: x, labels: {app: db}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: x}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]
";

#[test]
fn connectivity_group_prints_classes_with_their_members() {
    let out = netpol(&["connectivity", "-", "--group"], Some(REPLICAS));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "x/app=web ×2 => x/app=web ×2 : All connections\n\
         x/app=web ×2 => x/app=web #2 ×1 : All connections\n\
         x/app=web ×2 => x/app=db ×1 : TCP 5432\n\
         x/app=web #2 ×1 => x/app=db ×1 : TCP 5432\n"
    );
    let json = netpol(
        &["connectivity", "-", "--group", "-o", "json"],
        Some(REPLICAS),
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(
        v["classes"],
        serde_json::json!([
            {"class": "x/app=web", "count": 2, "members": ["x/web-1", "x/web-2"]},
            {"class": "x/app=web #2", "count": 1, "members": ["x/web-3"]},
            {"class": "x/app=db", "count": 1, "members": ["x/db"]},
        ])
    );
    assert_eq!(v["connections"].as_array().unwrap().len(), 4);
    assert_eq!(
        v["connections"][2],
        serde_json::json!({"src": "x/app=web", "dst": "x/app=db", "conn": "TCP 5432"})
    );
    // Without --group the contract is pods, as always: web-1 and web-2 each appear.
    let plain = netpol(&["connectivity", "-", "-o", "json"], Some(REPLICAS));
    let v: serde_json::Value = serde_json::from_str(&stdout(&plain)).unwrap();
    assert!(v.get("classes").is_none());
    assert_eq!(v["endpoints"].as_array().unwrap().len(), 4);
    assert_eq!(v["connections"].as_array().unwrap().len(), 7);
    // Refused before reading any input.
    let csv = netpol(&["connectivity", DOCS, "--group", "-o", "csv"], None);
    assert_eq!(csv.status.code(), Some(2));
    assert_eq!(
        stderr(&csv),
        "netpol: --group prints text or json (-o text, -o json)\n"
    );
}

#[test]
fn explain_text_and_json() {
    let out = netpol(
        &[
            "explain",
            DOCS,
            "--from",
            "team-one-namespace/pod-1",
            "--to",
            "ip:10.1.2.3",
            "--port",
            "443",
        ],
        None,
    );
    let text = stdout(&out);
    assert!(
        text.starts_with("team-one-namespace/pod-1 -> ip:10.1.2.3 on 443/TCP: DENIED"),
        "{text}"
    );
    assert!(
        text.contains("10.1.2.3 is in ipBlock 0.0.0.0/0 but also in its except 10.0.0.0/8"),
        "{text}"
    );
    let out = netpol(
        &[
            "explain",
            DOCS,
            "--from",
            "team-one-namespace/pod-1",
            "--to",
            "team-one-namespace/pod-2",
            "--port",
            "8080/TCP",
            "-o",
            "json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["allowed"], true);
    assert_eq!(
        v["egress"]["allowedBy"][0]["policy"],
        "team-one-namespace/pod-1-netpol"
    );
}

#[test]
fn lint_format_and_exit_code() {
    let out = netpol(&["lint", "-"], Some("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podselector: {}\n"));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "<stdin>:5:3: error[NP104]: unknown field `podselector` (help: did you mean `podSelector`?)\n"
    );
}

#[test]
fn bad_input_is_one_clear_line_and_non_zero() {
    for (args, stdin, want) in [
        (
            vec!["matrix", "/nonexistent.yaml"],
            None,
            "netpol: cannot read `/nonexistent.yaml`",
        ),
        (
            vec!["matrix", "-", "--port", "http"],
            Some(""),
            "netpol: --port `http`: `http` is a port name, not a port number",
        ),
        (
            vec!["matrix", "-", "--port", "80/ICMP"],
            Some(""),
            "netpol: --port `80/ICMP`: `ICMP` is not a protocol",
        ),
        (
            vec!["explain", "-", "--from", "x/a", "--to", "x/b"],
            Some(""),
            "netpol: endpoint `x/a`: no such pod or workload",
        ),
        (
            vec!["matrix", "-", "--external", "999.1.1.1"],
            Some(""),
            "netpol: --external `999.1.1.1`",
        ),
        (
            vec!["generate", "-", "--allow", "x/a => x/b"],
            Some(""),
            "netpol: --allow `x/a => x/b`",
        ),
    ] {
        let out = netpol(&args, stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.starts_with(want), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn malformed_yaml_still_evaluates_the_rest() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n---\nkind: [broken\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x}\n";
    let out = netpol(&["matrix", "-", "-o", "json"], Some(yaml));
    assert!(out.status.success());
    assert!(stderr(&out).contains("<stdin>:5:"), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["endpoints"].as_array().unwrap().len(), 2);
}

#[test]
fn generate_docs_diagram() {
    let out = netpol(
        &[
            "generate",
            &format!("{DOCS}/cluster.yaml"),
            "--allow",
            "team-one-namespace/pod-1 -> team-one-namespace/pod-2",
            "--allow",
            "team-one-namespace/pod-2 -> team-two-namespace/pod-3:8080/TCP",
            "--namespace-label",
            "name",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let yaml = stdout(&out);
    assert!(
        yaml.starts_with("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"),
        "{yaml}"
    );
    assert!(yaml.contains("\n---\n"));
    // What it printed loads back cleanly.
    let lint = netpol(&["lint", "-"], Some(&yaml));
    assert_eq!(lint.status.code(), Some(0), "{}", stdout(&lint));
}

const LESSON_2: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../www/lessons/02-pod-1-to-pod-2.yaml"
);

/// pod-2's ingress policy, with `selector` as its own podSelector.
fn lesson_2_answer(selector: &str) -> String {
    format!(
        "add_manifests: |
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {{name: pod-2-netpol, namespace: team-one-namespace}}
  spec:
    podSelector: {selector}
    policyTypes: [Ingress]
    ingress: [{{from: [{{podSelector: {{matchLabels: {{app: pod-1}}}}}}]}}]
"
    )
}

#[test]
fn lesson_grade_exits_0_when_done_1_with_the_difference_2_on_bad_input() {
    let done = netpol(
        &["lesson", "grade", LESSON_2, "-"],
        Some(&lesson_2_answer("{matchLabels: {app: pod-2}}")),
    );
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert!(stdout(&done).starts_with("done: "), "{}", stdout(&done));

    // `podSelector: {}` copied into pod-2's own policy opens every pod of the namespace
    // to pod-1: the goal lines hold, the behaviour does not.
    let wrong = netpol(
        &["lesson", "grade", LESSON_2, "-"],
        Some(&lesson_2_answer("{}")),
    );
    assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
    let text = stdout(&wrong);
    assert!(text.starts_with("not done: "), "{text}");
    assert!(text.contains("Your policies let"), "{text}");
    assert!(text.contains("In your workspace:"), "{text}");
    assert!(text.contains("Under the lesson's solution:"), "{text}");

    let json = netpol(
        &["lesson", "grade", LESSON_2, "-", "-o", "json"],
        Some(&lesson_2_answer("{}")),
    );
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(v["complete"], false);
    assert_eq!(v["difference"]["kind"], "connection");
    assert_eq!(v["difference"]["learner_allows"], true);

    // A typo in the answer file is located; a manifest that does not load is bad input.
    let typo = netpol(
        &["lesson", "grade", LESSON_2, "-"],
        Some("add_manifest: x\n"),
    );
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("<stdin>:1:1"), "{}", stderr(&typo));
    assert!(stderr(&typo).contains("add_manifests"), "{}", stderr(&typo));
    let broken = netpol(
        &["lesson", "grade", LESSON_2, "-"],
        Some("add_manifests: |\n  kind: NetworkPolicy\n  apiVersion: networking.k8s.io/v1\n  metadata: {name: x, namespace: team-one-namespace}\n  spec: {podSelector: [}\n"),
    );
    assert_eq!(broken.status.code(), Some(2), "{}", stdout(&broken));
    assert!(
        stderr(&broken).contains("manifests line"),
        "{}",
        stderr(&broken)
    );
}

const LESSONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/lessons");

/// `netpol lesson show FILE -o json` prints what the engine's reader returns: every shipped
/// lesson's goal, constraints and workspaces, each workspace serialised as the engine
/// serialises it (the playground's saved workspace), each wrong answer's `fails` as the
/// index of the goal line or constraint it names.
#[test]
fn lesson_show_prints_what_the_engine_reads() {
    use netpol::lesson::{parse_index, parse_lesson, Failing};
    use serde_json::{json, to_value};

    let index = std::fs::read_to_string(format!("{LESSONS}/index.yaml")).unwrap();
    let index = parse_index("index.yaml", &index).unwrap();
    assert!(index.lessons.len() >= 17);
    let mut fails_kinds = std::collections::BTreeSet::new();
    for file in &index.lessons {
        let path = format!("{LESSONS}/{file}");
        let out = netpol(&["lesson", "show", &path, "-o", "json"], None);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let lesson = parse_lesson(file, &std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(v["id"], lesson.id.as_str(), "{file}");
        assert_eq!(v["title"], lesson.title.as_str(), "{file}");
        assert_eq!(v["text"], lesson.text.as_str(), "{file}");
        assert_eq!(v["flows"], lesson.flows.as_str(), "{file}");
        assert_eq!(v["goal"], to_value(&lesson.goal).unwrap(), "{file}");
        assert_eq!(
            v["constraints"],
            to_value(&lesson.constraints).unwrap(),
            "{file}"
        );
        assert_eq!(v["hints"], to_value(&lesson.hints).unwrap(), "{file}");
        assert_eq!(v["start"], to_value(&lesson.start).unwrap(), "{file}");
        assert_eq!(v["solution"], to_value(&lesson.solution).unwrap(), "{file}");
        let rights = v["right_answers"].as_array().unwrap();
        assert_eq!(rights.len(), lesson.right_answers.len(), "{file}");
        for (got, want) in rights.iter().zip(&lesson.right_answers) {
            assert_eq!(got["title"], want.title.as_str(), "{file}");
            assert_eq!(
                got["workspace"],
                to_value(&want.workspace).unwrap(),
                "{file}"
            );
            assert!(
                got.get("fails").is_none(),
                "{file}: a right answer fails nothing"
            );
        }
        let wrongs = v["wrong_answers"].as_array().unwrap();
        assert_eq!(wrongs.len(), lesson.wrong_answers.len(), "{file}");
        for (got, want) in wrongs.iter().zip(&lesson.wrong_answers) {
            let what = format!("{file}: {}", want.title);
            assert_eq!(got["title"], want.title.as_str(), "{what}");
            assert_eq!(
                got["workspace"],
                to_value(&want.workspace).unwrap(),
                "{what}"
            );
            let fails = match &want.fails {
                None => serde_json::Value::Null,
                Some(Failing::Goal { expectation }) => {
                    let i = lesson.goal.iter().position(|g| g == expectation).unwrap();
                    json!({ "goal": i })
                }
                Some(Failing::Constraint { constraint }) => {
                    let i = lesson
                        .constraints
                        .iter()
                        .position(|c| c == constraint)
                        .unwrap();
                    json!({ "constraint": i })
                }
            };
            fails_kinds.insert(match &fails {
                serde_json::Value::Null => "probe",
                f if f.get("goal").is_some() => "goal",
                _ => "constraint",
            });
            assert_eq!(got["fails"], fails, "{what}");
        }
        // The workspace shape: every field, arrows in the intent syntax, options by name.
        let start = &v["start"];
        for key in [
            "manifests",
            "namespaces",
            "pods",
            "externals",
            "arrows",
            "options",
            "kustomize",
        ] {
            assert!(start.get(key).is_some(), "{file}: start has `{key}`");
        }
        assert!(start["options"]["baseline"].is_string(), "{file}");
        assert!(start["options"]["selector"].is_string(), "{file}");
    }
    assert_eq!(fails_kinds.len(), 3, "{fails_kinds:?}");

    // A lesson with arrows: written as the playground writes them.
    let out = netpol(
        &[
            "lesson",
            "show",
            &format!("{LESSONS}/09-draw-the-diagram.yaml"),
            "-o",
            "json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let arrows = v["solution"]["arrows"].as_array().unwrap();
    assert!(!arrows.is_empty());
    assert!(
        arrows.iter().all(|a| a.as_str().unwrap().contains(" -> ")),
        "{arrows:?}"
    );

    // Text, for people; a broken file is an error with its place.
    let text = netpol(&["lesson", "show", LESSON_2], None);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let text = stdout(&text);
    assert!(text.starts_with("lesson `"), "{text}");
    assert!(text.contains("\ngoal:\n  allow "), "{text}");
    assert!(text.contains("\nwrong answers:\n  1. "), "{text}");
    assert!(text.contains("        fails deny "), "{text}");
    let missing = netpol(
        &["lesson", "show", "no-such-lesson.yaml", "-o", "json"],
        None,
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("cannot read"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn generate_cilium_flavour_reads_back_and_evaluates() {
    let cluster = format!("{DOCS}/cluster.yaml");
    let out = netpol(
        &[
            "generate",
            &cluster,
            "--allow",
            "team-one-namespace/pod-1 -> team-two-namespace/pod-3:8080/TCP",
            "--baseline",
            "deny-all",
            "--dns",
            "--flavor",
            "cilium",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let yaml = stdout(&out);
    assert!(
        yaml.contains("kind: CiliumClusterwideNetworkPolicy\n"),
        "{yaml}"
    );
    assert!(yaml.contains("kind: CiliumNetworkPolicy\n"), "{yaml}");
    assert!(!yaml.contains("kind: NetworkPolicy\n"), "{yaml}");
    // With the pods it selects, it lints clean (DNS included: no NP224).
    let lint = netpol(&["lint", &cluster, "-"], Some(&yaml));
    assert_eq!(lint.status.code(), Some(0), "{}", stdout(&lint));
    assert!(stdout(&lint).trim().is_empty(), "{}", stdout(&lint));
    // The arrow is open on its port and nothing else is.
    let explain = |to: &str, port: &str| {
        let out = netpol(
            &[
                "explain",
                &cluster,
                "-",
                "--from",
                "team-one-namespace/pod-1",
                "--to",
                to,
                "--port",
                port,
            ],
            Some(&yaml),
        );
        stdout(&out)
    };
    let open = explain("team-two-namespace/pod-3", "8080/TCP");
    assert!(open.contains(": ALLOWED"), "{open}");
    assert!(
        open.contains("allowed by CiliumNetworkPolicy team-one-namespace/pod-1-netpol egress[0]"),
        "{open}"
    );
    assert!(explain("team-two-namespace/pod-3", "8081/TCP").contains(": DENIED"));
    assert!(explain("team-one-namespace/pod-2", "8080/TCP").contains(": DENIED"));
    assert!(explain("kube-system/kube-dns", "53/UDP").contains(": ALLOWED"));

    // cluster-baseline has no Cilium form: a clear error, exit 2.
    let refused = netpol(
        &[
            "generate",
            &cluster,
            "--allow",
            "team-one-namespace/pod-1 -> team-two-namespace/pod-3",
            "--baseline",
            "cluster-baseline",
            "--flavor",
            "cilium",
        ],
        None,
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("cluster-baseline"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn generate_cilium_from_flows_checks_the_cilium_policies() {
    let hubble = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../netpol/tests/fixtures/hubble"
    );
    let out = netpol(
        &[
            "generate",
            "--from-flows",
            &format!("{hubble}/shop.json"),
            &format!("{hubble}/shop.yaml"),
            "--baseline",
            "docs-default",
            "--flavor",
            "cilium",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let yaml = stdout(&out);
    assert!(
        yaml.contains("kind: CiliumClusterwideNetworkPolicy\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("#   payments/checkout -> shop/api 9090/TCP: seen once"),
        "{yaml}"
    );
    // The replay includes the generated Cilium policies (flows::check_generated): they keep
    // every observed flow open but the one Hubble only saw dropped, which the generator
    // left out.
    assert_eq!(
        stderr(&out).matches("stays denied").count(),
        1,
        "{}",
        stderr(&out)
    );
}
