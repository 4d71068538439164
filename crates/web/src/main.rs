//! netpol-web: the NetworkPolicy playground, a Yew app that runs the `netpol` engine in
//! the page. Nothing leaves the browser.
//!
//! Code map: `state` (the pure reducer) and `store` (how views reach it), `share` and
//! `storage` (persistence), `layout`, `display`, `forms`, `highlight` and `markdown` (pure
//! helpers for the views), `components` (views only), `browser` (thin browser API
//! wrappers), `update_timer` (the `netpol:update` measure, input event to last DOM
//! mutation), `lessons` (the lessons mode's course, progress and reducer), `app` (startup
//! and wiring: nothing imports it but `main`).

mod app;
mod browser;
mod chain;
mod compare;
mod components;
mod display;
mod examples;
mod export;
mod fetch;
mod flowlog;
mod forms;
mod highlight;
mod layout;
mod lessons;
mod markdown;
mod share;
mod state;
mod storage;
mod store;
mod update_timer;

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
