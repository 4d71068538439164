//! The cells of [`super::connectivity_covering`]: the rows and the columns of the classes a
//! comparison needs, and nothing else.
//!
//! Without ClusterNetworkPolicies each wanted line is built whole, from the rules' peer
//! sets: a row (one sender towards everyone) walks the sender's egress rules over their
//! peers, and every ingress rule whose peers hold the sender over the receivers it
//! guards; a column is the same seen from the receiver. A line costs the rules that touch
//! its endpoint, not a rule walk per cell. With tiers every wanted cell is worked out on
//! its own through the chain, as `tiered_cells` would for that pair.

use std::collections::HashMap;

use super::{for_each_column, CellSink, Chain, Interner, Wanted, ALL, NONE};
use crate::endpoint::Endpoint;
use crate::index::{Index, Isolation};

/// Fills the wanted cells of `cells` (see the module comment).
pub(super) fn cells<S: CellSink, F: Fn(&mut Interner, usize, &Endpoint) -> u32>(
    index: &Index<'_>,
    rule_conn: &F,
    wanted: &Wanted,
    interner: &mut Interner,
    cells: &mut S,
) {
    if index.tiers.is_some() {
        tiered(index, rule_conn, wanted, interner, cells);
    } else {
        lines(index, rule_conn, wanted, interner, cells);
    }
}

/// The NetworkPolicy-only path: whole rows and columns.
fn lines<S: CellSink, F: Fn(&mut Interner, usize, &Endpoint) -> u32>(
    index: &Index<'_>,
    rule_conn: &F,
    wanted: &Wanted,
    interner: &mut Interner,
    cells: &mut S,
) {
    let n = index.endpoints.len();
    let lines = Lines::new(index, rule_conn);
    for (i, _) in wanted.rows.iter().enumerate().filter(|(_, w)| **w) {
        let egress = lines.egress_row(interner, i);
        let ingress = lines.ingress_row(interner, i);
        for j in 0..n {
            cells.push(interner, i, j, at(&egress, j), at(&ingress, j));
        }
    }
    for &j in &wanted.columns {
        let egress = lines.egress_column(interner, j);
        let ingress = lines.ingress_column(interner, j);
        for i in (0..n).filter(|&i| !wanted.rows.get(i).copied().unwrap_or(false)) {
            cells.push(interner, i, j, at(&egress, i), at(&ingress, i));
        }
    }
}

fn at(line: &[u32], k: usize) -> u32 {
    line.get(k).copied().unwrap_or(NONE)
}

/// The index seen per rule: which endpoints each rule applies to (its policy isolates
/// them), the reverse of the index's per-endpoint lists.
struct Lines<'i, 'a, F> {
    index: &'i Index<'a>,
    rule_conn: &'i F,
    /// Per rule id: the endpoints whose egress it applies to.
    senders: Vec<Vec<usize>>,
    /// Per rule id: the endpoints whose ingress it applies to.
    receivers: Vec<Vec<usize>>,
}

impl<'i, 'a, F: Fn(&mut Interner, usize, &Endpoint) -> u32> Lines<'i, 'a, F> {
    fn new(index: &'i Index<'a>, rule_conn: &'i F) -> Self {
        let by_rule = |isolations: &[Isolation]| {
            let mut out = vec![Vec::new(); index.rules.len()];
            for (pos, iso) in isolations
                .iter()
                .enumerate()
                .filter(|(_, iso)| iso.isolated)
            {
                for &id in &iso.rules {
                    if let Some(list) = out.get_mut(id) {
                        list.push(pos);
                    }
                }
            }
            out
        };
        Lines {
            index,
            rule_conn,
            senders: by_rule(&index.egress),
            receivers: by_rule(&index.ingress),
        }
    }

    /// Everything for an endpoint no policy isolates in that direction, nothing (until
    /// its rules add) for one that is.
    fn start(isolations: &[Isolation]) -> Vec<u32> {
        isolations
            .iter()
            .map(|iso| if iso.isolated { NONE } else { ALL })
            .collect()
    }

    fn conn(&self, interner: &mut Interner, id: usize, to: usize) -> Option<u32> {
        let dst = self.index.endpoints.get(to)?;
        Some((self.rule_conn)(interner, id, dst))
    }

    /// What sender `i`'s egress rules let it open to every endpoint.
    fn egress_row(&self, interner: &mut Interner, i: usize) -> Vec<u32> {
        let n = self.index.endpoints.len();
        let Some(iso) = self.index.egress.get(i).filter(|iso| iso.isolated) else {
            return vec![ALL; n];
        };
        let mut row = vec![NONE; n];
        for &id in &iso.rules {
            let Some(rule) = self.index.rules.get(id) else {
                continue;
            };
            for j in rule.peers.ones() {
                if let (Some(c), Some(cell)) = (self.conn(interner, id, j), row.get_mut(j)) {
                    *cell = interner.union(*cell, c);
                }
            }
        }
        row
    }

    /// What every receiver's ingress rules let sender `i` open to it.
    fn ingress_row(&self, interner: &mut Interner, i: usize) -> Vec<u32> {
        let mut row = Self::start(&self.index.ingress);
        for (id, rule) in self.index.rules.iter().enumerate() {
            if !rule.peers.get(i) {
                continue;
            }
            for &j in self.receivers.get(id).into_iter().flatten() {
                if let (Some(c), Some(cell)) = (self.conn(interner, id, j), row.get_mut(j)) {
                    *cell = interner.union(*cell, c);
                }
            }
        }
        row
    }

    /// What every sender's egress rules let it open to receiver `j`.
    fn egress_column(&self, interner: &mut Interner, j: usize) -> Vec<u32> {
        let mut col = Self::start(&self.index.egress);
        let mut conn: HashMap<usize, Option<u32>> = HashMap::new();
        for (id, rule) in self.index.rules.iter().enumerate() {
            if !rule.peers.get(j) {
                continue;
            }
            let senders = self.senders.get(id).map_or(&[][..], Vec::as_slice);
            if senders.is_empty() {
                continue;
            }
            let c = *conn.entry(id).or_insert_with(|| self.conn(interner, id, j));
            let Some(c) = c else {
                continue;
            };
            for &i in senders {
                if let Some(cell) = col.get_mut(i) {
                    *cell = interner.union(*cell, c);
                }
            }
        }
        col
    }

    /// What receiver `j`'s ingress rules let every endpoint open to it.
    fn ingress_column(&self, interner: &mut Interner, j: usize) -> Vec<u32> {
        let n = self.index.endpoints.len();
        let Some(iso) = self.index.ingress.get(j).filter(|iso| iso.isolated) else {
            return vec![ALL; n];
        };
        let mut col = vec![NONE; n];
        for &id in &iso.rules {
            let (Some(rule), Some(c)) = (self.index.rules.get(id), self.conn(interner, id, j))
            else {
                continue;
            };
            for i in rule.peers.ones() {
                if let Some(cell) = col.get_mut(i) {
                    *cell = interner.union(*cell, c);
                }
            }
        }
        col
    }
}

/// With tiers: every wanted cell on its own.
fn tiered<S: CellSink, F: Fn(&mut Interner, usize, &Endpoint) -> u32>(
    index: &Index<'_>,
    rule_conn: &F,
    wanted: &Wanted,
    interner: &mut Interner,
    cells: &mut S,
) {
    let Some(tiers) = index.tiers.as_ref() else {
        return;
    };
    let np = DirectCells { index, rule_conn };
    let n = index.endpoints.len();
    let mut chain = Chain::new(tiers, index.cluster);
    for i in 0..n {
        for_each_column(wanted, i, n, |j| {
            let np_egress = np.side(interner, Side::Egress, i, j);
            let np_ingress = np.side(interner, Side::Ingress, i, j);
            let dst = index.endpoints.get(j);
            let egress = match (tiers.egress.get(i), dst) {
                (Some(lists), Some(dst)) if !lists.is_empty() => {
                    chain.side(interner, lists, j, dst, np_egress)
                }
                _ => np_egress.unwrap_or(ALL),
            };
            let ingress = match (tiers.ingress.get(j), dst) {
                (Some(lists), Some(dst)) if !lists.is_empty() => {
                    chain.side(interner, lists, i, dst, np_ingress)
                }
                _ => np_ingress.unwrap_or(ALL),
            };
            cells.push(interner, i, j, egress, ingress);
        });
    }
}

/// The NetworkPolicy answer of one cell, computed on its own from the index (`None`:
/// the side is not isolated), for the chain of one pair.
struct DirectCells<'i, 'a, F> {
    index: &'i Index<'a>,
    rule_conn: &'i F,
}

/// A direction, as the side of a pair whose policies decide it.
#[derive(Clone, Copy)]
enum Side {
    Egress,
    Ingress,
}

impl<F: Fn(&mut Interner, usize, &Endpoint) -> u32> DirectCells<'_, '_, F> {
    /// What the NetworkPolicies let `i` open to `j` on the side of `direction`'s subject
    /// (`i` for egress, `j` for ingress); `None` when they do not isolate it.
    fn side(&self, interner: &mut Interner, direction: Side, i: usize, j: usize) -> Option<u32> {
        let (iso, other) = match direction {
            Side::Egress => (self.index.egress.get(i)?, j),
            Side::Ingress => (self.index.ingress.get(j)?, i),
        };
        if !iso.isolated {
            return None;
        }
        let dst = self.index.endpoints.get(j)?;
        let mut out = NONE;
        for &id in &iso.rules {
            let matches = self.index.rules.get(id).is_some_and(|r| r.peers.get(other));
            if matches {
                let c = (self.rule_conn)(interner, id, dst);
                out = interner.union(out, c);
            }
        }
        Some(out)
    }
}
