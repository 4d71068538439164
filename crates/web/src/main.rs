//! netpol-web: the NetworkPolicy playground, a Yew app that runs the `netpol` engine in
//! the page. Nothing leaves the browser.
//!
//! Code map: `state` (the pure reducer), `share` and `storage` (persistence), `layout`
//! and `highlight` (pure helpers for the views), `components` (views only), `browser`
//! (thin browser API wrappers), `lessons` (the lessons mode's course, progress and
//! reducer), `app` (startup and wiring).

mod app;
mod browser;
mod components;
mod examples;
mod export;
mod forms;
mod highlight;
mod layout;
mod lessons;
mod share;
mod state;
mod storage;

fn main() {
    let root = browser::document().and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(el) => {
            yew::Renderer::<app::App>::with_root(el).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}
