//! The page checked as a keyboard and screen-reader user meets it: axe-core
//! (pinned, run inside the page) at WCAG 2.1 A and AA, and 2.2 AA (target sizes), on the default
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
        "{axe}\nreturn await axe.run(document, {{ runOnly: {{ type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }} }})
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
    browser.paste_import(&imported).await.unwrap();
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

/// Runs `body` with `panel` bound to the panel holding the chart whose text
/// alternative starts with `title`.
async fn in_chart_panel(browser: &BrowserSession, title: &str, body: &str) -> Value {
    let script = format!(
        "const chart = [...document.querySelectorAll('.chart[role=application]')]
             .find((c) => (c.getAttribute('aria-label') ?? '').startsWith({title:?}));
         if (!chart) return null;
         const panel = chart.closest('.panel');
         {body}"
    );
    browser.script(&script).await.unwrap()
}

async fn readout(browser: &BrowserSession, title: &str) -> String {
    let said = in_chart_panel(
        browser,
        title,
        "return panel.querySelector('[data-chart-readout]').textContent;",
    )
    .await;
    said.as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn charts_are_read_and_steered_from_the_keyboard() {
    const CHART: &str = "Request rate by status code";
    let PageWithHistory { browser, page, .. } = &PageWithHistory::start("chart-keys").await;
    let (browser, page) = (browser, page.as_str());
    browser.client.goto(page).await.unwrap();
    browser.settled_panels().await.unwrap();

    // The text alternative names the chart, its span and each series.
    let summary = in_chart_panel(
        browser,
        CHART,
        "chart.focus(); return chart.getAttribute('aria-label');",
    )
    .await;
    let summary = summary.as_str().expect("the chart has a text alternative");
    println!("text alternative: {summary}");
    assert!(
        summary.contains("2 series from") && summary.contains("200: latest"),
        "{summary}"
    );
    let last_200 = in_chart_panel(
        browser,
        CHART,
        r#"return panel.querySelector('tr[data-series="200"] td:last-child').textContent;"#,
    )
    .await;
    let last_200 = last_200.as_str().unwrap().to_string();
    assert!(
        summary.contains(&format!("200: latest {last_200}")),
        "the summary's latest value is the legend's: {last_200} in {summary}"
    );

    // The first arrow puts the crosshair on the latest sample and reads it out.
    press(browser, "\u{E012}").await; // ArrowLeft
    let at_end = readout(browser, CHART).await;
    println!("readout at the end: {at_end}");
    assert!(
        at_end.contains(&format!("200: {last_200}")),
        "{at_end} reads the legend's last value {last_200}"
    );
    let tooltip = in_chart_panel(
        browser,
        CHART,
        "return panel.querySelector('.chart-tooltip')?.textContent ?? null;",
    )
    .await;
    assert!(
        tooltip.as_str().is_some_and(|t| t.contains(&last_200)),
        "the tooltip shows what is read out: {tooltip}"
    );
    press(browser, "\u{E011}").await; // Home
    let at_start = readout(browser, CHART).await;
    assert!(
        at_start != at_end && at_start.contains("200: "),
        "Home moves to the first sample: {at_start}"
    );

    // Digits isolate a series, 0 shows them all again.
    press(browser, "2").await;
    let dimmed = in_chart_panel(
        browser,
        CHART,
        "return [...panel.querySelectorAll('tr.dimmed')].map((r) => r.dataset.series);",
    )
    .await;
    assert_eq!(
        dimmed,
        serde_json::json!(["200"]),
        "2 shows only the second series"
    );
    assert_eq!(readout(browser, CHART).await, "Showing only 500");
    press(browser, "0").await;
    let dimmed = in_chart_panel(
        browser,
        CHART,
        "return panel.querySelectorAll('tr.dimmed').length;",
    )
    .await;
    assert_eq!(dimmed, serde_json::json!(0), "0 shows every series");

    // The samples as a table: the newest row holds the legend's last value.
    in_chart_panel(
        browser,
        CHART,
        "panel.querySelector('.table-toggle').click(); return 1;",
    )
    .await;
    browser
        .wait_for_count(".chart-table tbody tr")
        .await
        .unwrap();
    let table = in_chart_panel(
        browser,
        CHART,
        "const t = panel.querySelector('.chart-table table');
         return { header: [...t.querySelectorAll('thead th')].map((h) => h.textContent),
                  rows: t.querySelectorAll('tbody tr').length,
                  newest: [...t.querySelectorAll('tbody tr:first-child td')].map((d) => d.textContent) };",
    )
    .await;
    println!("table: {table}");
    assert_eq!(table["header"], serde_json::json!(["Time", "200", "500"]));
    assert!(table["rows"].as_u64().unwrap() > 10, "{table}");
    assert_eq!(table["newest"][0], Value::String(last_200.clone()));
    let axe = axe_source();
    let found = violations(browser, &axe).await;
    assert!(found.is_empty(), "with a table open: {found:#?}");

    // + zooms into the range around the crosshair: the link gets an absolute range.
    let before: Value = browser.script("return location.href;").await.unwrap();
    in_chart_panel(browser, CHART, "chart.focus(); return 1;").await;
    press(browser, "+").await;
    let mut after = before.clone();
    for _ in 0..40 {
        after = browser.script("return location.href;").await.unwrap();
        if after != before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    println!("zoomed: {after}");
    // The new range is absolute, ordered and narrower than the six hours shown.
    let parameter = |name: &str| -> Option<f64> {
        let link = after.as_str()?;
        let start = link.find(&format!("{name}="))? + name.len() + 1;
        link[start..].split('&').next()?.parse().ok()
    };
    let (from, to) = (parameter("from"), parameter("to"));
    println!("zoomed to {from:?} .. {to:?}");
    let (Some(from), Some(to)) = (from, to) else {
        panic!("+ gives an absolute range: {before} -> {after}");
    };
    assert!(
        from < to && to - from < 6.0 * 3600.0 * 1000.0 * 0.75,
        "+ narrows the range: {from} .. {to}"
    );
    // Ctrl with + is the browser's page zoom, not the chart's.
    let (ctrl_plus, before_ctrl): (Value, Value) = (
        in_chart_panel(
            browser,
            CHART,
            "chart.focus(); const e = new KeyboardEvent('keydown', { key: '+', ctrlKey: true, bubbles: true, cancelable: true });
             chart.dispatchEvent(e); return e.defaultPrevented;",
        )
        .await,
        Value::Bool(false),
    );
    assert_eq!(ctrl_plus, before_ctrl, "Ctrl and + are left to the browser");
}
