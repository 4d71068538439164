//! One YAML document, parsed once into a compact tree that keeps where every node is, and
//! the questions the loader asks of it (a field by path, the path of a node, entries with
//! merge keys expanded, keys as kubectl stringifies them).
//!
//! The tree is an arena of [`Node`]s: scalars keep their text (a range of the document
//! where the parser did not have to unescape it) and their YAML 1.1 meaning; collections
//! keep their children as a slice of one shared vector. Positions are byte offsets relative
//! to the document's start, so a cached document stays valid wherever an edit moves it in
//! the source. The fast reader (`fast`) builds most documents; what it does not take on
//! goes to saphyr-parser (`full`); both feed the same builder (`build`).

use super::build::Builder;
use super::json::Skip;
use super::resolve::Scalar;

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
pub(super) enum Text {
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
pub(crate) struct TextRef(pub(super) Text);

/// One node and its byte range in the document.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub start: u32,
    pub end: u32,
    pub kind: Kind,
}

/// A parsed document: its text and a flat node arena that [`NodeId`]s index.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Document {
    pub(super) text: String,
    pub(super) nodes: Vec<Node>,
    pub(super) children: Vec<NodeId>,
    pub(super) root: Option<NodeId>,
    /// Whether any `<<` key occurs (almost never): lets entry walks skip the check.
    pub(super) has_merge_keys: bool,
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
        Document::parse_skipping(text, None)
    }

    /// [`Document::parse`]; a JSON document is read by the JSON reader, which leaves out
    /// what `skip` says (see `json`). The same text and `skip` always give the same tree,
    /// so node ids found once stay valid when the tree is built again.
    pub fn parse_skipping(text: &str, skip: Option<Skip>) -> Result<Document, ParseError> {
        if u32::try_from(text.len()).is_err() {
            return Err(ParseError {
                message: "the document is larger than 4 GB".to_string(),
                offset: 0,
            });
        }
        if super::json::looks_like_json(text) {
            let mut builder = Builder::new(text);
            match super::json::parse(text, &mut builder, skip) {
                Ok(()) => return builder.finish(),
                Err(super::fast::Stop::Error(e)) => return Err(e),
                Err(super::fast::Stop::Bail) => {}
            }
        }
        let mut builder = Builder::new(text);
        match super::fast::parse(text, &mut builder) {
            Ok(()) => return builder.finish(),
            Err(super::fast::Stop::Error(e)) => return Err(e),
            Err(super::fast::Stop::Bail) => {}
        }
        let mut builder = Builder::new(text);
        super::full::parse(text, &mut builder)?;
        builder.finish()
    }

    /// An empty document over `text`, for the builder to fill.
    pub(super) fn with_text(text: &str) -> Document {
        Document {
            text: text.to_string(),
            ..Document::default()
        }
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
        self.flat_pairs(id)
            .chunks_exact(2)
            .filter_map(|kv| match kv {
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
        if !self.has_merge_keys {
            for (k, v) in self.pairs(map) {
                f(k, v);
            }
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
        self.has_merge_keys && matches!(self.scalar(key), Some(("<<", Style::Plain, _)))
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
