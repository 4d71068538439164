//! How endpoints are named for people: short names, the title and subtitle of an address
//! outside the cluster, the label that identifies a pod. Pure wording over the engine's
//! facts (whether an address is private is `netpol::names`'), tested natively.

use netpol::model::Labels;
use netpol::names::AddressScope;
use netpol::Cidr;

/// `namespace/name` → `name`, `ip:10.0.0.0/8` → `10.0.0.0/8`: what the diagram shows.
pub fn short_id(id: &str) -> String {
    match id.strip_prefix("ip:") {
        Some(addr) => addr.to_string(),
        None => id.rsplit_once('/').map_or(id, |(_, n)| n).to_string(),
    }
}

/// A node's or a table header's name: [`short_id`], with "Internet" for anywhere.
pub fn endpoint_title(id: &str) -> String {
    if id.starts_with("ip:") {
        external_text(id).0
    } else {
        short_id(id)
    }
}

/// Title and subtitle of an external endpoint.
pub fn external_text(id: &str) -> (String, String) {
    let addr = short_id(id);
    let scope = Cidr::parse(&addr, true).map(|c| AddressScope::of(&c));
    match scope {
        Ok(AddressScope::Anywhere) => ("Internet".into(), format!("{addr} (anywhere)")),
        Ok(AddressScope::Private) => (addr, "private network".into()),
        Ok(AddressScope::Public) | Err(_) => (addr, "outside the cluster".into()),
    }
}

/// The label that identifies a pod on its node: the generator's identity label when set,
/// else the usual ones, else the first label.
pub fn identity(labels: &Labels, preferred: Option<&str>) -> String {
    let keys = preferred.into_iter().chain([
        "app",
        "app.kubernetes.io/name",
        "k8s-app",
        "app-name",
        "name",
        "role",
    ]);
    for k in keys {
        if let Some(v) = labels.get(k) {
            return format!("{k}={v}");
        }
    }
    labels
        .iter()
        .next()
        .map(|(k, v)| format!("{k}={v}"))
        .unwrap_or_else(|| "no labels".to_string())
}

/// At most `max` characters, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The first letter in upper case (engine messages start lowercase; a banner does not).
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_prefers_the_configured_label() {
        let mut l = Labels::new();
        l.insert("app".into(), "web".into());
        l.insert("tier".into(), "front".into());
        assert_eq!(identity(&l, None), "app=web");
        assert_eq!(identity(&l, Some("tier")), "tier=front");
        assert_eq!(identity(&Labels::new(), None), "no labels");
    }

    #[test]
    fn externals_are_named() {
        assert_eq!(external_text("ip:0.0.0.0/0").0, "Internet");
        assert_eq!(external_text("ip:::/0").0, "Internet");
        assert_eq!(external_text("ip:10.1.2.3").1, "private network");
        assert_eq!(external_text("ip:fd00::1").1, "private network");
        assert_eq!(external_text("ip:8.8.8.8").1, "outside the cluster");
    }

    #[test]
    fn short_names() {
        assert_eq!(short_id("team-one/pod-1"), "pod-1");
        // An address range keeps its prefix (a `/` split once showed `8`).
        assert_eq!(short_id("ip:10.0.0.0/8"), "10.0.0.0/8");
        assert_eq!(endpoint_title("ip:0.0.0.0/0"), "Internet");
        assert_eq!(endpoint_title("x/y"), "y");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(capitalize("éa"), "Éa");
    }
}
