//! Verdicts of drawn arrows: what the manifests alone allow (`before`) and what the
//! manifests plus the generated policies allow (`verdict`), as the diagram shows them.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails loudly on purpose"
)]

use netpol::arrows::{arrow_verdicts, Verdict};
use netpol::generate::parse_intent;
use netpol::workspace::{evaluate, Workspace};
use netpol::Protocol;

const TWO_PODS: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: b}}\nspec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: x}\nspec:\n  podSelector: {matchLabels: {app: b}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: a}}}]\n      ports: [{port: 8080}]\n";

fn workspace(arrows: &[&str]) -> Workspace {
    Workspace {
        manifests: TWO_PODS.to_string(),
        arrows: arrows.iter().map(|a| parse_intent(a).unwrap()).collect(),
        ..Workspace::default()
    }
}

#[test]
fn manifests_alone_partial_then_allowed_with_generated_policies() {
    let ws = workspace(&["x/a -> x/b"]);
    let eval = evaluate(&ws);
    let v = &arrow_verdicts(&eval, &ws.arrows)[0];
    assert_eq!(v.before, Verdict::Partial);
    assert_eq!(v.before_allowed, "TCP 8080");
    assert_eq!(v.verdict, Verdict::Allowed);
    assert_eq!(v.wanted, "all ports");
    // The probe explains a port the receiver exposes.
    assert_eq!(v.probe, (8080, Protocol::Tcp));
}

#[test]
fn blocked_by_the_manifests_and_missing_ends() {
    let ws = workspace(&["x/b -> x/a:8080/TCP", "x/a -> x/gone"]);
    let eval = evaluate(&ws);
    let v = arrow_verdicts(&eval, &ws.arrows);
    assert_eq!(
        v[0].before,
        Verdict::Allowed,
        "b is not egress-isolated and a not ingress-isolated"
    );
    assert_eq!(v[0].wanted, "8080/TCP");
    assert!(!v[1].present);
    assert_eq!(v[1].verdict, Verdict::Denied);
    assert_eq!(v[1].verdict.as_str(), "denied");
}
