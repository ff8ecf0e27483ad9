//! The alert state machine of a rule, with Prometheus's exact rules
//! (`rules/alerting.go`): one alert per output label set; a new label set is
//! Pending from the evaluation it first appears (`active_at`); it fires at the
//! first evaluation where `now - active_at >= for` (so `for: 0` fires at once);
//! a Pending alert that disappears is forgotten (a later return starts `for`
//! again); a Firing alert that disappears is kept Firing ("recovering") until
//! it has been absent for `keep_firing_for`, then resolves; a resolved alert is
//! remembered for 15 minutes so notifiers can report it, and a return after
//! resolution starts a new Pending period. The clock is an argument: the
//! machine is pure and replayable (backtests, reloads, tests).

use crate::foundation::ordered::SortedMap;
use crate::query::series::Labels;
use serde::{Deserialize, Serialize};

/// How long a resolved alert is kept to be reported as resolved (Prometheus's `resolvedRetention`).
pub const RESOLVED_RETENTION_SECONDS: f64 = 15.0 * 60.0;

crate::foundation::json_serde::json_as_name!(AlertState => id);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertState {
    /// Resolved, kept for reporting.
    Inactive,
    Pending,
    Firing,
}

impl AlertState {
    pub const ALL: [AlertState; 3] = [Self::Inactive, Self::Pending, Self::Firing];

    /// How it is written (`inactive`, `pending`, `firing`), as Prometheus does.
    pub fn id(self) -> &'static str {
        match self {
            Self::Inactive => "inactive",
            Self::Pending => "pending",
            Self::Firing => "firing",
        }
    }
}

/// One alert instance (one output label set of the rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    #[serde(default)]
    pub labels: Labels,
    pub state: AlertState,
    /// Not a number until the first sample (written as `null`).
    #[serde(default = "not_a_number")]
    pub value: f64,
    /// When the current Pending period began (seconds).
    pub active_at: f64,
    pub fired_at: Option<f64>,
    pub resolved_at: Option<f64>,
    /// Since when a Firing alert has been absent (it is then "recovering").
    pub keep_firing_since: Option<f64>,
    /// When it was last sent to a notifier (managed by the caller).
    pub last_sent_at: Option<f64>,
    /// The labels of the series it comes from, `__name__` included: what its
    /// templates see as `$labels` (a rule label does not replace them).
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub series_labels: Labels,
    /// Its annotations as rendered when its series was last present, as
    /// Prometheus keeps them (a template's `query` ran then). Empty for an
    /// alert stored before they were kept (or of a rule without any): they
    /// are rendered when shown.
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub annotations: SortedMap<String, String>,
}

/// What a rule makes of one series of its query's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertOutput {
    /// The alert's labels: the series' (without `__name__`), the rule's, `alertname`.
    pub labels: Labels,
    pub value: f64,
    /// The series' own labels, for templates.
    pub series_labels: Labels,
}

impl Alert {
    /// `$labels` for its templates. An alert stored before the series'
    /// labels were kept has only its own: those, without `alertname` and the
    /// rule's labels, are the best guess.
    pub fn template_labels(&self, rule_label_names: impl Iterator<Item = String>) -> Labels {
        if !self.series_labels.is_empty() {
            return self.series_labels.clone();
        }
        let mut labels = self.labels.clone();
        labels.remove("alertname");
        for name in rule_label_names {
            labels.remove(&name);
        }
        labels
    }

    /// Firing, but its series has gone and `keep_firing_for` is running.
    pub fn is_recovering(&self) -> bool {
        self.state == AlertState::Firing && self.keep_firing_since.is_some()
    }
}

/// A state change worth telling someone about.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub labels: Labels,
    pub from: Option<AlertState>,
    pub to: AlertState,
    pub at: f64,
}

/// The alerts of one rule, evaluated step by step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RuleState {
    /// By label set.
    #[serde(default)]
    pub alerts: SortedMap<String, Alert>,
    /// The last evaluation time (seconds).
    pub last_evaluation: Option<f64>,
}

fn not_a_number() -> f64 {
    f64::NAN
}

fn key(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}\u{1}{v}"))
        .collect::<Vec<_>>()
        .join("\u{2}")
}

impl RuleState {
    /// One evaluation at `now` with the rule's output (already labelled as the
    /// alerts will be). Returns the state changes.
    /// [`Self::evaluate`] on a rule's outputs, keeping each alert's series labels.
    pub fn evaluate_outputs(
        &mut self,
        now: f64,
        outputs: &[AlertOutput],
        for_seconds: f64,
        keep_firing_for_seconds: f64,
    ) -> Vec<Transition> {
        let pairs: Vec<(Labels, f64)> = outputs
            .iter()
            .map(|output| (output.labels.clone(), output.value))
            .collect();
        let transitions = self.evaluate(now, &pairs, for_seconds, keep_firing_for_seconds);
        for output in outputs {
            if let Some(alert) = self.alerts.get_mut(&key(&output.labels)) {
                alert.series_labels = output.series_labels.clone();
            }
        }
        transitions
    }

    /// The alert of this label set, if the rule has one.
    pub fn alert(&self, labels: &Labels) -> Option<&Alert> {
        self.alerts.get(&key(labels))
    }

    /// The alert of this label set, if the rule has one.
    pub fn alert_mut(&mut self, labels: &Labels) -> Option<&mut Alert> {
        self.alerts.get_mut(&key(labels))
    }

    pub fn evaluate(
        &mut self,
        now: f64,
        output: &[(Labels, f64)],
        for_seconds: f64,
        keep_firing_for_seconds: f64,
    ) -> Vec<Transition> {
        let mut transitions = Vec::new();
        // Each label set once (the last, if the answer repeats one), sorted in one go:
        // an answer of thousands of series in any order stays fast.
        let ids: Vec<String> = output.iter().map(|(labels, _)| key(labels)).collect();
        let present: SortedMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(index, id)| (id.as_str(), index))
            .collect();
        let mut added = Vec::new();
        for (index, ((labels, value), id)) in output.iter().zip(&ids).enumerate() {
            if present.get(id.as_str()) != Some(&index) {
                continue;
            }
            match self.alerts.get_mut(id) {
                Some(alert) if alert.state != AlertState::Inactive => {
                    alert.value = *value;
                }
                previous => {
                    let from = previous.map(|a| a.state);
                    added.push((
                        id.clone(),
                        Alert {
                            labels: labels.clone(),
                            state: AlertState::Pending,
                            value: *value,
                            active_at: now,
                            fired_at: None,
                            resolved_at: None,
                            keep_firing_since: None,
                            last_sent_at: None,
                            series_labels: Labels::new(),
                            annotations: SortedMap::new(),
                        },
                    ));
                    transitions.push(Transition {
                        labels: labels.clone(),
                        from,
                        to: AlertState::Pending,
                        at: now,
                    });
                }
            }
        }
        self.alerts.extend(added);
        let mut forget = Vec::new();
        for (id, alert) in &mut self.alerts {
            if !present.contains_key(id.as_str()) {
                let mut keep_firing = false;
                if alert.state == AlertState::Firing && keep_firing_for_seconds > 0.0 {
                    let since = *alert.keep_firing_since.get_or_insert(now);
                    keep_firing = now - since < keep_firing_for_seconds;
                }
                if alert.state == AlertState::Pending
                    || alert
                        .resolved_at
                        .is_some_and(|at| now - at > RESOLVED_RETENTION_SECONDS)
                {
                    forget.push(id.clone());
                }
                if alert.state != AlertState::Inactive && !keep_firing {
                    transitions.push(Transition {
                        labels: alert.labels.clone(),
                        from: Some(alert.state),
                        to: AlertState::Inactive,
                        at: now,
                    });
                    alert.state = AlertState::Inactive;
                    alert.resolved_at = Some(now);
                }
                if !keep_firing {
                    continue;
                }
            } else {
                alert.keep_firing_since = None;
            }
            if alert.state == AlertState::Pending && now - alert.active_at >= for_seconds {
                alert.state = AlertState::Firing;
                alert.fired_at = Some(now);
                transitions.push(Transition {
                    labels: alert.labels.clone(),
                    from: Some(AlertState::Pending),
                    to: AlertState::Firing,
                    at: now,
                });
            }
        }
        for id in forget {
            self.alerts.remove(&id);
        }
        self.last_evaluation = Some(now);
        transitions
    }

    /// Alerts that are pending or firing.
    pub fn active(&self) -> impl Iterator<Item = &Alert> {
        self.alerts
            .values()
            .filter(|a| a.state != AlertState::Inactive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(instance: &str) -> Labels {
        [
            ("alertname".to_string(), "HighErrors".to_string()),
            ("instance".to_string(), instance.to_string()),
        ]
        .into()
    }

    fn states(rule: &RuleState) -> Vec<(String, AlertState)> {
        rule.alerts
            .values()
            .map(|a| (a.labels["instance"].clone(), a.state))
            .collect()
    }

    #[test]
    fn pending_then_firing_after_for_and_resolved_when_gone() {
        let mut rule = RuleState::default();
        let a = vec![(labels("a"), 1.0)];
        rule.evaluate(0.0, &a, 120.0, 0.0);
        assert_eq!(states(&rule), [("a".into(), AlertState::Pending)]);
        rule.evaluate(60.0, &a, 120.0, 0.0);
        assert_eq!(states(&rule), [("a".into(), AlertState::Pending)]);
        let t = rule.evaluate(120.0, &a, 120.0, 0.0);
        assert_eq!(
            t[0].to,
            AlertState::Firing,
            "fires when now - active_at >= for"
        );
        let t = rule.evaluate(180.0, &[], 120.0, 0.0);
        assert_eq!(t[0].to, AlertState::Inactive);
        assert_eq!(
            rule.alerts.values().next().unwrap().resolved_at,
            Some(180.0)
        );
        // Kept 15 minutes for reporting, then forgotten.
        rule.evaluate(180.0 + 900.0, &[], 120.0, 0.0);
        assert_eq!(rule.alerts.len(), 1);
        rule.evaluate(180.0 + 960.0, &[], 120.0, 0.0);
        assert!(rule.alerts.is_empty());
    }

    #[test]
    fn for_zero_fires_at_once_and_a_pending_gap_restarts_for() {
        let mut rule = RuleState::default();
        let t = rule.evaluate(0.0, &[(labels("a"), 1.0)], 0.0, 0.0);
        assert_eq!(
            t.iter().map(|t| t.to).collect::<Vec<_>>(),
            [AlertState::Pending, AlertState::Firing]
        );
        let mut rule = RuleState::default();
        rule.evaluate(0.0, &[(labels("a"), 1.0)], 120.0, 0.0);
        rule.evaluate(60.0, &[], 120.0, 0.0);
        assert!(
            rule.alerts.is_empty(),
            "a pending alert that goes away is forgotten"
        );
        rule.evaluate(120.0, &[(labels("a"), 1.0)], 120.0, 0.0);
        rule.evaluate(180.0, &[(labels("a"), 1.0)], 120.0, 0.0);
        assert_eq!(
            states(&rule),
            [("a".into(), AlertState::Pending)],
            "for restarted at 120"
        );
        rule.evaluate(240.0, &[(labels("a"), 1.0)], 120.0, 0.0);
        assert_eq!(states(&rule), [("a".into(), AlertState::Firing)]);
    }

    #[test]
    fn keep_firing_for_holds_a_firing_alert_and_a_return_cancels_it() {
        let mut rule = RuleState::default();
        let a = vec![(labels("a"), 1.0)];
        rule.evaluate(0.0, &a, 0.0, 300.0);
        rule.evaluate(60.0, &[], 0.0, 300.0);
        let alert = rule.alerts.values().next().unwrap();
        assert!(alert.is_recovering());
        rule.evaluate(120.0, &a, 0.0, 300.0);
        assert!(!rule.alerts.values().next().unwrap().is_recovering());
        rule.evaluate(180.0, &[], 0.0, 300.0); // since 180
        rule.evaluate(420.0, &[], 0.0, 300.0);
        assert_eq!(states(&rule), [("a".into(), AlertState::Firing)]);
        let t = rule.evaluate(480.0, &[], 0.0, 300.0);
        assert_eq!(
            t[0].to,
            AlertState::Inactive,
            "resolved once absent for keep_firing_for"
        );
    }

    #[test]
    fn each_label_set_is_its_own_alert_and_a_return_after_resolution_is_new() {
        let mut rule = RuleState::default();
        rule.evaluate(0.0, &[(labels("a"), 1.0), (labels("b"), 2.0)], 60.0, 0.0);
        rule.evaluate(60.0, &[(labels("a"), 1.0)], 60.0, 0.0);
        assert_eq!(states(&rule), [("a".into(), AlertState::Firing)]);
        rule.evaluate(120.0, &[], 60.0, 0.0);
        let t = rule.evaluate(180.0, &[(labels("a"), 5.0)], 60.0, 0.0);
        assert_eq!(
            (t[0].from, t[0].to),
            (Some(AlertState::Inactive), AlertState::Pending)
        );
        assert_eq!(rule.alerts.values().next().unwrap().active_at, 180.0);
        assert_eq!(rule.active().count(), 1);
    }
}
