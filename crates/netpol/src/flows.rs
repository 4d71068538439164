//! The allowed flows of a workspace: every ordered pair of its endpoints that the effective
//! policies let talk, with the exact connections (what the diagram's "Allowed flows"
//! overlay draws).
//!
//! Traffic between two addresses outside the cluster is no flow: it never crosses the
//! cluster, so no NetworkPolicy can say anything about it, and showing it as "allowed"
//! would teach that the policies allowed it.

use crate::connectivity::connectivity;
use crate::endpoint::Endpoint;
use crate::ports::Connections;
use crate::workspace::Evaluation;

/// One allowed flow, by endpoint ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Sender id (`namespace/name` or `ip:...`).
    pub from: String,
    /// Receiver id, in the same form.
    pub to: String,
    /// What the policies allow from `from` to `to` (never empty).
    pub connections: Connections,
}

/// Whether NetworkPolicies have a say on traffic from `a` to `b`: at least one end is in
/// the cluster.
pub fn crosses_cluster(a: &Endpoint, b: &Endpoint) -> bool {
    matches!(a, Endpoint::Pod(_)) || matches!(b, Endpoint::Pod(_))
}

/// Every allowed flow between the evaluation's endpoints, loopback excluded, in
/// row-major endpoint order.
pub fn allowed_flows(eval: &Evaluation) -> Vec<Flow> {
    let map = connectivity(&eval.effective, &eval.endpoints);
    map.allowed_pairs()
        .filter(
            |(i, j, _)| match (eval.endpoints.get(*i), eval.endpoints.get(*j)) {
                (Some(a), Some(b)) => crosses_cluster(a, b),
                _ => false,
            },
        )
        .filter_map(|(i, j, c)| {
            Some(Flow {
                from: map.endpoints.get(i)?.clone(),
                to: map.endpoints.get(j)?.clone(),
                connections: c.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{evaluate, DrawnNamespace, DrawnPod, Workspace};

    #[test]
    fn two_outside_addresses_make_no_flow() {
        let ws = Workspace {
            namespaces: vec![DrawnNamespace {
                name: "shop".into(),
                ..DrawnNamespace::default()
            }],
            pods: vec![DrawnPod {
                namespace: "shop".into(),
                name: "web".into(),
                labels: [("app".to_string(), "web".to_string())].into(),
            }],
            externals: vec!["ip:8.8.8.8".into(), "ip:10.0.0.0/8".into()],
            ..Workspace::default()
        };
        let flows = allowed_flows(&evaluate(&ws));
        let pairs: Vec<(&str, &str)> = flows
            .iter()
            .map(|f| (f.from.as_str(), f.to.as_str()))
            .collect();
        // No policy: the pod talks with both addresses both ways, and nothing else counts.
        assert_eq!(
            pairs,
            [
                ("shop/web", "ip:8.8.8.8"),
                ("shop/web", "ip:10.0.0.0/8"),
                ("ip:8.8.8.8", "shop/web"),
                ("ip:10.0.0.0/8", "shop/web"),
            ]
        );
        assert!(flows.iter().all(|f| !f.connections.is_empty()));
    }
}
