//! Causes from the Cilium policies. The facts in `facts.rs` know NetworkPolicies and
//! ClusterNetworkPolicies; when either side loads a Cilium policy, each change also gets
//! the Cilium entries that match it on one side only (an allow or a deny that appeared or
//! went), and the Cilium rules that put a pod in default deny on one side only, read from
//! the chain's explanations of both sides at the change's probe port
//! ([`super::Change::probe`]), so the reader sees every kind of policy that made the
//! difference there.

use std::collections::HashMap;

use super::cause::{Cause, CauseKind, PolicyChange};
use super::Snapshot;
use crate::chain::{explain, Side};
use crate::cilium::{CiliumEvidence, CiliumKind, CiliumPolicy};
use crate::model::Cluster;
use crate::ports::{Connections, Protocol};
use crate::traffic::Traffic;

/// Cilium causes, each once, before they join the other causes.
#[derive(Default)]
pub(super) struct CiliumCauses {
    pub causes: Vec<Cause>,
    ids: HashMap<Cause, usize>,
}

impl CiliumCauses {
    /// True when either side has a Cilium policy (only then is there anything to find).
    pub fn wanted(old: &Cluster, new: &Cluster) -> bool {
        old.cilium.has_policies() || new.cilium.has_policies()
    }

    /// The Cilium causes of the change of (`from`, `to`) (positions in each side's
    /// endpoints), as indices into `self.causes`.
    pub fn of(
        &mut self,
        old: &Snapshot<'_>,
        new: &Snapshot<'_>,
        (from_old, to_old): (usize, usize),
        (from_new, to_new): (usize, usize),
        opened: &Connections,
        closed: &Connections,
    ) -> Vec<usize> {
        let Some((port, protocol)) = probe(opened, closed) else {
            return Vec::new();
        };
        let side = |s: &Snapshot<'_>, from: usize, to: usize| {
            let (f, t) = (s.endpoints.get(from)?, s.endpoints.get(to)?);
            let traffic = Traffic {
                from: f.clone(),
                to: t.clone(),
                port,
                protocol,
            };
            Some(explain(s.cluster, &traffic))
        };
        let (Some(before), Some(after)) =
            (side(old, from_old, to_old), side(new, from_new, to_new))
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (was, now) in [
            (&before.egress, &after.egress),
            (&before.ingress, &after.ingress),
        ] {
            for cause in side_causes(old.cluster, new.cluster, was, now) {
                let next = self.causes.len();
                let id = *self.ids.entry(cause.clone()).or_insert(next);
                if id == next {
                    self.causes.push(cause);
                }
                out.push(id);
            }
        }
        out
    }
}

fn probe(opened: &Connections, closed: &Connections) -> Option<(u16, Protocol)> {
    [opened, closed].into_iter().find_map(|c| {
        Protocol::ALL
            .into_iter()
            .find_map(|p| c.ports(p).ranges().first().map(|&(lo, _)| (lo, p)))
    })
}

/// What differs in one direction: entries that match on one side only, and rules that put
/// the pod in default deny on one side only.
fn side_causes(old: &Cluster, new: &Cluster, was: &Side, now: &Side) -> Vec<Cause> {
    let (a, b) = (&was.cilium, &now.cilium);
    let pod = now
        .pod
        .clone()
        .or_else(|| was.pod.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut push = |entry: String, policy: &str, kind: CiliumKind, deny: bool, present: bool| {
        let change = change(old, new, kind, policy);
        out.push(Cause {
            direction: now.direction,
            policy: policy.to_string(),
            change: if present {
                change
            } else {
                change_seen_from_old(change)
            },
            kind: CauseKind::Cilium {
                entry,
                deny,
                matches_now: present,
            },
            pod: pod.clone(),
            endpoint_changes: Vec::new(),
            node_changes: Vec::new(),
        });
    };
    for (list, deny) in [(&b.denied_by, true), (&b.allowed_by, false)] {
        let before = if deny { &a.denied_by } else { &a.allowed_by };
        for r in list.iter().filter(|r| !before.contains(r)) {
            push(r.to_string(), &r.policy, r.kind, deny, true);
        }
    }
    for (list, deny) in [(&a.denied_by, true), (&a.allowed_by, false)] {
        let after = if deny { &b.denied_by } else { &b.allowed_by };
        for r in list.iter().filter(|r| !after.contains(r)) {
            push(r.to_string(), &r.policy, r.kind, deny, false);
        }
    }
    // Default deny that appeared or went (the entries above say what allows or denies).
    if b.default_deny != a.default_deny && a.denied_by.is_empty() && b.denied_by.is_empty() {
        let (ev, present) = if b.default_deny {
            (b, true)
        } else {
            (a, false)
        };
        for rule in isolating(ev) {
            let (kind, policy) = rule;
            push(String::new(), &policy, kind, false, present);
        }
    }
    out
}

/// The policies whose rules select the pod in this direction: (kind, id).
fn isolating(ev: &CiliumEvidence) -> Vec<(CiliumKind, String)> {
    ev.rules
        .iter()
        .filter_map(|r| {
            let mut parts = r.splitn(3, ' ');
            let kind = match parts.next()? {
                "CiliumNetworkPolicy" => CiliumKind::Namespaced,
                _ => CiliumKind::Clusterwide,
            };
            Some((kind, parts.next()?.to_string()))
        })
        .collect()
}

/// How the policy `id` of `kind` differs between the sides.
fn change(old: &Cluster, new: &Cluster, kind: CiliumKind, id: &str) -> PolicyChange {
    let find = |c: &Cluster| -> Option<CiliumPolicy> {
        c.cilium
            .policies
            .iter()
            .find(|p| p.kind == kind && p.id() == id)
            .cloned()
    };
    match (find(old), find(new)) {
        (None, Some(_)) => PolicyChange::Added,
        (Some(_), None) => PolicyChange::Removed,
        (Some(a), Some(b)) if a.rules != b.rules => PolicyChange::Edited,
        _ => PolicyChange::Unchanged,
    }
}

/// An entry that matched only before belongs to a policy that was removed, edited or left
/// as it was; never added.
fn change_seen_from_old(change: PolicyChange) -> PolicyChange {
    match change {
        PolicyChange::Added => PolicyChange::Edited,
        other => other,
    }
}
