//! Cutting a JSON `List` (`kubectl get ... -A -o json > snapshot.json`) into its items as
//! its bytes arrive, so that a caller reading a file never holds more than one buffer of
//! it: a 100,000-pod snapshot is 1.4 GB of text, of which the cluster needs a few percent.
//!
//! The engine does no I/O: the caller pushes the bytes it read ([`ListCutter::push`]) and
//! takes the items that are complete ([`ListCutter::next_item`]). Each item comes with its
//! byte offset, line and column in the file, so that what the loader says about it is
//! placed exactly where reading the whole text (`json::list_items`) would place it.
//!
//! kubectl writes `kind` after `items` (keys sorted), so whether the text is a List at all
//! is known only at its end ([`ListCutter::finish`]); until then the items are tentative,
//! and a caller told [`NotAList`] reads the file the ordinary way, which also words any
//! error. The checks are those of `json::list_items`: the same texts are cut, the same are
//! refused.

use super::json::{skip_space, skip_value, string_at, string_end};

/// The text is not a well-formed one-object JSON `List` (`apiVersion: v1`, `kind: List`),
/// or not UTF-8: read it whole instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotAList;

/// One item of a List: its text and where it starts in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListItem {
    /// The item was cut where its indentation says it ends ([`ListCutter::guessing`]),
    /// unchecked: a text that does not read as one document means the cut was wrong.
    pub guessed: bool,
    /// The item's JSON text, from its `{` to its `}`.
    pub text: String,
    /// Byte offset of the item's first byte in the file.
    pub offset: usize,
    /// 1-based line of that byte.
    pub line: usize,
    /// 1-based column (in characters) of that byte.
    pub column: usize,
}

/// Where the cutter is in the List's outer object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the outer `{`.
    Open,
    /// Before a key (or the closing `}` when `first`).
    Key { first: bool },
    /// After the key's `:`: its value (an index into `keys`).
    Value(usize),
    /// After `items: [`, before the first item or `]`.
    FirstItem,
    /// Before an item.
    Item,
    /// After an item: `,` or `]`.
    AfterItem,
    /// After a value of the outer object: `,` or `}`.
    AfterValue,
    /// After the outer `}`: only white space may follow.
    Done,
    /// Something that is not a List: nothing more is cut.
    Broken,
}

/// Cuts a List's items out of pushed bytes; see the module's doc.
#[derive(Debug)]
pub struct ListCutter {
    /// Bytes pushed and not yet consumed start at `buf[pos]`.
    buf: Vec<u8>,
    pos: usize,
    /// File offset of `buf[0]`.
    base: usize,
    /// Line and column of `buf[pos]`.
    line: usize,
    column: usize,
    state: State,
    keys: Vec<String>,
    kind: Option<String>,
    api_version: Option<String>,
    /// Cut items where their indentation says they end (see [`ListCutter::guessing`]).
    guess: bool,
    /// An item was cut that way.
    guessed_any: bool,
}

impl Default for ListCutter {
    fn default() -> Self {
        ListCutter {
            buf: Vec::new(),
            pos: 0,
            base: 0,
            line: 1,
            column: 1,
            state: State::Open,
            keys: Vec::new(),
            kind: None,
            api_version: None,
            guess: false,
            guessed_any: false,
        }
    }
}

/// How much a caller should read at a time when nothing is pending.
const READ_SIZE: usize = 1 << 20;

impl ListCutter {
    /// A cutter at the start of a file.
    pub fn new() -> ListCutter {
        ListCutter::default()
    }

    /// A cutter that finds where a pretty-printed item ends by its indentation: in
    /// `kubectl -o json` an item's `}` is the first line after its `{` with the same
    /// indentation (a string cannot hold a line break, deeper lines are indented
    /// further), and searching for that line is several times faster than reading every
    /// string and bracket of the item. Such items are [`ListItem::guessed`]: a reader
    /// that finds the text is not one document (the file was indented some other way)
    /// must cut the file again with [`ListCutter::new`]. Items on a line of their own
    /// only; any other item is cut by reading it.
    pub fn guessing() -> ListCutter {
        ListCutter {
            guess: true,
            ..ListCutter::default()
        }
    }

    /// Where the item at `at` ends, by its indentation (see [`ListCutter::guessing`]):
    /// `None` when it cannot be told that way, `Some(None)` when more bytes are needed.
    fn guessed_end(&self, b: &[u8], at: usize) -> Option<Option<usize>> {
        if !self.guess {
            return None;
        }
        // The item's `{` must follow a line break and spaces only.
        let newline = memchr::memrchr(b'\n', b.get(..at)?)?;
        let spaces = b.get(newline + 1..at)?;
        if spaces.iter().any(|&c| c != b' ') {
            return None;
        }
        let indent = spaces.len();
        // kubectl breaks the line after an object's `{`; an item written on one line
        // (`{"a": 1},`) is read to its end.
        if b.get(at + 1) != Some(&b'\n') {
            return None;
        }
        let mut needle = Vec::with_capacity(indent + 2);
        needle.push(b'\n');
        needle.extend(std::iter::repeat_n(b' ', indent));
        needle.push(b'}');
        let found = memchr::memmem::find(b.get(at..)?, &needle);
        Some(found.map(|i| at + i + needle.len()))
    }

    /// How many bytes the caller should read next: at least as many as are pending, so
    /// that an item larger than a buffer is rescanned a logarithmic number of times.
    pub fn wanted(&self) -> usize {
        READ_SIZE.max(self.buf.len() - self.pos)
    }

    /// Adds the next bytes of the file.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos > 0 {
            // Drop what was consumed, once per push rather than once per item.
            self.buf.drain(..self.pos);
            self.base += self.pos;
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete item, `Ok(None)` when more bytes are needed (or the List is
    /// over), [`NotAList`] as soon as the text cannot be a List.
    pub fn next_item(&mut self) -> Result<Option<ListItem>, NotAList> {
        loop {
            let b = self.buf.as_slice();
            let at = skip_space(b, self.pos);
            if at >= b.len() && self.state != State::Broken {
                return Ok(None);
            }
            let c = b.get(at).copied().unwrap_or(0);
            match self.state {
                State::Open if c == b'{' => self.advance(at + 1, State::Key { first: true }),
                State::Key { first: true } if c == b'}' => self.advance(at + 1, State::Done),
                State::Key { .. } if c == b'"' => {
                    let Some((end, _)) = string_end(b, at) else {
                        return Ok(None);
                    };
                    let colon = skip_space(b, end);
                    if colon >= b.len() {
                        return Ok(None);
                    }
                    if b.get(colon) != Some(&b':') {
                        return self.broken();
                    }
                    let key = std::str::from_utf8(b.get(at..end).unwrap_or(&[]))
                        .ok()
                        .and_then(|k| string_at(k, 0))
                        .map(|k| k.into_owned());
                    let Some(key) = key else {
                        return self.broken();
                    };
                    if self.keys.contains(&key) {
                        return self.broken();
                    }
                    self.keys.push(key);
                    let index = self.keys.len() - 1;
                    self.advance(colon + 1, State::Value(index));
                }
                State::Value(index) => {
                    if self.keys.get(index).map(String::as_str) == Some("items") {
                        if c != b'[' {
                            return self.broken();
                        }
                        self.advance(at + 1, State::FirstItem);
                        continue;
                    }
                    let Some(end) = skip_value(b, at) else {
                        return Ok(None);
                    };
                    // A value may end at the buffer's end and go on (`12` of `123`).
                    if end >= b.len() {
                        return Ok(None);
                    }
                    // The whole-text reader would refuse a file that is not UTF-8.
                    let Ok(value) = std::str::from_utf8(b.get(at..end).unwrap_or(&[])) else {
                        return self.broken();
                    };
                    let value = string_at(value, 0).map(|v| v.into_owned());
                    match self.keys.get(index).map(String::as_str) {
                        Some("kind") => self.kind = value,
                        Some("apiVersion") => self.api_version = value,
                        _ => {}
                    }
                    self.advance(end, State::AfterValue);
                }
                State::FirstItem if c == b']' => self.advance(at + 1, State::AfterValue),
                State::FirstItem | State::Item => {
                    let guessed = self.guessed_end(b, at);
                    let Some(end) = guessed.unwrap_or_else(|| skip_value(b, at)) else {
                        return Ok(None);
                    };
                    if end >= b.len() {
                        return Ok(None);
                    }
                    let Ok(text) = std::str::from_utf8(b.get(at..end).unwrap_or(&[])) else {
                        return self.broken();
                    };
                    let text = text.to_string();
                    self.advance(at, State::Item);
                    self.guessed_any |= guessed.is_some();
                    let item = ListItem {
                        guessed: guessed.is_some(),
                        text,
                        offset: self.base + at,
                        line: self.line,
                        column: self.column,
                    };
                    self.advance(end, State::AfterItem);
                    return Ok(Some(item));
                }
                State::AfterItem if c == b',' => self.advance(at + 1, State::Item),
                State::AfterItem if c == b']' => self.advance(at + 1, State::AfterValue),
                State::AfterValue if c == b',' => self.advance(at + 1, State::Key { first: false }),
                State::AfterValue if c == b'}' => self.advance(at + 1, State::Done),
                _ => return self.broken(),
            }
        }
    }

    /// Whether an item was cut by its indentation: a text refused after that may be a List
    /// indented some other way, to cut again with [`ListCutter::new`].
    pub fn guessed_any(&self) -> bool {
        self.guessed_any
    }

    /// At the end of the file: whether what was cut is a whole `v1` `List`.
    pub fn finish(&self) -> Result<(), NotAList> {
        let is_list = self.state == State::Done
            && skip_space(&self.buf, self.pos) == self.buf.len()
            && self.kind.as_deref() == Some("List")
            && self.api_version.as_deref() == Some("v1");
        if is_list {
            Ok(())
        } else {
            Err(NotAList)
        }
    }

    fn broken(&mut self) -> Result<Option<ListItem>, NotAList> {
        self.state = State::Broken;
        Err(NotAList)
    }

    /// Moves to `to` in the buffer, keeping the line and column of the new position.
    fn advance(&mut self, to: usize, state: State) {
        let passed = self.buf.get(self.pos..to).unwrap_or(&[]);
        match memchr::memrchr(b'\n', passed) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', passed).count();
                self.column = 1 + chars(passed.get(last + 1..).unwrap_or(&[]));
            }
            None => self.column += chars(passed),
        }
        self.pos = to;
        self.state = state;
    }
}

/// Characters in UTF-8 bytes (every byte that does not continue a character).
fn chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::super::{list_items, LineStarts};
    use super::*;

    /// Cuts `text` pushed `step` bytes at a time.
    fn cut(text: &str, step: usize) -> Result<Vec<ListItem>, NotAList> {
        cut_with(ListCutter::new(), text, step)
    }

    fn cut_with(
        mut cutter: ListCutter,
        text: &str,
        step: usize,
    ) -> Result<Vec<ListItem>, NotAList> {
        let mut items = Vec::new();
        for chunk in text.as_bytes().chunks(step.max(1)) {
            cutter.push(chunk);
            while let Some(item) = cutter.next_item()? {
                items.push(item);
            }
        }
        cutter.finish()?;
        Ok(items)
    }

    #[test]
    fn cuts_what_the_whole_text_reader_cuts_wherever_the_bytes_break() {
        let text = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\"a\": \"}\", \"é\": [1, {\"b\": \"]\"}]},\n        {\"c\": 12}\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\"resourceVersion\": \"\"}\n}\n";
        let expected = list_items(text).unwrap();
        let lines = LineStarts::new(text);
        for step in [1, 2, 3, 7, 64, text.len()] {
            let items = cut(text, step).unwrap();
            assert_eq!(items.len(), expected.len(), "step {step}");
            for (item, chunk) in items.iter().zip(&expected) {
                assert_eq!(item.offset, chunk.start);
                assert_eq!(item.text, &text[chunk.start..chunk.end]);
                assert_eq!(
                    (item.line, item.column),
                    lines.position(text, chunk.start),
                    "step {step}"
                );
            }
        }
    }

    /// A List as kubectl indents it: each item's `}` on a line of its own, at the indentation
    /// of its `{`; deeper lines, and a `}` inside a string, further in.
    const KUBECTL: &str = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"a\": \"\\n        }\",\n            \"b\": {\n                \"c\": [1]\n            }\n        },\n        {\"d\": 1},\n        {\n            \"e\": \"é\"\n        }\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\"resourceVersion\": \"\"}\n}\n";

    #[test]
    fn a_guessing_cutter_cuts_a_kubectl_list_where_reading_it_does() {
        let exact = cut(KUBECTL, KUBECTL.len()).unwrap();
        for step in [1, 5, 64, KUBECTL.len()] {
            let guessed = cut_with(ListCutter::guessing(), KUBECTL, step).unwrap();
            let texts = |items: &[ListItem]| -> Vec<(String, usize, usize, usize)> {
                items
                    .iter()
                    .map(|i| (i.text.clone(), i.offset, i.line, i.column))
                    .collect()
            };
            assert_eq!(texts(&guessed), texts(&exact), "step {step}");
            // The one-line item is read to its end.
            let flags: Vec<bool> = guessed.iter().map(|i| i.guessed).collect();
            assert_eq!(flags, [true, false, true], "step {step}");
        }
        assert!(exact.iter().all(|i| !i.guessed));
    }

    #[test]
    fn a_guess_against_other_indentation_is_refused_or_not_one_document() {
        // A nested object closes at the item's indentation: the guess ends there, and
        // what follows is not `,` or `]`.
        let early = KUBECTL.replace("\n            }\n        },", "\n        }\n        },");
        assert_eq!(
            cut_with(ListCutter::guessing(), &early, early.len()).err(),
            Some(NotAList)
        );
        assert!(cut(&early, early.len()).is_ok());
        // The item's `}` ends a line of its own: the guess runs on to the next item's.
        let late = KUBECTL.replace("\n            }\n        },", "\n            }},");
        let guessed = cut_with(ListCutter::guessing(), &late, late.len()).unwrap();
        let first = guessed.first().unwrap();
        assert!(first.guessed);
        assert!(
            crate::yaml::Document::parse(&first.text).is_err(),
            "{}",
            first.text
        );
        assert_eq!(cut(&late, late.len()).unwrap().len(), 3);
    }

    #[test]
    fn refuses_what_the_whole_text_reader_refuses() {
        let list = "{\"apiVersion\": \"v1\", \"items\": [{\"a\": 1}], \"kind\": \"List\"}";
        for text in [
            "{\"kind\": \"Pod\", \"items\": []}",
            "{\"apiVersion\": \"v2\", \"kind\": \"List\", \"items\": []}",
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [], \"items\": []}",
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"a\": 1}, {\"b\": 2}",
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"a\": 1} {\"b\": 2}]}",
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": {}}",
            &list[..list.len() - 1],
            &format!("{list} x"),
            "[]",
            "",
        ] {
            assert!(list_items(text).is_none(), "{text}");
            for step in [1, 5, text.len()] {
                assert_eq!(cut(text, step), Err(NotAList), "{text}");
            }
        }
        assert_eq!(cut(list, 4).unwrap().len(), 1);
        assert_eq!(
            cut(
                "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": []}",
                3
            ),
            Ok(vec![])
        );
    }

    #[test]
    fn asks_for_more_than_a_pending_item() {
        let mut cutter = ListCutter::new();
        let big = format!(
            "{{\"apiVersion\": \"v1\", \"items\": [{{\"a\": \"{}\"}}",
            "x".repeat(3 * READ_SIZE)
        );
        cutter.push(big.as_bytes());
        assert_eq!(cutter.next_item(), Ok(None));
        assert!(cutter.wanted() > 3 * READ_SIZE);
    }
}
