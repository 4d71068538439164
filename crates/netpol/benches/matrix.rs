//! Benchmarks: the full matrix (2 ports) and exact connectivity over generated clusters of
//! 100 / 1,000 / 5,000 pods in 10 / 50 / 200 namespaces, one policy per two pods of mixed
//! shapes. Run with `cargo bench -p netpol --bench matrix`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use netpol::endpoint::all_endpoints;
use netpol::{connectivity, load, matrix, Protocol, Source};

/// A cluster as YAML (so loading is benchmarked on realistic text too).
pub fn cluster_yaml(pods: usize, namespaces: usize) -> String {
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

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("matrix-2-ports");
    group.sample_size(10);
    for (pods, namespaces) in [(100, 10), (1000, 50), (5000, 200)] {
        let text = cluster_yaml(pods, namespaces);
        let loaded = load(&[Source { name: "bench.yaml", text: &text }]);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics.first());
        let cluster = loaded.cluster;
        let eps = all_endpoints(&cluster, &[]);
        group.bench_with_input(BenchmarkId::from_parameter(pods), &pods, |b, _| {
            b.iter(|| matrix(&cluster, &eps, &[(8080, Protocol::Tcp), (53, Protocol::Udp)]))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("connectivity-all-ports");
    group.sample_size(10);
    for (pods, namespaces) in [(200, 20), (1000, 50)] {
        let text = cluster_yaml(pods, namespaces);
        let cluster = load(&[Source { name: "bench.yaml", text: &text }]).cluster;
        let eps = all_endpoints(&cluster, &[]);
        group.bench_with_input(BenchmarkId::from_parameter(pods), &pods, |b, _| b.iter(|| connectivity(&cluster, &eps)));
    }
    group.finish();

    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for (pods, namespaces) in [(200, 20), (1000, 50)] {
        let text = cluster_yaml(pods, namespaces);
        group.bench_with_input(BenchmarkId::from_parameter(pods), &pods, |b, _| b.iter(|| load(&[Source { name: "bench.yaml", text: &text }])));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
