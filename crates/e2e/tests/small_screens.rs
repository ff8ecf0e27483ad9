//! The page at a phone's width, against a real Prometheus with the generated
//! history and the release build: at 320 and 390 CSS pixels nothing may make
//! the page scroll sideways (WCAG 1.4.10, reflow) — the header folds, panels
//! stack, tables and legends scroll inside themselves — on the dashboard, in
//! the panel editor and in the import dialog. Prints what sticks out when it
//! fails.

use e2e::browser_session::BrowserSession;
use e2e::{artifacts_dir, PageWithHistory};
use serde_json::Value;

/// Elements whose right edge is past the viewport, outside any box that
/// scrolls or clips them (those scroll inside themselves, which reflow allows).
const OVERFLOW: &str = r#"
const width = document.documentElement.clientWidth;
const clipped = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
};
const out = [...document.body.querySelectorAll('*')]
    .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1 && !clipped(e); })
    .slice(0, 12)
    .map((e) => `${e.tagName.toLowerCase()}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''}${e.dataset.field ? '[' + e.dataset.field + ']' : ''} right ${Math.round(e.getBoundingClientRect().right)}`);
return { scroll: document.documentElement.scrollWidth, width, out };
"#;

async fn sideways(browser: &BrowserSession, what: &str, problems: &mut Vec<String>) {
    let measured: Value = browser.script(OVERFLOW).await.unwrap();
    let scroll = measured["scroll"].as_f64().unwrap_or(0.0);
    let width = measured["width"].as_f64().unwrap_or(0.0);
    println!("{what}: page {scroll:.0} px wide in a {width:.0} px viewport");
    if scroll > width + 1.0 {
        problems.push(format!(
            "{what}: the page is {scroll:.0} px wide in a {width:.0} px viewport; sticking out: {}",
            measured["out"]
        ));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_fits_a_phone_without_scrolling_sideways() {
    let PageWithHistory { browser, page, .. } = &PageWithHistory::start("small").await;
    let (browser, page) = (browser, page.as_str());
    let artifacts = artifacts_dir();
    let mut problems = Vec::new();
    for width in [320u32, 390] {
        browser.client.set_window_size(width, 900).await.unwrap();
        browser.client.goto(page).await.unwrap();
        browser.settled_panels().await.unwrap();
        sideways(browser, &format!("dashboard at {width} px"), &mut problems).await;
        browser
            .save_screenshot(&artifacts.join(format!("small-screen-{width}.png")))
            .await
            .unwrap();
        browser.click(r#"[data-action="edit"]"#).await.unwrap();
        browser.click(r#"[data-edit="edit"]"#).await.unwrap();
        browser
            .wait_for_count(r#"[data-field="title"]"#)
            .await
            .unwrap();
        sideways(
            browser,
            &format!("panel editor at {width} px"),
            &mut problems,
        )
        .await;
        browser
            .save_screenshot(&artifacts.join(format!("small-screen-editor-{width}.png")))
            .await
            .unwrap();
        browser.client.goto(page).await.unwrap();
        browser.settled_panels().await.unwrap();
        browser.click(r#"[data-action="import"]"#).await.unwrap();
        browser
            .wait_for_count(r#"[data-testid="import-dialog"]"#)
            .await
            .unwrap();
        sideways(
            browser,
            &format!("import dialog at {width} px"),
            &mut problems,
        )
        .await;
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Layout shifts the page made while loading (the browser's own measure,
/// summed over the whole load, which bounds Lighthouse's CLS from above),
/// with the elements that moved.
const LAYOUT_SHIFTS: &str = r#"
return await new Promise((resolve) => {
    let total = 0;
    const moved = [];
    const done = () => resolve({ total, moved: moved.slice(0, 10) });
    new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
            if (e.hadRecentInput) continue;
            total += e.value;
            for (const s of e.sources ?? []) {
                const n = s.node;
                const y = (r) => `${Math.round(r.y)}+${Math.round(r.height)}`;
                moved.push(`${Math.round(e.startTime)} ms ${e.value.toFixed(3)} ${n?.nodeName?.toLowerCase() ?? '?'}${n?.className && typeof n.className === 'string' ? '.' + n.className.trim().split(/\s+/).join('.') : ''} ${y(s.previousRect)} → ${y(s.currentRect)}`);
            }
        }
        done();
    }).observe({ type: 'layout-shift', buffered: true });
    setTimeout(done, 300);
});
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_page_does_not_jump_while_it_loads() {
    let PageWithHistory { browser, page, .. } = &PageWithHistory::start("shift").await;
    let (browser, page) = (browser, page.as_str());
    let mut problems = Vec::new();
    for (width, height) in [(1400u32, 1000u32), (390, 844)] {
        browser.client.set_window_size(width, height).await.unwrap();
        browser.client.goto(page).await.unwrap();
        browser.settled_panels().await.unwrap();
        let shifts: Value = browser.script(LAYOUT_SHIFTS).await.unwrap();
        let total = shifts["total"].as_f64().unwrap_or(f64::NAN);
        println!(
            "layout shift while loading at {width} px: {total:.3}; moved: {}",
            shifts["moved"]
        );
        // Lighthouse calls a layout shift above 0.1 poor.
        if total.is_nan() || total > 0.1 {
            problems.push(format!(
                "at {width} px the page shifted {total:.3} while loading: {}",
                shifts["moved"]
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
