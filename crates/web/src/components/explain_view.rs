//! Renders the engine's [`netpol::Explanation`]: the verdict, then each side (the sender's
//! egress, the receiver's ingress) with the policies that isolate it, the rules that allow
//! the connection, and why every other candidate rule did not. Policy names jump to their
//! line in the editor when they come from the manifests, unless the cluster is not the
//! editor's (the kept side of a comparison). When a ClusterNetworkPolicy selects the pod,
//! a side is the whole chain instead (`explain_chain`): Admin tier, NetworkPolicies,
//! Baseline tier, default. CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies share
//! the NetworkPolicies' stage: a side they select also lists their rules (default deny or
//! opted out), the entries that allow and the denies that win over every allow, each
//! jumping to its policy in the editor.

use netpol::chain::{Explanation, Side};
use netpol::endpoint::EndpointError;
use netpol::model::{Cluster, Direction};
use netpol::{Endpoint, Protocol, Traffic};
use yew::prelude::*;

use crate::chain::rule_parts;
use crate::components::explain_chain::chain_view;
use crate::components::icons;
use crate::display::short_id;
use crate::state::Action;
use crate::store::Store;

/// Where a policy (or one of its rules) is in the editor, if it comes from the manifests.
fn line_of(cluster: &Cluster, policy: usize, rule: Option<(Direction, usize)>) -> Option<usize> {
    let p = cluster.policies.get(policy)?;
    let origin = match rule {
        Some((Direction::Ingress, r)) => p.ingress.get(r).and_then(|r| r.origin.clone()),
        Some((Direction::Egress, r)) => p.egress.get(r).and_then(|r| r.origin.clone()),
        None => None,
    }
    .or_else(|| p.origin.clone())?;
    (origin.source == netpol::workspace::MANIFESTS && origin.line > 0).then_some(origin.line)
}

/// Whose policies an explanation shows: the editor's (names jump to their line) or another
/// side's (a comparison's kept side, whose lines are not the editor's).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Policies {
    InEditor,
    Elsewhere,
}

fn policy_link(
    store: &Store,
    (cluster, policies): (&Cluster, Policies),
    name: &str,
    policy: usize,
    rule: Option<(Direction, usize)>,
) -> Html {
    let label = match rule {
        Some((d, r)) => format!("{name} {}[{r}]", d.as_str().to_lowercase()),
        None => name.to_string(),
    };
    source_link(store, policies, label, line_of(cluster, policy, rule))
}

/// `label` as a button to its line in the editor; plain (tagged "generated" when it has no
/// line) when it is not in the editor.
pub(super) fn source_link(
    store: &Store,
    policies: Policies,
    label: String,
    line: Option<usize>,
) -> Html {
    if policies == Policies::Elsewhere {
        return html! { <span><code>{ label }</code></span> };
    }
    match line {
        Some(line) => {
            let jump = store.action(Action::JumpToLine(line));
            html! {
                <button class="link" onclick={move |_| jump.emit(())} title={format!("Go to line {line}")}>
                    <code>{ label }</code>
                </button>
            }
        }
        None => {
            html! { <span><code>{ label }</code><span class="tag">{ "generated" }</span></span> }
        }
    }
}

/// What the NetworkPolicies that isolate the pod say: the policies, the rules that allow,
/// or why each candidate rule does not.
pub(super) fn network_policy_body(
    store: &Store,
    cluster: (&Cluster, Policies),
    side: &Side,
) -> Html {
    let dir = side.direction;
    let isolated = side.isolated_by.iter().map(|p| {
        html! { <li>{ policy_link(store, cluster, &p.policy, p.index, None) }</li> }
    });
    let allowed = side.allowed_by.iter().map(|r| {
        html! { <li>{ icons::check() }{ policy_link(store, cluster, &r.policy, r.policy_index, Some((dir, r.rule))) }</li> }
    });
    let misses = side.candidates.iter().map(|c| {
        html! {
            <li>
                { icons::cross() }
                { policy_link(store, cluster, &c.rule.policy, c.rule.policy_index, Some((dir, c.rule.rule))) }
                <span class="why">{ c.miss.describe() }</span>
            </li>
        }
    });
    html! {
        <>
            <p class="muted">{ "Isolated by" }</p>
            <ul class="chips">{ for isolated }</ul>
            if !side.allowed_by.is_empty() {
                <p class="muted">{ "Allowed by" }</p>
                <ul class="rules ok">{ for allowed }</ul>
            } else if side.candidates.is_empty() {
                <p class="why">{ format!("No {} rule at all: the isolating policies allow nothing in this direction.", dir.as_str().to_lowercase()) }</p>
            } else {
                <p class="muted">{ "No rule matches" }</p>
                <ul class="rules miss">{ for misses }</ul>
            }
        </>
    }
}

/// Where a Cilium policy, or one entry of it, is in the editor, if it comes from the
/// manifests: the entry's line when given and known, else the policy's.
fn cilium_line(
    cluster: &Cluster,
    kind: &str,
    id: &str,
    entry: Option<&netpol::cilium::EntryRef>,
) -> Option<usize> {
    let p = cluster
        .cilium
        .policies
        .iter()
        .find(|p| p.kind.as_str() == kind && p.id() == id)?;
    let origin = entry
        .and_then(|r| p.entry_origin(r.spec_index, r.list, r.index))
        .or(p.origin.as_ref())?;
    (origin.source == netpol::workspace::MANIFESTS && origin.line > 0).then_some(origin.line)
}

/// A Cilium entry (`CiliumNetworkPolicy default/deny-world egressDeny[0]`) as a link.
fn cilium_entry(
    store: &Store,
    (cluster, policies): (&Cluster, Policies),
    r: &netpol::cilium::EntryRef,
) -> Html {
    let line = cilium_line(cluster, r.kind.as_str(), &r.policy, Some(r));
    source_link(store, policies, r.to_string(), line)
}

/// What the Cilium policies of one direction say: the rules that select the pod (those that
/// put it in default deny, and those that opt out), the denies that match (any one denies,
/// whatever allows), the entries that allow, the own node's pass (`allow-localhost`).
pub(super) fn cilium_body(store: &Store, cluster: (&Cluster, Policies), side: &Side) -> Html {
    let c = &side.cilium;
    if c.is_empty() {
        return html! {};
    }
    let dir = side.direction.as_str().to_lowercase();
    let rules = c.rules.iter().map(|r| {
        let (kind, id, place) = rule_parts(r);
        let label = if place == "spec" {
            format!("{kind} {id}")
        } else {
            format!("{kind} {id} {place}")
        };
        let line = cilium_line(cluster.0, kind, id, None);
        let tag = if c.default_deny_by.contains(r) {
            "default deny"
        } else {
            "opts out"
        };
        html! { <li>{ source_link(store, cluster.1, label, line) }<span class="tag">{ tag }</span></li> }
    });
    let overrode = c.deny_overrode_allow(!side.allowed_by.is_empty());
    let denied = c.denied_by.iter().map(|r| {
        html! {
            <li>
                { icons::cross() }
                { cilium_entry(store, cluster, r) }
                if overrode {
                    <span class="why">{ "a deny overrides every allow, of either kind" }</span>
                }
            </li>
        }
    });
    let allowed = c.allowed_by.iter().map(|r| {
        html! { <li>{ icons::check() }{ cilium_entry(store, cluster, r) }</li> }
    });
    let nothing = c.allowed_by.is_empty() && c.denied_by.is_empty() && !c.local_host;
    html! {
        <div class="cilium">
            if !c.rules.is_empty() {
                <p class="muted">{ "Cilium rules" }</p>
                <ul class="chips">{ for rules }</ul>
            }
            if !c.denied_by.is_empty() {
                <p class="muted">{ "Denied by" }</p>
                <ul class="rules miss">{ for denied }</ul>
            }
            if !c.allowed_by.is_empty() {
                <p class="muted">{ if c.denied_by.is_empty() { "Allowed by" } else { "Also allowed by (overridden)" } }</p>
                <ul class="rules ok">{ for allowed }</ul>
            }
            if c.local_host {
                <p class="why">{ "The peer is the pod's own node, which Cilium always lets in (allow-localhost)." }</p>
            }
            if nothing && !c.rules.is_empty() {
                <p class="why">{ format!("No {dir} entry of theirs matches.") }</p>
            }
        </div>
    }
}

/// The NetworkPolicy stage of a side a Cilium policy selects: a line on what decided, the
/// NetworkPolicies (when one isolates the pod), then the Cilium policies.
pub(super) fn shared_stage_body(store: &Store, cluster: (&Cluster, Policies), side: &Side) -> Html {
    let dir = side.direction.as_str().to_lowercase();
    let np = if side.isolated_by.is_empty() {
        html! { <p class="muted">{ format!("No NetworkPolicy selects it for {dir}.") }</p> }
    } else {
        network_policy_body(store, cluster, side)
    };
    html! {
        <>
            { np }
            { cilium_body(store, cluster, side) }
        </>
    }
}

/// The line over a side that Cilium policies select but no tier does.
fn shared_stage_summary(side: &Side) -> String {
    let dir = side.direction.as_str().to_lowercase();
    match side.decided_by {
        netpol::Stage::NetworkPolicy if !side.cilium.denied_by.is_empty() => {
            "A Cilium deny matches: denied, whatever allows.".to_string()
        }
        netpol::Stage::NetworkPolicy if side.allowed => {
            "Isolated, and a rule allows it: allowed.".to_string()
        }
        netpol::Stage::NetworkPolicy => format!("Isolated for {dir}, and no rule allows it."),
        _ => format!(
            "Not isolated: nothing puts it in default deny for {dir} and no deny matches, so it is allowed."
        ),
    }
}

fn side_view(store: &Store, cluster: (&Cluster, Policies), side: &Side, who: &str) -> Html {
    let dir = side.direction;
    let title = match dir {
        Direction::Egress => format!("Egress from {who}"),
        Direction::Ingress => format!("Ingress to {who}"),
    };
    let ok = side.allows();
    let body = match &side.pod {
        None => html! { <p>{ "Outside the cluster: no NetworkPolicy applies to this end." }</p> },
        Some(_) if side.has_tiers() => chain_view(store, cluster, side),
        Some(_) if !side.cilium.is_empty() => html! {
            <>
                <p>{ shared_stage_summary(side) }</p>
                { shared_stage_body(store, cluster, side) }
            </>
        },
        Some(_) if side.isolated_by.is_empty() => html! {
            <p>{ format!("Not isolated: no policy selects it for {}, so everything is allowed.", dir.as_str().to_lowercase()) }</p>
        },
        Some(_) => network_policy_body(store, cluster, side),
    };
    html! {
        <div class={classes!("side", if ok { "ok" } else { "blocked" })} data-direction={dir.as_str()}>
            <h4>{ if ok { icons::check() } else { icons::cross() } }{ title }</h4>
            { body }
        </div>
    }
}

/// The explanation of a connection between two endpoints given by id, as a card; an id
/// that names nothing is the error.
pub fn explain_ids(
    store: &Store,
    cluster: &Cluster,
    (from, to): (&str, &str),
    (port, protocol): (u16, Protocol),
) -> Result<Html, EndpointError> {
    let traffic = Traffic {
        from: Endpoint::parse(cluster, from)?,
        to: Endpoint::parse(cluster, to)?,
        port,
        protocol,
    };
    Ok(explanation(
        store,
        cluster,
        &netpol::explain(cluster, &traffic),
    ))
}

/// The explanation, as a card.
pub fn explanation(store: &Store, cluster: &Cluster, e: &Explanation) -> Html {
    explanation_of(store, (cluster, Policies::InEditor), e)
}

/// The explanation, as a card, for a cluster whose policies are the editor's or not.
pub fn explanation_of(store: &Store, cluster: (&Cluster, Policies), e: &Explanation) -> Html {
    html! {
        <div class={classes!("explanation", if e.allowed { "allowed" } else { "denied" })}>
            <p class="verdict-line">
                <span class={classes!("badge", if e.allowed { "badge-allowed" } else { "badge-denied" })}>
                    { if e.allowed { "Allowed" } else { "Denied" } }
                </span>
                <code>{ &e.from }</code>{ " → " }<code>{ &e.to }</code>
                <span class="muted">{ format!(" on {}/{}", e.port, e.protocol.as_str()) }</span>
            </p>
            if e.loopback {
                <p class="muted">{ "A pod may always talk to itself." }</p>
            } else {
                <p class="muted small">{ "A connection needs the sender's egress and the receiver's ingress to allow it." }</p>
                <div class="sides">
                    { side_view(store, cluster, &e.egress, &short_id(&e.from)) }
                    { side_view(store, cluster, &e.ingress, &short_id(&e.to)) }
                </div>
            }
        </div>
    }
}
