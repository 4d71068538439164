//! The namespace layer: the cluster box, and a box per namespace whose title selects it.
//! While a pod is being moved, its namespace box grows to follow it.

use yew::prelude::*;

use super::fmt;
use super::scene::{Scene, Shared};
use crate::display::truncate;
use crate::layout::{Pos, Rect};
use crate::state::{Action, Selection};
use crate::store::use_store;

#[derive(Properties, PartialEq)]
pub struct NamespacesProps {
    pub scene: Shared<Scene>,
    pub moving: Option<(String, Pos)>,
}

#[function_component(NamespacesLayer)]
pub fn namespaces_layer(props: &NamespacesProps) -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let selection = &store.state().ui.selection;
    let cluster = props.scene.layout.cluster;
    let boxes = props.scene.layout.namespaces.iter().map(|b| {
        let info = props.scene.namespaces.iter().find(|n| n.name == b.name);
        let drawn = info.is_some_and(|n| n.drawn);
        let selected = *selection == Some(Selection::Namespace(b.name.clone()));
        let rect = match &props.moving {
            Some((id, pos)) if id.split_once('/').map(|(n, _)| n) == Some(b.name.as_str()) => {
                b.rect.union(&Rect::node(*pos).pad(18.0, 30.0, 18.0, 18.0))
            }
            _ => b.rect,
        };
        let name = b.name.clone();
        let onclick = store.action(Action::Select(Some(Selection::Namespace(name.clone()))));
        let extra = info
            .map(|n| {
                n.labels
                    .iter()
                    .filter(|(k, _)| k.as_str() != netpol::model::NAMESPACE_NAME_LABEL)
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let title = if extra.is_empty() {
            format!("Namespace {name}")
        } else {
            format!("Namespace {name} ({extra})")
        };
        html! {
            <g class={classes!("ns", drawn.then_some("drawn"), selected.then_some("selected"))} data-namespace={name.clone()}>
                <rect class="ns-box" x={fmt(rect.x)} y={fmt(rect.y)} width={fmt(rect.w)} height={fmt(rect.h)} rx="12" />
                <text class="ns-title" x={fmt(rect.x + 12.0)} y={fmt(rect.y + 20.0)} onclick={move |_| onclick.emit(())}>
                    { truncate(&name, ((rect.w - 24.0) / 7.5).max(8.0) as usize) }
                    <title>{ title }</title>
                </text>
            </g>
        }
    });
    html! {
        <>
            <g class="cluster">
                <rect class="cluster-box" x={fmt(cluster.x)} y={fmt(cluster.y)} width={fmt(cluster.w)} height={fmt(cluster.h)} rx="16" />
                <text class="cluster-title" x={fmt(cluster.x + 16.0)} y={fmt(cluster.y + 24.0)}>{ "Kubernetes cluster" }</text>
            </g>
            { for boxes }
        </>
    }
}
