//! The node layer: one group per endpoint, focusable, with its title, identifying label,
//! kind badge and move grip, named for assistive technology by what it shows. Rebuilt only when something it shows changes (its props),
//! not on every keystroke in the editor.

use yew::prelude::*;

use super::fmt;
use super::scene::{NodeInfo, Scene, Shared};
use crate::layout::{Pos, NODE_H, NODE_W};

#[derive(Properties, PartialEq)]
pub struct NodesProps {
    pub scene: Shared<Scene>,
    pub selected: Option<String>,
    /// The source of an arrow being drawn with the keyboard.
    pub connecting: Option<String>,
    /// The node an arrow being drawn with the pointer would end on.
    pub drop_target: Option<String>,
    pub moving: Option<(String, Pos)>,
    pub on_key: Callback<(String, KeyboardEvent)>,
}

#[function_component(NodesLayer)]
pub fn nodes_layer(props: &NodesProps) -> Html {
    let nodes = props.scene.nodes.iter().filter_map(|n| {
        let p = props.scene.position(&n.id, props.moving.as_ref())?;
        Some(node(n, p, props))
    });
    html! { <g class="nodes">{ for nodes }</g> }
}

/// Left edge of a node's texts (right of the accent bar and the move grip).
const TEXT_X: f64 = 26.0;
/// Room kept free at a node's right edge.
const TEXT_PAD: f64 = 10.0;
/// Average advance of a title character (14px semibold) and a label character (11.5px
/// monospace), to tell when a text runs past its room.
const TITLE_CHAR_W: f64 = 7.8;
const SUB_CHAR_W: f64 = 6.9;
/// The kind badge's character advance (10px uppercase semibold, spaced).
const BADGE_CHAR_W: f64 = 7.0;
/// How far the end of a text too long for its box fades out.
const FADE_W: f64 = 16.0;

fn node(n: &NodeInfo, p: Pos, props: &NodesProps) -> Html {
    let is = |id: &Option<String>| id.as_deref() == Some(n.id.as_str());
    let x = p.x - NODE_W / 2.0;
    let y = p.y - NODE_H / 2.0;
    let full_w = NODE_W - TEXT_X - TEXT_PAD;
    let badge_w = if n.badge.is_empty() {
        0.0
    } else {
        n.badge.chars().count() as f64 * BADGE_CHAR_W + 12.0
    };
    let onkeydown = {
        let (on_key, id) = (props.on_key.clone(), n.id.clone());
        Callback::from(move |e: KeyboardEvent| on_key.emit((id.clone(), e)))
    };
    // The texts are whole in the DOM and clipped on screen (a nested <svg> clips), so the
    // accessible name, which starts with them, contains what a person sees: a text cut
    // with an ellipsis would not be part of any name. The spaces between them keep the
    // words apart for assistive technology; SVG does not draw them.
    html! {
        <g key={n.id.clone()} class={classes!(
                "node",
                n.external.then_some("external"),
                n.drawn.then_some("drawn"),
                is(&props.selected).then_some("selected"),
                is(&props.connecting).then_some("connecting"),
                is(&props.drop_target).then_some("drop-target"),
            )}
            data-endpoint={n.id.clone()} transform={format!("translate({x:.1} {y:.1})")}
            tabindex="0" role="button" aria-label={n.aria.clone()}
            {onkeydown}>
            <title>{ format!("{}\n{}{}", n.id, n.sub, if n.drawn { "\n(drawn on the diagram)" } else { "" }) }</title>
            <rect class="node-box" width={fmt(NODE_W)} height={fmt(NODE_H)} rx="10" />
            <rect class="node-accent" x="0" y="10" width="4" height={fmt(NODE_H - 20.0)} rx="2" />
            <g class="grip no-export" transform="translate(10 15)">
                <rect x="-4" y="-4" width="16" height="28" />
                <circle cx="2" cy="2" r="1.6" /><circle cx="7" cy="2" r="1.6" />
                <circle cx="2" cy="10" r="1.6" /><circle cx="7" cy="10" r="1.6" />
                <circle cx="2" cy="18" r="1.6" /><circle cx="7" cy="18" r="1.6" />
            </g>
            { clipped_text("node-title", &n.title, (6.0, 22.0), full_w - badge_w, TITLE_CHAR_W, 22.0) }
            { " " }
            { clipped_text("node-sub", &n.sub, (28.0, 16.0), full_w, SUB_CHAR_W, 39.0) }
            if !n.badge.is_empty() {
                { " " }
                <text class="node-kind" x={fmt(NODE_W - TEXT_PAD)} y="20" text-anchor="end">{ n.badge.clone() }</text>
            }
        </g>
    }
}

/// One line of a node's text in a box `width` wide at `rows` (top, height: inside the
/// node's border, which the fade would cover), drawn whole and clipped; a text estimated
/// to run past the box fades out at its end.
fn clipped_text(
    class: &str,
    text: &str,
    rows: (f64, f64),
    width: f64,
    char_w: f64,
    baseline: f64,
) -> Html {
    let (top, height) = rows;
    let long = text.chars().count() as f64 * char_w > width;
    html! {
        <svg class="node-clip" x={fmt(TEXT_X)} y={fmt(top)} width={fmt(width)} height={fmt(height)}>
            <text class={class.to_string()} x="0" y={fmt(baseline - top)}>{ text }</text>
            if long {
                <rect class="node-fade" x={fmt(width - FADE_W)} y="0" width={fmt(FADE_W)} height={fmt(height)} />
            }
        </svg>
    }
}
