//! One direction of an explanation as the whole tier chain, for a pod a ClusterNetworkPolicy
//! selects: the Admin tier (the rule that matched, with its action and priority, and the
//! rules tried before it), the NetworkPolicies, the Baseline tier, the default. Every stage
//! says in words what it did (decides, pass, no match, none, not reached), so the one that
//! decided is found by reading, not by colour. Rule names jump to their line in the editor
//! like the NetworkPolicy links; Cilium policies, which share the NetworkPolicies' stage,
//! list their rules and entries there. Also the inspector's badge: what decided each
//! direction (for a Cilium decision, the kind, policy and entry).

use netpol::chain::{Explanation, Side};
use netpol::cnp::{TierEvidence, TierRuleRef};
use netpol::model::{Cluster, Direction};
use netpol::Stage;
use yew::prelude::*;

use super::explain_view::{network_policy_body, shared_stage_body, source_link, Policies};
use crate::chain::{decided, tier_summary, Outcome};
use crate::components::icons;
use crate::store::Store;

/// Where a ClusterNetworkPolicy rule (or the policy) is in the editor, if it is there.
fn tier_line(cluster: &Cluster, policy: usize, direction: Direction, rule: usize) -> Option<usize> {
    let p = cluster.cluster_policies.get(policy)?;
    let origin = p
        .rules(direction)
        .get(rule)
        .and_then(|r| r.origin.clone())
        .or_else(|| p.origin.clone())?;
    (origin.source == netpol::workspace::MANIFESTS && origin.line > 0).then_some(origin.line)
}

/// `egress[1] deny-web` as a link to its line, then `Deny · priority 10 · policy platform`.
fn tier_rule(
    store: &Store,
    (cluster, policies): (&Cluster, Policies),
    dir: Direction,
    r: &TierRuleRef,
) -> Html {
    let mut label = format!("{}[{}]", dir.as_str().to_lowercase(), r.rule);
    if let Some(name) = &r.name {
        label = format!("{label} {name}");
    }
    let line = tier_line(cluster, r.policy_index, dir, r.rule);
    html! {
        <>
            { source_link(store, policies, label, line) }
            <span class="rule-facts">
                <span class={classes!("action", format!("action-{}", r.action.as_str().to_lowercase()))}>{ r.action.as_str() }</span>
                { format!(" · priority {} · {}", r.priority, r.policy) }
            </span>
        </>
    }
}

/// One tier's evidence: the rule that matched, the rules tried before it and why they did
/// not match, and same-priority rules of other policies that disagree.
fn tier_body(
    store: &Store,
    cluster: (&Cluster, Policies),
    dir: Direction,
    tier: &TierEvidence,
    outcome: Outcome,
) -> Html {
    if matches!(outcome, Outcome::Absent | Outcome::NotReached) {
        return html! {};
    }
    let tried = tier.candidates.iter().map(|c| {
        html! {
            <li>
                { icons::cross() }
                <span>{ tier_rule(store, cluster, dir, &c.rule) }</span>
                <span class="why">{ c.miss.describe() }</span>
            </li>
        }
    });
    let ambiguous = tier.ambiguous.iter().map(|a| {
        html! {
            <li>
                { icons::warning() }
                <span>{ tier_rule(store, cluster, dir, a) }</span>
                <span class="why">{ "has the same priority and matches too: the implementation may apply either" }</span>
            </li>
        }
    });
    html! {
        <>
            if let Some(m) = &tier.matched {
                <ul class="rules matched"><li>{ icons::check() }<span>{ tier_rule(store, cluster, dir, m) }</span></li></ul>
            }
            if !tier.candidates.is_empty() {
                <p class="muted">{ if tier.matched.is_some() { "Tried first" } else { "No rule matches" } }</p>
                <ul class="rules miss">{ for tried }</ul>
            }
            if !tier.ambiguous.is_empty() {
                <ul class="rules ambiguous">{ for ambiguous }</ul>
            }
        </>
    }
}

/// The words on a stage's tag.
fn outcome_tag(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Decides => "decides",
        Outcome::Passes => "pass",
        Outcome::NoMatch => "no match",
        Outcome::Absent => "none",
        Outcome::NotReached => "not reached",
    }
}

fn step(stage: Stage, name: &str, outcome: Outcome, summary: String, body: Html) -> Html {
    html! {
        <li class="step" data-stage={stage.as_str()} data-outcome={outcome.as_str()}>
            <div class="step-head">
                <span class="step-name">{ name }</span>
                <span class="step-tag">{ outcome_tag(outcome) }</span>
            </div>
            <p class="step-summary">{ summary }</p>
            { body }
        </li>
    }
}

/// The NetworkPolicy stage's line (the Cilium policies share the stage).
fn network_policy_summary(side: &Side, outcome: Outcome) -> String {
    let dir = side.direction.as_str().to_lowercase();
    let cilium = !side.cilium.is_empty();
    match outcome {
        Outcome::Absent => {
            format!("No NetworkPolicy selects this pod for {dir}: on to the Baseline tier.")
        }
        Outcome::NotReached if side.isolated_by.is_empty() => {
            "Not reached: the Admin tier decided.".to_string()
        }
        Outcome::NotReached => {
            let names: Vec<&str> = side.isolated_by.iter().map(|p| p.policy.as_str()).collect();
            format!(
                "Not reached: the Admin tier decided (isolated by {}).",
                names.join(", ")
            )
        }
        Outcome::NoMatch => format!(
            "Cilium rules select this pod, but none puts it in default deny for {dir} and no deny matches: on to the Baseline tier."
        ),
        _ if cilium && !side.cilium.denied_by.is_empty() => {
            "A Cilium deny matches: denied here, whatever allows.".to_string()
        }
        _ if side.allowed => "They select this pod, so they decide: allowed.".to_string(),
        _ => "They select this pod, so they decide: no rule allows it.".to_string(),
    }
}

/// A side's chain: the four stages in evaluation order.
pub fn chain_view(store: &Store, cluster: (&Cluster, Policies), side: &Side) -> Html {
    let dir = side.direction;
    let admin = side.outcome(Stage::Admin);
    let np = side.outcome(Stage::NetworkPolicy);
    let baseline = side.outcome(Stage::Baseline);
    let default = side.outcome(Stage::Default);
    let cilium = !side.cilium.is_empty();
    let np_body = match np {
        Outcome::Decides | Outcome::NoMatch if cilium => shared_stage_body(store, cluster, side),
        Outcome::Decides => network_policy_body(store, cluster, side),
        _ => html! {},
    };
    let np_name = if cilium {
        "NetworkPolicies and Cilium policies"
    } else {
        "NetworkPolicies"
    };
    html! {
        <ol class="chain" aria-label={format!("{} chain", dir.as_str())}>
            { step(Stage::Admin, "Admin tier", admin,
                tier_summary("Admin", admin, &side.admin, "the NetworkPolicies"),
                tier_body(store, cluster, dir, &side.admin, admin)) }
            { step(Stage::NetworkPolicy, np_name, np, network_policy_summary(side, np), np_body) }
            { step(Stage::Baseline, "Baseline tier", baseline,
                tier_summary("Baseline", baseline, &side.baseline, "the default"),
                tier_body(store, cluster, dir, &side.baseline, baseline)) }
            { step(Stage::Default, "Default", default,
                if default == Outcome::Decides { "Allowed: no stage decided.".to_string() } else { "Not reached.".to_string() },
                html! {}) }
        </ol>
    }
}

/// The inspector's facts: what decided each direction of `e`, as a badge whose text names
/// the tier (and for a tier, the action, policy and priority).
pub fn decided_facts(e: &Explanation) -> Html {
    let row = |label: &str, side: &Side| {
        let d = decided(side);
        html! {
            <>
                <dt>{ label }</dt>
                <dd class="decided" title={d.text()}>
                    <span class="tier-badge" data-stage={d.stage}>{ d.badge }</span>
                    if let Some(detail) = &d.detail {
                        { " " }<span class="tier-detail">{ detail.clone() }</span>
                    }
                </dd>
            </>
        }
    };
    if e.loopback {
        return html! {};
    }
    html! {
        <>
            { row("Egress decided by", &e.egress) }
            { row("Ingress decided by", &e.ingress) }
        </>
    }
}
