//! Giving text to the user: the clipboard (which a browser may refuse) and a
//! file download.

use leptos::prelude::{document, window};
use wasm_bindgen::JsCast;

/// Puts `text` on the clipboard; false when the browser refuses (no permission,
/// page not focused).
pub async fn clipboard_accepts(text: &str) -> bool {
    let writing = window().navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(writing).await.is_ok()
}

/// Offers `text` as a file download.
pub fn download_text(filename: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser could not prepare the download".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not prepare the download".to_string())?;
    let anchor: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(|_| "the browser could not prepare the download".to_string())?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(filename);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
