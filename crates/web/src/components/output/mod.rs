//! The output pane: Generated YAML (with the generator's options, Copy and Download),
//! Diagnostics (click to jump to the line), the truth table (click a cell to explain it),
//! Explain (pick two endpoints and a port) and, while comparing, Changes (the compare
//! views' `ChangesTab`). One file per tab.

mod diagnostics;
mod explain;
mod flows;
mod generated;
mod table;

use netpol::{Protocol, Severity};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::compare::ChangesTab;
use crate::state::{Action, Tab};
use crate::store::use_store;

use diagnostics::diagnostics_tab;
use explain::ExplainTab;
pub use flows::log_drop;
use flows::FlowsTab;
pub use generated::GeneratedPane;
use table::TruthTable;

fn protocol_of(s: &str) -> Protocol {
    Protocol::parse(s).unwrap_or(Protocol::Tcp)
}

fn select_value(e: &Event) -> String {
    e.target_dyn_into::<HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

fn input_value(e: &Event) -> String {
    e.target_dyn_into::<HtmlInputElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

/// The output pane with its tabs.
#[function_component(Output)]
pub fn output() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let tab = state.ui.tab;
    let n_diag = state.derived.diagnostics.len()
        + usize::from(state.derived.skipped.is_some())
        + usize::from(state.derived.eval.generated.is_err())
        + state.derived.arrows.iter().filter(|a| !a.present).count()
        + state.derived.eval.bad_externals.len();
    let has_errors = state
        .derived
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
        || state.derived.eval.generated.is_err()
        || state.derived.skipped.is_some();
    let n_gen = state.derived.generated_count();
    let tab_btn = |t: Tab, label: &str, badge: Option<(usize, &'static str)>| {
        let select = store.action(Action::SelectTab(t));
        let id = format!("tab-{}", label.to_lowercase().replace(' ', "-"));
        html! {
            <button role="tab" id={id} aria-selected={(tab == t).to_string()} class={classes!("tab", (tab == t).then_some("active"))}
                onclick={move |_| select.emit(())}>
                { label }
                if let Some((n, class)) = badge {
                    if n > 0 { <span class={classes!("count", class)}>{ n }</span> }
                }
            </button>
        }
    };
    let body = match tab {
        Tab::Generated => html! { <GeneratedPane /> },
        Tab::Diagnostics => diagnostics_tab(&store),
        Tab::Table => html! { <TruthTable /> },
        Tab::Explain => html! { <ExplainTab /> },
        Tab::Changes => html! { <ChangesTab /> },
        Tab::Flows => html! { <FlowsTab /> },
    };
    let dropped = state.replay.as_ref().map(|r| r.dropped());
    let changes = state.compare.as_ref().map(|c| c.diff.changes.len());
    html! {
        <section class="pane output-pane" aria-label="Output">
            <header class="pane-head tabs-head">
                <div class="tabs" role="tablist" aria-label="Output">
                    { tab_btn(Tab::Generated, "Generated YAML", Some((n_gen, "neutral"))) }
                    { tab_btn(Tab::Diagnostics, "Diagnostics", Some((n_diag, if has_errors { "bad" } else { "neutral" }))) }
                    { tab_btn(Tab::Table, "Truth table", None) }
                    { tab_btn(Tab::Explain, "Explain", None) }
                    { tab_btn(Tab::Flows, "Flows", dropped.map(|n| (n, "bad"))) }
                    if let Some(n) = changes { { tab_btn(Tab::Changes, "Changes", Some((n, "change"))) } }
                </div>
            </header>
            <div class="pane-body" role="tabpanel">{ body }</div>
        </section>
    }
}
