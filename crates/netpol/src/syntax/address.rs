//! Addresses and ranges outside the cluster: `8.8.8.8`, `10.0.0.0/8`, `fd00::/8`, IPv6 in
//! brackets (`[fd00::1]`) where colons would be ambiguous.

use crate::cidr::Cidr;
use crate::endpoint::external_id;

/// What an address or range looks like, for error messages.
const EXAMPLE: &str = "like `8.8.8.8`, `10.0.0.0/8` or `fd00::/8`";

/// An address (a one-address block) or a range. A range with bits set after its prefix
/// (`10.1.2.3/8`) is refused: Kubernetes would read it as `10.0.0.0/8`, the writer may
/// have meant `10.1.2.3`, and a query answered for the wrong one misleads.
pub fn cidr(text: &str) -> Result<Cidr, String> {
    let text = text.trim();
    let inner = unbracket(text)?;
    let block = Cidr::parse(inner, true).map_err(|e| format!("{e}: write an address {EXAMPLE}"))?;
    match crate::names::host_bits_problem(&block) {
        Some(problem) => Err(format!(
            "{problem}; write `{}` for the range, or `{}` for the single address",
            external_id(&block.network()),
            external_id(&Cidr::host(block.addr))
        )),
        None => Ok(block),
    }
}

/// An address or range outside the cluster where nothing else can be meant (`--external`,
/// the app's "add an address"): [`cidr`], with or without the `ip:` of its endpoint id.
pub fn address(text: &str) -> Result<Cidr, String> {
    let text = text.trim();
    cidr(text.strip_prefix("ip:").unwrap_or(text))
}

/// `[fd00::1]` → `fd00::1`; the prefix, if any, goes inside the brackets.
fn unbracket(text: &str) -> Result<&str, String> {
    let Some(inner) = text.strip_prefix('[') else {
        return Ok(text);
    };
    inner
        .strip_suffix(']')
        .ok_or_else(|| format!("`{text}`: missing `]` (write `[fd00::1]` or `[fd00::/8]`)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        cidr(text).map_or_else(|e| format!("error: {e}"), |c| external_id(&c))
    }

    #[test]
    fn accepts_addresses_and_ranges_of_both_families() {
        for (text, id) in [
            ("8.8.8.8", "ip:8.8.8.8"),
            (" 10.0.0.0/8 ", "ip:10.0.0.0/8"),
            ("10.0.0.0/32", "ip:10.0.0.0"),
            ("0.0.0.0/0", "ip:0.0.0.0/0"),
            ("fd00::/8", "ip:fd00::/8"),
            ("2001:db8::1", "ip:2001:db8::1"),
            ("[2001:db8::1]", "ip:2001:db8::1"),
            ("[fd00::/8]", "ip:fd00::/8"),
        ] {
            assert_eq!(ok(text), id, "{text}");
        }
        assert_eq!(address("ip:8.8.8.8").ok(), cidr("8.8.8.8").ok());
        assert_eq!(address(" ip:10.0.0.0/8").ok(), cidr("10.0.0.0/8").ok());
    }

    #[test]
    fn refuses_with_what_to_write() {
        for (text, message) in [
            (
                "10.1.2.3/8",
                "`10.1.2.3/8` has bits set after the /8 prefix: Kubernetes reads it as `10.0.0.0/8`; write `ip:10.0.0.0/8` for the range, or `ip:10.1.2.3` for the single address",
            ),
            (
                "nope",
                "`nope` is not an IPv4 or IPv6 address: write an address like `8.8.8.8`, `10.0.0.0/8` or `fd00::/8`",
            ),
            (
                "10.0.0.0/33",
                "`/33` is not a prefix length for IPv4 (0 to 32): write an address like `8.8.8.8`, `10.0.0.0/8` or `fd00::/8`",
            ),
            ("[fd00::1", "`[fd00::1`: missing `]` (write `[fd00::1]` or `[fd00::/8]`)"),
            ("", "`` is not an IPv4 or IPv6 address: write an address like `8.8.8.8`, `10.0.0.0/8` or `fd00::/8`"),
        ] {
            assert_eq!(cidr(text).err().as_deref(), Some(message), "{text}");
        }
        // `ip:` belongs to endpoint ids; `cidr` alone is the address.
        assert!(cidr("ip:8.8.8.8").is_err());
        assert!(address("ip:ip:8.8.8.8").is_err());
    }
}
