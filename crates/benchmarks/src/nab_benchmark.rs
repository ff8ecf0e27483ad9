//! The NAB benchmark: every file of the corpus scored by the same detector
//! configuration, results in NAB's format, one corpus-wide threshold.

use foresight_core::analytics::anomaly_detector::{
    score_series, score_series_seasonal, DetectorConfig,
};
use foresight_core::analytics::nab_scoring::{score_corpus, ScoredFile, STANDARD_PROFILE};
use foresight_core::time_range::TimeExpression;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

struct NabFile {
    name: String,
    raw_timestamps: Vec<String>,
    values: Vec<f64>,
    windows: Vec<(usize, usize)>,
}

fn parse_time(text: &str) -> Result<i64, String> {
    let trimmed = text.trim().split('.').next().unwrap_or_default();
    match TimeExpression::parse_local(trimmed, 0) {
        Ok(TimeExpression::Absolute { epoch_ms }) => Ok(epoch_ms / 1000),
        _ => Err(format!("timestamp {text:?} is not YYYY-MM-DD HH:MM:SS")),
    }
}

fn load(dir: &Path) -> Result<Vec<NabFile>, String> {
    let windows_path = dir.join("combined_windows.json");
    let text = std::fs::read_to_string(&windows_path)
        .map_err(|e| format!("{}: {e}", windows_path.display()))?;
    let windows: BTreeMap<String, Vec<(String, String)>> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", windows_path.display()))?;
    let mut files = Vec::new();
    for (name, labelled) in windows {
        let path = dir.join(&name);
        let csv = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (mut timestamps, mut raw_timestamps, mut values) = (Vec::new(), Vec::new(), Vec::new());
        for (line_number, line) in csv.lines().enumerate().skip(1) {
            let (time, value) = line
                .split_once(',')
                .ok_or_else(|| format!("{name}:{}: not time,value", line_number + 1))?;
            timestamps.push(parse_time(time)?);
            raw_timestamps.push(time.to_string());
            values.push(
                value
                    .trim()
                    .parse::<f64>()
                    .map_err(|e| format!("{name}:{}: {e}", line_number + 1))?,
            );
        }
        let mut rows = Vec::new();
        for (start, end) in labelled {
            let (start, end) = (parse_time(&start)?, parse_time(&end)?);
            let first = timestamps.partition_point(|&t| t < start);
            let last = timestamps.partition_point(|&t| t <= end).saturating_sub(1);
            if first <= last && last < timestamps.len() {
                rows.push((first, last));
            }
        }
        files.push(NabFile {
            name,
            raw_timestamps,
            values,
            windows: rows,
        });
    }
    Ok(files)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let dir = PathBuf::from(args.first().ok_or("nab needs the NAB data folder")?);
    let mut out = None;
    let mut seasonal = false;
    let mut config = DetectorConfig::default();
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<f64>()
                .map_err(|_| format!("{flag} {value:?} is not a number"))
        };
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(value)),
            "--seasonal" => seasonal = value == "on",
            "--window" => config.window = number()? as usize,
            "--short-window" => config.short_window = number()? as usize,
            "--z-floor" => config.z_floor = number()?,
            "--z-scale" => config.z_scale = number()?,
            "--report-score" => config.report_score = number()?,
            "--quiet-points" => config.quiet_points = number()? as usize,
            "--quiet-damping" => config.quiet_damping = number()?,
            "--calm-points" => config.calm_points = number()? as usize,
            "--calm-score" => config.calm_score = number()?,
            "--likelihood-history" => config.likelihood_history = number()? as usize,
            "--likelihood-average" => config.likelihood_average = number()? as usize,
            other => return Err(format!("unknown option {other}")),
        }
    }
    let files = load(&dir)?;
    let started = Instant::now();
    let mut scored = Vec::with_capacity(files.len());
    let mut rows = 0;
    for file in &files {
        rows += file.values.len();
        scored.push(ScoredFile {
            name: file.name.clone(),
            scores: if seasonal {
                score_series_seasonal(&file.values, config, file.values.len() * 15 / 100)
            } else {
                score_series(&file.values, config)
            },
            windows: file.windows.clone(),
        });
    }
    let elapsed = started.elapsed();
    let result = score_corpus(&scored, &STANDARD_PROFILE);
    if let Some(out) = out {
        for (file, scores) in files.iter().zip(&scored) {
            let path = out.join(&file.name);
            std::fs::create_dir_all(path.parent().unwrap_or(&out)).map_err(|e| e.to_string())?;
            let mut text = String::from("timestamp,value,anomaly_score,label\n");
            for (row, ((time, value), score)) in file
                .raw_timestamps
                .iter()
                .zip(&file.values)
                .zip(&scores.scores)
                .enumerate()
            {
                let label = u8::from(file.windows.iter().any(|&(a, b)| row >= a && row <= b));
                text.push_str(&format!("{time},{value},{score},{label}\n"));
            }
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    println!(
        "NAB standard profile, {} files, {rows} rows, one configuration: {config:?}",
        files.len()
    );
    println!("{:<60} {:>8}", "file", "score");
    for (name, score) in &result.per_file {
        println!("{name:<60} {score:>8.1}");
    }
    println!(
        "\nthreshold {:.4}: {} of {} windows detected, {} false-positive rows",
        result.threshold, result.detected_windows, result.windows, result.false_positives
    );
    println!(
        "NAB score (standard profile, normalised): {:.1}",
        result.normalized
    );
    println!(
        "detector time: {:.1} ms total, {:.2} µs per point",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / rows as f64
    );
    Ok(())
}
