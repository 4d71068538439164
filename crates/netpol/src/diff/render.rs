//! Text forms of a [`Diff`]: plain text for terminals and CI logs, Markdown for a
//! pull-request comment, CSV for spreadsheets. (JSON is `Diff`'s `Serialize`.)

use std::fmt::{self, Write as _};

use super::{Cause, CauseId, Change, ChangeRow, Diff, Tally};
use crate::ports::Connections;

/// `3 pairs changed: 2 opened, 1 closed; 1 endpoint added, 0 removed` (a pair can both
/// open and close; the endpoint part only when endpoints changed), or `no change`.
pub fn summary(diff: &Diff) -> String {
    let tally = Tally {
        changed: diff.changes.len(),
        opened: diff.opened_pairs(),
        closed: diff.closed_pairs(),
    };
    summary_of(
        &tally,
        diff.added_endpoints.len(),
        diff.removed_endpoints.len(),
    )
}

/// [`summary`] from the counts of a streamed diff.
pub fn summary_of(tally: &Tally, added: usize, removed: usize) -> String {
    if tally.changed == 0 && added == 0 && removed == 0 {
        return "no change".to_string();
    }
    let mut out = format!(
        "{} changed: {} opened, {} closed",
        count(tally.changed, "pair"),
        grouped(tally.opened),
        grouped(tally.closed),
    );
    if added > 0 || removed > 0 {
        let _ = write!(
            out,
            "; {} added, {} removed",
            count(added, "endpoint"),
            grouped(removed)
        );
    }
    out
}

/// Endpoints added and removed, then one line per changed pair
/// (`x/a => x/b : opened TCP 80 | closed UDP 53`) with its causes indented below, then the
/// summary.
pub fn text(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = write_text(&mut out, diff);
    out
}

/// [`text`], written into `out` as it goes (the CLI streams it: a diff of 100,000 pods is
/// a gigabyte of text).
pub fn write_text<W: fmt::Write + ?Sized>(out: &mut W, diff: &Diff) -> fmt::Result {
    write_held(out, Form::Text, diff)
}

/// Writes `diff` through a [`Streamer`], as a stream of it would be written.
fn write_held<W: fmt::Write + ?Sized>(out: &mut W, form: Form, diff: &Diff) -> fmt::Result {
    let mut stream = Streamer::start(out, form, &diff.added_endpoints, &diff.removed_endpoints)?;
    let mut causes = Vec::new();
    for c in &diff.changes {
        causes.clear();
        let held = |&i: &usize| Some((CauseId::of(i), diff.causes.get(i)?));
        causes.extend(c.causes.iter().filter_map(held));
        stream.change(c, &causes)?;
    }
    let tally = Tally {
        changed: diff.changes.len(),
        opened: diff.opened_pairs(),
        closed: diff.closed_pairs(),
    };
    stream.finish(&tally, &diff.added_endpoints, &diff.removed_endpoints)
}

/// The forms a diff is streamed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// [`write_text`].
    Text,
    /// [`write_csv`].
    Csv,
    /// [`Diff`]'s JSON, pretty-printed as `serde_json::to_string_pretty` prints it.
    Json,
}

/// Writes a diff as it is found ([`super::stream_snapshots`]): what comes before the
/// changes, each change, then what comes after, byte for byte what the held forms write;
/// each cause is spelled out once.
pub struct Streamer<'w, W: fmt::Write + ?Sized> {
    out: &'w mut W,
    form: Form,
    /// Looked up for every change (millions in a snapshot diff): the fast hasher.
    texts: crate::fasthash::FastMap<CauseId, String>,
    /// What opened and closed, as text, for the last few distinct pairs of sets: the pairs
    /// of two joint classes share one, and a snapshot diff has tens for millions of pairs.
    change_texts: ChangeTexts,
    /// Anything written above the summary (text), or a change written (JSON).
    wrote: bool,
}

/// A few (opened, closed) pairs with their text, looked up by equality.
#[derive(Default)]
struct ChangeTexts(Vec<(Connections, Connections, String)>);

impl ChangeTexts {
    /// Beyond this many, a pair's text is written without being kept.
    const KEPT: usize = 64;

    /// Writes what `c` opened and closed, from the kept text when there is one.
    fn write<W: fmt::Write + ?Sized>(&mut self, out: &mut W, c: &Change) -> fmt::Result {
        if let Some((_, _, text)) = self
            .0
            .iter()
            .find(|(o, cl, _)| *o == c.opened && *cl == c.closed)
        {
            return out.write_str(text);
        }
        if self.0.len() >= Self::KEPT {
            return write_change_text(out, c);
        }
        let mut text = String::new();
        write_change_text(&mut text, c)?;
        out.write_str(&text)?;
        self.0.push((c.opened.clone(), c.closed.clone(), text));
        Ok(())
    }
}

impl<'w, W: fmt::Write + ?Sized> Streamer<'w, W> {
    /// Writes what comes before the changes.
    pub fn start(
        out: &'w mut W,
        form: Form,
        added: &[String],
        removed: &[String],
    ) -> Result<Self, fmt::Error> {
        let mut wrote = false;
        match form {
            Form::Text => {
                for id in added {
                    writeln!(out, "added endpoint {id}")?;
                }
                for id in removed {
                    writeln!(out, "removed endpoint {id}")?;
                }
                wrote = !added.is_empty() || !removed.is_empty();
            }
            Form::Csv => {
                out.write_str("change,from,to,opened,closed,causes\n")?;
                for (kind, ids) in [("endpoint-added", added), ("endpoint-removed", removed)] {
                    for id in ids {
                        writeln!(out, "{kind},{},,,,", quote(id))?;
                    }
                }
            }
            Form::Json => out.write_str("{\n  \"changes\": [")?,
        }
        Ok(Streamer {
            out,
            form,
            texts: crate::fasthash::FastMap::default(),
            change_texts: ChangeTexts::default(),
            wrote,
        })
    }

    /// A streamer for one piece of a diff's changes ([`super::Plan::stream`]), written on
    /// its own, perhaps on another thread: only the changes, which [`Streamer::piece`] puts
    /// in place.
    pub fn changes_only(out: &'w mut W, form: Form) -> Self {
        Streamer {
            out,
            form,
            texts: crate::fasthash::FastMap::default(),
            change_texts: ChangeTexts::default(),
            // Every JSON change of a piece is written as a following one; the first of the
            // whole list loses its comma in `piece`.
            wrote: true,
        }
    }

    /// Where it writes (a piece's text so far, for a [`Streamer::changes_only`]).
    pub fn output(&self) -> &W {
        self.out
    }

    /// Where it writes, to take a finished piece out and write the next into another
    /// buffer: the causes spelled out so far stay with the streamer.
    pub fn output_mut(&mut self) -> &mut W {
        self.out
    }

    /// Writes a piece from a [`Streamer::changes_only`] as if its changes had been written
    /// here.
    pub fn piece(&mut self, piece: &str) -> fmt::Result {
        if piece.is_empty() {
            return Ok(());
        }
        let piece = match self.form {
            Form::Json if !self.wrote => piece.strip_prefix(',').unwrap_or(piece),
            _ => piece,
        };
        self.out.write_str(piece)?;
        self.wrote = true;
        Ok(())
    }

    /// Writes one change with its causes.
    pub fn change(&mut self, c: &Change, causes: &[(CauseId, &Cause)]) -> fmt::Result {
        for (id, cause) in causes {
            self.texts.entry(*id).or_insert_with(|| cause.describe());
        }
        let texts = &self.texts;
        let spelled = causes
            .iter()
            .filter_map(|(id, _)| texts.get(id).map(String::as_str));
        let out = &mut *self.out;
        match self.form {
            Form::Text => {
                // Pieces rather than `write!`: millions of lines go through here.
                for piece in [c.from.as_str(), " => ", c.to.as_str(), " : "] {
                    out.write_str(piece)?;
                }
                self.change_texts.write(out, c)?;
                out.write_char('\n')?;
                for text in spelled {
                    out.write_str("    ")?;
                    out.write_str(text)?;
                    out.write_char('\n')?;
                }
            }
            Form::Csv => {
                let kind = match (c.opened.is_empty(), c.closed.is_empty()) {
                    (false, true) => "opened",
                    (true, false) => "closed",
                    _ => "changed",
                };
                let causes: Vec<&str> = spelled.collect();
                writeln!(
                    out,
                    "{kind},{},{},{},{},{}",
                    quote(&c.from),
                    quote(&c.to),
                    quote(&ports(&c.opened)),
                    quote(&ports(&c.closed)),
                    quote(&causes.join(" | "))
                )?;
            }
            Form::Json => {
                let row = ChangeRow {
                    change: c,
                    causes: spelled.collect(),
                };
                out.write_str(if self.wrote { ",\n" } else { "\n" })?;
                indented(out, &pretty(&row)?, "    ")?;
            }
        }
        self.wrote = true;
        Ok(())
    }

    /// Writes what comes after the changes.
    pub fn finish(self, tally: &Tally, added: &[String], removed: &[String]) -> fmt::Result {
        let out = self.out;
        match self.form {
            Form::Text => {
                if self.wrote {
                    out.write_char('\n')?;
                }
                writeln!(out, "{}", summary_of(tally, added.len(), removed.len()))
            }
            Form::Csv => Ok(()),
            Form::Json => {
                out.write_str(if self.wrote { "\n  ]" } else { "]" })?;
                out.write_str(",\n  \"added_endpoints\": ")?;
                indented_tail(out, &pretty(&added)?, "  ")?;
                out.write_str(",\n  \"removed_endpoints\": ")?;
                indented_tail(out, &pretty(&removed)?, "  ")?;
                out.write_str("\n}")
            }
        }
    }
}

fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, fmt::Error> {
    serde_json::to_string_pretty(value).map_err(|_| fmt::Error)
}

/// `text` with every line indented by `indent`.
fn indented<W: fmt::Write + ?Sized>(out: &mut W, text: &str, indent: &str) -> fmt::Result {
    out.write_str(indent)?;
    indented_tail(out, text, indent)
}

/// `text` with every line but the first indented by `indent` (it follows a key).
fn indented_tail<W: fmt::Write + ?Sized>(out: &mut W, text: &str, indent: &str) -> fmt::Result {
    for (k, line) in text.split('\n').enumerate() {
        if k > 0 {
            out.write_char('\n')?;
            out.write_str(indent)?;
        }
        out.write_str(line)?;
    }
    Ok(())
}

/// A pull-request comment: a summary line, the added and removed endpoints, and a table of
/// at most `max_rows` changed pairs (0 for all) with a note saying how many were left out,
/// so a change that closes a namespace still fits in a comment.
pub fn markdown(diff: &Diff, max_rows: usize) -> String {
    // A change that a ClusterNetworkPolicy decides is not a NetworkPolicy change alone.
    let title = if diff.causes.iter().any(Cause::is_cluster_policy) {
        "Policy change"
    } else {
        "NetworkPolicy change"
    };
    let mut out = format!("**{title}:** {}.\n", summary(diff));
    let ids = |ids: &[String]| {
        ids.iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !diff.added_endpoints.is_empty() {
        let _ = write!(out, "\nEndpoints added: {}.\n", ids(&diff.added_endpoints));
    }
    if !diff.removed_endpoints.is_empty() {
        let _ = write!(
            out,
            "\nEndpoints removed: {}.\n",
            ids(&diff.removed_endpoints)
        );
    }
    if diff.changes.is_empty() {
        return out;
    }
    out.push_str("\n| from | to | opened | closed | because |\n|---|---|---|---|---|\n");
    let shown = if max_rows == 0 {
        diff.changes.len()
    } else {
        max_rows.min(diff.changes.len())
    };
    let texts = cause_texts(diff);
    for c in diff.changes.iter().take(shown) {
        let causes: Vec<String> = causes(&texts, c).map(cell).collect();
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} | {} |",
            c.from,
            c.to,
            ports_cell(&c.opened),
            ports_cell(&c.closed),
            causes.join("<br>")
        );
    }
    let left_out = diff.changes.len() - shown;
    if left_out > 0 {
        let _ = write!(
            out,
            "\n… and {} more (`netpol diff -o text` lists them all).\n",
            count(left_out, "changed pair")
        );
    }
    out
}

/// `change,from,to,opened,closed,causes`: one row per added or removed endpoint
/// (`endpoint-added`, `endpoint-removed`, the id under `from`) and per changed pair
/// (`opened`, `closed`, or `changed` when both); causes joined by ` | `.
pub fn csv(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = write_csv(&mut out, diff);
    out
}

/// [`csv`], written into `out` as it goes.
pub fn write_csv<W: fmt::Write + ?Sized>(out: &mut W, diff: &Diff) -> fmt::Result {
    write_held(out, Form::Csv, diff)
}

/// [`Diff`]'s JSON, pretty-printed, written into `out` as it goes (what
/// `serde_json::to_string_pretty(diff)` gives).
pub fn write_json<W: fmt::Write + ?Sized>(out: &mut W, diff: &Diff) -> fmt::Result {
    write_held(out, Form::Json, diff)
}

/// Every cause spelled out once.
fn cause_texts(diff: &Diff) -> Vec<String> {
    diff.causes.iter().map(Cause::describe).collect()
}

fn causes<'t>(texts: &'t [String], change: &'t Change) -> impl Iterator<Item = &'t str> + 't {
    change
        .causes
        .iter()
        .filter_map(|&i| texts.get(i).map(String::as_str))
}

/// What one pair's change opened and closed: `opened TCP 80; UDP 53 | closed SCTP 1`,
/// `closed all connections` (the text form's line, the playground's label).
pub fn change_text(c: &Change) -> String {
    let mut out = String::new();
    let _ = write_change_text(&mut out, c);
    out
}

/// [`change_text`], written into `out` (a diff's text has one per changed pair).
fn write_change_text<W: fmt::Write + ?Sized>(out: &mut W, c: &Change) -> fmt::Result {
    let mut sides = [("opened", &c.opened), ("closed", &c.closed)]
        .into_iter()
        .filter(|(_, ports)| !ports.is_empty());
    if let Some((word, first)) = sides.next() {
        write!(out, "{word} ")?;
        write_ports(out, first)?;
    }
    for (word, more) in sides {
        write!(out, " | {word} ")?;
        write_ports(out, more)?;
    }
    Ok(())
}

/// [`ports`] of a non-empty set, written into `out`.
fn write_ports<W: fmt::Write + ?Sized>(out: &mut W, c: &Connections) -> fmt::Result {
    if c.is_all() {
        out.write_str("all connections")
    } else {
        write!(out, "{c}")
    }
}

/// `TCP 80,443; UDP 53`, `all connections`, or empty.
pub fn ports(c: &Connections) -> String {
    if c.is_empty() {
        String::new()
    } else if c.is_all() {
        "all connections".to_string()
    } else {
        c.to_string()
    }
}

fn ports_cell(c: &Connections) -> String {
    cell(&ports(c))
}

/// A Markdown table cell: pipes escaped, line breaks as `<br>`.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `1 pair`, `3 pairs`, `14,718 pairs`.
fn count(n: usize, what: &str) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{} {what}{plural}", grouped(n))
}

/// `14,718`: thousands separated, as people read a summary.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_well() {
        assert_eq!(count(1, "pair"), "1 pair");
        assert_eq!(count(0, "pair"), "0 pairs");
        assert_eq!(count(14718, "changed pair"), "14,718 changed pairs");
        assert_eq!(count(1_000_000, "pair"), "1,000,000 pairs");
    }
}
