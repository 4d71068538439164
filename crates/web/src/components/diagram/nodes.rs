//! The node layer: one group per endpoint, focusable, with its title, identifying label,
//! kind badge and move grip. Rebuilt only when something it shows changes (its props),
//! not on every keystroke in the editor.

use yew::prelude::*;

use super::fmt;
use super::scene::{NodeInfo, Scene, Shared};
use crate::display::truncate;
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

fn node(n: &NodeInfo, p: Pos, props: &NodesProps) -> Html {
    let is = |id: &Option<String>| id.as_deref() == Some(n.id.as_str());
    let x = p.x - NODE_W / 2.0;
    let y = p.y - NODE_H / 2.0;
    let title_max = if n.kind.is_empty() { 18 } else { 13 };
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
}

fn short_kind(kind: &str) -> &str {
    match kind {
        "Deployment" => "Deploy",
        "StatefulSet" => "STS",
        "DaemonSet" => "DS",
        "ReplicaSet" => "RS",
        other => other,
    }
}
