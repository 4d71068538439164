//! YAML syntax highlighting for the editor's backdrop layer, as an HTML string.
//!
//! The editor is a transparent `<textarea>` over a `<pre>`; this module builds the
//! `<pre>`'s content. It works line by line (the layer only colours text; it never needs
//! a parse tree) and returns one HTML string so Yew diffs a single attribute instead of
//! thousands of spans on every keystroke. Every character of the input appears in the
//! output exactly once (escaped), so the layer lines up with the textarea.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How a marked line is tinted (the worst diagnostic on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    /// An error on the line.
    Error,
    /// A warning on the line.
    Warning,
    /// An info note on the line.
    Info,
}

impl Mark {
    /// CSS class suffix.
    pub fn class(self) -> &'static str {
        match self {
            Mark::Error => "error",
            Mark::Warning => "warning",
            Mark::Info => "info",
        }
    }
}

/// A diagnostic shown at the end of a line: its severity and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineNote {
    /// Worst severity on the line.
    pub mark: Mark,
    /// The first message on the line (more are counted).
    pub message: String,
    /// How many diagnostics the line has.
    pub count: usize,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    escape_into(&mut out, s);
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

fn span(out: &mut String, class: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    if class.is_empty() {
        escape_into(out, text);
        return;
    }
    let _ = write!(out, "<span class=\"t-{class}\">");
    escape_into(out, text);
    out.push_str("</span>");
}

/// The highlighted text: one `<div class="ln">` per line (so a marked line can be tinted
/// across the full width), with the line's note appended as a pill.
#[cfg(test)]
pub fn highlight(text: &str, notes: &BTreeMap<usize, LineNote>) -> String {
    highlight_chunks(text, notes, usize::MAX).concat()
}

/// [`highlight`] in chunks of `lines` lines (the tests' view of the editor's chunks).
#[cfg(test)]
pub fn highlight_chunks(
    text: &str,
    notes: &BTreeMap<usize, LineNote>,
    lines: usize,
) -> Vec<String> {
    let all: Vec<&str> = text.split('\n').collect();
    all.chunks(lines.max(1))
        .enumerate()
        .map(|(c, chunk)| highlight_lines(chunk, c * lines.max(1) + 1, notes))
        .collect()
}

/// Highlights `lines`, the first of which is line `first` (1-based) of the text.
pub fn highlight_lines(lines: &[&str], first: usize, notes: &BTreeMap<usize, LineNote>) -> String {
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() * 2 + 24).sum());
    for (i, line) in lines.iter().enumerate() {
        let number = first + i;
        let line = line.strip_suffix('\r').unwrap_or(line);
        match notes.get(&number) {
            Some(note) => {
                let _ = write!(out, "<div class=\"ln ln-{}\">", note.mark.class());
                highlight_line(&mut out, line);
                let more = if note.count > 1 {
                    format!(" (+{} more)", note.count - 1)
                } else {
                    String::new()
                };
                let _ = write!(out, "<span class=\"note note-{}\">", note.mark.class());
                escape_into(&mut out, &note.message);
                escape_into(&mut out, &more);
                out.push_str("</span></div>");
            }
            None => {
                out.push_str("<div class=\"ln\">");
                highlight_line(&mut out, line);
                out.push_str("</div>");
            }
        }
    }
    out
}

/// Highlighted read-only code (the generated YAML): lines joined by real newlines, so the
/// element's text content is exactly `text`.
pub fn highlight_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2 + 64);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        highlight_line(&mut out, line);
    }
    out
}

/// Colours one line. Recognises comments, document markers, sequence dashes, mapping
/// keys, quoted strings, numbers, booleans/null, anchors, aliases and tags.
fn highlight_line(out: &mut String, line: &str) {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let (lead, rest) = line.split_at(indent);
    out.push_str(lead);
    if trimmed.starts_with('#') {
        span(out, "com", trimmed);
        return;
    }
    if indent == 0 && (is_marker(trimmed, "---") || is_marker(trimmed, "...")) {
        let (marker, after) = trimmed.split_at(3);
        span(out, "sep", marker);
        value(out, after);
        return;
    }
    let mut rest = rest;
    // Sequence dashes, possibly several (`- - a`).
    while let Some(after) = rest.strip_prefix('-') {
        if after.is_empty() || after.starts_with(' ') {
            span(out, "punct", "-");
            let spaces = after.len() - after.trim_start().len();
            let (ws, tail) = after.split_at(spaces);
            out.push_str(ws);
            rest = tail;
        } else {
            break;
        }
    }
    match key_end(rest) {
        Some(end) => {
            let (key, tail) = rest.split_at(end);
            span(out, "key", key);
            let tail = tail.strip_prefix(':').unwrap_or(tail);
            span(out, "punct", ":");
            value(out, tail);
        }
        None => value(out, rest),
    }
}

fn is_marker(s: &str, marker: &str) -> bool {
    s == marker
        || s.strip_prefix(marker)
            .is_some_and(|r| r.starts_with([' ', '\t']))
}

/// Byte index of the `:` ending a mapping key at the start of `s`, if `s` starts with one.
fn key_end(s: &str) -> Option<usize> {
    if s.starts_with(['{', '[', '#', '|', '>', '&', '*', '!', '%', '@', '`']) {
        return None;
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    if let Some(q) = s.chars().next().filter(|c| *c == '"' || *c == '\'') {
        i = closing_quote(s, q)?;
    }
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b':') => {
                let next = bytes.get(i + 1);
                if next.is_none() || next == Some(&b' ') || next == Some(&b'\t') {
                    return Some(i);
                }
            }
            Some(b' ') if bytes.get(i + 1) == Some(&b'#') => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Byte index just past the closing quote of a string starting at byte 0 with `q`.
fn closing_quote(s: &str, q: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        if q == '"' && c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        if c == q && !escaped {
            return Some(i + c.len_utf8());
        }
        escaped = false;
    }
    None
}

/// Colours the value part of a line (after `key:` or a dash).
fn value(out: &mut String, s: &str) {
    let spaces = s.len() - s.trim_start().len();
    let (ws, v) = s.split_at(spaces);
    out.push_str(ws);
    if v.is_empty() {
        return;
    }
    if v.starts_with('#') {
        span(out, "com", v);
        return;
    }
    // Split off a trailing comment (` #` outside quotes).
    let (body, comment) = split_comment(v);
    let trimmed_body = body.trim_end();
    let trailing_ws = body.get(trimmed_body.len()..).unwrap_or("");
    scalar(out, trimmed_body);
    out.push_str(trailing_ws);
    span(out, "com", comment);
}

fn split_comment(v: &str) -> (&str, &str) {
    let mut quote: Option<char> = None;
    let mut prev_space = false;
    for (i, c) in v.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev_space => return v.split_at(i),
            None => {}
        }
        prev_space = c == ' ' || c == '\t';
    }
    (v, "")
}

fn scalar(out: &mut String, v: &str) {
    if v.is_empty() {
        return;
    }
    if v.starts_with('"') || v.starts_with('\'') {
        span(out, "str", v);
        return;
    }
    if v.starts_with(['{', '[']) {
        flow(out, v);
        return;
    }
    if v.starts_with(['&', '*']) {
        span(out, "anchor", v);
        return;
    }
    if v.starts_with('!') {
        span(out, "tag", v);
        return;
    }
    if v == "|" || v == ">" || v.starts_with("|-") || v.starts_with(">-") {
        span(out, "punct", v);
        return;
    }
    span(out, word_class(v), v);
}

fn word_class(v: &str) -> &'static str {
    match v {
        "true" | "false" | "True" | "False" | "TRUE" | "FALSE" | "null" | "Null" | "NULL" | "~"
        | "yes" | "no" => "bool",
        _ if is_number(v) => "num",
        _ => "plain",
    }
}

fn is_number(v: &str) -> bool {
    let v = v.strip_prefix(['-', '+']).unwrap_or(v);
    !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
        && v.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Flow collections (`{a: b}`, `[1, 2]`): punctuation, keys and scalars, roughly.
fn flow(out: &mut String, v: &str) {
    let mut token = String::new();
    let mut quote: Option<char> = None;
    let flush = |out: &mut String, token: &mut String, is_key: bool| {
        let t = token.trim();
        if !t.is_empty() {
            let lead = token
                .get(..token.len() - token.trim_start().len())
                .unwrap_or("");
            out.push_str(lead);
            let class = if is_key {
                "key"
            } else if t.starts_with('"') || t.starts_with('\'') {
                "str"
            } else {
                word_class(t)
            };
            span(out, class, t);
            let trail = token.get(token.trim_end().len()..).unwrap_or("");
            out.push_str(trail);
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            token.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => {
                quote = Some(c);
                token.push(c);
            }
            ':' if chars.peek().is_none_or(|n| *n == ' ') => {
                flush(out, &mut token, true);
                span(out, "punct", ":");
            }
            '{' | '}' | '[' | ']' | ',' => {
                flush(out, &mut token, false);
                let mut buf = [0u8; 4];
                span(out, "punct", c.encode_utf8(&mut buf));
            }
            _ => token.push(c),
        }
    }
    flush(out, &mut token, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strips tags and unescapes: what the user sees must equal what they typed.
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    fn lines_of(html: &str) -> Vec<String> {
        html.split("<div class=\"ln")
            .skip(1)
            .map(|l| text_of(&format!("<div class=\"ln{l}")))
            .collect()
    }

    #[test]
    fn keeps_every_character() {
        let src = "apiVersion: v1\nkind: Pod # a pod\nmetadata: {name: a, labels: {app: \"x#y\"}}\n---\n- - 1\n  - 'q: r'\n<&>\n";
        let html = highlight(src, &BTreeMap::new());
        let lines = lines_of(&html);
        let expected: Vec<&str> = src.split('\n').collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn colours_keys_strings_comments() {
        let html = highlight("name: \"a\" # c\nport: 80\nok: true", &BTreeMap::new());
        assert!(html.contains("<span class=\"t-key\">name</span>"));
        assert!(html.contains("<span class=\"t-str\">&quot;a&quot;</span>"));
        assert!(html.contains("<span class=\"t-com\"># c</span>"));
        assert!(html.contains("<span class=\"t-num\">80</span>"));
        assert!(html.contains("<span class=\"t-bool\">true</span>"));
    }

    #[test]
    fn chunks_split_on_line_counts() {
        let src = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5";
        let chunks = highlight_chunks(src, &BTreeMap::new(), 2);
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks.concat(), highlight(src, &BTreeMap::new()));
    }

    #[test]
    fn marks_lines_with_notes() {
        let mut notes = BTreeMap::new();
        notes.insert(
            2,
            LineNote {
                mark: Mark::Error,
                message: "bad <thing>".into(),
                count: 2,
            },
        );
        let html = highlight("a: 1\nb: 2", &notes);
        assert!(html.contains("<div class=\"ln ln-error\">"));
        assert!(html.contains("bad &lt;thing&gt; (+1 more)"));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "\"unterminated: x",
            "'",
            ":",
            "- ",
            "-",
            "{",
            "[}",
            "a: {b: [c, {d: 'e",
            "é: ü # ß",
            "\u{0}\u{ffff}: \u{1F600}",
            "   \t",
            "--- # x",
            "...",
        ] {
            let html = highlight(s, &BTreeMap::new());
            assert_eq!(lines_of(&html).join("\n"), s);
        }
    }

    #[test]
    fn inline_keeps_text_content() {
        let src = "a: 1\n# c\n- \"x\"\n";
        assert_eq!(text_of(&highlight_inline(src)), src);
    }
}
