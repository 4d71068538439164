//! Fetching a text file that sits next to the page (lessons, examples), relative to the
//! page so the site works from any sub-path, capped in size.

/// Fetches a text file relative to the page; an error says which file and why.
#[cfg(target_arch = "wasm32")]
pub async fn fetch_text(url: &str, max_len: usize) -> Result<String, String> {
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
    let text = JsFuture::from(text)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| format!("{url}: the body is not text"))?;
    if text.len() > max_len {
        return Err(format!("{url} is larger than {} KB", max_len / 1024));
    }
    Ok(text)
}

/// Native builds (the unit tests) have no fetch.
#[cfg(not(target_arch = "wasm32"))]
pub async fn fetch_text(url: &str, _max_len: usize) -> Result<String, String> {
    Err(format!("{url}: no fetch outside the browser"))
}
