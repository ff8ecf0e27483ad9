//! Moving the keyboard focus to an element the page has just drawn anew.

use leptos::prelude::request_animation_frame;
use wasm_bindgen::JsCast;

/// Focuses the button of row `id`'s heading once the grid has been laid out
/// again (the click that opened or closed the row replaced it). Ids come from
/// the dashboard, so they are compared, never put into a selector.
pub fn focus_row_heading(id: &str) {
    let id = id.to_string();
    request_animation_frame(move || {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let headings = document.get_elements_by_class_name("row-heading");
        let button = (0..headings.length())
            .filter_map(|i| headings.item(i))
            .find(|heading| heading.get_attribute("data-row").as_deref() == Some(id.as_str()))
            .and_then(|heading| heading.first_element_child())
            .and_then(|button| button.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(button) = button {
            let _ = button.focus();
        }
    });
}
