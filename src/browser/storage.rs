//! The browser's local storage: dashboards saved here and the crash-safe
//! draft of the dashboard being edited. Every failure (storage disabled, full,
//! damaged) becomes a sentence; nothing stored is overwritten by a failed read.

use foresight_core::foundation::json::{FromJson, ToJson};
use foresight_core::foundation::ordered::{SortedMap, SortedSet};
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::drafts::{
    draft_owner, drafts_in_offer_order, DraftOwner, DRAFT_KEY_PREFIX,
};
use foresight_core::model::edit::{
    saved_dashboard_key, SavedDashboards, SAVED_DASHBOARD_KEY_PREFIX,
};
use web_sys::Storage;

use super::tab::tab_id;

/// Where earlier versions kept every saved dashboard in one document.
const LEGACY_SAVED_KEY: &str = "foresight.saved-dashboards";

fn storage() -> Result<Storage, String> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| "this browser does not allow local storage for this page".to_string())
}

/// `set_item` with the browser's refusal (quota, disabled) as a sentence.
fn put(storage: &Storage, key: &str, text: &str, what: &str) -> Result<(), String> {
    storage.set_item(key, text).map_err(|_| {
        format!("the browser refused to store {what} (storage full or disabled); nothing stored before was changed")
    })
}

/// Every `(key, text)` in local storage whose key starts with `prefix`.
fn entries_with_prefix(storage: &Storage, prefix: &str) -> Vec<(String, String)> {
    let count = storage.length().unwrap_or(0);
    (0..count)
        .filter_map(|index| storage.key(index).ok().flatten())
        .filter(|key| key.starts_with(prefix))
        .filter_map(|key| {
            let text = storage.get_item(&key).ok().flatten()?;
            Some((key, text))
        })
        .collect()
}

/// Moves dashboards saved by earlier versions (one document) to one key each;
/// the old document goes only once every dashboard in it is stored.
fn migrate_legacy_saved(storage: &Storage) -> Result<(), String> {
    let Some(text) = storage.get_item(LEGACY_SAVED_KEY).ok().flatten() else {
        return Ok(());
    };
    let legacy = SavedDashboards::from_storage(Some(&text))?;
    for dashboard in legacy.dashboards.values() {
        let key = saved_dashboard_key(&dashboard.id);
        if storage.get_item(&key).ok().flatten().is_none() {
            put(storage, &key, &dashboard.to_json(), "a saved dashboard")?;
        }
    }
    let _ = storage.remove_item(LEGACY_SAVED_KEY);
    Ok(())
}

/// The dashboards saved in this browser, and a sentence for each one that
/// cannot be read (it is left as it is).
pub fn load_saved_reporting() -> Result<(SavedDashboards, Vec<String>), String> {
    let storage = storage()?;
    let mut problems = Vec::new();
    if let Err(problem) = migrate_legacy_saved(&storage) {
        problems.push(problem);
    }
    let (saved, mut unreadable) =
        SavedDashboards::from_entries(&entries_with_prefix(&storage, SAVED_DASHBOARD_KEY_PREFIX));
    problems.append(&mut unreadable);
    Ok((saved, problems))
}

pub fn load_saved() -> Result<SavedDashboards, String> {
    load_saved_reporting().map(|(saved, _)| saved)
}

/// The title of the dashboard saved here under `id`, as stored now (another
/// tab may have saved it); the id when it cannot be read.
pub fn saved_title(id: &str) -> Option<String> {
    let text = storage().ok()?.get_item(&saved_dashboard_key(id)).ok()??;
    Some(Dashboard::from_json(&text).map_or_else(|_| id.to_string(), |d| d.title))
}

/// Saves `dashboard` under its own key; the others are not touched.
pub fn save_dashboard(dashboard: &Dashboard) -> Result<(), String> {
    put(
        &storage()?,
        &saved_dashboard_key(&dashboard.id),
        &dashboard.to_json(),
        "the dashboard",
    )
}

pub fn delete_saved_dashboard(id: &str) -> Result<(), String> {
    storage()?
        .remove_item(&saved_dashboard_key(id))
        .map_err(|_| format!("the browser refused to delete {id:?}"))
}

pub(crate) fn session() -> Option<Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// A kept draft offered to resume: its key, its text as stored, the
/// dashboard, and whose it is.
#[derive(Clone, PartialEq)]
pub struct KeptDraft {
    pub key: String,
    pub text: String,
    pub dashboard: Dashboard,
    pub owner: DraftOwner,
}

/// A draft left by an edit that was not saved: this tab's (a reload), else
/// one a closed tab left behind (a crash), else one another open tab is
/// editing. `open_tabs` as [`super::tab::claim_tab`] gives them.
pub fn load_draft(open_tabs: Option<&SortedSet<String>>) -> Option<KeptDraft> {
    let storage = storage().ok()?;
    let drafts: SortedMap<String, String> = entries_with_prefix(&storage, DRAFT_KEY_PREFIX)
        .into_iter()
        .collect();
    let keys = drafts.keys().cloned().collect();
    drafts_in_offer_order(keys, &tab_id(), open_tabs)
        .into_iter()
        .find_map(|(key, owner)| {
            let text = drafts.get(&key)?.clone();
            let dashboard = Dashboard::from_json(&text).ok()?;
            Some(KeptDraft {
                key,
                text,
                dashboard,
                owner,
            })
        })
}

/// Removes a kept draft that was dismissed or taken over here, unless it
/// changed since it was offered, or it is another open tab's (a closed tab
/// reopened with its session may be editing it again).
pub async fn forget_kept_draft(draft: KeptDraft) {
    if draft.owner == DraftOwner::ClosedTab {
        let open = super::tab::open_tabs().await;
        if !draft_owner(&draft.key, &tab_id(), open.as_ref()).may_remove() {
            return;
        }
    }
    if !draft.owner.may_remove() {
        return;
    }
    if let Ok(storage) = storage() {
        if storage.get_item(&draft.key).ok().flatten().as_deref() == Some(draft.text.as_str()) {
            let _ = storage.remove_item(&draft.key);
        }
    }
}

/// Keeps (or with `None` removes) this tab's draft; a refusal is returned.
pub fn store_draft(draft: Option<&Dashboard>) -> Result<(), String> {
    let storage = storage()?;
    let key = format!("{DRAFT_KEY_PREFIX}{}", tab_id());
    match draft {
        Some(dashboard) => put(&storage, &key, &dashboard.to_json(), "the unsaved draft"),
        None => {
            let _ = storage.remove_item(&key);
            Ok(())
        }
    }
}

pub fn local_storage() -> Option<Storage> {
    storage().ok()
}

/// Removes every key that starts with `prefix` and whose rest `remove` picks.
pub fn remove_keys_where(prefix: &str, remove: impl Fn(&str) -> bool) {
    if let Ok(storage) = storage() {
        for (key, _) in entries_with_prefix(&storage, prefix) {
            if remove(&key[prefix.len()..]) {
                let _ = storage.remove_item(&key);
            }
        }
    }
}

/// Where the text of an unreadable stored value is kept (see [`load_json_reporting`]).
const UNREADABLE_KEY_PREFIX: &str = "foresight.unreadable.";

/// A JSON value kept under `key`; missing gives the default. Unreadable
/// (damaged, or written by another version) also gives the default, but its
/// text is first copied to `foresight.unreadable.<key>` (the first such copy
/// is kept), so the next store under `key` does not lose it; the sentence says so.
pub fn load_json_reporting<T: FromJson + Default>(key: &str) -> (T, Option<String>) {
    let Some(storage) = local_storage() else {
        return (T::default(), None);
    };
    let Some(text) = storage.get_item(key).ok().flatten() else {
        return (T::default(), None);
    };
    match foresight_core::foundation::json::decode(&text) {
        Ok(value) => (value, None),
        Err(error) => {
            let copy = format!("{UNREADABLE_KEY_PREFIX}{key}");
            let kept = storage.get_item(&copy).ok().flatten().is_some()
                || storage.set_item(&copy, &text).is_ok();
            let problem = if kept {
                format!("{key} could not be read ({error}); its text is kept under {copy}")
            } else {
                format!("{key} could not be read ({error}), and the browser refused to keep a copy")
            };
            (T::default(), Some(problem))
        }
    }
}

/// [`load_json_reporting`] without the sentence.
pub fn load_json<T: FromJson + Default>(key: &str) -> T {
    load_json_reporting(key).0
}

/// Stores `value` under `key`; a refusal (quota, disabled) is returned.
pub fn store_json<T: ToJson>(key: &str, value: &T) -> Result<(), String> {
    let storage = storage()?;
    put(
        &storage,
        key,
        &value.to_json().to_string(),
        "the alert state",
    )
}

pub const CONFIRMED_ORIGINS_KEY: &str = "foresight.confirmed-origins";
const ACCEPTED_KEY: &str = "foresight.accepted-dashboards";

/// The datasource and notification origins the user confirmed in this browser.
pub fn load_confirmed_origins() -> foresight_core::model::trust::ConfirmedOrigins {
    load_json(CONFIRMED_ORIGINS_KEY)
}

/// Changes the confirmed origins as stored now, not as this tab read them
/// when it started: another tab may have confirmed or forgotten one since.
/// Returns what was stored.
pub fn update_confirmed_origins(
    change: impl FnOnce(&mut foresight_core::model::trust::ConfirmedOrigins),
) -> Result<foresight_core::model::trust::ConfirmedOrigins, String> {
    let mut confirmed = load_confirmed_origins();
    change(&mut confirmed);
    store_confirmed_origins(&confirmed)?;
    Ok(confirmed)
}

const ALERT_HOMES_KEY: &str = "foresight.alert-homes";

/// Where the rules of the dashboards shipped or saved here run without asking.
pub fn load_alert_homes() -> foresight_core::model::trust::AlertHomes {
    load_json(ALERT_HOMES_KEY)
}

/// Changes the alert homes as stored now (another tab may have added one);
/// returns what was stored.
pub fn update_alert_homes(
    change: impl FnOnce(&mut foresight_core::model::trust::AlertHomes) -> bool,
) -> Result<foresight_core::model::trust::AlertHomes, String> {
    let mut homes = load_alert_homes();
    if change(&mut homes) {
        store_json(ALERT_HOMES_KEY, &homes)?;
    }
    Ok(homes)
}

pub fn store_confirmed_origins(
    confirmed: &foresight_core::model::trust::ConfirmedOrigins,
) -> Result<(), String> {
    let storage = storage()?;
    storage
        .set_item(CONFIRMED_ORIGINS_KEY, &confirmed.to_json().to_string())
        .map_err(|_| {
            "the browser refused to store the confirmed addresses (storage full or disabled)"
                .to_string()
        })
}

/// This tab's answers to the trust banner, by the fingerprint of what was
/// asked about (a dashboard from outside, or a link's own parameters): the
/// choice holds across reloads of the tab only.
pub fn load_tab_choices() -> foresight_core::foundation::ordered::SortedMap<String, bool> {
    session()
        .and_then(|s| s.get_item(ACCEPTED_KEY).ok().flatten())
        .and_then(|text| foresight_core::foundation::json::decode(&text).ok())
        .unwrap_or_default()
}

pub fn store_tab_choices(choices: &foresight_core::foundation::ordered::SortedMap<String, bool>) {
    if let Some(session) = session() {
        let _ = session.set_item(ACCEPTED_KEY, &choices.to_json().to_string());
    }
}
