//! The dashboard document: a versioned JSON model with panels kept apart from
//! their grid layout, template variables, default time range, refresh and
//! datasource. Parsing validates everything once and says what is wrong where.

pub use crate::dashboard_variables::{
    parse_label_values_query, LabelValuesQuery, Variable, VariableSource, ALL_SELECTION,
};
use crate::json::{decode_choice, DecodeError, FromJson, Json, ObjectReader, ObjectWriter, ToJson};
use crate::ordered::{SortedMap, SortedSet};
use crate::time_range::TimeExpression;
use crate::units::Unit;

/// The schema version this build reads and writes.
pub const DASHBOARD_SCHEMA_VERSION: u32 = 1;
/// Width of the layout grid in columns (as Grafana's).
pub const GRID_COLUMNS: u32 = 24;

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub schema_version: u32,
    pub id: String,
    pub title: String,
    pub description: String,
    pub time: DashboardTime,
    /// `off` or a duration such as `30s`.
    pub refresh: String,
    /// Base URL of the Prometheus API; absent means the page's default.
    pub datasource: Option<String>,
    /// Scrape interval of the data, used for `$__rate_interval` (seconds).
    pub scrape_interval_seconds: f64,
    pub variables: Vec<Variable>,
    pub panels: Vec<Panel>,
    pub layout: Vec<GridPosition>,
    /// Alert rules evaluated in the browser (and exportable to Prometheus).
    pub alerts: Vec<crate::alerting::rule::AlertRule>,
    /// Where firing and resolved alerts are sent.
    pub notify: NotifyTargets,
}

/// Notification targets of a dashboard's alerts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotifyTargets {
    /// Alertmanager's base URL; alerts go to `<url>/api/v2/alerts`.
    pub alertmanager: Option<String>,
    /// URLs that receive the webhook payload (JSON, with a Slack-compatible `text`).
    pub webhooks: Vec<String>,
    /// Labels of this Foresight "server", like Prometheus's `external_labels`:
    /// `{{ $externalLabels.x }}` in templates, and added to every alert sent.
    pub external_labels: SortedMap<String, String>,
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

#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardListing {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub id: String,
    pub title: String,
    pub kind: PanelKind,
    pub targets: Vec<Target>,
    pub unit: Unit,
    pub decimals: Option<u8>,
    /// Ascending; the first step has no value (the base colour).
    pub thresholds: Vec<Threshold>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PanelKind {
    Timeseries {
        style: LineStyle,
        /// Draw a horizontal line at zero (deviation panels).
        zero_line: bool,
        foresight: ForesightOptions,
    },
    Stat {
        reduce: Reducer,
        sparkline: bool,
        /// Shown when the query returns nothing (e.g. "No disk predicted to fill").
        no_value_text: Option<String>,
    },
    Gauge {
        reduce: Reducer,
    },
    Bargauge {
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
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ForesightOptions {
    /// Draw a forecast past the end of the range, with 80 % and 95 % bands.
    pub forecast: Option<ForecastKind>,
    /// How far the forecast reaches (`30m`, `4h`, `2d`); default a quarter of the range.
    pub forecast_horizon: Option<String>,
    /// Mark points the causal detector finds anomalous.
    pub anomalies: bool,
    /// Say when each series is expected to reach a value (e.g. 0 free bytes).
    pub crossing: Option<CrossingOption>,
    /// Draw the range the series normally lives in.
    pub baseline: Option<BaselineKind>,
    /// How readily anomalies are reported and how wide baseline bands are.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineKind {
    /// The same query one day earlier (`offset 1d`), ± its robust spread.
    DayAgo,
    /// The same query one week earlier (`offset 1w`), ± its robust spread.
    WeekAgo,
    /// Median ± k·MAD of the last week's values at the same time of day.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForecastKind {
    /// PromQL's `predict_linear` over the last quarter of the range.
    Linear,
    /// Daily/weekly seasonal models chosen automatically.
    Seasonal,
}

impl ForecastKind {
    pub const ALL: [ForecastKind; 2] = [Self::Linear, Self::Seasonal];

    pub fn id(self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::Seasonal => "seasonal",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.id() == text)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CrossingOption {
    pub value: f64,
    /// What reaching it means, e.g. `full`.
    pub label: String,
    /// How much recent data the trend is fitted on (seconds).
    pub window_seconds: f64,
    /// Crossings further away than this are not shown (seconds; default 30 days).
    pub max_seconds: f64,
}

fn thirty_days() -> f64 {
    30.0 * 86_400.0
}

fn one_hour() -> f64 {
    3600.0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineStyle {
    #[default]
    Lines,
    Area,
    Stacked,
    Points,
}

impl LineStyle {
    pub const ALL: [LineStyle; 4] = [Self::Lines, Self::Area, Self::Stacked, Self::Points];

    pub fn id(self) -> &'static str {
        match self {
            Self::Lines => "lines",
            Self::Area => "area",
            Self::Stacked => "stacked",
            Self::Points => "points",
        }
    }
}

/// How a series becomes one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reducer {
    #[default]
    Last,
    Mean,
    Max,
    Min,
}

impl Reducer {
    pub const ALL: [Reducer; 4] = [Self::Last, Self::Mean, Self::Max, Self::Min];

    pub fn id(self) -> &'static str {
        match self {
            Self::Last => "last",
            Self::Mean => "mean",
            Self::Max => "max",
            Self::Min => "min",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub expr: String,
    /// `{{label}}` placeholders, as in Grafana.
    pub legend_format: Option<String>,
    /// An instant query (tables, gauges) instead of a range query.
    pub instant: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// `null` for the base step.
    pub value: Option<f64>,
    /// `green`, `amber`, `red`, `blue`, or `#rrggbb`.
    pub color: String,
}

/// The colour drawn for a value without thresholds, and for a colour name that
/// is not known.
pub const TEXT_RGB: (u8, u8, u8) = (216, 225, 238);

/// RGB of a threshold colour: a name or `#rrggbb`. A dashboard is written by
/// someone else, so anything else (`#aébcd`, 7 bytes with a non-ASCII letter)
/// gets the text colour instead of being sliced apart.
pub fn threshold_rgb(name: &str) -> (u8, u8, u8) {
    match name {
        "green" => (88, 214, 141),
        "amber" | "orange" | "yellow" => (242, 180, 94),
        "red" => (255, 107, 107),
        "blue" => (94, 200, 242),
        _ => name
            .strip_prefix('#')
            .filter(|hex| hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .map_or(TEXT_RGB, |rgb| {
                ((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8)
            }),
    }
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

#[derive(Debug, Clone, PartialEq, Eq)]
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
        if text.len() > crate::limits::MAX_DASHBOARD_BYTES {
            return Err(format!(
                "the dashboard is {} KiB; dashboards larger than {} MiB are refused",
                text.len() / 1024,
                crate::limits::MAX_DASHBOARD_BYTES >> 20
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

    fn validate(&self) -> Result<(), String> {
        use crate::limits::{MAX_ALERT_RULES, MAX_PANELS, MAX_TARGETS_PER_PANEL, MAX_VARIABLES};
        let mut problems = Vec::new();
        for (what, count, cap) in [
            ("panels", self.panels.len(), MAX_PANELS),
            ("variables", self.variables.len(), MAX_VARIABLES),
            ("alert rules", self.alerts.len(), MAX_ALERT_RULES),
        ] {
            if count > cap {
                // Checking thousands of them would only repeat this message.
                return Err(format!(
                    "the dashboard has {count} {what}; Foresight shows at most {cap}"
                ));
            }
        }
        if let Some(panel) = self
            .panels
            .iter()
            .find(|p| p.targets.len() > MAX_TARGETS_PER_PANEL)
        {
            problems.push(format!(
                "panel {:?} has {} queries; at most {MAX_TARGETS_PER_PANEL} are allowed",
                panel.id,
                panel.targets.len()
            ));
        }
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
        let mut rule_names = SortedSet::new();
        for rule in &self.alerts {
            if !rule_names.insert(rule.name.as_str()) {
                problems.push(format!("alert rule {:?} is defined twice", rule.name));
            }
            for problem in rule.problems() {
                problems.push(format!("alert rule {:?}: {problem}", rule.name));
            }
        }
        let mut panel_ids = SortedSet::new();
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
        let mut placed = SortedSet::new();
        for position in &self.layout {
            if !panel_ids.contains(position.panel.as_str()) {
                problems.push(format!("layout places unknown panel {:?}", position.panel));
            }
            if !placed.insert(position.panel.as_str()) {
                problems.push(format!("layout places panel {:?} twice", position.panel));
            }
            if position.w == 0
                || position.h == 0
                || position.x.saturating_add(position.w) > GRID_COLUMNS
            {
                problems.push(format!(
                    "panel {:?} does not fit the {GRID_COLUMNS}-column grid",
                    position.panel
                ));
            }
        }
        for id in panel_ids.iter().filter(|id| !placed.contains(*id)) {
            problems.push(format!("panel {id:?} has no place in the layout"));
        }
        let mut variable_names = SortedSet::new();
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

/// Enums written as their names (`"1w"`, `"high"`, `"seasonal"`, …).
macro_rules! json_as_name {
    ($($kind:ty),*) => {$(
        impl FromJson for $kind {
            fn from_json(value: &Json) -> Result<Self, DecodeError> {
                decode_choice(value, &<$kind>::ALL, <$kind>::id)
            }
        }

        impl ToJson for $kind {
            fn to_json(&self) -> Json {
                Json::from(self.id())
            }
        }
    )*};
}

json_as_name!(BaselineKind, Sensitivity, ForecastKind, LineStyle, Reducer);

impl FromJson for Dashboard {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            schema_version: reader.required("schemaVersion")?,
            id: reader.required("id")?,
            title: reader.required("title")?,
            description: reader.or_default("description")?,
            time: reader.or_default("time")?,
            refresh: reader.or("refresh", default_refresh())?,
            datasource: reader.optional("datasource")?,
            scrape_interval_seconds: reader
                .or("scrapeIntervalSeconds", default_scrape_interval())?,
            variables: reader.or_default("variables")?,
            panels: reader.required("panels")?,
            layout: reader.required("layout")?,
            alerts: reader.or_default("alerts")?,
            notify: reader.or_default("notify")?,
        })
    }
}

impl ToJson for Dashboard {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("schemaVersion", &self.schema_version)
            .member("id", &self.id)
            .member("title", &self.title)
            .member_if(
                !self.description.is_empty(),
                "description",
                &self.description,
            )
            .member("time", &self.time)
            .member("refresh", &self.refresh)
            .optional("datasource", &self.datasource)
            .member("scrapeIntervalSeconds", &self.scrape_interval_seconds)
            .member_if(!self.variables.is_empty(), "variables", &self.variables)
            .member("panels", &self.panels)
            .member("layout", &self.layout)
            .member_if(!self.alerts.is_empty(), "alerts", &self.alerts)
            .member_if(!self.notify.is_unset(), "notify", &self.notify)
            .finish()
    }
}

impl FromJson for NotifyTargets {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            alertmanager: reader.optional("alertmanager")?,
            webhooks: reader.or_default("webhooks")?,
            external_labels: reader.or_default("externalLabels")?,
        })
    }
}

impl ToJson for NotifyTargets {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .optional("alertmanager", &self.alertmanager)
            .member_if(!self.webhooks.is_empty(), "webhooks", &self.webhooks)
            .member_if(
                !self.external_labels.is_empty(),
                "externalLabels",
                &self.external_labels,
            )
            .finish()
    }
}

impl FromJson for DashboardTime {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            from: reader.required("from")?,
            to: reader.required("to")?,
        })
    }
}

impl ToJson for DashboardTime {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("from", &self.from)
            .member("to", &self.to)
            .finish()
    }
}

impl FromJson for DashboardListing {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            id: reader.required("id")?,
            title: reader.required("title")?,
        })
    }
}

impl ToJson for DashboardListing {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("id", &self.id)
            .member("title", &self.title)
            .finish()
    }
}

/// The panel's `type` and the members that go with it share the panel's object.
impl FromJson for Panel {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        let kind = match reader.required::<String>("type")?.as_str() {
            "timeseries" => PanelKind::Timeseries {
                style: reader.or_default("style")?,
                zero_line: reader.or_default("zeroLine")?,
                foresight: ForesightOptions::from_json(value)?,
            },
            "stat" => PanelKind::Stat {
                reduce: reader.or_default("reduce")?,
                sparkline: reader.or("sparkline", true)?,
                no_value_text: reader.optional("noValueText")?,
            },
            "gauge" => PanelKind::Gauge {
                reduce: reader.or_default("reduce")?,
            },
            "bargauge" => PanelKind::Bargauge {
                reduce: reader.or_default("reduce")?,
            },
            "table" => PanelKind::Table,
            "heatmap" => PanelKind::Heatmap,
            "text" => PanelKind::Text {
                content: reader.required("content")?,
            },
            other => {
                return Err(DecodeError::new(format!(
                    "{other:?} is not a panel type (timeseries, stat, gauge, bargauge, table, heatmap or text)"
                ))
                .in_member("type"))
            }
        };
        Ok(Self {
            id: reader.required("id")?,
            title: reader.required("title")?,
            kind,
            targets: reader.or_default("targets")?,
            unit: reader.or_default("unit")?,
            decimals: reader.optional("decimals")?,
            thresholds: reader.or_default("thresholds")?,
            min: reader.optional("min")?,
            max: reader.optional("max")?,
            description: reader.or_default("description")?,
        })
    }
}

impl ToJson for Panel {
    fn to_json(&self) -> Json {
        let mut object = ObjectWriter::new();
        object
            .member("id", &self.id)
            .member("title", &self.title)
            .member("type", &self.kind.type_id());
        match &self.kind {
            PanelKind::Timeseries {
                style,
                zero_line,
                foresight,
            } => {
                object.member("style", style).member("zeroLine", zero_line);
                foresight.write_members(&mut object);
            }
            PanelKind::Stat {
                reduce,
                sparkline,
                no_value_text,
            } => {
                object
                    .member("reduce", reduce)
                    .member("sparkline", sparkline)
                    .optional("noValueText", no_value_text);
            }
            PanelKind::Gauge { reduce } | PanelKind::Bargauge { reduce } => {
                object.member("reduce", reduce);
            }
            PanelKind::Table | PanelKind::Heatmap => {}
            PanelKind::Text { content } => {
                object.member("content", content);
            }
        }
        object
            .member_if(!self.targets.is_empty(), "targets", &self.targets)
            .member("unit", &self.unit)
            .optional("decimals", &self.decimals)
            .member_if(!self.thresholds.is_empty(), "thresholds", &self.thresholds)
            .optional("min", &self.min)
            .optional("max", &self.max)
            .member_if(
                !self.description.is_empty(),
                "description",
                &self.description,
            )
            .finish()
    }
}

/// Read from (and written into) the panel's own object.
impl FromJson for ForesightOptions {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            forecast: reader.optional("forecast")?,
            forecast_horizon: reader.optional("forecastHorizon")?,
            anomalies: reader.or_default("anomalies")?,
            crossing: reader.optional("crossing")?,
            baseline: reader.optional("baseline")?,
            sensitivity: reader.or_default("sensitivity")?,
        })
    }
}

impl ForesightOptions {
    fn write_members(&self, object: &mut ObjectWriter) {
        object
            .optional("forecast", &self.forecast)
            .optional("forecastHorizon", &self.forecast_horizon)
            .member_if(self.anomalies, "anomalies", &self.anomalies)
            .optional("crossing", &self.crossing)
            .optional("baseline", &self.baseline)
            .member_if(
                !self.sensitivity.is_default(),
                "sensitivity",
                &self.sensitivity,
            );
    }
}

impl FromJson for CrossingOption {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            value: reader.required("value")?,
            label: reader.required("label")?,
            window_seconds: reader.or("windowSeconds", one_hour())?,
            max_seconds: reader.or("maxSeconds", thirty_days())?,
        })
    }
}

impl ToJson for CrossingOption {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("value", &self.value)
            .member("label", &self.label)
            .member("windowSeconds", &self.window_seconds)
            .member("maxSeconds", &self.max_seconds)
            .finish()
    }
}

impl FromJson for Target {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            expr: reader.required("expr")?,
            legend_format: reader.optional("legendFormat")?,
            instant: reader.or_default("instant")?,
        })
    }
}

impl ToJson for Target {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("expr", &self.expr)
            .optional("legendFormat", &self.legend_format)
            .member_if(self.instant, "instant", &self.instant)
            .finish()
    }
}

impl FromJson for Threshold {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            value: reader.optional("value")?,
            color: reader.required("color")?,
        })
    }
}

impl ToJson for Threshold {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("value", &self.value)
            .member("color", &self.color)
            .finish()
    }
}

impl FromJson for GridPosition {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        Ok(Self {
            panel: reader.required("panel")?,
            x: reader.required("x")?,
            y: reader.required("y")?,
            w: reader.required("w")?,
            h: reader.required("h")?,
        })
    }
}

impl ToJson for GridPosition {
    fn to_json(&self) -> Json {
        ObjectWriter::new()
            .member("panel", &self.panel)
            .member("x", &self.x)
            .member("y", &self.y)
            .member("w", &self.w)
            .member("h", &self.h)
            .finish()
    }
}

#[cfg(test)]
mod tests {

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
        assert_eq!(threshold_rgb("#ff8000"), (255, 128, 0));
        assert_eq!(threshold_rgb("red"), (255, 107, 107));
        for odd in ["#aébcd", "#ggg000", "#fff", "#+12345", "é", "", "#ff80001"] {
            assert_eq!(threshold_rgb(odd), TEXT_RGB, "{odd}");
        }
    }
}

#[cfg(test)]
mod shipped_dashboards {
    use super::*;

    #[test]
    fn every_listed_dashboard_is_valid() {
        let index: Vec<DashboardListing> =
            crate::json::decode(include_str!("../../../public/dashboards/index.json")).unwrap();
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
            assert_eq!(entry.id, id);
            let dashboard = Dashboard::from_json(text).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(dashboard.id, id);
            assert_eq!(entry.title, dashboard.title);
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
