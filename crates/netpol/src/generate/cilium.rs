//! The `cilium` flavour: the same plan as the NetworkPolicy flavour (which workload gets
//! which rule, with the exact selectors of `identity`), written as `cilium.io/v2` objects.
//!
//! - One `CiliumNetworkPolicy` per workload, named like its NetworkPolicy. Its
//!   `endpointSelector` is the workload's identity labels; a peer in another namespace
//!   names it with `k8s:io.kubernetes.pod.namespace` in the same selector (Cilium adds the
//!   policy's own namespace to a peer selector that names none, docs/cilium.md §3), so the
//!   namespace label option plays no part: every Cilium identity carries its namespace's
//!   name, and a name is always exact.
//! - A rule with peers of both kinds (pods and address blocks) becomes two entries: Cilium
//!   accepts one kind of peer per entry (`rule_validation.go`, docs/cilium.md §1).
//! - Ports are strings (`port: "8080"`), as the CRD types them; a protocol with every port
//!   is `port: "0"`; at most 40 ports per `toPorts` item, the agent's limit.
//! - Address blocks become `toCIDR`/`fromCIDR`, or `toCIDRSet`/`fromCIDRSet` when they keep
//!   an `except`. The plan excepts pod addresses inside a block, because an `ipBlock`
//!   matches them; a Cilium CIDR rule never matches a pod or a node (docs/cilium.md §4), so
//!   those excepts are left out: they would change nothing.
//! - Baselines are one `CiliumClusterwideNetworkPolicy` each: `default-deny` over every
//!   namespace with pods (`ingress: [{}]` and `egress: [{}]` put the pods in default deny
//!   and allow nothing, docs/cilium.md §6), and `namespace-default` over the team
//!   namespaces. Cilium adds up the allows of NetworkPolicies, CNPs and CCNPs in one tier
//!   (§8), so unlike the `cluster-baseline` ClusterNetworkPolicy the workload policies need
//!   not carry the defaults, and `cluster-baseline` itself is refused in this flavour.
//! - A host-network pod is its node to Cilium (`host`/`remote-node`): no `endpointSelector`
//!   selects it and no `toEndpoints` matches it, so an intent naming one is refused.

use std::collections::BTreeSet;

use super::baseline::{self, Output};
use super::emit::{comment_lines, label_selector, selector_yaml};
use super::identity::Selectors;
use super::plan::PeerKey;
use super::{Baseline, GenerateError, Generated, Intent, Options};
use crate::cidr::Cidr;
use crate::cilium::CiliumKind;
use crate::endpoint::Endpoint;
use crate::model::{Cluster, Labels, Peer, PolicyPort, PortRef, Rule, NAMESPACE_NAME_LABEL};
use crate::selector::{Operator, Requirement, Selector};
use crate::yaml::{self, Yaml};

/// The identity label that holds a pod's namespace, with the source the agent gives it.
const NAMESPACE_KEY: &str = "k8s:io.kubernetes.pod.namespace";
/// The agent refuses a `toPorts` item with more ports ("too many ports, the max is 40").
const MAX_PORTS: usize = 40;

/// Refuses what this flavour cannot write exactly, before anything is planned.
pub(super) fn check(
    cluster: &Cluster,
    intents: &[(&Intent, Option<&str>)],
    options: &Options,
) -> Result<(), GenerateError> {
    if options.baseline == Baseline::ClusterBaseline {
        return Err(GenerateError(format!(
            "baseline `{}` writes a ClusterNetworkPolicy, not a Cilium policy: with the `cilium` flavour use `{}`, which writes the docs' default as one CiliumClusterwideNetworkPolicy",
            Baseline::ClusterBaseline.name(),
            Baseline::DocsDefault.name()
        )));
    }
    for (intent, _) in intents {
        for end in [&intent.from, &intent.to] {
            // Unknown ends are left to the plan, whose errors say what is wrong.
            let Ok(endpoint) = Endpoint::parse(cluster, end) else {
                continue;
            };
            if let Some(pod) = endpoint.pod(cluster).filter(|p| p.host_network) {
                return Err(GenerateError(format!(
                    "intent `{intent}`: `{}` runs on the host network, and Cilium sees it as its node (`host`/`remote-node`): no CiliumNetworkPolicy selects it or names it as a peer",
                    pod.id()
                )));
            }
        }
    }
    Ok(())
}

/// Where a policy's selectors are read: its namespace for a CiliumNetworkPolicy, `None`
/// for a CiliumClusterwideNetworkPolicy.
type Scope<'a> = Option<&'a str>;

/// The Cilium objects for the planned workload policies (`workloads`, sorted) and the
/// baseline the options ask for, as one YAML stream: the clusterwide baseline first.
pub(super) fn generated(
    cluster: &Cluster,
    selectors: &Selectors,
    options: &Options,
    workloads: &[Output],
) -> Result<Generated, GenerateError> {
    let mut documents = Vec::new();
    let mut generated = Generated::default();
    let baseline = match options.baseline {
        Baseline::DenyAll => deny_all(cluster, selectors, options.dns)?,
        Baseline::DocsDefault => docs_default(cluster, selectors)?,
        Baseline::None | Baseline::ClusterBaseline => None,
    };
    if let Some((name, text)) = baseline {
        documents.push(text);
        generated
            .cilium_policies
            .push((CiliumKind::Clusterwide, name.to_string()));
    }
    for out in workloads {
        let text = workload(cluster, selectors, out)?;
        documents.push(format!("{}{text}", comment_lines(out)));
        generated.cilium_policies.push((
            CiliumKind::Namespaced,
            format!("{}/{}", out.policy.namespace, out.policy.name),
        ));
    }
    generated.yaml = documents.join("---\n");
    Ok(generated)
}

/// One workload's CiliumNetworkPolicy.
fn workload(
    cluster: &Cluster,
    selectors: &Selectors,
    out: &Output,
) -> Result<String, GenerateError> {
    let p = &out.policy;
    let scope = Some(p.namespace.as_str());
    let rule = Yaml::map([
        (
            "egress",
            entries(cluster, selectors, &p.egress, "to", scope)?,
        ),
        ("endpointSelector", Some(selector(&p.pod_selector))),
        (
            "ingress",
            entries(cluster, selectors, &p.ingress, "from", scope)?,
        ),
    ]);
    Ok(object(
        CiliumKind::Namespaced,
        &p.name,
        Some(&p.namespace),
        &out.labels,
        rule,
    ))
}

/// `default-deny` over every namespace with pods, with DNS when the options ask for it:
/// egress to kube-dns on 53/UDP and 53/TCP, and (when kube-system is covered) kube-dns
/// answering every pod, as the NetworkPolicy flavour's `allow-dns` and `allow-dns-queries`.
fn deny_all(
    cluster: &Cluster,
    selectors: &Selectors,
    dns: bool,
) -> Result<Option<(&'static str, String)>, GenerateError> {
    const NAME: &str = "default-deny";
    let covered: BTreeSet<&str> = cluster.pods.iter().map(|p| p.namespace.as_str()).collect();
    if covered.is_empty() {
        return Ok(None);
    }
    let subject = namespaces_in(&covered);
    // `[{}]`: an entry that puts the pods in default deny and allows nothing.
    let nothing = || Yaml::Seq(vec![Yaml::Map(Vec::new())]);
    let egress = if dns {
        let to_dns = Rule {
            peers: vec![PeerKey::Pods {
                namespace: Some(selectors.namespace_selector(baseline::DNS_NAMESPACE)),
                pod: Some(baseline::dns_pods(selectors)),
            }
            .peer()],
            ports: baseline::dns_ports().policy_ports(),
            origin: None,
        };
        entries(cluster, selectors, &[to_dns], "to", None)?
    } else {
        Some(nothing())
    };
    let main = Yaml::map([
        ("egress", egress),
        ("endpointSelector", Some(selector(&subject))),
        ("ingress", Some(nothing())),
    ]);
    let mut rules = vec![main];
    if dns && covered.contains(baseline::DNS_NAMESPACE) {
        // kube-dns is under default deny too: without this its answers never get in.
        let (peer, ports) = baseline::dns_ingress_peer();
        let queries = Rule {
            peers: vec![peer.peer()],
            ports: ports.policy_ports(),
            origin: None,
        };
        let mut dns_subject = baseline::dns_pods(selectors);
        dns_subject.match_labels.insert(
            NAMESPACE_KEY.to_string(),
            baseline::DNS_NAMESPACE.to_string(),
        );
        rules.push(Yaml::map([
            ("endpointSelector", Some(selector(&dns_subject))),
            (
                "ingress",
                entries(cluster, selectors, &[queries], "from", None)?,
            ),
        ]));
    }
    let comment = if dns {
        "Denies every connection to and from the pods of the namespaces it lists, except DNS\n\
         queries to kube-dns. kube-dns also needs egress to its upstream resolvers and to the\n\
         API server: allow them with intents from kube-system/<dns pod>."
    } else {
        "Denies every connection to and from the pods of the namespaces it lists, DNS included:\n\
         until DNS egress is allowed (the generator's DNS option), no pod there can resolve a name."
    };
    let body = object_with_rules(CiliumKind::Clusterwide, NAME, None, &Labels::new(), rules);
    Ok(Some((NAME, with_comment(comment, &body))))
}

/// The docs' `namespace-default` for every team namespace, as one clusterwide policy:
/// ingress from the ingress controller, egress to kube-dns and to addresses outside the
/// private ranges (every port, as the docs' NetworkPolicy).
fn docs_default(
    cluster: &Cluster,
    selectors: &Selectors,
) -> Result<Option<(&'static str, String)>, GenerateError> {
    const NAME: &str = "namespace-default";
    let team = baseline::team_namespaces(cluster);
    if team.is_empty() {
        return Ok(None);
    }
    let peers = baseline::docs_default_peers(cluster, selectors);
    let rule = |keys: &[PeerKey]| Rule {
        peers: keys.iter().map(PeerKey::peer).collect(),
        ports: Vec::new(),
        origin: None,
    };
    let spec = Yaml::map([
        (
            "egress",
            entries(cluster, selectors, &[rule(&peers.egress)], "to", None)?,
        ),
        ("endpointSelector", Some(selector(&namespaces_in(&team)))),
        (
            "ingress",
            entries(cluster, selectors, &[rule(&peers.ingress)], "from", None)?,
        ),
    ]);
    let comment = "The docs' namespace-default for every team namespace, as one clusterwide policy. Cilium\n\
                   adds up the allows of every policy that selects a pod, so the workloads' own policies\n\
                   open the rest. Unlike an ipBlock, the CIDR rule never matches a pod or a node, whatever\n\
                   its address.";
    let body = object(CiliumKind::Clusterwide, NAME, None, &Labels::new(), spec);
    Ok(Some((NAME, with_comment(comment, &body))))
}

/// Pods of the listed namespaces: `k8s:io.kubernetes.pod.namespace In [...]`.
fn namespaces_in(namespaces: &BTreeSet<&str>) -> Selector {
    Selector {
        match_labels: Labels::new(),
        match_expressions: vec![Requirement {
            key: NAMESPACE_KEY.to_string(),
            operator: Operator::In,
            values: namespaces.iter().map(|s| s.to_string()).collect(),
        }],
    }
}

fn with_comment(comment: &str, body: &str) -> String {
    let comment: String = comment.lines().map(|l| format!("# {l}\n")).collect();
    format!("{comment}{body}")
}

/// The object around one rule (`spec`).
fn object(
    kind: CiliumKind,
    name: &str,
    namespace: Option<&str>,
    labels: &Labels,
    spec: Yaml,
) -> String {
    object_with_rules(kind, name, namespace, labels, vec![spec])
}

/// The object around its rules: `spec` for one, `specs` for more.
fn object_with_rules(
    kind: CiliumKind,
    name: &str,
    namespace: Option<&str>,
    labels: &Labels,
    mut rules: Vec<Yaml>,
) -> String {
    let metadata = Yaml::map([
        ("labels", (!labels.is_empty()).then(|| string_map(labels))),
        ("name", Some(Yaml::str(name))),
        ("namespace", namespace.map(Yaml::str)),
    ]);
    let (spec, specs) = if rules.len() == 1 {
        (rules.pop(), None)
    } else {
        (None, Some(Yaml::Seq(rules)))
    };
    yaml::emit::to_string(&Yaml::map([
        ("apiVersion", Some(Yaml::str(crate::cilium::API_VERSION))),
        ("kind", Some(Yaml::str(kind.as_str()))),
        ("metadata", Some(metadata)),
        ("spec", spec),
        ("specs", specs),
    ]))
}

/// The entries of one direction (`to` or `from`): per rule, one entry for its pods and one
/// for its address blocks, each with the rule's ports. `None` when there are no rules.
fn entries(
    cluster: &Cluster,
    selectors: &Selectors,
    rules: &[Rule],
    side: &str,
    scope: Scope,
) -> Result<Option<Yaml>, GenerateError> {
    let mut out = Vec::new();
    for rule in rules {
        let mut endpoints = Vec::new();
        let mut plain = Vec::new();
        let mut sets = Vec::new();
        for peer in &rule.peers {
            match peer {
                Peer::Pods {
                    namespace_selector,
                    pod_selector,
                } => endpoints.push(selector(&peer_selector(
                    cluster,
                    selectors,
                    namespace_selector.as_ref(),
                    pod_selector.as_ref(),
                    scope,
                )?)),
                Peer::IpBlock { cidr, except } => {
                    // Pod addresses are excepted for the ipBlock's sake only (see above).
                    let except: Vec<&Cidr> = except
                        .iter()
                        .filter(|e| !is_pod_address(cluster, e))
                        .collect();
                    if except.is_empty() {
                        plain.push(Yaml::str(cidr.to_string()));
                    } else {
                        sets.push(Yaml::map([
                            ("cidr", Some(Yaml::str(cidr.to_string()))),
                            (
                                "except",
                                Some(Yaml::Seq(
                                    except.iter().map(|e| Yaml::str(e.to_string())).collect(),
                                )),
                            ),
                        ]));
                    }
                }
            }
        }
        let ports = to_ports(&rule.ports);
        let kinds = [
            (format!("{side}CIDR"), plain),
            (format!("{side}CIDRSet"), sets),
            (format!("{side}Endpoints"), endpoints),
        ];
        for (key, items) in kinds {
            if items.is_empty() {
                continue;
            }
            out.push(Yaml::map([
                (key.as_str(), Some(Yaml::Seq(items))),
                ("toPorts", ports.clone()),
            ]));
        }
    }
    Ok((!out.is_empty()).then_some(Yaml::Seq(out)))
}

/// True when `block` is exactly the address of a pod of the input.
fn is_pod_address(cluster: &Cluster, block: &Cidr) -> bool {
    cluster
        .pods
        .iter()
        .flat_map(|p| &p.ips)
        .any(|ip| Cidr::host(*ip) == *block)
}

/// A planned peer as one Cilium selector over identity labels: the pod labels as they are
/// (a key without a source matches the `k8s:` labels), and the namespace by name.
fn peer_selector(
    cluster: &Cluster,
    selectors: &Selectors,
    namespace: Option<&Selector>,
    pod: Option<&Selector>,
    scope: Scope,
) -> Result<Selector, GenerateError> {
    let mut out = pod.cloned().unwrap_or_default();
    match namespace {
        // The plan leaves the namespace out for a peer of the policy's own namespace, which
        // Cilium adds; a clusterwide policy has no namespace of its own.
        None if scope.is_some() => {}
        None => {
            return Err(GenerateError(
                "internal: a clusterwide peer without a namespace".to_string(),
            ))
        }
        // Every namespace: a namespaced policy would otherwise read it as its own.
        Some(ns) if *ns == Selector::everything() => out.match_expressions.push(Requirement {
            key: NAMESPACE_KEY.to_string(),
            operator: Operator::Exists,
            values: Vec::new(),
        }),
        Some(ns) => {
            let name = namespace_name(cluster, selectors, ns).ok_or_else(|| {
                GenerateError(format!(
                    "internal: no namespace is selected by `{ns}` alone"
                ))
            })?;
            out.match_labels
                .insert(NAMESPACE_KEY.to_string(), name.to_string());
        }
    }
    Ok(out)
}

/// The namespace a planned namespace selector names: the plan's selectors are exact (see
/// `identity`), so exactly one namespace of the input has it as its selector; a namespace
/// absent from the input (kube-system, for DNS) is named by `kubernetes.io/metadata.name`.
fn namespace_name<'a>(
    cluster: &'a Cluster,
    selectors: &Selectors,
    ns: &'a Selector,
) -> Option<&'a str> {
    if let Some(found) = cluster
        .namespaces
        .iter()
        .find(|n| selectors.namespace_selector(&n.name) == *ns)
    {
        return Some(found.name.as_str());
    }
    let mut labels = ns.match_labels.iter();
    match (labels.next(), labels.next()) {
        (Some((key, value)), None)
            if key == NAMESPACE_NAME_LABEL && ns.match_expressions.is_empty() =>
        {
            Some(value.as_str())
        }
        _ => None,
    }
}

/// `toPorts` for a rule's ports; `None` for every port of every protocol (an L3-only entry).
fn to_ports(ports: &[PolicyPort]) -> Option<Yaml> {
    if ports.is_empty() {
        return None;
    }
    let items: Vec<Yaml> = ports
        .iter()
        .map(|p| {
            let port = match &p.port {
                // "0" is every port of the protocol; the agent refuses an empty port.
                None => "0".to_string(),
                Some(PortRef::Number(n)) => n.to_string(),
                Some(PortRef::Name(name)) => name.clone(),
            };
            Yaml::map([
                ("endPort", p.end_port.map(|e| Yaml::Int(i64::from(e)))),
                ("port", Some(Yaml::Str(port))),
                ("protocol", Some(Yaml::str(p.protocol.as_str()))),
            ])
        })
        .collect();
    Some(Yaml::Seq(
        items
            .chunks(MAX_PORTS)
            .map(|chunk| Yaml::map([("ports", Some(Yaml::Seq(chunk.to_vec())))]))
            .collect(),
    ))
}

fn selector(s: &Selector) -> Yaml {
    selector_yaml(&label_selector(s))
}

fn string_map(m: &Labels) -> Yaml {
    Yaml::Map(
        m.iter()
            .map(|(k, v)| (k.clone(), Yaml::str(v.clone())))
            .collect(),
    )
}
