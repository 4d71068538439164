//! A progress line on stderr while a long run works: a nightly job over a million-line
//! flow log or a 100,000-pod snapshot should not look hung when someone runs it by hand.
//!
//! Shown only when stderr is a terminal and only once the run has taken over a second;
//! never written into any output format (stdout is untouched). A phase is a guard: the
//! line is cleared when it drops, before anything else is printed, so diagnostics and the
//! progress line never share a line.
//!
//! With `NETPOL_TIMES` set in the environment, each phase's wall time is also written to
//! stderr when it ends, so that where a slow run spends its time can be seen without a
//! profiler (docs/performance.md quotes these figures).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a run goes before the line appears, and how often it is redrawn.
const QUIET_FOR: Duration = Duration::from_secs(1);
const REDRAW: Duration = Duration::from_millis(200);

struct Shared {
    /// The current phase and, when it counts bytes, its total.
    phase: Mutex<Phase>,
    /// Bytes done in the current phase (counted outside the lock: it is bumped per block).
    done: AtomicU64,
    started: Instant,
}

#[derive(Default)]
struct Phase {
    what: Option<String>,
    total: Option<u64>,
    /// True while the terminal shows a line of ours that must be cleared.
    shown: bool,
}

/// What the user sees while the phase runs; the line is cleared when it drops.
pub struct During {
    active: bool,
    /// With `NETPOL_TIMES`: what the phase is and when it started.
    timed: Option<(String, Instant)>,
}

/// Starts a phase (`reading flows.json`); `total` bytes, when known, give `N of M MB`.
pub fn during(what: impl Into<String>, total: Option<u64>) -> During {
    let what = what.into();
    let timed = std::env::var_os("NETPOL_TIMES").map(|_| (what.clone(), Instant::now()));
    let Some(shared) = shared() else {
        return During {
            active: false,
            timed,
        };
    };
    shared.done.store(0, Ordering::Relaxed);
    if let Ok(mut phase) = shared.phase.lock() {
        phase.what = Some(what);
        phase.total = total;
    }
    During {
        active: true,
        timed,
    }
}

/// Counts `bytes` more done in the current phase.
pub fn advance(bytes: u64) {
    if let Some(Some(shared)) = SHARED.get() {
        shared.done.fetch_add(bytes, Ordering::Relaxed);
    }
}

impl Drop for During {
    fn drop(&mut self) {
        if let Some((what, started)) = &self.timed {
            let peak =
                memory("VmHWM:").map_or(String::new(), |kb| format!(", peak {} MB", kb / 1000));
            let now =
                memory("VmRSS:").map_or(String::new(), |kb| format!(", now {} MB", kb / 1000));
            eprintln!(
                "netpol: {what}: {} ms{peak}{now}",
                started.elapsed().as_millis()
            );
        }
        let Some(shared) = self
            .active
            .then(|| SHARED.get().copied().flatten())
            .flatten()
        else {
            return;
        };
        if let Ok(mut phase) = shared.phase.lock() {
            phase.what = None;
            if phase.shown {
                phase.shown = false;
                let _ = write!(std::io::stderr(), "\r\x1b[2K");
            }
        }
    }
}

/// One of the process's memory figures in KB (`VmHWM:` the peak so far, `VmRSS:` now),
/// where Linux says it.
fn memory(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

static SHARED: OnceLock<Option<&'static Shared>> = OnceLock::new();

/// The state and its drawing thread, started the first time a phase begins; `None` when
/// stderr is not a terminal (a pipe, a CI log), so nothing is ever drawn there.
fn shared() -> Option<&'static Shared> {
    *SHARED.get_or_init(|| {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let shared: &'static Shared = Box::leak(Box::new(Shared {
            phase: Mutex::new(Phase::default()),
            done: AtomicU64::new(0),
            started: Instant::now(),
        }));
        std::thread::Builder::new()
            .name("progress".to_string())
            .spawn(move || draw_forever(shared))
            .ok()?;
        Some(shared)
    })
}

fn draw_forever(shared: &Shared) {
    loop {
        std::thread::sleep(REDRAW);
        let elapsed = shared.started.elapsed();
        if elapsed < QUIET_FOR {
            continue;
        }
        let Ok(mut phase) = shared.phase.lock() else {
            return;
        };
        let Some(what) = &phase.what else {
            continue;
        };
        let line = line(
            what,
            shared.done.load(Ordering::Relaxed),
            phase.total,
            elapsed,
        );
        if write!(std::io::stderr(), "\r\x1b[2K{line}").is_ok() {
            phase.shown = true;
        }
    }
}

/// `netpol: reading flows.json: 512 of 1561 MB (3.2 s)`.
fn line(what: &str, done: u64, total: Option<u64>, elapsed: Duration) -> String {
    let mb = |b: u64| b / 1_000_000;
    let amount = match total {
        Some(total) if total > 0 => format!(": {} of {} MB", mb(done), mb(total)),
        _ if done > 0 => format!(": {} MB", mb(done)),
        _ => String::new(),
    };
    format!("netpol: {what}{amount} ({:.1} s)", elapsed.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_what_how_much_and_how_long() {
        let t = Duration::from_millis(3200);
        assert_eq!(
            line("reading flows.json", 512_000_000, Some(1_561_000_000), t),
            "netpol: reading flows.json: 512 of 1561 MB (3.2 s)"
        );
        assert_eq!(
            line("reading <stdin>", 20_000_000, None, t),
            "netpol: reading <stdin>: 20 MB (3.2 s)"
        );
        assert_eq!(
            line("replaying 78488 connections", 0, None, t),
            "netpol: replaying 78488 connections (3.2 s)"
        );
    }
}
