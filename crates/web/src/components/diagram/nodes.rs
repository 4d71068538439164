//! The node layer: one group per endpoint, focusable, with its title, identifying label,
//! kind badge and move grip, named for assistive technology by what it shows. Zoomed out
//! too far to read, a node is only its box (see [`NodesProps::detail`]). Rebuilt only when
//! something it shows changes (its props), not on every keystroke in the editor.

use yew::prelude::*;

use super::fmt;
use super::scene::{NodeInfo, Scene, Shared};
use crate::layout::{Pos, NODE_H, NODE_W};

#[derive(Properties, PartialEq)]
pub struct NodesProps {
    pub scene: Shared<Scene>,
    /// Whether the view is close enough to read nodes' texts
    /// ([`crate::layout::shows_node_text`]); if not, a node is its box, its accent and its
    /// tooltip, still focusable and named by its `aria-label`.
    pub detail: bool,
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
/// The widest glyph a title can hold (`m` or `w`, 14px semibold; names are lowercase DNS
/// labels): a title no wider than its room at this advance needs no clip.
const TITLE_MAX_CHAR_W: f64 = 12.6;
/// The move grip, in node coordinates (x, y, width, height): `GRIP_DOTS` draws its dots.
pub const GRIP: (f64, f64, f64, f64) = (6.0, 11.0, 16.0, 28.0);

fn node(n: &NodeInfo, p: Pos, props: &NodesProps) -> Html {
    let is = |id: &Option<String>| id.as_deref() == Some(n.id.as_str());
    let x = p.x - NODE_W / 2.0;
    let y = p.y - NODE_H / 2.0;
    let badge_w = if n.badge.is_empty() {
        0.0
    } else {
        n.badge.chars().count() as f64 * BADGE_CHAR_W + 12.0
    };
    let onkeydown = {
        let (on_key, id) = (props.on_key.clone(), n.id.clone());
        Callback::from(move |e: KeyboardEvent| on_key.emit((id.clone(), e)))
    };
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
            if props.detail {
                { node_details(n, badge_w) }
            }
        </g>
    }
}

/// What a node shows when the view is close enough to read it: the move grip, the title
/// (with room for the kind badge, `badge_w` wide), the identifying label and the badge.
fn node_details(n: &NodeInfo, badge_w: f64) -> Html {
    let full_w = NODE_W - TEXT_X - TEXT_PAD;
    // The texts are whole in the DOM and, where they may not fit, clipped on screen, so
    // what a person sees is all there for assistive technology: a text cut with an
    // ellipsis would not be. The spaces between them keep the words apart; SVG does not
    // draw them.
    html! {
        <>
            // One rect is both the handle and its dots (a pattern in the diagram's defs): a
            // node is 7 elements, not 16, which halves the diagram's DOM at 200 pods.
            <rect class="grip no-export" x={fmt(GRIP.0)} y={fmt(GRIP.1)} width={fmt(GRIP.2)} height={fmt(GRIP.3)} />
            { node_text("node-title", &n.title, (6.0, 22.0), full_w - badge_w, (TITLE_CHAR_W, TITLE_MAX_CHAR_W), 22.0) }
            { " " }
            { node_text("node-sub", &n.sub, (28.0, 16.0), full_w, (SUB_CHAR_W, SUB_CHAR_W), 39.0) }
            if !n.badge.is_empty() {
                { " " }
                <text class="node-kind" x={fmt(NODE_W - TEXT_PAD)} y="20" text-anchor="end">{ n.badge.clone() }</text>
            }
        </>
    }
}

/// One line of a node's text in a box `width` wide at `rows` (top, height: inside the
/// node's border, which the fade would cover). `char_w` is the (average, widest) advance of
/// its characters. A text that surely fits is a plain `<text>`; one that may not is drawn
/// whole in a nested `<svg>` that clips it, and one estimated to run past the box fades out
/// at its end.
fn node_text(
    class: &str,
    text: &str,
    rows: (f64, f64),
    width: f64,
    char_w: (f64, f64),
    baseline: f64,
) -> Html {
    let (top, height) = rows;
    let chars = text.chars().count() as f64;
    if chars * char_w.1 <= width {
        return html! {
            <text class={class.to_string()} x={fmt(TEXT_X)} y={fmt(baseline)}>{ text }</text>
        };
    }
    let long = chars * char_w.0 > width;
    html! {
        <svg class="node-clip" x={fmt(TEXT_X)} y={fmt(top)} width={fmt(width)} height={fmt(height)}>
            <text class={class.to_string()} x="0" y={fmt(baseline - top)}>{ text }</text>
            if long {
                <rect class="node-fade" x={fmt(width - FADE_W)} y="0" width={fmt(FADE_W)} height={fmt(height)} />
            }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yew::virtual_dom::VNode;

    /// The element a node's text renders as, and the elements inside it.
    fn shape(html: &Html) -> (String, Vec<String>) {
        let VNode::VTag(tag) = html else {
            panic!("not an element: {html:?}");
        };
        (
            tag.tag().to_string(),
            tag.children().map(elements).unwrap_or_default(),
        )
    }

    /// The element tags in `html`, through lists (an `if` that is false is an empty one).
    fn elements(html: &Html) -> Vec<String> {
        match html {
            VNode::VTag(tag) => vec![tag.tag().to_string()],
            VNode::VList(list) => list.iter().flat_map(elements).collect(),
            _ => Vec::new(),
        }
    }

    fn title(text: &str) -> Html {
        let width = NODE_W - TEXT_X - TEXT_PAD;
        node_text(
            "node-title",
            text,
            (6.0, 22.0),
            width,
            (TITLE_CHAR_W, TITLE_MAX_CHAR_W),
            22.0,
        )
    }

    #[test]
    fn a_title_that_surely_fits_is_a_plain_text_element() {
        assert_eq!(shape(&title("pod-1")).0, "text");
        assert_eq!(shape(&title("kube-dns")).0, "text");
    }

    #[test]
    fn a_title_that_may_not_fit_is_clipped_and_faded_only_when_estimated_long() {
        // Twelve of the widest glyph may overflow (clip), though on average they fit (no fade).
        let svg = |inside: &[&str]| {
            (
                "svg".to_string(),
                inside.iter().map(|t| t.to_string()).collect(),
            )
        };
        assert_eq!(shape(&title("mmmmmmmmmmmm")), svg(&["text"]));
        assert_eq!(shape(&title("ingress-nginx")), svg(&["text"]));
        assert_eq!(
            shape(&title("payments-api-gateway-canary-west")),
            svg(&["text", "rect"])
        );
    }
}
