//! Property tests for the Cilium policies (issue 22) on random clusters:
//!
//! - a CiliumNetworkPolicy that only allows, written from a NetworkPolicy with the same
//!   meaning, gives the same connectivity;
//! - adding a deny never opens a connection;
//! - without Cilium objects, and with Cilium policies that select no pod, every query gives
//!   the NetworkPolicy-only result;
//! - with Cilium policies, `matrix` and `connectivity` (the per-pair fallback over port
//!   pieces) agree with the chain's verdict for every pair.
//!
//! Cilium policies are written as YAML and loaded, so the loader's parsing (implicit
//! namespace, empty lists, ports) is under test too; the NetworkPolicies are the shared
//! random ones, without ipBlock peers: under Cilium a CIDR never matches a pod, so an
//! ipBlock over pod IPs has no Cilium equivalent (docs/cilium.md §4).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

mod common;

use std::fmt::Write as _;

use common::random::{cluster, NAMESPACES, VALUES};
use netpol::connectivity::connectivity_by_side;
use netpol::endpoint::all_endpoints;
use netpol::model::{Direction, Peer, PolicyPort, PortRef, Rule};
use netpol::selector::{Operator, Requirement};
use netpol::{
    connectivity, explain, load, matrix, verdict, Cluster, Policy, Protocol, Selector, Severity,
    Source, Traffic,
};
use proptest::prelude::*;

const PROBES: [(u16, Protocol); 5] = [
    (80, Protocol::Tcp),
    (81, Protocol::Tcp),
    (82, Protocol::Tcp),
    (53, Protocol::Udp),
    (80, Protocol::Sctp),
];

fn externals() -> Vec<netpol::Cidr> {
    ["8.8.8.8", "10.1.2.3"]
        .iter()
        .map(|s| netpol::Cidr::parse(s, true).unwrap())
        .collect()
}

/// A random cluster whose NetworkPolicies have no ipBlock peer.
fn pod_peer_cluster() -> impl Strategy<Value = Cluster> {
    cluster(false).prop_map(|mut c| {
        for p in &mut c.policies {
            for r in p.ingress.iter_mut().chain(p.egress.iter_mut()) {
                // A rule left with no peer would mean "every peer": drop the rule instead.
                let had = !r.peers.is_empty();
                r.peers.retain(|peer| matches!(peer, Peer::Pods { .. }));
                if had && r.peers.is_empty() {
                    r.ports.clear();
                    r.peers.push(Peer::Pods {
                        namespace_selector: None,
                        pod_selector: Some(Selector::labels([("nothing", "here")])),
                    });
                }
            }
        }
        c
    })
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

/// A selector as flow YAML, each key with `key_prefix`, plus `extra` expressions.
fn selector_yaml(sel: &Selector, key_prefix: &str, extra: &[String]) -> (Vec<String>, Vec<String>) {
    let labels = sel
        .match_labels
        .iter()
        .map(|(k, v)| format!("{}: {}", quoted(&format!("{key_prefix}{k}")), quoted(v)))
        .collect();
    let mut exprs: Vec<String> = sel
        .match_expressions
        .iter()
        .map(|r: &Requirement| {
            let values: Vec<String> = r.values.iter().map(|v| quoted(v)).collect();
            format!(
                "{{key: {}, operator: {}, values: [{}]}}",
                quoted(&format!("{key_prefix}{}", r.key)),
                r.operator.as_str(),
                values.join(", ")
            )
        })
        .collect();
    exprs.extend(extra.iter().cloned());
    (labels, exprs)
}

fn flow(labels: &[String], exprs: &[String]) -> String {
    format!(
        "{{matchLabels: {{{}}}, matchExpressions: [{}]}}",
        labels.join(", "),
        exprs.join(", ")
    )
}

/// The `fromEndpoints`/`toEndpoints` selector that means the same as a NetworkPolicy peer.
fn peer_selector(namespace_selector: Option<&Selector>, pod_selector: Option<&Selector>) -> String {
    let everything = Selector::default();
    let (mut labels, mut exprs) = selector_yaml(pod_selector.unwrap_or(&everything), "", &[]);
    if let Some(ns) = namespace_selector {
        let (l, e) = selector_yaml(ns, "k8s:io.cilium.k8s.namespace.labels.", &[]);
        labels.extend(l);
        exprs.extend(e);
        if ns.match_labels.is_empty() && ns.match_expressions.is_empty() {
            // Every namespace: without a namespace term the agent adds the policy's own.
            exprs.push("{key: \"k8s:io.kubernetes.pod.namespace\", operator: Exists}".into());
        }
    }
    flow(&labels, &exprs)
}

fn ports_yaml(ports: &[PolicyPort]) -> String {
    let items: Vec<String> = ports
        .iter()
        .map(|p| {
            let port = match &p.port {
                None => "\"0\"".to_string(),
                Some(PortRef::Number(n)) => quoted(&n.to_string()),
                Some(PortRef::Name(s)) => quoted(s),
            };
            let end = p
                .end_port
                .map(|e| format!(", endPort: {e}"))
                .unwrap_or_default();
            format!("{{port: {port}, protocol: {}{end}}}", p.protocol.as_str())
        })
        .collect();
    format!("[{{ports: [{}]}}]", items.join(", "))
}

/// The entries for one NetworkPolicy rule: one per peer (Cilium takes one kind of peer per
/// entry), every peer when the rule names none.
fn entries(rule: &Rule, direction: Direction, out: &mut String) {
    let (endpoints, entities) = match direction {
        Direction::Ingress => ("fromEndpoints", "fromEntities"),
        Direction::Egress => ("toEndpoints", "toEntities"),
    };
    let ports = if rule.ports.is_empty() {
        String::new()
    } else {
        format!(", toPorts: {}", ports_yaml(&rule.ports))
    };
    if rule.peers.is_empty() {
        let _ = writeln!(out, "    - {{{entities}: [all]{ports}}}");
    }
    for peer in &rule.peers {
        if let Peer::Pods {
            namespace_selector,
            pod_selector,
        } = peer
        {
            let sel = peer_selector(namespace_selector.as_ref(), pod_selector.as_ref());
            let _ = writeln!(out, "    - {{{endpoints}: [{sel}]{ports}}}");
        }
    }
}

/// A CiliumNetworkPolicy with the meaning of a NetworkPolicy (without ipBlock peers).
fn cilium_of(p: &Policy) -> String {
    let (labels, exprs) = selector_yaml(&p.pod_selector, "", &[]);
    let mut out = format!(
        "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: {}, namespace: \"{}\"}}\nspec:\n  endpointSelector: {}\n",
        p.name,
        p.namespace,
        flow(&labels, &exprs)
    );
    for (direction, field) in [
        (Direction::Ingress, "ingress"),
        (Direction::Egress, "egress"),
    ] {
        if !p.isolates(direction) {
            continue;
        }
        let _ = writeln!(out, "  {field}:");
        let rules = p.rules(direction);
        if rules.is_empty() {
            // Isolated with nothing allowed: an entry that selects nothing.
            out.push_str("    - {}\n");
        }
        for r in rules {
            entries(r, direction, &mut out);
        }
    }
    out
}

/// Loads Cilium YAML into a copy of `base` (whose NetworkPolicies stay unless `drop_np`).
fn with_cilium(base: &Cluster, yaml: &str, drop_np: bool) -> Result<Cluster, TestCaseError> {
    let loaded = load(&[Source {
        name: "cilium.yaml",
        text: yaml,
    }]);
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    prop_assert!(errors.is_empty(), "{}\n{yaml}", errors.join("\n"));
    let mut c = base.clone();
    if drop_np {
        c.policies.clear();
    }
    c.cilium.policies = loaded.cluster.cilium.policies;
    Ok(c)
}

/// A random deny policy: who (a pod selector, an entity or a CIDR) and which ports.
fn deny_policy() -> impl Strategy<Value = String> {
    let peer = prop_oneof![
        prop::sample::select(VALUES.to_vec())
            .prop_map(|v| format!("Endpoints: [{{matchLabels: {{app: {v}}}}}]")),
        prop::sample::select(vec![
            "world",
            "all",
            "cluster",
            "kube-apiserver",
            "remote-node"
        ])
        .prop_map(|e| format!("Entities: [{e}]")),
        Just("CIDR: [8.0.0.0/8]".to_string()),
    ];
    let ports = prop_oneof![
        Just(String::new()),
        prop::sample::select(vec!["80", "53", "0"])
            .prop_map(|p| format!(", toPorts: [{{ports: [{{port: \"{p}\"}}]}}]")),
    ];
    (
        prop::sample::select(NAMESPACES.to_vec()),
        prop::option::of(prop::sample::select(VALUES.to_vec())),
        prop::bool::ANY,
        peer,
        ports,
    )
        .prop_map(|(ns, app, ingress, peer, ports)| {
            let subject = app.map(|a| format!("{{matchLabels: {{app: {a}}}}}")).unwrap_or_else(|| "{}".into());
            let (list, dir) = if ingress { ("ingressDeny", "from") } else { ("egressDeny", "to") };
            format!(
                "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: deny, namespace: \"{ns}\"}}\nspec:\n  endpointSelector: {subject}\n  {list}:\n    - {{{dir}{peer}{ports}}}\n"
            )
        })
}

/// A CiliumNetworkPolicy that allows one entity, at ingress or egress, to every pod of a
/// namespace or to pods with one `app` label: the entities whose identity depends on the
/// address (the API server's, a node's) or on the subject's node.
fn entity_allow() -> impl Strategy<Value = String> {
    (
        prop::sample::select(NAMESPACES.to_vec()),
        prop::option::of(prop::sample::select(VALUES.to_vec())),
        prop::bool::ANY,
        prop::sample::select(vec!["kube-apiserver", "host", "remote-node", "cluster", "world"]),
    )
        .prop_map(|(ns, app, ingress, entity)| {
            let subject = app.map(|a| format!("{{matchLabels: {{app: {a}}}}}")).unwrap_or_else(|| "{}".into());
            let (list, dir) = if ingress { ("ingress", "from") } else { ("egress", "to") };
            format!(
                "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: entity, namespace: \"{ns}\"}}\nspec:\n  endpointSelector: {subject}\n  {list}:\n    - {{{dir}Entities: [{entity}]}}\n"
            )
        })
}

fn cilium_yaml(c: &Cluster) -> String {
    c.policies
        .iter()
        .map(cilium_of)
        .collect::<Vec<_>>()
        .join("---\n")
}

/// Every pair's exact connections and every probe's verdict agree between two clusters.
fn same_connectivity(a: &Cluster, b: &Cluster) -> Result<(), TestCaseError> {
    let eps = all_endpoints(a, &externals());
    let (ca, cb) = (connectivity(a, &eps), connectivity(b, &eps));
    for i in 0..eps.len() {
        for j in 0..eps.len() {
            prop_assert_eq!(
                ca.get(i, j),
                cb.get(i, j),
                "{} -> {}",
                &ca.endpoints[i],
                &ca.endpoints[j]
            );
        }
    }
    Ok(())
}

/// `matrix` and `connectivity` agree with `verdict` on every pair and probe.
fn bulk_is_per_pair(c: &Cluster) -> Result<(), TestCaseError> {
    let eps = all_endpoints(c, &externals());
    let m = matrix(c, &eps, &PROBES);
    let conn = connectivity(c, &eps);
    let (egress, ingress) = connectivity_by_side(c, &eps);
    for (k, &(port, protocol)) in PROBES.iter().enumerate() {
        for (i, from) in eps.iter().enumerate() {
            for (j, to) in eps.iter().enumerate() {
                let t = Traffic {
                    from: from.clone(),
                    to: to.clone(),
                    port,
                    protocol,
                };
                let v = verdict(c, &t);
                let e = explain(c, &t);
                if !e.loopback {
                    // Each side on its own, as the lesson grader compares them.
                    let (id_from, id_to) = (&m.endpoints[i], &m.endpoints[j]);
                    let got = egress.get(i, j).unwrap().allows(port, protocol);
                    prop_assert_eq!(
                        got,
                        e.egress.allows(),
                        "egress {} -> {} {}/{}",
                        id_from,
                        id_to,
                        port,
                        protocol
                    );
                    let got = ingress.get(i, j).unwrap().allows(port, protocol);
                    prop_assert_eq!(
                        got,
                        e.ingress.allows(),
                        "ingress {} -> {} {}/{}",
                        id_from,
                        id_to,
                        port,
                        protocol
                    );
                }
                prop_assert_eq!(
                    m.checks[k].allowed(i, j),
                    v,
                    "matrix {} -> {} {}/{}",
                    &m.endpoints[i],
                    &m.endpoints[j],
                    port,
                    protocol
                );
                prop_assert_eq!(
                    conn.get(i, j).unwrap().allows(port, protocol),
                    v,
                    "connectivity {} -> {} {}/{}",
                    &m.endpoints[i],
                    &m.endpoints[j],
                    port,
                    protocol
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::cases(120))]

    #[test]
    fn a_cilium_policy_written_from_a_network_policy_allows_the_same(c in pod_peer_cluster()) {
        let cilium = with_cilium(&c, &cilium_yaml(&c), true)?;
        same_connectivity(&c, &cilium)?;
    }

    #[test]
    fn adding_a_deny_never_opens_a_connection(c in pod_peer_cluster(), deny in deny_policy(), half in prop::bool::ANY) {
        // Half the time the allows are Cilium policies, half the time NetworkPolicies.
        let allows = if half { cilium_yaml(&c) } else { String::new() };
        let before = with_cilium(&c, &allows, half)?;
        let after = with_cilium(&c, &format!("{allows}\n---\n{deny}"), half)?;
        let eps = all_endpoints(&c, &externals());
        let (b, a) = (connectivity(&before, &eps), connectivity(&after, &eps));
        for i in 0..eps.len() {
            for j in 0..eps.len() {
                let (b, a) = (b.get(i, j).unwrap(), a.get(i, j).unwrap());
                prop_assert!(a.difference(b).is_empty(), "{} -> {} opened {}\n{deny}", &eps[i].id(&c), &eps[j].id(&c), a.difference(b));
            }
        }
        bulk_is_per_pair(&after)?;
    }

    #[test]
    fn without_cilium_policies_that_select_a_pod_the_network_policies_decide(c in cluster(false)) {
        // Removing every Cilium object gives the NetworkPolicy-only result ...
        let mut removed = with_cilium(&c, &cilium_yaml(&pod_only(&c)), false)?;
        removed.cilium = Default::default();
        same_connectivity(&c, &removed)?;
        // ... and so do Cilium policies that select no pod, through the per-pair path.
        let idle = "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: idle}\nspec:\n  endpointSelector: {matchLabels: {nothing: here}}\n  ingressDeny: [{fromEntities: [all]}]\n  egress: [{}]\n";
        let idle = with_cilium(&c, idle, false)?;
        same_connectivity(&c, &idle)?;
    }

    #[test]
    fn with_cilium_policies_bulk_queries_agree_with_the_chain(c in pod_peer_cluster(), deny in deny_policy()) {
        let mixed = with_cilium(&c, &format!("{}\n---\n{deny}", cilium_yaml(&c)), false)?;
        bulk_is_per_pair(&mixed)?;
    }
}

/// `c` with replicas of its pods, each pod on one of two nodes and some with a service
/// account, so that classes of endpoints hold several members and the Cilium identity
/// (service account) and the node tell some of them apart.
fn replicated(c: &Cluster, copies: &[(usize, usize, bool)], placement: &[(bool, bool)]) -> Cluster {
    let mut c = common::random::with_replicas(c.clone(), copies);
    for (k, pod) in c.pods.iter().enumerate() {
        let (second_node, account) = placement
            .get(k % placement.len().max(1))
            .copied()
            .unwrap_or_default();
        let meta = netpol::cilium::PodMeta {
            service_account: account.then(|| "robot".to_string()),
            node: Some(if second_node { "node-b" } else { "node-a" }.to_string()),
        };
        c.cilium.pods.insert(pod.id(), meta);
    }
    c
}

proptest! {
    #![proptest_config(common::cases(120))]

    #[test]
    fn with_cilium_policies_classes_of_replicas_answer_as_each_pod(
        c in pod_peer_cluster(),
        deny in deny_policy(),
        copies in common::random::replicas(),
        placement in prop::collection::vec((prop::bool::ANY, prop::bool::weighted(0.3)), 1..4),
        allow in entity_allow(),
        api_server in prop::option::of(prop::sample::select(vec!["10.0.0.77", "10.1.0.77", "10.1.2.3", "8.8.8.8"])),
    ) {
        let yaml = format!("{}\n---\n{deny}\n---\n{allow}", cilium_yaml(&c));
        let mixed = with_cilium(&c, &yaml, false)?;
        let mut r = replicated(&mixed, &copies, &placement);
        // The API server at a replica's address (a host-network one is then a node with
        // `kube-apiserver`), at an address outside the cluster, or nowhere.
        r.cilium.api_server = api_server.map(|a| a.parse().unwrap()).into_iter().collect();
        bulk_is_per_pair(&r)?;
        let eps = all_endpoints(&r, &externals());
        prop_assert_eq!(connectivity(&r, &eps), netpol::connectivity::connectivity_per_endpoint(&r, &eps));
    }
}

/// `c` without ipBlock peers (for writing its policies as Cilium YAML).
fn pod_only(c: &Cluster) -> Cluster {
    let mut c = c.clone();
    for p in &mut c.policies {
        for r in p.ingress.iter_mut().chain(p.egress.iter_mut()) {
            r.peers.retain(|peer| matches!(peer, Peer::Pods { .. }));
        }
    }
    c
}

#[test]
fn a_translated_policy_reads_as_written() {
    // The translation itself, on one policy: a namespace selector becomes namespace labels.
    let p = Policy {
        namespace: "x".into(),
        name: "p".into(),
        pod_selector: Selector::labels([("app", "a")]),
        isolates_ingress: true,
        isolates_egress: false,
        declared_types: None,
        ingress: vec![Rule {
            peers: vec![Peer::Pods {
                namespace_selector: Some(Selector {
                    match_labels: [("tier".to_string(), "b".to_string())].into(),
                    match_expressions: vec![Requirement {
                        key: "app".into(),
                        operator: Operator::Exists,
                        values: vec![],
                    }],
                }),
                pod_selector: None,
            }],
            ports: vec![PolicyPort {
                protocol: Protocol::Tcp,
                port: Some(PortRef::Number(80)),
                end_port: Some(81),
            }],
            origin: None,
        }],
        egress: vec![],
        origin: None,
    };
    assert_eq!(
        cilium_of(&p),
        "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: \"x\"}\nspec:\n  endpointSelector: {matchLabels: {\"app\": \"a\"}, matchExpressions: []}\n  ingress:\n    - {fromEndpoints: [{matchLabels: {\"k8s:io.cilium.k8s.namespace.labels.tier\": \"b\"}, matchExpressions: [{key: \"k8s:io.cilium.k8s.namespace.labels.app\", operator: Exists, values: []}]}], toPorts: [{ports: [{port: \"80\", protocol: TCP, endPort: 81}]}]}\n"
    );
}
