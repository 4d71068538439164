//! Cilium's `kube-apiserver` entity: the API server is the addresses of the `kubernetes`
//! Service's EndpointSlice (or Endpoints) in `default`, as the agent reads them
//! (cilium/cilium `pkg/k8s/watchers`, `addKubeAPIServerServiceEPSliceV1`). An address there
//! keeps the identity it has (`host` or `remote-node` on a node, `world` outside) and gains
//! `kube-apiserver` (`pkg/labels` `LabelKubeAPIServerExt`, `pkg/identity` reserved
//! identity 7); `cluster` includes `kube-apiserver` (`pkg/policy/api/entity.go`
//! `InitEntities`). `matrix` must agree with `explain` on every pair.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

mod common;

use common::load::load_one;
use netpol::{explain, matrix, Endpoint, Loaded, Protocol, Severity, Traffic};

/// Two nodes; the API server on the control plane (172.18.0.2) and outside the cluster
/// (203.0.113.10, a managed control plane); a pod on each node; a host-network static pod
/// of the API server on the control plane.
const WORLD: &str = "
apiVersion: v1
kind: Node
metadata: {name: control-plane, labels: {node-role.kubernetes.io/control-plane: ''}}
status: {addresses: [{type: InternalIP, address: 172.18.0.2}]}
---
apiVersion: v1
kind: Node
metadata: {name: worker}
status: {addresses: [{type: InternalIP, address: 172.18.0.3}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kubernetes
  namespace: default
  labels: {kubernetes.io/service-name: kubernetes}
addressType: IPv4
endpoints:
- addresses: [172.18.0.2]
- addresses: [203.0.113.10]
ports: [{name: https, port: 6443, protocol: TCP}]
---
apiVersion: v1
kind: Pod
metadata: {name: on-worker, namespace: team-a, labels: {app: api}}
spec: {nodeName: worker, containers: [{name: c}]}
status: {podIP: 10.0.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: on-control-plane, namespace: team-a, labels: {app: api}}
spec: {nodeName: control-plane, containers: [{name: c}]}
status: {podIP: 10.0.0.7}
---
apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system, labels: {component: kube-apiserver}}
spec: {nodeName: control-plane, hostNetwork: true, containers: [{name: c}]}
status: {podIP: 172.18.0.2}
";

/// The world with a CiliumNetworkPolicy whose one egress entry, for every pod of `team-a`,
/// is `entry` (`toEntities: [world]`).
fn egress(entry: &str) -> String {
    format!(
        "{WORLD}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {{name: out, namespace: team-a}}
spec:
  endpointSelector: {{}}
  egress:
  - {entry}
"
    )
}

fn egress_to(entities: &str) -> String {
    egress(&format!("toEntities: [{entities}]"))
}

fn loaded(text: &str) -> Loaded {
    let l = load_one("in.yaml", text);
    let errors: Vec<_> = l
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    l
}

fn allowed(l: &Loaded, from: &str, to: &str) -> bool {
    let c = &l.cluster;
    let t = Traffic {
        from: Endpoint::parse(c, from).unwrap(),
        to: Endpoint::parse(c, to).unwrap(),
        port: 6443,
        protocol: Protocol::Tcp,
    };
    explain(c, &t).allowed
}

const FROM: [&str; 2] = ["team-a/on-worker", "team-a/on-control-plane"];

#[test]
fn the_api_server_is_read_from_the_kubernetes_endpoint_slice() {
    let l = loaded(WORLD);
    let want: Vec<std::net::IpAddr> = vec![
        "172.18.0.2".parse().unwrap(),
        "203.0.113.10".parse().unwrap(),
    ];
    assert_eq!(l.cluster.cilium.api_server, want);
}

#[test]
fn the_api_server_is_read_from_the_kubernetes_endpoints_object() {
    let l = loaded(
        "
apiVersion: v1
kind: Endpoints
metadata: {name: kubernetes, namespace: default}
subsets:
- addresses: [{ip: 172.18.0.2}, {ip: 172.18.0.4}]
  ports: [{name: https, port: 6443}]
",
    );
    let want: Vec<std::net::IpAddr> =
        vec!["172.18.0.2".parse().unwrap(), "172.18.0.4".parse().unwrap()];
    assert_eq!(l.cluster.cilium.api_server, want);
}

#[test]
fn other_endpoint_slices_are_skipped_with_a_note_and_give_no_api_server() {
    let l = load_one(
        "in.yaml",
        "
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-x7k2
  namespace: default
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
endpoints: [{addresses: [10.0.0.9]}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: kubernetes, namespace: team-a}
subsets: [{addresses: [{ip: 10.0.0.8}]}]
",
    );
    assert!(l.cluster.cilium.api_server.is_empty());
    let skipped: Vec<_> = l.diagnostics.iter().filter(|d| d.code == "NP102").collect();
    assert_eq!(skipped.len(), 2, "{:#?}", l.diagnostics);
    assert!(skipped[0].message.contains("only the API server's"));
}

#[test]
fn a_bad_address_is_an_error_at_its_place_and_the_rest_loads() {
    let text = "
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kubernetes
  namespace: default
  labels: {kubernetes.io/service-name: kubernetes}
addressType: IPv4
endpoints:
- addresses: [172.18.0.2, not-an-ip]
";
    let l = load_one("in.yaml", text);
    let e = l
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .expect("an error");
    assert!(
        e.message.contains("`not-an-ip` is not an IP address"),
        "{e}"
    );
    assert_eq!(e.line, 10, "{e}");
    let want: Vec<std::net::IpAddr> = vec!["172.18.0.2".parse().unwrap()];
    assert_eq!(l.cluster.cilium.api_server, want);
}

#[test]
fn a_list_of_the_wrong_type_is_an_error_at_its_place() {
    let text = "
apiVersion: v1
kind: Endpoints
metadata: {name: kubernetes, namespace: default}
subsets:
  addresses: [{ip: 172.18.0.2}]
";
    let l = load_one("in.yaml", text);
    let e = l
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .expect("an error");
    assert_eq!(e.message, "`subsets` must be a list", "{e}");
    assert_eq!(e.line, 6, "{e}");
    assert!(l.cluster.cilium.api_server.is_empty());
}

#[test]
fn kube_apiserver_allows_the_api_server_and_nothing_else() {
    let l = loaded(&egress_to("kube-apiserver"));
    for from in FROM {
        // On the control plane's node (`host` to on-control-plane, `remote-node` to
        // on-worker), outside the cluster, and as the static pod on the host network.
        assert!(allowed(&l, from, "ip:172.18.0.2"), "{from}");
        assert!(allowed(&l, from, "ip:203.0.113.10"), "{from}");
        assert!(allowed(&l, from, "kube-system/kube-apiserver"), "{from}");
        // Another node, the internet, a pod.
        assert!(!allowed(&l, from, "ip:172.18.0.3"), "{from}");
        assert!(!allowed(&l, from, "ip:8.8.8.8"), "{from}");
        assert!(!allowed(&l, from, "ip:203.0.113.11"), "{from}");
    }
    assert!(!allowed(&l, FROM[0], FROM[1]));
}

#[test]
fn the_api_server_keeps_its_node_or_world_identity() {
    // Its node is still `remote-node` (or `host`) and still part of `cluster`.
    let l = loaded(&egress_to("remote-node"));
    assert!(allowed(&l, "team-a/on-worker", "ip:172.18.0.2"));
    assert!(!allowed(&l, "team-a/on-control-plane", "ip:172.18.0.2"));
    let l = loaded(&egress_to("host"));
    assert!(allowed(&l, "team-a/on-control-plane", "ip:172.18.0.2"));
    assert!(!allowed(&l, "team-a/on-worker", "ip:172.18.0.2"));
    // Outside the cluster it is `world`, and `cluster` takes it too (the entity includes
    // `kube-apiserver`), while `world` does not take the one on a node.
    let l = loaded(&egress_to("world"));
    assert!(allowed(&l, FROM[0], "ip:203.0.113.10"));
    assert!(!allowed(&l, FROM[0], "ip:172.18.0.2"));
    let l = loaded(&egress_to("cluster"));
    assert!(allowed(&l, FROM[0], "ip:203.0.113.10"));
    assert!(!allowed(&l, FROM[0], "ip:203.0.113.11"));
}

#[test]
fn a_cidr_rule_takes_the_api_server_outside_the_cluster_only() {
    let l = loaded(&egress("toCIDR: [172.18.0.0/16, 203.0.113.0/24]"));
    assert!(allowed(&l, FROM[0], "ip:203.0.113.10"));
    assert!(!allowed(&l, FROM[0], "ip:172.18.0.2"));
}

#[test]
fn a_selector_on_the_reserved_label_is_the_entity() {
    let l = loaded(&egress(
        "toEndpoints: [{matchLabels: {reserved:kube-apiserver: ''}}]",
    ));
    assert!(allowed(&l, FROM[0], "ip:172.18.0.2"));
    assert!(allowed(&l, FROM[0], "ip:203.0.113.10"));
    assert!(!allowed(&l, FROM[0], "ip:172.18.0.3"));
}

#[test]
fn without_the_endpoint_slice_kube_apiserver_matches_nothing() {
    let text = egress_to("kube-apiserver").replace("kind: EndpointSlice", "kind: Service");
    let l = load_one("in.yaml", &text);
    assert!(l.cluster.cilium.api_server.is_empty());
    assert!(!allowed(&l, FROM[0], "ip:172.18.0.2"));
}

#[test]
fn the_explanation_names_the_identity_of_the_api_server() {
    let l = loaded(&egress_to("kube-apiserver"));
    let c = &l.cluster;
    let t = Traffic {
        from: Endpoint::parse(c, FROM[0]).unwrap(),
        to: Endpoint::parse(c, "ip:172.18.0.2").unwrap(),
        port: 6443,
        protocol: Protocol::Tcp,
    };
    let text = netpol::render::explanation_text(&explain(c, &t));
    assert!(
        text.contains("to Cilium, the receiver is reserved:remote-node + reserved:kube-apiserver"),
        "{text}"
    );
}

#[test]
fn matrix_agrees_with_explain_on_every_pair() {
    for entities in [
        "kube-apiserver",
        "host",
        "remote-node",
        "cluster",
        "world",
        "kube-apiserver, world",
    ] {
        let l = loaded(&egress_to(entities));
        let c = &l.cluster;
        let mut endpoints: Vec<Endpoint> = (0..c.pods.len()).map(Endpoint::Pod).collect();
        for ip in ["172.18.0.2", "172.18.0.3", "203.0.113.10", "8.8.8.8"] {
            endpoints.push(Endpoint::parse(c, &format!("ip:{ip}")).unwrap());
        }
        let probes = [(6443, Protocol::Tcp)];
        let m = matrix(c, &endpoints, &probes);
        for (i, from) in endpoints.iter().enumerate() {
            for (j, to) in endpoints.iter().enumerate() {
                let t = Traffic {
                    from: from.clone(),
                    to: to.clone(),
                    port: 6443,
                    protocol: Protocol::Tcp,
                };
                assert_eq!(
                    m.checks[0].allowed(i, j),
                    explain(c, &t).allowed,
                    "{entities}: {} -> {}",
                    m.endpoints[i],
                    m.endpoints[j]
                );
            }
        }
    }
}
