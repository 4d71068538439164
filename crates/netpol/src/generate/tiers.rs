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

use super::baseline::{dns_pods, team_namespaces, DocsDefault};
use super::emit::{label_selector, selector_yaml};
use super::identity::Selectors;
use super::plan::PeerKey;
use super::GenerateError;
use crate::cidr::Cidr;
use crate::cnp::{Action, ClusterNetworkPolicy, CnpPeer, CnpPort, CnpRule, Subject, Tier};
use crate::model::{Cluster, NAMESPACE_NAME_LABEL};
use crate::names::private_ranges;
use crate::ports::Protocol;
use crate::selector::{Operator, Requirement, Selector};
use crate::yaml::Yaml;

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
    let text = crate::yaml::emit::to_string(&policy_yaml(policy));
    let comment: String = COMMENT.lines().map(|l| format!("# {l}\n")).collect();
    Ok(format!("{comment}{text}"))
}

/// A model ClusterNetworkPolicy as the object kubectl applies, fields in the API's order.
fn policy_yaml(policy: &ClusterNetworkPolicy) -> Yaml {
    let subject = match &policy.subject {
        Subject::Namespaces(ns) => Yaml::map([("namespaces", Some(selector(ns)))]),
        Subject::Pods {
            namespace_selector,
            pod_selector,
        } => Yaml::map([(
            "pods",
            Some(namespaced_pod(namespace_selector, pod_selector)),
        )]),
    };
    let rules = |rules: &[CnpRule], list: &'static str| {
        (!rules.is_empty()).then(|| Yaml::Seq(rules.iter().map(|r| rule_yaml(r, list)).collect()))
    };
    let spec = Yaml::map([
        ("tier", Some(Yaml::str(policy.tier.as_str()))),
        ("priority", Some(Yaml::Int(i64::from(policy.priority)))),
        ("subject", Some(subject)),
        ("ingress", rules(&policy.ingress, "from")),
        ("egress", rules(&policy.egress, "to")),
    ]);
    Yaml::map([
        ("apiVersion", Some(Yaml::str(crate::cnp::API_VERSION))),
        ("kind", Some(Yaml::str("ClusterNetworkPolicy"))),
        (
            "metadata",
            Some(Yaml::map([("name", Some(Yaml::str(policy.name.clone())))])),
        ),
        ("spec", Some(spec)),
    ])
}

fn selector(s: &Selector) -> Yaml {
    selector_yaml(&label_selector(s))
}

fn namespaced_pod(namespaces: &Selector, pods: &Selector) -> Yaml {
    Yaml::map([
        ("namespaceSelector", Some(selector(namespaces))),
        ("podSelector", Some(selector(pods))),
    ])
}

fn rule_yaml(rule: &CnpRule, list: &'static str) -> Yaml {
    Yaml::map([
        ("name", rule.name.clone().map(Yaml::Str)),
        ("action", Some(Yaml::str(rule.action.as_str()))),
        (
            list,
            Some(Yaml::Seq(rule.peers.iter().map(peer_yaml).collect())),
        ),
        (
            "protocols",
            (!rule.ports.is_empty()).then(|| Yaml::Seq(rule.ports.iter().map(port_yaml).collect())),
        ),
    ])
}

fn peer_yaml(peer: &CnpPeer) -> Yaml {
    let strings =
        |items: &mut dyn Iterator<Item = String>| Yaml::Seq(items.map(Yaml::Str).collect());
    match peer {
        CnpPeer::Namespaces(ns) => Yaml::map([("namespaces", Some(selector(ns)))]),
        CnpPeer::Pods {
            namespace_selector,
            pod_selector,
        } => Yaml::map([(
            "pods",
            Some(namespaced_pod(namespace_selector, pod_selector)),
        )]),
        CnpPeer::Nodes(sel) => Yaml::map([("nodes", Some(selector(sel)))]),
        CnpPeer::Networks(cidrs) => Yaml::map([(
            "networks",
            Some(strings(&mut cidrs.iter().map(Cidr::to_string))),
        )]),
        CnpPeer::DomainNames(names) => {
            Yaml::map([("domainNames", Some(strings(&mut names.iter().cloned())))])
        }
    }
}

fn port_yaml(port: &CnpPort) -> Yaml {
    match port {
        CnpPort::Ports {
            protocol,
            start,
            end,
        } => {
            let destination = if start == end {
                Yaml::map([("number", Some(Yaml::Int(i64::from(*start))))])
            } else {
                Yaml::map([(
                    "range",
                    Some(Yaml::map([
                        ("start", Some(Yaml::Int(i64::from(*start)))),
                        ("end", Some(Yaml::Int(i64::from(*end)))),
                    ])),
                )])
            };
            let field = match protocol {
                Protocol::Tcp => "tcp",
                Protocol::Udp => "udp",
                Protocol::Sctp => "sctp",
            };
            Yaml::map([(
                field,
                Some(Yaml::map([("destinationPort", Some(destination))])),
            )])
        }
        CnpPort::Named(name) => {
            Yaml::map([("destinationNamedPort", Some(Yaml::str(name.clone())))])
        }
    }
}
