//! From the model back to Kubernetes objects and kubectl-style YAML.
//!
//! serde_yaml writes k8s-openapi objects the way `kubectl get -o yaml` does: keys in
//! alphabetical order (so apiVersion, kind, metadata, spec), 2-space indentation, list items
//! flush with their key. Protocols are always written out, as the API server would default
//! them, so nobody has to remember that the default is TCP.

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, LabelSelectorRequirement, ObjectMeta,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::baseline::Output;
use super::{GenerateError, Generated};
use crate::model::{Direction, Peer, Policy, PolicyPort, PortRef};
use crate::selector::Selector;

/// The objects and their YAML stream.
pub(super) fn generated(outputs: &[Output]) -> Result<Generated, GenerateError> {
    let mut policies = Vec::with_capacity(outputs.len());
    let mut documents = Vec::with_capacity(outputs.len());
    for out in outputs {
        let object = network_policy(&out.policy, &out.labels);
        let text = serde_yaml::to_string(&object).map_err(|e| {
            GenerateError(format!(
                "could not write `{}` as YAML: {e}",
                out.policy.id()
            ))
        })?;
        let comment: String = out
            .comment
            .iter()
            .flat_map(|c| c.lines())
            .map(|line| format!("# {line}\n"))
            .collect();
        documents.push(format!("{comment}{text}"));
        policies.push(object);
    }
    Ok(Generated {
        policies,
        yaml: documents.join("---\n"),
        ..Generated::default()
    })
}

/// A model policy as a NetworkPolicy object with `labels` on its metadata.
pub(super) fn network_policy(policy: &Policy, labels: &crate::model::Labels) -> NetworkPolicy {
    let types = policy.declared_types.clone().unwrap_or_else(|| {
        [
            (policy.isolates_ingress, Direction::Ingress),
            (policy.isolates_egress, Direction::Egress),
        ]
        .into_iter()
        .filter_map(|(on, d)| on.then_some(d))
        .collect()
    });
    let ingress = (!policy.ingress.is_empty()).then(|| {
        policy
            .ingress
            .iter()
            .map(|r| NetworkPolicyIngressRule {
                from: peers(&r.peers),
                ports: ports(&r.ports),
            })
            .collect()
    });
    let egress = (!policy.egress.is_empty()).then(|| {
        policy
            .egress
            .iter()
            .map(|r| NetworkPolicyEgressRule {
                to: peers(&r.peers),
                ports: ports(&r.ports),
            })
            .collect()
    });
    NetworkPolicy {
        metadata: ObjectMeta {
            name: Some(policy.name.clone()),
            namespace: Some(policy.namespace.clone()),
            labels: (!labels.is_empty()).then(|| labels.clone()),
            ..ObjectMeta::default()
        },
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(label_selector(&policy.pod_selector)),
            policy_types: Some(types.iter().map(|d| d.as_str().to_string()).collect()),
            ingress,
            egress,
        }),
    }
}

fn peers(peers: &[Peer]) -> Option<Vec<NetworkPolicyPeer>> {
    (!peers.is_empty()).then(|| peers.iter().map(peer).collect())
}

fn peer(p: &Peer) -> NetworkPolicyPeer {
    match p {
        Peer::Pods {
            namespace_selector,
            pod_selector,
        } => NetworkPolicyPeer {
            namespace_selector: namespace_selector.as_ref().map(label_selector),
            pod_selector: pod_selector.as_ref().map(label_selector),
            ip_block: None,
        },
        Peer::IpBlock { cidr, except } => NetworkPolicyPeer {
            ip_block: Some(IPBlock {
                cidr: cidr.to_string(),
                except: (!except.is_empty())
                    .then(|| except.iter().map(|c| c.to_string()).collect()),
            }),
            namespace_selector: None,
            pod_selector: None,
        },
    }
}

fn ports(ports: &[PolicyPort]) -> Option<Vec<NetworkPolicyPort>> {
    (!ports.is_empty()).then(|| {
        ports
            .iter()
            .map(|p| NetworkPolicyPort {
                protocol: Some(p.protocol.as_str().to_string()),
                port: p.port.as_ref().map(|r| match r {
                    PortRef::Number(n) => IntOrString::Int(i32::from(*n)),
                    PortRef::Name(s) => IntOrString::String(s.clone()),
                }),
                end_port: p.end_port.map(i32::from),
            })
            .collect()
    })
}

/// `{}` for the empty selector; otherwise only the parts that are set.
pub(super) fn label_selector(s: &Selector) -> LabelSelector {
    LabelSelector {
        match_labels: (!s.match_labels.is_empty()).then(|| s.match_labels.clone()),
        match_expressions: (!s.match_expressions.is_empty()).then(|| {
            s.match_expressions
                .iter()
                .map(|r| LabelSelectorRequirement {
                    key: r.key.clone(),
                    operator: r.operator.as_str().to_string(),
                    values: (!r.values.is_empty()).then(|| r.values.clone()),
                })
                .collect()
        }),
    }
}
