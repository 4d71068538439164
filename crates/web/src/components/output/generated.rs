//! The Generated YAML tab (also the embed's "generated" pane): the generator's options,
//! the policies with Copy and Download, or why nothing was generated.

use netpol::generate::{Baseline, Options, SelectorStyle};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{input_value, select_value};
use crate::browser;
use crate::components::icons;
use crate::highlight;
use crate::state::{Action, Notice};
use crate::store::{use_store, Store};

/// The generated YAML with its options (also the embed's "generated" pane).
#[function_component(GeneratedPane)]
pub fn generated_pane() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let copied = use_state(|| false);
    let (yaml, error) = match &state.derived.eval.generated {
        Ok(g) => (g.yaml.clone(), None),
        Err(e) => (String::new(), Some(e.to_string())),
    };
    let html_yaml = use_memo(yaml.clone(), |y| highlight::highlight_inline(y));
    let copy = {
        let yaml = yaml.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let yaml = yaml.clone();
            let copied = copied.clone();
            yew::platform::spawn_local(async move {
                let ok = browser::copy_text(&yaml).await;
                copied.set(ok);
                let copied = copied.clone();
                gloo::timers::callback::Timeout::new(1600, move || copied.set(false)).forget();
            });
        })
    };
    let download = {
        let yaml = yaml.clone();
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            if let Err(e) = browser::download_text("networkpolicies.yaml", "text/yaml", &yaml) {
                store.send(Action::Notify(Some(Notice::error(e))));
            }
        })
    };
    let count = state.derived.generated_count();
    let empty = yaml.is_empty() && error.is_none();
    html! {
        <div class="generated">
            { options_form(&store) }
            <div class="code-head">
                <span class="muted">{ if count == 1 { "1 policy".to_string() } else { format!("{count} policies") } }</span>
                <span class="spacer" />
                <button class="btn btn-small" onclick={copy} disabled={yaml.is_empty()}>
                    { if *copied { icons::check() } else { icons::copy() } }{ if *copied { "Copied" } else { "Copy" } }
                </button>
                <button class="btn btn-small" onclick={download} disabled={yaml.is_empty()}>{ icons::download() }{ "Download" }</button>
            </div>
            if let Some(e) = error {
                <div class="callout error" role="alert">{ icons::warning() }<div><strong>{ "Nothing generated. " }</strong>{ e }</div></div>
            }
            if empty {
                <div class="empty-state">
                    <p><strong>{ "No arrows yet." }</strong></p>
                    <p>{ "Drag from one node to another in the diagram (or press Enter on a node, then on another) and the NetworkPolicies that allow exactly that appear here." }</p>
                </div>
            }
            <pre class={classes!("code", "generated-code", empty.then_some("is-empty"))} tabindex="0"
                role="textbox" aria-readonly="true" aria-multiline="true" aria-label="Generated policies">
                { Html::from_html_unchecked(AttrValue::from((*html_yaml).clone())) }
            </pre>
        </div>
    }
}

/// The generator's options and the Kustomize switch.
fn options_form(store: &Store) -> Html {
    let state = store.state();
    let opts = state.ws.options.clone();
    let set = |f: fn(&mut Options, &Event)| {
        let store = store.clone();
        let opts = opts.clone();
        Callback::from(move |e: Event| {
            let mut o = opts.clone();
            f(&mut o, &e);
            store.send(Action::SetOptions(o));
        })
    };
    let on_baseline = set(|o, e| {
        o.baseline = Baseline::from_name(&select_value(e)).unwrap_or_default();
    });
    let on_selector = set(|o, e| {
        o.selector = SelectorStyle::from_name(&select_value(e)).unwrap_or_default();
    });
    let on_ns_label = set(|o, e| {
        let v = input_value(e);
        o.namespace_label = (!v.trim().is_empty()).then(|| v.trim().to_string());
    });
    let on_identity = set(|o, e| {
        let v = input_value(e);
        o.identity_label = (!v.trim().is_empty()).then(|| v.trim().to_string());
    });
    let on_dns = set(|o, e| {
        o.dns = e
            .target_dyn_into::<HtmlInputElement>()
            .map(|i| i.checked())
            .unwrap_or(false);
    });
    let on_kustomize = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            let on = e
                .target_dyn_into::<HtmlInputElement>()
                .map(|i| i.checked())
                .unwrap_or(false);
            store.send(Action::SetKustomize(on));
        })
    };

    let baselines = Baseline::ALL.iter().map(|b| {
        html! { <option value={b.name()} selected={*b == opts.baseline}>{ baseline_label(*b) }</option> }
    });
    html! {
        <form class="options" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <label>
                <span>{ "Baseline" }</span>
                <select onchange={on_baseline} aria-label="Baseline">
                    { for baselines }
                </select>
            </label>
            <label>
                <span>{ "Selectors" }</span>
                <select onchange={on_selector} aria-label="Selector style">
                    <option value={SelectorStyle::Labels.name()} selected={opts.selector == SelectorStyle::Labels}>{ "matchLabels" }</option>
                    <option value={SelectorStyle::Expressions.name()} selected={opts.selector == SelectorStyle::Expressions}>{ "matchExpressions (Kustomize-safe)" }</option>
                </select>
            </label>
            <label>
                <span>{ "Namespace label" }</span>
                <input type="text" value={opts.namespace_label.clone().unwrap_or_default()}
                    placeholder="kubernetes.io/metadata.name" onchange={on_ns_label} aria-label="Namespace label" />
            </label>
            <label>
                <span>{ "Workload label" }</span>
                <input type="text" value={opts.identity_label.clone().unwrap_or_default()}
                    placeholder="automatic (app, …)" onchange={on_identity} aria-label="Workload label" />
            </label>
            <label class="check">
                <input type="checkbox" checked={opts.dns} onchange={on_dns} />
                <span>{ "Allow DNS (kube-dns, 53/UDP+TCP)" }</span>
            </label>
            <label class="check" title="Turns on the lint for Kustomize commonLabels, which rewrites matchLabels">
                <input type="checkbox" checked={state.ws.kustomize} onchange={on_kustomize} />
                <span>{ "Project uses Kustomize commonLabels" }</span>
            </label>
        </form>
    }
}

fn baseline_label(b: Baseline) -> &'static str {
    match b {
        Baseline::None => "None: only drawn workloads",
        Baseline::DenyAll => "Default deny in every namespace",
        Baseline::DocsDefault => "The docs' namespace-default",
    }
}
