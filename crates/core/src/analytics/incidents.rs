//! Anomalous points become incidents: one excursion, however many points it
//! spans, is one incident with a start, an end, a peak and a direction.
//!
//! An incident opens at a reported point (score at or above the report level)
//! and is judged against what the detector expected just before it (the
//! reference median and robust spread, frozen at the opening point, so the
//! excursion cannot become its own baseline). It lasts while the values stay
//! more than [`OUTSIDE_SIGMAS`] robust standard deviations away on the same side
//! and closes after [`CLOSING_POINTS`] consecutive points back inside. Reported
//! points within [`MERGE_POINTS`] of an open incident's end in the same direction
//! extend it instead of starting a new one. Causal: an incident's start and
//! peak so far never depend on later points.

use super::anomaly_detector::PointScore;

/// How far from the expected value a point still counts as part of the incident.
pub const OUTSIDE_SIGMAS: f64 = 3.0;
/// Consecutive points back inside that close an incident.
pub const CLOSING_POINTS: usize = 3;
/// Reported points this close after an incident's end join it.
pub const MERGE_POINTS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Higher than expected.
    Up,
    /// Lower than expected.
    Down,
}

impl Direction {
    pub fn id(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down => "down",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Incident {
    /// Index of the first and last anomalous points (inclusive).
    pub start_index: usize,
    pub end_index: usize,
    /// Index of the point furthest from the expected value.
    pub peak_index: usize,
    pub direction: Direction,
    /// What was expected when the incident opened.
    pub expected: f64,
    /// The peak's distance from `expected` in robust standard deviations.
    pub peak_sigmas: f64,
    /// The highest anomaly score inside the incident.
    pub peak_score: f64,
}

impl Incident {
    pub fn contains(&self, index: usize) -> bool {
        (self.start_index..=self.end_index).contains(&index)
    }
}

/// Groups the reported points of `values` (scored by the detector) into incidents.
pub fn merge_incidents(values: &[f64], scores: &[PointScore], report_score: f64) -> Vec<Incident> {
    let mut incidents: Vec<Incident> = Vec::new();
    let mut index = 0;
    while index < values.len().min(scores.len()) {
        let point = scores[index];
        let value = values[index];
        let reported = point.score >= report_score
            && value.is_finite()
            && point.expected.is_finite()
            && point.spread > 0.0;
        if !reported {
            index += 1;
            continue;
        }
        let direction = if value >= point.expected {
            Direction::Up
        } else {
            Direction::Down
        };
        let sigmas = |v: f64| match direction {
            Direction::Up => (v - point.expected) / point.spread,
            Direction::Down => (point.expected - v) / point.spread,
        };
        let mut incident = Incident {
            start_index: index,
            end_index: index,
            peak_index: index,
            direction,
            expected: point.expected,
            peak_sigmas: sigmas(value),
            peak_score: point.score,
        };
        let mut inside_run = 0;
        let mut next = index + 1;
        while next < values.len() && inside_run < CLOSING_POINTS {
            let v = values[next];
            if v.is_finite() {
                let distance = sigmas(v);
                if distance > OUTSIDE_SIGMAS {
                    inside_run = 0;
                    incident.end_index = next;
                    if distance > incident.peak_sigmas {
                        incident.peak_sigmas = distance;
                        incident.peak_index = next;
                    }
                    incident.peak_score = incident.peak_score.max(scores[next].score);
                } else {
                    inside_run += 1;
                }
            }
            next += 1;
        }
        match incidents.last_mut() {
            Some(previous)
                if previous.direction == incident.direction
                    && incident.start_index <= previous.end_index + MERGE_POINTS =>
            {
                previous.end_index = previous.end_index.max(incident.end_index);
                if incident.peak_sigmas > previous.peak_sigmas {
                    previous.peak_sigmas = incident.peak_sigmas;
                    previous.peak_index = incident.peak_index;
                }
                previous.peak_score = previous.peak_score.max(incident.peak_score);
            }
            _ => incidents.push(incident),
        }
        index = incident.end_index + 1;
    }
    incidents
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::anomaly_detector::{score_series_detailed, DetectorConfig};

    fn noisy(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| 100.0 + ((i * 7919) % 13) as f64 * 0.5)
            .collect()
    }

    fn incidents_of(values: &[f64]) -> Vec<Incident> {
        let config = DetectorConfig::default();
        merge_incidents(
            values,
            &score_series_detailed(values, config),
            config.report_score,
        )
    }

    #[test]
    fn a_plateau_is_one_incident_from_its_start_to_its_end() {
        let mut values = noisy(800);
        for v in &mut values[400..460] {
            *v += 40.0;
        }
        values[430] += 20.0;
        let incidents = incidents_of(&values);
        assert_eq!(incidents.len(), 1, "{incidents:?}");
        let incident = incidents[0];
        assert_eq!(incident.direction, Direction::Up);
        assert!(incident.start_index >= 400 && incident.start_index <= 402);
        assert_eq!(incident.end_index, 459);
        assert_eq!(incident.peak_index, 430);
        assert!(incident.peak_sigmas > 10.0);
        assert!((incident.expected - 103.0).abs() < 1.5, "{incident:?}");
    }

    #[test]
    fn a_drop_points_down_and_quiet_data_has_none() {
        let mut values = noisy(800);
        assert!(incidents_of(&values).is_empty());
        for v in &mut values[500..520] {
            *v -= 50.0;
        }
        let incidents = incidents_of(&values);
        assert_eq!(incidents.len(), 1, "{incidents:?}");
        assert_eq!(incidents[0].direction, Direction::Down);
        assert_eq!(incidents[0].end_index, 519);
    }

    #[test]
    fn separate_excursions_are_separate_and_gaps_do_not_end_them() {
        // Late enough in the series that one earlier excursion, within the
        // detector's calibration history, does not make the next one ordinary.
        let mut values = noisy(2000);
        values[1400] = 300.0;
        for v in &mut values[1600..1640] {
            *v -= 60.0;
        }
        values[1610] = f64::NAN;
        values[1611] = f64::NAN;
        let incidents = incidents_of(&values);
        assert_eq!(incidents.len(), 2, "{incidents:?}");
        assert_eq!(
            (incidents[0].start_index, incidents[0].end_index),
            (1400, 1400)
        );
        assert_eq!(incidents[1].direction, Direction::Down);
        assert_eq!(incidents[1].end_index, 1639);
    }

    #[test]
    fn nothing_is_reported_without_scores() {
        assert!(merge_incidents(&[1.0, 2.0], &[], 0.5).is_empty());
        let unknown = PointScore {
            score: 1.0,
            expected: f64::NAN,
            spread: f64::NAN,
        };
        assert!(merge_incidents(&[1.0], &[unknown], 0.5).is_empty());
    }
}
