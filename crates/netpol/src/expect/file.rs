//! The expectations file of `netpol test`: a YAML list in the lessons' goal syntax, each
//! entry remembered with its place so a failure can point at it.
//!
//! ```yaml
//! - allow: "team-one-namespace/pod-1 -> team-two-namespace/pod-2 : 8080/TCP"
//! - deny: "*/* -> team-two-namespace/pod-3 : 8080"
//! - {from: team-one-namespace/*, to: ip:8.8.8.8, port: 53, protocol: UDP, allowed: false}
//! ```
//!
//! The reader is strict like the lesson reader: an unknown field, a missing one or a
//! malformed expectation is an error with its line and column, because a typo in a CI gate
//! must not quietly check less.

use std::collections::HashMap;

use super::Expectation;
use crate::diag::{self, Code, Diagnostic};
use crate::model::Origin;
use crate::yaml::value::{DataFile, Mapping, Value};

/// An expectation with the place it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stated {
    /// What the entry says, with its patterns as written (not yet resolved to pods).
    pub expectation: Expectation,
    /// Where its entry is (file name, line, column, byte range).
    pub origin: Origin,
}

/// Reads an expectations file. `Err` holds every problem found, each with its place.
pub fn parse_file(name: &str, text: &str) -> Result<Vec<Stated>, Vec<Diagnostic>> {
    let mut r = Reader::open(name, text)?;
    let items = match &r.root {
        Value::Sequence(items) => items.clone(),
        other => {
            let found = kind_of(other);
            r.report(
                diag::WRONG_TYPE,
                "",
                false,
                format!("an expectations file is a list (`- allow: \"a -> b : 8080/TCP\"`), not {found}"),
            );
            return Err(r.diagnostics);
        }
    };
    let mut out: Vec<Stated> = Vec::new();
    // Expectation → line it was first written on.
    let mut seen: HashMap<Expectation, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("[{i}]");
        let Some(e) = r.expectation(item, &path) else {
            continue;
        };
        let origin = r.origin(&path, false);
        if let Some(&line) = seen.get(&e) {
            r.report(
                diag::DUPLICATE_NAME,
                &path,
                false,
                format!("`{e}` is already expected on line {line}"),
            );
            continue;
        }
        seen.insert(e.clone(), origin.line);
        out.push(Stated {
            expectation: e,
            origin,
        });
    }
    if out.is_empty() && r.diagnostics.is_empty() {
        r.report(
            diag::MISSING_FIELD,
            "",
            false,
            "the expectations file lists no expectations".to_string(),
        );
    }
    if r.diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(r.diagnostics)
    }
}

struct Reader<'a> {
    file: DataFile<'a>,
    root: Value,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    fn open(name: &'a str, text: &'a str) -> Result<Reader<'a>, Vec<Diagnostic>> {
        let file = DataFile::open(name, text, "expectations").map_err(|mut errors| {
            // `- allow: a -> b : 80` is the classic: the ` : ` makes YAML see a mapping.
            if text.contains("->") {
                for e in errors
                    .iter_mut()
                    .filter(|e| e.code == diag::YAML_SYNTAX.code)
                {
                    e.help = Some(
                        "quote each expectation: `- allow: \"a -> b : 8080/TCP\"`".to_string(),
                    );
                }
            }
            errors
        })?;
        Ok(Reader {
            root: file.root.clone(),
            file,
            diagnostics: Vec::new(),
        })
    }

    fn origin(&self, path: &str, prefer_key: bool) -> Origin {
        self.file.origin(path, prefer_key)
    }

    fn report(&mut self, code: Code, path: &str, prefer_key: bool, message: String) {
        let at = self.origin(path, prefer_key);
        self.diagnostics.push(code.at(&at, message));
    }

    /// One entry: `allow: TEXT`, `deny: TEXT`, or `from`/`to`/`port`/`protocol`/`allowed`.
    fn expectation(&mut self, value: &Value, path: &str) -> Option<Expectation> {
        let Value::Mapping(map) = value else {
            let found = kind_of(value);
            self.report(
                diag::WRONG_TYPE,
                path,
                false,
                format!("an expectation is `allow: \"a -> b : 8080/TCP\"`, `deny: ...` or `from:`/`to:`/`port:`/`allowed:`, not {found}"),
            );
            return None;
        };
        if map.contains_key("allow") || map.contains_key("deny") {
            return self.short_form(map, path);
        }
        if !self.known_fields(map, path, &["from", "to", "port", "protocol", "allowed"]) {
            return None;
        }
        let from = self.string(map, path, "from");
        let to = self.string(map, path, "to");
        let port = self.port(map, path);
        let protocol = match self.optional_string(map, path, "protocol") {
            Err(()) => None,
            Ok(None) => Some(crate::ports::Protocol::Tcp),
            Ok(Some(text)) => self.check(path, "protocol", crate::syntax::protocol(&text)),
        };
        let allowed = match map.get("allowed") {
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                let found = kind_of(other);
                self.report(
                    diag::WRONG_TYPE,
                    &format!("{path}.allowed"),
                    false,
                    format!("`allowed` must be `true` or `false`, not {found}"),
                );
                None
            }
            None => {
                self.report(
                    diag::MISSING_FIELD,
                    path,
                    false,
                    "missing field `allowed` (or write `allow:`/`deny:`)".to_string(),
                );
                None
            }
        };
        let (from, to, port, protocol, allowed) = (from?, to?, port?, protocol?, allowed?);
        // Validate both ends with the same parser as the short form.
        let text = format!("{from} -> {to} : {port}/{protocol}");
        self.check(path, "from", Expectation::parse(&text, allowed))
    }

    fn short_form(&mut self, map: &Mapping, path: &str) -> Option<Expectation> {
        if !self.known_fields(map, path, &["allow", "deny"]) {
            return None;
        }
        if map.len() != 1 {
            self.report(
                diag::INVALID_VALUE,
                path,
                false,
                "an expectation is either `allow:` or `deny:`, not both".to_string(),
            );
            return None;
        }
        let (key, allowed) = if map.contains_key("allow") {
            ("allow", true)
        } else {
            ("deny", false)
        };
        let text = self.string(map, path, key)?;
        self.check(path, key, Expectation::parse(&text, allowed))
    }

    /// Reports unknown fields (with the closest known one); true when there were none.
    fn known_fields(&mut self, map: &Mapping, path: &str, known: &[&str]) -> bool {
        let mut ok = true;
        for key in map.keys() {
            let name = key.as_str().unwrap_or("?");
            if known.contains(&name) {
                continue;
            }
            ok = false;
            // Suggest from both forms: `alow` in a long-form entry still means `allow`.
            let all = ["allow", "deny", "from", "to", "port", "protocol", "allowed"];
            let help = match crate::suggest::closest(name, all) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("an expectation has {}", known.join(", ")),
            };
            let at = self.origin(&format!("{path}.{name}"), true);
            self.diagnostics.push(
                diag::UNKNOWN_FIELD
                    .at(&at, format!("unknown field `{name}`"))
                    .with_help(help),
            );
        }
        ok
    }

    /// A required string field.
    fn string(&mut self, map: &Mapping, path: &str, key: &str) -> Option<String> {
        match self.optional_string(map, path, key) {
            Ok(Some(s)) => Some(s),
            Ok(None) => {
                self.report(
                    diag::MISSING_FIELD,
                    path,
                    false,
                    format!("missing field `{key}`"),
                );
                None
            }
            Err(()) => None,
        }
    }

    /// `Ok(None)` when absent, `Err` (reported) when not a string.
    fn optional_string(
        &mut self,
        map: &Mapping,
        path: &str,
        key: &str,
    ) -> Result<Option<String>, ()> {
        match map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => {
                let found = kind_of(other);
                self.report(
                    diag::WRONG_TYPE,
                    &format!("{path}.{key}"),
                    false,
                    format!("`{key}` must be a string (quote it), not {found}"),
                );
                Err(())
            }
        }
    }

    fn port(&mut self, map: &Mapping, path: &str) -> Option<u16> {
        let parsed = match map.get("port") {
            None => Err("missing field `port`".to_string()),
            Some(v) => yaml_port(v),
        };
        self.check(path, "port", parsed)
    }

    /// Reports `Err` at `path.key`.
    fn check<T>(&mut self, path: &str, key: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.report(
                    diag::INVALID_VALUE,
                    &format!("{path}.{key}"),
                    false,
                    message,
                );
                None
            }
        }
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
    }
}

/// A `port:` field: a number, or a string in [`crate::syntax::port_number`]'s spelling
/// (a YAML float such as `80.0` is not a port, though it prints as `80`).
pub(crate) fn yaml_port(value: &Value) -> Result<u16, String> {
    match value {
        Value::Number(n) if n.as_u64().is_some() => crate::syntax::port_number(&n.to_string()),
        Value::Number(n) => Err(format!(
            "`{n}` is not a port number: write 1 to 65535, like `8080`"
        )),
        Value::String(s) => crate::syntax::port_number(s),
        other => Err(format!("`port` must be a number, not {}", kind_of(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_forms_with_places() {
        let text = "# intent\n- allow: \"x/a -> x/b : 80\"\n- deny: x/* -> ip:8.8.8.8:53/udp\n- {from: x/b, to: x/a, port: 8080, allowed: false}\n";
        let got = parse_file("e.yaml", text).unwrap_or_else(|d| unreachable!("{d:?}"));
        let lines: Vec<(usize, usize, String)> = got
            .iter()
            .map(|s| (s.origin.line, s.origin.column, s.expectation.to_string()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (2, 3, "allow x/a -> x/b : 80/TCP".to_string()),
                (3, 3, "deny x/* -> ip:8.8.8.8 : 53/UDP".to_string()),
                (4, 3, "deny x/b -> x/a : 8080/TCP".to_string()),
            ]
        );
    }

    #[test]
    fn every_problem_is_located() {
        let text = "- allow: \"x/a -> x/b\"\n- alow: \"x/a -> x/b : 80\"\n- deny: 80\n- {from: x/a, to: x/b, port: 0, allowed: maybe}\n- allow: \"x/a -> x/b : 80\"\n- allow: \"x/a -> x/b : 80\"\n";
        let d = parse_file("e.yaml", text).err().unwrap_or_default();
        let got: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            got,
            vec![
                "e.yaml:1:10: error[NP107]: `x/a -> x/b`: a port is missing (`... : 8080/TCP`)",
                "e.yaml:2:3: error[NP104]: unknown field `alow` (help: did you mean `allow`?)",
                "e.yaml:3:9: error[NP103]: `deny` must be a string (quote it), not a number",
                "e.yaml:4:30: error[NP107]: `0` is not a port number: write 1 to 65535, like `8080`",
                "e.yaml:4:42: error[NP103]: `allowed` must be `true` or `false`, not a string",
                "e.yaml:6:3: error[NP106]: `allow x/a -> x/b : 80/TCP` is already expected on line 5",
            ]
        );
    }

    #[test]
    fn an_unquoted_expectation_gets_a_hint() {
        let d = parse_file("e.yaml", "- allow: x/a -> x/b : 80\n")
            .err()
            .unwrap_or_default();
        assert_eq!(d.len(), 1);
        assert!(d
            .iter()
            .all(|d| d.help.as_deref().is_some_and(|h| h.contains("quote"))));
        let d = parse_file("e.yaml", "allow: x\n").err().unwrap_or_default();
        assert!(d.iter().any(|d| d.message.contains("is a list")), "{d:?}");
        let d = parse_file("e.yaml", "# nothing\n")
            .err()
            .unwrap_or_default();
        assert!(d.iter().any(|d| d.message.contains("empty")), "{d:?}");
    }
}
