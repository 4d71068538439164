//! Lesson text as HTML, from the blocks and runs `crate::markdown` parses.

use yew::prelude::*;

use crate::markdown::{blocks, inlines, Block, Inline};

/// One line of lesson text (a hint, a rule) with its inline styles.
pub(super) fn line_html(text: &str) -> Html {
    inline_html(&inlines(text))
}

fn inline_html(runs: &[Inline]) -> Html {
    html! {
        { for runs.iter().map(|r| match r {
            Inline::Text(t) => html! { { t.clone() } },
            Inline::Code(t) => html! { <code>{ t.clone() }</code> },
            Inline::Strong(t) => html! { <strong>{ t.clone() }</strong> },
            Inline::Em(t) => html! { <em>{ t.clone() }</em> },
        }) }
    }
}

/// A lesson's text: paragraphs, lists and code blocks.
pub(super) fn text_html(text: &str) -> Html {
    html! {
        { for blocks(text).iter().map(|b| match b {
            Block::Para(runs) => html! { <p>{ inline_html(runs) }</p> },
            Block::List { ordered: true, items } => html! {
                <ol>{ for items.iter().map(|i| html! { <li>{ inline_html(i) }</li> }) }</ol>
            },
            Block::List { ordered: false, items } => html! {
                <ul>{ for items.iter().map(|i| html! { <li>{ inline_html(i) }</li> }) }</ul>
            },
            Block::Code(code) => html! { <pre class="lesson-code"><code>{ code.clone() }</code></pre> },
        }) }
    }
}
