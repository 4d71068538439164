//! Workspace evaluation reports what it leaves out: drawn namespaces and pods the API
//! server would reject, and whatever the loader says about the generated policies. Nothing
//! the user drew or the generator wrote disappears without a diagnostic.

use netpol::generate::Intent;
use netpol::model::Labels;
use netpol::workspace::{
    evaluate, DrawnNamespace, DrawnPod, Evaluation, Workspace, DIAGRAM, GENERATED,
};
use netpol::Severity;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn pod(namespace: &str, name: &str, pairs: &[(&str, &str)]) -> DrawnPod {
    DrawnPod {
        namespace: namespace.into(),
        name: name.into(),
        labels: labels(pairs),
    }
}

fn arrow(from: &str, to: &str) -> Intent {
    Intent {
        from: from.into(),
        to: to.into(),
        ports: Vec::new(),
    }
}

fn errors_from<'a>(e: &'a Evaluation, source: &str) -> Vec<&'a netpol::Diagnostic> {
    e.workspace_diagnostics
        .iter()
        .filter(|d| d.source == source && d.severity == Severity::Error)
        .collect()
}

/// Every generated policy is in the effective cluster, or an error says why it is not.
fn nothing_generated_vanishes(e: &Evaluation) {
    let written = e.generated.as_ref().map(|g| g.policies.len()).unwrap_or(0);
    let reloaded = e
        .effective
        .policies
        .iter()
        .filter(|p| p.origin.as_ref().is_some_and(|o| o.source == GENERATED))
        .count();
    assert!(
        reloaded + errors_from(e, GENERATED).len() >= written,
        "{written} written, {reloaded} reloaded, diagnostics: {:?}",
        e.workspace_diagnostics
    );
}

#[test]
fn a_drawn_pod_with_a_label_the_api_rejects_is_reported_and_left_out() {
    let ws = Workspace {
        pods: vec![
            pod("shop", "web", &[("-a.b/x", "1")]),
            pod("shop", "db", &[("app", "db")]),
        ],
        arrows: vec![arrow("shop/web", "shop/db")],
        ..Workspace::default()
    };
    let e = evaluate(&ws);
    let drawn = errors_from(&e, DIAGRAM);
    assert_eq!(drawn.len(), 1, "{:?}", e.workspace_diagnostics);
    assert_eq!(
        drawn[0].message,
        "drawn pod `shop/web` is left out: `-a.b/x` is not a valid label key"
    );
    assert_eq!((drawn[0].line, drawn[0].column), (0, 0));
    assert!(e.effective.pod("shop/web").is_none());
    assert!(e.effective.pod("shop/db").is_some());
    // The arrow to it cannot become a policy, and says so.
    let why = e.generated.as_ref().unwrap_err().to_string();
    assert!(why.contains("shop/web"), "{why}");
    assert!(e.diagnostics().any(|d| d.source == DIAGRAM));
}

#[test]
fn drawn_names_follow_the_api_servers_rules() {
    let ws = Workspace {
        namespaces: vec![
            DrawnNamespace {
                name: "team.one".into(),
                labels: Labels::new(),
            },
            DrawnNamespace {
                name: "team-two".into(),
                labels: labels(&[("team", "two")]),
            },
        ],
        pods: vec![
            pod("team-two", "api.v2", &[("app", "api")]),
            pod("team-two", "Api", &[("app", "api2")]),
            pod("Team", "api", &[("app", "api")]),
        ],
        ..Workspace::default()
    };
    let e = evaluate(&ws);
    let left_out: Vec<&str> = errors_from(&e, DIAGRAM)
        .iter()
        .map(|d| d.message.split(" is left out").next().unwrap_or(""))
        .collect();
    assert_eq!(
        left_out,
        [
            "drawn namespace `team.one`",
            "drawn pod `team-two/Api`",
            "drawn pod `Team/api`"
        ]
    );
    assert!(e.effective.namespace("team-two").is_some());
    // A pod name is a DNS subdomain: dots are fine there.
    assert!(e.effective.pod("team-two/api.v2").is_some());
}

#[test]
fn long_names_that_shorten_alike_get_two_valid_policies() {
    // Pod names may have 253 characters, policy names too: `<name>-netpol` is shortened,
    // and two names that shorten alike once got a second name past the limit, which the
    // loader refused, so that policy vanished from the verdicts.
    let (a, b) = (
        format!("{}x", "a".repeat(249)),
        format!("{}y", "a".repeat(249)),
    );
    let ws = Workspace {
        pods: vec![
            pod("shop", &a, &[("app", "a")]),
            pod("shop", &b, &[("app", "b")]),
        ],
        arrows: vec![arrow(&format!("shop/{a}"), &format!("shop/{b}"))],
        ..Workspace::default()
    };
    let e = evaluate(&ws);
    let names: Vec<String> = e
        .generated
        .as_ref()
        .map(|g| {
            g.policies
                .iter()
                .filter_map(|p| p.metadata.name.clone())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names.len(), 2);
    assert!(names.iter().all(|n| n.len() <= 253), "{names:?}");
    assert!(
        e.workspace_diagnostics.is_empty(),
        "{:?}",
        e.workspace_diagnostics
    );
    nothing_generated_vanishes(&e);
    assert_eq!(e.effective.policies.len(), 2);
}

#[test]
fn the_docs_example_with_arrows_reloads_clean() {
    let docs = include_str!("../../../www/examples/docs.yaml");
    let ws = Workspace {
        manifests: docs.into(),
        arrows: vec![
            arrow("team-one-namespace/pod-1", "team-two-namespace/pod-3"),
            arrow("ip:0.0.0.0/0", "team-one-namespace/pod-1"),
        ],
        ..Workspace::default()
    };
    let e = evaluate(&ws);
    assert!(e.generated.as_ref().is_ok_and(|g| !g.policies.is_empty()));
    assert!(
        e.workspace_diagnostics.is_empty(),
        "{:?}",
        e.workspace_diagnostics
    );
    nothing_generated_vanishes(&e);
}
