//! Whether the Service health dashboard's anomaly markers find the demo
//! history's incidents, asked of a real Prometheus with the page's own core
//! code and queries, on the six-hour views the dashboard browser test opens:
//! the error spike on *Request rate by status* (500s), the latency regression
//! on p95, the traffic drop on *Traffic vs last week* and on *Traffic* judged
//! against last week. The history ends five minutes before "now", so where
//! its incidents fall in the day moves with the clock; these checks let a
//! test or a sweep pin the time of day.

use foresight_core::analytics::baseline::{baseline_query_window, shift_series};
use foresight_core::analytics::incidents::Direction;
use foresight_core::analytics::options::{BaselineKind, ForesightOptions};
use foresight_core::analytics::panel_overlays::{axis_end, overlay_for};
use foresight_core::model::dashboard::{Dashboard, PanelKind};
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::query::prometheus_response::{parse_query_response, QueryData};
use foresight_core::query::series::{format_legend, Series};
use foresight_core::query::step::QueryWindow;
use history_generator::{Incident, IncidentKind, Manifest};

/// The page's step for a six-hour view on a half-width panel (the dashboard
/// browser test checks that the page uses it).
pub const STEP: f64 = 60.0;
const SIX_HOURS: f64 = 6.0 * 3600.0;
/// How long after an incident's end a flag still counts (the test's allowance).
const AFTER_END: f64 = 600.0;

pub struct Check {
    pub incident: IncidentKind,
    pub panel: &'static str,
    pub legend: &'static str,
    pub direction: Direction,
    pub baseline: Option<BaselineKind>,
}

/// The checks, in the order the browser test makes them.
pub const CHECKS: [Check; 4] = [
    Check {
        incident: IncidentKind::ErrorRateSpike,
        panel: "request-rate-by-status",
        legend: "500",
        direction: Direction::Up,
        baseline: None,
    },
    Check {
        incident: IncidentKind::LatencyRegression,
        panel: "p95-latency",
        legend: "p95",
        direction: Direction::Up,
        baseline: None,
    },
    Check {
        incident: IncidentKind::TrafficDrop,
        panel: "traffic-vs-last-week",
        legend: "change vs same time last week",
        direction: Direction::Down,
        baseline: None,
    },
    Check {
        incident: IncidentKind::TrafficDrop,
        panel: "traffic",
        legend: "requests/s",
        direction: Direction::Down,
        baseline: Some(BaselineKind::WeekAgo),
    },
];

fn range(base: &str, expr: &str, window: &QueryWindow) -> Result<Vec<Series>, String> {
    let url = format!(
        "{base}/api/v1/query_range?query={}&start={}&end={}&step={}",
        encode_uri_component(expr),
        window.start,
        window.end,
        window.step
    );
    let body = crate::http_get(&url)?;
    match parse_query_response(200, &body)
        .map_err(|e| e.to_string())?
        .data
    {
        QueryData::Matrix(series) => Ok(series),
        _ => Err(format!("not a matrix: {expr}")),
    }
}

/// The view the end-to-end test opens for `incident`: six hours ending at its
/// middle for the spike (the view ends while it lasts), an hour after its end otherwise.
fn view_end(check: &Check, incident: &Incident) -> f64 {
    if check.incident == IncidentKind::ErrorRateSpike {
        ((incident.start + incident.end) / 2) as f64
    } else {
        (incident.end + 3600) as f64
    }
}

/// The first flag inside the incident (seconds after its start) on an
/// incident pointing the right way, or why there is none.
pub fn first_flag(
    base: &str,
    dashboard: &Dashboard,
    check: &Check,
    incident: &Incident,
) -> Result<Option<f64>, String> {
    let panel = dashboard
        .panels
        .iter()
        .find(|p| p.id == check.panel)
        .ok_or_else(|| format!("no panel {}", check.panel))?;
    let end = view_end(check, incident);
    let window = QueryWindow::aligned(end - SIX_HOURS, end, STEP, 11_000.0);
    let PanelKind::Timeseries { foresight, .. } = &panel.kind else {
        return Err(format!("{} is not a time series panel", check.panel));
    };
    let options = ForesightOptions {
        anomalies: true,
        baseline: check.baseline,
        ..foresight.clone()
    };
    for target in &panel.targets {
        let expr = target.expr.replace("$job", "sample-service");
        let found = range(base, &expr, &window)?;
        let Some(series) = found.iter().find(|s| {
            format_legend(target.legend_format.as_deref().unwrap_or(""), &s.labels) == check.legend
        }) else {
            continue;
        };
        let reference = match check.baseline {
            Some(kind) => {
                let (shifted, offset) =
                    baseline_query_window(kind, &window, axis_end(&window, &options));
                let mut references = range(base, &expr, &shifted)?;
                references.iter_mut().for_each(|r| shift_series(r, offset));
                Some(Ok(references))
            }
            None => None,
        };
        let overlay = overlay_for(series, &window, &options, reference.as_ref());
        let (from, to) = (incident.start as f64, incident.end as f64 + AFTER_END);
        let inside = |index: usize| (from..=to).contains(&series.timestamps[index]);
        let pointing = overlay.incidents.iter().any(|i| {
            i.direction == check.direction
                && series.timestamps[i.start_index] <= to
                && series.timestamps[i.end_index] >= from
        });
        return Ok(overlay
            .anomalies
            .iter()
            .copied()
            .find(|&i| inside(i))
            .filter(|_| pointing)
            .map(|i| series.timestamps[i] - from));
    }
    Err(format!("no series {} on {}", check.legend, check.panel))
}

/// The shipped Service health dashboard.
pub fn service_health() -> Result<Dashboard, String> {
    Dashboard::from_json(include_str!(
        "../../../public/dashboards/service-health.json"
    ))
    .map_err(|e| e.to_string())
}

/// Each check's first flag (seconds after its incident's start), on the
/// Prometheus at `base` holding the history `manifest` describes.
pub fn first_flags(base: &str, manifest: &Manifest) -> Result<Vec<Option<f64>>, String> {
    let dashboard = service_health()?;
    CHECKS
        .iter()
        .map(|check| {
            let incident = manifest
                .incident(check.incident)
                .ok_or_else(|| format!("the history has no {:?}", check.incident))?;
            first_flag(base, &dashboard, check, incident)
        })
        .collect()
}

/// A short name of the incident a check looks for.
pub fn incident_name(kind: IncidentKind) -> &'static str {
    match kind {
        IncidentKind::ErrorRateSpike => "error spike",
        IncidentKind::LatencyRegression => "latency regression",
        IncidentKind::TrafficDrop => "traffic drop",
        IncidentKind::DiskFill => "disk fill",
        IncidentKind::InstanceRestart => "restart",
        IncidentKind::BatchJob => "batch job",
    }
}

/// The latest instant at `minute_of_day` (UTC) at least ten minutes before
/// `now`: a history ending there is loaded whole, and is the same history
/// whenever within the next day it is asked for.
pub fn latest_past(now: i64, minute_of_day: i64) -> i64 {
    let today = now - now.rem_euclid(86_400) + minute_of_day * 60;
    if today <= now - 600 {
        today
    } else {
        today - 86_400
    }
}

/// `HH:MM` of a Unix time (UTC).
pub fn clock(t: i64) -> String {
    format!(
        "{:02}:{:02}",
        t.rem_euclid(86_400) / 3600,
        t.rem_euclid(3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_past_time_of_day_is_between_ten_minutes_and_a_day_and_ten_minutes_ago() {
        let now = 1_796_466_900; // 10:35 UTC
        assert_eq!(clock(now), "10:35");
        assert_eq!(clock(latest_past(now, 10 * 60 + 20)), "10:20");
        assert_eq!(now - latest_past(now, 10 * 60 + 20), 900);
        // Less than ten minutes ago: the day before.
        assert_eq!(now - latest_past(now, 10 * 60 + 30), 86_400 + 300);
        assert!(now - latest_past(now, 0) < 86_400);
    }
}
