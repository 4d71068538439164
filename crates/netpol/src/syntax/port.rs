//! Ports and protocols as people type them: `8080`, `8080/TCP`, `53/udp`, a range
//! `8000-8090/TCP`, a named port `http/TCP`, or a protocol alone (`UDP`, every UDP port).
//! TCP when the protocol is left out, as in a policy.
//!
//! A protocol alone is written in upper case (`UDP`): `udp` alone is the port named `udp`,
//! as charts name ports `tcp` and `udp`. After `/` any case will do.
//!
//! Protocols are read in any case here (the manifests we write spell them as the API
//! wants); manifests themselves are read as the API server reads them, upper case only.

use std::fmt;

use crate::model::{PolicyPort, PortRef};
use crate::names::is_port_name;
use crate::ports::Protocol;

/// One port entry: which ports of which protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSpec {
    /// TCP when the entry leaves it out.
    pub protocol: Protocol,
    /// The ports of `protocol`.
    pub ports: Ports,
}

/// The port part of a [`PortSpec`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ports {
    /// `UDP`: every port of the protocol.
    Every,
    /// `8080`.
    Number(u16),
    /// `8000-8090`, both ends included, the first below the last.
    Range(u16, u16),
    /// `http`: a container port's name, resolved on the destination pod.
    Named(String),
}

impl fmt::Display for PortSpec {
    /// The spelling [`port`] reads back: `8080/TCP`, `8000-8090/TCP`, `http/TCP`, `UDP`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let protocol = self.protocol;
        match &self.ports {
            Ports::Every => write!(f, "{protocol}"),
            Ports::Number(n) => write!(f, "{n}/{protocol}"),
            Ports::Range(lo, hi) => write!(f, "{lo}-{hi}/{protocol}"),
            Ports::Named(name) => write!(f, "{name}/{protocol}"),
        }
    }
}

/// `TCP`, `udp`, `Sctp`.
pub fn protocol(text: &str) -> Result<Protocol, String> {
    let text = text.trim();
    let upper = text.to_ascii_uppercase();
    Protocol::parse(&upper).ok_or_else(|| {
        let hint = Protocol::ALL
            .into_iter()
            .find(|p| is_typo_of(&upper, p.as_str()))
            .map(|p| format!(" (did you mean `{p}`?)"))
            .unwrap_or_default();
        format!("`{text}` is not a protocol: write TCP, UDP or SCTP, like `53/UDP`{hint}")
    })
}

/// One letter off, or the right letters in the wrong order (`TPC`, `UPD`). Names this
/// short are all close to each other by edit distance: `ICMP` is not a typo of `TCP`.
fn is_typo_of(written: &str, name: &str) -> bool {
    let sorted = |s: &str| {
        let mut b = s.as_bytes().to_vec();
        crate::sorting::sort_unstable(&mut b);
        b
    };
    crate::suggest::distance(written, name) <= 1 || sorted(written) == sorted(name)
}

/// A port number, 1 to 65535. A port name gets its own message: where a number is
/// needed, no pod is at hand to resolve the name.
pub fn port_number(text: &str) -> Result<u16, String> {
    let text = text.trim();
    if let Some(n) = text.parse::<u16>().ok().filter(|n| *n > 0) {
        return Ok(n);
    }
    if is_port_name(text) {
        return Err(format!(
            "`{text}` is a port name, not a port number: write the number, like `8080`"
        ));
    }
    Err(format!(
        "`{text}` is not a port number: write 1 to 65535, like `8080`"
    ))
}

/// One entry: `8080`, `8080/TCP`, `8000-8090/TCP`, `http/TCP` or `UDP` (see the module's
/// note on case).
pub fn port(text: &str) -> Result<PortSpec, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("no port: write one, like `8080/TCP`".to_string());
    }
    // Upper case only: a lower-case word is a port name (charts name ports `tcp`).
    if let Some(protocol) = Protocol::parse(text) {
        return Ok(PortSpec {
            protocol,
            ports: Ports::Every,
        });
    }
    let (ports, protocol) = match text.split_once('/') {
        Some((ports, p)) => (ports.trim(), self::protocol(p)?),
        None => (text, Protocol::Tcp),
    };
    Ok(PortSpec {
        protocol,
        ports: ports_part(ports)?,
    })
}

/// `8080`, `8000-8090` or `http`.
fn ports_part(text: &str) -> Result<Ports, String> {
    if let Some((lo, hi)) = text.split_once('-') {
        let (lo, hi) = (lo.trim(), hi.trim());
        if is_number(lo) && is_number(hi) {
            return range(port_number(lo)?, port_number(hi)?, text);
        }
    }
    if is_number(text) {
        return port_number(text).map(Ports::Number);
    }
    if is_port_name(text) {
        return Ok(Ports::Named(text.to_string()));
    }
    Err(format!(
        "`{text}` is neither a port number (1 to 65535) nor a port name ({}), like `8080` or `http`",
        crate::names::PORT_NAME_RULE
    ))
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn range(lo: u16, hi: u16, text: &str) -> Result<Ports, String> {
    match lo.cmp(&hi) {
        std::cmp::Ordering::Less => Ok(Ports::Range(lo, hi)),
        std::cmp::Ordering::Equal => Ok(Ports::Number(lo)),
        std::cmp::Ordering::Greater => Err(format!(
            "`{text}`: the range ends before it starts (write `{hi}-{lo}`)"
        )),
    }
}

/// Entries joined by commas (`8080/TCP, 53/UDP`); blank is no entry, which callers read
/// as every port.
pub fn port_list(text: &str) -> Result<Vec<PortSpec>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|item| {
            if item.trim().is_empty() {
                Err("an empty entry in the port list: write `8080/TCP, 53/UDP`".to_string())
            } else {
                port(item)
            }
        })
        .collect()
}

/// One numbered port to try a connection on (`80`, `53/UDP`): what `--port` and an
/// expectation name. A range or a name is refused: a connection has one port, and no pod
/// is at hand to resolve a name.
pub fn probe(text: &str) -> Result<(u16, Protocol), String> {
    let spec = port(text)?;
    let protocol = spec.protocol;
    match spec.ports {
        Ports::Number(n) => Ok((n, protocol)),
        Ports::Range(lo, hi) => Err(format!(
            "`{lo}-{hi}` is a range, not one port: write one, like `{lo}/{protocol}`"
        )),
        Ports::Named(name) => Err(format!(
            "`{name}` is a port name, not a port number: write the number, like `8080/{protocol}`"
        )),
        Ports::Every => Err(format!(
            "`{}` names no port: write one, like `53/{protocol}`",
            text.trim()
        )),
    }
}

impl PortSpec {
    /// The entry as a policy's `ports` item.
    pub fn policy_port(&self) -> PolicyPort {
        let (port, end_port) = match &self.ports {
            Ports::Every => (None, None),
            Ports::Number(n) => (Some(PortRef::Number(*n)), None),
            Ports::Range(lo, hi) => (Some(PortRef::Number(*lo)), Some(*hi)),
            Ports::Named(name) => (Some(PortRef::Name(name.clone())), None),
        };
        PolicyPort {
            protocol: self.protocol,
            port,
            end_port,
        }
    }
}

/// A [`port_list`] as a policy's `ports` (an arrow's ports, `--allow`'s `:PORTS`).
pub fn policy_ports(text: &str) -> Result<Vec<PolicyPort>, String> {
    Ok(port_list(text)?.iter().map(PortSpec::policy_port).collect())
}

/// A policy's `ports` in the [`port_list`] spelling (`8080/TCP,http/TCP,UDP`), which
/// [`policy_ports`] reads back.
pub fn policy_ports_text(ports: &[PolicyPort]) -> String {
    ports
        .iter()
        .map(|p| match (&p.port, p.end_port) {
            (None, _) => p.protocol.as_str().to_string(),
            (Some(port), Some(end)) => format!("{port}-{end}/{}", p.protocol),
            (Some(port), None) => format!("{port}/{}", p.protocol),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelled(text: &str) -> String {
        port(text).map_or_else(|e| format!("error: {e}"), |p| p.to_string())
    }

    #[test]
    fn protocols_in_any_case() {
        for (text, want) in [
            ("TCP", Protocol::Tcp),
            ("udp", Protocol::Udp),
            (" Sctp ", Protocol::Sctp),
        ] {
            assert_eq!(protocol(text), Ok(want), "{text}");
        }
        assert_eq!(
            protocol("TPC").unwrap_err(),
            "`TPC` is not a protocol: write TCP, UDP or SCTP, like `53/UDP` (did you mean `TCP`?)"
        );
        assert!(protocol("upd")
            .unwrap_err()
            .ends_with("(did you mean `UDP`?)"));
        assert!(protocol("SCTPP")
            .unwrap_err()
            .ends_with("(did you mean `SCTP`?)"));
        assert_eq!(
            protocol("ICMP").unwrap_err(),
            "`ICMP` is not a protocol: write TCP, UDP or SCTP, like `53/UDP`"
        );
    }

    #[test]
    fn port_numbers() {
        assert_eq!(port_number(" 1 "), Ok(1));
        assert_eq!(port_number("65535"), Ok(65535));
        for (text, message) in [
            (
                "0",
                "`0` is not a port number: write 1 to 65535, like `8080`",
            ),
            (
                "65536",
                "`65536` is not a port number: write 1 to 65535, like `8080`",
            ),
            (
                "-1",
                "`-1` is not a port number: write 1 to 65535, like `8080`",
            ),
            ("", "`` is not a port number: write 1 to 65535, like `8080`"),
            (
                "http",
                "`http` is a port name, not a port number: write the number, like `8080`",
            ),
        ] {
            assert_eq!(port_number(text).err().as_deref(), Some(message), "{text}");
        }
    }

    #[test]
    fn every_port_spelling() {
        for (text, want) in [
            ("8080", "8080/TCP"),
            ("8080/TCP", "8080/TCP"),
            (" 53 / udp ", "53/UDP"),
            ("8000-8090/TCP", "8000-8090/TCP"),
            ("8080-8080", "8080/TCP"),
            ("http", "http/TCP"),
            ("dns/UDP", "dns/UDP"),
            ("UDP", "UDP"),
            ("SCTP", "SCTP"),
            ("tcp", "tcp/TCP"),
        ] {
            assert_eq!(spelled(text), want, "{text}");
            assert_eq!(spelled(&spelled(text)), want, "{text} reads back");
        }
    }

    #[test]
    fn every_port_mistake() {
        for (text, message) in [
            ("", "no port: write one, like `8080/TCP`"),
            ("0/TCP", "`0` is not a port number: write 1 to 65535, like `8080`"),
            ("70000/TCP", "`70000` is not a port number: write 1 to 65535, like `8080`"),
            ("90-80", "`90-80`: the range ends before it starts (write `80-90`)"),
            ("80/TPC", "`TPC` is not a protocol: write TCP, UDP or SCTP, like `53/UDP` (did you mean `TCP`?)"),
            ("80/", "`` is not a protocol: write TCP, UDP or SCTP, like `53/UDP`"),
            (
                "Web_Port",
                "`Web_Port` is neither a port number (1 to 65535) nor a port name (at most 15 lowercase letters, digits and single dashes, with at least one letter), like `8080` or `http`",
            ),
        ] {
            assert_eq!(port(text).err().as_deref(), Some(message), "{text}");
        }
    }

    #[test]
    fn lists_and_policy_ports() {
        assert_eq!(port_list(" "), Ok(Vec::new()));
        assert_eq!(
            port_list("80,").unwrap_err(),
            "an empty entry in the port list: write `8080/TCP, 53/UDP`"
        );
        let ports = policy_ports("8080/TCP, 53/udp,http,8000-8090,UDP").unwrap_or_default();
        assert_eq!(ports.len(), 5);
        assert_eq!(
            policy_ports_text(&ports),
            "8080/TCP,53/UDP,http/TCP,8000-8090/TCP,UDP"
        );
        assert_eq!(policy_ports(&policy_ports_text(&ports)), Ok(ports));
    }

    #[test]
    fn probes_are_one_numbered_port() {
        assert_eq!(probe("80"), Ok((80, Protocol::Tcp)));
        assert_eq!(probe("53/udp"), Ok((53, Protocol::Udp)));
        for (text, message) in [
            (
                "http",
                "`http` is a port name, not a port number: write the number, like `8080/TCP`",
            ),
            (
                "8000-8090/UDP",
                "`8000-8090` is a range, not one port: write one, like `8000/UDP`",
            ),
            ("UDP", "`UDP` names no port: write one, like `53/UDP`"),
            (
                "80/ICMP",
                "`ICMP` is not a protocol: write TCP, UDP or SCTP, like `53/UDP`",
            ),
        ] {
            assert_eq!(probe(text).err().as_deref(), Some(message), "{text}");
        }
    }
}
