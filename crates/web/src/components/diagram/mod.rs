//! The diagram: namespaces as boxes inside the cluster box, pods as nodes, external
//! endpoints outside, drawn arrows with the engine's verdicts, (on request) every allowed
//! flow, while a lesson is open its goal, met or not, and while comparing what opened and
//! closed.
//!
//! The rooms: `scene` (what to draw, from the state), `gestures` (pointer and keyboard),
//! and the SVG layers drawn in this order: `namespaces`, `flows`, the goal's arcs
//! (`goals`), `changes` (opened and closed flows, removed endpoints), `arrows`, `nodes`,
//! the goal's chips, the changes' tags, and a lesson's open difference from its solution
//! (`probe`). This module lays out the pane: its toolbar, the
//! SVG, the view controls, the legend.

mod arrows;
mod changes;
mod flows;
mod gestures;
mod goals;
mod namespaces;
mod nodes;
mod observed;
mod probe;
mod scene;

use std::rc::Rc;

use yew::prelude::*;

use crate::components::icons;
use crate::components::inspector::Inspector;
use crate::components::lessons::LessonStore;
use crate::components::output::log_drop;
use crate::layout::{border_point, shows_node_text, zoom, Pos, Rect};
use crate::lessons::Grade;
use crate::state::{Action, Dialog, Selection};
use crate::store::{use_store, Store};

use arrows::ArrowsLayer;
pub use changes::{change_glyph, change_kind};
use changes::{ChangeTags, ChangesLayer, MAX_DRAWN_CHANGES};
use flows::{use_shown_flows, FlowsLayer, MAX_FLOW_ENDPOINTS};
use gestures::{use_gestures, Drag, Frame};
use goals::{goal_lines_off_diagram, GoalArcsLayer, GoalChipsLayer};
use namespaces::NamespacesLayer;
use nodes::NodesLayer;
use observed::{ObservedLayer, MAX_DRAWN_OBSERVED};
use probe::ProbeLayer;
use scene::{use_scene, Scene, Shared};

/// The diagram's styles, inlined into the SVG so exports are self-contained.
const DIAGRAM_CSS: &str = include_str!("../../../../../www/diagram.css");
/// Room the inspector panel takes (CSS px) when something is selected.
const INSPECTOR_W: f64 = 330.0;

/// A length in SVG units, as an attribute.
fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

/// The diagram pane: the SVG scene (namespaces, nodes, arrows, flows, the lesson goal),
/// its pointer and keyboard gestures, and the view controls.
#[function_component(Diagram)]
pub fn diagram() -> Html {
    let store = use_store();
    let svg_ref = use_node_ref();
    let camera = use_state(|| None::<Rect>);
    let grade = use_context::<Grade>().unwrap_or_default();
    // The lesson panel's switch hides the goal overlay for a while.
    let lessons = use_context::<LessonStore>();
    let goal_hidden = lessons.as_ref().is_some_and(|l| l.state().goal_hidden);
    let difference = open_difference(&grade, lessons.as_ref());
    let probes = use_memo(difference.clone().map(|d| Rc::as_ptr(&d.0) as usize), {
        let d = difference.clone();
        move |_| d.map(|d| d.probes.clone()).unwrap_or_default()
    });
    let Some(store) = store else {
        return html! {};
    };
    let state = store.state();
    let (scene, client) = use_scene(state, &svg_ref, Rc::new((*probes).clone()));
    let flows = use_shown_flows(state.ws_rev, state.ui.flows, &state.derived);
    let frame = Frame {
        bounds: scene.layout.bounds,
        client,
        inspector: if state.ui.selection.is_some() {
            INSPECTOR_W
        } else {
            0.0
        },
    };
    let g = use_gestures(&store, &svg_ref, &scene, &camera, frame);
    let view = frame.view(*camera);
    let bounds = scene.layout.bounds;
    let moving = g.drag.as_ref().and_then(Drag::moving);
    let selected_node = match &state.ui.selection {
        Some(Selection::Node(id)) => Some(id.clone()),
        _ => None,
    };
    let empty = scene.nodes.is_empty();
    let cluster = scene.layout.cluster;
    let goal = grade
        .graded()
        .filter(|_| !goal_hidden)
        .map(|g| goal_lines_off_diagram(&g.report, &scene));
    // A file dropped on the diagram is read as a flow log (manifests go to the editor).
    let drop = log_drop(&store, None);
    html! {
        <section class="pane diagram-pane" aria-label="Diagram">
            { pane_head(&store) }
            <div class="diagram-wrap" ondragover={drop.ondragover} ondrop={drop.ondrop}>
                <svg ref={svg_ref} id="diagram-svg" class={classes!("diagram", goal.is_some().then_some("with-goal"), state.compare.is_some().then_some("comparing"))} xmlns="http://www.w3.org/2000/svg"
                    viewBox={format!("{:.1} {:.1} {:.1} {:.1}", view.x, view.y, view.w, view.h)}
                    data-aspect={(client.0 * 10 / client.1.max(1)).max(1).to_string()}
                    data-bounds={format!("{:.1} {:.1} {:.1} {:.1}", bounds.x, bounds.y, bounds.w, bounds.h)}
                    role="group" aria-label="Network diagram: namespaces, pods, external endpoints and arrows"
                    onpointerdown={g.onpointerdown} onpointermove={g.onpointermove}
                    onpointerup={g.onpointerup} onpointercancel={g.onpointercancel}>
                    <style>{ DIAGRAM_CSS }</style>
                    { markers() }
                    <rect class="bg" x={fmt(bounds.x - 5000.0)} y={fmt(bounds.y - 5000.0)} width={fmt(bounds.w + 10000.0)} height={fmt(bounds.h + 10000.0)} />
                    <NamespacesLayer scene={scene.clone()} moving={moving.clone()} />
                    <FlowsLayer flows={Shared(flows.clone())} scene={scene.clone()} moving={moving.clone()} />
                    if let Some(r) = &state.replay {
                        <ObservedLayer replay={Shared(r.clone())} scene={scene.clone()} moving={moving.clone()} />
                    }
                    if goal.is_some() {
                        <GoalArcsLayer grade={grade.clone()} scene={scene.clone()} moving={moving.clone()} />
                    }
                    <ChangesLayer scene={scene.clone()} moving={moving.clone()} />
                    <ArrowsLayer scene={scene.clone()} moving={moving.clone()} />
                    <NodesLayer scene={scene.clone()} detail={shows_node_text(view, client)} selected={selected_node} connecting={state.ui.connecting.clone()}
                        drop_target={g.drag.as_ref().and_then(Drag::drop_target)} moving={moving.clone()} on_key={g.on_node_key} />
                    if goal.is_some() {
                        <GoalChipsLayer grade={grade.clone()} scene={scene.clone()} moving={moving.clone()} />
                    }
                    <ChangeTags scene={scene.clone()} moving={moving.clone()} />
                    if let Some(d) = difference {
                        <ProbeLayer difference={d} scene={scene.clone()} moving={moving.clone()} />
                    }
                    { draft_line(g.drag.as_ref(), &scene, moving.as_ref()) }
                    if empty {
                        <text class="empty-hint" x={fmt(cluster.x + 20.0)} y={fmt(cluster.y + 70.0)}>
                            { "Paste manifests, pick an example, or add a namespace and pods." }
                        </text>
                    }
                </svg>
                { connecting_banner(&store) }
                <Inspector />
                if state.ws.arrows.is_empty() && !empty {
                    <p class="diagram-hint">{ "Drag from one node to another to allow traffic · ⠿ moves a node" }</p>
                }
                { legend(state.ui.flows, flows.left_out, scene.nodes.len() > MAX_FLOW_ENDPOINTS, goal, changes_drawn(&store), observed_drawn(&store)) }
                { view_controls(&store, &camera, frame) }
                <div class="visually-hidden" aria-live="polite">{ g.announce }</div>
            </div>
        </section>
    }
}

/// The open lesson's first difference from its solution, while the learner has it open.
fn open_difference(
    grade: &Grade,
    lessons: Option<&LessonStore>,
) -> Option<Shared<netpol::lesson::ConnectionDifference>> {
    if !lessons.is_some_and(|l| l.state().difference_open) {
        return None;
    }
    match &grade.graded()?.report.difference {
        Some(netpol::lesson::Difference::Connection(d)) => Some(Shared(Rc::new((**d).clone()))),
        _ => None,
    }
}

/// The pane's title bar: add a namespace, a pod or an address; show every allowed flow.
fn pane_head(store: &Store) -> Html {
    let flows_on = store.state().ui.flows;
    let toggle_flows = {
        let store = store.clone();
        Callback::from(move |_: Event| store.send(Action::SetFlows(!flows_on)))
    };
    let open = |d: Dialog| {
        let open = store.action(Action::OpenDialog(d));
        Callback::from(move |_: MouseEvent| open.emit(()))
    };
    html! {
        <header class="pane-head">
            <h2>{ "Diagram" }</h2>
            <div class="tool-group" role="group" aria-label="Add to the diagram">
                <button class="btn btn-small" onclick={open(Dialog::AddNamespace)} title="Add a namespace">{ icons::plus() }{ "Namespace" }</button>
                <button class="btn btn-small" onclick={open(Dialog::AddPod(None))} title="Add a pod">{ icons::plus() }{ "Pod" }</button>
                <button class="btn btn-small" onclick={open(Dialog::AddExternal)} title="Add an external address or range">{ icons::plus() }{ "External" }</button>
            </div>
            <span class="spacer" />
            <label class="switch" title="Show every connection the policies allow">
                <input type="checkbox" role="switch" checked={flows_on} onchange={toggle_flows} />
                <span class="switch-track" aria-hidden="true"><span class="switch-thumb" /></span>
                { "Allowed flows" }
            </label>
        </header>
    }
}

fn markers() -> Html {
    let marker = |id: &str, size: f64| {
        html! {
            <marker id={id.to_string()} viewBox="0 0 10 10" refX="9" refY="5"
                markerWidth={size.to_string()} markerHeight={size.to_string()}
                orient="auto-start-reverse" markerUnits="userSpaceOnUse">
                <path class={id.to_string()} d="M0 0 L10 5 L0 10 z" />
            </marker>
        }
    };
    html! {
        <defs>
            { marker("ah-allowed", 12.0) }
            { marker("ah-denied", 12.0) }
            { marker("ah-partial", 12.0) }
            { marker("ah-flow", 9.0) }
            { marker("ah-draft", 12.0) }
            // Opened and closed connections: Compare's changes and a lesson's difference.
            { marker("ah-opened", 12.0) }
            { marker("ah-closed", 12.0) }
            // Observed connections (the flow log).
            { marker("ah-observed", 10.0) }
            { marker("ah-observed-dropped", 10.0) }
            // Where a node's text runs past its box it fades into the box's fill.
            <linearGradient id="node-fade"><stop offset="0" class="fade-0" /><stop offset="1" /></linearGradient>
            <linearGradient id="node-fade-ext"><stop offset="0" class="fade-0" /><stop offset="1" /></linearGradient>
            { grip_dots() }
        </defs>
    }
}

/// The six dots of a node's move grip, one tile that exactly covers the grip's rect.
fn grip_dots() -> Html {
    let (x, y, w, h) = nodes::GRIP;
    let dots = [(6, 6), (11, 6), (6, 14), (11, 14), (6, 22), (11, 22)]
        .map(|(cx, cy)| html! { <circle cx={cx.to_string()} cy={cy.to_string()} r="1.6" /> });
    html! {
        <pattern id="grip-dots" patternUnits="userSpaceOnUse" x={fmt(x)} y={fmt(y)} width={fmt(w)} height={fmt(h)}>
            { for dots }
        </pattern>
    }
}

/// The line of an arrow being drawn with the pointer, to the pointer or the node under it.
fn draft_line(drag: Option<&Drag>, scene: &Scene, moving: Option<&(String, Pos)>) -> Html {
    let Some(Drag::Connect {
        from,
        cur,
        moved: true,
        over,
        ..
    }) = drag
    else {
        return html! {};
    };
    let pos = |id: &str| scene.position(id, moving);
    let Some(a) = pos(from) else {
        return html! {};
    };
    let end = over
        .as_deref()
        .and_then(pos)
        .map(|b| border_point(b, a))
        .unwrap_or(*cur);
    let start = border_point(a, end);
    html! {
        <line class="draft" x1={fmt(start.x)} y1={fmt(start.y)} x2={fmt(end.x)} y2={fmt(end.y)}
            marker-end="url(#ah-draft)" />
    }
}

fn connecting_banner(store: &Store) -> Html {
    let Some(from) = store.state().ui.connecting.clone() else {
        return html! {};
    };
    let cancel = store.action(Action::CancelConnect);
    html! {
        <div class="diagram-banner" role="status">
            { format!("Drawing an arrow from {from}: click or press Enter on the destination.") }
            <button class="btn btn-small btn-ghost" onclick={move |_| cancel.emit(())}>{ "Cancel" }</button>
        </div>
    }
}

/// While comparing, how many changes are not drawn (`Some(0)` when all are).
fn changes_drawn(store: &Store) -> Option<usize> {
    let c = store.state().compare.as_ref()?;
    Some(c.diff.changes.len().saturating_sub(MAX_DRAWN_CHANGES))
}

/// With a flow log, how many observed pairs are not drawn (`Some(0)` when all are).
fn observed_drawn(store: &Store) -> Option<usize> {
    let r = store.state().replay.as_ref()?;
    let pairs: std::collections::BTreeSet<(&str, &str)> = r
        .rows
        .iter()
        .map(|row| (row.from.as_str(), row.to.as_str()))
        .collect();
    Some(pairs.len().saturating_sub(MAX_DRAWN_OBSERVED))
}

/// The legend; `goal` is there while the lesson's goal is shown, with how many of its
/// lines have an endpoint the diagram does not show. The goal comes first: in a lesson it
/// is what the diagram is read for. `changes` is there while comparing, with how many
/// changes are not drawn.
fn legend(
    flows_on: bool,
    left_out: usize,
    too_many: bool,
    goal: Option<usize>,
    changes: Option<usize>,
    observed: Option<usize>,
) -> Html {
    html! {
        <div class="diagram-legend" aria-label="Legend">
            if let Some(off) = goal {
                <span class="lg-goal met"><span class="lg-chip" aria-hidden="true">{ "✓" }</span>{ "goal met" }</span>
                <span class="lg-goal unmet"><span class="lg-chip" aria-hidden="true">{ "✕" }</span>{ "not met" }</span>
                <span class="lg-goal stop"><span class="lg-stop" aria-hidden="true" />{ "must stay blocked" }</span>
                if off > 0 {
                    <span class="lg-note">{ format!("{off} goal line{} not drawn: see the lesson panel", if off == 1 { "" } else { "s" }) }</span>
                }
            }
            <span class="lg lg-allowed">{ "allowed" }</span>
            <span class="lg lg-partial">{ "partly" }</span>
            <span class="lg lg-denied">{ "denied" }</span>
            if flows_on { <span class="lg lg-flow">{ "flow" }</span> }
            if changes.is_some() {
                <span class="lg lg-opened">{ "+ opened" }</span>
                <span class="lg lg-closed">{ "− closed" }</span>
            }
            if observed.is_some() {
                <span class="lg lg-observed">{ "×N observed" }</span>
                <span class="lg lg-observed-dropped">{ "✕ would be dropped" }</span>
            }
            if let Some(n @ 1..) = observed { <span class="lg-note">{ format!("{n} more observed pairs not drawn: see Flows") }</span> }
            if left_out > 0 { <span class="lg-note">{ format!("{left_out} more flows not drawn") }</span> }
            if let Some(n @ 1..) = changes { <span class="lg-note">{ format!("{n} more changes not drawn: see Changes") }</span> }
            if flows_on && too_many { <span class="lg-note">{ format!("flows are drawn for up to {MAX_FLOW_ENDPOINTS} endpoints: see the truth table") }</span> }
        </div>
    }
}

/// Zoom in and out around the centre, fit, and forget moved nodes.
fn view_controls(store: &Store, camera: &UseStateHandle<Option<Rect>>, frame: Frame) -> Html {
    let zoom_by = |factor: f64| {
        let camera = camera.clone();
        Callback::from(move |_: MouseEvent| {
            let cur = frame.view(*camera);
            let c = Pos {
                x: cur.x + cur.w / 2.0,
                y: cur.y + cur.h / 2.0,
            };
            camera.set(Some(zoom(cur, c, factor, frame.bounds)));
        })
    };
    let fit = {
        let camera = camera.clone();
        Callback::from(move |_: MouseEvent| camera.set(None))
    };
    let reset_layout = {
        let store = store.clone();
        let camera = camera.clone();
        Callback::from(move |_: MouseEvent| {
            camera.set(None);
            store.send(Action::ResetLayout);
        })
    };
    html! {
        <div class="diagram-controls" role="group" aria-label="View">
            <button class="icon-btn" onclick={zoom_by(1.0 / 1.25)} title="Zoom in" aria-label="Zoom in">{ icons::zoom_in() }</button>
            <button class="icon-btn" onclick={zoom_by(1.25)} title="Zoom out" aria-label="Zoom out">{ icons::zoom_out() }</button>
            <button class="icon-btn" onclick={fit} title="Fit to view" aria-label="Fit to view">{ icons::fit() }</button>
            <button class="icon-btn" onclick={reset_layout} title="Automatic layout (forget moved nodes)" aria-label="Automatic layout">{ icons::reset() }</button>
        </div>
    }
}

/// A selectable mark's handlers (a change's line, a goal chip): a click, Enter or Space
/// selects `selection`; Escape clears the selection.
fn selection_handlers(
    store: &Store,
    selection: Selection,
) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let select = {
        let store = store.clone();
        move || store.send(Action::Select(Some(selection.clone())))
    };
    let onclick = {
        let select = select.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            select();
        })
    };
    let store = store.clone();
    let onkeydown = Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
        "Enter" | " " => {
            e.prevent_default();
            select();
        }
        "Escape" => store.send(Action::Select(None)),
        _ => {}
    });
    (onclick, onkeydown)
}
