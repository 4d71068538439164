//! `netpol diff OLD NEW`: what a change to the manifests opens and closes, and why.
//!
//! Each side is a file, a folder or `-` (stdin, for one side at most). The two sides are
//! loaded on two threads; the engine then says which endpoints a change can reach
//! ([`netpol::diff::reached`]), each side's connectivity is computed for those only, on two
//! threads, and the engine compares them ([`netpol::diff`]); this file only reads
//! arguments and picks the output format.

use clap::Args;
use netpol::connectivity::ConnectivityMap;
use std::io::IsTerminal as _;

use netpol::diff::render::{self, Form, Streamer};
use netpol::diff::{self, Snapshot};
use netpol::endpoint::all_endpoints;
use netpol::{Endpoint, Loaded};

use crate::inputs;
use crate::output::Body;

#[derive(Args)]
pub struct DiffArgs {
    /// The manifests before the change: a file, a folder or - for stdin
    old: String,
    /// The manifests after the change: a file, a folder or - for stdin (not both sides)
    new: String,
    /// An address or range outside the cluster to include, `ip:` optional: 8.8.8.8, ip:10.0.0.0/8 (repeatable)
    #[arg(long = "external")]
    externals: Vec<String>,
    /// Output format (md: a pull-request comment)
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    output: DiffFormat,
    /// Exit with 1 when anything changed, 0 when nothing did
    #[arg(long)]
    exit_code: bool,
    /// At most this many changed pairs in the -o md table (0 for all)
    #[arg(long, default_value_t = 100)]
    max_rows: usize,
}

crate::output::formats! {
    /// `netpol diff -o`.
    pub enum DiffFormat {
        Text => "`src => dst : opened ...; closed ...`, each change with its causes.",
        Md => "A pull-request comment: a summary and a table of at most --max-rows pairs.",
        Json => "`{\"changes\": [...], \"added_endpoints\": [...], \"removed_endpoints\": [...]}`.",
        Csv => "`from,to,opened,closed,causes`, one row per changed pair.",
    }
}

/// One side, loaded, with the endpoints compared and their connectivity.
struct Side {
    loaded: &'static Loaded,
    endpoints: Vec<Endpoint>,
    connectivity: ConnectivityMap,
}

/// Runs the command: what to print on stdout and the exit code.
pub fn run(args: &DiffArgs) -> Result<(Body, u8), String> {
    if args.old == "-" && args.new == "-" {
        return Err("only one side can be read from stdin (-)".to_string());
    }
    let externals = crate::parse_externals(&args.externals)?;
    let (old, new) = both(
        || inputs::load(std::slice::from_ref(&args.old)),
        || inputs::load(std::slice::from_ref(&args.new)),
    );
    let (old, new) = (old?, new?);
    let (old_endpoints, new_endpoints) = (
        all_endpoints(&old.cluster, &externals),
        all_endpoints(&new.cluster, &externals),
    );
    // Only the rows and columns of the endpoints a change can reach are computed.
    let computing = crate::progress::during("working out each side's connectivity", None);
    let differences = diff::Differences::between(&old.cluster, &new.cluster);
    let reached = diff::reached_with(
        &differences,
        &old.cluster,
        &new.cluster,
        &old_endpoints,
        &new_endpoints,
    );
    let (old, new) = match reached {
        Some((old_reached, new_reached)) => both(
            || side(old, old_endpoints, Some(&old_reached)),
            || side(new, new_endpoints, Some(&new_reached)),
        ),
        None => both(
            || side(old, old_endpoints, None),
            || side(new, new_endpoints, None),
        ),
    };
    drop(computing);
    inputs::warn_about_errors(old.loaded);
    inputs::warn_about_errors(new.loaded);
    let form = match args.output {
        DiffFormat::Md => {
            // A pull-request comment is short (at most --max-rows pairs): held whole.
            let d = {
                let _progress = crate::progress::during("comparing the two sides", None);
                diff::diff_snapshots(snapshot(&old), snapshot(&new))
            };
            let code = u8::from(args.exit_code && !d.is_empty());
            return Ok((Body::Text(render::markdown(&d, args.max_rows)), code));
        }
        DiffFormat::Text => Form::Text,
        DiffFormat::Csv => Form::Csv,
        DiffFormat::Json => Form::Json,
    };
    let changed = stream(snapshot(&old), snapshot(&new), differences, form)?;
    Ok((
        Body::Text(String::new()),
        u8::from(args.exit_code && changed),
    ))
}

/// Writes the changes to stdout as they are found (two 100,000-pod snapshots can differ
/// in millions of pairs, a gigabyte of text, never held whole); whether anything changed.
fn stream<'s>(
    old: Snapshot<'s>,
    new: Snapshot<'s>,
    differences: diff::Differences<'s>,
    form: Form,
) -> Result<bool, String> {
    let (added, removed) = diff::endpoint_changes(old, new);
    // The progress line shares a terminal with the changes only when stdout is one.
    let phase = |what: &str| {
        (!std::io::stdout().is_terminal()).then(|| crate::progress::during(what, None))
    };
    let plan = {
        let _progress = phase("finding the pairs that changed");
        diff::Plan::new(old, new, differences)
    };
    let _progress = phase("comparing the two sides");
    let mut changed = !added.is_empty() || !removed.is_empty();
    crate::output::print_rendered(|out| {
        let mut streamer = Streamer::start(out, form, &added, &removed)?;
        let tally = walk_in_pieces(&plan, form, |piece| streamer.piece(piece))?;
        changed |= tally.changed > 0;
        streamer.finish(&tally, &added, &removed)?;
        // `-o json` ends with a line break, as every JSON output of the CLI does.
        if form == Form::Json {
            out.write_char('\n')?;
        }
        Ok(())
    })
    .or_else(|e| match e.kind() {
        // A closed pipe (`netpol diff ... | head`) is not an error worth reporting.
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(format!("could not write the output: {e}")),
    })?;
    Ok(changed)
}

/// Senders are taken in pieces of about this many changes (a few hundred KB of text): the
/// pieces in flight, two per thread, stay small.
const PIECE: usize = 4096;

/// Walks the plan on every core ([`diff::Plan::walk_share`], one walker per thread) and
/// hands the text to `write` in sender order ([`diff::write_piece`]): the same bytes as
/// one walk.
fn walk_in_pieces(
    plan: &diff::Plan<'_>,
    form: Form,
    mut write: impl FnMut(&str) -> std::fmt::Result,
) -> Result<diff::Tally, std::fmt::Error> {
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let threads = cores.clamp(1, plan.groups().max(1));
    let split = plan.split(PIECE, threads);
    std::thread::scope(|scope| {
        let (mut inboxes, mut spares) = (Vec::new(), Vec::new());
        for me in 0..threads {
            // A thread waits while its last parts are unread, so memory stays bounded; the
            // parts' buffers come back to be written again (freeing and growing a buffer
            // per part costs more than writing it).
            let (send, inbox) = std::sync::mpsc::sync_channel::<diff::Part>(2);
            let (spare, returned) = std::sync::mpsc::channel::<String>();
            inboxes.push(inbox);
            spares.push(spare);
            let split = &split;
            scope.spawn(move || {
                plan.walk_share(&split.pieces, &split.owners, me, form, |part| {
                    send.send(part).ok()?;
                    Some(returned.try_recv().unwrap_or_default())
                })
            });
        }
        let mut total = diff::Tally::default();
        for senders in &split.pieces {
            let mut parts = Vec::with_capacity(threads);
            for inbox in &inboxes {
                parts.push(inbox.recv().map_err(|_| std::fmt::Error)?);
            }
            total += diff::write_piece(&parts, senders.len(), &mut write)?;
            for (part, spare) in parts.into_iter().zip(&spares) {
                // A thread that has stopped needs no buffer.
                let _ = spare.send(part.into_text());
            }
        }
        Ok(total)
    })
}

/// Runs `a` on another thread and `b` on this one.
fn both<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|s| {
        let a = s.spawn(a);
        let b = b();
        // A panic on the other thread is a bug that must not pass as a result.
        let a = a.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (a, b)
    })
}

/// One side's connectivity: every cell, or only the rows and columns of the endpoints
/// marked in `reached`.
fn side(loaded: &'static Loaded, endpoints: Vec<Endpoint>, reached: Option<&[bool]>) -> Side {
    let connectivity = match reached {
        Some(r) => netpol::connectivity::connectivity_covering(&loaded.cluster, &endpoints, r),
        None => netpol::connectivity(&loaded.cluster, &endpoints),
    };
    Side {
        loaded,
        endpoints,
        connectivity,
    }
}

fn snapshot(side: &Side) -> Snapshot<'_> {
    Snapshot {
        cluster: &side.loaded.cluster,
        endpoints: &side.endpoints,
        connectivity: &side.connectivity,
    }
}
