//! ClusterNetworkPolicy end to end: bad input gets a located error and the rest still
//! evaluates; `explain` shows the whole chain (Admin rule with action and priority, the
//! NetworkPolicies, the Baseline rule, or the default); drawn arrows are judged with the
//! tiers; and the `cluster-baseline` generator option gives the connectivity of
//! `docs-default` (property test over random arrows), except traffic from outside the
//! cluster straight to a pod, which a ClusterNetworkPolicy cannot match.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a panic is a failed test"
)]

mod common;

use std::path::PathBuf;

use netpol::arrows::{arrow_verdicts, Verdict};
use netpol::cnp::{Action, Tier};
use netpol::diag::Severity;
use netpol::endpoint::all_endpoints;
use netpol::generate::{generate, parse_intent, Baseline, Intent, Options, SelectorStyle};
use netpol::workspace::{evaluate, Workspace};
use netpol::{
    connectivity, explain, verdict, Cidr, Connections, Diagnostic, Endpoint, Loaded, Protocol,
    Stage, Traffic,
};
use proptest::prelude::*;

const PODS: &str = "\
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: payments, labels: {team: payments}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: payments, labels: {app: api}}
spec:
  containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]
";

fn traffic(loaded: &Loaded, from: &str, to: &str, port: u16) -> Traffic {
    let c = &loaded.cluster;
    Traffic {
        from: Endpoint::parse(c, from).unwrap(),
        to: Endpoint::parse(c, to).unwrap(),
        port,
        protocol: Protocol::Tcp,
    }
}

fn errors(loaded: &Loaded) -> Vec<&Diagnostic> {
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the text"));
    text[..at].lines().count() + usize::from(text[..at].ends_with('\n') || at == 0)
}

#[test]
fn bad_cluster_policies_are_located_errors_and_the_rest_still_evaluates() {
    let text = format!(
        "{PODS}---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {{name: old}}
spec:
  priority: 10
  subject: {{namespaces: {{}}}}
  ingress: [{{action: Allow, from: [{{namespaces: {{}}}}]}}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {{name: no-subject}}
spec:
  tier: Admin
  priority: 5
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {{name: too-high}}
spec:
  tier: Admin
  priority: 1001
  subject: {{namespaces: {{}}}}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {{name: shop-egress}}
spec:
  tier: Admin
  priority: 10
  subject: {{namespaces: {{matchLabels: {{team: shop}}}}}}
  egress:
  - {{name: deny-payments, action: Deny, to: [{{namespaces: {{matchLabels: {{team: payments}}}}}}]}}
"
    );
    let loaded = common::load::load_one("manifests.yaml", &text);
    let errs = errors(&loaded);
    let found: Vec<(&str, usize, &str)> = errs
        .iter()
        .map(|d| (d.code, d.line, d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "NP108",
                line_of(&text, "kind: AdminNetworkPolicy"),
                "`AdminNetworkPolicy` (policy.networking.k8s.io/v1alpha1) is frozen and not evaluated: ClusterNetworkPolicy replaces it"
            ),
            (
                "NP105",
                line_of(&text, "spec:\n  tier: Admin\n  priority: 5"),
                "missing required field `spec.subject`"
            ),
            (
                "NP107",
                line_of(&text, "priority: 1001"),
                "priority `1001` is not between 0 and 1000"
            ),
        ],
        "{errs:#?}"
    );
    let anp = errs[0];
    assert_eq!(anp.column, "kind: ".len() + 1, "points at the kind");
    assert!(anp.help.as_deref().unwrap().contains("`apiVersion: policy.networking.k8s.io/v1alpha2` and `kind: ClusterNetworkPolicy` with `tier: Admin`"));
    assert_eq!(
        errs[2].column,
        "  priority: ".len() + 1,
        "points at the value"
    );
    // Only the valid policy is in the cluster, and it evaluates.
    let names: Vec<&str> = loaded
        .cluster
        .cluster_policies
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["shop-egress"]);
    assert!(!verdict(
        &loaded.cluster,
        &traffic(&loaded, "shop/web", "payments/api", 8080)
    ));
    assert!(verdict(
        &loaded.cluster,
        &traffic(&loaded, "payments/api", "shop/web", 8080)
    ));
}

#[test]
fn a_wrong_api_version_and_a_typo_are_reported_with_a_fix() {
    let text = "apiVersion: policy.networking.k8s.io/v1alpha1
kind: ClusterNetworkPolicy
metadata: {name: a}
spec: {tier: Admin, priority: 1, subject: {namespaces: {}}}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: b}
spec: {tier: Admin, priorty: 1, subject: {namespaces: {}}}
";
    let loaded = common::load::load_one("manifests.yaml", text);
    let d: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        d,
        [
            "manifests.yaml:1:13: error[NP108]: `ClusterNetworkPolicy` is served at `policy.networking.k8s.io/v1alpha2`, not `policy.networking.k8s.io/v1alpha1` (help: write `apiVersion: policy.networking.k8s.io/v1alpha2`)",
            "manifests.yaml:9:21: error[NP104]: unknown field `priorty` (help: did you mean `priority`?)",
        ]
    );
    assert!(loaded.cluster.cluster_policies.is_empty());
}

#[test]
fn the_upstream_crd_examples_load_and_the_invalid_one_is_rejected() {
    // Re-created from kubernetes-sigs/network-policy-api pkg/crdtest/testdata (commit
    // 0eec1b0e5fa92715b4c0f4c48d3c8d2913ed2159): TestValid and TestInvalid.
    let valid = "apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-with-ports}
spec:
  tier: Admin
  priority: 0
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: sensitive-ns}}}
  ingress:
  - action: Deny
    name: select-all-deny-all
    from: [{pods: {namespaceSelector: {matchLabels: {}}, podSelector: {matchLabels: {}}}}]
    protocols:
    - tcp: {destinationPort: {number: 8080}}
    - tcp: {destinationPort: {range: {start: 8080, end: 9090}}}
    - udp: {destinationPort: {number: 8080}}
    - udp: {destinationPort: {number: 9090}}
    - destinationNamedPort: http
    - destinationNamedPort: monitoring
";
    let loaded = common::load::load_one("manifests.yaml", valid);
    assert!(errors(&loaded).is_empty(), "{:#?}", loaded.diagnostics);
    assert_eq!(loaded.cluster.cluster_policies.len(), 1);
    let invalid = "apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: invalid-ingress-action}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: sensitive-ns}}}
  ingress:
  - action: Invalid
    from: [{namespaces: {}}]
    name: select-all-deny-all/*
";
    let loaded = common::load::load_one("manifests.yaml", invalid);
    let d: Vec<String> = errors(&loaded).iter().map(|d| d.to_string()).collect();
    assert_eq!(
        d,
        ["manifests.yaml:9:13: error[NP107]: unknown action `Invalid` (help: use `Accept`, `Deny` or `Pass`)"]
    );
    assert!(loaded.cluster.cluster_policies.is_empty());
}

const CHAIN: &str = "---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: platform}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {}}
  egress:
  - {name: pass-to-shop, action: Pass, to: [{namespaces: {matchLabels: {team: shop}}}]}
  - {name: deny-metrics, action: Deny, to: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {number: 9090}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: defaults}
spec:
  tier: Baseline
  priority: 100
  subject: {namespaces: {}}
  ingress:
  - {name: deny-all, action: Deny, from: [{namespaces: {}}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: payments}}}], ports: [{port: 8080}]}]
";

#[test]
fn explain_shows_the_whole_chain() {
    let text = format!("{PODS}{CHAIN}");
    let loaded = common::load::load_one("manifests.yaml", &text);
    assert!(errors(&loaded).is_empty(), "{:#?}", loaded.diagnostics);
    let c = &loaded.cluster;

    // Admin Deny decides the sender's egress; NetworkPolicies and Baseline are not reached.
    let e = explain(c, &traffic(&loaded, "shop/web", "payments/api", 9090));
    assert!(!e.allowed);
    assert_eq!(e.egress.decided_by, Stage::Admin);
    let m = e.egress.admin.matched.as_ref().unwrap();
    assert_eq!(
        (
            m.policy.as_str(),
            m.priority,
            m.rule,
            m.name.as_deref(),
            m.action
        ),
        ("platform", 10, 1, Some("deny-metrics"), Action::Deny)
    );
    assert_eq!(
        e.egress.admin.candidates.len(),
        1,
        "pass-to-shop was tried first"
    );
    assert!(!e.egress.baseline.reached);

    // Admin has no matching rule for 8080; the NetworkPolicy on shop/web decides ingress.
    let e = explain(c, &traffic(&loaded, "payments/api", "shop/web", 8080));
    assert!(e.allowed);
    assert_eq!(e.egress.decided_by, Stage::Default);
    assert_eq!(e.ingress.decided_by, Stage::NetworkPolicy);
    assert_eq!(e.ingress.allowed_by.len(), 1);
    assert!(
        !e.ingress.baseline.reached,
        "a NetworkPolicy selects the pod: the Baseline is not consulted"
    );

    // No NetworkPolicy selects payments/api for ingress: the Baseline Deny decides.
    let e = explain(c, &traffic(&loaded, "shop/web", "payments/api", 8080));
    assert!(!e.allowed);
    assert_eq!(e.ingress.decided_by, Stage::Baseline);
    assert_eq!(
        e.ingress.baseline.matched.as_ref().unwrap().action,
        Action::Deny
    );
    let text = netpol::render::explanation_text(&e);
    assert_eq!(
        text,
        "shop/web -> payments/api on 8080/TCP: DENIED
  egress of shop/web: allowed (no tier decided: allowed by default)
    Admin tier: no rule matches
      not egress[0] of platform: peer 0: namespaceSelector wants `team=shop`, namespace `payments` has team=payments
      not egress[1] of platform: the peer matches but the rule only allows TCP 9090
    NetworkPolicies: none selects it for Egress
    Baseline tier: no policy selects it
  ingress of payments/api: DENIED (decided by the Baseline tier)
    Admin tier: no policy selects it
    NetworkPolicies: none selects it for Ingress
    Baseline tier: ingress[0] `deny-all` of defaults (priority 100): Deny
"
    );
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["ingress"]["decidedBy"], "Baseline");
    assert_eq!(json["ingress"]["baseline"]["matched"]["name"], "deny-all");
    assert_eq!(
        json["egress"]["admin"]["candidates"][1]["miss"]["kind"],
        "ports"
    );
}

#[test]
fn admin_pass_hands_over_to_network_policies_then_baseline() {
    let text = format!("{PODS}{CHAIN}");
    let loaded = common::load::load_one("manifests.yaml", &text);
    let c = &loaded.cluster;
    // payments/api -> shop/web on 9090: the sender's egress matches pass-to-shop first, so
    // deny-metrics is skipped and, with no NetworkPolicy or Baseline egress rule, the
    // default allows; the receiver's NetworkPolicy allows only 8080 and denies.
    let e = explain(c, &traffic(&loaded, "payments/api", "shop/web", 9090));
    assert_eq!(e.egress.admin.action(), Some(Action::Pass));
    assert_eq!(
        (e.egress.decided_by, e.egress.allowed),
        (Stage::Default, true)
    );
    assert_eq!(
        (e.ingress.decided_by, e.ingress.allowed),
        (Stage::NetworkPolicy, false)
    );
    assert!(!e.allowed);
    // The other way, deny-metrics decides at the Admin tier.
    let e = explain(c, &traffic(&loaded, "shop/web", "payments/api", 9090));
    assert_eq!(
        (e.egress.decided_by, e.egress.allowed),
        (Stage::Admin, false)
    );
    // A pod's traffic to its own IP is not subject to the tiers.
    let e = explain(c, &traffic(&loaded, "shop/web", "shop/web", 9090));
    assert!(e.loopback && e.allowed);
}

#[test]
fn equal_priorities_that_disagree_are_flagged_in_the_explanation() {
    let text = format!(
        "{PODS}---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {{name: b-deny}}
spec:
  tier: Admin
  priority: 7
  subject: {{namespaces: {{}}}}
  ingress: [{{action: Deny, from: [{{namespaces: {{}}}}]}}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {{name: a-accept}}
spec:
  tier: Admin
  priority: 7
  subject: {{namespaces: {{}}}}
  ingress: [{{action: Accept, from: [{{namespaces: {{matchLabels: {{team: shop}}}}}}]}}]
"
    );
    let loaded = common::load::load_one("manifests.yaml", &text);
    let e = explain(
        &loaded.cluster,
        &traffic(&loaded, "shop/web", "payments/api", 80),
    );
    // The playground tries equal priorities by name: a-accept first.
    assert!(e.allowed);
    let admin = &e.ingress.admin;
    assert_eq!(admin.matched.as_ref().unwrap().policy, "a-accept");
    assert_eq!(admin.ambiguous.len(), 1);
    assert_eq!(
        (
            admin.ambiguous[0].policy.as_str(),
            admin.ambiguous[0].action
        ),
        ("b-deny", Action::Deny)
    );
    assert!(netpol::render::explanation_text(&e).contains("warning: ingress[0] of b-deny (priority 7): Deny has the same priority and matches too: the implementation may apply either"));
    let lints = netpol::lint::lint(&loaded, &netpol::lint::LintOptions::default());
    assert!(lints.iter().any(|d| d.code == "NP215"), "{lints:#?}");
}

#[test]
fn drawn_arrows_are_judged_with_the_tiers() {
    let ws = Workspace {
        manifests: format!(
            "{PODS}---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {{name: no-payments}}
spec:
  tier: Admin
  priority: 1
  subject: {{namespaces: {{matchLabels: {{team: payments}}}}}}
  ingress: [{{action: Deny, from: [{{namespaces: {{matchLabels: {{team: shop}}}}}}]}}]
"
        ),
        arrows: vec![
            parse_intent("shop/web -> payments/api:8080/TCP").unwrap(),
            parse_intent("payments/api -> shop/web:8080/TCP").unwrap(),
        ],
        ..Workspace::default()
    };
    let eval = evaluate(&ws);
    let views = arrow_verdicts(&eval, &ws.arrows);
    // The generated NetworkPolicy allows shop/web -> payments/api, the Admin Deny wins.
    assert_eq!(views[0].verdict, Verdict::Denied);
    assert_eq!(views[0].before, Verdict::Denied);
    assert_eq!(views[1].verdict, Verdict::Allowed);
}

// ---- cluster-baseline: the same connectivity as docs-default ----

fn docs_cluster() -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "../../tests/fixtures/docs-example/cluster.yaml",
    ]
    .iter()
    .collect();
    std::fs::read_to_string(path).unwrap()
}

const EXTERNALS: [&str; 5] = [
    "8.8.8.8",
    "10.1.2.3",
    "0.0.0.0/0",
    "2001:db8::1",
    "172.16.0.0/12",
];

fn externals() -> Vec<Cidr> {
    EXTERNALS
        .iter()
        .map(|s| Cidr::parse(s, true).unwrap())
        .collect()
}

/// Connectivity of the docs' cluster plus what `options` generates for `arrows`.
fn generated_connectivity(
    arrows: &[Intent],
    options: &Options,
) -> (netpol::Cluster, netpol::ConnectivityMap) {
    let base_text = docs_cluster();
    let base = common::load::load_one("manifests.yaml", &base_text);
    let out = generate(&base.cluster, arrows, options).unwrap();
    let loaded =
        common::load::load_files(&[("cluster.yaml", &base_text), ("generated.yaml", &out.yaml)]);
    assert!(
        loaded.diagnostics.is_empty(),
        "{:#?}\n{}",
        loaded.diagnostics,
        out.yaml
    );
    let eps = all_endpoints(&loaded.cluster, &externals());
    let map = connectivity(&loaded.cluster, &eps);
    (loaded.cluster, map)
}

/// Asserts the two maps are equal, except where the only documented difference applies.
fn same_as_docs_default(
    arrows: &[Intent],
    dns: bool,
    style: SelectorStyle,
) -> Result<(), TestCaseError> {
    let options = |baseline| Options {
        namespace_label: Some("name".into()),
        baseline,
        dns,
        selector: style,
        ..Options::default()
    };
    let (docs_cluster, docs) = generated_connectivity(arrows, &options(Baseline::DocsDefault));
    let (tiers_cluster, tiers) =
        generated_connectivity(arrows, &options(Baseline::ClusterBaseline));
    prop_assert_eq!(&docs.endpoints, &tiers.endpoints);
    prop_assert!(
        tiers_cluster.policies.len() < docs_cluster.policies.len()
            || arrows.is_empty()
            || docs_cluster.policies.len() == tiers_cluster.policies.len() + 2
    );
    let n = docs.endpoints.len();
    for i in 0..n {
        for j in 0..n {
            let (a, b) = (docs.get(i, j).unwrap(), tiers.get(i, j).unwrap());
            if a == b {
                continue;
            }
            // ClusterNetworkPolicy ingress rules select pods only: from outside the cluster
            // straight to a team pod stays allowed (`namespace-default` denied it).
            let from_outside = docs.endpoints[i].starts_with("ip:");
            let to_team = docs.endpoints[j].starts_with("team-");
            prop_assert!(
                from_outside && to_team && a.is_empty() && b == &Connections::all(),
                "{} -> {}: docs-default {a}, cluster-baseline {b}",
                docs.endpoints[i],
                docs.endpoints[j]
            );
        }
    }
    Ok(())
}

#[test]
fn cluster_baseline_gives_the_connectivity_of_docs_default() {
    same_as_docs_default(&[], false, SelectorStyle::Labels).unwrap();
    let arrows: Vec<Intent> = [
        "team-one-namespace/pod-1 -> team-one-namespace/pod-2",
        "team-one-namespace/pod-2 -> team-two-namespace/pod-3",
    ]
    .iter()
    .map(|s| parse_intent(s).unwrap())
    .collect();
    same_as_docs_default(&arrows, false, SelectorStyle::Labels).unwrap();
}

#[test]
fn cluster_baseline_is_one_baseline_policy_over_the_team_namespaces() {
    let base = common::load::load_one("manifests.yaml", &docs_cluster());
    let options = Options {
        namespace_label: Some("name".into()),
        baseline: Baseline::ClusterBaseline,
        ..Options::default()
    };
    let out = generate(&base.cluster, &[], &options).unwrap();
    assert!(out.policies.is_empty(), "no NetworkPolicy without arrows");
    assert_eq!(out.cluster_policies.len(), 1);
    let p = &out.cluster_policies[0];
    assert_eq!(
        (p.name.as_str(), p.tier, p.priority),
        ("namespace-default", Tier::Baseline, 100)
    );
    assert!(out
        .yaml
        .starts_with("# The docs' namespace-default for every team namespace"));
    assert!(out.yaml.contains("operator: In\n        values:\n        - team-one-namespace\n        - team-two-namespace\n"), "{}", out.yaml);
    let again = generate(&base.cluster, &[], &options).unwrap();
    assert_eq!(out.yaml, again.yaml, "byte-stable");
}

const ENDS: [&str; 7] = [
    "team-one-namespace/pod-1",
    "team-one-namespace/pod-2",
    "team-two-namespace/pod-3",
    "kube-system/kube-dns",
    "system-ingress/ingress-nginx",
    "ip:8.8.8.8",
    "ip:10.1.2.3",
];
const PORTS: [&str; 4] = ["", ":8080/TCP", ":http/TCP", ":53/UDP,443/TCP"];

proptest! {
    #![proptest_config(common::cases(48))]

    #[test]
    fn cluster_baseline_matches_docs_default_for_any_arrows(
        arrows in proptest::collection::vec((0..ENDS.len(), 0..ENDS.len(), 0..PORTS.len()), 0..6),
        dns in any::<bool>(),
        expressions in any::<bool>(),
    ) {
        let base = common::load::load_one("manifests.yaml", &docs_cluster());
        let mut list = Vec::new();
        for (a, b, p) in arrows {
            let (from, to) = (ENDS[a], ENDS[b]);
            if from.starts_with("ip:") && to.starts_with("ip:") {
                continue;
            }
            if PORTS[p].contains("http") && !to.starts_with("team-") {
                continue;
            }
            let intent = parse_intent(&format!("{from} -> {to}{}", PORTS[p])).unwrap();
            // Only arrows the generator accepts (it checks ports against the receiver).
            if generate(&base.cluster, std::slice::from_ref(&intent), &Options::default()).is_ok() {
                list.push(intent);
            }
        }
        let style = if expressions { SelectorStyle::Expressions } else { SelectorStyle::Labels };
        same_as_docs_default(&list, dns, style)?;
    }
}

#[test]
fn cluster_policy_rules_know_their_line_after_other_documents() {
    // The explain view links each tier rule to its line in the editor.
    let text = format!(
        "{PODS}---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {{name: shop-egress}}
spec:
  tier: Admin
  priority: 10
  subject: {{namespaces: {{}}}}
  egress:
  - name: pass-web
    action: Pass
    to: [{{namespaces: {{matchLabels: {{team: shop}}}}}}]
  - name: deny-payments
    action: Deny
    to: [{{namespaces: {{matchLabels: {{team: payments}}}}}}]
  ingress:
  - name: accept-all
    action: Accept
    from: [{{namespaces: {{}}}}]
"
    );
    let loaded = common::load::load_one("manifests.yaml", &text);
    assert!(errors(&loaded).is_empty(), "{:?}", loaded.diagnostics);
    let policy = &loaded.cluster.cluster_policies[0];
    let line = |rule: &netpol::cnp::CnpRule| rule.origin.as_ref().map(|o| o.line);
    assert_eq!(
        line(&policy.egress[0]),
        Some(line_of(&text, "name: pass-web"))
    );
    assert_eq!(
        line(&policy.egress[1]),
        Some(line_of(&text, "name: deny-payments"))
    );
    assert_eq!(
        line(&policy.ingress[0]),
        Some(line_of(&text, "name: accept-all"))
    );
}
