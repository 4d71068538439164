//! Dropping files on a pane. The editor (manifests), the Flows tab and the diagram (a flow
//! log) share the drag handlers; only what they do with the dropped files differs.

use yew::prelude::*;

/// The handlers of a drop target, to spread on its element.
pub struct FileDrop {
    pub ondragover: Callback<DragEvent>,
    pub ondragleave: Callback<DragEvent>,
    pub ondrop: Callback<DragEvent>,
}

/// Whether a drag carries files (so the target accepts the drop).
fn drags_files(e: &DragEvent) -> bool {
    e.data_transfer()
        .map(|d| {
            d.types()
                .iter()
                .any(|t| t.as_string().as_deref() == Some("Files"))
        })
        .unwrap_or(false)
}

/// The files a drop carries, in order.
fn dropped_files(e: &DragEvent) -> Vec<web_sys::File> {
    let Some(list) = e.data_transfer().and_then(|d| d.files()) else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// A drop target that hands the dropped files to `take` (never with none). `dragging`, when
/// given, is true while files are dragged over it (to highlight the target).
pub fn file_drop(
    dragging: Option<&UseStateHandle<bool>>,
    take: impl Fn(Vec<web_sys::File>) + 'static,
) -> FileDrop {
    let set = {
        let dragging = dragging.cloned();
        move |on: bool| {
            if let Some(d) = &dragging {
                d.set(on);
            }
        }
    };
    let ondragover = {
        let set = set.clone();
        Callback::from(move |e: DragEvent| {
            if drags_files(&e) {
                e.prevent_default();
                set(true);
            }
        })
    };
    let ondragleave = {
        let set = set.clone();
        Callback::from(move |_: DragEvent| set(false))
    };
    let ondrop = Callback::from(move |e: DragEvent| {
        set(false);
        let files = dropped_files(&e);
        if !files.is_empty() {
            e.prevent_default();
            take(files);
        }
    });
    FileDrop {
        ondragover,
        ondragleave,
        ondrop,
    }
}
