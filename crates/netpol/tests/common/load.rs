//! Loading manifests in tests: one named text, or several, as the CLI passes files.
#![allow(dead_code, reason = "each test crate uses what it needs")]

use netpol::{load, Loaded, Source};

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
