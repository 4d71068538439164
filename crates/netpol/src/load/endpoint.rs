//! Pods and workloads → endpoints: labels, container ports (for named ports), the pod IPs
//! a manifest gives, and for a host-network pod without them the node it takes its
//! address from.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::document::{Cx, Identity};
use super::objects::{PodSpec, PodStatus};
use crate::diag;
use crate::model::{ContainerPort, EndpointKind, Pod};
use crate::ports::Protocol;
use crate::yaml::NodeId;

/// The pod side of an object: a Pod's own, or a workload's template.
pub(crate) struct Template {
    pub labels: Option<BTreeMap<String, String>>,
    pub spec: Option<PodSpec>,
    /// Where `spec` is in the object, for diagnostics.
    pub spec_path: &'static str,
}

/// Where the pod spec is in an object of `kind`: a Pod's own, or a workload's template.
pub(crate) fn pod_spec_path(kind: EndpointKind) -> &'static str {
    match kind {
        EndpointKind::Pod => "spec",
        EndpointKind::CronJob => "spec.jobTemplate.spec.template.spec",
        _ => "spec.template.spec",
    }
}

/// The endpoint of an object whose identity was validated, and the node whose address it
/// takes (see [`address_node`]); the loader resolves that node once every document is read.
pub(crate) fn build(
    cx: &mut Cx<'_>,
    node: NodeId,
    kind: EndpointKind,
    identity: &Identity,
    template: Template,
    status: Option<PodStatus>,
) -> (Pod, Option<String>) {
    let ports = container_ports(cx, node, &template);
    let ips = status.map(|s| pod_ips(cx, node, s)).unwrap_or_default();
    let host_network = template
        .spec
        .as_ref()
        .and_then(|s| s.host_network)
        .unwrap_or(false);
    let address_node = address_node(host_network, &ips, template.spec.as_ref());
    let pod = Pod {
        namespace: identity.namespace.clone(),
        name: identity.name.clone(),
        kind,
        labels: template.labels.unwrap_or_default(),
        ports,
        ips,
        host_network,
        origin: Some(cx.at(node, false)),
    };
    (pod, address_node)
}

/// The node whose address a pod has: a host-network pod shares its node's network
/// namespace, so the kubelet reports the node's IPs as its pod IPs. Only needed when the
/// manifest gives no pod IP (IPs it gives are what the kubelet reported, and win).
fn address_node(host_network: bool, ips: &[IpAddr], spec: Option<&PodSpec>) -> Option<String> {
    if !host_network || !ips.is_empty() {
        return None;
    }
    spec.and_then(|s| s.node_name.clone())
        .filter(|n| !n.is_empty())
}

fn container_ports(cx: &mut Cx<'_>, node: NodeId, template: &Template) -> Vec<ContainerPort> {
    let mut out = Vec::new();
    let containers = template
        .spec
        .as_ref()
        .and_then(|s| s.containers.as_deref())
        .unwrap_or(&[]);
    for (ci, container) in containers.iter().enumerate() {
        for (pi, p) in container.ports.iter().flatten().enumerate() {
            let path = format!("{}.containers[{ci}].ports[{pi}]", template.spec_path);
            let Some(port) = u16::try_from(p.container_port).ok().filter(|n| *n > 0) else {
                cx.error(
                    diag::INVALID_VALUE,
                    cx.at_path(node, &format!("{path}.containerPort"), false),
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
                        bad_protocol(cx, node, &format!("{path}.protocol"), s);
                        continue;
                    }
                },
            };
            out.push(ContainerPort {
                name: p.name.clone(),
                port,
                protocol,
            });
        }
    }
    out
}

fn pod_ips(cx: &mut Cx<'_>, node: NodeId, status: PodStatus) -> Vec<IpAddr> {
    let mut ips = Vec::new();
    let listed = status.pod_ips.into_iter().flatten().map(|p| p.ip);
    for ip in status.pod_ip.into_iter().chain(listed) {
        match ip.parse::<IpAddr>() {
            Ok(a) if !ips.contains(&a) => ips.push(a),
            Ok(_) => {}
            Err(_) => {
                cx.error(
                    diag::INVALID_VALUE,
                    cx.at_path(node, "status", true),
                    format!("`{ip}` is not an IP address"),
                );
            }
        }
    }
    ips
}

/// An unknown protocol, with the fix when only the case is wrong.
pub(crate) fn bad_protocol(cx: &mut Cx<'_>, node: NodeId, path: &str, written: &str) {
    let upper = written.to_ascii_uppercase();
    let help = if Protocol::parse(&upper).is_some() {
        format!("protocols are upper case: write `{upper}`")
    } else {
        "use `TCP`, `UDP` or `SCTP`".to_string()
    };
    cx.error(
        diag::INVALID_VALUE,
        cx.at_path(node, path, false),
        format!("unsupported protocol `{written}`"),
    )
    .help(help);
}
