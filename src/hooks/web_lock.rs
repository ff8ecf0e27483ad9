//! One tab at a time: a Web Lock held while a component lives, so that of the
//! tabs showing the same dashboard exactly one evaluates its alert rules.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Asks for the Web Lock `name`; `leader` becomes true when this tab holds it.
/// It is held until this view goes away (or the tab closes).
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
            let granted = wasm_bindgen::closure::Closure::once_into_js(
                move |_lock: wasm_bindgen::JsValue| {
                    if leader.try_set(true).is_some() {
                        // The page moved on before the lock came: give it back at once.
                        return js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED);
                    }
                    on_granted();
                    js_sys::Promise::new(&mut |resolve, _| {
                        release.try_set_value(Some(resolve));
                    })
                },
            );
            let _ = request.call2(&locks, &wasm_bindgen::JsValue::from_str(&name), &granted);
        }
        // No Web Locks (very old browsers): every tab evaluates.
        _ => leader.set(true),
    }
    on_cleanup(move || {
        release.try_with_value(|resolve| {
            if let Some(resolve) = resolve {
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            }
        });
    });
}
