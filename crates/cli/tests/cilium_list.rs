//! The Cilium lints that read a policy as written (NP222, NP223, NP225) on a `kubectl get
//! -o json` List: a file holding one List is streamed item by item and its text is not
//! kept, so the lint reads the Cilium items again. A snapshot must get the same findings,
//! at the same places, as the same List read whole from standard input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on purpose"
)]

#[allow(dead_code, reason = "each test binary uses part of the support module")]
mod common;

use common::{run_netpol, stdout};

/// A namespaced CiliumNetworkPolicy whose endpointSelector names another namespace (NP222),
/// among the namespaces and the pod a snapshot holds.
const LIST: &str = r#"{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}},
 {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}},
 {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api", "namespace": "prod", "labels": {"app": "api"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
 {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "api", "namespace": "default"},
  "spec": {"endpointSelector": {"matchLabels": {"app": "api", "k8s:io.kubernetes.pod.namespace": "prod"}},
           "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "web"}}]}]}}
]}
"#;

#[test]
fn a_streamed_list_gets_the_cilium_lints_that_read_the_policy_as_written() {
    let dir = std::env::temp_dir().join(format!("netpol-cilium-list-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("snapshot.json"), LIST).unwrap();
    let streamed = stdout(&run_netpol(&["lint", "snapshot.json"], None, Some(&dir)));
    let whole = stdout(&run_netpol(&["lint", "-"], Some(LIST), None));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        streamed.starts_with("snapshot.json:6:12: warning[NP222]: "),
        "{streamed}"
    );
    assert_eq!(streamed.replace("snapshot.json:", "<stdin>:"), whole);
}
