//! Random clusters for the property tests: labels, selectors, peers, ports, rules and
//! NetworkPolicies over three namespaces (`x`, `y`, `z`), two label keys and three values,
//! so that selectors often match and often miss. The suites that build on them add their
//! own pods (with or without a label that tells each apart) and clusters.
#![allow(
    dead_code,
    reason = "each test binary uses part of the shared generators"
)]
#![allow(
    clippy::unwrap_used,
    reason = "the generators parse fixed, valid values"
)]

use std::collections::BTreeMap;

use netpol::model::{ContainerPort, EndpointKind, Peer, PolicyPort, PortRef, Rule};
use netpol::selector::{Operator, Requirement};
use netpol::{Cluster, Namespace, Pod, Policy, Protocol, Selector};
use proptest::prelude::*;

pub const KEYS: [&str; 2] = ["app", "tier"];
pub const VALUES: [&str; 3] = ["a", "b", "c"];
pub const NAMESPACES: [&str; 3] = ["x", "y", "z"];

pub fn labels() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(
        prop::sample::select(KEYS.to_vec()).prop_map(String::from),
        prop::sample::select(VALUES.to_vec()).prop_map(String::from),
        0..=2,
    )
}

pub fn selector() -> impl Strategy<Value = Selector> {
    let req = (
        prop::sample::select(KEYS.to_vec()),
        prop::sample::select(vec![
            Operator::In,
            Operator::NotIn,
            Operator::Exists,
            Operator::DoesNotExist,
        ]),
        prop::collection::vec(prop::sample::select(VALUES.to_vec()), 1..=2),
    )
        .prop_map(|(k, op, vals)| Requirement {
            key: k.to_string(),
            operator: op,
            values: match op {
                Operator::In | Operator::NotIn => vals.into_iter().map(String::from).collect(),
                _ => Vec::new(),
            },
        });
    (
        labels().prop_map(|l| if l.len() > 1 { BTreeMap::new() } else { l }),
        prop::collection::vec(req, 0..=1),
    )
        .prop_map(|(match_labels, match_expressions)| Selector {
            match_labels,
            match_expressions,
        })
}

pub fn peer() -> impl Strategy<Value = Peer> {
    prop_oneof![
        4 => (prop::option::of(selector()), prop::option::of(selector()))
            .prop_filter("a peer needs a selector", |(a, b)| a.is_some() || b.is_some())
            .prop_map(|(namespace_selector, pod_selector)| Peer::Pods { namespace_selector, pod_selector }),
        1 => (prop::sample::select(vec!["10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0"]), prop::bool::ANY).prop_map(|(c, ex)| Peer::IpBlock {
            cidr: netpol::Cidr::parse(c, false).unwrap(),
            except: if ex && c != "10.1.0.0/16" { vec![netpol::Cidr::parse("10.1.0.0/16", false).unwrap()] } else { vec![] },
        }),
    ]
}

pub fn policy_port() -> impl Strategy<Value = PolicyPort> {
    let protocol = prop::sample::select(Protocol::ALL.to_vec());
    let port = prop_oneof![
        Just(None),
        prop::sample::select(vec![53u16, 80, 81]).prop_map(|n| Some(PortRef::Number(n))),
        prop::sample::select(vec!["http", "dns"]).prop_map(|n| Some(PortRef::Name(n.to_string()))),
    ];
    (protocol, port, prop::option::of(80u16..=90)).prop_map(|(protocol, port, end)| {
        let end_port = match &port {
            Some(PortRef::Number(n)) => end.filter(|e| e >= n),
            _ => None,
        };
        PolicyPort {
            protocol,
            port,
            end_port,
        }
    })
}

pub fn rule() -> impl Strategy<Value = Rule> {
    (
        prop::collection::vec(peer(), 0..=2),
        prop::collection::vec(policy_port(), 0..=2),
    )
        .prop_map(|(peers, ports)| Rule {
            peers,
            ports,
            origin: None,
        })
}

pub fn policy(i: usize) -> impl Strategy<Value = Policy> {
    (
        prop::sample::select(NAMESPACES.to_vec()),
        selector(),
        prop::option::of(prop::collection::vec(rule(), 0..=2)),
        prop::option::of(prop::collection::vec(rule(), 0..=2)),
    )
        .prop_map(move |(ns, pod_selector, ingress, egress)| Policy {
            namespace: ns.to_string(),
            name: format!("p{i}"),
            pod_selector,
            isolates_ingress: ingress.is_some(),
            isolates_egress: egress.is_some() || ingress.is_none(),
            declared_types: None,
            ingress: ingress.unwrap_or_default(),
            egress: egress.unwrap_or_default(),
            origin: None,
        })
}

/// Pod `i` in a random namespace, serving `http` (and `dns`) on ports that differ between
/// pods; `named` gives each a `name` label of its own, for suites that must tell pods apart
/// by a selector.
pub fn pod(i: usize, named: bool) -> impl Strategy<Value = Pod> {
    (
        prop::sample::select(NAMESPACES.to_vec()),
        labels(),
        prop::bool::ANY,
        prop::bool::ANY,
    )
        .prop_map(move |(ns, mut labels, http, ip)| Pod {
            namespace: ns.to_string(),
            name: format!("pod{i}"),
            kind: EndpointKind::Pod,
            labels: {
                if named {
                    labels.insert("name".to_string(), format!("pod{i}"));
                }
                labels
            },
            ports: if http {
                vec![
                    ContainerPort {
                        name: Some("http".into()),
                        port: 80,
                        protocol: Protocol::Tcp,
                    },
                    ContainerPort {
                        name: Some("dns".into()),
                        port: 53,
                        protocol: Protocol::Udp,
                    },
                ]
            } else {
                vec![ContainerPort {
                    name: Some("http".into()),
                    port: 81,
                    protocol: Protocol::Tcp,
                }]
            },
            ips: if ip {
                vec![format!("10.{}.0.{i}", i % 2).parse().unwrap()]
            } else {
                vec![]
            },
            host_network: false,
            origin: None,
        })
}

/// The three namespaces, each with its share of `labels` (three maps: the namespace
/// labels a cluster's selectors test).
pub fn namespaces(labels: Vec<BTreeMap<String, String>>) -> Vec<Namespace> {
    NAMESPACES
        .iter()
        .zip(labels)
        .map(|(n, l)| {
            let mut ns = Namespace::implicit(n);
            ns.labels.extend(l);
            ns
        })
        .collect()
}

/// A cluster of 1 to 6 pods (see [`pod`]) and up to 4 policies, the namespaces labelled
/// at random.
pub fn cluster(named: bool) -> impl Strategy<Value = Cluster> {
    let pods =
        (1usize..=6).prop_flat_map(move |n| (0..n).map(|i| pod(i, named)).collect::<Vec<_>>());
    let policies = (0usize..=4).prop_flat_map(|n| (0..n).map(policy).collect::<Vec<_>>());
    let ns_labels = prop::collection::vec(labels(), 3);
    (pods, policies, ns_labels).prop_map(|(pods, policies, ns_labels)| {
        let mut c = Cluster {
            namespaces: namespaces(ns_labels),
            pods,
            policies,
            kustomize_common_labels: false,
            ..Cluster::default()
        };
        c.complete_namespaces();
        c
    })
}

/// Addresses a replica may get: on either side of the generators' ipBlock boundaries
/// (`10.0.0.0/8`, and `10.1.0.0/16` as a cidr and as an except), outside all of them,
/// `10.1.2.3` (an address the suites' Nodes may have), or none.
pub const REPLICA_IPS: [Option<&str>; 5] = [
    Some("10.0.0.77"),
    Some("10.1.0.77"),
    Some("192.168.0.77"),
    Some("10.1.2.3"),
    None,
];

/// Replicas to add with [`with_replicas`]: (pod to copy, index into [`REPLICA_IPS`],
/// host network).
pub fn replicas() -> impl Strategy<Value = Vec<(usize, usize, bool)>> {
    prop::collection::vec(
        (
            any::<usize>(),
            0..REPLICA_IPS.len(),
            prop::bool::weighted(0.2),
        ),
        0..=6,
    )
}

/// `c` with copies of its pods, as a Deployment's replicas are: the same namespace, labels
/// and ports under a name of their own, each with its address and (sometimes) on the host
/// network, so that ipBlocks, `networks`, `nodes` and hostNetwork tell some apart.
pub fn with_replicas(mut c: Cluster, copies: &[(usize, usize, bool)]) -> Cluster {
    for (k, &(pod, ip, host_network)) in copies.iter().enumerate() {
        let Some(mut copy) = c.pods.get(pod % c.pods.len().max(1)).cloned() else {
            return c;
        };
        copy.name = format!("{}-r{k}", copy.name);
        copy.ips = REPLICA_IPS
            .get(ip)
            .copied()
            .flatten()
            .map(|a| a.parse().unwrap())
            .into_iter()
            .collect();
        copy.host_network = host_network;
        c.pods.push(copy);
    }
    c
}
