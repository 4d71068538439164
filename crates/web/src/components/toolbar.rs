//! The top bar (brand, examples menu, open, share, export, theme, help) and the notice
//! banner under it.

use yew::prelude::*;

use crate::app::{use_store, Store};
use crate::components::icons;
use crate::examples::{self, EXAMPLES};
use crate::export;
use crate::state::{Action, Dialog, LoadOrigin, Notice, NoticeKind};
use crate::storage;

/// Loads an example, asking first when there is unsaved work.
pub fn load_example(store: &Store, id: &str, confirmed: bool) {
    let state = store.state();
    if state.dirty && !confirmed {
        store.send(Action::OpenDialog(Dialog::ConfirmExample(id.to_string())));
        return;
    }
    let (share, origin, title) = if id.is_empty() {
        (
            crate::share::ShareState::default(),
            LoadOrigin::Example(String::new()),
            "a blank workspace".to_string(),
        )
    } else {
        match examples::find(id) {
            Some(ex) => (
                ex.state(),
                LoadOrigin::Example(ex.id.to_string()),
                format!("“{}”", ex.title),
            ),
            None => return,
        }
    };
    store.send(Action::CloseDialog);
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
    Export,
}

/// The top bar.
#[function_component(Toolbar)]
pub fn toolbar() -> Html {
    let Some(store) = use_store() else {
        return html! {};
    };
    let menu = use_state(|| None::<Menu>);
    let theme = use_state(storage::theme);
    {
        let theme = (*theme).clone();
        use_effect_with(theme, |t| {
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
    }
    let toggle = |m: Menu| {
        let menu = menu.clone();
        Callback::from(move |_: MouseEvent| menu.set(if *menu == Some(m) { None } else { Some(m) }))
    };
    let close_menu = {
        let menu = menu.clone();
        Callback::from(move |_: MouseEvent| menu.set(None))
    };
    let on_menu_key = {
        let menu = menu.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                menu.set(None);
            }
        })
    };
    let example_items = EXAMPLES.iter().map(|ex| {
        let store = store.clone();
        let menu = menu.clone();
        let id = ex.id;
        let current = store.state().example.as_deref() == Some(id) && !store.state().dirty;
        html! {
            <li role="none">
                <button role="menuitem" class={classes!("menu-item", current.then_some("current"))}
                    onclick={move |_| { menu.set(None); load_example(&store, id, false); }}>
                    <span class="menu-title">{ ex.title }</span>
                    <span class="menu-sub">{ ex.summary }</span>
                </button>
            </li>
        }
    });
    let blank = {
        let store = store.clone();
        let menu = menu.clone();
        Callback::from(move |_: MouseEvent| {
            menu.set(None);
            load_example(&store, "", false);
        })
    };
    let share = store.action(Action::OpenDialog(Dialog::Share));
    let help = store.action(Action::OpenDialog(Dialog::Help));
    let export_svg = {
        let store = store.clone();
        let menu = menu.clone();
        Callback::from(move |_: MouseEvent| {
            menu.set(None);
            report(&store, export::download_svg());
        })
    };
    let export_png = {
        let store = store.clone();
        let menu = menu.clone();
        Callback::from(move |_: MouseEvent| {
            menu.set(None);
            let store = store.clone();
            yew::platform::spawn_local(async move {
                report(&store, export::download_png().await);
            });
        })
    };
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
    let theme_label = match theme.as_deref() {
        None => "Theme: follows the system",
        Some("dark") => "Theme: dark",
        _ => "Theme: light",
    };
    let open = *menu;
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
                <crate::components::lessons::LessonsButton />
                <div class="menu-wrap">
                    <button class="btn" aria-haspopup="menu" aria-expanded={(open == Some(Menu::Examples)).to_string()}
                        onclick={toggle(Menu::Examples)}>
                        { icons::book() }{ "Examples" }{ icons::chevron() }
                    </button>
                    if open == Some(Menu::Examples) {
                        <div class="menu-backdrop" onclick={close_menu.clone()} />
                        <ul class="menu" role="menu" aria-label="Examples">
                            { for example_items }
                            <li role="separator" class="menu-sep" />
                            <li role="none">
                                <button role="menuitem" class="menu-item" onclick={blank}>
                                    <span class="menu-title">{ "Blank workspace" }</span>
                                    <span class="menu-sub">{ "start from nothing and draw" }</span>
                                </button>
                            </li>
                        </ul>
                    }
                </div>
                <button class="btn" onclick={move |_| share.emit(())} title="Share a link to this workspace">
                    { icons::share() }{ "Share" }
                </button>
                <div class="menu-wrap">
                    <button class="btn" aria-haspopup="menu" aria-expanded={(open == Some(Menu::Export)).to_string()}
                        onclick={toggle(Menu::Export)}>
                        { icons::image() }{ "Export" }{ icons::chevron() }
                    </button>
                    if open == Some(Menu::Export) {
                        <div class="menu-backdrop" onclick={close_menu} />
                        <ul class="menu menu-right" role="menu" aria-label="Export">
                            <li role="none"><button role="menuitem" class="menu-item" onclick={export_svg}>
                                <span class="menu-title">{ "Diagram as SVG" }</span><span class="menu-sub">{ "vector, for docs" }</span></button></li>
                            <li role="none"><button role="menuitem" class="menu-item" onclick={export_png}>
                                <span class="menu-title">{ "Diagram as PNG" }</span><span class="menu-sub">{ "2× resolution image" }</span></button></li>
                        </ul>
                    }
                </div>
                <button class="icon-btn" onclick={cycle_theme} title={theme_label} aria-label={theme_label}>{ icons::theme() }</button>
                <button class="icon-btn" onclick={move |_| help.emit(())} title="Help and keyboard" aria-label="Help">{ icons::help() }</button>
            </nav>
        </header>
    }
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
        NoticeKind::Info => ("notice info", "status"),
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
