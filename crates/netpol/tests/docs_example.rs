//! Golden test: the internal docs' example (tests/fixtures/docs-example, restored from the
//! "Network Access Policies" page) gives exactly the table in its README.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

use netpol::{explain, load, render, verdict, Endpoint, Protocol, Source, Traffic};

const FILES: [(&str, &str); 6] = [
    (
        "cluster.yaml",
        include_str!("../../../tests/fixtures/docs-example/cluster.yaml"),
    ),
    (
        "namespace-default-team-one.yaml",
        include_str!("../../../tests/fixtures/docs-example/namespace-default-team-one.yaml"),
    ),
    (
        "namespace-default-team-two.yaml",
        include_str!("../../../tests/fixtures/docs-example/namespace-default-team-two.yaml"),
    ),
    (
        "pod-1-networkpolicy.yaml",
        include_str!("../../../tests/fixtures/docs-example/pod-1-networkpolicy.yaml"),
    ),
    (
        "pod-2-networkpolicy.yaml",
        include_str!("../../../tests/fixtures/docs-example/pod-2-networkpolicy.yaml"),
    ),
    (
        "pod-3-networkpolicy.yaml",
        include_str!("../../../tests/fixtures/docs-example/pod-3-networkpolicy.yaml"),
    ),
];

fn cluster() -> netpol::Cluster {
    let sources: Vec<Source<'_>> = FILES
        .iter()
        .map(|(name, text)| Source { name, text })
        .collect();
    let loaded = load(&sources);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded.cluster
}

fn allowed(c: &netpol::Cluster, from: &str, to: &str, port: u16, protocol: Protocol) -> bool {
    let t = Traffic {
        from: Endpoint::parse(c, from).unwrap(),
        to: Endpoint::parse(c, to).unwrap(),
        port,
        protocol,
    };
    verdict(c, &t)
}

#[test]
fn readme_table_on_tcp_8080() {
    let c = cluster();
    let p1 = "team-one-namespace/pod-1";
    let p2 = "team-one-namespace/pod-2";
    let p3 = "team-two-namespace/pod-3";
    let nginx = "system-ingress/ingress-nginx";
    let want = [
        (p1, [(p2, true), (p3, false)]),
        (p2, [(p1, false), (p3, true)]),
        (p3, [(p1, false), (p2, false)]),
    ];
    for (from, row) in want {
        for (to, expect) in row {
            assert_eq!(
                allowed(&c, from, to, 8080, Protocol::Tcp),
                expect,
                "{from} -> {to}"
            );
        }
    }
    for to in [p1, p2, p3] {
        assert!(
            allowed(&c, nginx, to, 8080, Protocol::Tcp),
            "ingress-nginx -> {to}"
        );
    }
}

#[test]
fn dns_and_internet_but_not_private_ranges() {
    let c = cluster();
    for pod in [
        "team-one-namespace/pod-1",
        "team-one-namespace/pod-2",
        "team-two-namespace/pod-3",
    ] {
        assert!(
            allowed(&c, pod, "kube-system/kube-dns", 53, Protocol::Udp),
            "{pod} dns/udp"
        );
        assert!(
            allowed(&c, pod, "kube-system/kube-dns", 53, Protocol::Tcp),
            "{pod} dns/tcp"
        );
        assert!(
            allowed(&c, pod, "ip:8.8.8.8", 443, Protocol::Tcp),
            "{pod} internet"
        );
        assert!(
            !allowed(&c, pod, "ip:10.1.2.3", 443, Protocol::Tcp),
            "{pod} private"
        );
    }
}

#[test]
fn explanation_of_a_denial_names_policies_rules_and_labels() {
    let c = cluster();
    let t = Traffic {
        from: Endpoint::parse(&c, "team-one-namespace/pod-1").unwrap(),
        to: Endpoint::parse(&c, "team-two-namespace/pod-3").unwrap(),
        port: 8080,
        protocol: Protocol::Tcp,
    };
    let e = explain(&c, &t);
    assert!(!e.allowed);
    let text = render::explanation_text(&e);
    assert!(text.contains("egress of team-one-namespace/pod-1: DENIED (isolated by team-one-namespace/namespace-default, team-one-namespace/pod-1-netpol)"), "{text}");
    assert!(text.contains("not egress[0] of team-one-namespace/pod-1-netpol: peer 0: podSelector without namespaceSelector only selects pods in `team-one-namespace`, the pod is in `team-two-namespace`"), "{text}");
    assert!(text.contains("ingress of team-two-namespace/pod-3: DENIED (isolated by team-two-namespace/namespace-default, team-two-namespace/pod-3-netpol)"), "{text}");
    assert!(
        text.contains("podSelector wants `app=pod-2`, the pod has app=pod-1"),
        "{text}"
    );
}
