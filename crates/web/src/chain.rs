//! How the tier chain of an explanation is worded for people: what decided one direction of a
//! connection (the inspector's badge: `Admin Deny · deny-metadata · priority 10`,
//! `NetworkPolicy`, `Baseline Accept · namespace-default · priority 100`, `Default allow`,
//! `CiliumNetworkPolicy · default/deny-world · egressDeny[0]`), and what each stage of the
//! chain did (decided, passed, matched nothing, not reached).
//! Pure wording over the engine's evidence ([`netpol::chain::Side`]), tested natively; the
//! views only lay it out.

use netpol::chain::Side;
use netpol::cilium::EntryRef;
use netpol::cnp::{Action, TierEvidence, TierRuleRef};
use netpol::{Connections, Protocol, Stage};

/// What decided one direction, in words: the stage's name (the badge), and for a tier the
/// deciding rule's action, policy and priority. The stage is also a `data-stage` hook for
/// the badge's style; the words say the same, so colour is never the only clue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decided {
    /// `Admin`, `NetworkPolicy`, `Baseline`, `Default`, `Outside` (a Cilium policy decides
    /// at the `NetworkPolicy` stage).
    pub stage: &'static str,
    /// The badge: `Admin`, `NetworkPolicy`, `Baseline`, `Default allow`, `Outside the
    /// cluster`, or the Cilium kind (`CiliumNetworkPolicy`, `CiliumClusterwideNetworkPolicy`).
    pub badge: &'static str,
    /// For a tier: `Deny · deny-metadata · priority 10`; for a Cilium entry:
    /// `default/deny-world · egressDeny[0]`.
    pub detail: Option<String>,
    /// True when a Cilium policy decided (`badge` is its kind).
    pub cilium: bool,
}

impl Decided {
    /// Badge and detail in one line: `Admin Deny · deny-metadata · priority 10`,
    /// `CiliumNetworkPolicy · default/deny-world · egressDeny[0]`.
    pub fn text(&self) -> String {
        match &self.detail {
            Some(d) if self.cilium => format!("{} · {d}", self.badge),
            Some(d) => format!("{} {d}", self.badge),
            None => self.badge.to_string(),
        }
    }
}

/// `Deny · deny-metadata · priority 10`: a tier's deciding rule in a few words.
fn rule_words(rule: Option<&TierRuleRef>) -> Option<String> {
    rule.map(|r| format!("{} · {} · priority {}", r.action, r.policy, r.priority))
}

/// `default/deny-world · egressDeny[0]` (`default/p · specs[1].ingress[0]` for a rule of
/// `specs`): which entry of which policy, without the kind.
pub fn entry_words(r: &EntryRef) -> String {
    let spec = r
        .spec_index
        .map(|i| format!("specs[{i}]."))
        .unwrap_or_default();
    format!("{} · {spec}{}[{}]", r.policy, r.list.as_str(), r.index)
}

/// A rule as the engine's evidence names it (`CiliumNetworkPolicy default/p spec`), split
/// into its kind, policy id and place (`spec`, `specs[1]`).
pub fn rule_parts(rule: &str) -> (&str, &str, &str) {
    let mut it = rule.splitn(3, ' ');
    let kind = it.next().unwrap_or("");
    let id = it.next().unwrap_or("");
    (kind, id, it.next().unwrap_or(""))
}

/// The Cilium kind as a static badge.
fn kind_badge(kind: &str) -> &'static str {
    if kind == netpol::cilium::CiliumKind::Clusterwide.as_str() {
        netpol::cilium::CiliumKind::Clusterwide.as_str()
    } else {
        netpol::cilium::CiliumKind::Namespaced.as_str()
    }
}

/// When the NetworkPolicy stage decided through a Cilium policy: its kind and what of it
/// (a matching deny, which wins over every allow; the allow entry when no NetworkPolicy
/// rule allows; the rule that put the pod in default deny when no NetworkPolicy isolates
/// it; the own node that Cilium always lets in). Read from the evidence the chain decided
/// on, never worked out again.
fn cilium_decided(side: &Side) -> Option<(&'static str, String)> {
    let c = &side.cilium;
    if side.decided_by != Stage::NetworkPolicy || c.is_empty() {
        return None;
    }
    let more = |n: usize| {
        if n > 1 {
            format!(" (+{} more)", n - 1)
        } else {
            String::new()
        }
    };
    if let Some(d) = c.denied_by.first() {
        let words = format!("{}{}", entry_words(d), more(c.denied_by.len()));
        return Some((d.kind.as_str(), words));
    }
    if side.allowed {
        if !side.allowed_by.is_empty() {
            return None;
        }
        if let Some(a) = c.allowed_by.first() {
            let words = format!("{}{}", entry_words(a), more(c.allowed_by.len()));
            return Some((a.kind.as_str(), words));
        }
        return c
            .local_host
            .then(|| ("Cilium", "the pod's own node (allow-localhost)".to_string()));
    }
    if !side.isolated_by.is_empty() {
        return None;
    }
    let rule = c.default_deny_by.first()?;
    let (kind, id, place) = rule_parts(rule);
    let place = if place == "spec" {
        String::new()
    } else {
        format!("{place} ")
    };
    let words = format!(
        "{id} · {place}default deny{}",
        more(c.default_deny_by.len())
    );
    Some((kind_badge(kind), words))
}

/// What decided `side`.
pub fn decided(side: &Side) -> Decided {
    if let Some((badge, detail)) = cilium_decided(side) {
        return Decided {
            stage: side.decided_by.as_str(),
            badge,
            detail: Some(detail),
            cilium: true,
        };
    }
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
        cilium: false,
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

    /// A side of a connection of one of the Cilium examples (`www/examples/<id>.yaml`).
    fn cilium_example(id: &str, from: &str, to: &str, port: u16) -> netpol::Explanation {
        let state = crate::examples::state_from_disk(id);
        let loaded = load(&[Source {
            name: "manifests",
            text: &state.manifests,
        }]);
        let c = &loaded.cluster;
        assert!(c.cilium.has_policies(), "{id} has Cilium policies");
        explain(
            c,
            &Traffic {
                from: Endpoint::parse(c, from).unwrap(),
                to: Endpoint::parse(c, to).unwrap(),
                port,
                protocol: Protocol::Tcp,
            },
        )
    }

    #[test]
    fn a_cilium_decision_names_the_kind_the_policy_and_the_entry() {
        // Star Wars: the Empire lands on 80 through rule1's ingress[0]; an X-wing is in
        // rule1's default deny; deathstar's egress is selected by nothing.
        let e = cilium_example(
            "cilium-starwars",
            "default/tiefighter",
            "default/deathstar",
            80,
        );
        assert!(e.allowed);
        let d = decided(&e.ingress);
        assert_eq!(d.stage, "NetworkPolicy");
        assert_eq!(d.badge, "CiliumNetworkPolicy");
        assert_eq!(d.text(), "CiliumNetworkPolicy · default/rule1 · ingress[0]");
        assert_eq!(decided(&e.egress).text(), "Default allow");
        let e = cilium_example("cilium-starwars", "default/xwing", "default/deathstar", 80);
        assert!(!e.allowed);
        assert_eq!(
            decided(&e.ingress).text(),
            "CiliumNetworkPolicy · default/rule1 · default deny"
        );
        let e = cilium_example(
            "cilium-starwars",
            "default/tiefighter",
            "default/deathstar",
            443,
        );
        assert!(!e.allowed);

        // The platform's egressDeny wins over the team's allow.
        let e = cilium_example(
            "cilium-egress-deny",
            "team-one/web",
            "payments/ledger",
            8443,
        );
        assert!(!e.allowed);
        assert_eq!(
            decided(&e.egress).text(),
            "CiliumClusterwideNetworkPolicy · platform-deny · egressDeny[0]"
        );
        let e = cilium_example(
            "cilium-egress-deny",
            "team-one/web",
            "ip:169.254.169.254",
            80,
        );
        assert_eq!(
            decided(&e.egress).text(),
            "CiliumClusterwideNetworkPolicy · platform-deny · egressDeny[1]"
        );
        let e = cilium_example("cilium-egress-deny", "team-one/web", "ip:1.1.1.1", 443);
        assert!(e.allowed);
        assert_eq!(
            decided(&e.egress).text(),
            "CiliumNetworkPolicy · team-one/team-one-allow-all · egress[0]"
        );
        // team-two is selected by the deny-only policy, which opted out of default deny:
        // consulted, no match, and the default allows.
        let e = cilium_example("cilium-egress-deny", "team-two/app", "ip:1.1.1.1", 443);
        assert!(e.allowed);
        assert_eq!(e.egress.outcome(Stage::NetworkPolicy), Outcome::NoMatch);
        assert_eq!(decided(&e.egress).text(), "Default allow");

        // Entities: world is not a pod, cluster is every pod, `{}` is the own namespace.
        let e = cilium_example("cilium-entities", "ip:203.0.113.7", "shop/storefront", 8080);
        assert!(e.allowed);
        assert_eq!(
            decided(&e.ingress).text(),
            "CiliumNetworkPolicy · shop/storefront-from-world · ingress[0]"
        );
        assert!(
            !cilium_example(
                "cilium-entities",
                "monitoring/prom",
                "shop/storefront",
                8080
            )
            .allowed
        );
        assert!(cilium_example("cilium-entities", "monitoring/prom", "shop/orders", 9000).allowed);
        assert!(!cilium_example("cilium-entities", "ip:203.0.113.7", "shop/orders", 9000).allowed);
        let e = cilium_example("cilium-entities", "monitoring/prom", "shop/cart", 7000);
        assert!(!e.allowed);
        assert_eq!(
            decided(&e.ingress).text(),
            "CiliumNetworkPolicy · shop/cart-from-namespace · default deny"
        );
        assert!(cilium_example("cilium-entities", "shop/storefront", "shop/cart", 7000).allowed);
    }
}
