//! Reasoning about selectors, peers, ports and address blocks without looking at any pod:
//! can a selector match anything at all, does one peer or port always include another.
//!
//! The answers are conservative: "covers" may say no where the sets happen to be nested,
//! never yes where they are not, so a redundancy warning is always true.

use std::collections::{BTreeMap, BTreeSet};

use crate::cidr::Cidr;
use crate::model::{Labels, Peer, PolicyPort, PortRef, Rule};
use crate::selector::{Operator, Selector};

/// What one selector requires of one label key.
#[derive(Default)]
struct KeyConstraint<'a> {
    /// Allowed values (`None`: any value).
    allowed: Option<BTreeSet<&'a str>>,
    excluded: BTreeSet<&'a str>,
    present: bool,
    absent: bool,
}

fn restrict<'a>(c: &mut KeyConstraint<'a>, values: BTreeSet<&'a str>) {
    let next = match c.allowed.take() {
        Some(a) => a.intersection(&values).copied().collect(),
        None => values,
    };
    c.allowed = Some(next);
}

fn constraints(sel: &Selector) -> BTreeMap<&str, KeyConstraint<'_>> {
    let mut out: BTreeMap<&str, KeyConstraint<'_>> = BTreeMap::new();
    for (k, v) in &sel.match_labels {
        let c = out.entry(k.as_str()).or_default();
        c.present = true;
        restrict(c, BTreeSet::from([v.as_str()]));
    }
    for r in &sel.match_expressions {
        let c = out.entry(r.key.as_str()).or_default();
        let values: BTreeSet<&str> = r.values.iter().map(String::as_str).collect();
        match r.operator {
            Operator::In => {
                c.present = true;
                restrict(c, values);
            }
            Operator::NotIn => c.excluded.extend(values),
            Operator::Exists => c.present = true,
            Operator::DoesNotExist => c.absent = true,
        }
    }
    out
}

/// The first label key whose requirements contradict each other, if any: then the
/// selector matches no object at all.
pub(super) fn contradiction(sel: &Selector) -> Option<String> {
    constraints(sel).into_iter().find_map(|(key, c)| {
        if c.present && c.absent {
            return Some(format!("`{key}` must both exist and not exist"));
        }
        let allowed = c.allowed?;
        let left: Vec<&&str> = allowed.difference(&c.excluded).collect();
        left.is_empty()
            .then(|| format!("no value of `{key}` satisfies every requirement on it"))
    })
}

/// True when every object `specific` matches is matched by `general`.
pub(super) fn selector_covers(general: &Selector, specific: &Selector) -> bool {
    if general == specific || general.selects_all() {
        return true;
    }
    let spec = constraints(specific);
    constraints(general).into_iter().all(|(key, g)| {
        let Some(s) = spec.get(key) else {
            // `specific` says nothing about the key: only "absent or any value" is implied.
            return !g.present && g.allowed.is_none() && g.excluded.is_empty() && !g.absent;
        };
        let present_ok = !g.present || s.present;
        let absent_ok = !g.absent || s.absent;
        let allowed_ok = match (&g.allowed, &s.allowed) {
            (None, _) => true,
            (Some(ga), Some(sa)) => sa.difference(&s.excluded).all(|v| ga.contains(v)),
            (Some(_), None) => false,
        };
        let excluded_ok = g.excluded.iter().all(|v| {
            s.absent
                || s.excluded.contains(v)
                || s.allowed.as_ref().is_some_and(|sa| !sa.contains(v))
        });
        present_ok && absent_ok && allowed_ok && excluded_ok
    })
}

/// True when peer `general` (in a policy of a namespace with `own_labels`) matches every
/// endpoint `specific` matches.
pub(super) fn peer_covers(general: &Peer, specific: &Peer, own_labels: &Labels) -> bool {
    match (general, specific) {
        (
            Peer::Pods {
                namespace_selector: gn,
                pod_selector: gp,
            },
            Peer::Pods {
                namespace_selector: sn,
                pod_selector: sp,
            },
        ) => {
            let namespaces = match (gn, sn) {
                (None, None) => true,
                (None, Some(_)) => false,
                // A namespace selector covers "the policy's namespace" when it selects it.
                (Some(g), None) => g.matches(own_labels),
                (Some(g), Some(s)) => selector_covers(g, s),
            };
            let pods = match (gp, sp) {
                (None, _) => true,
                (Some(g), None) => g.selects_all(),
                (Some(g), Some(s)) => selector_covers(g, s),
            };
            namespaces && pods
        }
        (
            Peer::IpBlock {
                cidr: gc,
                except: ge,
            },
            Peer::IpBlock {
                cidr: sc,
                except: se,
            },
        ) => {
            gc.contains(sc)
                && ge
                    .iter()
                    .filter(|e| e.overlaps(sc))
                    .all(|e| se.iter().any(|x| x.contains(e)))
        }
        _ => false,
    }
}

/// True when port entry `general` allows every port `specific` allows.
fn port_covers(general: &PolicyPort, specific: &PolicyPort) -> bool {
    if general.protocol != specific.protocol {
        return false;
    }
    match (&general.port, &specific.port) {
        (None, _) => true,
        (Some(PortRef::Number(g)), Some(PortRef::Number(s))) => {
            let g_end = general.end_port.unwrap_or(*g);
            let s_end = specific.end_port.unwrap_or(*s);
            g <= s && s_end <= g_end
        }
        (Some(PortRef::Name(g)), Some(PortRef::Name(s))) => g == s,
        _ => false,
    }
}

/// True when rule `general` allows everything rule `specific` allows.
pub(super) fn rule_covers(general: &Rule, specific: &Rule, own_labels: &Labels) -> bool {
    let peers = general.peers.is_empty()
        || (!specific.peers.is_empty()
            && specific
                .peers
                .iter()
                .all(|s| general.peers.iter().any(|g| peer_covers(g, s, own_labels))));
    let ports = general.ports.is_empty()
        || (!specific.ports.is_empty()
            && specific
                .ports
                .iter()
                .all(|s| general.ports.iter().any(|g| port_covers(g, s))));
    peers && ports
}

/// True when the `except` entries leave nothing of `cidr`.
pub(super) fn excepts_cover(cidr: &Cidr, except: &[Cidr]) -> bool {
    if except.iter().any(|e| e.contains(cidr)) {
        return true;
    }
    if !except.iter().any(|e| cidr.contains(e)) {
        return false;
    }
    match halves(cidr) {
        Some((a, b)) => excepts_cover(&a, except) && excepts_cover(&b, except),
        None => false,
    }
}

/// The two blocks one bit longer than `cidr`.
fn halves(cidr: &Cidr) -> Option<(Cidr, Cidr)> {
    let net = cidr.network();
    let width: u8 = if net.is_ipv4() { 32 } else { 128 };
    if net.prefix >= width {
        return None;
    }
    let prefix = net.prefix + 1;
    let bit = 1u128 << (width - prefix);
    let (low, high) = match net.addr {
        std::net::IpAddr::V4(a) => {
            let n = u32::from(a);
            let b = u32::try_from(bit).ok()?;
            (
                std::net::IpAddr::V4(n.into()),
                std::net::IpAddr::V4((n | b).into()),
            )
        }
        std::net::IpAddr::V6(a) => {
            let n = u128::from(a);
            (
                std::net::IpAddr::V6(n.into()),
                std::net::IpAddr::V6((n | bit).into()),
            )
        }
    };
    Some((Cidr { addr: low, prefix }, Cidr { addr: high, prefix }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector::Requirement;

    fn req(key: &str, operator: Operator, values: &[&str]) -> Requirement {
        Requirement {
            key: key.into(),
            operator,
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn contradictions() {
        let mut s = Selector::labels([("app", "a")]);
        assert!(contradiction(&s).is_none());
        s.match_expressions
            .push(req("app", Operator::NotIn, &["a"]));
        assert!(contradiction(&s).is_some());
        let s = Selector {
            match_expressions: vec![
                req("tier", Operator::Exists, &[]),
                req("tier", Operator::DoesNotExist, &[]),
            ],
            ..Selector::default()
        };
        assert!(contradiction(&s)
            .unwrap()
            .contains("both exist and not exist"));
        let s = Selector {
            match_labels: Selector::labels([("app", "a")]).match_labels,
            match_expressions: vec![req("app", Operator::In, &["b", "c"])],
        };
        assert!(contradiction(&s).is_some());
    }

    #[test]
    fn coverage() {
        let any = Selector::everything();
        let a = Selector::labels([("app", "a")]);
        let ab = Selector::labels([("app", "a"), ("tier", "web")]);
        assert!(selector_covers(&any, &a));
        assert!(selector_covers(&a, &ab));
        assert!(!selector_covers(&ab, &a));
        let in_ab = Selector {
            match_expressions: vec![req("app", Operator::In, &["a", "b"])],
            ..Selector::default()
        };
        assert!(selector_covers(&in_ab, &a));
        assert!(!selector_covers(&a, &in_ab));
        let not_c = Selector {
            match_expressions: vec![req("app", Operator::NotIn, &["c"])],
            ..Selector::default()
        };
        assert!(selector_covers(&not_c, &a));
        assert!(!selector_covers(&not_c, &any));
    }

    #[test]
    fn except_coverage() {
        let c = |s: &str| Cidr::parse(s, false).unwrap();
        let ten = c("10.0.0.0/8");
        assert!(excepts_cover(&ten, &[c("10.0.0.0/9"), c("10.128.0.0/9")]));
        assert!(!excepts_cover(&ten, &[c("10.0.0.0/9")]));
        assert!(!excepts_cover(&ten, &[]));
        let v6 = c("fd00::/8");
        assert!(excepts_cover(&v6, &[c("fd00::/9"), c("fd80::/9")]));
    }
}
