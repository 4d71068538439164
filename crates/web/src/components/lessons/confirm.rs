//! The lessons mode's confirmations: starting a lesson over unsaved work, and showing a
//! solution over an attempt. Both offer a share link first, since neither keeps the work.

use yew::prelude::*;

use super::{load_solution, open_lesson, LessonStore};
use crate::components::icons;
use crate::components::modal::Modal;
use crate::lessons::{Confirm, CourseState, LessonAction};
use crate::state::{Action, Dialog};
use crate::store::use_store;

#[derive(Properties, PartialEq)]
pub(super) struct ConfirmProps {
    pub(super) confirm: Confirm,
}

#[function_component(ConfirmDialog)]
pub(super) fn confirm_dialog(props: &ConfirmProps) -> Html {
    let (Some(store), Some(lessons)) = (use_store(), use_context::<LessonStore>()) else {
        return html! {};
    };
    let CourseState::Ready(course) = &lessons.state().course else {
        return html! {};
    };
    let (id, solution) = match &props.confirm {
        Confirm::Open(id) => (id, false),
        Confirm::Solution(id) => (id, true),
    };
    let Some(lesson) = course.find(id).cloned() else {
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
            store.send(Action::OpenDialog(Dialog::Share));
        })
    };
    let go = Callback::from(move |_: MouseEvent| {
        if solution {
            load_solution(&store, &lessons, &lesson);
        } else {
            open_lesson(&store, &lessons, &lesson, true);
        }
    });
    let (title, what, keep, act) = if solution {
        (
            "Show the solution?",
            "The solution replaces your attempt in the editor and the diagram. Trying the hints first teaches more.",
            "Your attempt is not kept; copy a share link first to compare later.",
            "Show the solution",
        )
    } else {
        (
            "Replace your work?",
            "Starting a lesson replaces the manifests, drawn pods and arrows you changed. They are not saved anywhere else.",
            "Keep a copy first with a share link, or cancel.",
            "Discard and start the lesson",
        )
    };
    html! {
        <Modal title={title} on_close={cancel}>
            <p>{ what }</p>
            <p class="muted">{ keep }</p>
            <footer class="modal-actions">
                <button class="btn" onclick={share_first}>{ icons::share() }{ "Copy a share link first" }</button>
                <span class="spacer" />
                <button class="btn" onclick={cancel_click}>{ "Cancel" }</button>
                <button class="btn btn-danger" onclick={go}>{ act }</button>
            </footer>
        </Modal>
    }
}
