//! The diagram: namespaces as boxes inside the cluster box, pods as nodes, external
//! endpoints outside, drawn arrows with the engine's verdicts, and (on request) every
//! allowed flow.
//!
//! Interaction: a pointer drag from one node to another draws an arrow; dragging a node by
//! its grip (or with Shift) moves it; dragging the background pans; the wheel zooms. The
//! keyboard path: Tab to a node, Enter starts an arrow, Enter on another node finishes it,
//! arrow keys move the focused node, Delete removes what was drawn; arrows take Enter
//! (details) and Delete.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use netpol::endpoint::Endpoint;
use netpol::model::Labels;
use netpol::Cidr;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use crate::app::use_store;
use crate::components::icons;
use crate::components::inspector::Inspector;
use crate::layout::{self, border_point, client_to_svg, Input, Layout, Pos, Rect, NODE_H, NODE_W};
use crate::state::{Action, AppState, Dialog, Selection, Verdict};

/// The diagram's styles, inlined into the SVG so exports are self-contained.
pub const DIAGRAM_CSS: &str = include_str!("../../../../www/diagram.css");
/// Flows drawn at most (beyond that the overlay says how many were left out).
const MAX_FLOWS: usize = 1500;
/// Above this many endpoints the flows overlay is off: thousands of lines are unreadable
/// and slow; the truth table answers instead.
const MAX_FLOW_ENDPOINTS: usize = 80;
/// Pointer travel (CSS px) that turns a press into a drag.
const DRAG_SLOP: f64 = 4.0;

/// One node to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeInfo {
    /// Endpoint id.
    pub id: String,
    /// Big text.
    pub title: String,
    /// Small text (identifying label, or what an address is).
    pub sub: String,
    /// Kind badge (`Deployment`), empty for bare pods and externals.
    pub kind: String,
    /// Accessible name.
    pub aria: String,
    /// Drawn on the diagram (deletable), not from the manifests.
    pub drawn: bool,
    /// Outside the cluster.
    pub external: bool,
}

/// Everything the diagram draws, derived from the state.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// Nodes, pods first then externals.
    pub nodes: Vec<NodeInfo>,
    /// Namespace names with whether they were drawn.
    pub namespaces: Vec<(String, bool, Labels)>,
    /// Positions and boxes.
    pub layout: Layout,
}

/// The label that identifies a pod on its node: the generator's identity label when set,
/// else the usual ones, else the first label.
pub fn identity(labels: &Labels, preferred: Option<&str>) -> String {
    let keys = preferred.into_iter().chain([
        "app",
        "app.kubernetes.io/name",
        "k8s-app",
        "app-name",
        "name",
        "role",
    ]);
    for k in keys {
        if let Some(v) = labels.get(k) {
            return format!("{k}={v}");
        }
    }
    labels
        .iter()
        .next()
        .map(|(k, v)| format!("{k}={v}"))
        .unwrap_or_else(|| "no labels".to_string())
}

/// Title and subtitle of an external endpoint.
pub fn external_text(id: &str) -> (String, String) {
    let addr = id.strip_prefix("ip:").unwrap_or(id);
    if addr == "0.0.0.0/0" || addr == "::/0" {
        return ("Internet".into(), format!("{addr} (anywhere)"));
    }
    let private = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];
    let is_private = Cidr::parse(addr, true).is_ok_and(|c| {
        private
            .iter()
            .filter_map(|p| Cidr::parse(p, false).ok())
            .any(|p| p.contains(&c))
    });
    let sub = if is_private {
        "private network"
    } else {
        "outside the cluster"
    };
    (addr.to_string(), sub.to_string())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Builds the scene for a state, laid out for a view of shape `aspect` (width / height).
pub fn scene(state: &AppState, aspect: f64) -> Scene {
    let eval = &state.derived.eval;
    let c = &eval.effective;
    let preferred = state.ws.options.identity_label.as_deref();
    let mut nodes = Vec::new();
    let mut by_ns: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut externals = Vec::new();
    for ep in &eval.endpoints {
        match ep {
            Endpoint::Pod(i) => {
                let Some(p) = c.pods.get(*i) else { continue };
                let id = p.id();
                let ident = identity(&p.labels, preferred);
                let kind = p.kind.as_str();
                nodes.push(NodeInfo {
                    aria: format!(
                        "{} {} in namespace {}, {}",
                        if kind == "Pod" { "Pod" } else { kind },
                        p.name,
                        p.namespace,
                        ident
                    ),
                    title: p.name.clone(),
                    sub: ident,
                    kind: if kind == "Pod" {
                        String::new()
                    } else {
                        kind.to_string()
                    },
                    drawn: state.is_drawn(&id),
                    external: false,
                    id: id.clone(),
                });
                by_ns.entry(p.namespace.as_str()).or_default().push(id);
            }
            Endpoint::External(_) => {
                let id = ep.id(c);
                let (title, sub) = external_text(&id);
                nodes.push(NodeInfo {
                    aria: format!("External endpoint {title}, {sub}"),
                    title,
                    sub,
                    kind: String::new(),
                    drawn: state.is_drawn(&id),
                    external: true,
                    id: id.clone(),
                });
                externals.push(id);
            }
        }
    }
    let namespaces: Vec<(String, bool, Labels)> = c
        .namespaces
        .iter()
        .map(|n| {
            (
                n.name.clone(),
                state.is_drawn_namespace(&n.name),
                n.labels.clone(),
            )
        })
        .collect();
    let input = Input {
        namespaces: namespaces
            .iter()
            .map(|(n, _, _)| (n.clone(), by_ns.remove(n.as_str()).unwrap_or_default()))
            .collect(),
        externals,
    };
    Scene {
        nodes,
        namespaces,
        layout: layout::layout(&input, &state.positions, aspect),
    }
}

/// A pointer gesture in progress.
#[derive(Clone, Debug, PartialEq)]
enum Drag {
    /// Drawing an arrow from a node.
    Connect {
        from: String,
        cur: Pos,
        start: (f64, f64),
        moved: bool,
        over: Option<String>,
    },
    /// Moving a node.
    Move {
        id: String,
        grab: Pos,
        pos: Pos,
        start: (f64, f64),
        moved: bool,
    },
    /// Panning the view.
    Pan {
        start: (f64, f64),
        view: Rect,
        moved: bool,
    },
}

fn client_rect(el: &Element) -> Rect {
    let r = el.get_bounding_client_rect();
    Rect {
        x: r.left(),
        y: r.top(),
        w: r.width(),
        h: r.height(),
    }
}

/// The endpoint id under a client point (the draft line does not take pointer events).
fn endpoint_at(x: f64, y: f64) -> Option<String> {
    let doc = crate::browser::document()?;
    let el = doc.element_from_point(x as f32, y as f32)?;
    let node = el.closest("[data-endpoint]").ok()??;
    node.get_attribute("data-endpoint")
}

fn target_element(e: &PointerEvent) -> Option<Element> {
    e.target()?.dyn_into::<Element>().ok()
}

/// Geometry of an edge from `a` to `b`, bent by `bend` (perpendicular offset of the control
/// point) so two-way pairs do not overlap. Returns the path and the label anchor.
fn edge_path(a: Pos, b: Pos, bend: f64) -> (String, Pos) {
    let mid = Pos {
        x: (a.x + b.x) / 2.0,
        y: (a.y + b.y) / 2.0,
    };
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let ctrl = Pos {
        x: mid.x - dy / len * bend,
        y: mid.y + dx / len * bend,
    };
    let s = border_point(a, ctrl);
    let e = border_point(b, ctrl);
    // Pull the end back a little so the arrowhead's tip touches the border.
    let label = Pos {
        x: 0.25 * s.x + 0.5 * ctrl.x + 0.25 * e.x,
        y: 0.25 * s.y + 0.5 * ctrl.y + 0.25 * e.y,
    };
    (
        format!(
            "M{:.1} {:.1} Q{:.1} {:.1} {:.1} {:.1}",
            s.x, s.y, ctrl.x, ctrl.y, e.x, e.y
        ),
        label,
    )
}

fn markers() -> Html {
    let marker = |id: &str, class: &str, size: f64| {
        html! {
            <marker id={id.to_string()} viewBox="0 0 10 10" refX="9" refY="5"
                markerWidth={size.to_string()} markerHeight={size.to_string()}
                orient="auto-start-reverse" markerUnits="userSpaceOnUse">
                <path class={class.to_string()} d="M0 0 L10 5 L0 10 z" />
            </marker>
        }
    };
    html! {
        <defs>
            { marker("ah-allowed", "ah-allowed", 12.0) }
            { marker("ah-denied", "ah-denied", 12.0) }
            { marker("ah-partial", "ah-partial", 12.0) }
            { marker("ah-flow", "ah-flow", 9.0) }
            { marker("ah-draft", "ah-draft", 12.0) }
        </defs>
    }
}

/// The diagram pane.
#[function_component(Diagram)]
pub fn diagram() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let svg_ref = use_node_ref();
    let camera = use_state(|| None::<Rect>);
    let drag = use_state(|| None::<Drag>);
    let announce = use_state(String::new);

    // The pane's size in CSS pixels (layout follows its shape; the fitted view keeps room
    // for the overlays in pixels). Rounded to 8 px so tiny changes do not re-layout.
    let client = use_state_eq(|| (960_i64, 600_i64));
    let aspect = (client.0 * 10 / client.1.max(1)).max(1);
    let fresh = use_memo(
        (state.ws_rev, Rc::as_ptr(&state.positions) as usize, aspect),
        {
            let s = state.clone();
            move |(_, _, a)| scene(&s, *a as f64 / 10.0)
        },
    );
    // Most edits (a comment, a policy rule) leave the scene as it was: keep the previous
    // `Rc` then, so the node layer below is not rebuilt on every keystroke.
    let stable = use_mut_ref(|| Rc::clone(&fresh));
    if !Rc::ptr_eq(&stable.borrow(), &fresh) && **stable.borrow() != *fresh {
        *stable.borrow_mut() = Rc::clone(&fresh);
    }
    let scene = Rc::clone(&stable.borrow());
    {
        // Follow the pane's shape with a ResizeObserver (it also reports the first size),
        // so ordinary renders never force a synchronous layout.
        let svg_ref = svg_ref.clone();
        let client = client.clone();
        use_effect_with((), move |_| {
            let el = svg_ref.cast::<Element>();
            let observed = el.clone();
            let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| {
                let Some(el) = observed.as_ref() else { return };
                let r = client_rect(el);
                if r.w > 50.0 && r.h > 50.0 {
                    client.set((
                        (r.w / 8.0).round() as i64 * 8,
                        (r.h / 8.0).round() as i64 * 8,
                    ));
                }
            });
            let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(el)) = (&observer, &el) {
                o.observe(el);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(callback);
            }
        });
    }
    // Every allowed flow, computed only when shown.
    let flows = use_memo((state.ws_rev, state.ui.flows), {
        let derived = Rc::clone(&state.derived);
        let on = state.ui.flows;
        move |_| {
            if !on || derived.eval.endpoints.len() > MAX_FLOW_ENDPOINTS {
                return None;
            }
            let eval = &derived.eval;
            let map = netpol::connectivity(&eval.effective, &eval.endpoints);
            // Traffic between two outside addresses never crosses the cluster: no policy
            // can say anything about it, so it is not a flow of this diagram.
            let pairs: Vec<(String, String, String)> = map
                .allowed_pairs()
                .filter(|(i, j, _)| {
                    let pod = |k: &usize| matches!(eval.endpoints.get(*k), Some(Endpoint::Pod(_)));
                    pod(i) || pod(j)
                })
                .filter_map(|(i, j, c)| {
                    Some((
                        map.endpoints.get(i)?.clone(),
                        map.endpoints.get(j)?.clone(),
                        c.to_string(),
                    ))
                })
                .collect();
            Some(pairs)
        }
    });

    let bounds = scene.layout.bounds;
    let size = *client;
    // Room the inspector panel takes (CSS px) when something is selected.
    let inspector_w = if state.ui.selection.is_some() {
        330.0
    } else {
        0.0
    };
    let view = (*camera).unwrap_or(fit_view(bounds, size, inspector_w));
    let view_box = format!("{:.1} {:.1} {:.1} {:.1}", view.x, view.y, view.w, view.h);

    // Live positions: a node being moved is drawn where the pointer is.
    let pos_of = |id: &str| -> Option<Pos> {
        if let Some(Drag::Move { id: m, pos, .. }) = &*drag {
            if m == id {
                return Some(*pos);
            }
        }
        scene.layout.nodes.get(id).copied()
    };

    // Wheel zoom, registered by hand so it can prevent the page from scrolling.
    {
        let svg_ref = svg_ref.clone();
        let camera = camera.clone();
        use_effect_with((bounds_key(&bounds), size), move |_| {
            let listener = svg_ref.cast::<Element>().map(|el| {
                let target = el.clone();
                gloo::events::EventListener::new_with_options(
                    &target,
                    "wheel",
                    gloo::events::EventListenerOptions::enable_prevent_default(),
                    move |ev| {
                        let Some(w) = ev.dyn_ref::<web_sys::WheelEvent>() else {
                            return;
                        };
                        ev.prevent_default();
                        let cur = (*camera).unwrap_or(fit_view(bounds, size, inspector_w));
                        let factor = if w.delta_y() > 0.0 { 1.12 } else { 1.0 / 1.12 };
                        let p = client_to_svg(
                            client_rect(&el),
                            cur,
                            f64::from(w.client_x()),
                            f64::from(w.client_y()),
                        );
                        camera.set(Some(zoom(cur, p, factor, bounds)));
                    },
                )
            });
            move || drop(listener)
        });
    }

    let onpointerdown = {
        let drag = drag.clone();
        let svg_ref = svg_ref.clone();
        let scene = Rc::clone(&scene);
        let camera = camera.clone();
        Callback::from(move |e: PointerEvent| {
            if e.button() != 0 {
                return;
            }
            let Some(svg) = svg_ref.cast::<Element>() else {
                return;
            };
            let Some(target) = target_element(&e) else {
                return;
            };
            let start = (f64::from(e.client_x()), f64::from(e.client_y()));
            let cur_view = (*camera).unwrap_or(fit_view(scene.layout.bounds, size, inspector_w));
            let p = client_to_svg(client_rect(&svg), cur_view, start.0, start.1);
            let node = target
                .closest("[data-endpoint]")
                .ok()
                .flatten()
                .and_then(|n| n.get_attribute("data-endpoint"));
            let on_edge = target
                .closest(".arrow, .flow, .ns-title")
                .ok()
                .flatten()
                .is_some();
            let next = match node {
                Some(id) => {
                    let on_grip = target.closest(".grip").ok().flatten().is_some();
                    let node_pos = scene.layout.nodes.get(&id).copied().unwrap_or(p);
                    if on_grip || e.shift_key() {
                        Some(Drag::Move {
                            id,
                            grab: Pos {
                                x: p.x - node_pos.x,
                                y: p.y - node_pos.y,
                            },
                            pos: node_pos,
                            start,
                            moved: false,
                        })
                    } else {
                        Some(Drag::Connect {
                            from: id,
                            cur: p,
                            start,
                            moved: false,
                            over: None,
                        })
                    }
                }
                None if on_edge => None,
                None => Some(Drag::Pan {
                    start,
                    view: cur_view,
                    moved: false,
                }),
            };
            if let Some(Drag::Move { .. }) = next {
                // Hold the view still while a node moves (the fitted view would follow it).
                camera.set(Some(cur_view));
            }
            if next.is_some() {
                e.prevent_default();
                let _ = svg.set_pointer_capture(e.pointer_id());
            }
            drag.set(next);
        })
    };

    let onpointermove = {
        let drag = drag.clone();
        let svg_ref = svg_ref.clone();
        let camera = camera.clone();
        let bounds = scene.layout.bounds;
        Callback::from(move |e: PointerEvent| {
            let Some(d) = (*drag).clone() else { return };
            let Some(svg) = svg_ref.cast::<Element>() else {
                return;
            };
            let (cx, cy) = (f64::from(e.client_x()), f64::from(e.client_y()));
            let cur_view = (*camera).unwrap_or(fit_view(bounds, size, inspector_w));
            let p = client_to_svg(client_rect(&svg), cur_view, cx, cy);
            let far = |start: (f64, f64)| (cx - start.0).hypot(cy - start.1) > DRAG_SLOP;
            match d {
                Drag::Connect {
                    from, start, moved, ..
                } => {
                    let over = endpoint_at(cx, cy).filter(|o| *o != from);
                    drag.set(Some(Drag::Connect {
                        moved: moved || far(start),
                        from,
                        cur: p,
                        start,
                        over,
                    }));
                }
                Drag::Move {
                    id,
                    grab,
                    start,
                    moved,
                    ..
                } => {
                    drag.set(Some(Drag::Move {
                        pos: Pos {
                            x: p.x - grab.x,
                            y: p.y - grab.y,
                        },
                        moved: moved || far(start),
                        id,
                        grab,
                        start,
                    }));
                }
                Drag::Pan { start, view, moved } => {
                    let rect = client_rect(&svg);
                    let scale = (rect.w / view.w).min(rect.h / view.h).max(1e-6);
                    camera.set(Some(Rect {
                        x: view.x - (cx - start.0) / scale,
                        y: view.y - (cy - start.1) / scale,
                        ..view
                    }));
                    drag.set(Some(Drag::Pan {
                        start,
                        view,
                        moved: moved || far(start),
                    }));
                }
            }
        })
    };

    let onpointerup = {
        let drag = drag.clone();
        let store = store.clone();
        let svg_ref = svg_ref.clone();
        Callback::from(move |e: PointerEvent| {
            if let Some(svg) = svg_ref.cast::<Element>() {
                let _ = svg.release_pointer_capture(e.pointer_id());
            }
            let Some(d) = (*drag).clone() else { return };
            drag.set(None);
            let (cx, cy) = (f64::from(e.client_x()), f64::from(e.client_y()));
            match d {
                Drag::Connect { from, moved, .. } => match endpoint_at(cx, cy) {
                    Some(to) if to != from => {
                        store.send(Action::AddArrow(from, to, Vec::new()));
                    }
                    _ if !moved => {
                        store.send(Action::Select(Some(Selection::Node(from.clone()))));
                        focus_node(&from);
                    }
                    _ => {}
                },
                Drag::Move { id, pos, moved, .. } => {
                    if moved {
                        store.send(Action::MoveNode(id, pos));
                    } else {
                        store.send(Action::Select(Some(Selection::Node(id))));
                    }
                }
                Drag::Pan { moved, .. } => {
                    if !moved {
                        store.send(Action::Select(None));
                    }
                }
            }
        })
    };
    let onpointercancel = {
        let drag = drag.clone();
        Callback::from(move |_: PointerEvent| drag.set(None))
    };

    // Keyboard on nodes.
    let node_keydown = {
        let store = store.clone();
        let announce = announce.clone();
        let scene = Rc::clone(&scene);
        move |id: String| {
            let store = store.clone();
            let announce = announce.clone();
            let scene = Rc::clone(&scene);
            Callback::from(move |e: KeyboardEvent| {
                let state = store.state();
                let step = if e.shift_key() { 60.0 } else { 15.0 };
                let moved = |dx: f64, dy: f64| {
                    scene.layout.nodes.get(&id).map(|p| Pos {
                        x: p.x + dx,
                        y: p.y + dy,
                    })
                };
                match e.key().as_str() {
                    "Enter" | "c" => {
                        e.prevent_default();
                        let msg = match &state.ui.connecting {
                            None => format!(
                                "Drawing an arrow from {id}. Move to another node and press Enter; Escape cancels."
                            ),
                            Some(from) if *from == id => format!("Still drawing from {id}."),
                            Some(from) => format!("Arrow drawn from {from} to {id}."),
                        };
                        announce.set(msg);
                        store.send(Action::Connect(id.clone()));
                    }
                    " " => {
                        e.prevent_default();
                        store.send(Action::Select(Some(Selection::Node(id.clone()))));
                    }
                    "Escape" => {
                        store.send(Action::CancelConnect);
                        store.send(Action::Select(None));
                        announce.set("Cancelled.".into());
                    }
                    "Delete" | "Backspace" if state.is_drawn(&id) => {
                        store.send(Action::RemoveEndpoint(id.clone()));
                        announce.set(format!("Removed {id}."));
                    }
                    "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => {
                        e.prevent_default();
                        let (dx, dy) = match e.key().as_str() {
                            "ArrowLeft" => (-step, 0.0),
                            "ArrowRight" => (step, 0.0),
                            "ArrowUp" => (0.0, -step),
                            _ => (0.0, step),
                        };
                        if let Some(p) = moved(dx, dy) {
                            store.send(Action::MoveNode(id.clone(), p));
                        }
                    }
                    _ => {}
                }
            })
        }
    };

    let selection = state.ui.selection.clone();
    let connecting = state.ui.connecting.clone();
    let drop_target = match &*drag {
        Some(Drag::Connect { over, .. }) => over.clone(),
        _ => None,
    };

    // Namespaces and the cluster box.
    let cluster = scene.layout.cluster;
    let ns_boxes = scene.layout.namespaces.iter().map(|b| {
        let (drawn, labels) = scene
            .namespaces
            .iter()
            .find(|(n, _, _)| *n == b.name)
            .map(|(_, d, l)| (*d, l.clone()))
            .unwrap_or_default();
        let selected = selection == Some(Selection::Namespace(b.name.clone()));
        // While a node is being moved its namespace box follows it.
        let rect = match &*drag {
            Some(Drag::Move { id, pos, .. }) if id.split_once('/').map(|(n, _)| n) == Some(b.name.as_str()) => {
                let r = layout::Rect::node(*pos);
                b.rect.union(&r.pad(18.0, 30.0, 18.0, 18.0))
            }
            _ => b.rect,
        };
        let name = b.name.clone();
        let onclick = {
            let store = store.clone();
            let name = name.clone();
            Callback::from(move |_: MouseEvent| {
                store.send(Action::Select(Some(Selection::Namespace(name.clone()))))
            })
        };
        let extra = labels
            .iter()
            .filter(|(k, _)| k.as_str() != netpol::model::NAMESPACE_NAME_LABEL)
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        html! {
            <g class={classes!("ns", drawn.then_some("drawn"), selected.then_some("selected"))} data-namespace={name.clone()}>
                <rect class="ns-box" x={fmt(rect.x)} y={fmt(rect.y)} width={fmt(rect.w)} height={fmt(rect.h)} rx="12" />
                <text class="ns-title" x={fmt(rect.x + 12.0)} y={fmt(rect.y + 20.0)} {onclick}>
                    { truncate(&name, ((rect.w - 24.0) / 7.5).max(8.0) as usize) }
                    <title>{ format!("Namespace {name}{}", if extra.is_empty() { String::new() } else { format!(" ({extra})") }) }</title>
                </text>
            </g>
        }
    });

    // Drawn arrows, with bends for two-way pairs.
    let arrow_pairs: BTreeSet<(String, String)> = state
        .derived
        .arrows
        .iter()
        .filter(|a| a.present)
        .map(|a| (a.from.clone(), a.to.clone()))
        .collect();
    let arrows = state.derived.arrows.iter().filter(|a| a.present).filter_map(|a| {
        let pa = pos_of(&a.from)?;
        let pb = pos_of(&a.to)?;
        let two_way = arrow_pairs.contains(&(a.to.clone(), a.from.clone()));
        let (d, label) = edge_path(pa, pb, if two_way { 28.0 } else { 0.0 });
        let selected = selection == Some(Selection::Arrow(a.index));
        let verdict = a.verdict.as_str();
        let newly = a.verdict != Verdict::Denied && a.before != Verdict::Allowed;
        let (icon, text) = match a.verdict {
            Verdict::Allowed => ("✓", a.wanted.clone()),
            Verdict::Partial => ("◐", a.wanted.clone()),
            Verdict::Denied => ("✕", a.wanted.clone()),
        };
        let text = truncate(&text, 22);
        let full_width = 30.0 + text.chars().count() as f64 * 6.6 + if newly { 34.0 } else { 0.0 };
        // Between close nodes a full label would cover them: show only the verdict badge
        // (the details are one click away, and in the tooltip and accessible name).
        let (s0, e0) = (border_point(pa, pb), border_point(pb, pa));
        let compact = (e0.x - s0.x).hypot(e0.y - s0.y) < full_width + 24.0;
        let width = if compact { 22.0 } else { full_width };
        let index = a.index;
        let onclick = {
            let store = store.clone();
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                store.send(Action::Select(Some(Selection::Arrow(index))));
            })
        };
        let onkeydown = {
            let store = store.clone();
            Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                "Enter" | " " => {
                    e.prevent_default();
                    store.send(Action::Select(Some(Selection::Arrow(index))));
                }
                "Delete" | "Backspace" => store.send(Action::RemoveArrow(index)),
                "Escape" => store.send(Action::Select(None)),
                _ => {}
            })
        };
        let aria = format!(
            "Arrow from {} to {}: {}{}; {} asked, {} allowed. Enter for details, Delete removes it.",
            a.from,
            a.to,
            verdict,
            if newly { " once the generated policies are applied" } else { "" },
            a.wanted,
            a.allowed
        );
        Some(html! {
            <g key={format!("a{index}")} class={classes!("arrow", verdict, selected.then_some("selected"), newly.then_some("new"))}
                data-from={a.from.clone()} data-to={a.to.clone()} data-verdict={verdict}
                data-verdict-manifests={a.before.as_str()}
                tabindex="0" role="button" aria-label={aria} {onclick} {onkeydown}>
                <title>{ format!("{} → {}: {} ({} allowed)", a.from, a.to, verdict, a.allowed) }</title>
                <path class="edge-hit" d={d.clone()} />
                <path class="edge" d={d} marker-end={format!("url(#ah-{verdict})")} />
                <g transform={format!("translate({:.1} {:.1})", label.x - width / 2.0, label.y - 11.0)}>
                    <rect class="label-bg" width={fmt(width)} height="22" rx="11" />
                    if compact {
                        <text class="label-icon" x="11" y="15.5" text-anchor="middle">{ icon }</text>
                    } else {
                        <text class="label-icon" x="10" y="15.5">{ icon }</text>
                        <text class="label-text" x="24" y="15">{ text }</text>
                        if newly {
                            <text class="label-new" x={fmt(width - 32.0)} y="14.5">{ "NEW" }</text>
                        }
                    }
                </g>
            </g>
        })
    });

    // The flows overlay.
    let (flow_html, flows_left_out) = match &*flows {
        Some(pairs) => {
            let set: BTreeSet<(&str, &str)> = pairs
                .iter()
                .map(|(a, b, _)| (a.as_str(), b.as_str()))
                .collect();
            let shown: Vec<Html> = pairs
                .iter()
                .filter(|(a, b, _)| !arrow_pairs.contains(&(a.clone(), b.clone())))
                .take(MAX_FLOWS)
                .filter_map(|t: &(String, String, String)| {
                    let (a, b, conns) = (&t.0, &t.1, &t.2);
                    let pa = pos_of(a)?;
                    let pb = pos_of(b)?;
                    let two_way = set.contains(&(b.as_ref(), a.as_ref()));
                    let (d, _) = edge_path(pa, pb, if two_way { 14.0 } else { 0.0 });
                    let selected = selection == Some(Selection::Flow(a.clone(), b.clone()));
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
                            <title>{ format!("{a} → {b}: {conns}") }</title>
                            <path class="edge-hit" d={d.clone()} />
                            <path class="edge" d={d} marker-end="url(#ah-flow)" />
                        </g>
                    })
                })
                .collect();
            let total = pairs
                .iter()
                .filter(|(a, b, _)| !arrow_pairs.contains(&(a.clone(), b.clone())))
                .count();
            (shown, total.saturating_sub(MAX_FLOWS))
        }
        None => (Vec::new(), 0),
    };

    // Nodes, rebuilt only when something they show changes.
    let moving = match &*drag {
        Some(Drag::Move { id, pos, .. }) => Some((id.clone(), *pos)),
        _ => None,
    };
    let node_key = (
        Rc::as_ptr(&scene) as usize,
        selection.clone(),
        connecting.clone(),
        drop_target.clone(),
        moving,
    );
    let node_html = |n: &NodeInfo| -> Option<Html> {
        let p = pos_of(&n.id)?;
        let selected = selection == Some(Selection::Node(n.id.clone()));
        let x = p.x - NODE_W / 2.0;
        let y = p.y - NODE_H / 2.0;
        let title_max = if n.kind.is_empty() { 18 } else { 13 };
        html! {
            <g key={n.id.clone()} class={classes!(
                    "node",
                    n.external.then_some("external"),
                    n.drawn.then_some("drawn"),
                    selected.then_some("selected"),
                    (connecting.as_deref() == Some(n.id.as_str())).then_some("connecting"),
                    (drop_target.as_deref() == Some(n.id.as_str())).then_some("drop-target"),
                )}
                data-endpoint={n.id.clone()} transform={format!("translate({x:.1} {y:.1})")}
                tabindex="0" role="button" aria-label={n.aria.clone()}
                onkeydown={node_keydown(n.id.clone())}>
                <title>{ format!("{}\n{}{}", n.id, n.sub, if n.drawn { "\n(drawn on the diagram)" } else { "" }) }</title>
                <rect class="node-box" width={fmt(NODE_W)} height={fmt(NODE_H)} rx="10" />
                <rect class="node-accent" x="0" y="10" width="4" height={fmt(NODE_H - 20.0)} rx="2" />
                <g class="grip no-export" transform="translate(10 15)">
                    <rect x="-4" y="-4" width="16" height="28" />
                    <circle cx="2" cy="2" r="1.6" /><circle cx="7" cy="2" r="1.6" />
                    <circle cx="2" cy="10" r="1.6" /><circle cx="7" cy="10" r="1.6" />
                    <circle cx="2" cy="18" r="1.6" /><circle cx="7" cy="18" r="1.6" />
                </g>
                <text class="node-title" x="26" y="22">{ truncate(&n.title, title_max) }</text>
                <text class="node-sub" x="26" y="39">{ truncate(&n.sub, 20) }</text>
                if !n.kind.is_empty() {
                    <text class="node-kind" x={fmt(NODE_W - 10.0)} y="20" text-anchor="end">{ short_kind(&n.kind) }</text>
                }
            </g>
        }
        .into()
    };
    let nodes = use_memo(node_key, |_| {
        scene.nodes.iter().filter_map(node_html).collect::<Html>()
    });

    let draft = match &*drag {
        Some(Drag::Connect {
            from,
            cur,
            moved: true,
            over,
            ..
        }) => pos_of(from).map(|a| {
            let end = over.as_deref().and_then(&pos_of).map(|b| border_point(b, a)).unwrap_or(*cur);
            let start = border_point(a, end);
            html! {
                <line class="draft" x1={fmt(start.x)} y1={fmt(start.y)} x2={fmt(end.x)} y2={fmt(end.y)}
                    marker-end="url(#ah-draft)" />
            }
        }),
        _ => None,
    };

    let empty = scene.nodes.is_empty();
    let too_many = scene.nodes.len() > MAX_FLOW_ENDPOINTS;
    let flows_on = state.ui.flows;
    let toggle_flows = {
        let store = store.clone();
        Callback::from(move |_: Event| store.send(Action::SetFlows(!flows_on)))
    };
    let zoom_by = |factor: f64| {
        let camera = camera.clone();
        Callback::from(move |_: MouseEvent| {
            let cur = (*camera).unwrap_or(fit_view(bounds, size, inspector_w));
            let c = Pos {
                x: cur.x + cur.w / 2.0,
                y: cur.y + cur.h / 2.0,
            };
            camera.set(Some(zoom(cur, c, factor, bounds)));
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
    let open = |d: Dialog| store.action(Action::OpenDialog(d));
    let add_ns = open(Dialog::AddNamespace);
    let add_pod = open(Dialog::AddPod(None));
    let add_ext = open(Dialog::AddExternal);
    let connecting_hint = state.ui.connecting.clone().map(|from| {
        let cancel = store.action(Action::CancelConnect);
        html! {
            <div class="diagram-banner" role="status">
                { format!("Drawing an arrow from {from}: click or press Enter on the destination.") }
                <button class="btn btn-small btn-ghost" onclick={move |_| cancel.emit(())}>{ "Cancel" }</button>
            </div>
        }
    });

    html! {
        <section class="pane diagram-pane" aria-label="Diagram">
            <header class="pane-head">
                <h2>{ "Diagram" }</h2>
                <div class="tool-group" role="group" aria-label="Add to the diagram">
                    <button class="btn btn-small" onclick={move |_| add_ns.emit(())} title="Add a namespace">{ icons::plus() }{ "Namespace" }</button>
                    <button class="btn btn-small" onclick={move |_| add_pod.emit(())} title="Add a pod">{ icons::plus() }{ "Pod" }</button>
                    <button class="btn btn-small" onclick={move |_| add_ext.emit(())} title="Add an external address or range">{ icons::plus() }{ "External" }</button>
                </div>
                <span class="spacer" />
                <label class="switch" title="Show every connection the policies allow">
                    <input type="checkbox" role="switch" checked={flows_on} onchange={toggle_flows} />
                    <span class="switch-track" aria-hidden="true"><span class="switch-thumb" /></span>
                    { "Allowed flows" }
                </label>
            </header>
            <div class="diagram-wrap">
                <svg ref={svg_ref} id="diagram-svg" class="diagram" xmlns="http://www.w3.org/2000/svg"
                    viewBox={view_box} data-aspect={aspect.to_string()} data-bounds={format!("{:.1} {:.1} {:.1} {:.1}", bounds.x, bounds.y, bounds.w, bounds.h)} role="group" aria-label="Network diagram: namespaces, pods, external endpoints and arrows"
                    {onpointerdown} {onpointermove} {onpointerup} {onpointercancel}>
                    <style>{ DIAGRAM_CSS }</style>
                    { markers() }
                    <rect class="bg" x={fmt(bounds.x - 5000.0)} y={fmt(bounds.y - 5000.0)} width={fmt(bounds.w + 10000.0)} height={fmt(bounds.h + 10000.0)} />
                    <g class="cluster">
                        <rect class="cluster-box" x={fmt(cluster.x)} y={fmt(cluster.y)} width={fmt(cluster.w)} height={fmt(cluster.h)} rx="16" />
                        <text class="cluster-title" x={fmt(cluster.x + 16.0)} y={fmt(cluster.y + 24.0)}>{ "Kubernetes cluster" }</text>
                    </g>
                    { for ns_boxes }
                    <g class="flows">{ for flow_html }</g>
                    <g class="arrows">{ for arrows }</g>
                    <g class="nodes">{ (*nodes).clone() }</g>
                    { draft.unwrap_or_default() }
                    if empty {
                        <text class="empty-hint" x={fmt(cluster.x + 20.0)} y={fmt(cluster.y + 70.0)}>
                            { "Paste manifests, pick an example, or add a namespace and pods." }
                        </text>
                    }
                </svg>
                { connecting_hint.unwrap_or_default() }
                <Inspector />
                if state.ws.arrows.is_empty() && !empty {
                    <p class="diagram-hint">{ "Drag from one node to another to allow traffic · ⠿ moves a node" }</p>
                }
                <div class="diagram-legend" aria-label="Legend">
                    <span class="lg lg-allowed">{ "allowed" }</span>
                    <span class="lg lg-partial">{ "partly" }</span>
                    <span class="lg lg-denied">{ "denied" }</span>
                    if flows_on { <span class="lg lg-flow">{ "flow" }</span> }
                    if flows_left_out > 0 { <span class="lg-note">{ format!("{flows_left_out} more flows not drawn") }</span> }
                    if flows_on && too_many { <span class="lg-note">{ format!("flows are drawn for up to {MAX_FLOW_ENDPOINTS} endpoints: see the truth table") }</span> }
                </div>
                <div class="diagram-controls" role="group" aria-label="View">
                    <button class="icon-btn" onclick={zoom_by(1.0 / 1.25)} title="Zoom in" aria-label="Zoom in">{ icons::zoom_in() }</button>
                    <button class="icon-btn" onclick={zoom_by(1.25)} title="Zoom out" aria-label="Zoom out">{ icons::zoom_out() }</button>
                    <button class="icon-btn" onclick={fit} title="Fit to view" aria-label="Fit to view">{ icons::fit() }</button>
                    <button class="icon-btn" onclick={reset_layout} title="Automatic layout (forget moved nodes)" aria-label="Automatic layout">{ icons::reset() }</button>
                </div>

                <div class="visually-hidden" aria-live="polite">{ (*announce).clone() }</div>
            </div>
        </section>
    }
}

fn short_kind(kind: &str) -> &str {
    match kind {
        "Deployment" => "Deploy",
        "StatefulSet" => "STS",
        "DaemonSet" => "DS",
        "ReplicaSet" => "RS",
        "CronJob" => "CronJob",
        other => other,
    }
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

/// The fitted view: the whole diagram, with room (in screen pixels) above for the hint line
/// and below for the legend and the view controls, which float over the SVG.
fn fit_view(bounds: Rect, client: (i64, i64), right: f64) -> Rect {
    let (cw, ch) = (client.0 as f64, client.1 as f64);
    // The inspector takes the right side only when the pane has room to spare.
    let right = if cw - right > 320.0 { right } else { 0.0 };
    let (top, bottom) = (26.0, 40.0);
    let scale = ((cw - right).max(40.0) / bounds.w.max(1.0))
        .min((ch - top - bottom).max(40.0) / bounds.h.max(1.0))
        .max(1e-3);
    // Centre the diagram in the uncovered part: pad the view on the right by the
    // inspector's width, then spread what is left over evenly.
    let view_w = cw / scale;
    let extra = (view_w - bounds.w - right / scale).max(0.0) / 2.0;
    Rect {
        x: bounds.x - extra,
        y: bounds.y - top / scale,
        w: view_w,
        h: bounds.h + (top + bottom) / scale,
    }
    .fit_height(ch / scale)
}

fn bounds_key(r: &Rect) -> (i64, i64, i64, i64) {
    (r.x as i64, r.y as i64, r.w as i64, r.h as i64)
}

/// Zooms `view` by `factor` around `p`, keeping the zoom within sane limits of `bounds`.
fn zoom(view: Rect, p: Pos, factor: f64, bounds: Rect) -> Rect {
    let max_w = bounds.w.max(400.0) * 4.0;
    let min_w = 160.0;
    let w = (view.w * factor).clamp(min_w, max_w);
    let f = w / view.w.max(1e-6);
    Rect {
        x: p.x - (p.x - view.x) * f,
        y: p.y - (p.y - view.y) * f,
        w,
        h: view.h * f,
    }
}

/// Moves keyboard focus to a node (after a click, so keys act on it).
fn focus_node(id: &str) {
    let Some(doc) = crate::browser::document() else {
        return;
    };
    let sel = format!("[data-endpoint=\"{}\"]", id.replace('"', ""));
    if let Ok(Some(el)) = doc.query_selector(&sel) {
        if let Ok(el) = el.dyn_into::<web_sys::SvgElement>() {
            let _ = el.focus();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_prefers_the_configured_label() {
        let mut l = Labels::new();
        l.insert("app".into(), "web".into());
        l.insert("tier".into(), "front".into());
        assert_eq!(identity(&l, None), "app=web");
        assert_eq!(identity(&l, Some("tier")), "tier=front");
        assert_eq!(identity(&Labels::new(), None), "no labels");
    }

    #[test]
    fn externals_are_named() {
        assert_eq!(external_text("ip:0.0.0.0/0").0, "Internet");
        assert_eq!(external_text("ip:10.1.2.3").1, "private network");
        assert_eq!(external_text("ip:8.8.8.8").1, "outside the cluster");
    }

    #[test]
    fn docs_scene_has_every_endpoint() {
        let ex = crate::examples::find("docs").unwrap();
        let s = AppState::new(&ex.state(), crate::state::LoadOrigin::Shared);
        let sc = scene(&s, 2.0);
        assert_eq!(sc.nodes.len(), 7);
        assert_eq!(sc.layout.namespaces.len(), 4);
        assert!(sc.nodes.iter().all(|n| sc.layout.nodes.contains_key(&n.id)));
    }

    #[test]
    fn zoom_keeps_the_point() {
        let v = Rect {
            x: 0.0,
            y: 0.0,
            w: 1000.0,
            h: 500.0,
        };
        let p = Pos { x: 250.0, y: 100.0 };
        let z = zoom(v, p, 0.5, v);
        assert!((z.w - 500.0).abs() < 1e-9);
        assert!((z.x - 125.0).abs() < 1e-9 && (z.y - 50.0).abs() < 1e-9);
    }
}
