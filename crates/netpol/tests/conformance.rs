//! Conformance suite: the upstream Kubernetes e2e NetworkPolicy tests, re-created as
//! fixtures (`tests/conformance/`), must get exactly the verdicts a real cluster gives.
//!
//! Every case file is merged with the shared x/y/z × a/b/c world (a case object replaces the
//! world object of the same kind, namespace and name), loaded, and probed over all nine pods
//! for each of its probes. The expected truth tables come from the upstream tests'
//! reachability expectations. Every failing case is reported, then the test fails once.
//! See `tests/conformance/README.md` for the format.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use netpol::{Endpoint, Protocol, Severity, Traffic};
use serde::Deserialize;

/// The nine pods of the world, in the order tables are printed.
const PODS: [&str; 9] = [
    "x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    upstream: Upstream,
    #[serde(default)]
    manifests: String,
    probes: Vec<Probe>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Upstream {
    repo: String,
    path: String,
    #[serde(default)]
    commit: Option<String>,
    #[serde(default)]
    context: Option<String>,
    test: String,
    #[serde(default)]
    step: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Probe {
    port: u16,
    protocol: String,
    #[serde(default)]
    reachability: Option<String>,
    expect: String,
}

/// One expected cell: allowed, denied, or not asserted upstream (`?`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    Allowed,
    Denied,
    Unasserted,
}

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

/// Splits a multi-document YAML text on `---` lines, dropping empty documents.
fn split_docs(text: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim_end() == "---" || line.starts_with("--- ") {
            docs.push(std::mem::take(&mut current));
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    docs.push(current);
    docs.into_iter()
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect()
}

/// `(kind, namespace, name)` of a manifest document.
fn doc_key(doc: &str) -> Result<(String, String, String), String> {
    let value: serde_yaml::Value =
        serde_yaml::from_str(doc).map_err(|e| format!("unreadable document: {e}\n{doc}"))?;
    let get = |v: &serde_yaml::Value, k: &str| {
        v.get(k)
            .and_then(serde_yaml::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let meta = value.get("metadata").cloned().unwrap_or_default();
    Ok((
        get(&value, "kind"),
        get(&meta, "namespace"),
        get(&meta, "name"),
    ))
}

/// Parses a truth table: a header `- <to> <to> ...`, then `<from> <cell> ...` rows.
fn parse_table(text: &str) -> Result<BTreeMap<(String, String), Cell>, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines
        .next()
        .ok_or("empty table")?
        .split_whitespace()
        .collect();
    let Some((&"-", columns)) = header.split_first() else {
        return Err(format!("table header must start with `-`: {header:?}"));
    };
    let mut cells = BTreeMap::new();
    for line in lines {
        let row: Vec<&str> = line.split_whitespace().collect();
        let Some((from, row)) = row.split_first() else {
            continue;
        };
        if row.len() != columns.len() {
            return Err(format!(
                "row `{from}` has {} cells for {} columns",
                row.len(),
                columns.len()
            ));
        }
        for (to, cell) in columns.iter().zip(row) {
            let cell = match *cell {
                "." => Cell::Allowed,
                "X" => Cell::Denied,
                "?" => Cell::Unasserted,
                other => {
                    return Err(format!(
                        "cell `{other}` ({from} -> {to}): use `.`, `X` or `?`"
                    ))
                }
            };
            if cells
                .insert((from.to_string(), to.to_string()), cell)
                .is_some()
            {
                return Err(format!("cell {from} -> {to} given twice"));
            }
        }
    }
    for from in PODS {
        for to in PODS {
            if !cells.contains_key(&(from.to_string(), to.to_string())) {
                return Err(format!("table misses the cell {from} -> {to}"));
            }
        }
    }
    if cells.len() != PODS.len() * PODS.len() {
        return Err("table names pods outside the x/y/z × a/b/c world".to_string());
    }
    Ok(cells)
}

/// The expected cell for a pair (`parse_table` guarantees every pair is present).
fn cell_at(table: &BTreeMap<(String, String), Cell>, from: &str, to: &str) -> Cell {
    table
        .get(&(from.to_string(), to.to_string()))
        .copied()
        .unwrap_or(Cell::Unasserted)
}

fn render(cell: impl Fn(&str, &str) -> &'static str) -> String {
    let mut out = String::from("-  ");
    for to in PODS {
        let _ = write!(out, " {to}");
    }
    out.push('\n');
    for from in PODS {
        out.push_str(from);
        for to in PODS {
            let _ = write!(out, " {:<3}", cell(from, to));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// Runs one case file; returns the failure report, or `None` when it passes.
fn run_case(path: &Path, world: &[(String, (String, String, String))]) -> Option<String> {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fail = |msg: String| Some(format!("{file}: {msg}"));
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot read: {e}")),
    };
    let case: Case = match serde_yaml::from_str(&text) {
        Ok(c) => c,
        Err(e) => return fail(format!("not a case file: {e}")),
    };
    let mut title = match &case.upstream.context {
        Some(context) => format!("{context} > {}", case.name),
        None => case.name.clone(),
    };
    if let Some(step) = &case.upstream.step {
        let _ = write!(title, " [step {step}]");
    }
    let fail = |msg: String| Some(format!("{file}: {title}\n{msg}"));
    if case.upstream.repo.is_empty()
        || case.upstream.path.is_empty()
        || case.upstream.test.is_empty()
    {
        return fail("upstream repo, path and test must be set".to_string());
    }
    if let Some(commit) = &case.upstream.commit {
        if commit.len() != 40 || !commit.chars().all(|c| c.is_ascii_hexdigit()) {
            return fail(format!("upstream commit `{commit}` is not a 40-digit hash"));
        }
    }

    // Merge: case objects replace world objects with the same kind/namespace/name.
    let mut case_keys = Vec::new();
    for doc in split_docs(&case.manifests) {
        match doc_key(&doc) {
            Ok(key) => case_keys.push(key),
            Err(e) => return fail(e),
        }
    }
    let world_text: Vec<&str> = world
        .iter()
        .filter(|(_, key)| !case_keys.contains(key))
        .map(|(doc, _)| doc.as_str())
        .collect();
    let world_text = world_text.join("---\n");
    let case_source = format!("cases/{file}");
    let loaded =
        common::load::load_files(&[("world.yaml", &world_text), (&case_source, &case.manifests)]);
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("  {d}"))
        .collect();
    if !errors.is_empty() {
        return fail(format!("error diagnostics:\n{}", errors.join("\n")));
    }
    let cluster = &loaded.cluster;

    let mut endpoints = Vec::new();
    for id in PODS {
        match Endpoint::parse(cluster, id) {
            Ok(e) => endpoints.push(e),
            Err(e) => return fail(format!("world pod missing: {e}")),
        }
    }

    let mut report = String::new();
    for (k, probe) in case.probes.iter().enumerate() {
        let label = format!("probe {} {}/{}", k + 1, probe.protocol, probe.port);
        let Some(protocol) = Protocol::parse(&probe.protocol) else {
            let _ = writeln!(report, "{label}: unknown protocol `{}`", probe.protocol);
            continue;
        };
        let expected = match parse_table(&probe.expect) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(report, "{label}: bad expect table: {e}");
                continue;
            }
        };
        let matrix = netpol::matrix(cluster, &endpoints, &[(probe.port, protocol)]);
        let index: BTreeMap<&str, usize> = matrix
            .endpoints
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let Some(check) = matrix.checks.first() else {
            let _ = writeln!(report, "{label}: the matrix has no check");
            continue;
        };

        let mut actual = BTreeMap::new();
        let mut problems = Vec::new();
        for from in PODS {
            for to in PODS {
                let (Some(&i), Some(&j)) = (index.get(from), index.get(to)) else {
                    problems.push(format!("  {from} -> {to}: not in the matrix endpoints"));
                    continue;
                };
                let (Some(from_endpoint), Some(to_endpoint)) = (endpoints.get(i), endpoints.get(j))
                else {
                    problems.push(format!("  {from} -> {to}: matrix position out of range"));
                    continue;
                };
                let allowed = check.allowed(i, j);
                let traffic = Traffic {
                    from: from_endpoint.clone(),
                    to: to_endpoint.clone(),
                    port: probe.port,
                    protocol,
                };
                let verdict = netpol::verdict(cluster, &traffic);
                if verdict != allowed {
                    problems.push(format!(
                        "  {from} -> {to}: matrix says {}, verdict says {}",
                        word(allowed),
                        word(verdict)
                    ));
                }
                actual.insert((from, to), allowed);
                let want = cell_at(&expected, from, to);
                let differs = match want {
                    Cell::Allowed => !allowed,
                    Cell::Denied => allowed,
                    Cell::Unasserted => false,
                };
                if differs {
                    problems.push(format!(
                        "  {from} -> {to}: expected {}, engine says {}",
                        word(want == Cell::Allowed),
                        word(allowed)
                    ));
                }
            }
        }
        if !problems.is_empty() {
            let exp = render(|f, t| match cell_at(&expected, f, t) {
                Cell::Allowed => ".",
                Cell::Denied => "X",
                Cell::Unasserted => "?",
            });
            let act = render(|f, t| match actual.get(&(f, t)) {
                Some(true) => ".",
                Some(false) => "X",
                None => "!",
            });
            let _ = writeln!(
                report,
                "{label}{}\n  expected:\n{}  actual:\n{}  differing cells:\n{}",
                probe
                    .reachability
                    .as_ref()
                    .map(|r| format!(" (upstream: {r})"))
                    .unwrap_or_default(),
                indent(&exp),
                indent(&act),
                problems.join("\n")
            );
        }
    }
    if report.is_empty() {
        None
    } else {
        fail(report)
    }
}

fn word(allowed: bool) -> &'static str {
    if allowed {
        "allowed"
    } else {
        "denied"
    }
}

#[test]
fn upstream_e2e_conformance() {
    let dir = conformance_dir();
    let world_text = std::fs::read_to_string(dir.join("world.yaml")).expect("read world.yaml");
    let world: Vec<(String, (String, String, String))> = split_docs(&world_text)
        .into_iter()
        .map(|doc| {
            let key = doc_key(&doc).expect("world.yaml document");
            (doc, key)
        })
        .collect();
    assert_eq!(
        world.iter().filter(|(_, k)| k.0 == "Pod").count(),
        PODS.len(),
        "world.yaml must hold the nine pods"
    );

    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("cases"))
        .expect("read cases/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    netpol::sorting::sort(&mut files);
    assert!(
        !files.is_empty(),
        "no case files in tests/conformance/cases"
    );

    let failures: Vec<String> = files.iter().filter_map(|f| run_case(f, &world)).collect();
    println!(
        "conformance: {} of {} cases pass",
        files.len() - failures.len(),
        files.len()
    );
    if !failures.is_empty() {
        panic!(
            "{} of {} conformance cases fail:\n\n{}",
            failures.len(),
            files.len(),
            failures.join("\n")
        );
    }
}
