//! Building a [`Document`] from parse events, whichever parser produced them (the fast
//! reader in `fast`, or saphyr-parser through `full`).
//!
//! The builder is where the tree's rules live, so both parsers obey them alike: YAML 1.1
//! resolution of plain scalars, duplicate keys refused as kubectl refuses them, nesting
//! bounded by [`MAX_DEPTH`], aliases only to complete nodes, and go-yaml's limit on alias
//! expansion ("excessive aliasing").

use std::borrow::Cow;
use std::collections::HashMap;

use super::resolve::{resolve_plain, Scalar};
use super::tree::{Document, Kind, Node, NodeId, ParseError, Style, Text, TextRef, MAX_DEPTH};

/// One parse event, with byte offsets relative to the document.
pub(super) enum Event<'a> {
    /// A scalar; `plain` when unquoted and untagged (then YAML 1.1 resolution applies).
    Scalar {
        text: Cow<'a, str>,
        plain: bool,
        anchor: Option<Cow<'a, str>>,
        start: usize,
        end: usize,
    },
    /// The start of a mapping or a sequence.
    Start {
        map: bool,
        anchor: Option<Cow<'a, str>>,
        start: usize,
    },
    /// The end of the innermost open collection (`end`: where its closing token ends;
    /// `flow`: it was a `[...]` or `{...}` collection).
    End { end: usize, flow: bool },
    /// `*name`.
    Alias {
        anchor: Cow<'a, str>,
        start: usize,
        end: usize,
    },
}

struct Frame {
    node: NodeId,
    /// Where this collection's children start in `pending`.
    pending_from: usize,
}

/// Turns events into a [`Document`].
pub(super) struct Builder<'a> {
    text: &'a str,
    doc: Document,
    stack: Vec<Frame>,
    pending: Vec<NodeId>,
    anchors: HashMap<Cow<'a, str>, NodeId>,
    /// Nodes each node stands for with aliases expanded (0 while a collection is open).
    expanded: Vec<u64>,
}

impl<'a> Builder<'a> {
    pub fn new(text: &'a str) -> Builder<'a> {
        // Manifests run about one node per 8 bytes, a node is 40 bytes: reserving for all
        // of them would take five times the text before reading a byte of it (6 GB for a
        // 1 GB snapshot). A small share, capped, and the vectors grow as nodes come.
        let nodes = (text.len() / 64).min(1 << 16) + 4;
        let mut doc = Document::with_text(text);
        doc.nodes.reserve(nodes);
        doc.children.reserve(nodes);
        Builder {
            text,
            doc,
            stack: Vec::with_capacity(16),
            pending: Vec::with_capacity(64),
            anchors: HashMap::new(),
            expanded: Vec::with_capacity(nodes),
        }
    }

    /// The tree, once every event has been given.
    pub fn finish(self) -> Result<Document, ParseError> {
        self.check_aliasing()?;
        Ok(self.doc)
    }

    pub fn event(&mut self, event: Event<'a>) -> Result<(), ParseError> {
        match event {
            Event::Scalar {
                text,
                plain,
                anchor,
                start,
                end,
            } => {
                let id = self.scalar(text, plain, start, end);
                self.anchor(anchor, id);
                self.attach(id);
                Ok(())
            }
            Event::Start { map, anchor, start } => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(ParseError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
                        offset: start,
                    });
                }
                let kind = if map {
                    Kind::Map { first: 0, len: 0 }
                } else {
                    Kind::Seq { first: 0, len: 0 }
                };
                let at = start as u32;
                let id = self.push(Node {
                    start: at,
                    end: at,
                    kind,
                });
                self.anchor(anchor, id);
                self.stack.push(Frame {
                    node: id,
                    pending_from: self.pending.len(),
                });
                Ok(())
            }
            Event::End { end, flow } => self.close(end, flow),
            Event::Alias { anchor, start, end } => {
                let Some(&target) = self.anchors.get(&anchor) else {
                    return Err(ParseError {
                        message: format!("unknown anchor `{anchor}`"),
                        offset: start,
                    });
                };
                if self.expanded.get(target as usize).copied().unwrap_or(0) == 0 {
                    return Err(ParseError {
                        message: "an alias cannot refer to a node that contains it".to_string(),
                        offset: start,
                    });
                }
                let id = self.push(Node {
                    start: start as u32,
                    end: end as u32,
                    kind: Kind::Alias(target),
                });
                self.attach(id);
                Ok(())
            }
        }
    }

    fn scalar(&mut self, value: Cow<'a, str>, plain: bool, start: usize, end: usize) -> NodeId {
        if plain && value == "<<" {
            self.doc.has_merge_keys = true;
        }
        let (style, value_kind) = if plain {
            (Style::Plain, resolve_plain(&value))
        } else {
            (Style::Literal, Scalar::Str)
        };
        let text = match &value {
            Cow::Borrowed(s) => self.slice_of(s),
            Cow::Owned(_) => None,
        }
        .unwrap_or_else(|| Text::Owned(value.into_owned().into_boxed_str()));
        self.push(Node {
            start: start as u32,
            end: end.max(start) as u32,
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

    fn anchor(&mut self, anchor: Option<Cow<'a, str>>, id: NodeId) {
        if let Some(name) = anchor {
            self.anchors.insert(name, id);
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

    fn attach(&mut self, id: NodeId) {
        if self.stack.is_empty() {
            if self.doc.root.is_none() {
                self.doc.root = Some(id);
            }
        } else {
            self.pending.push(id);
        }
    }

    fn close(&mut self, end: usize, flow: bool) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let from = frame.pending_from.min(self.pending.len());
        let children = self.pending.get(from..).unwrap_or(&[]);
        let first = self.doc.children.len() as u32;
        let is_map = matches!(self.doc.node(frame.node).kind, Kind::Map { .. });
        if is_map {
            self.check_duplicates(children)?;
        }
        let size = children
            .iter()
            .map(|c| self.expanded.get(*c as usize).copied().unwrap_or(1))
            .fold(1u64, u64::saturating_add);
        let len = children.len() as u32;
        let last_child_end = children.last().map(|c| self.doc.node(*c).end);
        // An empty first item has no place of its own to start the collection at.
        let first_start = children
            .first()
            .map(|c| self.doc.node(*c))
            .filter(|n| n.end > n.start || !matches!(n.kind, Kind::Scalar { .. }))
            .map(|n| n.start);
        self.doc.children.extend_from_slice(children);
        self.pending.truncate(from);
        if let Some(e) = self.expanded.get_mut(frame.node as usize) {
            *e = size;
        }
        if let Some(node) = self.doc.nodes.get_mut(frame.node as usize) {
            node.kind = if is_map {
                Kind::Map {
                    first,
                    len: len / 2,
                }
            } else {
                Kind::Seq { first, len }
            };
            // A flow collection spans its brackets; a block mapping starts at its first key
            // and a block sequence at its first `-`, and both end where their last child
            // does (parsers mark block ends at the next token, often lines later).
            let text = self.text.as_bytes();
            if flow {
                node.start = flow_start(text, node.start as usize).map_or(node.start, |b| b as u32);
                node.end = end as u32;
            } else {
                node.end = last_child_end.unwrap_or(node.start);
                if let Some(first) = first_start {
                    node.start = if is_map {
                        first
                    } else {
                        dash_before(text, first as usize).map_or(first, |d| d as u32)
                    };
                }
            }
        }
        self.attach(frame.node);
        Ok(())
    }

    /// kubectl refuses a mapping with the same key twice (`key "app" already set in map`).
    fn check_duplicates(&self, flat: &[NodeId]) -> Result<(), ParseError> {
        if flat.len() < 4 {
            return Ok(());
        }
        // Most mappings are small with keys written as plain text: compare them in place
        // (no allocation on this path, which every mapping of every document takes).
        let doc = &self.doc;
        let mut keys: [(NodeId, &str); 16] = [(0, ""); 16];
        let mut n = 0;
        for k in flat.iter().step_by(2) {
            if doc.is_merge_key(*k) {
                continue;
            }
            match doc.key_string(*k) {
                Some(Cow::Borrowed(s)) if n < keys.len() => {
                    if let Some(slot) = keys.get_mut(n) {
                        *slot = (*k, s);
                    }
                    n += 1;
                }
                None => {}
                _ => return self.check_duplicates_slowly(flat),
            }
        }
        let keys = keys.get(..n).unwrap_or(&[]);
        for (i, (id, key)) in keys.iter().enumerate() {
            if let Some((first, _)) = keys.get(..i).and_then(|e| e.iter().find(|(_, k)| k == key)) {
                return Err(self.duplicate(*first, *id, key));
            }
        }
        Ok(())
    }

    /// [`Builder::check_duplicates`] for big mappings and keys kubectl rewrites (`yes:`).
    fn check_duplicates_slowly(&self, flat: &[NodeId]) -> Result<(), ParseError> {
        let doc = &self.doc;
        let mut seen: HashMap<Cow<'_, str>, NodeId> = HashMap::with_capacity(flat.len() / 2);
        for k in flat.iter().step_by(2) {
            if doc.is_merge_key(*k) {
                continue;
            }
            let Some(key) = doc.key_string(*k) else {
                continue;
            };
            if let Some(first) = seen.get(&key) {
                return Err(self.duplicate(*first, *k, &key));
            }
            seen.insert(key, *k);
        }
        Ok(())
    }

    fn duplicate(&self, first: NodeId, id: NodeId, key: &str) -> ParseError {
        let first_line = line_of(self.text, self.doc.node(first).start as usize);
        ParseError {
            message: format!(
                "key `{key}` is already set in this mapping (line {first_line}): kubectl refuses the document"
            ),
            offset: self.doc.node(id).start as usize,
        }
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

/// Where a flow collection's bracket is: at `at`, or just before it (saphyr-parser marks a
/// flow sequence after its `[`).
fn flow_start(b: &[u8], at: usize) -> Option<usize> {
    if matches!(b.get(at), Some(b'{' | b'[')) {
        return Some(at);
    }
    let before = b.get(..at)?;
    let i = before
        .iter()
        .rposition(|c| !matches!(c, b' ' | b'\n' | b'\t'))?;
    matches!(before.get(i), Some(b'{' | b'[')).then_some(i)
}

/// The `-` that introduces the item starting at `at` (only spaces and line breaks between).
fn dash_before(text: &[u8], at: usize) -> Option<usize> {
    let before = text.get(..at)?;
    let i = before.iter().rposition(|c| !matches!(c, b' ' | b'\n'))?;
    (before.get(i) == Some(&b'-')).then_some(i)
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
