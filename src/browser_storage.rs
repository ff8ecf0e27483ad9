//! The browser's local storage: dashboards saved here and the crash-safe
//! draft of the dashboard being edited. Every failure (storage disabled, full,
//! damaged) becomes a sentence; nothing stored is overwritten by a failed read.

use foresight_core::dashboard_edit::SavedDashboards;
use foresight_core::dashboard_model::Dashboard;
use foresight_core::json::{FromJson, ToJson};
use web_sys::Storage;

const SAVED_KEY: &str = "foresight.saved-dashboards";
const DRAFT_KEY: &str = "foresight.draft";

fn storage() -> Result<Storage, String> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| "this browser does not allow local storage for this page".to_string())
}

pub fn load_saved() -> Result<SavedDashboards, String> {
    let raw = storage()?.get_item(SAVED_KEY).ok().flatten();
    SavedDashboards::from_storage(raw.as_deref())
}

/// Saves `dashboard` beside the others; refuses when the stored list is damaged.
pub fn save_dashboard(dashboard: &Dashboard) -> Result<(), String> {
    let mut saved = load_saved()?;
    saved.save(dashboard);
    store_saved(&saved)
}

pub fn store_saved(saved: &SavedDashboards) -> Result<(), String> {
    storage()?
        .set_item(SAVED_KEY, &saved.to_storage())
        .map_err(|_| {
            "the browser refused to store the dashboard (storage full or disabled)".to_string()
        })
}

/// The draft left by an edit that was not saved (a crash, a closed tab).
pub fn load_draft() -> Option<Dashboard> {
    let raw = storage().ok()?.get_item(DRAFT_KEY).ok().flatten()?;
    Dashboard::from_json(&raw).ok()
}

pub fn store_draft(draft: Option<&Dashboard>) {
    if let Ok(storage) = storage() {
        let _ = match draft {
            Some(dashboard) => storage.set_item(DRAFT_KEY, &dashboard.to_json()),
            None => storage.remove_item(DRAFT_KEY),
        };
    }
}

pub fn local_storage() -> Option<Storage> {
    storage().ok()
}

/// A JSON value kept under `key`; missing or unreadable gives the default.
pub fn load_json<T: FromJson + Default>(key: &str) -> T {
    local_storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|text| foresight_core::json::decode(&text).ok())
        .unwrap_or_default()
}

pub fn store_json<T: ToJson>(key: &str, value: &T) {
    if let Some(storage) = local_storage() {
        let text = value.to_json().to_string();
        let _ = storage.set_item(key, &text);
    }
}

const CONFIRMED_ORIGINS_KEY: &str = "foresight.confirmed-origins";
const ACCEPTED_KEY: &str = "foresight.accepted-dashboards";

/// The datasource and notification origins the user confirmed in this browser.
pub fn load_confirmed_origins() -> foresight_core::trust::ConfirmedOrigins {
    load_json(CONFIRMED_ORIGINS_KEY)
}

pub fn store_confirmed_origins(
    confirmed: &foresight_core::trust::ConfirmedOrigins,
) -> Result<(), String> {
    let storage = storage()?;
    storage
        .set_item(CONFIRMED_ORIGINS_KEY, &confirmed.to_json().to_string())
        .map_err(|_| {
            "the browser refused to store the confirmed addresses (storage full or disabled)"
                .to_string()
        })
}

fn session() -> Option<Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// Fingerprints of the dashboards from outside accepted (or opened without
/// their extras) in this tab: the choice holds across reloads of the tab only.
pub fn load_tab_choices() -> foresight_core::ordered::SortedMap<String, bool> {
    session()
        .and_then(|s| s.get_item(ACCEPTED_KEY).ok().flatten())
        .and_then(|text| foresight_core::json::decode(&text).ok())
        .unwrap_or_default()
}

pub fn store_tab_choices(choices: &foresight_core::ordered::SortedMap<String, bool>) {
    if let Some(session) = session() {
        let _ = session.set_item(ACCEPTED_KEY, &choices.to_json().to_string());
    }
}
