//! Redrawing a chart when its canvas changes size: a window resize, a panel
//! made wider or taller in the editor, the layout switching to one column.

use leptos::html::Canvas;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;

/// A counter that goes up each time the canvas bound to `canvas` changes size
/// after it first appears; a drawing effect tracks it to redraw at the new size.
/// The observer is disconnected when the owner is cleaned up.
pub fn canvas_size_changes(canvas: NodeRef<Canvas>) -> RwSignal<u32> {
    let changes = RwSignal::new(0u32);
    let mut last_size = None::<(f64, f64)>;
    let on_resize = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let Ok(entry) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() else {
            return;
        };
        let rect = entry.content_rect();
        let size = (rect.width(), rect.height());
        // The first report is the size the chart was first drawn at.
        if last_size.is_some_and(|last| last != size) {
            changes.try_update(|count| *count += 1);
        }
        last_size = Some(size);
    });
    let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) else {
        return changes;
    };
    let watched = SendWrapper::new((observer, on_resize));
    let watching = watched.0.clone();
    Effect::new(move |_| {
        if let Some(element) = canvas.get() {
            watching.observe(&element);
        }
    });
    on_cleanup(move || watched.0.disconnect());
    changes
}
