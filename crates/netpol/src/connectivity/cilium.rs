//! `connectivity` with Cilium policies and no ClusterNetworkPolicy: each side's exact port
//! sets from the bit sets of `matrix` (NetworkPolicy rows and columns with the Cilium
//! policies folded in, `cilium::sets`), one probe per piece of the port space where no rule
//! tells two ports apart (`cilium::bulk::PerPair::pieces`). A cell's connections are the
//! pieces its side allows. The per-pair chain (`per_pair_cells`) stays for the tiers and for
//! tables too large to hold one bit per cell and piece.

use std::collections::HashMap;

use super::{CellSink, Interner, StandIns, ALL};
use crate::bits::Bits;
use crate::cilium::bulk::PerPair;
use crate::cilium::sets::CiliumSets;
use crate::index::Index;
use crate::matrix::network_policy_sides;
use crate::model::Cluster;
use crate::ports::{Connections, PortRanges};

/// Above this many bits (cells × pieces, per side), the per-pair chain is used instead.
const MAX_BITS: usize = 1 << 32;

/// One probe's answers: egress rows (per source, the destinations allowed) and ingress
/// columns (per destination, the sources allowed; `None`: every one).
struct Piece {
    connections: Connections,
    rows: Vec<Bits>,
    columns: Vec<Option<Bits>>,
}

/// Fills `cells` as `per_pair_cells` does, or returns `None` when the table is too large for
/// one bit per cell and piece.
pub(super) fn set_cells<S: CellSink>(
    cluster: &Cluster,
    stand_ins: &StandIns,
    cells: &mut S,
) -> Option<Vec<Connections>> {
    let n = stand_ins.endpoints.len();
    // A class towards itself is its stand-in towards another member: the partners join
    // the endpoint list after the stand-ins.
    let mut all = stand_ins.endpoints.clone();
    let partner: Vec<Option<usize>> = stand_ins
        .partners
        .iter()
        .map(|p| {
            p.as_ref().map(|p| {
                all.push(p.clone());
                all.len() - 1
            })
        })
        .collect();
    let pieces = PerPair::new(cluster).pieces();
    if all
        .len()
        .saturating_mul(all.len())
        .saturating_mul(pieces.len())
        > MAX_BITS
    {
        return None;
    }
    let index = Index::build(cluster, &all);
    let sets = CiliumSets::build(cluster, &all);
    let isolated: Vec<bool> = index.egress.iter().map(|iso| iso.isolated).collect();
    let answers: Vec<Piece> = pieces
        .iter()
        .map(|&(protocol, lo, hi)| {
            let sides = network_policy_sides(&index, lo, protocol);
            let mut rows = sides.rows;
            let columns: Vec<Option<&Bits>> = sides
                .columns
                .iter()
                .map(|c| c.and_then(|k| sides.allowed_sets.get(k)))
                .collect();
            let columns = sets.fold(&mut rows, &isolated, &columns, lo, protocol);
            Piece {
                connections: Connections::of(protocol, PortRanges::range(lo, hi)),
                rows,
                columns,
            }
        })
        .collect();

    let mut interner = Interner::new();
    let mut egress_ids: HashMap<Vec<u64>, u32> = HashMap::new();
    let mut ingress_ids: HashMap<Vec<u64>, u32> = HashMap::new();
    let words = answers.len().div_ceil(64);
    let (mut egress, mut ingress) = (vec![0u64; words], vec![0u64; words]);
    cells.reserve(n * n);
    for i in 0..n {
        for j in 0..n {
            let dst = match (i == j, partner.get(i).copied().flatten()) {
                (true, Some(p)) => p,
                (true, None) => {
                    // A class of one pod is only asked as a pod to itself (the map's).
                    cells.push(&mut interner, i, j, ALL, ALL);
                    continue;
                }
                (false, _) => j,
            };
            egress.fill(0);
            ingress.fill(0);
            for (k, a) in answers.iter().enumerate() {
                let bit = 1u64 << (k % 64);
                if a.rows.get(i).is_some_and(|r| r.get(dst)) {
                    egress[k / 64] |= bit;
                }
                if a.columns
                    .get(dst)
                    .is_none_or(|c| c.as_ref().is_none_or(|c| c.get(i)))
                {
                    ingress[k / 64] |= bit;
                }
            }
            let e = id_of(&egress, &answers, &mut egress_ids, &mut interner);
            let g = id_of(&ingress, &answers, &mut ingress_ids, &mut interner);
            cells.push(&mut interner, i, j, e, g);
        }
    }
    Some(interner.table)
}

/// The interned connections of the pieces set in `mask`.
fn id_of(
    mask: &[u64],
    answers: &[Piece],
    ids: &mut HashMap<Vec<u64>, u32>,
    interner: &mut Interner,
) -> u32 {
    if let Some(id) = ids.get(mask) {
        return *id;
    }
    let mut c = Connections::none();
    for (k, a) in answers.iter().enumerate() {
        if mask.get(k / 64).is_some_and(|w| w & (1 << (k % 64)) != 0) {
            c = c.union(&a.connections);
        }
    }
    let id = interner.intern(c);
    ids.insert(mask.to_vec(), id);
    id
}
