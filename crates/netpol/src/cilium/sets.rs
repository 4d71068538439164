//! The Cilium policies as bit sets, for `matrix` over many endpoints: which rules select
//! each pod in each direction, and which endpoints each entry's peers match, computed once;
//! then one probe costs a few word operations per row instead of the chain per pair.
//!
//! It folds the Cilium answer into the NetworkPolicy rows and columns exactly as
//! [`super::eval::CiliumEvidence::answer`] does per pair: a matching deny denies; else a pod
//! isolated by a policy of either kind is allowed what an allow of either kind matches (and,
//! at ingress, its own node); else the side stays open. The tiers are not folded in: with
//! ClusterNetworkPolicies, `matrix` asks the chain per pair. The property tests in
//! `tests/cilium_properties.rs` hold this to the chain.
//!
//! What a peer is to the agent depends on the subject only for nodes (`host` on the
//! subject's own node, `remote-node` elsewhere), so an entry's matches are kept as the
//! endpoints it matches whoever the subject is, plus whether it matches the local node and
//! the remote nodes (each twice: a node address that is the API server's also carries
//! `kube-apiserver`).

use super::eval::{identity, peer_matches, ports_take, seen, Peer, Seen};
use std::collections::HashMap;

use super::model::{Entry, IdLabel, IdSelector, Peers, Ports};
use super::validate::NAMESPACE_LABEL;
use crate::bits::Bits;
use crate::endpoint::Endpoint;
use crate::model::{Cluster, Direction, Pod};
use crate::ports::Protocol;

/// One entry (allow or deny) with its precomputed peers.
#[derive(Clone)]
struct IndexedEntry<'c> {
    entry: &'c Entry,
    /// The endpoints that are not nodes which the entry's peers match.
    fixed: Bits,
    /// Whether it matches the subject's own node (`host`) and the other nodes, for node
    /// endpoints that are not the API server's address and for those that are.
    local: bool,
    remote: bool,
    local_api: bool,
    remote_api: bool,
}

/// What the Cilium rules do to one direction of one endpoint.
#[derive(Default, Clone)]
struct Selection {
    /// A rule with entries in this direction selects it.
    selected: bool,
    /// One of them puts it in default deny.
    default_deny: bool,
    /// The entries of those rules (into `CiliumSets::entries`).
    entries: Vec<usize>,
}

/// The Cilium policies of one cluster over one endpoint list.
pub(crate) struct CiliumSets<'c> {
    endpoints: &'c [Endpoint],
    /// Per endpoint: the pod the agent sees there (a named port resolves on it).
    pods: Vec<Option<&'c Pod>>,
    /// Per endpoint: the node a subject pod runs on.
    subject_node: Vec<Option<&'c str>>,
    /// Every endpoint that is a node to the agent, those of them that are the API server's
    /// address, and every node endpoint per node name.
    nodes: Bits,
    api_nodes: Bits,
    on_node: Vec<(&'c str, Bits)>,
    entries: Vec<IndexedEntry<'c>>,
    ingress: Vec<Selection>,
    egress: Vec<Selection>,
}

impl<'c> CiliumSets<'c> {
    /// Matches every rule's subject and every entry's peers once.
    pub fn build(cluster: &'c Cluster, endpoints: &'c [Endpoint]) -> CiliumSets<'c> {
        let n = endpoints.len();
        let objects = &cluster.cilium;
        let seen: Vec<Seen<'c>> = endpoints.iter().map(|e| seen(cluster, e)).collect();
        let mut nodes = Bits::new(n);
        let mut api_nodes = Bits::new(n);
        let mut on_node: Vec<(&'c str, Bits)> = Vec::new();
        let mut peers: Vec<Option<Peer<'c>>> = Vec::with_capacity(n);
        let mut pods = Vec::with_capacity(n);
        for (pos, s) in seen.iter().enumerate() {
            match s {
                Seen::Node { node, api } => {
                    nodes.set(pos);
                    if *api {
                        api_nodes.set(pos);
                    }
                    if let Some(name) = node {
                        add_to_node(&mut on_node, name, pos, n);
                    }
                    peers.push(None);
                    pods.push(None);
                }
                Seen::Pod(p) => {
                    peers.push(Some(Peer::Pod(p, identity(cluster, p))));
                    pods.push(Some(*p));
                }
                Seen::World { net, api } => {
                    peers.push(Some(Peer::World {
                        net: *net,
                        api: *api,
                    }));
                    pods.push(None);
                }
            }
        }
        // Subjects: pods that are not host-network (only host policies select those).
        let subjects: Vec<Option<(&'c Pod, Option<&'c str>)>> = endpoints
            .iter()
            .map(|e| match e {
                Endpoint::Pod(i) => cluster.pods.get(*i).filter(|p| !p.host_network).map(|p| {
                    let node = objects.pods.get(&p.id()).and_then(|m| m.node.as_deref());
                    (p, node)
                }),
                Endpoint::External(_) => None,
            })
            .collect();
        let labels: Vec<_> = subjects
            .iter()
            .map(|s| s.map(|(p, _)| identity(cluster, p)))
            .collect();

        let candidates = Candidates::of(&subjects);
        let mut entries = Vec::new();
        let mut subjects_of: HashMap<&IdSelector, Vec<usize>> = HashMap::new();
        let mut peers_of: Vec<(&Peers, IndexedEntry<'c>)> = Vec::new();
        let mut ingress = vec![Selection::default(); n];
        let mut egress = vec![Selection::default(); n];
        for policy in &objects.policies {
            for rule in &policy.rules {
                for direction in [Direction::Ingress, Direction::Egress] {
                    let list = rule.entries(direction);
                    if list.is_empty() {
                        continue;
                    }
                    // Policies repeat selectors a lot: each distinct one is matched once.
                    let selected = subjects_of
                        .entry(&rule.subject)
                        .or_insert_with(|| candidates.selected(&rule.subject, &labels))
                        .clone();
                    if selected.is_empty() {
                        continue;
                    }
                    let first = entries.len();
                    for entry in list {
                        let known = peers_of.iter().find(|(p, _)| **p == entry.peers);
                        let indexed = match known {
                            Some((_, e)) => IndexedEntry { entry, ..e.clone() },
                            None => {
                                let e = index_entry(objects, entry, &peers);
                                peers_of.push((&entry.peers, e.clone()));
                                e
                            }
                        };
                        entries.push(indexed);
                    }
                    let table = match direction {
                        Direction::Ingress => &mut ingress,
                        Direction::Egress => &mut egress,
                    };
                    for pos in selected {
                        if let Some(sel) = table.get_mut(pos) {
                            sel.selected = true;
                            sel.default_deny |= rule.default_deny(direction);
                            sel.entries.extend(first..entries.len());
                        }
                    }
                }
            }
        }
        CiliumSets {
            endpoints,
            pods,
            subject_node: subjects.iter().map(|s| s.and_then(|(_, n)| n)).collect(),
            nodes,
            api_nodes,
            on_node,
            entries,
            ingress,
            egress,
        }
    }

    /// Folds the Cilium policies into one probe's NetworkPolicy answers: `rows[s]` are the
    /// destinations the egress of `s` allows (every one when no NetworkPolicy isolates
    /// it, which `egress_isolated` says); `columns[d]` the sources the ingress of `d`
    /// allows (`None`: not isolated). Returns the new columns (`None`: every source).
    pub fn fold(
        &self,
        rows: &mut [Bits],
        egress_isolated: &[bool],
        columns: &[Option<&Bits>],
        port: u16,
        protocol: Protocol,
    ) -> Vec<Option<Bits>> {
        let n = self.endpoints.len();
        let probe = Probe::new(self, port, protocol);
        for (s, row) in rows.iter_mut().enumerate() {
            let Some(sel) = self.egress.get(s).filter(|sel| sel.selected) else {
                continue;
            };
            let isolated = egress_isolated.get(s).copied().unwrap_or(false);
            let (allow, deny) = probe.matched(sel, s, Direction::Egress);
            if isolated || sel.default_deny {
                if !isolated {
                    *row = Bits::new(n);
                }
                row.or_assign(&allow);
            }
            row.and_not_assign(&deny);
        }
        (0..n)
            .map(|d| {
                let np = columns.get(d).copied().flatten();
                let sel = self.ingress.get(d);
                let local = self.local_nodes(d);
                let isolated = np.is_some() || sel.is_some_and(|s| s.default_deny);
                let (allow, deny) = match sel.filter(|s| s.selected) {
                    Some(sel) => probe.matched(sel, d, Direction::Ingress),
                    // Not selected: only its own node can change the NetworkPolicy answer,
                    // and only where a NetworkPolicy isolates it.
                    None if local.is_none() || np.is_none() => return np.cloned(),
                    None => (Bits::new(n), Bits::new(n)),
                };
                let mut col = if isolated {
                    let mut c = np.cloned().unwrap_or_else(|| Bits::new(n));
                    c.or_assign(&allow);
                    if let Some(local) = local {
                        c.or_assign(local);
                    }
                    c
                } else {
                    Bits::full(n)
                };
                col.and_not_assign(&deny);
                Some(col)
            })
            .collect()
    }

    /// The node endpoints entry `e` matches for a subject whose own node's endpoints are
    /// `local`: the flags of `e` for the local and remote nodes, each split by whether the
    /// endpoint is the API server's address.
    fn node_peers(&self, e: &IndexedEntry<'_>, local: Option<&Bits>) -> Bits {
        let n = self.endpoints.len();
        let mut out = Bits::new(n);
        let mut add = |wanted: bool, on_local: bool, api: bool| {
            if !wanted {
                return;
            }
            let mut set = if on_local {
                match local {
                    Some(l) => l.clone(),
                    None => return,
                }
            } else {
                let mut remote = self.nodes.clone();
                if let Some(l) = local {
                    remote.and_not_assign(l);
                }
                remote
            };
            if api {
                set.and_assign(&self.api_nodes);
            } else {
                set.and_not_assign(&self.api_nodes);
            }
            out.or_assign(&set);
        };
        add(e.local, true, false);
        add(e.local_api, true, true);
        add(e.remote, false, false);
        add(e.remote_api, false, true);
        out
    }

    /// The nodes the ingress of `d` always lets in: its own node's endpoints, when `d` is
    /// a pod Cilium sees (not host-network) on a known node that has any.
    fn local_nodes(&self, d: usize) -> Option<&Bits> {
        let node = self.subject_node.get(d).copied().flatten()?;
        self.on_node
            .iter()
            .find(|(name, _)| *name == node)
            .map(|(_, b)| b)
    }
}

/// Which subjects a selector can match at all, so that a namespaced rule is not matched
/// against every pod of the cluster (most of `matrix` at 5,000 pods otherwise).
struct Candidates<'c> {
    /// Subject positions per namespace.
    by_namespace: HashMap<&'c str, Vec<usize>>,
    /// Subjects whose own labels carry the namespace key (they can match any namespace term).
    namespace_labelled: Vec<usize>,
    /// Every subject position.
    all: Vec<usize>,
}

impl<'c> Candidates<'c> {
    fn of(subjects: &[Option<(&'c Pod, Option<&'c str>)>]) -> Candidates<'c> {
        let mut c = Candidates {
            by_namespace: HashMap::new(),
            namespace_labelled: Vec::new(),
            all: Vec::new(),
        };
        for (pos, s) in subjects.iter().enumerate() {
            let Some((pod, _)) = s else { continue };
            c.all.push(pos);
            c.by_namespace
                .entry(pod.namespace.as_str())
                .or_default()
                .push(pos);
            if pod.labels.contains_key(NAMESPACE_LABEL) {
                c.namespace_labelled.push(pos);
            }
        }
        c
    }

    /// The subjects `sel` selects, in position order.
    fn selected(&self, sel: &IdSelector, labels: &[Option<Vec<IdLabel>>]) -> Vec<usize> {
        let matches = |pos: &usize| {
            labels
                .get(*pos)
                .and_then(Option::as_ref)
                .is_some_and(|l| sel.matches(l))
        };
        let Some(namespaces) = sel.namespaces() else {
            return self.all.iter().copied().filter(matches).collect();
        };
        let mut out: Vec<usize> = namespaces
            .iter()
            .filter_map(|ns| self.by_namespace.get(ns.as_str()))
            .flatten()
            .chain(&self.namespace_labelled)
            .copied()
            .filter(matches)
            .collect();
        crate::sorting::sort_unstable(&mut out);
        out.dedup();
        out
    }
}

/// Adds endpoint `pos` to node `name`'s set in `on_node` (a new set when the node is new).
fn add_to_node<'c>(on_node: &mut Vec<(&'c str, Bits)>, name: &'c str, pos: usize, n: usize) {
    match on_node.iter_mut().find(|(m, _)| *m == name) {
        Some((_, set)) => set.set(pos),
        None => {
            let mut set = Bits::new(n);
            set.set(pos);
            on_node.push((name, set));
        }
    }
}

fn index_entry<'c>(
    objects: &crate::cilium::CiliumObjects,
    entry: &'c Entry,
    peers: &[Option<Peer<'_>>],
) -> IndexedEntry<'c> {
    let mut fixed = Bits::new(peers.len());
    for (pos, peer) in peers.iter().enumerate() {
        if peer
            .as_ref()
            .is_some_and(|p| peer_matches(objects, entry, p))
        {
            fixed.set(pos);
        }
    }
    let node_matches = |local, api| peer_matches(objects, entry, &Peer::Node { local, api });
    IndexedEntry {
        entry,
        fixed,
        local: node_matches(true, false),
        remote: node_matches(false, false),
        local_api: node_matches(true, true),
        remote_api: node_matches(false, true),
    }
}

/// How an entry's ports take one probe.
enum Take {
    All,
    No,
    /// Per destination endpoint (a named port resolves on the destination pod).
    PerDestination(Bits),
}

/// One probed port and protocol over the sets.
struct Probe<'s, 'c> {
    sets: &'s CiliumSets<'c>,
    takes: Vec<Take>,
}

impl<'s, 'c> Probe<'s, 'c> {
    fn new(sets: &'s CiliumSets<'c>, port: u16, protocol: Protocol) -> Probe<'s, 'c> {
        let takes = sets
            .entries
            .iter()
            .map(|e| take(sets, &e.entry.ports, port, protocol))
            .collect();
        Probe { sets, takes }
    }

    /// The peers of subject `s` that its selecting entries allow and deny in `direction`.
    fn matched(&self, sel: &Selection, s: usize, direction: Direction) -> (Bits, Bits) {
        let sets = self.sets;
        let n = sets.endpoints.len();
        let (mut allow, mut deny) = (Bits::new(n), Bits::new(n));
        let local = sets.local_nodes(s);
        for &id in &sel.entries {
            let (Some(e), Some(take)) = (sets.entries.get(id), self.takes.get(id)) else {
                continue;
            };
            let mut peers = e.fixed.clone();
            if e.local || e.remote || e.local_api || e.remote_api {
                peers.or_assign(&sets.node_peers(e, local));
            }
            // Ingress: the subject is the destination; egress: each peer is.
            match (take, direction) {
                (Take::No, _) => continue,
                (Take::All, _) => {}
                (Take::PerDestination(dst), Direction::Ingress) => {
                    if !dst.get(s) {
                        continue;
                    }
                }
                (Take::PerDestination(dst), Direction::Egress) => peers.and_assign(dst),
            }
            if e.entry.is_deny() {
                deny.or_assign(&peers);
            } else {
                allow.or_assign(&peers);
            }
        }
        (allow, deny)
    }
}

fn take(sets: &CiliumSets<'_>, ports: &Ports, port: u16, protocol: Protocol) -> Take {
    let named = matches!(ports, Ports::List(specs) if specs.iter().any(|s| matches!(s.port, super::model::PortMatch::Named(_))));
    if !named {
        // No named port: the answer does not depend on the destination.
        return if ports_take(ports, None, port, protocol) {
            Take::All
        } else {
            Take::No
        };
    }
    let mut dst = Bits::new(sets.endpoints.len());
    for (pos, pod) in sets.pods.iter().enumerate() {
        if ports_take(ports, *pod, port, protocol) {
            dst.set(pos);
        }
    }
    Take::PerDestination(dst)
}
