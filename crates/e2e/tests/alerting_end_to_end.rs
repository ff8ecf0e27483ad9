//! Alert rules evaluated in the browser against a real Prometheus and the live
//! sample service: a rule goes pending, survives a reload without losing its
//! pending start, fires after `for`, and shows its rendered summary.

use e2e::browser_session::{BrowserSession, TempDir};
use e2e::prometheus_answers::instant_values;
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::webhook_receiver::start_receiver;
use e2e::{artifacts_dir, dist_dir, start_sample_service};
use foresight_core::alerting::rule::AlertRule;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::model::inline_dashboard::encode_inline_dashboard;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(90);

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
    // The real Alertmanager, a webhook receiver that records, and one that fails.
    let alertmanager_port = e2e::free_port();
    let alertmanager_config = work.0.join("alertmanager.yml");
    std::fs::write(
        &alertmanager_config,
        "route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n",
    )
    .unwrap();
    let mut command = std::process::Command::new("prometheus-alertmanager");
    command
        .arg(format!("--config.file={}", alertmanager_config.display()))
        .arg(format!(
            "--storage.path={}",
            work.0.join("alertmanager").display()
        ))
        .arg(format!(
            "--web.listen-address=127.0.0.1:{alertmanager_port}"
        ))
        .arg("--cluster.listen-address=");
    let _alertmanager =
        e2e::managed_process::ManagedProcess::start("alertmanager", command, &artifacts).unwrap();
    let alertmanager = format!("http://127.0.0.1:{alertmanager_port}");
    e2e::wait_for_http(&format!("{alertmanager}/-/ready"), WAIT).unwrap();
    let webhook = start_receiver(200).await;
    let failing = start_receiver(500).await;
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
    e2e::without_slos(&mut dashboard);
    dashboard.alerts =
        vec![foresight_core::foundation::json::decode::<AlertRule>(&serde_json::json!({
        "name": "ErrorsAboveOnePercent",
        "expr": expr,
        "condition": {"kind": "threshold", "op": ">", "value": 1},
        "for": "12s",
        "interval": "2s",
        "labels": {"severity": "page"},
        "annotations": {"summary": "{{ $labels.job }} errors at {{ printf \"%.1f\" $value }} %"}
    }).to_string())
    .unwrap()];
    dashboard.notify.alertmanager = Some(alertmanager.clone());
    dashboard.notify.webhooks = vec![webhook.url.clone(), failing.url.clone()];
    let url = format!(
        "{}?inline={}&datasource={}&from=now-15m&to=now",
        site.url(),
        encode_inline_dashboard(&dashboard),
        encode_uri_component(&prometheus.base_url())
    );
    browser.client.goto(&url).await.unwrap();
    // A dashboard from a link sends nothing anywhere until the viewer accepts it.
    browser.accept_dashboard().await.unwrap();
    // A second tab of the same browser: only one of the two evaluates and notifies.
    let first_tab = browser.client.window().await.unwrap();
    let second = browser.client.new_window(true).await.unwrap();
    browser
        .client
        .switch_to_window(second.handle.clone())
        .await
        .unwrap();
    browser.client.goto(&url).await.unwrap();
    // Each tab answers for itself (the addresses were confirmed in the first).
    browser.accept_dashboard().await.unwrap();
    browser
        .wait_for_count(r#"[data-testid="alerts-view"] summary[data-leader="false"]"#)
        .await
        .unwrap();
    browser
        .client
        .switch_to_window(first_tab.clone())
        .await
        .unwrap();
    browser
        .wait_for_count(r#"[data-testid="alerts-view"] summary[data-leader="true"]"#)
        .await
        .unwrap();
    browser.wait_for_count(r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-instance[data-alert-state="pending"]"#).await.unwrap();
    let active_at = browser
        .attribute(
            r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-instance"#,
            "data-active-at",
        )
        .await
        .unwrap();
    // A reload keeps the pending start (the state lives in local storage); the
    // other tab evaluates meanwhile and hands the state back.
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_count(r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-instance"#)
        .await
        .unwrap();
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
    browser.wait_for_count(r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-instance[data-alert-state="firing"]"#).await.unwrap();
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

    // Alertmanager has the alert, with labels, the rendered summary and a generator URL.
    let deadline = Instant::now() + WAIT;
    let received = loop {
        let alerts: serde_json::Value =
            serde_json::from_str(&e2e::http_get(&format!("{alertmanager}/api/v2/alerts")).unwrap())
                .unwrap();
        if let Some(alert) = alerts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["labels"]["alertname"] == "ErrorsAboveOnePercent")
        {
            break alert.clone();
        }
        assert!(
            Instant::now() < deadline,
            "Alertmanager never received the alert: {alerts}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(received["labels"]["job"], "sample-service");
    assert_eq!(received["labels"]["severity"], "page");
    assert_eq!(received["status"]["state"], "active");
    assert!(received["annotations"]["summary"]
        .as_str()
        .unwrap()
        .starts_with("sample-service errors at "));
    assert!(received["generatorURL"]
        .as_str()
        .unwrap()
        .contains("inline="));
    // The webhook got the documented payload; the failing one was retried, and the page says so.
    let deadline = Instant::now() + WAIT;
    while webhook.bodies.lock().unwrap().is_empty() || failing.bodies.lock().unwrap().len() < 3 {
        assert!(
            Instant::now() < deadline,
            "webhooks not called: {} ok, {} failing",
            webhook.bodies.lock().unwrap().len(),
            failing.bodies.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Two tabs, one notification: within the first resend minute, one firing payload.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        webhook.bodies.lock().unwrap().len(),
        1,
        "two tabs sent one notification, not two"
    );
    // The other tab shows the same firing alert, read from what the evaluating tab stored.
    browser
        .client
        .switch_to_window(second.handle.clone())
        .await
        .unwrap();
    browser.wait_for_count(r#"[data-alert-rule="ErrorsAboveOnePercent"] .alert-instance[data-alert-state="firing"]"#).await.unwrap();
    browser
        .client
        .switch_to_window(first_tab.clone())
        .await
        .unwrap();
    let payload: serde_json::Value =
        serde_json::from_str(&webhook.bodies.lock().unwrap()[0]).unwrap();
    assert_eq!(payload["version"], "1");
    assert_eq!(payload["status"], "firing");
    assert_eq!(
        payload["alerts"][0]["labels"]["alertname"],
        "ErrorsAboveOnePercent"
    );
    assert!(payload["text"]
        .as_str()
        .unwrap()
        .starts_with("[FIRING] ErrorsAboveOnePercent: sample-service errors at "));
    // The evaluating tab (the second one, since the first was reloaded) shows the failure.
    let mut failure = None;
    for tab in [first_tab, second.handle] {
        browser.client.switch_to_window(tab).await.unwrap();
        let leads = browser
            .attribute(r#"[data-testid="alerts-view"] summary"#, "data-leader")
            .await
            .unwrap();
        if leads == "true" {
            failure = Some(
                browser
                    .text(&format!(r#"[data-delivery="{}"]"#, failing.url))
                    .await
                    .unwrap(),
            );
            break;
        }
    }
    let failure = failure.expect("one tab evaluates");
    assert!(failure.contains("failed (HTTP 500)"), "{failure}");
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
