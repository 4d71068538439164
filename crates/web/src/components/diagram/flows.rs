//! The flows overlay: every connection the policies allow that no drawn arrow already
//! shows (the engine's `netpol::flows`), up to [`MAX_FLOWS`]; a flow is selectable.

use std::collections::BTreeSet;
use std::rc::Rc;

use netpol::flows::{allowed_flows, Flow};
use yew::prelude::*;

use super::scene::{Scene, Shared};
use crate::layout::{edge_path, Pos};
use crate::state::{Action, Derived, Selection};
use crate::store::use_store;

/// Flows drawn at most (beyond that the legend says how many were left out).
const MAX_FLOWS: usize = 1500;
/// Above this many endpoints the flows overlay is off: thousands of lines are unreadable
/// and slow; the truth table answers instead.
pub const MAX_FLOW_ENDPOINTS: usize = 80;

/// The flows to draw, each with whether its reverse is allowed too (it is then bent
/// apart from it), and how many more there are.
#[derive(Debug, Default, PartialEq)]
pub struct ShownFlows {
    pub flows: Vec<(Flow, bool)>,
    pub left_out: usize,
}

/// Every allowed flow without a drawn arrow, when the overlay is on and the workspace
/// small enough: computed once per workspace change.
#[hook]
pub fn use_shown_flows(ws_rev: u64, on: bool, derived: &Rc<Derived>) -> Rc<ShownFlows> {
    let derived = Rc::clone(derived);
    use_memo((ws_rev, on), move |_| {
        if !on || derived.eval.endpoints.len() > MAX_FLOW_ENDPOINTS {
            return ShownFlows::default();
        }
        let drawn = super::arrows::arrow_pairs(&derived.arrows);
        let all = allowed_flows(&derived.eval);
        let allowed: BTreeSet<(&str, &str)> = all
            .iter()
            .map(|f| (f.from.as_str(), f.to.as_str()))
            .collect();
        let mut flows: Vec<(Flow, bool)> = all
            .iter()
            .filter(|f| !drawn.contains(&(f.from.clone(), f.to.clone())))
            .map(|f| {
                (
                    f.clone(),
                    allowed.contains(&(f.to.as_str(), f.from.as_str())),
                )
            })
            .collect();
        let left_out = flows.len().saturating_sub(MAX_FLOWS);
        flows.truncate(MAX_FLOWS);
        ShownFlows { flows, left_out }
    })
}

#[derive(Properties, PartialEq)]
pub struct FlowsProps {
    pub flows: Shared<ShownFlows>,
    pub scene: Shared<Scene>,
    pub moving: Option<(String, Pos)>,
}

#[function_component(FlowsLayer)]
pub fn flows_layer(props: &FlowsProps) -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let selection = &store.state().ui.selection;
    let pos = |id: &str| props.scene.position(id, props.moving.as_ref());
    let shown = props.flows.flows.iter().filter_map(|(f, two_way)| {
        let (a, b) = (&f.from, &f.to);
        let (d, _) = edge_path(pos(a)?, pos(b)?, if *two_way { 14.0 } else { 0.0 });
        let selected = *selection == Some(Selection::Flow(a.clone(), b.clone()));
        let onclick = {
            let store = store.clone();
            let (a, b) = (a.clone(), b.clone());
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                store.send(Action::Select(Some(Selection::Flow(a.clone(), b.clone()))));
            })
        };
        Some(html! {
            <g class={classes!("flow", selected.then_some("selected"))} data-flow-from={a.clone()} data-flow-to={b.clone()} {onclick}>
                <title>{ format!("{a} → {b}: {}", f.connections) }</title>
                <path class="edge-hit" d={d.clone()} />
                <path class="edge" d={d} marker-end="url(#ah-flow)" />
            </g>
        })
    });
    html! { <g class="flows">{ for shown }</g> }
}
