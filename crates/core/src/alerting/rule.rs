//! Alert rules as a dashboard stores them, what an evaluation produces from a
//! query's answer (one labelled output per series, as Prometheus does), the
//! backtest over past data, and the export to a Prometheus rule file.

use super::state_machine::{Alert, AlertOutput, AlertState, RuleState};
use super::template::{Template, TemplateData};
use crate::analytics::options::{BaselineKind, Sensitivity};
use crate::analytics::panel_overlays::BaselineReference;
use crate::foundation::json::{DecodeError, Json, ObjectReader};
use crate::foundation::json_serde::{not_one_of, read_object};
use crate::foundation::ordered::{sort_stable_by, SortedMap, SortedSet};
use crate::foundation::span::{parse_prometheus_duration, parse_span};
use crate::foundation::units::Unit;
use crate::query::series::{Labels, Series};
use serde::{Deserialize, Deserializer, Serialize};

crate::foundation::json_serde::json_as_name!(Comparison => symbol);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Above,
    AtLeast,
    Below,
    AtMost,
    Equal,
    NotEqual,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Above => ">",
            Self::AtLeast => ">=",
            Self::Below => "<",
            Self::AtMost => "<=",
            Self::Equal => "==",
            Self::NotEqual => "!=",
        }
    }

    /// PromQL's comparison, which is Go's: NaN matches only `!=`.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Self::Above => value > threshold,
            Self::AtLeast => value >= threshold,
            Self::Below => value < threshold,
            Self::AtMost => value <= threshold,
            Self::Equal => value == threshold,
            Self::NotEqual => value != threshold,
        }
    }
}

impl Comparison {
    pub const ALL: [Comparison; 6] = [
        Self::Above,
        Self::AtLeast,
        Self::Below,
        Self::AtMost,
        Self::Equal,
        Self::NotEqual,
    ];
}

/// When a series of the query's answer is alerting.
/// Written as an object with its `kind` (`returns`, `threshold`, …) and members.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Condition {
    /// Every series the query returns (the comparison is in the PromQL), as in Prometheus.
    #[default]
    Returns,
    /// The value compared with a threshold.
    Threshold { op: Comparison, value: f64 },
    /// The latest sample is outside the series' baseline band (`$value`: the sample).
    OutsideBaseline {
        baseline: BaselineKind,
        /// Absent in a document means the default.
        sensitivity: Sensitivity,
    },
    /// The causal detector's score of the latest sample is above `above` (0–1; `$value`: the score).
    AnomalyScore { above: f64 },
    /// The linear trend of the last `within` reaches `op value` within `within`
    /// (`predict_linear((expr)[within:], within) op value`; `$value`: the prediction).
    ForecastCrosses {
        op: Comparison,
        value: f64,
        within: String,
    },
}

// Which members a condition has depends on its `kind`: read with an
// ObjectReader (see `read_object`) rather than serde's derive.
impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_object(deserializer, Condition::read)
    }
}

impl Condition {
    /// Every condition's `kind`, in the order of the enum.
    pub const KINDS: [&'static str; 5] = [
        "returns",
        "threshold",
        "outsideBaseline",
        "anomalyScore",
        "forecastCrosses",
    ];

    fn read(object: &ObjectReader, _: &Json) -> Result<Self, DecodeError> {
        let kind: String = object.required("kind")?;
        Ok(match kind.as_str() {
            "returns" => Self::Returns,
            "threshold" => Self::Threshold {
                op: object.required("op")?,
                value: object.required("value")?,
            },
            "outsideBaseline" => Self::OutsideBaseline {
                baseline: object.required("baseline")?,
                sensitivity: object.or_default("sensitivity")?,
            },
            "anomalyScore" => Self::AnomalyScore {
                above: object.required("above")?,
            },
            "forecastCrosses" => Self::ForecastCrosses {
                op: object.required("op")?,
                value: object.required("value")?,
                within: object.required("within")?,
            },
            other => return Err(not_one_of(other, &Self::KINDS).in_member("kind")),
        })
    }

    /// Judged on a range of history in the browser rather than on an instant answer.
    pub fn is_analytic(&self) -> bool {
        !matches!(self, Self::Returns | Self::Threshold { .. })
    }

    /// How it reads after the expression (`> 5`, `outside the 1w baseline`).
    pub fn describe(&self) -> String {
        match self {
            Self::Returns => String::new(),
            Self::Threshold { op, value } => format!("{} {value}", op.symbol()),
            Self::OutsideBaseline {
                baseline,
                sensitivity,
            } => format!(
                "outside the baseline ({}, {} sensitivity)",
                baseline.describe(),
                sensitivity.id()
            ),
            Self::AnomalyScore { above } => format!("anomaly score above {above}"),
            Self::ForecastCrosses { op, value, within } => {
                format!("forecast {} {value} within {within}", op.symbol())
            }
        }
    }
}

/// One alert rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertRule {
    /// The `alertname` label.
    pub name: String,
    pub expr: String,
    #[serde(default)]
    pub condition: Condition,
    /// How long a series must keep alerting before the alert fires (`5m`).
    #[serde(default, rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_firing_for: Option<String>,
    /// How often it is evaluated (default `1m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub labels: SortedMap<String, String>,
    /// `summary`, `description`, `runbook_url`, … (templates).
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub annotations: SortedMap<String, String>,
    /// The unit its value is shown in (a rule made from a panel takes the panel's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// What may be done about its alerts (webhooks to confirmed targets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<super::remediation::RemediationAction>,
}

/// A rule's `for`, `keep_firing_for` or `interval` as Prometheus reads them
/// (`1h30m`, `0`); unset or empty is `default`.
fn seconds_of(text: &Option<String>, what: &str, default: f64) -> Result<f64, String> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(text) => parse_prometheus_duration(text).map_err(|e| format!("{what}: {e}")),
    }
}

/// Each rule's key for its state, schedule, health and backtest: its name,
/// and for a later rule of the same name (Prometheus allows them: a warning
/// and a critical `HighErrorRate`) the name and its place among them
/// (`HighErrorRate #2`), never equal to another rule's name.
pub fn rule_keys(rules: &[AlertRule]) -> Vec<String> {
    // Names may be long and repeated (a rule file allows 200 rules of one
    // 10 KB name): each name's last place is remembered, so every place is
    // tried once, and lookups go to sorted sets instead of the whole list.
    let names: SortedSet<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    let mut taken = SortedSet::new();
    let mut last_place: SortedMap<&str, usize> = SortedMap::new();
    let mut keys = Vec::with_capacity(rules.len());
    for rule in rules {
        let mut key = rule.name.clone();
        if taken.contains(&key) {
            let place = last_place.get(rule.name.as_str()).copied().unwrap_or(1);
            let mut place = place + 1;
            key = format!("{} #{place}", rule.name);
            while taken.contains(&key) || names.contains(key.as_str()) {
                place += 1;
                key = format!("{} #{place}", rule.name);
            }
            last_place.insert(rule.name.as_str(), place);
        }
        taken.insert(key.clone());
        keys.push(key);
    }
    keys
}

/// One alert's life in a backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub labels: Labels,
    pub pending_at: f64,
    pub firing_at: Option<f64>,
    /// `None` while still active at the end of the range.
    pub resolved_at: Option<f64>,
}

/// The first dashboard variable `expr` names, as written (`job`, `{job}`,
/// `__rate_interval`): a rule runs without the page's selection, so it
/// cannot have one. A regex anchor (`"a$"`) is not one.
pub fn dashboard_variable_in(expr: &str) -> Option<String> {
    let variable = expr
        .split('$')
        .skip(1)
        .find(|rest| rest.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == '{'))?;
    Some(
        variable
            .chars()
            .take_while(|c| c.is_alphanumeric() || "_{}".contains(*c))
            .collect(),
    )
}

impl AlertRule {
    /// A new rule: `expr > threshold` for 5 minutes, evaluated every minute.
    pub fn starter(name: &str, expr: &str, threshold: f64, summary: &str) -> Self {
        Self {
            unit: None,
            name: name.to_string(),
            expr: expr.to_string(),
            condition: Condition::Threshold {
                op: Comparison::Above,
                value: threshold,
            },
            for_duration: Some("5m".into()),
            keep_firing_for: None,
            interval: Some("1m".into()),
            labels: SortedMap::new(),
            annotations: [("summary".to_string(), summary.to_string())].into(),
            actions: Vec::new(),
        }
    }

    /// An alert's value as people read it: in the rule's unit (`9.72%`), a
    /// plain scaled number when it has none.
    pub fn format_value(&self, value: f64) -> String {
        crate::foundation::units::format_value(value, self.unit.unwrap_or(Unit::Short), None)
    }

    pub fn for_seconds(&self) -> Result<f64, String> {
        seconds_of(&self.for_duration, "for", 0.0)
    }

    pub fn keep_firing_for_seconds(&self) -> Result<f64, String> {
        seconds_of(&self.keep_firing_for, "keep_firing_for", 0.0)
    }

    pub fn interval_seconds(&self) -> Result<f64, String> {
        seconds_of(&self.interval, "interval", 60.0)
    }

    /// Everything wrong with the rule, said before it ever runs.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        // Prometheus takes any name (`CassandraCommitlogPendingTasks(criteo)`);
        // the rule file export quotes it.
        if self.name.trim().is_empty() {
            problems.push("the alert name is empty".into());
        }
        if self.expr.trim().is_empty() {
            problems.push("the expression is empty".into());
        }
        if let Some(name) = dashboard_variable_in(&self.expr) {
            problems.push(format!(
                "the expression uses the dashboard variable ${name}; a rule runs without the page's selection, so write the value instead"
            ));
        }
        match &self.condition {
            Condition::AnomalyScore { above } if !(0.0..1.0).contains(above) => problems.push(
                format!("the anomaly score threshold {above} must be between 0 and 1 (e.g. 0.99)"),
            ),
            Condition::ForecastCrosses { within, .. } => {
                if let Err(e) = parse_span(within) {
                    problems.push(format!("forecast horizon: {e}"));
                }
            }
            Condition::Threshold { value, .. } if !value.is_finite() => {
                problems.push("the threshold must be a number".into())
            }
            _ => {}
        }
        for result in [self.for_seconds(), self.keep_firing_for_seconds()] {
            if let Err(e) = result {
                problems.push(e);
            }
        }
        match self.interval_seconds() {
            Err(e) => problems.push(e),
            Ok(seconds) if seconds < 1.0 => {
                problems.push("the evaluation interval must be at least 1s".into())
            }
            Ok(_) => {}
        }
        for (name, text) in self.labels.iter().chain(&self.annotations) {
            if let Err(e) = Template::parse(text) {
                problems.push(format!("{name}: {e}"));
            }
        }
        for name in self.labels.keys() {
            if !crate::foundation::names::is_identifier(name) {
                problems.push(format!("label name {name:?} must be letters, digits and _"));
            }
        }
        if self.actions.len() > super::remediation::MAX_ACTIONS_PER_RULE {
            problems.push(format!(
                "{} actions; at most {} are allowed",
                self.actions.len(),
                super::remediation::MAX_ACTIONS_PER_RULE
            ));
        }
        for (index, action) in self.actions.iter().enumerate() {
            problems.extend(action.problems());
            if self.actions[..index].iter().any(|a| a.name == action.name) {
                problems.push(format!("action {:?} is defined twice", action.name));
            }
        }
        problems
    }

    /// The alerts for a query answer: each matching series' labels (without
    /// `__name__`), the rule's labels (templated; one that renders empty is
    /// dropped), and `alertname`; templates see the series' own labels.
    pub fn outputs(&self, answer: &[(Labels, f64)], external_labels: &Labels) -> Vec<AlertOutput> {
        let context = TemplateData {
            external_labels: external_labels.clone(),
            ..TemplateData::default()
        };
        self.outputs_with(answer, &context)
    }

    /// The series of `answer` the rule's condition keeps.
    fn matching<'a>(
        &'a self,
        answer: &'a [(Labels, f64)],
    ) -> impl Iterator<Item = &'a (Labels, f64)> + 'a {
        answer.iter().filter(|(_, value)| match self.condition {
            Condition::Threshold {
                op,
                value: threshold,
            } => op.holds(*value, threshold),
            // Analytic answers hold only the series that meet the condition.
            _ => true,
        })
    }

    /// [`Self::outputs`] with the whole context: external labels and URL,
    /// the answers to the label templates' queries, the evaluation's budget.
    pub fn outputs_with(
        &self,
        answer: &[(Labels, f64)],
        context: &TemplateData,
    ) -> Vec<AlertOutput> {
        let templates = parse_all(&self.labels);
        self.matching(answer)
            .map(|(series_labels, value)| {
                let mut labels: Labels = series_labels.clone();
                labels.remove("__name__");
                let data = TemplateData {
                    labels: series_labels.clone(),
                    value: *value,
                    ..context.clone()
                };
                for (name, template) in &templates {
                    let rendered = rendered(template, &data);
                    // As in Prometheus, a label that renders empty is no label
                    // (it also removes the series' label of that name).
                    if rendered.is_empty() {
                        labels.remove(*name);
                    } else {
                        labels.insert((*name).clone(), rendered);
                    }
                }
                labels.insert("alertname".into(), self.name.clone());
                AlertOutput {
                    labels,
                    value: *value,
                    series_labels: series_labels.clone(),
                }
            })
            .collect()
    }

    /// Rendered annotations for one alert. As in Prometheus, `$labels` are the
    /// series' labels (`__name__` included), not the alert's.
    pub fn render_annotations(
        &self,
        series_labels: &Labels,
        value: f64,
        external_labels: &Labels,
    ) -> SortedMap<String, String> {
        let context = TemplateData {
            external_labels: external_labels.clone(),
            ..TemplateData::default()
        };
        self.render_annotations_with(series_labels, value, &context)
    }

    /// [`Self::render_annotations`] with the whole context: external labels
    /// and URL, and the answers to the templates' `query` calls.
    pub fn render_annotations_with(
        &self,
        series_labels: &Labels,
        value: f64,
        context: &TemplateData,
    ) -> SortedMap<String, String> {
        let data = TemplateData {
            labels: series_labels.clone(),
            value,
            ..context.clone()
        };
        parse_all(&self.annotations)
            .into_iter()
            .map(|(name, template)| (name.clone(), rendered(&template, &data)))
            .collect()
    }

    /// An alert's annotations: as rendered at its last evaluation, or (an
    /// alert stored before they were kept, or past the rule's share of
    /// storage) rendered now with `context` (whose budget the renderings of
    /// one view or one sending share).
    pub fn annotations_of(
        &self,
        alert: &Alert,
        context: &TemplateData,
    ) -> SortedMap<String, String> {
        if !alert.annotations.is_empty() {
            return alert.annotations.clone();
        }
        self.render_annotations_with(
            &alert.template_labels(self.labels.keys().cloned()),
            alert.value,
            context,
        )
    }

    /// The queries the rule's templates still need answered to render the
    /// alerts of `answer` (each template one at a time: a later query may
    /// depend on an earlier answer). Empty when every answer is in `context`.
    pub fn template_queries(
        &self,
        answer: &[(Labels, f64)],
        context: &TemplateData,
    ) -> Vec<String> {
        let templates: Vec<Template> = self
            .labels
            .values()
            .chain(self.annotations.values())
            .filter_map(|text| Template::parse(text).ok())
            .filter(Template::uses_queries)
            .collect();
        let mut queries = Vec::new();
        if templates.is_empty() {
            return queries;
        }
        for (series_labels, value) in self.matching(answer) {
            let data = TemplateData {
                labels: series_labels.clone(),
                value: *value,
                ..context.clone()
            };
            queries.extend(templates.iter().filter_map(|t| t.next_query(&data)));
        }
        queries.sort_unstable();
        queries.dedup();
        queries
    }

    /// Replays the rule over past data (the query's range answer at the
    /// evaluation interval; for a day/week baseline condition also the aligned
    /// baseline answer): when each alert would have been pending, firing and
    /// resolved.
    pub fn backtest(
        &self,
        series: &[Series],
        start: f64,
        end: f64,
        reference: Option<&BaselineReference>,
    ) -> Result<Vec<Episode>, String> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        let (for_s, keep_s, step) = (
            self.for_seconds()?,
            self.keep_firing_for_seconds()?,
            self.interval_seconds()?,
        );
        let mut state = RuleState::default();
        let mut open: SortedMap<String, Episode> = SortedMap::new();
        let mut done = Vec::new();
        let key = |labels: &Labels| format!("{labels:?}");
        let evaluations = ((end - start) / step).floor().max(0.0) as usize;
        let times: Vec<f64> = (0..=evaluations.min(200_000))
            .map(|k| start + step * k as f64)
            .collect();
        let analytic = if self.condition.is_analytic() {
            let window = crate::query::step::QueryWindow { start, end, step };
            Some(super::analytic_condition::analytic_answers(
                &self.condition,
                series,
                reference,
                &window,
                &times,
            )?)
        } else {
            None
        };
        for (k, &now) in times.iter().enumerate() {
            let answer: Vec<(Labels, f64)> = match &analytic {
                Some(answers) => answers[k].clone(),
                None => series
                    .iter()
                    .filter_map(|s| {
                        let at =
                            crate::chart::geometry::nearest_sample(&s.timestamps, now, step / 2.0)?;
                        let value = s.values[at];
                        // NaN marks a gap in a series here, so the backtest
                        // cannot tell a NaN sample from a missing one.
                        (!value.is_nan() || matches!(self.condition, Condition::Returns))
                            .then(|| (s.labels.clone(), value))
                    })
                    .collect(),
            };
            let outputs = self.outputs(&answer, &Labels::new());
            for transition in state.evaluate_outputs(now, &outputs, for_s, keep_s) {
                let id = key(&transition.labels);
                match transition.to {
                    AlertState::Pending => {
                        if let Some(finished) = open.remove(&id) {
                            done.push(finished);
                        }
                        open.insert(
                            id,
                            Episode {
                                labels: transition.labels,
                                pending_at: now,
                                firing_at: None,
                                resolved_at: None,
                            },
                        );
                    }
                    AlertState::Firing => {
                        if let Some(episode) = open.get_mut(&id) {
                            episode.firing_at = Some(now);
                        }
                    }
                    AlertState::Inactive => {
                        if let Some(mut episode) = open.remove(&id) {
                            episode.resolved_at = Some(now);
                            done.push(episode);
                        }
                    }
                }
            }
        }
        done.extend(open.into_values());
        sort_stable_by(&mut done, |a, b| a.pending_at.total_cmp(&b.pending_at));
        Ok(done)
    }
}

/// How many times a backtest would have paged (episodes that reached Firing).
pub fn pages(episodes: &[Episode]) -> usize {
    episodes.iter().filter(|e| e.firing_at.is_some()).count()
}

/// A YAML double-quoted scalar. Everything that could end the scalar or the
/// line (quotes, backslashes, control characters, and NEL, LS and PS, which
/// YAML also reads as line breaks) is escaped, so a rule's name, label or
/// annotation cannot add lines of its own to the exported file.
pub(crate) fn yaml_quoted(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if c.is_control() => quoted.push_str(&format!("\\x{:02X}", c as u32)),
            // Line breaks to YAML, and what YAML does not allow in a file.
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}' => {
                quoted.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Seconds as a PromQL duration: whole seconds, else milliseconds.
fn promql_duration(seconds: f64) -> String {
    if seconds.fract() == 0.0 {
        format!("{seconds:.0}s")
    } else {
        format!("{:.0}ms", seconds * 1000.0)
    }
}

/// A comment line's text: line breaks would start YAML of their own.
fn yaml_comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
                )
            {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The rules as a Prometheus rule file, ready for `promtool check rules`:
/// one group per evaluation interval, since the page evaluates each rule at
/// its own and Prometheus evaluates a group's rules at the group's. Each group
/// states its interval (a rule without one runs every minute here, whatever
/// the server's global `evaluation_interval`). The first group is named
/// `group`; the others add their interval (`group (every 30s)`). Baseline and
/// anomaly-score conditions have no PromQL equivalent: they are listed in a
/// comment at the top and left out.
pub fn to_prometheus_rule_file(group: &str, rules: &[AlertRule]) -> Result<String, String> {
    let (exported, browser_only): (Vec<&AlertRule>, Vec<&AlertRule>) =
        rules.iter().partition(|rule| {
            !matches!(
                rule.condition,
                Condition::OutsideBaseline { .. } | Condition::AnomalyScore { .. }
            )
        });
    let mut text = String::new();
    for rule in &browser_only {
        text.push_str(&format!(
            "# {} ({}) is evaluated only in Foresight: PromQL has no equivalent.\n",
            yaml_comment(&rule.name),
            yaml_comment(&rule.condition.describe())
        ));
    }
    // Groups in the order their interval first appears; rules in file order.
    let mut groups: Vec<(f64, &str, Vec<&AlertRule>)> = Vec::new();
    for rule in exported {
        let problems = rule.problems();
        if !problems.is_empty() {
            return Err(format!("{}: {}", rule.name, problems.join("; ")));
        }
        let seconds = rule.interval_seconds()?;
        let written = rule
            .interval
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty());
        match groups.iter_mut().find(|(s, _, _)| *s == seconds) {
            Some((_, _, members)) => members.push(rule),
            None => groups.push((seconds, written.unwrap_or("1m"), vec![rule])),
        }
    }
    text.push_str("groups:\n");
    if groups.is_empty() {
        // Nothing to export: one empty group, which Prometheus accepts.
        text.push_str(&format!(
            "  - name: {}\n    rules: []\n",
            yaml_quoted(group)
        ));
    }
    for (index, (_, interval, members)) in groups.iter().enumerate() {
        let name = if index == 0 {
            group.to_string()
        } else {
            format!("{group} (every {interval})")
        };
        text.push_str(&format!(
            "  - name: {}\n    interval: {}\n    rules:\n",
            yaml_quoted(&name),
            yaml_quoted(interval)
        ));
        for rule in members {
            write_exported_rule(&mut text, rule)?;
        }
    }
    Ok(text)
}

/// One alerting rule of [`to_prometheus_rule_file`].
fn write_exported_rule(text: &mut String, rule: &AlertRule) -> Result<(), String> {
    let expr = match &rule.condition {
        Condition::Threshold { op, value } => {
            format!("({}) {} {value}", rule.expr, op.symbol())
        }
        Condition::ForecastCrosses { op, value, within } => {
            // In seconds, as the page reads them, at the page's step.
            let within = parse_span(within)?;
            let step = super::analytic_condition::history_step(within, rule.interval_seconds()?);
            format!(
                "predict_linear(({})[{}:{}], {within}) {} {value}",
                rule.expr,
                promql_duration(within),
                promql_duration(step),
                op.symbol()
            )
        }
        _ => rule.expr.clone(),
    };
    text.push_str(&format!(
        "      - alert: {}\n        expr: {}\n",
        yaml_quoted(&rule.name),
        yaml_quoted(&expr)
    ));
    if let Some(for_duration) = &rule.for_duration {
        text.push_str(&format!(
            "        for: {}\n",
            yaml_quoted(for_duration.trim())
        ));
    }
    if let Some(keep) = &rule.keep_firing_for {
        text.push_str(&format!(
            "        keep_firing_for: {}\n",
            yaml_quoted(keep.trim())
        ));
    }
    for (section, entries) in [("labels", &rule.labels), ("annotations", &rule.annotations)] {
        if !entries.is_empty() {
            text.push_str(&format!("        {section}:\n"));
            for (name, value) in entries {
                text.push_str(&format!(
                    "          {}: {}\n",
                    yaml_quoted(name),
                    yaml_quoted(value)
                ));
            }
        }
    }
    Ok(())
}

/// Each template of a rule's labels or annotations, parsed once.
fn parse_all(texts: &SortedMap<String, String>) -> Vec<(&String, Result<Template, String>)> {
    texts
        .iter()
        .map(|(name, text)| (name, Template::parse(text)))
        .collect()
}

/// A template's rendering, or Prometheus's text for a template that failed.
fn rendered(template: &Result<Template, String>, data: &TemplateData) -> String {
    template
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|t| t.render(data))
        .unwrap_or_else(|e| format!("<error expanding template: {e}>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_rate_rule() -> AlertRule {
        crate::foundation::json::decode(
            r#"{"name": "HighErrorRate", "expr": "sum by (instance) (rate(errors[5m])) / sum by (instance) (rate(requests[5m]))",
                "condition": {"kind": "threshold", "op": ">", "value": 0.05}, "for": "5m",
                "labels": {"severity": "page"},
                "annotations": {"summary": "{{ $labels.instance }} fails {{ $value | humanizePercentage }} of requests"}}"#,
        )
        .unwrap()
    }

    fn series(instance: &str, values: &[f64]) -> Series {
        Series {
            labels: [("instance".to_string(), instance.to_string())].into(),
            timestamps: (0..values.len()).map(|i| i as f64 * 60.0).collect(),
            values: values.to_vec(),
        }
    }

    #[test]
    fn outputs_filter_label_and_template() {
        let rule = error_rate_rule();
        assert!(rule.problems().is_empty(), "{:?}", rule.problems());
        let answer = vec![
            (
                [
                    ("instance".to_string(), "a".to_string()),
                    ("__name__".to_string(), "x".to_string()),
                ]
                .into(),
                0.08,
            ),
            ([("instance".to_string(), "b".to_string())].into(), 0.01),
            ([("instance".to_string(), "c".to_string())].into(), f64::NAN),
        ];
        let outputs = rule.outputs(&answer, &Labels::new());
        assert_eq!(outputs.len(), 1);
        let labels = &outputs[0].labels;
        assert_eq!(
            labels.get("alertname").map(String::as_str),
            Some("HighErrorRate")
        );
        assert_eq!(labels.get("severity").map(String::as_str), Some("page"));
        assert!(!labels.contains_key("__name__"));
        let annotations = rule.render_annotations(&outputs[0].series_labels, 0.08, &Labels::new());
        assert_eq!(annotations["summary"], "a fails 8% of requests");
    }

    /// As Prometheus 2.42 renders it (see the conformance test): templates see
    /// the series' labels, `__name__` included, not the rule's replacements.
    #[test]
    fn values_are_shown_in_the_rule_unit() {
        let mut rule = error_rate_rule();
        assert_eq!(rule.format_value(9.718_167_030_665_118), "9.72");
        rule.unit = Some(Unit::Percent);
        assert_eq!(rule.format_value(9.718_167_030_665_118), "9.72%");
        rule.unit = Some(Unit::Seconds);
        assert_eq!(rule.format_value(f64::NAN), "NaN");
        let text = crate::foundation::json::ToJson::to_json(&rule).to_string();
        assert!(text.contains(r#""unit":"s""#), "{text}");
    }

    #[test]
    fn templates_see_the_series_labels_not_the_rule_labels() {
        let mut rule = error_rate_rule();
        rule.labels = [("env".to_string(), "x".to_string())].into();
        rule.annotations = [(
            "summary".to_string(),
            "{{ $labels.__name__ }} {{ $labels.env }} {{ $labels }}".to_string(),
        )]
        .into();
        let answer = [(
            [
                ("__name__".to_string(), "metric".to_string()),
                ("env".to_string(), "straße".to_string()),
            ]
            .into(),
            1.0,
        )];
        let output = &rule.outputs(&answer, &Labels::new())[0];
        assert_eq!(output.labels["env"], "x");
        let mut state = RuleState::default();
        state.evaluate_outputs(0.0, std::slice::from_ref(output), 0.0, 0.0);
        let alert = state.alerts.values().next().unwrap();
        let annotations = rule.render_annotations(
            &alert.template_labels(rule.labels.keys().cloned()),
            alert.value,
            &Labels::new(),
        );
        assert_eq!(
            annotations["summary"],
            "metric straße map[__name__:metric env:straße]"
        );
    }

    #[test]
    fn problems_are_found_before_running() {
        let mut rule = error_rate_rule();
        rule.name = " ".into();
        rule.for_duration = Some("soon".into());
        rule.annotations
            .insert("summary".into(), "{{ $valu }}".into());
        let problems = rule.problems();
        assert_eq!(problems.len(), 3, "{problems:?}");
        // Prometheus takes any other name.
        rule.name = "CassandraCommitlogPendingTasks(criteo)".into();
        assert_eq!(rule.problems().len(), 2);
    }

    #[test]
    fn nan_matches_only_not_equal_and_empty_rule_labels_are_dropped() {
        for op in Comparison::ALL {
            assert_eq!(
                op.holds(f64::NAN, 5.0),
                op == Comparison::NotEqual,
                "{op:?}"
            );
        }
        let mut rule = error_rate_rule();
        rule.condition = Condition::Threshold {
            op: Comparison::NotEqual,
            value: 5.0,
        };
        rule.labels = [
            ("severity".to_string(), "{{ $labels.missing }}".to_string()),
            ("instance".to_string(), "".to_string()),
        ]
        .into();
        let answer = [([("instance".to_string(), "a".to_string())].into(), f64::NAN)];
        let outputs = rule.outputs(&answer, &Labels::new());
        assert_eq!(outputs.len(), 1, "NaN != 5 holds, as in Prometheus");
        let labels = &outputs[0].labels;
        assert!(
            !labels.contains_key("severity") && !labels.contains_key("instance"),
            "{labels:?}"
        );
    }

    #[test]
    fn rules_of_the_same_name_get_keys_of_their_own() {
        let named = |name: &str| AlertRule {
            name: name.into(),
            ..error_rate_rule()
        };
        let rules = [
            named("A"),
            named("B"),
            named("A"),
            named("A #2"),
            named("A"),
        ];
        assert_eq!(rule_keys(&rules), ["A", "B", "A #3", "A #2", "A #4"]);
    }

    /// The keys as first written (a search of the whole list per place),
    /// which `rule_keys` must give in linear time.
    fn rule_keys_by_search(rules: &[AlertRule]) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for rule in rules {
            let mut key = rule.name.clone();
            let mut place = 1;
            while keys.contains(&key) || (place > 1 && rules.iter().any(|r| r.name == key)) {
                place += 1;
                key = format!("{} #{place}", rule.name);
            }
            keys.push(key);
        }
        keys
    }

    #[test]
    fn rule_keys_are_the_searched_keys_for_any_names() {
        let named = |name: String| AlertRule {
            name,
            ..error_rate_rule()
        };
        let pool = ["A", "B", "A #2", "A #3", "B #2", "A #2 #2", "A #10"];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..3_000 {
            let mut rules = Vec::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            for draw in 0..(seed % 12) {
                let pick = (seed >> (4 * draw)) as usize % pool.len();
                rules.push(named(pool[pick].to_string()));
            }
            assert_eq!(rule_keys(&rules), rule_keys_by_search(&rules));
        }
        // 200 rules of one 10 KB name: each place is tried once.
        let long = "x".repeat(10_000);
        let rules: Vec<AlertRule> = (0..200).map(|_| named(long.clone())).collect();
        let keys = rule_keys(&rules);
        assert_eq!(keys[199], format!("{long} #200"));
    }

    #[test]
    fn hostile_names_and_annotations_cannot_add_lines_to_the_rule_file() {
        let plain = to_prometheus_rule_file("g", &[error_rate_rule()]).unwrap();
        let mut hostile = error_rate_rule();
        hostile.annotations.insert(
            "a\n      - alert: Injected\n        expr: vector(1)\n#".into(),
            "x\"\n  - alert: Injected2\u{2028}\u{85}\r\0".into(),
        );
        hostile.annotations.remove("summary");
        let text = to_prometheus_rule_file("g\nrules: []", &[hostile]).unwrap();
        assert_eq!(text.lines().count(), plain.lines().count(), "{text}");
        assert!(!text.contains('\u{2028}') && !text.contains('\u{85}') && !text.contains('\r'));
        assert!(text.contains(r#""a\n      - alert: Injected\n        expr: vector(1)\n#": "x\"\n  - alert: Injected2\u2028\x85\r\x00""#), "{text}");
    }

    #[test]
    fn a_backtest_counts_pages() {
        let rule = error_rate_rule();
        // a: two excursions of 7 and 3 minutes (only the first lasts 5 m); b: calm.
        let mut a = vec![0.01; 40];
        for v in &mut a[5..12] {
            *v = 0.2;
        }
        for v in &mut a[20..23] {
            *v = 0.2;
        }
        let episodes = rule
            .backtest(
                &[series("a", &a), series("b", &[0.01; 40])],
                0.0,
                39.0 * 60.0,
                None,
            )
            .unwrap();
        assert_eq!(episodes.len(), 2, "{episodes:?}");
        assert_eq!(episodes[0].pending_at, 300.0);
        assert_eq!(episodes[0].firing_at, Some(600.0));
        assert_eq!(episodes[0].resolved_at, Some(720.0));
        assert_eq!(episodes[1].firing_at, None, "3 minutes never reach for: 5m");
        assert_eq!(pages(&episodes), 1);
    }

    #[test]
    fn export_writes_one_group_per_evaluation_interval() {
        let every = |name: &str, interval: Option<&str>| {
            let mut rule = error_rate_rule();
            rule.name = name.into();
            rule.interval = interval.map(Into::into);
            rule
        };
        let mut forecast = every("DiskFull", Some("30s"));
        forecast.condition = Condition::ForecastCrosses {
            op: Comparison::Above,
            value: 0.9,
            within: "4h".into(),
        };
        let rules = [
            every("A", None),
            every("B", Some("30s")),
            every("C", Some("60s")),
            forecast,
            every("E", Some("1m")),
        ];
        let text = to_prometheus_rule_file("board", &rules).unwrap();
        // A, C and E run every minute here (C and E say so in other words), B and DiskFull every 30 s.
        let groups: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("  - name: "))
            .collect();
        assert_eq!(
            groups,
            ["  - name: \"board\"", "  - name: \"board (every 30s)\""],
            "{text}"
        );
        let (first, second) = text.split_at(text.find("board (every 30s)").unwrap());
        assert!(first.contains("    interval: \"1m\"\n"), "{text}");
        assert!(second.contains("    interval: \"30s\"\n"), "{text}");
        for (name, part) in [
            ("A", first),
            ("C", first),
            ("E", first),
            ("B", second),
            ("DiskFull", second),
        ] {
            assert!(
                part.contains(&format!("- alert: \"{name}\"")),
                "{name} in the wrong group:\n{text}"
            );
        }
        // The forecast's subquery steps at its group's interval.
        assert!(second.contains("[14400s:30s], 14400)"), "{text}");
        // … or coarser, as the page reads its history, for a long horizon:
        // a week at one minute would be more points than Prometheus answers.
        let mut weekly = every("Weekly", None);
        weekly.condition = Condition::ForecastCrosses {
            op: Comparison::Above,
            value: 0.9,
            within: "1w\u{a0}".into(),
        };
        let text = to_prometheus_rule_file("board", &[weekly]).unwrap();
        assert!(text.contains("[604800s:61s], 604800)"), "{text}");
    }

    #[test]
    fn export_with_no_exportable_rule_is_an_empty_group() {
        let mut rule = error_rate_rule();
        rule.condition = Condition::AnomalyScore { above: 4.0 };
        let text = to_prometheus_rule_file("board", &[rule]).unwrap();
        assert!(text.starts_with("# HighErrorRate"), "{text}");
        assert!(
            text.ends_with("groups:\n  - name: \"board\"\n    rules: []\n"),
            "{text}"
        );
    }

    #[test]
    fn browser_only_rules_are_named_in_comments_yaml_allows() {
        let mut rule = error_rate_rule();
        rule.name = "x\u{FFFF}\u{FFFE}\u{FEFF}\u{2028}y".into();
        rule.condition = Condition::AnomalyScore { above: 4.0 };
        let text = to_prometheus_rule_file("board", &[rule]).unwrap();
        assert!(text.starts_with("# x    y ("), "{text}");
    }

    #[test]
    fn yaml_quoted_escapes_what_yaml_does_not_allow() {
        assert_eq!(yaml_quoted("a\u{FFFE}b\u{FFFF}"), "\"a\\uFFFEb\\uFFFF\"");
    }

    #[test]
    fn export_quotes_everything() {
        let text = to_prometheus_rule_file("foresight", &[error_rate_rule()]).unwrap();
        assert!(text.contains("expr: \"(sum by (instance)"), "{text}");
        assert!(text.contains(") > 0.05\""), "{text}");
        assert!(text.contains("for: \"5m\""));
        assert!(text.contains("\"summary\": \"{{ $labels.instance }} fails"));
        assert!(text.contains("- alert: \"HighErrorRate\""));
    }
}
