//! The lesson list: every lesson of the course with the learner's progress, broken lesson
//! files listed with their error (for the trainer), and resetting progress (two clicks).

use std::rc::Rc;

use netpol::lesson::Lesson;
use yew::prelude::*;

use super::{ensure_course, open_lesson, LessonStore};
use crate::components::icons;
use crate::components::modal::Modal;
use crate::lessons::{Course, CourseState, Entry, LessonAction, LessonsState};
use crate::store::{use_store, Store};

#[function_component(LessonList)]
pub(super) fn lesson_list() -> Html {
    // Resetting a whole class's progress by a stray click would hurt: it takes two.
    let confirm_reset = use_state(|| false);
    let first = use_node_ref();
    let (store, lessons) = (use_store(), use_context::<LessonStore>());
    // Focus the list so Escape and Tab work at once.
    {
        let first = first.clone();
        let ready = lessons
            .as_ref()
            .is_some_and(|l| matches!(l.state().course, CourseState::Ready(_)));
        use_effect_with(ready, move |_| {
            if let Some(el) = first.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let (Some(store), Some(lessons)) = (store, lessons) else {
        return html! {};
    };
    let close = {
        let lessons = lessons.clone();
        Callback::from(move |_| lessons.send(LessonAction::ShowList(false)))
    };
    let (title, body) = match &lessons.state().course {
        CourseState::Idle | CourseState::Loading => (
            "Lessons".to_string(),
            html! { <p class="muted lesson-loading" role="status">{ "Loading the lessons…" }</p> },
        ),
        CourseState::Failed(e) => ("Lessons".to_string(), failed(&lessons, e)),
        CourseState::Ready(course) => (
            course
                .title
                .clone()
                .unwrap_or_else(|| "Lessons".to_string()),
            course_body(&store, &lessons, course, &confirm_reset, &first),
        ),
    };
    html! {
        <Modal title={title} on_close={close} class={classes!("lesson-modal")}>
            { body }
        </Modal>
    }
}

fn failed(lessons: &LessonStore, error: &str) -> Html {
    let retry = {
        let lessons = lessons.clone();
        Callback::from(move |_: MouseEvent| ensure_course(&lessons))
    };
    html! {
        <>
            <p class="field-error" role="alert">{ error.to_string() }</p>
            <p class="muted">{ "The lessons are files next to the page (lessons/index.yaml). Check that they were deployed with the site." }</p>
            <footer class="modal-actions"><button class="btn btn-primary" onclick={retry}>{ "Try again" }</button></footer>
        </>
    }
}

fn course_body(
    store: &Store,
    lessons: &LessonStore,
    course: &Course,
    confirm_reset: &UseStateHandle<bool>,
    first: &NodeRef,
) -> Html {
    let state = lessons.state();
    let readable: Vec<&Rc<Lesson>> = course.entries.iter().filter_map(Entry::lesson).collect();
    let total = readable.len();
    let done = readable
        .iter()
        .filter(|l| state.progress.is_done(&l.id))
        .count();
    let mut number = 0;
    let items = course.entries.iter().enumerate().map(|(i, e)| match e {
        Entry::Ready(l) => {
            number += 1;
            let node = if i == 0 { first.clone() } else { NodeRef::default() };
            lesson_item(store, lessons, l, number, node)
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
    let anything =
        done > 0 || !state.progress.hints.is_empty() || !state.progress.solution_shown.is_empty();
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
                if **confirm_reset {
                    <span class="small">{ "Forget every completed lesson and hint?" }</span>
                    <button class="btn btn-small" onclick={keep}>{ "Keep" }</button>
                    <button class="btn btn-small btn-danger" onclick={reset}>{ "Reset" }</button>
                } else if anything {
                    <button class="btn btn-small btn-ghost" onclick={reset}>{ "Reset progress" }</button>
                }
            </footer>
        </>
    }
}

/// What the list says under a lesson's title.
fn progress_note(state: &LessonsState, l: &Lesson) -> String {
    let done = state.progress.is_done(&l.id);
    let saw = state.progress.solution_shown.contains(&l.id);
    match (done, saw, state.progress.hints_shown(&l.id)) {
        (true, true, _) => "done · solution viewed".to_string(),
        (true, false, _) => "done".to_string(),
        (false, true, _) => "solution viewed".to_string(),
        (false, false, 0) => format!("{} goals", l.goal.len()),
        (false, false, h) => format!("{h} of {} hints used", l.hints.len()),
    }
}

fn lesson_item(
    store: &Store,
    lessons: &LessonStore,
    l: &Rc<Lesson>,
    number: usize,
    node: NodeRef,
) -> Html {
    let state = lessons.state();
    let id = l.id.clone();
    let is_done = state.progress.is_done(&id);
    let current = state.active.as_deref() == Some(id.as_str());
    let onclick = {
        let (store, lessons, l) = (store.clone(), lessons.clone(), Rc::clone(l));
        Callback::from(move |_: MouseEvent| open_lesson(&store, &lessons, &l, false))
    };
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
                        { progress_note(state, l) }
                        if current { <span class="tag">{ "open" }</span> }
                    </span>
                </span>
            </button>
        </li>
    }
}
