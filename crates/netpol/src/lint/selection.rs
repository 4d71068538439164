//! Policies that select no pod, and rules or peers that can never match.
//!
//! "Selects no pod" needs the input to show the namespace's pods: a policy pasted without
//! its workloads is not reported. "Never matches" is about the text alone (requirements
//! that contradict each other, `except` entries that swallow the whole `cidr`), so it holds
//! whatever the cluster runs.

use super::codes;
use super::context::{effective_rules, Context};
use super::logic::{contradiction, excepts_cover};
use crate::diag::Diagnostic;
use crate::model::{Peer, Policy};

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (index, policy) in cx.cluster.policies.iter().enumerate() {
        selects_no_pod(cx, index, policy, out);
        for (direction, r, rule) in effective_rules(policy) {
            let reasons: Vec<Option<String>> = rule.peers.iter().map(impossible).collect();
            if !reasons.is_empty() && reasons.iter().all(Option::is_some) {
                let why: Vec<String> = reasons.into_iter().flatten().collect();
                out.push(
                    cx.report_at(
                        codes::NEVER_MATCHES,
                        &cx.rule_origin(index, direction, r),
                        format!("this rule can never match: {}", why.join("; ")),
                    )
                    .with_help("fix the selectors, or delete the rule"),
                );
                continue;
            }
            for (p, reason) in reasons.into_iter().enumerate() {
                if let Some(why) = reason {
                    out.push(
                        cx.report_at(
                            codes::NEVER_MATCHES,
                            &cx.peer_origin(index, direction, r, p),
                            format!("this peer can never match: {why}"),
                        )
                        .with_help("fix the selectors, or delete the peer"),
                    );
                }
            }
        }
    }
}

/// Why a peer matches nothing whatever the cluster holds, if it does.
fn impossible(peer: &Peer) -> Option<String> {
    match peer {
        Peer::Pods {
            namespace_selector,
            pod_selector,
        } => namespace_selector
            .as_ref()
            .and_then(contradiction)
            .map(|why| format!("its namespaceSelector matches no namespace ({why})"))
            .or_else(|| {
                pod_selector
                    .as_ref()
                    .and_then(contradiction)
                    .map(|why| format!("its podSelector matches no pod ({why})"))
            }),
        Peer::IpBlock { cidr, except } => excepts_cover(cidr, except)
            .then(|| format!("the `except` entries cover all of `{cidr}`")),
    }
}

fn selects_no_pod(cx: &Context<'_>, index: usize, policy: &Policy, out: &mut Vec<Diagnostic>) {
    let sel = &policy.pod_selector;
    if let Some(why) = contradiction(sel) {
        out.push(
            cx.report(
                codes::SELECTS_NO_POD,
                index,
                "spec.podSelector",
                format!("podSelector can never select a pod: {why}"),
            )
            .with_help("fix the podSelector, or delete the policy"),
        );
        return;
    }
    let home = cx.pods_in(&policy.namespace);
    if home.is_empty() || !cx.selected_by(index).is_empty() {
        return;
    }
    let mut elsewhere = cx.pods_matching(sel).to_vec();
    elsewhere.retain(|i| cx.pod(*i).is_some_and(|p| p.namespace != policy.namespace));
    let help = if let Some(first) = elsewhere.first().and_then(|i| cx.pod(*i)) {
        format!(
            "a policy applies to pods of its own namespace only: the pods it matches ({}) are elsewhere; set `metadata.namespace: {}`",
            cx.pod_list(&elsewhere),
            first.namespace
        )
    } else {
        closest_label(cx, home, policy).unwrap_or_else(|| {
            format!(
                "label the pods it is for, or change the podSelector (pods here: {})",
                cx.pod_list(home)
            )
        })
    };
    out.push(
        cx.report(
            codes::SELECTS_NO_POD,
            index,
            "spec.podSelector",
            format!(
                "podSelector `{sel}` selects no pod in `{}`: the policy has no effect",
                policy.namespace
            ),
        )
        .with_help(help),
    );
}

/// "did you mean `app=pod-1`?" for a matchLabels entry one typo away from a pod's label.
fn closest_label(cx: &Context<'_>, home: &[usize], policy: &Policy) -> Option<String> {
    let present: Vec<String> = home
        .iter()
        .filter_map(|i| cx.pod(*i))
        .flat_map(|p| p.labels.iter().map(|(k, v)| format!("{k}={v}")))
        .collect();
    policy
        .pod_selector
        .match_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .filter(|wanted| !present.contains(wanted))
        .find_map(|wanted| {
            crate::suggest::closest(&wanted, present.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`?"))
        })
}
