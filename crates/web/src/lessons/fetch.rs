//! Fetching the course: `lessons/index.yaml` and each file it lists, relative to the page
//! (so the site works from any sub-path), each capped in size. The files are read by the
//! engine and assembled by `build_course`, which is pure and tested natively.

use std::collections::BTreeMap;

use netpol::lesson::parse_index;

use super::{build_course, lesson_url, Course};

/// Where the course lives, relative to the page.
const INDEX_URL: &str = "lessons/index.yaml";

/// Fetches a text file relative to the page.
#[cfg(target_arch = "wasm32")]
async fn fetch_text(url: &str) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("{url} could not be fetched (offline, or blocked)"))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("{url}: not an HTTP response"))?;
    if !response.ok() {
        return Err(format!("{url} answered HTTP {}", response.status()));
    }
    let text = response
        .text()
        .map_err(|_| format!("{url}: the body could not be read"))?;
    JsFuture::from(text)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| format!("{url}: the body is not text"))
}

/// Native builds (the unit tests) have no fetch.
#[cfg(not(target_arch = "wasm32"))]
async fn fetch_text(url: &str) -> Result<String, String> {
    Err(format!("{url}: no fetch outside the browser"))
}

/// Largest lesson or index file read (a lesson is a few KB).
const MAX_FILE: usize = 512 * 1024;

/// Fetches and reads the whole course. A broken lesson is listed as broken; only a missing
/// or unreadable index fails the course.
pub async fn load_course() -> Result<Course, String> {
    let index = fetch_text(INDEX_URL)
        .await
        .map_err(|e| format!("The lessons could not be loaded: {e}."))?;
    if index.len() > MAX_FILE {
        return Err("The lesson list is too large to be a lesson list.".into());
    }
    let files = parse_index(INDEX_URL, &index)
        .map(|i| i.lessons)
        .unwrap_or_default();
    let mut texts: BTreeMap<String, Result<String, String>> = BTreeMap::new();
    for file in &files {
        let Some(url) = lesson_url(file) else {
            continue;
        };
        let text = fetch_text(&url).await.and_then(|t| {
            if t.len() > MAX_FILE {
                Err(format!("{url} is larger than {} KB", MAX_FILE / 1024))
            } else {
                Ok(t)
            }
        });
        texts.insert(file.clone(), text);
    }
    build_course(&index, |f| texts.get(f).cloned())
}
