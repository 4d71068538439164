//! Property tests for ClusterNetworkPolicy tiers on random clusters: the bulk queries agree
//! with the pairwise verdict; without ClusterNetworkPolicies verdicts are the NetworkPolicy
//! ones; an Admin Accept or Deny overrides every NetworkPolicy; a Baseline rule never
//! changes a direction a NetworkPolicy selects; and Pass is the rest of the Admin tier
//! skipped: the same as no Admin rule matching.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

mod common;

use common::random::{self, labels, selector, NAMESPACES};

use netpol::chain::Side;
use netpol::cnp::{Action, ClusterNetworkPolicy, CnpPeer, CnpPort, CnpRule, Subject, Tier};
use netpol::endpoint::all_endpoints;
use netpol::model::{ContainerPort, EndpointKind};
use netpol::{
    connectivity, explain, matrix, Cidr, Cluster, Endpoint, Node, Pod, Policy, Protocol, Selector,
    Stage, Traffic,
};
use proptest::prelude::*;

const PROBES: [(u16, Protocol); 4] = [
    (80, Protocol::Tcp),
    (81, Protocol::Tcp),
    (53, Protocol::Udp),
    (80, Protocol::Sctp),
];

fn cidr(s: &str) -> Cidr {
    Cidr::parse(s, true).unwrap()
}

/// A NetworkPolicy of the shared generator, named apart from the cluster policies.
fn np(i: usize) -> impl Strategy<Value = Policy> {
    random::policy(i).prop_map(move |p| Policy {
        name: format!("np{i}"),
        ..p
    })
}

fn pod(i: usize) -> impl Strategy<Value = Pod> {
    (
        prop::sample::select(NAMESPACES.to_vec()),
        labels(),
        prop::bool::ANY,
        prop::sample::select(vec![None, Some("10.0.0."), Some("192.168.0.")]),
    )
        .prop_map(move |(ns, labels, http, net)| Pod {
            namespace: ns.to_string(),
            name: format!("pod{i}"),
            kind: EndpointKind::Pod,
            labels,
            ports: vec![
                ContainerPort {
                    name: Some("http".into()),
                    port: if http { 80 } else { 81 },
                    protocol: Protocol::Tcp,
                },
                ContainerPort {
                    name: Some("dns".into()),
                    port: 53,
                    protocol: Protocol::Udp,
                },
            ],
            ips: net
                .map(|n| vec![format!("{n}{}", i + 1).parse().unwrap()])
                .unwrap_or_default(),
            host_network: false,
            origin: None,
        })
}

fn cnp_peer(egress: bool) -> impl Strategy<Value = CnpPeer> {
    let pods = prop_oneof![
        selector().prop_map(CnpPeer::Namespaces),
        (selector(), selector()).prop_map(|(namespace_selector, pod_selector)| CnpPeer::Pods {
            namespace_selector,
            pod_selector
        }),
    ];
    let addresses = prop_oneof![
        prop::sample::select(vec![
            vec!["10.0.0.0/8"],
            vec!["0.0.0.0/0", "::/0"],
            vec!["192.168.0.0/16", "8.8.8.0/24"],
            vec!["172.18.0.2/32"]
        ])
        .prop_map(|v| CnpPeer::Networks(v.into_iter().map(cidr).collect())),
        Just(CnpPeer::Nodes(Selector::labels([(
            "kubernetes.io/os",
            "linux"
        )]))),
    ];
    if egress {
        prop_oneof![3 => pods, 2 => addresses].boxed()
    } else {
        pods.boxed()
    }
}

fn cnp_port() -> impl Strategy<Value = CnpPort> {
    prop_oneof![
        3 => (prop::sample::select(Protocol::ALL.to_vec()), prop::sample::select(vec![(53u16, 53u16), (80, 80), (80, 81), (1, 79)]))
            .prop_map(|(protocol, (start, end))| CnpPort::Ports { protocol, start, end }),
        1 => prop::sample::select(vec!["http", "dns"]).prop_map(|n| CnpPort::Named(n.to_string())),
    ]
}

fn cnp_rule(egress: bool) -> impl Strategy<Value = CnpRule> {
    (
        prop::sample::select(vec![Action::Accept, Action::Deny, Action::Pass]),
        prop::collection::vec(cnp_peer(egress), 1..=2),
        prop::collection::vec(cnp_port(), 0..=2),
    )
        .prop_filter("named ports only towards pods", move |(_, peers, ports)| {
            !(ports.iter().any(|p| matches!(p, CnpPort::Named(_)))
                && peers
                    .iter()
                    .any(|p| matches!(p, CnpPeer::Networks(_) | CnpPeer::Nodes(_))))
        })
        .prop_map(|(action, peers, ports)| CnpRule {
            name: None,
            action,
            peers,
            ports,
            origin: None,
        })
}

fn cnp(i: usize, tier: Tier) -> impl Strategy<Value = ClusterNetworkPolicy> {
    (
        prop_oneof![
            selector().prop_map(Subject::Namespaces),
            (selector(), selector()).prop_map(|(namespace_selector, pod_selector)| Subject::Pods {
                namespace_selector,
                pod_selector
            }),
        ],
        1u16..=3,
        prop::collection::vec(cnp_rule(false), 0..=3),
        prop::collection::vec(cnp_rule(true), 0..=3),
    )
        .prop_map(
            move |(subject, priority, ingress, egress)| ClusterNetworkPolicy {
                name: format!("{}{i}", tier.as_str().to_lowercase()),
                tier,
                priority,
                subject,
                ingress,
                egress,
                origin: None,
            },
        )
}

fn cluster_with(
    admin: std::ops::RangeInclusive<usize>,
    baseline: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Cluster> {
    let pods = (1usize..=5).prop_flat_map(|n| (0..n).map(pod).collect::<Vec<_>>());
    let nps = (0usize..=3).prop_flat_map(|n| (0..n).map(np).collect::<Vec<_>>());
    let admins = admin.prop_flat_map(|n| (0..n).map(|i| cnp(i, Tier::Admin)).collect::<Vec<_>>());
    let baselines =
        baseline.prop_flat_map(|n| (0..n).map(|i| cnp(i, Tier::Baseline)).collect::<Vec<_>>());
    let ns_labels = prop::collection::vec(labels(), 3);
    (pods, nps, admins, baselines, ns_labels).prop_map(
        |(pods, policies, admins, baselines, ns_labels)| {
            let mut c = Cluster {
                namespaces: random::namespaces(ns_labels),
                pods,
                policies,
                cluster_policies: admins.into_iter().chain(baselines).collect(),
                nodes: vec![Node {
                    name: "node-1".into(),
                    labels: [("kubernetes.io/os".to_string(), "linux".to_string())].into(),
                    addresses: vec!["172.18.0.2".parse().unwrap()],
                    origin: None,
                }],
                ..Cluster::default()
            };
            c.complete_namespaces();
            c
        },
    )
}

fn externals() -> Vec<Cidr> {
    [
        "8.8.8.8",
        "10.1.2.3",
        "10.2.0.0/16",
        "0.0.0.0/0",
        "172.18.0.2",
        "172.18.0.0/24",
        "2001:db8::1",
    ]
    .iter()
    .map(|s| cidr(s))
    .collect()
}

fn all_traffic(c: &Cluster) -> Vec<Traffic> {
    let eps = all_endpoints(c, &externals());
    let mut out = Vec::new();
    for &(port, protocol) in &PROBES {
        for from in &eps {
            for to in &eps {
                out.push(Traffic {
                    from: from.clone(),
                    to: to.clone(),
                    port,
                    protocol,
                });
            }
        }
    }
    out
}

/// Every cell of the exact connectivity (the maps' interning tables may differ).
fn cells(c: &Cluster, eps: &[Endpoint]) -> Vec<netpol::Connections> {
    let map = connectivity(c, eps);
    (0..eps.len())
        .flat_map(|i| (0..eps.len()).map(move |j| (i, j)))
        .map(|(i, j)| map.get(i, j).cloned().unwrap())
        .collect()
}

/// What NetworkPolicies alone say for one direction (the semantics before tiers).
fn network_policy_side(side: &Side) -> bool {
    side.pod.is_none() || side.isolated_by.is_empty() || !side.allowed_by.is_empty()
}

fn without_tier(c: &Cluster, tier: Tier) -> Cluster {
    let mut out = c.clone();
    out.cluster_policies.retain(|p| p.tier != tier);
    out
}

proptest! {
    #![proptest_config(common::cases(200))]

    #[test]
    fn matrix_and_connectivity_agree_with_verdicts(c in cluster_with(0..=3, 0..=2)) {
        let eps = all_endpoints(&c, &externals());
        let m = matrix(&c, &eps, &PROBES);
        let conn = connectivity(&c, &eps);
        for (k, &(port, protocol)) in PROBES.iter().enumerate() {
            for (i, from) in eps.iter().enumerate() {
                for (j, to) in eps.iter().enumerate() {
                    let t = Traffic { from: from.clone(), to: to.clone(), port, protocol };
                    let e = explain(&c, &t);
                    prop_assert_eq!(m.checks[k].allowed(i, j), e.allowed, "matrix vs verdict {} -> {} {}/{}\n{}", m.endpoints[i], m.endpoints[j], port, protocol, netpol::render::explanation_text(&e));
                    prop_assert_eq!(conn.get(i, j).unwrap().allows(port, protocol), e.allowed, "connectivity vs verdict {} -> {} {}/{}\n{}", m.endpoints[i], m.endpoints[j], port, protocol, netpol::render::explanation_text(&e));
                    prop_assert_eq!(e.allowed, e.loopback || (e.egress.allows() && e.ingress.allows()));
                }
            }
        }
    }

    #[test]
    fn without_cluster_policies_verdicts_are_the_network_policy_ones(c in cluster_with(0..=0, 0..=0)) {
        for t in all_traffic(&c) {
            let e = explain(&c, &t);
            for side in [&e.egress, &e.ingress] {
                prop_assert_eq!(side.allows(), network_policy_side(side));
                prop_assert!(matches!(side.decided_by, Stage::Outside | Stage::NetworkPolicy | Stage::Default));
                prop_assert!(!side.has_tiers());
            }
        }
    }

    #[test]
    fn cluster_policies_that_select_no_pod_change_nothing(c in cluster_with(0..=0, 0..=0), extra in cluster_with(1..=2, 1..=2)) {
        let eps = all_endpoints(&c, &externals());
        let mut with = c.clone();
        for mut p in extra.cluster_policies {
            p.subject = Subject::Namespaces(Selector::labels([("no-such-label", "x")]));
            with.cluster_policies.push(p);
        }
        prop_assert_eq!(matrix(&c, &eps, &PROBES), matrix(&with, &eps, &PROBES));
        prop_assert_eq!(cells(&c, &eps), cells(&with, &eps));
    }

    #[test]
    fn admin_accept_or_deny_overrides_every_network_policy(c in cluster_with(0..=2, 0..=2), accept in any::<bool>()) {
        let action = if accept { Action::Accept } else { Action::Deny };
        let everyone = || vec![CnpPeer::Namespaces(Selector::everything())];
        let rule = |action| CnpRule { name: None, action, peers: everyone(), ports: Vec::new(), origin: None };
        let mut c = c;
        c.cluster_policies.push(ClusterNetworkPolicy {
            name: "override".into(),
            tier: Tier::Admin,
            priority: 0,
            subject: Subject::Namespaces(Selector::everything()),
            ingress: vec![rule(action)],
            egress: vec![rule(action)],
            origin: None,
        });
        for t in all_traffic(&c) {
            let (Endpoint::Pod(a), Endpoint::Pod(b)) = (&t.from, &t.to) else { continue };
            if a == b { continue; }
            let e = explain(&c, &t);
            prop_assert_eq!(e.allowed, accept, "{} -> {}", e.from, e.to);
            prop_assert_eq!(e.egress.decided_by, Stage::Admin);
            prop_assert_eq!(e.ingress.decided_by, Stage::Admin);
        }
    }

    #[test]
    fn baseline_never_changes_a_direction_a_network_policy_selects(c in cluster_with(0..=2, 1..=3)) {
        let plain = without_tier(&c, Tier::Baseline);
        for t in all_traffic(&c) {
            let with = explain(&c, &t);
            let without = explain(&plain, &t);
            for (a, b) in [(&with.egress, &without.egress), (&with.ingress, &without.ingress)] {
                if !a.isolated_by.is_empty() {
                    prop_assert_eq!(a.allows(), b.allows(), "{} -> {} {}", with.from, with.to, a.direction.as_str());
                    prop_assert_ne!(a.decided_by, Stage::Baseline);
                }
            }
        }
    }

    #[test]
    fn pass_is_the_admin_tier_skipped(c in cluster_with(1..=3, 0..=2)) {
        let no_admin = without_tier(&c, Tier::Admin);
        for t in all_traffic(&c) {
            let with = explain(&c, &t);
            let without = explain(&no_admin, &t);
            for (a, b) in [(&with.egress, &without.egress), (&with.ingress, &without.ingress)] {
                if a.admin.action() == Some(Action::Pass) || a.admin.action().is_none() {
                    prop_assert_eq!(a.allows(), b.allows(), "{} -> {} {}", with.from, with.to, a.direction.as_str());
                }
            }
        }
    }

    #[test]
    fn a_final_pass_rule_is_the_same_as_no_rule(c in cluster_with(1..=3, 0..=2), rule in cnp_rule(true), ingress in any::<bool>()) {
        let eps = all_endpoints(&c, &externals());
        let mut with = c.clone();
        let order = netpol::cnp::evaluation_order(&with.cluster_policies, Tier::Admin);
        let last = *order.last().unwrap();
        let rule = CnpRule { action: Action::Pass, ..rule };
        let target = &mut with.cluster_policies[last];
        if ingress {
            target.ingress.push(CnpRule { peers: vec![CnpPeer::Namespaces(Selector::everything())], ..rule });
        } else {
            target.egress.push(rule);
        }
        prop_assert_eq!(matrix(&c, &eps, &PROBES), matrix(&with, &eps, &PROBES));
        prop_assert_eq!(cells(&c, &eps), cells(&with, &eps));
    }
}
