//! The M4 hourly benchmark on the training set: the last 48 points of each of
//! the 414 series are held out (validation) and forecast from the points
//! before them; MASE, sMAPE, 95 % interval coverage and MSIS follow the M4
//! definitions (seasonality 24), for each model and for seasonal naive
//! computed by the same harness. Everything the automatic forecaster chooses
//! (models, combination, intervals) comes from backtests on each series' own
//! past. `--origin 96` holds out the 48 points before those instead: the
//! development split the forecaster's design was settled on, so the default
//! validation figures are of a configuration fixed before they were looked at.
//! Built with `--features augurs`, it adds rows for Grafana's augurs (MSTL and AutoETS).

#[cfg(feature = "augurs")]
use crate::augurs_models::AugursModel;
use foresight_core::analytics::forecast_selection::{
    candidates, forecast_auto, ForecastModel, COMBINED_MODELS, MAX_ORIGINS,
};
use foresight_core::analytics::seasonal_forecast::{holt_winters, seasonal_naive, Forecast};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const HORIZON: usize = 48;
const PERIOD: usize = 24;

fn load(path: &PathBuf) -> Result<Vec<(String, Vec<f64>)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut series = Vec::new();
    for (line_number, line) in text.lines().enumerate().skip(1) {
        let mut cells = line.split(',').map(|c| c.trim().trim_matches('"'));
        let id = cells.next().unwrap_or_default().to_string();
        let values: Result<Vec<f64>, String> = cells
            .filter(|c| !c.is_empty())
            .map(|c| {
                c.parse::<f64>()
                    .map_err(|e| format!("{}:{}: {c:?}: {e}", path.display(), line_number + 1))
            })
            .collect();
        series.push((id, values?));
    }
    Ok(series)
}

#[derive(Default)]
struct Totals {
    mase: f64,
    smape: f64,
    covered: usize,
    msis: f64,
    series: usize,
    time: Duration,
}

impl Totals {
    fn add(&mut self, history: &[f64], actual: &[f64], forecast: &Forecast, elapsed: Duration) {
        let n = history.len();
        let scale = (PERIOD..n)
            .map(|t| (history[t] - history[t - PERIOD]).abs())
            .sum::<f64>()
            / (n - PERIOD) as f64;
        let h = actual.len() as f64;
        let absolute_error: f64 = actual
            .iter()
            .zip(&forecast.mean)
            .map(|(y, f)| (y - f).abs())
            .sum();
        self.mase += absolute_error / h / scale;
        self.smape += 200.0 / h
            * actual
                .iter()
                .zip(&forecast.mean)
                .map(|(y, f)| (y - f).abs() / (y.abs() + f.abs()))
                .sum::<f64>();
        let alpha = 0.05;
        let mut interval_score = 0.0;
        for (i, &y) in actual.iter().enumerate() {
            let (lower, upper) = (forecast.lower_95[i], forecast.upper_95[i]);
            interval_score += upper - lower;
            if y < lower {
                interval_score += 2.0 / alpha * (lower - y);
            } else if y > upper {
                interval_score += 2.0 / alpha * (y - upper);
            } else {
                self.covered += 1;
            }
        }
        self.msis += interval_score / h / scale;
        self.series += 1;
        self.time += elapsed;
    }

    fn print_point(&self, name: &str) {
        let n = self.series as f64;
        println!(
            "  {name:<50} MASE {:>7.3}  sMAPE {:>7.2}",
            self.mase / n,
            self.smape / n
        );
    }

    fn print(&self, name: &str) {
        let n = self.series as f64;
        println!(
            "{name:<22} {:>7.3} {:>8.2} {:>9.1}% {:>8.2} {:>10.2}",
            self.mase / n,
            self.smape / n,
            100.0 * self.covered as f64 / (n * HORIZON as f64),
            self.msis / n,
            self.time.as_secs_f64() * 1e3 / n
        );
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let path = PathBuf::from(
        args.first()
            .ok_or("m4 needs the path of Hourly-train.csv")?,
    );
    let origin = match args.get(1).map(String::as_str) {
        None => HORIZON,
        Some("--origin") => args
            .get(2)
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|&o| o >= HORIZON)
            .ok_or("--origin needs a number of points, at least 48")?,
        Some(other) => return Err(format!("unknown option {other}")),
    };
    let all = load(&path)?;
    let mut naive = Totals::default();
    let mut holt = Totals::default();
    let mut auto = Totals::default();
    let mut chosen: BTreeMap<String, usize> = BTreeMap::new();
    // Each model of the pool on its own (a model that cannot forecast a series scores as seasonal naive).
    let mut single: Vec<(ForecastModel, Totals)> = candidates(PERIOD)
        .into_iter()
        .map(|model| (model, Totals::default()))
        .collect();
    #[cfg(feature = "augurs")]
    let mut augurs: Vec<(AugursModel, Totals, BTreeMap<String, usize>)> = AugursModel::ALL
        .iter()
        .map(|&model| (model, Totals::default(), BTreeMap::new()))
        .collect();
    for (id, values) in &all {
        if values.len() < origin + 3 * PERIOD {
            return Err(format!("{id} has only {} points", values.len()));
        }
        let (history, rest) = values.split_at(values.len() - origin);
        let actual = &rest[..HORIZON];
        let started = Instant::now();
        let forecast = seasonal_naive(history, PERIOD, HORIZON)
            .ok_or_else(|| format!("{id}: seasonal naive failed"))?;
        naive.add(history, actual, &forecast, started.elapsed());
        let naive_forecast = forecast;
        let started = Instant::now();
        let forecast = holt_winters(history, PERIOD, HORIZON)
            .ok_or_else(|| format!("{id}: Holt-Winters failed"))?;
        holt.add(history, actual, &forecast, started.elapsed());
        let started = Instant::now();
        let combined = forecast_auto(history, PERIOD, HORIZON)
            .ok_or_else(|| format!("{id}: automatic forecast failed"))?;
        auto.add(history, actual, &combined.forecast, started.elapsed());
        for (model, totals) in &mut single {
            let started = Instant::now();
            let mean = model
                .forecast(history, HORIZON)
                .unwrap_or_else(|| naive_forecast.mean.clone());
            let forecast = Forecast {
                lower_80: mean.clone(),
                upper_80: mean.clone(),
                lower_95: mean.clone(),
                upper_95: mean.clone(),
                mean,
            };
            totals.add(history, actual, &forecast, started.elapsed());
        }
        for model in &combined.models {
            *chosen.entry(format!("{model:?}")).or_default() += 1;
        }
        // A series augurs cannot forecast is scored with seasonal naive (time included).
        #[cfg(feature = "augurs")]
        for (model, totals, labels) in &mut augurs {
            let started = Instant::now();
            let (forecast, label) = match model.forecast(history, HORIZON) {
                Ok(outcome) => outcome,
                Err(message) => (
                    seasonal_naive(history, PERIOD, HORIZON)
                        .ok_or_else(|| format!("{id}: seasonal naive failed"))?,
                    format!("failed, seasonal naive used: {message}"),
                ),
            };
            totals.add(history, actual, &forecast, started.elapsed());
            *labels.entry(label).or_default() += 1;
        }
    }
    let split = if origin == HORIZON {
        "validation: the last 48 points".to_string()
    } else {
        format!("development: the {HORIZON} points from {origin} before the end")
    };
    println!(
        "M4 hourly, training set, {split} of each of {} series held out, seasonality {PERIOD}",
        all.len()
    );
    println!(
        "{:<22} {:>7} {:>8} {:>10} {:>8} {:>10}",
        "model", "MASE", "sMAPE", "95% cover", "MSIS", "ms/series"
    );
    naive.print("seasonal naive");
    holt.print("Holt-Winters (damped)");
    auto.print("automatic (combined)");
    println!("each model of the pool alone (point forecasts; no intervals):");
    for (model, totals) in &single {
        totals.print_point(&format!("{model:?}"));
    }
    #[cfg(feature = "augurs")]
    for (model, totals, _) in &augurs {
        totals.print(model.name());
    }
    println!(
        "\nmodels combined by the automatic forecaster (the best {COMBINED_MODELS} of each series' backtests at up to {MAX_ORIGINS} origins):"
    );
    for (model, count) in chosen {
        println!("  {count:>4}  {model}");
    }
    #[cfg(feature = "augurs")]
    for (model, _, labels) in &augurs {
        println!("\n{}:", model.name());
        for (label, count) in labels {
            println!("  {count:>4}  {label}");
        }
    }
    Ok(())
}
