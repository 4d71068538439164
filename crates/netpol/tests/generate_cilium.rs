//! The generator's `cilium` flavour, end to end: with the deny-all baseline (one
//! CiliumClusterwideNetworkPolicy) the generated CiliumNetworkPolicies allow exactly the
//! intents on every port and protocol (property test, the same oracle as the NetworkPolicy
//! flavour's, `common::world`); the output loads back with no diagnostic; and the docs'
//! `namespace-default` written as one clusterwide policy gives the connectivity of the
//! docs-default NetworkPolicies, except where Cilium's CIDR rules legitimately differ.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a panic is a failed test"
)]

mod common;

use common::load::docs_fixture as fixture;
use common::world::parsed as intents;

use netpol::cidr::Cidr;
use netpol::cilium::CiliumKind;
use netpol::connectivity::ConnectivityMap;
use netpol::endpoint::all_endpoints;
use netpol::generate::{
    generate_as, parse_intent, Baseline, Flavor, Generated, Intent, Options, SelectorStyle,
};
use netpol::names::private_ranges;
use netpol::{connectivity, Cluster, Connections, Protocol};
use proptest::prelude::*;

/// Loads `base` plus the generated YAML, asserting that the YAML loads without a diagnostic
/// and holds exactly the Cilium objects `generated` lists.
fn with_generated(base: &[(&str, &str)], generated: &Generated) -> Cluster {
    let loaded = common::load::load_generated(base, &generated.yaml);
    let listed: Vec<(CiliumKind, String)> = loaded
        .cluster
        .cilium
        .policies
        .iter()
        .map(|p| (p.kind, p.id()))
        .collect();
    assert_eq!(listed, generated.cilium_policies, "{}", generated.yaml);
    assert!(generated.policies.is_empty() && generated.cluster_policies.is_empty());
    loaded.cluster
}

fn cilium(cluster: &Cluster, list: &[Intent], options: &Options) -> Generated {
    generate_as(cluster, list, options, Flavor::Cilium).unwrap_or_else(|e| panic!("{e}\n{list:?}"))
}

const DOCS_ARROWS: [&str; 2] = [
    "team-one-namespace/pod-1 -> team-one-namespace/pod-2",
    "team-one-namespace/pod-2 -> team-two-namespace/pod-3",
];

#[test]
fn flavour_names_round_trip() {
    for f in Flavor::ALL {
        assert_eq!(Flavor::from_name(f.name()), Some(f));
    }
    assert_eq!(Flavor::default(), Flavor::NetworkPolicy);
    assert_eq!(Flavor::from_name("calico"), None);
}

#[test]
fn docs_arrows_as_cilium_network_policies() {
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    let list = intents(&[
        "team-one-namespace/pod-1 -> team-one-namespace/pod-2:8080/TCP",
        "team-one-namespace/pod-2 -> team-two-namespace/pod-3:http,1000-2000/UDP",
        "team-one-namespace/pod-1 -> ip:8.8.8.8",
        "ip:203.0.113.0/24 -> team-two-namespace/pod-3:SCTP",
    ]);
    let out = cilium(&base.cluster, &list, &Options::default());
    let y = &out.yaml;
    assert_eq!(
        out.cilium_policies,
        [
            "team-one-namespace/pod-1-netpol",
            "team-one-namespace/pod-2-netpol",
            "team-two-namespace/pod-3-netpol"
        ]
        .map(|id| (CiliumKind::Namespaced, id.to_string()))
    );
    for want in [
        "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n",
        // Ports are strings in Cilium's CRD; a range keeps endPort; every port is "0".
        "      - port: \"8080\"\n        protocol: TCP\n",
        "      - endPort: 2000\n        port: \"1000\"\n        protocol: UDP\n",
        "      - port: http\n        protocol: TCP\n",
        "      - port: \"0\"\n        protocol: SCTP\n",
        // A peer in another namespace names it in the same selector.
        "    - matchLabels:\n        app: pod-3\n        k8s:io.kubernetes.pod.namespace: team-two-namespace\n",
        "  - toCIDR:\n    - 8.8.8.8/32\n",
        "  - fromCIDR:\n    - 203.0.113.0/24\n",
    ] {
        assert!(y.contains(want), "no {want:?} in\n{y}");
    }
    // A same-namespace peer relies on the namespace Cilium adds.
    assert!(
        y.contains("  - toEndpoints:\n    - matchLabels:\n        app: pod-2\n    toPorts:"),
        "{y}"
    );
    with_generated(&[("cluster.yaml", &cluster_yaml)], &out);
    // Byte-stable, whatever the order of the intents.
    let mut reversed = list.clone();
    reversed.reverse();
    assert_eq!(
        cilium(&base.cluster, &reversed, &Options::default()).yaml,
        out.yaml
    );
}

#[test]
fn refusals_name_the_option_or_the_pod() {
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    let options = Options {
        baseline: Baseline::ClusterBaseline,
        ..Options::default()
    };
    let err = generate_as(
        &base.cluster,
        &intents(&DOCS_ARROWS),
        &options,
        Flavor::Cilium,
    )
    .unwrap_err();
    assert!(
        err.0.contains("cluster-baseline") && err.0.contains("docs-default"),
        "{err}"
    );
    // The NetworkPolicy flavour still writes it.
    assert!(generate_as(
        &base.cluster,
        &intents(&DOCS_ARROWS),
        &options,
        Flavor::NetworkPolicy
    )
    .is_ok());

    let host = format!(
        "{cluster_yaml}---\napiVersion: v1\nkind: Pod\nmetadata: {{name: agent, namespace: team-one-namespace, labels: {{app: agent}}}}\n\
         spec: {{hostNetwork: true, containers: [{{name: c, image: i}}]}}\n"
    );
    let loaded = common::load::load_files(&[("cluster.yaml", &host)]);
    let err = generate_as(
        &loaded.cluster,
        &intents(&["team-one-namespace/agent -> team-one-namespace/pod-1"]),
        &Options::default(),
        Flavor::Cilium,
    )
    .unwrap_err();
    assert!(
        err.0.contains("team-one-namespace/agent") && err.0.contains("host network"),
        "{err}"
    );
}

#[test]
fn deny_all_with_dns_is_one_clusterwide_policy() {
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    let options = Options {
        baseline: Baseline::DenyAll,
        dns: true,
        ..Options::default()
    };
    let out = cilium(&base.cluster, &intents(&DOCS_ARROWS), &options);
    assert_eq!(
        out.cilium_policies.first(),
        Some(&(CiliumKind::Clusterwide, "default-deny".to_string())),
        "{}",
        out.yaml
    );
    assert_eq!(
        out.cilium_policies
            .iter()
            .filter(|(k, _)| *k == CiliumKind::Clusterwide)
            .count(),
        1
    );
    let c = with_generated(&[("cluster.yaml", &cluster_yaml)], &out);
    let ends = all_endpoints(&c, &[Cidr::parse("8.8.8.8/32", false).unwrap()]);
    let m = connectivity(&c, &ends);
    let at = |id: &str| m.endpoints.iter().position(|e| e == id).unwrap();
    let dns = at("kube-system/kube-dns");
    for pod in [
        "team-one-namespace/pod-1",
        "team-two-namespace/pod-3",
        "system-ingress/ingress-nginx",
    ] {
        let got = m.get(at(pod), dns).unwrap();
        assert!(got.allows(53, Protocol::Udp) && got.allows(53, Protocol::Tcp));
        assert!(!got.allows(54, Protocol::Udp) && !got.allows(80, Protocol::Tcp));
    }
    // The arrows and nothing else between the team pods, or to the outside.
    let p1 = at("team-one-namespace/pod-1");
    let p2 = at("team-one-namespace/pod-2");
    let p3 = at("team-two-namespace/pod-3");
    assert_eq!(m.get(p1, p2), Some(&Connections::all()));
    assert_eq!(m.get(p2, p3), Some(&Connections::all()));
    assert!(m.get(p2, p1).unwrap().is_empty());
    assert!(m.get(p1, at("ip:8.8.8.8")).unwrap().is_empty());
}

// --- The docs' default as one CiliumClusterwideNetworkPolicy. ---

/// Pods added to the docs' cluster so that addresses matter: a team pod inside the private
/// ranges and one outside them, and system pods (not under the default) with addresses
/// inside and outside them, besides kube-dns and the ingress controller with addresses.
const MORE_PODS: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: pod-4, namespace: team-one-namespace, labels: {app: pod-4}}
spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.244.1.4}
---
apiVersion: v1
kind: Pod
metadata: {name: pod-5, namespace: team-two-namespace, labels: {app: pod-5}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 100.64.0.5}
---
apiVersion: v1
kind: Pod
metadata: {name: metrics, namespace: kube-system, labels: {k8s-app: metrics}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 34.120.0.9}
---
apiVersion: v1
kind: Pod
metadata: {name: proxy, namespace: kube-system, labels: {k8s-app: proxy}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 172.16.3.3}
---
apiVersion: v1
kind: Pod
metadata: {name: ingress-nginx-2, namespace: system-ingress, labels: {app-name: ingress-nginx, replica: two}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 35.190.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: kube-dns-2, namespace: kube-system, labels: {k8s-app: kube-dns, replica: two}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 8.34.0.53}
";

/// Addresses outside the cluster: public, private, IPv6 (the docs' block is IPv4 only).
const OUTSIDE: [&str; 5] = [
    "8.8.8.8/32",
    "10.1.2.3/32",
    "192.168.7.7/32",
    "172.31.0.1/32",
    "2001:db8::1/128",
];

/// The docs' options: namespaces selected by their `name` label, as the docs do.
fn docs_options() -> Options {
    Options {
        namespace_label: Some("name".into()),
        baseline: Baseline::DocsDefault,
        ..Options::default()
    }
}

/// The docs' cluster with [`MORE_PODS`], under `list` generated in both flavours with the
/// docs-default baseline: the Cilium flavour's connectivity is the NetworkPolicy flavour's
/// on every pair of pods and outside addresses, on every port and protocol, except where
/// a NetworkPolicy `ipBlock` matches a pod's address.
///
/// That exception is Cilium's semantics, not the generator's: an `ipBlock` matches pod
/// addresses in the engine's NetworkPolicy evaluation (upstream Kubernetes), while a Cilium
/// CIDR rule matches addresses outside the cluster only, never a pod or a node, whatever
/// its address (docs/cilium.md §4, `policy-cidr-match-mode` empty). So the docs' egress to
/// `0.0.0.0/0` outside the private ranges opens, from a team pod, every pod whose address
/// is public and whose ingress nothing isolates (here the system pods `kube-system/metrics`
/// and `system-ingress/ingress-nginx-2`) under NetworkPolicies, and not under Cilium. Those
/// pairs are checked to be exactly that: everything one way, nothing the other.
fn same_connectivity_as_docs_default(list: &[Intent]) -> ConnectivityMap {
    let cluster_yaml = fixture("cluster.yaml");
    let base_texts = [
        ("cluster.yaml", cluster_yaml.as_str()),
        ("more.yaml", MORE_PODS),
    ];
    let base = common::load::load_files(&base_texts);
    assert!(base.diagnostics.is_empty(), "{:#?}", base.diagnostics);
    let options = docs_options();

    let np = generate_as(&base.cluster, list, &options, Flavor::NetworkPolicy).unwrap();
    let mut np_texts = base_texts.to_vec();
    np_texts.push(("np.yaml", &np.yaml));
    let np_loaded = common::load::load_files(&np_texts);
    assert!(
        np_loaded.diagnostics.is_empty(),
        "{:#?}",
        np_loaded.diagnostics
    );

    let cil = cilium(&base.cluster, list, &options);
    assert_eq!(
        cil.cilium_policies
            .iter()
            .filter(|(k, _)| *k == CiliumKind::Clusterwide)
            .collect::<Vec<_>>(),
        [&(CiliumKind::Clusterwide, "namespace-default".to_string())],
        "the docs' default is one clusterwide policy"
    );
    let cil_cluster = with_generated(&base_texts, &cil);

    let outside: Vec<Cidr> = OUTSIDE
        .iter()
        .map(|c| Cidr::parse(c, false).unwrap())
        .collect();
    let a = connectivity(
        &np_loaded.cluster,
        &all_endpoints(&np_loaded.cluster, &outside),
    );
    let b = connectivity(&cil_cluster, &all_endpoints(&cil_cluster, &outside));
    assert_eq!(a.endpoints, b.endpoints);

    let team = ["team-one-namespace/", "team-two-namespace/"];
    let public = |id: &str| -> bool {
        base.cluster.pods.iter().any(|p| {
            p.id() == id
                && p.labels.get("k8s-app").is_none_or(|v| v != "kube-dns")
                && p.ips
                    .iter()
                    .any(|ip| ip.is_ipv4() && !private_ranges().iter().any(|r| r.contains_ip(*ip)))
        })
    };
    let mut differing = 0;
    for (i, from) in a.endpoints.iter().enumerate() {
        for (j, to) in a.endpoints.iter().enumerate() {
            let (x, y) = (a.get(i, j).unwrap(), b.get(i, j).unwrap());
            let from_team = team.iter().any(|t| from.starts_with(t));
            let to_team = team.iter().any(|t| to.starts_with(t));
            if from_team && !to_team && public(to) {
                differing += 1;
                assert_eq!(x, &Connections::all(), "{from} -> {to} (NetworkPolicies)");
                assert!(y.is_empty(), "{from} -> {to} (Cilium): {y:?}");
                continue;
            }
            assert_eq!(x, y, "{from} -> {to}: NetworkPolicies vs Cilium");
        }
    }
    // Each of the five team pods to each of the two public system pods.
    assert_eq!(differing, 5 * 2);

    b
}

/// Whether `m` allows `from` to `to` on `port`.
fn allows(m: &ConnectivityMap, from: &str, to: &str, port: u16, protocol: Protocol) -> bool {
    let at = |id: &str| m.endpoints.iter().position(|e| e == id).unwrap();
    m.get(at(from), at(to)).unwrap().allows(port, protocol)
}

#[test]
fn docs_default_as_one_clusterwide_policy() {
    let b = same_connectivity_as_docs_default(&[]);
    // Spot checks of the docs' table, in the Cilium flavour.
    let allows =
        |from: &str, to: &str, port: u16, protocol: Protocol| allows(&b, from, to, port, protocol);
    for pod in ["team-one-namespace/pod-4", "team-two-namespace/pod-5"] {
        assert!(allows(pod, "ip:8.8.8.8", 443, Protocol::Tcp));
        assert!(!allows(pod, "ip:10.1.2.3", 443, Protocol::Tcp));
        assert!(!allows(pod, "ip:2001:db8::1", 443, Protocol::Tcp));
        assert!(allows(pod, "kube-system/kube-dns-2", 53, Protocol::Udp));
        assert!(allows(
            "system-ingress/ingress-nginx-2",
            pod,
            8080,
            Protocol::Tcp
        ));
        assert!(!allows("ip:8.8.8.8", pod, 8080, Protocol::Tcp));
        assert!(!allows("kube-system/proxy", pod, 8080, Protocol::Tcp));
    }
    assert!(!allows(
        "team-two-namespace/pod-5",
        "team-one-namespace/pod-4",
        8080,
        Protocol::Tcp
    ));
}

#[test]
fn docs_default_with_the_docs_arrows() {
    let mut list = intents(&DOCS_ARROWS);
    list.extend(intents(&[
        "team-two-namespace/pod-5 -> team-one-namespace/pod-4:http",
        "team-one-namespace/pod-4 -> ip:172.31.0.0/16:443/TCP",
        "kube-system/proxy -> team-two-namespace/pod-3:8080/TCP",
    ]));
    let b = same_connectivity_as_docs_default(&list);
    for (from, to, port, open) in [
        (
            "team-two-namespace/pod-5",
            "team-one-namespace/pod-4",
            8080,
            true,
        ),
        (
            "team-two-namespace/pod-5",
            "team-one-namespace/pod-4",
            8081,
            false,
        ),
        ("team-one-namespace/pod-4", "ip:172.31.0.1", 443, true),
        ("team-one-namespace/pod-4", "ip:172.31.0.1", 80, false),
        ("kube-system/proxy", "team-two-namespace/pod-3", 8080, true),
        ("kube-system/proxy", "team-two-namespace/pod-3", 80, false),
    ] {
        assert_eq!(
            allows(&b, from, to, port, Protocol::Tcp),
            open,
            "{from} -> {to}:{port}"
        );
    }
}

// --- Exactness: deny-all plus the generated policies allow exactly the intents. ---

proptest! {
    #![proptest_config(common::cases(96))]

    #[test]
    fn deny_all_plus_generated_allows_exactly_the_intents(
        world in common::world::world(),
        arrows in proptest::collection::vec(
            (0usize..9, 0usize..9, 0usize..common::world::PORT_SPECS.len()),
            0..8,
        ),
        expressions in any::<bool>(),
        team_label in any::<bool>(),
        dns in any::<bool>(),
    ) {
        let manifests = world.yaml();
        let base = common::load::load_files(&[("world.yaml", &manifests)]);
        prop_assert!(base.diagnostics.is_empty(), "{:#?}\n{manifests}", base.diagnostics);
        let list = common::world::intents(&world, &arrows);
        let options = Options {
            selector: if expressions { SelectorStyle::Expressions } else { SelectorStyle::Labels },
            namespace_label: team_label.then(|| "team".to_string()),
            baseline: Baseline::DenyAll,
            // The world has no kube-dns: DNS egress opens nothing, and must stay exact.
            dns,
            ..Options::default()
        };
        let intents: Vec<Intent> = list.iter().map(|(_, _, _, i)| i.clone()).collect();
        // Every pod of the world has a label set no other pod's labels include, so the
        // generator must always succeed.
        let out = generate_as(&base.cluster, &intents, &options, Flavor::Cilium);
        prop_assert!(out.is_ok(), "{:?}\n{manifests}", out);
        let out = out.unwrap();
        let cluster = with_generated(&[("world.yaml", &manifests)], &out);
        common::world::check_exact(&world, &list, &cluster, &format!("{manifests}\n{}", out.yaml))?;
    }
}

proptest! {
    #![proptest_config(common::cases(128))]

    /// Arrows between the docs' endpoints, many ports, every baseline and the DNS option:
    /// what generates reloads with no diagnostic, lists what it wrote, and is the same
    /// plan as the NetworkPolicy flavour (both succeed or fail alike, with the same error).
    #[test]
    fn every_cilium_output_reloads_cleanly(
        arrows in prop::collection::vec(
            (
                prop::sample::select(common::load::DOCS_ENDPOINTS.to_vec()),
                prop::sample::select(common::load::DOCS_ENDPOINTS.to_vec()),
                prop::sample::select(vec![
                    "", ":53/UDP,53/TCP", ":http", ":dns", ":8080-8090/TCP", ":SCTP",
                    ":0", ":1-65535/UDP",
                ]),
            ),
            1..4,
        ),
        baseline in prop::sample::select(vec![Baseline::None, Baseline::DenyAll, Baseline::DocsDefault]),
        dns in any::<bool>(),
        expressions in any::<bool>(),
    ) {
        let cluster_yaml = fixture("cluster.yaml");
        let base = [("cluster.yaml", cluster_yaml.as_str())];
        let loaded = common::load::load_files(&base);
        let list: Vec<Intent> = arrows
            .iter()
            .filter_map(|(from, to, ports)| parse_intent(&format!("{from} -> {to}{ports}")).ok())
            .collect();
        let options = Options {
            baseline,
            dns,
            selector: if expressions { SelectorStyle::Expressions } else { SelectorStyle::Labels },
            ..Options::default()
        };
        let np = generate_as(&loaded.cluster, &list, &options, Flavor::NetworkPolicy);
        let out = generate_as(&loaded.cluster, &list, &options, Flavor::Cilium);
        prop_assert_eq!(np.as_ref().err(), out.as_ref().err());
        if let Ok(g) = &out {
            with_generated(&base, g);
        }
    }
}
