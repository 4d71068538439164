//! Peers that select the wrong pods: the docs' own warning (a podSelector alone never
//! reaches another namespace), a namespaceSelector and a podSelector split into two peers
//! (OR) where one peer (AND) was meant, and namespaceSelectors on labels no namespace has.

use std::collections::BTreeSet;

use super::codes;
use super::context::{effective_rules, peer_path, Context};
use crate::diag::Diagnostic;
use crate::model::{Origin, Peer, Pod, Policy, NAMESPACE_NAME_LABEL};
use crate::selector::Operator;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (index, policy) in cx.cluster.policies.iter().enumerate() {
        for (direction, r, rule) in effective_rules(policy) {
            // A split pair gets one warning, not a second one on its podSelector half.
            let mut split_peers = BTreeSet::new();
            for (p, pair) in rule.peers.windows(2).enumerate() {
                if let [a, b] = pair {
                    // Placed only when reported: placing can mean reading the item again.
                    let at = || cx.peer_origin(index, direction, r, p + 1);
                    if split(cx, policy, (a, b), at, out) {
                        split_peers.extend([p, p + 1]);
                    }
                }
            }
            for (p, peer) in rule.peers.iter().enumerate() {
                let path = peer_path(direction, r, p);
                if !split_peers.contains(&p) {
                    other_namespace(cx, index, policy, peer, &path, out);
                }
                unknown_namespace_label(cx, index, peer, &path, out);
            }
        }
    }
}

/// A podSelector-only peer that selects nothing at home but pods elsewhere.
fn other_namespace(
    cx: &Context<'_>,
    index: usize,
    policy: &Policy,
    peer: &Peer,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Peer::Pods {
        namespace_selector: None,
        pod_selector: Some(sel),
    } = peer
    else {
        return;
    };
    if sel.selects_all() {
        return;
    }
    let matching = cx.pods_matching(sel);
    let at_home = |i: &usize| cx.pod(*i).is_some_and(|p| p.namespace == policy.namespace);
    if matching.iter().any(at_home) {
        return;
    }
    let elsewhere = matching;
    if elsewhere.is_empty() {
        return;
    }
    let namespaces: BTreeSet<&str> = elsewhere
        .iter()
        .filter_map(|i| cx.pod(*i))
        .map(|p| p.namespace.as_str())
        .collect();
    let selector_hint = match namespaces.iter().collect::<Vec<_>>().as_slice() {
        [one] => format!("`namespaceSelector: {{matchLabels: {{{NAMESPACE_NAME_LABEL}: {one}}}}}`"),
        _ => "a namespaceSelector for those namespaces".to_string(),
    };
    out.push(
        cx.report(
            codes::PEER_IN_OTHER_NAMESPACE,
            index,
            &format!("{path}.podSelector"),
            format!(
                "podSelector `{sel}` matches no pod in `{}`, the policy's namespace, but matches {} in another namespace: without a namespaceSelector a podSelector only selects pods of the policy's own namespace",
                policy.namespace,
                cx.pod_list(&elsewhere)
            ),
        )
        .with_help(format!(
            "add a namespaceSelector: the peer lives in another namespace; put {selector_hint} in the same peer as the podSelector (no `-` before it)"
        )),
    );
}

/// `- namespaceSelector: ...` directly followed (or preceded) by `- podSelector: ...`.
fn split(
    cx: &Context<'_>,
    policy: &Policy,
    (a, b): (&Peer, &Peer),
    at: impl FnOnce() -> Origin,
    out: &mut Vec<Diagnostic>,
) -> bool {
    let (ns_sel, pod_sel, ns_first) = match (a, b) {
        (
            Peer::Pods {
                namespace_selector: Some(n),
                pod_selector: None,
            },
            Peer::Pods {
                namespace_selector: None,
                pod_selector: Some(p),
            },
        ) => (n, p, true),
        (
            Peer::Pods {
                namespace_selector: None,
                pod_selector: Some(p),
            },
            Peer::Pods {
                namespace_selector: Some(n),
                pod_selector: None,
            },
        ) => (n, p, false),
        _ => return false,
    };
    // The OR is deliberate when the podSelector finds its pods at home and none in the
    // selected namespaces: "this namespace's X, plus everything in those namespaces".
    if !cx.cluster.pods.is_empty() {
        let matching: Vec<&Pod> = cx
            .pods_matching(pod_sel)
            .iter()
            .filter_map(|i| cx.pod(*i))
            .collect();
        let home = matching.iter().any(|pod| pod.namespace == policy.namespace);
        let there = matching.iter().any(|pod| {
            pod.namespace != policy.namespace
                && ns_sel.matches(&cx.namespace_labels(&pod.namespace))
        });
        if home && !there {
            return false;
        }
    }
    let (first, second) = if ns_first {
        ("namespaceSelector", "podSelector")
    } else {
        ("podSelector", "namespaceSelector")
    };
    out.push(
        cx.report_at(
            codes::SPLIT_PEER,
            &at(),
            format!(
                "`{first}` and `{second}` are two peers (OR): this allows every pod of the namespaces matching `{ns_sel}`, and separately pods matching `{pod_sel}` in `{}`",
                policy.namespace
            ),
        )
        .with_help(format!(
            "to allow only pods matching `{pod_sel}` in namespaces matching `{ns_sel}`, make them one peer: remove the `-` before `{second}` and indent it like `{first}`"
        )),
    );
    true
}

/// Keys a namespaceSelector requires that no namespace carries.
fn unknown_namespace_label(
    cx: &Context<'_>,
    index: usize,
    peer: &Peer,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Peer::Pods {
        namespace_selector: Some(sel),
        ..
    } = peer
    else {
        return;
    };
    let base = format!("{path}.namespaceSelector");
    let required = sel
        .match_labels
        .iter()
        .map(|(k, v)| {
            (
                k.as_str(),
                Some(v.as_str()),
                format!("{base}.matchLabels.{k}"),
            )
        })
        .chain(
            sel.match_expressions
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let value = match r.operator {
                        Operator::In => r.values.first().map(String::as_str),
                        Operator::Exists => None,
                        Operator::NotIn | Operator::DoesNotExist => return None,
                    };
                    Some((
                        r.key.as_str(),
                        value,
                        format!("{base}.matchExpressions[{i}].key"),
                    ))
                }),
        );
    for (key, value, at) in required {
        if cx.namespace_keys.contains(key) {
            continue;
        }
        let help = match value {
            Some(v) => format!(
                "every namespace carries `{NAMESPACE_NAME_LABEL}`: select it with `{NAMESPACE_NAME_LABEL}: {v}`, or label the namespace `{key}: {v}`"
            ),
            None => format!(
                "every namespace carries `{NAMESPACE_NAME_LABEL}`; or label the namespaces `{key}`"
            ),
        };
        out.push(
            cx.report(
                codes::UNKNOWN_NAMESPACE_LABEL,
                index,
                &at,
                format!("namespaceSelector needs label `{key}`, which no namespace in the input carries, so it selects no namespace"),
            )
            .with_help(help),
        );
    }
}
