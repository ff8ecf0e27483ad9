//! The only place the browser's clock and time zone are read; everything else receives them.

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Seconds since the Unix epoch.
pub fn now_seconds() -> f64 {
    now_ms() as f64 / 1000.0
}

/// Minutes east of UTC of the browser's zone at `epoch_ms` (JS reports the opposite sign).
pub fn utc_offset_minutes(epoch_ms: i64) -> i32 {
    -(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(epoch_ms as f64)).get_timezone_offset()
        as i32)
}

/// The browser's time zone: its UTC offset at each moment, daylight saving included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BrowserZone;

impl foresight_core::foundation::calendar::UtcOffset for BrowserZone {
    fn minutes_at(&self, unix_seconds: f64) -> i32 {
        utc_offset_minutes((unix_seconds * 1000.0) as i64)
    }
}

/// Resolves after `ms` milliseconds (the page keeps running meanwhile).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
