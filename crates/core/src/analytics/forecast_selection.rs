//! Automatic forecasting by combination, as the M4 competition taught: a pool
//! of simple robust models (seasonal naive, median seasonal profiles, an
//! autoregression on the seasonal differences — daily and weekly at the series' step)
//! is backtested on the series' own past at several rolling origins; the best
//! few are averaged; the intervals come from that combination's own backtest
//! errors (split-conformal quantiles per stretch of the horizon), not from any
//! model's assumptions. Causal: only the past is used.

use super::median_of_unsorted;
use super::seasonal_forecast::{seasonal_naive, Forecast};
use crate::foundation::ordered::sort_stable_by;

/// The models of the pool.
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
    /// An autoregression on the seasonal differences `x[t] - x[t - period]`
    /// (lags 1–3 and one season): the seasonal ARIMA family's simplest member,
    /// which carries the latest deviation from last season forward as it fades.
    SeasonalAutoregression {
        period: usize,
        /// A second seasonal lag (the other of a day and a week).
        other_period: usize,
    },
}

/// Positive series are modelled in logs (multiplicative seasonality, errors
/// that scale with the level).
fn model_scale(history: &[f64]) -> (Vec<f64>, bool) {
    let in_logs = history.iter().all(|&v| v > 0.0);
    let values = if in_logs {
        history.iter().map(|v| v.ln()).collect()
    } else {
        history.to_vec()
    };
    (values, in_logs)
}

/// The median of the last `seasons` seasons at each phase; `profile[k]` is the
/// phase of time `n - period + k`.
fn median_profile(values: &[f64], period: usize, seasons: usize) -> Vec<f64> {
    let n = values.len();
    (0..period)
        .map(|k| {
            let mut same_phase: Vec<f64> =
                (1..=seasons).map(|s| values[n - s * period + k]).collect();
            median_of_unsorted(&mut same_phase)
        })
        .collect()
}

/// The median seasonal profile, shifted to the level of the most recent points.
fn seasonal_profile(
    history: &[f64],
    period: usize,
    seasons: usize,
    horizon: usize,
) -> Option<Vec<f64>> {
    let n = history.len();
    if period == 0 || seasons == 0 || n < period * seasons.max(2) {
        return None;
    }
    let (values, in_logs) = model_scale(history);
    let profile = median_profile(&values, period, seasons);
    let recent = period.min(24);
    let shift = (0..recent)
        .map(|i| values[n - recent + i] - profile[period - recent + i])
        .sum::<f64>()
        / recent as f64;
    let back = |v: f64| if in_logs { v.exp() } else { v };
    Some(
        (0..horizon)
            .map(|h| back(profile[h % period] + shift))
            .collect(),
    )
}

/// Seasonal differences the autoregression is fitted on, at most.
const AUTOREGRESSION_FIT_POINTS: usize = 2000;

/// Least squares of `rows · w ≈ targets` with a small ridge, by the normal
/// equations (a handful of coefficients).
fn least_squares<const K: usize>(rows: &[[f64; K]], targets: &[f64]) -> Option<[f64; K]> {
    let mut a = [[0.0; K]; K];
    let mut b = [0.0; K];
    for (row, y) in rows.iter().zip(targets) {
        for i in 0..K {
            b[i] += row[i] * y;
            for j in 0..K {
                a[i][j] += row[i] * row[j];
            }
        }
    }
    let trace = (0..K).map(|i| a[i][i]).sum::<f64>();
    for (i, row) in a.iter_mut().enumerate() {
        row[i] += 1e-6 * trace / K as f64 + 1e-12;
    }
    // Gaussian elimination with partial pivoting.
    for column in 0..K {
        let pivot =
            (column..K).max_by(|&x, &y| a[x][column].abs().total_cmp(&a[y][column].abs()))?;
        a.swap(column, pivot);
        b.swap(column, pivot);
        if a[column][column].abs() < 1e-300 {
            return None;
        }
        let pivot_row = a[column];
        for row in column + 1..K {
            let factor = a[row][column] / pivot_row[column];
            for (value, pivot) in a[row].iter_mut().zip(&pivot_row).skip(column) {
                *value -= factor * pivot;
            }
            b[row] -= factor * b[column];
        }
    }
    let mut w = [0.0; K];
    for row in (0..K).rev() {
        let rest: f64 = (row + 1..K).map(|k| a[row][k] * w[k]).sum();
        w[row] = (b[row] - rest) / a[row][row];
    }
    w.iter().all(|v| v.is_finite()).then_some(w)
}

fn seasonal_autoregression(
    history: &[f64],
    period: usize,
    other_period: usize,
    horizon: usize,
) -> Option<Vec<f64>> {
    let n = history.len();
    if period == 0 || n < 3 * period + 4 {
        return None;
    }
    // The second seasonal lag only when the history holds enough of it.
    let other = if other_period > 0 && n >= period + 2 * other_period + 8 {
        other_period
    } else {
        period
    };
    let (values, in_logs) = model_scale(history);
    let mut differences: Vec<f64> = (period..n)
        .map(|t| values[t] - values[t - period])
        .collect();
    let lags = [1, 2, 3, period, other];
    let first = period.max(other).max(3);
    let start = first.max(differences.len().saturating_sub(AUTOREGRESSION_FIT_POINTS));
    let (rows, targets): (Vec<[f64; 5]>, Vec<f64>) = (start..differences.len())
        .map(|t| (lags.map(|lag| differences[t - lag]), differences[t]))
        .unzip();
    if rows.len() < 8 {
        return None;
    }
    let weights = least_squares(&rows, &targets)?;
    // A fit whose weights sum far above 1 in absolute value is likely to
    // explode and is not trusted. Only a sum below 1 would guarantee a stable
    // process; 1.5 keeps the usual fits near a unit root, and what slips
    // through is caught by the finiteness check and the panel's band clamp.
    if weights.iter().map(|w| w.abs()).sum::<f64>() >= 1.5 {
        return None;
    }
    let mut extended = values;
    for _ in 0..horizon {
        let t = differences.len();
        let next: f64 = lags
            .iter()
            .zip(&weights)
            .map(|(&lag, w)| w * differences[t - lag])
            .sum();
        differences.push(next);
        let seasonal = extended[extended.len() - period];
        extended.push(seasonal + next);
    }
    let back = |v: f64| if in_logs { v.exp() } else { v };
    Some(extended[n..].iter().map(|&v| back(v)).collect())
}

impl ForecastModel {
    /// The point forecast of the next `horizon` values.
    pub fn forecast(&self, history: &[f64], horizon: usize) -> Option<Vec<f64>> {
        let forecast = match *self {
            ForecastModel::SeasonalNaive { period } => {
                seasonal_naive(history, period, horizon).map(|f| f.mean)
            }
            ForecastModel::SeasonalProfile { period, seasons } => {
                seasonal_profile(history, period, seasons, horizon)
            }
            ForecastModel::SeasonalAutoregression {
                period,
                other_period,
            } => seasonal_autoregression(history, period, other_period, horizon),
        }?;
        forecast.iter().all(|v| v.is_finite()).then_some(forecast)
    }
}

/// The pool for a series with `daily_period` steps per day.
pub fn candidates(daily_period: usize) -> Vec<ForecastModel> {
    let weekly = daily_period * 7;
    vec![
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
        ForecastModel::SeasonalAutoregression {
            period: daily_period,
            other_period: weekly,
        },
        ForecastModel::SeasonalAutoregression {
            period: weekly,
            other_period: daily_period,
        },
    ]
}

/// Rolling origins the backtests use at most …
pub const MAX_ORIGINS: usize = 6;
/// … and how many of the best models are averaged.
pub const COMBINED_MODELS: usize = 3;
/// … of those whose backtest error is within this factor of the best one's.
pub const COMBINE_WITHIN: f64 = 1.3;

/// The combination's forecast and the models it averages.
#[derive(Debug, Clone, PartialEq)]
pub struct CombinedForecast {
    pub models: Vec<ForecastModel>,
    /// Backtest origins the choice and the intervals rest on.
    pub origins: usize,
    pub forecast: Forecast,
}

fn average(forecasts: &[Vec<f64>], horizon: usize) -> Vec<f64> {
    (0..horizon)
        .map(|h| forecasts.iter().map(|f| f[h]).sum::<f64>() / forecasts.len() as f64)
        .collect()
}

/// One origin's backtest: the actual values and each model's forecast of them.
type Backtest<'a> = (&'a [f64], Vec<Option<Vec<f64>>>);

/// Backtests every model of the pool at up to [`MAX_ORIGINS`] origins `horizon`
/// apart at the end of the history, averages the [`COMBINED_MODELS`] with the
/// lowest mean absolute error, and sets the intervals from the averaged
/// backtests' errors. `None` when no model can forecast from the history.
pub fn forecast_auto(
    history: &[f64],
    daily_period: usize,
    horizon: usize,
) -> Option<CombinedForecast> {
    let n = history.len();
    if horizon == 0 || n <= horizon {
        return None;
    }
    let pool = candidates(daily_period);
    let mut origins: Vec<Backtest> = Vec::new();
    for j in 1..=MAX_ORIGINS {
        let Some(origin) = n.checked_sub(j * horizon) else {
            break;
        };
        let (fit, rest) = history.split_at(origin);
        let actual = &rest[..horizon];
        let trials: Vec<Option<Vec<f64>>> = pool.iter().map(|m| m.forecast(fit, horizon)).collect();
        if trials.iter().all(Option::is_none) {
            break;
        }
        origins.push((actual, trials));
    }
    // Mean absolute error over the origins; only a model that could forecast
    // at every origin is ranked, so all are compared on the same stretches
    // (a model needing more history, such as the weekly profile on a short
    // range, drops out rather than being judged on its easiest origins).
    let mut ranked: Vec<(f64, usize)> = (0..pool.len())
        .filter_map(|m| {
            let errors: Vec<f64> = origins
                .iter()
                .filter_map(|(actual, trials)| {
                    let trial = trials[m].as_ref()?;
                    Some(
                        trial
                            .iter()
                            .zip(*actual)
                            .map(|(f, y)| (f - y).abs())
                            .sum::<f64>()
                            / horizon as f64,
                    )
                })
                .collect();
            (errors.len() == origins.len() && !errors.is_empty())
                .then(|| (errors.iter().sum::<f64>() / errors.len() as f64, m))
        })
        .filter(|(error, _)| error.is_finite())
        .collect();
    sort_stable_by(&mut ranked, |a, b| a.0.total_cmp(&b.0));
    let best_error = ranked.first().map_or(0.0, |&(e, _)| e);
    let chosen: Vec<usize> = ranked
        .iter()
        .take(COMBINED_MODELS)
        .filter(|&&(error, _)| error <= best_error * COMBINE_WITHIN)
        .map(|&(_, m)| m)
        .collect();
    // The chosen models that also forecast from the whole history (a fit can
    // fail there that held at the origins).
    let (chosen, forecasts): (Vec<usize>, Vec<Vec<f64>>) = chosen
        .into_iter()
        .filter_map(|m| Some((m, pool[m].forecast(history, horizon)?)))
        .unzip();
    if chosen.is_empty() {
        // No backtest to learn from (a history too short for one): seasonal
        // naive, with its intervals from the spread of seasonal differences.
        return Some(CombinedForecast {
            models: vec![pool[0]],
            origins: 0,
            forecast: seasonal_naive(history, daily_period, horizon).filter(|f| {
                f.mean
                    .iter()
                    .chain(&f.lower_95)
                    .chain(&f.upper_95)
                    .all(|v| v.is_finite())
            })?,
        });
    }
    let mean = average(&forecasts, horizon);
    let errors: Vec<Vec<f64>> = origins
        .iter()
        .filter_map(|(actual, trials)| {
            let combined: Vec<Vec<f64>> = chosen
                .iter()
                .map(|&m| trials[m].clone())
                .collect::<Option<_>>()?;
            let combined = average(&combined, horizon);
            Some(actual.iter().zip(&combined).map(|(y, f)| y - f).collect())
        })
        .collect();
    let forecast = conformal_intervals(mean, &errors);
    Some(CombinedForecast {
        models: chosen.iter().map(|&m| pool[m]).collect(),
        origins: errors.len(),
        forecast,
    })
}

/// Stretches of the horizon that share one interval width.
const HORIZON_BUCKETS: usize = 4;

/// The `level` split-conformal quantile of `scores`: the ⌈(m + 1)·level⌉-th
/// smallest of the m scores (the largest when there are too few).
fn conformal_quantile(scores: &mut [f64], level: f64) -> f64 {
    if scores.is_empty() {
        return f64::NAN;
    }
    scores.sort_by(f64::total_cmp);
    let rank = ((scores.len() + 1) as f64 * level).ceil() as usize;
    scores[rank.clamp(1, scores.len()) - 1]
}

/// Symmetric intervals around `mean` whose half-widths are the conformal
/// quantiles of the backtest errors' magnitudes in each stretch of the
/// horizon (`errors` holds at least one backtest).
fn conformal_intervals(mean: Vec<f64>, errors: &[Vec<f64>]) -> Forecast {
    let horizon = mean.len();
    let bucket_of = |h: usize| h * HORIZON_BUCKETS / horizon.max(1);
    let half_width = |level: f64| -> Vec<f64> {
        let widths: Vec<f64> = (0..HORIZON_BUCKETS)
            .map(|bucket| {
                let mut scores: Vec<f64> = errors
                    .iter()
                    .flat_map(|e| e.iter().enumerate())
                    .filter(|(h, _)| bucket_of(*h) == bucket)
                    .map(|(_, e)| e.abs())
                    .collect();
                conformal_quantile(&mut scores, level)
            })
            .collect();
        (0..horizon).map(|h| widths[bucket_of(h)]).collect()
    };
    let (w80, w95) = (half_width(0.8), half_width(0.95));
    let shifted = |w: &[f64], sign: f64| -> Vec<f64> {
        mean.iter().zip(w).map(|(m, w)| m + sign * w).collect()
    };
    Forecast {
        lower_80: shifted(&w80, -1.0),
        upper_80: shifted(&w80, 1.0),
        lower_95: shifted(&w95, -1.0),
        upper_95: shifted(&w95, 1.0),
        mean,
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

    /// Deterministic noise in [-0.5, 0.5).
    fn noise(i: usize) -> f64 {
        let x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let x = (x ^ (x >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        ((x ^ (x >> 29)) >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }

    #[test]
    fn weekly_seasonality_is_found() {
        let all = weekly_pattern(24 * 7 * 8);
        let (history, future) = all.split_at(all.len() - 48 - 24 * 4); // the forecast crosses a weekend
        let combined = forecast_auto(history, 24, 48).unwrap();
        assert!(
            combined.models.iter().all(|m| matches!(
                m,
                ForecastModel::SeasonalNaive { period: 168 }
                    | ForecastModel::SeasonalProfile { period: 168, .. }
                    | ForecastModel::SeasonalAutoregression { period: 168, .. }
            )),
            "{combined:?}"
        );
        let error = combined
            .forecast
            .mean
            .iter()
            .zip(future)
            .map(|(f, y)| (f - y).abs())
            .fold(0.0, f64::max);
        assert!(error < 0.5, "{error}");
    }

    #[test]
    fn intervals_cover_what_the_backtests_missed_by() {
        // A daily rhythm in noise of ±5: the 95 % interval is about ±4.75 wide
        // (the noise's own 95 % quantile), and the 80 % one narrower.
        let all: Vec<f64> = (0..24 * 40)
            .map(|t| 50.0 + 10.0 * ((t % 24) as f64 / 4.0).sin() + 10.0 * noise(t))
            .collect();
        let (history, future) = all.split_at(all.len() - 48);
        let combined = forecast_auto(history, 24, 48).unwrap();
        let f = &combined.forecast;
        let half_95 = (f.upper_95[10] - f.lower_95[10]) / 2.0;
        let half_80 = (f.upper_80[10] - f.lower_80[10]) / 2.0;
        assert!(half_95 > 4.0 && half_95 < 9.0, "{half_95}");
        assert!(half_80 < half_95, "{half_80} {half_95}");
        let covered = future
            .iter()
            .enumerate()
            .filter(|&(h, y)| *y >= f.lower_95[h] && *y <= f.upper_95[h])
            .count();
        assert!(covered >= 44, "{covered} of 48");
        assert_eq!(combined.origins, MAX_ORIGINS);
    }

    #[test]
    fn a_trend_is_followed() {
        let all: Vec<f64> = (0..24 * 30)
            .map(|t| 100.0 + 0.5 * t as f64 + 5.0 * ((t % 24) as f64 / 4.0).sin() + noise(t))
            .collect();
        let (history, future) = all.split_at(all.len() - 48);
        let combined = forecast_auto(history, 24, 48).unwrap();
        assert!(
            combined
                .models
                .iter()
                .all(|m| matches!(m, ForecastModel::SeasonalAutoregression { .. })),
            "models that follow a drift: {combined:?}"
        );
        let naive = seasonal_naive(history, 24, 48).unwrap().mean;
        let error = |f: &[f64]| {
            f.iter()
                .zip(future)
                .map(|(f, y)| (f - y).abs())
                .sum::<f64>()
        };
        assert!(
            error(&combined.forecast.mean) < error(&naive),
            "the drift helps"
        );
    }

    #[test]
    fn the_forecast_is_causal_and_gaps_or_short_histories_are_handled() {
        let all = weekly_pattern(24 * 30);
        let first = forecast_auto(&all[..600], 24, 48).unwrap();
        let mut altered = all.clone();
        altered[650] = 1e9; // the future
        assert_eq!(forecast_auto(&altered[..600], 24, 48).unwrap(), first);
        // Too short for any seasonal model.
        assert!(forecast_auto(&all[..40], 24, 48).is_none());
        assert!(forecast_auto(&all[..100], 24, 0).is_none());
        // Long enough for a daily model but no backtest: a forecast without drama.
        let short = forecast_auto(&all[..60], 24, 12).unwrap();
        assert!(short.forecast.mean.iter().all(|v| v.is_finite()));
        // A constant series: zero-width intervals at the constant.
        let flat = forecast_auto(&[7.0; 24 * 20], 24, 48).unwrap();
        assert!(flat.forecast.mean.iter().all(|&v| (v - 7.0).abs() < 1e-9));
        assert!(flat
            .forecast
            .upper_95
            .iter()
            .all(|&v| (v - 7.0).abs() < 1e-9));
        // A gap (NaN) in the history: no model forecasts from it, and nothing panics.
        let mut gapped = weekly_pattern(24 * 20);
        gapped[400] = f64::NAN;
        if let Some(gap) = forecast_auto(&gapped, 24, 48) {
            let f = &gap.forecast;
            assert!(f
                .mean
                .iter()
                .chain(&f.lower_95)
                .chain(&f.upper_95)
                .all(|v| v.is_finite()));
        }
        // Negative values: modelled on the raw scale.
        let negative: Vec<f64> = weekly_pattern(24 * 20).iter().map(|v| v - 150.0).collect();
        assert!(forecast_auto(&negative, 24, 48).is_some());
        // A model asked for no seasons or no period declines instead of panicking.
        let empty_profile = ForecastModel::SeasonalProfile {
            period: 24,
            seasons: 0,
        };
        assert!(empty_profile.forecast(&all, 48).is_none());
        let no_period = ForecastModel::SeasonalProfile {
            period: 0,
            seasons: 3,
        };
        assert!(no_period.forecast(&all, 48).is_none());
        let no_other_period = ForecastModel::SeasonalAutoregression {
            period: 24,
            other_period: 0,
        };
        assert!(no_other_period.forecast(&all, 48).is_some());
    }

    #[test]
    fn the_conformal_quantile_is_the_textbook_one() {
        let mut scores: Vec<f64> = (1..=19).map(f64::from).collect();
        assert_eq!(conformal_quantile(&mut scores, 0.95), 19.0);
        assert_eq!(conformal_quantile(&mut scores, 0.8), 16.0);
        assert!(conformal_quantile(&mut [], 0.8).is_nan());
    }
}
