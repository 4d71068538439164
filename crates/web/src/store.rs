//! The store every view reads the state from and sends actions to, shared through a Yew
//! context. Views import this module, never the start-up module (`app`), so the views and
//! the app that lays them out do not import each other.
//!
//! Sending an action that changes the workspace starts the app's two performance measures:
//! `netpol:evaluate`, the engine alone (it runs inside the reducer, so the measure is
//! closed right after the dispatch), and `netpol:update`, from the event that sent the
//! action (the keystroke's `input`) to the last DOM mutation the update causes, which
//! `update_timer` closes once the page is quiet.

use yew::prelude::*;

use crate::browser;
use crate::state::{Action, AppState};
use crate::update_timer;

/// The mark `netpol:evaluate` is measured from (the engine alone).
const EVALUATE_START: &str = "netpol:evaluate-start";

/// The reducer handle every view reads and dispatches through.
#[derive(Clone, PartialEq)]
pub struct Store(pub UseReducerHandle<AppState>);

impl Store {
    /// The state as of this render (a handle kept across renders keeps its old state).
    pub fn state(&self) -> &AppState {
        &self.0
    }

    /// Dispatches an action; workspace changes are timed with performance marks.
    pub fn send(&self, action: Action) {
        let timed = action.changes_workspace();
        if timed {
            update_timer::begin();
            browser::mark(EVALUATE_START);
        }
        self.0.dispatch(action);
        if timed {
            // `dispatch` runs the reducer (and so the engine) synchronously.
            browser::measure("netpol:evaluate", EVALUATE_START);
        }
    }

    /// A callback that sends a fixed action.
    pub fn action(&self, action: Action) -> Callback<()> {
        let store = self.clone();
        Callback::from(move |_| store.send(action.clone()))
    }
}

/// The store, from any view (`None` only outside `App`, where views render nothing).
#[hook]
pub fn use_store() -> Option<Store> {
    use_context::<Store>()
}
