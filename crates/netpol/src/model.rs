//! The evaluated world: namespaces, endpoints (pods and workloads) and NetworkPolicies,
//! reduced to exactly what NetworkPolicy semantics look at.
//!
//! The loader builds a [`Cluster`] from manifests; the generator and the web app may also
//! build one by hand (drawn pods). Everything here is plain data: evaluation lives in
//! `eval`, `matrix` and `connectivity`.

use std::collections::BTreeMap;
use std::fmt;

use crate::cidr::Cidr;
use crate::ports::Protocol;
use crate::selector::Selector;

/// Labels of an object, sorted by key so output is stable.
pub type Labels = BTreeMap<String, String>;

/// The label that Kubernetes puts on every namespace (since 1.22).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Where an object or a field came from: a source (by index into the loaded sources)
/// and a byte range inside that source's text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Origin {
    /// Name of the source (file name, or "manifests" in the app).
    pub source: String,
    /// Byte offset where the object or field starts.
    pub start: usize,
    /// Byte offset where it ends (exclusive).
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column (in characters) of `start`.
    pub column: usize,
}

/// A namespace. Namespaces that pods or policies name but no manifest declares still
/// exist, carrying only the automatic `kubernetes.io/metadata.name` label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Namespace {
    /// `metadata.name`, a DNS label: the key pods and policies refer to it by.
    pub name: String,
    /// Labels, always including `kubernetes.io/metadata.name=<name>`.
    pub labels: Labels,
    /// True when a `kind: Namespace` manifest declared it.
    pub declared: bool,
    /// Where it was declared, when it was.
    pub origin: Option<Origin>,
}

impl Namespace {
    /// A namespace with only the automatic name label.
    pub fn implicit(name: &str) -> Self {
        let mut labels = Labels::new();
        labels.insert(NAMESPACE_NAME_LABEL.to_string(), name.to_string());
        Namespace {
            name: name.to_string(),
            labels,
            declared: false,
            origin: None,
        }
    }
}

/// What kind of object an endpoint stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EndpointKind {
    /// A bare Pod: the only kind whose manifest may carry pod IPs (`status.podIPs`).
    Pod,
    /// A Deployment's pod template (`spec.template`).
    Deployment,
    /// A StatefulSet's pod template (`spec.template`).
    StatefulSet,
    /// A DaemonSet's pod template (`spec.template`): one pod per node.
    DaemonSet,
    /// A ReplicaSet's pod template (`spec.template`).
    ReplicaSet,
    /// A ReplicationController's pod template (core/v1, the ReplicaSet's predecessor).
    ReplicationController,
    /// A Job's pod template (`spec.template`).
    Job,
    /// A CronJob's job template's pod template.
    CronJob,
}

impl EndpointKind {
    /// The manifest `kind` string (`Deployment`), as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointKind::Pod => "Pod",
            EndpointKind::Deployment => "Deployment",
            EndpointKind::StatefulSet => "StatefulSet",
            EndpointKind::DaemonSet => "DaemonSet",
            EndpointKind::ReplicaSet => "ReplicaSet",
            EndpointKind::ReplicationController => "ReplicationController",
            EndpointKind::Job => "Job",
            EndpointKind::CronJob => "CronJob",
        }
    }
}

/// A container port a pod exposes (used to resolve named ports).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContainerPort {
    /// Port name, if any (`http`).
    pub name: Option<String>,
    /// `containerPort` (1-65535), what a named policy port resolves to.
    pub port: u16,
    /// Protocol (TCP when the manifest leaves it out).
    pub protocol: Protocol,
}

/// A pod, or a workload's pod template standing for all its replicas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pod {
    /// `metadata.namespace`; `default` when the manifest leaves it out.
    pub namespace: String,
    /// Pod name, or the workload's name.
    pub name: String,
    /// What manifest it came from.
    pub kind: EndpointKind,
    /// Pod labels (a workload's template labels).
    pub labels: Labels,
    /// Container ports across all containers.
    pub ports: Vec<ContainerPort>,
    /// Pod IPs when the manifest gives them (`status.podIP`, `status.podIPs`); for a
    /// host-network pod without them, the IPs of its node (`spec.nodeName`) when the
    /// input has that Node, as the kubelet would report them.
    pub ips: Vec<std::net::IpAddr>,
    /// `spec.hostNetwork: true` (a workload's in its pod template): the pod uses its
    /// node's network namespace and IPs. Kubernetes leaves NetworkPolicy undefined for
    /// such pods; the evaluator treats them like every other pod, and lint NP221 says so
    /// wherever a policy depends on it.
    pub host_network: bool,
    /// The whole manifest's place; `None` for pods drawn on the diagram or built by hand.
    pub origin: Option<Origin>,
}

impl Pod {
    /// `namespace/name`, the id used everywhere (CLI, JSON, diagram).
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Resolves a named port on this pod for `protocol`.
    pub fn named_port(&self, name: &str, protocol: Protocol) -> Option<u16> {
        self.ports
            .iter()
            .find(|p| p.protocol == protocol && p.name.as_deref() == Some(name))
            .map(|p| p.port)
    }
}

/// A port (number or name) as written in a policy.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PortRef {
    /// `port: 80`
    Number(u16),
    /// `port: http`, resolved against the destination pod's container ports.
    Name(String),
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(s) => f.write_str(s),
        }
    }
}

/// One entry of a rule's `ports` list.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicyPort {
    /// `protocol`; TCP when the manifest leaves it out.
    pub protocol: Protocol,
    /// The port; `None` means every port of the protocol.
    pub port: Option<PortRef>,
    /// Inclusive end of a range starting at a numeric `port`.
    pub end_port: Option<u16>,
}

/// One entry of a rule's `from`/`to` list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Peer {
    /// podSelector and/or namespaceSelector (both present means AND).
    Pods {
        /// `namespaceSelector`; `None` means the policy's own namespace.
        namespace_selector: Option<Selector>,
        /// `podSelector`; `None` means every pod of the selected namespaces.
        pod_selector: Option<Selector>,
    },
    /// `ipBlock`: addresses in `cidr` and in none of `except`. Matched against the
    /// connection's address as the plugin sees it, which for pod-to-pod traffic is
    /// usually the pod IP.
    IpBlock {
        /// `cidr`, with its prefix length (`10.0.0.0/8`).
        cidr: Cidr,
        /// `except`: sub-ranges of `cidr` left out; empty when absent.
        except: Vec<Cidr>,
    },
}

/// One ingress or egress rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `from`/`to`; empty means every peer (inside and outside the cluster).
    pub peers: Vec<Peer>,
    /// `ports`; empty means every port and protocol.
    pub ports: Vec<PolicyPort>,
    /// Where the rule was written.
    pub origin: Option<Origin>,
}

/// A traffic direction, seen from the pod a policy selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Traffic into the selected pod.
    Ingress,
    /// Traffic out of the selected pod.
    Egress,
}

impl Direction {
    /// `Ingress` / `Egress`, as in `policyTypes`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
}

/// A NetworkPolicy, with `policyTypes` already defaulted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// `metadata.namespace`: the policy selects pods of this namespace only, and a
    /// podSelector-only peer means pods of this namespace.
    pub namespace: String,
    /// `metadata.name`, unique per namespace (the later of two duplicates wins).
    pub name: String,
    /// `spec.podSelector`; the empty selector selects every pod of the namespace.
    pub pod_selector: Selector,
    /// True when the policy isolates selected pods for ingress.
    pub isolates_ingress: bool,
    /// True when the policy isolates selected pods for egress.
    pub isolates_egress: bool,
    /// `policyTypes` exactly as written (`None` when absent).
    pub declared_types: Option<Vec<Direction>>,
    /// Ingress rules (ignored unless `isolates_ingress`).
    pub ingress: Vec<Rule>,
    /// Egress rules (ignored unless `isolates_egress`).
    pub egress: Vec<Rule>,
    /// Where the policy was written.
    pub origin: Option<Origin>,
}

impl Policy {
    /// `namespace/name`: how diagnostics, explanations and diffs name the policy.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Whether this policy isolates its pods in `direction`.
    pub fn isolates(&self, direction: Direction) -> bool {
        match direction {
            Direction::Ingress => self.isolates_ingress,
            Direction::Egress => self.isolates_egress,
        }
    }

    /// The rules that count in `direction` (none when the policy does not isolate it).
    pub fn rules(&self, direction: Direction) -> &[Rule] {
        match direction {
            Direction::Ingress if self.isolates_ingress => &self.ingress,
            Direction::Egress if self.isolates_egress => &self.egress,
            _ => &[],
        }
    }
}

/// A node, known only for what ClusterNetworkPolicy `nodes` peers look at: its labels and
/// the IP addresses in `status.addresses`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// `metadata.name` (cluster-scoped: no namespace).
    pub name: String,
    /// Node labels (`kubernetes.io/os: linux`, ...).
    pub labels: Labels,
    /// The addresses of `status.addresses` that are IPs (InternalIP, ExternalIP).
    pub addresses: Vec<std::net::IpAddr>,
    /// The manifest's place; `None` for nodes built by hand.
    pub origin: Option<Origin>,
}

/// Everything the evaluator needs. Built by [`crate::load()`] or by hand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cluster {
    /// Namespaces, sorted by name, including implicit ones.
    pub namespaces: Vec<Namespace>,
    /// Pods and workloads, in manifest order.
    pub pods: Vec<Pod>,
    /// NetworkPolicies, in manifest order.
    pub policies: Vec<Policy>,
    /// ClusterNetworkPolicies (Admin and Baseline tiers), in manifest order.
    pub cluster_policies: Vec<crate::cnp::ClusterNetworkPolicy>,
    /// Nodes, for ClusterNetworkPolicy `nodes` peers and Cilium's `host`/`remote-node`.
    pub nodes: Vec<Node>,
    /// CiliumNetworkPolicies, CiliumClusterwideNetworkPolicies and what their evaluation
    /// needs (CIDR groups, pods' service accounts and nodes).
    pub cilium: crate::cilium::CiliumObjects,
    /// True when a kustomization.yaml with `commonLabels` was among the inputs.
    pub kustomize_common_labels: bool,
    /// True when a kustomization.yaml of any kind was among the inputs (with
    /// `kustomize_common_labels` false: it leaves selectors alone).
    pub kustomization: bool,
}

impl Cluster {
    /// Finds a namespace by name.
    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.name == name)
    }

    /// The labels of namespace `name` (only the automatic name label when no manifest
    /// declares it).
    pub fn namespace_labels(&self, name: &str) -> std::borrow::Cow<'_, Labels> {
        match self.namespace(name) {
            Some(n) => std::borrow::Cow::Borrowed(&n.labels),
            None => std::borrow::Cow::Owned(Namespace::implicit(name).labels),
        }
    }

    /// Finds a pod by `namespace/name`.
    pub fn pod(&self, id: &str) -> Option<&Pod> {
        let (ns, name) = id.split_once('/')?;
        self.pods
            .iter()
            .find(|p| p.namespace == ns && p.name == name)
    }

    /// Index of a pod by `namespace/name`.
    pub fn pod_index(&self, id: &str) -> Option<usize> {
        let (ns, name) = id.split_once('/')?;
        self.pods
            .iter()
            .position(|p| p.namespace == ns && p.name == name)
    }

    /// Adds any namespace that pods or policies name but no manifest declared, and the
    /// automatic name label to every namespace; keeps namespaces sorted by name.
    pub fn complete_namespaces(&mut self) {
        let mut known: std::collections::HashSet<String> =
            self.namespaces.iter().map(|n| n.name.clone()).collect();
        let named = self.pods.iter().map(|p| &p.namespace);
        let named = named.chain(self.policies.iter().map(|p| &p.namespace));
        let mut missing = Vec::new();
        for name in named {
            if !known.contains(name.as_str()) {
                known.insert(name.clone());
                missing.push(Namespace::implicit(name));
            }
        }
        self.namespaces.append(&mut missing);
        for ns in &mut self.namespaces {
            if ns.labels.get(NAMESPACE_NAME_LABEL) != Some(&ns.name) {
                ns.labels
                    .insert(NAMESPACE_NAME_LABEL.to_string(), ns.name.clone());
            }
        }
        crate::sorting::sort_by(&mut self.namespaces, |a, b| a.name.cmp(&b.name));
    }
}
