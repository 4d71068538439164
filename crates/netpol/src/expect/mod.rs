//! Expectations: "this may (or may not) open that port to that", the syntax lessons write
//! their goals in and `netpol test` checks as a CI gate.
//!
//! ```text
//! team-one/pod-1 -> team-two/pod-2 : 8080/TCP     one pod to one pod
//! team-one/* -> team-two/pod-3 : 8080             every pod of a namespace (TCP by default)
//! */app=web -> prod/tier in (db, cache) : 5432    pods chosen by labels, in any namespace
//! */* -> ip:8.8.8.8 : 53/UDP                      every pod, to an address outside
//! ```
//!
//! An endpoint is written as a [`Pattern`]; an [`Expectation`] keeps the text of both ends
//! (so a lesson shows what its author wrote) and is resolved against a cluster when it is
//! checked. [`parse_file`] reads an expectations file with the place of every entry, and
//! [`check`] grades it with the engine's verdicts, explaining each connection that fails.
//! [`check`] computes per class of endpoints ([`crate::classes`]);
//! [`check_per_endpoint`] is the connection-by-connection reference it is tested against.

mod by_class;
mod check;
mod file;
mod pattern;

use std::fmt;

use serde::Serialize;

use crate::ports::Protocol;

pub use by_class::check;
pub use check::{check_per_endpoint, Failure, Outcome, TestReport};
pub(crate) use file::goal_line;
pub use file::{parse_file, Stated};
pub use pattern::Pattern;

/// One expected connection: `from` may (or may not) open `port`/`protocol` to `to`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Expectation {
    /// Sender, as written: a [`Pattern`] (`namespace/name`, `ns/*`, `ip:8.8.8.8`, ...).
    pub from: String,
    /// Receiver, as written: a [`Pattern`].
    pub to: String,
    /// Destination port (1-65535).
    pub port: u16,
    /// Protocol; TCP when the entry leaves it out.
    pub protocol: Protocol,
    /// True when the connection must be allowed, false when it must stay denied.
    pub allowed: bool,
}

impl Expectation {
    /// Parses `ns/a -> ns/b : 8080/TCP` (spaces around `:` optional, `/TCP` optional); each
    /// end is a [`Pattern`]. Whether the connection must be allowed is not part of the text.
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
            Pattern::parse(id).map_err(|e| format!("`{text}`: {e}"))?;
        }
        let (port, protocol) = crate::syntax::probe(port).map_err(|e| format!("`{text}`: {e}"))?;
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

    /// Both ends as patterns. `Err` only for an expectation built by hand with an end that
    /// [`Expectation::parse`] would have refused.
    pub fn patterns(&self) -> Result<(Pattern, Pattern), String> {
        Ok((Pattern::parse(&self.from)?, Pattern::parse(&self.to)?))
    }
}

impl fmt::Display for Expectation {
    /// `allow ns/a -> ns/b : 8080/TCP` / `deny ...`, the way a lesson file writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.allowed { "allow" } else { "deny" };
        write!(f, "{verb} {}", self.connection())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_patterns_on_both_ends() {
        let e = Expectation::parse("team-one/* -> */app=web, tier in (a, b) : 53/udp", false)
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(e.from, "team-one/*");
        assert_eq!(e.to, "*/app=web, tier in (a, b)");
        assert_eq!((e.port, e.protocol), (53, Protocol::Udp));
        assert_eq!(
            e.to_string(),
            "deny team-one/* -> */app=web, tier in (a, b) : 53/UDP"
        );
    }

    #[test]
    fn refuses_malformed_text_with_the_reason() {
        for (text, wanted) in [
            ("ns/a -> ns/b", "a port is missing"),
            ("ns/a ns/b : 80", "no `->` found"),
            (
                "ns/a -> ns/b : http",
                "`http` is a port name, not a port number",
            ),
            ("ns/a -> ns/b : 80/ICMP", "`ICMP` is not a protocol"),
            ("ns/a -> ns/b : 8000-8090", "is a range, not one port"),
            ("ns/a b -> ns/b : 80", "not an endpoint"),
            ("ns/A -> ns/b : 80", "`A` is not a valid Pod name"),
            ("*/pod-1 -> ns/b : 80", "needs its namespace"),
            (" -> ns/b : 80", "the sender is missing"),
            ("ns/a -> ns/app=(x : 80", "`app=(x`"),
        ] {
            let err = Expectation::parse(text, true).err().unwrap_or_default();
            assert!(err.contains(wanted), "{text}: {err}");
        }
    }
}
