//! "What else moved?" end to end, against the real Prometheus with the
//! generated history: a window selected with Shift-drag over the planted
//! error incident names the deployment of 1.4.2 on app-2 as the likely
//! trigger and lists the affected series (app-2's errors, /api/orders
//! latency) in the top 3; the incident summary's link reproduces the view in
//! a fresh browser profile.

use e2e::browser_session::BrowserSession;
use e2e::PageWithHistory;
use history_generator::IncidentKind;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(90);
const CHART: &str = r#"[data-panel="request-rate-by-status"] .chart"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_planted_deployment_is_named_and_the_affected_series_rank_first() {
    let page = PageWithHistory::start("what-else-moved").await;
    let manifest = page.prometheus.manifest.clone();
    let spike = manifest
        .incident(IncidentKind::ErrorRateSpike)
        .unwrap()
        .clone();
    let (from, to) = (manifest.end - 6 * 3600, manifest.end);
    let url = format!("{}&from={}&to={}", page.page, from * 1000, to * 1000);
    page.browser.client.goto(&url).await.unwrap();
    page.browser.settled_panels().await.unwrap();

    page.browser
        .shift_drag(
            CHART,
            from as f64,
            spike.start as f64,
            (spike.start + 30 * 60) as f64,
        )
        .await
        .unwrap();
    // The answer comes progressively; wait for the last query.
    page.browser
        .wait_for_attribute(
            r#"[data-testid="related-moves"]"#,
            "data-finished",
            &["true"],
            WAIT,
        )
        .await
        .unwrap();
    let progress = page
        .browser
        .text(r#"[data-testid="related-progress"]"#)
        .await
        .unwrap();
    println!("progress: {progress}");
    let trigger = page
        .browser
        .text(r#"[data-testid="related-trigger"]"#)
        .await
        .unwrap();
    assert!(
        trigger.contains("sample-service on app-2:8000 deployed 1.4.2 (was 1.4.1)"),
        "{trigger}"
    );
    // The first line's "Open on its own" link: a one-panel dashboard inside
    // the link, written by the page without a compressor of its own.
    let own = page
        .browser
        .script(
            r#"const a = document.querySelector('.related-line [data-action="open-related"]');
               const line = a && a.closest('.related-line');
               return a ? [a.href, line.dataset.expr] : null;"#,
        )
        .await
        .unwrap();
    assert!(
        !own.is_null(),
        "no \"Open on its own\" link on the first line"
    );
    let (own_link, own_expr) = (
        own[0].as_str().unwrap().to_string(),
        own[1].as_str().unwrap().to_string(),
    );
    assert!(own_link.contains("inline="), "{own_link}");
    let lines = page
        .browser
        .script(
            r#"return [...document.querySelectorAll('.related-line')].slice(0, 3)
                .map(l => [l.dataset.expr, l.querySelector('.related-name').textContent]);"#,
        )
        .await
        .unwrap();
    let top: Vec<(String, String)> = lines
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l[0].as_str().unwrap().to_string(),
                l[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    println!("top 3: {top:#?}");
    let errors = top.iter().any(|(expr, name)| {
        expr.contains("http_requests_total") && (expr.contains("5..") || name.contains("500"))
    });
    let orders_latency = top.iter().any(|(expr, name)| {
        expr.contains("http_request_duration_seconds") && name.contains("/api/orders")
    });
    assert!(errors && orders_latency, "{top:#?}");
    page.browser
        .save_screenshot(&e2e::artifacts_dir().join("what-else-moved.png"))
        .await
        .unwrap();

    // The incident can be remediated too: the dashboard's actions, shown
    // with their exact request before anything is sent.
    page.browser
        .click(r#"[data-action="run-incident-action"]"#)
        .await
        .unwrap();
    let request = page
        .browser
        .text(r#"[data-testid="related-moves"] [data-testid="action-request"]"#)
        .await
        .unwrap();
    assert!(
        request.starts_with("POST http://127.0.0.1:8001/chaos/clear"),
        "{request}"
    );
    page.browser
        .click(r#"[data-testid="related-moves"] [data-action="cancel-action"]"#)
        .await
        .unwrap();

    // The summary, and its first link opened in a fresh browser profile.
    page.browser
        .click(r#"[data-action="copy-summary"]"#)
        .await
        .unwrap();
    let summary = page
        .browser
        .script(r#"const t = document.querySelector('[data-testid="related-summary"]'); return t ? t.value : null;"#)
        .await
        .unwrap();
    let summary = summary.as_str().unwrap_or_default().to_string();
    assert!(
        summary.contains("**Likely trigger:** sample-service on app-2:8000 deployed 1.4.2"),
        "{summary}"
    );
    let link = summary
        .split("](")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap()
        .to_string();
    // The view starts 10 minutes before the selected window (a pixel of the
    // drag is some seconds).
    let linked_from: i64 = link
        .split("from=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .and_then(|ms| ms.parse().ok())
        .unwrap();
    assert!(
        (linked_from - (spike.start - 600) * 1000).abs() <= 120_000,
        "{link}"
    );
    let fresh = BrowserSession::start(&e2e::artifacts_dir(), "what-else-moved-fresh")
        .await
        .unwrap();
    fresh.client.goto(&link).await.unwrap();
    let states = fresh.settled_panels().await.unwrap();
    assert!(states.iter().any(|(_, s)| s == "ok"), "{states:?}");
    let shown_range = fresh.text(r#"[data-testid="time-range"]"#).await.unwrap();
    let original_range = page
        .browser
        .text(r#"[data-testid="time-range"]"#)
        .await
        .unwrap();
    assert_ne!(
        shown_range, original_range,
        "the link shows the incident, not the page's range"
    );
    let deadline = Instant::now() + WAIT;
    // The same deployment is marked in the reproduced view.
    loop {
        let titles = fresh
            .script(r#"return [...document.querySelectorAll('.event-mark')].map(m => m.getAttribute('title')).join('\n');"#)
            .await
            .unwrap();
        if titles
            .as_str()
            .is_some_and(|t| t.contains("deployed 1.4.2"))
        {
            break;
        }
        assert!(Instant::now() < deadline, "no deployment mark: {titles:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // The line opened on its own: the browser inflates what the page wrote,
    // and its one panel asks Prometheus the line's query and draws it.
    fresh.client.goto(&own_link).await.unwrap();
    let states = fresh.settled_panels().await.unwrap();
    assert_eq!(states.len(), 1, "{states:?}");
    assert_eq!(
        states[0].1,
        "ok",
        "{states:?}; the page: {}",
        fresh.page_report().await
    );
    let asked = fresh
        .script(
            r#"return performance.getEntriesByType('resource').map(e => e.name)
                .filter(n => n.includes('/api/v1/query_range'))
                .map(n => new URL(n).searchParams.get('query'));"#,
        )
        .await
        .unwrap();
    assert!(
        asked
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q.as_str() == Some(own_expr.as_str())),
        "the panel did not ask {own_expr:?}: {asked:?}"
    );
}
