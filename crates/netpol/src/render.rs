//! Text renderings of query results (truth tables, connectivity lists, explanations), shared
//! by the CLI and the web app so both say the same thing the same way.
//!
//! Every renderer writes into any [`fmt::Write`] as it goes, a row or a pair at a time, so
//! the CLI can stream a 20,000-endpoint truth table (gigabytes of JSON) to stdout in
//! constant memory; a `String` is a `fmt::Write` for callers that want the text. Only what
//! grows with the endpoints (their quoted names, one row) is held, never what grows with
//! the pairs.

use std::collections::HashMap;
use std::fmt::{self, Write};

use crate::chain::{Explanation, Outcome, Side, Stage};
use crate::cnp::{Action, TierRuleRef};
use crate::connectivity::ConnectivityMap;
use crate::matrix::{Check, Matrix};
use crate::model::Direction;
use crate::ports::Connections;

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

/// The truth table as YAML: one row per line as a flow sequence, like `-o json`.
pub fn matrix_yaml<W: Write + ?Sized>(out: &mut W, m: &Matrix) -> fmt::Result {
    out.write_str("endpoints:\n")?;
    for e in &m.endpoints {
        writeln!(out, "- {}", crate::yaml::emit::scalar(e))?;
    }
    if m.checks.is_empty() {
        return out.write_str("checks: []\n");
    }
    out.write_str("checks:\n")?;
    let octets = json_octets();
    let mut line = String::new();
    for check in &m.checks {
        writeln!(
            out,
            "- port: {}\n  protocol: {}",
            check.port, check.protocol
        )?;
        if m.endpoints.is_empty() {
            out.write_str("  allowed: []\n")?;
            continue;
        }
        out.write_str("  allowed:\n")?;
        for i in 0..m.endpoints.len() {
            line.clear();
            line.push_str("  - [");
            json_cells(&mut line, &octets, check.row(i));
            line.push_str("]\n");
            out.write_str(&line)?;
        }
    }
    Ok(())
}

/// `port,protocol,from,to,allowed` rows.
pub fn matrix_csv<W: Write + ?Sized>(out: &mut W, m: &Matrix) -> fmt::Result {
    out.write_str("port,protocol,from,to,allowed\n")?;
    let names = rendered(&m.endpoints, csv_field)?;
    let mut line = String::new();
    for check in &m.checks {
        let port = format!("{},{},", check.port, check.protocol);
        for (i, from) in names.iter().enumerate() {
            line.clear();
            for (ok, to) in check.row(i).zip(&names) {
                line.push_str(&port);
                line.push_str(from);
                line.push(',');
                line.push_str(to);
                line.push_str(if ok { ",true\n" } else { ",false\n" });
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

/// A string as it is.
fn plain<W: Write + ?Sized>(out: &mut W, s: &str) -> fmt::Result {
    out.write_str(s)
}

/// Calls `line(out, src, dst, connections)` for each allowed pair of `c` (loopback
/// excluded), with the names and the connection set already in the output's `form`.
/// Names are rendered once per endpoint and each distinct set once: the map interns its
/// sets, so an equal set is the same reference (a cluster has few), and formatting it
/// again for each of millions of pairs was most of the time of the whole command.
fn each_pair<W, F, L>(out: &mut W, c: &ConnectivityMap, form: F, mut line: L) -> fmt::Result
where
    W: Write + ?Sized,
    F: Fn(&mut String, &str) -> fmt::Result,
    L: FnMut(&mut W, &str, &str, &str) -> fmt::Result,
{
    let names = rendered(&c.endpoints, &form)?;
    let mut set_ids: HashMap<*const Connections, usize> = HashMap::new();
    let mut sets: Vec<String> = Vec::new();
    let mut last: Option<(*const Connections, usize)> = None;
    for (i, j, conns) in c.allowed_pairs() {
        let key = std::ptr::from_ref(conns);
        let id = match last {
            Some((k, id)) if k == key => id,
            _ => {
                let id = match set_ids.get(&key) {
                    Some(&id) => id,
                    None => {
                        let mut text = String::new();
                        form(&mut text, &conns.to_string())?;
                        sets.push(text);
                        set_ids.insert(key, sets.len() - 1);
                        sets.len() - 1
                    }
                };
                last = Some((key, id));
                id
            }
        };
        if let (Some(src), Some(dst), Some(set)) = (names.get(i), names.get(j), sets.get(id)) {
            line(out, src, dst, set)?;
        }
    }
    Ok(())
}

/// `src => dst : connections`, one line per pair with anything allowed (netpol-analyzer's
/// `list` format).
pub fn connectivity_text<W: Write + ?Sized>(out: &mut W, c: &ConnectivityMap) -> fmt::Result {
    each_pair(out, c, plain, |out, src, dst, set| {
        out.write_str(src)?;
        out.write_str(" => ")?;
        out.write_str(dst)?;
        out.write_str(" : ")?;
        out.write_str(set)?;
        out.write_char('\n')
    })
}

/// `{"endpoints": [...], "connections": [{"src": "x/a", "dst": "x/b", "conn": "TCP 80"}, ...]}`:
/// the same value as [`ConnectivityMap`]'s `Serialize`, compact, one pair per line.
pub fn connectivity_json<W: Write + ?Sized>(out: &mut W, c: &ConnectivityMap) -> fmt::Result {
    out.write_str("{\"endpoints\":[")?;
    for (k, e) in c.endpoints.iter().enumerate() {
        if k > 0 {
            out.write_char(',')?;
        }
        json_string(out, e)?;
    }
    out.write_str("],\n\"connections\":[")?;
    let mut separator = "\n";
    each_pair(out, c, json_string, |out, src, dst, set| {
        out.write_str(separator)?;
        separator = ",\n";
        out.write_str("{\"src\":")?;
        out.write_str(src)?;
        out.write_str(",\"dst\":")?;
        out.write_str(dst)?;
        out.write_str(",\"conn\":")?;
        out.write_str(set)?;
        out.write_char('}')
    })?;
    out.write_str("\n]}\n")
}

/// `netpol connectivity --group`: one line per pair of endpoint classes with anything
/// allowed, `src ×N => dst ×M : connections` (a class towards itself: between two distinct
/// members). `names` are [`crate::classes::class_names`]. Loopback is left out, as in
/// [`connectivity_text`].
pub fn connectivity_groups_text<W: Write + ?Sized>(
    out: &mut W,
    c: &ConnectivityMap,
    names: &[String],
) -> fmt::Result {
    let classes = c.classes();
    let counted: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(k, name)| format!("{name} ×{}", classes.members(k).len()))
        .collect();
    let mut sets: HashMap<*const Connections, String> = HashMap::new();
    for (a, b, conns) in c.allowed_class_pairs() {
        let set = sets
            .entry(std::ptr::from_ref(conns))
            .or_insert_with(|| conns.to_string());
        if let (Some(src), Some(dst)) = (counted.get(a), counted.get(b)) {
            writeln!(out, "{src} => {dst} : {set}")?;
        }
    }
    Ok(())
}

/// `netpol connectivity --group -o json`: the classes (name, member count, member ids) and
/// the allowed pairs of classes, by name:
/// `{"classes": [{"class": "x/app=web", "count": 2, "members": ["x/a", "x/b"]}],
///   "connections": [{"src": "x/app=web", "dst": "x/app=web", "conn": "TCP 80"}]}`.
pub fn connectivity_groups_json<W: Write + ?Sized>(
    out: &mut W,
    c: &ConnectivityMap,
    names: &[String],
) -> fmt::Result {
    let classes = c.classes();
    out.write_str("{\"classes\":[")?;
    for (k, name) in names.iter().enumerate() {
        out.write_str(if k == 0 { "\n" } else { ",\n" })?;
        out.write_str("{\"class\":")?;
        json_string(out, name)?;
        let members = classes.members(k);
        write!(out, ",\"count\":{},\"members\":[", members.len())?;
        for (m, &pos) in members.iter().enumerate() {
            if m > 0 {
                out.write_char(',')?;
            }
            json_string(out, c.endpoints.get(pos).map_or("", String::as_str))?;
        }
        out.write_str("]}")?;
    }
    out.write_str("\n],\n\"connections\":[")?;
    let mut separator = "\n";
    for (a, b, conns) in c.allowed_class_pairs() {
        let (Some(src), Some(dst)) = (names.get(a), names.get(b)) else {
            continue;
        };
        out.write_str(separator)?;
        separator = ",\n";
        out.write_str("{\"src\":")?;
        json_string(out, src)?;
        out.write_str(",\"dst\":")?;
        json_string(out, dst)?;
        out.write_str(",\"conn\":")?;
        json_string(out, &conns.to_string())?;
        out.write_char('}')?;
    }
    out.write_str("\n]}\n")
}

/// The connectivity as YAML, a pair at a time (strings quoted where YAML 1.1 or 1.2 would
/// read them as something else).
pub fn connectivity_yaml<W: Write + ?Sized>(out: &mut W, c: &ConnectivityMap) -> fmt::Result {
    out.write_str("endpoints:\n")?;
    for e in &c.endpoints {
        writeln!(out, "- {}", crate::yaml::emit::scalar(e))?;
    }
    if c.allowed_pairs().next().is_none() {
        return out.write_str("connections: []\n");
    }
    out.write_str("connections:\n")?;
    let yaml_scalar = |text: &mut String, s: &str| {
        text.push_str(&crate::yaml::emit::scalar(s));
        Ok(())
    };
    each_pair(out, c, yaml_scalar, |out, src, dst, set| {
        writeln!(out, "- src: {src}\n  dst: {dst}\n  conn: {set}")
    })
}

/// `src,dst,connections` rows.
pub fn connectivity_csv<W: Write + ?Sized>(out: &mut W, c: &ConnectivityMap) -> fmt::Result {
    out.write_str("src,dst,connections\n")?;
    each_pair(out, c, csv_field, |out, src, dst, set| {
        out.write_str(src)?;
        out.write_char(',')?;
        out.write_str(dst)?;
        out.write_char(',')?;
        out.write_str(set)?;
        out.write_char('\n')
    })
}

/// A Markdown table of allowed pairs.
pub fn connectivity_markdown<W: Write + ?Sized>(out: &mut W, c: &ConnectivityMap) -> fmt::Result {
    out.write_str("| src | dst | connections |\n|---|---|---|\n")?;
    each_pair(out, c, plain, |out, src, dst, set| {
        out.write_str("| ")?;
        out.write_str(src)?;
        out.write_str(" | ")?;
        out.write_str(dst)?;
        out.write_str(" | ")?;
        out.write_str(set)?;
        out.write_str(" |\n")
    })
}

/// A Graphviz digraph of allowed pairs labelled with their connections.
pub fn connectivity_dot<W: Write + ?Sized>(out: &mut W, c: &ConnectivityMap) -> fmt::Result {
    dot_head(out, &rendered(&c.endpoints, dot_id)?)?;
    each_pair(out, c, dot_id, |out, src, dst, set| {
        out.write_str("  ")?;
        out.write_str(src)?;
        out.write_str(" -> ")?;
        out.write_str(dst)?;
        out.write_str(" [label=")?;
        out.write_str(set)?;
        out.write_str("];\n")
    })?;
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
    if side.has_tiers() {
        return tiered_side(out, side, title, pod);
    }
    if !side.cilium.is_empty() {
        let verdict = if side.allows() { "allowed" } else { "DENIED" };
        let why = match side.decided_by {
            Stage::NetworkPolicy => "decided by NetworkPolicies and Cilium policies",
            _ => "not isolated: allowed by default",
        };
        writeln!(out, "  {title} of {pod}: {verdict} ({why})")?;
        return network_policy_stage(out, side, title);
    }
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
    network_policy_rules(out, side, title, "    ")?;
    if side.allowed_by.is_empty() && side.candidates.is_empty() {
        writeln!(
            out,
            "    the isolating policies have no {title} rules: everything is denied"
        )?;
    }
    Ok(())
}

/// The NetworkPolicy rules that allow the connection, then those that do not and why,
/// each on a line starting with `indent`.
fn network_policy_rules<W: Write + ?Sized>(
    out: &mut W,
    side: &Side,
    title: &str,
    indent: &str,
) -> fmt::Result {
    for r in &side.allowed_by {
        writeln!(out, "{indent}allowed by {} {title}[{}]", r.policy, r.rule)?;
    }
    for c in &side.candidates {
        writeln!(
            out,
            "{indent}not {title}[{}] of {}: {}",
            c.rule.rule,
            c.rule.policy,
            c.miss.describe()
        )?;
    }
    Ok(())
}

/// One direction through the whole chain: Admin tier, NetworkPolicies, Baseline tier.
fn tiered_side<W: Write + ?Sized>(out: &mut W, side: &Side, title: &str, pod: &str) -> fmt::Result {
    let verdict = if side.allows() { "allowed" } else { "DENIED" };
    let why = match side.decided_by {
        Stage::Admin => "decided by the Admin tier",
        Stage::NetworkPolicy => "decided by NetworkPolicies",
        Stage::Baseline => "decided by the Baseline tier",
        Stage::Default | Stage::Outside => "no tier decided: allowed by default",
    };
    writeln!(out, "  {title} of {pod}: {verdict} ({why})")?;
    tier(out, "Admin tier", side, Stage::Admin, title)?;
    network_policy_stage(out, side, title)?;
    tier(out, "Baseline tier", side, Stage::Baseline, title)
}

/// The NetworkPolicy stage of one direction: the NetworkPolicies, then the Cilium policies
/// that share the stage (the rules that allow, the denies that win over them).
fn network_policy_stage<W: Write + ?Sized>(out: &mut W, side: &Side, title: &str) -> fmt::Result {
    let names: Vec<&str> = side.isolated_by.iter().map(|p| p.policy.as_str()).collect();
    let np_outcome = side.outcome(Stage::NetworkPolicy);
    if np_outcome == Outcome::NotReached && !side.isolated_by.is_empty() {
        writeln!(
            out,
            "    NetworkPolicies: not reached (isolated by {})",
            names.join(", ")
        )?;
    } else if np_outcome == Outcome::NotReached {
        return writeln!(out, "    NetworkPolicies and Cilium policies: not reached");
    } else if side.isolated_by.is_empty() {
        writeln!(
            out,
            "    NetworkPolicies: none selects it for {}",
            side.direction.as_str()
        )?;
    } else {
        let np = match (side.allowed_by.is_empty(), side.cilium.is_empty()) {
            (false, _) => "allowed",
            (true, true) => "DENIED",
            // The Cilium policies may still allow: the stage's answer is below.
            (true, false) => "no rule allows",
        };
        writeln!(
            out,
            "    NetworkPolicies: {np} (isolated by {})",
            names.join(", ")
        )?;
        network_policy_rules(out, side, title, "      ")?;
    }
    cilium_stage(out, side, title)
}

/// The Cilium policies of a direction, when one selects the pod.
fn cilium_stage<W: Write + ?Sized>(out: &mut W, side: &Side, title: &str) -> fmt::Result {
    let c = &side.cilium;
    if c.is_empty() {
        return Ok(());
    }
    if c.rules.is_empty() {
        writeln!(
            out,
            "    Cilium policies: none selects it for {}",
            side.direction.as_str()
        )?;
    } else if c.default_deny {
        let others: Vec<&str> = c
            .rules
            .iter()
            .filter(|r| !c.default_deny_by.contains(r))
            .map(String::as_str)
            .collect();
        let also = if others.is_empty() {
            String::new()
        } else {
            format!("; also selected by {}, which opts out", others.join(", "))
        };
        writeln!(
            out,
            "    Cilium policies: default deny for {} by {}{also}",
            side.direction.as_str(),
            c.default_deny_by.join(", ")
        )?;
    } else {
        writeln!(out, "    Cilium policies: selected by {} (every rule opts out of default deny with `enableDefaultDeny`)", c.rules.join(", "))?;
    }
    if !c.peer_identity.is_empty() {
        let end = match side.direction {
            Direction::Egress => "receiver",
            Direction::Ingress => "sender",
        };
        writeln!(
            out,
            "      to Cilium, the {end} is {}",
            c.peer_identity.join(" + ")
        )?;
    }
    for r in &c.allowed_by {
        writeln!(out, "      allowed by {r}")?;
    }
    if c.local_host {
        writeln!(out, "      allowed: the peer is the pod's own node, which Cilium always lets in (allow-localhost)")?;
    }
    let overrode = c.deny_overrode_allow(!side.allowed_by.is_empty());
    for r in &c.denied_by {
        if overrode {
            writeln!(
                out,
                "      DENIED by {r}: a deny overrides every allow, of either kind"
            )?;
        } else {
            writeln!(out, "      DENIED by {r}")?;
        }
    }
    if c.allowed_by.is_empty() && c.denied_by.is_empty() && !c.local_host && !c.rules.is_empty() {
        writeln!(out, "      no {title} entry of theirs matches")?;
    }
    for p in &c.refused_by_agent {
        writeln!(
            out,
            "      warning: the agent refuses all of {p} (one of its rules has an error): in a cluster none of its rules applies"
        )?;
    }
    Ok(())
}

/// One tier stage of a direction, as the chain's [`Side::outcome`] says it went: the
/// deciding or passing rule (or why none), the rules tried before it, and same-priority
/// rules that disagree.
fn tier<W: Write + ?Sized>(
    out: &mut W,
    label: &str,
    side: &Side,
    stage: Stage,
    field: &str,
) -> fmt::Result {
    let Some(tier) = side.tier(stage) else {
        return Ok(());
    };
    write!(out, "    {label}: ")?;
    match (side.outcome(stage), &tier.matched) {
        (Outcome::Absent, _) => writeln!(out, "no policy selects it")?,
        (Outcome::NotReached, _) => writeln!(out, "not reached")?,
        (Outcome::Decides | Outcome::Passes, Some(m)) => {
            tier_rule(out, m, field)?;
            if m.action == Action::Pass {
                out.write_str(": Pass skips the rest of the tier")?;
            }
            out.write_char('\n')?;
        }
        (Outcome::Decides | Outcome::Passes | Outcome::NoMatch, _) => {
            writeln!(out, "no rule matches")?
        }
    }
    for c in &tier.candidates {
        writeln!(
            out,
            "      not {field}[{}] of {}: {}",
            c.rule.rule,
            c.rule.policy,
            c.miss.describe()
        )?;
    }
    for a in &tier.ambiguous {
        out.write_str("      warning: ")?;
        tier_rule(out, a, field)?;
        writeln!(
            out,
            " has the same priority and matches too: the implementation may apply either"
        )?;
    }
    Ok(())
}

/// `egress[1] `deny-web` of platform (priority 10): Deny`.
fn tier_rule<W: Write + ?Sized>(out: &mut W, r: &TierRuleRef, field: &str) -> fmt::Result {
    write!(out, "{field}[{}]", r.rule)?;
    if let Some(name) = &r.name {
        write!(out, " `{name}`")?;
    }
    write!(
        out,
        " of {} (priority {}): {}",
        r.policy, r.priority, r.action
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::all_endpoints;
    use crate::ports::Protocol;
    use crate::test_support::cluster;
    use crate::{connectivity, matrix, Cidr};

    /// `x/a` may reach `x/b` on TCP 8080, 9000-9100 and UDP 53 only; `x/b` is not isolated.
    const PORTS_YAML: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: b}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: x}\nspec:\n  podSelector: {matchLabels: {app: b}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: a}}}]\n      ports: [{port: 8080}, {port: 9000, endPort: 9100}, {port: 53, protocol: UDP}]\n";

    const PROBES: [(u16, Protocol); 2] = [(8080, Protocol::Tcp), (53, Protocol::Udp)];

    /// 70 pods (more than one 64-bit word per row) in three tiers: tier 0 takes ingress
    /// only from tier 1 on TCP 8080, so the two probed ports give different tables.
    fn wide_matrix() -> Matrix {
        let mut yaml = String::new();
        for p in 0..70 {
            yaml += &format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p{p}, namespace: x, labels: {{tier: t{}}}}}\n---\n", p % 3);
        }
        yaml += "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: t0, namespace: x}\nspec:\n  podSelector: {matchLabels: {tier: t0}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {tier: t1}}}]\n      ports: [{port: 8080}]\n";
        let c = cluster(&yaml);
        let externals = [Cidr::parse("8.8.8.8", true).unwrap()];
        matrix(&c, &all_endpoints(&c, &externals), &PROBES)
    }

    fn render(f: impl FnOnce(&mut String) -> fmt::Result) -> String {
        let mut out = String::new();
        f(&mut out).unwrap();
        out
    }

    #[test]
    fn quoting() {
        let csv = |s| render(|o| csv_field(o, s));
        assert_eq!(csv("x/a"), "x/a");
        assert_eq!(csv("TCP 80,443"), "\"TCP 80,443\"");
        assert_eq!(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv("two\nlines"), "\"two\nlines\"");
        assert_eq!(render(|o| dot_id(o, "a\"b\\c")), "\"a\\\"b\\\\c\"");
        for s in [
            "plain",
            "q\"uote",
            "back\\slash",
            "tab\tnew\nline\u{1}",
            "ünï",
            "",
        ] {
            let json = render(|o| json_string(o, s));
            assert_eq!(serde_json::from_str::<String>(&json).unwrap(), s, "{json}");
        }
    }

    #[test]
    fn matrix_json_is_the_serialized_matrix_one_row_per_line() {
        let m = wide_matrix();
        let n = m.endpoints.len();
        assert_eq!(n, 71);
        let json = render(|o| matrix_json(o, &m));
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed, serde_json::to_value(&m).unwrap());
        let lines: Vec<&str> = json.lines().collect();
        assert_eq!(lines.len(), 2 + 2 * (n + 2) + 1);
        for (k, check) in m.checks.iter().enumerate() {
            let first = 2 + k * (n + 2) + 1;
            for (i, line) in lines[first..first + n].iter().enumerate() {
                let row: Vec<bool> = serde_json::from_str(line.trim_end_matches(',')).unwrap();
                assert_eq!(row, check.row(i).collect::<Vec<_>>(), "check {k} row {i}");
            }
        }
        // The two ports differ, so rows are not all alike.
        assert_ne!(m.checks[0], m.checks[1]);
        assert!(m.checks[0].allowed(1, 0) && !m.checks[1].allowed(1, 0));
    }

    #[test]
    fn matrix_table_csv_markdown_and_dot_say_the_same_cells() {
        let m = wide_matrix();
        let n = m.endpoints.len();
        let allowed = |k: usize, i: usize, j: usize| m.checks[k].allowed(i, j);

        let table = render(|o| matrix_table(o, &m));
        let blocks: Vec<&str> = table.split("\n\n").collect();
        assert_eq!(blocks.len(), 3, "two tables and the legend");
        for (k, block) in blocks[..2].iter().enumerate() {
            let lines: Vec<&str> = block.lines().collect();
            assert_eq!(lines.len(), n + 1);
            let header: Vec<&str> = lines[0].split_whitespace().collect();
            assert_eq!(header[0], ["8080/TCP", "53/UDP"][k]);
            assert_eq!(
                header[1..],
                m.endpoints.iter().map(String::as_str).collect::<Vec<_>>()[..]
            );
            for (i, line) in lines[1..].iter().enumerate() {
                let cells: Vec<&str> = line.split_whitespace().collect();
                assert_eq!(cells[0], m.endpoints[i]);
                let want: Vec<&str> = (0..n)
                    .map(|j| if allowed(k, i, j) { "." } else { "X" })
                    .collect();
                assert_eq!(cells[1..], want[..], "table {k} row {i}");
                // Every cell is padded to its column's name: the columns line up.
                assert_eq!(line.len(), lines[0].len(), "{line}");
            }
        }
        assert_eq!(
            blocks[2],
            ". allowed   X denied   (rows: from, columns: to)\n"
        );

        let csv = render(|o| matrix_csv(o, &m));
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows[0], "port,protocol,from,to,allowed");
        assert_eq!(rows.len(), 1 + 2 * n * n);
        for (r, row) in rows[1..].iter().enumerate() {
            let (k, i, j) = (r / (n * n), r / n % n, r % n);
            let (port, protocol) = PROBES[k];
            let want = format!(
                "{port},{protocol},{},{},{}",
                m.endpoints[i],
                m.endpoints[j],
                allowed(k, i, j)
            );
            assert_eq!(*row, want);
        }

        let md = render(|o| matrix_markdown(o, &m));
        let tables: Vec<&str> = md.split("**").filter(|s| s.starts_with("\n\n|")).collect();
        assert_eq!(tables.len(), 2);
        for (k, t) in tables.iter().enumerate() {
            let lines: Vec<&str> = t.trim().lines().collect();
            assert_eq!(lines[1], format!("|---|{}", "---|".repeat(n)));
            for (i, line) in lines[2..].iter().enumerate() {
                let cells: Vec<&str> = line
                    .split('|')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect();
                let want: Vec<&str> = (0..n)
                    .map(|j| match (i == j, allowed(k, i, j)) {
                        (true, _) => "-",
                        (false, true) => "allow",
                        (false, false) => "deny",
                    })
                    .collect();
                assert_eq!(cells[1..], want[..], "markdown {k} row {i}");
            }
        }

        let dot = render(|o| matrix_dot(o, &m));
        let mut edges = 0;
        for i in 0..n {
            for j in (0..n).filter(|&j| j != i) {
                let ports: Vec<&str> = [0, 1]
                    .into_iter()
                    .filter(|&k| allowed(k, i, j))
                    .map(|k| ["8080/TCP", "53/UDP"][k])
                    .collect();
                let edge = format!("  \"{}\" -> \"{}\" [label=", m.endpoints[i], m.endpoints[j]);
                if ports.is_empty() {
                    assert!(!dot.contains(&edge), "{edge}");
                } else {
                    assert!(
                        dot.contains(&format!("{edge}\"{}\"];\n", ports.join(", "))),
                        "{edge}"
                    );
                    edges += 1;
                }
            }
        }
        assert_eq!(dot.lines().filter(|l| l.contains(" -> ")).count(), edges);
        assert!(dot.starts_with("digraph netpol {\n") && dot.ends_with("}\n"));
    }

    #[test]
    fn small_matrix_exactly() {
        let c = cluster(PORTS_YAML);
        let m = matrix(&c, &all_endpoints(&c, &[]), &PROBES);
        assert_eq!(
            render(|o| matrix_table(o, &m)),
            "8080/TCP  x/a  x/b\nx/a        .    . \nx/b        .    . \n\n\
             53/UDP  x/a  x/b\nx/a      .    . \nx/b      .    . \n\n\
             . allowed   X denied   (rows: from, columns: to)\n"
        );
        let m = matrix(&c, &all_endpoints(&c, &[]), &[(80, Protocol::Tcp)]);
        assert_eq!(
            render(|o| matrix_markdown(o, &m)),
            "**80/TCP**\n\n| from \\ to | x/a | x/b |\n|---|---|---|\n| x/a | - | deny |\n| x/b | allow | - |\n\n"
        );
        assert_eq!(
            render(|o| matrix_json(o, &m)),
            "{\"endpoints\":[\"x/a\",\"x/b\"],\n\"checks\":[\n{\"port\":80,\"protocol\":\"TCP\",\"allowed\":[\n[true,false],\n[true,true]\n]}\n]}\n"
        );
    }

    #[test]
    fn connectivity_in_every_format() {
        let c = cluster(PORTS_YAML);
        let map = connectivity(&c, &all_endpoints(&c, &[]));
        assert_eq!(
            render(|o| connectivity_text(o, &map)),
            "x/a => x/b : TCP 8080,9000-9100; UDP 53\nx/b => x/a : All connections\n"
        );
        assert_eq!(
            render(|o| connectivity_csv(o, &map)),
            "src,dst,connections\nx/a,x/b,\"TCP 8080,9000-9100; UDP 53\"\nx/b,x/a,All connections\n"
        );
        assert_eq!(
            render(|o| connectivity_markdown(o, &map)),
            "| src | dst | connections |\n|---|---|---|\n| x/a | x/b | TCP 8080,9000-9100; UDP 53 |\n| x/b | x/a | All connections |\n"
        );
        assert_eq!(
            render(|o| connectivity_dot(o, &map)),
            "digraph netpol {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n  \"x/a\";\n  \"x/b\";\n  \"x/a\" -> \"x/b\" [label=\"TCP 8080,9000-9100; UDP 53\"];\n  \"x/b\" -> \"x/a\" [label=\"All connections\"];\n}\n"
        );
        let json = render(|o| connectivity_json(o, &map));
        assert_eq!(
            json,
            "{\"endpoints\":[\"x/a\",\"x/b\"],\n\"connections\":[\n{\"src\":\"x/a\",\"dst\":\"x/b\",\"conn\":\"TCP 8080,9000-9100; UDP 53\"},\n{\"src\":\"x/b\",\"dst\":\"x/a\",\"conn\":\"All connections\"}\n]}\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed, serde_json::to_value(&map).unwrap());
    }

    #[test]
    fn a_connection_set_seen_before_is_written_the_same() {
        // x/b takes TCP 80 from both others; the pairs alternate between that set and all.
        let c = cluster("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: b}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: c, namespace: x, labels: {app: c}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: x}\nspec:\n  podSelector: {matchLabels: {app: b}}\n  ingress: [{ports: [{port: 80}]}]\n");
        let map = connectivity(&c, &all_endpoints(&c, &[]));
        assert_eq!(
            render(|o| connectivity_text(o, &map)),
            "x/a => x/b : TCP 80\nx/a => x/c : All connections\nx/b => x/a : All connections\n\
             x/b => x/c : All connections\nx/c => x/a : All connections\nx/c => x/b : TCP 80\n"
        );
    }

    #[test]
    fn nothing_allowed_is_still_valid_output() {
        let c = cluster("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n");
        let map = connectivity(&c, &all_endpoints(&c, &[]));
        let json = render(|o| connectivity_json(o, &map));
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed, serde_json::to_value(&map).unwrap());
        assert_eq!(render(|o| connectivity_text(o, &map)), "");
        let empty = matrix(&c, &[], &PROBES);
        let json = render(|o| matrix_json(o, &empty));
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed, serde_json::to_value(&empty).unwrap());
    }

    /// Stops accepting text after `limit` bytes, like a full disk or a closed pipe.
    struct Full {
        limit: usize,
        written: usize,
    }

    impl Write for Full {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.written += s.len();
            if self.written > self.limit {
                return Err(fmt::Error);
            }
            Ok(())
        }
    }

    #[test]
    fn a_failing_writer_stops_the_rendering() {
        let m = wide_matrix();
        let whole = render(|o| matrix_json(o, &m)).len();
        let mut out = Full {
            limit: 1000,
            written: 0,
        };
        assert!(matrix_json(&mut out, &m).is_err());
        // It gave up at the first refusal instead of rendering the rest.
        assert!(out.written < 1000 + whole / 10, "{}", out.written);
    }
}
