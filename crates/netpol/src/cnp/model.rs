//! ClusterNetworkPolicies as the evaluator sees them: tier, priority, subject and ordered
//! rules with an action, reduced to typed values (selectors, CIDRs, port ranges) at load time.

use std::fmt;

use crate::cidr::Cidr;
use crate::model::{Direction, Origin};
use crate::ports::Protocol;
use crate::selector::Selector;

/// The API version ClusterNetworkPolicy is served at.
pub const API_VERSION: &str = "policy.networking.k8s.io/v1alpha2";

/// The tier a ClusterNetworkPolicy belongs to. Admin is evaluated before NetworkPolicies,
/// Baseline after them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Evaluated first; NetworkPolicies cannot override it.
    Admin,
    /// Evaluated only for traffic no NetworkPolicy selects: a default.
    Baseline,
}

impl Tier {
    /// `Admin` / `Baseline`, as `spec.tier` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Admin => "Admin",
            Tier::Baseline => "Baseline",
        }
    }
}

impl serde::Serialize for Tier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a matching rule does with the traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Allowed in this direction; no later tier is consulted.
    Accept,
    /// Dropped; no later tier is consulted.
    Deny,
    /// The rest of this tier is skipped; the next tier decides.
    Pass,
}

impl Action {
    /// `Accept` / `Deny` / `Pass`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "Accept",
            Action::Deny => "Deny",
            Action::Pass => "Pass",
        }
    }
}

impl serde::Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The pods a ClusterNetworkPolicy applies to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// Every pod of the namespaces the selector selects.
    Namespaces(Selector),
    /// Pods matching `pod_selector` in namespaces matching `namespace_selector`.
    Pods {
        /// `namespaceSelector` (`{}` selects every namespace).
        namespace_selector: Selector,
        /// `podSelector` (`{}` selects every pod).
        pod_selector: Selector,
    },
}

/// One entry of a rule's `from`/`to`: exactly one kind of peer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CnpPeer {
    /// Every pod of the selected namespaces.
    Namespaces(Selector),
    /// Selected pods of the selected namespaces.
    Pods {
        /// `namespaceSelector`; `{}` selects every namespace (unlike a NetworkPolicy
        /// peer, there is no "own namespace" default: the policy has no namespace).
        namespace_selector: Selector,
        /// `podSelector`; `{}` selects every pod of the selected namespaces.
        pod_selector: Selector,
    },
    /// The addresses of the selected nodes (egress only).
    Nodes(Selector),
    /// Address blocks, matched against pod IPs too (egress only).
    Networks(Vec<Cidr>),
    /// Domain names (egress only, experimental).
    DomainNames(Vec<String>),
}

impl CnpPeer {
    /// The field name as written (`namespaces`, `pods`, `nodes`, `networks`, `domainNames`).
    pub fn field(&self) -> &'static str {
        match self {
            CnpPeer::Namespaces(_) => "namespaces",
            CnpPeer::Pods { .. } => "pods",
            CnpPeer::Nodes(_) => "nodes",
            CnpPeer::Networks(_) => "networks",
            CnpPeer::DomainNames(_) => "domainNames",
        }
    }
}

/// One entry of a rule's `protocols`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CnpPort {
    /// `tcp`/`udp`/`sctp` with a `destinationPort` number (`start == end`) or range.
    Ports {
        /// Which of `tcp`, `udp` and `sctp` was written.
        protocol: Protocol,
        /// First port (1-65535).
        start: u16,
        /// Last port (inclusive).
        end: u16,
    },
    /// `destinationNamedPort`: the destination pod's container port of that name, whatever
    /// its protocol.
    Named(String),
}

/// One ingress or egress rule. Rules of a policy are evaluated in the order written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CnpRule {
    /// `name`, when written: at most 100 characters, shown in explanations.
    pub name: Option<String>,
    /// `action`: what a match decides (Pass skips the rest of the tier).
    pub action: Action,
    /// `from` / `to` (never empty: the API requires at least one peer).
    pub peers: Vec<CnpPeer>,
    /// `protocols`; empty means every protocol and port.
    pub ports: Vec<CnpPort>,
    /// Where the rule was written.
    pub origin: Option<Origin>,
}

/// A ClusterNetworkPolicy (cluster-scoped: it has a name and no namespace).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterNetworkPolicy {
    /// `metadata.name`, unique in the cluster (no namespace).
    pub name: String,
    /// `spec.tier`: whether it runs before or after NetworkPolicies.
    pub tier: Tier,
    /// `spec.priority`, 0 to 1000; lower is evaluated first.
    pub priority: u16,
    /// `spec.subject`: the pods the policy applies to.
    pub subject: Subject,
    /// `spec.ingress`, in order.
    pub ingress: Vec<CnpRule>,
    /// `spec.egress`, in order.
    pub egress: Vec<CnpRule>,
    /// Where the policy was written.
    pub origin: Option<Origin>,
}

impl ClusterNetworkPolicy {
    /// The rules of `direction`, in evaluation order.
    pub fn rules(&self, direction: Direction) -> &[CnpRule] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

/// Evaluation order of the policies of one tier: by priority, then by name. Equal
/// priorities have no defined order (the linter warns when that matters); the name decides
/// here so that every run gives the same answer.
pub fn evaluation_order(policies: &[ClusterNetworkPolicy], tier: Tier) -> Vec<usize> {
    let mut order: Vec<usize> = policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.tier == tier)
        .map(|(i, _)| i)
        .collect();
    crate::sorting::sort_by(&mut order, |a, b| {
        let key = |i: &usize| policies.get(*i).map(|p| (p.priority, p.name.as_str()));
        key(a).cmp(&key(b))
    });
    order
}
