//! A modal dialog, as the browser makes one (`<dialog>` shown with
//! `showModal`): focus moves into it, the page behind is inert and Tab stays
//! inside, Escape closes it, and when it goes the focus returns to where it
//! was.

use crate::browser::focus::{modal_closed, open_modal, remember_focus};
use leptos::html::Dialog;
use leptos::prelude::*;

#[component]
pub fn Modal(
    /// Classes besides `dialog`.
    class: &'static str,
    /// What a screen reader announces for it.
    label: &'static str,
    testid: &'static str,
    /// Escape, like the dialog's own Close or Cancel button.
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<Dialog>::new();
    // Taken now: opening the dialog may redraw the control that opened it.
    let opener = send_wrapper::SendWrapper::new(remember_focus());
    node.on_load(move |dialog| open_modal(&dialog, &opener));
    on_cleanup(modal_closed);
    view! {
        <dialog
            node_ref=node
            class=format!("dialog {class}")
            aria-label=label
            data-testid=testid
            on:cancel=move |event: web_sys::Event| {
                event.prevent_default();
                on_close.run(());
            }
        >
            {children()}
        </dialog>
    }
}
