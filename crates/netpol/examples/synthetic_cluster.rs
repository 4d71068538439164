//! Prints a synthetic cluster (the benchmark's) as YAML, to compare other tools on the same
//! input: `cargo run --release -p netpol --example synthetic_cluster -- 1000 50 > c.yaml`;
//! then `ips` for the realistic cluster (pod IPs, the docs' namespace default, Deployments:
//! `synthetic_cluster 5000 200 ips > c5k-ips.yaml`) and `tiers` to add the benchmark's
//! ClusterNetworkPolicies, in either order; `half-cilium` is `ips` with every other per-pod
//! policy a CiliumNetworkPolicy of the same shape.

mod synthetic;

fn main() {
    let mut args = std::env::args().skip(1);
    let pods = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let namespaces = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let flags: Vec<String> = args.collect();
    let has = |flag: &str| flags.iter().any(|f| f == flag);
    if has("half-cilium") {
        print!("{}", synthetic::half_cilium_cluster_yaml(pods, namespaces));
    } else if has("ips") {
        print!("{}", synthetic::realistic_cluster_yaml(pods, namespaces));
    } else {
        print!("{}", synthetic::cluster_yaml(pods, namespaces));
    }
    if has("tiers") {
        print!("{}", synthetic::tiers_yaml());
    }
}
