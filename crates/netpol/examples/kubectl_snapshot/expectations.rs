//! An expectations file for `netpol test` on the snapshot (`kubectl_snapshot PODS NS
//! POLICIES expectations [COUNT]`): the kind of CI gate a platform team writes, a mix of
//! one pod to one pod, whole namespaces, label patterns across every namespace, addresses
//! outside, allowed and denied, and a few that fail (a regression the gate catches, so the
//! run also pays for explaining failures).
//!
//! The verdicts come from the snapshot's shape (`objects.rs`), not from the engine, so the
//! file is cheap to write and independent of the code it measures:
//!
//! - namespace `n`'s app policies all have shape `n % 5` (policy `i` lives in `i % NS`
//!   and has shape `i % 5`, and 5 divides NS in the measured shapes);
//! - team namespaces (`n % 5 != 4`, not `kube-system`) isolate both directions and let
//!   pods out only to the internet (`0.0.0.0/0` except the private ranges);
//! - `n % 5 == 4` namespaces isolate every pod's ingress except 9000-9100 from the pod
//!   network (`10.0.0.0/8` holds every pod IP), and leave egress open;
//! - `kube-system` lets an app in only from the next app, on `http`.
//!
//! Namespaces below 20 are left out: the Deployments, StatefulSets and
//! ReplicationControllers live there, endpoints without an IP that the ipBlocks do not hold.

use std::collections::HashSet;

use super::objects;
use super::random::Random;

/// Apps per namespace, as `objects.rs` numbers them.
const APPS: usize = 12;

/// The expectations file (YAML), `count` entries, deterministic.
pub fn write(pods: usize, namespaces: usize, count: usize) -> String {
    let mut random = Random::new(0x7e57);
    let mut seen = HashSet::new();
    let mut out = String::new();
    let mut k = 0usize;
    // Each kind may find nothing to say in a tiny cluster; give up after enough tries.
    let mut tries = 0usize;
    while seen.len() < count && tries < count.saturating_mul(20) {
        tries += 1;
        let Some((allowed, text)) = entry(k, pods, namespaces, &mut random) else {
            k += 1;
            continue;
        };
        k += 1;
        if seen.insert(text.clone()) {
            let verb = if allowed { "allow" } else { "deny" };
            out += &format!("- {verb}: \"{text}\"\n");
        }
    }
    out
}

/// The `k`th entry: whether it must be allowed, and its text.
fn entry(k: usize, pods: usize, ns: usize, random: &mut Random) -> Option<(bool, String)> {
    let team = |r: &mut Random| pick(r, ns, |n| n % 5 != 4);
    let open = |r: &mut Random| pick(r, ns, |n| n % 5 == 4);
    let app = |r: &mut Random| objects_app(r.below(APPS as u64) as usize);
    // A regression the gate catches: DNS to kube-system is expected but kube-system only
    // lets the next app in.
    if k % 200 == 199 {
        let n = pick(random, ns, |n| n % 5 == 2)?;
        return Some((
            true,
            format!("{}/app={} -> kube-system/* : 53/UDP", name(n), app(random)),
        ));
    }
    if k % 250 == 0 {
        let ips = ["8.8.8.8", "1.1.1.1", "9.9.9.9", "8.8.4.4"];
        let ip = ips.get(k / 250 % 4).copied().unwrap_or("8.8.8.8");
        return Some((true, format!("*/* -> ip:{ip} : 53/UDP")));
    }
    Some(match k % 10 {
        // Team namespaces let nothing out to the pod network.
        0 => {
            let (a, b) = (team(random)?, pick(random, ns, |_| true)?);
            let from = pod_in(random, pods, ns, a)?;
            let to = pod_in(random, pods, ns, b)?;
            if from == to {
                return None;
            }
            (false, format!("{from} -> {to} : 8080/TCP"))
        }
        // The open namespaces take 9000-9100 from any pod, and nothing else.
        1 | 2 => {
            let (a, b) = (open(random)?, open(random)?);
            let from = pod_in(random, pods, ns, a)?;
            let to = pod_in(random, pods, ns, b)?;
            if from == to {
                return None;
            }
            let (allowed, port) = if k % 10 == 1 {
                (true, 9000)
            } else {
                (false, 8080)
            };
            (allowed, format!("{from} -> {to} : {port}/TCP"))
        }
        3 => {
            let (a, b) = (open(random)?, open(random)?);
            let port = 9000 + random.below(101);
            (true, format!("{}/* -> {}/* : {port}/TCP", name(a), name(b)))
        }
        // Out to the internet from a team namespace, not to the private ranges.
        4 => {
            let ip = one_of(random, &["8.8.8.8", "1.1.1.1", "140.82.112.3"]);
            (
                true,
                format!("{}/* -> ip:{ip} : 443/TCP", name(team(random)?)),
            )
        }
        5 => {
            let ip = one_of(random, &["10.20.30.40", "172.16.0.10", "192.168.1.1"]);
            (
                false,
                format!("{}/* -> ip:{ip} : 443/TCP", name(team(random)?)),
            )
        }
        // An app of every namespace to an app of an open namespace, on a port it does not
        // open.
        6 => {
            let (a, b) = (app(random), app(random));
            let to = name(open(random)?);
            (false, format!("*/app={a} -> {to}/app={b} : 8080/TCP"))
        }
        // A team namespace's egress opens 9000 to the next namespace, whose ingress only
        // takes metrics from teams t1 and t2.
        7 => {
            let n = pick(random, ns, |n| n % 5 == 2 && n + 1 < ns)?;
            let a = random.below(APPS as u64) as usize;
            let (from, to) = (objects_app(a), objects_app(a + 1));
            let next = name(n + 1);
            (
                false,
                format!("{}/app={from} -> {next}/app={to} : 9000/TCP", name(n)),
            )
        }
        // One team's pods, in all its namespaces, to addresses outside.
        8 => {
            // Teams are `t{n % 20}` of the team namespaces: none ends in 4, 9, 14, 19.
            let t = one_of(
                random,
                &[0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18],
            );
            if random.below(2) == 0 {
                (true, format!("*/team=t{t} -> ip:8.8.8.8 : 53/UDP"))
            } else {
                (false, format!("*/team=t{t} -> ip:10.0.0.1 : 443/TCP"))
            }
        }
        _ => {
            let (a, b) = (open(random)?, open(random)?);
            let (from, to) = (
                one_of(random, &["frontend", "backend", "data"]),
                one_of(random, &["frontend", "backend", "data"]),
            );
            let port = 9000 + random.below(101);
            (
                true,
                format!(
                    "{}/tier={from} -> {}/tier={to} : {port}/TCP",
                    name(a),
                    name(b)
                ),
            )
        }
    })
}

/// One of `items`, drawn.
fn one_of<T: Copy + Default>(random: &mut Random, items: &[T]) -> T {
    let k = random.below(items.len() as u64) as usize;
    items.get(k).copied().unwrap_or_default()
}

fn objects_app(app: usize) -> &'static str {
    objects::APPS.get(app % APPS).copied().unwrap_or("app")
}

fn name(n: usize) -> String {
    objects::namespace_name(n)
}

/// A namespace from 20 up for which `keep` holds, or `None` when there is none.
fn pick(random: &mut Random, namespaces: usize, keep: impl Fn(usize) -> bool) -> Option<usize> {
    if namespaces <= 20 {
        return None;
    }
    for _ in 0..64 {
        let n = 20 + random.below((namespaces - 20) as u64) as usize;
        if keep(n) {
            return Some(n);
        }
    }
    None
}

/// `namespace/name` of a pod of namespace `n`, built as `objects::pod` names it.
fn pod_in(random: &mut Random, pods: usize, namespaces: usize, n: usize) -> Option<String> {
    let per_namespace = pods / namespaces.max(1);
    if per_namespace == 0 {
        return None;
    }
    let p = n + namespaces * random.below(per_namespace as u64) as usize;
    let pod = objects::pod(p, namespaces, &mut Random::new((1 << 40) | p as u64));
    let name = pod.pointer("/metadata/name")?.as_str()?;
    Some(format!("{}/{name}", objects::namespace_name(n)))
}
