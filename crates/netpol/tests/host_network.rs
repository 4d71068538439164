//! hostNetwork pods: the loader carries `hostNetwork` onto the endpoint, the verdicts stay
//! what they are for any other pod, and NP221 warns once per hostNetwork pod that a
//! NetworkPolicy selects or a peer matches, at its `hostNetwork: true`.
//!
//! Kubernetes documents the behaviour as undefined (concepts/services-networking/
//! network-policies, "NetworkPolicy and hostNetwork pods"): see ARCHITECTURE.md.
//! ClusterNetworkPolicy defines it: host-network pods are never subjects nor `namespaces`
//! or `pods` peers.
//!
//! A host-network pod's address is its node's: without `status.podIP` the loader gives it
//! the IPs of the Node its `spec.nodeName` names (NP111 when the input has none), and
//! ipBlocks, `networks` and `nodes` peers match it through them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a panic is a failed test"
)]

mod common;

use netpol::diag::Severity;
use netpol::endpoint::all_endpoints;
use netpol::lint::{lint, LintOptions};
use netpol::{connectivity, explain, load, matrix, Cidr, Diagnostic, Endpoint, Loaded};
use netpol::{Protocol, Source, Traffic};

/// Namespace `x` with a hostNetwork Deployment `agent` (line 18: `hostNetwork: true`), a
/// plain pod `web`, and a default-deny policy plus one that lets `agent` reach `web`.
const CLUSTER: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: x
  labels: {app: web}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
  namespace: x
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers: [{name: a, image: a}]
";

const DENY_ALL: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
";

const AGENT_TO_WEB: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: agent-to-web, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: agent}}
";

fn load_files(files: &[(&str, &str)]) -> Loaded {
    let loaded = common::load::load_files(files);
    let errors: Vec<&Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "loader errors: {errors:#?}");
    loaded
}

fn np221(loaded: &Loaded) -> Vec<Diagnostic> {
    lint(loaded, &LintOptions::default())
        .into_iter()
        .filter(|d| d.code == "NP221")
        .collect()
}

fn without_host_network(text: &str) -> String {
    let out = text.replace("hostNetwork: true", "hostNetwork: false");
    assert_ne!(out, text, "the fixture has no `hostNetwork: true`");
    out
}

#[test]
fn the_loader_carries_host_network_for_pods_and_every_template() {
    let cronjob = "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: sweep, namespace: x}
spec:
  schedule: '* * * * *'
  jobTemplate:
    spec:
      template:
        spec:
          hostNetwork: true
          containers: [{name: s, image: s}]
---
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: x}
spec:
  hostNetwork: true
  containers: [{name: p, image: p}]
";
    let loaded = load_files(&[("cluster.yaml", CLUSTER), ("more.yaml", cronjob)]);
    let host: Vec<(String, bool)> = loaded
        .cluster
        .pods
        .iter()
        .map(|p| (p.id(), p.host_network))
        .collect();
    assert_eq!(
        host,
        [
            ("x/web".to_string(), false),
            ("x/agent".to_string(), true),
            ("x/sweep".to_string(), true),
            ("x/probe".to_string(), true),
        ]
    );
    let off = without_host_network(CLUSTER);
    let loaded = load_files(&[("cluster.yaml", &off)]);
    assert!(loaded.cluster.pods.iter().all(|p| !p.host_network));
}

#[test]
fn a_selected_host_network_pod_is_warned_about_once_at_its_host_network_key() {
    let loaded = load_files(&[
        ("cluster.yaml", CLUSTER),
        ("deny.yaml", DENY_ALL),
        ("allow.yaml", AGENT_TO_WEB),
    ]);
    let found = np221(&loaded);
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = &found[0];
    assert_eq!(
        (d.source.as_str(), d.line, d.column, d.severity),
        ("cluster.yaml", 18, 7, Severity::Warning)
    );
    assert_eq!(
        &CLUSTER[d.start..d.start + "hostNetwork".len()],
        "hostNetwork"
    );
    assert_eq!(
        d.message,
        "`x/agent` uses its node's network (hostNetwork) and NetworkPolicy `x/deny-all` selects it: the verdicts shown assume the network plugin applies policies to hostNetwork pods like to other pods; many plugins instead treat its traffic as the node's and ignore it in podSelector and namespaceSelector"
    );
    assert_eq!(
        d.help.as_deref(),
        Some("do not rely on NetworkPolicy for hostNetwork pods: match their node's IPs with ipBlock, and firewall the node itself")
    );
}

#[test]
fn a_host_network_pod_that_only_a_peer_matches_is_warned_about() {
    let loaded = load_files(&[("cluster.yaml", CLUSTER), ("allow.yaml", AGENT_TO_WEB)]);
    let found = np221(&loaded);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].line, found[0].column), (18, 7));
    assert!(
        found[0]
            .message
            .contains("and a peer of NetworkPolicy `x/agent-to-web` matches it:"),
        "{}",
        found[0].message
    );
}

#[test]
fn a_bare_host_network_pod_is_located_in_its_own_spec() {
    let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: x}
spec:
  containers: [{name: p, image: p}]
  hostNetwork: true
";
    let loaded = load_files(&[("pod.yaml", pod), ("deny.yaml", DENY_ALL)]);
    let found = np221(&loaded);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].line, found[0].column), (6, 3));
}

#[test]
fn no_warning_without_host_network_or_when_no_policy_depends_on_the_pod() {
    let off = without_host_network(CLUSTER);
    let loaded = load_files(&[
        ("cluster.yaml", &off),
        ("deny.yaml", DENY_ALL),
        ("allow.yaml", AGENT_TO_WEB),
    ]);
    assert_eq!(np221(&loaded), []);

    // Policies in the namespace, none selecting `agent` and no peer matching it.
    let web_only = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-only, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: web}}
    - namespaceSelector: {matchLabels: {team: other}}
";
    let loaded = load_files(&[("cluster.yaml", CLUSTER), ("web.yaml", web_only)]);
    assert_eq!(np221(&loaded), []);

    // No policy at all.
    let loaded = load_files(&[("cluster.yaml", CLUSTER)]);
    assert_eq!(np221(&loaded), []);
}

#[test]
fn rules_of_a_direction_the_policy_does_not_isolate_do_not_count() {
    // The egress rule names `agent`, but policyTypes leaves Egress out: it is ignored.
    let ignored = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ignored, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  egress:
  - to:
    - podSelector: {matchLabels: {app: agent}}
";
    let loaded = load_files(&[("cluster.yaml", CLUSTER), ("ignored.yaml", ignored)]);
    assert_eq!(np221(&loaded), []);
}

/// Everything the evaluator answers for a cluster, by endpoint id: the matrix on two ports,
/// the exact connectivity, and one explanation per ordered pair (an outside address too).
fn verdicts(loaded: &Loaded) -> (String, String, Vec<bool>) {
    let c = &loaded.cluster;
    let outside = [Cidr::parse("8.8.8.8", true).unwrap()];
    let endpoints = all_endpoints(c, &outside);
    let m = matrix(c, &endpoints, &[(80, Protocol::Tcp), (53, Protocol::Udp)]);
    let conn = connectivity(c, &endpoints);
    let mut explained = Vec::new();
    for from in &endpoints {
        for to in &endpoints {
            let e = explain(
                c,
                &Traffic {
                    from: from.clone(),
                    to: to.clone(),
                    port: 80,
                    protocol: Protocol::Tcp,
                },
            );
            explained.push(e.allowed);
        }
    }
    (
        serde_json::to_string(&m).unwrap(),
        serde_json::to_string(&conn).unwrap(),
        explained,
    )
}

#[test]
fn verdicts_are_the_same_with_and_without_host_network() {
    let on = load_files(&[
        ("cluster.yaml", CLUSTER),
        ("deny.yaml", DENY_ALL),
        ("allow.yaml", AGENT_TO_WEB),
    ]);
    let off_text = without_host_network(CLUSTER);
    let off = load_files(&[
        ("cluster.yaml", &off_text),
        ("deny.yaml", DENY_ALL),
        ("allow.yaml", AGENT_TO_WEB),
    ]);
    assert_eq!(verdicts(&on), verdicts(&off));

    // And they are the verdicts of policies applied to the pod like to any other: the
    // ingress rule admits `agent`, but deny-all also isolates `agent` for egress.
    let c = &on.cluster;
    let traffic = |from: &str, to: &str| Traffic {
        from: Endpoint::parse(c, from).unwrap(),
        to: Endpoint::parse(c, to).unwrap(),
        port: 80,
        protocol: Protocol::Tcp,
    };
    let e = explain(c, &traffic("x/agent", "x/web"));
    assert!(e.ingress.allows(), "{e:#?}");
    assert!(!e.egress.allows(), "{e:#?}");
    assert!(!e.allowed);
}

#[test]
fn a_later_duplicate_is_located_in_its_own_document() {
    // The second `x/probe` replaces the first (NP106); the warning points at the one kept.
    let first = "\
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: x}
spec:
  containers: [{name: p, image: p}]
";
    let second = "\
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: x}
spec:
  hostNetwork: true
  containers: [{name: p, image: p}]
";
    let sources = [
        Source {
            name: "first.yaml",
            text: first,
        },
        Source {
            name: "second.yaml",
            text: second,
        },
        Source {
            name: "deny.yaml",
            text: DENY_ALL,
        },
    ];
    let loaded = load(&sources);
    assert!(loaded.diagnostics.iter().any(|d| d.code == "NP106"));
    let found = np221(&loaded);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].source.as_str(), found[0].line, found[0].column),
        ("second.yaml", 5, 3)
    );
}

/// An Admin policy over every namespace that denies all ingress and all egress to pods.
const ADMIN_DENY_PODS: &str = "\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-pods}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {}}
  ingress:
  - {name: from-pods, action: Deny, from: [{namespaces: {}}]}
  egress:
  - {name: to-pods, action: Deny, to: [{pods: {namespaceSelector: {}, podSelector: {}}}]}
";

#[test]
fn cluster_network_policies_leave_host_network_pods_out_of_subjects_and_peers() {
    // clusternetworkpolicy_types.go: "host-networked pods are not included in subject
    // selection" and "... are not included in this type of peer" (namespaces and pods).
    let loaded = load_files(&[("cluster.yaml", CLUSTER), ("admin.yaml", ADMIN_DENY_PODS)]);
    let c = &loaded.cluster;
    let traffic = |from: &str, to: &str| Traffic {
        from: Endpoint::parse(c, from).unwrap(),
        to: Endpoint::parse(c, to).unwrap(),
        port: 80,
        protocol: Protocol::Tcp,
    };
    // Neither side's Admin rules see the host-network pod: not as a subject, not as a peer.
    for (from, to) in [("x/agent", "x/web"), ("x/web", "x/agent")] {
        let e = explain(c, &traffic(from, to));
        assert!(e.allowed, "{from} -> {to}: {e:#?}");
        let json = serde_json::to_string(&e).unwrap();
        assert!(
            !json.contains("\"decidedBy\":\"Admin\""),
            "{from} -> {to}: the Admin tier decided nothing: {json}"
        );
    }
    let e = explain(c, &traffic("x/agent", "x/web"));
    let json = serde_json::to_string(&e.ingress).unwrap();
    assert!(
        json.contains("hostNetwork"),
        "the miss names the reason: {json}"
    );

    // The same pod without hostNetwork is denied both ways; the bulk queries agree.
    let off_text = without_host_network(CLUSTER);
    let off = load_files(&[("cluster.yaml", &off_text), ("admin.yaml", ADMIN_DENY_PODS)]);
    let oc = &off.cluster;
    let e = explain(
        oc,
        &Traffic {
            from: Endpoint::parse(oc, "x/agent").unwrap(),
            to: Endpoint::parse(oc, "x/web").unwrap(),
            port: 80,
            protocol: Protocol::Tcp,
        },
    );
    assert!(!e.allowed, "{e:#?}");
    let (on_matrix, _, on_explained) = verdicts(&loaded);
    let (off_matrix, _, _) = verdicts(&off);
    assert_ne!(on_matrix, off_matrix);
    let endpoints = all_endpoints(c, &[Cidr::parse("8.8.8.8", true).unwrap()]);
    let m = matrix(c, &endpoints, &[(80, Protocol::Tcp)]);
    let m = serde_json::to_value(&m).unwrap();
    let n = endpoints.len();
    let cells: Vec<bool> = m["checks"][0]["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter().map(|b| b.as_bool().unwrap()))
        .collect();
    assert_eq!(cells.len(), n * n, "{m}");
    assert_eq!(cells, on_explained, "matrix and explain agree cell by cell");
}

/// A Node listing an ExternalIP before two IPv4 and one IPv6 InternalIP.
const WORKER: &str = "\
apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {kubernetes.io/os: linux}
status:
  addresses:
  - {type: Hostname, address: worker-1}
  - {type: ExternalIP, address: 203.0.113.7}
  - {type: InternalIP, address: 192.168.0.11}
  - {type: InternalIP, address: 192.168.0.12}
  - {type: InternalIP, address: 'fd00::11'}
";

/// Host-network pods with and without `nodeName` and pod IPs, a pod-network pod on the
/// same node, and a hostNetwork Deployment pinned to it. `elsewhere`'s `nodeName` is on
/// line 31.
const ON_NODES: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: on-node, namespace: x}
spec:
  hostNetwork: true
  nodeName: worker-1
  containers: [{name: a, image: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: no-node, namespace: x}
spec:
  hostNetwork: true
  containers: [{name: a, image: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: own-ip, namespace: x}
spec:
  hostNetwork: true
  nodeName: worker-1
  containers: [{name: a, image: a}]
status:
  podIP: 10.0.0.5
---
apiVersion: v1
kind: Pod
metadata: {name: elsewhere, namespace: x}
spec:
  hostNetwork: true
  nodeName: worker-9
  containers: [{name: a, image: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: pod-net, namespace: x}
spec:
  nodeName: worker-1
  containers: [{name: a, image: a}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: agent, namespace: x}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      nodeName: worker-1
      containers: [{name: a, image: a}]
";

fn ips(loaded: &Loaded) -> Vec<(String, Vec<String>)> {
    loaded
        .cluster
        .pods
        .iter()
        .map(|p| (p.id(), p.ips.iter().map(ToString::to_string).collect()))
        .collect()
}

fn np111(loaded: &Loaded) -> Vec<&Diagnostic> {
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == "NP111")
        .collect()
}

#[test]
fn a_host_network_pod_without_pod_ips_has_its_nodes_address() {
    let node_ips = vec!["192.168.0.11".to_string(), "fd00::11".to_string()];
    let expected = vec![
        // The first InternalIP of each family, as the kubelet reports them.
        ("x/on-node".to_string(), node_ips.clone()),
        // No nodeName: no node to take the address from.
        ("x/no-node".to_string(), vec![]),
        // The manifest's pod IP wins.
        ("x/own-ip".to_string(), vec!["10.0.0.5".to_string()]),
        // A node the input does not have: no address (NP111 says so).
        ("x/elsewhere".to_string(), vec![]),
        // Not host-network: the node's address is not the pod's.
        ("x/pod-net".to_string(), vec![]),
        // A workload's template counts like a Pod's spec.
        ("x/agent".to_string(), node_ips),
    ];
    // The Node may come before or after the pods that run on it.
    for files in [
        [("pods.yaml", ON_NODES), ("node.yaml", WORKER)],
        [("node.yaml", WORKER), ("pods.yaml", ON_NODES)],
    ] {
        let loaded = load_files(&files);
        assert_eq!(ips(&loaded), expected);
        let infos = np111(&loaded);
        assert_eq!(infos.len(), 1, "{infos:#?}");
        let d = infos[0];
        assert_eq!(d.severity, Severity::Info);
        assert_eq!((d.source.as_str(), d.line), ("pods.yaml", 31), "{d:#?}");
        assert!(
            d.message.contains("`x/elsewhere`") && d.message.contains("no Node `worker-9`"),
            "{d:#?}"
        );
    }
}

#[test]
fn without_an_internal_ip_the_node_gives_its_external_ip_and_without_either_none() {
    let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec:
  hostNetwork: true
  nodeName: node-a
  containers: [{name: a, image: a}]
";
    let node = |addresses: &str| {
        format!("apiVersion: v1\nkind: Node\nmetadata: {{name: node-a}}\nstatus:\n  addresses: {addresses}\n")
    };
    let external = node(
        "[{type: ExternalIP, address: 203.0.113.7}, {type: ExternalIP, address: '2001:db8::7'}]",
    );
    let loaded = load_files(&[("pod.yaml", pod), ("node.yaml", &external)]);
    assert_eq!(
        ips(&loaded),
        [(
            "x/p".to_string(),
            vec!["203.0.113.7".to_string(), "2001:db8::7".to_string()]
        )]
    );
    assert!(np111(&loaded).is_empty());

    let hostname_only = node("[{type: Hostname, address: node-a}]");
    let loaded = load_files(&[("pod.yaml", pod), ("node.yaml", &hostname_only)]);
    assert!(loaded.cluster.pods[0].ips.is_empty());
    let infos = np111(&loaded);
    assert_eq!(infos.len(), 1, "{infos:#?}");
    assert!(
        infos[0]
            .message
            .contains("Node `node-a` lists no InternalIP or ExternalIP"),
        "{infos:#?}"
    );
}

/// Egress of `client/c`: an Admin rule accepts TCP 80 to the Linux nodes and the next one
/// denies everything else; a NetworkPolicy lets it reach the node range only.
const CLIENT_AND_POLICIES: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: client}
spec:
  containers: [{name: c, image: c}]
status:
  podIP: 10.0.1.1
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: to-nodes}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: client}}}
  egress:
  - name: nodes-web
    action: Accept
    to: [{nodes: {matchLabels: {kubernetes.io/os: linux}}}]
    protocols: [{tcp: {destinationPort: {number: 80}}}]
  - name: nothing-else
    action: Deny
    to: [{networks: [0.0.0.0/0, '::/0']}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: node-range, namespace: client}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 192.168.0.0/24}}]
";

#[test]
fn node_peers_networks_and_ip_blocks_see_a_host_network_pod_through_its_node_address() {
    let loaded = load_files(&[
        ("pods.yaml", ON_NODES),
        ("node.yaml", WORKER),
        ("client.yaml", CLIENT_AND_POLICIES),
    ]);
    let c = &loaded.cluster;
    let explain_to = |to: &str, port: u16| {
        explain(
            c,
            &Traffic {
                from: Endpoint::parse(c, "client/c").unwrap(),
                to: Endpoint::parse(c, to).unwrap(),
                port,
                protocol: Protocol::Tcp,
            },
        )
    };

    // The `nodes` peer covers the pod by its node's address: the Admin tier accepts.
    let e = explain_to("x/on-node", 80);
    assert!(e.allowed, "{e:#?}");
    let tier = serde_json::to_value(&e.egress).unwrap().to_string();
    assert!(tier.contains("nodes-web"), "{tier}");

    // Another port: the Deny rule's networks hold the node address too.
    assert!(!explain_to("x/on-node", 8080).allowed);

    // Without an address the `nodes` peer misses, and says why; `0.0.0.0/0` still holds
    // whatever address the pod gets.
    let e = explain_to("x/elsewhere", 80);
    assert!(!e.allowed, "{e:#?}");
    let text = netpol::render::explanation_text(&e);
    assert!(
        text.contains("`x/elsewhere` uses hostNetwork") && text.contains("spec.nodeName"),
        "{text}"
    );

    // A pod on the pod network is not a node address, even on that node.
    let e = explain_to("x/pod-net", 80);
    assert!(!e.allowed, "{e:#?}");
    let text = netpol::render::explanation_text(&e);
    assert!(text.contains("`x/pod-net` is on the pod network"), "{text}");

    // The NetworkPolicy's ipBlock matches the node address too: with the Admin policy's
    // subject selecting nothing, the NetworkPolicy alone decides.
    let no_subject = CLIENT_AND_POLICIES.replace(
        "kubernetes.io/metadata.name: client",
        "kubernetes.io/metadata.name: none",
    );
    assert_ne!(no_subject, CLIENT_AND_POLICIES);
    let np_only = load_files(&[
        ("pods.yaml", ON_NODES),
        ("node.yaml", WORKER),
        ("client.yaml", &no_subject),
    ]);
    let nc = &np_only.cluster;
    let to = |id: &str| {
        explain(
            nc,
            &Traffic {
                from: Endpoint::parse(nc, "client/c").unwrap(),
                to: Endpoint::parse(nc, id).unwrap(),
                port: 8080,
                protocol: Protocol::Tcp,
            },
        )
    };
    assert!(to("x/on-node").allowed);
    assert!(to("x/agent").allowed);
    let e = to("x/elsewhere");
    assert!(!e.allowed);
    let text = netpol::render::explanation_text(&e);
    assert!(
        text.contains("ipBlock 192.168.0.0/24 is matched against pod IPs, and `x/elsewhere` has none (no status.podIP in its manifest, and no Node of the input for its spec.nodeName"),
        "{text}"
    );

    // Matching a host-network pod by its node's address is what NP221 advises: NP211 (an
    // ipBlock covering pod IPs) leaves it alone.
    let findings = lint(&np_only, &LintOptions::default());
    assert!(findings.iter().all(|d| d.code != "NP211"), "{findings:#?}");

    // The bulk queries agree with explain, cell by cell, with and without the tiers.
    for cluster in [c, nc] {
        let endpoints = all_endpoints(cluster, &[Cidr::parse("192.168.0.11", true).unwrap()]);
        for port in [80, 8080] {
            let m = matrix(cluster, &endpoints, &[(port, Protocol::Tcp)]);
            let m = serde_json::to_value(&m).unwrap();
            let cells: Vec<bool> = m["checks"][0]["allowed"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|row| row.as_array().unwrap().iter().map(|b| b.as_bool().unwrap()))
                .collect();
            let mut explained = Vec::new();
            for from in &endpoints {
                for to in &endpoints {
                    let t = Traffic {
                        from: from.clone(),
                        to: to.clone(),
                        port,
                        protocol: Protocol::Tcp,
                    };
                    explained.push(explain(cluster, &t).allowed);
                }
            }
            assert_eq!(cells, explained, "port {port}");
        }
    }
}
