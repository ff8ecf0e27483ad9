//! Grafana dashboard JSON → Foresight dashboard, with a report of everything
//! that could not be carried over. Nothing is dropped silently: a panel that
//! cannot be mapped becomes a text placeholder saying why, and every partial
//! mapping (a unit, a transformation, a variable) is a line in the report.
//!
//! Both layouts are read: the current one (`panels` with `gridPos`, rows as
//! `row` panels, collapsed rows holding their panels) and the old one (`rows`
//! each with `panels` sized by `span` and the row's pixel `height`). The output
//! is deterministic: the same input always gives the same dashboard.

use crate::foundation::float_text::parse_f64;
use crate::foundation::json::Json;
use crate::foundation::limits::{
    MAX_DASHBOARD_BYTES, MAX_PANELS, MAX_TARGETS_PER_PANEL, MAX_VARIABLES,
};
use crate::foundation::ordered::{SortedMap, SortedSet};
use crate::foundation::units::Unit;
use crate::model::dashboard::series_override::{grafana_regex, MAX_OVERRIDES};
use crate::model::dashboard::{
    parse_label_values_query, AnnotationQuery, AxisSide, BarDisplay, BarOrientation, Dashboard,
    DashboardTime, ForesightOptions, GridPosition, LegendMode, LegendOptions, LegendPlacement,
    LineStyle, Panel, PanelKind, Reducer, SeriesMatcher, SeriesOverride, Target, Threshold,
    ValueMapping, Variable, VariableSource, DASHBOARD_SCHEMA_VERSION, GRID_COLUMNS,
    MAX_ANNOTATION_QUERIES, MIN_LEGEND_WIDTH,
};

/// Input larger than this is refused before parsing.
pub const MAX_IMPORT_BYTES: usize = crate::foundation::limits::MAX_GRAFANA_IMPORT_BYTES;
/// Grafana's grid row height in pixels (old layouts give heights in pixels).
const GRID_ROW_PIXELS: f64 = 30.0;
/// The gap between two grid rows, in pixels.
const GRID_GAP_PIXELS: f64 = 8.0;

/// What happened to one Grafana panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedPanel {
    pub title: String,
    /// Grafana's panel type (`graph`, `stat`, `grafana-piechart-panel`, …).
    pub grafana_type: String,
    /// The Foresight panel id it became.
    pub id: String,
    /// `None` when imported; otherwise why it is a placeholder.
    pub unsupported: Option<String>,
    /// Parts of the panel that were not carried over.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    pub panels: Vec<ImportedPanel>,
    /// Dashboard-level notes (variables, annotations, links, …).
    pub notes: Vec<String>,
}

impl ImportReport {
    pub fn imported(&self) -> usize {
        self.panels
            .iter()
            .filter(|p| p.unsupported.is_none())
            .count()
    }

    pub fn unsupported(&self) -> usize {
        self.panels.len() - self.imported()
    }
}

/// Imports Grafana dashboard JSON (as exported, or wrapped as `{"dashboard": …}`).
pub fn import_grafana_dashboard(text: &str) -> Result<(Dashboard, ImportReport), String> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(format!(
            "the file is {} MB; dashboards larger than {} MB are refused",
            text.len() / (1024 * 1024),
            MAX_IMPORT_BYTES / (1024 * 1024)
        ));
    }
    let root = Json::parse(text)
        .map_err(|e| format!("this is not valid JSON ({e}); nothing was imported"))?;
    let is_dashboard = |value: &Json| value.get("panels").is_some() || value.get("rows").is_some();
    let grafana = match root.get("dashboard") {
        Some(inner) if inner.is_object() => inner,
        // A dashboard kept as a Kubernetes ConfigMap's data: `{"name.json": {…}}`.
        _ => match root.as_object() {
            Some([(_, only)]) if !is_dashboard(&root) && only.is_object() && is_dashboard(only) => {
                only
            }
            _ => &root,
        },
    };
    if !grafana.is_object() || (grafana.get("panels").is_none() && grafana.get("rows").is_none()) {
        return Err(
            "this JSON is not a Grafana dashboard (it has neither \"panels\" nor \"rows\"); nothing was imported"
                .into(),
        );
    }
    let mut importer = Importer::new(grafana);
    let dashboard = importer.run(grafana)?;
    Ok((dashboard, importer.report))
}

struct Importer {
    report: ImportReport,
    panels: Vec<Panel>,
    layout: Vec<GridPosition>,
    used_ids: SortedSet<String>,
    /// The next suffix to try for each id base, so that thousands of panels
    /// of one title do not each retry every suffix taken before them.
    next_suffix: SortedMap<String, usize>,
    /// Datasource names (`${DS_X}` inputs, variable names) known to be Prometheus or not.
    datasource_kinds: SortedMap<String, String>,
}

fn text_of(value: Option<&Json>) -> String {
    match value {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn number_of(value: Option<&Json>) -> Option<f64> {
    match value? {
        Json::Number(n) => Some(*n),
        Json::String(s) => parse_f64(s.trim()),
        _ => None,
    }
}

fn as_u32(value: Option<&Json>) -> Option<u32> {
    number_of(value)
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v.round() as u32)
}

/// A slug usable as a panel id.
fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// Mappings kept per panel; a dashboard that has more is refused nothing but
/// shows the first ones and says so.
const MAX_MAPPINGS: usize = 100;

/// Grafana's value mappings as Foresight shows them: `value` (exact numbers),
/// `range` and `special` (`null`, `nan`, `null+nan`) mappings of
/// `fieldConfig.defaults.mappings`, and the older `valueMaps` / `rangeMaps`.
/// Text keys and regular expressions match no number and are noted.
fn value_mappings(panel: &Json, notes: &mut Vec<String>) -> Vec<ValueMapping> {
    let mut mappings = Vec::new();
    let mut left_out = Vec::new();
    let number = |value: Option<&Json>| -> Option<f64> {
        match value? {
            Json::Number(n) => Some(*n),
            Json::String(text) => parse_f64(text.trim()),
            _ => None,
        }
    };
    let result = |result: Option<&Json>| -> (String, Option<String>) {
        let text = text_of(result.and_then(|r| r.get("text")));
        let color = result
            .and_then(|r| r.get("color"))
            .map(|c| text_of(Some(c)))
            .filter(|c| !c.is_empty())
            .map(|c| map_color(&c));
        (text, color)
    };
    let mut push = |value, from, to, nan, (text, color): (String, Option<String>)| {
        mappings.push(ValueMapping {
            value,
            from,
            to,
            nan,
            text,
            color,
        });
    };
    let current = panel.pointer("/fieldConfig/defaults/mappings");
    for mapping in current.and_then(Json::as_array).into_iter().flatten() {
        let options = mapping.get("options");
        match text_of(mapping.get("type")).as_str() {
            "value" => {
                for (key, shown) in options.and_then(Json::as_object).into_iter().flatten() {
                    match parse_f64(key.trim()) {
                        Some(value) => push(Some(value), None, None, false, result(Some(shown))),
                        None => left_out.push(format!("{key:?}")),
                    }
                }
            }
            "range" => {
                let options = options.unwrap_or(&Json::Null);
                let (from, to) = (number(options.get("from")), number(options.get("to")));
                if from.is_some() || to.is_some() {
                    push(None, from, to, false, result(options.get("result")));
                }
            }
            "special" => {
                let options = options.unwrap_or(&Json::Null);
                match text_of(options.get("match")).as_str() {
                    "null" | "nan" | "null+nan" => {
                        push(None, None, None, true, result(options.get("result")))
                    }
                    other => left_out.push(format!("{other:?}")),
                }
            }
            other => left_out.push(format!("{other} mappings")),
        }
    }
    // The graph and singlestat panels' own form.
    for mapping in panel
        .get("valueMaps")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let shown = (text_of(mapping.get("text")), None);
        let key = text_of(mapping.get("value"));
        match key.trim() {
            "null" => push(None, None, None, true, shown),
            key => match parse_f64(key) {
                Some(value) => push(Some(value), None, None, false, shown),
                None => left_out.push(format!("{key:?}")),
            },
        }
    }
    for mapping in panel
        .get("rangeMaps")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let (from, to) = (number(mapping.get("from")), number(mapping.get("to")));
        if from.is_some() || to.is_some() {
            push(None, from, to, false, (text_of(mapping.get("text")), None));
        }
    }
    if !left_out.is_empty() {
        left_out.dedup();
        notes.push(format!(
            "value mappings that match no number are not applied: {}",
            left_out.join(", ")
        ));
    }
    if mappings.len() > MAX_MAPPINGS {
        notes.push(format!(
            "only the first {MAX_MAPPINGS} of {} value mappings are kept",
            mappings.len()
        ));
        mappings.truncate(MAX_MAPPINGS);
    }
    mappings
}

/// What Grafana's transformations become: renames (applied before the
/// panel's overrides, which then match the new names) and hides (applied
/// after them, so no override shows a series a transformation removed).
#[derive(Default)]
struct TransformedSeries {
    renames: Vec<SeriesOverride>,
    hides: Vec<SeriesOverride>,
    /// New name → the name the query gives, for overrides that match by the new one.
    renamed: Vec<(String, String)>,
}

/// Grafana's transformations, as far as they choose and name series: on
/// graphs and time series, "filter by name" (names or a pattern to include or
/// exclude; several filters each remove what they do not keep) and "organize
/// fields" (excluded and renamed series). Every other transformation, and
/// these on other panels (where they reshape table columns), is named in a
/// note: the panel shows its queries' series as they come.
fn transformations(panel: &Json, grafana_type: &str, notes: &mut Vec<String>) -> TransformedSeries {
    let mut out = TransformedSeries::default();
    let mut not_applied = Vec::new();
    let on_series = matches!(grafana_type, "graph" | "timeseries");
    let hidden = |matcher: SeriesMatcher| SeriesOverride {
        hide_in_legend: Some(true),
        hide_in_tooltip: Some(true),
        hide_in_chart: Some(true),
        ..SeriesOverride::new(matcher)
    };
    let names = |value: Option<&Json>| -> Vec<String> {
        value
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .map(|n| text_of(Some(n)))
            // The time column is always kept; it is no series.
            .filter(|n| !n.is_empty() && n != "Time")
            .collect()
    };
    // A pattern that does not compile here would hide everything or nothing:
    // the step is left out and said.
    let usable = |pattern: &str, not_applied: &mut Vec<String>| match grafana_regex(pattern) {
        Ok(_) => true,
        Err(error) => {
            not_applied.push(format!("a filter by the pattern {pattern:?} ({error})"));
            false
        }
    };
    for step in panel
        .get("transformations")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let id = text_of(step.get("id"));
        if step.get("disabled").and_then(Json::as_bool) == Some(true) {
            continue;
        }
        let options = step.get("options");
        let option = |path: &str| options.and_then(|o| o.pointer(path));
        match id.as_str() {
            "filterFieldsByName" if on_series => {
                let included = names(option("/include/names"));
                let pattern = text_of(option("/include/pattern"));
                match (included.is_empty(), pattern.is_empty()) {
                    (false, true) => out.hides.push(hidden(SeriesMatcher::NotNames(included))),
                    (true, false) if usable(&pattern, &mut not_applied) => {
                        out.hides.push(hidden(SeriesMatcher::NotRegex(pattern)))
                    }
                    (false, false) => {
                        not_applied.push("a filter by both names and a pattern".into())
                    }
                    _ => {}
                }
                let excluded_names = names(option("/exclude/names"));
                if !excluded_names.is_empty() {
                    out.hides.push(hidden(SeriesMatcher::Names(excluded_names)));
                }
                let excluded = text_of(option("/exclude/pattern"));
                if !excluded.is_empty() && usable(&excluded, &mut not_applied) {
                    out.hides.push(hidden(SeriesMatcher::Regex(excluded)));
                }
                if option("/byVariable").and_then(Json::as_bool) == Some(true) {
                    not_applied.push("a filter by a variable".into());
                }
            }
            "organize" if on_series => {
                let excluded: Vec<String> = option("/excludeByName")
                    .and_then(Json::as_object)
                    .into_iter()
                    .flatten()
                    .filter(|(_, excluded)| excluded.as_bool() == Some(true))
                    .map(|(name, _)| name.clone())
                    .collect();
                if !excluded.is_empty() {
                    out.hides.push(hidden(SeriesMatcher::Names(excluded)));
                }
                for (name, shown) in option("/renameByName")
                    .and_then(Json::as_object)
                    .into_iter()
                    .flatten()
                {
                    let shown = text_of(Some(shown));
                    if !shown.is_empty() {
                        out.renamed.push((shown.clone(), name.clone()));
                        out.renames.push(SeriesOverride {
                            display_name: Some(shown),
                            ..SeriesOverride::new(SeriesMatcher::Name(name.clone()))
                        });
                    }
                }
                if option("/indexByName")
                    .and_then(Json::as_object)
                    .is_some_and(|order| !order.is_empty())
                {
                    not_applied.push("organize's field order".to_string());
                }
            }
            "" => {}
            other => not_applied.push(other.to_string()),
        }
    }
    if !not_applied.is_empty() {
        not_applied.dedup();
        notes.push(format!(
            "transformations not applied (the queries' series are shown as they come): {}",
            not_applied.join(", ")
        ));
    }
    out
}

/// Grafana's per-series overrides as Foresight's: `fieldConfig.overrides`
/// (matched by name, by regular expression, by names or by query) setting the
/// colour, display name, unit, axis placement, negative-Y transform or hiding,
/// and the graph panel's `seriesOverrides` (by alias). Every other matcher and
/// property is named in a note with how often it occurs.
fn series_overrides(
    panel: &Json,
    ref_ids: &[String],
    renamed: &[(String, String)],
    notes: &mut Vec<String>,
) -> Vec<SeriesOverride> {
    // A name given by a transformation is matched as the name the query gives.
    let by_name = |name: String| {
        let original = renamed.iter().rev().find(|(new, _)| *new == name);
        SeriesMatcher::Name(original.map_or(name, |(_, old)| old.clone()))
    };
    let mut overrides = Vec::new();
    let mut left_out: SortedMap<String, usize> = SortedMap::new();
    let mut leave_out = |what: String| *left_out.entry(what).or_insert(0) += 1;
    let by_alias = |alias: &str| {
        if alias.starts_with('/') {
            SeriesMatcher::Regex(alias.to_string())
        } else {
            SeriesMatcher::Name(alias.to_string())
        }
    };
    for entry in panel
        .pointer("/fieldConfig/overrides")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let options = entry.pointer("/matcher/options");
        let matchers = match text_of(entry.pointer("/matcher/id")).as_str() {
            "byName" => vec![by_name(text_of(options))],
            "byRegexp" => vec![SeriesMatcher::Regex(text_of(options))],
            "byNames" if text_of(options.and_then(|o| o.get("mode"))) != "exclude" => {
                let picked = options
                    .and_then(|o| o.get("names"))
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .map(|name| match by_name(text_of(Some(name))) {
                        SeriesMatcher::Name(name) => name,
                        _ => String::new(),
                    })
                    .collect();
                vec![SeriesMatcher::Names(picked)]
            }
            "byFrameRefID" => {
                let ref_id = text_of(options);
                match ref_ids.iter().position(|r| *r == ref_id) {
                    Some(position) => vec![SeriesMatcher::Query(position)],
                    None => {
                        leave_out(format!("matched query {ref_id}, which is left out"));
                        continue;
                    }
                }
            }
            other => {
                leave_out(format!("matched {other}"));
                continue;
            }
        };
        let mut changes = SeriesOverride::new(SeriesMatcher::Query(0));
        for property in entry
            .get("properties")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let id = text_of(property.get("id"));
            let value = property.get("value");
            let text = || text_of(value);
            let flag = |name: &str| value.and_then(|v| v.get(name)).and_then(Json::as_bool);
            match id.as_str() {
                "color" if text_of(value.and_then(|v| v.get("mode"))) == "fixed" => {
                    changes.color =
                        Some(map_color(&text_of(value.and_then(|v| v.get("fixedColor")))));
                }
                "displayName" | "displayNameFromDS" if !text().contains("${") => {
                    changes.display_name = Some(text())
                }
                "unit" => changes.unit = Some(map_unit(&text(), notes)),
                "custom.axisPlacement" => {
                    changes.axis = match text().as_str() {
                        "right" => Some(AxisSide::Right),
                        "hidden" => Some(AxisSide::Hidden),
                        "left" => Some(AxisSide::Left),
                        _ => None,
                    }
                }
                "custom.transform" if matches!(text().as_str(), "negative-Y" | "") => {
                    changes.negative = Some(text() == "negative-Y")
                }
                "custom.hideFrom" => {
                    changes.hide_in_legend = flag("legend");
                    changes.hide_in_tooltip = flag("tooltip");
                    changes.hide_in_chart = flag("viz");
                }
                _ => leave_out(id),
            }
        }
        for matcher in matchers {
            overrides.push(SeriesOverride {
                matcher,
                ..changes.clone()
            });
        }
    }
    for entry in panel
        .get("seriesOverrides")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let Some(members) = entry.as_object() else {
            continue;
        };
        if text_of(entry.get("alias")).is_empty() {
            continue; // Grafana matches no series with it
        }
        let mut changes = SeriesOverride::new(by_alias(&text_of(entry.get("alias"))));
        for (name, value) in members {
            match (name.as_str(), value) {
                ("alias", _) => {}
                ("color", _) => changes.color = Some(map_color(&text_of(Some(value)))),
                ("yaxis", _) => {
                    changes.axis = Some(match number_of(Some(value)) {
                        Some(2.0) => AxisSide::Right,
                        _ => AxisSide::Left,
                    })
                }
                ("transform", _) if text_of(Some(value)) == "negative-Y" => {
                    changes.negative = Some(true)
                }
                ("legend", Json::Bool(shown)) => changes.hide_in_legend = Some(!shown),
                ("hideTooltip", Json::Bool(hidden)) => changes.hide_in_tooltip = Some(*hidden),
                _ => leave_out(name.clone()),
            }
        }
        overrides.push(changes);
    }
    if !left_out.is_empty() {
        let listed: Vec<String> = left_out
            .iter()
            .map(|(what, count)| format!("{what} ({count})"))
            .collect();
        notes.push(format!(
            "per-series overrides not applied: {}",
            listed.join(", ")
        ));
    }
    overrides
}

/// The overrides a panel keeps: the first [`MAX_OVERRIDES`], without those
/// whose pattern does not compile here (JavaScript's look-around, say) or
/// that are too long, each said.
fn kept_overrides(overrides: &mut Vec<SeriesOverride>, notes: &mut Vec<String>) {
    overrides.retain(|one| match one.pattern_error().or_else(|| one.problem()) {
        Some(problem) => {
            notes.push(format!("{problem}; the override is left out"));
            false
        }
        None => true,
    });
    if overrides.len() > MAX_OVERRIDES {
        notes.push(format!(
            "only the first {MAX_OVERRIDES} of {} per-series overrides are kept",
            overrides.len()
        ));
        overrides.truncate(MAX_OVERRIDES);
    }
}

/// Grafana colour names and `rgba()` → the colours Foresight draws.
fn map_color(color: &str) -> String {
    let lower = color.trim().to_lowercase();
    if lower.starts_with('#') && lower.len() == 7 {
        return lower;
    }
    if let Some(inner) = lower
        .strip_prefix("rgba(")
        .or_else(|| lower.strip_prefix("rgb("))
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let channels: Vec<u8> = inner
            .split(',')
            .take(3)
            .filter_map(|c| parse_f64(c.trim()))
            .map(|c| c.clamp(0.0, 255.0) as u8)
            .collect();
        if channels.len() == 3 {
            return format!("#{:02x}{:02x}{:02x}", channels[0], channels[1], channels[2]);
        }
    }
    for (name, ours) in [
        ("red", "red"),
        ("orange", "amber"),
        ("yellow", "amber"),
        ("green", "green"),
        ("blue", "blue"),
    ] {
        if lower.contains(name) {
            return ours.into();
        }
    }
    "blue".into()
}

/// Grafana unit ids Foresight does not have, mapped to the nearest it has.
fn map_unit(id: &str, notes: &mut Vec<String>) -> Unit {
    if id.is_empty() {
        return Unit::Short;
    }
    if let Some(unit) = Unit::from_id(id) {
        return unit;
    }
    let nearest = match id {
        "bits" | "decbits" | "kbytes" | "mbytes" | "gbytes" | "deckbytes" | "decmbytes"
        | "decgbytes" => Unit::Short,
        "dtdurations" | "dtdhms" => Unit::Seconds,
        "µs" | "us" | "ns" => Unit::Short,
        _ => Unit::Short,
    };
    notes.push(format!("unit {id:?} is shown as {}", nearest.id()));
    nearest
}

fn map_reducer(calc: &str) -> Option<Reducer> {
    match calc {
        "lastNotNull" | "last" | "current" => Some(Reducer::Last),
        "mean" | "avg" => Some(Reducer::Mean),
        "max" => Some(Reducer::Max),
        "min" => Some(Reducer::Min),
        _ => None,
    }
}

impl Importer {
    fn new(grafana: &Json) -> Self {
        let mut datasource_kinds = SortedMap::new();
        for input in grafana
            .get("__inputs")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let name = text_of(input.get("name"));
            let plugin = text_of(input.get("pluginId"));
            if !name.is_empty() {
                datasource_kinds.insert(format!("${{{name}}}"), plugin.clone());
                datasource_kinds.insert(format!("${name}"), plugin);
            }
        }
        Self {
            report: ImportReport::default(),
            panels: Vec::new(),
            layout: Vec::new(),
            used_ids: SortedSet::new(),
            next_suffix: SortedMap::new(),
            datasource_kinds,
        }
    }

    fn run(&mut self, grafana: &Json) -> Result<Dashboard, String> {
        let title = {
            let t = text_of(grafana.get("title"));
            if t.trim().is_empty() {
                "Imported dashboard".to_string()
            } else {
                t
            }
        };
        let variables = self.variables(grafana);
        if let Some(rows) = grafana.get("rows").and_then(Json::as_array) {
            self.old_rows(rows);
        }
        if let Some(panels) = grafana.get("panels").and_then(Json::as_array) {
            let offset = self
                .layout
                .iter()
                .map(|p| p.y.saturating_add(p.h))
                .max()
                .unwrap_or(0);
            let mut entries = Vec::new();
            for panel in panels {
                // Past the cap the import is refused below: no need to go on.
                if self.panels.len() > MAX_PANELS {
                    break;
                }
                entries.push(self.grid_entry(panel, None));
            }
            // Below the old layout's rows, when a file has both.
            self.layout
                .extend(grafana_placement(entries).into_iter().map(|mut p| {
                    p.y = p.y.saturating_add(offset);
                    p
                }));
        }
        let annotations = self.annotations(grafana);
        if grafana
            .get("links")
            .and_then(Json::as_array)
            .is_some_and(|l| !l.is_empty())
        {
            self.report
                .notes
                .push("dashboard links are not imported".into());
        }
        let time = DashboardTime {
            from: Some(text_of(grafana.pointer("/time/from")))
                .filter(|t| crate::query::time_range::TimeExpression::parse(t).is_ok())
                .unwrap_or_else(|| "now-6h".into()),
            to: Some(text_of(grafana.pointer("/time/to")))
                .filter(|t| crate::query::time_range::TimeExpression::parse(t).is_ok())
                .unwrap_or_else(|| "now".into()),
        };
        let refresh = match grafana.get("refresh") {
            Some(Json::String(r)) if crate::model::refresh::parse_refresh(r).is_some() => r.clone(),
            Some(Json::String(r)) if !r.is_empty() => {
                self.report.notes.push(format!(
                    "refresh {r:?} is not one Foresight offers; refresh is off"
                ));
                "off".into()
            }
            _ => "off".into(),
        };
        let id = {
            let from_uid = slug(&text_of(grafana.get("uid")));
            let base = if from_uid.is_empty() {
                slug(&title)
            } else {
                from_uid
            };
            if base.is_empty() {
                "imported".into()
            } else {
                base
            }
        };
        // Past Foresight's caps the import is refused as a whole: a dashboard
        // cut short would look complete.
        if self.panels.len() > MAX_PANELS {
            return Err(format!(
                "the dashboard has {} panels (row headings included); Foresight shows at most {MAX_PANELS}, so nothing was imported",
                self.panels.len()
            ));
        }
        let dashboard = Dashboard {
            schema_version: DASHBOARD_SCHEMA_VERSION,
            id,
            title,
            description: text_of(grafana.get("description")),
            time,
            refresh,
            datasource: None,
            datasource_options: Default::default(),
            scrape_interval_seconds: 15.0,
            variables,
            panels: std::mem::take(&mut self.panels),
            layout: std::mem::take(&mut self.layout),
            alerts: Vec::new(),
            notify: Default::default(),
            slos: Vec::new(),
            annotations,
            change_events: Default::default(),
        };
        let json = dashboard.to_json();
        if json.len() > MAX_DASHBOARD_BYTES {
            return Err(format!(
                "the imported dashboard would be {} KiB; Foresight reads at most {} MiB, so nothing was imported",
                json.len() / 1024,
                MAX_DASHBOARD_BYTES >> 20
            ));
        }
        // The result must be a valid Foresight dashboard; if not, that is a bug to report clearly.
        Dashboard::from_json(&json).map_err(|e| format!("the imported dashboard is not valid: {e}"))
    }

    /// Grafana's Prometheus annotation queries, as Foresight's. The built-in
    /// "Annotations & Alerts" (events stored in Grafana's database) and
    /// queries to other datasources have nothing to read here: they are named
    /// in the notes.
    fn annotations(&mut self, grafana: &Json) -> Vec<AnnotationQuery> {
        let mut kept: Vec<AnnotationQuery> = Vec::new();
        let mut left_out = Vec::new();
        for item in grafana
            .pointer("/annotations/list")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            if item.get("builtIn").and_then(Json::as_u64) == Some(1) {
                continue;
            }
            let name = text_of(item.get("name"))
                .chars()
                .take(200)
                .collect::<String>();
            // Newer Grafana keeps the query's fields in `target`, older at the top.
            let field = |key: &str| {
                let top = text_of(item.get(key));
                match top.is_empty() {
                    true => text_of(item.get("target").and_then(|t| t.get(key))),
                    false => top,
                }
            };
            let kind = self.datasource_kind(item.get("datasource"));
            let expr = field("expr");
            if kind
                .as_deref()
                .is_some_and(|k| !k.is_empty() && k != "prometheus")
                || expr.trim().is_empty()
            {
                left_out.push(name);
                continue;
            }
            if kept.len() == MAX_ANNOTATION_QUERIES {
                self.report.notes.push(format!(
                    "only the first {MAX_ANNOTATION_QUERIES} annotation queries are imported"
                ));
                break;
            }
            let unique = |base: &str, kept: &[AnnotationQuery]| {
                let base = if base.trim().is_empty() {
                    "Annotations"
                } else {
                    base
                };
                (1..)
                    .map(|n| match n {
                        1 => base.to_string(),
                        n => format!("{base} {n}"),
                    })
                    .find(|candidate| kept.iter().all(|k| &k.name != candidate))
                    .unwrap_or_default()
            };
            let step = field("step");
            let color = text_of(item.get("iconColor"));
            let flag = |key: &str| {
                [item.get(key), item.get("target").and_then(|t| t.get(key))]
                    .into_iter()
                    .flatten()
                    .any(|v| v.as_bool() == Some(true))
            };
            let query = AnnotationQuery {
                name: unique(&name, &kept),
                expr,
                enabled: item.get("enable").and_then(Json::as_bool) != Some(false),
                title_format: field("titleFormat"),
                text_format: field("textFormat"),
                tag_keys: field("tagKeys")
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .take(20)
                    .map(str::to_string)
                    .collect(),
                step: (!step.is_empty() && crate::foundation::span::parse_span(&step).is_ok())
                    .then_some(step),
                use_value_as_time: flag("useValueForTime") || flag("useValueAsTimestamp"),
                color: (!color.is_empty()).then(|| map_color(&color)),
            };
            match query.problems().first() {
                Some(problem) => self
                    .report
                    .notes
                    .push(format!("annotation query left out: {problem}")),
                None => kept.push(query),
            }
        }
        if !left_out.is_empty() {
            let names: Vec<String> = left_out.iter().take(5).map(|n| format!("{n:?}")).collect();
            self.report.notes.push(format!(
                "{} annotation queries read no Prometheus data and are left out ({}{})",
                left_out.len(),
                names.join(", "),
                if left_out.len() > 5 { ", …" } else { "" }
            ));
        }
        kept
    }

    fn variables(&mut self, grafana: &Json) -> Vec<Variable> {
        let mut variables = Vec::new();
        let mut seen = SortedSet::new();
        for item in grafana
            .pointer("/templating/list")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            if variables.len() == MAX_VARIABLES {
                self.report.notes.push(format!(
                    "only the first {MAX_VARIABLES} variables are imported"
                ));
                break;
            }
            let name = text_of(item.get("name"));
            let kind = text_of(item.get("type"));
            // Names starting with `__` are kept for the built-ins (`$__interval`).
            if !crate::foundation::names::is_identifier(&name)
                || name.starts_with("__")
                || !seen.insert(name.clone())
            {
                self.report.notes.push(format!(
                    "variable {name:?} is not imported: its name is not an identifier, starts with __ or is used twice"
                ));
                continue;
            }
            let current: Vec<String> = match item.pointer("/current/value") {
                Some(Json::Array(values)) => values.iter().map(|v| text_of(Some(v))).collect(),
                Some(value) => vec![text_of(Some(value))],
                None => Vec::new(),
            };
            let current: Vec<String> = current
                .into_iter()
                .filter(|v| !v.is_empty())
                .map(|v| {
                    if v == "$__all" {
                        crate::model::dashboard::ALL_SELECTION.to_string()
                    } else {
                        v
                    }
                })
                .collect();
            let option_values = || -> Vec<String> {
                item.get("options")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .map(|o| text_of(o.get("value")))
                    .filter(|v| !v.is_empty() && v != "$__all")
                    .collect()
            };
            let source = match kind.as_str() {
                "datasource" => {
                    let plugin = text_of(item.get("query"));
                    self.datasource_kinds
                        .insert(format!("${name}"), plugin.clone());
                    self.datasource_kinds
                        .insert(format!("${{{name}}}"), plugin.clone());
                    self.report.notes.push(format!(
                        "datasource variable ${name} ({plugin}) is not a picker here: Foresight queries the dashboard's Prometheus"
                    ));
                    continue;
                }
                "query" => {
                    let query = match item.get("query") {
                        Some(object @ Json::Object(_)) => text_of(object.get("query")),
                        other => text_of(other),
                    };
                    let regex = text_of(item.get("regex"));
                    if let Some(source) = query_result_variable(&query, &regex) {
                        if query.contains('$') {
                            self.report.notes.push(format!(
                                "variable ${name}: its query refers to other variables, which take their selection when the dashboard opens"
                            ));
                        }
                        source
                    } else {
                        match parse_label_values_query(&query) {
                            Ok(_) => {
                                if query.contains('$') {
                                    self.report.notes.push(format!(
                                    "variable ${name}: its query refers to other variables, which take their selection when the dashboard opens"
                                ));
                                }
                                let filter = regex.trim().trim_matches('/');
                                if !filter.is_empty() && filter != "(.*)" && filter != ".*" {
                                    self.report.notes.push(format!(
                                    "variable ${name}: the regex {regex:?} is not applied to its values"
                                ));
                                }
                                VariableSource::Query { query }
                            }
                            Err(_) => {
                                let values = option_values();
                                self.report.notes.push(format!(
                                "variable ${name}: query {query:?} is not label_values(…) or query_result(…) with a label regex; kept as a fixed list of {} saved values",
                                values.len()
                            ));
                                VariableSource::Custom { values }
                            }
                        }
                    }
                }
                "custom" => {
                    let query = text_of(item.get("query"));
                    let values: Vec<String> = query
                        .split(',')
                        .map(|v| {
                            // `label : value` pairs keep the value.
                            v.rsplit_once(" : ")
                                .map_or(v, |(_, value)| value)
                                .trim()
                                .to_string()
                        })
                        .filter(|v| !v.is_empty())
                        .collect();
                    VariableSource::Custom { values }
                }
                "interval" => {
                    let values: Vec<String> = text_of(item.get("query"))
                        .split(',')
                        .map(|v| v.trim().to_string())
                        .filter(|v| !v.is_empty())
                        .collect();
                    if item.get("auto").and_then(Json::as_bool) == Some(true) {
                        self.report.notes.push(format!(
                            "variable ${name}: the \"auto\" interval is not offered"
                        ));
                    }
                    VariableSource::Custom { values }
                }
                "constant" | "textbox" => {
                    let value = text_of(item.get("query"));
                    VariableSource::Custom {
                        values: vec![value],
                    }
                }
                other => {
                    self.report.notes.push(format!(
                        "variable ${name} of type {other:?} is not supported and not imported"
                    ));
                    continue;
                }
            };
            // A query variable's saved selection names things in the author's
            // environment; here the first value Prometheus offers (or All) is better.
            let default = if matches!(
                source,
                VariableSource::Query { .. } | VariableSource::QueryResult { .. }
            ) {
                current
                    .into_iter()
                    .filter(|v| v == crate::model::dashboard::ALL_SELECTION)
                    .collect()
            } else {
                current
            };
            variables.push(Variable {
                name: name.clone(),
                label: Some(text_of(item.get("label"))).filter(|l| !l.is_empty()),
                source,
                multi: item.get("multi").and_then(Json::as_bool).unwrap_or(false),
                include_all: item
                    .get("includeAll")
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
                all_value: Some(text_of(item.get("allValue"))).filter(|v| !v.is_empty()),
                default,
            });
        }
        variables
    }

    fn unique_id(&mut self, panel: &Json, title: &str) -> String {
        let base = match as_u32(panel.get("id")) {
            Some(id) => format!("panel-{id}"),
            None => {
                let s = slug(title);
                if s.is_empty() {
                    "panel".into()
                } else {
                    s
                }
            }
        };
        let mut n = self.next_suffix.get(&base).copied().unwrap_or(1);
        let mut id = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        while !self.used_ids.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.next_suffix.insert(base, n + 1);
        id
    }

    fn place(&mut self, id: String, x: u32, y: u32, w: u32, h: u32) {
        self.layout.push(grid_position(id, x, y, w, h));
    }

    /// A current-layout panel with its `gridPos` as the file gives it (a row
    /// with its collapsed panels); `row_y` stands in for a missing `y` of a
    /// collapsed row's panel, as Grafana does.
    fn grid_entry(&mut self, panel: &Json, row_y: Option<u32>) -> GridEntry {
        let grid = panel.get("gridPos");
        let x = as_u32(grid.and_then(|g| g.get("x"))).unwrap_or(0);
        let y = as_u32(grid.and_then(|g| g.get("y"))).or(row_y).unwrap_or(0);
        let w = as_u32(grid.and_then(|g| g.get("w"))).unwrap_or(12);
        let h = as_u32(grid.and_then(|g| g.get("h"))).unwrap_or(8);
        if text_of(panel.get("type")) != "row" {
            let id = self.convert(panel);
            return GridEntry {
                position: grid_position(id, x, y, w, h),
                collapsed: Vec::new(),
            };
        }
        let title = text_of(panel.get("title"));
        let id = self.unique_id(panel, &title);
        // A collapsed row that stores no panels of its own (generated
        // dashboards) hides nothing in Grafana: the panels after it are shown.
        let collapsed = panel.get("collapsed").and_then(Json::as_bool) == Some(true)
            && panel
                .get("panels")
                .and_then(Json::as_array)
                .is_some_and(|p| !p.is_empty());
        self.panels.push(row_heading(&id, &title, collapsed));
        let stored = panel
            .get("panels")
            .and_then(Json::as_array)
            .map_or(0, |p| p.len());
        let notes = if !collapsed && stored > 0 {
            vec![format!(
                "the row is open but also stores {stored} panels of its own; Grafana does not show those, so they are not imported"
            )]
        } else {
            Vec::new()
        };
        self.report.panels.push(ImportedPanel {
            title,
            grafana_type: "row".into(),
            id: id.clone(),
            unsupported: None,
            notes,
        });
        let mut inner = Vec::new();
        if collapsed {
            for child in panel
                .get("panels")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                if self.panels.len() > MAX_PANELS {
                    break;
                }
                // Grafana does not nest rows; a file that does keeps the inner
                // row as a heading, with its own stored panels under it.
                let entry = self.grid_entry(child, Some(y));
                inner.push(entry.position);
                inner.extend(entry.collapsed);
            }
        }
        // Grafana draws every row across the grid, one unit high.
        GridEntry {
            position: grid_position(id, 0, y, GRID_COLUMNS, 1),
            collapsed: inner,
        }
    }

    /// Grid units for an old layout's height in pixels, as Grafana's migration
    /// counts them: a unit is a 30 px row and its 8 px gap, and nothing is lower
    /// than 90 px.
    fn grid_height(pixels: f64) -> u32 {
        let pixels = if pixels.is_finite() {
            pixels.max(90.0)
        } else {
            250.0
        };
        // Saturates at the grid's far end, as the grid's own sums do.
        (pixels / (GRID_ROW_PIXELS + GRID_GAP_PIXELS)).ceil() as u32
    }

    /// The old layout: rows of panels sized by `span` (of 12) and the row's height in pixels.
    fn old_rows(&mut self, rows: &[Json]) {
        let mut y = 0;
        for row in rows {
            let height_px = match row.get("height") {
                Some(Json::String(s)) => {
                    parse_f64(s.trim_end_matches("px").trim()).unwrap_or(250.0)
                }
                Some(value) => number_of(Some(value)).unwrap_or(250.0),
                None => 250.0,
            };
            let h = Self::grid_height(height_px);
            let title = text_of(row.get("title"));
            if row.get("showTitle").and_then(Json::as_bool) == Some(true) && !title.is_empty() {
                let id = self.unique_id(&Json::Null, &format!("row {title}"));
                self.panels.push(row_heading(&id, &title, false));
                self.report.panels.push(ImportedPanel {
                    title: title.clone(),
                    grafana_type: "row".into(),
                    id: id.clone(),
                    unsupported: None,
                    notes: Vec::new(),
                });
                self.place(id, 0, y, GRID_COLUMNS, 1);
                y = y.saturating_add(1);
            }
            let mut x = 0;
            let mut line_height = 0;
            for panel in row
                .get("panels")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                // Grafana's migration: whole spans of 12, two columns each.
                let span = number_of(panel.get("span")).unwrap_or(12.0);
                let w = ((span.floor() * 2.0) as u32).clamp(1, GRID_COLUMNS);
                let panel_h = panel
                    .get("height")
                    .and_then(|v| match v {
                        Json::String(s) => parse_f64(s.trim_end_matches("px").trim()),
                        other => number_of(Some(other)),
                    })
                    .map_or(h, Self::grid_height);
                if x + w > GRID_COLUMNS {
                    y = y.saturating_add(line_height);
                    x = 0;
                    line_height = 0;
                }
                let id = self.convert(panel);
                self.place(id, x, y, w, panel_h);
                x += w;
                line_height = line_height.max(panel_h);
            }
            y = y.saturating_add(line_height);
        }
    }

    fn datasource_kind(&self, datasource: Option<&Json>) -> Option<String> {
        match datasource? {
            object @ Json::Object(_) => Some(text_of(object.get("type")))
                .filter(|t| !t.is_empty())
                .or_else(|| {
                    let uid = text_of(object.get("uid"));
                    self.datasource_kinds.get(&uid).cloned()
                }),
            Json::String(name) => self.datasource_kinds.get(name).cloned().or_else(|| {
                let lower = name.to_lowercase();
                [
                    "loki",
                    "elasticsearch",
                    "influx",
                    "graphite",
                    "mysql",
                    "postgres",
                    "cloudwatch",
                ]
                .iter()
                .find(|kind| lower.contains(*kind))
                .map(|kind| kind.to_string())
                .or_else(|| (name == "-- Grafana --").then(|| "grafana".into()))
                .or_else(|| (name == "-- Mixed --").then(|| "mixed".into()))
            }),
            _ => None,
        }
    }

    /// Converts one non-row panel; unsupported ones become placeholders.
    fn convert(&mut self, panel: &Json) -> String {
        let title = text_of(panel.get("title"));
        let grafana_type = text_of(panel.get("type"));
        let id = self.unique_id(panel, &title);
        let mut notes: Vec<String> = Vec::new();
        let placeholder = |reason: String, notes: Vec<String>, importer: &mut Importer| {
            importer.panels.push(Panel {
                description: text_of(panel.get("description")),
                ..Panel::plain(
                    id.clone(),
                    title.clone(),
                    PanelKind::Text {
                        content: format!(
                            "**Not imported from Grafana.** {reason}\n\nThe original panel type is `{}`.",
                            grafana_type.replace('`', "'")
                        ),
                    },
                    Vec::new(),
                )
            });
            importer.report.panels.push(ImportedPanel {
                title: title.clone(),
                grafana_type: grafana_type.clone(),
                id: id.clone(),
                unsupported: Some(reason),
                notes,
            });
            id.clone()
        };
        let panel_kind = self.datasource_kind(panel.get("datasource"));
        if let Some(kind) = panel_kind.as_deref() {
            let queryless = matches!(grafana_type.as_str(), "text" | "news" | "dashlist");
            if !queryless && !matches!(kind, "" | "prometheus" | "mixed") {
                return placeholder(
                    format!("its datasource is {kind}, not Prometheus."),
                    notes,
                    self,
                );
            }
        }
        let defaults = panel.pointer("/fieldConfig/defaults");
        let unit_id = defaults
            .and_then(|d| d.get("unit"))
            .map(|u| text_of(Some(u)))
            .or_else(|| panel.get("format").map(|f| text_of(Some(f))))
            .or_else(|| panel.pointer("/yaxes/0/format").map(|f| text_of(Some(f))))
            .unwrap_or_default();
        let unit = map_unit(&unit_id, &mut notes);
        let decimals = as_u32(defaults.and_then(|d| d.get("decimals")))
            .or_else(|| as_u32(panel.get("decimals")))
            .map(|d| d.min(12) as u8);
        let min = number_of(defaults.and_then(|d| d.get("min")))
            .or_else(|| number_of(panel.pointer("/gauge/minValue")));
        let max = number_of(defaults.and_then(|d| d.get("max")))
            .or_else(|| number_of(panel.pointer("/gauge/maxValue")));
        let thresholds = self.thresholds(panel, &mut notes);
        if panel
            .get("repeat")
            .is_some_and(|r| !text_of(Some(r)).is_empty())
        {
            notes.push(format!(
                "repeated per ${}: shown once, with all values",
                text_of(panel.get("repeat"))
            ));
        }
        // Display options Grafana applies and this panel does not (yet): said,
        // so that no difference from the original is silent.
        let text_mode = text_of(panel.pointer("/options/textMode"));
        if !matches!(text_mode.as_str(), "" | "auto" | "value") {
            notes.push(format!("text mode {text_mode:?} is shown as the value"));
        }
        let mappings = value_mappings(panel, &mut notes);
        let reducer = |notes: &mut Vec<String>| -> Reducer {
            let calc = panel
                .pointer("/options/reduceOptions/calcs/0")
                .map(|c| text_of(Some(c)))
                .or_else(|| panel.get("valueName").map(|v| text_of(Some(v))))
                .unwrap_or_else(|| "lastNotNull".into());
            map_reducer(&calc).unwrap_or_else(|| {
                notes.push(format!("reduction {calc:?} is shown as the last value"));
                Reducer::Last
            })
        };
        let kind = match grafana_type.as_str() {
            "timeseries" | "graph" => {
                let custom = defaults.and_then(|d| d.get("custom"));
                let stacked = custom
                    .and_then(|c| c.pointer("/stacking/mode"))
                    .is_some_and(|m| text_of(Some(m)) == "normal")
                    || panel.get("stack").and_then(Json::as_bool) == Some(true);
                let bars = custom
                    .and_then(|c| c.get("drawStyle"))
                    .is_some_and(|d| text_of(Some(d)) == "bars")
                    || panel.get("bars").and_then(Json::as_bool) == Some(true);
                let points = custom
                    .and_then(|c| c.get("drawStyle"))
                    .is_some_and(|d| text_of(Some(d)) == "points")
                    || (panel.get("points").and_then(Json::as_bool) == Some(true)
                        && panel.get("lines").and_then(Json::as_bool) == Some(false));
                let filled = number_of(custom.and_then(|c| c.get("fillOpacity"))).unwrap_or(0.0)
                    > 0.0
                    || number_of(panel.get("fill")).unwrap_or(0.0) > 0.0;
                if bars {
                    notes.push("bars are drawn as lines".into());
                }
                if custom
                    .and_then(|c| c.pointer("/stacking/mode"))
                    .is_some_and(|m| text_of(Some(m)) == "percent")
                    || panel.get("percentage").and_then(Json::as_bool) == Some(true)
                {
                    notes.push("percent stacking is drawn as plain stacking".into());
                }
                let style = if stacked {
                    LineStyle::Stacked
                } else if points {
                    LineStyle::Points
                } else if filled {
                    LineStyle::Area
                } else {
                    LineStyle::Lines
                };
                PanelKind::Timeseries {
                    style,
                    zero_line: false,
                    foresight: ForesightOptions::default(),
                    legend: legend_options(panel),
                }
            }
            "stat" | "singlestat" => {
                let reduce = reducer(&mut notes);
                let gauge = panel.pointer("/gauge/show").and_then(Json::as_bool) == Some(true);
                if gauge {
                    PanelKind::Gauge { reduce }
                } else {
                    let sparkline = panel.pointer("/sparkline/show").and_then(Json::as_bool)
                        == Some(true)
                        || text_of(panel.pointer("/options/graphMode")) == "area";
                    PanelKind::Stat {
                        reduce,
                        sparkline,
                        no_value_text: None,
                    }
                }
            }
            "gauge" => PanelKind::Gauge {
                reduce: reducer(&mut notes),
            },
            "bargauge" => PanelKind::Bargauge {
                reduce: reducer(&mut notes),
                // Grafana's defaults: a gradient, and bars that turn with the panel.
                display: match text_of(panel.pointer("/options/displayMode")).as_str() {
                    "basic" => BarDisplay::Basic,
                    "lcd" => BarDisplay::Lcd,
                    _ => BarDisplay::Gradient,
                },
                orientation: match text_of(panel.pointer("/options/orientation")).as_str() {
                    "horizontal" => BarOrientation::Horizontal,
                    "vertical" => BarOrientation::Vertical,
                    _ => BarOrientation::Auto,
                },
            },
            "table" | "table-old" => PanelKind::Table,
            "heatmap" => PanelKind::Heatmap,
            "text" => {
                let content = panel
                    .pointer("/options/content")
                    .or_else(|| panel.get("content"))
                    .map(|c| text_of(Some(c)))
                    .unwrap_or_default();
                let mode = panel
                    .pointer("/options/mode")
                    .or_else(|| panel.get("mode"))
                    .map(|m| text_of(Some(m)))
                    .unwrap_or_else(|| "markdown".into());
                if mode == "html" {
                    notes.push("HTML content is shown as text (no raw HTML is rendered)".into());
                }
                let id = id.clone();
                self.panels.push(Panel {
                    id: id.clone(),
                    title: title.clone(),
                    kind: PanelKind::Text { content },
                    targets: Vec::new(),
                    unit,
                    decimals,
                    thresholds: Vec::new(),
                    min: None,
                    max: None,
                    description: text_of(panel.get("description")),
                    mappings: Vec::new(),
                    overrides: Vec::new(),
                });
                self.report.panels.push(ImportedPanel {
                    title,
                    grafana_type,
                    id: id.clone(),
                    unsupported: None,
                    notes,
                });
                return id;
            }
            other => {
                let reason = if other.contains('-') || other.contains("plugin") {
                    format!("the panel plugin {other:?} is not available in Foresight.")
                } else {
                    format!("Foresight has no {other:?} panel yet.")
                };
                return placeholder(reason, notes, self);
            }
        };
        // Targets: Prometheus expressions; hidden ones and other datasources are left out, with a note.
        let mut targets = Vec::new();
        // Each kept query's refId, for overrides that pick a query's series.
        let mut ref_ids = Vec::new();
        for target in panel
            .get("targets")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let expr = text_of(target.get("expr"));
            if target.get("hide").and_then(Json::as_bool) == Some(true) {
                notes.push(format!(
                    "hidden query {} left out",
                    text_of(target.get("refId"))
                ));
                continue;
            }
            let target_kind = self.datasource_kind(target.get("datasource"));
            if let Some(kind) = target_kind.filter(|k| !k.is_empty() && k != "prometheus") {
                notes.push(format!("a {kind} query is left out"));
                continue;
            }
            if expr.trim().is_empty() {
                notes.push(format!(
                    "query {} has no PromQL expression and is left out",
                    text_of(target.get("refId"))
                ));
                continue;
            }
            let legend = text_of(target.get("legendFormat"));
            let instant = target.get("instant").and_then(Json::as_bool) == Some(true);
            targets.push(Target {
                expr,
                legend_format: (!legend.is_empty() && legend != "__auto").then_some(legend),
                instant,
            });
            ref_ids.push(text_of(target.get("refId")));
        }
        if targets.len() > MAX_TARGETS_PER_PANEL {
            notes.push(format!(
                "only the first {MAX_TARGETS_PER_PANEL} of its {} queries are imported",
                targets.len()
            ));
            targets.truncate(MAX_TARGETS_PER_PANEL);
        }
        if targets.is_empty() {
            return placeholder(
                "it has no Prometheus query Foresight can run.".into(),
                notes,
                self,
            );
        }
        let transformed = transformations(panel, &grafana_type, &mut notes);
        let mut overrides = transformed.renames;
        overrides.extend(series_overrides(
            panel,
            &ref_ids,
            &transformed.renamed,
            &mut notes,
        ));
        overrides.extend(transformed.hides);
        kept_overrides(&mut overrides, &mut notes);
        if !matches!(kind, PanelKind::Timeseries { .. })
            && overrides.iter().any(|o| {
                o.color.is_some()
                    || o.unit.is_some()
                    || o.axis.is_some()
                    || o.negative.is_some()
                    || o.hide_in_chart.is_some()
                    || o.hide_in_legend.is_some()
            })
        {
            notes.push(
                "per-series overrides other than display names apply to time series only".into(),
            );
        }
        self.panels.push(Panel {
            id: id.clone(),
            title: title.clone(),
            kind,
            targets,
            unit,
            decimals,
            thresholds,
            min,
            max,
            description: text_of(panel.get("description")),
            mappings,
            overrides,
        });
        self.report.panels.push(ImportedPanel {
            title,
            grafana_type,
            id: id.clone(),
            unsupported: None,
            notes,
        });
        id
    }

    fn thresholds(&self, panel: &Json, notes: &mut Vec<String>) -> Vec<Threshold> {
        if let Some(config) = panel.pointer("/fieldConfig/defaults/thresholds") {
            if text_of(config.get("mode")) == "percentage" {
                notes.push("percentage thresholds are not applied".into());
                return Vec::new();
            }
            let steps: Vec<Threshold> = config
                .get("steps")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(index, step)| Threshold {
                    value: if index == 0 {
                        None
                    } else {
                        number_of(step.get("value"))
                    },
                    color: map_color(&text_of(step.get("color"))),
                })
                .collect();
            // A single base step says nothing; keep thresholds only when there is a boundary.
            return if steps.len() > 1 { steps } else { Vec::new() };
        }
        // Old singlestat: "80,90" with three colours.
        let text = text_of(panel.get("thresholds"));
        let colors: Vec<String> = panel
            .get("colors")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .map(|c| map_color(&text_of(Some(c))))
            .collect();
        let values: Vec<f64> = text
            .split(',')
            .filter_map(|v| parse_f64(v.trim()))
            .collect();
        if values.is_empty() || colors.len() < values.len() + 1 {
            return Vec::new();
        }
        std::iter::once(Threshold {
            value: None,
            color: colors[0].clone(),
        })
        .chain(values.iter().zip(&colors[1..]).map(|(v, c)| Threshold {
            value: Some(*v),
            color: c.clone(),
        }))
        .collect()
    }
}

/// `query_result(EXPR)` with a regex capturing one label's value (`/job="([^"]+)"/`,
/// `/.*instance="(.*)".*/`) → the values of that label in EXPR's instant result.
fn query_result_variable(query: &str, regex: &str) -> Option<VariableSource> {
    let expr = query
        .trim()
        .strip_prefix("query_result(")?
        .strip_suffix(')')?
        .trim();
    let pattern = regex.trim().trim_matches('/');
    let before_capture = &pattern[..pattern.find("=\"(")?];
    let label: String = before_capture
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    crate::foundation::names::is_identifier(&label).then(|| VariableSource::QueryResult {
        query: expr.to_string(),
        value_label: label,
    })
}

fn grid_position(id: String, x: u32, y: u32, w: u32, h: u32) -> GridPosition {
    let w = w.clamp(1, GRID_COLUMNS);
    GridPosition {
        panel: id,
        x: x.min(GRID_COLUMNS - w),
        y,
        w,
        h: h.max(1),
    }
}

/// A top-level panel of a current-layout file; a collapsed row carries its
/// panels at the places the file stored for them.
struct GridEntry {
    position: GridPosition,
    collapsed: Vec<GridPosition>,
}

/// The legend as Grafana shows it: `options.legend` (time series) or the
/// older graph panel's `legend` (`show`, `alignAsTable`, `rightSide`,
/// `sideWidth`). A graph legend that is not a table is a list of names.
fn legend_options(panel: &Json) -> LegendOptions {
    let flag = |path: &str| panel.pointer(path).and_then(Json::as_bool);
    let width = |path: &str| {
        panel
            .pointer(path)
            .and_then(Json::as_f64)
            .filter(|w| w.is_finite() && *w >= f64::from(MIN_LEGEND_WIDTH))
            .map(|w| w.min(f64::from(u16::MAX)) as u16)
    };
    if let Some(options) = panel.pointer("/options/legend") {
        let mode = match text_of(options.get("displayMode")).as_str() {
            _ if flag("/options/legend/showLegend") == Some(false) => LegendMode::Hidden,
            "hidden" => LegendMode::Hidden,
            "table" => LegendMode::Table,
            // Grafana's default display mode.
            _ => LegendMode::List,
        };
        let placement = match text_of(options.get("placement")).as_str() {
            "right" => LegendPlacement::Right,
            _ => LegendPlacement::Bottom,
        };
        return LegendOptions {
            mode,
            placement,
            width: width("/options/legend/width"),
        };
    }
    if panel.get("legend").is_none() {
        return LegendOptions::default();
    }
    let mode = if flag("/legend/show") == Some(false) {
        LegendMode::Hidden
    } else if flag("/legend/alignAsTable") == Some(true) {
        LegendMode::Table
    } else {
        LegendMode::List
    };
    let placement = if flag("/legend/rightSide") == Some(true) {
        LegendPlacement::Right
    } else {
        LegendPlacement::Bottom
    };
    LegendOptions {
        mode,
        placement,
        width: width("/legend/sideWidth"),
    }
}

/// Where Grafana shows every panel once each collapsed row has been opened,
/// top to bottom, as a viewer would: the grid first compacts the file's
/// layout; opening a row puts its panels under it, keeping their stored
/// offsets from the first of them, pushes everything after it down by their
/// height, and the grid compacts again. A file's stored places are often stale
/// (rows moved while collapsed), so they are never used as they stand.
fn grafana_placement(entries: Vec<GridEntry>) -> Vec<GridPosition> {
    let mut layout: Vec<GridPosition> = Vec::with_capacity(entries.len());
    // Collapsed rows not yet opened, with their panels.
    let mut pending: Vec<(String, Vec<GridPosition>)> = Vec::new();
    for entry in entries {
        if !entry.collapsed.is_empty() {
            pending.push((entry.position.panel.clone(), entry.collapsed));
        }
        layout.push(entry.position);
    }
    let settle = |layout: &mut Vec<GridPosition>| {
        crate::model::dashboard::layout::sort_in_reading_order(layout);
        crate::model::dashboard::layout::compact(layout);
        crate::model::dashboard::layout::sort_in_reading_order(layout);
    };
    settle(&mut layout);
    while let Some(at) = layout
        .iter()
        .position(|p| pending.iter().any(|(row, _)| *row == p.panel))
    {
        let row_y = i64::from(layout[at].y);
        let Some(index) = pending.iter().position(|(row, _)| *row == layout[at].panel) else {
            break;
        };
        let mut children = pending.swap_remove(index).1;
        let shift = i64::from(children[0].y) - (row_y + 1);
        let mut bottom = row_y;
        for child in &mut children {
            // A panel stored above its row's first one would land above the
            // grid's top; the top is as high as Grafana's grid places it.
            child.y = u32::try_from((i64::from(child.y) - shift).max(0)).unwrap_or(u32::MAX);
            bottom = bottom.max(i64::from(child.y) + i64::from(child.h));
        }
        let push = u32::try_from(bottom - row_y - 1).unwrap_or(u32::MAX);
        for later in &mut layout[at + 1..] {
            later.y = later.y.saturating_add(push);
        }
        layout.splice(at + 1..at + 1, children);
        settle(&mut layout);
    }
    layout
}

fn row_heading(id: &str, title: &str, collapsed: bool) -> Panel {
    Panel {
        id: id.to_string(),
        title: title.to_string(),
        kind: PanelKind::Row { collapsed },
        targets: Vec::new(),
        unit: Unit::Short,
        decimals: None,
        thresholds: Vec::new(),
        min: None,
        max: None,
        description: "A row of the Grafana dashboard".into(),
        mappings: Vec::new(),
        overrides: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dashboard::{mapped_value, OverrideMatchers};

    #[test]
    fn panels_of_one_title_get_unique_ids_and_a_huge_row_is_refused_at_once() {
        let panel = |title: &str| {
            format!(r#"{{"type": "graph", "title": "{title}", "targets": [{{"expr": "up"}}]}}"#)
        };
        let mut panels = vec![panel("a-2")];
        panels.extend(std::iter::repeat_n(panel("a"), 5));
        let text = format!(r#"{{"title": "t", "panels": [{}]}}"#, panels.join(","));
        let (dashboard, _) = import_grafana_dashboard(&text).unwrap();
        let ids: Vec<&str> = dashboard.panels.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["a-2", "a", "a-3", "a-4", "a-5", "a-6"]);
        // Found by fuzzing: a collapsed row of thousands of panels of one
        // title, each of which tried every suffix taken before it (minutes).
        let row = format!(
            r#"{{"title": "t", "panels": [{{"type": "row", "title": "r", "collapsed": true, "panels": [{}]}}]}}"#,
            vec![panel("a"); 20_000].join(",")
        );
        let refused = import_grafana_dashboard(&row).unwrap_err();
        assert!(refused.contains("at most 500"), "{refused}");
    }

    const CURRENT: &str = r##"{
      "uid": "svc-Overview", "title": "Service overview", "refresh": "30s",
      "time": {"from": "now-24h", "to": "now"},
      "__inputs": [{"name": "DS_LOKI", "pluginId": "loki"}],
      "templating": {"list": [
        {"name": "job", "type": "query", "query": {"query": "label_values(up, job)"}, "current": {"value": "theirs"}, "includeAll": true},
        {"name": "node", "type": "query", "query": "query_result(up{job=\"$job\"})", "regex": "/instance=\"([^\"]+)\"/"},
        {"name": "quantile", "type": "custom", "query": "0.5,0.9 : 0.9,0.99", "current": {"value": "0.9"}},
        {"name": "ds", "type": "datasource", "query": "prometheus"},
        {"name": "bad name", "type": "custom", "query": "a"}
      ]},
      "panels": [
        {"id": 1, "type": "stat", "title": "Errors", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
         "datasource": {"type": "prometheus", "uid": "x"},
         "fieldConfig": {"defaults": {"unit": "percent", "decimals": 1,
           "thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": null}, {"color": "dark-red", "value": 5}]}}},
         "options": {"reduceOptions": {"calcs": ["mean"]}, "graphMode": "area"},
         "targets": [{"expr": "sum(rate(errors[$__rate_interval]))", "refId": "A"}, {"expr": "up", "hide": true, "refId": "B"}]},
        {"id": 2, "type": "timeseries", "title": "Traffic", "gridPos": {"x": 6, "y": 0, "w": 18, "h": 8},
         "fieldConfig": {"defaults": {"unit": "mbytes", "custom": {"fillOpacity": 20, "stacking": {"mode": "normal"}}}},
         "transformations": [{"id": "reduce"}],
         "targets": [{"expr": "rate(http_requests_total[5m])", "legendFormat": "{{instance}}"}]},
        {"id": 3, "type": "row", "title": "Details", "collapsed": true, "gridPos": {"x": 0, "y": 8, "w": 24, "h": 1},
         "panels": [
           {"id": 4, "type": "piechart", "title": "Share", "gridPos": {"x": 0, "y": 9, "w": 12, "h": 8}, "targets": [{"expr": "up"}]},
           {"id": 5, "type": "logs", "title": "Logs", "datasource": "${DS_LOKI}", "gridPos": {"x": 12, "y": 9, "w": 12, "h": 8}, "targets": [{"expr": "{job=\"x\"}"}]}
         ]},
        {"id": 6, "type": "text", "title": "Notes", "gridPos": {"x": 0, "y": 17, "w": 24, "h": 3}, "options": {"mode": "html", "content": "<b>hi</b>"}}
      ]
    }"##;

    const OLD: &str = r##"{
      "title": "Old style", "schemaVersion": 12,
      "rows": [
        {"title": "Top", "showTitle": true, "height": "250px", "panels": [
          {"id": 1, "type": "singlestat", "title": "Up", "span": 4, "format": "short", "valueName": "avg",
           "thresholds": "1,2", "colors": ["rgba(50, 172, 45, 0.97)", "#EAB839", "red"], "gauge": {"show": true, "minValue": 0, "maxValue": 3},
           "targets": [{"expr": "sum(up)"}]},
          {"id": 2, "type": "graph", "title": "Load", "span": 8, "stack": true, "yaxes": [{"format": "percentunit"}],
           "targets": [{"expr": "node_load1", "legendFormat": "{{instance}}"}]},
          {"id": 3, "type": "graph", "title": "Wraps", "span": 6, "targets": [{"expr": "up"}]}
        ]}
      ]
    }"##;

    #[test]
    fn the_current_layout_maps_panels_variables_and_settings() {
        let (dashboard, report) = import_grafana_dashboard(CURRENT).unwrap();
        assert_eq!(dashboard.id, "svc-overview");
        assert_eq!(
            (dashboard.time.from.as_str(), dashboard.refresh.as_str()),
            ("now-24h", "30s")
        );
        let stat = dashboard.panel("panel-1").unwrap();
        assert_eq!(stat.unit, Unit::Percent);
        assert_eq!(stat.decimals, Some(1));
        assert_eq!(
            stat.kind,
            PanelKind::Stat {
                reduce: Reducer::Mean,
                sparkline: true,
                no_value_text: None
            }
        );
        assert_eq!(stat.targets.len(), 1, "the hidden query is left out");
        assert_eq!(
            stat.thresholds[1],
            Threshold {
                value: Some(5.0),
                color: "red".into()
            }
        );
        let traffic = dashboard.panel("panel-2").unwrap();
        assert!(matches!(
            traffic.kind,
            PanelKind::Timeseries {
                style: LineStyle::Stacked,
                ..
            }
        ));
        assert_eq!(
            traffic.targets[0].legend_format.as_deref(),
            Some("{{instance}}")
        );
        let position = |id: &str| {
            dashboard
                .layout
                .iter()
                .find(|p| p.panel == id)
                .unwrap()
                .clone()
        };
        assert_eq!(
            (
                position("panel-2").x,
                position("panel-2").w,
                position("panel-2").h
            ),
            (6, 18, 8)
        );
        // The collapsed row stays collapsed, its panels under it.
        assert!(matches!(
            dashboard.panel("panel-3").unwrap().kind,
            PanelKind::Row { collapsed: true }
        ));
        assert_eq!(position("panel-3").h, 1);
        assert_eq!(position("panel-4").y, position("panel-3").y + 1);
        let entry = |id: &str| report.panels.iter().find(|p| p.id == id).unwrap();
        assert!(entry("panel-4")
            .unsupported
            .as_ref()
            .unwrap()
            .contains("\"piechart\""));
        assert!(entry("panel-5")
            .unsupported
            .as_ref()
            .unwrap()
            .contains("loki"));
        assert!(matches!(
            dashboard.panel("panel-5").unwrap().kind,
            PanelKind::Text { .. }
        ));
        assert!(entry("panel-2")
            .notes
            .iter()
            .any(|n| n.contains("transformations")));
        assert!(entry("panel-2")
            .notes
            .iter()
            .any(|n| n.contains("\"mbytes\"")));
        assert!(entry("panel-6").notes.iter().any(|n| n.contains("HTML")));
        assert_eq!(
            (report.panels.len(), report.imported(), report.unsupported()),
            (6, 4, 2)
        );
        // Variables: label_values, query_result with a label regex, custom pairs; datasource and bad names reported.
        let names: Vec<&str> = dashboard
            .variables
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(names, ["job", "node", "quantile"]);
        assert!(
            dashboard.variables[0].default.is_empty(),
            "the author's selection is not kept"
        );
        assert_eq!(
            dashboard.variables[1].source,
            VariableSource::QueryResult {
                query: "up{job=\"$job\"}".into(),
                value_label: "instance".into()
            }
        );
        assert_eq!(
            dashboard.variables[2].source,
            VariableSource::Custom {
                values: vec!["0.5".into(), "0.9".into(), "0.99".into()]
            }
        );
        assert_eq!(dashboard.variables[2].default, ["0.9"]);
        assert!(report.notes.iter().any(|n| n.contains("$ds")));
        assert!(report.notes.iter().any(|n| n.contains("\"bad name\"")));
    }

    #[test]
    fn the_old_rows_layout_is_laid_out_on_the_grid() {
        let (dashboard, report) = import_grafana_dashboard(OLD).unwrap();
        assert_eq!(report.panels.len(), 4, "a heading and three panels");
        let position = |id: &str| {
            dashboard
                .layout
                .iter()
                .find(|p| p.panel == id)
                .unwrap()
                .clone()
        };
        let heading = &dashboard.layout[0];
        assert_eq!((heading.y, heading.h, heading.w), (0, 1, 24));
        assert_eq!(
            (
                position("panel-1").x,
                position("panel-1").w,
                position("panel-1").y
            ),
            (0, 8, 1)
        );
        assert_eq!((position("panel-2").x, position("panel-2").w), (8, 16));
        assert_eq!(
            position("panel-1").h,
            7,
            "250 px is seven units of a 30 px row and its 8 px gap, as Grafana's migration counts"
        );
        assert_eq!(
            (position("panel-3").x, position("panel-3").y),
            (0, 8),
            "wraps to a new line"
        );
        let up = dashboard.panel("panel-1").unwrap();
        assert_eq!(
            up.kind,
            PanelKind::Gauge {
                reduce: Reducer::Mean
            }
        );
        assert_eq!((up.min, up.max), (Some(0.0), Some(3.0)));
        assert_eq!(
            up.thresholds,
            vec![
                Threshold {
                    value: None,
                    color: "#32ac2d".into()
                },
                Threshold {
                    value: Some(1.0),
                    color: "#eab839".into()
                },
                Threshold {
                    value: Some(2.0),
                    color: "red".into()
                },
            ]
        );
        let load = dashboard.panel("panel-2").unwrap();
        assert_eq!(load.unit, Unit::PercentUnit);
        assert!(matches!(
            load.kind,
            PanelKind::Timeseries {
                style: LineStyle::Stacked,
                ..
            }
        ));
    }

    #[test]
    fn series_overrides_of_both_forms_are_carried_over() {
        let text = r##"{"title": "Overrides", "panels": [
          {"id": 1, "type": "timeseries", "title": "traffic",
           "targets": [{"refId": "A", "expr": "rx", "hide": true}, {"refId": "B", "expr": "rx"}, {"refId": "C", "expr": "tx"}],
           "fieldConfig": {"defaults": {}, "overrides": [
             {"matcher": {"id": "byName", "options": "Receive"},
              "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "#7EB26D"}},
                             {"id": "displayName", "value": "In"}, {"id": "custom.fillOpacity", "value": 10}]},
             {"matcher": {"id": "byRegexp", "options": "/trans/i"},
              "properties": [{"id": "custom.transform", "value": "negative-Y"}, {"id": "unit", "value": "bytes"},
                             {"id": "custom.axisPlacement", "value": "right"},
                             {"id": "custom.hideFrom", "value": {"legend": true, "tooltip": false, "viz": false}}]},
             {"matcher": {"id": "byFrameRefID", "options": "C"}, "properties": [{"id": "displayName", "value": "Out"}]},
             {"matcher": {"id": "byFrameRefID", "options": "A"}, "properties": [{"id": "displayName", "value": "hidden query"}]},
             {"matcher": {"id": "byNames", "options": {"mode": "include", "names": ["a", "b"]}}, "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}}]},
             {"matcher": {"id": "byType", "options": "number"}, "properties": [{"id": "min", "value": 0}]},
             {"matcher": {"id": "byRegexp", "options": "(?=x)"}, "properties": []}]}},
          {"id": 2, "type": "graph", "title": "old", "targets": [{"expr": "up"}],
           "seriesOverrides": [{"alias": "/err/", "yaxis": 2, "color": "#FF0000", "legend": false, "fill": 0},
                               {"alias": "total", "transform": "negative-Y", "hideTooltip": true},
                               {"alias": "", "color": "red"}]}
        ]}"##;
        let (dashboard, report) = import_grafana_dashboard(text).unwrap();
        let overrides = |title: &str| {
            let panel = dashboard.panels.iter().find(|p| p.title == title).unwrap();
            panel.overrides.clone()
        };
        let traffic = overrides("traffic");
        let matchers = OverrideMatchers::new(&traffic);
        let receive = matchers.look("Receive", 0);
        assert_eq!(receive.color.as_deref(), Some("#7eb26d"));
        assert_eq!(receive.display_name.as_deref(), Some("In"));
        let transmit = matchers.look("Transmit", 1);
        assert!(transmit.negative && transmit.hide_in_legend && !transmit.hide_in_chart);
        assert_eq!(transmit.axis, AxisSide::Right);
        assert_eq!(transmit.unit, Some(Unit::BytesIec));
        assert_eq!(
            transmit.display_name.as_deref(),
            Some("Out"),
            "query C is the second kept"
        );
        assert_eq!(matchers.look("b", 0).color.as_deref(), Some("red"));
        assert_eq!(
            traffic.len(),
            4,
            "A's override picks nothing, by type is noted, the look-ahead left out, byNames is one"
        );
        let old = overrides("old");
        let matchers = OverrideMatchers::new(&old);
        let errors = matchers.look("5xx errors", 0);
        assert_eq!(errors.axis, AxisSide::Right);
        assert!(errors.hide_in_legend);
        assert_eq!(errors.color.as_deref(), Some("#ff0000"));
        let total = matchers.look("total", 0);
        assert!(total.negative && total.hide_in_tooltip && !total.hide_in_legend);
        assert_eq!(old.len(), 2, "an empty alias matches nothing");
        let notes: Vec<&String> = report.panels.iter().flat_map(|p| &p.notes).collect();
        for expected in [
            "per-series overrides not applied: custom.fillOpacity (1), matched byType (1)",
            "series pattern \"(?=x)\"",
            "per-series overrides not applied: fill (1)",
        ] {
            assert!(
                notes.iter().any(|n| n.contains(expected)),
                "{expected}: {notes:?}"
            );
        }
    }

    #[test]
    fn a_dashboard_wrapped_as_a_config_map_entry_is_read() {
        let wrapped = r#"{"etcd.json": {"title": "etcd", "panels": [
            {"id": 1, "type": "graph", "title": "up", "targets": [{"expr": "up"}]}]}}"#;
        let (dashboard, _) = import_grafana_dashboard(wrapped).unwrap();
        assert_eq!(dashboard.title, "etcd");
        assert!(import_grafana_dashboard(r#"{"a": {"b": 1}}"#).is_err());
    }

    #[test]
    fn bar_gauges_keep_their_display_mode_and_orientation() {
        let text = r##"{"title": "Bars", "panels": [
          {"id": 1, "type": "bargauge", "title": "lcd", "targets": [{"expr": "up"}],
           "options": {"displayMode": "lcd", "orientation": "vertical"}},
          {"id": 2, "type": "bargauge", "title": "defaults", "targets": [{"expr": "up"}]}
        ]}"##;
        let (dashboard, _) = import_grafana_dashboard(text).unwrap();
        let kinds: Vec<&PanelKind> = dashboard.panels.iter().map(|p| &p.kind).collect();
        assert!(matches!(
            kinds[0],
            PanelKind::Bargauge {
                display: BarDisplay::Lcd,
                orientation: BarOrientation::Vertical,
                ..
            }
        ));
        assert!(
            matches!(
                kinds[1],
                PanelKind::Bargauge {
                    display: BarDisplay::Gradient,
                    orientation: BarOrientation::Auto,
                    ..
                }
            ),
            "Grafana's defaults"
        );
    }

    #[test]
    fn series_transformations_become_overrides_and_the_rest_are_named() {
        let text = r##"{"title": "Transformed", "panels": [
          {"id": 1, "type": "timeseries", "title": "kept", "targets": [{"expr": "up"}],
           "transformations": [
             {"id": "filterFieldsByName", "options": {"include": {"names": ["Time", "read", "write", "sync"]}}},
             {"id": "filterFieldsByName", "options": {"include": {"names": ["read", "write", "other"]}}},
             {"id": "organize", "options": {"excludeByName": {"write": true}, "renameByName": {"read": "Reads"},
                                             "indexByName": {"read": 1}}},
             {"id": "reduce", "options": {"reducers": ["max"]}},
             {"id": "merge", "disabled": true}],
           "fieldConfig": {"defaults": {}, "overrides": [
             {"matcher": {"id": "byName", "options": "Reads"}, "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}}]},
             {"matcher": {"id": "byRegexp", "options": "/.*/"},
              "properties": [{"id": "custom.hideFrom", "value": {"legend": false, "tooltip": false, "viz": false}}]}]}},
          {"id": 2, "type": "table", "title": "columns", "targets": [{"expr": "up", "instant": true}],
           "transformations": [{"id": "organize", "options": {}}, {"id": "merge", "options": {}}]},
          {"id": 3, "type": "graph", "title": "pattern", "targets": [{"expr": "up"}],
           "transformations": [{"id": "filterFieldsByName", "options": {"include": {"pattern": "/^eth/"},
                                 "exclude": {"names": ["eth9"], "pattern": "eth8.*"}}},
                               {"id": "filterFieldsByName", "options": {"include": {"pattern": "/^(?!lo)/"}}}]}
        ]}"##;
        let (dashboard, report) = import_grafana_dashboard(text).unwrap();
        let looks = |title: &str, name: &str| {
            let panel = dashboard.panels.iter().find(|p| p.title == title).unwrap();
            OverrideMatchers::new(&panel.overrides).look(name, 0)
        };
        let read = looks("kept", "read");
        assert!(!read.hide_in_chart && !read.hide_in_legend);
        assert_eq!(read.display_name.as_deref(), Some("Reads"));
        assert_eq!(
            read.color.as_deref(),
            Some("red"),
            "matched by its new name"
        );
        assert!(looks("kept", "write").hide_in_chart, "excluded by organize");
        assert!(
            looks("kept", "sync").hide_in_chart,
            "not kept by the second filter"
        );
        assert!(
            looks("kept", "other").hide_in_chart,
            "not kept by the first"
        );
        let other = looks("kept", "b\nc");
        assert!(other.hide_in_chart && other.hide_in_legend && other.hide_in_tooltip);
        assert!(!looks("pattern", "eth0").hide_in_chart);
        assert!(looks("pattern", "eth9").hide_in_chart);
        assert!(
            looks("pattern", "eth80").hide_in_chart,
            "excluded by pattern"
        );
        assert!(looks("pattern", "lo").hide_in_chart);
        let notes = |title: &str| {
            report
                .panels
                .iter()
                .find(|p| p.title == title)
                .unwrap()
                .notes
                .join("; ")
        };
        assert!(
            notes("kept").contains("organize's field order, reduce"),
            "{}",
            notes("kept")
        );
        assert!(
            !notes("kept").contains("merge"),
            "a disabled step is no step"
        );
        assert!(
            notes("columns").contains("organize, merge"),
            "{}",
            notes("columns")
        );
        assert!(notes("pattern").contains("(?!lo)"), "{}", notes("pattern"));
        // Many excluded names stay one override.
        let many: Vec<String> = (0..300).map(|k| format!("\"s{k}\": true")).collect();
        let text = format!(
            r#"{{"panels": [{{"id": 1, "type": "timeseries", "title": "t", "targets": [{{"expr": "up"}}],
               "transformations": [{{"id": "organize", "options": {{"excludeByName": {{{}}}}}}}]}}]}}"#,
            many.join(", ")
        );
        let (dashboard, _) = import_grafana_dashboard(&text).unwrap();
        assert_eq!(dashboard.panels[0].overrides.len(), 1);
    }

    #[test]
    fn value_mappings_of_both_forms_are_carried_over() {
        let text = r##"{"title": "Mappings", "panels": [
          {"id": 1, "type": "stat", "title": "current", "targets": [{"expr": "up"}],
           "fieldConfig": {"defaults": {"mappings": [
             {"type": "value", "options": {"0": {"text": "Down", "color": "red"}, "1": {"text": "Up", "color": "green"}, "on": {"text": "On"}}},
             {"type": "range", "options": {"from": 2, "to": null, "result": {"text": "Many"}}},
             {"type": "special", "options": {"match": "null+nan", "result": {"text": "N/A"}}},
             {"type": "regex", "options": {"pattern": ".*", "result": {"text": "x"}}}]}}},
          {"id": 2, "type": "singlestat", "title": "old", "targets": [{"expr": "up"}],
           "valueMaps": [{"op": "=", "value": "null", "text": "none"}, {"op": "=", "value": "3", "text": "three"}],
           "rangeMaps": [{"from": "10", "to": "20", "text": "teens"}]}
        ]}"##;
        let (dashboard, report) = import_grafana_dashboard(text).unwrap();
        let shown = |title: &str, value: f64| {
            let panel = dashboard.panels.iter().find(|p| p.title == title).unwrap();
            mapped_value(&panel.mappings, value).map(|m| (m.text.clone(), m.color.clone()))
        };
        assert_eq!(
            shown("current", 0.0),
            Some(("Down".into(), Some("red".into())))
        );
        assert_eq!(shown("current", 1.0).unwrap().0, "Up");
        assert_eq!(shown("current", 7.0).unwrap().0, "Many");
        assert_eq!(shown("current", f64::NAN).unwrap().0, "N/A");
        assert_eq!(shown("current", 0.5), None);
        assert_eq!(shown("old", 3.0).unwrap().0, "three");
        assert_eq!(shown("old", 15.0).unwrap().0, "teens");
        assert_eq!(shown("old", f64::NAN).unwrap().0, "none");
        let notes: Vec<&String> = report.panels.iter().flat_map(|p| &p.notes).collect();
        assert!(
            notes.iter().any(|n| n.contains("match no number")
                && n.contains("\"on\"")
                && n.contains("regex")),
            "{notes:?}"
        );
    }

    #[test]
    fn legends_are_shown_as_grafana_shows_them() {
        let text = r#"{"title": "Legends", "panels": [
          {"id": 1, "type": "timeseries", "title": "hidden", "targets": [{"expr": "up"}],
           "options": {"legend": {"showLegend": false, "displayMode": "table"}}},
          {"id": 2, "type": "timeseries", "title": "list right", "targets": [{"expr": "up"}],
           "options": {"legend": {"displayMode": "list", "placement": "right", "width": 300}}},
          {"id": 3, "type": "graph", "title": "graph table", "targets": [{"expr": "up"}],
           "legend": {"show": true, "alignAsTable": true, "rightSide": true, "sideWidth": 1e9}},
          {"id": 4, "type": "graph", "title": "graph list", "targets": [{"expr": "up"}],
           "legend": {"show": true}},
          {"id": 5, "type": "graph", "title": "graph hidden", "targets": [{"expr": "up"}],
           "legend": {"show": false, "alignAsTable": true}},
          {"id": 6, "type": "timeseries", "title": "default", "targets": [{"expr": "up"}]}
        ]}"#;
        let (dashboard, report) = import_grafana_dashboard(text).unwrap();
        let legend = |title: &str| {
            let panel = dashboard.panels.iter().find(|p| p.title == title).unwrap();
            match panel.kind {
                PanelKind::Timeseries { legend, .. } => legend,
                _ => panic!("{title} is not a time series"),
            }
        };
        let options = |mode, placement, width| LegendOptions {
            mode,
            placement,
            width,
        };
        use LegendMode::*;
        use LegendPlacement::*;
        assert_eq!(legend("hidden"), options(Hidden, Bottom, None));
        assert_eq!(legend("list right"), options(List, Right, Some(300)));
        assert_eq!(legend("graph table"), options(Table, Right, Some(u16::MAX)));
        assert_eq!(legend("graph list"), options(List, Bottom, None));
        assert_eq!(legend("graph hidden"), options(Hidden, Bottom, None));
        assert_eq!(legend("default"), LegendOptions::default());
        assert!(
            report
                .panels
                .iter()
                .all(|p| p.notes.iter().all(|n| !n.contains("legend"))),
            "legends are carried over, not noted: {report:?}"
        );
        // Written and read back as Foresight's own document.
        let written = crate::foundation::json_serde::to_json(&dashboard).to_string();
        let read = Dashboard::from_json(&written).unwrap();
        assert_eq!(read.panels, dashboard.panels);
        assert!(
            written.contains(r#""legend":"list","legendPlacement":"right","legendWidth":300"#),
            "{written}"
        );
    }

    #[test]
    fn malformed_input_is_refused_with_a_clear_message() {
        let truncated = &CURRENT[..CURRENT.len() / 2];
        assert!(import_grafana_dashboard(truncated)
            .unwrap_err()
            .contains("not valid JSON"));
        let not_grafana = import_grafana_dashboard(r#"{"title": "x"}"#).unwrap_err();
        assert!(
            not_grafana.contains("not a Grafana dashboard"),
            "{not_grafana}"
        );
        assert!(import_grafana_dashboard("[1, 2]")
            .unwrap_err()
            .contains("not a Grafana dashboard"));
        let huge = format!(
            "{{\"panels\": [], \"title\": \"{}\"}}",
            "x".repeat(MAX_IMPORT_BYTES)
        );
        assert!(import_grafana_dashboard(&huge)
            .unwrap_err()
            .contains("refused"));
        // Wrong types inside are reported per part, never a crash.
        let odd = r#"{"title": 5, "panels": [{"type": 7, "title": ["x"], "gridPos": "no", "targets": "none"}, "nope"],
                      "templating": {"list": [{"name": "v", "type": "query", "query": 3}]}}"#;
        let (dashboard, report) = import_grafana_dashboard(odd).unwrap();
        assert_eq!(dashboard.title, "5");
        assert_eq!(report.unsupported(), 2);
        // Wrapped exports ({"dashboard": …}) are read too.
        let wrapped = format!("{{\"dashboard\": {OLD}}}");
        assert_eq!(
            import_grafana_dashboard(&wrapped).unwrap().0.title,
            "Old style"
        );
    }

    fn assert_no_overlaps(layout: &[GridPosition]) {
        let rows = |p: &GridPosition| u64::from(p.y)..u64::from(p.y) + u64::from(p.h);
        let columns = |p: &GridPosition| p.x..p.x + p.w;
        for (i, a) in layout.iter().enumerate() {
            for b in &layout[i + 1..] {
                let overlap = rows(a).start < rows(b).end
                    && rows(b).start < rows(a).end
                    && columns(a).start < columns(b).end
                    && columns(b).start < columns(a).end;
                assert!(!overlap, "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn nested_and_empty_collapsed_rows_keep_every_panel_placed() {
        // A row inside a collapsed row (Grafana never writes one) keeps its
        // own panels placed; the import is not refused.
        let nested = r#"{"panels": [{"type": "row", "title": "outer", "collapsed": true, "panels": [
            {"type": "row", "title": "inner", "collapsed": true, "panels": [
                {"type": "graph", "title": "g", "targets": [{"expr": "up"}]}]}]}]}"#;
        let (dashboard, _) = import_grafana_dashboard(nested).unwrap();
        assert_eq!(dashboard.panels.len(), 3);
        assert_eq!(dashboard.layout.len(), 3);
        // A collapsed row that stores no panels hides nothing in Grafana: the
        // panels after it stay in view.
        let empty = r#"{"panels": [
            {"type": "row", "title": "r", "collapsed": true, "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}},
            {"type": "graph", "title": "g", "gridPos": {"x": 0, "y": 1, "w": 24, "h": 8}, "targets": [{"expr": "up"}]}]}"#;
        let (dashboard, _) = import_grafana_dashboard(empty).unwrap();
        assert_eq!(dashboard.displayed_layout(&SortedMap::new()).len(), 2);
    }

    #[test]
    fn panels_at_the_far_end_of_the_grid_do_not_overflow_it() {
        // Found by fuzzing: grid rows were added up unchecked past u32::MAX.
        let current = r#"{"panels": [
            {"type": "row", "title": "r"},
            {"type": "graph", "title": "g", "gridPos": {"y": 4294967295, "h": 4294967295}},
            {"type": "graph", "title": "after"}]}"#;
        let (dashboard, _) = import_grafana_dashboard(current).unwrap();
        // Compacted: the huge panel under the row, the one without a place
        // (row 0, as Grafana reads it) beside or below it, none overlapping.
        assert_eq!(dashboard.layout[1].y, 1);
        assert_no_overlaps(&dashboard.layout);
        let old = r#"{"rows": [
            {"height": 1e300, "panels": [{"type": "graph", "span": 12}, {"type": "graph", "span": 12}]},
            {"height": "1e300px", "showTitle": true, "title": "t", "panels": [{"type": "graph"}]}],
            "panels": [{"type": "graph"}]}"#;
        let (dashboard, _) = import_grafana_dashboard(old).unwrap();
        assert!(dashboard.layout.iter().skip(1).all(|p| p.y == u32::MAX));
    }

    #[test]
    fn variable_names_kept_for_built_ins_are_not_imported() {
        // Found by fuzzing: `__x` passed the importer's name check but not the model's.
        let text = r#"{"panels": [], "templating": {"list": [
            {"name": "__x", "type": "custom", "query": "a"},
            {"name": "x", "type": "custom", "query": "a"}]}}"#;
        let (dashboard, report) = import_grafana_dashboard(text).unwrap();
        assert_eq!(dashboard.variables.len(), 1);
        assert_eq!(dashboard.variables[0].name, "x");
        assert!(
            report.notes.iter().any(|n| n.contains("\"__x\"")),
            "{report:?}"
        );
    }

    #[test]
    fn dashboards_past_the_caps_are_cut_with_a_note_or_refused() {
        let variables: Vec<String> = (0..MAX_VARIABLES + 1)
            .map(|i| format!(r#"{{"name": "v{i}", "type": "custom", "query": "a"}}"#))
            .collect();
        let targets: Vec<&str> = vec![r#"{"expr": "up"}"#; MAX_TARGETS_PER_PANEL + 1];
        let text = format!(
            r#"{{"templating": {{"list": [{}]}}, "panels": [{{"type": "graph", "targets": [{}]}}]}}"#,
            variables.join(","),
            targets.join(",")
        );
        let (dashboard, report) = import_grafana_dashboard(&text).unwrap();
        assert_eq!(dashboard.variables.len(), MAX_VARIABLES);
        assert_eq!(dashboard.panels[0].targets.len(), MAX_TARGETS_PER_PANEL);
        assert!(report.notes.iter().any(|n| n.contains("only the first")));
        assert!(report.panels[0]
            .notes
            .iter()
            .any(|n| n.contains("only the first")));

        let panels = vec![r#"{"type": "graph", "targets": [{"expr": "up"}]}"#; MAX_PANELS + 1];
        let error = import_grafana_dashboard(&format!(r#"{{"panels": [{}]}}"#, panels.join(",")))
            .unwrap_err();
        assert!(error.contains("nothing was imported"), "{error}");
    }

    #[test]
    fn prometheus_annotation_queries_are_imported_and_others_named() {
        let grafana = r##"{"title": "annotated", "panels": [],
          "annotations": {"list": [
            {"builtIn": 1, "datasource": "-- Grafana --", "enable": true, "name": "Annotations & Alerts", "type": "dashboard"},
            {"datasource": {"type": "prometheus", "uid": "${datasource}"}, "enable": true, "expr": "changes(process_start_time_seconds{job=\"api\"}[1m]) > 0",
             "iconColor": "rgba(255, 96, 96, 1)", "name": "Restarts", "step": "60s", "tagKeys": "instance, job", "titleFormat": "{{instance}} restarted", "textFormat": ""},
            {"datasource": {"type": "prometheus", "uid": "x"}, "enable": false, "name": "Deploys",
             "target": {"expr": "deploy_timestamp_ms", "refId": "Anno"}, "useValueForTime": true},
            {"datasource": "Loki", "enable": true, "expr": "{app=\"x\"}", "name": "Logs"},
            {"datasource": {"type": "prometheus"}, "enable": true, "expr": "up == 0", "name": "Restarts", "step": "often"}
          ]}}"##;
        let (dashboard, report) = import_grafana_dashboard(grafana).unwrap();
        let names: Vec<&str> = dashboard
            .annotations
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(names, ["Restarts", "Deploys", "Restarts 2"]);
        let restarts = &dashboard.annotations[0];
        assert_eq!(restarts.tag_keys, ["instance", "job"]);
        assert_eq!(restarts.title_format, "{{instance}} restarted");
        assert_eq!(restarts.step.as_deref(), Some("60s"));
        assert_eq!(restarts.color.as_deref(), Some("#ff6060"));
        let deploys = &dashboard.annotations[1];
        assert!(!deploys.enabled && deploys.use_value_as_time);
        assert_eq!(deploys.expr, "deploy_timestamp_ms");
        // A step Foresight cannot read is left to the dashboard's own.
        assert_eq!(dashboard.annotations[2].step, None);
        assert!(
            report.notes.iter().any(
                |n| n.contains("1 annotation queries read no Prometheus data")
                    && n.contains("\"Logs\"")
            ),
            "{:?}",
            report.notes
        );
    }
}
