//! Writing YAML that every reader reads back as it was meant.
//!
//! What the project writes (generated policies, `-o yaml` output) is applied with kubectl
//! (YAML 1.1: `yes`, `on`, `010`, `1e3` are not strings there) and read by YAML 1.2 tools
//! too. A string is therefore written plain only when it is a string under both; anything
//! either dialect could read as a boolean, a number, a null, a timestamp, a merge key or
//! syntax is double-quoted. The layout is `kubectl get -o yaml`'s: two-space indentation,
//! list items flush with their key, `{}` and `[]` for empty collections.

use std::fmt::Write as _;

/// A YAML value to write.
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Written in decimal, unquoted (`8080`).
    Int(i64),
    /// Written so that it reads back as a float (`1.0`, not `1`).
    Float(f64),
    /// A string (quoted when it has to be).
    Str(String),
    /// A block sequence (`- item`); `[]` when empty.
    Seq(Vec<Yaml>),
    /// A mapping, in the order given.
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    /// A mapping from `(key, value)` pairs, leaving out the `None` values.
    pub fn map<'a>(entries: impl IntoIterator<Item = (&'a str, Option<Yaml>)>) -> Yaml {
        Yaml::Map(
            entries
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
                .collect(),
        )
    }

    /// Shorthand for [`Yaml::Str`].
    pub fn str(s: impl Into<String>) -> Yaml {
        Yaml::Str(s.into())
    }
}

/// The document's text, ending with a newline.
pub fn to_string(value: &Yaml) -> String {
    let mut out = String::new();
    match value {
        Yaml::Map(entries) if !entries.is_empty() => write_map(&mut out, entries, 0),
        Yaml::Seq(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        other => {
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
    out
}

/// A string as a YAML scalar: plain when that is safe in YAML 1.1 and 1.2, else quoted.
pub fn scalar(s: &str) -> String {
    if needs_quotes(s) {
        quote(s)
    } else {
        s.to_string()
    }
}

fn write_map(out: &mut String, entries: &[(String, Yaml)], indent: usize) {
    for (key, value) in entries {
        pad(out, indent);
        out.push_str(&scalar(key));
        out.push(':');
        write_value(out, value, indent, true);
    }
}

fn write_seq(out: &mut String, items: &[Yaml], indent: usize) {
    for item in items {
        pad(out, indent);
        out.push('-');
        match item {
            Yaml::Map(entries) if !entries.is_empty() => {
                // The first entry shares the dash's line; the rest line up under it.
                let mut first = true;
                for (key, value) in entries {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        pad(out, indent + 2);
                    }
                    out.push_str(&scalar(key));
                    out.push(':');
                    write_value(out, value, indent + 2, true);
                }
            }
            Yaml::Seq(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, indent + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}

/// After `key:`: a scalar on the same line, a collection on the next lines.
fn write_value(out: &mut String, value: &Yaml, indent: usize, in_map: bool) {
    match value {
        Yaml::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            write_map(out, entries, indent + 2);
        }
        // Like kubectl: list items flush with their key.
        Yaml::Seq(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, if in_map { indent } else { indent + 2 });
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

fn inline(value: &Yaml) -> String {
    match value {
        Yaml::Null => "null".to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Int(i) => i.to_string(),
        Yaml::Float(f) if f.is_nan() => ".nan".to_string(),
        Yaml::Float(f) if f.is_infinite() => if *f > 0.0 { ".inf" } else { "-.inf" }.to_string(),
        Yaml::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.1}"),
        Yaml::Float(f) => f.to_string(),
        Yaml::Str(s) => scalar(s),
        Yaml::Seq(_) => "[]".to_string(),
        Yaml::Map(_) => "{}".to_string(),
    }
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Whether a string must be quoted to read back as the same string in YAML 1.1 (kubectl,
/// PyYAML) and YAML 1.2.
pub fn needs_quotes(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return true;
    };
    let last = s.chars().next_back().unwrap_or(first);
    if first.is_whitespace() || last.is_whitespace() {
        return true;
    }
    // Indicators that start something else than a plain scalar.
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return true;
    }
    if looks_numeric(s) {
        return true;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.contains('\t') {
        return true;
    }
    if s.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return true;
    }
    is_reserved_word(s)
}

/// Whatever some dialect could read as a number or a timestamp: integers (decimal, octal,
/// hex, binary, with `_`), floats, `.inf`/`.nan`, YAML 1.1 sexagesimals (`1:20`) and
/// timestamps (`2001-12-14t21:59:43z`). Conservative on purpose: a string made only of
/// digits, hex letters, base prefixes and `_ . : + - t z` and spaces, starting with a digit,
/// sign or dot, is quoted; `10.0.0.0/8` and `v1.2` stay plain.
fn looks_numeric(s: &str) -> bool {
    let starts = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.' || c == '+' || c == '-');
    starts
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() || "xXoO_.:+-tTzZ ".contains(c))
        || super::resolve::resolve_plain(s) != super::resolve::Scalar::Str
}

/// Words some YAML dialect reads as a boolean or null, the merge key and the YAML 1.1
/// value key (case-insensitively, to cover every dialect's spellings).
fn is_reserved_word(s: &str) -> bool {
    const WORDS: [&str; 14] = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "<<", "=", "nan", "inf",
    ];
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_layout() {
        let doc = Yaml::map([
            ("apiVersion", Some(Yaml::str("networking.k8s.io/v1"))),
            (
                "metadata",
                Some(Yaml::map([
                    ("name", Some(Yaml::str("a"))),
                    ("labels", Some(Yaml::map([("pci", Some(Yaml::str("yes")))]))),
                ])),
            ),
            (
                "spec",
                Some(Yaml::map([
                    ("podSelector", Some(Yaml::Map(vec![]))),
                    (
                        "ingress",
                        Some(Yaml::Seq(vec![Yaml::map([
                            ("from", Some(Yaml::Seq(vec![Yaml::Map(vec![])]))),
                            (
                                "ports",
                                Some(Yaml::Seq(vec![Yaml::map([
                                    ("port", Some(Yaml::Int(53))),
                                    ("protocol", Some(Yaml::str("UDP"))),
                                ])])),
                            ),
                        ])])),
                    ),
                    ("policyTypes", Some(Yaml::Seq(vec![Yaml::str("Ingress")]))),
                ])),
            ),
        ]);
        assert_eq!(
            to_string(&doc),
            "apiVersion: networking.k8s.io/v1\nmetadata:\n  name: a\n  labels:\n    pci: \"yes\"\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - {}\n    ports:\n    - port: 53\n      protocol: UDP\n  policyTypes:\n  - Ingress\n"
        );
    }

    #[test]
    fn quotes_what_either_dialect_reads_otherwise() {
        for s in [
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "N",
            "true",
            "null",
            "~",
            "",
            "010",
            "8080",
            "1e3",
            "0x1F",
            ".5",
            ".inf",
            "-1",
            "+1",
            "2001-12-14",
            "1:20",
            "<<",
            "=",
            " a",
            "a ",
            "a: b",
            "a #b",
            "- x",
            "*x",
            "&x",
            "!x",
            "%x",
            "@x",
            "`x",
            "{x",
            "[x",
            "'x",
            "\"x",
            "a\nb",
            "x:",
            "2001-12-14t21:59:43.10-05:00",
            "1.2.3",
            "0b101",
            "12e3",
            "-.inf",
        ] {
            assert!(needs_quotes(s), "{s:?}");
        }
        for s in [
            "pod-1",
            "app",
            "team-one-namespace",
            "kube-dns",
            "TCP",
            "v1.2",
            "a-b_c.d",
            "k8s-app",
            "10.0.0.0/8",
            "fd00::/8",
            "0.0.0.0/0",
        ] {
            assert!(!needs_quotes(s), "{s:?}");
        }
        assert_eq!(scalar("say \"hi\""), "say \"hi\"");
        assert_eq!(scalar("a\nb"), "\"a\\nb\"");
    }
}

/// Every string the project writes goes through [`scalar`]: whatever the string, the text
/// written reads back as that same string under YAML 1.1 (the engine's own reader, which
/// resolves scalars as kubectl does) and under YAML 1.2 (serde_yaml, a YAML 1.2 reader).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod round_trip {
    use proptest::prelude::*;

    use super::scalar;
    use crate::yaml::tree::Style;
    use crate::yaml::{Document, Scalar};

    fn tricky() -> impl Strategy<Value = String> {
        let known = prop::sample::select(vec![
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "n",
            "true",
            "False",
            "null",
            "~",
            "",
            "010",
            "0o17",
            "0x1F",
            "0b101",
            "1_000",
            "1e3",
            ".5",
            "-.inf",
            ".NaN",
            "+1",
            "2001-12-14",
            "1:20",
            "<<",
            "=",
            "- a",
            "a: b",
            "#c",
            "a #c",
            "'q'",
            "\"q\"",
            "{x}",
            "[y]",
            "&a",
            "*a",
            "!t",
            "|",
            ">",
            "%",
            "@",
            "`",
            "? k",
            " lead",
            "trail ",
            "tab\there",
            "line\nbreak",
            "é",
            "10.0.0.0/8",
            "fd00::1",
            "v1.2.3",
            "8080",
            "-1",
            "0",
            "00",
            "09",
            "1.0",
        ]);
        prop_oneof![
            known.prop_map(str::to_string),
            "[ -~]{0,12}",
            "[0-9a-fA-FxXoObB_.:+ eE-]{1,8}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn written_strings_read_back_the_same_in_yaml_1_1_and_1_2(s in tricky()) {
            let text = format!("k: {}\n", scalar(&s));
            // YAML 1.1, as kubectl reads it.
            let doc = Document::parse(&text).map_err(|e| TestCaseError::fail(format!("{text:?}: {}", e.message)))?;
            let value = doc.get(doc.root().unwrap_or(0), "k").and_then(|v| doc.scalar(v));
            let as_string = matches!(value, Some((t, style, v)) if t == s && (style == Style::Literal || v == Scalar::Str));
            prop_assert!(as_string, "YAML 1.1 reads {:?} back as {:?}", text, value);
            // YAML 1.2.
            let v: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
            prop_assert_eq!(v.get("k").and_then(serde_yaml::Value::as_str), Some(s.as_str()), "YAML 1.2 reads {:?} differently", text);
        }
    }
}
