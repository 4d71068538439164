//! Writes a cluster snapshot shaped like `kubectl get
//! namespaces,pods,deployments,statefulsets,replicationcontrollers,networkpolicies -A -o json`
//! (one `List`, four-space indentation, pods of about 9 KB with managedFields, status,
//! probes, env and volumes), to measure `netpol lint` and `netpol diff` on what platform
//! teams feed them (issue 20):
//!
//! ```text
//! cargo build --release -p netpol-cli -p netpol --example kubectl_snapshot
//! target/release/examples/kubectl_snapshot 100000 1000 50000 > /tmp/a.json
//! target/release/examples/kubectl_snapshot 100000 1000 50000 b > /tmp/b.json
//! /usr/bin/time -f "%e s %M KB" target/release/netpol lint /tmp/a.json > /dev/null
//! /usr/bin/time -f "%e s %M KB" target/release/netpol diff /tmp/a.json /tmp/b.json > /dev/null
//! ```
//!
//! Arguments: pods, namespaces, NetworkPolicies (defaults 20000 200 10000), and `b` for the
//! "after" snapshot: the same cluster with 100 pods relabelled and 50 policies edited.
//! Output is deterministic (seeded), so `a` and `b` differ only by those changes.
//! `expectations [COUNT]` instead of `b` prints an expectations file for `netpol test` on
//! the same cluster (COUNT entries, default 1000; see `expectations.rs`).
//!
//! Four namespaces in five belong to a team (`team` label); each team namespace has the
//! documentation's namespace-wide default (ingress and egress isolated, egress to the
//! internet only: `0.0.0.0/0` except the private ranges). The other policies (the count
//! includes the defaults) let apps reach each other by pod and namespace selectors on
//! named and numbered ports.

mod expectations;
mod objects;
mod random;

use std::io::Write;

use random::Random;

/// The cluster's size and which side of the diff to write.
struct Shape {
    pods: usize,
    namespaces: usize,
    policies: usize,
    after: bool,
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut number = |default| args.next().and_then(|a| a.parse().ok()).unwrap_or(default);
    let shape = Shape {
        pods: number(20_000),
        namespaces: number(200).max(1),
        policies: number(10_000),
        after: std::env::args().nth(4).as_deref() == Some("b"),
    };
    if std::env::args().nth(4).as_deref() == Some("expectations") {
        let count = std::env::args()
            .nth(5)
            .and_then(|a| a.parse().ok())
            .unwrap_or(1000);
        let text = expectations::write(shape.pods, shape.namespaces, count);
        return std::io::stdout().write_all(text.as_bytes());
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    out.write_all(b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [")?;
    let mut first = true;
    for item in items(&shape) {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        write_indented(&mut out, &item)?;
    }
    out.write_all(b"\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n")?;
    out.flush()
}

/// Every object of the snapshot, in kubectl's order (by resource type, then namespace).
fn items(shape: &Shape) -> impl Iterator<Item = serde_json::Value> + '_ {
    let namespaces =
        (0..shape.namespaces).map(|n| objects::namespace(n, &mut Random::new(n as u64)));
    let pods = (0..shape.pods).map(move |p| {
        let mut pod = objects::pod(p, shape.namespaces, &mut Random::new((1 << 40) | p as u64));
        if shape.after && is_changed(p, shape.pods, 100) {
            objects::relabel(&mut pod);
        }
        pod
    });
    let workloads = objects::workloads(shape.namespaces);
    let defaults = team_namespaces(shape.namespaces).take(shape.policies);
    let default_count = defaults.clone().count();
    let default_policies = defaults.map(objects::default_policy);
    let app_count = shape.policies.saturating_sub(default_count);
    let app_policies = (0..app_count).map(move |i| {
        let mut policy = objects::app_policy(i, shape.namespaces);
        if shape.after && is_changed(i, app_count, 50) {
            objects::edit_policy(&mut policy);
        }
        policy
    });
    namespaces
        .chain(pods)
        .chain(workloads)
        .chain(default_policies)
        .chain(app_policies)
}

/// `changes` indices spread evenly over `0..count`.
fn is_changed(index: usize, count: usize, changes: usize) -> bool {
    let step = (count / changes.max(1)).max(1);
    index % step == step / 2 && index / step < changes
}

/// Four namespaces in five have a team.
fn team_namespaces(namespaces: usize) -> impl Iterator<Item = usize> + Clone {
    (0..namespaces).filter(|n| objects::team_of(*n).is_some())
}

/// One item of `items`, pretty-printed and indented under it as kubectl indents it.
fn write_indented(out: &mut impl Write, item: &serde_json::Value) -> std::io::Result<()> {
    let mut text = Vec::with_capacity(16 * 1024);
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut text, formatter);
    serde::Serialize::serialize(item, &mut serializer).map_err(std::io::Error::other)?;
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(b"        ")?;
        out.write_all(line)?;
    }
    Ok(())
}
