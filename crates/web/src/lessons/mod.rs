//! Lessons mode: the course (`fetch` brings it), the learner's progress (kept by
//! `storage`), and the lessons reducer (which lesson is open, the list, confirmations).
//!
//! The lessons reducer is separate from the app's `state::AppState` on purpose: nothing in
//! it changes what the engine computes, and the workspace itself still changes only
//! through `state::Action::Load` (a lesson's start or solution, with
//! `LoadOrigin::Lesson`). Grading is the engine's (`netpol::lesson::check_evaluation` on
//! the evaluation the app already made). Everything here is pure and tested natively.

mod fetch;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use netpol::lesson::{parse_index, parse_lesson, Grader, Lesson, Report};
use netpol::workspace::Workspace;
use netpol::Diagnostic;
use serde::{Deserialize, Serialize};
use yew::Reducible;

use crate::share::{workspace_share, ShareState};

pub use fetch::load_course;

/// One entry of the course: a lesson, or the reason its file could not be used.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// A lesson that read cleanly.
    Ready(Rc<Lesson>),
    /// A file that could not be fetched or read: its name and why.
    Broken {
        /// The file name in the index.
        file: String,
        /// What went wrong, for the trainer.
        error: String,
    },
}

impl Entry {
    /// The lesson, when it read cleanly.
    pub fn lesson(&self) -> Option<&Rc<Lesson>> {
        match self {
            Entry::Ready(l) => Some(l),
            Entry::Broken { .. } => None,
        }
    }
}

/// The whole course, in teaching order.
#[derive(Clone, Debug, PartialEq)]
pub struct Course {
    /// The course title from the index.
    pub title: Option<String>,
    pub entries: Vec<Entry>,
}

impl Course {
    /// The lesson with this id.
    pub fn find(&self, id: &str) -> Option<&Rc<Lesson>> {
        self.entries
            .iter()
            .filter_map(Entry::lesson)
            .find(|l| l.id == id)
    }

    /// The readable lesson after `id`, if any.
    pub fn next_after(&self, id: &str) -> Option<&Rc<Lesson>> {
        let lessons: Vec<&Rc<Lesson>> = self.entries.iter().filter_map(Entry::lesson).collect();
        let at = lessons.iter().position(|l| l.id == id)?;
        lessons.get(at + 1).copied()
    }

    /// 1-based position of a lesson among the readable ones, and their count.
    pub fn position(&self, id: &str) -> Option<(usize, usize)> {
        let lessons: Vec<&Rc<Lesson>> = self.entries.iter().filter_map(Entry::lesson).collect();
        let at = lessons.iter().position(|l| l.id == id)?;
        Some((at + 1, lessons.len()))
    }
}

/// The open lesson and the engine's grade of the workspace against it.
#[derive(Debug)]
pub struct Graded {
    pub lesson: Rc<Lesson>,
    /// The lesson's grader (its solution evaluated with the probes), kept per lesson.
    pub grader: Rc<Grader>,
    pub report: Report,
}

/// The grade the lesson panel and the diagram's goal overlay both show, computed once per
/// workspace change (`None` when no lesson is open). Compared by identity: the same `Rc`
/// while nothing changed, so views that take it as a prop are not rebuilt.
#[derive(Clone, Debug, Default)]
pub struct Grade(pub Option<Rc<Graded>>);

impl PartialEq for Grade {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl Grade {
    /// The grade, when a lesson is open.
    pub fn graded(&self) -> Option<&Graded> {
        self.0.as_deref()
    }
}

/// Where the course is.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum CourseState {
    /// Not asked for yet.
    #[default]
    Idle,
    /// Being fetched; opening the panel again does not fetch it twice.
    Loading,
    /// Fetched (some entries may be broken).
    Ready(Rc<Course>),
    /// The index could not be fetched or read.
    Failed(String),
}

/// What the learner did, per lesson id. Kept in localStorage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Progress {
    /// Lessons whose goal the learner reached.
    pub completed: BTreeSet<String>,
    /// How many hints were revealed, per lesson.
    pub hints: BTreeMap<String, usize>,
    /// Lessons whose solution was shown.
    pub solution_shown: BTreeSet<String>,
    /// The lesson open when the page was left (reopened on reload).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<String>,
}

/// Most lessons progress remembers (a hostile or corrupt store cannot grow without end).
const MAX_TRACKED: usize = 500;

impl Progress {
    /// Reads stored progress; anything unreadable is a fresh start, never an error the
    /// learner has to deal with.
    pub fn from_json(json: &str) -> Progress {
        let mut p: Progress = serde_json::from_str(json).unwrap_or_default();
        // Distrust the store: cap its size.
        if p.completed.len() > MAX_TRACKED
            || p.hints.len() > MAX_TRACKED
            || p.solution_shown.len() > MAX_TRACKED
        {
            p = Progress::default();
        }
        p
    }

    /// The JSON kept in local storage, which [`Progress::from_json`] reads back.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Hints revealed for a lesson.
    pub fn hints_shown(&self, id: &str) -> usize {
        self.hints.get(id).copied().unwrap_or(0)
    }

    /// Whether a lesson was completed.
    pub fn is_done(&self, id: &str) -> bool {
        self.completed.contains(id)
    }
}

/// A question the lessons mode asks before discarding work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// Open this lesson (replaces the workspace).
    Open(String),
    /// Load the open lesson's solution.
    Solution(String),
}

/// The lessons mode's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LessonsState {
    pub course: CourseState,
    /// The open lesson's id.
    pub active: Option<String>,
    pub progress: Progress,
    /// The lesson list is shown.
    pub list_open: bool,
    /// The question shown before work is discarded; `None` when nothing is asked.
    pub confirm: Option<Confirm>,
    /// A lesson to open as soon as the course is loaded (`?lesson=`).
    pub pending: Option<String>,
    /// Bumped when `progress` changes (what persistence watches), only by `reduce`, as the
    /// action's [`LessonChange`] says.
    pub saved_rev: u64,
    /// The learner hid the goal overlay on the diagram (it shows by default).
    pub goal_hidden: bool,
    /// The first difference from the solution is open: its explanations in the panel, its
    /// probes and connection on the diagram.
    pub difference_open: bool,
}

/// Everything that changes the lessons mode.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonAction {
    /// The course is being fetched.
    Loading,
    /// The course arrived; an open lesson it no longer has is closed.
    Loaded(Rc<Course>),
    /// The course could not be fetched.
    Failed(String),
    /// Show or hide the list.
    ShowList(bool),
    /// Ask before doing something.
    Ask(Option<Confirm>),
    /// A lesson was opened (its start is loaded by the caller).
    Opened(String),
    /// The solution of a lesson was loaded.
    SolutionShown(String),
    /// Leave lessons mode (the workspace stays).
    Close,
    /// Reveal the next hint of a lesson (up to `of` hints).
    RevealHint {
        id: String,
        /// How many hints it has.
        of: usize,
    },
    /// The learner reached a lesson's goal.
    Completed(String),
    /// Forget completed lessons and revealed hints (the open lesson stays open).
    Reset,
    /// Show or hide the open lesson's goal on the diagram.
    ShowGoal(bool),
    /// Open or close the first difference from the solution (panel and diagram).
    ShowDifference(bool),
}

/// What a lesson action changed: `LessonsState::reduce` moves `saved_rev` from it, and
/// nothing else does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LessonChange {
    /// Nothing: the same state is handed back.
    Nothing,
    /// What the mode shows: the course, the list, a question, the goal, the difference.
    View,
    /// The learner's progress, which is saved.
    Progress,
}

impl LessonAction {
    /// What the action changes when it does anything; in some states it does less (the
    /// guard arms of `LessonsState::step` say when and why), never something else.
    pub fn effect(&self) -> LessonChange {
        match self {
            // `Loaded` closes an open lesson the course no longer has.
            LessonAction::Loaded(_)
            | LessonAction::Opened(_)
            | LessonAction::SolutionShown(_)
            | LessonAction::Close
            | LessonAction::RevealHint { .. }
            | LessonAction::Completed(_)
            | LessonAction::Reset => LessonChange::Progress,
            LessonAction::Loading
            | LessonAction::Failed(_)
            | LessonAction::ShowList(_)
            | LessonAction::Ask(_)
            | LessonAction::ShowGoal(_)
            | LessonAction::ShowDifference(_) => LessonChange::View,
        }
    }
}

impl Reducible for LessonsState {
    type Action = LessonAction;

    fn reduce(self: Rc<Self>, action: LessonAction) -> Rc<Self> {
        let claimed = action.effect();
        let mut s = (*self).clone();
        let change = s.step(action);
        debug_assert!(
            matches!(change, LessonChange::Nothing | LessonChange::View) || change == claimed,
            "{change:?} from a lesson action that claims {claimed:?}"
        );
        match change {
            LessonChange::Nothing => self,
            LessonChange::View => Rc::new(s),
            LessonChange::Progress => {
                s.saved_rev = self.saved_rev + 1;
                Rc::new(s)
            }
        }
    }
}

impl LessonsState {
    /// Applies one action to (a copy of) the state, and names what it changed. Every
    /// action has its arm; a guard arm is a state where it does less than its
    /// [`LessonAction::effect`], and says why.
    fn step(&mut self, action: LessonAction) -> LessonChange {
        match action {
            LessonAction::Loading => {
                self.course = CourseState::Loading;
                LessonChange::View
            }
            // An active lesson the course no longer has (renamed, removed) is closed
            // rather than shown empty.
            LessonAction::Loaded(c)
                if self.active.as_ref().is_some_and(|id| c.find(id).is_none()) =>
            {
                self.active = None;
                self.progress.active = None;
                self.course = CourseState::Ready(c);
                LessonChange::Progress
            }
            // The open lesson is still there (or none is open): the progress stays.
            LessonAction::Loaded(c) => {
                self.course = CourseState::Ready(c);
                LessonChange::View
            }
            LessonAction::Failed(e) => {
                self.course = CourseState::Failed(e);
                LessonChange::View
            }
            LessonAction::ShowList(on) => {
                self.list_open = on;
                LessonChange::View
            }
            LessonAction::Ask(c) => {
                self.confirm = c;
                LessonChange::View
            }
            LessonAction::Opened(id) => {
                self.list_open = false;
                self.difference_open = false;
                self.confirm = None;
                self.pending = None;
                self.progress.active = Some(id.clone());
                self.active = Some(id);
                LessonChange::Progress
            }
            LessonAction::SolutionShown(id) => {
                self.confirm = None;
                if self.progress.solution_shown.len() < MAX_TRACKED {
                    self.progress.solution_shown.insert(id);
                }
                LessonChange::Progress
            }
            LessonAction::Close => {
                self.active = None;
                self.pending = None;
                self.progress.active = None;
                self.confirm = None;
                LessonChange::Progress
            }
            // Every hint is shown already, or progress tracks as many lessons as it keeps.
            LessonAction::RevealHint { id, of }
                if self.progress.hints_shown(&id) >= of
                    || self.progress.hints.len() >= MAX_TRACKED =>
            {
                LessonChange::Nothing
            }
            LessonAction::RevealHint { id, .. } => {
                let shown = self.progress.hints_shown(&id);
                self.progress.hints.insert(id, shown + 1);
                LessonChange::Progress
            }
            // Completed already, or progress tracks as many lessons as it keeps.
            LessonAction::Completed(id)
                if self.progress.completed.contains(&id)
                    || self.progress.completed.len() >= MAX_TRACKED =>
            {
                LessonChange::Nothing
            }
            LessonAction::Completed(id) => {
                self.progress.completed.insert(id);
                LessonChange::Progress
            }
            LessonAction::ShowGoal(on) => {
                self.goal_hidden = !on;
                LessonChange::View
            }
            LessonAction::ShowDifference(on) => {
                self.difference_open = on;
                LessonChange::View
            }
            LessonAction::Reset => {
                self.progress = Progress {
                    active: self.active.clone(),
                    ..Progress::default()
                };
                LessonChange::Progress
            }
        }
    }
}

/// The URL of a lesson file named in the index (relative to the page, like the index).
/// `None` for a name that would leave the lessons folder (the engine refuses those too).
pub fn lesson_url(file: &str) -> Option<String> {
    let ok = !file.is_empty()
        && !file.contains("..")
        && !file.contains("://")
        && !file.starts_with('/')
        && !file.contains('\\')
        && !file.contains('?')
        && !file.contains('#');
    ok.then(|| format!("lessons/{file}"))
}

/// Diagnostics as one short message (first few, with lines).
fn diagnostics_text(diags: &[Diagnostic]) -> String {
    let mut parts: Vec<String> = diags
        .iter()
        .take(3)
        .map(|d| format!("line {}: {}", d.line, d.message))
        .collect();
    if diags.len() > 3 {
        parts.push(format!("and {} more", diags.len() - 3));
    }
    parts.join("; ")
}

/// Builds the course from the index text and each file's fetched text (`Err` when the
/// fetch failed). Pure: `load_course` does the fetching.
pub fn build_course(
    index: &str,
    files: impl Fn(&str) -> Option<Result<String, String>>,
) -> Result<Course, String> {
    let index = parse_index("lessons/index.yaml", index).map_err(|d| {
        format!(
            "The lesson list (lessons/index.yaml) could not be read: {}",
            diagnostics_text(&d)
        )
    })?;
    let mut seen = BTreeSet::new();
    let entries = index
        .lessons
        .iter()
        .map(|file| {
            let broken = |error: String| Entry::Broken {
                file: file.clone(),
                error,
            };
            match files(file) {
                None => broken("not a file name next to the index".into()),
                Some(Err(e)) => broken(e),
                Some(Ok(text)) => match parse_lesson(file, &text) {
                    Ok(l) if !seen.insert(l.id.clone()) => {
                        broken(format!("another lesson already has the id `{}`", l.id))
                    }
                    Ok(l) => Entry::Ready(Rc::new(l)),
                    Err(d) => broken(diagnostics_text(&d)),
                },
            }
        })
        .collect();
    Ok(Course {
        title: index.title,
        entries,
    })
}

/// A lesson workspace as the share DTO `state::Action::Load` takes. A lesson's diagram
/// shows its goal, met or not, rather than every allowed flow: beside the goal, the flows
/// of a docs-sized cluster are more lines than anyone reads (the diagram's switch brings
/// them back).
pub fn share_of(ws: &Workspace) -> ShareState {
    ShareState {
        flows: false,
        ..workspace_share(ws)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson_files() -> Vec<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/lessons");
        let index = std::fs::read_to_string(format!("{dir}/index.yaml")).unwrap();
        let list = parse_index("index", &index).unwrap().lessons;
        list.into_iter()
            .map(|f| {
                let t = std::fs::read_to_string(format!("{dir}/{f}")).unwrap();
                (f, t)
            })
            .collect()
    }

    fn course() -> Course {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/lessons");
        let index = std::fs::read_to_string(format!("{dir}/index.yaml")).unwrap();
        let files = lesson_files();
        build_course(&index, |f| {
            files
                .iter()
                .find(|(n, _)| n == f)
                .map(|(_, t)| Ok(t.clone()))
        })
        .unwrap()
    }

    #[test]
    fn the_shipped_course_reads_and_orders() {
        let c = course();
        assert!(c.entries.len() >= 8);
        assert!(c.entries.iter().all(|e| e.lesson().is_some()), "{c:?}");
        assert_eq!(c.position("default-policy"), Some((1, c.entries.len())));
        assert_eq!(
            c.next_after("default-policy").map(|l| l.id.as_str()),
            Some("pod-1-to-pod-2")
        );
        let last = c.entries.last().and_then(Entry::lesson).unwrap();
        assert!(c.next_after(&last.id).is_none());
    }

    #[test]
    fn starts_load_into_the_app_unsolved_and_solutions_solve() {
        use crate::state::{AppState, LoadOrigin};
        for e in course().entries {
            let l = e.lesson().unwrap();
            let origin = |solution| LoadOrigin::Lesson {
                id: l.id.clone(),
                solution,
            };
            let s = AppState::new(&share_of(&l.start), origin(false));
            let r = netpol::lesson::check_evaluation(l, &s.derived.eval);
            assert!(!r.complete, "{} start", l.id);
            let s = AppState::new(&share_of(&l.solution), origin(true));
            let r = netpol::lesson::check_evaluation(l, &s.derived.eval);
            assert!(r.complete, "{} solution: {r:?}", l.id);
        }
    }

    #[test]
    fn broken_files_are_listed_not_fatal() {
        let index = "lessons:\n  - a.yaml\n  - b.yaml\n  - c.yaml\n";
        let c = build_course(index, |f| match f {
            "a.yaml" => Some(Err("HTTP 404".into())),
            "b.yaml" => Some(Ok("id: [".into())),
            _ => Some(Ok("id: x\n".into())),
        })
        .unwrap();
        assert_eq!(c.entries.len(), 3);
        assert!(c.entries.iter().all(|e| matches!(e, Entry::Broken { .. })));
        assert!(build_course("nope: 1", |_| None).is_err());
        assert!(build_course("{{{", |_| None).is_err());
    }

    #[test]
    fn lesson_urls_stay_in_the_folder() {
        assert_eq!(
            lesson_url("01-a.yaml").as_deref(),
            Some("lessons/01-a.yaml")
        );
        for bad in [
            "../x.yaml",
            "/etc/x.yaml",
            "http://evil/x.yaml",
            "",
            "a?b.yaml",
        ] {
            assert!(lesson_url(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn progress_round_trips_and_distrusts_the_store() {
        let s = Rc::new(LessonsState::default());
        let s = s.reduce(LessonAction::Opened("a".into()));
        let s = s.reduce(LessonAction::RevealHint {
            id: "a".into(),
            of: 2,
        });
        let s = s.reduce(LessonAction::RevealHint {
            id: "a".into(),
            of: 2,
        });
        let rev = s.saved_rev;
        let s = s.reduce(LessonAction::RevealHint {
            id: "a".into(),
            of: 2,
        });
        assert_eq!(s.progress.hints_shown("a"), 2);
        assert_eq!(s.saved_rev, rev, "a third hint of two changes nothing");
        let s = s.reduce(LessonAction::Completed("a".into()));
        assert!(s.progress.is_done("a"));
        let back = Progress::from_json(&s.progress.to_json());
        assert_eq!(back, s.progress);
        assert_eq!(back.active.as_deref(), Some("a"));
        assert_eq!(Progress::from_json("not json"), Progress::default());
        assert_eq!(
            Progress::from_json(r#"{"hints":{"a":"x"}}"#),
            Progress::default()
        );
        let s = s.reduce(LessonAction::Close);
        assert!(s.active.is_none() && s.progress.active.is_none());
        let s = s.reduce(LessonAction::Reset);
        assert!(!s.progress.is_done("a"));
    }

    #[test]
    fn every_lesson_action_moves_saved_rev_as_its_change_says() {
        use LessonChange::{Nothing, Progress, View};
        let shipped = Rc::new(course());
        let id = shipped.entries[0].lesson().unwrap().id.clone();
        let empty = Rc::new(Course {
            title: None,
            entries: Vec::new(),
        });
        let hint = || LessonAction::RevealHint {
            id: id.clone(),
            of: 1,
        };
        let actions = [
            (LessonAction::Loading, View),
            (LessonAction::Failed("HTTP 404".into()), View),
            (LessonAction::ShowList(true), View),
            (LessonAction::Ask(Some(Confirm::Open(id.clone()))), View),
            (LessonAction::Opened(id.clone()), Progress),
            (LessonAction::Loaded(Rc::clone(&shipped)), View),
            (LessonAction::Loaded(empty), Progress),
            (LessonAction::Opened(id.clone()), Progress),
            (LessonAction::SolutionShown(id.clone()), Progress),
            (hint(), Progress),
            (hint(), Nothing),
            (LessonAction::Completed(id.clone()), Progress),
            (LessonAction::Completed(id.clone()), Nothing),
            (LessonAction::ShowGoal(false), View),
            (LessonAction::ShowDifference(true), View),
            (LessonAction::Reset, Progress),
            (LessonAction::Close, Progress),
        ];
        let mut s = Rc::new(LessonsState::default());
        let mut full = BTreeSet::new();
        for (action, expected) in actions {
            let claimed = action.effect();
            assert!(
                matches!(expected, Nothing | View) || expected == claimed,
                "{action:?} is expected to do {expected:?}, and claims {claimed:?}"
            );
            if expected == claimed {
                full.insert(crate::state::tests::variant_of(&format!("{action:?}")));
            }
            let before = Rc::clone(&s);
            s = Rc::clone(&s).reduce(action.clone());
            let saves = u64::from(expected == Progress);
            assert_eq!(s.saved_rev - before.saved_rev, saves, "{action:?}");
            assert_eq!(Rc::ptr_eq(&s, &before), expected == Nothing, "{action:?}");
        }
        for name in crate::state::tests::variants(include_str!("mod.rs"), "LessonAction") {
            assert!(
                full.contains(&name),
                "LessonAction::{name} is not driven here"
            );
        }
    }

    #[test]
    fn a_course_without_the_active_lesson_closes_it() {
        let s = Rc::new(LessonsState::default()).reduce(LessonAction::Opened("gone".into()));
        let s = s.reduce(LessonAction::Loaded(Rc::new(course())));
        assert!(s.active.is_none());
    }

    #[test]
    fn every_shipped_lesson_text_renders() {
        for (_, text) in lesson_files() {
            let l = parse_lesson("x", &text).unwrap();
            assert!(!crate::markdown::blocks(&l.text).is_empty());
        }
    }
}
