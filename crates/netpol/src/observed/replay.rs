//! Replaying observed connections against a cluster's policies, and turning them into
//! arrows for the generator.

use std::collections::HashMap;

use super::{Connection, Observed};
use crate::chain::{explain_indexed, Explanation, Side, Stage};
use crate::classes::Classes;
use crate::cnp::TierRuleRef;
use crate::endpoint::Endpoint;
use crate::eval::PoliciesByNamespace;
use crate::generate::Intent;
use crate::model::{Cluster, Direction, PolicyPort, PortRef};
use crate::ports::Protocol;
use crate::traffic::{PeerMiss, RuleMiss, Traffic};

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

/// [`replay`] for some of the connections, in their order.
pub fn replay_connections<'o>(
    cluster: &Cluster,
    connections: &'o [Connection],
) -> Vec<Replayed<'o>> {
    Replayer::new(cluster, connections).replay(connections)
}

/// Replays connections per class of endpoints ([`crate::classes`]): a log's connections
/// are many pairs of pods but few pairs of classes, and two connections between the same
/// classes on the same port get the same explanation but for the pods' ids and what a
/// missed ipBlock says of the address. One is worked out per (class, class, port,
/// protocol) and rewritten for each connection ([`Replayer::retarget`]); where a tier's
/// `networks` or `nodes` miss or Cilium evidence is involved, each connection is explained
/// on its own. The result is [`replay_per_connection`]'s, property-tested in
/// `tests/expect_classes.rs`.
///
/// Built once for a log; [`Replayer::replay`] can then run on parts of it side by side.
pub struct Replayer<'c> {
    cluster: &'c Cluster,
    index: PoliciesByNamespace,
    classes: Classes,
    /// Positions of the endpoints outside the pods (addresses) in the classed list.
    others: HashMap<Endpoint, usize>,
}

/// What one explanation is shared by: the two ends' classes, the port, the protocol, and
/// whether both ends are one endpoint (a loopback, or traffic between replicas).
type Shared = (usize, usize, u16, Protocol, bool);

impl<'c> Replayer<'c> {
    /// Classes the pods of `cluster` and the other ends of `connections`.
    pub fn new(cluster: &'c Cluster, connections: &[Connection]) -> Replayer<'c> {
        let mut endpoints: Vec<Endpoint> = (0..cluster.pods.len()).map(Endpoint::Pod).collect();
        let mut others = HashMap::new();
        for c in connections {
            for e in [&c.from, &c.to] {
                if matches!(e, Endpoint::Pod(i) if *i < cluster.pods.len()) {
                    continue;
                }
                if !others.contains_key(e) {
                    others.insert(e.clone(), endpoints.len());
                    endpoints.push(e.clone());
                }
            }
        }
        Replayer {
            cluster,
            index: PoliciesByNamespace::new(cluster),
            classes: Classes::of_endpoints(cluster, &endpoints),
            others,
        }
    }

    fn class(&self, e: &Endpoint) -> Option<usize> {
        let pos = match e {
            Endpoint::Pod(i) if *i < self.cluster.pods.len() => *i,
            e => *self.others.get(e)?,
        };
        self.classes.class_of(pos)
    }

    /// `connections` (all or part of those given to [`Replayer::new`]), in their order.
    pub fn replay<'o>(&self, connections: &'o [Connection]) -> Vec<Replayed<'o>> {
        // `None`: the explanation holds what cannot be rewritten, so it is not shared.
        let mut shared: HashMap<Shared, Option<Template>> = HashMap::new();
        connections
            .iter()
            .map(|c| {
                // Two classes of one endpoint each share nothing (the log's connections are
                // distinct): they are explained without being kept.
                let key = self
                    .class(&c.from)
                    .zip(self.class(&c.to))
                    .filter(|&(f, t)| {
                        self.classes.members(f).len() > 1 || self.classes.members(t).len() > 1
                    })
                    .map(|(f, t)| (f, t, c.port, c.protocol, c.from == c.to));
                if let Some(Some(template)) = key.and_then(|k| shared.get(&k)) {
                    if let Some(e) = self.retarget(&template.explanation, c) {
                        let [egress, ingress] = &template.isolated_by;
                        let kept = [
                            Kept {
                                misses: template.misses.0,
                                isolated_by: egress.as_deref(),
                            },
                            Kept {
                                misses: template.misses.1,
                                isolated_by: ingress.as_deref(),
                            },
                        ];
                        return replayed(c, e, kept);
                    }
                }
                let e = self.explain(c);
                if let Some(k) = key.filter(|k| !shared.contains_key(k)) {
                    shared.insert(k, Template::of(&e));
                }
                let kept = [Kept::of(&e.egress), Kept::of(&e.ingress)];
                replayed(c, e, kept)
            })
            .collect()
    }

    fn explain(&self, c: &Connection) -> Explanation {
        explain_indexed(self.cluster, &self.index, &traffic(c))
    }

    /// `e`, explained for another connection between the same classes, as it reads for
    /// `c`: the ends' ids, the pods the sides are checked on, and the ipBlock misses, whose
    /// reasons name the other end's address (or the pod without one) and are asked again
    /// of that peer. `None` when a miss cannot be asked again (it then matched, which the
    /// classes rule out): `c` is explained on its own.
    fn retarget(&self, e: &Explanation, c: &Connection) -> Option<Explanation> {
        let mut e = e.clone();
        e.from = c.from.id(self.cluster);
        e.to = c.to.id(self.cluster);
        for (side, subject, other) in [
            (&mut e.egress, &c.from, &c.to),
            (&mut e.ingress, &c.to, &c.from),
        ] {
            if side.pod.is_some() {
                side.pod = match subject {
                    Endpoint::Pod(i) => self.cluster.pods.get(*i).map(|p| p.id()),
                    Endpoint::External(_) => None,
                };
            }
            let direction = side.direction;
            for candidate in &mut side.candidates {
                let RuleMiss::Peers { peers } = &mut candidate.miss else {
                    continue;
                };
                for miss in peers.iter_mut() {
                    let PeerMiss::IpBlock { peer, .. } = miss else {
                        continue;
                    };
                    let policy = self.cluster.policies.get(candidate.rule.policy_index)?;
                    let written = policy
                        .rules(direction)
                        .get(candidate.rule.rule)?
                        .peers
                        .get(*peer)?;
                    let again =
                        crate::eval::peer_matches(self.cluster, &policy.namespace, written, other);
                    *miss = again.err()?.with_peer(*peer);
                }
            }
        }
        Some(e)
    }
}

/// An explanation kept for the connections between two classes, with only what a
/// replayed connection reads of it ([`causes_of`]): the first [`MAX_MISSES`] candidates of
/// each side (how many there were in `misses`), the names of the isolating policies joined
/// (they are said only of a denied side), and no tier candidates. A namespace's
/// hundreds of policies would otherwise be kept in full for every pair of classes.
struct Template {
    explanation: Explanation,
    /// Per side (egress, ingress): how many candidates it had.
    misses: (usize, usize),
    /// Per side: its isolating policies' names, joined, when it is denied.
    isolated_by: [Option<String>; 2],
}

impl Template {
    /// `None` when `e` cannot be shared ([`shareable`]).
    fn of(e: &Explanation) -> Option<Template> {
        if !shareable(e) {
            return None;
        }
        let misses = (e.egress.candidates.len(), e.ingress.candidates.len());
        let names = |side: &Side| side.allowed_by.is_empty().then(|| isolated_by(side));
        let isolated_by = [names(&e.egress), names(&e.ingress)];
        let mut explanation = e.clone();
        for side in [&mut explanation.egress, &mut explanation.ingress] {
            side.candidates.truncate(MAX_MISSES);
            // Whether any policy isolates the side is read; their names only joined.
            side.isolated_by.truncate(1);
            side.admin.candidates.clear();
            side.baseline.candidates.clear();
            // A truncated vector keeps its allocation: give it back.
            side.candidates.shrink_to_fit();
            side.isolated_by.shrink_to_fit();
            side.admin.candidates.shrink_to_fit();
            side.baseline.candidates.shrink_to_fit();
        }
        Some(Template {
            explanation,
            misses,
            isolated_by,
        })
    }
}

/// False when the explanation holds what [`Replayer::retarget`] does not rewrite: a tier
/// rule's miss that names an address (`networks`, `nodes`, ipBlock), or Cilium evidence
/// (whose classes are single endpoints anyway).
fn shareable(e: &Explanation) -> bool {
    let names_an_address = |miss: &RuleMiss| match miss {
        RuleMiss::Peers { peers } => peers.iter().any(|p| {
            matches!(
                p,
                PeerMiss::IpBlock { .. } | PeerMiss::Network { .. } | PeerMiss::Node { .. }
            )
        }),
        RuleMiss::Ports { .. } => false,
    };
    [&e.egress, &e.ingress].iter().all(|side| {
        side.cilium.is_empty()
            && [&side.admin, &side.baseline]
                .iter()
                .all(|tier| !tier.candidates.iter().any(|c| names_an_address(&c.miss)))
            && side.candidates.iter().all(|c| match &c.miss {
                RuleMiss::Peers { peers } => !peers
                    .iter()
                    .any(|p| matches!(p, PeerMiss::Network { .. } | PeerMiss::Node { .. })),
                RuleMiss::Ports { .. } => true,
            })
    })
}

/// [`replay_connections`] explaining every connection on its own: the reference the
/// classes are held to.
pub fn replay_per_connection<'o>(
    cluster: &Cluster,
    connections: &'o [Connection],
) -> Vec<Replayed<'o>> {
    let index = PoliciesByNamespace::new(cluster);
    connections
        .iter()
        .map(|c| {
            let e = explain_indexed(cluster, &index, &traffic(c));
            let kept = [Kept::of(&e.egress), Kept::of(&e.ingress)];
            replayed(c, e, kept)
        })
        .collect()
}

fn traffic(c: &Connection) -> Traffic {
    Traffic {
        from: c.from.clone(),
        to: c.to.clone(),
        port: c.port,
        protocol: c.protocol,
    }
}

/// The replayed connection from its explanation; `kept` as for [`causes_of`].
fn replayed<'o>(c: &'o Connection, mut e: Explanation, kept: [Kept<'_>; 2]) -> Replayed<'o> {
    if c.between_replicas && e.loopback {
        // Two pods of one workload: their traffic crosses the network, and both
        // sides' policies decide it (the sides are worked out either way).
        e.loopback = false;
        e.allowed = e.egress.allows() && e.ingress.allows();
    }
    let mut causes = causes_of(&e, kept);
    if c.between_replicas {
        causes.insert(
            0,
            format!(
                "between two pods of {} (its replicas): the policies decide, as for any two pods",
                e.from
            ),
        );
    }
    Replayed {
        connection: c,
        causes,
        allowed: e.allowed,
        from: e.from,
        to: e.to,
    }
}

/// Rules that did not match, listed per denied side: the first few say why, and a log of a
/// million lines would otherwise carry every rule of every isolating policy for each of its
/// connections.
const MAX_MISSES: usize = 3;

/// The deciding facts of an explanation, one line each: per side, the stage that decided
/// and the rules that allowed it, or the policies that isolate it and why each of their
/// rules did not match.
pub fn causes(e: &Explanation) -> Vec<String> {
    causes_of(e, [Kept::of(&e.egress), Kept::of(&e.ingress)])
}

impl Kept<'_> {
    /// A side kept whole.
    fn of(side: &Side) -> Kept<'static> {
        Kept {
            misses: side.candidates.len(),
            isolated_by: None,
        }
    }
}

/// [`causes`] of an explanation whose sides may be kept in part ([`Template`]): `kept`
/// says what each side (egress, ingress) stood for.
fn causes_of(e: &Explanation, kept: [Kept<'_>; 2]) -> Vec<String> {
    if e.loopback {
        return vec!["a pod may always talk to itself".to_string()];
    }
    let mut out = Vec::new();
    for (side, kept) in [&e.egress, &e.ingress].into_iter().zip(kept) {
        side_causes(side, kept, &mut out);
    }
    out
}

/// The policies that isolate a side, as its denied cause names them.
fn isolated_by(side: &Side) -> String {
    let names: Vec<&str> = side.isolated_by.iter().map(|p| p.policy.as_str()).collect();
    names.join(", ")
}

/// What a side kept in a [`Template`] stands for: how many candidates it had, and the
/// names of its isolating policies when only those are kept.
#[derive(Clone, Copy, Default)]
struct Kept<'t> {
    misses: usize,
    isolated_by: Option<&'t str>,
}

fn side_causes(side: &Side, kept: Kept<'_>, out: &mut Vec<String>) {
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
                let names = kept
                    .isolated_by
                    .map_or_else(|| isolated_by(side), |names| names.to_string());
                out.push(format!(
                    "{what}: denied, isolated by {names} and no {title} rule allows it"
                ));
                out.extend(side.candidates.iter().take(MAX_MISSES).map(|c| {
                    format!(
                        "not {title}[{}] of {}: {}",
                        c.rule.rule,
                        c.rule.policy,
                        c.miss.describe()
                    )
                }));
                let more = kept.misses.saturating_sub(MAX_MISSES);
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
