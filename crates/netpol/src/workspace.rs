//! A playground workspace (pasted manifests, pods drawn on the diagram, arrows, generator
//! options) and the one function that evaluates it. The web app and the lesson checker
//! both call [`evaluate`], so a lesson is judged exactly as the page shows it.
//!
//! A workspace serialises (serde) to the JSON the playground saves a workspace in and share
//! links carry (the web app's `SideDto`): `netpol lesson show -o json` prints a lesson's
//! workspaces this way, so a tool loads them into the app as they are.

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, INVALID_VALUE};
use crate::endpoint::{all_endpoints, Endpoint};
use crate::generate::{self, GenerateError, Generated, Intent, Options};
use crate::lint::{self, LintOptions};
use crate::load::{load_cached, LoadCache, Loaded, Source};
use crate::model::{Cluster, EndpointKind, Labels, Namespace, Origin, Pod};
use crate::names::{check_object_name, label_problem};

/// Source name of the pasted manifests in diagnostics.
pub const MANIFESTS: &str = "manifests";
/// Source name of the generated policies.
pub const GENERATED: &str = "generated";
/// Source name of the namespaces and pods drawn on the diagram (their diagnostics have no
/// line: line and column are 0).
pub const DIAGRAM: &str = "diagram";

/// A namespace added on the diagram. JSON: `{"name": .., "labels": {..}}`; a lesson file
/// writes it the same way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DrawnNamespace {
    /// Its name, a DNS label; invalid names are reported and the namespace left out.
    pub name: String,
    /// Labels (the automatic name label is added anyway).
    #[serde(default)]
    pub labels: Labels,
}

/// A pod added on the diagram (no container ports: manifests give named ports). JSON:
/// `{"namespace": .., "name": .., "labels": {..}}`; a lesson file writes it the same way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DrawnPod {
    /// The namespace it is drawn in; created implicitly when nothing declares it.
    pub namespace: String,
    /// Its name (a DNS subdomain); a manifest pod with the same id takes precedence.
    pub name: String,
    /// Its labels, validated like a manifest's (a rejected label leaves the pod out).
    #[serde(default)]
    pub labels: Labels,
}

/// Everything the user has made.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Workspace {
    /// The editor's text (multi-document YAML).
    pub manifests: String,
    /// Namespaces drawn on the diagram.
    pub namespaces: Vec<DrawnNamespace>,
    /// Pods drawn on the diagram.
    pub pods: Vec<DrawnPod>,
    /// External endpoints shown on the diagram (`ip:0.0.0.0/0`, `ip:8.8.8.8`).
    pub externals: Vec<String>,
    /// Drawn arrows: the intents the generator turns into policies.
    pub arrows: Vec<Intent>,
    /// How the arrows become policies: selector style, identity label, baseline, DNS.
    pub options: Options,
    /// The user says the project uses Kustomize `commonLabels`.
    pub kustomize: bool,
}

impl Serialize for Workspace {
    /// The playground's saved workspace: `{"manifests": "..", "namespaces": [..], "pods":
    /// [..], "externals": ["ip:8.8.8.8"], "arrows": ["ns/a -> ns/b:8080/TCP"], "options":
    /// {"baseline": "none", "selector": "labels", "identity_label": "app",
    /// "namespace_label": "team", "dns": false}, "kustomize": false}`. Every field is
    /// written (the lists even when empty) except the two labels of `options`, left out when
    /// automatic, as the app writes them. Arrows are in [`crate::generate::parse_intent`]'s
    /// syntax; baseline and selector are [`crate::generate::Baseline::name`] and
    /// [`crate::generate::SelectorStyle::name`], as the CLI's `--baseline` and `--selector`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct OptionsJson<'a> {
            baseline: &'static str,
            selector: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            identity_label: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            namespace_label: Option<&'a str>,
            dns: bool,
        }
        #[derive(Serialize)]
        struct WorkspaceJson<'a> {
            manifests: &'a str,
            namespaces: &'a [DrawnNamespace],
            pods: &'a [DrawnPod],
            externals: &'a [String],
            arrows: Vec<String>,
            options: OptionsJson<'a>,
            kustomize: bool,
        }
        let o = &self.options;
        WorkspaceJson {
            manifests: &self.manifests,
            namespaces: &self.namespaces,
            pods: &self.pods,
            externals: &self.externals,
            arrows: self.arrows.iter().map(ToString::to_string).collect(),
            options: OptionsJson {
                baseline: o.baseline.name(),
                selector: o.selector.name(),
                identity_label: o.identity_label.as_deref(),
                namespace_label: o.namespace_label.as_deref(),
                dns: o.dns,
            },
            kustomize: self.kustomize,
        }
        .serialize(s)
    }
}

/// The result of evaluating a workspace.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The manifests plus drawn objects, with the loader's diagnostics.
    pub loaded: Loaded,
    /// Linter findings on the manifests.
    pub lints: Vec<Diagnostic>,
    /// Drawn namespaces and pods the API server would reject (left out, like a rejected
    /// manifest), and anything the loader said about the generated policies (nothing,
    /// unless the generator has a bug: reported rather than lost).
    pub workspace_diagnostics: Vec<Diagnostic>,
    /// Policies generated from the arrows.
    pub generated: Result<Generated, GenerateError>,
    /// Manifests + drawn objects + generated policies: what verdicts are computed on.
    pub effective: Cluster,
    /// Pods, then externals, in the order the diagram lists them.
    pub endpoints: Vec<Endpoint>,
    /// External entries [`crate::syntax::address`] refuses (`ip:nope`, `10.1.2.3/8`).
    pub bad_externals: Vec<String>,
}

impl Evaluation {
    /// Loader diagnostics, then lints, then the workspace's own.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.loaded
            .diagnostics
            .iter()
            .chain(self.lints.iter())
            .chain(self.workspace_diagnostics.iter())
    }
}

/// Evaluates a workspace: load, add drawn objects, lint, generate, combine.
pub fn evaluate(ws: &Workspace) -> Evaluation {
    Evaluator::default().evaluate(ws)
}

/// Evaluates one workspace after another (the playground: one per keystroke), reading
/// again only the documents whose text changed since the last evaluation, of the manifests
/// and of the generated policies alike. The result is exactly [`evaluate`]'s.
#[derive(Clone, Debug, Default)]
pub struct Evaluator {
    manifests: LoadCache,
    generated: LoadCache,
}

impl Evaluator {
    /// [`evaluate`], with what the last evaluation read reused.
    pub fn evaluate(&mut self, ws: &Workspace) -> Evaluation {
        evaluate_with(ws, &mut self.manifests, &mut self.generated)
    }
}

fn evaluate_with(
    ws: &Workspace,
    manifests: &mut LoadCache,
    generated_cache: &mut LoadCache,
) -> Evaluation {
    let mut loaded = load_cached(
        &[Source {
            name: MANIFESTS,
            text: &ws.manifests,
        }],
        manifests,
    );
    let mut workspace_diagnostics = add_drawn(&mut loaded.cluster, ws);
    let lints = lint::lint(
        &loaded,
        &LintOptions {
            kustomize_common_labels: ws.kustomize || loaded.cluster.kustomize_common_labels,
        },
    );
    let generated = if ws.arrows.is_empty() {
        Ok(Generated::default())
    } else {
        generate::generate(&loaded.cluster, &ws.arrows, &ws.options)
    };
    let mut effective = loaded.cluster.clone();
    if let Ok(g) = &generated {
        workspace_diagnostics.extend(add_generated(&mut effective, &g.yaml, generated_cache));
    }
    let mut externals = Vec::new();
    let mut bad_externals = Vec::new();
    for e in &ws.externals {
        match crate::syntax::address(e) {
            Ok(c) if !externals.contains(&c) => externals.push(c),
            Ok(_) => {}
            Err(_) => bad_externals.push(e.clone()),
        }
    }
    let endpoints = all_endpoints(&effective, &externals);
    Evaluation {
        loaded,
        lints,
        workspace_diagnostics,
        generated,
        effective,
        endpoints,
        bad_externals,
    }
}

/// Loads the generated policies into `cluster`, the way they would be applied, and
/// returns what the loader said about them.
fn add_generated(cluster: &mut Cluster, yaml: &str, cache: &mut LoadCache) -> Vec<Diagnostic> {
    if yaml.is_empty() {
        return Vec::new();
    }
    let extra = load_cached(
        &[Source {
            name: GENERATED,
            text: yaml,
        }],
        cache,
    );
    cluster.policies.extend(extra.cluster.policies);
    // The `cluster-baseline` option writes a ClusterNetworkPolicy.
    cluster
        .cluster_policies
        .extend(extra.cluster.cluster_policies);
    cluster.complete_namespaces();
    extra.diagnostics
}

/// Drawn namespaces and pods join the cluster unless a manifest already declares them
/// (the text wins: it is what would be applied). One the API server would reject is left
/// out with an error, as a rejected manifest is.
fn add_drawn(cluster: &mut Cluster, ws: &Workspace) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for ns in &ws.namespaces {
        if let Some(problem) = drawn_problem(None, &ns.name, &ns.labels) {
            problems.push(drawn_diagnostic("namespace", &ns.name, problem));
        } else if cluster.namespace(&ns.name).is_none() {
            let mut n = Namespace::implicit(&ns.name);
            n.declared = true;
            n.labels.extend(ns.labels.clone());
            n.labels.insert(
                crate::model::NAMESPACE_NAME_LABEL.to_string(),
                ns.name.clone(),
            );
            cluster.namespaces.push(n);
        }
    }
    for p in &ws.pods {
        let id = format!("{}/{}", p.namespace, p.name);
        if let Some(problem) = drawn_problem(Some(&p.namespace), &p.name, &p.labels) {
            problems.push(drawn_diagnostic("pod", &id, problem));
        } else if cluster.pod(&id).is_none() {
            cluster.pods.push(Pod {
                namespace: p.namespace.clone(),
                name: p.name.clone(),
                kind: EndpointKind::Pod,
                labels: p.labels.clone(),
                ports: Vec::new(),
                ips: Vec::new(),
                host_network: false,
                origin: None,
            });
        }
    }
    cluster.complete_namespaces();
    problems
}

/// What the API server would say about a drawn pod (with its namespace) or namespace.
fn drawn_problem(namespace: Option<&str>, name: &str, labels: &Labels) -> Option<String> {
    let names = match namespace {
        Some(ns) => {
            check_object_name("Namespace", ns).and_then(|()| check_object_name("Pod", name))
        }
        None => check_object_name("Namespace", name),
    };
    names
        .err()
        .or_else(|| labels.iter().find_map(|(k, v)| label_problem(k, v)))
}

fn drawn_diagnostic(what: &str, id: &str, problem: String) -> Diagnostic {
    let at = Origin {
        source: DIAGRAM.to_string(),
        start: 0,
        end: 0,
        line: 0,
        column: 0,
    };
    INVALID_VALUE
        .at(&at, format!("drawn {what} `{id}` is left out: {problem}"))
        .with_help(format!(
            "the API server would reject this {what}; remove it from the diagram and add it again"
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_loader_says_about_generated_policies_is_returned() {
        // The generator writes valid policies; should one ever not be, the loader's
        // diagnostic must reach the user instead of the policy vanishing.
        let yaml = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ok, namespace: x}\nspec: {podSelector: {}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: Not_OK, namespace: x}\nspec: {podSelector: {}}\n";
        let mut cluster = Cluster::default();
        let diagnostics = add_generated(&mut cluster, yaml, &mut LoadCache::default());
        assert_eq!(cluster.policies.len(), 1);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].source, GENERATED);
        assert!(
            diagnostics[0].message.contains("`Not_OK`"),
            "{}",
            diagnostics[0]
        );
        assert!(cluster.namespace("x").is_some());
        assert!(add_generated(&mut cluster, "", &mut LoadCache::default()).is_empty());
    }
}
