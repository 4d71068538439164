//! The "after" side of a synthetic change for the diff benchmark: the cluster of
//! [`super::cluster_yaml`] with 10 policies changed the way a busy week of pull requests
//! changes them: 3 removed, 4 edited, 3 added (a namespace default-deny among them).

/// `before` (from `cluster_yaml(pods, namespaces)`) with ten policies changed. Needs at
/// least 40 pods and 10 namespaces so that every changed policy exists.
pub fn changed_cluster_yaml(before: &str, namespaces: usize) -> String {
    let edits: [(&str, Option<&str>); 7] = [
        // Removed: a pod-to-pod ingress, a namespace-wide ingress on a named port, an
        // internet egress with DNS.
        ("np5", None),
        ("np7", None),
        ("np8", None),
        // Edited: another port, another team, a narrower range, a rule dropped.
        ("np10", Some("podSelector: {matchLabels: {app: app10}}\n  ingress:\n    - from:\n        - podSelector: {matchLabels: {app: app11}}\n      ports: [{port: 8443}]")),
        ("np11", Some("podSelector: {matchLabels: {tier: t2}}\n  policyTypes: [Ingress, Egress]\n  egress:\n    - to:\n        - namespaceSelector: {matchLabels: {team: t3}}\n          podSelector: {matchExpressions: [{key: tier, operator: In, values: [t0, t1]}]}")),
        ("np14", Some("podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [app14]}]}\n  ingress:\n    - from:\n        - podSelector: {matchLabels: {tier: t2}}\n      ports: [{port: 8000, endPort: 8080}]")),
        ("np13", Some("podSelector: {matchLabels: {app: app13}}\n  egress:\n    - to:\n        - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}")),
    ];
    let mut out = String::new();
    for doc in before.split_terminator("---\n") {
        let name = doc
            .lines()
            .find_map(|l| l.trim().strip_prefix("name: "))
            .unwrap_or_default();
        let is_policy = doc.contains("kind: NetworkPolicy");
        match edits.iter().find(|(n, _)| is_policy && *n == name) {
            None => out += doc,
            Some((_, None)) => continue,
            Some((n, Some(spec))) => {
                let namespace = doc
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("namespace: "))
                    .unwrap_or_default();
                out += &policy(n, namespace, spec);
            }
        }
        out += "---\n";
    }
    let ns = |i: usize| format!("ns{}", i % namespaces);
    out += &policy(
        "added-default-deny",
        &ns(7),
        "podSelector: {}\n  policyTypes: [Ingress]",
    );
    out += "---\n";
    out += &policy(
        "added-from-team",
        &ns(8),
        "podSelector: {matchLabels: {tier: t1}}\n  ingress:\n    - from:\n        - namespaceSelector: {matchLabels: {team: t2}}\n      ports: [{port: 9090}]",
    );
    out += "---\n";
    out += &policy(
        "added-dns",
        &ns(9),
        "podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]",
    );
    out += "---\n";
    out
}

fn policy(name: &str, namespace: &str, spec: &str) -> String {
    format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  {spec}\n")
}
