//! The address bar: the view the link asks for, writing the view back as a
//! history entry, and the datasource the page's own address implies.

use foresight_core::model::datasource::{Datasource, DEFAULT_DATASOURCE_URL};
use foresight_core::model::url_state::ViewState;
use leptos::prelude::window;

/// The query string of the page's address (`?dashboard=…&from=…`).
pub fn location_search() -> String {
    window().location().search().unwrap_or_default()
}

/// The page's default datasource: the page's own origin when Prometheus serves it
/// (`--web.user-assets` puts it under `/user/`), otherwise the local default.
pub fn default_datasource() -> Datasource {
    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    let origin = location.origin().unwrap_or_default();
    if path.starts_with("/user/") {
        if let Ok(same_origin) = Datasource::parse(&origin) {
            return same_origin;
        }
    }
    Datasource::parse(DEFAULT_DATASOURCE_URL).expect("the default datasource is valid")
}

/// The page's full address for `state` (what a shared link is).
pub fn page_url(state: &ViewState) -> String {
    let location = window().location();
    format!(
        "{}{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
        state.encode()
    )
}

/// Writes `state` into the address bar as a new history entry.
pub fn push_url(state: &ViewState) {
    let url = format!(
        "{}{}",
        window().location().pathname().unwrap_or_default(),
        state.encode()
    );
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Whether the page is shown inside another page's frame (or cannot tell).
pub fn is_framed() -> bool {
    let own = window();
    match own.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, &own),
        Ok(None) => false,
        Err(_) => true,
    }
}
