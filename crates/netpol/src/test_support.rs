//! What the unit tests share: a cluster from YAML that must load without a diagnostic.

use crate::load::{load, Source};
use crate::model::Cluster;

/// The cluster `yaml` describes; a diagnostic fails the test (the fixture is wrong).
pub fn cluster(yaml: &str) -> Cluster {
    let loaded = load(&[Source {
        name: "t.yaml",
        text: yaml,
    }]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded.cluster
}
