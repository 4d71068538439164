//! The truth table: every ordered pair of endpoints on one port and protocol (with the
//! workloads' own ports as quick picks); a cell opens its explanation.

use std::rc::Rc;

use netpol::Protocol;
use yew::prelude::*;

use super::{input_value, protocol_of, select_value};
use crate::display::endpoint_title;
use crate::state::{Action, ExplainQuery};
use crate::store::use_store;

#[function_component(TruthTable)]
pub(super) fn truth_table() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let (port, proto) = state.ui.probe;
    let matrix = use_memo((state.ws_rev, port, proto), {
        let derived = Rc::clone(&state.derived);
        move |_| {
            let e = &derived.eval;
            netpol::matrix(&e.effective, &e.endpoints, &[(port, proto)])
        }
    });
    let on_port = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            if let Ok(p) = input_value(&e).trim().parse::<u16>() {
                if p > 0 {
                    store.send(Action::SetProbe(p, proto));
                }
            }
        })
    };
    let on_proto = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            store.send(Action::SetProbe(port, protocol_of(&select_value(&e))))
        })
    };
    // Ports the workloads expose, as quick picks.
    let mut exposed: Vec<(u16, Protocol)> = state
        .derived
        .eval
        .effective
        .pods
        .iter()
        .flat_map(|p| p.ports.iter().map(|c| (c.port, c.protocol)))
        .collect();
    netpol::sorting::sort_unstable(&mut exposed);
    exposed.dedup();
    exposed.truncate(8);
    let picks = exposed.into_iter().map(|(p, pr)| {
        let pick = store.action(Action::SetProbe(p, pr));
        let on = (p, pr) == (port, proto);
        html! { <button class={classes!("chip-btn", on.then_some("on"))} onclick={move |_| pick.emit(())}>{ format!("{p}/{}", pr.as_str()) }</button> }
    });
    let Some(check) = matrix.checks.first() else {
        return html! {};
    };
    let ids = &matrix.endpoints;
    let head = ids.iter().map(
        |id| html! { <th scope="col" title={id.clone()}><span>{ endpoint_title(id) }</span></th> },
    );
    let rows = ids.iter().enumerate().map(|(i, from)| {
        let cells = ids.iter().enumerate().map(|(j, to)| {
            let ok = check.allowed(i, j);
            let me = i == j;
            let explain = store.action(Action::Explain(ExplainQuery {
                from: from.clone(),
                to: to.clone(),
                port,
                protocol: proto,
            }));
            let label = format!("{from} to {to} on {port}/{}: {}", proto.as_str(), if ok { "allowed" } else { "denied" });
            html! {
                <td class={classes!(if ok { "yes" } else { "no" }, me.then_some("self"))}>
                    <button aria-label={label.clone()} title={label} onclick={move |_| explain.emit(())}>
                        { if ok { "✓" } else { "✕" } }
                    </button>
                </td>
            }
        });
        html! { <tr><th scope="row" title={from.clone()}>{ endpoint_title(from) }</th>{ for cells }</tr> }
    });
    let allowed = check.allowed_count();
    let total = ids.len() * ids.len();
    html! {
        <div class="table-tab">
            <div class="probe">
                <label><span>{ "Port" }</span>
                    <input type="number" min="1" max="65535" value={port.to_string()} onchange={on_port} aria-label="Port" /></label>
                <label><span>{ "Protocol" }</span>
                    <select onchange={on_proto} aria-label="Protocol">
                        { for Protocol::ALL.iter().map(|p| html! { <option value={p.as_str()} selected={*p == proto}>{ p.as_str() }</option> }) }
                    </select></label>
                <div class="picks">{ for picks }</div>
                <span class="spacer" />
                <span class="muted">{ format!("{allowed} of {total} allowed") }</span>
            </div>
            <p class="muted small">{ "Rows send, columns receive. Click a cell for the explanation." }</p>
            <div class="matrix-scroll">
                <table class="matrix" aria-label="Truth table">
                    <thead><tr><th class="corner">{ "from \\ to" }</th>{ for head }</tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </div>
    }
}
