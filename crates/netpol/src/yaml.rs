//! The one module that knows about YAML libraries (so they can be swapped).
//!
//! - Documents are split on `---` lines here, before any parser sees them, so a syntax
//!   error in one document never hides the others.
//! - serde_yaml parses each document into a `serde_yaml::Value` (and reports syntax errors
//!   with their location); typed decoding into k8s-openapi types starts from that value.
//! - serde_yaml keeps no positions for valid input, so yaml-rust2's marked events build a
//!   [`SpanIndex`]: field path (`spec.ingress[0].from[1]`) → byte range. The loader and the
//!   linter report paths; this index turns them into places.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// One document's slice of a source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// Byte offset of the first byte of the document's text.
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
}

/// Splits a source into documents at `---` (and `...`) marker lines.
pub(crate) fn split_documents(text: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_start = bare == "---"
            || bare.starts_with("--- ")
            || bare.starts_with("---\t")
            || bare.starts_with("---#");
        let is_end = bare == "..." || bare.starts_with("... ");
        if is_start || is_end {
            chunks.push(Chunk { start, end: offset });
            // A `--- {a: 1}` line carries content after the marker: keep it in the next
            // document by starting that document right after the three dashes.
            start = if is_start && bare.len() > 3 {
                offset + 3
            } else {
                offset + line.len()
            };
        }
        offset += line.len();
    }
    chunks.push(Chunk {
        start,
        end: text.len(),
    });
    chunks.retain(|c| {
        text.get(c.start..c.end)
            .is_some_and(|t| t.lines().any(|l| !is_blank_or_comment(l)))
    });
    chunks
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
}

/// Byte offset of the first character of the first line that is not blank or a comment.
pub(crate) fn first_content(doc: &str) -> usize {
    let mut offset = 0;
    for line in doc.split_inclusive('\n') {
        let content = line.trim_start();
        if !content.trim().is_empty() && !content.starts_with('#') {
            return offset + line.len() - content.len();
        }
        offset += line.len();
    }
    0
}

/// A YAML syntax error at a byte offset of the whole source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub message: String,
    pub offset: usize,
}

/// Parses one document. `text` is the whole source; offsets in errors are absolute.
pub(crate) fn parse_document(text: &str, chunk: Chunk) -> Result<serde_yaml::Value, SyntaxError> {
    let doc = text.get(chunk.start..chunk.end).unwrap_or("");
    // Deeply nested input would exhaust the stack in recursive code further on; serde_yaml
    // itself stops at 128 levels, which no manifest comes near.
    serde_yaml::from_str::<serde_yaml::Value>(doc).map_err(|e| {
        let offset = e.location().map(|l| l.index()).unwrap_or(0);
        let message = e.to_string();
        // serde_yaml appends " at line X column Y" relative to the document: drop it, the
        // diagnostic carries the absolute place.
        let message = match message.find(" at line ") {
            Some(i) => message.get(..i).unwrap_or(&message).to_string(),
            None => message,
        }
        .replace('\'', "`");
        // An unclosed bracket or quote is found only at the end of the document, which
        // would point past it (at the next `---`); point at its last character instead.
        let content_end = doc.trim_end().len();
        let offset = if offset >= content_end {
            doc.get(..content_end)
                .and_then(|d| d.char_indices().last())
                .map(|(i, _)| i)
                .unwrap_or(0)
        } else {
            offset
        };
        SyntaxError {
            message,
            offset: chunk.start + offset,
        }
    })
}

/// Byte range of a key or a value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Range {
    pub start: usize,
    pub end: usize,
}

/// Where one field is: its key (absent for list items and the root) and its value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    pub key: Option<Range>,
    pub value: Range,
}

/// Field path → place, for one document.
#[derive(Clone, Debug, Default)]
pub(crate) struct SpanIndex {
    fields: HashMap<String, FieldSpan>,
}

impl SpanIndex {
    /// Builds the index of one document (offsets absolute in `text`).
    pub fn build(text: &str, chunk: Chunk) -> SpanIndex {
        let doc = text.get(chunk.start..chunk.end).unwrap_or("");
        let mut builder = Builder {
            lines: LineStarts::new(doc),
            doc,
            base: chunk.start,
            stack: Vec::new(),
            pending_key: None,
            index: SpanIndex::default(),
        };
        let mut parser = Parser::new_from_str(doc);
        // A syntax error was already reported by serde_yaml; whatever was indexed before it
        // is still useful.
        let _ = parser.load(&mut builder, false);
        // Point the whole object at its first line of content (block mappings are marked
        // where their first value starts, which reads oddly for "this document ...").
        let first = Some(first_content(doc));
        let mut index = builder.index;
        if let (Some(root), Some(first)) = (index.fields.get_mut(""), first) {
            root.value.start = chunk.start + first;
        }
        index
    }

    /// The span of `path`, or of its nearest indexed parent.
    pub fn find(&self, path: &str) -> Option<FieldSpan> {
        let mut p = path;
        loop {
            if let Some(span) = self.fields.get(p) {
                return Some(*span);
            }
            if p.is_empty() {
                return None;
            }
            p = parent(p);
        }
    }
}

/// `a.b[2].c` → `a.b[2]` → `a.b` → `a` → ``.
fn parent(path: &str) -> &str {
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    path.get(..cut).unwrap_or("")
}

enum Frame {
    Map {
        path: String,
        key: Option<(String, Range)>,
        start: usize,
    },
    Seq {
        path: String,
        next: usize,
        start: usize,
    },
}

struct Builder<'a> {
    lines: LineStarts,
    doc: &'a str,
    base: usize,
    stack: Vec<Frame>,
    pending_key: Option<Range>,
    index: SpanIndex,
}

impl Builder<'_> {
    fn byte(&self, mark: Marker) -> usize {
        self.base + self.lines.byte(self.doc, mark.line(), mark.col())
    }

    /// The path of the node that starts now, or `None` when it is a mapping key.
    fn node_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map { key: None, .. }) => None,
            Some(Frame::Map {
                path,
                key: Some((k, r)),
                ..
            }) => {
                self.pending_key = Some(*r);
                Some(join(path, k))
            }
            Some(Frame::Seq { path, next, .. }) => {
                self.pending_key = None;
                Some(format!("{path}[{next}]"))
            }
        }
    }

    fn finish_value(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { next, .. }) => *next += 1,
            None => {}
        }
    }

    fn record(&mut self, path: String, start: usize, end: usize) {
        let key = self.pending_key.take();
        self.index.fields.insert(
            path,
            FieldSpan {
                key,
                value: Range { start, end },
            },
        );
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let at = self.byte(mark);
        match ev {
            Event::Scalar(value, ..) => {
                let end = (at + value.len()).min(self.base + self.doc.len());
                match self.node_path() {
                    None => {
                        if let Some(Frame::Map {
                            key, start, path, ..
                        }) = self.stack.last_mut()
                        {
                            *key = Some((value, Range { start: at, end }));
                            // yaml-rust2 marks a block mapping where its first value starts
                            // (after `key:`); the mapping really starts at its first key.
                            if at < *start {
                                *start = at;
                                if let Some(span) = self.index.fields.get_mut(path.as_str()) {
                                    span.value.start = at;
                                }
                            }
                        }
                    }
                    Some(path) => {
                        self.record(path, at, end);
                        self.finish_value();
                    }
                }
            }
            Event::Alias(_) => {
                if let Some(path) = self.node_path() {
                    self.record(path, at, at);
                    self.finish_value();
                } else if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                    *key = Some((String::from("*"), Range { start: at, end: at }));
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                // A complex key (a mapping used as a key) never occurs in manifests; index
                // it under a placeholder so the walk stays balanced.
                let path = self.node_path().unwrap_or_else(|| String::from("?"));
                let key = self.pending_key.take();
                self.index.fields.insert(
                    path.clone(),
                    FieldSpan {
                        key,
                        value: Range { start: at, end: at },
                    },
                );
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map {
                        path,
                        key: None,
                        start: at,
                    }
                } else {
                    Frame::Seq {
                        path,
                        next: 0,
                        start: at,
                    }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(frame) = self.stack.pop() {
                    let (path, start) = match frame {
                        Frame::Map { path, start, .. } | Frame::Seq { path, start, .. } => {
                            (path, start)
                        }
                    };
                    if let Some(span) = self.index.fields.get_mut(&path) {
                        span.value = Range {
                            start,
                            end: at.max(start),
                        };
                    }
                }
                self.finish_value();
            }
            _ => {}
        }
    }
}

/// Byte offsets of line starts, to turn (line, column) marks into byte offsets.
#[derive(Clone, Debug, Default)]
pub(crate) struct LineStarts(Vec<usize>);

impl LineStarts {
    pub fn new(text: &str) -> LineStarts {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineStarts(starts)
    }

    /// Byte offset of a 1-based line and 0-based character column.
    fn byte(&self, text: &str, line: usize, col: usize) -> usize {
        let start = self
            .0
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(text.len());
        let rest = text.get(start..).unwrap_or("");
        start
            + rest
                .char_indices()
                .nth(col)
                .map(|(i, _)| i)
                .unwrap_or(rest.len())
    }

    /// 1-based line and 1-based character column of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.0.partition_point(|&s| s <= offset).max(1);
        let start = self.0.get(line - 1).copied().unwrap_or(0);
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_markers_and_skips_empty_documents() {
        let text = "---\na: 1\n---\n# only a comment\n---\nb: 2\n...\n";
        let chunks = split_documents(text);
        assert_eq!(chunks.len(), 2);
        assert_eq!(&text[chunks[0].start..chunks[0].end], "a: 1\n");
        assert_eq!(&text[chunks[1].start..chunks[1].end], "b: 2\n");
    }

    #[test]
    fn indexes_paths_with_absolute_offsets() {
        let text = "x: 0\n---\nspec:\n  ingress:\n    - from:\n        - podSelector: {}\n";
        let chunks = split_documents(text);
        let index = SpanIndex::build(text, chunks[1]);
        let span = index.find("spec.ingress[0].from[0].podSelector").unwrap();
        let key = span.key.unwrap();
        assert_eq!(&text[key.start..key.end], "podSelector");
        let lines = LineStarts::new(text);
        assert_eq!(lines.position(text, key.start), (6, 11));
        // A block mapping in a list starts at its first key, not after it.
        let item = index.find("spec.ingress[0]").unwrap();
        assert_eq!(&text[item.value.start..item.value.start + 5], "from:");
        // A path that does not exist falls back to its parent.
        let parent = index.find("spec.ingress[0].from[0].nope").unwrap();
        assert_eq!(
            parent.value.start,
            index.find("spec.ingress[0].from[0]").unwrap().value.start
        );
    }

    #[test]
    fn syntax_errors_point_into_their_document() {
        let text = "a: 1\n---\nb: [1, 2\n";
        let chunks = split_documents(text);
        assert!(parse_document(text, chunks[0]).is_ok());
        let err = parse_document(text, chunks[1]).unwrap_err();
        assert!(err.offset >= chunks[1].start, "{err:?}");
    }
}
