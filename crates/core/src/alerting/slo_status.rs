//! Where each SLO stands now, from Prometheus's answers: budget left, burn
//! rates over the workbook's windows, time left at the current burn, which
//! alert pair is over its threshold; the overview's order (most urgent
//! first); and the budget burn-down over the period.
//!
//! The SLO panels ask one query per SLO: its error ratio over every window
//! and over the period, each labelled with `slo_id` and `slo_window` as the
//! exported recording rules are, so the answer is read back by label and
//! the numbers are Prometheus's own.

use super::slo::{burn_rate_threshold, Severity, Slo, RECORDED_WINDOWS, WORKBOOK_WINDOWS};
use crate::foundation::ordered::{sort_stable_by, SortedMap};
use crate::query::series::{Labels, Series};

/// The window whose burn rate "now" means: the shortest window a page reads
/// over its long side (the workbook's 1 h), steady enough not to swing with
/// every scrape.
pub const CURRENT_BURN_WINDOW: &str = "1h";

/// The label the status query puts its window in (as the exported rules do).
pub const WINDOW_LABEL: &str = "slo_window";
/// The label the status query puts the SLO's id in.
pub const SLO_LABEL: &str = "slo_id";

/// The windows a status reads: every recorded window and the period.
pub fn status_windows(slo: &Slo) -> Vec<String> {
    let mut windows: Vec<String> = RECORDED_WINDOWS.iter().map(|w| w.to_string()).collect();
    if !windows.contains(&slo.period) {
        windows.push(slo.period.clone());
    }
    windows
}

/// One instant query for everything a status needs: the error ratio over
/// each window, labelled with the window and the SLO's id.
pub fn status_query(slo: &Slo) -> String {
    status_windows(slo)
        .iter()
        .map(|window| {
            format!(
                "label_replace(label_replace({}, \"{WINDOW_LABEL}\", \"{window}\", \"\", \"\"), \"{SLO_LABEL}\", \"{}\", \"\", \"\")",
                slo.error_ratio_expr(window),
                slo.id
            )
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// An SLO's burn rate over one window.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowBurn {
    pub window: String,
    /// `None` when the window had no events.
    pub burn_rate: Option<f64>,
}

/// One SLO (one series of it, when its indicator keeps labels such as
/// `instance`) as it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct SloStatus {
    pub slo_id: String,
    pub name: String,
    /// The labels the indicator kept (empty for a service-wide SLO).
    pub labels: Labels,
    pub objective_percent: f64,
    pub period: String,
    /// Failed events over all events in the period.
    pub period_error_ratio: Option<f64>,
    /// The share of the period's budget left (negative once overspent).
    pub budget_remaining: Option<f64>,
    /// Shortest window first.
    pub burns: Vec<WindowBurn>,
    /// Seconds until the budget is spent at the last hour's burn rate;
    /// `None` when nothing burns.
    pub time_left_seconds: Option<f64>,
    /// The most severe alert pair over its threshold now.
    pub alerting: Option<Severity>,
}

impl SloStatus {
    /// The burn rate over `window`, if any.
    pub fn burn_over(&self, window: &str) -> Option<f64> {
        self.burns
            .iter()
            .find(|b| b.window == window)
            .and_then(|b| b.burn_rate)
    }

    /// The fastest burn over the alert windows (not the period).
    pub fn fastest_burn(&self) -> Option<(&str, f64)> {
        self.burns
            .iter()
            .filter(|b| RECORDED_WINDOWS.contains(&b.window.as_str()))
            .filter_map(|b| Some((b.window.as_str(), b.burn_rate?)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// In words, for the overview's status column.
    pub fn state_words(&self) -> &'static str {
        match (self.alerting, self.budget_remaining) {
            (Some(Severity::Page), _) => "Paging: burning fast",
            (Some(Severity::Ticket), _) => "Ticket: burning slowly",
            (None, Some(left)) if left <= 0.0 => "Budget spent",
            (None, None) => "No traffic",
            (None, Some(_)) => "OK",
        }
    }

    /// Orders statuses most urgent first: a page, a ticket, a spent budget,
    /// then the least time left, then the least budget left.
    fn urgency(&self) -> (u8, f64, f64) {
        let rank = match (self.alerting, self.budget_remaining) {
            (Some(Severity::Page), _) => 0,
            (Some(Severity::Ticket), _) => 1,
            (None, Some(left)) if left <= 0.0 => 2,
            (None, Some(_)) => 3,
            (None, None) => 4,
        };
        (
            rank,
            self.time_left_seconds.unwrap_or(f64::INFINITY),
            self.budget_remaining.unwrap_or(f64::INFINITY),
        )
    }
}

/// The statuses of `slo` from the answer to its [`status_query`]: one per
/// label set the indicator kept. Samples of another SLO or window are left
/// out, so one answer may serve several SLOs.
pub fn statuses(slo: &Slo, answer: &[(Labels, f64)]) -> Vec<SloStatus> {
    let budget = slo.error_budget();
    let period_seconds = slo.period_seconds().unwrap_or(f64::NAN);
    let windows = status_windows(slo);
    // (the indicator's own labels, window, ratio), sorted once by labels: an
    // answer of 10,000 samples inserted one by one in falling order would
    // move memory quadratically.
    let mut samples: Vec<(Labels, String, f64)> = Vec::new();
    for (labels, value) in answer {
        if labels.get(SLO_LABEL) != Some(&slo.id) {
            continue;
        }
        let Some(window) = labels.get(WINDOW_LABEL).filter(|w| windows.contains(w)) else {
            continue;
        };
        let mut own = labels.clone();
        own.remove(SLO_LABEL);
        own.remove(WINDOW_LABEL);
        if value.is_finite() {
            samples.push((own, window.clone(), *value));
        }
    }
    crate::foundation::ordered::sort_stable_by(&mut samples, |a, b| a.0.cmp(&b.0));
    // The indicator's own labels → window → ratio (a repeated window: the later sample).
    let mut by_labels: Vec<(Labels, SortedMap<String, f64>)> = Vec::new();
    for (labels, window, value) in samples {
        match by_labels.last_mut() {
            Some((last, ratios)) if *last == labels => {
                ratios.insert(window, value);
            }
            _ => by_labels.push((labels, [(window, value)].into_iter().collect())),
        }
    }
    by_labels
        .into_iter()
        .map(|(labels, ratios)| {
            let burn = |window: &str| ratios.get(window).map(|r| r / budget);
            let period_error_ratio = ratios.get(&slo.period).copied();
            let budget_remaining = period_error_ratio.map(|r| 1.0 - r / budget);
            let alerting = [Severity::Page, Severity::Ticket]
                .into_iter()
                .find(|severity| {
                    WORKBOOK_WINDOWS
                        .iter()
                        .filter(|w| w.severity == *severity)
                        .any(|w| {
                            let Ok(threshold) = burn_rate_threshold(w, period_seconds) else {
                                return false;
                            };
                            // Prometheus compares the ratio with factor × budget.
                            let over = |window: &str| {
                                ratios.get(window).is_some_and(|r| *r > threshold * budget)
                            };
                            over(w.short) && over(w.long)
                        })
                });
            let time_left_seconds = budget_remaining.and_then(|left| {
                super::slo::time_left_seconds(
                    left,
                    period_seconds,
                    burn(CURRENT_BURN_WINDOW).unwrap_or(0.0),
                )
            });
            SloStatus {
                slo_id: slo.id.clone(),
                name: slo.name.clone(),
                labels,
                objective_percent: slo.objective_percent,
                period: slo.period.clone(),
                period_error_ratio,
                budget_remaining,
                burns: windows
                    .iter()
                    .map(|w| WindowBurn {
                        window: w.clone(),
                        burn_rate: burn(w),
                    })
                    .collect(),
                time_left_seconds,
                alerting,
            }
        })
        .collect()
}

/// Most urgent first (see [`SloStatus::urgency`]); ties keep their order.
pub fn by_urgency(mut statuses: Vec<SloStatus>) -> Vec<SloStatus> {
    sort_stable_by(&mut statuses, |a, b| {
        let (a, b) = (a.urgency(), b.urgency());
        a.0.cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.total_cmp(&b.2))
    });
    statuses
}

/// The budget burn-down over the period: the share of the period's budget
/// left after each step (percent), from the failed and all events per
/// second at each step (each averaged over the step), and the ideal line:
/// the budget spent exactly as the events come, reaching 0 % at the end.
#[derive(Debug, Clone, PartialEq)]
pub struct BurnDown {
    pub remaining_percent: Series,
    pub ideal_percent: Series,
}

/// The burn-down from the step-by-step rates of failed and all events
/// (`step` seconds apart; a missing step adds nothing). `None` without
/// events.
pub fn burn_down(
    errors: &Series,
    total: &Series,
    step: f64,
    error_budget: f64,
) -> Option<BurnDown> {
    let errors_at: SortedMap<i64, f64> = errors
        .timestamps
        .iter()
        .zip(&errors.values)
        .filter(|(_, v)| v.is_finite())
        .map(|(t, v)| ((t * 1000.0).round() as i64, *v))
        .collect();
    let points: Vec<(f64, f64, f64)> = total
        .timestamps
        .iter()
        .zip(&total.values)
        .filter(|(_, v)| v.is_finite())
        .map(|(t, v)| {
            let failed = errors_at
                .get(&((t * 1000.0).round() as i64))
                .copied()
                .unwrap_or(0.0);
            (*t, failed.max(0.0) * step, v.max(0.0) * step)
        })
        .collect();
    let all_events: f64 = points.iter().map(|p| p.2).sum();
    if all_events <= 0.0 || error_budget <= 0.0 {
        return None;
    }
    let budget_events = error_budget * all_events;
    let (mut failed_so_far, mut events_so_far) = (0.0, 0.0);
    let mut remaining = Series {
        labels: Labels::from_iter([("__name__".to_string(), "Budget left".to_string())]),
        timestamps: Vec::with_capacity(points.len()),
        values: Vec::with_capacity(points.len()),
    };
    let mut ideal = Series {
        labels: Labels::from_iter([(
            "__name__".to_string(),
            "Spending exactly the budget".to_string(),
        )]),
        ..remaining.clone()
    };
    for (t, failed, events) in points {
        failed_so_far += failed;
        events_so_far += events;
        remaining.timestamps.push(t);
        remaining
            .values
            .push(100.0 * (1.0 - failed_so_far / budget_events));
        ideal.timestamps.push(t);
        ideal
            .values
            .push(100.0 * (1.0 - events_so_far / all_events));
    }
    Some(BurnDown {
        remaining_percent: remaining,
        ideal_percent: ideal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::slo::Indicator;

    fn slo(objective: f64, period: &str) -> Slo {
        Slo {
            id: "availability".into(),
            name: "Availability".into(),
            service: "api".into(),
            indicator: Indicator {
                errors: Some("sum(rate(e[{{.window}}]))".into()),
                total: "sum(rate(t[{{.window}}]))".into(),
                ..Indicator::default()
            },
            objective_percent: objective,
            period: period.into(),
            interval: None,
        }
    }

    fn answer(id: &str, ratios: &[(&str, f64)], extra: &[(&str, &str)]) -> Vec<(Labels, f64)> {
        ratios
            .iter()
            .map(|(window, ratio)| {
                let mut labels: Labels = extra
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                labels.insert(SLO_LABEL.into(), id.into());
                labels.insert(WINDOW_LABEL.into(), window.to_string());
                (labels, *ratio)
            })
            .collect()
    }

    #[test]
    fn the_status_query_labels_every_window_and_the_period() {
        let query = status_query(&slo(99.0, "28d"));
        for window in ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "28d"] {
            assert!(
                query.contains(&format!("\"slo_window\", \"{window}\"")),
                "{window}: {query}"
            );
            assert!(
                query.contains(&format!("sum(rate(e[{window}]))")),
                "{query}"
            );
        }
        assert_eq!(query.matches("label_replace(label_replace(").count(), 8);
        // A period that is one of the windows is asked once.
        assert_eq!(
            status_query(&slo(99.0, "3d"))
                .matches("label_replace(label_replace(")
                .count(),
            7
        );
    }

    #[test]
    fn budget_burn_and_time_left_by_hand() {
        // 99 % over 30 days: a budget of 1 %. 0.4 % failed over the period
        // leaves 60 %; 2 % failed in the last hour burns at 2×, so the 60 %
        // lasts 0.6 × 30 d / 2 = 9 days.
        let slo = slo(99.0, "30d");
        let ratios = [
            ("5m", 0.03),
            ("30m", 0.02),
            ("1h", 0.02),
            ("2h", 0.01),
            ("6h", 0.01),
            ("1d", 0.005),
            ("3d", 0.005),
            ("30d", 0.004),
        ];
        let status = &statuses(&slo, &answer("availability", &ratios, &[]))[0];
        assert!((status.budget_remaining.unwrap() - 0.6).abs() < 1e-12);
        assert!((status.burn_over("1h").unwrap() - 2.0).abs() < 1e-12);
        assert!((status.burn_over("5m").unwrap() - 3.0).abs() < 1e-12);
        let nine_days = 9.0 * 86_400.0;
        assert!((status.time_left_seconds.unwrap() - nine_days).abs() < 1e-3);
        assert_eq!(status.fastest_burn(), Some(("5m", 3.0)));
        // 1 d and 2 h at 1 % and 0.5 %: below 3× (3 %); 3 d and 6 h at
        // 0.5 % and 1 %: below 1× (1 %). Nothing alerts.
        assert_eq!(status.alerting, None);
        assert_eq!(status.state_words(), "OK");
    }

    #[test]
    fn alert_pairs_need_both_windows_over_the_threshold() {
        let slo = slo(99.0, "30d");
        // 1 h at 15 % is over 14.4 × 1 %, and 5 m at 20 % too: a page.
        let paging = [("5m", 0.2), ("1h", 0.15), ("30d", 0.002)];
        let status = &statuses(&slo, &answer("availability", &paging, &[]))[0];
        assert_eq!(status.alerting, Some(Severity::Page));
        // The 5 m window recovered: the 1 h pair no longer pages.
        let recovered = [("5m", 0.001), ("1h", 0.15), ("30d", 0.002)];
        let status = &statuses(&slo, &answer("availability", &recovered, &[]))[0];
        assert_eq!(status.alerting, None);
        // 3 d at 1.1 % and 6 h at 1.2 %: over 1×, a ticket.
        let slow = [("6h", 0.012), ("3d", 0.011), ("30d", 0.009)];
        let status = &statuses(&slo, &answer("availability", &slow, &[]))[0];
        assert_eq!(status.alerting, Some(Severity::Ticket));
        // 28 days: 1 h pages over 13.44 × budget, not 14.4 ×.
        let slo28 = self::slo(99.0, "28d");
        let between = [("5m", 0.14), ("1h", 0.14), ("28d", 0.002)];
        let status = &statuses(&slo28, &answer("availability", &between, &[]))[0];
        assert_eq!(status.alerting, Some(Severity::Page));
        let status = &statuses(&slo, &answer("availability", &between, &[]))[0];
        assert_eq!(status.alerting, None);
    }

    #[test]
    fn ten_thousand_label_sets_in_falling_order_give_one_status_each() {
        let slo = slo(99.0, "30d");
        let mut samples = Vec::new();
        for k in (0..10_000).rev() {
            let instance = format!("i{k:05}");
            samples.extend(answer(
                "availability",
                &[("1h", 0.01), ("30d", 0.001)],
                &[("instance", instance.as_str())],
            ));
        }
        // A repeated window: the later sample counts, as before.
        samples.extend(answer(
            "availability",
            &[("30d", 0.002)],
            &[("instance", "i00000")],
        ));
        let found = statuses(&slo, &samples);
        assert_eq!(found.len(), 10_000);
        assert!(found.windows(2).all(|p| p[0].labels < p[1].labels));
        assert_eq!(found[0].period_error_ratio, Some(0.002));
    }

    #[test]
    fn one_status_per_kept_label_set_and_other_slos_ignored() {
        let slo = slo(99.0, "30d");
        let mut samples = answer(
            "availability",
            &[("1h", 0.01), ("30d", 0.001)],
            &[("instance", "a")],
        );
        samples.extend(answer(
            "availability",
            &[("1h", 0.2), ("5m", 0.3), ("30d", 0.004)],
            &[("instance", "b")],
        ));
        samples.extend(answer("latency", &[("1h", 0.5), ("30d", 0.5)], &[]));
        let found = statuses(&slo, &samples);
        assert_eq!(found.len(), 2);
        let urgent = by_urgency(found);
        assert_eq!(
            urgent[0].labels.get("instance").map(String::as_str),
            Some("b")
        );
        assert_eq!(urgent[0].alerting, Some(Severity::Page));
        assert_eq!(
            urgent[1].labels.get("instance").map(String::as_str),
            Some("a")
        );
    }

    #[test]
    fn urgency_puts_pages_then_tickets_then_spent_then_least_time_left() {
        let make = |id: &str, alerting, left: Option<f64>, time_left: Option<f64>| SloStatus {
            slo_id: id.into(),
            name: id.into(),
            labels: Labels::new(),
            objective_percent: 99.0,
            period: "30d".into(),
            period_error_ratio: None,
            budget_remaining: left,
            burns: Vec::new(),
            time_left_seconds: time_left,
            alerting,
        };
        let ordered = by_urgency(vec![
            make("quiet", None, Some(0.9), None),
            make("no-traffic", None, None, None),
            make("soon", None, Some(0.5), Some(3600.0)),
            make("later", None, Some(0.4), Some(86_400.0)),
            make("spent", None, Some(-0.1), Some(0.0)),
            make("ticket", Some(Severity::Ticket), Some(0.8), None),
            make("page", Some(Severity::Page), Some(0.95), Some(1e6)),
        ]);
        let ids: Vec<&str> = ordered.iter().map(|s| s.slo_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "page",
                "ticket",
                "spent",
                "soon",
                "later",
                "quiet",
                "no-traffic"
            ]
        );
    }

    #[test]
    fn burn_down_adds_up_steps_and_ends_at_the_period_figure() {
        let series = |values: &[f64]| Series {
            labels: Labels::new(),
            timestamps: (0..values.len()).map(|i| i as f64 * 60.0).collect(),
            values: values.to_vec(),
        };
        // 10 events a second for four minutes; 0.1 failed a second in the
        // third minute only: 6 of 2 400 events, with a 1 % budget of 24.
        let total = series(&[10.0, 10.0, 10.0, 10.0]);
        let errors = series(&[0.0, 0.0, 0.1, 0.0]);
        let down = burn_down(&errors, &total, 60.0, 0.01).unwrap();
        assert_eq!(down.remaining_percent.values, [100.0, 100.0, 75.0, 75.0]);
        assert_eq!(down.ideal_percent.values, [75.0, 50.0, 25.0, 0.0]);
        // The end equals 1 − (failed / all) / budget: 1 − 0.0025 / 0.01.
        assert!((down.remaining_percent.values[3] - 75.0).abs() < 1e-12);
        // No events: nothing to draw.
        assert!(burn_down(&errors, &series(&[0.0, 0.0]), 60.0, 0.01).is_none());
    }
}
