//! Starting and leaving compare mode: the top bar's "Compare with…" menu items, and the
//! bar under the top bar that says, while comparing, what with and how many flows opened
//! and closed (in the embed too, without its buttons).

use netpol::diff::render::summary;
use yew::prelude::*;

use crate::compare::Request;
use crate::components::icons;
use crate::share::CompareWith;
use crate::state::{Action, Dialog, Tab};
use crate::store::{use_store, Store};

/// The items of the "Compare with…" menu; `done` closes the menu.
pub fn compare_items(store: &Store, done: Callback<()>) -> Html {
    let current = store.state().compare.as_ref().map(|c| c.with);
    let pick = |action: Action| {
        let (store, done) = (store.clone(), done.clone());
        Callback::from(move |_: MouseEvent| {
            done.emit(());
            store.send(action.clone());
        })
    };
    let item = |with: CompareWith, action: Action, title: &'static str, sub: &'static str| {
        html! {
            <li role="none">
                <button role="menuitem" class={classes!("menu-item", (current == Some(with)).then_some("current"))} onclick={pick(action)}>
                    <span class="menu-title">{ title }</span>
                    <span class="menu-sub">{ sub }</span>
                </button>
            </li>
        }
    };
    html! {
        <>
            { item(CompareWith::Snapshot, Action::Compare(Request::Snapshot),
                "A snapshot of this workspace", "take it now; your edits from here on are compared with it") }
            { item(CompareWith::Manifests, Action::OpenDialog(Dialog::CompareManifests),
                "Other manifests…", "paste the version to compare with, e.g. the base branch's") }
            { item(CompareWith::WithoutGenerated, Action::Compare(Request::WithoutGenerated),
                "Without the generated policies", "what the arrows you drew open and close") }
            if current.is_some() {
                <li role="separator" class="menu-sep" />
                <li role="none">
                    <button role="menuitem" class="menu-item" onclick={pick(Action::StopCompare)}>
                        <span class="menu-title">{ "Exit compare" }</span>
                        <span class="menu-sub">{ "the workspace stays as it is" }</span>
                    </button>
                </li>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct CompareBarProps {
    /// In the docs embed: the counts only, no buttons.
    #[prop_or_default]
    pub embed: bool,
}

/// While comparing: what with, what opened and closed, and the way out.
#[function_component(CompareBar)]
pub fn compare_bar(props: &CompareBarProps) -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let Some(compare) = store.state().compare.clone() else {
        return html! {};
    };
    let diff = &compare.diff;
    let (opened, closed) = (diff.opened_pairs(), diff.closed_pairs());
    let (added, removed) = (diff.added_endpoints.len(), diff.removed_endpoints.len());
    let show = store.action(Action::SelectTab(Tab::Changes));
    let exit = store.action(Action::StopCompare);
    html! {
        <div class="compare-bar" role="region" aria-label="Comparison">
            { icons::compare() }
            <span class="compare-what">{ "Compared with " }<strong>{ compare.title() }</strong></span>
            <span class="compare-counts" role="status" title={summary(diff)}>
                <span class="chg-count opened">{ format!("+ {opened} opened") }</span>
                <span class="chg-count closed">{ format!("− {closed} closed") }</span>
                if added + removed > 0 {
                    <span class="chg-count endpoints">{ format!("{added} added, {removed} removed") }</span>
                }
            </span>
            <span class="spacer" />
            if !props.embed {
                <button class="btn btn-small" onclick={move |_| show.emit(())}>{ "Changes" }</button>
                <button class="btn btn-small" onclick={move |_| exit.emit(())} title="Leave compare mode; the workspace stays as it is">{ icons::close() }{ "Exit compare" }</button>
            }
        </div>
    }
}
