//! What the API server checks in a ClusterNetworkPolicy, as pure functions from the decoded
//! object to the model plus problems at field paths (the loader turns paths into places).
//!
//! The checks are those of the CRD (experimental channel, which has every field): the
//! OpenAPI schema (required fields, enums, ranges, list sizes, exactly-one-of objects) and
//! its CEL rules (`start < end`, `isCIDR`, no named port towards networks/nodes/domainNames).
//! Label selectors are checked like a NetworkPolicy's: the CRD does not, but an
//! implementation cannot build a selector from an unknown operator or an invalid label.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::api;
use super::model::{Action, ClusterNetworkPolicy, CnpPeer, CnpPort, CnpRule, Subject, Tier};
use crate::cidr::Cidr;
use crate::diag::{self, Problem};
use crate::model::Direction;
use crate::ports::Protocol;
use crate::selector::{from_label_selector, Selector};

/// The CRD's limit on rules per direction, peers per rule, protocols per rule and entries
/// per `networks`/`domainNames`.
pub const MAX_ITEMS: usize = 25;
/// Highest `spec.priority` the CRD accepts (0 is the lowest, evaluated first).
pub const MAX_PRIORITY: i64 = 1000;
const MAX_RULE_NAME: usize = 100;

/// The model of the policy named `name` with `spec`, or `None` when the API server would
/// reject it, with every problem found.
pub(crate) fn validate(
    spec: Option<&api::Spec>,
    name: &str,
) -> (Option<ClusterNetworkPolicy>, Vec<Problem>) {
    let mut v = Validator::default();
    let policy = v.policy(spec, name);
    let rejected = v
        .problems
        .iter()
        .any(|p| p.code.severity == diag::Severity::Error);
    (policy.filter(|_| !rejected), v.problems)
}

#[derive(Default)]
struct Validator {
    problems: Vec<Problem>,
}

impl Validator {
    fn report(&mut self, code: diag::Code, path: &str, message: impl Into<String>) -> Reported<'_> {
        self.problems.push(Problem::new(code, path, message));
        Reported(&mut self.problems)
    }

    fn missing(&mut self, parent: &str, field: &str, help: &str) {
        let full = if parent.is_empty() {
            field.to_string()
        } else {
            format!("{parent}.{field}")
        };
        let reported = self.report(
            diag::MISSING_FIELD,
            parent,
            format!("missing required field `{full}`"),
        );
        if !help.is_empty() {
            reported.help(help);
        }
    }

    fn policy(&mut self, spec: Option<&api::Spec>, name: &str) -> Option<ClusterNetworkPolicy> {
        let Some(spec) = spec else {
            self.missing(
                "",
                "spec",
                "a ClusterNetworkPolicy needs `spec` with `tier`, `priority` and `subject`",
            );
            return None;
        };
        let tier = self.tier(spec.tier.as_deref());
        let priority = self.priority(spec.priority);
        let subject = self.subject(spec.subject.as_ref());
        let ingress = self.rules(spec.ingress.as_deref(), Direction::Ingress);
        let egress = self.rules(spec.egress.as_deref(), Direction::Egress);
        Some(ClusterNetworkPolicy {
            name: name.to_string(),
            tier: tier?,
            priority: priority?,
            subject: subject?,
            ingress,
            egress,
            origin: None,
        })
    }

    fn tier(&mut self, tier: Option<&str>) -> Option<Tier> {
        match tier {
            Some("Admin") => Some(Tier::Admin),
            Some("Baseline") => Some(Tier::Baseline),
            None => {
                self.missing(
                    "spec",
                    "tier",
                    "add `tier: Admin` (decides before NetworkPolicies) or `tier: Baseline` (a default NetworkPolicies override)",
                );
                None
            }
            Some(other) => {
                let help = crate::suggest::closest(other, ["Admin", "Baseline"])
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "use `Admin` or `Baseline`".to_string());
                self.report(
                    diag::INVALID_VALUE,
                    "spec.tier",
                    format!("unknown tier `{other}`"),
                )
                .help(help);
                None
            }
        }
    }

    fn priority(&mut self, priority: Option<i64>) -> Option<u16> {
        let Some(p) = priority else {
            self.missing(
                "spec",
                "priority",
                "add `priority: <0-1000>`: lower numbers are evaluated first within the tier",
            );
            return None;
        };
        match u16::try_from(p)
            .ok()
            .filter(|p| i64::from(*p) <= MAX_PRIORITY)
        {
            Some(p) => Some(p),
            None => {
                self.report(
                    diag::INVALID_VALUE,
                    "spec.priority",
                    format!("priority `{p}` is not between 0 and {MAX_PRIORITY}"),
                )
                .help("lower numbers are evaluated first within the tier".to_string());
                None
            }
        }
    }

    fn subject(&mut self, subject: Option<&api::Subject>) -> Option<Subject> {
        let Some(subject) = subject else {
            self.missing(
                "spec",
                "subject",
                "add `subject: {namespaces: {matchLabels: ...}}` or `subject: {pods: {namespaceSelector: ..., podSelector: ...}}`",
            );
            return None;
        };
        match (&subject.namespaces, &subject.pods) {
            (Some(ns), None) => Some(Subject::Namespaces(
                self.selector(ns, "spec.subject.namespaces"),
            )),
            (None, Some(pods)) => {
                let (namespace_selector, pod_selector) =
                    self.namespaced_pod(pods, "spec.subject.pods")?;
                Some(Subject::Pods {
                    namespace_selector,
                    pod_selector,
                })
            }
            (None, None) => {
                self.report(
                    diag::INVALID_VALUE,
                    "spec.subject",
                    "the subject selects nothing: give `namespaces` or `pods`",
                )
                .help("`namespaces: {}` selects every pod of the cluster".to_string());
                None
            }
            (Some(_), Some(_)) => {
                self.report(
                    diag::INVALID_VALUE,
                    "spec.subject",
                    "the subject has both `namespaces` and `pods`: give exactly one",
                )
                .help(
                    "to select some pods of some namespaces, keep `pods` with its `namespaceSelector`"
                        .to_string(),
                );
                None
            }
        }
    }

    fn namespaced_pod(
        &mut self,
        pods: &api::NamespacedPod,
        path: &str,
    ) -> Option<(Selector, Selector)> {
        let namespace_selector = pods
            .namespace_selector
            .as_ref()
            .map(|s| self.selector(s, &format!("{path}.namespaceSelector")))
            .unwrap_or_default();
        let Some(pod_selector) = &pods.pod_selector else {
            self.missing(path, "podSelector", "`podSelector: {}` selects every pod");
            return None;
        };
        let pod_selector = self.selector(pod_selector, &format!("{path}.podSelector"));
        Some((namespace_selector, pod_selector))
    }

    fn selector(&mut self, sel: &LabelSelector, path: &str) -> Selector {
        let (selector, problems) = from_label_selector(sel, path);
        self.problems.extend(problems);
        selector
    }

    fn count(&mut self, path: &str, len: usize, what: &str) {
        if len > MAX_ITEMS {
            self.report(
                diag::INVALID_VALUE,
                path,
                format!("{len} {what}: at most {MAX_ITEMS} are allowed"),
            );
        }
    }

    fn rules(&mut self, rules: Option<&[api::Rule]>, direction: Direction) -> Vec<CnpRule> {
        let field = field(direction);
        let rules = rules.unwrap_or_default();
        self.count(&format!("spec.{field}"), rules.len(), "rules");
        rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| self.rule(r, direction, &format!("spec.{field}[{i}]")))
            .collect()
    }

    fn rule(&mut self, rule: &api::Rule, direction: Direction, path: &str) -> Option<CnpRule> {
        if let Some(name) = &rule.name {
            if name.chars().count() > MAX_RULE_NAME {
                self.report(
                    diag::INVALID_VALUE,
                    &format!("{path}.name"),
                    format!(
                        "the rule name has {} characters: at most {MAX_RULE_NAME} are allowed",
                        name.chars().count()
                    ),
                );
            }
        }
        let action = self.action(rule.action.as_deref(), path);
        let (list, wrong) = match direction {
            Direction::Ingress => ("from", rule.to.as_ref().map(|_| "to")),
            Direction::Egress => ("to", rule.from.as_ref().map(|_| "from")),
        };
        if let Some(wrong) = wrong {
            self.report(
                diag::UNKNOWN_FIELD,
                &format!("{path}.{wrong}"),
                format!(
                    "{} rules have no `{wrong}`",
                    direction.as_str().to_lowercase()
                ),
            )
            .help(format!("list the peers under `{list}`"));
        }
        let peers = match direction {
            Direction::Ingress => rule.from.as_deref(),
            Direction::Egress => rule.to.as_deref(),
        };
        let peers = self.peers(peers, direction, &format!("{path}.{list}"), path, list);
        let ports = self.protocols(rule.protocols.as_deref(), &format!("{path}.protocols"));
        if direction == Direction::Egress {
            self.named_port_towards_addresses(rule, path);
        }
        Some(CnpRule {
            name: rule.name.clone(),
            action: action?,
            peers: peers?,
            ports: ports?,
            origin: None,
        })
    }

    fn action(&mut self, action: Option<&str>, path: &str) -> Option<Action> {
        match action {
            Some("Accept") => Some(Action::Accept),
            Some("Deny") => Some(Action::Deny),
            Some("Pass") => Some(Action::Pass),
            None => {
                self.missing(path, "action", "add `action: Accept`, `Deny` or `Pass`");
                None
            }
            Some(other) => {
                let help = if other == "Allow" {
                    "`Allow` is the action of the old AdminNetworkPolicy; ClusterNetworkPolicy calls it `Accept`".to_string()
                } else {
                    crate::suggest::closest(other, ["Accept", "Deny", "Pass"])
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| "use `Accept`, `Deny` or `Pass`".to_string())
                };
                self.report(
                    diag::INVALID_VALUE,
                    &format!("{path}.action"),
                    format!("unknown action `{other}`"),
                )
                .help(help);
                None
            }
        }
    }

    fn peers(
        &mut self,
        peers: Option<&[api::Peer]>,
        direction: Direction,
        path: &str,
        rule_path: &str,
        list: &str,
    ) -> Option<Vec<CnpPeer>> {
        let Some(peers) = peers else {
            self.missing(
                rule_path,
                list,
                "every rule lists at least one peer; `namespaces: {}` matches every pod",
            );
            return None;
        };
        if peers.is_empty() {
            self.report(
                diag::INVALID_VALUE,
                path,
                format!("`{list}` is empty: a rule needs at least one peer"),
            )
            .help("`namespaces: {}` matches every pod".to_string());
            return None;
        }
        self.count(path, peers.len(), "peers");
        let before = self.problems.len();
        let out: Vec<CnpPeer> = peers
            .iter()
            .enumerate()
            .filter_map(|(i, p)| self.peer(p, direction, &format!("{path}[{i}]")))
            .collect();
        (out.len() == peers.len() && self.problems.len() == before).then_some(out)
    }

    fn peer(&mut self, peer: &api::Peer, direction: Direction, path: &str) -> Option<CnpPeer> {
        let set: Vec<&str> = [
            ("namespaces", peer.namespaces.is_some()),
            ("pods", peer.pods.is_some()),
            ("nodes", peer.nodes.is_some()),
            ("networks", peer.networks.is_some()),
            ("domainNames", peer.domain_names.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, on)| on.then_some(f))
        .collect();
        let kinds = match direction {
            Direction::Ingress => "`namespaces` or `pods`",
            Direction::Egress => "`namespaces`, `pods`, `nodes`, `networks` or `domainNames`",
        };
        match set.as_slice() {
            [] => {
                self.report(
                    diag::INVALID_VALUE,
                    path,
                    format!("empty peer: give one of {kinds}"),
                );
                return None;
            }
            [_] => {}
            [first, rest @ ..] => {
                let others: Vec<String> = rest.iter().map(|f| format!("`{f}`")).collect();
                self.report(
                    diag::INVALID_VALUE,
                    &format!("{path}.{}", rest.first().unwrap_or(first)),
                    format!(
                        "a peer has exactly one field; this one also has {} besides `{first}`",
                        others.join(", ")
                    ),
                )
                .help(
                    "write each as its own list item: the rule matches if any peer does"
                        .to_string(),
                );
                return None;
            }
        }
        if direction == Direction::Ingress {
            if let Some(f) = set.iter().find(|f| !matches!(**f, "namespaces" | "pods")) {
                self.report(
                    diag::INVALID_VALUE,
                    &format!("{path}.{f}"),
                    format!("`{f}` peers are only allowed in egress rules"),
                )
                .help("ingress rules select their sources with `namespaces` or `pods`".to_string());
                return None;
            }
        }
        if let Some(ns) = &peer.namespaces {
            return Some(CnpPeer::Namespaces(
                self.selector(ns, &format!("{path}.namespaces")),
            ));
        }
        if let Some(pods) = &peer.pods {
            let (namespace_selector, pod_selector) =
                self.namespaced_pod(pods, &format!("{path}.pods"))?;
            return Some(CnpPeer::Pods {
                namespace_selector,
                pod_selector,
            });
        }
        if let Some(nodes) = &peer.nodes {
            return Some(CnpPeer::Nodes(
                self.selector(nodes, &format!("{path}.nodes")),
            ));
        }
        if let Some(networks) = &peer.networks {
            return self
                .networks(networks, &format!("{path}.networks"))
                .map(CnpPeer::Networks);
        }
        let names = peer.domain_names.as_deref().unwrap_or_default();
        self.domain_names(names, &format!("{path}.domainNames"))
            .map(CnpPeer::DomainNames)
    }

    fn list_size(&mut self, path: &str, len: usize, what: &str) -> bool {
        if len == 0 {
            self.report(
                diag::INVALID_VALUE,
                path,
                format!("`{what}` is empty: list at least one"),
            );
            return false;
        }
        self.count(path, len, what);
        len <= MAX_ITEMS
    }

    fn duplicates(&mut self, path: &str, items: &[String]) {
        for (i, item) in items.iter().enumerate() {
            if items.iter().take(i).any(|e| e == item) {
                self.report(
                    diag::INVALID_VALUE,
                    &format!("{path}[{i}]"),
                    format!("duplicate value `{item}`: the list is a set"),
                );
            }
        }
    }

    fn networks(&mut self, networks: &[String], path: &str) -> Option<Vec<Cidr>> {
        if !self.list_size(path, networks.len(), "networks") {
            return None;
        }
        self.duplicates(path, networks);
        let mut out = Vec::new();
        for (i, n) in networks.iter().enumerate() {
            match Cidr::parse(n, false) {
                Ok(c) if n.len() <= 43 => out.push(c),
                Ok(_) => {
                    self.report(
                        diag::INVALID_VALUE,
                        &format!("{path}[{i}]"),
                        format!("`{n}` is longer than 43 characters"),
                    );
                }
                Err(e) => {
                    self.report(
                        diag::INVALID_VALUE,
                        &format!("{path}[{i}]"),
                        format!("invalid CIDR: {e}"),
                    );
                }
            }
        }
        (out.len() == networks.len()).then_some(out)
    }

    fn domain_names(&mut self, names: &[String], path: &str) -> Option<Vec<String>> {
        if !self.list_size(path, names.len(), "domainNames") {
            return None;
        }
        self.duplicates(path, names);
        let mut ok = true;
        for (i, n) in names.iter().enumerate() {
            if !is_domain_name(n) {
                ok = false;
                self.report(
                    diag::INVALID_VALUE,
                    &format!("{path}[{i}]"),
                    format!("`{n}` is not a domain name"),
                )
                .help("write `example.com`, or `*.example.com` for its subdomains (the wildcard only as the first label)".to_string());
            }
        }
        ok.then(|| names.to_vec())
    }

    fn protocols(
        &mut self,
        protocols: Option<&[api::ProtocolMatch]>,
        path: &str,
    ) -> Option<Vec<CnpPort>> {
        let Some(protocols) = protocols else {
            return Some(Vec::new());
        };
        if !self.list_size(path, protocols.len(), "protocols") {
            return None;
        }
        let before = self.problems.len();
        let out: Vec<CnpPort> = protocols
            .iter()
            .enumerate()
            .filter_map(|(i, p)| self.protocol(p, &format!("{path}[{i}]")))
            .collect();
        (out.len() == protocols.len() && self.problems.len() == before).then_some(out)
    }

    fn protocol(&mut self, p: &api::ProtocolMatch, path: &str) -> Option<CnpPort> {
        let set: Vec<(&str, Option<Protocol>, Option<&api::PortMatch>)> = [
            ("tcp", Protocol::Tcp, p.tcp.as_ref()),
            ("udp", Protocol::Udp, p.udp.as_ref()),
            ("sctp", Protocol::Sctp, p.sctp.as_ref()),
        ]
        .into_iter()
        .filter_map(|(f, proto, m)| m.map(|m| (f, Some(proto), Some(m))))
        .chain(
            p.destination_named_port
                .as_ref()
                .map(|_| ("destinationNamedPort", None, None)),
        )
        .collect();
        let [(field, protocol, port_match)] = set.as_slice() else {
            let message = if set.is_empty() {
                "empty protocol entry: give one of `tcp`, `udp`, `sctp` or `destinationNamedPort`"
                    .to_string()
            } else {
                let names: Vec<String> = set.iter().map(|(f, _, _)| format!("`{f}`")).collect();
                format!(
                    "a protocol entry has exactly one field; this one has {}",
                    names.join(", ")
                )
            };
            self.report(diag::INVALID_VALUE, path, message)
                .help("write each as its own list item");
            return None;
        };
        let (Some(protocol), Some(port_match)) = (protocol, port_match) else {
            return p.destination_named_port.clone().map(CnpPort::Named);
        };
        let fpath = format!("{path}.{field}");
        let Some(port) = &port_match.destination_port else {
            self.report(
                diag::MISSING_FIELD,
                &fpath,
                format!("missing required field `{fpath}.destinationPort`"),
            )
            .help(format!(
                "`{field}` needs a `destinationPort`; for every port write `destinationPort: {{range: {{start: 1, end: 65535}}}}`"
            ));
            return None;
        };
        let (start, end) = self.port(port, &format!("{fpath}.destinationPort"))?;
        Some(CnpPort::Ports {
            protocol: *protocol,
            start,
            end,
        })
    }

    fn port(&mut self, port: &api::Port, path: &str) -> Option<(u16, u16)> {
        match (port.number, &port.range) {
            (Some(n), None) => self
                .port_number(n, &format!("{path}.number"))
                .map(|n| (n, n)),
            (None, Some(range)) => self.range(range, &format!("{path}.range")),
            (None, None) => {
                self.report(
                    diag::INVALID_VALUE,
                    path,
                    "`destinationPort` needs `number` or `range`",
                );
                None
            }
            (Some(_), Some(_)) => {
                self.report(
                    diag::INVALID_VALUE,
                    path,
                    "`destinationPort` has both `number` and `range`: give exactly one",
                );
                None
            }
        }
    }

    fn port_number(&mut self, n: i64, path: &str) -> Option<u16> {
        let port = u16::try_from(n).ok().filter(|p| *p > 0);
        if port.is_none() {
            self.report(
                diag::INVALID_VALUE,
                path,
                format!("port `{n}` is not between 1 and 65535"),
            );
        }
        port
    }

    fn range(&mut self, range: &api::PortRange, path: &str) -> Option<(u16, u16)> {
        let (Some(start), Some(end)) = (range.start, range.end) else {
            let field = if range.start.is_none() {
                "start"
            } else {
                "end"
            };
            self.missing(path, field, "a range needs `start` and `end`");
            return None;
        };
        let start = self.port_number(start, &format!("{path}.start"));
        let end = self.port_number(end, &format!("{path}.end"));
        let (start, end) = (start?, end?);
        if start >= end {
            self.report(
                diag::INVALID_VALUE,
                path,
                format!("range start {start} is not below end {end}: Start port must be less than End port"),
            )
            .help(if start == end {
                format!("for one port write `number: {start}`")
            } else {
                format!("write `start: {end}` and `end: {start}`")
            });
            return None;
        }
        Some((start, end))
    }

    /// CEL rule of the egress rule: named ports exist only on pods.
    fn named_port_towards_addresses(&mut self, rule: &api::Rule, path: &str) {
        let peers = rule.to.as_deref().unwrap_or_default();
        let address_peer = peers
            .iter()
            .position(|p| p.networks.is_some() || p.nodes.is_some() || p.domain_names.is_some());
        let named = rule
            .protocols
            .as_deref()
            .unwrap_or_default()
            .iter()
            .position(|p| p.destination_named_port.is_some());
        if let (Some(peer), Some(port)) = (address_peer, named) {
            self.report(
                diag::INVALID_VALUE,
                &format!("{path}.protocols[{port}].destinationNamedPort"),
                "networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames",
            )
            .help(format!(
                "use port numbers, or move the peer at `to[{peer}]` to a rule of its own"
            ));
        }
    }
}

/// The problem just reported, to add a fix hint to.
struct Reported<'a>(&'a mut Vec<Problem>);

impl Reported<'_> {
    fn help(self, text: impl Into<String>) {
        if let Some(p) = self.0.last_mut() {
            p.help = Some(text.into());
        }
    }
}

fn field(direction: Direction) -> &'static str {
    match direction {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    }
}

/// The CRD's pattern for `domainNames`: an optional `*.` then at least two labels of
/// letters, digits, `-` and `_` (not at either end), with an optional final dot.
fn is_domain_name(name: &str) -> bool {
    let name = name.strip_prefix("*.").unwrap_or(name);
    let name = name.strip_suffix('.').unwrap_or(name);
    let labels: Vec<&str> = name.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && l.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
                && l.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Object {
        spec: Option<api::Spec>,
    }

    fn check(yaml: &str) -> (Option<ClusterNetworkPolicy>, Vec<(String, String)>) {
        let object: Object = serde_yaml::from_str(yaml).unwrap();
        let (policy, problems) = validate(object.spec.as_ref(), "p");
        (
            policy,
            problems.into_iter().map(|p| (p.path, p.message)).collect(),
        )
    }

    #[test]
    fn a_valid_policy_becomes_the_model() {
        let (policy, problems) = check(
            "spec:\n  tier: Admin\n  priority: 10\n  subject: {namespaces: {}}\n  egress:\n  - action: Deny\n    to: [{networks: [0.0.0.0/0]}]\n    protocols: [{tcp: {destinationPort: {range: {start: 80, end: 90}}}}, {destinationNamedPort: http}]\n",
        );
        assert!(problems
            .iter()
            .any(|(p, _)| p.ends_with("destinationNamedPort")));
        assert!(policy.is_none());
        let (policy, problems) = check(
            "spec:\n  tier: Baseline\n  priority: 0\n  subject: {pods: {podSelector: {}}}\n  ingress:\n  - action: Pass\n    from: [{namespaces: {}}]\n    protocols: [{udp: {destinationPort: {number: 53}}}]\n",
        );
        assert_eq!(problems, []);
        let policy = policy.unwrap();
        assert_eq!(policy.tier, Tier::Baseline);
        assert_eq!(
            policy.ingress[0].ports,
            [CnpPort::Ports {
                protocol: Protocol::Udp,
                start: 53,
                end: 53
            }]
        );
    }

    #[test]
    fn what_the_crd_rejects() {
        let cases = [
            ("spec: {priority: 1, subject: {namespaces: {}}}", "spec", "missing required field `spec.tier`"),
            ("spec: {tier: Admin, priority: 1001, subject: {namespaces: {}}}", "spec.priority", "priority `1001` is not between 0 and 1000"),
            ("spec: {tier: Admin, priority: 1}", "spec", "missing required field `spec.subject`"),
            ("spec: {tier: admin, priority: 1, subject: {namespaces: {}}}", "spec.tier", "unknown tier `admin`"),
            ("spec: {tier: Admin, priority: 1, subject: {namespaces: {}, pods: {podSelector: {}}}}", "spec.subject", "the subject has both `namespaces` and `pods`: give exactly one"),
            ("spec: {tier: Admin, priority: 1, subject: {pods: {namespaceSelector: {}}}}", "spec.subject.pods", "missing required field `spec.subject.pods.podSelector`"),
            ("spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: [{action: Allow, from: [{namespaces: {}}]}]}", "spec.ingress[0].action", "unknown action `Allow`"),
            ("spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{networks: [10.0.0.0/8]}]}]}", "spec.ingress[0].from[0].networks", "`networks` peers are only allowed in egress rules"),
            ("spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: []}]}", "spec.egress[0].to", "`to` is empty: a rule needs at least one peer"),
            ("spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [10.0.0.0/8], namespaces: {}}]}]}", "spec.egress[0].to[0].networks", "a peer has exactly one field; this one also has `networks` besides `namespaces`"),
            ("spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [10.0.0.0]}]}]}", "spec.egress[0].to[0].networks[0]", "invalid CIDR: `10.0.0.0` is not a CIDR: add a prefix length (`10.0.0.0/32`)"),
            ("spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {range: {start: 90, end: 80}}}}]}]}", "spec.egress[0].protocols[0].tcp.destinationPort.range", "range start 90 is not below end 80: Start port must be less than End port"),
            ("spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [{tcp: {}}]}]}", "spec.egress[0].protocols[0].tcp", "missing required field `spec.egress[0].protocols[0].tcp.destinationPort`"),
            ("spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {number: 0}}}]}]}", "spec.egress[0].protocols[0].tcp.destinationPort.number", "port `0` is not between 1 and 65535"),
            ("spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{domainNames: ['*.example', 'a.*.b.com']}]}]}", "spec.egress[0].to[0].domainNames[1]", "`a.*.b.com` is not a domain name"),
        ];
        for (yaml, path, message) in cases {
            let (policy, problems) = check(yaml);
            assert!(policy.is_none(), "{yaml} was accepted");
            assert!(
                problems.contains(&(path.to_string(), message.to_string())),
                "{yaml}: expected `{message}` at `{path}`, got {problems:?}"
            );
        }
    }

    #[test]
    fn at_most_25_rules() {
        let rule = "{action: Deny, from: [{namespaces: {}}]}";
        let rules = vec![rule; 26].join(", ");
        let (policy, problems) = check(&format!(
            "spec: {{tier: Admin, priority: 1, subject: {{namespaces: {{}}}}, ingress: [{rules}]}}"
        ));
        assert!(policy.is_none());
        assert_eq!(
            problems,
            [(
                "spec.ingress".to_string(),
                "26 rules: at most 25 are allowed".to_string()
            )]
        );
    }

    #[test]
    fn domain_names() {
        assert!(is_domain_name("kubernetes.io"));
        assert!(is_domain_name("*.kubernetes.io"));
        assert!(is_domain_name("www.kubernetes.io."));
        assert!(!is_domain_name("localhost"));
        assert!(!is_domain_name("*kubernetes.io"));
        assert!(!is_domain_name("-a.io"));
    }
}
