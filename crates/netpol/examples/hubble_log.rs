//! Prints a synthetic Hubble flow log (`hubble observe -o json` shape, ~1.5 KB a line) for
//! a synthetic cluster (`synthetic_cluster PODS NAMESPACES`), to measure `netpol flows`:
//!
//! ```text
//! cargo run --release -p netpol --example synthetic_cluster -- 5000 50 > c.yaml
//! cargo run --release -p netpol --example hubble_log -- 5000 50 1000000 > flows.json
//! /usr/bin/time -v target/release/netpol flows flows.json c.yaml -o json > /dev/null
//! ```

mod hubble;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let pods: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let namespaces: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let lines: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    hubble::write_log(pods, namespaces, lines, &mut out)
}
