//! Rules that `policyTypes` makes Kubernetes ignore: egress rules in a policy whose
//! `policyTypes` lists only Ingress, and the mirror case. The API server accepts both
//! without a word, and the rules read as if they applied.

use super::codes;
use super::context::{field, Context};
use crate::diag::Diagnostic;
use crate::model::Direction;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (index, policy) in cx.cluster.policies.iter().enumerate() {
        // `policyTypes: []` is defaulted like a missing list by the API server
        // (SetDefaults_NetworkPolicy), so only a non-empty list can leave rules out.
        let Some(declared) = policy.declared_types.as_ref().filter(|t| !t.is_empty()) else {
            continue;
        };
        for direction in [Direction::Ingress, Direction::Egress] {
            let rules = match direction {
                Direction::Ingress => &policy.ingress,
                Direction::Egress => &policy.egress,
            };
            if rules.is_empty() || declared.contains(&direction) {
                continue;
            }
            let listed: Vec<&str> = declared.iter().map(|d| d.as_str()).collect();
            let name = field(direction);
            let rule_word = if rules.len() == 1 {
                "rule is"
            } else {
                "rules are"
            };
            out.push(
                cx.report(
                    codes::IGNORED_RULES,
                    index,
                    &format!("spec.{name}"),
                    format!(
                        "the {name} {rule_word} ignored: `policyTypes` lists only {}, so this policy does not apply to {name} traffic",
                        listed.join(" and ")
                    ),
                )
                .with_help(format!(
                    "add `{}` to `policyTypes` (which also isolates the pods for {name}), or delete the {name} rules",
                    direction.as_str()
                )),
            );
        }
    }
}
