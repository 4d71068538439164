//! Typed decoding (serde) straight from a parsed [`Document`], the way kubectl decodes.
//!
//! kubectl turns YAML into JSON with YAML 1.1 scalars and sends it to the API server,
//! which decodes it into Go structs. So an unquoted `yes` where the API wants a string is
//! refused there (`cannot unmarshal bool into Go struct field ... of type string`), a
//! quoted `"80"` where it wants an integer likewise, and `null` leaves a field at its
//! zero value. This deserializer applies the same rules while serde walks the tree, and
//! every error names the node it happened at, so the loader can point at it.
//!
//! Fields a type does not read are skipped without being looked at
//! (`deserialize_ignored_any`), which is what keeps decoding a Pod cheap.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

use super::resolve::Scalar;
use super::tree::{Document, Kind, NodeId, Style};

/// A decoding error at a node of the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DecodeError {
    /// The node it happened at (the innermost one known).
    pub node: Option<NodeId>,
    /// What is wrong (lowercase, no trailing period).
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// For a missing field: its name.
    pub missing: Option<String>,
    /// What kind of mistake it is, for the diagnostic's code.
    pub kind: ErrorKind,
    /// For a value of the wrong type that a type's own visitor refused: what it takes.
    expected: Option<String>,
}

/// The kinds of decoding error a reader words differently (its diagnostic code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// A value of the wrong shape or type.
    WrongType,
    /// A key the type does not know (only types that deny unknown fields).
    UnknownField,
    /// Anything else: a missing field, a value a type refused.
    Other,
}

/// The name [`NodeDe`] answers with the node itself (its id as a `u64`) instead of decoding
/// it: how `format::Each` keeps a node to decode later, on its own, so one bad list item
/// does not hide the problems of the others.
pub(crate) const NODE_HANDLE: &str = "$netpol::yaml::node";

/// How errors are worded: kubectl's (manifests) or the data files' (lessons, expectations),
/// which are not sent to an API server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wording {
    /// kubectl's rules and words: `null` is an empty string, `yes` a boolean kubectl refuses.
    Kubectl,
    /// `` `key` must be a string (quote it), not a number ``; `null` is no string.
    DataFile,
}

impl DecodeError {
    fn at(mut self, node: NodeId) -> Self {
        self.node.get_or_insert(node);
        self
    }

    fn new(node: NodeId, message: String, help: Option<String>) -> Self {
        DecodeError {
            node: Some(node),
            message,
            help,
            missing: None,
            kind: ErrorKind::WrongType,
            expected: None,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        DecodeError {
            node: None,
            message: format!("expected {expected}, found {unexpected}"),
            help: None,
            missing: None,
            kind: ErrorKind::WrongType,
            expected: Some(expected.to_string()),
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let help = match crate::suggest::closest(field, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("known fields here: {}", expected.join(", ")),
        };
        DecodeError {
            node: None,
            message: format!("unknown field `{field}`"),
            help: Some(help),
            missing: None,
            kind: ErrorKind::UnknownField,
            expected: None,
        }
    }

    fn custom<T: fmt::Display>(msg: T) -> Self {
        let message = msg.to_string();
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|s| s.split('`').next())
            .map(str::to_string);
        DecodeError {
            node: None,
            message,
            help: None,
            missing,
            kind: ErrorKind::Other,
            expected: None,
        }
    }
}

/// Something kubectl does silently that the author may not expect (a key `yes` becomes
/// `true`), at a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Note {
    pub node: NodeId,
    pub message: String,
    pub help: String,
}

/// Decodes the node `id` of `doc` as a `T`. Notes go to `notes`.
pub(crate) fn decode<T: DeserializeOwned>(
    doc: &Document,
    id: NodeId,
    notes: &mut Vec<Note>,
) -> Result<T, DecodeError> {
    decode_worded(doc, id, notes, Wording::Kubectl)
}

/// [`decode`] with the errors worded for `wording`.
pub(crate) fn decode_worded<T: DeserializeOwned>(
    doc: &Document,
    id: NodeId,
    notes: &mut Vec<Note>,
    wording: Wording,
) -> Result<T, DecodeError> {
    let ctx = Ctx {
        doc,
        notes: RefCell::new(std::mem::take(notes)),
        wording,
    };
    let out = T::deserialize(NodeDe {
        ctx: &ctx,
        id,
        key: false,
    });
    *notes = ctx.notes.into_inner();
    out
}

struct Ctx<'d> {
    doc: &'d Document,
    notes: RefCell<Vec<Note>>,
    wording: Wording,
}

#[derive(Clone, Copy)]
struct NodeDe<'c, 'd> {
    ctx: &'c Ctx<'d>,
    id: NodeId,
    /// A mapping key: scalars become JSON object keys (`yes` → `true`), never errors.
    key: bool,
}

/// What a field takes, for the dialect error's wording and fix.
#[derive(Clone, Copy)]
enum Expected {
    String,
    Integer,
    IntOrString,
}

/// The shape of a node after following aliases.
enum Shape<'d> {
    Scalar(&'d str, Style, Scalar),
    Seq,
    Map,
}

impl<'c, 'd> NodeDe<'c, 'd> {
    fn doc(&self) -> &'d Document {
        self.ctx.doc
    }

    fn shape(&self) -> Shape<'d> {
        let doc = self.doc();
        match &doc.node(doc.resolve(self.id)).kind {
            Kind::Scalar { text, style, value } => Shape::Scalar(doc.text_of(text), *style, *value),
            Kind::Seq { .. } => Shape::Seq,
            Kind::Map { .. } | Kind::Alias(_) => Shape::Map,
        }
    }

    fn child(&self, id: NodeId, key: bool) -> NodeDe<'c, 'd> {
        NodeDe {
            ctx: self.ctx,
            id,
            key,
        }
    }

    /// The key as kubectl makes it a string, with a note when that changes what was written.
    fn key_text(&self) -> Result<std::borrow::Cow<'d, str>, DecodeError> {
        let doc = self.doc();
        let Some(key) = doc.key_string(self.id) else {
            return Err(self.wrong("a key that is a string", self.found()));
        };
        if let Shape::Scalar(written, Style::Plain, value) = self.shape() {
            if value != Scalar::Str && key != written {
                let what = value.describe();
                let message = match self.ctx.wording {
                    Wording::Kubectl => {
                        format!(
                            "kubectl reads the key `{written}` as {what} and sends it as `{key}`"
                        )
                    }
                    Wording::DataFile => {
                        format!("YAML 1.1 reads the key `{written}` as {what} (`{key}`)")
                    }
                };
                self.ctx.notes.borrow_mut().push(Note {
                    node: self.id,
                    message,
                    help: format!("quote it to keep it as written: `\"{written}\":`"),
                });
            }
        }
        Ok(key)
    }

    fn wrong(&self, expected: &str, found: String) -> DecodeError {
        if self.ctx.wording == Wording::DataFile {
            return self.must_be(expected);
        }
        DecodeError::new(self.id, format!("expected {expected}, found {found}"), None)
    }

    /// The data files' wording: `` `deny` must be a string (quote it), not a number ``,
    /// the field named by its key, or by its path when it has none (a list item).
    fn must_be(&self, expected: &str) -> DecodeError {
        // The field within its list item (`labels.b`, `deny`), or the item (`hints[0]`).
        let path = self.doc().path_of(self.id);
        let name = path
            .rfind("].")
            .and_then(|i| path.get(i + 2..))
            .unwrap_or(&path);
        let expected = match expected {
            "a string" => "a string (quote it)",
            "true or false" => "`true` or `false`",
            other => other,
        };
        let found = match self.shape() {
            Shape::Seq => "a list",
            Shape::Map => "a mapping",
            Shape::Scalar(_, Style::Literal, _) | Shape::Scalar(_, _, Scalar::Str) => "a string",
            Shape::Scalar(_, _, Scalar::Null) => "nothing",
            Shape::Scalar(_, _, Scalar::Bool(_)) => "a boolean",
            Shape::Scalar(_, _, _) => "a number",
        };
        let message = if name.is_empty() {
            format!("the file must be {expected}, not {found}")
        } else {
            format!("`{name}` must be {expected}, not {found}")
        };
        DecodeError::new(self.id, message, None)
    }

    /// A plain scalar that YAML 1.1 reads as something other than the string it looks like.
    fn dialect(&self, text: &str, value: Scalar, expected: Expected) -> DecodeError {
        if self.ctx.wording == Wording::DataFile {
            return self.must_be(match expected {
                Expected::String => "a string",
                Expected::Integer | Expected::IntOrString => "a number",
            });
        }
        let doc = self.doc();
        let key = doc.key_of(self.id).and_then(|k| doc.key_string(k));
        let quoted = match key {
            Some(k) => format!("`{k}: \"{text}\"`"),
            None => format!("`\"{text}\"`"),
        };
        let (what, go_type, fix) = match expected {
            Expected::String => ("a string", "string", format!("quote it: {quoted}")),
            Expected::Integer => ("an integer", "int32", "write a number".to_string()),
            Expected::IntOrString => (
                "a number or a name",
                "int32",
                format!("write a number, or quote it to make it a name: {quoted}"),
            ),
        };
        DecodeError::new(
            self.id,
            format!(
                "kubectl reads unquoted `{text}` as {} (YAML 1.1), but {what} is expected here",
                value.describe()
            ),
            Some(format!(
                "{fix} (kubectl: cannot unmarshal {} into a field of type {go_type})",
                value.go_type()
            )),
        )
    }

    /// What the node is, for "expected X, found Y" (scalars quoted back).
    fn found(&self) -> String {
        match self.shape() {
            Shape::Seq => "a list".to_string(),
            Shape::Map => "a mapping".to_string(),
            Shape::Scalar(text, Style::Literal, _) | Shape::Scalar(text, _, Scalar::Str) => {
                format!("the string `{text}`")
            }
            Shape::Scalar(text, Style::Plain, value) => format!("{} (`{text}`)", value.describe()),
        }
    }

    fn visit_string<'de, V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        if self.key {
            return match self.key_text()? {
                std::borrow::Cow::Borrowed(k) => v.visit_str(k),
                std::borrow::Cow::Owned(k) => v.visit_string(k),
            };
        }
        match self.shape() {
            Shape::Scalar(text, Style::Literal, _) | Shape::Scalar(text, _, Scalar::Str) => {
                v.visit_str(text)
            }
            // JSON null leaves a Go string empty; a data file has no such rule.
            Shape::Scalar(_, _, Scalar::Null) if self.ctx.wording == Wording::Kubectl => {
                v.visit_str("")
            }
            Shape::Scalar(text, _, value) => Err(self.dialect(text, value, Expected::String)),
            Shape::Seq | Shape::Map => Err(self.wrong("a string", self.found())),
        }
    }

    fn visit_number<'de, V: Visitor<'de>>(self, v: V, what: &str) -> Result<V::Value, DecodeError> {
        match self.shape() {
            Shape::Scalar(_, Style::Plain, Scalar::Int(i)) => v.visit_i64(i),
            Shape::Scalar(_, Style::Plain, Scalar::Uint(u)) => v.visit_u64(u),
            // JSON has one number type: 8.0 and 1e3 reach Go as integers.
            Shape::Scalar(_, Style::Plain, Scalar::Float(f))
                if f.fract() == 0.0 && f.abs() < 9.0e15 =>
            {
                v.visit_i64(f as i64)
            }
            Shape::Scalar(text, Style::Plain, Scalar::Bool(b)) => {
                Err(self.dialect(text, Scalar::Bool(b), Expected::Integer))
            }
            Shape::Scalar(text, Style::Literal, _) if text.trim().parse::<f64>().is_ok() => {
                Err(DecodeError::new(
                    self.id,
                    format!("expected {what}, found the quoted string `\"{text}\"`"),
                    Some(format!("write it without quotes: `{text}`")),
                ))
            }
            _ => Err(self.wrong(what, self.found())),
        }
        .map_err(|e| e.at(self.id))
    }
}

macro_rules! numbers {
    ($($method:ident => $what:literal),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
            self.visit_number(v, $what)
        })*
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'_, '_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        if self.key {
            return match self.key_text()? {
                std::borrow::Cow::Borrowed(k) => v.visit_str(k),
                std::borrow::Cow::Owned(k) => v.visit_string(k),
            };
        }
        let out = match self.shape() {
            Shape::Scalar(text, Style::Literal, _) | Shape::Scalar(text, _, Scalar::Str) => {
                v.visit_str(text)
            }
            Shape::Scalar(_, _, Scalar::Null) => v.visit_unit(),
            Shape::Scalar(_, _, Scalar::Bool(b)) => v.visit_bool(b),
            Shape::Scalar(_, _, Scalar::Int(i)) => v.visit_i64(i),
            Shape::Scalar(_, _, Scalar::Uint(u)) => v.visit_u64(u),
            // kubectl sends JSON, which has one number type: 1e3 arrives as 1000, an integer
            // to a Go int field. A data file keeps `80.0` a float (no port).
            Shape::Scalar(_, _, Scalar::Float(f))
                if f.fract() == 0.0 && f.abs() < 9.0e15 && self.ctx.wording == Wording::Kubectl =>
            {
                v.visit_i64(f as i64)
            }
            Shape::Scalar(_, _, Scalar::Float(f)) => v.visit_f64(f),
            Shape::Seq => v.visit_seq(Items::new(self)),
            Shape::Map => v.visit_map(Entries::new(self)),
        };
        out.map_err(|e| self.explain_visitor_error(e))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self.shape() {
            Shape::Scalar(_, Style::Plain, Scalar::Bool(b)) => v.visit_bool(b),
            _ => Err(self.wrong("true or false", self.found())),
        }
    }

    numbers! {
        deserialize_i8 => "an integer", deserialize_i16 => "an integer",
        deserialize_i32 => "an integer", deserialize_i64 => "an integer",
        deserialize_u8 => "an integer", deserialize_u16 => "an integer",
        deserialize_u32 => "an integer", deserialize_u64 => "an integer",
    }

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.deserialize_f64(v)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self.shape() {
            Shape::Scalar(_, Style::Plain, Scalar::Float(f)) => v.visit_f64(f),
            _ => self.visit_number(v, "a number"),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.visit_string(v)
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.visit_string(v).map_err(|e| e.at(self.id))
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.visit_string(v).map_err(|e| e.at(self.id))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.visit_string(v)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.visit_string(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self.shape() {
            Shape::Scalar(_, Style::Plain, Scalar::Null) if !self.key => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        v.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        v.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        if name == NODE_HANDLE {
            return v.visit_u64(u64::from(self.id));
        }
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self.shape() {
            Shape::Seq => v.visit_seq(Items::new(self)),
            // JSON null leaves a Go slice empty.
            Shape::Scalar(_, Style::Plain, Scalar::Null) => v.visit_seq(Items::empty(self)),
            _ => Err(self.wrong("a list", self.found())),
        }
        .map_err(|e| e.at(self.id))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self.shape() {
            Shape::Map => v.visit_map(Entries::new(self)),
            Shape::Scalar(_, Style::Plain, Scalar::Null) => v.visit_map(Entries::empty(self)),
            _ => Err(self.wrong("a mapping", self.found())),
        }
        .map_err(|e| e.at(self.id))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_map(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        match self.shape() {
            Shape::Scalar(text, Style::Literal, _) | Shape::Scalar(text, _, Scalar::Str) => v
                .visit_enum(text.to_string().into_deserializer())
                .map_err(|e: DecodeError| e.at(self.id)),
            Shape::Scalar(
                text,
                _,
                value @ (Scalar::Bool(_) | Scalar::Int(_) | Scalar::Float(_)),
            ) => Err(self.dialect(text, value, Expected::String)),
            _ => Err(self.wrong("a string", self.found())),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.visit_string(v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        v.visit_unit()
    }
}

impl NodeDe<'_, '_> {
    /// A visitor refused what `deserialize_any` offered (a type such as IntOrString that
    /// takes several shapes): for a plain scalar that YAML 1.1 read as a boolean or null,
    /// say so, since that is what surprises.
    fn explain_visitor_error(&self, e: DecodeError) -> DecodeError {
        if e.node.is_some() || e.missing.is_some() {
            return e;
        }
        if let (Wording::DataFile, Some(expected)) = (self.ctx.wording, &e.expected) {
            return self.must_be(expected);
        }
        match self.shape() {
            Shape::Scalar(text, Style::Plain, value @ Scalar::Bool(_)) => {
                self.dialect(text, value, Expected::IntOrString)
            }
            _ => e.at(self.id),
        }
    }
}

impl From<de::value::Error> for DecodeError {
    fn from(e: de::value::Error) -> Self {
        <DecodeError as de::Error>::custom(e)
    }
}

/// serde's `SeqAccess` over a sequence node's children.
struct Items<'c, 'd> {
    parent: NodeDe<'c, 'd>,
    items: &'d [NodeId],
    next: usize,
}

impl<'c, 'd> Items<'c, 'd> {
    fn new(parent: NodeDe<'c, 'd>) -> Self {
        Items {
            parent,
            items: parent.doc().items(parent.id),
            next: 0,
        }
    }

    fn empty(parent: NodeDe<'c, 'd>) -> Self {
        Items {
            parent,
            items: &[],
            next: 0,
        }
    }
}

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        let Some(&item) = self.items.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        seed.deserialize(self.parent.child(item, false))
            .map(Some)
            .map_err(|e| e.at(item))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len().saturating_sub(self.next))
    }
}

/// Mapping entries, `<<` merge keys expanded.
struct Entries<'c, 'd> {
    parent: NodeDe<'c, 'd>,
    entries: EntryList<'d>,
    next: usize,
}

/// The pairs as written (no merge key: no copy), or expanded.
enum EntryList<'d> {
    Flat(&'d [NodeId]),
    Merged(Vec<(NodeId, NodeId)>),
}

impl EntryList<'_> {
    fn get(&self, i: usize) -> Option<(NodeId, NodeId)> {
        match self {
            EntryList::Flat(flat) => Some((*flat.get(2 * i)?, *flat.get(2 * i + 1)?)),
            EntryList::Merged(v) => v.get(i).copied(),
        }
    }

    fn len(&self) -> usize {
        match self {
            EntryList::Flat(flat) => flat.len() / 2,
            EntryList::Merged(v) => v.len(),
        }
    }
}

impl<'c, 'd> Entries<'c, 'd> {
    fn new(parent: NodeDe<'c, 'd>) -> Self {
        let doc = parent.doc();
        let flat = doc.flat_pairs(parent.id);
        let merges = flat.iter().step_by(2).any(|k| doc.is_merge_key(*k));
        let entries = if merges {
            let mut v = Vec::new();
            doc.for_each_entry(parent.id, &mut |k, val| v.push((k, val)));
            EntryList::Merged(v)
        } else {
            EntryList::Flat(flat)
        };
        Entries {
            parent,
            entries,
            next: 0,
        }
    }

    fn empty(parent: NodeDe<'c, 'd>) -> Self {
        Entries {
            parent,
            entries: EntryList::Flat(&[]),
            next: 0,
        }
    }
}

impl<'de> de::MapAccess<'de> for Entries<'_, '_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some((key, _)) = self.entries.get(self.next) else {
            return Ok(None);
        };
        seed.deserialize(self.parent.child(key, true))
            .map(Some)
            .map_err(|e| e.at(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let Some((_, value)) = self.entries.get(self.next) else {
            return Err(<DecodeError as de::Error>::custom("value without a key"));
        };
        self.next += 1;
        seed.deserialize(self.parent.child(value, false))
            .map_err(|e| e.at(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len().saturating_sub(self.next))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Meta {
        name: Option<String>,
        labels: Option<BTreeMap<String, String>>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Port {
        port: Option<IntOrString>,
        #[serde(rename = "containerPort")]
        container_port: Option<i32>,
    }

    fn run<T: DeserializeOwned>(text: &str) -> (Result<T, DecodeError>, Document, Vec<Note>) {
        let doc = Document::parse(text).unwrap();
        let mut notes = Vec::new();
        let out = decode::<T>(&doc, doc.root().unwrap(), &mut notes);
        (out, doc, notes)
    }

    fn at<'a>(doc: &'a Document, e: &DecodeError) -> &'a str {
        let n = doc.node(e.node.unwrap());
        &doc.text()[n.start as usize..n.end as usize]
    }

    #[test]
    fn a_boolean_label_value_is_kubectls_error_with_the_fix() {
        let (out, doc, _) = run::<Meta>("name: a\nlabels:\n  pci: yes\n");
        let e = out.unwrap_err();
        assert_eq!(at(&doc, &e), "yes");
        assert_eq!(
            e.message,
            "kubectl reads unquoted `yes` as a boolean (YAML 1.1), but a string is expected here"
        );
        assert!(e.help.unwrap().starts_with("quote it: `pci: \"yes\"`"));
    }

    #[test]
    fn numbers_where_strings_are_expected_are_refused_but_keys_are_converted() {
        let (out, doc, _) = run::<Meta>("name: 123\n");
        let e = out.unwrap_err();
        assert_eq!(at(&doc, &e), "123");
        assert!(e.message.contains("as an integer"), "{}", e.message);
        let (out, _, notes) = run::<Meta>("labels:\n  on: x\n  '010': z\n");
        let labels = out.unwrap().labels.unwrap();
        assert_eq!(labels.get("true").map(String::as_str), Some("x"));
        assert_eq!(labels.get("010").map(String::as_str), Some("z"));
        assert_eq!(notes.len(), 1);
        assert!(notes[0].message.contains("`on`"), "{}", notes[0].message);
    }

    #[test]
    fn int_or_string_takes_octal_and_names_and_refuses_booleans() {
        let (out, _, _) = run::<Port>("port: 010\n");
        assert_eq!(out.unwrap().port, Some(IntOrString::Int(8)));
        let (out, _, _) = run::<Port>("port: http\n");
        assert_eq!(out.unwrap().port, Some(IntOrString::String("http".into())));
        let (out, doc, _) = run::<Port>("port: on\n");
        let e = out.unwrap_err();
        assert_eq!(at(&doc, &e), "on");
        assert!(e.message.contains("as a boolean"), "{}", e.message);
    }

    #[test]
    fn quoted_numbers_are_not_integers() {
        let (out, doc, _) = run::<Port>("containerPort: \"8080\"\n");
        let e = out.unwrap_err();
        assert_eq!(at(&doc, &e), "\"8080\"");
        assert_eq!(e.help.as_deref(), Some("write it without quotes: `8080`"));
        let (out, _, _) = run::<Port>("containerPort: 1e3\n");
        assert_eq!(out.unwrap().container_port, Some(1000));
        let (out, _, _) = run::<Port>("containerPort: 80.5\n");
        assert!(out.is_err());
    }

    #[test]
    fn missing_fields_and_wrong_shapes_point_at_their_node() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code, reason = "only decoded")]
        struct Req {
            key: String,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code, reason = "only decoded")]
        struct Sel {
            reqs: Vec<Req>,
        }
        let (out, doc, _) = run::<Sel>("reqs:\n  - {operator: In}\n");
        let e = out.unwrap_err();
        assert_eq!(e.missing.as_deref(), Some("key"));
        assert_eq!(at(&doc, &e), "{operator: In}");
        let (out, doc, _) = run::<Sel>("reqs: {a: 1}\n");
        let e = out.unwrap_err();
        assert_eq!(at(&doc, &e), "{a: 1}");
        assert_eq!(e.message, "expected a list, found a mapping");
        let (out, _, _) = run::<Port>("containerPort: many\n");
        assert_eq!(
            out.unwrap_err().message,
            "expected an integer, found the string `many`"
        );
    }

    #[test]
    fn null_leaves_fields_empty() {
        let (out, _, _) = run::<Meta>("name:\nlabels:\n  app:\n");
        let m = out.unwrap();
        assert_eq!(m.name, None);
        assert_eq!(m.labels.unwrap().get("app").map(String::as_str), Some(""));
    }
}
