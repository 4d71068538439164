//! A reader for JSON documents (what `kubectl get -o json` writes), and the pre-pass that
//! cuts a JSON `List` into its items.
//!
//! JSON is YAML too, and the YAML readers read it; this reader exists for size and speed.
//! It feeds the same builder, so a document it reads becomes exactly the tree the fast
//! reader would build (`tests` check that), except where the caller asks it to skip a value
//! (`Skip`): a skipped value is only scanned for its end and stands in the tree as one null
//! node over its text. The loader skips what the engine never reads (managedFields, most
//! of a pod's status and spec): a pod's tree is then a tenth of its full size.
//!
//! Anything that is not plain JSON (comments, single quotes, a BOM, a stray token) makes it
//! give up ([`Stop::Bail`]); the YAML readers then read the document and write the error
//! messages, as they did before this reader existed. Text inside a skipped value is only
//! checked for balanced brackets and closed strings: a skipped field the engine ignores
//! cannot make an object fail to load.

use std::borrow::Cow;

use super::build::{Builder, Event};
use super::fast::Stop;
use super::Chunk;

type R<T> = Result<T, Stop>;

/// Which values to skip: asked with the object's top-level `kind` when it came before
/// (kubectl writes keys sorted, so `kind` precedes `metadata`, `spec` and `status`) and the
/// path of keys to the value (`[]` for a list item), for paths up to [`SKIP_DEPTH`] long.
pub(crate) type Skip = fn(kind: Option<&str>, path: &[&str]) -> bool;

/// Longest path a [`Skip`] is asked about; deeper values are always read.
pub(crate) const SKIP_DEPTH: usize = 4;

/// Whether a text is a JSON document rather than YAML: its first non-space character
/// opens an object or an array (block YAML never starts so; a flow YAML document that
/// does is read the same either way).
pub(crate) fn looks_like_json(text: &str) -> bool {
    matches!(
        text.bytes().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// Reads `text` into `builder`, skipping what `skip` says.
pub(super) fn parse<'a>(text: &'a str, builder: &mut Builder<'a>, skip: Option<Skip>) -> R<()> {
    let mut reader = Reader {
        text,
        b: text.as_bytes(),
        pos: 0,
        out: builder,
        skip,
        kind: None,
        path: Vec::with_capacity(SKIP_DEPTH + 1),
        depth: 0,
    };
    reader.space();
    reader.value()?;
    reader.space();
    if reader.pos < reader.b.len() {
        return Err(Stop::Bail);
    }
    Ok(())
}

struct Reader<'a, 'b> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    out: &'b mut Builder<'a>,
    skip: Option<Skip>,
    /// The root object's `kind`, once read.
    kind: Option<Cow<'a, str>>,
    /// Keys from the root to the current value, while no deeper than `SKIP_DEPTH`.
    path: Vec<&'a str>,
    /// How deep the current value is (the path stops growing at `SKIP_DEPTH`).
    depth: usize,
}

impl<'a> Reader<'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn emit(&mut self, event: Event<'a>) -> R<()> {
        self.out.event(event).map_err(Stop::Error)
    }

    fn space(&mut self) {
        self.pos = skip_space(self.b, self.pos);
    }

    fn value(&mut self) -> R<()> {
        if self.should_skip() {
            return self.skipped();
        }
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => {
                let (text, start, end) = self.string()?;
                self.emit(Event::Scalar {
                    text,
                    plain: false,
                    anchor: None,
                    start,
                    end,
                })
            }
            _ => self.literal(),
        }
    }

    fn should_skip(&self) -> bool {
        match self.skip {
            Some(skip) if self.depth > 0 && self.depth == self.path.len() => {
                skip(self.kind.as_deref(), &self.path)
            }
            _ => false,
        }
    }

    /// A skipped value: one null node over its text.
    fn skipped(&mut self) -> R<()> {
        let start = self.pos;
        let end = skip_value(self.b, start).ok_or(Stop::Bail)?;
        self.pos = end;
        self.emit(Event::Scalar {
            text: Cow::Borrowed(""),
            plain: true,
            anchor: None,
            start,
            end,
        })
    }

    fn object(&mut self) -> R<()> {
        self.emit(Event::Start {
            map: true,
            anchor: None,
            start: self.pos,
        })?;
        self.pos += 1;
        self.space();
        if self.peek() == Some(b'}') {
            return self.close();
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(Stop::Bail);
            }
            let (key, start, end) = self.string()?;
            let key_text = match &key {
                Cow::Borrowed(k) => Some(*k),
                Cow::Owned(_) => None,
            };
            self.emit(Event::Scalar {
                text: key,
                plain: false,
                anchor: None,
                start,
                end,
            })?;
            self.space();
            if self.peek() != Some(b':') {
                return Err(Stop::Bail);
            }
            self.pos += 1;
            self.space();
            self.member(key_text)?;
            self.space();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.space();
                }
                Some(b'}') => return self.close(),
                _ => return Err(Stop::Bail),
            }
        }
    }

    /// A member's value, with its key on the path (an escaped key is never skipped).
    fn member(&mut self, key: Option<&'a str>) -> R<()> {
        let tracked =
            self.skip.is_some() && self.depth == self.path.len() && self.depth < SKIP_DEPTH;
        if tracked {
            self.path.push(key.unwrap_or("\\"));
        }
        self.depth += 1;
        let root_kind = self.depth == 1 && key == Some("kind");
        let value_start = self.pos;
        let result = self.value();
        self.depth -= 1;
        if tracked {
            self.path.pop();
        }
        if root_kind {
            self.kind = string_at(self.text, value_start);
        }
        result
    }

    fn array(&mut self) -> R<()> {
        self.emit(Event::Start {
            map: false,
            anchor: None,
            start: self.pos,
        })?;
        self.pos += 1;
        self.space();
        if self.peek() == Some(b']') {
            return self.close();
        }
        loop {
            self.member(Some("[]"))?;
            self.space();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.space();
                }
                Some(b']') => return self.close(),
                _ => return Err(Stop::Bail),
            }
        }
    }

    fn close(&mut self) -> R<()> {
        self.pos += 1;
        let end = self.pos;
        self.emit(Event::End { end, flow: true })
    }

    /// A string at the position: its text (unescaped when it has escapes), and its span
    /// with the quotes.
    fn string(&mut self) -> R<(Cow<'a, str>, usize, usize)> {
        let start = self.pos;
        let (end, escaped) = string_end(self.b, start).ok_or(Stop::Bail)?;
        self.pos = end;
        let raw = self.text.get(start..end).ok_or(Stop::Bail)?;
        // A line break in a string is not JSON, and YAML would fold it: leave it to YAML.
        if raw.bytes().any(|c| c < 0x20) {
            return Err(Stop::Bail);
        }
        let text = if escaped {
            Cow::Owned(serde_json::from_str::<String>(raw).map_err(|_| Stop::Bail)?)
        } else {
            Cow::Borrowed(raw.get(1..raw.len() - 1).ok_or(Stop::Bail)?)
        };
        Ok((text, start, end))
    }

    /// A number, `true`, `false` or `null`: a plain scalar, resolved as YAML resolves it
    /// (which agrees with JSON on every JSON literal).
    fn literal(&mut self) -> R<()> {
        let start = self.pos;
        let end = self
            .b
            .get(start..)
            .and_then(|rest| {
                rest.iter().position(
                    |c| !matches!(c, b'0'..=b'9' | b'a'..=b'z' | b'+' | b'-' | b'.' | b'E'),
                )
            })
            .map_or(self.b.len(), |n| start + n);
        let word = self.text.get(start..end).ok_or(Stop::Bail)?;
        if !is_json_literal(word) {
            return Err(Stop::Bail);
        }
        self.pos = end;
        self.emit(Event::Scalar {
            text: Cow::Borrowed(word),
            plain: true,
            anchor: None,
            start,
            end,
        })
    }
}

fn is_json_literal(word: &str) -> bool {
    matches!(word, "true" | "false" | "null")
        || (!word.is_empty()
            && word
                .bytes()
                .all(|c| matches!(c, b'0'..=b'9' | b'+' | b'-' | b'.' | b'e' | b'E'))
            && serde_json::from_str::<serde_json::Number>(word).is_ok())
}

pub(super) fn skip_space(b: &[u8], mut pos: usize) -> usize {
    while b
        .get(pos)
        .is_some_and(|c| matches!(c, b' ' | b'\n' | b'\r' | b'\t'))
    {
        pos += 1;
    }
    pos
}

/// The text of the string at `at` when it has no escapes.
pub(super) fn string_at(text: &str, at: usize) -> Option<Cow<'_, str>> {
    let (end, escaped) = string_end(text.as_bytes(), at)?;
    (!escaped).then(|| text.get(at + 1..end - 1).map(Cow::Borrowed))?
}

/// Where the string opening at `at` ends (past its closing quote), and whether it has
/// escapes; `None` when it is not closed.
pub(super) fn string_end(b: &[u8], at: usize) -> Option<(usize, bool)> {
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let mut pos = at + 1;
    let mut escaped = false;
    loop {
        pos = quote_or_escape(b, pos)?;
        if b.get(pos) == Some(&b'"') {
            return Some((pos + 1, escaped));
        }
        escaped = true;
        pos += 2;
    }
}

/// The first `"` or `\` at or after `pos`. Most strings of a snapshot are short keys
/// (`"f:labels"` in managedFields): two words looked at in place find their end without
/// the call and set-up of a vector search, which takes over for longer strings.
fn quote_or_escape(b: &[u8], pos: usize) -> Option<usize> {
    for word_at in [pos, pos + 8] {
        let Some(word) = b.get(word_at..word_at + 8) else {
            break;
        };
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let w = u64::from_le_bytes(bytes);
        let found =
            zero_bytes(w ^ (u64::from(b'"') * ONES)) | zero_bytes(w ^ (u64::from(b'\\') * ONES));
        if found != 0 {
            return Some(word_at + (found.trailing_zeros() / 8) as usize);
        }
    }
    let from = pos.min(b.len());
    memchr::memchr2(b'"', b'\\', b.get(from..)?).map(|i| from + i)
}

/// One in each byte of a word.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit set in each zero byte of `v`; the lowest one flagged is always a real zero
/// (a false flag needs a borrow from a zero byte below it), which is all the searches ask,
/// also of the union of two such masks (each one's false flags lie above its real lowest).
fn zero_bytes(v: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    v.wrapping_sub(ONES) & !v & HIGH
}

/// Whether a byte matters when looking for the end of a collection.
fn is_structural(c: u8) -> bool {
    matches!(c, b'"' | b'{' | b'}' | b'[' | b']')
}

/// The first byte at or after `pos` that [`is_structural`], eight bytes at a time: skipped
/// values are most of a snapshot (managedFields, pod specs), and a byte-by-byte search for
/// five different bytes was a fifth of loading one.
fn next_structural(b: &[u8], mut pos: usize) -> Option<usize> {
    let zeros = zero_bytes;
    while let Some(word) = b.get(pos..pos + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let w = u64::from_le_bytes(bytes);
        // `| 0x20` turns `[` into `{` and `]` into `}`, and makes no other byte either.
        let folded = w | (0x20 * ONES);
        let found = zeros(folded ^ (b'{' as u64 * ONES))
            | zeros(folded ^ (b'}' as u64 * ONES))
            | zeros(w ^ (b'"' as u64 * ONES));
        if found != 0 {
            return Some(pos + (found.trailing_zeros() / 8) as usize);
        }
        pos += 8;
    }
    b.get(pos..)?
        .iter()
        .position(|c| is_structural(*c))
        .map(|i| pos + i)
}

/// Where the value starting at `at` ends: strings closed, brackets balanced and of the
/// same kind; nothing else checked. Iterative, so nesting depth costs no stack.
pub(super) fn skip_value(b: &[u8], at: usize) -> Option<usize> {
    match *b.get(at)? {
        b'"' => return Some(string_end(b, at)?.0),
        b'{' | b'[' => {}
        _ => return literal_end(b, at),
    }
    let mut open: Vec<u8> = Vec::new();
    let mut pos = at;
    loop {
        pos = next_structural(b, pos)?;
        match *b.get(pos)? {
            b'"' => pos = string_end(b, pos)?.0,
            b'{' => {
                open.push(b'}');
                pos += 1;
            }
            b'[' => {
                open.push(b']');
                pos += 1;
            }
            closing => {
                if open.pop()? != closing {
                    return None;
                }
                pos += 1;
                if open.is_empty() {
                    return Some(pos);
                }
            }
        }
    }
}

/// Where a bare literal (number, `true`, ...) at `at` ends; `None` when there is none.
fn literal_end(b: &[u8], at: usize) -> Option<usize> {
    let len = b
        .get(at..)?
        .iter()
        .position(|c| matches!(c, b',' | b'}' | b']' | b':' | b' ' | b'\n' | b'\r' | b'\t'));
    let end = len.map_or(b.len(), |n| at + n);
    (end > at && !is_structural(*b.get(at)?)).then_some(end)
}

/// The items of a JSON `List` (`apiVersion: v1`, `kind: List`, `items` an array), each
/// a range of `text` to read as its own document; `None` for anything else, and for a
/// text that is not well-formed at the top level (it is then read whole, which reports
/// the problem). Cutting a List up lets each item be read, decoded and dropped before the
/// next: memory follows what loads, not the size of the file.
pub(crate) fn list_items(text: &str) -> Option<Vec<Chunk>> {
    let b = text.as_bytes();
    let mut pos = skip_space(b, 0);
    if b.get(pos) != Some(&b'{') {
        return None;
    }
    pos = skip_space(b, pos + 1);
    let mut keys: Vec<&str> = Vec::new();
    let (mut kind, mut api_version, mut items) = (None, None, None);
    while b.get(pos) != Some(&b'}') {
        let key = string_at(text, pos)?;
        let key = match key {
            Cow::Borrowed(k) => k,
            Cow::Owned(_) => return None,
        };
        if keys.contains(&key) {
            return None;
        }
        keys.push(key);
        pos = skip_space(b, string_end(b, pos)?.0);
        if b.get(pos) != Some(&b':') {
            return None;
        }
        pos = skip_space(b, pos + 1);
        match key {
            "kind" => kind = string_at(text, pos),
            "apiVersion" => api_version = string_at(text, pos),
            _ => {}
        }
        let end = if key == "items" {
            let (ranges, end) = item_ranges(b, pos)?;
            items = Some(ranges);
            end
        } else {
            skip_value(b, pos)?
        };
        pos = skip_space(b, end);
        match b.get(pos) {
            Some(b',') => pos = skip_space(b, pos + 1),
            Some(b'}') => {}
            _ => return None,
        }
    }
    if skip_space(b, pos + 1) != b.len() {
        return None;
    }
    let is_list = kind.as_deref() == Some("List") && api_version.as_deref() == Some("v1");
    if is_list {
        items
    } else {
        None
    }
}

/// The items of the array at `at`, and where it ends; `None` when it is not an array or
/// not well-formed.
fn item_ranges(b: &[u8], at: usize) -> Option<(Vec<Chunk>, usize)> {
    if b.get(at) != Some(&b'[') {
        return None;
    }
    let mut ranges = Vec::new();
    let mut pos = skip_space(b, at + 1);
    if b.get(pos) == Some(&b']') {
        return Some((ranges, pos + 1));
    }
    loop {
        let end = skip_value(b, pos)?;
        ranges.push(Chunk { start: pos, end });
        pos = skip_space(b, end);
        match b.get(pos) {
            Some(b',') => pos = skip_space(b, pos + 1),
            Some(b']') => return Some((ranges, pos + 1)),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::Document;
    use super::*;

    #[test]
    fn finds_the_first_quote_or_escape_wherever_it_is() {
        // Every position in and around the two words looked at in place, and past them.
        for len in 0..40 {
            for (at, c) in (0..len).flat_map(|at| [(at, b'"'), (at, b'\\')]) {
                let mut b = vec![b'a'; len];
                b[at] = c;
                b.extend_from_slice(b"x\"yz");
                for from in 0..=at {
                    assert_eq!(quote_or_escape(&b, from), Some(at), "{len} {at} {from}");
                }
            }
            let plain = vec![b'a'; len];
            assert_eq!(quote_or_escape(&plain, 0), None, "{len}");
        }
        assert_eq!(quote_or_escape(b"ab", 5), None);
    }

    fn fast_tree(text: &str) -> Document {
        let mut builder = Builder::new(text);
        assert!(super::super::fast::parse(text, &mut builder).is_ok());
        builder.finish().unwrap()
    }

    fn json_tree(text: &str, skip: Option<Skip>) -> Document {
        let mut builder = Builder::new(text);
        assert!(parse(text, &mut builder, skip).is_ok(), "{text}");
        builder.finish().unwrap()
    }

    #[test]
    fn builds_the_tree_the_fast_reader_builds() {
        let texts = [
            "{}",
            "[]",
            "{\"a\": 1, \"b\": [true, false, null, -1.5e3, \"x\"], \"c\": {\"d\": {}}}",
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"kind\": \"Pod\",\n            \"metadata\": {\"name\": \"a\\tb \\u00e9\"}\n        }\n    ]\n}\n",
            "  [ {\"k\":\"v\"} , [ ] ]  ",
        ];
        for text in texts {
            assert_eq!(json_tree(text, None), fast_tree(text), "{text}");
        }
    }

    #[test]
    fn gives_up_on_what_is_not_json() {
        for text in [
            "{a: 1}",
            "{'a': 1}",
            "[1, 2",
            "{\"a\": 1} x",
            "[01x]",
            "{\"a\" 1}",
            "[1,]x",
        ] {
            let mut builder = Builder::new(text);
            assert!(parse(text, &mut builder, None).is_err(), "{text}");
        }
    }

    #[test]
    fn skipped_values_are_one_null_node_over_their_text() {
        fn skip(kind: Option<&str>, path: &[&str]) -> bool {
            kind == Some("Pod") && path == ["status"]
        }
        let text = "{\"kind\": \"Pod\", \"status\": {\"x\": [1, {\"y\": \"]}\"}]}, \"spec\": {}}";
        let tree = json_tree(text, Some(skip));
        let (status, _) = tree.find("status").unwrap();
        assert!(tree.is_null(status));
        let n = tree.node(status);
        assert_eq!(
            &text[n.start as usize..n.end as usize],
            "{\"x\": [1, {\"y\": \"]}\"}]}"
        );
        assert!(tree.find("spec").is_some());
        // Before `kind` is known nothing is skipped.
        let text = "{\"status\": {\"x\": 1}, \"kind\": \"Pod\"}";
        let tree = json_tree(text, Some(skip));
        assert!(tree.is_map(tree.find("status").unwrap().0));
    }

    #[test]
    fn finds_the_first_structural_byte_wherever_it_is() {
        for c in [b'"', b'{', b'}', b'[', b']'] {
            for at in 0..20 {
                // Bytes one bit away from the structural ones, and non-ASCII.
                let mut text = b"z;=y;\xfb\xdbKM|\x7f\x7a}".repeat(3)[..21].to_vec();
                text.retain(|b| !is_structural(*b));
                text.resize(21, b'a');
                text[at] = c;
                assert_eq!(next_structural(&text, 0), Some(at));
                assert_eq!(next_structural(&text, at + 1), None);
            }
        }
    }

    #[test]
    fn lists_are_cut_into_items() {
        let text = "{\"apiVersion\": \"v1\", \"items\": [ {\"a\": \"}\"},\n {\"b\": [1]} ], \"kind\": \"List\", \"metadata\": {}}";
        let items = list_items(text).unwrap();
        let cut: Vec<&str> = items.iter().map(|c| &text[c.start..c.end]).collect();
        assert_eq!(cut, ["{\"a\": \"}\"}", "{\"b\": [1]}"]);
        // Not a List, another version, truncated, duplicate keys, trailing text: read whole.
        assert!(list_items("{\"kind\": \"Pod\", \"items\": []}").is_none());
        assert!(
            list_items("{\"apiVersion\": \"v2\", \"kind\": \"List\", \"items\": []}").is_none()
        );
        assert!(list_items(&text[..40]).is_none());
        assert!(list_items(
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [], \"items\": []}"
        )
        .is_none());
        assert!(list_items(&format!("{text} x")).is_none());
        assert_eq!(
            list_items("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": []}"),
            Some(vec![])
        );
    }
}
