//! A modal dialog, as the browser makes one (`<dialog>` shown with
//! `showModal`): focus moves into it, the page behind is inert so Tab stays
//! inside, Escape closes it, and when it goes the focus returns to where it was.

use crate::browser::focus::FocusReturn;
use leptos::html::Dialog;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

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
    let opener = SendWrapper::new(FocusReturn::remember());
    on_cleanup(move || opener.take().restore());
    Effect::new(move |_| {
        if let Some(dialog) = node.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    });
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
            on:keydown=move |event| {
                if let Some(dialog) = node.get_untracked() {
                    keep_tab_inside(&dialog, &event);
                }
            }
        >
            {children()}
        </dialog>
    }
}

/// Tab from the dialog's last control goes to its first, Shift+Tab from the
/// first to the last: the browser alone would let the focus leave for its
/// own address bar.
fn keep_tab_inside(dialog: &web_sys::HtmlDialogElement, event: &web_sys::KeyboardEvent) {
    if event.key() != "Tab" {
        return;
    }
    let Ok(found) = dialog.query_selector_all(
        "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex=\"0\"]",
    ) else {
        return;
    };
    let controls: Vec<web_sys::HtmlElement> = (0..found.length())
        .filter_map(|i| found.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|e| e.offset_parent().is_some())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let active = document().active_element();
    let at = |e: &web_sys::HtmlElement| active.as_ref() == Some(e.unchecked_ref());
    let wrap_to = if event.shift_key() && at(first) {
        Some(last)
    } else if !event.shift_key() && at(last) {
        Some(first)
    } else {
        None
    };
    if let Some(target) = wrap_to {
        event.prevent_default();
        let _ = target.focus();
    }
}
