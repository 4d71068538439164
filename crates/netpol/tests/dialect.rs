//! kubectl's YAML dialect: manifests are read as kubectl reads them (go-yaml v2, YAML 1.1
//! scalars), one golden test per resolution rule with its exact place and message; and what
//! the generator writes reads back as it was meant, however its label values look.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

mod common;

use netpol::endpoint::Endpoint;
use netpol::generate::{generate, parse_intent, Baseline, Options};
use netpol::model::PortRef;
use netpol::{connectivity, Protocol};
use proptest::prelude::*;

fn diags(text: &str) -> Vec<String> {
    common::load::load_one("t.yaml", text)
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect()
}

fn pod(labels: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: x\n  labels: {labels}\n")
}

fn policy_port(port: &str) -> netpol::load::Loaded {
    let text = format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n    - ports:\n        - port: {port}\n"
    );
    common::load::load_one("t.yaml", &text)
}

#[test]
fn a_boolean_label_value_is_refused_with_the_fix() {
    assert_eq!(
        diags(&pod("{pci: yes}")),
        ["t.yaml:6:17: error[NP103]: `metadata.labels.pci`: kubectl reads unquoted `yes` as a boolean (YAML 1.1), but a string is expected here (help: quote it: `pci: \"yes\"` (kubectl: cannot unmarshal bool into a field of type string))"]
    );
    // Every YAML 1.1 spelling, in every place a string is expected.
    for word in [
        "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "n", "NO", "off", "False",
    ] {
        let d = diags(&pod(&format!("{{tier: {word}}}")));
        assert_eq!(d.len(), 1, "{word}: {d:?}");
        assert!(d[0].contains("as a boolean"), "{word}: {d:?}");
    }
    // Quoted, it is a string, and the pod loads.
    assert!(diags(&pod("{pci: \"yes\"}")).is_empty());
}

#[test]
fn numbers_where_names_are_expected_are_refused() {
    assert_eq!(
        diags("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: 123\n"),
        ["t.yaml:4:9: error[NP103]: `metadata.name`: kubectl reads unquoted `123` as an integer (YAML 1.1), but a string is expected here (help: quote it: `name: \"123\"` (kubectl: cannot unmarshal number into a field of type string))"]
    );
    let d = diags(&pod("{version: 1.10}"));
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].contains("`1.10` as a number"), "{d:?}");
    // A selector value too.
    let d = diags("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector:\n    matchExpressions:\n      - {key: tier, operator: In, values: [web, off]}\n");
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].starts_with("t.yaml:7:49: error[NP103]: `spec.podSelector.matchExpressions[0].values[1]`: kubectl reads unquoted `off` as a boolean"), "{d:?}");
}

#[test]
fn null_leaves_a_label_value_empty() {
    let l = common::load::load_one("t.yaml", &pod("{app: ~, tier: null, role: }"));
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let labels = &l.cluster.pods[0].labels;
    assert_eq!(labels.get("app").map(String::as_str), Some(""));
    assert_eq!(labels.get("tier").map(String::as_str), Some(""));
    assert_eq!(labels.get("role").map(String::as_str), Some(""));
}

#[test]
fn a_key_kubectl_rewrites_is_a_located_warning() {
    let l = common::load::load_one("t.yaml", &pod("\n    on: x"));
    let d: Vec<String> = l.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        d,
        ["t.yaml:7:5: warning[NP110]: kubectl reads the key `on` as a boolean and sends it as `true` (help: quote it to keep it as written: `\"on\":`)"]
    );
    assert_eq!(
        l.cluster.pods[0].labels.get("true").map(String::as_str),
        Some("x")
    );
}

#[test]
fn integers_are_read_as_go_parse_int_reads_them() {
    for (written, port) in [
        ("010", 8),
        ("0o17", 15),
        ("0x1F", 31),
        ("0b1010000", 80),
        ("8_080", 8080),
        ("+80", 80),
        ("1e3", 1000),
        ("80.0", 80),
        // Not octal (9 is no octal digit): a float, 9.
        ("09", 9),
    ] {
        let l = policy_port(written);
        assert!(l.diagnostics.is_empty(), "{written}: {:?}", l.diagnostics);
        let p = &l.cluster.policies[0].ingress[0].ports[0];
        assert_eq!(p.port, Some(PortRef::Number(port)), "{written}");
    }
}

#[test]
fn numbers_that_are_not_ports_say_what_kubectl_saw() {
    let d: Vec<String> = policy_port("80.5")
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].starts_with("t.yaml:8:17: error[NP103]"), "{d:?}");
    let d: Vec<String> = policy_port("yes")
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        d,
        ["t.yaml:8:17: error[NP103]: `spec.ingress[0].ports[0].port`: kubectl reads unquoted `yes` as a boolean (YAML 1.1), but a number or a name is expected here (help: write a number, or quote it to make it a name: `port: \"yes\"` (kubectl: cannot unmarshal bool into a field of type int32))"]
    );
    // A quoted number is a port name to the API (and not a valid one).
    let d: Vec<String> = policy_port("\"8080\"")
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].contains("quoted number"), "{d:?}");
}

#[test]
fn a_quoted_number_where_an_integer_is_expected_is_refused() {
    let d = diags("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec:\n  containers:\n    - name: c\n      ports: [{containerPort: \"8080\"}]\n");
    assert_eq!(
        d,
        ["t.yaml:7:31: error[NP103]: `spec.containers[0].ports[0].containerPort`: expected an integer, found the quoted string `\"8080\"` (help: write it without quotes: `8080`)"]
    );
}

#[test]
fn duplicate_keys_refuse_the_document_like_kubectl() {
    assert_eq!(
        diags("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n"),
        ["t.yaml:5:3: error[NP100]: key `name` is already set in this mapping (line 4): kubectl refuses the document"]
    );
}

#[test]
fn merge_keys_and_anchors_work_as_in_kubectl() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: x\n  labels:\n    <<: &common {team: one, tier: web}\n    app: a\n";
    let l = common::load::load_one("t.yaml", text);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let labels = &l.cluster.pods[0].labels;
    assert_eq!(labels.len(), 3);
    assert_eq!(labels.get("team").map(String::as_str), Some("one"));
}

#[test]
fn a_replication_controller_runs_pods() {
    let text = "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc, namespace: x}\nspec:\n  replicas: 2\n  selector: {app: rc}\n  template:\n    metadata: {labels: {app: rc}}\n    spec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 80}]}]}\n";
    let l = common::load::load_one("t.yaml", text);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let p = &l.cluster.pods[0];
    assert_eq!(p.id(), "x/rc");
    assert_eq!(p.kind.as_str(), "ReplicationController");
    assert_eq!(p.named_port("http", Protocol::Tcp), Some(80));
}

/// Label values a YAML 1.1 reader would read as something else, all valid label values.
fn tricky_value() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "yes", "no", "on", "off", "y", "n", "true", "false", "Y", "NO", "null", "Null", "010",
        "0x1F", "0b1", "1_000", "1e3", "1.0", "8080", "09", "web", "a.b", "v1",
    ])
    .prop_map(str::to_string)
}

proptest! {
    #![proptest_config(common::cases(40))]

    /// The generator's policies select exactly the pods they were written for, when kubectl
    /// (YAML 1.1) reads them back: every label value it writes stays a string.
    #[test]
    fn generated_policies_read_back_as_meant(values in prop::collection::vec(tricky_value(), 3)) {
        let pods: String = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  namespace: x\n  labels: {{app: \"{v}\", idx: \"{i}\"}}\n"))
            .collect();
        let base = common::load::load_one("pods.yaml", &pods);
        prop_assert!(base.diagnostics.is_empty(), "{:?}", base.diagnostics);
        let arrows = vec![parse_intent("x/p0 -> x/p1:8080/TCP").unwrap()];
        let options = Options { baseline: Baseline::DenyAll, ..Options::default() };
        let out = generate(&base.cluster, &arrows, &options).unwrap();
        let both = common::load::load_files(&[("pods.yaml", &pods), ("generated.yaml", &out.yaml)]);
        prop_assert!(both.diagnostics.is_empty(), "{:?}\n{}", both.diagnostics, out.yaml);
        // Exactly the drawn arrow is allowed between the pods (plus each to itself).
        let c = &both.cluster;
        let eps: Vec<Endpoint> = (0..3).map(|i| Endpoint::parse(c, &format!("x/p{i}")).unwrap()).collect();
        let map = connectivity(c, &eps);
        for (i, j, conns) in map.allowed_pairs() {
            prop_assert!(i == j || (i == 0 && j == 1 && conns.allows(8080, Protocol::Tcp)), "x/p{i} -> x/p{j} allowed\n{}", out.yaml);
        }
        prop_assert!(map.get(0, 1).is_some_and(|conns| conns.allows(8080, Protocol::Tcp)), "the arrow is not allowed\n{}", out.yaml);
    }
}
