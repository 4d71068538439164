//! Property tests of grading by behaviour: for a random solution W and a random single
//! mutation M of one of its policies (drop a selector, split a peer, widen a CIDR, drop an
//! except, drop a port, move the policy to another namespace), the grader refuses W+M
//! exactly when the pairwise verdicts ([`netpol::explain`], one connection at a time, not
//! the bulk connectivity the grader uses) differ somewhere on the lesson's endpoints and
//! probes, at some probe port: the connection's verdict or one side's (the grader compares
//! the sender's egress and the receiver's ingress each on its own). And it accepts W re-ordered and re-spelled (policies, rules, peers and
//! ports in reverse, `matchLabels` written as `matchExpressions`).
//!
//! The generator builds clusters as structs, not text: it is its own because it needs
//! what the other suites' generators do not have (namespace labels that selectors use,
//! excepts to drop, CIDRs to widen), and re-spellings that mean the same.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

mod common;

use std::collections::BTreeMap;

use netpol::endpoint::{all_endpoints, Endpoint};
use netpol::lesson::{Difference, Probes, Reference};
use netpol::model::{ContainerPort, EndpointKind, Peer, PolicyPort, PortRef, Rule};
use netpol::selector::{Operator, Requirement};
use netpol::{
    explain, Cidr, Cluster, Direction, Namespace, Pod, Policy, Protocol, Selector, Traffic,
};
use proptest::prelude::*;

const NAMESPACES: [&str; 3] = ["x", "y", "z"];
const APPS: [&str; 3] = ["a", "b", "c"];

fn cidr(s: &str) -> Cidr {
    Cidr::parse(s, false).unwrap()
}

/// Pods: each namespace holds pods labelled `app` (and sometimes `tier`), serving `http`.
fn pods() -> impl Strategy<Value = Vec<Pod>> {
    let pod = (
        prop::sample::select(NAMESPACES.to_vec()),
        prop::sample::select(APPS.to_vec()),
        prop::bool::ANY,
    );
    prop::collection::vec(pod, 2..=5).prop_map(|specs| {
        specs
            .into_iter()
            .enumerate()
            .map(|(i, (ns, app, tiered))| {
                let mut labels = BTreeMap::from([("app".to_string(), app.to_string())]);
                if tiered {
                    labels.insert("tier".into(), "web".into());
                }
                Pod {
                    namespace: ns.to_string(),
                    name: format!("pod{i}"),
                    kind: EndpointKind::Pod,
                    labels,
                    ports: vec![ContainerPort {
                        name: Some("http".into()),
                        port: 8080 + u16::from(tiered),
                        protocol: Protocol::Tcp,
                    }],
                    ips: Vec::new(),
                    host_network: false,
                    origin: None,
                }
            })
            .collect()
    })
}

fn app_selector() -> impl Strategy<Value = Selector> {
    prop_oneof![
        3 => prop::sample::select(APPS.to_vec()).prop_map(|a| Selector::labels([("app", a)])),
        1 => Just(Selector::labels([("tier", "web")])),
        1 => Just(Selector::everything()),
    ]
}

fn namespace_selector() -> impl Strategy<Value = Selector> {
    prop_oneof![
        2 => prop::sample::select(NAMESPACES.to_vec()).prop_map(|n| Selector::labels([("team", n)])),
        1 => Just(Selector::labels([("env", "prod")])),
        1 => Just(Selector::everything()),
    ]
}

fn peer() -> impl Strategy<Value = Peer> {
    prop_oneof![
        4 => (prop::option::of(namespace_selector()), prop::option::of(app_selector()))
            .prop_filter("a peer needs a selector", |(a, b)| a.is_some() || b.is_some())
            .prop_map(|(namespace_selector, pod_selector)| Peer::Pods { namespace_selector, pod_selector }),
        1 => (prop::sample::select(vec!["0.0.0.0/0", "10.0.0.0/8", "192.168.1.0/24"]), prop::bool::ANY)
            .prop_map(|(c, except)| Peer::IpBlock {
                cidr: cidr(c),
                except: if except && c != "192.168.1.0/24" {
                    vec![cidr("10.1.0.0/16"), cidr(if c == "0.0.0.0/0" { "172.16.0.0/12" } else { "10.2.0.0/16" })]
                } else {
                    Vec::new()
                },
            }),
    ]
}

fn policy_port() -> impl Strategy<Value = PolicyPort> {
    prop_oneof![
        3 => (prop::sample::select(vec![53u16, 8080, 8081]), prop::option::of(8080u16..=8090), prop::sample::select(Protocol::ALL.to_vec()))
            .prop_map(|(port, end, protocol)| PolicyPort {
                protocol,
                port: Some(PortRef::Number(port)),
                end_port: end.filter(|e| *e > port),
            }),
        1 => Just(PolicyPort { protocol: Protocol::Tcp, port: Some(PortRef::Name("http".into())), end_port: None }),
        1 => Just(PolicyPort { protocol: Protocol::Udp, port: None, end_port: None }),
    ]
}

fn rule() -> impl Strategy<Value = Rule> {
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

fn policy(i: usize) -> impl Strategy<Value = Policy> {
    (
        prop::sample::select(NAMESPACES.to_vec()),
        app_selector(),
        prop::collection::vec(rule(), 0..=2),
        prop::collection::vec(rule(), 0..=2),
        0u8..3,
    )
        .prop_map(move |(ns, pod_selector, ingress, egress, types)| Policy {
            namespace: ns.to_string(),
            name: format!("p{i}"),
            pod_selector,
            isolates_ingress: types != 1,
            isolates_egress: types != 0,
            declared_types: None,
            ingress,
            egress,
            origin: None,
        })
}

fn solution() -> impl Strategy<Value = Cluster> {
    let policies = (1usize..=3).prop_flat_map(|n| (0..n).map(policy).collect::<Vec<_>>());
    (pods(), policies, prop::sample::select(NAMESPACES.to_vec())).prop_map(
        |(pods, policies, prod)| {
            let mut c = Cluster {
                namespaces: NAMESPACES
                    .iter()
                    .map(|n| {
                        let mut ns = Namespace::implicit(n);
                        ns.labels.insert("team".into(), n.to_string());
                        if *n == prod {
                            ns.labels.insert("env".into(), "prod".into());
                        }
                        ns
                    })
                    .collect(),
                pods,
                policies,
                ..Cluster::default()
            };
            c.complete_namespaces();
            c
        },
    )
}

/// One edit of one policy, the kind a learner makes.
#[derive(Clone, Copy, Debug)]
enum Mutation {
    DropSelector,
    SplitPeer,
    WidenCidr,
    DropExcept,
    DropPort,
    ChangeNamespace,
}

fn mutation() -> impl Strategy<Value = (Mutation, usize, usize)> {
    let kind = prop::sample::select(vec![
        Mutation::DropSelector,
        Mutation::SplitPeer,
        Mutation::WidenCidr,
        Mutation::DropExcept,
        Mutation::DropPort,
        Mutation::ChangeNamespace,
    ]);
    (kind, 0usize..8, 0usize..8)
}

/// The rules of a policy, ingress then egress, mutably.
fn rules(p: &mut Policy) -> Vec<&mut Rule> {
    p.ingress.iter_mut().chain(p.egress.iter_mut()).collect()
}

/// Applies `m` to the `at`-th place it can apply to in policy `which` (modulo both); a
/// mutation with no place to apply to leaves the cluster as it is.
fn mutate(c: &Cluster, (m, which, at): (Mutation, usize, usize)) -> Cluster {
    let mut c = c.clone();
    let n = c.policies.len();
    let Some(p) = c.policies.get_mut(which % n.max(1)) else {
        return c;
    };
    match m {
        Mutation::ChangeNamespace => {
            let i = NAMESPACES
                .iter()
                .position(|n| *n == p.namespace)
                .unwrap_or(0);
            p.namespace = NAMESPACES[(i + 1) % NAMESPACES.len()].to_string();
        }
        Mutation::DropPort => {
            let mut rs = rules(p);
            let with_ports: Vec<&mut &mut Rule> =
                rs.iter_mut().filter(|r| !r.ports.is_empty()).collect();
            let k = with_ports.len();
            if let Some(r) = with_ports.into_iter().nth(at % k.max(1)) {
                r.ports.remove(at % r.ports.len());
            }
        }
        Mutation::SplitPeer => split_anded_peer(p, at),
        Mutation::DropSelector | Mutation::WidenCidr | Mutation::DropExcept => {
            let mut rs = rules(p);
            let mut places: Vec<&mut Peer> = rs
                .iter_mut()
                .flat_map(|r| r.peers.iter_mut())
                .filter(|peer| applies(m, peer))
                .collect();
            let k = places.len();
            if let Some(peer) = places.get_mut(at % k.max(1)) {
                edit_peer(m, peer);
            }
        }
    }
    c
}

/// Whether `m` changes `peer`.
fn applies(m: Mutation, peer: &Peer) -> bool {
    match (m, peer) {
        (Mutation::DropSelector, Peer::Pods { .. })
        | (Mutation::WidenCidr, Peer::IpBlock { .. }) => true,
        (Mutation::DropExcept, Peer::IpBlock { except, .. }) => !except.is_empty(),
        _ => false,
    }
}

fn edit_peer(m: Mutation, peer: &mut Peer) {
    match (m, peer) {
        (
            Mutation::DropSelector,
            Peer::Pods {
                namespace_selector,
                pod_selector,
            },
        ) => {
            if pod_selector.is_some() && namespace_selector.is_some() {
                *namespace_selector = None;
            } else if let Some(s) = pod_selector {
                *s = Selector::everything();
            } else if let Some(s) = namespace_selector {
                *s = Selector::everything();
            }
        }
        (Mutation::WidenCidr, Peer::IpBlock { cidr: c, .. }) => {
            c.prefix = c.prefix.saturating_sub(8);
            *c = c.network();
        }
        (Mutation::DropExcept, Peer::IpBlock { except, .. }) => {
            except.pop();
        }
        _ => {}
    }
}

/// Splits the `at`-th peer with both selectors (AND) into two peers (OR): the namespace
/// selector alone and the pod selector alone, the "one dash too many" mistake.
fn split_anded_peer(p: &mut Policy, at: usize) {
    let mut places: Vec<(usize, usize)> = Vec::new();
    for (r, rule) in rules(p).iter().enumerate() {
        for (i, peer) in rule.peers.iter().enumerate() {
            if matches!(
                peer,
                Peer::Pods {
                    namespace_selector: Some(_),
                    pod_selector: Some(_)
                }
            ) {
                places.push((r, i));
            }
        }
    }
    let k = places.len();
    let Some(&(r, i)) = places.get(at % k.max(1)) else {
        return;
    };
    let mut rs = rules(p);
    let rule = &mut rs[r];
    if let Peer::Pods {
        namespace_selector,
        pod_selector,
    } = rule.peers[i].clone()
    {
        rule.peers[i] = Peer::Pods {
            namespace_selector,
            pod_selector: None,
        };
        rule.peers.push(Peer::Pods {
            namespace_selector: None,
            pod_selector,
        });
    }
}

/// The same policies written differently: every list reversed, and each `matchLabels`
/// entry written as a `matchExpressions` `In` with one value.
fn respell(c: &Cluster) -> Cluster {
    let mut c = c.clone();
    c.policies.reverse();
    for p in &mut c.policies {
        p.pod_selector = as_expressions(&p.pod_selector);
        for rules in [&mut p.ingress, &mut p.egress] {
            rules.reverse();
            for r in rules.iter_mut() {
                r.ports.reverse();
                r.peers.reverse();
                for peer in &mut r.peers {
                    if let Peer::Pods {
                        namespace_selector,
                        pod_selector,
                    } = peer
                    {
                        for s in [namespace_selector, pod_selector].into_iter().flatten() {
                            *s = as_expressions(s);
                        }
                    }
                }
            }
        }
    }
    c
}

fn as_expressions(s: &Selector) -> Selector {
    let mut out = s.clone();
    for (k, v) in std::mem::take(&mut out.match_labels) {
        out.match_expressions.push(Requirement {
            key: k,
            operator: Operator::In,
            values: vec![v],
        });
    }
    out
}

/// The first probe connection on which `a` and `b` give different verdicts, for the
/// connection or for one of its sides, each computed one connection at a time.
fn pairwise_difference(a: &Cluster, b: &Cluster, probes: &Probes) -> Option<String> {
    let (mut a, mut b) = (a.clone(), b.clone());
    probes.add_to(&mut a);
    probes.add_to(&mut b);
    let addresses: Vec<Cidr> = probes.addresses.iter().map(|p| p.cidr).collect();
    let ends = all_endpoints(&a, &addresses);
    let ids: Vec<String> = ends.iter().map(|e| e.id(&a)).collect();
    let on_b = |id: &str| Endpoint::parse(&b, id).unwrap();
    for (i, from) in ends.iter().enumerate() {
        for (j, to) in ends.iter().enumerate() {
            if i == j {
                continue;
            }
            for &(port, protocol) in &probes.ports {
                let ta = Traffic {
                    from: from.clone(),
                    to: to.clone(),
                    port,
                    protocol,
                };
                let tb = Traffic {
                    from: on_b(&ids[i]),
                    to: on_b(&ids[j]),
                    port,
                    protocol,
                };
                let (ea, eb) = (explain(&a, &ta), explain(&b, &tb));
                let sides =
                    |e: &netpol::Explanation| (e.allowed, e.egress.allowed, e.ingress.allowed);
                if sides(&ea) != sides(&eb) {
                    return Some(format!("{} -> {} : {port}/{protocol}", ids[i], ids[j]));
                }
            }
        }
    }
    None
}

proptest! {
    #![proptest_config(common::cases(100))]

    #[test]
    fn the_grader_refuses_a_mutation_exactly_when_a_probe_verdict_differs(
        w in solution(),
        m in mutation(),
    ) {
        let mutated = mutate(&w, m);
        let reference = Reference::from_clusters(w.clone(), Vec::new(), Vec::new());
        let comparison = reference.compare_cluster(&mutated);
        let probes = reference.probes_for(&mutated);
        let pairwise = pairwise_difference(&w, &mutated, &probes);
        prop_assert_eq!(
            comparison.first.is_some(),
            pairwise.is_some(),
            "mutation {:?}: grader says {:?}, pairwise verdicts say {:?}",
            m,
            comparison.first.as_ref().map(Difference::message),
            pairwise
        );
        // What the grader reports is a real difference at the port it names, on the side
        // it names.
        if let Some(Difference::Connection(d)) = &comparison.first {
            let allowed = |e: &netpol::Explanation| match d.side {
                None => e.allowed,
                Some(Direction::Egress) => e.egress.allowed,
                Some(Direction::Ingress) => e.ingress.allowed,
            };
            prop_assert_ne!(allowed(&d.explanation), allowed(&d.solution_explanation));
            prop_assert_eq!(allowed(&d.explanation), d.learner_allows);
        }
    }

    #[test]
    fn the_grader_accepts_the_solution_reordered_and_respelled(w in solution()) {
        let reference = Reference::from_clusters(w.clone(), Vec::new(), Vec::new());
        let comparison = reference.compare_cluster(&respell(&w));
        prop_assert!(comparison.first.is_none(), "{:?}", comparison.first);
        prop_assert_eq!(comparison.pairs, 0);
    }
}

#[test]
fn a_mutation_that_opens_an_impostor_is_named_with_the_probe() {
    // The docs' DNS peer: `namespaceSelector: {}` with the right pod label admits an
    // impostor in any namespace; the solution selects kube-dns's namespace.
    let mut w = Cluster::default();
    for (ns, team) in [("x", "x"), ("kube-system", "kube-system")] {
        let mut n = Namespace::implicit(ns);
        n.labels.insert("team".into(), team.into());
        w.namespaces.push(n);
    }
    let pod = |ns: &str, name: &str, app: &str| Pod {
        namespace: ns.into(),
        name: name.into(),
        kind: EndpointKind::Pod,
        labels: BTreeMap::from([("app".to_string(), app.to_string())]),
        ports: Vec::new(),
        ips: Vec::new(),
        host_network: false,
        origin: None,
    };
    w.pods = vec![
        pod("x", "client", "client"),
        pod("kube-system", "dns", "dns"),
    ];
    w.policies = vec![Policy {
        namespace: "x".into(),
        name: "egress".into(),
        pod_selector: Selector::everything(),
        isolates_ingress: false,
        isolates_egress: true,
        declared_types: None,
        ingress: Vec::new(),
        egress: vec![Rule {
            peers: vec![Peer::Pods {
                namespace_selector: Some(Selector::labels([("team", "kube-system")])),
                pod_selector: Some(Selector::labels([("app", "dns")])),
            }],
            ports: Vec::new(),
            origin: None,
        }],
        origin: None,
    }];
    w.complete_namespaces();
    let mut mutated = w.clone();
    if let Some(Peer::Pods {
        namespace_selector, ..
    }) = mutated.policies[0].egress[0].peers.first_mut()
    {
        *namespace_selector = Some(Selector::everything());
    }
    let reference = Reference::from_clusters(w, Vec::new(), Vec::new());
    let Some(Difference::Connection(d)) = reference.compare_cluster(&mutated).first else {
        panic!("the any-namespace DNS peer must be refused");
    };
    assert!(d.learner_allows);
    assert_eq!(d.from, "x/client");
    assert!(d.to.ends_with("/probe-app-dns"), "{}", d.to);
    assert!(
        d.message.contains("a pod labelled `app: dns` in"),
        "{}",
        d.message
    );
    assert_eq!(d.probes.len(), 1);
}
