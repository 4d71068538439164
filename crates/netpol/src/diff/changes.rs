//! How the two sides differ, before any pair is compared: each policy added, removed,
//! edited or unchanged (NetworkPolicies matched by `namespace/name`, ClusterNetworkPolicies
//! by name: they are cluster-scoped), what changed about a pod, and which Nodes differ.

use std::collections::HashMap;

use super::cause::{PolicyChange, PolicyIndex};
use super::side::DIRECTIONS;
use crate::cnp::{ClusterNetworkPolicy, CnpRule};
use crate::fasthash::FastMap;
use crate::model::{Cluster, Node, Pod, Policy, Rule};

/// How the two sides' policies and Nodes differ, worked out once for a comparison: which
/// endpoints a change reaches ([`super::reached_with`]) and what explains each change
/// ([`super::Plan`], every walker) read it, and classifying 50,000 policies a side is a
/// fifth of a second.
pub struct Differences<'c> {
    /// Per NetworkPolicy of each side: added/removed, edited or unchanged.
    pub(super) old: Vec<PolicyChange>,
    pub(super) new: Vec<PolicyChange>,
    /// The new side's NetworkPolicies by id.
    pub(super) new_by_id: FastMap<PolicyId<'c>, PolicyIndex>,
    /// Per ClusterNetworkPolicy of each side.
    pub(super) old_cluster: Vec<PolicyChange>,
    pub(super) new_cluster: Vec<PolicyChange>,
    /// See [`node_changes`].
    pub(super) nodes: Vec<(Option<&'c Node>, Option<&'c Node>)>,
}

impl<'c> Differences<'c> {
    /// How `new` differs from `old`.
    pub fn between(old: &'c Cluster, new: &'c Cluster) -> Differences<'c> {
        let (old_changes, new_changes, new_by_id) = classify_policies(old, new);
        let (old_cluster, new_cluster) = classify_cluster_policies(old, new);
        Differences {
            old: old_changes,
            new: new_changes,
            new_by_id,
            old_cluster,
            new_cluster,
            nodes: node_changes(old, new),
        }
    }
}

/// The Nodes that differ between the sides, matched by name: (old side's, new side's),
/// `None` on the side that lacks it; the old side's order, then the added ones.
fn node_changes<'c>(
    old: &'c Cluster,
    new: &'c Cluster,
) -> Vec<(Option<&'c Node>, Option<&'c Node>)> {
    let find = |c: &'c Cluster, name: &str| c.nodes.iter().find(|n| n.name == name);
    let same = |a: &Node, b: &Node| a.labels == b.labels && a.addresses == b.addresses;
    let mut out: Vec<(Option<&Node>, Option<&Node>)> = old
        .nodes
        .iter()
        .map(|a| (Some(a), find(new, &a.name)))
        .filter(|(a, b)| match (a, b) {
            (Some(a), Some(b)) => !same(a, b),
            _ => true,
        })
        .collect();
    out.extend(
        new.nodes
            .iter()
            .filter(|b| find(old, &b.name).is_none())
            .map(|b| (None, Some(b))),
    );
    out
}

/// What differs between the two sides' versions of one pod (`labels of x/a`, ...).
pub(super) fn pod_changes(a: &Pod, b: &Pod, namespace_labels_changed: bool) -> Vec<String> {
    let id = a.id();
    let mut notes = Vec::new();
    if a.labels != b.labels {
        notes.push(format!("labels of {id}"));
    }
    if a.ports != b.ports {
        notes.push(format!("ports of {id}"));
    }
    if a.ips != b.ips {
        notes.push(format!("IPs of {id}"));
    }
    if namespace_labels_changed {
        notes.push(format!("labels of namespace {}", a.namespace));
    }
    notes
}

/// Added / removed / edited / unchanged for every policy of each side, by id, and the new
/// side's policies by id.
fn classify_policies<'c>(
    old: &'c Cluster,
    new: &'c Cluster,
) -> (
    Vec<PolicyChange>,
    Vec<PolicyChange>,
    FastMap<PolicyId<'c>, PolicyIndex>,
) {
    // Borrowed (namespace, name) keys: 50,000 policies a side, compared without
    // formatting an id for each (most of comparing two unchanged snapshots otherwise).
    let by_id = |c: &'c Cluster| -> FastMap<PolicyId<'c>, PolicyIndex> {
        c.policies
            .iter()
            .enumerate()
            .map(|(i, p)| (policy_id(p), i))
            .collect()
    };
    let (old_by_id, new_by_id) = (by_id(old), by_id(new));
    let classify =
        |mine: &Cluster, theirs: &Cluster, index: &FastMap<PolicyId<'_>, PolicyIndex>, missing| {
            mine.policies
                .iter()
                .map(|p| {
                    match index
                        .get(&policy_id(p))
                        .and_then(|&i| theirs.policies.get(i))
                    {
                        None => missing,
                        Some(q) if same_semantics(p, q) => PolicyChange::Unchanged,
                        Some(_) => PolicyChange::Edited,
                    }
                })
                .collect()
        };
    let old_changes = classify(old, new, &new_by_id, PolicyChange::Removed);
    let new_changes = classify(new, old, &old_by_id, PolicyChange::Added);
    (old_changes, new_changes, new_by_id)
}

/// A NetworkPolicy's `namespace/name`, borrowed.
pub(super) type PolicyId<'c> = (&'c str, &'c str);

/// The id of `p`.
pub(super) fn policy_id(p: &Policy) -> PolicyId<'_> {
    (p.namespace.as_str(), p.name.as_str())
}

/// Same selection, isolation and rules (where the policy was written does not count).
fn same_semantics(a: &Policy, b: &Policy) -> bool {
    let same_rules = |x: &[Rule], y: &[Rule]| {
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .all(|(r, s)| r.peers == s.peers && r.ports == s.ports)
    };
    a.pod_selector == b.pod_selector
        && DIRECTIONS
            .iter()
            .all(|&d| a.isolates(d) == b.isolates(d) && same_rules(a.rules(d), b.rules(d)))
}

/// Added / removed / edited / unchanged for every ClusterNetworkPolicy of each side, by
/// name: (old side's, new side's).
fn classify_cluster_policies(
    old: &Cluster,
    new: &Cluster,
) -> (Vec<PolicyChange>, Vec<PolicyChange>) {
    let classify = |mine: &Cluster, theirs: &Cluster, missing| -> Vec<PolicyChange> {
        let by_name: HashMap<&str, &ClusterNetworkPolicy> = theirs
            .cluster_policies
            .iter()
            .map(|p| (p.name.as_str(), p))
            .collect();
        mine.cluster_policies
            .iter()
            .map(|p| match by_name.get(p.name.as_str()) {
                None => missing,
                Some(q) if same_cluster_semantics(p, q) => PolicyChange::Unchanged,
                Some(_) => PolicyChange::Edited,
            })
            .collect()
    };
    (
        classify(old, new, PolicyChange::Removed),
        classify(new, old, PolicyChange::Added),
    )
}

/// Same spec (where the policy or its rules were written does not count).
fn same_cluster_semantics(a: &ClusterNetworkPolicy, b: &ClusterNetworkPolicy) -> bool {
    let same_rules = |x: &[CnpRule], y: &[CnpRule]| {
        x.len() == y.len()
            && x.iter().zip(y).all(|(r, s)| {
                r.name == s.name && r.action == s.action && r.peers == s.peers && r.ports == s.ports
            })
    };
    a.tier == b.tier
        && a.priority == b.priority
        && a.subject == b.subject
        && DIRECTIONS
            .iter()
            .all(|&d| same_rules(a.rules(d), b.rules(d)))
}
