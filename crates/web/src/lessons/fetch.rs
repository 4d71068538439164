//! Fetching the course: `lessons/index.yaml` and each file it lists, relative to the page
//! (so the site works from any sub-path), each capped in size. The files are read by the
//! engine and assembled by `build_course`, which is pure and tested natively.

use std::collections::BTreeMap;

use netpol::lesson::parse_index;

use crate::fetch::fetch_text;

use super::{build_course, lesson_url, Course};

/// Where the course lives, relative to the page.
const INDEX_URL: &str = "lessons/index.yaml";

/// Largest lesson or index file read (a lesson is a few KB).
const MAX_FILE: usize = 512 * 1024;

/// Fetches and reads the whole course. A broken lesson is listed as broken; only a missing
/// or unreadable index fails the course.
pub async fn load_course() -> Result<Course, String> {
    let index = fetch_text(INDEX_URL, MAX_FILE)
        .await
        .map_err(|e| format!("The lessons could not be loaded: {e}."))?;
    let files = parse_index(INDEX_URL, &index)
        .map(|i| i.lessons)
        .unwrap_or_default();
    let mut texts: BTreeMap<String, Result<String, String>> = BTreeMap::new();
    for file in &files {
        let Some(url) = lesson_url(file) else {
            continue;
        };
        let text = fetch_text(&url, MAX_FILE).await;
        texts.insert(file.clone(), text);
    }
    build_course(&index, |f| texts.get(f).cloned())
}
