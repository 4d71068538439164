//! One expectation as written in a lesson's `goal:` and in `netpol test`'s expectations
//! file (a YAML list of them).

use serde::Deserialize;

use super::Loose;

/// One expectation: `allow: "a -> b : 8080/TCP"`, `deny: ...`, or the long form with
/// `from`, `to`, `port`, `protocol` (TCP when left out) and `allowed`.
///
/// Every field is optional here: which form the entry is, and what it lacks, the reader
/// (`expect::file::goal_line`) says with the entry's other problems, so that one entry's
/// mistakes are all reported at once.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalLine {
    /// `from -> to : PORT/PROTOCOL`, allowed.
    pub allow: Option<String>,
    /// `from -> to : PORT/PROTOCOL`, denied.
    pub deny: Option<String>,
    /// The sender (`namespace/name`, a pattern, or `ip:ADDRESS`).
    pub from: Option<String>,
    /// The receiver.
    pub to: Option<String>,
    /// The port: a number from 1 to 65535.
    pub port: Option<Loose>,
    /// `TCP` (the default), `UDP` or `SCTP`, in any case.
    pub protocol: Option<String>,
    /// Whether the connection is allowed.
    pub allowed: Option<Loose>,
}
