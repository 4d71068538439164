//! Benchmarks of issue 13's budgets: `diff` of two 1,000-pod clusters that differ by 10
//! policies, and checking 1,000 expectations on a 1,000-pod cluster (synthetic clusters of
//! `examples/synthetic/`). Loading is measured apart (the `load` group of the `matrix`
//! bench), so these figures are the engine's work after loading. Also what the
//! playground's Compare adds to a keystroke (`diff::compare::against`, the kept side
//! evaluated once) on the docs' example and on 200 pods, next to the keystroke's own
//! `workspace::evaluate`. Run with `cargo bench -p netpol --bench diff`.

use criterion::{criterion_group, criterion_main, Criterion};
use netpol::diff::compare::{against, Compared};
use netpol::diff::{diff_snapshots, Snapshot};
use netpol::endpoint::all_endpoints;
use netpol::expect::{check, parse_file};
use netpol::workspace::{evaluate, Workspace};
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

/// The docs' example as the playground loads it (tests/fixtures/docs-example, one paste),
/// with `pod3` as pod-3's policy.
fn docs_example(pod3: &str) -> String {
    [
        include_str!("../../../tests/fixtures/docs-example/cluster.yaml"),
        include_str!("../../../tests/fixtures/docs-example/namespace-default-team-one.yaml"),
        include_str!("../../../tests/fixtures/docs-example/namespace-default-team-two.yaml"),
        include_str!("../../../tests/fixtures/docs-example/pod-1-networkpolicy.yaml"),
        include_str!("../../../tests/fixtures/docs-example/pod-2-networkpolicy.yaml"),
        pod3,
    ]
    .map(str::trim_end)
    .join("\n---\n")
}

/// One keystroke while comparing: what Compare adds to the workspace's evaluation (done
/// anyway; from scratch here, the `workspace` bench has the app's incremental keystroke),
/// with the kept side made once.
fn bench_compare(c: &mut Criterion) {
    let pod3 = include_str!("../../../tests/fixtures/docs-example/pod-3-networkpolicy.yaml");
    let docs = docs_example(pod3);
    // pod-3 admits kube-dns instead of pod-2: one opened and one closed flow.
    let edited = docs_example(
        &pod3
            .replace("name: \"team-one-namespace\"", "name: \"kube-system\"")
            .replace("app: \"pod-2\"", "k8s-app: \"kube-dns\""),
    );
    let before = synthetic::cluster_yaml(200, 20);
    let after = change::changed_cluster_yaml(&before, 20);
    let mut group = c.benchmark_group("compare-keystroke");
    for (name, old, new) in [("docs", &docs, &edited), ("200-pods", &before, &after)] {
        let ws = |text: &str| Workspace {
            manifests: text.to_string(),
            externals: vec!["ip:8.8.8.8".into(), "ip:10.1.2.3".into()],
            ..Workspace::default()
        };
        let kept = Compared::new(evaluate(&ws(old)));
        let now = evaluate(&ws(new));
        assert!(
            !against(&kept, &now).is_empty(),
            "{name}: the edit changes flows"
        );
        group.bench_function(format!("{name}: evaluate from scratch"), |b| {
            b.iter(|| evaluate(&ws(new)))
        });
        group.bench_function(format!("{name}: compare with the kept side"), |b| {
            b.iter(|| against(&kept, &now))
        });
    }
    group.finish();
}

criterion_group!(benches, bench, bench_compare);
criterion_main!(benches);
