//! Export of the diagram as SVG and PNG, for docs. The live SVG already carries its styles
//! (a `<style>` child), so a clone with the `export` class (light colours, no handles) and
//! the whole diagram's viewBox is a standalone file; the PNG is that SVG drawn on a canvas
//! at twice the size.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlCanvasElement, HtmlImageElement};

use crate::browser;

/// Largest PNG side in pixels (canvas limits and memory).
const MAX_PNG_SIDE: f64 = 8000.0;

/// The standalone SVG and its size.
fn standalone_svg() -> Result<(String, f64, f64), String> {
    let svg: Element = browser::by_id("diagram-svg").ok_or("there is no diagram to export")?;
    let clone: Element = svg
        .clone_node_with_deep(true)
        .map_err(|_| "the diagram could not be copied")?
        .dyn_into()
        .map_err(|_| "the diagram could not be copied")?;
    let bounds = svg
        .get_attribute("data-bounds")
        .unwrap_or_else(|| svg.get_attribute("viewBox").unwrap_or_default());
    let parts: Vec<f64> = bounds
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    let (w, h) = match parts.as_slice() {
        [_, _, w, h] if *w > 0.0 && *h > 0.0 => (*w, *h),
        _ => (800.0, 600.0),
    };
    let _ = clone.set_attribute("viewBox", &bounds);
    let _ = clone.set_attribute("width", &format!("{w:.0}"));
    let _ = clone.set_attribute("height", &format!("{h:.0}"));
    let _ = clone.set_attribute("class", "diagram export");
    let _ = clone.remove_attribute("id");
    for sel in [".no-export", ".edge-hit"] {
        if let Ok(list) = clone.query_selector_all(sel) {
            for i in 0..list.length() {
                if let Some(n) = list.get(i) {
                    if let Some(p) = n.parent_node() {
                        let _ = p.remove_child(&n);
                    }
                }
            }
        }
    }
    let xml = web_sys::XmlSerializer::new()
        .and_then(|s| s.serialize_to_string(&clone))
        .map_err(|_| "the diagram could not be serialised")?;
    Ok((
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{xml}\n"),
        w,
        h,
    ))
}

/// Downloads the diagram as `netpol-diagram.svg`.
pub fn download_svg() -> Result<(), String> {
    let (svg, _, _) = standalone_svg()?;
    browser::download_text("netpol-diagram.svg", "image/svg+xml", &svg)
}

/// Downloads the diagram as `netpol-diagram.png` (2× scale, white background).
pub async fn download_png() -> Result<(), String> {
    let (svg, w, h) = standalone_svg()?;
    let scale = (2.0f64).min(MAX_PNG_SIDE / w.max(h).max(1.0));
    let doc = browser::document().ok_or("no document")?;
    let img: HtmlImageElement = doc
        .create_element("img")
        .map_err(|_| "no image")?
        .dyn_into()
        .map_err(|_| "no image")?;
    let url = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&svg))
    );
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let bad = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::NULL);
        });
        img.set_onload(Some(ok.unchecked_ref()));
        img.set_onerror(Some(bad.unchecked_ref()));
    });
    img.set_src(&url);
    wasm_bindgen_futures::JsFuture::from(loaded)
        .await
        .map_err(|_| "the browser could not draw the diagram")?;
    let canvas: HtmlCanvasElement = doc
        .create_element("canvas")
        .map_err(|_| "no canvas")?
        .dyn_into()
        .map_err(|_| "no canvas")?;
    canvas.set_width((w * scale).round() as u32);
    canvas.set_height((h * scale).round() as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("no 2D canvas")?;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, w * scale, h * scale);
    ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, w * scale, h * scale)
        .map_err(|_| "the browser could not draw the diagram")?;
    let data = canvas
        .to_data_url_with_type("image/png")
        .map_err(|_| "the browser could not encode the PNG")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| "no anchor")?
        .dyn_into()
        .map_err(|_| "no anchor")?;
    a.set_href(&data);
    a.set_download("netpol-diagram.png");
    a.click();
    Ok(())
}
