//! The app's state: the workspace (what the user made), what the engine derived from it,
//! and the view state (tabs, selection, dialogs). `reduce` is pure and never touches a
//! browser API, so it is tested natively by replaying actions.
//!
//! Every workspace change re-evaluates at once (no button): the engine runs inside
//! `reduce`, and the derived results are shared (`Rc`) with the views, which only render.

use std::collections::BTreeMap;
use std::rc::Rc;

use netpol::generate::{parse_intent, Baseline, Intent, Options, SelectorStyle};
use netpol::model::{Labels, PolicyPort};
use netpol::workspace::{evaluate, DrawnNamespace, DrawnPod, Evaluation, Workspace};
use netpol::{Diagnostic, Protocol};
use yew::Reducible;

use crate::layout::Pos;
use crate::share::{NamespaceDto, OptionsDto, PodDto, ShareState, MAX_MANIFESTS};

/// Manifests larger than this are kept in the editor but not evaluated.
pub const MAX_EVAL_BYTES: usize = MAX_MANIFESTS;

/// The output pane's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Tab {
    /// The generated YAML.
    #[default]
    Generated,
    /// Loader and linter diagnostics.
    Diagnostics,
    /// The truth table.
    Table,
    /// One connection, explained.
    Explain,
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
}

/// A modal dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dialog {
    /// Add a namespace.
    AddNamespace,
    /// Add a pod, optionally into a given namespace.
    AddPod(Option<String>),
    /// Add an external endpoint.
    AddExternal,
    /// Confirm replacing unsaved work with an example (by id, or `""` for a blank workspace).
    ConfirmExample(String),
    /// The share link.
    Share,
    /// Keyboard and mouse help.
    Help,
}

/// How a notice looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    /// Neutral information.
    Info,
    /// Something was refused or went wrong.
    Error,
}

/// A message in the banner under the toolbar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Look.
    pub kind: NoticeKind,
    /// Text.
    pub text: String,
    /// Offer to restore the work that the last load replaced.
    pub restore: bool,
}

/// The Explain tab's question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplainQuery {
    /// Sender id.
    pub from: String,
    /// Receiver id.
    pub to: String,
    /// Port.
    pub port: u16,
    /// Protocol.
    pub protocol: Protocol,
}

/// View state: nothing here changes what the engine computes.
#[derive(Clone, Debug, PartialEq)]
pub struct Ui {
    /// Active output tab.
    pub tab: Tab,
    /// Diagram selection.
    pub selection: Option<Selection>,
    /// Keyboard arrow drawing: the source chosen so far.
    pub connecting: Option<String>,
    /// Show every allowed flow in the diagram.
    pub flows: bool,
    /// Truth table port and protocol.
    pub probe: (u16, Protocol),
    /// Explain tab question.
    pub explain: Option<ExplainQuery>,
    /// Open dialog.
    pub dialog: Option<Dialog>,
    /// Banner message.
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

pub use netpol::arrows::{ArrowView, Verdict};

/// Everything derived from one workspace.
#[derive(Debug)]
pub struct Derived {
    /// The engine's evaluation.
    pub eval: Evaluation,
    /// Why the manifests were not evaluated (too large), if they were not.
    pub skipped: Option<String>,
    /// Arrows with verdicts, in workspace order.
    pub arrows: Vec<ArrowView>,
    /// Loader and linter diagnostics, sorted by line.
    pub diagnostics: Vec<Diagnostic>,
}

impl Derived {
    /// Evaluates `ws`.
    pub fn of(ws: &Workspace) -> Derived {
        let (eval, skipped) = if ws.manifests.len() > MAX_EVAL_BYTES {
            let lighter = Workspace {
                manifests: String::new(),
                ..ws.clone()
            };
            (
                evaluate(&lighter),
                Some(format!(
                    "The manifests are {}; the playground evaluates at most {}. Nothing from the editor is drawn: remove some documents.",
                    human_size(ws.manifests.len()),
                    human_size(MAX_EVAL_BYTES)
                )),
            )
        } else {
            (evaluate(ws), None)
        };
        let mut diagnostics: Vec<Diagnostic> = eval
            .loaded
            .diagnostics
            .iter()
            .chain(eval.lints.iter())
            .cloned()
            .collect();
        diagnostics.sort_by_key(|d| (d.line, d.column));
        let arrows = netpol::arrows::arrow_verdicts(&eval, &ws.arrows);
        Derived {
            eval,
            skipped,
            arrows,
            diagnostics,
        }
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

/// `8080/TCP, 53/UDP`: the intent syntax's port list, spaced for reading.
pub fn ports_text(ports: &[PolicyPort]) -> String {
    netpol::generate::ports_text(ports).replace(',', ", ")
}

/// Where a load came from (it decides what "unsaved" means afterwards).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadOrigin {
    /// An example, by id.
    Example(String),
    /// A share link.
    Shared,
    /// The saved state, with its saved "unsaved changes" flag.
    Restored {
        /// Whether the saved work had unsaved changes.
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
    /// Draw a namespace.
    AddNamespace(String, Labels),
    /// Draw a pod (namespace, name, labels).
    AddPod(String, String, Labels),
    /// Draw an external endpoint (`ip:...`).
    AddExternal(String),
    /// Remove a drawn pod or external endpoint and its arrows.
    RemoveEndpoint(String),
    /// Remove a drawn namespace and its drawn pods.
    RemoveNamespace(String),
    /// Draw an arrow (from, to, ports).
    AddArrow(String, String, Vec<PolicyPort>),
    /// Change an arrow's ports.
    SetArrowPorts(usize, Vec<PolicyPort>),
    /// Delete an arrow.
    RemoveArrow(usize),
    /// Change the generator's options.
    SetOptions(Options),
    /// Say whether the project uses Kustomize `commonLabels` (a lint input).
    SetKustomize(bool),
    /// A node was dragged (or moved with the keyboard).
    MoveNode(String, Pos),
    /// Forget dragged positions.
    ResetLayout,
    /// Switch output tab.
    SelectTab(Tab),
    /// Select in the diagram.
    Select(Option<Selection>),
    /// Keyboard drawing: choose the source, or complete the arrow when one is chosen.
    Connect(String),
    /// Cancel keyboard drawing.
    CancelConnect,
    /// Show or hide every allowed flow.
    SetFlows(bool),
    /// Truth table probe.
    SetProbe(u16, Protocol),
    /// Ask the Explain tab a question (and show it).
    Explain(ExplainQuery),
    /// Open a dialog.
    OpenDialog(Dialog),
    /// Close the dialog.
    CloseDialog,
    /// Show or clear the banner.
    Notify(Option<Notice>),
    /// Scroll the editor to a line and select it.
    JumpToLine(usize),
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
    /// View state.
    pub ui: Ui,
    /// Changed since the last example, link or blank workspace was loaded.
    pub dirty: bool,
    /// The example last loaded, if the work started from one.
    pub example: Option<String>,
    /// Bumped on every change (what `PartialEq` compares).
    pub rev: u64,
    /// Bumped when the workspace changes (what persistence and timing watch).
    pub ws_rev: u64,
    /// Bumped when anything persisted changes (workspace, positions, flows toggle).
    pub saved_rev: u64,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.rev == other.rev
    }
}

impl AppState {
    /// A state holding `share` (already validated or built by the app).
    pub fn new(share: &ShareState, origin: LoadOrigin) -> AppState {
        let (ws, positions, problems) = from_share(share);
        let derived = Rc::new(Derived::of(&ws));
        let mut ui = Ui {
            flows: share.flows,
            ..Ui::default()
        };
        if !problems.is_empty() {
            ui.notice = Some(Notice {
                kind: NoticeKind::Error,
                text: format!("Some arrows could not be read: {}", problems.join("; ")),
                restore: false,
            });
        }
        if derived
            .diagnostics
            .iter()
            .any(|d| d.severity == netpol::Severity::Error)
        {
            ui.tab = Tab::Diagnostics;
        }
        let (dirty, example) = match origin {
            LoadOrigin::Example(id) => (false, Some(id)),
            LoadOrigin::Shared => (false, None),
            LoadOrigin::Restored { dirty } => (dirty, None),
        };
        AppState {
            ws: Rc::new(ws),
            positions: Rc::new(positions),
            derived,
            ui,
            dirty,
            example,
            rev: 0,
            ws_rev: 0,
            saved_rev: 0,
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

    /// Whether a namespace was drawn.
    pub fn is_drawn_namespace(&self, name: &str) -> bool {
        self.ws.namespaces.iter().any(|n| n.name == name)
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Converts the DTO into a workspace and positions; arrows that do not parse are reported.
pub fn from_share(s: &ShareState) -> (Workspace, BTreeMap<String, Pos>, Vec<String>) {
    let mut problems = Vec::new();
    let arrows = s
        .arrows
        .iter()
        .filter_map(|a| match parse_intent(a) {
            Ok(i) => Some(i),
            Err(e) => {
                problems.push(e);
                None
            }
        })
        .collect();
    let ws = Workspace {
        manifests: s.manifests.clone(),
        namespaces: s
            .namespaces
            .iter()
            .map(|n| DrawnNamespace {
                name: n.name.clone(),
                labels: n.labels.clone(),
            })
            .collect(),
        pods: s
            .pods
            .iter()
            .map(|p| DrawnPod {
                namespace: p.namespace.clone(),
                name: p.name.clone(),
                labels: p.labels.clone(),
            })
            .collect(),
        externals: s.externals.clone(),
        arrows,
        options: options_of(&s.options),
        kustomize: s.kustomize,
    };
    let positions = s
        .positions
        .iter()
        .filter(|(_, [x, y])| x.is_finite() && y.is_finite())
        .map(|(k, [x, y])| (k.clone(), Pos { x: *x, y: *y }))
        .collect();
    (ws, positions, problems)
}

/// A workspace as the share DTO (no view state: positions and the flows toggle default).
pub fn workspace_share(ws: &Workspace) -> ShareState {
    ShareState {
        manifests: ws.manifests.clone(),
        namespaces: ws
            .namespaces
            .iter()
            .map(|n| NamespaceDto {
                name: n.name.clone(),
                labels: n.labels.clone(),
            })
            .collect(),
        pods: ws
            .pods
            .iter()
            .map(|p| PodDto {
                namespace: p.namespace.clone(),
                name: p.name.clone(),
                labels: p.labels.clone(),
            })
            .collect(),
        externals: ws.externals.clone(),
        arrows: ws.arrows.iter().map(|a| a.to_string()).collect(),
        options: options_dto(&ws.options),
        kustomize: ws.kustomize,
        ..ShareState::default()
    }
}

/// DTO spelling of the options.
pub fn options_dto(o: &Options) -> OptionsDto {
    OptionsDto {
        baseline: match o.baseline {
            Baseline::None => "none",
            Baseline::DenyAll => "deny-all",
            Baseline::DocsDefault => "docs-default",
            Baseline::ClusterBaseline => "cluster-baseline",
        }
        .into(),
        selector: match o.selector {
            SelectorStyle::Labels => "labels",
            SelectorStyle::Expressions => "expressions",
        }
        .into(),
        identity_label: o.identity_label.clone(),
        namespace_label: o.namespace_label.clone(),
        dns: o.dns,
    }
}

/// Options from their DTO spelling (unknown words fall back to the defaults).
pub fn options_of(d: &OptionsDto) -> Options {
    Options {
        baseline: match d.baseline.as_str() {
            "deny-all" => Baseline::DenyAll,
            "docs-default" => Baseline::DocsDefault,
            "cluster-baseline" => Baseline::ClusterBaseline,
            _ => Baseline::None,
        },
        selector: match d.selector.as_str() {
            "expressions" => SelectorStyle::Expressions,
            _ => SelectorStyle::Labels,
        },
        identity_label: d.identity_label.clone().filter(|s| !s.trim().is_empty()),
        namespace_label: d.namespace_label.clone().filter(|s| !s.trim().is_empty()),
        dns: d.dns,
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        let mut ws: Option<Workspace> = None;
        // A mutable copy of the workspace, made on first use.
        macro_rules! ws {
            () => {
                ws.get_or_insert_with(|| (*s.ws).clone())
            };
        }
        match action {
            Action::SetManifests(text) => {
                if text == s.ws.manifests {
                    return self;
                }
                ws!().manifests = text;
            }
            Action::AppendManifests(text) => {
                if s.ws.manifests.len() + text.len() > MAX_EVAL_BYTES {
                    s.ui.notice = Some(error(format!(
                        "Those files add {}; the editor takes at most {} in all. Nothing was added.",
                        human_size(text.len()),
                        human_size(MAX_EVAL_BYTES)
                    )));
                    s.rev += 1;
                    return Rc::new(s);
                }
                let w = ws!();
                if !w.manifests.trim().is_empty() {
                    if !w.manifests.ends_with('\n') {
                        w.manifests.push('\n');
                    }
                    w.manifests.push_str("---\n");
                }
                w.manifests.push_str(&text);
            }
            Action::Load(share, origin) => {
                let mut next = AppState::new(&share, origin);
                // Keep where the user is looking; show what the load said.
                next.ui.tab = if next.ui.tab == Tab::Diagnostics {
                    Tab::Diagnostics
                } else {
                    s.ui.tab
                };
                if next.ui.notice.is_none() {
                    next.ui.notice = s.ui.notice.clone();
                }
                next.rev = s.rev + 1;
                next.ws_rev = s.ws_rev + 1;
                next.saved_rev = s.saved_rev + 1;
                return Rc::new(next);
            }
            Action::AddNamespace(name, labels) => {
                if s.derived.eval.effective.namespace(&name).is_some() {
                    s.ui.notice = Some(error(format!("namespace `{name}` already exists")));
                } else {
                    ws!().namespaces.push(DrawnNamespace { name, labels });
                }
            }
            Action::AddPod(namespace, name, labels) => {
                let id = format!("{namespace}/{name}");
                if s.derived.eval.effective.pod(&id).is_some() {
                    s.ui.notice = Some(error(format!("`{id}` already exists")));
                } else {
                    ws!().pods.push(DrawnPod {
                        namespace,
                        name,
                        labels,
                    });
                    s.ui.selection = Some(Selection::Node(id));
                }
            }
            Action::AddExternal(id) => {
                if s.ws.externals.contains(&id) {
                    s.ui.selection = Some(Selection::Node(id));
                } else {
                    ws!().externals.push(id.clone());
                    s.ui.selection = Some(Selection::Node(id));
                }
            }
            Action::RemoveEndpoint(id) => {
                let w = ws!();
                let before = w.pods.len() + w.externals.len();
                w.pods
                    .retain(|p| format!("{}/{}", p.namespace, p.name) != id);
                w.externals.retain(|e| *e != id);
                if w.pods.len() + w.externals.len() != before {
                    w.arrows.retain(|a| a.from != id && a.to != id);
                    let mut positions = (*s.positions).clone();
                    positions.remove(&id);
                    s.positions = Rc::new(positions);
                    s.ui.selection = None;
                }
            }
            Action::RemoveNamespace(name) => {
                let w = ws!();
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
                s.ui.selection = None;
            }
            Action::AddArrow(from, to, ports) => {
                s.ui.connecting = None;
                if from == to {
                    s.ui.notice = Some(error(
                        "a pod can always talk to itself; draw the arrow to another node".into(),
                    ));
                } else if let Some(i) =
                    s.ws.arrows
                        .iter()
                        .position(|a| a.from == from && a.to == to)
                {
                    // Drawing an existing arrow again selects it instead of duplicating it.
                    s.ui.selection = Some(Selection::Arrow(i));
                } else {
                    let w = ws!();
                    w.arrows.push(Intent { from, to, ports });
                    s.ui.selection = Some(Selection::Arrow(w.arrows.len() - 1));
                }
            }
            Action::SetArrowPorts(i, ports) => {
                if let Some(a) = ws!().arrows.get_mut(i) {
                    a.ports = ports;
                }
            }
            Action::RemoveArrow(i) => {
                let w = ws!();
                if i < w.arrows.len() {
                    w.arrows.remove(i);
                }
                s.ui.selection = None;
            }
            Action::SetOptions(o) => {
                if o == s.ws.options {
                    return self;
                }
                ws!().options = o;
            }
            Action::SetKustomize(on) => {
                if on == s.ws.kustomize {
                    return self;
                }
                ws!().kustomize = on;
            }
            Action::MoveNode(id, pos) => {
                if !(pos.x.is_finite() && pos.y.is_finite()) {
                    return self;
                }
                let mut positions = (*s.positions).clone();
                positions.insert(id, pos);
                s.positions = Rc::new(positions);
                s.saved_rev += 1;
                s.dirty = true;
            }
            Action::ResetLayout => {
                s.positions = Rc::new(BTreeMap::new());
                s.saved_rev += 1;
            }
            Action::SelectTab(t) => s.ui.tab = t,
            Action::Select(sel) => {
                s.ui.selection = sel;
            }
            Action::Connect(id) => match s.ui.connecting.take() {
                None => {
                    s.ui.connecting = Some(id.clone());
                    s.ui.selection = Some(Selection::Node(id));
                }
                Some(from) if from == id => s.ui.connecting = Some(from),
                Some(from) => {
                    return Rc::new(s).reduce(Action::AddArrow(from, id, Vec::new()));
                }
            },
            Action::CancelConnect => s.ui.connecting = None,
            Action::SetFlows(on) => {
                s.ui.flows = on;
                s.saved_rev += 1;
            }
            Action::SetProbe(port, proto) => s.ui.probe = (port, proto),
            Action::Explain(q) => {
                s.ui.explain = Some(q);
                s.ui.tab = Tab::Explain;
            }
            Action::OpenDialog(d) => s.ui.dialog = Some(d),
            Action::CloseDialog => s.ui.dialog = None,
            Action::Notify(n) => s.ui.notice = n,
            Action::JumpToLine(line) => {
                let n = s.ui.jump.map(|(_, n)| n + 1).unwrap_or(0);
                s.ui.jump = Some((line, n));
            }
        }
        if let Some(w) = ws {
            if s.ui.selection.as_ref().is_some_and(|sel| match sel {
                Selection::Arrow(i) => *i >= w.arrows.len(),
                _ => false,
            }) {
                s.ui.selection = None;
            }
            s.derived = Rc::new(Derived::of(&w));
            s.ws = Rc::new(w);
            s.ws_rev += 1;
            s.saved_rev += 1;
            s.dirty = true;
        }
        s.rev += 1;
        Rc::new(s)
    }
}

fn error(text: String) -> Notice {
    Notice {
        kind: NoticeKind::Error,
        text,
        restore: false,
    }
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
        assert_eq!(s.example.as_deref(), Some("docs"));
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
                    crate::forms::parse_ports("8080/TCP, 53/UDP").unwrap(),
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

    #[test]
    fn ports_text_reads_back() {
        let ports = crate::forms::parse_ports("8080/TCP,53/UDP").unwrap();
        let text = ports_text(&ports);
        assert_eq!(crate::forms::parse_ports(&text).unwrap(), ports);
    }
}
