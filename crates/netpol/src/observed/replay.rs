//! Replaying observed connections against a cluster's policies, and turning them into
//! arrows for the generator.

use super::{Connection, Observed};
use crate::chain::{explain_indexed, Explanation, Side, Stage};
use crate::cnp::TierRuleRef;
use crate::endpoint::Endpoint;
use crate::eval::PoliciesByNamespace;
use crate::generate::Intent;
use crate::model::{Cluster, Direction, PolicyPort, PortRef};
use crate::traffic::Traffic;

/// One observed connection and what the policies say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replayed<'o> {
    /// The connection as observed.
    pub connection: &'o Connection,
    /// Sender id (`ns/name`, `ip:ADDR`).
    pub from: String,
    /// Receiver id.
    pub to: String,
    /// The verdict of the cluster's policies.
    pub allowed: bool,
    /// Why: the deciding policies and rules of each side, as `explain` names them.
    pub causes: Vec<String>,
}

impl Replayed<'_> {
    /// True when Hubble recorded a verdict and ours differs: it forwarded what we deny, or
    /// dropped (or would have, in audit mode) what we allow.
    pub fn disagrees(&self) -> bool {
        match self.connection.observed() {
            Some("FORWARDED") => !self.allowed,
            Some("DROPPED" | "AUDIT") => self.allowed,
            _ => false,
        }
    }
}

/// Every connection of `observed`, replayed against `cluster` (usually `observed.cluster`,
/// or it with more policies), in the order of `observed.connections`.
pub fn replay<'o>(cluster: &Cluster, observed: &'o Observed) -> Vec<Replayed<'o>> {
    replay_connections(cluster, &observed.connections)
}

/// [`replay`] for some of the connections, in their order: each connection is replayed on
/// its own, so a caller with threads can replay parts of a large log side by side.
pub fn replay_connections<'o>(
    cluster: &Cluster,
    connections: &'o [Connection],
) -> Vec<Replayed<'o>> {
    let index = PoliciesByNamespace::new(cluster);
    connections
        .iter()
        .map(|c| {
            let mut e = explain_indexed(
                cluster,
                &index,
                &Traffic {
                    from: c.from.clone(),
                    to: c.to.clone(),
                    port: c.port,
                    protocol: c.protocol,
                },
            );
            if c.between_replicas && e.loopback {
                // Two pods of one workload: their traffic crosses the network, and both
                // sides' policies decide it (the sides are worked out either way).
                e.loopback = false;
                e.allowed = e.egress.allows() && e.ingress.allows();
            }
            let mut causes = causes(&e);
            if c.between_replicas {
                causes.insert(
                    0,
                    format!("between two pods of {} (its replicas): the policies decide, as for any two pods", e.from),
                );
            }
            Replayed {
                connection: c,
                causes,
                allowed: e.allowed,
                from: e.from,
                to: e.to,
            }
        })
        .collect()
}

/// Rules that did not match, listed per denied side: the first few say why, and a log of a
/// million lines would otherwise carry every rule of every isolating policy for each of its
/// connections.
const MAX_MISSES: usize = 3;

/// The deciding facts of an explanation, one line each: per side, the stage that decided
/// and the rules that allowed it, or the policies that isolate it and why each of their
/// rules did not match.
pub fn causes(e: &Explanation) -> Vec<String> {
    if e.loopback {
        return vec!["a pod may always talk to itself".to_string()];
    }
    let mut out = Vec::new();
    for side in [&e.egress, &e.ingress] {
        side_causes(side, &mut out);
    }
    out
}

fn side_causes(side: &Side, out: &mut Vec<String>) {
    let Some(pod) = &side.pod else {
        return;
    };
    let title = match side.direction {
        Direction::Egress => "egress",
        Direction::Ingress => "ingress",
    };
    let what = format!("{title} of {pod}");
    match side.decided_by {
        Stage::Admin => out.extend(
            side.admin
                .matched
                .as_ref()
                .map(|m| format!("{what}: Admin tier {}", tier_rule(m, title))),
        ),
        Stage::Baseline => out.extend(
            side.baseline
                .matched
                .as_ref()
                .map(|m| format!("{what}: Baseline tier {}", tier_rule(m, title))),
        ),
        Stage::Outside => {}
        Stage::Default | Stage::NetworkPolicy if side.isolated_by.is_empty() => out.push(format!(
            "{what}: allowed, no NetworkPolicy selects it for {}",
            side.direction.as_str()
        )),
        Stage::Default | Stage::NetworkPolicy => {
            if side.allowed_by.is_empty() {
                let names: Vec<&str> = side.isolated_by.iter().map(|p| p.policy.as_str()).collect();
                out.push(format!(
                    "{what}: denied, isolated by {} and no {title} rule allows it",
                    names.join(", ")
                ));
                out.extend(side.candidates.iter().take(MAX_MISSES).map(|c| {
                    format!(
                        "not {title}[{}] of {}: {}",
                        c.rule.rule,
                        c.rule.policy,
                        c.miss.describe()
                    )
                }));
                let more = side.candidates.len().saturating_sub(MAX_MISSES);
                if more > 0 {
                    out.push(format!(
                        "and {more} more {title} rule{} that do not match (`netpol explain` lists them all)",
                        if more == 1 { "" } else { "s" }
                    ));
                }
            } else {
                let rules: Vec<String> = side
                    .allowed_by
                    .iter()
                    .map(|r| format!("{} {title}[{}]", r.policy, r.rule))
                    .collect();
                out.push(format!("{what}: allowed by {}", rules.join(", ")));
            }
        }
    }
}

/// `egress[1] `deny-web` of platform (priority 10): Deny`.
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

/// The observed connections as arrows, each with a note for the generated policy's comment
/// (`shop/web -> shop/api 8080/TCP: seen 12 times, 2024-... to 2024-...`). Left out:
/// connections between two addresses outside the cluster (no NetworkPolicy controls
/// them) and connections Hubble only ever saw DROPPED (they did not work; opening them is
/// a decision, not an observation).
pub fn intents(observed: &Observed) -> Vec<(Intent, String)> {
    let cluster = &observed.cluster;
    observed
        .connections
        .iter()
        .filter(|c| {
            !matches!(
                (&c.from, &c.to),
                (Endpoint::External(_), Endpoint::External(_))
            ) && c.observed() != Some("DROPPED")
        })
        .map(|c| {
            let from = c.from.id(cluster);
            let to = c.to.id(cluster);
            let times = if c.count == 1 {
                "once".to_string()
            } else {
                format!("{} times", c.count)
            };
            let when = match (&c.first_seen, &c.last_seen) {
                (Some(a), Some(b)) if a == b => format!(", at {a}"),
                (Some(a), Some(b)) => format!(", {a} to {b}"),
                _ => String::new(),
            };
            let note = format!(
                "{from} -> {to} {}/{}: seen {times}{when}",
                c.port, c.protocol
            );
            let intent = Intent {
                from,
                to,
                ports: vec![PolicyPort {
                    protocol: c.protocol,
                    port: Some(PortRef::Number(c.port)),
                    end_port: None,
                }],
            };
            (intent, note)
        })
        .collect()
}
