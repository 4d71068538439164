//! What the CRD and the agent refuse in one Cilium rule, as a pure function from the
//! decoded rule to the model plus problems at field paths (the loader places them).
//!
//! Errors are what the API server refuses (CRD schema: types, enums, `format: cidr`,
//! `maxItems`) and what the agent's `Rule.Sanitize` refuses (two peer kinds in one entry,
//! `icmps` with `toPorts`, an `except` outside its `cidr`, ...); a rule with an error is
//! left out. Warnings ([`diag::RUN_TIME`]) name the parts only the running agent can
//! decide (`toFQDNs`, `toServices`, L7 `rules`, `authentication`, host policies): the
//! rule loads and its L3/L4 part is evaluated only where it stands alone
//! (docs/cilium.md §1, §4, §5).
//!
//! The agent's parsing is applied here once (`ParseToCiliumRule`, `getEndpointSelector`):
//! a namespaced policy's `endpointSelector` gets `k8s:io.kubernetes.pod.namespace=<ns>`,
//! its peer selectors get it too unless they name a namespace, a namespace label or a
//! `reserved:` label; a clusterwide policy's peer selectors get `namespace Exists`
//! (docs/cilium.md §2, §3).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::api;
use super::model::{
    CidrPeer, CidrSource, CiliumKind, CiliumRule, Entity, Entry, EntryList, IdRequirement,
    IdSelector, LabelSource, Peers, PortMatch, PortSpec, Ports,
};
use crate::cidr::Cidr;
use crate::diag::{self, Problem};
use crate::ports::Protocol;
use crate::selector::Operator;

/// The identity label holding a pod's namespace.
pub const NAMESPACE_LABEL: &str = "io.kubernetes.pod.namespace";
/// The identity label holding a pod's cluster (`--cluster-name`).
pub const CLUSTER_LABEL: &str = "io.cilium.k8s.policy.cluster";
/// The prefix of the identity labels copied from a pod's namespace.
pub const NAMESPACE_LABELS_PREFIX: &str = "io.cilium.k8s.namespace.labels.";
/// At most this many `ports` in one `toPorts` entry (`PortRule.Sanitize`).
const MAX_PORTS: usize = 40;
/// Protocols the CRD accepts beyond TCP, UDP, SCTP and ANY: they need
/// `--enable-extended-ip-protocols` and carry no port; not modelled.
const EXTENDED_PROTOCOLS: [&str; 7] = ["VRRP", "IGMP", "GRE", "IPIP", "IPV6", "ESP", "AH"];

/// The policy a rule belongs to, as parsing needs it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Owner<'a> {
    /// Namespaced or clusterwide.
    pub kind: CiliumKind,
    /// The namespace of a namespaced policy.
    pub namespace: Option<&'a str>,
}

/// The model of one rule written at `path` (`spec`, `specs[1]`), or `None` when it has an
/// error or selects nodes (a host policy), with every problem found.
pub(crate) fn rule(
    owner: Owner<'_>,
    written: &api::Rule,
    path: &str,
    spec_index: Option<usize>,
) -> (Option<CiliumRule>, Vec<Problem>) {
    let mut v = Validator {
        owner,
        problems: Vec::new(),
    };
    let rule = v.rule(written, path, spec_index);
    let rejected = v
        .problems
        .iter()
        .any(|p| p.code.severity == diag::Severity::Error);
    (rule.filter(|_| !rejected), v.problems)
}

struct Validator<'a> {
    owner: Owner<'a>,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn error(&mut self, path: &str, message: impl Into<String>) -> Last<'_> {
        self.push(diag::INVALID_VALUE, path, message)
    }

    fn push(&mut self, code: diag::Code, path: &str, message: impl Into<String>) -> Last<'_> {
        self.problems.push(Problem::new(code, path, message));
        Last(&mut self.problems)
    }

    fn run_time(&mut self, path: &str, what: &str) {
        self.push(
            diag::RUN_TIME,
            path,
            format!("{what}: decided by Cilium at run time, not by the playground"),
        )
        .at_key();
    }

    fn rule(&mut self, r: &api::Rule, path: &str, spec_index: Option<usize>) -> Option<CiliumRule> {
        let lists = [&r.ingress, &r.ingress_deny, &r.egress, &r.egress_deny];
        if lists.iter().all(|l| l.is_none()) {
            self.push(
                diag::MISSING_FIELD,
                path,
                format!("`{path}` needs at least one of `ingress`, `ingressDeny`, `egress`, `egressDeny`"),
            )
            .help("add the rules the policy should enforce");
        } else if lists.iter().all(|l| l.as_ref().is_none_or(Vec::is_empty)) {
            self.error(
                path,
                "rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny (the agent refuses a rule whose four lists are empty)",
            );
        }
        let subject = match (&r.endpoint_selector, &r.node_selector) {
            (Some(_), Some(_)) => {
                self.error(
                    &format!("{path}.nodeSelector"),
                    "rule cannot have both `endpointSelector` and `nodeSelector`",
                );
                None
            }
            (None, None) => {
                self.push(
                    diag::MISSING_FIELD,
                    path,
                    format!(
                        "`{path}` needs `endpointSelector` (or `nodeSelector` for a host policy)"
                    ),
                )
                .help("write `endpointSelector: {}` to select every pod of the namespace");
                None
            }
            (None, Some(_)) if self.owner.kind == CiliumKind::Namespaced => {
                self.error(
                    &format!("{path}.nodeSelector"),
                    "a CiliumNetworkPolicy cannot have `nodeSelector` (host policies are clusterwide)",
                )
                .help("use a CiliumClusterwideNetworkPolicy, or `endpointSelector`");
                None
            }
            (None, Some(_)) => {
                self.run_time(
                    &format!("{path}.nodeSelector"),
                    "a host policy (`nodeSelector`, needs `--enable-host-firewall`) selects nodes, not pods; the playground does not evaluate it",
                );
                // Checked, then left out: it never selects a pod.
                let _ = self.selector(r.node_selector.as_ref()?, &format!("{path}.nodeSelector"));
                None
            }
            (Some(sel), None) => self.selector(sel, &format!("{path}.endpointSelector")),
        };
        if let Some(labels) = &r.labels {
            for (i, l) in labels.iter().enumerate() {
                if l.key.is_none() {
                    self.push(
                        diag::MISSING_FIELD,
                        &format!("{path}.labels[{i}]"),
                        format!("missing required field `{path}.labels[{i}].key`"),
                    );
                }
            }
        }
        let mut ingress = Vec::new();
        let mut egress = Vec::new();
        for (list, written) in [
            (EntryList::Ingress, &r.ingress),
            (EntryList::IngressDeny, &r.ingress_deny),
            (EntryList::Egress, &r.egress),
            (EntryList::EgressDeny, &r.egress_deny),
        ] {
            for (i, e) in written.iter().flatten().enumerate() {
                let at = format!("{path}.{}[{i}]", list.as_str());
                if let Some(entry) = self.entry(list, i, e, &at) {
                    match list.direction() {
                        crate::model::Direction::Ingress => ingress.push(entry),
                        crate::model::Direction::Egress => egress.push(entry),
                    }
                }
            }
        }
        let dd = r.enable_default_deny.as_ref();
        let subject = self.subject(subject?);
        Some(CiliumRule {
            spec_index,
            subject,
            default_deny_ingress: dd.and_then(|d| d.ingress).unwrap_or(true),
            default_deny_egress: dd.and_then(|d| d.egress).unwrap_or(true),
            ingress,
            egress,
        })
    }

    /// `ParseToCiliumRule`: a namespaced policy selects pods of its namespace only.
    fn subject(&self, mut sel: IdSelector) -> IdSelector {
        if let (CiliumKind::Namespaced, Some(ns)) = (self.owner.kind, self.owner.namespace) {
            // A `k8s:` namespace term is overwritten; an `any:` one stays next to the added
            // term (and selects nothing when it names another namespace), as in the agent.
            sel.terms
                .retain(|t| !(t.key == NAMESPACE_LABEL && t.source == LabelSource::K8s));
            sel.terms.push(namespace_is(ns));
        }
        sel
    }

    /// `getEndpointSelector` for a peer selector.
    fn peer(&self, mut sel: IdSelector) -> IdSelector {
        if sel.has_reserved() {
            return sel;
        }
        // `addClusterFilterByDefault`: a selector that names no cluster is limited to the
        // local one. Besides keeping other clusters out, this is what keeps a selector of
        // only `NotIn`/`DoesNotExist` terms from matching `world`, `host` and the other
        // reserved identities, which carry no cluster label.
        if !sel.names_key(CLUSTER_LABEL) {
            sel.terms.push(IdRequirement {
                source: LabelSource::K8s,
                key: CLUSTER_LABEL.to_string(),
                operator: Operator::In,
                values: vec![super::eval::CLUSTER_NAME.to_string()],
            });
        }
        if sel.names_key(NAMESPACE_LABEL) {
            return sel;
        }
        match (self.owner.kind, self.owner.namespace) {
            (CiliumKind::Namespaced, Some(ns)) => {
                // The code lets a namespace-label selector reach other namespaces (the docs
                // say it is ignored): docs/cilium.md §3 follows the code.
                if !sel.names_key_prefix(NAMESPACE_LABELS_PREFIX) {
                    sel.terms.push(namespace_is(ns));
                }
            }
            _ => sel.terms.push(IdRequirement {
                source: LabelSource::K8s,
                key: NAMESPACE_LABEL.to_string(),
                operator: Operator::Exists,
                values: Vec::new(),
            }),
        }
        sel
    }

    fn entry(
        &mut self,
        list: EntryList,
        index: usize,
        e: &api::PeerRule,
        at: &str,
    ) -> Option<Entry> {
        let ingress = list.direction() == crate::model::Direction::Ingress;
        let deny = list.is_deny();
        // Fields of the other direction: known, but not here.
        let wrong_side: &[(&str, bool)] = if ingress {
            &[
                ("toEndpoints", e.to_endpoints.is_some()),
                ("toRequires", e.to_requires.is_some()),
                ("toCIDR", e.to_cidr.is_some()),
                ("toCIDRSet", e.to_cidr_set.is_some()),
                ("toEntities", e.to_entities.is_some()),
                ("toServices", e.to_services.is_some()),
                ("toGroups", e.to_groups.is_some()),
                ("toNodes", e.to_nodes.is_some()),
                ("toFQDNs", e.to_fqdns.is_some()),
            ]
        } else {
            &[
                ("fromEndpoints", e.from_endpoints.is_some()),
                ("fromRequires", e.from_requires.is_some()),
                ("fromCIDR", e.from_cidr.is_some()),
                ("fromCIDRSet", e.from_cidr_set.is_some()),
                ("fromEntities", e.from_entities.is_some()),
                ("fromGroups", e.from_groups.is_some()),
                ("fromNodes", e.from_nodes.is_some()),
            ]
        };
        for (field, present) in wrong_side {
            if *present {
                self.push(
                    diag::UNKNOWN_FIELD,
                    &format!("{at}.{field}"),
                    format!("unknown field `{field}` in an `{}` rule", list.as_str()),
                )
                .help(if ingress {
                    "`to...` peers belong in `egress`/`egressDeny`; ingress rules use `from...`"
                } else {
                    "`from...` peers belong in `ingress`/`ingressDeny`; egress rules use `to...`"
                });
            }
        }
        if deny && e.to_fqdns.is_some() {
            self.push(
                diag::UNKNOWN_FIELD,
                &format!("{at}.toFQDNs"),
                "unknown field `toFQDNs` in an `egressDeny` rule (deny rules cannot name DNS names)",
            );
        }
        if deny && e.authentication.is_some() {
            self.push(
                diag::UNKNOWN_FIELD,
                &format!("{at}.authentication"),
                format!(
                    "unknown field `authentication` in an `{}` rule",
                    list.as_str()
                ),
            );
        }
        let (endpoints, requires, cidr, cidr_set, entities, groups, nodes, prefix) = if ingress {
            (
                &e.from_endpoints,
                &e.from_requires,
                &e.from_cidr,
                &e.from_cidr_set,
                &e.from_entities,
                &e.from_groups,
                &e.from_nodes,
                "from",
            )
        } else {
            (
                &e.to_endpoints,
                &e.to_requires,
                &e.to_cidr,
                &e.to_cidr_set,
                &e.to_entities,
                &e.to_groups,
                &e.to_nodes,
                "to",
            )
        };
        if requires.as_ref().is_some_and(|r| !r.is_empty()) {
            self.error(
                &format!("{at}.{prefix}Requires"),
                format!("`{prefix}Requires` was removed in Cilium 1.19 (the CRD allows no items)"),
            )
            .help(format!(
                "use a deny rule, or add the required labels to each `{prefix}Endpoints` selector"
            ));
        }
        if nodes.as_ref().is_some_and(|n| !n.is_empty()) {
            self.error(
                &format!("{at}.{prefix}Nodes"),
                format!("`{prefix}Nodes` rules can only be applied when the `enable-node-selector-labels` flag is set (off by default)"),
            )
            .help("select the nodes with `fromEntities`/`toEntities: [host, remote-node]`");
        }
        // One kind of peer per entry (`sanitize`: "combining X and Y is not supported yet").
        let mut kinds: Vec<&str> = Vec::new();
        let mut present = |name: &'static str, non_empty: bool| {
            if non_empty {
                kinds.push(name);
            }
        };
        let non_empty = |o: Option<usize>| o.is_some_and(|n| n > 0);
        present(
            if ingress {
                "fromEndpoints"
            } else {
                "toEndpoints"
            },
            non_empty(endpoints.as_ref().map(Vec::len)),
        );
        present(
            if ingress { "fromCIDR" } else { "toCIDR" },
            non_empty(cidr.as_ref().map(Vec::len)),
        );
        present(
            if ingress { "fromCIDRSet" } else { "toCIDRSet" },
            non_empty(cidr_set.as_ref().map(Vec::len)),
        );
        present(
            if ingress {
                "fromEntities"
            } else {
                "toEntities"
            },
            non_empty(entities.as_ref().map(Vec::len)),
        );
        present(
            if ingress { "fromGroups" } else { "toGroups" },
            non_empty(groups.as_ref().map(Vec::len)),
        );
        present(
            if ingress { "fromNodes" } else { "toNodes" },
            non_empty(nodes.as_ref().map(Vec::len)),
        );
        if !ingress {
            present(
                "toServices",
                non_empty(e.to_services.as_ref().map(Vec::len)),
            );
        }
        // `fromCIDR` with `fromCIDRSet` counts as two kinds too (`l3Members` lists both).
        if kinds.len() > 1 {
            self.error(
                at,
                format!(
                    "combining `{}` and `{}` is not supported yet (the agent refuses the policy)",
                    kinds.first().unwrap_or(&""),
                    kinds.get(1).unwrap_or(&"")
                ),
            )
            .help("write one entry per kind of peer");
        }
        if e.icmps.is_some() && e.to_ports.is_some() {
            self.error(
                &format!("{at}.icmps"),
                "the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts",
            );
        }
        // The peers.
        let mut peers = Peers::Wildcard;
        let mut any_peer_field = false;
        if let Some(list) = endpoints {
            any_peer_field = true;
            let mut sels = Vec::new();
            for (i, s) in list.iter().enumerate() {
                if let Some(sel) = self.selector(s, &format!("{at}.{prefix}Endpoints[{i}]")) {
                    sels.push(self.peer(sel));
                }
            }
            peers = Peers::Endpoints(sels);
        }
        let mut cidrs: Option<Vec<CidrPeer>> = None;
        if let Some(list) = cidr {
            any_peer_field = true;
            let out = cidrs.get_or_insert_with(Vec::new);
            for (i, s) in list.iter().enumerate() {
                let field = format!("{at}.{prefix}CIDR[{i}]");
                if let Some(c) = self.cidr(s, &field) {
                    out.push(CidrPeer {
                        source: CidrSource::Block(c),
                        except: Vec::new(),
                    });
                }
            }
        }
        if let Some(list) = cidr_set {
            any_peer_field = true;
            cidrs.get_or_insert_with(Vec::new);
            for (i, r) in list.iter().enumerate() {
                let field = format!("{at}.{prefix}CIDRSet[{i}]");
                if let Some(p) = self.cidr_rule(r, &field) {
                    cidrs.get_or_insert_with(Vec::new).push(p);
                }
            }
        }
        if let Some(c) = cidrs {
            peers = Peers::Cidrs(c);
        }
        if let Some(list) = entities {
            any_peer_field = true;
            let mut out = Vec::new();
            for (i, name) in list.iter().enumerate() {
                let field = format!("{at}.{prefix}Entities[{i}]");
                match Entity::parse(name) {
                    Some(Entity::WorldIpv4 | Entity::WorldIpv6) => {
                        self.error(
                            &field,
                            format!("entity `{name}` is not in the CRD's enum at Cilium 1.20 (the API server refuses it)"),
                        )
                        .help("write `world`, or `toCIDR: [0.0.0.0/0]` for IPv4 only");
                    }
                    Some(e) => out.push(e),
                    None => {
                        let hint = crate::suggest::closest(name, Entity::NAMES)
                            .map(|s| format!("did you mean `{s}`?"))
                            .unwrap_or_else(|| format!("use one of {}", Entity::NAMES.join(", ")));
                        self.error(&field, format!("unsupported entity: `{name}`"))
                            .help(hint);
                    }
                }
            }
            peers = Peers::Entities(out);
        }
        let run_time_peer: Option<&str> = if groups.is_some() {
            Some(if ingress { "fromGroups" } else { "toGroups" })
        } else if !ingress && e.to_services.is_some() {
            Some("toServices")
        } else if !ingress && !deny && e.to_fqdns.is_some() {
            Some("toFQDNs")
        } else {
            None
        };
        if let Some(field) = run_time_peer {
            any_peer_field = true;
            let what = match field {
                "toFQDNs" => "`toFQDNs` allows the addresses DNS answers give the pod",
                "toServices" => {
                    "`toServices` allows the backends of a Service as the agent resolves them"
                }
                _ => "groups are resolved by the cloud provider integration",
            };
            self.run_time(&format!("{at}.{field}"), what);
            peers = Peers::RunTime;
        }
        if nodes.is_some() {
            any_peer_field = true;
        }
        // An explicit empty list selects nothing (PR #29608, Cilium 1.15).
        let explicit_empty = [
            endpoints.as_ref().map(Vec::len),
            cidr.as_ref().map(Vec::len),
            cidr_set.as_ref().map(Vec::len),
            entities.as_ref().map(Vec::len),
        ]
        .contains(&Some(0));
        if explicit_empty && kinds.is_empty() && run_time_peer.is_none() {
            peers = Peers::Nothing;
        }
        if e.authentication.is_some() && !deny {
            self.run_time(
                &format!("{at}.authentication"),
                "mutual authentication decides whether this rule allows",
            );
            peers = Peers::RunTime;
        }
        let ports = match &e.to_ports {
            None => Ports::Any,
            Some(rules) if rules.is_empty() => Ports::Any,
            Some(rules) => {
                let mut out = Vec::new();
                for (i, pr) in rules.iter().enumerate() {
                    self.port_rule(pr, &format!("{at}.toPorts[{i}]"), deny, &mut out);
                }
                Ports::List(out)
            }
        };
        let ports = if e.icmps.is_some() && e.to_ports.is_none() {
            self.run_time(
                &format!("{at}.icmps"),
                "`icmps` allows ICMP, which the playground does not model (TCP, UDP and SCTP only)",
            );
            Ports::List(Vec::new())
        } else {
            ports
        };
        // `ingress: [{}]`: an entry with no peer and no port selects nothing, but still
        // enables default deny (docs/cilium.md §6).
        if !any_peer_field && matches!(ports, Ports::Any) && e.icmps.is_none() {
            peers = Peers::Nothing;
        }
        Some(Entry {
            list,
            index,
            peers,
            ports,
        })
    }

    fn port_rule(&mut self, pr: &api::PortRule, at: &str, deny: bool, out: &mut Vec<PortSpec>) {
        let l7 = [
            ("rules", pr.rules.is_some()),
            ("terminatingTLS", pr.terminating_tls.is_some()),
            ("originatingTLS", pr.originating_tls.is_some()),
            ("serverNames", pr.server_names.is_some()),
            ("listener", pr.listener.is_some()),
        ];
        for (field, present) in l7 {
            if !present {
                continue;
            }
            if deny {
                self.push(
                    diag::UNKNOWN_FIELD,
                    &format!("{at}.{field}"),
                    format!("unknown field `{field}` in a deny rule's `toPorts` (deny rules have `ports` only)"),
                );
            } else {
                self.run_time(
                    &format!("{at}.{field}"),
                    &format!("`{field}` (L7) filters inside the allowed ports; the playground evaluates the ports only"),
                );
            }
        }
        let ports = pr.ports.as_deref().unwrap_or(&[]);
        if ports.len() > MAX_PORTS {
            self.error(
                &format!("{at}.ports"),
                format!("too many ports, the max is {MAX_PORTS}"),
            );
        }
        if ports.is_empty() {
            out.push(PortSpec {
                protocol: None,
                port: PortMatch::All,
            });
        }
        for (i, p) in ports.iter().enumerate() {
            let field = format!("{at}.ports[{i}]");
            self.port(p, &field, out);
        }
    }

    fn port(&mut self, p: &api::PortProtocol, at: &str, out: &mut Vec<PortSpec>) {
        let protocol = match p.protocol.as_deref() {
            None | Some("ANY") => Some(None),
            Some(s) => match Protocol::parse(s) {
                Some(pr) => Some(Some(pr)),
                None if EXTENDED_PROTOCOLS.contains(&s) => {
                    self.run_time(
                        &format!("{at}.protocol"),
                        &format!("protocol `{s}` needs `--enable-extended-ip-protocols` and is not modelled"),
                    );
                    return;
                }
                None => {
                    let upper = s.to_ascii_uppercase();
                    let help = if Protocol::parse(&upper).is_some() || upper == "ANY" {
                        format!("write `{upper}`")
                    } else {
                        "use `TCP`, `UDP`, `SCTP` or `ANY`".to_string()
                    };
                    self.error(
                        &format!("{at}.protocol"),
                        format!("unsupported protocol `{s}`"),
                    )
                    .help(help);
                    None
                }
            },
        };
        let port = match &p.port {
            None => {
                self.push(
                    diag::MISSING_FIELD,
                    at,
                    format!("missing required field `{at}.port` (port must be specified)"),
                );
                return;
            }
            Some(IntOrString::Int(n)) => {
                // The CRD types `port` as a string (a number or a name, by pattern), unlike
                // a NetworkPolicy's int-or-string: the API server refuses a bare number.
                self.push(
                    diag::WRONG_TYPE,
                    &format!("{at}.port"),
                    format!("`port` must be a string in a Cilium policy, not the number {n}"),
                )
                .help(format!("quote it: `port: \"{n}\"`"));
                return;
            }
            Some(IntOrString::String(s)) if s.is_empty() => {
                self.push(
                    diag::MISSING_FIELD,
                    &format!("{at}.port"),
                    "port must be specified",
                );
                return;
            }
            Some(IntOrString::String(s)) if s.bytes().all(|b| b.is_ascii_digit()) => {
                self.port_number(s.parse::<i64>().unwrap_or(i64::MAX), at)
            }
            Some(IntOrString::String(s)) => {
                let name = s.to_ascii_lowercase();
                if let Err(e) = crate::names::check_port_name(&name) {
                    self.error(
                        &format!("{at}.port"),
                        format!("`{s}` is neither a port number nor a port name: {e}"),
                    );
                    return;
                }
                Some(PortMatch::Named(name))
            }
        };
        let port = match (port, p.end_port) {
            (Some(PortMatch::Range(lo, _)), Some(end)) if end != 0 => match u16::try_from(end) {
                Ok(end) if end >= lo => Some(PortMatch::Range(lo, end)),
                Ok(end) => {
                    self.error(
                        &format!("{at}.endPort"),
                        format!("`endPort` {end} is below `port` {lo}"),
                    );
                    None
                }
                Err(_) => {
                    self.error(
                        &format!("{at}.endPort"),
                        format!("`endPort` {end} is not between 0 and 65535"),
                    );
                    None
                }
            },
            (port, _) => port,
        };
        if let (Some(protocol), Some(port)) = (protocol, port) {
            out.push(PortSpec { protocol, port });
        }
    }

    fn port_number(&mut self, n: i64, at: &str) -> Option<PortMatch> {
        match u16::try_from(n) {
            Ok(0) => Some(PortMatch::All),
            Ok(n) => Some(PortMatch::Range(n, n)),
            Err(_) => {
                self.error(
                    &format!("{at}.port"),
                    format!("port `{n}` is not between 0 and 65535"),
                );
                None
            }
        }
    }

    fn cidr(&mut self, s: &str, at: &str) -> Option<Cidr> {
        match Cidr::parse(s, false) {
            Ok(c) => Some(c.network()),
            Err(e) => {
                self.error(at, format!("unable to parse CIDR: {e}"));
                None
            }
        }
    }

    fn cidr_rule(&mut self, r: &api::CidrRule, at: &str) -> Option<CidrPeer> {
        let set = [
            r.cidr.is_some(),
            r.cidr_group_ref.is_some(),
            r.cidr_group_selector.is_some(),
        ];
        let count = set.iter().filter(|b| **b).count();
        if count == 0 {
            self.push(
                diag::MISSING_FIELD,
                at,
                "one of `cidr`, `cidrGroupRef`, or `cidrGroupSelector` is required",
            );
            return None;
        }
        if count > 1 {
            self.error(
                at,
                "more than one of `cidr`, `cidrGroupRef`, or `cidrGroupSelector` may not be set",
            );
            return None;
        }
        let source = if let Some(s) = &r.cidr {
            CidrSource::Block(self.cidr(s, &format!("{at}.cidr"))?)
        } else if let Some(name) = &r.cidr_group_ref {
            CidrSource::GroupRef(name.clone())
        } else {
            let sel = r.cidr_group_selector.as_ref()?;
            let (sel, problems) =
                crate::selector::from_label_selector(sel, &format!("{at}.cidrGroupSelector"));
            self.problems.extend(problems);
            CidrSource::GroupSelector(sel)
        };
        let mut except = Vec::new();
        for (i, s) in r.except.iter().flatten().enumerate() {
            let field = format!("{at}.except[{i}]");
            let Some(e) = self.cidr(s, &field) else {
                continue;
            };
            if let CidrSource::Block(c) = &source {
                if !c.contains(&e) {
                    self.error(
                        &field,
                        format!("allow CIDR prefix {c} does not contain exclude CIDR prefix {e}"),
                    );
                    continue;
                }
            }
            except.push(e);
        }
        Some(CidrPeer { source, except })
    }

    /// A label selector over identity labels: keys may carry a source (`k8s:app`).
    fn selector(&mut self, sel: &LabelSelector, at: &str) -> Option<IdSelector> {
        let mut out = IdSelector::default();
        let mut ok = true;
        for (k, v) in sel.match_labels.iter().flatten() {
            let (source, key) = LabelSource::split(k);
            if let Some(problem) = label_problem(&source, key, v) {
                self.problems.push(
                    Problem::new(
                        diag::INVALID_VALUE,
                        format!("{at}.matchLabels.{k}"),
                        problem,
                    )
                    .at_key(),
                );
                ok = false;
            }
            out.terms.push(IdRequirement {
                source,
                key: key.to_string(),
                operator: Operator::In,
                values: vec![v.clone()],
            });
        }
        for (i, req) in sel.match_expressions.iter().flatten().enumerate() {
            let rpath = format!("{at}.matchExpressions[{i}]");
            let Some(operator) = Operator::parse(&req.operator) else {
                self.error(
                    &format!("{rpath}.operator"),
                    format!("unknown operator `{}`", req.operator),
                )
                .help("use `In`, `NotIn`, `Exists` or `DoesNotExist`");
                ok = false;
                continue;
            };
            let (source, key) = LabelSource::split(&req.key);
            if let Some(problem) = label_problem(&source, key, "") {
                self.error(&format!("{rpath}.key"), problem);
                ok = false;
            }
            let values = req.values.clone().unwrap_or_default();
            match operator {
                Operator::In | Operator::NotIn if values.is_empty() => {
                    self.error(
                        &rpath,
                        format!("`values` must be non-empty for `{}`", operator.as_str()),
                    );
                    ok = false;
                }
                Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                    self.error(
                        &format!("{rpath}.values"),
                        format!("`values` must be empty for `{}`", operator.as_str()),
                    );
                    ok = false;
                }
                _ => {}
            }
            out.terms.push(IdRequirement {
                source,
                key: key.to_string(),
                operator,
                values,
            });
        }
        ok.then_some(out)
    }
}

/// The problem just reported, to add a fix hint to.
struct Last<'a>(&'a mut Vec<Problem>);

impl Last<'_> {
    fn help(self, text: impl Into<String>) {
        if let Some(p) = self.0.last_mut() {
            p.help = Some(text.into());
        }
    }

    fn at_key(self) {
        if let Some(p) = self.0.last_mut() {
            p.at_key = true;
        }
    }
}

/// `k8s:io.kubernetes.pod.namespace=<ns>`.
fn namespace_is(ns: &str) -> IdRequirement {
    IdRequirement {
        source: LabelSource::K8s,
        key: NAMESPACE_LABEL.to_string(),
        operator: Operator::In,
        values: vec![ns.to_string()],
    }
}

/// What Kubernetes refuses in a label key (without its source) or value; reserved labels
/// (`reserved:host`) are names, not label keys, and take any value.
fn label_problem(source: &LabelSource, key: &str, value: &str) -> Option<String> {
    if *source == LabelSource::Reserved {
        return None;
    }
    crate::names::label_problem(key, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cilium::model::IdLabel;

    fn selector(labels: &[(&str, &str)]) -> LabelSelector {
        LabelSelector {
            match_labels: Some(
                labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            match_expressions: None,
        }
    }

    fn pod(ns: &str, app: &str) -> Vec<IdLabel> {
        let k8s = |k: &str, v: &str| IdLabel {
            source: LabelSource::K8s,
            key: k.into(),
            value: v.into(),
        };
        vec![
            k8s("app", app),
            k8s(NAMESPACE_LABEL, ns),
            k8s(CLUSTER_LABEL, "default"),
        ]
    }

    fn peer(kind: CiliumKind, written: &[(&str, &str)]) -> IdSelector {
        let mut v = Validator {
            owner: Owner {
                kind,
                namespace: (kind == CiliumKind::Namespaced).then_some("x"),
            },
            problems: Vec::new(),
        };
        let sel = v.selector(&selector(written), "p").unwrap();
        assert!(v.problems.is_empty(), "{:?}", v.problems);
        v.peer(sel)
    }

    /// `getEndpointSelector`: a namespaced policy's peers are its namespace's pods unless
    /// they name another; a clusterwide policy's are every pod; never `world`.
    #[test]
    fn peer_selectors_get_the_implicit_namespace_and_cluster() {
        let world = [IdLabel {
            source: LabelSource::Reserved,
            key: "world".into(),
            value: String::new(),
        }];
        let own = peer(CiliumKind::Namespaced, &[("app", "a")]);
        assert!(own.matches(&pod("x", "a")));
        assert!(!own.matches(&pod("y", "a")));
        let other = peer(
            CiliumKind::Namespaced,
            &[("app", "a"), ("k8s:io.kubernetes.pod.namespace", "y")],
        );
        assert!(other.matches(&pod("y", "a")) && !other.matches(&pod("x", "a")));
        let everywhere = peer(CiliumKind::Clusterwide, &[]);
        assert!(everywhere.matches(&pod("x", "b")) && everywhere.matches(&pod("y", "a")));
        for sel in [own, everywhere] {
            assert!(!sel.matches(&world));
        }
        let reserved = peer(CiliumKind::Namespaced, &[("reserved:world", "")]);
        assert!(reserved.matches(&world));
    }

    #[test]
    fn a_namespaced_subject_never_leaves_its_namespace() {
        let v = Validator {
            owner: Owner {
                kind: CiliumKind::Namespaced,
                namespace: Some("x"),
            },
            problems: Vec::new(),
        };
        let mut w = Validator {
            owner: v.owner,
            problems: Vec::new(),
        };
        // Written as `k8s:`: overwritten with the policy's namespace.
        let s = w
            .selector(&selector(&[("k8s:io.kubernetes.pod.namespace", "y")]), "s")
            .unwrap();
        let s = v.subject(s);
        assert!(s.matches(&pod("x", "a")) && !s.matches(&pod("y", "a")));
        // Written without a source: kept next to the added term, so it selects nothing.
        let s = w
            .selector(&selector(&[("io.kubernetes.pod.namespace", "y")]), "s")
            .unwrap();
        let s = v.subject(s);
        assert!(!s.matches(&pod("x", "a")) && !s.matches(&pod("y", "a")));
    }
}
