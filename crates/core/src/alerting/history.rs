//! A bounded history of alert state changes (what the timeline shows): kept
//! for a week and at most [`HISTORY_LIMIT`] entries, whichever is less, so the
//! browser's storage never grows without end.

use super::state_machine::{AlertState, Transition};
use crate::foundation::ordered::sort_stable_by;
use crate::query::series::Labels;
use serde::{Deserialize, Serialize};

pub const HISTORY_LIMIT: usize = 500;
pub const HISTORY_MAX_AGE_SECONDS: f64 = 7.0 * 86_400.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub rule: String,
    #[serde(default)]
    pub labels: Labels,
    pub from: Option<AlertState>,
    pub to: AlertState,
    pub at: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AlertHistory {
    #[serde(default)]
    pub entries: Vec<HistoryEntry>,
    /// Remediation actions run, by hand or by themselves, with their answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action_runs: Vec<super::remediation::ActionRun>,
}

/// A stretch of time an alert instance spent pending or firing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub state: AlertState,
    pub start: f64,
    /// `None`: still going.
    pub end: Option<f64>,
}

/// One alert instance's row in the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    pub rule: String,
    pub labels: Labels,
    pub segments: Vec<Segment>,
}

impl AlertHistory {
    /// Adds a rule's state changes and drops what is too old or too many.
    pub fn record(&mut self, rule: &str, transitions: &[Transition], now: f64) {
        self.entries
            .extend(transitions.iter().map(|transition| HistoryEntry {
                rule: rule.to_string(),
                labels: transition.labels.clone(),
                from: transition.from,
                to: transition.to,
                at: transition.at,
            }));
        self.entries
            .retain(|entry| now - entry.at <= HISTORY_MAX_AGE_SECONDS);
        let excess = self.entries.len().saturating_sub(HISTORY_LIMIT);
        self.entries.drain(..excess);
    }

    /// Pending and firing stretches per alert instance that overlap `[from, to]`,
    /// most recently active first.
    pub fn timeline(&self, from: f64, to: f64) -> Vec<TimelineRow> {
        let mut rows: Vec<TimelineRow> = Vec::new();
        for entry in &self.entries {
            let index = match rows
                .iter()
                .position(|r| r.rule == entry.rule && r.labels == entry.labels)
            {
                Some(index) => index,
                None => {
                    rows.push(TimelineRow {
                        rule: entry.rule.clone(),
                        labels: entry.labels.clone(),
                        segments: Vec::new(),
                    });
                    rows.len() - 1
                }
            };
            let segments = &mut rows[index].segments;
            if let Some(open) = segments.last_mut().filter(|s| s.end.is_none()) {
                open.end = Some(entry.at);
            }
            if entry.to != AlertState::Inactive {
                segments.push(Segment {
                    state: entry.to,
                    start: entry.at,
                    end: None,
                });
            }
        }
        for row in &mut rows {
            row.segments
                .retain(|s| s.start <= to && s.end.is_none_or(|end| end >= from));
        }
        rows.retain(|row| !row.segments.is_empty());
        // Still active first, then by when they last changed.
        let latest = |row: &TimelineRow| {
            row.segments
                .last()
                .map_or(f64::MIN, |s| s.end.unwrap_or(f64::INFINITY))
        };
        sort_stable_by(&mut rows, |a, b| latest(b).total_cmp(&latest(a)));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(instance: &str, from: Option<AlertState>, to: AlertState, at: f64) -> Transition {
        Transition {
            labels: [("instance".to_string(), instance.to_string())].into(),
            from,
            to,
            at,
        }
    }

    #[test]
    fn timeline_has_pending_then_firing_stretches() {
        let mut history = AlertHistory::default();
        history.record("R", &[change("a", None, AlertState::Pending, 10.0)], 10.0);
        history.record(
            "R",
            &[
                change("a", Some(AlertState::Pending), AlertState::Firing, 70.0),
                change("b", None, AlertState::Pending, 70.0),
            ],
            70.0,
        );
        history.record(
            "R",
            &[change(
                "a",
                Some(AlertState::Firing),
                AlertState::Inactive,
                130.0,
            )],
            130.0,
        );
        let rows = history.timeline(0.0, 200.0);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].labels["instance"], "b", "most recent first");
        assert_eq!(
            rows[0].segments,
            vec![Segment {
                state: AlertState::Pending,
                start: 70.0,
                end: None
            }]
        );
        assert_eq!(
            rows[1].segments,
            vec![
                Segment {
                    state: AlertState::Pending,
                    start: 10.0,
                    end: Some(70.0)
                },
                Segment {
                    state: AlertState::Firing,
                    start: 70.0,
                    end: Some(130.0)
                },
            ]
        );
        // Outside the window: nothing.
        assert!(history
            .timeline(140.0, 200.0)
            .iter()
            .all(|r| r.labels["instance"] == "b"));
    }

    #[test]
    fn history_is_bounded_by_count_and_age() {
        let mut history = AlertHistory::default();
        for k in 0..(HISTORY_LIMIT + 20) {
            let at = k as f64;
            history.record("R", &[change("a", None, AlertState::Pending, at)], at);
        }
        assert_eq!(history.entries.len(), HISTORY_LIMIT);
        assert_eq!(history.entries[0].at, 20.0, "the oldest go first");
        history.record("R", &[], HISTORY_MAX_AGE_SECONDS + 100.0);
        assert_eq!(history.entries.len(), HISTORY_LIMIT + 20 - 100);
    }
}
