//! Turns the workspace part of a lesson file, once read, into the playground's
//! [`Workspace`]: arrows in the intent syntax and generator options by name. Knows no YAML.

use crate::generate::{parse_intent, Baseline, SelectorStyle};
use crate::workspace::{DrawnNamespace, DrawnPod, Workspace};

/// A solution's own value, else the start's.
pub(super) fn pick<T: Clone>(own: &Option<T>, base: Option<&Option<T>>) -> Option<T> {
    own.clone().or_else(|| base.and_then(Option::clone))
}

/// Joins YAML texts into one multi-document text, one `---` between non-empty parts.
pub(super) fn join_documents(parts: &[String]) -> String {
    let mut out = String::new();
    for part in parts.iter().filter(|p| !p.trim().is_empty()) {
        if !out.is_empty() {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("---\n");
        }
        out.push_str(part);
    }
    out
}

/// Everything a workspace is made of, as plain data from the lesson file.
pub(super) struct WorkspaceParts {
    pub(super) manifests: String,
    pub(super) namespaces: Vec<DrawnNamespace>,
    pub(super) pods: Vec<DrawnPod>,
    pub(super) externals: Vec<String>,
    pub(super) arrows: Vec<String>,
    pub(super) options: Vec<(String, String)>,
}

/// Generator options a lesson may set, with the values each takes.
const OPTIONS: &[&str] = &[
    "selector",
    "identity_label",
    "namespace_label",
    "baseline",
    "dns",
    "kustomize",
];

/// Builds the playground's workspace; problems are `(field path, message)` with the path
/// relative to the workspace (`arrows[1]`).
pub(super) fn to_workspace(parts: WorkspaceParts) -> Result<Workspace, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let mut ws = Workspace {
        manifests: parts.manifests,
        namespaces: parts.namespaces,
        pods: parts.pods,
        externals: parts.externals,
        ..Workspace::default()
    };
    for (i, arrow) in parts.arrows.iter().enumerate() {
        match parse_intent(arrow) {
            Ok(intent) => ws.arrows.push(intent),
            Err(e) => problems.push((format!("arrows[{i}]"), e)),
        }
    }
    for (key, value) in &parts.options {
        let path = format!("options.{key}");
        let bad = |allowed: &str| format!("option `{key}`: `{value}` is not one of {allowed}");
        match key.as_str() {
            "selector" => match value.as_str() {
                "matchLabels" => ws.options.selector = SelectorStyle::Labels,
                "matchExpressions" => ws.options.selector = SelectorStyle::Expressions,
                _ => problems.push((path, bad("matchLabels, matchExpressions"))),
            },
            "identity_label" => ws.options.identity_label = Some(value.clone()),
            "namespace_label" => ws.options.namespace_label = Some(value.clone()),
            "baseline" => match value.as_str() {
                "none" => ws.options.baseline = Baseline::None,
                "deny-all" => ws.options.baseline = Baseline::DenyAll,
                "docs-default" => ws.options.baseline = Baseline::DocsDefault,
                _ => problems.push((path, bad("none, deny-all, docs-default"))),
            },
            "dns" | "kustomize" => {
                let flag = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        problems.push((path, bad("true, false")));
                        continue;
                    }
                };
                if key == "dns" {
                    ws.options.dns = flag;
                } else {
                    ws.kustomize = flag;
                }
            }
            other => {
                let help = crate::suggest::closest(other, OPTIONS.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_else(|| format!(" (known: {})", OPTIONS.join(", ")));
                problems.push((path, format!("unknown option `{other}`{help}")));
            }
        }
    }
    if problems.is_empty() {
        Ok(ws)
    } else {
        Err(problems)
    }
}
