//! What a time-series panel draws beyond the data: a forecast past the end of
//! the range with 80 %/95 % bands, the points the causal detector flags, and
//! when the series is expected to cross a configured value.

use super::anomaly_detector::{score_series, DetectorConfig};
use super::forecast_selection::forecast_auto;
use super::linear_forecast::linear_regression;
use super::seasonal_forecast::{forecast_from, Forecast};
use super::time_to_threshold::{time_until_crossing, Crossing};
use crate::dashboard_model::{ForecastKind, ForesightOptions};
use crate::query_step::QueryWindow;
use crate::series::Series;

/// Overlays of one series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeriesOverlay {
    /// Future timestamps and the forecast at each.
    pub forecast: Option<(Vec<f64>, Forecast)>,
    /// Indices of anomalous samples.
    pub anomalies: Vec<usize>,
    pub crossing: Option<Crossing>,
}

/// How far past the end of the range forecasts reach: a quarter of the range.
pub fn forecast_horizon_seconds(window: &QueryWindow) -> f64 {
    (window.end - window.start) / 4.0
}

/// The last run of finite samples (models need gap-free input).
fn finite_tail(series: &Series) -> (&[f64], &[f64]) {
    let start = series
        .values
        .iter()
        .rposition(|v| !v.is_finite())
        .map_or(0, |i| i + 1);
    (&series.timestamps[start..], &series.values[start..])
}

/// Least-squares line over the last quarter of the range, with prediction intervals.
fn linear_forecast(
    timestamps: &[f64],
    values: &[f64],
    now: f64,
    fit_seconds: f64,
    future: &[f64],
) -> Option<Forecast> {
    let from = timestamps.partition_point(|&t| t < now - fit_seconds);
    let (ts, vs) = (&timestamps[from..], &values[from..]);
    if ts.len() < 3 {
        return None;
    }
    let (slope, intercept) = linear_regression(ts, vs, now)?;
    let n = ts.len() as f64;
    let mean_x = ts.iter().map(|t| t - now).sum::<f64>() / n;
    let sxx: f64 = ts
        .iter()
        .map(|t| (t - now - mean_x).powi(2))
        .sum::<f64>()
        .max(1e-12);
    let residual_sd = (ts
        .iter()
        .zip(vs)
        .map(|(t, v)| (v - intercept - slope * (t - now)).powi(2))
        .sum::<f64>()
        / (n - 2.0))
        .sqrt();
    let mean: Vec<f64> = future
        .iter()
        .map(|t| intercept + slope * (t - now))
        .collect();
    let sd: Vec<f64> = future
        .iter()
        .map(|t| residual_sd * (1.0 + 1.0 / n + (t - now - mean_x).powi(2) / sxx).sqrt())
        .collect();
    Some(forecast_from(mean, &sd, |v| v))
}

pub fn overlay_for(
    series: &Series,
    window: &QueryWindow,
    options: &ForesightOptions,
) -> SeriesOverlay {
    let mut overlay = SeriesOverlay::default();
    if options.anomalies {
        let config = DetectorConfig::default();
        overlay.anomalies = score_series(&series.values, config)
            .iter()
            .enumerate()
            .filter(|(_, &score)| score >= config.report_score)
            .map(|(index, _)| index)
            .collect();
    }
    let (timestamps, values) = finite_tail(series);
    if let Some(kind) = options.forecast {
        let horizon = forecast_horizon_seconds(window);
        let steps = ((horizon / window.step).ceil() as usize).clamp(1, 2000);
        let future: Vec<f64> = (1..=steps)
            .map(|k| window.end + window.step * k as f64)
            .collect();
        let daily_period = (86_400.0 / window.step).round() as usize;
        let seasonal = kind == ForecastKind::Seasonal
            && daily_period >= 2
            && values.len() >= 3 * daily_period + steps;
        let forecast = if seasonal {
            forecast_auto(values, daily_period, steps).map(|(_, f)| f)
        } else {
            linear_forecast(timestamps, values, window.end, horizon, &future)
        };
        overlay.forecast = forecast.map(|f| (future, f));
    }
    if let Some(crossing) = &options.crossing {
        // Only crossings that are near enough and reasonably certain are worth saying.
        overlay.crossing = time_until_crossing(
            timestamps,
            values,
            window.end,
            crossing.value,
            crossing.window_seconds,
        )
        .filter(|c| c.seconds <= crossing.max_seconds && c.plus_minus_seconds < c.seconds / 2.0);
    }
    overlay
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::Labels;

    fn window() -> QueryWindow {
        QueryWindow {
            start: 0.0,
            end: 3600.0 * 6.0,
            step: 60.0,
        }
    }

    fn falling(gap: bool) -> Series {
        let timestamps: Vec<f64> = (0..=360).map(|i| f64::from(i) * 60.0).collect();
        // A falling line with a little deterministic noise, as real data has.
        let mut values: Vec<f64> = timestamps
            .iter()
            .enumerate()
            .map(|(i, t)| 1000.0 - t / 60.0 + ((i * 7919) % 11) as f64 * 0.3)
            .collect();
        if gap {
            values[100] = f64::NAN;
        }
        Series {
            labels: Labels::new(),
            timestamps,
            values,
        }
    }

    #[test]
    fn a_linear_forecast_continues_the_line_for_a_quarter_of_the_range() {
        let options = ForesightOptions {
            forecast: Some(ForecastKind::Linear),
            ..Default::default()
        };
        let overlay = overlay_for(&falling(true), &window(), &options);
        let (future, forecast) = overlay.forecast.unwrap();
        assert_eq!(
            future.len(),
            90,
            "a quarter of six hours at one-minute steps"
        );
        assert!(
            (forecast.mean[89] - (1000.0 + 1.5 - future[89] / 60.0)).abs() < 2.0,
            "{}",
            forecast.mean[89]
        );
        assert!(
            forecast.lower_95[0] <= forecast.mean[0] && forecast.mean[0] <= forecast.upper_95[0]
        );
    }

    #[test]
    fn crossings_and_anomalies_are_reported_when_asked() {
        let options = ForesightOptions {
            crossing: Some(crate::dashboard_model::CrossingOption {
                value: 0.0,
                label: "full".into(),
                window_seconds: 3600.0,
                max_seconds: 30.0 * 86_400.0,
            }),
            anomalies: true,
            ..Default::default()
        };
        let mut series = falling(false);
        series.values[300] += 5000.0;
        let overlay = overlay_for(&series, &window(), &options);
        assert!(overlay.anomalies.contains(&300), "{:?}", overlay.anomalies);
        assert!(
            overlay.crossing.is_none(),
            "a spike in the fitted hour makes the crossing too uncertain to state"
        );
        // On the clean line, 640 left at one per minute: about 640 minutes to zero.
        let crossing = overlay_for(&falling(false), &window(), &options)
            .crossing
            .unwrap();
        assert!(
            (crossing.seconds - 641.5 * 60.0).abs() < 600.0,
            "{crossing:?}"
        );
        assert!(overlay.forecast.is_none());
    }
}
