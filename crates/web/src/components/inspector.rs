//! The diagram's inspector: a panel for what is selected. For an arrow: its verdict, the
//! reason (the engine's explanation, one click away from the arrow), its ports and Delete.
//! For a node or namespace: what it is, where it is defined, and its actions. For an
//! allowed flow: its connections, and turning it into an arrow. With ClusterNetworkPolicies
//! in the cluster, an arrow or a flow also says which stage decided each direction (a badge
//! naming the tier, and for a tier its action, policy and priority); with Cilium policies,
//! the same, naming for a Cilium decision the kind, policy and entry. For a goal line of the open
//! lesson: the lessons view's `GoalDetails`. For a change of a comparison: its causes, and
//! the verdicts and explanations before and after (`components::compare`).

use netpol::endpoint::Endpoint;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::browser;
use crate::chain::flow_port;
use crate::components::compare::change_panel;
use crate::components::explain_chain::decided_facts;
use crate::components::explain_view::explain_ids;
use crate::components::icons;
use crate::components::lessons::GoalDetails;
use crate::display::{external_text, short_id};
use crate::forms;
use crate::state::{Action, ArrowView, Dialog, ExplainQuery, Selection, Verdict};
use crate::store::{use_store, Store};

fn explain_on(
    store: &Store,
    cluster: &netpol::Cluster,
    from: &str,
    to: &str,
    probe: (u16, netpol::Protocol),
) -> Html {
    explain_ids(store, cluster, (from, to), probe).unwrap_or_else(
        |_| html! { <p class="why">{ "An end of this arrow no longer exists." }</p> },
    )
}

/// Where an endpoint is: its namespace, or "outside the cluster".
fn place(id: &str) -> String {
    match id.split_once('/') {
        Some((ns, _)) if !id.starts_with("ip:") => format!("namespace {ns}"),
        _ => "outside the cluster".to_string(),
    }
}

#[derive(Properties, PartialEq)]
struct ArrowPanelProps {
    arrow: ArrowView,
}

#[function_component(ArrowPanel)]
fn arrow_panel(props: &ArrowPanelProps) -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let a = &props.arrow;
    let current = state
        .ws
        .arrows
        .get(a.index)
        .map(|i| forms::ports_text(&i.ports))
        .unwrap_or_default();
    let index = a.index;
    let delete = {
        let store = store.clone();
        let from = a.from.clone();
        Callback::from(move |()| {
            store.send(Action::RemoveArrow(index));
            // The button goes away with the arrow: keep keyboard users beside it.
            browser::focus_soon(browser::node_selector(&from));
        })
    };
    let details = store.action(Action::Explain(ExplainQuery {
        from: a.from.clone(),
        to: a.to.clone(),
        port: a.probe.0,
        protocol: a.probe.1,
    }));
    let (headline, judged) = judgement(a, &state.derived.eval);
    let reason = explain_on(&store, judged, &a.from, &a.to, a.probe);
    let verdict = a.verdict.as_str();
    let close = close_action(&store);
    html! {
        <>
            <header class="inspector-head">
                <span class={classes!("badge", format!("badge-{verdict}"))}>{ verdict }</span>
                <h3 title={format!("{} → {}", a.from, a.to)}><code>{ short_id(&a.from) }</code>{ icons::arrow() }<code>{ short_id(&a.to) }</code></h3>
                <button class="icon-btn" aria-label="Close" title="Close" onclick={move |_| close.emit(())}>{ icons::close() }</button>
            </header>
            <p class="inspector-sub">{ format!("{} → {}", place(&a.from), place(&a.to)) }</p>
            <p class="headline">{ headline }</p>
            <dl class="facts">
                <dt>{ "Asked" }</dt><dd>{ &a.wanted }</dd>
                <dt>{ "Allowed" }</dt><dd>{ &a.allowed }</dd>
                <dt>{ "Manifests alone" }</dt><dd>{ &a.before_allowed }</dd>
                { decided_on(judged, (&a.from, &a.to), a.probe) }
            </dl>
            <ArrowPorts {index} {current} />
            <details class="reason" open={a.verdict != Verdict::Allowed || a.before != Verdict::Allowed}>
                <summary>{ format!("Why? ({}/{})", a.probe.0, a.probe.1.as_str()) }</summary>
                { reason }
            </details>
            <footer class="inspector-actions">
                <button class="btn btn-small" onclick={move |_| details.emit(())}>{ icons::search() }{ "Explain in detail" }</button>
                <span class="spacer" />
                <button class="btn btn-small btn-danger" onclick={move |_| delete.emit(())}>{ icons::trash() }{ "Delete arrow" }</button>
            </footer>
        </>
    }
}

/// An arrow's headline, and the cluster its explanation is read on: with the generated
/// policies when even they do not allow it, else the manifests alone (what the arrow adds
/// to, or what already allowed it).
fn judgement<'e>(
    a: &ArrowView,
    eval: &'e netpol::workspace::Evaluation,
) -> (String, &'e netpol::Cluster) {
    match (a.verdict, a.before) {
        (Verdict::Denied, _) => (
            "Denied even with the generated policies".to_string(),
            &eval.effective,
        ),
        (Verdict::Partial, _) => (
            "Only partly allowed even with the generated policies".to_string(),
            &eval.effective,
        ),
        (_, Verdict::Allowed) => (
            "Already allowed by the manifests".to_string(),
            &eval.loaded.cluster,
        ),
        (_, _) => (
            "Blocked by the manifests today; the generated policies allow it".to_string(),
            &eval.loaded.cluster,
        ),
    }
}

#[derive(Properties, PartialEq)]
struct ArrowPortsProps {
    /// The arrow's index in the workspace.
    index: usize,
    /// Its ports as the workspace has them (`forms::ports_text`).
    current: String,
}

/// An arrow's ports field: edited freely, applied on submit; a text that does not parse
/// stays in the field with the parser's message under it.
#[function_component(ArrowPorts)]
fn arrow_ports(props: &ArrowPortsProps) -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let ports = use_state(|| props.current.clone());
    let error = use_state(|| None::<String>);
    {
        // Another arrow selected, or its ports changed elsewhere: show them.
        let ports = ports.clone();
        let error = error.clone();
        use_effect_with((props.index, props.current.clone()), move |(_, c)| {
            ports.set(c.clone());
            error.set(None);
        });
    }
    let oninput = {
        let ports = ports.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                ports.set(i.value());
            }
        })
    };
    let apply = {
        let (ports, error, index) = (ports.clone(), error.clone(), props.index);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match forms::parse_ports(&ports) {
                Ok(p) => {
                    error.set(None);
                    store.send(Action::SetArrowPorts(index, p));
                }
                Err(msg) => error.set(Some(msg)),
            }
        })
    };
    html! {
        <form class="ports-form" onsubmit={apply}>
            <label for="arrow-ports">{ "Ports" }</label>
            <div class="row">
                <input id="arrow-ports" type="text" value={(*ports).clone()} {oninput}
                    placeholder="all ports, or 8080/TCP, 53/UDP, http"
                    aria-describedby="arrow-ports-help" />
                <button class="btn btn-small" type="submit">{ "Apply" }</button>
            </div>
            if let Some(msg) = (*error).clone() {
                <p class="field-error" role="alert">{ msg }</p>
            } else {
                <p class="field-help" id="arrow-ports-help">{ "Empty means every port. Named ports resolve on the receiver." }</p>
            }
        </form>
    }
}

fn node_panel(store: &Store, id: &str) -> Html {
    let state = store.state();
    let c = &state.derived.eval.effective;
    let close = close_action(store);
    let connect = store.action(Action::Connect(id.to_string()));
    let drawn = state.is_drawn(id);
    let delete = store.action(Action::RemoveEndpoint(id.to_string()));
    let (title, facts, line) = match c.pod(id) {
        Some(p) => {
            let labels = p
                .labels
                .iter()
                .map(|(k, v)| html! { <li><code>{ format!("{k}={v}") }</code></li> });
            let ports = p
                .ports
                .iter()
                .map(|cp| match &cp.name {
                    Some(n) => format!("{n} {}/{}", cp.port, cp.protocol.as_str()),
                    None => format!("{}/{}", cp.port, cp.protocol.as_str()),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let line = p
                .origin
                .as_ref()
                .filter(|o| o.source == netpol::workspace::MANIFESTS)
                .map(|o| o.line);
            (
                p.name.clone(),
                html! {
                    <dl class="facts">
                        <dt>{ "Kind" }</dt><dd>{ p.kind.as_str() }</dd>
                        <dt>{ "Namespace" }</dt><dd><code>{ &p.namespace }</code></dd>
                        <dt>{ "Labels" }</dt><dd><ul class="chips">{ for labels }</ul></dd>
                        if !ports.is_empty() { <dt>{ "Ports" }</dt><dd>{ ports }</dd> }
                    </dl>
                },
                line,
            )
        }
        None => {
            let (t, sub) = external_text(id);
            (
                t,
                html! { <dl class="facts"><dt>{ "Address" }</dt><dd><code>{ id }</code></dd><dt>{ "Where" }</dt><dd>{ sub }</dd></dl> },
                None,
            )
        }
    };
    let goto = line.map(|l| {
        let jump = store.action(Action::JumpToLine(l));
        html! { <button class="btn btn-small" onclick={move |_| jump.emit(())}>{ format!("Go to line {l}") }</button> }
    });
    html! {
        <>
            <header class="inspector-head">
                <h3>{ title }</h3>
                <button class="icon-btn" aria-label="Close" title="Close" onclick={move |_| close.emit(())}>{ icons::close() }</button>
            </header>
            { facts }
            <p class="muted small">{ if drawn { "Drawn on the diagram (not in the manifests)." } else { "Defined in the manifests." } }</p>
            <footer class="inspector-actions">
                <button class="btn btn-small btn-primary" onclick={move |_| connect.emit(())}>{ icons::arrow() }{ "Draw arrow from here" }</button>
                { goto.unwrap_or_default() }
                <span class="spacer" />
                if drawn {
                    <button class="btn btn-small btn-danger" onclick={move |_| delete.emit(())}>{ icons::trash() }{ "Remove" }</button>
                }
            </footer>
        </>
    }
}

fn namespace_panel(store: &Store, name: &str) -> Html {
    let state = store.state();
    let c = &state.derived.eval.effective;
    let close = close_action(store);
    let add_pod = store.action(Action::OpenDialog(Dialog::AddPod(Some(name.to_string()))));
    let drawn = state.is_drawn_namespace(name);
    let delete = store.action(Action::RemoveNamespace(name.to_string()));
    let labels = c
        .namespace(name)
        .map(|n| n.labels.clone())
        .unwrap_or_default();
    let line = c
        .namespace(name)
        .and_then(|n| n.origin.as_ref())
        .filter(|o| o.source == netpol::workspace::MANIFESTS)
        .map(|o| o.line);
    let goto = line.map(|l| {
        let jump = store.action(Action::JumpToLine(l));
        html! { <button class="btn btn-small" onclick={move |_| jump.emit(())}>{ format!("Go to line {l}") }</button> }
    });
    let pods = c.pods.iter().filter(|p| p.namespace == name).count();
    let policies = c.policies.iter().filter(|p| p.namespace == name).count()
        + c.cilium
            .policies
            .iter()
            .filter(|p| p.namespace.as_deref() == Some(name))
            .count();
    html! {
        <>
            <header class="inspector-head">
                <h3>{ format!("Namespace {name}") }</h3>
                <button class="icon-btn" aria-label="Close" title="Close" onclick={move |_| close.emit(())}>{ icons::close() }</button>
            </header>
            <dl class="facts">
                <dt>{ "Labels" }</dt>
                <dd><ul class="chips">{ for labels.iter().map(|(k, v)| html! { <li><code>{ format!("{k}={v}") }</code></li> }) }</ul></dd>
                <dt>{ "Contents" }</dt><dd>{ format!("{pods} workloads, {policies} policies") }</dd>
            </dl>
            <footer class="inspector-actions">
                <button class="btn btn-small btn-primary" onclick={move |_| add_pod.emit(())}>{ icons::plus() }{ "Add pod here" }</button>
                { goto.unwrap_or_default() }
                <span class="spacer" />
                if drawn {
                    <button class="btn btn-small btn-danger" onclick={move |_| delete.emit(())}>{ icons::trash() }{ "Remove" }</button>
                }
            </footer>
        </>
    }
}

/// What decided each direction of `from → to` on `probe`, when the cluster has tiers or
/// Cilium policies (without either, the explanation one click away says it all).
fn decided_on(
    cluster: &netpol::Cluster,
    (from, to): (&str, &str),
    probe: (u16, netpol::Protocol),
) -> Html {
    if cluster.cluster_policies.is_empty() && !cluster.cilium.has_policies() {
        return html! {};
    }
    match (Endpoint::parse(cluster, from), Endpoint::parse(cluster, to)) {
        (Ok(from), Ok(to)) => {
            let e = netpol::explain(
                cluster,
                &netpol::Traffic {
                    from,
                    to,
                    port: probe.0,
                    protocol: probe.1,
                },
            );
            html! {
                <>
                    <dt>{ "Checked on" }</dt><dd>{ format!("{}/{}", probe.0, probe.1.as_str()) }</dd>
                    { decided_facts(&e) }
                </>
            }
        }
        _ => html! {},
    }
}

fn flow_panel(store: &Store, from: &str, to: &str) -> Html {
    let state = store.state();
    let eval = &state.derived.eval;
    let c = &eval.effective;
    let allowed = match (Endpoint::parse(c, from), Endpoint::parse(c, to)) {
        (Ok(f), Ok(t)) => netpol::connectivity(c, &[f, t]).get(0, 1).cloned(),
        _ => None,
    };
    let conns = allowed.as_ref().map(|x| x.to_string()).unwrap_or_default();
    let probe = allowed
        .as_ref()
        .map_or(state.ui.probe, |a| flow_port(a, state.ui.probe));
    let close = close_action(store);
    let draw = store.action(Action::AddArrow(
        from.to_string(),
        to.to_string(),
        Vec::new(),
    ));
    let details = store.action(Action::Explain(ExplainQuery {
        from: from.to_string(),
        to: to.to_string(),
        port: probe.0,
        protocol: probe.1,
    }));
    html! {
        <>
            <header class="inspector-head">
                <span class="badge badge-allowed">{ "allowed" }</span>
                <h3 title={format!("{from} → {to}")}><code>{ short_id(from) }</code>{ icons::arrow() }<code>{ short_id(to) }</code></h3>
                <button class="icon-btn" aria-label="Close" title="Close" onclick={move |_| close.emit(())}>{ icons::close() }</button>
            </header>
            <p class="inspector-sub">{ format!("{} → {}", place(from), place(to)) }</p>
            <dl class="facts">
                <dt>{ "Allowed" }</dt><dd>{ conns }</dd>
                { decided_on(c, (from, to), probe) }
            </dl>
            <footer class="inspector-actions">
                <button class="btn btn-small" onclick={move |_| details.emit(())}>{ icons::search() }{ "Explain" }</button>
                <button class="btn btn-small" onclick={move |_| draw.emit(())}>{ icons::arrow() }{ "Draw as arrow" }</button>
            </footer>
        </>
    }
}

/// The inspector panel (nothing when nothing is selected).
#[function_component(Inspector)]
pub fn inspector() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let body = match state.ui.selection.clone() {
        None => return html! {},
        Some(Selection::Arrow(i)) => match state.derived.arrows.get(i) {
            Some(a) => html! { <ArrowPanel arrow={a.clone()} /> },
            None => return html! {},
        },
        Some(Selection::Node(id)) => node_panel(&store, &id),
        Some(Selection::Namespace(n)) => namespace_panel(&store, &n),
        Some(Selection::Flow(a, b)) => flow_panel(&store, &a, &b),
        Some(Selection::Change(a, b)) => change_panel(&store, &a, &b),
        Some(Selection::Goal(i)) => html! { <GoalDetails index={i} /> },
    };
    let onkeydown = {
        let close = close_action(&store);
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                close.emit(());
            }
        })
    };
    // Focusable (not in the tab order) so that Enter on an arrow can move focus here.
    html! {
        <aside class="inspector" aria-label="Selection details" tabindex="-1" {onkeydown}>{ body }</aside>
    }
}

/// What finds the inspector, to move focus into it.
pub const INSPECTOR_SELECTOR: &str = "aside.inspector";

/// Closes the inspector and gives focus back to what it was about (the arrow or the node,
/// when it still exists), so that a keyboard user goes on from where they were.
fn close_action(store: &Store) -> Callback<()> {
    let store = store.clone();
    Callback::from(move |()| {
        let state = store.state();
        let back = match &state.ui.selection {
            Some(Selection::Arrow(i)) => state
                .derived
                .arrows
                .get(*i)
                .map(|a| browser::arrow_selector(&a.from, &a.to)),
            Some(Selection::Node(id)) => Some(browser::node_selector(id)),
            _ => None,
        };
        store.send(Action::Select(None));
        if let Some(selector) = back {
            browser::focus_soon(selector);
        }
    })
}
