//! The playground's keystroke, natively: evaluating a 200-pod / 100-policy workspace from
//! scratch, and again after one character changed in one document (what the
//! `Evaluator` reuses). Run with `cargo bench -p netpol --bench workspace`.

use criterion::{criterion_group, criterion_main, Criterion};
use netpol::workspace::{evaluate, Evaluator, Workspace};

#[path = "../examples/synthetic/mod.rs"]
mod synthetic;
use synthetic::cluster_yaml;

fn bench(c: &mut Criterion) {
    let text = cluster_yaml(200, 20);
    let ws = Workspace {
        manifests: text.clone(),
        ..Workspace::default()
    };
    // A keystroke in the middle: `pod100` becomes `pod100x` and back, alternately.
    let edited = Workspace {
        manifests: text.replacen("name: pod100\n", "name: pod100x\n", 1),
        ..Workspace::default()
    };
    let mut group = c.benchmark_group("workspace-200-pods");
    group.sample_size(20);
    group.bench_function("evaluate", |b| b.iter(|| evaluate(&ws)));
    let mut evaluator = Evaluator::default();
    evaluator.evaluate(&ws);
    let mut flip = false;
    group.bench_function("keystroke", |b| {
        b.iter(|| {
            flip = !flip;
            evaluator.evaluate(if flip { &edited } else { &ws })
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
