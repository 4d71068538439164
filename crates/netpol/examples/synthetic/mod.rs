//! Synthetic clusters for benchmarks: `pods` pods in `namespaces` namespaces and one
//! NetworkPolicy per two pods, cycling through five common shapes (pod-to-pod ingress on a
//! port, cross-namespace egress with matchExpressions, namespace-wide ingress on a named
//! port, internet egress plus DNS, NotIn selector with a port range); optionally a
//! platform's ClusterNetworkPolicies on top.
//!
//! [`realistic_cluster_yaml`] is the same cluster as a real one looks to the linter and the
//! matrix: every pod has an IP, every namespace the documentation's `namespace-default`
//! (egress to `0.0.0.0/0` except the private ranges, which makes every ipBlock meet every
//! pod IP), and Deployments stand beside the pods. The budgets are taken on it.

/// The cluster as multi-document YAML.
pub fn cluster_yaml(pods: usize, namespaces: usize) -> String {
    cluster(pods, namespaces, false)
}

/// [`cluster_yaml`] with pod IPs, the docs' namespace default in every namespace and one
/// Deployment per ten pods.
#[allow(dead_code, reason = "not every benchmark uses it")]
pub fn realistic_cluster_yaml(pods: usize, namespaces: usize) -> String {
    cluster(pods, namespaces, true)
}

/// [`realistic_cluster_yaml`] with every other of its per-pod policies written as a
/// CiliumNetworkPolicy of the same shape (issue 22: the budgets hold with half the policies
/// as Cilium ones). The CIDR shape keeps Cilium's meaning (a CIDR matches the world only).
#[allow(dead_code, reason = "not every benchmark uses it")]
pub fn half_cilium_cluster_yaml(pods: usize, namespaces: usize) -> String {
    let mut out = cluster(pods, namespaces, true);
    let namespaces = namespaces.max(1);
    // The odd policies are replaced: cut them out of the NetworkPolicy documents.
    let docs: Vec<&str> = out.split("---\n").collect();
    let kept: Vec<&str> = docs
        .into_iter()
        .filter(|d| {
            d.lines()
                .find_map(|l| l.strip_prefix("  name: np"))
                .and_then(|n| n.parse::<usize>().ok())
                .is_none_or(|i| i % 2 != 1)
        })
        .collect();
    out = kept.join("---\n");
    for i in (1..pods / 2).step_by(2) {
        out += &format!(
            "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: np{i}\n  namespace: ns{}\nspec:\n  {}\n---\n",
            i % namespaces,
            cilium_spec(i)
        );
    }
    out
}

/// The Cilium spec of the `i`th per-pod policy (the same five shapes as the NetworkPolicies).
fn cilium_spec(i: usize) -> String {
    match i % 5 {
        0 => format!("endpointSelector: {{matchLabels: {{app: app{}}}}}\n  ingress:\n    - fromEndpoints: [{{matchLabels: {{app: app{}}}}}]\n      toPorts: [{{ports: [{{port: \"8080\", protocol: TCP}}]}}]", i % 37, (i + 1) % 37),
        1 => format!("endpointSelector: {{matchLabels: {{tier: t{}}}}}\n  ingress:\n    - {{}}\n  egress:\n    - toEndpoints: [{{matchLabels: {{k8s:io.cilium.k8s.namespace.labels.team: t{}}}, matchExpressions: [{{key: tier, operator: In, values: [t0, t1]}}]}}]", i % 3, i % 5),
        2 => "endpointSelector: {}\n  ingress:\n    - fromEndpoints: [{matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: Exists}]}]\n      toPorts: [{ports: [{port: http, protocol: TCP}]}]".to_string(),
        3 => format!("endpointSelector: {{matchLabels: {{app: app{}}}}}\n  egress:\n    - toCIDRSet: [{{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]\n    - toEntities: [all]\n      toPorts: [{{ports: [{{port: \"53\", protocol: UDP}}]}}]", i % 37),
        _ => format!("endpointSelector: {{matchExpressions: [{{key: app, operator: NotIn, values: [app{}]}}]}}\n  ingress:\n    - fromEndpoints: [{{matchLabels: {{tier: t{}}}}}]\n      toPorts: [{{ports: [{{port: \"8000\", endPort: 9000, protocol: TCP}}]}}]", i % 37, i % 3),
    }
}

fn cluster(pods: usize, namespaces: usize, realistic: bool) -> String {
    let namespaces = namespaces.max(1);
    let mut out = String::new();
    for n in 0..namespaces {
        out += &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{n}\n  labels: {{team: t{}}}\n---\n", n % 5);
    }
    for p in 0..pods {
        let n = p % namespaces;
        out += &format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod{p}\n  namespace: ns{n}\n  labels: {{app: app{}, tier: t{}}}\nspec:\n  containers:\n    - name: c\n      ports: [{{name: http, containerPort: 8080}}]\n---\n",
            p % 37,
            p % 3
        );
        if realistic {
            // The document ends with `---\n`: the status goes before it.
            out.truncate(out.len() - 4);
            out += &format!(
                "status:\n  podIP: 10.{}.{}.{}\n---\n",
                64 + (p >> 16) % 128,
                (p >> 8) & 255,
                p & 255
            );
        }
    }
    if realistic {
        for d in 0..pods / 10 {
            out += &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: deploy{d}\n  namespace: ns{}\nspec:\n  selector: {{matchLabels: {{app: app{}}}}}\n  template:\n    metadata:\n      labels: {{app: app{}, tier: t{}}}\n    spec:\n      containers:\n        - name: c\n          ports: [{{name: http, containerPort: 8080}}]\n---\n",
                d % namespaces,
                d % 37,
                d % 37,
                d % 3
            );
        }
        for n in 0..namespaces {
            out += &format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: namespace-default\n  namespace: ns{n}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress, Ingress]\n  egress:\n    - to:\n        - ipBlock:\n            cidr: 0.0.0.0/0\n            except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]\n        - namespaceSelector: {{}}\n          podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}\n  ingress:\n    - from:\n        - namespaceSelector: {{matchLabels: {{name: system-ingress}}}}\n          podSelector: {{matchLabels: {{app-name: ingress-nginx}}}}\n---\n");
        }
    }
    for i in 0..pods / 2 {
        let n = i % namespaces;
        let spec = match i % 5 {
            0 => format!("podSelector: {{matchLabels: {{app: app{}}}}}\n  ingress:\n    - from:\n        - podSelector: {{matchLabels: {{app: app{}}}}}\n      ports: [{{port: 8080}}]", i % 37, (i + 1) % 37),
            1 => format!("podSelector: {{matchLabels: {{tier: t{}}}}}\n  policyTypes: [Ingress, Egress]\n  egress:\n    - to:\n        - namespaceSelector: {{matchLabels: {{team: t{}}}}}\n          podSelector: {{matchExpressions: [{{key: tier, operator: In, values: [t0, t1]}}]}}", i % 3, i % 5),
            2 => "podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector: {}\n      ports: [{port: http}]".to_string(),
            3 => format!("podSelector: {{matchLabels: {{app: app{}}}}}\n  egress:\n    - to:\n        - ipBlock: {{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}\n    - ports: [{{port: 53, protocol: UDP}}]", i % 37),
            _ => format!("podSelector: {{matchExpressions: [{{key: app, operator: NotIn, values: [app{}]}}]}}\n  ingress:\n    - from:\n        - podSelector: {{matchLabels: {{tier: t{}}}}}\n      ports: [{{port: 8000, endPort: 9000}}]", i % 37, i % 3),
        };
        out += &format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np{i}\n  namespace: ns{n}\nspec:\n  {spec}\n---\n");
    }
    out
}

/// A platform's ClusterNetworkPolicies for a synthetic cluster: an Admin tier that accepts
/// DNS, keeps team t4 to itself and passes the rest, and a Baseline default deny between
/// teams with a DNS exception, over every namespace.
#[allow(
    dead_code,
    reason = "the matrix benchmark and the synthetic_cluster example use it, the diff benchmark does not"
)]
pub fn tiers_yaml() -> String {
    "apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: platform}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {}}
  egress:
  - {name: dns, action: Accept, to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: app0}}}}], protocols: [{udp: {destinationPort: {number: 53}}}]}
  - {name: metadata, action: Deny, to: [{networks: [169.254.169.254/32]}]}
  ingress:
  - {name: t4-only, action: Pass, from: [{namespaces: {matchLabels: {team: t4}}}]}
  - {name: no-t4, action: Deny, from: [{namespaces: {matchExpressions: [{key: team, operator: NotIn, values: [t4]}]}}], protocols: [{tcp: {destinationPort: {range: {start: 9000, end: 9100}}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: default-deny}
spec:
  tier: Baseline
  priority: 100
  subject: {namespaces: {}}
  ingress:
  - {name: same-team, action: Accept, from: [{namespaces: {matchLabels: {team: t0}}}]}
  - {name: others, action: Deny, from: [{namespaces: {}}]}
  egress:
  - {name: dns, action: Accept, to: [{namespaces: {}}], protocols: [{udp: {destinationPort: {number: 53}}}]}
  - {name: others, action: Deny, to: [{namespaces: {}}]}
".to_string()
}
