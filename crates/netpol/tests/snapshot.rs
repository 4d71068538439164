//! Cluster snapshots as `kubectl get -o json` writes them (issue 20): a JSON `List` loads
//! item by item into the same cluster as the same objects written as YAML, a broken item
//! is one located diagnostic and the rest loads, and truncated or outlandish input is a
//! diagnostic, never a panic. Loaded item by item (`Loader`, as the CLI loads a file), a
//! List gives the same cluster, diagnostics and findings, at the same places.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

use netpol::{load, Cluster, Loaded, Source};
use serde_json::{json, Value};

fn load_one(name: &str, text: &str) -> Loaded {
    load(&[Source { name, text }])
}

/// A pod as kubectl prints it: the fields the engine reads among many it does not.
fn pod(i: usize) -> Value {
    let ns = format!("ns{}", i % 3);
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": {"prometheus.io/scrape": "true"},
            "generateName": "web-5d8f9c-",
            "labels": {"app": format!("app{}", i % 4), "pod-template-hash": "5d8f9c"},
            "managedFields": [{"fieldsV1": {"f:metadata": {"f:labels": {".": {}}}}, "manager": "kube-controller-manager", "operation": "Update"}],
            "name": format!("web-5d8f9c-{i}"),
            "namespace": ns,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8f9c", "uid": "1"}],
            "uid": format!("uid-{i}")
        },
        "spec": {
            "containers": [{
                "env": [{"name": "A", "value": "b"}],
                "image": "nginx",
                "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
                "name": "web",
                "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                "volumeMounts": [{"mountPath": "/tmp", "name": "tmp"}]
            }],
            "nodeName": "node-1",
            "tolerations": [{"key": "k", "operator": "Exists"}],
            "volumes": [{"emptyDir": {}, "name": "tmp"}]
        },
        "status": {
            "conditions": [{"status": "True", "type": "Ready"}],
            "hostIP": "172.16.0.1",
            "phase": "Running",
            "podIP": format!("10.0.0.{}", i + 1),
            "podIPs": [{"ip": format!("10.0.0.{}", i + 1)}]
        }
    })
}

fn policy(i: usize) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "managedFields": [{"manager": "kubectl", "operation": "Update"}],
            "name": format!("p{i}"),
            "namespace": format!("ns{}", i % 3)
        },
        "spec": {
            "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}}]}],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "t1"}}, "podSelector": {"matchLabels": {"app": format!("app{}", i % 4)}}}], "ports": [{"port": "http"}]}],
            "podSelector": if i % 2 == 0 { json!({}) } else { json!({"matchLabels": {"app": "app1"}}) },
            "policyTypes": ["Ingress", "Egress"]
        }
    })
}

fn namespace(i: usize) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"labels": {"kubernetes.io/metadata.name": format!("ns{i}"), "team": format!("t{i}")}, "managedFields": [], "name": format!("ns{i}")},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"}
    })
}

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "ns1"},
        "spec": {"selector": {"matchLabels": {"app": "api"}}, "template": {
            "metadata": {"labels": {"app": "api"}},
            "spec": {"containers": [{"name": "api", "ports": [{"containerPort": 9000, "name": "grpc"}], "env": []}], "volumes": []}
        }},
        "status": {"replicas": 2}
    })
}

fn items() -> Vec<Value> {
    let mut items: Vec<Value> = (0..3).map(namespace).collect();
    items.extend((0..12).map(pod));
    items.push(deployment());
    items.extend((0..6).map(policy));
    items
}

/// `items` as kubectl writes them: one List, four-space indentation.
fn json_list(items: Vec<Value>) -> String {
    let list = json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}});
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(&list, &mut serializer).unwrap();
    String::from_utf8(out).unwrap() + "\n"
}

fn yaml_documents(items: &[Value]) -> String {
    items
        .iter()
        .map(|i| serde_yaml::to_string(i).unwrap())
        .collect::<Vec<_>>()
        .join("---\n")
}

/// The cluster without where things were written.
fn placeless(mut cluster: Cluster) -> Cluster {
    for ns in &mut cluster.namespaces {
        ns.origin = None;
    }
    for pod in &mut cluster.pods {
        pod.origin = None;
    }
    for policy in &mut cluster.policies {
        policy.origin = None;
        for rule in policy.ingress.iter_mut().chain(policy.egress.iter_mut()) {
            rule.origin = None;
        }
    }
    cluster
}

#[test]
fn a_json_list_loads_the_cluster_its_items_load_as_yaml() {
    let json = json_list(items());
    let yaml = yaml_documents(&items());
    let from_json = load_one("snapshot.json", &json);
    let from_yaml = load_one("snapshot.yaml", &yaml);
    assert!(
        from_json.diagnostics.is_empty(),
        "{:?}",
        from_json.diagnostics
    );
    assert!(
        from_yaml.diagnostics.is_empty(),
        "{:?}",
        from_yaml.diagnostics
    );
    assert_eq!(from_json.cluster.pods.len(), 13);
    assert_eq!(from_json.cluster.policies.len(), 6);
    assert!(from_json
        .cluster
        .pods
        .iter()
        .all(|p| !p.ips.is_empty() || p.name == "api"));
    // Every pod's place is its item's opening brace, on the line kubectl put it.
    for pod in &from_json.cluster.pods {
        let at = pod.origin.as_ref().unwrap();
        assert_eq!(&json[at.start..at.start + 1], "{");
        let line = json[..at.start].matches('\n').count() + 1;
        assert_eq!(at.line, line, "{}", pod.name);
    }
    assert_eq!(placeless(from_json.cluster), placeless(from_yaml.cluster));
}

#[test]
fn a_finding_on_a_policy_of_a_json_list_points_into_its_item() {
    let json = json_list(items());
    let loaded = load_one("snapshot.json", &json);
    // Keys are preferred to values: the place is the `"port"` of policy p3's first port.
    let at = loaded.locate(3, "spec.ingress[0].ports[0].port");
    assert_eq!(&json[at.start..at.end], "\"port\"");
    let p3 = json.find("\"name\": \"p3\"").unwrap();
    assert!(at.start > p3 && at.start < p3 + 1500, "{at:?}");
    assert_eq!(at.line, json[..at.start].matches('\n').count() + 1);
}

#[test]
fn a_broken_item_among_many_is_one_located_diagnostic_and_the_rest_loads() {
    let mut items: Vec<Value> = (0..200).map(pod).collect();
    items[137]["metadata"]["labels"]["app"] = json!(["not", "a", "string"]);
    let json = json_list(items);
    let loaded = load_one("snapshot.json", &json);
    assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
    let d = &loaded.diagnostics[0];
    assert_eq!(d.code, "NP103", "{d}");
    assert!(d.message.contains("metadata.labels.app"), "{d}");
    // kubectl's layout: the list opens on the line after `"app": [`.
    let broken = json.find("\"app\": [").unwrap() + "\"app\": ".len();
    assert_eq!(d.start, broken);
    assert_eq!(d.line, json[..broken].matches('\n').count() + 1);
    assert_eq!(loaded.cluster.pods.len(), 199);
}

#[test]
fn truncated_and_outlandish_input_is_a_diagnostic_never_a_panic() {
    let json = json_list(items());
    for cut in [1, 2, json.len() / 3, json.len() / 2, json.len() - 3] {
        let loaded = load_one("cut.json", &json[..cut]);
        assert!(!loaded.diagnostics.is_empty(), "cut at {cut}");
    }
    let huge = "x".repeat(5_000_000);
    let text = format!("{{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {{\"name\": \"{huge}\"}}}}, \"{huge}\", 12, null, [[[[]]]]]}}");
    let loaded = load_one("huge.json", &text);
    assert!(
        loaded.diagnostics.len() >= 3,
        "{:?}",
        loaded.diagnostics.len()
    );
    let deep = format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{}{}]}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let loaded = load_one("deep.json", &deep);
    assert_eq!(loaded.diagnostics.len(), 1);
}

#[test]
fn a_syntax_error_in_one_item_leaves_the_other_items_loaded() {
    let json = json_list(items());
    // A comma lost inside pod 5's metadata.
    let name = json.find("\"name\": \"web-5d8f9c-5\",").unwrap();
    let comma = name + "\"name\": \"web-5d8f9c-5\"".len();
    let broken = format!("{}{}", &json[..comma], &json[comma + 1..]);
    let loaded = load_one("snapshot.json", &broken);
    assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
    let d = &loaded.diagnostics[0];
    assert_eq!(d.code, "NP100", "{d}");
    let item_start = broken[..name].rfind("\n        {").unwrap();
    let item_end = item_start + broken[item_start..].find("\n        }").unwrap();
    assert!(d.start > item_start && d.start < item_end, "{d}");
    assert_eq!(loaded.cluster.pods.len(), 12);
    assert_eq!(loaded.cluster.policies.len(), 6);
}

#[test]
fn the_apps_cached_loading_reads_a_json_list_alike_before_and_after_an_edit() {
    let json = json_list(items());
    let source = |text| {
        [Source {
            name: "snapshot.json",
            text,
        }]
    };
    let mut cache = netpol::LoadCache::default();
    let first = netpol::load_cached(&source(&json), &mut cache);
    assert_eq!(first.cluster, load_one("snapshot.json", &json).cluster);
    // One item edited: the others come from the cache, the places of all are right.
    let edited = json.replacen("\"app\": \"app1\"", "\"app\": \"app9\"", 1);
    let second = netpol::load_cached(&source(&edited), &mut cache);
    assert_eq!(second.cluster, load_one("snapshot.json", &edited).cluster);
    assert!(second.diagnostics.is_empty(), "{:?}", second.diagnostics);
}

/// Reads items back from the text, as the CLI reads them back from the file.
struct FromText(String);

impl netpol::ReadAgain for FromText {
    fn read(&self, start: usize, end: usize) -> Option<String> {
        self.0.get(start..end).map(str::to_string)
    }
}

/// Loads `text` as the CLI loads a file: cut item by item from chunks of `step` bytes,
/// never holding the text, and read back only to place a finding.
fn streamed(name: &str, text: &str, step: usize) -> Loaded {
    let mut cutter = netpol::yaml::ListCutter::new();
    let mut loader = netpol::Loader::new();
    let list = loader.list(
        name.to_string(),
        std::sync::Arc::new(FromText(text.to_string())),
    );
    for chunk in text.as_bytes().chunks(step) {
        cutter.push(chunk);
        while let Some(item) = cutter.next_item().unwrap() {
            loader.item(list, netpol::read_item(name, &item));
        }
    }
    cutter.finish().unwrap();
    loader.finish()
}

#[test]
fn a_list_loaded_item_by_item_is_the_list_loaded_whole_to_the_column() {
    let mut items = items();
    items[5]["metadata"]["labels"] = json!(["app", "web"]);
    items[6]["metadata"]["annotations"]["note"] = json!("é✓ before the labels");
    // Findings for the linter to place: a namespaceSelector on a label no namespace has.
    items.push(json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"annotations": {"note": "é✓"}, "name": "elan", "namespace": "ns0"},
        "spec": {"podSelector": {"matchLabels": {"app": "nowhere"}},
                 "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"nosuchkey": "x"}}}, {"podSelector": {"matchLabels": {"app": "app1"}}}]}]}
    }));
    let json = json_list(items);
    // A syntax error in one item (a lost comma) too.
    let name = json.find("\"name\": \"web-5d8f9c-7\",").unwrap();
    let comma = name + "\"name\": \"web-5d8f9c-7\"".len();
    let json = format!("{}{}", &json[..comma], &json[comma + 1..]);

    let whole = load_one("snapshot.json", &json);
    let options = netpol::lint::LintOptions::default();
    let whole_lint = netpol::lint::lint(&whole, &options);
    assert!(whole.diagnostics.len() >= 2, "{:?}", whole.diagnostics);
    assert!(!whole_lint.is_empty());
    for step in [1, 7, 4096, json.len()] {
        let by_item = streamed("snapshot.json", &json, step);
        assert_eq!(by_item.diagnostics, whole.diagnostics, "step {step}");
        assert_eq!(by_item.cluster, whole.cluster, "step {step}");
        assert_eq!(
            netpol::lint::lint(&by_item, &options),
            whole_lint,
            "step {step}"
        );
        let path = "spec.ingress[0].from[1].podSelector";
        let last = whole.cluster.policies.len() - 1;
        assert_eq!(by_item.locate(last, path), whole.locate(last, path));
    }
}
