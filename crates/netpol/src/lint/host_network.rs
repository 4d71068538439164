//! hostNetwork pods that NetworkPolicies depend on. Kubernetes leaves NetworkPolicy
//! undefined for them: a plugin either applies policies to them like to other pods, or (the
//! most common implementation) cannot tell their traffic from the node's and ignores them
//! when matching `podSelector` and `namespaceSelector`. The evaluator takes the first
//! reading, so a verdict that involves such a pod may not be what the cluster does; one
//! warning per pod, at its `hostNetwork: true`, says so.

use super::codes;
use super::context::{effective_rules, Context};
use crate::diag::Diagnostic;
use crate::load::pod_spec_path;
use crate::model::{Peer, Pod};

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let host_pods = cx
        .cluster
        .pods
        .iter()
        .enumerate()
        .filter(|(_, p)| p.host_network);
    for (index, pod) in host_pods {
        let Some(how) = first_use(cx, index, pod) else {
            continue;
        };
        let at = cx
            .loaded
            .locate_pod(index, &format!("{}.hostNetwork", pod_spec_path(pod.kind)));
        let message = format!(
            "`{}` uses its node's network (hostNetwork) and {how}: the verdicts shown assume the network plugin applies policies to hostNetwork pods like to other pods; many plugins instead treat its traffic as the node's and ignore it in podSelector and namespaceSelector",
            pod.id(),
        );
        out.push(
            cx.report_at(codes::HOST_NETWORK_POD, &at, message).with_help(
                "do not rely on NetworkPolicy for hostNetwork pods: match their node's IPs with ipBlock, and firewall the node itself",
            ),
        );
    }
}

/// How the first policy that depends on the pod does (its podSelector selects it, or a
/// peer of a rule that takes effect matches it), for the message.
fn first_use(cx: &Context<'_>, index: usize, pod: &Pod) -> Option<String> {
    cx.cluster
        .policies
        .iter()
        .enumerate()
        .find_map(|(p, policy)| {
            if cx.selected_by(p).contains(&index) {
                return Some(format!("NetworkPolicy `{}` selects it", policy.id()));
            }
            effective_rules(policy)
                .any(|(_, _, rule)| {
                    rule.peers
                        .iter()
                        .any(|peer| peer_matches(cx, &policy.namespace, peer, pod))
                })
                .then(|| format!("a peer of NetworkPolicy `{}` matches it", policy.id()))
        })
}

/// Whether a selector peer written in a policy of `policy_namespace` matches `pod`.
fn peer_matches(cx: &Context<'_>, policy_namespace: &str, peer: &Peer, pod: &Pod) -> bool {
    let Peer::Pods {
        namespace_selector,
        pod_selector,
    } = peer
    else {
        return false;
    };
    let in_namespace = match namespace_selector {
        None => pod.namespace == policy_namespace,
        Some(sel) => sel.matches(&cx.namespace_labels(&pod.namespace)),
    };
    in_namespace && pod_selector.as_ref().is_none_or(|s| s.matches(&pod.labels))
}
