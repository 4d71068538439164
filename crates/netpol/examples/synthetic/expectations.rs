//! Expectations for the `netpol test` benchmark: `count` connections of a synthetic
//! cluster picked by a fixed pseudo-random walk, each expected the way the engine says it
//! is (so the file passes), on 8080/TCP or 53/UDP.

use netpol::endpoint::all_endpoints;
use netpol::{connectivity, Cluster, Protocol};

/// The expectations file (YAML) for `cluster`.
pub fn expectations_yaml(cluster: &Cluster, count: usize) -> String {
    let endpoints = all_endpoints(cluster, &[]);
    let map = connectivity(cluster, &endpoints);
    let n = endpoints.len();
    let mut out = String::new();
    if n < 2 {
        return out;
    }
    // A linear congruential walk: the same picks on every run, spread over the cluster.
    let mut state: u64 = 0x2545_f491;
    let mut written = 0;
    let mut seen = std::collections::HashSet::new();
    while written < count {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let from = (state >> 33) as usize % n;
        let to = (state >> 13) as usize % n;
        if from == to {
            continue;
        }
        let (port, protocol) = if written % 4 == 3 {
            (53, Protocol::Udp)
        } else {
            (8080, Protocol::Tcp)
        };
        let (Some(a), Some(b)) = (map.endpoints.get(from), map.endpoints.get(to)) else {
            continue;
        };
        if !seen.insert((from, to, port)) {
            continue;
        }
        let allowed = map.get(from, to).is_some_and(|c| c.allows(port, protocol));
        let verb = if allowed { "allow" } else { "deny" };
        out += &format!("- {verb}: \"{a} -> {b} : {port}/{protocol}\"\n");
        written += 1;
    }
    out
}
