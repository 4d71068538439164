//! The diagram's gestures, as one hook. Pointer: a drag from one node to another draws an
//! arrow; dragging a node by its grip (or with Shift) moves it; dragging the background
//! pans; a press without a drag selects; the wheel zooms around the pointer. Keyboard on a
//! node: Enter (or `c`) starts an arrow and Enter on another node finishes it, Space
//! selects, arrow keys move the node, Delete removes what was drawn, Escape cancels. What
//! the keyboard did is announced to screen readers.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use super::scene::{Scene, Shared};
use crate::layout::{client_to_svg, fit_view, zoom, Pos, Rect};
use crate::state::{Action, Selection};
use crate::store::Store;

/// Pointer travel (CSS px) that turns a press into a drag.
const DRAG_SLOP: f64 = 4.0;

/// A pointer gesture in progress. `start` is where it began (client px); `moved` says it
/// travelled past [`DRAG_SLOP`].
#[derive(Clone, Debug, PartialEq)]
pub enum Drag {
    /// Drawing an arrow from a node; `over` is the node under the pointer.
    Connect {
        from: String,
        cur: Pos,
        start: (f64, f64),
        moved: bool,
        over: Option<String>,
    },
    /// Moving a node; `grab` is where the pointer holds it, from its centre.
    Move {
        id: String,
        grab: Pos,
        pos: Pos,
        start: (f64, f64),
        moved: bool,
    },
    /// Panning the view from `view`.
    Pan {
        start: (f64, f64),
        view: Rect,
        moved: bool,
    },
}

impl Drag {
    /// The node being moved and where it is now.
    pub fn moving(&self) -> Option<(String, Pos)> {
        match self {
            Drag::Move { id, pos, .. } => Some((id.clone(), *pos)),
            _ => None,
        }
    }

    /// The node an arrow being drawn would end on.
    pub fn drop_target(&self) -> Option<String> {
        match self {
            Drag::Connect { over, .. } => over.clone(),
            _ => None,
        }
    }
}

/// What the fitted view depends on: the diagram's bounds, the pane's size, and the room
/// the inspector takes on the right.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub bounds: Rect,
    pub client: (i64, i64),
    pub inspector: f64,
}

impl Frame {
    /// The view shown: the camera's, or the fitted one.
    pub fn view(&self, camera: Option<Rect>) -> Rect {
        camera.unwrap_or_else(|| fit_view(self.bounds, self.client, self.inspector))
    }
}

/// The handlers to put on the SVG and the nodes, and what they are doing.
pub struct Gestures {
    pub drag: Option<Drag>,
    pub onpointerdown: Callback<PointerEvent>,
    pub onpointermove: Callback<PointerEvent>,
    pub onpointerup: Callback<PointerEvent>,
    pub onpointercancel: Callback<PointerEvent>,
    /// Keys on a node, by its id. The same callback across renders, so the node layer is
    /// not rebuilt for it.
    pub on_node_key: Callback<(String, KeyboardEvent)>,
    /// What the keyboard last did, for the live region.
    pub announce: String,
}

/// `camera` is the view the user zoomed or panned to (`None`: fitted).
#[hook]
pub fn use_gestures(
    store: &Store,
    svg: &NodeRef,
    scene: &Shared<Scene>,
    camera: &UseStateHandle<Option<Rect>>,
    frame: Frame,
) -> Gestures {
    let drag = use_state(|| None::<Drag>);
    let announce = use_state(String::new);
    use_wheel_zoom(svg, camera, frame);
    // The key handler reads the latest store and scene when a key is pressed.
    let latest = use_mut_ref(|| (store.clone(), Rc::clone(&scene.0)));
    *latest.borrow_mut() = (store.clone(), Rc::clone(&scene.0));
    let on_node_key = {
        let announce = announce.setter();
        use_callback((), move |(id, e): (String, KeyboardEvent), _| {
            let (store, scene) = latest.borrow().clone();
            node_key(&store, &scene, &announce, &id, &e);
        })
    };
    let ctx = Ctx {
        store: store.clone(),
        svg: svg.clone(),
        scene: Rc::clone(&scene.0),
        camera: camera.clone(),
        drag: drag.clone(),
        frame,
    };
    Gestures {
        drag: (*drag).clone(),
        onpointerdown: {
            let ctx = ctx.clone();
            Callback::from(move |e: PointerEvent| ctx.down(&e))
        },
        onpointermove: {
            let ctx = ctx.clone();
            Callback::from(move |e: PointerEvent| ctx.moved(&e))
        },
        onpointerup: {
            let ctx = ctx.clone();
            Callback::from(move |e: PointerEvent| ctx.up(&e))
        },
        onpointercancel: Callback::from(move |_: PointerEvent| drag.set(None)),
        on_node_key,
        announce: (*announce).clone(),
    }
}

/// What the pointer handlers work with, as of this render.
#[derive(Clone)]
struct Ctx {
    store: Store,
    svg: NodeRef,
    scene: Rc<Scene>,
    camera: UseStateHandle<Option<Rect>>,
    drag: UseStateHandle<Option<Drag>>,
    frame: Frame,
}

impl Ctx {
    /// The SVG point under a client point, in the view shown.
    fn svg_point(&self, svg: &Element, view: Rect, x: f64, y: f64) -> Pos {
        client_to_svg(client_rect(svg), view, x, y)
    }

    fn down(&self, e: &PointerEvent) {
        if e.button() != 0 {
            return;
        }
        let (Some(svg), Some(target)) = (self.svg.cast::<Element>(), target_element(e)) else {
            return;
        };
        let start = (f64::from(e.client_x()), f64::from(e.client_y()));
        let view = self.frame.view(*self.camera);
        let p = self.svg_point(&svg, view, start.0, start.1);
        let node = target
            .closest("[data-endpoint]")
            .ok()
            .flatten()
            .and_then(|n| n.get_attribute("data-endpoint"));
        let on_edge = target
            .closest(".arrow, .flow, .change, .goal-chip, .ns-title")
            .ok()
            .flatten()
            .is_some();
        let next = match node {
            Some(id) => {
                let on_grip = target.closest(".grip").ok().flatten().is_some();
                let node_pos = self.scene.layout.nodes.get(&id).copied().unwrap_or(p);
                if on_grip || e.shift_key() {
                    let grab = Pos {
                        x: p.x - node_pos.x,
                        y: p.y - node_pos.y,
                    };
                    Some(Drag::Move {
                        id,
                        grab,
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
                view,
                moved: false,
            }),
        };
        if let Some(Drag::Move { .. }) = next {
            // Hold the view still while a node moves (the fitted view would follow it).
            self.camera.set(Some(view));
        }
        if next.is_some() {
            e.prevent_default();
            let _ = svg.set_pointer_capture(e.pointer_id());
        }
        self.drag.set(next);
    }

    fn moved(&self, e: &PointerEvent) {
        let (Some(d), Some(svg)) = ((*self.drag).clone(), self.svg.cast::<Element>()) else {
            return;
        };
        let (cx, cy) = (f64::from(e.client_x()), f64::from(e.client_y()));
        let p = self.svg_point(&svg, self.frame.view(*self.camera), cx, cy);
        let far = |start: (f64, f64)| (cx - start.0).hypot(cy - start.1) > DRAG_SLOP;
        let next = match d {
            Drag::Connect {
                from, start, moved, ..
            } => {
                let over = endpoint_at(cx, cy).filter(|o| *o != from);
                Drag::Connect {
                    moved: moved || far(start),
                    from,
                    cur: p,
                    start,
                    over,
                }
            }
            Drag::Move {
                id,
                grab,
                start,
                moved,
                ..
            } => Drag::Move {
                pos: Pos {
                    x: p.x - grab.x,
                    y: p.y - grab.y,
                },
                moved: moved || far(start),
                id,
                grab,
                start,
            },
            Drag::Pan { start, view, moved } => {
                let rect = client_rect(&svg);
                let scale = (rect.w / view.w).min(rect.h / view.h).max(1e-6);
                self.camera.set(Some(Rect {
                    x: view.x - (cx - start.0) / scale,
                    y: view.y - (cy - start.1) / scale,
                    ..view
                }));
                Drag::Pan {
                    start,
                    view,
                    moved: moved || far(start),
                }
            }
        };
        self.drag.set(Some(next));
    }

    fn up(&self, e: &PointerEvent) {
        if let Some(svg) = self.svg.cast::<Element>() {
            let _ = svg.release_pointer_capture(e.pointer_id());
        }
        let Some(d) = (*self.drag).clone() else {
            return;
        };
        self.drag.set(None);
        let (cx, cy) = (f64::from(e.client_x()), f64::from(e.client_y()));
        let store = &self.store;
        match d {
            Drag::Connect { from, moved, .. } => match endpoint_at(cx, cy) {
                Some(to) if to != from => store.send(Action::AddArrow(from, to, Vec::new())),
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
    }
}

/// Wheel zoom, registered by hand so it can keep the page from scrolling.
#[hook]
fn use_wheel_zoom(svg: &NodeRef, camera: &UseStateHandle<Option<Rect>>, frame: Frame) {
    let svg = svg.clone();
    let camera = camera.clone();
    let key = (bounds_key(&frame.bounds), frame.client);
    use_effect_with(key, move |_| {
        let listener = svg.cast::<Element>().map(|el| {
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
                    let cur = frame.view(*camera);
                    let factor = if w.delta_y() > 0.0 { 1.12 } else { 1.0 / 1.12 };
                    let p = client_to_svg(
                        client_rect(&el),
                        cur,
                        f64::from(w.client_x()),
                        f64::from(w.client_y()),
                    );
                    camera.set(Some(zoom(cur, p, factor, frame.bounds)));
                },
            )
        });
        move || drop(listener)
    });
}

fn bounds_key(r: &Rect) -> (i64, i64, i64, i64) {
    (r.x as i64, r.y as i64, r.w as i64, r.h as i64)
}

fn node_key(
    store: &Store,
    scene: &Scene,
    announce: &UseStateSetter<String>,
    id: &str,
    e: &KeyboardEvent,
) {
    let state = store.state();
    let step = if e.shift_key() { 60.0 } else { 15.0 };
    match e.key().as_str() {
        "Enter" | "c" => {
            e.prevent_default();
            let msg = match &state.ui.connecting {
                None => format!(
                    "Drawing an arrow from {id}. Move to another node and press Enter; Escape cancels."
                ),
                Some(from) if from == id => format!("Still drawing from {id}."),
                Some(from) => {
                    // Focus goes to the new arrow: Enter opens its details, Delete removes it.
                    crate::browser::focus_soon(crate::browser::arrow_selector(from, id));
                    format!("Arrow drawn from {from} to {id}. Enter shows its details; Delete removes it.")
                }
            };
            announce.set(msg);
            store.send(Action::Connect(id.to_string()));
        }
        " " => {
            e.prevent_default();
            store.send(Action::Select(Some(Selection::Node(id.to_string()))));
        }
        "Escape" => {
            store.send(Action::CancelConnect);
            store.send(Action::Select(None));
            announce.set("Cancelled.".into());
        }
        "Delete" | "Backspace" if state.is_drawn(id) => {
            store.send(Action::RemoveEndpoint(id.to_string()));
            announce.set(format!("Removed {id}."));
        }
        key @ ("ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown") => {
            e.prevent_default();
            let (dx, dy) = match key {
                "ArrowLeft" => (-step, 0.0),
                "ArrowRight" => (step, 0.0),
                "ArrowUp" => (0.0, -step),
                _ => (0.0, step),
            };
            if let Some(p) = scene.layout.nodes.get(id) {
                let to = Pos {
                    x: p.x + dx,
                    y: p.y + dy,
                };
                store.send(Action::MoveNode(id.to_string(), to));
            }
        }
        _ => {}
    }
}

/// The element's box in client (CSS pixel) coordinates.
pub fn client_rect(el: &Element) -> Rect {
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

/// Moves keyboard focus to a node (after a click, so keys act on it).
fn focus_node(id: &str) {
    crate::browser::focus(&crate::browser::node_selector(id));
}
