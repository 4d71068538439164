//! Text renderings of query results (truth tables, connectivity lists, explanations), shared
//! by the CLI and the web app so both say the same thing the same way.

use std::fmt::Write as _;

use crate::cnp::{Action, TierEvidence, TierRuleRef};
use crate::connectivity::ConnectivityMap;
use crate::eval::{Explanation, Side, Stage};
use crate::matrix::Matrix;
use crate::model::Direction;

fn quote_csv(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn dot_id(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The upstream e2e notation: one table per port, `.` allowed, `X` denied, aligned.
pub fn matrix_table(m: &Matrix) -> String {
    let mut out = String::new();
    for (k, check) in m.checks.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let corner = format!("{}/{}", check.port, check.protocol);
        let width = m
            .endpoints
            .iter()
            .map(|e| e.chars().count())
            .chain(std::iter::once(corner.chars().count()))
            .max()
            .unwrap_or(1);
        let _ = write!(out, "{corner:<width$}");
        for e in &m.endpoints {
            let _ = write!(out, "  {e}");
        }
        out.push('\n');
        for (i, from) in m.endpoints.iter().enumerate() {
            let _ = write!(out, "{from:<width$}");
            for (j, to) in m.endpoints.iter().enumerate() {
                let cell = if check.allowed(i, j) { "." } else { "X" };
                let w = to.chars().count();
                let _ = write!(out, "  {cell:^w$}");
            }
            out.push('\n');
        }
    }
    out.push_str("\n. allowed   X denied   (rows: from, columns: to)\n");
    out
}

/// `port,protocol,from,to,allowed` rows.
pub fn matrix_csv(m: &Matrix) -> String {
    let mut out = String::from("port,protocol,from,to,allowed\n");
    for check in &m.checks {
        for (i, from) in m.endpoints.iter().enumerate() {
            for (j, to) in m.endpoints.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{}",
                    check.port,
                    check.protocol,
                    quote_csv(from),
                    quote_csv(to),
                    check.allowed(i, j)
                );
            }
        }
    }
    out
}

/// One Markdown table per port.
pub fn matrix_markdown(m: &Matrix) -> String {
    let mut out = String::new();
    for check in &m.checks {
        let _ = writeln!(out, "**{}/{}**\n", check.port, check.protocol);
        let _ = write!(out, "| from \\ to |");
        for e in &m.endpoints {
            let _ = write!(out, " {e} |");
        }
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(m.endpoints.len()));
        out.push('\n');
        for (i, from) in m.endpoints.iter().enumerate() {
            let _ = write!(out, "| {from} |");
            for j in 0..m.endpoints.len() {
                out.push_str(if i == j {
                    " - |"
                } else if check.allowed(i, j) {
                    " allow |"
                } else {
                    " deny |"
                });
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// A Graphviz digraph: one edge per allowed pair (loopback left out), labelled with the
/// ports it is allowed on.
pub fn matrix_dot(m: &Matrix) -> String {
    let mut out =
        String::from("digraph netpol {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
    for e in &m.endpoints {
        let _ = writeln!(out, "  {};", dot_id(e));
    }
    for (i, from) in m.endpoints.iter().enumerate() {
        for (j, to) in m.endpoints.iter().enumerate() {
            if i == j {
                continue;
            }
            let ports: Vec<String> = m
                .checks
                .iter()
                .filter(|c| c.allowed(i, j))
                .map(|c| format!("{}/{}", c.port, c.protocol))
                .collect();
            if !ports.is_empty() {
                let _ = writeln!(
                    out,
                    "  {} -> {} [label={}];",
                    dot_id(from),
                    dot_id(to),
                    dot_id(&ports.join(", "))
                );
            }
        }
    }
    out.push_str("}\n");
    out
}

/// `src => dst : connections`, one line per pair with anything allowed (netpol-analyzer's
/// `list` format).
pub fn connectivity_text(c: &ConnectivityMap) -> String {
    let mut out = String::new();
    for (i, j, conns) in c.allowed_pairs() {
        let (Some(src), Some(dst)) = (c.endpoints.get(i), c.endpoints.get(j)) else {
            continue;
        };
        let _ = writeln!(out, "{src} => {dst} : {conns}");
    }
    out
}

/// `src,dst,connections` rows.
pub fn connectivity_csv(c: &ConnectivityMap) -> String {
    let mut out = String::from("src,dst,connections\n");
    for (i, j, conns) in c.allowed_pairs() {
        let (Some(src), Some(dst)) = (c.endpoints.get(i), c.endpoints.get(j)) else {
            continue;
        };
        let _ = writeln!(
            out,
            "{},{},{}",
            quote_csv(src),
            quote_csv(dst),
            quote_csv(&conns.to_string())
        );
    }
    out
}

/// A Markdown table of allowed pairs.
pub fn connectivity_markdown(c: &ConnectivityMap) -> String {
    let mut out = String::from("| src | dst | connections |\n|---|---|---|\n");
    for (i, j, conns) in c.allowed_pairs() {
        let (Some(src), Some(dst)) = (c.endpoints.get(i), c.endpoints.get(j)) else {
            continue;
        };
        let _ = writeln!(out, "| {src} | {dst} | {conns} |");
    }
    out
}

/// A Graphviz digraph of allowed pairs labelled with their connections.
pub fn connectivity_dot(c: &ConnectivityMap) -> String {
    let mut out =
        String::from("digraph netpol {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
    for e in &c.endpoints {
        let _ = writeln!(out, "  {};", dot_id(e));
    }
    for (i, j, conns) in c.allowed_pairs() {
        let (Some(src), Some(dst)) = (c.endpoints.get(i), c.endpoints.get(j)) else {
            continue;
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            dot_id(src),
            dot_id(dst),
            dot_id(&conns.to_string())
        );
    }
    out.push_str("}\n");
    out
}

fn side_text(out: &mut String, side: &Side) {
    let (title, role) = match side.direction {
        Direction::Egress => ("egress", "sender"),
        Direction::Ingress => ("ingress", "receiver"),
    };
    let Some(pod) = &side.pod else {
        let _ = writeln!(
            out,
            "  {title}: the {role} is outside the cluster: no policy applies"
        );
        return;
    };
    if side.has_tiers() {
        tiered_side_text(out, side, title, pod);
        return;
    }
    if side.isolated_by.is_empty() {
        let _ = writeln!(
            out,
            "  {title} of {pod}: allowed (no NetworkPolicy selects it for {}, so it is not isolated)",
            side.direction.as_str()
        );
        return;
    }
    let verdict = if side.allows() { "allowed" } else { "DENIED" };
    let names: Vec<&str> = side.isolated_by.iter().map(|p| p.policy.as_str()).collect();
    let _ = writeln!(
        out,
        "  {title} of {pod}: {verdict} (isolated by {})",
        names.join(", ")
    );
    let field = match side.direction {
        Direction::Egress => "egress",
        Direction::Ingress => "ingress",
    };
    for r in &side.allowed_by {
        let _ = writeln!(out, "    allowed by {} {field}[{}]", r.policy, r.rule);
    }
    for c in &side.candidates {
        let _ = writeln!(
            out,
            "    not {}[{}] of {}: {}",
            field,
            c.rule.rule,
            c.rule.policy,
            c.miss.describe()
        );
    }
    if side.allowed_by.is_empty() && side.candidates.is_empty() {
        let _ = writeln!(
            out,
            "    the isolating policies have no {field} rules: everything is denied"
        );
    }
}

/// One direction through the whole chain: Admin tier, NetworkPolicies, Baseline tier.
fn tiered_side_text(out: &mut String, side: &Side, title: &str, pod: &str) {
    let verdict = if side.allows() { "allowed" } else { "DENIED" };
    let why = match side.decided_by {
        Stage::Admin => "decided by the Admin tier".to_string(),
        Stage::NetworkPolicy => "decided by NetworkPolicies".to_string(),
        Stage::Baseline => "decided by the Baseline tier".to_string(),
        Stage::Default | Stage::Outside => "no tier decided: allowed by default".to_string(),
    };
    let _ = writeln!(out, "  {title} of {pod}: {verdict} ({why})");
    tier_text(out, "Admin tier", &side.admin, title);
    let names: Vec<&str> = side.isolated_by.iter().map(|p| p.policy.as_str()).collect();
    if side.isolated_by.is_empty() {
        let _ = writeln!(
            out,
            "    NetworkPolicies: none selects it for {}",
            side.direction.as_str()
        );
    } else if side.decided_by == Stage::Admin {
        let _ = writeln!(
            out,
            "    NetworkPolicies: not reached (isolated by {})",
            names.join(", ")
        );
    } else {
        let np = if side.allowed_by.is_empty() {
            "DENIED"
        } else {
            "allowed"
        };
        let _ = writeln!(
            out,
            "    NetworkPolicies: {np} (isolated by {})",
            names.join(", ")
        );
        for r in &side.allowed_by {
            let _ = writeln!(out, "      allowed by {} {title}[{}]", r.policy, r.rule);
        }
        for c in &side.candidates {
            let _ = writeln!(
                out,
                "      not {title}[{}] of {}: {}",
                c.rule.rule,
                c.rule.policy,
                c.miss.describe()
            );
        }
    }
    tier_text(out, "Baseline tier", &side.baseline, title);
}

fn tier_text(out: &mut String, label: &str, tier: &TierEvidence, field: &str) {
    let summary = match (&tier.matched, tier.reached) {
        _ if tier.policies.is_empty() => "no policy selects it".to_string(),
        (_, false) => "not reached".to_string(),
        (Some(m), true) => {
            let then = if m.action == Action::Pass {
                ": Pass skips the rest of the tier"
            } else {
                ""
            };
            format!("{}{then}", tier_rule(m, field))
        }
        (None, true) => "no rule matches".to_string(),
    };
    let _ = writeln!(out, "    {label}: {summary}");
    for c in &tier.candidates {
        let _ = writeln!(
            out,
            "      not {field}[{}] of {}: {}",
            c.rule.rule,
            c.rule.policy,
            c.miss.describe()
        );
    }
    for a in &tier.ambiguous {
        let _ = writeln!(
            out,
            "      warning: {} has the same priority and matches too: the implementation may apply either",
            tier_rule(a, field)
        );
    }
}

/// `egress[1] "deny-web" of platform (priority 10): Deny`.
fn tier_rule(r: &TierRuleRef, field: &str) -> String {
    let name = r
        .name
        .as_ref()
        .map(|n| format!(" `{n}`"))
        .unwrap_or_default();
    format!(
        "{field}[{}]{name} of {} (priority {}): {}",
        r.rule, r.policy, r.priority, r.action
    )
}

/// The explanation as indented text.
pub fn explanation_text(e: &Explanation) -> String {
    let mut out = String::new();
    let verdict = if e.allowed { "ALLOWED" } else { "DENIED" };
    let _ = writeln!(
        out,
        "{} -> {} on {}/{}: {verdict}",
        e.from, e.to, e.port, e.protocol
    );
    if e.loopback {
        let _ = writeln!(out, "  a pod may always talk to itself");
        return out;
    }
    side_text(&mut out, &e.egress);
    side_text(&mut out, &e.ingress);
    out
}
