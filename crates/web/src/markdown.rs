//! The small markdown subset lesson files use (paragraphs, lists, fenced code, `code`,
//! **bold**, *emphasis*), parsed into blocks so the views only render. Nothing else of
//! markdown is recognised: an unclosed marker stays text, so no lesson text is lost.

/// A run of text with one style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    /// `code`.
    Code(String),
    /// **bold**.
    Strong(String),
    /// *emphasis*.
    Em(String),
}

/// A block of lesson text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Para(Vec<Inline>),
    /// A list (ordered or not) of items.
    List {
        /// `1.` items.
        ordered: bool,
        items: Vec<Vec<Inline>>,
    },
    /// A fenced code block.
    Code(String),
}

/// Splits lesson text into blocks.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<String> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let mut fence: Option<Vec<String>> = None;
    let flush_para = |para: &mut Vec<String>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Para(inlines(&para.join(" "))));
            para.clear();
        }
    };
    let flush_list = |list: &mut Option<(bool, Vec<String>)>, out: &mut Vec<Block>| {
        if let Some((ordered, items)) = list.take() {
            out.push(Block::List {
                ordered,
                items: items.iter().map(|i| inlines(i)).collect(),
            });
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(code) = fence.as_mut() {
            if trimmed.starts_with("```") {
                out.push(Block::Code(code.join("\n")));
                fence = None;
            } else {
                code.push(line.to_string());
            }
            continue;
        }
        if trimmed.starts_with("```") {
            flush_para(&mut para, &mut out);
            flush_list(&mut list, &mut out);
            fence = Some(Vec::new());
            continue;
        }
        if trimmed.is_empty() {
            flush_para(&mut para, &mut out);
            flush_list(&mut list, &mut out);
            continue;
        }
        let item = list_item(trimmed);
        match (item, list.as_mut()) {
            (Some((ordered, rest)), Some((o, items))) if *o == ordered => {
                items.push(rest.to_string());
            }
            (Some((ordered, rest)), _) => {
                flush_para(&mut para, &mut out);
                flush_list(&mut list, &mut out);
                list = Some((ordered, vec![rest.to_string()]));
            }
            // An indented line continues the list item above it.
            (None, Some((_, items))) if line.starts_with(' ') => {
                if let Some(last) = items.last_mut() {
                    last.push(' ');
                    last.push_str(trimmed);
                }
            }
            (None, _) => {
                flush_list(&mut list, &mut out);
                para.push(trimmed.to_string());
            }
        }
    }
    if let Some(code) = fence {
        out.push(Block::Code(code.join("\n")));
    }
    flush_para(&mut para, &mut out);
    flush_list(&mut list, &mut out);
    out
}

/// `- item` / `* item` / `1. item` → (ordered, rest).
fn list_item(line: &str) -> Option<(bool, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((false, rest));
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits < 4 {
        let rest = line.get(digits..)?;
        return rest.strip_prefix(". ").map(|r| (true, r));
    }
    None
}

/// Splits a line into styled runs. Unclosed markers stay as text.
pub fn inlines(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let (marker, make): (&str, fn(String) -> Inline) = if rest.starts_with("**") {
            ("**", Inline::Strong)
        } else if c == '`' {
            ("`", Inline::Code)
        } else if c == '*' {
            ("*", Inline::Em)
        } else {
            plain.push(c);
            rest = rest.get(c.len_utf8()..).unwrap_or("");
            continue;
        };
        let after = rest.get(marker.len()..).unwrap_or("");
        match after.find(marker) {
            Some(end) if end > 0 => {
                if !plain.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut plain)));
                }
                out.push(make(after.get(..end).unwrap_or("").to_string()));
                rest = after.get(end + marker.len()..).unwrap_or("");
            }
            _ => {
                plain.push_str(marker);
                rest = after;
            }
        }
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_text_becomes_blocks() {
        let b = blocks(
            "Para **bold** and `code`\nsame para.\n\n- one\n  more\n- two *em*\n\n1. first\n2. second\n\n```\nkind: Pod\n```\nunclosed `tick",
        );
        assert_eq!(
            b[0],
            Block::Para(vec![
                Inline::Text("Para ".into()),
                Inline::Strong("bold".into()),
                Inline::Text(" and ".into()),
                Inline::Code("code".into()),
                Inline::Text(" same para.".into()),
            ])
        );
        assert_eq!(
            b[1],
            Block::List {
                ordered: false,
                items: vec![
                    vec![Inline::Text("one more".into())],
                    vec![Inline::Text("two ".into()), Inline::Em("em".into())],
                ],
            }
        );
        assert!(matches!(&b[2], Block::List { ordered: true, items } if items.len() == 2));
        assert_eq!(b[3], Block::Code("kind: Pod".into()));
        assert_eq!(
            b[4],
            Block::Para(vec![Inline::Text("unclosed `tick".into())])
        );
        // Nothing panics on odd input.
        for t in ["*", "**", "``", "1.", "- ", "```", "é**ü", "12345. x"] {
            let _ = blocks(t);
        }
    }
}
