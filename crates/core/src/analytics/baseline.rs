//! Baseline bands: the range a series normally lives in at this time of day or
//! week, drawn under the line so a deviation is visible before any threshold.
//!
//! Two sources, each one extra query:
//! - **offset** (`1d`, `1w`): the same query evaluated one day or one week
//!   earlier, shifted forward. The band is that curve ± k robust standard
//!   deviations of the difference between now and then (1.4826 · MAD of the
//!   residuals around their median), so a series that is as noisy as last week
//!   stays inside and one that has moved leaves it. It reaches past "now", as
//!   last week's data already covers the future.
//! - **seasonal**: the last seven days at a coarser step; for each phase of the
//!   day (buckets of the history step, pooled with their neighbours), the median
//!   ± k · 1.4826 · MAD of the values seen at that phase. Robust to the
//!   incidents it contains.
//!
//! Gaps stay gaps (a band is never drawn across missing data). Missing history
//! degrades to a note saying what is missing instead of a band.

use super::median_of_unsorted;
use crate::analytics::options::BaselineKind;
use crate::query::series::Series;
use crate::query::step::QueryWindow;

const ROBUST_SIGMA_PER_MAD: f64 = 1.4826;
const DAY_SECONDS: f64 = 86_400.0;
const WEEK_SECONDS: f64 = 7.0 * DAY_SECONDS;
/// Prometheus refuses range queries of more than 11 000 points.
const MAX_HISTORY_POINTS: f64 = 10_000.0;
/// Days of history the seasonal band needs, and days it asks for.
const SEASONAL_MIN_DAYS: f64 = 3.0;
const SEASONAL_HISTORY_DAYS: f64 = 7.0;
/// Fewer pooled values than this at a phase leave a gap in the seasonal band.
const MIN_VALUES_PER_PHASE: usize = 5;
/// Pairs of (now, then) needed to estimate the offset band's width from residuals.
const MIN_RESIDUALS: usize = 10;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BaselineBand {
    pub timestamps: Vec<f64>,
    pub center: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

impl BaselineBand {
    /// The band at `t` when a band point lies within `tolerance` seconds of it.
    pub fn at(&self, t: f64, tolerance: f64) -> Option<(f64, f64, f64)> {
        let index = crate::chart::geometry::nearest_sample(&self.timestamps, t, tolerance)?;
        Some((self.center[index], self.lower[index], self.upper[index]))
    }

    fn push(&mut self, t: f64, center: f64, half_width: f64) {
        self.timestamps.push(t);
        self.center.push(center);
        self.lower.push(center - half_width);
        self.upper.push(center + half_width);
    }
}

/// The extra query a baseline needs: its window, and how far its answer must
/// be shifted forward in time (seconds) to line up with the panel.
pub fn baseline_query_window(
    kind: BaselineKind,
    window: &QueryWindow,
    until: f64,
) -> (QueryWindow, f64) {
    match kind {
        BaselineKind::DayAgo | BaselineKind::WeekAgo => {
            let offset = if kind == BaselineKind::DayAgo {
                DAY_SECONDS
            } else {
                WEEK_SECONDS
            };
            let shifted = QueryWindow {
                start: window.start - offset,
                end: until.max(window.end) - offset,
                step: window.step,
            };
            (shifted, offset)
        }
        BaselineKind::Seasonal => {
            let start = window
                .start
                .min(window.end - SEASONAL_HISTORY_DAYS * DAY_SECONDS);
            let step = window
                .step
                .max(((window.end - start) / MAX_HISTORY_POINTS).ceil());
            let history = QueryWindow {
                start,
                end: window.end,
                step,
            };
            (history, 0.0)
        }
    }
}

/// Moves an offset query's answer forward by `seconds`.
pub fn shift_series(series: &mut Series, seconds: f64) {
    for t in &mut series.timestamps {
        *t += seconds;
    }
}

/// The reference series with the same labels as `series`.
pub fn matching_reference<'a>(series: &Series, references: &'a [Series]) -> Option<&'a Series> {
    references.iter().find(|r| r.labels == series.labels)
}

fn robust_center_and_sigma(values: &mut [f64]) -> (f64, f64) {
    let center = median_of_unsorted(values);
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - center).abs()).collect();
    (
        center,
        ROBUST_SIGMA_PER_MAD * median_of_unsorted(&mut deviations),
    )
}

fn spread_floor(center: f64) -> f64 {
    (1e-9 * center.abs()).max(1e-12)
}

/// Last day's or week's curve (already shifted onto the panel's time axis) ±
/// `sigmas` robust standard deviations of how far the series strays from it.
pub fn offset_band(
    current: &Series,
    reference: &Series,
    sigmas: f64,
    from: f64,
    until: f64,
    step: f64,
) -> Result<BaselineBand, String> {
    let finite_reference = reference.values.iter().filter(|v| v.is_finite()).count();
    if finite_reference < 2 {
        return Err("no data at that time to compare with".into());
    }
    let tolerance = step / 2.0;
    let mut residuals: Vec<f64> = current
        .timestamps
        .iter()
        .zip(&current.values)
        .filter(|(_, v)| v.is_finite())
        .filter_map(|(&t, &v)| {
            let at = crate::chart::geometry::nearest_sample(&reference.timestamps, t, tolerance)?;
            let then = reference.values[at];
            then.is_finite().then_some(v - then)
        })
        .collect();
    let sigma = if residuals.len() >= MIN_RESIDUALS {
        robust_center_and_sigma(&mut residuals).1
    } else {
        // Too little overlap: judge by how much the reference itself moves from
        // one sample to the next (the difference of two samples, like a residual).
        let mut steps: Vec<f64> = reference
            .values
            .windows(2)
            .filter(|w| w[0].is_finite() && w[1].is_finite())
            .map(|w| w[1] - w[0])
            .collect();
        if steps.is_empty() {
            return Err("too little data at that time to compare with".into());
        }
        robust_center_and_sigma(&mut steps).1
    };
    let mut band = BaselineBand::default();
    for (&t, &v) in reference.timestamps.iter().zip(&reference.values) {
        if v.is_finite() && t >= from && t <= until {
            band.push(t, v, sigmas * sigma.max(spread_floor(v)));
        }
    }
    Ok(band)
}

/// Median ± `sigmas` · 1.4826 · MAD of `history` at each time of day, evaluated
/// at every `step` from `from` to `until`.
pub fn seasonal_band(
    history: &Series,
    sigmas: f64,
    from: f64,
    until: f64,
    step: f64,
) -> Result<BaselineBand, String> {
    let finite: Vec<(f64, f64)> = history
        .timestamps
        .iter()
        .zip(&history.values)
        .filter(|(_, v)| v.is_finite())
        .map(|(&t, &v)| (t, v))
        .collect();
    let days = match (finite.first(), finite.last()) {
        (Some(first), Some(last)) => (last.0 - first.0) / DAY_SECONDS,
        _ => 0.0,
    };
    if days < SEASONAL_MIN_DAYS {
        return Err(format!(
            "a time-of-day band needs {SEASONAL_MIN_DAYS} days of history; Prometheus has {days:.1}"
        ));
    }
    let history_step = history
        .timestamps
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    let bucket_seconds = history_step.clamp(300.0, DAY_SECONDS / 24.0);
    let buckets = (DAY_SECONDS / bucket_seconds).round().max(1.0) as usize;
    let bucket_of =
        |t: f64| ((t.rem_euclid(DAY_SECONDS) / bucket_seconds) as usize).min(buckets - 1);
    let mut by_bucket: Vec<Vec<f64>> = vec![Vec::new(); buckets];
    for &(t, v) in &finite {
        by_bucket[bucket_of(t)].push(v);
    }
    let profile: Vec<Option<(f64, f64)>> = (0..buckets)
        .map(|b| {
            let mut pooled: Vec<f64> = [(b + buckets - 1) % buckets, b, (b + 1) % buckets]
                .iter()
                .flat_map(|&n| by_bucket[n].iter().copied())
                .collect();
            (pooled.len() >= MIN_VALUES_PER_PHASE).then(|| robust_center_and_sigma(&mut pooled))
        })
        .collect();
    let mut band = BaselineBand::default();
    let points = ((until - from) / step).floor().max(0.0) as usize;
    for k in 0..=points.min(100_000) {
        let t = from + step * k as f64;
        if let Some((center, sigma)) = profile[bucket_of(t)] {
            band.push(t, center, sigmas * sigma.max(spread_floor(center)));
        }
    }
    Ok(band)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::series::Labels;

    fn series(timestamps: Vec<f64>, values: Vec<f64>) -> Series {
        Series {
            labels: Labels::new(),
            timestamps,
            values,
        }
    }

    /// A daily sine with deterministic noise, at `step` seconds.
    fn daily(start: f64, days: f64, step: f64) -> Series {
        let n = (days * DAY_SECONDS / step) as usize;
        let timestamps: Vec<f64> = (0..n).map(|i| start + i as f64 * step).collect();
        let values = timestamps
            .iter()
            .enumerate()
            .map(|(i, t)| {
                100.0
                    + 50.0 * (t / DAY_SECONDS * std::f64::consts::TAU).sin()
                    + ((i * 7919) % 11) as f64
                    - 5.0
            })
            .collect();
        series(timestamps, values)
    }

    #[test]
    fn the_week_ago_query_covers_the_range_and_the_forecast_a_week_earlier() {
        let window = QueryWindow {
            start: 1_000_000.0,
            end: 1_021_600.0,
            step: 60.0,
        };
        let (shifted, offset) =
            baseline_query_window(BaselineKind::WeekAgo, &window, window.end + 5400.0);
        assert_eq!(offset, WEEK_SECONDS);
        assert_eq!(shifted.start, window.start - WEEK_SECONDS);
        assert_eq!(shifted.end, window.end + 5400.0 - WEEK_SECONDS);
        assert_eq!(shifted.step, 60.0);
        let (history, offset) = baseline_query_window(BaselineKind::Seasonal, &window, window.end);
        assert_eq!(offset, 0.0);
        assert_eq!(history.end, window.end);
        assert_eq!(history.start, window.end - 7.0 * DAY_SECONDS);
        assert!((history.end - history.start) / history.step <= MAX_HISTORY_POINTS);
    }

    #[test]
    fn an_offset_band_follows_last_week_and_is_as_wide_as_the_noise() {
        let last_week = daily(0.0, 2.0, 60.0);
        let mut now = last_week.clone();
        for (i, v) in now.values.iter_mut().enumerate() {
            *v += ((i * 104_729) % 7) as f64 - 3.0;
        }
        now.values[1000] = 400.0; // an incident must not widen the band
        let band = offset_band(&now, &last_week, 2.0, 0.0, 2.0 * DAY_SECONDS, 60.0).unwrap();
        assert_eq!(band.timestamps.len(), last_week.timestamps.len());
        assert_eq!(band.center, last_week.values);
        let half = band.upper[0] - band.center[0];
        assert!(half > 2.0 && half < 12.0, "{half}");
        let (center, lower, upper) = band.at(1000.0 * 60.0, 30.0).unwrap();
        assert!(lower < center && center < upper && upper < 400.0);
    }

    #[test]
    fn a_seasonal_band_learns_the_daily_shape_and_ignores_an_incident() {
        let mut history = daily(0.0, 7.0, 300.0);
        for v in &mut history.values[500..530] {
            *v += 500.0;
        }
        let start = 7.0 * DAY_SECONDS;
        let band = seasonal_band(&history, 2.0, start, start + DAY_SECONDS, 60.0).unwrap();
        assert_eq!(band.timestamps.len(), 1441);
        for (t, center) in band.timestamps.iter().zip(&band.center) {
            let truth = 100.0 + 50.0 * (t / DAY_SECONDS * std::f64::consts::TAU).sin();
            assert!((center - truth).abs() < 8.0, "{t}: {center} vs {truth}");
        }
        let widest = band
            .upper
            .iter()
            .zip(&band.lower)
            .map(|(u, l)| u - l)
            .fold(0.0, f64::max);
        assert!(widest < 60.0, "{widest}");
    }

    #[test]
    fn missing_history_is_a_note_not_a_band() {
        let short = daily(0.0, 1.0, 300.0);
        let note = seasonal_band(&short, 2.0, 0.0, 3600.0, 60.0).unwrap_err();
        assert!(note.contains("3 days"), "{note}");
        let empty = series(vec![0.0], vec![f64::NAN]);
        assert!(offset_band(&short, &empty, 2.0, 0.0, 1.0, 60.0).is_err());
    }

    #[test]
    fn gaps_in_the_reference_stay_gaps_and_flat_series_get_a_thin_band() {
        let mut last_week = series(
            (0..100).map(|i| f64::from(i) * 60.0).collect(),
            vec![5.0; 100],
        );
        last_week.values[50] = f64::NAN;
        let band = offset_band(&last_week.clone(), &last_week, 2.0, 0.0, 1e9, 60.0).unwrap();
        assert_eq!(band.timestamps.len(), 99);
        assert!(!band.timestamps.contains(&3000.0));
        assert!(band.upper[0] - band.lower[0] < 1e-6);
    }
}
