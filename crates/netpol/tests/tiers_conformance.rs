//! Conformance suite for ClusterNetworkPolicy tiers: the network-policy-api conformance
//! tests (`conformance/tests/*.go` with their manifests under `conformance/base/`),
//! re-created as fixtures in `tests/tiers_conformance/`, must get exactly the verdicts the
//! upstream tests assert.
//!
//! Each case starts from the shared world (`world.yaml`) plus its manifests, then runs its
//! steps in order: a step's changes (the upstream test's patches: swap rules, set a field,
//! insert a rule, delete or apply an object) persist, and every probe of the step is checked
//! with `verdict`, with `matrix` and with `connectivity`, which must all agree with the
//! upstream expectation. Every failing probe is reported, then the test fails once.
//! See `tests/tiers_conformance/README.md` for the format.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a panic is a failed test"
)]

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use netpol::{connectivity, matrix, verdict, Endpoint, Protocol, Severity, Traffic};
use serde::Deserialize;
use serde_yaml::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    upstream: Upstream,
    manifests: String,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Upstream {
    repo: String,
    commit: String,
    test: String,
    manifests: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    subtest: String,
    #[serde(default)]
    changes: Vec<Change>,
    probes: Vec<Probe>,
}

/// One patch, as the upstream test makes it. Exactly one field is set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    swap: Option<Swap>,
    set: Option<Set>,
    insert: Option<Insert>,
    /// `Kind/name` or `Kind/namespace/name`.
    delete: Option<String>,
    /// An object that replaces the one with the same kind, namespace and name (or is added).
    apply: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Swap {
    object: String,
    list: String,
    a: usize,
    b: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Set {
    object: String,
    path: String,
    value: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Insert {
    object: String,
    list: String,
    index: usize,
    value: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Probe {
    from: String,
    to: String,
    port: u16,
    protocol: String,
    connect: bool,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tiers_conformance")
}

/// `Kind/namespace/name` of an object (`Kind/name` when cluster-scoped).
fn key_of(doc: &Value) -> String {
    let get = |v: Option<&Value>, k: &str| {
        v.and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let kind = get(Some(doc), "kind");
    let meta = doc.get("metadata");
    let (ns, name) = (get(meta, "namespace"), get(meta, "name"));
    if ns.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}/{ns}/{name}")
    }
}

fn documents(text: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).expect("valid YAML"))
        .filter(|v| !v.is_null())
        .collect()
}

/// The value at a dotted path with `[i]` indices (`spec.ingress[0].action`).
fn at_mut<'a>(mut v: &'a mut Value, path: &str) -> Result<&'a mut Value, String> {
    for part in path.split('.') {
        let (key, indices) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        v = v
            .get_mut(key)
            .ok_or_else(|| format!("no field `{key}` on the way to `{path}`"))?;
        for index in indices.split(['[', ']']).filter(|s| !s.is_empty()) {
            let i: usize = index
                .parse()
                .map_err(|_| format!("bad index in `{path}`"))?;
            v = v
                .get_mut(i)
                .ok_or_else(|| format!("no item {i} on the way to `{path}`"))?;
        }
    }
    Ok(v)
}

fn object<'a>(state: &'a mut [Value], key: &str) -> Result<&'a mut Value, String> {
    state
        .iter_mut()
        .find(|d| key_of(d) == key)
        .ok_or_else(|| format!("no object `{key}`"))
}

fn list<'a>(state: &'a mut [Value], key: &str, path: &str) -> Result<&'a mut Vec<Value>, String> {
    match at_mut(object(state, key)?, path)? {
        Value::Sequence(items) => Ok(items),
        _ => Err(format!("`{path}` of `{key}` is not a list")),
    }
}

fn apply(state: &mut Vec<Value>, change: &Change) -> Result<(), String> {
    let set = [
        change.swap.is_some(),
        change.set.is_some(),
        change.insert.is_some(),
        change.delete.is_some(),
        change.apply.is_some(),
    ];
    if set.iter().filter(|s| **s).count() != 1 {
        return Err(format!("a change has exactly one operation: {change:?}"));
    }
    if let Some(s) = &change.swap {
        let items = list(state, &s.object, &s.list)?;
        if s.a >= items.len() || s.b >= items.len() {
            return Err(format!(
                "swap {} and {} of a list of {}",
                s.a,
                s.b,
                items.len()
            ));
        }
        items.swap(s.a, s.b);
    }
    if let Some(s) = &change.set {
        *at_mut(object(state, &s.object)?, &s.path)? = s.value.clone();
    }
    if let Some(i) = &change.insert {
        let items = list(state, &i.object, &i.list)?;
        if i.index > items.len() {
            return Err(format!(
                "insert at {} into a list of {}",
                i.index,
                items.len()
            ));
        }
        items.insert(i.index, i.value.clone());
    }
    if let Some(key) = &change.delete {
        let before = state.len();
        state.retain(|d| key_of(d) != *key);
        if state.len() == before {
            return Err(format!("delete: no object `{key}`"));
        }
    }
    if let Some(doc) = &change.apply {
        let key = key_of(doc);
        match state.iter_mut().find(|d| key_of(d) == key) {
            Some(slot) => *slot = doc.clone(),
            None => state.push(doc.clone()),
        }
    }
    Ok(())
}

/// Checks one step's probes against the state; returns the failures.
fn check_step(state: &[Value], step: &Step) -> Result<Vec<String>, String> {
    let text: Vec<String> = state
        .iter()
        .map(|d| serde_yaml::to_string(d).expect("serialisable"))
        .collect();
    let text = text.join("---\n");
    let loaded = common::load::load_one("state.yaml", &text);
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("  {d}"))
        .collect();
    if !errors.is_empty() {
        return Err(format!("error diagnostics:\n{}\n{text}", errors.join("\n")));
    }
    let cluster = &loaded.cluster;
    // Every pod of the world and every endpoint a probe names, for the bulk queries.
    let mut ids: Vec<String> = cluster.pods.iter().map(|p| p.id()).collect();
    for p in &step.probes {
        for id in [&p.from, &p.to] {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
    }
    let endpoints: Vec<Endpoint> = ids
        .iter()
        .map(|id| Endpoint::parse(cluster, id).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let mut probes: BTreeSet<(u16, Protocol)> = BTreeSet::new();
    for p in &step.probes {
        let protocol = Protocol::parse(&p.protocol)
            .ok_or_else(|| format!("unknown protocol `{}`", p.protocol))?;
        probes.insert((p.port, protocol));
    }
    let probes: Vec<(u16, Protocol)> = probes.into_iter().collect();
    let table = matrix(cluster, &endpoints, &probes);
    let exact = connectivity(cluster, &endpoints);
    let mut failures = Vec::new();
    for p in &step.probes {
        let protocol = Protocol::parse(&p.protocol).unwrap_or(Protocol::Tcp);
        let i = ids.iter().position(|id| *id == p.from).unwrap_or_default();
        let j = ids.iter().position(|id| *id == p.to).unwrap_or_default();
        let traffic = Traffic {
            from: endpoints[i].clone(),
            to: endpoints[j].clone(),
            port: p.port,
            protocol,
        };
        let by_verdict = verdict(cluster, &traffic);
        let k = probes
            .iter()
            .position(|q| *q == (p.port, protocol))
            .unwrap_or_default();
        let by_matrix = table.checks[k].allowed(i, j);
        let by_connectivity = exact.get(i, j).is_some_and(|c| c.allows(p.port, protocol));
        if (by_verdict, by_matrix, by_connectivity) != (p.connect, p.connect, p.connect) {
            let explanation = netpol::render::explanation_text(&netpol::explain(cluster, &traffic));
            failures.push(format!(
                "  {} -> {} {}/{}: upstream expects {}, verdict {by_verdict}, matrix {by_matrix}, connectivity {by_connectivity}\n{}",
                p.from, p.to, p.port, p.protocol, p.connect,
                explanation.lines().map(|l| format!("      {l}\n")).collect::<String>()
            ));
        }
    }
    Ok(failures)
}

fn run_case(path: &Path, world: &[Value]) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: Case = serde_yaml::from_str(&text).map_err(|e| format!("not a case file: {e}"))?;
    let u = &case.upstream;
    if u.repo != "kubernetes-sigs/network-policy-api"
        || u.commit.len() != 40
        || !u.commit.chars().all(|c| c.is_ascii_hexdigit())
        || !u.test.starts_with("conformance/tests/")
        || u.manifests.is_empty()
    {
        return Err(format!(
            "{}: upstream repo, commit, test and manifests must name the source",
            case.name
        ));
    }
    let mut state: Vec<Value> = world.to_vec();
    for doc in documents(&case.manifests) {
        let change = Change {
            apply: Some(doc),
            ..Change::default()
        };
        apply(&mut state, &change)?;
    }
    let mut report = String::new();
    let mut probes = 0;
    for (n, step) in case.steps.iter().enumerate() {
        for change in &step.changes {
            apply(&mut state, change).map_err(|e| format!("{}: step {}: {e}", case.name, n + 1))?;
        }
        probes += step.probes.len();
        let failures =
            check_step(&state, step).map_err(|e| format!("{}: step {}: {e}", case.name, n + 1))?;
        if !failures.is_empty() {
            let _ = writeln!(
                report,
                "step {} ({}):\n{}",
                n + 1,
                step.subtest,
                failures.join("")
            );
        }
    }
    if report.is_empty() {
        Ok(probes)
    } else {
        Err(format!("{} ({}):\n{report}", case.name, u.test))
    }
}

#[test]
fn network_policy_api_conformance() {
    let world = documents(&std::fs::read_to_string(dir().join("world.yaml")).expect("world.yaml"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir().join("cases"))
        .expect("cases/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    netpol::sorting::sort(&mut files);
    assert_eq!(
        files.len(),
        24,
        "one case per upstream ConformanceTest (see SKIPPED.md)"
    );
    let mut failures = Vec::new();
    let mut probes = 0;
    for f in &files {
        match run_case(f, &world) {
            Ok(n) => probes += n,
            Err(e) => failures.push(format!("{}: {e}", f.display())),
        }
    }
    println!(
        "tiers conformance: {} of {} cases pass ({probes} probes in the passing ones)",
        files.len() - failures.len(),
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
