//! The Flows tab's model: the flow log the user pasted, opened or dropped (kept in the
//! state as text, like the manifests), read by the engine (`netpol::observed::read`)
//! against the workspace's effective cluster and replayed against it
//! (`netpol::observed::replay`). Nothing here judges a connection: every verdict, cause and
//! arrow comes from the engine.
//!
//! Reading a large log is the expensive part, so it is read again only when the log or
//! the endpoints it is matched to (pods, their labels and addresses, namespaces) changed;
//! an edit to a policy only replays the connections already read.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use netpol::endpoint::Endpoint;
use netpol::generate::Intent;
use netpol::model::{Cluster, Namespace};
use netpol::observed::{self, Observed};
use netpol::workspace::{DrawnNamespace, DrawnPod, Evaluation, Workspace};

/// The source name located diagnostics carry.
pub const SOURCE: &str = "flows";

/// One connection as the current manifests judge it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Sender and receiver ids (`ns/name`, `ip:ADDR`).
    pub from: String,
    pub to: String,
    /// The verdict of the workspace's policies.
    pub allowed: bool,
    /// The engine's deciding facts, one line each.
    pub causes: Vec<String>,
    /// Hubble recorded a verdict and ours differs.
    pub disagrees: bool,
    /// While comparing: allowed on the compared (kept) side, denied now. The dry run:
    /// the change would start dropping it.
    pub starts_dropping: bool,
}

/// A flow log, read and replayed.
#[derive(Clone, Debug)]
pub struct Replay {
    /// What the engine read: its cluster is the effective one plus the endpoints seen only
    /// in flows.
    pub observed: Observed,
    /// One row per `observed.connections`, in that order.
    pub rows: Vec<Row>,
    /// What the log was matched against ([`fingerprint`]).
    matched: u64,
}

impl Replay {
    /// Reads `text` against `eval`'s effective cluster and replays it; `previous` (the last
    /// replay of the same text) is reused when the endpoints did not change. `None` when
    /// the log is blank.
    pub fn of(text: &str, eval: &Evaluation, previous: Option<&Replay>) -> Option<Replay> {
        if text.trim().is_empty() {
            return None;
        }
        let effective = &eval.effective;
        let matched = fingerprint(effective);
        let observed = match previous {
            Some(p) if p.matched == matched => {
                // Same endpoints: the same connections; take the new policies (without
                // copying the old ones first).
                let old = &p.observed;
                Observed {
                    cluster: Cluster {
                        namespaces: old.cluster.namespaces.clone(),
                        pods: old.cluster.pods.clone(),
                        policies: effective.policies.clone(),
                        cluster_policies: effective.cluster_policies.clone(),
                        nodes: effective.nodes.clone(),
                        cilium: effective.cilium.clone(),
                        kustomize_common_labels: effective.kustomize_common_labels,
                        kustomization: effective.kustomization,
                    },
                    flow_only: old.flow_only.clone(),
                    connections: old.connections.clone(),
                    skipped: old.skipped,
                    diagnostics: old.diagnostics.clone(),
                    more_diagnostics: old.more_diagnostics,
                    lost_events: old.lost_events,
                    lines: old.lines,
                }
            }
            _ => {
                crate::browser::mark("netpol:flows-read-start");
                let read = observed::read(effective.clone(), SOURCE, text);
                crate::browser::measure("netpol:flows-read", "netpol:flows-read-start");
                read
            }
        };
        crate::browser::mark("netpol:flows-replay-start");
        // Connection by connection: a workspace has few replicas to share explanations
        // between, and the per-class replayer (for the CLI's million-line logs) would
        // add its code to the download.
        let rows = observed::replay_per_connection(&observed.cluster, &observed.connections)
            .into_iter()
            .map(|r| Row {
                disagrees: r.disagrees(),
                from: r.from,
                to: r.to,
                allowed: r.allowed,
                causes: r.causes,
                starts_dropping: false,
            })
            .collect();
        crate::browser::measure("netpol:flows-replay", "netpol:flows-replay-start");
        Some(Replay {
            observed,
            rows,
            matched,
        })
    }

    /// True when replaying against `eval` would give this replay again: the same endpoints
    /// and the same policies of every kind (Cilium's too), wherever they are written.
    pub fn still_holds(&self, eval: &Evaluation) -> bool {
        let (old, now) = (&self.observed.cluster, &eval.effective);
        self.matched == fingerprint(now)
            && same_policies(&old.policies, &now.policies)
            && old.cluster_policies.len() == now.cluster_policies.len()
            && old
                .cluster_policies
                .iter()
                .zip(&now.cluster_policies)
                .all(|(a, b)| unplaced_cnp(a) == unplaced_cnp(b))
            && unplaced_cilium(&old.cilium) == unplaced_cilium(&now.cilium)
    }

    /// The same connections with the same rows: what a view shows is the same.
    pub fn same_as(&self, other: &Replay) -> bool {
        self.rows == other.rows
            && self.observed.connections == other.observed.connections
            && self.observed.flow_only == other.observed.flow_only
            && self.observed.diagnostics == other.observed.diagnostics
    }

    /// Marks the rows the compared side (`before`) allows and the workspace denies.
    pub fn compared_with(mut self, before: &Cluster) -> Replay {
        let kept = with_flow_only(before, &self.observed);
        for (row, c) in self.rows.iter_mut().zip(&self.observed.connections) {
            if row.allowed {
                continue;
            }
            let ends = Endpoint::parse(&kept, &row.from)
                .ok()
                .zip(Endpoint::parse(&kept, &row.to).ok());
            row.starts_dropping = ends.is_some_and(|(from, to)| {
                netpol::verdict(
                    &kept,
                    &netpol::Traffic {
                        from,
                        to,
                        port: c.port,
                        protocol: c.protocol,
                    },
                )
            });
        }
        self
    }

    /// Connections the workspace denies.
    pub fn dropped(&self) -> usize {
        self.rows.iter().filter(|r| !r.allowed).count()
    }

    /// Whether endpoint `id` was seen only in flows.
    pub fn is_flow_only(&self, id: &str) -> bool {
        self.observed
            .flow_only
            .iter()
            .filter_map(|i| self.observed.cluster.pods.get(*i))
            .any(|p| p.id() == id)
    }

    /// The endpoints seen only in flows (pods, with their namespaces' labels).
    pub fn flow_only_pods(&self) -> impl Iterator<Item = &netpol::Pod> {
        self.observed
            .flow_only
            .iter()
            .filter_map(|i| self.observed.cluster.pods.get(*i))
    }
}

/// `before` plus the endpoints seen only in flows that it lacks (so the same ids name the
/// same ends on both sides).
fn with_flow_only(before: &Cluster, observed: &Observed) -> Cluster {
    let mut kept = before.clone();
    for i in &observed.flow_only {
        let Some(p) = observed.cluster.pods.get(*i) else {
            continue;
        };
        if kept.pod(&p.id()).is_some() {
            continue;
        }
        if kept.namespace(&p.namespace).is_none() {
            if let Some(ns) = observed.cluster.namespace(&p.namespace) {
                let at = kept
                    .namespaces
                    .partition_point(|n: &Namespace| n.name < ns.name);
                kept.namespaces.insert(at, ns.clone());
            }
        }
        kept.pods.push(p.clone());
    }
    kept
}

/// What reading a log depends on: the namespaces and their labels, and each pod's id,
/// kind, labels and addresses (not the policies, nor where anything is written).
pub fn fingerprint(c: &Cluster) -> u64 {
    let mut h = DefaultHasher::new();
    for n in &c.namespaces {
        n.name.hash(&mut h);
        n.labels.hash(&mut h);
    }
    0xffu8.hash(&mut h);
    for p in &c.pods {
        p.namespace.hash(&mut h);
        p.name.hash(&mut h);
        p.kind.as_str().hash(&mut h);
        p.labels.hash(&mut h);
        p.ips.hash(&mut h);
    }
    h.finish()
}

/// Policies compared without where they are written (an edit above them moves them).
fn same_policies(a: &[netpol::Policy], b: &[netpol::Policy]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.namespace == y.namespace
                && x.name == y.name
                && x.pod_selector == y.pod_selector
                && x.isolates_ingress == y.isolates_ingress
                && x.isolates_egress == y.isolates_egress
                && same_rules(&x.ingress, &y.ingress)
                && same_rules(&x.egress, &y.egress)
        })
}

fn same_rules(a: &[netpol::model::Rule], b: &[netpol::model::Rule]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.peers == y.peers && x.ports == y.ports)
}

/// A ClusterNetworkPolicy without where it and its rules are written.
fn unplaced_cnp(p: &netpol::cnp::ClusterNetworkPolicy) -> netpol::cnp::ClusterNetworkPolicy {
    let mut p = p.clone();
    p.origin = None;
    for r in p.ingress.iter_mut().chain(p.egress.iter_mut()) {
        r.origin = None;
    }
    p
}

/// The Cilium objects without where their policies are written.
fn unplaced_cilium(c: &netpol::cilium::CiliumObjects) -> netpol::cilium::CiliumObjects {
    let mut c = c.clone();
    for p in &mut c.policies {
        p.origin = None;
    }
    c
}

/// "Keep these flows": the workspace with the observed connections as drawn arrows (the
/// engine's `observed::intents`, ports merged into an existing arrow between the same
/// ends), and the endpoints seen only in flows drawn (with their namespaces, and the
/// external addresses), so the generated policies keep them working. Returns how many
/// arrows were added or widened.
pub fn keep(ws: &Workspace, replay: &Replay, effective: &Cluster) -> (Workspace, usize) {
    let mut w = ws.clone();
    let seen = &replay.observed.cluster;
    for p in replay.flow_only_pods() {
        if effective.pod(&p.id()).is_some() {
            continue;
        }
        let declared = effective.namespace(&p.namespace).is_some()
            || w.namespaces.iter().any(|n| n.name == p.namespace);
        if !declared {
            let labels = seen
                .namespace(&p.namespace)
                .map(|n| n.labels.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|(k, _)| k != "kubernetes.io/metadata.name")
                .collect();
            w.namespaces.push(DrawnNamespace {
                name: p.namespace.clone(),
                labels,
            });
        }
        w.pods.push(DrawnPod {
            namespace: p.namespace.clone(),
            name: p.name.clone(),
            labels: p.labels.clone(),
        });
    }
    let mut changed = 0;
    for (intent, _note) in observed::intents(&replay.observed) {
        for end in [&intent.from, &intent.to] {
            if end.starts_with("ip:") && !w.externals.contains(end) {
                w.externals.push(end.clone());
            }
        }
        match w
            .arrows
            .iter_mut()
            .find(|a| a.from == intent.from && a.to == intent.to)
        {
            // An arrow without ports allows every port already.
            Some(a) if a.ports.is_empty() => {}
            Some(a) => {
                let mut widened = false;
                for p in intent.ports {
                    if !a.ports.contains(&p) {
                        a.ports.push(p);
                        widened = true;
                    }
                }
                changed += usize::from(widened);
            }
            None => {
                w.arrows.push(Intent {
                    from: intent.from,
                    to: intent.to,
                    ports: intent.ports,
                });
                changed += 1;
            }
        }
    }
    (w, changed)
}
