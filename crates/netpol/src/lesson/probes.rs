//! Probes: the endpoints the grader adds to a lesson's cluster so that a learner's policies
//! and the lesson's solution are compared on more than the lesson's own pods.
//!
//! A lesson's cluster is sparse: it holds the pods its story needs, and nothing that would
//! catch a neighbouring mistake. The probes are the neighbours, derived from every selector,
//! address block and port that the lesson's workspaces (start, solution, right and wrong
//! answers, and the learner's own) write:
//!
//! - per namespace, a pod with no labels;
//! - per pod label a selector uses, a pod carrying only that label, in every namespace;
//! - per labelled pod of the lesson, a copy (same labels and ports) in every other namespace;
//! - an unlabelled namespace standing for "any other namespace", and a namespace carrying
//!   each namespace label a selector uses, each with the pods above;
//! - addresses: one in each `ipBlock` range and in each `except`, one in each private range,
//!   the cloud metadata and NodeLocal DNS addresses, public, unique-local, link-local and
//!   global IPv6 addresses;
//! - ports (only to name a difference: the comparison itself is exact over every port): each
//!   port a policy writes with its neighbours, both ends and the middle of each range, named
//!   ports as pods resolve them, and a high port.
//!
//! Cilium policies count as NetworkPolicies do: their `endpointSelector` and endpoint
//! peers (a `k8s:io.cilium.k8s.namespace.labels.KEY` term is a namespace label), CIDR
//! blocks with their excepts, and `toPorts`.
//!
//! A namespace label whose value is the namespace's own name wherever it is set (the
//! platform's `name` convention, set by the platform team) is another spelling of
//! `kubernetes.io/metadata.name`: no probe namespace impersonates it, so selecting a
//! namespace by either label is the same answer. Probes are added to both sides alike; adding
//! pods and namespaces changes no verdict between the lesson's own endpoints, because a
//! NetworkPolicy verdict depends only on the two ends and the policies.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::cidr::Cidr;
use crate::cilium::model::{CidrSource, Entry, IdSelector, LabelSource, Peers, PortMatch, Ports};
use crate::cilium::validate::{NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX};
use crate::cnp::{CnpPeer, CnpPort, Subject};
use crate::model::{
    Cluster, ContainerPort, EndpointKind, Labels, Namespace, Peer, Pod, PortRef,
    NAMESPACE_NAME_LABEL,
};
use crate::ports::{Protocol, MIN_PORT};
use crate::selector::{Operator, Selector};

/// The namespace that stands for "any other namespace of the cluster".
pub const OTHER_NAMESPACE: &str = "probe-other-namespace";

/// A pod the grader adds, and what it stands for in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbePod {
    /// The pod (no origin: it is in no manifest).
    pub pod: Pod,
    /// What it is, for a learner: `a pod labelled `app: pod-1` in another namespace`.
    pub why: String,
}

/// An address outside the cluster the grader adds, and what it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeAddress {
    /// One address (`/32` or `/128`).
    pub cidr: Cidr,
    /// What it is: `an address in the except 172.16.0.0/12 of 0.0.0.0/0`.
    pub why: String,
}

/// Everything the grader adds to both sides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Probes {
    /// Namespaces no lesson workspace has, with their labels.
    pub namespaces: Vec<Namespace>,
    /// Pods no lesson workspace has.
    pub pods: Vec<ProbePod>,
    /// Addresses outside the cluster.
    pub addresses: Vec<ProbeAddress>,
    /// Ports worth naming a difference at, most telling first.
    pub ports: Vec<(u16, Protocol)>,
}

impl Probes {
    /// The probes for a lesson whose workspaces evaluate to `clusters` (the solution
    /// first: its namespaces' labels are the ones probes copy).
    pub fn derive(clusters: &[&Cluster]) -> Probes {
        let uses = Uses::collect(clusters);
        let mut probes = Probes {
            namespaces: probe_namespaces(&uses),
            ..Probes::default()
        };
        probes.pods = probe_pods(&uses, &probes.namespaces);
        probes.addresses = probe_addresses(&uses);
        probes.ports = probe_ports(&uses);
        probes
    }

    /// Adds the probe namespaces and pods to `cluster`; a pod or namespace the cluster
    /// already has (a learner who wrote one by that name) is kept as it is.
    pub fn add_to(&self, cluster: &mut Cluster) {
        for ns in &self.namespaces {
            if cluster.namespace(&ns.name).is_none() {
                cluster.namespaces.push(ns.clone());
            }
        }
        for p in &self.pods {
            if cluster.pod(&p.pod.id()).is_none() {
                cluster.pods.push(p.pod.clone());
            }
        }
        cluster.complete_namespaces();
    }

    /// What the endpoint `id` stands for, told to the learner whose effective cluster is
    /// `learner`: an address is named by what it is (the metadata address), else by the
    /// learner's own `ipBlock` that holds it, before the range of the lesson it came from
    /// (which may be another answer's).
    pub fn describe_for(&self, id: &str, learner: &Cluster) -> Option<String> {
        let Some(addr) = id.strip_prefix("ip:") else {
            return self.describe(id).map(str::to_string);
        };
        let ip = Cidr::parse(addr, true).ok()?.addr;
        let fixed = fixed_addresses().into_iter().find(|(a, _)| *a == ip);
        if let Some((_, why)) = fixed {
            return Some(why.to_string());
        }
        self.describe(id)?;
        // The narrowest of the learner's ranges that holds it and does not except it (the
        // one that speaks for it), else the narrowest that excepts it.
        let blocks = learner
            .policies
            .iter()
            .flat_map(|p| p.ingress.iter().chain(&p.egress).flat_map(|r| &r.peers));
        let mut holding: Vec<(&Cidr, Option<&Cidr>)> = blocks
            .filter_map(|peer| match peer {
                Peer::IpBlock { cidr, except } if cidr.contains_ip(ip) => {
                    Some((cidr, except.iter().find(|e| e.contains_ip(ip))))
                }
                _ => None,
            })
            .collect();
        crate::sorting::sort_by_key(&mut holding, |(cidr, except)| {
            (except.is_some(), std::cmp::Reverse(cidr.prefix))
        });
        let own = holding.first().map(|(cidr, except)| match except {
            Some(e) => format!("an address in the except {e} of your ipBlock {cidr}"),
            None => format!("an address in your ipBlock {cidr}"),
        });
        own.or_else(|| self.describe(id).map(str::to_string))
    }

    /// What the endpoint `id` (`ns/name` or `ip:ADDR`) stands for, when it is a probe.
    pub fn describe(&self, id: &str) -> Option<&str> {
        if let Some(addr) = id.strip_prefix("ip:") {
            let cidr = Cidr::parse(addr, true).ok()?;
            return self
                .addresses
                .iter()
                .find(|a| a.cidr == cidr)
                .map(|a| a.why.as_str());
        }
        self.pods
            .iter()
            .find(|p| p.pod.id() == id)
            .map(|p| p.why.as_str())
    }
}

/// What the lesson's policies look at: labels, namespaces, address blocks and ports.
#[derive(Default)]
struct Uses {
    /// Namespaces of every workspace, with the labels the first cluster gives them.
    namespaces: BTreeMap<String, Labels>,
    /// Pods of every workspace by id (the first cluster's version of each).
    pods: BTreeMap<String, Pod>,
    /// Pod labels that selectors test, as `key=value`.
    pod_labels: BTreeSet<(String, String)>,
    /// Namespace labels that selectors test.
    namespace_labels: BTreeSet<(String, String)>,
    /// `ipBlock`s and `networks`: each range with its excepts.
    blocks: BTreeSet<(Cidr, Vec<Cidr>)>,
    /// Port numbers as written, and ranges (first, last).
    ports: BTreeSet<(u16, u16, Option<Protocol>)>,
    /// Port names written in policies.
    port_names: BTreeSet<String>,
}

impl Uses {
    fn collect(clusters: &[&Cluster]) -> Uses {
        let mut uses = Uses::default();
        for cluster in clusters {
            for ns in &cluster.namespaces {
                uses.namespaces
                    .entry(ns.name.clone())
                    .or_insert_with(|| ns.labels.clone());
            }
            for pod in &cluster.pods {
                uses.pods.entry(pod.id()).or_insert_with(|| pod.clone());
            }
            for policy in &cluster.policies {
                uses.pod_selector(&policy.pod_selector);
                for rule in policy.ingress.iter().chain(&policy.egress) {
                    for peer in &rule.peers {
                        uses.peer(peer);
                    }
                    for port in &rule.ports {
                        match &port.port {
                            Some(PortRef::Number(n)) => {
                                let end = port.end_port.unwrap_or(*n).max(*n);
                                uses.ports.insert((*n, end, Some(port.protocol)));
                            }
                            Some(PortRef::Name(name)) => {
                                uses.port_names.insert(name.clone());
                            }
                            None => {}
                        }
                    }
                }
            }
            for cnp in &cluster.cluster_policies {
                match &cnp.subject {
                    Subject::Namespaces(s) => uses.namespace_selector(s),
                    Subject::Pods {
                        namespace_selector,
                        pod_selector,
                    } => {
                        uses.namespace_selector(namespace_selector);
                        uses.pod_selector(pod_selector);
                    }
                }
                for rule in cnp.ingress.iter().chain(&cnp.egress) {
                    for peer in &rule.peers {
                        uses.cnp_peer(peer);
                    }
                    for port in &rule.ports {
                        match port {
                            CnpPort::Ports {
                                protocol,
                                start,
                                end,
                            } => {
                                uses.ports.insert((*start, *end, Some(*protocol)));
                            }
                            CnpPort::Named(name) => {
                                uses.port_names.insert(name.clone());
                            }
                        }
                    }
                }
            }
            for rule in cluster.cilium.policies.iter().flat_map(|p| &p.rules) {
                uses.cilium_selector(&rule.subject);
                for entry in rule.ingress.iter().chain(&rule.egress) {
                    uses.cilium_entry(entry);
                }
            }
            // A group's blocks, whether a rule names it or not: the few extra addresses
            // cost less than resolving `cidrGroupRef`s and `cidrGroupSelector`s here.
            for group in &cluster.cilium.cidr_groups {
                for c in &group.cidrs {
                    uses.blocks.insert((c.network(), Vec::new()));
                }
            }
        }
        uses
    }

    /// A Cilium rule's peers and ports. Entities name no selector or address: `world` is
    /// the public addresses every lesson is probed on, `cluster` and `all` its pods.
    fn cilium_entry(&mut self, entry: &Entry) {
        match &entry.peers {
            Peers::Endpoints(selectors) => {
                for s in selectors {
                    self.cilium_selector(s);
                }
            }
            Peers::Cidrs(cidrs) => {
                for c in cidrs {
                    if let CidrSource::Block(b) = &c.source {
                        self.blocks.insert((b.network(), c.except.clone()));
                    }
                }
            }
            _ => {}
        }
        if let Ports::List(specs) = &entry.ports {
            for spec in specs {
                match &spec.port {
                    PortMatch::Range(first, last) => {
                        self.ports.insert((*first, *last, spec.protocol));
                    }
                    PortMatch::Named(name) => {
                        self.port_names.insert(name.clone());
                    }
                    PortMatch::All => {}
                }
            }
        }
    }

    /// The labels a Cilium identity selector tests, as the NetworkPolicy selectors': a
    /// `k8s:io.cilium.k8s.namespace.labels.KEY` term is the namespace label KEY, another
    /// `k8s:` (or unprefixed) term a pod label. The namespace's name, the cluster and the
    /// service account are not labels a probe could carry (the name is probed as
    /// `kubernetes.io/metadata.name` is), and `reserved:` identities are no pods.
    fn cilium_selector(&mut self, s: &IdSelector) {
        for t in &s.terms {
            if !matches!(t.source, LabelSource::Any | LabelSource::K8s)
                || t.key == NAMESPACE_LABEL
                || t.key.starts_with("io.cilium.k8s.policy.")
            {
                continue;
            }
            let values = match t.operator {
                Operator::In | Operator::NotIn => t.values.clone(),
                Operator::Exists | Operator::DoesNotExist => vec!["probe".to_string()],
            };
            let (labels, key) = match t.key.strip_prefix(NAMESPACE_LABELS_PREFIX) {
                Some(key) => (&mut self.namespace_labels, key),
                None => (&mut self.pod_labels, t.key.as_str()),
            };
            labels.extend(values.into_iter().map(|v| (key.to_string(), v)));
        }
    }

    fn peer(&mut self, peer: &Peer) {
        match peer {
            Peer::Pods {
                namespace_selector,
                pod_selector,
            } => {
                if let Some(s) = namespace_selector {
                    self.namespace_selector(s);
                }
                if let Some(s) = pod_selector {
                    self.pod_selector(s);
                }
            }
            Peer::IpBlock { cidr, except } => {
                self.blocks.insert((cidr.network(), except.clone()));
            }
        }
    }

    fn cnp_peer(&mut self, peer: &CnpPeer) {
        match peer {
            CnpPeer::Namespaces(s) => self.namespace_selector(s),
            CnpPeer::Pods {
                namespace_selector,
                pod_selector,
            } => {
                self.namespace_selector(namespace_selector);
                self.pod_selector(pod_selector);
            }
            CnpPeer::Networks(cidrs) => {
                for c in cidrs {
                    self.blocks.insert((c.network(), Vec::new()));
                }
            }
            // Nodes are not endpoints of a lesson, and domain names are not addresses.
            CnpPeer::Nodes(_) | CnpPeer::DomainNames(_) => {}
        }
    }

    fn pod_selector(&mut self, s: &Selector) {
        self.pod_labels.extend(tested_labels(s));
    }

    fn namespace_selector(&mut self, s: &Selector) {
        self.namespace_labels.extend(tested_labels(s));
    }

    /// True when `key` is the platform's naming convention: wherever a namespace carries
    /// it, its value is the namespace's own name, and some namespace carries it.
    fn is_name_convention(&self, key: &str) -> bool {
        let mut carried = self
            .namespaces
            .iter()
            .filter_map(|(name, labels)| Some((name, labels.get(key)?)))
            .peekable();
        carried.peek().is_some() && carried.all(|(name, value)| name == value)
    }
}

/// The `key=value` pairs a selector tests: each `matchLabels` entry and each value of an
/// expression; a key tested only for presence gets the value `probe`.
fn tested_labels(s: &Selector) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = s
        .match_labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for r in &s.match_expressions {
        match r.operator {
            Operator::In | Operator::NotIn => {
                out.extend(r.values.iter().map(|v| (r.key.clone(), v.clone())));
            }
            Operator::Exists | Operator::DoesNotExist => {
                out.push((r.key.clone(), "probe".to_string()));
            }
        }
    }
    out
}

fn probe_namespaces(uses: &Uses) -> Vec<Namespace> {
    let mut taken: BTreeSet<String> = uses.namespaces.keys().cloned().collect();
    let mut out = Vec::new();
    let mut add = |wanted: &str, labels: Labels, out: &mut Vec<Namespace>| {
        let name = unique(&dns_label(wanted, 63), &mut taken, 63);
        let mut ns = Namespace::implicit(&name);
        ns.declared = true;
        ns.labels.extend(labels);
        out.push(ns);
    };
    add(OTHER_NAMESPACE, Labels::new(), &mut out);
    for (key, value) in &uses.namespace_labels {
        if key == NAMESPACE_NAME_LABEL || uses.is_name_convention(key) {
            continue;
        }
        let labels = Labels::from([(key.clone(), value.clone())]);
        add(
            &format!("probe-ns-{}-{value}", short_key(key)),
            labels,
            &mut out,
        );
    }
    out
}

fn probe_pods(uses: &Uses, probe_namespaces: &[Namespace]) -> Vec<ProbePod> {
    let lesson_ns = uses.namespaces.keys().map(String::as_str);
    let all_ns: Vec<&str> = lesson_ns
        .chain(probe_namespaces.iter().map(|n| n.name.as_str()))
        .collect();
    let mut taken: BTreeSet<String> = uses.pods.keys().cloned().collect();
    let mut seen: BTreeSet<(String, Labels)> = uses
        .pods
        .values()
        .map(|p| (p.namespace.clone(), p.labels.clone()))
        .collect();
    let mut out = Vec::new();
    for ns in &all_ns {
        let mut add = |name: &str, labels: Labels, ports: Vec<ContainerPort>, why: String| {
            if !seen.insert((ns.to_string(), labels.clone())) {
                return;
            }
            let wanted = dns_label(name, 63);
            let name = unique(&wanted, &mut taken_in(&mut taken, ns), 63);
            taken.insert(format!("{ns}/{name}"));
            out.push(ProbePod {
                pod: probe_pod(ns, &name, labels, ports),
                why,
            });
        };
        add(
            "probe-no-labels",
            Labels::new(),
            Vec::new(),
            format!("a pod with no labels in `{ns}`"),
        );
        for (key, value) in &uses.pod_labels {
            let owner = uses
                .pods
                .values()
                .find(|p| p.labels.get(key) == Some(value));
            let here = owner.is_some_and(|p| p.namespace == *ns);
            let ports = owner.map(|p| p.ports.clone()).unwrap_or_default();
            let why = if here {
                format!("another pod labelled `{key}: {value}` in `{ns}`, with no other label")
            } else {
                format!("a pod labelled `{key}: {value}` in `{ns}`, a namespace where the lesson has none")
            };
            let labels = Labels::from([(key.clone(), value.clone())]);
            add(
                &format!("probe-{}-{value}", short_key(key)),
                labels,
                ports,
                why,
            );
        }
        for pod in uses.pods.values() {
            if pod.labels.is_empty() || pod.namespace == *ns {
                continue;
            }
            let why = format!("a copy of `{}` (same labels and ports) in `{ns}`", pod.id());
            add(
                &format!("probe-{}", pod.name),
                pod.labels.clone(),
                pod.ports.clone(),
                why,
            );
        }
    }
    out
}

/// The names taken in namespace `ns`, from the `ns/name` ids taken in the cluster.
fn taken_in(taken: &mut BTreeSet<String>, ns: &str) -> BTreeSet<String> {
    let prefix = format!("{ns}/");
    taken
        .iter()
        .filter_map(|id| id.strip_prefix(&prefix).map(str::to_string))
        .collect()
}

fn probe_pod(namespace: &str, name: &str, labels: Labels, ports: Vec<ContainerPort>) -> Pod {
    Pod {
        namespace: namespace.to_string(),
        name: name.to_string(),
        kind: EndpointKind::Pod,
        labels,
        ports,
        ips: Vec::new(),
        host_network: false,
        origin: None,
    }
}

/// The last part of a label key (`app.kubernetes.io/name` → `name`), for probe names.
fn short_key(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

/// `text` as a DNS label: lowercase letters, digits and `-`, at most `max` characters,
/// starting and ending with a letter or digit.
fn dns_label(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out.trim_matches('-').chars().take(max).collect();
    let trimmed = trimmed.trim_end_matches('-').to_string();
    if trimmed.is_empty() {
        "probe".to_string()
    } else {
        trimmed
    }
}

/// `wanted`, or `wanted-2`, `wanted-3`, ... the first one not in `taken` (then taken).
fn unique(wanted: &str, taken: &mut BTreeSet<String>, max: usize) -> String {
    let mut n = 1;
    loop {
        let name = if n == 1 {
            wanted.to_string()
        } else {
            let suffix = format!("-{n}");
            let keep = max.saturating_sub(suffix.len());
            let stem: String = wanted.chars().take(keep).collect();
            format!("{}{suffix}", stem.trim_end_matches('-'))
        };
        if taken.insert(name.clone()) {
            return name;
        }
        n += 1;
    }
}

/// Addresses every lesson is probed with, whatever its policies say.
fn fixed_addresses() -> Vec<(IpAddr, &'static str)> {
    vec![
        (
            v4(10, 1, 2, 3),
            "an address in the private range 10.0.0.0/8",
        ),
        (
            v4(172, 20, 1, 2),
            "an address in the private range 172.16.0.0/12",
        ),
        (
            v4(192, 168, 1, 2),
            "an address in the private range 192.168.0.0/16",
        ),
        (v4(169, 254, 169, 254), "the cloud metadata address"),
        (
            v4(169, 254, 20, 10),
            "a link-local address (NodeLocal DNSCache listens there)",
        ),
        (v4(1, 1, 1, 1), "a public IPv4 address"),
        (
            v6([0xfd00, 0, 0, 0, 0, 0, 0, 1]),
            "an IPv6 unique local address (fc00::/7)",
        ),
        (
            v6([0xfe80, 0, 0, 0, 0, 0, 0, 1]),
            "an IPv6 link-local address (fe80::/10)",
        ),
        (
            v6([0x2606, 0x4700, 0x4700, 0, 0, 0, 0, 0x1111]),
            "a global IPv6 address",
        ),
    ]
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

fn v6(segments: [u16; 8]) -> IpAddr {
    let [a, b, c, d, e, f, g, h] = segments;
    IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h))
}

fn probe_addresses(uses: &Uses) -> Vec<ProbeAddress> {
    let mut out: Vec<ProbeAddress> = Vec::new();
    let mut add = |addr: IpAddr, why: String| {
        let cidr = Cidr::host(addr);
        if !out.iter().any(|a| a.cidr == cidr) {
            out.push(ProbeAddress { cidr, why });
        }
    };
    for (range, except) in &uses.blocks {
        for (addr, what) in range_edges(range, except) {
            add(addr, format!("{what} {range}"));
        }
        for e in except {
            for (addr, what) in range_edges(&e.network(), &[]) {
                add(addr, format!("{what} the except {e} of {range}"));
            }
        }
        // Just outside each except, so an except written too narrow or too wide shows.
        for e in except {
            let (lo, hi) = bounds(&e.network());
            let (first, last) = bounds(range);
            for n in [lo.checked_sub(1), hi.checked_add(1)].into_iter().flatten() {
                let ip = to_ip(n, range.is_ipv4());
                if (first..=last).contains(&n) && !except.iter().any(|x| x.contains_ip(ip)) {
                    add(ip, format!("an address of {range} next to its except {e}"));
                }
            }
        }
    }
    for (addr, why) in fixed_addresses() {
        add(addr, why.to_string());
    }
    out
}

/// Addresses inside `range` and outside every `except`, with what each is: one in the
/// middle (or next to an except when the middle is excepted), and the first and last
/// address when the range is not a whole address family's first octet or more, so a range
/// written one size too wide shows at its edges.
fn range_edges(range: &Cidr, except: &[Cidr]) -> Vec<(IpAddr, &'static str)> {
    let mut out: Vec<(IpAddr, &'static str)> = Vec::new();
    if let Some(ip) = address_in(range, except) {
        let what = if except.is_empty() {
            "an address in"
        } else {
            "an address outside the excepts of"
        };
        out.push((ip, what));
    }
    let narrow = range.prefix >= if range.is_ipv4() { 8 } else { 16 };
    if narrow {
        let (first, last) = bounds(range);
        for (n, what) in [
            (first, "the first address of"),
            (last, "the last address of"),
        ] {
            let ip = to_ip(n, range.is_ipv4());
            if !except.iter().any(|e| e.contains_ip(ip)) && !out.iter().any(|(a, _)| *a == ip) {
                out.push((ip, what));
            }
        }
    }
    out
}

/// An address inside `range` and outside every `except`: its middle when that is free,
/// else one next to an except, else its first or last host.
fn address_in(range: &Cidr, except: &[Cidr]) -> Option<IpAddr> {
    let (first, last) = bounds(range);
    // The middle rounded up: 0.0.0.0/0 gives 128.0.0.0, not the loopback 127.255.255.255.
    let middle =
        first.saturating_add(((last - first) / 2).saturating_add(u128::from(last > first)));
    let mut candidates = vec![middle, first.saturating_add(1), last.saturating_sub(1)];
    for e in except {
        let (lo, hi) = bounds(&e.network());
        candidates.push(hi.saturating_add(1));
        candidates.push(lo.saturating_sub(1));
    }
    candidates
        .into_iter()
        .filter(|n| (first..=last).contains(n))
        .map(|n| to_ip(n, range.is_ipv4()))
        .find(|ip| !except.iter().any(|e| e.contains_ip(*ip)))
}

/// The first and last address of a range, as numbers.
fn bounds(c: &Cidr) -> (u128, u128) {
    let width: u32 = if c.is_ipv4() { 32 } else { 128 };
    let n = match c.addr {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    };
    let host_bits = width.saturating_sub(u32::from(c.prefix));
    let span = if host_bits >= 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    let first = n & !span;
    (first, first | span)
}

fn to_ip(n: u128, ipv4: bool) -> IpAddr {
    if ipv4 {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(n).unwrap_or(u32::MAX)))
    } else {
        IpAddr::V6(Ipv6Addr::from(n))
    }
}

/// A port far from the usual ones, to catch a rule that opens everything above some port.
const HIGH_PORT: u16 = 40000;

fn probe_ports(uses: &Uses) -> Vec<(u16, Protocol)> {
    let mut written: Vec<(u16, Option<Protocol>)> = Vec::new();
    let mut around: Vec<(u16, Option<Protocol>)> = Vec::new();
    for &(first, last, protocol) in &uses.ports {
        written.push((first, protocol));
        if last != first {
            written.push((last, protocol));
            around.push((first + (last - first) / 2, protocol));
        }
        around.push((first.saturating_sub(1).max(MIN_PORT), protocol));
        around.push((last.saturating_add(1), protocol));
    }
    for name in &uses.port_names {
        for pod in uses.pods.values() {
            for p in pod.ports.iter().filter(|p| p.name.as_ref() == Some(name)) {
                written.push((p.port, Some(p.protocol)));
            }
        }
    }
    around.push((HIGH_PORT, None));
    let mut out: Vec<(u16, Protocol)> = Vec::new();
    for (port, protocol) in written.into_iter().chain(around) {
        let first = protocol.into_iter();
        for p in first.chain(Protocol::ALL) {
            if !out.contains(&(port, p)) {
                out.push((port, p));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::cluster;

    const LESSON: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: team, labels: {name: team}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ingress, labels: {name: ingress, tier: edge}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: team, labels: {app: web}}
spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: team}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {tier: edge}}, podSelector: {matchExpressions: [{key: role, operator: In, values: [lb]}]}}]
      ports: [{port: http}, {port: 9000, endPort: 9100}]
  egress:
    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]
";

    #[test]
    fn derives_pods_namespaces_addresses_and_ports_from_what_policies_test() {
        let c = cluster(LESSON);
        let probes = Probes::derive(&[&c]);
        let ns: Vec<&str> = probes.namespaces.iter().map(|n| n.name.as_str()).collect();
        // `name` is the naming convention here (value = namespace name): not impersonated.
        assert_eq!(ns, ["probe-other-namespace", "probe-ns-tier-edge"]);
        let ids: Vec<String> = probes.pods.iter().map(|p| p.pod.id()).collect();
        for id in [
            "team/probe-no-labels",
            "ingress/probe-role-lb",
            "ingress/probe-app-web",
            "probe-ns-tier-edge/probe-role-lb",
            "probe-other-namespace/probe-app-web",
        ] {
            assert!(ids.iter().any(|i| i == id), "{id} missing from {ids:?}");
        }
        // The impostor of web (its only label is `app: web`, so it is also web's copy) keeps
        // its named port, so `port: http` resolves on it too.
        let copy = probes
            .pods
            .iter()
            .find(|p| p.pod.id() == "ingress/probe-app-web")
            .map(|p| &p.pod);
        assert_eq!(
            copy.map(|p| p.named_port("http", Protocol::Tcp)),
            Some(Some(8080))
        );
        let addresses: Vec<String> = probes
            .addresses
            .iter()
            .map(|a| a.cidr.to_string())
            .collect();
        for a in [
            "128.0.0.0/32",
            "10.128.0.0/32",
            "10.0.0.0/32",
            "10.255.255.255/32",
            "11.0.0.0/32",
            "9.255.255.255/32",
        ] {
            assert!(
                addresses.contains(&a.to_string()),
                "{a} missing from {addresses:?}"
            );
        }
        assert!(
            addresses.contains(&"172.20.1.2/32".to_string()),
            "{addresses:?}"
        );
        for port in [8080, 9000, 9100, 9050, 8999, 9101, HIGH_PORT] {
            assert!(
                probes.ports.contains(&(port, Protocol::Tcp)),
                "{port} missing from {:?}",
                probes.ports
            );
        }
        assert!(probes.ports.contains(&(9000, Protocol::Sctp)));
    }

    #[test]
    fn cilium_selectors_blocks_and_ports_are_probed() {
        let c = cluster(
            "
apiVersion: v1
kind: Namespace
metadata: {name: team, labels: {name: team}}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: team}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
    - toEndpoints:
        - matchLabels:
            k8s:io.kubernetes.pod.namespace: kube-system
            k8s:io.cilium.k8s.namespace.labels.tier: edge
            k8s:role: lb
    - toCIDRSet: [{cidr: 192.0.2.0/24, except: [192.0.2.128/25]}]
      toPorts: [{ports: [{port: '8443', protocol: TCP}]}]
",
        );
        let probes = Probes::derive(&[&c]);
        let ns: Vec<&str> = probes.namespaces.iter().map(|n| n.name.as_str()).collect();
        // The namespace label exists only in the Cilium peer; the namespace's name is no
        // label a probe carries.
        assert_eq!(ns, ["probe-other-namespace", "probe-ns-tier-edge"]);
        let ids: Vec<String> = probes.pods.iter().map(|p| p.pod.id()).collect();
        for id in ["probe-ns-tier-edge/probe-role-lb", "team/probe-app-web"] {
            assert!(ids.iter().any(|i| i == id), "{id} missing from {ids:?}");
        }
        // An address in the block and one in its except.
        for half in ["192.0.2.0/25", "192.0.2.128/25"] {
            let half = Cidr::parse(half, true).expect("a CIDR");
            let inside = |a: &ProbeAddress| half.contains_ip(a.cidr.addr);
            assert!(probes.addresses.iter().any(inside), "none in {half}");
        }
        assert!(probes.ports.contains(&(8443, Protocol::Tcp)));
        assert!(probes.ports.contains(&(8444, Protocol::Tcp)));
    }

    #[test]
    fn probes_join_a_cluster_without_replacing_what_it_has() {
        let mut c = cluster(LESSON);
        let probes = Probes::derive(&[&c]);
        let before = c.pods.len();
        probes.add_to(&mut c);
        assert_eq!(c.pods.len(), before + probes.pods.len());
        assert!(c
            .namespace("probe-ns-tier-edge")
            .is_some_and(|n| n.labels.contains_key("tier")));
        assert_eq!(
            probes.describe("team/probe-no-labels"),
            Some("a pod with no labels in `team`")
        );
        assert_eq!(
            probes.describe("ip:172.20.1.2"),
            Some("an address in the private range 172.16.0.0/12")
        );
        assert_eq!(probes.describe("team/web"), None);
    }

    #[test]
    fn names_are_dns_labels_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(
            dns_label("probe-App.Kubernetes.io/Name", 63),
            "probe-app-kubernetes-io-name"
        );
        assert_eq!(unique("a", &mut taken, 63), "a");
        assert_eq!(unique("a", &mut taken, 63), "a-2");
        assert_eq!(dns_label("---", 63), "probe");
        assert_eq!(dns_label(&"x".repeat(80), 63).len(), 63);
    }

    #[test]
    fn an_address_avoids_every_except() {
        let range = Cidr::parse("0.0.0.0/0", false).unwrap();
        let except: Vec<Cidr> = ["128.0.0.0/1", "0.0.0.0/2"]
            .iter()
            .map(|s| Cidr::parse(s, false).unwrap())
            .collect();
        let ip = address_in(&range, &except).unwrap();
        assert!(
            range.contains_ip(ip) && !except.iter().any(|e| e.contains_ip(ip)),
            "{ip}"
        );
        let all: Vec<Cidr> = vec![range];
        assert_eq!(address_in(&range, &all), None);
    }
}
