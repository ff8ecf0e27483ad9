//! Conditions that PromQL alone does not express well, judged on a series'
//! recent history with the same analytics the panels draw:
//!
//! - **outside the baseline band**: the latest sample lies outside the band of
//!   the same series a day or a week earlier (or its usual value at this time of
//!   day); `$value` is the sample.
//! - **anomaly score above s**: the causal detector's score of the latest
//!   sample (0–1) is above `s`; `$value` is the score.
//! - **forecast crosses X within H**: the least-squares line through the last
//!   `H` of samples, extended `H` ahead, is beyond `X` — exactly PromQL's
//!   `predict_linear((expr)[H:step], H) > X`, which is how such a rule is
//!   exported; `$value` is the predicted value.
//!
//! The query is asked as a range over the history the condition needs (see
//! [`history_window`]), plus, for a day/week baseline, the same range one day or
//! week earlier. Everything here is pure: the evaluation times are arguments, so
//! the same code serves the live evaluation (one time, now) and backtests
//! (every evaluation time of a past range).

use super::rule::Condition;
use crate::analytics::baseline::{baseline_query_window, shift_series};
use crate::analytics::linear_forecast::predict_linear;
use crate::analytics::options::{BaselineKind, ForesightOptions, Sensitivity};
use crate::analytics::panel_overlays::{overlay_for, BaselineReference};
use crate::chart::geometry::nearest_sample;
use crate::foundation::span::parse_span;
use crate::query::series::{Labels, Series};
use crate::query::step::QueryWindow;

/// Samples of history an anomaly score or a baseline is judged on.
pub const HISTORY_POINTS: f64 = 720.0;
/// Prometheus answers at most 11 000 points per series.
const MAX_POINTS: f64 = 10_000.0;

/// The step a rule's history is read at, over `lookback` seconds: its
/// evaluation interval (at least 1 s), or coarser when that would take more
/// points than Prometheus answers. The exported rule file's forecast
/// subquery steps at the same.
pub fn history_step(lookback: f64, interval_seconds: f64) -> f64 {
    interval_seconds
        .max(1.0)
        .max((lookback / MAX_POINTS).ceil())
}

/// The range the rule's query is asked over to judge the condition at `now`
/// (steps aligned to multiples of the step, as PromQL subqueries are).
pub fn history_window(condition: &Condition, interval_seconds: f64, now: f64) -> QueryWindow {
    let step = interval_seconds.max(1.0);
    let lookback = match condition {
        Condition::ForecastCrosses { within, .. } => parse_span(within).unwrap_or(3600.0),
        _ => HISTORY_POINTS * step,
    };
    let step = history_step(lookback, interval_seconds);
    let end = (now / step).floor() * step;
    QueryWindow {
        // On the step too: engines that align the start themselves
        // (VictoriaMetrics) then answer the same instants as Prometheus.
        start: end - (lookback / step).ceil() * step,
        end,
        step,
    }
}

/// The extra query a baseline condition needs: its window and how far its
/// answer is shifted forward to line up (`None` for the other conditions).
pub fn reference_window(condition: &Condition, window: &QueryWindow) -> Option<(QueryWindow, f64)> {
    match condition {
        Condition::OutsideBaseline { baseline, .. } => {
            Some(baseline_query_window(*baseline, window, window.end))
        }
        _ => None,
    }
}

/// The reference query's answer moved onto the rule's time axis.
pub fn align_reference(mut series: Vec<Series>, shift_seconds: f64) -> Vec<Series> {
    for s in &mut series {
        shift_series(s, shift_seconds);
    }
    series
}

fn options_for(baseline: Option<BaselineKind>, sensitivity: Sensitivity) -> ForesightOptions {
    ForesightOptions {
        anomalies: baseline.is_none(),
        baseline,
        sensitivity,
        ..ForesightOptions::default()
    }
}

/// For each evaluation time in `times`: the series that meet the analytic
/// `condition` there, with the value `$value` takes. `series` is the query's
/// range answer over `window`; `reference` the aligned baseline query answer.
pub fn analytic_answers(
    condition: &Condition,
    series: &[Series],
    reference: Option<&BaselineReference>,
    window: &QueryWindow,
    times: &[f64],
) -> Result<Vec<Vec<(Labels, f64)>>, String> {
    let mut answers = vec![Vec::new(); times.len()];
    let tolerance = window.step / 2.0;
    for s in series {
        let sample_at = |t: f64| {
            nearest_sample(&s.timestamps, t, tolerance)
                .map(|i| (i, s.values[i]))
                .filter(|(_, v)| v.is_finite())
        };
        match condition {
            Condition::AnomalyScore { above } => {
                let overlay = overlay_for(s, window, &options_for(None, Sensitivity::Medium), None);
                for (answer, &t) in answers.iter_mut().zip(times) {
                    if let Some((index, _)) = sample_at(t) {
                        let score = overlay.scores[index].score;
                        if score > *above {
                            answer.push((s.labels.clone(), score));
                        }
                    }
                }
            }
            Condition::OutsideBaseline {
                baseline,
                sensitivity,
            } => {
                let reference = reference.ok_or("the baseline's data is missing")?;
                if let Err(message) = reference {
                    return Err(format!("baseline query: {message}"));
                }
                let overlay = overlay_for(
                    s,
                    window,
                    &options_for(Some(*baseline), *sensitivity),
                    Some(reference),
                );
                // A series without history to compare with cannot be judged.
                let Some(Ok(band)) = overlay.baseline else {
                    continue;
                };
                for (answer, &t) in answers.iter_mut().zip(times) {
                    if let (Some((_, value)), Some((_, lower, upper))) =
                        (sample_at(t), band.at(t, tolerance))
                    {
                        if value < lower || value > upper {
                            answer.push((s.labels.clone(), value));
                        }
                    }
                }
            }
            Condition::ForecastCrosses { op, value, within } => {
                let horizon = parse_span(within)?;
                for (answer, &t) in answers.iter_mut().zip(times) {
                    // The samples a `[within]` range at `t` selects (both ends included).
                    let from = s.timestamps.partition_point(|&x| x < t - horizon);
                    let to = s.timestamps.partition_point(|&x| x <= t);
                    let (ts, vs): (Vec<f64>, Vec<f64>) = s.timestamps[from..to]
                        .iter()
                        .zip(&s.values[from..to])
                        .filter(|(_, v)| !v.is_nan())
                        .map(|(t, v)| (*t, *v))
                        .unzip();
                    if let Some(predicted) = predict_linear(&ts, &vs, t, horizon) {
                        if op.holds(predicted, *value) {
                            answer.push((s.labels.clone(), predicted));
                        }
                    }
                }
            }
            Condition::Returns | Condition::Threshold { .. } => {
                return Err("not an analytic condition".into())
            }
        }
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::rule::Comparison;

    fn series(name: &str, timestamps: &[f64], value: impl Fn(f64) -> f64) -> Series {
        let mut labels = Labels::new();
        labels.insert("instance".into(), name.into());
        Series {
            labels,
            timestamps: timestamps.to_vec(),
            values: timestamps.iter().map(|&t| value(t)).collect(),
        }
    }

    fn noise(t: f64) -> f64 {
        // Deterministic jitter in [-1, 1].
        ((t * 12.9898).sin() * 43_758.545).fract()
    }

    #[test]
    fn history_window_is_aligned_and_long_enough() {
        let condition = Condition::AnomalyScore { above: 0.99 };
        let window = history_window(&condition, 60.0, 1_000_030.0);
        assert_eq!(window.end, 1_000_020.0);
        assert_eq!(window.step, 60.0);
        assert_eq!(window.end - window.start, 720.0 * 60.0);
        let crossing = Condition::ForecastCrosses {
            op: Comparison::Below,
            value: 0.0,
            within: "4h".into(),
        };
        let window = history_window(&crossing, 1.0, 100_000.0);
        assert_eq!(window.end - window.start, 4.0 * 3600.0);
        assert!(window.step >= 2.0, "stays within Prometheus's point limit");
    }

    #[test]
    fn anomaly_score_flags_only_the_spike() {
        let window = QueryWindow {
            start: 0.0,
            end: 720.0 * 60.0,
            step: 60.0,
        };
        let times: Vec<f64> = (0..=720).map(|k| k as f64 * 60.0).collect();
        let spike_at = 700.0 * 60.0;
        let calm = series("calm", &times, |t| 100.0 + noise(t));
        let spiky = series("spiky", &times, |t| {
            100.0 + noise(t) + if t == spike_at { 50.0 } else { 0.0 }
        });
        let condition = Condition::AnomalyScore { above: 0.99 };
        let answers = analytic_answers(&condition, &[calm, spiky], None, &window, &times).unwrap();
        let flagged: Vec<(f64, String)> = answers
            .iter()
            .zip(&times)
            .flat_map(|(a, t)| a.iter().map(move |(l, _)| (*t, l["instance"].clone())))
            .collect();
        assert_eq!(flagged, vec![(spike_at, "spiky".to_string())]);
        assert!(answers[700][0].1 > 0.99 && answers[700][0].1 <= 1.0);
    }

    #[test]
    fn outside_the_week_ago_band() {
        let window = QueryWindow {
            start: 0.0,
            end: 600.0 * 60.0,
            step: 60.0,
        };
        let times: Vec<f64> = (0..=600).map(|k| k as f64 * 60.0).collect();
        // Last week (already shifted onto this axis) looked like now, except the last hour.
        let reference = vec![series("a", &times, |t| 50.0 + 5.0 * noise(t + 7.0))];
        let now = series("a", &times, |t| {
            50.0 + 5.0 * noise(t) + if t >= 540.0 * 60.0 { 80.0 } else { 0.0 }
        });
        let condition = Condition::OutsideBaseline {
            baseline: BaselineKind::WeekAgo,
            sensitivity: Sensitivity::Medium,
        };
        let answers =
            analytic_answers(&condition, &[now], Some(&Ok(reference)), &window, &times).unwrap();
        let outside: Vec<usize> = (0..times.len())
            .filter(|&i| !answers[i].is_empty())
            .collect();
        assert!(outside.iter().all(|&i| i >= 540), "{outside:?}");
        assert_eq!(outside.len(), 61);
        assert!(answers[600][0].1 > 120.0);
        // A failed baseline query is an error of the rule, not silence.
        let failed = analytic_answers(
            &condition,
            &[series("a", &times, |_| 1.0)],
            Some(&Err("timeout".into())),
            &window,
            &times,
        );
        assert_eq!(failed.unwrap_err(), "baseline query: timeout");
    }

    #[test]
    fn forecast_crossing_is_predict_linear() {
        let times: Vec<f64> = (0..=240).map(|k| k as f64 * 60.0).collect();
        let window = QueryWindow {
            start: 0.0,
            end: 240.0 * 60.0,
            step: 60.0,
        };
        // Free space falling by 1 per minute from 300: reaches 0 at t = 300 min.
        let disk = series("disk", &times, |t| 300.0 - t / 60.0);
        let condition = Condition::ForecastCrosses {
            op: Comparison::AtMost,
            value: 0.0,
            within: "1h".into(),
        };
        let answers = analytic_answers(&condition, &[disk], None, &window, &times).unwrap();
        // predict_linear(free[1h], 3600) <= 0 from t = 240 min on (300 - 240 - 60 = 0).
        let first = answers.iter().position(|a| !a.is_empty()).unwrap();
        assert_eq!(times[first], 240.0 * 60.0);
        assert!(answers[first][0].1.abs() < 1e-9);
    }
}
