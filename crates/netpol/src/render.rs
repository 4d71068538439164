//! Text renderings of query results (truth tables, connectivity lists, explanations), shared
//! by the CLI and the web app so both say the same thing the same way.
//!
//! Every renderer writes into any [`fmt::Write`] as it goes, a row or a pair at a time, so
//! the CLI can stream a 20,000-endpoint truth table (gigabytes of JSON) to stdout in
//! constant memory; a `String` is a `fmt::Write` for callers that want the text. Only what
//! grows with the endpoints (their quoted names, one row) is held, never what grows with
//! the pairs.

use std::fmt::{self, Write};

use crate::connectivity::ConnectivityMap;
use crate::eval::{Explanation, Side};
use crate::matrix::{Check, Matrix};
use crate::model::Direction;

const LEGEND: &str = "\n. allowed   X denied   (rows: from, columns: to)\n";

/// A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
fn csv_field<W: Write + ?Sized>(out: &mut W, s: &str) -> fmt::Result {
    if !s.contains([',', '"', '\n', '\r']) {
        return out.write_str(s);
    }
    out.write_char('"')?;
    for (k, part) in s.split('"').enumerate() {
        if k > 0 {
            out.write_str("\"\"")?;
        }
        out.write_str(part)?;
    }
    out.write_char('"')
}

/// A Graphviz quoted ID.
fn dot_id<W: Write + ?Sized>(out: &mut W, s: &str) -> fmt::Result {
    out.write_char('"')?;
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            out.write_char('\\')?;
        }
        out.write_char(c)?;
    }
    out.write_char('"')
}

/// A JSON string literal (RFC 8259 escapes), written in place: a pair's names and
/// connections would otherwise cost an allocation each.
fn json_string<W: Write + ?Sized>(out: &mut W, s: &str) -> fmt::Result {
    out.write_char('"')?;
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if u32::from(c) < 0x20 => "",
            _ => continue,
        };
        out.write_str(s.get(plain..i).unwrap_or_default())?;
        if escape.is_empty() {
            write!(out, "\\u{:04x}", u32::from(c))?;
        } else {
            out.write_str(escape)?;
        }
        plain = i + c.len_utf8();
    }
    out.write_str(s.get(plain..).unwrap_or_default())?;
    out.write_char('"')
}

/// Each item rendered once, for renderers that repeat names on every row or pair.
fn rendered<F>(items: &[String], mut render: F) -> Result<Vec<String>, fmt::Error>
where
    F: FnMut(&mut String, &str) -> fmt::Result,
{
    items
        .iter()
        .map(|s| {
            let mut out = String::new();
            render(&mut out, s).map(|()| out)
        })
        .collect()
}

/// `8080/TCP`.
fn port_label(check: &Check) -> String {
    format!("{}/{}", check.port, check.protocol)
}

/// The upstream e2e notation: one table per port, `.` allowed, `X` denied, aligned.
pub fn matrix_table<W: Write + ?Sized>(out: &mut W, m: &Matrix) -> fmt::Result {
    let name_width = m.endpoints.iter().map(|e| e.chars().count()).max();
    // A cell is centred under its column's name; both spellings are made once per column.
    let cells = |mark: char| -> Vec<String> {
        m.endpoints
            .iter()
            .map(|e| {
                let w = e.chars().count();
                format!("  {mark:^w$}")
            })
            .collect()
    };
    let (allowed, denied) = (cells('.'), cells('X'));
    let mut line = String::new();
    for (k, check) in m.checks.iter().enumerate() {
        if k > 0 {
            out.write_char('\n')?;
        }
        let corner = port_label(check);
        let width = name_width.unwrap_or(0).max(corner.chars().count());
        write!(out, "{corner:<width$}")?;
        for e in &m.endpoints {
            write!(out, "  {e}")?;
        }
        out.write_char('\n')?;
        for (i, from) in m.endpoints.iter().enumerate() {
            line.clear();
            write!(line, "{from:<width$}")?;
            for ((ok, yes), no) in check.row(i).zip(&allowed).zip(&denied) {
                line.push_str(if ok { yes } else { no });
            }
            line.push('\n');
            out.write_str(&line)?;
        }
    }
    out.write_str(LEGEND)
}

/// `true,false,...,` for the 8 cells of every byte value (bit 0 first): a row of the JSON
/// is copied 8 cells at a time, since at 5,000 endpoints the cells are 50 million per port.
fn json_octets() -> Vec<String> {
    (0..=255u8)
        .map(|byte| {
            (0..8)
                .map(|bit| {
                    if byte & (1 << bit) != 0 {
                        "true,"
                    } else {
                        "false,"
                    }
                })
                .collect()
        })
        .collect()
}

/// The cells of one row, comma-separated.
fn json_cells(line: &mut String, octets: &[String], mut row: impl Iterator<Item = bool>) {
    loop {
        let (mut byte, mut cells) = (0u8, 0);
        for ok in row.by_ref().take(8) {
            byte |= u8::from(ok) << cells;
            cells += 1;
        }
        match octets.get(usize::from(byte)) {
            Some(all_eight) if cells == 8 => line.push_str(all_eight),
            _ => {
                for bit in 0..cells {
                    line.push_str(if byte & (1 << bit) != 0 {
                        "true,"
                    } else {
                        "false,"
                    });
                }
                break;
            }
        }
    }
    if line.ends_with(',') {
        line.pop();
    }
}

/// The JSON contract other tools read,
/// `{"endpoints": [...], "checks": [{"port": 80, "protocol": "TCP", "allowed": [[true, ...], ...]}]}`
/// where `allowed[i][j]` is traffic from `endpoints[i]` to `endpoints[j]`: the same value
/// as [`Matrix`]'s `Serialize`, written compact with one row of the table per line.
pub fn matrix_json<W: Write + ?Sized>(out: &mut W, m: &Matrix) -> fmt::Result {
    out.write_str("{\"endpoints\":[")?;
    for (k, e) in m.endpoints.iter().enumerate() {
        if k > 0 {
            out.write_char(',')?;
        }
        json_string(out, e)?;
    }
    out.write_str("],\n\"checks\":[")?;
    let octets = json_octets();
    let mut line = String::new();
    for (k, check) in m.checks.iter().enumerate() {
        out.write_str(if k > 0 { ",\n" } else { "\n" })?;
        write!(
            out,
            "{{\"port\":{},\"protocol\":\"{}\",\"allowed\":[",
            check.port, check.protocol
        )?;
        for i in 0..m.endpoints.len() {
            line.clear();
            line.push_str(if i > 0 { ",\n[" } else { "\n[" });
            json_cells(&mut line, &octets, check.row(i));
            line.push(']');
            out.write_str(&line)?;
        }
        out.write_str("\n]}")?;
    }
    out.write_str("\n]}\n")
}

/// `port,protocol,from,to,allowed` rows.
pub fn matrix_csv<W: Write + ?Sized>(out: &mut W, m: &Matrix) -> fmt::Result {
    out.write_str("port,protocol,from,to,allowed\n")?;
    let names = rendered(&m.endpoints, csv_field)?;
    let mut line = String::new();
    for check in &m.checks {
        for (i, from) in names.iter().enumerate() {
            line.clear();
            for (ok, to) in check.row(i).zip(&names) {
                writeln!(line, "{},{},{from},{to},{ok}", check.port, check.protocol)?;
            }
            out.write_str(&line)?;
        }
    }
    Ok(())
}

/// One Markdown table per port; the diagonal (a pod talking to itself) is `-`.
pub fn matrix_markdown<W: Write + ?Sized>(out: &mut W, m: &Matrix) -> fmt::Result {
    let mut line = String::new();
    for check in &m.checks {
        write!(out, "**{}**\n\n| from \\ to |", port_label(check))?;
        for e in &m.endpoints {
            write!(out, " {e} |")?;
        }
        out.write_str("\n|---|")?;
        for _ in &m.endpoints {
            out.write_str("---|")?;
        }
        out.write_char('\n')?;
        for (i, from) in m.endpoints.iter().enumerate() {
            line.clear();
            write!(line, "| {from} |")?;
            for (j, ok) in check.row(i).enumerate() {
                line.push_str(match (i == j, ok) {
                    (true, _) => " - |",
                    (false, true) => " allow |",
                    (false, false) => " deny |",
                });
            }
            line.push('\n');
            out.write_str(&line)?;
        }
        out.write_char('\n')?;
    }
    Ok(())
}

/// The head of a Graphviz digraph with one node per endpoint.
fn dot_head<W: Write + ?Sized>(out: &mut W, ids: &[String]) -> fmt::Result {
    out.write_str("digraph netpol {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n")?;
    for id in ids {
        writeln!(out, "  {id};")?;
    }
    Ok(())
}

/// A Graphviz digraph: one edge per allowed pair (loopback left out), labelled with the
/// ports it is allowed on.
pub fn matrix_dot<W: Write + ?Sized>(out: &mut W, m: &Matrix) -> fmt::Result {
    let ids = rendered(&m.endpoints, dot_id)?;
    let labels: Vec<String> = m.checks.iter().map(port_label).collect();
    dot_head(out, &ids)?;
    let mut line = String::new();
    for (i, from) in ids.iter().enumerate() {
        // Walk every port's row side by side: one pass over the bits per port.
        let mut rows: Vec<_> = m.checks.iter().map(|c| c.row(i)).collect();
        for (j, to) in ids.iter().enumerate() {
            line.clear();
            for (row, label) in rows.iter_mut().zip(&labels) {
                if row.next() == Some(true) && i != j {
                    line.push_str(if line.is_empty() { "" } else { ", " });
                    line.push_str(label);
                }
            }
            if !line.is_empty() {
                write!(out, "  {from} -> {to} [label=")?;
                dot_id(out, &line)?;
                out.write_str("];\n")?;
            }
        }
    }
    out.write_str("}\n")
}

/// The allowed pairs of `c` with their names (loopback excluded).
fn named_pairs(
    c: &ConnectivityMap,
) -> impl Iterator<Item = (&str, &str, &crate::ports::Connections)> {
    c.allowed_pairs().filter_map(|(i, j, conns)| {
        Some((
            c.endpoints.get(i)?.as_str(),
            c.endpoints.get(j)?.as_str(),
            conns,
        ))
    })
}

/// `src => dst : connections`, one line per pair with anything allowed (netpol-analyzer's
/// `list` format).
pub fn connectivity_text<W: Write + ?Sized>(out: &mut W, c: &ConnectivityMap) -> fmt::Result {
    for (src, dst, conns) in named_pairs(c) {
        writeln!(out, "{src} => {dst} : {conns}")?;
    }
    Ok(())
}

/// `{"endpoints": [...], "connections": [{"src": "x/a", "dst": "x/b", "conn": "TCP 80"}, ...]}`:
/// the same value as [`ConnectivityMap`]'s `Serialize`, compact, one pair per line.
pub fn connectivity_json<W: Write + ?Sized>(out: &mut W, c: &ConnectivityMap) -> fmt::Result {
    let names = rendered(&c.endpoints, json_string)?;
    out.write_str("{\"endpoints\":[")?;
    out.write_str(&names.join(","))?;
    out.write_str("],\n\"connections\":[")?;
    let mut conn = String::new();
    let mut separator = "\n";
    for (i, j, conns) in c.allowed_pairs() {
        let (Some(src), Some(dst)) = (names.get(i), names.get(j)) else {
            continue;
        };
        conn.clear();
        write!(conn, "{conns}")?;
        out.write_str(separator)?;
        separator = ",\n";
        write!(out, "{{\"src\":{src},\"dst\":{dst},\"conn\":")?;
        json_string(out, &conn)?;
        out.write_char('}')?;
    }
    out.write_str("\n]}\n")
}

/// `src,dst,connections` rows.
pub fn connectivity_csv<W: Write + ?Sized>(out: &mut W, c: &ConnectivityMap) -> fmt::Result {
    out.write_str("src,dst,connections\n")?;
    let names = rendered(&c.endpoints, csv_field)?;
    let mut conn = String::new();
    for (i, j, conns) in c.allowed_pairs() {
        let (Some(src), Some(dst)) = (names.get(i), names.get(j)) else {
            continue;
        };
        conn.clear();
        write!(conn, "{conns}")?;
        write!(out, "{src},{dst},")?;
        csv_field(out, &conn)?;
        out.write_char('\n')?;
    }
    Ok(())
}

/// A Markdown table of allowed pairs.
pub fn connectivity_markdown<W: Write + ?Sized>(out: &mut W, c: &ConnectivityMap) -> fmt::Result {
    out.write_str("| src | dst | connections |\n|---|---|---|\n")?;
    for (src, dst, conns) in named_pairs(c) {
        writeln!(out, "| {src} | {dst} | {conns} |")?;
    }
    Ok(())
}

/// A Graphviz digraph of allowed pairs labelled with their connections.
pub fn connectivity_dot<W: Write + ?Sized>(out: &mut W, c: &ConnectivityMap) -> fmt::Result {
    let ids = rendered(&c.endpoints, dot_id)?;
    dot_head(out, &ids)?;
    let mut conn = String::new();
    for (i, j, conns) in c.allowed_pairs() {
        let (Some(src), Some(dst)) = (ids.get(i), ids.get(j)) else {
            continue;
        };
        conn.clear();
        write!(conn, "{conns}")?;
        write!(out, "  {src} -> {dst} [label=")?;
        dot_id(out, &conn)?;
        out.write_str("];\n")?;
    }
    out.write_str("}\n")
}

fn side<W: Write + ?Sized>(out: &mut W, side: &Side) -> fmt::Result {
    let (title, role) = match side.direction {
        Direction::Egress => ("egress", "sender"),
        Direction::Ingress => ("ingress", "receiver"),
    };
    let Some(pod) = &side.pod else {
        return writeln!(
            out,
            "  {title}: the {role} is outside the cluster: no policy applies"
        );
    };
    if side.isolated_by.is_empty() {
        return writeln!(
            out,
            "  {title} of {pod}: allowed (no NetworkPolicy selects it for {}, so it is not isolated)",
            side.direction.as_str()
        );
    }
    let verdict = if side.allows() { "allowed" } else { "DENIED" };
    let names: Vec<&str> = side.isolated_by.iter().map(|p| p.policy.as_str()).collect();
    writeln!(
        out,
        "  {title} of {pod}: {verdict} (isolated by {})",
        names.join(", ")
    )?;
    for r in &side.allowed_by {
        writeln!(out, "    allowed by {} {title}[{}]", r.policy, r.rule)?;
    }
    for c in &side.candidates {
        writeln!(
            out,
            "    not {title}[{}] of {}: {}",
            c.rule.rule,
            c.rule.policy,
            c.miss.describe()
        )?;
    }
    if side.allowed_by.is_empty() && side.candidates.is_empty() {
        writeln!(
            out,
            "    the isolating policies have no {title} rules: everything is denied"
        )?;
    }
    Ok(())
}

/// The explanation as indented text: the verdict, then each side's isolating policies,
/// the rules that allow, and why every other candidate rule did not.
pub fn explanation<W: Write + ?Sized>(out: &mut W, e: &Explanation) -> fmt::Result {
    let verdict = if e.allowed { "ALLOWED" } else { "DENIED" };
    writeln!(
        out,
        "{} -> {} on {}/{}: {verdict}",
        e.from, e.to, e.port, e.protocol
    )?;
    if e.loopback {
        return writeln!(out, "  a pod may always talk to itself");
    }
    side(out, &e.egress)?;
    side(out, &e.ingress)
}

/// [`explanation`] as a `String`.
pub fn explanation_text(e: &Explanation) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = explanation(&mut out, e);
    out
}
