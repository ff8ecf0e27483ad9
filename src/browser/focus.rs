//! Keyboard focus around dialogs and redrawn controls. Written in
//! JavaScript: a few DOM calls there cost far less of the app's size than
//! the same calls through web-sys.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(inline_js = r#"
// Controls that can take the focus, in document order.
const CONTROLS = 'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex="0"]';
// Where the focus was when each open dialog opened (innermost last).
const openers = [];

// How to find an element again once it was drawn anew: its data-action,
// data-edit or data-row, and the panel or row it belongs to.
function identity(e) {
  if (!e) return null;
  const name = ['data-action', 'data-edit'].find((n) => e.hasAttribute(n));
  const owner = e.closest('[data-edit-panel], [data-row]');
  return {
    element: e,
    name,
    value: name && e.getAttribute(name),
    owner: owner && (owner.getAttribute('data-edit-panel') ?? owner.getAttribute('data-row')),
  };
}

function refocus(found) {
  requestAnimationFrame(() => {
    if (!found) return;
    if (found.element.isConnected) return found.element.focus();
    // Nothing to know its replacement by: leave the focus where it is.
    if (!found.name && !found.owner) return;
    const same = [...document.querySelectorAll('[data-action], [data-edit], [data-row] button')].find((e) => {
      const owner = e.closest('[data-edit-panel], [data-row]');
      const ownerId = owner && (owner.getAttribute('data-edit-panel') ?? owner.getAttribute('data-row'));
      return ownerId === found.owner && (found.name ? e.getAttribute(found.name) === found.value : true);
    });
    same?.focus();
  });
}

export function openModal(dialog, opener) {
  openers.push(opener);
  if (!dialog.open) dialog.showModal();
  // Tab from the last control goes to the first, Shift+Tab from the first to
  // the last: the browser alone lets the focus leave for its address bar.
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const controls = [...dialog.querySelectorAll(CONTROLS)].filter((e) => e.offsetParent);
    const first = controls[0], last = controls[controls.length - 1];
    const wrapTo = event.shiftKey ? (document.activeElement === first && last) : (document.activeElement === last && first);
    if (wrapTo) { event.preventDefault(); wrapTo.focus(); }
  });
}

export function modalClosed() {
  refocus(openers.pop());
}

export function rememberFocus() {
  return identity(document.activeElement);
}

export function restoreFocus(found) {
  refocus(found);
}
"#)]
extern "C" {
    /// Shows `dialog` as a modal and keeps Tab inside it; `opener` (from
    /// [`remember_focus`], taken before the page redrew) gets the focus back.
    #[wasm_bindgen(js_name = openModal)]
    pub fn open_modal(dialog: &web_sys::HtmlElement, opener: &wasm_bindgen::JsValue);
    /// Gives the focus back to where it was when the last modal opened (or to
    /// that control's redrawn replacement).
    #[wasm_bindgen(js_name = modalClosed)]
    pub fn modal_closed();
    /// Where the focus is now, to be given back after a redraw.
    #[wasm_bindgen(js_name = rememberFocus)]
    pub fn remember_focus() -> wasm_bindgen::JsValue;
    /// Focuses the remembered control, or its redrawn replacement.
    #[wasm_bindgen(js_name = restoreFocus)]
    pub fn restore_focus(found: &wasm_bindgen::JsValue);
}
