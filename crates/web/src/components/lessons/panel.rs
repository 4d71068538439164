//! The lesson panel beside the workspace: the lesson's text, its goal as a live checklist
//! (each item with the engine's explanation one click away, and marked when it is the goal
//! line selected on the diagram), the first way the workspace behaves differently from the
//! lesson's solution (with both explanations, and its probe shown on the diagram while it
//! is open), its rules, what blocks grading, hints, and restart / solution / next lesson.

use std::rc::Rc;

use netpol::lesson::{Difference, Lesson, Report};
use yew::prelude::*;

use super::text::{line_html, text_html};
use super::{ensure_course, open_lesson, LessonStore};
use crate::browser;
use crate::components::explain_view;
use crate::components::icons;
use crate::display::short_id;
use crate::lessons::{Confirm, Course, CourseState, Grade, Graded, LessonAction};
use crate::state::{Action, ExplainQuery, LoadOrigin, Selection};
use crate::store::{use_store, Store};

/// The lesson panel (nothing when no lesson is open).
#[function_component(LessonPanel)]
pub fn lesson_panel() -> Html {
    let store = use_store();
    let lessons = use_context::<LessonStore>();
    let grade = use_context::<Grade>().unwrap_or_default();
    let open_why = use_state(|| None::<usize>);
    let copied = use_state(|| None::<bool>);
    let graded = grade.0.clone();
    // Another lesson closes the open explanation (its index belongs to this lesson's goal).
    {
        let (open_why, copied) = (open_why.clone(), copied.clone());
        let id = graded.as_ref().map(|g| g.lesson.id.clone());
        use_effect_with(id, move |_| {
            open_why.set(None);
            copied.set(None);
        });
    }
    use_record_completion(store.as_ref(), lessons.clone(), &grade);

    let (Some(store), Some(lessons)) = (store, lessons) else {
        return html! {};
    };
    let Some(active) = lessons.state().active.clone() else {
        return html! {};
    };
    let head = |title: String| panel_head(&lessons, &active, &copied, title);
    let course = match &lessons.state().course {
        CourseState::Ready(c) => Rc::clone(c),
        CourseState::Failed(e) => {
            return placeholder(
                head("Lesson".into()),
                html! { <p class="field-error" role="alert">{ e.clone() }</p> },
            );
        }
        CourseState::Idle | CourseState::Loading => {
            return placeholder(
                head("Lesson".into()),
                html! { <p class="muted" role="status">{ "Loading the lesson…" }</p> },
            );
        }
    };
    let Some(graded) = graded.filter(|g| g.lesson.id == active) else {
        return placeholder(
            head("Lesson".into()),
            html! { <p class="muted">{ format!("There is no lesson “{active}” any more.") }</p> },
        );
    };
    let (lesson, report) = (&graded.lesson, &graded.report);
    let position = course
        .position(&lesson.id)
        .map(|(i, n)| format!("Lesson {i} of {n}"))
        .unwrap_or_else(|| "Lesson".into());
    let done_before = lessons.state().progress.is_done(&lesson.id);
    let has_next = course.next_after(&lesson.id).is_some();
    html! {
        <aside class="pane lesson-panel" aria-label="Lesson" data-lesson={lesson.id.clone()}>
            { head(position) }
            <div class="lesson-body">
              // Focusable so the text scrolls with the keyboard too (it is often longer than the pane).
              <div class="lesson-read" tabindex="0" role="region" aria-label="Lesson text">
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
                            <span>{ if has_next { " Well done: on to the next lesson." } else { " That was the last lesson: well done." } }</span>
                        </div>
                    </div>
                }
                { goal_section(&store, &lessons, report, &open_why) }
                { difference_section(&store, &lessons, &graded) }
                { rules_section(report) }
                { blockers_section(&store, report) }
                { hints_section(&lessons, lesson) }
              </div>
            </div>
            { panel_foot(&store, &lessons, &course, lesson, report.complete) }
        </aside>
    }
}

/// Records completion. Loading the solution is not solving the lesson; editing it is close
/// enough to count.
#[hook]
fn use_record_completion(store: Option<&Store>, lessons: Option<LessonStore>, grade: &Grade) {
    let complete = grade.graded().is_some_and(|g| g.report.complete);
    let id = grade.graded().map(|g| g.lesson.id.clone());
    let from_solution = store.is_some_and(|s| {
        !s.state().dirty && matches!(s.state().origin, LoadOrigin::Lesson { solution: true, .. })
    });
    use_effect_with((id, complete, from_solution), move |(id, complete, sol)| {
        if let (Some(id), true, false, Some(ls)) = (id, *complete, *sol, lessons) {
            ls.send(LessonAction::Completed(id.clone()));
        }
    });
}

fn placeholder(head: Html, body: Html) -> Html {
    html! {
        <aside class="pane lesson-panel" aria-label="Lesson">
            { head }
            <div class="pane-body">{ body }</div>
        </aside>
    }
}

/// The panel's title bar: copy the lesson's link, all lessons, leave.
fn panel_head(
    lessons: &LessonStore,
    id: &str,
    copied: &UseStateHandle<Option<bool>>,
    title: String,
) -> Html {
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
        let link = format!("{}?lesson={id}", browser::page_base());
        Callback::from(move |_: MouseEvent| {
            let copied = copied.clone();
            let link = link.clone();
            yew::platform::spawn_local(async move {
                copied.set(Some(browser::copy_text(&link).await));
            });
        })
    };
    let copy_title = match **copied {
        Some(true) => "Link copied",
        Some(false) => "The browser refused the clipboard",
        None => "Copy a link that opens this lesson",
    };
    let done = **copied == Some(true);
    html! {
        <header class="pane-head">
            <h2>{ title }</h2>
            <span class="spacer" />
            <button class={classes!("icon-btn", done.then_some("copied"))} aria-label="Copy a link to this lesson"
                title={copy_title} onclick={copy_link}>
                { if done { icons::check() } else { icons::share() } }
            </button>
            <button class="btn btn-small btn-ghost" onclick={show_list} title="All lessons">{ "All lessons" }</button>
            <button class="icon-btn" aria-label="Leave the lesson" title="Leave the lesson (your work stays)" onclick={close}>{ icons::close() }</button>
        </header>
    }
}

/// The goal as a checklist; each item opens the engine's explanation. A switch shows or
/// hides the goal on the diagram.
fn goal_section(
    store: &Store,
    lessons: &LessonStore,
    report: &Report,
    open_why: &UseStateHandle<Option<usize>>,
) -> Html {
    let cluster = &store.state().derived.eval.effective;
    let (met, total) = (report.met(), report.outcomes.len());
    let on_diagram = match store.state().ui.selection {
        Some(Selection::Goal(i)) => Some(i),
        _ => None,
    };
    let items = report.outcomes.iter().enumerate().map(|(i, o)| {
        let e = &o.expectation;
        let expanded = **open_why == Some(i);
        let selected = on_diagram == Some(i);
        let toggle = {
            let open_why = open_why.clone();
            Callback::from(move |_: MouseEvent| {
                open_why.set(if *open_why == Some(i) { None } else { Some(i) })
            })
        };
        let explain_tab = store.action(Action::Explain(ExplainQuery {
            from: e.from.clone(),
            to: e.to.clone(),
            port: e.port,
            protocol: e.protocol,
        }));
        let status = if o.met { "met" } else { "not met" };
        let now = if o.actual { "allowed now" } else { "denied now" };
        html! {
            <li class={classes!("check-item", if o.met { "met" } else { "unmet" }, selected.then_some("on-diagram"))} data-met={o.met.to_string()}
                data-expectation={e.to_string()} data-goal-index={i.to_string()} aria-current={selected.then_some("true")}>
                <div class="check-row">
                    <span class="check-icon" aria-hidden="true">{ if o.met { icons::check() } else { icons::cross() } }</span>
                    <span class="check-text">
                        <span class="visually-hidden">{ format!("{status}: ") }</span>
                        <span class={classes!("badge", if e.allowed { "badge-allowed" } else { "badge-denied" })}>
                            { if e.allowed { "allow" } else { "deny" } }
                        </span>
                        <span class="check-conn" title={e.connection()}>
                            <code>{ short_id(&e.from) }</code>{ " → " }<code>{ short_id(&e.to) }</code>
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
                            { explain_view::explanation(store, cluster, x) }
                            <button class="link small" onclick={move |_| explain_tab.emit(())}>{ "Open in the Explain tab" }</button>
                        </div>
                    }
                }
            </li>
        }
    });
    let shown = !lessons.state().goal_hidden;
    let toggle = {
        let lessons = lessons.clone();
        Callback::from(move |_: Event| lessons.send(LessonAction::ShowGoal(!shown)))
    };
    html! {
        <section class="lesson-section">
            <div class="goal-head">
                <h4>
                    { "Goal" }
                    <span class={classes!("goal-count", (met == total).then_some("all"))} aria-live="polite">{ format!("{met} of {total} met") }</span>
                </h4>
                <label class="switch switch-small" title="Draw the goal on the diagram, each line met or not">
                    <input type="checkbox" role="switch" checked={shown} onchange={toggle} />
                    <span class="switch-track" aria-hidden="true"><span class="switch-thumb" /></span>
                    { "On the diagram" }
                </label>
            </div>
            <ul class="checklist" aria-label="Goal">{ for items }</ul>
        </section>
    }
}

/// The first way the workspace behaves differently from the lesson's solution: what the
/// learner reads when every goal line is met and the lesson is still not done. Opening it
/// shows the engine's explanation on both sides, and the probe on the diagram.
fn difference_section(store: &Store, lessons: &LessonStore, graded: &Graded) -> Html {
    let report = &graded.report;
    let Some(difference) = &report.difference else {
        return html! {};
    };
    let open = lessons.state().difference_open;
    let toggle = {
        let lessons = lessons.clone();
        Callback::from(move |_: MouseEvent| lessons.send(LessonAction::ShowDifference(!open)))
    };
    let more = match report.differing_pairs {
        0 | 1 => ".".to_string(),
        n => format!(". It is the first of {n} pairs of endpoints that differ."),
    };
    let (message, why) = match difference {
        Difference::Connection(d) => {
            let learner = &store.state().derived.eval.effective;
            let solution = graded.grader.reference().solution_cluster();
            let why = html! {
                <div class="difference-why">
                    <h5>{ "In your workspace" }</h5>
                    { explain_view::explanation(store, learner, &d.explanation) }
                    <h5>{ "Under the lesson's solution" }</h5>
                    { explain_view::explanation_of(store, (solution, explain_view::Policies::Elsewhere), &d.solution_explanation) }
                </div>
            };
            (d.message.clone(), Some(why))
        }
        Difference::Missing { message, .. } => (message.clone(), None),
    };
    let shows_probe = matches!(difference, Difference::Connection(d) if !d.probes.is_empty());
    html! {
        <section class="lesson-section lesson-difference" data-difference="open">
            <h4>{ "Compared with the solution" }</h4>
            <p class="difference-message" role="status">
                { icons::warning() }
                <span>{ line_html(&message) }{ more }</span>
            </p>
            if why.is_some() {
                <button class="btn btn-small" aria-expanded={open.to_string()} onclick={toggle}
                    title={if shows_probe { "The engine's explanation, and the probe on the diagram" } else { "The engine's explanation, and the connection on the diagram" }}>
                    { if open { "Hide" } else if shows_probe { "Why? Show the probe" } else { "Why?" } }
                </button>
            }
            if open {
                { why.unwrap_or_default() }
            }
        </section>
    }
}

/// The lesson's constraints ("Rules"), checked.
fn rules_section(report: &Report) -> Html {
    if report.constraints.is_empty() {
        return html! {};
    }
    let items = report.constraints.iter().map(|(c, r)| {
        let ok = r.is_ok();
        html! {
            <li class={classes!("check-item", if ok { "met" } else { "unmet" })} data-met={ok.to_string()}>
                <div class="check-row">
                    <span class="check-icon" aria-hidden="true">{ if ok { icons::check() } else { icons::cross() } }</span>
                    <span class="check-text">
                        <span class="visually-hidden">{ if ok { "met: " } else { "not met: " } }</span>
                        { line_html(&capital(&c.describe())) }
                    </span>
                </div>
                if let Err(why) = r {
                    <p class="check-error">{ line_html(&capital(why)) }</p>
                }
            </li>
        }
    });
    html! {
        <section class="lesson-section">
            <h4>{ "Rules" }</h4>
            <ul class="checklist" aria-label="Constraints">{ for items }</ul>
        </section>
    }
}

/// What keeps the lesson from being graded: arrows that generate nothing, manifests with
/// errors, manifests too large to evaluate.
fn blockers_section(store: &Store, report: &Report) -> Html {
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
        .chain(store.state().derived.skipped.clone())
        .collect();
    if blockers.is_empty() {
        return html! {};
    }
    html! {
        <section class="lesson-section lesson-blockers" role="status">
            { for blockers.iter().map(|b| html! { <p>{ icons::warning() }{ b.clone() }</p> }) }
        </section>
    }
}

fn hints_section(lessons: &LessonStore, lesson: &Lesson) -> Html {
    if lesson.hints.is_empty() {
        return html! {};
    }
    let shown = lessons
        .state()
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
    html! {
        <section class="lesson-section">
            <h4>{ "Hints" }</h4>
            <ol class="hints" aria-label="Hints">
                { for lesson.hints.iter().take(shown).map(|h| html! { <li>{ line_html(h) }</li> }) }
            </ol>
            if shown < lesson.hints.len() {
                <button class="btn btn-small" onclick={reveal}>
                    { format!("Show hint {} of {}", shown + 1, lesson.hints.len()) }
                </button>
            } else {
                <p class="muted small">{ "No more hints." }</p>
            }
        </section>
    }
}

fn panel_foot(
    store: &Store,
    lessons: &LessonStore,
    course: &Course,
    lesson: &Rc<Lesson>,
    complete: bool,
) -> Html {
    let ask_solution = {
        let lessons = lessons.clone();
        let id = lesson.id.clone();
        Callback::from(move |_: MouseEvent| {
            lessons.send(LessonAction::Ask(Some(Confirm::Solution(id.clone()))))
        })
    };
    let restart = {
        let (store, lessons, lesson) = (store.clone(), lessons.clone(), Rc::clone(lesson));
        Callback::from(move |_: MouseEvent| open_lesson(&store, &lessons, &lesson, false))
    };
    let next_button = course.next_after(&lesson.id).cloned().map(|n| {
        let (store, lessons) = (store.clone(), lessons.clone());
        // A completed lesson's work has served its purpose: no need to ask.
        let onclick = Callback::from(move |_: MouseEvent| open_lesson(&store, &lessons, &n, complete));
        html! {
            <button class={classes!("btn", "btn-small", complete.then_some("btn-primary"))} onclick={onclick}>{ "Next lesson" }{ " →" }</button>
        }
    });
    html! {
        <footer class="lesson-foot">
            <button class="btn btn-small btn-ghost" onclick={restart} title="Load the lesson's start again">{ "Restart" }</button>
            <button class="btn btn-small" onclick={ask_solution}>{ "Show solution" }</button>
            <span class="spacer" />
            { next_button.unwrap_or_default() }
        </footer>
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
