//! Benchmarks: reading a Hubble flow log (`observed::Reader`, the CLI's and the app's path)
//! and replaying its distinct connections, on the synthetic 5,000-pod / 50-namespace cluster
//! and a 50,000-line log of the `hubble_log` example's shape (about 75 MB). Throughput is
//! in bytes of log, the figure the budget (≥ 300 MB/s, whole process) is about.
//! Run with `cargo bench -p netpol --bench flows`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use netpol::observed::{self, Reader};
use netpol::{load, Source};

#[path = "../examples/synthetic/mod.rs"]
mod synthetic;

#[path = "../examples/hubble/mod.rs"]
mod hubble;

fn bench(c: &mut Criterion) {
    let text = synthetic::cluster_yaml(5000, 50);
    let cluster = load(&[Source {
        name: "bench.yaml",
        text: &text,
    }])
    .cluster;
    let mut log = Vec::new();
    let written = hubble::write_log(5000, 50, 50_000, &mut log);
    assert!(written.is_ok(), "writing to memory: {written:?}");

    let mut group = c.benchmark_group("flows-5000-pods");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.bench_function("read 50,000 lines", |b| {
        b.iter(|| {
            let mut reader = Reader::new(cluster.clone(), "bench.json");
            for line in log.split(|c| *c == b'\n') {
                reader.push_line(line);
            }
            reader.finish()
        })
    });
    let mut reader = Reader::new(cluster.clone(), "bench.json");
    for line in log.split(|c| *c == b'\n') {
        reader.push_line(line);
    }
    let read = reader.finish();
    assert!(
        read.diagnostics.is_empty(),
        "{:?}",
        read.diagnostics.first()
    );
    group.bench_function("replay its connections", |b| {
        b.iter(|| observed::replay(&read.cluster, &read))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
