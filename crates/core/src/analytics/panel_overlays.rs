//! What a time-series panel draws beyond the data: a forecast past the end of
//! the range with 80 %/95 % bands, a baseline band, the points the causal
//! detector flags (grouped into incidents), and when the series is expected to
//! cross a configured value.

use super::anomaly_detector::{score_series_detailed, DetectorConfig, PointScore};
use super::baseline::{matching_reference, offset_band, seasonal_band, BaselineBand};
use super::forecast_selection::forecast_auto;
use super::incidents::{merge_incidents, Incident};
use super::linear_forecast::linear_regression;
use super::seasonal_forecast::{forecast_from, Forecast};
use super::time_to_threshold::{time_until_crossing, Crossing};
use crate::analytics::options::{BaselineKind, ForecastKind, ForesightOptions};
use crate::query::series::Series;
use crate::query::step::QueryWindow;

/// Overlays of one series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeriesOverlay {
    /// Future timestamps and the forecast at each.
    pub forecast: Option<(Vec<f64>, Forecast)>,
    /// Each sample's anomaly score and expected value (empty when anomalies are off).
    pub scores: Vec<PointScore>,
    /// Indices of reported samples.
    pub anomalies: Vec<usize>,
    /// Reported samples grouped into excursions.
    pub incidents: Vec<Incident>,
    /// The baseline band, or why there is none (`None` while its data loads).
    pub baseline: Option<Result<BaselineBand, String>>,
    pub crossing: Option<Crossing>,
}

/// What the baseline's extra query returned (series already on the panel's time axis).
pub type BaselineReference = Result<Vec<Series>, String>;

/// How far past the end of the range the forecast reaches (`None` without one).
pub fn forecast_horizon(window: &QueryWindow, options: &ForesightOptions) -> Option<f64> {
    options.horizon_seconds(window.end - window.start)
}

/// Where the x axis ends: past the data by the forecast horizon when forecasting.
pub fn axis_end(window: &QueryWindow, options: &ForesightOptions) -> f64 {
    window.end + forecast_horizon(window, options).unwrap_or(0.0)
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

fn baseline_band(
    series: &Series,
    window: &QueryWindow,
    options: &ForesightOptions,
    kind: BaselineKind,
    references: &[Series],
) -> Result<BaselineBand, String> {
    let reference = matching_reference(series, references)
        .ok_or_else(|| format!("no data for this series at the {}", kind.describe()))?;
    let sigmas = options.sensitivity.band_sigmas();
    let until = axis_end(window, options);
    match kind {
        BaselineKind::DayAgo | BaselineKind::WeekAgo => {
            offset_band(series, reference, sigmas, window.start, until, window.step)
        }
        BaselineKind::Seasonal => {
            seasonal_band(reference, sigmas, window.start, until, window.step)
        }
    }
}

pub fn overlay_for(
    series: &Series,
    window: &QueryWindow,
    options: &ForesightOptions,
    reference: Option<&BaselineReference>,
) -> SeriesOverlay {
    let mut overlay = SeriesOverlay::default();
    if let (Some(kind), Some(reference)) = (options.baseline, reference) {
        overlay.baseline = Some(match reference {
            Ok(references) => baseline_band(series, window, options, kind, references),
            Err(message) => Err(message.clone()),
        });
    }
    if options.anomalies {
        // The configuration the NAB benchmark scores (its seasonal stage aside:
        // here the day- or week-ago baseline plays that part).
        let config = DetectorConfig {
            report_score: options.sensitivity.report_score(),
            ..DetectorConfig::with_density_stage()
        };
        // Against a day- or week-ago baseline (which is strictly in the past, so
        // detection stays causal) the detector judges the difference from it:
        // the daily rhythm is gone and a drop at the busiest hour stands out.
        let offset_center = match (options.baseline, &overlay.baseline) {
            (Some(BaselineKind::DayAgo | BaselineKind::WeekAgo), Some(Ok(band))) => Some(band),
            _ => None,
        };
        let centers: Vec<f64> = match offset_center {
            Some(band) => series
                .timestamps
                .iter()
                .map(|&t| {
                    band.at(t, window.step / 2.0)
                        .map_or(f64::NAN, |(c, _, _)| c)
                })
                .collect(),
            None => vec![0.0; series.values.len()],
        };
        let judged: Vec<f64> = series
            .values
            .iter()
            .zip(&centers)
            .map(|(v, c)| v - c)
            .collect();
        let mut scores = score_series_detailed(&judged, config);
        overlay.incidents = merge_incidents(&judged, &scores, config.report_score);
        for (point, center) in scores.iter_mut().zip(&centers) {
            point.expected += center;
        }
        for incident in &mut overlay.incidents {
            incident.expected += centers[incident.start_index];
        }
        overlay.anomalies = scores
            .iter()
            .enumerate()
            .filter(|(_, point)| point.score >= config.report_score)
            .map(|(index, _)| index)
            .collect();
        overlay.scores = scores;
    }
    let (timestamps, values) = finite_tail(series);
    if let (Some(kind), Some(horizon)) = (options.forecast, forecast_horizon(window, options)) {
        let steps = ((horizon / window.step).ceil() as usize).clamp(1, 2000);
        let future: Vec<f64> = (1..=steps)
            .map(|k| window.end + window.step * k as f64)
            .collect();
        let daily_period = (86_400.0 / window.step).round() as usize;
        let seasonal = kind == ForecastKind::Seasonal
            && daily_period >= 2
            && values.len() >= 3 * daily_period + steps;
        let forecast = if seasonal {
            forecast_auto(values, daily_period, steps).map(|c| c.forecast)
        } else {
            linear_forecast(timestamps, values, window.end, horizon, &future)
        };
        let (low, high) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        // A seasonal model repeats what the series did: a band far beyond its
        // range says only that the model is unsure, and would rescale the chart.
        let (low, high) = if seasonal {
            let margin = FORECAST_RANGE_MARGIN * (high - low);
            (low - margin, high + margin)
        } else {
            (f64::NEG_INFINITY, f64::INFINITY)
        };
        // A series that has never been negative (rates, counts, bytes) is not forecast below zero.
        let low = if values.iter().all(|v| *v >= 0.0) {
            low.max(0.0)
        } else {
            low
        };
        overlay.forecast = forecast.map(|f| (future, within(f, low, high)));
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

/// How far beyond the series' own range (as a share of it) a seasonal
/// forecast's bands may reach on each side: a forecast never rescales the chart it sits on.
pub const FORECAST_RANGE_MARGIN: f64 = 0.5;

/// `forecast` with every band held within `low..=high`.
fn within(mut forecast: Forecast, low: f64, high: f64) -> Forecast {
    for band in [
        &mut forecast.mean,
        &mut forecast.lower_80,
        &mut forecast.upper_80,
        &mut forecast.lower_95,
        &mut forecast.upper_95,
    ] {
        for v in band.iter_mut() {
            *v = v.max(low).min(high);
        }
    }
    forecast
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::series::Labels;

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
        let overlay = overlay_for(&falling(true), &window(), &options, None);
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
            crossing: Some(crate::analytics::options::CrossingOption {
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
        let overlay = overlay_for(&series, &window(), &options, None);
        assert!(overlay.anomalies.contains(&300), "{:?}", overlay.anomalies);
        assert!(
            overlay.crossing.is_none(),
            "a spike in the fitted hour makes the crossing too uncertain to state"
        );
        // On the clean line, 640 left at one per minute: about 640 minutes to zero.
        let crossing = overlay_for(&falling(false), &window(), &options, None)
            .crossing
            .unwrap();
        assert!(
            (crossing.seconds - 641.5 * 60.0).abs() < 600.0,
            "{crossing:?}"
        );
        assert!(overlay.forecast.is_none());
    }

    #[test]
    fn against_last_week_a_drop_at_the_busiest_hour_is_one_downward_incident() {
        let step = 300.0;
        let points: usize = 4 * 288;
        let timestamps: Vec<f64> = (0..points).map(|i| i as f64 * step).collect();
        // Pseudo-random noise of ±5 (SplitMix64 finaliser; another stream for each week).
        let daily = |t: f64, i: usize| {
            let mut x = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            let noise = (x ^ (x >> 31)) % 1000;
            100.0 + 60.0 * (t / 86_400.0 * std::f64::consts::TAU).sin() + noise as f64 / 100.0 - 5.0
        };
        let last_week = Series {
            labels: Labels::new(),
            timestamps: timestamps.clone(),
            values: timestamps
                .iter()
                .enumerate()
                .map(|(i, &t)| daily(t, i + 3))
                .collect(),
        };
        let mut now = Series {
            labels: Labels::new(),
            timestamps: timestamps.clone(),
            values: timestamps
                .iter()
                .enumerate()
                .map(|(i, &t)| daily(t, i))
                .collect(),
        };
        // Three days in, at the daily peak: traffic falls to 60 % for an hour.
        let peak = 3 * 288 + 72;
        for v in &mut now.values[peak..peak + 12] {
            *v *= 0.6;
        }
        let window = QueryWindow {
            start: 0.0,
            end: timestamps[points - 1],
            step,
        };
        let options = ForesightOptions {
            baseline: Some(BaselineKind::WeekAgo),
            anomalies: true,
            ..Default::default()
        };
        let reference: BaselineReference = Ok(vec![last_week]);
        let overlay = overlay_for(&now, &window, &options, Some(&reference));
        let band = overlay.baseline.clone().unwrap().unwrap();
        assert_eq!(band.timestamps.len(), points);
        assert_eq!(overlay.incidents.len(), 1, "{:?}", overlay.incidents);
        let incident = overlay.incidents[0];
        assert_eq!(
            incident.direction,
            crate::analytics::incidents::Direction::Down
        );
        assert!(incident.start_index >= peak && incident.start_index <= peak + 2);
        assert_eq!(incident.end_index, peak + 11);
        assert!(
            (overlay.scores[peak].expected - 160.0).abs() < 10.0,
            "{:?}",
            overlay.scores[peak]
        );
        // A failed baseline query is a note, and detection still runs on the raw values.
        let failed: BaselineReference = Err("the baseline query failed: timeout".into());
        let overlay = overlay_for(&now, &window, &options, Some(&failed));
        assert_eq!(
            overlay.baseline,
            Some(Err("the baseline query failed: timeout".to_string()))
        );
        assert_eq!(overlay.scores.len(), points);
    }

    #[test]
    fn a_never_negative_series_is_not_forecast_below_zero() {
        let options = ForesightOptions {
            forecast: Some(ForecastKind::Linear),
            ..Default::default()
        };
        // Falling steeply towards zero: the line would cross it within the horizon.
        let mut series = falling(false);
        for (i, v) in series.values.iter_mut().enumerate() {
            *v = (360.0 - i as f64) * 0.5;
        }
        let (_, forecast) = overlay_for(&series, &window(), &options, None)
            .forecast
            .unwrap();
        assert!(forecast
            .lower_95
            .iter()
            .chain(&forecast.mean)
            .all(|v| *v >= 0.0));
        assert_eq!(*forecast.mean.last().unwrap(), 0.0);
    }

    #[test]
    fn a_seasonal_forecast_of_a_spiky_series_stays_near_its_range() {
        // Latency at a 10-minute step for 16 days: ~2 s with a daily rhythm and,
        // now and then, a spike to 10 s (normal for this series).
        let step = 600.0;
        let points = 16 * 144;
        let timestamps: Vec<f64> = (0..points).map(|i| i as f64 * step).collect();
        let values: Vec<f64> = (0..points)
            .map(|i| {
                let daily = 0.4 * ((i % 144) as f64 / 144.0 * std::f64::consts::TAU).sin();
                let spike = if i % 97 == 0 { 8.0 } else { 0.0 };
                2.0 + daily + spike
            })
            .collect();
        let series = Series {
            labels: Labels::default(),
            timestamps,
            values,
        };
        let window = QueryWindow {
            start: 0.0,
            end: (points - 1) as f64 * step,
            step,
        };
        let options = ForesightOptions {
            forecast: Some(ForecastKind::Seasonal),
            ..Default::default()
        };
        let (_, forecast) = overlay_for(&series, &window, &options, None)
            .forecast
            .unwrap();
        // The series spans 1.6–10 s; no band reaches beyond half that range past it.
        let (low, high) = (1.6 - 0.5 * 8.4, 10.4 + 0.5 * 8.4);
        for band in [&forecast.lower_95, &forecast.upper_95, &forecast.mean] {
            assert!(band.iter().all(|v| *v >= low - 1e-9 && *v <= high + 1e-9));
        }
        // And the typical forecast sits with the series, not with its spikes.
        let mut mean = forecast.mean.clone();
        mean.sort_by(f64::total_cmp);
        assert!(mean[mean.len() / 2] < 3.0, "{}", mean[mean.len() / 2]);
        let clamped = within(
            Forecast {
                mean: vec![5.0],
                lower_80: vec![-100.0],
                upper_80: vec![100.0],
                lower_95: vec![-100.0],
                upper_95: vec![100.0],
            },
            -5.0,
            15.0,
        );
        assert_eq!((clamped.lower_95[0], clamped.upper_95[0]), (-5.0, 15.0));
    }
}
