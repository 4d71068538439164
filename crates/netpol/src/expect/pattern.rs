//! Endpoint patterns of expectations: one pod, a whole namespace, the pods a label
//! selector picks, every pod, or an address outside the cluster.
//!
//! | pattern                        | stands for                                          |
//! |--------------------------------|-----------------------------------------------------|
//! | `team-one/pod-1`               | that pod or workload                                |
//! | `team-one/*`                   | every pod and workload of the namespace             |
//! | `team-one/app=web`             | the pods of the namespace whose labels match        |
//! | `*/app=web`                    | the pods of every namespace whose labels match      |
//! | `*/*` or `*`                   | every pod and workload of the cluster               |
//! | `ip:8.8.8.8`, `ip:10.0.0.0/8`  | an address or range outside the cluster             |
//!
//! Selectors use kubectl's `-l` syntax: `key=value` (or `==`), `key!=value`,
//! `key in (a, b)`, `key notin (a, b)`, `!key`, and `key` (has the label) after another
//! term; terms are joined by commas and all must hold. The part after `/` is a selector
//! when it has `=`, `!` or an `in`/`notin` term; otherwise it is a name (names cannot
//! hold those characters), so `ns/app` is the pod `app`, not "pods with an app label".

use crate::cidr::Cidr;
use crate::endpoint::Endpoint;
use crate::model::{Cluster, Pod};
use crate::selector::{Operator, Requirement, Selector};
use crate::syntax::{self, EndpointRef};

/// The scan [`Pattern::resolve_among`] leaves to its caller: the namespace a pattern is
/// limited to, the test a pod must pass, and back the endpoints that pass.
pub(super) type PodScan<'a> = dyn FnMut(Option<&str>, &dyn Fn(&Pod) -> bool) -> Vec<Endpoint> + 'a;

/// Which endpoints one end of an expectation stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// `namespace/name`: one pod or workload.
    Pod(String),
    /// `namespace/*`: every pod and workload of a namespace.
    Namespace(String),
    /// `namespace/SELECTOR` or `*/SELECTOR`: pods whose labels match.
    Labels {
        /// The namespace, or `None` for every namespace (`*/...`).
        namespace: Option<String>,
        /// Label selector in `kubectl -l` syntax (`app=web,tier in (a,b)`).
        selector: Selector,
    },
    /// `*/*` or `*`: every pod and workload.
    Everything,
    /// `ip:ADDR[/PREFIX]`: outside the cluster.
    External(Cidr),
}

impl Pattern {
    /// Parses a pattern; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let text = text.trim();
        if text.starts_with("ip:") {
            return match syntax::endpoint(text) {
                Ok(EndpointRef::External(c)) => Ok(Pattern::External(c)),
                Ok(EndpointRef::Pod { .. }) => Err(format!("`{text}` is not an address")),
                Err(e) => Err(format!("endpoint `{text}`: {e}")),
            };
        }
        if text == "*" || text == "*/*" {
            return Ok(Pattern::Everything);
        }
        let Some((namespace, rest)) = text.split_once('/') else {
            return Err(format!(
                "`{text}` is not an endpoint: write `namespace/name`, `namespace/*`, `namespace/app=web`, `*/*` or `ip:8.8.8.8`"
            ));
        };
        let (namespace, rest) = (namespace.trim(), rest.trim());
        let any_namespace = namespace == "*";
        if !any_namespace {
            check_name(namespace, "Namespace", text)?;
        }
        if rest == "*" {
            return Ok(Pattern::Namespace(namespace.to_string()));
        }
        if is_selector(rest) {
            return Ok(Pattern::Labels {
                namespace: (!any_namespace).then(|| namespace.to_string()),
                selector: parse_selector(rest)?,
            });
        }
        if any_namespace {
            return Err(format!(
                "`{text}`: a pod name needs its namespace (`namespace/{rest}`); for every pod with a label, write `*/app={rest}`"
            ));
        }
        syntax::endpoint(text)?;
        Ok(Pattern::Pod(text.to_string()))
    }

    /// True when the pattern stands for exactly one endpoint by name.
    pub fn is_single(&self) -> bool {
        matches!(self, Pattern::Pod(_) | Pattern::External(_))
    }

    /// The endpoints the pattern stands for in `cluster`, in cluster order. A pattern that
    /// stands for nothing is an error: in a CI gate it is a typo, not a pass.
    pub fn resolve(&self, cluster: &Cluster) -> Result<Vec<Endpoint>, String> {
        self.resolve_among(cluster, &mut |_, keep| {
            cluster
                .pods
                .iter()
                .enumerate()
                .filter(|(_, p)| keep(p))
                .map(|(i, _)| Endpoint::Pod(i))
                .collect()
        })
    }

    /// [`Pattern::resolve`] with the scan of the pods left to `pods`: given the namespace
    /// the pattern is limited to (`None`: every namespace) and the test a pod must pass, it
    /// returns the endpoints that pass, in cluster order. `expect`'s class path answers it
    /// per class of pods, so that a label pattern costs classes, not pods; the checks and
    /// the messages stay this function's.
    pub(super) fn resolve_among(
        &self,
        cluster: &Cluster,
        pods: &mut PodScan<'_>,
    ) -> Result<Vec<Endpoint>, String> {
        let found = match self {
            Pattern::Pod(id) => {
                return Endpoint::parse(cluster, id)
                    .map(|e| vec![e])
                    .map_err(|e| e.to_string())
            }
            Pattern::External(c) => return Ok(vec![Endpoint::External(*c)]),
            Pattern::Everything => pods(None, &|_| true),
            Pattern::Namespace(ns) => {
                known_namespace(cluster, ns)?;
                pods(Some(ns), &|p| &p.namespace == ns)
            }
            Pattern::Labels {
                namespace,
                selector,
            } => {
                if let Some(ns) = namespace {
                    known_namespace(cluster, ns)?;
                }
                pods(namespace.as_deref(), &|p| {
                    namespace.as_ref().is_none_or(|ns| &p.namespace == ns)
                        && selector.matches(&p.labels)
                })
            }
        };
        if found.is_empty() {
            return Err(match self {
                Pattern::Namespace(ns) => format!("namespace `{ns}` has no pods or workloads"),
                Pattern::Labels {
                    namespace,
                    selector,
                } => format!(
                    "no pod or workload {} has labels {}",
                    namespace
                        .as_ref()
                        .map(|ns| format!("in `{ns}`"))
                        .unwrap_or_else(|| "in any namespace".to_string()),
                    selector_text(selector)
                ),
                _ => "the manifests have no pods or workloads".to_string(),
            });
        }
        Ok(found)
    }
}

fn known_namespace(cluster: &Cluster, ns: &str) -> Result<(), String> {
    if cluster.namespace(ns).is_some() {
        return Ok(());
    }
    let hint = crate::suggest::closest(ns, cluster.namespaces.iter().map(|n| n.name.as_str()))
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    Err(format!("no namespace `{ns}` in the manifests{hint}"))
}

/// A namespace or pod name as the API server accepts it ([`crate::names`]); anything else
/// (spaces, selector characters) is a mistake worth naming.
fn check_name(name: &str, kind: &str, text: &str) -> Result<(), String> {
    crate::names::check_object_name(kind, name)
        .map_err(|e| format!("`{text}` is not an endpoint: {e}"))
}

fn is_selector(text: &str) -> bool {
    text.contains(['=', '!', '(']) || split_terms(text).iter().any(|t| set_term(t).is_some())
}

/// Terms separated by commas outside parentheses.
fn split_terms(text: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(text.get(start..i).unwrap_or("").trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(text.get(start..).unwrap_or("").trim());
    terms
}

/// `key in (a, b)` / `key notin (a, b)` → (key, operator, values).
fn set_term(term: &str) -> Option<(&str, Operator, Vec<&str>)> {
    let (key, rest) = term.split_once(char::is_whitespace)?;
    let rest = rest.trim_start();
    let (operator, list) = if let Some(l) = rest.strip_prefix("notin") {
        (Operator::NotIn, l)
    } else if let Some(l) = rest.strip_prefix("in") {
        (Operator::In, l)
    } else {
        return None;
    };
    let inner = list.trim().strip_prefix('(')?.strip_suffix(')')?;
    let values: Vec<&str> = inner.split(',').map(str::trim).collect();
    Some((key, operator, values))
}

fn parse_selector(text: &str) -> Result<Selector, String> {
    let mut selector = Selector::default();
    for term in split_terms(text) {
        let bad = |why: &str| format!("`{term}` in the selector `{text}`: {why}");
        if term.is_empty() {
            return Err(bad("an empty term (a stray comma?)"));
        }
        let (key, operator, values): (&str, Operator, Vec<&str>) = if let Some(t) = set_term(term) {
            t
        } else if let Some(key) = term.strip_prefix('!') {
            (key, Operator::DoesNotExist, Vec::new())
        } else if let Some((k, v)) = term.split_once("!=") {
            (k, Operator::NotIn, vec![v])
        } else if let Some((k, v)) = term.split_once('=') {
            let v = v.strip_prefix('=').unwrap_or(v);
            let (k, v) = (k.trim(), v.trim());
            check_label(k, &[v]).map_err(|e| bad(&e))?;
            selector.match_labels.insert(k.to_string(), v.to_string());
            continue;
        } else {
            (term, Operator::Exists, Vec::new())
        };
        let key = key.trim();
        let values: Vec<&str> = values.into_iter().map(str::trim).collect();
        check_label(key, &values).map_err(|e| bad(&e))?;
        if matches!(operator, Operator::In | Operator::NotIn) && values.iter().any(|v| v.is_empty())
        {
            return Err(bad("an empty value in the list"));
        }
        selector.match_expressions.push(Requirement {
            key: key.to_string(),
            operator,
            values: values.into_iter().map(String::from).collect(),
        });
    }
    Ok(selector)
}

/// Label keys (`app`, `app.kubernetes.io/name`) and values (`web`, empty) as the API
/// allows them ([`crate::names`]).
fn check_label(key: &str, values: &[&str]) -> Result<(), String> {
    crate::names::check_label_key(key)?;
    match values
        .iter()
        .find_map(|v| crate::names::label_problem(key, v))
    {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// `app=web, tier in (a, b)` for messages.
fn selector_text(selector: &Selector) -> String {
    let mut terms: Vec<String> = selector
        .match_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for r in &selector.match_expressions {
        terms.push(match r.operator {
            Operator::In => format!("{} in ({})", r.key, r.values.join(", ")),
            Operator::NotIn => format!("{} notin ({})", r.key, r.values.join(", ")),
            Operator::Exists => r.key.clone(),
            Operator::DoesNotExist => format!("!{}", r.key),
        });
    }
    format!("`{}`", terms.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Pattern {
        Pattern::parse(text).unwrap_or_else(|e| unreachable!("{text}: {e}"))
    }

    #[test]
    fn reads_every_form() {
        assert_eq!(ok("x/a"), Pattern::Pod("x/a".into()));
        assert_eq!(ok(" x/* "), Pattern::Namespace("x".into()));
        assert_eq!(ok("*/*"), Pattern::Everything);
        assert_eq!(ok("*"), Pattern::Everything);
        assert!(matches!(ok("ip:10.0.0.0/8"), Pattern::External(_)));
        let Pattern::Labels {
            namespace,
            selector,
        } = ok("*/app=web,tier in (a, b), !legacy, canary, env!=prod, x==y")
        else {
            unreachable!()
        };
        assert_eq!(namespace, None);
        assert_eq!(
            selector_text(&selector),
            "`app=web, x=y, tier in (a, b), !legacy, canary, env notin (prod)`"
        );
        assert!(matches!(
            ok("team-one/app.kubernetes.io/name=api"),
            Pattern::Labels { namespace: Some(ns), .. } if ns == "team-one"
        ));
    }

    #[test]
    fn names_what_is_wrong() {
        for (text, wanted) in [
            ("pod-1", "is not an endpoint"),
            ("*/pod-1", "needs its namespace"),
            ("x y/a", "`x y` is not a valid Namespace name"),
            ("x/a,b", "`a,b` is not a valid Pod name"),
            ("X/a", "`X` is not a valid Namespace name"),
            ("x/app=", ""),
            ("x/app=web,", "an empty term"),
            ("x/=web", "`` is not a valid label key"),
            ("x/app=w b", "label value `w b` (for `app`) must be"),
            ("x/tier in (a,)", "an empty value"),
            ("ip:10.0.0.1/8", "bits set after the /8 prefix"),
        ] {
            match Pattern::parse(text) {
                Ok(p) => assert!(wanted.is_empty(), "{text} parsed as {p:?}"),
                Err(e) => assert!(!wanted.is_empty() && e.contains(wanted), "{text}: {e}"),
            }
        }
    }
}
