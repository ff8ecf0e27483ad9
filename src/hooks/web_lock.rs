//! One tab at a time: a Web Lock held while a component lives, so that of the
//! tabs showing the same dashboard exactly one evaluates its alert rules.
//! Where the browser offers no Web Locks (a page served over plain http from
//! another host than the viewer's computer), a lease in local storage stands
//! in: renewed by its holder, taken over by another tab when it goes stale.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;

// Written in JavaScript: timers, storage and the page's lifecycle.
#[wasm_bindgen(inline_js = r#"
// The lease is renewed every 2 s and taken over once 10 s old (a hidden tab's
// timers may run only once a second). Two tabs may take a stale lease at the
// same moment: the later write wins, and each reads it back before acting.
// Returns the function that gives the lease back.
const renewed = new Map(); // name -> [this page's holder id, when it last renewed]
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
export function holdLease(name, granted, lost) {
  const key = "foresight.lease." + name;
  const me = Math.random().toString(36).slice(2) + Date.now().toString(36);
  let mine = false;
  let stopped = false;
  const settle = (ours) => {
    if (stopped || ours === mine) return;
    mine = ours;
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
    setTimeout(() => {
      const back = readLease(key);
      settle(back !== null && back.by === me);
    }, 200);
  };
  const timer = setInterval(tick, 2000);
  const release = () => {
    stopped = true;
    clearInterval(timer);
    removeEventListener("pagehide", release);
    renewed.delete(name);
    const lease = readLease(key);
    if (lease !== null && lease.by === me) localStorage.removeItem(key);
  };
  addEventListener("pagehide", release);
  tick();
  return release;
}
// Whether this page may act as the leader for `name` right now: always with
// Web Locks; with a lease, only while it is still this page's and was renewed
// within 6 s (a tab whose timers slept may have lost it without knowing yet).
export function stillLeads(name) {
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
    #[wasm_bindgen(js_name = holdLease)]
    fn hold_lease(
        name: &str,
        granted: &js_sys::Function,
        lost: &js_sys::Function,
    ) -> js_sys::Function;
}

/// Asks for the Web Lock `name`; `leader` becomes true when this tab holds it.
/// It is held until this view goes away (or the tab closes). `on_granted`
/// runs each time this tab becomes the leader.
pub fn hold_leadership(name: String, leader: RwSignal<bool>, on_granted: impl Fn() + 'static) {
    let release = StoredValue::new_local(None::<js_sys::Function>);
    let locks = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|l| !l.is_undefined() && !l.is_null());
    let request = locks.as_ref().and_then(|l| {
        js_sys::Reflect::get(l, &"request".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    match (locks, request) {
        (Some(locks), Some(request)) => {
            let granted = Closure::once_into_js(move |_lock: wasm_bindgen::JsValue| {
                if leader.try_set(true).is_some() {
                    // The page moved on before the lock came: give it back at once.
                    return js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED);
                }
                on_granted();
                js_sys::Promise::new(&mut |resolve, _| {
                    release.try_set_value(Some(resolve));
                })
            });
            let _ = request.call2(&locks, &wasm_bindgen::JsValue::from_str(&name), &granted);
        }
        _ => {
            let granted = Closure::<dyn FnMut()>::new(move || {
                if leader.try_set(true).is_none() {
                    on_granted();
                }
            });
            let lost = Closure::<dyn FnMut()>::new(move || {
                leader.try_set(false);
            });
            let give_back = hold_lease(
                &name,
                granted.as_ref().unchecked_ref(),
                lost.as_ref().unchecked_ref(),
            );
            release.set_value(Some(give_back));
            // The lease's timer calls them until it is given back.
            let callbacks = StoredValue::new_local(Some((granted, lost)));
            on_cleanup(move || {
                callbacks.try_set_value(None);
            });
        }
    }
    on_cleanup(move || {
        release.try_with_value(|resolve| {
            if let Some(resolve) = resolve {
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            }
        });
    });
}
