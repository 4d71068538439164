//! From intents to per-workload rule sets: every peer once, with the union of the ports of
//! every intent that names it, then one rule per distinct port set.
//!
//! Everything is kept in ordered maps, so the output does not depend on the order of the
//! intents and two runs give the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use super::baseline::{self, Output};
use super::identity::Selectors;
use super::{Baseline, GenerateError, Intent, Options};
use crate::cidr::Cidr;
use crate::endpoint::Endpoint;
use crate::model::{Cluster, Direction, EndpointKind, Peer, PolicyPort, PortRef, Rule};
use crate::ports::{PortRanges, Protocol, MAX_PORT, MIN_PORT};
use crate::selector::Selector;

/// A peer as an ordered value: same-namespace pods first, then other namespaces, then
/// address blocks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum PeerKey {
    /// `podSelector`, with a `namespaceSelector` when the peer lives in another namespace.
    Pods {
        namespace: Option<Selector>,
        pod: Option<Selector>,
    },
    /// `ipBlock`.
    Block { cidr: Cidr, except: Vec<Cidr> },
}

impl PeerKey {
    pub(super) fn peer(&self) -> Peer {
        match self {
            PeerKey::Pods { namespace, pod } => Peer::Pods {
                namespace_selector: namespace.clone(),
                pod_selector: pod.clone(),
            },
            PeerKey::Block { cidr, except } => Peer::IpBlock {
                cidr: *cidr,
                except: except.clone(),
            },
        }
    }
}

/// A set of destination ports: numeric ranges per protocol, plus named ports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct PortSet {
    all: bool,
    numeric: BTreeMap<Protocol, PortRanges>,
    named: BTreeSet<(Protocol, String)>,
}

impl PortSet {
    /// The ports of an intent (empty means all).
    pub(super) fn of(ports: &[PolicyPort]) -> PortSet {
        let mut set = PortSet {
            all: ports.is_empty(),
            ..PortSet::default()
        };
        for p in ports {
            match &p.port {
                None => set.add_range(p.protocol, MIN_PORT, MAX_PORT),
                Some(PortRef::Number(n)) => {
                    set.add_range(p.protocol, *n, p.end_port.unwrap_or(*n).max(*n))
                }
                Some(PortRef::Name(name)) => {
                    set.named.insert((p.protocol, name.clone()));
                }
            }
        }
        set
    }

    fn add_range(&mut self, protocol: Protocol, lo: u16, hi: u16) {
        let slot = self.numeric.entry(protocol).or_default();
        *slot = slot.union(&PortRanges::range(lo, hi));
    }

    fn union(&mut self, other: &PortSet) {
        self.all |= other.all;
        for (protocol, ranges) in &other.numeric {
            let slot = self.numeric.entry(*protocol).or_default();
            *slot = slot.union(ranges);
        }
        self.named.extend(other.named.iter().cloned());
    }

    /// True when every port in `self` is in `other`.
    fn within(&self, other: &PortSet) -> bool {
        if other.all {
            return true;
        }
        if self.all {
            return false;
        }
        let numeric_ok = self.numeric.iter().all(|(protocol, ranges)| {
            other
                .numeric
                .get(protocol)
                .is_some_and(|o| &o.union(ranges) == o)
        });
        let named_ok = self.named.iter().all(|(protocol, name)| {
            other.named.contains(&(*protocol, name.clone()))
                || other.numeric.get(protocol).is_some_and(PortRanges::is_all)
        });
        numeric_ok && named_ok
    }

    /// The `ports` list: empty for every port; a protocol whose every port is allowed is
    /// one entry without `port`; ranges use `endPort`; sorted.
    pub(super) fn policy_ports(&self) -> Vec<PolicyPort> {
        let full: BTreeSet<Protocol> = self
            .numeric
            .iter()
            .filter(|(_, r)| r.is_all())
            .map(|(p, _)| *p)
            .collect();
        if self.all || full.len() == Protocol::ALL.len() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (protocol, ranges) in &self.numeric {
            if full.contains(protocol) {
                out.push(PolicyPort {
                    protocol: *protocol,
                    port: None,
                    end_port: None,
                });
                continue;
            }
            out.extend(ranges.ranges().iter().map(|&(lo, hi)| PolicyPort {
                protocol: *protocol,
                port: Some(PortRef::Number(lo)),
                end_port: (hi > lo).then_some(hi),
            }));
        }
        out.extend(
            self.named
                .iter()
                .filter(|(protocol, _)| !full.contains(protocol))
                .map(|(protocol, name)| PolicyPort {
                    protocol: *protocol,
                    port: Some(PortRef::Name(name.clone())),
                    end_port: None,
                }),
        );
        // Equal ports are identical, so an unstable sort gives the same order (and is
        // smaller in the wasm).
        crate::sorting::sort_unstable(&mut out);
        out
    }
}

/// What one workload's policy allows, per direction.
#[derive(Debug, Default)]
pub(super) struct Allowances {
    pub(super) ingress: BTreeMap<PeerKey, PortSet>,
    pub(super) egress: BTreeMap<PeerKey, PortSet>,
}

impl Allowances {
    pub(super) fn add(&mut self, direction: Direction, peer: PeerKey, ports: &PortSet) {
        let map = match direction {
            Direction::Ingress => &mut self.ingress,
            Direction::Egress => &mut self.egress,
        };
        map.entry(peer).or_default().union(ports);
    }
}

/// The intents gathered per workload (by index into the cluster's pods).
#[derive(Debug, Default)]
pub(super) struct Plan {
    workloads: BTreeMap<usize, Allowances>,
    /// Notes of the intents each workload's policy serves, in the order given.
    notes: BTreeMap<usize, Vec<String>>,
}

/// At most this many notes are written above one policy.
const MAX_NOTES: usize = 30;

impl Plan {
    /// Adds one intent: an Egress allowance on the sender, an Ingress one on the receiver.
    pub(super) fn add(
        &mut self,
        cluster: &Cluster,
        selectors: &Selectors,
        intent: &Intent,
        note: Option<&str>,
    ) -> Result<(), GenerateError> {
        let fail = |why: String| GenerateError(format!("intent `{intent}`: {why}"));
        let from = resolve(cluster, &intent.from).map_err(fail)?;
        let to = resolve(cluster, &intent.to).map_err(fail)?;
        check_ports(cluster, &intent.ports, &to).map_err(fail)?;
        let ports = PortSet::of(&intent.ports);
        match (&from, &to) {
            (Endpoint::External(_), Endpoint::External(_)) => Err(fail(
                "both ends are outside the cluster: NetworkPolicies only control pods".to_string(),
            )),
            // A pod may always talk to itself: no policy needed. A workload's arrow to
            // itself is between its replicas, which policies decide: it gets its rules.
            (Endpoint::Pod(a), Endpoint::Pod(b))
                if a == b
                    && cluster
                        .pods
                        .get(*a)
                        .is_none_or(|p| p.kind == EndpointKind::Pod) =>
            {
                Ok(())
            }
            _ => {
                if let Some(note) = note {
                    for end in [&from, &to] {
                        if let Endpoint::Pod(i) = end {
                            self.notes.entry(*i).or_default().push(note.to_string());
                        }
                    }
                }
                if let Endpoint::Pod(sender) = from {
                    let peer = peer_for(cluster, selectors, &to, sender).map_err(fail)?;
                    self.workloads
                        .entry(sender)
                        .or_default()
                        .add(Direction::Egress, peer, &ports);
                }
                if let Endpoint::Pod(receiver) = to {
                    let peer = peer_for(cluster, selectors, &from, receiver).map_err(fail)?;
                    self.workloads.entry(receiver).or_default().add(
                        Direction::Ingress,
                        peer,
                        &ports,
                    );
                }
                Ok(())
            }
        }
    }

    /// One policy per workload, plus DNS egress where the options ask for it.
    pub(super) fn into_policies(
        self,
        cluster: &Cluster,
        selectors: &Selectors,
        options: &Options,
    ) -> Result<Vec<Output>, GenerateError> {
        let team = baseline::team_namespaces(cluster);
        let mut outputs = Vec::new();
        let mut taken: BTreeSet<(String, String)> = BTreeSet::new();
        for (index, mut allowances) in self.workloads {
            let Some(pod) = cluster.pods.get(index) else {
                continue;
            };
            let in_team = team.contains(pod.namespace.as_str());
            if options.baseline == Baseline::ClusterBaseline && in_team {
                carry_defaults(cluster, selectors, &mut allowances);
            }
            // Pods whose namespace-wide baseline already allows DNS need no rule of their own.
            let dns_elsewhere = match options.baseline {
                Baseline::None => false,
                Baseline::DenyAll => true,
                Baseline::DocsDefault | Baseline::ClusterBaseline => in_team,
            };
            if options.dns && !dns_elsewhere && !allowances.egress.is_empty() {
                let (peer, ports) = baseline::dns_peer(selectors, &pod.namespace);
                allowances.add(Direction::Egress, peer, &ports);
            }
            // An intent towards kube-dns isolates it for ingress: keep it answering queries.
            let dns_ingress_elsewhere = options.baseline == Baseline::DenyAll;
            if options.dns
                && !dns_ingress_elsewhere
                && baseline::is_dns_pod(pod)
                && !allowances.ingress.is_empty()
            {
                let (peer, ports) = baseline::dns_ingress_peer();
                allowances.add(Direction::Ingress, peer, &ports);
            }
            let labels = selectors.pod_labels(pod)?;
            let name = unique_name(&mut taken, &pod.namespace, &policy_name(&pod.name));
            let mut output = Output::workload(
                &pod.namespace,
                &name,
                selectors.pod_selector(&labels),
                labels,
                rules(allowances.ingress),
                rules(allowances.egress),
            );
            if let Some(notes) = self.notes.get(&index) {
                output.comment = Some(notes_comment(notes));
            }
            outputs.push(output);
        }
        Ok(outputs)
    }
}

/// The comment above a policy that serves noted intents.
fn notes_comment(notes: &[String]) -> String {
    let mut out = String::from("Keeps open the observed flows:");
    for note in notes.iter().take(MAX_NOTES) {
        out.push_str("\n  ");
        out.push_str(note);
    }
    if notes.len() > MAX_NOTES {
        out.push_str(&format!("\n  ... and {} more", notes.len() - MAX_NOTES));
    }
    out
}

/// A Baseline tier stops applying to a pod for a direction once a NetworkPolicy selects
/// it there; with `namespace-default` as NetworkPolicies the defaults would still add up
/// with the workload's policy. So the workload's policy carries them for each direction it
/// isolates, and connectivity stays that of the docs' setup.
fn carry_defaults(cluster: &Cluster, selectors: &Selectors, allowances: &mut Allowances) {
    let defaults = baseline::docs_default_peers(cluster, selectors);
    let every_port = PortSet::of(&[]);
    if !allowances.ingress.is_empty() {
        for peer in defaults.ingress {
            allowances.add(Direction::Ingress, peer, &every_port);
        }
    }
    if !allowances.egress.is_empty() {
        for peer in defaults.egress {
            allowances.add(Direction::Egress, peer, &every_port);
        }
    }
}

/// `<workload>-netpol`, as the docs name them, shortened to fit the 253-character limit.
fn policy_name(workload: &str) -> String {
    const SUFFIX: &str = "-netpol";
    let keep = 253 - SUFFIX.len();
    let base: String = workload.chars().take(keep).collect();
    format!("{}{SUFFIX}", base.trim_end_matches(['-', '.']))
}

/// Two workloads of different kinds may share a name, and two long names may shorten to
/// the same one; their policies may not. A number tells them apart, within the limit.
fn unique_name(taken: &mut BTreeSet<(String, String)>, namespace: &str, name: &str) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while !taken.insert((namespace.to_string(), candidate.clone())) {
        let suffix = format!("-{n}");
        let base: String = name.chars().take(253 - suffix.len()).collect();
        candidate = format!("{}{suffix}", base.trim_end_matches(['-', '.']));
        n += 1;
    }
    candidate
}

/// Groups peers by port set: one rule per distinct set, peers sorted inside, rules sorted by
/// their ports. An address block inside another block of the same workload that allows at
/// least the same ports adds nothing and is dropped.
pub(super) fn rules(peers: BTreeMap<PeerKey, PortSet>) -> Vec<Rule> {
    let kept: Vec<(&PeerKey, &PortSet)> = peers
        .iter()
        .filter(|(key, ports)| {
            !peers.iter().any(|(other, other_ports)| {
                other != *key && block_covers(other, key) && ports.within(other_ports)
            })
        })
        .collect();
    let mut grouped: BTreeMap<Vec<PolicyPort>, Vec<Peer>> = BTreeMap::new();
    for (key, ports) in kept {
        grouped
            .entry(ports.policy_ports())
            .or_default()
            .push(key.peer());
    }
    grouped
        .into_iter()
        .map(|(ports, peers)| Rule {
            peers,
            ports,
            origin: None,
        })
        .collect()
}

/// True when block `outer` matches every address block `inner` matches.
fn block_covers(outer: &PeerKey, inner: &PeerKey) -> bool {
    match (outer, inner) {
        (
            PeerKey::Block {
                cidr: o,
                except: oe,
            },
            PeerKey::Block { cidr: i, except: _ },
        ) => o.contains(i) && !oe.iter().any(|e| e.overlaps(i)),
        _ => false,
    }
}

/// Resolves an intent end against the cluster. Addresses with host bits are refused rather
/// than silently widened (by the syntax [`Endpoint::parse`] reads).
fn resolve(cluster: &Cluster, id: &str) -> Result<Endpoint, String> {
    Endpoint::parse(cluster, id).map_err(|e| e.0)
}

/// Ports must be valid, and a named port must be one the receiver exposes.
fn check_ports(cluster: &Cluster, ports: &[PolicyPort], to: &Endpoint) -> Result<(), String> {
    for p in ports {
        let text = crate::syntax::policy_ports_text(std::slice::from_ref(p));
        match (&p.port, p.end_port) {
            (None, Some(_)) => return Err(format!("`{text}`: an end port needs a start port")),
            (Some(PortRef::Number(0)), _) => return Err(format!("`{text}`: 0 is not a port")),
            (Some(PortRef::Number(n)), Some(end)) if end < *n => {
                return Err(format!("`{text}`: the range ends before it starts"))
            }
            (Some(PortRef::Name(_)), Some(_)) => {
                return Err(format!("`{text}`: a named port cannot have an end port"))
            }
            (Some(PortRef::Name(name)), None) => {
                crate::names::check_port_name(name).map_err(|e| format!("`{text}`: {e}"))?;
                let pod = to.pod(cluster);
                let Some(pod) = pod else {
                    return Err(format!(
                        "named port `{name}`: only a pod can resolve a port name; give the number"
                    ));
                };
                if pod.named_port(name, p.protocol).is_none() {
                    let exposed: Vec<String> = pod
                        .ports
                        .iter()
                        .filter_map(|c| {
                            c.name
                                .as_ref()
                                .map(|n| format!("{n} ({}/{})", c.port, c.protocol))
                        })
                        .collect();
                    let has = if exposed.is_empty() {
                        "no named port".to_string()
                    } else {
                        exposed.join(", ")
                    };
                    return Err(format!(
                        "`{}` exposes no {} port named `{name}` (it has {has})",
                        pod.id(),
                        p.protocol
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The peer that stands for `other` in a policy of workload `subject`.
fn peer_for(
    cluster: &Cluster,
    selectors: &Selectors,
    other: &Endpoint,
    subject: usize,
) -> Result<PeerKey, String> {
    let subject_ns = cluster
        .pods
        .get(subject)
        .map(|p| p.namespace.as_str())
        .unwrap_or_default();
    match other {
        Endpoint::Pod(i) => {
            let Some(pod) = cluster.pods.get(*i) else {
                return Err(format!("no endpoint #{i}"));
            };
            let labels = selectors.pod_labels(pod).map_err(|e| e.0)?;
            let namespace =
                (pod.namespace != subject_ns).then(|| selectors.namespace_selector(&pod.namespace));
            Ok(PeerKey::Pods {
                namespace,
                pod: Some(selectors.pod_selector(&labels)),
            })
        }
        Endpoint::External(cidr) => Ok(PeerKey::Block {
            cidr: *cidr,
            except: pod_addresses_in(cluster, cidr)?,
        }),
    }
}

/// Pod IPs inside `cidr`, as host blocks to except: an ipBlock also matches the pods whose
/// addresses it covers, and an intent towards addresses outside the cluster must not
/// quietly open the pods inside that range.
fn pod_addresses_in(cluster: &Cluster, cidr: &Cidr) -> Result<Vec<Cidr>, String> {
    let mut out = BTreeSet::new();
    for pod in &cluster.pods {
        for ip in &pod.ips {
            if !cidr.contains_ip(*ip) {
                continue;
            }
            let host = Cidr::host(*ip);
            if host.prefix == cidr.prefix {
                return Err(format!(
                    "`{}` is the address of `{}`: name the pod instead",
                    crate::endpoint::external_id(cidr),
                    pod.id()
                ));
            }
            out.insert(host);
        }
    }
    Ok(out.into_iter().collect())
}
