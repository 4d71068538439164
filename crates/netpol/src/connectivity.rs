//! Exact connectivity: for every ordered pair, the set of allowed connections over all
//! protocols and ports, computed with port-range arithmetic (never by probing ports one by
//! one). This is what netpol-analyzer's `list` and NCA's `--connectivity` print.
//!
//! Rows and columns are computed once per class of endpoints ([`crate::classes`]), over one
//! representative of each; the map answers for every pair of endpoints from its class
//! pair, and adds a pod's loopback itself.

mod covering;

use std::collections::HashMap;
use std::rc::Rc;

use serde::ser::SerializeStruct;
use serde::Serialize;

use crate::classes::Classes;
use crate::cnp::bulk::{connections as tier_connections, TierIndex, TierLists};
use crate::cnp::Action;
use crate::endpoint::Endpoint;
use crate::eval::rule_connections;
use crate::index::Index;
use crate::model::{Cluster, PortRef};
use crate::ports::Connections;

/// Allowed connections for every ordered pair, held per pair of endpoint classes
/// ([`Classes`]): the endpoints of one class get the same answer towards everything, so a
/// cluster of thousands of replicas costs what its distinct pod templates cost.
#[derive(Clone, Debug)]
pub struct ConnectivityMap {
    /// Endpoint ids, in the order given.
    pub endpoints: Vec<String>,
    /// The distinct connection sets (few, however many pairs there are).
    table: Vec<Connections>,
    /// The endpoints' classes.
    classes: Classes,
    /// Per endpoint: a pod, which may always talk to itself (an address range's diagonal
    /// is what the policies say).
    pods: Vec<bool>,
    /// Index into `table` for a member of class a to another endpoint of class b.
    cells: Cells,
}

/// The cells a map holds.
#[derive(Clone, Debug)]
enum Cells {
    /// Every pair of classes: `cells[a * k + b]` (`k` classes).
    Dense(Vec<u32>),
    /// Only the rows and the columns of some classes (see [`connectivity_covering`]):
    /// `rows[a]` over every b, `cols[b]` over every a, `None` where not computed.
    Partial {
        rows: Vec<Option<Line>>,
        cols: Vec<Option<Line>>,
    },
}

/// One row or column of a partial map: connection-set ids over every class, two bytes
/// each while the table has fewer than 65,536 sets (it has tens in practice), four after.
/// A `diff` of two 100,000-pod snapshots holds hundreds of these lines over tens of
/// thousands of classes on each side: at four bytes they were its last 80 MB over 1 GB.
#[derive(Clone, Debug)]
enum Line {
    Narrow(Box<[u16]>),
    Wide(Box<[u32]>),
}

impl Line {
    /// `n` cells, each [`NONE`].
    fn new(n: usize) -> Line {
        Line::Narrow(vec![0; n].into_boxed_slice())
    }

    fn get(&self, i: usize) -> Option<u32> {
        match self {
            Line::Narrow(l) => l.get(i).map(|&v| u32::from(v)),
            Line::Wide(l) => l.get(i).copied(),
        }
    }

    fn set(&mut self, i: usize, id: u32) {
        if let (Line::Narrow(l), Ok(v)) = (&mut *self, u16::try_from(id)) {
            if let Some(slot) = l.get_mut(i) {
                *slot = v;
            }
            return;
        }
        if let Line::Narrow(l) = self {
            let wide: Box<[u32]> = l.iter().map(|&v| u32::from(v)).collect();
            *self = Line::Wide(wide);
        }
        if let Line::Wide(l) = self {
            if let Some(slot) = l.get_mut(i) {
                *slot = id;
            }
        }
    }
}

impl ConnectivityMap {
    /// What endpoint `from` may open to endpoint `to` (positions).
    pub fn get(&self, from: usize, to: usize) -> Option<&Connections> {
        if from == to && *self.pods.get(from)? {
            return self.table.get(ALL as usize);
        }
        let (a, b) = (self.classes.class_of(from)?, self.classes.class_of(to)?);
        self.between(a, b)
    }

    /// What a member of class `a` may open to another endpoint of class `b` (for `a ==
    /// b`: to another member, loopback aside).
    pub fn between(&self, a: usize, b: usize) -> Option<&Connections> {
        let k = self.classes.len();
        if a >= k || b >= k {
            return None;
        }
        let id = match &self.cells {
            Cells::Dense(cells) => *cells.get(a * k + b)?,
            Cells::Partial { rows, cols } => match (rows.get(a), cols.get(b)) {
                (Some(Some(row)), _) => row.get(b)?,
                (_, Some(Some(col))) => col.get(a)?,
                _ => return None,
            },
        };
        self.table.get(id as usize)
    }

    /// Whether the map holds class `a`'s whole row (every map built by [`connectivity`]
    /// does; one built by [`connectivity_covering`] only for the classes it was asked for).
    pub fn has_row(&self, a: usize) -> bool {
        match &self.cells {
            Cells::Dense(_) => a < self.classes.len(),
            Cells::Partial { rows, .. } => rows.get(a).is_some_and(Option::is_some),
        }
    }

    /// Whether the map holds class `b`'s whole column (see [`ConnectivityMap::has_row`]).
    pub fn has_column(&self, b: usize) -> bool {
        match &self.cells {
            Cells::Dense(_) => b < self.classes.len(),
            Cells::Partial { cols, .. } => cols.get(b).is_some_and(Option::is_some),
        }
    }

    /// The endpoints' classes: computing per class is exact (see [`Classes`]).
    pub fn classes(&self) -> &Classes {
        &self.classes
    }

    /// Ordered pairs (from, to, connections) with anything allowed, loopback excluded.
    pub fn allowed_pairs(&self) -> impl Iterator<Item = (usize, usize, &Connections)> {
        let n = self.endpoints.len();
        (0..n).flat_map(move |i| {
            let row = self.classes.class_of(i);
            (0..n).filter_map(move |j| {
                if i == j {
                    return None;
                }
                let c = self.between(row?, self.classes.class_of(j)?)?;
                (!c.is_empty()).then_some((i, j, c))
            })
        })
    }

    /// Ordered pairs of classes (from, to, connections) with anything allowed between
    /// distinct members (a class to itself only when it has two members or more).
    pub fn allowed_class_pairs(&self) -> impl Iterator<Item = (usize, usize, &Connections)> {
        let k = self.classes.len();
        (0..k).flat_map(move |a| {
            (0..k).filter_map(move |b| {
                if a == b && self.classes.members(a).len() < 2 {
                    return None;
                }
                let c = self.between(a, b)?;
                (!c.is_empty()).then_some((a, b, c))
            })
        })
    }
}

impl PartialEq for ConnectivityMap {
    /// The same endpoints with the same connections for every pair, however the classes
    /// fell (two clusters may split their endpoints differently and still agree).
    fn eq(&self, other: &Self) -> bool {
        let n = self.endpoints.len();
        self.endpoints == other.endpoints
            && (0..n).all(|i| (0..n).all(|j| self.get(i, j) == other.get(i, j)))
    }
}

impl Eq for ConnectivityMap {}

impl Serialize for ConnectivityMap {
    /// `{"endpoints": [...], "connections": [{"src": "x/a", "dst": "x/b", "conn": "TCP 80"}]}`
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Pair<'a> {
            src: &'a str,
            dst: &'a str,
            conn: String,
        }
        let pairs: Vec<Pair<'_>> = self
            .allowed_pairs()
            .filter_map(|(i, j, c)| {
                Some(Pair {
                    src: self.endpoints.get(i)?,
                    dst: self.endpoints.get(j)?,
                    conn: c.to_string(),
                })
            })
            .collect();
        let mut st = s.serialize_struct("ConnectivityMap", 2)?;
        st.serialize_field("endpoints", &self.endpoints)?;
        st.serialize_field("connections", &pairs)?;
        st.end()
    }
}

/// Interned connection sets, with memoised union and intersection: a cluster has few
/// distinct sets, so pairs cost hash lookups instead of range arithmetic.
struct Interner {
    table: Vec<Connections>,
    ids: HashMap<Connections, u32>,
    unions: HashMap<(u32, u32), u32>,
    intersections: HashMap<(u32, u32), u32>,
    differences: HashMap<(u32, u32), u32>,
    /// Intersections of the first [`DENSE`] sets, by `a * DENSE + b` (`u32::MAX`: not yet
    /// known): every cell asks one, and hashing the pair was most of a cell's cost.
    dense: Vec<u32>,
}

/// How many sets get their intersections in [`Interner::dense`] (a cluster has few).
const DENSE: usize = 128;

const NONE: u32 = 0;
const ALL: u32 = 1;

impl Interner {
    fn new() -> Interner {
        let mut i = Interner {
            table: Vec::new(),
            ids: HashMap::new(),
            unions: HashMap::new(),
            intersections: HashMap::new(),
            differences: HashMap::new(),
            dense: vec![u32::MAX; DENSE * DENSE],
        };
        i.intern(Connections::none());
        i.intern(Connections::all());
        i
    }

    fn intern(&mut self, c: Connections) -> u32 {
        if let Some(id) = self.ids.get(&c) {
            return *id;
        }
        let id = u32::try_from(self.table.len()).unwrap_or(u32::MAX);
        self.table.push(c.clone());
        self.ids.insert(c, id);
        id
    }

    fn get(&self, id: u32) -> Connections {
        self.table.get(id as usize).cloned().unwrap_or_default()
    }

    fn union(&mut self, a: u32, b: u32) -> u32 {
        match (a, b) {
            (NONE, x) | (x, NONE) => x,
            (ALL, _) | (_, ALL) => ALL,
            _ if a == b => a,
            _ => {
                let key = (a.min(b), a.max(b));
                if let Some(id) = self.unions.get(&key) {
                    return *id;
                }
                let id = self.intern(self.get(a).union(&self.get(b)));
                self.unions.insert(key, id);
                id
            }
        }
    }

    fn difference(&mut self, a: u32, b: u32) -> u32 {
        match (a, b) {
            (NONE, _) | (_, ALL) => NONE,
            (x, NONE) => x,
            _ if a == b => NONE,
            _ => {
                if let Some(id) = self.differences.get(&(a, b)) {
                    return *id;
                }
                let id = self.intern(self.get(a).difference(&self.get(b)));
                self.differences.insert((a, b), id);
                id
            }
        }
    }

    /// Called once per cell, so kept inline (as it was before the tiers called it too).
    #[inline(always)]
    fn intersect(&mut self, a: u32, b: u32) -> u32 {
        match (a, b) {
            (NONE, _) | (_, NONE) => NONE,
            (ALL, x) | (x, ALL) => x,
            _ if a == b => a,
            _ => {
                let at = (a as usize) * DENSE + b as usize;
                let dense = (a as usize) < DENSE && (b as usize) < DENSE;
                if let Some(&id) = self.dense.get(at).filter(|&&id| dense && id != u32::MAX) {
                    return id;
                }
                let id = self.intersect_slow(a, b);
                if let (true, Some(slot)) = (dense, self.dense.get_mut(at)) {
                    *slot = id;
                }
                id
            }
        }
    }

    /// [`Interner::intersect`] through the hash map: a pair met for the first time, or a
    /// pair of rare sets.
    #[inline(never)]
    fn intersect_slow(&mut self, a: u32, b: u32) -> u32 {
        let key = (a.min(b), a.max(b));
        if let Some(id) = self.intersections.get(&key) {
            return *id;
        }
        let id = self.intern(self.get(a).intersect(&self.get(b)));
        self.intersections.insert(key, id);
        id
    }
}

/// Exact allowed connections between every ordered pair of `endpoints`.
pub fn connectivity(cluster: &Cluster, endpoints: &[Endpoint]) -> ConnectivityMap {
    let (classes, stand_ins) = classes(cluster, endpoints);
    let mut cells = Product(Vec::new());
    let table = build(cluster, &stand_ins, &mut cells);
    map(cluster, endpoints, table, classes, Cells::Dense(cells.0))
}

/// [`connectivity`] for the rows and columns a comparison needs: only the classes with a
/// member marked in `wanted` (by endpoint position) get their row and their column; every
/// other pair of classes is left out, and [`ConnectivityMap::between`] answers `None` for
/// it. `netpol diff` asks for the endpoints a change can reach (`diff::Cover`), so an
/// unchanged cluster computes no cell at all.
pub fn connectivity_covering(
    cluster: &Cluster,
    endpoints: &[Endpoint],
    wanted: &[bool],
) -> ConnectivityMap {
    if !wanted.contains(&true) {
        // Nothing to compute: an unchanged cluster costs no class and no cell.
        let classes = Classes::singletons(endpoints.len());
        let none = vec![None; classes.len()];
        let cells = Cells::Partial {
            rows: none.clone(),
            cols: none,
        };
        return map(cluster, endpoints, Vec::new(), classes, cells);
    }
    let (classes, stand_ins) = classes(cluster, endpoints);
    let mut rows = vec![false; classes.len()];
    for (pos, &w) in wanted.iter().enumerate() {
        if let (true, Some(c)) = (w, classes.class_of(pos)) {
            if let Some(slot) = rows.get_mut(c) {
                *slot = true;
            }
        }
    }
    let mut cells = Partial::new(rows);
    let table = build(cluster, &stand_ins, &mut cells);
    let cells = Cells::Partial {
        rows: cells.rows,
        cols: cells.cols,
    };
    map(cluster, endpoints, table, classes, cells)
}

/// [`connectivity`] with every endpoint a class of its own: the per-pod computation the
/// classes are held to (the property tests compare the two; so can a benchmark). Same
/// result, slower.
pub fn connectivity_per_endpoint(cluster: &Cluster, endpoints: &[Endpoint]) -> ConnectivityMap {
    let mut cells = Product(Vec::new());
    let alone = StandIns {
        endpoints: endpoints.to_vec(),
        partners: vec![None; endpoints.len()],
    };
    let table = build(cluster, &alone, &mut cells);
    let classes = Classes::singletons(endpoints.len());
    map(cluster, endpoints, table, classes, Cells::Dense(cells.0))
}

/// What each side allows on its own, for every ordered pair: the sender's egress (first)
/// and the receiver's ingress (second), each after the whole tier chain. A connection is
/// allowed where both are; [`connectivity`] is their intersection. The lesson grader
/// compares sides, so that an ingress rule that admits too much is seen even where every
/// sender's egress happens to deny today.
pub fn connectivity_by_side(
    cluster: &Cluster,
    endpoints: &[Endpoint],
) -> (ConnectivityMap, ConnectivityMap) {
    let (classes, stand_ins) = classes(cluster, endpoints);
    let mut cells = BySide::default();
    let table = build(cluster, &stand_ins, &mut cells);
    let egress = map(
        cluster,
        endpoints,
        table.clone(),
        classes.clone(),
        Cells::Dense(cells.egress),
    );
    let ingress = map(
        cluster,
        endpoints,
        table,
        classes,
        Cells::Dense(cells.ingress),
    );
    (egress, ingress)
}

/// One endpoint per class, the list the rows and columns are computed over, and per class
/// a second member when it has one: a class towards itself is a member towards another
/// member, which the pair-by-pair path (with Cilium policies) must ask as such, not as a
/// pod towards itself (loopback).
struct StandIns {
    endpoints: Vec<Endpoint>,
    partners: Vec<Option<Endpoint>>,
}

/// The endpoints' classes and their stand-ins.
fn classes(cluster: &Cluster, endpoints: &[Endpoint]) -> (Classes, StandIns) {
    let classes = Classes::of_endpoints(cluster, endpoints);
    let member = |class: usize, k: usize| {
        let pos = *classes.members(class).get(k)?;
        endpoints.get(pos).cloned()
    };
    let stand_ins = StandIns {
        endpoints: (0..classes.len()).filter_map(|c| member(c, 0)).collect(),
        partners: (0..classes.len()).map(|c| member(c, 1)).collect(),
    };
    (classes, stand_ins)
}

fn map(
    cluster: &Cluster,
    endpoints: &[Endpoint],
    table: Vec<Connections>,
    classes: Classes,
    cells: Cells,
) -> ConnectivityMap {
    ConnectivityMap {
        endpoints: endpoints.iter().map(|e| e.id(cluster)).collect(),
        table,
        classes,
        pods: endpoints
            .iter()
            .map(|e| matches!(e, Endpoint::Pod(_)))
            .collect(),
        cells,
    }
}

/// Where each cell's two sides go: into one map of what gets through, or into one map
/// per side. Generic, so the usual path compiles to what it was before sides existed.
trait CellSink {
    /// Room for `n` cells.
    fn reserve(&mut self, n: usize);
    /// The cells wanted: `None` for every one, in row order.
    fn wanted(&self) -> Option<&Wanted> {
        None
    }
    /// The sender's egress and the receiver's ingress for the pair (`i`, `j`).
    fn push(&mut self, interner: &mut Interner, i: usize, j: usize, egress: u32, ingress: u32);
}

/// Some rows whole, and in every other row the columns of the same classes.
#[derive(Clone)]
struct Wanted {
    rows: Vec<bool>,
    columns: Vec<usize>,
}

/// Calls `f` with every column of row `i` that is wanted.
fn for_each_column(wanted: &Wanted, i: usize, n: usize, mut f: impl FnMut(usize)) {
    if wanted.rows.get(i).copied().unwrap_or(false) {
        (0..n).for_each(f);
    } else {
        wanted.columns.iter().for_each(|&j| f(j));
    }
}

/// The rows and columns of some classes (see [`connectivity_covering`]).
struct Partial {
    wanted: Wanted,
    rows: Vec<Option<Line>>,
    cols: Vec<Option<Line>>,
}

impl Partial {
    fn new(rows: Vec<bool>) -> Partial {
        let n = rows.len();
        let line = |&w: &bool| w.then(|| Line::new(n));
        Partial {
            rows: rows.iter().map(line).collect(),
            cols: rows.iter().map(line).collect(),
            wanted: Wanted {
                columns: (0..n).filter(|&j| rows.get(j) == Some(&true)).collect(),
                rows,
            },
        }
    }
}

impl CellSink for Partial {
    fn reserve(&mut self, _: usize) {}

    fn wanted(&self) -> Option<&Wanted> {
        Some(&self.wanted)
    }

    fn push(&mut self, interner: &mut Interner, i: usize, j: usize, egress: u32, ingress: u32) {
        let id = interner.intersect(egress, ingress);
        if let Some(Some(row)) = self.rows.get_mut(i) {
            row.set(j, id);
        }
        if let Some(Some(col)) = self.cols.get_mut(j) {
            col.set(i, id);
        }
    }
}

/// The connections that get through: both sides' intersection.
struct Product(Vec<u32>);

impl CellSink for Product {
    fn reserve(&mut self, n: usize) {
        self.0.reserve(n);
    }

    #[inline(always)]
    fn push(&mut self, interner: &mut Interner, _: usize, _: usize, egress: u32, ingress: u32) {
        self.0.push(interner.intersect(egress, ingress));
    }
}

/// Each side on its own.
#[derive(Default)]
struct BySide {
    egress: Vec<u32>,
    ingress: Vec<u32>,
}

impl CellSink for BySide {
    fn reserve(&mut self, n: usize) {
        self.egress.reserve(n);
        self.ingress.reserve(n);
    }

    fn push(&mut self, _: &mut Interner, _: usize, _: usize, egress: u32, ingress: u32) {
        self.egress.push(egress);
        self.ingress.push(ingress);
    }
}

/// Fills `cells` for every ordered pair of `endpoints` (one per class: the diagonal is a
/// member of a class towards another member, so no loopback here; the map adds it per
/// pod) and returns the table of distinct connection sets the cells index.
fn build<S: CellSink>(cluster: &Cluster, stand_ins: &StandIns, cells: &mut S) -> Vec<Connections> {
    let endpoints = stand_ins.endpoints.as_slice();
    if cluster.cilium.has_policies() {
        return per_pair_cells(cluster, stand_ins, cells);
    }
    let index = Index::build(cluster, endpoints);
    let n = endpoints.len();
    let mut interner = Interner::new();
    let named: Vec<bool> = index
        .rules
        .iter()
        .map(|r| {
            r.rule
                .ports
                .iter()
                .any(|p| matches!(p.port, Some(PortRef::Name(_))))
        })
        .collect();
    // Without named ports a rule allows the same connections towards every destination.
    let fixed: Vec<u32> = index
        .rules
        .iter()
        .map(|r| {
            interner.intern(rule_connections(
                cluster,
                r.rule,
                &Endpoint::External(any_cidr()),
            ))
        })
        .collect();
    let rule_conn = |interner: &mut Interner, id: usize, dst: &Endpoint| -> u32 {
        match (named.get(id), index.rules.get(id)) {
            (Some(true), Some(r)) => interner.intern(rule_connections(cluster, r.rule, dst)),
            _ => cell(&fixed, id),
        }
    };

    if let Some(wanted) = cells.wanted().cloned() {
        covering::cells(&index, &rule_conn, &wanted, &mut interner, cells);
        return interner.table;
    }

    // Egress: a row over destinations, shared by every source with the same rules.
    let mut egress_rows: HashMap<&[usize], Vec<u32>> = HashMap::new();
    for iso in index.egress.iter().filter(|iso| iso.isolated) {
        if egress_rows.contains_key(iso.rules.as_slice()) {
            continue;
        }
        let mut row = vec![NONE; n];
        for &id in &iso.rules {
            let Some(rule) = index.rules.get(id) else {
                continue;
            };
            for j in rule.peers.ones() {
                let (Some(dst), Some(cell)) = (endpoints.get(j), row.get(j).copied()) else {
                    continue;
                };
                let c = rule_conn(&mut interner, id, dst);
                if let Some(slot) = row.get_mut(j) {
                    *slot = interner.union(cell, c);
                }
            }
        }
        egress_rows.insert(iso.rules.as_slice(), row);
    }

    // Ingress: a column over sources, per destination (named ports resolve on it). Equal
    // columns are kept once: destinations share them (and with classes, many columns
    // that named ports make per destination still come out equal).
    let mut ingress_cols: Vec<Option<Rc<Vec<u32>>>> = Vec::with_capacity(n);
    let mut shared: HashMap<&[usize], Rc<Vec<u32>>> = HashMap::new();
    let mut distinct: HashMap<Rc<Vec<u32>>, ()> = HashMap::new();
    for (j, iso) in index.ingress.iter().enumerate() {
        if !iso.isolated {
            ingress_cols.push(None);
            continue;
        }
        let depends_on_dst = iso.rules.iter().any(|id| named.get(*id) == Some(&true));
        if !depends_on_dst {
            if let Some(col) = shared.get(iso.rules.as_slice()) {
                ingress_cols.push(Some(Rc::clone(col)));
                continue;
            }
        }
        let Some(dst) = endpoints.get(j) else {
            ingress_cols.push(None);
            continue;
        };
        let mut col = vec![NONE; n];
        for &id in &iso.rules {
            let Some(rule) = index.rules.get(id) else {
                continue;
            };
            let c = rule_conn(&mut interner, id, dst);
            for i in rule.peers.ones() {
                if let Some(slot) = col.get_mut(i) {
                    *slot = interner.union(*slot, c);
                }
            }
        }
        let col = match distinct.get_key_value(&col) {
            Some((kept, ())) => Rc::clone(kept),
            None => {
                let col = Rc::new(col);
                distinct.insert(Rc::clone(&col), ());
                col
            }
        };
        if !depends_on_dst {
            shared.insert(iso.rules.as_slice(), Rc::clone(&col));
        }
        ingress_cols.push(Some(col));
    }

    if let Some(tiers) = &index.tiers {
        let np = NetworkPolicyCells {
            egress_rows: &egress_rows,
            ingress_cols: &ingress_cols,
            named: &named,
        };
        tiered_cells(&index, tiers, &np, &mut interner, cells);
        return interner.table;
    }
    // Per destination, its column among the distinct ones (`None`: not isolated). A row
    // reads each distinct column once, at its own position, instead of one column per
    // cell: reading columns cell by cell missed the cache on every cell.
    let columns: Vec<Rc<Vec<u32>>> = distinct.into_keys().collect();
    let position: HashMap<*const Vec<u32>, usize> = columns
        .iter()
        .enumerate()
        .map(|(k, c)| (Rc::as_ptr(c), k))
        .collect();
    let column_of: Vec<Option<usize>> = ingress_cols
        .iter()
        .map(|c| {
            let c = c.as_ref()?;
            position.get(&Rc::as_ptr(c)).copied()
        })
        .collect();
    let mut at_row = vec![NONE; columns.len()];
    cells.reserve(n * n);
    for i in 0..n {
        let row = index
            .egress
            .get(i)
            .filter(|iso| iso.isolated)
            .and_then(|iso| egress_rows.get(iso.rules.as_slice()));
        for (slot, col) in at_row.iter_mut().zip(&columns) {
            *slot = cell(col, i);
        }
        for j in 0..n {
            // Not isolated: everything; isolated: what its rules allow.
            let egress = row.map_or(ALL, |r| cell(r, j));
            let ingress = built(column_of.get(j))
                .copied()
                .flatten()
                .map_or(ALL, |c| cell(&at_row, c));
            cells.push(&mut interner, i, j, egress, ingress);
        }
    }
    interner.table
}

/// With Cilium policies: the sides they can change come from the chain itself
/// (`cilium::bulk`), which the bit-set index does not know; every other side is the
/// NetworkPolicy-and-tiers answer, from the usual path over the cluster without them.
/// Kept out of line, off the NetworkPolicy-only path.
#[inline(never)]
fn per_pair_cells<S: CellSink>(
    cluster: &Cluster,
    stand_ins: &StandIns,
    cells: &mut S,
) -> Vec<Connections> {
    use crate::model::Direction;
    let endpoints = stand_ins.endpoints.as_slice();
    let chain = crate::cilium::bulk::PerPair::new(cluster);
    let mut without = cluster.clone();
    without.cilium = crate::cilium::CiliumObjects::default();
    let (plain_egress, plain_ingress) = connectivity_by_side(&without, endpoints);
    let mut interner = Interner::new();
    cells.reserve(endpoints.len() * endpoints.len());
    for (i, src) in endpoints.iter().enumerate() {
        for (j, to) in endpoints.iter().enumerate() {
            // A class towards itself: its stand-in towards another member (a class of one
            // pod is only ever asked as a pod to itself, which the map answers on its own).
            let partner = stand_ins.partners.get(i).and_then(Option::as_ref);
            let dst = match (i == j, src, partner) {
                (true, Endpoint::Pod(_), Some(other)) => other,
                (true, Endpoint::Pod(_), None) => {
                    cells.push(&mut interner, i, j, ALL, ALL);
                    continue;
                }
                _ => to,
            };
            // The plain maps hold the stand-ins as endpoints; their own classes are
            // coarser (no Cilium identity), so a stand-in and its partner share one.
            let plain = |map: &ConnectivityMap| {
                let cell = if i == j {
                    let c = map.classes().class_of(i);
                    c.and_then(|c| map.between(c, c))
                } else {
                    map.get(i, j)
                };
                cell.cloned().unwrap_or_else(Connections::none)
            };
            let (egress_matters, ingress_matters) = (
                chain.matters(Direction::Egress, src, dst),
                chain.matters(Direction::Ingress, src, dst),
            );
            let (egress, ingress) = if egress_matters || ingress_matters {
                let (e, g) = chain.sides(src, dst);
                (
                    if egress_matters {
                        e
                    } else {
                        plain(&plain_egress)
                    },
                    if ingress_matters {
                        g
                    } else {
                        plain(&plain_ingress)
                    },
                )
            } else {
                (plain(&plain_egress), plain(&plain_ingress))
            };
            let (egress, ingress) = (interner.intern(egress), interner.intern(ingress));
            cells.push(&mut interner, i, j, egress, ingress);
        }
    }
    interner.table
}

/// What the NetworkPolicies alone allow: egress rows by rule set, ingress columns by
/// destination (`None` when not isolated).
struct NetworkPolicyCells<'a, 'b> {
    egress_rows: &'a HashMap<&'b [usize], Vec<u32>>,
    ingress_cols: &'a [Option<Rc<Vec<u32>>>],
    /// Per rule: whether a named port makes its ports depend on the destination.
    named: &'a [bool],
}

/// A row or column of the tiers is shared by the endpoints with the same tier rules and
/// NetworkPolicy rules (`None`: not isolated).
type SideKey<'k> = (&'k TierLists, Option<&'k [usize]>);

/// Every cell with the tiers: per direction, the Admin tier's Accept set, then for what it
/// neither accepts nor denies, the NetworkPolicies (for the pods they isolate) or what the
/// Baseline tier does not deny. Kept out of line: it must not change the code of the
/// NetworkPolicy-only path.
#[inline(never)]
fn tiered_cells<S: CellSink>(
    index: &Index<'_>,
    tiers: &TierIndex<'_>,
    np: &NetworkPolicyCells<'_, '_>,
    interner: &mut Interner,
    cells: &mut S,
) {
    let endpoints = index.endpoints;
    let n = endpoints.len();
    let mut chain = Chain::new(tiers, index.cluster);
    let (egress_keys, rows) = tier_rows(index, tiers, np, &mut chain, interner);
    let cols = tier_cols(index, tiers, np, &mut chain, interner);
    cells.reserve(n * n);
    for i in 0..n {
        let np_row = index
            .egress
            .get(i)
            .filter(|iso| iso.isolated)
            .and_then(|iso| np.egress_rows.get(iso.rules.as_slice()));
        let row = egress_keys
            .get(i)
            .copied()
            .flatten()
            .and_then(|k| rows.get(&k))
            .or(np_row);
        for j in 0..n {
            let egress = row.map_or(ALL, |r| cell(r, j));
            let col = cols
                .get(j)
                .and_then(Option::as_ref)
                .or_else(|| np.ingress_cols.get(j).and_then(Option::as_ref));
            let ingress = col.map_or(ALL, |c| cell(c, i));
            cells.push(interner, i, j, egress, ingress);
        }
    }
}

/// Egress with tiers: a row over destinations per key of the sources (named ports resolve
/// on the destination, which the row already runs over). Returns each source's key.
fn tier_rows<'i>(
    index: &'i Index<'_>,
    tiers: &'i TierIndex<'_>,
    np: &NetworkPolicyCells<'_, '_>,
    chain: &mut Chain<'_, '_>,
    interner: &mut Interner,
) -> (Vec<Option<SideKey<'i>>>, HashMap<SideKey<'i>, Vec<u32>>) {
    let mut rows: HashMap<SideKey<'_>, Vec<u32>> = HashMap::new();
    let mut keys = Vec::with_capacity(index.endpoints.len());
    for (lists, iso) in tiers.egress.iter().zip(&index.egress) {
        if lists.is_empty() {
            keys.push(None);
            continue;
        }
        let key = (lists, iso.isolated.then_some(iso.rules.as_slice()));
        rows.entry(key).or_insert_with(|| {
            let np_row = key.1.and_then(|rules| np.egress_rows.get(rules));
            index
                .endpoints
                .iter()
                .enumerate()
                .map(|(j, dst)| {
                    let np_cell = np_row.map(|r| cell(r, j));
                    chain.side(interner, lists, j, dst, np_cell)
                })
                .collect()
        });
        keys.push(Some(key));
    }
    (keys, rows)
}

/// Ingress with tiers: a column over sources per destination (`None` without tier rules),
/// shared between destinations with the same key when no named port makes it depend on
/// the destination.
fn tier_cols(
    index: &Index<'_>,
    tiers: &TierIndex<'_>,
    np: &NetworkPolicyCells<'_, '_>,
    chain: &mut Chain<'_, '_>,
    interner: &mut Interner,
) -> Vec<Option<Rc<Vec<u32>>>> {
    let n = index.endpoints.len();
    let mut shared: HashMap<SideKey<'_>, Rc<Vec<u32>>> = HashMap::new();
    let mut cols = Vec::with_capacity(n);
    for (j, (lists, iso)) in tiers.ingress.iter().zip(&index.ingress).enumerate() {
        let Some(dst) = index.endpoints.get(j).filter(|_| !lists.is_empty()) else {
            cols.push(None);
            continue;
        };
        let key = (lists, iso.isolated.then_some(iso.rules.as_slice()));
        let depends_on_dst =
            tiers.any_named(lists) || iso.rules.iter().any(|id| np.named.get(*id) == Some(&true));
        if let Some(col) = shared.get(&key).filter(|_| !depends_on_dst) {
            cols.push(Some(Rc::clone(col)));
            continue;
        }
        let np_col = np.ingress_cols.get(j).and_then(Option::as_ref);
        let col: Rc<Vec<u32>> = (0..n)
            .map(|i| {
                let np_cell = np_col.map(|c| cell(c, i));
                chain.side(interner, lists, i, dst, np_cell)
            })
            .collect::<Vec<u32>>()
            .into();
        if !depends_on_dst {
            shared.insert(key, Rc::clone(&col));
        }
        cols.push(Some(col));
    }
    cols
}

/// One direction's chain over interned connection sets, memoised by the sequence of
/// matching rules (pairs with the same sequence get the same sets).
struct Chain<'t, 'a> {
    tiers: &'t TierIndex<'a>,
    cluster: &'a Cluster,
    /// Rule id → its connections when they do not depend on the destination.
    fixed: HashMap<usize, u32>,
    /// Matching (connections, action) sequence → (accepted, denied).
    memo: HashMap<Vec<(u32, Action)>, (u32, u32)>,
    /// The sequence being built (one allocation for all pairs).
    scratch: Vec<(u32, Action)>,
}

impl<'t, 'a> Chain<'t, 'a> {
    /// The chain over `tiers`, with nothing memoised yet.
    fn new(tiers: &'t TierIndex<'a>, cluster: &'a Cluster) -> Chain<'t, 'a> {
        Chain {
            tiers,
            cluster,
            fixed: HashMap::new(),
            memo: HashMap::new(),
            scratch: Vec::new(),
        }
    }

    /// What one direction allows: `np` is the NetworkPolicy answer for an isolated pod.
    fn side(
        &mut self,
        interner: &mut Interner,
        lists: &TierLists,
        other: usize,
        dst: &Endpoint,
        np: Option<u32>,
    ) -> u32 {
        let (accepted, denied) = self.first_match(interner, &lists.admin, other, dst);
        let undecided = interner.difference(ALL, accepted);
        let undecided = interner.difference(undecided, denied);
        let below = match np {
            Some(np) => np,
            None => {
                let (_, base_denied) = self.first_match(interner, &lists.baseline, other, dst);
                interner.difference(ALL, base_denied)
            }
        };
        let rest = interner.intersect(undecided, below);
        interner.union(accepted, rest)
    }

    /// First-match over `list` towards `other`: what Accept rules and Deny rules take.
    fn first_match(
        &mut self,
        interner: &mut Interner,
        list: &[usize],
        other: usize,
        dst: &Endpoint,
    ) -> (u32, u32) {
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        for (id, rule) in self.tiers.matching(list, other) {
            let conn = if rule.named {
                interner.intern(tier_connections(self.cluster, rule, dst))
            } else {
                match self.fixed.get(&id) {
                    Some(c) => *c,
                    None => {
                        let c = interner.intern(tier_connections(
                            self.cluster,
                            rule,
                            &Endpoint::External(any_cidr()),
                        ));
                        self.fixed.insert(id, c);
                        c
                    }
                }
            };
            key.push((conn, rule.rule.action));
        }
        if let Some(found) = self.memo.get(key.as_slice()).copied() {
            self.scratch = key;
            return found;
        }
        let (mut rest, mut accepted, mut denied) = (ALL, NONE, NONE);
        for &(conn, action) in &key {
            let taken = interner.intersect(rest, conn);
            match action {
                Action::Accept => accepted = interner.union(accepted, taken),
                Action::Deny => denied = interner.union(denied, taken),
                Action::Pass => {}
            }
            rest = interner.difference(rest, taken);
            if rest == NONE {
                break;
            }
        }
        self.memo.insert(key.clone(), (accepted, denied));
        self.scratch = key;
        (accepted, denied)
    }
}

fn any_cidr() -> crate::cidr::Cidr {
    crate::cidr::Cidr {
        addr: std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        prefix: 0,
    }
}

/// Cell `at` of a row or column. Rows and columns are built over every endpoint (rule
/// tables over every rule), so a missing cell is a bug, not a verdict: debug builds, which
/// every test runs, stop on it; a release build denies, the side that opens nothing.
fn cell(cells: &[u32], at: usize) -> u32 {
    let found = cells.get(at).copied();
    debug_assert!(found.is_some(), "no cell {at} among {}", cells.len());
    found.unwrap_or(NONE)
}

/// An entry that was built for every endpoint; `None` here is a bug (see [`cell`]).
fn built<T>(entry: Option<T>) -> Option<T> {
    debug_assert!(entry.is_some(), "an endpoint without its entry");
    entry
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cidr::Cidr;
    use crate::test_support::cluster;

    #[test]
    fn a_line_widens_when_an_id_needs_more_than_two_bytes() {
        let mut line = Line::new(3);
        line.set(1, 5);
        assert!(matches!(line, Line::Narrow(_)));
        line.set(2, 70_000);
        assert!(matches!(line, Line::Wide(_)));
        assert_eq!(
            (line.get(0), line.get(1), line.get(2), line.get(3)),
            (Some(NONE), Some(5), Some(70_000), None)
        );
    }

    /// Two replicas of `web`, isolated for ingress with nothing allowed in.
    const DENY_IN: &str = "
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: x, labels: {app: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: x, labels: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-in, namespace: x}
spec: {podSelector: {}}
";

    #[test]
    fn a_class_cell_is_between_two_members_and_a_pod_to_itself_is_loopback() {
        let c = cluster(DENY_IN);
        let net = Cidr::parse("8.8.8.8", true).unwrap();
        // The same pod twice (as the app's inspector asks about an arrow from a pod to
        // itself) and an address: one class of pods, one of the address.
        let eps = [
            Endpoint::Pod(0),
            Endpoint::Pod(1),
            Endpoint::Pod(0),
            Endpoint::External(net),
        ];
        let map = connectivity(&c, &eps);
        assert_eq!(map.classes().len(), 2);
        let none = Connections::none();
        let all = Connections::all();
        assert_eq!(map.get(0, 0), Some(&all), "loopback");
        assert_eq!(map.get(0, 1), Some(&none), "another replica");
        assert_eq!(
            map.get(0, 2),
            Some(&none),
            "the same pod at another position"
        );
        assert_eq!(
            map.get(3, 3),
            Some(&all),
            "an address to itself: nothing isolates it"
        );
        assert_eq!(map.get(3, 0), Some(&none));
        assert_eq!(map.get(0, 4), None);
        assert_eq!(map, connectivity_per_endpoint(&c, &eps));
        assert_eq!(
            map.allowed_pairs()
                .map(|(i, j, _)| (i, j))
                .collect::<Vec<_>>(),
            [(0, 3), (1, 3), (2, 3)]
        );
        // Between classes: web to web is denied, web to the address allowed, and the
        // address's class has one member, so no pair with itself.
        assert_eq!(
            map.allowed_class_pairs()
                .map(|(a, b, _)| (a, b))
                .collect::<Vec<_>>(),
            [(0, 1)]
        );
    }
}
