//! Label selectors (`matchLabels` + `matchExpressions`) as typed values.
//!
//! Converted once at load time, so evaluation never string-matches operators. The empty
//! selector selects everything: that rule is at the heart of NetworkPolicy semantics.

use std::fmt;

use crate::diag::{self, Problem};
use crate::model::Labels;

/// A `matchExpressions` operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// Label present with one of the values.
    In,
    /// Label absent, or present with none of the values.
    NotIn,
    /// Label present, whatever its value (`values` must be empty).
    Exists,
    /// Label absent (`values` must be empty).
    DoesNotExist,
}

impl Operator {
    /// Parses the API spelling (`In`, `NotIn`, `Exists`, `DoesNotExist`).
    pub fn parse(s: &str) -> Option<Operator> {
        match s {
            "In" => Some(Operator::In),
            "NotIn" => Some(Operator::NotIn),
            "Exists" => Some(Operator::Exists),
            "DoesNotExist" => Some(Operator::DoesNotExist),
            _ => None,
        }
    }

    /// The API spelling, which [`Operator::parse`] reads back.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
        }
    }
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Requirement {
    /// Label key, already validated (`app`, `app.kubernetes.io/name`).
    pub key: String,
    /// How `values` are compared with the label's value.
    pub operator: Operator,
    /// Values (empty for Exists/DoesNotExist).
    pub values: Vec<String>,
}

impl Requirement {
    /// Whether `labels` satisfy this requirement.
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        match self.operator {
            Operator::In => value.is_some_and(|v| self.values.contains(v)),
            Operator::NotIn => value.is_none_or(|v| !self.values.contains(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }
}

/// Why a selector did not match some labels: the first failing term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// Label key of the failing term.
    pub key: String,
    /// What the selector wanted (`app=pod-2`, `tier in (web, api)`).
    pub wanted: String,
    /// What the object has (`app=pod-1`, or `no label app`).
    pub found: String,
}

/// A label selector. `matchLabels` and `matchExpressions` are ANDed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Selector {
    /// `matchLabels`: each key must be present with exactly this value.
    pub match_labels: Labels,
    /// `matchExpressions`, all of which must hold.
    pub match_expressions: Vec<Requirement>,
}

impl Selector {
    /// The empty selector (selects everything).
    pub fn everything() -> Self {
        Selector::default()
    }

    /// A selector with only `matchLabels`.
    pub fn labels<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Selector {
            match_labels: pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            match_expressions: Vec::new(),
        }
    }

    /// True for `{}`: it selects every object.
    pub fn selects_all(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Whether `labels` satisfy the selector.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| r.matches(labels))
    }

    /// The first term that `labels` fail, for explanations.
    pub fn mismatch(&self, labels: &Labels) -> Option<Mismatch> {
        for (k, v) in &self.match_labels {
            if labels.get(k) != Some(v) {
                return Some(Mismatch {
                    key: k.clone(),
                    wanted: format!("{k}={v}"),
                    found: found(labels, k),
                });
            }
        }
        self.match_expressions
            .iter()
            .find(|r| !r.matches(labels))
            .map(|r| Mismatch {
                key: r.key.clone(),
                wanted: requirement_text(r),
                found: found(labels, &r.key),
            })
    }
}

/// Converts an API label selector written at `path`, with what the API server rejects in
/// it (invalid label keys or values, unknown operators, values where none belong). Terms
/// with an unknown operator are left out of the returned selector.
pub(crate) fn from_label_selector(
    sel: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
    path: &str,
) -> (Selector, Vec<Problem>) {
    let mut out = Selector::default();
    let mut problems = Vec::new();
    for (k, v) in sel.match_labels.iter().flatten() {
        if let Some(problem) = crate::names::label_problem(k, v) {
            problems.push(
                Problem::new(
                    diag::INVALID_VALUE,
                    format!("{path}.matchLabels.{k}"),
                    problem,
                )
                .at_key(),
            );
        }
        out.match_labels.insert(k.clone(), v.clone());
    }
    for (i, req) in sel.match_expressions.iter().flatten().enumerate() {
        let rpath = format!("{path}.matchExpressions[{i}]");
        let Some(operator) = Operator::parse(&req.operator) else {
            let help =
                crate::suggest::closest(&req.operator, ["In", "NotIn", "Exists", "DoesNotExist"])
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "use `In`, `NotIn`, `Exists` or `DoesNotExist`".to_string());
            problems.push(
                Problem::new(
                    diag::INVALID_VALUE,
                    format!("{rpath}.operator"),
                    format!("unknown operator `{}`", req.operator),
                )
                .help(help),
            );
            continue;
        };
        let values = req.values.clone().unwrap_or_default();
        match operator {
            Operator::In | Operator::NotIn if values.is_empty() => problems.push(Problem::new(
                diag::INVALID_VALUE,
                rpath.clone(),
                format!("operator `{}` needs at least one value", operator.as_str()),
            )),
            Operator::Exists | Operator::DoesNotExist if !values.is_empty() => problems.push(
                Problem::new(
                    diag::INVALID_VALUE,
                    format!("{rpath}.values"),
                    format!("operator `{}` takes no values", operator.as_str()),
                )
                .at_key(),
            ),
            _ => {}
        }
        out.match_expressions.push(Requirement {
            key: req.key.clone(),
            operator,
            values,
        });
    }
    (out, problems)
}

fn found(labels: &Labels, key: &str) -> String {
    match labels.get(key) {
        Some(v) => format!("{key}={v}"),
        None => format!("no label `{key}`"),
    }
}

fn requirement_text(r: &Requirement) -> String {
    match r.operator {
        Operator::In => format!("{} in ({})", r.key, r.values.join(", ")),
        Operator::NotIn => format!("{} notin ({})", r.key, r.values.join(", ")),
        Operator::Exists => r.key.clone(),
        Operator::DoesNotExist => format!("!{}", r.key),
    }
}

impl fmt::Display for Selector {
    /// kubectl's selector syntax (`app=web,tier in (a, b)`), `{}` for everything.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.selects_all() {
            return f.write_str("{}");
        }
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        parts.extend(self.match_expressions.iter().map(requirement_text));
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn empty_selector_selects_everything() {
        assert!(Selector::everything().matches(&labels(&[])));
        assert!(Selector::everything().matches(&labels(&[("a", "b")])));
    }

    #[test]
    fn operators() {
        let l = labels(&[("tier", "web")]);
        let req = |op, vals: &[&str]| Requirement {
            key: "tier".into(),
            operator: op,
            values: vals.iter().map(|s| s.to_string()).collect(),
        };
        assert!(req(Operator::In, &["web", "api"]).matches(&l));
        assert!(!req(Operator::In, &["api"]).matches(&l));
        assert!(!req(Operator::NotIn, &["web"]).matches(&l));
        assert!(req(Operator::NotIn, &["web"]).matches(&labels(&[])));
        assert!(req(Operator::Exists, &[]).matches(&l));
        assert!(req(Operator::DoesNotExist, &[]).matches(&labels(&[])));
        assert!(!req(Operator::DoesNotExist, &[]).matches(&l));
    }

    #[test]
    fn mismatch_names_the_label() {
        let s = Selector::labels([("app", "pod-2")]);
        let m = s.mismatch(&labels(&[("app", "pod-1")])).unwrap();
        assert_eq!(m.wanted, "app=pod-2");
        assert_eq!(m.found, "app=pod-1");
        assert_eq!(s.to_string(), "app=pod-2");
    }
}
