//! Loading manifests in tests: one named text, or several, as the CLI passes files, and the
//! docs' example files.
#![allow(dead_code, reason = "each test crate uses what it needs")]
#![allow(
    clippy::panic,
    reason = "a missing fixture fails the test that reads it"
)]

use std::path::PathBuf;

use netpol::{load, Loaded, Source};

/// The internal docs' example as the repository keeps it (`tests/fixtures/docs-example`).
pub fn docs_fixture_dir() -> PathBuf {
    [
        env!("CARGO_MANIFEST_DIR"),
        "../../tests/fixtures/docs-example",
    ]
    .iter()
    .collect()
}

/// The endpoints of the docs' cluster, and addresses outside it.
#[allow(dead_code, reason = "the generator suites use it")]
pub const DOCS_ENDPOINTS: [&str; 9] = [
    "team-one-namespace/pod-1",
    "team-one-namespace/pod-2",
    "team-two-namespace/pod-3",
    "kube-system/kube-dns",
    "system-ingress/ingress-nginx",
    "ip:8.8.8.8",
    "ip:10.0.0.0/8",
    "ip:0.0.0.0/0",
    "ip:2001:db8::/32",
];

/// One file of the docs' example.
pub fn docs_fixture(name: &str) -> String {
    let path = docs_fixture_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Loads one text under `name` (the name diagnostics are placed in).
pub fn load_one(name: &str, text: &str) -> Loaded {
    load(&[Source { name, text }])
}

/// Loads `(name, text)` pairs in order, like `netpol lint a.yaml b.yaml`.
pub fn load_files(files: &[(&str, &str)]) -> Loaded {
    let sources: Vec<Source<'_>> = files
        .iter()
        .map(|(name, text)| Source { name, text })
        .collect();
    load(&sources)
}

/// Loads `base` plus generated YAML (as `generated.yaml`), asserting that the YAML loads
/// without a diagnostic of its own.
#[allow(dead_code, reason = "the generator suites use it")]
pub fn load_generated(base: &[(&str, &str)], yaml: &str) -> Loaded {
    let mut texts = base.to_vec();
    texts.push(("generated.yaml", yaml));
    let loaded = load_files(&texts);
    let own: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.source == "generated.yaml")
        .collect();
    assert!(
        own.is_empty(),
        "generated YAML has diagnostics: {own:#?}\n{yaml}"
    );
    loaded
}
