//! Startup and wiring: decides what to show first (a share link, `?example=`, the saved
//! work, or the docs' example), owns the reducer, persists the workspace, points the
//! `netpol:update` measure's mutation observer at the app's root (the measure ends at the
//! last DOM mutation an update causes, in any pane: `update_timer`), and lays out the panes
//! (or the embed view).
//! Only `main` imports this module; views reach the state through `crate::store`.

use std::rc::Rc;

use yew::prelude::*;

use crate::browser;
use crate::components::compare::CompareBar;
use crate::components::diagram::Diagram;
use crate::components::dialogs::Dialogs;
use crate::components::editor::Editor;
use crate::components::icons;
use crate::components::lessons::{LessonPanel, LessonsHost};
use crate::components::output::{GeneratedPane, Output};
use crate::components::toolbar::{NoticeBar, Toolbar};
use crate::display::capitalize;
use crate::examples;
use crate::share::{fragment_payload, ShareState};
use crate::state::{Action, AppState, LoadOrigin, Notice, NoticeKind};
use crate::storage;
use crate::store::Store;
use crate::update_timer;

/// Saves of large workspaces wait this long after the last change.
const SAVE_DEBOUNCE_MS: u32 = 400;
/// Workspaces smaller than this are saved at once (a reload right after typing keeps it).
const SAVE_NOW_BYTES: usize = 64 * 1024;

/// How the page was opened.
#[derive(Clone, Debug, PartialEq)]
struct Boot {
    /// What to load.
    state: ShareState,
    origin: LoadOrigin,
    /// What to tell the user about it.
    notice: Option<Notice>,
    /// `?embed=1`: diagram and YAML only, no storage.
    embed: bool,
    /// Panes the embed shows (`?panes=diagram,manifests,generated`).
    panes: Vec<String>,
    /// `?example=` named an example that is fetched, not compiled in: it replaces `state`
    /// when it arrives, announced by the notice given.
    fetch: Option<(&'static examples::Example, Option<Notice>)>,
}

/// "Opened …", offering to restore the work it replaced when that was kept.
fn opened(what: &str, kept: bool) -> Notice {
    let text = if kept {
        format!("Opened {what}. Your previous work was kept.")
    } else {
        format!("Opened {what}.")
    };
    Notice {
        restore: kept,
        ..Notice::info(text)
    }
}

/// Reads the URL and storage once, at startup.
fn boot() -> Boot {
    let embed = matches!(browser::query_param("embed").as_deref(), Some("1" | "true"));
    let panes = browser::query_param("panes")
        .map(|p| {
            p.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| matches!(s.as_str(), "diagram" | "manifests" | "generated"))
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| vec!["diagram".into(), "manifests".into()]);
    let mut notice = None;
    // An embedded diagram shows only problems, not "opened a link" news.
    let shown = |n: Notice| !embed || n.kind != NoticeKind::Info;
    let done = |state: ShareState, origin: LoadOrigin, notice: Option<Notice>| Boot {
        state,
        origin,
        notice: notice.filter(|n| shown(n.clone())),
        embed,
        panes: panes.clone(),
        fetch: None,
    };

    if let Some(payload) = fragment_payload(&browser::hash()) {
        match ShareState::decode(payload) {
            Ok(state) => {
                let kept = !embed && storage::stash_previous();
                let n = opened("a shared workspace", kept);
                return done(state, LoadOrigin::Shared, Some(n));
            }
            Err(e) => notice = Some(Notice::error(capitalize(&e.to_string()))),
        }
    }
    if let Some(id) = browser::query_param("example") {
        match examples::find(&id) {
            Some(ex) => {
                let kept = !embed && storage::stash_previous();
                let n = if kept {
                    Some(opened(&format!("the example “{}”", ex.title), true))
                } else {
                    notice
                };
                let origin = LoadOrigin::Example(ex.id.to_string());
                if let Some(state) = ex.embedded_state() {
                    return done(state, origin, n);
                }
                let busy = Notice::busy(format!("Opening the example “{}”…", ex.title));
                return Boot {
                    fetch: Some((ex, n.filter(|n| shown(n.clone())))),
                    ..done(ShareState::default(), origin, Some(busy))
                };
            }
            None => {
                notice = Some(Notice::error(format!(
                    "There is no example named “{id}”; showing your work instead."
                )))
            }
        }
    }
    if !embed {
        match storage::load() {
            Some(Ok((state, dirty))) => return done(state, LoadOrigin::Restored { dirty }, notice),
            Some(Err(e)) => {
                notice = Some(Notice::error(format!(
                    "Your saved work could not be read ({e}); showing the docs' example."
                )))
            }
            None => {}
        }
    }
    let state = examples::find(examples::DEFAULT)
        .and_then(|e| e.embedded_state())
        .unwrap_or_default();
    done(state, LoadOrigin::Example(examples::DEFAULT.into()), notice)
}

#[function_component(App)]
pub fn app() -> Html {
    let boot = use_memo((), |_| boot());
    let reducer = {
        let boot = Rc::clone(&boot);
        use_reducer(move || {
            let mut s = AppState::new(&boot.state, boot.origin.clone());
            if boot.notice.is_some() {
                s.ui.notice = boot.notice.clone();
            }
            s
        })
    };
    let store = Store(reducer);
    let embed = boot.embed;

    // Once: the URL's one-shot parts (a link, `?example=`) are now in the state (and saved),
    // so a reload shows the saved work, not the link again.
    use_effect_with((), move |_| {
        if !embed {
            browser::clean_url(&["example"]);
        }
    });
    use_fetched_example(&store, boot.fetch.clone());
    use_links_while_open(&store, embed);
    use_persistence(&store, embed);
    let root = use_node_ref();
    {
        let root = root.clone();
        use_effect_with((), move |_| {
            if let Some(el) = root.cast::<web_sys::Element>() {
                update_timer::observe(&el);
            }
        });
    }

    let body = if embed {
        embed_view(&store, &boot.panes)
    } else {
        html! {
            <LessonsHost>
                <Toolbar />
                <NoticeBar />
                <CompareBar />
                <div class="workbench">
                    <LessonPanel />
                    <main class="panes">
                        <Editor />
                        <Diagram />
                        <Output />
                    </main>
                </div>
            </LessonsHost>
        }
    };
    // An example being fetched: assistive technology (and the browser tests) wait for it.
    let busy = (store.state().ui.notice.as_ref()).is_some_and(|n| n.kind == NoticeKind::Busy);
    html! {
        <ContextProvider<Store> context={store.clone()}>
            <div ref={root} class={classes!("app", embed.then_some("embed"))} aria-busy={busy.then_some("true")}>
                { body }
                <Dialogs />
            </div>
        </ContextProvider<Store>>
    }
}

/// Loads the example `?example=` named once it has been fetched; if it can't be, the page
/// says why and keeps the blank workspace (the previous work was kept by the boot).
#[hook]
fn use_fetched_example(store: &Store, fetch: Option<(&'static examples::Example, Option<Notice>)>) {
    let store = store.clone();
    use_effect_with((), move |_| {
        let Some((ex, notice)) = fetch else {
            return;
        };
        yew::platform::spawn_local(async move {
            match ex.fetch_state().await {
                Ok(state) => {
                    store.send(Action::Notify(notice));
                    let origin = LoadOrigin::Example(ex.id.to_string());
                    store.send(Action::Load(Box::new(state), origin));
                }
                Err(e) => store.send(Action::Notify(Some(Notice::error(format!(
                    "The example “{}” could not be opened: {e}.",
                    ex.title
                ))))),
            }
        });
    });
}

/// A share link pasted into the address bar of an open playground only changes the
/// fragment (no reload): load it the same way as at startup.
#[hook]
fn use_links_while_open(store: &Store, embed: bool) {
    let store = store.clone();
    use_effect_with((), move |_| {
        let listener = browser::window().map(|w| {
            gloo::events::EventListener::new(&w, "hashchange", move |_| {
                let hash = browser::hash();
                let Some(payload) = fragment_payload(&hash) else {
                    return;
                };
                let notice = match ShareState::decode(payload) {
                    Ok(state) => {
                        let kept = !embed && store.state().dirty && storage::stash_previous();
                        store.send(Action::Load(Box::new(state), LoadOrigin::Shared));
                        opened("a shared workspace", kept)
                    }
                    Err(e) => Notice::error(capitalize(&e.to_string())),
                };
                store.send(Action::Notify(Some(notice)));
                if !embed {
                    browser::clean_url(&["example"]);
                }
            })
        });
        move || drop(listener)
    });
}

/// Saves the workspace when it changes (debounced for large ones), and at once when the
/// page is left (reload, navigation, closing the tab), so a change made just before is
/// never lost to the debounce or to an effect that had not run yet. An embed saves nothing.
#[hook]
fn use_persistence(store: &Store, embed: bool) {
    {
        let store = store.clone();
        use_effect_with((), move |_| {
            let listener = (!embed).then(browser::window).flatten().map(|w| {
                gloo::events::EventListener::new(&w, "pagehide", move |_| {
                    let s = store.state();
                    let _ = storage::save(&s.to_share().for_storage(), s.dirty);
                })
            });
            move || drop(listener)
        });
    }
    let store = store.clone();
    let timer = use_mut_ref(|| None::<gloo::timers::callback::Timeout>);
    use_effect_with(store.state().saved_rev, move |_| {
        if embed {
            return;
        }
        let save = {
            let store = store.clone();
            move || {
                let s = store.state();
                if let Err(e) = storage::save(&s.to_share().for_storage(), s.dirty) {
                    gloo::console::warn!(format!("not saved: {e}"));
                }
            }
        };
        let state = store.state();
        if state.ws.manifests.len() + state.flow_log.len() < SAVE_NOW_BYTES {
            timer.borrow_mut().take();
            save();
        } else {
            *timer.borrow_mut() =
                Some(gloo::timers::callback::Timeout::new(SAVE_DEBOUNCE_MS, save));
        }
    });
}

fn embed_view(store: &Store, panes: &[String]) -> Html {
    let link = format!(
        "{}#s={}",
        browser::page_base(),
        store.state().to_share().link().0
    );
    let pane = |name: &str| -> Html {
        match name {
            "diagram" => html! { <Diagram key="diagram" /> },
            "manifests" => html! { <Editor key="manifests" /> },
            "generated" => html! { <GeneratedPane key="generated" /> },
            _ => html! {},
        }
    };
    html! {
        <>
            <header class="embed-bar">
                <span class="brand-mark" aria-hidden="true">{ icons::logo() }</span>
                <h1 class="embed-title">{ "NetworkPolicy playground" }</h1>
                <span class="spacer" />
                <a class="btn btn-small" href={link} target="_blank" rel="noopener">
                    { "Open in playground" }{ icons::external() }
                </a>
            </header>
            <NoticeBar />
            <CompareBar embed=true />
            <main class={classes!("panes", format!("panes-{}", panes.len()))}>
                { for panes.iter().map(|p| pane(p)) }
            </main>
        </>
    }
}
