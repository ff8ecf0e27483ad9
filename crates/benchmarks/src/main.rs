//! `benchmarks nab DATA_DIR [--out DIR]` — runs the anomaly detector over the
//! NAB corpus, writes NAB-format results and prints the standard-profile score.
//! `benchmarks m4 Hourly-train.csv` — forecasts the held-out end of the M4
//! hourly series and prints MASE, sMAPE, coverage and MSIS beside seasonal naive.
//! `benchmarks rule-files FILE_OR_DIR…` — imports Prometheus rule files and
//! prints the share of alerting rules imported, and why the others were not.
//! `benchmarks template-budget` — times evaluations of rules with hostile
//! templates, for one alert and for a thousand.

#[cfg(feature = "augurs")]
mod augurs_models;
mod m4_benchmark;
mod nab_benchmark;
mod rule_file_import;
mod template_budget;

const USAGE: &str = "usage: benchmarks m4 HOURLY_TRAIN_CSV
       benchmarks rule-files FILE_OR_DIR...  (imports Prometheus rule files, reports the share)
       benchmarks template-budget  (times evaluations of rules with hostile templates)
       benchmarks nab NAB_DIR [--out DIR] [detector options]
  NAB_DIR  folder with combined_windows.json and the category folders of CSV files
  --seasonal calendar (default)  also judge each point against the same phase one day or
                 one week earlier, if that difference varies at most a quarter as much as the
                 series in the probationary first 15 % of each file
  --seasonal on  the same with any period, found by autocorrelation; off: no seasonal stage
  --details on   print each window's first detection and the false-positive rows
  detector options (one configuration for the whole corpus): --window N --short-window N
    --z-floor Z --z-scale K --report-score S --quiet-points N --quiet-damping F
    --calm-points N --calm-score S --likelihood-history N --likelihood-average N
    --density-average N (default 100, 0 = off) --density-history N
  --seasonal off  scores the detector as dashboards and alert rules run it
  --density-average 0 --seasonal off  scores the detector without its density stage";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("nab") => nab_benchmark::run(&args[1..]),
        Some("m4") => m4_benchmark::run(&args[1..]),
        Some("rule-files") => rule_file_import::run(&args[1..]),
        Some("template-budget") => template_budget::run(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    if let Err(message) = outcome {
        eprintln!("benchmarks: {message}");
        std::process::exit(2);
    }
}
