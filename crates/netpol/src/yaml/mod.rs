//! The one module that knows YAML: reading manifests the way kubectl reads them, and
//! writing YAML that reads back as meant.
//!
//! - Sources are split into documents on `---` lines here, before any parser sees them,
//!   so a syntax error in one document never hides the others (`split_documents`).
//! - Each document is parsed once, by saphyr-parser, into a `Document`: a compact tree
//!   whose nodes know their byte ranges. The same tree answers typed decoding
//!   (`decode`, serde with kubectl's YAML 1.1 rules and located errors), the schema
//!   walk for unknown fields, and "where is `spec.ingress[0]`" for the linter.
//! - JSON documents are read by a JSON reader into the same tree, leaving out values the
//!   caller never reads; a JSON `List` is cut into its items first (`list_items`), so the
//!   loader reads a snapshot of a whole cluster one object at a time.
//! - Plain scalars resolve as go-yaml v2 resolves them (`Scalar`): `yes` is a boolean,
//!   `010` is 8.
//! - [`emit`] writes YAML (generated policies; the CLI's `-o yaml` renderers quote with
//!   [`emit::scalar`]), quoting every string that YAML 1.1 or 1.2 would read as something else.

mod build;
pub(crate) mod data;
mod de;
pub mod emit;
mod fast;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod fast_check;
mod full;
mod json;
mod list_stream;
mod resolve;
mod tree;

pub(crate) use de::{decode, decode_worded, DecodeError, ErrorKind, Wording, NODE_HANDLE};
pub use emit::Yaml;
pub(crate) use json::{list_items, looks_like_json};
pub use list_stream::{ListCutter, ListItem, NotAList};
pub(crate) use resolve::Scalar;
pub(crate) use tree::{Document, NodeId, ParseError, Style, MAX_DEPTH};

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
    let bytes = text.as_bytes();
    while offset < bytes.len() {
        let line_end = bytes
            .get(offset..)
            .and_then(|rest| rest.iter().position(|b| *b == b'\n'))
            .map_or(bytes.len(), |i| offset + i + 1);
        // Only lines starting with `---` or `...` can be markers.
        if matches!(bytes.get(offset), Some(b'-' | b'.')) {
            let line = text.get(offset..line_end).unwrap_or("");
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
                    line_end
                };
            }
        }
        offset = line_end;
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

/// Where a syntax error is best shown: an unclosed bracket or quote is found only at the
/// end of the document, which would point past it (at the next `---`), so point at its
/// last character instead.
pub(crate) fn error_offset(doc: &str, offset: usize) -> usize {
    let content_end = doc.trim_end().len();
    if offset >= content_end {
        doc.get(..content_end)
            .and_then(|d| d.char_indices().last())
            .map_or(0, |(i, _)| i)
    } else {
        offset
    }
}

/// Where every [`LINE_STRIDE`]th line starts, to turn byte offsets into lines and
/// columns: a snapshot of a cluster has tens of millions of lines, and a start for each
/// would take more memory than what loads from it.
#[derive(Clone, Debug, Default)]
pub(crate) struct LineStarts(Vec<usize>);

/// Lines between two kept line starts; a lookup counts at most this many line breaks.
const LINE_STRIDE: usize = 32;

impl LineStarts {
    pub fn new(text: &str) -> LineStarts {
        let mut starts = vec![0];
        let breaks = memchr::memchr_iter(b'\n', text.as_bytes());
        starts.extend(
            breaks
                .skip(LINE_STRIDE - 1)
                .step_by(LINE_STRIDE)
                .map(|i| i + 1),
        );
        LineStarts(starts)
    }

    /// 1-based line and 1-based character column of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let kept = self.0.partition_point(|&s| s <= offset).max(1) - 1;
        let from = self.0.get(kept).copied().unwrap_or(0);
        let between = text.as_bytes().get(from..offset).unwrap_or(&[]);
        let breaks = between.iter().filter(|b| **b == b'\n').count();
        let start = between
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(from, |i| from + i + 1);
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (kept * LINE_STRIDE + breaks + 1, column)
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
    fn lines_and_columns_count_characters() {
        let text = "a: 1\nb: é x\n";
        let lines = LineStarts::new(text);
        assert_eq!(lines.position(text, 0), (1, 1));
        let x = text.find('x').unwrap();
        assert_eq!(lines.position(text, x), (2, 6));
        // Across kept line starts, and at the very end.
        let long: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        let lines = LineStarts::new(&long);
        for i in [1, 31, 32, 33, 64, 65, 100] {
            let at = long.find(&format!("line {i}\n")).unwrap();
            assert_eq!(lines.position(&long, at + 2), (i, 3), "line {i}");
        }
        assert_eq!(lines.position(&long, long.len()), (101, 1));
    }

    #[test]
    fn unclosed_brackets_point_at_the_last_character() {
        let doc = "b: [1, 2\n\n";
        assert_eq!(error_offset(doc, doc.len()), 7);
        assert_eq!(error_offset(doc, 3), 3);
    }
}
