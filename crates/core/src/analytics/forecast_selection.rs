//! Automatic forecasting: several seasonal candidates (daily and weekly at the
//! series' step), each judged on a hold-out taken from the end of the history
//! itself; the best one is refitted on the whole history. Causal: only the past
//! is used.

use super::median_of_unsorted;
use super::seasonal_forecast::{forecast_from, holt_winters, seasonal_naive, Forecast, Z_95};

/// The candidate models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForecastModel {
    SeasonalNaive {
        period: usize,
    },
    /// Median of the last `seasons` seasons at each phase, shifted to the recent level.
    SeasonalProfile {
        period: usize,
        seasons: usize,
    },
    HoltWinters {
        period: usize,
    },
}

/// The median seasonal profile with the recent level, in logs for positive series.
fn seasonal_profile(
    history: &[f64],
    period: usize,
    seasons: usize,
    horizon: usize,
) -> Option<Forecast> {
    let n = history.len();
    if period == 0 || n < period * seasons.max(2) {
        return None;
    }
    let in_logs = history.iter().all(|&v| v > 0.0);
    let values: Vec<f64> = if in_logs {
        history.iter().map(|v| v.ln()).collect()
    } else {
        history.to_vec()
    };
    // profile[k] is the phase of time n - period + k.
    let profile: Vec<f64> = (0..period)
        .map(|k| {
            let mut same_phase: Vec<f64> =
                (1..=seasons).map(|s| values[n - s * period + k]).collect();
            median_of_unsorted(&mut same_phase)
        })
        .collect();
    // Level: how far the last day sits from the profile.
    let recent = period.min(24);
    let shift = (0..recent)
        .map(|i| values[n - recent + i] - profile[period - recent + i])
        .sum::<f64>()
        / recent as f64;
    // Spread: the profile's own errors over the last season it did not see.
    let enough_for_residuals = n >= (seasons + 1) * period;
    let residuals: Vec<f64> = (0..period)
        .filter(|_| enough_for_residuals)
        .map(|k| {
            let mut earlier: Vec<f64> = (2..=seasons + 1)
                .map(|s| values[n - s * period + k])
                .collect();
            values[n - period + k] - median_of_unsorted(&mut earlier)
        })
        .collect();
    let sd = if residuals.is_empty() {
        0.0
    } else {
        (residuals.iter().map(|r| r * r).sum::<f64>() / residuals.len() as f64).sqrt()
    };
    let mean: Vec<f64> = (0..horizon).map(|h| profile[h % period] + shift).collect();
    let spread: Vec<f64> = (0..horizon)
        .map(|h| sd * (1.0 + h as f64 / period as f64).sqrt())
        .collect();
    let back = |v: f64| if in_logs { v.exp() } else { v };
    Some(forecast_from(mean, &spread, back))
}

impl ForecastModel {
    pub fn forecast(&self, history: &[f64], horizon: usize) -> Option<Forecast> {
        match *self {
            ForecastModel::SeasonalNaive { period } => seasonal_naive(history, period, horizon),
            ForecastModel::SeasonalProfile { period, seasons } => {
                seasonal_profile(history, period, seasons, horizon)
            }
            ForecastModel::HoltWinters { period } => holt_winters(history, period, horizon),
        }
    }
}

/// Longest daily period (steps per day) for which Holt-Winters is tried.
pub const MAX_HOLT_WINTERS_PERIOD: usize = 168;

/// Candidates for a series with `period` steps per day.
pub fn candidates(daily_period: usize) -> Vec<ForecastModel> {
    let weekly = daily_period * 7;
    let mut models = vec![
        ForecastModel::SeasonalNaive {
            period: daily_period,
        },
        ForecastModel::SeasonalNaive { period: weekly },
        ForecastModel::SeasonalProfile {
            period: daily_period,
            seasons: 7,
        },
        ForecastModel::SeasonalProfile {
            period: weekly,
            seasons: 3,
        },
    ];
    // With hundreds of steps per day (sub-10-minute data) Holt-Winters carries as
    // many seasonal states, fits slowly and adds nothing the profiles lack.
    if daily_period <= MAX_HOLT_WINTERS_PERIOD {
        models.push(ForecastModel::HoltWinters {
            period: daily_period,
        });
    }
    models
}

/// Picks the candidate with the lowest mean absolute error on the last
/// `horizon` points of the history (forecast from before them), then forecasts
/// from the whole history with it.
pub fn forecast_auto(
    history: &[f64],
    daily_period: usize,
    horizon: usize,
) -> Option<(ForecastModel, Forecast)> {
    if history.len() <= horizon {
        return None;
    }
    let (fit, check) = history.split_at(history.len() - horizon);
    let mut best: Option<(f64, ForecastModel, f64)> = None;
    for model in candidates(daily_period) {
        let Some(trial) = model.forecast(fit, horizon) else {
            continue;
        };
        let error = trial
            .mean
            .iter()
            .zip(check)
            .map(|(f, y)| (f - y).abs())
            .sum::<f64>()
            / horizon as f64;
        if error.is_finite() && best.is_none_or(|(e, ..)| error < e) {
            best = Some((error, model, interval_calibration(&trial, check)));
        }
    }
    let (_, model, widening) = best?;
    let forecast = widen_intervals(model.forecast(history, horizon)?, widening);
    // Selection favours the model whose hold-out errors happened to be small, so
    // its intervals are optimistic: never narrower than seasonal naive's.
    let floor = seasonal_naive(history, daily_period, horizon);
    let forecast = match floor {
        Some(floor) => at_least_as_wide(forecast, &floor),
        None => forecast,
    };
    Some((model, forecast))
}

/// Intervals around `forecast`'s mean at least as wide as `floor`'s, level by level.
fn at_least_as_wide(forecast: Forecast, floor: &Forecast) -> Forecast {
    let lower = |own: &[f64], other: &[f64], other_mean: &[f64]| -> Vec<f64> {
        own.iter()
            .zip(other)
            .zip(other_mean)
            .zip(&forecast.mean)
            .map(|(((o, f), fm), m)| o.min(m - (fm - f)))
            .collect()
    };
    let upper = |own: &[f64], other: &[f64], other_mean: &[f64]| -> Vec<f64> {
        own.iter()
            .zip(other)
            .zip(other_mean)
            .zip(&forecast.mean)
            .map(|(((o, f), fm), m)| o.max(m + (f - fm)))
            .collect()
    };
    Forecast {
        lower_80: lower(&forecast.lower_80, &floor.lower_80, &floor.mean),
        upper_80: upper(&forecast.upper_80, &floor.upper_80, &floor.mean),
        lower_95: lower(&forecast.lower_95, &floor.lower_95, &floor.mean),
        upper_95: upper(&forecast.upper_95, &floor.upper_95, &floor.mean),
        mean: forecast.mean,
    }
}

/// How much wider the intervals must be for the hold-out errors to look like
/// draws from them: the RMS of errors standardised by each point's interval (≥ 1).
fn interval_calibration(trial: &Forecast, actual: &[f64]) -> f64 {
    let standardized: Vec<f64> = trial
        .mean
        .iter()
        .zip(&trial.lower_95)
        .zip(&trial.upper_95)
        .zip(actual)
        .filter_map(|(((m, lo), hi), y)| {
            let half_width = (hi - lo) / 2.0;
            (half_width > 0.0).then(|| (y - m) / (half_width / Z_95))
        })
        .collect();
    if standardized.is_empty() {
        return 1.0;
    }
    (standardized.iter().map(|e| e * e).sum::<f64>() / standardized.len() as f64)
        .sqrt()
        .max(1.0)
}

fn widen_intervals(forecast: Forecast, factor: f64) -> Forecast {
    let widen = |bounds: &[f64]| -> Vec<f64> {
        bounds
            .iter()
            .zip(&forecast.mean)
            .map(|(b, m)| m + factor * (b - m))
            .collect()
    };
    Forecast {
        lower_80: widen(&forecast.lower_80),
        upper_80: widen(&forecast.upper_80),
        lower_95: widen(&forecast.lower_95),
        upper_95: widen(&forecast.upper_95),
        mean: forecast.mean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekly_pattern(n: usize) -> Vec<f64> {
        (0..n)
            .map(|t| {
                let daily = 10.0 * (std::f64::consts::TAU * (t % 24) as f64 / 24.0).sin();
                let weekend = if (t / 24) % 7 >= 5 { -15.0 } else { 0.0 };
                100.0 + daily + weekend
            })
            .collect()
    }

    #[test]
    fn weekly_seasonality_is_found() {
        let all = weekly_pattern(24 * 7 * 6);
        let (history, future) = all.split_at(all.len() - 48 - 24 * 4); // the forecast crosses a weekend
        let (model, forecast) = forecast_auto(history, 24, 48).unwrap();
        assert!(
            matches!(
                model,
                ForecastModel::SeasonalNaive { period: 168 }
                    | ForecastModel::SeasonalProfile { period: 168, .. }
            ),
            "{model:?}"
        );
        let error = forecast
            .mean
            .iter()
            .zip(future)
            .map(|(f, y)| (f - y).abs())
            .fold(0.0, f64::max);
        assert!(error < 1e-6, "{error}");
    }

    #[test]
    fn intervals_are_never_narrower_than_seasonal_naive() {
        let narrow = Forecast {
            mean: vec![10.0, 10.0],
            lower_80: vec![9.9, 9.9],
            upper_80: vec![10.1, 10.1],
            lower_95: vec![9.8, 9.8],
            upper_95: vec![10.2, 10.2],
        };
        let floor = Forecast {
            mean: vec![50.0, 50.0],
            lower_80: vec![45.0, 49.0],
            upper_80: vec![55.0, 51.0],
            lower_95: vec![40.0, 48.0],
            upper_95: vec![60.0, 52.0],
        };
        let widened = at_least_as_wide(narrow, &floor);
        assert_eq!(widened.mean, vec![10.0, 10.0], "the point forecast is kept");
        assert_eq!(widened.lower_95, vec![0.0, 8.0]);
        assert_eq!(widened.upper_95, vec![20.0, 12.0]);
        assert_eq!(widened.lower_80, vec![5.0, 9.0]);
        let calibrated = widen_intervals(widened.clone(), 2.0);
        assert_eq!(calibrated.upper_95, vec![30.0, 14.0]);
        assert_eq!(
            interval_calibration(&widened, &[10.0, 10.0]),
            1.0,
            "errors inside the interval never narrow it"
        );
    }

    #[test]
    fn too_short_histories_fall_back_or_refuse() {
        let short = weekly_pattern(100);
        assert!(forecast_auto(&short[..40], 24, 48).is_none());
        let (model, _) = forecast_auto(&short, 24, 24).unwrap();
        assert!(matches!(
            model,
            ForecastModel::SeasonalNaive { period: 24 }
                | ForecastModel::SeasonalProfile { period: 24, .. }
        ));
    }
}
