//! The output pane: Generated YAML (with the generator's options, Copy and Download),
//! Diagnostics (click to jump to the line), the truth table (click a cell to explain it)
//! and Explain (pick two endpoints and a port).

use std::rc::Rc;

use netpol::endpoint::Endpoint;
use netpol::generate::{Baseline, Options, SelectorStyle};
use netpol::{Protocol, Severity, Traffic};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::{use_store, Store};
use crate::browser;
use crate::components::explain_view::explanation;
use crate::components::icons;
use crate::highlight;
use crate::state::{Action, ExplainQuery, Tab};

fn protocol_of(s: &str) -> Protocol {
    Protocol::parse(s).unwrap_or(Protocol::Tcp)
}

fn select_value(e: &Event) -> String {
    e.target_dyn_into::<HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

fn input_value(e: &Event) -> String {
    e.target_dyn_into::<HtmlInputElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

/// The generated YAML with its options (also the embed's "generated" pane).
#[function_component(GeneratedPane)]
pub fn generated_pane() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let copied = use_state(|| false);
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
        o.baseline = match select_value(e).as_str() {
            "deny-all" => Baseline::DenyAll,
            "docs-default" => Baseline::DocsDefault,
            _ => Baseline::None,
        }
    });
    let on_selector = set(|o, e| {
        o.selector = if select_value(e) == "expressions" {
            SelectorStyle::Expressions
        } else {
            SelectorStyle::Labels
        }
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
                store.send(Action::Notify(Some(crate::state::Notice {
                    kind: crate::state::NoticeKind::Error,
                    text: e,
                    restore: false,
                })));
            }
        })
    };
    let count = state
        .derived
        .eval
        .generated
        .as_ref()
        .map(|g| g.policies.len())
        .unwrap_or(0);
    let empty = yaml.is_empty() && error.is_none();
    let baseline = crate::state::options_dto(&opts).baseline;
    let selector = crate::state::options_dto(&opts).selector;
    html! {
        <div class="generated">
            <form class="options" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <label>
                    <span>{ "Baseline" }</span>
                    <select onchange={on_baseline} aria-label="Baseline">
                        <option value="none" selected={baseline == "none"}>{ "None: only drawn workloads" }</option>
                        <option value="deny-all" selected={baseline == "deny-all"}>{ "Default deny in every namespace" }</option>
                        <option value="docs-default" selected={baseline == "docs-default"}>{ "The docs' namespace-default" }</option>
                    </select>
                </label>
                <label>
                    <span>{ "Selectors" }</span>
                    <select onchange={on_selector} aria-label="Selector style">
                        <option value="labels" selected={selector == "labels"}>{ "matchLabels" }</option>
                        <option value="expressions" selected={selector == "expressions"}>{ "matchExpressions (Kustomize-safe)" }</option>
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

fn diagnostics_tab(store: &Store) -> Html {
    let state = store.state();
    let d = &state.derived;
    let mut items: Vec<Html> = Vec::new();
    if let Some(msg) = &d.skipped {
        items.push(html! { <li class="diag error"><span class="sev">{ icons::warning() }</span><div><p>{ msg.clone() }</p></div></li> });
    }
    if let Err(e) = &d.eval.generated {
        items.push(html! {
            <li class="diag error"><span class="sev">{ icons::warning() }</span>
                <div><p>{ format!("generator: {e}") }</p><p class="help">{ "Fix the arrow or the option it names; the diagram still shows the manifests." }</p></div>
            </li>
        });
    }
    for a in d.arrows.iter().filter(|a| !a.present) {
        let remove = store.action(Action::RemoveArrow(a.index));
        items.push(html! {
            <li class="diag warning"><span class="sev">{ icons::warning() }</span>
                <div>
                    <p>{ format!("arrow {} → {}: an end no longer exists", a.from, a.to) }</p>
                    <button class="link" onclick={move |_| remove.emit(())}>{ "Delete the arrow" }</button>
                </div>
            </li>
        });
    }
    for e in &d.eval.bad_externals {
        items.push(html! { <li class="diag warning"><span class="sev">{ icons::warning() }</span><div><p>{ format!("external endpoint `{e}` is not an address or CIDR") }</p></div></li> });
    }
    for diag in &d.diagnostics {
        let sev = match diag.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let icon = match diag.severity {
            Severity::Error | Severity::Warning => icons::warning(),
            Severity::Info => icons::info(),
        };
        let jump = store.action(Action::JumpToLine(diag.line));
        let at = if diag.source == netpol::workspace::MANIFESTS {
            format!("line {}:{}", diag.line, diag.column)
        } else {
            format!("{} {}:{}", diag.source, diag.line, diag.column)
        };
        items.push(html! {
            <li class={classes!("diag", "jump", sev)}>
                <button class="diag-btn" onclick={move |_| jump.emit(())} title="Go to the line in the editor">
                    <span class="sev" aria-label={sev}>{ icon }</span>
                    <span class="diag-body">
                        <span class="diag-msg">{ &diag.message }</span>
                        if let Some(h) = &diag.help { <span class="help">{ h }</span> }
                        <span class="diag-meta"><code>{ diag.code }</code>{ " " }{ diag.name }{ " · " }{ at }</span>
                    </span>
                </button>
            </li>
        });
    }
    let empty = items.is_empty();
    html! {
        <div class="diagnostics">
            if empty {
                <div class="empty-state ok">{ icons::check() }<p>{ "No problems: every document loaded and the linter has nothing to say." }</p></div>
            }
            <ul class="diag-list" role="list" aria-label="Diagnostics">{ for items }</ul>
        </div>
    }
}

fn short_name(id: &str) -> String {
    match id.strip_prefix("ip:") {
        Some("0.0.0.0/0") => "Internet".into(),
        Some(a) => a.to_string(),
        None => id
            .rsplit_once('/')
            .map(|(_, n)| n.to_string())
            .unwrap_or_else(|| id.to_string()),
    }
}

#[function_component(TruthTable)]
fn truth_table() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let (port, proto) = state.ui.probe;
    let matrix = use_memo((state.ws_rev, port, proto), {
        let derived = Rc::clone(&state.derived);
        move |_| {
            let e = &derived.eval;
            netpol::matrix(&e.effective, &e.endpoints, &[(port, proto)])
        }
    });
    let on_port = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            if let Ok(p) = input_value(&e).trim().parse::<u16>() {
                if p > 0 {
                    store.send(Action::SetProbe(p, proto));
                }
            }
        })
    };
    let on_proto = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            store.send(Action::SetProbe(port, protocol_of(&select_value(&e))))
        })
    };
    // Ports the workloads expose, as quick picks.
    let mut exposed: Vec<(u16, Protocol)> = state
        .derived
        .eval
        .effective
        .pods
        .iter()
        .flat_map(|p| p.ports.iter().map(|c| (c.port, c.protocol)))
        .collect();
    exposed.sort();
    exposed.dedup();
    exposed.truncate(8);
    let picks = exposed.into_iter().map(|(p, pr)| {
        let pick = store.action(Action::SetProbe(p, pr));
        let on = (p, pr) == (port, proto);
        html! { <button class={classes!("chip-btn", on.then_some("on"))} onclick={move |_| pick.emit(())}>{ format!("{p}/{}", pr.as_str()) }</button> }
    });
    let Some(check) = matrix.checks.first() else {
        return html! {};
    };
    let ids = &matrix.endpoints;
    let head = ids.iter().map(
        |id| html! { <th scope="col" title={id.clone()}><span>{ short_name(id) }</span></th> },
    );
    let rows = ids.iter().enumerate().map(|(i, from)| {
        let cells = ids.iter().enumerate().map(|(j, to)| {
            let ok = check.allowed(i, j);
            let me = i == j;
            let explain = store.action(Action::Explain(ExplainQuery {
                from: from.clone(),
                to: to.clone(),
                port,
                protocol: proto,
            }));
            let label = format!("{from} to {to} on {port}/{}: {}", proto.as_str(), if ok { "allowed" } else { "denied" });
            html! {
                <td class={classes!(if ok { "yes" } else { "no" }, me.then_some("self"))}>
                    <button aria-label={label.clone()} title={label} onclick={move |_| explain.emit(())}>
                        { if ok { "✓" } else { "✕" } }
                    </button>
                </td>
            }
        });
        html! { <tr><th scope="row" title={from.clone()}>{ short_name(from) }</th>{ for cells }</tr> }
    });
    let allowed = check.allowed_count();
    let total = ids.len() * ids.len();
    html! {
        <div class="table-tab">
            <div class="probe">
                <label><span>{ "Port" }</span>
                    <input type="number" min="1" max="65535" value={port.to_string()} onchange={on_port} aria-label="Port" /></label>
                <label><span>{ "Protocol" }</span>
                    <select onchange={on_proto} aria-label="Protocol">
                        { for Protocol::ALL.iter().map(|p| html! { <option value={p.as_str()} selected={*p == proto}>{ p.as_str() }</option> }) }
                    </select></label>
                <div class="picks">{ for picks }</div>
                <span class="spacer" />
                <span class="muted">{ format!("{allowed} of {total} allowed") }</span>
            </div>
            <p class="muted small">{ "Rows send, columns receive. Click a cell for the explanation." }</p>
            <div class="matrix-scroll">
                <table class="matrix" aria-label="Truth table">
                    <thead><tr><th class="corner">{ "from \\ to" }</th>{ for head }</tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </div>
    }
}

#[function_component(ExplainTab)]
fn explain_tab() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let eval = &state.derived.eval;
    let c = &eval.effective;
    let ids: Vec<String> = eval.endpoints.iter().map(|e| e.id(c)).collect();
    let q = state.ui.explain.clone().unwrap_or_else(|| ExplainQuery {
        from: ids.first().cloned().unwrap_or_default(),
        to: ids.get(1).cloned().unwrap_or_default(),
        port: state.ui.probe.0,
        protocol: state.ui.probe.1,
    });
    let update = |f: fn(&mut ExplainQuery, String)| {
        let store = store.clone();
        let q = q.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_dyn_into::<HtmlSelectElement>()
                .map(|s| s.value())
                .or_else(|| e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()))
                .unwrap_or_default();
            let mut next = q.clone();
            f(&mut next, v);
            store.send(Action::Explain(next));
        })
    };
    let on_from = update(|q, v| q.from = v);
    let on_to = update(|q, v| q.to = v);
    let on_port = update(|q, v| {
        if let Ok(p) = v.trim().parse::<u16>() {
            if p > 0 {
                q.port = p;
            }
        }
    });
    let on_proto = update(|q, v| q.protocol = protocol_of(&v));
    let swap = {
        let store = store.clone();
        let q = q.clone();
        Callback::from(move |_: MouseEvent| {
            store.send(Action::Explain(ExplainQuery {
                from: q.to.clone(),
                to: q.from.clone(),
                ..q.clone()
            }))
        })
    };
    let options = |selected: &str| {
        ids.iter()
            .map(
                |id| html! { <option value={id.clone()} selected={id == selected}>{ id }</option> },
            )
            .collect::<Html>()
    };
    let result = match (Endpoint::parse(c, &q.from), Endpoint::parse(c, &q.to)) {
        (Ok(f), Ok(t)) => {
            let e = netpol::explain(
                c,
                &Traffic {
                    from: f,
                    to: t,
                    port: q.port,
                    protocol: q.protocol,
                },
            );
            explanation(&store, c, &e)
        }
        (Err(e), _) | (_, Err(e)) => {
            if ids.is_empty() {
                html! { <p class="muted">{ "Nothing to explain yet: add pods or paste manifests." }</p> }
            } else {
                html! { <p class="why">{ e.to_string() }</p> }
            }
        }
    };
    html! {
        <div class="explain-tab">
            <form class="probe" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <label><span>{ "From" }</span><select onchange={on_from} aria-label="From">{ options(&q.from) }</select></label>
                <button type="button" class="icon-btn" onclick={swap} title="Swap" aria-label="Swap from and to">{ "⇄" }</button>
                <label><span>{ "To" }</span><select onchange={on_to} aria-label="To">{ options(&q.to) }</select></label>
                <label><span>{ "Port" }</span><input type="number" min="1" max="65535" value={q.port.to_string()} onchange={on_port} aria-label="Port" /></label>
                <label><span>{ "Protocol" }</span>
                    <select onchange={on_proto} aria-label="Protocol">
                        { for Protocol::ALL.iter().map(|p| html! { <option value={p.as_str()} selected={*p == q.protocol}>{ p.as_str() }</option> }) }
                    </select></label>
            </form>
            { result }
        </div>
    }
}

/// The output pane with its tabs.
#[function_component(Output)]
pub fn output() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let tab = state.ui.tab;
    let n_diag = state.derived.diagnostics.len()
        + usize::from(state.derived.skipped.is_some())
        + usize::from(state.derived.eval.generated.is_err())
        + state.derived.arrows.iter().filter(|a| !a.present).count()
        + state.derived.eval.bad_externals.len();
    let has_errors = state
        .derived
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
        || state.derived.eval.generated.is_err()
        || state.derived.skipped.is_some();
    let n_gen = state
        .derived
        .eval
        .generated
        .as_ref()
        .map(|g| g.policies.len())
        .unwrap_or(0);
    let tab_btn = |t: Tab, label: &str, badge: Option<(usize, &'static str)>| {
        let select = store.action(Action::SelectTab(t));
        let id = format!("tab-{}", label.to_lowercase().replace(' ', "-"));
        html! {
            <button role="tab" id={id} aria-selected={(tab == t).to_string()} class={classes!("tab", (tab == t).then_some("active"))}
                onclick={move |_| select.emit(())}>
                { label }
                if let Some((n, class)) = badge {
                    if n > 0 { <span class={classes!("count", class)}>{ n }</span> }
                }
            </button>
        }
    };
    let body = match tab {
        Tab::Generated => html! { <GeneratedPane /> },
        Tab::Diagnostics => diagnostics_tab(&store),
        Tab::Table => html! { <TruthTable /> },
        Tab::Explain => html! { <ExplainTab /> },
    };
    html! {
        <section class="pane output-pane" aria-label="Output">
            <header class="pane-head tabs-head">
                <div class="tabs" role="tablist" aria-label="Output">
                    { tab_btn(Tab::Generated, "Generated YAML", Some((n_gen, "neutral"))) }
                    { tab_btn(Tab::Diagnostics, "Diagnostics", Some((n_diag, if has_errors { "bad" } else { "neutral" }))) }
                    { tab_btn(Tab::Table, "Truth table", None) }
                    { tab_btn(Tab::Explain, "Explain", None) }
                </div>
            </header>
            <div class="pane-body" role="tabpanel">{ body }</div>
        </section>
    }
}
