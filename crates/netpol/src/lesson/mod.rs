//! Lessons: a starting workspace, a goal given as expected connectivity, optional
//! constraints, hints, a solution and known wrong answers, read from a YAML data file
//! (`www/lessons/*.yaml`), and the checker that grades a learner's workspace.
//!
//! Lessons are data so that a trainer adds one without touching Rust; the format is
//! documented in `www/lessons/README.md` and described for editors by
//! `www/lessons/schema.json`.
//!
//! - [`model`]: what a lesson is once read;
//! - [`expectation`]: one goal line and its syntax;
//! - `read`: the reader, the only part that sees YAML;
//! - `build`: the workspace part of a file turned into a playground [`Workspace`];
//! - `patch`: wrong answers written as edits to the solution;
//! - `probes`: the endpoints, addresses and ports the grader adds to compare on;
//! - `behaviour`: the comparison with the solution on every probe;
//! - [`check()`]: the grader, with `constraints` for the rules about how a goal is reached.
//!
//! [`Workspace`]: crate::workspace::Workspace

pub mod behaviour;
mod build;
pub mod check;
mod constraints;
pub mod expectation;
pub mod model;
mod patch;
pub mod probes;
mod read;

pub use behaviour::{Comparison, ConnectionDifference, Difference, Reference, ShownProbe};
pub use check::{
    check, check_evaluation, check_right_answer, check_wrong_answer, why_incomplete, Grader,
    Outcome, Report,
};
pub use expectation::Expectation;
pub use model::{
    Accept, Constraint, Failing, Leeway, Lesson, LessonIndex, RightAnswer, WrongAnswer,
};
pub use probes::{ProbeAddress, ProbePod, Probes};
pub use read::{parse_answer, parse_index, parse_lesson};
