//! Random ClusterNetworkPolicies and Nodes for the property tests, one generator for every
//! suite; each suite's distribution (which address ranges, ports, protocols and Node
//! addresses it explores) is a [`Shape`].
#![allow(dead_code, reason = "each test crate uses what it needs")]
#![allow(
    clippy::unwrap_used,
    reason = "the generators parse fixed, valid addresses"
)]

use netpol::cnp::{Action, ClusterNetworkPolicy, CnpPeer, CnpPort, CnpRule, Subject, Tier};
use netpol::{Cidr, Node, Protocol};
use proptest::prelude::*;

use super::random::{labels, selector};

/// What one suite's tier policies and Nodes are drawn from.
pub struct Shape {
    /// `networks` peers of egress rules.
    pub networks: &'static [&'static str],
    /// Port ranges of rules (first, last).
    pub ports: &'static [(u16, u16)],
    /// Their protocols.
    pub protocols: &'static [Protocol],
    /// Addresses a Node can have.
    pub node_addresses: &'static [&'static str],
}

/// A peer: namespaces or pods, and for egress also `networks` and `nodes`.
pub fn cnp_peer(shape: &'static Shape, egress: bool) -> BoxedStrategy<CnpPeer> {
    let pods = prop_oneof![
        selector().prop_map(CnpPeer::Namespaces),
        (selector(), selector()).prop_map(|(namespace_selector, pod_selector)| CnpPeer::Pods {
            namespace_selector,
            pod_selector
        }),
    ];
    if egress {
        prop_oneof![
            3 => pods,
            1 => prop::sample::select(shape.networks.to_vec())
                .prop_map(|c| CnpPeer::Networks(vec![Cidr::parse(c, false).unwrap()])),
            1 => selector().prop_map(CnpPeer::Nodes),
        ]
        .boxed()
    } else {
        pods.boxed()
    }
}

/// A port range of the shape, or the named port `http`.
pub fn cnp_port(shape: &'static Shape) -> impl Strategy<Value = CnpPort> {
    prop_oneof![
        3 => (prop::sample::select(shape.protocols.to_vec()), prop::sample::select(shape.ports.to_vec()))
            .prop_map(|(protocol, (start, end))| CnpPort::Ports { protocol, start, end }),
        1 => Just(CnpPort::Named("http".to_string())),
    ]
}

/// A rule: any action, one or two peers, at most one port.
pub fn cnp_rule(shape: &'static Shape, egress: bool) -> impl Strategy<Value = CnpRule> {
    (
        prop::sample::select(vec![Action::Accept, Action::Deny, Action::Pass]),
        prop::collection::vec(cnp_peer(shape, egress), 1..=2),
        prop::collection::vec(cnp_port(shape), 0..=1),
    )
        .prop_map(|(action, peers, ports)| CnpRule {
            name: None,
            action,
            peers,
            ports,
            origin: None,
        })
}

/// A policy named `name` in either tier, priorities 1 to 3 (so that some tie).
pub fn cluster_policy(
    shape: &'static Shape,
    name: String,
) -> impl Strategy<Value = ClusterNetworkPolicy> {
    (
        prop::sample::select(vec![Tier::Admin, Tier::Baseline]),
        prop_oneof![
            selector().prop_map(Subject::Namespaces),
            (selector(), selector()).prop_map(|(namespace_selector, pod_selector)| Subject::Pods {
                namespace_selector,
                pod_selector
            }),
        ],
        1u16..=3,
        prop::collection::vec(cnp_rule(shape, false), 0..=2),
        prop::collection::vec(cnp_rule(shape, true), 0..=2),
    )
        .prop_map(
            move |(tier, subject, priority, ingress, egress)| ClusterNetworkPolicy {
                name: name.clone(),
                tier,
                priority,
                subject,
                ingress,
                egress,
                origin: None,
            },
        )
}

/// A Node named `name` with random labels and up to two of the shape's addresses.
pub fn node(shape: &'static Shape, name: String) -> impl Strategy<Value = Node> {
    (
        labels(),
        prop::sample::subsequence(shape.node_addresses.to_vec(), 0..=2),
    )
        .prop_map(move |(labels, addresses)| Node {
            name: name.clone(),
            labels,
            addresses: addresses.iter().map(|a| a.parse().unwrap()).collect(),
            origin: None,
        })
}
