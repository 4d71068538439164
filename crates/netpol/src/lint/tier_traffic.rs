//! What ClusterNetworkPolicy rules do to traffic the author may not have in mind:
//! `networks` peers that cover pod IPs (the API matches them against pod-to-pod traffic
//! too), and Baseline-tier Deny rules that also deny DNS with no earlier rule accepting it.
//!
//! With DNS pods and subject pods in the input the DNS check is exact: the engine evaluates
//! each subject pod's query to each DNS pod through both tiers. Without them it reads the
//! text: a Deny that covers 53/UDP towards every pod, kube-system or a private range, with
//! no earlier Accept of the tier for 53/UDP.

use super::codes;
use super::context::Context;
use super::dns::looks_like_dns;
use crate::cnp::eval::{evaluate_tier, peer_matches, selects};
use crate::cnp::{evaluation_order, Action, ClusterNetworkPolicy, CnpPeer, CnpPort, CnpRule, Tier};
use crate::diag::Diagnostic;
use crate::endpoint::Endpoint;
use crate::model::{Direction, Namespace};
use crate::names::private_ranges;
use crate::ports::Protocol;
use crate::traffic::Traffic;

const DNS_PORT: u16 = 53;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (index, policy) in cx.cluster.cluster_policies.iter().enumerate() {
        networks_match_pods(cx, index, policy, out);
    }
    baseline_dns(cx, out);
}

fn networks_match_pods(
    cx: &Context<'_>,
    index: usize,
    policy: &ClusterNetworkPolicy,
    out: &mut Vec<Diagnostic>,
) {
    for (r, rule) in policy.egress.iter().enumerate() {
        for (p, peer) in rule.peers.iter().enumerate() {
            let CnpPeer::Networks(cidrs) = peer else {
                continue;
            };
            let covered: Vec<usize> = cx
                .cluster
                .pods
                .iter()
                .enumerate()
                .filter(|(_, pod)| {
                    if pod.ips.is_empty() {
                        cidrs.iter().any(|c| c.prefix == 0)
                    } else {
                        pod.ips
                            .iter()
                            .any(|ip| cidrs.iter().any(|c| c.contains_ip(*ip)))
                    }
                })
                .map(|(i, _)| i)
                .filter(|i| !taken_earlier(cx, &policy.egress, r, *i))
                .collect();
            if covered.is_empty() {
                continue;
            }
            let whole = cidrs.iter().any(|c| c.prefix == 0);
            let what = if whole && covered.len() == cx.cluster.pods.len() {
                "every pod".to_string()
            } else {
                cx.pod_list(&covered)
            };
            out.push(
                cx.report_tier(
                    codes::NETWORKS_MATCH_PODS,
                    index,
                    &format!("spec.egress[{r}].to[{p}].networks"),
                    format!(
                        "these networks cover the IPs of {what}: this {} rule applies to traffic to those pods too, not only outside the cluster",
                        rule.action
                    ),
                )
                .with_help("put a rule for the pods first (a Pass to leave them to NetworkPolicies, or an Accept), or narrow the networks"),
            );
        }
    }
}

/// Whether a rule before `rule` takes all traffic to pod `pod` by selector (on every port),
/// so that it never reaches `rule`.
fn taken_earlier(cx: &Context<'_>, rules: &[CnpRule], rule: usize, pod: usize) -> bool {
    rules.iter().take(rule).any(|e| {
        e.ports.is_empty()
            && e.peers.iter().any(|p| {
                matches!(p, CnpPeer::Namespaces(_) | CnpPeer::Pods { .. })
                    && peer_matches(cx.cluster, p, &Endpoint::Pod(pod), e.action).is_ok()
            })
    })
}

fn baseline_dns(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let dns: Vec<usize> = (0..cx.cluster.pods.len())
        .filter(|i| cx.pod(*i).is_some_and(looks_like_dns))
        .collect();
    let policies = &cx.cluster.cluster_policies;
    let order = evaluation_order(policies, Tier::Baseline);
    for index in order {
        let Some(policy) = policies.get(index) else {
            continue;
        };
        let subjects: Vec<usize> = (0..cx.cluster.pods.len())
            .filter(|i| cx.pod(*i).is_some_and(|p| selects(cx.cluster, policy, p)))
            .collect();
        let denying = if dns.is_empty() || subjects.is_empty() {
            text_denies_dns(policy)
        } else {
            engine_denies_dns(cx, index, &subjects, &dns)
        };
        if let Some(rule) = denying {
            out.push(
                cx.report_tier_rule(
                    codes::BASELINE_DENY_WITHOUT_DNS,
                    index,
                    "egress",
                    rule,
                    "this Baseline Deny also denies DNS (port 53) and no earlier rule accepts it: pods without a NetworkPolicy of their own cannot resolve names",
                )
                .with_help("add a rule before it: `action: Accept`, `to: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}]`, `protocols: [{udp: {destinationPort: {number: 53}}}, {tcp: {destinationPort: {number: 53}}}]`"),
            );
        }
    }
}

/// The Baseline Deny rule of policy `index` that decides a DNS query of a subject pod to a
/// DNS pod, when one does and the Admin tier did not decide first.
fn engine_denies_dns(
    cx: &Context<'_>,
    index: usize,
    subjects: &[usize],
    dns: &[usize],
) -> Option<usize> {
    for &s in subjects {
        let pod = cx.pod(s)?;
        for &d in dns.iter().filter(|d| **d != s) {
            let traffic = Traffic {
                from: Endpoint::Pod(s),
                to: Endpoint::Pod(d),
                port: DNS_PORT,
                protocol: Protocol::Udp,
            };
            let admin = evaluate_tier(
                cx.cluster,
                Tier::Admin,
                Direction::Egress,
                pod,
                &traffic.to,
                &traffic,
            );
            if matches!(admin.action(), Some(Action::Accept | Action::Deny)) {
                continue;
            }
            let base = evaluate_tier(
                cx.cluster,
                Tier::Baseline,
                Direction::Egress,
                pod,
                &traffic.to,
                &traffic,
            );
            if let Some(m) = base.matched {
                if m.action == Action::Deny && m.policy_index == index {
                    return Some(m.rule);
                }
            }
        }
    }
    None
}

/// The first egress Deny of `policy` that covers DNS towards a likely resolver, with no
/// Accept of DNS before it in the policy.
fn text_denies_dns(policy: &ClusterNetworkPolicy) -> Option<usize> {
    for (i, rule) in policy.egress.iter().enumerate() {
        if !covers_dns_port(rule) || !rule.peers.iter().any(may_be_resolver) {
            continue;
        }
        match rule.action {
            Action::Accept | Action::Pass => return None,
            Action::Deny => return Some(i),
        }
    }
    None
}

fn covers_dns_port(rule: &CnpRule) -> bool {
    rule.ports.is_empty()
        || rule.ports.iter().any(|p| match p {
            CnpPort::Ports {
                protocol,
                start,
                end,
            } => *protocol == Protocol::Udp && *start <= DNS_PORT && DNS_PORT <= *end,
            CnpPort::Named(name) => name.contains("dns"),
        })
}

/// kube-dns runs in kube-system, with a cluster IP and pod IPs in the private ranges.
fn may_be_resolver(peer: &CnpPeer) -> bool {
    let kube_system = Namespace::implicit("kube-system").labels;
    match peer {
        CnpPeer::Namespaces(ns) => ns.matches(&kube_system),
        CnpPeer::Pods {
            namespace_selector,
            pod_selector,
        } => {
            namespace_selector.matches(&kube_system)
                && (pod_selector.selects_all()
                    || pod_selector
                        .match_labels
                        .iter()
                        .any(|(k, v)| k.contains("dns") || v.contains("dns")))
        }
        CnpPeer::Networks(cidrs) => cidrs
            .iter()
            .any(|c| private_ranges().iter().any(|r| c.overlaps(r))),
        CnpPeer::Nodes(_) | CnpPeer::DomainNames(_) => false,
    }
}
