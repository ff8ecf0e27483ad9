//! This tab's identity. Drafts are kept per tab under an id that outlives a
//! reload in the tab's session storage, which the browser copies when a tab
//! is duplicated: the copy would then write over the original's draft. The id
//! is therefore in session storage only between two pages of the app, and
//! each tab also holds a Web Lock named after its id for its whole life; a
//! tab that finds its id held by another (for 2 s: after a reload the page
//! before may still hold it) takes a new one. The same locks say which
//! tabs are open, so a page never removes a draft an open tab is editing.
//! Where the browser offers no Web Locks (a page served over plain http from
//! another host than this computer), the tabs say who they are on a
//! `BroadcastChannel` instead.

use foresight_core::foundation::ordered::SortedSet;
use std::cell::RefCell;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::storage::session;

const TAB_ID_KEY: &str = "foresight.tab-id";

thread_local! {
    /// The id this page made its own (session storage may since hold another:
    /// a second copy of the app in the same tab).
    static CLAIMED: RefCell<Option<String>> = const { RefCell::new(None) };
}

// Written in JavaScript: the lock's callback must return a promise that never
// settles (the lock is then held until the tab closes or navigates away).
#[wasm_bindgen(inline_js = r#"
const PREFIX = "foresight.tab.";
// The tab's id is kept in session storage only while no page of the app runs
// in the tab: written when the page goes (a reload, another address), taken
// out when the next one starts. A tab duplicated meanwhile (the browser
// copies session storage) then starts without it and takes a new one.
let leavingId = null;
export function keepIdOnLeaving(id) {
  leavingId = id;
}
addEventListener("pagehide", () => {
  try {
    if (leavingId !== null) sessionStorage.setItem("foresight.tab-id", leavingId);
  } catch (_) { /* storage refused: the next page takes a new id */ }
});
// A page shown again from the browser's page cache (Back, Forward) wrote its
// id on hiding, and Safari gave back its locks when it kept the page: take the
// id out again and hold its lock again. (Listened for once an id is claimed.)
function shownAgain(event) {
  if (!event.persisted || ownId === null) return;
  try {
    sessionStorage.removeItem("foresight.tab-id");
  } catch (_) { /* storage refused: nothing was written either */ }
  const locks = webLocks();
  if (locks) hold(locks, ownId);
}
let ownId = null;
let channel = null;
function hold(locks, id) {
  return new Promise((resolve) => {
    locks.request(PREFIX + id, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      return lock === null ? undefined : new Promise(() => {});
    }).catch(() => resolve(false));
  });
}
// Asks for the lock of `id`, waiting for it up to `ms`: after a reload, the
// page before may still be giving its locks back. (Queued, not polled: the
// lock goes to this page as soon as it is free.)
function holdWaiting(locks, id, ms) {
  return new Promise((resolve) => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), ms);
    locks.request(PREFIX + id, { signal: abort.signal }, () => {
      clearTimeout(timer);
      resolve(true);
      return new Promise(() => {});
    }).catch(() => resolve(false));
  });
}
function webLocks() {
  const locks = navigator.locks;
  return locks && locks.request && locks.query ? locks : null;
}
async function lockedTabs(locks) {
  const held = (await locks.query()).held || [];
  return held.map((l) => l.name).filter((n) => n.startsWith(PREFIX)).map((n) => n.slice(PREFIX.length));
}
// The ids the other tabs answer on the channel within a quarter of a second.
function askTabs() {
  if (typeof BroadcastChannel === "undefined") return Promise.resolve(null);
  if (channel === null) {
    channel = new BroadcastChannel("foresight.tabs");
    channel.onmessage = (event) => {
      const message = event.data || {};
      if (typeof message.ask === "string" && ownId !== null) channel.postMessage({ here: ownId, to: message.ask });
      const waiting = asked.get(message.to);
      if (typeof message.here === "string" && waiting) waiting.add(message.here);
    };
  }
  const question = Math.random().toString(36).slice(2);
  const answers = new Set();
  asked.set(question, answers);
  channel.postMessage({ ask: question });
  return new Promise((resolve) => setTimeout(() => { asked.delete(question); resolve([...answers]); }, 250));
}
const asked = new Map();
// [own id, ids of every open tab], or null where the browser cannot say.
export async function claimTab(id, fresh) {
  addEventListener("pageshow", shownAgain);
  try {
    const locks = webLocks();
    if (locks) {
      let own = id;
      if (!(await holdWaiting(locks, own, 2000))) {
        own = fresh;
        if (!(await hold(locks, own))) return null;
      }
      ownId = own;
      return [own, ...(await lockedTabs(locks))];
    }
    const open = await askTabs();
    if (open === null) return null;
    ownId = open.includes(id) ? fresh : id;
    return [ownId, ...open];
  } catch (_) {
    return null;
  }
}
// The ids of the tabs open now, or null where the browser cannot say.
export async function openTabs() {
  try {
    const locks = webLocks();
    if (locks) return await lockedTabs(locks);
    const open = await askTabs();
    return open === null || ownId === null ? open : [ownId, ...open];
  } catch (_) {
    return null;
  }
}
// The names of the Web Locks held in this browser for the page's origin;
// without Web Locks, those of the leases standing in for them that are still
// fresh (see hooks/web_lock.rs); null when neither can be read.
export async function heldLocks() {
  try {
    const locks = webLocks();
    if (locks) return ((await locks.query()).held || []).map((l) => l.name);
    const names = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key === null || !key.startsWith("foresight.lease.")) continue;
      try {
        const lease = JSON.parse(localStorage.getItem(key));
        const now = Date.now();
        if (lease && typeof lease.at === "number" && lease.at <= now + 1000 && now - lease.at < 10000) {
          names.push(key.slice("foresight.lease.".length));
        }
      } catch (_) { /* a damaged lease holds nothing */ }
    }
    return names;
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
    #[wasm_bindgen(js_name = openTabs)]
    fn open_tabs_js() -> js_sys::Promise;
    #[wasm_bindgen(js_name = keepIdOnLeaving)]
    fn keep_id_on_leaving(id: &str);
}

/// A JavaScript array of strings (`null`: `None`) as a set.
async fn string_set(promise: js_sys::Promise) -> Option<SortedSet<String>> {
    let answer = JsFuture::from(promise)
        .await
        .ok()
        .filter(|answer| !answer.is_null())?;
    Some(
        js_sys::Array::from(&answer)
            .iter()
            .filter_map(|item: JsValue| item.as_string())
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
    if let Some(id) = CLAIMED.with(|claimed| claimed.borrow().clone()) {
        return id;
    }
    let session = session();
    let id = session
        .as_ref()
        .and_then(|s| s.get_item(TAB_ID_KEY).ok().flatten())
        .unwrap_or_else(new_tab_id);
    // Out of session storage while this page runs (see `keepIdOnLeaving`).
    if let Some(session) = session {
        let _ = session.remove_item(TAB_ID_KEY);
    }
    make_own(&id);
    id
}

fn make_own(id: &str) {
    keep_id_on_leaving(id);
    CLAIMED.with(|claimed| *claimed.borrow_mut() = Some(id.to_string()));
}

/// Makes this tab's id its own (a new one when a duplicated tab shares it)
/// and returns the ids of the open tabs, or `None` when the browser cannot say.
pub async fn claim_tab() -> Option<SortedSet<String>> {
    let own_before = tab_id();
    let answer = JsFuture::from(claim_tab_js(&own_before, &new_tab_id()))
        .await
        .ok()
        .filter(|answer| !answer.is_null())?;
    let ids: Vec<String> = js_sys::Array::from(&answer)
        .iter()
        .filter_map(|id: JsValue| id.as_string())
        .collect();
    make_own(ids.first()?);
    Some(ids.into_iter().collect())
}

/// The ids of the tabs open now, or `None` when the browser cannot say.
pub async fn open_tabs() -> Option<SortedSet<String>> {
    string_set(open_tabs_js()).await
}

/// The Web Locks held in this browser (by any of the page's tabs), or `None`
/// when the browser cannot say.
pub async fn held_locks() -> Option<SortedSet<String>> {
    string_set(held_locks_js()).await
}
