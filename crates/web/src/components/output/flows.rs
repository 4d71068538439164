//! The Flows tab: the flow log's input (paste or type, open a file, or drop one on the tab
//! or the diagram), its located problems, and every observed connection as the manifests
//! judge it: those that would be dropped first (each leads to its explanation), then the
//! allowed ones, with how often the log saw each and Hubble's own verdict where it
//! disagrees. While comparing, the connections the compared change would start dropping
//! come first: the dry run before enforcing. "Keep these flows" turns them into arrows.

use netpol::observed::Connection;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::file_drop::{file_drop, FileDrop};
use crate::components::icons;
use crate::flowlog::{Replay, Row};
use crate::state::{human_size, Action, ExplainQuery, Notice};
use crate::store::{use_store, Store};

/// Above this size the log is not shown in the textarea (the text stays in the state).
const EDIT_MAX: usize = 256 * 1024;
/// Flow log files larger than this are refused.
pub const MAX_LOG_FILE: f64 = 96.0 * 1024.0 * 1024.0;
/// Rows listed at most per section.
const MAX_ROWS: usize = 400;

/// Reads a dropped or opened flow log file into the state. `started` is when the drop or
/// the pick happened (the `netpol:flows` measure runs from there to the stored state).
pub fn read_log_file(file: web_sys::File, store: Store) {
    crate::browser::mark("netpol:flows-start");
    yew::platform::spawn_local(async move {
        let name = file.name();
        if file.size() > MAX_LOG_FILE {
            store.send(Action::Notify(Some(Notice::error(format!(
                "{name} is {}; flow logs over {} are not opened.",
                human_size(file.size() as usize),
                human_size(MAX_LOG_FILE as usize)
            )))));
            return;
        }
        let blob = gloo::file::Blob::from(file);
        // As bytes, not text: a text read makes a UTF-16 JS string that the glue then
        // re-encodes into wasm memory character by character, which cost more than reading
        // the whole log did; bytes are one copy.
        let text = gloo::file::futures::read_as_bytes(&blob)
            .await
            .ok()
            .map(|bytes| String::from_utf8(bytes).unwrap_or_else(|e| lossy(e.as_bytes())));
        match text {
            Some(text) => {
                store.send(Action::SetFlowLog(text));
                crate::browser::measure("netpol:flows", "netpol:flows-start");
            }
            None => store.send(Action::Notify(Some(Notice::error(format!(
                "{name} could not be read."
            ))))),
        }
    });
}

/// Bytes that are not UTF-8 become U+FFFD, as `FileReader.readAsText` made them: the log
/// still opens, and a line the change breaks is reported at its place.
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A drop target for a flow log: the first file dropped is read as the log (a log is one
/// file; manifests go to the editor).
pub fn log_drop(store: &Store, dragging: Option<&UseStateHandle<bool>>) -> FileDrop {
    let store = store.clone();
    file_drop(dragging, move |files| {
        if let Some(f) = files.into_iter().next() {
            read_log_file(f, store.clone());
        }
    })
}

#[function_component(FlowsTab)]
pub(super) fn flows_tab() -> Html {
    let file_input = use_node_ref();
    let dragging = use_state(|| false);
    let Some(store) = use_store() else {
        return html! {};
    };
    let state = store.state();
    let log = state.flow_log.clone();
    let on_input = {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
                store.send(Action::SetFlowLog(t.value()));
            }
        })
    };
    let open_click = {
        let file_input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = file_input.cast::<HtmlInputElement>() {
                i.click();
            }
        })
    };
    let on_file = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                if let Some(f) = input.files().and_then(|l| l.get(0)) {
                    read_log_file(f, store.clone());
                }
                input.set_value("");
            }
        })
    };
    let FileDrop {
        ondragover,
        ondragleave,
        ondrop,
    } = log_drop(&store, Some(&dragging));
    let clear = store.action(Action::SetFlowLog(String::new()));
    let keep = store.action(Action::KeepFlows);
    // Counted by the engine while reading (counting a large log here would cost every render).
    let lines = state.replay.as_ref().map_or(0, |r| r.observed.lines);
    let input = if log.len() > EDIT_MAX {
        html! {
            <p class="flows-big" data-flow-log-size={log.len().to_string()}>
                { format!("A flow log of {} non-blank lines ({}) is loaded; it is too large to edit here.", lines, human_size(log.len())) }
            </p>
        }
    } else {
        html! {
            <textarea id="flow-log" class="mono flows-input" spellcheck="false" value={(*log).clone()} oninput={on_input}
                aria-label="Flow log (Hubble JSON or CSV)"
                placeholder="Paste `hubble observe -o json` output or a CSV (from,to,port,protocol), open a file, or drop one here or on the diagram." />
        }
    };
    html! {
        <div class={classes!("flows-tab", (*dragging).then_some("dropping"))} {ondragover} {ondragleave} {ondrop}>
            <div class="flows-head">
                <span class="muted">{ "Observed traffic: Hubble JSON or CSV" }</span>
                <span class="spacer" />
                <button class="btn btn-small" onclick={open_click} title="Open a flow log (or drop it here or on the diagram)">{ icons::open() }{ "Open file" }</button>
                if !log.is_empty() {
                    <button class="btn btn-small btn-ghost" onclick={move |_| clear.emit(())}>{ "Clear" }</button>
                }
                <input ref={file_input} type="file" accept=".json,.jsonl,.csv,.log,.txt,application/json,text/csv"
                    class="visually-hidden" tabindex="-1" aria-hidden="true" onchange={on_file} />
            </div>
            { input }
            if let Some(r) = &state.replay {
                { summary(r) }
                { problems(&store, r) }
                <div class="flows-actions">
                    <button class="btn btn-primary btn-small" id="keep-flows" onclick={move |_| keep.emit(())}
                        title="Draw an arrow for every observed connection (with the ports seen), so the generated policies keep them working">
                        { icons::plus() }{ "Keep these flows" }
                    </button>
                    <span class="muted">{ "Adds arrows with the ports seen; connections Hubble only ever dropped are left out." }</span>
                </div>
                { sections(&store, r, state.compare.is_some()) }
            }
        </div>
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn summary(r: &Replay) -> Html {
    let o = &r.observed;
    let dropped = r.dropped();
    let only = o.flow_only.len();
    let skipped = o.skipped.replies + o.skipped.not_l4 + o.skipped.unreadable;
    html! {
        <p class="flows-summary" role="status">
            { format!("{} from {}: ", plural(o.connections.len(), "connection", "connections"), plural(o.lines as usize, "line", "lines")) }
            <strong class={if dropped > 0 { "bad" } else { "ok" }} data-dropped={dropped.to_string()}>
                { format!("{dropped} would be dropped") }
            </strong>
            { format!(", {} allowed.", o.connections.len() - dropped) }
            if only > 0 { { format!(" {} seen only in flows.", plural(only, "endpoint", "endpoints")) } }
            if skipped > 0 { { format!(" {} records skipped (replies, not TCP/UDP/SCTP, unreadable).", skipped) } }
            if o.lost_events > 0 { <span class="bad">{ format!(" Hubble lost {} events: the log is incomplete.", o.lost_events) }</span> }
        </p>
    }
}

/// The log's located problems (line, column, field); the rest of the log still replays.
fn problems(store: &Store, r: &Replay) -> Html {
    let o = &r.observed;
    if o.diagnostics.is_empty() {
        return html! {};
    }
    let _ = store;
    html! {
        <details class="flows-problems" open={o.diagnostics.len() <= 5}>
            <summary>{ format!("{} in the log (the rest replays)", plural(o.diagnostics.len() + o.more_diagnostics as usize, "problem", "problems")) }</summary>
            <ul class="diag-list">
                { for o.diagnostics.iter().map(|d| html! {
                    <li class={classes!("diag", d.severity.as_str().to_lowercase())} data-flow-line={d.line.to_string()}>
                        <span class="diag-loc mono">{ format!("line {}:{}", d.line, d.column) }</span>
                        if let Some(f) = &d.field { <code>{ f.clone() }</code> }
                        <span>{ d.message.clone() }</span>
                    </li>
                }) }
                if o.more_diagnostics > 0 { <li class="muted">{ format!("and {} more", o.more_diagnostics) }</li> }
            </ul>
        </details>
    }
}

fn sections(store: &Store, r: &Replay, comparing: bool) -> Html {
    let rows: Vec<(&Row, &Connection)> = r.rows.iter().zip(&r.observed.connections).collect();
    let section = |title: String, class: &'static str, picked: Vec<(&Row, &Connection)>| {
        if picked.is_empty() {
            return html! {};
        }
        let more = picked.len().saturating_sub(MAX_ROWS);
        html! {
            <section class={classes!("flows-section", class)}>
                <h3>{ title }</h3>
                <ul class="flows-list">
                    { for picked.into_iter().take(MAX_ROWS).map(|(row, c)| row_html(store, r, row, c)) }
                </ul>
                if more > 0 { <p class="muted">{ format!("{more} more not listed.") }</p> }
            </section>
        }
    };
    let starts: Vec<_> = rows
        .iter()
        .copied()
        .filter(|(r, _)| r.starts_dropping)
        .collect();
    let dropped: Vec<_> = rows
        .iter()
        .copied()
        .filter(|(r, _)| !r.allowed && !r.starts_dropping)
        .collect();
    let allowed: Vec<_> = rows.iter().copied().filter(|(r, _)| r.allowed).collect();
    html! {
        <>
            if comparing {
                if starts.is_empty() {
                    <p class="flows-dry-run ok" data-starts-dropping="0">{ "Compared with the kept side, this change starts dropping none of the observed connections." }</p>
                } else {
                    { section(format!("This change would start dropping ({})", starts.len()), "starts-dropping", starts) }
                }
            }
            { section(format!("Would be dropped ({})", dropped.len()), "dropped", dropped) }
            { section(format!("Allowed ({})", allowed.len()), "allowed", allowed) }
        </>
    }
}

fn row_html(store: &Store, r: &Replay, row: &Row, c: &Connection) -> Html {
    let port = format!("{}/{}", c.port, c.protocol);
    let times = if c.count == 1 {
        "×1".to_string()
    } else {
        format!("×{}", c.count)
    };
    let explain = {
        let store = store.clone();
        let q = ExplainQuery {
            from: row.from.clone(),
            to: row.to.clone(),
            port: c.port,
            protocol: c.protocol,
        };
        Callback::from(move |_: MouseEvent| store.send(Action::Explain(q.clone())))
    };
    let hubble = c.observed().filter(|_| row.disagrees);
    let only = |id: &str| {
        r.is_flow_only(id).then(|| html! { <span class="tag seen-tag" title="seen only in flows">{ "in flows" }</span> })
    };
    let verdict = if row.allowed {
        "allowed"
    } else {
        "would be dropped"
    };
    html! {
        <li class={classes!("flow-row", if row.allowed { "allowed" } else { "dropped" })}
            data-flow-from={row.from.clone()} data-flow-to={row.to.clone()} data-flow-port={port.clone()}>
            <span class="flow-verdict" aria-label={verdict}>{ if row.allowed { "✓" } else { "✕" } }</span>
            <span class="mono flow-ends">
                { row.from.clone() }{ only(&row.from) }{ " → " }{ row.to.clone() }{ only(&row.to) }
            </span>
            <span class="mono">{ port }</span>
            <span class="flow-count" title={format!("seen {} times", c.count)}>{ times }</span>
            if let Some(h) = hubble {
                <span class="tag hubble-verdict" title="What Hubble recorded differs from what these manifests decide">{ format!("Hubble: {h}") }</span>
            }
            if row.starts_dropping { <span class="tag starts-dropping">{ "starts dropping" }</span> }
            <button class="btn btn-small btn-ghost flow-why" onclick={explain}
                aria-label={format!("Explain {} → {} {}/{}", row.from, row.to, c.port, c.protocol)}>{ "Why?" }</button>
        </li>
    }
}
