//! localStorage persistence: the workspace (the share DTO as JSON), whether it has unsaved
//! changes, one "previous work" slot that keeps what a link or `?example=` replaced (so
//! opening a link never loses work), the learner's lesson progress and the theme.
//!
//! Storage can be missing, full or disabled (private windows, embedded iframes with
//! third-party storage blocked): every function then degrades to "nothing saved".

use crate::lessons::Progress;
use crate::share::{ShareError, ShareState};

const KEY: &str = "netpol-playground:v1";
const DIRTY_KEY: &str = "netpol-playground:v1:dirty";
const PREVIOUS_KEY: &str = "netpol-playground:v1:previous";
const THEME_KEY: &str = "netpol-playground:theme";
const PROGRESS_KEY: &str = "netpol-playground:lessons:v1";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn set(key: &str, value: &str) -> Result<(), String> {
    let s = storage().ok_or("this browser does not let the page keep data")?;
    s.set_item(key, value)
        .map_err(|_| "the browser's storage is full or blocked".to_string())
}

/// The saved workspace and its unsaved-changes flag, if any (an unreadable save is
/// reported, not loaded).
pub fn load() -> Option<Result<(ShareState, bool), ShareError>> {
    let json = get(KEY)?;
    let dirty = get(DIRTY_KEY).as_deref() == Some("1");
    Some(ShareState::from_json(&json).map(|s| (s, dirty)))
}

/// Saves the workspace.
pub fn save(state: &ShareState, dirty: bool) -> Result<(), String> {
    set(KEY, &state.to_json())?;
    set(DIRTY_KEY, if dirty { "1" } else { "0" })
}

/// Keeps the current saved work in the "previous" slot (before a link replaces it), when
/// it has unsaved changes. Returns whether something was kept.
pub fn stash_previous() -> bool {
    let dirty = get(DIRTY_KEY).as_deref() == Some("1");
    match (dirty, get(KEY)) {
        (true, Some(json)) => set(PREVIOUS_KEY, &json).is_ok(),
        _ => false,
    }
}

/// The work a link replaced, if kept.
pub fn previous() -> Option<ShareState> {
    ShareState::from_json(&get(PREVIOUS_KEY)?).ok()
}

/// Forgets the previous work (after it was restored).
pub fn clear_previous() {
    if let Some(s) = storage() {
        let _ = s.remove_item(PREVIOUS_KEY);
    }
}

/// The learner's lesson progress (a fresh start when there is none, it is unreadable, or
/// storage is blocked: never an error the learner has to deal with).
pub fn lesson_progress() -> Progress {
    get(PROGRESS_KEY)
        .map(|json| Progress::from_json(&json))
        .unwrap_or_default()
}

/// Saves the lesson progress; storage that is full or blocked only loses the progress.
pub fn save_lesson_progress(progress: &Progress) {
    let _ = set(PROGRESS_KEY, &progress.to_json());
}

/// The theme the user picked (`light`, `dark`), or `None` to follow the OS.
pub fn theme() -> Option<String> {
    get(THEME_KEY).filter(|t| t == "light" || t == "dark")
}

/// Saves the theme choice (`None` follows the OS).
pub fn set_theme(theme: Option<&str>) {
    match theme {
        Some(t) => {
            let _ = set(THEME_KEY, t);
        }
        None => {
            if let Some(s) = storage() {
                let _ = s.remove_item(THEME_KEY);
            }
        }
    }
}
