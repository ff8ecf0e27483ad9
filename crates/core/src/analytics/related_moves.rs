//! "What else moved?": given an incident's time window, which other series
//! moved with it, how much, and which moved first; and which change (a
//! deployment, a restart, a reload) most likely set it off.
//!
//! Each candidate is judged against its own baseline, the hour before the
//! window (and before the [`LEAD_SECONDS`] ahead of it where a cause may
//! already have moved), as the anomaly detector's first stage judges a
//! point: a robust z (distance from the median in units of 1.4826 · MAD). The
//! spread is at least [`MIN_RELATIVE_SPREAD`] of the level, so a move is at
//! least a fifth of it: a smooth series drifting with the time of day has a
//! tiny MAD over an hour and would otherwise "move" all the time. A
//! candidate moved when it stays at least [`ONSET_SIGMAS`] away for two
//! points in a row; its onset is the first of them. Its score grows with the
//! size of the move (logarithmically: 40σ is not ten times 4σ), with the
//! share of the window it stays away (co-occurrence), and falls the later it
//! moved after the incident began (a series that moved first may be the
//! cause; one that moved an hour later is an echo).
//!
//! A change is the likely trigger when it came shortly before the first move
//! (within [`TRIGGER_LOOKBACK_SECONDS`], weighed down the further back it is),
//! weighted by kind (a deployment more than a restart; an alert is a symptom,
//! never a trigger) and raised when it happened to a process the moved series
//! belong to. Below [`TRIGGER_MIN_SCORE`] nothing is claimed: an incident
//! with no change behind it has no trigger.

use crate::analytics::anomaly_detector::{median, median_absolute_deviation};
use crate::foundation::ordered::{sort_stable_by, SortedMap};

/// Robust z at which a point counts as moved.
pub const ONSET_SIGMAS: f64 = 4.0;
/// Robust z at which a point in the window counts towards co-occurrence.
const AWAY_SIGMAS: f64 = 3.0;
/// Moves are capped here: a series flat at zero that becomes non-zero is
/// infinitely far from its baseline, and as telling as one 50σ away.
const MAX_SIGMAS: f64 = 50.0;
/// Baseline points needed to judge a candidate at all.
const MIN_BASELINE_POINTS: usize = 10;
/// How long before the incident a cause may already have moved.
pub const LEAD_SECONDS: f64 = 10.0 * 60.0;
/// How much history before that each candidate is judged against.
pub const BASELINE_SECONDS: f64 = 3600.0;
/// The smallest spread, as a share of the baseline's level.
pub const MIN_RELATIVE_SPREAD: f64 = 0.05;
/// Changes this long before the first move can be its trigger.
pub const TRIGGER_LOOKBACK_SECONDS: f64 = 30.0 * 60.0;
/// A change's weight halves every this many seconds before the first move.
const TRIGGER_HALF_LIFE_SECONDS: f64 = 10.0 * 60.0;
/// Trigger score below which no trigger is claimed.
pub const TRIGGER_MIN_SCORE: f64 = 0.25;

/// A candidate series on its own timestamps (seconds), covering the baseline
/// before the window and the window itself.
#[derive(Debug, Clone, Copy)]
pub struct MoveCandidate<'a> {
    pub timestamps: &'a [f64],
    pub values: &'a [f64],
}

/// How one candidate moved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Move {
    /// Index of the candidate.
    pub candidate: usize,
    pub score: f64,
    /// When it first moved (seconds).
    pub onset: f64,
    /// Its furthest distance from its baseline in the window, signed (up > 0).
    pub sigmas: f64,
    /// Share of the window's points it stayed away.
    pub cooccurrence: f64,
}

/// Median and robust spread of the finite values among `values`; the spread
/// is never zero (a flat baseline gets a small floor relative to its level).
fn baseline(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let mut sorted: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    if sorted.len() < MIN_BASELINE_POINTS {
        return None;
    }
    sort_stable_by(&mut sorted, f64::total_cmp);
    // As the anomaly detector measures its reference window.
    let center = median(&sorted);
    let spread = 1.4826 * median_absolute_deviation(&sorted, center);
    let floor = (center.abs() * MIN_RELATIVE_SPREAD).max(1e-9);
    Some((center, spread.max(floor)))
}

/// How `candidate` moved from [`LEAD_SECONDS`] before `window` (start, end
/// seconds) to its end, judged against the [`BASELINE_SECONDS`] before
/// that; `None` when it did not move (or cannot be judged).
pub fn candidate_move(candidate: MoveCandidate, window: (f64, f64), index: usize) -> Option<Move> {
    let watched_from = window.0 - LEAD_SECONDS;
    let points: Vec<(f64, f64)> = candidate
        .timestamps
        .iter()
        .copied()
        .zip(candidate.values.iter().copied())
        .collect();
    let (center, spread) = baseline(
        points
            .iter()
            .filter(|(t, _)| *t < watched_from && *t >= watched_from - BASELINE_SECONDS)
            .map(|(_, v)| *v),
    )?;
    let inside: Vec<(f64, f64)> = points
        .into_iter()
        .filter(|(t, v)| *t >= watched_from && *t <= window.1 && v.is_finite())
        .map(|(t, v)| (t, ((v - center) / spread).clamp(-MAX_SIGMAS, MAX_SIGMAS)))
        .collect();
    let onset_at = inside.windows(2).position(|pair| {
        let (a, b) = (pair[0].1, pair[1].1);
        a.abs() >= ONSET_SIGMAS && b.abs() >= ONSET_SIGMAS && a.signum() == b.signum()
    })?;
    let (onset, direction) = (inside[onset_at].0, inside[onset_at].1.signum());
    let sigmas = inside[onset_at..]
        .iter()
        .map(|(_, z)| z * direction)
        .fold(0.0, f64::max)
        * direction;
    let away = inside
        .iter()
        .filter(|(_, z)| z * direction >= AWAY_SIGMAS)
        .count();
    Some(Move {
        candidate: index,
        score: 0.0,
        onset,
        sigmas,
        cooccurrence: away as f64 / inside.len() as f64,
    })
}

/// The candidates that moved with the incident in `window`, best first,
/// each timed against the incident's start (`window.0`).
pub fn rank_moves(candidates: &[MoveCandidate], window: (f64, f64)) -> Vec<Move> {
    let mut moves: Vec<Move> = candidates
        .iter()
        .enumerate()
        .filter_map(|(index, candidate)| candidate_move(*candidate, window, index))
        .collect();
    let length = (window.1 - window.0).max(1.0);
    for one in &mut moves {
        let lag = (one.onset - window.0).max(0.0);
        let timing = (-lag / length * 2.0).exp();
        one.score = (1.0 + one.sigmas.abs()).ln() * (0.5 + 0.5 * one.cooccurrence) * timing;
    }
    sort_stable_by(&mut moves, |a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.onset.total_cmp(&b.onset))
    });
    moves
}

/// Correlation above which two moves of the same metrics are one move seen
/// twice (the error rate in percent and the rate of 500s).
pub const SIMILAR_CORRELATION: f64 = 0.9;

/// Pearson correlation of two series over their common timestamps in
/// `span` (seconds); `None` with fewer than three common points or no variance.
pub fn correlation(a: MoveCandidate, b: MoveCandidate, span: (f64, f64)) -> Option<f64> {
    let mut pairs = Vec::new();
    let mut j = 0;
    for (i, &t) in a.timestamps.iter().enumerate() {
        if t < span.0 || t > span.1 {
            continue;
        }
        while j < b.timestamps.len() && b.timestamps[j] < t {
            j += 1;
        }
        if j < b.timestamps.len() && b.timestamps[j] == t {
            let (x, y) = (a.values[i], b.values[j]);
            if x.is_finite() && y.is_finite() {
                pairs.push((x, y));
            }
        }
    }
    if pairs.len() < 3 {
        return None;
    }
    let n = pairs.len() as f64;
    let (mx, my) = pairs
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x / n, sy + y / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Folds each move into a better-ranked one of the same family (as
/// `family` says: the metrics a candidate is computed from) that it follows
/// closely over the watched span: one row per thing that moved, with the
/// others listed as its echoes. Returns (kept move, folded candidates).
pub fn fold_similar(
    moves: Vec<Move>,
    candidates: &[MoveCandidate],
    family: impl Fn(usize) -> Vec<String>,
    window: (f64, f64),
) -> Vec<(Move, Vec<usize>)> {
    let span = (window.0 - LEAD_SECONDS, window.1);
    let mut kept: Vec<(Move, Vec<usize>, Vec<String>)> = Vec::new();
    for one in moves {
        let mine = family(one.candidate);
        let into = kept.iter_mut().find(|(other, _, theirs)| {
            !mine.is_empty()
                && *theirs == mine
                && correlation(candidates[other.candidate], candidates[one.candidate], span)
                    .is_some_and(|r| r >= SIMILAR_CORRELATION)
        });
        match into {
            Some((_, folded, _)) => folded.push(one.candidate),
            None => kept.push((one, Vec::new(), mine)),
        }
    }
    kept.into_iter().map(|(m, folded, _)| (m, folded)).collect()
}

/// The metric names an expression selects (each name written before `{` or
/// `[`), sorted: what "the same family" means for [`fold_similar`].
pub fn metric_family(expr: &str) -> Vec<String> {
    let mut names = Vec::new();
    let bytes = expr.as_bytes();
    let mut start = None;
    let mut in_quotes = false;
    for (i, &b) in bytes.iter().enumerate() {
        let word = b.is_ascii_alphanumeric() || b == b'_' || b == b':';
        if b == b'"' {
            in_quotes = !in_quotes;
        }
        if in_quotes {
            start = None;
            continue;
        }
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(from)) => {
                if b == b'{' || b == b'[' {
                    let name = &expr[from..i];
                    if name.bytes().next().is_some_and(|c| !c.is_ascii_digit()) {
                        names.push(name.to_string());
                    }
                }
                start = None;
            }
            _ => {}
        }
    }
    sort_stable_by(&mut names, |a, b| a.cmp(b));
    names.dedup();
    names
}

/// What kind of change an event is, for how likely it is to cause an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Deployment,
    ConfigReload,
    Restart,
    TargetDown,
    /// An annotation query's event: a change of unknown kind.
    Annotation,
    /// An alert is a symptom, never a trigger.
    Alert,
}

impl ChangeKind {
    fn weight(self) -> f64 {
        match self {
            ChangeKind::Deployment => 1.0,
            ChangeKind::ConfigReload => 0.8,
            ChangeKind::Annotation => 0.7,
            ChangeKind::Restart => 0.6,
            ChangeKind::TargetDown => 0.5,
            ChangeKind::Alert => 0.0,
        }
    }
}

/// A change that may have set the incident off.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeCandidate {
    pub at: f64,
    pub kind: ChangeKind,
    /// The labels of the process it happened to (`job`, `instance`, …).
    pub labels: SortedMap<String, String>,
}

/// The likely trigger: index into `changes`, its score and how long before
/// the first move it came (seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trigger {
    pub change: usize,
    pub score: f64,
    pub lead_seconds: f64,
}

/// The change most likely to have set off moves beginning at `first_onset`,
/// given the labels of the series that moved most (best first); `None` when
/// no change is likely enough. A change in the same step as the first move
/// counts as before it (`step` seconds of slack).
pub fn likely_trigger(
    changes: &[ChangeCandidate],
    first_onset: f64,
    moved_labels: &[&SortedMap<String, String>],
    step: f64,
) -> Option<Trigger> {
    let mut best: Option<Trigger> = None;
    for (index, change) in changes.iter().enumerate() {
        let lead = first_onset - change.at;
        if lead < -step || lead > TRIGGER_LOOKBACK_SECONDS {
            continue;
        }
        let recency = 0.5f64.powf(lead.max(0.0) / TRIGGER_HALF_LIFE_SECONDS);
        // The same process as a series that moved: the `instance` (or, when
        // the change names none, the `job`) matches.
        let shares = |labels: &SortedMap<String, String>| {
            let key = if change.labels.get("instance").is_some() {
                "instance"
            } else {
                "job"
            };
            change.labels.get(key).is_some() && change.labels.get(key) == labels.get(key)
        };
        let related = moved_labels.iter().take(3).any(|l| shares(l));
        let score = change.kind.weight() * recency * if related { 1.5 } else { 1.0 };
        if score > best.map_or(0.0, |b| b.score) {
            best = Some(Trigger {
                change: index,
                score,
                lead_seconds: lead,
            });
        }
    }
    best.filter(|b| b.score >= TRIGGER_MIN_SCORE)
}

/// "2 min before", "at the same time", "40 s after".
pub fn timing_text(seconds_after: f64) -> String {
    let amount = |s: f64| {
        if s >= 90.0 {
            format!("{} min", (s / 60.0).round())
        } else {
            format!("{} s", s.round())
        }
    };
    if seconds_after.abs() < 1.0 {
        "at the same time".to_string()
    } else if seconds_after < 0.0 {
        format!("{} before", amount(-seconds_after))
    } else {
        format!("{} after", amount(seconds_after))
    }
}

/// Why a move ranks where it does: "moved 2 min before, 6σ up, away 80 % of the window"
/// (before or after the incident's start).
pub fn move_reason(one: &Move, incident_start: f64) -> String {
    format!(
        "moved {}, {:.0}σ {}, away {:.0} % of the window",
        timing_text(one.onset - incident_start),
        one.sigmas.abs(),
        if one.sigmas >= 0.0 { "up" } else { "down" },
        one.cooccurrence * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One point a minute for two hours: noise around `level`, with `shift`
    /// added from minute `from` on.
    fn series(level: f64, noise: f64, from: usize, shift: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut state = seed;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let timestamps: Vec<f64> = (0..120).map(|m| f64::from(m) * 60.0).collect();
        let values = (0..120)
            .map(|m| level + noise * next() + if m >= from { shift } else { 0.0 })
            .collect();
        (timestamps, values)
    }

    #[test]
    fn the_series_that_moved_first_and_most_ranks_first_and_quiet_ones_not_at_all() {
        // The incident window: minutes 90 to 119.
        let window = (90.0 * 60.0, 119.0 * 60.0);
        let errors = series(1.0, 0.2, 91, 8.0, 1);
        let latency = series(0.3, 0.02, 93, 0.3, 2);
        let late_echo = series(10.0, 1.0, 112, 12.0, 3);
        let quiet = series(5.0, 1.0, 0, 0.0, 4);
        let all = [&errors, &latency, &late_echo, &quiet];
        let candidates: Vec<MoveCandidate> = all
            .iter()
            .map(|(t, v)| MoveCandidate {
                timestamps: t,
                values: v,
            })
            .collect();
        let ranked = rank_moves(&candidates, window);
        let order: Vec<usize> = ranked.iter().map(|m| m.candidate).collect();
        assert_eq!(order, [0, 1, 2], "{ranked:#?}");
        assert_eq!(ranked[0].onset, 91.0 * 60.0);
        assert_eq!(ranked[1].onset, 93.0 * 60.0);
        assert!(ranked[0].sigmas > 10.0);
        assert_eq!(
            move_reason(&ranked[1], window.0),
            format!(
                "moved 3 min after, {:.0}σ up, away {:.0} % of the window",
                ranked[1].sigmas,
                ranked[1].cooccurrence * 100.0
            )
        );
    }

    #[test]
    fn a_drop_is_a_move_down_and_a_flat_series_leaving_zero_is_capped() {
        let window = (90.0 * 60.0, 119.0 * 60.0);
        let traffic = series(20.0, 1.0, 95, -15.0, 5);
        let zeros: Vec<f64> = (0..120).map(|m| if m >= 96 { 3.0 } else { 0.0 }).collect();
        let (timestamps, _) = series(0.0, 0.0, 0, 0.0, 6);
        let candidates = [
            MoveCandidate {
                timestamps: &traffic.0,
                values: &traffic.1,
            },
            MoveCandidate {
                timestamps: &timestamps,
                values: &zeros,
            },
        ];
        let ranked = rank_moves(&candidates, window);
        let traffic_move = ranked.iter().find(|m| m.candidate == 0).unwrap();
        assert!(traffic_move.sigmas < -ONSET_SIGMAS);
        let from_zero = ranked.iter().find(|m| m.candidate == 1).unwrap();
        assert_eq!(from_zero.sigmas, MAX_SIGMAS);
    }

    fn labels(pairs: &[(&str, &str)]) -> SortedMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_deployment_just_before_on_the_same_instance_is_the_trigger() {
        let app_2 = labels(&[("job", "api"), ("instance", "app-2")]);
        let app_1 = labels(&[("job", "api"), ("instance", "app-1")]);
        let changes = vec![
            // Long before: out of reach.
            ChangeCandidate {
                at: 0.0,
                kind: ChangeKind::Deployment,
                labels: app_2.clone(),
            },
            // The restart that came with the deployment, and an alert.
            ChangeCandidate {
                at: 5340.0,
                kind: ChangeKind::Restart,
                labels: app_2.clone(),
            },
            ChangeCandidate {
                at: 5400.0,
                kind: ChangeKind::Alert,
                labels: app_2.clone(),
            },
            ChangeCandidate {
                at: 5340.0,
                kind: ChangeKind::Deployment,
                labels: app_2.clone(),
            },
            // After the first move: an echo, not a cause.
            ChangeCandidate {
                at: 6000.0,
                kind: ChangeKind::Deployment,
                labels: app_1.clone(),
            },
        ];
        let trigger = likely_trigger(&changes, 5400.0, &[&app_2], 60.0).unwrap();
        assert_eq!((trigger.change, trigger.lead_seconds), (3, 60.0));
        // Nothing shortly before: no trigger is claimed.
        assert_eq!(likely_trigger(&changes, 3000.0, &[&app_2], 60.0), None);
        // An alert alone is never one.
        assert_eq!(
            likely_trigger(&changes[2..3], 5400.0, &[&app_2], 60.0),
            None
        );
    }

    #[test]
    fn the_same_metric_moving_twice_is_folded_and_another_metric_is_not() {
        let window = (90.0 * 60.0, 119.0 * 60.0);
        let errors = series(1.0, 0.2, 91, 8.0, 1);
        let errors_percent = (
            errors.0.clone(),
            errors.1.iter().map(|v| v * 3.0).collect::<Vec<_>>(),
        );
        let latency = series(0.3, 0.01, 93, 0.6, 2);
        let all = [&errors, &errors_percent, &latency];
        let candidates: Vec<MoveCandidate> = all
            .iter()
            .map(|(t, v)| MoveCandidate {
                timestamps: t,
                values: v,
            })
            .collect();
        let families = [
            metric_family(r#"rate(http_requests_total{status_code=~"5.."}[5m])"#),
            metric_family(
                r#"sum(rate(http_requests_total{code="5"}[5m])) / sum(rate(http_requests_total[5m]))"#,
            ),
            metric_family(
                r#"histogram_quantile(0.95, rate(http_request_duration_seconds_bucket{a="{x["}[5m]))"#,
            ),
        ];
        assert_eq!(families[0], ["http_requests_total"]);
        assert_eq!(families[2], ["http_request_duration_seconds_bucket"]);
        let ranked = rank_moves(&candidates, window);
        let folded = fold_similar(ranked, &candidates, |i| families[i].clone(), window);
        let rows: Vec<(usize, Vec<usize>)> = folded
            .iter()
            .map(|(m, f)| (m.candidate, f.clone()))
            .collect();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows.contains(&(2, vec![])), "{rows:?}");
        let errors_row = rows.iter().find(|(c, _)| *c != 2).unwrap();
        assert_eq!(errors_row.1.len(), 1);
    }

    #[test]
    fn timings_read_as_people_say_them() {
        assert_eq!(timing_text(-120.0), "2 min before");
        assert_eq!(timing_text(40.0), "40 s after");
        assert_eq!(timing_text(0.2), "at the same time");
    }
}
