//! Thin wrappers over the browser APIs the app uses (location, history, performance
//! marks, clipboard, downloads). Every call tolerates a missing API and reports failure as
//! a value: a browser quirk must never become a panic.

use wasm_bindgen::{JsCast, JsValue};

/// The window, if there is one.
pub fn window() -> Option<web_sys::Window> {
    // Natively (the unit tests) web_sys panics instead: the reducer's flow-log marks run there.
    cfg!(target_arch = "wasm32").then(web_sys::window).flatten()
}

pub fn document() -> Option<web_sys::Document> {
    window()?.document()
}

/// A query parameter of the page URL (`?example=docs`).
pub fn query_param(name: &str) -> Option<String> {
    let search = window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name)
}

/// The URL fragment, `#` included (empty when none).
pub fn hash() -> String {
    window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The page URL without its fragment.
fn href_without_hash() -> String {
    let href = window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    match href.split_once('#') {
        Some((base, _)) => base.to_string(),
        None => href,
    }
}

/// The page URL without its query and fragment (where the playground lives).
pub fn page_base() -> String {
    let base = href_without_hash();
    match base.split_once('?') {
        Some((b, _)) => b.to_string(),
        None => base,
    }
}

/// Replaces the current history entry's URL (no reload, no new entry).
fn replace_url(url: &str) {
    if let Some(h) = window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

/// Drops `names` from the query and the fragment from the URL, keeping other parameters
/// (`embed=1`, anything a host page added).
pub fn clean_url(names: &[&str]) {
    let Some(w) = window() else { return };
    let loc = w.location();
    let search = loc.search().unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return;
    };
    for n in names {
        params.delete(n);
    }
    let query: String = params.to_string().into();
    let path = loc.pathname().unwrap_or_default();
    let url = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    replace_url(&url);
}

/// `performance.mark(name)`.
pub fn mark(name: &str) {
    if let Some(p) = window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// `performance.measure(name, start)` and clears the start mark, so each measure covers
/// one update. Does nothing when the start mark is missing.
pub fn measure(name: &str, start: &str) {
    if let Some(p) = window().and_then(|w| w.performance()) {
        if p.get_entries_by_name_with_entry_type(start, "mark")
            .length()
            == 0
        {
            return;
        }
        let _ = p.measure_with_start_mark(name, start);
        p.clear_marks_with_mark_name(start);
    }
}

/// Copies text to the clipboard; resolves whether it worked (permission, focus).
pub async fn copy_text(text: &str) -> bool {
    let Some(w) = window() else { return false };
    let promise = w.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Offers `content` as a file download.
pub fn download_text(filename: &str, mime: &str, content: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(content));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| "the browser could not create the file".to_string())?;
    download_blob(filename, &blob)
}

/// Offers a blob as a file download.
fn download_blob(filename: &str, blob: &web_sys::Blob) -> Result<(), String> {
    let doc = document().ok_or("no document")?;
    let url = web_sys::Url::create_object_url_with_blob(blob)
        .map_err(|_| "the browser could not create the file".to_string())?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| "no anchor".to_string())?
        .dyn_into()
        .map_err(|_| "no anchor".to_string())?;
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    // Revoke later: some browsers start the download asynchronously.
    gloo::timers::callback::Timeout::new(5_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// The element with this id, cast.
pub fn by_id<T: JsCast>(id: &str) -> Option<T> {
    document()?.get_element_by_id(id)?.dyn_into::<T>().ok()
}

/// A CSS attribute selector, `[name="value"]`, with the value escaped.
fn attr_selector(name: &str, value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("[{name}=\"{escaped}\"]")
}

/// The selector of the diagram node for endpoint `id`.
pub fn node_selector(id: &str) -> String {
    attr_selector("data-endpoint", id)
}

/// The selector of the drawn arrow from `from` to `to`.
pub fn arrow_selector(from: &str, to: &str) -> String {
    format!(
        "{}{}[data-verdict]",
        attr_selector("data-from", from),
        attr_selector("data-to", to)
    )
}

/// Moves keyboard focus to the first element `selector` finds (HTML or SVG).
pub fn focus(selector: &str) {
    let Some(el) = document().and_then(|d| d.query_selector(selector).ok().flatten()) else {
        return;
    };
    if let Some(el) = el.dyn_ref::<web_sys::HtmlElement>() {
        let _ = el.focus();
    } else if let Some(el) = el.dyn_ref::<web_sys::SvgElement>() {
        let _ = el.focus();
    }
}

/// [`focus`], once the render an action started has landed (a task later): the element
/// may not exist yet (a new arrow, the inspector) or be about to be replaced. Keyboard
/// users keep their place this way instead of falling back to the page's start.
pub fn focus_soon(selector: String) {
    gloo::timers::callback::Timeout::new(0, move || focus(&selector)).forget();
}
