//! The ClusterNetworkPolicy lints (NP214-NP220), one test per lint of issue 12: each asserts
//! the code, line, column and message, and that a correct policy is left alone.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a panic is a failed test"
)]

mod common;

use netpol::diag::Severity;
use netpol::lint::{lint, LintOptions};
use netpol::Diagnostic;

const PODS: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
status: {podIP: 10.0.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
status: {podIP: 10.0.0.10}
---
";

fn lint_text(text: &str) -> Vec<Diagnostic> {
    let loaded = common::load::load_one("p.yaml", text);
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "loader errors: {errors:#?}");
    lint(&loaded, &LintOptions::default())
}

fn with_code<'a>(diags: &'a [Diagnostic], code: &str) -> Vec<&'a Diagnostic> {
    diags.iter().filter(|d| d.code == code).collect()
}

fn only<'a>(diags: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    let found = with_code(diags, code);
    assert_eq!(found.len(), 1, "expected one {code}: {diags:#?}");
    found[0]
}

fn cnp(name: &str, tier: &str, priority: u16, body: &str) -> String {
    format!(
        "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {{name: {name}}}\nspec:\n  tier: {tier}\n  priority: {priority}\n  subject: {{namespaces: {{}}}}\n{body}"
    )
}

#[test]
fn shadowed_admin_rules() {
    // Line 8 is `egress:`, rule 1 starts on line 12.
    let text = cnp(
        "platform",
        "Admin",
        5,
        "  egress:\n  - name: deny-all\n    action: Deny\n    to: [{namespaces: {}}]\n  - name: accept-dns\n    action: Accept\n    to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]\n    protocols: [{udp: {destinationPort: {number: 53}}}]\n",
    );
    let d = lint_text(&text);
    let s = only(&d, "NP214");
    assert_eq!((s.line, s.column), (12, 5), "{s}");
    assert_eq!(
        s.message,
        "this rule never decides: egress[0] (Deny) matches all of its traffic first"
    );
    // A rule of a policy tried earlier shadows too, when its subject covers this one's.
    let text = format!(
        "{}---\n{}",
        cnp("first", "Admin", 1, "  ingress:\n  - {action: Pass, from: [{namespaces: {}}]}\n"),
        cnp("second", "Admin", 2, "  ingress:\n  - {action: Deny, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}]}\n")
    );
    let d = lint_text(&text);
    let s = only(&d, "NP214");
    assert_eq!(s.line, 19);
    assert_eq!(s.message, "this rule never decides: ingress[0] (Pass) of `first` (priority 1, tried first) matches all of its traffic first");
    // In the right order nothing is shadowed.
    let text = cnp(
        "platform",
        "Admin",
        5,
        "  egress:\n  - {action: Accept, to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]}\n  - {action: Deny, to: [{namespaces: {}}]}\n",
    );
    assert!(with_code(&lint_text(&text), "NP214").is_empty());
}

#[test]
fn equal_priorities_with_overlapping_rules() {
    let text = format!(
        "{}---\n{}---\n{}",
        cnp(
            "a",
            "Admin",
            3,
            "  egress:\n  - {action: Accept, to: [{networks: [10.0.0.0/8]}]}\n"
        ),
        cnp(
            "b",
            "Admin",
            3,
            "  egress:\n  - {action: Deny, to: [{networks: [10.1.0.0/16]}]}\n"
        ),
        cnp(
            "c",
            "Admin",
            3,
            "  egress:\n  - {action: Deny, to: [{networks: [192.168.0.0/16]}]}\n"
        ),
    );
    let d = lint_text(&text);
    let e = only(&d, "NP215");
    assert_eq!((e.line, e.column), (16, 3), "at `priority` of b: {e}");
    assert_eq!(e.message, "`a` and `b` both have priority 3 and their rules can match the same traffic with different actions (egress[0] Accept / egress[0] Deny): the implementation may apply either");
}

#[test]
fn baseline_deny_without_dns() {
    // With DNS pods in the input the engine decides: the Deny catches the query.
    let text = format!(
        "{PODS}{}",
        cnp(
            "defaults",
            "Baseline",
            100,
            "  egress:\n  - name: deny-everything\n    action: Deny\n    to: [{namespaces: {}}]\n"
        )
    );
    let d = lint_text(&text);
    let w = only(&d, "NP216");
    assert_eq!((w.line, w.column), (19, 5), "{w}");
    assert!(w
        .message
        .starts_with("this Baseline Deny also denies DNS (port 53)"));
    // An Accept for DNS before it fixes it.
    let fixed = format!(
        "{PODS}{}",
        cnp("defaults", "Baseline", 100, "  egress:\n  - {action: Accept, to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}], protocols: [{udp: {destinationPort: {number: 53}}}]}\n  - {action: Deny, to: [{namespaces: {}}]}\n")
    );
    assert!(with_code(&lint_text(&fixed), "NP216").is_empty());
    // Without pods the text decides.
    let bare = cnp(
        "defaults",
        "Baseline",
        100,
        "  egress:\n  - {action: Deny, to: [{networks: [0.0.0.0/0]}]}\n",
    );
    assert_eq!(only(&lint_text(&bare), "NP216").line, 9);
    let narrow = cnp("defaults", "Baseline", 100, "  egress:\n  - {action: Deny, to: [{networks: [0.0.0.0/0]}], protocols: [{tcp: {destinationPort: {number: 22}}}]}\n");
    assert!(with_code(&lint_text(&narrow), "NP216").is_empty());
}

#[test]
fn pass_in_baseline() {
    let text = cnp(
        "defaults",
        "Baseline",
        1,
        "  ingress:\n  - name: pass\n    action: Pass\n    from: [{namespaces: {}}]\n",
    );
    let d = lint_text(&text);
    let p = only(&d, "NP217");
    assert_eq!((p.line, p.column), (10, 5), "at `action`");
    assert_eq!(
        p.message,
        "Pass in the Baseline tier skips to the default, which allows: it is the same as no rule"
    );
    let admin = cnp(
        "platform",
        "Admin",
        1,
        "  ingress:\n  - {action: Pass, from: [{namespaces: {}}]}\n",
    );
    assert!(with_code(&lint_text(&admin), "NP217").is_empty());
}

#[test]
fn networks_that_cover_pod_ips() {
    let text = format!(
        "{PODS}{}",
        cnp(
            "platform",
            "Admin",
            1,
            "  egress:\n  - action: Deny\n    to:\n    - networks: [10.0.1.0/24, 8.8.8.8/32]\n"
        )
    );
    let d = lint_text(&text);
    let w = only(&d, "NP218");
    assert_eq!((w.line, w.column), (21, 7), "{w}");
    assert_eq!(w.message, "these networks cover the IPs of `shop/web`: this Deny rule applies to traffic to those pods too, not only outside the cluster");
    let outside = format!(
        "{PODS}{}",
        cnp(
            "platform",
            "Admin",
            1,
            "  egress:\n  - {action: Deny, to: [{networks: [8.8.8.8/32]}]}\n"
        )
    );
    assert!(with_code(&lint_text(&outside), "NP218").is_empty());
    // Pods an earlier rule takes by selector never reach the networks rule.
    let pods_first = format!(
        "{PODS}{}",
        cnp("platform", "Admin", 1, "  egress:\n  - {action: Pass, to: [{namespaces: {}}]}\n  - {action: Deny, to: [{networks: [0.0.0.0/0]}]}\n")
    );
    assert!(with_code(&lint_text(&pods_first), "NP218").is_empty());
}

#[test]
fn a_subject_that_selects_nothing() {
    let text = format!(
        "{PODS}apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {{name: nobody}}\nspec:\n  tier: Admin\n  priority: 1\n  subject: {{pods: {{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: db}}}}}}}}\n  ingress: [{{action: Deny, from: [{{namespaces: {{}}}}]}}]\n"
    );
    let d = lint_text(&text);
    let w = only(&d, "NP219");
    assert_eq!((w.line, w.column), (17, 3));
    assert_eq!(
        w.message,
        "the subject of `nobody` selects no pod of the input: the policy does nothing here"
    );
    // Without pods in the input there is nothing to compare with.
    let bare = cnp(
        "nobody",
        "Admin",
        1,
        "  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n",
    );
    assert!(with_code(&lint_text(&bare), "NP219").is_empty());
}

#[test]
fn implementation_defined_features() {
    let text = cnp(
        "platform",
        "Admin",
        1,
        "  egress:\n  - {action: Accept, to: [{domainNames: [example.com]}]}\n  - {action: Deny, to: [{nodes: {}}]}\n  - {action: Accept, to: [{namespaces: {}}], protocols: [{destinationNamedPort: http}]}\n",
    );
    let d = lint_text(&text);
    let found: Vec<(usize, &str)> = with_code(&d, "NP220")
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (9, "`domainNames` peers are experimental and match by the DNS name a connection was opened to, which the playground cannot see: it treats them as no match"),
            (10, "`nodes` peers are experimental (ClusterNetworkPolicyEgressNodePeers) and match the addresses of Node objects; the input has none, so this peer matches nothing here"),
            (11, "named port `http` needs the extended feature ClusterNetworkPolicyNamedPorts: implementations without it do not match it"),
        ]
    );
}

#[test]
fn accept_dns_then_deny_pods_lints_clean() {
    // The shape of the generated cluster-baseline's egress: DNS first, then the Deny.
    let text = cnp(
        "namespace-default",
        "Baseline",
        100,
        "  egress:\n  - {action: Accept, to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}]}\n  - {action: Deny, to: [{namespaces: {}}]}\n",
    );
    let d = lint_text(&format!("{PODS}{text}"));
    assert!(
        with_code(&d, "NP216").is_empty() && with_code(&d, "NP214").is_empty(),
        "{d:#?}"
    );
}
