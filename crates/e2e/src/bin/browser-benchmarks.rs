//! Browser benchmarks, printed as tables (never part of the tests' pass/fail):
//!
//! - `chart`: Foresight's chart drawing against uPlot in the same headless
//!   Chromium, on the same data and canvas size, at device pixel ratio 1 and 2:
//!   the first draw of a new chart and a redraw after a range change.
//! - `size`: the release build's wasm, JS and CSS, raw, gzip and brotli, against
//!   the budget.
//!
//! Run through `scripts/benchmark-browser.sh`, which builds what is measured.

use e2e::browser_session::BrowserSession;
use e2e::static_file_server::StaticFileServer;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Total gzip size the full app must stay within (wasm + JS + CSS).
const BUDGET_GZIP_BYTES: u64 = 400 * 1024;

struct Options {
    app_dist: PathBuf,
    bench_dist: PathBuf,
    uplot_dir: PathBuf,
    repeats: usize,
    only: Option<String>,
}

fn parse_options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut options = Options {
        app_dist: PathBuf::from("dist"),
        bench_dist: PathBuf::from("target/bench-dist"),
        uplot_dir: PathBuf::from(".tools/bench/node_modules/uplot/dist"),
        repeats: 9,
        only: None,
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
            "chart" | "size" => options.only = Some(arg),
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: browser-benchmarks [chart|size] [--repeats N] [--app DIR] [--bench DIR] [--uplot DIR]"
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

/// The benchmark page: the bench build's own page plus uPlot and the harness.
fn prepare_site(options: &Options, site: &Path) -> Result<(), String> {
    std::fs::create_dir_all(site).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(&options.bench_dist)
        .map_err(|e| format!("{}: {e} (build it first)", options.bench_dist.display()))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_file() {
            copy_file(&path, &site.join(path.file_name().unwrap()))?;
        }
    }
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
    let cases = json!([
        {"points": 10_000, "series": 1},
        {"points": 100_000, "series": 1},
        {"points": 1_000_000, "series": 1},
        {"points": 100_000, "series": 10},
    ]);
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
    for entry in std::fs::read_dir(&options.app_dist)
        .map_err(|e| format!("{}: {e} (build it first)", options.app_dist.display()))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let kind = if name.ends_with(".wasm") {
            "wasm"
        } else if name.ends_with(".js") {
            "JS glue"
        } else if name.ends_with(".css") {
            "CSS"
        } else {
            continue;
        };
        files.push((kind.to_string(), path));
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

#[tokio::main]
async fn main() {
    let outcome = async {
        let options = parse_options()?;
        if options.only.as_deref() != Some("chart") {
            size_report(&options)?;
        }
        if options.only.as_deref() != Some("size") {
            chart_benchmark(&options).await?;
        }
        Ok::<(), String>(())
    }
    .await;
    if let Err(message) = outcome {
        eprintln!("browser-benchmarks: {message}");
        std::process::exit(1);
    }
}
