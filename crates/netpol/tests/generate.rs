//! The generator, end to end: the docs' diagram gives the docs' policies (golden test), the
//! output loads back without a diagnostic and is byte-stable, errors name what is wrong, and
//! with the deny-all baseline the policies allow exactly the intents on every port and
//! protocol (property test, checked with the engine's exact connectivity).

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
use netpol::endpoint::all_endpoints;
use netpol::generate::{
    generate, parse_intent, Baseline, Generated, Intent, Options, SelectorStyle,
};
use netpol::model::{Policy, PortRef};
use netpol::ports::PortRanges;
use netpol::{connectivity, Cluster, Connections, Endpoint, Protocol};
use proptest::prelude::*;

/// A policy without its source positions, with policyTypes in one order, for comparisons.
fn normalised(p: &Policy) -> Policy {
    let mut p = p.clone();
    p.origin = None;
    if let Some(t) = &mut p.declared_types {
        netpol::sorting::sort(t);
    }
    for r in p.ingress.iter_mut().chain(p.egress.iter_mut()) {
        r.origin = None;
    }
    p
}

fn policy<'a>(c: &'a Cluster, id: &str) -> &'a Policy {
    c.policies
        .iter()
        .find(|p| p.id() == id)
        .unwrap_or_else(|| panic!("no policy {id}"))
}

/// Loads `base` plus the generated YAML and asserts the YAML loads without a diagnostic.
fn with_generated(base: &[(&str, &str)], generated: &Generated) -> Cluster {
    common::load::load_generated(base, &generated.yaml).cluster
}

const DOCS_ARROWS: [&str; 2] = [
    "team-one-namespace/pod-1 -> team-one-namespace/pod-2",
    "team-one-namespace/pod-2 -> team-two-namespace/pod-3",
];

fn docs_options() -> Options {
    Options {
        namespace_label: Some("name".into()),
        baseline: Baseline::DocsDefault,
        ..Options::default()
    }
}

#[test]
fn docs_diagram_gives_the_docs_policies() {
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    assert!(base.diagnostics.is_empty(), "{:#?}", base.diagnostics);
    let out = generate(&base.cluster, &intents(&DOCS_ARROWS), &docs_options()).unwrap();

    let names: Vec<String> = out
        .policies
        .iter()
        .map(|p| {
            format!(
                "{}/{}",
                p.metadata.namespace.as_deref().unwrap_or_default(),
                p.metadata.name.as_deref().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "team-one-namespace/namespace-default",
            "team-one-namespace/pod-1-netpol",
            "team-one-namespace/pod-2-netpol",
            "team-two-namespace/namespace-default",
            "team-two-namespace/pod-3-netpol",
        ],
        "the docs' default goes to team namespaces only, never kube-system or system-ingress"
    );

    // Structurally: each generated policy is the docs' policy, field for field.
    let generated = with_generated(&[("cluster.yaml", &cluster_yaml)], &out);
    let docs_files = [
        "namespace-default-team-one.yaml",
        "namespace-default-team-two.yaml",
        "pod-1-networkpolicy.yaml",
        "pod-2-networkpolicy.yaml",
        "pod-3-networkpolicy.yaml",
    ];
    let docs_texts: Vec<(String, String)> = docs_files
        .iter()
        .map(|f| (f.to_string(), fixture(f)))
        .collect();
    let mut docs_sources: Vec<(&str, &str)> = vec![("cluster.yaml", &cluster_yaml)];
    docs_sources.extend(docs_texts.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let docs = common::load::load_files(&docs_sources);
    assert!(docs.diagnostics.is_empty(), "{:#?}", docs.diagnostics);
    for id in [
        "team-one-namespace/namespace-default",
        "team-two-namespace/namespace-default",
        "team-one-namespace/pod-1-netpol",
        "team-one-namespace/pod-2-netpol",
        "team-two-namespace/pod-3-netpol",
    ] {
        assert_eq!(
            normalised(policy(&generated, id)),
            normalised(policy(&docs.cluster, id)),
            "{id} differs from the docs"
        );
    }
    // The docs label each pod policy like its pod.
    let pod2 = out
        .policies
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some("pod-2-netpol"))
        .unwrap();
    let labels = pod2.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels.get("app").map(String::as_str), Some("pod-2"));

    // Semantically: the same exact connectivity everywhere, including outside the cluster.
    let externals = ["8.8.8.8/32", "10.1.2.3/32"].map(|c| Cidr::parse(c, false).unwrap());
    let a = connectivity(&generated, &all_endpoints(&generated, &externals));
    let b = connectivity(&docs.cluster, &all_endpoints(&docs.cluster, &externals));
    assert_eq!(a, b);
    // And the docs README's table on TCP 8080.
    let allowed = |from: &str, to: &str| {
        let ids = &a.endpoints;
        let i = ids.iter().position(|e| e == from).unwrap();
        let j = ids.iter().position(|e| e == to).unwrap();
        a.get(i, j).unwrap().allows(8080, Protocol::Tcp)
    };
    assert!(allowed(
        "team-one-namespace/pod-1",
        "team-one-namespace/pod-2"
    ));
    assert!(allowed(
        "team-one-namespace/pod-2",
        "team-two-namespace/pod-3"
    ));
    assert!(!allowed(
        "team-one-namespace/pod-1",
        "team-two-namespace/pod-3"
    ));
    assert!(!allowed(
        "team-one-namespace/pod-2",
        "team-one-namespace/pod-1"
    ));
    assert!(allowed(
        "system-ingress/ingress-nginx",
        "team-two-namespace/pod-3"
    ));
}

#[test]
fn yaml_is_kubectl_style() {
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    let out = generate(&base.cluster, &intents(&DOCS_ARROWS), &docs_options()).unwrap();
    let first = out.yaml.split("---\n").nth(2).unwrap();
    let expected = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  labels:
    app: pod-2
  name: pod-2-netpol
  namespace: team-one-namespace
spec:
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          name: team-two-namespace
      podSelector:
        matchLabels:
          app: pod-3
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: pod-1
  podSelector:
    matchLabels:
      app: pod-2
  policyTypes:
  - Ingress
  - Egress
";
    assert_eq!(first, expected);
    assert_eq!(out.yaml.matches("---\n").count(), out.policies.len() - 1);
}

#[test]
fn output_is_stable_and_order_independent() {
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    let list = [
        "team-one-namespace/pod-1 -> team-one-namespace/pod-2:8080/TCP",
        "team-one-namespace/pod-1 -> team-one-namespace/pod-2:http",
        "team-one-namespace/pod-2 -> team-two-namespace/pod-3:9000-9100/TCP",
        "team-one-namespace/pod-2 -> team-two-namespace/pod-3:9101/TCP,53/UDP",
        "team-one-namespace/pod-1 -> ip:8.8.8.8:53/UDP",
        "ip:0.0.0.0/0 -> team-two-namespace/pod-3:443",
        "team-one-namespace/pod-1 -> team-one-namespace/pod-2:8080/TCP",
    ];
    let options = Options {
        baseline: Baseline::DenyAll,
        dns: true,
        ..Options::default()
    };
    let forward = generate(&base.cluster, &intents(&list), &options).unwrap();
    let mut reversed = intents(&list);
    reversed.reverse();
    let backward = generate(&base.cluster, &reversed, &options).unwrap();
    assert_eq!(forward.yaml, backward.yaml);
    assert_eq!(
        forward,
        generate(&base.cluster, &intents(&list), &options).unwrap()
    );
    with_generated(&[("cluster.yaml", &cluster_yaml)], &forward);

    // Adjacent ranges merge and a peer appears once.
    let c = with_generated(&[("cluster.yaml", &cluster_yaml)], &forward);
    let pod2 = policy(&c, "team-one-namespace/pod-2-netpol");
    assert_eq!(pod2.egress.len(), 1);
    let ports: Vec<String> = pod2.egress[0]
        .ports
        .iter()
        .map(|p| format!("{:?}-{:?}/{}", p.port, p.end_port, p.protocol))
        .collect();
    assert_eq!(
        ports,
        [
            "Some(Number(9000))-Some(9101)/TCP",
            "Some(Number(53))-None/UDP"
        ]
    );
    assert_eq!(pod2.ingress.len(), 1, "{:#?}", pod2.ingress);
    assert_eq!(pod2.ingress[0].peers.len(), 1);
    assert_eq!(pod2.ingress[0].ports.len(), 2, "8080/TCP once, plus http");
    assert!(forward.yaml.contains("allow-dns"));
}

#[test]
fn peers_with_the_same_ports_share_one_rule() {
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    let list = [
        "team-one-namespace/pod-1 -> team-two-namespace/pod-3:8080/TCP",
        "team-one-namespace/pod-2 -> team-two-namespace/pod-3:8080/TCP",
        "system-ingress/ingress-nginx -> team-two-namespace/pod-3",
    ];
    let out = generate(&base.cluster, &intents(&list), &Options::default()).unwrap();
    let c = with_generated(&[("cluster.yaml", &cluster_yaml)], &out);
    let pod3 = policy(&c, "team-two-namespace/pod-3-netpol");
    assert_eq!(pod3.ingress.len(), 2);
    assert!(pod3.ingress[0].ports.is_empty(), "the all-ports rule first");
    assert_eq!(
        pod3.ingress[1].peers.len(),
        2,
        "pod-1 and pod-2 in one rule"
    );
    assert_eq!(
        pod3.declared_types.as_deref(),
        Some(&[netpol::Direction::Ingress][..])
    );
}

#[test]
fn selector_styles_and_namespace_labels() {
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    let labels = generate(&base.cluster, &intents(&DOCS_ARROWS), &Options::default()).unwrap();
    let expressions = generate(
        &base.cluster,
        &intents(&DOCS_ARROWS),
        &Options {
            selector: SelectorStyle::Expressions,
            ..Options::default()
        },
    )
    .unwrap();
    assert!(labels
        .yaml
        .contains("kubernetes.io/metadata.name: team-two-namespace"));
    assert!(!expressions.yaml.contains("matchLabels:\n          app:"));
    assert!(expressions.yaml.contains("operator: In"));
    let a = with_generated(&[("cluster.yaml", &cluster_yaml)], &labels);
    let b = with_generated(&[("cluster.yaml", &cluster_yaml)], &expressions);
    let ea = all_endpoints(&a, &[]);
    assert_eq!(connectivity(&a, &ea), connectivity(&b, &ea));
}

#[test]
fn deny_all_says_what_happens_to_dns() {
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    let deny = Options {
        baseline: Baseline::DenyAll,
        ..Options::default()
    };
    let out = generate(&base.cluster, &intents(&DOCS_ARROWS), &deny).unwrap();
    assert!(out.yaml.starts_with("# Denies every connection"));
    assert!(out.yaml.contains("DNS included"));
    let c = with_generated(&[("cluster.yaml", &cluster_yaml)], &out);
    let eps = all_endpoints(&c, &[]);
    let conn = connectivity(&c, &eps);
    let dns = c.pod_index("kube-system/kube-dns").unwrap();
    let pod1 = c.pod_index("team-one-namespace/pod-1").unwrap();
    assert!(conn.get(pod1, dns).unwrap().is_empty(), "deny-all cuts DNS");

    let with_dns = generate(
        &base.cluster,
        &intents(&DOCS_ARROWS),
        &Options { dns: true, ..deny },
    )
    .unwrap();
    let c = with_generated(&[("cluster.yaml", &cluster_yaml)], &with_dns);
    let conn = connectivity(&c, &all_endpoints(&c, &[]));
    let got = conn.get(pod1, dns).unwrap().clone();
    let want = Connections::of(Protocol::Udp, PortRanges::range(53, 53))
        .union(&Connections::of(Protocol::Tcp, PortRanges::range(53, 53)));
    assert_eq!(got, want);
    // Only DNS: pod-1 still cannot reach pod-3.
    let pod3 = c.pod_index("team-two-namespace/pod-3").unwrap();
    assert!(conn.get(pod1, pod3).unwrap().is_empty());
}

#[test]
fn dns_option_without_baseline_goes_into_the_senders_policy() {
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    let out = generate(
        &base.cluster,
        &intents(&DOCS_ARROWS),
        &Options {
            dns: true,
            ..Options::default()
        },
    )
    .unwrap();
    let c = with_generated(&[("cluster.yaml", &cluster_yaml)], &out);
    let pod1 = policy(&c, "team-one-namespace/pod-1-netpol");
    assert_eq!(pod1.egress.len(), 2, "pod-2 on all ports, kube-dns on 53");
    let pod3 = policy(&c, "team-two-namespace/pod-3-netpol");
    assert!(
        pod3.egress.is_empty(),
        "pod-3 is not egress-isolated: no DNS rule needed"
    );
}

#[test]
fn ip_blocks_leave_out_pod_addresses() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
status: {podIP: 10.244.0.5}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b}}
status: {podIP: 10.244.0.6}
";
    let base = common::load::load_files(&[("pods.yaml", yaml)]);
    let out = generate(
        &base.cluster,
        &intents(&["x/a -> ip:10.0.0.0/8:5432/TCP"]),
        &Options {
            baseline: Baseline::DenyAll,
            ..Options::default()
        },
    )
    .unwrap();
    assert!(
        out.yaml
            .contains("except:\n        - 10.244.0.5/32\n        - 10.244.0.6/32"),
        "{}",
        out.yaml
    );
    let c = with_generated(&[("pods.yaml", yaml)], &out);
    let externals = [Cidr::parse("10.1.0.7/32", false).unwrap()];
    let conn = connectivity(&c, &all_endpoints(&c, &externals));
    assert!(conn.get(0, 2).unwrap().allows(5432, Protocol::Tcp));
    assert!(
        conn.get(0, 1).unwrap().is_empty(),
        "b is a pod, not an external address"
    );

    let err = generate(
        &base.cluster,
        &intents(&["x/a -> ip:10.244.0.6"]),
        &Options::default(),
    )
    .unwrap_err();
    assert!(err.0.contains("is the address of `x/b`"), "{err}");
}

#[test]
fn errors_name_what_is_wrong() {
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    let c = &base.cluster;
    let err =
        |list: &[&str], options: &Options| generate(c, &intents(list), options).unwrap_err().0;
    let o = Options::default();
    let e = err(
        &["team-one-namespace/pod-1 -> team-one-namespace/pod-9"],
        &o,
    );
    assert!(e.contains("`team-one-namespace/pod-9`: no such pod"), "{e}");
    assert!(e.contains("did you mean `team-one-namespace/pod-1`"), "{e}");
    let e = err(
        &["team-one-namespace/pod-1 -> team-one-namespace/pod-2:grpc"],
        &o,
    );
    assert!(
        e.contains("exposes no TCP port named `grpc` (it has http (8080/TCP))"),
        "{e}"
    );
    let e = err(&["team-one-namespace/pod-1 -> ip:8.8.8.8:dns/UDP"], &o);
    assert!(e.contains("only a pod can resolve a port name"), "{e}");
    let e = err(&["ip:1.2.3.4 -> ip:8.8.8.8"], &o);
    assert!(e.contains("both ends are outside the cluster"), "{e}");
    let e = err(
        &DOCS_ARROWS,
        &Options {
            namespace_label: Some("team".into()),
            ..Options::default()
        },
    );
    assert!(
        e.contains("namespace label `team`: no namespace carries it"),
        "{e}"
    );
    let e = err(
        &DOCS_ARROWS,
        &Options {
            identity_label: Some("bad key!".into()),
            ..Options::default()
        },
    );
    assert!(
        e.contains("identity label `bad key!` is not a label key"),
        "{e}"
    );
    // A hand-built intent gets the same checks as a parsed one.
    let bad = Intent {
        from: "team-one-namespace/pod-1".into(),
        to: "team-one-namespace/pod-2".into(),
        ports: vec![netpol::model::PolicyPort {
            protocol: Protocol::Tcp,
            port: Some(PortRef::Number(90)),
            end_port: Some(80),
        }],
    };
    let e = generate(c, &[bad], &o).unwrap_err().0;
    assert!(e.contains("the range ends before it starts"), "{e}");

    let twins = "
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: web, tier: x}}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: x}
";
    let t = common::load::load_files(&[("twins.yaml", twins)]);
    let e = generate(&t.cluster, &intents(&["x/b -> x/a"]), &o)
        .unwrap_err()
        .0;
    assert!(e.contains("`x/a` and `x/b` cannot be told apart"), "{e}");
    let e = generate(&t.cluster, &intents(&["x/b -> x/c"]), &o)
        .unwrap_err()
        .0;
    assert!(e.contains("`x/c` has no labels"), "{e}");
    // b is told apart by all its labels even though `app` is shared.
    let out = generate(&t.cluster, &intents(&["x/a -> x/b"]), &Options::default());
    assert!(out.is_err(), "x/a itself cannot be selected alone");
}

#[test]
fn namespace_label_falls_back_when_it_does_not_tell_namespaces_apart() {
    let yaml = "
apiVersion: v1
kind: Namespace
metadata: {name: one, labels: {team: blue}}
---
apiVersion: v1
kind: Namespace
metadata: {name: two, labels: {team: blue}}
---
apiVersion: v1
kind: Namespace
metadata: {name: three, labels: {team: red}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: one, labels: {app: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: two, labels: {app: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: three, labels: {app: c}}
";
    let base = common::load::load_files(&[("ns.yaml", yaml)]);
    let out = generate(
        &base.cluster,
        &intents(&["one/a -> two/b", "one/a -> three/c"]),
        &Options {
            namespace_label: Some("team".into()),
            ..Options::default()
        },
    )
    .unwrap();
    assert!(
        out.yaml.contains("kubernetes.io/metadata.name: two"),
        "{}",
        out.yaml
    );
    assert!(out.yaml.contains("team: red"), "{}", out.yaml);
}

// --- Exactness: deny-all plus the generated policies allow exactly the intents. ---

proptest! {
    #![proptest_config(common::cases(96))]

    #[test]
    fn deny_all_plus_generated_allows_exactly_the_intents(
        world in common::world::world(),
        arrows in proptest::collection::vec((0usize..9, 0usize..9, 0usize..common::world::PORT_SPECS.len()), 0..8),
        expressions in any::<bool>(),
        team_label in any::<bool>(),
    ) {
        let manifests = world.yaml();
        let base = common::load::load_files(&[("world.yaml", &manifests)]);
        prop_assert!(base.diagnostics.is_empty(), "{:#?}\n{manifests}", base.diagnostics);
        let list = common::world::intents(&world, &arrows);
        let options = Options {
            selector: if expressions { SelectorStyle::Expressions } else { SelectorStyle::Labels },
            namespace_label: team_label.then(|| "team".to_string()),
            baseline: Baseline::DenyAll,
            ..Options::default()
        };
        let intents: Vec<Intent> = list.iter().map(|(_, _, _, i)| i.clone()).collect();
        // Every pod of the world has a label set no other pod's labels include, so the
        // generator must always succeed.
        let out = generate(&base.cluster, &intents, &options);
        prop_assert!(out.is_ok(), "{:?}\n{manifests}", out);
        let out = out.unwrap();
        let cluster = with_generated(&[("world.yaml", &manifests)], &out);
        common::world::check_exact(&world, &list, &cluster, &format!("{manifests}\n{}", out.yaml))?;
    }
}

#[test]
fn endpoint_ids_match_the_engine() {
    // The ids the generator accepts are the ids the engine prints.
    let cluster_yaml = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster_yaml)]);
    let i = parse_intent("ip:8.8.8.8/32 -> team-one-namespace/pod-1").unwrap();
    let e = Endpoint::parse(&base.cluster, &i.from).unwrap();
    assert_eq!(e.id(&base.cluster), i.from);
}

/// What the generator gave for `intent`, checked: an error that says something, or YAML
/// that loads back beside `base` with no diagnostic and with every policy it lists.
fn check_generated(
    base: &[(&str, &str)],
    intent: &Intent,
    out: &Result<Generated, netpol::generate::GenerateError>,
) -> Result<(), TestCaseError> {
    match out {
        Err(e) => prop_assert!(!e.0.trim().is_empty(), "an empty error for {intent}"),
        Ok(g) => {
            let mut texts = base.to_vec();
            texts.push(("generated.yaml", &g.yaml));
            let loaded = common::load::load_files(&texts);
            let own: Vec<String> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.source == "generated.yaml")
                .map(ToString::to_string)
                .collect();
            prop_assert!(
                own.is_empty(),
                "{intent}: the output does not reload cleanly: {own:#?}\n{}",
                g.yaml
            );
            let reloaded = loaded.cluster.policies.len()
                - common::load::load_files(base).cluster.policies.len();
            prop_assert_eq!(
                reloaded,
                g.policies.len(),
                "{}: policies listed vs reloaded\n{}",
                intent,
                g.yaml
            );
        }
    }
    Ok(())
}

/// A port as a drawn arrow or a typed intent may carry it: valid or not (port 0, an end
/// before the start, an end on a named port, a name Kubernetes refuses).
fn any_port() -> impl Strategy<Value = netpol::model::PolicyPort> {
    let port = prop_oneof![
        Just(None),
        prop_oneof![Just(0u16), Just(53), Just(8080), Just(65535), 1u16..=65535]
            .prop_map(|p| Some(PortRef::Number(p))),
        prop::sample::select(vec!["http", "dns", "dns-tcp", "metrics", "Bad_Name", ""])
            .prop_map(|n| Some(PortRef::Name(n.into()))),
    ];
    let protocol = prop::sample::select(vec![Protocol::Tcp, Protocol::Udp, Protocol::Sctp]);
    let end = proptest::option::weighted(0.2, prop_oneof![Just(0u16), 1u16..=65535]);
    (protocol, port, end).prop_map(|(protocol, port, end_port)| netpol::model::PolicyPort {
        protocol,
        port,
        end_port,
    })
}

/// A port the generator must accept on an arrow to `receiver`: every port, a number in
/// range (with an end at or after it), or a name the receiver (a pod) exposes on that
/// protocol.
fn plainly_valid(p: &netpol::model::PolicyPort, receiver: Option<&netpol::Pod>) -> bool {
    match (&p.port, p.end_port) {
        (None, None) => true,
        (Some(PortRef::Number(n)), end) => *n >= 1 && end.is_none_or(|e| e >= *n),
        (Some(PortRef::Name(n)), None) => {
            receiver.is_some_and(|r| r.named_port(n, p.protocol).is_some())
        }
        _ => false,
    }
}

proptest! {
    #![proptest_config(common::cases(256))]

    /// Arrows between the docs' endpoints with any ports: a valid one always generates, an
    /// invalid one is an error, and every output reloads with no diagnostic.
    #[test]
    fn every_generated_output_reloads_cleanly(
        from in prop::sample::select(common::load::DOCS_ENDPOINTS.to_vec()),
        to in prop::sample::select(common::load::DOCS_ENDPOINTS.to_vec()),
        ports in prop::collection::vec(any_port(), 0..3),
        deny_all in any::<bool>(),
        dns in any::<bool>(),
    ) {
        let cluster_yaml = fixture("cluster.yaml");
        let base = [("cluster.yaml", cluster_yaml.as_str())];
        let loaded = common::load::load_files(&base);
        let intent = Intent { from: from.into(), to: to.into(), ports };
        let options = Options { baseline: if deny_all { Baseline::DenyAll } else { Baseline::None }, dns, ..Options::default() };
        let out = generate(&loaded.cluster, std::slice::from_ref(&intent), &options);
        let outside = |id: &str| id.starts_with("ip:");
        let receiver = loaded.cluster.pods.iter().find(|p| p.id() == to);
        let valid = !(outside(from) && outside(to))
            && intent.ports.iter().all(|p| plainly_valid(p, receiver));
        prop_assert_eq!(out.is_ok(), valid, "{} gave {:?}", intent, out.as_ref().err());
        check_generated(&base, &intent, &out)?;
    }

    /// Bad input gives an error that says what is wrong, never a panic: any text to the
    /// parser (what it accepts prints back as itself), and whatever it accepts (or any
    /// hand-built intent) to the generator, whose every output reloads with no diagnostic.
    #[test]
    fn malformed_intents_are_errors_not_panics(
        text in ".{0,40}",
        shaped in "(ip:\\[?|team-(one|two)-namespace/pod-)[0-9a-f:./]{0,14}\\]? ?(->|→|-) ?(ip:|team-(one|two)-namespace/pod-)[0-9a-f:./\\[\\]]{0,14}(:[A-Za-z0-9,/-]{0,12})?",
        from in ".{0,20}",
        to in ".{0,20}",
        port in 0u16..3,
        end in proptest::option::of(0u16..3),
    ) {
        for t in [&text, &shaped] {
            match parse_intent(t) {
                Err(e) => {
                    // Names the intent, then says why.
                    let named = format!("intent `{}`: ", t.trim());
                    prop_assert!(e.starts_with(&named) && e.len() > named.len(), "{t:?}: {e}");
                }
                Ok(i) => prop_assert_eq!(parse_intent(&i.to_string()), Ok(i.clone()), "{:?} read as {}", t, i),
            }
        }
        let cluster_yaml = fixture("cluster.yaml");
        let base = [("cluster.yaml", cluster_yaml.as_str())];
        let loaded = common::load::load_files(&base);
        let mut list: Vec<Intent> = parse_intent(&shaped).into_iter().collect();
        list.push(Intent {
            from,
            to,
            ports: vec![netpol::model::PolicyPort { protocol: Protocol::Udp, port: Some(PortRef::Number(port)), end_port: end }],
        });
        for options in [Options::default(), Options { baseline: Baseline::DenyAll, dns: true, ..Options::default() }] {
            for intent in &list {
                let out = generate(&loaded.cluster, std::slice::from_ref(intent), &options);
                check_generated(&base, intent, &out)?;
            }
        }
    }
}
