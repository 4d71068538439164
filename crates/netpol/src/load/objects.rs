//! The parts of Kubernetes objects the engine reads, as serde types.
//!
//! NetworkPolicy's spec, label selectors, container ports and pod IPs are k8s-openapi's
//! own types. Object metadata, pods and workloads are slim types of our own: they read
//! exactly the fields NetworkPolicy semantics look at and skip the rest unread, so no
//! deserializer for `PodSpec`, `Volume` or timestamps is compiled into the browser build
//! (issue 9 measured them among the largest functions of the old build).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ContainerPort, PodIP};
use k8s_openapi::api::networking::v1::NetworkPolicySpec;
use serde::Deserialize;

/// `metadata`: what identifies an object and what selectors match.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Meta {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub labels: Option<BTreeMap<String, String>>,
    /// Not used by the engine, but a wrong type here makes kubectl refuse the object.
    #[expect(dead_code, reason = "decoded for its type check only")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[expect(dead_code, reason = "decoded for its type check only")]
    pub generate_name: Option<String>,
}

/// An object of which only the metadata is decoded: a Namespace (labels for
/// namespaceSelectors), and the API server's EndpointSlice or Endpoints, whose addresses
/// `apiserver.rs` reads from the tree.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct MetadataObject {
    pub metadata: Option<Meta>,
}

/// A NetworkPolicy: our metadata type, k8s-openapi's spec.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct NetworkPolicyObject {
    pub metadata: Option<Meta>,
    pub spec: Option<NetworkPolicySpec>,
}

/// A Pod: metadata, the containers' ports, `hostNetwork`, `nodeName` and its IPs.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct PodObject {
    pub metadata: Option<Meta>,
    pub spec: Option<PodSpec>,
    pub status: Option<PodStatus>,
}

/// The part of a pod spec NetworkPolicy looks at.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodSpec {
    pub containers: Option<Vec<Container>>,
    pub host_network: Option<bool>,
    /// The node the pod runs on: a host-network pod's address is that node's.
    pub node_name: Option<String>,
    /// Part of a pod's Cilium identity (`io.cilium.k8s.policy.serviceaccount`).
    pub service_account_name: Option<String>,
}

/// A container, for its ports (named ports resolve against them).
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct Container {
    pub ports: Option<Vec<ContainerPort>>,
}

/// Pod IPs, when a manifest (say `kubectl get -o yaml`) gives them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodStatus {
    #[serde(rename = "podIP")]
    pub pod_ip: Option<String>,
    #[serde(rename = "podIPs")]
    pub pod_ips: Option<Vec<PodIP>>,
}

/// A pod template (`spec.template` of a workload).
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct PodTemplate {
    pub metadata: Option<Meta>,
    pub spec: Option<PodSpec>,
}

/// Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob:
/// metadata and the pod template, wherever the kind keeps it.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct WorkloadObject {
    pub metadata: Option<Meta>,
    pub spec: Option<WorkloadSpec>,
}

/// `spec` of a workload: a pod template, or a CronJob's job template.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorkloadSpec {
    pub template: Option<PodTemplate>,
    pub job_template: Option<JobTemplate>,
}

/// A CronJob's `spec.jobTemplate`.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct JobTemplate {
    pub spec: Option<JobSpec>,
}

/// A CronJob's `spec.jobTemplate.spec`.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct JobSpec {
    pub template: Option<PodTemplate>,
}
