//! The Changes tab: what the comparison opened and closed, pair by pair, each with its
//! causes; activating a change (click, Enter or Space) shows the explanation before and
//! after under it and marks it on the diagram. Above the list: the endpoints added and
//! removed, and what the engine said about the compared side (a document it rejected is
//! missing from that side, as it would be from the cluster).

use netpol::diff::render::{change_text, summary};
use netpol::{Diagnostic, Severity};
use yew::prelude::*;

use super::detail::{before_after, causes_list};
use crate::compare::Comparison;
use crate::components::diagram::{change_glyph, change_kind};
use crate::components::icons;
use crate::state::{Action, Selection};
use crate::store::use_store;

/// Changes listed at most; the rest are counted (the share link and `netpol diff` have
/// them all).
const MAX_LISTED: usize = 300;

#[function_component(ChangesTab)]
pub fn changes_tab() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let Some(compare) = &state.compare else {
        return html! { <p class="muted">{ "Not comparing: use Compare in the top bar." }</p> };
    };
    let diff = &compare.diff;
    let selected = match &state.ui.selection {
        Some(Selection::Change(a, b)) => Some((a.clone(), b.clone())),
        _ => None,
    };
    let items = diff.changes.iter().take(MAX_LISTED).enumerate().map(|(i, c)| {
        let is_selected = selected.as_ref().is_some_and(|(a, b)| *a == c.from && *b == c.to);
        let toggle = store.action(Action::Select(
            (!is_selected).then(|| Selection::Change(c.from.clone(), c.to.clone())),
        ));
        let kind = change_kind(c);
        let detail_id = format!("change-detail-{i}");
        html! {
            <li class={classes!("change-item", kind, is_selected.then_some("selected"))}>
                <button class="change-head" aria-expanded={is_selected.to_string()} aria-controls={is_selected.then(|| detail_id.clone())}
                    onclick={move |_| toggle.emit(())}>
                    <span class={classes!("change-glyph", kind)} aria-hidden="true">{ change_glyph(kind) }</span>
                    <span class="change-pair"><code>{ &c.from }</code>{ " → " }<code>{ &c.to }</code></span>
                    <span class="change-ports">{ change_text(c) }</span>
                </button>
                { causes_list(compare, c) }
                if is_selected {
                    <div id={detail_id} class="change-detail">{ before_after(&store, compare, &state.derived, c) }</div>
                }
            </li>
        }
    });
    let more = diff.changes.len().saturating_sub(MAX_LISTED);
    html! {
        <div class="changes-tab">
            <p class="changes-summary">
                { "Compared with " }<strong>{ compare.title() }</strong>{ ": " }{ summary(diff) }{ "." }
            </p>
            { kept_problems(compare) }
            { endpoints(diff) }
            if diff.changes.is_empty() {
                <div class="empty-state">
                    <p>{ "No flow opened or closed." }</p>
                    <p>{ "Edit the manifests, draw arrows or change the options: every connection that opens or closes shows here, with the policy change that did it." }</p>
                </div>
            } else {
                <ul class="change-list" aria-label="Changes">{ for items }</ul>
            }
            if more > 0 {
                <p class="muted small">{ format!("… and {more} more changed pairs (a share link or `netpol diff` lists them all).") }</p>
            }
            { kept_manifests(compare) }
        </div>
    }
}

fn endpoints(diff: &netpol::diff::Diff) -> Html {
    let chips = |ids: &[String]| {
        ids.iter()
            .map(|id| html! { <li><code>{ id }</code></li> })
            .collect::<Html>()
    };
    html! {
        <>
            if !diff.added_endpoints.is_empty() {
                <p class="muted small">{ "Endpoints added" }</p>
                <ul class="chips endpoint-chips added" aria-label="Endpoints added">{ chips(&diff.added_endpoints) }</ul>
            }
            if !diff.removed_endpoints.is_empty() {
                <p class="muted small">{ "Endpoints removed" }</p>
                <ul class="chips endpoint-chips removed" aria-label="Endpoints removed">{ chips(&diff.removed_endpoints) }</ul>
            }
        </>
    }
}

/// Errors and warnings on the compared side (not the editor's lines: they are numbered in
/// the compared text).
fn kept_problems(compare: &Comparison) -> Html {
    let Some(kept) = &compare.kept else {
        return html! {};
    };
    let shown: Vec<&Diagnostic> = kept
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .collect();
    if shown.is_empty() && kept.skipped.is_none() {
        return html! {};
    }
    let n = shown.len() + usize::from(kept.skipped.is_some());
    let item = |d: &Diagnostic| {
        let at = if d.line > 0 {
            format!("line {}:{}: ", d.line, d.column)
        } else {
            String::new()
        };
        html! { <li class={classes!("diag", d.severity.as_str())}><span class="sev">{ icons::warning() }</span><div class="diag-body"><p class="diag-msg">{ format!("{at}{}", d.message) }</p></div></li> }
    };
    html! {
        <details class="kept-problems">
            <summary>
                { icons::warning() }
                { format!("The compared side has {n} problem{}", if n == 1 { "" } else { "s" }) }
            </summary>
            <ul class="diag-list">
                if let Some(s) = &kept.skipped { <li class="diag error"><span class="sev">{ icons::warning() }</span><div><p>{ s.clone() }</p></div></li> }
                { for shown.into_iter().map(item) }
            </ul>
        </details>
    }
}

/// The compared manifests, read-only (a snapshot's or what was pasted).
fn kept_manifests(compare: &Comparison) -> Html {
    let Some(kept) = &compare.kept else {
        return html! {};
    };
    html! {
        <details class="kept-manifests">
            <summary>{ "Show the compared manifests" }</summary>
            <pre class="code" aria-label="Compared manifests">{ &kept.ws.manifests }</pre>
        </details>
    }
}
