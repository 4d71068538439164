//! The truth table: for every ordered pair of endpoints and each probed port, allowed or
//! not. Built from precomputed bit sets (`index`), so it scales with the pairs it prints.
//! Property-tested against the pairwise [`crate::verdict`].
//!
//! With ClusterNetworkPolicies, the NetworkPolicy answer of each probe is one input of
//! the tier chain (`tiered_rows`, over `cnp::bulk::TierIndex`); that combination lives
//! here, above both bulk indexes, so `index` and `cnp::bulk` do not import each other.

use std::collections::HashMap;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::Serialize;

use crate::bits::{self, Bits};
use crate::cilium::sets::CiliumSets;
use crate::cnp::bulk::{self as tiered, TierIndex, TierLists};
use crate::cnp::Action;
use crate::endpoint::Endpoint;
use crate::index::Index;
use crate::model::{Cluster, PortRef, Rule};
use crate::ports::Protocol;

/// The truth table for some ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matrix {
    /// Endpoint ids, in the order given (`x/a`, `ip:8.8.8.8`).
    pub endpoints: Vec<String>,
    /// One table per probed port.
    pub checks: Vec<Check>,
}

/// The table for one port and protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// The probed destination port.
    pub port: u16,
    /// The probed port's protocol.
    pub protocol: Protocol,
    rows: Vec<Bits>,
}

impl Check {
    /// Whether traffic from endpoint `from` to endpoint `to` (positions) is allowed.
    pub fn allowed(&self, from: usize, to: usize) -> bool {
        self.rows.get(from).is_some_and(|r| r.get(to))
    }

    /// Row `from` of the table: whether it may reach each endpoint, in endpoint order
    /// (empty when `from` is out of range). Renderers walk rows instead of asking cell by
    /// cell: at 20,000 endpoints that is 400 million cells per port.
    pub fn row(&self, from: usize) -> impl Iterator<Item = bool> + '_ {
        self.rows.get(from).map(Bits::iter).unwrap_or_default()
    }

    /// Number of allowed ordered pairs, each pod's loopback included.
    pub fn allowed_count(&self) -> usize {
        self.rows.iter().map(|r| r.ones().count()).sum()
    }
}

impl Serialize for Matrix {
    /// `{"endpoints": [...], "checks": [{"port": 80, "protocol": "TCP", "allowed": [[true, ...], ...]}]}`
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Matrix", 2)?;
        st.serialize_field("endpoints", &self.endpoints)?;
        st.serialize_field("checks", &self.checks)?;
        st.end()
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Row<'a>(&'a Bits);
        impl Serialize for Row<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for j in 0..self.0.len() {
                    seq.serialize_element(&self.0.get(j))?;
                }
                seq.end()
            }
        }
        let rows: Vec<Row<'_>> = self.rows.iter().map(Row).collect();
        let mut st = s.serialize_struct("Check", 3)?;
        st.serialize_field("port", &self.port)?;
        st.serialize_field("protocol", self.protocol.as_str())?;
        st.serialize_field("allowed", &rows)?;
        st.end()
    }
}

/// How a rule's `ports` treat one probed port.
enum PortMatch<'a> {
    /// Every destination: no ports listed, or a numeric port/range covers it.
    All,
    /// Only destinations whose named port of that name has this number.
    Named(Vec<&'a str>),
    No,
}

fn port_match(rule: &Rule, port: u16, protocol: Protocol) -> PortMatch<'_> {
    if rule.ports.is_empty() {
        return PortMatch::All;
    }
    let mut names = Vec::new();
    for p in rule.ports.iter().filter(|p| p.protocol == protocol) {
        match &p.port {
            None => return PortMatch::All,
            Some(PortRef::Number(n)) => {
                let end = p.end_port.unwrap_or(*n);
                if *n <= port && port <= end {
                    return PortMatch::All;
                }
            }
            Some(PortRef::Name(name)) => names.push(name.as_str()),
        }
    }
    if names.is_empty() {
        PortMatch::No
    } else {
        PortMatch::Named(names)
    }
}

/// What the NetworkPolicies alone say for one probe.
pub(crate) struct NetworkPolicyProbe<'a> {
    /// Per source: the destinations its egress allows (every one when not isolated).
    pub egress_rows: &'a [Bits],
    /// Per destination: the sources its ingress allows; `None` when not isolated.
    pub ingress: &'a [Option<&'a Bits>],
}

/// The truth table for `endpoints` on each `(port, protocol)`.
pub fn matrix(cluster: &Cluster, endpoints: &[Endpoint], probes: &[(u16, Protocol)]) -> Matrix {
    let cilium = cluster.cilium.has_policies();
    if cilium && !cluster.cluster_policies.is_empty() {
        return per_pair(cluster, endpoints, probes);
    }
    let index = Index::build(cluster, endpoints);
    let sets = cilium.then(|| CiliumSets::build(cluster, endpoints));
    Matrix {
        endpoints: endpoints.iter().map(|e| e.id(cluster)).collect(),
        checks: probes
            .iter()
            .map(|&(port, protocol)| check(&index, sets.as_ref(), port, protocol))
            .collect(),
    }
}

/// With Cilium policies and ClusterNetworkPolicies: the chain for every pair
/// (`cilium::bulk`); the Cilium bit sets are folded into the NetworkPolicy rows only.
#[inline(never)]
fn per_pair(cluster: &Cluster, endpoints: &[Endpoint], probes: &[(u16, Protocol)]) -> Matrix {
    let chain = crate::cilium::bulk::PerPair::new(cluster);
    let n = endpoints.len();
    let checks = probes
        .iter()
        .map(|&(port, protocol)| Check {
            port,
            protocol,
            rows: endpoints
                .iter()
                .map(|from| {
                    let mut row = Bits::new(n);
                    for (j, to) in endpoints.iter().enumerate() {
                        if chain.verdict(from, to, port, protocol) {
                            row.set(j);
                        }
                    }
                    row
                })
                .collect(),
        })
        .collect();
    Matrix {
        endpoints: endpoints.iter().map(|e| e.id(cluster)).collect(),
        checks,
    }
}

fn check(
    index: &Index<'_>,
    cilium: Option<&CiliumSets<'_>>,
    port: u16,
    protocol: Protocol,
) -> Check {
    let n = index.endpoints.len();
    let cluster = index.cluster;
    let matches: Vec<PortMatch<'_>> = index
        .rules
        .iter()
        .map(|r| port_match(r.rule, port, protocol))
        .collect();
    // Whether endpoint `pos` exposes one of `names` as this port.
    let exposes = |pos: usize, names: &[&str]| match index.endpoints.get(pos) {
        Some(Endpoint::Pod(p)) => cluster.pods.get(*p).is_some_and(|pod| {
            names
                .iter()
                .any(|nm| pod.named_port(nm, protocol) == Some(port))
        }),
        _ => false,
    };
    let mut named_masks: HashMap<Vec<&str>, Bits> = HashMap::new();

    // Egress: one row per distinct set of applicable rules.
    let all = Bits::full(n);
    let mut egress_rows: HashMap<&[usize], Bits> = HashMap::new();
    let mut rows = Vec::with_capacity(n);
    for iso in &index.egress {
        if !iso.isolated {
            rows.push(all.clone());
            continue;
        }
        if let Some(r) = egress_rows.get(iso.rules.as_slice()) {
            rows.push(r.clone());
            continue;
        }
        let mut row = Bits::new(n);
        for &id in &iso.rules {
            let (Some(rule), Some(m)) = (index.rules.get(id), matches.get(id)) else {
                continue;
            };
            match m {
                PortMatch::All => row.or_assign(&rule.peers),
                PortMatch::Named(names) => {
                    let mask = named_masks.entry(names.clone()).or_insert_with(|| {
                        let mut b = Bits::new(n);
                        for pos in 0..n {
                            if exposes(pos, names) {
                                b.set(pos);
                            }
                        }
                        b
                    });
                    row.or_and_assign(&rule.peers, mask);
                }
                PortMatch::No => {}
            }
        }
        egress_rows.insert(iso.rules.as_slice(), row.clone());
        rows.push(row);
    }

    // Ingress: for each isolated destination, the sources its rules allow (a column over
    // sources); deny the rest.
    let mut ingress_sets: HashMap<Vec<usize>, usize> = HashMap::new();
    let mut allowed_sets: Vec<Bits> = Vec::new();
    let mut columns = Vec::with_capacity(n);
    for (dst, iso) in index.ingress.iter().enumerate() {
        if !iso.isolated {
            columns.push(None);
            continue;
        }
        let applicable: Vec<usize> = iso
            .rules
            .iter()
            .copied()
            .filter(|&id| match matches.get(id) {
                Some(PortMatch::All) => true,
                Some(PortMatch::Named(names)) => exposes(dst, names),
                _ => false,
            })
            .collect();
        let set = *ingress_sets.entry(applicable).or_insert_with_key(|ids| {
            let mut b = Bits::new(n);
            for id in ids {
                if let Some(rule) = index.rules.get(*id) {
                    b.or_assign(&rule.peers);
                }
            }
            allowed_sets.push(b);
            allowed_sets.len() - 1
        });
        columns.push(Some(set));
    }
    let mut columns: Vec<Option<&Bits>> = columns
        .into_iter()
        .map(|set| set.and_then(|k| allowed_sets.get(k)))
        .collect();
    // Cilium policies share the NetworkPolicies' stage (`cilium::sets`).
    let folded;
    if let Some(sets) = cilium {
        let isolated: Vec<bool> = index.egress.iter().map(|iso| iso.isolated).collect();
        folded = sets.fold(&mut rows, &isolated, &columns, port, protocol);
        columns = folded.iter().map(Option::as_ref).collect();
    }
    match &index.tiers {
        // NetworkPolicies only: an isolated destination denies every source it does not allow.
        None => bits::and_columns(&mut rows, &columns),
        // With tiers, the NetworkPolicy answer of each direction is one input of the chain.
        Some(tiers) => {
            let np = NetworkPolicyProbe {
                egress_rows: &rows,
                ingress: &columns,
            };
            rows = tiered_rows(index, tiers, &np, port, protocol);
        }
    }

    // A pod may always talk to itself.
    for (pos, e) in index.endpoints.iter().enumerate() {
        if matches!(e, Endpoint::Pod(_)) {
            if let Some(row) = rows.get_mut(pos) {
                row.set(pos);
            }
        }
    }
    Check {
        port,
        protocol,
        rows,
    }
}

/// The truth table rows for one probe with the tiers: per direction, an Admin Accept or
/// Deny decides; else the NetworkPolicies decide for the pods they isolate; else a
/// Baseline Deny denies; else allowed. Loopback is left to the caller.
fn tiered_rows(
    index: &Index<'_>,
    tiers: &TierIndex<'_>,
    np: &NetworkPolicyProbe<'_>,
    port: u16,
    protocol: Protocol,
) -> Vec<Bits> {
    let probe = Probe {
        index,
        tiers,
        matches: tiers
            .rules
            .iter()
            .map(|r| tiered::port_match(r.rule, port, protocol))
            .collect(),
        port,
        protocol,
    };
    let rows = probe.egress_rows(np);
    probe.clear_ingress(np, rows)
}

/// One probed port and protocol over the tier index.
struct Probe<'p, 'a> {
    index: &'p Index<'a>,
    tiers: &'p TierIndex<'a>,
    /// Per rule: how its protocols treat the probe.
    matches: Vec<tiered::PortMatch<'a>>,
    port: u16,
    protocol: Protocol,
}

impl Probe<'_, '_> {
    /// Whether rule `id`'s protocols cover the probe towards endpoint `dst`. A named port
    /// resolves to the destination's first container port of that name (as in
    /// `eval::rule_connections`), which must be the probe.
    fn port_ok(&self, id: usize, dst: usize) -> bool {
        let names = match self.matches.get(id) {
            Some(tiered::PortMatch::All) => return true,
            Some(tiered::PortMatch::Named(names)) => names,
            _ => return false,
        };
        let Some(Endpoint::Pod(p)) = self.index.endpoints.get(dst) else {
            return false;
        };
        self.index.cluster.pods.get(*p).is_some_and(|pod| {
            names.iter().any(|name| {
                pod.ports
                    .iter()
                    .find(|c| c.name.as_deref() == Some(*name))
                    .is_some_and(|c| c.port == self.port && c.protocol == self.protocol)
            })
        })
    }

    /// The action of the first rule of `list` matching `other` on the probe.
    fn decide(&self, list: &[usize], other: usize, dst: usize) -> Option<Action> {
        self.tiers
            .matching(list, other)
            .find(|(id, _)| self.port_ok(*id, dst))
            .map(|(_, r)| r.rule.action)
    }

    /// One direction: `np` is the NetworkPolicy answer when one isolates the pod.
    fn side(&self, lists: &TierLists, other: usize, dst: usize, np: Option<bool>) -> bool {
        let admin = self.decide(&lists.admin, other, dst);
        let (_, allowed) =
            crate::chain::decide(admin, || np, || self.decide(&lists.baseline, other, dst));
        allowed
    }

    /// Egress: a source's row depends on its tier rules and NetworkPolicy rules only.
    fn egress_rows(&self, np: &NetworkPolicyProbe<'_>) -> Vec<Bits> {
        let n = self.index.endpoints.len();
        let mut rows: Vec<Bits> = np.egress_rows.to_vec();
        let mut cache: HashMap<(&TierLists, &[usize], bool), Bits> = HashMap::new();
        for (i, lists) in self.tiers.egress.iter().enumerate() {
            let (Some(iso), Some(np_row)) = (self.index.egress.get(i), np.egress_rows.get(i))
            else {
                continue;
            };
            if lists.is_empty() {
                continue;
            }
            let key = (lists, iso.rules.as_slice(), iso.isolated);
            let row = cache.entry(key).or_insert_with(|| {
                let mut row = Bits::new(n);
                for j in 0..n {
                    if self.side(lists, j, j, iso.isolated.then(|| np_row.get(j))) {
                        row.set(j);
                    }
                }
                row
            });
            if let Some(slot) = rows.get_mut(i) {
                *slot = row.clone();
            }
        }
        rows
    }

    /// Ingress: per destination, the sources its chain allows; the others are cleared in
    /// `rows`, a column at a time (`bits::and_columns`). The set is shared by destinations
    /// with the same rules and NetworkPolicy answer, unless a named port makes it depend on
    /// the destination.
    fn clear_ingress(&self, np: &NetworkPolicyProbe<'_>, mut rows: Vec<Bits>) -> Vec<Bits> {
        let n = self.index.endpoints.len();
        let mut sets: Vec<Bits> = Vec::new();
        let mut shared: HashMap<(&TierLists, Option<*const Bits>), usize> = HashMap::new();
        // Per destination: its own set (an index into `sets`) or the NetworkPolicy one.
        let mut columns: Vec<Result<usize, Option<&Bits>>> = Vec::with_capacity(n);
        for (j, lists) in self.tiers.ingress.iter().enumerate() {
            let np_set = np.ingress.get(j).copied().flatten();
            if lists.is_empty() {
                columns.push(Err(np_set));
                continue;
            }
            let key = (lists, np_set.map(|s| s as *const Bits));
            let named = self.tiers.any_named(lists);
            if let Some(k) = shared.get(&key).filter(|_| !named) {
                columns.push(Ok(*k));
                continue;
            }
            let mut set = Bits::new(n);
            for i in 0..n {
                if self.side(lists, i, j, np_set.map(|s| s.get(i))) {
                    set.set(i);
                }
            }
            sets.push(set);
            if !named {
                shared.insert(key, sets.len() - 1);
            }
            columns.push(Ok(sets.len() - 1));
        }
        let columns: Vec<Option<&Bits>> = columns
            .into_iter()
            .map(|c| match c {
                Ok(k) => sets.get(k),
                Err(np_set) => np_set,
            })
            .collect();
        crate::bits::and_columns(&mut rows, &columns);
        rows
    }
}
