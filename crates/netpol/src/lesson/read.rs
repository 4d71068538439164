//! The lesson reader: lesson files and the lesson list from YAML, every problem reported
//! with its line and column.
//!
//! This is the only file of the lesson code that touches YAML values, so that a change of
//! YAML layer is made here alone. The reader is strict (an unknown or missing field is an
//! error with its place) because a typo in a goal would otherwise silently make a lesson
//! easier or impossible.

use super::build::{join_documents, pick, to_workspace, WorkspaceParts};
use super::expectation::yaml_port;
use super::model::{Failing, WrongAnswer};

mod answers;

use super::{patch, Constraint, Expectation, Lesson, LessonIndex};
use crate::diag::{self, Code, Diagnostic};
use crate::model::{Direction, Labels, Origin};
use crate::ports::Protocol;
use crate::workspace::Workspace;
use crate::yaml::value::{DataFile, Mapping, Value};
pub use answers::parse_answer;

const TOP_FIELDS: &[&str] = &[
    "id",
    "title",
    "text",
    "start",
    "goal",
    "constraints",
    "hints",
    "solution",
    "wrong_answers",
    "right_answers",
    "accept",
    "flows",
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
const CONSTRAINTS: &[&str] = &[
    "keep_policy",
    "use_match_expressions",
    "no_policy_in",
    "keep_namespaces",
    "keep_cluster_policies",
    "ingress_denies",
    "egress_denies",
];
const WRONG_ANSWER_FIELDS: &[&str] = &["title", "fails", "patch", "workspace"];

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
    file: DataFile<'a>,
    root: Value,
    diagnostics: Vec<Diagnostic>,
}

/// What wrong answers are checked against while the lesson is being read.
struct LessonParts<'l> {
    goal: &'l [Expectation],
    constraints: &'l [Constraint],
    solution: &'l Workspace,
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
        let file = DataFile::open(name, text, what)?;
        Ok(Reader {
            root: file.root.clone(),
            file,
            diagnostics: Vec::new(),
        })
    }

    fn origin(&self, path: &str, prefer_key: bool) -> Origin {
        self.file.origin(path, prefer_key)
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
        let parts = LessonParts {
            goal: &goal,
            constraints: &constraints,
            solution: &solution,
        };
        let wrong_answers = self.wrong_answers(map, &parts, &start_spec);
        let right_answers = self.right_answers(map, &solution, &start_spec);
        let accept = self.accept(map);
        let flows = self.flows(map, &start);
        Some(Lesson {
            id: id?,
            title: title?,
            text: text?,
            start,
            goal,
            constraints,
            hints,
            solution,
            wrong_answers,
            right_answers,
            accept,
            flows,
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
                match yaml_port(v) {
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
            Some(text) => match crate::syntax::protocol(&text) {
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
            if let Some(c) = self.constraint(item, &path) {
                out.push(c);
            }
        }
        out
    }

    /// One constraint: a bare name (`- use_match_expressions`) or a one-key mapping.
    fn constraint(&mut self, item: &Value, path: &str) -> Option<Constraint> {
        let (name, value, key_path) = match item {
            Value::String(s) => (s.clone(), None, path.to_string()),
            Value::Mapping(m) if m.len() == 1 => {
                let (k, v) = m.iter().next()?;
                let Some(k) = k.as_str() else {
                    self.wrong_type(k, path, "a constraint name");
                    return None;
                };
                (k.to_string(), Some(v), join(path, k))
            }
            other => {
                self.wrong_type(
                    other,
                    path,
                    "one constraint: `keep_policy: ns/name`, `no_policy_in: ns` or `use_match_expressions`",
                );
                return None;
            }
        };
        match (name.as_str(), value) {
            ("keep_policy", Some(v)) => {
                let id = self.string(v, &key_path)?;
                match id.split_once('/') {
                    Some((ns, n)) if !ns.is_empty() && !n.is_empty() && !n.contains('/') => {
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
                }
            }
            ("no_policy_in", Some(v)) => self
                .string(v, &key_path)
                .map(|namespace| Constraint::NoPolicyIn { namespace }),
            ("ingress_denies" | "egress_denies", Some(v)) => {
                let text = self.string(v, &key_path)?;
                let direction = if name == "ingress_denies" {
                    Direction::Ingress
                } else {
                    Direction::Egress
                };
                match Expectation::parse(&text, false) {
                    Ok(connection) => Some(Constraint::DeniedBy {
                        direction,
                        connection,
                    }),
                    Err(message) => {
                        self.report(diag::INVALID_VALUE, &key_path, false, message);
                        None
                    }
                }
            }
            ("use_match_expressions", None | Some(Value::Bool(true))) => {
                Some(Constraint::UseMatchExpressions)
            }
            ("keep_namespaces", None | Some(Value::Bool(true))) => Some(Constraint::KeepNamespaces),
            ("keep_cluster_policies", None | Some(Value::Bool(true))) => {
                Some(Constraint::KeepClusterPolicies)
            }
            (
                "use_match_expressions" | "keep_namespaces" | "keep_cluster_policies",
                Some(other),
            ) => {
                self.wrong_type(other, &key_path, "`true` (or leave the value out)");
                None
            }
            ("keep_policy" | "no_policy_in" | "ingress_denies" | "egress_denies", None) => {
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
        }
    }

    /// The known wrong answers. Each is checked against the lesson it belongs to: what it
    /// `fails` must be a line of the goal or one of the constraints, and a `patch` must
    /// apply to the solution's manifests.
    fn wrong_answers(
        &mut self,
        map: &Mapping,
        lesson: &LessonParts<'_>,
        start_spec: &WorkspaceSpec,
    ) -> Vec<WrongAnswer> {
        let mut out = Vec::new();
        for (path, item) in self.opt_list(map, "", "wrong_answers") {
            let Some(m) = self.mapping(
                item,
                &path,
                "a mapping (`title:`, `fails:`, `patch:` or `workspace:`)",
            ) else {
                continue;
            };
            self.fields(m, &path, WRONG_ANSWER_FIELDS, &["title"]);
            let title = self.opt_string(m, &path, "title");
            // `fails` names the goal line or constraint it fails, when it fails one; an
            // answer that meets the goal and differs only on probes has none.
            let fails = match m.get("fails") {
                None => Some(None),
                Some(v) => self.failing(v, &join(&path, "fails"), lesson).map(Some),
            };
            let workspace = self.answer_workspace(m, &path, "wrong", lesson.solution, start_spec);
            if let (Some(title), Some(fails), Some(workspace)) = (title, fails, workspace) {
                out.push(WrongAnswer {
                    title,
                    fails,
                    workspace,
                });
            }
        }
        out
    }

    /// The workspace of a wrong or right answer: a `patch` to the solution or a whole
    /// `workspace` (what it leaves out taken from the start).
    fn answer_workspace(
        &mut self,
        m: &Mapping,
        path: &str,
        which: &str,
        solution: &Workspace,
        start_spec: &WorkspaceSpec,
    ) -> Option<Workspace> {
        match (m.get("patch"), m.get("workspace")) {
            (Some(patch), None) => self.patched(patch, &join(path, "patch"), solution),
            (None, Some(ws)) => {
                let p = join(path, "workspace");
                self.workspace(ws, &p, SOLUTION_FIELDS)
                    .and_then(|spec| self.build(&spec, Some(start_spec), &p))
            }
            (patch, _) => {
                let both = patch.is_some();
                self.report(
                    if both { diag::INVALID_VALUE } else { diag::MISSING_FIELD },
                    path,
                    true,
                    if both {
                        format!("a {which} answer is either a `patch` to the solution or a `workspace`, not both")
                    } else {
                        format!("a {which} answer needs a `patch` (edits to the solution's manifests) or a `workspace`")
                    },
                );
                None
            }
        }
    }

    /// What a wrong answer fails: a goal line (`{deny: "a -> b : 80"}`) or a constraint,
    /// written as in `goal:` or `constraints:` and present there.
    fn failing(&mut self, value: &Value, path: &str, lesson: &LessonParts<'_>) -> Option<Failing> {
        let goal_line = matches!(value, Value::Mapping(m)
            if ["allow", "deny", "from"].iter().any(|k| m.contains_key(k)));
        if goal_line {
            let expectation = self.expectation(value, path)?;
            if !lesson.goal.contains(&expectation) {
                self.report(
                    diag::INVALID_VALUE,
                    path,
                    false,
                    format!("`{expectation}` is not a line of the goal: a wrong answer fails one of the goal's lines"),
                );
                return None;
            }
            return Some(Failing::Goal { expectation });
        }
        let constraint = self.constraint(value, path)?;
        if !lesson.constraints.contains(&constraint) {
            self.report(
                diag::INVALID_VALUE,
                path,
                false,
                format!("`{constraint}` is not one of the lesson's constraints"),
            );
            return None;
        }
        Some(Failing::Constraint { constraint })
    }

    /// The solution with a patch applied: a list of `{replace: TEXT, with: TEXT}` edits to
    /// its manifests, in order.
    fn patched(&mut self, value: &Value, path: &str, solution: &Workspace) -> Option<Workspace> {
        let Value::Sequence(items) = value else {
            self.wrong_type(value, path, "a list of `{replace: ..., with: ...}` edits");
            return None;
        };
        let mut manifests = solution.manifests.clone();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let Some(m) = self.mapping(item, &p, "an edit: `{replace: ..., with: ...}`") else {
                ok = false;
                continue;
            };
            self.fields(m, &p, &["replace", "with"], &["replace", "with"]);
            let (Some(find), Some(with)) = (
                self.opt_string(m, &p, "replace"),
                self.opt_string(m, &p, "with"),
            ) else {
                ok = false;
                continue;
            };
            match patch::replace_lines(&manifests, &find, &with) {
                Ok(text) => manifests = text,
                Err(message) => {
                    self.report(diag::INVALID_VALUE, &join(&p, "replace"), false, message);
                    ok = false;
                }
            }
        }
        ok.then(|| Workspace {
            manifests,
            ..solution.clone()
        })
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
