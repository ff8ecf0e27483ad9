//! The same rules evaluated by the page and by a real Prometheus ruler, live,
//! on the sample service: the page's rules are exported as a Prometheus rule
//! file, Prometheus loads it, and both evaluate every 2 s. The rules open a
//! window at a known moment (`time()` in the expression), so both evaluators
//! see the same conditions; every instance's pending, firing and resolved times
//! must agree within one evaluation interval. The same run checks what the
//! page does around it: the server's own states shown beside the browser's, a
//! server-only rule imported into the dashboard, a local silence that keeps one
//! alert's notifications back, browser notifications (permission asked after
//! an explanation), and that analytic conditions evaluate without errors.

use e2e::alert_transitions::{browser_transitions, prometheus_transitions};
use e2e::browser_session::{BrowserSession, TempDir};
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::webhook_receiver::start_receiver;
use e2e::{artifacts_dir, dist_dir, start_sample_service};
use foresight_core::alerting::rule::{to_prometheus_rule_file, AlertRule};
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::model::inline_dashboard::encode_inline_dashboard;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Both evaluate at multiples of this (Prometheus with a fixed offset per group).
const INTERVAL: f64 = 2.0;

fn now_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn rules(opens: f64, closes: f64) -> Vec<AlertRule> {
    foresight_core::foundation::json::decode(&json!([
        {
            "name": "WindowOpen",
            "expr": format!("vector(time()) > {opens} and vector(time()) < {closes}"),
            "for": "6s", "keepFiringFor": "4s", "interval": "2s",
            "labels": {"severity": "page"},
            "annotations": {"summary": "the window is open ({{ $labels.severity }})"}
        },
        {
            "name": "PerEndpoint",
            "expr": format!("sum by (endpoint) (http_requests_total{{job=\"sample-service\"}}) > 0 and on() vector(time()) > {opens}"),
            "for": "4s", "interval": "2s",
            "labels": {"team": "web"},
            "annotations": {
                "summary": "{{ $labels.endpoint }} is serving{{ $labels.team }}",
                // A `query` run against the datasource, built from the alert's labels.
                "description": "{{ with printf \"http_requests_total{job='sample-service',endpoint='%s'}\" $labels.endpoint | query }}{{ . | first | label \"job\" }} answers {{ . | first | label \"endpoint\" }}{{ end }}"
            }
        },
        {
            "name": "RequestsForecast",
            "expr": "sum(http_requests_total{job=\"sample-service\"})",
            "condition": {"kind": "forecastCrosses", "op": ">", "value": 1e15, "within": "1m"},
            // Its own interval: exported into a group of its own.
            "interval": "4s"
        },
        {
            "name": "TrafficAnomaly",
            "expr": "sum(rate(http_requests_total{job=\"sample-service\"}[30s]))",
            "condition": {"kind": "anomalyScore", "above": 0.999},
            "interval": "2s"
        }
    ]).to_string())
    .unwrap()
}

/// The exported rules plus one the dashboard does not have.
fn rule_file(rules: &[AlertRule]) -> String {
    let mut text = to_prometheus_rule_file("foresight-ruler-test", rules).unwrap();
    text.push_str("  - name: server-only\n    rules:\n      - alert: ServerOnly\n        expr: vector(1)\n        labels:\n          team: ops\n");
    text
}

/// A rule file pasted into the page, in the YAML styles rule files use.
const IMPORTED_RULE_FILE: &str = "groups:
- name: imported
  interval: 2s
  rules:
  - record: job:up:sum
    expr: sum(up)
  - alert: Imported
    expr: vector(1)
    labels: {severity: warning}
    annotations:
      summary: >-
        imported
        {{ $value }}
  - alert: Imported
    expr: \"vector(2)\"
    labels:
      severity: critical
    annotations:
      summary: 'imported {{ $value }}'
  - alert: Broken
    expr: vector(1)
    annotations:
      summary: '{{ if }}'
";

#[tokio::test(flavor = "multi_thread")]
async fn the_page_and_the_prometheus_ruler_agree() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-ruler");
    let (_service, service_address) =
        start_sample_service(&artifacts, "sample-service-ruler").unwrap();
    // Start with the window far in the future, then move it near once everything runs.
    let rules_path = work.0.join("rules.yml");
    std::fs::write(&rules_path, rule_file(&rules(4e9, 4e9 + 1.0))).unwrap();
    let prometheus = PrometheusFixture::start_with_rules(
        &work.0.join("prometheus"),
        &[("sample-service", &service_address)],
        &rules_path,
        &artifacts,
    )
    .unwrap();
    let promtool = std::process::Command::new("promtool")
        .args(["check", "rules"])
        .arg(&rules_path)
        .output()
        .unwrap();
    assert!(
        promtool.status.success(),
        "the export passes promtool: {}",
        String::from_utf8_lossy(&promtool.stderr)
    );
    // Each exported rule runs in Prometheus at the interval it has in the page.
    let loaded: Value = serde_json::from_str(
        &e2e::http_get(&format!("{}/api/v1/rules", prometheus.base_url())).unwrap(),
    )
    .unwrap();
    let mut intervals: Vec<(String, f64)> = Vec::new();
    for group in loaded["data"]["groups"].as_array().unwrap() {
        for rule in group["rules"].as_array().unwrap() {
            intervals.push((
                rule["name"].as_str().unwrap().to_string(),
                group["interval"].as_f64().unwrap(),
            ));
        }
    }
    intervals.retain(|(name, _)| name != "ServerOnly");
    intervals.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        intervals,
        [
            ("PerEndpoint".to_string(), 2.0),
            ("RequestsForecast".to_string(), 4.0),
            ("WindowOpen".to_string(), 2.0)
        ],
        "as Prometheus loaded them: {loaded}"
    );
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "ruler").await.unwrap();
    let webhook = start_receiver(200).await;

    let opens = (now_seconds() + 30.0).round();
    let closes = opens + 20.0;
    let rules = rules(opens, closes);
    std::fs::write(&rules_path, rule_file(&rules)).unwrap();
    prometheus.reload().unwrap();

    let mut dashboard = Dashboard::from_json(include_str!(
        "../../../public/dashboards/service-health.json"
    ))
    .unwrap();
    dashboard.id = "ruler-test".into();
    dashboard.alerts = rules;
    dashboard.notify.webhooks = vec![webhook.url.clone()];
    dashboard.notify.external_labels = [("site".to_string(), "lab".to_string())].into();
    let url = format!(
        "{}?inline={}&datasource={}&from=now-15m&to=now",
        site.url(),
        encode_inline_dashboard(&dashboard),
        encode_uri_component(&prometheus.base_url())
    );
    browser.client.goto(&url).await.unwrap();
    browser.accept_dashboard().await.unwrap();
    browser
        .wait_for_count(r#"[data-testid="alerts-view"] summary[data-leader="true"]"#)
        .await
        .unwrap();

    // Browser notifications: the browser's permission prompt and the system
    // notification itself are replaced by a recorder (headless Chromium shows neither).
    browser
        .script(
            "window.__notifications = [];
             const Recorder = function (title, options) { window.__notifications.push([title, options && options.body]); };
             Recorder.permission = 'default';
             Recorder.requestPermission = () => { Recorder.permission = 'granted'; return Promise.resolve('granted'); };
             window.Notification = Recorder;
             return true;",
        )
        .await
        .unwrap();
    // The page reads the permission again at its next evaluation.
    browser
        .wait_for_count(r#"[data-action="enable-notifications"]"#)
        .await
        .unwrap();
    let explained = browser.text(".alert-notification-settings").await.unwrap();
    assert!(
        explained.contains("Your browser will ask you once"),
        "{explained}"
    );
    browser
        .click(r#"[data-action="enable-notifications"]"#)
        .await
        .unwrap();
    browser
        .wait_for_count(r#"[data-notifications="granted"]"#)
        .await
        .unwrap();
    // A silence for one endpoint, made in the form before the window opens.
    browser
        .script(
            r#"const form = document.querySelector('.silence-form');
               const input = form.querySelector('input[name="matchers"]');
               input.value = 'alertname="PerEndpoint", endpoint="/metrics"';
               input.dispatchEvent(new Event('input', { bubbles: true }));
               form.querySelector('button[type="submit"]').click();
               return true;"#,
        )
        .await
        .unwrap();
    browser
        .wait_for_count(r#".silence[data-silence*="/metrics"]"#)
        .await
        .unwrap();
    assert!(
        now_seconds() < opens - 2.0,
        "the page must be evaluating before the window opens; it took too long to start"
    );

    // Both evaluate through the window and past its end (+ keep_firing_for and a margin).
    let settle = closes + 4.0 + 3.0 * INTERVAL + 2.0;
    while now_seconds() < settle {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Analytic conditions evaluate (no errors) and the forecast rule is valid on the server too.
    for name in ["RequestsForecast", "TrafficAnomaly"] {
        let status = browser
            .text(&format!(r#"[data-alert-rule="{name}"] .alert-rule-status"#))
            .await
            .unwrap();
        assert_eq!(status, "evaluated", "{name}");
    }
    let history: Value = serde_json::from_str(
        browser
            .script("return localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith('foresight.alert-history.link.ruler-test.')));")
            .await
            .unwrap()
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let page = browser_transitions(&history);
    let server = prometheus_transitions(&prometheus.base_url());
    println!("instance | pending page/server | firing page/server | resolved page/server");
    let mut compared = 0;
    for (key, (server_pending, server_firing, server_last_firing)) in &server {
        if key.0 == "ServerOnly" {
            continue;
        }
        let (page_pending, page_firing, page_resolved) = page
            .get(key)
            .copied()
            .unwrap_or_else(|| panic!("the page never alerted for {key:?}; it has {page:?}"));
        // Prometheus's resolution is the evaluation after the last firing sample.
        let server_resolved = (key.0 == "WindowOpen")
            .then(|| server_last_firing.map(|t| t + INTERVAL))
            .flatten();
        println!(
            "{key:?} | {page_pending:?}/{server_pending:?} | {page_firing:?}/{server_firing:?} | {page_resolved:?}/{server_resolved:?}"
        );
        for (what, ours, theirs) in [
            ("pending", page_pending, *server_pending),
            ("firing", page_firing, *server_firing),
            ("resolved", page_resolved, server_resolved),
        ] {
            match (ours, theirs) {
                (Some(ours), Some(theirs)) => {
                    assert!(
                        (ours - theirs).abs() <= INTERVAL,
                        "{key:?} {what}: page {ours}, Prometheus {theirs}"
                    );
                    compared += 1;
                }
                (None, None) => {}
                _ => panic!("{key:?} {what}: page {ours:?}, Prometheus {theirs:?}"),
            }
        }
    }
    // WindowOpen: pending, firing, resolved; PerEndpoint: pending and firing per endpoint (≥ 2).
    assert!(compared >= 7, "compared {compared} transitions");
    assert!(page
        .keys()
        .any(|k| k.0 == "PerEndpoint" && k.1.contains("/hello")));

    // The same annotation text as Prometheus renders.
    let alerts: Value = serde_json::from_str(
        &e2e::http_get(&format!("{}/api/v1/alerts", prometheus.base_url())).unwrap(),
    )
    .unwrap();
    let server_alert = alerts["data"]["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["labels"]["alertname"] == "PerEndpoint" && a["labels"]["endpoint"] == "/hello")
        .expect("Prometheus has PerEndpoint for /hello");
    let server_summary = server_alert["annotations"]["summary"].as_str().unwrap();
    // The template's query, run by Prometheus's ruler and by the page.
    let server_description = server_alert["annotations"]["description"].as_str().unwrap();
    assert_eq!(server_description, "sample-service answers /hello");
    // The texts of the elements `selector` picks in PerEndpoint's alert rows.
    let per_endpoint_texts = |selector: &'static str| {
        let script = format!(
            r#"return [...document.querySelectorAll('[data-alert-rule="PerEndpoint"] {selector}')].map(e => e.textContent);"#
        );
        let browser = &browser;
        async move {
            let texts = browser.script(&script).await.unwrap();
            texts
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap_or_default().to_string())
                .collect::<Vec<String>>()
        }
    };
    let page_descriptions = per_endpoint_texts(".alert-annotation-text").await;
    assert!(
        page_descriptions.contains(&format!("description: {server_description}")),
        "{server_description:?} in {page_descriptions:?}"
    );
    let page_summaries = per_endpoint_texts(".alert-summary").await;
    assert!(
        page_summaries.iter().any(|s| s == server_summary),
        "{server_summary:?} in {page_summaries:?}"
    );
    // The server's state beside the page's.
    let server_state = browser
        .attribute(
            r#"[data-alert-rule="PerEndpoint"] .server-state"#,
            "data-server-state",
        )
        .await
        .unwrap();
    assert_eq!(server_state, "firing");

    // Notifications: the silenced endpoint sent nothing; the others did.
    let payloads: Vec<Value> = webhook
        .bodies
        .lock()
        .unwrap()
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    let notified: Vec<String> = payloads
        .iter()
        .flat_map(|p| p["alerts"].as_array().unwrap().clone())
        .map(|a| {
            format!(
                "{} {}",
                a["labels"]["alertname"].as_str().unwrap(),
                a["labels"]["endpoint"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        notified.iter().any(|n| n == "PerEndpoint /hello"),
        "{notified:?}"
    );
    assert!(
        payloads
            .iter()
            .flat_map(|p| p["alerts"].as_array().unwrap().clone())
            .all(|a| a["labels"]["site"] == "lab"),
        "external labels go with every alert"
    );
    assert!(
        notified.iter().any(|n| n.starts_with("WindowOpen")),
        "{notified:?}"
    );
    assert!(
        !notified.iter().any(|n| n == "PerEndpoint /metrics"),
        "a silenced alert is not sent: {notified:?}"
    );
    let silenced = browser
        .script(r#"return [...document.querySelectorAll('[data-alert-rule="PerEndpoint"] .alert-instance')].filter(r => r.dataset.silenced === 'true').length;"#)
        .await
        .unwrap();
    assert_eq!(silenced, json!(1));
    let shown: Vec<String> = browser
        .script("return window.__notifications.map(n => n[0] + ' ' + n[1]);")
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(
        shown
            .iter()
            .any(|n| n == "[FIRING] WindowOpen the window is open ()"),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|n| n == "[FIRING] PerEndpoint /hello is serving"),
        "{shown:?}"
    );
    assert!(!shown.iter().any(|n| n.contains("/metrics")), "{shown:?}");
    // The timeline shows WindowOpen's pending and firing stretches.
    let segments = browser
        .script(r#"return [...document.querySelectorAll('.timeline-row[data-rule="WindowOpen"] .timeline-segment')].map(s => s.dataset.state);"#)
        .await
        .unwrap();
    assert_eq!(segments, json!(["pending", "firing"]));

    // A rule only the server has, listed and added to the dashboard while editing.
    browser
        .wait_for_count(r#"tr[data-server-rule="ServerOnly"]"#)
        .await
        .unwrap();
    browser.click(r#"[data-action="edit"]"#).await.unwrap();
    browser
        .wait_for_count(r#"[data-action="import-server-rule"]"#)
        .await
        .unwrap();
    browser
        .click(r#"[data-action="import-server-rule"]"#)
        .await
        .unwrap();
    browser
        .wait_for_count(r#"[data-alert-rule="ServerOnly"]"#)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let state = browser
            .script(r#"const row = document.querySelector('[data-alert-rule="ServerOnly"] .alert-instance'); return row && row.dataset.alertState;"#)
            .await
            .unwrap();
        if state == json!("firing") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the imported rule never fired: {state}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // A rule file imported in the page: two rules of one name (a warning and a
    // critical one, as rule files have them) and one whose template cannot run.
    browser.click(r#"[data-action="rules"]"#).await.unwrap();
    browser
        .wait_for_count(r#"[data-testid="rule-file-import"]"#)
        .await
        .unwrap();
    browser
        .click(r#"[data-testid="rule-file-import"] summary"#)
        .await
        .unwrap();
    browser
        .type_into(r#"[data-field="rule-file-text"]"#, IMPORTED_RULE_FILE)
        .await
        .unwrap();
    browser
        .click(r#"[data-action="read-rule-file"]"#)
        .await
        .unwrap();
    browser
        .wait_for_text(
            r#"[data-testid="rule-import-summary"]"#,
            "2 of 3 alerting rules imported (66.7 %); 1 recording rule left to Prometheus",
        )
        .await
        .unwrap();
    let refused = browser
        .text(r#"[data-refused-rule="Broken"]"#)
        .await
        .unwrap();
    assert!(refused.contains("summary:"), "{refused}");
    browser
        .click(r#"[data-action="add-imported-rules"]"#)
        .await
        .unwrap();
    browser
        .click(r#"[data-action="close-rules"]"#)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let firing = browser
            .script(r#"return [...document.querySelectorAll('[data-alert-rule="Imported"] .alert-instance[data-alert-state="firing"]')].map(row => row.textContent).sort();"#)
            .await
            .unwrap();
        let shown: Vec<String> = firing
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        if shown.len() == 2 {
            // `$labels` are the series' labels (not the rule's), as in Prometheus.
            assert!(
                shown[0].contains("severity=\"critical\"") && shown[0].contains("imported 2"),
                "{shown:?}"
            );
            assert!(
                shown[1].contains("severity=\"warning\"") && shown[1].contains("imported 1"),
                "{shown:?}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the imported rules never both fired: {shown:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    browser
        .script("document.querySelector('[data-alert-rule=\"WindowOpen\"]').scrollIntoView(); return true;")
        .await
        .unwrap();
    browser
        .save_screenshot(&artifacts.join("alerting-ruler.png"))
        .await
        .unwrap();
}
