//! `expect::check` on a small cluster: which expectation decides a connection several
//! cover, what a failure carries, and the errors that make a file meaningless.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

mod common;

use netpol::expect::{check, parse_file, TestReport};
use netpol::Cluster;

/// x/a, x/b, x/c and y/d; only x/a may reach x/c on 80 (x/c isolated for ingress).
fn cluster() -> Cluster {
    let text = "
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a, tier: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b, tier: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: x, labels: {app: c, tier: db}}
---
apiVersion: v1
kind: Pod
metadata: {name: d, namespace: \"y\", labels: {app: d}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-from-a, namespace: x}
spec:
  podSelector: {matchLabels: {app: c}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: a}}}]
      ports: [{port: 80}]
";
    let loaded = common::load::load_one("c.yaml", text);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded.cluster
}

fn run(text: &str) -> Result<TestReport, Vec<String>> {
    let stated = parse_file("e.yaml", text)
        .map_err(|d| d.iter().map(|d| d.to_string()).collect::<Vec<_>>())?;
    check(&cluster(), &stated).map_err(|d| d.iter().map(|d| d.to_string()).collect())
}

#[test]
fn the_most_specific_expectation_decides_in_any_order() {
    for text in [
        "- deny: \"*/* -> x/c : 80\"\n- allow: \"x/a -> x/c : 80\"\n",
        "- allow: \"x/a -> x/c : 80\"\n- deny: \"*/* -> x/c : 80\"\n",
        "- allow: \"x/a -> x/c : 80\"\n- deny: \"*/* -> x/tier=db : 80\"\n",
    ] {
        let report = run(text).unwrap();
        assert!(report.passed(), "{text}");
        let checked: Vec<usize> = report.outcomes.iter().map(|o| o.checked).collect();
        // The wildcard decides b and d (not a, decided by the narrower line; not c itself).
        let wildcard = if text.starts_with("- deny") {
            [2, 1]
        } else {
            [1, 2]
        };
        assert_eq!(checked, wildcard, "{text}");
    }
}

#[test]
fn a_failing_pattern_lists_every_failing_connection() {
    let report = run("- deny: \"x/* -> */* : 80\"\n").unwrap();
    let o = &report.outcomes[0];
    // x/a, x/b, x/c to the three other pods each: 9 connections; only c is isolated.
    assert_eq!(o.checked, 9);
    let failing: Vec<(String, String)> = o
        .failures
        .iter()
        .map(|f| (f.explanation.from.clone(), f.explanation.to.clone()))
        .collect();
    assert_eq!(
        failing,
        [
            ("x/a", "x/b"),
            ("x/a", "x/c"),
            ("x/a", "y/d"),
            ("x/b", "x/a"),
            ("x/b", "y/d"),
            ("x/c", "x/a"),
            ("x/c", "x/b"),
            ("x/c", "y/d"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(o.failures.iter().all(|f| f.explanation.allowed));
    assert_eq!(report.failed(), 1);
}

#[test]
fn patterns_that_mean_nothing_here_are_located_errors() {
    let errors = run("- allow: \"x/a -> x/a : 80\"\n- allow: \"x/a -> prod/* : 80\"\n- deny: \"x/app=zz -> x/c : 80\"\n- allow: \"x/a -> x/cc : 80\"\n").unwrap_err();
    assert_eq!(
        errors,
        [
            "e.yaml:1:3: error[NP107]: `allow x/a -> x/a : 80/TCP`: it covers only a pod talking to itself, which is always allowed",
            "e.yaml:2:3: error[NP107]: `allow x/a -> prod/* : 80/TCP`: no namespace `prod` in the manifests",
            "e.yaml:3:3: error[NP107]: `deny x/app=zz -> x/c : 80/TCP`: no pod or workload in `x` has labels `app=zz`",
            "e.yaml:4:3: error[NP107]: `allow x/a -> x/cc : 80/TCP`: endpoint `x/cc`: no such pod or workload (did you mean `x/c`?)",
        ]
    );
}

#[test]
fn equally_specific_expectations_that_disagree_are_an_error() {
    let errors = run("- allow: \"x/a -> x/tier=web : 80\"\n- deny: \"x/tier=web -> x/b : 80\"\n")
        .unwrap_err();
    assert_eq!(
        errors,
        ["e.yaml:2:3: error[NP107]: `deny x/tier=web -> x/b : 80/TCP` contradicts `allow x/a -> x/tier=web : 80/TCP` on line 1: both cover as many connections, so neither is more specific; narrow one of them"]
    );
    // Agreeing ones share the connection and both count it.
    let report =
        run("- allow: \"x/a -> x/tier=web : 80\"\n- allow: \"x/tier=web -> x/b : 80\"\n").unwrap();
    assert!(report.passed());
    assert_eq!(report.checked(), 2);
}
