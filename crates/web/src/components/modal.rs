//! The one modal dialog frame: a backdrop, a titled box with a close button, Escape and a
//! click outside to close. Who owns the dialog (the app's reducer or the lessons reducer)
//! decides what closing means, through `on_close`.

use yew::prelude::*;

use crate::components::icons;

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    pub title: AttrValue,
    pub on_close: Callback<()>,
    /// Extra classes on the dialog box (its size).
    #[prop_or_default]
    pub class: Classes,
    pub children: Children,
}

#[function_component(Modal)]
pub fn modal(props: &ModalProps) -> Html {
    let close = props.on_close.clone();
    let onkeydown = {
        let close = close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                close.emit(());
            }
        })
    };
    let backdrop = close.clone();
    html! {
        <div class="modal-layer" {onkeydown}>
            <div class="modal-backdrop" onclick={move |_| backdrop.emit(())} />
            <div class={classes!("modal", props.class.clone())} role="dialog" aria-modal="true" aria-label={props.title.clone()}>
                // Not a <header>: inside a dialog it would be a second banner landmark.
                <div class="modal-head">
                    <h2>{ props.title.clone() }</h2>
                    <button class="icon-btn" aria-label="Close" title="Close" onclick={move |_| close.emit(())}>{ icons::close() }</button>
                </div>
                { for props.children.iter() }
            </div>
        </div>
    }
}
