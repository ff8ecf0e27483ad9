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
export function holdLease(name, granted, lost) {
  const key = "foresight.lease." + name;
  const me = Math.random().toString(36).slice(2) + Date.now().toString(36);
  let mine = false;
  let stopped = false;
  const read = () => {
    try {
      return JSON.parse(localStorage.getItem(key));
    } catch (_) {
      return null;
    }
  };
  const held = (lease) => lease !== null && typeof lease === "object" && lease.by === me;
  const settle = (ours) => {
    if (stopped || ours === mine) return;
    mine = ours;
    if (ours) granted(); else lost();
  };
  const tick = () => {
    const lease = read();
    const stale = lease === null || typeof lease !== "object" || !(Date.now() - lease.at < 10000);
    if (!held(lease) && !stale) return settle(false);
    try {
      localStorage.setItem(key, JSON.stringify({ by: me, at: Date.now() }));
    } catch (_) {
      return settle(false);
    }
    setTimeout(() => settle(held(read())), 200);
  };
  const timer = setInterval(tick, 2000);
  const release = () => {
    stopped = true;
    clearInterval(timer);
    removeEventListener("pagehide", release);
    if (held(read())) localStorage.removeItem(key);
  };
  addEventListener("pagehide", release);
  tick();
  return release;
}
"#)]
extern "C" {
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
