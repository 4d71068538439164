//! ClusterNetworkPolicy rule order: rules that never decide because an earlier rule of the
//! tier matches all their traffic, equal priorities whose overlapping rules disagree (the
//! API leaves their order to the implementation), Pass in the Baseline tier, subjects that
//! select no pod, and features whose support or outcome depends on the implementation.
//!
//! Coverage and overlap are decided from the text (selectors, CIDRs, ports), so they hold
//! whatever pods the cluster runs; like the NetworkPolicy redundancy check, "covers" may
//! say no where sets happen to be nested, never yes where they are not.

use super::codes;
use super::context::Context;
use super::logic::{contradiction, selector_covers};
use crate::cnp::eval::selects;
use crate::cnp::{
    evaluation_order, Action, ClusterNetworkPolicy, CnpPeer, CnpPort, CnpRule, Subject, Tier,
};
use crate::diag::Diagnostic;
use crate::model::Direction;
use crate::selector::Selector;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let policies = &cx.cluster.cluster_policies;
    for tier in [Tier::Admin, Tier::Baseline] {
        let order = evaluation_order(policies, tier);
        for (pos, &index) in order.iter().enumerate() {
            let Some(policy) = policies.get(index) else {
                continue;
            };
            let earlier: Vec<(usize, &ClusterNetworkPolicy)> = order
                .iter()
                .take(pos)
                .filter_map(|&i| policies.get(i).map(|p| (i, p)))
                .filter(|(_, p)| p.priority < policy.priority)
                .collect();
            shadowed(cx, index, policy, &earlier, out);
            equal_priority(cx, &order, pos, policy, out);
        }
    }
    for (index, policy) in policies.iter().enumerate() {
        selects_no_pod(cx, index, policy, out);
        for direction in [Direction::Ingress, Direction::Egress] {
            for (r, rule) in policy.rules(direction).iter().enumerate() {
                let path = format!("spec.{}[{r}]", field(direction));
                if policy.tier == Tier::Baseline && rule.action == Action::Pass {
                    out.push(
                        cx.report_tier(
                            codes::PASS_IN_BASELINE,
                            index,
                            &format!("{path}.action"),
                            "Pass in the Baseline tier skips to the default, which allows: it is the same as no rule",
                        )
                        .with_help("write `Accept` to allow explicitly (and stop later Baseline rules), or remove the rule"),
                    );
                }
                implementation_defined(cx, index, rule, &path, out);
            }
        }
    }
}

fn field(direction: Direction) -> &'static str {
    match direction {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    }
}

/// Rules of `policy` fully matched first by an earlier rule of the same policy, or by a
/// rule of a policy with a lower priority number whose subject covers this one's.
fn shadowed(
    cx: &Context<'_>,
    index: usize,
    policy: &ClusterNetworkPolicy,
    earlier: &[(usize, &ClusterNetworkPolicy)],
    out: &mut Vec<Diagnostic>,
) {
    for direction in [Direction::Ingress, Direction::Egress] {
        let rules = policy.rules(direction);
        for (r, rule) in rules.iter().enumerate() {
            let same = rules
                .iter()
                .enumerate()
                .take(r)
                .find(|(_, e)| rule_covers(e, rule))
                .map(|(i, e)| (policy, i, e));
            let before = || {
                earlier
                    .iter()
                    .filter(|(_, p)| subject_covers(&p.subject, &policy.subject))
                    .find_map(|(_, p)| {
                        p.rules(direction)
                            .iter()
                            .enumerate()
                            .find(|(_, e)| rule_covers(e, rule))
                            .map(|(i, e)| (*p, i, e))
                    })
            };
            let Some((by, i, e)) = same.or_else(before) else {
                continue;
            };
            let f = field(direction);
            let whose = if std::ptr::eq(by, policy) {
                format!("{f}[{i}] ({})", e.action)
            } else {
                format!(
                    "{f}[{i}] ({}) of `{}` (priority {}, tried first)",
                    e.action, by.name, by.priority
                )
            };
            out.push(
                cx.report_tier_rule(
                    codes::TIER_RULE_SHADOWED,
                    index,
                    f,
                    r,
                    format!(
                        "this rule never decides: {whose} matches all of its traffic first"
                    ),
                )
                .with_help("move it before that rule (or give its policy a lower priority number), narrow the earlier rule, or delete this one"),
            );
        }
    }
}

/// One warning per pair of same-priority policies with overlapping rules that disagree.
fn equal_priority(
    cx: &Context<'_>,
    order: &[usize],
    pos: usize,
    policy: &ClusterNetworkPolicy,
    out: &mut Vec<Diagnostic>,
) {
    for &other_index in order.iter().skip(pos + 1) {
        let Some(other) = cx.cluster.cluster_policies.get(other_index) else {
            continue;
        };
        if other.priority != policy.priority {
            break;
        }
        if !subjects_overlap(&policy.subject, &other.subject) {
            continue;
        }
        let clash = [Direction::Ingress, Direction::Egress]
            .into_iter()
            .find_map(|d| {
                policy.rules(d).iter().enumerate().find_map(|(a, ra)| {
                    other
                        .rules(d)
                        .iter()
                        .enumerate()
                        .find(|(_, rb)| ra.action != rb.action && rules_overlap(ra, rb))
                        .map(|(b, rb)| (d, a, ra, b, rb))
                })
            });
        let Some((d, a, ra, b, rb)) = clash else {
            continue;
        };
        let f = field(d);
        out.push(
            cx.report_tier(
                codes::TIER_EQUAL_PRIORITY,
                other_index,
                "spec.priority",
                format!(
                    "`{}` and `{}` both have priority {} and their rules can match the same traffic with different actions ({f}[{a}] {} / {f}[{b}] {}): the implementation may apply either",
                    policy.name, other.name, policy.priority, ra.action, rb.action
                ),
            )
            .with_help(format!("give one of them another priority; the playground tries `{}` first (by name)", policy.name)),
        );
    }
}

fn selects_no_pod(
    cx: &Context<'_>,
    index: usize,
    policy: &ClusterNetworkPolicy,
    out: &mut Vec<Diagnostic>,
) {
    if cx.cluster.pods.is_empty()
        || cx
            .cluster
            .pods
            .iter()
            .any(|p| selects(cx.cluster, policy, p))
    {
        return;
    }
    out.push(
        cx.report_tier(
            codes::TIER_SELECTS_NO_POD,
            index,
            "spec.subject",
            format!(
                "the subject of `{}` selects no pod of the input: the policy does nothing here",
                policy.name
            ),
        )
        .with_help("check the namespace and pod labels the subject asks for"),
    );
}

fn implementation_defined(
    cx: &Context<'_>,
    index: usize,
    rule: &CnpRule,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    let list = if path.contains("ingress") {
        "from"
    } else {
        "to"
    };
    for (p, peer) in rule.peers.iter().enumerate() {
        let at = format!("{path}.{list}[{p}].{}", peer.field());
        let (message, help) = match peer {
            CnpPeer::Nodes(_) if cx.cluster.nodes.is_empty() => (
                "`nodes` peers are experimental (ClusterNetworkPolicyEgressNodePeers) and match the addresses of Node objects; the input has none, so this peer matches nothing here".to_string(),
                "add the Node objects (`kubectl get nodes -o yaml`) to evaluate it".to_string(),
            ),
            CnpPeer::Nodes(_) => (
                "`nodes` peers are experimental (ClusterNetworkPolicyEgressNodePeers): not every implementation supports them".to_string(),
                "check that your implementation supports node peers".to_string(),
            ),
            CnpPeer::DomainNames(_) => (
                format!(
                    "`domainNames` peers are experimental and match by the DNS name a connection was opened to, which the playground cannot see: it treats them as no match{}",
                    if rule.action == Action::Accept { "" } else { "; they are only supported in Accept rules" }
                ),
                "evaluate the rule against the addresses behind the names with a `networks` peer".to_string(),
            ),
            _ => continue,
        };
        out.push(
            cx.report_tier(codes::TIER_IMPLEMENTATION_DEFINED, index, &at, message)
                .with_help(help),
        );
    }
    for (i, port) in rule.ports.iter().enumerate() {
        if let CnpPort::Named(name) = port {
            out.push(
                cx.report_tier(
                    codes::TIER_IMPLEMENTATION_DEFINED,
                    index,
                    &format!("{path}.protocols[{i}].destinationNamedPort"),
                    format!("named port `{name}` needs the extended feature ClusterNetworkPolicyNamedPorts: implementations without it do not match it"),
                )
                .with_help("use a port number if your implementation does not support named ports"),
            );
        }
    }
}

/// True when every pod `specific` selects, `general` selects too.
fn subject_covers(general: &Subject, specific: &Subject) -> bool {
    match (general, specific) {
        (Subject::Namespaces(g), Subject::Namespaces(s)) => selector_covers(g, s),
        (
            Subject::Namespaces(g),
            Subject::Pods {
                namespace_selector, ..
            },
        ) => selector_covers(g, namespace_selector),
        (
            Subject::Pods {
                namespace_selector,
                pod_selector,
            },
            Subject::Namespaces(s),
        ) => pod_selector.selects_all() && selector_covers(namespace_selector, s),
        (
            Subject::Pods {
                namespace_selector: gn,
                pod_selector: gp,
            },
            Subject::Pods {
                namespace_selector: sn,
                pod_selector: sp,
            },
        ) => selector_covers(gn, sn) && selector_covers(gp, sp),
    }
}

/// (namespace selector, pod selector) of a subject or pod peer.
fn pod_sets(subject: &Subject) -> (&Selector, Option<&Selector>) {
    match subject {
        Subject::Namespaces(ns) => (ns, None),
        Subject::Pods {
            namespace_selector,
            pod_selector,
        } => (namespace_selector, Some(pod_selector)),
    }
}

fn subjects_overlap(a: &Subject, b: &Subject) -> bool {
    let (an, ap) = pod_sets(a);
    let (bn, bp) = pod_sets(b);
    may_overlap(an, bn) && ap.zip(bp).is_none_or(|(x, y)| may_overlap(x, y))
}

/// False only when no object can match both selectors.
fn may_overlap(a: &Selector, b: &Selector) -> bool {
    let mut both = a.clone();
    for (k, v) in &b.match_labels {
        if both.match_labels.get(k).is_some_and(|mine| mine != v) {
            return false;
        }
        both.match_labels.insert(k.clone(), v.clone());
    }
    both.match_expressions
        .extend(b.match_expressions.iter().cloned());
    contradiction(&both).is_none()
}

/// True when rule `general` matches everything `specific` matches.
fn rule_covers(general: &CnpRule, specific: &CnpRule) -> bool {
    ports_cover(&general.ports, &specific.ports)
        && specific
            .peers
            .iter()
            .all(|s| general.peers.iter().any(|g| peer_covers(g, s)))
}

fn peer_covers(general: &CnpPeer, specific: &CnpPeer) -> bool {
    match (general, specific) {
        (CnpPeer::Namespaces(g), CnpPeer::Namespaces(s))
        | (
            CnpPeer::Namespaces(g),
            CnpPeer::Pods {
                namespace_selector: s,
                ..
            },
        )
        | (CnpPeer::Nodes(g), CnpPeer::Nodes(s)) => selector_covers(g, s),
        (
            CnpPeer::Pods {
                namespace_selector,
                pod_selector,
            },
            CnpPeer::Namespaces(s),
        ) => pod_selector.selects_all() && selector_covers(namespace_selector, s),
        (
            CnpPeer::Pods {
                namespace_selector: gn,
                pod_selector: gp,
            },
            CnpPeer::Pods {
                namespace_selector: sn,
                pod_selector: sp,
            },
        ) => selector_covers(gn, sn) && selector_covers(gp, sp),
        (CnpPeer::Networks(g), CnpPeer::Networks(s)) => {
            s.iter().all(|c| g.iter().any(|gc| gc.contains(c)))
        }
        _ => false,
    }
}

fn ports_cover(general: &[CnpPort], specific: &[CnpPort]) -> bool {
    if general.is_empty() {
        return true;
    }
    !specific.is_empty()
        && specific.iter().all(|s| {
            general.iter().any(|g| match (g, s) {
                (
                    CnpPort::Ports {
                        protocol: gp,
                        start: gs,
                        end: ge,
                    },
                    CnpPort::Ports {
                        protocol: sp,
                        start: ss,
                        end: se,
                    },
                ) => gp == sp && gs <= ss && se <= ge,
                (CnpPort::Named(a), CnpPort::Named(b)) => a == b,
                _ => false,
            })
        })
}

fn rules_overlap(a: &CnpRule, b: &CnpRule) -> bool {
    ports_overlap(&a.ports, &b.ports)
        && a.peers
            .iter()
            .any(|x| b.peers.iter().any(|y| peers_overlap(x, y)))
}

fn peers_overlap(a: &CnpPeer, b: &CnpPeer) -> bool {
    let pods = |p: &CnpPeer| -> Option<(Selector, Selector)> {
        match p {
            CnpPeer::Namespaces(ns) => Some((ns.clone(), Selector::everything())),
            CnpPeer::Pods {
                namespace_selector,
                pod_selector,
            } => Some((namespace_selector.clone(), pod_selector.clone())),
            _ => None,
        }
    };
    match (a, b) {
        (CnpPeer::Networks(x), CnpPeer::Networks(y)) => {
            x.iter().any(|c| y.iter().any(|d| c.overlaps(d)))
        }
        (CnpPeer::Nodes(x), CnpPeer::Nodes(y)) => may_overlap(x, y),
        (CnpPeer::DomainNames(x), CnpPeer::DomainNames(y)) => x.iter().any(|n| y.contains(n)),
        // A networks peer may hold pod IPs: it can overlap any pod peer.
        (CnpPeer::Networks(_), other) | (other, CnpPeer::Networks(_)) => pods(other).is_some(),
        _ => match (pods(a), pods(b)) {
            (Some((an, ap)), Some((bn, bp))) => may_overlap(&an, &bn) && may_overlap(&ap, &bp),
            _ => false,
        },
    }
}

fn ports_overlap(a: &[CnpPort], b: &[CnpPort]) -> bool {
    if a.is_empty() || b.is_empty() {
        return true;
    }
    a.iter().any(|x| {
        b.iter().any(|y| match (x, y) {
            (
                CnpPort::Ports {
                    protocol: xp,
                    start: xs,
                    end: xe,
                },
                CnpPort::Ports {
                    protocol: yp,
                    start: ys,
                    end: ye,
                },
            ) => xp == yp && xs <= ye && ys <= xe,
            // A named port may resolve to any number.
            _ => true,
        })
    })
}
