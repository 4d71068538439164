//! A playground workspace (pasted manifests, pods drawn on the diagram, arrows, generator
//! options) and the one function that evaluates it. The web app and the lesson checker
//! both call [`evaluate`], so a lesson is judged exactly as the page shows it.

use crate::cidr::Cidr;
use crate::diag::Diagnostic;
use crate::endpoint::{all_endpoints, Endpoint};
use crate::generate::{self, GenerateError, Generated, Intent, Options};
use crate::lint::{self, LintOptions};
use crate::load::{load, Loaded, Source};
use crate::model::{Cluster, EndpointKind, Labels, Namespace, Pod};

/// Source name of the pasted manifests in diagnostics.
pub const MANIFESTS: &str = "manifests";
/// Source name of the generated policies.
pub const GENERATED: &str = "generated";

/// A namespace added on the diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DrawnNamespace {
    /// Name.
    pub name: String,
    /// Labels (the automatic name label is added anyway).
    pub labels: Labels,
}

/// A pod added on the diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DrawnPod {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Labels.
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
    /// Generator options.
    pub options: Options,
    /// The user says the project uses Kustomize `commonLabels`.
    pub kustomize: bool,
}

/// The result of evaluating a workspace.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The manifests plus drawn objects, with the loader's diagnostics.
    pub loaded: Loaded,
    /// Linter findings on the manifests.
    pub lints: Vec<Diagnostic>,
    /// Policies generated from the arrows.
    pub generated: Result<Generated, GenerateError>,
    /// Manifests + drawn objects + generated policies: what verdicts are computed on.
    pub effective: Cluster,
    /// Pods, then externals, in the order the diagram lists them.
    pub endpoints: Vec<Endpoint>,
    /// External entries that are not addresses (`ip:nope`).
    pub bad_externals: Vec<String>,
}

impl Evaluation {
    /// Loader diagnostics followed by lints.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.loaded.diagnostics.iter().chain(self.lints.iter())
    }
}

/// Evaluates a workspace: load, add drawn objects, lint, generate, combine.
pub fn evaluate(ws: &Workspace) -> Evaluation {
    let mut loaded = load(&[Source {
        name: MANIFESTS,
        text: &ws.manifests,
    }]);
    add_drawn(&mut loaded.cluster, ws);
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
        if !g.yaml.is_empty() {
            let extra = load(&[Source {
                name: GENERATED,
                text: &g.yaml,
            }]);
            effective.policies.extend(extra.cluster.policies);
            effective
                .cluster_policies
                .extend(extra.cluster.cluster_policies);
            effective.complete_namespaces();
        }
    }
    let mut externals = Vec::new();
    let mut bad_externals = Vec::new();
    for e in &ws.externals {
        let addr = e.strip_prefix("ip:").unwrap_or(e);
        match Cidr::parse(addr, true) {
            Ok(c) if !externals.contains(&c.network()) => externals.push(c.network()),
            Ok(_) => {}
            Err(_) => bad_externals.push(e.clone()),
        }
    }
    let endpoints = all_endpoints(&effective, &externals);
    Evaluation {
        loaded,
        lints,
        generated,
        effective,
        endpoints,
        bad_externals,
    }
}

/// Drawn namespaces and pods join the cluster unless a manifest already declares them
/// (the text wins: it is what would be applied).
fn add_drawn(cluster: &mut Cluster, ws: &Workspace) {
    for ns in &ws.namespaces {
        if cluster.namespace(&ns.name).is_none() {
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
        if cluster.pod(&id).is_none() {
            cluster.pods.push(Pod {
                namespace: p.namespace.clone(),
                name: p.name.clone(),
                kind: EndpointKind::Pod,
                labels: p.labels.clone(),
                ports: Vec::new(),
                ips: Vec::new(),
                origin: None,
            });
        }
    }
    cluster.complete_namespaces();
}
