//! Egress isolation without DNS: once a pod is isolated for egress, name lookups are
//! denied like everything else unless some egress rule of its policies allows them, and
//! every connection by name fails while the policy looks right.
//!
//! A rule counts as allowing DNS when it allows port 53 (UDP or TCP, by number, range,
//! name, or by listing no ports) towards something that can be a resolver: any address
//! block, a pod the input shows as a DNS server, or — when the input shows none — a peer
//! reaching into other namespaces or naming DNS. Listing port 53 explicitly is trusted.
//! With the pods in the input the check is per pod (another policy may give DNS to the same
//! pods); without them, per policy and the policies of its namespace that cover it.
//!
//! Under Cilium, allows of both kinds add up: per pod, a pod to which a Cilium allow rule
//! gives DNS (`cilium::cilium_gives_dns`, the test of NP224) does not lack it either. The
//! per-policy check, without pods, counts NetworkPolicies only. A pod whose DNS a Cilium
//! `egressDeny` entry takes (`cilium::cilium_denies_dns`) is left to NP227: a deny wins
//! over every allow, so adding one, as this lint suggests, would not help.

use super::cilium::{cilium_denies_dns, cilium_gives_dns};
use super::codes;
use super::context::Context;
use super::logic::{excepts_cover, selector_covers};
use crate::diag::Diagnostic;
use crate::model::{Peer, Pod, Policy, PolicyPort, PortRef, Rule, NAMESPACE_NAME_LABEL};
use crate::ports::Protocol;

const DNS_PORT: u16 = 53;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let policies = &cx.cluster.policies;
    let (gives_dns, pod_has_dns) = dns_by_policy_and_pod(cx);
    for (index, policy) in policies.iter().enumerate() {
        if !policy.isolates_egress {
            continue;
        }
        let selected = cx.selected_by(index);
        let lacking: Vec<usize> = selected
            .iter()
            .copied()
            .filter(|i| !pod_has_dns.get(*i).copied().unwrap_or(true))
            .filter(|i| !cilium_gives_dns(cx, *i))
            // NP227 reports a pod whose DNS a Cilium deny takes: no allow helps it.
            .filter(|i| !cilium_denies_dns(cx, *i))
            .collect();
        let subject = if !cx.pods_in(&policy.namespace).is_empty() {
            if lacking.is_empty() {
                continue;
            }
            let verb = if lacking.len() == 1 { "is" } else { "are" };
            format!("{} {verb} isolated for egress", cx.pod_list(&lacking))
        } else {
            let covered = policies.iter().enumerate().any(|(other, p)| {
                gives_dns.get(other).copied().unwrap_or(false)
                    && p.namespace == policy.namespace
                    && selector_covers(&p.pod_selector, &policy.pod_selector)
            });
            if covered {
                continue;
            }
            "the pods this policy selects are isolated for egress".to_string()
        };
        let path = if policy.declared_types.is_some() {
            "spec.policyTypes"
        } else {
            "spec.egress"
        };
        out.push(
            cx.report(
                codes::EGRESS_WITHOUT_DNS,
                index,
                path,
                format!("{subject} and no egress rule of their policies allows DNS (port 53): they cannot resolve names"),
            )
            .with_help(help(policy)),
        );
    }
}

/// Per NetworkPolicy: whether it isolates for egress and one of its rules allows DNS; per
/// pod: whether such a policy selects it. The Cilium lint counts the second too: under
/// Cilium, NetworkPolicy allows add up with Cilium's.
pub(super) fn dns_by_policy_and_pod<'c>(cx: &'c Context<'_>) -> &'c (Vec<bool>, Vec<bool>) {
    cx.dns_by_policy_and_pod
        .get_or_init(|| compute_dns_by_policy_and_pod(cx))
}

fn compute_dns_by_policy_and_pod(cx: &Context<'_>) -> (Vec<bool>, Vec<bool>) {
    let dns_pods: Vec<&Pod> = cx
        .cluster
        .pods
        .iter()
        .filter(|p| looks_like_dns(p))
        .collect();
    let policies = &cx.cluster.policies;
    let gives_dns: Vec<bool> = policies
        .iter()
        .map(|p| {
            p.isolates_egress
                && p.egress
                    .iter()
                    .any(|r| rule_allows_dns(cx, &dns_pods, &p.namespace, r))
        })
        .collect();
    // Per pod: does any policy isolating it for egress allow DNS?
    let mut pod_has_dns = vec![false; cx.cluster.pods.len()];
    for (index, policy) in policies.iter().enumerate() {
        if policy.isolates_egress && gives_dns.get(index).copied().unwrap_or(false) {
            for pod in cx.selected_by(index) {
                if let Some(slot) = pod_has_dns.get_mut(*pod) {
                    *slot = true;
                }
            }
        }
    }
    (gives_dns, pod_has_dns)
}

fn help(policy: &Policy) -> String {
    let ns = if policy.namespace == "kube-system" {
        String::new()
    } else {
        format!("namespaceSelector: {{matchLabels: {{{NAMESPACE_NAME_LABEL}: kube-system}}}}, ")
    };
    format!(
        "add an egress rule to kube-dns: `- to: [{{{ns}podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}}}]` with `ports: [{{port: 53, protocol: UDP}}, {{port: 53, protocol: TCP}}]`"
    )
}

/// kube-dns, CoreDNS, node-local DNS: by label.
pub(super) fn looks_like_dns(pod: &Pod) -> bool {
    pod.labels
        .iter()
        .any(|(k, v)| k.contains("dns") || v.contains("dns"))
}

fn rule_allows_dns(cx: &Context<'_>, dns_pods: &[&Pod], namespace: &str, rule: &Rule) -> bool {
    if rule.ports.iter().any(|p| names_dns_port(cx, p)) {
        return true;
    }
    if !rule.ports.is_empty() && !rule.ports.iter().any(covers_dns_port) {
        return false;
    }
    rule.peers.is_empty()
        || rule
            .peers
            .iter()
            .any(|peer| peer_may_be_resolver(cx, dns_pods, namespace, peer))
}

/// Port 53 written out (`53`, a range from or to 53, a name that resolves to 53).
fn names_dns_port(cx: &Context<'_>, port: &PolicyPort) -> bool {
    if !matches!(port.protocol, Protocol::Udp | Protocol::Tcp) {
        return false;
    }
    match &port.port {
        Some(PortRef::Number(n)) => {
            let end = port.end_port.unwrap_or(*n);
            (*n..=end).contains(&DNS_PORT) && end.saturating_sub(*n) < 1024
        }
        Some(PortRef::Name(name)) => {
            name.contains("dns")
                || cx
                    .cluster
                    .pods
                    .iter()
                    .any(|p| p.named_port(name, port.protocol) == Some(DNS_PORT))
        }
        None => false,
    }
}

/// Port 53 allowed, possibly as part of something larger.
fn covers_dns_port(port: &PolicyPort) -> bool {
    matches!(port.protocol, Protocol::Udp | Protocol::Tcp)
        && match &port.port {
            None => true,
            Some(PortRef::Number(n)) => (*n..=port.end_port.unwrap_or(*n)).contains(&DNS_PORT),
            Some(PortRef::Name(_)) => false,
        }
}

fn peer_may_be_resolver(cx: &Context<'_>, dns_pods: &[&Pod], namespace: &str, peer: &Peer) -> bool {
    let (namespace_selector, pod_selector) = match peer {
        Peer::Pods {
            namespace_selector,
            pod_selector,
        } => (namespace_selector, pod_selector),
        Peer::IpBlock { cidr, except } => return !excepts_cover(cidr, except),
    };
    if dns_pods.is_empty() {
        let mentions_dns = pod_selector.as_ref().is_some_and(|s| {
            s.match_labels
                .iter()
                .any(|(k, v)| k.contains("dns") || v.contains("dns"))
                || s.match_expressions
                    .iter()
                    .any(|r| r.key.contains("dns") || r.values.iter().any(|v| v.contains("dns")))
        });
        return namespace_selector.is_some() || mentions_dns;
    }
    dns_pods.iter().any(|pod| {
        let ns_ok = match namespace_selector {
            None => pod.namespace == namespace,
            Some(sel) => sel.matches(&cx.namespace_labels(&pod.namespace)),
        };
        ns_ok && pod_selector.as_ref().is_none_or(|s| s.matches(&pod.labels))
    })
}
