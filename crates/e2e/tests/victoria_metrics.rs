//! Foresight on a real VictoriaMetrics (Debian's `victoria-metrics` 1.79,
//! single node): the generated history imported through its own import API,
//! live data from the sample service through `vmagent`. The shipped dashboard
//! shows VictoriaMetrics's own answers, the header says what engine it is and
//! what differs there (in a note, not in red), the page asks nothing the
//! engine refuses to a page, variables and completion work, the backtest asks
//! for step-aligned ranges, and the page's alert rules, exported and run by
//! `vmalert` against the same VictoriaMetrics, fire with the page's.

use e2e::alert_transitions::{browser_transitions, prometheus_transitions};
use e2e::browser_session::{BrowserSession, TempDir};
use e2e::prometheus_answers::{assert_close, instant_values, page_and_server_value, range_stats};
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::victoria_metrics_fixture::{start_vmalert, VictoriaMetricsFixture};
use e2e::webhook_receiver::start_receiver;
use e2e::{artifacts_dir, dist_dir, start_sample_service};
use foresight_core::alerting::rule::{to_prometheus_rule_file, AlertRule};
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::model::inline_dashboard::encode_inline_dashboard;
use history_generator::IncidentKind;
use serde_json::{json, Value};
use std::time::Duration;

fn panel(id: &str) -> String {
    format!(r#"[data-panel="{id}"]"#)
}

async fn attribute_number(browser: &BrowserSession, css: &str, name: &str) -> f64 {
    browser
        .attribute(css, name)
        .await
        .unwrap_or_else(|e| panic!("{css} {name}: {e}"))
        .parse()
        .unwrap()
}

/// The API paths the page has requested from `base`.
async fn requested_paths(browser: &BrowserSession, base: &str) -> Vec<String> {
    let names = browser
        .script("return performance.getEntriesByType('resource').map(r => r.name);")
        .await
        .unwrap();
    names
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|name| name.as_str()?.strip_prefix(base))
        .map(|rest| rest.split('?').next().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shipped_dashboard_shows_victoria_metrics_answers() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-victoria-metrics");
    let (_service, service_address) =
        start_sample_service(&artifacts, "sample-service-victoria-metrics").unwrap();
    let engine =
        VictoriaMetricsFixture::start(&work.0, &[("sample-service", &service_address)], &artifacts)
            .unwrap();
    let base = engine.base_url();
    let manifest = engine.manifest.clone();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "victoria-metrics")
        .await
        .unwrap();
    browser.client.set_window_size(1400, 1800).await.unwrap();

    // 1. The last 7 days of history: every panel draws, none fails.
    let end_ms = manifest.end * 1000;
    let week = format!(
        "{}?datasource={}&from={}&to={end_ms}",
        site.url(),
        encode_uri_component(&base),
        end_ms - 7 * 86_400_000
    );
    browser.client.goto(&week).await.unwrap();
    let states = browser.settled_panels().await.unwrap();
    browser
        .save_screenshot(&artifacts.join("victoria-metrics-7d.png"))
        .await
        .unwrap();
    println!("panel states on VictoriaMetrics: {states:?}");
    for (id, state) in &states {
        let expected = if id == "disk-full-warning" {
            "nodata"
        } else {
            "ok"
        };
        assert_eq!(
            state,
            expected,
            "{id}: {:?}",
            browser.text(&panel(id)).await
        );
    }

    // 2. The header: the engine by name, what differs in notes, nothing red.
    browser
        .wait_for_text(r#"[data-testid="datasource-engine"]"#, "VictoriaMetrics")
        .await
        .unwrap();
    let red = browser
        .script(r#"return document.querySelectorAll('[data-testid="datasource-error"]').length;"#)
        .await
        .unwrap();
    assert_eq!(red, json!(0), "no error in the header while the data flows");
    let notes = browser
        .script(r#"return document.querySelector('[data-testid="datasource-notes"]').textContent;"#)
        .await
        .unwrap();
    let notes = notes.as_str().unwrap();
    println!("header notes: {notes}");
    for expected in ["latencyOffset", "vmalert", "histogram_quantile"] {
        assert!(notes.contains(expected), "{expected} in {notes}");
    }
    // The alerts section says where its rules are, not that they failed.
    browser
        .wait_for_text(r#"[data-testid="rules-elsewhere"]"#, "vmalert")
        .await
        .unwrap();

    // 3. The KPIs equal VictoriaMetrics's own answers at the same time.
    for id in ["error-rate", "requests-in-progress"] {
        let (page, answer) = page_and_server_value(&browser, &base, id).await;
        assert_close(id, page, answer);
    }
    let p95 = panel("p95-latency");
    let query = browser.attribute(&p95, "data-query").await.unwrap();
    let (start, end, step) = (
        browser.attribute(&p95, "data-start").await.unwrap(),
        browser.attribute(&p95, "data-end").await.unwrap(),
        browser.attribute(&p95, "data-step").await.unwrap(),
    );
    let p50_query = query.lines().next().unwrap();
    let expected = range_stats(&base, p50_query, &start, &end, &step);
    let page_max = attribute_number(
        &browser,
        &format!(r#"{p95} tr[data-series="p50"]"#),
        "data-max",
    )
    .await;
    assert_close("p50 max", page_max, expected.values().next().unwrap()[1]);

    // 4. The backtest asks for a step-aligned range (VictoriaMetrics would
    // otherwise answer on its own grid) and pages during the error spike.
    let spike = manifest.incident(IncidentKind::ErrorRateSpike).unwrap();
    let (pages, episodes) = browser.backtest("HighErrorRate").await.unwrap();
    assert!((1..=9).contains(&pages), "{pages} pages: {episodes:?}");
    println!("HighErrorRate backtest on VictoriaMetrics: {episodes:?}");
    assert!(
        episodes.iter().any(|e| e
            .firing_at
            .is_some_and(|firing| firing >= spike.start as f64 && firing <= spike.end as f64)),
        "the backtest pages during the error spike [{}, {}]",
        spike.start,
        spike.end
    );
    let backtest_steps = browser
        .script(
            "return performance.getEntriesByType('resource').map(r => new URL(r.name))
                 .filter(u => u.pathname.endsWith('/api/v1/query_range'))
                 .map(u => [+u.searchParams.get('start'), +u.searchParams.get('end'), +u.searchParams.get('step')]);",
        )
        .await
        .unwrap();
    for window in backtest_steps.as_array().unwrap() {
        let (start, end, step) = (
            window[0].as_f64().unwrap(),
            window[1].as_f64().unwrap(),
            window[2].as_f64().unwrap(),
        );
        assert!(
            start % step == 0.0 && end % step == 0.0,
            "every range is asked on its step's grid: start {start}, end {end}, step {step}"
        );
    }
    // The episodes begin on evaluation instants the engine evaluated at.
    for episode in &episodes {
        assert_eq!(episode.pending_at % 60.0, 0.0, "{episode:?}");
    }

    // 5. Variables: the job variable's options come from VictoriaMetrics.
    let options = browser
        .script(r#"return [...document.querySelectorAll('select[data-variable="job"] option')].map(o => o.value);"#)
        .await
        .unwrap();
    assert!(
        options
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o == "sample-service"),
        "job options: {options}"
    );

    // 6. Nothing was asked that VictoriaMetrics refuses to a page.
    let paths = requested_paths(&browser, &base).await;
    for refused in [
        "/api/v1/status/buildinfo",
        "/api/v1/rules",
        "/api/v1/metadata",
    ] {
        assert!(
            !paths.iter().any(|p| p == refused),
            "{refused} was requested: {paths:?}"
        );
    }
    let label_requests: Vec<String> = browser
        .script(
            "return performance.getEntriesByType('resource').map(r => r.name)
                 .filter(n => n.includes('/api/v1/label'));",
        )
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    assert!(!label_requests.is_empty());
    for request in &label_requests {
        assert!(
            request.contains("start=") && request.contains("end="),
            "label lookups always say their range: {request}"
        );
    }

    // A figure, not an assertion: how far VictoriaMetrics's answers to the
    // shipped latency and rate queries are from Prometheus's on the same
    // history (every hour of the 16 days).
    let prometheus = PrometheusFixture::start_with_history(
        &work.0.join("prometheus"),
        engine.history.clone(),
        &artifacts,
    )
    .unwrap();
    for (what, query) in [
        (
            "p99 latency",
            "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        ),
        (
            "p50 latency",
            "histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        ),
        ("request rate", "sum(rate(http_requests_total[5m]))"),
    ] {
        let (start, end) = (
            (manifest.start + 3600).to_string(),
            (manifest.end - 60).to_string(),
        );
        let ours = range_stats(&base, query, &start, &end, "3600");
        let theirs = range_stats(&prometheus.base_url(), query, &start, &end, "3600");
        let (Some(ours), Some(theirs)) = (ours.values().next(), theirs.values().next()) else {
            continue;
        };
        println!(
            "{what}, hourly over the history: VictoriaMetrics mean {:.6} max {:.6}; Prometheus mean {:.6} max {:.6}; difference of the means {:+.2} %, of the maxima {:+.2} %",
            ours[2],
            ours[1],
            theirs[2],
            theirs[1],
            100.0 * (ours[2] / theirs[2] - 1.0),
            100.0 * (ours[1] / theirs[1] - 1.0)
        );
    }
    drop(prometheus);

    // 7. VictoriaMetrics's own dashboard, on its own metrics (it scrapes
    // itself), once they are older than the 30 s it hides and span two scrapes.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let counted = instant_values(
            &base,
            "count_over_time(vm_free_disk_space_bytes[5m])",
            &now_seconds().to_string(),
        );
        if counted.first().is_some_and(|(_, samples)| *samples >= 3.0) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "VictoriaMetrics never showed its own metrics"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    browser
        .client
        .goto(&format!(
            "{}?dashboard=victoriametrics&datasource={}&from=now-15m&to=now",
            site.url(),
            encode_uri_component(&base)
        ))
        .await
        .unwrap();
    let states = browser.settled_panels().await.unwrap();
    browser
        .save_screenshot(&artifacts.join("victoria-metrics-own-dashboard.png"))
        .await
        .unwrap();
    println!("VictoriaMetrics's own dashboard: {states:?}");
    assert!(
        states.iter().all(|(_, state)| state != "error"),
        "{states:?}"
    );
    assert!(
        states.iter().filter(|(_, state)| state == "ok").count() * 2 >= states.len(),
        "most of its panels have data: {states:?}"
    );

    // 8. Completion in the editor (back on the shipped dashboard): metric names from VictoriaMetrics.
    browser.client.goto(&week).await.unwrap();
    browser.settled_panels().await.unwrap();
    browser.click(r#"[data-action="edit"]"#).await.unwrap();
    browser
        .click(r#"[data-edit-panel="error-rate"] [data-edit="edit"]"#)
        .await
        .unwrap();
    let expr = r#"[data-query-row="0"] .query-expr"#;
    browser
        .type_into(expr, "sum(rate(http_requests_tot")
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let offered = browser
            .script(r#"return [...document.querySelectorAll('[data-testid="completions"] option')].map(o => o.value);"#)
            .await
            .unwrap();
        if offered
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o == "sum(rate(http_requests_total")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "completion never offered http_requests_total: {offered}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Both evaluate every 2 s.
const INTERVAL: f64 = 2.0;

fn now_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Rules that open a window at a known moment (so both evaluators see the
/// same conditions) and one per endpoint of the live sample service.
fn rules(opens: f64, closes: f64) -> Vec<AlertRule> {
    foresight_core::foundation::json::decode(
        &json!([
            {
                "name": "WindowOpen",
                "expr": format!("vector(time()) > {opens} and vector(time()) < {closes}"),
                "for": "6s", "interval": "2s",
                "labels": {"severity": "page"},
                "annotations": {"summary": "the window is open"}
            },
            {
                "name": "PerEndpoint",
                "expr": format!("sum by (endpoint) (http_requests_total{{job=\"sample-service\"}}) > 0 and on() vector(time()) > {opens}"),
                "for": "4s", "interval": "2s",
                "labels": {"team": "web"},
                "annotations": {"summary": "{{ $labels.endpoint }} is serving"}
            }
        ])
        .to_string(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn vmalert_runs_the_exported_rules_and_fires_with_the_page() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-vmalert");
    let (_service, service_address) =
        start_sample_service(&artifacts, "sample-service-vmalert").unwrap();
    let engine =
        VictoriaMetricsFixture::start(&work.0, &[("sample-service", &service_address)], &artifacts)
            .unwrap();
    let base = engine.base_url();
    let notifier = start_receiver(200).await;
    let opens = (now_seconds() + 40.0).round();
    let closes = opens + 20.0;
    let rules = rules(opens, closes);
    let rules_path = work.0.join("rules.yml");
    std::fs::write(
        &rules_path,
        to_prometheus_rule_file("foresight-vmalert-test", &rules).unwrap(),
    )
    .unwrap();
    // vmalert writes its ALERTS series back into VictoriaMetrics, as Prometheus's ruler keeps them.
    let notifier_base = notifier.url.trim_end_matches("/hook").to_string();
    let (_vmalert, vmalert_base) =
        start_vmalert(&rules_path, &base, &notifier_base, "2s", &base, &artifacts).unwrap();

    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "vmalert").await.unwrap();
    let mut dashboard = Dashboard::from_json(include_str!(
        "../../../public/dashboards/service-health.json"
    ))
    .unwrap();
    dashboard.id = "vmalert-test".into();
    e2e::without_slos(&mut dashboard);
    dashboard.alerts = rules;
    let url = format!(
        "{}?inline={}&datasource={}&from=now-15m&to=now",
        site.url(),
        encode_inline_dashboard(&dashboard),
        encode_uri_component(&base)
    );
    browser.client.goto(&url).await.unwrap();
    browser.accept_dashboard().await.unwrap();
    browser
        .wait_for_count(r#"[data-testid="alerts-view"] summary[data-leader="true"]"#)
        .await
        .unwrap();
    // The range ends now: the header says the newest seconds are not shown yet.
    browser
        .wait_for_text(r#"[data-testid="recent-hidden"]"#, "newest 30 s")
        .await
        .unwrap();
    assert!(
        now_seconds() < opens - 2.0,
        "the page must be evaluating before the window opens; it took too long to start"
    );
    // Through the window and past it; then VictoriaMetrics's newest 30 s
    // (its latency offset) must pass before vmalert's last samples are read.
    let settle = closes + 3.0 * INTERVAL + 2.0;
    while now_seconds() < settle + 35.0 {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let history: Value = serde_json::from_str(
        browser
            .script("return localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith('foresight.alert-history.link.vmalert-test.')));")
            .await
            .unwrap()
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let page = browser_transitions(&history);
    // vmalert labels its alerts with their group too; the page does not.
    let server: std::collections::BTreeMap<_, _> = prometheus_transitions(&base)
        .into_iter()
        .map(|((name, labels), times)| {
            let labels: Vec<&str> = labels
                .split(',')
                .filter(|label| !label.starts_with("alertgroup="))
                .collect();
            ((name, labels.join(",")), times)
        })
        .collect();
    let vmalert_alerts = e2e::http_get(&format!("{vmalert_base}/api/v1/alerts")).unwrap();
    println!("vmalert's alerts now: {vmalert_alerts}");
    println!("instance | pending page/vmalert | firing page/vmalert");
    let mut compared = 0;
    for (key, (server_pending, server_firing, _)) in &server {
        let (page_pending, page_firing, _) = page
            .get(key)
            .copied()
            .unwrap_or_else(|| panic!("the page never alerted for {key:?}; it has {page:?}"));
        println!(
            "{key:?} | {page_pending:?}/{server_pending:?} | {page_firing:?}/{server_firing:?}"
        );
        for (what, ours, theirs) in [
            ("pending", page_pending, *server_pending),
            ("firing", page_firing, *server_firing),
        ] {
            let (Some(ours), Some(theirs)) = (ours, theirs) else {
                panic!("{key:?} {what}: page {ours:?}, vmalert {theirs:?}");
            };
            assert!(
                (ours - theirs).abs() <= INTERVAL,
                "{key:?} {what}: page {ours}, vmalert {theirs}"
            );
            compared += 1;
        }
    }
    // WindowOpen, and PerEndpoint for at least two endpoints: pending and firing each.
    assert!(compared >= 6, "compared {compared} transitions: {server:?}");
    assert!(
        notifier
            .bodies
            .lock()
            .unwrap()
            .iter()
            .any(|body| body.contains("WindowOpen")),
        "vmalert notified its Alertmanager API"
    );
}
