//! The playground's incremental evaluation gives exactly what evaluating from scratch gives:
//! an `Evaluator` fed a sequence of edits (keystrokes, pastes, deletions, documents moved,
//! broken and mended) agrees with `evaluate` after every one of them.

#![allow(clippy::unwrap_used, reason = "test code")]

mod common;

use netpol::generate::Intent;
use netpol::workspace::{evaluate, Evaluation, Evaluator, Workspace};
use proptest::prelude::*;

const DOCS: &str = include_str!("../../../www/examples/docs.yaml");

fn same(a: &Evaluation, b: &Evaluation) -> Result<(), String> {
    let checks = [
        ("cluster", a.loaded.cluster == b.loaded.cluster),
        ("diagnostics", a.loaded.diagnostics == b.loaded.diagnostics),
        ("lints", a.lints == b.lints),
        (
            "workspace diagnostics",
            a.workspace_diagnostics == b.workspace_diagnostics,
        ),
        ("effective cluster", a.effective == b.effective),
        ("endpoints", a.endpoints == b.endpoints),
        (
            "generated",
            a.generated.as_ref().map(|g| &g.yaml).ok()
                == b.generated.as_ref().map(|g| &g.yaml).ok(),
        ),
    ];
    match checks.iter().find(|(_, ok)| !ok) {
        Some((what, _)) => Err(format!("the {what} differ")),
        None => Ok(()),
    }
}

/// One edit of the text: insert or delete at a position, or swap two documents.
#[derive(Clone, Debug)]
enum Edit {
    Insert(prop::sample::Index, &'static str),
    Delete(prop::sample::Index, usize),
    SwapDocuments(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (
            any::<prop::sample::Index>(),
            prop::sample::select(vec![
                "x", " ", "\n", ":", "-", "app: x\n", "---\n", "  ", "#", "{", "yes", "010",
            ])
        )
            .prop_map(|(i, s)| Edit::Insert(i, s)),
        (any::<prop::sample::Index>(), 1usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<prop::sample::Index>().prop_map(Edit::SwapDocuments),
    ]
}

fn apply(text: &mut String, e: &Edit) {
    let at = |i: &prop::sample::Index, text: &String| {
        let mut at = i.index(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    match e {
        Edit::Insert(i, s) => {
            let p = at(i, text);
            text.insert_str(p, s);
        }
        Edit::Delete(i, n) => {
            let p = at(i, text);
            let mut end = (p + n).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.replace_range(p..end, "");
        }
        Edit::SwapDocuments(i) => {
            let mut docs: Vec<&str> = text.split("\n---\n").collect();
            if docs.len() > 1 {
                let k = i.index(docs.len() - 1);
                docs.swap(k, k + 1);
            }
            *text = docs.join("\n---\n");
        }
    }
}

proptest! {
    #![proptest_config(common::cases(64))]

    #[test]
    fn the_evaluator_agrees_with_a_fresh_evaluation_after_every_edit(
        edits in prop::collection::vec(edit(), 1..12),
        with_arrows in any::<bool>(),
    ) {
        let arrows = if with_arrows {
            vec![Intent {
                from: "team-one-namespace/pod-1".into(),
                to: "team-two-namespace/pod-3".into(),
                ports: Vec::new(),
            }]
        } else {
            Vec::new()
        };
        let mut ws = Workspace { manifests: DOCS.to_string(), arrows, ..Workspace::default() };
        let mut evaluator = Evaluator::default();
        prop_assert!(same(&evaluator.evaluate(&ws), &evaluate(&ws)).is_ok());
        for e in &edits {
            apply(&mut ws.manifests, e);
            let incremental = evaluator.evaluate(&ws);
            let fresh = evaluate(&ws);
            if let Err(why) = same(&incremental, &fresh) {
                prop_assert!(false, "after {e:?}: {why}\n{}", ws.manifests);
            }
        }
    }
}
