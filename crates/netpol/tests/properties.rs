//! Property tests: the loader locates every problem, refuses input built to exhaust it, and
//! never lets a bad document spoil a good one; the evaluator obeys the algebraic laws of
//! NetworkPolicy semantics on random clusters (matrix = pairwise verdicts = connectivity,
//! rule order never matters, a new policy widens only through its own rules, no policy
//! means everything is allowed).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails loudly on purpose"
)]

mod common;

use common::random::{cluster, policy};

use std::collections::BTreeSet;

use netpol::endpoint::all_endpoints;
use netpol::{
    connectivity, explain, load, matrix, verdict, Diagnostic, Endpoint, Loaded, Protocol, Severity,
    Source, Traffic,
};
use proptest::prelude::*;

const PROBES: [(u16, Protocol); 4] = [
    (80, Protocol::Tcp),
    (81, Protocol::Tcp),
    (53, Protocol::Udp),
    (80, Protocol::Sctp),
];

fn externals() -> Vec<netpol::Cidr> {
    ["8.8.8.8", "10.1.2.3", "10.2.0.0/16"]
        .iter()
        .map(|s| netpol::Cidr::parse(s, true).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(common::cases(300))]

    #[test]
    fn matrix_agrees_with_pairwise_verdicts_and_connectivity(c in cluster(false)) {
        let eps = all_endpoints(&c, &externals());
        let m = matrix(&c, &eps, &PROBES);
        let conn = connectivity(&c, &eps);
        for (k, &(port, protocol)) in PROBES.iter().enumerate() {
            for (i, from) in eps.iter().enumerate() {
                for (j, to) in eps.iter().enumerate() {
                    let t = Traffic { from: from.clone(), to: to.clone(), port, protocol };
                    let v = verdict(&c, &t);
                    prop_assert_eq!(m.checks[k].allowed(i, j), v, "matrix vs verdict {} -> {} {}/{}", m.endpoints[i], m.endpoints[j], port, protocol);
                    prop_assert_eq!(conn.get(i, j).unwrap().allows(port, protocol), v, "connectivity vs verdict {} -> {} {}/{}", m.endpoints[i], m.endpoints[j], port, protocol);
                }
            }
        }
    }

    #[test]
    fn explaining_with_policies_indexed_by_namespace_explains_the_same(c in cluster(false)) {
        let eps = all_endpoints(&c, &externals());
        let index = netpol::eval::PoliciesByNamespace::new(&c);
        for &(port, protocol) in &PROBES {
            for from in &eps {
                for to in &eps {
                    let t = Traffic { from: from.clone(), to: to.clone(), port, protocol };
                    prop_assert_eq!(netpol::chain::explain_indexed(&c, &index, &t), explain(&c, &t));
                }
            }
        }
    }

    #[test]
    fn rule_and_policy_order_never_matters(c in cluster(false)) {
        let eps = all_endpoints(&c, &externals());
        let before = matrix(&c, &eps, &PROBES);
        let mut reversed = c.clone();
        reversed.policies.reverse();
        for p in &mut reversed.policies {
            p.ingress.reverse();
            p.egress.reverse();
            for r in p.ingress.iter_mut().chain(p.egress.iter_mut()) {
                r.peers.reverse();
                r.ports.reverse();
            }
        }
        prop_assert_eq!(before, matrix(&reversed, &eps, &PROBES));
    }

    #[test]
    fn a_new_policy_widens_only_through_its_own_rules(c in cluster(false), extra in policy(99)) {
        let eps = all_endpoints(&c, &externals());
        let mut after = c.clone();
        after.policies.push(extra);
        let new_index = after.policies.len() - 1;
        for &(port, protocol) in &PROBES {
            for from in &eps {
                for to in &eps {
                    let t = Traffic { from: from.clone(), to: to.clone(), port, protocol };
                    if !verdict(&c, &t) && verdict(&after, &t) {
                        let e = explain(&after, &t);
                        let by_new = e.egress.allowed_by.iter().chain(e.ingress.allowed_by.iter()).any(|r| r.policy_index == new_index);
                        prop_assert!(by_new, "{} -> {} newly allowed without a rule of the new policy", e.from, e.to);
                    }
                }
            }
        }
    }

    #[test]
    fn without_policies_everything_is_allowed(mut c in cluster(false)) {
        c.policies.clear();
        let eps = all_endpoints(&c, &externals());
        let m = matrix(&c, &eps, &PROBES);
        for check in &m.checks {
            prop_assert_eq!(check.allowed_count(), eps.len() * eps.len());
        }
    }

    /// Any text: every diagnostic is where it says it is, and the text takes nothing away
    /// from a good file loaded beside it (its objects all load, its diagnostics are its own).
    #[test]
    fn arbitrary_text_gets_located_diagnostics_and_spoils_nothing_else(text in "\\PC{0,400}") {
        let alone = load(&[Source { name: "fuzz.yaml", text: &text }]);
        check_locations(&text, &alone.diagnostics)?;
        let good = include_str!("../../../tests/fixtures/docs-example/cluster.yaml");
        let good_alone = load(&[Source { name: "cluster.yaml", text: good }]);
        let both = load(&[Source { name: "fuzz.yaml", text: &text }, Source { name: "cluster.yaml", text: good }]);
        let missing: Vec<String> = object_ids(&good_alone).difference(&object_ids(&both)).cloned().collect();
        prop_assert!(missing.is_empty(), "lost beside {:?}: {:?}", text, missing);
        prop_assert_eq!(diagnostics_of(&both, "fuzz.yaml"), diagnostics_of(&alone, "fuzz.yaml"));
        prop_assert_eq!(diagnostics_of(&both, "cluster.yaml"), diagnostics_of(&good_alone, "cluster.yaml"));
    }

    /// The docs' manifests with a few characters inserted anywhere: every diagnostic is
    /// located, the documents before the damaged one load whole, and no error is reported
    /// before the damage.
    #[test]
    fn a_damaged_document_spoils_no_earlier_one(cut in 0usize..2000, insert in "[ \\-:{}\\[\\]\n#&*!|>'\"a-z0-9]{0,12}") {
        let base = include_str!("../../../tests/fixtures/docs-example/cluster.yaml").to_string()
            + "---\n" + include_str!("../../../tests/fixtures/docs-example/pod-2-networkpolicy.yaml");
        let mut at = cut.min(base.len());
        while !base.is_char_boundary(at) { at -= 1; }
        let text = format!("{}{}{}", &base[..at], insert, &base[at..]);
        let loaded = load(&[Source { name: "m.yaml", text: &text }]);
        check_locations(&text, &loaded.diagnostics)?;
        // The damaged document starts at the last `---` line wholly before the insertion (an
        // insertion inside or right before a marker merges two documents: the earlier counts).
        let damaged = document_starts(&base).into_iter().filter(|&p| p + 4 <= at).max().unwrap_or(0);
        let before = load(&[Source { name: "m.yaml", text: &base[..damaged] }]);
        let missing: Vec<String> = object_ids(&before).difference(&object_ids(&loaded)).cloned().collect();
        prop_assert!(missing.is_empty(), "inserting {:?} at {} lost {:?}", insert, at, missing);
        for d in loaded.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            prop_assert!(d.start >= damaged, "inserting {:?} at {}: {} is before the damage (byte {})", insert, at, d, damaged);
        }
    }
}

/// Byte offsets of the `---` document markers at the start of a line.
fn document_starts(text: &str) -> Vec<usize> {
    text.match_indices("---\n")
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')
        .collect()
}

/// Every object a load gave: `Kind id`.
fn object_ids(l: &Loaded) -> BTreeSet<String> {
    let c = &l.cluster;
    c.namespaces
        .iter()
        .map(|n| format!("Namespace {}", n.name))
        .chain(
            c.pods
                .iter()
                .map(|p| format!("{} {}", p.kind.as_str(), p.id())),
        )
        .chain(
            c.policies
                .iter()
                .map(|p| format!("NetworkPolicy {}", p.id())),
        )
        .collect()
}

/// One source's diagnostics, as printed.
fn diagnostics_of(l: &Loaded, source: &str) -> Vec<String> {
    l.diagnostics
        .iter()
        .filter(|d| d.source == source)
        .map(ToString::to_string)
        .collect()
}

/// Each diagnostic is inside `text`, on character boundaries, with the line and column of
/// its start offset, a stable code and a message.
fn check_locations(text: &str, diagnostics: &[Diagnostic]) -> Result<(), TestCaseError> {
    for d in diagnostics {
        prop_assert!(
            d.start <= d.end && d.end <= text.len(),
            "{} spans {}..{} of {} bytes",
            d,
            d.start,
            d.end,
            text.len()
        );
        prop_assert!(
            text.is_char_boundary(d.start) && text.is_char_boundary(d.end),
            "{} splits a character",
            d
        );
        let before = &text[..d.start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        prop_assert_eq!(
            (d.line, d.column),
            (line, column),
            "{} is at byte {}",
            d,
            d.start
        );
        prop_assert!(
            d.code.starts_with("NP") && !d.message.trim().is_empty(),
            "{}",
            d
        );
    }
    Ok(())
}

/// Input built to exhaust the parser is refused with one located syntax error (NP100), and
/// nothing of it loads: nesting past the depth limit, and an alias bomb (nine anchors of nine
/// aliases each, 9^5 nodes from 300 bytes) that a naive loader expands.
#[test]
fn deep_nesting_and_an_anchor_bomb_are_refused_with_one_located_error() {
    let deep_flow = "[".repeat(100_000);
    let deep_map = "a:\n".to_string()
        + &(1..2000)
            .map(|i| format!("{}b:\n", " ".repeat(i)))
            .collect::<String>();
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nkind: Pod\n";
    for (name, text) in [
        ("deep-flow.yaml", deep_flow.as_str()),
        ("deep-map.yaml", &deep_map),
        ("bomb.yaml", bomb),
    ] {
        let l = load(&[Source { name, text }]);
        let codes: Vec<(&str, Severity)> =
            l.diagnostics.iter().map(|d| (d.code, d.severity)).collect();
        assert_eq!(
            codes,
            [("NP100", Severity::Error)],
            "{name}: {:#?}",
            l.diagnostics
        );
        check_locations(text, &l.diagnostics).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            object_ids(&l).is_empty(),
            "{name} loaded {:?}",
            object_ids(&l)
        );
        let why = if name == "bomb.yaml" {
            "excessive aliasing"
        } else {
            "nesting deeper than"
        };
        assert!(
            l.diagnostics.iter().any(|d| d.message.contains(why)),
            "{name}: {:#?}",
            l.diagnostics
        );
    }
}

/// Big input stays linear: a 5 MB manifest of 15,000 objects, and a 5 MB document of one
/// long scalar and one long flow list, load completely (the suite would time out on a
/// quadratic path).
#[test]
fn five_megabyte_documents_load_completely() {
    let mut many = String::new();
    let mut i = 0;
    while many.len() < 5_000_000 {
        many += &format!("---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: n{}, labels: {{app: a{}}}}}\nspec: {{containers: [{{name: c, ports: [{{name: http, containerPort: 8080}}]}}]}}\n", i % 50, i % 7);
        i += 1;
    }
    let l = load(&[Source {
        name: "many.yaml",
        text: &many,
    }]);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics.first());
    assert_eq!(l.cluster.pods.len(), i);

    let long = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {{note: {}}}\n  labels: {{app: a}}\nspec: {{containers: [{{name: c, ports: [{}]}}]}}\n",
        "x".repeat(2_500_000),
        vec!["{containerPort: 80}"; 120_000].join(", ")
    );
    let l = load(&[Source {
        name: "long.yaml",
        text: &long,
    }]);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics.first());
    assert_eq!(l.cluster.pods.len(), 1);
    assert_eq!(l.cluster.pods[0].ports.len(), 120_000);
}

#[test]
fn a_pod_to_itself_is_always_allowed() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n";
    let l = load(&[Source {
        name: "t.yaml",
        text,
    }]);
    let a = Endpoint::parse(&l.cluster, "x/a").unwrap();
    assert!(verdict(
        &l.cluster,
        &Traffic {
            from: a.clone(),
            to: a,
            port: 80,
            protocol: Protocol::Tcp
        }
    ));
}
