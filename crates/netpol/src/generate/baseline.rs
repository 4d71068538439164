//! Baselines (what holds before any intent) and the DNS egress rule.
//!
//! Deny-all denies DNS too: a pod under `default-deny` cannot resolve a single name, so
//! every connection by name fails even where an intent allows it. The generator says so in
//! a comment above each `default-deny` and, with the DNS option, adds an `allow-dns` policy
//! per namespace (egress to kube-dns in kube-system, 53/UDP and 53/TCP) and, in
//! kube-system, `allow-dns-queries` (kube-dns accepts queries from every namespace: it is
//! under deny-all too). kube-dns's own egress (upstream resolvers, API server) is left to
//! intents: the generator cannot know where those are.
//!
//! The docs' `namespace-default` goes to team namespaces only. In kube-system it would cut
//! kube-dns off from the pods it serves, and in the ingress controller's namespace it would
//! cut the controller off from every team; so namespaces named `kube-*`, the docs'
//! `system-ingress`, `ingress-nginx`, and any namespace running kube-dns or the ingress
//! controller never get it.

use std::collections::BTreeSet;

use super::identity::Selectors;
use super::plan::{rules, PeerKey, PortSet};
use super::{Baseline, Options};
use crate::cidr::Cidr;
use crate::model::{Cluster, Direction, Labels, Pod, Policy, PolicyPort, PortRef, Rule};
use crate::names::private_ranges;
use crate::ports::Protocol;
use crate::selector::Selector;

/// The namespace kube-dns runs in.
pub(super) const DNS_NAMESPACE: &str = "kube-system";
/// The label kube-dns (and CoreDNS deployed as kube-dns) pods carry.
pub(super) const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");
/// The docs' ingress controller: its pods' label and its namespace.
const INGRESS_LABEL: (&str, &str) = ("app-name", "ingress-nginx");
const INGRESS_NAMESPACE: &str = "system-ingress";
/// Namespaces that are never team namespaces, besides `kube-*`.
const SYSTEM_NAMESPACES: [&str; 2] = [INGRESS_NAMESPACE, "ingress-nginx"];

/// A policy on its way out, with what the YAML shows besides the spec.
#[derive(Clone, Debug)]
pub(super) struct Output {
    pub(super) policy: Policy,
    /// `metadata.labels`.
    pub(super) labels: Labels,
    /// A YAML comment written above the document.
    pub(super) comment: Option<String>,
    /// Baselines first, then DNS, then workloads.
    rank: u8,
}

impl Output {
    /// Namespace, then baselines before workloads, then name.
    pub(super) fn sort_key(&self) -> (&str, u8, &str) {
        (&self.policy.namespace, self.rank, &self.policy.name)
    }

    /// A workload's policy: `policyTypes` lists exactly the directions it has rules for.
    pub(super) fn workload(
        namespace: &str,
        name: &str,
        pod_selector: Selector,
        labels: Labels,
        ingress: Vec<Rule>,
        egress: Vec<Rule>,
    ) -> Output {
        Output {
            policy: policy(namespace, name, pod_selector, ingress, egress, None),
            labels,
            comment: None,
            rank: 2,
        }
    }
}

fn policy(
    namespace: &str,
    name: &str,
    pod_selector: Selector,
    ingress: Vec<Rule>,
    egress: Vec<Rule>,
    types: Option<(bool, bool)>,
) -> Policy {
    let (isolates_ingress, isolates_egress) =
        types.unwrap_or((!ingress.is_empty(), !egress.is_empty()));
    let declared: Vec<Direction> = [
        (isolates_ingress, Direction::Ingress),
        (isolates_egress, Direction::Egress),
    ]
    .into_iter()
    .filter_map(|(on, d)| on.then_some(d))
    .collect();
    Policy {
        namespace: namespace.to_string(),
        name: name.to_string(),
        pod_selector,
        isolates_ingress,
        isolates_egress,
        declared_types: Some(declared),
        ingress,
        egress,
        origin: None,
    }
}

/// The baseline policies the options ask for.
pub(super) fn policies(cluster: &Cluster, selectors: &Selectors, options: &Options) -> Vec<Output> {
    match options.baseline {
        Baseline::None => Vec::new(),
        Baseline::DenyAll => namespaces_with_pods(cluster)
            .into_iter()
            .flat_map(|ns| deny_all(selectors, ns, options.dns))
            .collect(),
        Baseline::DocsDefault => team_namespaces(cluster)
            .into_iter()
            .map(|ns| docs_default(cluster, selectors, ns))
            .collect(),
        // One ClusterNetworkPolicy instead (see `tiers`), no NetworkPolicy.
        Baseline::ClusterBaseline => Vec::new(),
    }
}

fn namespaces_with_pods(cluster: &Cluster) -> BTreeSet<&str> {
    cluster.pods.iter().map(|p| p.namespace.as_str()).collect()
}

fn deny_all(selectors: &Selectors, namespace: &str, dns: bool) -> Vec<Output> {
    let comment = if dns {
        format!(
            "Denies every connection to and from the pods of {namespace}; allow-dns re-opens DNS."
        )
    } else {
        format!(
            "Denies every connection to and from the pods of {namespace}, DNS included: until DNS\n\
             egress is allowed (the generator's DNS option), no pod here can resolve a name."
        )
    };
    let mut out = vec![Output {
        policy: policy(
            namespace,
            "default-deny",
            Selector::everything(),
            Vec::new(),
            Vec::new(),
            Some((true, true)),
        ),
        labels: Labels::new(),
        comment: Some(comment),
        rank: 0,
    }];
    if dns {
        let (peer, ports) = dns_peer(selectors, namespace);
        out.push(Output {
            policy: policy(
                namespace,
                "allow-dns",
                Selector::everything(),
                Vec::new(),
                rules([(peer, ports)].into_iter().collect()),
                None,
            ),
            labels: Labels::new(),
            comment: None,
            rank: 1,
        });
        if namespace == DNS_NAMESPACE {
            // kube-dns is under deny-all too: without this its answers never get in.
            let (peer, ports) = dns_ingress_peer();
            out.push(Output {
                policy: policy(
                    namespace,
                    "allow-dns-queries",
                    dns_pods(selectors),
                    rules([(peer, ports)].into_iter().collect()),
                    Vec::new(),
                    None,
                ),
                labels: Labels::new(),
                comment: Some(
                    "kube-dns answers every pod. It also needs egress to its upstream resolvers and to the\n\
                     API server, which deny-all cuts too: allow them with intents from kube-system/<dns pod>."
                        .to_string(),
                ),
                rank: 1,
            });
        }
    }
    out
}

pub(super) fn dns_pods(selectors: &Selectors) -> Selector {
    selectors.pod_selector(&Labels::from([(
        DNS_LABEL.0.to_string(),
        DNS_LABEL.1.to_string(),
    )]))
}

/// Whether `pod` is a DNS server pod (it must accept queries from every namespace).
pub(super) fn is_dns_pod(pod: &Pod) -> bool {
    has_label(pod, DNS_LABEL)
}

/// DNS queries from any pod of any namespace, on 53/UDP and 53/TCP.
pub(super) fn dns_ingress_peer() -> (PeerKey, PortSet) {
    let peer = PeerKey::Pods {
        namespace: Some(Selector::everything()),
        pod: None,
    };
    (peer, dns_ports())
}

pub(super) fn dns_ports() -> PortSet {
    PortSet::of(&[Protocol::Udp, Protocol::Tcp].map(|protocol| PolicyPort {
        protocol,
        port: Some(PortRef::Number(53)),
        end_port: None,
    }))
}

/// The DNS peer as seen from `namespace`, with its ports (53/UDP and 53/TCP: large answers
/// fall back to TCP).
pub(super) fn dns_peer(selectors: &Selectors, namespace: &str) -> (PeerKey, PortSet) {
    let peer = PeerKey::Pods {
        namespace: (namespace != DNS_NAMESPACE)
            .then(|| selectors.namespace_selector(DNS_NAMESPACE)),
        pod: Some(dns_pods(selectors)),
    };
    (peer, dns_ports())
}

fn has_label(pod: &Pod, (key, value): (&str, &str)) -> bool {
    pod.labels.get(key).is_some_and(|v| v == value)
}

/// Namespaces with pods that are neither system namespaces nor host kube-dns or the
/// ingress controller.
pub(super) fn team_namespaces(cluster: &Cluster) -> BTreeSet<&str> {
    let infrastructure: BTreeSet<&str> = cluster
        .pods
        .iter()
        .filter(|p| has_label(p, DNS_LABEL) || has_label(p, INGRESS_LABEL))
        .map(|p| p.namespace.as_str())
        .collect();
    namespaces_with_pods(cluster)
        .into_iter()
        .filter(|ns| {
            !ns.starts_with("kube-")
                && !SYSTEM_NAMESPACES.contains(ns)
                && !infrastructure.contains(ns)
        })
        .collect()
}

/// What the docs' `namespace-default` allows, as peers with every port: ingress from the
/// ingress controller, egress to kube-dns and to addresses outside the private ranges.
pub(super) struct DocsDefault {
    pub(super) ingress: Vec<PeerKey>,
    pub(super) egress: Vec<PeerKey>,
}

/// The peers of the docs' `namespace-default`. The ingress controller's namespace is where
/// its pods run when the input shows that (one namespace), else the docs'
/// `system-ingress`; the namespace label follows the options like every generated selector.
pub(super) fn docs_default_peers(cluster: &Cluster, selectors: &Selectors) -> DocsDefault {
    let ingress_namespaces: BTreeSet<&str> = cluster
        .pods
        .iter()
        .filter(|p| has_label(p, INGRESS_LABEL))
        .map(|p| p.namespace.as_str())
        .collect();
    let ingress_namespace = match ingress_namespaces.iter().collect::<Vec<_>>().as_slice() {
        [only] => **only,
        _ => INGRESS_NAMESPACE,
    };
    // The docs' egress goes anywhere outside the private ranges. Their block is IPv4's
    // `0.0.0.0/0`, and an `except` must lie inside its block: the IPv4 ranges only.
    let everywhere = Cidr::parse("0.0.0.0/0", false).ok();
    let mut egress: Vec<PeerKey> = everywhere
        .map(|cidr| PeerKey::Block {
            cidr,
            except: private_ranges()
                .into_iter()
                .filter(|r| cidr.contains(r))
                .collect(),
        })
        .into_iter()
        .collect();
    egress.push(PeerKey::Pods {
        namespace: Some(Selector::everything()),
        pod: Some(dns_pods(selectors)),
    });
    let ingress = vec![PeerKey::Pods {
        namespace: Some(selectors.namespace_selector(ingress_namespace)),
        pod: Some(selectors.pod_selector(&Labels::from([(
            INGRESS_LABEL.0.to_string(),
            INGRESS_LABEL.1.to_string(),
        )]))),
    }];
    DocsDefault { ingress, egress }
}

/// The docs' `namespace-default` in `namespace`.
fn docs_default(cluster: &Cluster, selectors: &Selectors, namespace: &str) -> Output {
    let peers = docs_default_peers(cluster, selectors);
    let rule = |keys: &[PeerKey]| Rule {
        peers: keys.iter().map(PeerKey::peer).collect(),
        ports: Vec::new(),
        origin: None,
    };
    Output {
        policy: policy(
            namespace,
            "namespace-default",
            Selector::everything(),
            vec![rule(&peers.ingress)],
            vec![rule(&peers.egress)],
            Some((true, true)),
        ),
        labels: Labels::new(),
        comment: None,
        rank: 0,
    }
}
