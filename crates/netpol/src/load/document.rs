//! One document of a source, read on its own: parsed once, its objects decoded and
//! validated the way the API server validates them.
//!
//! Everything here depends only on the document's text, so the result ([`Parsed`]) can be
//! cached by that text and reused when an edit elsewhere moves the document: positions are
//! relative to the document's start, and the loader rebases them (`assemble`). What needs
//! more than one document (duplicates, one endpoint per name, namespaces nobody declared)
//! is done there too.

use std::net::IpAddr;

use serde::de::DeserializeOwned;

use super::endpoint::{self, Template};
use super::objects::{Meta, MetadataObject, NetworkPolicyObject, PodObject, WorkloadObject};
use super::policy;
use crate::cnp::ClusterNetworkPolicy;
use crate::diag::{self, Code, Diagnostic, Problem};
use crate::model::{EndpointKind, Namespace, Node, Origin, Pod, Policy};
use crate::names::{is_dns_label, is_dns_subdomain, label_problem};
use crate::schema;
use crate::yaml::{self, decode, DecodeError, Document, NodeId};

/// What one document holds, with positions relative to its start.
#[derive(Clone, Debug, Default)]
pub(crate) struct Parsed {
    /// The tree, built again only when a lint finding needs a place (most documents never
    /// do; not keeping every tree halves the loader's memory and the time to free it).
    pub tree: std::sync::OnceLock<Option<Document>>,
    /// Objects, in order.
    pub objects: Vec<Object>,
    /// Problems (line and column still unset).
    pub diagnostics: Vec<Diagnostic>,
    /// A Kustomization with `commonLabels` (or `labels` with `includeSelectors: true`).
    pub kustomize_common_labels: bool,
    /// A Kustomization of any kind.
    pub kustomization: bool,
}

/// An object that loaded.
#[derive(Clone, Debug)]
pub(crate) enum Object {
    Namespace(Namespace, Identity),
    /// With the node whose address the pod takes (a host-network pod without pod IPs).
    Endpoint(Pod, Identity, NodeId, Option<String>),
    Policy(Policy, Identity, NodeId),
    ClusterPolicy(ClusterNetworkPolicy, Identity, NodeId),
    /// A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy.
    CiliumPolicy(crate::cilium::CiliumPolicy, Identity, NodeId),
    /// A CiliumCIDRGroup.
    CidrGroup(crate::cilium::CidrGroup, Identity),
    /// What a pod's Cilium identity needs (service account, node), by pod id.
    PodMeta(String, crate::cilium::PodMeta),
    /// With the IPs a host-network pod on the node gets (see `tiers::host_ips`).
    Node(Node, Vec<IpAddr>, Identity),
    /// The API server's addresses, from the `kubernetes` Service's EndpointSlice or
    /// Endpoints in `default`.
    ApiServer(Vec<IpAddr>, Identity),
}

/// What the loader needs to find duplicates across documents.
#[derive(Clone, Debug)]
pub(crate) struct Identity {
    /// `Namespace`, `Pod`, `Deployment`, ...: duplicates are per kind.
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    /// Where `metadata.name` is.
    pub name_at: Origin,
    /// Where the object is.
    pub at: Origin,
}

/// The tree of one document's text, without what the engine never reads: the same text
/// always gives the same tree, so the loader can drop it and build it again when a finding
/// needs a place (`Loaded::locate`).
pub(crate) fn tree_of(text: &str) -> Result<Document, yaml::ParseError> {
    Document::parse_skipping(text, Some(unread_by_engine))
}

/// Values of a JSON object the loader never looks at (see `objects`: what is decoded, and
/// `schema`: what is checked for unknown fields). A pod as kubectl prints it is mostly
/// these: managedFields, status conditions, env, probes, volumes. Skipping them keeps
/// reading a cluster snapshot to the cost of what loads.
fn unread_by_engine(kind: Option<&str>, path: &[&str]) -> bool {
    match path {
        ["metadata", "managedFields"] => true,
        // A Node's status has its addresses; a pod's, its IPs.
        ["status"] => kind.is_some_and(|k| {
            matches!(k, "Namespace" | "NetworkPolicy") || workload_kind(k).is_some()
        }),
        ["status", field] => kind == Some("Pod") && !matches!(*field, "podIP" | "podIPs"),
        ["spec", field] => kind == Some("Pod") && !is_read_in_pod_spec(field),
        ["spec", "template", "spec", field] => {
            kind.and_then(workload_kind).is_some() && !is_read_in_pod_spec(field)
        }
        ["spec", "containers", "[]", field] => kind == Some("Pod") && *field != "ports",
        _ => false,
    }
}

/// The fields of a pod spec that `objects::PodSpec` decodes.
fn is_read_in_pod_spec(field: &str) -> bool {
    matches!(
        field,
        "containers" | "hostNetwork" | "nodeName" | "serviceAccountName"
    )
}

/// Reads one document's text.
pub(crate) fn parse(text: &str) -> Parsed {
    match tree_of(text) {
        Ok(tree) => {
            let mut cx = Cx {
                tree: &tree,
                out: Parsed::default(),
            };
            if let Some(root) = tree.root() {
                cx.object(root);
            }
            cx.out
        }
        Err(e) => {
            let at = yaml::error_offset(text, e.offset);
            let origin = relative(at, at);
            Parsed {
                diagnostics: vec![diag::YAML_SYNTAX.at(&origin, e.message.replace('\'', "`"))],
                ..Parsed::default()
            }
        }
    }
}

fn relative(start: usize, end: usize) -> Origin {
    Origin {
        source: String::new(),
        start,
        end: end.max(start),
        line: 0,
        column: 0,
    }
}

/// The diagnostic just reported, to add a fix hint to.
pub(crate) struct Reported<'a>(&'a mut Vec<Diagnostic>);

impl Reported<'_> {
    pub fn help(self, text: impl Into<String>) {
        if let Some(d) = self.0.last_mut() {
            d.help = Some(text.into());
        }
    }
}

/// Decoding one document.
pub(crate) struct Cx<'t> {
    pub tree: &'t Document,
    pub out: Parsed,
}

impl Cx<'_> {
    /// Where a node is; with `prefer_key`, the key it sits under when it has one (a
    /// diagnostic then points at `podSelector:` rather than at the `{}` after it).
    pub fn at(&self, node: NodeId, prefer_key: bool) -> Origin {
        let shown = if prefer_key {
            self.tree.key_of(node).unwrap_or(node)
        } else {
            node
        };
        let n = self.tree.node(shown);
        relative(n.start as usize, n.end as usize)
    }

    /// Where `path` below `object` is (or its nearest parent that exists).
    pub fn at_path(&self, object: NodeId, path: &str, prefer_key: bool) -> Origin {
        let (node, key) = self.tree.find_nearest(object, path);
        let shown = match key {
            Some(k) if prefer_key => k,
            _ => node,
        };
        let n = self.tree.node(shown);
        relative(n.start as usize, n.end as usize)
    }

    /// Reports problems found at field paths of the object at `object`: a missing or
    /// unknown field, and a problem marked so, at the field's key; the rest at its value.
    pub fn report_problems(&mut self, object: NodeId, problems: Vec<Problem>) {
        for p in problems {
            let prefer_key =
                p.at_key || p.code == diag::MISSING_FIELD || p.code == diag::UNKNOWN_FIELD;
            let reported = self.error(p.code, self.at_path(object, &p.path, prefer_key), p.message);
            if let Some(help) = p.help {
                reported.help(help);
            }
        }
    }

    pub fn error(&mut self, code: Code, at: Origin, message: impl Into<String>) -> Reported<'_> {
        self.out.diagnostics.push(code.at(&at, message));
        Reported(&mut self.out.diagnostics)
    }

    fn object(&mut self, node: NodeId) {
        let tree = self.tree;
        if tree.is_null(node) {
            return;
        }
        if !tree.is_map(node) {
            self.error(
                diag::NOT_AN_OBJECT,
                self.at(node, false),
                "this document is not a Kubernetes object (expected a mapping with `apiVersion` and `kind`)",
            );
            return;
        }
        let text_of = |key: &str| {
            tree.get(node, key)
                .and_then(|v| tree.scalar(v))
                .map(|(t, _, _)| t.to_string())
        };
        let Some(kind) = text_of("kind") else {
            self.error(diag::NOT_AN_OBJECT, self.at(node, false), "missing `kind`");
            return;
        };
        if kind == "Kustomization" {
            self.kustomization(node);
            return;
        }
        if matches!(
            kind.as_str(),
            "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy"
        ) {
            self.frozen_kind(node, &kind);
            return;
        }
        let Some(api_version) = text_of("apiVersion") else {
            self.error(
                diag::MISSING_FIELD,
                self.at_path(node, "kind", true),
                format!("missing `apiVersion` for kind `{kind}`"),
            );
            return;
        };
        let Some(expected) = served_version(&kind) else {
            self.error(
                diag::SKIPPED_KIND,
                self.at_path(node, "kind", false),
                format!("skipped `{kind}`: NetworkPolicy evaluation does not use this kind"),
            );
            return;
        };
        if api_version != expected {
            self.error(
                diag::UNSUPPORTED_VERSION,
                self.at_path(node, "apiVersion", false),
                format!("`{kind}` is served at `{expected}`, not `{api_version}`"),
            )
            .help(format!("write `apiVersion: {expected}`"));
            return;
        }
        if kind == "List" {
            self.list(node);
            return;
        }
        // Cilium policies check unknown fields rule by rule (one bad `specs` entry does
        // not hide the others).
        match kind.as_str() {
            "CiliumNetworkPolicy" => {
                return self.cilium_policy(node, crate::cilium::CiliumKind::Namespaced)
            }
            "CiliumClusterwideNetworkPolicy" => {
                return self.cilium_policy(node, crate::cilium::CiliumKind::Clusterwide)
            }
            "CiliumCIDRGroup" => return self.cidr_group(node),
            _ => {}
        }
        if self.unknown_fields(node, &kind) {
            return;
        }
        self.known_kind(node, &kind);
    }

    fn known_kind(&mut self, node: NodeId, kind: &str) {
        match kind {
            "Namespace" => {
                if let Some(ns) = self.decode::<MetadataObject>(node) {
                    self.namespace(node, ns.metadata.unwrap_or_default());
                }
            }
            "Pod" => {
                if let Some(pod) = self.decode::<PodObject>(node) {
                    let template = Template {
                        labels: pod.metadata.as_ref().and_then(|m| m.labels.clone()),
                        spec: pod.spec,
                        spec_path: endpoint::pod_spec_path(EndpointKind::Pod),
                    };
                    let meta = pod.metadata.unwrap_or_default();
                    self.endpoint(node, EndpointKind::Pod, &meta, template, pod.status);
                }
            }
            "NetworkPolicy" => {
                if let Some(p) = self.decode::<NetworkPolicyObject>(node) {
                    self.policy(node, p);
                }
            }
            "ClusterNetworkPolicy" => self.cluster_policy(node),
            "Node" => self.node_object(node),
            "EndpointSlice" => self.endpoint_slice(node),
            "Endpoints" => self.endpoints(node),
            _ => {
                if let Some(kind) = workload_kind(kind) {
                    self.workload(node, kind);
                }
            }
        }
    }

    fn kustomization(&mut self, node: NodeId) {
        let tree = self.tree;
        let common = tree
            .get(node, "commonLabels")
            .is_some_and(|m| tree.pairs(m).next().is_some());
        let labels_in_selectors = tree.get(node, "labels").is_some_and(|l| {
            tree.items(l).iter().any(|e| {
                tree.get(*e, "includeSelectors")
                    .and_then(|v| tree.scalar(v))
                    .is_some_and(|(_, _, v)| v == yaml::Scalar::Bool(true))
            })
        });
        self.out.kustomize_common_labels |= common || labels_in_selectors;
        self.out.kustomization = true;
    }

    fn list(&mut self, node: NodeId) {
        let tree = self.tree;
        let Some(items) = tree.get(node, "items") else {
            return;
        };
        if tree.is_null(items) {
            return;
        }
        if !tree.is_seq(items) {
            self.error(
                diag::WRONG_TYPE,
                self.at(items, false),
                "`items` must be a list of objects",
            );
            return;
        }
        for item in tree.items(items) {
            self.object(*item);
        }
    }

    /// Reports unknown fields; true when there were some (kubectl's strict validation then
    /// rejects the object).
    fn unknown_fields(&mut self, node: NodeId, kind: &str) -> bool {
        let unknown = match kind {
            "NetworkPolicy" => schema::unknown_in_network_policy(self.tree, node),
            "ClusterNetworkPolicy" => crate::cnp::schema::unknown_fields(self.tree, node),
            _ => schema::unknown_in_metadata(self.tree, node),
        };
        let rejected = !unknown.is_empty();
        for u in &unknown {
            self.unknown_field(
                u,
                "remove it: kubectl's strict validation rejects the object",
            );
        }
        rejected
    }

    /// Reports an unknown field at its key, with the closest known name when there is one
    /// and `otherwise` as the help when there is none.
    pub(super) fn unknown_field(&mut self, u: &schema::UnknownField, otherwise: &str) {
        let at = self.at(u.key, false);
        self.error(
            diag::UNKNOWN_FIELD,
            at,
            format!("unknown field `{}`", u.field),
        )
        .help(match u.suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => otherwise.to_string(),
        });
    }

    /// Typed decoding; a wrong type or a missing field becomes a diagnostic at its node.
    pub fn decode<T: DeserializeOwned>(&mut self, node: NodeId) -> Option<T> {
        let mut notes = Vec::new();
        let result = decode::<T>(self.tree, node, &mut notes);
        for note in notes {
            let at = self.at(note.node, false);
            self.out.diagnostics.push(
                diag::YAML_DIALECT
                    .at(&at, note.message)
                    .with_help(note.help),
            );
        }
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.decode_error(node, e);
                None
            }
        }
    }

    fn decode_error(&mut self, object: NodeId, e: DecodeError) {
        let node = e.node.unwrap_or(object);
        let path = self.tree.path_of(node);
        if let Some(field) = &e.missing {
            let field_path = if path.is_empty() {
                field.clone()
            } else {
                format!("{path}.{field}")
            };
            self.error(
                diag::MISSING_FIELD,
                self.at(node, true),
                format!("missing required field `{field_path}`"),
            );
            return;
        }
        let message = if path.is_empty() {
            e.message
        } else {
            format!("`{path}`: {}", e.message)
        };
        let reported = self.error(diag::WRONG_TYPE, self.at(node, false), message);
        if let Some(help) = e.help {
            reported.help(help);
        }
    }

    /// Name and namespace of an object, validated; `None` when it must be left out.
    pub fn identity(
        &mut self,
        node: NodeId,
        meta: &Meta,
        kind: &'static str,
        namespaced: bool,
    ) -> Option<Identity> {
        let Some(name) = meta.name.clone().filter(|n| !n.is_empty()) else {
            self.error(
                diag::MISSING_FIELD,
                self.at_path(node, "metadata", true),
                format!("missing required field `metadata.name` in this {kind}"),
            );
            return None;
        };
        let namespace = if namespaced {
            meta.namespace
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "default".to_string())
        } else {
            String::new()
        };
        if namespaced && namespace.starts_with('<') && namespace.ends_with('>') {
            self.error(
                diag::TEMPLATE_PLACEHOLDER,
                self.at_path(node, "metadata.namespace", false),
                format!("`{namespace}` is a template placeholder: this {kind} is not evaluated"),
            )
            .help("copy the object once per namespace it applies to");
            return None;
        }
        if !self.valid_names(node, kind, &name, namespaced.then_some(namespace.as_str())) {
            return None;
        }
        if let Some(problem) = meta
            .labels
            .iter()
            .flatten()
            .find_map(|(k, v)| label_problem(k, v))
        {
            self.error(
                diag::INVALID_VALUE,
                self.at_path(node, "metadata.labels", true),
                problem,
            );
            return None;
        }
        Some(Identity {
            kind,
            namespace,
            name,
            name_at: self.at_path(node, "metadata.name", false),
            at: self.at(node, false),
        })
    }

    fn valid_names(
        &mut self,
        node: NodeId,
        kind: &str,
        name: &str,
        namespace: Option<&str>,
    ) -> bool {
        let name_ok = if kind == "Namespace" {
            is_dns_label(name)
        } else {
            is_dns_subdomain(name)
        };
        if !name_ok {
            self.error(
                diag::INVALID_VALUE,
                self.at_path(node, "metadata.name", false),
                format!("`{name}` is not a valid {kind} name"),
            )
            .help("use lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit");
            return false;
        }
        if let Some(ns) = namespace.filter(|ns| !is_dns_label(ns)) {
            self.error(
                diag::INVALID_VALUE,
                self.at_path(node, "metadata.namespace", false),
                format!("`{ns}` is not a valid namespace name"),
            )
            .help("use at most 63 lowercase letters, digits and `-`");
            return false;
        }
        true
    }

    fn namespace(&mut self, node: NodeId, meta: Meta) {
        let Some(identity) = self.identity(node, &meta, "Namespace", false) else {
            return;
        };
        let mut namespace = Namespace::implicit(&identity.name);
        namespace.declared = true;
        namespace.origin = Some(self.at(node, false));
        namespace.labels.extend(meta.labels.unwrap_or_default());
        namespace.labels.insert(
            crate::model::NAMESPACE_NAME_LABEL.to_string(),
            identity.name.clone(),
        );
        self.out
            .objects
            .push(Object::Namespace(namespace, identity));
    }

    fn workload(&mut self, node: NodeId, kind: EndpointKind) {
        let Some(object) = self.decode::<WorkloadObject>(node) else {
            return;
        };
        let (template, path) = match kind {
            EndpointKind::CronJob => (
                object
                    .spec
                    .and_then(|s| s.job_template)
                    .and_then(|j| j.spec)
                    .and_then(|s| s.template),
                "spec.jobTemplate.spec.template",
            ),
            _ => (object.spec.and_then(|s| s.template), "spec.template"),
        };
        let Some(template) = template else {
            self.error(
                diag::MISSING_FIELD,
                self.at_path(node, path, true),
                format!(
                    "missing required field `{path}`: a {} without a pod template runs no pods",
                    kind.as_str()
                ),
            );
            return;
        };
        let template = Template {
            labels: template.metadata.and_then(|m| m.labels),
            spec: template.spec,
            spec_path: endpoint::pod_spec_path(kind),
        };
        let meta = object.metadata.unwrap_or_default();
        self.endpoint(node, kind, &meta, template, None);
    }

    fn endpoint(
        &mut self,
        node: NodeId,
        kind: EndpointKind,
        meta: &Meta,
        template: Template,
        status: Option<super::objects::PodStatus>,
    ) {
        let Some(identity) = self.identity(node, meta, kind.as_str(), true) else {
            return;
        };
        let meta = crate::cilium::PodMeta {
            service_account: template
                .spec
                .as_ref()
                .and_then(|s| s.service_account_name.clone()),
            node: template.spec.as_ref().and_then(|s| s.node_name.clone()),
        };
        if meta != crate::cilium::PodMeta::default() {
            let id = format!("{}/{}", identity.namespace, identity.name);
            self.out.objects.push(Object::PodMeta(id, meta));
        }
        let (pod, address_node) = endpoint::build(self, node, kind, &identity, template, status);
        self.out
            .objects
            .push(Object::Endpoint(pod, identity, node, address_node));
    }

    fn policy(&mut self, node: NodeId, p: NetworkPolicyObject) {
        let meta = p.metadata.unwrap_or_default();
        let Some(identity) = self.identity(node, &meta, "NetworkPolicy", true) else {
            return;
        };
        if let Some(policy) = policy::build(self, node, &identity, p.spec.unwrap_or_default()) {
            self.out
                .objects
                .push(Object::Policy(policy, identity, node));
        }
    }
}

/// The apiVersion a kind is served at (the ones the engine reads).
fn served_version(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "List" | "Namespace" | "Pod" | "ReplicationController" | "Endpoints" => "v1",
        "EndpointSlice" => "discovery.k8s.io/v1",
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => "apps/v1",
        "Job" | "CronJob" => "batch/v1",
        "NetworkPolicy" => "networking.k8s.io/v1",
        "ClusterNetworkPolicy" => crate::cnp::API_VERSION,
        "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy" => crate::cilium::API_VERSION,
        "CiliumCIDRGroup" => super::cilium::CIDR_GROUP_VERSION,
        "Node" => "v1",
        _ => return None,
    })
}

fn workload_kind(kind: &str) -> Option<EndpointKind> {
    Some(match kind {
        "Deployment" => EndpointKind::Deployment,
        "StatefulSet" => EndpointKind::StatefulSet,
        "DaemonSet" => EndpointKind::DaemonSet,
        "ReplicaSet" => EndpointKind::ReplicaSet,
        "ReplicationController" => EndpointKind::ReplicationController,
        "Job" => EndpointKind::Job,
        "CronJob" => EndpointKind::CronJob,
        _ => return None,
    })
}
