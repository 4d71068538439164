//! The fast reader against the full parser: whatever the fast reader accepts must give the
//! tree saphyr-parser gives, and it must accept nothing saphyr-parser refuses. Checked on
//! every YAML file of the repository, on generated manifest-like documents, and on those
//! documents with random damage (the shapes a half-typed edit takes).

use proptest::prelude::*;

use super::build::Builder;
use super::fast::{self, Stop};
use super::tree::{Document, Kind, NodeId, ParseError};

fn full(text: &str) -> Result<Document, ParseError> {
    let mut b = Builder::new(text);
    super::full::parse(text, &mut b)?;
    b.finish()
}

/// `Some(result)` when the fast reader took the document, `None` when it passed.
fn quick(text: &str) -> Option<Result<Document, ParseError>> {
    let mut b = Builder::new(text);
    match fast::parse(text, &mut b) {
        Ok(()) => Some(b.finish()),
        Err(Stop::Error(e)) => Some(Err(e)),
        Err(Stop::Bail) => None,
    }
}

/// A readable rendering of the tree: what a consumer can observe (structure, text, how a
/// scalar was written, what it resolves to, and where non-empty scalars start).
fn render(doc: &Document) -> String {
    let mut out = String::new();
    if let Some(root) = doc.root() {
        render_node(doc, root, &mut out, 0);
    }
    out
}

fn render_node(doc: &Document, id: NodeId, out: &mut String, depth: usize) {
    let node = doc.node(id);
    let pad = "  ".repeat(depth);
    match &node.kind {
        Kind::Scalar { text, style, value } => {
            let text = doc.text_of(text);
            let at = if text.is_empty() {
                String::new()
            } else {
                format!(" @{}", node.start)
            };
            out.push_str(&format!("{pad}{text:?} {style:?} {value:?}{at}\n"));
        }
        Kind::Alias(target) => out.push_str(&format!("{pad}*{target}\n")),
        Kind::Seq { .. } => {
            // Where an empty item sits is each parser's own guess; not compared.
            let first_empty = doc
                .items(id)
                .first()
                .is_some_and(|i| doc.node(*i).end == doc.node(*i).start);
            let at = if first_empty {
                String::new()
            } else {
                format!(" @{}", node.start)
            };
            out.push_str(&format!("{pad}seq{at}\n"));
            for item in doc.items(id) {
                render_node(doc, *item, out, depth + 1);
            }
        }
        Kind::Map { .. } => {
            out.push_str(&format!("{pad}map @{}\n", node.start));
            for (k, v) in doc.pairs(id) {
                render_node(doc, k, out, depth + 1);
                render_node(doc, v, out, depth + 2);
            }
        }
    }
}

/// The property: the fast reader agrees with the full parser whenever it answers.
fn agree(text: &str) -> Result<bool, String> {
    let Some(fast) = quick(text) else {
        return Ok(false);
    };
    let full = full(text);
    match (&fast, &full) {
        (Ok(a), Ok(b)) if render(a) == render(b) => Ok(true),
        (Err(a), Err(b)) if a.message == b.message => Ok(true),
        // Both refuse: the message shown is the full parser's or the builder's, fine.
        (Err(_), Err(_)) => Ok(true),
        _ => Err(format!(
            "fast and full disagree on:\n{text}\n--- fast:\n{}\n--- full:\n{}",
            fast.map(|d| render(&d))
                .unwrap_or_else(|e| format!("error: {}", e.message)),
            full.map(|d| render(&d))
                .unwrap_or_else(|e| format!("error: {}", e.message)),
        )),
    }
}

#[test]
fn agrees_on_hand_written_cases() {
    let cases = [
        "a: 1\nb:\n  c: [x, y]\n  d: {e: f, g: 'h''i', j: \"k\\tl\"}\n",
        "- a\n- b: 1\n  c: 2\n- - x\n  - y\n-\n- \"q\"\n",
        "key:\n- compact\n- seq\nnext: 3\n",
        "a: |\n  line 1\n    more\n\n  last\nb: >-\n  folded\n  text\n\n  para\nc: x\n",
        "base: &b\n  x: 1\nuse:\n  <<: *b\n  y: 2\nlist: &l [1, 2]\nagain: *l\n",
        "# comment\n\na: b # trailing\n# between\nc: d\n",
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"metadata\": {\"name\": \"a\",\n   \"labels\": {\"app\": \"x\"}}}\n",
        "url: http://example.com:8080/x\nratio: 1:2\nhash: a#b\nempty:\nnull: ~\n",
        "a: yes\nb: 010\nc: 1e3\nd: .inf\ne: -\nf: '-'\n",
        "é: ü\nkey: \"\\u00e9\\x41\"\n",
        "a: b: c\n",
        "a:\n  - x\n b: y\n",
        "a: [1, 2\n",
        "a: 'unterminated\n",
        "- a\nb: c\n",
        "a: 1\na: 2\n",
        "a: &x [*x]\n",
        "  indented: map\n  more: keys\n",
        "a: {b: [c, {d: e}], f: }\n",
        "a:\n  b:\n    c:\n      d: 1\n  e: 2\n",
        "a: plain\n  continued\n",
        "a: 'multi\n  line'\n",
        "? complex\n: key\n",
        "a: !!str 010\n",
        "a:\tb\n",
        "a: 1\r\nb: 2\r\n",
        "---\na: 1\n",
        "a: |+\n  keep\n\n",
        "a: |2\n   x\n",
        "a: >\n  x\n    y\n",
        "- |\n  in a list\n- next\n",
        "a: [x,\n  y,\n  z]\n",
        "a: {x: 1,\ny: 2}\n",
        "[a, b]: c\n",
        "a: *nope\n",
        "&a b: c\n",
        "a: &anchor value\nb: *anchor\n",
        "- &a {x: 1}\n- *a\n",
        "a:\n  # comment only\nb: 1\n",
        "a: b #c\n  # indented comment\nd: e\n",
    ];
    for case in cases {
        if let Err(e) = agree(case) {
            panic!("{e}");
        }
    }
}

#[test]
fn agrees_on_every_yaml_file_of_the_repository_and_reads_manifests_fast() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in [
        "www",
        "tests/fixtures",
        "crates/netpol/tests",
        "crates/netpol/examples",
    ] {
        collect(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "found only {} YAML files", files.len());
    let (mut documents, mut fast) = (0, 0);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for chunk in super::split_documents(&text) {
            let doc = &text[chunk.start..chunk.end];
            documents += 1;
            match agree(doc) {
                Ok(true) => fast += 1,
                Ok(false) => {}
                Err(e) => panic!("{}: {e}", file.display()),
            }
        }
    }
    // The fast reader must take (nearly) every document we ship.
    assert!(
        fast * 100 >= documents * 95,
        "fast path took {fast} of {documents} documents"
    );
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        {
            out.push(p);
        }
    }
}

/// Scalars as a manifest author writes them, tricky ones included.
fn scalar() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "a",
        "pod-1",
        "app",
        "yes",
        "no",
        "on",
        "010",
        "8080",
        "1e3",
        "0x1F",
        "~",
        "null",
        "",
        "true",
        "x y",
        "a:b",
        "http://h:1/p",
        "a#b",
        "-1",
        ".5",
        "é",
        "k8s-app",
        "10.0.0.0/8",
        "kubernetes.io/metadata.name",
        "- x",
        ": y",
        "#c",
        "it's",
        "say \"hi\"",
        "a\\b",
        "{x}",
        "[y]",
        "&a",
        "*b",
        "!t",
        "|",
        ">",
        "%p",
        "@q",
        "`r",
        "? s",
        "a, b",
    ]);
    let style = prop::sample::select(vec![0u8, 0, 0, 1, 2]);
    (words, style).prop_map(|(w, style)| {
        // Words that cannot be plain are quoted, mostly: documents should mostly be YAML.
        let plain_ok = !w.is_empty()
            && !w.starts_with([
                '-', ':', '#', '{', '[', '&', '*', '!', '|', '>', '%', '@', '`', '?', '\'', '"',
            ])
            && !w.contains(": ")
            && !w.contains(" #");
        match style {
            0 if plain_ok => w.to_string(),
            1 | 0 => format!("'{}'", w.replace('\'', "''")),
            _ => format!("\"{}\"", w.replace('\\', "\\\\").replace('"', "\\\"")),
        }
    })
}

/// The shape of a generated document.
#[derive(Clone, Debug)]
enum Shape {
    Scalar(String),
    Flow(String),
    Block {
        folded: bool,
        strip: bool,
        lines: Vec<String>,
    },
    Map(Vec<(String, Shape)>),
    Seq(Vec<Shape>),
}

/// Flow collections of scalars, on one line.
fn flow() -> impl Strategy<Value = String> {
    let leaf = scalar().boxed();
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec((scalar(), inner.clone()), 0..4).prop_map(|entries| {
                let body: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", body.join(", "))
            }),
            prop::collection::vec(inner, 0..4).prop_map(|items| format!("[{}]", items.join(", "))),
        ]
    })
}

fn shape() -> impl Strategy<Value = Shape> {
    let text = prop::collection::vec("[a-z]{1,6}( [a-z]{1,6}){0,3}", 1..4);
    let leaf = prop_oneof![
        5 => scalar().prop_map(Shape::Scalar),
        2 => flow().prop_map(Shape::Flow),
        1 => (any::<bool>(), any::<bool>(), text).prop_map(|(folded, strip, lines)| Shape::Block { folded, strip, lines }),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec((scalar(), inner.clone()), 1..5).prop_map(Shape::Map),
            prop::collection::vec(inner, 1..5).prop_map(Shape::Seq),
        ]
    })
}

/// Renders a shape as block YAML at `indent`, after a `key:` or a `- `.
fn render_value(shape: &Shape, indent: usize, compact_seq: bool, comments: bool, out: &mut String) {
    let pad = " ".repeat(indent);
    match shape {
        Shape::Scalar(s) | Shape::Flow(s) => {
            out.push(' ');
            out.push_str(s);
            out.push_str(if comments { " # c\n" } else { "\n" });
        }
        Shape::Block {
            folded,
            strip,
            lines,
        } => {
            out.push_str(if *folded { " >" } else { " |" });
            out.push_str(if *strip { "-\n" } else { "\n" });
            for (i, line) in lines.iter().enumerate() {
                if i == 1 && comments {
                    out.push('\n');
                }
                out.push_str(&format!("{pad}  {line}\n"));
            }
        }
        Shape::Map(entries) => {
            out.push('\n');
            render_map(entries, indent + 2, comments, out);
        }
        Shape::Seq(items) => {
            out.push('\n');
            render_seq(
                items,
                if compact_seq { indent } else { indent + 2 },
                comments,
                out,
            );
        }
    }
}

fn render_map(entries: &[(String, Shape)], indent: usize, comments: bool, out: &mut String) {
    let pad = " ".repeat(indent);
    for (i, (k, v)) in entries.iter().enumerate() {
        if comments && i == 1 {
            out.push_str(&format!("{pad}# between\n"));
        }
        out.push_str(&format!("{pad}{k}:"));
        render_value(v, indent, i % 2 == 0, comments && i == 0, out);
    }
}

fn render_seq(items: &[Shape], indent: usize, comments: bool, out: &mut String) {
    let pad = " ".repeat(indent);
    for item in items {
        out.push_str(&format!("{pad}-"));
        match item {
            Shape::Map(entries) => {
                // The first entry on the dash's line, the rest under it.
                let mut first = String::new();
                render_map(entries, indent + 2, comments, &mut first);
                out.push(' ');
                out.push_str(first.trim_start());
            }
            Shape::Seq(inner) => {
                out.push('\n');
                render_seq(inner, indent + 2, comments, out);
            }
            other => render_value(other, indent, false, comments, out),
        }
    }
}

/// A manifest-like document: block mappings and sequences, flow collections, block
/// scalars, comments, an anchor and its alias.
fn document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((scalar(), shape()), 1..6),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(entries, comments, anchor)| {
            let mut out = String::new();
            render_map(&entries, 0, comments, &mut out);
            if anchor {
                out.push_str("anchored: &x\n  k: v\nmerged:\n  <<: *x\n  other: 1\n");
            }
            out
        })
}

/// Damage: characters that change YAML's structure, inserted or deleted at random places.
fn damaged() -> impl Strategy<Value = String> {
    (
        document(),
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                prop::sample::select(vec![
                    "", ":", " ", "\n", "-", "#", "'", "\"", "{", "}", "[", "]", ",", "|", ">",
                    "&a", "*a", "  ", "? ", "!",
                ]),
            ),
            1..4,
        ),
    )
        .prop_map(|(mut doc, edits)| {
            for (at, insert) in edits {
                let mut i = at.index(doc.len() + 1);
                while !doc.is_char_boundary(i) {
                    i -= 1;
                }
                if insert.is_empty() {
                    if let Some(c) = doc[i..].chars().next() {
                        doc.replace_range(i..i + c.len_utf8(), "");
                    }
                } else {
                    doc.insert_str(i, insert);
                }
            }
            doc
        })
}

static FAST_TAKEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static GENERATED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn agrees_on_generated_documents(doc in document()) {
        use std::sync::atomic::Ordering::Relaxed;
        match agree(&doc) {
            Ok(taken) => {
                FAST_TAKEN.fetch_add(usize::from(taken), Relaxed);
                let n = GENERATED.fetch_add(1, Relaxed) + 1;
                // The generator mostly writes YAML the fast reader takes; if it did not, this
                // property would check little.
                if n == 500 {
                    prop_assert!(FAST_TAKEN.load(Relaxed) > 250, "fast path took {} of 500", FAST_TAKEN.load(Relaxed));
                }
            }
            Err(e) => prop_assert!(false, "{}", e),
        }
    }

    #[test]
    fn agrees_on_damaged_documents(doc in damaged()) {
        if let Err(e) = agree(&doc) {
            prop_assert!(false, "{}", e);
        }
    }
}
