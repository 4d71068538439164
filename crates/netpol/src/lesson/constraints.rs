//! Whether a workspace keeps a lesson's constraints: rules about *how* the goal is reached
//! (keep a policy, leave a namespace alone, restrict a connection on both sides).

use super::check::explain_expectation;
use super::Constraint;
use crate::chain::Stage;
use crate::cnp::ClusterNetworkPolicy;
use crate::model::{Cluster, Direction, Peer, Policy, PolicyPort, Rule};
use crate::selector::Selector;

impl Constraint {
    /// True when checking it needs the start's cluster to compare with.
    pub(super) fn compares_with_start(&self) -> bool {
        matches!(
            self,
            Constraint::KeepPolicy { .. }
                | Constraint::UseMatchExpressions
                | Constraint::KeepNamespaces
                | Constraint::KeepClusterPolicies
        )
    }
}

/// `Ok` when `now` keeps the constraint; `Err` says what breaks it.
pub(super) fn holds(constraint: &Constraint, start: &Cluster, now: &Cluster) -> Result<(), String> {
    match constraint {
        Constraint::KeepPolicy { namespace, name } => keeps_policy(namespace, name, start, now),
        // The constraint is about Kustomize rewriting selectors: a workspace whose
        // kustomizations no longer do (`labels:` with `includeSelectors: false`) may keep
        // matchLabels. Deleting the kustomizations does not count: they are still deployed.
        Constraint::UseMatchExpressions
            if start.kustomize_common_labels
                && now.kustomization
                && !now.kustomize_common_labels =>
        {
            Ok(())
        }
        Constraint::UseMatchExpressions => uses_match_expressions(start, now),
        Constraint::NoPolicyIn { namespace } => {
            let found: Vec<String> = now
                .policies
                .iter()
                .filter(|p| &p.namespace == namespace)
                .map(|p| format!("`{}`", p.name))
                .collect();
            if found.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{} in `{namespace}`: leave that namespace alone",
                    found.join(", ")
                ))
            }
        }
        Constraint::KeepNamespaces => keeps_namespaces(start, now),
        Constraint::KeepClusterPolicies => keeps_cluster_policies(start, now),
        Constraint::DeniedBy {
            direction,
            connection,
        } => {
            let why = explain_expectation(now, connection)?;
            let side = match direction {
                Direction::Ingress => &why.ingress,
                Direction::Egress => &why.egress,
            };
            let way = direction.as_str().to_ascii_lowercase();
            let Some(pod) = &side.pod else {
                return Err(format!(
                    "no policy applies to an address outside the cluster, so its {way} cannot deny anything"
                ));
            };
            if !side.allows() {
                return Ok(());
            }
            // Whatever let it through, named by the stage that decided: a tier's Accept
            // overrides a NetworkPolicy that would deny, so NetworkPolicy evidence alone
            // is not enough.
            let tier_rule = |evidence: &crate::cnp::TierEvidence, tier: &str| {
                evidence.matched.as_ref().map_or_else(
                    || format!("the {tier} tier lets it through"),
                    |r| format!("the {tier} tier's `{}` accepts it", r.policy),
                )
            };
            Err(match side.decided_by {
                Stage::Admin => tier_rule(&side.admin, "Admin"),
                Stage::Baseline => tier_rule(&side.baseline, "Baseline"),
                Stage::NetworkPolicy => match side.allowed_by.first() {
                    Some(rule) => {
                        format!("`{}` lets it through (`{way}[{}]`)", rule.policy, rule.rule)
                    }
                    None => format!("a NetworkPolicy lets it through on {way}"),
                },
                Stage::Default | Stage::Outside => format!(
                    "no policy isolates `{pod}` for {way}, so its {way} lets everything through"
                ),
            })
        }
    }
}

fn keeps_policy(namespace: &str, name: &str, start: &Cluster, now: &Cluster) -> Result<(), String> {
    let named = |c: &Cluster| -> Vec<Policy> {
        c.policies
            .iter()
            .filter(|p| p.namespace == namespace && p.name == name)
            .cloned()
            .collect()
    };
    let Some(original) = named(start).into_iter().next() else {
        return Err(format!(
            "the lesson is broken: `{namespace}/{name}` is not in its start"
        ));
    };
    let current = named(now);
    if current.is_empty() {
        return Err(format!("`{namespace}/{name}` was deleted; put it back"));
    }
    // Every policy of that name counts: a second copy (edited, or generated) with a
    // different spec would change what the original does.
    if current.iter().all(|p| same_spec(p, &original)) {
        Ok(())
    } else {
        Err(format!(
            "`{namespace}/{name}` was changed; undo the change and add a policy next to it instead"
        ))
    }
}

fn uses_match_expressions(start: &Cluster, now: &Cluster) -> Result<(), String> {
    let offenders: Vec<String> = now
        .policies
        .iter()
        .filter(|p| {
            !start
                .policies
                .iter()
                .any(|s| s.id() == p.id() && same_spec(s, p))
        })
        .filter_map(|p| match_labels_at(p).map(|at| format!("`{}` ({at})", p.id())))
        .collect();
    if offenders.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "matchLabels in a podSelector of {}: write `matchExpressions: [{{key: ..., operator: In, values: [...]}}]`",
            offenders.join(", ")
        ))
    }
}

/// The same ClusterNetworkPolicies as the start, compared without where they are written.
fn keeps_cluster_policies(start: &Cluster, now: &Cluster) -> Result<(), String> {
    let unplaced = |c: &Cluster| -> Vec<ClusterNetworkPolicy> {
        let mut all: Vec<ClusterNetworkPolicy> = c
            .cluster_policies
            .iter()
            .cloned()
            .map(|mut p| {
                p.origin = None;
                for r in p.ingress.iter_mut().chain(p.egress.iter_mut()) {
                    r.origin = None;
                }
                p
            })
            .collect();
        crate::sorting::sort_by(&mut all, |a, b| a.name.cmp(&b.name));
        all
    };
    let (before, after) = (unplaced(start), unplaced(now));
    let name_of = |p: &ClusterNetworkPolicy| format!("`{}`", p.name);
    let added: Vec<String> = after
        .iter()
        .filter(|p| !before.iter().any(|b| b.name == p.name))
        .map(name_of)
        .collect();
    let gone: Vec<String> = before
        .iter()
        .filter(|b| !after.iter().any(|p| p.name == b.name))
        .map(name_of)
        .collect();
    let changed: Vec<String> = after
        .iter()
        .filter(|p| before.iter().any(|b| b.name == p.name && b != *p))
        .map(name_of)
        .collect();
    let mut what = Vec::new();
    for (list, verb) in [(added, "added"), (gone, "removed"), (changed, "changed")] {
        if !list.is_empty() {
            what.push(format!("{} {verb}", list.join(", ")));
        }
    }
    if what.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "ClusterNetworkPolicy {}: the tiers are the platform team's; solve it with NetworkPolicies",
            what.join("; ")
        ))
    }
}

/// Every namespace the start declares still exists with the same labels (the ones the
/// API server sets included, so they compare equal on both sides).
fn keeps_namespaces(start: &Cluster, now: &Cluster) -> Result<(), String> {
    let changed: Vec<String> = start
        .namespaces
        .iter()
        .filter(|ns| ns.declared)
        .filter_map(|ns| match now.namespace(&ns.name) {
            Some(n) if n.declared && n.labels == ns.labels => None,
            Some(n) if n.declared => Some(format!("`{}` was relabelled", ns.name)),
            _ => Some(format!("`{}` was removed", ns.name)),
        })
        .collect();
    if changed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: Namespaces are the platform team's; select what they already have",
            changed.join(", ")
        ))
    }
}

/// Equal as far as behaviour goes: everything but where the policy was written.
fn same_spec(a: &Policy, b: &Policy) -> bool {
    fn rules(r: &[Rule]) -> Vec<(&Vec<Peer>, &Vec<PolicyPort>)> {
        r.iter().map(|r| (&r.peers, &r.ports)).collect()
    }
    a.namespace == b.namespace
        && a.name == b.name
        && a.pod_selector == b.pod_selector
        && a.isolates_ingress == b.isolates_ingress
        && a.isolates_egress == b.isolates_egress
        && a.declared_types == b.declared_types
        && rules(&a.ingress) == rules(&b.ingress)
        && rules(&a.egress) == rules(&b.egress)
}

/// Where a policy selects pods with `matchLabels` (`spec.podSelector`,
/// `ingress[0].from[1]`), if anywhere.
fn match_labels_at(p: &Policy) -> Option<String> {
    let uses = |s: &Selector| !s.match_labels.is_empty();
    if uses(&p.pod_selector) {
        return Some("spec.podSelector".to_string());
    }
    for (direction, list, rules) in [("ingress", "from", &p.ingress), ("egress", "to", &p.egress)] {
        for (i, rule) in rules.iter().enumerate() {
            for (j, peer) in rule.peers.iter().enumerate() {
                if let Peer::Pods {
                    pod_selector: Some(s),
                    ..
                } = peer
                {
                    if uses(s) {
                        return Some(format!("{direction}[{i}].{list}[{j}].podSelector"));
                    }
                }
            }
        }
    }
    None
}
