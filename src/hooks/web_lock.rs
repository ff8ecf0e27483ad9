//! One tab at a time: a Web Lock held while a component lives, so that of the
//! tabs showing the same dashboard exactly one evaluates its alert rules.
//! Where the browser offers no Web Locks (a page served over plain http from
//! another host than the viewer's computer), a lease in local storage stands
//! in: renewed by its holder, taken over by another tab when it goes stale.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;

// Written in JavaScript: locks, timers, storage and the page's lifecycle.
#[wasm_bindgen(inline_js = r#"
// Whether this page leads for a name now, for `stillLeads`.
const leading = new Map();
// The lease is renewed every 2 s and taken over once 10 s old (a hidden tab's
// timers may run only once a second). Two tabs may take a stale lease at the
// same moment: the later write wins, and each reads it back before acting.
const renewed = new Map(); // name -> [this page's holder id, when it last renewed, unstored]
const freshFor = 10000;
function readLease(key) {
  try {
    const lease = JSON.parse(localStorage.getItem(key));
    return lease !== null && typeof lease === "object" ? lease : null;
  } catch (_) {
    return null;
  }
}
// A lease dated in the future (a clock set back, a hostile value) is stale too.
function fresh(lease, now) {
  return lease !== null && typeof lease.at === "number" && lease.at <= now + 1000 && now - lease.at < freshFor;
}
// A page the browser keeps for Back and Forward (its page cache) gets
// `pagehide` and later `pageshow`, both with `persisted`, and runs again as it
// was. Safari gives back a kept page's Web Locks, and a lease is given back
// when the page hides; another tab may lead meanwhile. So a page that hides
// stops leading, and one shown again asks again.
function holdLease(name, granted, lost) {
  const key = "foresight.lease." + name;
  const me = Math.random().toString(36).slice(2) + Date.now().toString(36);
  let mine = false;
  let stopped = false;
  let timer = null;
  let round = 0; // a read-back from before the page was hidden is ignored
  const settle = (ours) => {
    if (stopped || timer === null || ours === mine) return;
    mine = ours;
    leading.set(name, ours);
    if (ours) granted(); else lost();
  };
  const tick = () => {
    const lease = readLease(key);
    const now = Date.now();
    if (fresh(lease, now) && lease.by !== me) return settle(false);
    try {
      localStorage.setItem(key, JSON.stringify({ by: me, at: now }));
    } catch (_) {
      // Storage refuses (full, blocked): no other tab leads, so this one does.
      renewed.set(name, [me, now, true]);
      return settle(true);
    }
    renewed.set(name, [me, now, false]);
    const asked = round;
    setTimeout(() => {
      if (asked !== round) return;
      const back = readLease(key);
      settle(back !== null && back.by === me);
    }, 200);
  };
  const start = () => {
    round++;
    timer = setInterval(tick, 2000);
    tick();
  };
  const pause = () => {
    settle(false);
    clearInterval(timer);
    timer = null;
    renewed.delete(name);
    const lease = readLease(key);
    if (lease !== null && lease.by === me) localStorage.removeItem(key);
  };
  const hidden = () => { if (timer !== null) pause(); };
  const shown = (event) => { if (event.persisted && !stopped && timer === null) start(); };
  addEventListener("pagehide", hidden);
  addEventListener("pageshow", shown);
  leading.set(name, false);
  start();
  return () => {
    if (timer !== null) pause();
    stopped = true;
    leading.delete(name);
    removeEventListener("pagehide", hidden);
    removeEventListener("pageshow", shown);
  };
}
function holdLock(locks, name, granted, lost) {
  let stopped = false;
  let giveBack = null;
  let asking = 0;
  const ask = () => {
    const turn = ++asking;
    locks.request(name, () => {
      // Given after the view went, or to a request asked before the page was
      // shown again: hand it back at once.
      if (stopped || turn !== asking) return undefined;
      leading.set(name, true);
      granted();
      return new Promise((resolve) => { giveBack = resolve; });
    }).catch(() => {});
  };
  // Kept for Back and Forward: stop leading at once (a timer or an answer may
  // still run before the page is shown again, when another tab may lead),
  // give the lock back where the browser did not, and ask again when shown.
  const hidden = (event) => {
    if (!event.persisted || stopped) return;
    asking++; // a request granted while the page is kept is handed back
    if (giveBack !== null) {
      giveBack();
      giveBack = null;
    }
    if (leading.get(name)) {
      leading.set(name, false);
      lost();
    }
  };
  const shown = (event) => {
    if (event.persisted && !stopped) ask();
  };
  addEventListener("pagehide", hidden);
  addEventListener("pageshow", shown);
  leading.set(name, false);
  ask();
  return () => {
    stopped = true;
    leading.delete(name);
    removeEventListener("pagehide", hidden);
    removeEventListener("pageshow", shown);
    if (giveBack !== null) giveBack();
    giveBack = null;
  };
}
// Holds the Web Lock `name` (a lease in local storage where the browser has
// no Web Locks): `granted` runs each time this page comes to lead, `lost`
// each time it stops. Returns the function that gives it back.
export function holdLeadership(name, granted, lost) {
  const locks = navigator.locks;
  return locks && locks.request ? holdLock(locks, name, granted, lost) : holdLease(name, granted, lost);
}
// Whether this page may act as the leader for `name` right now: while it
// holds the lock; with a lease, only while it is still this page's and was
// renewed within 6 s (a tab whose timers slept may have lost it without
// knowing yet).
export function stillLeads(name) {
  if (leading.get(name) !== true) return false;
  const held = renewed.get(name);
  if (held === undefined) return true;
  const [me, at, unstored] = held;
  const now = Date.now();
  if (now - at >= 6000) return false;
  if (unstored) return true;
  const lease = readLease("foresight.lease." + name);
  return lease !== null && lease.by === me;
}
"#)]
extern "C" {
    /// Whether this page may act as the leader for `name` now (see `hold_leadership`).
    #[wasm_bindgen(js_name = stillLeads)]
    pub fn still_leads(name: &str) -> bool;
    #[wasm_bindgen(js_name = holdLeadership)]
    fn hold_leadership_js(
        name: &str,
        granted: &js_sys::Function,
        lost: &js_sys::Function,
    ) -> js_sys::Function;
}

/// Asks for the Web Lock `name`; `leader` is true while this tab holds it.
/// It is held until this view goes away (or the tab closes). `on_granted`
/// runs each time this tab becomes the leader.
pub fn hold_leadership(name: String, leader: RwSignal<bool>, on_granted: impl Fn() + 'static) {
    let granted = Closure::<dyn FnMut()>::new(move || {
        if leader.try_set(true).is_none() {
            on_granted();
        }
    });
    let lost = Closure::<dyn FnMut()>::new(move || {
        leader.try_set(false);
    });
    let give_back = hold_leadership_js(
        &name,
        granted.as_ref().unchecked_ref(),
        lost.as_ref().unchecked_ref(),
    );
    // JavaScript calls them until the lock or lease is given back.
    let kept = StoredValue::new_local(Some((give_back, granted, lost)));
    on_cleanup(move || {
        kept.try_update_value(|kept| {
            if let Some((give_back, _, _)) = kept.take() {
                let _ = give_back.call0(&wasm_bindgen::JsValue::NULL);
            }
        });
    });
}
