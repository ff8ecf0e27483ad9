//! A causal streaming anomaly detector: each point is scored using only the
//! points before it, so the same code can mark charts and drive alerts.
//!
//! Two stages. First a robust z-score: the stronger of the new value against
//! the recent distribution (median and MAD of a sliding window) and the
//! short-term level against it (level shifts). Then calibration: that z is
//! judged against the series' own history of z-scores by rank, with the far
//! tail extrapolated from the largest ones (peaks over threshold), so a noisy
//! series, a bursty one and a quiet one share one threshold, and a burst that
//! a series produces every day is no surprise there. Optionally
//! (`density_average`, off by default, on in
//! [`DetectorConfig::with_density_stage`]) a longer average of those z-scores
//! is calibrated the same way and the smaller p-value counts (Bonferroni:
//! times the number of measures), so a burst of moderately unusual points
//! (spikes coming more often, a noisier stretch) is reported even when no
//! single point stands out. One excursion is (mostly) one report: after a
//! report, scores are damped until the series has been calm for a while —
//! unless a point, report-worthy on its own, is [`ESCALATION`] times as
//! unusual (robust z, either direction) as the last report: an outage right
//! after a batch job's load is news even though the series never calmed in
//! between, and so is an incident that keeps getting much worse.
//!
//! Score scale, 0–1: `1 - p`, where `p` is the chance that this series, as it
//! has behaved over its calibration history, produces something at least this
//! unusual (0.999 ≈ a one-in-a-thousand surprise); 0 while learning.

use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorConfig {
    /// Points in the reference window.
    pub window: usize,
    /// Points in the short-term level compared against the window.
    pub short_window: usize,
    /// Score above which the detector considers an incident reported.
    pub report_score: f64,
    /// Points after a report during which scores are damped.
    pub quiet_points: usize,
    /// Factor applied to scores during the quiet period (0 silences them).
    pub quiet_damping: f64,
    /// The quiet period also lasts until this many consecutive points score below
    /// `calm_score`: one excursion (a level shift, a long spike) is one report.
    pub calm_points: usize,
    pub calm_score: f64,
    /// Each measure of unusualness is judged against this many of its own past values …
    pub calibration_history: usize,
    /// … beyond the largest this-many of them (at most a tenth of the history
    /// held so far) by a fit to their excesses over the smallest of them (the
    /// far tail: a fixed count, not a share, so a
    /// series whose tail mixes common noise and rarer bursts is fitted on its
    /// bursts once its history holds enough of them).
    pub tail_points: usize,
    /// A second measure, the average of this many z-scores (0 turns it off),
    /// so a burst of moderately unusual points (denser spikes, a noisier
    /// stretch) counts even when no single point stands out …
    pub density_average: usize,
    /// … judged against this many of its own past values (shorter than the
    /// point measure's: successive averages overlap, and an old stretch of
    /// the series says little about how dense its spikes are now).
    pub density_history: usize,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self {
            window: 480,
            short_window: 6,
            report_score: DEFAULT_REPORT_SCORE,
            quiet_points: 10,
            quiet_damping: 0.5,
            calm_points: 20,
            calm_score: 0.98,
            calibration_history: 1000,
            tail_points: 100,
            density_average: 0,
            density_history: 250,
        }
    }
}

/// The default report level, dashboards' "medium" sensitivity: stricter than
/// the 0.99 that `benchmarks nab` chooses for NAB's standard profile (which
/// forgives a false alarm nine times more readily than a miss; dashboards'
/// "high"); see `Sensitivity::report_score`.
pub const DEFAULT_REPORT_SCORE: f64 = 0.998;
/// How many times as unusual (robust z) as the last report a report-worthy
/// point must be to be reported before the series has calmed. Fixed by
/// design, not fitted: four times keeps a plateau's noise from being
/// reported again and again (except where the spread is floored, as on
/// sparse counts), while an outage an order of magnitude beyond a first,
/// milder excursion is news. The price: a step large enough that its ramp
/// through a rate window climbs past four times its first reported point is
/// marked twice on that ramp (still one incident).
pub const ESCALATION: f64 = 4.0;
/// Z-scores averaged by the density stage of [`DetectorConfig::with_density_stage`].
pub const DENSITY_AVERAGE: usize = 100;
/// Robust z above which a point counts no more towards the density stage's average.
pub const DENSITY_Z_CAP: f64 = 10.0;

impl DetectorConfig {
    /// The default plus the density stage (a burst of moderately unusual points
    /// counts): what dashboards and alert rules run, and what the NAB benchmark
    /// runs by default (there beside a calendar seasonal stage).
    pub fn with_density_stage() -> Self {
        Self {
            density_average: DENSITY_AVERAGE,
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone)]
pub struct AnomalyDetector {
    config: DetectorConfig,
    history: VecDeque<f64>,
    recent: VecDeque<f64>,
    quiet_left: usize,
    calm_run: usize,
    reported: bool,
    /// The z-score of the last report.
    reported_z: f64,
    /// Calibrates the latest z-score.
    point_calibration: TailCalibration,
    /// Calibrates the z-scores' longer average (off when `density_average` is 0).
    density_calibration: TailCalibration,
    /// The values of `history`, sorted.
    sorted_window: Vec<f64>,
    /// Median and robust spread of the window the last point was judged against.
    last_reference: Option<(f64, f64)>,
}

/// One point's verdict: its score and what the detector expected instead.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PointScore {
    /// 0–1, see the module documentation.
    pub score: f64,
    /// Median of the reference window before the point (NaN while learning).
    pub expected: f64,
    /// Robust standard deviation (1.4826 · MAD) of that window (NaN while learning).
    pub spread: f64,
}

pub(crate) fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// The median of `|x - center|` over `sorted` (ascending, `center` its median),
/// without allocating: deviations grow outward from the centre on both sides,
/// so the k-th smallest is found by merging the two sides for k steps.
pub(crate) fn median_absolute_deviation(sorted: &[f64], center: f64) -> f64 {
    let n = sorted.len();
    let mut right = sorted.partition_point(|&v| v < center);
    let mut left = right; // sorted[..left] lie below the centre
    let mut next = || {
        let below = left.checked_sub(1).map(|i| center - sorted[i]);
        let above = (right < n).then(|| sorted[right] - center);
        match (below, above) {
            (Some(b), Some(a)) if b <= a => {
                left -= 1;
                b
            }
            (_, Some(a)) => {
                right += 1;
                a
            }
            (Some(b), None) => {
                left -= 1;
                b
            }
            (None, None) => f64::NAN,
        }
    };
    // The (n/2)-th smallest deviation (0-based), averaged with the one before for even n.
    let mut previous = f64::NAN;
    for _ in 0..n / 2 {
        previous = next();
    }
    let middle = next();
    if n % 2 == 1 {
        middle
    } else {
        (previous + middle) / 2.0
    }
}

impl AnomalyDetector {
    pub fn new(config: DetectorConfig) -> Self {
        Self {
            config,
            history: VecDeque::with_capacity(config.window + 1),
            recent: VecDeque::new(),
            quiet_left: 0,
            calm_run: 0,
            reported: false,
            reported_z: 0.0,
            point_calibration: TailCalibration::new(
                config.calibration_history,
                config.tail_points,
                1,
            ),
            density_calibration: TailCalibration::new(
                config.density_history,
                config.tail_points,
                config.density_average,
            ),
            sorted_window: Vec::with_capacity(config.window + 1),
            last_reference: None,
        }
    }

    /// Scores `value` like [`Self::score`], also saying what was expected.
    pub fn score_point(&mut self, value: f64) -> PointScore {
        self.last_reference = None;
        let score = self.score(value);
        let (expected, spread) = self.last_reference.unwrap_or((f64::NAN, f64::NAN));
        PointScore {
            score,
            expected,
            spread,
        }
    }

    /// Scores `value` against what came before, then learns it. Non-finite values score 0 and are skipped.
    pub fn score(&mut self, value: f64) -> f64 {
        if !value.is_finite() {
            return 0.0;
        }
        let z = self.robust_z(value);
        self.learn(value);
        // While the window fills there is no z to calibrate (and a run of
        // placeholder zeros would make the first real one look extraordinary).
        let score = z.map_or(0.0, |z| self.calibrated(z));
        let z = z.unwrap_or(0.0);
        self.calm_run = if score < self.config.calm_score {
            self.calm_run + 1
        } else {
            0
        };
        let quiet =
            self.quiet_left > 0 || (self.reported && self.calm_run < self.config.calm_points);
        // Only a point that is itself report-worthy escalates; any other
        // stays damped, so scores read by alert conditions change only where
        // a report is added.
        let escalating =
            quiet && z > ESCALATION * self.reported_z && score >= self.config.report_score;
        let damped = if quiet && !escalating {
            score * self.config.quiet_damping
        } else {
            score
        };
        if self.quiet_left > 0 {
            self.quiet_left -= 1;
        }
        if !quiet {
            self.reported = false;
        }
        if damped >= self.config.report_score {
            self.reported_z = z;
            self.quiet_left = self.config.quiet_points;
            self.reported = true;
            self.calm_run = 0;
        }
        damped
    }

    /// The stronger of the point and level robust z-scores (none while learning).
    fn robust_z(&mut self, value: f64) -> Option<f64> {
        // Robust z-scores start once a quarter of the window, but at most 60
        // points, has been seen: a long window must not leave the first hour
        // of a short dashboard range unjudged (the window keeps growing to
        // full size). Scores below 1 need the calibration's own
        // MIN_CALIBRATION_HISTORY z-scores more, so reports start at about
        // the 160th point.
        let minimum = (self.config.window / 4).clamp(10, 60);
        if self.history.len() < minimum {
            return None;
        }
        // The window is kept sorted as it slides, so the median is a lookup and
        // the MAD a linear-time selection.
        let sorted = &self.sorted_window;
        let center = median(sorted);
        let range = sorted[sorted.len() - 1] - sorted[0];
        // A floor on the spread keeps flat series from exploding on tiny changes.
        let spread = (1.4826 * median_absolute_deviation(sorted, center))
            .max(1e-3 * range.abs())
            .max(1e-9 * center.abs())
            .max(1e-12);
        self.last_reference = Some((center, spread));
        let point_z = (value - center).abs() / spread;
        // The recent values and this one (summed in that order).
        let short_len = (self.recent.len() + 1) as f64;
        let short_mean = (self.recent.iter().sum::<f64>() + value) / short_len;
        let level_z = (short_mean - center).abs() / (spread / short_len.sqrt());
        Some(point_z.max(level_z / 2.0))
    }

    /// `1 - p` for the smaller p-value of the point and density measures
    /// against their own histories, times the number of measures.
    fn calibrated(&mut self, z: f64) -> f64 {
        // Logarithms keep the tail fit's scale sensible for z-scores spanning decades.
        let point = self.point_calibration.judge(z.min(1e12).ln_1p());
        if self.config.density_average == 0 {
            return 1.0 - point;
        }
        // The density measure counts how often points are unusual, not how
        // unusual the worst was (the point measure sees that).
        let density = self.density_calibration.judge(z.min(DENSITY_Z_CAP).ln_1p());
        1.0 - (2.0 * point.min(density)).min(1.0)
    }

    fn learn(&mut self, value: f64) {
        self.history.push_back(value);
        let at = self
            .sorted_window
            .partition_point(|v| v.total_cmp(&value).is_lt());
        self.sorted_window.insert(at, value);
        if self.history.len() > self.config.window {
            if let Some(old) = self.history.pop_front() {
                let at = self
                    .sorted_window
                    .partition_point(|v| v.total_cmp(&old).is_lt());
                self.sorted_window.remove(at);
            }
        }
        self.recent.push_back(value);
        if self.recent.len() >= self.config.short_window.max(1) {
            self.recent.pop_front();
        }
    }
}

/// Calibrates a raw measure of unusualness against this series' own recent
/// history of it: an empirical (conformal) upper-tail p-value, with the far
/// tail (beyond the history's `tail_points` largest values) extrapolated by an
/// exponential fit to the excesses over that quantile (peaks over threshold).
/// How unusual a value is thus depends on how often this series produces such
/// values, with no assumption about their distribution: a burst that a bursty
/// series produces every day is not a surprise there.
#[derive(Debug, Clone)]
struct TailCalibration {
    capacity: usize,
    tail_points: usize,
    average: usize,
    recent: VecDeque<f64>,
    past: VecDeque<f64>,
    /// The values of `past`, sorted.
    sorted: Vec<f64>,
}

/// The smallest scale of the tail fit (in the logarithm of z).
const MIN_MEAN_EXCESS: f64 = 0.05;
/// History needed before a p-value below 1 is given.
const MIN_CALIBRATION_HISTORY: usize = 100;

impl TailCalibration {
    fn new(capacity: usize, tail_points: usize, average: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            tail_points,
            average: average.max(1),
            recent: VecDeque::new(),
            past: VecDeque::new(),
            sorted: Vec::new(),
        }
    }

    /// The upper-tail p-value of `raw` (averaged with the ones before it) among
    /// the history, 1 while learning; then learns it.
    fn judge(&mut self, raw: f64) -> f64 {
        self.recent.push_back(raw);
        if self.recent.len() > self.average {
            self.recent.pop_front();
        }
        let value = self.recent.iter().sum::<f64>() / self.recent.len() as f64;
        let learning = self.sorted.len() < MIN_CALIBRATION_HISTORY.min(self.capacity);
        let p = if learning {
            1.0
        } else {
            self.upper_tail(value)
        };
        self.past.push_back(value);
        let at = self.sorted.partition_point(|v| v.total_cmp(&value).is_lt());
        self.sorted.insert(at, value);
        if self.past.len() > self.capacity {
            if let Some(old) = self.past.pop_front() {
                let at = self.sorted.partition_point(|v| v.total_cmp(&old).is_lt());
                self.sorted.remove(at);
            }
        }
        p
    }

    fn upper_tail(&self, value: f64) -> f64 {
        let n = self.sorted.len();
        let at_or_above = n - self.sorted.partition_point(|&v| v < value);
        let empirical = (at_or_above + 1) as f64 / (n + 1) as f64;
        // At most the top tenth: a short history (the first hours of a
        // dashboard's range) is not fitted on values near its middle.
        let tail_start = n - self.tail_points.min(n / 10).max(1);
        let threshold = self.sorted[tail_start];
        if value <= threshold {
            return empirical;
        }
        let excesses = &self.sorted[tail_start..];
        // The measures are logarithms of z-scores, so this floor is relative:
        // a tail of one repeated value (a regular series) still gives a value
        // beyond it a p-value that falls as it goes further.
        let mean_excess = (excesses.iter().map(|v| v - threshold).sum::<f64>()
            / excesses.len() as f64)
            .max(MIN_MEAN_EXCESS);
        // Past excursions at least this high bound the p-value from below: the
        // fit may not call a value rare that this series has produced before.
        // Excursions, not points: a forty-point outage is one event, and the
        // next outage like it is as rare as that one was.
        let seen = if at_or_above == 0 {
            0.0
        } else {
            let mut excursions = 0;
            let mut inside = false;
            for &past in &self.past {
                let high = past >= value;
                excursions += usize::from(high && !inside);
                inside = high;
            }
            excursions as f64 / (n + 1) as f64
        };
        let fitted =
            excesses.len() as f64 / (n + 1) as f64 * (-(value - threshold) / mean_excess).exp();
        fitted.max(seen)
    }
}

/// Scores a whole series causally.
pub fn score_series(values: &[f64], config: DetectorConfig) -> Vec<f64> {
    let mut detector = AnomalyDetector::new(config);
    values.iter().map(|&v| detector.score(v)).collect()
}

/// Scores a whole series causally, with the expected value at each point.
pub fn score_series_detailed(values: &[f64], config: DetectorConfig) -> Vec<PointScore> {
    let mut detector = AnomalyDetector::new(config);
    values.iter().map(|&v| detector.score_point(v)).collect()
}

/// The dominant period (in samples) of `values`: the lag between `min_lag` and
/// half the length with the highest autocorrelation, if that is at least
/// `min_correlation` and a local peak.
pub fn detect_period(values: &[f64], min_lag: usize, min_correlation: f64) -> Option<usize> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let n = finite.len();
    let mean = finite.iter().sum::<f64>() / n.max(1) as f64;
    let centered: Vec<f64> = finite.iter().map(|v| v - mean).collect();
    let variance: f64 = centered.iter().map(|v| v * v).sum();
    if n < 2 * min_lag.max(2) || variance <= 0.0 {
        return None;
    }
    let correlation = |lag: usize| {
        centered[lag..]
            .iter()
            .zip(&centered)
            .map(|(a, b)| a * b)
            .sum::<f64>()
            / variance
    };
    let correlations: Vec<f64> = (0..=n / 2)
        .map(|lag| {
            if lag < min_lag {
                f64::NAN
            } else {
                correlation(lag)
            }
        })
        .collect();
    let (best, value) = (min_lag + 1..n / 2)
        .filter(|&lag| {
            correlations[lag] >= correlations[lag - 1] && correlations[lag] >= correlations[lag + 1]
        })
        .map(|lag| (lag, correlations[lag]))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    (value >= min_correlation).then_some(best)
}

/// Autocorrelation a period needs before the seasonal stage trusts it.
pub const SEASON_MIN_CORRELATION: f64 = 0.5;

/// Standard deviation of the finite values of `values` (NaN when there are none).
fn standard_deviation(values: impl Iterator<Item = f64>) -> f64 {
    let (mut count, mut sum, mut sum_of_squares) = (0.0, 0.0, 0.0);
    for value in values.filter(|v| v.is_finite()) {
        count += 1.0;
        sum += value;
        sum_of_squares += value * value;
    }
    let mean = sum / count;
    (sum_of_squares / count - mean * mean).max(0.0).sqrt()
}

/// The standard deviation of the seasonal difference `x[t] - x[t - period]`
/// relative to that of the series itself: near 0 when the rhythm explains
/// nearly all of the series' movement, near 1 or above when the repetition is
/// incidental. `None` without two full periods or when the series is constant.
pub fn seasonal_residual_ratio(values: &[f64], period: usize) -> Option<f64> {
    if period == 0 || period > values.len() / 2 {
        return None;
    }
    let series = standard_deviation(values.iter().copied());
    let seasonal = standard_deviation(
        values[period..]
            .iter()
            .zip(values)
            .map(|(now, before)| now - before),
    );
    (series > 0.0 && seasonal.is_finite()).then(|| seasonal / series)
}

/// How small [`seasonal_residual_ratio`] must be before [`calendar_period`]
/// trusts a rhythm: a seasonal stage on a loose rhythm mostly adds false alarms
/// (on NAB, `cpu_utilization_asg_misconfiguration`'s daily ratio is 0.34, the
/// artificial daily series' 0.08–0.15).
pub const SEASON_MAX_RESIDUAL_RATIO: f64 = 0.25;

/// The calendar period — a day or a week, in samples `step_seconds` apart —
/// whose seasonal difference is smallest relative to the series, if that ratio
/// is at most [`SEASON_MAX_RESIDUAL_RATIO`]. Unlike [`detect_period`] it only
/// considers the rhythms operations data has, and only trusts a tight one.
pub fn calendar_period(values: &[f64], step_seconds: f64, max_ratio: f64) -> Option<usize> {
    if step_seconds.is_nan() || step_seconds <= 0.0 {
        return None;
    }
    [86_400.0, 7.0 * 86_400.0]
        .iter()
        .map(|seconds| (seconds / step_seconds).round() as usize)
        .filter(|&period| period >= 2)
        .filter_map(|period| Some((period, seasonal_residual_ratio(values, period)?)))
        .filter(|&(_, ratio)| ratio <= max_ratio)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(period, _)| period)
}

/// Scores causally like [`score_series`], plus, once the first `learn_points`
/// reveal a period, a second detector on the seasonal difference
/// (`x[t] - x[t - period]`); a point's score is the higher of the two.
pub fn score_series_seasonal(
    values: &[f64],
    config: DetectorConfig,
    learn_points: usize,
) -> Vec<f64> {
    score_series_with_period(values, config, learn_points, |learned| {
        detect_period(learned, 10, SEASON_MIN_CORRELATION)
    })
}

/// Like [`score_series_seasonal`], with the period chosen by `find_period`
/// from the first `learn_points` values (causal: it sees only those).
pub fn score_series_with_period(
    values: &[f64],
    config: DetectorConfig,
    learn_points: usize,
    find_period: impl Fn(&[f64]) -> Option<usize>,
) -> Vec<f64> {
    let mut raw = AnomalyDetector::new(config);
    let mut scores: Vec<f64> = Vec::with_capacity(values.len());
    let mut seasonal: Option<(usize, AnomalyDetector)> = None;
    for (t, &value) in values.iter().enumerate() {
        if t == learn_points {
            if let Some(period) = find_period(&values[..t]).filter(|&p| p > 0 && p < t) {
                let mut detector = AnomalyDetector::new(config);
                for k in period..t {
                    detector.score(values[k] - values[k - period]);
                }
                seasonal = Some((period, detector));
            }
        }
        let mut score = raw.score(value);
        if let Some((period, detector)) = seasonal.as_mut() {
            score = score.max(detector.score(value - values[t - *period]));
        }
        scores.push(score);
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At least one point of `within` scores at or above the report level.
    fn assert_reported_within(
        scores: &[f64],
        within: std::ops::Range<usize>,
        config: DetectorConfig,
    ) {
        assert!(
            scores[within.clone()]
                .iter()
                .any(|&s| s >= config.report_score),
            "{:?}",
            &scores[within]
        );
    }

    fn noisy(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| 100.0 + ((i * 7919) % 13) as f64 * 0.5)
            .collect()
    }

    #[test]
    fn a_spike_scores_high_and_quiet_data_low() {
        let mut values = noisy(600);
        values[400] = 200.0;
        let scores = score_series(&values, DetectorConfig::default());
        let report = DetectorConfig::default().report_score;
        assert!(scores[400] >= report, "spike {}", scores[400]);
        let quiet_max = scores[150..400].iter().copied().fold(0.0, f64::max);
        assert!(quiet_max < report, "quiet {quiet_max}");
    }

    #[test]
    fn a_level_shift_is_noticed_and_the_detector_is_causal() {
        let mut values = noisy(600);
        for v in &mut values[450..] {
            *v += 15.0;
        }
        let scores = score_series(&values, DetectorConfig::default());
        let report = DetectorConfig::default().report_score;
        assert!(
            scores[450..460].iter().any(|&s| s >= report),
            "{:?}",
            &scores[448..460]
        );
        // Changing the future does not change the past.
        let mut altered = values.clone();
        altered[500] = -1e9;
        assert_eq!(
            score_series(&altered, DetectorConfig::default())[..500],
            scores[..500]
        );
    }

    /// Six hours of a per-minute rate of errors over a 5-minute window (each
    /// change of `level` ramps over five points), with Poisson-like noise of
    /// a fifth of the quiet level: the shape of the demo's 500s.
    fn errors_per_minute(level: impl Fn(usize) -> f64) -> Vec<f64> {
        (0..360_usize)
            .map(|i| {
                let from = i.saturating_sub(4);
                let windowed = (from..=i).map(&level).sum::<f64>() / (i + 1 - from) as f64;
                let noise = (0..4).map(|k| hashed_noise(i * 4 + k)).sum::<f64>() - 2.0;
                windowed * (1.0 + 0.35 * noise)
            })
            .collect()
    }

    #[test]
    fn a_larger_excursion_right_after_a_reported_one_is_reported_too() {
        // A batch job's extra load lifts the errors by 70 % for 20 minutes
        // and is reported; five minutes after it ends, before the series has
        // been calm for `calm_points`, an outage lifts them twentyfold. The
        // end-to-end test's history, at the hours where the load is reported.
        let load_then_outage = |i: usize| match i {
            300..320 => 1.7,
            325.. => 20.0,
            _ => 1.0,
        };
        let config = DetectorConfig::with_density_stage();
        let scores = score_series(&errors_per_minute(load_then_outage), config);
        let reported = reports(&scores, config);
        assert!(
            reported.iter().any(|&i| (300..325).contains(&i)),
            "the load is reported: {reported:?}"
        );
        assert!(
            reported.iter().any(|&i| (325..360).contains(&i)),
            "the outage is reported: {reported:?}"
        );
        // A twentyfold step alone, through the rate window's ramp: marked at
        // most twice on the ramp, and one incident.
        let step = |i: usize| if i >= 300 { 20.0 } else { 1.0 };
        let values = errors_per_minute(step);
        let scores = score_series_detailed(&values, config);
        let reported: Vec<usize> = (300..360)
            .filter(|&i| scores[i].score >= config.report_score)
            .collect();
        assert!(
            (1..=2).contains(&reported.len()),
            "a step, at most two marks: {reported:?}"
        );
        let incidents =
            crate::analytics::incidents::merge_incidents(&values, &scores, config.report_score);
        assert_eq!(incidents.len(), 1, "{incidents:?}");
        // A plateau's noise is not an escalation: one shift, one report.
        let shift = |i: usize| if i >= 300 { 1.7 } else { 1.0 };
        let reported = reports(&score_series(&errors_per_minute(shift), config), config);
        assert_eq!(
            reported.iter().filter(|&&i| i >= 300).count(),
            1,
            "one excursion, one report: {reported:?}"
        );
    }

    #[test]
    fn flat_and_short_series_do_not_explode() {
        assert!(score_series(&[5.0; 300], DetectorConfig::default())
            .iter()
            .all(|&s| s == 0.0));
        assert!(score_series(&[1.0, 2.0], DetectorConfig::default())
            .iter()
            .all(|&s| s == 0.0));
        assert_eq!(
            score_series(&[f64::NAN], DetectorConfig::default()),
            vec![0.0]
        );
    }

    #[test]
    fn the_allocation_free_mad_equals_the_textbook_one() {
        for n in 1..60 {
            let mut values: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 37) as f64 * 0.7 - 3.0)
                .collect();
            values.sort_by(f64::total_cmp);
            let center = median(&values);
            let mut deviations: Vec<f64> = values.iter().map(|v| (v - center).abs()).collect();
            let textbook = crate::analytics::median_of_unsorted(&mut deviations);
            assert_eq!(
                median_absolute_deviation(&values, center),
                textbook,
                "n = {n}"
            );
        }
    }

    #[test]
    fn a_daily_rhythm_is_found_and_an_off_rhythm_day_is_flagged() {
        // 288 points a day; a square wave high from phase 100 to 200.
        let day = 288;
        let mut values: Vec<f64> = (0..day * 10)
            .map(|i| {
                let x = (i as u64 + 7).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let noise =
                    ((x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 54) as f64 / 1024.0;
                (if (100..200).contains(&(i % day)) {
                    50.0
                } else {
                    10.0
                }) + noise
            })
            .collect();
        assert_eq!(
            detect_period(&values[..day * 3], 10, SEASON_MIN_CORRELATION),
            Some(day)
        );
        assert_eq!(
            detect_period(&noisy(900), 10, SEASON_MIN_CORRELATION),
            Some(13),
            "the helper's noise repeats every 13"
        );
        let random: Vec<f64> = (0..900_u64)
            .map(|i| {
                let x = (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                ((x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 40) as f64
            })
            .collect();
        assert_eq!(detect_period(&random, 10, SEASON_MIN_CORRELATION), None);
        // Day 8 never goes high: the raw detector has seen both levels, the seasonal stage has not.
        for v in &mut values[day * 8 + 100..day * 8 + 200] {
            *v = 10.0;
        }
        let config = DetectorConfig::default();
        let seasonal = score_series_seasonal(&values, config, day * 3);
        assert_reported_within(&seasonal, day * 8 + 100..day * 8 + 110, config);
        let quiet = seasonal[day * 4..day * 8]
            .iter()
            .filter(|&&s| s >= config.report_score)
            .count();
        assert_eq!(quiet, 0, "regular days are not flagged");
    }

    /// Deterministic noise in [0, 1).
    fn hashed_noise(i: usize) -> f64 {
        let x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Mostly quiet, with a moderate spike every `gap` points from `from` on.
    fn spikes_every(n: usize, gap_before: usize, from: usize, gap_after: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let gap = if i < from { gap_before } else { gap_after };
                let spike = if i % gap == 0 { 8.0 } else { 0.0 };
                10.0 + hashed_noise(i) + spike
            })
            .collect()
    }

    fn reports(scores: &[f64], config: DetectorConfig) -> Vec<usize> {
        (0..scores.len())
            .filter(|&i| scores[i] >= config.report_score)
            .collect()
    }

    #[test]
    fn the_density_stage_reports_when_spikes_come_more_often() {
        // A spike every 10th point (so a spike is nothing unusual), then from
        // 2000 on every 3rd.
        let values = spikes_every(3000, 10, 2000, 3);
        // At the report level NAB's cross-validation chooses (dashboards' "high"):
        // a change this gradual is learned as it builds, so at the default
        // 0.998 it stays just below the line.
        let config = DetectorConfig {
            report_score: 0.99,
            ..DetectorConfig::with_density_stage()
        };
        let with_density = reports(&score_series(&values, config), config);
        assert!(
            with_density.iter().any(|&i| (2000..2300).contains(&i)),
            "denser spikes reported: {with_density:?}"
        );
        // While the spikes keep their usual rhythm nothing is reported (after learning).
        assert!(
            !with_density.iter().any(|&i| (600..2000).contains(&i)),
            "usual rhythm quiet: {with_density:?}"
        );
        // The stage is off by default, and then each spike is as unremarkable as the last.
        assert_eq!(DetectorConfig::default().density_average, 0);
        let plain = DetectorConfig {
            density_average: 0,
            ..config
        };
        let without = reports(&score_series(&values, plain), plain);
        assert!(
            without.len() < with_density.len(),
            "{without:?} vs {with_density:?}"
        );
    }

    #[test]
    fn the_density_stage_keeps_spikes_shifts_flat_lines_and_gaps_in_hand() {
        let config = DetectorConfig::with_density_stage();
        let mut spiked = noisy(800);
        spiked[600] = 200.0;
        let scores = score_series(&spiked, config);
        assert!(scores[600] >= config.report_score, "spike {}", scores[600]);
        assert_eq!(reports(&scores[150..600], config), Vec::<usize>::new());

        let mut shifted = noisy(800);
        for v in &mut shifted[650..] {
            *v += 15.0;
        }
        let scores = score_series(&shifted, config);
        assert!(
            scores[650..660].iter().any(|&s| s >= config.report_score),
            "{:?}",
            &scores[648..660]
        );
        // Causal: changing the future does not change the past.
        let mut altered = shifted.clone();
        altered[700] = -1e9;
        assert_eq!(score_series(&altered, config)[..700], scores[..700]);

        assert!(score_series(&[5.0; 1000], config).iter().all(|&s| s == 0.0));
        // Gaps score 0 and are skipped: the series around them scores as if they were absent.
        let mut gapped = noisy(800);
        let plain = score_series(&gapped, config);
        gapped.insert(400, f64::NAN);
        gapped.insert(401, f64::INFINITY);
        let with_gaps = score_series(&gapped, config);
        assert_eq!(&with_gaps[400..402], &[0.0, 0.0]);
        assert_eq!(with_gaps[..400], plain[..400]);
        assert_eq!(with_gaps[402..], plain[400..]);
    }

    /// Pareto (tail index 1.5) and log-normal noise from `hashed_noise`: heavy tails, no anomaly.
    fn heavy_tailed(n: usize, kind: u8) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let u = hashed_noise(i * 3 + 1).max(1e-12);
                if kind == 0 {
                    u.powf(-1.0 / 1.5)
                } else {
                    let v = hashed_noise(i * 3 + 2);
                    ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()).exp()
                }
            })
            .collect()
    }

    #[test]
    fn heavy_tailed_noise_is_judged_by_its_own_tail() {
        let config = DetectorConfig::with_density_stage();
        for kind in [0, 1] {
            let values = heavy_tailed(20_000, kind);
            let scores = score_series(&values, config);
            // Calibrated: at most what the 0.998 level promises, 2 points in
            // 1,000 (a Gaussian likelihood reported ~80 in 10,000 here).
            let reported = reports(&scores[3000..], config).len();
            assert!(
                reported <= 34,
                "kind {kind}: {reported} reports in 17,000 points"
            );
            // A value far beyond the series' own tail is still reported.
            let mut spiked = values.clone();
            spiked[15_000] = 1e6;
            let scores = score_series(&spiked, config);
            assert!(scores[15_000] >= config.report_score, "{}", scores[15_000]);
        }
    }

    #[test]
    fn a_burst_as_big_as_the_series_usual_ones_is_not_reported_again_and_again() {
        // Counts around 20 with a burst of 6-10× every 149 points (each height
        // recurring within the detector's calibration history), as a busy
        // day's traffic has; then one 100× burst.
        let mut values: Vec<f64> = (0..6000)
            .map(|i| {
                let heights = [6.0, 9.0, 7.0, 10.0];
                let burst = if i % 149 < 3 {
                    heights[(i / 149) % heights.len()]
                } else {
                    1.0
                };
                (20.0 + 4.0 * hashed_noise(i + 7)) * burst
            })
            .collect();
        values[5500] = 2000.0;
        let config = DetectorConfig::with_density_stage();
        let scores = score_series(&values, config);
        let usual = reports(&scores[2000..5500], config);
        assert!(usual.len() <= 2, "usual bursts reported: {usual:?}");
        // The 100× burst is the most unusual point after learning, reported at
        // "high" sensitivity (0.99). Not at the default 0.998: one exponential
        // fitted to a tail that mixes noise and bursts is too wide (a known
        // limit of this calibration).
        let highest = scores[1000..]
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i + 1000);
        assert_eq!(highest, Some(5500));
        assert!(scores[5500] >= 0.99, "{}", scores[5500]);
    }

    #[test]
    fn the_tail_fit_is_monotone_and_bounded_by_what_was_seen() {
        let mut calibration = TailCalibration::new(1000, 100, 1);
        for i in 0..1000 {
            calibration.judge((hashed_noise(i) * 10.0).ln_1p());
        }
        let p = |x: f64| calibration.upper_tail(x);
        let mut last = 1.0;
        for step in 0..200 {
            let next = p(step as f64 * 0.05);
            assert!(next <= last && next > 0.0, "{step}: {next} after {last}");
            last = next;
        }
        assert_eq!(p(-1.0), 1.0);
        // Within the range seen the p-value is at least the share seen at or above it.
        let median = calibration.sorted[500];
        assert!(p(median) >= 0.49, "{}", p(median));
        assert!(p(100.0) < 1e-12);
    }

    fn square_wave_days(days: usize, noise: f64) -> Vec<f64> {
        let day = 288;
        (0..day * days)
            .map(|i| {
                let level = if (100..200).contains(&(i % day)) {
                    50.0
                } else {
                    10.0
                };
                level + noise * hashed_noise(i)
            })
            .collect()
    }

    #[test]
    fn only_a_tight_daily_or_weekly_rhythm_gets_a_calendar_period() {
        let five_minutes = 300.0;
        let clean = square_wave_days(4, 1.0);
        let ratio = seasonal_residual_ratio(&clean, 288).unwrap();
        assert!(ratio < 0.05, "{ratio}");
        assert_eq!(
            calendar_period(&clean, five_minutes, SEASON_MAX_RESIDUAL_RATIO),
            Some(288)
        );
        // The same rhythm drowned in noise is not trusted.
        let loose = square_wave_days(4, 120.0);
        let ratio = seasonal_residual_ratio(&loose, 288).unwrap();
        assert!(ratio > SEASON_MAX_RESIDUAL_RATIO, "{ratio}");
        assert_eq!(
            calendar_period(&loose, five_minutes, SEASON_MAX_RESIDUAL_RATIO),
            None
        );
        // A rhythm that is not a day or a week (nor divides one) is not a calendar period.
        let every_seven: Vec<f64> = (0..1200).map(|i| ((i % 7) as f64).sin()).collect();
        assert_eq!(
            calendar_period(&every_seven, five_minutes, SEASON_MAX_RESIDUAL_RATIO),
            None
        );
        // Too short, constant, or without a usable step.
        assert_eq!(seasonal_residual_ratio(&clean[..500], 288), None);
        assert_eq!(seasonal_residual_ratio(&[3.0; 1000], 288), None);
        assert_eq!(
            calendar_period(&clean, 0.0, SEASON_MAX_RESIDUAL_RATIO),
            None
        );
        assert_eq!(
            calendar_period(&clean, f64::NAN, SEASON_MAX_RESIDUAL_RATIO),
            None
        );
    }

    #[test]
    fn the_calendar_seasonal_stage_flags_a_missing_day_and_stays_causal() {
        let day = 288;
        let mut values = square_wave_days(10, 1.0);
        for v in &mut values[day * 8 + 100..day * 8 + 200] {
            *v = 10.0 + 0.5;
        }
        let config = DetectorConfig::with_density_stage();
        let learn = day * 3;
        let by_calendar = |values: &[f64]| {
            score_series_with_period(values, config, learn, |learned| {
                calendar_period(learned, 300.0, SEASON_MAX_RESIDUAL_RATIO)
            })
        };
        let scores = by_calendar(&values);
        assert_reported_within(&scores, day * 8 + 100..day * 8 + 110, config);
        // Four regular days (1,152 points at a one-in-a-thousand report level):
        // at most a stray report.
        let regular = reports(&scores[day * 4..day * 8], config);
        assert!(
            regular.len() <= 1,
            "regular days are not flagged: {regular:?}"
        );
        let mut altered = values.clone();
        altered[day * 9] = 1e9;
        assert_eq!(by_calendar(&altered)[..day * 9], scores[..day * 9]);
    }
}
