//! ipBlock problems the API server lets through: host bits after the prefix, and blocks
//! that cover pods.
//!
//! ipBlock is meant for addresses outside the cluster, but it is matched against pod IPs
//! too (CNIs differ in the details). When the input gives pod IPs (`status.podIP`), the
//! check is exact: a block is reported when it covers a pod's IP outside its `except`
//! (not a host-network pod's, which is its node's address).
//! When no pod has an IP, the pod network is unknown; then a block that covers one of the
//! private ranges (`names::PRIVATE_RANGES`) without excepting it gets an info-level hint:
//! kubeadm, k3s, Calico, Flannel and the managed clouds put IPv4 pod networks in RFC 1918
//! ranges (what the docs' namespace-default excepts), and dual-stack clusters usually put
//! IPv6 pod networks in `fc00::/7`.

use std::collections::HashMap;
use std::net::IpAddr;

use super::codes;
use super::context::{effective_rules, peer_path, Context};
use super::logic::excepts_cover;
use crate::cidr::Cidr;
use crate::diag::Diagnostic;
use crate::model::{Cluster, Peer};
use crate::names::private_ranges;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let private = private_ranges();
    let mut covered = Covered::new(cx.cluster);
    for (index, policy) in cx.cluster.policies.iter().enumerate() {
        for (direction, r, rule) in effective_rules(policy) {
            for (p, peer) in rule.peers.iter().enumerate() {
                let Peer::IpBlock { cidr, except } = peer else {
                    continue;
                };
                let path = format!("{}.ipBlock", peer_path(direction, r, p));
                host_bits(cx, index, &path, cidr, except, out);
                if cx.pod_ips_known {
                    matches_pods(cx, &mut covered, index, &path, cidr, except, out);
                } else {
                    private_range(cx, index, &path, cidr, except, &private, out);
                }
            }
        }
    }
}

fn host_bits(
    cx: &Context<'_>,
    index: usize,
    path: &str,
    cidr: &Cidr,
    except: &[Cidr],
    out: &mut Vec<Diagnostic>,
) {
    let entries = std::iter::once((format!("{path}.cidr"), cidr)).chain(
        except
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("{path}.except[{i}]"), e)),
    );
    for (at, block) in entries {
        let Some(problem) = crate::names::host_bits_problem(block) else {
            continue;
        };
        let single = Cidr::host(block.addr);
        out.push(
            cx.report(codes::IPBLOCK_HOST_BITS, index, &at, problem)
                .with_help(format!(
                    "write `{}` for the range, or `{single}` for the single address",
                    block.network()
                )),
        );
    }
}

/// The pods each ipBlock covers. A snapshot of a cluster has a hundred thousand pods and
/// tens of thousands of blocks, most of them alike (every namespace's copy of the docs'
/// default): pods are looked up in their IPs sorted, where a block's pods are one run, and
/// each distinct block is looked up once.
struct Covered {
    /// Every pod IP with its pod's index, sorted.
    ips: Vec<(IpAddr, usize)>,
    /// (block, except) -> the pods it covers, as the finding lists them.
    seen: HashMap<(Cidr, Vec<Cidr>), Option<String>>,
}

impl Covered {
    fn new(cluster: &Cluster) -> Covered {
        let mut ips: Vec<(IpAddr, usize)> = cluster
            .pods
            .iter()
            .enumerate()
            // A host-network pod's IPs are its node's: an ipBlock is the way to match them
            // (NP221's advice), and they do not change when the pod restarts.
            .filter(|(_, pod)| !pod.host_network)
            .flat_map(|(i, pod)| pod.ips.iter().map(move |ip| (*ip, i)))
            .collect();
        crate::sorting::sort_unstable(&mut ips);
        Covered {
            ips,
            seen: HashMap::new(),
        }
    }

    /// The pods with an IP in `cidr` and outside `except`, in input order.
    fn pods(&self, cidr: &Cidr, except: &[Cidr]) -> Vec<usize> {
        let first = cidr.network().addr;
        let from = self.ips.partition_point(|(ip, _)| *ip < first);
        let mut pods: Vec<usize> = self
            .ips
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .take_while(|(ip, _)| cidr.contains_ip(*ip))
            .filter(|(ip, _)| !except.iter().any(|e| e.contains_ip(*ip)))
            .map(|(_, pod)| *pod)
            .collect();
        crate::sorting::sort_unstable(&mut pods);
        pods.dedup();
        pods
    }

    /// The pods a block covers, listed as a finding shows them; `None` for none.
    fn listed(&mut self, cx: &Context<'_>, cidr: &Cidr, except: &[Cidr]) -> Option<&str> {
        let key = (*cidr, except.to_vec());
        if !self.seen.contains_key(&key) {
            let pods = self.pods(cidr, except);
            let listed = (!pods.is_empty()).then(|| cx.pod_list(&pods));
            self.seen.insert(key.clone(), listed);
        }
        self.seen.get(&key).and_then(Option::as_deref)
    }
}

fn matches_pods(
    cx: &Context<'_>,
    covered: &mut Covered,
    index: usize,
    path: &str,
    cidr: &Cidr,
    except: &[Cidr],
    out: &mut Vec<Diagnostic>,
) {
    let Some(pods) = covered.listed(cx, cidr, except) else {
        return;
    };
    out.push(
        cx.report(
            codes::IPBLOCK_MATCHES_PODS,
            index,
            &format!("{path}.cidr"),
            format!(
                "ipBlock `{cidr}` covers the IPs of {}: it matches those pods too, by an address that changes whenever they restart",
                pods
            ),
        )
        .with_help(
            "select pods with podSelector/namespaceSelector; if the block is meant for outside the cluster, add the pod network to `except`",
        ),
    );
}

fn private_range(
    cx: &Context<'_>,
    index: usize,
    path: &str,
    cidr: &Cidr,
    except: &[Cidr],
    private: &[Cidr],
    out: &mut Vec<Diagnostic>,
) {
    let hit = private.iter().find(|range| {
        let region = if cidr.contains(range) {
            *range
        } else if range.contains(cidr) {
            cidr
        } else {
            return false;
        };
        !excepts_cover(region, except)
    });
    let Some(range) = hit else {
        return;
    };
    let (message, help) = if cidr.contains(range) {
        // The docs' namespace-default excepts the IPv4 ranges only (its block is 0.0.0.0/0).
        let like_the_docs = if range.is_ipv4() {
            ", as the docs' namespace-default does"
        } else {
            ""
        };
        (
            format!("ipBlock `{cidr}` includes the private range `{range}`, where pod IPs usually are: it may match pods too"),
            format!("if the block is meant for outside the cluster, add `{range}` to `except`{like_the_docs}"),
        )
    } else {
        (
            format!("ipBlock `{cidr}` is inside the private range `{range}`, where pod IPs usually are: if pods have addresses there, it matches them too"),
            "make sure the block does not overlap the cluster's pod network".to_string(),
        )
    };
    out.push(
        cx.report(
            codes::IPBLOCK_PRIVATE_RANGE,
            index,
            &format!("{path}.cidr"),
            message,
        )
        .with_help(help),
    );
}
