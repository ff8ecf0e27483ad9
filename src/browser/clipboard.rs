//! Text between the user and the page: the clipboard (which a browser may
//! refuse), a file download, and the file chosen in a file input.

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

/// Reads the file chosen in the file input whose `change` event this is and
/// hands its text to `deliver` (nothing happens when no file was chosen).
pub fn read_chosen_file(
    event: &leptos::ev::Event,
    deliver: impl Fn(Result<String, String>) + 'static,
) {
    let Some(input) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    // Read whole, a file is held twice (its text and what reads it).
    let too_large =
        foresight_core::model::dashboard_import::too_large_to_import("the file", file.size());
    if let Some(problem) = too_large {
        deliver(Err(problem));
        return;
    }
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(text) => deliver(Ok(text.as_string().unwrap_or_default())),
            Err(_) => deliver(Err("the file could not be read".into())),
        }
    });
}
