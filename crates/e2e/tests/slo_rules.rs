//! SLO rules as Prometheus runs them: the exported file passes `promtool
//! check rules`, and `promtool test rules` (Prometheus's own rule engine)
//! fires the page and ticket alerts when the workbook says they should —
//! and not before: a wrong expectation makes it fail, which is checked too.
//! And a Sloth spec pasted into the page becomes the dashboard's SLOs.

use foresight_core::alerting::slo::{rule_file_with_slos, to_prometheus_rules, Indicator, Slo};
use foresight_core::model::dashboard::Dashboard;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn availability() -> Slo {
    Slo {
        id: "availability".into(),
        name: "Availability".into(),
        service: "sample-service".into(),
        indicator: Indicator {
            errors: Some(r#"sum(rate(http_requests_total{job="sample-service",status_code=~"5.."}[{{.window}}]))"#.into()),
            good: None,
            total: r#"sum(rate(http_requests_total{job="sample-service"}[{{.window}}]))"#.into(),
            latency: None,
        },
        objective_percent: 99.5,
        period: "30d".into(),
        interval: None,
    }
}

fn promtool(dir: &Path, args: &[&str]) -> (bool, String) {
    let outcome = Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("promtool (Debian package prometheus) runs");
    (
        outcome.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&outcome.stdout),
            String::from_utf8_lossy(&outcome.stderr)
        ),
    )
}

/// One request a second that succeeds, for ten hours; from minute 420 to
/// minute 480, half a request a second more that fails (a third of all).
/// Seven quiet hours first, so that the 6-hour window is full.
const INPUT: &str = r#"      - series: 'http_requests_total{job="sample-service",status_code="200"}'
        values: '0+60x600'
      - series: 'http_requests_total{job="sample-service",status_code="500"}'
        values: '0x420 30+30x59 1800x120'
"#;

fn alert(severity: &str) -> String {
    format!(
        "          - exp_labels: {{severity: {severity}, slo_id: availability, slo_name: Availability, slo_service: sample-service}}\n            exp_annotations: {{summary: \"Availability is burning its error budget too fast (sample-service objective 99.5% over 30d)\"}}\n"
    )
}

fn test_file(checks: &[(&str, &str, Option<&str>)]) -> String {
    let mut text = format!(
        "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n{INPUT}    alert_rule_test:\n"
    );
    for (at, alertname, severity) in checks {
        text.push_str(&format!(
            "      - eval_time: {at}\n        alertname: {alertname}\n        exp_alerts:\n"
        ));
        match severity {
            Some(severity) => text.push_str(&alert(severity)),
            None => text.push_str("          []\n"),
        }
    }
    text
}

#[test]
fn exported_slo_rules_pass_promtool_and_fire_when_the_workbook_says() {
    let dir = std::env::temp_dir().join(format!("foresight-slo-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("rules.yml"),
        to_prometheus_rules(&[availability()]).unwrap(),
    )
    .unwrap();
    let (ok, report) = promtool(&dir, &["check", "rules", "rules.yml"]);
    assert!(ok, "promtool check rules:\n{report}");

    const PAGE: &str = "AvailabilityErrorBudgetBurnPage";
    const TICKET: &str = "AvailabilityErrorBudgetBurnTicket";
    // Errors are a third of requests from minute 420. The page's first
    // pair (14.4 × 0.5 % over 5 min and 1 h) needs 7.2 % of the hour's
    // requests failed: about 9.3 minutes in. Its second pair (6× over 30 min
    // and 6 h) needs 3 % of six hours': about 22 minutes in. The ticket's
    // pairs (3× over 2 h and 1 d, 1× over 6 h and 3 d; here the 3 days hold
    // the ten hours there are) cross within about 5 minutes. When the errors
    // stop at 480, the first pair's 5 minutes clear at once but the second
    // pair's 30 minutes hold the page until about 510.
    let expected = [
        ("415m", PAGE, None),
        ("415m", TICKET, None),
        ("427m", PAGE, None),
        ("433m", PAGE, Some("page")),
        ("440m", TICKET, Some("ticket")),
        ("485m", PAGE, Some("page")),
        ("515m", PAGE, None),
        ("515m", TICKET, Some("ticket")),
    ];
    std::fs::write(dir.join("test.yml"), test_file(&expected)).unwrap();
    let (ok, report) = promtool(&dir, &["test", "rules", "test.yml"]);
    assert!(ok, "promtool test rules:\n{report}");

    // The comparison can fail: a page 7 minutes in is not what Prometheus does.
    std::fs::write(
        dir.join("test.yml"),
        test_file(&[("427m", PAGE, Some("page"))]),
    )
    .unwrap();
    let (ok, report) = promtool(&dir, &["test", "rules", "test.yml"]);
    assert!(!ok, "a page at minute 427 was accepted:\n{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_dashboards_export_holds_its_alert_rules_and_its_slos() {
    let dir = std::env::temp_dir().join(format!("foresight-slo-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let shipped = Dashboard::from_json(
        &std::fs::read_to_string(
            e2e::workspace_root().join("public/dashboards/service-health.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let latency = Slo {
        id: "latency-hello".into(),
        name: "Fast /hello".into(),
        indicator: Indicator {
            errors: None,
            good: Some(r#"sum(rate(http_request_duration_seconds_bucket{job="sample-service",endpoint="/hello",le="0.3"}[{{.window}}]))"#.into()),
            total: r#"sum(rate(http_request_duration_seconds_count{job="sample-service",endpoint="/hello"}[{{.window}}]))"#.into(),
            latency: None,
        },
        objective_percent: 99.0,
        period: "28d".into(),
        ..availability()
    };
    for (alerts, what) in [(shipped.alerts.clone(), "with"), (Vec::new(), "without")] {
        let text = rule_file_with_slos(
            "foresight-service-health",
            &alerts,
            &[availability(), latency.clone()],
        )
        .unwrap();
        std::fs::write(dir.join("rules.yml"), &text).unwrap();
        let (ok, report) = promtool(&dir, &["check", "rules", "rules.yml"]);
        assert!(
            ok,
            "{what} alert rules, promtool check rules:\n{report}\n{text}"
        );
        assert!(report.contains("SUCCESS"), "{report}");
        // 28 days: the first page pair at 13.44, as the workbook's arithmetic gives.
        assert!(text.contains("(13.44 * 0.01)"), "{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sloth's getting-started spec, as its README has it.
const SLOTH_SPEC: &str = r#"version: "prometheus/v1"
service: "sample-service"
slos:
  - name: "requests-availability"
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="sample-service",status_code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="sample-service"}[{{.window}}]))
  - name: "raw"
    objective: 99
    sli:
      raw:
        error_ratio_query: vector(0)
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_sloth_spec_pasted_in_the_page_becomes_the_dashboards_slos() {
    let page = e2e::PageWithHistory::start("slo-import").await;
    page.browser.client.goto(&page.page).await.unwrap();
    page.browser.settled_panels().await.unwrap();
    // Alert rules and SLOs are edited in edit mode.
    page.browser.click(r#"[data-action="edit"]"#).await.unwrap();
    page.browser
        .wait_for_count(r#"[data-action="rules"]"#)
        .await
        .unwrap();
    page.browser
        .click(r#"[data-action="rules"]"#)
        .await
        .unwrap();
    page.browser
        .click(r#"[data-testid="rule-file-import"] summary"#)
        .await
        .unwrap();
    page.browser
        .type_into(r#"[data-field="rule-file-text"]"#, SLOTH_SPEC)
        .await
        .unwrap();
    page.browser
        .click(r#"[data-action="read-rule-file"]"#)
        .await
        .unwrap();
    let report = page
        .browser
        .wait_for_text(
            r#"[data-testid="slo-import-report"]"#,
            "1 service-level objective(s) read",
        )
        .await
        .unwrap();
    assert!(report.contains("a raw error-ratio query"), "{report}");
    page.browser
        .click(r#"[data-action="add-imported-slos"]"#)
        .await
        .unwrap();
    // The rules dialog opens again on the edited dashboard: its export now
    // holds the SLO's rules.
    let note = page
        .browser
        .wait_for_text(".slo-export-note", "4 service-level objective(s)")
        .await
        .unwrap();
    assert!(note.contains("burn rates"), "{note}");
    // Its page and ticket alerts are evaluated by the page beside the rules.
    page.browser
        .click(r#"[data-action="close-rules"]"#)
        .await
        .unwrap();
    for alert in [
        "RequestsAvailabilityErrorBudgetBurnPage",
        "RequestsAvailabilityErrorBudgetBurnTicket",
    ] {
        page.browser
            .wait_for_count(&format!(r#"[data-alert-rule="{alert}"]"#))
            .await
            .unwrap();
    }
}

/// The page and Prometheus evaluate the SLO's alerts this often.
const LIVE_INTERVAL: f64 = 2.0;

fn now_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The page's stored alert history of the inline dashboard `id`.
async fn page_history(
    browser: &e2e::browser_session::BrowserSession,
    id: &str,
) -> serde_json::Value {
    let text = browser
        .script(&format!(
            "const key = Object.keys(localStorage).find((k) => k.startsWith('foresight.alert-history.link.{id}.')); return key ? localStorage.getItem(key) : '{{\"entries\": []}}';"
        ))
        .await
        .unwrap();
    serde_json::from_str(text.as_str().unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn exported_slo_rules_fire_in_a_live_ruler_with_the_page() {
    use e2e::alert_transitions::{browser_transitions, prometheus_transitions};
    use foresight_core::model::datasource::encode_uri_component;
    use foresight_core::model::inline_dashboard::encode_inline_dashboard;

    let artifacts = e2e::artifacts_dir();
    let work = e2e::browser_session::TempDir::new("foresight-e2e-slo-ruler");
    // A service that never fails until the spike (a few failures among the
    // first requests would already burn a 1 % budget over a short history).
    let (_service, service) =
        e2e::start_sample_service_failing(&artifacts, "sample-service-slo-ruler", 0.0).unwrap();
    // Its own job: the fixture's Prometheus also holds the generated
    // history of `sample-service`, whose errors would count.
    let slo = Slo {
        objective_percent: 99.0,
        interval: Some(format!("{LIVE_INTERVAL}s")),
        indicator: Indicator {
            errors: Some(
                r#"sum(rate(http_requests_total{job="slo-live",status_code=~"5.."}[{{.window}}]))"#
                    .into(),
            ),
            total: r#"sum(rate(http_requests_total{job="slo-live"}[{{.window}}]))"#.into(),
            ..Indicator::default()
        },
        ..availability()
    };
    let rules_path = work.0.join("slo-rules.yml");
    std::fs::write(
        &rules_path,
        rule_file_with_slos("foresight", &[], std::slice::from_ref(&slo)).unwrap(),
    )
    .unwrap();
    let (checked, said) = promtool(&work.0, &["check", "rules", rules_path.to_str().unwrap()]);
    assert!(checked, "{said}");
    let prometheus = e2e::prometheus_fixture::PrometheusFixture::start_with_rules(
        &work.0.join("prometheus"),
        &[("slo-live", &service)],
        &rules_path,
        &artifacts,
    )
    .unwrap();
    let site = e2e::static_file_server::StaticFileServer::start(&e2e::dist_dir()).unwrap();
    let browser = e2e::browser_session::BrowserSession::start(&artifacts, "slo-ruler")
        .await
        .unwrap();
    let mut dashboard = Dashboard::from_json(include_str!(
        "../../../public/dashboards/service-health.json"
    ))
    .unwrap();
    dashboard.id = "slo-ruler".into();
    dashboard.alerts = Vec::new();
    dashboard.slos = vec![slo.clone()];
    dashboard.panels.retain(|p| p.id == "slo-overview");
    dashboard.layout.retain(|p| p.panel == "slo-overview");
    let url = format!(
        "{}?inline={}&datasource={}&from=now-15m&to=now",
        site.url(),
        encode_inline_dashboard(&dashboard),
        encode_uri_component(&prometheus.base_url())
    );
    browser.client.goto(&url).await.unwrap();
    browser.accept_dashboard().await.unwrap();
    let page_alert = slo.alert_name(foresight_core::alerting::slo::Severity::Page);
    let ticket_alert = slo.alert_name(foresight_core::alerting::slo::Severity::Ticket);
    browser
        .wait_for_text(
            &format!(r#"[data-alert-rule="{page_alert}"] .alert-rule-status"#),
            "evaluated",
        )
        .await
        .unwrap();
    // Quiet seconds: nothing burns.
    tokio::time::sleep(Duration::from_secs(30)).await;
    let quiet = prometheus_transitions(&prometheus.base_url());
    assert!(
        quiet.is_empty(),
        "nothing fires before the spike: {quiet:?}
{}
{}",
        e2e::http_get(&format!(
            "{}/api/v1/query?query={}",
            prometheus.base_url(),
            encode_uri_component(r#"{__name__=~"slo:.*"}"#)
        ))
        .unwrap(),
        std::fs::read_to_string(&rules_path).unwrap()
    );
    let quiet = browser_transitions(&page_history(&browser, "slo-ruler").await);
    assert!(
        quiet.is_empty(),
        "nothing fires before the spike: {quiet:?}"
    );

    // Nine requests in ten fail: 90× the budget, past 14.4× over 5 m and 1 h
    // and past 3× over 2 h and 1 d. Both must fire, at the same evaluation.
    let spike = ureq::post(&format!("http://{service}/chaos/error-spike?ratio=0.9"))
        .call()
        .unwrap();
    assert_eq!(spike.status(), 200);
    let started = now_seconds();
    let deadline = started + 90.0;
    let (page, server) = loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let page = browser_transitions(&page_history(&browser, "slo-ruler").await);
        let server = prometheus_transitions(&prometheus.base_url());
        let fired = |t: &e2e::alert_transitions::Transitions, name: &str| {
            t.iter().any(|(k, v)| k.0 == name && v.1.is_some())
        };
        let all = [&page_alert, &ticket_alert]
            .iter()
            .all(|name| fired(&page, name) && fired(&server, name));
        if all {
            // One more interval, so a later firing on either side is seen too.
            tokio::time::sleep(Duration::from_secs_f64(LIVE_INTERVAL + 1.0)).await;
            break (
                browser_transitions(&page_history(&browser, "slo-ruler").await),
                prometheus_transitions(&prometheus.base_url()),
            );
        }
        assert!(
            now_seconds() < deadline,
            "both did not fire within 90 s of the spike: page {page:?}, Prometheus {server:?}"
        );
    };
    println!("alert | page firing | Prometheus firing | after the spike began");
    let mut compared = 0;
    for (key, (_, server_firing, _)) in &server {
        let Some(server_firing) = server_firing else {
            continue;
        };
        let page_firing = page
            .get(key)
            .and_then(|t| t.1)
            .unwrap_or_else(|| panic!("the page never fired {key:?}; it has {page:?}"));
        println!(
            "{key:?} | {page_firing:.1} | {server_firing:.1} | {:.1} s",
            server_firing - started
        );
        assert!(
            (page_firing - server_firing).abs() <= LIVE_INTERVAL,
            "{key:?}: page fired at {page_firing}, Prometheus at {server_firing}"
        );
        compared += 1;
    }
    assert_eq!(compared, 2, "page and ticket compared: {server:?}");
    assert_eq!(
        page.len(),
        server.len(),
        "page {page:?}, Prometheus {server:?}"
    );
}
