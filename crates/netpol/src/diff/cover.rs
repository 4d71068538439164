//! Which endpoints a change can reach, found before any connectivity is computed, so that
//! comparing two snapshots of a large cluster computes the rows and columns of those
//! endpoints only ([`crate::connectivity::connectivity_covering`]).
//!
//! What one side allows from `s` to `d` is decided by the policies that select `s` (for
//! egress) and `d` (for ingress), read against the other end's namespace, namespace
//! labels, labels, container ports and addresses (see `classes.rs`, which keys classes on
//! the same facts). So when neither end changed and no added, removed or edited
//! NetworkPolicy selects either end on either side, the pair gets the same answer on both
//! sides. Every other common endpoint is *reached*: its row and column are computed.
//!
//! Some changes reach further than that, and then everything is computed, as before:
//! a ClusterNetworkPolicy added, removed or edited (its subjects are chosen by namespace
//! and pod selectors over the whole cluster, and its `nodes` peers read Nodes), a Node
//! that differs, any Cilium policy on either side (identities also carry the service
//! account and the node), and endpoint ids that are not unique (the comparison matches
//! endpoints by id).

use std::collections::HashMap;

use super::cause::PolicyChange;
use super::changes::Differences;
use crate::cidr::Cidr;
use crate::endpoint::Endpoint;
use crate::fasthash::FastMap;
use crate::model::{Cluster, Pod};

/// The endpoints whose rows and columns a comparison needs, by position on each side;
/// `None` when every one is needed.
pub fn reached(
    old: &Cluster,
    new: &Cluster,
    old_endpoints: &[Endpoint],
    new_endpoints: &[Endpoint],
) -> Option<(Vec<bool>, Vec<bool>)> {
    let differences = Differences::between(old, new);
    reached_with(&differences, old, new, old_endpoints, new_endpoints)
}

/// [`reached`], with the sides' differences already worked out.
pub fn reached_with<'c>(
    differences: &Differences<'_>,
    old: &'c Cluster,
    new: &'c Cluster,
    old_endpoints: &[Endpoint],
    new_endpoints: &[Endpoint],
) -> Option<(Vec<bool>, Vec<bool>)> {
    if old.cilium.has_policies() || new.cilium.has_policies() {
        return None;
    }
    if !differences.nodes.is_empty() {
        return None;
    }
    if differences
        .old_cluster
        .iter()
        .chain(&differences.new_cluster)
        .any(|c| *c != PolicyChange::Unchanged)
    {
        return None;
    }
    let ids = |c: &'c Cluster, endpoints: &[Endpoint]| -> Option<FastMap<IdKey<'c>, usize>> {
        let map: FastMap<IdKey<'c>, usize> = endpoints
            .iter()
            .enumerate()
            .map(|(i, e)| (IdKey::of(c, e), i))
            .collect();
        (map.len() == endpoints.len()).then_some(map)
    };
    let old_ids = ids(old, old_endpoints)?;
    let new_ids = ids(new, new_endpoints)?;

    let relabelled = relabelled_namespaces(old, new);
    let mut old_reached = selected_by_changed(old, old_endpoints, &differences.old);
    let mut new_reached = selected_by_changed(new, new_endpoints, &differences.new);
    // A common endpoint reached on one side is reached on both, as is one that changed.
    for (id, &i) in &old_ids {
        let Some(&j) = new_ids.get(id) else {
            continue;
        };
        let changed = match (old_endpoints.get(i), new_endpoints.get(j)) {
            (Some(Endpoint::Pod(a)), Some(Endpoint::Pod(b))) => {
                match (old.pods.get(*a), new.pods.get(*b)) {
                    (Some(a), Some(b)) => {
                        pod_differs(a, b) || relabelled.contains_key(a.namespace.as_str())
                    }
                    _ => true,
                }
            }
            (Some(Endpoint::External(a)), Some(Endpoint::External(b))) => a != b,
            _ => true,
        };
        let reached = changed
            || old_reached.get(i).copied().unwrap_or(true)
            || new_reached.get(j).copied().unwrap_or(true);
        if let (Some(a), Some(b)) = (old_reached.get_mut(i), new_reached.get_mut(j)) {
            *a = reached;
            *b = reached;
        }
    }
    Some((old_reached, new_reached))
}

/// An endpoint's id ([`Endpoint::id`]) as borrowed parts: comparing 100,000 endpoints a
/// side by formatted ids was most of finding what a change reaches.
#[derive(PartialEq, Eq, Hash)]
enum IdKey<'c> {
    /// `namespace/name`.
    Pod(&'c str, &'c str),
    /// A pod position that is not in the cluster (`#i`).
    Missing(usize),
    /// `ip:address/prefix`.
    External(Cidr),
}

impl<'c> IdKey<'c> {
    fn of(cluster: &'c Cluster, e: &Endpoint) -> IdKey<'c> {
        match e {
            Endpoint::Pod(i) => match cluster.pods.get(*i) {
                Some(p) => IdKey::Pod(p.namespace.as_str(), p.name.as_str()),
                None => IdKey::Missing(*i),
            },
            Endpoint::External(c) => IdKey::External(*c),
        }
    }
}

/// Per endpoint position: a NetworkPolicy that is not the same on both sides selects it.
fn selected_by_changed(
    cluster: &Cluster,
    endpoints: &[Endpoint],
    changes: &[PolicyChange],
) -> Vec<bool> {
    let mut by_namespace: HashMap<&str, Vec<(usize, &Pod)>> = HashMap::new();
    for (pos, e) in endpoints.iter().enumerate() {
        if let Some(pod) = e.pod(cluster) {
            by_namespace
                .entry(pod.namespace.as_str())
                .or_default()
                .push((pos, pod));
        }
    }
    let mut out = vec![false; endpoints.len()];
    for (policy, change) in cluster.policies.iter().zip(changes) {
        if *change == PolicyChange::Unchanged {
            continue;
        }
        for &(pos, pod) in by_namespace
            .get(policy.namespace.as_str())
            .into_iter()
            .flatten()
        {
            // Selection, whatever the directions: an edit may change them.
            if policy.pod_selector.matches(&pod.labels) {
                if let Some(slot) = out.get_mut(pos) {
                    *slot = true;
                }
            }
        }
    }
    out
}

/// Whether anything a policy can read of the pod itself differs between the sides (its
/// namespace's labels are compared once per namespace, by [`relabelled_namespaces`]).
fn pod_differs(a: &Pod, b: &Pod) -> bool {
    a.namespace != b.namespace
        || a.labels != b.labels
        || a.ports != b.ports
        || a.ips != b.ips
        || a.host_network != b.host_network
}

/// The namespaces whose labels differ between the sides, or that one side lacks.
fn relabelled_namespaces<'c>(old: &'c Cluster, new: &'c Cluster) -> HashMap<&'c str, ()> {
    let labels = |c: &'c Cluster| -> HashMap<&'c str, &'c crate::model::Labels> {
        c.namespaces
            .iter()
            .map(|n| (n.name.as_str(), &n.labels))
            .collect()
    };
    let (before, after) = (labels(old), labels(new));
    let mut out = HashMap::new();
    for (name, l) in &before {
        if after.get(name) != Some(l) {
            out.insert(*name, ());
        }
    }
    for name in after.keys() {
        if !before.contains_key(name) {
            out.insert(*name, ());
        }
    }
    out
}
