//! Exact connectivity: for every ordered pair, the set of allowed connections over all
//! protocols and ports, computed with port-range arithmetic (never by probing ports one by
//! one). This is what netpol-analyzer's `list` and NCA's `--connectivity` print.

use serde::ser::SerializeStruct;
use serde::Serialize;

use crate::endpoint::Endpoint;
use crate::eval::rule_connections;
use crate::index::{Index, Isolation};
use crate::model::{Cluster, PortRef};
use crate::ports::Connections;

/// Allowed connections for every ordered pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectivityMap {
    /// Endpoint ids, in the order given.
    pub endpoints: Vec<String>,
    /// `cells[i * n + j]`: from endpoint i to endpoint j.
    cells: Vec<Connections>,
}

impl ConnectivityMap {
    /// What endpoint `from` may open to endpoint `to` (positions).
    pub fn get(&self, from: usize, to: usize) -> Option<&Connections> {
        let n = self.endpoints.len();
        if from >= n || to >= n {
            return None;
        }
        self.cells.get(from * n + to)
    }

    /// Ordered pairs (from, to, connections) with anything allowed, loopback excluded.
    pub fn allowed_pairs(&self) -> impl Iterator<Item = (usize, usize, &Connections)> {
        let n = self.endpoints.len();
        self.cells
            .iter()
            .enumerate()
            .filter(move |(k, c)| k / n.max(1) != k % n.max(1) && !c.is_empty())
            .map(move |(k, c)| (k / n.max(1), k % n.max(1), c))
    }
}

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

/// Exact allowed connections between every ordered pair of `endpoints`.
pub fn connectivity(cluster: &Cluster, endpoints: &[Endpoint]) -> ConnectivityMap {
    let index = Index::build(cluster, endpoints);
    let n = endpoints.len();
    // Rules without named ports allow the same connections towards every destination.
    let fixed: Vec<Option<Connections>> = index
        .rules
        .iter()
        .map(|r| {
            let named = r
                .rule
                .ports
                .iter()
                .any(|p| matches!(p.port, Some(PortRef::Name(_))));
            (!named).then(|| rule_connections(cluster, r.rule, &Endpoint::External(any_cidr())))
        })
        .collect();
    let side = |iso: &Isolation, peer: usize, dst: &Endpoint| -> Connections {
        if !iso.isolated {
            return Connections::all();
        }
        let mut out = Connections::none();
        for &id in &iso.rules {
            let Some(rule) = index.rules.get(id) else {
                continue;
            };
            if !rule.peers.get(peer) {
                continue;
            }
            let conns = match fixed.get(id) {
                Some(Some(c)) => c.clone(),
                _ => rule_connections(cluster, rule.rule, dst),
            };
            out = out.union(&conns);
            if out.is_all() {
                break;
            }
        }
        out
    };
    let mut cells = Vec::with_capacity(n * n);
    for (i, src) in endpoints.iter().enumerate() {
        for (j, dst) in endpoints.iter().enumerate() {
            if i == j && matches!(src, Endpoint::Pod(_)) {
                cells.push(Connections::all());
                continue;
            }
            let egress = index
                .egress
                .get(i)
                .map(|iso| side(iso, j, dst))
                .unwrap_or_else(Connections::all);
            if egress.is_empty() {
                cells.push(egress);
                continue;
            }
            let ingress = index
                .ingress
                .get(j)
                .map(|iso| side(iso, i, dst))
                .unwrap_or_else(Connections::all);
            cells.push(egress.intersect(&ingress));
        }
    }
    ConnectivityMap {
        endpoints: endpoints.iter().map(|e| e.id(cluster)).collect(),
        cells,
    }
}

fn any_cidr() -> crate::cidr::Cidr {
    crate::cidr::Cidr {
        addr: std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        prefix: 0,
    }
}
