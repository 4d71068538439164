//! Grading a lesson, natively: for every shipped lesson, the learner's side of the
//! comparison with the solution on every probe (what the playground does on each
//! keystroke, the solution's side being kept per lesson), and building the grader once
//! (what opening a lesson costs). The browser's figure is `netpol:grade` in
//! `tests/e2e/out/perf.json`. Run with `cargo bench -p netpol --bench lessons`.

use criterion::{criterion_group, criterion_main, Criterion};
use netpol::lesson::{parse_index, parse_lesson, Grader, Lesson};
use netpol::workspace::evaluate;

fn course() -> Vec<Lesson> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/lessons");
    let read = |file: &str| std::fs::read_to_string(format!("{dir}/{file}")).unwrap_or_default();
    let Ok(index) = parse_index("index.yaml", &read("index.yaml")) else {
        return Vec::new();
    };
    index
        .lessons
        .iter()
        .filter_map(|file| parse_lesson(file, &read(file)).ok())
        .collect()
}

fn bench(c: &mut Criterion) {
    let course = course();
    let mut group = c.benchmark_group("lesson-grade");
    group.sample_size(20);
    for lesson in &course {
        let grader = Grader::new(lesson);
        // A wrong answer when there is one (the comparison then finds and explains a
        // difference), else the start.
        let ws = lesson
            .wrong_answers
            .first()
            .map_or(&lesson.start, |w| &w.workspace);
        let evaluation = evaluate(ws);
        group.bench_function(format!("{}/keystroke", lesson.id), |b| {
            b.iter(|| grader.check_evaluation(&evaluation))
        });
    }
    if let Some(lesson) = course.iter().max_by_key(|l| l.wrong_answers.len()) {
        group.bench_function(format!("{}/open", lesson.id), |b| {
            b.iter(|| Grader::new(lesson))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
