//! `history-generator --out DIR [--days N] [--seed S] [--end UNIX_SECONDS]`
//! writes DIR/history.om (OpenMetrics for promtool) and DIR/history-manifest.json.

use history_generator::incident_manifest::{MANIFEST_FILE_NAME, OPENMETRICS_FILE_NAME};
use history_generator::{generate_history, HistoryConfig};
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

const USAGE: &str =
    "usage: history-generator --out DIR [--days 16] [--seed 42] [--end UNIX_SECONDS]
Writes DIR/history.om (OpenMetrics, for `promtool tsdb create-blocks-from openmetrics`)
and DIR/history-manifest.json (time span and labelled incidents).
Without --end the history ends five minutes before now, rounded down to the minute.";

fn parse_args() -> Result<(PathBuf, HistoryConfig), String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    let mut config = HistoryConfig::ending_before(now);
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |what: &str| {
            value
                .parse::<i64>()
                .map_err(|_| format!("{flag} {value:?}: expected {what}"))
        };
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(&value)),
            "--days" => {
                config.days = u32::try_from(number("a number of days")?)
                    .ok()
                    .filter(|d| (1..=400).contains(d))
                    .ok_or("--days must be 1 to 400")?
            }
            "--seed" => {
                config.seed = value
                    .parse()
                    .map_err(|_| format!("--seed {value:?}: expected an unsigned integer"))?
            }
            "--end" => {
                let end = number("unix seconds")?;
                if end > now {
                    return Err(format!(
                        "--end {end} is in the future; history must end before now ({now})"
                    ));
                }
                config.end = end.div_euclid(config.step_seconds) * config.step_seconds;
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok((out.ok_or("--out DIR is required")?, config))
}

fn main() {
    let (out_dir, config) = match parse_args() {
        Ok(parsed) => parsed,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("history-generator: {message}\n");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let run = || -> Result<(), String> {
        std::fs::create_dir_all(&out_dir)
            .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
        let om_path = out_dir.join(OPENMETRICS_FILE_NAME);
        let file = std::fs::File::create(&om_path)
            .map_err(|e| format!("cannot write {}: {e}", om_path.display()))?;
        let manifest = generate_history(&config, file)
            .map_err(|e| format!("writing {}: {e}", om_path.display()))?;
        let manifest_path = out_dir.join(MANIFEST_FILE_NAME);
        let json = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
        std::fs::write(&manifest_path, json + "\n")
            .map_err(|e| format!("cannot write {}: {e}", manifest_path.display()))?;
        println!(
            "history: {} series, {} samples, {} days ending {} -> {}",
            manifest.series_count,
            manifest.sample_count,
            config.days,
            manifest.end,
            om_path.display()
        );
        Ok(())
    };
    if let Err(message) = run() {
        eprintln!("history-generator: {message}");
        std::process::exit(1);
    }
}
