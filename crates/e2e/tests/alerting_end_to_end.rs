//! Alert rules evaluated in the browser against a real Prometheus and the live
//! sample service: a rule goes pending, survives a reload without losing its
//! pending start, fires after `for`, and shows its rendered summary.

use e2e::browser_session::{BrowserSession, TempDir};
use e2e::prometheus_answers::instant_values;
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::{artifacts_dir, dist_dir, start_sample_service};
use foresight_core::alerting::rule::AlertRule;
use foresight_core::dashboard_model::Dashboard;
use foresight_core::datasource::encode_uri_component;
use foresight_core::inline_dashboard::encode_inline_dashboard;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(90);

async fn wait_for_count(browser: &BrowserSession, css: &str) -> usize {
    let deadline = Instant::now() + WAIT;
    loop {
        let found = browser
            .script(&format!(
                "return document.querySelectorAll('{css}').length;"
            ))
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(0) as usize;
        if found > 0 {
            return found;
        }
        assert!(Instant::now() < deadline, "nothing matched {css}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_goes_pending_survives_a_reload_and_fires() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-alerting");
    let (_service, service_address) =
        start_sample_service(&artifacts, "sample-service-alerting").unwrap();
    let prometheus =
        PrometheusFixture::start(&work.0, Some(&service_address), None, &artifacts).unwrap();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "alerting").await.unwrap();
    let expr = r#"sum by (job) (rate(http_requests_total{job="sample-service", status_code=~"5.."}[1m])) / sum by (job) (rate(http_requests_total{job="sample-service"}[1m])) * 100"#;
    // The live service fails about 10 % of requests: wait until Prometheus sees it.
    let deadline = Instant::now() + WAIT;
    while instant_values(
        &prometheus.base_url(),
        &format!("{expr} > 1"),
        &format!("{}", now_seconds()),
    )
    .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "Prometheus never saw the live error rate"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let mut dashboard = Dashboard::from_json(include_str!(
        "../../../public/dashboards/service-health.json"
    ))
    .unwrap();
    dashboard.id = "alerting-test".into();
    dashboard.alerts = vec![serde_json::from_value::<AlertRule>(serde_json::json!({
        "name": "ErrorsAboveOnePercent",
        "expr": expr,
        "condition": {"kind": "threshold", "op": ">", "value": 1},
        "for": "12s",
        "interval": "2s",
        "labels": {"severity": "page"},
        "annotations": {"summary": "{{ $labels.job }} errors at {{ printf \"%.1f\" $value }} %"}
    }))
    .unwrap()];
    let url = format!(
        "{}?inline={}&datasource={}&from=now-15m&to=now",
        site.url(),
        encode_inline_dashboard(&dashboard),
        encode_uri_component(&prometheus.base_url())
    );
    browser.client.goto(&url).await.unwrap();
    wait_for_count(
        &browser,
        r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-instance[data-alert-state="pending"]"#,
    )
    .await;
    let active_at = browser
        .attribute(
            r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-instance"#,
            "data-active-at",
        )
        .await
        .unwrap();
    // A reload keeps the pending start (the state lives in local storage).
    browser.client.refresh().await.unwrap();
    wait_for_count(
        &browser,
        r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-instance"#,
    )
    .await;
    assert_eq!(
        browser
            .attribute(
                r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-instance"#,
                "data-active-at"
            )
            .await
            .unwrap(),
        active_at,
        "the pending period survives a reload"
    );
    // After `for`, it fires: banner, state, and the summary rendered with the value.
    wait_for_count(
        &browser,
        r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-instance[data-alert-state="firing"]"#,
    )
    .await;
    let banner = browser
        .text(r#"[data-testid="firing-banner"]"#)
        .await
        .unwrap();
    assert!(banner.contains("1 alert firing"), "{banner}");
    let summary = browser
        .text(r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-summary"#)
        .await
        .unwrap();
    let value: f64 = browser
        .attribute(
            r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-instance"#,
            "data-value",
        )
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(summary, format!("sample-service errors at {value:.1} %"));
    assert!(value > 1.0, "{value}");
    let fired_after: f64 = now_seconds() - active_at.parse::<f64>().unwrap();
    assert!(fired_after >= 12.0, "fired only after for: {fired_after} s");
    browser
        .save_screenshot(&artifacts.join("alerting.png"))
        .await
        .unwrap();
}

fn now_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}
