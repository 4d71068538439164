//! Golden tests for the loader's diagnostics: every code has an input and its exact
//! expected text, line and column; and one broken document never hides the others.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

mod common;

/// Loads `text` as `t.yaml` and returns the diagnostics as `line:col: severity[CODE]: message (help)`.
fn diags(text: &str) -> Vec<String> {
    common::load::load_one("t.yaml", text)
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect()
}

fn policy(spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: x\nspec:\n{spec}"
    )
}

#[test]
fn np100_yaml_syntax_error_is_located_and_other_documents_still_load() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n---\nkind: [oops\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x}\n";
    let loaded = common::load::load_one("t.yaml", text);
    let d: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0],
        "t.yaml:5:11: error[NP100]: while parsing a flow sequence, expected `,` or `]`"
    );
    assert_eq!(loaded.cluster.pods.len(), 2);
}

#[test]
fn np101_not_an_object() {
    assert_eq!(
        diags("- just\n- a list\n"),
        ["t.yaml:1:1: error[NP101]: this document is not a Kubernetes object (expected a mapping with `apiVersion` and `kind`)"]
    );
    assert_eq!(
        diags("metadata: {name: a}\n"),
        ["t.yaml:1:1: error[NP101]: missing `kind`"]
    );
}

#[test]
fn np102_skipped_kind_is_info() {
    assert_eq!(
        diags("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"),
        ["t.yaml:2:7: info[NP102]: skipped `Service`: NetworkPolicy evaluation does not use this kind"]
    );
}

#[test]
fn np103_wrong_type_names_the_field() {
    let d = diags(&policy(
        "  podSelector: {}\n  ingress:\n    - ports:\n        - endPort: many\n",
    ));
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].starts_with("t.yaml:10:20: error[NP103]: `spec.ingress[0].ports[0].endPort`: expected an integer, found the string `many`"),
        "{d:?}"
    );
}

#[test]
fn np104_unknown_field_suggests_the_closest() {
    assert_eq!(
        diags(&policy("  podselector: {}\n")),
        ["t.yaml:7:3: error[NP104]: unknown field `podselector` (help: did you mean `podSelector`?)"]
    );
    assert_eq!(
        diags(&policy("  podSelector:\n    matchLabel: {app: a}\n")),
        ["t.yaml:8:5: error[NP104]: unknown field `matchLabel` (help: did you mean `matchLabels`?)"]
    );
}

#[test]
fn np105_missing_required_field() {
    assert_eq!(
        diags(&policy("  podSelector: {}\n  egress:\n    - to:\n        - ipBlock: {except: [10.0.0.0/8]}\n")),
        ["t.yaml:10:11: error[NP105]: missing required field `spec.egress[0].to[0].ipBlock.cidr`"]
    );
    assert_eq!(
        diags("apiVersion: v1\nkind: Pod\nmetadata:\n  namespace: x\n"),
        ["t.yaml:3:1: error[NP105]: missing required field `metadata.name` in this Pod"]
    );
}

#[test]
fn np106_duplicate_names_keep_the_later_object() {
    let text = format!(
        "{}\n---\n{}",
        policy("  podSelector: {}\n"),
        policy("  podSelector: {}\n  policyTypes: [Egress]\n")
    );
    let loaded = common::load::load_one("t.yaml", &text);
    let d: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        d,
        ["t.yaml:13:9: error[NP106]: NetworkPolicy `x/p` is defined twice; this one replaces the one at t.yaml:1"]
    );
    assert_eq!(loaded.cluster.policies.len(), 1);
    assert!(loaded.cluster.policies[0].isolates_egress);
}

#[test]
fn np107_invalid_values_reject_the_policy() {
    let cases = [
        ("  podSelector: {}\n  egress:\n    - to:\n        - ipBlock: {cidr: 10.0.0.0}\n",
         "t.yaml:10:27: error[NP107]: invalid `cidr`: `10.0.0.0` is not a CIDR: add a prefix length (`10.0.0.0/32`)"),
        ("  podSelector: {}\n  egress:\n    - to:\n        - ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}\n",
         "t.yaml:10:48: error[NP107]: except `192.168.0.0/16` is not inside cidr `10.0.0.0/8` (help: each `except` entry must be a smaller range inside `cidr`)"),
        ("  podSelector: {}\n  ingress:\n    - ports:\n        - {port: 90, endPort: 80}\n",
         "t.yaml:10:31: error[NP107]: `endPort` 80 is below `port` 90 (help: `endPort` must be between 90 and 65535)"),
        ("  podSelector: {}\n  ingress:\n    - ports:\n        - {port: http, endPort: 80}\n",
         "t.yaml:10:24: error[NP107]: `endPort` cannot follow a named port (`http`) (help: use a numeric `port` for a range)"),
        ("  podSelector: {}\n  ingress:\n    - ports:\n        - {protocol: tcp, port: 80}\n",
         "t.yaml:10:22: error[NP107]: unsupported protocol `tcp` (help: protocols are upper case: write `TCP`)"),
        ("  podSelector:\n    matchExpressions:\n      - {key: app, operator: in, values: [a]}\n",
         "t.yaml:9:30: error[NP107]: unknown operator `in` (help: did you mean `In`?)"),
        ("  podSelector: {}\n  ingress:\n    - from:\n        - {}\n",
         "t.yaml:10:11: error[NP107]: empty peer: give a `podSelector`, a `namespaceSelector` or an `ipBlock` (help: to allow every source, leave out the whole `from`/`to` list)"),
        ("  podSelector: {}\n  policyTypes: [ingress]\n",
         "t.yaml:8:17: error[NP107]: unknown policy type `ingress` (help: did you mean `Ingress`?)"),
    ];
    for (spec, want) in cases {
        let text = policy(spec);
        let loaded = common::load::load_one("t.yaml", &text);
        let d: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(d, [want], "for spec:\n{spec}");
        assert!(
            loaded.cluster.policies.is_empty(),
            "rejected policy must not load: {spec}"
        );
    }
}

#[test]
fn np108_wrong_api_version() {
    let text = "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {podSelector: {}}\n";
    assert_eq!(
        diags(text),
        ["t.yaml:1:13: error[NP108]: `NetworkPolicy` is served at `networking.k8s.io/v1`, not `extensions/v1beta1` (help: write `apiVersion: networking.k8s.io/v1`)"]
    );
}

#[test]
fn np109_template_placeholder_is_info_and_skipped() {
    let text = include_str!("../../../tests/fixtures/docs-example/namespace-default.yaml");
    let loaded = common::load::load_one("namespace-default.yaml", text);
    let d: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(d.len(), 1);
    assert!(d[0].starts_with("namespace-default.yaml:7:14: info[NP109]: `<team-namespace>` is a template placeholder"), "{d:?}");
    assert!(loaded.cluster.policies.is_empty());
}

#[test]
fn list_items_and_json_load_with_positions() {
    let text = r#"{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "x"}},
  {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "x"}, "spec": {"podselector": {}}}
]}"#;
    let loaded = common::load::load_one("list.json", text);
    let d: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        d,
        ["list.json:3:121: error[NP104]: unknown field `podselector` (help: did you mean `podSelector`?)"]
    );
    assert_eq!(loaded.cluster.pods.len(), 1);
}

#[test]
fn workloads_are_endpoints_named_after_the_workload() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: c\n          ports: [{name: http, containerPort: 8080}]\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: shop}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {app: nightly}}\n        spec: {containers: [{name: c}], restartPolicy: Never}\n";
    let loaded = common::load::load_one("w.yaml", text);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let ids: Vec<String> = loaded.cluster.pods.iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["shop/web", "shop/nightly"]);
    assert_eq!(
        loaded.cluster.pods[0].named_port("http", netpol::Protocol::Tcp),
        Some(8080)
    );
    // The namespace has no Namespace object but exists, with the automatic label.
    let ns = loaded.cluster.namespace("shop").unwrap();
    assert!(!ns.declared);
    assert_eq!(
        ns.labels
            .get("kubernetes.io/metadata.name")
            .map(String::as_str),
        Some("shop")
    );
}

#[test]
fn missing_namespace_means_default() {
    let loaded =
        common::load::load_one("p.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n");
    assert_eq!(loaded.cluster.pods[0].id(), "default/a");
}

#[test]
fn empty_policy_types_default_like_missing() {
    // SetDefaults_NetworkPolicy (kubernetes pkg/apis/networking/v1/defaults.go) treats an
    // empty list like a missing one.
    let loaded = common::load::load_one(
        "t.yaml",
        &policy("  podSelector: {}\n  policyTypes: []\n  egress: [{}]\n"),
    );
    let p = &loaded.cluster.policies[0];
    assert!(p.isolates_ingress && p.isolates_egress);
}

#[test]
fn a_workload_template_with_a_wrong_type_is_located() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: x}\nspec:\n  template:\n    metadata:\n      labels: [app, web]\n";
    assert_eq!(
        diags(text),
        ["t.yaml:7:15: error[NP103]: `spec.template.metadata.labels`: expected a mapping, found a list"]
    );
    assert_eq!(
        diags("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {schedule: '@daily'}\n"),
        ["t.yaml:4:1: error[NP105]: missing required field `spec.jobTemplate.spec.template`: a CronJob without a pod template runs no pods"]
    );
}
