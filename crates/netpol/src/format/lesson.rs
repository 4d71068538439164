//! Lesson files, their workspaces and the lesson index, as written in `www/lessons/`.
//! Field names are the files' own; the doc comments are the schema's descriptions.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{Each, GoalLine, Loose};
use crate::workspace::{DrawnNamespace, DrawnPod};

/// A lesson of the NetworkPolicy playground: a starting workspace, a goal given as expected
/// connectivity, optional constraints, hints, a solution, other right answers, accepted
/// differences and known wrong answers. See README.md next to this file. The playground's
/// own check (`netpol lesson check FILE`) is stricter than this schema: it also grades the
/// start, the solution and every right and wrong answer.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LessonFile {
    /// Stable id: names the lesson in URLs and in saved progress. Renaming it resets
    /// learners' progress.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$")))]
    pub id: String,
    /// Shown in the lesson list.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub title: String,
    /// The lesson's text, markdown-ish: paragraphs, `code`, **bold**, lists and ``` fences.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub text: String,
    /// The workspace the learner starts from.
    pub start: Each<WorkspaceFile>,
    /// Connections that must be allowed or must stay denied.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub goal: Vec<Each<GoalLine>>,
    /// Rules about how the goal may be reached.
    #[serde(default)]
    pub constraints: Vec<Each<ConstraintItem>>,
    /// Hints, revealed one at a time.
    #[serde(default)]
    pub hints: Vec<String>,
    /// A workspace that completes the lesson. Fields left out are taken from `start`;
    /// `add_manifests` is appended to the start's manifests.
    pub solution: Each<SolutionFile>,
    /// Plausible answers the lesson must refuse: the grader must refuse each (a difference
    /// from the solution on the lesson's endpoints or on a probe, an unmet goal line or a
    /// broken constraint), for that reason and not a broken manifest, and each must fail
    /// the goal line or constraint it names, if it names one.
    #[serde(default)]
    pub wrong_answers: Vec<Each<WrongAnswerFile>>,
    /// Other ways to write the solution: each must complete the lesson (allow exactly what
    /// the solution allows, on the lesson's endpoints and on every probe, apart from
    /// `accept:`).
    #[serde(default)]
    pub right_answers: Vec<Each<RightAnswerFile>>,
    /// Differences from the solution that still complete the lesson, each with its reason.
    #[serde(default)]
    pub accept: Vec<Each<AcceptFile>>,
    /// A recorded flow log (one Hubble JSON object per line, as `hubble observe -o json`
    /// writes it, or CSV `from,to,port,protocol[,count]`) that the playground loads with the
    /// start, for lessons about observed traffic. Every line must read against the start's
    /// cluster.
    pub flows: Option<String>,
}

/// A lesson's starting workspace: what the editor and the diagram hold.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkspaceFile {
    /// The manifests in the editor.
    pub manifests: Option<Manifests>,
    /// Namespaces drawn on the diagram.
    pub namespaces: Option<Vec<DrawnNamespace>>,
    /// Pods drawn on the diagram (no container ports: use manifests for named ports).
    pub pods: Option<Vec<DrawnPod>>,
    /// Addresses outside the cluster shown on the diagram (`8.8.8.8`, `ip:10.0.0.0/8`).
    pub externals: Option<Vec<String>>,
    /// Drawn arrows, in the intent syntax: `ns/a -> ns/b:8080/TCP`.
    pub arrows: Option<Vec<String>>,
    /// Policy generator options for the arrows.
    pub options: Option<GeneratorOptions>,
}

/// A workspace in the solution's form: fields left out are taken from `start`;
/// `add_manifests` is appended to the start's manifests (write it or `manifests`, not both).
/// Also the form of a learner's answer file for `netpol lesson grade`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SolutionFile {
    /// The manifests in the editor (the whole text).
    pub manifests: Option<Manifests>,
    /// Appended to the start's manifests (instead of `manifests`).
    pub add_manifests: Option<Manifests>,
    /// Namespaces drawn on the diagram.
    pub namespaces: Option<Vec<DrawnNamespace>>,
    /// Pods drawn on the diagram (no container ports: use manifests for named ports).
    pub pods: Option<Vec<DrawnPod>>,
    /// Addresses outside the cluster shown on the diagram (`8.8.8.8`, `ip:10.0.0.0/8`).
    pub externals: Option<Vec<String>>,
    /// Drawn arrows, in the intent syntax: `ns/a -> ns/b:8080/TCP`.
    pub arrows: Option<Vec<String>>,
    /// Policy generator options for the arrows.
    pub options: Option<GeneratorOptions>,
}

impl From<WorkspaceFile> for SolutionFile {
    fn from(w: WorkspaceFile) -> SolutionFile {
        SolutionFile {
            manifests: w.manifests,
            add_manifests: None,
            namespaces: w.namespaces,
            pods: w.pods,
            externals: w.externals,
            arrows: w.arrows,
            options: w.options,
        }
    }
}

/// Multi-document YAML, or a list of YAML texts joined with `---` (so a solution can reuse
/// the start's parts through YAML anchors: `- *cluster`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Manifests {
    /// One text (a `|` block).
    One(String),
    /// Texts joined as YAML documents.
    Parts(Vec<String>),
}

impl<'de> Deserialize<'de> for Manifests {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Manifests;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string (a `|` block) or a list of them")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Manifests, E> {
                Ok(Manifests::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Manifests, A::Error> {
                let mut parts = Vec::new();
                while let Some(part) = a.next_element::<String>()? {
                    parts.push(part);
                }
                Ok(Manifests::Parts(parts))
            }
        }
        d.deserialize_any(V)
    }
}

/// Generator options by name, in file order, values as written (`dns: true` and
/// `dns: "true"` alike); the names and values are checked when the workspace is built.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GeneratorOptions(pub Vec<(String, Loose)>);

impl<'de> Deserialize<'de> for GeneratorOptions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GeneratorOptions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of generator options")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<GeneratorOptions, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = a.next_entry::<String, Loose>()? {
                    out.push(entry);
                }
                Ok(GeneratorOptions(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// One constraint: a bare name (`- use_match_expressions`) or a mapping of one name to its
/// value (`- keep_policy: ns/name`). The names and values are checked by the reader, which
/// suggests the closest name for a typo.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintItem {
    /// `- keep_namespaces`.
    Name(String),
    /// `- no_policy_in: ns` (one entry when well written).
    Entries(Vec<(String, Loose)>),
}

impl<'de> Deserialize<'de> for ConstraintItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ConstraintItem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "one constraint: `keep_policy: ns/name`, `no_policy_in: ns` or `use_match_expressions`",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ConstraintItem, E> {
                Ok(ConstraintItem::Name(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<ConstraintItem, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = a.next_entry::<String, Loose>()? {
                    out.push(entry);
                }
                Ok(ConstraintItem::Entries(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A plausible answer the lesson must refuse: a `patch` to the solution or a whole
/// `workspace`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WrongAnswerFile {
    /// The mistake, in a few words.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub title: String,
    /// Optional: a line of the goal (as written in `goal:`) or one of the lesson's
    /// constraints (as written in `constraints:`) that the answer fails. Leave it out when
    /// the answer meets every goal line and constraint and only a probe catches it.
    #[cfg_attr(feature = "schema", schemars(with = "Option<super::schema::Fails>"))]
    pub fails: Option<Each<Loose>>,
    /// Edits applied in order to the solution's manifests.
    pub patch: Option<Vec<Each<Edit>>>,
    /// A workspace in the solution's form: fields left out are taken from `start`.
    pub workspace: Option<Each<SolutionFile>>,
}

/// Another way to write the solution: a `patch` to it or a whole `workspace`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RightAnswerFile {
    /// The other way of writing it, in a few words.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub title: String,
    /// Edits applied in order to the solution's manifests.
    pub patch: Option<Vec<Each<Edit>>>,
    /// A workspace in the solution's form: fields left out are taken from `start`.
    pub workspace: Option<Each<SolutionFile>>,
}

/// One edit of a patch. `replace` is one or more whole lines, matched at any indentation,
/// that occur exactly once; `with` replaces them at the same indentation ("" deletes them).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Edit {
    /// The lines to replace.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub replace: String,
    /// What replaces them.
    pub with: String,
}

/// A difference from the solution that still completes the lesson: one of `may_allow`,
/// `may_deny` and `may_differ`, with its `reason`. The connection is `FROM -> TO` or
/// `FROM -> TO : PORTS`; FROM and TO are patterns: `ns/pod`, `ns/*`, `ns/app=web`,
/// `*/app=web`, `ns/!team`, `*/*`, `ip:10.0.0.0/8`. PORTS follows ` : ` (with its spaces):
/// `53`, `53/UDP`, `8000-9000/TCP` (TCP when the protocol is left out); without it, every
/// port of every protocol.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptFile {
    /// The learner's workspace may allow what the solution denies here.
    pub may_allow: Option<String>,
    /// The learner's workspace may deny what the solution allows here.
    pub may_deny: Option<String>,
    /// Either way: what the lesson does not grade (pods that cannot exist in its cluster,
    /// say).
    pub may_differ: Option<String>,
    /// Why this difference still completes the lesson.
    #[cfg_attr(feature = "schema", schemars(length(min = 1), regex(pattern = r"\S")))]
    pub reason: String,
}

/// The lesson list (`www/lessons/index.yaml`).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct IndexFile {
    /// The course's title.
    pub title: Option<String>,
    /// The lesson files next to the index, in order (`01-name.yaml`).
    pub lessons: Vec<String>,
}
