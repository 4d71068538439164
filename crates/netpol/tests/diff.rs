//! `diff` and `expect` on random clusters: the laws issue 13 asks for.
//!
//! - `diff(A, A)` is empty;
//! - `diff(A, B)` is `diff(B, A)` with opened and closed, added and removed swapped, and
//!   the same causes seen from the other side;
//! - applying `diff(A, B)` to `connectivity(A)` gives `connectivity(B)` exactly;
//! - the shortcut causes equal the causes from explanations, every change has a cause,
//!   and a policy that did not change is a cause only next to an endpoint or a Node that
//!   did (and then names the Node, with its state on each side);
//! - `expect::check` passes on expectations written from `connectivity` itself and fails
//!   on exactly the one that is flipped;
//! - classes of endpoints never change an answer: with replicas (copies of pods with other
//!   IPs, some on the host network), connectivity per class equals connectivity per pod,
//!   members of one class explain alike towards everything, and the diff from per-class
//!   maps (joint classes compared first) is the diff from per-pod maps, causes included.
//!
//! B is A with one to four random edits (policies removed, added, edited in place; pods
//! relabelled, re-ported, re-addressed, added, removed; namespaces relabelled), so ids are
//! shared and every kind of change meets every other. With ClusterNetworkPolicies, Nodes
//! are relabelled, re-addressed, added and removed too, alone or with the other edits.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

mod common;

use common::random::{self, cluster as random_cluster, labels};
use common::tiers;

use std::collections::{BTreeMap, BTreeSet};

use netpol::cnp::{Action, ClusterNetworkPolicy};
use netpol::connectivity::{connectivity_by_side, connectivity_per_endpoint};
use netpol::diff::render::{Form, Streamer};
use netpol::diff::{
    diff, diff_snapshots, diff_snapshots_explained, endpoint_changes, reached, render,
    stream_snapshots, write_piece, Cause, CauseKind, Diff, Differences, NodeChange, Part, Plan,
    PolicyChange, Snapshot, Tally,
};
use netpol::endpoint::all_endpoints;
use netpol::expect::{check, Expectation, Stated};
use netpol::model::{ContainerPort, Origin};
use netpol::{connectivity, Cidr, Cluster, Node, Pod, Policy, Protocol};
use proptest::prelude::*;

/// Policy of the shared generator, named `name` (the edits add and rewrite by name).
fn policy(name: String) -> impl Strategy<Value = Policy> {
    random::policy(0).prop_map(move |p| Policy {
        name: name.clone(),
        ..p
    })
}

/// Pod of the shared generator, named `name`.
fn pod(name: String) -> impl Strategy<Value = Pod> {
    random::pod(0, false).prop_map(move |p| Pod {
        name: name.clone(),
        ..p
    })
}

/// A cluster of the shared generator (pods told apart by name, not by a label).
fn cluster() -> impl Strategy<Value = Cluster> {
    random_cluster(false)
}

/// The other `http` port for `Edit::Reports` (80 <-> 81), as the shared pods serve it.
fn container_ports(http: u16) -> Vec<ContainerPort> {
    vec![ContainerPort {
        name: Some("http".into()),
        port: http,
        protocol: Protocol::Tcp,
    }]
}

/// One edit from A towards B.
#[derive(Clone, Debug)]
enum Edit {
    RemovePolicy(usize),
    AddPolicy(Policy),
    /// Replaces a policy's spec, keeping its namespace and name.
    RewritePolicy(usize, Policy),
    Relabel(usize, BTreeMap<String, String>),
    Reports(usize),
    Readdress(usize),
    RemovePod(usize),
    AddPod(Pod),
    RelabelNamespace(usize, BTreeMap<String, String>),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        2 => any::<usize>().prop_map(Edit::RemovePolicy),
        2 => policy("added".to_string()).prop_map(Edit::AddPolicy),
        3 => (any::<usize>(), policy("edited".to_string())).prop_map(|(i, p)| Edit::RewritePolicy(i, p)),
        1 => (any::<usize>(), labels()).prop_map(|(i, l)| Edit::Relabel(i, l)),
        1 => any::<usize>().prop_map(Edit::Reports),
        1 => any::<usize>().prop_map(Edit::Readdress),
        1 => any::<usize>().prop_map(Edit::RemovePod),
        1 => pod("extra".to_string()).prop_map(Edit::AddPod),
        1 => (0usize..3, labels()).prop_map(|(i, l)| Edit::RelabelNamespace(i, l)),
    ]
}

impl Edit {
    fn apply(self, c: &mut Cluster) {
        let (np, npods) = (c.policies.len().max(1), c.pods.len().max(1));
        match self {
            Edit::RemovePolicy(i) if !c.policies.is_empty() => {
                c.policies.remove(i % np);
            }
            Edit::AddPolicy(p) if !c.policies.iter().any(|q| q.id() == p.id()) => {
                c.policies.push(p);
            }
            Edit::RewritePolicy(i, mut p) if !c.policies.is_empty() => {
                let target = &mut c.policies[i % np];
                p.namespace = target.namespace.clone();
                p.name = target.name.clone();
                *target = p;
            }
            Edit::Relabel(i, labels) if !c.pods.is_empty() => c.pods[i % npods].labels = labels,
            Edit::Reports(i) if !c.pods.is_empty() => {
                let pod = &mut c.pods[i % npods];
                let http = if pod.ports[0].port == 80 { 81 } else { 80 };
                pod.ports = container_ports(http);
            }
            Edit::Readdress(i) if !c.pods.is_empty() => {
                let pod = &mut c.pods[i % npods];
                pod.ips = if pod.ips.is_empty() {
                    vec!["10.9.9.9".parse().unwrap()]
                } else {
                    vec![]
                };
            }
            Edit::RemovePod(i) if c.pods.len() > 1 => {
                c.pods.remove(i % npods);
            }
            Edit::AddPod(p) if c.pod(&p.id()).is_none() => c.pods.push(p),
            Edit::RelabelNamespace(i, labels) => {
                if let Some(ns) = c.namespaces.get_mut(i) {
                    ns.labels = labels;
                }
            }
            _ => {}
        }
        c.complete_namespaces();
    }
}

fn cluster_pair() -> impl Strategy<Value = (Cluster, Cluster)> {
    (cluster(), prop::collection::vec(edit(), 1..=4)).prop_map(|(a, edits)| {
        let mut b = a.clone();
        for e in edits {
            e.apply(&mut b);
        }
        (a, b)
    })
}

fn externals() -> Vec<Cidr> {
    ["8.8.8.8", "10.1.2.3"]
        .iter()
        .map(|s| Cidr::parse(s, true).unwrap())
        .collect()
}

/// Changes with their causes spelled out, for comparing diffs whose cause lists were
/// built in different orders.
fn resolved(d: &Diff) -> Vec<(String, String, String, String, Vec<Cause>)> {
    d.changes
        .iter()
        .map(|c| {
            (
                c.from.clone(),
                c.to.clone(),
                c.opened.to_string(),
                c.closed.to_string(),
                d.causes_of(c).cloned().collect(),
            )
        })
        .collect()
}

type CauseView = (
    String,
    String,
    String,
    PolicyChange,
    (u8, Option<usize>),
    Vec<String>,
    Vec<NodeChange>,
);

/// A cause without the text of `now`; with `swap`, as the other side of the diff sees it
/// (added ↔ removed, allows ↔ no longer allows, isolates ↔ no longer isolates).
fn view(c: &Cause, swap: bool) -> CauseView {
    let (kind, rule) = match &c.kind {
        CauseKind::Allows { rule } => (0, Some(*rule)),
        CauseKind::NoLongerAllows { rule, .. } => (1, Some(*rule)),
        CauseKind::Isolates => (2, None),
        CauseKind::NoLongerIsolates => (3, None),
        CauseKind::Decides(r) => (4, Some(r.rule)),
        CauseKind::NoLongerDecides(r) => (5, Some(r.rule)),
        CauseKind::IsolatesOverBaseline => (6, None),
        CauseKind::NoLongerIsolatesOverBaseline => (7, None),
        // No random cluster here has Cilium policies (tests/cilium_input.rs has their
        // causes); kept apart from the others, which swap in pairs.
        CauseKind::Cilium { matches_now, .. } => (8 + u8::from(*matches_now), None),
    };
    let (kind, change) = if swap {
        (kind ^ 1, c.change.swapped())
    } else {
        (kind, c.change)
    };
    (
        format!("{:?}", c.direction),
        c.policy.clone(),
        c.pod.clone(),
        change,
        (kind, rule),
        c.endpoint_changes.clone(),
        c.node_changes
            .iter()
            .map(|n| if swap { n.swapped() } else { n.clone() })
            .collect(),
    )
}

// Concrete tier changes, each with the exact causes `netpol diff` gives.

const PODS: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: team-one}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-two}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: team-one, labels: {app: a}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: team-one, labels: {app: b}}
spec: {containers: [{name: c, image: x}]}
";

/// `allow-a`: team-one/b admits ingress from team-one/a only.
const ALLOW_A: &str = "
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-a, namespace: team-one}
spec:
  podSelector: {matchLabels: {app: b}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: a}}}]}]
";

/// `deny-all`: team-one admits no ingress.
const DENY_ALL: &str = "
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: team-one}
spec:
  podSelector: {}
  policyTypes: [Ingress]
";

fn cnp(name: &str, tier: &str, priority: u16, subject: &str, rules: &str) -> String {
    format!(
        "
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {{name: {name}}}
spec:
  tier: {tier}
  priority: {priority}
  subject: {subject}
  ingress: {rules}
"
    )
}

fn load_parts(parts: &[&str]) -> Cluster {
    let text = parts.join("\n---\n");
    let loaded = netpol::load(&[netpol::Source {
        name: "t.yaml",
        text: &text,
    }]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded.cluster
}

/// `from => to` with its causes, for every change.
fn caused(old: &Cluster, new: &Cluster) -> Vec<(String, Vec<String>)> {
    let d = diff(old, new, &[]);
    d.changes
        .iter()
        .map(|c| {
            (
                format!("{} => {}", c.from, c.to),
                d.causes_of(c).map(Cause::describe).collect(),
            )
        })
        .collect()
}

fn causes_of(changes: &[(String, Vec<String>)], pair: &str) -> Vec<String> {
    changes
        .iter()
        .find(|(p, _)| p == pair)
        .map(|(_, c)| c.clone())
        .unwrap_or_else(|| panic!("{pair} did not change: {changes:?}"))
}

#[test]
fn an_added_admin_deny_closes_a_pair_a_network_policy_allowed() {
    let deny = cnp(
        "deny-in",
        "Admin",
        5,
        "{namespaces: {}}",
        "[{name: deny-all, action: Deny, from: [{namespaces: {}}]}]",
    );
    let old = load_parts(&[PODS, ALLOW_A]);
    let new = load_parts(&[PODS, ALLOW_A, &deny]);
    let changes = caused(&old, &new);
    let d = diff(&old, &new, &[]);
    assert!(d.changes.iter().all(|c| c.opened.is_empty()));
    assert_eq!(
        causes_of(&changes, "team-one/a => team-one/b"),
        ["added Admin ClusterNetworkPolicy deny-in (ingress[0] `deny-all`, priority 5) denies it"]
    );
    // Seen from the other side, the same rule is what stopped deciding.
    let back = caused(&new, &old);
    assert_eq!(
        causes_of(&back, "team-one/a => team-one/b"),
        ["removed Admin ClusterNetworkPolicy deny-in (ingress[0] `deny-all`, priority 5) denied it"]
    );
}

#[test]
fn an_added_admin_accept_opens_a_pair_a_network_policy_denied() {
    let accept = cnp(
        "accept-a",
        "Admin",
        10,
        "{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: b}}}}",
        "[{action: Accept, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: a}}}}], protocols: [{tcp: {destinationPort: {number: 8080}}}]}]",
    );
    let old = load_parts(&[PODS, DENY_ALL]);
    let new = load_parts(&[PODS, DENY_ALL, &accept]);
    let d = diff(&old, &new, &[]);
    assert_eq!(d.changes.len(), 1, "{d:?}");
    assert_eq!(d.changes[0].opened.to_string(), "TCP 8080");
    assert_eq!(
        causes_of(&caused(&old, &new), "team-one/a => team-one/b"),
        ["added Admin ClusterNetworkPolicy accept-a (ingress[0], priority 10) accepts it"]
    );
}

#[test]
fn a_removed_baseline_deny_opens_what_no_network_policy_selects() {
    let baseline = cnp(
        "team-default",
        "Baseline",
        10,
        "{namespaces: {}}",
        "[{action: Deny, from: [{namespaces: {}}]}]",
    );
    let old = load_parts(&[PODS, ALLOW_A, &baseline]);
    let new = load_parts(&[PODS, ALLOW_A]);
    let changes = caused(&old, &new);
    // b's ingress is decided by allow-a on both sides: the Baseline tier never reached it.
    assert_eq!(
        changes,
        [(
            "team-one/b => team-one/a".to_string(),
            vec![
                "removed Baseline ClusterNetworkPolicy team-default (ingress[0], priority 10) denied it"
                    .to_string()
            ]
        )]
    );
}

#[test]
fn a_network_policy_that_isolates_a_pod_takes_it_out_of_the_baseline_tier() {
    let baseline = cnp(
        "team-default",
        "Baseline",
        10,
        "{namespaces: {}}",
        "[{action: Deny, from: [{namespaces: {}}]}]",
    );
    let old = load_parts(&[PODS, &baseline]);
    let new = load_parts(&[PODS, &baseline, ALLOW_A]);
    assert_eq!(
        caused(&old, &new),
        [(
            "team-one/a => team-one/b".to_string(),
            vec![
                "added NetworkPolicy team-one/allow-a isolates team-one/b for ingress, so the Baseline tier no longer decides"
                    .to_string()
            ]
        )]
    );
    assert_eq!(
        causes_of(&caused(&new, &old), "team-one/a => team-one/b"),
        ["removed NetworkPolicy team-one/allow-a isolated team-one/b for ingress, so the Baseline tier decides now"]
    );
}

#[test]
fn a_pass_edited_to_deny_names_both_versions_of_the_rule() {
    let rule = |action: &str| {
        cnp(
            "x",
            "Admin",
            5,
            "{namespaces: {}}",
            &format!("[{{action: {action}, from: [{{namespaces: {{}}}}]}}]"),
        )
    };
    let old = load_parts(&[PODS, &rule("Pass")]);
    let new = load_parts(&[PODS, &rule("Deny")]);
    assert_eq!(
        causes_of(&caused(&old, &new), "team-one/a => team-one/b"),
        [
            "edited Admin ClusterNetworkPolicy x (ingress[0], priority 5) denies it",
            "edited Admin ClusterNetworkPolicy x (ingress[0], priority 5) no longer passes it to the NetworkPolicies",
        ]
    );
}

#[test]
fn a_namespace_relabel_moves_a_pod_into_a_tier_policy() {
    let lock = cnp(
        "lock",
        "Admin",
        1,
        "{namespaces: {matchLabels: {locked: 'true'}}}",
        "[{action: Deny, from: [{namespaces: {}}]}]",
    );
    let locked = PODS.replace(
        "metadata: {name: team-one}",
        "metadata: {name: team-one, labels: {locked: 'true'}}",
    );
    let old = load_parts(&[PODS, &lock]);
    let new = load_parts(&[&locked, &lock]);
    assert_eq!(
        causes_of(&caused(&old, &new), "team-one/a => team-one/b"),
        ["Admin ClusterNetworkPolicy lock (ingress[0], priority 1) denies it (labels of namespace team-one changed)"]
    );
}

#[test]
fn a_rule_that_still_matches_is_not_named_when_an_earlier_one_takes_over() {
    let deny = cnp(
        "deny-in",
        "Admin",
        10,
        "{namespaces: {}}",
        "[{action: Deny, from: [{namespaces: {}}]}]",
    );
    let trusted = cnp(
        "trusted",
        "Admin",
        1,
        "{pods: {namespaceSelector: {}, podSelector: {matchLabels: {tier: trusted}}}}",
        "[{action: Accept, from: [{namespaces: {}}]}]",
    );
    let relabelled = PODS.replace("labels: {app: b}", "labels: {app: b, tier: trusted}");
    let old = load_parts(&[PODS, &deny, &trusted]);
    let new = load_parts(&[&relabelled, &deny, &trusted]);
    // deny-in still denies team-one/b; trusted, earlier, now accepts before it is reached.
    assert_eq!(
        causes_of(&caused(&old, &new), "team-one/a => team-one/b"),
        ["Admin ClusterNetworkPolicy trusted (ingress[0], priority 1) accepts it (labels of team-one/b changed)"]
    );
}

#[test]
fn ports_of_one_change_get_the_causes_that_apply_to_them() {
    let deny_web = cnp(
        "deny-web",
        "Admin",
        5,
        "{namespaces: {}}",
        "[{action: Deny, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {number: 80}}}]}]",
    );
    let old = load_parts(&[PODS]);
    let new = load_parts(&[PODS, &deny_web, DENY_ALL]);
    // TCP 80 is denied by the Admin rule before any NetworkPolicy; every other port by
    // deny-all. Each is named once, and only for what it closed.
    assert_eq!(
        causes_of(&caused(&old, &new), "team-one/a => team-one/b"),
        [
            "added Admin ClusterNetworkPolicy deny-web (ingress[0], priority 5) denies it",
            "added NetworkPolicy team-one/deny-all isolates team-one/b for ingress and no rule allows it",
        ]
    );
    let web_only = load_parts(&[PODS, &deny_web]);
    assert_eq!(
        causes_of(&caused(&web_only, &new), "team-one/a => team-one/b"),
        ["added NetworkPolicy team-one/deny-all isolates team-one/b for ingress and no rule allows it"]
    );
}

/// A Node of the given labels and address.
fn node_doc(name: &str, labels: &str, address: &str) -> String {
    format!(
        "
apiVersion: v1
kind: Node
metadata: {{name: {name}, labels: {labels}}}
status: {{addresses: [{{type: InternalIP, address: {address}}}]}}
"
    )
}

/// team-one may not send to the infra Nodes (Admin), and may send to 192.168.1.0/24
/// otherwise (Baseline).
fn node_rules() -> String {
    let deny = "
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-infra-nodes}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {}}
  egress: [{name: deny-infra, action: Deny, to: [{nodes: {matchLabels: {role: infra}}}]}]
";
    let accept = "
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: node-net}
spec:
  tier: Baseline
  priority: 10
  subject: {namespaces: {}}
  egress: [{action: Accept, to: [{networks: [192.168.1.0/24]}]}]
";
    format!("{deny}\n---\n{accept}")
}

/// `from => to` with its causes, with the two Node addresses as outside endpoints.
fn node_caused(old: &[&str], new: &[&str]) -> Vec<(String, Vec<String>)> {
    let externals: Vec<Cidr> = ["192.168.1.10", "192.168.1.11"]
        .iter()
        .map(|a| Cidr::parse(a, true).unwrap())
        .collect();
    let d = diff(&load_parts(old), &load_parts(new), &externals);
    d.changes
        .iter()
        .map(|c| {
            (
                format!("{} => {}", c.from, c.to),
                d.causes_of(c).map(Cause::describe).collect(),
            )
        })
        .collect()
}

#[test]
fn a_relabelled_node_is_named_with_its_labels_before_and_after() {
    let rules = node_rules();
    let infra = node_doc("node-1", "{role: infra}", "192.168.1.10");
    let worker = node_doc("node-1", "{role: worker}", "192.168.1.10");
    // node-2 is infra on both sides: it is not what changed, so it is not named.
    let other = node_doc("node-2", "{role: infra}", "192.168.1.11");
    let opened = node_caused(
        &[PODS, &rules, &infra, &other],
        &[PODS, &rules, &worker, &other],
    );
    assert_eq!(opened.len(), 2, "{opened:?}");
    assert_eq!(
        causes_of(&opened, "team-one/a => ip:192.168.1.10"),
        ["Admin ClusterNetworkPolicy deny-infra-nodes (egress[0] `deny-infra`, priority 10) no longer denies it: \
          Node `node-1` was relabelled (role=infra → role=worker), so the rule's `nodes` peer no longer covers the address"]
    );
    let closed = node_caused(
        &[PODS, &rules, &worker, &other],
        &[PODS, &rules, &infra, &other],
    );
    assert_eq!(
        causes_of(&closed, "team-one/b => ip:192.168.1.10"),
        ["Admin ClusterNetworkPolicy deny-infra-nodes (egress[0] `deny-infra`, priority 10) denies it: \
          Node `node-1` was relabelled (role=worker → role=infra), so the rule's `nodes` peer covers the address now"]
    );
}

#[test]
fn an_added_removed_or_readdressed_node_is_named() {
    let rules = node_rules();
    let infra = node_doc("node-1", "{role: infra}", "192.168.1.10");
    let moved = node_doc("node-1", "{role: infra}", "192.168.1.11");
    let added = node_caused(&[PODS, &rules], &[PODS, &rules, &infra]);
    assert_eq!(
        causes_of(&added, "team-one/a => ip:192.168.1.10"),
        ["Admin ClusterNetworkPolicy deny-infra-nodes (egress[0] `deny-infra`, priority 10) denies it: \
          Node `node-1` was added (role=infra; 192.168.1.10), so the rule's `nodes` peer covers the address now"]
    );
    let removed = node_caused(&[PODS, &rules, &infra], &[PODS, &rules]);
    assert_eq!(
        causes_of(&removed, "team-one/a => ip:192.168.1.10"),
        ["Admin ClusterNetworkPolicy deny-infra-nodes (egress[0] `deny-infra`, priority 10) no longer denies it: \
          Node `node-1` was removed (role=infra; 192.168.1.10), so the rule's `nodes` peer no longer covers the address"]
    );
    // The Node moved from .10 to .11: one address opens, the other closes, both by it.
    let readdressed = node_caused(&[PODS, &rules, &infra], &[PODS, &rules, &moved]);
    assert_eq!(
        causes_of(&readdressed, "team-one/a => ip:192.168.1.11"),
        ["Admin ClusterNetworkPolicy deny-infra-nodes (egress[0] `deny-infra`, priority 10) denies it: \
          Node `node-1` changed addresses (192.168.1.10 → 192.168.1.11), so the rule's `nodes` peer covers the address now"]
    );
    assert_eq!(
        causes_of(&readdressed, "team-one/a => ip:192.168.1.10"),
        ["Admin ClusterNetworkPolicy deny-infra-nodes (egress[0] `deny-infra`, priority 10) no longer denies it: \
          Node `node-1` changed addresses (192.168.1.10 → 192.168.1.11), so the rule's `nodes` peer no longer covers the address"]
    );
}

proptest! {
    #![proptest_config(common::cases(400))]

    #[test]
    fn a_cluster_does_not_differ_from_itself(c in cluster()) {
        let d = diff(&c, &c, &externals());
        prop_assert!(d.is_empty(), "{:?}", d);
        prop_assert!(d.causes.is_empty());
    }

    #[test]
    fn swapping_the_sides_swaps_the_diff((a, b) in cluster_pair()) {
        let ab = diff(&a, &b, &externals());
        let ba = diff(&b, &a, &externals());
        prop_assert_eq!(&ab.added_endpoints, &ba.removed_endpoints);
        prop_assert_eq!(&ab.removed_endpoints, &ba.added_endpoints);
        let back: BTreeMap<(&str, &str), _> = ba.changes.iter().map(|c| ((c.from.as_str(), c.to.as_str()), c)).collect();
        prop_assert_eq!(ab.changes.len(), ba.changes.len());
        for c in &ab.changes {
            let r = back.get(&(c.from.as_str(), c.to.as_str()));
            prop_assert!(r.is_some(), "{} -> {} only one way", c.from, c.to);
            let r = r.unwrap();
            prop_assert_eq!(&c.opened, &r.closed);
            prop_assert_eq!(&c.closed, &r.opened);
            let mine: BTreeSet<_> = ab.causes_of(c).map(|x| view(x, true)).collect();
            let theirs: BTreeSet<_> = ba.causes_of(r).map(|x| view(x, false)).collect();
            prop_assert_eq!(mine, theirs, "{} -> {}", c.from, c.to);
        }
    }

    #[test]
    fn applying_the_diff_gives_the_new_connectivity((a, b) in cluster_pair()) {
        let d = diff(&a, &b, &externals());
        let (ea, eb) = (all_endpoints(&a, &externals()), all_endpoints(&b, &externals()));
        let (ca, cb) = (connectivity(&a, &ea), connectivity(&b, &eb));
        let position = |ids: &[String], id: &str| ids.iter().position(|x| x == id);
        let changes: BTreeMap<(&str, &str), _> = d.changes.iter().map(|c| ((c.from.as_str(), c.to.as_str()), c)).collect();
        for (i, from) in ca.endpoints.iter().enumerate() {
            for (j, to) in ca.endpoints.iter().enumerate() {
                let (Some(bi), Some(bj)) = (position(&cb.endpoints, from), position(&cb.endpoints, to)) else { continue };
                let before = ca.get(i, j).unwrap();
                let after = cb.get(bi, bj).unwrap();
                let applied = match changes.get(&(from.as_str(), to.as_str())) {
                    Some(c) => before.difference(&c.closed).union(&c.opened),
                    None => before.clone(),
                };
                prop_assert_eq!(&applied, after, "{} -> {}", from, to);
            }
        }
        let only = |x: &[String], y: &[String]| -> Vec<String> { x.iter().filter(|id| !y.contains(id)).cloned().collect() };
        prop_assert_eq!(&d.added_endpoints, &only(&cb.endpoints, &ca.endpoints));
        prop_assert_eq!(&d.removed_endpoints, &only(&ca.endpoints, &cb.endpoints));
    }

    #[test]
    fn shortcut_causes_are_the_explained_causes((a, b) in cluster_pair()) {
        let (ea, eb) = (all_endpoints(&a, &externals()), all_endpoints(&b, &externals()));
        let (ca, cb) = (connectivity(&a, &ea), connectivity(&b, &eb));
        let old = Snapshot { cluster: &a, endpoints: &ea, connectivity: &ca };
        let new = Snapshot { cluster: &b, endpoints: &eb, connectivity: &cb };
        let fast = diff_snapshots(old, new);
        let reference = diff_snapshots_explained(old, new);
        prop_assert_eq!(resolved(&fast), resolved(&reference));
        for c in &fast.changes {
            prop_assert!(!c.causes.is_empty(), "{} -> {} changed without a cause", c.from, c.to);
            // The probe port shows the change: the two sides disagree there.
            let (port, protocol) = c.probe().unwrap();
            prop_assert_ne!(c.opened.allows(port, protocol), c.closed.allows(port, protocol));
            for cause in fast.causes_of(c) {
                prop_assert!(
                    cause.change != PolicyChange::Unchanged
                        || !cause.endpoint_changes.is_empty()
                        || !cause.node_changes.is_empty(),
                    "{}", cause.describe()
                );
            }
        }
    }

    #[test]
    fn expectations_from_connectivity_pass_and_a_flipped_one_fails(c in cluster(), flip in any::<prop::sample::Index>()) {
        let eps = all_endpoints(&c, &externals());
        let map = connectivity(&c, &eps);
        let mut stated = Vec::new();
        for (i, from) in map.endpoints.iter().enumerate() {
            for (j, to) in map.endpoints.iter().enumerate() {
                // Nothing to say about a pod and itself, or about two outside addresses.
                if i == j || (from.starts_with("ip:") && to.starts_with("ip:")) {
                    continue;
                }
                for (port, protocol) in [(80, Protocol::Tcp), (81, Protocol::Tcp), (53, Protocol::Udp)] {
                    let allowed = map.get(i, j).unwrap().allows(port, protocol);
                    let line = stated.len() + 1;
                    stated.push(Stated {
                        expectation: Expectation { from: from.clone(), to: to.clone(), port, protocol, allowed },
                        origin: Origin { source: "e.yaml".into(), start: 0, end: 0, line, column: 3 },
                    });
                }
            }
        }
        let report = check(&c, &stated).unwrap();
        prop_assert!(report.passed());
        prop_assert_eq!(report.checked(), stated.len());
        let k = flip.index(stated.len());
        stated[k].expectation.allowed = !stated[k].expectation.allowed;
        let report = check(&c, &stated).unwrap();
        let failed: Vec<usize> = report.outcomes.iter().filter(|o| !o.passed()).map(|o| o.stated.origin.line).collect();
        prop_assert_eq!(failed, vec![k + 1]);
        let failure = &report.outcomes[k].failures[0].explanation;
        prop_assert_eq!(failure.allowed, !stated[k].expectation.allowed);
    }
}

// ClusterNetworkPolicies in the random clusters: the same laws, and every tier cause is
// true of the chain it names.

/// The tier policies and Nodes these diffs explore: both outside addresses the diffs look
/// at as Node addresses, and one that no endpoint has.
static TIER_SHAPE: tiers::Shape = tiers::Shape {
    networks: &["10.0.0.0/8", "0.0.0.0/0"],
    ports: &[(53, 53), (80, 80), (80, 81), (1, 79)],
    protocols: &Protocol::ALL,
    node_addresses: &["8.8.8.8", "10.1.2.3", "192.168.9.9"],
};

fn cluster_policy(name: String) -> impl Strategy<Value = ClusterNetworkPolicy> {
    tiers::cluster_policy(&TIER_SHAPE, name)
}

fn node(name: String) -> impl Strategy<Value = Node> {
    tiers::node(&TIER_SHAPE, name)
}

fn tiered_cluster() -> impl Strategy<Value = Cluster> {
    let policies = (0usize..=3).prop_flat_map(|n| {
        (0..n)
            .map(|i| cluster_policy(format!("c{i}")))
            .collect::<Vec<_>>()
    });
    let nodes = (0usize..=2)
        .prop_flat_map(|n| (0..n).map(|i| node(format!("node{i}"))).collect::<Vec<_>>());
    (cluster(), policies, nodes).prop_map(|(mut c, cluster_policies, nodes)| {
        c.cluster_policies = cluster_policies;
        c.nodes = nodes;
        c
    })
}

/// One edit of the Nodes from A towards B.
#[derive(Clone, Debug)]
enum NodeEdit {
    Relabel(usize, BTreeMap<String, String>),
    Readdress(usize, Vec<&'static str>),
    Remove(usize),
    Add(Node),
}

fn node_edit() -> impl Strategy<Value = NodeEdit> {
    prop_oneof![
        3 => (any::<usize>(), labels()).prop_map(|(i, l)| NodeEdit::Relabel(i, l)),
        1 => (any::<usize>(), prop::sample::subsequence(TIER_SHAPE.node_addresses.to_vec(), 0..=2))
            .prop_map(|(i, a)| NodeEdit::Readdress(i, a)),
        1 => any::<usize>().prop_map(NodeEdit::Remove),
        1 => node("added-node".to_string()).prop_map(NodeEdit::Add),
    ]
}

impl NodeEdit {
    fn apply(self, c: &mut Cluster) {
        let n = c.nodes.len();
        match self {
            NodeEdit::Relabel(i, labels) if n > 0 => c.nodes[i % n].labels = labels,
            NodeEdit::Readdress(i, addresses) if n > 0 => {
                c.nodes[i % n].addresses = addresses.iter().map(|a| a.parse().unwrap()).collect();
            }
            NodeEdit::Remove(i) if n > 0 => {
                c.nodes.remove(i % n);
            }
            NodeEdit::Add(node) if !c.nodes.iter().any(|m| m.name == node.name) => {
                c.nodes.push(node);
            }
            _ => {}
        }
    }
}

/// A tiered cluster and the same with only its Nodes edited.
fn node_pair() -> impl Strategy<Value = (Cluster, Cluster)> {
    (tiered_cluster(), prop::collection::vec(node_edit(), 1..=2)).prop_map(|(a, edits)| {
        let mut b = a.clone();
        for e in edits {
            e.apply(&mut b);
        }
        (a, b)
    })
}

/// One edit of the ClusterNetworkPolicies from A towards B.
#[derive(Clone, Debug)]
enum TierEdit {
    Remove(usize),
    Add(ClusterNetworkPolicy),
    /// Replaces a policy's spec, keeping its name.
    Rewrite(usize, ClusterNetworkPolicy),
    /// Flips the action of one rule (Accept → Deny → Pass → Accept).
    Flip(usize, usize),
}

fn tier_edit() -> impl Strategy<Value = TierEdit> {
    prop_oneof![
        any::<usize>().prop_map(TierEdit::Remove),
        cluster_policy("added".to_string()).prop_map(TierEdit::Add),
        (any::<usize>(), cluster_policy("edited".to_string()))
            .prop_map(|(i, p)| TierEdit::Rewrite(i, p)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, r)| TierEdit::Flip(i, r)),
    ]
}

impl TierEdit {
    fn apply(self, c: &mut Cluster) {
        let n = c.cluster_policies.len();
        match self {
            TierEdit::Remove(i) if n > 0 => {
                c.cluster_policies.remove(i % n);
            }
            TierEdit::Add(p) if !c.cluster_policies.iter().any(|q| q.name == p.name) => {
                c.cluster_policies.push(p);
            }
            TierEdit::Rewrite(i, mut p) if n > 0 => {
                let target = &mut c.cluster_policies[i % n];
                p.name = target.name.clone();
                *target = p;
            }
            TierEdit::Flip(i, r) if n > 0 => {
                let target = &mut c.cluster_policies[i % n];
                let rules = if target.ingress.is_empty() {
                    &mut target.egress
                } else {
                    &mut target.ingress
                };
                let len = rules.len();
                if let Some(rule) = rules.get_mut(r % len.max(1)) {
                    rule.action = match rule.action {
                        Action::Accept => Action::Deny,
                        Action::Deny => Action::Pass,
                        Action::Pass => Action::Accept,
                    };
                }
            }
            _ => {}
        }
    }
}

/// `a` with the edits applied, policies first, then tiers, then nodes.
fn edited(
    a: &Cluster,
    edits: Vec<Edit>,
    tier_edits: Vec<TierEdit>,
    node_edits: Vec<NodeEdit>,
) -> Cluster {
    let mut b = a.clone();
    for e in edits {
        e.apply(&mut b);
    }
    for e in tier_edits {
        e.apply(&mut b);
    }
    for e in node_edits {
        e.apply(&mut b);
    }
    b
}

fn tiered_pair() -> impl Strategy<Value = (Cluster, Cluster)> {
    (
        tiered_cluster(),
        prop::collection::vec(edit(), 0..=2),
        prop::collection::vec(tier_edit(), 1..=2),
        prop::collection::vec(node_edit(), 0..=1),
    )
        .prop_map(|(a, edits, tier_edits, node_edits)| {
            let b = edited(&a, edits, tier_edits, node_edits);
            (a, b)
        })
}

/// Whether the chain of `c` for `from -> to` in `direction` has ClusterNetworkPolicy
/// `policy`'s rule `rule` as the first match of its tier at one of `ports`.
fn tier_rule_matches(
    c: &Cluster,
    from: &str,
    to: &str,
    direction: netpol::Direction,
    (policy, rule): (&str, usize),
    ports: &[(u16, Protocol)],
) -> bool {
    let eps = all_endpoints(c, &externals());
    let find = |id: &str| eps.iter().find(|e| e.id(c) == id).cloned().unwrap();
    ports.iter().any(|&(port, protocol)| {
        let e = netpol::explain(
            c,
            &netpol::Traffic {
                from: find(from),
                to: find(to),
                port,
                protocol,
            },
        );
        let side = match direction {
            netpol::Direction::Egress => &e.egress,
            netpol::Direction::Ingress => &e.ingress,
        };
        [&side.admin, &side.baseline].iter().any(|t| {
            t.matched
                .as_ref()
                .is_some_and(|m| m.policy == policy && m.rule == rule)
        })
    })
}

/// Ports where the change's causes can differ: every boundary the generators use.
fn changed_ports(c: &netpol::diff::Change) -> Vec<(u16, Protocol)> {
    let changed = c.opened.union(&c.closed);
    let mut ports: Vec<(u16, Protocol)> = Vec::new();
    for protocol in Protocol::ALL {
        for &(lo, _) in changed.ports(protocol).ranges() {
            ports.push((lo, protocol));
        }
        for port in [1, 53, 54, 79, 80, 81, 82, 65535] {
            if changed.allows(port, protocol) {
                ports.push((port, protocol));
            }
        }
    }
    ports
}

proptest! {
    #![proptest_config(common::cases(400))]

    #[test]
    fn a_tiered_cluster_does_not_differ_from_itself(c in tiered_cluster()) {
        let d = diff(&c, &c, &externals());
        prop_assert!(d.is_empty(), "{:?}", d);
    }

    #[test]
    fn swapping_tiered_sides_swaps_the_diff((a, b) in tiered_pair()) {
        let ab = diff(&a, &b, &externals());
        let ba = diff(&b, &a, &externals());
        let back: BTreeMap<(&str, &str), _> = ba.changes.iter().map(|c| ((c.from.as_str(), c.to.as_str()), c)).collect();
        prop_assert_eq!(ab.changes.len(), ba.changes.len());
        for c in &ab.changes {
            let r = back[&(c.from.as_str(), c.to.as_str())];
            prop_assert_eq!(&c.opened, &r.closed);
            let mine: BTreeSet<_> = ab.causes_of(c).map(|x| view(x, true)).collect();
            let theirs: BTreeSet<_> = ba.causes_of(r).map(|x| view(x, false)).collect();
            prop_assert_eq!(mine, theirs, "{} -> {}", c.from, c.to);
        }
    }

    #[test]
    fn every_tiered_change_has_true_causes((a, b) in tiered_pair()) {
        let (ea, eb) = (all_endpoints(&a, &externals()), all_endpoints(&b, &externals()));
        let (ca, cb) = (connectivity(&a, &ea), connectivity(&b, &eb));
        let old = Snapshot { cluster: &a, endpoints: &ea, connectivity: &ca };
        let new = Snapshot { cluster: &b, endpoints: &eb, connectivity: &cb };
        let fast = diff_snapshots(old, new);
        prop_assert_eq!(resolved(&fast), resolved(&diff_snapshots_explained(old, new)));
        for c in &fast.changes {
            prop_assert!(!c.causes.is_empty(), "{} -> {} changed without a cause", c.from, c.to);
            let ports = changed_ports(c);
            for cause in fast.causes_of(c) {
                prop_assert!(
                    cause.change != PolicyChange::Unchanged
                        || !cause.endpoint_changes.is_empty()
                        || !cause.node_changes.is_empty(),
                    "{}", cause.describe()
                );
                // A tier rule named as deciding now (before) is the first match of its
                // tier now (before) at some port of the change.
                let (cluster, rule) = match &cause.kind {
                    CauseKind::Decides(r) => (&b, r.rule),
                    CauseKind::NoLongerDecides(r) => (&a, r.rule),
                    _ => continue,
                };
                prop_assert!(
                    tier_rule_matches(cluster, &c.from, &c.to, cause.direction, (&cause.policy, rule), &ports),
                    "{} -> {}: {}", c.from, c.to, cause.describe()
                );
                for node in &cause.node_changes {
                    prop_assert!(node_state_is_true(&a, &b, node), "{}", cause.describe());
                }
            }
        }
    }

    #[test]
    fn a_change_of_nodes_alone_is_explained_by_the_nodes((a, b) in node_pair()) {
        let (ea, eb) = (all_endpoints(&a, &externals()), all_endpoints(&b, &externals()));
        let (ca, cb) = (connectivity(&a, &ea), connectivity(&b, &eb));
        let old = Snapshot { cluster: &a, endpoints: &ea, connectivity: &ca };
        let new = Snapshot { cluster: &b, endpoints: &eb, connectivity: &cb };
        let fast = diff_snapshots(old, new);
        prop_assert_eq!(resolved(&fast), resolved(&diff_snapshots_explained(old, new)));
        for c in &fast.changes {
            // Only addresses change through Nodes; pods never do.
            prop_assert!(c.to.starts_with("ip:"), "{} -> {}", c.from, c.to);
            prop_assert!(!c.causes.is_empty(), "{} -> {} changed without a cause", c.from, c.to);
            // Nothing else changed, so every cause is a rule that names its Nodes.
            for cause in fast.causes_of(c) {
                prop_assert!(!cause.node_changes.is_empty(), "{} -> {}: {}", c.from, c.to, cause.describe());
                prop_assert!(cause.describe().contains("Node `"), "{}", cause.describe());
                for node in &cause.node_changes {
                    prop_assert!(node_state_is_true(&a, &b, node), "{}", cause.describe());
                }
            }
        }
    }
}

/// Whether `change` holds the Node's labels and addresses as `a` (before) and `b` (after)
/// have them, and the Node differs between them.
fn node_state_is_true(a: &Cluster, b: &Cluster, change: &NodeChange) -> bool {
    let state = |c: &Cluster| {
        c.nodes
            .iter()
            .find(|n| n.name == change.name)
            .map(|n| (n.labels.clone(), n.addresses.clone()))
    };
    let told = |s: &Option<netpol::diff::NodeState>| {
        s.as_ref().map(|s| (s.labels.clone(), s.addresses.clone()))
    };
    state(a) == told(&change.before) && state(b) == told(&change.after) && state(a) != state(b)
}

// Classes of endpoints (`netpol::classes`): computing per class is computing per pod.

/// A tiered cluster with replicas of its pods.
fn replicated() -> impl Strategy<Value = Cluster> {
    (tiered_cluster(), random::replicas()).prop_map(|(c, r)| random::with_replicas(c, &r))
}

/// A replicated cluster and the same with random edits (which may touch one replica and
/// not the others: a joint class splits).
fn replicated_pair() -> impl Strategy<Value = (Cluster, Cluster)> {
    (
        replicated(),
        prop::collection::vec(edit(), 0..=3),
        prop::collection::vec(tier_edit(), 0..=1),
        prop::collection::vec(node_edit(), 0..=1),
    )
        .prop_map(|(a, edits, tier_edits, node_edits)| {
            let b = edited(&a, edits, tier_edits, node_edits);
            (a, b)
        })
}

/// An explanation without what names its ends: the ids, and the reasons of misses
/// (`10.0.0.77 is not inside ipBlock ...`, which quote the pod's own IPs and id). What is
/// left (the verdict, each stage's outcome, every policy, rule and kind of miss) must be
/// the same for every member of a class.
fn shape(e: &netpol::Explanation) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for key in ["from", "to", "pod", "reason"] {
                    map.remove(key);
                }
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(e).unwrap();
    strip(&mut v);
    v
}

const CLASS_PROBES: [(u16, Protocol); 3] = [
    (80, Protocol::Tcp),
    (53, Protocol::Udp),
    (81, Protocol::Tcp),
];

proptest! {
    #![proptest_config(common::cases(300))]

    #[test]
    fn classes_never_change_connectivity_or_an_explanation(c in replicated()) {
        let eps = all_endpoints(&c, &externals());
        let by_class = connectivity(&c, &eps);
        let by_pod = connectivity_per_endpoint(&c, &eps);
        for i in 0..eps.len() {
            for j in 0..eps.len() {
                prop_assert_eq!(by_class.get(i, j), by_pod.get(i, j), "{} -> {}", by_pod.endpoints[i], by_pod.endpoints[j]);
            }
        }
        // Each side on its own (the lesson grader's query) too.
        let (egress, ingress) = connectivity_by_side(&c, &eps);
        for i in 0..eps.len() {
            for j in 0..eps.len() {
                let both = egress.get(i, j).unwrap().intersect(ingress.get(i, j).unwrap());
                let expected = if i == j && matches!(eps[i], netpol::Endpoint::Pod(_)) { netpol::Connections::all() } else { by_pod.get(i, j).unwrap().clone() };
                prop_assert_eq!(both, expected);
            }
        }
        let classes = by_class.classes();
        for k in 0..classes.len() {
            let members = classes.members(k);
            let first = members[0];
            for &other in &members[1..] {
                for x in 0..eps.len() {
                    // A member to itself is a loopback; to another member, not.
                    let peer_of = |m: usize| if x == m { if m == first { other } else { first } } else { x };
                    for &(port, protocol) in &CLASS_PROBES {
                        let explain = |from: usize, to: usize| shape(&netpol::explain(&c, &netpol::Traffic { from: eps[from].clone(), to: eps[to].clone(), port, protocol }));
                        prop_assert_eq!(explain(first, peer_of(first)), explain(other, peer_of(other)), "{} and {} towards {}", by_pod.endpoints[first], by_pod.endpoints[other], by_pod.endpoints[x]);
                        prop_assert_eq!(explain(peer_of(first), first), explain(peer_of(other), other), "{} and {} from {}", by_pod.endpoints[first], by_pod.endpoints[other], by_pod.endpoints[x]);
                    }
                }
            }
        }
    }

    #[test]
    fn classes_never_change_a_diff_or_its_causes((a, b) in replicated_pair()) {
        let (ea, eb) = (all_endpoints(&a, &externals()), all_endpoints(&b, &externals()));
        let (ca, cb) = (connectivity(&a, &ea), connectivity(&b, &eb));
        let (pa, pb) = (connectivity_per_endpoint(&a, &ea), connectivity_per_endpoint(&b, &eb));
        let snapshot = |cluster, endpoints, connectivity| Snapshot { cluster, endpoints, connectivity };
        let by_class = diff_snapshots(snapshot(&a, &ea, &ca), snapshot(&b, &eb, &cb));
        let by_pod = diff_snapshots(snapshot(&a, &ea, &pa), snapshot(&b, &eb, &pb));
        prop_assert_eq!(&by_class, &by_pod);
        let explained = diff_snapshots_explained(snapshot(&a, &ea, &ca), snapshot(&b, &eb, &cb));
        prop_assert_eq!(resolved(&by_class), resolved(&explained));
    }

    #[test]
    fn the_diff_over_the_rows_a_change_reaches_is_the_diff_over_every_cell((a, b) in replicated_pair()) {
        let (ea, eb) = (all_endpoints(&a, &externals()), all_endpoints(&b, &externals()));
        let (ca, cb) = (connectivity(&a, &ea), connectivity(&b, &eb));
        let snapshot = |cluster, endpoints, connectivity| Snapshot { cluster, endpoints, connectivity };
        let every_cell = diff_snapshots(snapshot(&a, &ea, &ca), snapshot(&b, &eb, &cb));
        prop_assert_eq!(&diff(&a, &b, &externals()), &every_cell);
        // Every pair whose verdict moved has an end the cover reached.
        if let Some((old_reached, new_reached)) = reached(&a, &b, &ea, &eb) {
            for c in &every_cell.changes {
                let at = |ids: &[String], id: &str| ids.iter().position(|x| x == id).unwrap();
                let (i, j) = (at(&ca.endpoints, &c.from), at(&ca.endpoints, &c.to));
                prop_assert!(old_reached[i] || old_reached[j], "{} -> {} not reached", c.from, c.to);
                let (i, j) = (at(&cb.endpoints, &c.from), at(&cb.endpoints, &c.to));
                prop_assert!(new_reached[i] || new_reached[j], "{} -> {} not reached", c.from, c.to);
            }
        }
    }

    #[test]
    fn the_diff_over_reached_rows_is_exact_on_plain_clusters((a, b) in cluster_pair()) {
        let (ea, eb) = (all_endpoints(&a, &externals()), all_endpoints(&b, &externals()));
        let (ca, cb) = (connectivity(&a, &ea), connectivity(&b, &eb));
        let snapshot = |cluster, endpoints, connectivity| Snapshot { cluster, endpoints, connectivity };
        prop_assert_eq!(&diff(&a, &b, &externals()), &diff_snapshots(snapshot(&a, &ea, &ca), snapshot(&b, &eb, &cb)));
    }
}

/// `diff` written by a streamer fed from `stream_snapshots`, in `form`.
fn streamed(old: Snapshot<'_>, new: Snapshot<'_>, form: Form) -> String {
    let (added, removed) = endpoint_changes(old, new);
    let mut out = String::new();
    let mut stream = Streamer::start(&mut out, form, &added, &removed).unwrap();
    let tally = stream_snapshots(old, new, |c, causes| stream.change(c, causes)).unwrap();
    stream.finish(&tally, &added, &removed).unwrap();
    out
}

/// `streamed`, walked as the CLI walks it on several threads (`Plan::walk_share`, one
/// walker after the other here), the senders cut at `cuts` into pieces and each group's
/// senders walked by walker `group % walkers` (or `(group + 1) % walkers` when `shift`),
/// the pieces' parts put back in sender order by `write_piece`.
fn streamed_in_pieces(
    old: Snapshot<'_>,
    new: Snapshot<'_>,
    form: Form,
    cuts: &[usize],
    walkers: usize,
    shift: bool,
) -> String {
    let plan = Plan::new(old, new, Differences::between(old.cluster, new.cluster));
    let n = plan.senders();
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (n + 1)).chain([0, n]).collect();
    netpol::sorting::sort_unstable(&mut bounds);
    bounds.dedup();
    let pieces: Vec<std::ops::Range<usize>> = bounds.windows(2).map(|w| w[0]..w[1]).collect();
    let owners: Vec<usize> = (0..plan.groups())
        .map(|g| (g + usize::from(shift)) % walkers)
        .collect();
    let mut shares: Vec<std::vec::IntoIter<Part>> = (0..walkers)
        .map(|me| {
            let mut parts = Vec::new();
            plan.walk_share(&pieces, &owners, me, form, |part| {
                parts.push(part);
                Some(String::new())
            })
            .unwrap();
            parts.into_iter()
        })
        .collect();
    let (added, removed) = endpoint_changes(old, new);
    let mut out = String::new();
    let mut stream = Streamer::start(&mut out, form, &added, &removed).unwrap();
    let mut tally = Tally::default();
    for senders in &pieces {
        let parts: Vec<Part> = shares.iter_mut().map(|s| s.next().unwrap()).collect();
        tally += write_piece(&parts, senders.len(), |text| stream.piece(text)).unwrap();
    }
    stream.finish(&tally, &added, &removed).unwrap();
    out
}

proptest! {
    #![proptest_config(common::cases(100))]

    #[test]
    fn a_diff_walked_in_pieces_by_several_walkers_writes_what_one_walk_writes(
        (a, b) in replicated_pair(),
        cuts in prop::collection::vec(0usize..64, 0..6),
        walkers in 1usize..4,
        shift: bool,
    ) {
        let (ea, eb) = (all_endpoints(&a, &externals()), all_endpoints(&b, &externals()));
        let (ca, cb) = (connectivity(&a, &ea), connectivity(&b, &eb));
        let old = Snapshot { cluster: &a, endpoints: &ea, connectivity: &ca };
        let new = Snapshot { cluster: &b, endpoints: &eb, connectivity: &cb };
        for form in [Form::Text, Form::Csv, Form::Json] {
            prop_assert_eq!(streamed_in_pieces(old, new, form, &cuts, walkers, shift), streamed(old, new, form));
        }
    }
}

proptest! {
    #![proptest_config(common::cases(200))]

    #[test]
    fn a_streamed_diff_writes_what_the_held_diff_writes((a, b) in replicated_pair()) {
        let (ea, eb) = (all_endpoints(&a, &externals()), all_endpoints(&b, &externals()));
        let (ca, cb) = (connectivity(&a, &ea), connectivity(&b, &eb));
        let old = Snapshot { cluster: &a, endpoints: &ea, connectivity: &ca };
        let new = Snapshot { cluster: &b, endpoints: &eb, connectivity: &cb };
        let held = diff_snapshots(old, new);
        let write = |f: fn(&mut String, &Diff) -> std::fmt::Result| { let mut s = String::new(); f(&mut s, &held).unwrap(); s };
        prop_assert_eq!(write(render::write_json), serde_json::to_string_pretty(&held).unwrap());
        prop_assert_eq!(streamed(old, new, Form::Text), render::text(&held));
        prop_assert_eq!(streamed(old, new, Form::Csv), render::csv(&held));
        prop_assert_eq!(streamed(old, new, Form::Json), serde_json::to_string_pretty(&held).unwrap());
    }
}

#[test]
fn an_edited_policy_reaches_the_pods_it_selects_and_nothing_else() {
    let a = common::load::load_one(
        "t.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: x, labels: {app: web}}\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: x, labels: {app: db}}\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: y, labels: {app: api}}\n---\n\
         apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: x}\n\
         spec: {podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {}}]}]}\n",
    )
    .cluster;
    let mut b = a.clone();
    b.policies[0].ingress.clear();
    let (ea, eb) = (all_endpoints(&a, &[]), all_endpoints(&b, &[]));
    let (old, new) = reached(&a, &b, &ea, &eb).expect("no tier, node or Cilium change");
    let ids: Vec<String> = ea.iter().map(|e| e.id(&a)).collect();
    let marked = |r: &[bool]| -> Vec<&str> {
        ids.iter()
            .zip(r)
            .filter(|(_, &m)| m)
            .map(|(id, _)| id.as_str())
            .collect()
    };
    assert_eq!(marked(&old), ["x/db"]);
    assert_eq!(marked(&new), ["x/db"]);
    // The unchanged cluster reaches nothing, and its diff computes no cell.
    let (old, new) = reached(&a, &a, &ea, &ea).unwrap();
    assert!(!old.contains(&true) && !new.contains(&true));
}
