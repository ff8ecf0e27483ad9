//! Editing, saving, sharing and importing in a real browser against a real
//! Prometheus: a dashboard built in the page survives a reload and opens from
//! its link in a fresh browser profile; a real community Grafana dashboard
//! (Node Exporter Full) imports and renders against the real node exporter.

use e2e::browser_session::{BrowserSession, TempDir};
use e2e::prometheus_answers::{assert_close, instant_values};
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::{artifacts_dir, dist_dir, start_node_exporter, start_sample_service};
use foresight_core::model::datasource::encode_uri_component;
use serde_json::json;
use std::time::{Duration, Instant};

const SETTLE: Duration = Duration::from_secs(90);

/// Opens the editor of the panel called `panel` and makes it the request-rate
/// stat: title, type and a query using the `$svc` variable.
async fn edit_into_request_rate_stat(browser: &BrowserSession) {
    browser
        .click(r#"[data-edit-panel="panel"] [data-edit="edit"]"#)
        .await
        .unwrap();
    browser
        .type_into(r#"[data-field="title"]"#, "Requests per second")
        .await
        .unwrap();
    browser
        .choose(r#"[data-field="type"]"#, "stat")
        .await
        .unwrap();
    browser
        .type_into(
            r#"[data-query-row="0"] .query-expr"#,
            r#"sum(rate(http_requests_total{job="$svc"}[1m]))"#,
        )
        .await
        .unwrap();
}

async fn settled(browser: &BrowserSession) -> Vec<(String, String)> {
    browser.settled_panels().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dashboard_built_in_the_page_is_saved_reloaded_and_shared() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-editor");
    let (_service, service_address) =
        start_sample_service(&artifacts, "sample-service-editor").unwrap();
    let prometheus =
        PrometheusFixture::start(&work.0, Some(&service_address), None, &artifacts).unwrap();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "editor").await.unwrap();
    let datasource = encode_uri_component(&prometheus.base_url());
    // Let Prometheus scrape the live service until it has a rate to show.
    let live = r#"sum(rate(http_requests_total{job="sample-service"}[1m]))"#;
    let deadline = Instant::now() + SETTLE;
    loop {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        if !instant_values(&prometheus.base_url(), live, &now.to_string()).is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never had live data: up = {:?}",
            instant_values(&prometheus.base_url(), "up", &now.to_string())
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    browser
        .client
        .goto(&format!(
            "{}?datasource={datasource}&from=now-15m&to=now",
            site.url()
        ))
        .await
        .unwrap();
    settled(&browser).await;

    // Edit: settings (title, a variable), then a new panel with a query and a threshold.
    browser.click(r#"[data-action="edit"]"#).await.unwrap();
    browser.click(r#"[data-action="settings"]"#).await.unwrap();
    browser
        .type_into(r#"[data-field="dashboard-title"]"#, "My service board")
        .await
        .unwrap();
    browser
        .click(r#"[data-field="add-variable"]"#)
        .await
        .unwrap();
    let last_row = r#"[data-testid="settings-dialog"] .variable-row:last-child"#;
    browser
        .type_into(&format!("{last_row} .variable-name"), "svc")
        .await
        .unwrap();
    browser
        .choose(&format!("{last_row} .variable-kind"), "query")
        .await
        .unwrap();
    browser
        .type_into(
            &format!("{last_row} .variable-text"),
            "label_values(http_requests_total, job)",
        )
        .await
        .unwrap();
    browser.click(&format!("{last_row} button")).await.unwrap();
    browser
        .wait_for_text(
            &format!("{last_row} .variable-preview"),
            "1 values: sample-service",
        )
        .await
        .unwrap();
    // What the dashboard refuses is said in the dialog, which stays open
    // (the page behind a modal dialog is inert): a datasource with user-info.
    let datasource = browser
        .script(r#"return document.querySelector('[data-field="datasource"]').value;"#)
        .await
        .unwrap();
    browser
        .type_into(r#"[data-field="datasource"]"#, "http://user@127.0.0.1:9")
        .await
        .unwrap();
    browser
        .click(r#"[data-field="apply-settings"]"#)
        .await
        .unwrap();
    let refused = browser
        .wait_for_text(r#"[data-testid="settings-problem"]"#, "user")
        .await
        .unwrap();
    println!("refused: {refused}");
    browser
        .type_into(r#"[data-field="datasource"]"#, datasource.as_str().unwrap())
        .await
        .unwrap();
    browser
        .click(r#"[data-field="apply-settings"]"#)
        .await
        .unwrap();
    browser.click(r#"[data-action="add-panel"]"#).await.unwrap();
    settled(&browser).await;
    edit_into_request_rate_stat(&browser).await;
    browser
        .wait_for_text(r#"[data-testid="query-preview"]"#, "1 series now")
        .await
        .unwrap();
    // Completion at the cursor: metric names, label names and values scoped by the selector.
    let expr = r#"[data-query-row="0"] .query-expr"#;
    for (typed, wanted) in [
        ("sum(rate(http_requests_tot", "sum(rate(http_requests_total"),
        (
            r#"http_requests_total{job="sample-service", status"#,
            r#"http_requests_total{job="sample-service", status_code"#,
        ),
        (
            r#"http_requests_total{status_code=""#,
            r#"http_requests_total{status_code="500""#,
        ),
    ] {
        browser.type_into(expr, typed).await.unwrap();
        let deadline = Instant::now() + SETTLE;
        loop {
            let offered = browser
                .script(r#"return [...document.querySelectorAll('[data-testid="completions"] option')].map(o => o.value);"#)
                .await
                .unwrap();
            if offered.as_array().unwrap().iter().any(|o| o == wanted) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "typing {typed:?} never offered {wanted:?}: {offered}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    // A wrong query shows Prometheus's own error inline.
    browser
        .type_into(
            r#"[data-query-row="0"] .query-expr"#,
            "sum(rate(http_requests_total[1m])",
        )
        .await
        .unwrap();
    browser
        .wait_for_text(r#"[data-testid="query-error"]"#, "parse error")
        .await
        .unwrap();
    browser
        .type_into(
            r#"[data-query-row="0"] .query-expr"#,
            r#"sum(rate(http_requests_total{job="$svc"}[1m]))"#,
        )
        .await
        .unwrap();
    browser
        .type_into(r#"[data-field="thresholds"]"#, "green, 80 amber, 1000 red")
        .await
        .unwrap();
    browser
        .type_into(r#"[data-field="decimals"]"#, "lots")
        .await
        .unwrap();
    browser.click(r#"[data-field="apply"]"#).await.unwrap();
    browser
        .wait_for_text(r#"[data-testid="editor-problem"]"#, "decimals")
        .await
        .unwrap();
    browser
        .type_into(r#"[data-field="decimals"]"#, "2")
        .await
        .unwrap();
    browser.click(r#"[data-field="apply"]"#).await.unwrap();
    settled(&browser).await;
    assert_eq!(
        browser.text(r#"[data-panel="panel"] h2"#).await.unwrap(),
        "Requests per second"
    );
    assert_eq!(
        browser.text(r#"[data-testid="dirty"]"#).await.unwrap(),
        "unsaved changes"
    );

    // Undo takes back the last edit, and the edit is redone by hand.
    browser.click(r#"[data-action="undo"]"#).await.unwrap();
    settled(&browser).await;
    assert_eq!(
        browser.text(r#"[data-panel="panel"] h2"#).await.unwrap(),
        "New panel"
    );
    // The legend's mode and place are set in the editor (then taken back).
    browser
        .click(r#"[data-edit-panel="panel"] [data-edit="edit"]"#)
        .await
        .unwrap();
    browser
        .choose(r#"[data-field="legend"]"#, "list")
        .await
        .unwrap();
    browser
        .choose(r#"[data-field="legend-placement"]"#, "right")
        .await
        .unwrap();
    browser.click(r#"[data-field="apply"]"#).await.unwrap();
    settled(&browser).await;
    browser
        .wait_for_count(r#"[data-panel="panel"] .chart-and-legend.legend-right"#)
        .await
        .unwrap();
    browser.click(r#"[data-action="undo"]"#).await.unwrap();
    settled(&browser).await;
    edit_into_request_rate_stat(&browser).await;
    browser
        .type_into(r#"[data-field="thresholds"]"#, "green, 80 amber, 1000 red")
        .await
        .unwrap();
    browser.click(r#"[data-field="apply"]"#).await.unwrap();
    settled(&browser).await;

    // An alert from this panel: its query with the variable's value written in.
    browser
        .click(r#"[data-edit-panel="panel"] [data-edit="alert"]"#)
        .await
        .unwrap();
    let expr = browser
        .script(r#"return document.querySelector('[data-field="rule-expr"]').value;"#)
        .await
        .unwrap();
    assert_eq!(
        expr,
        json!(r#"sum(rate(http_requests_total{job="sample-service"}[1m]))"#)
    );
    // A template error is said while typing, and Apply waits until it is mended.
    browser
        .type_into(r#"[data-field="rule-summary"]"#, "at {{ $value ")
        .await
        .unwrap();
    browser
        .wait_for_text(r#"[data-testid="rule-problems"]"#, "summary")
        .await
        .unwrap();
    let refused = browser
        .script(r#"return document.querySelector('[data-action="apply-rule"]').disabled;"#)
        .await
        .unwrap();
    assert_eq!(refused, json!(true));
    browser
        .type_into(
            r#"[data-field="rule-summary"]"#,
            r#"serving {{ printf "%.2f" $value }} req/s"#,
        )
        .await
        .unwrap();
    browser
        .type_into(r#"[data-field="rule-value"]"#, "0")
        .await
        .unwrap();
    browser
        .type_into(r#"[data-field="rule-labels"]"#, "job=sample-service")
        .await
        .unwrap();
    browser
        .click(r#"[data-action="preview-rule"]"#)
        .await
        .unwrap();
    let preview = browser
        .wait_for_text(r#"[data-testid="rule-preview"]"#, "1 series")
        .await
        .unwrap();
    assert!(preview.contains("— serving "), "{preview}");
    browser
        .click(r#"[data-action="apply-rule"]"#)
        .await
        .unwrap();
    browser
        .wait_for_text(r#"[data-rule-row="RequestsPerSecond"]"#, "> 0")
        .await
        .unwrap();
    browser
        .click(r#"[data-action="close-rules"]"#)
        .await
        .unwrap();
    // It runs in the page at once.
    browser
        .wait_for_text(
            r#"[data-alert-rule="RequestsPerSecond"] .alert-rule-status"#,
            "evaluated",
        )
        .await
        .unwrap();
    browser
        .wait_for_text(
            r#"[data-alert-rule="RequestsPerSecond"] .alert-summary"#,
            "serving ",
        )
        .await
        .unwrap();

    // A crash-safe draft: another tab of the same browser finds the unsaved
    // edit, and may copy it but never remove it while this tab is open. The
    // second tab starts as a tab duplicated between two pages of the app
    // does, with this tab's id in its session storage: it must take an id of
    // its own. (While the app runs, the id is not in session storage, so a
    // tab duplicated then starts without it.)
    let first_tab = browser.client.window().await.unwrap();
    assert_eq!(
        browser
            .script("return sessionStorage.getItem('foresight.tab-id');")
            .await
            .unwrap(),
        serde_json::Value::Null,
        "the id stays out of session storage while the app runs"
    );
    let draft_keys =
        "return Object.keys(localStorage).filter(k => k.startsWith('foresight.draft.')).sort();";
    let drafts = browser.script(draft_keys).await.unwrap();
    let [draft_key] = drafts.as_array().unwrap().as_slice() else {
        panic!("one tab edits, one draft: {drafts}");
    };
    let draft_key = draft_key.as_str().unwrap().to_string();
    let tab_id = draft_key.trim_start_matches("foresight.draft.").to_string();
    let draft_key = format!("foresight.draft.{tab_id}");
    let stored_draft = format!("return localStorage.getItem('{draft_key}');");
    let first_draft = browser.script(&stored_draft).await.unwrap();
    assert!(
        first_draft.is_string(),
        "the edit is kept as a draft under {draft_key}"
    );
    open_as_duplicate(
        &browser,
        &site.url(),
        &tab_id,
        &format!("{}?datasource={datasource}", site.url()),
        None,
    )
    .await;
    browser
        .wait_for_text(
            r#"[data-testid="draft-banner"]"#,
            "Another open tab has unsaved changes to “My service board”",
        )
        .await
        .unwrap();
    // Dismissed here, the open tab's draft stays.
    browser
        .click(r#"[data-action="discard-draft"]"#)
        .await
        .unwrap();
    assert_eq!(browser.script(&stored_draft).await.unwrap(), first_draft);
    // Copied here, it stays too, and the copy is kept under this tab's own key.
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text(r#"[data-testid="draft-banner"]"#, "Edit a copy here")
        .await
        .unwrap();
    browser
        .click(r#"[data-action="resume-draft"]"#)
        .await
        .unwrap();
    let drafts = browser.script(draft_keys).await.unwrap();
    let copies: Vec<&str> = drafts
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k.as_str())
        .filter(|k| *k != draft_key)
        .collect();
    assert_eq!(
        copies.len(),
        1,
        "the copy under this tab's own key: {drafts}"
    );
    assert_eq!(browser.script(&stored_draft).await.unwrap(), first_draft);
    // The copy is not wanted later on: without this, it would be offered as
    // left behind by a closed tab.
    browser
        .script(&format!(
            "localStorage.removeItem('{}'); return null;",
            copies[0]
        ))
        .await
        .unwrap();
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(first_tab).await.unwrap();

    // Save, reload: still there, the number equals Prometheus's answer.
    browser.click(r#"[data-action="save"]"#).await.unwrap();
    browser
        .wait_for_text(r#"[data-testid="notice"]"#, "Saved")
        .await
        .unwrap();
    browser.click(r#"[data-action="done"]"#).await.unwrap();
    let search = browser.script("return location.search;").await.unwrap();
    assert!(
        search.as_str().unwrap().contains("saved=service-health"),
        "{search}"
    );
    browser.client.refresh().await.unwrap();
    let states = settled(&browser).await;
    assert!(
        states
            .iter()
            .any(|(id, state)| id == "panel" && state == "ok"),
        "{states:?}"
    );
    assert_eq!(
        browser
            .text(r#"[data-testid="dashboard-title"]"#)
            .await
            .unwrap(),
        "My service board"
    );
    let shown: f64 = browser
        .attribute(r#"[data-panel="panel"] [data-value]"#, "data-value")
        .await
        .unwrap()
        .parse()
        .unwrap();
    let query = browser
        .attribute(r#"[data-panel="panel"]"#, "data-query")
        .await
        .unwrap();
    let at = browser
        .attribute(r#"[data-panel="panel"]"#, "data-evaluated-at")
        .await
        .unwrap();
    assert!(
        query.contains(r#"job="sample-service""#),
        "the variable is applied: {query}"
    );
    let answer = instant_values(&prometheus.base_url(), &query, &at);
    assert_close("saved panel value", shown, answer[0].1);
    let colour = browser
        .script(r#"return getComputedStyle(document.querySelector('[data-panel="panel"] [data-value]')).color;"#)
        .await
        .unwrap();
    assert_eq!(
        colour, "rgb(88, 214, 141)",
        "below 80 req/s the threshold colour is green"
    );

    // Share: the link carries the whole dashboard; a fresh profile opens the same one.
    browser.click(r#"[data-action="edit"]"#).await.unwrap();
    browser.click(r#"[data-action="share"]"#).await.unwrap();
    // The notice says whether the clipboard took it (headless Chromium usually
    // refuses, so either wording is accepted); the link is in a field to select.
    let notice = browser
        .wait_for_text(r#"[data-testid="share-notice"]"#, " characters)")
        .await
        .unwrap();
    let link = browser
        .script(r#"return document.querySelector('[data-testid="shared-link"]').value;"#)
        .await
        .unwrap();
    let link = link.as_str().unwrap_or_default().to_string();
    assert!(
        notice.contains(&format!("({} characters)", link.len())),
        "{notice}"
    );
    assert!(link.contains("inline="), "{link}");
    // While editing, each panel's controls sit in a row above it, never over its title.
    let covered_titles = browser
        .script(
            r#"return [...document.querySelectorAll('.panel-edit-controls')].filter(controls => {
                const row = controls.parentElement.querySelector('.row-heading');
                const title = row || controls.parentElement.querySelector('.panel h2');
                if (!title) return true;
                const a = controls.getBoundingClientRect(), b = title.getBoundingClientRect();
                // A row's controls sit beside or below its heading; a panel's above its title.
                return row
                    ? a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
                    : a.bottom > b.top + 1;
            }).map(controls => controls.dataset.editPanel);"#,
        )
        .await
        .unwrap();
    assert_eq!(
        covered_titles,
        json!([]),
        "panels whose controls cover their title"
    );
    browser
        .save_screenshot(&artifacts.join("editor-editing.png"))
        .await
        .unwrap();
    let fresh = BrowserSession::start(&artifacts, "editor-fresh-profile")
        .await
        .unwrap();
    fresh.client.goto(&link).await.unwrap();
    let states = settled(&fresh).await;
    assert!(
        states
            .iter()
            .any(|(id, state)| id == "panel" && state == "ok"),
        "{states:?}"
    );
    assert_eq!(
        fresh
            .text(r#"[data-testid="dashboard-title"]"#)
            .await
            .unwrap(),
        "My service board"
    );
    assert_eq!(
        fresh.text(r#"[data-panel="panel"] h2"#).await.unwrap(),
        "Requests per second"
    );

    // Saved again under the same address: once editing is done the page shows
    // what was saved, not the version it loaded before.
    let panel_count = "return document.querySelectorAll('[data-panel]').length;";
    let before = browser.script(panel_count).await.unwrap();
    browser.click(r#"[data-action="add-panel"]"#).await.unwrap();
    browser.click(r#"[data-action="save"]"#).await.unwrap();
    browser
        .wait_for_text(r#"[data-testid="notice"]"#, "Saved")
        .await
        .unwrap();
    browser.click(r#"[data-action="done"]"#).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let after = browser.script(panel_count).await.unwrap();
    assert_eq!(
        after.as_u64(),
        before.as_u64().map(|n| n + 1),
        "the page went back to the version before the save"
    );

    // Malformed JSON: a clear message, and what was saved is untouched.
    browser
        .paste_import(r#"{"title": "broken", "panels": [{"#)
        .await
        .unwrap();
    browser
        .wait_for_text(r#"[data-testid="import-error"]"#, "not valid JSON")
        .await
        .unwrap();
    let saved = browser
        .script("return Object.keys(localStorage).filter((k) => k.startsWith('foresight.saved.')).map((k) => k.slice('foresight.saved.'.length));")
        .await
        .unwrap();
    assert_eq!(saved, json!(["service-health"]));
    browser
        .save_screenshot(&artifacts.join("editor.png"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn node_exporter_full_imports_from_grafana_and_renders_against_a_real_node_exporter() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-import");
    let (_exporter, exporter_address) = start_node_exporter(&artifacts).unwrap();
    let prometheus = PrometheusFixture::start_scraping(
        &work.0,
        &[("node", &exporter_address)],
        None,
        &artifacts,
    )
    .unwrap();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "import").await.unwrap();
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../.tools/community-dashboards/node-exporter-full.json"),
    )
    .expect("run scripts/fetch-community-dashboards.sh (the test command does)");
    // Rates need a few scrapes.
    tokio::time::sleep(Duration::from_secs(20)).await;
    browser
        .client
        .goto(&format!(
            "{}?datasource={}&from=now-5m&to=now",
            site.url(),
            encode_uri_component(&prometheus.base_url())
        ))
        .await
        .unwrap();
    settled(&browser).await;
    browser.paste_import(&text).await.unwrap();
    let summary = browser
        .wait_for_text(r#"[data-testid="import-summary"]"#, "Node Exporter Full")
        .await
        .unwrap();
    println!("import report: {summary}");
    assert!(
        summary.contains("133 panels, 133 imported, 0 placeholders"),
        "{summary}"
    );
    browser
        .click(r#"[data-field="open-imported"]"#)
        .await
        .unwrap();
    settled(&browser).await;
    // Its rows open collapsed, as in Grafana: open them all, one click each.
    let opened = browser.open_every_row().await.unwrap();
    assert_eq!(opened, 11, "Node Exporter Full has 11 collapsed rows");
    let states = settled(&browser).await;
    browser
        .save_screenshot(&artifacts.join("imported-node-exporter-full-editing.png"))
        .await
        .unwrap();
    let count = |wanted: &str| states.iter().filter(|(_, s)| s == wanted).count();
    println!(
        "Node Exporter Full against a real node exporter: {} panels, {} ok, {} no data, {} error",
        states.len(),
        count("ok"),
        count("nodata"),
        count("error")
    );
    let errors: Vec<String> = browser
        .script("return [...document.querySelectorAll('[data-panel][data-state=error]')].map(p => p.dataset.panel + ': ' + p.innerText.slice(0, 300));")
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    assert!(errors.is_empty(), "imported panels fail: {errors:#?}");
    assert!(count("ok") >= 60, "most panels show data: {states:?}");
    // The variables resolved against the real exporter.
    let node = browser
        .script(r#"return document.querySelector('select[data-variable="node"]').value;"#)
        .await
        .unwrap();
    assert_eq!(node, json!(exporter_address));
}

/// Takes Web Locks away from the page before it runs, as a page served over
/// plain http from another host than the viewer's computer has none.
const NO_WEB_LOCKS: &str =
    "Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });";

/// Opens a new window and makes it the current one; `before_each_page` runs
/// in each of its pages first.
async fn switch_to_new_window(browser: &BrowserSession, before_each_page: Option<&str>) {
    let window = browser.client.new_window(true).await.unwrap();
    browser
        .client
        .switch_to_window(window.handle)
        .await
        .unwrap();
    if let Some(script) = before_each_page {
        browser.run_before_each_page(script).await.unwrap();
    }
}

/// Opens `app_url` in a new window started as a tab duplicated between two
/// pages of the app is: with `tab_id` in its session storage (set from a page
/// of the same origin that does not start the app). `before_each_page` runs
/// in each of its pages first.
async fn open_as_duplicate(
    browser: &BrowserSession,
    site_url: &str,
    tab_id: &str,
    app_url: &str,
    before_each_page: Option<&str>,
) {
    switch_to_new_window(browser, before_each_page).await;
    browser
        .client
        .goto(&format!("{site_url}not-the-app"))
        .await
        .unwrap();
    browser
        .script(&format!(
            "sessionStorage.setItem('foresight.tab-id', '{tab_id}'); return null;"
        ))
        .await
        .unwrap();
    browser.client.goto(app_url).await.unwrap();
}

/// Polls `script` (which returns a boolean) until it returns true; fails
/// with `what` after 20 s.
async fn wait_until(browser: &BrowserSession, script: &str, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if browser.script(script).await == Ok(json!(true)) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A reload keeps the tab's id even when the page before has not yet given
/// its Web Lock back as the new page starts: the new page waits for the lock
/// instead of taking a new id (its own draft would then be offered as another
/// open tab's). Here another window holds the lock, as the page before would,
/// and gives it back once the new page asks for it.
#[tokio::test(flavor = "multi_thread")]
async fn a_reload_keeps_the_tab_id_while_the_page_before_gives_its_lock_back() {
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts_dir(), "editor-reload-lock")
        .await
        .unwrap();
    let title = r#"[data-testid="dashboard-title"]"#;
    browser.client.goto(&site.url()).await.unwrap();
    browser.wait_for_count(title).await.unwrap();
    let not_the_app = format!("{}not-the-app", site.url());
    browser.client.goto(&not_the_app).await.unwrap();
    let tab_id = browser
        .script("return sessionStorage.getItem('foresight.tab-id');")
        .await
        .unwrap();
    let lock = json!(format!(
        "foresight.tab.{}",
        tab_id.as_str().expect("the tab has an id")
    ));
    let first_tab = browser.client.window().await.unwrap();

    switch_to_new_window(&browser, None).await;
    browser.client.goto(&not_the_app).await.unwrap();
    browser
        .script(&format!(
            r#"window.asked = false;
               navigator.locks.request({lock}, () => new Promise((release) => {{
                 const watch = setInterval(async () => {{
                   const {{ pending }} = await navigator.locks.query();
                   if ((pending || []).some((l) => l.name === {lock})) {{
                     window.asked = true;
                     clearInterval(watch);
                     release();
                   }}
                 }}, 20);
               }}));
               return null;"#
        ))
        .await
        .unwrap();
    let tab_locks = "return navigator.locks.query().then(({ held }) =>         (held || []).map((l) => l.name).filter((n) => n.startsWith('foresight.tab.')));";
    wait_until(
        &browser,
        &format!("return navigator.locks.query().then(({{ held }}) => held.some((l) => l.name === {lock}));"),
        "the other window holds the tab's lock",
    )
    .await;
    let holder = browser.client.window().await.unwrap();

    browser
        .client
        .switch_to_window(first_tab.clone())
        .await
        .unwrap();
    browser.client.goto(&site.url()).await.unwrap();
    browser.wait_for_count(title).await.unwrap();
    browser.client.switch_to_window(holder).await.unwrap();
    wait_until(
        &browser,
        "return window.asked;",
        "the new page asked for its id's lock (and waited for it)",
    )
    .await;
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(first_tab).await.unwrap();
    wait_until(
        &browser,
        &format!("return navigator.locks.query().then(({{ held }}) => held.some((l) => l.name === {lock}));"),
        "the page holds its id's lock again",
    )
    .await;
    assert_eq!(
        browser.script(tab_locks).await.unwrap(),
        json!([lock]),
        "one tab, one id: the one it had"
    );
    browser.client.goto(&not_the_app).await.unwrap();
    assert_eq!(
        json!(format!(
            "foresight.tab.{}",
            browser
                .script("return sessionStorage.getItem('foresight.tab-id');")
                .await
                .unwrap()
                .as_str()
                .unwrap_or_default()
        )),
        lock
    );
    browser.client.close().await.unwrap();
}

/// Drafts stay per tab in a browser without Web Locks (a page served over
/// plain http from another host than the viewer's computer has none): the
/// tabs say who they are on a `BroadcastChannel` instead. A duplicated tab
/// takes an id of its own, an open tab's draft is never removed from another
/// tab, and a closed tab's draft is offered and can be discarded.
#[tokio::test(flavor = "multi_thread")]
async fn drafts_stay_per_tab_without_web_locks() {
    let artifacts = artifacts_dir();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "editor-no-locks")
        .await
        .unwrap();
    browser.run_before_each_page(NO_WEB_LOCKS).await.unwrap();
    browser.client.goto(&site.url()).await.unwrap();
    browser
        .wait_for_count(r#"[data-testid="dashboard-title"]"#)
        .await
        .unwrap();
    assert_eq!(
        browser
            .script("return typeof navigator.locks;")
            .await
            .unwrap(),
        "undefined"
    );
    // The tab's id, read between two pages of the app (the page writes it
    // into session storage as it goes), then the app again in the same tab.
    browser
        .client
        .goto(&format!("{}not-the-app", site.url()))
        .await
        .unwrap();
    let tab_id = browser
        .script("return sessionStorage.getItem('foresight.tab-id');")
        .await
        .unwrap();
    let tab_id = tab_id.as_str().expect("the tab has an id").to_string();
    browser.client.goto(&site.url()).await.unwrap();
    browser
        .wait_for_count(r#"[data-testid="dashboard-title"]"#)
        .await
        .unwrap();
    // It has claimed its id again once it answers on the channel.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let draft_key = format!("foresight.draft.{tab_id}");
    let mut draft: serde_json::Value = serde_json::from_str(include_str!(
        "../../../public/dashboards/service-health.json"
    ))
    .unwrap();
    draft["title"] = json!("Drafted without locks");
    browser
        .script(&format!(
            "localStorage.setItem({}, {}); return null;",
            json!(draft_key),
            json!(draft.to_string())
        ))
        .await
        .unwrap();
    let stored_draft = format!("return localStorage.getItem('{draft_key}');");
    let first_tab = browser.client.window().await.unwrap();

    // A second tab, started as a duplicated tab is: with the first tab's id.
    open_as_duplicate(
        &browser,
        &site.url(),
        &tab_id,
        &site.url(),
        Some(NO_WEB_LOCKS),
    )
    .await;
    browser
        .wait_for_text(
            r#"[data-testid="draft-banner"]"#,
            "Another open tab has unsaved changes to “Drafted without locks”",
        )
        .await
        .unwrap();
    browser
        .click(r#"[data-action="discard-draft"]"#)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        browser.script(&stored_draft).await.unwrap().is_string(),
        "an open tab's draft was removed"
    );

    // Once the first tab is closed, its draft is offered as left behind, and goes when discarded.
    let second_tab = browser.client.window().await.unwrap();
    browser.client.switch_to_window(first_tab).await.unwrap();
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(second_tab).await.unwrap();
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text(
            r#"[data-testid="draft-banner"]"#,
            "Unsaved changes to “Drafted without locks” were kept from your last visit",
        )
        .await
        .unwrap();
    browser
        .click(r#"[data-action="discard-draft"]"#)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.script(&stored_draft).await.unwrap().is_string() {
        assert!(
            Instant::now() < deadline,
            "a closed tab's discarded draft stayed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One tab evaluates a dashboard's alert rules also in a browser without Web
/// Locks (a lease in local storage stands in): of two tabs on the same
/// dashboard one leads, and the other takes over when it closes.
/// The alerts section of a tab that evaluates the rules, and of one that shows what another stored.
const LEADS: &str = r#"[data-testid="alerts-view"] summary[data-leader="true"]"#;
const FOLLOWS: &str = r#"[data-testid="alerts-view"] summary[data-leader="false"]"#;

/// Two windows on the shipped dashboard, which carries an alert rule: the
/// first leads, the second follows. `before_each_page` runs in each of their
/// pages first. Returns the two windows; the browser is left in the second.
async fn two_tabs_on_one_dashboard(
    browser: &BrowserSession,
    site: &StaticFileServer,
    before_each_page: Option<&str>,
) -> (fantoccini::wd::WindowHandle, fantoccini::wd::WindowHandle) {
    let page = format!("{}?dashboard=service-health", site.url());
    if let Some(script) = before_each_page {
        browser.run_before_each_page(script).await.unwrap();
    }
    browser.client.goto(&page).await.unwrap();
    browser.wait_for_count(LEADS).await.unwrap();
    let first_tab = browser.client.window().await.unwrap();
    switch_to_new_window(browser, before_each_page).await;
    browser.client.goto(&page).await.unwrap();
    browser.wait_for_count(FOLLOWS).await.unwrap();
    (first_tab, browser.client.window().await.unwrap())
}

/// How many elements `css` matches in the current window now.
async fn count_now(browser: &BrowserSession, css: &str) -> u64 {
    browser
        .script(&format!(
            "return document.querySelectorAll('{css}').length;"
        ))
        .await
        .unwrap()
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_tab_evaluates_without_web_locks() {
    let artifacts = artifacts_dir();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "leader-no-locks")
        .await
        .unwrap();
    let (first_tab, second_tab) =
        two_tabs_on_one_dashboard(&browser, &site, Some(NO_WEB_LOCKS)).await;
    // Still following after several renewals of the first tab's lease.
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(count_now(&browser, LEADS).await, 0);

    browser.client.switch_to_window(first_tab).await.unwrap();
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(second_tab).await.unwrap();
    browser.wait_for_count(LEADS).await.unwrap();
}

/// What the browser sends a page it keeps in its page cache (Back, Forward)
/// and shows again. Chrome keeps no page that holds Web Locks or a
/// `BroadcastChannel`, so the tests send these events themselves.
const KEPT_IN_PAGE_CACHE: &str =
    "dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));";
const SHOWN_FROM_PAGE_CACHE: &str =
    "dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));";

/// Two tabs on one dashboard; the leading one is kept in the page cache, then
/// shown again `settle` later: the other must lead by then, and the first
/// must follow (it asks anew, behind the tab that leads now).
async fn leader_kept_and_shown_again(name: &str, before_each_page: Option<&str>, settle: Duration) {
    let artifacts = artifacts_dir();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, name).await.unwrap();
    let (first_tab, second_tab) =
        two_tabs_on_one_dashboard(&browser, &site, before_each_page).await;
    browser
        .client
        .switch_to_window(first_tab.clone())
        .await
        .unwrap();
    browser.script(KEPT_IN_PAGE_CACHE).await.unwrap();
    browser.wait_for_count(FOLLOWS).await.unwrap();
    browser
        .client
        .switch_to_window(second_tab.clone())
        .await
        .unwrap();
    browser.wait_for_count(LEADS).await.unwrap();
    browser.client.switch_to_window(first_tab).await.unwrap();
    browser.script(SHOWN_FROM_PAGE_CACHE).await.unwrap();
    tokio::time::sleep(settle).await;
    assert_eq!(count_now(&browser, LEADS).await, 0);
    assert!(count_now(&browser, FOLLOWS).await > 0);
    browser.client.switch_to_window(second_tab).await.unwrap();
    assert!(count_now(&browser, LEADS).await > 0);
}

/// Safari gives back the Web Locks of a page it keeps for Back and Forward,
/// so another tab may lead by the time it is shown again: a page kept stops
/// leading at once and gives its lock back (where the browser did not).
#[tokio::test(flavor = "multi_thread")]
async fn a_page_shown_again_from_the_page_cache_asks_to_lead_again() {
    leader_kept_and_shown_again("leader-page-cache", None, Duration::from_secs(2)).await;
}

/// Without Web Locks, a page kept in the page cache gives its lease back and
/// stops leading. The wait after it is shown again is past several renewals
/// of the other tab's lease and the 6 s a lease counts as a page's own.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_kept_in_the_page_cache_gives_its_lease_up() {
    leader_kept_and_shown_again(
        "lease-page-cache",
        Some(NO_WEB_LOCKS),
        Duration::from_secs(7),
    )
    .await;
}
