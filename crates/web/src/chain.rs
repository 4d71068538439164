//! How the tier chain of an explanation is worded for people: what decided one direction of a
//! connection (the inspector's badge: `Admin Deny · deny-metadata · priority 10`,
//! `NetworkPolicy`, `Baseline Accept · namespace-default · priority 100`, `Default allow`),
//! and what each stage of the chain did (decided, passed, matched nothing, not reached).
//! Pure wording over the engine's evidence ([`netpol::chain::Side`]), tested natively; the
//! views only lay it out.

use netpol::chain::Side;
use netpol::cnp::{Action, TierEvidence, TierRuleRef};
use netpol::{Connections, Protocol, Stage};

/// What decided one direction, in words: the stage's name (the badge), and for a tier the
/// deciding rule's action, policy and priority. The stage is also a `data-stage` hook for
/// the badge's style; the words say the same, so colour is never the only clue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decided {
    /// `Admin`, `NetworkPolicy`, `Baseline`, `Default`, `Outside`.
    pub stage: &'static str,
    /// The badge: `Admin`, `NetworkPolicy`, `Baseline`, `Default allow`, `Outside the cluster`.
    pub badge: &'static str,
    /// For a tier: `Deny · deny-metadata · priority 10`.
    pub detail: Option<String>,
}

impl Decided {
    /// Badge and detail in one line: `Admin Deny · deny-metadata · priority 10`.
    pub fn text(&self) -> String {
        match &self.detail {
            Some(d) => format!("{} {d}", self.badge),
            None => self.badge.to_string(),
        }
    }
}

/// `Deny · deny-metadata · priority 10`: a tier's deciding rule in a few words.
fn rule_words(rule: Option<&TierRuleRef>) -> Option<String> {
    rule.map(|r| format!("{} · {} · priority {}", r.action, r.policy, r.priority))
}

/// What decided `side`.
pub fn decided(side: &Side) -> Decided {
    let badge = match side.decided_by {
        Stage::Outside => "Outside the cluster",
        Stage::Admin => "Admin",
        Stage::NetworkPolicy => "NetworkPolicy",
        Stage::Baseline => "Baseline",
        Stage::Default => "Default allow",
    };
    Decided {
        stage: side.decided_by.as_str(),
        badge,
        detail: rule_words(side.deciding_rule()),
    }
}

/// What one stage of the chain did for a direction: the engine's own account
/// ([`Side::outcome`]), so the app never works it out a second time.
pub use netpol::chain::Outcome;

/// The one line under a tier's name: what its outcome means for the connection.
pub fn tier_summary(tier_name: &str, outcome: Outcome, tier: &TierEvidence, next: &str) -> String {
    match (outcome, &tier.matched) {
        (Outcome::Absent, _) => {
            format!("No {tier_name} policy selects this pod in this direction.")
        }
        (Outcome::NotReached, _) => "Not reached: an earlier stage decided.".to_string(),
        (Outcome::Passes, _) => {
            format!("Pass: the rest of the {tier_name} tier is skipped, on to {next}.")
        }
        (Outcome::Decides, Some(m)) if m.action == Action::Accept => {
            "Accept: allowed here, nothing later is consulted.".to_string()
        }
        (Outcome::Decides, _) => "Deny: dropped here, nothing later is consulted.".to_string(),
        (Outcome::NoMatch, _) => format!("No rule matches: on to {next}."),
    }
}

/// The port to explain an allowed flow on: the probe when the flow allows it, else the
/// first port it allows (a flow allowed only on 53/UDP is explained on 53/UDP, not on the
/// probe it does not allow).
pub fn flow_port(allowed: &Connections, probe: (u16, Protocol)) -> (u16, Protocol) {
    if allowed.allows(probe.0, probe.1) {
        return probe;
    }
    Protocol::ALL
        .into_iter()
        .find_map(|p| allowed.ports(p).ranges().first().map(|(lo, _)| (*lo, p)))
        .unwrap_or(probe)
}

#[cfg(test)]
mod tests {
    use super::*;
    use netpol::{explain, load, Endpoint, Protocol, Source, Traffic};

    const CLUSTER: &str = "\
apiVersion: v1
kind: Namespace
metadata: {name: team-one}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: team-one, labels: {app: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: team-one, labels: {app: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: team-one, labels: {app: c}}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: platform}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {}}
  egress:
  - {name: pass-to-b, action: Pass, to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: b}}}}]}
  - {name: deny-c, action: Deny, to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: c}}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: default}
spec:
  tier: Baseline
  priority: 100
  subject: {namespaces: {}}
  ingress:
  - {name: deny-all, action: Deny, from: [{namespaces: {}}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-a, namespace: team-one}
spec:
  podSelector: {matchLabels: {app: b}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: a}}}]
";

    fn explained(from: &str, to: &str) -> netpol::Explanation {
        let loaded = load(&[Source {
            name: "t.yaml",
            text: CLUSTER,
        }]);
        assert!(loaded
            .diagnostics
            .iter()
            .all(|d| d.severity != netpol::Severity::Error));
        let c = &loaded.cluster;
        explain(
            c,
            &Traffic {
                from: Endpoint::parse(c, from).unwrap(),
                to: Endpoint::parse(c, to).unwrap(),
                port: 8080,
                protocol: Protocol::Tcp,
            },
        )
    }

    #[test]
    fn a_flow_is_explained_on_a_port_it_allows() {
        use netpol::ports::PortRanges;
        let probe = (8080, Protocol::Tcp);
        assert_eq!(flow_port(&Connections::all(), probe), probe);
        let dns = Connections::of(Protocol::Udp, PortRanges::range(53, 53));
        assert_eq!(flow_port(&dns, probe), (53, Protocol::Udp));
        assert_eq!(flow_port(&Connections::none(), probe), probe);
    }

    #[test]
    fn an_admin_deny_is_named_with_its_action_policy_and_priority() {
        let e = explained("team-one/a", "team-one/c");
        let d = decided(&e.egress);
        assert_eq!(d.stage, "Admin");
        assert_eq!(d.badge, "Admin");
        assert_eq!(d.text(), "Admin Deny · platform · priority 10");
        assert_eq!(e.egress.outcome(Stage::Admin), Outcome::Decides);
        assert_eq!(e.egress.outcome(Stage::NetworkPolicy), Outcome::Absent);
        // The receiver's ingress went through the Admin tier (nothing for ingress) to the
        // Baseline, which denies.
        assert_eq!(
            decided(&e.ingress).text(),
            "Baseline Deny · default · priority 100"
        );
    }

    #[test]
    fn a_pass_goes_on_to_the_network_policies_and_then_the_default() {
        let e = explained("team-one/a", "team-one/b");
        assert_eq!(e.egress.outcome(Stage::Admin), Outcome::Passes);
        // a's egress: no NetworkPolicy, no Baseline egress rule: the default.
        assert_eq!(decided(&e.egress).text(), "Default allow");
        assert_eq!(
            tier_summary(
                "Admin",
                Outcome::Passes,
                &e.egress.admin,
                "the NetworkPolicies"
            ),
            "Pass: the rest of the Admin tier is skipped, on to the NetworkPolicies."
        );
        // b's ingress: its NetworkPolicy selects it, so the Baseline is not reached.
        assert_eq!(decided(&e.ingress).text(), "NetworkPolicy");
        assert_eq!(e.ingress.outcome(Stage::NetworkPolicy), Outcome::Decides);
        assert_eq!(e.ingress.outcome(Stage::Baseline), Outcome::NotReached);
        assert_eq!(e.ingress.outcome(Stage::Default), Outcome::NotReached);
        assert!(e.allowed);
    }
}
