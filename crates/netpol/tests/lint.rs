//! The linter, one test per bullet of its issue: each asserts the code, line, column and
//! message of the diagnostic. Bullets the loader already covers (what the API server
//! rejects: invalid CIDRs, `except` outside `cidr`, endPort problems, protocol typos,
//! duplicate names) assert the loader's diagnostic, so every bullet has its test here.
//! The docs' own example must lint without a warning or an error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a panic is a failed test"
)]

mod common;

use common::load::{docs_fixture as fixture, docs_fixture_dir as fixture_dir};

use netpol::diag::Severity;
use netpol::generate::{generate, parse_intent, Baseline, Options};
use netpol::lint::{lint, LintOptions, LINT_CODES};
use netpol::Diagnostic;
use proptest::prelude::*;

/// Loads (asserting the loader found no error) and lints.
fn lint_files(files: &[(&str, &str)], options: &LintOptions) -> Vec<Diagnostic> {
    let loaded = common::load::load_files(files);
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "loader errors: {errors:#?}");
    lint(&loaded, options)
}

fn lint_one(yaml: &str) -> Vec<Diagnostic> {
    lint_files(&[("policy.yaml", yaml)], &LintOptions::default())
}

/// The only diagnostic with `code`.
fn only<'a>(diags: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "expected one {code}, got: {diags:#?}");
    found[0]
}

fn assert_at(d: &Diagnostic, line: usize, column: usize, message: &str) {
    assert_eq!(
        (d.line, d.column, d.message.as_str()),
        (line, column, message),
        "{d}"
    );
}

fn none_of(diags: &[Diagnostic], code: &str) {
    assert!(
        diags.iter().all(|d| d.code != code),
        "unexpected {code}: {diags:#?}"
    );
}

// --- Peers ---------------------------------------------------------------------------

const POD_2_WITHOUT_NAMESPACE: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: pod-2-netpol
  namespace: team-one-namespace
spec:
  podSelector:
    matchLabels:
      app: pod-2
  policyTypes:
  - Egress
  egress:
  - to:
    - podSelector:
        matchLabels:
          app: pod-3
";

#[test]
fn np201_peer_in_other_namespace_is_the_docs_warning() {
    let cluster = fixture("cluster.yaml");
    let diags = lint_files(
        &[
            ("cluster.yaml", &cluster),
            ("pod-2.yaml", POD_2_WITHOUT_NAMESPACE),
        ],
        &LintOptions::default(),
    );
    let d = only(&diags, "NP201");
    assert_eq!(
        (d.name, d.severity, d.source.as_str()),
        ("peer-in-other-namespace", Severity::Warning, "pod-2.yaml")
    );
    assert_at(
        d,
        14,
        7,
        "podSelector `app=pod-3` matches no pod in `team-one-namespace`, the policy's namespace, but matches `team-two-namespace/pod-3` in another namespace: without a namespaceSelector a podSelector only selects pods of the policy's own namespace",
    );
    assert_eq!(
        d.help.as_deref(),
        Some("add a namespaceSelector: the peer lives in another namespace; put `namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: team-two-namespace}}` in the same peer as the podSelector (no `-` before it)")
    );
    // The docs' own pod-2 policy, with the namespaceSelector, is fine.
    let fixed = lint_files(
        &[
            ("cluster.yaml", &cluster),
            ("pod-2.yaml", &fixture("pod-2-networkpolicy.yaml")),
        ],
        &LintOptions::default(),
    );
    none_of(&fixed, "NP201");
}

#[test]
fn np202_namespace_and_pod_selector_split_into_two_peers() {
    let yaml = "\
apiVersion: v1
kind: Namespace
metadata: {name: db, labels: {team: data}}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: db, labels: {app: api}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
  namespace: web
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          team: data
    - podSelector:
        matchLabels:
          app: api
";
    let diags = lint_one(yaml);
    let d = only(&diags, "NP202");
    assert_eq!(d.name, "split-peer");
    assert_at(
        d,
        21,
        7,
        "`namespaceSelector` and `podSelector` are two peers (OR): this allows every pod of the namespaces matching `team=data`, and separately pods matching `app=api` in `web`",
    );
    assert!(d
        .help
        .as_deref()
        .unwrap()
        .contains("remove the `-` before `podSelector`"));
    // One warning for the mistake, not a second NP201 on the podSelector half.
    none_of(&diags, "NP201");

    // The same shape is deliberate when the podSelector's pods live at home.
    let deliberate = yaml.replace(
        "namespace: db, labels: {app: api}",
        "namespace: web, labels: {app: api}",
    );
    none_of(&lint_one(&deliberate), "NP202");
}

#[test]
fn np203_namespace_selector_on_a_label_no_namespace_carries() {
    // The docs' pod-3 policy, with namespaces that are not labelled `name`.
    let pods = "\
apiVersion: v1
kind: Pod
metadata: {name: pod-2, namespace: team-one-namespace, labels: {app: pod-2}}
---
apiVersion: v1
kind: Pod
metadata: {name: pod-3, namespace: team-two-namespace, labels: {app: pod-3}}
";
    let policy = fixture("pod-3-networkpolicy.yaml");
    let diags = lint_files(
        &[("pods.yaml", pods), ("pod-3.yaml", &policy)],
        &LintOptions::default(),
    );
    let d = only(&diags, "NP203");
    assert_eq!(
        (d.name, d.source.as_str()),
        ("unknown-namespace-label", "pod-3.yaml")
    );
    assert_at(
        d,
        18,
        15,
        "namespaceSelector needs label `name`, which no namespace in the input carries, so it selects no namespace",
    );
    assert_eq!(
        d.help.as_deref(),
        Some("every namespace carries `kubernetes.io/metadata.name`: select it with `kubernetes.io/metadata.name: team-one-namespace`, or label the namespace `name: team-one-namespace`")
    );
    // With the docs' cluster.yaml the namespaces carry `name`.
    let cluster = fixture("cluster.yaml");
    none_of(
        &lint_files(
            &[("cluster.yaml", &cluster), ("pod-3.yaml", &policy)],
            &LintOptions::default(),
        ),
        "NP203",
    );
}

// --- Selection, never-matching and redundant rules ------------------------------------

const WEB_POD: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers:
  - name: c
    image: nginx
    ports:
    - {name: http, containerPort: 8080}
    - {name: dns, containerPort: 53, protocol: UDP}
---
";

#[test]
fn np204_policy_selecting_no_pod() {
    let yaml = format!(
        "{WEB_POD}\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: typo, namespace: shop}}
spec:
  podSelector:
    matchLabels: {{app: wbe}}
  ingress: []
"
    );
    let diags = lint_one(&yaml);
    let d = only(&diags, "NP204");
    assert_eq!(d.name, "selects-no-pod");
    assert_at(
        d,
        16,
        3,
        "podSelector `app=wbe` selects no pod in `shop`: the policy has no effect",
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `app=web`?"));

    // A selector that contradicts itself is reported whatever the input holds.
    let contradiction = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: never, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: app, operator: NotIn, values: [web]}
";
    let d = only(&lint_one(contradiction), "NP204").clone();
    assert_at(
        &d,
        5,
        3,
        "podSelector can never select a pod: no value of `app` satisfies every requirement on it",
    );
    // Policies pasted without their pods are not judged.
    none_of(&lint_one(&yaml.replace(WEB_POD, "")), "NP204");
}

#[test]
fn np205_rule_that_can_never_match() {
    let yaml = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: never, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: tier, operator: Exists}
        - {key: tier, operator: DoesNotExist}
  - from:
    - ipBlock:
        cidr: 10.0.0.0/8
        except: [10.0.0.0/9, 10.128.0.0/9]
    - podSelector: {matchLabels: {app: web}}
";
    let diags = lint_one(yaml);
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "NP205").collect();
    assert_eq!(found.len(), 2, "{diags:#?}");
    assert_eq!(found[0].name, "never-matches");
    assert_at(
        found[0],
        7,
        5,
        "this rule can never match: its podSelector matches no pod (`tier` must both exist and not exist)",
    );
    assert_at(
        found[1],
        13,
        7,
        "this peer can never match: the `except` entries cover all of `10.0.0.0/8`",
    );
}

#[test]
fn np206_rule_covered_by_another() {
    let yaml = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: redundant, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: web}}
    ports:
    - {port: 8080}
  - from:
    - podSelector: {matchLabels: {app: web}}
    - podSelector: {matchLabels: {app: web, tier: front}}
    - namespaceSelector: {}
  - {}
";
    let diags = lint_one(yaml);
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "NP206").collect();
    assert_eq!(found.len(), 4, "{diags:#?}");
    assert_eq!(found[0].name, "redundant");
    // The first rule that covers it is named.
    assert_at(
        found[0],
        7,
        5,
        "this rule adds nothing: ingress[1] already allows everything it allows",
    );
    assert_eq!(
        found[0].help.as_deref(),
        Some("delete it, or narrow ingress[1]")
    );
    assert_at(
        found[1],
        11,
        5,
        "this rule adds nothing: ingress[2] has no peers and no ports, so it allows everything",
    );
    // Inside the second rule: both podSelectors are covered by `namespaceSelector: {}`.
    assert_at(
        found[2],
        12,
        7,
        "this peer adds nothing: `from[2]` of the same rule already matches everything it matches",
    );
    assert_at(
        found[3],
        13,
        7,
        "this peer adds nothing: `from[0]` of the same rule already matches everything it matches",
    );
}

#[test]
fn np206_identical_rules_report_the_later_one() {
    let yaml = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: twice, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 80}]
  - ports: [{port: 80, protocol: TCP}]
    from: [{podSelector: {matchLabels: {app: web}}}]
";
    let d = only(&lint_one(yaml), "NP206").clone();
    assert_at(
        &d,
        9,
        5,
        "this rule adds nothing: ingress[0] already allows everything it allows",
    );
}

// --- DNS and policyTypes -------------------------------------------------------------------

#[test]
fn np207_egress_isolation_without_dns() {
    let cluster = fixture("cluster.yaml");
    let pod1 = fixture("pod-1-networkpolicy.yaml");
    // pod-1's policy alone: pod-1 may reach pod-2 and nothing else, not even kube-dns.
    let diags = lint_files(
        &[("cluster.yaml", &cluster), ("pod-1.yaml", &pod1)],
        &LintOptions::default(),
    );
    let d = only(&diags, "NP207");
    assert_eq!(
        (d.name, d.source.as_str()),
        ("egress-without-dns", "pod-1.yaml")
    );
    assert_at(
        d,
        12,
        3,
        "`team-one-namespace/pod-1` is isolated for egress and no egress rule of their policies allows DNS (port 53): they cannot resolve names",
    );
    assert!(d.help.as_deref().unwrap().contains("k8s-app: kube-dns"));
    // With the docs' namespace-default, pod-1 resolves names through it.
    let default = fixture("namespace-default-team-one.yaml");
    none_of(
        &lint_files(
            &[
                ("cluster.yaml", &cluster),
                ("pod-1.yaml", &pod1),
                ("default.yaml", &default),
            ],
            &LintOptions::default(),
        ),
        "NP207",
    );
    // Without pods in the input, a policy is judged with the policies of its namespace.
    let deny = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
";
    let d = only(&lint_one(deny), "NP207").clone();
    assert_at(
        &d,
        6,
        3,
        "the pods this policy selects are isolated for egress and no egress rule of their policies allows DNS (port 53): they cannot resolve names",
    );
    let with_dns = format!(
        "{deny}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: dns, namespace: shop}}
spec:
  podSelector: {{}}
  policyTypes: [Egress]
  egress:
  - ports: [{{port: 53, protocol: UDP}}]
"
    );
    none_of(&lint_one(&with_dns), "NP207");
}

#[test]
fn np208_rules_ignored_by_policy_types() {
    let yaml = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-ingress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{}]
  egress:
  - to: [{podSelector: {}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  ingress:
  - from: [{podSelector: {}}]
  - {}
  egress:
  - ports: [{port: 53, protocol: UDP}]
";
    let diags = lint_one(yaml);
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "NP208").collect();
    assert_eq!(found.len(), 2, "{diags:#?}");
    assert_eq!(found[0].name, "ignored-rules");
    assert_at(
        found[0],
        8,
        3,
        "the egress rule is ignored: `policyTypes` lists only Ingress, so this policy does not apply to egress traffic",
    );
    assert_eq!(
        found[0].help.as_deref(),
        Some("add `Egress` to `policyTypes` (which also isolates the pods for egress), or delete the egress rules")
    );
    assert_at(
        found[1],
        17,
        3,
        "the ingress rules are ignored: `policyTypes` lists only Egress, so this policy does not apply to ingress traffic",
    );
    // Ignored rules are not linted further (the `- {}` would otherwise make the first redundant).
    none_of(&diags, "NP206");
    // `policyTypes: []` is defaulted like a missing list: nothing is ignored.
    let empty = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: empty-types, namespace: shop}
spec:
  podSelector: {}
  policyTypes: []
  egress:
  - ports: [{port: 53, protocol: UDP}]
";
    none_of(&lint_one(empty), "NP208");
}

// --- Kustomize -------------------------------------------------------------------------

#[test]
fn np209_match_labels_under_kustomize_common_labels() {
    let kustomization = "\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
commonLabels:
  team: one
resources: [pod-2-networkpolicy.yaml]
";
    let policy = fixture("pod-2-networkpolicy.yaml");
    let cluster = fixture("cluster.yaml");
    let files = [
        ("cluster.yaml", cluster.as_str()),
        ("kustomization.yaml", kustomization),
        ("pod-2.yaml", policy.as_str()),
    ];
    let diags = lint_files(&files, &LintOptions::default());
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "NP209").collect();
    assert_eq!(found.len(), 3, "{diags:#?}");
    assert_eq!(
        (found[0].name, found[0].severity),
        ("kustomize-match-labels", Severity::Info)
    );
    assert_at(
        found[0],
        10,
        5,
        "Kustomize `commonLabels` will append its labels to this matchLabels",
    );
    assert_at(
        found[1],
        21,
        13,
        "Kustomize `commonLabels` will append its labels to this matchLabels: the peer then only matches pods deployed with the same common labels",
    );
    assert_at(
        found[2],
        26,
        13,
        "Kustomize `commonLabels` will append its labels to this matchLabels: the peer then only matches pods deployed with the same common labels",
    );
    assert!(found[0]
        .help
        .as_deref()
        .unwrap()
        .contains("matchExpressions"));

    // The user's flag does the same without a kustomization; nothing without either.
    let flagged = lint_files(
        &[("cluster.yaml", &cluster), ("pod-2.yaml", &policy)],
        &LintOptions {
            kustomize_common_labels: true,
        },
    );
    assert_eq!(flagged.iter().filter(|d| d.code == "NP209").count(), 3);
    none_of(
        &lint_files(
            &[("cluster.yaml", &cluster), ("pod-2.yaml", &policy)],
            &LintOptions::default(),
        ),
        "NP209",
    );
    // matchExpressions, as the docs advise, are fine.
    let expressions = generate(
        &common::load::load_files(&[("cluster.yaml", &cluster)]).cluster,
        &[parse_intent("team-one-namespace/pod-1 -> team-one-namespace/pod-2").unwrap()],
        &Options {
            selector: netpol::generate::SelectorStyle::Expressions,
            ..Options::default()
        },
    )
    .unwrap();
    none_of(
        &lint_files(
            &[
                ("cluster.yaml", &cluster),
                ("kustomization.yaml", kustomization),
                ("gen.yaml", &expressions.yaml),
            ],
            &LintOptions::default(),
        ),
        "NP209",
    );
}

// --- ipBlocks ----------------------------------------------------------------------------

fn egress_block(block: &str) -> String {
    format!(
        "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: out, namespace: shop}}
spec:
  podSelector: {{}}
  policyTypes: [Egress]
  egress:
  - ports: [{{port: 53, protocol: UDP}}]
  - to:
    - ipBlock:
{block}"
    )
}

#[test]
fn ipblock_invalid_cidr_is_the_loaders_np107() {
    let loaded =
        common::load::load_files(&[("p.yaml", &egress_block("        cidr: 10.0.0.0/33\n"))]);
    let d = only(&loaded.diagnostics, "NP107");
    assert_at(
        d,
        11,
        15,
        "invalid `cidr`: `/33` is not a prefix length for IPv4 (0 to 32)",
    );
}

#[test]
fn np210_ipblock_host_bits() {
    let diags = lint_one(&egress_block(
        "        cidr: 192.168.1.1/24\n        except: [192.168.1.128/25]\n",
    ));
    let d = only(&diags, "NP210");
    assert_eq!(d.name, "ipblock-host-bits");
    assert_at(
        d,
        11,
        9,
        "`192.168.1.1/24` has bits set after the /24 prefix: Kubernetes reads it as `192.168.1.0/24`",
    );
    assert_eq!(
        d.help.as_deref(),
        Some("write `192.168.1.0/24` for the range, or `192.168.1.1/32` for the single address")
    );
}

#[test]
fn ipblock_except_outside_cidr_is_the_loaders_np107() {
    let loaded = common::load::load_files(&[(
        "p.yaml",
        &egress_block("        cidr: 10.0.0.0/16\n        except: [10.1.0.0/24]\n"),
    )]);
    let d = only(&loaded.diagnostics, "NP107");
    assert_at(
        d,
        12,
        18,
        "except `10.1.0.0/24` is not inside cidr `10.0.0.0/16`",
    );
}

#[test]
fn np211_ipblock_covering_pod_ips() {
    let pods = "\
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: data, labels: {app: db}}
status: {podIP: 10.244.1.7}
";
    let policy = egress_block("        cidr: 10.0.0.0/8\n");
    let diags = lint_files(
        &[("pods.yaml", pods), ("p.yaml", &policy)],
        &LintOptions::default(),
    );
    let d = only(&diags, "NP211");
    assert_eq!(
        (d.name, d.source.as_str()),
        ("ipblock-matches-pods", "p.yaml")
    );
    assert_at(
        d,
        11,
        9,
        "ipBlock `10.0.0.0/8` covers the IPs of `data/db`: it matches those pods too, by an address that changes whenever they restart",
    );
    // Known pod IPs make the check exact: no private-range guess on top.
    none_of(&diags, "NP212");
    let excepted = egress_block("        cidr: 10.0.0.0/8\n        except: [10.244.0.0/16]\n");
    none_of(
        &lint_files(
            &[("pods.yaml", pods), ("p.yaml", &excepted)],
            &LintOptions::default(),
        ),
        "NP211",
    );
}

#[test]
fn np212_ipblock_covering_a_private_range_when_pod_ips_are_unknown() {
    let diags = lint_one(&egress_block("        cidr: 0.0.0.0/0\n"));
    let d = only(&diags, "NP212");
    assert_eq!(
        (d.name, d.severity),
        ("ipblock-private-range", Severity::Info)
    );
    assert_at(
        d,
        11,
        9,
        "ipBlock `0.0.0.0/0` includes the private range `10.0.0.0/8`, where pod IPs usually are: it may match pods too",
    );
    // The docs' namespace-default excepts all three ranges.
    let docs = lint_one(&egress_block(
        "        cidr: 0.0.0.0/0\n        except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]\n",
    ));
    none_of(&docs, "NP212");
    let inside = lint_one(&egress_block("        cidr: 10.20.0.0/16\n"));
    assert_at(
        only(&inside, "NP212"),
        11,
        9,
        "ipBlock `10.20.0.0/16` is inside the private range `10.0.0.0/8`, where pod IPs usually are: if pods have addresses there, it matches them too",
    );
}

#[test]
fn np212_covers_ipv6_unique_local_addresses_too() {
    // Dual-stack pod networks are usually in fc00::/7 (kind, Cilium, Calico).
    let diags = lint_one(&egress_block("        cidr: '::/0'\n"));
    let d = only(&diags, "NP212");
    assert_eq!(
        d.message,
        "ipBlock `::/0` includes the private range `fc00::/7`, where pod IPs usually are: it may match pods too"
    );
    // The docs' namespace-default is IPv4: the help does not point at it here.
    assert_eq!(
        d.help.as_deref(),
        Some("if the block is meant for outside the cluster, add `fc00::/7` to `except`")
    );
    let excepted = lint_one(&egress_block(
        "        cidr: '::/0'\n        except: ['fc00::/7']\n",
    ));
    none_of(&excepted, "NP212");
    let public = lint_one(&egress_block("        cidr: '2001:db8::/32'\n"));
    none_of(&public, "NP212");
}

// --- Ports -------------------------------------------------------------------------------

fn ingress_ports(ports: &str) -> String {
    format!(
        "{WEB_POD}\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: web, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  ingress:
  - ports:
{ports}"
    )
}

#[test]
fn np213_named_port_no_destination_exposes() {
    let diags = lint_one(&ingress_ports(
        "    - port: htp\n    - port: dns\n    - port: http\n",
    ));
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == "NP213").collect();
    assert_eq!(found.len(), 2, "{diags:#?}");
    assert_eq!(found[0].name, "named-port-not-exposed");
    assert_at(
        found[0],
        19,
        7,
        "no destination of this rule (`shop/web`) exposes a port named `htp`: this entry allows nothing",
    );
    assert_eq!(found[0].help.as_deref(), Some("did you mean `http`?"));
    assert_at(
        found[1],
        20,
        7,
        "named port `dns` is exposed over UDP, not TCP: this entry allows nothing",
    );
    assert_eq!(found[1].help.as_deref(), Some("set `protocol: UDP`"));
}

#[test]
fn np213_egress_named_port_checks_the_peers_pods() {
    let yaml = format!(
        "{WEB_POD}\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: client, namespace: shop}}
spec:
  podSelector: {{}}
  policyTypes: [Egress]
  egress:
  - to: [{{podSelector: {{matchLabels: {{app: web}}}}}}]
    ports: [{{port: metrics}}, {{port: http}}, {{port: dns, protocol: UDP}}]
"
    );
    let d = only(&lint_one(&yaml), "NP213").clone();
    assert_at(
        &d,
        20,
        14,
        "no destination of this rule (`shop/web`) exposes a port named `metrics`: this entry allows nothing",
    );
}

#[test]
fn endport_below_port_is_the_loaders_np107() {
    let loaded = common::load::load_files(&[(
        "p.yaml",
        &ingress_ports("    - port: 9000\n      endPort: 8000\n"),
    )]);
    let d = only(&loaded.diagnostics, "NP107");
    assert_at(d, 20, 16, "`endPort` 8000 is below `port` 9000");
}

#[test]
fn endport_with_a_named_port_is_the_loaders_np107() {
    let loaded = common::load::load_files(&[(
        "p.yaml",
        &ingress_ports("    - port: http\n      endPort: 9000\n"),
    )]);
    let d = only(&loaded.diagnostics, "NP107");
    assert_at(d, 20, 7, "`endPort` cannot follow a named port (`http`)");
}

#[test]
fn protocol_typo_is_the_loaders_np107_with_a_suggestion() {
    let loaded = common::load::load_files(&[(
        "p.yaml",
        &ingress_ports("    - port: 8080\n      protocol: tcp\n"),
    )]);
    let d = only(&loaded.diagnostics, "NP107");
    assert_eq!(d.line, 20);
    assert!(d.message.contains("`tcp`"), "{d}");
    assert!(d.help.as_deref().unwrap_or_default().contains("TCP"), "{d}");
}

// --- Duplicates --------------------------------------------------------------------------

#[test]
fn duplicate_policy_names_are_the_loaders_np106() {
    let one = fixture("pod-1-networkpolicy.yaml");
    let loaded = common::load::load_files(&[("a.yaml", &one), ("b.yaml", &one)]);
    let d = only(&loaded.diagnostics, "NP106");
    assert_eq!((d.name, d.source.as_str()), ("duplicate-name", "b.yaml"));
    assert_eq!((d.line, d.column), (4, 9), "{d}");
    assert!(d.message.contains("pod-1-netpol"), "{d}");
    assert_eq!(loaded.cluster.policies.len(), 1, "the later one wins");
    // The linter runs on what loaded and reports nothing twice.
    let diags = lint(&loaded, &LintOptions::default());
    none_of(&diags, "NP106");
}

// --- The docs' example, generated output, codes, robustness --------------------------------

#[test]
fn docs_example_lints_clean() {
    let mut files: Vec<(String, String)> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            (name, text)
        })
        .collect();
    netpol::sorting::sort(&mut files);
    assert_eq!(files.len(), 7);
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let loaded = common::load::load_files(&refs);
    let diags: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .cloned()
        .chain(lint(&loaded, &LintOptions::default()))
        .filter(|d| d.severity != Severity::Info)
        .collect();
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn generated_policies_lint_clean() {
    let cluster = fixture("cluster.yaml");
    let base = common::load::load_files(&[("cluster.yaml", &cluster)]);
    let intents: Vec<_> = [
        "team-one-namespace/pod-1 -> team-one-namespace/pod-2:http",
        "team-one-namespace/pod-2 -> team-two-namespace/pod-3:8080/TCP",
        "system-ingress/ingress-nginx -> team-two-namespace/pod-3:http",
        "team-two-namespace/pod-3 -> ip:8.8.8.8:443",
    ]
    .iter()
    .map(|s| parse_intent(s).unwrap())
    .collect();
    for baseline in [Baseline::DenyAll, Baseline::DocsDefault] {
        let options = Options {
            baseline,
            dns: true,
            ..Options::default()
        };
        let out = generate(&base.cluster, &intents, &options).unwrap();
        let diags = lint_files(
            &[("cluster.yaml", &cluster), ("gen.yaml", &out.yaml)],
            &LintOptions::default(),
        );
        let bad: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .collect();
        assert!(bad.is_empty(), "{baseline:?}: {bad:#?}\n{}", out.yaml);
    }
}

#[test]
fn lint_codes_are_stable_and_documented() {
    let mut seen = std::collections::BTreeSet::new();
    for c in LINT_CODES {
        assert!(c.code.starts_with("NP2") && c.code.len() == 5, "{}", c.code);
        assert!(seen.insert(c.code), "duplicate {}", c.code);
        assert!(
            c.name
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch == '-'),
            "{} is not kebab-case",
            c.name
        );
        assert!(!c.summary.is_empty());
        assert!(netpol::diag::ALL_CODES
            .iter()
            .all(|l| l.code != c.code && l.name != c.name));
    }
    assert_eq!(LINT_CODES.len(), 28);
}

/// Snippets a fuzzed policy is assembled from: every shape the lints look at.
const PEERS: [&str; 8] = [
    "{podSelector: {matchLabels: {app: a}}}",
    "{namespaceSelector: {matchLabels: {name: x}}}",
    "{namespaceSelector: {}, podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [a]}]}}",
    "{ipBlock: {cidr: 10.0.0.1/8, except: [10.0.0.0/9, 10.128.0.0/9]}}",
    "{ipBlock: {cidr: 0.0.0.0/0}}",
    "{ipBlock: {cidr: 'fd00::/8'}}",
    "{podSelector: {matchExpressions: [{key: app, operator: Exists}, {key: app, operator: DoesNotExist}]}}",
    "{podSelector: {}}",
];
const PORTS: [&str; 6] = [
    "{port: 53, protocol: UDP}",
    "{port: http}",
    "{port: dns, protocol: UDP}",
    "{port: 8000, endPort: 9000}",
    "{protocol: SCTP}",
    "{port: nope}",
];

proptest! {
    #![proptest_config(common::cases(64))]

    #[test]
    fn lint_never_panics(
        rules in proptest::collection::vec(
            (any::<bool>(), proptest::collection::vec(0..PEERS.len(), 0..4), proptest::collection::vec(0..PORTS.len(), 0..3)),
            0..5,
        ),
        types in 0usize..4,
        with_pods in any::<bool>(),
    ) {
        let mut ingress = String::new();
        let mut egress = String::new();
        for (is_ingress, peers, ports) in &rules {
            let peers: Vec<&str> = peers.iter().map(|i| PEERS[*i]).collect();
            let ports: Vec<&str> = ports.iter().map(|i| PORTS[*i]).collect();
            let (list, field) = if *is_ingress { (&mut ingress, "from") } else { (&mut egress, "to") };
            list.push_str(&format!("  - {{{field}: [{}], ports: [{}]}}\n", peers.join(", "), ports.join(", ")));
        }
        let types = ["", "  policyTypes: [Ingress]\n", "  policyTypes: [Egress]\n", "  policyTypes: [Ingress, Egress]\n"][types];
        let policy = format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: a}}}}\n{types}  ingress:\n{ingress}  egress:\n{egress}"
        );
        let pods = if with_pods { WEB_POD.replace("shop", "x") } else { String::new() };
        let loaded = common::load::load_files(&[("pods.yaml", &pods), ("p.yaml", &policy)]);
        let diags = lint(&loaded, &LintOptions { kustomize_common_labels: true });
        for d in &diags {
            prop_assert!(d.line >= 1 && d.column >= 1, "{d}");
            prop_assert!(LINT_CODES.iter().any(|c| c.code == d.code && c.name == d.name), "{d}");
        }
    }
}
