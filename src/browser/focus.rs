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

/// Where the focus was, to give it back when a dialog closes, even when the
/// control that had it was drawn anew meanwhile (then its replacement, found
/// by its `data-action`/`data-edit` and its panel's `data-edit-panel`).
pub struct FocusReturn {
    element: Option<web_sys::HtmlElement>,
    action: Option<(String, String)>,
    panel: Option<String>,
}

impl FocusReturn {
    /// The element that has the focus now.
    pub fn remember() -> Self {
        let element = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        let attribute = |name: &str| {
            element
                .as_ref()
                .and_then(|e| e.get_attribute(name))
                .map(|value| (name.to_string(), value))
        };
        let action = attribute("data-action").or_else(|| attribute("data-edit"));
        let panel = element
            .as_ref()
            .and_then(|e| e.closest("[data-edit-panel]").ok().flatten())
            .and_then(|p| p.get_attribute("data-edit-panel"));
        Self {
            element,
            action,
            panel,
        }
    }

    /// Focuses it again once the page has been drawn.
    pub fn restore(self) {
        request_animation_frame(move || {
            if let Some(element) = self.element.as_ref().filter(|e| e.is_connected()) {
                let _ = element.focus();
                return;
            }
            let Some((name, value)) = self.action else {
                return;
            };
            let Some(document) = web_sys::window().and_then(|w| w.document()) else {
                return;
            };
            let Ok(candidates) = document.query_selector_all("[data-action], [data-edit]") else {
                return;
            };
            let replacement = (0..candidates.length())
                .filter_map(|i| candidates.item(i))
                .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
                .find(|e| {
                    e.get_attribute(&name).as_deref() == Some(value.as_str())
                        && e.closest("[data-edit-panel]")
                            .ok()
                            .flatten()
                            .and_then(|p| p.get_attribute("data-edit-panel"))
                            == self.panel
                });
            if let Some(replacement) = replacement {
                let _ = replacement.focus();
            }
        });
    }
}
