//! The dashboard document: a versioned JSON model with panels kept apart from
//! their grid layout, template variables, default time range, refresh and
//! datasource. Parsing validates everything once and says what is wrong where.
//!
//! The document is here; its panels in [`panel`], their grid in [`layout`],
//! the checks in [`validate`]. The JSON form is derived: members are camelCase,
//! defaults are left out when written and filled in when read.

pub mod annotation;
pub mod layout;
pub mod panel;
pub mod series_override;
mod validate;

pub use crate::analytics::options::{
    BaselineKind, CrossingOption, ForecastKind, ForesightOptions, OverlayToggles, Sensitivity,
};
use crate::foundation::json::{FromJson, Json, ToJson};
use crate::foundation::ordered::SortedMap;
use crate::model::datasource::DatasourceOptions;
pub use crate::model::variables::{
    parse_label_values_query, LabelValuesQuery, Variable, VariableSource, ALL_SELECTION,
};
pub use crate::query::series::Reducer;
pub use annotation::{AnnotationQuery, ChangeEventOptions, MAX_ANNOTATION_QUERIES};
pub use layout::{GridPosition, GRID_COLUMNS};
pub use panel::{
    mapped_value, threshold_color, threshold_rgb, threshold_state, BarDisplay, BarOrientation,
    LegendMode, LegendOptions, LegendPlacement, LineStyle, Panel, PanelKind, SloShow, Target,
    Threshold, ValueMapping, MIN_LEGEND_WIDTH, TEXT_RGB,
};
use serde::{Deserialize, Serialize};
pub use series_override::{AxisSide, OverrideMatchers, SeriesLook, SeriesMatcher, SeriesOverride};

/// The schema version this build reads and writes.
pub const DASHBOARD_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub schema_version: u32,
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub time: DashboardTime,
    /// `off` or a duration such as `30s`.
    #[serde(default = "default_refresh")]
    pub refresh: String,
    /// Base URL of the Prometheus API; absent means the page's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datasource: Option<String>,
    /// The engine, tenant and Thanos options of requests to the datasource.
    #[serde(default, skip_serializing_if = "DatasourceOptions::is_default")]
    pub datasource_options: DatasourceOptions,
    /// Scrape interval of the data, used for `$__rate_interval` (seconds).
    #[serde(default = "default_scrape_interval")]
    pub scrape_interval_seconds: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<Variable>,
    pub panels: Vec<Panel>,
    pub layout: Vec<GridPosition>,
    /// Alert rules evaluated in the browser (and exportable to Prometheus).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<crate::alerting::rule::AlertRule>,
    /// Where firing and resolved alerts are sent.
    #[serde(default, skip_serializing_if = "NotifyTargets::is_unset")]
    pub notify: NotifyTargets,
    /// Service-level objectives (exported with the alert rules).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slos: Vec<crate::alerting::slo::Slo>,
    /// Events drawn on every time-series panel, from these queries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<AnnotationQuery>,
    /// The built-in change events (deployments, restarts, …).
    #[serde(default, skip_serializing_if = "ChangeEventOptions::is_default")]
    pub change_events: ChangeEventOptions,
}

/// Notification targets of a dashboard's alerts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyTargets {
    /// Alertmanager's base URL; alerts go to `<url>/api/v2/alerts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alertmanager: Option<String>,
    /// URLs that receive the webhook payload (JSON, with a Slack-compatible `text`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhooks: Vec<String>,
    /// Labels of this Foresight "server", like Prometheus's `external_labels`:
    /// `{{ $externalLabels.x }}` in templates, and added to every alert sent.
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub external_labels: SortedMap<String, String>,
}

impl NotifyTargets {
    /// Nowhere to send alerts.
    pub fn is_empty(&self) -> bool {
        self.alertmanager.is_none() && self.webhooks.is_empty()
    }

    /// Every address alerts are sent to: the Alertmanager, then the webhooks.
    pub fn addresses(&self) -> impl Iterator<Item = &String> {
        self.alertmanager.iter().chain(&self.webhooks)
    }

    fn is_unset(&self) -> bool {
        self.is_empty() && self.external_labels.is_empty()
    }
}

fn default_refresh() -> String {
    "off".into()
}

fn default_scrape_interval() -> f64 {
    15.0
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardTime {
    pub from: String,
    pub to: String,
}

impl Default for DashboardTime {
    fn default() -> Self {
        Self {
            from: "now-6h".into(),
            to: "now".into(),
        }
    }
}

/// An entry of `public/dashboards/index.json`, the list of shipped dashboards
/// (static hosting cannot list a directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardListing {
    pub id: String,
    pub title: String,
    /// Metric names whose presence on a server means this dashboard has data
    /// there; the first open picks a dashboard by them (see
    /// [`crate::model::dashboard_choice`]). Empty means unknown: such a
    /// dashboard is never picked on its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
}

impl Dashboard {
    /// Parses and validates a dashboard document.
    pub fn from_json(text: &str) -> Result<Self, String> {
        if text.len() > crate::foundation::limits::MAX_DASHBOARD_BYTES {
            return Err(format!(
                "the dashboard is {} KiB; dashboards larger than {} MiB are refused",
                text.len() / 1024,
                crate::foundation::limits::MAX_DASHBOARD_BYTES >> 20
            ));
        }
        let document =
            Json::parse(text).map_err(|e| format!("the dashboard is not valid JSON: {e}"))?;
        match document.get("schemaVersion").and_then(Json::as_u64) {
            Some(v) if v == u64::from(DASHBOARD_SCHEMA_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "the dashboard has schemaVersion {v}; this Foresight reads version {DASHBOARD_SCHEMA_VERSION}"
                ))
            }
            None => return Err("the dashboard has no schemaVersion (is it a Grafana dashboard? import it instead)".into()),
        }
        let dashboard = <Dashboard as FromJson>::from_json(&document)
            .map_err(|e| format!("the dashboard does not match the model: {e}"))?;
        dashboard.validate()?;
        Ok(dashboard)
    }

    pub fn to_json(&self) -> String {
        ToJson::to_json(self).to_pretty_string()
    }

    /// Every rule the page evaluates: the alert rules, then each SLO's page
    /// and ticket alerts (a valid dashboard's SLOs always make theirs), but
    /// for an SLO whose queries name a dashboard variable (see
    /// [`Self::unevaluated_slos`]).
    pub fn evaluated_rules(&self) -> Vec<crate::alerting::rule::AlertRule> {
        let mut rules = self.alerts.clone();
        for slo in self
            .slos
            .iter()
            .filter(|slo| slo.variable_problem().is_none())
        {
            rules.extend(slo.alert_rules().unwrap_or_default());
        }
        rules
    }

    /// Why an SLO's alerts are not evaluated, one sentence per SLO: its
    /// queries name a dashboard variable, which an alert cannot resolve (it
    /// would ask for `job="$job"` and never fire). Such an SLO is refused
    /// where one is made; a dashboard saved before that still opens.
    pub fn unevaluated_slos(&self) -> Vec<String> {
        self.slos
            .iter()
            .filter_map(|slo| {
                let problem = slo.variable_problem()?;
                Some(format!(
                    "SLO {:?}: its alerts are not evaluated, since {problem}",
                    slo.name
                ))
            })
            .collect()
    }

    /// The layout compacted as Grafana's grid does, in reading order, each
    /// place with the row it belongs to (the last row before it; rows and the
    /// panels above the first row belong to none).
    fn layout_by_row(&self) -> Vec<(GridPosition, Option<String>)> {
        let mut layout = self.layout.clone();
        layout::compact(&mut layout);
        layout::sort_in_reading_order(&mut layout);
        let mut current: Option<String> = None;
        layout
            .into_iter()
            .map(|position| {
                let is_row = matches!(
                    self.panel(&position.panel).map(|p| &p.kind),
                    Some(PanelKind::Row { .. })
                );
                if is_row {
                    current = Some(position.panel.clone());
                    (position, None)
                } else {
                    (position, current.clone())
                }
            })
            .collect()
    }

    /// Whether row `id` is collapsed: as the viewer set it in
    /// `row_collapsed`, else as the dashboard saved it.
    pub fn row_is_collapsed(&self, id: &str, row_collapsed: &SortedMap<String, bool>) -> bool {
        row_collapsed.get(id).copied().unwrap_or_else(|| {
            matches!(
                self.panel(id).map(|p| &p.kind),
                Some(PanelKind::Row { collapsed: true })
            )
        })
    }

    /// The layout as the page shows it: compacted as Grafana's grid does (so
    /// no two panels overlap and no empty rows stand between them), with the
    /// panels of each collapsed row left out. A row's panels are those after
    /// it, by row then column, up to the next row. `row_collapsed` holds the
    /// rows the viewer opened (`false`) or closed (`true`), against how the
    /// dashboard saved them.
    pub fn displayed_layout(&self, row_collapsed: &SortedMap<String, bool>) -> Vec<GridPosition> {
        let mut layout: Vec<GridPosition> = self
            .layout_by_row()
            .into_iter()
            .filter(|(_, row)| {
                row.as_deref()
                    .is_none_or(|row| !self.row_is_collapsed(row, row_collapsed))
            })
            .map(|(position, _)| position)
            .collect();
        layout::compact(&mut layout);
        // In reading order: a narrow screen stacks the panels in this order.
        layout::sort_in_reading_order(&mut layout);
        layout
    }

    /// How many panels each row holds (rows without panels are left out).
    pub fn row_sizes(&self) -> SortedMap<String, usize> {
        let mut sizes = SortedMap::new();
        for (_, row) in self.layout_by_row() {
            if let Some(row) = row {
                *sizes.entry(row).or_insert(0) += 1;
            }
        }
        sizes
    }

    pub fn panel(&self, id: &str) -> Option<&Panel> {
        self.panels.iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::span::parse_span;
    use crate::foundation::units::Unit;

    #[test]
    fn a_layout_position_past_the_largest_integer_is_refused_not_overflowed() {
        let text = r#"{"schemaVersion": 1, "id": "x", "title": "X",
            "panels": [{"id": "p", "title": "P", "type": "text", "content": "a"}],
            "layout": [{"panel": "p", "x": 4294967295, "y": 0, "w": 2, "h": 1}]}"#;
        assert!(Dashboard::from_json(text).is_err());
    }

    #[test]
    fn forecast_horizons_are_durations_or_a_quarter_of_the_range() {
        assert_eq!(parse_span("90s"), Ok(90.0));
        assert_eq!(parse_span("4h"), Ok(14_400.0));
        assert_eq!(parse_span("1w"), Ok(604_800.0));
        for bad in ["", "4", "h", "0h", "4y", "-1h", "1.5h"] {
            assert!(parse_span(bad).is_err(), "{bad}");
        }
        let mut options = ForesightOptions::default();
        assert_eq!(
            options.horizon_seconds(3600.0),
            None,
            "no forecast, no horizon"
        );
        options.forecast = Some(ForecastKind::Linear);
        assert_eq!(options.horizon_seconds(3600.0), Some(900.0));
        options.forecast_horizon = Some("2h".into());
        assert_eq!(options.horizon_seconds(3600.0), Some(7200.0));
        let text = include_str!("../../../../../public/dashboards/service-health.json").replace(
            "\"forecastHorizon\": \"4h\"",
            "\"forecastHorizon\": \"soon\"",
        );
        let error = Dashboard::from_json(&text).unwrap_err();
        assert!(
            error.contains("forecastHorizon \"soon\" is not a duration"),
            "{error}"
        );
    }

    const MINIMAL: &str = r#"{
        "schemaVersion": 1, "id": "d", "title": "D",
        "variables": [{"name": "job", "kind": "query", "query": "label_values(up, job)", "includeAll": true}],
        "panels": [
            {"id": "a", "title": "A", "type": "stat", "unit": "percent", "decimals": 1,
             "targets": [{"expr": "up"}], "thresholds": [{"value": null, "color": "green"}, {"value": 5, "color": "red"}]},
            {"id": "b", "title": "B", "type": "text", "content": "hello"}
        ],
        "layout": [{"panel": "a", "x": 0, "y": 0, "w": 12, "h": 4}, {"panel": "b", "x": 12, "y": 0, "w": 12, "h": 4}]
    }"#;

    #[test]
    fn a_collapsed_row_hides_its_panels_until_the_viewer_opens_it() {
        let text = r#"{"schemaVersion": 1, "id": "d", "title": "D", "panels": [
            {"id": "top", "title": "Top", "type": "text", "content": "x"},
            {"id": "r1", "title": "Details", "type": "row", "collapsed": true},
            {"id": "in1", "title": "In", "type": "text", "content": "x"},
            {"id": "in2", "title": "In too", "type": "text", "content": "x"},
            {"id": "r2", "title": "More", "type": "row"},
            {"id": "after", "title": "After", "type": "text", "content": "x"}],
          "layout": [
            {"panel": "top", "x": 0, "y": 0, "w": 24, "h": 4},
            {"panel": "r1", "x": 0, "y": 4, "w": 24, "h": 1},
            {"panel": "in1", "x": 0, "y": 5, "w": 12, "h": 8},
            {"panel": "in2", "x": 12, "y": 9, "w": 12, "h": 8},
            {"panel": "r2", "x": 0, "y": 17, "w": 24, "h": 1},
            {"panel": "after", "x": 0, "y": 30, "w": 24, "h": 3}]}"#;
        let dashboard = Dashboard::from_json(text).unwrap();
        let shown = |changed: &[(&str, bool)]| {
            let changed: SortedMap<String, bool> =
                changed.iter().map(|(s, c)| (s.to_string(), *c)).collect();
            dashboard
                .displayed_layout(&changed)
                .into_iter()
                .map(|p| (p.panel, p.y))
                .collect::<Vec<_>>()
        };
        let at = |pairs: &[(&str, u32)]| {
            pairs
                .iter()
                .map(|(p, y)| (p.to_string(), *y))
                .collect::<Vec<_>>()
        };
        // Collapsed: its panels are hidden and what follows moves up; the gap
        // before the last panel closes.
        assert_eq!(
            shown(&[]),
            at(&[("top", 0), ("r1", 4), ("r2", 5), ("after", 6)])
        );
        assert_eq!(
            shown(&[("r1", false)]),
            at(&[
                ("top", 0),
                ("r1", 4),
                ("in1", 5),
                ("in2", 5),
                ("r2", 13),
                ("after", 14)
            ])
        );
        // Closing an open row hides its own panels only.
        assert_eq!(
            shown(&[("r2", true)]),
            at(&[("top", 0), ("r1", 4), ("r2", 5)])
        );
        assert_eq!(dashboard.row_sizes().get("r1"), Some(&2));
        assert_eq!(dashboard.row_sizes().get("r2"), Some(&1));
    }

    #[test]
    fn parses_with_defaults_and_round_trips() {
        let dashboard = Dashboard::from_json(MINIMAL).unwrap();
        assert_eq!(dashboard.time, DashboardTime::default());
        assert_eq!(dashboard.refresh, "off");
        assert_eq!(
            dashboard.panels[0].kind,
            PanelKind::Stat {
                reduce: Reducer::Last,
                sparkline: true,
                no_value_text: None
            }
        );
        assert_eq!(dashboard.panels[0].unit, Unit::Percent);
        let again = Dashboard::from_json(&dashboard.to_json()).unwrap();
        assert_eq!(again, dashboard, "model -> JSON -> model is identity");
    }

    #[test]
    fn reports_every_problem_with_its_place() {
        let broken = MINIMAL
            .replace(r#""panel": "b", "x": 12"#, r#""panel": "c", "x": 20"#)
            .replace("now", "later")
            .replace(r#""name": "job""#, r#""name": "bad name""#);
        let error = Dashboard::from_json(&broken).unwrap_err();
        assert!(error.contains("unknown panel \"c\""), "{error}");
        assert!(error.contains("does not fit"), "{error}");
        assert!(error.contains("panel \"b\" has no place"), "{error}");
        assert!(error.contains("variable name \"bad name\""), "{error}");
    }

    #[test]
    fn every_panel_type_name_is_the_one_written_and_read() {
        for type_id in PanelKind::TYPE_IDS {
            let text = MINIMAL.replace(
                r#""type": "text", "content": "hello""#,
                &format!(r#""type": "{type_id}", "content": "hello""#),
            );
            let document = crate::foundation::json::Json::parse(&text).unwrap();
            let dashboard: Dashboard = FromJson::from_json(&document).unwrap();
            assert_eq!(dashboard.panels[1].kind.type_id(), type_id);
            let written = ToJson::to_json(&dashboard.panels[1]);
            assert_eq!(written["type"], type_id);
        }
    }

    #[test]
    fn a_wrong_member_is_named_with_its_panel_and_its_accepted_values() {
        let wrong = |panel: &str| {
            Dashboard::from_json(&MINIMAL.replace(
                r#"{"id": "b", "title": "B", "type": "text", "content": "hello"}"#,
                panel,
            ))
            .unwrap_err()
        };
        assert_eq!(
            wrong(r#"{"id": "b", "title": "B", "type": "timeseries", "sensitivity": "extreme"}"#),
            "the dashboard does not match the model: panels[1].sensitivity: \"extreme\" is not one of \"low\", \"medium\", \"high\""
        );
        assert_eq!(
            wrong(r#"{"id": "b", "title": "B", "type": "pie"}"#),
            "the dashboard does not match the model: panels[1].type: \"pie\" is not one of \"timeseries\", \"stat\", \"gauge\", \"bargauge\", \"table\", \"heatmap\", \"text\", \"row\", \"slo\""
        );
        assert_eq!(
            wrong(
                r#"{"id": "b", "title": "B", "type": "timeseries", "crossing": {"value": "x", "label": "full"}}"#
            ),
            "the dashboard does not match the model: panels[1].crossing.value: expected a number, found a string"
        );
        assert_eq!(
            wrong(r#"{"id": "b", "title": "B", "type": "text", "content": "a", "decimals": 1.5}"#),
            "the dashboard does not match the model: panels[1].decimals: 1.5 is not a whole number from 0 to 255"
        );
        assert_eq!(
            wrong(r#"{"id": "b", "title": "B", "type": "text"}"#),
            "the dashboard does not match the model: panels[1]: the member \"content\" is missing or null"
        );
    }

    #[test]
    fn rejects_other_versions_and_non_dashboards() {
        assert!(Dashboard::from_json(
            &MINIMAL.replace("\"schemaVersion\": 1", "\"schemaVersion\": 9")
        )
        .unwrap_err()
        .contains("version 1"));
        assert!(Dashboard::from_json("{\"panels\": []}")
            .unwrap_err()
            .contains("Grafana"));
        assert!(Dashboard::from_json("{\"schemaVersion\": 1, \"id\": ")
            .unwrap_err()
            .contains("not valid JSON"));
        assert!(Dashboard::from_json(r#"{"schemaVersion": 1, "id": 5}"#)
            .unwrap_err()
            .contains("does not match"));
    }
}

#[cfg(test)]
mod shipped_dashboards {
    use super::*;

    #[test]
    fn every_listed_dashboard_is_valid() {
        let index: Vec<DashboardListing> = crate::foundation::json::decode(include_str!(
            "../../../../../public/dashboards/index.json"
        ))
        .unwrap();
        let shipped = [
            (
                "service-health",
                include_str!("../../../../../public/dashboards/service-health.json"),
            ),
            (
                "instances",
                include_str!("../../../../../public/dashboards/instances.json"),
            ),
            (
                "node-exporter",
                include_str!("../../../../../public/dashboards/node-exporter.json"),
            ),
            (
                "victoriametrics",
                include_str!("../../../../../public/dashboards/victoriametrics.json"),
            ),
            (
                "prometheus-health",
                include_str!("../../../../../public/dashboards/prometheus-health.json"),
            ),
        ];
        assert_eq!(
            index.len(),
            shipped.len(),
            "index.json lists every shipped dashboard"
        );
        for (entry, (id, text)) in index.iter().zip(shipped) {
            assert_eq!(entry.id, id);
            let dashboard = Dashboard::from_json(text).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(dashboard.id, id);
            assert_eq!(entry.title, dashboard.title);
            // Already as Grafana's grid would place it: the page shows the
            // layout as written.
            let mut written = dashboard.layout.clone();
            layout::sort_in_reading_order(&mut written);
            assert_eq!(
                dashboard.displayed_layout(&SortedMap::new()),
                written,
                "{id}"
            );
        }
    }

    #[test]
    fn the_default_dashboard_is_valid_and_round_trips() {
        let text = include_str!("../../../../../public/dashboards/service-health.json");
        let dashboard = Dashboard::from_json(text).unwrap();
        assert_eq!(dashboard.id, "service-health");
        assert_eq!(dashboard.panels.len(), 16);
        assert_eq!(dashboard.slos.len(), 3);
        assert_eq!(
            Dashboard::from_json(&dashboard.to_json()).unwrap(),
            dashboard
        );
    }
}
