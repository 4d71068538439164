//! Input parsing for the diagram's forms (names, label lists, port lists), with messages
//! that say what to type. Pure, so the reducer and the dialogs share it and it is tested
//! natively.

use std::collections::BTreeMap;

use netpol::generate::parse_intent;
use netpol::model::PolicyPort;

/// Checks a Kubernetes object name (RFC 1123 label: what namespaces and most pods use).
pub fn check_name(what: &str, name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("enter a {what} name"));
    }
    if name.len() > 63 {
        return Err(format!("a {what} name has at most 63 characters"));
    }
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ok_ends = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if !ok_chars || !ok_ends {
        return Err(format!(
            "a {what} name uses lowercase letters, digits and `-`, and starts and ends with a letter or digit"
        ));
    }
    Ok(())
}

/// Parses `key=value, key2=value2` (commas, spaces or newlines between pairs).
pub fn parse_labels(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for item in text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let Some((k, v)) = item.split_once('=').or_else(|| item.split_once(':')) else {
            return Err(format!("`{item}`: write labels as `key=value`"));
        };
        let (k, v) = (k.trim(), v.trim());
        check_label_key(k)?;
        check_label_value(k, v)?;
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

fn check_label_key(k: &str) -> Result<(), String> {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    if let Some(p) = prefix {
        if p.is_empty()
            || p.len() > 253
            || !p
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        {
            return Err(format!(
                "label key `{k}`: the prefix before `/` must be a DNS name"
            ));
        }
    }
    if name.is_empty() || name.len() > 63 || !valid_label_chars(name) {
        return Err(format!(
            "label key `{k}`: at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

fn check_label_value(k: &str, v: &str) -> Result<(), String> {
    if v.len() > 63 || (!v.is_empty() && !valid_label_chars(v)) {
        return Err(format!(
            "label `{k}`: the value has at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

fn valid_label_chars(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// `key=value, key2=value2`, the inverse of [`parse_labels`].
#[cfg(test)]
pub fn labels_text(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses a port list as the intent syntax writes it (`8080/TCP, 53/UDP`, `http`, `UDP`);
/// empty means every port. Spaces after commas are allowed.
pub fn parse_ports(text: &str) -> Result<Vec<PolicyPort>, String> {
    let spec: String = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(",");
    if spec.is_empty() {
        return Ok(Vec::new());
    }
    // The engine owns the syntax: parse a throwaway intent and keep its ports.
    parse_intent(&format!("a/a -> a/b:{spec}"))
        .map(|i| i.ports)
        .map_err(|e| match e.split_once(": ") {
            Some((_, why)) => why.to_string(),
            None => e,
        })
}

/// Normalises an external endpoint the user typed (`8.8.8.8`, `ip:10.0.0.0/8`,
/// `0.0.0.0/0`) into its id, or says what is wrong.
pub fn parse_external(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("enter an address or a CIDR range, like 8.8.8.8 or 10.0.0.0/8".into());
    }
    let addr = t.strip_prefix("ip:").unwrap_or(t);
    // Reuse the intent parser's validation and normalisation of external ends.
    parse_intent(&format!("ip:{addr} -> a/b"))
        .map(|i| i.from)
        .map_err(|e| match e.split_once(": ") {
            Some((_, why)) => why.to_string(),
            None => e,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("pod", "pod-1").is_ok());
        assert!(check_name("pod", "").is_err());
        assert!(check_name("pod", "Pod").is_err());
        assert!(check_name("pod", "-a").is_err());
        assert!(check_name("pod", &"a".repeat(64)).is_err());
    }

    #[test]
    fn labels() {
        let l = parse_labels("app=web, tier=front\nk8s.io/x=1").unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(labels_text(&l), "app=web, k8s.io/x=1, tier=front");
        assert!(parse_labels("app").is_err());
        assert!(parse_labels("a b=c").is_err());
        assert!(parse_labels("=x").is_err());
        assert!(parse_labels("app=-x").is_err());
        assert_eq!(parse_labels("").unwrap().len(), 0);
        assert_eq!(parse_labels("app: web").unwrap()["app"], "web");
    }
}
