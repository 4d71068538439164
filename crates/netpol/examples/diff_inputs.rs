//! Writes the inputs of the `diff` and `test` budgets to a folder, to time whole processes:
//! `old.yaml` (1,000 pods, 50 namespaces, 500 policies), `new.yaml` (10 policies changed)
//! and `expectations.yaml` (1,000 expectations that hold on `old.yaml`).
//!
//! ```sh
//! cargo run --release -p netpol --example diff_inputs -- target/diff-inputs
//! hyperfine 'target/release/netpol diff target/diff-inputs/old.yaml target/diff-inputs/new.yaml'
//! ```

#[path = "synthetic/change.rs"]
mod change;
#[path = "synthetic/expectations.rs"]
mod expectations;
mod synthetic;

fn main() -> Result<(), String> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/diff-inputs".to_string());
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let before = synthetic::cluster_yaml(1000, 50);
    let after = change::changed_cluster_yaml(&before, 50);
    let cluster = netpol::load(&[netpol::Source {
        name: "old.yaml",
        text: &before,
    }])
    .cluster;
    let files = [
        ("old.yaml", before.clone()),
        ("new.yaml", after),
        (
            "expectations.yaml",
            expectations::expectations_yaml(&cluster, 1000),
        ),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}
