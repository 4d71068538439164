//! The full YAML parser (saphyr-parser), for what the fast reader leaves to it: documents
//! with constructs manifests rarely use (tags, explicit keys, multi-line plain or quoted
//! scalars, tabs, ...) and every document with a syntax error, whose message comes from here.

use std::borrow::Cow;

use saphyr_parser::{Event as Saphyr, Parser, ScalarStyle, Span};

use super::build::{Builder, Event};
use super::tree::ParseError;

/// Feeds saphyr-parser's events for `text` to `builder`.
pub(super) fn parse<'a>(text: &'a str, builder: &mut Builder<'a>) -> Result<(), ParseError> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| ParseError {
            message: e.info().to_string(),
            offset: offsets.byte(e.marker().index()),
        })?;
        if let Some(event) = convert(event, span, &offsets, text.as_bytes()) {
            builder.event(event)?;
        }
    }
    Ok(())
}

/// saphyr's events in the builder's terms, with places as the fast reader marks them:
/// a node starts at its content (after `&anchor` and `!tag`), a block scalar at its first
/// line of content, a flow collection at its bracket.
fn convert<'a>(event: Saphyr<'a>, span: Span, offsets: &Offsets, text: &[u8]) -> Option<Event<'a>> {
    let start = offsets.byte(span.start.index());
    let end = offsets.byte(span.end.index());
    // saphyr numbers anchors; the builder keys them by name.
    let anchor = |id: usize| (id != 0).then(|| Cow::Owned(id.to_string()));
    Some(match event {
        Saphyr::Scalar(value, style, id, tag) => {
            let forced_string = tag
                .as_deref()
                .is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "str");
            let plain = style == ScalarStyle::Plain && !forced_string;
            let start = if id != 0 || tag.is_some() {
                skip_properties(text, start)
            } else {
                start
            };
            let start = match style {
                ScalarStyle::Literal | ScalarStyle::Folded => content_start(text, start),
                _ => start,
            };
            Event::Scalar {
                text: value,
                plain,
                anchor: anchor(id),
                start: start.min(end),
                end,
            }
        }
        Saphyr::SequenceStart(id, ref tag) | Saphyr::MappingStart(id, ref tag) => {
            let start = if id != 0 || tag.is_some() {
                skip_properties(text, start)
            } else {
                start
            };
            Event::Start {
                map: matches!(event, Saphyr::MappingStart(..)),
                anchor: anchor(id),
                start,
            }
        }
        // A flow collection's end is marked at its closing bracket (or at a trailing comma
        // before it); a block one's at the next token, which is never one of those.
        Saphyr::SequenceEnd | Saphyr::MappingEnd => match text.get(start) {
            Some(b']' | b'}') => Event::End { end, flow: true },
            Some(b',') => Event::End {
                end: text
                    .get(start..)
                    .and_then(|rest| rest.iter().position(|c| matches!(c, b']' | b'}')))
                    .map_or(end, |i| start + i + 1),
                flow: true,
            },
            _ => Event::End { end, flow: false },
        },
        Saphyr::Alias(id) => Event::Alias {
            anchor: Cow::Owned(id.to_string()),
            start,
            end,
        },
        _ => return None,
    })
}

/// Past the `&anchor` and `!tag` written before a node, so every node starts at its
/// content whichever parser marked it.
fn skip_properties(b: &[u8], mut at: usize) -> usize {
    while matches!(b.get(at), Some(b'&' | b'!')) {
        while b
            .get(at)
            .is_some_and(|c| !matches!(c, b' ' | b'\n' | b'\t' | b',' | b'[' | b']' | b'{' | b'}'))
        {
            at += 1;
        }
        while b.get(at).is_some_and(|c| matches!(c, b' ' | b'\n' | b'\t')) {
            at += 1;
        }
    }
    at
}

/// A block scalar (`|`, `>`) starts at its first content, not at its header (which is
/// the indicator, optional chomping/indentation indicators, then the line's end or a
/// comment; content that merely starts with `|` is not a header).
fn content_start(b: &[u8], at: usize) -> usize {
    if !matches!(b.get(at), Some(b'|' | b'>')) {
        return at;
    }
    let mut i = at + 1;
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b'-' | b'+' | b'0'..=b'9'))
    {
        i += 1;
    }
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let comment = b.get(i) == Some(&b'#') && b.get(i.wrapping_sub(1)) == Some(&b' ');
    if b.get(i) != Some(&b'\n') && !comment {
        return at;
    }
    while b.get(i).is_some_and(|c| *c != b'\n') {
        i += 1;
    }
    while b.get(i).is_some_and(|c| matches!(c, b' ' | b'\n')) {
        i += 1;
    }
    if i < b.len() {
        i
    } else {
        at
    }
}

/// Char index → byte offset (saphyr counts characters).
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

    fn byte(&self, char_index: usize) -> usize {
        match self {
            Offsets::Ascii => char_index,
            Offsets::Table(t) => t.get(char_index).or(t.last()).map_or(0, |b| *b as usize),
        }
    }
}
