//! The inspector's view of a goal line selected on the diagram: what the lesson asks, what
//! the workspace does, and the engine's explanation (the same one the panel's **Why?**
//! shows). Grading is the engine's: this only renders the lesson report's outcome.

use netpol::lesson::Outcome;
use yew::prelude::*;

use crate::components::explain_view;
use crate::components::icons;
use crate::display::short_id;
use crate::lessons::Grade;
use crate::state::{Action, ExplainQuery};
use crate::store::use_store;

#[derive(Properties, PartialEq)]
pub struct GoalDetailsProps {
    /// The goal line's index in the lesson's goal.
    pub index: usize,
}

/// What the lesson asks of a connection and what the workspace does, in one sentence.
pub fn goal_sentence(o: &Outcome) -> String {
    let asked = if o.expectation.allowed {
        "must be allowed"
    } else {
        "must stay blocked"
    };
    let now = match (&o.error, o.actual) {
        (Some(_), _) => "it cannot be checked",
        (None, true) => "it is allowed now",
        (None, false) => "it is blocked now",
    };
    format!("The lesson: this connection {asked}; {now}.")
}

/// The selected goal line, or nothing when the lesson has no such line (any more).
#[function_component(GoalDetails)]
pub fn goal_details(props: &GoalDetailsProps) -> Html {
    let (Some(store), Some(grade)) = (use_store(), use_context::<Grade>()) else {
        return html! {};
    };
    let Some(o) = grade
        .graded()
        .and_then(|g| g.report.outcomes.get(props.index))
    else {
        return html! {};
    };
    let e = &o.expectation;
    let close = store.action(Action::Select(None));
    let details = store.action(Action::Explain(ExplainQuery {
        from: e.from.clone(),
        to: e.to.clone(),
        port: e.port,
        protocol: e.protocol,
    }));
    let cluster = &store.state().derived.eval.effective;
    let (badge, status) = if o.met {
        ("badge-allowed", "goal met")
    } else {
        ("badge-denied", "goal not met")
    };
    html! {
        <div class="goal-details" data-goal-index={props.index.to_string()} data-met={o.met.to_string()}>
            <header class="inspector-head">
                <span class={classes!("badge", badge)}>{ if o.met { icons::check() } else { icons::cross() } }{ status }</span>
                <h3 title={e.connection()}><code>{ short_id(&e.from) }</code>{ icons::arrow() }<code>{ short_id(&e.to) }</code></h3>
                <button class="icon-btn" aria-label="Close" title="Close" onclick={move |_| close.emit(())}>{ icons::close() }</button>
            </header>
            <p class="inspector-sub">
                <span class={classes!("badge", if e.allowed { "badge-allowed" } else { "badge-denied" })}>{ if e.allowed { "allow" } else { "deny" } }</span>
                { format!(" {}/{} · goal line of the lesson", e.port, e.protocol.as_str()) }
            </p>
            <p class="headline">{ goal_sentence(o) }</p>
            if let Some(err) = &o.error {
                <p class="check-error">{ err.clone() }</p>
            }
            if let Some(x) = &o.explanation {
                { explain_view::explanation(&store, cluster, x) }
            }
            <footer class="inspector-actions">
                <button class="btn btn-small" onclick={move |_| details.emit(())}>{ icons::search() }{ "Explain in detail" }</button>
            </footer>
        </div>
    }
}
