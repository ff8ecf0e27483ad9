//! Seasonal forecasts with prediction intervals: additive Holt-Winters with a
//! damped trend (on the log scale for positive series, which makes the
//! seasonality multiplicative), parameters chosen by one-step in-sample error,
//! and seasonal naive as the reference every model must beat.

/// A forecast: point values and central prediction intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub mean: Vec<f64>,
    pub lower_80: Vec<f64>,
    pub upper_80: Vec<f64>,
    pub lower_95: Vec<f64>,
    pub upper_95: Vec<f64>,
}

/// Standard-normal quantiles of the central 80 % and 95 % intervals.
pub const Z_80: f64 = 1.281_551_565_5;
pub const Z_95: f64 = 1.959_963_985;

/// A forecast from means and standard deviations on the model's scale, with
/// `transform_back` mapping both to the data's scale (e.g. `exp` after logs).
pub fn forecast_from(mean: Vec<f64>, sd: &[f64], transform_back: impl Fn(f64) -> f64) -> Forecast {
    let bound = |z: f64, sign: f64| {
        mean.iter()
            .zip(sd)
            .map(|(m, s)| transform_back(m + sign * z * s))
            .collect::<Vec<_>>()
    };
    Forecast {
        lower_80: bound(Z_80, -1.0),
        upper_80: bound(Z_80, 1.0),
        lower_95: bound(Z_95, -1.0),
        upper_95: bound(Z_95, 1.0),
        mean: mean.iter().map(|&m| transform_back(m)).collect(),
    }
}

/// Seasonal naive: each future point repeats the same phase of the last season;
/// intervals from the spread of seasonal differences, widening per season ahead.
pub fn seasonal_naive(history: &[f64], period: usize, horizon: usize) -> Option<Forecast> {
    if period == 0 || history.len() < 2 * period {
        return None;
    }
    let n = history.len();
    let differences: Vec<f64> = (period..n)
        .map(|t| history[t] - history[t - period])
        .collect();
    let sd = (differences.iter().map(|d| d * d).sum::<f64>() / differences.len() as f64).sqrt();
    let mean: Vec<f64> = (0..horizon)
        .map(|h| history[n - period + h % period])
        .collect();
    let spread: Vec<f64> = (0..horizon)
        .map(|h| sd * ((h / period + 1) as f64).sqrt())
        .collect();
    Some(forecast_from(mean, &spread, |v| v))
}

/// The parameter grid Holt-Winters is fitted on, and the coarse subset the search starts from.
const ALPHAS: [f64; 7] = [0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9];
const BETAS: [f64; 4] = [0.0, 0.005, 0.02, 0.05];
const GAMMAS: [f64; 5] = [0.01, 0.05, 0.1, 0.2, 0.35];
const PHIS: [f64; 3] = [0.9, 0.98, 1.0];
const COARSE_ALPHAS: [usize; 4] = [0, 2, 4, 6];
const COARSE_BETAS: [usize; 2] = [0, 2];
const COARSE_GAMMAS: [usize; 3] = [0, 2, 4];
const COARSE_PHIS: [usize; 2] = [1, 2];

/// Smoothing parameters of damped additive Holt-Winters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoltWintersParameters {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
}

struct FittedState {
    level: f64,
    trend: f64,
    seasonal: Vec<f64>,
    squared_error: f64,
    steps: usize,
}

/// Runs the recursions; the squared one-step error is measured on the original
/// scale (`back` undoes the model's transform) so that raw and log fits compare.
fn run_holt_winters(
    values: &[f64],
    originals: &[f64],
    back: fn(f64) -> f64,
    period: usize,
    p: HoltWintersParameters,
) -> FittedState {
    // Initial state from the first two seasons.
    let first: f64 = values[..period].iter().sum::<f64>() / period as f64;
    let second: f64 = values[period..2 * period].iter().sum::<f64>() / period as f64;
    let mut level = first;
    let mut trend = (second - first) / period as f64;
    let mut seasonal: Vec<f64> = values[..period].iter().map(|v| v - first).collect();
    let (mut squared_error, mut steps) = (0.0, 0);
    for (t, &y) in values.iter().enumerate().skip(period) {
        let s = seasonal[t % period];
        let predicted = level + p.phi * trend + s;
        let error = y - predicted;
        let original_error = originals[t] - back(predicted);
        squared_error += original_error * original_error;
        steps += 1;
        let new_level = level + p.phi * trend + p.alpha * error;
        trend = p.phi * trend + p.beta * error;
        seasonal[t % period] = s + p.gamma * error;
        level = new_level;
    }
    FittedState {
        level,
        trend,
        seasonal,
        squared_error,
        steps,
    }
}

fn model_scale_mse(values: &[f64], period: usize, p: HoltWintersParameters) -> f64 {
    let state = run_holt_winters(values, values, |v| v, period, p);
    state.squared_error / state.steps.max(1) as f64
}

/// Fits damped additive Holt-Winters by grid search on one-step in-sample error
/// and forecasts `horizon` steps, on the raw scale or (for positive series) in
/// logs, whichever predicts better one step ahead on the original scale.
pub fn holt_winters(history: &[f64], period: usize, horizon: usize) -> Option<Forecast> {
    if period < 2 || history.len() < 3 * period || history.iter().any(|v| !v.is_finite()) {
        return None;
    }
    // Raw (additive seasonality) and, for positive series, logs (multiplicative).
    let logs: Option<Vec<f64>> = history
        .iter()
        .all(|&v| v > 0.0)
        .then(|| history.iter().map(|v| v.ln()).collect());
    let mut best: Option<(f64, HoltWintersParameters, FittedState, bool)> = None;
    for (values, in_logs) in [(Some(history.to_vec()), false), (logs, true)] {
        let Some(values) = values else { continue };
        let back: fn(f64) -> f64 = if in_logs { f64::exp } else { |v| v };
        let fit = |at: [usize; 4]| {
            let parameters = HoltWintersParameters {
                alpha: ALPHAS[at[0]],
                beta: BETAS[at[1]],
                gamma: GAMMAS[at[2]],
                phi: PHIS[at[3]],
            };
            let state = run_holt_winters(&values, history, back, period, parameters);
            (
                state.squared_error / state.steps.max(1) as f64,
                parameters,
                state,
            )
        };
        // A coarse pass over every fourth-ish grid point, then a greedy walk to
        // neighbouring grid values while the fit improves: a fraction of the
        // exhaustive search's cost for nearly the same choice.
        let mut here: Option<([usize; 4], (f64, HoltWintersParameters, FittedState))> = None;
        for a in COARSE_ALPHAS {
            for b in COARSE_BETAS {
                for g in COARSE_GAMMAS {
                    for f in COARSE_PHIS {
                        let candidate = fit([a, b, g, f]);
                        if here.as_ref().is_none_or(|(_, h)| candidate.0 < h.0) {
                            here = Some(([a, b, g, f], candidate));
                        }
                    }
                }
            }
        }
        let Some((mut at, mut current)) = here else {
            continue;
        };
        let sizes = [ALPHAS.len(), BETAS.len(), GAMMAS.len(), PHIS.len()];
        let mut improved = true;
        while improved {
            improved = false;
            for axis in 0..4 {
                for step in [-1_isize, 1] {
                    let Some(moved) = at[axis]
                        .checked_add_signed(step)
                        .filter(|&i| i < sizes[axis])
                    else {
                        continue;
                    };
                    let mut next = at;
                    next[axis] = moved;
                    let candidate = fit(next);
                    if candidate.0 < current.0 {
                        (at, current) = (next, candidate);
                        improved = true;
                    }
                }
            }
        }
        let (mse, parameters, state) = current;
        if best.as_ref().is_none_or(|(b, ..)| mse < *b) {
            best = Some((mse, parameters, state, in_logs));
        }
    }
    let (_, p, state, in_logs) = best?;
    // Interval scale: the one-step error variance on the model's own scale.
    let values: Vec<f64> = if in_logs {
        history.iter().map(|v| v.ln()).collect()
    } else {
        history.to_vec()
    };
    let mse = model_scale_mse(&values, period, p);
    let n = values.len();
    let mut mean = Vec::with_capacity(horizon);
    let mut sd = Vec::with_capacity(horizon);
    let mut damping_sum = 0.0;
    let mut variance_factor = 1.0;
    for h in 1..=horizon {
        damping_sum += p.phi.powi(h as i32);
        mean.push(state.level + damping_sum * state.trend + state.seasonal[(n + h - 1) % period]);
        sd.push((mse * variance_factor).sqrt());
        // Next step's variance adds the squared effect of this step's error (Hyndman et al., class 1).
        let trend_effect: f64 = (1..=h).map(|j| p.phi.powi(j as i32)).sum::<f64>();
        let seasonal_effect = if h % period == 0 { p.gamma } else { 0.0 };
        let c = p.alpha * (1.0 + p.beta / p.alpha.max(1e-9) * trend_effect) + seasonal_effect;
        variance_factor += c * c;
    }
    Some(if in_logs {
        forecast_from(mean, &sd, f64::exp)
    } else {
        forecast_from(mean, &sd, |v| v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daily_wave(n: usize, trend: f64) -> Vec<f64> {
        (0..n)
            .map(|t| {
                100.0
                    + trend * t as f64
                    + 20.0 * (std::f64::consts::TAU * (t % 24) as f64 / 24.0).sin()
            })
            .collect()
    }

    #[test]
    fn seasonal_naive_repeats_the_last_season() {
        let history = daily_wave(240, 0.0);
        let forecast = seasonal_naive(&history, 24, 48).unwrap();
        assert_eq!(forecast.mean[0], history[216]);
        assert_eq!(forecast.mean[30], history[216 + 6]);
        assert!(seasonal_naive(&history[..30], 24, 48).is_none());
    }

    #[test]
    fn holt_winters_follows_trend_and_season() {
        let all = daily_wave(24 * 20, 0.2);
        let (history, future) = all.split_at(24 * 18);
        let forecast = holt_winters(history, 24, 48).unwrap();
        let error = forecast
            .mean
            .iter()
            .zip(future)
            .map(|(f, y)| (f - y).abs())
            .fold(0.0, f64::max);
        let naive = seasonal_naive(history, 24, 48).unwrap();
        let naive_error = naive
            .mean
            .iter()
            .zip(future)
            .map(|(f, y)| (f - y).abs())
            .fold(0.0, f64::max);
        assert!(
            error < 0.3 * naive_error && error < 3.0,
            "max error {error}, seasonal naive {naive_error}"
        );
        for h in 0..48 {
            assert!(
                forecast.lower_95[h] <= forecast.lower_80[h]
                    && forecast.lower_80[h] <= forecast.mean[h]
            );
            assert!(
                forecast.mean[h] <= forecast.upper_80[h]
                    && forecast.upper_80[h] <= forecast.upper_95[h]
            );
        }
    }

    #[test]
    fn intervals_widen_with_the_horizon_on_noisy_data() {
        let history: Vec<f64> = (0..24 * 20)
            .map(|t| 50.0 + ((t * 7919) % 17) as f64 - 8.0 + 10.0 * ((t % 24) as f64 / 24.0))
            .collect();
        let forecast = holt_winters(&history, 24, 48).unwrap();
        let width = |h: usize| forecast.upper_95[h] - forecast.lower_95[h];
        assert!(width(47) >= width(0));
        assert!(holt_winters(&history[..50], 24, 48).is_none(), "too short");
    }
}
