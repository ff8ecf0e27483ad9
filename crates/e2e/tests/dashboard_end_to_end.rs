//! The Service health dashboard against a real Prometheus with the generated
//! history: every KPI equals Prometheus's own answer, the incidents of the
//! history show where they should, links round-trip into a fresh browser, and
//! the app works when Prometheus itself serves it under `/user/`.

use e2e::browser_session::{BrowserSession, TempDir};
use e2e::prometheus_answers::{assert_close, instant_values, page_and_server_value, range_stats};
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::{artifacts_dir, dist_dir, start_sample_service};
use foresight_core::model::datasource::encode_uri_component;
use history_generator::{Incident, IncidentKind};
use std::time::Duration;

const SETTLE: Duration = Duration::from_secs(60);
const PANELS: [&str; 15] = [
    "error-rate",
    "requests-in-progress",
    "disk-full-warning",
    "about",
    "p95-latency",
    "request-rate-by-status",
    "traffic",
    "traffic-vs-last-week",
    "disk-free",
    "latency-heatmap",
    "slo-overview",
    "availability-budget",
    "search-burn-rates",
    "availability-burn-down",
    "search-burn-down",
];

fn panel(id: &str) -> String {
    format!(r#"[data-panel="{id}"]"#)
}

/// Waits until no panel is loading; returns each panel's state.
async fn settled_states(browser: &BrowserSession) -> Vec<(String, String)> {
    settled_states_of(browser, &PANELS).await
}

/// Waits until exactly `panels` are on the page and none is loading.
async fn settled_states_of(browser: &BrowserSession, panels: &[&str]) -> Vec<(String, String)> {
    let deadline = std::time::Instant::now() + SETTLE;
    loop {
        let states = browser
            .script(
                "return [...document.querySelectorAll('[data-panel]')]
                     .map(p => [p.dataset.panel, p.getAttribute('aria-busy') === 'true' ? 'loading' : p.dataset.state]);",
            )
            .await
            .unwrap();
        let states: Vec<(String, String)> = states
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap().to_string(),
                    pair[1].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected = states.len() == panels.len()
            && states.iter().all(|(id, _)| panels.contains(&id.as_str()));
        if expected && states.iter().all(|(_, state)| state != "loading") {
            return states;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "panels still loading: {states:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn state_of<'a>(states: &'a [(String, String)], id: &str) -> &'a str {
    &states
        .iter()
        .find(|(p, _)| p == id)
        .unwrap_or_else(|| panic!("no panel {id}"))
        .1
}

/// The page's current address (`location.href`) or query string (`location.search`).
async fn location(browser: &BrowserSession, part: &str) -> String {
    let value = browser
        .script(&format!("return location.{part};"))
        .await
        .unwrap();
    value.as_str().unwrap_or_default().to_string()
}

/// Waits until the page's query string contains `part`, and returns it.
async fn wait_for_location(browser: &BrowserSession, part: &str) -> String {
    let deadline = std::time::Instant::now() + SETTLE;
    loop {
        let search = location(browser, "search").await;
        if search.contains(part) {
            return search;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the link never contained {part}: {search}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The absolute range (epoch ms) the page's URL holds; fails if it is relative.
async fn absolute_range_in_url(browser: &BrowserSession) -> (i64, i64) {
    use foresight_core::query::time_range::TimeExpression::Absolute;
    let search = location(browser, "search").await;
    match foresight_core::model::url_state::ViewState::decode(&search).0 {
        foresight_core::model::url_state::ViewState {
            from: Some(Absolute { epoch_ms: from }),
            to: Some(Absolute { epoch_ms: to }),
            ..
        } => (from, to),
        _ => panic!("the URL holds no absolute range: {search}"),
    }
}

/// Asserts that the legend row `row` of `panel_id` flags a sample inside the
/// incident's window (or within ten minutes after it).
async fn assert_incident_flagged(
    browser: &BrowserSession,
    incident: &Incident,
    panel_id: &str,
    row: &str,
    direction: &str,
) {
    let flagged = browser
        .attribute(
            &format!(r#"{} tr[data-series="{row}"]"#, panel(panel_id)),
            "data-anomaly-times",
        )
        .await
        .unwrap();
    let flagged: Vec<f64> = flagged
        .split(',')
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().unwrap())
        .collect();
    println!(
        "{} [{}, {}] flagged on {panel_id} at {flagged:?}",
        incident.id, incident.start, incident.end
    );
    assert!(
        flagged
            .iter()
            .any(|&t| t >= incident.start as f64 && t <= incident.end as f64 + 600.0),
        "{} [{}, {}] is flagged on {panel_id}: {flagged:?}",
        incident.id,
        incident.start,
        incident.end
    );
    // The flagged points are grouped into incidents: one overlaps the manifest's
    // window, pointing the right way.
    let merged = browser
        .attribute(
            &format!(r#"{} tr[data-series="{row}"]"#, panel(panel_id)),
            "data-incidents",
        )
        .await
        .unwrap();
    println!(
        "{} as incidents (start,end,peak,direction): {merged}",
        incident.id
    );
    let overlapping = merged.split(';').filter(|m| !m.is_empty()).any(|m| {
        let parts: Vec<&str> = m.split(',').collect();
        let (start, end): (f64, f64) = (parts[0].parse().unwrap(), parts[1].parse().unwrap());
        let peak: f64 = parts[2].parse().unwrap();
        start <= incident.end as f64 + 600.0
            && end >= incident.start as f64
            && (start..=end).contains(&peak)
            && parts[3] == direction
    });
    assert!(
        overlapping,
        "{} is one {direction} incident on {panel_id}: {merged}",
        incident.id
    );
}

fn middle(incident: &Incident) -> i64 {
    (incident.start + incident.end) / 2
}

/// The dashboard URL for the six hours ending at `end_seconds`.
fn six_hours_before(site: &StaticFileServer, datasource: &str, end_seconds: i64) -> String {
    format!(
        "{}?datasource={datasource}&from={}&to={}",
        site.url(),
        (end_seconds - 6 * 3600) * 1000,
        end_seconds * 1000
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn service_health_dashboard_matches_prometheus_and_shows_the_incidents() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-dashboard");
    let (_service, service_address) =
        start_sample_service(&artifacts, "sample-service-dashboard").unwrap();
    let prometheus = PrometheusFixture::start(
        &work.0,
        Some(&service_address),
        Some(&dist_dir()),
        &artifacts,
    )
    .unwrap();
    let manifest = prometheus.manifest.clone();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let datasource = encode_uri_component(&prometheus.base_url());
    let browser = BrowserSession::start(&artifacts, "dashboard")
        .await
        .unwrap();
    browser.client.set_window_size(1400, 1800).await.unwrap();

    // 1. The last 7 days of history: every panel settles, none fails.
    let end_ms = manifest.end * 1000;
    let week = format!(
        "{}?datasource={datasource}&from={}&to={end_ms}",
        site.url(),
        end_ms - 7 * 86_400_000
    );
    browser.client.goto(&week).await.unwrap();
    let states = settled_states(&browser).await;
    browser
        .save_screenshot(&artifacts.join("dashboard-7d.png"))
        .await
        .unwrap();
    // A figure, not an assertion: navigation start to the last panel settled.
    let settled_ms = browser
        .script(
            "return Math.max(...performance.getEntriesByType('mark')
                 .filter(m => m.name.startsWith('foresight:panel-settled:')).map(m => m.startTime));",
        )
        .await
        .unwrap();
    println!(
        "time to all panels drawn (7-day range): {:.0} ms",
        settled_ms.as_f64().unwrap_or(f64::NAN)
    );
    for id in PANELS {
        let expected = if id == "disk-full-warning" {
            "nodata"
        } else {
            "ok"
        };
        assert_eq!(
            state_of(&states, id),
            expected,
            "{id}: {:?}",
            browser.text(&panel(id)).await
        );
    }
    assert_eq!(
        browser
            .text(&format!("{} .message", panel("disk-full-warning")))
            .await
            .unwrap(),
        "No disk predicted to fill"
    );

    // A figure, not an assertion: anomaly marks on the days of this view that
    // hold no planted incident (every mark there is a false alarm).
    let marks = browser
        .script(
            "return [...document.querySelectorAll('tr[data-anomaly-times]')]
                 .map(row => row.getAttribute('data-anomaly-times')).join(',');",
        )
        .await
        .unwrap();
    let marks: Vec<i64> = marks
        .as_str()
        .unwrap_or_default()
        .split(',')
        .filter_map(|t| t.parse::<f64>().ok())
        .map(|t| t as i64)
        .collect();
    let incident_days: Vec<i64> = manifest
        .incidents
        .iter()
        .flat_map(|i| (i.start / 86_400)..=(i.end / 86_400))
        .collect();
    let view_days: Vec<i64> = ((end_ms / 1000 - 7 * 86_400) / 86_400..=manifest.end / 86_400)
        .filter(|day| !incident_days.contains(day))
        .collect();
    let quiet_marks = marks
        .iter()
        .filter(|&&t| view_days.contains(&(t / 86_400)))
        .count();
    println!(
        "anomaly marks in the 7-day view: {} in all, {quiet_marks} on its {} days without a planted incident",
        marks.len(),
        view_days.len()
    );

    // 2. KPI values equal Prometheus's answer at the same evaluation time.
    for id in ["error-rate", "requests-in-progress"] {
        let (page, prometheus_value) =
            page_and_server_value(&browser, &prometheus.base_url(), id).await;
        assert_close(id, page, prometheus_value);
    }
    // Time series legends equal Prometheus's range answer.
    let query = browser
        .attribute(&panel("p95-latency"), "data-query")
        .await
        .unwrap();
    let (start, end, step) = (
        browser
            .attribute(&panel("p95-latency"), "data-start")
            .await
            .unwrap(),
        browser
            .attribute(&panel("p95-latency"), "data-end")
            .await
            .unwrap(),
        browser
            .attribute(&panel("p95-latency"), "data-step")
            .await
            .unwrap(),
    );
    let p50_query = query.lines().next().unwrap();
    let expected = range_stats(&prometheus.base_url(), p50_query, &start, &end, &step);
    let page_max: f64 = browser
        .attribute(
            &format!(r#"{} tr[data-series="p50"]"#, panel("p95-latency")),
            "data-max",
        )
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert_close("p50 max", page_max, expected.values().next().unwrap()[1]);

    // 3. Incidents show where the manifest says they are.
    let week_start = manifest.end - 7 * 86_400;
    let latency = manifest.incident(IncidentKind::LatencyRegression).unwrap();
    assert!(
        latency.start >= week_start,
        "the regression lies in this view"
    );
    let p95_max: f64 = browser
        .attribute(
            &format!(r#"{} tr[data-series="p95"]"#, panel("p95-latency")),
            "data-max",
        )
        .await
        .unwrap()
        .parse()
        .unwrap();
    let p95_mean: f64 = browser
        .attribute(
            &format!(r#"{} tr[data-series="p95"]"#, panel("p95-latency")),
            "data-mean",
        )
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        p95_max > 1.3 * p95_mean,
        "the p95 regression stands out: max {p95_max} mean {p95_mean}"
    );
    let drop = manifest.incident(IncidentKind::TrafficDrop).unwrap();
    assert!(
        drop.start >= week_start,
        "the traffic drop lies in this view"
    );
    let traffic_min: f64 = browser
        .attribute(
            &format!("{} tr[data-series]", panel("traffic-vs-last-week")),
            "data-min",
        )
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        traffic_min < -50.0,
        "the traffic drop is far below last week: {traffic_min}"
    );
    // The traffic panel's band is last week's curve: its centre at the last point
    // equals Prometheus's answer for the same query one week earlier.
    let traffic_row = format!(r#"{} tr[data-series="requests/s"]"#, panel("traffic"));
    let band_points: usize = browser
        .attribute(&traffic_row, "data-baseline-points")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        band_points > 100,
        "the week-ago band is drawn: {band_points} points"
    );
    let band_time: f64 = browser
        .attribute(&traffic_row, "data-baseline-last-time")
        .await
        .unwrap()
        .parse()
        .unwrap();
    let band_center: f64 = browser
        .attribute(&traffic_row, "data-baseline-last-center")
        .await
        .unwrap()
        .parse()
        .unwrap();
    let traffic_query = browser
        .attribute(&panel("traffic"), "data-query")
        .await
        .unwrap();
    let week_earlier = instant_values(
        &prometheus.base_url(),
        &traffic_query,
        &(band_time - 7.0 * 86_400.0).to_string(),
    );
    assert_eq!(week_earlier.len(), 1, "{week_earlier:?}");
    assert_close("week-ago band centre", band_center, week_earlier[0].1);
    // Backtest: the shipped HighErrorRate rule replayed over these 7 days pages
    // during the manifest's error spike.
    let spike = manifest.incident(IncidentKind::ErrorRateSpike).unwrap();
    let (pages, episodes) = browser.backtest("HighErrorRate").await.unwrap();
    assert!((1..=9).contains(&pages), "{pages} pages: {episodes:?}");
    println!("HighErrorRate backtest over 7 days: {episodes:?}");
    let during_spike = episodes.iter().any(|e| {
        e.firing_at.is_some_and(|firing| {
            firing >= spike.start as f64
                && firing <= spike.end as f64
                && e.resolved_at.is_none_or(|resolved| resolved >= firing)
        })
    });
    assert!(
        during_spike,
        "the backtest pages during the error spike [{}, {}]: {episodes:?}",
        spike.start, spike.end
    );
    // The episodes are shaded on the time-series panels: pending, then firing, in the spike.
    let shaded = browser
        .script(r#"return [...document.querySelectorAll('[data-panel="request-rate-by-status"] .alert-annotation')].map(a => a.dataset.state);"#)
        .await
        .unwrap();
    let states: Vec<&str> = shaded
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        states.contains(&"pending") && states.contains(&"firing"),
        "backtest annotations on the panel: {shaded}"
    );
    browser
        .click(r#"[data-action="hide-backtest"]"#)
        .await
        .unwrap();
    // What the analytics cost on this 7-day view, per panel (for the record).
    let analytics = browser
        .script("return [...document.querySelectorAll('[data-analytics-ms]')].map(c => [c.closest('[data-panel]').dataset.panel, +c.dataset.analyticsMs]);")
        .await
        .unwrap();
    println!("analytics time per panel on the 7-day view (ms): {analytics}");

    // The error spike: at its middle the error-rate stat is red and above 5 %.
    let spike = manifest.incident(IncidentKind::ErrorRateSpike).unwrap();
    let at_spike = six_hours_before(&site, &datasource, middle(spike));
    browser.client.goto(&at_spike).await.unwrap();
    settled_states(&browser).await;
    let (page, prometheus_value) =
        page_and_server_value(&browser, &prometheus.base_url(), "error-rate").await;
    assert_close("error rate during the spike", page, prometheus_value);
    assert!(
        page > 5.0,
        "error rate during the spike is above the red threshold: {page}"
    );
    let color = browser.script(r#"return getComputedStyle(document.querySelector('[data-panel="error-rate"] [data-value]')).color;"#).await.unwrap();
    assert_eq!(color, "rgb(255, 107, 107)", "red threshold colour");
    // … and well before it, it is green.
    let calm = six_hours_before(&site, &datasource, spike.start - 3 * 3600);
    browser.client.goto(&calm).await.unwrap();
    settled_states(&browser).await;
    let (page, _) = page_and_server_value(&browser, &prometheus.base_url(), "error-rate").await;
    assert!(
        page < 5.0,
        "outside the spike the error rate is normal: {page}"
    );

    // Anomalies: inside the spike the detector flags the 500s.
    browser.client.goto(&at_spike).await.unwrap();
    settled_states(&browser).await;
    // `incident_flags` asks Prometheus at the page's step for these views.
    let step = browser
        .attribute(&panel("request-rate-by-status"), "data-step")
        .await
        .unwrap();
    assert_eq!(
        step.parse::<f64>().ok(),
        Some(e2e::incident_flags::STEP),
        "{step}"
    );
    assert_incident_flagged(&browser, spike, "request-rate-by-status", "500", "up").await;
    // The latency regression and the traffic drop are flagged by their panels too.
    for (kind, panel_id, row, direction) in [
        (IncidentKind::LatencyRegression, "p95-latency", "p95", "up"),
        (
            IncidentKind::TrafficDrop,
            "traffic-vs-last-week",
            "change vs same time last week",
            "down",
        ),
        // Judged against last week's curve, the drop stands out on the raw rate too.
        (IncidentKind::TrafficDrop, "traffic", "requests/s", "down"),
    ] {
        let incident = manifest.incident(kind).unwrap();
        browser
            .client
            .goto(&six_hours_before(&site, &datasource, incident.end + 3600))
            .await
            .unwrap();
        settled_states(&browser).await;
        assert_incident_flagged(&browser, incident, panel_id, row, direction).await;
    }
    // … and a calm stretch is not flooded (counted for the record).
    browser.client.goto(&calm).await.unwrap();
    settled_states(&browser).await;
    let calm_flags = browser
        .script("return [...document.querySelectorAll('tr[data-anomalies]')].reduce((n, r) => n + +r.dataset.anomalies, 0);")
        .await
        .unwrap();
    println!("anomaly markers on a calm 6-hour view (all panels): {calm_flags}");

    // Overlay switches: the viewer picks a time-of-day band for the traffic
    // panel; the link records it, a reload keeps it, and nothing else re-queries.
    let traffic_row = format!(r#"{} tr[data-series="requests/s"]"#, panel("traffic"));
    // Range queries only: the shipped alert rule's and SLOs' evaluations
    // (instant queries every minute, on a clock of their own) are not the
    // overlay's doing; one landing between the two counts failed this test on
    // a slow run (5 more).
    let count_queries = "return performance.getEntriesByType('resource')
        .filter(e => e.name.includes('/api/v1/query_range'))
        .length;";
    let queries_before = browser
        .script(count_queries)
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    browser
        .choose(
            r#"[data-panel="traffic"] select[data-overlay="baseline"]"#,
            "seasonal",
        )
        .await
        .unwrap();
    let search =
        wait_for_location(&browser, "overlays-traffic=baseline%3Aseasonal%2Canomalies").await;
    settled_states(&browser).await;
    let seasonal_points: usize = browser
        .attribute(&traffic_row, "data-baseline-points")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        seasonal_points > 100,
        "time-of-day band drawn: {seasonal_points} points ({search})"
    );
    let queries_after = browser
        .script(count_queries)
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    assert_eq!(
        queries_after - queries_before,
        1,
        "switching one panel's band costs exactly its one extra query"
    );
    browser.client.refresh().await.unwrap();
    settled_states(&browser).await;
    let kept = browser
        .script(r#"return document.querySelector('[data-panel="traffic"] select[data-overlay="baseline"]').value;"#)
        .await
        .unwrap();
    assert_eq!(
        kept, "seasonal",
        "the link keeps the switch across a reload"
    );
    // Switching everything off through the link removes the band and the markers.
    let bare = format!("{calm}&overlays-traffic=none");
    browser.client.goto(&bare).await.unwrap();
    settled_states(&browser).await;
    for attribute in ["data-baseline-points", "data-anomalies"] {
        assert_eq!(
            browser.attribute(&traffic_row, attribute).await.unwrap(),
            "0",
            "{attribute}"
        );
    }
    // A damaged switch in a link is explained and the dashboard's own overlays are used.
    browser
        .client
        .goto(&format!("{calm}&overlays-traffic=sparkles"))
        .await
        .unwrap();
    settled_states(&browser).await;
    let problems = browser
        .text(r#"[data-testid="url-problems"]"#)
        .await
        .unwrap();
    assert!(
        problems.contains("\"sparkles\" is not an overlay"),
        "{problems}"
    );
    let own_points: usize = browser
        .attribute(&traffic_row, "data-baseline-points")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(own_points > 0, "the dashboard's week-ago band is back");

    // Mid-fill, the disk panel says when / will be full, close to the truth.
    let fill = manifest.incident(IncidentKind::DiskFill).unwrap();
    let mid_fill = fill.start + 5 * 3600;
    browser
        .client
        .goto(&six_hours_before(&site, &datasource, mid_fill))
        .await
        .unwrap();
    settled_states(&browser).await;
    let seconds: f64 = browser
        .attribute(
            &format!(
                r#"{} .crossing[data-series="app-1:9100 free"]"#,
                panel("disk-free")
            ),
            "data-seconds",
        )
        .await
        .unwrap()
        .parse()
        .unwrap();
    let free = instant_values(
        &prometheus.base_url(),
        r#"node_filesystem_free_bytes{instance="app-1:9100",mountpoint="/"}"#,
        &mid_fill.to_string(),
    );
    let truth = free[0].1 / (6.0 * 1024.0 * 1024.0 * 1024.0 / 3600.0);
    assert!(
        (seconds - truth).abs() < 0.15 * truth,
        "full in {seconds} s, the fill rate says {truth} s"
    );
    let sentence = browser
        .text(&format!(
            r#"{} .crossing[data-series="app-1:9100 free"]"#,
            panel("disk-free")
        ))
        .await
        .unwrap();
    assert!(
        sentence.starts_with("app-1:9100 free: full in ~"),
        "{sentence}"
    );
    println!("disk panel mid-fill: {sentence} (truth {:.0} s)", truth);
    browser
        .save_screenshot(&artifacts.join("dashboard-forecast-disk.png"))
        .await
        .unwrap();

    // The disk fill: during it the early warning fires with Prometheus's value.
    let filling = six_hours_before(&site, &datasource, fill.end - 3600);
    browser.client.goto(&filling).await.unwrap();
    let states = settled_states(&browser).await;
    assert_eq!(state_of(&states, "disk-full-warning"), "ok");
    let (page, prometheus_value) =
        page_and_server_value(&browser, &prometheus.base_url(), "disk-full-warning").await;
    assert_close("disk projection", page, prometheus_value);
    assert!(page < 0.0);
    browser
        .save_screenshot(&artifacts.join("dashboard-disk-fill.png"))
        .await
        .unwrap();

    // 4. Changing the range writes the URL; the link opens the same view in a fresh profile.
    browser.client.goto(&week).await.unwrap();
    settled_states(&browser).await;
    browser
        .choose(r#"[data-testid="quick-range"]"#, "now-24h")
        .await
        .unwrap();
    settled_states(&browser).await;
    let shared = location(&browser, "href").await;
    assert!(
        shared.contains("from=now-24h") && shared.contains("to=now"),
        "{shared}"
    );
    let label = browser.text(r#"[data-testid="time-range"]"#).await.unwrap();
    browser.client.back().await.unwrap();
    settled_states(&browser).await;
    assert!(
        location(&browser, "href")
            .await
            .contains(&format!("to={end_ms}")),
        "back restores the previous view"
    );
    let fresh = BrowserSession::start(&artifacts, "dashboard-fresh")
        .await
        .unwrap();
    fresh.client.goto(&shared).await.unwrap();
    let fresh_states = settled_states(&fresh).await;
    assert_eq!(
        fresh.text(r#"[data-testid="time-range"]"#).await.unwrap(),
        label
    );
    assert_eq!(fresh_states.len(), PANELS.len());
    fresh.client.close().await.unwrap();

    // 5. Interaction on the 7-day view: shared crosshair and tooltip, drag to zoom, zoom out.
    browser.client.goto(&week).await.unwrap();
    settled_states(&browser).await;
    let hover = browser
        .script(
            r#"const chart = document.querySelector('[data-panel="p95-latency"] .chart');
               const r = chart.getBoundingClientRect();
               chart.dispatchEvent(new MouseEvent('mousemove', {clientX: r.left + r.width / 2, clientY: r.top + 50, bubbles: true}));
               return 0;"#,
        )
        .await;
    hover.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let overlay = browser
        .script(
            r#"return [
                 document.querySelectorAll('[data-panel="p95-latency"] .crosshair').length,
                 document.querySelectorAll('[data-panel="request-rate-by-status"] .crosshair').length,
                 document.querySelectorAll('[data-panel="p95-latency"] .chart-tooltip .tooltip-row').length,
                 document.querySelectorAll('[data-panel="request-rate-by-status"] .chart-tooltip').length];"#,
        )
        .await
        .unwrap();
    assert_eq!(
        overlay,
        serde_json::json!([1, 1, 3, 0]),
        "crosshair on every time-series panel, tooltip only where the pointer is"
    );
    // Past "now" the tooltip reads the forecast: expected value and its 80 % band.
    let forecast_tooltip = browser
        .script(
            r#"const chart = document.querySelector('[data-panel="request-rate-by-status"] .chart');
               const r = chart.getBoundingClientRect();
               const plotLeft = r.left + 64, plotWidth = r.width - 64 - 12;
               chart.dispatchEvent(new MouseEvent('mousemove', {clientX: plotLeft + 0.95 * plotWidth, clientY: r.top + 50, bubbles: true}));
               return new Promise(done => setTimeout(() => done(chart.querySelector('.chart-tooltip')?.textContent ?? ''), 200));"#,
        )
        .await
        .unwrap();
    let forecast_tooltip = forecast_tooltip.as_str().unwrap_or_default();
    assert!(
        forecast_tooltip.contains("expected") && forecast_tooltip.contains("80 %"),
        "{forecast_tooltip}"
    );
    let before_start: f64 = browser
        .attribute(&panel("request-rate-by-status"), "data-start")
        .await
        .unwrap()
        .parse()
        .unwrap();
    let before_end: f64 = browser
        .attribute(&panel("request-rate-by-status"), "data-end")
        .await
        .unwrap()
        .parse()
        .unwrap();
    // The x axis may reach past the data (forecast): map the drag on the axis as drawn.
    let axis_end: f64 = browser
        .attribute(
            &format!("{} .chart", panel("request-rate-by-status")),
            "data-axis-end",
        )
        .await
        .unwrap()
        .parse()
        .unwrap();
    browser
        .script(
            r#"const chart = document.querySelector('[data-panel="request-rate-by-status"] .chart');
               const r = chart.getBoundingClientRect();
               const plotLeft = r.left + 64, plotWidth = r.width - 64 - 12;
               const at = f => ({clientX: plotLeft + f * plotWidth, clientY: r.top + 60, bubbles: true, button: 0});
               chart.dispatchEvent(new MouseEvent('mousedown', at(0.25)));
               chart.dispatchEvent(new MouseEvent('mousemove', at(0.5)));
               chart.dispatchEvent(new MouseEvent('mouseup', at(0.5)));
               return 0;"#,
        )
        .await
        .unwrap();
    settled_states(&browser).await;
    let (from, to) = absolute_range_in_url(&browser).await;
    assert!(
        axis_end > before_end,
        "the forecast extends the axis past the data: {axis_end} vs {before_end}"
    );
    let span = axis_end - before_start;
    let expected_from = before_start + 0.25 * span;
    let expected_to = before_start + 0.5 * span;
    assert!(
        ((from as f64 / 1000.0) - expected_from).abs() < span * 0.01,
        "zoom start {from} vs {expected_from}"
    );
    assert!(
        ((to as f64 / 1000.0) - expected_to).abs() < span * 0.01,
        "zoom end {to} vs {expected_to}"
    );
    browser
        .client
        .find(fantoccini::Locator::Css(r#"[data-testid="zoom-out"]"#))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    settled_states(&browser).await;
    let (out_from, out_to) = absolute_range_in_url(&browser).await;
    assert_eq!(
        out_to - out_from,
        2 * (to - from),
        "zoom out doubles the range"
    );
    // A typed absolute range, in the browser's local time.
    let typed = browser
        .script(
            r#"const [from, to] = document.querySelectorAll('.custom-range input');
               const type = (input, text) => { input.value = text; input.dispatchEvent(new Event('input')); };
               type(from, '2026-11-20 10:00'); type(to, '2026-11-20 16:30:15');
               document.querySelector('.custom-range button').click();
               return [new Date('2026-11-20T10:00:00').getTime(), new Date('2026-11-20T16:30:15').getTime()];"#,
        )
        .await
        .unwrap();
    settled_states(&browser).await;
    let search = location(&browser, "search").await;
    assert!(
        search.contains(&format!("from={}", typed[0]))
            && search.contains(&format!("to={}", typed[1])),
        "{search} vs {typed}"
    );
    // The stacked style draws on request.
    browser
        .choose(
            r#"[data-panel="request-rate-by-status"] .style-picker"#,
            "stacked",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        browser
            .attribute(&panel("request-rate-by-status"), "data-state")
            .await
            .unwrap(),
        "ok"
    );
    browser
        .save_screenshot(&artifacts.join("dashboard-zoomed-stacked.png"))
        .await
        .unwrap();

    // 6. The second shipped dashboard, through the picker: table and bar gauge equal Prometheus.
    browser.client.goto(&week).await.unwrap();
    settled_states(&browser).await;
    browser
        .choose(r#"[data-testid="dashboard-picker"]"#, "instances")
        .await
        .unwrap();
    let instances = [
        "requests-per-instance",
        "error-ratio-by-endpoint",
        "latency-quantile-by-endpoint",
        "requests-by-instance",
    ];
    let states = settled_states_of(&browser, &instances).await;
    assert!(states.iter().all(|(_, state)| state == "ok"), "{states:?}");
    assert_eq!(
        browser
            .text(r#"[data-testid="dashboard-title"]"#)
            .await
            .unwrap(),
        "Instances and endpoints"
    );
    let query = browser
        .attribute(&panel("requests-per-instance"), "data-query")
        .await
        .unwrap();
    assert!(
        query.contains(r#"instance=~"(app\-1:8000|app\-2:8000"#) || query.contains("instance=~\"("),
        "All expands to the escaped instances: {query}"
    );
    let end = browser
        .attribute(&panel("requests-per-instance"), "data-evaluated-at")
        .await
        .unwrap();
    let expected = instant_values(&prometheus.base_url(), &query, &end);
    let rows = browser
        .script(r#"return [...document.querySelectorAll('[data-panel="requests-per-instance"] tr[data-value]')].map(r => [r.cells[0].textContent, +r.dataset.value]);"#)
        .await
        .unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), expected.len(), "{rows:?} vs {expected:?}");
    for (labels, value) in &expected {
        let row = rows
            .iter()
            .find(|r| r[0] == labels["instance"].as_str())
            .unwrap_or_else(|| panic!("no row for {labels:?}"));
        assert_close(&labels["instance"], row[1].as_f64().unwrap(), *value);
    }
    let query = browser
        .attribute(&panel("error-ratio-by-endpoint"), "data-query")
        .await
        .unwrap();
    let end = browser
        .attribute(&panel("error-ratio-by-endpoint"), "data-evaluated-at")
        .await
        .unwrap();
    for (labels, value) in instant_values(&prometheus.base_url(), &query, &end) {
        let css = format!(
            r#"{} [data-series="{}"]"#,
            panel("error-ratio-by-endpoint"),
            labels["endpoint"]
        );
        let page: f64 = browser
            .attribute(&css, "data-value")
            .await
            .unwrap()
            .parse()
            .unwrap();
        assert_close(&labels["endpoint"], page, value);
    }
    // Narrowing the instance variable narrows every query.
    let one_instance = format!(
        "{}&var-instance=app-1%3A8000",
        location(&browser, "href").await
    );
    browser.client.goto(&one_instance).await.unwrap();
    settled_states_of(&browser, &instances).await;
    let rows = browser.script(r#"return document.querySelectorAll('[data-panel="requests-per-instance"] tr[data-value]').length;"#).await.unwrap();
    assert_eq!(rows, 1);
    browser
        .save_screenshot(&artifacts.join("dashboard-instances.png"))
        .await
        .unwrap();

    // 7. Auto-refresh on live data: the window moves on, the drawing stays up meanwhile.
    let live = format!(
        "{}?datasource={datasource}&from=now-15m&to=now&refresh=5s",
        site.url()
    );
    browser.client.goto(&live).await.unwrap();
    settled_states(&browser).await;
    let first_end: f64 = browser
        .attribute(&panel("request-rate-by-status"), "data-end")
        .await
        .unwrap()
        .parse()
        .unwrap();
    let mut seen_states = std::collections::BTreeSet::new();
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        seen_states.insert(
            browser
                .attribute(&panel("request-rate-by-status"), "data-state")
                .await
                .unwrap(),
        );
    }
    let later_end: f64 = browser
        .attribute(&panel("request-rate-by-status"), "data-end")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        later_end > first_end,
        "auto-refresh moved the window: {first_end} -> {later_end}"
    );
    assert_eq!(
        seen_states.into_iter().collect::<Vec<_>>(),
        vec!["ok".to_string()],
        "no flash of loading"
    );
    // Each refresh asked only for the new tail of each range query (from the last
    // point already held), not the whole window again...
    let range_requests = browser
        .script(
            "return performance.getEntriesByType('resource')
                .filter(e => e.name.includes('/api/v1/query_range'))
                .map(e => { const u = new URL(e.name); return [+u.searchParams.get('start'), +u.searchParams.get('end'), +u.searchParams.get('step'), e.encodedBodySize]; });",
        )
        .await
        .unwrap();
    let spans: Vec<(f64, f64, f64, f64)> = serde_json::from_value(range_requests).unwrap();
    let (full, tails): (Vec<_>, Vec<_>) = spans
        .iter()
        .partition(|(start, end, _, _)| end - start > 600.0);
    assert!(!tails.is_empty(), "refreshes fetched tails: {spans:?}");
    assert!(
        tails
            .iter()
            .all(|(start, end, step, _)| end - start <= 10.0 * step),
        "a tail spans a few steps: {tails:?}"
    );
    let bytes = |list: &[(f64, f64, f64, f64)]| list.iter().map(|r| r.3).sum::<f64>();
    println!(
        "auto-refresh: {} full range queries ({:.0} bytes), {} tails ({:.0} bytes)",
        full.len(),
        bytes(&full),
        tails.len(),
        bytes(&tails)
    );
    // ...and the merged series are what Prometheus answers for the whole window.
    let (query, start, end, step) = (
        browser
            .attribute(&panel("request-rate-by-status"), "data-query")
            .await
            .unwrap(),
        browser
            .attribute(&panel("request-rate-by-status"), "data-start")
            .await
            .unwrap(),
        browser
            .attribute(&panel("request-rate-by-status"), "data-end")
            .await
            .unwrap(),
        browser
            .attribute(&panel("request-rate-by-status"), "data-step")
            .await
            .unwrap(),
    );
    let expected = range_stats(&prometheus.base_url(), &query, &start, &end, &step);
    let page_max: f64 = browser
        .attribute(
            &format!(
                r#"{} tr[data-series="200"]"#,
                panel("request-rate-by-status")
            ),
            "data-max",
        )
        .await
        .unwrap()
        .parse()
        .unwrap();
    let ok_series = expected
        .iter()
        .find(|(labels, _)| labels.get("status_code").map(String::as_str) == Some("200"))
        .map(|(_, stats)| stats)
        .expect("Prometheus has status 200");
    assert_close("refreshed 200 max", page_max, ok_series[1]);

    // 8. A dashboard carried in the link: a broken query fails alone, with Prometheus's words.
    let inline = foresight_core::model::dashboard::Dashboard::from_json(
        r#"{"schemaVersion": 1, "id": "adhoc", "title": "Ad hoc",
            "panels": [
              {"id": "broken", "title": "Broken", "type": "timeseries", "targets": [{"expr": "sum(rate(http_requests_total[5m]"}]},
              {"id": "fine", "title": "Fine", "type": "stat", "targets": [{"expr": "count(http_requests_total)"}]}],
            "layout": [{"panel": "broken", "x": 0, "y": 0, "w": 12, "h": 6}, {"panel": "fine", "x": 12, "y": 0, "w": 12, "h": 6}]}"#,
    )
    .unwrap();
    let state = foresight_core::model::url_state::ViewState {
        dashboard: foresight_core::model::url_state::DashboardRef::Inline(
            foresight_core::model::inline_dashboard::encode_inline_dashboard(&inline),
        ),
        datasource: Some(
            foresight_core::model::datasource::Datasource::parse(&prometheus.base_url()).unwrap(),
        ),
        ..Default::default()
    };
    let fresh = BrowserSession::start(&artifacts, "dashboard-inline")
        .await
        .unwrap();
    fresh
        .client
        .goto(&format!("{}{}", site.url(), state.encode()))
        .await
        .unwrap();
    let states = settled_states_of(&fresh, &["broken", "fine"]).await;
    assert_eq!(
        states,
        vec![
            ("broken".to_string(), "error".to_string()),
            ("fine".to_string(), "ok".to_string())
        ]
    );
    let message = fresh
        .text(&format!("{} .message", panel("broken")))
        .await
        .unwrap();
    assert!(
        message.contains("Prometheus refused the query (bad_data)")
            && message.contains("parse error"),
        "{message}"
    );
    assert_eq!(
        fresh
            .text(r#"[data-testid="dashboard-title"]"#)
            .await
            .unwrap(),
        "Ad hoc"
    );
    fresh.client.close().await.unwrap();

    // 9. Served by Prometheus itself under /user/: same-origin datasource, no parameter needed.
    browser
        .client
        .goto(&format!("{}/user/", prometheus.base_url()))
        .await
        .unwrap();
    let states = settled_states(&browser).await;
    assert_eq!(
        browser
            .text(r#"[data-testid="datasource-url"]"#)
            .await
            .unwrap(),
        prometheus.base_url()
    );
    assert_eq!(state_of(&states, "request-rate-by-status"), "ok");
    browser
        .save_screenshot(&artifacts.join("dashboard-served-by-prometheus.png"))
        .await
        .unwrap();
    browser.client.close().await.unwrap();
}
