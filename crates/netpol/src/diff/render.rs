//! Text forms of a [`Diff`]: plain text for terminals and CI logs, Markdown for a
//! pull-request comment, CSV for spreadsheets. (JSON is `Diff`'s `Serialize`.)

use std::fmt::{self, Write as _};

use super::{Cause, Change, Diff};
use crate::ports::Connections;

/// `3 pairs changed: 2 opened, 1 closed; 1 endpoint added, 0 removed` (a pair can both
/// open and close; the endpoint part only when endpoints changed), or `no change`.
pub fn summary(diff: &Diff) -> String {
    if diff.is_empty() {
        return "no change".to_string();
    }
    let mut out = format!(
        "{} changed: {} opened, {} closed",
        count(diff.changes.len(), "pair"),
        grouped(diff.opened_pairs()),
        grouped(diff.closed_pairs()),
    );
    if !diff.added_endpoints.is_empty() || !diff.removed_endpoints.is_empty() {
        let _ = write!(
            out,
            "; {} added, {} removed",
            count(diff.added_endpoints.len(), "endpoint"),
            grouped(diff.removed_endpoints.len())
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
    let mut wrote = false;
    for id in &diff.added_endpoints {
        writeln!(out, "added endpoint {id}")?;
        wrote = true;
    }
    for id in &diff.removed_endpoints {
        writeln!(out, "removed endpoint {id}")?;
        wrote = true;
    }
    let texts = cause_texts(diff);
    for c in &diff.changes {
        writeln!(out, "{} => {} : {}", c.from, c.to, change_text(c))?;
        wrote = true;
        for text in causes(&texts, c) {
            writeln!(out, "    {text}")?;
        }
    }
    if wrote {
        out.write_char('\n')?;
    }
    writeln!(out, "{}", summary(diff))
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
    out.write_str("change,from,to,opened,closed,causes\n")?;
    for (kind, ids) in [
        ("endpoint-added", &diff.added_endpoints),
        ("endpoint-removed", &diff.removed_endpoints),
    ] {
        for id in ids {
            writeln!(out, "{kind},{},,,,", quote(id))?;
        }
    }
    let texts = cause_texts(diff);
    for c in &diff.changes {
        let kind = match (c.opened.is_empty(), c.closed.is_empty()) {
            (false, true) => "opened",
            (true, false) => "closed",
            _ => "changed",
        };
        let causes: Vec<&str> = causes(&texts, c).collect();
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
    Ok(())
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
    let mut parts = Vec::new();
    if !c.opened.is_empty() {
        parts.push(format!("opened {}", ports(&c.opened)));
    }
    if !c.closed.is_empty() {
        parts.push(format!("closed {}", ports(&c.closed)));
    }
    parts.join(" | ")
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
