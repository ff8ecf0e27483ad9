//! A panel: what it shows (its kind and kind-specific options), its queries and
//! its thresholds.

use super::series_override::SeriesOverride;
use crate::alerting::rule::AlertRule;
use crate::analytics::options::ForesightOptions;
use crate::foundation::json::{DecodeError, FromJson, Json, ObjectReader};
use crate::foundation::json_serde::{not_one_of, read_object};
use crate::foundation::ordered::SortedMap;
use crate::foundation::units::Unit;
use crate::query::series::Reducer;
use serde::{Deserialize, Deserializer, Serialize};

crate::foundation::json_serde::json_as_name!(
    LineStyle => id,
    LegendMode => id,
    LegendPlacement => id,
    BarDisplay => id,
    BarOrientation => id,
    SloShow => id,
);

/// Read by [`Panel::read`]; written by serde's derive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Panel {
    pub id: String,
    pub title: String,
    /// The panel's `type` and the members that go with it share the panel's object.
    #[serde(flatten)]
    pub kind: PanelKind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    pub unit: Unit,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,
    /// Ascending; the first step has no value (the base colour).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<Threshold>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Values shown as words (Grafana's value mappings); the first that
    /// matches a value is shown in its place.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<ValueMapping>,
    /// Per-series colour, name, unit, axis, sign and hiding (Grafana's overrides).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<SeriesOverride>,
}

/// Written as the panel's `type` (one of [`PanelKind::TYPE_IDS`]) and its members.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "type",
    rename_all = "lowercase",
    rename_all_fields = "camelCase"
)]
pub enum PanelKind {
    Timeseries {
        style: LineStyle,
        /// Draw a horizontal line at zero (deviation panels).
        zero_line: bool,
        #[serde(flatten)]
        foresight: ForesightOptions,
        #[serde(flatten)]
        legend: LegendOptions,
    },
    Stat {
        reduce: Reducer,
        /// Absent in a document means on.
        sparkline: bool,
        /// Shown when the query returns nothing (e.g. "No disk predicted to fill").
        #[serde(skip_serializing_if = "Option::is_none")]
        no_value_text: Option<String>,
    },
    Gauge {
        reduce: Reducer,
    },
    Bargauge {
        reduce: Reducer,
        #[serde(skip_serializing_if = "BarDisplay::is_basic")]
        display: BarDisplay,
        #[serde(skip_serializing_if = "BarOrientation::is_horizontal")]
        orientation: BarOrientation,
    },
    Table,
    Heatmap,
    Text {
        /// Markdown, rendered safely (no raw HTML).
        content: String,
    },
    /// A row heading, as Grafana's: the panels below it, up to the next row,
    /// are its own, and a collapsed row hides them until the viewer opens it.
    Row {
        collapsed: bool,
    },
    /// One of the dashboard's SLOs (`slo`, its id), or all of them (no
    /// `slo`): its queries come from the SLO, not from `targets`.
    Slo {
        #[serde(skip_serializing_if = "String::is_empty")]
        slo: String,
        show: SloShow,
    },
}

// Which members a panel has depends on its `type`: read with an ObjectReader
// (see `read_object`) rather than serde's derive.
impl<'de> Deserialize<'de> for Panel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_object(deserializer, Panel::read)
    }
}

impl Panel {
    /// A panel of `kind` with `targets` and nothing else set: no unit,
    /// thresholds, limits, description, mappings or overrides.
    pub fn plain(id: String, title: String, kind: PanelKind, targets: Vec<Target>) -> Self {
        Self {
            id,
            title,
            kind,
            targets,
            unit: Unit::Short,
            decimals: None,
            thresholds: Vec::new(),
            min: None,
            max: None,
            description: String::new(),
            mappings: Vec::new(),
            overrides: Vec::new(),
        }
    }

    /// A panel from its object; absent and `null` members take their defaults.
    fn read(object: &ObjectReader, value: &Json) -> Result<Self, DecodeError> {
        Ok(Self {
            id: object.required("id")?,
            title: object.required("title")?,
            kind: PanelKind::read(object, value)?,
            targets: object.or_default("targets")?,
            unit: object.or_default("unit")?,
            decimals: object.optional("decimals")?,
            thresholds: object.or_default("thresholds")?,
            min: object.optional("min")?,
            max: object.optional("max")?,
            description: object.or_default("description")?,
            mappings: object.or_default("mappings")?,
            overrides: object.or_default("overrides")?,
        })
    }
}

impl PanelKind {
    /// Whether the panel shows query results (text and rows do not).
    pub fn queries_data(&self) -> bool {
        !matches!(self, PanelKind::Text { .. } | PanelKind::Row { .. })
    }

    /// Whether the panel's queries are its own `targets` (SLO panels ask
    /// their SLOs' queries).
    pub fn uses_targets(&self) -> bool {
        self.queries_data() && !matches!(self, PanelKind::Slo { .. })
    }

    /// Every panel type's name, in the order the editor offers them.
    pub const TYPE_IDS: [&'static str; 9] = [
        "timeseries",
        "stat",
        "gauge",
        "bargauge",
        "table",
        "heatmap",
        "text",
        "row",
        "slo",
    ];

    /// The kind named by the object's `type`, with the members that go with it.
    fn read(object: &ObjectReader, value: &Json) -> Result<Self, DecodeError> {
        let type_id: String = object.required("type")?;
        Ok(match type_id.as_str() {
            "timeseries" => PanelKind::Timeseries {
                style: object.or_default("style")?,
                zero_line: object.or_default("zeroLine")?,
                foresight: ForesightOptions::from_json(value)?,
                legend: LegendOptions::read(object)?,
            },
            "stat" => PanelKind::Stat {
                reduce: object.or_default("reduce")?,
                sparkline: object.or("sparkline", true)?,
                no_value_text: object.optional("noValueText")?,
            },
            "gauge" => PanelKind::Gauge {
                reduce: object.or_default("reduce")?,
            },
            "bargauge" => PanelKind::Bargauge {
                reduce: object.or_default("reduce")?,
                display: object.or_default("display")?,
                orientation: object.or_default("orientation")?,
            },
            "table" => PanelKind::Table,
            "heatmap" => PanelKind::Heatmap,
            "text" => PanelKind::Text {
                content: object.required("content")?,
            },
            "row" => PanelKind::Row {
                collapsed: object.or_default("collapsed")?,
            },
            "slo" => PanelKind::Slo {
                slo: object.or_default("slo")?,
                show: object.or_default("show")?,
            },
            other => return Err(not_one_of(other, &Self::TYPE_IDS).in_member("type")),
        })
    }

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
            PanelKind::Row { .. } => "row",
            PanelKind::Slo { .. } => "slo",
        }
    }
}

impl Panel {
    /// An alert rule prefilled from this panel ("create alert from this panel"):
    /// its first query with the page's variable selection written in, a name from its
    /// title, and its highest threshold (or `> 0`) as the condition.
    pub fn suggested_alert_rule(
        &self,
        values: &SortedMap<String, crate::query::template_variables::VariableValue>,
    ) -> AlertRule {
        let panel = self;
        use crate::query::template_variables::{interpolate, BuiltinIntervals};
        let mut name: String = panel
            .title
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map_or(String::new(), |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect();
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            name = format!("Panel{name}");
        }
        let builtins = BuiltinIntervals {
            step_seconds: 60.0,
            range_seconds: 3600.0,
            scrape_interval_seconds: 15.0,
        };
        let expr = panel
            .targets
            .first()
            .map(|t| interpolate(&t.expr, values, &builtins).unwrap_or_else(|_| t.expr.clone()))
            .unwrap_or_default();
        let threshold = panel
            .thresholds
            .iter()
            .filter_map(|t| t.value)
            .fold(None, |high: Option<f64>, v| {
                Some(high.map_or(v, |h| h.max(v)))
            });
        let summary = format!(
            "{} is {{{{ humanize $value }}}}",
            panel.title.replace("{{", "{ {")
        );
        AlertRule {
            unit: Some(panel.unit),
            ..AlertRule::starter(&name, &expr, threshold.unwrap_or(0.0), &summary)
        }
    }
}

/// How a time series' legend is shown, as Grafana's `options.legend` says:
/// a table of statistics (the default), a list of names, or none; below the
/// chart or to its right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LegendOptions {
    #[serde(rename = "legend", skip_serializing_if = "LegendMode::is_table")]
    pub mode: LegendMode,
    #[serde(
        rename = "legendPlacement",
        skip_serializing_if = "LegendPlacement::is_bottom"
    )]
    pub placement: LegendPlacement,
    /// Width of a legend on the right, in CSS pixels (at most half the panel).
    #[serde(rename = "legendWidth", skip_serializing_if = "Option::is_none")]
    pub width: Option<u16>,
}

/// A legend on the right narrower than this could not show a name; such a
/// width is left out (the default, 30 % of the panel, is taken).
pub const MIN_LEGEND_WIDTH: u16 = 80;

impl LegendOptions {
    fn read(object: &ObjectReader) -> Result<Self, DecodeError> {
        Ok(Self {
            mode: object.or_default("legend")?,
            placement: object.or_default("legendPlacement")?,
            width: object
                .optional("legendWidth")?
                .filter(|width| *width >= MIN_LEGEND_WIDTH),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegendMode {
    /// Each series with its min, max, mean and last value.
    #[default]
    Table,
    /// Each series' name only.
    List,
    Hidden,
}

impl LegendMode {
    pub const ALL: [LegendMode; 3] = [Self::Table, Self::List, Self::Hidden];

    pub fn id(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::List => "list",
            Self::Hidden => "hidden",
        }
    }

    fn is_table(&self) -> bool {
        *self == Self::Table
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegendPlacement {
    #[default]
    Bottom,
    Right,
}

impl LegendPlacement {
    pub const ALL: [LegendPlacement; 2] = [Self::Bottom, Self::Right];

    pub fn id(self) -> &'static str {
        match self {
            Self::Bottom => "bottom",
            Self::Right => "right",
        }
    }

    fn is_bottom(&self) -> bool {
        *self == Self::Bottom
    }
}

/// What an SLO panel shows: every SLO's status in a table, most urgent
/// first; or one SLO's budget left (and time left at the current burn), its
/// burn rates over the alert windows, or its budget burn-down over the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SloShow {
    #[default]
    Overview,
    Budget,
    BurnRates,
    BurnDown,
}

impl SloShow {
    pub const ALL: [SloShow; 4] = [
        Self::Overview,
        Self::Budget,
        Self::BurnRates,
        Self::BurnDown,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::Overview => "overview",
            Self::Budget => "budget",
            Self::BurnRates => "burnRates",
            Self::BurnDown => "burnDown",
        }
    }

    /// Whether it shows one SLO (and so needs `slo`).
    pub fn needs_one_slo(self) -> bool {
        self != Self::Overview
    }
}

/// How a bar gauge fills its bars, as Grafana's display modes: one colour,
/// a gradient up to the value's colour, or lit cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BarDisplay {
    #[default]
    Basic,
    Gradient,
    Lcd,
}

impl BarDisplay {
    pub const ALL: [BarDisplay; 3] = [Self::Basic, Self::Gradient, Self::Lcd];

    pub fn id(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Gradient => "gradient",
            Self::Lcd => "lcd",
        }
    }

    fn is_basic(&self) -> bool {
        *self == Self::Basic
    }
}

/// Which way a bar gauge's bars grow: `auto` as Grafana, upwards in a panel
/// wider than tall, else to the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BarOrientation {
    #[default]
    Horizontal,
    Vertical,
    Auto,
}

impl BarOrientation {
    pub const ALL: [BarOrientation; 3] = [Self::Horizontal, Self::Vertical, Self::Auto];

    pub fn id(self) -> &'static str {
        match self {
            Self::Horizontal => "horizontal",
            Self::Vertical => "vertical",
            Self::Auto => "auto",
        }
    }

    fn is_horizontal(&self) -> bool {
        *self == Self::Horizontal
    }
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub expr: String,
    /// `{{label}}` placeholders, as in Grafana.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legend_format: Option<String>,
    /// An instant query (tables, gauges) instead of a range query.
    #[serde(
        default,
        skip_serializing_if = "crate::foundation::json_serde::is_false"
    )]
    pub instant: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// A value shown as a word: exactly `value`, or anything from `from` to `to`
/// (inclusive; either may be open), or a missing value (`nan`: no number, as
/// Grafana's `null` and `NaN` matches); with its own colour if it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueMapping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nan: bool,
    pub text: String,
    /// `green`, `amber`, `red`, `blue`, or `#rrggbb`, as thresholds take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

impl ValueMapping {
    fn matches(&self, value: f64) -> bool {
        if let Some(exact) = self.value {
            return value == exact;
        }
        if value.is_nan() {
            return self.nan;
        }
        if self.from.is_none() && self.to.is_none() {
            return false;
        }
        self.from.is_none_or(|from| value >= from) && self.to.is_none_or(|to| value <= to)
    }
}

/// The first mapping that matches `value`, as Grafana applies them.
pub fn mapped_value(mappings: &[ValueMapping], value: f64) -> Option<&ValueMapping> {
    mappings.iter().find(|mapping| mapping.matches(value))
}

/// Where `value` stands against the thresholds, in words, so the state is not
/// told by colour alone: "below 1 %" in the base step, "at or above 5 %" in a
/// higher one. `None` without thresholds to stand against.
pub fn threshold_state(
    thresholds: &[Threshold],
    value: f64,
    write: impl Fn(f64) -> String,
) -> Option<String> {
    if !value.is_finite() || thresholds.iter().all(|step| step.value.is_none()) {
        return None;
    }
    // The step the colour comes from (`threshold_color`'s choice), so the
    // words never contradict it, however the steps are ordered.
    let reached = thresholds
        .iter()
        .rev()
        .find(|step| step.value.is_none_or(|limit| value >= limit))?;
    match reached.value {
        Some(limit) => Some(format!("at or above {}", write(limit))),
        // The base step: below every limit that would have been reached.
        None => {
            let lowest = thresholds
                .iter()
                .filter_map(|step| step.value)
                .filter(|limit| *limit > value)
                .fold(f64::INFINITY, f64::min);
            lowest
                .is_finite()
                .then(|| format!("below {}", write(lowest)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_mapping_is_shown() {
        let mapping = |value, from, to, nan, text: &str| ValueMapping {
            value,
            from,
            to,
            nan,
            text: text.into(),
            color: None,
        };
        let mappings = vec![
            mapping(Some(0.0), None, None, false, "down"),
            mapping(None, Some(0.0), Some(10.0), false, "low"),
            mapping(None, Some(5.0), None, false, "high"),
            mapping(None, None, None, true, "no value"),
            mapping(None, None, None, false, "never"),
        ];
        let text = |v: f64| mapped_value(&mappings, v).map(|m| m.text.as_str());
        assert_eq!(text(0.0), Some("down"));
        assert_eq!(
            text(10.0),
            Some("low"),
            "ranges are inclusive; the first wins"
        );
        assert_eq!(text(10.5), Some("high"));
        assert_eq!(text(-1.0), None);
        assert_eq!(text(f64::NAN), Some("no value"));
        assert_eq!(text(f64::INFINITY), Some("high"));
    }

    #[test]
    fn threshold_states_are_told_in_words() {
        let step = |value: Option<f64>, color: &str| Threshold {
            value,
            color: color.into(),
        };
        let steps = vec![
            step(None, "green"),
            step(Some(1.0), "amber"),
            step(Some(5.0), "red"),
        ];
        let write = |v: f64| format!("{v} %");
        assert_eq!(
            threshold_state(&steps, 0.5, write).as_deref(),
            Some("below 1 %")
        );
        assert_eq!(
            threshold_state(&steps, 1.0, write).as_deref(),
            Some("at or above 1 %")
        );
        assert_eq!(
            threshold_state(&steps, 7.0, write).as_deref(),
            Some("at or above 5 %")
        );
        assert_eq!(threshold_state(&steps, f64::NAN, write), None);
        // Out of order, the words follow the step the colour comes from.
        let unsorted = vec![step(Some(5.0), "red"), step(Some(1.0), "amber")];
        assert_eq!(threshold_color(&unsorted, 7.0), Some("amber"));
        assert_eq!(
            threshold_state(&unsorted, 7.0, write).as_deref(),
            Some("at or above 1 %")
        );
        let base_last = vec![step(Some(1.0), "red"), step(None, "green")];
        assert_eq!(threshold_color(&base_last, 7.0), Some("green"));
        assert_eq!(threshold_state(&base_last, 7.0, write), None);
        assert_eq!(
            threshold_state(&steps[..1], 7.0, write),
            None,
            "base step only"
        );
        assert_eq!(threshold_state(&[], 7.0, write), None);
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

    #[test]
    fn a_rule_from_a_panel() {
        let dashboard = crate::model::dashboard::Dashboard::from_json(include_str!(
            "../../../../../public/dashboards/service-health.json"
        ))
        .unwrap();
        let panel = dashboard
            .panels
            .iter()
            .find(|p| p.targets.iter().any(|t| t.expr.contains('$')) && !p.thresholds.is_empty())
            .expect("a panel with variables and thresholds");
        let values = dashboard
            .variables
            .iter()
            .map(|v| {
                let value = crate::query::template_variables::VariableValue::Single(
                    "sample-service".into(),
                );
                (v.name.clone(), value)
            })
            .collect();
        let rule = panel.suggested_alert_rule(&values);
        assert!(
            rule.problems().is_empty(),
            "{:?} {}",
            rule.problems(),
            rule.expr
        );
        assert!(!rule.expr.contains('$'), "{}", rule.expr);
        assert!(rule.name.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(
            rule.unit,
            Some(panel.unit),
            "the value is shown in the panel's unit"
        );
        let highest = panel
            .thresholds
            .iter()
            .filter_map(|t| t.value)
            .fold(f64::MIN, f64::max);
        assert_eq!(
            rule.condition,
            crate::alerting::rule::Condition::Threshold {
                op: crate::alerting::rule::Comparison::Above,
                value: highest
            }
        );
    }
}
