//! The tiers for many pairs at once (`matrix`, `connectivity`): each rule's peers as a bit
//! set over the endpoint list, and per endpoint and direction the ordered rules of the
//! Admin and Baseline policies that select it. A pair then costs a walk over the rules of
//! its subject, checking one bit each, instead of matching labels.

use std::collections::HashMap;

use super::eval::{peer_matches, rule_connections};
use super::model::{evaluation_order, Action, CnpPeer, CnpPort, CnpRule, Subject, Tier};
use crate::bits::Bits;
use crate::endpoint::Endpoint;
use crate::index::Matcher;
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

/// The truth table rows for one probe with the tiers: per direction, an Admin Accept or
/// Deny decides; else the NetworkPolicies decide for the pods they isolate; else a
/// Baseline Deny denies; else allowed. Loopback is left to the caller.
pub(crate) fn rows(
    index: &crate::index::Index<'_>,
    tiers: &TierIndex<'_>,
    np: &crate::matrix::NetworkPolicyProbe<'_>,
    port: u16,
    protocol: Protocol,
) -> Vec<Bits> {
    let probe = Probe {
        index,
        tiers,
        matches: tiers
            .rules
            .iter()
            .map(|r| port_match(r.rule, port, protocol))
            .collect(),
        port,
        protocol,
    };
    let rows = probe.egress_rows(np);
    probe.clear_ingress(np, rows)
}

/// One probed port and protocol over the tier index.
struct Probe<'p, 'a> {
    index: &'p crate::index::Index<'a>,
    tiers: &'p TierIndex<'a>,
    /// Per rule: how its protocols treat the probe.
    matches: Vec<PortMatch<'a>>,
    port: u16,
    protocol: Protocol,
}

impl Probe<'_, '_> {
    /// Whether rule `id`'s protocols cover the probe towards endpoint `dst`. A named port
    /// resolves to the destination's first container port of that name (as in
    /// `eval::rule_connections`), which must be the probe.
    fn port_ok(&self, id: usize, dst: usize) -> bool {
        let names = match self.matches.get(id) {
            Some(PortMatch::All) => return true,
            Some(PortMatch::Named(names)) => names,
            _ => return false,
        };
        let Some(Endpoint::Pod(p)) = self.index.endpoints.get(dst) else {
            return false;
        };
        self.index.cluster.pods.get(*p).is_some_and(|pod| {
            names.iter().any(|name| {
                pod.ports
                    .iter()
                    .find(|c| c.name.as_deref() == Some(*name))
                    .is_some_and(|c| c.port == self.port && c.protocol == self.protocol)
            })
        })
    }

    /// The action of the first rule of `list` matching `other` on the probe.
    fn decide(&self, list: &[usize], other: usize, dst: usize) -> Option<Action> {
        self.tiers
            .matching(list, other)
            .find(|(id, _)| self.port_ok(*id, dst))
            .map(|(_, r)| r.rule.action)
    }

    /// One direction: `np` is the NetworkPolicy answer when one isolates the pod.
    fn side(&self, lists: &TierLists, other: usize, dst: usize, np: Option<bool>) -> bool {
        match self.decide(&lists.admin, other, dst) {
            Some(Action::Accept) => true,
            Some(Action::Deny) => false,
            _ => {
                np.unwrap_or_else(|| self.decide(&lists.baseline, other, dst) != Some(Action::Deny))
            }
        }
    }

    /// Egress: a source's row depends on its tier rules and NetworkPolicy rules only.
    fn egress_rows(&self, np: &crate::matrix::NetworkPolicyProbe<'_>) -> Vec<Bits> {
        let n = self.index.endpoints.len();
        let mut rows: Vec<Bits> = np.egress_rows.to_vec();
        let mut cache: HashMap<(&TierLists, &[usize], bool), Bits> = HashMap::new();
        for (i, lists) in self.tiers.egress.iter().enumerate() {
            let (Some(iso), Some(np_row)) = (self.index.egress.get(i), np.egress_rows.get(i))
            else {
                continue;
            };
            if lists.is_empty() {
                continue;
            }
            let key = (lists, iso.rules.as_slice(), iso.isolated);
            let row = cache.entry(key).or_insert_with(|| {
                let mut row = Bits::new(n);
                for j in 0..n {
                    if self.side(lists, j, j, iso.isolated.then(|| np_row.get(j))) {
                        row.set(j);
                    }
                }
                row
            });
            if let Some(slot) = rows.get_mut(i) {
                *slot = row.clone();
            }
        }
        rows
    }

    /// Ingress: per destination, the sources its chain allows; the others are cleared in
    /// `rows`, a column at a time (`bits::and_columns`). The set is shared by destinations
    /// with the same rules and NetworkPolicy answer, unless a named port makes it depend on
    /// the destination.
    fn clear_ingress(
        &self,
        np: &crate::matrix::NetworkPolicyProbe<'_>,
        mut rows: Vec<Bits>,
    ) -> Vec<Bits> {
        let n = self.index.endpoints.len();
        let mut sets: Vec<Bits> = Vec::new();
        let mut shared: HashMap<(&TierLists, Option<*const Bits>), usize> = HashMap::new();
        // Per destination: its own set (an index into `sets`) or the NetworkPolicy one.
        let mut columns: Vec<Result<usize, Option<&Bits>>> = Vec::with_capacity(n);
        for (j, lists) in self.tiers.ingress.iter().enumerate() {
            let np_set = np.ingress.get(j).copied().flatten();
            if lists.is_empty() {
                columns.push(Err(np_set));
                continue;
            }
            let key = (lists, np_set.map(|s| s as *const Bits));
            let named = self.tiers.any_named(lists);
            if let Some(k) = shared.get(&key).filter(|_| !named) {
                columns.push(Ok(*k));
                continue;
            }
            let mut set = Bits::new(n);
            for i in 0..n {
                if self.side(lists, i, j, np_set.map(|s| s.get(i))) {
                    set.set(i);
                }
            }
            sets.push(set);
            if !named {
                shared.insert(key, sets.len() - 1);
            }
            columns.push(Ok(sets.len() - 1));
        }
        let columns: Vec<Option<&Bits>> = columns
            .into_iter()
            .map(|c| match c {
                Ok(k) => sets.get(k),
                Err(np_set) => np_set,
            })
            .collect();
        crate::bits::and_columns(&mut rows, &columns);
        rows
    }
}
