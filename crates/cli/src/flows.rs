//! `netpol flows` and `netpol generate --from-flows`: a flow log read as a stream (one line
//! at a time through the engine's `observed::Reader`, so memory grows with the distinct
//! connections, not with the file), replayed against the manifests or turned into policies.

use std::io::Read;

use netpol::observed::{self, Observed, Reader, Replayed, MAX_LINE};
use netpol::{Cluster, Severity};

crate::output::formats! {
    /// `netpol flows -o`.
    pub enum FlowsFormat {
        Text => "One block per connection: verdict, then why.",
        Md => "A Markdown table.",
        Json => "`{\"connections\": [...], \"skipped\": {...}, \"summary\": {...}}`.",
        Csv => "`from,to,port,protocol,count,verdict,observed,causes`.",
    }
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
    let size = std::fs::metadata(path).ok().map(|m| m.len());
    let progress = crate::progress::during(format!("reading {name}"), size.filter(|_| path != "-"));
    let mut reader = Reader::new(cluster, name);
    for_each_line(input, |line| match line {
        Line::Kept(bytes) => reader.push_line(bytes),
        Line::Overlong(len) => reader.push_overlong(len),
    })
    .map_err(|e| format!("cannot read `{path}`: {e}"))?;
    let observed = reader.finish();
    drop(progress);
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

enum Line<'a> {
    /// A line, without its `\n`.
    Kept(&'a [u8]),
    /// A line longer than [`MAX_LINE`], skipped to its end without being kept.
    Overlong(usize),
}

/// Calls `each` with every line of `input`, in order. Lines are cut in large blocks read
/// straight into one buffer and handed out as slices of it: a log is gigabytes of short
/// lines, and copying each line out of a `BufReader` cost a tenth of the run.
fn for_each_line(mut input: impl Read, mut each: impl FnMut(Line)) -> std::io::Result<()> {
    const BLOCK: usize = 4 << 20;
    let mut buf = vec![0u8; BLOCK];
    // `buf[..filled]` holds unread bytes; `buf[..start]` of them belong to lines handed out.
    let (mut start, mut filled) = (0usize, 0usize);
    // Bytes of an overlong line already thrown away.
    let mut skipped: Option<usize> = None;
    loop {
        if start > 0 {
            buf.copy_within(start..filled, 0);
            filled -= start;
            start = 0;
        }
        if filled == buf.len() {
            // Not one whole line in the buffer: the line is longer than MAX_LINE (BLOCK
            // is larger), so drop what there is and remember its length.
            skipped = Some(skipped.unwrap_or(0) + filled);
            filled = 0;
        }
        let read = match input.read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(n) => {
                crate::progress::advance(n as u64);
                n
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let scanned = filled;
        filled += read;
        let mut from = scanned;
        let block = buf.get(..filled).unwrap_or_default();
        while let Some(at) = memchr::memchr(b'\n', block.get(from..).unwrap_or_default()) {
            let end = from + at;
            let line = block.get(start..end).unwrap_or_default();
            match skipped.take() {
                Some(before) => each(Line::Overlong(before + line.len())),
                None if line.len() > MAX_LINE => each(Line::Overlong(line.len())),
                None => each(Line::Kept(line)),
            }
            start = end + 1;
            from = start;
        }
        if read == 0 {
            let rest = block.get(start..).unwrap_or_default();
            match skipped {
                Some(before) => each(Line::Overlong(before + rest.len())),
                None if rest.len() > MAX_LINE => each(Line::Overlong(rest.len())),
                None if !rest.is_empty() => each(Line::Kept(rest)),
                None => {}
            }
            return Ok(());
        }
    }
}

/// `observed::replay` on every core: a log's distinct connections are tens of thousands,
/// explained once per pair of endpoint classes and port (`observed::Replayer`), the parts
/// of the log side by side.
fn replay_side_by_side<'o>(cluster: &Cluster, observed: &'o Observed) -> Vec<Replayed<'o>> {
    let _progress = crate::progress::during(
        format!("replaying {} connections", observed.connections.len()),
        None,
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Below a few thousand connections a thread costs more than it saves.
    let part = observed.connections.len().div_ceil(cores).max(4096);
    // The classes once for the log; each part shares an explanation per pair of classes.
    let replayer = observed::Replayer::new(cluster, &observed.connections);
    let replayer = &replayer;
    std::thread::scope(|scope| {
        let parts: Vec<_> = observed
            .connections
            .chunks(part)
            .map(|connections| scope.spawn(move || replayer.replay(connections)))
            .collect();
        parts
            .into_iter()
            .flat_map(|part| part.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// `netpol flows`: writes the rendering to stdout as it is produced (a million-line log's
/// report is tens of megabytes) and returns whether any connection is denied.
pub fn replay(observed: &Observed, format: FlowsFormat) -> Result<bool, String> {
    let replayed = replay_side_by_side(&observed.cluster, observed);
    let denied = replayed.iter().any(|r| !r.allowed);
    crate::output::print_rendered(|out| match format {
        FlowsFormat::Text => observed::render_text(out, observed, &replayed),
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
    // The cilium flavour writes Cilium policies only: without them the check would replay
    // the flows against the input's policies alone.
    cluster
        .cilium
        .policies
        .extend(generated.cluster.cilium.policies.iter().cloned());
    for r in replay_side_by_side(&cluster, observed) {
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
