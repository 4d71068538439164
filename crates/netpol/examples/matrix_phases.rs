//! Where `netpol matrix FILE --port 8080/TCP --port 53/UDP -o json` spends its time: loading
//! the YAML, computing the matrix, formatting the JSON (into a discarding writer). Each is
//! the mean CPU time of this thread over RUNS runs, so other processes on a busy machine do
//! not inflate it; what the whole-process figure of `scripts/bench-cli.sh` has on top is
//! start-up, reading the file and the write itself.
//!
//! `cargo run --release -p netpol --example matrix_phases -- FILE [RUNS]`
//!
//! CPU time comes from /proc/self/schedstat (Linux; it can lag by a scheduler tick, hence
//! the runs); elsewhere this falls back to wall-clock time and says so.

use std::fmt;
use std::time::Instant;

use netpol::endpoint::all_endpoints;
use netpol::{load, matrix, render, Protocol, Source};

/// Counts what it is given and keeps nothing, in place of stdout.
struct Discard(usize);

impl fmt::Write for Discard {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// A clock: this thread's CPU time where the platform tells it, else wall time.
struct Clock {
    start: Instant,
}

impl Clock {
    fn cpu_ns() -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        stat.split_whitespace().next()?.parse().ok()
    }

    fn is_cpu() -> bool {
        Clock::cpu_ns().is_some()
    }

    /// Milliseconds since some fixed point.
    fn now_ms(&self) -> f64 {
        match Clock::cpu_ns() {
            Some(ns) => ns as f64 / 1e6,
            None => self.start.elapsed().as_secs_f64() * 1e3,
        }
    }
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .ok_or("usage: matrix_phases FILE [RUNS]".to_string())?;
    let runs: u32 = args.next().and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let clock = Clock {
        start: Instant::now(),
    };
    let probes = [(8080, Protocol::Tcp), (53, Protocol::Udp)];
    let (mut load_ms, mut matrix_ms, mut json_ms) = (0.0, 0.0, 0.0);
    let mut shape = (0, 0);
    for _ in 0..runs {
        let t0 = clock.now_ms();
        let loaded = load(&[Source {
            name: &file,
            text: &text,
        }]);
        let t1 = clock.now_ms();
        let endpoints = all_endpoints(&loaded.cluster, &[]);
        let m = matrix(&loaded.cluster, &endpoints, &probes);
        let t2 = clock.now_ms();
        let mut out = Discard(0);
        render::matrix_json(&mut out, &m).map_err(|e| e.to_string())?;
        let t3 = clock.now_ms();
        load_ms += t1 - t0;
        matrix_ms += t2 - t1;
        json_ms += t3 - t2;
        shape = (m.endpoints.len(), out.0);
    }
    let n = f64::from(runs);
    println!(
        "{} endpoints, {} bytes of JSON; mean {} per run over {runs} runs:",
        shape.0,
        shape.1,
        if Clock::is_cpu() {
            "CPU time"
        } else {
            "wall-clock time (no CPU clock here)"
        },
    );
    println!(
        "  load {:.1} ms, matrix {:.1} ms, format JSON {:.1} ms",
        load_ms / n,
        matrix_ms / n,
        json_ms / n
    );
    Ok(())
}
