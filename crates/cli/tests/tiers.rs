//! The `netpol` binary with ClusterNetworkPolicies: every query takes them, `explain`
//! prints the chain, `lint` reports their problems, and `generate --baseline
//! cluster-baseline` writes the docs' default as one Baseline-tier policy.

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

use common::stdout;

const DOCS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/docs-example"
);

const INPUT: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: z, labels: {app: b}}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: no-x-to-z}
spec:
  tier: Admin
  priority: 5
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: x}}}
  egress:
  - name: deny-z
    action: Deny
    to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: z}}}]
";

fn netpol(args: &[&str], stdin: Option<&str>) -> Output {
    common::run_netpol(args, stdin, None)
}

#[test]
fn queries_take_cluster_policies() {
    let out = netpol(&["matrix", "-", "-o", "json"], Some(INPUT));
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["endpoints"], serde_json::json!(["x/a", "z/b"]));
    assert_eq!(
        v["checks"][0]["allowed"],
        serde_json::json!([[true, false], [true, true]])
    );
    let out = netpol(&["connectivity", "-"], Some(INPUT));
    assert_eq!(stdout(&out), "z/b => x/a : All connections\n");
}

#[test]
fn explain_prints_the_chain() {
    let out = netpol(
        &["explain", "-", "--from", "x/a", "--to", "z/b"],
        Some(INPUT),
    );
    assert_eq!(
        stdout(&out),
        "x/a -> z/b on 80/TCP: DENIED
  egress of x/a: DENIED (decided by the Admin tier)
    Admin tier: egress[0] `deny-z` of no-x-to-z (priority 5): Deny
    NetworkPolicies: none selects it for Egress
    Baseline tier: no policy selects it
  ingress of z/b: allowed (no NetworkPolicy selects it for Ingress, so it is not isolated)
"
    );
}

#[test]
fn lint_reports_cluster_policy_problems() {
    let old = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec: {subject: {namespaces: {}}}\n";
    let out = netpol(&["lint", "-"], Some(old));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "<stdin>:2:7: error[NP108]: `BaselineAdminNetworkPolicy` (policy.networking.k8s.io/v1alpha1) is frozen and not evaluated: ClusterNetworkPolicy replaces it (help: write `apiVersion: policy.networking.k8s.io/v1alpha2` and `kind: ClusterNetworkPolicy` with `tier: Baseline` and a `priority`; actions `Allow` become `Accept`, and rule `ports` become `protocols`)\n"
    );
    let pass = "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: d}\nspec:\n  tier: Baseline\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - {action: Pass, from: [{namespaces: {}}]}\n";
    let out = netpol(&["lint", "-"], Some(pass));
    assert_eq!(out.status.code(), Some(0), "warnings do not fail lint");
    assert!(
        stdout(&out).starts_with("<stdin>:9:6: warning[NP217]: Pass in the Baseline tier"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn generate_cluster_baseline() {
    let out = netpol(
        &[
            "generate",
            &format!("{DOCS}/cluster.yaml"),
            "--allow",
            "team-one-namespace/pod-1 -> team-one-namespace/pod-2",
            "--namespace-label",
            "name",
            "--baseline",
            "cluster-baseline",
        ],
        None,
    );
    assert!(out.status.success());
    let yaml = stdout(&out);
    assert!(yaml.starts_with("# The docs' namespace-default for every team namespace, as one Baseline-tier policy:\n"), "{yaml}");
    assert!(yaml.contains("kind: ClusterNetworkPolicy\n"));
    assert_eq!(
        yaml.matches("kind: NetworkPolicy\n").count(),
        2,
        "one per workload of the arrow"
    );
    // What it printed loads back, and lints clean with the namespaces and pods it is for.
    let lint = netpol(&["lint", "-"], Some(&yaml));
    assert_eq!(lint.status.code(), Some(0));
    let both = format!(
        "{}---\n{yaml}",
        std::fs::read_to_string(format!("{DOCS}/cluster.yaml")).unwrap()
    );
    let lint = netpol(&["lint", "-"], Some(&both));
    assert_eq!((lint.status.code(), stdout(&lint).as_str()), (Some(0), ""));
}
