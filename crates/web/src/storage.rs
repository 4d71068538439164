//! localStorage persistence: the workspace (the share DTO as JSON), whether it has unsaved
//! changes, and one "previous work" slot that keeps what a link or `?example=` replaced,
//! so opening a link never loses work.
//!
//! Storage can be missing, full or disabled (private windows, embedded iframes with
//! third-party storage blocked): every function then degrades to "nothing saved".

use crate::share::{ShareError, ShareState};

const KEY: &str = "netpol-playground:v1";
const DIRTY_KEY: &str = "netpol-playground:v1:dirty";
const PREVIOUS_KEY: &str = "netpol-playground:v1:previous";
const THEME_KEY: &str = "netpol-playground:theme";

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
