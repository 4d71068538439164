//! The examples menu: the docs' example and well-known recipes, compiled into the app from
//! `www/examples/*.yaml` (each file names its source in a comment), plus the external
//! endpoints each one is best shown with.

use crate::share::ShareState;

/// One entry of the examples menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// Stable id, used in `?example=ID`.
    pub id: &'static str,
    /// Title in the examples menu; also the name a loaded example is announced by.
    pub title: &'static str,
    /// One line under the title.
    pub summary: &'static str,
    pub yaml: &'static str,
    /// External endpoints to draw (`ip:...`).
    pub externals: &'static [&'static str],
    /// Whether to show every allowed flow right away (examples without arrows).
    pub flows: bool,
    /// A recorded flow log that comes with it (the Flows tab), or `""`.
    pub flow_log: &'static str,
}

/// Every example, in menu order.
pub const EXAMPLES: &[Example] = &[
    Example {
        id: "docs",
        title: "The docs' example",
        summary: "namespace-default in two team namespaces, pod-1 → pod-2 → pod-3",
        yaml: include_str!("../../../www/examples/docs.yaml"),
        externals: &["ip:8.8.8.8", "ip:10.1.2.3"],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "default-deny",
        title: "Default deny",
        summary: "no traffic in or out of a namespace until allowed",
        yaml: include_str!("../../../www/examples/default-deny.yaml"),
        externals: &["ip:0.0.0.0/0"],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "allow-dns",
        title: "Allow DNS",
        summary: "deny egress except DNS to kube-dns",
        yaml: include_str!("../../../www/examples/allow-dns.yaml"),
        externals: &["ip:8.8.8.8"],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "deny-all-egress",
        title: "Deny all egress",
        summary: "pods may receive but never send",
        yaml: include_str!("../../../www/examples/deny-all-egress.yaml"),
        externals: &["ip:0.0.0.0/0"],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "allow-from-namespace",
        title: "Allow from a namespace",
        summary: "a database reachable from labelled namespaces only",
        yaml: include_str!("../../../www/examples/allow-from-namespace.yaml"),
        externals: &[],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "allow-external",
        title: "Allow external traffic",
        summary: "a public web pod reachable from anywhere",
        yaml: include_str!("../../../www/examples/allow-external.yaml"),
        externals: &["ip:0.0.0.0/0"],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "limit-to-app",
        title: "Limit traffic to an application",
        summary: "only pods of the same app may reach the API",
        yaml: include_str!("../../../www/examples/limit-to-app.yaml"),
        externals: &[],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "deny-other-namespaces",
        title: "Deny other namespaces",
        summary: "accept traffic from the own namespace only",
        yaml: include_str!("../../../www/examples/deny-other-namespaces.yaml"),
        externals: &[],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "allow-port",
        title: "Allow only one port",
        summary: "monitoring may scrape port 5000, nothing else",
        yaml: include_str!("../../../www/examples/allow-port.yaml"),
        externals: &[],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "and-or-trap",
        title: "The AND-vs-OR trap",
        summary: "one list item (AND) vs two list items (OR)",
        yaml: include_str!("../../../www/examples/and-or-trap.yaml"),
        externals: &[],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "deny-external-egress",
        title: "Deny external egress",
        summary: "talk inside the cluster, never outside",
        yaml: include_str!("../../../www/examples/deny-external-egress.yaml"),
        externals: &["ip:8.8.8.8"],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "baseline-default-deny",
        title: "Baseline default deny with DNS",
        summary: "a ClusterNetworkPolicy default that team NetworkPolicies replace",
        yaml: include_str!("../../../www/examples/baseline-default-deny.yaml"),
        externals: &["ip:8.8.8.8"],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "admin-deny",
        title: "Admin deny that no team can override",
        summary: "the cloud metadata endpoint closed above every NetworkPolicy",
        yaml: include_str!("../../../www/examples/admin-deny.yaml"),
        externals: &["ip:169.254.169.254", "ip:8.8.8.8"],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "pass-to-owners",
        title: "Pass to the namespace owners",
        summary: "an Admin Pass leaves the ingress controller to each team's policies",
        yaml: include_str!("../../../www/examples/pass-to-owners.yaml"),
        externals: &[],
        flows: true,
        flow_log: "",
    },
    Example {
        id: "hubble-prometheus",
        title: "A recorded Hubble log on the docs' example",
        summary: "replay observed traffic: Prometheus scraping pod-2 breaks under the default",
        yaml: include_str!("../../../www/examples/hubble-prometheus.yaml"),
        externals: &[],
        flows: false,
        flow_log: include_str!("../../../www/examples/hubble-prometheus.flows.json"),
    },
];

/// The example shown on a first visit.
pub const DEFAULT: &str = "docs";

/// Finds an example by id.
pub fn find(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}

impl Example {
    /// The workspace this example loads.
    pub fn state(&self) -> ShareState {
        ShareState {
            manifests: self.yaml.to_string(),
            externals: self.externals.iter().map(|s| s.to_string()).collect(),
            flows: self.flows,
            flow_log: self.flow_log.to_string(),
            ..ShareState::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_loads_without_errors() {
        for ex in EXAMPLES {
            assert!(ex.yaml.starts_with('#'), "{} names its source first", ex.id);
            assert!(ex.yaml.contains("Source:"), "{} names its source", ex.id);
            let loaded = netpol::load(&[netpol::Source {
                name: "manifests",
                text: ex.yaml,
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
                !loaded.cluster.policies.is_empty() || !loaded.cluster.cluster_policies.is_empty(),
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
            let ex = find(id).unwrap();
            let loaded = netpol::load(&[netpol::Source {
                name: "manifests",
                text: ex.yaml,
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
        let ex = find("docs").unwrap();
        let loaded = netpol::load(&[netpol::Source {
            name: "manifests",
            text: ex.yaml,
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
