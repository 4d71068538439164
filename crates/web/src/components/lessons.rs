//! Lessons mode views: the toolbar button, the lesson list, the lesson panel (text, the
//! goal as a live checklist, constraints, hints, solution, next lesson) and the
//! confirmations. `LessonsHost` owns the lessons reducer (`crate::lessons`), fetches the
//! course when it is first needed, persists progress and opens `?lesson=<id>`.
//!
//! Grading is the engine's: the panel calls `netpol::lesson::check_evaluation` on the
//! evaluation the app already made for the diagram, once per workspace change.

use std::rc::Rc;

use netpol::lesson::{check_evaluation, Lesson, Report};
use yew::prelude::*;

use crate::app::{use_store, Store};
use crate::browser;
use crate::components::explain_view;
use crate::components::icons;
use crate::lessons::{
    self, blocks, share_of, Block, Confirm, CourseState, Entry, Inline, LessonAction, LessonsState,
    SOLUTION_PREFIX, START_PREFIX,
};
use crate::state::{Action, ExplainQuery, LoadOrigin, Notice, NoticeKind};
use crate::storage;

/// The lessons reducer, shared with every lessons view.
#[derive(Clone, PartialEq)]
pub struct LessonStore(pub UseReducerHandle<LessonsState>);

impl LessonStore {
    /// The current lessons state.
    pub fn state(&self) -> &LessonsState {
        &self.0
    }

    /// Dispatches a lessons action.
    pub fn send(&self, a: LessonAction) {
        self.0.dispatch(a);
    }
}

/// Fetches the course unless it is there or on its way.
fn ensure_course(lessons: &LessonStore) {
    if matches!(
        lessons.state().course,
        CourseState::Loading | CourseState::Ready(_)
    ) {
        return;
    }
    lessons.send(LessonAction::Loading);
    let lessons = lessons.clone();
    yew::platform::spawn_local(async move {
        match lessons::load_course().await {
            Ok(c) => lessons.send(LessonAction::Loaded(Rc::new(c))),
            Err(e) => lessons.send(LessonAction::Failed(e)),
        }
    });
}

fn info(text: String, restore: bool) -> Notice {
    Notice {
        kind: NoticeKind::Info,
        text,
        restore,
    }
}

/// Opens a lesson: loads its start, asking first when there is unsaved work (unless
/// `confirmed`).
fn open_lesson(store: &Store, lessons: &LessonStore, lesson: &Lesson, confirmed: bool) {
    if store.state().dirty && !confirmed {
        lessons.send(LessonAction::Ask(Some(Confirm::Open(lesson.id.clone()))));
        return;
    }
    load_start(store, lessons, lesson, None);
}

fn load_start(store: &Store, lessons: &LessonStore, lesson: &Lesson, notice: Option<Notice>) {
    store.send(Action::CloseDialog);
    store.send(Action::Select(None));
    // The panel is the news; a banner only when there is more to say (work kept aside).
    store.send(Action::Notify(notice));
    store.send(Action::Load(
        Box::new(share_of(&lesson.start)),
        LoadOrigin::Example(format!("{START_PREFIX}{}", lesson.id)),
    ));
    lessons.send(LessonAction::Opened(lesson.id.clone()));
}

fn load_solution(store: &Store, lessons: &LessonStore, lesson: &Lesson) {
    store.send(Action::Select(None));
    store.send(Action::Notify(Some(info(
        format!(
            "Loaded the solution of “{}”. Compare it with your attempt, or restart the lesson from the list.",
            lesson.title
        ),
        false,
    ))));
    store.send(Action::Load(
        Box::new(share_of(&lesson.solution)),
        LoadOrigin::Example(format!("{SOLUTION_PREFIX}{}", lesson.id)),
    ));
    lessons.send(LessonAction::SolutionShown(lesson.id.clone()));
}

#[derive(Properties, PartialEq)]
pub struct HostProps {
    pub children: Children,
}

/// Provides the lessons state to its children and shows the list and confirmations.
#[function_component(LessonsHost)]
pub fn lessons_host(props: &HostProps) -> Html {
    let reducer = use_reducer(|| {
        let progress = lessons::load_progress();
        LessonsState {
            active: progress.active.clone(),
            pending: browser::query_param("lesson").filter(|id| !id.trim().is_empty()),
            progress,
            ..LessonsState::default()
        }
    });
    let lessons = LessonStore(reducer);
    let store = use_store();

    // The course is fetched only when a lesson is open or asked for: the playground alone
    // never pays for it.
    {
        let lessons = lessons.clone();
        let wanted = lessons.state().active.is_some() || lessons.state().pending.is_some();
        use_effect_with(wanted, move |wanted| {
            if *wanted {
                ensure_course(&lessons);
            }
        });
    }

    // Persist progress.
    {
        let progress = lessons.state().progress.clone();
        use_effect_with(lessons.state().saved_rev, move |rev| {
            if *rev > 0 {
                lessons::save_progress(&progress);
            }
        });
    }

    // `?lesson=<id>` once the course is there. Work that would be replaced is kept in the
    // "previous work" slot (like a share link does), and the parameter leaves the URL so a
    // reload shows the learner's work, not the start again.
    {
        let lessons = lessons.clone();
        let store = store.clone();
        let ready = matches!(lessons.state().course, CourseState::Ready(_));
        let failed = matches!(lessons.state().course, CourseState::Failed(_));
        use_effect_with((ready, failed), move |_| {
            let Some(id) = lessons.state().pending.clone() else {
                return;
            };
            let Some(store) = store else { return };
            match &lessons.state().course {
                CourseState::Ready(course) => {
                    browser::clean_url(&["lesson"]);
                    match course.find(&id) {
                        Some(lesson) => {
                            let kept = store.state().dirty && storage::stash_previous();
                            let text = if kept {
                                format!(
                                    "Opened the lesson “{}”. Your previous work was kept.",
                                    lesson.title
                                )
                            } else {
                                format!("Opened the lesson “{}”.", lesson.title)
                            };
                            load_start(&store, &lessons, lesson, Some(info(text, kept)));
                        }
                        None => {
                            lessons.send(LessonAction::Close);
                            lessons.send(LessonAction::ShowList(true));
                            store.send(Action::Notify(Some(Notice {
                                kind: NoticeKind::Error,
                                text: format!("There is no lesson “{id}”; pick one from the list."),
                                restore: false,
                            })));
                        }
                    }
                }
                CourseState::Failed(e) => {
                    // The link asked for a lesson: say why there is none.
                    browser::clean_url(&["lesson"]);
                    lessons.send(LessonAction::Close);
                    store.send(Action::Notify(Some(Notice {
                        kind: NoticeKind::Error,
                        text: e.clone(),
                        restore: false,
                    })));
                }
                _ => {}
            }
        });
    }

    // Loading an example (or a blank workspace), a share link or the restored previous work
    // over a lesson leaves lessons mode: the panel would grade a workspace that has nothing
    // to do with the lesson. (A reload starts with no example and keeps the lesson open.)
    {
        let lessons = lessons.clone();
        let example = store.as_ref().and_then(|s| s.state().example.clone());
        let previous = use_mut_ref(|| None::<String>);
        use_effect_with(example, move |example| {
            let is_lesson = |e: &str| e.starts_with(START_PREFIX) || e.starts_with(SOLUTION_PREFIX);
            let left = match (previous.borrow().as_deref(), example.as_deref()) {
                (_, Some(now)) => !is_lesson(now),
                (Some(before), None) => is_lesson(before),
                (None, None) => false,
            };
            if left && lessons.state().active.is_some() {
                lessons.send(LessonAction::Close);
            }
            *previous.borrow_mut() = example.clone();
        });
    }

    html! {
        <ContextProvider<LessonStore> context={lessons.clone()}>
            { for props.children.iter() }
            if lessons.state().list_open {
                <LessonList />
            }
            if let Some(c) = lessons.state().confirm.clone() {
                <ConfirmDialog confirm={c} />
            }
        </ContextProvider<LessonStore>>
    }
}

/// The toolbar's "Lessons" button.
#[function_component(LessonsButton)]
pub fn lessons_button() -> Html {
    let Some(lessons) = use_context::<LessonStore>() else {
        return html! {};
    };
    let open = lessons.state().list_open;
    let onclick = {
        let lessons = lessons.clone();
        Callback::from(move |_: MouseEvent| {
            ensure_course(&lessons);
            lessons.send(LessonAction::ShowList(true));
        })
    };
    let active = lessons.state().active.is_some();
    html! {
        <button class={classes!("btn", "btn-lessons", active.then_some("btn-on"))} aria-label="Lessons" aria-haspopup="dialog" aria-expanded={open.to_string()}
            onclick={onclick} title="Guided lessons: reach a goal, checked live">
            { icons::book() }<span class="btn-label">{ "Lessons" }</span>
        </button>
    }
}

#[derive(Properties, PartialEq)]
struct ModalProps {
    title: AttrValue,
    on_close: Callback<()>,
    #[prop_or_default]
    class: Classes,
    children: Children,
}

/// A modal in the app's dialog style (the app's own dialogs live in its reducer; these
/// belong to the lessons reducer).
#[function_component(LessonModal)]
fn lesson_modal(props: &ModalProps) -> Html {
    let close = props.on_close.clone();
    let onkeydown = {
        let close = close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                close.emit(());
            }
        })
    };
    let backdrop = close.clone();
    html! {
        <div class="modal-layer" {onkeydown}>
            <div class="modal-backdrop" onclick={move |_| backdrop.emit(())} />
            <div class={classes!("modal", props.class.clone())} role="dialog" aria-modal="true" aria-label={props.title.clone()}>
                <header class="modal-head">
                    <h2>{ props.title.clone() }</h2>
                    <button class="icon-btn" aria-label="Close" title="Close" onclick={move |_| close.emit(())}>{ icons::close() }</button>
                </header>
                { for props.children.iter() }
            </div>
        </div>
    }
}

#[function_component(LessonList)]
fn lesson_list() -> Html {
    // Resetting a whole class's progress by a stray click would hurt: it takes two.
    let confirm_reset = use_state(|| false);
    let (Some(store), Some(lessons)) = (use_store(), use_context::<LessonStore>()) else {
        return html! {};
    };
    let close = {
        let lessons = lessons.clone();
        Callback::from(move |_| lessons.send(LessonAction::ShowList(false)))
    };
    // Focus the list so Escape and Tab work at once.
    let first = use_node_ref();
    {
        let first = first.clone();
        let ready = matches!(lessons.state().course, CourseState::Ready(_));
        use_effect_with(ready, move |_| {
            if let Some(el) = first.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let state = lessons.state();
    let (title, body) = match &state.course {
        CourseState::Idle | CourseState::Loading => (
            "Lessons".to_string(),
            html! { <p class="muted lesson-loading" role="status">{ "Loading the lessons…" }</p> },
        ),
        CourseState::Failed(e) => {
            let retry = {
                let lessons = lessons.clone();
                Callback::from(move |_: MouseEvent| ensure_course(&lessons))
            };
            (
                "Lessons".to_string(),
                html! {
                    <>
                        <p class="field-error" role="alert">{ e.clone() }</p>
                        <p class="muted">{ "The lessons are files next to the page (lessons/index.yaml). Check that they were deployed with the site." }</p>
                        <footer class="modal-actions"><button class="btn btn-primary" onclick={retry}>{ "Try again" }</button></footer>
                    </>
                },
            )
        }
        CourseState::Ready(course) => {
            let total = course
                .entries
                .iter()
                .filter(|e| e.lesson().is_some())
                .count();
            let done = course
                .entries
                .iter()
                .filter_map(Entry::lesson)
                .filter(|l| state.progress.is_done(&l.id))
                .count();
            let mut number = 0;
            let items = course.entries.iter().enumerate().map(|(i, e)| match e {
                Entry::Ready(l) => {
                    number += 1;
                    let id = l.id.clone();
                    let is_done = state.progress.is_done(&id);
                    let current = state.active.as_deref() == Some(id.as_str());
                    let hints = state.progress.hints_shown(&id);
                    let saw = state.progress.solution_shown.contains(&id);
                    let sub = match (is_done, saw, hints) {
                        (true, true, _) => "done · solution viewed".to_string(),
                        (true, false, _) => "done".to_string(),
                        (false, true, _) => "solution viewed".to_string(),
                        (false, false, 0) => format!("{} goals", l.goal.len()),
                        (false, false, h) => format!("{h} of {} hints used", l.hints.len()),
                    };
                    let onclick = {
                        let (store, lessons, l) = (store.clone(), lessons.clone(), Rc::clone(l));
                        Callback::from(move |_: MouseEvent| open_lesson(&store, &lessons, &l, false))
                    };
                    let node = if i == 0 { first.clone() } else { NodeRef::default() };
                    html! {
                        <li key={id.clone()}>
                            <button ref={node} class={classes!("lesson-item", is_done.then_some("done"), current.then_some("current"))}
                                data-lesson={id.clone()} data-done={is_done.to_string()} onclick={onclick}>
                                <span class="lesson-status" aria-hidden="true">
                                    if is_done { { icons::check() } } else { { number } }
                                </span>
                                <span class="lesson-item-text">
                                    <span class="menu-title">{ l.title.clone() }</span>
                                    <span class="menu-sub">
                                        <span class="visually-hidden">{ if is_done { "Done. " } else { "Not done. " } }</span>
                                        { sub }
                                        if current { <span class="tag">{ "open" }</span> }
                                    </span>
                                </span>
                            </button>
                        </li>
                    }
                }
                Entry::Broken { file, error } => html! {
                    <li key={file.clone()} class="lesson-broken">
                        <span class="lesson-status" aria-hidden="true">{ icons::warning() }</span>
                        <span class="lesson-item-text">
                            <span class="menu-title"><code>{ file.clone() }</code>{ " could not be read" }</span>
                            <span class="menu-sub">{ error.clone() }</span>
                        </span>
                    </li>
                },
            });
            let reset = {
                let lessons = lessons.clone();
                let confirm_reset = confirm_reset.clone();
                Callback::from(move |_: MouseEvent| {
                    if *confirm_reset {
                        lessons.send(LessonAction::Reset);
                        confirm_reset.set(false);
                    } else {
                        confirm_reset.set(true);
                    }
                })
            };
            let keep = {
                let confirm_reset = confirm_reset.clone();
                Callback::from(move |_: MouseEvent| confirm_reset.set(false))
            };
            let pct = (done * 100).checked_div(total).unwrap_or(0);
            (
                course
                    .title
                    .clone()
                    .unwrap_or_else(|| "Lessons".to_string()),
                html! {
                    <>
                        <div class="lesson-progress">
                            <div class="lesson-bar" role="progressbar" aria-valuemin="0" aria-valuemax={total.to_string()} aria-valuenow={done.to_string()} aria-label="Lessons done">
                                <div class="lesson-bar-fill" style={format!("width:{pct}%")} />
                            </div>
                            <span class="muted small">{ format!("{done} of {total} done") }</span>
                        </div>
                        <ol class="lesson-list" aria-label="Lessons">{ for items }</ol>
                        <footer class="modal-actions">
                            <span class="muted small">{ "Progress is kept in this browser." }</span>
                            <span class="spacer" />
                            if *confirm_reset {
                                <span class="small">{ "Forget every completed lesson and hint?" }</span>
                                <button class="btn btn-small" onclick={keep}>{ "Keep" }</button>
                                <button class="btn btn-small btn-danger" onclick={reset}>{ "Reset" }</button>
                            } else if done > 0 || !state.progress.hints.is_empty() || !state.progress.solution_shown.is_empty() {
                                <button class="btn btn-small btn-ghost" onclick={reset}>{ "Reset progress" }</button>
                            }
                        </footer>
                    </>
                },
            )
        }
    };
    html! {
        <LessonModal title={title} on_close={close} class={classes!("lesson-modal")}>
            { body }
        </LessonModal>
    }
}

#[derive(Properties, PartialEq)]
struct ConfirmProps {
    confirm: Confirm,
}

#[function_component(ConfirmDialog)]
fn confirm_dialog(props: &ConfirmProps) -> Html {
    let (Some(store), Some(lessons)) = (use_store(), use_context::<LessonStore>()) else {
        return html! {};
    };
    let CourseState::Ready(course) = &lessons.state().course else {
        return html! {};
    };
    let cancel = {
        let lessons = lessons.clone();
        Callback::from(move |_| lessons.send(LessonAction::Ask(None)))
    };
    let cancel_click = {
        let cancel = cancel.clone();
        Callback::from(move |_: MouseEvent| cancel.emit(()))
    };
    let share_first = {
        let (store, lessons) = (store.clone(), lessons.clone());
        Callback::from(move |_: MouseEvent| {
            lessons.send(LessonAction::Ask(None));
            store.send(Action::OpenDialog(crate::state::Dialog::Share));
        })
    };
    match &props.confirm {
        Confirm::Open(id) => {
            let Some(lesson) = course.find(id).cloned() else {
                return html! {};
            };
            let go = {
                let (store, lessons) = (store.clone(), lessons.clone());
                Callback::from(move |_: MouseEvent| open_lesson(&store, &lessons, &lesson, true))
            };
            html! {
                <LessonModal title="Replace your work?" on_close={cancel}>
                    <p>{ "Starting a lesson replaces the manifests, drawn pods and arrows you changed. They are not saved anywhere else." }</p>
                    <p class="muted">{ "Keep a copy first with a share link, or cancel." }</p>
                    <footer class="modal-actions">
                        <button class="btn" onclick={share_first}>{ icons::share() }{ "Copy a share link first" }</button>
                        <span class="spacer" />
                        <button class="btn" onclick={cancel_click}>{ "Cancel" }</button>
                        <button class="btn btn-danger" onclick={go}>{ "Discard and start the lesson" }</button>
                    </footer>
                </LessonModal>
            }
        }
        Confirm::Solution(id) => {
            let Some(lesson) = course.find(id).cloned() else {
                return html! {};
            };
            let go = {
                let (store, lessons) = (store.clone(), lessons.clone());
                Callback::from(move |_: MouseEvent| load_solution(&store, &lessons, &lesson))
            };
            html! {
                <LessonModal title="Show the solution?" on_close={cancel}>
                    <p>{ "The solution replaces your attempt in the editor and the diagram. Trying the hints first teaches more." }</p>
                    <p class="muted">{ "Your attempt is not kept; copy a share link first to compare later." }</p>
                    <footer class="modal-actions">
                        <button class="btn" onclick={share_first}>{ icons::share() }{ "Copy a share link first" }</button>
                        <span class="spacer" />
                        <button class="btn" onclick={cancel_click}>{ "Cancel" }</button>
                        <button class="btn btn-danger" onclick={go}>{ "Show the solution" }</button>
                    </footer>
                </LessonModal>
            }
        }
    }
}

fn inline_html(runs: &[Inline]) -> Html {
    html! {
        { for runs.iter().map(|r| match r {
            Inline::Text(t) => html! { { t.clone() } },
            Inline::Code(t) => html! { <code>{ t.clone() }</code> },
            Inline::Strong(t) => html! { <strong>{ t.clone() }</strong> },
            Inline::Em(t) => html! { <em>{ t.clone() }</em> },
        }) }
    }
}

fn text_html(text: &str) -> Html {
    html! {
        { for blocks(text).iter().map(|b| match b {
            Block::Para(runs) => html! { <p>{ inline_html(runs) }</p> },
            Block::List { ordered: true, items } => html! {
                <ol>{ for items.iter().map(|i| html! { <li>{ inline_html(i) }</li> }) }</ol>
            },
            Block::List { ordered: false, items } => html! {
                <ul>{ for items.iter().map(|i| html! { <li>{ inline_html(i) }</li> }) }</ul>
            },
            Block::Code(code) => html! { <pre class="lesson-code"><code>{ code.clone() }</code></pre> },
        }) }
    }
}

/// `namespace/name` → `name`; addresses stay whole (what a learner reads in the diagram).
fn short(id: &str) -> String {
    if id.starts_with("ip:") {
        return id.trim_start_matches("ip:").to_string();
    }
    id.rsplit_once('/')
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|| id.to_string())
}

/// The lesson panel beside the workspace (nothing when no lesson is open).
#[function_component(LessonPanel)]
pub fn lesson_panel() -> Html {
    let store = use_store();
    let lessons = use_context::<LessonStore>();
    let open_why = use_state(|| None::<usize>);
    let copied = use_state(|| None::<bool>);
    let lesson: Option<Rc<Lesson>> = match (&lessons, &store) {
        (Some(ls), Some(_)) => match (&ls.state().course, &ls.state().active) {
            (CourseState::Ready(c), Some(id)) => c.find(id).cloned(),
            _ => None,
        },
        _ => None,
    };
    // The grade, once per workspace change (the engine's evaluation is reused).
    let report: Rc<Option<Report>> = {
        let derived = store.as_ref().map(|s| Rc::clone(&s.state().derived));
        let ws_rev = store.as_ref().map(|s| s.state().ws_rev).unwrap_or(0);
        let lesson = lesson.clone();
        let key = (ws_rev, lesson.as_ref().map(|l| l.id.clone()));
        use_memo(key, move |_| {
            let (l, d) = (lesson?, derived?);
            Some(check_evaluation(&l, &d.eval))
        })
    };
    // Another lesson closes the open explanation (its index belongs to this lesson's goal).
    {
        let (open_why, copied) = (open_why.clone(), copied.clone());
        let id = lesson.as_ref().map(|l| l.id.clone());
        use_effect_with(id, move |_| {
            open_why.set(None);
            copied.set(None);
        });
    }
    // Record completion. Loading the solution is not solving the lesson; editing it is
    // close enough to count.
    {
        let complete = (*report).as_ref().is_some_and(|r| r.complete);
        let id = lesson.as_ref().map(|l| l.id.clone());
        let from_solution = store.as_ref().is_some_and(|s| {
            !s.state().dirty
                && s.state()
                    .example
                    .as_deref()
                    .is_some_and(|e| e.starts_with(SOLUTION_PREFIX))
        });
        let lessons = lessons.clone();
        use_effect_with((id, complete, from_solution), move |(id, complete, sol)| {
            if let (Some(id), true, false, Some(ls)) = (id, *complete, *sol, lessons) {
                ls.send(LessonAction::Completed(id.clone()));
            }
        });
    }

    let (Some(store), Some(lessons)) = (store, lessons) else {
        return html! {};
    };
    let state = lessons.state();
    let Some(active) = state.active.clone() else {
        return html! {};
    };
    let close = {
        let lessons = lessons.clone();
        Callback::from(move |_: MouseEvent| lessons.send(LessonAction::Close))
    };
    let show_list = {
        let lessons = lessons.clone();
        Callback::from(move |_: MouseEvent| {
            ensure_course(&lessons);
            lessons.send(LessonAction::ShowList(true));
        })
    };
    // A trainer posts the lesson's link in the class chat: `?lesson=<id>` opens it.
    let copy_link = {
        let copied = copied.clone();
        let id = active.clone();
        Callback::from(move |_: MouseEvent| {
            let copied = copied.clone();
            let link = format!("{}?lesson={id}", browser::page_base());
            yew::platform::spawn_local(async move {
                copied.set(Some(browser::copy_text(&link).await));
            });
        })
    };
    let copy_title = match *copied {
        Some(true) => "Link copied",
        Some(false) => "The browser refused the clipboard",
        None => "Copy a link that opens this lesson",
    };
    let head = |title: String| {
        html! {
            <header class="pane-head">
                <h2>{ title }</h2>
                <span class="spacer" />
                <button class={classes!("icon-btn", (*copied == Some(true)).then_some("copied"))} aria-label="Copy a link to this lesson"
                    title={copy_title} onclick={copy_link.clone()}>
                    { if *copied == Some(true) { icons::check() } else { icons::share() } }
                </button>
                <button class="btn btn-small btn-ghost" onclick={show_list.clone()} title="All lessons">{ "All lessons" }</button>
                <button class="icon-btn" aria-label="Leave the lesson" title="Leave the lesson (your work stays)" onclick={close.clone()}>{ icons::close() }</button>
            </header>
        }
    };
    let course = match &state.course {
        CourseState::Ready(c) => Rc::clone(c),
        CourseState::Failed(e) => {
            return html! {
                <aside class="pane lesson-panel" aria-label="Lesson">
                    { head("Lesson".into()) }
                    <div class="pane-body"><p class="field-error" role="alert">{ e.clone() }</p></div>
                </aside>
            };
        }
        _ => {
            return html! {
                <aside class="pane lesson-panel" aria-label="Lesson">
                    { head("Lesson".into()) }
                    <div class="pane-body"><p class="muted" role="status">{ "Loading the lesson…" }</p></div>
                </aside>
            };
        }
    };
    let (Some(lesson), Some(report)) = (lesson, (*report).clone()) else {
        return html! {
            <aside class="pane lesson-panel" aria-label="Lesson">
                { head("Lesson".into()) }
                <div class="pane-body"><p class="muted">{ format!("There is no lesson “{active}” any more.") }</p></div>
            </aside>
        };
    };
    let position = course
        .position(&lesson.id)
        .map(|(i, n)| format!("Lesson {i} of {n}"))
        .unwrap_or_else(|| "Lesson".into());
    let next = course.next_after(&lesson.id).cloned();
    let done_before = state.progress.is_done(&lesson.id);
    let met = report.met();
    let total = report.outcomes.len();
    let cluster = &store.state().derived.eval.effective;

    let goal_items = report.outcomes.iter().enumerate().map(|(i, o)| {
        let e = &o.expectation;
        let expanded = *open_why == Some(i);
        let toggle = {
            let open_why = open_why.clone();
            Callback::from(move |_: MouseEvent| {
                open_why.set(if *open_why == Some(i) { None } else { Some(i) })
            })
        };
        let explain_tab = {
            let store = store.clone();
            let q = ExplainQuery {
                from: e.from.clone(),
                to: e.to.clone(),
                port: e.port,
                protocol: e.protocol,
            };
            Callback::from(move |_: MouseEvent| store.send(Action::Explain(q.clone())))
        };
        let status = if o.met { "met" } else { "not met" };
        let now = if o.actual { "allowed now" } else { "denied now" };
        html! {
            <li class={classes!("check-item", if o.met { "met" } else { "unmet" })} data-met={o.met.to_string()}
                data-expectation={e.to_string()}>
                <div class="check-row">
                    <span class="check-icon" aria-hidden="true">{ if o.met { icons::check() } else { icons::cross() } }</span>
                    <span class="check-text">
                        <span class="visually-hidden">{ format!("{status}: ") }</span>
                        <span class={classes!("badge", if e.allowed { "badge-allowed" } else { "badge-denied" })}>
                            { if e.allowed { "allow" } else { "deny" } }
                        </span>
                        <span class="check-conn" title={e.connection()}>
                            <code>{ short(&e.from) }</code>{ " → " }<code>{ short(&e.to) }</code>
                        </span>
                        <span class="check-port">{ format!("{}/{}", e.port, e.protocol.as_str()) }</span>
                        if !o.met && o.error.is_none() {
                            <span class="check-now">{ now }</span>
                        }
                    </span>
                    if o.explanation.is_some() {
                        <button class={classes!("btn", "btn-small", if o.met { "btn-ghost" } else { "" })} aria-expanded={expanded.to_string()}
                            onclick={toggle} title="The engine's explanation">{ if expanded { "Hide" } else { "Why?" } }</button>
                    }
                </div>
                if let Some(err) = &o.error {
                    <p class="check-error">{ err.clone() }</p>
                }
                if expanded {
                    if let Some(x) = &o.explanation {
                        <div class="check-why">
                            { explain_view::explanation(&store, cluster, x) }
                            <button class="link small" onclick={explain_tab}>{ "Open in the Explain tab" }</button>
                        </div>
                    }
                }
            </li>
        }
    });

    let constraint_items = report.constraints.iter().map(|(c, r)| {
        let ok = r.is_ok();
        html! {
            <li class={classes!("check-item", if ok { "met" } else { "unmet" })} data-met={ok.to_string()}>
                <div class="check-row">
                    <span class="check-icon" aria-hidden="true">{ if ok { icons::check() } else { icons::cross() } }</span>
                    <span class="check-text">
                        <span class="visually-hidden">{ if ok { "met: " } else { "not met: " } }</span>
                        { inline_html(&lessons::inlines(&capital(&c.describe()))) }
                    </span>
                </div>
                if let Err(why) = r {
                    <p class="check-error">{ inline_html(&lessons::inlines(&capital(why))) }</p>
                }
            </li>
        }
    });

    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == netpol::Severity::Error)
        .count();
    let blockers: Vec<String> = report
        .generate_error
        .iter()
        .map(|e| format!("The arrows cannot be turned into policies: {e}"))
        .chain((errors > 0).then(|| {
            format!(
                "The manifests have {errors} error{}: the playground leaves those objects out, as the API server would. See the Diagnostics tab.",
                if errors == 1 { "" } else { "s" }
            )
        }))
        .collect();
    let skipped = store.state().derived.skipped.clone();

    let hints_shown = state
        .progress
        .hints_shown(&lesson.id)
        .min(lesson.hints.len());
    let reveal = {
        let lessons = lessons.clone();
        let (id, of) = (lesson.id.clone(), lesson.hints.len());
        Callback::from(move |_: MouseEvent| {
            lessons.send(LessonAction::RevealHint { id: id.clone(), of })
        })
    };
    let ask_solution = {
        let lessons = lessons.clone();
        let id = lesson.id.clone();
        Callback::from(move |_: MouseEvent| {
            lessons.send(LessonAction::Ask(Some(Confirm::Solution(id.clone()))))
        })
    };
    let restart = {
        let lessons = lessons.clone();
        let store = store.clone();
        let lesson = Rc::clone(&lesson);
        Callback::from(move |_: MouseEvent| open_lesson(&store, &lessons, &lesson, false))
    };
    let next_button = next.map(|n| {
        let (store, lessons) = (store.clone(), lessons.clone());
        // A completed lesson's work has served its purpose: no need to ask.
        let complete = report.complete;
        let primary = report.complete;
        let onclick = Callback::from(move |_: MouseEvent| open_lesson(&store, &lessons, &n, complete));
        html! {
            <button class={classes!("btn", "btn-small", primary.then_some("btn-primary"))} onclick={onclick}>{ "Next lesson" }{ " →" }</button>
        }
    });

    html! {
        <aside class="pane lesson-panel" aria-label="Lesson" data-lesson={lesson.id.clone()}>
            { head(position) }
            <div class="lesson-body">
              <div class="lesson-read">
                <h3 class="lesson-title">{ lesson.title.clone() }</h3>
                if done_before && !report.complete {
                    <p class="lesson-note muted small">{ icons::check() }{ " You completed this lesson before." }</p>
                }
                <div class="lesson-text">{ text_html(&lesson.text) }</div>
              </div>
              <div class="lesson-work">
                if report.complete {
                    <div class="lesson-done" role="status">
                        { icons::check() }
                        <div>
                            <strong>{ "Goal reached." }</strong>
                            <span>{ if next_button.is_some() { " Well done: on to the next lesson." } else { " That was the last lesson: well done." } }</span>
                        </div>
                    </div>
                }
                <section class="lesson-section">
                    <h4>
                        { "Goal" }
                        <span class={classes!("goal-count", (met == total).then_some("all"))} aria-live="polite">{ format!("{met} of {total} met") }</span>
                    </h4>
                    <ul class="checklist" aria-label="Goal">{ for goal_items }</ul>
                </section>

                if !report.constraints.is_empty() {
                    <section class="lesson-section">
                        <h4>{ "Rules" }</h4>
                        <ul class="checklist" aria-label="Constraints">{ for constraint_items }</ul>
                    </section>
                }

                if !blockers.is_empty() || skipped.is_some() {
                    <section class="lesson-section lesson-blockers" role="status">
                        { for blockers.iter().chain(skipped.iter()).map(|b| html! { <p>{ icons::warning() }{ b.clone() }</p> }) }
                    </section>
                }

                if !lesson.hints.is_empty() {
                    <section class="lesson-section">
                        <h4>{ "Hints" }</h4>
                        <ol class="hints" aria-label="Hints">
                            { for lesson.hints.iter().take(hints_shown).map(|h| html! { <li>{ inline_html(&lessons::inlines(h)) }</li> }) }
                        </ol>
                        if hints_shown < lesson.hints.len() {
                            <button class="btn btn-small" onclick={reveal}>
                                { format!("Show hint {} of {}", hints_shown + 1, lesson.hints.len()) }
                            </button>
                        } else {
                            <p class="muted small">{ "No more hints." }</p>
                        }
                    </section>
                }
              </div>
            </div>
            <footer class="lesson-foot">
                <button class="btn btn-small btn-ghost" onclick={restart} title="Load the lesson's start again">{ "Restart" }</button>
                <button class="btn btn-small" onclick={ask_solution}>{ "Show solution" }</button>
                <span class="spacer" />
                { next_button.unwrap_or_default() }
            </footer>
        </aside>
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
