//! Kustomize `commonLabels` (and `labels` with `includeSelectors`) appends its labels to
//! every NetworkPolicy podSelector's `matchLabels`, in the policy's own podSelector and in
//! its peers. A peer then stops matching pods deployed by another kustomization, which do
//! not carry those labels. `matchExpressions` are left alone (the docs' closing advice).
//!
//! Reported as info, on every non-empty podSelector.matchLabels, when the input contains
//! such a kustomization or the user says the project uses one.

use super::codes;
use super::context::{effective_rules, peer_path, Context};
use crate::diag::Diagnostic;
use crate::model::Peer;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !(cx.options.kustomize_common_labels || cx.cluster.kustomize_common_labels) {
        return;
    }
    let help = "write the selector as `matchExpressions: [{key: ..., operator: In, values: [...]}]`, which Kustomize leaves alone";
    for (index, policy) in cx.cluster.policies.iter().enumerate() {
        if !policy.pod_selector.match_labels.is_empty() {
            out.push(
                cx.report(
                    codes::KUSTOMIZE_MATCH_LABELS,
                    index,
                    "spec.podSelector.matchLabels",
                    "Kustomize `commonLabels` will append its labels to this matchLabels",
                )
                .with_help(help),
            );
        }
        for (direction, r, rule) in effective_rules(policy) {
            for (p, peer) in rule.peers.iter().enumerate() {
                let Peer::Pods {
                    pod_selector: Some(sel),
                    ..
                } = peer
                else {
                    continue;
                };
                if sel.match_labels.is_empty() {
                    continue;
                }
                out.push(
                    cx.report(
                        codes::KUSTOMIZE_MATCH_LABELS,
                        index,
                        &format!("{}.podSelector.matchLabels", peer_path(direction, r, p)),
                        "Kustomize `commonLabels` will append its labels to this matchLabels: the peer then only matches pods deployed with the same common labels",
                    )
                    .with_help(help),
                );
            }
        }
    }
}
