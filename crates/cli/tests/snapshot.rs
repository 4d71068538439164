//! `netpol lint` on a cluster snapshot as platform teams take it (`kubectl get ... -A -o
//! json`, one `List`), large enough that holding its text would not fit the memory it is
//! given: the List must be read item by item, its findings still placed exactly, and one
//! broken item must not hide the others (issue 20).
//!
//! The objects come from the `kubectl_snapshot` example's own generator, so the test and
//! the benchmark figures in docs/performance.md read the same shapes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

#[allow(dead_code, reason = "each test binary uses part of the support module")]
mod common;
#[allow(dead_code, reason = "the generator's `b` side is not used here")]
#[path = "../../netpol/examples/kubectl_snapshot/objects.rs"]
mod objects;
#[allow(dead_code, reason = "shared with the example")]
#[path = "../../netpol/examples/kubectl_snapshot/random.rs"]
mod random;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use common::{run_netpol, stderr, stdout};
use random::Random;
use serde_json::Value;

const PODS: usize = 10_000;
const NAMESPACES: usize = 100;
const POLICIES: usize = 200;
/// The pod whose labels are a list.
const BROKEN: usize = PODS / 2;
/// A `last-applied-configuration`-sized annotation per pod: with it the file is about
/// 300 MB, more than the memory limit below, so only a reader that does not hold the text
/// passes.
const PADDING: usize = 20_000;
/// `ulimit -v` in KB.
const LIMIT_KB: u64 = 300_000;

/// Deletes the generated file however the test ends.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Writes the snapshot; returns its path and the broken pod's `namespace/name`.
fn write_snapshot(path: &Path) -> String {
    let file = std::fs::File::create(path).unwrap();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    out.write_all(b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n")
        .unwrap();
    let mut broken = String::new();
    let namespaces = (0..NAMESPACES).map(|n| objects::namespace(n, &mut Random::new(n as u64)));
    let pods = (0..PODS).map(|p| {
        let mut pod = objects::pod(p, NAMESPACES, &mut Random::new((1 << 40) | p as u64));
        pod["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
            Value::String("x".repeat(PADDING));
        if p == BROKEN {
            pod["metadata"]["labels"] = serde_json::json!(["app", "checkout"]);
        }
        pod
    });
    let policies = (0..POLICIES).map(|i| objects::app_policy(i, NAMESPACES));
    let items = namespaces
        .chain(pods)
        .chain(objects::workloads(NAMESPACES))
        .chain(policies);
    for (i, item) in items.enumerate() {
        if i == NAMESPACES + BROKEN {
            broken = format!(
                "{}/{}",
                item["metadata"]["namespace"].as_str().unwrap(),
                item["metadata"]["name"].as_str().unwrap()
            );
        }
        if i > 0 {
            out.write_all(b",\n").unwrap();
        }
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        serde::Serialize::serialize(&item, &mut serializer).unwrap();
    }
    out.write_all(b"\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n")
        .unwrap();
    out.flush().unwrap();
    broken
}

#[cfg(unix)]
#[test]
fn a_large_list_lints_in_bounded_memory_and_one_broken_item_hides_nothing() {
    let path = std::env::temp_dir().join(format!("netpol-snapshot-{}.json", std::process::id()));
    let _cleanup = TempFile(path.clone());
    let broken = write_snapshot(&path);
    let file = path.to_str().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > LIMIT_KB * 1000);

    let free = run_netpol(&["lint", file], None, None);
    let limited = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("ulimit -v {LIMIT_KB}; exec \"$0\" lint \"$1\""),
            env!("CARGO_BIN_EXE_netpol"),
            file,
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&limited),
        stdout(&free),
        "under ulimit -v {LIMIT_KB}: {}",
        stderr(&limited)
    );
    assert_eq!(limited.status.code(), free.status.code());

    // Exactly one error, placed at the broken pod's labels, naming the field.
    let text = stdout(&free);
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(": error[")).collect();
    assert_eq!(errors.len(), 1, "{text}");
    let error = errors[0];
    assert!(
        error.contains("`metadata.labels`: expected a mapping, found a list"),
        "{error}"
    );
    let (place, _) = error.split_once(": error[").unwrap();
    let mut parts = place.rsplitn(3, ':');
    let column: usize = parts.next().unwrap().parse().unwrap();
    let line: usize = parts.next().unwrap().parse().unwrap();
    assert_eq!(parts.next(), Some(file));
    let snapshot = std::fs::read_to_string(&path).unwrap();
    let at_line = snapshot.lines().nth(line - 1).unwrap();
    let at: String = at_line.chars().skip(column - 1).collect();
    // At the value that is wrong, on the line of its key.
    assert!(
        at.starts_with('[') && at_line.trim_start().starts_with("\"labels\": ["),
        "{error} points at `{at_line}`"
    );
    // It is the broken pod's: its name follows the error's place in the item.
    let after = &snapshot[snapshot
        .lines()
        .take(line)
        .map(|l| l.len() + 1)
        .sum::<usize>()..];
    let name = broken.split_once('/').unwrap().1;
    let item_name = after.find("\"name\": ").unwrap();
    assert!(
        after[item_name..].starts_with(&format!("\"name\": \"{name}\"")),
        "{error} is not in {broken}"
    );
    drop(snapshot);

    // Its neighbours in the List loaded and are evaluated.
    let neighbour = |p: usize| {
        let mut pod = objects::pod(p, NAMESPACES, &mut Random::new((1 << 40) | p as u64));
        format!(
            "{}/{}",
            pod["metadata"]["namespace"].take().as_str().unwrap(),
            pod["metadata"]["name"].take().as_str().unwrap()
        )
    };
    let (before, next) = (neighbour(BROKEN - 1), neighbour(BROKEN + 1));
    let explain = run_netpol(
        &[
            "explain", "--from", &before, "--to", &next, "--port", "8080", file,
        ],
        None,
        None,
    );
    assert!(
        explain.status.success(),
        "{}{}",
        stdout(&explain),
        stderr(&explain)
    );
}
