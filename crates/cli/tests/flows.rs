//! `netpol flows` and `netpol generate --from-flows` end to end: the JSON contract, exit
//! codes, diagnostics on stderr, and the generated policies' comments.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

#[allow(dead_code, reason = "each test binary uses part of the support module")]
mod common;

use common::{stderr, stdout};

const HUBBLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../netpol/tests/fixtures/hubble"
);

fn fixture(name: &str) -> String {
    format!("{HUBBLE}/{name}")
}

fn netpol(args: &[&str]) -> std::process::Output {
    common::run_netpol(args, None, None)
}

#[test]
fn json_contract() {
    let out = netpol(&[
        "flows",
        &fixture("shop.json"),
        &fixture("shop.yaml"),
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let connections = v["connections"].as_array().unwrap();
    assert_eq!(connections.len(), 8);
    for c in connections {
        let keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["causes", "count", "from", "observed", "port", "protocol", "to", "verdict"]
        );
        assert!(c["port"].is_u64() && c["count"].is_u64());
        assert!(["allowed", "denied"].contains(&c["verdict"].as_str().unwrap()));
    }
    let first = &connections[0];
    assert_eq!(first["from"], "ip:198.51.100.20");
    assert_eq!(first["to"], "shop/web");
    let sorted: Vec<(String, String, String, u64)> = connections
        .iter()
        .map(|c| {
            (
                c["from"].as_str().unwrap().to_string(),
                c["to"].as_str().unwrap().to_string(),
                c["protocol"].as_str().unwrap().to_string(),
                c["port"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut expected = sorted.clone();
    netpol::sorting::sort(&mut expected);
    assert_eq!(sorted, expected);
    assert_eq!(
        v["skipped"],
        serde_json::json!({"replies": 3, "not_l4": 3, "unreadable": 0})
    );
    assert_eq!(v["summary"], serde_json::json!({"allowed": 5, "denied": 3}));
    assert!(stderr(&out).contains("12 lost events"));
}

#[test]
fn exit_code_says_whether_anything_is_denied() {
    let denied = netpol(&[
        "flows",
        &fixture("shop.json"),
        &fixture("shop.yaml"),
        "--exit-code",
    ]);
    assert_eq!(denied.status.code(), Some(1));
    let legacy_ok = netpol(&[
        "flows",
        &fixture("bad.json"),
        &fixture("shop.yaml"),
        "--exit-code",
    ]);
    assert_eq!(legacy_ok.status.code(), Some(0), "{}", stderr(&legacy_ok));
    let without = netpol(&["flows", &fixture("shop.json"), &fixture("shop.yaml")]);
    assert_eq!(without.status.code(), Some(0));
    let missing = netpol(&["flows", &fixture("nope.json"), &fixture("shop.yaml")]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read"));
}

#[test]
fn csv_log_has_no_observed_verdict() {
    let out = netpol(&[
        "flows",
        &fixture("shop.csv"),
        &fixture("shop.yaml"),
        "-o",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(v["connections"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c.get("observed").is_none()));
    assert_eq!(v["connections"][4]["count"], 12);
}

#[test]
fn diagnostics_are_located_on_stderr() {
    let out = netpol(&[
        "flows",
        &fixture("bad.json"),
        &fixture("shop.yaml"),
        "-o",
        "csv",
    ]);
    let err = stderr(&out);
    let path = fixture("bad.json");
    assert!(
        err.contains(&format!(
            "{path}:3:383: error: `flow.l4.TCP.destination_port`"
        )),
        "{err}"
    );
    assert!(err.contains(&format!("{path}:2:180: error:")), "{err}");
    assert_eq!(stdout(&out).lines().count(), 3);
}

#[test]
fn generate_from_flows_comments_each_policy_and_keeps_the_log_open() {
    let out = netpol(&[
        "generate",
        "--from-flows",
        &fixture("shop.json"),
        &fixture("shop.yaml"),
        "--baseline",
        "docs-default",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let yaml = stdout(&out);
    assert!(yaml.contains("name: namespace-default"), "{yaml}");
    assert!(yaml.contains(
        "#   payments/checkout -> shop/api 9090/TCP: seen once, 2024-05-14T09:10:00.000001Z to 2024-05-14T09:10:00.000412Z"
    ));
    let err = stderr(&out);
    assert!(
        err.contains("shop/tools -> shop/db on 5432/TCP left out"),
        "{err}"
    );
    // Only the connection Hubble dropped (and left out) stays denied.
    assert_eq!(err.matches("stays denied").count(), 1, "{err}");
    let cluster = netpol(&[
        "generate",
        "--from-flows",
        &fixture("shop.json"),
        &fixture("shop.yaml"),
        "--baseline",
        "cluster-baseline",
    ]);
    assert_eq!(cluster.status.code(), Some(0), "{}", stderr(&cluster));
    assert!(stdout(&cluster).contains("kind: ClusterNetworkPolicy"));
    assert_eq!(stderr(&cluster).matches("stays denied").count(), 1);
    // A CSV end absent from the manifests has no labels to select it by: a clear error.
    let csv = netpol(&[
        "generate",
        "--from-flows",
        &fixture("shop.csv"),
        &fixture("shop.yaml"),
    ]);
    assert_eq!(csv.status.code(), Some(2));
    assert!(
        stderr(&csv).contains("`payments/checkout` has no labels"),
        "{}",
        stderr(&csv)
    );
}
