//! What the integration tests share: how many cases a property test runs, (`random`) the
//! generators of random clusters, (`tiers`) of random ClusterNetworkPolicies and Nodes,
//! (`load`) loading named texts, and (`world`) the
//! generator's exactness oracle.

pub mod load;
pub mod random;
pub mod tiers;
pub mod world;

use proptest::test_runner::Config;

/// A property test's configuration: `cases` cases, unless `PROPTEST_CASES` asks for another
/// number (`PROPTEST_CASES=5000 cargo test -p netpol --test diff` for a deeper run). Proptest
/// reads that variable only for its default configuration, which these tests do not use.
#[allow(dead_code, reason = "only the property tests use it")]
pub fn cases(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        ..Config::default()
    }
}
