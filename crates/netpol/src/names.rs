//! Kubernetes' rules for names, labels and port names, and the address ranges that have a
//! meaning of their own (private networks, "anywhere"): one home for rules that the loader,
//! the generator, the linter and the app's forms must apply alike. A form that accepted
//! what the loader rejects would draw a pod whose generated policy then failed to load.
//!
//! The predicates follow the API server (`k8s.io/apimachinery/pkg/util/validation`):
//! `IsDNS1123Label`, `IsDNS1123Subdomain`, `IsQualifiedName` (label keys),
//! `IsValidLabelValue` and `IsValidPortName`. The `check_*` functions add what to write
//! instead, in the diagnostics' style (lowercase, user input in backticks).

use crate::cidr::Cidr;

/// What a namespace name (an RFC 1123 label) may be.
pub const DNS_LABEL_RULE: &str =
    "at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit";

/// What the name of a pod, workload or policy (an RFC 1123 subdomain) may be.
pub const DNS_SUBDOMAIN_RULE: &str = "at most 253 lowercase letters, digits, `-` and `.`, each `.`-separated part starting and ending with a letter or digit";

/// What a label key may be.
pub const LABEL_KEY_RULE: &str = "a label key is `[prefix/]name`: the name at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit; the prefix a DNS subdomain such as `example.com`";

/// What a label value may be.
pub const LABEL_VALUE_RULE: &str = "a label value is empty or at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit";

/// What a port name (an IANA service name) may be.
pub const PORT_NAME_RULE: &str =
    "at most 15 lowercase letters, digits and single dashes, with at least one letter";

/// RFC 1123 label (`IsDNS1123Label`): namespace names.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && is_dns_part(s)
}

/// RFC 1123 subdomain (`IsDNS1123Subdomain`): dot-separated labels, 253 bytes in all (the
/// API sets no limit per part). Names of pods, workloads and policies; label key prefixes.
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_part)
}

fn is_dns_part(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !part.starts_with('-')
        && !part.ends_with('-')
}

/// IANA service name rules, which named container ports and policy ports follow.
pub fn is_port_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 15
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// The name part of a label key, and any non-empty label value: at most 63 characters of
/// letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
pub fn is_label_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Whether `key` is a label key (`IsQualifiedName`): `name` or `prefix/name`. The prefix
/// is everything before the last `/`, so `a/b/c` has the prefix `a/b`, which no DNS
/// subdomain is.
pub fn is_label_key(key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    prefix.is_none_or(is_dns_subdomain) && is_label_name(name)
}

/// Why a label key/value pair is invalid, if it is: the loader's message.
pub fn label_problem(key: &str, value: &str) -> Option<String> {
    if !is_label_key(key) {
        return Some(format!("`{key}` is not a valid label key"));
    }
    if !value.is_empty() && !is_label_name(value) {
        return Some(format!(
            "label value `{value}` (for `{key}`) must be at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"
        ));
    }
    None
}

/// Checks a label key, saying what a key looks like when it is not one.
pub fn check_label_key(key: &str) -> Result<(), String> {
    if is_label_key(key) {
        Ok(())
    } else {
        Err(format!(
            "`{key}` is not a valid label key: {LABEL_KEY_RULE}"
        ))
    }
}

/// Checks a label pair; the message is the loader's, plus what a key looks like.
pub fn check_label(key: &str, value: &str) -> Result<(), String> {
    check_label_key(key)?;
    match label_problem(key, value) {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// Checks an object's name as the API server does for `kind`: a namespace name is an RFC
/// 1123 label, every other name (pods, workloads, policies) an RFC 1123 subdomain.
pub fn check_object_name(kind: &str, name: &str) -> Result<(), String> {
    let (ok, rule) = if kind == "Namespace" {
        (is_dns_label(name), DNS_LABEL_RULE)
    } else {
        (is_dns_subdomain(name), DNS_SUBDOMAIN_RULE)
    };
    if ok {
        Ok(())
    } else {
        Err(format!("`{name}` is not a valid {kind} name: use {rule}"))
    }
}

/// Checks a port name (IANA service name rules, [`PORT_NAME_RULE`]); the error quotes
/// the name and says the rule.
pub fn check_port_name(name: &str) -> Result<(), String> {
    if is_port_name(name) {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid port name: use {PORT_NAME_RULE}"
        ))
    }
}

/// What Kubernetes makes of a block with bits set after its prefix (`10.1.2.3/8`): the API
/// server accepts it in an `ipBlock` and reads it as its network (`10.0.0.0/8`), which is
/// rarely what the writer meant. `None` for a block without such bits. The linter warns
/// with it; the command-line syntax refuses such a block with it, since a query should not
/// guess between the range and the single address.
pub fn host_bits_problem(block: &Cidr) -> Option<String> {
    block.has_host_bits().then(|| {
        format!(
            "`{block}` has bits set after the /{} prefix: Kubernetes reads it as `{}`",
            block.prefix,
            block.network()
        )
    })
}

/// The private address ranges, as one list: the three IPv4 blocks of RFC 1918 and the IPv6
/// unique local block of RFC 4193.
///
/// `fc00::/7` belongs here: it is IPv6's private range (never routed on the internet), and
/// where dual-stack clusters usually put their pod networks (kind's `fd00:10:244::/56`,
/// Cilium's `fd00::/104`, Calico's and AKS's generated `fd..` pools). Without it the diagram
/// called `fd00::1` "outside the cluster" and the linter never warned that an IPv6 block
/// may match pods.
pub const PRIVATE_RANGES: [&str; 4] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];

/// [`PRIVATE_RANGES`], parsed.
pub fn private_ranges() -> Vec<Cidr> {
    PRIVATE_RANGES
        .iter()
        .filter_map(|r| Cidr::parse(r, false).ok())
        .collect()
}

/// What an address or range outside the cluster is, for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressScope {
    /// `0.0.0.0/0` or `::/0`: every address of the family (the internet and everything else).
    Anywhere,
    /// Inside one of the [`PRIVATE_RANGES`].
    Private,
    /// Anything else: a public address or range.
    Public,
}

impl AddressScope {
    /// The scope of `block`.
    pub fn of(block: &Cidr) -> AddressScope {
        if block.prefix == 0 {
            AddressScope::Anywhere
        } else if private_ranges().iter().any(|r| r.contains(block)) {
            AddressScope::Private
        } else {
            AddressScope::Public
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels_are_namespace_names() {
        for ok in ["a", "team-one", "0", "a1-b2", &"a".repeat(63)] {
            assert!(is_dns_label(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "a.b", "a_b", "ä", &"a".repeat(64)] {
            assert!(!is_dns_label(bad), "{bad}");
        }
    }

    #[test]
    fn dns_subdomains_are_object_names() {
        let long_part = "a".repeat(100);
        for ok in [
            "a",
            "a.b",
            "pod-1.web",
            long_part.as_str(),
            &"a.".repeat(126)[..251],
        ] {
            assert!(is_dns_subdomain(ok), "{ok}");
        }
        let too_long = format!("{}a", "a.".repeat(126));
        assert_eq!(too_long.len(), 253);
        assert!(is_dns_subdomain(&too_long));
        for bad in [
            "",
            ".a",
            "a.",
            "a..b",
            "-a.b",
            "a.-b",
            "a-.b",
            "A.b",
            "a_b",
            &format!("{too_long}b"),
        ] {
            assert!(!is_dns_subdomain(bad), "{bad}");
        }
    }

    #[test]
    fn port_names_follow_iana() {
        for ok in ["http", "h2", "web-port", "a", &"a".repeat(15)] {
            assert!(is_port_name(ok), "{ok}");
        }
        for bad in [
            "",
            "80",
            "-http",
            "http-",
            "we--b",
            "Http",
            "web_port",
            &"a".repeat(16),
        ] {
            assert!(!is_port_name(bad), "{bad}");
        }
    }

    #[test]
    fn label_names_and_values() {
        for ok in ["a", "A", "app_1", "x.y-z", &"a".repeat(63)] {
            assert!(is_label_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a.", "_a", "a b", "a/b", &"a".repeat(64)] {
            assert!(!is_label_name(bad), "{bad}");
        }
    }

    #[test]
    fn label_keys_have_a_dns_prefix() {
        for ok in ["app", "k8s.io/x", "app.kubernetes.io/name", "A_b"] {
            assert!(is_label_key(ok), "{ok}");
        }
        // The prefix may be 253 characters, in one part or many.
        assert!(is_label_key(&format!("{}/x", "a".repeat(253))));
        assert!(is_label_key(&format!(
            "{}/x",
            "a.".repeat(127).trim_end_matches('.')
        )));
        let long_prefix = format!("{}/x", "a".repeat(254));
        // The web form once accepted `-a.b/x`: the prefix's first part starts with `-`.
        for bad in [
            "-a.b/x",
            "/x",
            "a/",
            "a/b/c",
            "A.io/x",
            "a..b/x",
            "x/-y",
            &long_prefix,
        ] {
            assert!(!is_label_key(bad), "{bad}");
        }
    }

    #[test]
    fn label_problems_keep_the_loaders_words() {
        assert_eq!(label_problem("app", "web"), None);
        assert_eq!(label_problem("app", ""), None);
        assert_eq!(
            label_problem("-a.b/x", "1").as_deref(),
            Some("`-a.b/x` is not a valid label key")
        );
        assert_eq!(
            label_problem("app", "-x").as_deref(),
            Some("label value `-x` (for `app`) must be at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit")
        );
        assert!(label_problem("app", &"v".repeat(64)).is_some());
        assert!(label_problem("app", &"v".repeat(63)).is_none());
        let e = check_label("-a.b/x", "1").unwrap_err();
        assert!(
            e.starts_with("`-a.b/x` is not a valid label key: a label key is `[prefix/]name`"),
            "{e}"
        );
        assert!(check_label("app", "-x")
            .unwrap_err()
            .contains("label value `-x`"));
    }

    #[test]
    fn object_names_depend_on_the_kind() {
        assert!(check_object_name("Pod", "web.v2").is_ok());
        let e = check_object_name("Namespace", "web.v2").unwrap_err();
        assert_eq!(
            e,
            format!("`web.v2` is not a valid Namespace name: use {DNS_LABEL_RULE}")
        );
        assert!(check_object_name("Pod", &"a".repeat(253)).is_ok());
        assert!(check_object_name("Pod", &"a".repeat(254)).is_err());
        assert!(check_object_name("Namespace", &"a".repeat(64)).is_err());
        assert!(check_port_name("Web").unwrap_err().contains(PORT_NAME_RULE));
    }

    #[test]
    fn address_scopes() {
        let scope = |s: &str| AddressScope::of(&Cidr::parse(s, true).unwrap());
        assert_eq!(scope("0.0.0.0/0"), AddressScope::Anywhere);
        assert_eq!(scope("::/0"), AddressScope::Anywhere);
        assert_eq!(scope("10.1.2.3"), AddressScope::Private);
        assert_eq!(scope("172.31.0.0/16"), AddressScope::Private);
        assert_eq!(scope("192.168.1.0/24"), AddressScope::Private);
        assert_eq!(scope("fd00::1"), AddressScope::Private);
        assert_eq!(scope("172.32.0.1"), AddressScope::Public);
        assert_eq!(scope("8.8.8.8"), AddressScope::Public);
        assert_eq!(scope("2001:db8::1"), AddressScope::Public);
        // A range larger than a private one is not private.
        assert_eq!(scope("10.0.0.0/7"), AddressScope::Public);
        assert_eq!(private_ranges().len(), PRIVATE_RANGES.len());
    }
}
