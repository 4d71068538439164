//! Benchmarks: the full matrix (2 ports) and exact connectivity over generated clusters of
//! 100 / 1,000 / 5,000 pods in 10 / 50 / 200 namespaces, one policy per two pods of mixed
//! shapes; the same clusters with a platform's ClusterNetworkPolicy tiers on top; loading
//! them; and rendering the matrix as `netpol matrix -o json` writes it. Together they split
//! the CLI's whole-process time into loading, computing and writing. The `realistic` group
//! takes the matrix and the linter on the clusters the budgets are set on: pod IPs, the
//! docs' ipBlock default in every namespace, and Deployments beside the pods.
//! Run with `cargo bench -p netpol --bench matrix`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use netpol::endpoint::all_endpoints;
use netpol::{connectivity, load, matrix, render, Protocol, Source};

#[path = "../examples/synthetic/mod.rs"]
mod synthetic;
use synthetic::{cluster_yaml, realistic_cluster_yaml, tiers_yaml};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("matrix-2-ports");
    group.sample_size(10);
    for (pods, namespaces) in [(100, 10), (1000, 50), (5000, 200)] {
        let text = cluster_yaml(pods, namespaces);
        let loaded = load(&[Source {
            name: "bench.yaml",
            text: &text,
        }]);
        assert!(
            loaded.diagnostics.is_empty(),
            "{:?}",
            loaded.diagnostics.first()
        );
        let cluster = loaded.cluster;
        let eps = all_endpoints(&cluster, &[]);
        group.bench_with_input(BenchmarkId::from_parameter(pods), &pods, |b, _| {
            b.iter(|| {
                matrix(
                    &cluster,
                    &eps,
                    &[(8080, Protocol::Tcp), (53, Protocol::Udp)],
                )
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("connectivity-all-ports");
    group.sample_size(10);
    for (pods, namespaces) in [(200, 20), (1000, 50)] {
        let text = cluster_yaml(pods, namespaces);
        let cluster = load(&[Source {
            name: "bench.yaml",
            text: &text,
        }])
        .cluster;
        let eps = all_endpoints(&cluster, &[]);
        group.bench_with_input(BenchmarkId::from_parameter(pods), &pods, |b, _| {
            b.iter(|| connectivity(&cluster, &eps))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("realistic");
    group.sample_size(10);
    for (pods, namespaces) in [(1000, 50), (5000, 200)] {
        let text = realistic_cluster_yaml(pods, namespaces);
        let loaded = load(&[Source {
            name: "bench.yaml",
            text: &text,
        }]);
        assert!(
            loaded.diagnostics.is_empty(),
            "{:?}",
            loaded.diagnostics.first()
        );
        assert!(loaded
            .cluster
            .pods
            .iter()
            .all(|p| !p.ips.is_empty() || p.kind != netpol::model::EndpointKind::Pod));
        let eps = all_endpoints(&loaded.cluster, &[]);
        group.bench_with_input(BenchmarkId::new("matrix-2-ports", pods), &pods, |b, _| {
            b.iter(|| {
                matrix(
                    &loaded.cluster,
                    &eps,
                    &[(8080, Protocol::Tcp), (53, Protocol::Udp)],
                )
            })
        });
        let options = netpol::lint::LintOptions::default();
        group.bench_with_input(BenchmarkId::new("lint", pods), &pods, |b, _| {
            b.iter(|| netpol::lint::lint(&loaded, &options))
        });
    }
    group.finish();

    // The same clusters with a platform's Admin and Baseline ClusterNetworkPolicies.
    let mut group = c.benchmark_group("tiers");
    group.sample_size(10);
    for (pods, namespaces) in [(200, 20), (1000, 50)] {
        let text = cluster_yaml(pods, namespaces) + &tiers_yaml();
        let loaded = load(&[Source {
            name: "bench.yaml",
            text: &text,
        }]);
        assert!(
            loaded.diagnostics.is_empty(),
            "{:?}",
            loaded.diagnostics.first()
        );
        let cluster = loaded.cluster;
        let eps = all_endpoints(&cluster, &[]);
        group.bench_with_input(BenchmarkId::new("matrix-2-ports", pods), &pods, |b, _| {
            b.iter(|| {
                matrix(
                    &cluster,
                    &eps,
                    &[(8080, Protocol::Tcp), (53, Protocol::Udp)],
                )
            })
        });
        group.bench_with_input(BenchmarkId::new("connectivity", pods), &pods, |b, _| {
            b.iter(|| connectivity(&cluster, &eps))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for (pods, namespaces) in [(200, 20), (1000, 50), (5000, 200)] {
        let text = cluster_yaml(pods, namespaces);
        group.bench_with_input(BenchmarkId::from_parameter(pods), &pods, |b, _| {
            b.iter(|| {
                load(&[Source {
                    name: "bench.yaml",
                    text: &text,
                }])
            })
        });
    }
    group.finish();

    // What `netpol matrix -o json` spends formatting, apart from the write itself.
    let mut group = c.benchmark_group("render-matrix-json-2-ports");
    group.sample_size(10);
    for (pods, namespaces) in [(1000, 50), (5000, 200)] {
        let text = cluster_yaml(pods, namespaces);
        let cluster = load(&[Source {
            name: "bench.yaml",
            text: &text,
        }])
        .cluster;
        let eps = all_endpoints(&cluster, &[]);
        let m = matrix(
            &cluster,
            &eps,
            &[(8080, Protocol::Tcp), (53, Protocol::Udp)],
        );
        group.bench_with_input(BenchmarkId::from_parameter(pods), &pods, |b, _| {
            b.iter(|| render::matrix_json(&mut Discard(0), &m))
        });
    }
    group.finish();
}

/// A `fmt::Write` that keeps only the count, as a stand-in for stdout.
struct Discard(usize);

impl std::fmt::Write for Discard {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += std::hint::black_box(s).len();
        Ok(())
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
