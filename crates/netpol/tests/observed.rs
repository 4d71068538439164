//! Observed traffic (`netpol::observed`): golden replays of Hubble logs shaped like real
//! `hubble observe -o json` output (see fixtures/hubble/README.md), bad input located and
//! survived, and properties: flows made from `connectivity(A)` replay without a denial;
//! policies generated from any log allow the whole log and open nothing else between the
//! manifests' endpoints.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

mod common;

use common::random::cluster;

use std::path::Path;

use netpol::endpoint::all_endpoints;
use netpol::generate::{generate_annotated, Baseline, Options};
use netpol::observed::{self, Observed, Reader};
use netpol::{connectivity, verdict, Cluster, Endpoint, Protocol, Traffic};
use proptest::prelude::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hubble");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap()
}

fn manifests() -> Cluster {
    let text = fixture("shop.yaml");
    let loaded = common::load::load_one("shop.yaml", &text);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded.cluster
}

fn read(name: &str) -> Observed {
    observed::read(manifests(), name, &fixture(name))
}

/// Compares with `fixtures/hubble/<name>`; `UPDATE_GOLDEN=1` writes it instead.
fn golden(name: &str, actual: &str) {
    let path = Path::new(FIXTURES).join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        actual, expected,
        "{name} differs (UPDATE_GOLDEN=1 rewrites it)"
    );
}

fn rendered(
    o: &Observed,
    f: fn(&mut String, &Observed, &[observed::Replayed<'_>]) -> std::fmt::Result,
) -> String {
    let replayed = observed::replay(&o.cluster, o);
    let mut out = String::new();
    f(&mut out, o, &replayed).unwrap();
    for d in &o.diagnostics {
        out.push_str(&format!("# {d}\n"));
    }
    out
}

#[test]
fn hubble_json_golden() {
    let o = read("shop.json");
    golden(
        "shop.expected.json",
        &rendered(&o, observed::render_json::<String>),
    );
    golden(
        "shop.expected.txt",
        &rendered(&o, observed::render_text::<String>),
    );
    // Both ends of a flow count once; replies and the DNS reply are not connections.
    assert_eq!(o.skipped.replies, 3);
    // L7 DNS, ICMPv4 and the lost_events line.
    assert_eq!(o.skipped.not_l4, 3);
    assert_eq!(o.skipped.unreadable, 0);
    assert_eq!(o.lost_events, 12);
    let ids: Vec<String> = o
        .flow_only
        .iter()
        .map(|i| o.cluster.pods[*i].id())
        .collect();
    assert_eq!(ids, ["payments/checkout"]);
    // Namespace labels from Hubble for a namespace no manifest declares.
    let payments = o.cluster.namespace("payments").unwrap();
    assert_eq!(payments.labels.get("team").map(String::as_str), Some("pay"));
    let web_api = o
        .connections
        .iter()
        .find(|c| c.from.id(&o.cluster) == "shop/web" && c.to.id(&o.cluster) == "shop/api")
        .unwrap();
    assert_eq!(web_api.count, 2);
    assert_eq!(
        web_api.first_seen.as_deref(),
        Some("2024-05-14T09:00:01.102345678Z")
    );
    assert_eq!(
        web_api.last_seen.as_deref(),
        Some("2024-05-14T09:03:17.500312Z")
    );
}

#[test]
fn legacy_shape_golden() {
    let o = read("legacy.json");
    golden(
        "legacy.expected.txt",
        &rendered(&o, observed::render_text::<String>),
    );
    // No is_reply: the SYN-ACK and the reverse ACK are replies; SYN and ACK/PSH count.
    assert_eq!(o.skipped.replies, 2);
    assert_eq!(o.connections.len(), 2);
}

#[test]
fn csv_golden() {
    let o = read("shop.csv");
    golden(
        "csv.expected.md",
        &rendered(&o, observed::render_markdown::<String>),
    );
    assert_eq!(o.skipped.not_l4, 1);
}

#[test]
fn bad_lines_are_located_and_the_rest_replays() {
    let o = read("bad.json");
    golden(
        "bad.expected.csv",
        &rendered(&o, observed::render_csv::<String>),
    );
    let lines: Vec<usize> = o.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6, 7, 8, 10]);
    assert!(o.diagnostics.iter().all(|d| d.column >= 1));
    let fields: Vec<Option<&str>> = o.diagnostics.iter().map(|d| d.field.as_deref()).collect();
    assert_eq!(fields[1], Some("flow.l4.TCP.destination_port"));
    assert_eq!(fields[3], Some("flow.is_reply"));
    // The good lines (and the one with unknown fields) replay.
    assert_eq!(o.connections.len(), 2);
    assert_eq!(o.skipped.unreadable, 8);
}

#[test]
fn a_very_long_line_is_one_diagnostic() {
    let mut reader = Reader::new(manifests(), "long.json");
    let long = format!(
        "{{\"flow\":{{\"Summary\":\"{}\"}}}}",
        "x".repeat(observed::MAX_LINE + 10)
    );
    reader.push_line(long.as_bytes());
    reader.push_overlong(5 << 20);
    reader.push_line(fixture("shop.json").lines().next().unwrap().as_bytes());
    let o = reader.finish();
    assert_eq!(o.diagnostics.len(), 2);
    assert_eq!((o.diagnostics[0].line, o.diagnostics[1].line), (1, 2));
    assert_eq!(o.connections.len(), 1);
}

#[test]
fn every_prefix_of_every_line_is_survived() {
    let text = fixture("shop.json") + &fixture("legacy.json");
    for line in text.lines() {
        for cut in 0..line.len() {
            let mut reader = Reader::new(manifests(), "cut.json");
            reader.push_line(&line.as_bytes()[..cut]);
            let o = reader.finish();
            assert!(o.skipped.unreadable <= 1);
        }
    }
}

#[test]
fn generated_policies_carry_their_flows_and_keep_them_open() {
    let o = read("shop.json");
    let intents = observed::intents(&o);
    // The connection Hubble only saw dropped is not opened.
    assert!(!intents.iter().any(|(i, _)| i.from == "shop/tools"));
    for baseline in [
        Baseline::None,
        Baseline::DocsDefault,
        Baseline::ClusterBaseline,
    ] {
        let options = Options {
            baseline,
            ..Options::default()
        };
        let g = generate_annotated(&o.cluster, &intents, &options).unwrap();
        assert!(g.yaml.contains("#   shop/web -> shop/api 9090/TCP: seen 2 times, 2024-05-14T09:00:01.102345678Z to 2024-05-14T09:03:17.500312Z"), "{}", g.yaml);
        let combined = with_generated(&o.cluster, &g.yaml);
        for r in observed::replay(&combined, &o) {
            assert!(
                r.allowed || r.from == "shop/tools",
                "{baseline:?}: {} -> {}: {:?}",
                r.from,
                r.to,
                r.causes
            );
        }
    }
}

/// A StatefulSet's pods gossiping with each other (cassandra-0 -> cassandra-1) under the
/// docs' namespace default: two pods of one endpoint, so the policies decide, where a
/// record of one pod to itself stays the loopback every CNI allows.
#[test]
fn traffic_between_replicas_is_decided_by_the_policies() {
    let manifests = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cassandra, namespace: db}
spec:
  replicas: 3
  selector: {matchLabels: {app: cassandra}}
  template:
    metadata: {labels: {app: cassandra}}
    spec: {containers: [{name: c, image: cassandra}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: namespace-default, namespace: db}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
"#;
    let line = |from: &str, to: &str, from_ip: &str, to_ip: &str| {
        let end = |pod: &str| {
            format!(
                r#"{{"namespace":"db","pod_name":"{pod}","labels":["k8s:app=cassandra","k8s:io.kubernetes.pod.namespace=db"],"workloads":[{{"name":"cassandra","kind":"StatefulSet"}}]}}"#
            )
        };
        format!(
            r#"{{"flow":{{"verdict":"FORWARDED","IP":{{"source":"{from_ip}","destination":"{to_ip}"}},"l4":{{"TCP":{{"source_port":40000,"destination_port":7000,"flags":{{"SYN":true}}}}}},"source":{},"destination":{},"Type":"L3_L4","traffic_direction":"EGRESS","is_reply":false}}}}"#,
            end(from),
            end(to)
        )
    };
    let cluster = common::load::load_one("db.yaml", manifests).cluster;
    let read_log = |text: &str| {
        let mut reader = Reader::new(cluster.clone(), "flows.json");
        for l in text.lines() {
            reader.push_line(l.as_bytes());
        }
        reader.finish()
    };
    let gossip = read_log(&line(
        "cassandra-0",
        "cassandra-1",
        "10.0.0.10",
        "10.0.0.11",
    ));
    let [c] = gossip.connections.as_slice() else {
        panic!("{:?}", gossip.connections)
    };
    assert!(c.between_replicas);
    let [r] = observed::replay(&gossip.cluster, &gossip)
        .try_into()
        .ok()
        .unwrap();
    assert!(!r.allowed, "{:?}", r.causes);
    assert!(
        r.causes.iter().any(|c| c.contains("namespace-default")),
        "{:?}",
        r.causes
    );

    let itself = read_log(&line(
        "cassandra-0",
        "cassandra-0",
        "10.0.0.10",
        "10.0.0.10",
    ));
    assert!(!itself.connections[0].between_replicas);
    assert!(observed::replay(&itself.cluster, &itself)[0].allowed);

    // The same as CSV: a workload to itself is between replicas.
    let csv = read_log("from,to,port,protocol\ndb/cassandra,db/cassandra,7000,TCP\n");
    assert!(csv.connections[0].between_replicas);
    assert!(!observed::replay(&csv.cluster, &csv)[0].allowed);

    // Generating from the log keeps the gossip open.
    let g = generate_annotated(
        &gossip.cluster,
        &observed::intents(&gossip),
        &Options::default(),
    )
    .unwrap();
    let combined = with_generated(&gossip.cluster, &g.yaml);
    assert!(
        observed::replay(&combined, &gossip)[0].allowed,
        "{}",
        g.yaml
    );
}

/// `cluster` with the generated policies added.
fn with_generated(cluster: &Cluster, yaml: &str) -> Cluster {
    let loaded = common::load::load_one("generated", yaml);
    assert!(
        loaded.diagnostics.is_empty(),
        "{:?}\n{yaml}",
        loaded.diagnostics
    );
    let mut c = cluster.clone();
    c.policies.extend(loaded.cluster.policies);
    c.cluster_policies.extend(loaded.cluster.cluster_policies);
    c
}

const PORTS: [u16; 4] = [53, 80, 81, 8080];

fn externals() -> Vec<netpol::Cidr> {
    ["8.8.8.8", "10.1.2.3"]
        .iter()
        .map(|s| netpol::Cidr::parse(s, true).unwrap())
        .collect()
}

/// A flow log as CSV: `(from, to, port, protocol)` by endpoint position (pods, then
/// externals).
fn log(cluster: &Cluster, picks: &[(usize, usize, usize, usize)]) -> String {
    let endpoints = all_endpoints(cluster, &externals());
    let mut out = String::from("from,to,port,protocol\n");
    for (a, b, port, protocol) in picks {
        let from = &endpoints[a % endpoints.len()];
        let to = &endpoints[b % endpoints.len()];
        if matches!((from, to), (Endpoint::External(_), Endpoint::External(_))) {
            continue;
        }
        out += &format!(
            "{},{},{},{}\n",
            from.id(cluster),
            to.id(cluster),
            PORTS[port % PORTS.len()],
            Protocol::ALL[protocol % 3]
        );
    }
    out
}

proptest! {
    #![proptest_config(common::cases(150))]

    #[test]
    fn flows_made_from_connectivity_replay_without_a_denial(c in cluster(true)) {
        let endpoints = all_endpoints(&c, &externals());
        let map = connectivity(&c, &endpoints);
        let mut text = String::new();
        for (a, b, conns) in map.allowed_pairs() {
            if matches!((&endpoints[a], &endpoints[b]), (Endpoint::External(_), Endpoint::External(_))) {
                continue;
            }
            for protocol in Protocol::ALL {
                if let Some((lo, hi)) = conns.ports(protocol).ranges().first() {
                    for port in [*lo, *hi] {
                        text += &format!("{},{},{port},{protocol}\n", map.endpoints[a], map.endpoints[b]);
                    }
                }
            }
        }
        let o = observed::read(c.clone(), "connectivity.csv", &text);
        prop_assert!(o.diagnostics.is_empty(), "{:?}", o.diagnostics);
        prop_assert!(o.flow_only.is_empty());
        for r in observed::replay(&o.cluster, &o) {
            prop_assert!(r.allowed, "{} -> {}: {:?}", r.from, r.to, r.causes);
        }
    }

    #[test]
    fn generated_from_a_log_allows_it_and_opens_nothing_else(
        c in cluster(true),
        picks in prop::collection::vec((0usize..8, 0usize..8, 0usize..4, 0usize..3), 0..8),
        deny_all in prop::bool::ANY,
    ) {
        let text = log(&c, &picks);
        let o = observed::read(c.clone(), "log.csv", &text);
        prop_assert!(o.diagnostics.is_empty(), "{:?}", o.diagnostics);
        let options = Options {
            baseline: if deny_all { Baseline::DenyAll } else { Baseline::None },
            ..Options::default()
        };
        let g = generate_annotated(&o.cluster, &observed::intents(&o), &options).unwrap();
        let combined = with_generated(&o.cluster, &g.yaml);
        for r in observed::replay(&combined, &o) {
            prop_assert!(r.allowed, "{} -> {}: {:?}\n{}", r.from, r.to, r.causes, g.yaml);
        }
        let logged: std::collections::HashSet<(Endpoint, Endpoint, u16, Protocol)> = o
            .connections
            .iter()
            .map(|k| (k.from.clone(), k.to.clone(), k.port, k.protocol))
            .collect();
        let endpoints = all_endpoints(&c, &externals());
        for from in &endpoints {
            for to in &endpoints {
                for port in PORTS {
                    for protocol in Protocol::ALL {
                        let t = Traffic { from: from.clone(), to: to.clone(), port, protocol };
                        if verdict(&combined, &t) && !verdict(&c, &t) {
                            prop_assert!(
                                logged.contains(&(from.clone(), to.clone(), port, protocol)),
                                "opened {} -> {} {port}/{protocol}, not in the log\n{text}\n{}",
                                from.id(&c), to.id(&c), g.yaml
                            );
                        }
                    }
                }
            }
        }
    }
}
