//! Random clusters for the property tests: labels, selectors, peers, ports, rules and
//! NetworkPolicies over three namespaces (`x`, `y`, `z`), two label keys and three values,
//! so that selectors often match and often miss. The suites that build on them add their
//! own pods (with or without a label that tells each apart) and clusters.
#![allow(
    dead_code,
    reason = "each test binary uses part of the shared generators"
)]

use std::collections::BTreeMap;

use netpol::model::{Peer, PolicyPort, PortRef, Rule};
use netpol::selector::{Operator, Requirement};
use netpol::{Policy, Protocol, Selector};
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
