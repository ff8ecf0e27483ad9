//! Events on the time axis, from Prometheus answers: annotation queries read
//! as Grafana's Prometheus datasource reads them, and change events found in
//! the series every instrumented process exports (restarts, counter resets,
//! version changes).

use crate::foundation::ordered::SortedMap;
use crate::query::series::{format_legend, Labels, Series};

/// Events kept from one answer; past this many the rest are dropped (a query
/// that is non-zero everywhere on a thousand series would otherwise flood the charts).
pub const MAX_EVENTS: usize = 1000;

/// Bytes of text the events of one answer may hold together (titles, texts,
/// tags and labels): every event copies its series' labels, so one series with
/// a huge label and thousands of changes would otherwise cost gigabytes.
pub const MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;

/// Events gathered from one answer, within [`MAX_EVENTS`] and [`MAX_EVENT_BYTES`].
#[derive(Default)]
struct EventBudget {
    events: Vec<TimeEvent>,
    bytes: usize,
}

impl EventBudget {
    fn is_full(&self) -> bool {
        self.events.len() >= MAX_EVENTS || self.bytes >= MAX_EVENT_BYTES
    }

    /// Keeps `event` if it fits; false once nothing more will.
    fn keep(&mut self, event: TimeEvent) -> bool {
        let size = event.title.len()
            + event.text.len()
            + event.tags.iter().map(String::len).sum::<usize>()
            + event
                .labels
                .iter()
                .map(|(name, value)| name.len() + value.len())
                .sum::<usize>();
        if self.events.len() < MAX_EVENTS && self.bytes + size <= MAX_EVENT_BYTES {
            self.bytes += size;
            self.events.push(event);
        } else {
            // One event too large ends the answer's events as the count does.
            self.bytes = MAX_EVENT_BYTES;
        }
        !self.is_full()
    }
}

/// One event: a moment (`start == end`) or a region, with what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeEvent {
    /// Seconds since the Unix epoch.
    pub start: f64,
    pub end: f64,
    pub title: String,
    pub text: String,
    pub tags: Vec<String>,
    /// The labels of the series it came from (for a change: the process's),
    /// so that it can be related to the series that moved.
    pub labels: Labels,
}

/// How an annotation query's answer becomes events (Grafana's fields).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnnotationFormat {
    /// `{{label}}` placeholders, as legends take.
    pub title: String,
    pub text: String,
    /// Labels whose values become the event's tags.
    pub tag_keys: Vec<String>,
    /// The sample's value is the event's time (in milliseconds), not its timestamp.
    pub value_is_time: bool,
}

/// Events from an annotation query's series, as Grafana's Prometheus
/// datasource makes them: every sample above zero is active, and active
/// samples at most `step` seconds apart make one region; a region's title,
/// text and tags come from its series' labels.
pub fn annotation_events(
    series: &[Series],
    format: &AnnotationFormat,
    step: f64,
) -> Vec<TimeEvent> {
    let mut kept = EventBudget::default();
    for one in series {
        let title = format_legend(&format.title, &one.labels);
        let text = format_legend(&format.text, &one.labels);
        let tags: Vec<String> = format
            .tag_keys
            .iter()
            .filter_map(|key| one.labels.get(key).filter(|v| !v.is_empty()).cloned())
            .collect();
        let active = one
            .timestamps
            .iter()
            .zip(&one.values)
            .filter_map(|(&t, &v)| match format.value_is_time {
                // Grafana's "series value as timestamp": milliseconds, floored.
                true => Some((v / 1000.0).floor()).filter(|t| t.is_finite()),
                false => (v > 0.0).then_some(t),
            });
        let event = |(start, end): (f64, f64)| TimeEvent {
            start,
            end,
            title: title.clone(),
            text: text.clone(),
            tags: tags.clone(),
            labels: one.labels.clone(),
        };
        let mut open: Option<(f64, f64)> = None;
        for t in active {
            match open {
                Some((start, end)) if end + step >= t => open = Some((start, t)),
                _ => {
                    if let Some(region) = open.replace((t, t)) {
                        if !kept.keep(event(region)) {
                            return kept.events;
                        }
                    }
                }
            }
        }
        if let Some(region) = open {
            if !kept.keep(event(region)) {
                return kept.events;
            }
        }
    }
    kept.events
}

/// The labels that name a process across its series: all but the metric
/// name and those listed (a version, say).
fn identity(labels: &Labels, leaving_out: &[&str]) -> Labels {
    let mut kept = SortedMap::new();
    for (name, value) in labels.iter() {
        if name != "__name__" && !leaving_out.contains(&name.as_str()) {
            kept.insert(name.clone(), value.clone());
        }
    }
    kept
}

/// A short name for a process: its `job` and `instance`, else all its labels.
fn who(labels: &Labels) -> String {
    match (labels.get("job"), labels.get("instance")) {
        (Some(job), Some(instance)) => format!("{job} on {instance}"),
        (Some(one), None) | (None, Some(one)) => one.clone(),
        (None, None) => crate::query::series::Series {
            labels: labels.clone(),
            ..Default::default()
        }
        .legend_name(),
    }
}

/// Restarts, from `process_start_time_seconds` (one series per process): the
/// start time changing between two samples says the process started again,
/// at the new start time when it lies between them.
pub fn restarts(start_times: &[Series]) -> Vec<TimeEvent> {
    moments_recorded(
        start_times,
        |labels| format!("{} restarted", who(labels)),
        "restart",
    )
}

/// Configuration reloads, from Prometheus's
/// `prometheus_config_last_reload_success_timestamp_seconds`.
pub fn config_reloads(reload_times: &[Series]) -> Vec<TimeEvent> {
    moments_recorded(
        reload_times,
        |labels| format!("{} reloaded its configuration", who(labels)),
        "reload",
    )
}

/// Events from series whose value is the time something last happened: each
/// change of value is one event, at the new value when it lies between the
/// two samples (else at the later sample: the clock of the process is off).
fn moments_recorded(
    moments: &[Series],
    title: impl Fn(&Labels) -> String,
    tag: &str,
) -> Vec<TimeEvent> {
    let mut kept = EventBudget::default();
    for one in moments {
        let samples: Vec<(f64, f64)> = one
            .timestamps
            .iter()
            .copied()
            .zip(one.values.iter().copied())
            .filter(|(_, v)| v.is_finite())
            .collect();
        for pair in samples.windows(2) {
            let ((before, old), (after, new)) = (pair[0], pair[1]);
            if new != old {
                let at = if new > before && new <= after {
                    new
                } else {
                    after
                };
                let event = TimeEvent {
                    start: at,
                    end: at,
                    title: title(&one.labels),
                    text: String::new(),
                    tags: vec![tag.to_string()],
                    labels: identity(&one.labels, &[]),
                };
                if !kept.keep(event) {
                    return kept.events;
                }
            }
        }
    }
    kept.events
}

/// The change events every dashboard can show without configuration, each
/// from series Prometheus or instrumented processes export anyway; a source
/// whose series do not exist simply has no events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeSource {
    /// A `*_build_info` series' `version` label changing.
    Deployments,
    Restarts,
    /// A process's counters falling back (it restarted without exporting
    /// its start time); only with a selector, as it reads every counter.
    CounterResets,
    ConfigReloads,
    TargetsDown,
    /// The server's own firing alerts (`ALERTS`).
    Alerts,
}

impl ChangeSource {
    pub const ALL: [ChangeSource; 6] = [
        ChangeSource::Deployments,
        ChangeSource::Restarts,
        ChangeSource::CounterResets,
        ChangeSource::ConfigReloads,
        ChangeSource::TargetsDown,
        ChangeSource::Alerts,
    ];

    /// Its name in links (`events-deployments=off`).
    pub fn id(self) -> &'static str {
        match self {
            ChangeSource::Deployments => "deployments",
            ChangeSource::Restarts => "restarts",
            ChangeSource::ConfigReloads => "reloads",
            ChangeSource::TargetsDown => "targets-down",
            ChangeSource::CounterResets => "counter-resets",
            ChangeSource::Alerts => "alerts",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChangeSource::Deployments => "Deployments",
            ChangeSource::Restarts => "Restarts",
            ChangeSource::ConfigReloads => "Config reloads",
            ChangeSource::TargetsDown => "Targets down",
            ChangeSource::CounterResets => "Counter resets",
            ChangeSource::Alerts => "Alerts",
        }
    }

    /// The query, with the dashboard's `selector` (label matchers) added
    /// where the series belong to the dashboard's processes. Reloads and
    /// alerts are the server's own and are not narrowed.
    pub fn query(self, selector: &str) -> String {
        let selector = selector.trim().trim_end_matches(',');
        let narrowed = |metric: &str| match selector.is_empty() {
            true => metric.to_string(),
            false => format!("{metric}{{{selector}}}"),
        };
        match self {
            ChangeSource::Deployments if selector.is_empty() => {
                r#"{__name__=~".+_build_info"}"#.to_string()
            }
            ChangeSource::Deployments => format!(r#"{{__name__=~".+_build_info", {selector}}}"#),
            ChangeSource::Restarts => narrowed("process_start_time_seconds"),
            ChangeSource::ConfigReloads => {
                "prometheus_config_last_reload_success_timestamp_seconds".to_string()
            }
            ChangeSource::TargetsDown => format!("{} == 0", narrowed("up")),
            ChangeSource::Alerts => r#"ALERTS{alertstate="firing"}"#.to_string(),
            // Per process: how many of its counters fell back within a minute.
            ChangeSource::CounterResets => format!(
                r#"count by (job, instance) (resets({{__name__=~".+_total", {selector}}}[1m]) > 0)"#
            ),
        }
    }

    /// Its events in the answer to [`ChangeSource::query`] at `step` seconds.
    pub fn events(self, series: &[Series], step: f64) -> Vec<TimeEvent> {
        match self {
            ChangeSource::Deployments => version_changes(series),
            ChangeSource::Restarts => restarts(series),
            ChangeSource::ConfigReloads => config_reloads(series),
            ChangeSource::TargetsDown => {
                let format = AnnotationFormat {
                    title: "{{job}} {{instance}} down".into(),
                    text: String::new(),
                    tag_keys: vec!["job".into()],
                    value_is_time: false,
                };
                // `up == 0` answers 0: every sample it has is a down one.
                let down: Vec<Series> = series
                    .iter()
                    .map(|one| Series {
                        values: vec![1.0; one.values.len()],
                        ..one.clone()
                    })
                    .collect();
                annotation_events(&down, &format, step)
            }
            ChangeSource::CounterResets => {
                let format = AnnotationFormat {
                    title: "{{job}} on {{instance}}: counters reset".into(),
                    text: String::new(),
                    tag_keys: vec!["job".into()],
                    value_is_time: false,
                };
                annotation_events(series, &format, step)
            }
            ChangeSource::Alerts => {
                let format = AnnotationFormat {
                    title: "{{alertname}} firing".into(),
                    text: "{{job}} {{instance}} {{severity}}".into(),
                    tag_keys: vec!["severity".into()],
                    value_is_time: false,
                };
                let mut events = annotation_events(series, &format, step);
                for event in &mut events {
                    event.text = event.text.split_whitespace().collect::<Vec<_>>().join(" ");
                }
                events
            }
        }
    }
}

/// Counter resets: a counter's value falling between two samples (a process
/// restarted without saying so, or its counter was set back).
pub fn counter_resets(counters: &[Series]) -> Vec<TimeEvent> {
    let mut kept = EventBudget::default();
    for one in counters {
        for k in 1..one.values.len().min(one.timestamps.len()) {
            if one.values[k] < one.values[k - 1] {
                let event = TimeEvent {
                    start: one.timestamps[k],
                    end: one.timestamps[k],
                    title: format!("{} counter reset", one.legend_name()),
                    text: String::new(),
                    tags: vec!["counter reset".into()],
                    labels: one.labels.clone(),
                };
                if !kept.keep(event) {
                    return kept.events;
                }
            }
        }
    }
    kept.events
}

/// A process's labels and the versions it ran: (first sample time, version).
type ProcessVersions = (Labels, Vec<(f64, String)>);

/// Version changes, from `*_build_info` series (one per version a process
/// ran): when a process's series with one `version` gives way to one with
/// another, the change is at the first sample of the new one.
pub fn version_changes(build_info: &[Series]) -> Vec<TimeEvent> {
    // Per process: (first sample time, version), ordered by time.
    let mut by_process: SortedMap<Vec<(String, String)>, ProcessVersions> = SortedMap::new();
    for one in build_info {
        let (Some(version), Some(&first)) = (one.labels.get("version"), one.timestamps.first())
        else {
            continue;
        };
        let process = identity(&one.labels, &["version", "revision", "branch", "goversion"]);
        let key: Vec<(String, String)> = process
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let entry = by_process
            .entry(key)
            .or_insert_with(|| (process, Vec::new()));
        entry.1.push((first, version.clone()));
    }
    let mut kept = EventBudget::default();
    for (_, (process, mut versions)) in by_process.into_iter() {
        crate::foundation::ordered::sort_stable_by(&mut versions, |a, b| a.0.total_cmp(&b.0));
        for pair in versions.windows(2) {
            let ((_, old), (at, new)) = (&pair[0], &pair[1]);
            if old != new {
                let event = TimeEvent {
                    start: *at,
                    end: *at,
                    title: format!("{} deployed {new} (was {old})", who(&process)),
                    text: String::new(),
                    tags: vec!["deployment".into()],
                    labels: process.clone(),
                };
                if !kept.keep(event) {
                    return kept.events;
                }
            }
        }
    }
    kept.events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(labels: &[(&str, &str)], points: &[(f64, f64)]) -> Series {
        Series {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            timestamps: points.iter().map(|p| p.0).collect(),
            values: points.iter().map(|p| p.1).collect(),
        }
    }

    #[test]
    fn events_from_a_series_with_a_huge_label_stay_within_the_byte_budget() {
        // A 2 MB job label on a start time that changes at every sample: each
        // event would copy the label (and its title the label again).
        let huge = "j".repeat(2 * 1024 * 1024);
        let labels: Labels = [
            (
                "__name__".to_string(),
                "process_start_time_seconds".to_string(),
            ),
            ("job".to_string(), huge),
        ]
        .into();
        let flapping = Series {
            labels: labels.clone(),
            timestamps: (0..11_000).map(f64::from).collect(),
            values: (0..11_000).map(|k| f64::from(k % 2 + 1)).collect(),
        };
        let kept_bytes = |events: &[TimeEvent]| -> usize {
            events
                .iter()
                .map(|e| {
                    e.title.len()
                        + e.labels
                            .iter()
                            .map(|(k, v)| k.len() + v.len())
                            .sum::<usize>()
                })
                .sum()
        };
        for events in [
            restarts(std::slice::from_ref(&flapping)),
            counter_resets(std::slice::from_ref(&flapping)),
            annotation_events(
                std::slice::from_ref(&flapping),
                &AnnotationFormat {
                    title: "{{job}}".repeat(200),
                    text: "{{job}}".into(),
                    tag_keys: vec!["job".into()],
                    value_is_time: true,
                },
                1.0,
            ),
        ] {
            assert!(events.len() <= 2, "{} events kept", events.len());
            assert!(kept_bytes(&events) <= MAX_EVENT_BYTES);
        }
        // With ordinary labels the same answer gives its events up to the count cap.
        let small = Series {
            labels: [("job".to_string(), "api".to_string())].into(),
            ..flapping
        };
        assert_eq!(restarts(&[small]).len(), MAX_EVENTS);
    }

    #[test]
    fn active_samples_within_a_step_make_one_region_as_grafana_does() {
        let alerts = series(
            &[("alertname", "HighErrorRate"), ("severity", "page")],
            &[
                (0.0, 1.0),
                (60.0, 1.0),
                (120.0, 0.0),
                (180.0, 1.0),
                (240.0, 1.0),
                (300.0, 1.0),
                (600.0, 2.0),
            ],
        );
        let format = AnnotationFormat {
            title: "{{alertname}}".into(),
            text: "severity {{severity}}".into(),
            tag_keys: vec!["severity".into(), "missing".into()],
            value_is_time: false,
        };
        let events = annotation_events(&[alerts], &format, 60.0);
        let spans: Vec<(f64, f64)> = events.iter().map(|e| (e.start, e.end)).collect();
        assert_eq!(spans, [(0.0, 60.0), (180.0, 300.0), (600.0, 600.0)]);
        assert_eq!(events[0].title, "HighErrorRate");
        assert_eq!(events[0].text, "severity page");
        assert_eq!(events[0].tags, ["page"]);
        // The value as the time, in milliseconds.
        let deploys = series(&[], &[(1000.0, 1_700_000_000_500.0)]);
        let format = AnnotationFormat {
            value_is_time: true,
            ..AnnotationFormat::default()
        };
        let events = annotation_events(&[deploys], &format, 60.0);
        assert_eq!(
            (events[0].start, events[0].end),
            (1_700_000_000.0, 1_700_000_000.0)
        );
    }

    #[test]
    fn an_answer_non_zero_everywhere_is_capped() {
        let every: Vec<Series> = (0..50)
            .map(|k| {
                let points: Vec<(f64, f64)> =
                    (0..100).map(|i| (f64::from(i) * 600.0, 1.0)).collect();
                series(&[("k", &k.to_string())], &points)
            })
            .collect();
        let events = annotation_events(&every, &AnnotationFormat::default(), 60.0);
        assert_eq!(events.len(), MAX_EVENTS);
    }

    #[test]
    fn restarts_counter_resets_and_version_changes_are_found() {
        let start = series(
            &[("job", "api"), ("instance", "a:80")],
            &[
                (0.0, -500.0),
                (60.0, -500.0),
                (120.0, 100.0),
                (180.0, 100.0),
                (240.0, 100.0),
            ],
        );
        let found = restarts(&[start]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].start, found[0].title.as_str()),
            (100.0, "api on a:80 restarted")
        );

        let counter = series(
            &[("__name__", "requests_total")],
            &[(0.0, 5.0), (60.0, 9.0), (120.0, 2.0), (180.0, 3.0)],
        );
        let resets = counter_resets(&[counter]);
        assert_eq!(resets.iter().map(|e| e.start).collect::<Vec<_>>(), [120.0]);

        let old = series(
            &[
                ("__name__", "app_build_info"),
                ("job", "api"),
                ("instance", "a:80"),
                ("version", "1.4.1"),
            ],
            &[(0.0, 1.0), (60.0, 1.0)],
        );
        let new = series(
            &[
                ("__name__", "app_build_info"),
                ("job", "api"),
                ("instance", "a:80"),
                ("version", "1.4.2"),
            ],
            &[(120.0, 1.0), (180.0, 1.0)],
        );
        let other = series(
            &[
                ("__name__", "app_build_info"),
                ("job", "api"),
                ("instance", "b:80"),
                ("version", "1.4.1"),
            ],
            &[(0.0, 1.0), (180.0, 1.0)],
        );
        let changes = version_changes(&[new, other, old]);
        assert_eq!(changes.len(), 1, "b:80 kept its version: {changes:?}");
        assert_eq!(changes[0].start, 120.0);
        assert_eq!(changes[0].title, "api on a:80 deployed 1.4.2 (was 1.4.1)");
    }

    #[test]
    fn change_sources_narrow_their_queries_to_the_dashboards_processes() {
        let selector = r#"job=~"api|web""#;
        assert_eq!(
            ChangeSource::Deployments.query(selector),
            r#"{__name__=~".+_build_info", job=~"api|web"}"#
        );
        assert_eq!(
            ChangeSource::Restarts.query(""),
            "process_start_time_seconds"
        );
        assert_eq!(
            ChangeSource::TargetsDown.query(selector),
            r#"up{job=~"api|web"} == 0"#
        );
        // The server's own series are not narrowed.
        assert_eq!(
            ChangeSource::ConfigReloads.query(selector),
            "prometheus_config_last_reload_success_timestamp_seconds"
        );
        assert_eq!(
            ChangeSource::Alerts.query(selector),
            r#"ALERTS{alertstate="firing"}"#
        );
    }

    #[test]
    fn counter_resets_are_read_per_process() {
        assert_eq!(
            ChangeSource::CounterResets.query(r#"job="api""#),
            r#"count by (job, instance) (resets({__name__=~".+_total", job="api"}[1m]) > 0)"#
        );
        let resets = series(
            &[("job", "api"), ("instance", "a:80")],
            &[(60.0, 3.0), (600.0, 1.0)],
        );
        let events = ChangeSource::CounterResets.events(&[resets], 60.0);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].title, "api on a:80: counters reset");
    }

    #[test]
    fn targets_down_and_reloads_become_events() {
        let down = series(
            &[("job", "api"), ("instance", "a:80")],
            &[(60.0, 0.0), (120.0, 0.0), (600.0, 0.0)],
        );
        let events = ChangeSource::TargetsDown.events(&[down], 60.0);
        let spans: Vec<(f64, f64)> = events.iter().map(|e| (e.start, e.end)).collect();
        assert_eq!(spans, [(60.0, 120.0), (600.0, 600.0)]);
        assert_eq!(events[0].title, "api a:80 down");

        let reloads = series(
            &[("job", "prometheus"), ("instance", "localhost:9090")],
            &[(0.0, -10.0), (60.0, -10.0), (120.0, 90.0)],
        );
        let events = ChangeSource::ConfigReloads.events(&[reloads], 60.0);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].start, 90.0);
        assert_eq!(
            events[0].title,
            "prometheus on localhost:9090 reloaded its configuration"
        );

        let firing = series(
            &[("alertname", "HighErrorRate"), ("severity", "page")],
            &[(0.0, 1.0), (60.0, 1.0)],
        );
        let events = ChangeSource::Alerts.events(&[firing], 60.0);
        assert_eq!(events[0].title, "HighErrorRate firing");
        assert_eq!(events[0].text, "page");
    }
}
