//! The parts of a lesson file about answers other than the solution: `right_answers:`
//! (same behaviour, other text), `accept:` (differences from the solution that are fine),
//! and a learner's answer file for `netpol lesson grade`.

use super::{Reader, WorkspaceSpec};
use crate::diag::{self, Diagnostic};
use crate::expect::Pattern;
use crate::format::{join, AcceptFile, Each, RightAnswerFile, SolutionFile, Source};
use crate::lesson::model::{Accept, Leeway, RightAnswer};
use crate::lesson::Lesson;
use crate::ports::{Connections, PortRanges};
use crate::syntax::{self, Ports};
use crate::workspace::Workspace;

impl Reader<'_, '_> {
    /// The known right answers: each a `patch` to the solution or a whole `workspace`.
    pub(super) fn right_answers(
        &mut self,
        items: &[Each<RightAnswerFile>],
        solution: &Workspace,
        start_spec: &WorkspaceSpec,
    ) -> Vec<RightAnswer> {
        let mut out = Vec::new();
        for item in items {
            let path = self.source.path(*item);
            let Some(answer) = self.decode(*item) else {
                continue;
            };
            let workspace = self.answer_workspace(
                answer.patch.as_deref(),
                answer.workspace,
                &path,
                "right",
                solution,
                start_spec,
            );
            if let Some(workspace) = workspace {
                out.push(RightAnswer {
                    title: answer.title,
                    workspace,
                });
            }
        }
        out
    }

    /// The accepted differences: `{may_deny: "FROM -> TO : PORTS", reason: "..."}`,
    /// `may_allow:` or `may_differ:`, the ports optional (every port of every protocol).
    pub(super) fn accept(&mut self, items: &[Each<AcceptFile>]) -> Vec<Accept> {
        items
            .iter()
            .filter_map(|item| {
                let path = self.source.path(*item);
                let written = self.decode(*item)?;
                self.accepted(written, &path)
            })
            .collect()
    }

    fn accepted(&mut self, written: AcceptFile, path: &str) -> Option<Accept> {
        if written.reason.trim().is_empty() {
            self.report(
                diag::INVALID_VALUE,
                &join(path, "reason"),
                false,
                "say why this difference is acceptable".to_string(),
            );
            return None;
        }
        let given: Vec<(Leeway, &String)> = [
            (Leeway::MayAllow, &written.may_allow),
            (Leeway::MayDeny, &written.may_deny),
            (Leeway::MayDiffer, &written.may_differ),
        ]
        .into_iter()
        .filter_map(|(leeway, text)| Some((leeway, text.as_ref()?)))
        .collect();
        let (leeway, text) = match given.as_slice() {
            [one] => *one,
            none_or_many => {
                let message = if none_or_many.is_empty() {
                    "an accepted difference needs `may_allow:`, `may_deny:` or `may_differ:` with a connection (`*/* -> ns/pod : 53/TCP`)"
                } else {
                    "an accepted difference is one of `may_allow`, `may_deny` and `may_differ`, not several"
                };
                self.report(diag::MISSING_FIELD, path, true, message.to_string());
                return None;
            }
        };
        match parse_accepted(text) {
            Ok((from, to, ports)) => Some(Accept {
                reason: written.reason.clone(),
                leeway,
                from,
                to,
                ports,
                text: text.trim().to_string(),
            }),
            Err(message) => {
                self.report(
                    diag::INVALID_VALUE,
                    &join(path, leeway.key()),
                    false,
                    message,
                );
                None
            }
        }
    }

    /// `flows:`: a flow log for the lesson's start, read against it so that a line the
    /// playground could not replay is an error here, at its line in the lesson file.
    pub(super) fn flows(&mut self, flows: Option<String>, start: &Workspace) -> String {
        let Some(text) = flows else {
            return String::new();
        };
        let cluster = crate::workspace::evaluate(start).effective;
        let observed = crate::observed::read(cluster, "flows", &text);
        for d in &observed.diagnostics {
            self.report(
                diag::INVALID_VALUE,
                "flows",
                false,
                format!("the flow log's line {}: {}", d.line, d.message),
            );
        }
        if observed.connections.is_empty() {
            self.report(
                diag::INVALID_VALUE,
                "flows",
                false,
                "the flow log has no connection".to_string(),
            );
        }
        text
    }
}

/// `FROM -> TO` or `FROM -> TO : PORTS`, where PORTS is `53`, `53/UDP` or `8000-9000/TCP`
/// (TCP when the protocol is left out). The ports follow ` : ` with its spaces, so an IPv6
/// address keeps its colons.
fn parse_accepted(text: &str) -> Result<(Pattern, Pattern, Option<Connections>), String> {
    let normalised = text.trim().replacen('→', "->", 1);
    let (from, rest) = normalised
        .split_once("->")
        .ok_or_else(|| format!("`{text}`: write `from -> to` or `from -> to : 53/TCP`"))?;
    let (to, ports) = match rest.split_once(" : ") {
        Some((to, ports)) => (
            to,
            Some(parse_ports(ports.trim()).map_err(|e| format!("`{text}`: {e}"))?),
        ),
        None => (rest, None),
    };
    let pattern = |side: &str, s: &str| -> Result<Pattern, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err(format!("`{text}`: the {side} is missing"));
        }
        Pattern::parse(s).map_err(|e| format!("`{text}`: {e}"))
    };
    Ok((pattern("sender", from)?, pattern("receiver", to)?, ports))
}

/// `53`, `53/UDP`, `8000-9000/TCP`, `UDP` ([`syntax::port`]); not a port name, which only
/// a pod resolves, and an accepted difference is between workspaces.
fn parse_ports(text: &str) -> Result<Connections, String> {
    let spec = syntax::port(text)?;
    let ranges = match spec.ports {
        Ports::Every => PortRanges::all(),
        Ports::Number(n) => PortRanges::range(n, n),
        Ports::Range(lo, hi) => PortRanges::range(lo, hi),
        Ports::Named(name) => {
            return Err(format!(
                "`{name}` is a port name: write the number or a range, like `8000-9000/TCP`"
            ))
        }
    };
    Ok(Connections::of(spec.protocol, ranges))
}

/// Reads a learner's answer for `lesson`: a workspace file in the shape of a lesson's
/// `solution:` (`manifests`, `add_manifests`, `arrows`, ...; what it leaves out is the
/// start's), or plain manifests (the editor's text, with the start's drawn objects and
/// arrows). Every problem is reported with its line and column.
pub fn parse_answer(name: &str, text: &str, lesson: &Lesson) -> Result<Workspace, Vec<Diagnostic>> {
    if is_manifests(text) {
        return Ok(Workspace {
            manifests: text.to_string(),
            ..lesson.start.clone()
        });
    }
    let source = Source::open(name, text, "answer")?;
    let file: SolutionFile = source.root()?;
    let mut r = Reader::new(&source);
    let spec = r.spec(file, "");
    let ws = on_start(&mut r, &spec, &lesson.start);
    match ws {
        Some(ws) if r.diagnostics.is_empty() => Ok(ws),
        _ => Err(r.diagnostics),
    }
}

/// True when `text` is Kubernetes manifests rather than a workspace file: several YAML
/// documents, or one with `apiVersion` or `kind`.
fn is_manifests(text: &str) -> bool {
    if crate::yaml::split_documents(text).len() > 1 {
        return true;
    }
    Source::open("answer", text, "answer").is_ok_and(|s| s.root_has_key(&["apiVersion", "kind"]))
}

/// An answer's workspace, with what it leaves out taken from the lesson's start.
fn on_start(r: &mut Reader<'_, '_>, spec: &WorkspaceSpec, start: &Workspace) -> Option<Workspace> {
    let mut ws = r.build(spec, None, "answer")?;
    if spec.manifests.is_none() {
        let extra = spec.add_manifests.clone().unwrap_or_default();
        ws.manifests = crate::lesson::build::join_documents(&[start.manifests.clone(), extra]);
    }
    if spec.namespaces.is_none() {
        ws.namespaces = start.namespaces.clone();
    }
    if spec.pods.is_none() {
        ws.pods = start.pods.clone();
    }
    if spec.externals.is_none() {
        ws.externals = start.externals.clone();
    }
    if spec.arrows.is_none() {
        ws.arrows = start.arrows.clone();
    }
    if spec.options.is_none() {
        ws.options = start.options.clone();
        ws.kustomize = start.kustomize;
    }
    Some(ws)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::Protocol;

    #[test]
    fn reads_accepted_connections_with_and_without_ports() {
        let (from, to, ports) = parse_accepted("*/* -> kube-system/kube-dns : 53/TCP").unwrap();
        assert_eq!(from, Pattern::Everything);
        assert_eq!(to, Pattern::Pod("kube-system/kube-dns".into()));
        let ports = ports.unwrap();
        assert!(ports.allows(53, Protocol::Tcp) && !ports.allows(53, Protocol::Udp));
        let (_, to, ports) = parse_accepted("x/* -> ip:fd00::/8").unwrap();
        assert!(matches!(to, Pattern::External(_)));
        assert_eq!(ports, None);
        let (_, _, ports) = parse_accepted("x/a -> x/b : 8000-9000").unwrap();
        assert!(ports.unwrap().allows(8500, Protocol::Tcp));
    }

    #[test]
    fn refuses_what_it_cannot_read_with_the_reason() {
        assert!(parse_accepted("x/a")
            .unwrap_err()
            .contains("write `from -> to`"));
        assert!(parse_accepted("x/a -> x/b : 9-8")
            .unwrap_err()
            .contains("ends before"));
        assert!(parse_accepted("x/a -> : 53")
            .unwrap_err()
            .contains("receiver is missing"));
        assert!(parse_accepted("x/a -> x/b : 53/ICMP")
            .unwrap_err()
            .contains("`ICMP` is not a protocol"));
    }

    #[test]
    fn tells_manifests_from_a_workspace_file() {
        assert!(is_manifests("apiVersion: v1\nkind: Pod\n"));
        assert!(is_manifests("a: 1\n---\nb: 2\n"));
        assert!(!is_manifests("add_manifests: |\n  apiVersion: v1\n"));
        assert!(!is_manifests("arrows: [\"a/b -> a/c : 80\"]\n"));
    }
}
