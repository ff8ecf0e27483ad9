//! Browser benchmarks, printed as tables (never part of the tests' pass/fail):
//!
//! - `chart`: Foresight's chart drawing against uPlot in the same headless
//!   Chromium, on the same data and canvas size, at device pixel ratio 1 and 2:
//!   the first draw of a new chart and a redraw after a range change.
//! - `size`: the release build's wasm, JS and CSS, raw, gzip and brotli, against
//!   the budget.
//! - `dashboard`: time to dashboard (navigation start → every panel settled) for
//!   the default dashboard and a 30-panel one over 7 days of generated history,
//!   split into wasm start, queries, server time, parse, analytics and draw.
//! - `refresh`: requests, bytes and work per auto-refresh against a full load.
//! - `soak`: the default dashboard at 5 s refresh for `--soak-minutes` (10):
//!   JS heap and wasm memory over time, errors.
//! - `related`: "What else moved?" on the planted error incident, on the
//!   default dashboard and on one with 3,000 more series (six panels of 500,
//!   and the same metric found again by discovery): time to first and last
//!   answer, queries, and how responsive the page stays meanwhile (long
//!   tasks, the longest gap between frames, timer lateness).
//!
//! Run through `scripts/benchmark-browser.sh`, which builds what is measured.

use e2e::browser_session::BrowserSession;
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::model::inline_dashboard::encode_inline_dashboard;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Total gzip size the full app must stay within (wasm + JS + CSS).
const BUDGET_GZIP_BYTES: u64 = 500 * 1024;

struct Options {
    app_dist: PathBuf,
    bench_dist: PathBuf,
    uplot_dir: PathBuf,
    repeats: usize,
    soak_minutes: u64,
    /// `full` (default), `panels` (alert rules removed), `panels-fast` (the
    /// same, refreshed every second) or `alerts` (no auto-refresh).
    soak_variant: String,
    /// Only these panels of the default dashboard in the soak (to bisect growth).
    soak_panels: Vec<String>,
    /// Added to the soak's URL (e.g. `&overlays-traffic=none`).
    soak_query: String,
    only: Option<String>,
    /// Every part once at its smallest (what the tests run so no part can rot
    /// unseen): one repeat, the smallest chart, two refreshes, a one-minute soak.
    quick: bool,
}

fn parse_options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut options = Options {
        app_dist: PathBuf::from("dist"),
        bench_dist: PathBuf::from("target/bench-dist"),
        uplot_dir: PathBuf::from(".tools/bench/node_modules/uplot/dist"),
        repeats: 9,
        soak_minutes: 10,
        soak_variant: "full".into(),
        soak_panels: Vec::new(),
        soak_query: String::new(),
        only: None,
        quick: false,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--app" => options.app_dist = value()?.into(),
            "--bench" => options.bench_dist = value()?.into(),
            "--uplot" => options.uplot_dir = value()?.into(),
            "--repeats" => {
                options.repeats = value()?.parse().map_err(|_| "--repeats takes a number")?
            }
            "--soak-minutes" => {
                options.soak_minutes = value()?
                    .parse()
                    .map_err(|_| "--soak-minutes takes a number")?
            }
            "--soak-variant" => options.soak_variant = value()?,
            "--soak-query" => options.soak_query = value()?,
            "--soak-panels" => {
                options.soak_panels = value()?.split(',').map(str::to_string).collect()
            }
            "--quick" => {
                options.quick = true;
                options.repeats = 1;
                options.soak_minutes = 1;
            }
            "chart" | "size" | "dashboard" | "refresh" | "soak" | "related" => {
                options.only = Some(arg)
            }
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: browser-benchmarks [chart|size|dashboard|refresh|soak|related] [--quick] [--repeats N] [--soak-minutes M] [--soak-variant full|panels|panels-fast|alerts] [--soak-panels ID,ID] [--soak-query &k=v] [--app DIR] [--bench DIR] [--uplot DIR]"
                ))
            }
        }
    }
    Ok(options)
}

fn copy_file(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {}: {e}", from.display()))
}

/// Copies every file under `from` (folders included, e.g. the build's
/// `snippets/`) to `to`: the benchmark page is the whole build, not a list of
/// files that can fall behind it.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in
        std::fs::read_dir(from).map_err(|e| format!("{}: {e} (build it first)", from.display()))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            copy_file(&path, &target)?;
        }
    }
    Ok(())
}

/// The benchmark page: the bench build as it is, plus uPlot and the harness.
fn prepare_site(options: &Options, site: &Path) -> Result<(), String> {
    copy_tree(&options.bench_dist, site)?;
    for file in ["uPlot.iife.min.js", "uPlot.min.css"] {
        copy_file(&options.uplot_dir.join(file), &site.join(file))?;
    }
    let harness = e2e::workspace_root().join("bench/chart-benchmark.js");
    copy_file(&harness, &site.join("chart-benchmark.js"))?;
    let index = std::fs::read_to_string(site.join("index.html")).map_err(|e| e.to_string())?;
    let page = index.replace(
        "</head>",
        "<link rel=\"stylesheet\" href=\"./uPlot.min.css\"><script src=\"./uPlot.iife.min.js\"></script><script src=\"./chart-benchmark.js\"></script></head>",
    );
    std::fs::write(site.join("chart-benchmark.html"), page).map_err(|e| e.to_string())
}

fn median_and_spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    (median, values[0], values[n - 1])
}

async fn chart_benchmark(options: &Options) -> Result<(), String> {
    let site_dir =
        std::env::temp_dir().join(format!("foresight-chart-bench-{}", std::process::id()));
    prepare_site(options, &site_dir)?;
    let site = StaticFileServer::start(&site_dir)?;
    let logs = e2e::artifacts_dir();
    let cases = if options.quick {
        json!([{"points": 10_000, "series": 1}])
    } else {
        json!([
            {"points": 10_000, "series": 1},
            {"points": 100_000, "series": 1},
            {"points": 1_000_000, "series": 1},
            {"points": 100_000, "series": 10},
        ])
    };
    println!("\nChart drawing, Foresight vs uPlot (1200×400 CSS px, same data, same Chromium; median of {} runs, min–max in brackets, ms)", options.repeats);
    println!("| points | series | DPR | Foresight first draw | uPlot first draw | ratio | Foresight redraw | uPlot redraw | ratio |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for ratio in [1, 2] {
        let flag = format!("--force-device-scale-factor={ratio}");
        let browser =
            BrowserSession::start_with_args(&logs, &format!("chart-bench-dpr{ratio}"), &[&flag])
                .await?;
        browser
            .client
            .goto(&format!(
                "{}/chart-benchmark.html?chart-benchmark",
                site.url()
            ))
            .await
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while browser
            .script("return !!(window.wasmBindings && window.uPlot && window.runChartBenchmark);")
            .await?
            != Value::Bool(true)
        {
            if Instant::now() > deadline {
                return Err("the benchmark page never loaded (see the Chromium log)".into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let results = browser
            .client
            .execute(
                "return await window.runChartBenchmark(arguments[0], arguments[1]);",
                vec![cases.clone(), json!(options.repeats)],
            )
            .await
            .map_err(|e| format!("the benchmark failed in the page: {e}"))?;
        for case in results.as_array().ok_or("no results")? {
            let runs = |which: &str, index: usize| -> Vec<f64> {
                case["runs"][which]
                    .as_array()
                    .map(|runs| runs.iter().filter_map(|r| r[index].as_f64()).collect())
                    .unwrap_or_default()
            };
            let cell = |values: Vec<f64>| {
                let (median, low, high) = median_and_spread(values);
                (median, format!("{median:.1} [{low:.1}–{high:.1}]"))
            };
            let (f_cold, f_cold_text) = cell(runs("foresight", 0));
            let (u_cold, u_cold_text) = cell(runs("uplot", 0));
            let (f_redraw, f_redraw_text) = cell(runs("foresight", 1));
            let (u_redraw, u_redraw_text) = cell(runs("uplot", 1));
            println!(
                "| {} | {} | {} | {f_cold_text} | {u_cold_text} | {:.2} | {f_redraw_text} | {u_redraw_text} | {:.2} |",
                case["points"],
                case["series"],
                case["devicePixelRatio"],
                f_cold / u_cold,
                f_redraw / u_redraw
            );
        }
    }
    let _ = std::fs::remove_dir_all(&site_dir);
    Ok(())
}

fn compressed_size(program: &str, args: &[&str], file: &Path) -> Option<u64> {
    let output = Command::new(program).args(args).arg(file).output().ok()?;
    output
        .status
        .success()
        .then_some(output.stdout.len() as u64)
}

fn size_report(options: &Options) -> Result<(), String> {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    // The app's own files: the top level and snippets/ (public/ holds dashboards and the icon).
    let mut directories = vec![options.app_dist.clone()];
    while let Some(directory) = directories.pop() {
        for entry in std::fs::read_dir(&directory)
            .map_err(|e| format!("{}: {e} (build it first)", directory.display()))?
        {
            let path = entry.map_err(|e| e.to_string())?.path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                if name != "public" {
                    directories.push(path);
                }
                continue;
            }
            let kind = if name.ends_with(".wasm") {
                "wasm"
            } else if name.ends_with(".js") && directory != options.app_dist {
                "JS snippet"
            } else if name.ends_with(".js") {
                "JS glue"
            } else if name.ends_with(".css") {
                "CSS"
            } else {
                continue;
            };
            files.push((kind.to_string(), path));
        }
    }
    // The page's one script of its own, loaded before the app (public/ is
    // otherwise dashboards and icons, not code).
    let guard = options.app_dist.join("public/crash-guard.js");
    if guard.exists() {
        files.push(("JS crash guard".to_string(), guard));
    }
    files.sort();
    println!(
        "\nApp size (release build in {}; gzip -9, brotli -q 11)",
        options.app_dist.display()
    );
    println!("| file | raw | gzip | brotli |");
    println!("|---|---:|---:|---:|");
    let kb = |bytes: u64| format!("{:.1} KB", bytes as f64 / 1024.0);
    let (mut raw_total, mut gzip_total, mut brotli_total) = (0, 0, Some(0));
    for (kind, path) in &files {
        let raw = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
        let gzip = compressed_size("gzip", &["-9", "-c"], path).ok_or("gzip is missing")?;
        let brotli = compressed_size("brotli", &["-q", "11", "-c"], path);
        raw_total += raw;
        gzip_total += gzip;
        brotli_total = brotli_total.zip(brotli).map(|(a, b)| a + b);
        println!(
            "| {kind} | {} | {} | {} |",
            kb(raw),
            kb(gzip),
            brotli.map_or("brotli not installed".into(), kb)
        );
    }
    println!(
        "| **total** | {} | {} | {} |",
        kb(raw_total),
        kb(gzip_total),
        brotli_total.map_or("—".into(), kb)
    );
    let verdict = if gzip_total <= BUDGET_GZIP_BYTES {
        format!(
            "within the budget of {} gzip ({} to spare)",
            kb(BUDGET_GZIP_BYTES),
            kb(BUDGET_GZIP_BYTES - gzip_total)
        )
    } else {
        format!(
            "OVER the budget of {} gzip by {}",
            kb(BUDGET_GZIP_BYTES),
            kb(gzip_total - BUDGET_GZIP_BYTES)
        )
    };
    println!("Budget: {verdict}");
    Ok(())
}

/// The page's counters and timings once every panel has settled.
const LOAD_REPORT: &str = r#"
const panels = [...document.querySelectorAll('[data-panel]')];
if (panels.length === 0) return null;
const states = panels.map(p => p.getAttribute('aria-busy') === 'true' ? 'loading' : p.dataset.state);
const settled = panels.map(p => performance.getEntriesByName('foresight:panel-settled:' + p.dataset.panel)[0]);
if (states.includes('loading') || settled.some(m => !m)) return null;
const api = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/'));
const start = performance.getEntriesByName('foresight:start')[0];
const stats = window.foresightStats || {};
return {
  panels: panels.length,
  ok: states.filter(s => s === 'ok' || s === 'nodata').length,
  totalMs: Math.max(...settled.map(m => m.startTime)),
  wasmStartMs: start ? start.startTime : null,
  queries: api.length,
  queryBytes: api.reduce((n, e) => n + e.encodedBodySize, 0),
  serverMsMax: Math.max(0, ...api.map(e => e.responseStart - e.requestStart)),
  serverMsSum: api.reduce((n, e) => n + (e.responseStart - e.requestStart), 0),
  firstQueryMs: api.length ? Math.min(...api.map(e => e.startTime)) : null,
  lastAnswerMs: api.length ? Math.max(...api.map(e => e.responseEnd)) : null,
  parseMs: stats.parseMs || 0, analyticsMs: stats.analyticsMs || 0, drawMs: stats.drawMs || 0,
  sharedRequests: stats.sharedRequests || 0,
};"#;

async fn wait_for_load(browser: &BrowserSession) -> Result<Value, String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let report = browser.script(LOAD_REPORT).await?;
        if !report.is_null() {
            return Ok(report);
        }
        if Instant::now() > deadline {
            return Err("the dashboard never settled".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The shipped default dashboard, tripled to 30 panels (stacked copies whose
/// queries differ in text, so each is its own request).
fn thirty_panels(dashboard: &Dashboard) -> Dashboard {
    let mut big = dashboard.clone();
    big.id = "thirty-panels".into();
    big.title = "Thirty panels".into();
    big.alerts.clear();
    let height = dashboard
        .layout
        .iter()
        .map(|p| p.y + p.h)
        .max()
        .unwrap_or(0);
    for copy in 1..3 {
        for panel in &dashboard.panels {
            let mut extra = panel.clone();
            extra.id = format!("{}-{copy}", panel.id);
            // Distinct queries (same values), so copies are not shared requests.
            for target in &mut extra.targets {
                target.expr = format!("({}) * {copy} / {copy}", target.expr);
            }
            big.panels.push(extra);
        }
        for position in &dashboard.layout {
            let mut extra = position.clone();
            extra.panel = format!("{}-{copy}", position.panel);
            extra.y += height * copy;
            big.layout.push(extra);
        }
    }
    big
}

struct LiveSetup {
    _service: e2e::managed_process::ManagedProcess,
    _work: e2e::browser_session::TempDir,
    prometheus: PrometheusFixture,
}

/// A real Prometheus with the generated week of history, scraping the live
/// sample service, and serving the app itself under `/user/` (same origin, so
/// the browser's resource timings include server time and sizes).
fn live_setup(options: &Options) -> Result<LiveSetup, String> {
    let logs = e2e::artifacts_dir();
    let work = e2e::browser_session::TempDir::new("foresight-bench");
    let (service, address) = e2e::start_sample_service(&logs, "sample-service-bench")?;
    let prometheus =
        PrometheusFixture::start(&work.0, Some(&address), Some(&options.app_dist), &logs)?;
    Ok(LiveSetup {
        _service: service,
        _work: work,
        prometheus,
    })
}

fn shipped_dashboard() -> Dashboard {
    Dashboard::from_json(
        &std::fs::read_to_string(
            e2e::workspace_root().join("public/dashboards/service-health.json"),
        )
        .expect("the shipped dashboard"),
    )
    .expect("the shipped dashboard loads")
}

async fn dashboard_benchmark(options: &Options, setup: &LiveSetup) -> Result<(), String> {
    let base = setup.prometheus.base_url();
    let end_ms = setup.prometheus.manifest.end * 1000;
    let week = 7 * 86_400_000;
    let datasource = encode_uri_component(&base);
    let big = encode_inline_dashboard(&thirty_panels(&shipped_dashboard()));
    let views = [
        (
            "default dashboard (10 panels)",
            format!(
                "{base}/user/index.html?datasource={datasource}&from={}&to={end_ms}",
                end_ms - week
            ),
        ),
        (
            "30 panels",
            format!(
                "{base}/user/index.html?inline={big}&datasource={datasource}&from={}&to={end_ms}",
                end_ms - week
            ),
        ),
    ];
    println!("\nTime to dashboard: navigation start → every panel settled, 7-day range, real Prometheus with the generated history, app served by Prometheus (median of {} loads, min–max)", options.repeats);
    println!("| dashboard | total | wasm started | queries (count, KB) | server time max / sum | parse | analytics | draw | panels ok |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let browser = BrowserSession::start(&e2e::artifacts_dir(), "dashboard-bench").await?;
    for (name, url) in &views {
        let mut reports = Vec::new();
        for _ in 0..options.repeats {
            browser
                .client
                .goto("about:blank")
                .await
                .map_err(|e| e.to_string())?;
            browser.client.goto(url).await.map_err(|e| e.to_string())?;
            reports.push(wait_for_load(&browser).await?);
        }
        let column = |key: &str| -> String {
            let values: Vec<f64> = reports.iter().filter_map(|r| r[key].as_f64()).collect();
            if values.is_empty() {
                return "—".into();
            }
            let (median, low, high) = median_and_spread(values);
            format!("{median:.0} ms [{low:.0}–{high:.0}]")
        };
        let last = reports.last().unwrap();
        println!(
            "| {name} | {} | {} | {}, {:.0} KB | {:.0} / {:.0} ms | {} | {} | {} | {}/{} |",
            column("totalMs"),
            column("wasmStartMs"),
            last["queries"],
            last["queryBytes"].as_f64().unwrap_or(0.0) / 1024.0,
            last["serverMsMax"].as_f64().unwrap_or(0.0),
            last["serverMsSum"].as_f64().unwrap_or(0.0),
            column("parseMs"),
            column("analyticsMs"),
            column("drawMs"),
            last["ok"],
            last["panels"],
        );
    }
    Ok(())
}

const COUNTERS: &str = "const s = window.foresightStats || {}; return {requests: s.requests || 0, bytes: s.bytes || 0, shared: s.sharedRequests || 0, cpuMs: (s.parseMs || 0) + (s.analyticsMs || 0) + (s.drawMs || 0)};";

async fn refresh_benchmark(setup: &LiveSetup, refreshes: u64) -> Result<(), String> {
    let base = setup.prometheus.base_url();
    // The default dashboard without its alert rule, so only panel queries count.
    let mut dashboard = shipped_dashboard();
    dashboard.alerts.clear();
    let url = format!(
        "{base}/user/index.html?inline={}&datasource={}&from=now-1h&to=now&refresh=5s",
        encode_inline_dashboard(&dashboard),
        encode_uri_component(&base)
    );
    let browser = BrowserSession::start(&e2e::artifacts_dir(), "refresh-bench").await?;
    browser.client.goto(&url).await.map_err(|e| e.to_string())?;
    wait_for_load(&browser).await?;
    let full = browser.script(COUNTERS).await?;
    tokio::time::sleep(Duration::from_secs(5 * refreshes)).await;
    let after = browser.script(COUNTERS).await?;
    let per = |key: &str| {
        (after[key].as_f64().unwrap_or(0.0) - full[key].as_f64().unwrap_or(0.0)) / refreshes as f64
    };
    println!("\nRefresh cost: default dashboard (alerts off), last hour, 5 s auto-refresh on live data; {refreshes} refreshes");
    println!("| | requests | KB received | parse + analytics + draw |");
    println!("|---|---:|---:|---:|");
    println!(
        "| full load | {} | {:.1} | {:.1} ms |",
        full["requests"],
        full["bytes"].as_f64().unwrap_or(0.0) / 1024.0,
        full["cpuMs"].as_f64().unwrap_or(0.0)
    );
    println!(
        "| per refresh | {:.1} | {:.1} | {:.1} ms |",
        per("requests"),
        per("bytes") / 1024.0,
        per("cpuMs")
    );
    println!("(identical requests shared in flight: {})", after["shared"]);
    Ok(())
}

const MEMORY: &str = "return {heap: performance.memory ? performance.memory.usedJSHeapSize : null, wasm: window.foresightWasm ? window.foresightWasm.memory.buffer.byteLength : null, errors: (window.foresightErrors || []).length, failedPanels: document.querySelectorAll('[data-panel][data-state=\"error\"]').length};";

async fn soak_benchmark(
    setup: &LiveSetup,
    minutes: u64,
    variant: &str,
    panels: &[String],
    extra_query: &str,
) -> Result<(), String> {
    let base = setup.prometheus.base_url();
    let mut dashboard = shipped_dashboard();
    if !panels.is_empty() {
        dashboard.panels.retain(|p| panels.contains(&p.id));
        dashboard.layout.retain(|p| panels.contains(&p.panel));
    }
    let refresh = match variant {
        "full" => "5s",
        "panels" => {
            dashboard.alerts.clear();
            "5s"
        }
        "alerts" => "off",
        // Five times the refreshes per minute: growth per refresh shows sooner.
        "panels-fast" => {
            dashboard.alerts.clear();
            "1s"
        }
        other => {
            return Err(format!(
                "--soak-variant {other:?}: full, panels, panels-fast or alerts"
            ))
        }
    };
    let url = format!(
        "{base}/user/index.html?inline={}&datasource={}&from=now-1h&to=now&refresh={refresh}{extra_query}",
        encode_inline_dashboard(&dashboard),
        encode_uri_component(&base)
    );
    let browser = BrowserSession::start_with_args(
        &e2e::artifacts_dir(),
        "soak-bench",
        &["--enable-precise-memory-info", "--js-flags=--expose-gc"],
    )
    .await?;
    browser.client.goto(&url).await.map_err(|e| e.to_string())?;
    if !dashboard.alerts.is_empty() {
        // A link's alert rules run only once the viewer accepts them.
        browser.accept_dashboard().await?;
    }
    wait_for_load(&browser).await?;
    println!("\nSoak ({variant}): default dashboard, refresh {refresh}, {minutes} min (memory after a forced GC)");
    println!("| minute | JS heap | wasm memory | errors | failed panels |");
    println!("|---:|---:|---:|---:|---:|");
    let started = Instant::now();
    let mut samples = Vec::new();
    loop {
        browser
            .script("if (window.gc) window.gc(); return true;")
            .await?;
        let sample = browser.script(MEMORY).await?;
        let minute = started.elapsed().as_secs_f64() / 60.0;
        println!(
            "| {minute:.1} | {:.2} MB | {:.2} MB | {} | {} |",
            sample["heap"].as_f64().unwrap_or(0.0) / 1e6,
            sample["wasm"].as_f64().unwrap_or(0.0) / 1e6,
            sample["errors"],
            sample["failedPanels"]
        );
        samples.push(sample);
        if started.elapsed() >= Duration::from_secs(minutes * 60) {
            break;
        }
        tokio::time::sleep(
            Duration::from_secs(60).min(Duration::from_secs(minutes * 60) - started.elapsed()),
        )
        .await;
    }
    let first = &samples[samples.len().min(2) - 1];
    let last = samples.last().unwrap();
    let growth = |key: &str| last[key].as_f64().unwrap_or(0.0) - first[key].as_f64().unwrap_or(0.0);
    println!(
        "Growth after the first minute: JS heap {:+.2} MB, wasm memory {:+.2} MB; errors {}",
        growth("heap") / 1e6,
        growth("wasm") / 1e6,
        last["errors"]
    );
    Ok(())
}

/// Series of the wide metric, in groups of this many (a panel's cap).
const WIDE_GROUP: usize = 500;
/// Points of the wide metric: one every two minutes over the last six hours.
const WIDE_STEP_SECONDS: i64 = 120;

/// `bench_queue_depth{job, instance="app-2:8000", shard, group}`: `shards`
/// gauges over the last six hours of the history, one in fifty of them
/// stepping up during the incident that starts at `incident_start`.
fn write_wide_metric(
    path: &Path,
    end: i64,
    shards: usize,
    incident_start: i64,
) -> Result<(), String> {
    use std::io::Write;
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::new(file);
    let mut write = || -> std::io::Result<()> {
        writeln!(
            out,
            "# HELP bench_queue_depth Jobs waiting per shard (benchmark data)"
        )?;
        writeln!(out, "# TYPE bench_queue_depth gauge")?;
        for shard in 0..shards {
            let level = 10.0 + (shard % 17) as f64;
            let steps_at = (shard % 50 == 0).then(|| incident_start + (shard % 5) as i64 * 60);
            let labels = format!(
                r#"job="sample-service",instance="app-2:8000",shard="{shard}",group="{}""#,
                shard / WIDE_GROUP
            );
            for t in (end - 6 * 3600..=end).step_by(WIDE_STEP_SECONDS as usize) {
                let wiggle = ((t as usize / 60 * 7919 + shard * 104_729) % 100) as f64 / 50.0;
                let step = if steps_at.is_some_and(|at| t >= at) {
                    15.0
                } else {
                    0.0
                };
                writeln!(
                    out,
                    "bench_queue_depth{{{labels}}} {} {t}",
                    level + wiggle + step
                )?;
            }
        }
        writeln!(out, "# EOF")?;
        out.flush()
    };
    write().map_err(|e| e.to_string())
}

/// The shipped dashboard with `groups` panels of the wide metric below it.
fn with_wide_panels(dashboard: &Dashboard, groups: usize) -> Result<Dashboard, String> {
    let mut json: Value = serde_json::from_str(&dashboard.to_json()).map_err(|e| e.to_string())?;
    let bottom = dashboard
        .layout
        .iter()
        .map(|p| p.y + p.h)
        .max()
        .unwrap_or(0);
    for group in 0..groups {
        let id = format!("queue-depth-{group}");
        json["panels"].as_array_mut().ok_or("panels")?.push(json!({
            "id": id, "title": format!("Queue depth, shards group {group}"), "type": "timeseries",
            "targets": [{"expr": format!("bench_queue_depth{{job=\"$job\",group=\"{group}\"}}"), "legendFormat": "{{shard}}"}]
        }));
        json["layout"].as_array_mut().ok_or("layout")?.push(json!({
            "panel": id, "x": (group % 2) * 12, "y": bottom + (group / 2) as u32 * 8, "w": 12, "h": 8
        }));
    }
    Dashboard::from_json(&json.to_string())
}

/// Watches the page while it works: long tasks, gaps between frames, and how
/// late a 50 ms timer fires (what a click would wait).
const INSTALL_PROBES: &str = r#"
const p = window.foresightProbe = {longTasks: [], loadLongTasks: [], frameGaps: [], timerLateness: [], stop: false, since: performance.now()};
// Buffered: the tasks of the dashboard's load are reported too, apart.
new PerformanceObserver(list => list.getEntries().forEach(e =>
    (e.startTime < p.since ? p.loadLongTasks : p.longTasks).push(e.duration))).observe({type: 'longtask', buffered: true});
let lastFrame = performance.now();
const frame = t => { p.frameGaps.push(t - lastFrame); lastFrame = t; if (!p.stop) requestAnimationFrame(frame); };
requestAnimationFrame(frame);
let due = performance.now() + 50;
const tick = () => { const now = performance.now(); p.timerLateness.push(now - due); due = now + 50; if (!p.stop) setTimeout(tick, 50); };
setTimeout(tick, 50);
return true;"#;

const READ_PROBES: &str = r#"
const p = window.foresightProbe; p.stop = true;
const max = a => a.length ? Math.max(...a) : 0;
const sorted = [...p.timerLateness].sort((a, b) => a - b);
return {loadLongTasks: p.loadLongTasks.length, loadLongestTaskMs: max(p.loadLongTasks), longTasks: p.longTasks.length, longTaskMs: p.longTasks.reduce((a, b) => a + b, 0), longestTaskMs: max(p.longTasks),
        longestFrameGapMs: max(p.frameGaps), lateness95Ms: sorted[Math.floor(sorted.length * 0.95)] || 0, latenessMaxMs: max(sorted),
        progress: (document.querySelector('[data-testid="related-progress"]') || {}).textContent || '',
        notes: (document.querySelector('[data-testid="related-notes"]') || {}).textContent || '',
        lines: document.querySelectorAll('.related-line').length,
        rankingMs: (window.foresightStats || {}).relatedMs || 0, parseMs: (window.foresightStats || {}).parseMs || 0};"#;

async fn related_benchmark(options: &Options) -> Result<(), String> {
    let logs = e2e::artifacts_dir();
    let work = e2e::browser_session::TempDir::new("foresight-related-bench");
    let mut prometheus = PrometheusFixture::start(&work.0, None, Some(&options.app_dist), &logs)?;
    let manifest = prometheus.manifest.clone();
    let spike = manifest
        .incident(history_generator::IncidentKind::ErrorRateSpike)
        .ok_or("no planted error incident")?
        .clone();
    let groups = if options.quick { 1 } else { 6 };
    let wide = work.0.join("wide.om");
    write_wide_metric(&wide, manifest.end, groups * WIDE_GROUP, spike.start)?;
    prometheus.backfill_and_restart(&wide)?;
    let base = prometheus.base_url();
    let (from, to) = (manifest.end - 6 * 3600, manifest.end);
    let shipped = shipped_dashboard();
    let views = [
        ("default dashboard".to_string(), shipped.clone()),
        (
            format!(
                "+ {} series of one metric ({groups} panels)",
                groups * WIDE_GROUP
            ),
            with_wide_panels(&shipped, groups)?,
        ),
    ];
    println!("\n\"What else moved?\" on the planted error incident (Shift-drag of 30 min), last 6 hours, real Prometheus; page responsiveness while it runs");
    println!("| dashboard | dashboard loaded | queries | candidates | first / last answer | done | long tasks (count, total, longest) | longest frame gap | timer late p95 / max |");
    println!("|---|---:|---|---|---:|---:|---:|---:|---:|");
    let browser = BrowserSession::start(&logs, "related-bench").await?;
    for (name, dashboard) in &views {
        let url = format!(
            "{base}/user/index.html?inline={}&datasource={}&from={}&to={}",
            encode_inline_dashboard(dashboard),
            encode_uri_component(&base),
            from * 1000,
            to * 1000
        );
        browser
            .client
            .goto("about:blank")
            .await
            .map_err(|e| e.to_string())?;
        browser.client.goto(&url).await.map_err(|e| e.to_string())?;
        if !dashboard.alerts.is_empty() {
            browser.accept_dashboard().await?;
        }
        let loaded = wait_for_load(&browser).await?;
        browser.script(INSTALL_PROBES).await?;
        let parse_before = browser
            .script("return (window.foresightStats || {}).parseMs || 0;")
            .await?;
        let started = Instant::now();
        browser
            .shift_drag(
                r#"[data-panel="request-rate-by-status"] .chart"#,
                from as f64,
                spike.start as f64,
                (spike.start + 30 * 60) as f64,
            )
            .await?;
        browser
            .wait_for_attribute(
                r#"[data-testid="related-moves"]"#,
                "data-finished",
                &["true"],
                Duration::from_secs(180),
            )
            .await?;
        let done = started.elapsed();
        let probe = browser.script(READ_PROBES).await?;
        let progress = probe["progress"].as_str().unwrap_or_default();
        // "22 of 22 queries, 43 series, 30 moved; first answer 120 ms, last 510 ms"
        let (counts, answers) = progress.split_once("; ").unwrap_or((progress, ""));
        let number = |key: &str| probe[key].as_f64().unwrap_or(0.0);
        println!(
            "| {name} | {:.0} ms, {}/{} panels (parse {:.0}, analytics {:.0}, draw {:.0} ms; {} long tasks, longest {:.0} ms) | {counts} (parse {:.0} ms, ranking {:.0} ms) | {} lines{} | {answers} | {:.1} s | {}, {:.0} ms, {:.0} ms | {:.0} ms | {:.0} / {:.0} ms |",
            loaded["totalMs"].as_f64().unwrap_or(0.0),
            loaded["ok"],
            loaded["panels"],
            loaded["parseMs"].as_f64().unwrap_or(0.0),
            loaded["analyticsMs"].as_f64().unwrap_or(0.0),
            loaded["drawMs"].as_f64().unwrap_or(0.0),
            probe["loadLongTasks"],
            number("loadLongestTaskMs"),
            number("parseMs") - parse_before.as_f64().unwrap_or(0.0),
            number("rankingMs"),
            probe["lines"],
            probe["notes"].as_str().filter(|n| !n.is_empty()).map(|n| format!(" ({n})")).unwrap_or_default(),
            done.as_secs_f64(),
            probe["longTasks"],
            number("longTaskMs"),
            number("longestTaskMs"),
            number("longestFrameGapMs"),
            number("lateness95Ms"),
            number("latenessMaxMs"),
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    let outcome = async {
        let options = parse_options()?;
        let runs = |mode: &str| options.only.as_deref().is_none_or(|only| only == mode);
        if runs("size") {
            size_report(&options)?;
        }
        if runs("chart") {
            chart_benchmark(&options).await?;
        }
        if runs("related") {
            related_benchmark(&options).await?;
        }
        if runs("dashboard") || runs("refresh") || runs("soak") {
            let setup = live_setup(&options)?;
            if runs("dashboard") {
                dashboard_benchmark(&options, &setup).await?;
            }
            if runs("refresh") {
                refresh_benchmark(&setup, if options.quick { 2 } else { 12 }).await?;
            }
            if runs("soak") {
                soak_benchmark(
                    &setup,
                    options.soak_minutes,
                    &options.soak_variant,
                    &options.soak_panels,
                    &options.soak_query,
                )
                .await?;
            }
        }
        Ok::<(), String>(())
    }
    .await;
    if let Err(message) = outcome {
        eprintln!("browser-benchmarks: {message}");
        std::process::exit(1);
    }
}
