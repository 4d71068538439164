//! Exact outputs of `netpol matrix`, `connectivity` and `explain` in every format, on the
//! docs' example (tests/fixtures/docs-example), compared byte for byte with the files in
//! `tests/golden/`. The expected verdicts are the ones tests/fixtures/docs-example/README.md
//! states; the files were checked against it by hand.
//!
//! After an intended change of output, rewrite the files with
//! `NETPOL_BLESS=1 cargo test -p netpol-cli --test golden` and review the diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

use std::path::PathBuf;
use std::process::Command;

use netpol::endpoint::all_endpoints;
use netpol::{Cidr, Protocol, Source};

const DOCS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/docs-example"
);

/// Both externals: 8.8.8.8 is reachable from the team pods, 10.1.2.3 is in the `except`.
const EXTERNALS: [&str; 4] = ["--external", "8.8.8.8", "--external", "10.1.2.3"];
const PORTS: [&str; 4] = ["--port", "8080/TCP", "--port", "53/UDP"];

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/docs-example")
}

/// Runs `netpol ARGS` on the docs' example and compares stdout with `golden/docs-example/NAME`.
fn check(name: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_netpol"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !stderr.is_empty() {
        return Err(format!("{name}: exit {:?}, stderr: {stderr}", out.status));
    }
    let path = golden_dir().join(name);
    if std::env::var_os("NETPOL_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, &out.stdout).unwrap();
        return Ok(());
    }
    let want = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    if out.stdout == want {
        return Ok(());
    }
    let (got, want) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&want),
    );
    let line = got
        .lines()
        .zip(want.lines())
        .position(|(g, w)| g != w)
        .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
    Err(format!(
        "{name} differs from {} at line {}:\n  got:  {:?}\n  want: {:?}",
        path.display(),
        line + 1,
        got.lines().nth(line).unwrap_or("<end>"),
        want.lines().nth(line).unwrap_or("<end>"),
    ))
}

fn check_all(cases: &[(String, Vec<&str>)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, args)| check(name, args).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn matrix_in_every_format() {
    let cases: Vec<(String, Vec<&str>)> = ["table", "json", "yaml", "csv", "md", "dot"]
        .into_iter()
        .map(|format| {
            let mut args = vec!["matrix", DOCS];
            args.extend(PORTS);
            args.extend(EXTERNALS);
            args.extend(["-o", format]);
            (format!("matrix.{format}"), args)
        })
        .collect();
    check_all(&cases);
}

#[test]
fn connectivity_in_every_format() {
    let cases: Vec<(String, Vec<&str>)> = ["txt", "json", "yaml", "csv", "md", "dot"]
        .into_iter()
        .map(|format| {
            let mut args = vec!["connectivity", DOCS];
            args.extend(EXTERNALS);
            args.extend(["-o", format]);
            (format!("connectivity.{format}"), args)
        })
        .collect();
    check_all(&cases);
}

#[test]
fn explain_in_both_formats() {
    let denied = [
        "explain",
        DOCS,
        "--from",
        "team-one-namespace/pod-1",
        "--to",
        "team-two-namespace/pod-3",
        "--port",
        "8080/TCP",
    ];
    let except = [
        "explain",
        DOCS,
        "--from",
        "team-one-namespace/pod-1",
        "--to",
        "ip:10.1.2.3",
        "--port",
        "443",
    ];
    let with = |args: &[&'static str], format: &'static str| {
        let mut v = args.to_vec();
        v.extend(["-o", format]);
        v
    };
    check_all(&[
        ("explain-pod-1-pod-3.txt".into(), with(&denied, "text")),
        ("explain-pod-1-pod-3.json".into(), with(&denied, "json")),
        ("explain-pod-1-10.1.2.3.json".into(), with(&except, "json")),
    ]);
}

/// The engine's own matrix for the docs' example, to hold the CLI's JSON against.
fn engine_matrix() -> netpol::Matrix {
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(DOCS).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            texts.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    netpol::sorting::sort(&mut texts);
    let sources: Vec<Source<'_>> = texts
        .iter()
        .map(|(name, text)| Source { name, text })
        .collect();
    let loaded = netpol::load(&sources);
    let externals = ["8.8.8.8", "10.1.2.3"].map(|a| Cidr::parse(a, true).unwrap());
    let endpoints = all_endpoints(&loaded.cluster, &externals);
    netpol::matrix(
        &loaded.cluster,
        &endpoints,
        &[(8080, Protocol::Tcp), (53, Protocol::Udp)],
    )
}

#[test]
fn matrix_json_reads_back_as_the_engines_matrix_one_row_per_line() {
    let mut args = vec!["matrix", DOCS];
    args.extend(PORTS);
    args.extend(EXTERNALS);
    args.extend(["-o", "json"]);
    let out = Command::new(env!("CARGO_BIN_EXE_netpol"))
        .args(&args)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let m = engine_matrix();

    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed, serde_json::to_value(&m).unwrap());

    // Line by line: the endpoints, then per port a header line and one line per row of the
    // table, each a JSON array holding exactly that row.
    let n = m.endpoints.len();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + m.checks.len() * (n + 2) + 1, "{text}");
    for (k, check) in m.checks.iter().enumerate() {
        let first = 2 + k * (n + 2) + 1;
        for i in 0..n {
            let line = lines[first + i].trim_end_matches(',');
            let row: Vec<bool> = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("line {}: {e}: {line}", first + i + 1));
            let want: Vec<bool> = (0..n).map(|j| check.allowed(i, j)).collect();
            assert_eq!(row, want, "port {} row {i}", check.port);
        }
    }
}
