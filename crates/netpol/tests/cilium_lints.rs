//! The Cilium lints (NP222–NP228, docs/cilium.md §12): for each, a case that fires (code,
//! line and message) and a near miss that does not. The three Cilium examples of the app
//! lint without any of these codes. NP207 is here too where Cilium rules give the DNS.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a panic is a failed test"
)]

mod common;

use netpol::diag::Severity;
use netpol::lint::{lint, LintOptions};
use netpol::Diagnostic;

const CODES: [&str; 7] = [
    "NP222", "NP223", "NP224", "NP225", "NP226", "NP227", "NP228",
];

fn lint_one(yaml: &str) -> Vec<Diagnostic> {
    let loaded = common::load::load_files(&[("policy.yaml", yaml)]);
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "loader errors: {errors:#?}");
    lint(&loaded, &LintOptions::default())
}

fn only<'a>(diags: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "expected one {code}, got: {diags:#?}");
    found[0]
}

fn none_of(diags: &[Diagnostic], code: &str) {
    assert!(
        diags.iter().all(|d| d.code != code),
        "unexpected {code}: {diags:#?}"
    );
}

fn assert_at(d: &Diagnostic, line: usize, message: &str) {
    assert_eq!((d.line, d.message.as_str()), (line, message), "{d}");
}

#[test]
fn the_cilium_examples_get_none_of_these_lints() {
    for name in ["cilium-egress-deny", "cilium-entities", "cilium-starwars"] {
        let path = format!(
            "{}/../../www/examples/{name}.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let loaded = common::load::load_files(&[(name, text.as_str())]);
        let diags = lint(&loaded, &LintOptions::default());
        for code in CODES {
            none_of(&diags, code);
        }
    }
}

// --- NP222: a namespaced endpointSelector naming another namespace --------------------

const OTHER_NAMESPACE: &str = "\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: default}
spec:
  endpointSelector:
    matchLabels: {app: api, k8s:io.kubernetes.pod.namespace: prod}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
";

#[test]
fn np222_endpoint_selector_naming_another_namespace() {
    let diags = lint_one(OTHER_NAMESPACE);
    assert_at(
        only(&diags, "NP222"),
        5,
        "this CiliumNetworkPolicy lives in namespace `default` and its endpointSelector names namespace `prod`: a namespaced policy only ever selects pods of its own namespace (the agent drops or contradicts the namespace term), so this rule does not select the pods of `prod`",
    );
}

#[test]
fn np222_not_for_its_own_namespace_nor_for_a_peer_in_another() {
    // A peer selector naming another namespace does reach it (docs/cilium.md §3).
    let yaml = OTHER_NAMESPACE
        .replace(
            "k8s:io.kubernetes.pod.namespace: prod",
            "k8s:io.kubernetes.pod.namespace: default",
        )
        .replace(
            "{app: web}",
            "{app: web, k8s:io.kubernetes.pod.namespace: prod}",
        );
    none_of(&lint_one(&yaml), "NP222");
}

// --- NP223: `[{}]` where the internet was meant -----------------------------------------

const EMPTY_TO_WEB: &str = "\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
  - toEndpoints: [{}]
    toPorts: [{ports: [{port: \"443\", protocol: TCP}]}]
";

#[test]
fn np223_empty_to_endpoints_with_web_ports() {
    let diags = lint_one(EMPTY_TO_WEB);
    let d = only(&diags, "NP223");
    assert_at(
        d,
        7,
        "`toEndpoints: [{}]` means every pod of namespace `shop`, never the internet (`world`): traffic to addresses outside the cluster stays denied",
    );
    assert!(
        d.help
            .as_deref()
            .unwrap_or("")
            .contains("toEntities: [world]"),
        "{d:?}"
    );
}

#[test]
fn np223_empty_from_endpoints_in_a_policy_named_external() {
    let yaml = "\
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: allow-external}
spec:
  endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: shop}}
  ingress:
  - fromEndpoints: [{}]
";
    assert_at(
        only(&lint_one(yaml), "NP223"),
        7,
        "`fromEndpoints: [{}]` means every pod of the cluster, never the internet (`world`): traffic from addresses outside the cluster stays denied",
    );
}

#[test]
fn np223_not_for_a_same_namespace_allow_nor_next_to_world() {
    // Another port: an ordinary same-namespace allow.
    none_of(
        &lint_one(&EMPTY_TO_WEB.replace("\"443\"", "\"8080\"")),
        "NP223",
    );
    // The world is allowed by another entry: `{}` is meant as the namespace.
    let yaml = format!("{EMPTY_TO_WEB}  - toEntities: [world]\n");
    none_of(&lint_one(&yaml), "NP223");
}

// --- NP224: egress default deny without DNS ---------------------------------------------

const PODS: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default, labels: {app: client}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: c}]}
---
";

const NO_DNS: &str = "\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client-out, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
  - toEndpoints: [{matchLabels: {app: echo}}]
    toPorts: [{ports: [{port: \"8080\", protocol: TCP}]}]
";

const DNS_ENTRY: &str = "  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]
    toPorts: [{ports: [{port: \"53\", protocol: ANY}]}]
";

#[test]
fn np224_egress_default_deny_without_dns() {
    let diags = lint_one(&format!("{PODS}{NO_DNS}"));
    assert_at(
        only(&diags, "NP224"),
        17,
        "`default/client` is in egress default deny (an egress rule without `enableDefaultDeny.egress: false`) and no Cilium rule allows them DNS (port 53) to kube-dns: they cannot resolve names",
    );
    // Without pods in the input: per rule.
    assert_at(
        only(&lint_one(NO_DNS), "NP224"),
        7,
        "the pods this rule selects are in egress default deny (an egress rule without `enableDefaultDeny.egress: false`) and no Cilium rule allows them DNS (port 53) to kube-dns: they cannot resolve names",
    );
}

#[test]
fn np224_not_with_dns_to_kube_dns_nor_without_default_deny() {
    none_of(&lint_one(&format!("{PODS}{NO_DNS}{DNS_ENTRY}")), "NP224");
    none_of(&lint_one(&format!("{NO_DNS}{DNS_ENTRY}")), "NP224");
    let opt_out = format!("{PODS}{NO_DNS}  enableDefaultDeny: {{egress: false}}\n");
    none_of(&lint_one(&opt_out), "NP224");
}

// --- NP225: toFQDNs without the DNS proxy rule ------------------------------------------

const FQDN: &str = "\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: to-github, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
  - toFQDNs: [{matchName: api.github.com}]
    toPorts: [{ports: [{port: \"443\", protocol: TCP}]}]
  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]
    toPorts:
    - ports: [{port: \"53\", protocol: ANY}]
";

#[test]
fn np225_fqdn_without_dns_proxy_rule() {
    let diags = lint_one(FQDN);
    none_of(&diags, "NP224");
    assert_at(
        only(&diags, "NP225"),
        7,
        "this `toFQDNs` entry allows names that Cilium learns only by watching the pods' DNS answers through its DNS proxy, and no rule for these pods sends their DNS through the proxy: the names never resolve to allowed IPs and the traffic stays denied",
    );
}

#[test]
fn np225_not_when_a_rule_for_the_same_pods_has_the_dns_rule() {
    let with_rule = format!("{FQDN}      rules: {{dns: [{{matchPattern: \"*\"}}]}}\n");
    none_of(&lint_one(&with_rule), "NP225");
    // The DNS rule in another policy selecting the whole namespace counts too.
    let other = "\
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: dns-proxy, namespace: default}
spec:
  endpointSelector: {}
  egress:
  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]
    toPorts:
    - ports: [{port: \"53\", protocol: ANY}]
      rules: {dns: [{matchName: api.github.com}]}
";
    none_of(&lint_one(&format!("{FQDN}{other}")), "NP225");
}

// --- NP226: a clusterwide endpointSelector without a namespace --------------------------

const CLUSTERWIDE: &str = "\
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: web-from-world}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
  - fromEntities: [world]
";

#[test]
fn np226_clusterwide_selector_without_namespace() {
    let message = "the endpointSelector of CiliumClusterwideNetworkPolicy `web-from-world` names no namespace: it selects matching pods of every namespace, kube-system included";
    assert_at(only(&lint_one(CLUSTERWIDE), "NP226"), 5, message);
    // Empty on purpose or not: every namespace, same words.
    let empty = CLUSTERWIDE.replace("{matchLabels: {app: web}}", "{}");
    assert_at(only(&lint_one(&empty), "NP226"), 5, message);
}

#[test]
fn np226_not_with_a_namespace_or_namespace_label_term() {
    let named = CLUSTERWIDE.replace(
        "{app: web}",
        "{app: web, k8s:io.kubernetes.pod.namespace: shop}",
    );
    none_of(&lint_one(&named), "NP226");
    let by_label = CLUSTERWIDE.replace(
        "{app: web}",
        "{app: web, k8s:io.cilium.k8s.namespace.labels.team: shop}",
    );
    none_of(&lint_one(&by_label), "NP226");
}

#[test]
fn np224_not_when_a_network_policy_gives_the_pods_dns() {
    let np = "\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: default}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{port: 53, protocol: UDP}]
";
    none_of(&lint_one(&format!("{PODS}{NO_DNS}{np}")), "NP224");
}

// --- NP207 under Cilium: Cilium allows count for the NetworkPolicy DNS lint too ---------

/// A NetworkPolicy isolating `default/client` for egress, port 80 only.
const NP_EGRESS_ISOLATION: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-out, namespace: default}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 80, protocol: TCP}]
---
";

/// A CiliumNetworkPolicy for `selector` pods of `default` with one egress entry on `port`.
fn cnp_to_kube_dns(selector: &str, port: &str) -> String {
    format!(
        "\
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {{name: dns, namespace: default}}
spec:
  endpointSelector: {selector}
  egress:
  - toEndpoints: [{{matchLabels: {{k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}}}]
    toPorts: [{{ports: [{{port: \"{port}\", protocol: ANY}}]}}]
"
    )
}

#[test]
fn np207_not_when_a_cilium_rule_gives_the_pods_dns() {
    // Without the Cilium policy: the NetworkPolicy alone leaves `client` without DNS.
    let np_only = format!("{PODS}{NP_EGRESS_ISOLATION}");
    only(&lint_one(&np_only), "NP207");
    let yaml = format!(
        "{np_only}{}",
        cnp_to_kube_dns("{matchLabels: {app: client}}", "53")
    );
    let diags = lint_one(&yaml);
    none_of(&diags, "NP207");
    none_of(&diags, "NP224");
}

#[test]
fn np207_for_the_pods_no_cilium_dns_rule_selects() {
    let other = "\
apiVersion: v1
kind: Pod
metadata: {name: worker, namespace: default, labels: {app: client, role: worker}}
spec: {containers: [{name: c}]}
---
";
    // The Cilium rule gives DNS to `role: web` pods only; neither client pod is one.
    let yaml = format!(
        "{PODS}{other}{NP_EGRESS_ISOLATION}{}",
        cnp_to_kube_dns("{matchLabels: {role: web}}", "53")
    );
    assert_eq!(
        only(&lint_one(&yaml), "NP207").message,
        "`default/client`, `default/worker` are isolated for egress and no egress rule of their policies allows DNS (port 53): they cannot resolve names"
    );
    // Given to `role: worker` pods: only `client` still lacks it.
    let yaml = format!(
        "{PODS}{other}{NP_EGRESS_ISOLATION}{}",
        cnp_to_kube_dns("{matchLabels: {role: worker}}", "53")
    );
    assert_eq!(
        only(&lint_one(&yaml), "NP207").message,
        "`default/client` is isolated for egress and no egress rule of their policies allows DNS (port 53): they cannot resolve names"
    );
}

#[test]
fn np207_when_the_cilium_rule_allows_another_port() {
    let yaml = format!(
        "{PODS}{NP_EGRESS_ISOLATION}{}",
        cnp_to_kube_dns("{matchLabels: {app: client}}", "80")
    );
    only(&lint_one(&yaml), "NP207");
}

// --- NP227: an egressDeny entry that takes DNS ------------------------------------------

/// `egressDeny` with one entry: `peer` (a peer field line, or nothing) and `ports`.
fn deny_entry(peer: &str, ports: &str) -> String {
    let mut out = "  egressDeny:\n  - ".to_string();
    if peer.is_empty() {
        out.push_str(&format!("toPorts: [{{ports: [{ports}]}}]\n"));
    } else {
        out.push_str(&format!("{peer}\n"));
        if !ports.is_empty() {
            out.push_str(&format!("    toPorts: [{{ports: [{ports}]}}]\n"));
        }
    }
    out
}

const TO_KUBE_DNS: &str = "toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}}]";
const UDP_53: &str = "{port: \"53\", protocol: UDP}";

#[test]
fn np227_deny_on_port_53_to_kube_dns() {
    // The pods have an allow to kube-dns (DNS_ENTRY) and the deny takes it back.
    let yaml = format!(
        "{PODS}{NO_DNS}{DNS_ENTRY}{}",
        deny_entry(TO_KUBE_DNS, UDP_53)
    );
    let diags = lint_one(&yaml);
    let d = only(&diags, "NP227");
    assert_at(
        d,
        22,
        "this `egressDeny` entry denies DNS (port 53) to kube-dns for `default/client`: a deny wins over every allow, Cilium or NetworkPolicy, so it cannot resolve names whatever allows DNS",
    );
    assert_eq!(d.severity, Severity::Warning);
    assert!(
        d.help
            .as_deref()
            .unwrap_or("")
            .starts_with("narrow the deny"),
        "{d:?}"
    );
    // One finding per problem: NP224 leaves the pod to NP227.
    none_of(&diags, "NP224");
}

#[test]
fn np227_for_every_way_of_writing_port_53_and_kube_dns() {
    let cases = [
        (TO_KUBE_DNS, "{port: \"53\", protocol: TCP}"),
        (TO_KUBE_DNS, "{port: \"53\", protocol: ANY}"),
        (TO_KUBE_DNS, "{port: \"1\", endPort: 1024, protocol: UDP}"),
        (TO_KUBE_DNS, ""),
        ("toEntities: [cluster]", UDP_53),
        ("toEntities: [all]", ""),
        // No peer field: every peer.
        ("", UDP_53),
    ];
    for (peer, ports) in cases {
        let yaml = format!("{PODS}{NO_DNS}{}", deny_entry(peer, ports));
        let diags = lint_one(&yaml);
        only(&diags, "NP227");
        none_of(&diags, "NP224");
    }
}

#[test]
fn np227_not_for_port_80_nor_world_nor_a_cidr() {
    let cases = [
        (TO_KUBE_DNS, "{port: \"80\", protocol: TCP}"),
        ("toEntities: [world]", ""),
        ("toEntities: [world]", UDP_53),
        // CIDR peers never match pods under Cilium: kube-dns stays reachable.
        ("toCIDR: [0.0.0.0/0]", ""),
        // Another namespace's pods.
        ("toEndpoints: [{matchLabels: {app: echo}}]", UDP_53),
    ];
    for (peer, ports) in cases {
        let yaml = format!("{PODS}{NO_DNS}{DNS_ENTRY}{}", deny_entry(peer, ports));
        let diags = lint_one(&yaml);
        none_of(&diags, "NP227");
        none_of(&diags, "NP224");
    }
}

#[test]
fn np227_only_for_pods_the_rule_selects_and_only_with_pods() {
    // The rule selects no pod of the input.
    let other = NO_DNS.replace("{app: client}", "{app: nobody}");
    let yaml = format!("{PODS}{other}{}", deny_entry(TO_KUBE_DNS, UDP_53));
    none_of(&lint_one(&yaml), "NP227");
    // No pod in the input: the lint is per pod.
    let yaml = format!("{NO_DNS}{DNS_ENTRY}{}", deny_entry(TO_KUBE_DNS, UDP_53));
    none_of(&lint_one(&yaml), "NP227");
}

#[test]
fn np227_without_a_dns_pod_in_the_input() {
    // Pods, none of them DNS: a selector into kube-system counts, as for NP224.
    let client_only = PODS.split("---\n").next().unwrap();
    let yaml = format!(
        "{client_only}---\n{NO_DNS}{}",
        deny_entry(
            "toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system}}]",
            UDP_53
        )
    );
    only(&lint_one(&yaml), "NP227");
    // A clusterwide `{}`: every pod, kube-system's included.
    let ccnp = "\
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: no-dns}
spec:
  endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: default}}
";
    let deny = deny_entry("toEndpoints: [{}]", UDP_53);
    only(
        &lint_one(&format!("{client_only}---\n{ccnp}{deny}")),
        "NP227",
    );
    // The same with the DNS pod in the input: it matches kube-dns's identity.
    only(&lint_one(&format!("{PODS}{ccnp}{deny}")), "NP227");
    // A namespaced `{}` is the policy's namespace only.
    let yaml = format!("{PODS}{NO_DNS}{DNS_ENTRY}{deny}");
    none_of(&lint_one(&yaml), "NP227");
}

#[test]
fn np224_counts_a_clusterwide_empty_selector_as_reaching_kube_dns() {
    // No DNS pod in the input: `toEndpoints: [{}]` of a clusterwide rule is every pod,
    // kube-dns included (before NP227, only selectors naming DNS or kube-system counted).
    let client_only = PODS.split("---\n").next().unwrap();
    let ccnp = "\
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: dns-everywhere}
spec:
  endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: default}}
  egress:
  - toEndpoints: [{}]
    toPorts: [{ports: [{port: \"53\", protocol: ANY}]}]
";
    only(&lint_one(&format!("{client_only}---\n{NO_DNS}")), "NP224");
    none_of(
        &lint_one(&format!("{client_only}---\n{NO_DNS}{ccnp}")),
        "NP224",
    );
}

#[test]
fn np207_leaves_pods_whose_dns_a_cilium_deny_takes_to_np227() {
    // NetworkPolicy isolation without DNS, a Cilium allow giving DNS, a Cilium deny taking it.
    let cnp = cnp_to_kube_dns("{matchLabels: {app: client}}", "53");
    let deny = deny_entry(TO_KUBE_DNS, UDP_53);
    let yaml = format!("{PODS}{NP_EGRESS_ISOLATION}{cnp}{deny}");
    let diags = lint_one(&yaml);
    only(&diags, "NP227");
    none_of(&diags, "NP207");
    none_of(&diags, "NP224");
    // Without the allow, the same: NP227 alone.
    let deny_only = format!(
        "{PODS}{NP_EGRESS_ISOLATION}{}",
        cnp_to_kube_dns("{matchLabels: {app: client}}", "80")
    );
    let diags = lint_one(&format!("{deny_only}{deny}"));
    only(&diags, "NP227");
    none_of(&diags, "NP207");
}

// --- NP228: the kube-apiserver entity without the API server's address ---------------------

const TO_API_SERVER: &str = "\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: operator, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: operator}}
  egress:
  - toEntities: [world, kube-apiserver]
    toPorts: [{ports: [{port: \"443\", protocol: TCP}]}]
";

const API_SERVER_SLICE: &str = "\
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kubernetes
  namespace: default
  labels: {kubernetes.io/service-name: kubernetes}
addressType: IPv4
endpoints: [{addresses: [172.18.0.2]}]
";

#[test]
fn np228_kube_apiserver_entity_without_the_endpoint_slice() {
    let diags = lint_one(TO_API_SERVER);
    let d = only(&diags, "NP228");
    assert_at(
        d,
        7,
        "the `kube-apiserver` entity stands for the API server's addresses, and the input has none (no EndpointSlice or Endpoints of the `kubernetes` Service in `default`): here it matches nothing, while in the cluster it matches the API server",
    );
    assert_eq!(d.column, 25, "{d}");
    assert_eq!(d.severity, Severity::Info);
    assert_eq!(
        d.help.as_deref(),
        Some("add the API server's endpoints: `kubectl get endpointslice -n default -l kubernetes.io/service-name=kubernetes -o yaml`")
    );
}

#[test]
fn np228_for_deny_and_ingress_entities_and_reserved_selectors() {
    let ingress_deny = TO_API_SERVER.replace(
        "  egress:\n  - toEntities: [world, kube-apiserver]",
        "  ingressDeny:\n  - fromEntities: [kube-apiserver]",
    );
    assert_eq!(only(&lint_one(&ingress_deny), "NP228").line, 7);
    let selector = TO_API_SERVER.replace(
        "toEntities: [world, kube-apiserver]",
        "toEndpoints: [{matchLabels: {reserved:kube-apiserver: \"\"}}]",
    );
    assert!(only(&lint_one(&selector), "NP228")
        .message
        .starts_with("a `reserved:kube-apiserver` selector stands for"));
}

#[test]
fn np228_not_with_the_api_servers_endpoint_slice_nor_without_the_entity() {
    let diags = lint_one(&format!("{TO_API_SERVER}{API_SERVER_SLICE}"));
    none_of(&diags, "NP228");
    let world = TO_API_SERVER.replace("[world, kube-apiserver]", "[world, cluster]");
    none_of(&lint_one(&world), "NP228");
}
