//! The manifests editor: a plain `<textarea aria-label="Manifests">` (the input: screen
//! readers, paste, undo and tests all work as usual) over a highlighting backdrop with line
//! numbers and diagnostic markers. The text is only ever what the user typed, pasted,
//! opened or dropped: nothing rewrites it.
//!
//! Both layers sit in one grid cell of a scrolling box, so the backdrop sizes the textarea
//! and they scroll together without any syncing code.
//!
//! The backdrop and the line numbers come in chunks of [`CHUNK_LINES`] lines. Only the
//! chunks in view (and one either side) are highlighted; the others are their plain text in
//! one text node, laid out alike. Line numbers are runs of plain text, with an element only
//! where a diagnostic puts its mark. A 3,000-line paste then
//! builds a few hundred DOM nodes instead of 30,000, and a keystroke highlights a handful
//! of chunks.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::file_drop::file_drop;
use crate::components::icons;
use crate::highlight::{self, LineNote, Mark};
use crate::state::{human_size, Action, AppState, Notice, Tab, MAX_EVAL_BYTES};
use crate::store::{use_store, Store};

/// Line height in CSS pixels (must match `--code-line` in styles.css).
const LINE_H: f64 = 20.0;
/// Above this size the backdrop is left out (the textarea alone stays fast).
const HIGHLIGHT_MAX: usize = 300 * 1024;
/// Lines per backdrop chunk (a keystroke re-renders one chunk).
const CHUNK_LINES: usize = 40;
/// Files larger than this are refused when opened or dropped.
const MAX_FILE: u64 = 5 * 1024 * 1024;

fn notes_of(diags: &[netpol::Diagnostic]) -> BTreeMap<usize, LineNote> {
    let mut notes: BTreeMap<usize, LineNote> = BTreeMap::new();
    for d in diags
        .iter()
        .filter(|d| d.source == netpol::workspace::MANIFESTS && d.line > 0)
    {
        let mark = match d.severity {
            netpol::Severity::Error => Mark::Error,
            netpol::Severity::Warning => Mark::Warning,
            netpol::Severity::Info => Mark::Info,
        };
        let message = format!("{} {}", d.code, d.message);
        notes
            .entry(d.line)
            .and_modify(|n| {
                n.count += 1;
                if mark < n.mark {
                    n.mark = mark;
                    n.message = message.clone();
                }
            })
            .or_insert(LineNote {
                mark,
                message,
                count: 1,
            });
    }
    notes
}

/// Line numbers `first..=last`: runs of plain numbers as one text block each, and a line
/// with a diagnostic as its own element with the mark (a focusable note), so a chunk costs a
/// few nodes however many lines it has.
fn gutter_lines(first: usize, last: usize, notes: &BTreeMap<usize, LineNote>) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut plain = String::new();
    let flush = |out: &mut String, plain: &mut String| {
        if !plain.is_empty() {
            let _ = write!(out, "<div class=\"gl-plain\">{plain}</div>");
            plain.clear();
        }
    };
    for n in first..=last {
        match notes.get(&n) {
            Some(note) => {
                flush(&mut out, &mut plain);
                let msg = highlight::escape(&note.message);
                let _ = write!(
                    out,
                    "<div class=\"gl gl-{c}\"><span class=\"mk mk-{c}\" tabindex=\"0\" role=\"note\" aria-label=\"line {n}: {msg}\" data-msg=\"{msg}\"></span>{n}</div>",
                    c = note.mark.class(),
                );
            }
            None => {
                if !plain.is_empty() {
                    plain.push('\n');
                }
                let _ = write!(plain, "{n}");
            }
        }
    }
    flush(&mut out, &mut plain);
    out
}

/// `1 error`, `2 warnings`, `1 error, 2 warnings`.
/// `1 line`, `2 lines`; `many` is the plural when it is not `one` + `s`.
fn count_of(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn problems_text(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, one: &str| count_of(n, one, &format!("{one}s"));
    match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// Decimal digits of `n` (at least 2).
fn digits(n: usize) -> usize {
    n.max(10).ilog10() as usize + 1
}

/// UTF-16 offsets of the start and end of 1-based `line` (what `setSelectionRange` takes).
fn line_range_utf16(text: &str, line: usize) -> (u32, u32) {
    let mut offset: u32 = 0;
    for (i, l) in text.split('\n').enumerate() {
        let len = l.encode_utf16().count() as u32;
        if i + 1 == line {
            return (offset, offset + len);
        }
        offset += len + 1;
    }
    (offset, offset)
}

/// Reads files and appends them as documents.
fn read_files(files: Vec<web_sys::File>, store: Store) {
    yew::platform::spawn_local(async move {
        let mut texts = Vec::new();
        for f in files {
            let name = f.name();
            if f.size() as u64 > MAX_FILE {
                store.send(Action::Notify(Some(Notice::error(format!(
                    "{name} is {}; files over {} are not opened.",
                    human_size(f.size() as usize),
                    human_size(MAX_FILE as usize)
                )))));
                continue;
            }
            let blob = gloo::file::Blob::from(f);
            match gloo::file::futures::read_as_text(&blob).await {
                Ok(t) => texts.push(format!("# file: {name}\n{t}")),
                Err(_) => store.send(Action::Notify(Some(Notice::error(format!(
                    "{name} could not be read as text."
                ))))),
            }
        }
        if !texts.is_empty() {
            let joined = texts
                .iter()
                .map(|t| t.trim_end().to_string())
                .collect::<Vec<_>>()
                .join("\n---\n");
            store.send(Action::AppendManifests(format!("{joined}\n")));
        }
    });
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// What the textarea is laid over; empty above [`HIGHLIGHT_MAX`].
#[derive(Default, PartialEq)]
struct Backdrop {
    /// Each chunk's lines as plain text (what an off-screen chunk shows), with its count.
    chunks: Vec<(AttrValue, usize)>,
    /// Each chunk's line numbers, with the diagnostics' marks.
    numbers: Vec<AttrValue>,
    /// Each chunk's highlighted HTML, made the first time the chunk is in view.
    highlighted: RefCell<Vec<Option<AttrValue>>>,
    /// The marks per line, for the chunks in view.
    notes: BTreeMap<usize, LineNote>,
    /// The longest line's length in characters (the text's width).
    widest: usize,
}

impl Backdrop {
    /// Chunk `c`'s highlighted HTML, made once per backdrop (and kept from the previous
    /// one while the chunk's text and marks are the same).
    fn highlighted(&self, c: usize) -> AttrValue {
        let mut cache = self.highlighted.borrow_mut();
        if let Some(Some(html)) = cache.get(c) {
            return html.clone();
        }
        let Some((text, _)) = self.chunks.get(c) else {
            return AttrValue::default();
        };
        let lines: Vec<&str> = text.split('\n').collect();
        let html = AttrValue::from(highlight::highlight_lines(
            &lines,
            c * CHUNK_LINES + 1,
            &self.notes,
        ));
        if cache.len() <= c {
            cache.resize(c + 1, None);
        }
        if let Some(slot) = cache.get_mut(c) {
            *slot = Some(html.clone());
        }
        html
    }
}

/// The marks on lines `first..=last`.
fn notes_in(
    notes: &BTreeMap<usize, LineNote>,
    first: usize,
    last: usize,
) -> impl Iterator<Item = (&usize, &LineNote)> {
    notes.range(first..=last)
}

/// Whether `joined` is `lines` joined with newlines (without joining them).
fn same_lines(joined: &str, lines: &[&str]) -> bool {
    joined.len() + 1 == lines.iter().map(|l| l.len() + 1).sum::<usize>()
        && joined.split('\n').eq(lines.iter().copied())
}

/// The backdrop of `text`. A keystroke changes one chunk: every other chunk keeps the
/// previous backdrop's text, numbers and highlighting (the same shared strings, so the
/// render compares them cheaply and touches no DOM for them). Formatting every line's
/// number again was most of a keystroke's rendering at 6,000 lines.
fn backdrop_of(text: &str, diagnostics: &[netpol::Diagnostic], previous: &Backdrop) -> Backdrop {
    if text.len() > HIGHLIGHT_MAX {
        return Backdrop::default();
    }
    let all: Vec<&str> = text.split('\n').collect();
    let widest = all.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let notes = notes_of(diagnostics);
    let before = previous.highlighted.borrow();
    let mut chunks = Vec::with_capacity(all.len().div_ceil(CHUNK_LINES));
    let mut numbers = Vec::with_capacity(chunks.capacity());
    let mut highlighted = Vec::with_capacity(chunks.capacity());
    for (c, lines) in all.chunks(CHUNK_LINES).enumerate() {
        let (first, last) = (c * CHUNK_LINES + 1, c * CHUNK_LINES + lines.len());
        let old = previous.chunks.get(c).filter(|(_, n)| *n == lines.len());
        let same_text = old.is_some_and(|(t, _)| same_lines(t, lines));
        let same_notes = old.is_some()
            && notes_in(&previous.notes, first, last).eq(notes_in(&notes, first, last));
        chunks.push(match old {
            Some(old) if same_text => old.clone(),
            _ => (AttrValue::from(lines.join("\n")), lines.len()),
        });
        numbers.push(match previous.numbers.get(c) {
            Some(n) if same_notes => n.clone(),
            _ => AttrValue::from(gutter_lines(first, last, &notes)),
        });
        highlighted.push(if same_text && same_notes {
            before.get(c).cloned().flatten()
        } else {
            None
        });
    }
    Backdrop {
        chunks,
        numbers,
        highlighted: RefCell::new(highlighted),
        notes,
        widest,
    }
}

/// A chunk's style: its size while content-visibility skips it (`n` lines).
fn chunk_style(n: usize) -> String {
    format!("contain-intrinsic-size: auto {}px", n as f64 * LINE_H)
}

/// The backdrop's text, once per workspace change, built from the previous one.
#[hook]
fn use_backdrop(state: &AppState) -> Rc<Backdrop> {
    let derived = Rc::clone(&state.derived);
    let text = state.ws.manifests.clone();
    let previous = use_mut_ref(|| Rc::new(Backdrop::default()));
    let before = Rc::clone(&previous.borrow());
    let backdrop = use_memo(state.ws_rev, move |_| {
        backdrop_of(&text, &derived.diagnostics, &before)
    });
    *previous.borrow_mut() = Rc::clone(&backdrop);
    backdrop
}

/// The chunks in view, and one either side, as `first..=last`; follows the scroll.
#[hook]
fn use_view_window(scroller: &NodeRef) -> (UseStateHandle<(usize, usize)>, Callback<Event>) {
    let window = use_state(|| (0usize, 2usize));
    let measure = {
        let (scroller, window) = (scroller.clone(), window.clone());
        move || {
            let Some(sc) = scroller.cast::<HtmlElement>() else {
                return;
            };
            let chunk_h = CHUNK_LINES as f64 * LINE_H;
            let top = f64::from(sc.scroll_top());
            let bottom = top + f64::from(sc.client_height());
            let first = (top / chunk_h).floor().max(0.0) as usize;
            let last = (bottom / chunk_h).ceil().max(0.0) as usize;
            let next = (first.saturating_sub(1), last + 1);
            if *window != next {
                window.set(next);
            }
        }
    };
    {
        let measure = measure.clone();
        use_effect_with((), move |_| measure());
    }
    (window, Callback::from(move |_: Event| measure()))
}

/// Jumps to a line when asked (from the diagnostics list, an explanation, a node): selects
/// it and scrolls it into the upper third.
#[hook]
fn use_jump(state: &AppState, area: &NodeRef, scroller: &NodeRef) {
    let (area, scroller) = (area.clone(), scroller.clone());
    let text = state.ws.manifests.clone();
    use_effect_with(state.ui.jump, move |jump| {
        let (Some((line, _)), Some(ta)) = (jump, area.cast::<HtmlTextAreaElement>()) else {
            return;
        };
        let (start, end) = line_range_utf16(&text, *line);
        let _ = ta.focus();
        let _ = ta.set_selection_range(start, end);
        if let Some(sc) = scroller.cast::<HtmlElement>() {
            let top = (*line as f64 - 1.0) * LINE_H - f64::from(sc.client_height()) / 3.0;
            sc.set_scroll_top(top.max(0.0) as i32);
        } else {
            let top = (*line as f64 - 1.0) * LINE_H - 100.0;
            ta.set_scroll_top(top.max(0.0) as i32);
        }
    });
}

/// The textarea is uncontrolled: its value is written only when the state differs from
/// what it holds (a load, an example, opened files), never while the user types. Writing
/// a 5 MB value back after every paste would cost seconds of layout.
#[hook]
fn use_text_sync(state: &AppState, area: &NodeRef) {
    let area = area.clone();
    let text = state.ws.manifests.clone();
    use_effect_with(state.ws_rev, move |_| {
        if let Some(ta) = area.cast::<HtmlTextAreaElement>() {
            if ta.value() != text {
                ta.set_value(&text);
            }
        }
    });
}

/// A click in the empty space below the text puts the caret at the end, as in an editor.
fn focus_end(area: &NodeRef) -> Callback<MouseEvent> {
    let area = area.clone();
    Callback::from(move |e: MouseEvent| {
        let on_blank = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|t| t.get_attribute("class").as_deref() == Some("code-grid"));
        if on_blank {
            if let Some(ta) = area.cast::<HtmlTextAreaElement>() {
                e.prevent_default();
                let _ = ta.focus();
                let end = ta.text_length();
                let _ = ta.set_selection_range(end, end);
            }
        }
    })
}

fn on_input(store: &Store) -> Callback<InputEvent> {
    let store = store.clone();
    Callback::from(move |e: InputEvent| {
        let Some(ta) = e.target_dyn_into::<HtmlTextAreaElement>() else {
            return;
        };
        // Refuse a huge paste before copying it out of the page: put the previous text
        // back and say why (a 5 MB textarea alone stalls the browser on every layout).
        let len = ta.text_length() as usize;
        if len > MAX_EVAL_BYTES {
            ta.set_value(&store.state().ws.manifests);
            let text = format!(
                "That paste is {} characters; the editor takes at most {}. Nothing was changed: paste fewer documents.",
                human_size(len),
                human_size(MAX_EVAL_BYTES)
            )
            .replace(" KB characters", " K characters")
            .replace(" MB characters", " M characters");
            store.send(Action::Notify(Some(Notice::error(text))));
            return;
        }
        store.send(Action::SetManifests(ta.value()));
    })
}

/// The pane's title bar, with "Open files" (a hidden file input does the picking).
fn pane_head(store: &Store, file_input: &NodeRef) -> Html {
    let open_click = {
        let file_input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = file_input.cast::<HtmlInputElement>() {
                i.click();
            }
        })
    };
    let on_files = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                read_files(files_of(input.files()), store.clone());
                input.set_value("");
            }
        })
    };
    html! {
        <header class="pane-head">
            <h2 title="Namespaces, pods, workloads and NetworkPolicies (multi-document YAML or JSON)">{ "Manifests" }</h2>
            <span class="pane-sub">{ "YAML · paste, type, open or drop files" }</span>
            <span class="spacer" />
            <button class="btn btn-ghost btn-small" onclick={open_click} title="Open YAML files (or drop them on the editor)">
                { icons::open() }{ "Open files" }
            </button>
            <input ref={file_input} type="file" multiple=true accept=".yaml,.yml,.json,text/yaml,application/json"
                class="visually-hidden" tabindex="-1" aria-hidden="true" onchange={on_files} />
        </header>
    }
}

/// Counts of what the manifests hold, and their problems (a button to the Diagnostics tab).
fn status_bar(store: &Store, lines: usize) -> Html {
    let state = store.state();
    let c = &state.derived.eval.loaded.cluster;
    // The manifests' own problems: the drawing's are in the Diagnostics tab.
    let count = |severity: netpol::Severity| {
        state
            .derived
            .diagnostics
            .iter()
            .filter(|d| d.source == netpol::workspace::MANIFESTS && d.severity == severity)
            .count()
    };
    let (errors, warnings) = (
        count(netpol::Severity::Error),
        count(netpol::Severity::Warning),
    );
    let show_diags = store.action(Action::SelectTab(Tab::Diagnostics));
    html! {
        <footer class="pane-status">
            <span>{ count_of(lines, "line", "lines") }</span>
            <span>{ count_of(c.namespaces.len(), "namespace", "namespaces") }</span>
            <span>{ count_of(c.pods.len(), "workload", "workloads") }</span>
            <span>{ count_of(c.policies.len(), "policy", "policies") }</span>
            if !c.cluster_policies.is_empty() {
                <span>{ count_of(c.cluster_policies.len(), "cluster policy", "cluster policies") }</span>
            }
            if c.cilium.has_policies() {
                <span>{ count_of(c.cilium.policies.len(), "Cilium policy", "Cilium policies") }</span>
            }
            <span class="spacer" />
            <button class={classes!("status-diag", (errors > 0).then_some("has-errors"), (errors == 0 && warnings > 0).then_some("has-warnings"))}
                onclick={move |_| show_diags.emit(())}
                title="Show the diagnostics">
                { if errors + warnings == 0 { html!{ <>{ icons::check() }{ "No problems" }</> } }
                  else { html!{ <>{ icons::warning() }{ problems_text(errors, warnings) }</> } } }
            </button>
        </footer>
    }
}

/// The editor pane.
#[function_component(Editor)]
pub fn editor() -> Html {
    let store = use_store();
    let area = use_node_ref();
    let scroller = use_node_ref();
    let file_input = use_node_ref();
    let dragging = use_state(|| false);
    let Some(store) = store else {
        return html! {};
    };
    let state = store.state();
    let backdrop = use_backdrop(state);
    let (window, onscroll) = use_view_window(&scroller);
    use_jump(state, &area, &scroller);
    use_text_sync(state, &area);
    let (first_shown, last_shown) = *window;
    let shown = |c: usize| (first_shown..=last_shown).contains(&c);
    let big = state.ws.manifests.len() > HIGHLIGHT_MAX;
    let lines = state.ws.manifests.split('\n').count();
    let widest = backdrop.widest;
    // Every chunk but the last is full: they share one style string instead of formatting
    // two per chunk on every render.
    let full_style = AttrValue::from(chunk_style(CHUNK_LINES));
    let style_of = |n: usize| {
        if n == CHUNK_LINES {
            full_style.clone()
        } else {
            AttrValue::from(chunk_style(n))
        }
    };
    let chunk_html = |(c, (text, n)): (usize, &(AttrValue, usize))| {
        let style = style_of(*n);
        if shown(c) {
            let html = backdrop.highlighted(c);
            html! { <div class="chunk near" {style}>{ Html::from_html_unchecked(html) }</div> }
        } else {
            html! { <div class="chunk" {style}>{ text.clone() }</div> }
        }
    };
    // Every chunk's numbers carry their marks (focusable notes that keyboard and screen
    // reader users reach without scrolling); they cost a few nodes per chunk. Off-screen
    // chunks skip layout like the backdrop's: shaping thousands of distinct numbers was
    // most of a first paste's layout time.
    let gutter_html = |(c, (numbers, (_, n))): (usize, (&AttrValue, &(AttrValue, usize)))| {
        let style = style_of(*n);
        let class = classes!("chunk", shown(c).then_some("near"));
        html! { <div {class} {style}>{ Html::from_html_unchecked(numbers.clone()) }</div> }
    };
    // Files dropped on the pane are appended; `dragging` highlights the pane meanwhile.
    let drop = {
        let store = store.clone();
        file_drop(Some(&dragging), move |files| {
            read_files(files, store.clone())
        })
    };
    html! {
        <section class={classes!("pane", "editor-pane", (*dragging).then_some("dropping"))}
            aria-label="Manifests editor"
            ondragover={drop.ondragover} ondragleave={drop.ondragleave} ondrop={drop.ondrop}>
            { pane_head(&store, &file_input) }
            if let Some(msg) = state.derived.skipped.clone() {
                <div class="pane-warning" role="alert">{ icons::warning() }{ msg }</div>
            }
            // One structure in both modes, so the textarea (and its caret and undo history)
            // survives crossing the highlighting size limit.
            <div class={classes!("code-scroll", big.then_some("plain"))} ref={scroller} {onscroll}>
                <div class="code-grid" onmousedown={focus_end(&area)}>
                    // A fixed-width gutter, so an edit never re-measures thousands of numbers.
                    <div class="gutter" style={format!("width: calc({}ch + 30px)", digits(lines))}>
                        { for backdrop.numbers.iter().zip(&backdrop.chunks).enumerate().map(gutter_html) }
                    </div>
                    // The stack's size comes from the text (line count, widest line), not
                    // from the backdrop's layout: re-rendering a chunk then never resizes the
                    // textarea, whose relayout is the costly part of large texts.
                    <div class="code-stack" style={(!big).then(|| format!(
                        "height: {}px; min-width: calc({widest}ch + 40px)",
                        lines as f64 * LINE_H + 16.0
                    ))}>
                        <pre class="code-backdrop" aria-hidden="true">
                            // Off-screen chunks also skip layout and paint (content-visibility),
                            // sized by their line count so the scroll height stays exact.
                            { for backdrop.chunks.iter().enumerate().map(chunk_html) }
                        </pre>
                        <textarea ref={area} class="code-input" aria-label="Manifests" id="manifests"
                            spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off"
                            placeholder="Paste Kubernetes manifests here, open files, or pick an example."
                            oninput={on_input(&store)} />
                    </div>
                </div>
            </div>
            { status_bar(&store, lines) }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A backdrop built from the previous one is the one built from scratch, and shares
    /// the chunks an edit did not touch.
    #[test]
    fn a_backdrop_from_the_previous_one_is_the_same_and_shares_what_did_not_change() {
        let text: String = (0..200).map(|i| format!("line: {i}\n")).collect();
        let check = |before: &str, after: &str| {
            let previous = backdrop_of(before, &[], &Backdrop::default());
            for c in 0..previous.chunks.len() {
                previous.highlighted(c);
            }
            let next = backdrop_of(after, &[], &previous);
            let fresh = backdrop_of(after, &[], &Backdrop::default());
            assert!(next.chunks == fresh.chunks && next.numbers == fresh.numbers);
            assert_eq!(next.widest, fresh.widest);
            for c in 0..fresh.chunks.len() {
                assert_eq!(next.highlighted(c), fresh.highlighted(c), "chunk {c}");
            }
            (previous, next)
        };
        // An edit in the fourth chunk: the others are the previous strings themselves.
        let (previous, next) = check(&text, &text.replace("line: 130\n", "line: 1300\n"));
        let same = |a: &AttrValue, b: &AttrValue| a.as_str().as_ptr() == b.as_str().as_ptr();
        assert!(same(&previous.chunks[0].0, &next.chunks[0].0));
        assert!(same(&previous.numbers[4], &next.numbers[4]));
        assert!(!same(&previous.chunks[3].0, &next.chunks[3].0));
        // A line added at the top moves every line: nothing is kept but the numbers.
        check(&text, &format!("new\n{text}"));
        check(&text, &text[..text.len() / 2]);
        check("", &text);
    }

    #[test]
    fn line_ranges_count_utf16() {
        let t = "a\né😀\nc";
        assert_eq!(line_range_utf16(t, 1), (0, 1));
        assert_eq!(line_range_utf16(t, 2), (2, 5));
        assert_eq!(line_range_utf16(t, 3), (6, 7));
        assert_eq!(line_range_utf16(t, 9), (8, 8));
    }
}
