//! The goal overlay, while a lesson is open: the lesson's goal lines between their
//! endpoints, each marked met or not met from the engine's grade (`lessons::Grade`). Two
//! layers: the arcs under the learner's arrows, the chips over the nodes. Exports leave
//! both out: the goal is the lesson's, not the cluster's.
//!
//! Goal lines must never pass for the learner's own arrows, so they look different in
//! every way but colour's meaning: one dotted arc per pair of endpoints (bent away from
//! where an arrow between them is drawn), an open arrowhead, or a stop bar when every line
//! of the pair must stay blocked, and one chip per goal line saying what the lesson asks
//! (`allow 8080/TCP`, `block 9090/TCP`). Met and not met differ by icon (✓ / ✕), by the
//! chip (outlined / filled), by the arc's weight and in the accessible name. What needs
//! work gets words: a line not met (or selected) has a full chip, a met one a small ✓
//! square, its words in the tooltip and accessible name. A chip is a button: it selects
//! the goal line, and the inspector shows the engine's explanation.

use netpol::lesson::{Outcome, Report};
use yew::prelude::*;

use super::fmt;
use super::scene::{Scene, Shared};
use super::selection_handlers;
use crate::layout::{edge_path, Pos};
use crate::lessons::Grade;
use crate::state::Selection;
use crate::store::{use_store, Store};

/// How far a goal arc bends from the straight line (SVG units at its control point):
/// enough to clear a drawn arrow between the same nodes, bent or not.
const GOAL_BEND: f64 = 56.0;
const CHIP_H: f64 = 20.0;
const CHIP_GAP: f64 = 3.0;

/// The goal lines between one ordered pair of endpoints, drawn as one arc.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalPair {
    pub from: String,
    pub to: String,
    /// Indexes into the lesson's goal, in goal order.
    pub items: Vec<usize>,
}

/// The goal grouped by ordered pair of endpoints, pairs in the order of their first line.
pub fn goal_pairs(report: &Report) -> Vec<GoalPair> {
    let mut pairs: Vec<GoalPair> = Vec::new();
    for (i, o) in report.outcomes.iter().enumerate() {
        let e = &o.expectation;
        match pairs.iter_mut().find(|p| p.from == e.from && p.to == e.to) {
            Some(p) => p.items.push(i),
            None => pairs.push(GoalPair {
                from: e.from.clone(),
                to: e.to.clone(),
                items: vec![i],
            }),
        }
    }
    pairs
}

/// How many goal lines have an endpoint the diagram does not show (an address no
/// `externals:` entry draws, a pod that is not there).
pub fn goal_lines_off_diagram(report: &Report, scene: &Scene) -> usize {
    let shown = |id: &str| scene.layout.nodes.contains_key(id);
    report
        .outcomes
        .iter()
        .filter(|o| !(shown(&o.expectation.from) && shown(&o.expectation.to)))
        .count()
}

/// What a chip says: the lesson's verb and the port (`allow 8080/TCP`, `block 53/UDP`).
pub fn chip_text(o: &Outcome) -> String {
    let e = &o.expectation;
    let verb = if e.allowed { "allow" } else { "block" };
    format!("{verb} {}/{}", e.port, e.protocol.as_str())
}

/// The chip's accessible name: what the chip shows first (its mark and words, so screen
/// readers hear the visible text), then the status and the goal line as a sentence.
pub fn chip_label(o: &Outcome) -> String {
    let e = &o.expectation;
    let status = if o.met { "met" } else { "not met" };
    let asked = if e.allowed {
        "must be allowed"
    } else {
        "must stay blocked"
    };
    let now = match (&o.error, o.actual) {
        (Some(_), _) => "cannot be checked",
        (None, true) => "allowed now",
        (None, false) => "blocked now",
    };
    format!(
        "{} {}. Goal {status}: {} to {} on {}/{} {asked} ({now}). Enter shows why.",
        chip_mark(o),
        chip_text(o),
        e.from,
        e.to,
        e.port,
        e.protocol.as_str()
    )
}

/// The chip's mark: ✓ met, ✕ not met.
fn chip_mark(o: &Outcome) -> &'static str {
    if o.met {
        "✓"
    } else {
        "✕"
    }
}

#[derive(Properties, PartialEq)]
pub struct GoalsProps {
    pub grade: Grade,
    pub scene: Shared<Scene>,
    pub moving: Option<(String, Pos)>,
}

/// One pair's goal lines with their outcomes, where its arc goes and its midpoint.
struct Arc<'a> {
    pair: GoalPair,
    outcomes: Vec<(usize, &'a Outcome)>,
    d: String,
    mid: Pos,
}

impl Arc<'_> {
    fn all_met(&self) -> bool {
        self.outcomes.iter().all(|(_, o)| o.met)
    }

    fn status(&self) -> &'static str {
        if self.all_met() {
            "met"
        } else {
            "unmet"
        }
    }
}

/// The arcs of the pairs whose two endpoints are on the diagram.
fn arcs<'a>(report: &'a Report, props: &GoalsProps) -> Vec<Arc<'a>> {
    let pos = |id: &str| props.scene.position(id, props.moving.as_ref());
    goal_pairs(report)
        .into_iter()
        .filter_map(|pair| {
            let (a, b) = (pos(&pair.from)?, pos(&pair.to)?);
            let (d, mid) = edge_path(a, b, GOAL_BEND);
            let outcomes = pair
                .items
                .iter()
                .filter_map(|&i| report.outcomes.get(i).map(|o| (i, o)))
                .collect();
            Some(Arc {
                pair,
                outcomes,
                d,
                mid,
            })
        })
        .collect()
}

fn selected_goal(store: &Store) -> Option<usize> {
    match store.state().ui.selection {
        Some(Selection::Goal(i)) => Some(i),
        _ => None,
    }
}

/// The arcs, drawn under the learner's arrows.
#[function_component(GoalArcsLayer)]
pub fn goal_arcs_layer(props: &GoalsProps) -> Html {
    let (Some(store), Some(graded)) = (use_store(), props.grade.graded()) else {
        return html! {};
    };
    let selected = selected_goal(&store);
    let arcs = arcs(&graded.report, props).into_iter().map(|arc| {
        let all_deny = arc.outcomes.iter().all(|(_, o)| !o.expectation.allowed);
        let status = arc.status();
        let end = if all_deny { "stop" } else { "open" };
        let holds_selected = selected.is_some_and(|s| arc.pair.items.contains(&s));
        html! {
            <g class={classes!("goal", status, if all_deny { "deny" } else { "allow" }, holds_selected.then_some("selected"))}
                data-goal-from={arc.pair.from.clone()} data-goal-to={arc.pair.to.clone()}>
                <path class="goal-band" d={arc.d.clone()} />
                <path class="goal-line" d={arc.d} marker-end={format!("url(#gh-{end}-{status})")} />
            </g>
        }
    });
    html! {
        <g class="goals no-export" aria-hidden="true">
            { goal_markers() }
            { for arcs }
        </g>
    }
}

/// The chips, drawn over the nodes so none hides behind one: the goal lines as buttons.
#[function_component(GoalChipsLayer)]
pub fn goal_chips_layer(props: &GoalsProps) -> Html {
    let (Some(store), Some(graded)) = (use_store(), props.grade.graded()) else {
        return html! {};
    };
    let selected = selected_goal(&store);
    let chips = arcs(&graded.report, props).into_iter().flat_map(|arc| {
        chip_places(&arc.outcomes, selected, arc.mid)
            .into_iter()
            .map(|(i, o, place)| chip(&store, i, o, place, selected == Some(i)))
            .collect::<Vec<_>>()
    });
    html! {
        <g class="goal-chips no-export" role="group" aria-label="Lesson goal">{ for chips }</g>
    }
}

/// Where a chip goes: its top-left corner, its width, and whether it shows its words.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Place {
    at: Pos,
    width: f64,
    full: bool,
}

/// The chips of one arc around its midpoint `label`: full chips (lines not met, and the
/// selected one) stacked, the small squares of met lines in a row under them.
fn chip_places<'a>(
    outcomes: &[(usize, &'a Outcome)],
    selected: Option<usize>,
    label: Pos,
) -> Vec<(usize, &'a Outcome, Place)> {
    let full = |(i, o): &(usize, &Outcome)| !o.met || selected == Some(*i);
    let (wide, small): (Vec<(usize, &Outcome)>, Vec<_>) = outcomes.iter().partition(|x| full(x));
    let width = wide
        .iter()
        .map(|(_, o)| chip_width(&chip_text(o)))
        .fold(0.0, f64::max);
    let rows = wide.len() + usize::from(!small.is_empty());
    let top = label.y - (rows as f64 * (CHIP_H + CHIP_GAP) - CHIP_GAP) / 2.0;
    let row_y = |row: usize| top + row as f64 * (CHIP_H + CHIP_GAP);
    let mut out: Vec<(usize, &Outcome, Place)> = wide
        .iter()
        .enumerate()
        .map(|(row, &(i, o))| {
            let at = Pos {
                x: label.x - width / 2.0,
                y: row_y(row),
            };
            (
                i,
                o,
                Place {
                    at,
                    width,
                    full: true,
                },
            )
        })
        .collect();
    let row_w = small.len() as f64 * (CHIP_H + CHIP_GAP) - CHIP_GAP;
    out.extend(small.iter().enumerate().map(|(k, &(i, o))| {
        let at = Pos {
            x: label.x - row_w / 2.0 + k as f64 * (CHIP_H + CHIP_GAP),
            y: row_y(wide.len()),
        };
        let place = Place {
            at,
            width: CHIP_H,
            full: false,
        };
        (i, o, place)
    }));
    out
}

/// A chip's width for its text (the labels' font, measured roughly like the arrows').
fn chip_width(text: &str) -> f64 {
    28.0 + text.chars().count() as f64 * 6.4
}

fn chip(store: &Store, index: usize, o: &Outcome, place: Place, selected: bool) -> Html {
    let (onclick, onkeydown) = selection_handlers(store, Selection::Goal(index));
    let e = &o.expectation;
    let status = if o.met { "met" } else { "unmet" };
    let tooltip = format!(
        "Goal: {} → {} on {}/{}, {}",
        e.from,
        e.to,
        e.port,
        e.protocol.as_str(),
        if o.met { "met" } else { "not met" }
    );
    html! {
        <g class={classes!("goal-chip", status, if e.allowed { "allow" } else { "deny" }, (!place.full).then_some("compact"), selected.then_some("selected"))}
            transform={format!("translate({:.1} {:.1})", place.at.x, place.at.y)}
            data-goal-index={index.to_string()} data-met={o.met.to_string()} data-expectation={e.to_string()}
            tabindex="0" role="button" aria-label={chip_label(o)} aria-pressed={selected.to_string()}
            {onclick} {onkeydown}>
            <title>{ tooltip }</title>
            <rect class="goal-chip-bg" width={fmt(place.width)} height={fmt(CHIP_H)} rx="4" />
            <text class="goal-chip-icon" x={if place.full { "11" } else { "10" }} y="14.5" text-anchor="middle">{ chip_mark(o) }</text>
            if place.full {
                <text class="goal-chip-text" x="22" y="14">{ chip_text(o) }</text>
            }
        </g>
    }
}

/// The goal arcs' ends: an open arrowhead (`open`) or a stop bar (`stop`: the connection
/// must stay blocked), in the met and not-met colours.
fn goal_markers() -> Html {
    let marker = |end: &str, status: &str| {
        let shape = if end == "stop" {
            html! { <path d="M5 0 L9 0 L9 10 L5 10 z" /> }
        } else {
            html! { <path d="M1 1 L9 5 L1 9" /> }
        };
        html! {
            <marker id={format!("gh-{end}-{status}")} class={classes!("gh", end.to_string(), status.to_string())}
                viewBox="0 0 10 10" refX="9" refY="5" markerWidth="13" markerHeight="13"
                orient="auto-start-reverse" markerUnits="userSpaceOnUse">
                { shape }
            </marker>
        }
    };
    html! {
        <defs>
            { marker("open", "met") }
            { marker("open", "unmet") }
            { marker("stop", "met") }
            { marker("stop", "unmet") }
        </defs>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netpol::lesson::{check, parse_lesson};

    fn lesson(file: &str) -> netpol::lesson::Lesson {
        let path = format!("{}/../../www/lessons/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        parse_lesson(file, &text).unwrap()
    }

    #[test]
    fn goal_lines_are_grouped_by_ordered_pair_in_goal_order() {
        let l = lesson("08-ports.yaml");
        let report = check(&l, &l.start);
        let pairs = goal_pairs(&report);
        let all: usize = pairs.iter().map(|p| p.items.len()).sum();
        assert_eq!(all, l.goal.len(), "every goal line is in one pair");
        for p in &pairs {
            assert!(p.items.windows(2).all(|w| w[0] < w[1]));
            for &i in &p.items {
                assert_eq!(l.goal[i].from, p.from);
                assert_eq!(l.goal[i].to, p.to);
            }
        }
        let hop = pairs
            .iter()
            .find(|p| p.from.ends_with("/pod-2") && p.to.ends_with("/pod-3"))
            .unwrap();
        assert_eq!(
            hop.items.len(),
            5,
            "five ports of pod-2 -> pod-3 share one arc"
        );
    }

    #[test]
    fn chips_say_what_the_lesson_asks_and_whether_it_is_met() {
        let l = lesson("09-draw-the-diagram.yaml");
        let start = check(&l, &l.start);
        let solved = check(&l, &l.solution);
        // Goal line 0 allows pod-1 -> pod-2 : 8080; line 2 keeps 9090 blocked.
        let (allow, block) = (&start.outcomes[0], &start.outcomes[2]);
        assert_eq!(chip_text(allow), "allow 8080/TCP");
        assert_eq!(chip_text(block), "block 9090/TCP");
        assert!(!allow.met && block.met);
        assert!(chip_label(allow).starts_with("✕ allow 8080/TCP. Goal not met: "));
        assert!(chip_label(allow).contains("must be allowed (blocked now)"));
        assert!(chip_label(block).starts_with("✓ block 9090/TCP. Goal met: "));
        assert!(chip_label(block).contains("must stay blocked (blocked now)"));
        assert!(chip_label(&solved.outcomes[0]).contains("must be allowed (allowed now)"));
    }

    #[test]
    fn lines_not_met_get_words_and_met_ones_a_square_in_a_row_below() {
        let l = lesson("08-ports.yaml");
        let report = check(&l, &l.start);
        let pair = goal_pairs(&report)
            .into_iter()
            .find(|p| p.items.len() == 5)
            .unwrap();
        let outcomes: Vec<(usize, &Outcome)> = pair
            .items
            .iter()
            .map(|&i| (i, &report.outcomes[i]))
            .collect();
        let mid = Pos { x: 500.0, y: 300.0 };
        let placed = chip_places(&outcomes, None, mid);
        assert_eq!(placed.len(), 5);
        for (_, o, place) in &placed {
            assert_eq!(place.full, !o.met, "words only where work is needed");
        }
        // Selecting a met line gives it words too.
        let met = outcomes.iter().find(|(_, o)| o.met).unwrap().0;
        let placed = chip_places(&outcomes, Some(met), mid);
        assert!(placed.iter().any(|(i, _, p)| *i == met && p.full));
        // No two chips overlap, and the stack is centred on the arc's midpoint.
        for (a, (_, _, p)) in placed.iter().enumerate() {
            for (_, _, q) in placed.iter().skip(a + 1) {
                let apart = p.at.x + p.width <= q.at.x
                    || q.at.x + q.width <= p.at.x
                    || p.at.y + CHIP_H <= q.at.y
                    || q.at.y + CHIP_H <= p.at.y;
                assert!(apart, "{p:?} overlaps {q:?}");
            }
        }
        let top = placed
            .iter()
            .map(|(_, _, p)| p.at.y)
            .fold(f64::MAX, f64::min);
        let bottom = placed
            .iter()
            .map(|(_, _, p)| p.at.y + CHIP_H)
            .fold(f64::MIN, f64::max);
        assert!(((top + bottom) / 2.0 - mid.y).abs() < 0.01);
    }

    #[test]
    fn goal_lines_to_addresses_not_drawn_are_counted() {
        let l = lesson("01-default-policy.yaml");
        let share = crate::lessons::share_of(&l.start);
        let mut state = crate::state::AppState::new(
            &share,
            crate::state::LoadOrigin::Lesson {
                id: l.id.clone(),
                solution: false,
            },
        );
        let report = netpol::lesson::check_evaluation(&l, &state.derived.eval);
        let scene = super::super::scene::build(&state, 2.0, &[]);
        assert_eq!(goal_lines_off_diagram(&report, &scene), 0);
        // Without its externals, the lines to 8.8.8.8 and 10.1.2.3 have nowhere to go.
        let bare = crate::share::ShareState {
            externals: Vec::new(),
            ..share
        };
        state = crate::state::AppState::new(&bare, crate::state::LoadOrigin::Shared);
        let report = netpol::lesson::check_evaluation(&l, &state.derived.eval);
        let scene = super::super::scene::build(&state, 2.0, &[]);
        assert_eq!(goal_lines_off_diagram(&report, &scene), 2);
    }
}
