//! `netpol diff` and `netpol test` end to end: exact outputs of every format (golden files
//! in `tests/fixtures/diff/expected/`), exit codes, and located one-line errors with
//! nothing on stdout for bad input.
//!
//! The fixtures are the docs' example before (`tests/fixtures/docs-example`) and after a
//! change (`tests/fixtures/diff/after`, see its README). After an intended change of an
//! output, `NETPOL_BLESS=1 cargo test -p netpol-cli --test diff_test` rewrites the golden
//! files; review their diff before committing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

#[allow(dead_code, reason = "each test binary uses part of the support module")]
mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{stderr, stdout};

const BEFORE: &str = "tests/fixtures/docs-example";
const AFTER: &str = "tests/fixtures/diff/after";
const EXPECTATIONS: &str = "tests/fixtures/diff/expectations.yaml";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `netpol` from the repository root, so paths in outputs are the relative ones given.
fn netpol(args: &[&str], stdin: Option<&str>) -> Output {
    common::run_netpol(args, stdin, Some(&root()))
}

/// Compares with (or, with `NETPOL_BLESS=1`, writes) `tests/fixtures/diff/expected/NAME`.
fn golden(name: &str, actual: &str) {
    let path = root().join("tests/fixtures/diff/expected").join(name);
    if std::env::var_os("NETPOL_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (NETPOL_BLESS=1 writes it)", path.display()));
    assert!(
        expected == actual,
        "{name} differs from {}:\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// Exit code 2, nothing on stdout, and exactly `lines` on stderr.
fn bad_input(o: &Output, lines: &[&str]) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    assert_eq!(stdout(o), "");
    let got: Vec<String> = stderr(o).lines().map(String::from).collect();
    assert_eq!(got, lines);
}

#[test]
fn diff_golden_outputs() {
    for (format, file) in [
        ("txt", "diff.txt"),
        ("md", "diff.md"),
        ("json", "diff.json"),
        ("csv", "diff.csv"),
    ] {
        let out = netpol(
            &["diff", BEFORE, AFTER, "--external", "8.8.8.8", "-o", format],
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stderr(&out), "");
        golden(file, &stdout(&out));
    }
    // The other way round: added ↔ removed, opened ↔ closed, and the causes seen from the
    // other side.
    let out = netpol(&["diff", AFTER, BEFORE, "--external", "8.8.8.8"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    golden("diff-reversed.txt", &stdout(&out));
}

#[test]
fn diff_markdown_names_the_tier_rules_that_decide() {
    // An Admin Deny added over a NetworkPolicy that allowed, and a Baseline rule edited from
    // Deny to Accept (see tests/fixtures/diff/README.md).
    let (before, after) = (
        "tests/fixtures/diff/tiers/before.yaml",
        "tests/fixtures/diff/tiers/after.yaml",
    );
    let out = netpol(&["diff", before, after, "-o", "md"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    golden("tiers.md", &stdout(&out));
    let out = netpol(&["diff", after, before], None);
    golden("tiers-reversed.txt", &stdout(&out));
}

#[test]
fn diff_names_the_node_whose_relabel_changed_a_nodes_peer() {
    // Only Node `node-1` changed, from role=infra to role=worker: the Admin Deny of the
    // infra Nodes no longer covers its address (see tests/fixtures/diff/README.md).
    let (before, after) = (
        "tests/fixtures/diff/nodes/before.yaml",
        "tests/fixtures/diff/nodes/after.yaml",
    );
    for (format, file) in [
        ("txt", "nodes.txt"),
        ("md", "nodes.md"),
        ("json", "nodes.json"),
        ("csv", "nodes.csv"),
    ] {
        let out = netpol(
            &[
                "diff",
                before,
                after,
                "--external",
                "192.168.1.10",
                "-o",
                format,
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stderr(&out), "");
        golden(file, &stdout(&out));
    }
    let out = netpol(&["diff", after, before, "--external", "192.168.1.10"], None);
    golden("nodes-reversed.txt", &stdout(&out));
    let args = ["diff", before, after, "--external", "192.168.1.10"];
    let out = netpol(&[&args[..], &["--exit-code"]].concat(), None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = netpol(
        &[
            "diff",
            before,
            before,
            "--external",
            "192.168.1.10",
            "--exit-code",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn diff_json_is_the_contract() {
    let out = netpol(&["diff", BEFORE, AFTER, "-o", "json"], None);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["added_endpoints", "changes", "removed_endpoints"]);
    assert_eq!(
        v["added_endpoints"],
        serde_json::json!(["team-two-namespace/pod-4"])
    );
    let change = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["from"] == "kube-system/kube-dns")
        .unwrap();
    assert_eq!(
        change,
        &serde_json::json!({
            "from": "kube-system/kube-dns",
            "to": "team-two-namespace/pod-3",
            "opened": {"TCP": "9090"},
            "closed": {},
            "causes": ["added NetworkPolicy team-two-namespace/pod-3-monitoring (ingress[0]) allows it"],
        })
    );
    let all = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["to"] == "team-two-namespace/pod-3" && c["from"] == "team-one-namespace/pod-2")
        .unwrap();
    assert_eq!(
        all["closed"],
        serde_json::json!({"TCP": "1-65535", "UDP": "1-65535", "SCTP": "1-65535"})
    );
}

#[test]
fn diff_exit_code_says_whether_anything_changed() {
    let changed = netpol(&["diff", BEFORE, AFTER, "--exit-code"], None);
    assert_eq!(changed.status.code(), Some(1));
    let same = netpol(&["diff", BEFORE, BEFORE, "--exit-code"], None);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(stdout(&same), "no change\n");
    let md = netpol(&["diff", BEFORE, BEFORE, "-o", "md"], None);
    assert_eq!(stdout(&md), "**NetworkPolicy change:** no change.\n");
    // Without --exit-code a change is not a failure.
    assert_eq!(
        netpol(&["diff", BEFORE, AFTER], None).status.code(),
        Some(0)
    );
}

#[test]
fn diff_reads_one_side_from_stdin_and_caps_the_markdown_table() {
    let text: String = ["cluster.yaml", "pod-2-networkpolicy.yaml"]
        .iter()
        .map(|f| std::fs::read_to_string(root().join(BEFORE).join(f)).unwrap() + "\n---\n")
        .collect();
    let from_file = netpol(&["diff", BEFORE, AFTER, "-o", "json"], None);
    let out = netpol(
        &["diff", "-", AFTER, "-o", "md", "--max-rows", "2"],
        Some(&text),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = stdout(&out);
    assert_eq!(
        md.lines().filter(|l| l.starts_with("| `")).count(),
        2,
        "{md}"
    );
    assert!(
        md.contains("more (`netpol diff -o text` lists them all)"),
        "{md}"
    );
    assert!(!stdout(&from_file).is_empty());
}

#[test]
fn diff_bad_input_is_one_located_line_and_exit_2() {
    bad_input(
        &netpol(&["diff", BEFORE, "nope/missing.yaml"], None),
        &["netpol: cannot read `nope/missing.yaml`: No such file or directory (os error 2)"],
    );
    bad_input(
        &netpol(&["diff", "-", "-"], Some("")),
        &["netpol: only one side can be read from stdin (-)"],
    );
    bad_input(
        &netpol(&["diff", BEFORE, AFTER, "--external", "nonsense"], None),
        &["netpol: --external `nonsense`: `nonsense` is not an IPv4 or IPv6 address: write an address like `8.8.8.8`, `10.0.0.0/8` or `fd00::/8`"],
    );
    // A missing side is a usage error: clap says which, on stderr only.
    let out = netpol(&["diff", BEFORE], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("<NEW>"), "{}", stderr(&out));
}

#[test]
fn test_passes_on_the_intent_and_fails_after_the_change() {
    let ok = netpol(&["test", EXPECTATIONS, BEFORE], None);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    golden("test-before.txt", &stdout(&ok));
    for (format, file, parse) in [
        ("text", "test-after.txt", None),
        ("json", "test-after.json", Some("json")),
        ("junit", "test-after.xml", None),
    ] {
        let out = netpol(&["test", EXPECTATIONS, AFTER, "-o", format], None);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(stderr(&out), "");
        golden(file, &stdout(&out));
        if parse.is_some() {
            let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
            assert_eq!(v["passed"], false);
            assert_eq!(v["failed"], 3);
        }
    }
}

#[test]
fn test_failures_are_located_lines() {
    let out = netpol(&["test", EXPECTATIONS, AFTER], None);
    let text = stdout(&out);
    let located: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix(EXPECTATIONS))
        .filter_map(|l| l.split_once(": expectation failed: "))
        .map(|(place, _)| place)
        .collect();
    assert_eq!(located, [":3:3", ":7:3", ":9:3"]);
}

/// This process's folder of written inputs.
fn temp_dir() -> PathBuf {
    std::env::temp_dir().join(format!("netpol-diff-test-{}", std::process::id()))
}

/// Removes the written inputs however the test ends.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn test_bad_expectations_are_located_errors_and_exit_2() {
    let _written = RemoveOnDrop(temp_dir());
    let malformed = write_temp(
        "malformed.yaml",
        "- allow: \"team-one-namespace/pod-1 -> team-one-namespace/pod-2 : 8080/TCP\"\n- deny: \"team-one-namespace/pod-1 -> team-one-namespace/pod-2\"\n",
    );
    let m = malformed.to_str().unwrap();
    bad_input(
        &netpol(&["test", m, BEFORE], None),
        &[
            &format!("netpol: the expectations in `{m}` cannot be checked:"),
            &format!("{m}:2:9: error[NP107]: `team-one-namespace/pod-1 -> team-one-namespace/pod-2`: a port is missing (`... : 8080/TCP`)"),
        ],
    );
    let unknown = write_temp(
        "unknown.yaml",
        "- allow: \"team-one-namespace/pod-1 -> team-one-namespace/pod-22 : 8080\"\n- deny: \"team-three/* -> team-one-namespace/pod-1 : 80\"\n- deny: \"*/app=nothing -> team-one-namespace/pod-1 : 80\"\n",
    );
    let u = unknown.to_str().unwrap();
    bad_input(
        &netpol(&["test", u, BEFORE], None),
        &[
            &format!("netpol: the expectations in `{u}` cannot be checked:"),
            &format!("{u}:1:3: error[NP107]: `allow team-one-namespace/pod-1 -> team-one-namespace/pod-22 : 8080/TCP`: endpoint `team-one-namespace/pod-22`: no such pod or workload (did you mean `team-one-namespace/pod-2`?)"),
            &format!("{u}:2:3: error[NP107]: `deny team-three/* -> team-one-namespace/pod-1 : 80/TCP`: no namespace `team-three` in the manifests"),
            &format!("{u}:3:3: error[NP107]: `deny */app=nothing -> team-one-namespace/pod-1 : 80/TCP`: no pod or workload in any namespace has labels `app=nothing`"),
        ],
    );
    let contradiction = write_temp(
        "contradiction.yaml",
        // Two connections each (pod-1 and pod-2 to kube-dns; pod-1 to kube-dns and to the
        // ingress controller, the pods without an `app` label): neither is more specific.
        "- allow: \"team-one-namespace/* -> kube-system/kube-dns : 53/UDP\"\n- deny: \"team-one-namespace/pod-1 -> */!app : 53/UDP\"\n",
    );
    let c = contradiction.to_str().unwrap();
    bad_input(
        &netpol(&["test", c, BEFORE], None),
        &[
            &format!("netpol: the expectations in `{c}` cannot be checked:"),
            &format!("{c}:2:3: error[NP107]: `deny team-one-namespace/pod-1 -> */!app : 53/UDP` contradicts `allow team-one-namespace/* -> kube-system/kube-dns : 53/UDP` on line 1: both cover as many connections, so neither is more specific; narrow one of them"),
        ],
    );
    bad_input(
        &netpol(&["test", "nope.yaml", BEFORE], None),
        &["netpol: cannot read `nope.yaml`: No such file or directory (os error 2)"],
    );
    bad_input(
        &netpol(&["test", "-", "-"], Some("")),
        &["netpol: only one of the expectations and the manifests can be read from stdin (-)"],
    );
}

#[test]
fn test_reads_expectations_from_stdin() {
    let text = "- deny: \"team-two-namespace/pod-3 -> team-one-namespace/pod-1 : 8080\"\n";
    let out = netpol(&["test", "-", BEFORE], Some(text));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "ok: 1 expectation holds (1 connection checked)\n"
    );
    let out = netpol(&["test", "-", BEFORE], Some(&text.replace("deny", "allow")));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("<stdin>:1:3: expectation failed: allow team-two-namespace/pod-3 -> team-one-namespace/pod-1 : 8080/TCP: denied\n"),
        "{}",
        stdout(&out)
    );
}
