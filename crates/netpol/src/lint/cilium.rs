//! CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy: rules that load and do not do
//! what they seem to (docs/cilium.md §12).
//!
//! - NP222: a namespaced policy's `endpointSelector` names another namespace (§2: the
//!   agent overwrites it, or the rule selects nothing). Peer selectors are not reported:
//!   a namespace named there does reach that namespace (§3).
//! - NP223: `toEndpoints: [{}]` / `fromEndpoints: [{}]` where the internet was likely
//!   meant (§3, §6: `{}` is never `world`). Fires only when no other entry of the same
//!   list allows `world`/`all`, CIDRs or FQDNs, and either the entry is an egress one
//!   with port 80 or 443, or the policy's name says external (`world`, `internet`,
//!   `external`, `outside`, `public`).
//! - NP224: a rule puts pods in egress default deny and no Cilium allow entry that
//!   applies to them allows port 53 towards a resolver (kube-dns as `dns::looks_like_dns`
//!   finds it, or, without one in the input, a selector naming DNS or `kube-system`, or
//!   a clusterwide `{}`, which reaches every namespace),
//!   and no NetworkPolicy gives it DNS (counted per pod only). NP207 counts the other
//!   way round: per pod, DNS a Cilium allow rule gives (`cilium_gives_dns`, decided here
//!   once for both lints).
//! - NP225: a `toFQDNs` entry with no `toPorts[].rules.dns` rule (`matchPattern` or
//!   `matchName`) in a rule that applies to the same pods: the agent never learns the
//!   names' IPs.
//! - NP226: a clusterwide policy's `endpointSelector` names no namespace: it covers
//!   every namespace, kube-system included.
//! - NP227: an `egressDeny` entry matches port 53 towards a resolver for pods its rule
//!   selects (per pod: only with pods in the input). A deny wins over every allow, Cilium
//!   or NetworkPolicy (docs/cilium.md §8), so those pods cannot resolve names whatever
//!   allows them DNS. The entry is tested by `entry_reaches_dns`, the test NP224 applies
//!   to allow entries (kube-dns pods, or without them a selector naming DNS or
//!   `kube-system`; `cluster`/`all`; no peer field), except that a CIDR counts for an
//!   allow only: under Cilium a CIDR never matches a pod (§4). Decided: one finding per
//!   problem. A pod whose DNS a deny takes is left out of NP224 and NP207 (NP227 says
//!   why, and adding an allow, as they suggest, would not help), and `cilium_gives_dns`
//!   does not count it as having DNS.
//! - NP228: the `kube-apiserver` entity (`fromEntities`/`toEntities`, allow or deny) or a
//!   `reserved:kube-apiserver` peer selector while the input has no API server address
//!   (`CiliumObjects::api_server`, from the `kubernetes` Service's EndpointSlice or
//!   Endpoints in `default`): the playground matches nothing there, the cluster the API
//!   server. Info, not Warning: the rule is likely right and the input incomplete (like
//!   NP111, an address the input lacks); only the playground's verdicts are off.
//!
//! The model has the agent's parsing applied (namespaces added to selectors, `toFQDNs`
//! reduced to "run time"), so the rules as written are read again from the YAML tree.
//! With pods in the input, "applies to the same pods" is checked per pod over identity
//! labels (`cilium::eval::identity`, built as `identity_with`); without, a rule counts
//! when its subject's terms are a subset of the other's.

use std::collections::HashMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::codes;
use super::context::Context;
use super::dns::{dns_by_policy_and_pod, looks_like_dns};
use crate::cilium::api;
use crate::cilium::eval::{identity_with, namespace_identity};
use crate::cilium::model::{
    CiliumRule, Entry, EntryList, IdLabel, IdSelector, LabelSource, PortMatch,
};
use crate::cilium::validate::{CLUSTER_LABEL, NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX};
use crate::cilium::{CiliumKind, CiliumPolicy, Entity, Peers, Ports};
use crate::diag::Diagnostic;
use crate::model::Direction;
use crate::ports::Protocol;
use crate::selector::Operator;
use crate::yaml::{Document, NodeId};

/// A rule as written, next to its place.
struct Written {
    /// `spec` or `specs[i]`.
    path: String,
    spec_index: Option<usize>,
    rule: api::Rule,
    /// Whether some egress entry has a `toPorts[].rules.dns` item with a matchPattern or
    /// matchName.
    dns_proxy: bool,
}

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let policies = &cx.cluster.cilium.policies;
    if policies.is_empty() {
        return;
    }
    let written: Vec<Vec<Written>> = (0..policies.len())
        .map(|i| {
            cx.loaded
                .with_cilium_tree(i, read_rules)
                .unwrap_or_default()
        })
        .collect();
    let facts = Facts::new(cx);
    for (index, policy) in policies.iter().enumerate() {
        let rules = written.get(index).map(Vec::as_slice).unwrap_or_default();
        other_namespace(cx, index, policy, rules, out);
        empty_endpoints(cx, index, policy, rules, out);
        clusterwide_all_namespaces(cx, index, policy, out);
        egress_without_dns(&facts, index, policy, out);
        deny_blocks_dns(&facts, index, policy, out);
        kube_apiserver_unknown(cx, index, rules, out);
        fqdn_without_proxy(&facts, &written, index, policy, rules, out);
    }
}

/// What the Cilium lints know of the input's pods: built once per run, when first needed
/// (`Context::cilium_pods`), because the DNS lint asks `cilium_gives_dns` too.
pub(super) struct PodFacts {
    /// Per pod: its identity labels (empty for a host-network pod).
    identities: Vec<Vec<IdLabel>>,
    dns_pods: Vec<usize>,
    /// Pods whose own labels carry the key `io.kubernetes.pod.namespace`: their identity
    /// has a second label with that key, so they may match a namespace term of any
    /// namespace.
    namespace_labelled: Vec<usize>,
    /// Per pod: some Cilium allow rule that gives DNS applies to it. Computed once, when
    /// a rule first needs it: asking every rule for every pod of every egress default
    /// deny rule was most of linting a 5,000-pod cluster (issue 22).
    cilium_dns: std::cell::OnceCell<Vec<bool>>,
    /// Per pod: an `egressDeny` entry of a rule that applies to it takes DNS (NP227).
    /// Computed once too; only rules with such an entry are matched against the pods.
    cilium_dns_denied: std::cell::OnceCell<Vec<bool>>,
}

impl PodFacts {
    fn new(cx: &Context<'_>) -> Self {
        // The namespace part of the identities once per namespace (`identity_with`).
        let mut namespace_parts: HashMap<&str, Vec<IdLabel>> = HashMap::new();
        let identities: Vec<Vec<IdLabel>> = cx
            .cluster
            .pods
            .iter()
            .map(|p| {
                if p.host_network {
                    return Vec::new();
                }
                let part = namespace_parts
                    .entry(p.namespace.as_str())
                    .or_insert_with(|| namespace_identity(cx.cluster, &p.namespace));
                identity_with(cx.cluster, p, part)
            })
            .collect();
        let dns_pods: Vec<usize> = cx
            .cluster
            .pods
            .iter()
            .enumerate()
            .filter(|(_, p)| looks_like_dns(p) && !p.host_network)
            .map(|(i, _)| i)
            .collect();
        let namespace_labelled = cx
            .cluster
            .pods
            .iter()
            .enumerate()
            .filter(|(_, p)| p.labels.contains_key(NAMESPACE_LABEL))
            .map(|(i, _)| i)
            .collect();
        PodFacts {
            identities,
            dns_pods,
            namespace_labelled,
            cilium_dns: std::cell::OnceCell::new(),
            cilium_dns_denied: std::cell::OnceCell::new(),
        }
    }
}

/// Whether some Cilium allow rule that gives DNS applies to pod `pod` and no Cilium deny
/// takes it back: under Cilium, allows of both kinds add up, so the NetworkPolicy DNS lint
/// (NP207) counts these as NP224 counts NetworkPolicy ones. False without Cilium policies,
/// and then nothing is computed.
pub(super) fn cilium_gives_dns(cx: &Context<'_>, pod: usize) -> bool {
    !cx.cluster.cilium.policies.is_empty() && Facts::new(cx).cilium_gives_dns(pod)
}

/// Whether an `egressDeny` entry of a Cilium rule that applies to pod `pod` takes its DNS
/// (NP227 reports it): NP207 and NP224 leave such pods to NP227, one finding per problem.
pub(super) fn cilium_denies_dns(cx: &Context<'_>, pod: usize) -> bool {
    !cx.cluster.cilium.policies.is_empty() && Facts::new(cx).cilium_denies_dns(pod)
}

struct Facts<'c, 'a> {
    cx: &'c Context<'a>,
    /// The pods, once per run.
    pods: &'c PodFacts,
    /// Per pod: a NetworkPolicy gives it DNS (allows of both kinds add up).
    np_dns: &'c [bool],
}

impl<'c, 'a> Facts<'c, 'a> {
    fn new(cx: &'c Context<'a>) -> Self {
        Facts {
            cx,
            pods: cx.cilium_pods.get_or_init(|| PodFacts::new(cx)),
            np_dns: &dns_by_policy_and_pod(cx).1,
        }
    }

    /// Pods of the input a rule applies to.
    fn selected(&self, rule: &CiliumRule) -> Vec<usize> {
        self.matching(&rule.subject)
    }

    /// Pods of the input (not on the host network) a selector matches, in pod order.
    fn matching(&self, sel: &IdSelector) -> Vec<usize> {
        let matches = |i: &usize| {
            self.pods
                .identities
                .get(*i)
                .is_some_and(|labels| !labels.is_empty() && sel.matches(labels))
        };
        match self.namespace_candidates(sel) {
            Some(candidates) => candidates.into_iter().filter(matches).collect(),
            None => (0..self.pods.identities.len()).filter(matches).collect(),
        }
    }

    /// The only pods that can satisfy the selector's namespace term, when it has one
    /// (`io.kubernetes.pod.namespace In [...]`, as the agent adds to every namespaced
    /// policy): the pods of those namespaces and the pods labelled with that key
    /// themselves. Matching every pod of the cluster against every namespaced rule was
    /// most of linting a 5,000-pod cluster (issue 22).
    fn namespace_candidates(&self, sel: &IdSelector) -> Option<Vec<usize>> {
        let mut out: Vec<usize> = sel
            .namespaces()?
            .iter()
            .flat_map(|ns| self.cx.pods_in(ns))
            .chain(&self.pods.namespace_labelled)
            .copied()
            .collect();
        crate::sorting::sort_unstable(&mut out);
        out.dedup();
        Some(out)
    }

    /// Whether some Cilium allow rule that gives DNS applies to `pod`, and no deny takes it.
    fn cilium_gives_dns(&self, pod: usize) -> bool {
        self.cilium_allows_dns(pod) && !self.cilium_denies_dns(pod)
    }

    /// Whether an `egressDeny` entry taking DNS belongs to a rule that applies to `pod`.
    fn cilium_denies_dns(&self, pod: usize) -> bool {
        let per_pod = self
            .pods
            .cilium_dns_denied
            .get_or_init(|| self.pods_of_rules(|r| !dns_denies(self, r).is_empty()));
        per_pod.get(pod).copied().unwrap_or(false)
    }

    /// Whether some Cilium allow rule that gives DNS applies to `pod` (denies aside).
    fn cilium_allows_dns(&self, pod: usize) -> bool {
        let per_pod = self
            .pods
            .cilium_dns
            .get_or_init(|| self.pods_of_rules(|r| gives_dns(self, r)));
        per_pod.get(pod).copied().unwrap_or(false)
    }

    /// Per pod: whether a Cilium rule for which `wanted` holds applies to it.
    fn pods_of_rules(&self, wanted: impl Fn(&CiliumRule) -> bool) -> Vec<bool> {
        let mut per_pod = vec![false; self.pods.identities.len()];
        let rules = self
            .cx
            .cluster
            .cilium
            .policies
            .iter()
            .flat_map(|p| &p.rules);
        for rule in rules.filter(|r| wanted(r)) {
            for i in self.matching(&rule.subject) {
                if let Some(slot) = per_pod.get_mut(i) {
                    *slot = true;
                }
            }
        }
        per_pod
    }

    /// Whether `other` applies to every pod `rule` applies to: per pod when the input has
    /// some, by terms otherwise.
    fn covers(&self, other: &CiliumRule, rule: &CiliumRule, selected: &[usize]) -> bool {
        if selected.is_empty() {
            return other
                .subject
                .terms
                .iter()
                .all(|t| rule.subject.terms.contains(t));
        }
        selected.iter().all(|i| {
            self.pods
                .identities
                .get(*i)
                .is_some_and(|labels| other.subject.matches(labels))
        })
    }
}

/// The rules of one object as written, from its YAML node.
fn read_rules(tree: &Document, object: NodeId) -> Vec<Written> {
    let mut out = Vec::new();
    let mut push = |node: NodeId, path: String, spec_index: Option<usize>| {
        let mut notes = Vec::new();
        if let Ok(rule) = crate::yaml::decode::<api::Rule>(tree, node, &mut notes) {
            let dns_proxy = has_dns_proxy(tree, node);
            out.push(Written {
                path,
                spec_index,
                rule,
                dns_proxy,
            });
        }
    };
    if let Some(spec) = tree.get(object, "spec").filter(|n| tree.is_map(*n)) {
        push(spec, "spec".to_string(), None);
    }
    if let Some(specs) = tree.get(object, "specs").filter(|n| tree.is_seq(*n)) {
        for (i, item) in tree.items(specs).iter().enumerate() {
            if tree.is_map(*item) {
                push(*item, format!("specs[{i}]"), Some(i));
            }
        }
    }
    out
}

/// `egress[].toPorts[].rules.dns[]` with a `matchPattern` or `matchName`.
fn has_dns_proxy(tree: &Document, rule: NodeId) -> bool {
    let seq = |node: Option<NodeId>| -> Vec<NodeId> {
        node.filter(|n| tree.is_seq(*n))
            .map(|n| tree.items(n).to_vec())
            .unwrap_or_default()
    };
    seq(tree.get(rule, "egress")).into_iter().any(|entry| {
        seq(tree.get(entry, "toPorts")).into_iter().any(|port| {
            let dns = tree
                .get(port, "rules")
                .filter(|n| tree.is_map(*n))
                .and_then(|r| tree.get(r, "dns"));
            seq(dns).into_iter().any(|d| {
                tree.is_map(d)
                    && (tree.get(d, "matchPattern").is_some() || tree.get(d, "matchName").is_some())
            })
        })
    })
}

/// NP222: a namespaced policy's `endpointSelector` names another namespace.
fn other_namespace(
    cx: &Context<'_>,
    index: usize,
    policy: &CiliumPolicy,
    rules: &[Written],
    out: &mut Vec<Diagnostic>,
) {
    let (CiliumKind::Namespaced, Some(ns)) = (policy.kind, &policy.namespace) else {
        return;
    };
    for w in rules {
        let Some(sel) = &w.rule.endpoint_selector else {
            continue;
        };
        let Some(other) = named_namespaces(sel).into_iter().find(|n| n != ns) else {
            continue;
        };
        let path = format!("{}.endpointSelector", w.path);
        out.push(
            cx.report_at(
                codes::CILIUM_SELECTOR_OTHER_NAMESPACE,
                &cx.loaded.locate_cilium(index, &path),
                format!(
                    "this CiliumNetworkPolicy lives in namespace `{ns}` and its endpointSelector names namespace `{other}`: a namespaced policy only ever selects pods of its own namespace (the agent drops or contradicts the namespace term), so this rule does not select the pods of `{other}`"
                ),
            )
            .with_help(format!(
                "create the policy in namespace `{other}` (`metadata.namespace: {other}`) and remove the namespace term, or use a CiliumClusterwideNetworkPolicy"
            )),
        );
    }
}

/// Namespaces a selector requires through `io.kubernetes.pod.namespace` (`k8s:` or
/// `any:`), in `matchLabels` or an `In` expression with one value.
fn named_namespaces(sel: &LabelSelector) -> Vec<String> {
    let is_ns_key = |key: &str| {
        let (source, key) = LabelSource::split(key);
        key == NAMESPACE_LABEL && matches!(source, LabelSource::Any | LabelSource::K8s)
    };
    let mut out: Vec<String> = sel
        .match_labels
        .iter()
        .flatten()
        .filter(|(k, _)| is_ns_key(k))
        .map(|(_, v)| v.clone())
        .collect();
    for e in sel.match_expressions.iter().flatten() {
        if is_ns_key(&e.key) && e.operator == "In" {
            if let Some([v]) = e.values.as_deref() {
                out.push(v.clone());
            }
        }
    }
    out
}

/// NP223: `[{}]` as a peer where the internet was likely meant.
fn empty_endpoints(
    cx: &Context<'_>,
    index: usize,
    policy: &CiliumPolicy,
    rules: &[Written],
    out: &mut Vec<Diagnostic>,
) {
    let name = policy.name.to_ascii_lowercase();
    let external_name = ["world", "internet", "external", "outside", "public"]
        .iter()
        .any(|w| name.contains(w));
    for w in rules {
        for (list_name, entries, egress) in [
            ("ingress", &w.rule.ingress, false),
            ("egress", &w.rule.egress, true),
        ] {
            let entries = entries.as_deref().unwrap_or_default();
            let world_elsewhere = entries.iter().any(|e| allows_outside(e, egress));
            if world_elsewhere {
                continue;
            }
            for (i, e) in entries.iter().enumerate() {
                let selectors = if egress {
                    &e.to_endpoints
                } else {
                    &e.from_endpoints
                };
                let Some(j) = selectors.iter().flatten().position(is_empty_selector) else {
                    continue;
                };
                if !(external_name || (egress && web_ports(e))) {
                    continue;
                }
                let (field, entities) = if egress {
                    ("toEndpoints", "toEntities")
                } else {
                    ("fromEndpoints", "fromEntities")
                };
                let scope = match &policy.namespace {
                    Some(ns) => format!("every pod of namespace `{ns}`"),
                    None => "every pod of the cluster".to_string(),
                };
                let path = format!("{}.{list_name}[{i}].{field}[{j}]", w.path);
                out.push(
                    cx.report_at(
                        codes::CILIUM_EMPTY_ENDPOINTS_NOT_WORLD,
                        &cx.loaded.locate_cilium(index, &path),
                        format!(
                            "`{field}: [{{}}]` means {scope}, never the internet (`world`): traffic {} addresses outside the cluster stays denied",
                            if egress { "to" } else { "from" }
                        ),
                    )
                    .with_help(format!(
                        "for the internet write `{entities}: [world]` (or a `{}CIDRSet`) in place of `{field}: [{{}}]`",
                        if egress { "to" } else { "from" }
                    )),
                );
            }
        }
    }
}

/// An entry allowing addresses outside the cluster: `world`/`all`, CIDRs, FQDNs.
fn allows_outside(e: &api::PeerRule, egress: bool) -> bool {
    let (entities, cidr, cidr_set) = if egress {
        (&e.to_entities, &e.to_cidr, e.to_cidr_set.is_some())
    } else {
        (&e.from_entities, &e.from_cidr, e.from_cidr_set.is_some())
    };
    entities.iter().flatten().any(|s| {
        matches!(
            Entity::parse(s),
            Some(Entity::World | Entity::WorldIpv4 | Entity::WorldIpv6 | Entity::All)
        )
    }) || cidr.is_some()
        || cidr_set
        || (egress && e.to_fqdns.is_some())
}

fn is_empty_selector(sel: &LabelSelector) -> bool {
    sel.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && sel.match_expressions.as_ref().is_none_or(|m| m.is_empty())
}

/// `toPorts` with port 80 or 443.
fn web_ports(e: &api::PeerRule) -> bool {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    e.to_ports
        .iter()
        .flatten()
        .flat_map(|p| p.ports.iter().flatten())
        .any(|p| match &p.port {
            Some(IntOrString::Int(n)) => *n == 80 || *n == 443,
            Some(IntOrString::String(s)) => s == "80" || s == "443",
            None => false,
        })
}

/// NP226: a clusterwide policy whose subject names no namespace.
fn clusterwide_all_namespaces(
    cx: &Context<'_>,
    index: usize,
    policy: &CiliumPolicy,
    out: &mut Vec<Diagnostic>,
) {
    if policy.kind != CiliumKind::Clusterwide {
        return;
    }
    for rule in &policy.rules {
        let s = &rule.subject;
        if s.names_key(NAMESPACE_LABEL) || s.names_key_prefix(NAMESPACE_LABELS_PREFIX) {
            continue;
        }
        let path = format!("{}.endpointSelector", rule.path());
        out.push(
            cx.report_at(
                codes::CILIUM_CLUSTERWIDE_ALL_NAMESPACES,
                &cx.loaded.locate_cilium(index, &path),
                format!(
                    "the endpointSelector of CiliumClusterwideNetworkPolicy `{}` names no namespace: it selects matching pods of every namespace, kube-system included",
                    policy.name
                ),
            )
            .with_help(
                "add a namespace term, e.g. `matchLabels: {k8s:io.kubernetes.pod.namespace: <ns>}` or a namespace label `k8s:io.cilium.k8s.namespace.labels.<key>: <value>`; if every namespace is meant, leave it and make sure kube-system's pods keep what they need",
            ),
        );
    }
}

/// NP224: egress default deny without DNS.
fn egress_without_dns(
    facts: &Facts<'_, '_>,
    index: usize,
    policy: &CiliumPolicy,
    out: &mut Vec<Diagnostic>,
) {
    let cx = facts.cx;
    let all = &cx.cluster.cilium.policies;
    for rule in &policy.rules {
        if !rule.default_deny(Direction::Egress) {
            continue;
        }
        let selected = facts.selected(rule);
        let lacking: Vec<usize> = if selected.is_empty() {
            let covered = all
                .iter()
                .flat_map(|p| &p.rules)
                .any(|o| gives_dns(facts, o) && facts.covers(o, rule, &[]));
            if covered {
                continue;
            }
            Vec::new()
        } else {
            let lacking: Vec<usize> = selected
                .iter()
                .copied()
                .filter(|pod| !facts.np_dns.get(*pod).copied().unwrap_or(false))
                .filter(|pod| !facts.cilium_gives_dns(*pod))
                // NP227 reports these: no allow can give them DNS.
                .filter(|pod| !facts.cilium_denies_dns(*pod))
                .collect();
            if lacking.is_empty() {
                continue;
            }
            lacking
        };
        let subject = if lacking.is_empty() {
            "the pods this rule selects are".to_string()
        } else {
            let verb = if lacking.len() == 1 { "is" } else { "are" };
            format!("{} {verb}", cx.pod_list(&lacking))
        };
        let first_egress = rule
            .egress
            .iter()
            .map(|e| (e.list, e.index))
            .min()
            .map(|(l, i)| format!("{}.{}[{i}]", rule.path(), l.as_str()))
            .unwrap_or_else(|| rule.path());
        out.push(
            cx.report_at(
                codes::CILIUM_EGRESS_WITHOUT_DNS,
                &cx.loaded.locate_cilium(index, &first_egress),
                format!(
                    "{subject} in egress default deny (an egress rule without `enableDefaultDeny.egress: false`) and no Cilium rule allows them DNS (port 53) to kube-dns: they cannot resolve names"
                ),
            )
            .with_help(
                "add an egress entry: `- toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]` with `toPorts: [{ports: [{port: \"53\", protocol: ANY}]}]`",
            ),
        );
    }
}

/// The `egressDeny` entries of `rule` that take DNS: port 53 towards a resolver.
fn dns_denies<'r>(facts: &Facts<'_, '_>, rule: &'r CiliumRule) -> Vec<&'r Entry> {
    rule.egress
        .iter()
        .filter(|e| e.list == EntryList::EgressDeny && entry_reaches_dns(facts, e))
        .collect()
}

/// Whether some allow entry of `rule` lets port 53 reach a resolver.
fn gives_dns(facts: &Facts<'_, '_>, rule: &CiliumRule) -> bool {
    rule.egress
        .iter()
        .any(|e| !e.is_deny() && entry_reaches_dns(facts, e))
}

/// Whether an egress entry matches port 53 (UDP or TCP) towards a resolver: the one test
/// of both sides, an allow giving DNS (NP224, NP207) and a deny taking it (NP227).
///
/// The sides differ in one arm only: a CIDR may be an outside resolver, so an allow to one
/// counts (as NP207 counts an ipBlock), while a deny to one never reaches kube-dns, since
/// under Cilium CIDR peers match no pod or node (docs/cilium.md §4): `egressDeny` to
/// `0.0.0.0/0` is the usual way to cut the internet off and leaves cluster DNS alone.
fn entry_reaches_dns(facts: &Facts<'_, '_>, entry: &Entry) -> bool {
    let port53 = match &entry.ports {
        Ports::Any => true,
        Ports::List(list) => list.iter().any(|p| {
            matches!(p.protocol, None | Some(Protocol::Udp | Protocol::Tcp))
                && match &p.port {
                    PortMatch::All => true,
                    PortMatch::Range(a, b) => (*a..=*b).contains(&53),
                    PortMatch::Named(n) => n.contains("dns"),
                }
        }),
    };
    if !port53 {
        return false;
    }
    match &entry.peers {
        Peers::Wildcard => true,
        Peers::Cidrs(_) => !entry.is_deny(),
        Peers::Nothing => false,
        // `toServices` may name kube-dns; only trusted with port 53 written out.
        Peers::RunTime => matches!(entry.ports, Ports::List(_)),
        Peers::Entities(list) => list
            .iter()
            .any(|e| matches!(e, Entity::All | Entity::Cluster | Entity::ClusterMesh)),
        Peers::Endpoints(selectors) => selectors.iter().any(|s| selector_may_be_dns(facts, s)),
    }
}

fn selector_may_be_dns(facts: &Facts<'_, '_>, sel: &IdSelector) -> bool {
    if facts.pods.dns_pods.is_empty() {
        // `{}` of a clusterwide rule (only the terms the agent adds: the local cluster, some
        // namespace): every pod, kube-system's included.
        let every_namespace = sel.terms.iter().all(|t| {
            t.key == CLUSTER_LABEL || (t.key == NAMESPACE_LABEL && t.operator == Operator::Exists)
        });
        return every_namespace
            || sel.terms.iter().any(|t| {
                t.key.contains("dns")
                    || t.values
                        .iter()
                        .any(|v| v.contains("dns") || v == "kube-system")
            });
    }
    facts.pods.dns_pods.iter().any(|i| {
        facts
            .pods
            .identities
            .get(*i)
            .is_some_and(|labels| sel.matches(labels))
    })
}

/// NP227: an `egressDeny` entry that takes DNS from the pods its rule selects.
fn deny_blocks_dns(
    facts: &Facts<'_, '_>,
    index: usize,
    policy: &CiliumPolicy,
    out: &mut Vec<Diagnostic>,
) {
    let cx = facts.cx;
    for rule in &policy.rules {
        if !rule.egress.iter().any(|e| e.list == EntryList::EgressDeny) {
            continue;
        }
        let entries = dns_denies(facts, rule);
        if entries.is_empty() {
            continue;
        }
        let selected = facts.selected(rule);
        if selected.is_empty() {
            continue;
        }
        let verb = if selected.len() == 1 { "it" } else { "they" };
        for e in entries {
            let path = format!("{}.{}[{}]", rule.path(), e.list.as_str(), e.index);
            out.push(
                cx.report_at(
                    codes::CILIUM_DENY_BLOCKS_DNS,
                    &cx.loaded.locate_cilium(index, &path),
                    format!(
                        "this `egressDeny` entry denies DNS (port 53) to kube-dns for {}: a deny wins over every allow, Cilium or NetworkPolicy, so {verb} cannot resolve names whatever allows DNS",
                        cx.pod_list(&selected)
                    ),
                )
                .with_help(
                    "narrow the deny: give it `toPorts` that leave out port 53, or peers that leave out kube-dns (`toEntities: [world]`, a CIDR, or a `toEndpoints` selector with `k8s:k8s-app NotIn [kube-dns]`)",
                ),
            );
        }
    }
}

/// NP228: the `kube-apiserver` entity (or a `reserved:kube-apiserver` selector) while the
/// input has no API server address: here it matches nothing.
fn kube_apiserver_unknown(
    cx: &Context<'_>,
    index: usize,
    rules: &[Written],
    out: &mut Vec<Diagnostic>,
) {
    if !cx.cluster.cilium.api_server.is_empty() {
        return;
    }
    for w in rules {
        for (list, entries, egress) in [
            ("ingress", &w.rule.ingress, false),
            ("ingressDeny", &w.rule.ingress_deny, false),
            ("egress", &w.rule.egress, true),
            ("egressDeny", &w.rule.egress_deny, true),
        ] {
            for (i, e) in entries.iter().flatten().enumerate() {
                let (entity_field, entities, endpoint_field, endpoints) = if egress {
                    ("toEntities", &e.to_entities, "toEndpoints", &e.to_endpoints)
                } else {
                    (
                        "fromEntities",
                        &e.from_entities,
                        "fromEndpoints",
                        &e.from_endpoints,
                    )
                };
                let by_entity = entities
                    .iter()
                    .flatten()
                    .enumerate()
                    .filter(|(_, s)| Entity::parse(s) == Some(Entity::KubeApiserver))
                    .map(|(j, _)| (entity_field, j, "the `kube-apiserver` entity"));
                let by_selector = endpoints
                    .iter()
                    .flatten()
                    .enumerate()
                    .filter(|(_, sel)| names_reserved_api_server(sel))
                    .map(|(j, _)| (endpoint_field, j, "a `reserved:kube-apiserver` selector"));
                for (field, j, what) in by_entity.chain(by_selector) {
                    let path = format!("{}.{list}[{i}].{field}[{j}]", w.path);
                    out.push(
                        cx.report_at(
                            codes::CILIUM_KUBE_APISERVER_UNKNOWN,
                            &cx.loaded.locate_cilium(index, &path),
                            format!(
                                "{what} stands for the API server's addresses, and the input has none (no EndpointSlice or Endpoints of the `kubernetes` Service in `default`): here it matches nothing, while in the cluster it matches the API server"
                            ),
                        )
                        .with_help(
                            "add the API server's endpoints: `kubectl get endpointslice -n default -l kubernetes.io/service-name=kubernetes -o yaml`",
                        ),
                    );
                }
            }
        }
    }
}

/// A selector with a `reserved:kube-apiserver` (or `$kube-apiserver`) term.
fn names_reserved_api_server(sel: &LabelSelector) -> bool {
    let is_api = |key: &str| LabelSource::split(key) == (LabelSource::Reserved, "kube-apiserver");
    sel.match_labels.iter().flatten().any(|(k, _)| is_api(k))
        || sel
            .match_expressions
            .iter()
            .flatten()
            .any(|e| is_api(&e.key))
}

/// NP225: `toFQDNs` without a DNS proxy rule for the same pods.
fn fqdn_without_proxy(
    facts: &Facts<'_, '_>,
    written: &[Vec<Written>],
    index: usize,
    policy: &CiliumPolicy,
    rules: &[Written],
    out: &mut Vec<Diagnostic>,
) {
    let cx = facts.cx;
    let all = &cx.cluster.cilium.policies;
    for w in rules {
        let Some(rule) = policy.rules.iter().find(|r| r.spec_index == w.spec_index) else {
            continue;
        };
        let fqdn_entries: Vec<usize> = w
            .rule
            .egress
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, e)| e.to_fqdns.is_some())
            .map(|(i, _)| i)
            .collect();
        if fqdn_entries.is_empty() {
            continue;
        }
        let selected = facts.selected(rule);
        let proxied = all.iter().enumerate().any(|(pi, p)| {
            p.rules.iter().any(|o| {
                let has_proxy = written
                    .get(pi)
                    .into_iter()
                    .flatten()
                    .any(|ow| ow.spec_index == o.spec_index && ow.dns_proxy);
                has_proxy && facts.covers(o, rule, &selected)
            })
        });
        if proxied {
            continue;
        }
        for i in fqdn_entries {
            let path = format!("{}.egress[{i}].toFQDNs", w.path);
            out.push(
                cx.report_at(
                    codes::CILIUM_FQDN_WITHOUT_DNS_PROXY,
                    &cx.loaded.locate_cilium(index, &path),
                    "this `toFQDNs` entry allows names that Cilium learns only by watching the pods' DNS answers through its DNS proxy, and no rule for these pods sends their DNS through the proxy: the names never resolve to allowed IPs and the traffic stays denied",
                )
                .with_help(
                    "add an egress entry to kube-dns with a DNS rule: `- toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]`, `toPorts: [{ports: [{port: \"53\", protocol: ANY}], rules: {dns: [{matchPattern: \"*\"}]}}]`",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cilium::eval::identity;
    use crate::test_support::cluster;

    /// A pod with a Cilium DNS allow and a Cilium DNS deny has no DNS: the deny wins
    /// (docs/cilium.md §8), and NP207/NP224 leave it to NP227.
    #[test]
    fn a_dns_deny_takes_the_dns_an_allow_gives() {
        let base = "
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default, labels: {app: client}}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: dns, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]
    toPorts: [{ports: [{port: \"53\", protocol: ANY}]}]
";
        let deny = "  egressDeny:
  - toEntities: [cluster]
    toPorts: [{ports: [{port: \"53\", protocol: UDP}]}]
";
        let facts = |yaml: &str| {
            let loaded = crate::load::load(&[crate::load::Source {
                name: "t.yaml",
                text: yaml,
            }]);
            let options = crate::lint::LintOptions::default();
            let cx = Context::new(&loaded, &options);
            (cilium_gives_dns(&cx, 0), cilium_denies_dns(&cx, 0))
        };
        assert_eq!(facts(base), (true, false));
        assert_eq!(facts(&format!("{base}{deny}")), (false, true));
    }

    /// The identities the lint builds per namespace part are the agent's (docs/cilium.md
    /// §3): the pod's labels, its namespace and that namespace's labels, its service
    /// account, the cluster name.
    #[test]
    fn identities_built_per_namespace_part_are_the_agents() {
        let c = cluster(
            "
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {team: a, env: prod}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: x, labels: {app: web, io.kubernetes.pod.namespace: other}}
spec: {serviceAccountName: client, containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: x, labels: {app: db}}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: undeclared}
---
# With a Cilium policy the loader keeps what identities read (the service account).
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: idle}
spec:
  endpointSelector: {matchLabels: {nothing: here}}
  ingress: [{}]
",
        );
        assert_eq!(c.pods.len(), 3);
        let text = |labels: Vec<IdLabel>| -> Vec<String> {
            labels
                .iter()
                .map(|l| format!("{}={}", l.key, l.value))
                .collect()
        };
        let web = &c.pods[0];
        let got = text(identity_with(
            &c,
            web,
            &namespace_identity(&c, &web.namespace),
        ));
        let want = [
            "app=web",
            "io.kubernetes.pod.namespace=other",
            "io.kubernetes.pod.namespace=x",
            "io.cilium.k8s.namespace.labels.env=prod",
            "io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=x",
            "io.cilium.k8s.namespace.labels.team=a",
            "io.cilium.k8s.policy.serviceaccount=client",
            "io.cilium.k8s.policy.cluster=default",
        ];
        assert_eq!(got, want);
        let other = &c.pods[2];
        assert_eq!(
            text(identity(&c, other)),
            [
                "io.kubernetes.pod.namespace=undeclared",
                "io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=undeclared",
                "io.cilium.k8s.policy.cluster=default",
            ]
        );
    }
}
