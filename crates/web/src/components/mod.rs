//! Views. Each component reads the store and renders; all policy logic stays in the
//! engine and all state changes go through `state::Action`.

pub mod compare;
pub mod diagram;
pub mod dialogs;
pub mod editor;
pub mod explain_chain;
pub mod explain_view;
pub mod file_drop;
pub mod icons;
pub mod inspector;
pub mod lessons;
pub mod modal;
pub mod output;
pub mod toolbar;
