//! Remediation, end to end, with the real sample service's chaos commands:
//! break the service, watch the alert fire, run the rule's action after
//! seeing the exact request, and see the service recover. An automatic
//! action runs by itself only once the dashboard is saved in this browser,
//! and at most once per alert within its `every`; every run is kept with
//! its answer.

use e2e::browser_session::{BrowserSession, TempDir};
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::{artifacts_dir, dist_dir, start_sample_service};
use foresight_core::alerting::rule::AlertRule;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::model::inline_dashboard::encode_inline_dashboard;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(120);

fn post(url: &str) -> String {
    ureq::post(url)
        .call()
        .map_err(|e| format!("POST {url}: {e}"))
        .and_then(|r| r.into_string().map_err(|e| e.to_string()))
        .unwrap()
}

/// Waits until `script` (returning a string) contains `wanted`.
async fn wait_for_script(browser: &BrowserSession, script: &str, wanted: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let found = browser.script(script).await.unwrap();
        let text = found.as_str().unwrap_or_default().to_string();
        if text.contains(wanted) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "never {wanted:?}; last: {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

const RUNS: &str = r#"const r = document.querySelector('[data-testid="action-runs"]'); return r ? r.textContent : '';"#;

#[tokio::test(flavor = "multi_thread")]
async fn detect_remediate_recover_and_automatic_only_when_saved() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-remediation");
    let (_service, service) =
        start_sample_service(&artifacts, "sample-service-remediation").unwrap();
    let prometheus = PrometheusFixture::start(&work.0, Some(&service), None, &artifacts).unwrap();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "remediation")
        .await
        .unwrap();

    // Break it on purpose.
    let said = post(&format!("http://{service}/chaos/error-spike?ratio=0.9"));
    assert!(said.contains("90 %"), "{said}");

    let mut dashboard = Dashboard::from_json(include_str!(
        "../../../public/dashboards/service-health.json"
    ))
    .unwrap();
    dashboard.id = "remediation-test".into();
    let expr = r#"sum by (job) (rate(http_requests_total{job="sample-service", status_code=~"5.."}[30s])) / sum by (job) (rate(http_requests_total{job="sample-service"}[30s])) * 100"#;
    dashboard.alerts = vec![foresight_core::foundation::json::decode::<AlertRule>(
        &serde_json::json!({
            "name": "ErrorsHigh",
            "expr": expr,
            "condition": {"kind": "threshold", "op": ">", "value": 50},
            "for": "4s",
            "interval": "2s",
            "annotations": {"summary": "{{ $labels.job }} fails {{ printf \"%.0f\" $value }} %"},
            "actions": [
                {"name": "Clear the spike", "url": format!("http://{service}/chaos/clear"),
                 "body": "{\"rule\": \"ErrorsHigh\", \"job\": \"{{ $labels.job }}\"}"},
                {"name": "Restart it", "url": format!("http://{service}/chaos/restart"),
                 "automatic": true, "every": "10m"}
            ]
        })
        .to_string(),
    )
    .unwrap()];
    let url = format!(
        "{}?inline={}&datasource={}&from=now-15m&to=now",
        site.url(),
        encode_inline_dashboard(&dashboard),
        encode_uri_component(&prometheus.base_url())
    );
    browser.client.goto(&url).await.unwrap();
    // The banner names both actions, the automatic one as such.
    // The banner lists its asks as they are reviewed: wait for the last kind.
    let banner = browser
        .wait_for_text(r#"[data-testid="trust-banner"]"#, "by itself when it fires")
        .await
        .unwrap();
    assert!(
        banner.contains("to remediate ErrorsHigh (\"Restart it\"), by itself when it fires"),
        "{banner}"
    );
    browser.accept_dashboard().await.unwrap();

    // Detect.
    browser
        .wait_for_count(
            r#"[data-alert-rule="ErrorsHigh"] .alert-instance[data-alert-state="firing"]"#,
        )
        .await
        .unwrap();
    // A dashboard from a link, even accepted, runs nothing by itself.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let runs = browser.script(RUNS).await.unwrap();
    assert!(
        !runs.as_str().unwrap_or_default().contains("by itself"),
        "{runs}"
    );

    // Remediate: the exact request is shown first.
    browser
        .click(r#"[data-action="run-action"][data-action-name="Clear the spike"]"#)
        .await
        .unwrap();
    let request = browser
        .text(r#"[data-testid="action-request"]"#)
        .await
        .unwrap();
    assert_eq!(
        request,
        format!("POST http://{service}/chaos/clear\n\n{{\"rule\": \"ErrorsHigh\", \"job\": \"sample-service\"}}")
    );
    browser
        .click(r#"[data-action="send-action"]"#)
        .await
        .unwrap();
    wait_for_script(&browser, RUNS, "HTTP 200: every fault is cleared").await;
    let state = e2e::http_get(&format!("http://{service}/chaos")).unwrap();
    assert!(state.contains("\"errorSpikeRatio\": null"), "{state}");

    // Recovered: the alert resolves as the error rate falls back.
    browser
        .wait_for_count(
            r#"[data-alert-rule="ErrorsHigh"] .alert-instance[data-alert-state="resolved"]"#,
        )
        .await
        .unwrap();
    browser
        .save_screenshot(&artifacts.join("remediation.png"))
        .await
        .unwrap();

    // Saved in this browser, the automatic action runs by itself when the
    // alert fires again — once.
    browser.click(r#"[data-action="edit"]"#).await.unwrap();
    browser.click(r#"[data-action="save"]"#).await.unwrap();
    browser
        .wait_for_text(r#"[data-testid="notice"]"#, "Saved")
        .await
        .unwrap();
    browser.click(r#"[data-action="done"]"#).await.unwrap();
    post(&format!("http://{service}/chaos/error-spike?ratio=0.9"));
    let runs = wait_for_script(&browser, RUNS, "(by itself): HTTP 200: restarted").await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let runs_later = browser.script(RUNS).await.unwrap();
    let automatic = runs_later
        .as_str()
        .unwrap_or_default()
        .matches("Restart it for ErrorsHigh")
        .count();
    assert_eq!(
        automatic, 1,
        "at most once per alert within `every`: {runs} / {runs_later}"
    );
    post(&format!("http://{service}/chaos/clear"));
}
