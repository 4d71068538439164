//! The app's state: the workspace (what the user made), what the engine derived from it,
//! and the view state (tabs, selection, dialogs). `reduce` is pure (but for the flow-log
//! replay's performance marks, which do nothing outside a browser), so it is tested
//! natively by replaying actions.
//!
//! Every action names what it changed (a [`Change`]); that alone decides which revisions
//! move (`rev`, `ws_rev`, `saved_rev`, which the views and persistence watch) and whether
//! the work becomes unsaved, so a new action cannot forget one.
//!
//! Every workspace change re-evaluates at once (no button): the engine runs inside
//! `reduce`, and the derived results are shared (`Rc`) with the views, which only render.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use netpol::generate::{Intent, Options};
use netpol::model::{Labels, PolicyPort};
use netpol::workspace::{DrawnNamespace, DrawnPod, Evaluation, Evaluator, Workspace};
use netpol::{Diagnostic, Protocol};
use yew::Reducible;

use crate::compare::{Comparison, Request};
use crate::flowlog::{self, Replay};
use crate::layout::Pos;
use crate::share::{from_share, workspace_share, ShareState, MAX_MANIFESTS};

pub use netpol::arrows::{ArrowView, Verdict};

/// Manifests larger than this are kept in the editor but not evaluated.
pub const MAX_EVAL_BYTES: usize = MAX_MANIFESTS;

/// The output pane's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Generated,
    Diagnostics,
    Table,
    Explain,
    /// What the comparison opened and closed (only while comparing).
    Changes,
    /// The flow log: its input, the connections as the manifests judge them.
    Flows,
}

/// What is selected in the diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// An endpoint, by id.
    Node(String),
    /// A drawn arrow, by index into the workspace's arrows.
    Arrow(usize),
    /// A namespace box, by name.
    Namespace(String),
    /// An allowed flow of the flows overlay (`from`, `to`).
    Flow(String, String),
    /// A goal line of the open lesson, by its index in the lesson's goal (the goal overlay).
    Goal(usize),
    /// A pair whose connections the comparison says opened or closed (`from`, `to`).
    Change(String, String),
}

/// The open modal dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dialog {
    AddNamespace,
    /// Add a pod, into the given namespace when there is one.
    AddPod(Option<String>),
    AddExternal,
    /// Confirm replacing unsaved work with an example (by id, or `""` for a blank workspace).
    ConfirmExample(String),
    Share,
    Help,
    /// Paste manifests to compare the workspace with.
    CompareManifests,
}

/// How a notice looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    /// Something is under way (an example being fetched): the page is `aria-busy` until the
    /// notice is replaced.
    Busy,
    /// Something was refused or went wrong.
    Error,
}

/// A message in the banner under the toolbar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
    /// Offer to restore the work that the last load replaced.
    pub restore: bool,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Notice {
        Notice {
            kind: NoticeKind::Info,
            text: text.into(),
            restore: false,
        }
    }

    pub fn error(text: impl Into<String>) -> Notice {
        Notice {
            kind: NoticeKind::Error,
            text: text.into(),
            restore: false,
        }
    }

    pub fn busy(text: impl Into<String>) -> Notice {
        Notice {
            kind: NoticeKind::Busy,
            text: text.into(),
            restore: false,
        }
    }
}

/// The Explain tab's question: may `from` open `port`/`protocol` on `to`?
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplainQuery {
    pub from: String,
    pub to: String,
    pub port: u16,
    pub protocol: Protocol,
}

/// View state: nothing here changes what the engine computes.
#[derive(Clone, Debug, PartialEq)]
pub struct Ui {
    pub tab: Tab,
    pub selection: Option<Selection>,
    /// Keyboard arrow drawing: the source chosen so far.
    pub connecting: Option<String>,
    /// Show every allowed flow in the diagram.
    pub flows: bool,
    /// The truth table's port and protocol.
    pub probe: (u16, Protocol),
    pub explain: Option<ExplainQuery>,
    pub dialog: Option<Dialog>,
    pub notice: Option<Notice>,
    /// A line the editor should scroll to and select, with a counter so the same line can
    /// be jumped to twice.
    pub jump: Option<(usize, u64)>,
}

impl Default for Ui {
    fn default() -> Self {
        Ui {
            tab: Tab::Generated,
            selection: None,
            connecting: None,
            flows: false,
            probe: (8080, Protocol::Tcp),
            explain: None,
            dialog: None,
            notice: None,
            jump: None,
        }
    }
}

/// Everything derived from one workspace.
#[derive(Debug)]
pub struct Derived {
    pub eval: Evaluation,
    /// Why the manifests were not evaluated (too large), if they were not.
    pub skipped: Option<String>,
    /// Arrows with verdicts, in workspace order.
    pub arrows: Vec<ArrowView>,
    /// Every diagnostic of the evaluation, sorted by line.
    pub diagnostics: Vec<Diagnostic>,
}

impl Derived {
    /// Evaluates `ws`; `evaluator` remembers what the last workspace's documents gave, so
    /// a keystroke reads again only the document it changed.
    pub fn of(ws: &Workspace, evaluator: &mut Evaluator) -> Derived {
        let (eval, skipped) = if ws.manifests.len() > MAX_EVAL_BYTES {
            let lighter = Workspace {
                manifests: String::new(),
                ..ws.clone()
            };
            (
                evaluator.evaluate(&lighter),
                Some(format!(
                    "The manifests are {}; the playground evaluates at most {}. Nothing from the editor is drawn: remove some documents.",
                    human_size(ws.manifests.len()),
                    human_size(MAX_EVAL_BYTES)
                )),
            )
        } else {
            (evaluator.evaluate(ws), None)
        };
        let mut diagnostics: Vec<Diagnostic> = eval.diagnostics().cloned().collect();
        netpol::diag::sort_by_line(&mut diagnostics);
        let arrows = netpol::arrows::arrow_verdicts(&eval, &ws.arrows);
        Derived {
            eval,
            skipped,
            arrows,
            diagnostics,
        }
    }

    /// How many policies the arrows generated (none when generating failed).
    pub fn generated_count(&self) -> usize {
        self.eval
            .generated
            .as_ref()
            .map(|g| g.policies.len())
            .unwrap_or(0)
    }
}

/// `1.2 MB`, `340 KB`.
pub fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Where a load came from: it decides what "unsaved" means afterwards, and whether the
/// workspace is a lesson's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadOrigin {
    /// An example, by id (`""` for a blank workspace).
    Example(String),
    /// A lesson's start, or its solution (loading the solution is not solving the lesson).
    Lesson {
        id: String,
        solution: bool,
    },
    Shared,
    /// The saved state, with its saved "unsaved changes" flag.
    Restored {
        dirty: bool,
    },
}

/// Everything the user can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The editor text changed.
    SetManifests(String),
    /// Files were opened or dropped: append them as more documents.
    AppendManifests(String),
    /// Replace the workspace.
    Load(Box<ShareState>, LoadOrigin),
    /// Draw a namespace (name, labels).
    AddNamespace(String, Labels),
    /// Draw a pod (namespace, name, labels).
    AddPod(String, String, Labels),
    /// Draw an external endpoint, by id (`ip:...`).
    AddExternal(String),
    /// Remove a drawn pod or external endpoint and its arrows.
    RemoveEndpoint(String),
    /// Remove a drawn namespace and its drawn pods.
    RemoveNamespace(String),
    /// Draw an arrow (from, to, ports).
    AddArrow(String, String, Vec<PolicyPort>),
    /// Change the ports of the arrow at an index.
    SetArrowPorts(usize, Vec<PolicyPort>),
    RemoveArrow(usize),
    SetOptions(Options),
    /// Say whether the project uses Kustomize `commonLabels` (a lint input).
    SetKustomize(bool),
    /// A node was dragged (or moved with the keyboard).
    MoveNode(String, Pos),
    /// Forget dragged positions.
    ResetLayout,
    SelectTab(Tab),
    Select(Option<Selection>),
    /// Keyboard drawing: choose the source, or complete the arrow when one is chosen.
    Connect(String),
    CancelConnect,
    /// Show or hide every allowed flow.
    SetFlows(bool),
    /// The truth table's port and protocol.
    SetProbe(u16, Protocol),
    /// Ask the Explain tab a question (and show it).
    Explain(ExplainQuery),
    OpenDialog(Dialog),
    CloseDialog,
    /// Show or clear the banner.
    Notify(Option<Notice>),
    /// Scroll the editor to a line and select it.
    JumpToLine(usize),
    /// Compare the workspace with a snapshot, other manifests, or itself without the
    /// generated policies.
    Compare(Request),
    /// Leave compare mode (the workspace stays as it is).
    StopCompare,
    /// The flow log's text changed (pasted, typed, opened or dropped; `""` clears it).
    SetFlowLog(String),
    /// Turn the observed connections into drawn arrows ("Keep these flows").
    KeepFlows,
}

/// What an action changed, which decides the revisions that move: [`Change::moves`] is
/// the one place that says which, and `AppState::reduce` the one place that moves them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Nothing: the reducer hands back the same state, so nothing renders again.
    Nothing,
    /// Only what is shown (tab, selection, dialog, notice, probe, keyboard drawing).
    View,
    /// Something saved that is not the user's work: the flows switch, a layout reset, the
    /// comparison.
    Saved,
    /// A node moved: saved, and unsaved work, though the engine reads no position.
    Layout,
    /// The workspace, flow log included: what the engine and the replay read.
    Workspace,
    /// Another workspace altogether; whether it is unsaved work is the load's to say.
    Load,
}

/// The counters one [`Change`] moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moves {
    /// `rev`: views see another state.
    pub rev: bool,
    /// `ws_rev`: what the engine reads changed (the views' memos, the update measure).
    pub ws: bool,
    /// `saved_rev`: something persisted changed (the app saves).
    pub saved: bool,
    /// Sets `dirty`: replacing the workspace now would lose work.
    pub dirty: bool,
}

impl Change {
    /// The counters this change moves: the table every revision follows.
    pub fn moves(self) -> Moves {
        let moves = |rev, ws, saved, dirty| Moves {
            rev,
            ws,
            saved,
            dirty,
        };
        match self {
            Change::Nothing => moves(false, false, false, false),
            Change::View => moves(true, false, false, false),
            Change::Saved => moves(true, false, true, false),
            Change::Layout => moves(true, false, true, true),
            Change::Workspace => moves(true, true, true, true),
            Change::Load => moves(true, true, true, false),
        }
    }
}

impl Action {
    /// What the action changes when it does anything. In some states it changes less, only
    /// the view or nothing (the guard arms of `AppState::step` say when and why), never
    /// something else: the reducer checks in debug builds, the tests on every action.
    pub fn effect(&self) -> Change {
        match self {
            // `Connect` completes an arrow once a source is chosen. `SetFlowLog` does not
            // re-evaluate, but the log is the user's work and the replay reads it.
            Action::SetManifests(_)
            | Action::AppendManifests(_)
            | Action::AddNamespace(..)
            | Action::AddPod(..)
            | Action::AddExternal(_)
            | Action::RemoveEndpoint(_)
            | Action::RemoveNamespace(_)
            | Action::AddArrow(..)
            | Action::SetArrowPorts(..)
            | Action::RemoveArrow(_)
            | Action::SetOptions(_)
            | Action::SetKustomize(_)
            | Action::Connect(_)
            | Action::SetFlowLog(_)
            | Action::KeepFlows => Change::Workspace,
            Action::Load(..) => Change::Load,
            Action::MoveNode(..) => Change::Layout,
            // The comparison is saved (and shared) with the workspace, but never changes it.
            Action::ResetLayout
            | Action::SetFlows(_)
            | Action::Compare(_)
            | Action::StopCompare => Change::Saved,
            Action::SelectTab(_)
            | Action::Select(_)
            | Action::CancelConnect
            | Action::SetProbe(..)
            | Action::Explain(_)
            | Action::OpenDialog(_)
            | Action::CloseDialog
            | Action::Notify(_)
            | Action::JumpToLine(_) => Change::View,
        }
    }

    /// Whether the action can change the workspace, and so re-run the engine: what the
    /// store times.
    pub fn changes_workspace(&self) -> bool {
        self.effect().moves().ws
    }
}

/// The whole app state.
#[derive(Clone, Debug)]
pub struct AppState {
    /// What the user made.
    pub ws: Rc<Workspace>,
    /// Dragged positions by endpoint id.
    pub positions: Rc<BTreeMap<String, Pos>>,
    /// What the engine made of `ws`.
    pub derived: Rc<Derived>,
    /// What the workspace is compared with, and the diff, while comparing.
    pub compare: Option<Rc<Comparison>>,
    /// The manifests last pasted to compare with (the paste dialog offers them again).
    pub pasted: Option<Rc<String>>,
    /// The flow log as the user gave it (part of the workspace the user made; never
    /// rewritten).
    pub flow_log: Rc<String>,
    /// The flow log read and replayed against the workspace (none when it is blank).
    pub replay: Option<Rc<Replay>>,
    pub ui: Ui,
    /// Changed since the last example, lesson, link or blank workspace was loaded.
    pub dirty: bool,
    /// Where the workspace was last loaded from.
    pub origin: LoadOrigin,
    /// Bumped on every change (what `PartialEq` compares). The three revisions move only
    /// in `reduce`, as the action's [`Change`] says.
    pub rev: u64,
    /// Bumped when the workspace changes (what the update timing and the views' memos
    /// watch; persistence watches `saved_rev`).
    pub ws_rev: u64,
    /// Bumped when anything persisted changes (workspace, positions, flows toggle,
    /// comparison).
    pub saved_rev: u64,
    /// The engine's memory of the last evaluation, shared by every state that follows
    /// (it only makes evaluating faster: results are those of evaluating from scratch).
    pub evaluator: Rc<RefCell<Evaluator>>,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.rev == other.rev
    }
}

impl AppState {
    /// A state holding `share` (already validated or built by the app).
    pub fn new(share: &ShareState, origin: LoadOrigin) -> AppState {
        AppState::with_evaluator(share, origin, Rc::default())
    }

    /// [`AppState::new`], evaluating with `evaluator` (the previous state's).
    fn with_evaluator(
        share: &ShareState,
        origin: LoadOrigin,
        evaluator: Rc<RefCell<Evaluator>>,
    ) -> AppState {
        let (ws, positions, problems) = from_share(share);
        let derived = Rc::new(Derived::of(&ws, &mut evaluator.borrow_mut()));
        let mut ui = Ui {
            flows: share.flows,
            ..Ui::default()
        };
        let mut problems = problems;
        let compare = share.compare.as_ref().map(|dto| {
            let (c, kept_problems) = Comparison::from_dto(dto, &derived);
            problems.extend(kept_problems);
            ui.tab = Tab::Changes;
            Rc::new(c)
        });
        if !problems.is_empty() {
            ui.notice = Some(Notice::error(format!(
                "Some arrows could not be read: {}",
                problems.join("; ")
            )));
        }
        if derived
            .diagnostics
            .iter()
            .any(|d| d.severity == netpol::Severity::Error)
        {
            ui.tab = Tab::Diagnostics;
        }
        let dirty = matches!(origin, LoadOrigin::Restored { dirty: true });
        let flow_log = Rc::new(share.flow_log.clone());
        let replay = replay_of(&flow_log, &derived, compare.as_deref(), None);
        AppState {
            ws: Rc::new(ws),
            positions: Rc::new(positions),
            derived,
            compare,
            pasted: None,
            flow_log,
            replay,
            ui,
            dirty,
            origin,
            rev: 0,
            ws_rev: 0,
            saved_rev: 0,
            evaluator,
        }
    }

    /// The persisted subset, as the share DTO.
    pub fn to_share(&self) -> ShareState {
        ShareState {
            positions: self
                .positions
                .iter()
                .map(|(k, p)| (k.clone(), [round(p.x), round(p.y)]))
                .collect(),
            flows: self.ui.flows,
            compare: self.compare.as_ref().map(|c| c.to_dto()),
            // A log too large to share or save stays in the page only (not copied here on
            // every save); the share dialog says so.
            flow_log: if self.flow_log.len() <= crate::share::MAX_FLOW_LOG {
                (*self.flow_log).clone()
            } else {
                String::new()
            },
            ..workspace_share(&self.ws)
        }
    }

    /// Whether `id` names something drawn (which the diagram may delete), not a manifest pod.
    pub fn is_drawn(&self, id: &str) -> bool {
        if id.starts_with("ip:") {
            return self.ws.externals.iter().any(|e| e == id);
        }
        self.ws
            .pods
            .iter()
            .any(|p| format!("{}/{}", p.namespace, p.name) == id)
    }

    pub fn is_drawn_namespace(&self, name: &str) -> bool {
        self.ws.namespaces.iter().any(|n| n.name == name)
    }

    /// The loaded example's id, when the workspace is one and unchanged.
    pub fn pristine_example(&self) -> Option<&str> {
        match &self.origin {
            LoadOrigin::Example(id) if !self.dirty => Some(id),
            LoadOrigin::Example(_)
            | LoadOrigin::Lesson { .. }
            | LoadOrigin::Shared
            | LoadOrigin::Restored { .. } => None,
        }
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let claimed = action.effect();
        let mut next = (*self).clone();
        let change = next.step(action);
        debug_assert!(
            matches!(change, Change::Nothing | Change::View) || change == claimed,
            "{change:?} from an action that claims {claimed:?}"
        );
        let moves = change.moves();
        if !moves.rev {
            return self;
        }
        // The one place the revisions move: from the previous state's (a load's new state
        // too), as the change says.
        next.rev = self.rev + 1;
        next.ws_rev = self.ws_rev + u64::from(moves.ws);
        next.saved_rev = self.saved_rev + u64::from(moves.saved);
        if moves.dirty {
            next.dirty = true;
        }
        Rc::new(next)
    }
}

impl AppState {
    /// Applies one action to (a copy of) the state, and names what it changed. Every
    /// action has its arm; a guard arm, or a helper's early return, is a state where the
    /// action does less than its [`Action::effect`], and says why.
    fn step(&mut self, action: Action) -> Change {
        match action {
            // The same text is no edit: nothing to evaluate or save, the work stays clean.
            Action::SetManifests(text) if text == self.ws.manifests => Change::Nothing,
            Action::SetManifests(text) => self.edit(|w| w.manifests = text),
            Action::AppendManifests(text) => self.append(&text),
            Action::Load(share, origin) => {
                *self = self.load(&share, origin);
                Change::Load
            }
            Action::AddNamespace(name, labels) => self.add_namespace(name, labels),
            Action::AddPod(namespace, name, labels) => self.add_pod(namespace, name, labels),
            Action::AddExternal(id) => {
                self.ui.selection = Some(Selection::Node(id.clone()));
                // Adding an endpoint that is drawn already only selects it.
                if self.ws.externals.contains(&id) {
                    Change::View
                } else {
                    self.edit(|w| w.externals.push(id))
                }
            }
            Action::RemoveEndpoint(id) => self.remove_endpoint(&id),
            Action::RemoveNamespace(name) => {
                self.ui.selection = None;
                self.edit(|w| remove_namespace(w, &name))
            }
            Action::AddArrow(from, to, ports) => self.add_arrow(from, to, ports),
            Action::SetArrowPorts(i, ports) => self.edit(|w| {
                if let Some(a) = w.arrows.get_mut(i) {
                    a.ports = ports;
                }
            }),
            Action::RemoveArrow(i) => {
                self.ui.selection = None;
                self.edit(|w| {
                    if i < w.arrows.len() {
                        w.arrows.remove(i);
                    }
                })
            }
            // The options form sends all the options when one field changes: the same
            // ones are no edit.
            Action::SetOptions(o) if o == self.ws.options => Change::Nothing,
            Action::SetOptions(o) => self.edit(|w| w.options = o),
            Action::SetKustomize(on) if on == self.ws.kustomize => Change::Nothing,
            Action::SetKustomize(on) => self.edit(|w| w.kustomize = on),
            // A position that is not a number can be neither drawn nor saved (JSON has no NaN).
            Action::MoveNode(_, pos) if !(pos.x.is_finite() && pos.y.is_finite()) => {
                Change::Nothing
            }
            Action::MoveNode(id, pos) => {
                Rc::make_mut(&mut self.positions).insert(id, pos);
                Change::Layout
            }
            Action::ResetLayout => {
                self.positions = Rc::new(BTreeMap::new());
                Change::Saved
            }
            Action::SelectTab(t) => {
                self.ui.tab = t;
                Change::View
            }
            Action::Select(sel) => {
                self.ui.selection = sel;
                Change::View
            }
            Action::Connect(id) => self.connect(id),
            Action::CancelConnect => {
                self.ui.connecting = None;
                Change::View
            }
            Action::SetFlows(on) => {
                self.ui.flows = on;
                Change::Saved
            }
            Action::SetProbe(port, proto) => {
                self.ui.probe = (port, proto);
                Change::View
            }
            Action::Explain(q) => {
                self.ui.explain = Some(q);
                self.ui.tab = Tab::Explain;
                Change::View
            }
            Action::OpenDialog(d) => {
                self.ui.dialog = Some(d);
                Change::View
            }
            Action::CloseDialog => {
                self.ui.dialog = None;
                Change::View
            }
            Action::Notify(n) => {
                self.ui.notice = n;
                Change::View
            }
            Action::JumpToLine(line) => {
                let n = self.ui.jump.map(|(_, n)| n + 1).unwrap_or(0);
                self.ui.jump = Some((line, n));
                Change::View
            }
            Action::Compare(request) => self.start_compare(request),
            // Not comparing: nothing to stop, and nothing saved changes.
            Action::StopCompare if self.compare.is_none() => Change::Nothing,
            Action::StopCompare => self.stop_compare(),
            // The same log: nothing to read or replay again.
            Action::SetFlowLog(text) if text == *self.flow_log => Change::Nothing,
            Action::SetFlowLog(text) => {
                self.flow_log = Rc::new(text);
                self.refresh_replay(false);
                self.ui.tab = Tab::Flows;
                Change::Workspace
            }
            Action::KeepFlows => self.keep_flows(),
        }
    }

    /// Changes a copy of the workspace with `f`, and re-evaluates.
    fn edit(&mut self, f: impl FnOnce(&mut Workspace)) -> Change {
        let mut w = (*self.ws).clone();
        f(&mut w);
        self.commit(w)
    }

    /// Makes `w` the workspace, and re-evaluates.
    fn commit(&mut self, w: Workspace) -> Change {
        if matches!(self.ui.selection, Some(Selection::Arrow(i)) if i >= w.arrows.len()) {
            self.ui.selection = None;
        }
        self.derived = Rc::new(Derived::of(&w, &mut self.evaluator.borrow_mut()));
        if let Some(c) = &self.compare {
            let next = c.refresh(&self.derived);
            if let Some(Selection::Change(a, b)) = &self.ui.selection {
                if next.change(a, b).is_none() {
                    self.ui.selection = None;
                }
            }
            self.compare = Some(Rc::new(next));
        }
        self.refresh_replay(true);
        self.ws = Rc::new(w);
        Change::Workspace
    }

    /// The state a load makes (its revisions are `reduce`'s to set, from this state's).
    fn load(&self, share: &ShareState, origin: LoadOrigin) -> AppState {
        let mut next = AppState::with_evaluator(share, origin, self.evaluator.clone());
        // Keep where the user is looking, unless the load has errors to show; keep the
        // notice the caller sent just before, unless the load has its own.
        if next.ui.tab != Tab::Diagnostics
            && (self.ui.tab != Tab::Changes || next.compare.is_some())
        {
            next.ui.tab = self.ui.tab;
        }
        next.pasted = self.pasted.clone();
        if next.ui.notice.is_none() {
            next.ui.notice = self.ui.notice.clone();
        }
        next
    }

    fn start_compare(&mut self, request: Request) -> Change {
        if let Request::Manifests(text) = &request {
            self.pasted = Some(Rc::new(text.clone()));
        }
        let c = Comparison::start(&request, &self.ws, &self.derived);
        self.compare = Some(Rc::new(c));
        self.refresh_replay(true);
        self.ui.tab = Tab::Changes;
        if matches!(self.ui.selection, Some(Selection::Change(..))) {
            self.ui.selection = None;
        }
        Change::Saved
    }

    fn stop_compare(&mut self) -> Change {
        self.compare = None;
        self.refresh_replay(true);
        if self.ui.tab == Tab::Changes {
            self.ui.tab = Tab::Generated;
        }
        if matches!(self.ui.selection, Some(Selection::Change(..))) {
            self.ui.selection = None;
        }
        Change::Saved
    }

    /// Reads (or, with `reuse`, only replays when the endpoints are the same) the flow log
    /// against the current evaluation and comparison.
    fn refresh_replay(&mut self, reuse: bool) {
        let previous = if reuse { self.replay.as_deref() } else { None };
        if previous.is_some_and(|p| p.still_holds(&self.derived.eval)) && self.compare.is_none() {
            // Nothing the replay depends on changed (a keystroke in a comment, a change
            // outside every policy): keep it, and the views that take it keep their DOM.
            return;
        }
        let next = replay_of(
            &self.flow_log,
            &self.derived,
            self.compare.as_deref(),
            previous,
        );
        // The same rows as before: keep the previous value (the diagram and the Flows tab
        // compare it by identity).
        match (&self.replay, next) {
            (Some(old), Some(new)) if reuse && old.same_as(&new) => {}
            (_, next) => self.replay = next,
        }
    }

    fn keep_flows(&mut self) -> Change {
        // No flow log: nothing observed to keep.
        let Some(replay) = self.replay.clone() else {
            return Change::Nothing;
        };
        let (w, n) = flowlog::keep(&self.ws, &replay, &self.derived.eval.effective);
        if n == 0 {
            self.ui.notice = Some(Notice::info(
                "Every observed connection already has its arrow: nothing to keep.",
            ));
            return Change::View;
        }
        self.ui.notice = Some(Notice::info(format!(
            "Kept the observed flows: {n} arrow{} added or widened. The generated YAML allows them.",
            if n == 1 { "" } else { "s" }
        )));
        self.ui.tab = Tab::Generated;
        self.commit(w)
    }

    fn append(&mut self, text: &str) -> Change {
        if self.ws.manifests.len() + text.len() > MAX_EVAL_BYTES {
            self.ui.notice = Some(Notice::error(format!(
                "Those files add {}; the editor takes at most {} in all. Nothing was added.",
                human_size(text.len()),
                human_size(MAX_EVAL_BYTES)
            )));
            return Change::View;
        }
        self.edit(|w| {
            if !w.manifests.trim().is_empty() {
                if !w.manifests.ends_with('\n') {
                    w.manifests.push('\n');
                }
                w.manifests.push_str("---\n");
            }
            w.manifests.push_str(text);
        })
    }

    fn add_namespace(&mut self, name: String, labels: Labels) -> Change {
        if self.derived.eval.effective.namespace(&name).is_some() {
            self.ui.notice = Some(Notice::error(format!("namespace `{name}` already exists")));
            return Change::View;
        }
        self.edit(|w| w.namespaces.push(DrawnNamespace { name, labels }))
    }

    fn add_pod(&mut self, namespace: String, name: String, labels: Labels) -> Change {
        let id = format!("{namespace}/{name}");
        if self.derived.eval.effective.pod(&id).is_some() {
            self.ui.notice = Some(Notice::error(format!("`{id}` already exists")));
            return Change::View;
        }
        self.ui.selection = Some(Selection::Node(id));
        self.edit(|w| {
            w.pods.push(DrawnPod {
                namespace,
                name,
                labels,
            })
        })
    }

    fn remove_endpoint(&mut self, id: &str) -> Change {
        // A pod of the manifests is the editor's to remove.
        if !self.is_drawn(id) {
            return Change::Nothing;
        }
        Rc::make_mut(&mut self.positions).remove(id);
        self.ui.selection = None;
        self.edit(|w| {
            w.pods
                .retain(|p| format!("{}/{}", p.namespace, p.name) != id);
            w.externals.retain(|e| e != id);
            w.arrows.retain(|a| a.from != id && a.to != id);
        })
    }

    fn add_arrow(&mut self, from: String, to: String, ports: Vec<PolicyPort>) -> Change {
        self.ui.connecting = None;
        if from == to {
            self.ui.notice = Some(Notice::error(
                "a pod can always talk to itself; draw the arrow to another node",
            ));
            return Change::View;
        }
        let existing = self
            .ws
            .arrows
            .iter()
            .position(|a| a.from == from && a.to == to);
        // Drawing an existing arrow again selects it instead of duplicating it.
        let index = existing.unwrap_or(self.ws.arrows.len());
        self.ui.selection = Some(Selection::Arrow(index));
        if existing.is_some() {
            return Change::View;
        }
        self.edit(|w| w.arrows.push(Intent { from, to, ports }))
    }

    fn connect(&mut self, id: String) -> Change {
        match self.ui.connecting.take() {
            None => {
                self.ui.connecting = Some(id.clone());
                self.ui.selection = Some(Selection::Node(id));
                Change::View
            }
            Some(from) if from == id => {
                self.ui.connecting = Some(from);
                Change::View
            }
            Some(from) => self.add_arrow(from, id, Vec::new()),
        }
    }
}

/// The flow log read and replayed against `derived` (reusing `previous` when it can), with
/// what the comparison's kept side would have allowed.
fn replay_of(
    text: &str,
    derived: &Derived,
    compare: Option<&Comparison>,
    previous: Option<&Replay>,
) -> Option<Rc<Replay>> {
    let replay = Replay::of(text, &derived.eval, previous)?;
    let replay = match compare {
        Some(c) => replay.compared_with(c.before(derived)),
        None => replay,
    };
    Some(Rc::new(replay))
}

/// Removes a drawn namespace, its drawn pods and their arrows.
fn remove_namespace(w: &mut Workspace, name: &str) {
    w.namespaces.retain(|n| n.name != name);
    let gone: Vec<String> = w
        .pods
        .iter()
        .filter(|p| p.namespace == name)
        .map(|p| format!("{}/{}", p.namespace, p.name))
        .collect();
    w.pods.retain(|p| p.namespace != name);
    w.arrows
        .retain(|a| !gone.contains(&a.from) && !gone.contains(&a.to));
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::examples;

    fn docs() -> Rc<AppState> {
        let ex = examples::find("docs").unwrap();
        Rc::new(AppState::new(
            &crate::examples::state_from_disk(ex.id),
            LoadOrigin::Example("docs".into()),
        ))
    }

    fn replay(mut s: Rc<AppState>, actions: Vec<Action>) -> Rc<AppState> {
        for a in actions {
            s = s.reduce(a);
        }
        s
    }

    #[test]
    fn docs_example_draws_four_namespaces_and_five_pods() {
        let s = docs();
        let c = &s.derived.eval.effective;
        assert_eq!(c.namespaces.len(), 4);
        assert_eq!(c.pods.len(), 5);
        assert!(s.derived.skipped.is_none());
        assert!(!s.dirty);
        assert_eq!(s.pristine_example(), Some("docs"));
    }

    #[test]
    fn drawing_an_arrow_generates_egress_and_ingress() {
        let s = replay(
            docs(),
            vec![Action::AddArrow(
                "team-one-namespace/pod-1".into(),
                "team-two-namespace/pod-3".into(),
                vec![],
            )],
        );
        assert!(s.dirty);
        assert_eq!(s.ws.arrows.len(), 1);
        let generated = s.derived.eval.generated.as_ref().unwrap();
        assert!(generated.yaml.contains("Egress"), "{}", generated.yaml);
        assert!(generated.yaml.contains("Ingress"), "{}", generated.yaml);
        assert_eq!(s.ui.selection, Some(Selection::Arrow(0)));
        let arrow = &s.derived.arrows[0];
        assert!(arrow.present);
    }

    #[test]
    fn keyboard_connect_draws_an_arrow() {
        let s = replay(
            docs(),
            vec![
                Action::Connect("team-one-namespace/pod-1".into()),
                Action::Connect("team-one-namespace/pod-1".into()),
                Action::Connect("team-one-namespace/pod-2".into()),
            ],
        );
        assert_eq!(s.ws.arrows.len(), 1);
        assert_eq!(s.ui.connecting, None);
        // Drawing it again selects the existing arrow.
        let s = replay(
            s,
            vec![Action::AddArrow(
                "team-one-namespace/pod-1".into(),
                "team-one-namespace/pod-2".into(),
                vec![],
            )],
        );
        assert_eq!(s.ws.arrows.len(), 1);
    }

    #[test]
    fn self_arrows_are_refused() {
        let s = replay(
            docs(),
            vec![Action::AddArrow("a/b".into(), "a/b".into(), vec![])],
        );
        assert!(s.ws.arrows.is_empty());
        assert!(s.ui.notice.is_some());
    }

    #[test]
    fn drawn_pods_and_externals_join_the_cluster_and_leave_with_their_arrows() {
        let mut labels = Labels::new();
        labels.insert("app".into(), "web".into());
        let s = replay(
            Rc::new(AppState::new(&ShareState::default(), LoadOrigin::Shared)),
            vec![
                Action::AddNamespace("shop".into(), Labels::new()),
                Action::AddPod("shop".into(), "web".into(), labels),
                Action::AddExternal("ip:0.0.0.0/0".into()),
                Action::AddArrow("ip:0.0.0.0/0".into(), "shop/web".into(), vec![]),
            ],
        );
        assert!(s.derived.eval.effective.pod("shop/web").is_some());
        assert_eq!(s.derived.eval.endpoints.len(), 2);
        assert!(s.is_drawn("shop/web"));
        assert_eq!(s.derived.arrows[0].verdict, Verdict::Allowed);
        let s = replay(s, vec![Action::RemoveEndpoint("shop/web".into())]);
        assert!(s.ws.arrows.is_empty());
        assert!(s.derived.eval.effective.pod("shop/web").is_none());
    }

    #[test]
    fn share_round_trip_keeps_the_workspace() {
        let s = replay(
            docs(),
            vec![
                Action::AddArrow(
                    "team-one-namespace/pod-1".into(),
                    "team-one-namespace/pod-2".into(),
                    netpol::syntax::policy_ports("8080/TCP, 53/UDP").unwrap(),
                ),
                Action::MoveNode("team-one-namespace/pod-1".into(), Pos { x: 1.25, y: 2.0 }),
                Action::SetFlows(false),
            ],
        );
        let share = s.to_share();
        let back = AppState::new(
            &crate::share::ShareState::decode(&share.encode()).unwrap(),
            LoadOrigin::Shared,
        );
        assert_eq!(back.to_share(), share);
        assert_eq!(back.ws.arrows, s.ws.arrows);
    }

    #[test]
    fn oversized_manifests_are_kept_but_not_evaluated() {
        let big = "# x\n".repeat(MAX_EVAL_BYTES / 4 + 10);
        let s = replay(docs(), vec![Action::SetManifests(big.clone())]);
        assert_eq!(s.ws.manifests, big);
        assert!(s.derived.skipped.is_some());
        assert!(s.derived.eval.effective.pods.is_empty());
    }

    #[test]
    fn broken_yaml_reports_and_still_draws_the_rest() {
        let ex = examples::find("docs").unwrap();
        let broken = examples::state_from_disk(ex.id).manifests.replacen(
            "kind: Pod\n",
            "kind: Pod\n  bad: [\n",
            1,
        );
        let s = replay(docs(), vec![Action::SetManifests(broken)]);
        assert!(!s.derived.diagnostics.is_empty());
        assert!(s.derived.eval.effective.pods.len() >= 4);
    }

    #[test]
    fn view_actions_do_not_reevaluate() {
        let s = docs();
        let d = Rc::clone(&s.derived);
        let s = replay(
            s,
            vec![
                Action::SelectTab(Tab::Table),
                Action::SetProbe(53, Protocol::Udp),
                Action::Select(Some(Selection::Node("x/y".into()))),
            ],
        );
        assert!(Rc::ptr_eq(&d, &s.derived));
        assert_eq!(s.ws_rev, 0);
        assert!(!s.dirty);
    }

    /// Each kind of action, in an order where each does what its [`Action::effect`]
    /// says on the docs' example, then less in the states its guards name; with the change
    /// expected of it there.
    fn one_of_each() -> Vec<(Action, Change)> {
        use Change::{Layout, Load, Nothing, Saved, View, Workspace};
        let (pod1, pod2) = ("team-one-namespace/pod-1", "team-one-namespace/pod-2");
        let log = examples::state_from_disk("hubble-prometheus").flow_log;
        let log = log.as_str();
        let nowhere = Pos {
            x: f64::NAN,
            y: 0.0,
        };
        vec![
            (Action::SelectTab(Tab::Table), View),
            (Action::Select(Some(Selection::Node(pod1.into()))), View),
            (Action::SetProbe(53, Protocol::Udp), View),
            (
                Action::Explain(ExplainQuery {
                    from: pod1.into(),
                    to: pod2.into(),
                    port: 80,
                    protocol: Protocol::Tcp,
                }),
                View,
            ),
            (Action::OpenDialog(Dialog::Help), View),
            (Action::CloseDialog, View),
            (Action::Notify(Some(Notice::info("hello"))), View),
            (Action::JumpToLine(3), View),
            (Action::SetFlows(false), Saved),
            (
                Action::MoveNode(pod1.into(), Pos { x: 5.0, y: 5.0 }),
                Layout,
            ),
            (Action::MoveNode(pod1.into(), nowhere), Nothing),
            (Action::ResetLayout, Saved),
            // Choosing the source, then completing the arrow.
            (Action::Connect(pod1.into()), View),
            (Action::CancelConnect, View),
            (Action::Connect(pod1.into()), View),
            (Action::Connect(pod2.into()), Workspace),
            (
                Action::SetArrowPorts(0, netpol::syntax::policy_ports("80").unwrap()),
                Workspace,
            ),
            (Action::AddArrow(pod1.into(), pod2.into(), Vec::new()), View),
            (Action::AddArrow(pod1.into(), pod1.into(), Vec::new()), View),
            (Action::RemoveArrow(0), Workspace),
            (
                Action::AddArrow(pod2.into(), pod1.into(), Vec::new()),
                Workspace,
            ),
            (
                Action::AddNamespace("shop".into(), Labels::new()),
                Workspace,
            ),
            (Action::AddNamespace("shop".into(), Labels::new()), View),
            (
                Action::AddPod("shop".into(), "web".into(), Labels::new()),
                Workspace,
            ),
            (
                Action::AddPod("shop".into(), "web".into(), Labels::new()),
                View,
            ),
            (Action::AddExternal("ip:8.8.4.4".into()), Workspace),
            (Action::AddExternal("ip:8.8.4.4".into()), View),
            (Action::RemoveEndpoint("ip:8.8.4.4".into()), Workspace),
            (Action::RemoveEndpoint(pod1.into()), Nothing),
            (Action::RemoveNamespace("shop".into()), Workspace),
            (
                Action::SetOptions(Options {
                    dns: true,
                    ..Options::default()
                }),
                Workspace,
            ),
            (
                Action::SetOptions(Options {
                    dns: true,
                    ..Options::default()
                }),
                Nothing,
            ),
            (Action::SetKustomize(true), Workspace),
            (Action::SetKustomize(true), Nothing),
            (Action::KeepFlows, Nothing),
            (Action::SetFlowLog(log.into()), Workspace),
            (Action::SetFlowLog(log.into()), Nothing),
            (Action::KeepFlows, Workspace),
            (Action::KeepFlows, View),
            (Action::Compare(Request::Snapshot), Saved),
            (Action::StopCompare, Saved),
            (Action::StopCompare, Nothing),
            (Action::SetManifests("# nothing\n".into()), Workspace),
            (Action::SetManifests("# nothing\n".into()), Nothing),
            (Action::AppendManifests("# more\n".into()), Workspace),
            (Action::AppendManifests("#".repeat(MAX_EVAL_BYTES)), View),
            (Action::Load(Box::default(), LoadOrigin::Shared), Load),
        ]
    }

    /// The variants of `pub enum name` in `source`, as rustfmt lays them out (one a line,
    /// four spaces in): a test that must see each of them finds a new one here.
    pub(crate) fn variants(source: &str, name: &str) -> Vec<String> {
        let body = source
            .split_once(&format!("pub enum {name} {{\n"))
            .unwrap()
            .1;
        let body = &body[..body.find("\n}\n").unwrap()];
        body.lines()
            .filter_map(|l| l.strip_prefix("    "))
            .filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase()))
            .map(variant_of)
            .collect()
    }

    /// The variant a value's `Debug` text starts with.
    pub(crate) fn variant_of(debug: &str) -> String {
        debug
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect()
    }

    #[test]
    fn every_action_moves_the_revisions_its_change_names() {
        let mut s = docs();
        let mut full = std::collections::BTreeSet::new();
        for (action, expected) in one_of_each() {
            let claimed = action.effect();
            assert!(
                matches!(expected, Change::Nothing | Change::View) || expected == claimed,
                "{action:?} is expected to do {expected:?}, and claims {claimed:?}"
            );
            if expected == claimed {
                full.insert(variant_of(&format!("{action:?}")));
            }
            assert_eq!(action.changes_workspace(), claimed.moves().ws);
            let before = Rc::clone(&s);
            s = Rc::clone(&s).reduce(action.clone());
            let m = expected.moves();
            let step = |after: u64, before: u64| after - before;
            assert_eq!(
                (
                    step(s.rev, before.rev),
                    step(s.ws_rev, before.ws_rev),
                    step(s.saved_rev, before.saved_rev),
                ),
                (u64::from(m.rev), u64::from(m.ws), u64::from(m.saved)),
                "{action:?}: (rev, ws_rev, saved_rev) for {expected:?}"
            );
            assert_eq!(Rc::ptr_eq(&s, &before), !m.rev, "{action:?}");
            if m.dirty {
                assert!(s.dirty, "{action:?} leaves the work clean");
            } else if expected != Change::Load {
                assert_eq!(s.dirty, before.dirty, "{action:?} changed `dirty`");
            }
        }
        assert!(!s.dirty, "the last load was clean");
        let s = s.reduce(Action::Load(
            Box::default(),
            LoadOrigin::Restored { dirty: true },
        ));
        assert!(s.dirty, "a load restores the saved flag");
        // Every action did its whole effect at least once above.
        for name in variants(include_str!("state.rs"), "Action") {
            assert!(
                full.contains(&name),
                "Action::{name} is not in `one_of_each`"
            );
        }
    }

    #[test]
    fn a_keyboard_arrow_is_timed_like_a_drawn_one() {
        // The store marks the start of a timed update only for these; a keyboard-drawn
        // arrow once went untimed and was measured from a stale mark.
        assert!(Action::Connect("a/b".into()).changes_workspace());
        assert!(Action::AddArrow("a/b".into(), "a/c".into(), vec![]).changes_workspace());
        assert!(!Action::CancelConnect.changes_workspace());
        assert!(!Action::MoveNode("a/b".into(), Pos::default()).changes_workspace());
    }

    /// The docs' example with pod-3's policy admitting pod-1 instead of pod-2 (its last
    /// `app: "pod-2"`).
    fn pod3_admits_pod1(text: &str) -> String {
        let at = text.rfind("app: \"pod-2\"").unwrap();
        format!("{}app: \"pod-1\"{}", &text[..at], &text[at + 12..])
    }

    #[test]
    fn compare_follows_every_edit_and_leaves_the_workspace_alone() {
        let s = docs();
        let text = s.ws.manifests.clone();
        let s = replay(s, vec![Action::Compare(Request::Snapshot)]);
        assert_eq!(s.ui.tab, Tab::Changes);
        assert!(s.compare.as_ref().unwrap().diff.is_empty());
        let edited = pod3_admits_pod1(&text);
        let (p2, p3) = ("team-one-namespace/pod-2", "team-two-namespace/pod-3");
        let s = replay(
            s,
            vec![
                Action::SetManifests(edited.clone()),
                Action::Select(Some(Selection::Change(p2.into(), p3.into()))),
            ],
        );
        let c = s.compare.as_ref().unwrap();
        let closed = c.change(p2, p3).expect("pod-2 -> pod-3 closed");
        assert!(closed.closed.is_all() && closed.opened.is_empty());
        assert_eq!(s.ws.manifests, edited);
        // The link carries both sides, and opens to the same diff.
        let back = AppState::new(
            &ShareState::decode(&s.to_share().encode()).unwrap(),
            LoadOrigin::Shared,
        );
        assert_eq!(back.compare.as_ref().unwrap().diff, c.diff);
        assert_eq!(back.ui.tab, Tab::Changes);
        // Undoing the edit: the pair no longer differs, and its selection goes.
        let s = replay(s, vec![Action::SetManifests(text)]);
        assert!(s.compare.as_ref().unwrap().diff.is_empty());
        assert_eq!(s.ui.selection, None);
        let s = replay(s, vec![Action::StopCompare]);
        assert!(s.compare.is_none());
        assert_eq!(s.ui.tab, Tab::Generated);
        assert!(s.to_share().compare.is_none());
    }

    #[test]
    fn pasted_manifests_are_remembered_after_compare_stops() {
        let s = replay(
            docs(),
            vec![
                Action::Compare(Request::Manifests("# the base branch\n".into())),
                Action::StopCompare,
                Action::Load(Box::default(), LoadOrigin::Shared),
            ],
        );
        assert_eq!(
            s.pasted.as_deref().map(String::as_str),
            Some("# the base branch\n")
        );
        assert!(s.compare.is_none());
        assert_ne!(s.ui.tab, Tab::Changes);
    }

    #[test]
    fn lessons_load_clean_and_are_not_examples() {
        let s = AppState::new(
            &ShareState::default(),
            LoadOrigin::Lesson {
                id: "x".into(),
                solution: false,
            },
        );
        assert!(!s.dirty);
        assert_eq!(s.pristine_example(), None);
        let restored = AppState::new(&ShareState::default(), LoadOrigin::Restored { dirty: true });
        assert!(restored.dirty);
    }

    fn dropped(s: &AppState) -> Vec<String> {
        s.replay
            .as_ref()
            .map(|r| {
                r.rows
                    .iter()
                    .zip(&r.observed.connections)
                    .filter(|(row, _)| !row.allowed)
                    .map(|(row, c)| format!("{} -> {} {}", row.from, row.to, c.port))
                    .collect()
            })
            .unwrap_or_default()
    }

    const PROM: &str = "monitoring/prometheus -> team-one-namespace/pod-2 9090";

    #[test]
    fn the_hubble_example_drops_prometheus_and_keeping_the_flows_allows_it() {
        let ex = examples::find("hubble-prometheus").unwrap();
        let s = Rc::new(AppState::new(
            &crate::examples::state_from_disk(ex.id),
            LoadOrigin::Example(ex.id.into()),
        ));
        let r = s.replay.clone().expect("the example's log is replayed");
        assert!(
            r.observed.diagnostics.is_empty(),
            "{:?}",
            r.observed.diagnostics
        );
        assert_eq!(r.observed.connections.len(), 8);
        assert!(r.observed.flow_only.is_empty());
        assert_eq!(dropped(&s), [PROM]);
        // Hubble forwarded it (recorded before enforcing): the verdicts disagree.
        assert!(r.rows.iter().filter(|r| r.disagrees).count() == 1);
        let s = s.reduce(Action::KeepFlows);
        assert!(dropped(&s).is_empty(), "{:?}", dropped(&s));
        assert_eq!(s.ui.tab, Tab::Generated);
        let yaml = &s.derived.eval.generated.as_ref().unwrap().yaml;
        assert!(yaml.contains("9090"), "{yaml}");
        // Keeping again adds nothing.
        let arrows = s.ws.arrows.len();
        let s = s.reduce(Action::KeepFlows);
        assert_eq!(s.ws.arrows.len(), arrows);
    }

    #[test]
    fn a_log_on_the_docs_example_draws_the_endpoints_seen_only_in_flows() {
        let log = examples::state_from_disk("hubble-prometheus").flow_log;
        let s = docs().reduce(Action::SetFlowLog(log.to_string()));
        assert_eq!(s.ui.tab, Tab::Flows);
        let r = s.replay.clone().unwrap();
        assert!(r.is_flow_only("monitoring/prometheus"));
        assert_eq!(dropped(&s), [PROM]);
        // An edit that leaves the endpoints replays without reading the log again.
        let text = format!("{}\n# edited\n", s.ws.manifests);
        let s = s.reduce(Action::SetManifests(text));
        assert!(s
            .replay
            .as_ref()
            .unwrap()
            .is_flow_only("monitoring/prometheus"));
        // Keeping draws the namespace and pod seen only in flows, and the arrow.
        let s = s.reduce(Action::KeepFlows);
        assert!(s.ws.namespaces.iter().any(|n| n.name == "monitoring"));
        assert!(s.ws.pods.iter().any(|p| p.name == "prometheus"));
        assert!(dropped(&s).is_empty(), "{:?}", dropped(&s));
        // The log is kept as given, and shared.
        assert_eq!(*s.flow_log, log);
        assert_eq!(s.to_share().flow_log, log);
    }

    #[test]
    fn compare_marks_the_connections_a_change_starts_dropping() {
        let ex = examples::find("hubble-prometheus").unwrap();
        let s = Rc::new(AppState::new(
            &crate::examples::state_from_disk(ex.id),
            LoadOrigin::Example(ex.id.into()),
        ));
        let s = s
            .reduce(Action::KeepFlows)
            .reduce(Action::Compare(Request::Snapshot));
        assert!(s
            .replay
            .as_ref()
            .unwrap()
            .rows
            .iter()
            .all(|r| !r.starts_dropping));
        // Remove every arrow again: Prometheus is dropped, and the change started it.
        let mut s = s;
        while !s.ws.arrows.is_empty() {
            s = s.reduce(Action::RemoveArrow(0));
        }
        let r = s.replay.clone().unwrap();
        let starts: Vec<_> = r
            .rows
            .iter()
            .filter(|r| r.starts_dropping)
            .map(|r| r.from.as_str())
            .collect();
        assert_eq!(starts, ["monitoring/prometheus"]);
    }

    #[test]
    fn bad_lines_are_located_and_the_rest_replays() {
        let log = examples::state_from_disk("hubble-prometheus").flow_log;
        let broken = format!("{{\"flow\": nope\n{log}");
        let s = docs().reduce(Action::SetFlowLog(broken));
        let r = s.replay.clone().unwrap();
        assert_eq!(r.observed.diagnostics[0].line, 1);
        assert_eq!(r.observed.connections.len(), 8);
        let s = s.reduce(Action::SetFlowLog(String::new()));
        assert!(s.replay.is_none());
    }
}
