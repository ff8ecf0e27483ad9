//! The NAB benchmark: every file of the corpus scored by the same detector
//! configuration, results in NAB's format, one corpus-wide threshold.

use foresight_core::analytics::anomaly_detector::{
    calendar_period, detect_period, score_series, score_series_seasonal, score_series_with_period,
    seasonal_residual_ratio, DetectorConfig, SEASON_MIN_CORRELATION,
};
use foresight_core::analytics::nab_scoring::{
    probationary_length, score_corpus, ScoredFile, STANDARD_PROFILE,
};
use foresight_core::query::time_range::TimeExpression;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

struct NabFile {
    name: String,
    /// Median spacing of the timestamps in the first 15 % (the learning part).
    step_seconds: f64,
    raw_timestamps: Vec<String>,
    values: Vec<f64>,
    windows: Vec<(usize, usize)>,
}

fn parse_time(text: &str) -> Result<i64, String> {
    let trimmed = text.trim().split('.').next().unwrap_or_default();
    match TimeExpression::parse_local(trimmed, &0) {
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
        // From the learning part only, like everything the detector knows.
        let learned = &timestamps[..(timestamps.len() * 15 / 100).max(2).min(timestamps.len())];
        let mut steps: Vec<i64> = learned.windows(2).map(|w| w[1] - w[0]).collect();
        steps.sort_unstable();
        let step_seconds = steps.get(steps.len() / 2).copied().unwrap_or(0) as f64;
        files.push(NabFile {
            name,
            step_seconds,
            raw_timestamps,
            values,
            windows: rows,
        });
    }
    Ok(files)
}

/// Which seasonal stage runs beside the plain detector.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Seasonal {
    Off,
    /// The period with the strongest autocorrelation, whatever its length.
    AnyPeriod,
    /// A day or a week (from the timestamps' spacing), if the rhythm is tight.
    Calendar,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let dir = PathBuf::from(args.first().ok_or("nab needs the NAB data folder")?);
    let mut out = None;
    // Dashboards run the same detector (density stage on); here a tight daily
    // or weekly rhythm also gets a seasonal stage, which on dashboards is the
    // day- or week-ago baseline. `--seasonal off` scores the dashboards' detector.
    let mut seasonal = Seasonal::Calendar;
    let mut details = false;
    let mut config = DetectorConfig::with_density_stage();
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
            "--seasonal" => {
                seasonal = match value.as_str() {
                    "off" => Seasonal::Off,
                    "on" => Seasonal::AnyPeriod,
                    "calendar" => Seasonal::Calendar,
                    other => {
                        return Err(format!("--seasonal {other:?} is not off, on or calendar"))
                    }
                }
            }
            "--details" => details = value == "on",
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
            "--density-average" => config.density_average = number()? as usize,
            "--density-history" => config.density_history = number()? as usize,
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
            scores: match seasonal {
                Seasonal::Off => score_series(&file.values, config),
                Seasonal::AnyPeriod => {
                    score_series_seasonal(&file.values, config, file.values.len() * 15 / 100)
                }
                Seasonal::Calendar => score_series_with_period(
                    &file.values,
                    config,
                    file.values.len() * 15 / 100,
                    |learned| calendar_period(learned, file.step_seconds),
                ),
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
    if details {
        print_details(&files, &scored, result.threshold);
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

/// Per file at the corpus threshold: each window's first detection (rows after
/// its start, or "missed") and the rows flagged outside windows.
fn print_details(files: &[NabFile], scored: &[ScoredFile], threshold: f64) {
    println!(
        "\ndetections at threshold {threshold:.4} (window: first detection, rows after its start)"
    );
    for (data, file) in files.iter().zip(scored) {
        let learned = &data.values[..data.values.len() * 15 / 100];
        let period = detect_period(learned, 10, SEASON_MIN_CORRELATION);
        let calendar = calendar_period(learned, data.step_seconds);
        let day = (86_400.0 / data.step_seconds).round() as usize;
        let daily_ratio = seasonal_residual_ratio(learned, day);
        let probation = probationary_length(file.scores.len());
        let flagged: Vec<usize> = (probation..file.scores.len())
            .filter(|&row| file.scores[row] >= threshold)
            .collect();
        let windows: Vec<String> = file
            .windows
            .iter()
            .map(
                |&(start, end)| match flagged.iter().find(|&&row| row >= start && row <= end) {
                    Some(row) => format!("{start}-{end}: +{}", row - start),
                    None => format!("{start}-{end}: missed"),
                },
            )
            .collect();
        let false_positives: Vec<usize> = flagged
            .iter()
            .copied()
            .filter(|&row| !file.windows.iter().any(|&(a, b)| row >= a && row <= b))
            .collect();
        println!(
            "{} (period {period:?}, calendar {calendar:?}, daily residual ratio {daily_ratio:.2?})  [{}]  false positives {:?}",
            file.name,
            windows.join(", "),
            false_positives
        );
    }
}
