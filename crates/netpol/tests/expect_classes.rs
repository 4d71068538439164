//! Classes never change a verdict (issue 20): `expect::check`, which computes per class of
//! endpoints, gives exactly the report of `expect::check_per_endpoint`, which walks every
//! connection: the same outcomes, connections counted, failures in the same order with the
//! same explanations, and the same errors (patterns that match nothing, a pod alone with
//! itself, contradictions) in the same order.
//!
//! The clusters are the shared random ones with replicas (copies of pods under other
//! names, with other addresses, some on the host network), so classes hold several pods
//! and ipBlocks, `networks`, `nodes` and hostNetwork split some of them; half of them
//! also have ClusterNetworkPolicies and Nodes. The expectations pick their ends from every
//! kind of pattern that resolves in the cluster: one pod, a namespace, label patterns in
//! one namespace and in all, everything, and addresses outside.
//!
//! Flow replay too: `observed::replay_connections`, which explains once per pair of
//! classes and rewrites the explanation for each connection, gives exactly what
//! `observed::replay_per_connection` gives, causes included.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

mod common;

use common::random;
use common::tiers;

use netpol::expect::{check, check_per_endpoint, Expectation, Pattern, Stated};
use netpol::model::Origin;
use netpol::observed::{replay_connections, replay_per_connection, Connection};
use netpol::{Cidr, Cluster, Endpoint, Protocol};
use proptest::prelude::*;

/// Patterns of every kind; those that resolve to nothing in a cluster are left out unless
/// a case asks for an error.
const PATTERNS: [&str; 16] = [
    "x/*",
    "y/*",
    "z/*",
    "*/*",
    "*/app=a",
    "*/app=b",
    "*/tier in (a, b)",
    "*/!app",
    "x/app=a",
    "y/tier!=c",
    "z/app",
    "*/app=a, tier=b",
    "ip:8.8.8.8",
    "ip:10.1.2.3",
    "ip:10.0.0.0/8",
    "ip:192.168.0.77",
];

const PROBES: [(u16, Protocol); 4] = [
    (80, Protocol::Tcp),
    (81, Protocol::Tcp),
    (53, Protocol::Udp),
    (53, Protocol::Tcp),
];

/// Every pod by id, then the patterns of [`PATTERNS`] that resolve in `c`.
fn patterns(c: &Cluster) -> Vec<String> {
    let mut out: Vec<String> = c.pods.iter().map(|p| p.id()).collect();
    for text in PATTERNS {
        let pattern = Pattern::parse(text).unwrap();
        if pattern.resolve(c).is_ok() {
            out.push(text.to_string());
        }
    }
    out
}

/// One expectation: indices of its ends into [`patterns`], its probe and its verdict.
type Pick = (prop::sample::Index, prop::sample::Index, usize, bool);

fn picks() -> impl Strategy<Value = Vec<Pick>> {
    prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            0..PROBES.len(),
            any::<bool>(),
        ),
        1..=14,
    )
}

/// The expectations `picks` stand for in `c`, one a line. Unless `errors`, an expectation
/// from a pod to itself (an error) is left out; with `errors`, a namespace without pods
/// is named too.
fn stated(c: &Cluster, picks: &[Pick], errors: bool) -> Vec<Stated> {
    let mut ends = patterns(c);
    if errors {
        ends.push("w/*".to_string());
        ends.push("x/app=zzz".to_string());
    }
    let mut out = Vec::new();
    for (from, to, probe, allowed) in picks {
        let (from, to) = (from.get(&ends), to.get(&ends));
        if !errors && from == to && !from.contains(['*', ':', '=', '!']) && from.contains('/') {
            continue;
        }
        let (port, protocol) = PROBES[*probe];
        let line = out.len() + 1;
        out.push(Stated {
            expectation: Expectation {
                from: from.clone(),
                to: to.clone(),
                port,
                protocol,
                allowed: *allowed,
            },
            origin: Origin {
                source: "e.yaml".into(),
                start: 0,
                end: 0,
                line,
                column: 3,
            },
        });
    }
    out
}

/// The tier policies and Nodes these checks explore.
static TIER_SHAPE: tiers::Shape = tiers::Shape {
    networks: &["10.0.0.0/8", "0.0.0.0/0", "10.1.0.0/16"],
    ports: &[(53, 53), (80, 80), (80, 81)],
    protocols: &[Protocol::Tcp, Protocol::Udp],
    node_addresses: &["10.1.2.3", "192.168.0.77", "8.8.8.8"],
};

/// A random cluster with replicas; with `tiers`, ClusterNetworkPolicies and Nodes too.
fn cluster(tiers: bool) -> impl Strategy<Value = Cluster> {
    let cnps = if tiers {
        (0usize..=3)
            .prop_flat_map(|n| {
                (0..n)
                    .map(|i| tiers::cluster_policy(&TIER_SHAPE, format!("cnp{i}")))
                    .collect::<Vec<_>>()
            })
            .boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let nodes = if tiers {
        (0usize..=2)
            .prop_flat_map(|n| {
                (0..n)
                    .map(|i| tiers::node(&TIER_SHAPE, format!("node{i}")))
                    .collect::<Vec<_>>()
            })
            .boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    (random::cluster(false), random::replicas(), cnps, nodes).prop_map(
        |(c, copies, cluster_policies, nodes)| {
            let mut c = random::with_replicas(c, &copies);
            c.cluster_policies = cluster_policies;
            c.nodes = nodes;
            c
        },
    )
}

proptest! {
    #![proptest_config(common::cases(384))]

    /// The report per class is the report per connection, failures and explanations
    /// included.
    #[test]
    fn check_per_class_is_check_per_connection(
        c in prop_oneof![cluster(false), cluster(true)],
        picks in picks(),
    ) {
        let stated = stated(&c, &picks, false);
        prop_assume!(!stated.is_empty());
        let per_class = check(&c, &stated);
        let per_pod = check_per_endpoint(&c, &stated);
        prop_assert_eq!(per_class, per_pod);
    }

    /// Errors too: the same located problems, in the same order.
    #[test]
    fn errors_per_class_are_errors_per_connection(
        c in cluster(false),
        picks in picks(),
    ) {
        let stated = stated(&c, &picks, true);
        prop_assume!(!stated.is_empty());
        prop_assert_eq!(check(&c, &stated), check_per_endpoint(&c, &stated));
    }

    /// A failing expectation over many replicas: every one of its connections is reported
    /// and explained, in the reference's order, when the verdict is the same for a class.
    #[test]
    fn a_flipped_expectation_over_replicas_fails_on_every_connection(
        c in cluster(false),
        probe in 0..PROBES.len(),
    ) {
        let (port, protocol) = PROBES[probe];
        let mut stated = vec![Stated {
            expectation: Expectation {
                from: "*/*".into(),
                to: "*/*".into(),
                port,
                protocol,
                allowed: true,
            },
            origin: Origin { source: "e.yaml".into(), start: 0, end: 0, line: 1, column: 3 },
        }];
        prop_assume!(c.pods.len() > 1);
        let first = check(&c, &stated).unwrap();
        prop_assert_eq!(&first, &check_per_endpoint(&c, &stated).unwrap());
        stated[0].expectation.allowed = false;
        let second = check(&c, &stated).unwrap();
        prop_assert_eq!(&second, &check_per_endpoint(&c, &stated).unwrap());
        // Every connection fails one way or the other.
        let n = c.pods.len();
        prop_assert_eq!(
            first.outcomes[0].failures.len() + second.outcomes[0].failures.len(),
            n * (n - 1)
        );
    }
}

/// Every ordered pair of the cluster's pods and three addresses outside, on `probes`, as
/// a log's connections; a pod to itself is traffic between two replicas when `replicas`.
fn connections(c: &Cluster, probes: &[usize], replicas: bool) -> Vec<Connection> {
    let mut ends: Vec<Endpoint> = (0..c.pods.len()).map(Endpoint::Pod).collect();
    for ip in ["8.8.8.8", "10.1.2.3", "192.168.0.77"] {
        ends.push(Endpoint::External(Cidr::parse(ip, true).unwrap()));
    }
    let mut out = Vec::new();
    for from in &ends {
        for to in &ends {
            if matches!((from, to), (Endpoint::External(_), Endpoint::External(_))) {
                continue;
            }
            for &probe in probes {
                let (port, protocol) = PROBES[probe];
                out.push(Connection {
                    from: from.clone(),
                    to: to.clone(),
                    port,
                    protocol,
                    count: 1,
                    forwarded: 1,
                    dropped: 0,
                    audit: 0,
                    first_seen: None,
                    last_seen: None,
                    line: out.len() + 1,
                    between_replicas: replicas && from == to,
                });
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(common::cases(256))]

    /// Replaying per class is replaying per connection: verdicts, ids and causes.
    #[test]
    fn replay_per_class_is_replay_per_connection(
        c in prop_oneof![cluster(false), cluster(true)],
        probes in prop::sample::subsequence((0..PROBES.len()).collect::<Vec<_>>(), 1..=2),
        replicas in any::<bool>(),
    ) {
        let log = connections(&c, &probes, replicas);
        prop_assert_eq!(replay_connections(&c, &log), replay_per_connection(&c, &log));
        // In parts, as the command line replays a large log side by side.
        let (a, b) = log.split_at(log.len() / 2);
        let mut parts = replay_connections(&c, a);
        parts.extend(replay_connections(&c, b));
        prop_assert_eq!(parts, replay_per_connection(&c, &log));
    }
}
