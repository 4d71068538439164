//! The intent syntax shared by the CLI (`--allow`) and the app: `ns/a -> ns/b`, optionally
//! with destination ports (`:8080/TCP`, `:http`, `:8000-8080/TCP`, `:53/UDP,53/TCP`, `:UDP`
//! for every UDP port), and external ends as `ip:8.8.8.8`, `ip:10.0.0.0/8` or `ip:[fd00::1]`.
//!
//! Errors quote the whole intent and name the part that is wrong. The ends and the ports
//! are [`crate::syntax`]'s; this file only cuts an intent into them.

use super::Intent;
use crate::endpoint::external_id;
use crate::syntax::{self, EndpointRef};

/// Parses `from -> to[:ports]`.
pub fn parse_intent(s: &str) -> Result<Intent, String> {
    let text = s.trim();
    let fail = |why: String| format!("intent `{text}`: {why}");
    let (from, to) = split_arrow(text).map_err(fail)?;
    let (from, from_ports) = split_endpoint(from).map_err(fail)?;
    if let Some(p) = from_ports {
        return Err(fail(format!(
            "ports belong to the receiving end: write `{from} -> {}:{p}`",
            to.trim()
        )));
    }
    let (to, ports) = split_endpoint(to).map_err(fail)?;
    let ports = match ports {
        Some(spec) => syntax::policy_ports(spec).map_err(fail)?,
        None => Vec::new(),
    };
    Ok(Intent { from, to, ports })
}

fn split_arrow(text: &str) -> Result<(&str, &str), String> {
    let arrows = ["->", "→"];
    let found: Vec<(usize, &str)> = arrows.iter().flat_map(|a| text.match_indices(*a)).collect();
    match found.as_slice() {
        [] => Err(
            "missing `->` between the two ends (write `ns/a -> ns/b` or `ns/a -> ns/b:8080/TCP`)"
                .to_string(),
        ),
        [(at, arrow)] => {
            let from = text.get(..*at).unwrap_or_default().trim();
            let to = text.get(at + arrow.len()..).unwrap_or_default().trim();
            if from.is_empty() {
                Err("nothing before `->`: name the sender (`ns/a` or `ip:CIDR`)".to_string())
            } else if to.is_empty() {
                Err("nothing after `->`: name the receiver (`ns/b` or `ip:CIDR`)".to_string())
            } else {
                Ok((from, to))
            }
        }
        _ => Err("more than one `->`: write one intent per arrow".to_string()),
    }
}

/// Splits an end into its normalised id and the port spec after it, if any.
fn split_endpoint(s: &str) -> Result<(String, Option<&str>), String> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("ip:") {
        let (addr, ports) = split_address(rest)?;
        return Ok((external(addr)?, ports));
    }
    let (id, ports) = match s.split_once(':') {
        Some((id, ports)) => (id.trim(), Some(ports)),
        None => (s, None),
    };
    check_pod_id(id)?;
    if let Some(p) = ports {
        if p.trim().is_empty() {
            return Err(format!(
                "nothing after `{id}:`: write ports like `8080/TCP`"
            ));
        }
    }
    Ok((id.to_string(), ports))
}

/// Splits `ADDR[/PREFIX][:PORTS]`. IPv6 addresses are full of colons, so an IPv6 end with
/// ports is written in brackets (`[fd00::1]:443`) or with a prefix (`fd00::/8:443`).
fn split_address(rest: &str) -> Result<(&str, Option<&str>), String> {
    let (addr, ports) = if let Some(inner) = rest.strip_prefix('[') {
        let Some((addr, after)) = inner.split_once(']') else {
            return Err(format!("`ip:{rest}`: missing `]`"));
        };
        match after.strip_prefix(':') {
            Some(p) => (addr, Some(p)),
            None if after.is_empty() => (addr, None),
            None => {
                return Err(format!(
                    "`ip:{rest}`: after `]` write `:PORTS` or nothing (prefixes go inside the brackets)"
                ))
            }
        }
    } else if rest.contains('.') || !rest.contains(':') {
        match rest.split_once(':') {
            Some((a, p)) => (a, Some(p)),
            None => (rest, None),
        }
    } else {
        match rest.split_once('/') {
            Some((a, tail)) => match tail.split_once(':') {
                Some((prefix, p)) => (
                    rest.get(..a.len() + 1 + prefix.len()).unwrap_or(rest),
                    Some(p),
                ),
                None => (rest, None),
            },
            None => (rest, None),
        }
    };
    if let Some(p) = ports {
        if p.trim().is_empty() {
            return Err(format!(
                "nothing after `ip:{addr}:`: write ports like `443/TCP`"
            ));
        }
    }
    Ok((addr.trim(), ports))
}

/// Validates an address or CIDR and returns its id (`ip:8.8.8.8`, `ip:10.0.0.0/8`).
fn external(addr: &str) -> Result<String, String> {
    syntax::cidr(addr)
        .map(|c| external_id(&c))
        .map_err(|e| format!("`ip:{addr}`: {e}"))
}

/// A pod end (`namespace/name`); an address here lacks its `ip:`.
fn check_pod_id(id: &str) -> Result<(), String> {
    match syntax::endpoint(id)? {
        EndpointRef::Pod { .. } => Ok(()),
        EndpointRef::External(_) => Err(format!("`{id}` is not a pod end")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PolicyPort, PortRef};
    use crate::ports::Protocol;

    fn num(port: u16, protocol: Protocol) -> PolicyPort {
        PolicyPort {
            protocol,
            port: Some(PortRef::Number(port)),
            end_port: None,
        }
    }

    #[test]
    fn plain_and_with_ports() {
        let i = parse_intent(" a/b -> c/d ").unwrap();
        assert_eq!((i.from.as_str(), i.to.as_str()), ("a/b", "c/d"));
        assert!(i.ports.is_empty());
        let i = parse_intent("a/b -> c/d:53/UDP, 53/tcp").unwrap();
        assert_eq!(
            i.ports,
            vec![num(53, Protocol::Udp), num(53, Protocol::Tcp)]
        );
        let i = parse_intent("a/b→c/d:8000-8080/TCP,http,UDP").unwrap();
        assert_eq!(i.ports.len(), 3);
        assert_eq!(i.ports[0].end_port, Some(8080));
        assert_eq!(i.ports[1].port, Some(PortRef::Name("http".into())));
        assert_eq!(i.ports[2].port, None);
        assert_eq!(i.to_string(), "a/b -> c/d:8000-8080/TCP,http/TCP,UDP");
    }

    #[test]
    fn external_ends() {
        let i = parse_intent("ip:0.0.0.0/0 -> x/a:443").unwrap();
        assert_eq!(i.from, "ip:0.0.0.0/0");
        let i = parse_intent("x/a -> ip:8.8.8.8/32:53/UDP").unwrap();
        assert_eq!(i.to, "ip:8.8.8.8");
        assert_eq!(i.ports, vec![num(53, Protocol::Udp)]);
        let i = parse_intent("x/a -> ip:fd00::/8:443").unwrap();
        assert_eq!((i.to.as_str(), i.ports.len()), ("ip:fd00::/8", 1));
        let i = parse_intent("x/a -> ip:2001:db8::1").unwrap();
        assert_eq!((i.to.as_str(), i.ports.len()), ("ip:2001:db8::1", 0));
        let i = parse_intent("x/a -> ip:[2001:db8::1]:443").unwrap();
        assert_eq!((i.to.as_str(), i.ports.len()), ("ip:2001:db8::1", 1));
    }

    #[test]
    fn errors_name_the_bad_part() {
        let err = |s: &str| parse_intent(s).unwrap_err();
        assert!(err("a/b c/d").contains("missing `->`"));
        assert!(err("a/b -> c/d -> e/f").contains("more than one"));
        assert!(err(" -> c/d").contains("nothing before"));
        assert!(err("a/b -> c/d:80/TPC").contains("`TPC` is not a protocol"));
        assert!(err("a/b -> c/d:80/TPC").contains("did you mean `TCP`"));
        assert!(err("a/b -> c/d:0").contains("`0` is not a port number"));
        assert!(err("a/b -> c/d:70000/TCP").contains("`70000`"));
        assert!(err("a/b -> c/d:90-80").contains("ends before it starts"));
        assert!(err("a/b -> c/d:Web_Port").contains("`Web_Port`"));
        assert!(err("a/b -> c/d:80,").contains("empty entry"));
        assert!(err("a/b -> c/d:").contains("nothing after `c/d:`"));
        assert!(err("a/b:80 -> c/d").contains("ports belong to the receiving end"));
        assert!(err("pod-1 -> c/d").contains("`pod-1` is not an endpoint"));
        assert!(err("a/b -> 8.8.8.8").contains("write `ip:8.8.8.8`"));
        assert!(err("a/b -> ip:10.0.0.1/8").contains("write `ip:10.0.0.0/8`"));
        assert!(err("a/b -> ip:nope").contains("`ip:nope`"));
        assert!(err("a/b -> ip:[fd00::1").contains("missing `]`"));
    }
}
