//! A lesson's first difference from its solution, on the diagram while the learner has it
//! open in the lesson panel: the probes it names (pods and addresses the grader adds, which
//! are not in the workspace) as dashed nodes tagged "probe", and the connection itself as a
//! line between its ends, solid with a `+` where the learner's policies allow what the
//! solution does not, dotted with a `−` where they deny what it allows. Not selectable, and
//! left out of exports: it belongs to the lesson, not to the cluster.

use netpol::lesson::ConnectionDifference;
use yew::prelude::*;

use super::changes::badge_point;
use super::fmt;
use super::scene::{NodeInfo, Scene, Shared};
use crate::display::truncate;
use crate::layout::{edge_path, Pos, NODE_H, NODE_W};

/// How far the difference's line bends from the straight line between its ends, so it
/// does not cover a drawn arrow between the same nodes (as Compare's changes bend).
const BEND: f64 = 18.0;

#[derive(Properties, PartialEq)]
pub struct ProbeProps {
    pub difference: Shared<ConnectionDifference>,
    pub scene: Shared<Scene>,
    pub moving: Option<(String, Pos)>,
}

/// The probe nodes and the differing connection.
#[function_component(ProbeLayer)]
pub fn probe_layer(props: &ProbeProps) -> Html {
    let d = &props.difference;
    let pos = |id: &str| props.scene.position(id, props.moving.as_ref());
    let nodes = props
        .scene
        .probes
        .iter()
        .filter_map(|n| Some(probe_node(n, pos(&n.id)?)));
    let line = pos(&d.from)
        .zip(pos(&d.to))
        .map(|(a, b)| difference_line(d, a, b, &props.scene));
    html! {
        <g class="probe-layer" data-difference-from={d.from.clone()} data-difference-to={d.to.clone()}>
            { line.unwrap_or_default() }
            { for nodes }
        </g>
    }
}

/// The connection: what the learner's policies do that the solution's do not.
fn difference_line(d: &ConnectionDifference, a: Pos, b: Pos, scene: &Scene) -> Html {
    let (path, _) = edge_path(a, b, BEND);
    // Where no node covers the badge (the probes are laid out as nodes too).
    let mid = badge_point(a, b, &scene.layout.nodes);
    let (kind, glyph) = if d.learner_allows {
        ("opened", "+")
    } else {
        ("closed", "−")
    };
    let side = match d.side {
        None => "",
        Some(netpol::Direction::Egress) => " (egress)",
        Some(netpol::Direction::Ingress) => " (ingress)",
    };
    let words = if d.learner_allows {
        format!("yours allow {}/{}{side}", d.port, d.protocol.as_str())
    } else {
        format!("yours deny {}/{}{side}", d.port, d.protocol.as_str())
    };
    let w = 18.0 + words.chars().count() as f64 * 6.3;
    // The words go under the probe, where the eye already is, rather than along a line
    // that crosses other nodes; without a probe, beside the badge.
    let probe_at = scene
        .probes
        .iter()
        .find(|p| p.id == d.from || p.id == d.to)
        .and_then(|p| scene.layout.nodes.get(&p.id));
    let at = match probe_at {
        Some(p) => Pos {
            x: p.x - w / 2.0,
            y: p.y + NODE_H / 2.0 + 4.0,
        },
        None => Pos {
            x: mid.x + 14.0,
            y: mid.y - 11.0,
        },
    };
    html! {
        <g class={classes!("probe-difference", kind)} role="img" aria-label={d.message.clone()}>
            <title>{ d.message.clone() }</title>
            <path class="edge-case" d={path.clone()} />
            <path class={classes!("edge", if d.learner_allows { "opened-line" } else { "closed-line" })} d={path}
                marker-end={if d.learner_allows { "url(#ah-opened)" } else { "url(#ah-closed)" }} />
            <g class="change-badge" transform={format!("translate({:.1} {:.1})", mid.x, mid.y)}>
                <circle r="9.5" />
                <text y="4.5" text-anchor="middle">{ glyph }</text>
            </g>
            <g class="change-label" transform={format!("translate({:.1} {:.1})", at.x, at.y)}>
                <rect width={fmt(w)} height="22" rx="11" />
                <text x="8" y="15">{ words }</text>
            </g>
        </g>
    }
}

/// A probe: dashed, tagged "probe", not selectable.
fn probe_node(n: &NodeInfo, p: Pos) -> Html {
    let (x, y) = (p.x - NODE_W / 2.0, p.y - NODE_H / 2.0);
    html! {
        <g key={n.id.clone()} class={classes!("probe-node", n.external.then_some("external"))}
            data-probe={n.id.clone()} transform={format!("translate({x:.1} {y:.1})")}
            role="img" aria-label={n.aria.clone()}>
            <title>{ n.aria.clone() }</title>
            <rect class="node-box" width={fmt(NODE_W)} height={fmt(NODE_H)} rx="10" />
            <text class="node-title" x="16" y="22">{ truncate(&n.title, 17) }</text>
            <text class="node-sub" x="16" y="39">{ truncate(&n.sub, 20) }</text>
            <g class="probe-tag" transform={format!("translate({:.1} -9)", NODE_W - 52.0)}>
                <rect width="44" height="18" rx="9" />
                <text x="22" y="13" text-anchor="middle">{ "probe" }</text>
            </g>
        </g>
    }
}
