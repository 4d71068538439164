//! Every command takes the same spellings: an address given to `--external`, to `--to` as
//! `ip:...`, in an `--allow` arrow or in an expectation is read by one rule and refused
//! with one reason; a port by one rule; and every command takes the same `-o` names,
//! the older `txt` and `table` included.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

#[allow(dead_code, reason = "each test binary uses part of the support module")]
mod common;

use std::process::Output;

use common::{stderr, stdout};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn at(path: &str) -> String {
    format!("{ROOT}/{path}")
}

fn netpol(args: &[&str], stdin: Option<&str>) -> Output {
    common::run_netpol(args, stdin, None)
}

/// Why a refused input was refused: its last stderr line (an expectations file adds a
/// line before it that names the file), without the part that names the argument
/// (`--external `...`: `, `endpoint `...`: `).
fn reason(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    let err = stderr(out);
    let last = err.lines().last().unwrap_or_default();
    let at = last
        .find("`10.1.2.3/8` has bits")
        .unwrap_or_else(|| panic!("{err}"));
    last[at..].to_string()
}

#[test]
fn an_address_with_host_bits_is_refused_alike_everywhere() {
    let docs = at("tests/fixtures/docs-example");
    let pod = "team-one-namespace/pod-1";
    let expectations = format!("- deny: \"{pod} -> ip:10.1.2.3/8 : 443\"\n");
    let refusals = [
        netpol(&["matrix", &docs, "--external", "10.1.2.3/8"], None),
        netpol(
            &["connectivity", &docs, "--external", "ip:10.1.2.3/8"],
            None,
        ),
        netpol(&["diff", &docs, &docs, "--external", "10.1.2.3/8"], None),
        netpol(
            &["explain", &docs, "--from", pod, "--to", "ip:10.1.2.3/8"],
            None,
        ),
        netpol(
            &[
                "generate",
                &docs,
                "--allow",
                &format!("{pod} -> ip:10.1.2.3/8"),
            ],
            None,
        ),
        netpol(&["test", "-", &docs], Some(&expectations)),
    ];
    let first = reason(&refusals[0]);
    assert_eq!(
        first,
        "`10.1.2.3/8` has bits set after the /8 prefix: Kubernetes reads it as `10.0.0.0/8`; write `ip:10.0.0.0/8` for the range, or `ip:10.1.2.3` for the single address"
    );
    for out in &refusals[1..] {
        assert_eq!(reason(out), first);
    }
}

#[test]
fn the_range_itself_is_one_endpoint_by_either_spelling() {
    let docs = at("tests/fixtures/docs-example");
    let pod = "team-one-namespace/pod-1";
    let external = netpol(
        &["matrix", &docs, "--external", "10.0.0.0/8", "-o", "json"],
        None,
    );
    assert!(external.status.success(), "{}", stderr(&external));
    let v: serde_json::Value = serde_json::from_str(&stdout(&external)).unwrap();
    let endpoints = v["endpoints"].as_array().unwrap();
    let (i, j) = (
        endpoints.iter().position(|e| e == pod).unwrap(),
        endpoints.iter().position(|e| e == "ip:10.0.0.0/8").unwrap(),
    );
    let from_matrix = v["checks"][0]["allowed"][i][j].as_bool().unwrap();
    let explained = netpol(
        &[
            "explain",
            &docs,
            "--from",
            pod,
            "--to",
            "ip:10.0.0.0/8",
            "-o",
            "json",
        ],
        None,
    );
    assert!(explained.status.success(), "{}", stderr(&explained));
    let e: serde_json::Value = serde_json::from_str(&stdout(&explained)).unwrap();
    assert_eq!(e["allowed"].as_bool(), Some(from_matrix), "{e}");
}

#[test]
fn ports_are_refused_alike_by_port_and_expectations() {
    let docs = at("tests/fixtures/docs-example");
    let pod = "team-one-namespace/pod-1";
    for (port, why) in [
        (
            "http",
            "`http` is a port name, not a port number: write the number, like `8080/TCP`",
        ),
        (
            "8000-8090",
            "`8000-8090` is a range, not one port: write one, like `8000/TCP`",
        ),
        (
            "80/ICMP",
            "`ICMP` is not a protocol: write TCP, UDP or SCTP, like `53/UDP`",
        ),
    ] {
        let flag = netpol(&["matrix", &docs, "--port", port], None);
        assert_eq!(
            stderr(&flag),
            format!("netpol: --port `{port}`: {why}\n"),
            "{port}"
        );
        let line = format!("- allow: \"{pod} -> {pod} : {port}\"\n");
        let expected = netpol(&["test", "-", &docs], Some(&line));
        assert_eq!(expected.status.code(), Some(2));
        assert!(stderr(&expected).contains(why), "{}", stderr(&expected));
    }
    let lower = netpol(&["matrix", &docs, "--port", "53/udp", "-o", "csv"], None);
    assert!(stdout(&lower).contains("53,UDP,"), "{}", stdout(&lower));
}

/// Each command with the arguments of a run that succeeds.
fn commands() -> Vec<Vec<String>> {
    let docs = at("tests/fixtures/docs-example");
    let pod = |n: u8| format!("team-one-namespace/pod-{n}");
    [
        vec!["matrix".to_string(), docs.clone()],
        vec!["connectivity".into(), docs.clone()],
        vec![
            "explain".into(),
            docs.clone(),
            "--from".into(),
            pod(1),
            "--to".into(),
            pod(2),
        ],
        vec!["lint".into(), docs.clone()],
        vec![
            "flows".into(),
            at("www/examples/hubble-prometheus.flows.json"),
            at("www/examples/hubble-prometheus.yaml"),
        ],
        vec!["diff".into(), docs.clone(), at("tests/fixtures/diff/after")],
        vec![
            "test".into(),
            at("tests/fixtures/diff/expectations.yaml"),
            docs,
        ],
        vec![
            "lesson".into(),
            "grade".into(),
            at("www/lessons/02-pod-1-to-pod-2.yaml"),
            at("www/examples/docs.yaml"),
        ],
    ]
    .into_iter()
    .collect()
}

fn run_with(command: &[String], output: Option<&str>) -> Output {
    let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
    if let Some(o) = output {
        args.extend(["-o", o]);
    }
    netpol(&args, None)
}

#[test]
fn every_command_takes_the_same_output_names() {
    for command in commands() {
        let default = run_with(&command, None);
        assert_ne!(
            default.status.code(),
            Some(2),
            "{command:?}: {}",
            stderr(&default)
        );
        for name in ["text", "txt", "table"] {
            let out = run_with(&command, Some(name));
            assert_eq!(
                out.status.code(),
                default.status.code(),
                "{command:?} -o {name}"
            );
            assert_eq!(stdout(&out), stdout(&default), "{command:?} -o {name}");
        }
        let json = run_with(&command, Some("json"));
        assert_ne!(
            json.status.code(),
            Some(2),
            "{command:?}: {}",
            stderr(&json)
        );
        serde_json::from_str::<serde_json::Value>(&stdout(&json))
            .unwrap_or_else(|e| panic!("{command:?} -o json: {e}"));
    }
}

#[test]
fn help_names_the_older_spellings() {
    for command in commands() {
        let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
        args.truncate(if args[0] == "lesson" { 2 } else { 1 });
        args.push("--help");
        let help = stdout(&netpol(&args, None));
        assert!(
            help.contains("- text:") && help.contains("(also `txt` and `table`, older names)"),
            "{args:?}: {help}"
        );
    }
}

#[test]
fn an_unknown_format_lists_the_commands_names() {
    let out = netpol(&["lint", "-", "-o", "yaml"], Some(""));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[possible values: text, json]"),
        "{}",
        stderr(&out)
    );
}
