//! Benchmarks of issue 13's budgets: `diff` of two 1,000-pod clusters that differ by 10
//! policies, and checking 1,000 expectations on a 1,000-pod cluster (synthetic clusters of
//! `examples/synthetic/`). Loading is measured apart (the `load` group of the `matrix`
//! bench), so these figures are the engine's work after loading. Run with
//! `cargo bench -p netpol --bench diff`.

use criterion::{criterion_group, criterion_main, Criterion};
use netpol::diff::{diff_snapshots, Snapshot};
use netpol::endpoint::all_endpoints;
use netpol::expect::{check, parse_file};
use netpol::{connectivity, load, Cluster, Source};

#[path = "../examples/synthetic/change.rs"]
mod change;
#[path = "../examples/synthetic/expectations.rs"]
mod expectations;
#[path = "../examples/synthetic/mod.rs"]
mod synthetic;

fn cluster(text: &str) -> Cluster {
    let loaded = load(&[Source {
        name: "bench.yaml",
        text,
    }]);
    assert!(
        loaded.diagnostics.is_empty(),
        "{:?}",
        loaded.diagnostics.first()
    );
    loaded.cluster
}

fn bench(c: &mut Criterion) {
    let before = synthetic::cluster_yaml(1000, 50);
    let after = change::changed_cluster_yaml(&before, 50);
    let (old, new) = (cluster(&before), cluster(&after));
    let (old_eps, new_eps) = (all_endpoints(&old, &[]), all_endpoints(&new, &[]));

    let mut group = c.benchmark_group("diff-1000-pods-10-policies");
    group.sample_size(10);
    group.bench_function("whole (two connectivities + compare + causes)", |b| {
        b.iter(|| netpol::diff::diff(&old, &new, &[]))
    });
    let (old_map, new_map) = (connectivity(&old, &old_eps), connectivity(&new, &new_eps));
    let snapshot = |cluster, endpoints, connectivity| Snapshot {
        cluster,
        endpoints,
        connectivity,
    };
    let (a, b) = (
        snapshot(&old, &old_eps, &old_map),
        snapshot(&new, &new_eps, &new_map),
    );
    group.bench_function("compare + causes (connectivity given)", |bench| {
        bench.iter(|| diff_snapshots(a, b))
    });
    group.finish();

    let text = expectations::expectations_yaml(&old, 1000);
    let mut group = c.benchmark_group("test-1000-expectations-1000-pods");
    group.sample_size(10);
    group.bench_function("parse", |b| b.iter(|| parse_file("e.yaml", &text)));
    let stated = parse_file("e.yaml", &text).unwrap_or_default();
    assert_eq!(stated.len(), 1000);
    group.bench_function("check", |b| b.iter(|| check(&old, &stated)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
