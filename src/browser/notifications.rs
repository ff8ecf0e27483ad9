//! Telling the person at the screen: a browser notification when an alert
//! starts firing (permission asked once, after an explanation), and an
//! optional short sound, remembered per browser.

use leptos::task::spawn_local;
use wasm_bindgen::prelude::wasm_bindgen;

const SOUND_KEY: &str = "foresight.alert-sound";

// Written in JavaScript: the Notification and Web Audio calls through web-sys
// cost several times their size in the app.
#[wasm_bindgen(inline_js = r#"
export function notificationPermission() {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

// Old Safari answers through a callback and returns nothing: a promise either way.
export function requestNotificationPermission() {
  try {
    return Promise.resolve(typeof Notification === 'undefined' ? undefined : Notification.requestPermission());
  } catch (_) {
    return Promise.resolve();
  }
}

// Android's Chrome throws on `new Notification` (only service workers may show one).
// At most 5 in any 10 s, whatever number of rules start firing at once (the
// alerts section lists them all).
const shownAt = [];
export function showNotification(title, body, tag) {
  try {
    const now = Date.now();
    while (shownAt.length && now - shownAt[0] > 10000) shownAt.shift();
    if (shownAt.length >= 5) return;
    if (notificationPermission() === 'granted') {
      new Notification(title, { body, tag });
      shownAt.push(now);
    }
  } catch (_) { /* not shown here */ }
}

// Two short tones (a browser may keep audio off until the page was clicked).
// One context for the page's life: a browser holds audio resources for each
// one until it is closed, and a flapping rule would open hundreds.
let alertAudio, soundAt = 0;
export function playAlertSound() {
  try {
    // Once in any 5 s: many rules firing together make one sound.
    if (Date.now() - soundAt < 5000) return;
    soundAt = Date.now();
    const context = alertAudio || (alertAudio = new AudioContext());
    if (context.state === 'suspended') context.resume().catch(() => {});
    [880, 660].forEach((frequency, k) => {
      const oscillator = context.createOscillator(), gain = context.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.value = 0.08;
      oscillator.connect(gain).connect(context.destination);
      const at = context.currentTime + 0.25 * k;
      oscillator.start(at);
      oscillator.stop(at + 0.2);
    });
  } catch (_) { /* no audio here */ }
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = notificationPermission)]
    fn permission_text() -> String;
    #[wasm_bindgen(js_name = requestNotificationPermission)]
    fn request_permission() -> js_sys::Promise;
    #[wasm_bindgen(js_name = showNotification)]
    fn show_notification(title: &str, body: &str, tag: &str);
    /// Two short tones (a browser may keep audio off until the page was clicked).
    #[wasm_bindgen(js_name = playAlertSound)]
    pub fn play_alert_sound();
}

/// `granted`, `denied`, `default`, or `unsupported` (no Notification API).
pub fn notification_permission() -> &'static str {
    match permission_text().as_str() {
        "granted" => "granted",
        "denied" => "denied",
        "unsupported" => "unsupported",
        _ => "default",
    }
}

/// Asks the browser once; `done` gets the answer.
pub fn request_notification_permission(done: impl FnOnce(&'static str) + 'static) {
    let promise = request_permission();
    spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        done(notification_permission());
    });
}

/// A system notification for an alert that started firing (one per alert: the
/// tag replaces an earlier one for the same alert).
pub fn show_browser_notification(title: &str, body: &str, tag: &str) {
    show_notification(title, body, tag);
}

/// Whether the alert sound is on in this browser.
pub fn sound_enabled() -> bool {
    crate::browser::storage::local_storage()
        .and_then(|s| s.get_item(SOUND_KEY).ok().flatten())
        .is_some_and(|v| v == "on")
}

pub fn set_sound_enabled(on: bool) {
    if let Some(storage) = crate::browser::storage::local_storage() {
        let _ = storage.set_item(SOUND_KEY, if on { "on" } else { "off" });
    }
}
