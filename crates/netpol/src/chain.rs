//! The tier chain for one connection: Admin tier → NetworkPolicies → Baseline tier →
//! default, for the sender's egress and the receiver's ingress, with the evidence of every
//! stage. This is the one place that decides which stage's answer counts; the evaluators
//! below it ([`crate::eval`] for NetworkPolicies, [`crate::cnp::eval`] for one tier) only
//! gather evidence, and renderers read the decision from [`Side`] instead of working it out
//! again.
//!
//! The verdict is derived from the evidence ([`Explanation::allowed`]), so "explain" is a
//! renderer over the same result, never a second evaluator. `matrix` is the fast path for
//! many pairs and is property-tested against this module.
//!
//! Semantics: a connection needs the source's egress and the destination's ingress to
//! allow it; a pod talking to itself is always allowed (the loopback the e2e suite never
//! probes and that every CNI lets through); external endpoints have no policies of their
//! own, so only the pod side is checked.

use serde::Serialize;

use crate::cnp::eval::{evaluate_tier, tier_policies};
use crate::cnp::{Action, Tier, TierEvidence, TierRuleRef};
use crate::endpoint::Endpoint;
use crate::eval::{network_policies, Candidate, PoliciesByNamespace, PolicyRef, RuleRef};
use crate::model::{Cluster, Direction};
use crate::ports::Protocol;
use crate::traffic::Traffic;

/// The stage that decided one direction of a connection, in evaluation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// The endpoint is outside the cluster: no policy applies to it.
    Outside,
    /// An Admin-tier ClusterNetworkPolicy rule (Accept or Deny).
    Admin,
    /// The NetworkPolicies that select the pod for this direction.
    NetworkPolicy,
    /// A Baseline-tier ClusterNetworkPolicy rule (Accept or Deny).
    Baseline,
    /// Nothing decided: allowed.
    Default,
}

impl Stage {
    /// `Outside`, `Admin`, `NetworkPolicy`, `Baseline`, `Default`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Outside => "Outside",
            Stage::Admin => "Admin",
            Stage::NetworkPolicy => "NetworkPolicy",
            Stage::Baseline => "Baseline",
            Stage::Default => "Default",
        }
    }
}

impl Serialize for Stage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Evidence for one direction (the sender's egress or the receiver's ingress): the whole
/// chain in evaluation order. The Admin tier, then the NetworkPolicies (`isolated_by`,
/// `allowed_by`, `candidates`), then the Baseline tier; `decided_by` names the stage whose
/// answer counts and `allowed` is that answer.
///
/// In JSON, the tiers, `decidedBy` and `allowed` are written only when a
/// ClusterNetworkPolicy selects the pod in this direction: without one, the evidence is
/// what it was before the tiers, and so is every tool's view of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// Egress (checked on the sender) or Ingress (checked on the receiver).
    pub direction: Direction,
    /// The pod this side is checked on; `None` for an external endpoint (nothing to check).
    pub pod: Option<String>,
    /// The Admin-tier ClusterNetworkPolicies that select the pod, checked before any
    /// NetworkPolicy (empty evidence when none does).
    pub admin: TierEvidence,
    /// Policies that select the pod and isolate it in this direction.
    pub isolated_by: Vec<PolicyRef>,
    /// Rules that allow the connection.
    pub allowed_by: Vec<RuleRef>,
    /// Rules that did not, with the reason.
    pub candidates: Vec<Candidate>,
    /// The CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies of the same stage as
    /// the NetworkPolicies: the rules that select the pod, their allows and denies (empty
    /// when none selects it).
    pub cilium: crate::cilium::CiliumEvidence,
    /// The Baseline-tier ClusterNetworkPolicies, consulted only when neither the Admin
    /// tier nor a NetworkPolicy decided.
    pub baseline: TierEvidence,
    /// The stage whose answer counts.
    pub decided_by: Stage,
    /// True when this side lets the connection through.
    pub allowed: bool,
}

impl Serialize for Side {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let cilium = !self.cilium.is_empty();
        let tiers = self.has_tiers();
        let decided = tiers || cilium;
        let fields =
            5 + usize::from(cilium) + if tiers { 2 } else { 0 } + if decided { 2 } else { 0 };
        let mut st = s.serialize_struct("Side", fields)?;
        st.serialize_field("direction", &self.direction)?;
        st.serialize_field("pod", &self.pod)?;
        if tiers {
            st.serialize_field("admin", &self.admin)?;
        }
        st.serialize_field("isolatedBy", &self.isolated_by)?;
        st.serialize_field("allowedBy", &self.allowed_by)?;
        st.serialize_field("candidates", &self.candidates)?;
        if cilium {
            st.serialize_field("cilium", &self.cilium)?;
        }
        if tiers {
            st.serialize_field("baseline", &self.baseline)?;
        }
        if decided {
            st.serialize_field("decidedBy", &self.decided_by)?;
            st.serialize_field("allowed", &self.allowed)?;
        }
        st.end()
    }
}

impl Side {
    /// True when this side lets the connection through.
    pub fn allows(&self) -> bool {
        self.allowed
    }

    /// True when a ClusterNetworkPolicy of either tier selects the pod in this direction.
    pub fn has_tiers(&self) -> bool {
        !self.admin.is_empty() || !self.baseline.is_empty()
    }

    /// The evidence of a tier stage (`Admin` or `Baseline`); `None` for the others.
    pub fn tier(&self, stage: Stage) -> Option<&TierEvidence> {
        match stage {
            Stage::Admin => Some(&self.admin),
            Stage::Baseline => Some(&self.baseline),
            Stage::Outside | Stage::NetworkPolicy | Stage::Default => None,
        }
    }

    /// The tier rule whose action decided this side, when a tier decided.
    pub fn deciding_rule(&self) -> Option<&TierRuleRef> {
        self.tier(self.decided_by)?.matched.as_ref()
    }

    /// What `stage` did on this side, from the chain's own decision (`decided_by`): the
    /// text and the app word this instead of re-deriving it from the evidence, so they
    /// cannot disagree with the verdict.
    pub fn outcome(&self, stage: Stage) -> Outcome {
        let decides = self.decided_by == stage;
        match stage {
            Stage::Admin | Stage::Baseline => {
                let tier = if stage == Stage::Admin {
                    &self.admin
                } else {
                    &self.baseline
                };
                match &tier.matched {
                    _ if tier.policies.is_empty() => Outcome::Absent,
                    _ if !tier.reached => Outcome::NotReached,
                    Some(m) if m.action == Action::Pass => Outcome::Passes,
                    Some(_) if decides => Outcome::Decides,
                    // A match whose answer does not count cannot happen; say what is certain.
                    Some(_) | None => Outcome::NoMatch,
                }
            }
            Stage::NetworkPolicy if self.isolated_by.is_empty() && self.cilium.is_empty() => {
                Outcome::Absent
            }
            // Cilium rules that select the pod without isolating it (every one opts out of
            // default deny) and no deny matches: consulted, and the chain goes on.
            Stage::NetworkPolicy
                if !decides && matches!(self.decided_by, Stage::Baseline | Stage::Default) =>
            {
                Outcome::NoMatch
            }
            Stage::Outside if !decides => Outcome::Absent,
            _ if decides => Outcome::Decides,
            Stage::NetworkPolicy | Stage::Default | Stage::Outside => Outcome::NotReached,
        }
    }
}

/// What one stage of the chain did for one direction of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Its answer counts.
    Decides,
    /// A Pass rule matched: the rest of the tier is skipped.
    Passes,
    /// It was consulted and nothing in it matched: on to the next stage.
    NoMatch,
    /// Nothing of it selects the pod in this direction.
    Absent,
    /// An earlier stage decided.
    NotReached,
}

impl Outcome {
    /// `decides`, `passes`, `no-match`, `absent`, `not-reached`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Decides => "decides",
            Outcome::Passes => "passes",
            Outcome::NoMatch => "no-match",
            Outcome::Absent => "absent",
            Outcome::NotReached => "not-reached",
        }
    }
}

/// Everything about one connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// Sender id, as [`Endpoint::id`] writes it (`namespace/name`, `ip:8.8.8.8`).
    pub from: String,
    /// Receiver id, in the same form.
    pub to: String,
    /// Destination port.
    pub port: u16,
    /// Transport protocol of the connection.
    pub protocol: Protocol,
    /// True when a pod talks to itself (always allowed).
    pub loopback: bool,
    /// The sender's egress.
    pub egress: Side,
    /// The receiver's ingress.
    pub ingress: Side,
    /// True when the connection goes through: a loopback, or both sides allow it.
    pub allowed: bool,
}

impl Explanation {
    /// True when the connection is allowed.
    pub fn allowed(&self) -> bool {
        self.allowed
    }
}

/// The verdict for one connection.
pub fn verdict(cluster: &Cluster, traffic: &Traffic) -> bool {
    explain(cluster, traffic).allowed
}

/// The verdict for one connection with its evidence.
pub fn explain(cluster: &Cluster, traffic: &Traffic) -> Explanation {
    explain_among(cluster, None, traffic)
}

/// [`explain`] with the policies indexed by namespace (`index` must be of `cluster`): the
/// same explanation, for many connections of one cluster.
pub fn explain_indexed(
    cluster: &Cluster,
    index: &PoliciesByNamespace,
    traffic: &Traffic,
) -> Explanation {
    explain_among(cluster, Some(index), traffic)
}

fn explain_among(
    cluster: &Cluster,
    index: Option<&PoliciesByNamespace>,
    traffic: &Traffic,
) -> Explanation {
    let loopback =
        matches!((&traffic.from, &traffic.to), (Endpoint::Pod(a), Endpoint::Pod(b)) if a == b);
    let egress = side(cluster, index, Direction::Egress, traffic);
    let ingress = side(cluster, index, Direction::Ingress, traffic);
    let allowed = loopback || (egress.allows() && ingress.allows());
    Explanation {
        from: traffic.from.id(cluster),
        to: traffic.to.id(cluster),
        port: traffic.port,
        protocol: traffic.protocol,
        loopback,
        egress,
        ingress,
        allowed,
    }
}

fn side(
    cluster: &Cluster,
    index: Option<&PoliciesByNamespace>,
    direction: Direction,
    traffic: &Traffic,
) -> Side {
    // Egress is checked on the sender against the receiver; ingress the other way round.
    let (subject, other) = match direction {
        Direction::Egress => (&traffic.from, &traffic.to),
        Direction::Ingress => (&traffic.to, &traffic.from),
    };
    let mut out = Side {
        direction,
        pod: None,
        admin: TierEvidence::default(),
        isolated_by: Vec::new(),
        allowed_by: Vec::new(),
        candidates: Vec::new(),
        cilium: crate::cilium::CiliumEvidence::default(),
        baseline: TierEvidence::default(),
        decided_by: Stage::Outside,
        allowed: true,
    };
    let Endpoint::Pod(subject_index) = *subject else {
        return out;
    };
    let Some(pod) = cluster.pods.get(subject_index) else {
        return out;
    };
    out.pod = Some(pod.id());
    let np = network_policies(cluster, index, direction, pod, other, traffic);
    out.isolated_by = np.isolated_by;
    out.allowed_by = np.allowed_by;
    out.candidates = np.candidates;
    let (isolated, allowed) = (!out.isolated_by.is_empty(), !out.allowed_by.is_empty());
    // Cilium policies share the NetworkPolicies' stage (docs/cilium.md §8).
    let np = if cluster.cilium.has_policies() {
        out.cilium = crate::cilium::eval::evaluate(cluster, direction, pod, other, traffic);
        out.cilium.answer(isolated, allowed)
    } else {
        isolated.then_some(allowed)
    };
    if cluster.cluster_policies.is_empty() {
        (out.decided_by, out.allowed) = decide(None, || np, || None);
        return out;
    }
    out.admin = evaluate_tier(cluster, Tier::Admin, direction, pod, other, traffic);
    let mut baseline = None;
    (out.decided_by, out.allowed) = decide(
        out.admin.action(),
        || np,
        || {
            let evidence = evaluate_tier(cluster, Tier::Baseline, direction, pod, other, traffic);
            let action = evidence.action();
            baseline = Some(evidence);
            action
        },
    );
    // A tier that was not reached still lists the policies that select the pod.
    out.baseline = baseline.unwrap_or_else(|| TierEvidence {
        policies: tier_policies(cluster, Tier::Baseline, direction, pod),
        ..TierEvidence::default()
    });
    out
}

/// The chain's order, written once for every evaluator (this module, the matrix's bit rows
/// and `diff`'s facts): the Admin tier's Accept or Deny decides; otherwise the
/// NetworkPolicies decide when they isolate the pod (`network_policies` gives their answer,
/// `None` when none isolates it); otherwise the Baseline tier's Accept or Deny; otherwise
/// (no rule, or a Baseline Pass) the default allows. A later stage is only asked when it is
/// reached, so a fast path pays for no more than the chain needs.
/// (`connectivity` applies the same order to sets of connections rather than one probe.)
pub(crate) fn decide(
    admin: Option<Action>,
    network_policies: impl FnOnce() -> Option<bool>,
    baseline: impl FnOnce() -> Option<Action>,
) -> (Stage, bool) {
    match admin {
        Some(Action::Accept) => return (Stage::Admin, true),
        Some(Action::Deny) => return (Stage::Admin, false),
        // An Admin Pass, or no Admin rule: the NetworkPolicies are next.
        Some(Action::Pass) | None => {}
    }
    if let Some(allowed) = network_policies() {
        return (Stage::NetworkPolicy, allowed);
    }
    match baseline() {
        Some(Action::Accept) => (Stage::Baseline, true),
        Some(Action::Deny) => (Stage::Baseline, false),
        // Pass in the Baseline tier leaves the decision to the default.
        Some(Action::Pass) | None => (Stage::Default, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every combination of the three stages, against the order written out by hand; and a
    /// stage after the deciding one is never asked.
    #[test]
    fn decide_follows_the_chain_and_asks_no_further() {
        let actions = [
            None,
            Some(Action::Accept),
            Some(Action::Deny),
            Some(Action::Pass),
        ];
        for admin in actions {
            for np in [None, Some(true), Some(false)] {
                for baseline in actions {
                    let mut asked = (false, false);
                    let got = decide(
                        admin,
                        || {
                            asked.0 = true;
                            np
                        },
                        || {
                            asked.1 = true;
                            baseline
                        },
                    );
                    let want = match (admin, np, baseline) {
                        (Some(Action::Accept), _, _) => (Stage::Admin, true),
                        (Some(Action::Deny), _, _) => (Stage::Admin, false),
                        (_, Some(allowed), _) => (Stage::NetworkPolicy, allowed),
                        (_, None, Some(Action::Accept)) => (Stage::Baseline, true),
                        (_, None, Some(Action::Deny)) => (Stage::Baseline, false),
                        _ => (Stage::Default, true),
                    };
                    assert_eq!(got, want, "{admin:?} {np:?} {baseline:?}");
                    let admin_decided = matches!(admin, Some(Action::Accept | Action::Deny));
                    assert_eq!(asked.0, !admin_decided);
                    assert_eq!(asked.1, !admin_decided && np.is_none());
                }
            }
        }
    }
}
