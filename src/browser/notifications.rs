//! Telling the person at the screen: a browser notification when an alert
//! starts firing (permission asked once, after an explanation), and an
//! optional short sound, remembered per browser.

use leptos::task::spawn_local;

const SOUND_KEY: &str = "foresight.alert-sound";

/// `granted`, `denied`, `default`, or `unsupported` (no Notification API).
pub fn notification_permission() -> &'static str {
    let supported =
        js_sys::Reflect::has(&js_sys::global(), &"Notification".into()).unwrap_or(false);
    if !supported {
        return "unsupported";
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => "granted",
        web_sys::NotificationPermission::Denied => "denied",
        _ => "default",
    }
}

/// Asks the browser once; `done` gets the answer.
pub fn request_notification_permission(done: impl FnOnce(&'static str) + 'static) {
    if let Ok(promise) = web_sys::Notification::request_permission() {
        spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            done(notification_permission());
        });
    }
}

/// A system notification for an alert that started firing (one per alert: the
/// tag replaces an earlier one for the same alert).
pub fn show_browser_notification(title: &str, body: &str, tag: &str) {
    if notification_permission() != "granted" {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    let _ = web_sys::Notification::new_with_options(title, &options);
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

/// Two short tones (a browser may keep audio off until the page was clicked).
pub fn play_alert_sound() {
    let Ok(context) = web_sys::AudioContext::new() else {
        return;
    };
    let start = context.current_time();
    for (k, frequency) in [880.0_f32, 660.0].into_iter().enumerate() {
        let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain())
        else {
            return;
        };
        oscillator.frequency().set_value(frequency);
        gain.gain().set_value(0.08);
        let at = start + 0.25 * k as f64;
        let _ = oscillator
            .connect_with_audio_node(&gain)
            .and_then(|_| gain.connect_with_audio_node(&context.destination()));
        let _ = oscillator.start_with_when(at);
        let _ = oscillator.stop_with_when(at + 0.2);
    }
}
