//! One goal line: a connection that must be allowed or must stay denied, in the syntax a
//! lesson file writes it (`ns/a -> ns/b : 8080/TCP`).

use std::fmt;

use serde::Serialize;

use crate::ports::Protocol;

/// One expected connection: `from` may (or may not) open `port`/`protocol` to `to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Expectation {
    /// Sender: `namespace/name` or `ip:8.8.8.8`.
    pub from: String,
    /// Receiver: `namespace/name` or `ip:8.8.8.8`.
    pub to: String,
    /// Destination port.
    pub port: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// True when the connection must be allowed, false when it must stay denied.
    pub allowed: bool,
}

impl Expectation {
    /// Parses `ns/a -> ns/b : 8080/TCP` (spaces around `:` optional, `/TCP` optional).
    /// Whether the connection must be allowed is not part of the text.
    pub fn parse(text: &str, allowed: bool) -> Result<Expectation, String> {
        let text = text.trim();
        // The arrow the intent syntax also accepts.
        let normalised = text.replacen('→', "->", 1);
        let (from, rest) = normalised.split_once("->").ok_or_else(|| {
            format!("`{text}`: write `from -> to : PORT/PROTOCOL` (no `->` found)")
        })?;
        // ` : ` first, so an IPv6 address (`ip:fd00::1 : 443`) keeps its colons; otherwise
        // the last colon, so `ip:8.8.8.8:53/UDP` works.
        let (to, port) = rest
            .split_once(" : ")
            .or_else(|| rest.rsplit_once(':'))
            .ok_or_else(|| format!("`{text}`: a port is missing (`... : 8080/TCP`)"))?;
        let (from, to, port) = (from.trim(), to.trim(), port.trim());
        for (side, id) in [("sender", from), ("receiver", to)] {
            if id.is_empty() {
                return Err(format!("`{text}`: the {side} is missing"));
            }
            if id.contains(char::is_whitespace) {
                return Err(format!(
                    "`{text}`: `{id}` is not an endpoint id (`namespace/name` or `ip:ADDRESS`)"
                ));
            }
        }
        let (number, protocol) = match port.split_once('/') {
            Some((n, p)) => (n.trim(), parse_protocol(p.trim())?),
            None => (port, Protocol::Tcp),
        };
        let port = parse_port(number).map_err(|e| format!("`{text}`: {e}"))?;
        Ok(Expectation {
            from: from.to_string(),
            to: to.to_string(),
            port,
            protocol,
            allowed,
        })
    }

    /// `ns/a -> ns/b : 8080/TCP` (without the verdict).
    pub fn connection(&self) -> String {
        format!(
            "{} -> {} : {}/{}",
            self.from,
            self.to,
            self.port,
            self.protocol.as_str()
        )
    }
}

impl fmt::Display for Expectation {
    /// `allow ns/a -> ns/b : 8080/TCP` / `deny ...`, the way a lesson file writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.allowed { "allow" } else { "deny" };
        write!(f, "{verb} {}", self.connection())
    }
}

pub(super) fn parse_protocol(text: &str) -> Result<Protocol, String> {
    // The lesson format is for people, so `udp` is as good as `UDP`.
    Protocol::parse(&text.to_ascii_uppercase())
        .ok_or_else(|| format!("unknown protocol `{text}` (TCP, UDP or SCTP)"))
}

pub(super) fn parse_port(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!(
            "`{text}` is not a port number (1-65535); name ports in the policies, not in the goal"
        )),
        Ok(n) => Ok(n),
    }
}
