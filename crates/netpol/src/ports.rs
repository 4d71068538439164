//! Protocols, and sets of (protocol, port) as interval lists: the arithmetic behind
//! `connectivity` (exact allowed ports without probing them one by one).

use std::fmt;

/// A transport protocol NetworkPolicies can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// TCP (the default when a policy port leaves protocol out).
    Tcp,
    /// UDP: DNS (53/UDP) is the flow that egress isolation most often breaks.
    Udp,
    /// SCTP (stable in NetworkPolicy since Kubernetes 1.20; not every plugin supports it).
    Sctp,
}

impl Protocol {
    /// All protocols, in output order.
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    /// Parses the API spelling (`TCP`, `UDP`, `SCTP`); case-sensitive like the API server.
    pub fn parse(s: &str) -> Option<Protocol> {
        match s {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    /// The API spelling (`TCP`, `UDP`, `SCTP`), which [`Protocol::parse`] reads back.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    fn index(self) -> usize {
        match self {
            Protocol::Tcp => 0,
            Protocol::Udp => 1,
            Protocol::Sctp => 2,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lowest port number: the API server rejects port 0 in a policy.
pub const MIN_PORT: u16 = 1;
/// Highest port number; `endPort` may not go past it.
pub const MAX_PORT: u16 = 65535;

/// A set of ports of one protocol: sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct PortRanges(Vec<(u16, u16)>);

/// By hand for `clone_from`, which keeps the allocation (a diff refills one change per
/// changed pair).
impl Clone for PortRanges {
    fn clone(&self) -> Self {
        PortRanges(self.0.clone())
    }

    fn clone_from(&mut self, source: &Self) {
        self.0.clone_from(&source.0);
    }
}

impl PortRanges {
    /// The empty set (the neutral element of [`PortRanges::union`]).
    pub fn empty() -> Self {
        PortRanges(Vec::new())
    }

    /// Every port 1-65535.
    pub fn all() -> Self {
        PortRanges(vec![(MIN_PORT, MAX_PORT)])
    }

    /// One inclusive range (empty when `lo > hi`).
    pub fn range(lo: u16, hi: u16) -> Self {
        if lo > hi {
            PortRanges::empty()
        } else {
            PortRanges(vec![(lo, hi)])
        }
    }

    /// Inclusive `(lo, hi)` ranges: sorted, disjoint and never adjacent, so two equal sets
    /// have equal lists.
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.0
    }

    /// True when no port is in the set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when every port is in the set.
    pub fn is_all(&self) -> bool {
        self.0 == [(MIN_PORT, MAX_PORT)]
    }

    /// Whether `port` is in the set.
    pub fn contains(&self, port: u16) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= port && port <= hi)
    }

    /// Set union; overlapping and adjacent ranges merge, keeping the form canonical.
    pub fn union(&self, other: &PortRanges) -> PortRanges {
        let mut all: Vec<(u16, u16)> = self.0.iter().chain(other.0.iter()).copied().collect();
        crate::sorting::sort_unstable(&mut all);
        let mut out: Vec<(u16, u16)> = Vec::with_capacity(all.len());
        for (lo, hi) in all {
            match out.last_mut() {
                Some(last) if u32::from(lo) <= u32::from(last.1) + 1 => {
                    last.1 = last.1.max(hi);
                }
                _ => out.push((lo, hi)),
            }
        }
        PortRanges(out)
    }

    /// Whether the two sets share a port: [`PortRanges::intersect`] without building it.
    pub fn overlaps(&self, other: &PortRanges) -> bool {
        let (mut i, mut j) = (0, 0);
        while let (Some(&(a_lo, a_hi)), Some(&(b_lo, b_hi))) = (self.0.get(i), other.0.get(j)) {
            if a_lo.max(b_lo) <= a_hi.min(b_hi) {
                return true;
            }
            if a_hi < b_hi {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    /// Set intersection, in one merge pass over both sorted lists.
    pub fn intersect(&self, other: &PortRanges) -> PortRanges {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while let (Some(&(a_lo, a_hi)), Some(&(b_lo, b_hi))) = (self.0.get(i), other.0.get(j)) {
            let lo = a_lo.max(b_lo);
            let hi = a_hi.min(b_hi);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a_hi < b_hi {
                i += 1;
            } else {
                j += 1;
            }
        }
        PortRanges(out)
    }

    /// The ports of `self` that are not in `other`.
    pub fn difference(&self, other: &PortRanges) -> PortRanges {
        let mut out = Vec::new();
        let mut cut = other.0.iter().peekable();
        for &(lo, hi) in &self.0 {
            // `start` is the first port of [lo, hi] not yet emitted or removed; u32 so that
            // `hi + 1` cannot overflow at 65535.
            let mut start = u32::from(lo);
            let end = u32::from(hi);
            while let Some(&&(c_lo, c_hi)) = cut.peek() {
                let (c_lo, c_hi) = (u32::from(c_lo), u32::from(c_hi));
                if c_hi < start {
                    cut.next();
                    continue;
                }
                if c_lo > end {
                    break;
                }
                if c_lo > start {
                    out.push((port(start), port(c_lo - 1)));
                }
                start = c_hi + 1;
                if c_hi > end {
                    break;
                }
                cut.next();
            }
            if start <= end {
                out.push((port(start), port(end)));
            }
        }
        PortRanges(out)
    }
}

/// A port number that is known to fit (it lies between two `u16` bounds).
fn port(n: u32) -> u16 {
    u16::try_from(n).unwrap_or(MAX_PORT)
}

impl fmt::Display for PortRanges {
    /// `8080,9000-9100`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|&(lo, hi)| {
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}-{hi}")
                }
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// A set of connections: ports per protocol.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct Connections {
    by_protocol: [PortRanges; 3],
}

/// By hand for `clone_from` (see [`PortRanges`]).
impl Clone for Connections {
    fn clone(&self) -> Self {
        Connections {
            by_protocol: self.by_protocol.clone(),
        }
    }

    fn clone_from(&mut self, source: &Self) {
        for (mine, theirs) in self.by_protocol.iter_mut().zip(&source.by_protocol) {
            mine.clone_from(theirs);
        }
    }
}

impl Connections {
    /// Nothing allowed: what an isolated pod allows when no rule matches.
    pub fn none() -> Self {
        Connections::default()
    }

    /// Every port of every protocol.
    pub fn all() -> Self {
        Connections {
            by_protocol: [PortRanges::all(), PortRanges::all(), PortRanges::all()],
        }
    }

    /// `ports` of `protocol`, and nothing of the other protocols.
    pub fn of(protocol: Protocol, ports: PortRanges) -> Self {
        let mut c = Connections::none();
        if let Some(slot) = c.by_protocol.get_mut(protocol.index()) {
            *slot = ports;
        }
        c
    }

    /// The ports allowed for `protocol`.
    pub fn ports(&self, protocol: Protocol) -> &PortRanges {
        let [tcp, udp, sctp] = &self.by_protocol;
        match protocol {
            Protocol::Tcp => tcp,
            Protocol::Udp => udp,
            Protocol::Sctp => sctp,
        }
    }

    /// True when nothing is allowed.
    pub fn is_empty(&self) -> bool {
        self.by_protocol.iter().all(PortRanges::is_empty)
    }

    /// True when everything is allowed.
    pub fn is_all(&self) -> bool {
        self.by_protocol.iter().all(PortRanges::is_all)
    }

    /// Whether `port/protocol` is allowed.
    pub fn allows(&self, port: u16, protocol: Protocol) -> bool {
        self.ports(protocol).contains(port)
    }

    /// Per-protocol union: how the rules of every policy isolating a pod add up.
    pub fn union(&self, other: &Connections) -> Connections {
        Connections {
            by_protocol: Protocol::ALL.map(|p| self.ports(p).union(other.ports(p))),
        }
    }

    /// Whether the two share a connection: `!self.intersect(other).is_empty()` without
    /// building the intersection (a diff asks it per rule of millions of pairs).
    pub fn overlaps(&self, other: &Connections) -> bool {
        Protocol::ALL
            .iter()
            .any(|&p| self.ports(p).overlaps(other.ports(p)))
    }

    /// Per-protocol intersection: a connection needs the sender's egress and the
    /// receiver's ingress to allow it.
    pub fn intersect(&self, other: &Connections) -> Connections {
        Connections {
            by_protocol: Protocol::ALL.map(|p| self.ports(p).intersect(other.ports(p))),
        }
    }

    /// The connections of `self` that are not in `other`.
    pub fn difference(&self, other: &Connections) -> Connections {
        Connections {
            by_protocol: Protocol::ALL.map(|p| self.ports(p).difference(other.ports(p))),
        }
    }
}

impl fmt::Display for Connections {
    /// `All connections`, `No connections`, or `TCP 8080,9000-9100; UDP 53` (the form
    /// netpol-analyzer and NCA print).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All connections");
        }
        if self.is_empty() {
            return f.write_str("No connections");
        }
        // Written piece by piece: a diff prints this for millions of pairs.
        let mut first = true;
        for p in Protocol::ALL {
            let ports = self.ports(p);
            if ports.is_empty() {
                continue;
            }
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            if ports.is_all() {
                f.write_str(p.as_str())?;
            } else {
                write!(f, "{p} {ports}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_merges_adjacent_ranges() {
        let a = PortRanges::range(80, 80).union(&PortRanges::range(81, 90));
        assert_eq!(a.ranges(), &[(80, 90)]);
        let b = a.union(&PortRanges::range(100, 200));
        assert_eq!(b.to_string(), "80-90,100-200");
    }

    #[test]
    fn intersection() {
        let a = PortRanges::range(1, 100).union(&PortRanges::range(200, 300));
        let b = PortRanges::range(50, 250);
        assert_eq!(a.intersect(&b).to_string(), "50-100,200-250");
        assert!(a.intersect(&PortRanges::range(101, 199)).is_empty());
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&PortRanges::range(101, 199)));
        assert!(
            a.overlaps(&PortRanges::range(100, 100)) && a.overlaps(&PortRanges::range(300, 400))
        );
        assert!(!a.overlaps(&PortRanges::default()) && !PortRanges::default().overlaps(&a));
    }

    #[test]
    fn difference() {
        let a = PortRanges::range(1, 100).union(&PortRanges::range(200, 300));
        let b = PortRanges::range(50, 60).union(&PortRanges::range(90, 250));
        assert_eq!(a.difference(&b).to_string(), "1-49,61-89,251-300");
        assert_eq!(b.difference(&a).to_string(), "101-199");
        assert!(a.difference(&PortRanges::all()).is_empty());
        assert_eq!(
            PortRanges::all()
                .difference(&PortRanges::range(1, 1))
                .to_string(),
            "2-65535"
        );
        assert_eq!(
            PortRanges::all()
                .difference(&PortRanges::range(65535, 65535))
                .to_string(),
            "1-65534"
        );
        assert_eq!(a.difference(&PortRanges::empty()), a);
        // One cut spanning two ranges removes from both.
        let c = PortRanges::range(10, 20).union(&PortRanges::range(30, 40));
        assert_eq!(
            c.difference(&PortRanges::range(15, 35)).to_string(),
            "10-14,36-40"
        );
        assert_eq!(
            PortRanges::range(1, 50).difference(&c).to_string(),
            "1-9,21-29,41-50"
        );
        let all_but_udp =
            Connections::all().difference(&Connections::of(Protocol::Udp, PortRanges::all()));
        assert_eq!(all_but_udp.to_string(), "TCP; SCTP");
    }

    #[test]
    fn connections_display() {
        let c = Connections::of(Protocol::Tcp, PortRanges::range(8080, 8080))
            .union(&Connections::of(Protocol::Udp, PortRanges::range(53, 53)));
        assert_eq!(c.to_string(), "TCP 8080; UDP 53");
        assert_eq!(Connections::all().to_string(), "All connections");
        assert_eq!(
            Connections::of(Protocol::Sctp, PortRanges::all()).to_string(),
            "SCTP"
        );
    }
}
