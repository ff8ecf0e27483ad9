//! The dashboard document: a versioned JSON model with panels kept apart from
//! their grid layout, template variables, default time range, refresh and
//! datasource. Parsing validates everything once and says what is wrong where.

pub use crate::dashboard_variables::{
    parse_label_values_query, LabelValuesQuery, Variable, VariableSource, ALL_SELECTION,
};
use crate::time_range::TimeExpression;
use crate::units::Unit;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The schema version this build reads and writes.
pub const DASHBOARD_SCHEMA_VERSION: u32 = 1;
/// Width of the layout grid in columns (as Grafana's).
pub const GRID_COLUMNS: u32 = 24;

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
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub external_labels: BTreeMap<String, String>,
}

impl NotifyTargets {
    /// Nowhere to send alerts.
    pub fn is_empty(&self) -> bool {
        self.alertmanager.is_none() && self.webhooks.is_empty()
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Panel {
    pub id: String,
    pub title: String,
    #[serde(flatten)]
    pub kind: PanelKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    #[serde(default)]
    pub unit: Unit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,
    /// Ascending; the first step has no value (the base colour).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<Threshold>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum PanelKind {
    Timeseries {
        #[serde(default)]
        style: LineStyle,
        /// Draw a horizontal line at zero (deviation panels).
        #[serde(default, rename = "zeroLine")]
        zero_line: bool,
        #[serde(flatten)]
        foresight: ForesightOptions,
    },
    Stat {
        #[serde(default)]
        reduce: Reducer,
        #[serde(default = "yes")]
        sparkline: bool,
        /// Shown when the query returns nothing (e.g. "No disk predicted to fill").
        #[serde(
            default,
            rename = "noValueText",
            skip_serializing_if = "Option::is_none"
        )]
        no_value_text: Option<String>,
    },
    Gauge {
        #[serde(default)]
        reduce: Reducer,
    },
    Bargauge {
        #[serde(default)]
        reduce: Reducer,
    },
    Table,
    Heatmap,
    Text {
        /// Markdown, rendered safely (no raw HTML).
        content: String,
    },
}

impl PanelKind {
    /// The type name used in the JSON (`timeseries`, `stat`, …).
    pub fn type_id(&self) -> &'static str {
        match self {
            PanelKind::Timeseries { .. } => "timeseries",
            PanelKind::Stat { .. } => "stat",
            PanelKind::Gauge { .. } => "gauge",
            PanelKind::Bargauge { .. } => "bargauge",
            PanelKind::Table => "table",
            PanelKind::Heatmap => "heatmap",
            PanelKind::Text { .. } => "text",
        }
    }
}

/// The "sees ahead" options of a time-series panel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForesightOptions {
    /// Draw a forecast past the end of the range, with 80 % and 95 % bands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<ForecastKind>,
    /// How far the forecast reaches (`30m`, `4h`, `2d`); default a quarter of the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast_horizon: Option<String>,
    /// Mark points the causal detector finds anomalous.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anomalies: bool,
    /// Say when each series is expected to reach a value (e.g. 0 free bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossing: Option<CrossingOption>,
    /// Draw the range the series normally lives in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineKind>,
    /// How readily anomalies are reported and how wide baseline bands are.
    #[serde(default, skip_serializing_if = "Sensitivity::is_default")]
    pub sensitivity: Sensitivity,
}

impl ForesightOptions {
    /// The overlays a viewer can switch on and off (everything but crossings).
    pub fn toggles(&self) -> OverlayToggles {
        OverlayToggles {
            forecast: self.forecast,
            baseline: self.baseline,
            anomalies: self.anomalies,
            sensitivity: self.sensitivity,
        }
    }

    /// These options with the viewer's choice of overlays.
    pub fn with_toggles(&self, toggles: OverlayToggles) -> Self {
        Self {
            forecast: toggles.forecast,
            baseline: toggles.baseline,
            anomalies: toggles.anomalies,
            sensitivity: toggles.sensitivity,
            crossing: self.crossing.clone(),
            forecast_horizon: self.forecast_horizon.clone(),
        }
    }

    /// How far past the end of a `range_seconds` range the forecast reaches
    /// (`None` when there is no forecast).
    pub fn horizon_seconds(&self, range_seconds: f64) -> Option<f64> {
        self.forecast?;
        Some(
            self.forecast_horizon
                .as_deref()
                .and_then(|text| parse_span(text).ok())
                .unwrap_or(range_seconds / 4.0),
        )
    }
}

/// Seconds of a span such as `90s`, `30m`, `4h`, `2d` or `1w`.
pub fn parse_span(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let problem = || format!("{text:?} is not a duration like 30m, 4h, 2d or 1w");
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(problem)?;
    let amount: u32 = text[..split].parse().map_err(|_| problem())?;
    let unit = match &text[split..] {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        _ => return Err(problem()),
    };
    let seconds = f64::from(amount) * unit;
    (seconds > 0.0).then_some(seconds).ok_or_else(problem)
}

/// Where a baseline band comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BaselineKind {
    /// The same query one day earlier (`offset 1d`), ± its robust spread.
    #[serde(rename = "1d")]
    DayAgo,
    /// The same query one week earlier (`offset 1w`), ± its robust spread.
    #[serde(rename = "1w")]
    WeekAgo,
    /// Median ± k·MAD of the last week's values at the same time of day.
    #[serde(rename = "seasonal")]
    Seasonal,
}

impl BaselineKind {
    pub const ALL: [BaselineKind; 3] = [Self::DayAgo, Self::WeekAgo, Self::Seasonal];

    pub fn id(self) -> &'static str {
        match self {
            Self::DayAgo => "1d",
            Self::WeekAgo => "1w",
            Self::Seasonal => "seasonal",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::DayAgo => "same time yesterday",
            Self::WeekAgo => "same time last week",
            Self::Seasonal => "usual for this time of day",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.id() == text)
    }
}

/// Sensitivity of anomaly reports and width of baseline bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sensitivity {
    /// Only the clearest anomalies (score ≥ 0.9995); bands ± 3 robust σ.
    Low,
    /// Score ≥ 0.998 (about one-in-a-thousand); bands ± 2 robust σ (≈ 95 %).
    #[default]
    Medium,
    /// Score ≥ 0.99; bands ± 1.5 robust σ.
    High,
}

impl Sensitivity {
    pub const ALL: [Sensitivity; 3] = [Self::Low, Self::Medium, Self::High];

    fn is_default(&self) -> bool {
        *self == Self::Medium
    }

    pub fn id(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == text)
    }

    /// The anomaly score from which a point is reported.
    pub fn report_score(self) -> f64 {
        match self {
            Self::Low => 0.9995,
            Self::Medium => 0.998,
            Self::High => 0.99,
        }
    }

    /// Half-width of baseline bands in robust standard deviations (1.4826 · MAD).
    pub fn band_sigmas(self) -> f64 {
        match self {
            Self::Low => 3.0,
            Self::Medium => 2.0,
            Self::High => 1.5,
        }
    }
}

/// The overlay switches of a time-series panel, as a link carries them:
/// `forecast:seasonal,baseline:1w,anomalies,sensitivity:high` (or `none`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OverlayToggles {
    pub forecast: Option<ForecastKind>,
    pub baseline: Option<BaselineKind>,
    pub anomalies: bool,
    pub sensitivity: Sensitivity,
}

impl OverlayToggles {
    pub fn encode(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(kind) = self.forecast {
            parts.push(format!("forecast:{}", kind.id()));
        }
        if let Some(kind) = self.baseline {
            parts.push(format!("baseline:{}", kind.id()));
        }
        if self.anomalies {
            parts.push("anomalies".into());
        }
        if self.sensitivity != Sensitivity::Medium {
            parts.push(format!("sensitivity:{}", self.sensitivity.id()));
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(",")
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let mut toggles = Self::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once(':').unwrap_or((part, ""));
            match (name, value) {
                ("none", "") => {}
                ("forecast", "") => toggles.forecast = Some(ForecastKind::Seasonal),
                ("forecast", kind) => {
                    toggles.forecast = Some(ForecastKind::parse(kind).ok_or_else(|| {
                        format!("forecast {kind:?} is not linear or seasonal")
                    })?)
                }
                ("baseline", "") => toggles.baseline = Some(BaselineKind::WeekAgo),
                ("baseline", kind) => {
                    toggles.baseline = Some(BaselineKind::parse(kind).ok_or_else(|| {
                        format!("baseline {kind:?} is not 1d, 1w or seasonal")
                    })?)
                }
                ("anomalies", "") => toggles.anomalies = true,
                ("sensitivity", level) => {
                    toggles.sensitivity = Sensitivity::parse(level).ok_or_else(|| {
                        format!("sensitivity {level:?} is not low, medium or high")
                    })?
                }
                _ => {
                    return Err(format!(
                        "{part:?} is not an overlay (forecast, baseline, anomalies, sensitivity or none)"
                    ))
                }
            }
        }
        Ok(toggles)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForecastKind {
    /// PromQL's `predict_linear` over the last quarter of the range.
    Linear,
    /// Daily/weekly seasonal models chosen automatically.
    Seasonal,
}

impl ForecastKind {
    pub fn id(self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::Seasonal => "seasonal",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Linear, Self::Seasonal]
            .into_iter()
            .find(|kind| kind.id() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrossingOption {
    pub value: f64,
    /// What reaching it means, e.g. `full`.
    pub label: String,
    /// How much recent data the trend is fitted on (seconds).
    #[serde(default = "one_hour")]
    pub window_seconds: f64,
    /// Crossings further away than this are not shown (seconds; default 30 days).
    #[serde(default = "thirty_days")]
    pub max_seconds: f64,
}

fn thirty_days() -> f64 {
    30.0 * 86_400.0
}

fn one_hour() -> f64 {
    3600.0
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineStyle {
    #[default]
    Lines,
    Area,
    Stacked,
    Points,
}

/// How a series becomes one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reducer {
    #[default]
    Last,
    Mean,
    Max,
    Min,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub expr: String,
    /// `{{label}}` placeholders, as in Grafana.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legend_format: Option<String>,
    /// An instant query (tables, gauges) instead of a range query.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub instant: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// `null` for the base step.
    pub value: Option<f64>,
    /// `green`, `amber`, `red`, `blue`, or `#rrggbb`.
    pub color: String,
}

/// The colour of the highest threshold step at or below `value`.
pub fn threshold_color(thresholds: &[Threshold], value: f64) -> Option<&str> {
    if !value.is_finite() {
        return None;
    }
    thresholds
        .iter()
        .rev()
        .find(|step| step.value.is_none_or(|limit| value >= limit))
        .map(|step| step.color.as_str())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridPosition {
    pub panel: String,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Dashboard {
    /// Parses and validates a dashboard document.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let version: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("the dashboard is not valid JSON: {e}"))?;
        match version.get("schemaVersion").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(DASHBOARD_SCHEMA_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "the dashboard has schemaVersion {v}; this Foresight reads version {DASHBOARD_SCHEMA_VERSION}"
                ))
            }
            None => return Err("the dashboard has no schemaVersion (is it a Grafana dashboard? import it instead)".into()),
        }
        let dashboard: Dashboard = serde_json::from_value(version)
            .map_err(|e| format!("the dashboard does not match the model: {e}"))?;
        dashboard.validate()?;
        Ok(dashboard)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a dashboard always serialises")
    }

    fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for (what, expression) in [("time.from", &self.time.from), ("time.to", &self.time.to)] {
            if let Err(error) = TimeExpression::parse(expression) {
                problems.push(format!("{what}: {error}"));
            }
        }
        if self.refresh != "off" && crate::refresh::parse_refresh(&self.refresh).is_none() {
            problems.push(format!(
                "refresh {:?} is not off or a duration like 30s",
                self.refresh
            ));
        }
        if let Some(datasource) = &self.datasource {
            if let Err(error) = crate::datasource::Datasource::parse(datasource) {
                problems.push(error);
            }
        }
        for url in self.notify.alertmanager.iter().chain(&self.notify.webhooks) {
            if let Err(error) = crate::datasource::Datasource::parse(url) {
                problems.push(format!("notification target: {error}"));
            }
        }
        for name in self.notify.external_labels.keys() {
            if !is_identifier(name) {
                problems.push(format!(
                    "external label name {name:?} must be letters, digits and _"
                ));
            }
        }
        let mut rule_names = BTreeSet::new();
        for rule in &self.alerts {
            if !rule_names.insert(rule.name.as_str()) {
                problems.push(format!("alert rule {:?} is defined twice", rule.name));
            }
            for problem in rule.problems() {
                problems.push(format!("alert rule {:?}: {problem}", rule.name));
            }
        }
        let mut panel_ids = BTreeSet::new();
        for panel in &self.panels {
            if panel.id.is_empty() || !panel_ids.insert(panel.id.as_str()) {
                problems.push(format!("panel id {:?} is empty or used twice", panel.id));
            }
            if let PanelKind::Timeseries { foresight, .. } = &panel.kind {
                if let Some(Err(error)) = foresight.forecast_horizon.as_deref().map(parse_span) {
                    problems.push(format!("panel {:?}: forecastHorizon {error}", panel.id));
                }
            }
            let needs_query = !matches!(panel.kind, PanelKind::Text { .. });
            if needs_query && panel.targets.iter().all(|t| t.expr.trim().is_empty()) {
                problems.push(format!("panel {:?} has no query", panel.id));
            }
        }
        let mut placed = BTreeSet::new();
        for position in &self.layout {
            if !panel_ids.contains(position.panel.as_str()) {
                problems.push(format!("layout places unknown panel {:?}", position.panel));
            }
            if !placed.insert(position.panel.as_str()) {
                problems.push(format!("layout places panel {:?} twice", position.panel));
            }
            if position.w == 0 || position.h == 0 || position.x + position.w > GRID_COLUMNS {
                problems.push(format!(
                    "panel {:?} does not fit the {GRID_COLUMNS}-column grid",
                    position.panel
                ));
            }
        }
        for id in panel_ids.difference(&placed) {
            problems.push(format!("panel {id:?} has no place in the layout"));
        }
        let mut variable_names = BTreeSet::new();
        for variable in &self.variables {
            if !is_identifier(&variable.name) || variable.name.starts_with("__") {
                problems.push(format!(
                    "variable name {:?} must be letters, digits and _ (not starting with __)",
                    variable.name
                ));
            }
            if !variable_names.insert(variable.name.as_str()) {
                problems.push(format!("variable {:?} is defined twice", variable.name));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the dashboard is not valid: {}",
                problems.join("; ")
            ))
        }
    }

    pub fn panel(&self, id: &str) -> Option<&Panel> {
        self.panels.iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {

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
        let text = include_str!("../../../public/dashboards/service-health.json").replace(
            "\"forecastHorizon\": \"4h\"",
            "\"forecastHorizon\": \"soon\"",
        );
        let error = Dashboard::from_json(&text).unwrap_err();
        assert!(
            error.contains("forecastHorizon \"soon\" is not a duration"),
            "{error}"
        );
    }

    #[test]
    fn overlay_toggles_round_trip_and_default_to_sensible_kinds() {
        for text in [
            "none",
            "anomalies",
            "forecast:linear",
            "forecast:seasonal,baseline:1d,anomalies,sensitivity:low",
            "baseline:1w,sensitivity:high",
            "baseline:seasonal",
        ] {
            let toggles = OverlayToggles::parse(text).unwrap();
            assert_eq!(toggles.encode(), text);
        }
        let short = OverlayToggles::parse("forecast,baseline").unwrap();
        assert_eq!(short.forecast, Some(ForecastKind::Seasonal));
        assert_eq!(short.baseline, Some(BaselineKind::WeekAgo));
        assert!(OverlayToggles::parse("sensitivity:extreme").is_err());
        let options = ForesightOptions {
            crossing: Some(CrossingOption {
                value: 0.0,
                label: "full".into(),
                window_seconds: 60.0,
                max_seconds: 60.0,
            }),
            ..Default::default()
        };
        let switched = options.with_toggles(short);
        assert_eq!(switched.toggles(), short);
        assert_eq!(
            switched.crossing, options.crossing,
            "crossings are not a toggle"
        );
    }
    use super::*;

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

    #[test]
    fn thresholds_pick_the_highest_step_reached() {
        let steps = vec![
            Threshold {
                value: None,
                color: "green".into(),
            },
            Threshold {
                value: Some(1.0),
                color: "amber".into(),
            },
            Threshold {
                value: Some(5.0),
                color: "red".into(),
            },
        ];
        assert_eq!(threshold_color(&steps, 0.2), Some("green"));
        assert_eq!(threshold_color(&steps, 1.0), Some("amber"));
        assert_eq!(threshold_color(&steps, 17.0), Some("red"));
        assert_eq!(threshold_color(&steps, f64::NAN), None);
    }
}

#[cfg(test)]
mod shipped_dashboards {
    use super::*;

    #[test]
    fn every_listed_dashboard_is_valid() {
        let index: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../../../public/dashboards/index.json")).unwrap();
        let shipped = [
            (
                "service-health",
                include_str!("../../../public/dashboards/service-health.json"),
            ),
            (
                "instances",
                include_str!("../../../public/dashboards/instances.json"),
            ),
        ];
        assert_eq!(
            index.len(),
            shipped.len(),
            "index.json lists every shipped dashboard"
        );
        for (entry, (id, text)) in index.iter().zip(shipped) {
            assert_eq!(entry["id"], id);
            let dashboard = Dashboard::from_json(text).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(dashboard.id, id);
            assert_eq!(entry["title"], dashboard.title.as_str());
        }
    }

    #[test]
    fn the_default_dashboard_is_valid_and_round_trips() {
        let text = include_str!("../../../public/dashboards/service-health.json");
        let dashboard = Dashboard::from_json(text).unwrap();
        assert_eq!(dashboard.id, "service-health");
        assert_eq!(dashboard.panels.len(), 10);
        assert_eq!(
            Dashboard::from_json(&dashboard.to_json()).unwrap(),
            dashboard
        );
    }
}
