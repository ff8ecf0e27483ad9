//! Fills an element with a table of text cells. Written in JavaScript: built
//! through the app's view code, a table of a chart's samples cost ten times
//! its size. Every cell is set as text, never as markup.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(inline_js = r#"
export function fillTable(box, caption, columns, cells) {
  const table = document.createElement('table');
  table.createCaption().textContent = caption;
  const cell = (row, kind, scope, text) => {
    const element = document.createElement(kind);
    if (scope) element.scope = scope;
    element.textContent = text;
    row.append(element);
  };
  const head = table.createTHead().insertRow();
  for (let c = 0; c < columns; c++) cell(head, 'th', 'col', cells[c]);
  const body = table.createTBody();
  for (let start = columns; start + columns <= cells.length; start += columns) {
    const row = body.insertRow();
    cell(row, 'th', 'row', cells[start]);
    for (let c = 1; c < columns; c++) cell(row, 'td', '', cells[start + c]);
  }
  box.replaceChildren(table);
}
"#)]
extern "C" {
    /// Replaces `container`'s content with a table: `cells` holds the header
    /// row, then each row, `columns` cells apiece; each row's first cell heads it.
    #[wasm_bindgen(js_name = fillTable)]
    pub fn fill_table(
        container: &web_sys::Element,
        caption: &str,
        columns: u32,
        cells: Vec<String>,
    );
}
