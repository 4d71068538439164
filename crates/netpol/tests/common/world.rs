//! The generator's exactness oracle, shared by its flavours: a random small world of pods
//! (labels, named ports, sometimes addresses) in up to three namespaces, random arrows
//! between its pods and addresses outside it, and the check that the engine's exact
//! connectivity over every pair and port is what the arrows allow, no more.
#![allow(dead_code, reason = "only the generator suites use it")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: the generators build valid values"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use netpol::cidr::Cidr;
use netpol::endpoint::all_endpoints;
use netpol::generate::{parse_intent, Intent};
use netpol::model::PortRef;
use netpol::ports::PortRanges;
use netpol::{connectivity, Cluster, Connections};
use proptest::prelude::*;

/// A random small world: pods with labels, named ports and sometimes IPs.
#[derive(Clone, Debug)]
pub struct World {
    pub namespaces: usize,
    pub pods: Vec<PodSpec>,
}

#[derive(Clone, Debug)]
pub struct PodSpec {
    pub namespace: usize,
    /// 0: `app: pN`; 1: a shared `app` plus a unique `rank`; 2: `app.kubernetes.io/name`;
    /// 3: only a unique `tier`.
    pub labelling: u8,
    pub http: Option<u16>,
    pub dns: bool,
    pub ip: bool,
}

pub const EXTERNALS: [&str; 4] = [
    "ip:8.8.8.8",
    "ip:10.0.0.0/8",
    "ip:192.168.1.0/24",
    "ip:0.0.0.0/0",
];
pub const PROBES: [&str; 4] = ["8.8.8.8/32", "10.1.2.3/32", "192.168.1.7/32", "1.1.1.1/32"];
pub const PORT_SPECS: [&str; 8] = [
    "",
    "80/TCP",
    "http",
    "53/UDP,53/TCP",
    "8000-8080/TCP",
    "UDP",
    "1000-2000/SCTP",
    "dns/UDP,81",
];

impl World {
    pub fn yaml(&self) -> String {
        let mut out = String::new();
        for n in 0..self.namespaces {
            // `team` tells n0 and n1 apart but not n2 from n1: the generator must fall back.
            let team = ["blue", "red", "red"][n % 3];
            let _ = write!(
                out,
                "apiVersion: v1\nkind: Namespace\nmetadata: {{name: n{n}, labels: {{team: {team}}}}}\n---\n"
            );
        }
        for (i, p) in self.pods.iter().enumerate() {
            let labels = match p.labelling {
                0 => format!("app: p{i}"),
                1 => format!("app: shared, rank: r{i}"),
                2 => format!("app.kubernetes.io/name: p{i}"),
                _ => format!("tier: t{i}"),
            };
            let mut ports = Vec::new();
            if let Some(n) = p.http {
                ports.push(format!("{{name: http, containerPort: {n}}}"));
            }
            if p.dns {
                ports.push("{name: dns, containerPort: 53, protocol: UDP}".to_string());
            }
            let _ = write!(
                out,
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: n{}, labels: {{{labels}}}}}\n\
                 spec: {{containers: [{{name: c, image: i, ports: [{}]}}]}}\n",
                p.namespace,
                ports.join(", ")
            );
            if p.ip {
                let _ = writeln!(out, "status: {{podIP: 10.244.0.{}}}", i + 1);
            }
            out.push_str("---\n");
        }
        out
    }

    pub fn id(&self, end: usize) -> String {
        match self.pods.get(end) {
            Some(p) => format!("n{}/p{end}", p.namespace),
            None => EXTERNALS[(end - self.pods.len()) % EXTERNALS.len()].to_string(),
        }
    }
}

pub fn world() -> impl Strategy<Value = World> {
    (1usize..=3).prop_flat_map(|namespaces| {
        let pod = (
            0..namespaces,
            0u8..4,
            proptest::option::of(prop_oneof![Just(80u16), Just(8080u16)]),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(namespace, labelling, http, dns, ip)| PodSpec {
                namespace,
                labelling,
                http,
                dns,
                ip,
            });
        proptest::collection::vec(pod, 1..6).prop_map(move |pods| World { namespaces, pods })
    })
}

/// What an intent allows towards `to` (a pod of the world, or None for an external).
pub fn expected_ports(spec: &str, to: Option<&netpol::Pod>) -> Connections {
    if spec.is_empty() {
        return Connections::all();
    }
    let mut out = Connections::none();
    for p in netpol::generate::parse_intent(&format!("a/a -> b/b:{spec}"))
        .unwrap()
        .ports
    {
        let ranges = match (&p.port, p.end_port) {
            (None, _) => PortRanges::all(),
            (Some(PortRef::Number(n)), end) => PortRanges::range(*n, end.unwrap_or(*n)),
            (Some(PortRef::Name(name)), _) => {
                match to.and_then(|pod| pod.named_port(name, p.protocol)) {
                    Some(n) => PortRanges::range(n, n),
                    None => PortRanges::empty(),
                }
            }
        };
        out = out.union(&Connections::of(p.protocol, ranges));
    }
    out
}

/// Intents written in the CLI's `--allow` syntax.
pub fn parsed(list: &[&str]) -> Vec<Intent> {
    list.iter()
        .map(|s| parse_intent(s).unwrap_or_else(|e| panic!("{s}: {e}")))
        .collect()
}

/// Arrows `(from, to, port spec)` as indices into the world's ends (its pods, then
/// [`EXTERNALS`]), made into intents: named ports only towards a receiver that has them,
/// never two external ends. Each with its ends and port spec, for [`check_exact`].
pub fn intents(
    world: &World,
    arrows: &[(usize, usize, usize)],
) -> Vec<(usize, usize, &'static str, Intent)> {
    let ends = world.pods.len() + EXTERNALS.len();
    let mut list = Vec::new();
    for &(from, to, spec) in arrows {
        let (from, to) = (from % ends, to % ends);
        let spec = PORT_SPECS[spec % PORT_SPECS.len()];
        let to_pod = world.pods.get(to);
        // Named ports must resolve on the receiver; two external ends are no intent.
        let named_ok = match to_pod {
            Some(p) => {
                (!spec.contains("http") || p.http.is_some()) && (!spec.contains("dns") || p.dns)
            }
            None => !spec.contains("http") && !spec.contains("dns"),
        };
        if !named_ok || (from >= world.pods.len() && to >= world.pods.len()) {
            continue;
        }
        let text = if spec.is_empty() {
            format!("{} -> {}", world.id(from), world.id(to))
        } else {
            format!("{} -> {}:{spec}", world.id(from), world.id(to))
        };
        list.push((from, to, spec, parse_intent(&text).unwrap()));
    }
    list
}

/// The engine's exact connectivity in `cluster` (the world plus generated policies) over
/// every pod and every [`PROBES`] address is what `list` allows: the union of the intents'
/// ports where an intent covers the pair, everything from a pod to itself, nothing else.
pub fn check_exact(
    world: &World,
    list: &[(usize, usize, &'static str, Intent)],
    cluster: &Cluster,
    context: &str,
) -> Result<(), TestCaseError> {
    let probes: Vec<Cidr> = PROBES
        .iter()
        .map(|c| Cidr::parse(c, false).unwrap())
        .collect();
    let endpoints = all_endpoints(cluster, &probes);
    let got = connectivity(cluster, &endpoints);

    let n = world.pods.len();
    let mut want: BTreeMap<(usize, usize), Connections> = BTreeMap::new();
    for (from, to, spec, _) in list {
        // Endpoint positions the intent covers on each side.
        let cover = |end: usize| -> Vec<usize> {
            if end < n {
                return vec![end];
            }
            let cidr = Cidr::parse(world.id(end).trim_start_matches("ip:"), true).unwrap();
            probes
                .iter()
                .enumerate()
                .filter(|(_, p)| cidr.contains(p))
                .map(|(k, _)| n + k)
                .collect()
        };
        for i in cover(*from) {
            for j in cover(*to) {
                let ports = expected_ports(spec, cluster.pods.get(j).filter(|_| j < n));
                let slot = want.entry((i, j)).or_default();
                *slot = slot.union(&ports);
            }
        }
    }
    for i in 0..endpoints.len() {
        for j in 0..endpoints.len() {
            if i >= n && j >= n {
                continue; // external to external: no policy is involved
            }
            let expected = if i == j {
                Connections::all()
            } else {
                want.get(&(i, j)).cloned().unwrap_or_default()
            };
            prop_assert_eq!(
                got.get(i, j).cloned().unwrap_or_default(),
                expected,
                "{} -> {}\n{}",
                &got.endpoints[i],
                &got.endpoints[j],
                context
            );
        }
    }
    Ok(())
}
