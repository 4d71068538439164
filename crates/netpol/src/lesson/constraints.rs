//! Whether a workspace keeps a lesson's constraints: rules about *how* the goal is reached
//! (keep a policy, leave a namespace alone, restrict a connection on both sides).

use super::check::explain_expectation;
use super::Constraint;
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
        )
    }
}

/// `Ok` when `now` keeps the constraint; `Err` says what breaks it.
pub(super) fn holds(constraint: &Constraint, start: &Cluster, now: &Cluster) -> Result<(), String> {
    match constraint {
        Constraint::KeepPolicy { namespace, name } => keeps_policy(namespace, name, start, now),
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
            if side.isolated_by.is_empty() {
                Err(format!(
                    "no policy isolates `{pod}` for {way}, so its {way} lets everything through"
                ))
            } else if let Some(rule) = side.allowed_by.first() {
                Err(format!(
                    "`{}` lets it through (`{way}[{}]`)",
                    rule.policy, rule.rule
                ))
            } else {
                Ok(())
            }
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
