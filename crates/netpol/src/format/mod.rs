//! The one description of the playground's own file formats: lesson files and their
//! workspaces (`www/lessons/*.yaml`), the lesson index, a learner's answer file and the
//! expectations file of `netpol test`, as serde types.
//!
//! The types say what a file may contain (field names, which are required, the shape of
//! each value); the readers (`lesson::read`, `expect::file`) turn them into the engine's
//! model and add the checks serde cannot express, each at its line and column. The same
//! types generate `www/lessons/schema.json` (feature `schema`), so the editor's schema and
//! the reader cannot drift apart. Drawn namespaces and pods are the workspace's own
//! [`crate::workspace::DrawnNamespace`] and [`crate::workspace::DrawnPod`].
//!
//! Files are decoded through [`crate::yaml`]'s located decoder with the data files'
//! wording, so every error names its place. A list whose items are checked one by one
//! holds [`Each`]: the item's node, decoded on its own later, so that one bad goal line
//! does not hide the problems of the others.

mod expect;
mod lesson;
#[cfg(feature = "schema")]
mod schema;

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

pub use expect::GoalLine;
pub use lesson::{
    AcceptFile, ConstraintItem, Edit, GeneratorOptions, IndexFile, LessonFile, Manifests,
    RightAnswerFile, SolutionFile, WorkspaceFile, WrongAnswerFile,
};
#[cfg(feature = "schema")]
pub use schema::lesson_schema;

use crate::diag::{self, Diagnostic};
use crate::model::Origin;
use crate::yaml::data::DataFile;
use crate::yaml::{DecodeError, ErrorKind, NodeId, Wording, NODE_HANDLE};

/// A value decoded later, on its own ([`Source::decode`]): a list item whose problems are
/// reported alongside its siblings'. Only the located decoder can make one.
pub struct Each<T> {
    node: NodeId,
    of: PhantomData<fn() -> T>,
}

impl<T> Each<T> {
    /// The same node, to be decoded as another type (a `fails:` that is a goal line or a
    /// constraint).
    pub(crate) fn cast<U>(self) -> Each<U> {
        Each {
            node: self.node,
            of: PhantomData,
        }
    }
}

impl<T> Clone for Each<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Each<T> {}

impl<T> fmt::Debug for Each<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Each(node {})", self.node)
    }
}

impl<'de, T> Deserialize<'de> for Each<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Handle<T>(PhantomData<fn() -> T>);
        impl<T> Visitor<'_> for Handle<T> {
            type Value = Each<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a node of a YAML document read by netpol's reader")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Each<T>, E> {
                let node = NodeId::try_from(v).map_err(E::custom)?;
                Ok(Each {
                    node,
                    of: PhantomData,
                })
            }
        }
        d.deserialize_newtype_struct(NODE_HANDLE, Handle(PhantomData))
    }
}

/// A scalar as written, for fields that take several types (`dns: true` and `dns: "true"`)
/// or whose type mistakes are worded with the field's other problems.
#[derive(Clone, Debug, PartialEq)]
pub enum Loose {
    /// `null` or `~`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as YAML 1.1 prints it.
    Number(String),
    /// Whole numbers keep their value too.
    Integer(i128),
    /// A string.
    Text(String),
    /// A list (its items unread).
    List,
    /// A mapping (its entries unread).
    Mapping,
}

impl Loose {
    /// What the value is, for "must be X, not Y".
    pub fn kind(&self) -> &'static str {
        match self {
            Loose::Null => "nothing",
            Loose::Bool(_) => "a boolean",
            Loose::Number(_) | Loose::Integer(_) => "a number",
            Loose::Text(_) => "a string",
            Loose::List => "a list",
            Loose::Mapping => "a mapping",
        }
    }

    /// A string, a boolean or a number as text (`true`, `8080`); `None` for the others.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Loose::Bool(b) => Some(b.to_string()),
            Loose::Number(n) | Loose::Text(n) => Some(n.clone()),
            Loose::Integer(i) => Some(i.to_string()),
            Loose::Null | Loose::List | Loose::Mapping => None,
        }
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Loose, E> {
                Ok(Loose::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose::Integer(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose::Integer(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose::Number(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Text(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Loose, A::Error> {
                while a.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Loose::List)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Loose, A::Error> {
                while a.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(Loose::Mapping)
            }
        }
        d.deserialize_any(V)
    }
}

/// A data file being read: its tree, to decode typed values from and to place problems.
pub(crate) struct Source<'a> {
    file: DataFile<'a>,
    /// The kind of file, in "missing required field `x` in the lesson".
    what: &'static str,
}

impl<'a> Source<'a> {
    /// Parses `text` (one YAML document); `what` names the kind of file in errors.
    pub fn open(
        name: &'a str,
        text: &'a str,
        what: &'static str,
    ) -> Result<Source<'a>, Vec<Diagnostic>> {
        Ok(Source {
            file: DataFile::open(name, text, what)?,
            what,
        })
    }

    /// The whole file as a `T`.
    pub fn root<T: for<'de> Deserialize<'de>>(&self) -> Result<T, Vec<Diagnostic>> {
        match self.file.root_node() {
            Some(root) => self.decode_node(root),
            None => Err(vec![diag::MISSING_FIELD.at(
                &self.origin("", false),
                format!("the {} file is empty", self.what),
            )]),
        }
    }

    /// Decodes a value kept for later.
    pub fn decode<T: for<'de> Deserialize<'de>>(
        &self,
        each: Each<T>,
    ) -> Result<T, Vec<Diagnostic>> {
        self.decode_node(each.node)
    }

    /// What a kept value is, for "must be X, not Y": `a mapping`, `a list`, `a string`,
    /// `a number`, `a boolean` or `nothing`.
    pub fn shape<T>(&self, each: Each<T>) -> &'static str {
        self.node_shape(each.node)
    }

    /// What the whole file is, like [`Source::shape`].
    pub fn root_shape(&self) -> &'static str {
        self.file
            .root_node()
            .map_or("nothing", |root| self.node_shape(root))
    }

    fn node_shape(&self, node: NodeId) -> &'static str {
        use crate::yaml::{Scalar, Style};
        let tree = self.file.tree();
        let node = tree.resolve(node);
        match tree.scalar(node) {
            None if tree.is_seq(node) => "a list",
            None => "a mapping",
            Some((_, Style::Literal, _)) | Some((_, _, Scalar::Str)) => "a string",
            Some((_, _, Scalar::Null)) => "nothing",
            Some((_, _, Scalar::Bool(_))) => "a boolean",
            Some(_) => "a number",
        }
    }

    /// True when the kept value is a mapping with one of `keys`.
    pub fn has_key<T>(&self, each: Each<T>, keys: &[&str]) -> bool {
        self.node_has_key(each.node, keys)
    }

    /// True when the file is a mapping with one of `keys`.
    pub fn root_has_key(&self, keys: &[&str]) -> bool {
        self.file
            .root_node()
            .is_some_and(|root| self.node_has_key(root, keys))
    }

    fn node_has_key(&self, node: NodeId, keys: &[&str]) -> bool {
        let tree = self.file.tree();
        let node = tree.resolve(node);
        tree.is_map(node) && keys.iter().any(|k| tree.get(node, k).is_some())
    }

    fn decode_node<T: for<'de> Deserialize<'de>>(
        &self,
        node: NodeId,
    ) -> Result<T, Vec<Diagnostic>> {
        let mut notes = Vec::new();
        let tree = self.file.tree();
        let out = crate::yaml::decode_worded(tree, node, &mut notes, Wording::DataFile);
        // A key YAML 1.1 reads as another type (`on:` is `true`) is a mistake in a file
        // that no kubectl reads.
        let mut problems: Vec<Diagnostic> = notes
            .into_iter()
            .map(|n| {
                diag::WRONG_TYPE
                    .at(&self.file.origin_of(n.node, false), n.message)
                    .with_help(n.help)
            })
            .collect();
        match out {
            Ok(value) if problems.is_empty() => Ok(value),
            Ok(_) => Err(problems),
            Err(e) => {
                problems.push(self.diagnostic(node, e));
                Err(problems)
            }
        }
    }

    fn diagnostic(&self, decoded: NodeId, e: DecodeError) -> Diagnostic {
        let node = e.node.unwrap_or(decoded);
        let path = self.file.tree().path_of(node);
        if let Some(field) = &e.missing {
            let within = if path.is_empty() {
                format!("the {}", self.what)
            } else {
                format!("`{path}`")
            };
            return diag::MISSING_FIELD.at(
                &self.file.origin_of(node, true),
                format!("missing required field `{field}` in {within}"),
            );
        }
        let (code, at, message) = match e.kind {
            ErrorKind::UnknownField => (diag::UNKNOWN_FIELD, node, e.message),
            ErrorKind::WrongType => (diag::WRONG_TYPE, node, e.message),
            ErrorKind::Other if path.is_empty() => (diag::INVALID_VALUE, node, e.message),
            ErrorKind::Other => (
                diag::INVALID_VALUE,
                node,
                format!("`{path}`: {}", e.message),
            ),
        };
        let d = code.at(&self.file.origin_of(at, false), message);
        match e.help {
            Some(help) => d.with_help(help),
            None => d,
        }
    }

    /// Where `path` is (or its nearest parent that exists); the key rather than the value
    /// when `prefer_key`.
    pub fn origin(&self, path: &str, prefer_key: bool) -> Origin {
        self.file.origin(path, prefer_key)
    }

    /// The field path of a kept value (`goal[1]`), for [`Source::origin`] and messages.
    pub fn path<T>(&self, each: Each<T>) -> String {
        self.file.tree().path_of(each.node)
    }

    /// Where a kept value is.
    pub fn origin_of<T>(&self, each: Each<T>) -> Origin {
        self.file.origin_of(each.node, false)
    }
}

/// Joins a field path and a key (`goal[1]` and `allow`).
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else if key.is_empty() {
        path.to_string()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(d: &[Diagnostic]) -> Vec<String> {
        d.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn each_item_is_decoded_on_its_own() {
        let text = "- allow: \"x/a -> x/b : 80\"\n- {deny: [1]}\n- {alow: x}\n";
        let source =
            Source::open("e.yaml", text, "expectations").unwrap_or_else(|d| panic!("{d:?}"));
        let items: Vec<Each<GoalLine>> = source.root().unwrap_or_else(|d| panic!("{d:?}"));
        let results: Vec<_> = items.iter().map(|i| source.decode(*i)).collect();
        assert!(results[0].as_ref().is_ok_and(|l| l.allow.is_some()));
        assert_eq!(
            shown(results[1].as_ref().err().map_or(&[], Vec::as_slice)),
            ["e.yaml:2:10: error[NP103]: `deny` must be a string (quote it), not a list"]
        );
        assert_eq!(
            shown(results[2].as_ref().err().map_or(&[], Vec::as_slice)),
            ["e.yaml:3:4: error[NP104]: unknown field `alow` (help: did you mean `allow`?)"]
        );
        assert_eq!(source.path(items[2]), "[2]");
    }

    #[test]
    fn type_errors_are_worded_for_data_files_at_their_place() {
        let lesson = |body: &str| {
            let text =
                format!("id: x\ntitle: T\ntext: t\nstart: {{}}\ngoal: []\nsolution: {{}}\n{body}");
            let source =
                Source::open("l.yaml", &text, "lesson").map(|s| s.root::<LessonFile>().map(|_| ()));
            shown(&source.and_then(|r| r).err().unwrap_or_default())
        };
        assert_eq!(lesson(""), Vec::<String>::new());
        assert_eq!(
            lesson("flows: 12\n"),
            ["l.yaml:7:8: error[NP103]: `flows` must be a string (quote it), not a number"]
        );
        // `null` is no string in a data file (kubectl would send an empty one).
        assert_eq!(
            lesson("hints: [~]\n"),
            ["l.yaml:7:9: error[NP103]: `hints[0]` must be a string (quote it), not nothing"]
        );
        assert_eq!(
            lesson("hint: []\n"),
            ["l.yaml:7:1: error[NP104]: unknown field `hint` (help: did you mean `hints`?)"]
        );
        let text = "title: T\n";
        let d = Source::open("l.yaml", text, "lesson")
            .and_then(|s| s.root::<LessonFile>().map(|_| ()))
            .err()
            .unwrap_or_default();
        assert_eq!(
            shown(&d),
            ["l.yaml:1:1: error[NP105]: missing required field `id` in the lesson"]
        );
    }

    #[test]
    fn loose_values_keep_what_was_written() {
        let text = "- {port: 80, allowed: yes}\n- {port: \"http\", allowed: [1]}\n- {port: 80.0}\n";
        let source =
            Source::open("e.yaml", text, "expectations").unwrap_or_else(|d| panic!("{d:?}"));
        let lines: Vec<GoalLine> = source.root().unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(lines[0].port, Some(Loose::Integer(80)));
        assert_eq!(lines[0].allowed, Some(Loose::Bool(true)));
        assert_eq!(lines[1].port, Some(Loose::Text("http".into())));
        assert_eq!(lines[1].allowed.as_ref().map(Loose::kind), Some("a list"));
        // A float is no port, though it prints as one.
        assert_eq!(lines[2].port, Some(Loose::Number("80".into())));
    }
}
