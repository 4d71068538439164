//! The top bar (brand, examples menu, compare, share, export, theme, help) and the notice
//! banner under it.

use yew::prelude::*;

use crate::components::compare::compare_items;
use crate::components::icons;
use crate::components::lessons::LessonsButton;
use crate::examples::{self, EXAMPLES};
use crate::export;
use crate::share::ShareState;
use crate::state::{Action, Dialog, LoadOrigin, Notice, NoticeKind};
use crate::storage;
use crate::store::{use_store, Store};

/// Loads an example (`""`: a blank workspace), asking first when there is unsaved work.
/// An example that is not compiled in is fetched first; while it comes, the banner says so
/// and the page is busy, and if it can't be fetched the workspace is left as it was.
pub fn load_example(store: &Store, id: &str, confirmed: bool) {
    let state = store.state();
    if state.dirty && !confirmed {
        store.send(Action::OpenDialog(Dialog::ConfirmExample(id.to_string())));
        return;
    }
    store.send(Action::CloseDialog);
    if id.is_empty() {
        let origin = LoadOrigin::Example(String::new());
        show_loaded(store, ShareState::default(), origin, "a blank workspace");
        return;
    }
    let Some(ex) = examples::find(id) else {
        return;
    };
    let title = format!("“{}”", ex.title);
    if let Some(share) = ex.embedded_state() {
        show_loaded(store, share, LoadOrigin::Example(ex.id.into()), &title);
        return;
    }
    store.send(Action::Notify(Some(Notice::busy(format!(
        "Opening {title}…"
    )))));
    let store = store.clone();
    yew::platform::spawn_local(async move {
        match ex.fetch_state().await {
            Ok(share) => show_loaded(&store, share, LoadOrigin::Example(ex.id.into()), &title),
            Err(e) => store.send(Action::Notify(Some(Notice::error(format!(
                "The example {title} could not be opened: {e}. Your workspace is unchanged."
            ))))),
        }
    });
}

/// Replaces the workspace with a loaded one and says so.
fn show_loaded(store: &Store, share: ShareState, origin: LoadOrigin, title: &str) {
    store.send(Action::Select(None));
    store.send(Action::Notify(Some(Notice {
        kind: NoticeKind::Info,
        text: format!("Loaded {title}."),
        restore: false,
    })));
    store.send(Action::Load(Box::new(share), origin));
}

#[derive(Clone, Copy, PartialEq)]
enum Menu {
    Examples,
    Compare,
    Export,
}

/// The theme the user picked (`None`: the system's), applied to the page.
#[hook]
fn use_theme() -> UseStateHandle<Option<String>> {
    let theme = use_state(storage::theme);
    use_effect_with((*theme).clone(), |t| {
        if let Some(root) = crate::browser::document().and_then(|d| d.document_element()) {
            match t {
                Some(t) => {
                    let _ = root.set_attribute("data-theme", t);
                }
                None => {
                    let _ = root.remove_attribute("data-theme");
                }
            }
        }
    });
    theme
}

/// The theme button: system → dark → light → system.
fn theme_button(theme: &UseStateHandle<Option<String>>) -> Html {
    let cycle_theme = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let next = match theme.as_deref() {
                None => Some("dark".to_string()),
                Some("dark") => Some("light".to_string()),
                _ => None,
            };
            storage::set_theme(next.as_deref());
            theme.set(next);
        })
    };
    let label = match theme.as_deref() {
        None => "Theme: follows the system",
        Some("dark") => "Theme: dark",
        _ => "Theme: light",
    };
    html! {
        <button class="icon-btn" onclick={cycle_theme} title={label} aria-label={label}>{ icons::theme() }</button>
    }
}

/// A menu button and, when open, its menu (a backdrop closes it).
fn menu(
    which: Menu,
    open: &UseStateHandle<Option<Menu>>,
    button: Html,
    class: Option<&'static str>,
    label: &'static str,
    items: Html,
) -> Html {
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| {
            open.set(if *open == Some(which) {
                None
            } else {
                Some(which)
            })
        })
    };
    let close = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(None))
    };
    let is_open = **open == Some(which);
    html! {
        <div class="menu-wrap">
            <button class="btn" aria-haspopup="menu" aria-expanded={is_open.to_string()} onclick={toggle}>
                { button }
            </button>
            if is_open {
                <div class="menu-backdrop" onclick={close} />
                <ul class={classes!("menu", class)} role="menu" aria-label={label}>{ items }</ul>
            }
        </div>
    }
}

fn examples_items(store: &Store, open: &UseStateHandle<Option<Menu>>) -> Html {
    let load = |id: &'static str| {
        let (store, open) = (store.clone(), open.clone());
        Callback::from(move |_: MouseEvent| {
            open.set(None);
            load_example(&store, id, false);
        })
    };
    let examples = EXAMPLES.iter().map(|ex| {
        let current = store.state().pristine_example() == Some(ex.id);
        html! {
            <li role="none">
                <button role="menuitem" class={classes!("menu-item", current.then_some("current"))} onclick={load(ex.id)}>
                    <span class="menu-title">{ ex.title }</span>
                    <span class="menu-sub">{ ex.summary }</span>
                </button>
            </li>
        }
    });
    html! {
        <>
            { for examples }
            <li role="separator" class="menu-sep" />
            <li role="none">
                <button role="menuitem" class="menu-item" onclick={load("")}>
                    <span class="menu-title">{ "Blank workspace" }</span>
                    <span class="menu-sub">{ "start from nothing and draw" }</span>
                </button>
            </li>
        </>
    }
}

fn export_items(store: &Store, open: &UseStateHandle<Option<Menu>>) -> Html {
    let export_svg = {
        let (store, open) = (store.clone(), open.clone());
        Callback::from(move |_: MouseEvent| {
            open.set(None);
            report(&store, export::download_svg());
        })
    };
    let export_png = {
        let (store, open) = (store.clone(), open.clone());
        Callback::from(move |_: MouseEvent| {
            open.set(None);
            let store = store.clone();
            yew::platform::spawn_local(async move {
                report(&store, export::download_png().await);
            });
        })
    };
    html! {
        <>
            <li role="none"><button role="menuitem" class="menu-item" onclick={export_svg}>
                <span class="menu-title">{ "Diagram as SVG" }</span><span class="menu-sub">{ "vector, for docs" }</span></button></li>
            <li role="none"><button role="menuitem" class="menu-item" onclick={export_png}>
                <span class="menu-title">{ "Diagram as PNG" }</span><span class="menu-sub">{ "2× resolution image" }</span></button></li>
        </>
    }
}

/// The top bar: the examples, export and compare menus, sharing, help and the theme.
#[function_component(Toolbar)]
pub fn toolbar() -> Html {
    let store = use_store();
    let open = use_state(|| None::<Menu>);
    let theme = use_theme();
    let Some(store) = store else {
        return html! {};
    };
    let on_menu_key = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                open.set(None);
            }
        })
    };
    let share = store.action(Action::OpenDialog(Dialog::Share));
    let help = store.action(Action::OpenDialog(Dialog::Help));
    html! {
        <header class="topbar">
            <div class="brand">
                { icons::logo() }
                <div class="brand-text">
                    <h1>{ "NetworkPolicy Playground" }</h1>
                    <span class="brand-sub">{ "Paste manifests, draw arrows, see who can talk to whom" }</span>
                </div>
            </div>
            <nav class="actions" aria-label="Workspace" onkeydown={on_menu_key}>
                <LessonsButton />
                { menu(Menu::Examples, &open, html! { <>{ icons::book() }{ "Examples" }{ icons::chevron() }</> },
                    None, "Examples", examples_items(&store, &open)) }
                { menu(Menu::Compare, &open, html! { <>{ icons::compare() }{ "Compare" }{ icons::chevron() }</> },
                    None, "Compare with", compare_items(&store, close_menu(&open))) }
                <button class="btn" onclick={move |_| share.emit(())} title="Share a link to this workspace">
                    { icons::share() }{ "Share" }
                </button>
                { menu(Menu::Export, &open, html! { <>{ icons::image() }{ "Export" }{ icons::chevron() }</> },
                    Some("menu-right"), "Export", export_items(&store, &open)) }
                { theme_button(&theme) }
                <button class="icon-btn" onclick={move |_| help.emit(())} title="Help and keyboard" aria-label="Help">{ icons::help() }</button>
            </nav>
        </header>
    }
}

fn close_menu(open: &UseStateHandle<Option<Menu>>) -> Callback<()> {
    let open = open.clone();
    Callback::from(move |()| open.set(None))
}

fn report(store: &Store, result: Result<(), String>) {
    if let Err(e) = result {
        store.send(Action::Notify(Some(Notice {
            kind: NoticeKind::Error,
            text: format!("Export failed: {e}"),
            restore: false,
        })));
    }
}

/// The banner: load messages, bad links, refused input.
#[function_component(NoticeBar)]
pub fn notice_bar() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let Some(n) = store.state().ui.notice.clone() else {
        return html! {};
    };
    let dismiss = store.action(Action::Notify(None));
    let restore = n.restore.then(|| {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(prev) = storage::previous() {
                storage::clear_previous();
                store.send(Action::Notify(Some(Notice {
                    kind: NoticeKind::Info,
                    text: "Restored your previous work.".into(),
                    restore: false,
                })));
                store.send(Action::Load(
                    Box::new(prev),
                    LoadOrigin::Restored { dirty: true },
                ));
            } else {
                store.send(Action::Notify(None));
            }
        })
    });
    let (class, role) = match n.kind {
        NoticeKind::Info | NoticeKind::Busy => ("notice info", "status"),
        NoticeKind::Error => ("notice error", "alert"),
    };
    html! {
        <div class={class} role={role}>
            { if n.kind == NoticeKind::Error { icons::warning() } else { icons::info() } }
            <span class="notice-text">{ n.text }</span>
            if let Some(r) = restore {
                <button class="btn btn-small" onclick={r}>{ "Restore previous work" }</button>
            }
            <button class="icon-btn" aria-label="Dismiss" title="Dismiss" onclick={move |_| dismiss.emit(())}>{ icons::close() }</button>
        </div>
    }
}
