//! Loading manifests into a [`Cluster`], with a diagnostic for every problem.
//!
//! Each source is split into documents; each document is parsed on its own (one broken
//! document never hides the others), `kind: List` is unpacked, known kinds are decoded
//! with k8s-openapi's types and validated the way the API server validates them. An object
//! the API server would reject is reported and left out, exactly as `kubectl apply` would
//! leave it out of the cluster; everything else still loads and evaluates.

use std::cell::OnceCell;
use std::collections::HashMap;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::networking::v1 as net;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_yaml::Value;

use crate::cidr::Cidr;
use crate::cnp::api as cnp_api;
use crate::diag::{self, Code, Diagnostic};
use crate::model::{
    Cluster, ContainerPort, Direction, EndpointKind, Labels, Namespace, Node, Origin, Peer, Pod,
    Policy, PolicyPort, PortRef, Rule,
};
use crate::ports::Protocol;
use crate::schema;
use crate::selector::{Operator, Requirement, Selector};
use crate::yaml::{self, LineStarts, SpanIndex};

/// One input: a file name (for diagnostics) and its text.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// Name shown in diagnostics (`pod-1.yaml`, or `manifests` in the app).
    pub name: &'a str,
    /// Multi-document YAML or JSON.
    pub text: &'a str,
}

/// The result of loading: the cluster and what was wrong with the input.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// Everything that loaded.
    pub cluster: Cluster,
    /// Problems, in source order.
    pub diagnostics: Vec<Diagnostic>,
    sources: Vec<SourceText>,
    documents: Vec<DocumentIndex>,
    /// Parallel to `cluster.policies`: where each policy is.
    policy_sites: Vec<Site>,
    /// Parallel to `cluster.cluster_policies`.
    cluster_policy_sites: Vec<Site>,
}

#[derive(Clone, Debug, Default)]
struct SourceText {
    name: String,
    text: String,
    lines: LineStarts,
}

/// A document's place; its span index is built only when a diagnostic needs a position
/// (a second YAML parse on every keystroke would double the loader's cost).
#[derive(Clone, Debug, Default)]
struct DocumentIndex {
    source: usize,
    chunk: yaml::Chunk,
    spans: OnceCell<SpanIndex>,
}

#[derive(Clone, Debug, Default)]
struct Site {
    document: usize,
    /// `items[3]` for an object inside a `kind: List`, else empty.
    prefix: String,
}

impl Loaded {
    /// Where a field of policy `policy_index` is (`spec.ingress[0].from[1]`), falling back
    /// to the nearest parent that exists in the text. Keys are preferred to values, so a
    /// diagnostic points at `podSelector:` rather than at the `{}` after it.
    pub fn locate(&self, policy_index: usize, path: &str) -> Origin {
        let Some(site) = self.policy_sites.get(policy_index) else {
            return Origin::default();
        };
        self.locate_in(site.document, &join_path(&site.prefix, path), true)
    }

    /// Where a field of ClusterNetworkPolicy `index` is, like [`Loaded::locate`].
    pub fn locate_cluster_policy(&self, index: usize, path: &str) -> Origin {
        let Some(site) = self.cluster_policy_sites.get(index) else {
            return Origin::default();
        };
        self.locate_in(site.document, &join_path(&site.prefix, path), true)
    }

    fn locate_in(&self, document: usize, path: &str, prefer_key: bool) -> Origin {
        let Some(doc) = self.documents.get(document) else {
            return Origin::default();
        };
        let Some(source) = self.sources.get(doc.source) else {
            return Origin::default();
        };
        let spans = doc
            .spans
            .get_or_init(|| SpanIndex::build(&source.text, doc.chunk));
        let range = match spans.find(path) {
            Some(span) if prefer_key => span.key.unwrap_or(span.value),
            Some(span) => span.value,
            None => yaml::Range::default(),
        };
        origin_at(
            &source.name,
            &source.text,
            &source.lines,
            range.start,
            range.end,
        )
    }
}

fn origin_at(name: &str, text: &str, lines: &LineStarts, start: usize, end: usize) -> Origin {
    let (line, column) = lines.position(text, start);
    Origin {
        source: name.to_string(),
        start,
        end: end.max(start),
        line,
        column,
    }
}

fn join_path(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}.{path}"),
    }
}

/// Loads every source into one cluster.
pub fn load(sources: &[Source<'_>]) -> Loaded {
    let mut loader = Loader::default();
    for source in sources {
        loader.source(source);
    }
    loader.finish()
}

#[derive(Default)]
struct Loader {
    out: Loaded,
    /// (kind, namespace, name) → index in the kind's list, to find duplicates.
    seen: HashMap<(&'static str, String, String), Origin>,
    /// One endpoint id per pod or workload: `ns/name` must be unique across kinds.
    endpoint_ids: HashMap<String, usize>,
}

/// What the current document is and where it sits.
struct Doc<'a> {
    source_name: &'a str,
    text: &'a str,
    lines: &'a LineStarts,
    document: usize,
    chunk: yaml::Chunk,
    spans: &'a OnceCell<SpanIndex>,
    prefix: String,
}

impl Doc<'_> {
    fn origin(&self, path: &str, prefer_key: bool) -> Origin {
        if path.is_empty() && self.prefix.is_empty() {
            // The whole document: its first line of content, found without building the
            // span index (most objects never need it).
            let start = self.chunk.start
                + yaml::first_content(
                    self.text
                        .get(self.chunk.start..self.chunk.end)
                        .unwrap_or(""),
                );
            let (line, column) = self.lines.position(self.text, start);
            return Origin {
                source: self.source_name.to_string(),
                start,
                end: self.chunk.end.max(start),
                line,
                column,
            };
        }
        let full = join_path(&self.prefix, path);
        let spans = self
            .spans
            .get_or_init(|| SpanIndex::build(self.text, self.chunk));
        let range = match spans.find(&full) {
            Some(span) if prefer_key => span.key.unwrap_or(span.value),
            Some(span) => span.value,
            None => yaml::Range::default(),
        };
        let (line, column) = self.lines.position(self.text, range.start);
        Origin {
            source: self.source_name.to_string(),
            start: range.start,
            end: range.end.max(range.start),
            line,
            column,
        }
    }
}

impl Loader {
    fn source(&mut self, source: &Source<'_>) {
        let source_index = self.out.sources.len();
        let lines = LineStarts::new(source.text);
        for chunk in yaml::split_documents(source.text) {
            let value = match yaml::parse_document(source.text, chunk) {
                Ok(v) => v,
                Err(e) => {
                    let at = origin_at(source.name, source.text, &lines, e.offset, e.offset);
                    self.out
                        .diagnostics
                        .push(diag::YAML_SYNTAX.at(&at, e.message));
                    continue;
                }
            };
            let spans = OnceCell::new();
            let doc = Doc {
                source_name: source.name,
                text: source.text,
                lines: &lines,
                document: self.out.documents.len(),
                chunk,
                spans: &spans,
                prefix: String::new(),
            };
            self.object(&doc, value);
            self.out.documents.push(DocumentIndex {
                source: source_index,
                chunk,
                spans,
            });
        }
        self.out.sources.push(SourceText {
            name: source.name.to_string(),
            text: source.text.to_string(),
            lines,
        });
    }

    fn error(&mut self, code: Code, at: Origin, message: impl Into<String>) -> Reported<'_> {
        self.out.diagnostics.push(code.at(&at, message));
        Reported(&mut self.out.diagnostics)
    }

    fn object(&mut self, doc: &Doc<'_>, value: Value) {
        if value.is_null() {
            return;
        }
        if !value.is_mapping() {
            self.error(
                diag::NOT_AN_OBJECT,
                doc.origin("", false),
                "this document is not a Kubernetes object (expected a mapping with `apiVersion` and `kind`)",
            );
            return;
        }
        let kind = value
            .get("kind")
            .and_then(Value::as_str)
            .map(str::to_string);
        let api_version = value
            .get("apiVersion")
            .and_then(Value::as_str)
            .map(str::to_string);
        let Some(kind) = kind else {
            self.error(diag::NOT_AN_OBJECT, doc.origin("", false), "missing `kind`");
            return;
        };
        if kind == "Kustomization" {
            let common = value
                .get("commonLabels")
                .and_then(Value::as_mapping)
                .is_some_and(|m| !m.is_empty());
            let labels_in_selectors = value
                .get("labels")
                .and_then(Value::as_sequence)
                .is_some_and(|l| {
                    l.iter()
                        .any(|e| e.get("includeSelectors").and_then(Value::as_bool) == Some(true))
                });
            self.out.cluster.kustomize_common_labels |= common || labels_in_selectors;
            return;
        }
        let Some(api_version) = api_version else {
            self.error(
                diag::MISSING_FIELD,
                doc.origin("kind", true),
                format!("missing `apiVersion` for kind `{kind}`"),
            );
            return;
        };
        let expected = match kind.as_str() {
            "List" | "Namespace" | "Pod" => Some("v1"),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => Some("apps/v1"),
            "Job" | "CronJob" => Some("batch/v1"),
            "NetworkPolicy" => Some("networking.k8s.io/v1"),
            "ClusterNetworkPolicy" => Some(crate::cnp::API_VERSION),
            "Node" => Some("v1"),
            "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" => {
                self.frozen_kind(doc, &kind);
                return;
            }
            _ => None,
        };
        let Some(expected) = expected else {
            self.error(
                diag::SKIPPED_KIND,
                doc.origin("kind", false),
                format!("skipped `{kind}`: NetworkPolicy evaluation does not use this kind"),
            );
            return;
        };
        if api_version != expected {
            self.error(
                diag::UNSUPPORTED_VERSION,
                doc.origin("apiVersion", false),
                format!("`{kind}` is served at `{expected}`, not `{api_version}`"),
            )
            .help(format!("write `apiVersion: {expected}`"));
            return;
        }
        if kind == "List" {
            self.list(doc, value);
            return;
        }
        let unknown = match kind.as_str() {
            "NetworkPolicy" => schema::unknown_in_network_policy(&value),
            "ClusterNetworkPolicy" => crate::cnp::schema::unknown_fields(&value),
            _ => schema::unknown_in_metadata(&value),
        };
        let rejected = !unknown.is_empty();
        for u in unknown {
            self.error(
                diag::UNKNOWN_FIELD,
                doc.origin(&u.path, true),
                format!("unknown field `{}`", u.field),
            )
            .help(match u.suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => "remove it: kubectl's strict validation rejects the object".to_string(),
            });
        }
        if rejected {
            return;
        }
        match kind.as_str() {
            "Namespace" => {
                if let Some(ns) = self.decode::<core::Namespace>(doc, value) {
                    self.namespace(doc, ns);
                }
            }
            "Pod" => {
                if let Some(pod) = self.decode::<core::Pod>(doc, value) {
                    let (spec, status) = (pod.spec, pod.status);
                    self.endpoint(
                        doc,
                        EndpointKind::Pod,
                        &pod.metadata,
                        pod.metadata.labels.clone(),
                        spec.as_ref(),
                        "spec",
                        status.as_ref(),
                    );
                }
            }
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob" => {
                self.workload_object(doc, &kind, value);
            }
            "NetworkPolicy" => {
                if let Some(p) = self.decode::<net::NetworkPolicy>(doc, value) {
                    self.policy(doc, p);
                }
            }
            "ClusterNetworkPolicy" => {
                if let Some(p) = self.decode::<cnp_api::ClusterNetworkPolicyObject>(doc, value) {
                    self.cluster_policy(doc, p);
                }
            }
            "Node" => {
                if let Some(n) = self.decode::<cnp_api::NodeObject>(doc, value) {
                    self.node(doc, n);
                }
            }
            _ => {}
        }
    }

    fn list(&mut self, doc: &Doc<'_>, value: Value) {
        let items = match value.get("items") {
            Some(Value::Sequence(items)) => items.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(_) => {
                self.error(
                    diag::WRONG_TYPE,
                    doc.origin("items", false),
                    "`items` must be a list of objects",
                );
                return;
            }
        };
        for (i, item) in items.into_iter().enumerate() {
            let inner = Doc {
                source_name: doc.source_name,
                text: doc.text,
                lines: doc.lines,
                document: doc.document,
                chunk: doc.chunk,
                spans: doc.spans,
                prefix: join_path(&doc.prefix, &format!("items[{i}]")),
            };
            self.object(&inner, item);
        }
    }

    /// Typed decoding; a wrong type or missing field becomes a diagnostic at its path.
    fn decode<T: serde::de::DeserializeOwned>(&mut self, doc: &Doc<'_>, value: Value) -> Option<T> {
        self.decode_at(doc, "", value)
    }

    /// Typed decoding of the value found at `base` in the document.
    fn decode_at<T: serde::de::DeserializeOwned>(
        &mut self,
        doc: &Doc<'_>,
        base: &str,
        value: Value,
    ) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(v) => Some(v),
            Err(e) => {
                let path = e.path().to_string();
                let path = if path == "." { String::new() } else { path };
                let path = join_path(base, &path);
                let inner = e.into_inner().to_string();
                if let Some(field) = inner
                    .strip_prefix("missing field `")
                    .and_then(|s| s.split('`').next())
                {
                    let field_path = join_path(&path, field);
                    self.error(
                        diag::MISSING_FIELD,
                        doc.origin(&path, true),
                        format!("missing required field `{field_path}`"),
                    );
                } else {
                    let message = inner
                        .find(" at line ")
                        .and_then(|i| inner.get(..i))
                        .unwrap_or(&inner)
                        .to_string();
                    self.error(
                        diag::WRONG_TYPE,
                        doc.origin(&path, false),
                        if path.is_empty() {
                            message
                        } else {
                            format!("`{path}`: {message}")
                        },
                    );
                }
                None
            }
        }
    }

    /// Name and namespace of an object, validated; `None` when it must be left out.
    fn identity(
        &mut self,
        doc: &Doc<'_>,
        meta: &ObjectMeta,
        kind: &'static str,
        namespaced: bool,
    ) -> Option<(String, String, Origin)> {
        let at = doc.origin("", false);
        let Some(name) = meta.name.clone() else {
            self.error(
                diag::MISSING_FIELD,
                doc.origin("metadata", true),
                format!("missing required field `metadata.name` in this {kind}"),
            );
            return None;
        };
        let namespace = if namespaced {
            meta.namespace
                .clone()
                .unwrap_or_else(|| "default".to_string())
        } else {
            String::new()
        };
        if namespaced && namespace.starts_with('<') && namespace.ends_with('>') {
            self.error(
                diag::TEMPLATE_PLACEHOLDER,
                doc.origin("metadata.namespace", false),
                format!("`{namespace}` is a template placeholder: this {kind} is not evaluated"),
            )
            .help("copy the object once per namespace it applies to".to_string());
            return None;
        }
        let name_ok = if kind == "Namespace" {
            is_dns_label(&name)
        } else {
            is_dns_subdomain(&name)
        };
        if !name_ok {
            self.error(
                diag::INVALID_VALUE,
                doc.origin("metadata.name", false),
                format!("`{name}` is not a valid {kind} name"),
            )
            .help(
                "use lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit"
                    .to_string(),
            );
            return None;
        }
        if namespaced && !is_dns_label(&namespace) {
            self.error(
                diag::INVALID_VALUE,
                doc.origin("metadata.namespace", false),
                format!("`{namespace}` is not a valid namespace name"),
            )
            .help("use at most 63 lowercase letters, digits and `-`".to_string());
            return None;
        }
        if let Some(labels) = &meta.labels {
            if let Some(problem) = labels.iter().find_map(|(k, v)| label_problem(k, v)) {
                self.error(
                    diag::INVALID_VALUE,
                    doc.origin("metadata.labels", true),
                    problem,
                );
                return None;
            }
        }
        let key = (kind_group(kind), namespace.clone(), name.clone());
        if let Some(first) = self.seen.get(&key) {
            let first_line = first.line;
            let first_source = first.source.clone();
            self.error(
                diag::DUPLICATE_NAME,
                doc.origin("metadata.name", false),
                format!(
                    "{kind} `{}` is defined twice; this one replaces the one at {first_source}:{first_line}",
                    if namespaced { format!("{namespace}/{name}") } else { name.clone() }
                ),
            );
        }
        self.seen.insert(key, at.clone());
        Some((namespace, name, at))
    }

    fn namespace(&mut self, doc: &Doc<'_>, ns: core::Namespace) {
        let Some((_, name, at)) = self.identity(doc, &ns.metadata, "Namespace", false) else {
            return;
        };
        let mut namespace = Namespace::implicit(&name);
        namespace.declared = true;
        namespace.origin = Some(at);
        namespace
            .labels
            .extend(ns.metadata.labels.unwrap_or_default());
        namespace
            .labels
            .insert(crate::model::NAMESPACE_NAME_LABEL.to_string(), name.clone());
        let list = &mut self.out.cluster.namespaces;
        match list.iter_mut().find(|n| n.name == name) {
            Some(existing) => *existing = namespace,
            None => list.push(namespace),
        }
    }

    /// A workload is one endpoint: its metadata and its pod template, both decoded with
    /// k8s-openapi's types. The rest of the object (strategy, status, ...) is not decoded:
    /// it does not change what a NetworkPolicy sees, and decoding seven full object trees
    /// would roughly double the size of the browser build.
    fn workload_object(&mut self, doc: &Doc<'_>, kind: &str, value: Value) {
        let (endpoint_kind, template_path): (EndpointKind, &[&str]) = match kind {
            "Deployment" => (EndpointKind::Deployment, &["spec", "template"]),
            "StatefulSet" => (EndpointKind::StatefulSet, &["spec", "template"]),
            "DaemonSet" => (EndpointKind::DaemonSet, &["spec", "template"]),
            "ReplicaSet" => (EndpointKind::ReplicaSet, &["spec", "template"]),
            "Job" => (EndpointKind::Job, &["spec", "template"]),
            _ => (
                EndpointKind::CronJob,
                &["spec", "jobTemplate", "spec", "template"],
            ),
        };
        let Some(meta_value) = value.get("metadata").cloned() else {
            self.error(
                diag::MISSING_FIELD,
                doc.origin("", false),
                format!("missing required field `metadata` in this {kind}"),
            );
            return;
        };
        let Some(meta) = self.decode_at::<ObjectMeta>(doc, "metadata", meta_value) else {
            return;
        };
        let mut template = Some(&value);
        for key in template_path {
            template = template.and_then(|v| v.get(*key));
        }
        let path = template_path.join(".");
        let Some(template) = template.cloned() else {
            self.error(
                diag::MISSING_FIELD,
                doc.origin(&path, true),
                format!(
                    "missing required field `{path}`: a {kind} without a pod template runs no pods"
                ),
            );
            return;
        };
        let Some(template) = self.decode_at::<core::PodTemplateSpec>(doc, &path, template) else {
            return;
        };
        self.workload(doc, endpoint_kind, &meta, Some(template), &path);
    }

    fn workload(
        &mut self,
        doc: &Doc<'_>,
        kind: EndpointKind,
        meta: &ObjectMeta,
        template: Option<core::PodTemplateSpec>,
        template_path: &str,
    ) {
        let labels = template
            .as_ref()
            .and_then(|t| t.metadata.as_ref())
            .and_then(|m| m.labels.clone());
        let spec = template.and_then(|t| t.spec);
        self.endpoint(
            doc,
            kind,
            meta,
            labels,
            spec.as_ref(),
            &format!("{template_path}.spec"),
            None,
        );
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call per kind, all fields named at the call"
    )]
    fn endpoint(
        &mut self,
        doc: &Doc<'_>,
        kind: EndpointKind,
        meta: &ObjectMeta,
        labels: Option<std::collections::BTreeMap<String, String>>,
        spec: Option<&core::PodSpec>,
        spec_path: &str,
        status: Option<&core::PodStatus>,
    ) {
        let Some((namespace, name, at)) = self.identity(doc, meta, kind.as_str(), true) else {
            return;
        };
        let mut ports = Vec::new();
        for (ci, container) in spec
            .map(|s| s.containers.as_slice())
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            for (pi, p) in container.ports.as_deref().unwrap_or(&[]).iter().enumerate() {
                let path = format!("{spec_path}.containers[{ci}].ports[{pi}]");
                let Some(port) = u16::try_from(p.container_port).ok().filter(|n| *n > 0) else {
                    self.error(
                        diag::INVALID_VALUE,
                        doc.origin(&format!("{path}.containerPort"), false),
                        format!(
                            "containerPort `{}` is not between 1 and 65535",
                            p.container_port
                        ),
                    );
                    continue;
                };
                let protocol = match p.protocol.as_deref() {
                    None => Protocol::Tcp,
                    Some(s) => match Protocol::parse(s) {
                        Some(pr) => pr,
                        None => {
                            self.bad_protocol(doc, &format!("{path}.protocol"), s);
                            continue;
                        }
                    },
                };
                ports.push(ContainerPort {
                    name: p.name.clone(),
                    port,
                    protocol,
                });
            }
        }
        let mut ips = Vec::new();
        if let Some(status) = status {
            let listed = status.pod_ips.iter().flatten().map(|p| p.ip.clone());
            for ip in status.pod_ip.iter().cloned().chain(listed) {
                match ip.parse::<std::net::IpAddr>() {
                    Ok(a) if !ips.contains(&a) => ips.push(a),
                    Ok(_) => {}
                    Err(_) => {
                        self.error(
                            diag::INVALID_VALUE,
                            doc.origin("status", true),
                            format!("`{ip}` is not an IP address"),
                        );
                    }
                }
            }
        }
        let pod = Pod {
            namespace,
            name,
            kind,
            labels: labels.unwrap_or_default(),
            ports,
            ips,
            origin: Some(at),
        };
        let id = pod.id();
        match self.endpoint_ids.get(&id) {
            Some(&i) => {
                if let Some(existing) = self.out.cluster.pods.get_mut(i) {
                    if existing.kind != pod.kind {
                        let at = doc.origin("metadata.name", false);
                        self.out.diagnostics.push(diag::DUPLICATE_NAME.at(
                            &at,
                            format!(
                                "{} `{id}` has the same name as {} `{id}`: the playground shows one endpoint per name, this one replaces it",
                                pod.kind.as_str(),
                                existing.kind.as_str()
                            ),
                        ));
                    }
                }
                if let Some(existing) = self.out.cluster.pods.get_mut(i) {
                    *existing = pod;
                }
            }
            None => {
                self.endpoint_ids.insert(id, self.out.cluster.pods.len());
                self.out.cluster.pods.push(pod);
            }
        }
    }

    fn bad_protocol(&mut self, doc: &Doc<'_>, path: &str, written: &str) {
        let upper = written.to_ascii_uppercase();
        let help = if Protocol::parse(&upper).is_some() {
            format!("protocols are upper case: write `{upper}`")
        } else {
            "use `TCP`, `UDP` or `SCTP`".to_string()
        };
        self.error(
            diag::INVALID_VALUE,
            doc.origin(path, false),
            format!("unsupported protocol `{written}`"),
        )
        .help(help);
    }

    fn policy(&mut self, doc: &Doc<'_>, p: net::NetworkPolicy) {
        let Some((namespace, name, at)) = self.identity(doc, &p.metadata, "NetworkPolicy", true)
        else {
            return;
        };
        let errors_before = self.out.diagnostics.len();
        let spec = p.spec.unwrap_or_default();
        let pod_selector = self.selector(doc, "spec.podSelector", spec.pod_selector.as_ref());
        let declared_types = match &spec.policy_types {
            None => None,
            Some(types) => {
                let mut out = Vec::new();
                for (i, t) in types.iter().enumerate() {
                    match t.as_str() {
                        "Ingress" => out.push(Direction::Ingress),
                        "Egress" => out.push(Direction::Egress),
                        other => {
                            let help = crate::suggest::closest(other, ["Ingress", "Egress"])
                                .map(|s| format!("did you mean `{s}`?"))
                                .unwrap_or_else(|| "use `Ingress` and/or `Egress`".to_string());
                            self.error(
                                diag::INVALID_VALUE,
                                doc.origin(&format!("spec.policyTypes[{i}]"), false),
                                format!("unknown policy type `{other}`"),
                            )
                            .help(help);
                        }
                    }
                }
                Some(out)
            }
        };
        let mut ingress = Vec::new();
        for (i, r) in spec.ingress.iter().flatten().enumerate() {
            let path = format!("spec.ingress[{i}]");
            ingress.push(self.rule(doc, &path, "from", r.from.as_deref(), r.ports.as_deref()));
        }
        let mut egress = Vec::new();
        for (i, r) in spec.egress.iter().flatten().enumerate() {
            let path = format!("spec.egress[{i}]");
            egress.push(self.rule(doc, &path, "to", r.to.as_deref(), r.ports.as_deref()));
        }
        if self
            .out
            .diagnostics
            .iter()
            .skip(errors_before)
            .any(|d| d.severity == diag::Severity::Error)
        {
            // The API server rejects the whole object: it never reaches the cluster.
            return;
        }
        // policyTypes defaulting (API reference, NetworkPolicySpec.policyTypes): Ingress
        // always, Egress when the policy has egress rules.
        // An empty list defaults like a missing one (SetDefaults_NetworkPolicy checks
        // `len(PolicyTypes) == 0`).
        let (isolates_ingress, isolates_egress) = match &declared_types {
            Some(t) if !t.is_empty() => (
                t.contains(&Direction::Ingress),
                t.contains(&Direction::Egress),
            ),
            _ => (true, spec.egress.is_some_and(|e| !e.is_empty())),
        };
        let policy = Policy {
            namespace,
            name,
            pod_selector: pod_selector.unwrap_or_default(),
            isolates_ingress,
            isolates_egress,
            declared_types,
            ingress,
            egress,
            origin: Some(at),
        };
        let site = Site {
            document: doc.document,
            prefix: doc.prefix.clone(),
        };
        let policies = &mut self.out.cluster.policies;
        match policies
            .iter()
            .position(|q| q.namespace == policy.namespace && q.name == policy.name)
        {
            Some(i) => {
                if let (Some(slot), Some(site_slot)) =
                    (policies.get_mut(i), self.out.policy_sites.get_mut(i))
                {
                    *slot = policy;
                    *site_slot = site;
                }
            }
            None => {
                policies.push(policy);
                self.out.policy_sites.push(site);
            }
        }
    }

    /// The v1alpha1 kinds ClusterNetworkPolicy replaced: not evaluated, with what to write.
    fn frozen_kind(&mut self, doc: &Doc<'_>, kind: &str) {
        let (tier, extra) = if kind == "AdminNetworkPolicy" {
            ("Admin", "")
        } else {
            ("Baseline", " and a `priority`")
        };
        self.error(
            diag::UNSUPPORTED_VERSION,
            doc.origin("kind", false),
            format!("`{kind}` (policy.networking.k8s.io/v1alpha1) is frozen and not evaluated: ClusterNetworkPolicy replaces it"),
        )
        .help(format!(
            "write `apiVersion: {}` and `kind: ClusterNetworkPolicy` with `tier: {tier}`{extra}; actions `Allow` become `Accept`, and rule `ports` become `protocols`",
            crate::cnp::API_VERSION
        ));
    }

    fn cluster_policy(&mut self, doc: &Doc<'_>, object: cnp_api::ClusterNetworkPolicyObject) {
        let Some((_, name, at)) =
            self.identity(doc, &object.metadata, "ClusterNetworkPolicy", false)
        else {
            return;
        };
        let (policy, problems) = crate::cnp::validate::validate(&object, &name);
        for p in problems {
            let prefer_key = p.code == diag::MISSING_FIELD || p.code == diag::UNKNOWN_FIELD;
            let reported = self.error(p.code, doc.origin(&p.path, prefer_key), p.message);
            if let Some(help) = p.help {
                reported.help(help);
            }
        }
        let Some(mut policy) = policy else {
            return;
        };
        policy.origin = Some(at);
        let site = Site {
            document: doc.document,
            prefix: doc.prefix.clone(),
        };
        let list = &mut self.out.cluster.cluster_policies;
        match list.iter().position(|q| q.name == policy.name) {
            Some(i) => {
                if let (Some(slot), Some(site_slot)) =
                    (list.get_mut(i), self.out.cluster_policy_sites.get_mut(i))
                {
                    *slot = policy;
                    *site_slot = site;
                }
            }
            None => {
                list.push(policy);
                self.out.cluster_policy_sites.push(site);
            }
        }
    }

    fn node(&mut self, doc: &Doc<'_>, object: cnp_api::NodeObject) {
        let Some((_, name, at)) = self.identity(doc, &object.metadata, "Node", false) else {
            return;
        };
        let mut addresses = Vec::new();
        let listed = object.status.and_then(|s| s.addresses).unwrap_or_default();
        for (i, a) in listed.iter().enumerate() {
            let kind = a.kind.as_deref().unwrap_or_default();
            let Some(text) = a.address.as_deref() else {
                continue;
            };
            if !kind.ends_with("IP") {
                continue; // Hostname, InternalDNS, ExternalDNS
            }
            match text.parse::<std::net::IpAddr>() {
                Ok(ip) if !addresses.contains(&ip) => addresses.push(ip),
                Ok(_) => {}
                Err(_) => {
                    self.error(
                        diag::INVALID_VALUE,
                        doc.origin(&format!("status.addresses[{i}].address"), false),
                        format!("`{text}` is not an IP address"),
                    );
                }
            }
        }
        let node = Node {
            labels: object.metadata.labels.unwrap_or_default(),
            name,
            addresses,
            origin: Some(at),
        };
        let nodes = &mut self.out.cluster.nodes;
        match nodes.iter_mut().find(|n| n.name == node.name) {
            Some(existing) => *existing = node,
            None => nodes.push(node),
        }
    }

    fn rule(
        &mut self,
        doc: &Doc<'_>,
        path: &str,
        peers_field: &str,
        peers: Option<&[net::NetworkPolicyPeer]>,
        ports: Option<&[net::NetworkPolicyPort]>,
    ) -> Rule {
        let mut out = Rule {
            peers: Vec::new(),
            ports: Vec::new(),
            origin: Some(doc.origin(path, false)),
        };
        for (i, peer) in peers.unwrap_or(&[]).iter().enumerate() {
            let ppath = format!("{path}.{peers_field}[{i}]");
            if let Some(p) = self.peer(doc, &ppath, peer) {
                out.peers.push(p);
            }
        }
        for (i, port) in ports.unwrap_or(&[]).iter().enumerate() {
            let ppath = format!("{path}.ports[{i}]");
            if let Some(p) = self.port(doc, &ppath, port) {
                out.ports.push(p);
            }
        }
        out
    }

    fn peer(&mut self, doc: &Doc<'_>, path: &str, peer: &net::NetworkPolicyPeer) -> Option<Peer> {
        match (&peer.ip_block, &peer.namespace_selector, &peer.pod_selector) {
            (None, None, None) => {
                self.error(
                    diag::INVALID_VALUE,
                    doc.origin(path, false),
                    "empty peer: give a `podSelector`, a `namespaceSelector` or an `ipBlock`",
                )
                .help("to allow every source, leave out the whole `from`/`to` list".to_string());
                None
            }
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                self.error(
                    diag::INVALID_VALUE,
                    doc.origin(&format!("{path}.ipBlock"), true),
                    "`ipBlock` cannot be combined with a selector in one peer",
                )
                .help(
                    "make them two list items (`- ipBlock: ...` and `- podSelector: ...`)"
                        .to_string(),
                );
                None
            }
            (Some(block), None, None) => {
                if block.cidr.is_empty() {
                    self.error(
                        diag::MISSING_FIELD,
                        doc.origin(&format!("{path}.ipBlock"), true),
                        format!("missing required field `{path}.ipBlock.cidr`"),
                    );
                    return None;
                }
                let cidr = match Cidr::parse(&block.cidr, false) {
                    Ok(c) => c,
                    Err(e) => {
                        self.error(
                            diag::INVALID_VALUE,
                            doc.origin(&format!("{path}.ipBlock.cidr"), false),
                            format!("invalid `cidr`: {e}"),
                        );
                        return None;
                    }
                };
                let mut except = Vec::new();
                for (i, e) in block.except.iter().flatten().enumerate() {
                    let epath = format!("{path}.ipBlock.except[{i}]");
                    match Cidr::parse(e, false) {
                        Ok(c) if cidr.contains(&c) && c.prefix > cidr.prefix => except.push(c),
                        Ok(c) => {
                            self.error(
                                diag::INVALID_VALUE,
                                doc.origin(&epath, false),
                                format!("except `{c}` is not inside cidr `{cidr}`"),
                            )
                            .help(
                                "each `except` entry must be a smaller range inside `cidr`"
                                    .to_string(),
                            );
                        }
                        Err(err) => {
                            self.error(
                                diag::INVALID_VALUE,
                                doc.origin(&epath, false),
                                format!("invalid `except` entry: {err}"),
                            );
                        }
                    }
                }
                Some(Peer::IpBlock { cidr, except })
            }
            (None, ns, pods) => {
                let namespace_selector =
                    self.selector(doc, &format!("{path}.namespaceSelector"), ns.as_ref());
                let pod_selector =
                    self.selector(doc, &format!("{path}.podSelector"), pods.as_ref());
                Some(Peer::Pods {
                    namespace_selector,
                    pod_selector,
                })
            }
        }
    }

    fn port(
        &mut self,
        doc: &Doc<'_>,
        path: &str,
        port: &net::NetworkPolicyPort,
    ) -> Option<PolicyPort> {
        let protocol = match port.protocol.as_deref() {
            None => Protocol::Tcp,
            Some(s) => match Protocol::parse(s) {
                Some(p) => p,
                None => {
                    self.bad_protocol(doc, &format!("{path}.protocol"), s);
                    return None;
                }
            },
        };
        let number = match &port.port {
            None => None,
            Some(IntOrString::Int(n)) => match u16::try_from(*n).ok().filter(|n| *n > 0) {
                Some(n) => Some(PortRef::Number(n)),
                None => {
                    self.error(
                        diag::INVALID_VALUE,
                        doc.origin(&format!("{path}.port"), false),
                        format!("port `{n}` is not between 1 and 65535"),
                    );
                    return None;
                }
            },
            Some(IntOrString::String(s)) => {
                if let Ok(n) = s.parse::<i64>() {
                    self.error(
                        diag::INVALID_VALUE,
                        doc.origin(&format!("{path}.port"), false),
                        format!(
                            "port `\"{s}\"` is a quoted number, which the API reads as a port name"
                        ),
                    )
                    .help(format!("write `port: {n}` without quotes"));
                    return None;
                }
                if !is_port_name(s) {
                    self.error(
                        diag::INVALID_VALUE,
                        doc.origin(&format!("{path}.port"), false),
                        format!("`{s}` is not a valid port name"),
                    )
                    .help("port names have at most 15 lowercase letters, digits and `-`, with at least one letter".to_string());
                    return None;
                }
                Some(PortRef::Name(s.clone()))
            }
        };
        let end_port = match port.end_port {
            None => None,
            Some(end) => {
                let epath = format!("{path}.endPort");
                match &number {
                    None => {
                        self.error(
                            diag::INVALID_VALUE,
                            doc.origin(&epath, true),
                            "`endPort` needs a numeric `port` to start the range",
                        );
                        return None;
                    }
                    Some(PortRef::Name(n)) => {
                        self.error(
                            diag::INVALID_VALUE,
                            doc.origin(&epath, true),
                            format!("`endPort` cannot follow a named port (`{n}`)"),
                        )
                        .help("use a numeric `port` for a range".to_string());
                        return None;
                    }
                    Some(PortRef::Number(start)) => {
                        match u16::try_from(end).ok().filter(|e| *e >= *start) {
                            Some(e) => Some(e),
                            None => {
                                self.error(
                                    diag::INVALID_VALUE,
                                    doc.origin(&epath, false),
                                    format!("`endPort` {end} is below `port` {start}"),
                                )
                                .help(format!("`endPort` must be between {start} and 65535"));
                                return None;
                            }
                        }
                    }
                }
            }
        };
        Some(PolicyPort {
            protocol,
            port: number,
            end_port,
        })
    }

    fn selector(
        &mut self,
        doc: &Doc<'_>,
        path: &str,
        sel: Option<&LabelSelector>,
    ) -> Option<Selector> {
        let sel = sel?;
        let mut out = Selector::default();
        for (k, v) in sel.match_labels.iter().flatten() {
            if let Some(problem) = label_problem(k, v) {
                self.error(
                    diag::INVALID_VALUE,
                    doc.origin(&format!("{path}.matchLabels.{k}"), true),
                    problem,
                );
            }
            out.match_labels.insert(k.clone(), v.clone());
        }
        for (i, req) in sel.match_expressions.iter().flatten().enumerate() {
            let rpath = format!("{path}.matchExpressions[{i}]");
            let Some(operator) = Operator::parse(&req.operator) else {
                let help = crate::suggest::closest(
                    &req.operator,
                    ["In", "NotIn", "Exists", "DoesNotExist"],
                )
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| "use `In`, `NotIn`, `Exists` or `DoesNotExist`".to_string());
                self.error(
                    diag::INVALID_VALUE,
                    doc.origin(&format!("{rpath}.operator"), false),
                    format!("unknown operator `{}`", req.operator),
                )
                .help(help);
                continue;
            };
            let values = req.values.clone().unwrap_or_default();
            match operator {
                Operator::In | Operator::NotIn if values.is_empty() => {
                    self.error(
                        diag::INVALID_VALUE,
                        doc.origin(&rpath, false),
                        format!("operator `{}` needs at least one value", operator.as_str()),
                    );
                }
                Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                    self.error(
                        diag::INVALID_VALUE,
                        doc.origin(&format!("{rpath}.values"), true),
                        format!("operator `{}` takes no values", operator.as_str()),
                    );
                }
                _ => {}
            }
            out.match_expressions.push(Requirement {
                key: req.key.clone(),
                operator,
                values,
            });
        }
        Some(out)
    }

    fn finish(mut self) -> Loaded {
        self.out.cluster.complete_namespaces();
        self.out.diagnostics.sort_by(|a, b| {
            (a.source.as_str(), a.start, a.code).cmp(&(b.source.as_str(), b.start, b.code))
        });
        self.out
    }
}

/// The diagnostic just reported, to add a fix hint to.
struct Reported<'a>(&'a mut Vec<Diagnostic>);

impl Reported<'_> {
    fn help(self, text: impl Into<String>) {
        if let Some(d) = self.0.last_mut() {
            d.help = Some(text.into());
        }
    }
}

fn kind_group(kind: &str) -> &'static str {
    match kind {
        "Namespace" => "Namespace",
        "ClusterNetworkPolicy" => "ClusterNetworkPolicy",
        "Node" => "Node",
        "NetworkPolicy" => "NetworkPolicy",
        "Pod" => "Pod",
        "Deployment" => "Deployment",
        "StatefulSet" => "StatefulSet",
        "DaemonSet" => "DaemonSet",
        "ReplicaSet" => "ReplicaSet",
        "Job" => "Job",
        "CronJob" => "CronJob",
        _ => "Other",
    }
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Kubernetes' IsDNS1123Subdomain: dot-separated labels, 253 bytes in all (no per-label limit).
fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

/// IANA service name rules, which named ports follow.
fn is_port_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 15
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn is_label_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Why a label key/value pair is invalid, if it is.
pub(crate) fn label_problem(key: &str, value: &str) -> Option<String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if prefix.is_some_and(|p| !is_dns_subdomain(p)) || !is_label_name(name) {
        return Some(format!("`{key}` is not a valid label key"));
    }
    if !value.is_empty() && !is_label_name(value) {
        return Some(format!(
            "label value `{value}` (for `{key}`) must be at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"
        ));
    }
    None
}

/// A [`Labels`] from pairs (for tests and drawn objects).
pub fn labels<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Labels {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
