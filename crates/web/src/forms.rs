//! What the diagram's forms read: names, label lists, port lists and addresses. Every rule
//! is the engine's (`netpol::names`, and the intent syntax's parsers), so a form accepts
//! exactly what the loader accepts; only the list syntax of the labels field and the
//! "enter a name" prompts are the form's own. Pure, and tested natively.

use netpol::model::{Labels, PolicyPort};
use netpol::names::{check_label, check_object_name};

/// Checks a namespace name as the API server would.
pub fn check_namespace_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("enter a namespace name".into());
    }
    check_object_name("Namespace", name)
}

/// Checks a pod name as the API server would.
pub fn check_pod_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("enter a pod name".into());
    }
    check_object_name("Pod", name)
}

/// Parses `key=value, key2=value2` (commas or newlines between pairs; `key: value` works
/// too), each pair checked as the API server checks labels.
pub fn parse_labels(text: &str) -> Result<Labels, String> {
    let mut out = Labels::new();
    for item in text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let Some((k, v)) = item.split_once('=').or_else(|| item.split_once(':')) else {
            return Err(format!("`{item}`: write labels as `key=value`"));
        };
        let (k, v) = (k.trim(), v.trim());
        check_label(k, v)?;
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

/// A drawn pod's labels: the ones typed, or `app=<name>` when none are (a pod needs a
/// label for a policy to select it), checked like typed ones.
pub fn pod_labels(name: &str, text: &str) -> Result<Labels, String> {
    if !text.trim().is_empty() {
        return parse_labels(text);
    }
    check_label("app", name)
        .map_err(|e| format!("{e}; type labels for this pod"))
        .map(|()| Labels::from([("app".to_string(), name.to_string())]))
}

/// Parses a port list as the intent syntax writes it (`8080/TCP, 53/UDP`, `http`, `UDP`);
/// empty means every port.
pub fn parse_ports(text: &str) -> Result<Vec<PolicyPort>, String> {
    netpol::syntax::policy_ports(text)
}

/// `8080/TCP, 53/UDP`: the intent syntax's port list, spaced for reading
/// ([`parse_ports`] reads it back).
pub fn ports_text(ports: &[PolicyPort]) -> String {
    netpol::syntax::policy_ports_text(ports).replace(',', ", ")
}

/// An external endpoint as typed (`8.8.8.8`, `ip:10.0.0.0/8`, `0.0.0.0/0`), as its id.
pub fn parse_external(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("enter an address or a CIDR range, like 8.8.8.8 or 10.0.0.0/8".into());
    }
    netpol::syntax::address(text).map(|c| netpol::endpoint::external_id(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the loader accepts a pod with this namespace, name and labels.
    fn loader_accepts(namespace: &str, name: &str, labels: &Labels) -> bool {
        let labels: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{}: {}", json(k), json(v)))
            .collect();
        let yaml = format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {}\n  namespace: {}\n  labels: {{{}}}\n",
            json(name),
            json(namespace),
            labels.join(", ")
        );
        let loaded = netpol::load(&[netpol::Source {
            name: "t.yaml",
            text: &yaml,
        }]);
        !netpol::diag::has_errors(&loaded.diagnostics) && loaded.cluster.pods.len() == 1
    }

    fn json(s: &str) -> String {
        serde_json::to_string(s).unwrap()
    }

    fn form_accepts(namespace: &str, name: &str, labels: &str) -> bool {
        check_namespace_name(namespace).is_ok()
            && check_pod_name(name).is_ok()
            && pod_labels(name, labels).is_ok()
    }

    #[test]
    fn the_forms_accept_exactly_what_the_loader_accepts() {
        let long = "a".repeat(64);
        let cases: &[(&str, &str, &str)] = &[
            ("shop", "web", "app=web"),
            ("shop", "web", ""),
            ("shop", "web.v2", "app=web"),
            ("shop", "web", "-a.b/x=1"),
            ("shop", "web", "a/b/c=1"),
            ("shop", "web", "k8s.io/x=1, tier=front"),
            ("shop", "web", "app=-x"),
            ("shop", "web", "app="),
            ("shop", "Web", "app=web"),
            ("shop", "web-", "app=web"),
            ("Shop", "web", "app=web"),
            ("team.one", "web", "app=web"),
            ("shop", &long, "app=web"),
            (&long, "web", "app=web"),
            ("shop", "web", &format!("app={long}")),
        ];
        for (ns, name, labels) in cases {
            let by_form = form_accepts(ns, name, labels);
            let typed = if labels.is_empty() {
                Labels::from([("app".to_string(), name.to_string())])
            } else {
                // What the form would have sent, read leniently to ask the loader.
                labels
                    .split(',')
                    .filter_map(|p| p.split_once('='))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect()
            };
            assert_eq!(
                by_form,
                loader_accepts(ns, name, &typed),
                "{ns}/{name} with `{labels}`"
            );
        }
    }

    #[test]
    fn a_name_too_long_for_a_label_gets_typed_labels() {
        let name = "a".repeat(64);
        assert!(check_pod_name(&name).is_ok());
        let e = pod_labels(&name, "").unwrap_err();
        assert!(e.contains("type labels for this pod"), "{e}");
        assert!(pod_labels(&name, "app=web").is_ok());
    }

    #[test]
    fn messages_say_what_to_write() {
        assert_eq!(check_pod_name("").unwrap_err(), "enter a pod name");
        assert!(check_pod_name("Bad_Name")
            .unwrap_err()
            .contains("lowercase letters, digits, `-` and `.`"));
        assert!(parse_labels("-a.b/x=1")
            .unwrap_err()
            .contains("a label key is `[prefix/]name`"));
        assert!(parse_labels("app").unwrap_err().contains("`key=value`"));
        assert_eq!(parse_labels("app: web").unwrap()["app"], "web");
        assert_eq!(parse_labels(" ").unwrap().len(), 0);
    }

    #[test]
    fn ports_and_addresses_are_the_engines() {
        let ports = parse_ports("8080/TCP, 53/UDP").unwrap();
        assert_eq!(ports_text(&ports), "8080/TCP, 53/UDP");
        assert_eq!(parse_ports(&ports_text(&ports)).unwrap(), ports);
        assert!(parse_ports("").unwrap().is_empty());
        assert!(parse_ports("99999/TCP").unwrap_err().contains("1 to 65535"));
        assert_eq!(parse_external("ip:8.8.8.8").unwrap(), "ip:8.8.8.8");
        assert!(parse_external(" ")
            .unwrap_err()
            .starts_with("enter an address"));
        assert!(parse_external("10.0.0.1/8")
            .unwrap_err()
            .contains("ip:10.0.0.0/8"));
    }
}
