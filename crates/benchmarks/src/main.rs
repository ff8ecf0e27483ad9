//! `benchmarks nab DATA_DIR` — cross-validates the anomaly detector on the NAB
//! corpus (leave one category out) and prints each fold's standard-profile score.
//! `benchmarks false-alarms` — reports per 10,000 points on anomaly-free synthetic series.
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
mod null_rate;
mod rule_file_import;
mod template_budget;

const USAGE: &str = "usage: benchmarks m4 HOURLY_TRAIN_CSV [--origin N]  (forecast 48 points from N ≥ 48 before the end; default 48)
       benchmarks rule-files FILE_OR_DIR...  (imports Prometheus rule files, reports the share)
       benchmarks template-budget  (times evaluations of rules with hostile templates)
       benchmarks false-alarms [--report-score S] [--window N] [--density-average N]
                 (reports per 10,000 points on six kinds of anomaly-free synthetic series)
       benchmarks nab NAB_DIR [--grid on|off] [--in-sample on] [--details on] [--out DIR] [options]
  NAB_DIR  folder with combined_windows.json and the category folders of CSV files
  Prints leave-one-category-out cross-validation: for each category, the configuration
  and report level that score best on the other categories, scored on it; the mean, the
  lowest fold and the pooled held-out score; and what the same choice on all files gives.
  --grid off     cross-validate the report level of one configuration only
  --in-sample on also print the base configuration's in-sample score (threshold swept on
                 the same files; labelled as such), per file; --details on adds detections
  --seasonal calendar (default)  also judge each point against the same phase one day or
                 one week earlier, if that difference varies at most a quarter as much as the
                 series in the probationary first 15 % of each file
  --seasonal on  the same with any period, found by autocorrelation; off: no seasonal stage
  base configuration options: --window N --short-window N --report-score S
    --quiet-points N --quiet-damping F --calm-points N --calm-score S
    --calibration-history N --tail-points N --density-history N --density-average N (default 100, 0 = off)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("nab") => nab_benchmark::run(&args[1..]),
        Some("false-alarms") => null_rate::run(&args[1..]),
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
