//! A plain value tree, for readers that walk a small file by hand (lesson files) rather than
//! decode it into types. Built from a parsed [`Document`] (same YAML 1.1 scalars, merge
//! keys expanded), with the node each value came from so errors can point at it.

use std::fmt;

use super::resolve::Scalar;
use super::tree::{Document, NodeId, Style, MAX_DEPTH};

/// A YAML value as data files (expectations, lessons) read it: scalars resolved the way
/// kubectl's go-yaml v2 would, each node keeping its place.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Sequence(Vec<Value>),
    Mapping(Mapping),
}

/// A number as YAML 1.1 reads it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Number {
    Int(i64),
    Uint(u64),
    Float(f64),
}

impl Number {
    pub fn as_u64(self) -> Option<u64> {
        match self {
            Number::Int(i) => u64::try_from(i).ok(),
            Number::Uint(u) => Some(u),
            Number::Float(_) => None,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Uint(u) => write!(f, "{u}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

/// A mapping's entries, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Mapping(Vec<(Value, Value)>);

impl Mapping {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn keys(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Value, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<'a> IntoIterator for &'a Mapping {
    type Item = (&'a Value, &'a Value);
    type IntoIter = Box<dyn Iterator<Item = (&'a Value, &'a Value)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl Value {
    /// The value of a node (aliases followed, merge keys expanded).
    pub fn of(doc: &Document, node: NodeId) -> Value {
        Self::build(doc, node, 0)
    }

    fn build(doc: &Document, node: NodeId, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        if let Some((text, style, value)) = doc.scalar(node) {
            return match (style, value) {
                (Style::Literal, _) | (_, Scalar::Str) => Value::String(text.to_string()),
                (_, Scalar::Null) => Value::Null,
                (_, Scalar::Bool(b)) => Value::Bool(b),
                (_, Scalar::Int(i)) => Value::Number(Number::Int(i)),
                (_, Scalar::Uint(u)) => Value::Number(Number::Uint(u)),
                (_, Scalar::Float(f)) => Value::Number(Number::Float(f)),
            };
        }
        if doc.is_seq(node) {
            return Value::Sequence(
                doc.items(node)
                    .iter()
                    .map(|i| Self::build(doc, *i, depth + 1))
                    .collect(),
            );
        }
        let mut entries = Vec::new();
        doc.for_each_entry(node, &mut |k, v| {
            entries.push((
                Self::build(doc, k, depth + 1),
                Self::build(doc, v, depth + 1),
            ));
        });
        Value::Mapping(Mapping(entries))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A data file of one YAML document (a lesson, a `netpol test` expectations file), read
/// into a [`Value`] and kept so that a field path can be turned into a place.
pub(crate) struct DataFile<'a> {
    name: &'a str,
    text: &'a str,
    lines: super::LineStarts,
    tree: Document,
    /// Where the document starts in `text`.
    base: usize,
    /// The document's value.
    pub root: Value,
}

impl<'a> DataFile<'a> {
    /// Reads `text`; `what` names the kind of file in errors ("lesson", "expectations").
    pub fn open(
        name: &'a str,
        text: &'a str,
        what: &str,
    ) -> Result<DataFile<'a>, Vec<crate::diag::Diagnostic>> {
        use crate::diag;
        let lines = super::LineStarts::new(text);
        let at = |offset: usize| {
            let (line, column) = lines.position(text, offset);
            crate::model::Origin {
                source: name.to_string(),
                start: offset,
                end: offset,
                line,
                column,
            }
        };
        let chunk = match super::split_documents(text).as_slice() {
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
            let offset = chunk.start + super::error_offset(doc, e.offset);
            vec![diag::YAML_SYNTAX.at(&at(offset), e.message.replace('\'', "`"))]
        })?;
        let root = tree
            .root()
            .map_or(Value::Null, |node| Value::of(&tree, node));
        Ok(DataFile {
            name,
            text,
            lines,
            tree,
            base: chunk.start,
            root,
        })
    }

    /// Where `path` is (or its nearest parent that exists); the key rather than the value
    /// when `prefer_key`, so "unknown field" points at the key and "wrong type" at the value.
    pub fn origin(&self, path: &str, prefer_key: bool) -> crate::model::Origin {
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
        crate::model::Origin {
            source: self.name.to_string(),
            start,
            end: end.max(start),
            line,
            column,
        }
    }
}
