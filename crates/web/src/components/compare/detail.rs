//! One change in detail: its causes, and the engine's explanation on both sides, before
//! and after, at the change's probe port (the truth table's port when it changed, else the
//! first port that opened, else closed). The Changes tab shows it under the selected
//! change; the diagram's inspector shows the two verdicts, with the explanations a click
//! away.

use netpol::diff::render::ports;
use netpol::diff::Change;
use netpol::{Cluster, Endpoint, Protocol, Traffic};
use yew::prelude::*;

use crate::compare::Comparison;
use crate::components::diagram::change_kind;
use crate::components::explain_view::{explanation_of, Policies};
use crate::components::icons;
use crate::display::short_id;
use crate::state::{Action, Derived};
use crate::store::Store;

/// The causes of a change, one line each (the engine's wording).
pub fn causes_list(compare: &Comparison, c: &Change) -> Html {
    let causes: Vec<String> = compare.diff.causes_of(c).map(|x| x.describe()).collect();
    if causes.is_empty() {
        return html! {};
    }
    html! {
        <ul class="causes" aria-label="Causes">
            { for causes.into_iter().map(|t| html! { <li>{ t }</li> }) }
        </ul>
    }
}

/// The connection `from → to` at `probe` in `cluster`.
fn traffic(
    cluster: &Cluster,
    (from, to): (&str, &str),
    (port, protocol): (u16, Protocol),
) -> Result<Traffic, netpol::endpoint::EndpointError> {
    Ok(Traffic {
        from: Endpoint::parse(cluster, from)?,
        to: Endpoint::parse(cluster, to)?,
        port,
        protocol,
    })
}

/// The explanation of `from → to` at `probe` on one side, as a card.
fn explain_on(
    store: &Store,
    side: (&Cluster, Policies),
    pair: (&str, &str),
    probe: (u16, Protocol),
) -> Html {
    match traffic(side.0, pair, probe) {
        Ok(t) => explanation_of(store, side, &netpol::explain(side.0, &t)),
        Err(e) => html! { <p class="why">{ e.to_string() }</p> },
    }
}

/// `allowed` or `denied` on one side, as a badge.
fn verdict_badge(cluster: &Cluster, pair: (&str, &str), probe: (u16, Protocol)) -> Html {
    match traffic(cluster, pair, probe).map(|t| netpol::verdict(cluster, &t)) {
        Ok(true) => html! { <span class="badge badge-allowed">{ "allowed" }</span> },
        Ok(false) => html! { <span class="badge badge-denied">{ "denied" }</span> },
        Err(_) => html! {},
    }
}

/// Before and after, one under the other, at the change's probe port.
pub fn before_after(store: &Store, compare: &Comparison, derived: &Derived, c: &Change) -> Html {
    let Some(probe) = c.probe_preferring(store.state().ui.probe) else {
        return html! {};
    };
    let (old_name, new_name) = compare.side_names();
    let old_policies = if compare.before_is_editor() {
        Policies::InEditor
    } else {
        Policies::Elsewhere
    };
    let pair = (c.from.as_str(), c.to.as_str());
    let which = if c.opened.allows(probe.0, probe.1) {
        "opened"
    } else {
        "closed"
    };
    html! {
        <div class="before-after">
            <p class="muted small">{ format!("Explained at {}/{}, a port that {which}.", probe.0, probe.1.as_str()) }</p>
            <section class="compare-side before" aria-label={format!("Before: {old_name}")}>
                <h4 class="compare-side-title"><span class="side-tag">{ "Before" }</span>{ old_name }</h4>
                { explain_on(store, (compare.before(derived), old_policies), pair, probe) }
            </section>
            <section class="compare-side after" aria-label={format!("After: {new_name}")}>
                <h4 class="compare-side-title"><span class="side-tag">{ "After" }</span>{ new_name }</h4>
                { explain_on(store, (&derived.eval.effective, Policies::InEditor), pair, probe) }
            </section>
        </div>
    }
}

/// The inspector's panel for a selected change.
pub fn change_panel(store: &Store, from: &str, to: &str) -> Html {
    let state = store.state();
    let close = store.action(Action::Select(None));
    let Some(compare) = &state.compare else {
        return html! {};
    };
    let Some(c) = compare.change(from, to) else {
        return html! {};
    };
    let kind = change_kind(c);
    let show_list = store.action(Action::SelectTab(crate::state::Tab::Changes));
    let (old_name, new_name) = compare.side_names();
    let pair = (from, to);
    let verdicts = c.probe_preferring(state.ui.probe).map(|probe| {
        html! {
            <p class="compare-verdicts">
                <span class="muted">{ format!("At {}/{}:", probe.0, probe.1.as_str()) }</span>
                <span>{ old_name }{ " " }{ verdict_badge(compare.before(&state.derived), pair, probe) }</span>
                { icons::arrow() }
                <span>{ new_name }{ " " }{ verdict_badge(&state.derived.eval.effective, pair, probe) }</span>
            </p>
        }
    });
    html! {
        <>
            <header class="inspector-head">
                <span class={classes!("badge", format!("badge-{kind}"))}>{ kind }</span>
                <h3 title={format!("{from} → {to}")}><code>{ short_id(from) }</code>{ icons::arrow() }<code>{ short_id(to) }</code></h3>
                <button class="icon-btn" aria-label="Close" title="Close" onclick={move |_| close.emit(())}>{ icons::close() }</button>
            </header>
            <p class="inspector-sub">{ format!("{from} → {to}") }</p>
            <dl class="facts">
                if !c.opened.is_empty() { <dt>{ "Opened" }</dt><dd>{ ports(&c.opened) }</dd> }
                if !c.closed.is_empty() { <dt>{ "Closed" }</dt><dd>{ ports(&c.closed) }</dd> }
            </dl>
            { causes_list(compare, c) }
            { verdicts.unwrap_or_default() }
            <details class="reason">
                <summary>{ "Why, before and after" }</summary>
                { before_after(store, compare, &state.derived, c) }
            </details>
            <footer class="inspector-actions">
                <button class="btn btn-small to-changes" onclick={move |_| show_list.emit(())}>{ "All changes" }</button>
            </footer>
        </>
    }
}
