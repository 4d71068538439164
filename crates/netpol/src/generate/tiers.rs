//! The `cluster-baseline` option: the docs' `namespace-default` written once, as a
//! Baseline-tier ClusterNetworkPolicy whose subject is the team namespaces, instead of one
//! NetworkPolicy per namespace.
//!
//! Rules are tried in order, so the NetworkPolicy's "allow these, deny the rest" becomes:
//! accept the ingress controller, deny every other pod; accept kube-dns, deny every other
//! pod, deny the private ranges and IPv6; what is left (public IPv4 addresses) falls through
//! to the default, allowed. Pods are denied by selector before the address rules, because a
//! pod's IP is rarely in the input. One difference cannot be written: ClusterNetworkPolicy
//! ingress rules select pods only, so traffic from outside the cluster straight to a pod
//! stays allowed where `namespace-default` denied it; the YAML says so.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::baseline::{dns_pods, team_namespaces, DocsDefault};
use super::emit::label_selector;
use super::identity::Selectors;
use super::plan::PeerKey;
use super::GenerateError;
use crate::cidr::Cidr;
use crate::cnp::api;
use crate::cnp::{Action, ClusterNetworkPolicy, CnpPeer, CnpPort, CnpRule, Subject, Tier};
use crate::model::{Cluster, NAMESPACE_NAME_LABEL};
use crate::names::private_ranges;
use crate::selector::{Operator, Requirement, Selector};

/// The policy's name.
const NAME: &str = "namespace-default";
/// Its priority in the Baseline tier: room on both sides for the platform's own.
const PRIORITY: u16 = 100;

const COMMENT: &str =
    "The docs' namespace-default for every team namespace, as one Baseline-tier policy:\n\
a NetworkPolicy that selects a pod replaces it for that pod and direction. Traffic from\n\
outside the cluster straight to a pod cannot be matched by a ClusterNetworkPolicy ingress\n\
rule: it stays allowed.";

/// The Baseline policy for the team namespaces of `cluster`; `None` when there are none.
pub(super) fn cluster_baseline(
    cluster: &Cluster,
    selectors: &Selectors,
) -> Option<ClusterNetworkPolicy> {
    let team: Vec<&str> = team_namespaces(cluster).into_iter().collect();
    if team.is_empty() {
        return None;
    }
    let defaults: DocsDefault = super::baseline::docs_default_peers(cluster, selectors);
    let pods_of = |key: &PeerKey| match key {
        PeerKey::Pods { namespace, pod } => Some(CnpPeer::Pods {
            namespace_selector: namespace.clone().unwrap_or_default(),
            pod_selector: pod.clone().unwrap_or_default(),
        }),
        PeerKey::Block { .. } => None,
    };
    let every_pod = CnpPeer::Namespaces(Selector::everything());
    // The IPv4 private ranges, and all of IPv6 (the docs' block is IPv4's `0.0.0.0/0`).
    let mut addresses: Vec<Cidr> = private_ranges().into_iter().filter(Cidr::is_ipv4).collect();
    addresses.extend(Cidr::parse("::/0", false).ok());
    let ingress = vec![
        rule(
            "accept-ingress-controller",
            Action::Accept,
            defaults.ingress.iter().filter_map(pods_of).collect(),
        ),
        rule("deny-other-pods", Action::Deny, vec![every_pod.clone()]),
    ];
    let egress = vec![
        rule(
            "accept-kube-dns",
            Action::Accept,
            vec![CnpPeer::Pods {
                namespace_selector: Selector::everything(),
                pod_selector: dns_pods(selectors),
            }],
        ),
        rule("deny-other-pods", Action::Deny, vec![every_pod]),
        rule(
            "deny-private-ranges-and-ipv6",
            Action::Deny,
            vec![CnpPeer::Networks(addresses)],
        ),
    ];
    Some(ClusterNetworkPolicy {
        name: NAME.to_string(),
        tier: Tier::Baseline,
        priority: PRIORITY,
        subject: Subject::Namespaces(team_selector(&team, selectors)),
        ingress,
        egress,
        origin: None,
    })
}

fn rule(name: &str, action: Action, peers: Vec<CnpPeer>) -> CnpRule {
    CnpRule {
        name: Some(name.to_string()),
        action,
        peers,
        ports: Vec::new(),
        origin: None,
    }
}

/// The team namespaces, by the namespace label the options choose when each of them has a
/// distinct value for it, else by name.
fn team_selector(team: &[&str], selectors: &Selectors) -> Selector {
    let single: Vec<(String, String)> = team
        .iter()
        .filter_map(|ns| {
            let sel = selectors.namespace_selector(ns);
            let mut labels = sel.match_labels.into_iter();
            match (labels.next(), labels.next()) {
                (Some(kv), None) if sel.match_expressions.is_empty() => Some(kv),
                _ => None,
            }
        })
        .collect();
    let key = single.first().map(|(k, _)| k.clone());
    let (key, values) = match key {
        Some(key) if single.len() == team.len() && single.iter().all(|(k, _)| *k == key) => {
            (key, single.into_iter().map(|(_, v)| v).collect())
        }
        _ => (
            NAMESPACE_NAME_LABEL.to_string(),
            team.iter().map(|s| s.to_string()).collect(),
        ),
    };
    Selector {
        match_labels: Default::default(),
        match_expressions: vec![Requirement {
            key,
            operator: Operator::In,
            values,
        }],
    }
}

/// The policy as a YAML document with its comment.
pub(super) fn yaml(policy: &ClusterNetworkPolicy) -> Result<String, GenerateError> {
    let text = serde_yaml::to_string(&object(policy))
        .map_err(|e| GenerateError(format!("could not write `{}` as YAML: {e}", policy.name)))?;
    let comment: String = COMMENT.lines().map(|l| format!("# {l}\n")).collect();
    Ok(format!("{comment}{text}"))
}

/// A model ClusterNetworkPolicy as the object kubectl applies.
pub(crate) fn object(policy: &ClusterNetworkPolicy) -> api::ClusterNetworkPolicyObject {
    let subject = match &policy.subject {
        Subject::Namespaces(ns) => api::Subject {
            namespaces: Some(label_selector(ns)),
            pods: None,
        },
        Subject::Pods {
            namespace_selector,
            pod_selector,
        } => api::Subject {
            namespaces: None,
            pods: Some(namespaced_pod(namespace_selector, pod_selector)),
        },
    };
    let rules = |rules: &[CnpRule], ingress: bool| {
        (!rules.is_empty()).then(|| rules.iter().map(|r| rule_object(r, ingress)).collect())
    };
    api::ClusterNetworkPolicyObject {
        api_version: Some(crate::cnp::API_VERSION.to_string()),
        kind: Some("ClusterNetworkPolicy".to_string()),
        metadata: ObjectMeta {
            name: Some(policy.name.clone()),
            ..ObjectMeta::default()
        },
        spec: Some(api::Spec {
            tier: Some(policy.tier.as_str().to_string()),
            priority: Some(i64::from(policy.priority)),
            subject: Some(subject),
            ingress: rules(&policy.ingress, true),
            egress: rules(&policy.egress, false),
        }),
    }
}

fn namespaced_pod(namespaces: &Selector, pods: &Selector) -> api::NamespacedPod {
    api::NamespacedPod {
        namespace_selector: Some(label_selector(namespaces)),
        pod_selector: Some(label_selector(pods)),
    }
}

fn rule_object(rule: &CnpRule, ingress: bool) -> api::Rule {
    let peers: Vec<api::Peer> = rule.peers.iter().map(peer_object).collect();
    let (from, to) = if ingress {
        (Some(peers), None)
    } else {
        (None, Some(peers))
    };
    api::Rule {
        name: rule.name.clone(),
        action: Some(rule.action.as_str().to_string()),
        from,
        to,
        protocols: (!rule.ports.is_empty()).then(|| rule.ports.iter().map(port_object).collect()),
    }
}

fn peer_object(peer: &CnpPeer) -> api::Peer {
    let mut out = api::Peer::default();
    match peer {
        CnpPeer::Namespaces(ns) => out.namespaces = Some(label_selector(ns)),
        CnpPeer::Pods {
            namespace_selector,
            pod_selector,
        } => out.pods = Some(namespaced_pod(namespace_selector, pod_selector)),
        CnpPeer::Nodes(sel) => out.nodes = Some(label_selector(sel)),
        CnpPeer::Networks(cidrs) => {
            out.networks = Some(cidrs.iter().map(Cidr::to_string).collect())
        }
        CnpPeer::DomainNames(names) => out.domain_names = Some(names.clone()),
    }
    out
}

fn port_object(port: &CnpPort) -> api::ProtocolMatch {
    let mut out = api::ProtocolMatch::default();
    match port {
        CnpPort::Ports {
            protocol,
            start,
            end,
        } => {
            let destination_port = Some(if start == end {
                api::Port {
                    number: Some(i64::from(*start)),
                    range: None,
                }
            } else {
                api::Port {
                    number: None,
                    range: Some(api::PortRange {
                        start: Some(i64::from(*start)),
                        end: Some(i64::from(*end)),
                    }),
                }
            });
            let m = Some(api::PortMatch { destination_port });
            match protocol {
                crate::ports::Protocol::Tcp => out.tcp = m,
                crate::ports::Protocol::Udp => out.udp = m,
                crate::ports::Protocol::Sctp => out.sctp = m,
            }
        }
        CnpPort::Named(name) => out.destination_named_port = Some(name.clone()),
    }
    out
}
