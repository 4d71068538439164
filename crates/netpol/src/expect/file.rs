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
use crate::format::{join, Each, GoalLine, Loose, Source};
use crate::model::Origin;

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
    let source = open(name, text)?;
    let found = source.root_shape();
    if found != "a list" {
        return Err(vec![diag::WRONG_TYPE.at(
            &source.origin("", false),
            format!(
                "an expectations file is a list (`- allow: \"a -> b : 8080/TCP\"`), not {found}"
            ),
        )]);
    }
    let items: Vec<Each<GoalLine>> = source.root()?;
    let mut problems = Vec::new();
    let mut out: Vec<Stated> = Vec::new();
    // Expectation → line it was first written on.
    let mut seen: HashMap<Expectation, usize> = HashMap::new();
    for item in items {
        let Some(e) = goal_line(&source, item, &mut problems) else {
            continue;
        };
        let origin = source.origin_of(item);
        if let Some(&line) = seen.get(&e) {
            problems.push(
                diag::DUPLICATE_NAME
                    .at(&origin, format!("`{e}` is already expected on line {line}")),
            );
            continue;
        }
        seen.insert(e.clone(), origin.line);
        out.push(Stated {
            expectation: e,
            origin,
        });
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(diag::MISSING_FIELD.at(
            &source.origin("", false),
            "the expectations file lists no expectations",
        ));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn open<'a>(name: &'a str, text: &'a str) -> Result<Source<'a>, Vec<Diagnostic>> {
    Source::open(name, text, "expectations").map_err(|mut errors| {
        // `- allow: a -> b : 80` is the classic: the ` : ` makes YAML see a mapping.
        if text.contains("->") {
            for e in errors
                .iter_mut()
                .filter(|e| e.code == diag::YAML_SYNTAX.code)
            {
                e.help =
                    Some("quote each expectation: `- allow: \"a -> b : 8080/TCP\"`".to_string());
            }
        }
        errors
    })
}

/// One expectation of a goal or an expectations file: `allow: TEXT`, `deny: TEXT`, or
/// `from`/`to`/`port`/`protocol`/`allowed`. Its problems go to `problems`, all of them.
pub(crate) fn goal_line(
    source: &Source<'_>,
    item: Each<GoalLine>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Expectation> {
    let found = source.shape(item);
    if found != "a mapping" {
        problems.push(diag::WRONG_TYPE.at(
            &source.origin_of(item),
            format!("an expectation is `allow: \"a -> b : 8080/TCP\"`, `deny: ...` or `from:`/`to:`/`port:`/`allowed:`, not {found}"),
        ));
        return None;
    }
    let line = match source.decode(item) {
        Ok(line) => line,
        Err(mut found) => {
            problems.append(&mut found);
            return None;
        }
    };
    let mut entry = Entry {
        source,
        path: source.path(item),
        problems,
    };
    match (&line.allow, &line.deny) {
        (None, None) => entry.long_form(&line),
        (Some(text), None) => entry.short_form(&line, "allow", text, true),
        (None, Some(text)) => entry.short_form(&line, "deny", text, false),
        (Some(_), Some(_)) => {
            entry.report(
                diag::INVALID_VALUE,
                "",
                "an expectation is either `allow:` or `deny:`, not both".to_string(),
            );
            None
        }
    }
}

/// One entry being checked: where it is and where its problems go.
struct Entry<'s, 'a, 'p> {
    source: &'s Source<'a>,
    path: String,
    problems: &'p mut Vec<Diagnostic>,
}

impl Entry<'_, '_, '_> {
    fn report(&mut self, code: Code, key: &str, message: String) {
        let at = self.source.origin(&join(&self.path, key), false);
        self.problems.push(code.at(&at, message));
    }

    /// Reports `Err` at the field `key`.
    fn check<T>(&mut self, key: &str, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|message| self.report(diag::INVALID_VALUE, key, message))
            .ok()
    }

    fn short_form(
        &mut self,
        line: &GoalLine,
        key: &str,
        text: &str,
        allowed: bool,
    ) -> Option<Expectation> {
        let long = [
            ("from", line.from.is_some()),
            ("to", line.to.is_some()),
            ("port", line.port.is_some()),
            ("protocol", line.protocol.is_some()),
            ("allowed", line.allowed.is_some()),
        ];
        if let Some((field, _)) = long.iter().find(|(_, given)| *given) {
            self.report(
                diag::INVALID_VALUE,
                field,
                format!("`{field}` belongs to the long form: write `{key}: \"a -> b : 8080/TCP\"` alone, or `from:`/`to:`/`port:`/`allowed:`"),
            );
            return None;
        }
        self.check(key, Expectation::parse(text, allowed))
    }

    fn long_form(&mut self, line: &GoalLine) -> Option<Expectation> {
        let from = self.required("from", line.from.clone());
        let to = self.required("to", line.to.clone());
        let port = match &line.port {
            None => self.check("port", Err("missing field `port`".to_string())),
            Some(v) => self.check("port", yaml_port(v)),
        };
        let protocol = match &line.protocol {
            None => Some(crate::ports::Protocol::Tcp),
            Some(text) => self.check("protocol", crate::syntax::protocol(text)),
        };
        let allowed = match &line.allowed {
            Some(Loose::Bool(b)) => Some(*b),
            Some(other) => {
                let found = other.kind();
                self.report(
                    diag::WRONG_TYPE,
                    "allowed",
                    format!("`allowed` must be `true` or `false`, not {found}"),
                );
                None
            }
            None => {
                self.report(
                    diag::MISSING_FIELD,
                    "",
                    "missing required field `allowed` (or write `allow:`/`deny:`)".to_string(),
                );
                None
            }
        };
        let (from, to, port, protocol, allowed) = (from?, to?, port?, protocol?, allowed?);
        // Validate both ends with the same parser as the short form.
        let text = format!("{from} -> {to} : {port}/{protocol}");
        self.check("from", Expectation::parse(&text, allowed))
    }

    fn required(&mut self, key: &str, value: Option<String>) -> Option<String> {
        if value.is_none() {
            self.report(
                diag::MISSING_FIELD,
                "",
                format!("missing required field `{key}`"),
            );
        }
        value
    }
}

/// A `port:` field: a number, or a string in [`crate::syntax::port_number`]'s spelling
/// (a YAML float such as `80.0` is not a port, though it prints as `80`).
fn yaml_port(value: &Loose) -> Result<u16, String> {
    match value {
        Loose::Integer(n) if *n >= 0 => crate::syntax::port_number(&n.to_string()),
        Loose::Integer(n) => Err(format!(
            "`{n}` is not a port number: write 1 to 65535, like `8080`"
        )),
        Loose::Number(n) => Err(format!(
            "`{n}` is not a port number: write 1 to 65535, like `8080`"
        )),
        Loose::Text(s) => crate::syntax::port_number(s),
        other => Err(format!("`port` must be a number, not {}", other.kind())),
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
    fn an_entry_that_is_no_mapping_is_told_what_an_entry_is() {
        let d = parse_file(
            "e.yaml",
            "- just text\n- ~\n- allow: \"x/a -> x/b : 80\"\n  from: x/a\n",
        )
        .err()
        .unwrap_or_default();
        let got: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        let entry = "an expectation is `allow: \"a -> b : 8080/TCP\"`, `deny: ...` or `from:`/`to:`/`port:`/`allowed:`";
        assert_eq!(
            got,
            vec![
                format!("e.yaml:1:3: error[NP103]: {entry}, not a string"),
                format!("e.yaml:2:3: error[NP103]: {entry}, not nothing"),
                "e.yaml:4:9: error[NP107]: `from` belongs to the long form: write `allow: \"a -> b : 8080/TCP\"` alone, or `from:`/`to:`/`port:`/`allowed:`".to_string(),
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
