//! Prints a synthetic cluster (the benchmark's) as YAML, to compare other tools on the same
//! input: `cargo run --release -p netpol --example synthetic_cluster -- 1000 50 > c.yaml`;
//! a third argument `tiers` adds the benchmark's ClusterNetworkPolicies.

mod synthetic;

fn main() {
    let mut args = std::env::args().skip(1);
    let pods = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let namespaces = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    print!("{}", synthetic::cluster_yaml(pods, namespaces));
    if args.next().as_deref() == Some("tiers") {
        print!("{}", synthetic::tiers_yaml());
    }
}
