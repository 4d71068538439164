//! The Diagnostics tab: what the generator, the drawn arrows and externals, the loader
//! and the linter report. A diagnostic in the manifests jumps to its line.

use netpol::workspace::{DIAGRAM, MANIFESTS};
use netpol::{Diagnostic, Severity};
use yew::prelude::*;

use crate::components::icons;
use crate::state::Action;
use crate::store::Store;

pub(super) fn diagnostics_tab(store: &Store) -> Html {
    let state = store.state();
    let d = &state.derived;
    let mut items: Vec<Html> = Vec::new();
    if let Some(msg) = &d.skipped {
        items.push(html! { <li class="diag error"><span class="sev">{ icons::warning() }</span><div><p>{ msg.clone() }</p></div></li> });
    }
    // A drawn object left out comes first: it is why an arrow to it generates nothing.
    let (drawn, rest): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        d.diagnostics.iter().partition(|x| x.source == DIAGRAM);
    items.extend(drawn.into_iter().map(|diag| diagnostic_item(store, diag)));
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
        let why = netpol::syntax::address(e).err().unwrap_or_default();
        items.push(html! { <li class="diag warning"><span class="sev">{ icons::warning() }</span><div><p>{ format!("external endpoint `{e}`: {why}") }</p></div></li> });
    }
    items.extend(rest.into_iter().map(|diag| diagnostic_item(store, diag)));
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

/// One diagnostic; one in the manifests is a button that jumps to its line.
fn diagnostic_item(store: &Store, diag: &Diagnostic) -> Html {
    let sev = diag.severity.as_str();
    let icon = match diag.severity {
        Severity::Error | Severity::Warning => icons::warning(),
        Severity::Info => icons::info(),
    };
    let at = match diag.source.as_str() {
        MANIFESTS => format!("line {}:{}", diag.line, diag.column),
        DIAGRAM => "drawn on the diagram".to_string(),
        other => format!("{other} {}:{}", diag.line, diag.column),
    };
    let body = html! {
        <>
            <span class="sev" aria-label={sev}>{ icon }</span>
            <span class="diag-body">
                <span class="diag-msg">{ &diag.message }</span>
                if let Some(h) = &diag.help { <span class="help">{ h }</span> }
                <span class="diag-meta"><code>{ diag.code }</code>{ " " }{ diag.name }{ " · " }{ at }</span>
            </span>
        </>
    };
    if diag.source != MANIFESTS {
        return html! { <li class={classes!("diag", sev)}>{ body }</li> };
    }
    let jump = store.action(Action::JumpToLine(diag.line));
    html! {
        <li class={classes!("diag", "jump", sev)}>
            <button class="diag-btn" onclick={move |_| jump.emit(())} title="Go to the line in the editor">{ body }</button>
        </li>
    }
}
