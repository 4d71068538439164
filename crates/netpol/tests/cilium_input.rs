//! Cilium policies from the reader's side: what the CRD and the agent refuse is an error at
//! its line and column, and the rest still evaluates (one bad entry of `specs` leaves the
//! others); fields only the running agent can decide load with a warning naming them; and
//! the explanation names the Cilium entry that decided, with its kind and index.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

use netpol::{explain, load, Diagnostic, Endpoint, Loaded, Protocol, Severity, Source, Traffic};

const WORLD: &str = "
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default, labels: {app: client}}
spec:
  serviceAccountName: client
  containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: echo, namespace: default, labels: {app: echo}}
spec:
  containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]
";

fn load_with(policies: &str) -> Loaded {
    load(&[
        Source {
            name: "world.yaml",
            text: WORLD,
        },
        Source {
            name: "policy.yaml",
            text: policies,
        },
    ])
}

/// The 1-based line and column of the first `needle` in `text`.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the text"));
    let line = text[..at].matches('\n').count() + 1;
    let column = text[..at].rsplit('\n').next().unwrap().chars().count() + 1;
    (line, column)
}

fn find<'a>(l: &'a Loaded, code: &str, contains: &str) -> &'a Diagnostic {
    l.diagnostics
        .iter()
        .find(|d| d.code == code && d.message.contains(contains))
        .unwrap_or_else(|| panic!("no {code} with `{contains}` in {:#?}", l.diagnostics))
}

fn allowed(l: &Loaded, from: &str, to: &str, port: u16) -> bool {
    let c = &l.cluster;
    explain(
        c,
        &Traffic {
            from: Endpoint::parse(c, from).unwrap(),
            to: Endpoint::parse(c, to).unwrap(),
            port,
            protocol: Protocol::Tcp,
        },
    )
    .allowed
}

#[test]
fn one_bad_entry_of_specs_leaves_the_others_evaluating() {
    let text = "apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: two, namespace: default}
specs:
- endpointSelector: {matchLabels: {app: client}}
  egressDeny:
  - toCIDR: [8.8.8.8/32]
- endpointSelector: {matchLabels: {app: echo}}
  ingress:
  - toCIDR: [10.0.0.0/8]
    fromCIDR: [10.0.0.0/33]
";
    let l = load_with(text);
    let bad = find(&l, "NP107", "unable to parse CIDR");
    assert_eq!((bad.line, bad.column), position(text, "10.0.0.0/33"));
    let wrong_side = find(&l, "NP104", "`toCIDR`");
    assert_eq!(
        (wrong_side.line, wrong_side.column),
        position(text, "toCIDR: [10.0.0.0/8]")
    );
    let refused = find(&l, "NP113", "refuses all of CiliumNetworkPolicy `two`");
    assert_eq!(refused.severity, Severity::Warning);
    // specs[0] still denies; specs[1] is left out, so echo is not isolated.
    let policy = &l.cluster.cilium.policies[0];
    assert_eq!(policy.rules.len(), 1);
    assert_eq!(policy.rules[0].spec_index, Some(0));
    assert!(policy.rejected_by_agent);
    assert!(!allowed(&l, "default/client", "ip:8.8.8.8", 443));
    // A deny-only rule still puts the direction in default deny (docs/cilium.md §7).
    assert!(!allowed(&l, "default/client", "ip:1.1.1.1", 443));
    assert!(allowed(&l, "ip:10.1.1.1", "default/echo", 8080));
    // The explanation says that Cilium itself would enforce none of it.
    let c = &l.cluster;
    let e = explain(
        c,
        &Traffic {
            from: Endpoint::parse(c, "default/client").unwrap(),
            to: Endpoint::parse(c, "ip:8.8.8.8").unwrap(),
            port: 443,
            protocol: Protocol::Tcp,
        },
    );
    assert_eq!(
        e.egress.cilium.refused_by_agent,
        ["CiliumNetworkPolicy default/two"]
    );
    let text = netpol::render::explanation_text(&e);
    assert!(
        text.contains("warning: the agent refuses all of CiliumNetworkPolicy default/two"),
        "{text}"
    );
}

#[test]
fn wrong_types_are_located_and_spoil_only_their_rule() {
    let text = "apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: typed, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: echo}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: client}}]
    toPorts: [{ports: [{port: \"8080\", endPort: many}]}]
specs:
- endpointSelector: {matchLabels: {app: client}}
  egress: {toEntities: [world]}
- endpointSelector: {matchLabels: {app: client}}
  egressDeny: [{toEntities: [world]}]
";
    let l = load_with(text);
    let end_port = find(&l, "NP103", "endPort");
    assert_eq!((end_port.line, end_port.column), position(text, "many"));
    let egress = find(&l, "NP103", "egress");
    assert_eq!(egress.line, position(text, "egress: {toEntities").0);
    // Only specs[1] is left standing; it denies the world.
    let rules: Vec<_> = l.cluster.cilium.policies[0]
        .rules
        .iter()
        .map(|r| r.spec_index)
        .collect();
    assert_eq!(rules, [Some(1)]);
    assert!(!allowed(&l, "default/client", "ip:1.1.1.1", 443));
    // The spec's ingress rule did not load: echo is not isolated.
    assert!(allowed(&l, "ip:1.1.1.1", "default/echo", 8080));
}

#[test]
fn unknown_fields_are_located_with_the_closest_name() {
    let text = "apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: typo}
specs:
- endpointSelector: {}
  egress:
  - toCIDRs: [1.1.1.1/32]
- endpointSelector: {matchLabels: {app: echo}}
  ingressDeny: [{fromEntities: [wrld]}]
- endpointSelector: {matchLabels: {app: echo}}
  ingressDeny: [{fromEndpoints: [{matchLabels: {app: client}}]}]
";
    let l = load_with(text);
    let unknown = find(&l, "NP104", "`toCIDRs`");
    assert_eq!(unknown.help.as_deref(), Some("did you mean `toCIDR`?"));
    assert_eq!((unknown.line, unknown.column), position(text, "toCIDRs"));
    let entity = find(&l, "NP107", "unsupported entity: `wrld`");
    assert_eq!(entity.help.as_deref(), Some("did you mean `world`?"));
    assert_eq!((entity.line, entity.column), position(text, "wrld"));
    // specs[2] stands: a clusterwide deny from client to echo.
    assert!(!allowed(&l, "default/client", "default/echo", 8080));
    assert!(allowed(&l, "default/echo", "default/client", 8080));
}

#[test]
fn what_the_crd_and_the_agent_refuse() {
    let cases: &[(&str, &str, &str)] = &[
        ("metadata: {name: p, namespace: default}\n", "NP105", "spec or specs must be provided"),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}}\n",
            "NP105",
            "needs at least one of `ingress`",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}, ingress: []}\n",
            "NP107",
            "rule must have at least one of",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}, ingress: [{fromRequires: [{}]}]}\n",
            "NP107",
            "removed in Cilium 1.19",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}, egress: [{toEndpoints: [{}], toCIDR: [1.0.0.0/8]}]}\n",
            "NP107",
            "combining `toEndpoints` and `toCIDR`",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}, egress: [{toCIDR: [1.0.0.0/8], toCIDRSet: [{cidr: 2.0.0.0/8}]}]}\n",
            "NP107",
            "combining `toCIDR` and `toCIDRSet`",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}, egress: [{toPorts: [{ports: [{port: \"80\", protocol: tcp}]}]}]}\n",
            "NP107",
            "unsupported protocol `tcp`",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}, egress: [{toPorts: [{ports: [{port: 80}]}]}]}\n",
            "NP103",
            "`port` must be a string",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}, egress: [{toPorts: [{ports: [{port: \"70000\"}]}]}]}\n",
            "NP107",
            "not between 0 and 65535",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}, egress: [{toCIDRSet: [{cidr: 10.0.0.0/8, except: [11.0.0.0/8]}]}]}\n",
            "NP107",
            "does not contain exclude CIDR prefix",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}, egress: [{toCIDR: [1.1.1.1]}]}\n",
            "NP107",
            "unable to parse CIDR",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {nodeSelector: {}, egress: [{}]}\n",
            "NP107",
            "cannot have `nodeSelector`",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}, egress: [{toEntities: [world-ipv4]}]}\n",
            "NP107",
            "not in the CRD's enum",
        ),
        (
            "metadata: {name: p, namespace: default}\nspec: {endpointSelector: {}, egressDeny: [{toPorts: [{ports: [{port: \"80\"}], rules: {http: [{}]}}]}]}\n",
            "NP104",
            "`rules` in a deny rule",
        ),
    ];
    for (body, code, message) in cases {
        let text = format!("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n{body}");
        let l = load_with(&text);
        let d = find(&l, code, message);
        assert_eq!(d.source, "policy.yaml", "{text}");
        assert!(d.line >= 1 && d.column >= 1, "{text}");
        assert!(
            l.cluster.cilium.policies.iter().all(|p| p.rules.is_empty()),
            "a refused rule must not evaluate: {text}"
        );
        // The world loaded all the same.
        assert_eq!(l.cluster.pods.len(), 2, "{text}");
    }
}

#[test]
fn run_time_fields_load_with_a_warning_and_their_l4_part_stands_alone() {
    let text = "apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l7, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
  - toEndpoints: [{matchLabels: {app: echo}}]
    toPorts: [{ports: [{port: \"8080\", protocol: TCP}], rules: {http: [{method: GET}]}}]
  - toFQDNs: [{matchName: example.com}]
    toPorts: [{ports: [{port: \"443\"}]}]
";
    let l = load_with(text);
    let rules = find(&l, "NP112", "`rules` (L7)");
    assert_eq!(rules.severity, Severity::Warning);
    assert!(rules.message.contains("decided by Cilium at run time"));
    assert_eq!((rules.line, rules.column), position(text, "rules:"));
    let fqdn = find(&l, "NP112", "`toFQDNs`");
    assert_eq!((fqdn.line, fqdn.column), position(text, "toFQDNs"));
    assert!(
        !netpol::diag::has_errors(&l.diagnostics),
        "{:#?}",
        l.diagnostics
    );
    // The L4 part of the L7 rule allows 8080 to echo; the FQDN entry matches no address.
    assert!(allowed(&l, "default/client", "default/echo", 8080));
    assert!(!allowed(&l, "default/client", "default/echo", 80));
    assert!(!allowed(&l, "default/client", "ip:93.184.215.14", 443));
}

#[test]
fn explain_names_the_deny_entry_and_says_it_overrode_an_allow() {
    let text = "apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: allow-all, namespace: default}
spec:
  endpointSelector: {}
  egress: [{toEntities: [all]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny-world, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egressDeny: [{toEntities: [world], toPorts: [{ports: [{port: \"443\"}]}]}]
";
    let l = load_with(text);
    let c = &l.cluster;
    let e = explain(
        c,
        &Traffic {
            from: Endpoint::parse(c, "default/client").unwrap(),
            to: Endpoint::parse(c, "ip:1.1.1.1").unwrap(),
            port: 443,
            protocol: Protocol::Tcp,
        },
    );
    assert!(!e.allowed);
    assert_eq!(e.egress.decided_by, netpol::Stage::NetworkPolicy);
    assert_eq!(
        e.egress.cilium.denied_by[0].to_string(),
        "CiliumNetworkPolicy default/deny-world egressDeny[0]"
    );
    assert_eq!(
        e.egress.cilium.allowed_by[0].to_string(),
        "CiliumNetworkPolicy default/allow-all egress[0]"
    );
    let text = netpol::render::explanation_text(&e);
    assert!(
        text.contains("DENIED by CiliumNetworkPolicy default/deny-world egressDeny[0]: a deny overrides every allow"),
        "{text}"
    );
    assert!(
        text.contains("allowed by CiliumNetworkPolicy default/allow-all egress[0]"),
        "{text}"
    );
    // Port 80 is not denied: the allow decides.
    assert!(allowed(&l, "default/client", "ip:1.1.1.1", 80));
    // JSON names the stage and the entries.
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["egress"]["decidedBy"], "NetworkPolicy");
    assert_eq!(
        json["egress"]["cilium"]["deniedBy"][0],
        "CiliumNetworkPolicy default/deny-world egressDeny[0]"
    );
}

#[test]
fn a_diff_names_the_cilium_entries_that_made_the_difference() {
    let allow = "apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: allow-all, namespace: default}
spec:
  endpointSelector: {}
  egress: [{toEntities: [all]}]
";
    let deny = "---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny-world, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egressDeny: [{toEntities: [world], toPorts: [{ports: [{port: \"443\"}]}]}]
";
    let old = load_with(allow);
    let new = load_with(&format!("{allow}{deny}"));
    let externals = [netpol::Cidr::parse("1.1.1.1", true).unwrap()];
    let d = netpol::diff::diff(&old.cluster, &new.cluster, &externals);
    assert_eq!(d.changes.len(), 1, "{d:#?}");
    let change = &d.changes[0];
    assert_eq!(
        (change.from.as_str(), change.to.as_str()),
        ("default/client", "ip:1.1.1.1")
    );
    assert_eq!(change.closed.to_string(), "TCP 443; UDP 443; SCTP 443");
    let causes: Vec<String> = d.causes_of(change).map(|c| c.describe()).collect();
    assert_eq!(
        causes,
        ["added CiliumNetworkPolicy default/deny-world egressDeny[0] denies it"]
    );
    // And the other way round.
    let back = netpol::diff::diff(&new.cluster, &old.cluster, &externals);
    let causes: Vec<String> = back
        .causes_of(&back.changes[0])
        .map(|c| c.describe())
        .collect();
    assert_eq!(
        causes,
        ["removed CiliumNetworkPolicy default/deny-world egressDeny[0] no longer denies it"]
    );
}

/// From, to, port (TCP), allowed.
type Probe<'a> = (&'a str, &'a str, u16, bool);

/// The verdicts the playground's Cilium examples (`www/examples/cilium-*.yaml`) say they
/// give (their `Expected:` comments, from the Cilium docs they cite).
#[test]
fn the_cilium_examples_give_the_verdicts_they_document() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/examples");
    let cases: &[(&str, &[Probe])] = &[
        (
            "cilium-egress-deny.yaml",
            &[
                ("team-one/web", "payments/ledger", 8443, false),
                ("team-one/web", "ip:169.254.169.254", 80, false),
                ("team-one/web", "ip:1.1.1.1", 443, true),
                ("team-two/app", "ip:1.1.1.1", 443, true),
                ("team-two/app", "payments/ledger", 8443, false),
                ("payments/ledger", "team-one/web", 8080, true),
            ],
        ),
        (
            "cilium-entities.yaml",
            &[
                ("ip:203.0.113.7", "shop/storefront", 8080, true),
                ("monitoring/prom", "shop/storefront", 8080, false),
                ("shop/storefront", "shop/orders", 9000, true),
                ("monitoring/prom", "shop/orders", 9000, true),
                ("ip:203.0.113.7", "shop/orders", 9000, false),
                ("monitoring/prom", "shop/cart", 7000, false),
                ("shop/storefront", "shop/cart", 7000, true),
                ("ip:203.0.113.7", "shop/cart", 7000, false),
            ],
        ),
        (
            "cilium-starwars.yaml",
            &[
                ("default/tiefighter", "default/deathstar", 80, true),
                ("default/xwing", "default/deathstar", 80, false),
                ("default/tiefighter", "default/deathstar", 443, false),
                ("default/deathstar", "default/xwing", 8080, true),
                ("default/deathstar", "ip:1.1.1.1", 443, true),
            ],
        ),
    ];
    for (file, probes) in cases {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let l = load(&[Source {
            name: file,
            text: &text,
        }]);
        assert!(
            !netpol::diag::has_errors(&l.diagnostics),
            "{file}: {:#?}",
            l.diagnostics
        );
        assert!(l.cluster.cilium.has_policies(), "{file}");
        for &(from, to, port, want) in *probes {
            assert_eq!(
                allowed(&l, from, to, port),
                want,
                "{file}: {from} -> {to}:{port}"
            );
        }
    }
}

#[test]
fn a_pod_named_by_its_address_is_that_pod_to_cilium() {
    let text = "apiVersion: v1
kind: Pod
metadata: {name: db, namespace: default, labels: {app: db}}
status: {podIP: 10.244.0.9}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: to-db, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
  - toEndpoints: [{matchLabels: {app: db}}]
  - toCIDR: [10.0.0.0/8]
";
    let l = load_with(text);
    assert!(
        !netpol::diag::has_errors(&l.diagnostics),
        "{:#?}",
        l.diagnostics
    );
    // The address is db's: `toEndpoints` matches it, and the CIDR rule does not (under
    // Cilium a CIDR never matches a pod); another address in the block is world.
    let c = &l.cluster;
    let e = explain(
        c,
        &Traffic {
            from: Endpoint::parse(c, "default/client").unwrap(),
            to: Endpoint::parse(c, "ip:10.244.0.9").unwrap(),
            port: 5432,
            protocol: Protocol::Tcp,
        },
    );
    assert!(e.allowed);
    assert_eq!(
        e.egress
            .cilium
            .allowed_by
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["CiliumNetworkPolicy default/to-db egress[0]"]
    );
    assert!(allowed(&l, "default/client", "ip:10.9.9.9", 5432));
    assert!(!allowed(&l, "default/client", "ip:11.0.0.1", 5432));
}

/// Each entry knows its own place (the app's Explain jumps there), also in the second
/// document of a file and in `specs`.
#[test]
fn every_entry_is_placed_at_its_own_line() {
    let text = "\
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: two-rules, namespace: default}
specs:
- endpointSelector: {}
  egressDeny:
  - toEntities: [world]
  - toCIDR: [169.254.169.254/32]
- endpointSelector: {matchLabels: {app: echo}}
  ingress:
  - fromEndpoints: [{}]
";
    let l = load_with(text);
    assert!(
        l.diagnostics.iter().all(|d| d.severity != Severity::Error),
        "{:?}",
        l.diagnostics
    );
    let p = l
        .cluster
        .cilium
        .policies
        .iter()
        .find(|p| p.name == "two-rules")
        .expect("loaded");
    let line = |spec, list, index| {
        p.entry_origin(Some(spec), list, index)
            .map(|o| (o.source.clone(), o.line))
    };
    use netpol::cilium::EntryList;
    let at = |needle| Some(("policy.yaml".to_string(), position(text, needle).0));
    assert_eq!(line(0, EntryList::EgressDeny, 0), at("- toEntities"));
    assert_eq!(line(0, EntryList::EgressDeny, 1), at("- toCIDR"));
    assert_eq!(line(1, EntryList::Ingress, 0), at("- fromEndpoints"));
    assert_eq!(line(1, EntryList::Ingress, 1), None);
}
