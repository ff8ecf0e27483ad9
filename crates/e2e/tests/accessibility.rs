//! The page checked as a keyboard and screen-reader user meets it: axe-core
//! (pinned, run inside the page) at WCAG 2.1 A and AA on the default
//! dashboard, with the panel editor open, and on an imported community
//! dashboard, against a real Prometheus with the generated history and the
//! release build. Prints every violation with the elements it names.

use e2e::browser_session::BrowserSession;
use e2e::{read_community_dashboard, PageWithHistory};
use serde_json::Value;
use std::path::Path;

fn axe_source() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/ensure-tools.sh", path.display()))
}

/// Runs axe-core on the page; returns each violation as "rule (impact) × n: targets".
async fn violations(browser: &BrowserSession, axe: &str) -> Vec<String> {
    let script = format!(
        "{axe}\nreturn await axe.run(document, {{ runOnly: {{ type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }} }})
            .then((r) => r.violations.map((v) => `${{v.id}} (${{v.impact}}) × ${{v.nodes.length}}: ${{v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}} — ${{v.help}}`));"
    );
    let found: Value = browser.script(&script).await.unwrap();
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_no_wcag_violation_on_the_dashboard_the_editor_and_an_import() {
    let PageWithHistory { browser, page, .. } = &PageWithHistory::start("axe").await;
    let (browser, page) = (browser, page.as_str());
    let axe = axe_source();
    let mut report = Vec::new();
    browser.client.goto(page).await.unwrap();
    browser.settled_panels().await.unwrap();
    report.push(("default dashboard", violations(browser, &axe).await));

    browser.click(r#"[data-action="edit"]"#).await.unwrap();
    browser.click(r#"[data-edit="edit"]"#).await.unwrap();
    browser
        .wait_for_count(r#"[data-field="title"]"#)
        .await
        .unwrap();
    report.push(("panel editor", violations(browser, &axe).await));

    browser.client.goto(page).await.unwrap();
    browser.settled_panels().await.unwrap();
    let imported = read_community_dashboard("ceph-host-details");
    browser.click(r#"[data-action="import"]"#).await.unwrap();
    browser
        .type_into(r#"[data-field="import-text"]"#, &imported)
        .await
        .unwrap();
    browser
        .click(r#"[data-field="import-pasted"]"#)
        .await
        .unwrap();
    browser
        .wait_for_text(r#"[data-testid="import-summary"]"#, "panels")
        .await
        .unwrap();
    report.push(("import report", violations(browser, &axe).await));
    // Escape on the dialog's button (its first control, the file input, takes
    // keys as a file name).
    browser
        .client
        .find(fantoccini::Locator::Css(r#"[data-field="import-pasted"]"#))
        .await
        .unwrap()
        .send_keys(ESCAPE)
        .await
        .unwrap();
    browser.import_through_the_page(&imported).await.unwrap();
    browser.settled_panels().await.unwrap();
    report.push(("imported dashboard", violations(browser, &axe).await));

    let mut total = 0;
    for (what, found) in &report {
        println!("{what}: {} rules violated", found.len());
        for line in found {
            println!("    {line}");
        }
        total += found.len();
    }
    assert_eq!(total, 0, "WCAG 2.1 AA violations (above)");
}

const ENTER: &str = "\u{E007}";
const TAB: &str = "\u{E004}";
const ESCAPE: &str = "\u{E00C}";

async fn press(browser: &BrowserSession, key: &str) {
    browser
        .client
        .active_element()
        .await
        .unwrap()
        .send_keys(key)
        .await
        .unwrap();
}

/// Where the focus is: the element's `data-testid`/`data-field`/text, and
/// whether it is inside the open dialog.
async fn focus(browser: &BrowserSession) -> (String, bool) {
    let found: Value = browser
        .script(
            "const e = document.activeElement;
             return [e ? (e.dataset.field ?? e.dataset.edit ?? e.dataset.action ?? e.tagName.toLowerCase()) : 'none',
                     !!e?.closest('dialog[open]')];",
        )
        .await
        .unwrap();
    (
        found[0].as_str().unwrap_or_default().to_string(),
        found[1].as_bool().unwrap_or(false),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_panel_editor_is_a_modal_dialog_from_the_keyboard() {
    let PageWithHistory { browser, page, .. } = &PageWithHistory::start("modal").await;
    let (browser, page) = (browser, page.as_str());
    browser.client.goto(page).await.unwrap();
    browser.settled_panels().await.unwrap();
    browser.click(r#"[data-action="edit"]"#).await.unwrap();
    browser
        .wait_for_count(r#"[data-edit="edit"]"#)
        .await
        .unwrap();
    // The first panel's Edit button, focused and pressed from the keyboard.
    browser
        .script(r#"document.querySelector('[data-edit="edit"]').focus(); return 1;"#)
        .await
        .unwrap();
    press(browser, ENTER).await;
    browser
        .wait_for_count(r#"dialog[open][data-testid="panel-editor"]"#)
        .await
        .unwrap();
    let (first, inside) = focus(browser).await;
    println!("focus on opening: {first} (inside the dialog: {inside})");
    assert!(inside, "the focus moves into the dialog, not {first}");
    // Tab round the dialog and past its end: the focus never leaves it.
    let mut visited = Vec::new();
    for _ in 0..60 {
        press(browser, TAB).await;
        let (at, inside) = focus(browser).await;
        assert!(inside, "Tab left the dialog for {at} after {visited:?}");
        visited.push(at);
    }
    // Sixty presses went round the dialog at least once: the wrap was taken.
    let distinct: std::collections::BTreeSet<&String> = visited.iter().collect();
    assert!(
        distinct.len() < visited.len(),
        "Tab never came round: {visited:?}"
    );
    press(browser, ESCAPE).await;
    let closed: Value = browser
        .script("return !document.querySelector('dialog[open]');")
        .await
        .unwrap();
    assert_eq!(closed, Value::Bool(true), "Escape closes the dialog");
    // The focus comes back once the page is drawn (an animation frame).
    let mut back = String::new();
    for _ in 0..20 {
        back = focus(browser).await.0;
        if back == "edit" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        back, "edit",
        "the focus returns to the button that opened it"
    );
}
