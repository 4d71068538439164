//! The app's state: the workspace (what the user made), what the engine derived from it,
//! and the view state (tabs, selection, dialogs). `reduce` is pure and never touches a
//! browser API, so it is tested natively by replaying actions.
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
        diagnostics.sort_by_key(|d| (d.line, d.column));
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

impl Action {
    /// Whether the action can change the workspace, and so re-run the engine: what the
    /// store times. `Connect` can (it completes an arrow once a source is chosen).
    pub fn changes_workspace(&self) -> bool {
        match self {
            Action::SetManifests(_)
            | Action::AppendManifests(_)
            | Action::Load(..)
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
            | Action::SetFlowLog(_)
            | Action::KeepFlows
            | Action::Connect(_) => true,
            Action::MoveNode(..)
            | Action::ResetLayout
            | Action::SelectTab(_)
            | Action::Select(_)
            | Action::CancelConnect
            | Action::SetFlows(_)
            | Action::SetProbe(..)
            | Action::Explain(_)
            | Action::OpenDialog(_)
            | Action::CloseDialog
            | Action::Notify(_)
            | Action::JumpToLine(_)
            | Action::Compare(_)
            | Action::StopCompare => false,
        }
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
    /// Bumped on every change (what `PartialEq` compares).
    pub rev: u64,
    /// Bumped when the workspace changes (what persistence and timing watch).
    pub ws_rev: u64,
    /// Bumped when anything persisted changes (workspace, positions, flows toggle).
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
            _ => None,
        }
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// What one action did to (a copy of) the state.
enum Step {
    Unchanged,
    /// Only the view state changed.
    Changed,
    /// The workspace became this one.
    Edited(Workspace),
    /// A load: a new state altogether.
    Replaced(Box<AppState>),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match s.step(action) {
            Step::Unchanged => return self,
            Step::Changed => {}
            Step::Edited(ws) => s.commit(ws),
            Step::Replaced(next) => return Rc::new(*next),
        }
        s.rev += 1;
        Rc::new(s)
    }
}

impl AppState {
    fn step(&mut self, action: Action) -> Step {
        match action {
            Action::SetManifests(text) if text == self.ws.manifests => Step::Unchanged,
            Action::SetManifests(text) => self.edited(|w| w.manifests = text),
            Action::AppendManifests(text) => self.append(&text),
            Action::Load(share, origin) => Step::Replaced(Box::new(self.load(&share, origin))),
            Action::AddNamespace(name, labels) => self.add_namespace(name, labels),
            Action::AddPod(namespace, name, labels) => self.add_pod(namespace, name, labels),
            Action::AddExternal(id) => {
                self.ui.selection = Some(Selection::Node(id.clone()));
                if self.ws.externals.contains(&id) {
                    Step::Changed
                } else {
                    self.edited(|w| w.externals.push(id))
                }
            }
            Action::RemoveEndpoint(id) => self.remove_endpoint(&id),
            Action::RemoveNamespace(name) => {
                self.ui.selection = None;
                self.edited(|w| remove_namespace(w, &name))
            }
            Action::AddArrow(from, to, ports) => self.add_arrow(from, to, ports),
            Action::SetArrowPorts(i, ports) => self.edited(|w| {
                if let Some(a) = w.arrows.get_mut(i) {
                    a.ports = ports;
                }
            }),
            Action::RemoveArrow(i) => {
                self.ui.selection = None;
                self.edited(|w| {
                    if i < w.arrows.len() {
                        w.arrows.remove(i);
                    }
                })
            }
            Action::SetOptions(o) if o == self.ws.options => Step::Unchanged,
            Action::SetOptions(o) => self.edited(|w| w.options = o),
            Action::SetKustomize(on) if on == self.ws.kustomize => Step::Unchanged,
            Action::SetKustomize(on) => self.edited(|w| w.kustomize = on),
            Action::Connect(id) => self.connect(id),
            Action::Compare(request) => self.start_compare(request),
            Action::StopCompare if self.compare.is_none() => Step::Unchanged,
            Action::StopCompare => self.stop_compare(),
            Action::SetFlowLog(text) if text == *self.flow_log => Step::Unchanged,
            Action::SetFlowLog(text) => {
                self.flow_log = Rc::new(text);
                self.refresh_replay(false);
                self.ui.tab = Tab::Flows;
                self.ws_rev += 1;
                self.saved_rev += 1;
                self.dirty = true;
                Step::Changed
            }
            Action::KeepFlows => self.keep_flows(),
            view => self.view(view),
        }
    }

    /// The actions that change only what is shown.
    fn view(&mut self, action: Action) -> Step {
        match action {
            Action::MoveNode(_, pos) if !(pos.x.is_finite() && pos.y.is_finite()) => {
                return Step::Unchanged
            }
            Action::MoveNode(id, pos) => {
                Rc::make_mut(&mut self.positions).insert(id, pos);
                self.saved_rev += 1;
                self.dirty = true;
            }
            Action::ResetLayout => {
                self.positions = Rc::new(BTreeMap::new());
                self.saved_rev += 1;
            }
            Action::SelectTab(t) => self.ui.tab = t,
            Action::Select(sel) => self.ui.selection = sel,
            Action::CancelConnect => self.ui.connecting = None,
            Action::SetFlows(on) => {
                self.ui.flows = on;
                self.saved_rev += 1;
            }
            Action::SetProbe(port, proto) => self.ui.probe = (port, proto),
            Action::Explain(q) => {
                self.ui.explain = Some(q);
                self.ui.tab = Tab::Explain;
            }
            Action::OpenDialog(d) => self.ui.dialog = Some(d),
            Action::CloseDialog => self.ui.dialog = None,
            Action::Notify(n) => self.ui.notice = n,
            Action::JumpToLine(line) => {
                let n = self.ui.jump.map(|(_, n)| n + 1).unwrap_or(0);
                self.ui.jump = Some((line, n));
            }
            // Workspace actions are `step`'s.
            _ => return Step::Unchanged,
        }
        Step::Changed
    }

    /// A copy of the workspace, changed by `f`.
    fn edited(&self, f: impl FnOnce(&mut Workspace)) -> Step {
        let mut w = (*self.ws).clone();
        f(&mut w);
        Step::Edited(w)
    }

    /// Re-evaluates after a workspace change.
    fn commit(&mut self, w: Workspace) {
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
        self.ws_rev += 1;
        self.saved_rev += 1;
        self.dirty = true;
    }

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
        next.rev = self.rev + 1;
        next.ws_rev = self.ws_rev + 1;
        next.saved_rev = self.saved_rev + 1;
        next
    }

    fn start_compare(&mut self, request: Request) -> Step {
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
        self.saved_rev += 1;
        Step::Changed
    }

    fn stop_compare(&mut self) -> Step {
        self.compare = None;
        self.refresh_replay(true);
        if self.ui.tab == Tab::Changes {
            self.ui.tab = Tab::Generated;
        }
        if matches!(self.ui.selection, Some(Selection::Change(..))) {
            self.ui.selection = None;
        }
        self.saved_rev += 1;
        Step::Changed
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

    fn keep_flows(&mut self) -> Step {
        let Some(replay) = self.replay.clone() else {
            return Step::Unchanged;
        };
        let (w, n) = flowlog::keep(&self.ws, &replay, &self.derived.eval.effective);
        if n == 0 {
            self.ui.notice = Some(Notice::info(
                "Every observed connection already has its arrow: nothing to keep.",
            ));
            return Step::Changed;
        }
        self.ui.notice = Some(Notice::info(format!(
            "Kept the observed flows: {n} arrow{} added or widened. The generated YAML allows them.",
            if n == 1 { "" } else { "s" }
        )));
        self.ui.tab = Tab::Generated;
        Step::Edited(w)
    }

    fn append(&mut self, text: &str) -> Step {
        if self.ws.manifests.len() + text.len() > MAX_EVAL_BYTES {
            self.ui.notice = Some(Notice::error(format!(
                "Those files add {}; the editor takes at most {} in all. Nothing was added.",
                human_size(text.len()),
                human_size(MAX_EVAL_BYTES)
            )));
            return Step::Changed;
        }
        self.edited(|w| {
            if !w.manifests.trim().is_empty() {
                if !w.manifests.ends_with('\n') {
                    w.manifests.push('\n');
                }
                w.manifests.push_str("---\n");
            }
            w.manifests.push_str(text);
        })
    }

    fn add_namespace(&mut self, name: String, labels: Labels) -> Step {
        if self.derived.eval.effective.namespace(&name).is_some() {
            self.ui.notice = Some(Notice::error(format!("namespace `{name}` already exists")));
            return Step::Changed;
        }
        self.edited(|w| w.namespaces.push(DrawnNamespace { name, labels }))
    }

    fn add_pod(&mut self, namespace: String, name: String, labels: Labels) -> Step {
        let id = format!("{namespace}/{name}");
        if self.derived.eval.effective.pod(&id).is_some() {
            self.ui.notice = Some(Notice::error(format!("`{id}` already exists")));
            return Step::Changed;
        }
        self.ui.selection = Some(Selection::Node(id));
        self.edited(|w| {
            w.pods.push(DrawnPod {
                namespace,
                name,
                labels,
            })
        })
    }

    fn remove_endpoint(&mut self, id: &str) -> Step {
        if !self.is_drawn(id) {
            return Step::Unchanged;
        }
        Rc::make_mut(&mut self.positions).remove(id);
        self.ui.selection = None;
        self.edited(|w| {
            w.pods
                .retain(|p| format!("{}/{}", p.namespace, p.name) != id);
            w.externals.retain(|e| e != id);
            w.arrows.retain(|a| a.from != id && a.to != id);
        })
    }

    fn add_arrow(&mut self, from: String, to: String, ports: Vec<PolicyPort>) -> Step {
        self.ui.connecting = None;
        if from == to {
            self.ui.notice = Some(Notice::error(
                "a pod can always talk to itself; draw the arrow to another node",
            ));
            return Step::Changed;
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
            return Step::Changed;
        }
        self.edited(|w| w.arrows.push(Intent { from, to, ports }))
    }

    fn connect(&mut self, id: String) -> Step {
        match self.ui.connecting.take() {
            None => {
                self.ui.connecting = Some(id.clone());
                self.ui.selection = Some(Selection::Node(id));
                Step::Changed
            }
            Some(from) if from == id => {
                self.ui.connecting = Some(from);
                Step::Changed
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
mod tests {
    use super::*;
    use crate::examples;

    fn docs() -> Rc<AppState> {
        let ex = examples::find("docs").unwrap();
        Rc::new(AppState::new(
            &ex.state(),
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
        let broken = ex.yaml.replacen("kind: Pod\n", "kind: Pod\n  bad: [\n", 1);
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

    /// One action of every kind, in an order where each does something on the docs'
    /// example (`Connect` twice: the second completes an arrow).
    fn one_of_each() -> Vec<Action> {
        let (pod1, pod2) = ("team-one-namespace/pod-1", "team-one-namespace/pod-2");
        vec![
            Action::SelectTab(Tab::Table),
            Action::Select(Some(Selection::Node(pod1.into()))),
            Action::SetProbe(53, Protocol::Udp),
            Action::Explain(ExplainQuery {
                from: pod1.into(),
                to: pod2.into(),
                port: 80,
                protocol: Protocol::Tcp,
            }),
            Action::OpenDialog(Dialog::Help),
            Action::CloseDialog,
            Action::Notify(Some(Notice::info("hello"))),
            Action::JumpToLine(3),
            Action::SetFlows(false),
            Action::MoveNode(pod1.into(), Pos { x: 5.0, y: 5.0 }),
            Action::ResetLayout,
            Action::Connect(pod1.into()),
            Action::CancelConnect,
            Action::Connect(pod1.into()),
            Action::Connect(pod2.into()),
            Action::SetArrowPorts(0, netpol::syntax::policy_ports("80").unwrap()),
            Action::RemoveArrow(0),
            Action::AddArrow(pod2.into(), pod1.into(), Vec::new()),
            Action::AddNamespace("shop".into(), Labels::new()),
            Action::AddPod("shop".into(), "web".into(), Labels::new()),
            Action::AddExternal("ip:8.8.4.4".into()),
            Action::RemoveEndpoint("ip:8.8.4.4".into()),
            Action::RemoveNamespace("shop".into()),
            Action::SetOptions(Options {
                dns: true,
                ..Options::default()
            }),
            Action::SetKustomize(true),
            Action::SetManifests("# nothing\n".into()),
            Action::AppendManifests("# more\n".into()),
            Action::Compare(Request::Snapshot),
            Action::StopCompare,
            Action::Load(Box::default(), LoadOrigin::Shared),
        ]
    }

    #[test]
    fn every_action_that_changes_the_workspace_says_so() {
        let mut s = docs();
        let mut edits = 0;
        for action in one_of_each() {
            let (ws_rev, rev) = (s.ws_rev, s.rev);
            let says = action.changes_workspace();
            s = s.reduce(action.clone());
            assert_ne!(s.rev, rev, "{action:?} did nothing");
            if s.ws_rev != ws_rev {
                edits += 1;
                assert!(says, "{action:?} changed the workspace untimed");
            }
        }
        assert_eq!(edits, 14, "every workspace action in the list edits");
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
            &ex.state(),
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
        let log = examples::find("hubble-prometheus").unwrap().flow_log;
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
            &ex.state(),
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
        let log = examples::find("hubble-prometheus").unwrap().flow_log;
        let broken = format!("{{\"flow\": nope\n{log}");
        let s = docs().reduce(Action::SetFlowLog(broken));
        let r = s.replay.clone().unwrap();
        assert_eq!(r.observed.diagnostics[0].line, 1);
        assert_eq!(r.observed.connections.len(), 8);
        let s = s.reduce(Action::SetFlowLog(String::new()));
        assert!(s.replay.is_none());
    }
}
