//! Inline SVG icons (24×24 stroke icons in one consistent style), so the app ships no
//! icon font and nothing is fetched from elsewhere.

use yew::prelude::*;

fn icon(paths: Html) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 24 24" width="16" height="16" fill="none"
            stroke="currentColor" stroke-width="2" stroke-linecap="round"
            stroke-linejoin="round" aria-hidden="true" focusable="false">
            { paths }
        </svg>
    }
}

/// The app's mark: two nodes and a guarded arrow.
pub fn logo() -> Html {
    html! {
        <svg class="logo" viewBox="0 0 32 32" width="26" height="26" aria-hidden="true" focusable="false">
            <rect x="1" y="1" width="30" height="30" rx="8" class="logo-bg" />
            <circle cx="9.5" cy="11" r="3.6" class="logo-node" />
            <circle cx="22.5" cy="21" r="3.6" class="logo-node" />
            <path d="M12.4 13.4 L19.2 18.6" class="logo-edge" />
            <path d="M16.5 8 h7 v7" class="logo-shield" />
        </svg>
    }
}

pub fn plus() -> Html {
    icon(html! { <><path d="M12 5v14" /><path d="M5 12h14" /></> })
}

/// Share (link).
pub fn share() -> Html {
    icon(html! { <>
        <path d="M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7" />
        <path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7" />
    </> })
}

pub fn download() -> Html {
    icon(html! { <>
        <path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4" />
        <path d="M7 10l5 5 5-5" /><path d="M12 15V3" />
    </> })
}

pub fn copy() -> Html {
    icon(html! { <>
        <rect x="9" y="9" width="13" height="13" rx="2" />
        <path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1" />
    </> })
}

pub fn open() -> Html {
    icon(html! { <>
        <path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z" />
        <path d="M14 2v6h6" /><path d="M12 18v-6" /><path d="M9 15l3-3 3 3" />
    </> })
}

/// Book (examples).
pub fn book() -> Html {
    icon(html! { <>
        <path d="M4 19.5A2.5 2.5 0 0 1 6.5 17H20" />
        <path d="M6.5 2H20v20H6.5A2.5 2.5 0 0 1 4 19.5v-15A2.5 2.5 0 0 1 6.5 2z" />
    </> })
}

/// Image (export).
pub fn image() -> Html {
    icon(html! { <>
        <rect x="3" y="3" width="18" height="18" rx="2" />
        <circle cx="8.5" cy="8.5" r="1.5" /><path d="M21 15l-5-5L5 21" />
    </> })
}

pub fn chevron() -> Html {
    icon(html! { <path d="M6 9l6 6 6-6" /> })
}

/// Sun/moon (theme).
pub fn theme() -> Html {
    icon(html! { <>
        <circle cx="12" cy="12" r="9" /><path d="M12 3a9 9 0 0 0 0 18z" fill="currentColor" />
    </> })
}

pub fn help() -> Html {
    icon(html! { <>
        <circle cx="12" cy="12" r="10" />
        <path d="M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3" /><path d="M12 17h.01" />
    </> })
}

pub fn close() -> Html {
    icon(html! { <><path d="M18 6L6 18" /><path d="M6 6l12 12" /></> })
}

pub fn check() -> Html {
    icon(html! { <path d="M20 6L9 17l-5-5" /> })
}

/// Cross (denied).
pub fn cross() -> Html {
    icon(
        html! { <><circle cx="12" cy="12" r="9" /><path d="M15 9l-6 6" /><path d="M9 9l6 6" /></> },
    )
}

pub fn warning() -> Html {
    icon(html! { <>
        <path d="M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z" />
        <path d="M12 9v4" /><path d="M12 17h.01" />
    </> })
}

pub fn info() -> Html {
    icon(
        html! { <><circle cx="12" cy="12" r="10" /><path d="M12 16v-4" /><path d="M12 8h.01" /></> },
    )
}

pub fn trash() -> Html {
    icon(html! { <>
        <path d="M3 6h18" /><path d="M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6" />
        <path d="M10 11v6" /><path d="M14 11v6" /><path d="M9 6V4a1 1 0 0 1 1-1h4a1 1 0 0 1 1 1v2" />
    </> })
}

pub fn zoom_in() -> Html {
    icon(
        html! { <><circle cx="11" cy="11" r="7" /><path d="M21 21l-4.3-4.3" /><path d="M11 8v6" /><path d="M8 11h6" /></> },
    )
}

pub fn zoom_out() -> Html {
    icon(
        html! { <><circle cx="11" cy="11" r="7" /><path d="M21 21l-4.3-4.3" /><path d="M8 11h6" /></> },
    )
}

pub fn fit() -> Html {
    icon(html! { <>
        <path d="M8 3H5a2 2 0 0 0-2 2v3" /><path d="M21 8V5a2 2 0 0 0-2-2h-3" />
        <path d="M3 16v3a2 2 0 0 0 2 2h3" /><path d="M16 21h3a2 2 0 0 0 2-2v-3" />
    </> })
}

/// Circular arrow (automatic layout: forget the nodes the user moved).
pub fn reset() -> Html {
    icon(html! { <><path d="M3 12a9 9 0 1 0 3-6.7L3 8" /><path d="M3 3v5h5" /></> })
}

/// Arrow right (an intent).
pub fn arrow() -> Html {
    icon(html! { <><path d="M5 12h14" /><path d="M12 5l7 7-7 7" /></> })
}

/// Box with an arrow leaving it (opens the full playground from an embed).
pub fn external() -> Html {
    icon(html! { <>
        <path d="M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6" />
        <path d="M15 3h6v6" /><path d="M10 14L21 3" />
    </> })
}

/// Magnifier (explain).
pub fn search() -> Html {
    icon(html! { <><circle cx="11" cy="11" r="8" /><path d="M21 21l-4.3-4.3" /></> })
}

/// Compare: two arrows passing each other.
pub fn compare() -> Html {
    icon(html! { <>
        <path d="M4 8h13" /><path d="M14 4l4 4-4 4" />
        <path d="M20 16H7" /><path d="M10 12l-4 4 4 4" />
    </> })
}
