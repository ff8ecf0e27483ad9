//! "What else moved?" as a whole, the same for the page and the benchmark:
//! candidate series and the dashboard's events in, a ranked list with a
//! reason for each rank, the likely trigger, and a Markdown incident summary
//! out. The statistics are in `analytics::related_moves`.

use crate::analytics::related_moves::{
    fold_similar, likely_trigger, metric_family, move_reason, rank_moves, timing_text,
    ChangeCandidate, ChangeKind, MoveCandidate,
};
use crate::model::event_sources::{EventReading, SourceEvents};
use crate::query::annotations::{ChangeSource, TimeEvent};
use crate::query::series::{Labels, Series};

/// What the user asked about: an anomaly on a panel, a firing alert, or a
/// selected time window.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedQuestion {
    /// "Latency percentiles: p95 up", "HighErrorRate firing", …
    pub title: String,
    /// The incident's start and end (seconds).
    pub window: (f64, f64),
    /// The labels of the series or alert it is about: their `job` and
    /// `instance` lead to the other metrics of the same processes.
    pub labels: Labels,
}

/// An incident window is asked about for at most this long: what moved in
/// its first hour says what set it off.
pub const MAX_QUESTION_SECONDS: f64 = 3600.0;

/// Candidates are read at one point a minute at least: what the ranking was
/// designed and measured at, and it keeps a metric of 500 series to a
/// short answer (parsing a long one holds the page up).
pub const CANDIDATE_STEP_SECONDS: f64 = 60.0;

/// The question about a panel's latest anomaly: among its series' incidents
/// (found by the anomaly detector), the one that began last.
pub fn question_from_incidents(
    panel_title: &str,
    series: &[(&str, &Series, &[crate::analytics::incidents::Incident])],
    step: f64,
    time_text: impl Fn(f64) -> String,
) -> Option<RelatedQuestion> {
    let (name, one, incident) = series
        .iter()
        .flat_map(|(name, one, incidents)| incidents.iter().map(move |i| (*name, *one, i)))
        .filter(|(_, one, i)| {
            i.start_index < one.timestamps.len() && i.end_index < one.timestamps.len()
        })
        .max_by(|a, b| {
            a.1.timestamps[a.2.start_index].total_cmp(&b.1.timestamps[b.2.start_index])
        })?;
    let start = one.timestamps[incident.start_index];
    let end = (one.timestamps[incident.end_index] + step).min(start + MAX_QUESTION_SECONDS);
    Some(RelatedQuestion {
        title: format!(
            "{panel_title}: {name} {} from {}",
            incident.direction.id(),
            time_text(start)
        ),
        window: (start, end.max(start + step)),
        labels: one.labels.clone(),
    })
}

/// Where the candidates' range starts for a question about `window`: the
/// baseline and the lead before it.
pub fn candidate_range_start(window: (f64, f64)) -> f64 {
    window.0
        - crate::analytics::related_moves::LEAD_SECONDS
        - crate::analytics::related_moves::BASELINE_SECONDS
}

/// A dashboard of one time-series panel showing `expr` over `window`: what
/// "open on its own" links to.
pub fn single_query_dashboard(
    title: &str,
    expr: &str,
    datasource: Option<&str>,
) -> Result<crate::model::dashboard::Dashboard, String> {
    let base = crate::model::dashboard::Dashboard::from_json(&format!(
        r#"{{"schemaVersion": {}, "id": "related", "title": "related", "panels": [], "layout": []}}"#,
        crate::model::dashboard::DASHBOARD_SCHEMA_VERSION
    ))?;
    let mut dashboard = crate::model::edit::apply_edit(
        &base,
        &crate::model::edit::Edit::AddQueryPanel {
            title: title.chars().take(200).collect(),
            expr: expr.to_string(),
        },
    )?;
    dashboard.title = dashboard.panels[0].title.clone();
    if let Some(position) = dashboard.layout.first_mut() {
        position.w = crate::model::dashboard::GRID_COLUMNS;
        position.h = 10;
    }
    dashboard.datasource = datasource.map(str::to_string);
    Ok(dashboard)
}

/// Candidates ranked at most (a dashboard with thousands of series keeps the
/// list readable and the page responsive).
pub const MAX_CANDIDATES: usize = 2000;
/// The strongest moves folded and listed; the rest are only counted (folding
/// compares each move with the lines kept before it).
pub const MAX_LISTED_MOVES: usize = 100;

/// A series that may have moved with the incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// As its legend names it.
    pub name: String,
    /// Where it comes from: a panel's title, or what a discovered query measures.
    pub origin: String,
    /// The PromQL that gives it, variables written in.
    pub expr: String,
    pub series: Series,
}

/// Adds the candidates `more` to `candidates`, up to [`MAX_CANDIDATES`] in
/// all; returns how many were left out. Answers keep arriving within the
/// query budget (hundreds, each up to the answer cap): only what can be
/// ranked is kept.
pub fn add_candidates(
    candidates: &mut Vec<Candidate>,
    more: impl ExactSizeIterator<Item = Candidate>,
) -> usize {
    let offered = more.len();
    let room = MAX_CANDIDATES.saturating_sub(candidates.len());
    candidates.extend(more.take(room));
    offered.saturating_sub(room)
}

/// One line of the ranked list.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedCandidate {
    /// Index into the candidates.
    pub candidate: usize,
    pub score: f64,
    pub onset: f64,
    pub sigmas: f64,
    pub reason: String,
    /// Candidates of the same metrics that moved the same way (indices),
    /// folded into this line.
    pub similar: Vec<usize>,
}

/// The change named as the likely trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct LikelyTrigger {
    pub source: String,
    pub event: TimeEvent,
    pub score: f64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RelatedReport {
    pub ranked: Vec<RankedCandidate>,
    /// Candidates that moved, listed or not.
    pub moved: usize,
    /// When the strongest move began: what a trigger must come before.
    pub first_onset: Option<f64>,
    pub trigger: Option<LikelyTrigger>,
    /// Every change considered, best first: (source, event, score).
    pub changes_considered: Vec<(String, TimeEvent, f64)>,
}

fn change_kind(reading: &EventReading) -> ChangeKind {
    match reading {
        EventReading::Change(ChangeSource::Deployments) => ChangeKind::Deployment,
        EventReading::Change(ChangeSource::Restarts | ChangeSource::CounterResets) => {
            ChangeKind::Restart
        }
        EventReading::Change(ChangeSource::ConfigReloads) => ChangeKind::ConfigReload,
        EventReading::Change(ChangeSource::TargetsDown) => ChangeKind::TargetDown,
        EventReading::Change(ChangeSource::Alerts) => ChangeKind::Alert,
        EventReading::Annotation(_) => ChangeKind::Annotation,
    }
}

/// Ranks `candidates` for the incident in `window` (start, end seconds) and
/// names the likely trigger among `events`; `step` is the candidates' step.
pub fn what_else_moved(
    candidates: &[Candidate],
    events: &[SourceEvents],
    window: (f64, f64),
    step: f64,
) -> RelatedReport {
    let considered = &candidates[..candidates.len().min(MAX_CANDIDATES)];
    let inputs: Vec<MoveCandidate> = considered
        .iter()
        .map(|c| MoveCandidate {
            timestamps: &c.series.timestamps,
            values: &c.series.values,
        })
        .collect();
    let mut moves = rank_moves(&inputs, window);
    let moved = moves.len();
    moves.truncate(MAX_LISTED_MOVES);
    // The trigger comes before the incident: before the strongest move's
    // onset (the incident itself, when its own series is a candidate).
    let first_onset = moves.first().map(|m| m.onset);
    let Some(first) = first_onset else {
        return RelatedReport::default();
    };
    let folded = fold_similar(
        moves,
        &inputs,
        |index| metric_family(&considered[index].expr),
        window,
    );
    let ranked: Vec<RankedCandidate> = folded
        .into_iter()
        .map(|(m, similar)| RankedCandidate {
            candidate: m.candidate,
            score: m.score,
            onset: m.onset,
            sigmas: m.sigmas,
            reason: move_reason(&m, window.0),
            similar,
        })
        .collect();
    // Changes: the moments of every source (a region's start is its moment).
    let flat: Vec<(&SourceEvents, &TimeEvent)> = events
        .iter()
        .flat_map(|source| source.events.iter().map(move |e| (source, e)))
        .collect();
    let changes: Vec<ChangeCandidate> = flat
        .iter()
        .map(|(source, event)| ChangeCandidate {
            at: event.start,
            kind: change_kind(&source.query.reading),
            labels: event.labels.clone(),
        })
        .collect();
    let moved_labels: Vec<&Labels> = ranked
        .iter()
        .map(|r| &considered[r.candidate].series.labels)
        .collect();
    // Every change, scored alone, for the list of what was considered.
    let mut considered_changes: Vec<(String, TimeEvent, f64)> = Vec::new();
    for (index, change) in changes.iter().enumerate() {
        if let Some(scored) =
            likely_trigger(std::slice::from_ref(change), first, &moved_labels, step)
        {
            let (source, event) = flat[index];
            considered_changes.push((source.query.label.clone(), event.clone(), scored.score));
        }
    }
    crate::foundation::ordered::sort_stable_by(&mut considered_changes, |a, b| b.2.total_cmp(&a.2));
    let trigger = likely_trigger(&changes, first, &moved_labels, step).map(|found| {
        let (source, event) = flat[found.change];
        let when = match timing_text(-found.lead_seconds) {
            same if same == "at the same time" => "at the same time as".to_string(),
            other => other,
        };
        LikelyTrigger {
            source: source.query.label.clone(),
            event: event.clone(),
            score: found.score,
            reason: format!("{} {when} the first move", event.title),
        }
    });
    RelatedReport {
        ranked,
        moved,
        first_onset,
        trigger,
        changes_considered: considered_changes,
    }
}

/// The incident summary to paste into a chat or a ticket: what, when, the
/// likely trigger, the top related series, and links that reproduce the view.
pub fn incident_summary(
    what: &str,
    window: (f64, f64),
    report: &RelatedReport,
    candidates: &[Candidate],
    links: &[(String, String)],
    time_text: impl Fn(f64) -> String,
) -> String {
    let mut text = format!(
        "## {what}\n\n**When:** {} – {}\n\n",
        time_text(window.0),
        time_text(window.1)
    );
    match &report.trigger {
        Some(trigger) => text.push_str(&format!(
            "**Likely trigger:** {} at {} ({})\n\n",
            trigger.event.title,
            time_text(trigger.event.start),
            trigger.reason
        )),
        None => text.push_str(
            "**Likely trigger:** none found (no change shortly before the first move)\n\n",
        ),
    }
    text.push_str("**What else moved:**\n\n");
    if report.ranked.is_empty() {
        text.push_str("- nothing moved beyond its usual range\n");
    }
    for (rank, moved) in report.ranked.iter().take(5).enumerate() {
        let candidate = &candidates[moved.candidate];
        let similar = match moved.similar.len() {
            0 => String::new(),
            n => format!(" (and {n} similar)"),
        };
        text.push_str(&format!(
            "{}. {} ({}) — {}{similar}\n",
            rank + 1,
            candidate.name,
            candidate.origin,
            moved.reason
        ));
    }
    if !links.is_empty() {
        text.push_str("\n**Links:**\n\n");
        for (label, url) in links {
            text.push_str(&format!("- [{label}]({url})\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event_sources::EventQuery;

    fn stepped(level: f64, from_minute: usize, shift: f64, labels: &[(&str, &str)]) -> Series {
        Series {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            timestamps: (0..120).map(|m| f64::from(m as u32) * 60.0).collect(),
            values: (0..120)
                .map(|m| {
                    let wiggle = if m % 2 == 0 { 0.01 } else { -0.01 } * level.max(1.0);
                    level + wiggle + if m >= from_minute { shift } else { 0.0 }
                })
                .collect(),
        }
    }

    #[test]
    fn the_latest_anomaly_of_a_panel_is_the_question() {
        use crate::analytics::incidents::{Direction, Incident};
        let one = stepped(1.0, 90, 5.0, &[("instance", "app-2")]);
        let incident = |start_index, end_index| Incident {
            start_index,
            end_index,
            peak_index: start_index,
            direction: Direction::Up,
            expected: 1.0,
            peak_sigmas: 9.0,
            peak_score: 0.999,
        };
        let early = [incident(10, 12)];
        let late = [incident(90, 119)];
        let question = question_from_incidents(
            "Errors",
            &[("a", &one, &early), ("b", &one, &late)],
            60.0,
            |t| format!("t{t}"),
        )
        .unwrap();
        assert_eq!(question.title, "Errors: b up from t5400");
        assert_eq!(question.window, (5400.0, 5400.0 + 1800.0));
        assert_eq!(
            question.labels.get("instance").map(String::as_str),
            Some("app-2")
        );
        assert_eq!(
            question_from_incidents("Errors", &[("a", &one, &[])], 60.0, |t| t.to_string()),
            None
        );
    }

    #[test]
    fn candidates_are_kept_up_to_the_number_ranked() {
        let one = |k: usize| Candidate {
            name: format!("s{k}"),
            origin: "test".into(),
            expr: "x".into(),
            series: Series::default(),
        };
        let mut candidates = Vec::new();
        assert_eq!(add_candidates(&mut candidates, (0..1500).map(one)), 0);
        assert_eq!(add_candidates(&mut candidates, (0..700).map(one)), 200);
        assert_eq!(add_candidates(&mut candidates, (0..10).map(one)), 10);
        assert_eq!(candidates.len(), MAX_CANDIDATES);
        assert_eq!(candidates[MAX_CANDIDATES - 1].name, "s499");
    }

    #[test]
    fn thousands_of_candidates_are_ranked_and_the_list_stays_bounded() {
        let candidates: Vec<Candidate> = (0..MAX_CANDIDATES + 500)
            .map(|k| Candidate {
                name: format!("s{k}"),
                origin: "test".into(),
                expr: format!("metric_{}{{}}", k % 7),
                series: stepped(
                    1.0 + (k % 13) as f64,
                    90 + k % 20,
                    5.0 + (k % 5) as f64,
                    &[],
                ),
            })
            .collect();
        let report = what_else_moved(&candidates, &[], (5400.0, 7140.0), 60.0);
        assert_eq!(report.moved, MAX_CANDIDATES);
        assert!(report.ranked.len() <= MAX_LISTED_MOVES);
        assert!(report.ranked.iter().all(|r| r.candidate < MAX_CANDIDATES));
    }

    #[test]
    fn a_series_opens_on_its_own_as_a_one_panel_dashboard() {
        let dashboard = single_query_dashboard(
            "p95 of orders",
            "histogram_quantile(0.95, x)",
            Some("http://p:9090"),
        )
        .unwrap();
        assert_eq!(dashboard.panels.len(), 1);
        assert_eq!(dashboard.title, "p95 of orders");
        assert_eq!(
            dashboard.panels[0].targets[0].expr,
            "histogram_quantile(0.95, x)"
        );
        assert_eq!(dashboard.datasource.as_deref(), Some("http://p:9090"));
        assert!(single_query_dashboard("t", "", None).is_err());
    }

    #[test]
    fn the_deployment_before_the_first_move_is_named_and_the_summary_says_it_all() {
        let candidates = vec![
            Candidate {
                name: "quiet".into(),
                origin: "panel Traffic".into(),
                expr: "q".into(),
                series: stepped(10.0, 200, 0.0, &[]),
            },
            Candidate {
                name: "500".into(),
                origin: "rate of http_requests_total".into(),
                expr: "e".into(),
                series: stepped(0.1, 92, 5.0, &[("instance", "app-2")]),
            },
        ];
        let deployments = SourceEvents {
            query: EventQuery {
                id: "deployments".into(),
                label: "Deployments".into(),
                expr: String::new(),
                step: None,
                rgb: (0, 0, 0),
                reading: EventReading::Change(ChangeSource::Deployments),
            },
            events: vec![TimeEvent {
                start: 91.0 * 60.0,
                end: 91.0 * 60.0,
                title: "api on app-2 deployed 1.4.2 (was 1.4.1)".into(),
                text: String::new(),
                tags: vec![],
                labels: [("instance".to_string(), "app-2".to_string())].into(),
            }],
            problem: None,
        };
        let window = (90.0 * 60.0, 119.0 * 60.0);
        let report = what_else_moved(&candidates, &[deployments], window, 60.0);
        assert_eq!(report.ranked.len(), 1);
        assert_eq!(report.ranked[0].candidate, 1);
        let trigger = report.trigger.clone().unwrap();
        assert_eq!(
            trigger.reason,
            "api on app-2 deployed 1.4.2 (was 1.4.1) 60 s before the first move"
        );
        let summary = incident_summary(
            "Error rate up on app-2",
            window,
            &report,
            &candidates,
            &[("This view".into(), "http://x/?from=1".into())],
            |t| format!("t{t}"),
        );
        assert!(summary.starts_with("## Error rate up on app-2\n\n**When:** t5400 – t7140"));
        assert!(summary
            .contains("**Likely trigger:** api on app-2 deployed 1.4.2 (was 1.4.1) at t5460"));
        assert!(summary.contains("1. 500 (rate of http_requests_total) — moved 2 min after"));
        assert!(summary.contains("- [This view](http://x/?from=1)"));
    }
}
