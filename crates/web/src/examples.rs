//! The examples menu: the docs' example and well-known recipes from `www/examples/*.yaml`
//! (each file names its source in a comment), plus the external endpoints each one is best
//! shown with.
//!
//! Only the docs' example is compiled into the app: it is what a first visit shows, so it
//! must not wait for the network. The others are files next to the page
//! (`examples/<id>.yaml`, and `examples/<id>.flows.json` for a recorded flow log), fetched
//! when opened, so the download does not grow with every example added.

use crate::share::ShareState;

/// One entry of the examples menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// Stable id, used in `?example=ID` and in the file names.
    pub id: &'static str,
    /// Title in the examples menu; also the name a loaded example is announced by.
    pub title: &'static str,
    /// One line under the title.
    pub summary: &'static str,
    /// The manifests, when compiled in; `None`: fetched from `examples/<id>.yaml`.
    pub embedded: Option<&'static str>,
    /// External endpoints to draw (`ip:...`).
    pub externals: &'static [&'static str],
    /// Whether to show every allowed flow right away (examples without arrows).
    pub flows: bool,
    /// Whether a recorded flow log comes with it (the Flows tab): `examples/<id>.flows.json`.
    pub flow_log: bool,
}

/// Every example, in menu order.
pub const EXAMPLES: &[Example] = &[
    Example {
        id: "docs",
        title: "The docs' example",
        summary: "namespace-default in two team namespaces, pod-1 → pod-2 → pod-3",
        embedded: Some(include_str!("../../../www/examples/docs.yaml")),
        externals: &["ip:8.8.8.8", "ip:10.1.2.3"],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "default-deny",
        title: "Default deny",
        summary: "no traffic in or out of a namespace until allowed",
        embedded: None,
        externals: &["ip:0.0.0.0/0"],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "allow-dns",
        title: "Allow DNS",
        summary: "deny egress except DNS to kube-dns",
        embedded: None,
        externals: &["ip:8.8.8.8"],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "deny-all-egress",
        title: "Deny all egress",
        summary: "pods may receive but never send",
        embedded: None,
        externals: &["ip:0.0.0.0/0"],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "allow-from-namespace",
        title: "Allow from a namespace",
        summary: "a database reachable from labelled namespaces only",
        embedded: None,
        externals: &[],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "allow-external",
        title: "Allow external traffic",
        summary: "a public web pod reachable from anywhere",
        embedded: None,
        externals: &["ip:0.0.0.0/0"],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "limit-to-app",
        title: "Limit traffic to an application",
        summary: "only pods of the same app may reach the API",
        embedded: None,
        externals: &[],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "deny-other-namespaces",
        title: "Deny other namespaces",
        summary: "accept traffic from the own namespace only",
        embedded: None,
        externals: &[],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "allow-port",
        title: "Allow only one port",
        summary: "monitoring may scrape port 5000, nothing else",
        embedded: None,
        externals: &[],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "and-or-trap",
        title: "The AND-vs-OR trap",
        summary: "one list item (AND) vs two list items (OR)",
        embedded: None,
        externals: &[],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "deny-external-egress",
        title: "Deny external egress",
        summary: "talk inside the cluster, never outside",
        embedded: None,
        externals: &["ip:8.8.8.8"],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "baseline-default-deny",
        title: "Baseline default deny with DNS",
        summary: "a ClusterNetworkPolicy default that team NetworkPolicies replace",
        embedded: None,
        externals: &["ip:8.8.8.8"],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "admin-deny",
        title: "Admin deny that no team can override",
        summary: "the cloud metadata endpoint closed above every NetworkPolicy",
        embedded: None,
        externals: &["ip:169.254.169.254", "ip:8.8.8.8"],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "pass-to-owners",
        title: "Pass to the namespace owners",
        summary: "an Admin Pass leaves the ingress controller to each team's policies",
        embedded: None,
        externals: &[],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "cilium-starwars",
        title: "Cilium: the Star Wars demo at L3/L4",
        summary: "a CiliumNetworkPolicy lets only Empire ships land on the Death Star, on port 80",
        embedded: None,
        externals: &[],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "cilium-egress-deny",
        title: "Cilium: an egressDeny that overrides an allow",
        summary: "a clusterwide deny beats a team's toEntities: [all], without default deny",
        embedded: None,
        externals: &["ip:169.254.169.254", "ip:1.1.1.1"],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "cilium-entities",
        title: "Cilium: entities world, cluster and {}",
        summary: "the internet, every pod of the cluster, and the policy's own namespace",
        embedded: None,
        externals: &["ip:203.0.113.7"],
        flows: true,
        flow_log: false,
    },
    Example {
        id: "hubble-prometheus",
        title: "A recorded Hubble log on the docs' example",
        summary: "replay observed traffic: Prometheus scraping pod-2 breaks under the default",
        embedded: None,
        externals: &[],
        flows: false,
        flow_log: true,
    },
];

/// The example shown on a first visit.
pub const DEFAULT: &str = "docs";

/// Finds an example by id.
pub fn find(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}

impl Example {
    /// The workspace this example loads, from its manifests and flow log.
    pub fn state_with(&self, manifests: String, flow_log: String) -> ShareState {
        ShareState {
            manifests,
            externals: self.externals.iter().map(|s| s.to_string()).collect(),
            flows: self.flows,
            flow_log,
            ..ShareState::default()
        }
    }

    /// The workspace, when the example is compiled in (no flow log to fetch either).
    pub fn embedded_state(&self) -> Option<ShareState> {
        match (self.embedded, self.flow_log) {
            (Some(yaml), false) => Some(self.state_with(yaml.to_string(), String::new())),
            _ => None,
        }
    }

    /// The workspace, fetching what is not compiled in. The error says which file failed.
    pub async fn fetch_state(&self) -> Result<ShareState, String> {
        let manifests = match self.embedded {
            Some(yaml) => yaml.to_string(),
            None => {
                crate::fetch::fetch_text(&format!("examples/{}.yaml", self.id), MAX_FILE).await?
            }
        };
        let flow_log = if self.flow_log {
            crate::fetch::fetch_text(&format!("examples/{}.flows.json", self.id), MAX_FILE).await?
        } else {
            String::new()
        };
        Ok(self.state_with(manifests, flow_log))
    }
}

/// Largest example file read (the largest, a flow log, is about 120 KB).
const MAX_FILE: usize = 1024 * 1024;

/// An example's files read from `www/examples/` (the unit tests run natively, without fetch).
#[cfg(test)]
pub fn state_from_disk(id: &str) -> ShareState {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/examples");
    let ex = find(id).expect("an example id");
    let read = |f: String| std::fs::read_to_string(format!("{dir}/{f}")).expect("an example file");
    let log = if ex.flow_log {
        read(format!("{id}.flows.json"))
    } else {
        String::new()
    };
    ex.state_with(read(format!("{id}.yaml")), log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_loads_without_errors() {
        for ex in EXAMPLES {
            let state = state_from_disk(ex.id);
            let yaml = state.manifests.as_str();
            assert!(yaml.starts_with('#'), "{} names its source first", ex.id);
            assert!(yaml.contains("Source:"), "{} names its source", ex.id);
            let loaded = netpol::load(&[netpol::Source {
                name: "manifests",
                text: yaml,
            }]);
            let errors: Vec<String> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.severity == netpol::Severity::Error)
                .map(|d| d.to_string())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", ex.id);
            assert!(!loaded.cluster.pods.is_empty(), "{} has pods", ex.id);
            assert!(
                !loaded.cluster.policies.is_empty()
                    || !loaded.cluster.cluster_policies.is_empty()
                    || loaded.cluster.cilium.has_policies(),
                "{} has policies",
                ex.id
            );
        }
        assert!(find(DEFAULT).is_some());
    }

    /// The three tier examples show what their titles say, each decided by the tier named.
    #[test]
    fn tier_examples_are_decided_by_the_tier_they_show() {
        use netpol::{Endpoint, Protocol, Stage, Traffic};
        let explained = |id: &str, from: &str, to: &str, port: u16| {
            let state = state_from_disk(id);
            let loaded = netpol::load(&[netpol::Source {
                name: "manifests",
                text: &state.manifests,
            }]);
            let c = &loaded.cluster;
            assert!(
                !c.cluster_policies.is_empty(),
                "{id} has a ClusterNetworkPolicy"
            );
            netpol::explain(
                c,
                &Traffic {
                    from: Endpoint::parse(c, from).unwrap(),
                    to: Endpoint::parse(c, to).unwrap(),
                    port,
                    protocol: if port == 53 {
                        Protocol::Udp
                    } else {
                        Protocol::Tcp
                    },
                },
            )
        };
        // Baseline: pod-3 (no NetworkPolicy) gets DNS and nothing else; pod-1's own
        // NetworkPolicy decides for it.
        let e = explained(
            "baseline-default-deny",
            "team-two-namespace/pod-3",
            "kube-system/kube-dns",
            53,
        );
        assert!(e.allowed);
        assert_eq!(e.egress.decided_by, Stage::Baseline);
        let e = explained(
            "baseline-default-deny",
            "team-two-namespace/pod-3",
            "ip:8.8.8.8",
            443,
        );
        assert!(!e.allowed);
        assert_eq!(e.egress.decided_by, Stage::Baseline);
        let e = explained(
            "baseline-default-deny",
            "team-one-namespace/pod-1",
            "team-one-namespace/pod-2",
            8080,
        );
        assert!(e.allowed);
        assert_eq!(e.egress.decided_by, Stage::NetworkPolicy);
        // Admin: the metadata endpoint is denied although two NetworkPolicies allow it.
        let e = explained(
            "admin-deny",
            "team-two-namespace/pod-3",
            "ip:169.254.169.254",
            80,
        );
        assert!(!e.allowed);
        assert_eq!(e.egress.decided_by, Stage::Admin);
        assert_eq!(e.egress.isolated_by.len(), 2);
        let e = explained("admin-deny", "team-one-namespace/pod-1", "ip:8.8.8.8", 443);
        assert!(e.allowed);
        assert_eq!(e.egress.decided_by, Stage::NetworkPolicy);
        // Pass: the controller goes on to the teams' policies; sandbox is denied above them.
        let e = explained(
            "pass-to-owners",
            "system-ingress/ingress-nginx",
            "team-two-namespace/pod-3",
            8080,
        );
        assert!(!e.allowed);
        assert_eq!(e.ingress.admin.action(), Some(netpol::cnp::Action::Pass));
        assert_eq!(e.ingress.decided_by, Stage::NetworkPolicy);
        let e = explained(
            "pass-to-owners",
            "system-ingress/ingress-nginx",
            "team-one-namespace/pod-1",
            8080,
        );
        assert!(e.allowed);
        assert_eq!(e.ingress.decided_by, Stage::Default);
        let e = explained(
            "pass-to-owners",
            "sandbox/debug",
            "team-one-namespace/pod-1",
            8080,
        );
        assert!(!e.allowed);
        assert_eq!(e.ingress.decided_by, Stage::Admin);
    }

    #[test]
    fn docs_example_matches_the_fixture_table() {
        let state = state_from_disk("docs");
        let loaded = netpol::load(&[netpol::Source {
            name: "manifests",
            text: &state.manifests,
        }]);
        let c = &loaded.cluster;
        assert_eq!(c.namespaces.len(), 4);
        assert_eq!(c.pods.len(), 5);
        let check = |from: &str, to: &str| {
            netpol::verdict(
                c,
                &netpol::Traffic {
                    from: netpol::Endpoint::parse(c, from).unwrap(),
                    to: netpol::Endpoint::parse(c, to).unwrap(),
                    port: 8080,
                    protocol: netpol::Protocol::Tcp,
                },
            )
        };
        assert!(check(
            "team-one-namespace/pod-1",
            "team-one-namespace/pod-2"
        ));
        assert!(!check(
            "team-one-namespace/pod-1",
            "team-two-namespace/pod-3"
        ));
        assert!(check(
            "team-one-namespace/pod-2",
            "team-two-namespace/pod-3"
        ));
        assert!(!check(
            "team-one-namespace/pod-2",
            "team-one-namespace/pod-1"
        ));
        assert!(check(
            "system-ingress/ingress-nginx",
            "team-two-namespace/pod-3"
        ));
    }
}
