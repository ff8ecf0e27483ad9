//! Counters the benchmarks read from the page (`window.foresightStats`):
//! requests sent and bytes received, requests shared with another panel, and
//! milliseconds spent parsing answers, in analytics and drawing.

use wasm_bindgen::JsValue;

fn stats_object() -> Option<js_sys::Object> {
    let window = web_sys::window()?;
    let key = JsValue::from_str("foresightStats");
    match js_sys::Reflect::get(&window, &key) {
        Ok(existing) if existing.is_object() => Some(existing.into()),
        _ => {
            let created = js_sys::Object::new();
            js_sys::Reflect::set(&window, &key, &created).ok()?;
            Some(created)
        }
    }
}

/// Adds `amount` to the counter `name`.
pub fn add(name: &str, amount: f64) {
    if let Some(stats) = stats_object() {
        let key = JsValue::from_str(name);
        let current = js_sys::Reflect::get(&stats, &key)
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        let _ = js_sys::Reflect::set(&stats, &key, &JsValue::from_f64(current + amount));
    }
}

/// Milliseconds since the page started.
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Runs `work` and adds its duration to the counter `name`.
pub fn timed<T>(name: &str, work: impl FnOnce() -> T) -> T {
    let started = now();
    let result = work();
    add(name, now() - started);
    result
}
