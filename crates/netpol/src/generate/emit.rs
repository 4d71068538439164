//! From the model back to Kubernetes objects and kubectl-style YAML.
//!
//! The objects are k8s-openapi's types; their YAML is written the way `kubectl get -o yaml`
//! writes it (keys in alphabetical order, so apiVersion, kind, metadata, spec; 2-space
//! indentation; list items flush with their key) by the engine's own writer, which quotes
//! every string YAML 1.1 or 1.2 would read as something else (a label value `"yes"` stays a
//! string for kubectl). Protocols are always written out, as the API server would default
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
use crate::yaml::{self, Yaml};

/// The objects and their YAML stream.
pub(super) fn generated(outputs: &[Output]) -> Result<Generated, GenerateError> {
    let mut policies = Vec::with_capacity(outputs.len());
    let mut documents = Vec::with_capacity(outputs.len());
    for out in outputs {
        let object = network_policy(&out.policy, &out.labels);
        let text = yaml::emit::to_string(&policy_yaml(&object));
        documents.push(format!("{}{text}", comment_lines(out)));
        policies.push(object);
    }
    Ok(Generated {
        policies,
        yaml: documents.join("---\n"),
        ..Generated::default()
    })
}

/// The output's comment as YAML comment lines, to go above its document.
pub(super) fn comment_lines(out: &Output) -> String {
    out.comment
        .iter()
        .flat_map(|c| c.lines())
        .map(|line| format!("# {line}\n"))
        .collect()
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

/// The YAML of a NetworkPolicy object, keys sorted as kubectl sorts them.
fn policy_yaml(p: &NetworkPolicy) -> Yaml {
    let metadata = Yaml::map([
        ("labels", p.metadata.labels.as_ref().map(string_map)),
        ("name", p.metadata.name.clone().map(Yaml::Str)),
        ("namespace", p.metadata.namespace.clone().map(Yaml::Str)),
    ]);
    let spec = p.spec.as_ref().map(|s| {
        Yaml::map([
            (
                "egress",
                s.egress.as_ref().map(|rules| {
                    Yaml::Seq(
                        rules
                            .iter()
                            .map(|r| rule_yaml(r.ports.as_deref(), "to", r.to.as_deref()))
                            .collect(),
                    )
                }),
            ),
            (
                "ingress",
                s.ingress.as_ref().map(|rules| {
                    Yaml::Seq(
                        rules
                            .iter()
                            .map(|r| rule_yaml(r.ports.as_deref(), "from", r.from.as_deref()))
                            .collect(),
                    )
                }),
            ),
            ("podSelector", s.pod_selector.as_ref().map(selector_yaml)),
            ("policyTypes", s.policy_types.as_ref().map(|t| strings(t))),
        ])
    });
    Yaml::map([
        ("apiVersion", Some(Yaml::str("networking.k8s.io/v1"))),
        ("kind", Some(Yaml::str("NetworkPolicy"))),
        ("metadata", Some(metadata)),
        ("spec", spec),
    ])
}

fn rule_yaml(
    ports: Option<&[NetworkPolicyPort]>,
    peers_key: &'static str,
    peers: Option<&[NetworkPolicyPeer]>,
) -> Yaml {
    // kubectl's key order: `from`/`to` before `ports`.
    Yaml::map([
        (
            peers_key,
            peers.map(|ps| Yaml::Seq(ps.iter().map(peer_yaml).collect())),
        ),
        (
            "ports",
            ports.map(|ps| Yaml::Seq(ps.iter().map(port_yaml).collect())),
        ),
    ])
}

fn peer_yaml(p: &NetworkPolicyPeer) -> Yaml {
    Yaml::map([
        (
            "ipBlock",
            p.ip_block.as_ref().map(|b| {
                Yaml::map([
                    ("cidr", Some(Yaml::str(b.cidr.clone()))),
                    ("except", b.except.as_ref().map(|e| strings(e))),
                ])
            }),
        ),
        (
            "namespaceSelector",
            p.namespace_selector.as_ref().map(selector_yaml),
        ),
        ("podSelector", p.pod_selector.as_ref().map(selector_yaml)),
    ])
}

fn port_yaml(p: &NetworkPolicyPort) -> Yaml {
    Yaml::map([
        ("endPort", p.end_port.map(|e| Yaml::Int(e.into()))),
        (
            "port",
            p.port.as_ref().map(|port| match port {
                IntOrString::Int(n) => Yaml::Int((*n).into()),
                IntOrString::String(s) => Yaml::str(s.clone()),
            }),
        ),
        ("protocol", p.protocol.clone().map(Yaml::Str)),
    ])
}

pub(super) fn selector_yaml(s: &LabelSelector) -> Yaml {
    Yaml::map([
        (
            "matchExpressions",
            s.match_expressions.as_ref().map(|reqs| {
                Yaml::Seq(
                    reqs.iter()
                        .map(|r| {
                            Yaml::map([
                                ("key", Some(Yaml::str(r.key.clone()))),
                                ("operator", Some(Yaml::str(r.operator.clone()))),
                                ("values", r.values.as_ref().map(|v| strings(v))),
                            ])
                        })
                        .collect(),
                )
            }),
        ),
        ("matchLabels", s.match_labels.as_ref().map(string_map)),
    ])
}

fn string_map(m: &std::collections::BTreeMap<String, String>) -> Yaml {
    Yaml::Map(
        m.iter()
            .map(|(k, v)| (k.clone(), Yaml::str(v.clone())))
            .collect(),
    )
}

fn strings(items: &[String]) -> Yaml {
    Yaml::Seq(items.iter().map(|s| Yaml::str(s.clone())).collect())
}
