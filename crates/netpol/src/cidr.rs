//! CIDR blocks (IPv4 and IPv6) for `ipBlock` and external endpoints.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IP network: address plus prefix length. The address is kept as written (host bits
/// may be set; the linter reports that), and containment uses the masked network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    /// Address as written.
    pub addr: IpAddr,
    /// Prefix length (0..=32 for IPv4, 0..=128 for IPv6).
    pub prefix: u8,
}

/// Why a string is not a CIDR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CidrError(pub String);

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn bits(addr: IpAddr) -> (u128, u8) {
    match addr {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    }
}

fn mask(prefix: u8, width: u8) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let full: u128 = if width >= 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    let host = u32::from(width.saturating_sub(prefix));
    // host < 128 here because prefix >= 1.
    full & !(1u128.checked_shl(host).unwrap_or(0).wrapping_sub(1))
}

impl Cidr {
    /// A single address (`/32` or `/128`).
    pub fn host(addr: IpAddr) -> Cidr {
        Cidr {
            addr,
            prefix: bits(addr).1,
        }
    }

    /// Parses `10.0.0.0/8`, `fd00::/8`; a bare address when `allow_bare` is set.
    pub fn parse(s: &str, allow_bare: bool) -> Result<Cidr, CidrError> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None if allow_bare => (s, None),
            None => {
                return Err(CidrError(format!(
                    "`{s}` is not a CIDR: add a prefix length (`{s}/32`)"
                )))
            }
        };
        let addr = IpAddr::from_str(addr)
            .map_err(|_| CidrError(format!("`{addr}` is not an IPv4 or IPv6 address")))?;
        let width = bits(addr).1;
        let prefix = match prefix {
            None => width,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if n <= width => n,
                _ => {
                    return Err(CidrError(format!(
                        "`/{p}` is not a prefix length for {} (0 to {width})",
                        if width == 32 { "IPv4" } else { "IPv6" }
                    )))
                }
            },
        };
        Ok(Cidr { addr, prefix })
    }

    fn width(&self) -> u8 {
        bits(self.addr).1
    }

    /// The network with host bits cleared.
    pub fn network(&self) -> Cidr {
        let (b, w) = bits(self.addr);
        let m = mask(self.prefix, w);
        let n = b & m;
        let addr = match self.addr {
            IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::from(n as u32)),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::from(n)),
        };
        Cidr {
            addr,
            prefix: self.prefix,
        }
    }

    /// True when the address has bits set past the prefix (`10.0.0.1/8`).
    pub fn has_host_bits(&self) -> bool {
        self.network().addr != self.addr
    }

    /// Whether `ip` is inside this block.
    pub fn contains_ip(&self, ip: IpAddr) -> bool {
        let (a, wa) = bits(self.addr);
        let (b, wb) = bits(ip);
        if wa != wb {
            return false;
        }
        let m = mask(self.prefix, wa);
        a & m == b & m
    }

    /// Whether all of `other` is inside this block.
    pub fn contains(&self, other: &Cidr) -> bool {
        self.width() == other.width() && other.prefix >= self.prefix && self.contains_ip(other.addr)
    }

    /// Whether the two blocks share any address.
    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// True for a single address (`/32`, `/128`), which ids write without a prefix.
    pub fn is_host(&self) -> bool {
        self.prefix == self.width()
    }

    /// True for IPv4; a block of one family never contains an address of the other.
    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment() {
        let ten = Cidr::parse("10.0.0.0/8", false).unwrap();
        assert!(ten.contains_ip("10.1.2.3".parse().unwrap()));
        assert!(!ten.contains_ip("11.0.0.1".parse().unwrap()));
        let all = Cidr::parse("0.0.0.0/0", false).unwrap();
        assert!(all.contains(&ten));
        assert!(!ten.contains(&all));
        assert!(all.contains_ip("8.8.8.8".parse().unwrap()));
        assert!(!all.contains_ip("::1".parse().unwrap()));
        let v6 = Cidr::parse("fd00::/8", false).unwrap();
        assert!(v6.contains_ip("fd12::1".parse().unwrap()));
        let all6 = Cidr::parse("::/0", false).unwrap();
        assert!(all6.contains(&v6));
    }

    #[test]
    fn host_bits_and_errors() {
        assert!(Cidr::parse("10.0.0.1/8", false).unwrap().has_host_bits());
        assert!(!Cidr::parse("10.0.0.0/8", false).unwrap().has_host_bits());
        assert!(Cidr::parse("10.0.0.0", false).is_err());
        assert!(Cidr::parse("10.0.0.0/33", false).is_err());
        assert!(Cidr::parse("nope/8", false).is_err());
        assert_eq!(Cidr::parse("1.2.3.4", true).unwrap().prefix, 32);
        assert!(Cidr::parse("2001:db8::1/128", false)
            .unwrap()
            .contains_ip("2001:db8::1".parse().unwrap()));
    }
}
