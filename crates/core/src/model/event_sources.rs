//! A dashboard's sources of events: the built-in change sources and its own
//! annotation queries, each with the query to run, its step, its colour and
//! how its answer becomes events; and the events the viewer chose to see, as
//! every chart gets them.

use crate::chart::event_marks::ChartEvent;
use crate::foundation::ordered::SortedMap;
use crate::model::dashboard::{threshold_rgb, Dashboard};
use crate::query::annotations::{annotation_events, AnnotationFormat, ChangeSource, TimeEvent};
use crate::query::series::Series;

/// What turns a source's answer into events.
#[derive(Debug, Clone, PartialEq)]
pub enum EventReading {
    Change(ChangeSource),
    Annotation(AnnotationFormat),
}

/// One source: what to ask and how to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventQuery {
    /// Its name in links (`events-<id>=off`).
    pub id: String,
    pub label: String,
    /// PromQL before variables are written in.
    pub expr: String,
    /// Its own step (seconds), when it has one.
    pub step: Option<f64>,
    pub rgb: (u8, u8, u8),
    pub reading: EventReading,
}

impl EventQuery {
    /// Its events in an answer at `step` seconds.
    pub fn events(&self, series: &[Series], step: f64) -> Vec<TimeEvent> {
        match &self.reading {
            EventReading::Change(source) => source.events(series, step),
            EventReading::Annotation(format) => annotation_events(series, format, step),
        }
    }
}

/// Each change source's colour: deployments stand out most.
fn change_rgb(source: ChangeSource) -> (u8, u8, u8) {
    match source {
        ChangeSource::Deployments => (94, 200, 242),
        ChangeSource::Restarts => (242, 180, 94),
        ChangeSource::CounterResets => (200, 160, 90),
        ChangeSource::ConfigReloads => (180, 150, 255),
        ChangeSource::TargetsDown => (255, 107, 107),
        ChangeSource::Alerts => (255, 70, 140),
    }
}

/// The sources a dashboard queries: the change sources unless it switched
/// them off, then its enabled annotation queries.
pub fn event_queries(dashboard: &Dashboard) -> Vec<EventQuery> {
    let mut queries = Vec::new();
    if dashboard.change_events.enabled {
        let narrowed = !dashboard.change_events.selector.trim().is_empty();
        // Counter resets read every counter: only for the dashboard's own processes.
        let sources = ChangeSource::ALL
            .into_iter()
            .filter(|s| narrowed || *s != ChangeSource::CounterResets);
        queries.extend(sources.map(|source| EventQuery {
            id: source.id().to_string(),
            label: source.label().to_string(),
            expr: source.query(&dashboard.change_events.selector),
            step: None,
            rgb: change_rgb(source),
            reading: EventReading::Change(source),
        }));
    }
    queries.extend(dashboard.annotations.iter().filter(|a| a.enabled).map(|a| {
        EventQuery {
            id: a.name.clone(),
            label: a.name.clone(),
            expr: a.expr.clone(),
            step: a
                .step
                .as_deref()
                .and_then(|s| crate::foundation::span::parse_span(s).ok()),
            rgb: a.color.as_deref().map_or((160, 200, 255), threshold_rgb),
            reading: EventReading::Annotation(AnnotationFormat {
                title: a.title_format.clone(),
                text: a.text_format.clone(),
                tag_keys: a.tag_keys.clone(),
                value_is_time: a.use_value_as_time,
            }),
        }
    }));
    queries
}

/// The page's own alert history as a source: not a query, read from what
/// this browser kept of the dashboard's alerts.
pub const PAGE_ALERTS_ID: &str = "page-alerts";

pub fn page_alerts_source() -> EventQuery {
    EventQuery {
        id: PAGE_ALERTS_ID.to_string(),
        label: "Alerts (this page)".to_string(),
        expr: String::new(),
        step: None,
        rgb: (255, 140, 180),
        reading: EventReading::Change(ChangeSource::Alerts),
    }
}

/// The firing stretches of the page's own alerts within `from..to`
/// (one still firing ends at `to`).
pub fn page_alert_events(
    history: &crate::alerting::history::AlertHistory,
    from: f64,
    to: f64,
) -> Vec<TimeEvent> {
    use crate::alerting::state_machine::AlertState;
    let mut events = Vec::new();
    for row in history.timeline(from, to) {
        for segment in row
            .segments
            .iter()
            .filter(|s| s.state == AlertState::Firing)
        {
            events.push(TimeEvent {
                start: segment.start,
                end: segment.end.unwrap_or(to),
                title: format!("{} firing", row.rule),
                text: crate::alerting::engine::describe_labels(&row.labels),
                tags: vec!["alert".to_string()],
                labels: row.labels.clone(),
            });
        }
    }
    events.truncate(crate::query::annotations::MAX_EVENTS);
    events
}

/// A source's events, once its answer came.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceEvents {
    pub query: EventQuery,
    pub events: Vec<TimeEvent>,
    /// Why it has none, when its query failed.
    pub problem: Option<String>,
}

/// Whether the viewer sees a source: as the link says, else shown.
pub fn source_shown(id: &str, shown: &SortedMap<String, bool>) -> bool {
    shown.get(id).copied().unwrap_or(true)
}

/// The events of the shown sources as charts draw them, each with its hover
/// line ("Deployments 14:02:10: api on a:80 deployed 1.4.2 (was 1.4.1)");
/// `time_text` writes a time as the page shows times.
pub fn chart_events(
    sources: &[SourceEvents],
    shown: &SortedMap<String, bool>,
    time_text: impl Fn(f64) -> String,
) -> Vec<ChartEvent> {
    let mut events = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        if !source_shown(&source.query.id, shown) {
            continue;
        }
        for event in &source.events {
            let mut line = format!("{} {}", source.query.label, time_text(event.start));
            if event.end > event.start {
                line.push_str(&format!(" – {}", time_text(event.end)));
            }
            for part in [&event.title, &event.text] {
                if !part.trim().is_empty() {
                    line.push_str(": ");
                    line.push_str(part.trim());
                }
            }
            if !event.tags.is_empty() {
                line.push_str(&format!(" [{}]", event.tags.join(", ")));
            }
            events.push(ChartEvent {
                start: event.start,
                end: event.end,
                source: index,
                line,
            });
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dashboard::{AnnotationQuery, ChangeEventOptions};

    fn dashboard() -> Dashboard {
        let text = include_str!("../../../../public/dashboards/service-health.json");
        Dashboard::from_json(text).unwrap()
    }

    #[test]
    fn change_sources_then_enabled_annotations() {
        let mut board = dashboard();
        board.change_events = ChangeEventOptions {
            enabled: true,
            selector: r#"job="$job""#.into(),
        };
        let deploys = AnnotationQuery {
            name: "Deploys".into(),
            expr: "changes(app_build_info[1m]) > 0".into(),
            enabled: true,
            title_format: "{{version}}".into(),
            text_format: String::new(),
            tag_keys: Vec::new(),
            step: Some("2m".into()),
            use_value_as_time: false,
            color: Some("red".into()),
        };
        let off = AnnotationQuery {
            name: "Off".into(),
            enabled: false,
            ..deploys.clone()
        };
        board.annotations = vec![deploys, off];
        let queries = event_queries(&board);
        let ids: Vec<&str> = queries.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "deployments",
                "restarts",
                "counter-resets",
                "reloads",
                "targets-down",
                "alerts",
                "Deploys"
            ]
        );
        assert_eq!(queries[1].expr, r#"process_start_time_seconds{job="$job"}"#);
        assert_eq!(
            (queries[6].step, queries[6].rgb),
            (Some(120.0), (255, 107, 107))
        );
        // Without a selector, counter resets would read every counter.
        board.change_events.selector.clear();
        assert!(event_queries(&board)
            .iter()
            .all(|q| q.id != "counter-resets"));
        board.change_events.enabled = false;
        assert_eq!(event_queries(&board).len(), 1);
    }

    #[test]
    fn the_pages_own_alerts_are_their_firing_stretches() {
        use crate::alerting::history::AlertHistory;
        use crate::alerting::state_machine::{AlertState, Transition};
        let mut history = AlertHistory::default();
        let labels: crate::query::series::Labels = [("job".to_string(), "api".to_string())].into();
        let change = |from, to, at| Transition {
            labels: labels.clone(),
            from,
            to,
            at,
        };
        history.record(
            "HighErrorRate",
            &[
                change(None, AlertState::Pending, 100.0),
                change(Some(AlertState::Pending), AlertState::Firing, 400.0),
                change(Some(AlertState::Firing), AlertState::Inactive, 900.0),
                change(Some(AlertState::Inactive), AlertState::Pending, 1000.0),
                change(Some(AlertState::Pending), AlertState::Firing, 1300.0),
            ],
            1400.0,
        );
        let events = page_alert_events(&history, 0.0, 2000.0);
        let spans: Vec<(f64, f64)> = events.iter().map(|e| (e.start, e.end)).collect();
        assert_eq!(spans, [(400.0, 900.0), (1300.0, 2000.0)]);
        assert_eq!(events[0].title, "HighErrorRate firing");
        assert_eq!(events[0].text, "job=\"api\"");
    }

    #[test]
    fn hidden_sources_are_left_out_and_lines_say_what_and_when() {
        let queries = event_queries(&dashboard());
        let event = |title: &str, start: f64, end: f64| TimeEvent {
            start,
            end,
            title: title.into(),
            text: String::new(),
            tags: vec!["deployment".into()],
            labels: Default::default(),
        };
        let sources = vec![
            SourceEvents {
                query: queries[0].clone(),
                events: vec![event("api deployed 1.4.2 (was 1.4.1)", 60.0, 60.0)],
                problem: None,
            },
            SourceEvents {
                query: queries
                    .iter()
                    .find(|q| q.id == "targets-down")
                    .unwrap()
                    .clone(),
                events: vec![event("api a:80 down", 120.0, 180.0)],
                problem: None,
            },
        ];
        let time_text = |t: f64| format!("t{t}");
        let all = chart_events(&sources, &SortedMap::new(), time_text);
        assert_eq!(
            all.iter().map(|e| e.line.as_str()).collect::<Vec<_>>(),
            [
                "Deployments t60: api deployed 1.4.2 (was 1.4.1) [deployment]",
                "Targets down t120 – t180: api a:80 down [deployment]"
            ]
        );
        let hidden: SortedMap<String, bool> = [("targets-down".to_string(), false)].into();
        let shown = chart_events(&sources, &hidden, time_text);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].source, 0);
    }
}
