//! The workspace's `rust-version` (root `Cargo.toml`) is a claim that nothing else checks
//! for the dependencies: no older toolchain is installed here to try it. Two checks keep it
//! true without one:
//!
//! - our own code: clippy's `incompatible_msrv` lint reads `rust-version` and denies a
//!   standard-library API stabilised after it (root `Cargo.toml`, `[workspace.lints.clippy]`;
//!   the clippy stage of `scripts/test.sh`);
//! - the dependencies, here: every package that building the engine, the CLI or the app
//!   pulls in (normal and build dependencies, from `cargo metadata` for the host) declares a
//!   `rust-version` no newer than ours, or none.
//!
//! Dev-dependencies are left out on purpose: the tests and benchmarks need a newer rustc
//! than the code they test (proptest 1.12 declares 1.88, criterion 0.8 1.86), so
//! `rust-version` is the oldest rustc that builds the workspace, not the one that runs its
//! tests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

/// `1.85` or `1.85.0` as comparable numbers (a missing patch is 0).
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    let patch = parts.next().unwrap_or(0);
    (major, minor, patch)
}

fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let out = Command::new(rustc).arg("-vV").output().expect("rustc -vV");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("a host line in rustc -vV")
        .trim()
        .to_owned()
}

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host_triple()])
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

#[test]
fn no_dependency_needs_a_newer_rustc_than_the_workspace_declares() {
    let meta = metadata();
    let packages: HashMap<&str, &Value> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();

    // Every member inherits the workspace's rust-version; that is the one to hold to.
    let declared: BTreeSet<&str> = members
        .iter()
        .map(|m| packages[m]["rust_version"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(declared.len(), 1, "members declare {declared:?}");
    let msrv_text = *declared.iter().next().unwrap();
    let msrv = version(msrv_text);

    // Normal and build edges only, from the members.
    let deps: HashMap<&str, Vec<&str>> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| {
            let edges = node["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| {
                    d["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k["kind"].as_str() != Some("dev"))
                })
                .map(|d| d["pkg"].as_str().unwrap())
                .collect();
            (node["id"].as_str().unwrap(), edges)
        })
        .collect();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut todo = members.clone();
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            todo.extend(deps.get(id).into_iter().flatten());
        }
    }

    let too_new: Vec<String> = seen
        .iter()
        .filter_map(|id| {
            let p = packages[id];
            let needs = p["rust_version"].as_str()?;
            (version(needs) > msrv).then(|| {
                format!(
                    "{} {} needs rustc {needs}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                )
            })
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "the workspace declares rust-version = \"{msrv_text}\" (Cargo.toml), but building it \
         needs newer: {}; raise rust-version or keep the older dependency \
         (cargo update -p NAME --precise VERSION)",
        too_new.join(", ")
    );
    // The walk reached the dependencies, not only the members.
    assert!(
        seen.len() > members.len() + 20,
        "only {} packages",
        seen.len()
    );
}
