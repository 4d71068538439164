//! `netpol flows` and `netpol generate --from-flows`: a flow log read as a stream (one line
//! at a time through the engine's `observed::Reader`, so memory grows with the distinct
//! connections, not with the file), replayed against the manifests or turned into policies.

use std::io::{BufRead, BufReader, Read};

use clap::ValueEnum;
use netpol::observed::{self, Observed, Reader, MAX_LINE};
use netpol::{Cluster, Severity};

/// `netpol flows -o`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FlowsFormat {
    /// One block per connection: verdict, then why.
    Txt,
    /// A Markdown table.
    Md,
    /// `{"connections": [...], "skipped": {...}, "summary": {...}}`.
    Json,
    /// `from,to,port,protocol,count,verdict,observed,causes`.
    Csv,
}

/// Reads the flow log `path` (`-` for stdin) against `cluster`, printing its diagnostics
/// on stderr as `file:line:col: ...`.
pub fn read(path: &str, cluster: Cluster) -> Result<Observed, String> {
    let name = if path == "-" { "<stdin>" } else { path };
    let input: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| format!("cannot read `{path}`: {e}"))?)
    };
    let mut input = BufReader::with_capacity(1 << 20, input);
    let mut reader = Reader::new(cluster, name);
    let mut line: Vec<u8> = Vec::with_capacity(1 << 16);
    loop {
        line.clear();
        match read_line(&mut input, &mut line) {
            Ok(Line::End) => break,
            Ok(Line::Kept) => reader.push_line(&line),
            Ok(Line::Overlong(len)) => reader.push_overlong(len),
            Err(e) => return Err(format!("cannot read `{path}`: {e}")),
        }
    }
    let observed = reader.finish();
    for d in &observed.diagnostics {
        eprintln!("{d}");
    }
    if observed.more_diagnostics > 0 {
        eprintln!(
            "{name}: {} more problems not shown",
            observed.more_diagnostics
        );
    }
    if observed.lost_events > 0 {
        eprintln!(
            "{name}: warning: Hubble reported {} lost events: the log misses flows",
            observed.lost_events
        );
    }
    Ok(observed)
}

enum Line {
    End,
    Kept,
    Overlong(usize),
}

/// One line into `buf` (without `\n`); a line longer than [`MAX_LINE`] is skipped to its
/// end without being kept.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Line> {
    let mut len = 0usize;
    let mut any = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok(match (any, len > MAX_LINE) {
                (false, _) => Line::End,
                (true, true) => Line::Overlong(len),
                (true, false) => Line::Kept,
            });
        }
        any = true;
        let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(at) => (at, true),
            None => (chunk.len(), false),
        };
        if len + take <= MAX_LINE {
            buf.extend_from_slice(chunk.get(..take).unwrap_or_default());
        } else {
            buf.clear();
        }
        len += take;
        input.consume(if done { take + 1 } else { take });
        if done {
            return Ok(if len > MAX_LINE {
                Line::Overlong(len)
            } else {
                Line::Kept
            });
        }
    }
}

/// `netpol flows`: writes the rendering to stdout as it is produced (a million-line log's
/// report is tens of megabytes) and returns whether any connection is denied.
pub fn replay(observed: &Observed, format: FlowsFormat) -> Result<bool, String> {
    let replayed = observed::replay(&observed.cluster, observed);
    let denied = replayed.iter().any(|r| !r.allowed);
    crate::output::print_rendered(|out| match format {
        FlowsFormat::Txt => observed::render_text(out, observed, &replayed),
        FlowsFormat::Md => observed::render_markdown(out, observed, &replayed),
        FlowsFormat::Json => observed::render_json(out, observed, &replayed),
        FlowsFormat::Csv => observed::render_csv(out, observed, &replayed),
    })
    .or_else(|e| match e.kind() {
        // A closed pipe (`netpol flows ... | head`) is not an error worth reporting.
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(format!("could not write the output: {e}")),
    })?;
    Ok(denied)
}

/// After `generate --from-flows`: replays the log against the manifests plus the generated
/// YAML and says on stderr which observed connections are still denied (an Admin-tier
/// Deny, which no NetworkPolicy can override).
pub fn check_generated(observed: &Observed, yaml: &str) {
    let generated = netpol::load(&[netpol::Source {
        name: "generated",
        text: yaml,
    }]);
    for d in generated
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
    {
        eprintln!("netpol: the generated policies do not load: {d}");
    }
    let mut cluster = observed.cluster.clone();
    cluster
        .policies
        .extend(generated.cluster.policies.iter().cloned());
    cluster
        .cluster_policies
        .extend(generated.cluster.cluster_policies.iter().cloned());
    for r in observed::replay(&cluster, observed) {
        if !r.allowed {
            eprintln!(
                "netpol: warning: {} -> {} on {}/{} stays denied with the generated policies: {}",
                r.from,
                r.to,
                r.connection.port,
                r.connection.protocol,
                r.causes.join("; ")
            );
        }
    }
}

/// Connections Hubble only saw dropped are not turned into policies: says so on stderr.
pub fn warn_dropped(observed: &Observed) {
    for c in &observed.connections {
        if c.observed() == Some("DROPPED") {
            eprintln!(
                "netpol: note: {} -> {} on {}/{} left out: Hubble only saw it DROPPED (allow it with --allow if it should work)",
                c.from.id(&observed.cluster),
                c.to.id(&observed.cluster),
                c.port,
                c.protocol
            );
        }
    }
}
