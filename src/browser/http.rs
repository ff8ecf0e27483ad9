//! Plain HTTP from the page, through the browser's `fetch` and a bounded
//! reader: the app's own files, notification deliveries and,
//! through `prometheus_client` (which shares identical requests), queries.
//! Every request gives up after a while and reads no more than a bounded
//! answer. Also the browser's own deflate streams, for dashboards carried in
//! links.

use foresight_core::foundation::limits::MAX_ANSWER_BYTES;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::inline_dashboard::{
    dashboard_from_inflated, deflated_bytes, InflateProblem, MAX_INLINE_DASHBOARD_BYTES,
};
use foresight_core::model::trust::blocked_by_connect_policy;
use foresight_core::query::fetch_failure::{FetchFailure, ANSWER_TIMEOUT_MS};
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

/// Starts a bounded fetch: a GET of `url`, or a POST of `json_body` to it as
/// `application/json`. A promise of `[status, text]`, rejected with the name
/// of a [`FetchFailure`]; a request the browser cannot even build (a
/// malformed address) gets no answer, as a refused one.
pub fn start_fetch(url: &str, json_body: Option<&str>) -> js_sys::Promise {
    start_bounded(url, json_body, None)
}

/// [`start_fetch`] of a GET carrying the tenant header (`X-Scope-OrgID`)
/// when `tenant` is set.
pub fn start_tenant_fetch(url: &str, tenant: Option<&str>) -> js_sys::Promise {
    start_bounded(url, None, tenant)
}

/// A request the connect policy would block is not sent: it is refused at
/// once with its own reason, where the browser would only say "Failed to
/// fetch", as for a server that is down.
fn start_bounded(url: &str, json_body: Option<&str>, tenant: Option<&str>) -> js_sys::Promise {
    let page_origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    if blocked_by_connect_policy(url, &page_origin) {
        return js_sys::Promise::reject(&JsValue::from_str(FetchFailure::OutsidePolicy.kind()));
    }
    fetch_bounded(
        url,
        json_body,
        tenant,
        MAX_ANSWER_BYTES as f64,
        ANSWER_TIMEOUT_MS,
    )
}

/// Why a promise from [`start_fetch`] was rejected.
pub fn fetch_failure(rejection: &JsValue) -> FetchFailure {
    FetchFailure::from_kind(&rejection.as_string().unwrap_or_default())
}

/// The `[status, text]` a promise from [`start_fetch`] resolved to.
pub fn status_and_text(answer: &JsValue) -> (u16, String) {
    let parts: &js_sys::Array = answer.unchecked_ref();
    (
        parts.get(0).as_f64().unwrap_or(0.0) as u16,
        parts.get(1).as_string().unwrap_or_default(),
    )
}

/// GETs `url`, or POSTs `json_body` to it as `application/json`: the answer's
/// HTTP status and text, or why no answer came.
pub async fn fetch_text(url: &str, json_body: Option<&str>) -> Result<(u16, String), String> {
    let answer = JsFuture::from(start_fetch(url, json_body))
        .await
        .map_err(|e| fetch_failure(&e).describe())?;
    Ok(status_and_text(&answer))
}

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export async function fetchBounded(url, body, tenant, limit, ms) {
  // One controller ends the request wherever it is: on time-out, past the
  // size limit, and once done (freeing the connection when reading stopped early).
  const abort = new AbortController();
  let late = false;
  const timer = setTimeout(() => { late = true; abort.abort(); }, ms);
  let stage = "none";
  try {
    const init = body == null ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body };
    if (tenant != null) init.headers = { "X-Scope-OrgID": tenant };
    const response = await fetch(url, { ...init, signal: abort.signal });
    stage = "cut";
    // Refused on its announced length before any of it is read.
    if (+response.headers.get("content-length") > limit) throw "large";
    const chunks = [];
    let length = 0;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        length += value.length;
        if (length > limit) throw "large";
        chunks.push(value);
      }
    }
    return [response.status, await new Blob(chunks).text()];
  } catch (error) {
    throw error === "large" ? error : late ? "timeout" : stage;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
export function compressionStreams() {
  try {
    new CompressionStream("deflate-raw");
    new DecompressionStream("deflate-raw");
    return true;
  } catch {
    return false;
  }
}
export function deflateRaw(bytes) {
  const compressed = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Response(compressed).arrayBuffer();
}
export async function inflateRaw(view, limit) {
  // Copied out of wasm memory before the first await.
  const bytes = view.slice();
  const stream = new DecompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // Fed 1 KiB at a time: one slice inflates to at most about 1 MiB, so the
  // limit bounds memory too. Damage rejects the reads below.
  (async () => {
    for (let at = 0; at < bytes.length; at += 1024) await writer.write(bytes.subarray(at, at + 1024));
    await writer.close();
  })().catch(() => {});
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > limit) {
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const joined = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return joined;
}"#)]
extern "C" {
    /// `fetch` (a GET, with the tenant header when `tenant` is set, or a
    /// POST of a JSON body) that gives up after `ms`
    /// and reads at most `limit` bytes: a promise of `[status, text]`,
    /// rejected with `none` (no answer, or an address `fetch` refuses),
    /// `cut` (the answer broke off), `timeout` or `large`.
    #[wasm_bindgen(js_name = fetchBounded)]
    fn fetch_bounded(
        url: &str,
        body: Option<&str>,
        tenant: Option<&str>,
        limit: f64,
        ms: u32,
    ) -> js_sys::Promise;
    /// Whether the browser has raw-deflate `CompressionStream` and `DecompressionStream`.
    #[wasm_bindgen(js_name = compressionStreams)]
    fn compression_streams() -> bool;
    /// The browser's raw deflate (RFC 1951): a promise of an `ArrayBuffer`.
    #[wasm_bindgen(js_name = deflateRaw, catch)]
    fn deflate_raw_promise(bytes: &[u8]) -> Result<js_sys::Promise, JsValue>;
    /// Inflates raw deflate, reading at most `limit` bytes: a promise of a
    /// `Uint8Array`, or of `null` past the limit; rejected if the data is damaged.
    #[wasm_bindgen(js_name = inflateRaw, catch)]
    fn inflate_raw_promise(bytes: &[u8], limit: f64) -> Result<js_sys::Promise, JsValue>;
}

const NO_STREAMS: &str = "this browser has no raw-deflate CompressionStream (Chrome 103, Firefox 113 and Safari 16.4 have it)";

/// Compresses `bytes` as raw deflate with the browser's `CompressionStream`.
pub async fn deflate_raw(bytes: &[u8]) -> Result<Vec<u8>, String> {
    if !compression_streams() {
        return Err(format!(
            "{NO_STREAMS}: share the dashboard with Download JSON instead"
        ));
    }
    let failed = |e: JsValue| {
        format!(
            "the browser could not compress the dashboard: {}",
            describe(&e)
        )
    };
    let compressed = JsFuture::from(deflate_raw_promise(bytes).map_err(failed)?)
        .await
        .map_err(failed)?;
    Ok(js_sys::Uint8Array::new(&compressed).to_vec())
}

/// The dashboard a link's `inline=` value carries, inflated by the browser's
/// `DecompressionStream` no further than the size limit (a hostile link cannot
/// make the page inflate gigabytes).
pub async fn open_inline_dashboard(link_text: &str) -> Result<Dashboard, String> {
    let deflated = deflated_bytes(link_text)?;
    if !compression_streams() {
        return Err(format!(
            "{NO_STREAMS}, which opening a dashboard carried in a link needs"
        ));
    }
    let promise = inflate_raw_promise(&deflated, MAX_INLINE_DASHBOARD_BYTES as f64)
        .map_err(|_| InflateProblem::Damaged.describe())?;
    let inflated = JsFuture::from(promise)
        .await
        .map_err(|_| InflateProblem::Damaged.describe())?;
    if inflated.is_null() {
        return Err(InflateProblem::TooLarge.describe());
    }
    dashboard_from_inflated(js_sys::Uint8Array::new(&inflated).to_vec())
}
