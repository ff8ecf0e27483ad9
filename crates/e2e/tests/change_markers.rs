//! Change markers, end to end: the generated history's deployments drawn on
//! the panels at the manifest's times (read by the page from the real
//! Prometheus's `sample_service_build_info`), switched off from the header and
//! kept off by the link, and an imported Grafana dashboard's annotation query
//! drawing its own markers.

use e2e::PageWithHistory;
use foresight_core::chart::time_axis::format_local_datetime;
use history_generator::{Change, ChangeKind};
use serde_json::Value;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);
const CHART_MARKS: &str = r#"[data-panel="p95-latency"] .event-mark"#;

/// The hover texts of a chart's marks, left to right, with their centres (px).
async fn marks(page: &PageWithHistory, css: &str) -> Vec<(f64, String)> {
    let script = format!(
        r#"return [...document.querySelectorAll('{css}')].map(m => {{
            const box = m.getBoundingClientRect();
            return [box.left + box.width / 2, m.getAttribute('title') || ''];
        }});"#
    );
    let found = page.browser.script(&script).await.unwrap();
    let mut marks: Vec<(f64, String)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m[0].as_f64().unwrap(), m[1].as_str().unwrap().to_string()))
        .collect();
    marks.sort_by(|a, b| a.0.total_cmp(&b.0));
    marks
}

/// Waits until the toggle of `source` has loaded and counts `wanted` events.
async fn wait_for_count(page: &PageWithHistory, source: &str, wanted: usize) {
    let deadline = Instant::now() + WAIT;
    let script = format!(
        r#"const t = document.querySelector('[data-event-source="{source}"]');
           return t ? t.getAttribute('data-event-count') : null;"#
    );
    loop {
        let count = page.browser.script(&script).await.unwrap();
        if count == Value::String(wanted.to_string()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{source}: {count:?} events, wanted {wanted}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// How the page writes a deployment's hover line.
fn deployment_line(change: &Change, zone_minutes: i32) -> String {
    format!(
        "Deployments {}: sample-service on {} deployed {} (was {})",
        format_local_datetime(change.at as f64, &zone_minutes),
        change.instance,
        change.version,
        change.previous_version
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn deployments_are_marked_where_the_manifest_says_and_can_be_switched_off() {
    let page = PageWithHistory::start("change-markers").await;
    let manifest = page.prometheus.manifest.clone();
    let (from, to) = (manifest.end - 6 * 3600, manifest.end);
    let url = format!("{}&from={}&to={}", page.page, from * 1000, to * 1000);
    page.browser.client.goto(&url).await.unwrap();
    page.browser.settled_panels().await.unwrap();
    let deployments: Vec<&Change> = manifest
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Deployment && c.at > from && c.at <= to)
        .collect();
    assert!(deployments.len() >= 3, "{deployments:?}");
    wait_for_count(&page, "deployments", deployments.len()).await;

    let zone_minutes = page
        .browser
        .script(&format!(
            "return -new Date({}).getTimezoneOffset();",
            manifest.end * 1000
        ))
        .await
        .unwrap()
        .as_i64()
        .unwrap() as i32;
    let shown = marks(&page, CHART_MARKS).await;
    // Each deployment is in the hover text of one mark, at its time, and the
    // marks stand left to right in the order of the deployments.
    let mut positions = Vec::new();
    for change in &deployments {
        let line = deployment_line(change, zone_minutes);
        let at = shown.iter().find(|(_, text)| text.contains(&line));
        let (x, _) = at.unwrap_or_else(|| panic!("no mark says {line:?}; marks: {shown:#?}"));
        positions.push(*x);
    }
    assert!(
        positions.windows(2).all(|p| p[0] < p[1]),
        "marks out of time order: {positions:?}"
    );
    page.browser
        .save_screenshot(&e2e::artifacts_dir().join("change-markers.png"))
        .await
        .unwrap();

    // Switched off from the header: the marks go, and the link says so.
    page.browser
        .click(r#"[data-event-source="deployments"] input"#)
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while marks(&page, CHART_MARKS)
        .await
        .iter()
        .any(|(_, text)| text.contains("Deployments "))
    {
        assert!(Instant::now() < deadline, "the deployment marks stay");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let link = page.browser.client.current_url().await.unwrap().to_string();
    assert!(link.contains("events-deployments=off"), "{link}");
    // The link opens with them off; the other sources still draw.
    page.browser.client.goto(&link).await.unwrap();
    page.browser.settled_panels().await.unwrap();
    wait_for_count(&page, "deployments", deployments.len()).await;
    let reopened = marks(&page, CHART_MARKS).await;
    assert!(
        reopened
            .iter()
            .all(|(_, text)| !text.contains("Deployments ")),
        "{reopened:#?}"
    );
    assert!(
        reopened.iter().any(|(_, text)| text.contains("Restarts ")),
        "every deployment restarts its process: {reopened:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_imported_grafana_annotation_query_draws_its_markers() {
    let page = PageWithHistory::start("imported-annotations").await;
    let manifest = page.prometheus.manifest.clone();
    page.browser.client.goto(&page.page).await.unwrap();
    page.browser.settled_panels().await.unwrap();
    // A Grafana dashboard as exported, with the classic restart annotation.
    let grafana = serde_json::json!({
        "title": "Imported with annotations",
        "time": {"from": "now-6h", "to": "now"},
        "annotations": {"list": [
            {"builtIn": 1, "datasource": "-- Grafana --", "enable": true, "name": "Annotations & Alerts", "type": "dashboard"},
            {"datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, "enable": true,
             "expr": "changes(process_start_time_seconds{job=\"sample-service\"}[1m]) > 0",
             "iconColor": "red", "name": "Process starts", "step": "60s",
             "titleFormat": "{{instance}} started", "tagKeys": "job"}
        ]},
        "panels": [{"id": 1, "type": "timeseries", "title": "Requests",
            "gridPos": {"x": 0, "y": 0, "w": 24, "h": 9},
            "targets": [{"expr": "sum(rate(http_requests_total{job=\"sample-service\"}[5m]))", "refId": "A"}]}]
    });
    page.browser
        .import_through_the_page(&grafana.to_string())
        .await
        .unwrap();
    page.browser.settled_panels().await.unwrap();
    let starts: Vec<&Change> = manifest
        .changes
        .iter()
        .filter(|c| c.at > manifest.end - 6 * 3600)
        .collect();
    wait_for_count(&page, "Process starts", starts.len()).await;
    let shown = marks(&page, ".panel .event-mark").await;
    for change in starts {
        let wanted = format!("{} started [sample-service]", change.instance);
        assert!(
            shown.iter().any(|(_, text)| text.contains(&wanted)),
            "no mark says {wanted:?}: {shown:#?}"
        );
    }
}
