//! `netpol test EXPECTATIONS INPUT...`: checks expectations as a CI gate.
//!
//! Exit 0 when every expectation holds, 1 when one fails, 2 when the expectations file or
//! an argument is wrong (then only the located problems are printed, on stderr). The
//! engine reads and checks the file ([`netpol::expect`]); this file prints the report as
//! text (each failure one `file:line:col:` line, then the engine's explanation of each
//! failing connection), JSON, or JUnit XML for CI systems that show test results.

use std::fmt::Write as _;
use std::io::Read as _;

use clap::Args;
use netpol::expect::{self, Outcome, TestReport};
use netpol::render;

use crate::inputs;

#[derive(Args)]
pub struct TestArgs {
    /// Expectations: a YAML list of `- allow: "a -> b : 8080/TCP"` and `- deny: ...`
    expectations: String,
    /// Manifests: files, folders or - for stdin
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    output: TestFormat,
}

crate::output::formats! {
    /// `netpol test -o`.
    pub enum TestFormat {
        Text => "Each failing expectation with its place and the explanations of its first failing connections.",
        Json => "Every expectation, passed or failed, with every failing connection.",
        Junit => "JUnit XML, one test case per expectation.",
    }
}

/// A failing expectation shows this many failing connections with their explanations in
/// the text report (JSON and JUnit have them all).
const EXPLAINED_PER_EXPECTATION: usize = 10;

/// Runs the command: the text for stdout and the exit code.
pub fn run(args: &TestArgs) -> Result<(String, u8), String> {
    if args.expectations == "-" && args.inputs.iter().any(|i| i == "-") {
        return Err(
            "only one of the expectations and the manifests can be read from stdin (-)".to_string(),
        );
    }
    let name = if args.expectations == "-" {
        "<stdin>"
    } else {
        args.expectations.as_str()
    };
    let text = read(&args.expectations)?;
    let stated = expect::parse_file(name, &text).map_err(|d| problems(name, &d))?;
    let loaded = inputs::load(&args.inputs)?;
    inputs::warn_about_errors(loaded);
    let report = {
        let _progress = crate::progress::during("checking the expectations", None);
        expect::check(&loaded.cluster, &stated).map_err(|d| problems(name, &d))?
    };
    let stdout = match args.output {
        TestFormat::Text => text_report(&report),
        TestFormat::Json => json_report(&report)?,
        TestFormat::Junit => junit_report(name, &report),
    };
    Ok((stdout, u8::from(!report.passed())))
}

fn read(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        return Ok(text);
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    String::from_utf8(bytes).map_err(|_| format!("`{path}` is not UTF-8 text"))
}

/// One line to introduce them, then one located line per problem.
fn problems(name: &str, diagnostics: &[netpol::Diagnostic]) -> String {
    let mut out = format!("the expectations in `{name}` cannot be checked:");
    for d in diagnostics {
        let _ = write!(out, "\n{d}");
    }
    out
}

/// `denied`, or `3 of 40 connections are allowed`.
fn what_happened(o: &Outcome) -> String {
    let actual = if o.stated.expectation.allowed {
        "denied"
    } else {
        "allowed"
    };
    if o.checked == 1 {
        actual.to_string()
    } else {
        format!(
            "{} of {} connections are {actual}",
            o.failures.len(),
            o.checked
        )
    }
}

fn text_report(report: &TestReport) -> String {
    let mut out = String::new();
    for o in report.outcomes.iter().filter(|o| !o.passed()) {
        let at = &o.stated.origin;
        let _ = writeln!(
            out,
            "{}:{}:{}: expectation failed: {}: {}",
            at.source,
            at.line,
            at.column,
            o.stated.expectation,
            what_happened(o)
        );
        for f in o.failures.iter().take(EXPLAINED_PER_EXPECTATION) {
            for line in render::explanation_text(&f.explanation).lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        let more = o.failures.len().saturating_sub(EXPLAINED_PER_EXPECTATION);
        if more > 0 {
            let _ = writeln!(out, "    ... and {more} more (-o json lists them all)");
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let n = report.outcomes.len();
    let checked = report.checked();
    if report.passed() {
        let hold = if n == 1 { "holds" } else { "hold" };
        let _ = writeln!(
            out,
            "ok: {n} expectation{} {hold} ({checked} connection{} checked)",
            plural(n),
            plural(checked)
        );
    } else {
        let _ = writeln!(
            out,
            "FAILED: {} of {n} expectation{} ({checked} connection{} checked)",
            report.failed(),
            plural(n),
            plural(checked)
        );
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn json_report(report: &TestReport) -> Result<String, String> {
    let v = serde_json::json!({
        "passed": report.passed(),
        "expectations": report.outcomes.len(),
        "failed": report.failed(),
        "connections": report.checked(),
        "results": report.outcomes,
    });
    serde_json::to_string_pretty(&v)
        .map(|s| s + "\n")
        .map_err(|e| format!("could not write JSON: {e}"))
}

/// JUnit XML: one test case per expectation, its failure message the one-line summary and
/// its text the explanations.
fn junit_report(name: &str, report: &TestReport) -> String {
    let (n, failed) = (report.outcomes.len(), report.failed());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"netpol test\" tests=\"{n}\" failures=\"{failed}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{failed}\">",
        xml(name)
    );
    for o in &report.outcomes {
        let at = &o.stated.origin;
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\"",
            xml(name),
            xml(&o.stated.expectation.to_string()),
            xml(&at.source),
            at.line
        );
        if o.passed() {
            out.push_str("/>\n");
            continue;
        }
        let explanations: String = o
            .failures
            .iter()
            .map(|f| render::explanation_text(&f.explanation))
            .collect();
        let _ = write!(
            out,
            ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
            xml(&format!("{}: {}", o.stated.expectation, what_happened(o))),
            xml(&explanations)
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
