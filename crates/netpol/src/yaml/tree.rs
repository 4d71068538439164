//! One YAML document, parsed once into a compact tree that keeps where every node is.
//!
//! saphyr-parser's events (with their spans) become an arena of [`Node`]s: scalars keep
//! their text (borrowed as a range of the document where the parser did not have to
//! unescape it) and their YAML 1.1 meaning; collections keep their children as a slice of
//! one shared vector. Positions are byte offsets relative to the document's start, so a
//! cached document stays valid wherever an edit moves it in the source.
//!
//! Limits that keep hostile input bounded: nesting deeper than [`MAX_DEPTH`], and alias
//! expansion beyond go-yaml's own allowance (its "excessive aliasing" rule), are errors;
//! an alias to a node that is still open (a recursive alias) is an error.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

use super::resolve::{resolve_plain, Scalar};

/// Index of a node in its document.
pub(crate) type NodeId = u32;

/// Deeper nesting is refused (no manifest comes near it; recursion further on must stay
/// bounded).
pub(crate) const MAX_DEPTH: usize = 128;

/// How a scalar was written, which decides whether YAML 1.1 resolution applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// Unquoted: resolved (`yes` is a boolean).
    Plain,
    /// Quoted or a block scalar (`|`, `>`), or tagged `!!str`: always a string.
    Literal,
}

/// Where a scalar's text is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Text {
    /// Exactly the document's bytes in this range.
    Slice(u32, u32),
    /// Unescaped or folded text that is not in the document as such.
    Owned(Box<str>),
}

/// What a node is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// A scalar: its text, how it was written and what it means.
    Scalar {
        text: TextRef,
        style: Style,
        value: Scalar,
    },
    /// A sequence: `len` children from `first` in the children vector.
    Seq { first: u32, len: u32 },
    /// A mapping: `len` key/value pairs, stored as `2 * len` children from `first`.
    Map { first: u32, len: u32 },
    /// An alias (`*name`) of an earlier, complete node.
    Alias(NodeId),
}

/// A scalar's text, resolved against its document with [`Document::text_of`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TextRef(Text);

/// One node and its byte range in the document.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub start: u32,
    pub end: u32,
    pub kind: Kind,
}

/// A parsed document.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Document {
    text: String,
    nodes: Vec<Node>,
    children: Vec<NodeId>,
    root: Option<NodeId>,
}

/// Why a document could not be read, at a byte offset relative to the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub message: String,
    pub offset: usize,
}

impl Document {
    /// Parses one document's text.
    pub fn parse(text: &str) -> Result<Document, ParseError> {
        if u32::try_from(text.len()).is_err() {
            return Err(ParseError {
                message: "the document is larger than 4 GB".to_string(),
                offset: 0,
            });
        }
        Builder::new(text).run()
    }

    /// The document's text.
    #[cfg(test)]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The top node; `None` for a document with no content.
    pub fn root(&self) -> Option<NodeId> {
        self.root
    }

    /// A node (a dangling id reads as an empty plain scalar).
    pub fn node(&self, id: NodeId) -> &Node {
        const EMPTY: Node = Node {
            start: 0,
            end: 0,
            kind: Kind::Scalar {
                text: TextRef(Text::Slice(0, 0)),
                style: Style::Plain,
                value: Scalar::Null,
            },
        };
        self.nodes.get(id as usize).unwrap_or(&EMPTY)
    }

    /// The node an alias stands for (aliases never point at aliases).
    pub fn resolve(&self, id: NodeId) -> NodeId {
        match self.node(id).kind {
            Kind::Alias(target) => target,
            _ => id,
        }
    }

    /// A scalar's text.
    pub fn text_of<'a>(&'a self, text: &'a TextRef) -> &'a str {
        match &text.0 {
            Text::Slice(a, b) => self.text.get(*a as usize..*b as usize).unwrap_or(""),
            Text::Owned(s) => s,
        }
    }

    /// The text of a scalar node (aliases followed), `None` for collections.
    pub fn scalar(&self, id: NodeId) -> Option<(&str, Style, Scalar)> {
        match &self.node(self.resolve(id)).kind {
            Kind::Scalar { text, style, value } => Some((self.text_of(text), *style, *value)),
            _ => None,
        }
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match self.node(self.resolve(id)).kind {
            Kind::Seq { first, len } => self.slice(first, len),
            _ => &[],
        }
    }

    /// A mapping's keys and values as written, alternating (empty for anything else).
    pub fn flat_pairs(&self, id: NodeId) -> &[NodeId] {
        match self.node(self.resolve(id)).kind {
            Kind::Map { first, len } => self.slice(first, len.saturating_mul(2)),
            _ => &[],
        }
    }

    /// The key/value pairs of a mapping as written (merge keys not expanded).
    pub fn pairs(&self, id: NodeId) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.flat_pairs(id).chunks_exact(2).filter_map(|kv| match kv {
            [k, v] => Some((*k, *v)),
            _ => None,
        })
    }

    /// Whether a node (aliases followed) is a mapping.
    pub fn is_map(&self, id: NodeId) -> bool {
        matches!(self.node(self.resolve(id)).kind, Kind::Map { .. })
    }

    /// Whether a node (aliases followed) is a sequence.
    pub fn is_seq(&self, id: NodeId) -> bool {
        matches!(self.node(self.resolve(id)).kind, Kind::Seq { .. })
    }

    /// Whether a node (aliases followed) is null (`~`, `null`, or nothing).
    pub fn is_null(&self, id: NodeId) -> bool {
        matches!(self.scalar(id), Some((_, Style::Plain, Scalar::Null)))
    }

    /// A mapping key as kubectl turns it into a JSON object key: `yes` → `true`, `010` →
    /// `8`. `None` for keys that cannot be (null, collections).
    pub fn key_string(&self, key: NodeId) -> Option<std::borrow::Cow<'_, str>> {
        let (text, style, value) = self.scalar(key)?;
        if style == Style::Literal {
            return Some(text.into());
        }
        Some(match value {
            Scalar::Str => text.into(),
            Scalar::Bool(b) => (if b { "true" } else { "false" }).into(),
            Scalar::Int(i) => i.to_string().into(),
            Scalar::Uint(u) => u.to_string().into(),
            Scalar::Float(f) => go_float_key(f).into(),
            Scalar::Null => return None,
        })
    }

    /// The value under `key` in a mapping (merge keys included; the last one wins, as in
    /// go-yaml v2).
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        let mut found = None;
        self.for_each_entry(map, &mut |k, v| {
            if self.key_string(k).as_deref() == Some(key) {
                found = Some(v);
            }
        });
        found
    }

    /// Every entry of a mapping in go-yaml v2's order, `<<` merge keys expanded in place
    /// (a merged sequence of mappings from its last item to its first, so earlier items
    /// win).
    pub fn for_each_entry(&self, map: NodeId, f: &mut dyn FnMut(NodeId, NodeId)) {
        self.entries_at(map, f, 0);
    }

    fn entries_at(&self, map: NodeId, f: &mut dyn FnMut(NodeId, NodeId), depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for (k, v) in self.pairs(map) {
            if self.is_merge_key(k) {
                if self.is_seq(v) {
                    for item in self.items(v).iter().rev() {
                        self.entries_at(*item, f, depth + 1);
                    }
                } else {
                    self.entries_at(v, f, depth + 1);
                }
            } else {
                f(k, v);
            }
        }
    }

    /// Whether a key is the YAML 1.1 merge key `<<` (unquoted).
    pub fn is_merge_key(&self, key: NodeId) -> bool {
        matches!(self.scalar(key), Some(("<<", Style::Plain, _)))
    }

    /// The node at a field path below `from` (`spec.ingress[0].from[1].podSelector`), and
    /// the key node it sits under (`None` for list items and `from` itself). Keys may
    /// contain dots (`app.kubernetes.io/name`): the longest key that fits is taken.
    pub fn find_from(&self, from: NodeId, path: &str) -> Option<(NodeId, Option<NodeId>)> {
        let mut node = from;
        let mut key_node = None;
        let mut rest = path;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('[') {
                let (index, tail) = after.split_once(']')?;
                let index: usize = index.parse().ok()?;
                node = *self.items(node).get(index)?;
                key_node = None;
                rest = tail;
            } else {
                let rest_key = rest.strip_prefix('.').unwrap_or(rest);
                let (k, v, len) = self.longest_key(node, rest_key)?;
                node = v;
                key_node = Some(k);
                rest = rest_key.get(len..)?;
            }
        }
        Some((node, key_node))
    }

    /// [`Document::find_from`] the root.
    pub fn find(&self, path: &str) -> Option<(NodeId, Option<NodeId>)> {
        self.find_from(self.root?, path)
    }

    /// [`Document::find_from`], falling back to the nearest parent that exists.
    pub fn find_nearest(&self, from: NodeId, path: &str) -> (NodeId, Option<NodeId>) {
        let mut p = path;
        loop {
            if let Some(found) = self.find_from(from, p) {
                return found;
            }
            if p.is_empty() {
                return (from, None);
            }
            let cut = p.rfind(['.', '[']).unwrap_or(0);
            p = p.get(..cut).unwrap_or("");
        }
    }

    /// The key node a value sits under, if it sits under one (found by searching).
    pub fn key_of(&self, node: NodeId) -> Option<NodeId> {
        let path = self.path_of(node);
        self.find(&path)
            .and_then(|(found, key)| (found == node).then_some(key)?)
    }

    fn longest_key(&self, map: NodeId, rest: &str) -> Option<(NodeId, NodeId, usize)> {
        let mut best: Option<(NodeId, NodeId, usize)> = None;
        self.for_each_entry(map, &mut |k, v| {
            let Some(key) = self.key_string(k) else {
                return;
            };
            let fits = rest.strip_prefix(key.as_ref()).is_some_and(|after| {
                after.is_empty() || after.starts_with('.') || after.starts_with('[')
            });
            if fits && best.is_none_or(|(_, _, len)| key.len() >= len) {
                best = Some((k, v, key.len()));
            }
        });
        best
    }

    /// The field path of a node (`spec.ingress[0]`), found by searching from the root;
    /// empty for the root or a node that is not reachable.
    pub fn path_of(&self, target: NodeId) -> String {
        let mut path = Vec::new();
        match self.root {
            Some(root) if self.search(root, target, &mut path, 0) => join_path(&path),
            _ => String::new(),
        }
    }

    fn search(&self, at: NodeId, target: NodeId, path: &mut Vec<Segment>, depth: usize) -> bool {
        if at == target {
            return true;
        }
        if depth > MAX_DEPTH {
            return false;
        }
        match self.node(at).kind {
            Kind::Seq { .. } => {
                for (i, item) in self.items(at).iter().enumerate() {
                    path.push(Segment::Index(i));
                    if self.search(*item, target, path, depth + 1) {
                        return true;
                    }
                    path.pop();
                }
            }
            Kind::Map { .. } => {
                for (k, v) in self.pairs(at) {
                    let key = self.key_string(k).unwrap_or_default().into_owned();
                    path.push(Segment::Key(key));
                    if k == target || self.search(v, target, path, depth + 1) {
                        return true;
                    }
                    path.pop();
                }
            }
            _ => {}
        }
        false
    }

    fn slice(&self, first: u32, len: u32) -> &[NodeId] {
        let start = first as usize;
        self.children
            .get(start..start.saturating_add(len as usize))
            .unwrap_or(&[])
    }
}

enum Segment {
    Key(String),
    Index(usize),
}

fn join_path(segments: &[Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// A float key as sigs.k8s.io/yaml writes it (`strconv.FormatFloat(f, 'g', -1, 32)`,
/// close enough: integral values print without a fraction).
fn go_float_key(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{}", f as f32)
    }
}

/// Char index → byte offset for documents that are not ASCII (the parser counts chars).
enum Offsets {
    Ascii,
    Table(Vec<u32>),
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        if text.is_ascii() {
            return Offsets::Ascii;
        }
        let mut table: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
        table.push(text.len() as u32);
        Offsets::Table(table)
    }

    fn byte(&self, char_index: usize) -> u32 {
        match self {
            Offsets::Ascii => char_index as u32,
            Offsets::Table(t) => t.get(char_index).or(t.last()).copied().unwrap_or_default(),
        }
    }
}

struct Frame {
    node: NodeId,
    /// Where this collection's children start in `pending`.
    pending_from: usize,
}

struct Builder<'a> {
    text: &'a str,
    offsets: Offsets,
    doc: Document,
    stack: Vec<Frame>,
    pending: Vec<NodeId>,
    anchors: HashMap<usize, NodeId>,
    /// Nodes each node stands for with aliases expanded (0 while a collection is open).
    expanded: Vec<u64>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Builder<'a> {
        Builder {
            text,
            offsets: Offsets::new(text),
            doc: Document {
                text: text.to_string(),
                ..Document::default()
            },
            stack: Vec::new(),
            pending: Vec::new(),
            anchors: HashMap::new(),
            expanded: Vec::new(),
        }
    }

    fn run(mut self) -> Result<Document, ParseError> {
        let mut parser = Parser::new_from_str(self.text);
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|e| ParseError {
                message: e.info().to_string(),
                offset: self.offsets.byte(e.marker().index()) as usize,
            })?;
            self.event(event, span)?;
        }
        self.check_aliasing()?;
        Ok(self.doc)
    }

    fn error(&self, at: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
            offset: self.offsets.byte(at) as usize,
        }
    }

    fn event(&mut self, event: Event<'a>, span: Span) -> Result<(), ParseError> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let id = self.scalar(value, style, tag.as_deref(), span);
                self.anchor(anchor, id);
                self.attach(id)
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.error(
                        span.start.index(),
                        format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
                    ));
                }
                let is_map = matches!(event, Event::MappingStart(..));
                let start = self.offsets.byte(span.start.index());
                let kind = if is_map {
                    Kind::Map { first: 0, len: 0 }
                } else {
                    Kind::Seq { first: 0, len: 0 }
                };
                let id = self.push(Node {
                    start,
                    end: start,
                    kind,
                });
                self.anchor(anchor, id);
                self.stack.push(Frame {
                    node: id,
                    pending_from: self.pending.len(),
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            Event::Alias(anchor) => {
                let at = span.start.index();
                let Some(&target) = self.anchors.get(&anchor) else {
                    return Err(self.error(at, "unknown anchor"));
                };
                if self.expanded.get(target as usize).copied().unwrap_or(0) == 0 {
                    return Err(self.error(at, "an alias cannot refer to a node that contains it"));
                }
                let start = self.offsets.byte(at);
                let end = self.offsets.byte(span.end.index());
                let id = self.push(Node {
                    start,
                    end,
                    kind: Kind::Alias(target),
                });
                self.attach(id)
            }
            _ => Ok(()),
        }
    }

    fn scalar(
        &mut self,
        value: std::borrow::Cow<'a, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> NodeId {
        let forced_string = tag.is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "str");
        let (style, value_kind) = if style == ScalarStyle::Plain && !forced_string {
            (Style::Plain, resolve_plain(&value))
        } else {
            (Style::Literal, Scalar::Str)
        };
        let text = match &value {
            std::borrow::Cow::Borrowed(s) => self.slice_of(s),
            std::borrow::Cow::Owned(_) => None,
        }
        .unwrap_or_else(|| Text::Owned(value.into_owned().into_boxed_str()));
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index()).max(start);
        self.push(Node {
            start,
            end,
            kind: Kind::Scalar {
                text: TextRef(text),
                style,
                value: value_kind,
            },
        })
    }

    /// The range of `s` in the document, when `s` borrows from it.
    fn slice_of(&self, s: &str) -> Option<Text> {
        let base = self.text.as_ptr() as usize;
        let at = (s.as_ptr() as usize).checked_sub(base)?;
        let end = at.checked_add(s.len())?;
        (end <= self.text.len()).then_some(Text::Slice(at as u32, end as u32))
    }

    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
    }

    fn push(&mut self, node: Node) -> NodeId {
        let id = self.doc.nodes.len() as NodeId;
        let expanded = match node.kind {
            Kind::Scalar { .. } => 1,
            Kind::Alias(target) => self.expanded.get(target as usize).copied().unwrap_or(1),
            Kind::Seq { .. } | Kind::Map { .. } => 0,
        };
        self.doc.nodes.push(node);
        self.expanded.push(expanded);
        id
    }

    fn attach(&mut self, id: NodeId) -> Result<(), ParseError> {
        if self.stack.is_empty() {
            if self.doc.root.is_none() {
                self.doc.root = Some(id);
            }
        } else {
            self.pending.push(id);
        }
        Ok(())
    }

    fn close(&mut self, span: Span) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let children = self
            .pending
            .split_off(frame.pending_from.min(self.pending.len()));
        let first = self.doc.children.len() as u32;
        let end = self.offsets.byte(span.end.index());
        let is_map = matches!(self.doc.node(frame.node).kind, Kind::Map { .. });
        if is_map {
            self.check_duplicates(&children)?;
        }
        let size = children
            .iter()
            .map(|c| self.expanded.get(*c as usize).copied().unwrap_or(1))
            .fold(1u64, u64::saturating_add);
        let len = children.len() as u32;
        self.doc.children.extend(children);
        let last_child_end = self
            .doc
            .children
            .last()
            .filter(|_| len > 0)
            .map(|c| self.doc.node(*c).end);
        if let Some(node) = self.doc.nodes.get_mut(frame.node as usize) {
            node.kind = if is_map {
                Kind::Map {
                    first,
                    len: len / 2,
                }
            } else {
                Kind::Seq { first, len }
            };
            // A flow collection ends after its closing bracket; a block one where its last
            // child ends (the parser marks it at the next token, often lines later).
            let flow = matches!(
                self.text.as_bytes().get(node.start as usize),
                Some(b'{' | b'[')
            );
            node.end = if flow {
                end
            } else {
                last_child_end.unwrap_or(node.start)
            };
        }
        if let Some(e) = self.expanded.get_mut(frame.node as usize) {
            *e = size;
        }
        self.attach(frame.node)
    }

    /// kubectl refuses a mapping with the same key twice (`key "app" already set in map`).
    fn check_duplicates(&self, flat: &[NodeId]) -> Result<(), ParseError> {
        let keys = flat
            .iter()
            .step_by(2)
            .filter(|k| !self.doc.is_merge_key(**k));
        // Most mappings are small: compare pairs without allocating; a set for big ones.
        let count = flat.len() / 2;
        let mut seen: HashMap<std::borrow::Cow<'_, str>, NodeId> = HashMap::new();
        for (i, id) in keys.enumerate() {
            let Some(key) = self.doc.key_string(*id) else {
                continue;
            };
            let first = if count <= 16 {
                flat.iter()
                    .step_by(2)
                    .take(i)
                    .find(|k| !self.doc.is_merge_key(**k) && self.doc.key_string(**k) == Some(key.clone()))
                    .copied()
            } else {
                seen.insert(key.clone(), *id)
            };
            if let Some(first) = first {
                let node = self.doc.node(*id);
                let first_line = line_of(&self.doc.text, self.doc.node(first).start as usize);
                return Err(ParseError {
                    message: format!("key `{key}` is already set in this mapping (line {first_line}): kubectl refuses the document"),
                    offset: node.start as usize,
                });
            }
        }
        Ok(())
    }

    /// go-yaml v2's guard against alias bombs ("document contains excessive aliasing"):
    /// beyond 1,000 nodes, aliases may add at most 99% (small documents) down to 10%
    /// (4 million nodes) of what is decoded.
    fn check_aliasing(&self) -> Result<(), ParseError> {
        let Some(root) = self.doc.root else {
            return Ok(());
        };
        let decoded = self.expanded.get(root as usize).copied().unwrap_or(0);
        let written = self.doc.nodes.len() as u64;
        let from_aliases = decoded.saturating_sub(written);
        if from_aliases > 100
            && decoded > 1000
            && from_aliases as f64 / decoded as f64 > allowed_alias_ratio(decoded)
        {
            let at = self
                .doc
                .nodes
                .iter()
                .find(|n| matches!(n.kind, Kind::Alias(_)))
                .map_or(0, |n| n.start as usize);
            return Err(ParseError {
                message:
                    "the document contains excessive aliasing (an alias bomb): kubectl refuses it"
                        .to_string(),
                offset: at,
            });
        }
        Ok(())
    }
}

fn allowed_alias_ratio(decoded: u64) -> f64 {
    const LOW: f64 = 400_000.0;
    const HIGH: f64 = 4_000_000.0;
    let d = decoded as f64;
    if d <= LOW {
        0.99
    } else if d >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((d - LOW) / (HIGH - LOW))
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.bytes().filter(|b| *b == b'\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Document {
        Document::parse(t).unwrap()
    }

    fn span<'a>(d: &'a Document, path: &str) -> &'a str {
        let (id, _) = d.find(path).unwrap();
        let n = d.node(id);
        &d.text[n.start as usize..n.end as usize]
    }

    #[test]
    fn block_and_flow_nodes_have_exact_spans() {
        let d = parse("a: 1\nspec:\n  ingress:\n    - from:\n        - podSelector: {app: x}\n  b: \"q\\tx\"\n");
        assert_eq!(span(&d, "a"), "1");
        assert_eq!(span(&d, "spec.ingress[0].from[0].podSelector"), "{app: x}");
        assert_eq!(span(&d, "spec.b"), "\"q\\tx\"");
        let (_, key) = d.find("spec.ingress").unwrap();
        let key = d.node(key.unwrap());
        assert_eq!(&d.text[key.start as usize..key.end as usize], "ingress");
        assert!(span(&d, "spec.ingress[0]").starts_with("from:"));
        assert_eq!(d.scalar(d.find("spec.b").unwrap().0).unwrap().0, "q\tx");
    }

    #[test]
    fn plain_scalars_resolve_like_kubectl_and_quoted_ones_do_not() {
        let d = parse("a: yes\nb: 'yes'\nc: !!str on\nd: 010\ne: |\n  no\n");
        let value = |p: &str| d.scalar(d.find(p).unwrap().0).unwrap().2;
        assert_eq!(value("a"), Scalar::Bool(true));
        assert_eq!(value("b"), Scalar::Str);
        assert_eq!(value("c"), Scalar::Str);
        assert_eq!(value("d"), Scalar::Int(8));
        assert_eq!(value("e"), Scalar::Str);
    }

    #[test]
    fn keys_with_dots_and_paths_back() {
        let d = parse("metadata:\n  labels:\n    app.kubernetes.io/name: web\n    app: x\n");
        assert_eq!(span(&d, "metadata.labels.app.kubernetes.io/name"), "web");
        assert_eq!(span(&d, "metadata.labels.app"), "x");
        let (id, _) = d.find("metadata.labels.app").unwrap();
        assert_eq!(d.path_of(id), "metadata.labels.app");
    }

    #[test]
    fn merge_keys_and_aliases() {
        let d = parse("base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\n");
        let x = d.find("x").unwrap().0;
        let a = d.get(x, "a").unwrap();
        assert_eq!(d.scalar(a).unwrap().0, "1");
        assert_eq!(d.scalar(d.get(x, "b").unwrap()).unwrap().0, "3");
    }

    #[test]
    fn non_ascii_text_keeps_byte_offsets() {
        let d = parse("# café ☕\nname: é\nother: ok\n");
        assert_eq!(span(&d, "other"), "ok");
        assert_eq!(span(&d, "name"), "é");
    }

    #[test]
    fn duplicate_keys_recursive_aliases_and_depth_are_errors() {
        let e = Document::parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.offset, 10);
        assert!(e.message.contains("`a` is already set"), "{}", e.message);
        // `yes` and `true` are the same key to kubectl.
        assert!(Document::parse("yes: 1\ntrue: 2\n").is_err());
        assert!(Document::parse("&a [*a]").is_err());
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let e = Document::parse(&deep).unwrap_err();
        assert!(e.message.contains("nesting"), "{}", e.message);
    }

    #[test]
    fn alias_bombs_are_refused() {
        // Ten times ten, nine levels deep: a billion `x` from a few hundred bytes.
        let mut bomb = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for n in 1..9 {
            let refs = vec![format!("*l{}", n - 1); 10].join(", ");
            bomb += &format!("l{n}: &l{n} [{refs}]\n");
        }
        let e = Document::parse(&bomb).unwrap_err();
        assert!(e.message.contains("excessive aliasing"), "{}", e.message);
        // Ordinary reuse is fine.
        assert!(Document::parse("a: &a {x: 1}\nb: *a\nc: *a\n").is_ok());
    }
}
