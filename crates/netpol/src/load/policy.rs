//! NetworkPolicy → [`Policy`]: the API server's validation (names, selectors, ports,
//! CIDRs, empty peers) and `policyTypes` defaulting. A policy with any error is left out,
//! as the API server would refuse it.

use k8s_openapi::api::networking::v1 as net;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::document::{Cx, Identity};
use super::endpoint::bad_protocol;
use crate::cidr::Cidr;
use crate::diag;
use crate::model::{Direction, Peer, Policy, PolicyPort, PortRef, Rule};
use crate::names::is_port_name;
use crate::ports::Protocol;
use crate::selector::Selector;
use crate::yaml::NodeId;

/// The policy of a NetworkPolicy whose identity was validated, or `None` when the API
/// server would refuse it (the errors are reported).
pub(crate) fn build(
    cx: &mut Cx<'_>,
    node: NodeId,
    identity: &Identity,
    spec: net::NetworkPolicySpec,
) -> Option<Policy> {
    let errors_before = cx.out.diagnostics.len();
    let pod_selector = selector(cx, node, "spec.podSelector", spec.pod_selector.as_ref());
    let declared_types = policy_types(cx, node, spec.policy_types.as_deref());
    let mut ingress = Vec::new();
    for (i, r) in spec.ingress.iter().flatten().enumerate() {
        let path = format!("spec.ingress[{i}]");
        ingress.push(rule(
            cx,
            node,
            &path,
            "from",
            r.from.as_deref(),
            r.ports.as_deref(),
        ));
    }
    let mut egress = Vec::new();
    for (i, r) in spec.egress.iter().flatten().enumerate() {
        let path = format!("spec.egress[{i}]");
        egress.push(rule(
            cx,
            node,
            &path,
            "to",
            r.to.as_deref(),
            r.ports.as_deref(),
        ));
    }
    if cx
        .out
        .diagnostics
        .iter()
        .skip(errors_before)
        .any(|d| d.severity == diag::Severity::Error)
    {
        // The API server rejects the whole object: it never reaches the cluster.
        return None;
    }
    // policyTypes defaulting (API reference, NetworkPolicySpec.policyTypes): Ingress
    // always, Egress when the policy has egress rules. An empty list defaults like a
    // missing one (SetDefaults_NetworkPolicy checks `len(PolicyTypes) == 0`).
    let (isolates_ingress, isolates_egress) = match &declared_types {
        Some(t) if !t.is_empty() => (
            t.contains(&Direction::Ingress),
            t.contains(&Direction::Egress),
        ),
        _ => (true, spec.egress.is_some_and(|e| !e.is_empty())),
    };
    Some(Policy {
        namespace: identity.namespace.clone(),
        name: identity.name.clone(),
        pod_selector: pod_selector.unwrap_or_default(),
        isolates_ingress,
        isolates_egress,
        declared_types,
        ingress,
        egress,
        origin: Some(cx.at(node, false)),
    })
}

fn policy_types(cx: &mut Cx<'_>, node: NodeId, types: Option<&[String]>) -> Option<Vec<Direction>> {
    let types = types?;
    let mut out = Vec::new();
    for (i, t) in types.iter().enumerate() {
        match t.as_str() {
            "Ingress" => out.push(Direction::Ingress),
            "Egress" => out.push(Direction::Egress),
            other => {
                let help = crate::suggest::closest(other, ["Ingress", "Egress"])
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "use `Ingress` and/or `Egress`".to_string());
                cx.error(
                    diag::INVALID_VALUE,
                    cx.at_path(node, &format!("spec.policyTypes[{i}]"), false),
                    format!("unknown policy type `{other}`"),
                )
                .help(help);
            }
        }
    }
    Some(out)
}

fn rule(
    cx: &mut Cx<'_>,
    node: NodeId,
    path: &str,
    peers_field: &str,
    peers: Option<&[net::NetworkPolicyPeer]>,
    ports: Option<&[net::NetworkPolicyPort]>,
) -> Rule {
    let mut out = Rule {
        peers: Vec::new(),
        ports: Vec::new(),
        origin: Some(cx.at_path(node, path, false)),
    };
    for (i, peer) in peers.unwrap_or(&[]).iter().enumerate() {
        let ppath = format!("{path}.{peers_field}[{i}]");
        if let Some(p) = policy_peer(cx, node, &ppath, peer) {
            out.peers.push(p);
        }
    }
    for (i, port) in ports.unwrap_or(&[]).iter().enumerate() {
        let ppath = format!("{path}.ports[{i}]");
        if let Some(p) = policy_port(cx, node, &ppath, port) {
            out.ports.push(p);
        }
    }
    out
}

fn policy_peer(
    cx: &mut Cx<'_>,
    node: NodeId,
    path: &str,
    peer: &net::NetworkPolicyPeer,
) -> Option<Peer> {
    match (&peer.ip_block, &peer.namespace_selector, &peer.pod_selector) {
        (None, None, None) => {
            cx.error(
                diag::INVALID_VALUE,
                cx.at_path(node, path, false),
                "empty peer: give a `podSelector`, a `namespaceSelector` or an `ipBlock`",
            )
            .help("to allow every source, leave out the whole `from`/`to` list".to_string());
            None
        }
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            cx.error(
                diag::INVALID_VALUE,
                cx.at_path(node, &format!("{path}.ipBlock"), true),
                "`ipBlock` cannot be combined with a selector in one peer",
            )
            .help(
                "make them two list items (`- ipBlock: ...` and `- podSelector: ...`)".to_string(),
            );
            None
        }
        (Some(block), None, None) => {
            if block.cidr.is_empty() {
                cx.error(
                    diag::MISSING_FIELD,
                    cx.at_path(node, &format!("{path}.ipBlock"), true),
                    format!("missing required field `{path}.ipBlock.cidr`"),
                );
                return None;
            }
            let cidr = match Cidr::parse(&block.cidr, false) {
                Ok(c) => c,
                Err(e) => {
                    cx.error(
                        diag::INVALID_VALUE,
                        cx.at_path(node, &format!("{path}.ipBlock.cidr"), false),
                        format!("invalid `cidr`: {e}"),
                    );
                    return None;
                }
            };
            let mut except = Vec::new();
            for (i, e) in block.except.iter().flatten().enumerate() {
                let epath = format!("{path}.ipBlock.except[{i}]");
                match Cidr::parse(e, false) {
                    Ok(c) if cidr.contains(&c) && c.prefix > cidr.prefix => except.push(c),
                    Ok(c) => {
                        cx.error(
                            diag::INVALID_VALUE,
                            cx.at_path(node, &epath, false),
                            format!("except `{c}` is not inside cidr `{cidr}`"),
                        )
                        .help(
                            "each `except` entry must be a smaller range inside `cidr`".to_string(),
                        );
                    }
                    Err(err) => {
                        cx.error(
                            diag::INVALID_VALUE,
                            cx.at_path(node, &epath, false),
                            format!("invalid `except` entry: {err}"),
                        );
                    }
                }
            }
            Some(Peer::IpBlock { cidr, except })
        }
        (None, ns, pods) => {
            let namespace_selector =
                selector(cx, node, &format!("{path}.namespaceSelector"), ns.as_ref());
            let pod_selector = selector(cx, node, &format!("{path}.podSelector"), pods.as_ref());
            Some(Peer::Pods {
                namespace_selector,
                pod_selector,
            })
        }
    }
}

fn policy_port(
    cx: &mut Cx<'_>,
    node: NodeId,
    path: &str,
    port: &net::NetworkPolicyPort,
) -> Option<PolicyPort> {
    let protocol = match port.protocol.as_deref() {
        None => Protocol::Tcp,
        Some(s) => match Protocol::parse(s) {
            Some(p) => p,
            None => {
                bad_protocol(cx, node, &format!("{path}.protocol"), s);
                return None;
            }
        },
    };
    let number = match &port.port {
        None => None,
        Some(IntOrString::Int(n)) => match u16::try_from(*n).ok().filter(|n| *n > 0) {
            Some(n) => Some(PortRef::Number(n)),
            None => {
                cx.error(
                    diag::INVALID_VALUE,
                    cx.at_path(node, &format!("{path}.port"), false),
                    format!("port `{n}` is not between 1 and 65535"),
                );
                return None;
            }
        },
        Some(IntOrString::String(s)) => {
            if let Ok(n) = s.parse::<i64>() {
                cx.error(
                    diag::INVALID_VALUE,
                    cx.at_path(node, &format!("{path}.port"), false),
                    format!(
                        "port `\"{s}\"` is a quoted number, which the API reads as a port name"
                    ),
                )
                .help(format!("write `port: {n}` without quotes"));
                return None;
            }
            if !is_port_name(s) {
                cx.error(
                    diag::INVALID_VALUE,
                    cx.at_path(node, &format!("{path}.port"), false),
                    format!("`{s}` is not a valid port name"),
                )
                .help("port names have at most 15 lowercase letters, digits and `-`, with at least one letter".to_string());
                return None;
            }
            Some(PortRef::Name(s.clone()))
        }
    };
    let end_port = match port.end_port {
        None => None,
        Some(end) => {
            let epath = format!("{path}.endPort");
            match &number {
                None => {
                    cx.error(
                        diag::INVALID_VALUE,
                        cx.at_path(node, &epath, true),
                        "`endPort` needs a numeric `port` to start the range",
                    );
                    return None;
                }
                Some(PortRef::Name(n)) => {
                    cx.error(
                        diag::INVALID_VALUE,
                        cx.at_path(node, &epath, true),
                        format!("`endPort` cannot follow a named port (`{n}`)"),
                    )
                    .help("use a numeric `port` for a range".to_string());
                    return None;
                }
                Some(PortRef::Number(start)) => {
                    match u16::try_from(end).ok().filter(|e| *e >= *start) {
                        Some(e) => Some(e),
                        None => {
                            cx.error(
                                diag::INVALID_VALUE,
                                cx.at_path(node, &epath, false),
                                format!("`endPort` {end} is below `port` {start}"),
                            )
                            .help(format!("`endPort` must be between {start} and 65535"));
                            return None;
                        }
                    }
                }
            }
        }
    };
    Some(PolicyPort {
        protocol,
        port: number,
        end_port,
    })
}

fn selector(
    cx: &mut Cx<'_>,
    node: NodeId,
    path: &str,
    sel: Option<&LabelSelector>,
) -> Option<Selector> {
    let (out, problems) = crate::selector::from_label_selector(sel?, path);
    cx.report_problems(node, problems);
    Some(out)
}
