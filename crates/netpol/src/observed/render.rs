//! `netpol flows` renderings: text, Markdown, CSV and the JSON contract
//! (`{"connections": [...], "skipped": {...}, "summary": {...}}`), each a writer over
//! `fmt::Write`, shared by the CLI and the app.

use std::fmt::{self, Write};

use serde::Serialize;

use super::{Observed, Replayed, Skipped};

fn times(n: u64) -> String {
    if n == 1 {
        "once".to_string()
    } else {
        format!("{n} times")
    }
}

fn summary(replayed: &[Replayed<'_>]) -> (usize, usize) {
    let allowed = replayed.iter().filter(|r| r.allowed).count();
    (allowed, replayed.len() - allowed)
}

fn flow_only(observed: &Observed, r: &Replayed<'_>) -> Vec<String> {
    [(&r.connection.from, &r.from), (&r.connection.to, &r.to)]
        .into_iter()
        .filter(|(e, _)| observed.endpoint_is_flow_only(e))
        .map(|(_, id)| id.clone())
        .collect()
}

/// One block per connection (the verdict line, then the causes indented), then a summary.
pub fn text<W: Write + ?Sized>(
    out: &mut W,
    observed: &Observed,
    replayed: &[Replayed<'_>],
) -> fmt::Result {
    for r in replayed {
        let c = r.connection;
        let verdict = if r.allowed { "allowed" } else { "DENIED" };
        write!(
            out,
            "{} -> {} on {}/{}, seen {}: {verdict}",
            r.from,
            r.to,
            c.port,
            c.protocol,
            times(c.count)
        )?;
        if let Some(seen) = c.observed() {
            if r.disagrees() {
                write!(out, " (Hubble: {seen}, differs)")?;
            } else {
                write!(out, " (Hubble: {seen})")?;
            }
        }
        out.write_char('\n')?;
        for id in flow_only(observed, r) {
            writeln!(out, "  {id} is seen only in flows (no manifest)")?;
        }
        for cause in &r.causes {
            writeln!(out, "  {cause}")?;
        }
    }
    let (allowed, denied) = summary(replayed);
    let s = observed.skipped;
    writeln!(
        out,
        "{} connections: {allowed} allowed, {denied} denied; skipped {} replies, {} not L3/L4, {} unreadable",
        replayed.len(),
        s.replies,
        s.not_l4,
        s.unreadable
    )
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown table, then the summary.
pub fn markdown<W: Write + ?Sized>(
    out: &mut W,
    observed: &Observed,
    replayed: &[Replayed<'_>],
) -> fmt::Result {
    writeln!(out, "| from | to | port | count | verdict | Hubble | why |")?;
    writeln!(out, "|---|---|---|---:|---|---|---|")?;
    for r in replayed {
        let c = r.connection;
        let verdict = if r.allowed { "allowed" } else { "**denied**" };
        let seen = match c.observed() {
            Some(s) if r.disagrees() => format!("{s} (differs)"),
            Some(s) => s.to_string(),
            None => String::new(),
        };
        let mut why: Vec<String> = flow_only(observed, r)
            .into_iter()
            .map(|id| format!("`{id}` is seen only in flows"))
            .collect();
        why.extend(r.causes.iter().cloned());
        writeln!(
            out,
            "| `{}` | `{}` | {}/{} | {} | {verdict} | {seen} | {} |",
            md_cell(&r.from),
            md_cell(&r.to),
            c.port,
            c.protocol,
            c.count,
            md_cell(&why.join("<br>"))
        )?;
    }
    let (allowed, denied) = summary(replayed);
    let s = observed.skipped;
    writeln!(
        out,
        "\n{} connections: {allowed} allowed, {denied} denied; skipped {} replies, {} not L3/L4, {} unreadable.",
        replayed.len(),
        s.replies,
        s.not_l4,
        s.unreadable
    )
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `from,to,port,protocol,count,verdict,observed,causes`, causes joined by `; `.
pub fn csv<W: Write + ?Sized>(
    out: &mut W,
    _observed: &Observed,
    replayed: &[Replayed<'_>],
) -> fmt::Result {
    writeln!(out, "from,to,port,protocol,count,verdict,observed,causes")?;
    for r in replayed {
        let c = r.connection;
        writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            csv_cell(&r.from),
            csv_cell(&r.to),
            c.port,
            c.protocol,
            c.count,
            if r.allowed { "allowed" } else { "denied" },
            c.observed().unwrap_or(""),
            csv_cell(&r.causes.join("; "))
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonConnection<'r> {
    from: &'r str,
    to: &'r str,
    port: u16,
    protocol: &'static str,
    count: u64,
    verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    observed: Option<&'static str>,
    causes: &'r [String],
}

#[derive(Serialize)]
struct JsonSummary {
    allowed: usize,
    denied: usize,
}

/// The JSON contract, one connection per line:
/// `{"connections": [{"from", "to", "port", "protocol", "count", "verdict", "observed",
/// "causes"}], "skipped": {"replies", "not_l4", "unreadable"}, "summary": {"allowed",
/// "denied"}, "seen_only_in_flows": [ids]}`.
pub fn json<W: Write + ?Sized>(
    out: &mut W,
    observed: &Observed,
    replayed: &[Replayed<'_>],
) -> fmt::Result {
    let to_json = |v: &dyn erased::Ser| v.json();
    out.write_str("{\"connections\": [")?;
    for (i, r) in replayed.iter().enumerate() {
        let c = r.connection;
        let row = JsonConnection {
            from: &r.from,
            to: &r.to,
            port: c.port,
            protocol: c.protocol.as_str(),
            count: c.count,
            verdict: if r.allowed { "allowed" } else { "denied" },
            observed: c.observed(),
            causes: &r.causes,
        };
        out.write_str(if i == 0 { "\n  " } else { ",\n  " })?;
        out.write_str(&to_json(&row))?;
    }
    if !replayed.is_empty() {
        out.write_char('\n')?;
    }
    let (allowed, denied) = summary(replayed);
    let flow_only: Vec<String> = observed
        .flow_only
        .iter()
        .filter_map(|i| observed.cluster.pods.get(*i).map(|p| p.id()))
        .collect();
    writeln!(
        out,
        "],\n \"skipped\": {},\n \"summary\": {},\n \"seen_only_in_flows\": {}}}",
        to_json(&observed.skipped as &Skipped),
        to_json(&JsonSummary { allowed, denied }),
        to_json(&flow_only)
    )
}

mod erased {
    /// Serialize to compact JSON through a trait object.
    pub(super) trait Ser {
        fn json(&self) -> String;
    }

    impl<T: serde::Serialize> Ser for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "null".to_string())
        }
    }
}
