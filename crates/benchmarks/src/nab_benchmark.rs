//! The NAB benchmark: every file of the corpus scored by the same detector
//! configuration at its own report level, results in NAB's format, and the
//! leave-one-category-out cross-validation that chooses the configuration.

use foresight_core::analytics::anomaly_detector::{
    calendar_period, detect_period, score_series, score_series_seasonal, score_series_with_period,
    seasonal_residual_ratio, DetectorConfig, SEASON_MAX_RESIDUAL_RATIO, SEASON_MIN_CORRELATION,
};
use foresight_core::analytics::nab_scoring::{
    probationary_length, score_corpus, score_files_at, FixedThresholdScore, ScoredFile,
    STANDARD_PROFILE,
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
    /// A day or a week (from the timestamps' spacing), if the seasonal
    /// difference varies at most this share of the series' own variation.
    Calendar(f64),
}

/// One configuration the cross-validation may choose.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    config: DetectorConfig,
    seasonal: Seasonal,
}

impl Candidate {
    fn score(&self, files: &[NabFile]) -> Vec<ScoredFile> {
        files
            .iter()
            .map(|file| ScoredFile {
                name: file.name.clone(),
                scores: score_file(file, self.config, self.seasonal),
                windows: file.windows.clone(),
            })
            .collect()
    }

    fn describe(&self) -> String {
        let c = &self.config;
        format!(
            "report-score {} window {} calibration-history {} tail-points {} density-history {} seasonal {:?}",
            c.report_score,
            c.window, c.calibration_history, c.tail_points, c.density_history, self.seasonal
        )
    }
}

fn score_file(file: &NabFile, config: DetectorConfig, seasonal: Seasonal) -> Vec<f64> {
    let learn = file.values.len() * 15 / 100;
    match seasonal {
        Seasonal::Off => score_series(&file.values, config),
        Seasonal::AnyPeriod => score_series_seasonal(&file.values, config, learn),
        Seasonal::Calendar(max_ratio) => {
            score_series_with_period(&file.values, config, learn, |learned| {
                calendar_period(learned, file.step_seconds, max_ratio)
            })
        }
    }
}

/// The settings the cross-validation chooses among: the base configuration
/// (the defaults, or what the flags set) and its variations. The report level
/// is one of them: a file's rows at or above it are its detections, exactly
/// what a dashboard marks (the quiet period after a report depends on it, so
/// a threshold swept apart from it would score a detector nobody runs).
fn grid(base: Candidate) -> Vec<Candidate> {
    let mut all = vec![base];
    for report_score in [0.99, 0.995, 0.998, 0.999, 0.9995] {
        for window in [120, 240, 480] {
            for calibration_history in [1000, 2000] {
                for density_history in [250, 500, 1000] {
                    for seasonal in [Seasonal::Calendar(0.25), Seasonal::Calendar(0.6)] {
                        for tail_points in [25, 100] {
                            all.push(Candidate {
                                config: DetectorConfig {
                                    report_score,
                                    window,
                                    calibration_history,
                                    density_history,
                                    tail_points,
                                    ..base.config
                                },
                                seasonal,
                            });
                        }
                    }
                }
            }
        }
    }
    all
}

/// The category of a NAB file (`realTraffic/speed_6005.csv` → `realTraffic`).
fn category(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let dir = PathBuf::from(args.first().ok_or("nab needs the NAB data folder")?);
    let mut out = None;
    // Dashboards run the same detector (density stage on); here a tight daily
    // or weekly rhythm also gets a seasonal stage, which on dashboards is the
    // day- or week-ago baseline. `--seasonal off` scores the dashboards' detector.
    let mut seasonal = Seasonal::Calendar(SEASON_MAX_RESIDUAL_RATIO);
    let mut details = false;
    let mut search_grid = true;
    let mut in_sample = false;
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
                    "calendar" => Seasonal::Calendar(SEASON_MAX_RESIDUAL_RATIO),
                    other => {
                        return Err(format!("--seasonal {other:?} is not off, on or calendar"))
                    }
                }
            }
            "--details" => details = value == "on",
            "--grid" => search_grid = value == "on",
            "--in-sample" => in_sample = value == "on",
            "--window" => config.window = number()? as usize,
            "--short-window" => config.short_window = number()? as usize,
            "--report-score" => config.report_score = number()?,
            "--quiet-points" => config.quiet_points = number()? as usize,
            "--quiet-damping" => config.quiet_damping = number()?,
            "--calm-points" => config.calm_points = number()? as usize,
            "--calm-score" => config.calm_score = number()?,
            "--calibration-history" => config.calibration_history = number()? as usize,
            "--density-average" => config.density_average = number()? as usize,
            "--density-history" => config.density_history = number()? as usize,
            "--tail-points" => config.tail_points = number()? as usize,
            other => return Err(format!("unknown option {other}")),
        }
    }
    let files = load(&dir)?;
    let rows: usize = files.iter().map(|f| f.values.len()).sum();
    let base = Candidate { config, seasonal };
    let candidates = if search_grid { grid(base) } else { vec![base] };
    let started = Instant::now();
    let scored: Vec<Vec<ScoredFile>> = candidates.iter().map(|c| c.score(&files)).collect();
    let per_candidate = started.elapsed() / candidates.len() as u32;
    println!(
        "NAB standard profile, {} files, {rows} rows; leave-one-category-out cross-validation over {} configuration(s)",
        files.len(),
        candidates.len()
    );
    cross_validate(&candidates, &scored, base);
    if in_sample || details || out.is_some() {
        let result = score_corpus(&scored[0], &STANDARD_PROFILE);
        println!(
            "\nIN-SAMPLE (threshold chosen on the same files it is scored on; not a result): {}",
            base.describe()
        );
        println!("{:<60} {:>8}", "file", "score");
        for (name, score) in &result.per_file {
            println!("{name:<60} {score:>8.1}");
        }
        if details {
            print_details(&files, &scored[0], result.threshold);
        }
        println!(
            "in-sample threshold {:.4}: {} of {} windows detected, {} false-positive rows, score {:.1}",
            result.threshold,
            result.detected_windows,
            result.windows,
            result.false_positives,
            result.normalized
        );
    }
    if let Some(out) = out {
        write_results(&out, &files, &scored[0])?;
    }
    println!(
        "detector time: {:.1} ms per configuration for the corpus, {:.2} µs per point",
        per_candidate.as_secs_f64() * 1e3,
        per_candidate.as_secs_f64() * 1e6 / rows as f64
    );
    Ok(())
}

/// Leave one category out: for each category, the configuration and threshold
/// that score best on the other categories, scored on it. Prints each fold,
/// the mean over folds with windows, the pooled held-out score (every file at
/// its own fold's choice, normalised over all windows), and the base
/// configuration at its own fixed report threshold (what dashboards use).
fn cross_validate(candidates: &[Candidate], scored: &[Vec<ScoredFile>], base: Candidate) {
    let mut categories: Vec<&str> = scored[0].iter().map(|f| category(&f.name)).collect();
    categories.dedup();
    println!(
        "\n{:<24} {:>5} {:>9} {:>10} {:>9} {:>9}   {:>18}  chosen on the other categories",
        "held-out category",
        "files",
        "windows",
        "threshold",
        "detected",
        "false +",
        "score (fixed base)"
    );
    let (mut pooled, mut pooled_fixed) = (
        FixedThresholdScore::default(),
        FixedThresholdScore::default(),
    );
    let (mut normalized, mut normalized_fixed) = (Vec::new(), Vec::new());
    for held_out in &categories {
        let split = |files: &[ScoredFile], keep: bool| -> Vec<ScoredFile> {
            files
                .iter()
                .filter(|f| (category(&f.name) == *held_out) == keep)
                .cloned()
                .collect()
        };
        let (best, training_score) = candidates
            .iter()
            .enumerate()
            .map(|(index, candidate)| {
                let training = score_files_at(
                    &split(&scored[index], false),
                    &STANDARD_PROFILE,
                    candidate.config.report_score,
                );
                (index, training.normalized().unwrap_or(0.0))
            })
            .fold((0, f64::NEG_INFINITY), |best, next| {
                if next.1 > best.1 {
                    next
                } else {
                    best
                }
            });
        let threshold = candidates[best].config.report_score;
        let test = split(&scored[best], true);
        let held = score_files_at(&test, &STANDARD_PROFILE, threshold);
        let fixed = score_files_at(
            &split(&scored[0], true),
            &STANDARD_PROFILE,
            base.config.report_score,
        );
        let shown = |s: &FixedThresholdScore| match s.normalized() {
            Some(score) => format!("{score:.1}"),
            None => format!("(raw {:.2})", s.raw),
        };
        println!(
            "{held_out:<24} {:>5} {:>9} {threshold:>10.5} {:>9} {:>9} {:>8} {:>9}   {} (training {training_score:.1})",
            test.len(),
            held.windows,
            held.detected_windows,
            held.false_positives,
            shown(&held),
            shown(&fixed),
            candidates[best].describe()
        );
        normalized.extend(held.normalized());
        normalized_fixed.extend(fixed.normalized());
        pooled = pooled.plus(held);
        pooled_fixed = pooled_fixed.plus(fixed);
    }
    let (chosen, all_files) = candidates
        .iter()
        .enumerate()
        .map(|(index, candidate)| {
            let score = score_files_at(
                &scored[index],
                &STANDARD_PROFILE,
                candidate.config.report_score,
            );
            (index, score.normalized().unwrap_or(0.0))
        })
        .fold((0, f64::NEG_INFINITY), |best, next| {
            if next.1 > best.1 {
                next
            } else {
                best
            }
        });
    println!(
        "the same choice made on all files (what to ship; its score there, {all_files:.1}, is in-sample): {}",
        candidates[chosen].describe()
    );
    let mean = |scores: &[f64]| scores.iter().sum::<f64>() / scores.len().max(1) as f64;
    let worst = |scores: &[f64]| scores.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "cross-validated mean over the {} categories with windows: {:.1} (lowest fold {:.1}); the base configuration (the shipped defaults, chosen on all files: in-sample) at its own report level: {:.1} (lowest {:.1})",
        normalized.len(),
        mean(&normalized),
        worst(&normalized),
        mean(&normalized_fixed),
        worst(&normalized_fixed)
    );
    println!(
        "pooled held-out score over all {} windows: {:.1} ({} detected, {} false-positive rows); the base configuration: {:.1} ({} detected, {} false-positive rows)",
        pooled.windows,
        pooled.normalized().unwrap_or(0.0),
        pooled.detected_windows,
        pooled.false_positives,
        pooled_fixed.normalized().unwrap_or(0.0),
        pooled_fixed.detected_windows,
        pooled_fixed.false_positives
    );
}

fn write_results(out: &Path, files: &[NabFile], scored: &[ScoredFile]) -> Result<(), String> {
    for (file, scores) in files.iter().zip(scored) {
        let path = out.join(&file.name);
        std::fs::create_dir_all(path.parent().unwrap_or(out)).map_err(|e| e.to_string())?;
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
        let calendar = calendar_period(learned, data.step_seconds, SEASON_MAX_RESIDUAL_RATIO);
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
