//! The M4 hourly benchmark on the training set: the last 48 points of each of
//! the 414 series are held out and forecast; MASE, sMAPE, 95 % interval
//! coverage and MSIS follow the M4 definitions (seasonality 24), for each model
//! and for seasonal naive computed by the same harness. Built with
//! `--features augurs`, it adds rows for Grafana's augurs (MSTL and AutoETS).

#[cfg(feature = "augurs")]
use crate::augurs_models::AugursModel;
use foresight_core::analytics::forecast_selection::forecast_auto;
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
    let all = load(&path)?;
    let mut naive = Totals::default();
    let mut holt = Totals::default();
    let mut auto = Totals::default();
    let mut chosen: BTreeMap<String, usize> = BTreeMap::new();
    #[cfg(feature = "augurs")]
    let mut augurs: Vec<(AugursModel, Totals, BTreeMap<String, usize>)> = AugursModel::ALL
        .iter()
        .map(|&model| (model, Totals::default(), BTreeMap::new()))
        .collect();
    for (id, values) in &all {
        if values.len() < HORIZON + 3 * PERIOD {
            return Err(format!("{id} has only {} points", values.len()));
        }
        let (history, actual) = values.split_at(values.len() - HORIZON);
        let started = Instant::now();
        let forecast = seasonal_naive(history, PERIOD, HORIZON)
            .ok_or_else(|| format!("{id}: seasonal naive failed"))?;
        naive.add(history, actual, &forecast, started.elapsed());
        let started = Instant::now();
        let forecast = holt_winters(history, PERIOD, HORIZON)
            .ok_or_else(|| format!("{id}: Holt-Winters failed"))?;
        holt.add(history, actual, &forecast, started.elapsed());
        let started = Instant::now();
        let (model, forecast) = forecast_auto(history, PERIOD, HORIZON)
            .ok_or_else(|| format!("{id}: automatic forecast failed"))?;
        auto.add(history, actual, &forecast, started.elapsed());
        *chosen.entry(format!("{model:?}")).or_default() += 1;
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
    println!("M4 hourly, training set, last {HORIZON} points of each of {} series held out, seasonality {PERIOD}", all.len());
    println!(
        "{:<22} {:>7} {:>8} {:>10} {:>8} {:>10}",
        "model", "MASE", "sMAPE", "95% cover", "MSIS", "ms/series"
    );
    naive.print("seasonal naive");
    holt.print("Holt-Winters (damped)");
    auto.print("automatic selection");
    #[cfg(feature = "augurs")]
    for (model, totals, _) in &augurs {
        totals.print(model.name());
    }
    println!("\nmodels chosen by the automatic selection (hold-out of the history's last {HORIZON} points):");
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
