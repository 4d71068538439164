//! The Explain tab: pick two endpoints, a port and a protocol, and read the engine's
//! explanation.

use netpol::Protocol;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::protocol_of;
use crate::components::explain_view::explain_ids;
use crate::state::{Action, ExplainQuery};
use crate::store::use_store;

#[function_component(ExplainTab)]
pub(super) fn explain_tab() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let eval = &state.derived.eval;
    // With a flow log, its cluster: the effective one plus the endpoints seen only in flows.
    let c = state
        .replay
        .as_ref()
        .map_or(&eval.effective, |r| &r.observed.cluster);
    let mut ids: Vec<String> = eval.endpoints.iter().map(|e| e.id(c)).collect();
    if let Some(r) = &state.replay {
        ids.extend(r.flow_only_pods().map(|p| p.id()));
        for row in &r.rows {
            for id in [&row.from, &row.to] {
                if id.starts_with("ip:") && !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
        }
    }
    let q = state.ui.explain.clone().unwrap_or_else(|| ExplainQuery {
        from: ids.first().cloned().unwrap_or_default(),
        to: ids.get(1).cloned().unwrap_or_default(),
        port: state.ui.probe.0,
        protocol: state.ui.probe.1,
    });
    let update = |f: fn(&mut ExplainQuery, String)| {
        let store = store.clone();
        let q = q.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_dyn_into::<HtmlSelectElement>()
                .map(|s| s.value())
                .or_else(|| e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()))
                .unwrap_or_default();
            let mut next = q.clone();
            f(&mut next, v);
            store.send(Action::Explain(next));
        })
    };
    let on_from = update(|q, v| q.from = v);
    let on_to = update(|q, v| q.to = v);
    let on_port = update(|q, v| {
        if let Ok(p) = v.trim().parse::<u16>() {
            if p > 0 {
                q.port = p;
            }
        }
    });
    let on_proto = update(|q, v| q.protocol = protocol_of(&v));
    let swap = {
        let store = store.clone();
        let q = q.clone();
        Callback::from(move |_: MouseEvent| {
            store.send(Action::Explain(ExplainQuery {
                from: q.to.clone(),
                to: q.from.clone(),
                ..q.clone()
            }))
        })
    };
    let options = |selected: &str| {
        ids.iter()
            .map(
                |id| html! { <option value={id.clone()} selected={id == selected}>{ id }</option> },
            )
            .collect::<Html>()
    };
    let result = match explain_ids(&store, c, (&q.from, &q.to), (q.port, q.protocol)) {
        Ok(card) => card,
        Err(_) if ids.is_empty() => {
            html! { <p class="muted">{ "Nothing to explain yet: add pods or paste manifests." }</p> }
        }
        Err(e) => html! { <p class="why">{ e.to_string() }</p> },
    };
    html! {
        <div class="explain-tab">
            <form class="probe" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <label><span>{ "From" }</span><select onchange={on_from} aria-label="From">{ options(&q.from) }</select></label>
                <button type="button" class="icon-btn" onclick={swap} title="Swap" aria-label="Swap from and to">{ "⇄" }</button>
                <label><span>{ "To" }</span><select onchange={on_to} aria-label="To">{ options(&q.to) }</select></label>
                <label><span>{ "Port" }</span><input type="number" min="1" max="65535" value={q.port.to_string()} onchange={on_port} aria-label="Port" /></label>
                <label><span>{ "Protocol" }</span>
                    <select onchange={on_proto} aria-label="Protocol">
                        { for Protocol::ALL.iter().map(|p| html! { <option value={p.as_str()} selected={*p == q.protocol}>{ p.as_str() }</option> }) }
                    </select></label>
            </form>
            { result }
        </div>
    }
}
