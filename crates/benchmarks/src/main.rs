//! `benchmarks nab DATA_DIR [--out DIR]` — runs the anomaly detector over the
//! NAB corpus, writes NAB-format results and prints the standard-profile score.
//! `benchmarks m4 Hourly-train.csv` — forecasts the held-out end of the M4
//! hourly series and prints MASE, sMAPE, coverage and MSIS beside seasonal naive.

#[cfg(feature = "augurs")]
mod augurs_models;
mod m4_benchmark;
mod nab_benchmark;

const USAGE: &str = "usage: benchmarks m4 HOURLY_TRAIN_CSV
       benchmarks nab NAB_DIR [--out DIR] [detector options]
  NAB_DIR  folder with combined_windows.json and the category folders of CSV files
  --seasonal on  also judge each point against the same phase one period earlier, the period
                 found by autocorrelation in the probationary first 15 % of each file
  detector options (one configuration for the whole corpus): --window N --short-window N
    --z-floor Z --z-scale K --report-score S --quiet-points N --quiet-damping F";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("nab") => nab_benchmark::run(&args[1..]),
        Some("m4") => m4_benchmark::run(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    if let Err(message) = outcome {
        eprintln!("benchmarks: {message}");
        std::process::exit(2);
    }
}
