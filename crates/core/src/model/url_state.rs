//! The view a URL describes: which dashboard (shipped id, or the whole dashboard
//! inline), datasource, time range, refresh and variable selections. Encoding
//! and decoding are pure and round-trip; decoding never fails: a bad parameter
//! is reported and falls back to its default.

use crate::foundation::ordered::SortedMap;
use crate::model::dashboard::OverlayToggles;
use crate::model::datasource::{encode_uri_component, Datasource};
use crate::model::inline_dashboard::deflated_bytes;
use crate::model::refresh::parse_refresh;
use crate::query::time_range::TimeExpression;

/// Variable values, row, event and overlay settings one link may carry
/// (a dashboard has at most 500 panels, 50 variables and 27 event sources).
pub const MAX_KEYED_ENTRIES: usize = 2000;

/// The dashboard shown when the URL names none.
pub const DEFAULT_DASHBOARD_ID: &str = "service-health";

#[derive(Debug, Clone, PartialEq)]
pub enum DashboardRef {
    /// A dashboard file `public/dashboards/<id>.json`.
    Shipped(String),
    /// A dashboard carried in the link itself: the `inline=` value (see
    /// `inline_dashboard`), inflated when the dashboard is loaded.
    Inline(String),
    /// A dashboard saved in this browser's local storage, by id.
    Saved(String),
}

/// Whether a link's query string names a dashboard at all (`dashboard=`,
/// `saved=` or `inline=`, usable or not). A bare address is a first open:
/// the page then picks the shipped dashboard whose metrics the server has.
pub fn names_a_dashboard(query: &str) -> bool {
    // Read as `ViewState::decode` reads names (percent-decoded); a link over
    // the cap is refused there, and shows the default.
    query.len() <= crate::foundation::limits::MAX_LINK_CHARS
        && parse_query_string(query)
            .iter()
            .any(|(name, _)| matches!(name.as_str(), "dashboard" | "saved" | "inline"))
}

/// Everything a link can say; `None` means "the dashboard's own default".
#[derive(Debug, Clone, PartialEq)]
pub struct ViewState {
    pub dashboard: DashboardRef,
    pub datasource: Option<Datasource>,
    pub from: Option<TimeExpression>,
    pub to: Option<TimeExpression>,
    pub refresh: Option<String>,
    pub variables: SortedMap<String, Vec<String>>,
    /// Per panel id, the overlays the viewer switched (`overlays-<panel>=…`).
    pub panel_overlays: SortedMap<String, OverlayToggles>,
    /// Per row id, whether the viewer collapsed it (`row-<id>=closed`) or
    /// opened it (`row-<id>=open`), against how the dashboard saved it.
    pub row_collapsed: SortedMap<String, bool>,
    /// Per event source (a change source's id or an annotation's name),
    /// whether the viewer showed it (`events-<id>=on`) or hid it (`off`),
    /// against the dashboard's own.
    pub events_shown: SortedMap<String, bool>,
}

impl Default for ViewState {
    fn default() -> Self {
        Self {
            dashboard: DashboardRef::Shipped(DEFAULT_DASHBOARD_ID.into()),
            datasource: None,
            from: None,
            to: None,
            refresh: None,
            variables: SortedMap::new(),
            panel_overlays: SortedMap::new(),
            row_collapsed: SortedMap::new(),
            events_shown: SortedMap::new(),
        }
    }
}

/// Splits `?a=1&b=x%20y` into decoded pairs (`+` is a space, as in forms).
pub fn parse_query_string(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

/// Decodes `%XX` escapes; invalid escapes and invalid UTF-8 are kept visibly (U+FFFD), never dropped.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => decoded.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        decoded.push(byte);
                        index += 3;
                        continue;
                    }
                    None => decoded.push(b'%'),
                }
            }
            byte => decoded.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

fn is_dashboard_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl ViewState {
    /// Reads a URL query string. Problems are returned as sentences, each already
    /// resolved to a default.
    pub fn decode(query: &str) -> (Self, Vec<String>) {
        let mut state = Self::default();
        let mut problems = Vec::new();
        if query.len() > crate::foundation::limits::MAX_LINK_CHARS {
            problems.push(format!(
                "this link is {} KiB long; links longer than {} MiB are not read; showing {DEFAULT_DASHBOARD_ID}",
                query.len() / 1024,
                crate::foundation::limits::MAX_LINK_CHARS >> 20
            ));
            return (state, problems);
        }
        // Each keyed entry goes into a sorted map: a link of a million of
        // them would take quadratic time, so past the cap they are counted.
        let (mut keyed_entries, mut keyed_dropped) = (0usize, 0usize);
        for (name, value) in parse_query_string(query) {
            match name.as_str() {
                "dashboard" if is_dashboard_id(&value) => state.dashboard = DashboardRef::Shipped(value),
                "dashboard" => problems.push(format!(
                    "dashboard {value:?} is not a dashboard id (letters, digits, - and _); showing {DEFAULT_DASHBOARD_ID}"
                )),
                "saved" if is_dashboard_id(&value) => state.dashboard = DashboardRef::Saved(value),
                "saved" => problems.push(format!(
                    "saved {value:?} is not a dashboard id (letters, digits, - and _); showing {DEFAULT_DASHBOARD_ID}"
                )),
                "inline" => match deflated_bytes(&value) {
                    Ok(_) => state.dashboard = DashboardRef::Inline(value.trim().to_string()),
                    Err(error) => problems.push(format!("{error}; showing {DEFAULT_DASHBOARD_ID}")),
                },
                "datasource" => match Datasource::parse(&value) {
                    Ok(parsed) => state.datasource = Some(parsed),
                    Err(message) => problems.push(format!("{message}; using the default datasource")),
                },
                "from" | "to" => match TimeExpression::parse(&value) {
                    Ok(parsed) if name == "from" => state.from = Some(parsed),
                    Ok(parsed) => state.to = Some(parsed),
                    Err(error) => problems.push(format!("{name}: {error}; using the dashboard's default")),
                },
                "refresh" if value == "off" || parse_refresh(&value).is_some() => state.refresh = Some(value),
                "refresh" => problems.push(format!("refresh {value:?} is not off or a duration like 30s; refresh is off")),
                _ if keyed_entries >= MAX_KEYED_ENTRIES
                    && ["var-", "row-", "events-", "overlays-"].iter().any(|p| name.starts_with(p)) =>
                {
                    keyed_dropped += 1;
                }
                _ => {
                    keyed_entries += 1;
                    if let Some(variable) = name.strip_prefix("var-") {
                        state.variables.entry(variable.to_string()).or_default().push(value);
                    } else if let Some(row) = name.strip_prefix("row-") {
                        match value.as_str() {
                            "open" | "closed" => {
                                state.row_collapsed.insert(row.to_string(), value == "closed");
                            }
                            other => problems.push(format!(
                                "row {row:?}: {other:?} is not open or closed; shown as the dashboard saved it"
                            )),
                        }
                    } else if let Some(source) = name.strip_prefix("events-") {
                        match value.as_str() {
                            "on" | "off" => {
                                state.events_shown.insert(source.to_string(), value == "on");
                            }
                            other => problems.push(format!(
                                "events {source:?}: {other:?} is not on or off; shown as the dashboard has them"
                            )),
                        }
                    } else if let Some(panel) = name.strip_prefix("overlays-") {
                        match OverlayToggles::parse(&value) {
                            Ok(toggles) => {
                                state.panel_overlays.insert(panel.to_string(), toggles);
                            }
                            Err(message) => problems.push(format!(
                                "overlays of panel {panel:?}: {message}; using the dashboard's own"
                            )),
                        }
                    }
                    // Other keys (Grafana's orgId, viewPanel, …) are ignored on purpose.
                }
            }
        }
        if keyed_dropped > 0 {
            problems.push(format!(
                "this link has {} variable, row, event and overlay settings; the first {MAX_KEYED_ENTRIES} are used",
                keyed_entries + keyed_dropped
            ));
        }
        (state, problems)
    }

    /// The query string (with a leading `?`) that decodes back to this state.
    pub fn encode(&self) -> String {
        let mut pairs: Vec<(String, String)> = Vec::new();
        match &self.dashboard {
            DashboardRef::Shipped(id) => pairs.push(("dashboard".into(), id.clone())),
            DashboardRef::Inline(link_text) => pairs.push(("inline".into(), link_text.clone())),
            DashboardRef::Saved(id) => pairs.push(("saved".into(), id.clone())),
        }
        if let Some(datasource) = &self.datasource {
            pairs.push(("datasource".into(), datasource.to_string()));
        }
        if let Some(from) = &self.from {
            pairs.push(("from".into(), from.to_string()));
        }
        if let Some(to) = &self.to {
            pairs.push(("to".into(), to.to_string()));
        }
        if let Some(refresh) = &self.refresh {
            pairs.push(("refresh".into(), refresh.clone()));
        }
        for (name, values) in &self.variables {
            for value in values {
                pairs.push((format!("var-{name}"), value.clone()));
            }
        }
        for (panel, toggles) in &self.panel_overlays {
            pairs.push((format!("overlays-{panel}"), toggles.encode()));
        }
        for (row, &collapsed) in &self.row_collapsed {
            let state = if collapsed { "closed" } else { "open" };
            pairs.push((format!("row-{row}"), state.to_string()));
        }
        for (source, &shown) in &self.events_shown {
            let state = if shown { "on" } else { "off" };
            pairs.push((format!("events-{source}"), state.to_string()));
        }
        let encoded: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode_uri_component(k), encode_uri_component(v)))
            .collect();
        format!("?{}", encoded.join("&"))
    }

    /// The same view with `now` frozen: relative times become epoch milliseconds.
    pub fn with_absolute_time(
        &self,
        default_from: &TimeExpression,
        default_to: &TimeExpression,
        now_ms: i64,
    ) -> Self {
        // Links carry times from 1970 on (a time before it would not read back).
        let freeze = |e: &TimeExpression| TimeExpression::Absolute {
            epoch_ms: e.resolve(now_ms).max(0),
        };
        Self {
            from: Some(freeze(self.from.as_ref().unwrap_or(default_from))),
            to: Some(freeze(self.to.as_ref().unwrap_or(default_to))),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_address_names_no_dashboard() {
        for bare in [
            "",
            "?",
            "?datasource=http%3A%2F%2Fp%3A9090&from=now-1h",
            "?dashboards=x",
        ] {
            assert!(!names_a_dashboard(bare), "{bare}");
        }
        for named in [
            "?dashboard=node-exporter",
            "?x=1&saved=mine",
            "inline=AAAA",
            "?dashboard=%2E%2E",
            "?%64ashboard=service-health",
        ] {
            assert!(names_a_dashboard(named), "{named}");
        }
    }
    use crate::model::dashboard::Dashboard;

    #[test]
    fn defaults_when_absent() {
        let (state, problems) = ViewState::decode("");
        assert_eq!(state, ViewState::default());
        assert!(problems.is_empty());
        assert_eq!(
            state.dashboard,
            DashboardRef::Shipped("service-health".into())
        );
    }

    #[test]
    fn reads_every_parameter() {
        let (state, problems) = ViewState::decode(
            "?dashboard=node&datasource=http%3A%2F%2Fprom%3A9090&from=now-1h&to=1700000000000&refresh=30s&var-job=a&var-job=b%20c&orgId=1",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(state.dashboard, DashboardRef::Shipped("node".into()));
        assert_eq!(state.datasource.unwrap().base_url(), "http://prom:9090");
        assert_eq!(state.from.unwrap().to_string(), "now-1h");
        assert_eq!(
            state.to.unwrap(),
            TimeExpression::Absolute {
                epoch_ms: 1_700_000_000_000
            }
        );
        assert_eq!(state.refresh.as_deref(), Some("30s"));
        assert_eq!(
            state.variables["job"],
            vec!["a".to_string(), "b c".to_string()]
        );
    }

    #[test]
    fn encode_then_decode_is_identity() {
        let dashboard = Dashboard::from_json(include_str!(
            "../../../../public/dashboards/service-health.json"
        ))
        .unwrap();
        let states = [
            ViewState::default(),
            ViewState {
                dashboard: DashboardRef::Shipped("x_y-1".into()),
                datasource: Some(Datasource::parse("https://p.example/prom").unwrap()),
                from: Some(TimeExpression::parse("now-7d/d").unwrap()),
                to: Some(TimeExpression::parse("now").unwrap()),
                refresh: Some("off".into()),
                variables: [(
                    "job".to_string(),
                    vec!["a&b=c".to_string(), "é \"x\"".to_string()],
                )]
                .into(),
                panel_overlays: [
                    ("requests".to_string(), OverlayToggles::default()),
                    (
                        "latency".to_string(),
                        OverlayToggles::parse(
                            "forecast:linear,baseline:seasonal,anomalies,sensitivity:high",
                        )
                        .unwrap(),
                    ),
                ]
                .into(),
                row_collapsed: [("details".to_string(), false), ("disk".to_string(), true)].into(),
                events_shown: [
                    ("deployments".to_string(), false),
                    ("Deploys & rollbacks".to_string(), true),
                ]
                .into(),
            },
            ViewState {
                dashboard: DashboardRef::Saved("my-board_2".into()),
                ..ViewState::default()
            },
            ViewState {
                dashboard: DashboardRef::Inline(
                    crate::model::inline_dashboard::encode_inline_dashboard(&dashboard),
                ),
                ..ViewState::default()
            },
        ];
        for state in states {
            let (decoded, problems) = ViewState::decode(&state.encode());
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(decoded, state);
        }
    }

    #[test]
    fn broken_parameters_fall_back_with_messages() {
        let (state, problems) =
            ViewState::decode("dashboard=..%2Fsecrets&datasource=javascript%3Aalert(1)&from=yesterday&refresh=fast&inline=AA!A&overlays-a=forecast:magic&overlays-b=sparkles&events-alerts=maybe");
        assert_eq!(state, ViewState::default());
        assert_eq!(problems.len(), 8, "{problems:?}");
        assert!(
            problems[5].contains("not linear or seasonal"),
            "{}",
            problems[5]
        );
        assert!(
            problems[6].contains("\"sparkles\" is not an overlay"),
            "{}",
            problems[6]
        );
        assert!(problems[0].contains("not a dashboard id"));
        assert!(problems[1].contains("not an http(s) URL"));
        assert!(problems[4].contains("damaged"), "{}", problems[4]);
        // Well-formed text is kept for the page to inflate; what it holds is checked then.
        let (state, problems) = ViewState::decode("inline=AAAA");
        assert!(problems.is_empty());
        assert_eq!(state.dashboard, DashboardRef::Inline("AAAA".into()));
        let inflated = crate::model::inline_dashboard::decode_inline_dashboard("AAAA");
        assert!(inflated.unwrap_err().contains("truncated or damaged"));
    }

    #[test]
    fn absolute_links_freeze_now() {
        let state = ViewState::default();
        let frozen = state.with_absolute_time(
            &TimeExpression::parse("now-6h").unwrap(),
            &TimeExpression::now(),
            1_700_000_000_000,
        );
        assert_eq!(
            frozen.from,
            Some(TimeExpression::Absolute {
                epoch_ms: 1_700_000_000_000 - 21_600_000
            })
        );
        assert_eq!(
            frozen.to,
            Some(TimeExpression::Absolute {
                epoch_ms: 1_700_000_000_000
            })
        );
    }

    #[test]
    fn a_frozen_time_before_1970_still_reads_back() {
        let (state, problems) = ViewState::decode("from=now-33333w");
        assert!(problems.is_empty());
        let frozen = state.with_absolute_time(
            &TimeExpression::now(),
            &TimeExpression::now(),
            1_700_000_000_000,
        );
        let (back, problems) = ViewState::decode(&frozen.encode());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, frozen);
    }

    #[test]
    fn an_overlong_link_is_not_read() {
        let query = format!(
            "?dashboard=x&var-a={}",
            "b".repeat(crate::foundation::limits::MAX_LINK_CHARS)
        );
        let (state, problems) = ViewState::decode(&query);
        assert_eq!(state, ViewState::default());
        assert!(
            problems[0].contains("links longer than 4 MiB are not read"),
            "{problems:?}"
        );
    }

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn a_link_of_countless_settings_is_read_in_linear_time() {
        let link = format!(
            "?{}",
            (0..200_000)
                .map(|k| format!("events-s{k}=off"))
                .collect::<Vec<_>>()
                .join("&")
        );
        let (state, problems) = ViewState::decode(&link);
        assert_eq!(state.events_shown.len(), MAX_KEYED_ENTRIES);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("200000"));
    }
}
