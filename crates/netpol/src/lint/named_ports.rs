//! Named ports that resolve nowhere. A named port is looked up on the destination pod (by
//! name and protocol); when no destination of the rule exposes it, the port entry allows
//! nothing. Destinations are the policy's own pods for ingress, and the pods the rule's
//! peers select for egress (every pod when it has no peers). Without destinations in the
//! input there is nothing to check.

use super::codes;
use super::context::{effective_rules, Context};
use crate::diag::Diagnostic;
use crate::model::{Direction, Peer, Policy, PortRef, Rule};

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (index, policy) in cx.cluster.policies.iter().enumerate() {
        for (direction, r, rule) in effective_rules(policy) {
            if !rule
                .ports
                .iter()
                .any(|p| matches!(p.port, Some(PortRef::Name(_))))
            {
                continue;
            }
            let destinations = destinations(cx, index, policy, direction, rule);
            if destinations.is_empty() {
                continue;
            }
            for (k, port) in rule.ports.iter().enumerate() {
                let Some(PortRef::Name(name)) = &port.port else {
                    continue;
                };
                let pods = || destinations.iter().filter_map(|i| cx.pod(*i));
                if pods().any(|pod| pod.named_port(name, port.protocol).is_some()) {
                    continue;
                }
                let other_protocol = pods()
                    .flat_map(|pod| pod.ports.iter())
                    .find(|c| c.name.as_deref() == Some(name.as_str()))
                    .map(|c| c.protocol);
                let message = match other_protocol {
                    Some(actual) => format!(
                        "named port `{name}` is exposed over {actual}, not {}: this entry allows nothing",
                        port.protocol
                    ),
                    None => format!(
                        "no destination of this rule ({}) exposes a port named `{name}`: this entry allows nothing",
                        cx.pod_list(&destinations)
                    ),
                };
                let help = match other_protocol {
                    Some(actual) => format!("set `protocol: {actual}`"),
                    None => closest(cx, &destinations, name)
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| {
                            "use a port name from the pods' `containers[].ports[].name`, or the number".to_string()
                        }),
                };
                out.push(
                    cx.report(
                        codes::NAMED_PORT_NOT_EXPOSED,
                        index,
                        &format!(
                            "spec.{}[{r}].ports[{k}].port",
                            super::context::field(direction)
                        ),
                        message,
                    )
                    .with_help(help),
                );
            }
        }
    }
}

fn destinations(
    cx: &Context<'_>,
    index: usize,
    policy: &Policy,
    direction: Direction,
    rule: &Rule,
) -> Vec<usize> {
    match direction {
        Direction::Ingress => cx.selected_by(index).to_vec(),
        Direction::Egress if rule.peers.is_empty() => (0..cx.cluster.pods.len()).collect(),
        Direction::Egress => {
            let mut out: Vec<usize> = rule
                .peers
                .iter()
                .filter(|p| matches!(p, Peer::Pods { .. }))
                .flat_map(|p| cx.peer_pods(&policy.namespace, p))
                .collect();
            crate::sorting::sort_unstable(&mut out);
            out.dedup();
            out
        }
    }
}

fn closest(cx: &Context<'_>, destinations: &[usize], name: &str) -> Option<String> {
    let names: Vec<&str> = destinations
        .iter()
        .filter_map(|i| cx.pod(*i))
        .flat_map(|pod| pod.ports.iter().filter_map(|c| c.name.as_deref()))
        .collect();
    crate::suggest::closest(name, names).map(str::to_string)
}
