//! The engine compiled to wasm32 and run in headless Chromium (wasm-bindgen-test): loads the
//! docs' example and checks a few verdicts from `tests/fixtures/docs-example/README.md`.
//!
//! Run with `cargo test -p netpol --target wasm32-unknown-unknown --test wasm_smoke`
//! (`scripts/test.sh` does). Only `#[wasm_bindgen_test]` functions run on wasm32; on the host
//! this file compiles to nothing, the native tests cover the same ground.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a panic is a failed test"
)]

use netpol::{load, verdict, Endpoint, Loaded, Protocol, Severity, Source, Traffic};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const POD_1: &str = "team-one-namespace/pod-1";
const POD_2: &str = "team-one-namespace/pod-2";
const POD_3: &str = "team-two-namespace/pod-3";

macro_rules! fixture {
    ($file:literal) => {
        Source {
            name: $file,
            text: include_str!(concat!("../../../tests/fixtures/docs-example/", $file)),
        }
    };
}

/// The docs' example: the workloads plus the default policy applied to both team namespaces
/// and the three pod policies (`namespace-default.yaml` itself has a placeholder namespace).
fn docs_example() -> Loaded {
    load(&[
        fixture!("cluster.yaml"),
        fixture!("namespace-default-team-one.yaml"),
        fixture!("namespace-default-team-two.yaml"),
        fixture!("pod-1-networkpolicy.yaml"),
        fixture!("pod-2-networkpolicy.yaml"),
        fixture!("pod-3-networkpolicy.yaml"),
    ])
}

fn allowed(loaded: &Loaded, from: &str, to: &str, port: u16, protocol: Protocol) -> bool {
    let c = &loaded.cluster;
    let traffic = Traffic {
        from: Endpoint::parse(c, from).expect("from endpoint"),
        to: Endpoint::parse(c, to).expect("to endpoint"),
        port,
        protocol,
    };
    verdict(c, &traffic)
}

#[wasm_bindgen_test]
fn docs_example_loads_without_errors() {
    let loaded = docs_example();
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
    assert_eq!(loaded.cluster.pods.len(), 5);
    assert_eq!(loaded.cluster.policies.len(), 5);
}

#[wasm_bindgen_test]
fn docs_example_pod_to_pod_matrix_on_8080() {
    let loaded = docs_example();
    let (p1, p2, p3) = (POD_1, POD_2, POD_3);
    let nginx = "system-ingress/ingress-nginx";
    let expect = [
        (p1, p2, true),
        (p1, p3, false),
        (p2, p1, false),
        (p2, p3, true),
        (p3, p1, false),
        (p3, p2, false),
        (nginx, p1, true),
        (nginx, p2, true),
        (nginx, p3, true),
    ];
    for (from, to, want) in expect {
        assert_eq!(
            allowed(&loaded, from, to, 8080, Protocol::Tcp),
            want,
            "{from} -> {to} on 8080/TCP"
        );
    }
}

#[wasm_bindgen_test]
fn docs_example_dns_and_outside_addresses() {
    let loaded = docs_example();
    for pod in [POD_1, POD_2, POD_3] {
        for protocol in [Protocol::Udp, Protocol::Tcp] {
            assert!(
                allowed(&loaded, pod, "kube-system/kube-dns", 53, protocol),
                "{pod} -> kube-dns on 53/{protocol:?}"
            );
        }
        assert!(allowed(&loaded, pod, "ip:8.8.8.8", 443, Protocol::Tcp));
        assert!(!allowed(&loaded, pod, "ip:10.1.2.3", 443, Protocol::Tcp));
    }
}
