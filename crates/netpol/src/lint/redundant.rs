//! Rules covered by another rule of the same policy, and peers covered by another peer of
//! the same rule. Harmless to traffic, but they usually mean the author believed the
//! broader rule was narrower (a `- {}` rule allows everything, whatever follows it).

use super::codes;
use super::context::{effective_rules, field, Context};
use super::logic::{peer_covers, rule_covers};
use crate::diag::Diagnostic;
use crate::model::{Direction, Labels, Rule};

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (index, policy) in cx.cluster.policies.iter().enumerate() {
        let own = cx.namespace_labels(&policy.namespace);
        for direction in [Direction::Ingress, Direction::Egress] {
            rules(cx, index, direction, policy.rules(direction), &own, out);
        }
        for (direction, r, rule) in effective_rules(policy) {
            peers(cx, index, (direction, r), rule, &own, out);
        }
    }
}

/// The first other item that covers item `j`; of two identical items the later is reported.
fn coverer<T>(items: &[T], j: usize, covers: impl Fn(&T, &T) -> bool) -> Option<usize> {
    let item = items.get(j)?;
    items.iter().enumerate().find_map(|(i, other)| {
        let hit = i != j && covers(other, item) && (i < j || !covers(item, other));
        hit.then_some(i)
    })
}

fn rules(
    cx: &Context<'_>,
    index: usize,
    direction: Direction,
    list: &[Rule],
    own: &Labels,
    out: &mut Vec<Diagnostic>,
) {
    for j in 0..list.len() {
        let Some(i) = coverer(list, j, |a, b| rule_covers(a, b, own)) else {
            continue;
        };
        let broad = list
            .get(i)
            .is_some_and(|r| r.peers.is_empty() && r.ports.is_empty());
        let why = if broad {
            format!(
                "{}[{i}] has no peers and no ports, so it allows everything",
                field(direction)
            )
        } else {
            format!(
                "{}[{i}] already allows everything it allows",
                field(direction)
            )
        };
        out.push(
            cx.report_at(
                codes::REDUNDANT,
                &cx.rule_origin(index, direction, j),
                format!("this rule adds nothing: {why}"),
            )
            .with_help(format!("delete it, or narrow {}[{i}]", field(direction))),
        );
    }
}

fn peers(
    cx: &Context<'_>,
    index: usize,
    (direction, r): (Direction, usize),
    rule: &Rule,
    own: &Labels,
    out: &mut Vec<Diagnostic>,
) {
    let list = match direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    };
    for q in 0..rule.peers.len() {
        let Some(p) = coverer(&rule.peers, q, |a, b| peer_covers(a, b, own)) else {
            continue;
        };
        out.push(
            cx.report_at(
                codes::REDUNDANT,
                &cx.peer_origin(index, direction, r, q),
                format!("this peer adds nothing: `{list}[{p}]` of the same rule already matches everything it matches"),
            )
            .with_help("delete it"),
        );
    }
}
