//! Modal dialogs: add a namespace, a pod or an external endpoint (no YAML needed), confirm
//! replacing unsaved work, the share link, and help. Forms validate as Kubernetes would and
//! say what to type.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::browser;
use crate::components::compare::PasteToCompare;
use crate::components::icons;
use crate::components::modal::Modal;
use crate::components::toolbar::load_example;
use crate::examples;
use crate::forms;
use crate::state::{Action, Dialog};
use crate::store::{use_store, Store};

fn value_of(e: &InputEvent) -> String {
    e.target_dyn_into::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

fn field(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| state.set(value_of(&e)))
}

/// Focuses the first field of a dialog when it opens.
#[hook]
fn use_autofocus() -> NodeRef {
    let r = use_node_ref();
    {
        let r = r.clone();
        use_effect_with((), move |_| {
            if let Some(el) = r.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    r
}

#[function_component(AddNamespace)]
fn add_namespace() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let name = use_state(String::new);
    let labels = use_state(String::new);
    let error = use_state(|| None::<String>);
    let first = use_autofocus();
    let onsubmit = {
        let (store, name, labels, error) =
            (store.clone(), name.clone(), labels.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let n = name.trim().to_string();
            let result =
                forms::check_namespace_name(&n).and_then(|()| forms::parse_labels(&labels));
            match result {
                Ok(l) => {
                    store.send(Action::CloseDialog);
                    store.send(Action::AddNamespace(n, l));
                }
                Err(m) => error.set(Some(m)),
            }
        })
    };
    html! {
        <Modal title="Add a namespace" on_close={store.action(Action::CloseDialog)}>
            <form class="form" {onsubmit}>
                <label for="ns-name">{ "Name" }</label>
                <input ref={first} id="ns-name" type="text" value={(*name).clone()} oninput={field(&name)} placeholder="team-three" autocomplete="off" />
                <label for="ns-labels">{ "Labels" }</label>
                <input id="ns-labels" type="text" value={(*labels).clone()} oninput={field(&labels)} placeholder="team=three, env=prod" autocomplete="off" />
                <p class="field-help">{ "kubernetes.io/metadata.name is added automatically, as Kubernetes does." }</p>
                if let Some(m) = (*error).clone() { <p class="field-error" role="alert">{ m }</p> }
                <footer class="modal-actions">
                    <button type="submit" class="btn btn-primary">{ "Add namespace" }</button>
                </footer>
            </form>
        </Modal>
    }
}

#[derive(Properties, PartialEq)]
struct AddPodProps {
    namespace: Option<String>,
}

#[function_component(AddPod)]
fn add_pod(props: &AddPodProps) -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let namespaces: Vec<String> = store
        .state()
        .derived
        .eval
        .effective
        .namespaces
        .iter()
        .map(|n| n.name.clone())
        .collect();
    let ns = use_state(|| {
        props
            .namespace
            .clone()
            .or_else(|| namespaces.first().cloned())
            .unwrap_or_else(|| "default".to_string())
    });
    let name = use_state(String::new);
    let labels = use_state(String::new);
    let error = use_state(|| None::<String>);
    let first = use_autofocus();
    let on_ns_select = {
        let ns = ns.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                ns.set(s.value());
            }
        })
    };
    let onsubmit = {
        let (store, ns, name, labels, error) = (
            store.clone(),
            ns.clone(),
            name.clone(),
            labels.clone(),
            error.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let n = name.trim().to_string();
            let namespace = ns.trim().to_string();
            let result = forms::check_namespace_name(&namespace)
                .and_then(|()| forms::check_pod_name(&n))
                .and_then(|()| forms::pod_labels(&n, &labels));
            match result {
                Ok(l) => {
                    store.send(Action::CloseDialog);
                    store.send(Action::AddPod(namespace, n, l));
                }
                Err(m) => error.set(Some(m)),
            }
        })
    };
    let placeholder = if name.is_empty() {
        "app=<name>".to_string()
    } else {
        format!("app={}", name.trim())
    };
    html! {
        <Modal title="Add a pod" on_close={store.action(Action::CloseDialog)}>
            <form class="form" {onsubmit}>
                <label for="pod-ns">{ "Namespace" }</label>
                if namespaces.is_empty() {
                    <input id="pod-ns" type="text" value={(*ns).clone()} oninput={field(&ns)} autocomplete="off" />
                } else {
                    <select id="pod-ns" onchange={on_ns_select}>
                        { for namespaces.iter().map(|n| html! { <option value={n.clone()} selected={*n == *ns}>{ n }</option> }) }
                    </select>
                }
                <label for="pod-name">{ "Name" }</label>
                <input ref={first} id="pod-name" type="text" value={(*name).clone()} oninput={field(&name)} placeholder="api" autocomplete="off" />
                <label for="pod-labels">{ "Labels" }</label>
                <input id="pod-labels" type="text" value={(*labels).clone()} oninput={field(&labels)} placeholder={placeholder} autocomplete="off" />
                <p class="field-help">{ "Policies select pods by label; empty means app=<name>." }</p>
                if let Some(m) = (*error).clone() { <p class="field-error" role="alert">{ m }</p> }
                <footer class="modal-actions">
                    <button type="submit" class="btn btn-primary">{ "Add pod" }</button>
                </footer>
            </form>
        </Modal>
    }
}

#[function_component(AddExternal)]
fn add_external() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let addr = use_state(String::new);
    let error = use_state(|| None::<String>);
    let first = use_autofocus();
    let submit = {
        let (store, error) = (store.clone(), error.clone());
        move |text: String| match forms::parse_external(&text) {
            Ok(id) => {
                store.send(Action::CloseDialog);
                store.send(Action::AddExternal(id));
            }
            Err(m) => error.set(Some(m)),
        }
    };
    let onsubmit = {
        let submit = submit.clone();
        let addr = addr.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            submit((*addr).clone());
        })
    };
    let preset = |value: &'static str, label: &'static str| {
        let submit = submit.clone();
        html! { <button type="button" class="chip-btn" onclick={move |_| submit(value.to_string())}>{ label }</button> }
    };
    html! {
        <Modal title="Add an external endpoint" on_close={store.action(Action::CloseDialog)}>
            <form class="form" {onsubmit}>
                <label for="ext-addr">{ "Address or CIDR range" }</label>
                <input ref={first} id="ext-addr" type="text" value={(*addr).clone()} oninput={field(&addr)} placeholder="8.8.8.8 or 203.0.113.0/24" autocomplete="off" />
                <div class="presets">
                    { preset("0.0.0.0/0", "Internet 0.0.0.0/0") }
                    { preset("8.8.8.8", "8.8.8.8 (public DNS)") }
                    { preset("10.0.0.0/8", "10.0.0.0/8 (private)") }
                    { preset("192.168.0.0/16", "192.168.0.0/16 (private)") }
                </div>
                if let Some(m) = (*error).clone() { <p class="field-error" role="alert">{ m }</p> }
                <footer class="modal-actions">
                    <button type="submit" class="btn btn-primary">{ "Add endpoint" }</button>
                </footer>
            </form>
        </Modal>
    }
}

fn confirm_example(store: &Store, id: &str) -> Html {
    let title = if id.is_empty() {
        "a blank workspace".to_string()
    } else {
        examples::find(id)
            .map(|e| format!("“{}”", e.title))
            .unwrap_or_else(|| id.to_string())
    };
    let go = {
        let store = store.clone();
        let id = id.to_string();
        Callback::from(move |_: MouseEvent| load_example(&store, &id, true))
    };
    let share_first = store.action(Action::OpenDialog(Dialog::Share));
    let cancel = store.action(Action::CloseDialog);
    html! {
        <Modal title="Replace your work?" on_close={store.action(Action::CloseDialog)}>
            <p>{ format!("Loading {title} replaces the manifests, drawn pods and arrows you changed. They are not saved anywhere else.") }</p>
            <p class="muted">{ "Keep a copy first with a share link, or cancel." }</p>
            <footer class="modal-actions">
                <button class="btn" onclick={move |_| share_first.emit(())}>{ icons::share() }{ "Share link first" }</button>
                <span class="spacer" />
                <button class="btn" onclick={move |_| cancel.emit(())}>{ "Cancel" }</button>
                <button class="btn btn-danger" onclick={go}>{ "Discard and load" }</button>
            </footer>
        </Modal>
    }
}

#[function_component(ShareDialog)]
fn share_dialog() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let (payload, mut left_out) = state.to_share().link();
    if state.flow_log.len() > crate::share::MAX_FLOW_LOG {
        left_out = Some(format!(
            "The flow log ({}) is not in the link: a link carries at most {} of flow log. Share the log file alongside.",
            crate::state::human_size(state.flow_log.len()),
            crate::state::human_size(crate::share::MAX_FLOW_LOG)
        ));
    }
    let base = browser::page_base();
    let link = format!("{base}#s={payload}");
    let embed = format!(
        "<iframe src=\"{base}?embed=1#s={payload}\" width=\"600\" height=\"400\" style=\"border:0\" title=\"NetworkPolicy diagram\" loading=\"lazy\"></iframe>"
    );
    let copied = use_state(|| None::<&'static str>);
    let copy = |what: &'static str, text: String| {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let copied = copied.clone();
            let text = text.clone();
            yew::platform::spawn_local(async move {
                if browser::copy_text(&text).await {
                    copied.set(Some(what));
                } else {
                    copied.set(Some("failed"));
                }
            });
        })
    };
    let select_all = Callback::from(|e: FocusEvent| {
        if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
            i.select();
        }
    });
    let select_all2 = select_all.clone();
    let size = link.len();
    html! {
        <Modal title="Share this workspace" on_close={store.action(Action::CloseDialog)}>
            <p class="muted">{ "The link holds the whole workspace (manifests, drawing, options), compressed. Nothing is uploaded: whoever opens it sees exactly this." }</p>
            if !state.flow_log.is_empty() && left_out.is_none() {
                <p class="field-help" data-share-flows="included">{ "The flow log is in the link too." }</p>
            }
            if let Some(why) = left_out {
                <p class="field-error" role="status" data-share-flows="left-out">{ why }</p>
            }
            <label for="share-link">{ "Link" }</label>
            <div class="row">
                <input id="share-link" class="mono" type="text" readonly=true value={link.clone()} onfocus={select_all} aria-label="Share link" />
                <button class="btn btn-primary" onclick={copy("link", link.clone())}>{ icons::copy() }{ if *copied == Some("link") { "Copied" } else { "Copy link" } }</button>
            </div>
            <p class="field-help">{ format!("{} characters.", size) }
                if size > 8000 { { " Long links may be cut by some chat tools; use Download YAML for large workspaces." } }
            </p>
            <label for="share-embed">{ "Embed in a docs page (600×400)" }</label>
            <div class="row">
                <input id="share-embed" class="mono" type="text" readonly=true value={embed.clone()} onfocus={select_all2} aria-label="Embed snippet" />
                <button class="btn" onclick={copy("embed", embed)}>{ icons::copy() }{ if *copied == Some("embed") { "Copied" } else { "Copy" } }</button>
            </div>
            if *copied == Some("failed") {
                <p class="field-error" role="alert">{ "The browser refused the clipboard: select the text and copy it by hand." }</p>
            }
        </Modal>
    }
}

fn help(store: &Store) -> Html {
    html! {
        <Modal title="How to use the playground" on_close={store.action(Action::CloseDialog)}>
            <div class="help-grid">
                <section>
                    <h3>{ "Draw" }</h3>
                    <ul>
                        <li>{ "Drag from one node to another: an arrow that allows that traffic." }</li>
                        <li>{ "Click an arrow: set its ports, see why it is allowed or blocked, delete it." }</li>
                        <li>{ "+ Namespace, + Pod, + External add things without YAML." }</li>
                        <li>{ "Drag a node by its ⠿ grip (or Shift-drag) to move it; drag the background to pan; scroll to zoom." }</li>
                    </ul>
                </section>
                <section>
                    <h3>{ "Keyboard" }</h3>
                    <dl class="keys">
                        <dt><kbd>{ "Tab" }</kbd></dt><dd>{ "move between nodes and arrows" }</dd>
                        <dt><kbd>{ "Enter" }</kbd></dt><dd>{ "on a node: start an arrow; on another node: finish it; on an arrow: details" }</dd>
                        <dt><kbd>{ "Space" }</kbd></dt><dd>{ "show a node's details" }</dd>
                        <dt><kbd>{ "←↑→↓" }</kbd></dt><dd>{ "move the focused node (Shift: further)" }</dd>
                        <dt><kbd>{ "Delete" }</kbd></dt><dd>{ "remove the focused arrow or drawn node" }</dd>
                        <dt><kbd>{ "Esc" }</kbd></dt><dd>{ "cancel, close" }</dd>
                    </dl>
                </section>
                <section>
                    <h3>{ "Read" }</h3>
                    <ul>
                        <li>{ "Green: allowed. Red, dashed: denied. Amber: only some of the ports. NEW: allowed once you apply the generated policies." }</li>
                        <li>{ "Allowed flows shows every connection the policies allow, drawn arrows aside." }</li>
                        <li>{ "Compare keeps a snapshot, other manifests or the workspace without its generated policies, and marks what your changes open (solid line, +) and close (dotted line, −); Changes says which policy did it." }</li>
                        <li>{ "Everything is computed in your browser on every keystroke; nothing leaves this page." }</li>
                    </ul>
                </section>
            </div>
        </Modal>
    }
}

/// Whichever dialog is open.
#[function_component(Dialogs)]
pub fn dialogs() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    match store.state().ui.dialog.clone() {
        None => html! {},
        Some(Dialog::AddNamespace) => html! { <AddNamespace /> },
        Some(Dialog::AddPod(ns)) => html! { <AddPod namespace={ns} /> },
        Some(Dialog::AddExternal) => html! { <AddExternal /> },
        Some(Dialog::ConfirmExample(id)) => confirm_example(&store, &id),
        Some(Dialog::Share) => html! { <ShareDialog /> },
        Some(Dialog::Help) => help(&store),
        Some(Dialog::CompareManifests) => html! { <PasteToCompare /> },
    }
}
