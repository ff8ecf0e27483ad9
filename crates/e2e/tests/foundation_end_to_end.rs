//! The walking skeleton, end to end: real Prometheus with generated history, the
//! real sample service scraped live, the release build of the app, headless Chromium.

use e2e::browser_session::{BrowserSession, TempDir};
use e2e::prometheus_answers::{assert_close, range_stats};
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::{artifacts_dir, dist_dir, free_port, http_get, start_sample_service};
use foresight_core::model::datasource::encode_uri_component;
use history_generator::IncidentKind;
use serde_json::Value;
use std::time::Duration;

const PANEL: &str = r#"[data-panel="request-rate-by-status"]"#;
const STATE_TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn panel_draws_what_prometheus_returns_for_the_same_query() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-prometheus");
    let (mut service, service_address) =
        start_sample_service(&artifacts, "sample-service").unwrap();
    let prometheus =
        PrometheusFixture::start(&work.0, Some(&service_address), None, &artifacts).unwrap();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "foundation")
        .await
        .unwrap();

    // Pin "now" to the end of the history so the view is deterministic.
    let end_ms = prometheus.manifest.end * 1000;
    let url = format!(
        "{}?datasource={}&from={}&to={}",
        site.url(),
        encode_uri_component(&prometheus.base_url()),
        end_ms - 6 * 3_600_000,
        end_ms
    );
    browser.client.goto(&url).await.unwrap();
    let state = browser
        .wait_for_attribute(
            PANEL,
            "data-state",
            &["ok", "error", "nodata"],
            STATE_TIMEOUT,
        )
        .await
        .unwrap();
    browser
        .save_screenshot(&artifacts.join("foundation-dashboard.png"))
        .await
        .unwrap();
    assert_eq!(
        state,
        "ok",
        "panel message: {:?}",
        browser.text(PANEL).await
    );

    // The header names the datasource and the version Prometheus reports.
    let build_info: Value = serde_json::from_str(
        &http_get(&format!(
            "{}/api/v1/status/buildinfo",
            prometheus.base_url()
        ))
        .unwrap(),
    )
    .unwrap();
    let version = browser
        .text(r#"[data-testid="prometheus-version"]"#)
        .await
        .unwrap();
    assert_eq!(
        version,
        format!("v{}", build_info["data"]["version"].as_str().unwrap())
    );
    assert_eq!(
        browser
            .text(r#"[data-testid="datasource-url"]"#)
            .await
            .unwrap(),
        prometheus.base_url()
    );

    // The canvas holds a drawing, at device resolution: each series' colour
    // (or, antialiased, within a few levels of it) runs across many pixel
    // columns, as a line does (the data covers part of the range here). The
    // background (22, 31, 46), the grid and the labels are far from both colours.
    let drawn = browser
        .script(
            r#"const c = document.querySelector('[data-panel="request-rate-by-status"] canvas');
               const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
               const near = (i, r, g, b) => Math.abs(d[i] - r) + Math.abs(d[i+1] - g) + Math.abs(d[i+2] - b) <= 24;
               const first = new Set(), second = new Set();
               for (let i = 0; i < d.length; i += 4) {
                 const column = (i / 4) % c.width;
                 if (near(i, 94, 200, 242)) first.add(column);
                 if (near(i, 242, 180, 94)) second.add(column);
               }
               return [c.width, c.clientWidth * devicePixelRatio, first.size, second.size];"#,
        )
        .await
        .unwrap();
    let drawn: Vec<f64> = drawn
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(
        drawn[0],
        drawn[1].round(),
        "backing store matches CSS size x devicePixelRatio"
    );
    assert!(
        drawn[2] > 150.0 && drawn[3] > 150.0,
        "both series are drawn across the chart (columns of each colour): {drawn:?}"
    );

    // The page's numbers equal Prometheus's answer to the same query window.
    let query = browser.attribute(PANEL, "data-query").await.unwrap();
    let start = browser.attribute(PANEL, "data-start").await.unwrap();
    let end = browser.attribute(PANEL, "data-end").await.unwrap();
    let step = browser.attribute(PANEL, "data-step").await.unwrap();
    assert_eq!(
        end.parse::<f64>().unwrap() % step.parse::<f64>().unwrap(),
        0.0,
        "query window aligned to the step"
    );
    assert!(
        query.contains(r#"job="sample-service""#),
        "the $job variable was substituted: {query}"
    );
    // The legend shows `{{status_code}}`: key Prometheus's series by that label.
    let expected: std::collections::BTreeMap<String, [f64; 5]> =
        range_stats(&prometheus.base_url(), &query, &start, &end, &step)
            .into_iter()
            .map(|(labels, stats)| (labels["status_code"].clone(), stats))
            .collect();
    let rows = browser
        .script(
            r#"return [...document.querySelectorAll('[data-panel="request-rate-by-status"] tr[data-series]')].map(r =>
                 [r.dataset.series, +r.dataset.min, +r.dataset.max, +r.dataset.mean, +r.dataset.last, +r.dataset.samples]);"#,
        )
        .await
        .unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(
        rows.len(),
        expected.len(),
        "one legend row per series: {rows:?} vs {expected:?}"
    );
    for row in rows {
        let name = row[0].as_str().unwrap();
        let want = expected
            .get(name)
            .unwrap_or_else(|| panic!("legend row {name} is not a series Prometheus returned"));
        for (index, what) in ["min", "max", "mean", "last", "samples"].iter().enumerate() {
            assert_close(
                &format!("{name} {what}"),
                row[index + 1].as_f64().unwrap(),
                want[index],
            );
        }
    }
    // The error spike of the history lies in this view: the 500s peak far above their mean.
    let spike = prometheus
        .manifest
        .incident(IncidentKind::ErrorRateSpike)
        .unwrap();
    assert!(spike.start * 1000 >= end_ms - 6 * 3_600_000);
    let errors = expected["500"];
    assert!(
        errors[1] > 5.0 * errors[2],
        "500s spike during the incident: {errors:?}"
    );

    // Live scraping works on top of the backfilled history.
    let mut live = false;
    for _ in 0..60 {
        let up = http_get(&format!(
            "{}/api/v1/query?query=up%7Bjob%3D%22sample-service%22%7D",
            prometheus.base_url()
        ))
        .unwrap();
        if up.contains(r#""value":["#) && up.contains(r#","1"]"#) {
            live = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(live, "Prometheus scrapes the live sample service");
    service.ensure_running().unwrap();
    browser.client.close().await.unwrap();
}

async fn open_page(name: &str, query: &str) -> (BrowserSession, StaticFileServer) {
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts_dir(), name).await.unwrap();
    browser
        .client
        .goto(&format!("{}{query}", site.url()))
        .await
        .unwrap();
    (browser, site)
}

#[tokio::test(flavor = "multi_thread")]
async fn dead_prometheus_gives_a_clear_message_and_the_page_keeps_working() {
    let dead = format!("http://127.0.0.1:{}", free_port());
    let (browser, _site) = open_page(
        "dead-prometheus",
        &format!("?datasource={}", encode_uri_component(&dead)),
    )
    .await;
    browser
        .wait_for_attribute(PANEL, "data-state", &["error"], STATE_TIMEOUT)
        .await
        .unwrap();
    let message = browser.text(&format!("{PANEL} .message")).await.unwrap();
    assert!(
        message.contains(&format!("Cannot reach Prometheus at {dead}")),
        "{message}"
    );
    let header = browser
        .text(r#"[data-testid="datasource-error"]"#)
        .await
        .unwrap();
    assert!(header.contains("Cannot reach Prometheus"), "{header}");
    browser
        .save_screenshot(&artifacts_dir().join("foundation-dead-prometheus.png"))
        .await
        .unwrap();
    // The page is alive: the header and time range are rendered and scripts still run.
    assert_eq!(
        browser.text(r#"[data-testid="time-range"]"#).await.unwrap(),
        "now-6h → now"
    );
    browser.client.close().await.unwrap();
}

/// A connect policy cannot name an IPv6 address or a host with `_`, so the
/// browser blocks requests there even once the viewer confirmed them (measured
/// in Chromium). The page says so instead of "no answer", and keeps working.
#[tokio::test(flavor = "multi_thread")]
async fn a_datasource_the_connect_policy_cannot_name_says_why() {
    for (name, datasource) in [
        ("ipv6-datasource", format!("http://[::1]:{}", free_port())),
        ("underscore-datasource", "http://prom_1:9090".to_string()),
    ] {
        let (browser, _site) = open_page(
            name,
            &format!("?datasource={}", encode_uri_component(&datasource)),
        )
        .await;
        // Another host than the page's: the viewer is asked first.
        browser.accept_dashboard().await.unwrap();
        browser
            .wait_for_attribute(PANEL, "data-state", &["error"], STATE_TIMEOUT)
            .await
            .unwrap();
        let message = browser.text(&format!("{PANEL} .message")).await.unwrap();
        assert!(
            message.contains(&format!("Cannot reach Prometheus at {datasource}"))
                && message.contains("connect policy cannot name the host"),
            "{message}"
        );
        let header = browser
            .text(r#"[data-testid="datasource-error"]"#)
            .await
            .unwrap();
        assert!(header.contains("connect policy cannot name"), "{header}");
        assert_eq!(
            browser.text(r#"[data-testid="time-range"]"#).await.unwrap(),
            "now-6h → now"
        );
        browser.client.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_is_not_prometheus_gives_a_clear_message() {
    // The static site itself answers /api/v1/... with a plain-text 404.
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let not_prometheus = site.url().trim_end_matches('/').to_string();
    let browser = BrowserSession::start(&artifacts_dir(), "not-prometheus")
        .await
        .unwrap();
    browser
        .client
        .goto(&format!(
            "{}?datasource={}",
            site.url(),
            encode_uri_component(&not_prometheus)
        ))
        .await
        .unwrap();
    browser
        .wait_for_attribute(PANEL, "data-state", &["error"], STATE_TIMEOUT)
        .await
        .unwrap();
    let message = browser.text(&format!("{PANEL} .message")).await.unwrap();
    assert!(
        message.contains("HTTP 404") && message.contains("Prometheus base URL"),
        "{message}"
    );
    browser.client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_link_falls_back_to_defaults_with_a_message() {
    let (browser, _site) = open_page(
        "broken-link",
        // A link whose inline dashboard was cut off while being copied.
        "?datasource=javascript%3Aalert(1)&from=yesterday&to=now%2B&inline=eJyrVkrOz0nNS",
    )
    .await;
    // The page says so once its code has started (the load event may come first);
    // the inline dashboard's problem comes once the browser has tried to inflate it.
    let problems = browser
        .wait_for_text(r#"[data-testid="url-problems"]"#, "truncated or damaged")
        .await
        .unwrap();
    assert!(problems.contains("not an http(s) URL"), "{problems}");
    assert!(
        problems.contains("\"yesterday\" is not understood"),
        "{problems}"
    );
    assert!(
        problems.contains("\"now+\" is not understood"),
        "{problems}"
    );
    assert_eq!(
        browser
            .text(r#"[data-testid="datasource-url"]"#)
            .await
            .unwrap(),
        "http://127.0.0.1:9090"
    );
    assert_eq!(
        browser.text(r#"[data-testid="time-range"]"#).await.unwrap(),
        "now-6h → now"
    );
    // The panel still runs (against the default datasource, which may or may not exist here).
    browser
        .wait_for_attribute(
            PANEL,
            "data-state",
            &["ok", "error", "nodata"],
            STATE_TIMEOUT,
        )
        .await
        .unwrap();
    browser.client.close().await.unwrap();
}
