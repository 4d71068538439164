//! The lesson reader: lesson files and the lesson list, decoded into the `format` types
//! and turned into the lesson model, every problem reported with its line and column.
//!
//! What a file may contain (fields, required ones, shapes) is `crate::format`'s; this file
//! adds what serde cannot say: ids and names in their syntax, goal lines that say
//! something, constraints by name, wrong answers that fail what they claim, patches that
//! apply. The reader is strict (an unknown or missing field is an error with its place)
//! because a typo in a goal would otherwise silently make a lesson easier or impossible.

use super::build::{join_documents, pick, to_workspace, WorkspaceParts};
use super::model::{Failing, WrongAnswer};

mod answers;

use super::{patch, Constraint, Expectation, Lesson, LessonIndex};
use crate::diag::{self, Code, Diagnostic};
use crate::expect::goal_line;
use crate::format::{
    join, ConstraintItem, Each, Edit, IndexFile, LessonFile, Loose, Manifests, SolutionFile,
    Source, WrongAnswerFile,
};
use crate::model::Direction;
use crate::workspace::{DrawnNamespace, DrawnPod, Workspace};
pub use answers::parse_answer;

/// The constraints by name, for suggestions.
const CONSTRAINTS: &[&str] = &[
    "keep_policy",
    "use_match_expressions",
    "no_policy_in",
    "keep_namespaces",
    "keep_cluster_policies",
    "ingress_denies",
    "egress_denies",
];

/// Reads a lesson file. `name` is used in diagnostics. Every problem is reported, each
/// with its line and column; the lesson is returned only when there is none.
pub fn parse_lesson(name: &str, text: &str) -> Result<Lesson, Vec<Diagnostic>> {
    let source = Source::open(name, text, "lesson")?;
    let file: LessonFile = source.root()?;
    let mut r = Reader::new(&source);
    match r.lesson(file) {
        Some(l) if r.diagnostics.is_empty() => Ok(l),
        _ => Err(r.diagnostics),
    }
}

/// Reads the lesson list: `lessons:` (file names, in order) and an optional `title:`.
pub fn parse_index(name: &str, text: &str) -> Result<LessonIndex, Vec<Diagnostic>> {
    let source = Source::open(name, text, "lesson index")?;
    let file: IndexFile = source.root()?;
    let mut r = Reader::new(&source);
    let mut index = LessonIndex {
        title: file.title,
        lessons: Vec::new(),
    };
    for (i, file) in file.lessons.into_iter().enumerate() {
        let path = format!("lessons[{i}]");
        if file.contains("..") || file.starts_with('/') || !file.ends_with(".yaml") {
            r.report(
                diag::INVALID_VALUE,
                &path,
                false,
                format!("`{file}` is not a lesson file name next to the index (`01-name.yaml`)"),
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
    if r.diagnostics.is_empty() {
        Ok(index)
    } else {
        Err(r.diagnostics)
    }
}

/// One file being read: its source, to decode and place, and what is wrong.
struct Reader<'s, 'a> {
    source: &'s Source<'a>,
    diagnostics: Vec<Diagnostic>,
}

/// What wrong answers are checked against while the lesson is being read.
struct LessonParts<'l> {
    goal: &'l [Expectation],
    constraints: &'l [Constraint],
    solution: &'l Workspace,
}

/// The workspace part of a lesson file before it is turned into a [`Workspace`]: `None`
/// where the file leaves a field out (a solution takes it from the start).
#[derive(Default)]
struct WorkspaceSpec {
    manifests: Option<String>,
    add_manifests: Option<String>,
    namespaces: Option<Vec<DrawnNamespace>>,
    pods: Option<Vec<DrawnPod>>,
    externals: Option<Vec<String>>,
    arrows: Option<Vec<String>>,
    options: Option<Vec<(String, String)>>,
}

impl<'s, 'a> Reader<'s, 'a> {
    fn new(source: &'s Source<'a>) -> Self {
        Reader {
            source,
            diagnostics: Vec::new(),
        }
    }

    fn report(&mut self, code: Code, path: &str, prefer_key: bool, message: String) {
        let at = self.source.origin(path, prefer_key);
        self.diagnostics.push(code.at(&at, message));
    }

    fn report_help(&mut self, code: Code, path: &str, message: String, help: String) {
        let at = self.source.origin(path, true);
        self.diagnostics.push(code.at(&at, message).with_help(help));
    }

    /// Decodes a kept value, its problems reported.
    fn decode<T: for<'de> serde::Deserialize<'de>>(&mut self, each: Each<T>) -> Option<T> {
        self.source
            .decode(each)
            .map_err(|mut found| self.diagnostics.append(&mut found))
            .ok()
    }

    fn lesson(&mut self, file: LessonFile) -> Option<Lesson> {
        self.check_id(&file.id);
        for (field, value) in [("title", &file.title), ("text", &file.text)] {
            if value.trim().is_empty() {
                self.report(
                    diag::INVALID_VALUE,
                    field,
                    false,
                    format!("`{field}` is empty"),
                );
            }
        }
        let start = self
            .decode(file.start)
            .map(|w| self.spec(w.into(), "start"));
        let solution = self.decode(file.solution).map(|s| self.spec(s, "solution"));
        let goal = self.goal(&file.goal);
        let constraints = self.constraints(&file.constraints);
        let start_spec = start?;
        let solution_spec = solution?;
        let start = self.build(&start_spec, None, "start")?;
        let solution = self.build(&solution_spec, Some(&start_spec), "solution")?;
        let parts = LessonParts {
            goal: &goal,
            constraints: &constraints,
            solution: &solution,
        };
        let wrong_answers = self.wrong_answers(&file.wrong_answers, &parts, &start_spec);
        let right_answers = self.right_answers(&file.right_answers, &solution, &start_spec);
        let accept = self.accept(&file.accept);
        let flows = self.flows(file.flows, &start);
        Some(Lesson {
            id: file.id,
            title: file.title,
            text: file.text,
            start,
            goal,
            constraints,
            hints: file.hints,
            solution,
            wrong_answers,
            right_answers,
            accept,
            flows,
        })
    }

    fn check_id(&mut self, id: &str) {
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

    /// A workspace as the file writes it, manifests joined and option values as text.
    fn spec(&mut self, file: SolutionFile, path: &str) -> WorkspaceSpec {
        if file.manifests.is_some() && file.add_manifests.is_some() {
            self.report(
                diag::INVALID_VALUE,
                &join(path, "add_manifests"),
                true,
                "write either `manifests` (the whole text) or `add_manifests` (appended to the start's), not both".to_string(),
            );
        }
        let options = file.options.map(|options| {
            let mut out = Vec::new();
            for (key, value) in options.0 {
                // Options are strings in the file (`dns: "true"` and `dns: true` alike)
                // and are checked against the generator's names when building.
                match value.scalar_text() {
                    Some(text) => out.push((key, text)),
                    None => self.report(
                        diag::WRONG_TYPE,
                        &join(&join(path, "options"), &key),
                        false,
                        format!("`options.{key}` must be a string, not {}", value.kind()),
                    ),
                }
            }
            out
        });
        WorkspaceSpec {
            manifests: file.manifests.map(manifests_text),
            add_manifests: file.add_manifests.map(manifests_text),
            namespaces: file.namespaces,
            pods: file.pods,
            externals: file.externals,
            arrows: file.arrows,
            options,
        }
    }

    fn goal(&mut self, items: &[Each<crate::format::GoalLine>]) -> Vec<Expectation> {
        if items.is_empty() {
            self.report(
                diag::INVALID_VALUE,
                "goal",
                true,
                "the goal is empty: list the connections that must be allowed or denied"
                    .to_string(),
            );
        }
        let mut out: Vec<Expectation> = Vec::new();
        for item in items {
            let Some(e) = goal_line(self.source, *item, &mut self.diagnostics) else {
                continue;
            };
            let path = self.source.path(*item);
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
            } else if out.iter().any(|o| o.connection() == e.connection()) {
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
        out
    }

    fn constraints(&mut self, items: &[Each<ConstraintItem>]) -> Vec<Constraint> {
        items
            .iter()
            .filter_map(|item| {
                let path = self.source.path(*item);
                let written = self.decode(*item)?;
                self.constraint(written, &path)
            })
            .collect()
    }

    /// One constraint: a bare name (`- use_match_expressions`) or a one-key mapping.
    fn constraint(&mut self, item: ConstraintItem, path: &str) -> Option<Constraint> {
        let (name, value, key_path) = match item {
            ConstraintItem::Name(name) => (name, None, path.to_string()),
            ConstraintItem::Entries(entries) => match <[_; 1]>::try_from(entries) {
                Ok([(key, value)]) => {
                    let key_path = join(path, &key);
                    (key, Some(value), key_path)
                }
                Err(_) => {
                    self.report(
                        diag::WRONG_TYPE,
                        path,
                        false,
                        format!("`{path}` must be one constraint: `keep_policy: ns/name`, `no_policy_in: ns` or `use_match_expressions`, not a mapping of several"),
                    );
                    return None;
                }
            },
        };
        self.named_constraint(&name, value.as_ref(), &key_path)
    }

    fn named_constraint(
        &mut self,
        name: &str,
        value: Option<&Loose>,
        key_path: &str,
    ) -> Option<Constraint> {
        match (name, value) {
            ("keep_policy", Some(v)) => {
                let id = self.text(v, key_path)?;
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
                            key_path,
                            false,
                            format!("`{id}`: name the policy as `namespace/name`"),
                        );
                        None
                    }
                }
            }
            ("no_policy_in", Some(v)) => self
                .text(v, key_path)
                .map(|namespace| Constraint::NoPolicyIn { namespace }),
            ("ingress_denies" | "egress_denies", Some(v)) => {
                let text = self.text(v, key_path)?;
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
                        self.report(diag::INVALID_VALUE, key_path, false, message);
                        None
                    }
                }
            }
            ("use_match_expressions", None | Some(Loose::Bool(true))) => {
                Some(Constraint::UseMatchExpressions)
            }
            ("keep_namespaces", None | Some(Loose::Bool(true))) => Some(Constraint::KeepNamespaces),
            ("keep_cluster_policies", None | Some(Loose::Bool(true))) => {
                Some(Constraint::KeepClusterPolicies)
            }
            (
                "use_match_expressions" | "keep_namespaces" | "keep_cluster_policies",
                Some(other),
            ) => {
                self.report(
                    diag::WRONG_TYPE,
                    key_path,
                    false,
                    format!(
                        "`{key_path}` must be `true` (or leave the value out), not {}",
                        other.kind()
                    ),
                );
                None
            }
            ("keep_policy" | "no_policy_in" | "ingress_denies" | "egress_denies", None) => {
                self.report(
                    diag::MISSING_FIELD,
                    key_path,
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
                    key_path,
                    format!("unknown constraint `{other}`"),
                    help,
                );
                None
            }
        }
    }

    /// A constraint's value that must be a string.
    fn text(&mut self, value: &Loose, path: &str) -> Option<String> {
        match value {
            Loose::Text(s) => Some(s.clone()),
            other => {
                self.report(
                    diag::WRONG_TYPE,
                    path,
                    false,
                    format!("`{path}` must be a string (quote it), not {}", other.kind()),
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
        items: &[Each<WrongAnswerFile>],
        lesson: &LessonParts<'_>,
        start_spec: &WorkspaceSpec,
    ) -> Vec<WrongAnswer> {
        let mut out = Vec::new();
        for item in items {
            let path = self.source.path(*item);
            let Some(answer) = self.decode(*item) else {
                continue;
            };
            // `fails` names the goal line or constraint it fails, when it fails one; an
            // answer that meets the goal and differs only on probes has none.
            let fails = match answer.fails {
                None => Some(None),
                Some(fails) => self.failing(fails, lesson).map(Some),
            };
            let workspace = self.answer_workspace(
                answer.patch.as_deref(),
                answer.workspace,
                &path,
                "wrong",
                lesson.solution,
                start_spec,
            );
            if let (Some(fails), Some(workspace)) = (fails, workspace) {
                out.push(WrongAnswer {
                    title: answer.title,
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
        patch: Option<&[Each<Edit>]>,
        workspace: Option<Each<SolutionFile>>,
        path: &str,
        which: &str,
        solution: &Workspace,
        start_spec: &WorkspaceSpec,
    ) -> Option<Workspace> {
        match (patch, workspace) {
            (Some(edits), None) => self.patched(edits, solution),
            (None, Some(ws)) => {
                let p = self.source.path(ws);
                let spec = self.decode(ws).map(|file| self.spec(file, &p))?;
                self.build(&spec, Some(start_spec), &p)
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
    fn failing(&mut self, fails: Each<Loose>, lesson: &LessonParts<'_>) -> Option<Failing> {
        let path = self.source.path(fails);
        if self.source.has_key(fails, &["allow", "deny", "from"]) {
            let expectation = goal_line(self.source, fails.cast(), &mut self.diagnostics)?;
            if !lesson.goal.contains(&expectation) {
                self.report(
                    diag::INVALID_VALUE,
                    &path,
                    false,
                    format!("`{expectation}` is not a line of the goal: a wrong answer fails one of the goal's lines"),
                );
                return None;
            }
            return Some(Failing::Goal { expectation });
        }
        let written = self.decode(fails.cast::<ConstraintItem>())?;
        let constraint = self.constraint(written, &path)?;
        if !lesson.constraints.contains(&constraint) {
            self.report(
                diag::INVALID_VALUE,
                &path,
                false,
                format!("`{constraint}` is not one of the lesson's constraints"),
            );
            return None;
        }
        Some(Failing::Constraint { constraint })
    }

    /// The solution with a patch applied: a list of `{replace: TEXT, with: TEXT}` edits to
    /// its manifests, in order.
    fn patched(&mut self, edits: &[Each<Edit>], solution: &Workspace) -> Option<Workspace> {
        let mut manifests = solution.manifests.clone();
        let mut ok = true;
        for each in edits {
            let Some(edit) = self.decode(*each) else {
                ok = false;
                continue;
            };
            match patch::replace_lines(&manifests, &edit.replace, &edit.with) {
                Ok(text) => manifests = text,
                Err(message) => {
                    let at = join(&self.source.path(*each), "replace");
                    self.report(diag::INVALID_VALUE, &at, false, message);
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

/// Manifests as one text: a list of parts is joined as YAML documents.
fn manifests_text(manifests: Manifests) -> String {
    match manifests {
        Manifests::One(text) => text,
        Manifests::Parts(parts) => join_documents(&parts),
    }
}
