//! Endpoint references: a pod or workload as `namespace/name`, an address or range outside
//! the cluster as `ip:8.8.8.8` or `ip:10.0.0.0/8`. Written without a cluster: whether the
//! pod exists is [`crate::Endpoint::parse`]'s question.

use super::address::cidr;
use crate::cidr::Cidr;
use crate::endpoint::external_id;
use crate::names::check_object_name;

/// One end as written, checked but not resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointRef {
    /// `namespace/name`: a pod or workload.
    Pod {
        /// An RFC 1123 label, as the API server requires of namespace names.
        namespace: String,
        /// An RFC 1123 subdomain, as pod and workload names are.
        name: String,
    },
    /// `ip:ADDR[/PREFIX]`: outside the cluster.
    External(Cidr),
}

impl EndpointRef {
    /// The id as the engine prints it (`team-one/pod-1`, `ip:8.8.8.8`, `ip:10.0.0.0/8`).
    pub fn id(&self) -> String {
        match self {
            EndpointRef::Pod { namespace, name } => format!("{namespace}/{name}"),
            EndpointRef::External(c) => external_id(c),
        }
    }
}

/// How to write an end, for error messages.
const HOW: &str = "write pods and workloads as `namespace/name` and addresses as `ip:8.8.8.8`";

/// `namespace/name` or `ip:ADDR[/PREFIX]` (see [`cidr`]). An address without `ip:` is
/// refused with the spelling to use: ends are printed with `ip:`, and so are they read.
pub fn endpoint(text: &str) -> Result<EndpointRef, String> {
    let text = text.trim();
    if let Some(addr) = text.strip_prefix("ip:") {
        return cidr(addr).map(EndpointRef::External);
    }
    if looks_like_address(text) {
        return Err(format!("`{text}` looks like an address: write `ip:{text}`"));
    }
    let Some((namespace, name)) = text.split_once('/') else {
        return Err(format!("`{text}` is not an endpoint: {HOW}"));
    };
    check_object_name("Namespace", namespace)
        .and_then(|()| check_object_name("Pod", name))
        .map_err(|e| format!("`{text}` is not an endpoint: {e}"))?;
    Ok(EndpointRef::Pod {
        namespace: namespace.to_string(),
        name: name.to_string(),
    })
}

/// An end of a flow log: an [`endpoint`], or an address or range without `ip:`, which is
/// how flow exporters and spreadsheets write them.
pub fn flow_end(text: &str) -> Result<EndpointRef, String> {
    let text = text.trim();
    if !text.starts_with("ip:") && looks_like_address(text) {
        return cidr(text).map(EndpointRef::External);
    }
    endpoint(text)
}

/// An address or range, host bits or not, so that the error is about the address.
fn looks_like_address(text: &str) -> bool {
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    Cidr::parse(bare, true).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> String {
        endpoint(text).map_or_else(|e| format!("error: {e}"), |e| e.id())
    }

    #[test]
    fn accepts_pods_and_addresses() {
        for (text, want) in [
            ("team-one/pod-1", "team-one/pod-1"),
            (" x/web.v2 ", "x/web.v2"),
            ("ip:8.8.8.8", "ip:8.8.8.8"),
            ("ip:8.8.8.8/32", "ip:8.8.8.8"),
            ("ip:10.0.0.0/8", "ip:10.0.0.0/8"),
            ("ip:fd00::/8", "ip:fd00::/8"),
            ("ip:[2001:db8::1]", "ip:2001:db8::1"),
        ] {
            assert_eq!(id(text), want, "{text}");
        }
    }

    #[test]
    fn refuses_with_the_spelling_to_use() {
        for (text, message) in [
            ("8.8.8.8", "`8.8.8.8` looks like an address: write `ip:8.8.8.8`"),
            ("10.0.0.0/8", "`10.0.0.0/8` looks like an address: write `ip:10.0.0.0/8`"),
            (
                "pod-1",
                "`pod-1` is not an endpoint: write pods and workloads as `namespace/name` and addresses as `ip:8.8.8.8`",
            ),
            (
                "x/A",
                "`x/A` is not an endpoint: `A` is not a valid Pod name: use at most 253 lowercase letters, digits, `-` and `.`, each `.`-separated part starting and ending with a letter or digit",
            ),
            (
                "a/b/c",
                "`a/b/c` is not an endpoint: `b/c` is not a valid Pod name: use at most 253 lowercase letters, digits, `-` and `.`, each `.`-separated part starting and ending with a letter or digit",
            ),
            (
                "/b",
                "`/b` is not an endpoint: `` is not a valid Namespace name: use at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit",
            ),
            (
                "ip:10.1.2.3/8",
                "`10.1.2.3/8` has bits set after the /8 prefix: Kubernetes reads it as `10.0.0.0/8`; write `ip:10.0.0.0/8` for the range, or `ip:10.1.2.3` for the single address",
            ),
        ] {
            assert_eq!(endpoint(text).err().as_deref(), Some(message), "{text}");
        }
    }

    #[test]
    fn flow_ends_may_leave_ip_out() {
        for (text, want) in [
            ("203.0.113.7", "ip:203.0.113.7"),
            ("[fd00::1]", "ip:fd00::1"),
            ("10.0.0.0/8", "ip:10.0.0.0/8"),
            ("ip:203.0.113.7", "ip:203.0.113.7"),
            ("x/a", "x/a"),
        ] {
            assert_eq!(
                flow_end(text).map(|e| e.id()).as_deref(),
                Ok(want),
                "{text}"
            );
        }
        assert!(flow_end("10.1.2.3/8").is_err_and(|e| e.contains("`ip:10.0.0.0/8`")));
        assert!(flow_end("pod-1").is_err());
    }
}
