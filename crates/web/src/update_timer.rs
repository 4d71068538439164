//! The `netpol:update` performance measure, as the user sees an edit: from the event that
//! changed the workspace (its `timeStamp`, on the clock of `performance.now()`) to the last
//! DOM mutation the update caused. Closing the measure when the app's own effect runs
//! would stop the clock before the panes below it had committed their DOM, so a
//! MutationObserver on the app's root notes when mutations arrive instead, and the measure
//! is closed once the DOM has been quiet for [`QUIET_FRAMES`] animation frames after the
//! update's first mutation, ending at the last mutation (not at the frame that noticed the
//! quiet). The browser tests measure the same span from outside
//! (`tests/e2e/app-helpers.mjs`) and check the two agree.
//!
//! A mutation costs a timestamp and nothing else: the observer's callback ignores its
//! records, and its closures and the frame callback are made once. An update begun before
//! the previous one is quiet closes the previous one at its last mutation so far.

use std::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

/// The measure's name.
pub const UPDATE: &str = "netpol:update";
/// Frames in a row without a mutation, after its first one, after which an update counts
/// as done. One is not enough: a render that yields to the browser (Yew does past 16 ms)
/// may resume after it.
const QUIET_FRAMES: u8 = 2;
/// Frames an update may take to make its first mutation. The quiet frames are counted only
/// from there: on a busy machine frames pass between the keystroke and the render it
/// schedules. An update that changes nothing on the page is closed after these, as long
/// as zero.
const FIRST_MUTATION_FRAMES: u8 = 60;

#[wasm_bindgen]
extern "C" {
    /// The `{start, end}` options of `performance.measure` (web-sys has it only behind
    /// `web_sys_unstable_apis`).
    #[wasm_bindgen(extends = js_sys::Object)]
    type MeasureSpan;
    #[wasm_bindgen(method, setter = start)]
    fn set_start(this: &MeasureSpan, ms: f64);
    #[wasm_bindgen(method, setter = end)]
    fn set_end(this: &MeasureSpan, ms: f64);
    /// `performance`, for the `measure` overload web-sys leaves out.
    #[wasm_bindgen(extends = js_sys::Object)]
    type Timeline;
    #[wasm_bindgen(method, catch, js_name = measure)]
    fn measure_span(this: &Timeline, name: &str, span: &MeasureSpan) -> Result<JsValue, JsValue>;
}

/// An update being timed: when it started, and when its last mutation so far arrived.
#[derive(Clone, Copy)]
struct Open {
    start: f64,
    last: f64,
    /// Whether any mutation has arrived yet.
    seen: bool,
}

/// The observer and the timing state; one per page, made by [`observe`].
struct Timer {
    performance: web_sys::Performance,
    window: web_sys::Window,
    observer: web_sys::MutationObserver,
    open: Option<Open>,
    /// A mutation arrived since the last frame callback.
    mutated: bool,
    /// Frames in a row without a mutation (before the first one: frames since the start).
    quiet: u8,
    frame_requested: bool,
    /// Kept alive for the observer and for `requestAnimationFrame`.
    _on_mutation: Closure<dyn FnMut()>,
    on_frame: Closure<dyn FnMut()>,
}

thread_local! {
    static TIMER: RefCell<Option<Timer>> = const { RefCell::new(None) };
}

/// Starts watching `root` (the app's element) for mutations; once, further calls do nothing.
pub fn observe(root: &web_sys::Element) {
    TIMER.with(|t| {
        if t.borrow().is_some() {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        let Some(performance) = window.performance() else {
            return;
        };
        let on_mutation = Closure::<dyn FnMut()>::new(on_mutation);
        let on_frame = Closure::<dyn FnMut()>::new(on_frame);
        let Ok(observer) = web_sys::MutationObserver::new(on_mutation.as_ref().unchecked_ref())
        else {
            return;
        };
        let options = web_sys::MutationObserverInit::new();
        options.set_subtree(true);
        options.set_child_list(true);
        options.set_attributes(true);
        options.set_character_data(true);
        if observer.observe_with_options(root, &options).is_err() {
            return;
        }
        *t.borrow_mut() = Some(Timer {
            performance,
            window,
            observer,
            open: None,
            mutated: false,
            quiet: 0,
            frame_requested: false,
            _on_mutation: on_mutation,
            on_frame,
        });
    });
}

/// Starts timing an update: from the event being dispatched (the keystroke's `input`, a
/// click, a drop), or from now when the update has no event (a timer, a file read).
pub fn begin() {
    TIMER.with(|t| {
        let mut t = t.borrow_mut();
        let Some(t) = t.as_mut() else { return };
        let now = t.performance.now();
        // Mutations already made but not yet delivered belong to the update before.
        if t.observer.take_records().length() > 0 {
            if let Some(open) = &mut t.open {
                open.last = now;
                open.seen = true;
            }
        }
        if let Some(open) = t.open.take() {
            t.close(open);
        }
        let start = t
            .window
            .event()
            .dyn_into::<web_sys::Event>()
            .map_or(now, |e| e.time_stamp());
        // Before the first mutation the update has shown nothing: its span ends where it
        // started until a mutation arrives.
        t.open = Some(Open {
            start,
            last: start,
            seen: false,
        });
        t.mutated = false;
        t.quiet = 0;
        t.request_frame();
    });
}

fn on_mutation() {
    TIMER.with(|t| {
        let mut t = t.borrow_mut();
        let Some(t) = t.as_mut() else { return };
        // The records are dropped unread: dropping them is what keeps a mutation cheap.
        if let Some(open) = &mut t.open {
            open.last = t.performance.now();
            open.seen = true;
            t.mutated = true;
        }
    });
}

fn on_frame() {
    TIMER.with(|t| {
        let mut t = t.borrow_mut();
        let Some(t) = t.as_mut() else { return };
        t.frame_requested = false;
        let Some(open) = t.open else { return };
        if std::mem::take(&mut t.mutated) {
            t.quiet = 0;
        } else {
            t.quiet = t.quiet.saturating_add(1);
        }
        let done = if open.seen {
            t.quiet >= QUIET_FRAMES
        } else {
            t.quiet >= FIRST_MUTATION_FRAMES
        };
        if done {
            t.open = None;
            t.close(open);
        } else {
            t.request_frame();
        }
    });
}

impl Timer {
    fn request_frame(&mut self) {
        if !self.frame_requested {
            self.frame_requested = self
                .window
                .request_animation_frame(self.on_frame.as_ref().unchecked_ref())
                .is_ok();
        }
    }

    fn close(&self, open: Open) {
        let span: MeasureSpan = js_sys::Object::new().unchecked_into();
        span.set_start(open.start);
        span.set_end(open.last.max(open.start));
        let timeline: &Timeline = self.performance.unchecked_ref();
        let _ = timeline.measure_span(UPDATE, &span);
    }
}
