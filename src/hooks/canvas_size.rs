//! Redrawing a chart when its canvas changes size: a window resize, a panel
//! made wider or taller in the editor, the layout switching to one column.

use leptos::html::Canvas;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;

/// A counter that goes up each time the canvas bound to `canvas` changes size
/// from the size it had when it appeared (a canvas drawn before the page was
/// laid out gets its drawing once it has a size); a drawing effect tracks it to
/// redraw at the new size.
/// The observer is disconnected when the owner is cleaned up.
pub fn canvas_size_changes(canvas: NodeRef<Canvas>) -> RwSignal<u32> {
    let changes = RwSignal::new(0u32);
    let last_size = std::rc::Rc::new(std::cell::Cell::new(None::<(f64, f64)>));
    let reported = last_size.clone();
    let on_resize = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let Ok(entry) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() else {
            return;
        };
        let rect = entry.content_rect();
        let size = (rect.width(), rect.height());
        if reported.get().is_some_and(|last| last != size) {
            changes.try_update(|count| *count += 1);
        }
        reported.set(Some(size));
    });
    let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) else {
        return changes;
    };
    let watched = SendWrapper::new((observer, on_resize));
    let watching = watched.0.clone();
    Effect::new(move |_| {
        if let Some(element) = canvas.get() {
            // What it measures now is what a drawing at this moment used.
            let now = (
                f64::from(element.client_width()),
                f64::from(element.client_height()),
            );
            last_size.set(Some(now));
            watching.observe(&element);
        }
    });
    on_cleanup(move || watched.0.disconnect());
    changes
}
