//! The observed layer: the flow log's connections, one line per pair of ends, drawn apart
//! from the drawn arrows and the allowed flows: dashed, with a `×N` count label (how many
//! times the log saw them), and where the manifests would drop any of them a `✕` badge and
//! a dash-dot line. Colour is never the only sign: the pattern, the badge and the
//! accessible name say it too. Endpoints seen only in the log are dashed nodes tagged
//! "in flows". At most [`MAX_DRAWN_OBSERVED`] pairs are drawn (the legend says how many
//! more); the Flows tab lists every connection.

use std::collections::BTreeMap;

use yew::prelude::*;

use super::fmt;
use super::scene::{NodeInfo, Scene, Shared};
use crate::display::truncate;
use crate::flowlog::Replay;
use crate::layout::{curve_point, edge_curve, edge_path, Pos, NODE_H, NODE_W};
use crate::state::{Action, Tab};
use crate::store::use_store;

/// Pairs drawn at most.
pub const MAX_DRAWN_OBSERVED: usize = 300;
/// How far an observed line bends, so it does not cover a drawn arrow or a change.
const BEND: f64 = -26.0;

/// One pair of ends and what the log saw between them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pair {
    pub count: u64,
    /// Ports seen (`9090/TCP`), in the log's order.
    pub ports: Vec<String>,
    /// Ports the manifests would drop.
    pub dropped: Vec<String>,
    /// Ports a compared change would start dropping.
    pub starts_dropping: bool,
}

/// A pair's ends (`from`, `to`) and what was seen between them.
type Drawn = ((String, String), Pair);

/// The pairs to draw (dropped ones first, so the cap never hides one) and how many more.
pub fn pairs(r: &Replay) -> (Vec<Drawn>, usize) {
    let mut by: BTreeMap<(String, String), Pair> = BTreeMap::new();
    for (row, c) in r.rows.iter().zip(&r.observed.connections) {
        let p = by.entry((row.from.clone(), row.to.clone())).or_default();
        let port = format!("{}/{}", c.port, c.protocol);
        p.count += c.count;
        if !row.allowed {
            p.dropped.push(port.clone());
        }
        p.starts_dropping |= row.starts_dropping;
        p.ports.push(port);
    }
    let mut all: Vec<_> = by.into_iter().collect();
    netpol::sorting::sort_by_key(&mut all, |(_, p)| p.dropped.is_empty());
    let more = all.len().saturating_sub(MAX_DRAWN_OBSERVED);
    all.truncate(MAX_DRAWN_OBSERVED);
    (all, more)
}

#[derive(Properties, PartialEq)]
pub struct ObservedProps {
    pub replay: Shared<Replay>,
    pub scene: Shared<Scene>,
    pub moving: Option<(String, Pos)>,
}

/// The observed connections and the endpoints seen only in flows.
#[function_component(ObservedLayer)]
pub fn observed_layer(props: &ObservedProps) -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let key = std::rc::Rc::as_ptr(&props.replay.0) as usize;
    let drawn = use_memo(key, {
        let r = props.replay.clone();
        move |_| pairs(&r).0
    });
    let pos = |id: &str| props.scene.position(id, props.moving.as_ref());
    let nodes = props
        .scene
        .seen
        .iter()
        .filter_map(|n| Some(seen_node(n, pos(&n.id)?)));
    let lines = drawn.iter().filter_map(|((from, to), p)| {
        let (a, b) = (pos(from)?, pos(to)?);
        let (d, _) = edge_path(a, b, BEND);
        let mid = curve_point(edge_curve(a, b, BEND), 0.5);
        let dropped = !p.dropped.is_empty();
        let label = format!("×{}", p.count);
        let w = 10.0 + label.chars().count() as f64 * 6.6 + if dropped { 16.0 } else { 0.0 };
        let aria = if dropped {
            format!(
                "Observed {from} → {to}, {} seen {} times; would be dropped: {}{}",
                p.ports.join(", "),
                p.count,
                p.dropped.join(", "),
                if p.starts_dropping { " (the compared change starts dropping it)" } else { "" }
            )
        } else {
            format!(
                "Observed {from} → {to}, {} seen {} times; allowed",
                p.ports.join(", "),
                p.count
            )
        };
        let onclick = {
            let store = store.clone();
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                store.send(Action::SelectTab(Tab::Flows));
            })
        };
        Some(html! {
            <g class={classes!("observed", if dropped { "dropped" } else { "seen" }, p.starts_dropping.then_some("starts-dropping"))}
                data-observed-from={from.clone()} data-observed-to={to.clone()} role="img" aria-label={aria.clone()} {onclick}>
                <title>{ aria }</title>
                <path class="edge-hit" d={d.clone()} />
                <path class="observed-line" d={d} marker-end={if dropped { "url(#ah-observed-dropped)" } else { "url(#ah-observed)" }} />
                <g class="observed-count" transform={format!("translate({:.1} {:.1})", mid.x - w / 2.0, mid.y - 9.0)}>
                    <rect width={fmt(w)} height="18" rx="9" />
                    if dropped { <text class="observed-x" x="9" y="13" text-anchor="middle">{ "✕" }</text> }
                    <text x={fmt(if dropped { 18.0 } else { 5.0 })} y="13">{ label }</text>
                </g>
            </g>
        })
    });
    html! {
        <g class="observed-layer">
            { for lines }
            { for nodes }
        </g>
    }
}

/// An endpoint seen only in flows: dashed, tagged "in flows", not selectable.
fn seen_node(n: &NodeInfo, p: Pos) -> Html {
    let (x, y) = (p.x - NODE_W / 2.0, p.y - NODE_H / 2.0);
    html! {
        <g key={n.id.clone()} class={classes!("seen-node", n.external.then_some("external"))}
            data-seen={n.id.clone()} transform={format!("translate({x:.1} {y:.1})")}
            role="img" aria-label={n.aria.clone()}>
            <title>{ n.aria.clone() }</title>
            <rect class="node-box" width={fmt(NODE_W)} height={fmt(NODE_H)} rx="10" />
            <text class="node-title" x="16" y="22">{ truncate(&n.title, 17) }</text>
            <text class="node-sub" x="16" y="39">{ truncate(&n.sub, 20) }</text>
            <g class="seen-tag" transform={format!("translate({:.1} -9)", NODE_W - 64.0)}>
                <rect width="58" height="18" rx="9" />
                <text x="29" y="13" text-anchor="middle">{ "in flows" }</text>
            </g>
        </g>
    }
}
