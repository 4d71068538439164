//! The tiers for many pairs at once (`matrix`, `connectivity`): each rule's peers as a bit
//! set over the endpoint list, and per endpoint and direction the ordered rules of the
//! Admin and Baseline policies that select it. A pair then costs a walk over the rules of
//! its subject, checking one bit each, instead of matching labels.

use super::eval::{peer_matches, rule_connections};
use super::model::{evaluation_order, CnpPeer, CnpPort, CnpRule, Subject, Tier};
use crate::bits::Bits;
use crate::endpoint::Endpoint;
use crate::matcher::Matcher;
use crate::model::{Cluster, Direction};
use crate::ports::{Connections, Protocol};
use crate::selector::Selector;

/// A rule with its precomputed peers.
pub(crate) struct TierRule<'a> {
    pub rule: &'a CnpRule,
    /// Endpoints (positions) the rule's peers match.
    pub peers: Bits,
    /// True when a named port makes the rule's ports depend on the destination.
    pub named: bool,
}

/// The rules one endpoint is subject to in one direction, in evaluation order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct TierLists {
    pub admin: Vec<usize>,
    pub baseline: Vec<usize>,
}

impl TierLists {
    pub fn is_empty(&self) -> bool {
        self.admin.is_empty() && self.baseline.is_empty()
    }
}

/// Precomputed tiers for one cluster and endpoint list.
pub(crate) struct TierIndex<'a> {
    pub rules: Vec<TierRule<'a>>,
    /// Per endpoint: its egress rules.
    pub egress: Vec<TierLists>,
    /// Per endpoint: its ingress rules.
    pub ingress: Vec<TierLists>,
}

impl<'a> TierIndex<'a> {
    pub fn build(
        cluster: &'a Cluster,
        endpoints: &'a [Endpoint],
        matcher: &mut Matcher<'a>,
    ) -> TierIndex<'a> {
        let n = matcher.len();
        let mut out = TierIndex {
            rules: Vec::new(),
            egress: vec![TierLists::default(); n],
            ingress: vec![TierLists::default(); n],
        };
        let everything = Selector::everything();
        let selectable = selectable_pods(cluster, endpoints);
        for tier in [Tier::Admin, Tier::Baseline] {
            for index in evaluation_order(&cluster.cluster_policies, tier) {
                let Some(policy) = cluster.cluster_policies.get(index) else {
                    continue;
                };
                let selected = match &policy.subject {
                    Subject::Namespaces(ns) => matcher.pods_in_namespaces(ns, &everything),
                    Subject::Pods {
                        namespace_selector,
                        pod_selector,
                    } => matcher.pods_in_namespaces(namespace_selector, pod_selector),
                };
                let mut subject = Bits::new(n);
                subject.or_and_assign(&selected, &selectable);
                for direction in [Direction::Ingress, Direction::Egress] {
                    let first = out.rules.len();
                    for rule in policy.rules(direction) {
                        let peers = rule_peers(cluster, endpoints, matcher, &selectable, rule);
                        let named = rule.ports.iter().any(|p| matches!(p, CnpPort::Named(_)));
                        out.rules.push(TierRule { rule, peers, named });
                    }
                    let table = match direction {
                        Direction::Ingress => &mut out.ingress,
                        Direction::Egress => &mut out.egress,
                    };
                    for pos in subject.ones() {
                        if let Some(lists) = table.get_mut(pos) {
                            let list = match tier {
                                Tier::Admin => &mut lists.admin,
                                Tier::Baseline => &mut lists.baseline,
                            };
                            list.extend(first..out.rules.len());
                        }
                    }
                }
            }
        }
        out
    }

    /// True when a rule of `lists` has a named port (its ports depend on the destination).
    pub fn any_named(&self, lists: &TierLists) -> bool {
        lists
            .admin
            .iter()
            .chain(&lists.baseline)
            .any(|id| self.rules.get(*id).is_some_and(|r| r.named))
    }

    /// The rules of `list` whose peers match endpoint `other`, in order.
    pub fn matching<'s>(
        &'s self,
        list: &'s [usize],
        other: usize,
    ) -> impl Iterator<Item = (usize, &'s TierRule<'a>)> + 's {
        list.iter().filter_map(move |&id| {
            let r = self.rules.get(id)?;
            r.peers.get(other).then_some((id, r))
        })
    }
}

/// The endpoints a subject or a `namespaces`/`pods` peer may select: every pod but the
/// host-network ones, which the API leaves out of both.
fn selectable_pods(cluster: &Cluster, endpoints: &[Endpoint]) -> Bits {
    let mut out = Bits::new(endpoints.len());
    for (pos, e) in endpoints.iter().enumerate() {
        if let Endpoint::Pod(i) = e {
            if cluster.pods.get(*i).is_some_and(|p| !p.host_network) {
                out.set(pos);
            }
        }
    }
    out
}

fn rule_peers<'a>(
    cluster: &'a Cluster,
    endpoints: &'a [Endpoint],
    matcher: &mut Matcher<'a>,
    selectable: &Bits,
    rule: &CnpRule,
) -> Bits {
    let everything = Selector::everything();
    let mut out = Bits::new(matcher.len());
    for peer in &rule.peers {
        match peer {
            CnpPeer::Namespaces(ns) => {
                out.or_and_assign(&matcher.pods_in_namespaces(ns, &everything), selectable);
            }
            CnpPeer::Pods {
                namespace_selector,
                pod_selector,
            } => out.or_and_assign(
                &matcher.pods_in_namespaces(namespace_selector, pod_selector),
                selectable,
            ),
            // Addresses: few peers, checked pairwise with the exact single-connection rules.
            CnpPeer::Networks(_) | CnpPeer::Nodes(_) => {
                for (pos, e) in endpoints.iter().enumerate() {
                    if peer_matches(cluster, peer, e, rule.action).is_ok() {
                        out.set(pos);
                    }
                }
            }
            CnpPeer::DomainNames(_) => {}
        }
    }
    out
}

/// How a rule's protocols treat one probed port.
pub(crate) enum PortMatch<'a> {
    /// Every destination: no protocols listed, or a port or range covers the probe.
    All,
    /// Destinations with a container port of one of these names on this port and protocol.
    Named(Vec<&'a str>),
    No,
}

pub(crate) fn port_match(rule: &CnpRule, port: u16, protocol: Protocol) -> PortMatch<'_> {
    if rule.ports.is_empty() {
        return PortMatch::All;
    }
    let mut names = Vec::new();
    for p in &rule.ports {
        match p {
            CnpPort::Ports {
                protocol: pr,
                start,
                end,
            } if *pr == protocol && *start <= port && port <= *end => return PortMatch::All,
            CnpPort::Ports { .. } => {}
            CnpPort::Named(name) => names.push(name.as_str()),
        }
    }
    if names.is_empty() {
        PortMatch::No
    } else {
        PortMatch::Named(names)
    }
}

/// The connections a rule matches towards `dst` (exact, named ports resolved).
pub(crate) fn connections(cluster: &Cluster, rule: &TierRule<'_>, dst: &Endpoint) -> Connections {
    rule_connections(cluster, rule.rule, dst)
}
