//! Telling people about alerts from the page: Alertmanager and webhook
//! deliveries (retried with backoff, each target's last outcome shown), a
//! browser notification when an alert starts firing (permission asked once,
//! after an explanation), and an optional short sound.

use crate::browser_clock::now_ms;
use foresight_core::alerting::notify::{
    alertmanager_body, webhook_body, Outgoing, RETRY_DELAYS_SECONDS,
};
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::NotifyTargets;
use leptos::prelude::*;
use leptos::task::spawn_local;

const SOUND_KEY: &str = "foresight.alert-sound";

pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// POSTs `body` to `url`, retrying with backoff; reports each outcome.
async fn deliver(
    url: String,
    body: String,
    what: String,
    status: RwSignal<SortedMap<String, String>>,
) {
    let attempts = RETRY_DELAYS_SECONDS.len() + 1;
    for attempt in 1..=attempts {
        let outcome = match crate::http::fetch_text(&url, Some(&body)).await {
            Ok((200..=299, _)) => Ok(()),
            Ok((status, _)) => Err(format!("HTTP {status}")),
            Err(error) => Err(error),
        };
        let line = match &outcome {
            Ok(()) => format!("{what}: delivered to {url} at {}", format_local_datetime(now_ms() as f64 / 1000.0, &crate::browser_clock::BrowserZone)),
            Err(error) if attempt < attempts => format!("{what}: delivery to {url} failed ({error}), attempt {attempt} of {attempts}, retrying"),
            Err(error) => format!("{what}: delivery to {url} failed ({error}); gave up after {attempts} attempts"),
        };
        status.try_update(|s| {
            s.insert(url.clone(), line);
        });
        if outcome.is_ok() {
            return;
        }
        if let Some(delay) = RETRY_DELAYS_SECONDS.get(attempt - 1) {
            sleep_ms((delay * 1000.0) as i32).await;
        }
    }
}

/// Sends due alerts to Alertmanager and the webhooks.
pub fn send(
    notify: &NotifyTargets,
    alerts: &[Outgoing],
    status: RwSignal<SortedMap<String, String>>,
) {
    if alerts.is_empty() {
        return;
    }
    let generator = window().location().href().unwrap_or_default();
    // Nothing leaves the browser for an origin the user has not confirmed,
    // whatever the dashboard says (see `foresight_core::model::trust`).
    let confirmed = crate::browser_storage::load_confirmed_origins();
    let refuse = |url: &str, what: &str| {
        status.update(|s| {
            s.insert(
                url.to_string(),
                format!("{what}: not sent to {url}: its address is not among the notification targets you confirmed in this browser"),
            );
        });
    };
    if let Some(base) = &notify.alertmanager {
        let url = format!("{}/api/v2/alerts", base.trim_end_matches('/'));
        if confirmed.permits_notification(&url) {
            let body = alertmanager_body(alerts, &generator).to_string();
            spawn_local(deliver(url, body, "Alertmanager".into(), status));
        } else {
            refuse(&url, "Alertmanager");
        }
    }
    for url in &notify.webhooks {
        if confirmed.permits_notification(url) {
            let body = webhook_body(alerts, &generator).to_string();
            spawn_local(deliver(url.clone(), body, "Webhook".into(), status));
        } else {
            refuse(url, "Webhook");
        }
    }
}

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

pub fn sound_enabled() -> bool {
    crate::browser_storage::local_storage()
        .and_then(|s| s.get_item(SOUND_KEY).ok().flatten())
        .is_some_and(|v| v == "on")
}

pub fn set_sound_enabled(on: bool) {
    if let Some(storage) = crate::browser_storage::local_storage() {
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
