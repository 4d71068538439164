//! A data file of one YAML document (a lesson, a `netpol test` expectations file): parsed
//! once, decoded into `crate::format`'s types, and kept so that a field path or a node can
//! be turned into a place.

use super::tree::{Document, NodeId};

/// A data file of one YAML document (a lesson, a `netpol test` expectations file), kept so
/// that a field path or a node can be turned into a place.
pub(crate) struct DataFile<'a> {
    name: &'a str,
    text: &'a str,
    lines: super::LineStarts,
    tree: Document,
    /// Where the document starts in `text`.
    base: usize,
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
        Ok(DataFile {
            name,
            text,
            lines,
            tree,
            base: chunk.start,
        })
    }

    /// The document's root node; `None` for a document of comments only.
    pub fn root_node(&self) -> Option<NodeId> {
        self.tree.root()
    }

    /// The parsed document, for typed decoding (`format`).
    pub fn tree(&self) -> &Document {
        &self.tree
    }

    /// Where `node` is; its key rather than the node when `prefer_key` and it has one.
    pub fn origin_of(&self, node: NodeId, prefer_key: bool) -> crate::model::Origin {
        let key = if prefer_key {
            self.tree.key_of(node)
        } else {
            None
        };
        let shown = self.tree.node(key.unwrap_or(node));
        self.span(
            self.base + shown.start as usize,
            self.base + shown.end as usize,
        )
    }

    fn span(&self, start: usize, end: usize) -> crate::model::Origin {
        let (line, column) = self.lines.position(self.text, start);
        crate::model::Origin {
            source: self.name.to_string(),
            start,
            end: end.max(start),
            line,
            column,
        }
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
        self.span(start, end)
    }
}
