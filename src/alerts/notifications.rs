//! Alerts delivered from the page to Alertmanager and webhooks, retried with
//! backoff, each target's last outcome shown. (Browser notifications and the
//! sound are in `browser::notifications`.)

use crate::browser::clock::{now_ms, sleep_ms};
use foresight_core::alerting::notify::{
    alertmanager_body, webhook_body, Outgoing, RETRY_DELAYS_SECONDS,
};
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::NotifyTargets;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// POSTs `body` to `url`, retrying with backoff; reports each outcome.
async fn deliver(
    url: String,
    body: String,
    what: String,
    status: RwSignal<SortedMap<String, String>>,
) {
    let attempts = RETRY_DELAYS_SECONDS.len() + 1;
    for attempt in 1..=attempts {
        let outcome = match crate::browser::http::fetch_text(&url, Some(&body)).await {
            Ok((200..=299, _)) => Ok(()),
            Ok((status, _)) => Err(format!("HTTP {status}")),
            Err(error) => Err(error),
        };
        let line = match &outcome {
            Ok(()) => format!("{what}: delivered to {url} at {}", format_local_datetime(now_ms() as f64 / 1000.0, &crate::browser::clock::BrowserZone)),
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
    let page_address = window().location().href().unwrap_or_default();
    let generator = foresight_core::alerting::notify::generator_url(&page_address);
    // Nothing leaves the browser for an origin the user has not confirmed,
    // whatever the dashboard says (see `foresight_core::model::trust`).
    let confirmed = crate::browser::storage::load_confirmed_origins();
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
            let body = alertmanager_body(alerts, generator).to_string();
            spawn_local(deliver(url, body, "Alertmanager".into(), status));
        } else {
            refuse(&url, "Alertmanager");
        }
    }
    for url in &notify.webhooks {
        if confirmed.permits_notification(url) {
            let body = webhook_body(alerts, generator).to_string();
            spawn_local(deliver(url.clone(), body, "Webhook".into(), status));
        } else {
            refuse(url, "Webhook");
        }
    }
}
