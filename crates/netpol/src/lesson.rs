//! Lessons: a starting workspace, a goal given as expected connectivity, optional
//! constraints, hints and a solution, read from a YAML data file (`www/lessons/*.yaml`),
//! and the checker that grades a learner's workspace against the goal.
//!
//! Lessons are data so that a trainer adds one without touching Rust; the format is
//! documented in `www/lessons/README.md` and described for editors by
//! `www/lessons/schema.json`. The reader is strict (an unknown or missing field is an error
//! with its line and column) because a typo in a goal would otherwise silently make a
//! lesson easier or impossible.
//!
//! The checker never evaluates on its own: it runs [`crate::workspace::evaluate`] (the
//! same path the playground uses for manifests, drawn endpoints and arrows) and
//! [`crate::explain`] on the effective cluster, so what a lesson reports is exactly what
//! the playground shows.

use std::fmt;

use serde::Serialize;

use crate::diag::{self, Code, Diagnostic, Severity};
use crate::endpoint::Endpoint;
use crate::eval::{explain, Explanation, Traffic};
use crate::generate::{parse_intent, Baseline, SelectorStyle};
use crate::model::{Cluster, Labels, Origin, Peer, Policy, Rule};
use crate::ports::Protocol;
use crate::selector::Selector;
use crate::workspace::{self, DrawnNamespace, DrawnPod, Workspace};
use crate::yaml::value::{Mapping, Value};
use crate::yaml::{self, Document, LineStarts};

/// One lesson, as read from its file.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// Stable id (`default-policy`): lowercase letters, digits and `-`. Progress is kept
    /// under it, so renaming a lesson's id resets its learners' progress.
    pub id: String,
    /// Title shown in the lesson list.
    pub title: String,
    /// The lesson's text (markdown-ish: paragraphs, `code`, **bold**, lists, fences).
    pub text: String,
    /// Where the learner starts.
    pub start: Workspace,
    /// Connectivity the learner must reach.
    pub goal: Vec<Expectation>,
    /// Rules about how the goal may be reached.
    pub constraints: Vec<Constraint>,
    /// Hints, revealed one at a time.
    pub hints: Vec<String>,
    /// A workspace that reaches the goal.
    pub solution: Workspace,
}

/// One expected connection: `from` may (or may not) open `port`/`protocol` to `to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Expectation {
    /// Sender: `namespace/name` or `ip:8.8.8.8`.
    pub from: String,
    /// Receiver: `namespace/name` or `ip:8.8.8.8`.
    pub to: String,
    /// Destination port.
    pub port: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// True when the connection must be allowed, false when it must stay denied.
    pub allowed: bool,
}

impl Expectation {
    /// Parses `ns/a -> ns/b : 8080/TCP` (spaces around `:` optional, `/TCP` optional).
    /// Whether the connection must be allowed is not part of the text.
    pub fn parse(text: &str, allowed: bool) -> Result<Expectation, String> {
        let text = text.trim();
        // The arrow the intent syntax also accepts.
        let normalised = text.replacen('→', "->", 1);
        let (from, rest) = normalised.split_once("->").ok_or_else(|| {
            format!("`{text}`: write `from -> to : PORT/PROTOCOL` (no `->` found)")
        })?;
        // ` : ` first, so an IPv6 address (`ip:fd00::1 : 443`) keeps its colons; otherwise
        // the last colon, so `ip:8.8.8.8:53/UDP` works.
        let (to, port) = rest
            .split_once(" : ")
            .or_else(|| rest.rsplit_once(':'))
            .ok_or_else(|| format!("`{text}`: a port is missing (`... : 8080/TCP`)"))?;
        let (from, to, port) = (from.trim(), to.trim(), port.trim());
        for (side, id) in [("sender", from), ("receiver", to)] {
            if id.is_empty() {
                return Err(format!("`{text}`: the {side} is missing"));
            }
            if id.contains(char::is_whitespace) {
                return Err(format!(
                    "`{text}`: `{id}` is not an endpoint id (`namespace/name` or `ip:ADDRESS`)"
                ));
            }
        }
        let (number, protocol) = match port.split_once('/') {
            Some((n, p)) => (n.trim(), parse_protocol(p.trim())?),
            None => (port, Protocol::Tcp),
        };
        let port = parse_port(number).map_err(|e| format!("`{text}`: {e}"))?;
        Ok(Expectation {
            from: from.to_string(),
            to: to.to_string(),
            port,
            protocol,
            allowed,
        })
    }

    /// `ns/a -> ns/b : 8080/TCP` (without the verdict).
    pub fn connection(&self) -> String {
        format!(
            "{} -> {} : {}/{}",
            self.from,
            self.to,
            self.port,
            self.protocol.as_str()
        )
    }
}

impl fmt::Display for Expectation {
    /// `allow ns/a -> ns/b : 8080/TCP` / `deny ...`, the way a lesson file writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.allowed { "allow" } else { "deny" };
        write!(f, "{verb} {}", self.connection())
    }
}

fn parse_protocol(text: &str) -> Result<Protocol, String> {
    // The lesson format is for people, so `udp` is as good as `UDP`.
    Protocol::parse(&text.to_ascii_uppercase())
        .ok_or_else(|| format!("unknown protocol `{text}` (TCP, UDP or SCTP)"))
}

fn parse_port(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!(
            "`{text}` is not a port number (1-65535); name ports in the policies, not in the goal"
        )),
        Ok(n) => Ok(n),
    }
}

/// A rule about how the goal may be reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Constraint {
    /// The policy must still exist with the spec it has in the start
    /// ("do not touch namespace-default").
    KeepPolicy {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// Policies the learner wrote or changed select pods with `matchExpressions` only: no
    /// `matchLabels` in their `podSelector`s (Kustomize's `commonLabels` rewrites those).
    UseMatchExpressions,
    /// No NetworkPolicy in this namespace (the fix belongs elsewhere).
    NoPolicyIn {
        /// The namespace.
        namespace: String,
    },
}

impl Constraint {
    /// One line for people (`do not change team-one-namespace/namespace-default`).
    pub fn describe(&self) -> String {
        match self {
            Constraint::KeepPolicy { namespace, name } => {
                format!("keep `{namespace}/{name}` exactly as it is")
            }
            Constraint::UseMatchExpressions => {
                "select pods with matchExpressions, not matchLabels, in the policies you write"
                    .to_string()
            }
            Constraint::NoPolicyIn { namespace } => {
                format!("add no NetworkPolicy to `{namespace}`")
            }
        }
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The grade of one expectation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The expectation.
    pub expectation: Expectation,
    /// True when the workspace does what the expectation asks.
    pub met: bool,
    /// What the workspace does: true when the connection is allowed.
    pub actual: bool,
    /// The evidence: which policies isolate each side and which rules allow or miss.
    /// Present whenever both endpoints exist (met or not), so the UI can show why an
    /// unmet expectation fails and, on request, why a met one holds.
    pub explanation: Option<Explanation>,
    /// Why the expectation could not be evaluated (an endpoint that does not exist).
    pub error: Option<String>,
}

/// The grade of a whole workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// One per goal expectation, in goal order.
    pub outcomes: Vec<Outcome>,
    /// One per constraint, in lesson order: `Err` says what breaks it.
    pub constraints: Vec<(Constraint, Result<(), String>)>,
    /// True when every expectation is met, every constraint holds, the manifests load
    /// without errors and the arrows turn into policies.
    pub complete: bool,
    /// Problems in the workspace (manifest errors and lints), as the playground shows them.
    pub diagnostics: Vec<Diagnostic>,
    /// Why the arrows could not be turned into policies, when they could not.
    pub generate_error: Option<String>,
}

impl Report {
    /// How many expectations are met.
    pub fn met(&self) -> usize {
        self.outcomes.iter().filter(|o| o.met).count()
    }

    /// True when every expectation is met (constraints and errors aside).
    pub fn goal_met(&self) -> bool {
        self.outcomes.iter().all(|o| o.met)
    }
}

/// The lesson list (`www/lessons/index.yaml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonIndex {
    /// The course title, if any.
    pub title: Option<String>,
    /// Lesson file names relative to the index, in teaching order.
    pub lessons: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------

const TOP_FIELDS: &[&str] = &[
    "id",
    "title",
    "text",
    "start",
    "goal",
    "constraints",
    "hints",
    "solution",
];
const TOP_REQUIRED: &[&str] = &["id", "title", "text", "start", "goal", "solution"];
const WORKSPACE_FIELDS: &[&str] = &[
    "manifests",
    "namespaces",
    "pods",
    "externals",
    "arrows",
    "options",
];
const SOLUTION_FIELDS: &[&str] = &[
    "manifests",
    "add_manifests",
    "namespaces",
    "pods",
    "externals",
    "arrows",
    "options",
];
const CONSTRAINTS: &[&str] = &["keep_policy", "use_match_expressions", "no_policy_in"];

/// Reads a lesson file. `name` is used in diagnostics. Every problem is reported, each
/// with its line and column; the lesson is returned only when there is none.
pub fn parse_lesson(name: &str, text: &str) -> Result<Lesson, Vec<Diagnostic>> {
    let mut r = Reader::open(name, text, "lesson")?;
    let root = r.root.clone();
    let lesson = r.lesson(&root);
    match lesson {
        Some(l) if r.diagnostics.is_empty() => Ok(l),
        _ => Err(r.diagnostics),
    }
}

/// Reads the lesson list: `lessons:` (file names, in order) and an optional `title:`.
pub fn parse_index(name: &str, text: &str) -> Result<LessonIndex, Vec<Diagnostic>> {
    let mut r = Reader::open(name, text, "lesson index")?;
    let root = r.root.clone();
    let mut index = LessonIndex {
        title: None,
        lessons: Vec::new(),
    };
    if let Some(map) = r.mapping(&root, "", "the lesson index") {
        r.fields(map, "", &["title", "lessons"], &["lessons"]);
        index.title = r.opt_string(map, "", "title");
        for (path, item) in r.opt_list(map, "", "lessons") {
            if let Some(file) = r.string(item, &path) {
                if file.contains("..") || file.starts_with('/') || !file.ends_with(".yaml") {
                    r.report(
                        diag::INVALID_VALUE,
                        &path,
                        false,
                        format!(
                            "`{file}` is not a lesson file name next to the index (`01-name.yaml`)"
                        ),
                    );
                } else if index.lessons.contains(&file) {
                    r.report(
                        diag::DUPLICATE_NAME,
                        &path,
                        false,
                        format!("`{file}` is listed twice"),
                    );
                } else {
                    index.lessons.push(file);
                }
            }
        }
    }
    if r.diagnostics.is_empty() {
        Ok(index)
    } else {
        Err(r.diagnostics)
    }
}

/// One lesson file being read: the parsed value, where each field is, and what is wrong.
struct Reader<'a> {
    name: &'a str,
    text: &'a str,
    lines: LineStarts,
    /// The document (positions relative to `base`).
    tree: Document,
    base: usize,
    root: Value,
    diagnostics: Vec<Diagnostic>,
}

/// The workspace part of a lesson file before it is turned into a [`Workspace`].
#[derive(Default)]
struct WorkspaceSpec {
    manifests: Option<String>,
    add_manifests: Option<String>,
    namespaces: Option<Vec<(String, Labels)>>,
    pods: Option<Vec<(String, String, Labels)>>,
    externals: Option<Vec<String>>,
    arrows: Option<Vec<String>>,
    options: Option<Vec<(String, String)>>,
}

impl<'a> Reader<'a> {
    fn open(name: &'a str, text: &'a str, what: &str) -> Result<Reader<'a>, Vec<Diagnostic>> {
        let lines = LineStarts::new(text);
        let at = |offset: usize| {
            let (line, column) = lines.position(text, offset);
            Origin {
                source: name.to_string(),
                start: offset,
                end: offset,
                line,
                column,
            }
        };
        let chunks = yaml::split_documents(text);
        let chunk = match chunks.as_slice() {
            [] => {
                return Err(vec![
                    diag::MISSING_FIELD.at(&at(0), format!("the {what} file is empty"))
                ])
            }
            [one] => *one,
            [_, second, ..] => {
                return Err(vec![diag::INVALID_VALUE.at(
                    &at(second.start),
                    format!("a {what} file holds one YAML document; remove the `---`"),
                )])
            }
        };
        let doc = text.get(chunk.start..chunk.end).unwrap_or("");
        let tree = Document::parse(doc).map_err(|e| {
            let offset = chunk.start + yaml::error_offset(doc, e.offset);
            vec![diag::YAML_SYNTAX.at(&at(offset), e.message)]
        })?;
        let root = tree
            .root()
            .map_or(Value::Null, |node| Value::of(&tree, node));
        Ok(Reader {
            name,
            text,
            tree,
            base: chunk.start,
            lines,
            root,
            diagnostics: Vec::new(),
        })
    }

    /// Where `path` is; a key is preferred to its value when `prefer_key`, so "unknown
    /// field" points at the key and "wrong type" at the value.
    fn origin(&self, path: &str, prefer_key: bool) -> Origin {
        let (start, end) = match self.tree.root() {
            Some(root) => {
                let (node, key) = self.tree.find_nearest(root, path);
                let shown = self.tree.node(if prefer_key {
                    key.unwrap_or(node)
                } else {
                    node
                });
                (
                    self.base + shown.start as usize,
                    self.base + shown.end as usize,
                )
            }
            None => (self.base, self.base),
        };
        let (line, column) = self.lines.position(self.text, start);
        Origin {
            source: self.name.to_string(),
            start,
            end: end.max(start),
            line,
            column,
        }
    }

    fn report(&mut self, code: Code, path: &str, prefer_key: bool, message: String) {
        let at = self.origin(path, prefer_key);
        self.diagnostics.push(code.at(&at, message));
    }

    fn report_help(&mut self, code: Code, path: &str, message: String, help: String) {
        let at = self.origin(path, true);
        self.diagnostics.push(code.at(&at, message).with_help(help));
    }

    fn wrong_type(&mut self, value: &Value, path: &str, expected: &str) {
        let shown = if path.is_empty() { "the file" } else { path };
        self.report(
            diag::WRONG_TYPE,
            path,
            false,
            format!("`{shown}` must be {expected}, not {}", kind_of(value)),
        );
    }

    fn mapping<'v>(&mut self, value: &'v Value, path: &str, expected: &str) -> Option<&'v Mapping> {
        match value {
            Value::Mapping(m) => Some(m),
            other => {
                self.wrong_type(other, path, expected);
                None
            }
        }
    }

    /// Reports unknown fields (with the closest known one) and missing required ones.
    fn fields(&mut self, map: &Mapping, path: &str, known: &[&'static str], required: &[&str]) {
        for key in map.keys() {
            let Some(key) = key.as_str() else {
                self.report(
                    diag::WRONG_TYPE,
                    path,
                    false,
                    format!("field names must be strings, not {}", kind_of(key)),
                );
                continue;
            };
            if !known.contains(&key) {
                let help = match crate::suggest::closest(key, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known fields here: {}", known.join(", ")),
                };
                self.report_help(
                    diag::UNKNOWN_FIELD,
                    &join(path, key),
                    format!("unknown field `{key}`"),
                    help,
                );
            }
        }
        for field in required {
            if !map.contains_key(field) {
                let at = if path.is_empty() { "the lesson" } else { path };
                self.report(
                    diag::MISSING_FIELD,
                    path,
                    true,
                    format!("missing required field `{field}` in {at}"),
                );
            }
        }
    }

    fn string(&mut self, value: &Value, path: &str) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            other => {
                self.wrong_type(other, path, "a string (quote it)");
                None
            }
        }
    }

    /// A required or optional string field; `None` when absent (required fields were
    /// already reported by [`Reader::fields`]) or of the wrong type.
    fn opt_string(&mut self, map: &Mapping, path: &str, key: &str) -> Option<String> {
        let value = map.get(key)?;
        self.string(value, &join(path, key))
    }

    /// Items of a list field with their paths; an absent or null field is an empty list.
    fn opt_list<'v>(
        &mut self,
        map: &'v Mapping,
        path: &str,
        key: &str,
    ) -> Vec<(String, &'v Value)> {
        let field = join(path, key);
        match map.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{field}[{i}]"), v))
                .collect(),
            Some(other) => {
                self.wrong_type(other, &field, "a list");
                Vec::new()
            }
        }
    }

    fn string_list(&mut self, map: &Mapping, path: &str, key: &str) -> Option<Vec<String>> {
        if !map.contains_key(key) {
            return None;
        }
        let items = self.opt_list(map, path, key);
        Some(
            items
                .into_iter()
                .filter_map(|(p, v)| self.string(v, &p))
                .collect(),
        )
    }

    fn labels(&mut self, map: &Mapping, path: &str) -> Labels {
        let field = join(path, "labels");
        let mut out = Labels::new();
        match map.get("labels") {
            None | Some(Value::Null) => {}
            Some(Value::Mapping(m)) => {
                for (k, v) in m {
                    match (k.as_str(), v.as_str()) {
                        (Some(k), Some(v)) => {
                            out.insert(k.to_string(), v.to_string());
                        }
                        (Some(k), None) => {
                            let p = join(&field, k);
                            self.wrong_type(v, &p, "a string (label values are strings: quote it)");
                        }
                        (None, _) => self.wrong_type(k, &field, "a mapping with string keys"),
                    }
                }
            }
            Some(other) => self.wrong_type(other, &field, "a mapping of label keys to values"),
        }
        out
    }

    fn lesson(&mut self, root: &Value) -> Option<Lesson> {
        let map = self.mapping(root, "", "a mapping (`id:`, `title:`, `text:`, ...)")?;
        self.fields(map, "", TOP_FIELDS, TOP_REQUIRED);
        let id = self.opt_string(map, "", "id");
        if let Some(id) = &id {
            let valid = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !id.starts_with('-');
            if !valid {
                self.report(
                    diag::INVALID_VALUE,
                    "id",
                    false,
                    format!("id `{id}`: use lowercase letters, digits and `-` (it names the lesson in URLs and saved progress)"),
                );
            }
        }
        let title = self.opt_string(map, "", "title");
        let text = self.opt_string(map, "", "text");
        for (field, value) in [("title", &title), ("text", &text)] {
            if value.as_deref().is_some_and(|s| s.trim().is_empty()) {
                self.report(
                    diag::INVALID_VALUE,
                    field,
                    false,
                    format!("`{field}` is empty"),
                );
            }
        }
        let start = map
            .get("start")
            .and_then(|v| self.workspace(v, "start", WORKSPACE_FIELDS));
        let solution = map
            .get("solution")
            .and_then(|v| self.workspace(v, "solution", SOLUTION_FIELDS));
        let goal = self.goal(map);
        let constraints = self.constraints(map);
        let hints = self.string_list(map, "", "hints").unwrap_or_default();
        let start_spec = start?;
        let solution_spec = solution?;
        let start = self.build(&start_spec, None, "start")?;
        let solution = self.build(&solution_spec, Some(&start_spec), "solution")?;
        Some(Lesson {
            id: id?,
            title: title?,
            text: text?,
            start,
            goal,
            constraints,
            hints,
            solution,
        })
    }

    fn workspace(
        &mut self,
        value: &Value,
        path: &str,
        known: &[&'static str],
    ) -> Option<WorkspaceSpec> {
        let map = self.mapping(value, path, "a mapping (`manifests:`, `arrows:`, ...)")?;
        self.fields(map, path, known, &[]);
        let mut spec = WorkspaceSpec {
            manifests: self.manifests(map, path, "manifests"),
            add_manifests: self.manifests(map, path, "add_manifests"),
            ..WorkspaceSpec::default()
        };
        if spec.manifests.is_some() && spec.add_manifests.is_some() {
            self.report(
                diag::INVALID_VALUE,
                &join(path, "add_manifests"),
                true,
                "write either `manifests` (the whole text) or `add_manifests` (appended to the start's), not both".to_string(),
            );
        }
        if map.contains_key("namespaces") {
            let mut out = Vec::new();
            for (p, item) in self.opt_list(map, path, "namespaces") {
                let Some(m) = self.mapping(item, &p, "a mapping (`name:`, `labels:`)") else {
                    continue;
                };
                self.fields(m, &p, &["name", "labels"], &["name"]);
                let labels = self.labels(m, &p);
                if let Some(name) = self.opt_string(m, &p, "name") {
                    out.push((name, labels));
                }
            }
            spec.namespaces = Some(out);
        }
        if map.contains_key("pods") {
            let mut out = Vec::new();
            for (p, item) in self.opt_list(map, path, "pods") {
                let Some(m) =
                    self.mapping(item, &p, "a mapping (`namespace:`, `name:`, `labels:`)")
                else {
                    continue;
                };
                self.fields(
                    m,
                    &p,
                    &["namespace", "name", "labels"],
                    &["namespace", "name"],
                );
                let labels = self.labels(m, &p);
                let namespace = self.opt_string(m, &p, "namespace");
                let name = self.opt_string(m, &p, "name");
                if let (Some(namespace), Some(name)) = (namespace, name) {
                    out.push((namespace, name, labels));
                }
            }
            spec.pods = Some(out);
        }
        spec.externals = self.string_list(map, path, "externals");
        spec.arrows = self.string_list(map, path, "arrows");
        if let Some(value) = map.get("options") {
            let p = join(path, "options");
            if let Some(m) = self.mapping(value, &p, "a mapping of generator options") {
                let mut out = Vec::new();
                for (k, v) in m {
                    let Some(k) = k.as_str() else {
                        self.wrong_type(k, &p, "a mapping with string keys");
                        continue;
                    };
                    // Options are strings in the file (`dns: "true"` and `dns: true` alike)
                    // and are checked against the generator's names when building.
                    let text = match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Bool(b) => Some(b.to_string()),
                        Value::Number(n) => Some(n.to_string()),
                        other => {
                            self.wrong_type(other, &join(&p, k), "a string");
                            None
                        }
                    };
                    if let Some(text) = text {
                        out.push((k.to_string(), text));
                    }
                }
                spec.options = Some(out);
            }
        }
        Some(spec)
    }

    /// Manifests: one string, or a list of strings joined as YAML documents (so a solution
    /// can reuse the start's parts through YAML anchors: `- *cluster`).
    fn manifests(&mut self, map: &Mapping, path: &str, key: &str) -> Option<String> {
        let field = join(path, key);
        match map.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Sequence(items) => {
                let mut parts = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if let Some(s) = self.string(item, &format!("{field}[{i}]")) {
                        parts.push(s);
                    }
                }
                Some(join_documents(&parts))
            }
            other => {
                self.wrong_type(other, &field, "a string (a `|` block) or a list of them");
                None
            }
        }
    }

    fn goal(&mut self, map: &Mapping) -> Vec<Expectation> {
        let items = self.opt_list(map, "", "goal");
        // An empty list or a bare `goal:`; another type was reported by `opt_list`.
        let empty = match map.get("goal") {
            Some(Value::Null) => true,
            Some(Value::Sequence(s)) => s.is_empty(),
            _ => false,
        };
        if empty {
            self.report(
                diag::INVALID_VALUE,
                "goal",
                true,
                "the goal is empty: list the connections that must be allowed or denied"
                    .to_string(),
            );
        }
        let mut out = Vec::new();
        for (path, item) in items {
            if let Some(e) = self.expectation(item, &path) {
                if e.from == e.to {
                    self.report(
                        diag::INVALID_VALUE,
                        &path,
                        false,
                        format!(
                            "`{}`: a pod may always talk to itself, so this says nothing",
                            e.connection()
                        ),
                    );
                } else if out
                    .iter()
                    .any(|o: &Expectation| o.connection() == e.connection())
                {
                    self.report(
                        diag::DUPLICATE_NAME,
                        &path,
                        false,
                        format!("`{}` is already in the goal", e.connection()),
                    );
                } else {
                    out.push(e);
                }
            }
        }
        out
    }

    fn expectation(&mut self, value: &Value, path: &str) -> Option<Expectation> {
        let map = self.mapping(
            value,
            path,
            "a mapping: `allow: \"a -> b : 8080/TCP\"`, `deny: ...`, or `from:`/`to:`/`port:`/`allowed:`",
        )?;
        let short = map.contains_key("allow") || map.contains_key("deny");
        if short {
            self.fields(map, path, &["allow", "deny"], &[]);
            if map.contains_key("allow") && map.contains_key("deny") {
                self.report(
                    diag::INVALID_VALUE,
                    path,
                    false,
                    "an expectation is either `allow:` or `deny:`, not both".to_string(),
                );
                return None;
            }
            let (key, allowed) = if map.contains_key("allow") {
                ("allow", true)
            } else {
                ("deny", false)
            };
            let p = join(path, key);
            let text = self.opt_string(map, path, key)?;
            return match Expectation::parse(&text, allowed) {
                Ok(e) => Some(e),
                Err(message) => {
                    self.report(diag::INVALID_VALUE, &p, false, message);
                    None
                }
            };
        }
        self.fields(
            map,
            path,
            &["from", "to", "port", "protocol", "allowed"],
            &["from", "to", "port", "allowed"],
        );
        let from = self.opt_string(map, path, "from");
        let to = self.opt_string(map, path, "to");
        let port = match map.get("port") {
            None => None,
            Some(v) => {
                let p = join(path, "port");
                let parsed = match v {
                    Value::Number(n) => n
                        .as_u64()
                        .and_then(|n| u16::try_from(n).ok())
                        .filter(|n| *n > 0)
                        .ok_or_else(|| format!("`{n}` is not a port number (1-65535)")),
                    Value::String(s) => parse_port(s),
                    other => Err(format!("`port` must be a number, not {}", kind_of(other))),
                };
                match parsed {
                    Ok(n) => Some(n),
                    Err(message) => {
                        self.report(diag::INVALID_VALUE, &p, false, message);
                        None
                    }
                }
            }
        };
        let protocol = match self.opt_string(map, path, "protocol") {
            None => Some(Protocol::Tcp),
            Some(text) => match parse_protocol(&text) {
                Ok(p) => Some(p),
                Err(message) => {
                    self.report(diag::INVALID_VALUE, &join(path, "protocol"), false, message);
                    None
                }
            },
        };
        let allowed = match map.get("allowed") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                self.wrong_type(other, &join(path, "allowed"), "`true` or `false`");
                None
            }
        };
        Some(Expectation {
            from: from?,
            to: to?,
            port: port?,
            protocol: protocol?,
            allowed: allowed?,
        })
    }

    fn constraints(&mut self, map: &Mapping) -> Vec<Constraint> {
        let mut out = Vec::new();
        for (path, item) in self.opt_list(map, "", "constraints") {
            let (name, value, key_path) = match item {
                // A flag constraint may be written bare: `- use_match_expressions`.
                Value::String(s) => (s.clone(), None, path.clone()),
                Value::Mapping(m) if m.len() == 1 => {
                    let Some((k, v)) = m.iter().next() else {
                        continue;
                    };
                    let Some(k) = k.as_str() else {
                        self.wrong_type(k, &path, "a constraint name");
                        continue;
                    };
                    (k.to_string(), Some(v), join(&path, k))
                }
                other => {
                    self.wrong_type(
                        other,
                        &path,
                        "one constraint: `keep_policy: ns/name`, `no_policy_in: ns` or `use_match_expressions`",
                    );
                    continue;
                }
            };
            let constraint = match (name.as_str(), value) {
                ("keep_policy", Some(v)) => {
                    self.string(v, &key_path)
                        .and_then(|id| match id.split_once('/') {
                            Some((ns, n))
                                if !ns.is_empty() && !n.is_empty() && !n.contains('/') =>
                            {
                                Some(Constraint::KeepPolicy {
                                    namespace: ns.to_string(),
                                    name: n.to_string(),
                                })
                            }
                            _ => {
                                self.report(
                                    diag::INVALID_VALUE,
                                    &key_path,
                                    false,
                                    format!("`{id}`: name the policy as `namespace/name`"),
                                );
                                None
                            }
                        })
                }
                ("no_policy_in", Some(v)) => self
                    .string(v, &key_path)
                    .map(|namespace| Constraint::NoPolicyIn { namespace }),
                ("use_match_expressions", None | Some(Value::Bool(true))) => {
                    Some(Constraint::UseMatchExpressions)
                }
                ("use_match_expressions", Some(other)) => {
                    self.wrong_type(other, &key_path, "`true` (or leave the value out)");
                    None
                }
                ("keep_policy" | "no_policy_in", None) => {
                    self.report(
                        diag::MISSING_FIELD,
                        &key_path,
                        false,
                        format!("`{name}` needs a value (`{name}: ...`)"),
                    );
                    None
                }
                (other, _) => {
                    let help = match crate::suggest::closest(other, CONSTRAINTS.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("known constraints: {}", CONSTRAINTS.join(", ")),
                    };
                    self.report_help(
                        diag::UNKNOWN_FIELD,
                        &key_path,
                        format!("unknown constraint `{other}`"),
                        help,
                    );
                    None
                }
            };
            if let Some(c) = constraint {
                out.push(c);
            }
        }
        out
    }

    /// Turns a workspace spec into a [`Workspace`]; `base` (the start) fills what a
    /// solution leaves out.
    fn build(
        &mut self,
        spec: &WorkspaceSpec,
        base: Option<&WorkspaceSpec>,
        path: &str,
    ) -> Option<Workspace> {
        let mut manifests: String =
            pick(&spec.manifests, base.map(|b| &b.manifests)).unwrap_or_default();
        if let Some(extra) = &spec.add_manifests {
            manifests = join_documents(&[manifests, extra.clone()]);
        }
        let namespaces = pick(&spec.namespaces, base.map(|b| &b.namespaces)).unwrap_or_default();
        let pods = pick(&spec.pods, base.map(|b| &b.pods)).unwrap_or_default();
        let externals = pick(&spec.externals, base.map(|b| &b.externals)).unwrap_or_default();
        let arrows = pick(&spec.arrows, base.map(|b| &b.arrows)).unwrap_or_default();
        let options = pick(&spec.options, base.map(|b| &b.options)).unwrap_or_default();
        let parts = WorkspaceParts {
            manifests,
            namespaces,
            pods,
            externals,
            arrows,
            options,
        };
        match to_workspace(parts) {
            Ok(ws) => Some(ws),
            Err(problems) => {
                for (field, message) in problems {
                    // Point at the field where this workspace wrote it, or at the start's
                    // when a solution inherited it.
                    let inherited = match field.split(['.', '[']).next() {
                        Some("arrows") => spec.arrows.is_none(),
                        Some("options") => spec.options.is_none(),
                        _ => false,
                    };
                    let at = join(if inherited { "start" } else { path }, &field);
                    self.report(
                        diag::INVALID_VALUE,
                        &at,
                        false,
                        format!("{path}: {message}"),
                    );
                }
                None
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else if key.is_empty() {
        path.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A solution's own value, else the start's.
fn pick<T: Clone>(own: &Option<T>, base: Option<&Option<T>>) -> Option<T> {
    own.clone().or_else(|| base.and_then(Option::clone))
}

/// Joins YAML texts into one multi-document text, one `---` between non-empty parts.
fn join_documents(parts: &[String]) -> String {
    let mut out = String::new();
    for part in parts.iter().filter(|p| !p.trim().is_empty()) {
        if !out.is_empty() {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("---\n");
        }
        out.push_str(part);
    }
    out
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
    }
}

/// Everything a workspace is made of, as plain data from the lesson file.
struct WorkspaceParts {
    manifests: String,
    namespaces: Vec<(String, Labels)>,
    pods: Vec<(String, String, Labels)>,
    externals: Vec<String>,
    arrows: Vec<String>,
    options: Vec<(String, String)>,
}

/// Generator options a lesson may set, with the values each takes.
const OPTIONS: &[&str] = &[
    "selector",
    "identity_label",
    "namespace_label",
    "baseline",
    "dns",
    "kustomize",
];

/// Builds the playground's workspace; problems are `(field path, message)` with the path
/// relative to the workspace (`arrows[1]`).
fn to_workspace(parts: WorkspaceParts) -> Result<Workspace, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let mut ws = Workspace {
        manifests: parts.manifests,
        namespaces: parts
            .namespaces
            .into_iter()
            .map(|(name, labels)| DrawnNamespace { name, labels })
            .collect(),
        pods: parts
            .pods
            .into_iter()
            .map(|(namespace, name, labels)| DrawnPod {
                namespace,
                name,
                labels,
            })
            .collect(),
        externals: parts.externals,
        ..Workspace::default()
    };
    for (i, arrow) in parts.arrows.iter().enumerate() {
        match parse_intent(arrow) {
            Ok(intent) => ws.arrows.push(intent),
            Err(e) => problems.push((format!("arrows[{i}]"), e)),
        }
    }
    for (key, value) in &parts.options {
        let path = format!("options.{key}");
        let bad = |allowed: &str| format!("option `{key}`: `{value}` is not one of {allowed}");
        match key.as_str() {
            "selector" => match value.as_str() {
                "matchLabels" => ws.options.selector = SelectorStyle::Labels,
                "matchExpressions" => ws.options.selector = SelectorStyle::Expressions,
                _ => problems.push((path, bad("matchLabels, matchExpressions"))),
            },
            "identity_label" => ws.options.identity_label = Some(value.clone()),
            "namespace_label" => ws.options.namespace_label = Some(value.clone()),
            "baseline" => match value.as_str() {
                "none" => ws.options.baseline = Baseline::None,
                "deny-all" => ws.options.baseline = Baseline::DenyAll,
                "docs-default" => ws.options.baseline = Baseline::DocsDefault,
                _ => problems.push((path, bad("none, deny-all, docs-default"))),
            },
            "dns" | "kustomize" => {
                let flag = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        problems.push((path, bad("true, false")));
                        continue;
                    }
                };
                if key == "dns" {
                    ws.options.dns = flag;
                } else {
                    ws.kustomize = flag;
                }
            }
            other => {
                let help = crate::suggest::closest(other, OPTIONS.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_else(|| format!(" (known: {})", OPTIONS.join(", ")));
                problems.push((path, format!("unknown option `{other}`{help}")));
            }
        }
    }
    if problems.is_empty() {
        Ok(ws)
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------------------

/// Grades a workspace against a lesson: evaluates it the way the playground does, then
/// each expectation (with its explanation) and each constraint.
pub fn check(lesson: &Lesson, ws: &Workspace) -> Report {
    check_evaluation(lesson, &workspace::evaluate(ws))
}

/// [`check`] for a workspace the caller has already evaluated (the playground evaluates
/// it anyway to draw the diagram).
pub fn check_evaluation(lesson: &Lesson, evaluation: &workspace::Evaluation) -> Report {
    let cluster = &evaluation.effective;
    let outcomes: Vec<Outcome> = lesson.goal.iter().map(|e| grade(cluster, e)).collect();
    // Constraints that compare with the start evaluate it the same way, so "unchanged"
    // means "what the start's manifests and arrows produce". Only those pay for it.
    let needs_start = lesson
        .constraints
        .iter()
        .any(|c| !matches!(c, Constraint::NoPolicyIn { .. }));
    let start = if needs_start {
        workspace::evaluate(&lesson.start).effective
    } else {
        Cluster::default()
    };
    let constraints: Vec<(Constraint, Result<(), String>)> = lesson
        .constraints
        .iter()
        .map(|c| (c.clone(), holds(c, &start, cluster)))
        .collect();
    let diagnostics: Vec<Diagnostic> = evaluation.diagnostics().cloned().collect();
    // Arrows that do not turn into policies must be reported, or the goal looks
    // unreachable for no visible reason.
    let generate_error = evaluation.generated.as_ref().err().map(|e| e.to_string());
    let complete = outcomes.iter().all(|o| o.met)
        && constraints.iter().all(|(_, r)| r.is_ok())
        && generate_error.is_none()
        && !diagnostics.iter().any(|d| d.severity == Severity::Error);
    Report {
        outcomes,
        constraints,
        complete,
        diagnostics,
        generate_error,
    }
}

fn grade(cluster: &Cluster, expectation: &Expectation) -> Outcome {
    let ends = Endpoint::parse(cluster, &expectation.from)
        .and_then(|from| Endpoint::parse(cluster, &expectation.to).map(|to| (from, to)));
    match ends {
        Ok((from, to)) => {
            let explanation = explain(
                cluster,
                &Traffic {
                    from,
                    to,
                    port: expectation.port,
                    protocol: expectation.protocol,
                },
            );
            let actual = explanation.allowed;
            Outcome {
                expectation: expectation.clone(),
                met: actual == expectation.allowed,
                actual,
                explanation: Some(explanation),
                error: None,
            }
        }
        Err(e) => Outcome {
            expectation: expectation.clone(),
            met: false,
            actual: false,
            explanation: None,
            error: Some(e.to_string()),
        },
    }
}

fn holds(constraint: &Constraint, start: &Cluster, now: &Cluster) -> Result<(), String> {
    match constraint {
        Constraint::KeepPolicy { namespace, name } => {
            let named = |c: &Cluster| -> Vec<Policy> {
                c.policies
                    .iter()
                    .filter(|p| &p.namespace == namespace && &p.name == name)
                    .cloned()
                    .collect()
            };
            let Some(original) = named(start).into_iter().next() else {
                return Err(format!(
                    "the lesson is broken: `{namespace}/{name}` is not in its start"
                ));
            };
            let current = named(now);
            if current.is_empty() {
                return Err(format!("`{namespace}/{name}` was deleted; put it back"));
            }
            // Every policy of that name counts: a second copy (edited, or generated) with
            // a different spec would change what the original does.
            if current.iter().all(|p| same_spec(p, &original)) {
                Ok(())
            } else {
                Err(format!(
                    "`{namespace}/{name}` was changed; undo the change and add a policy next to it instead"
                ))
            }
        }
        Constraint::UseMatchExpressions => {
            let offenders: Vec<String> = now
                .policies
                .iter()
                .filter(|p| {
                    !start
                        .policies
                        .iter()
                        .any(|s| s.id() == p.id() && same_spec(s, p))
                })
                .filter_map(|p| match_labels_at(p).map(|at| format!("`{}` ({at})", p.id())))
                .collect();
            if offenders.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "matchLabels in a podSelector of {}: write `matchExpressions: [{{key: ..., operator: In, values: [...]}}]`",
                    offenders.join(", ")
                ))
            }
        }
        Constraint::NoPolicyIn { namespace } => {
            let found: Vec<String> = now
                .policies
                .iter()
                .filter(|p| &p.namespace == namespace)
                .map(|p| format!("`{}`", p.name))
                .collect();
            if found.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{} in `{namespace}`: leave that namespace alone",
                    found.join(", ")
                ))
            }
        }
    }
}

/// Equal as far as behaviour goes: everything but where the policy was written.
fn same_spec(a: &Policy, b: &Policy) -> bool {
    fn rules(r: &[Rule]) -> Vec<(&Vec<Peer>, &Vec<crate::model::PolicyPort>)> {
        r.iter().map(|r| (&r.peers, &r.ports)).collect()
    }
    a.namespace == b.namespace
        && a.name == b.name
        && a.pod_selector == b.pod_selector
        && a.isolates_ingress == b.isolates_ingress
        && a.isolates_egress == b.isolates_egress
        && a.declared_types == b.declared_types
        && rules(&a.ingress) == rules(&b.ingress)
        && rules(&a.egress) == rules(&b.egress)
}

/// Where a policy selects pods with `matchLabels` (`spec.podSelector`,
/// `ingress[0].from[1]`), if anywhere.
fn match_labels_at(p: &Policy) -> Option<String> {
    let uses = |s: &Selector| !s.match_labels.is_empty();
    if uses(&p.pod_selector) {
        return Some("spec.podSelector".to_string());
    }
    for (direction, list, rules) in [("ingress", "from", &p.ingress), ("egress", "to", &p.egress)] {
        for (i, rule) in rules.iter().enumerate() {
            for (j, peer) in rule.peers.iter().enumerate() {
                if let Peer::Pods {
                    pod_selector: Some(s),
                    ..
                } = peer
                {
                    if uses(s) {
                        return Some(format!("{direction}[{i}].{list}[{j}].podSelector"));
                    }
                }
            }
        }
    }
    None
}
