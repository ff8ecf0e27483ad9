//! This tab's identity. Drafts are kept per tab under an id that lives in
//! the tab's session storage, which the browser copies when a tab is
//! duplicated: the copy would then write over the original's draft. Each tab
//! therefore holds a Web Lock named after its id for its whole life; a tab
//! that finds its id held by another takes a new one. The same locks say which
//! tabs are open, so a page never removes a draft an open tab is editing.

use foresight_core::foundation::ordered::SortedSet;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::storage::session;

const TAB_ID_KEY: &str = "foresight.tab-id";

// Written in JavaScript: the lock's callback must return a promise that never
// settles (the lock is then held until the tab closes or navigates away).
#[wasm_bindgen(inline_js = r#"
const PREFIX = "foresight.tab.";
function hold(locks, id) {
  return new Promise((resolve) => {
    locks.request(PREFIX + id, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      return lock === null ? undefined : new Promise(() => {});
    }).catch(() => resolve(false));
  });
}
// [own id, ids of every open tab], or null where the browser has no Web Locks.
export async function claimTab(id, fresh) {
  try {
    const locks = navigator.locks;
    if (!locks || !locks.request || !locks.query) return null;
    let own = id;
    if (!(await hold(locks, own))) {
      own = fresh;
      if (!(await hold(locks, own))) return null;
    }
    const held = (await locks.query()).held || [];
    return [own, ...held.map((l) => l.name).filter((n) => n.startsWith(PREFIX)).map((n) => n.slice(PREFIX.length))];
  } catch (_) {
    return null;
  }
}
// The names of the Web Locks held in this browser for the page's origin, or
// null where the browser has no Web Locks.
export async function heldLocks() {
  try {
    const locks = navigator.locks;
    if (!locks || !locks.query) return null;
    return ((await locks.query()).held || []).map((l) => l.name);
  } catch (_) {
    return null;
  }
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = claimTab)]
    fn claim_tab_js(id: &str, fresh: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = heldLocks)]
    fn held_locks_js() -> js_sys::Promise;
}

/// The Web Locks held in this browser (by any of the page's tabs), or `None`
/// when the browser cannot say.
pub async fn held_locks() -> Option<SortedSet<String>> {
    let answer = JsFuture::from(held_locks_js())
        .await
        .ok()
        .filter(|answer| !answer.is_null())?;
    Some(
        js_sys::Array::from(&answer)
            .iter()
            .filter_map(|name: JsValue| name.as_string())
            .collect(),
    )
}

fn new_tab_id() -> String {
    format!(
        "{:x}{:08x}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * f64::from(u32::MAX)) as u32
    )
}

/// This tab's id, kept for the tab's life (reloads included).
pub fn tab_id() -> String {
    let session = session();
    if let Some(id) = session
        .as_ref()
        .and_then(|s| s.get_item(TAB_ID_KEY).ok().flatten())
    {
        return id;
    }
    let id = new_tab_id();
    if let Some(session) = session {
        let _ = session.set_item(TAB_ID_KEY, &id);
    }
    id
}

/// Makes this tab's id its own (a new one when a duplicated tab shares it)
/// and returns the ids of the open tabs, or `None` when the browser cannot say.
pub async fn claim_tab() -> Option<SortedSet<String>> {
    let answer = JsFuture::from(claim_tab_js(&tab_id(), &new_tab_id()))
        .await
        .ok()
        .filter(|answer| !answer.is_null())?;
    let ids: Vec<String> = js_sys::Array::from(&answer)
        .iter()
        .filter_map(|id: JsValue| id.as_string())
        .collect();
    let own = ids.first()?;
    if let Some(session) = session() {
        let _ = session.set_item(TAB_ID_KEY, own);
    }
    Some(ids.into_iter().collect())
}
