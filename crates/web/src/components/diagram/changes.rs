//! The compare layers: while comparing, every pair whose connections opened or closed (the
//! engine's diff), drawn apart from the allowed and denied arrows: an opened flow is a
//! cased solid line with a `+` badge, a closed one a dotted line with a `−` badge, a pair
//! that did both carries both lines and a `±` badge. Endpoints only the compared side has
//! are faded "removed" nodes; new ones get an "added" tag. Colour is never the only sign:
//! the line pattern, the badge's glyph and the accessible name say it too.
//!
//! [`ChangesLayer`] (lines and removed nodes) is drawn under the arrows; [`ChangeTags`]
//! (added/removed tags) over the nodes. A change is focusable: Enter or a click selects
//! it, and the inspector shows its causes and the explanation before and after.

use std::collections::{BTreeMap, BTreeSet};

use netpol::diff::render::{change_text, ports};
use netpol::diff::{Cause, Change};
use yew::prelude::*;

use super::fmt;
use super::scene::{NodeInfo, Scene, Shared};
use super::selection_handlers;
use crate::display::truncate;
use crate::layout::{curve_point, edge_curve, edge_path, Pos, Rect, NODE_H, NODE_W};
use crate::state::Selection;
use crate::store::{use_store, Store};

/// Changes drawn at most (the Changes tab lists them all, the legend says how many were
/// left out).
pub const MAX_DRAWN_CHANGES: usize = 400;
/// How far a change's line bends away from the straight arrow between the same nodes (a
/// drawn arrow and the flow it opens would otherwise cover each other).
const BEND: f64 = 18.0;
/// Above this many nodes a badge sits at its line's middle without looking for a free spot.
const MAX_NODES_AVOIDED: usize = 200;

/// `opened`, `closed`, or `changed` (both): the CSS class and the word people read.
pub fn change_kind(c: &Change) -> &'static str {
    match (c.opened.is_empty(), c.closed.is_empty()) {
        (false, true) => "opened",
        (true, false) => "closed",
        _ => "changed",
    }
}

/// The badge's sign for a kind of change: `+`, `−` or `±`.
pub fn change_glyph(kind: &str) -> &'static str {
    match kind {
        "opened" => "+",
        "closed" => "−",
        _ => "±",
    }
}

/// The accessible name of a change: what opened and closed between whom, and why.
pub fn change_label(c: &Change, causes: &[String]) -> String {
    let mut parts = Vec::new();
    if !c.opened.is_empty() {
        parts.push(format!("opened {}", ports(&c.opened)));
    }
    if !c.closed.is_empty() {
        parts.push(format!("closed {}", ports(&c.closed)));
    }
    let what = parts.join(" and ");
    let because = if causes.is_empty() {
        String::new()
    } else {
        format!(" Because: {}.", causes.join("; "))
    };
    format!("Change from {} to {}: {what}.{because}", c.from, c.to)
}

#[derive(Properties, PartialEq)]
pub struct ChangesProps {
    pub scene: Shared<Scene>,
    pub moving: Option<(String, Pos)>,
}

/// Opened and closed flows, and the removed endpoints.
#[function_component(ChangesLayer)]
pub fn changes_layer(props: &ChangesProps) -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let Some(compare) = &state.compare else {
        return html! {};
    };
    let diff = &compare.diff;
    let texts: Vec<String> = diff.causes.iter().map(Cause::describe).collect();
    let pos = |id: &str| props.scene.position(id, props.moving.as_ref());
    let selected = match &state.ui.selection {
        Some(Selection::Change(a, b)) => Some((a.as_str(), b.as_str())),
        _ => None,
    };
    let lines = diff.changes.iter().take(MAX_DRAWN_CHANGES).filter_map(|c| {
        let causes: Vec<String> = c
            .causes
            .iter()
            .filter_map(|&i| texts.get(i).cloned())
            .collect();
        let is_selected = selected == Some((c.from.as_str(), c.to.as_str()));
        Some(change_line(
            &store,
            c,
            &causes,
            (pos(&c.from)?, pos(&c.to)?),
            (&props.scene.layout.nodes, is_selected),
        ))
    });
    let removed = props
        .scene
        .removed
        .iter()
        .filter_map(|n| Some(removed_node(n, pos(&n.id)?)));
    html! {
        <g class="changes">
            { for removed }
            { for lines }
        </g>
    }
}

/// Where a change's badge goes: the middle of its line, or the nearest point along it that
/// no node covers (the node layer is drawn over the lines and would hide the badge).
pub fn badge_point(pa: Pos, pb: Pos, nodes: &BTreeMap<String, Pos>) -> Pos {
    let curve = edge_curve(pa, pb, BEND);
    let mid = curve_point(curve, 0.5);
    if nodes.len() > MAX_NODES_AVOIDED {
        return mid;
    }
    let free = |p: Pos| {
        nodes.values().all(|n| {
            let r = Rect::node(*n).pad(12.0, 12.0, 12.0, 12.0);
            p.x < r.x || p.x > r.right() || p.y < r.y || p.y > r.y + r.h
        })
    };
    [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]
        .into_iter()
        .map(|t| curve_point(curve, t))
        .find(|p| free(*p))
        .unwrap_or(mid)
}

fn change_line(
    store: &Store,
    c: &Change,
    causes: &[String],
    (pa, pb): (Pos, Pos),
    (nodes, selected): (&BTreeMap<String, Pos>, bool),
) -> Html {
    let kind = change_kind(c);
    let (d, _) = edge_path(pa, pb, BEND);
    let mid = badge_point(pa, pb, nodes);
    let (onclick, onkeydown) =
        selection_handlers(store, Selection::Change(c.from.clone(), c.to.clone()));
    let text = change_text(c);
    let label = selected.then(|| {
        let shown = truncate(&text, 40);
        let w = 16.0 + shown.chars().count() as f64 * 6.3;
        html! {
            <g class="change-label" transform={format!("translate({:.1} {:.1})", mid.x + 14.0, mid.y - 11.0)}>
                <rect width={fmt(w)} height="22" rx="11" />
                <text x="8" y="15">{ shown }</text>
            </g>
        }
    });
    // A pair that opened and closed gets both lines, the dotted one over the solid one.
    let (solid, dotted) = (kind != "closed", kind != "opened");
    let head = if kind == "closed" {
        "url(#ah-closed)"
    } else {
        "url(#ah-opened)"
    };
    html! {
        <g key={format!("{}→{}", c.from, c.to)} class={classes!("change", kind, selected.then_some("selected"))}
            data-change-from={c.from.clone()} data-change-to={c.to.clone()} data-change={kind}
            tabindex="0" role="button" aria-label={format!("{} Enter shows the explanation before and after.", change_label(c, causes))}
            {onclick} {onkeydown}>
            <title>{ format!("{} → {}: {text}", c.from, c.to) }</title>
            <path class="edge-hit" d={d.clone()} />
            if solid {
                <path class="edge-case" d={d.clone()} />
                <path class="edge opened-line" d={d.clone()} marker-end={head} />
            }
            if dotted {
                <path class="edge closed-line" d={d} marker-end={if solid { "" } else { head }} />
            }
            <g class="change-badge" transform={format!("translate({:.1} {:.1})", mid.x, mid.y)}>
                <circle r="9.5" />
                <text y="4.5" text-anchor="middle">{ change_glyph(kind) }</text>
            </g>
            { label.unwrap_or_default() }
        </g>
    }
}

/// An endpoint only the compared side has: faded, dashed, struck through, not selectable.
fn removed_node(n: &NodeInfo, p: Pos) -> Html {
    let (x, y) = (p.x - NODE_W / 2.0, p.y - NODE_H / 2.0);
    html! {
        <g key={n.id.clone()} class={classes!("ghost", n.external.then_some("external"))}
            data-removed-endpoint={n.id.clone()} transform={format!("translate({x:.1} {y:.1})")}
            role="img" aria-label={n.aria.clone()}>
            <title>{ format!("{}\nremoved: only on the compared side", n.id) }</title>
            <rect class="node-box" width={fmt(NODE_W)} height={fmt(NODE_H)} rx="10" />
            <text class="node-title" x="16" y="22">{ truncate(&n.title, 18) }</text>
            <text class="node-sub" x="16" y="39">{ truncate(&n.sub, 20) }</text>
        </g>
    }
}

#[derive(Properties, PartialEq)]
pub struct TagsProps {
    pub scene: Shared<Scene>,
    pub moving: Option<(String, Pos)>,
}

/// "added" and "removed" tags over the nodes and namespace boxes that differ.
#[function_component(ChangeTags)]
pub fn change_tags(props: &TagsProps) -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let Some(compare) = &store.state().compare else {
        return html! {};
    };
    let pos = |id: &str| props.scene.position(id, props.moving.as_ref());
    let tag = |kind: &'static str, text: &'static str, at: Pos| {
        let w = 12.0 + text.chars().count() as f64 * 6.6;
        html! {
            <g class={classes!("endpoint-tag", kind)} transform={format!("translate({:.1} {:.1})", at.x - w, at.y - 9.0)} aria-hidden="true">
                <rect width={fmt(w)} height="18" rx="9" />
                <text x={fmt(w / 2.0)} y="12.5" text-anchor="middle">{ text }</text>
            </g>
        }
    };
    let corner = |p: Pos| Pos {
        x: p.x + NODE_W / 2.0 - 6.0,
        y: p.y - NODE_H / 2.0,
    };
    let added = compare
        .diff
        .added_endpoints
        .iter()
        .filter_map(|id| Some(tag("added", "+ ADDED", corner(pos(id)?))));
    let removed = props
        .scene
        .removed
        .iter()
        .filter_map(|n| Some(tag("removed", "− REMOVED", corner(pos(&n.id)?))));
    // Namespace boxes that only hold removed pods are gone too.
    let current: BTreeSet<&str> = props
        .scene
        .namespaces
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    let gone_namespaces = props
        .scene
        .layout
        .namespaces
        .iter()
        .filter(|b| !current.contains(b.name.as_str()))
        .map(|b| {
            tag(
                "removed",
                "− REMOVED",
                Pos {
                    x: b.rect.right() - 8.0,
                    y: b.rect.y + 14.0,
                },
            )
        });
    html! {
        <g class="change-tags">
            { for added }
            { for removed }
            { for gone_namespaces }
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netpol::ports::{Connections, PortRanges, Protocol};

    fn change(opened: Connections, closed: Connections) -> Change {
        Change {
            from: "x/a".into(),
            to: "x/b".into(),
            opened,
            closed,
            causes: vec![0],
        }
    }

    #[test]
    fn kinds_and_names_say_what_changed_in_words() {
        let tcp80 = Connections::of(Protocol::Tcp, PortRanges::range(80, 80));
        let opened = change(tcp80.clone(), Connections::none());
        let closed = change(Connections::none(), Connections::all());
        let both = change(
            tcp80,
            Connections::of(Protocol::Udp, PortRanges::range(53, 53)),
        );
        assert_eq!(
            [&opened, &closed, &both].map(change_kind),
            ["opened", "closed", "changed"]
        );
        assert_eq!(
            change_label(&opened, &["added NetworkPolicy x/p (ingress[0]) allows it".into()]),
            "Change from x/a to x/b: opened TCP 80. Because: added NetworkPolicy x/p (ingress[0]) allows it."
        );
        assert_eq!(
            change_label(&closed, &[]),
            "Change from x/a to x/b: closed all connections."
        );
        assert_eq!(
            change_label(&both, &[]),
            "Change from x/a to x/b: opened TCP 80 and closed UDP 53."
        );
        assert_ne!(change_glyph("opened"), change_glyph("closed"));
    }

    #[test]
    fn a_badge_moves_along_its_line_off_the_nodes_in_the_way() {
        let (a, b) = (Pos { x: 0.0, y: 0.0 }, Pos { x: 0.0, y: 600.0 });
        let mid = badge_point(a, b, &BTreeMap::new());
        assert!((mid.y - 300.0).abs() < 1e-6);
        // A node sits on the middle of the line: the badge goes elsewhere on it, off the node.
        let nodes = BTreeMap::from([("x/in-between".to_string(), Pos { x: mid.x, y: 300.0 })]);
        let moved = badge_point(a, b, &nodes);
        let r = Rect::node(Pos { x: mid.x, y: 300.0 });
        assert!(
            moved.y < r.y - 12.0 || moved.y > r.y + r.h + 12.0,
            "{moved:?}"
        );
        assert!(moved.y > 0.0 && moved.y < 600.0);
    }
}
