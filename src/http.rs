//! Plain HTTP from the page, through the browser's `fetch`: the app's own files
//! and notification deliveries. Prometheus queries go through
//! `prometheus_client`, which also shares identical requests.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What a failed `fetch` says, as a sentence fragment ("Failed to fetch").
pub fn describe(error: &JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            error
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{error:?}"))
}

/// GETs `url`, or POSTs `json_body` to it as `application/json`: the answer's
/// HTTP status and text, or why no answer came.
pub async fn fetch_text(url: &str, json_body: Option<&str>) -> Result<(u16, String), String> {
    let window = web_sys::window().ok_or("the page has no window")?;
    let init = web_sys::RequestInit::new();
    if let Some(body) = json_body {
        let headers = web_sys::Headers::new().map_err(|e| describe(&e))?;
        headers
            .set("Content-Type", "application/json")
            .map_err(|e| describe(&e))?;
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(body));
    }
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .and_then(|response| response.dyn_into())
        .map_err(|e| describe(&e))?;
    let text = JsFuture::from(response.text().map_err(|e| describe(&e))?)
        .await
        .map_err(|e| format!("reading the answer failed: {}", describe(&e)))?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}
