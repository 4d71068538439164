//! A `kubectl get -o json` List is cut into items where their indentation says they end
//! (`ListCutter::guessing`); a file indented any other way must load exactly as reading
//! it whole does. Each file here is loaded twice: from its path (streamed, guessing) and
//! from stdin (read whole, every item read to its end), and the two must agree on the
//! connectivity and on every finding's code, line and column.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test fails loudly on purpose"
)]

#[allow(dead_code, reason = "each test binary uses part of the support module")]
mod common;

use std::path::PathBuf;

use common::{run_netpol, stdout};
use serde_json::{json, Value};

/// Deletes the file however the test ends.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn items() -> Vec<Value> {
    let mut items = Vec::new();
    for ns in ["shop", "pay"] {
        items.push(json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}}));
        for (i, app) in ["web", "api", "db"].iter().enumerate() {
            items.push(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("{app}-{i}"), "namespace": ns, "labels": {"app": app},
                    "annotations": {"note": "a } at the start of a line: \n        }"}},
                "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]},
                "status": {"podIP": format!("10.0.{}.{}", ns.len(), i + 1)}}));
        }
        items.push(
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "db", "namespace": ns},
            "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"],
                "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "api"}}}],
                    "ports": [{"port": 8080}]}]}}),
        );
    }
    items
}

/// The List as kubectl writes it: four spaces a level, items at eight.
fn kubectl_list(items: &[Value]) -> String {
    let mut out = String::from("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n");
    for (i, item) in items.iter().enumerate() {
        let mut text = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut text, formatter);
        serde::Serialize::serialize(item, &mut serializer).unwrap();
        let text = String::from_utf8(text).unwrap();
        let indented: Vec<String> = text.lines().map(|l| format!("        {l}")).collect();
        out.push_str(&indented.join("\n"));
        out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
    }
    out.push_str("    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n");
    out
}

/// (connectivity, findings as code/line/column) from the file's path and from stdin.
fn both_ways(name: &str, text: &str) -> [(String, Vec<Value>); 2] {
    let path = std::env::temp_dir().join(format!("netpol-cut-{}-{name}.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let _file = TempFile(path.clone());
    let path = path.to_str().unwrap();
    [Some(path), None].map(|p| {
        let (arg, input) = match p {
            Some(p) => (p, None),
            None => ("-", Some(text)),
        };
        let connectivity = stdout(&run_netpol(
            &["connectivity", "-o", "json", arg],
            input,
            None,
        ));
        let lint: Value = serde_json::from_str(&stdout(&run_netpol(
            &["lint", "-o", "json", arg],
            input,
            None,
        )))
        .unwrap();
        let findings = lint
            .as_array()
            .unwrap()
            .iter()
            .map(|d| json!([d["code"], d["line"], d["column"]]))
            .collect();
        (connectivity, findings)
    })
}

fn assert_streamed_is_whole(name: &str, text: &str) -> (String, Vec<Value>) {
    let [streamed, whole] = both_ways(name, text);
    assert_eq!(streamed, whole, "{name}");
    streamed
}

#[test]
fn a_kubectl_list_loads_as_reading_it_whole_does() {
    let (connectivity, _) = assert_streamed_is_whole("kubectl", &kubectl_list(&items()));
    assert!(connectivity.contains("shop/api-1"), "{connectivity}");
}

#[test]
fn a_list_indented_some_other_way_loads_as_reading_it_whole_does() {
    let text = kubectl_list(&items());
    let reference = assert_streamed_is_whole("reference", &text);
    // A nested object closes at the items' indentation: a guess ends there, early.
    let early = text.replacen(
        "\"app\": \"web\"\n                }",
        "\"app\": \"web\"\n        }",
        1,
    );
    assert!(early != text, "the early variant changed nothing");
    // An item's `}` ends the line before it: a guess runs on into the next item.
    let late = text.replacen("\n            }\n        },", "\n            }},", 1);
    assert!(late != text, "the late variant changed nothing");
    // Every item on one line, with the List's own lines indented.
    let minified: Vec<String> = items().iter().map(|i| format!("        {i}")).collect();
    let one_line = format!(
        "{{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n{}\n    ],\n    \"kind\": \"List\"\n}}\n",
        minified.join(",\n")
    );
    for (name, text) in [("early", &early), ("late", &late), ("one-line", &one_line)] {
        let (connectivity, _) = assert_streamed_is_whole(name, text);
        assert_eq!(connectivity, reference.0, "{name}");
    }
}

#[test]
fn a_broken_item_is_placed_as_reading_it_whole_places_it() {
    let text = kubectl_list(&items());
    // A label value that is a list (an error of the item), and a missing comma (of the file).
    let bad_value = text.replacen("\"app\": \"api\"", "\"app\": [\"api\"]", 1);
    let (_, findings) = assert_streamed_is_whole("bad-value", &bad_value);
    assert!(!findings.is_empty());
    let bad_syntax = text.replacen("\"name\": \"c\",", "\"name\": \"c\"", 1);
    let (_, findings) = assert_streamed_is_whole("bad-syntax", &bad_syntax);
    assert!(findings.iter().any(|f| f[0] == "NP100"), "{findings:?}");
}
