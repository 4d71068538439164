//! The dialog that takes other manifests to compare the workspace with: pasted text (or
//! what was pasted last, or what is compared now). The text becomes the old side; the
//! editor is never touched.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::compare::Request;
use crate::components::modal::Modal;
use crate::share::{CompareWith, MAX_MANIFESTS};
use crate::state::{human_size, Action};
use crate::store::use_store;

#[function_component(PasteToCompare)]
pub fn paste_to_compare() -> Html {
    let store = use_store();
    let text = use_state(|| {
        store
            .as_ref()
            .map(|s| initial_text(s.state()))
            .unwrap_or_default()
    });
    let error = use_state(|| None::<String>);
    let area = use_node_ref();
    {
        let area = area.clone();
        use_effect_with((), move |_| {
            if let Some(el) = area.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let Some(store) = store else {
        return html! {};
    };
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
                text.set(t.value());
            }
        })
    };
    let onsubmit = {
        let (store, text, error) = (store.clone(), text.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if text.trim().is_empty() {
                error.set(Some("paste the manifests to compare with first".into()));
            } else if text.len() > MAX_MANIFESTS {
                error.set(Some(format!(
                    "that is {}; the playground compares at most {}",
                    human_size(text.len()),
                    human_size(MAX_MANIFESTS)
                )));
            } else {
                store.send(Action::CloseDialog);
                store.send(Action::Compare(Request::Manifests((*text).clone())));
            }
        })
    };
    let cancel = store.action(Action::CloseDialog);
    html! {
        <Modal title="Compare with other manifests" on_close={store.action(Action::CloseDialog)} class="modal-wide">
            <form class="form" {onsubmit}>
                <p class="muted">{ "Paste the version to compare with, for example the base branch's. It is the old side: the workspace is the new one. Your editor is not changed." }</p>
                <label for="compare-text">{ "Manifests to compare with" }</label>
                <textarea ref={area} id="compare-text" class="mono compare-text" value={(*text).clone()} {oninput}
                    spellcheck="false" autocomplete="off" placeholder="apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n…" />
                <p class="field-help">{ "External endpoints on the diagram are kept on both sides." }</p>
                if let Some(m) = (*error).clone() { <p class="field-error" role="alert">{ m }</p> }
                <footer class="modal-actions">
                    <button type="button" class="btn" onclick={move |_| cancel.emit(())}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary">{ "Compare" }</button>
                </footer>
            </form>
        </Modal>
    }
}

/// What the dialog opens with: the manifests compared now, else the last pasted, else nothing.
fn initial_text(state: &crate::state::AppState) -> String {
    let comparing = state
        .compare
        .as_ref()
        .filter(|c| c.with == CompareWith::Manifests)
        .and_then(|c| c.kept.as_ref())
        .map(|k| k.ws.manifests.clone());
    comparing
        .or_else(|| state.pasted.as_deref().cloned())
        .unwrap_or_default()
}
