//! A fast reader for the YAML that manifests are written in.
//!
//! Block mappings and sequences, flow collections, plain and single-line quoted scalars,
//! literal and folded block scalars, anchors, aliases and comments: one pass over the bytes,
//! no token queue, scalars borrowed from the text where they can be. Anything else — tags,
//! explicit keys, directives, tabs or carriage returns, multi-line plain or quoted scalars,
//! and every document that is not valid YAML — makes it give up ([`Stop::Bail`]) before
//! the tree is used, and the document is read again by the full parser (saphyr-parser),
//! which also writes the error messages. So this reader only ever has to be right about
//! what it accepts; `tests/yaml_fast.rs` checks it against the full parser.

use std::borrow::Cow;

use super::build::{Builder, Event};
use super::tree::ParseError;

/// Why the fast reader stopped.
pub(super) enum Stop {
    /// Outside what it reads: use the full parser.
    Bail,
    /// The builder refused the tree (a duplicate key, too deep, an alias bomb).
    Error(ParseError),
}

impl From<ParseError> for Stop {
    fn from(e: ParseError) -> Self {
        Stop::Error(e)
    }
}

type R<T> = Result<T, Stop>;

/// Reads `text` into `builder`, or says why not.
pub(super) fn parse<'a>(text: &'a str, builder: &mut Builder<'a>) -> R<()> {
    let b = text.as_bytes();
    if b.iter().any(|c| matches!(c, b'\t' | b'\r')) || text.starts_with('\u{feff}') {
        return Err(Stop::Bail);
    }
    let mut reader = Reader {
        text,
        b,
        pos: 0,
        line_start: 0,
        out: builder,
    };
    reader.document()
}

struct Reader<'a, 'b> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Byte offset where the current line starts.
    line_start: usize,
    out: &'b mut Builder<'a>,
}

/// What a node may be at its place: a mapping key's value, a sequence item, the root.
#[derive(Clone, Copy)]
struct Place {
    /// Indentation of the parent collection (-1 at the root): continuation lines and
    /// nested blocks must be indented more.
    parent: isize,
}

fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\n'
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'a> Reader<'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn at(&self, offset: usize) -> Option<u8> {
        self.b.get(self.pos + offset).copied()
    }

    fn eof(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn column(&self) -> isize {
        (self.pos - self.line_start) as isize
    }

    fn emit(&mut self, event: Event<'a>) -> R<()> {
        self.out.event(event).map_err(Stop::Error)
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    /// After a node on its line: spaces, then a comment or the end of the line. Anything
    /// else there is outside this reader.
    fn end_of_line(&mut self) -> R<()> {
        self.skip_spaces();
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => Ok(()),
            // A comment needs a space before it (`a#b` is text).
            Some(b'#') if self.pos > 0 && self.b.get(self.pos - 1) == Some(&b' ') => {
                self.skip_to_newline();
                Ok(())
            }
            _ => Err(Stop::Bail),
        }
    }

    fn skip_to_newline(&mut self) {
        while let Some(c) = self.peek() {
            if c == b'\n' {
                break;
            }
            self.pos += 1;
        }
    }

    /// Skips blank lines and comment lines; stops at the first content of a line (or the
    /// end), and returns that line's indentation.
    fn next_content(&mut self) -> isize {
        loop {
            if self.peek() == Some(b'\n') {
                self.pos += 1;
                self.line_start = self.pos;
            }
            let line = self.pos;
            self.skip_spaces();
            match self.peek() {
                None => return self.column(),
                Some(b'\n') => continue,
                Some(b'#') if self.pos == line || self.b.get(self.pos - 1) == Some(&b' ') => {
                    self.skip_to_newline();
                }
                Some(_) => return self.column(),
            }
        }
    }

    /// Moves to the next line's content and returns its indentation; `None` at the end.
    /// The position is left there, so the caller decides whether the node is its own.
    fn next_line(&mut self) -> Option<isize> {
        let indent = self.next_content();
        (!self.eof()).then_some(indent)
    }

    fn document(&mut self) -> R<()> {
        let indent = self.next_content();
        if self.eof() {
            return Ok(());
        }
        if matches!(self.peek(), Some(b'%')) || indent < 0 {
            return Err(Stop::Bail);
        }
        self.node(Place { parent: -1 }, None)?;
        self.next_content();
        if self.eof() {
            Ok(())
        } else {
            Err(Stop::Bail)
        }
    }

    /// A node starting at the current position (its first character), in block context.
    /// `anchor` is one written on the line before (so it names this whole node).
    fn node(&mut self, place: Place, anchor: Option<Cow<'a, str>>) -> R<()> {
        let col = self.column();
        match self.peek() {
            Some(b'&') if anchor.is_none() => self.anchored(place),
            Some(b'-') if self.at(1).is_none_or(is_ws) => {
                if col <= place.parent {
                    return Err(Stop::Bail);
                }
                self.block_seq(col, anchor)
            }
            Some(b'[' | b'{') => {
                self.flow_node(place, anchor)?;
                self.after_value(place)
            }
            Some(b'|' | b'>') => self.block_scalar(place, anchor),
            Some(b'*') if anchor.is_none() => {
                self.alias()?;
                self.after_value(place)
            }
            Some(b'"' | b'\'') => {
                let key = self.quoted()?;
                self.scalar_or_key(place, col, key, anchor, false)
            }
            Some(c) if c == b'#' || !self.plain_can_start(false) => Err(Stop::Bail),
            Some(_) => {
                let scalar = self.plain_block();
                self.scalar_or_key(place, col, scalar, anchor, false)
            }
            None => Err(Stop::Bail),
        }
    }

    /// `&name` then the node, on this line or (indented) on the next ones.
    fn anchored(&mut self, place: Place) -> R<()> {
        let name = self.name()?;
        self.end_of_name()?;
        if matches!(self.peek(), Some(b'\n' | b'#') | None) {
            self.end_of_line()?;
            match self.next_line() {
                Some(indent) if indent > place.parent => self.node(place, Some(name)),
                // An anchored empty node; rare enough to leave to the full parser.
                _ => Err(Stop::Bail),
            }
        } else {
            self.inline_anchored(place, name)
        }
    }

    /// `&name node` on one line: the anchor names a scalar, alias-free flow or block
    /// scalar here; `&name key: value` (anchoring a key) is left to the full parser.
    fn inline_anchored(&mut self, place: Place, name: Cow<'a, str>) -> R<()> {
        let col = self.column();
        match self.peek() {
            Some(b'"' | b'\'') => {
                let scalar = self.quoted()?;
                self.scalar_or_key(place, col, scalar, Some(name), true)
            }
            Some(b'[' | b'{') => {
                self.flow_node(place, Some(name))?;
                self.after_value(place)
            }
            Some(b'|' | b'>') => self.block_scalar(place, Some(name)),
            Some(_) if self.plain_can_start(false) => {
                let scalar = self.plain_block();
                self.scalar_or_key(place, col, scalar, Some(name), true)
            }
            _ => Err(Stop::Bail),
        }
    }

    fn end_of_name(&mut self) -> R<()> {
        match self.peek() {
            Some(b' ') => {
                self.skip_spaces();
                Ok(())
            }
            Some(b'\n') | None => Ok(()),
            _ => Err(Stop::Bail),
        }
    }

    /// An anchor or alias name (after `&` or `*`).
    fn name(&mut self) -> R<Cow<'a, str>> {
        self.pos += 1;
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_ws(c) || is_flow_indicator(c) {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(Stop::Bail);
        }
        Ok(Cow::Borrowed(self.slice(start, self.pos)?))
    }

    fn slice(&self, start: usize, end: usize) -> R<&'a str> {
        self.text.get(start..end).ok_or(Stop::Bail)
    }

    fn alias(&mut self) -> R<()> {
        let start = self.pos;
        let anchor = self.name()?;
        let end = self.pos;
        self.emit(Event::Alias { anchor, start, end })
    }

    /// A scalar just read: a mapping key when `:` follows, else a value. An anchor written
    /// on the same line (`inline_anchor`) names the scalar; one from the line before names
    /// the mapping.
    fn scalar_or_key(
        &mut self,
        place: Place,
        col: isize,
        scalar: Scalar<'a>,
        anchor: Option<Cow<'a, str>>,
        inline_anchor: bool,
    ) -> R<()> {
        self.skip_spaces();
        if self.is_value_indicator() {
            if inline_anchor {
                return Err(Stop::Bail);
            }
            return self.block_map(place, col, scalar, anchor);
        }
        self.emit(scalar.event(anchor))?;
        self.after_value(place)
    }

    /// `:` followed by a space, a line break or the end.
    fn is_value_indicator(&self) -> bool {
        self.peek() == Some(b':') && self.at(1).is_none_or(is_ws)
    }

    /// After a value on its line: nothing more on the line, and the next content line must
    /// not be indented past the parent (that would continue a multi-line scalar, or be an
    /// error: both for the full parser).
    fn after_value(&mut self, place: Place) -> R<()> {
        self.end_of_line()?;
        let save = (self.pos, self.line_start);
        if let Some(indent) = self.next_line() {
            if indent > place.parent {
                return Err(Stop::Bail);
            }
        }
        (self.pos, self.line_start) = save;
        Ok(())
    }

    fn block_map(
        &mut self,
        place: Place,
        col: isize,
        first_key: Scalar<'a>,
        anchor: Option<Cow<'a, str>>,
    ) -> R<()> {
        if col <= place.parent {
            return Err(Stop::Bail);
        }
        self.emit(Event::Start {
            map: true,
            anchor,
            start: first_key.start,
        })?;
        let mut key = first_key;
        loop {
            // At the key's `:`.
            self.emit(key.event(None))?;
            self.pos += 1;
            self.map_value(col)?;
            match self.next_line() {
                Some(indent) if indent == col => {}
                Some(indent) if indent < col => break,
                None => break,
                Some(_) => return Err(Stop::Bail),
            }
            key = self.key()?;
        }
        let end = self.pos;
        self.emit(Event::End { end, flow: false })
    }

    /// A key at the start of a line of the mapping, up to its `:`.
    fn key(&mut self) -> R<Scalar<'a>> {
        let key = match self.peek() {
            Some(b'"' | b'\'') => self.quoted()?,
            Some(b'-') if self.at(1).is_none_or(is_ws) => return Err(Stop::Bail),
            Some(_) if self.plain_can_start(false) => self.plain_block(),
            _ => return Err(Stop::Bail),
        };
        self.skip_spaces();
        if self.is_value_indicator() {
            Ok(key)
        } else {
            Err(Stop::Bail)
        }
    }

    /// After `key:`: the value on this line, on the next lines, or nothing (null).
    fn map_value(&mut self, col: isize) -> R<()> {
        let place = Place { parent: col };
        let colon_end = self.pos;
        self.skip_spaces();
        if !matches!(self.peek(), Some(b'\n' | b'#') | None) {
            return self.inline_value(place);
        }
        self.end_of_line()?;
        let save = (self.pos, self.line_start);
        match self.next_line() {
            Some(indent) if indent > col => return self.node(place, None),
            // A sequence may sit at the key's own indentation.
            Some(indent) if indent == col && self.starts_block_seq() => {
                return self.block_seq(col, None)
            }
            _ => {}
        }
        (self.pos, self.line_start) = save;
        self.emit(Event::Scalar {
            text: Cow::Borrowed(""),
            plain: true,
            anchor: None,
            start: colon_end,
            end: colon_end,
        })
    }

    fn starts_block_seq(&self) -> bool {
        self.peek() == Some(b'-') && self.at(1).is_none_or(is_ws)
    }

    /// A value on the same line as its key: not a block collection.
    fn inline_value(&mut self, place: Place) -> R<()> {
        match self.peek() {
            Some(b'-') if self.at(1).is_none_or(is_ws) => Err(Stop::Bail),
            Some(b'"' | b'\'') => {
                let scalar = self.quoted()?;
                self.inline_scalar(place, scalar, None)
            }
            Some(b'&') => {
                let name = self.name()?;
                self.end_of_name()?;
                match self.peek() {
                    Some(b'\n' | b'#') | None => {
                        self.end_of_line()?;
                        match self.next_line() {
                            Some(indent) if indent > place.parent => self.node(place, Some(name)),
                            _ => Err(Stop::Bail),
                        }
                    }
                    Some(b'"' | b'\'') => {
                        let scalar = self.quoted()?;
                        self.inline_scalar(place, scalar, Some(name))
                    }
                    Some(b'[' | b'{') => {
                        self.flow_node(place, Some(name))?;
                        self.after_value(place)
                    }
                    Some(b'|' | b'>') => self.block_scalar(place, Some(name)),
                    Some(_) if self.plain_can_start(false) => {
                        let scalar = self.plain_block();
                        self.inline_scalar(place, scalar, Some(name))
                    }
                    _ => Err(Stop::Bail),
                }
            }
            Some(b'[' | b'{' | b'|' | b'>' | b'*') => self.node(place, None),
            Some(_) if self.plain_can_start(false) => {
                let scalar = self.plain_block();
                self.inline_scalar(place, scalar, None)
            }
            _ => Err(Stop::Bail),
        }
    }

    /// A scalar value after its key: `a: b: c` is not YAML.
    fn inline_scalar(
        &mut self,
        place: Place,
        scalar: Scalar<'a>,
        anchor: Option<Cow<'a, str>>,
    ) -> R<()> {
        self.skip_spaces();
        if self.is_value_indicator() {
            return Err(Stop::Bail);
        }
        self.emit(scalar.event(anchor))?;
        self.after_value(place)
    }

    fn block_seq(&mut self, col: isize, anchor: Option<Cow<'a, str>>) -> R<()> {
        self.emit(Event::Start {
            map: false,
            anchor,
            start: self.pos,
        })?;
        loop {
            // At the item's `-`.
            let dash = self.pos;
            self.pos += 1;
            self.skip_spaces();
            let place = Place { parent: col };
            if matches!(self.peek(), Some(b'\n' | b'#') | None) {
                self.end_of_line()?;
                let save = (self.pos, self.line_start);
                match self.next_line() {
                    Some(indent) if indent > col => self.node(place, None)?,
                    _ => {
                        (self.pos, self.line_start) = save;
                        self.emit(Event::Scalar {
                            text: Cow::Borrowed(""),
                            plain: true,
                            anchor: None,
                            start: dash + 1,
                            end: dash + 1,
                        })?;
                    }
                }
            } else {
                self.node(place, None)?;
            }
            match self.next_line() {
                Some(indent) if indent == col && self.starts_block_seq() => {}
                Some(indent) if indent <= col => break,
                None => break,
                Some(_) => return Err(Stop::Bail),
            }
        }
        let end = self.pos;
        self.emit(Event::End { end, flow: false })
    }

    /// Whether a plain scalar may start here (YAML's ns-plain-first).
    fn plain_can_start(&self, flow: bool) -> bool {
        match self.peek() {
            None | Some(b' ' | b'\n') => false,
            Some(b'-' | b'?' | b':') => self
                .at(1)
                .is_some_and(|c| !(is_ws(c) || flow && is_flow_indicator(c))),
            Some(c) => !matches!(
                c,
                b',' | b'['
                    | b']'
                    | b'{'
                    | b'}'
                    | b'#'
                    | b'&'
                    | b'*'
                    | b'!'
                    | b'|'
                    | b'>'
                    | b'\''
                    | b'"'
                    | b'%'
                    | b'@'
                    | b'`'
            ),
        }
    }

    /// A plain scalar on one line, in block context: up to ` #`, `: `, or the line's end.
    fn plain_block(&mut self) -> Scalar<'a> {
        let start = self.pos;
        let mut end = start;
        while let Some(c) = self.peek() {
            match c {
                b'\n' => break,
                b':' if self.at(1).is_none_or(is_ws) => break,
                b'#' if self.b.get(self.pos - 1) == Some(&b' ') => break,
                b' ' => {}
                _ => end = self.pos + 1,
            }
            self.pos += 1;
        }
        self.pos = end;
        Scalar {
            text: Cow::Borrowed(self.text.get(start..end).unwrap_or("")),
            plain: true,
            start,
            end,
        }
    }

    /// A single- or double-quoted scalar on one line.
    fn quoted(&mut self) -> R<Scalar<'a>> {
        let start = self.pos;
        let double = self.peek() == Some(b'"');
        self.pos += 1;
        let body = self.pos;
        let mut escaped = false;
        loop {
            match self.peek() {
                None | Some(b'\n') => return Err(Stop::Bail),
                Some(b'\\') if double => {
                    escaped = true;
                    self.pos += 2;
                }
                Some(b'"') if double => break,
                Some(b'\'') if !double => {
                    if self.at(1) == Some(b'\'') {
                        escaped = true;
                        self.pos += 2;
                    } else {
                        break;
                    }
                }
                Some(_) => self.pos += 1,
            }
        }
        let raw = self.slice(body, self.pos)?;
        self.pos += 1;
        let text = if !escaped {
            Cow::Borrowed(raw)
        } else if double {
            Cow::Owned(unescape_double(raw).ok_or(Stop::Bail)?)
        } else {
            Cow::Owned(raw.replace("''", "'"))
        };
        Ok(Scalar {
            text,
            plain: false,
            start,
            end: self.pos,
        })
    }

    /// `|` or `>` with an optional `-`: the lines indented past the parent.
    fn block_scalar(&mut self, place: Place, anchor: Option<Cow<'a, str>>) -> R<()> {
        let folded = self.peek() == Some(b'>');
        self.pos += 1;
        let strip = match self.peek() {
            Some(b'-') => {
                self.pos += 1;
                true
            }
            Some(b' ' | b'\n') | None => false,
            // `+` (keep) and indentation indicators: full parser.
            _ => return Err(Stop::Bail),
        };
        if place.parent < 0 {
            return Err(Stop::Bail);
        }
        self.end_of_line()?;
        let (lines, start) = self.block_lines(place.parent)?;
        let mut text = if folded {
            fold(&lines).ok_or(Stop::Bail)?
        } else {
            lines.join("\n")
        };
        let trimmed = text.trim_end_matches('\n').len();
        text.truncate(trimmed);
        if !strip && !text.is_empty() {
            text.push('\n');
        }
        let end = self.pos;
        self.emit(Event::Scalar {
            text: Cow::Owned(text),
            plain: false,
            anchor,
            start,
            end,
        })
    }

    /// The content lines of a block scalar (indentation removed; empty lines empty) and
    /// where its first content is (the scalar's place, as the full parser marks it); the
    /// position is left at the line break that ends it.
    fn block_lines(&mut self, parent: isize) -> R<(Vec<&'a str>, usize)> {
        let mut lines = Vec::new();
        let mut indent: Option<usize> = None;
        let mut first_content = self.pos;
        let mut leading_blank = 0usize;
        // At the header's line break.
        while self.peek() == Some(b'\n') {
            let line_start = self.pos + 1;
            let line_end = self
                .b
                .get(line_start..)
                .and_then(|rest| rest.iter().position(|c| *c == b'\n'))
                .map_or(self.b.len(), |i| line_start + i);
            let line = self.slice(line_start, line_end)?;
            let spaces = line.bytes().take_while(|c| *c == b' ').count();
            let blank = spaces == line.len();
            if blank && spaces > 0 && line_end == self.b.len() {
                // Spaces with no line break after them, at the very end: parsers differ.
                return Err(Stop::Bail);
            }
            match indent {
                None if blank => {
                    leading_blank = leading_blank.max(spaces);
                    lines.push("");
                }
                None => {
                    if (spaces as isize) <= parent || leading_blank > spaces {
                        break;
                    }
                    indent = Some(spaces);
                    first_content = line_start + spaces;
                    lines.push(line.get(spaces..).unwrap_or(""));
                }
                Some(n) if blank => lines.push(line.get(n.min(line.len())..).unwrap_or("")),
                Some(n) if spaces >= n => lines.push(line.get(n..).unwrap_or("")),
                Some(_) => break,
            }
            self.pos = line_end;
            self.line_start = line_start;
        }
        if indent.is_none() {
            // No content: the lines seen belong to whatever follows.
            return Err(Stop::Bail);
        }
        Ok((lines, first_content))
    }

    /// A node inside a flow collection (or a flow collection in block context).
    fn flow_node(&mut self, place: Place, anchor: Option<Cow<'a, str>>) -> R<()> {
        match self.peek() {
            Some(b'&') if anchor.is_none() => {
                let name = self.name()?;
                self.flow_space(place)?;
                self.flow_node(place, Some(name))
            }
            Some(b'*') if anchor.is_none() => self.alias(),
            Some(b'[') => self.flow_seq(place, anchor),
            Some(b'{') => self.flow_map(place, anchor),
            Some(b'"' | b'\'') => {
                let scalar = self.quoted()?;
                self.emit(scalar.event(anchor))
            }
            Some(_) if self.plain_can_start(true) => {
                let scalar = self.plain_flow(place)?;
                self.emit(scalar.event(anchor))
            }
            _ => Err(Stop::Bail),
        }
    }

    /// Spaces, line breaks and comments inside a flow collection. Lines must stay
    /// indented past the block around it.
    fn flow_space(&mut self, place: Place) -> R<()> {
        loop {
            match self.peek() {
                Some(b' ') => self.pos += 1,
                Some(b'\n') => {
                    self.pos += 1;
                    self.line_start = self.pos;
                    self.skip_spaces();
                    if self.peek().is_some_and(|c| c != b'\n') && self.column() <= place.parent {
                        return Err(Stop::Bail);
                    }
                }
                Some(b'#') if self.b.get(self.pos - 1).is_some_and(|c| is_ws(*c)) => {
                    self.skip_to_newline()
                }
                _ => return Ok(()),
            }
        }
    }

    fn flow_seq(&mut self, place: Place, anchor: Option<Cow<'a, str>>) -> R<()> {
        self.emit(Event::Start {
            map: false,
            anchor,
            start: self.pos,
        })?;
        self.pos += 1;
        loop {
            self.flow_space(place)?;
            if self.peek() == Some(b']') {
                break;
            }
            self.flow_node(place, None)?;
            self.flow_space(place)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => break,
                // `[a: b]` (a pair in a sequence) and anything else: full parser.
                _ => return Err(Stop::Bail),
            }
        }
        self.pos += 1;
        let end = self.pos;
        self.emit(Event::End { end, flow: true })
    }

    fn flow_map(&mut self, place: Place, anchor: Option<Cow<'a, str>>) -> R<()> {
        self.emit(Event::Start {
            map: true,
            anchor,
            start: self.pos,
        })?;
        self.pos += 1;
        loop {
            self.flow_space(place)?;
            if self.peek() == Some(b'}') {
                break;
            }
            let key = match self.peek() {
                Some(b'"' | b'\'') => self.quoted()?,
                Some(_) if self.plain_can_start(true) => self.plain_flow(place)?,
                _ => return Err(Stop::Bail),
            };
            let quoted_key = !key.plain;
            self.emit(key.event(None))?;
            self.flow_space(place)?;
            match self.peek() {
                // JSON writes `"a":1`: after a quoted key the `:` needs no space.
                Some(b':') if quoted_key || self.at(1).is_none_or(is_ws) => {
                    let colon_end = self.pos + 1;
                    self.pos += 1;
                    self.flow_space(place)?;
                    if matches!(self.peek(), Some(b',' | b'}')) {
                        self.empty(colon_end)?;
                    } else {
                        self.flow_node(place, None)?;
                        self.flow_space(place)?;
                    }
                }
                Some(b',' | b'}') => {
                    let at = self.pos;
                    self.empty(at)?;
                }
                _ => return Err(Stop::Bail),
            }
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => break,
                _ => return Err(Stop::Bail),
            }
        }
        self.pos += 1;
        let end = self.pos;
        self.emit(Event::End { end, flow: true })
    }

    fn empty(&mut self, at: usize) -> R<()> {
        self.emit(Event::Scalar {
            text: Cow::Borrowed(""),
            plain: true,
            anchor: None,
            start: at,
            end: at,
        })
    }

    /// A plain scalar in a flow collection, on one line.
    fn plain_flow(&mut self, place: Place) -> R<Scalar<'a>> {
        let start = self.pos;
        let mut end = start;
        while let Some(c) = self.peek() {
            match c {
                b'\n' | b',' | b'[' | b']' | b'{' | b'}' => break,
                b':' if self.at(1).is_none_or(|n| is_ws(n) || is_flow_indicator(n)) => break,
                b'#' if self.b.get(self.pos - 1) == Some(&b' ') => break,
                b' ' => {}
                _ => end = self.pos + 1,
            }
            self.pos += 1;
        }
        if self.peek() == Some(b'\n') {
            // Only if the scalar is over: the next content closes it or separates.
            let save = (self.pos, self.line_start);
            self.flow_space(place)?;
            if !matches!(self.peek(), Some(b',' | b']' | b'}' | b':')) {
                return Err(Stop::Bail);
            }
            (self.pos, self.line_start) = save;
        }
        self.pos = end;
        Ok(Scalar {
            text: Cow::Borrowed(self.slice(start, end)?),
            plain: true,
            start,
            end,
        })
    }
}

/// A scalar read but not yet emitted (a key is known to be one only after it is read).
struct Scalar<'a> {
    text: Cow<'a, str>,
    plain: bool,
    start: usize,
    end: usize,
}

impl<'a> Scalar<'a> {
    fn event(self, anchor: Option<Cow<'a, str>>) -> Event<'a> {
        Event::Scalar {
            text: self.text,
            plain: self.plain,
            anchor,
            start: self.start,
            end: self.end,
        }
    }
}

/// Double-quoted escapes (YAML 1.2 §5.7); `None` for one this reader does not know.
fn unescape_double(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let simple = match e {
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            't' => '\t',
            'n' => '\n',
            'v' => '\u{b}',
            'f' => '\u{c}',
            'r' => '\r',
            'e' => '\u{1b}',
            ' ' => ' ',
            '"' => '"',
            '/' => '/',
            '\\' => '\\',
            'N' => '\u{85}',
            '_' => '\u{a0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            'x' | 'u' | 'U' => {
                let len = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = chars.by_ref().take(len).collect();
                if hex.len() != len {
                    return None;
                }
                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
            }
            _ => return None,
        };
        out.push(simple);
    }
    Some(out)
}

/// Folded block scalar lines: a single line break between text lines becomes a space,
/// empty lines stay line breaks. More-indented lines fold differently: `None`.
fn fold(lines: &[&str]) -> Option<String> {
    let mut out = String::new();
    let mut pending_breaks = 0usize;
    let mut started = false;
    for line in lines {
        if line.is_empty() {
            pending_breaks += 1;
            continue;
        }
        if line.starts_with(' ') {
            return None;
        }
        if started {
            if pending_breaks == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', pending_breaks));
            }
        } else {
            out.extend(std::iter::repeat_n('\n', pending_breaks));
        }
        pending_breaks = 0;
        started = true;
        out.push_str(line);
    }
    out.extend(std::iter::repeat_n(
        '\n',
        pending_breaks + usize::from(started),
    ));
    Some(out)
}
