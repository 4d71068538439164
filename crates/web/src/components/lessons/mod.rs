//! Lessons mode views: the toolbar button, the lesson list, the lesson panel (text, the
//! goal as a live checklist, constraints, hints, solution, next lesson) and the
//! confirmations. `LessonsHost` owns the lessons reducer (`crate::lessons`), fetches the
//! course when it is first needed, persists progress and opens `?lesson=<id>`.
//!
//! Grading is the engine's: the host calls `netpol::lesson::check_evaluation` on the
//! evaluation the app already made for the diagram, once per workspace change, and shares
//! the report (`lessons::Grade`) with the panel and the diagram's goal overlay.

mod confirm;
mod goal;
mod list;
mod panel;
mod text;

use std::rc::Rc;

use netpol::lesson::{Grader, Lesson};
use yew::prelude::*;

use crate::browser;
use crate::components::icons;
use crate::lessons::{
    self, share_of, Confirm, CourseState, Grade, Graded, LessonAction, LessonsState,
};
use crate::state::{Action, LoadOrigin, Notice, Selection};
use crate::storage;
use crate::store::{use_store, Store};

use confirm::ConfirmDialog;
pub use goal::GoalDetails;
use list::LessonList;
pub use panel::LessonPanel;

/// The lessons reducer, shared with every lessons view.
#[derive(Clone, PartialEq)]
pub struct LessonStore(pub UseReducerHandle<LessonsState>);

impl LessonStore {
    pub fn state(&self) -> &LessonsState {
        &self.0
    }

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
        Box::new(lesson_share(lesson, &lesson.start)),
        LoadOrigin::Lesson {
            id: lesson.id.clone(),
            solution: false,
        },
    ));
    lessons.send(LessonAction::Opened(lesson.id.clone()));
}

/// One of a lesson's workspaces as the page loads it, with the lesson's recorded flow log
/// (if it has one) in the Flows tab.
fn lesson_share(lesson: &Lesson, ws: &netpol::workspace::Workspace) -> crate::share::ShareState {
    crate::share::ShareState {
        flow_log: lesson.flows.clone(),
        ..share_of(ws)
    }
}

fn load_solution(store: &Store, lessons: &LessonStore, lesson: &Lesson) {
    store.send(Action::Select(None));
    store.send(Action::Notify(Some(Notice::info(format!(
        "Loaded the solution of “{}”. Compare it with your attempt, or restart the lesson from the list.",
        lesson.title
    )))));
    store.send(Action::Load(
        Box::new(lesson_share(lesson, &lesson.solution)),
        LoadOrigin::Lesson {
            id: lesson.id.clone(),
            solution: true,
        },
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
        let progress = storage::lesson_progress();
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
    {
        let progress = lessons.state().progress.clone();
        use_effect_with(lessons.state().saved_rev, move |rev| {
            if *rev > 0 {
                storage::save_lesson_progress(&progress);
            }
        });
    }
    use_pending_lesson(&lessons, store.clone());
    use_leave_on_other_load(&lessons, store.as_ref());
    let grade = use_grade(&lessons, store.as_ref());

    html! {
        <ContextProvider<LessonStore> context={lessons.clone()}>
            <ContextProvider<Grade> context={grade}>
                { for props.children.iter() }
                if lessons.state().list_open {
                    <LessonList />
                }
                if let Some(c) = lessons.state().confirm.clone() {
                    <ConfirmDialog confirm={c} />
                }
            </ContextProvider<Grade>>
        </ContextProvider<LessonStore>>
    }
}

/// The open lesson, once the course is there.
fn active_lesson(lessons: &LessonStore) -> Option<Rc<Lesson>> {
    match (&lessons.state().course, &lessons.state().active) {
        (CourseState::Ready(c), Some(id)) => c.find(id).cloned(),
        _ => None,
    }
}

/// The grade of the workspace against the open lesson, once per workspace change (the
/// engine's evaluation is reused, and the lesson's grader, its solution evaluated with the
/// probes, once per lesson). A goal line selected on the diagram belongs to the lesson it
/// came from: another lesson, or none, drops that selection.
#[hook]
fn use_grade(lessons: &LessonStore, store: Option<&Store>) -> Grade {
    let lesson = active_lesson(lessons);
    let derived = store.map(|s| Rc::clone(&s.state().derived));
    let ws_rev = store.map(|s| s.state().ws_rev).unwrap_or(0);
    let identity = lesson.as_ref().map(|l| Rc::as_ptr(l) as usize);
    let grader = use_memo(identity, {
        let lesson = lesson.clone();
        move |_| lesson.map(|l| Rc::new(Grader::new(&l)))
    });
    let graded = use_memo((ws_rev, identity), move |_| {
        let (lesson, derived, grader) = (lesson?, derived?, (*grader).clone()?);
        browser::mark("netpol:grade-start");
        let report = grader.check_evaluation(&derived.eval);
        browser::measure("netpol:grade", "netpol:grade-start");
        Some(Rc::new(Graded {
            lesson,
            grader,
            report,
        }))
    });
    {
        let store = store.cloned();
        use_effect_with(identity, move |_| {
            if let Some(s) = store {
                if matches!(s.state().ui.selection, Some(Selection::Goal(_))) {
                    s.send(Action::Select(None));
                }
            }
        });
    }
    Grade((*graded).clone())
}

/// `?lesson=<id>` once the course is there. Work that would be replaced is kept in the
/// "previous work" slot (like a share link does), and the parameter leaves the URL so a
/// reload shows the learner's work, not the start again.
#[hook]
fn use_pending_lesson(lessons: &LessonStore, store: Option<Store>) {
    let lessons = lessons.clone();
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
                        let notice = Notice {
                            restore: kept,
                            ..Notice::info(text)
                        };
                        load_start(&store, &lessons, lesson, Some(notice));
                    }
                    None => {
                        lessons.send(LessonAction::Close);
                        lessons.send(LessonAction::ShowList(true));
                        store.send(Action::Notify(Some(Notice::error(format!(
                            "There is no lesson “{id}”; pick one from the list."
                        )))));
                    }
                }
            }
            CourseState::Failed(e) => {
                // The link asked for a lesson: say why there is none.
                browser::clean_url(&["lesson"]);
                lessons.send(LessonAction::Close);
                store.send(Action::Notify(Some(Notice::error(e.clone()))));
            }
            CourseState::Idle | CourseState::Loading => {}
        }
    });
}

/// Loading an example (or a blank workspace), a share link or the restored previous work
/// over a lesson leaves lessons mode: the panel would grade a workspace that has nothing
/// to do with the lesson. (A reload restores the saved work and keeps the lesson open.)
#[hook]
fn use_leave_on_other_load(lessons: &LessonStore, store: Option<&Store>) {
    let lessons = lessons.clone();
    let origin = store.map(|s| s.state().origin.clone());
    let previous = use_mut_ref(|| None::<LoadOrigin>);
    use_effect_with(origin, move |origin| {
        let Some(now) = origin else { return };
        let was_lesson = matches!(*previous.borrow(), Some(LoadOrigin::Lesson { .. }));
        let left = match now {
            LoadOrigin::Lesson { .. } => false,
            LoadOrigin::Example(_) => true,
            LoadOrigin::Shared | LoadOrigin::Restored { .. } => was_lesson,
        };
        if left && lessons.state().active.is_some() {
            lessons.send(LessonAction::Close);
        }
        *previous.borrow_mut() = Some(now.clone());
    });
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
