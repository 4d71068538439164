//! Equivalence classes of endpoints: pods that every policy treats alike, so that the
//! many-pairs queries (`connectivity`, and through it `diff`) compute one answer per pair
//! of classes instead of per pair of pods, and expand to pods only for what they print.
//!
//! Real clusters run thousands of replicas of one pod template: same namespace, same
//! labels, same container ports, different IPs. Every evaluator reads a pod only through
//!
//! - its namespace (selectors, the namespace's labels, podSelector-only peers),
//! - its labels (policy subjects, peers),
//! - its named container ports, in order (a named port resolves on the first match),
//! - `hostNetwork` (ClusterNetworkPolicy never selects such a pod as subject or peer),
//! - and its addresses only through address peers: whether each NetworkPolicy ipBlock
//!   (cidr with its excepts), each ClusterNetworkPolicy `networks` peer and each `nodes`
//!   peer matches it (see `eval::ip_block_matches` and `cnp::eval::peer_matches`).
//!
//! so two pods with the same key get the same verdict towards everything, in both
//! directions. The key keeps the answers of the address peers, not the IPs themselves: the
//! replicas of one template differ in IP yet share a class unless some ipBlock tells them
//! apart (a boundary or an `except` between them). Labels no policy reads are kept in the
//! key too: that may split a class needlessly, never merge pods that differ.
//!
//! The only verdict that depends on identity is loopback (a pod to itself), which the
//! callers add per endpoint position. Externals are one class each.

use std::collections::HashMap;

use crate::cidr::Cidr;
use crate::cnp::{Action, CnpPeer};
use crate::endpoint::Endpoint;
use crate::model::{Cluster, ContainerPort, Labels, Peer};
use crate::selector::Selector;

/// A partition of an endpoint list into classes, numbered in the order of their first
/// member, so the same input always gives the same classes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classes {
    /// Per endpoint position: its class.
    of: Vec<u32>,
    /// Per class: its members' positions, ascending.
    members: Vec<Vec<usize>>,
}

/// What a pod's class is made of (see the module comment).
#[derive(Hash, PartialEq, Eq)]
enum Key<'c> {
    Pod {
        namespace: &'c str,
        labels: &'c Labels,
        named_ports: Vec<&'c ContainerPort>,
        host_network: bool,
        /// One bit per address peer of the cluster: whether it matches the pod.
        addresses: Vec<u64>,
        /// With Cilium policies: the service account (part of the Cilium identity), the
        /// node (which decides `host` and `remote-node`) and, for a host-network pod,
        /// whether its address is the API server's (`kube-apiserver`).
        cilium: Option<(Option<&'c str>, Option<&'c str>, bool)>,
    },
    /// An endpoint on its own (an address outside the cluster, or a pod index the cluster
    /// does not have): one class per position.
    Alone(usize),
}

/// An address peer, whose answer for a pod is part of the pod's key.
enum AddressPeer<'c> {
    IpBlock(&'c Cidr, &'c [Cidr]),
    Cluster(&'c CnpPeer),
}

impl Classes {
    /// Partitions `endpoints` (positions into the list) by what `cluster`'s policies see.
    ///
    /// With Cilium policies loaded the key also holds what a Cilium identity adds to the
    /// labels, the namespace and its labels: the service account, and the node, which
    /// decides whether a host-network peer or a Node's address is `host` or `remote-node`
    /// (only when the input has either). Cilium's CIDR rules
    /// never match a pod (docs/cilium.md §4), so addresses add nothing more.
    pub fn of_endpoints(cluster: &Cluster, endpoints: &[Endpoint]) -> Classes {
        let with_cilium = cluster.cilium.has_policies();
        // The node tells `host` from `remote-node` only for a host-network pod or a Node's
        // address; without either, replicas on different nodes are alike.
        let nodes_matter = !cluster.nodes.is_empty() || cluster.pods.iter().any(|p| p.host_network);
        let peers = address_peers(cluster);
        let mut ids: HashMap<Key<'_>, u32> = HashMap::new();
        let mut out = Classes {
            of: Vec::with_capacity(endpoints.len()),
            members: Vec::new(),
        };
        for (pos, endpoint) in endpoints.iter().enumerate() {
            let key = match endpoint {
                Endpoint::Pod(i) => match cluster.pods.get(*i) {
                    Some(pod) => {
                        let mut addresses = vec![0u64; peers.len().div_ceil(64)];
                        for (k, peer) in peers.iter().enumerate() {
                            if matches_pod(cluster, peer, endpoint) {
                                if let Some(w) = addresses.get_mut(k / 64) {
                                    *w |= 1 << (k % 64);
                                }
                            }
                        }
                        Key::Pod {
                            namespace: &pod.namespace,
                            labels: &pod.labels,
                            named_ports: pod.ports.iter().filter(|p| p.name.is_some()).collect(),
                            host_network: pod.host_network,
                            addresses,
                            cilium: with_cilium.then(|| {
                                let meta = cluster.cilium.pods.get(&pod.id());
                                (
                                    meta.and_then(|m| m.service_account.as_deref()),
                                    meta.and_then(|m| m.node.as_deref())
                                        .filter(|_| nodes_matter),
                                    pod.host_network
                                        && pod
                                            .ips
                                            .iter()
                                            .any(|ip| cluster.cilium.api_server.contains(ip)),
                                )
                            }),
                        }
                    }
                    None => Key::Alone(pos),
                },
                Endpoint::External(_) => Key::Alone(pos),
            };
            let next = u32::try_from(out.members.len()).unwrap_or(u32::MAX);
            let class = *ids.entry(key).or_insert(next);
            if class == next {
                out.members.push(Vec::new());
            }
            if let Some(m) = out.members.get_mut(class as usize) {
                m.push(pos);
            }
            out.of.push(class);
        }
        out
    }

    /// Every endpoint of `n` a class of its own: the per-pod computation, the reference
    /// the classes are tested against.
    pub fn singletons(n: usize) -> Classes {
        Classes {
            of: (0..n)
                .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
                .collect(),
            members: (0..n).map(|i| vec![i]).collect(),
        }
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when there are no endpoints.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The class of the endpoint at position `pos`.
    pub fn class_of(&self, pos: usize) -> Option<usize> {
        self.of.get(pos).map(|&c| c as usize)
    }

    /// The positions of the members of `class`, ascending.
    pub fn members(&self, class: usize) -> &[usize] {
        self.members.get(class).map_or(&[], Vec::as_slice)
    }

    /// One member of each class (its first), in class order: the endpoints to compute on.
    pub fn representatives(&self) -> impl Iterator<Item = usize> + '_ {
        self.members.iter().filter_map(|m| m.first().copied())
    }
}

/// A name for each class, for people: `namespace/k=v,k=v` (a pod's labels, `<no labels>`
/// without any), an external's id. Classes that would read the same (their pods differ in
/// named ports, hostNetwork or what an ipBlock says of their IPs) get ` #2`, ` #3` after
/// the first, so every name stands for one class.
pub fn class_names(cluster: &Cluster, endpoints: &[Endpoint], classes: &Classes) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    classes
        .representatives()
        .map(|pos| {
            let name = match endpoints.get(pos) {
                Some(Endpoint::Pod(i)) => match cluster.pods.get(*i) {
                    Some(pod) if pod.labels.is_empty() => format!("{}/<no labels>", pod.namespace),
                    Some(pod) => {
                        let labels: Vec<String> =
                            pod.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        format!("{}/{}", pod.namespace, labels.join(","))
                    }
                    None => format!("#{i}"),
                },
                Some(e @ Endpoint::External(_)) => e.id(cluster),
                None => format!("#{pos}"),
            };
            let count = seen.entry(name.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                name
            } else {
                format!("{name} #{count}")
            }
        })
        .collect()
}

/// Every distinct address peer of the cluster's NetworkPolicies and ClusterNetworkPolicies.
fn address_peers(cluster: &Cluster) -> Vec<AddressPeer<'_>> {
    let mut blocks: Vec<(&Cidr, &[Cidr])> = Vec::new();
    let mut seen_blocks: HashMap<(&Cidr, &[Cidr]), ()> = HashMap::new();
    for policy in &cluster.policies {
        for rule in policy.ingress.iter().chain(&policy.egress) {
            for peer in &rule.peers {
                if let Peer::IpBlock { cidr, except } = peer {
                    let key = (cidr, except.as_slice());
                    if seen_blocks.insert(key, ()).is_none() {
                        blocks.push(key);
                    }
                }
            }
        }
    }
    let mut out: Vec<AddressPeer<'_>> = blocks
        .into_iter()
        .map(|(c, e)| AddressPeer::IpBlock(c, e))
        .collect();
    let mut networks: Vec<&[Cidr]> = Vec::new();
    let mut nodes: Vec<&Selector> = Vec::new();
    for policy in &cluster.cluster_policies {
        for rule in policy.ingress.iter().chain(&policy.egress) {
            for peer in &rule.peers {
                let new = match peer {
                    CnpPeer::Networks(cidrs) if !networks.contains(&cidrs.as_slice()) => {
                        networks.push(cidrs);
                        true
                    }
                    CnpPeer::Nodes(sel) if !nodes.contains(&sel) => {
                        nodes.push(sel);
                        true
                    }
                    _ => false,
                };
                if new {
                    out.push(AddressPeer::Cluster(peer));
                }
            }
        }
    }
    out
}

/// Whether `peer` matches the pod `endpoint`, as the evaluators decide it. For a pod an
/// address peer covers all of it or nothing (it has no range), so the action does not
/// matter.
fn matches_pod(cluster: &Cluster, peer: &AddressPeer<'_>, endpoint: &Endpoint) -> bool {
    match peer {
        AddressPeer::IpBlock(cidr, except) => {
            crate::eval::ip_block_matches(cluster, cidr, except, endpoint)
        }
        AddressPeer::Cluster(peer) => {
            crate::cnp::eval::peer_matches(cluster, peer, endpoint, Action::Deny).is_ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::all_endpoints;
    use crate::model::{EndpointKind, Node, Pod};
    use crate::ports::Protocol;
    use crate::test_support::cluster;

    /// A pod of namespace `x` with `labels` (`k=v` pairs), IPs and named ports.
    fn pod(name: &str, labels: &[(&str, &str)], ips: &[&str], ports: &[(&str, u16)]) -> Pod {
        Pod {
            namespace: "x".into(),
            name: name.into(),
            kind: EndpointKind::Pod,
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ports: ports
                .iter()
                .map(|&(n, port)| ContainerPort {
                    name: (!n.is_empty()).then(|| n.to_string()),
                    port,
                    protocol: Protocol::Tcp,
                })
                .collect(),
            ips: ips.iter().map(|ip| ip.parse().unwrap()).collect(),
            host_network: false,
            origin: None,
        }
    }

    /// Which pods (by name) share a class, class by class.
    fn partition(c: &Cluster) -> Vec<Vec<String>> {
        let eps = all_endpoints(c, &[]);
        let classes = Classes::of_endpoints(c, &eps);
        (0..classes.len())
            .map(|k| {
                classes
                    .members(k)
                    .iter()
                    .map(|&p| c.pods[p].name.clone())
                    .collect()
            })
            .collect()
    }

    fn with_pods(yaml: &str, pods: Vec<Pod>) -> Cluster {
        let mut c = cluster(yaml);
        c.pods = pods;
        c.complete_namespaces();
        c
    }

    const OFFICE: &str = "
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: office, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.96.0.0/12]}
";

    #[test]
    fn replicas_with_other_ips_on_the_same_side_of_every_ip_block_share_a_class() {
        let web = [("app", "web")];
        let c = with_pods(
            OFFICE,
            vec![
                pod("a", &web, &["10.1.0.1"], &[("http", 80)]),
                pod("b", &web, &["10.95.255.255"], &[("http", 80)]),
                pod("c", &web, &["10.200.0.9"], &[("http", 80)]),
            ],
        );
        assert_eq!(partition(&c), [["a", "b", "c"]]);
    }

    #[test]
    fn ip_block_and_except_boundaries_split_classes() {
        let web = [("app", "web")];
        let c = with_pods(
            OFFICE,
            vec![
                pod("inside", &web, &["10.95.255.255"], &[]),
                pod("except-first", &web, &["10.96.0.0"], &[]),
                pod("except-last", &web, &["10.111.255.255"], &[]),
                pod("after-except", &web, &["10.112.0.0"], &[]),
                pod("outside", &web, &["11.0.0.0"], &[]),
                pod("no-ip", &web, &[], &[]),
            ],
        );
        assert_eq!(
            partition(&c),
            [
                vec!["inside", "after-except"],
                vec!["except-first", "except-last", "outside", "no-ip"],
            ]
        );
    }

    #[test]
    fn without_address_peers_ips_do_not_matter_but_the_rest_does() {
        let policy = "
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: x}
spec: {podSelector: {matchLabels: {app: web}}}
";
        let mut other_ns = pod("other-ns", &[("app", "web")], &[], &[]);
        other_ns.namespace = "y".into();
        let c = with_pods(
            policy,
            vec![
                pod(
                    "a",
                    &[("app", "web")],
                    &["10.0.0.1"],
                    &[("http", 80), ("", 9090)],
                ),
                pod("b", &[("app", "web")], &[], &[("http", 80), ("", 9999)]),
                pod("label", &[("app", "web"), ("v", "2")], &[], &[("http", 80)]),
                pod("port-number", &[("app", "web")], &[], &[("http", 81)]),
                pod(
                    "port-order",
                    &[("app", "web")],
                    &[],
                    &[("metrics", 80), ("http", 80)],
                ),
                other_ns,
            ],
        );
        // `a` and `b` differ in IPs and an unnamed port, which nothing reads. The label
        // `v` is read by no policy either: splitting on it costs a class, never a verdict.
        assert_eq!(
            partition(&c),
            [
                vec!["a", "b"],
                vec!["label"],
                vec!["port-number"],
                vec!["port-order"],
                vec!["other-ns"],
            ]
        );
    }

    #[test]
    fn host_network_and_node_addresses_split_classes() {
        let tiers = "
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: to-nodes}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {}}
  egress:
  - action: Deny
    to:
    - nodes: {matchLabels: {role: infra}}
  - action: Accept
    to:
    - networks: [0.0.0.0/0]
";
        let mut c = with_pods(
            tiers,
            vec![
                pod("pod-net", &[], &["10.0.0.1"], &[]),
                pod("pod-net-2", &[], &["10.0.0.2"], &[]),
                pod("host-on-infra", &[], &["192.168.0.1"], &[]),
                pod("host-on-infra-2", &[], &["192.168.0.1"], &[]),
                pod("host-elsewhere", &[], &["192.168.0.2"], &[]),
                pod("no-ip", &[], &[], &[]),
            ],
        );
        for p in &mut c.pods[2..5] {
            p.host_network = true;
        }
        c.nodes.push(Node {
            name: "infra-1".into(),
            labels: [("role".to_string(), "infra".to_string())].into(),
            addresses: vec!["192.168.0.1".parse().unwrap()],
            origin: None,
        });
        // `networks: [0.0.0.0/0]` holds a pod without IPs too, so `no-ip` joins the
        // pod-network pods; the node's address and hostNetwork each split.
        assert_eq!(
            partition(&c),
            [
                vec!["pod-net", "pod-net-2", "no-ip"],
                vec!["host-on-infra", "host-on-infra-2"],
                vec!["host-elsewhere"],
            ]
        );
    }

    #[test]
    fn externals_are_alone_and_classes_follow_the_first_member() {
        let c = with_pods(
            OFFICE,
            vec![
                pod("b1", &[("app", "b")], &[], &[]),
                pod("a1", &[("app", "a")], &[], &[]),
                pod("b2", &[("app", "b")], &[], &[]),
            ],
        );
        let net = Cidr::parse("10.0.0.0/8", true).unwrap();
        let eps = all_endpoints(&c, &[net, net]);
        let classes = Classes::of_endpoints(&c, &eps);
        assert_eq!(classes.len(), 4);
        assert_eq!(classes.members(0), [0, 2]);
        assert_eq!(classes.members(1), [1]);
        assert_eq!(classes.members(2), [3]);
        assert_eq!(classes.members(3), [4]);
        assert_eq!(classes.representatives().collect::<Vec<_>>(), [0, 1, 3, 4]);
        assert_eq!(Classes::of_endpoints(&c, &eps), classes);
    }
}
