//! A newcomer's first try: the page pointed at their own Prometheus, which
//! scrapes itself and a node exporter but knows nothing of the sample
//! service. The first screen is a dashboard with data (the hosts), it says
//! why it was chosen, the picker shows which dashboards have data here (and
//! asks again when back and forward change the server), and Prometheus's own
//! health dashboard works on it too.

use e2e::browser_session::{BrowserSession, TempDir};
use e2e::managed_process::ManagedProcess;
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::{artifacts_dir, dist_dir, free_port, http_get, start_node_exporter, wait_for_http};
use foresight_core::model::datasource::encode_uri_component;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A Prometheus with no history at all, scraping itself and `node` every 5 s.
fn start_bare_prometheus(
    work: &std::path::Path,
    node: &str,
    log_dir: &std::path::Path,
) -> (ManagedProcess, String) {
    let port = free_port();
    let config = format!(
        "global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n  - job_name: node\n    static_configs: [{{targets: ['{node}']}}]\n"
    );
    let config_path = work.join("prometheus.yml");
    std::fs::write(&config_path, config).unwrap();
    let mut command = std::process::Command::new("prometheus");
    command.args([
        format!("--config.file={}", config_path.display()),
        format!("--storage.tsdb.path={}", work.join("data").display()),
        format!("--web.listen-address=127.0.0.1:{port}"),
    ]);
    let process = ManagedProcess::start("prometheus-bare", command, log_dir).unwrap();
    let base = format!("http://127.0.0.1:{port}");
    wait_for_http(&format!("{base}/-/ready"), Duration::from_secs(60)).unwrap();
    (process, base)
}

/// Waits until Prometheus has scraped enough for rates on a chart whose
/// last step lies up to a step before now: four samples (15 s) of the node
/// exporter's CPU counters.
fn wait_for_scrapes(base: &str) {
    let url = format!(
        "{base}/api/v1/query?query={}",
        encode_uri_component("count_over_time(node_cpu_seconds_total[1m])")
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answer: Value = serde_json::from_str(&http_get(&url).unwrap()).unwrap();
        let samples = answer["data"]["result"][0]["value"][1]
            .as_str()
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        if samples >= 4.0 {
            return;
        }
        assert!(Instant::now() < deadline, "too few scrapes: {answer}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Waits until every panel settled; none may have failed.
async fn panels_without_errors(browser: &BrowserSession, what: &str) -> Vec<(String, String)> {
    let states = browser.settled_panels().await.unwrap();
    println!("{what}: {states:?}");
    for (id, state) in &states {
        assert_ne!(
            state,
            "error",
            "{what}: panel {id} failed: {:?}",
            browser.text(&format!(r#"[data-panel="{id}"]"#)).await
        );
    }
    states
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bare_prometheus_opens_on_a_dashboard_with_data_and_says_why() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-any-server");
    let (_exporter, exporter_address) = start_node_exporter(&artifacts).unwrap();
    let (_prometheus, base) = start_bare_prometheus(&work.0, &exporter_address, &artifacts);
    wait_for_scrapes(&base);
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "any-server")
        .await
        .unwrap();
    browser.client.set_window_size(1400, 1400).await.unwrap();

    // The bare address: no dashboard named.
    browser
        .client
        .goto(&format!(
            "{}?datasource={}&from=now-15m&to=now",
            site.url(),
            encode_uri_component(&base)
        ))
        .await
        .unwrap();
    browser
        .wait_for_text(
            r#"[data-testid="dashboard-title"]"#,
            "Hosts (node exporter)",
        )
        .await
        .unwrap();
    let reason = browser
        .text(r#"[data-testid="first-dashboard-reason"]"#)
        .await
        .unwrap();
    println!("why: {reason}");
    assert!(
        reason.contains("node_cpu_seconds_total")
            && reason.contains("Service health needs http_requests_total"),
        "{reason}"
    );
    let states = panels_without_errors(&browser, "hosts on a bare Prometheus").await;
    let drawn = states.iter().filter(|(_, state)| state == "ok").count();
    assert!(
        drawn * 4 >= states.len() * 3,
        "most host panels have data: {states:?}"
    );
    browser
        .save_screenshot(&artifacts.join("any-server-node-exporter.png"))
        .await
        .unwrap();

    // The picker says which dashboards have data on this server.
    let marks = browser
        .script(
            r#"return Object.fromEntries([...document.querySelectorAll('[data-testid="dashboard-picker"] option[value]')]
                 .filter(o => o.value).map(o => [o.value, o.dataset.hasData ?? null]));"#,
        )
        .await
        .unwrap();
    println!("picker: {marks}");
    for (id, expected) in [
        ("node-exporter", "true"),
        ("prometheus-health", "true"),
        ("service-health", "false"),
        ("victoriametrics", "false"),
    ] {
        assert_eq!(marks[id], expected, "{id} in {marks}");
    }

    // Prometheus's own health, from the picker.
    browser
        .choose(r#"[data-testid="dashboard-picker"]"#, "prometheus-health")
        .await
        .unwrap();
    browser
        .wait_for_text(r#"[data-testid="dashboard-title"]"#, "Prometheus health")
        .await
        .unwrap();
    let states = panels_without_errors(&browser, "Prometheus health on itself").await;
    assert!(
        states.iter().filter(|(_, state)| state == "ok").count() >= states.len() / 2,
        "{states:?}"
    );
    browser
        .save_screenshot(&artifacts.join("any-server-prometheus-health.png"))
        .await
        .unwrap();

    // A link that names a dashboard is shown as named, with no choosing.
    browser
        .client
        .goto(&format!(
            "{}?dashboard=service-health&datasource={}",
            site.url(),
            encode_uri_component(&base)
        ))
        .await
        .unwrap();
    browser
        .wait_for_text(r#"[data-testid="dashboard-title"]"#, "Service health")
        .await
        .unwrap();
    let reasons = browser
        .script(
            r#"return document.querySelectorAll('[data-testid="first-dashboard-reason"]').length;"#,
        )
        .await
        .unwrap();
    assert_eq!(reasons, serde_json::json!(0));

    // Back and forward between links to two servers, without a reload: the
    // marks follow the server the address names.
    let history_work = TempDir::new("foresight-e2e-any-server-history");
    let with_history = PrometheusFixture::start(&history_work.0, None, None, &artifacts).unwrap();
    let other = format!(
        "?dashboard=service-health&datasource={}",
        encode_uri_component(&with_history.base_url())
    );
    browser
        .script(&format!(
            "history.pushState(null, '', {other:?}); history.back();"
        ))
        .await
        .unwrap();
    wait_for_service_health_mark(&browser, "false", "back on the bare server").await;
    browser.script("history.forward();").await.unwrap();
    wait_for_service_health_mark(&browser, "true", "forward to the server with the history").await;
    browser.script("history.back();").await.unwrap();
    wait_for_service_health_mark(&browser, "false", "back to the bare server").await;
}

/// Waits until the picker marks Service health `has_data` ("true"/"false").
async fn wait_for_service_health_mark(browser: &BrowserSession, has_data: &str, when: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mark = browser
            .script(
                r#"const o = document.querySelector('[data-testid="dashboard-picker"] option[value="service-health"]');
                   return [location.search, o ? (o.dataset.hasData ?? null) : null];"#,
            )
            .await
            .unwrap();
        if mark[1] == has_data {
            println!("{when}: {mark}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{when}: Service health's mark is {mark}, not {has_data}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
