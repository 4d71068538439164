//! The arrow layer: each drawn arrow with the engine's verdict (colour, icon, the ports
//! asked, NEW when only the generated policies allow it), bent apart from its reverse.
//! An arrow is focusable: Enter shows its details, Delete removes it.

use std::collections::BTreeSet;

use yew::prelude::*;

use super::fmt;
use super::scene::{Scene, Shared};
use crate::browser;
use crate::components::inspector::INSPECTOR_SELECTOR;
use crate::layout::{border_point, edge_path, Pos};
use crate::state::{Action, ArrowView, Selection, Verdict};
use crate::store::{use_store, Store};

#[derive(Properties, PartialEq)]
pub struct ArrowsProps {
    pub scene: Shared<Scene>,
    pub moving: Option<(String, Pos)>,
}

/// The (from, to) pairs of the drawn arrows whose ends exist.
pub fn arrow_pairs(arrows: &[ArrowView]) -> BTreeSet<(String, String)> {
    arrows
        .iter()
        .filter(|a| a.present)
        .map(|a| (a.from.clone(), a.to.clone()))
        .collect()
}

#[function_component(ArrowsLayer)]
pub fn arrows_layer(props: &ArrowsProps) -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let arrows = &store.state().derived.arrows;
    let pairs = arrow_pairs(arrows);
    let pos = |id: &str| props.scene.position(id, props.moving.as_ref());
    let drawn = arrows.iter().filter(|a| a.present).filter_map(|a| {
        let two_way = pairs.contains(&(a.to.clone(), a.from.clone()));
        Some(arrow(&store, a, pos(&a.from)?, pos(&a.to)?, two_way))
    });
    html! { <g class="arrows">{ for drawn }</g> }
}

fn arrow(store: &Store, a: &ArrowView, pa: Pos, pb: Pos, two_way: bool) -> Html {
    let (d, label) = edge_path(pa, pb, if two_way { 28.0 } else { 0.0 });
    let selected = store.state().ui.selection == Some(Selection::Arrow(a.index));
    let verdict = a.verdict.as_str();
    let newly = a.verdict != Verdict::Denied && a.before != Verdict::Allowed;
    let icon = match a.verdict {
        Verdict::Allowed => "✓",
        Verdict::Partial => "◐",
        Verdict::Denied => "✕",
    };
    let text = label_text(&a.wanted);
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
    // Keys: Enter opens the inspector and moves focus into it (Escape there comes back);
    // Delete removes the arrow and focus goes to its source node, not to the page's start.
    let onkeydown = {
        let store = store.clone();
        let from = a.from.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" | " " => {
                e.prevent_default();
                store.send(Action::Select(Some(Selection::Arrow(index))));
                browser::focus_soon(INSPECTOR_SELECTOR.to_string());
            }
            "Delete" | "Backspace" => {
                e.prevent_default();
                store.send(Action::RemoveArrow(index));
                browser::focus_soon(browser::node_selector(&from));
            }
            "Escape" => store.send(Action::Select(None)),
            _ => {}
        })
    };
    // The name contains the label's words as shown (speech input matches what it sees).
    let shown = match (compact, newly) {
        (true, _) => String::new(),
        (false, false) => format!(", {text}"),
        (false, true) => format!(", {text} new"),
    };
    let aria = format!(
        "Arrow from {} to {}{shown}: {}{}; {} asked, {} allowed. Enter for details, Delete removes it.",
        a.from,
        a.to,
        verdict,
        if newly { " once the generated policies are applied" } else { "" },
        a.wanted,
        a.allowed
    );
    html! {
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
                        { " " }
                        <text class="label-new" x={fmt(width - 32.0)} y="14.5">{ "NEW" }</text>
                    }
                }
            </g>
        </g>
    }
}

/// The label's text: the ports asked, or how many when the list is too long to show whole
/// (a list cut short would show a port that is not the one asked).
fn label_text(wanted: &str) -> String {
    const MAX_CHARS: usize = 22;
    if wanted.chars().count() <= MAX_CHARS {
        wanted.to_string()
    } else {
        format!("{} ports", wanted.split(", ").count())
    }
}

#[cfg(test)]
mod tests {
    use super::label_text;

    #[test]
    fn a_long_port_list_is_counted_not_cut() {
        assert_eq!(label_text("all ports"), "all ports");
        assert_eq!(label_text("TCP 8080, UDP 53"), "TCP 8080, UDP 53");
        assert_eq!(label_text("TCP 8080, UDP 53, TCP 9090, TCP 443"), "4 ports");
    }
}
