//! Service-level objectives: an indicator (a ratio of events), an objective
//! and a period; the error budget and burn rates they imply; and the SRE
//! workbook's multi-window, multi-burn-rate alerts, written as Prometheus
//! recording and alerting rules.
//!
//! The indicator's queries carry Sloth's `{{.window}}` placeholder, so a
//! Sloth spec's queries are taken as they are. Rule names follow Sloth's
//! (`slo:sli_error:ratio_rate5m`, …) so dashboards built on them keep
//! working; where the expressions differ from Sloth's, it is said beside
//! the code.

use super::rule::yaml_quoted;
use crate::foundation::span::parse_prometheus_duration;
use serde::{Deserialize, Serialize};

/// What the indicator counts: `errors` (failed events) or `good` events,
/// over `total` events; or a `latency` objective, whose good events are a
/// histogram's bucket at the threshold and its total the histogram's count.
/// Exactly one of the three.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Indicator {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub good: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub total: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<LatencyIndicator>,
}

/// "Requests answered within `threshold_seconds`", from a classic histogram.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencyIndicator {
    /// The histogram's name, without `_bucket` (`http_request_duration_seconds`).
    pub histogram: String,
    /// Label matchers inside the braces (`job="api",handler="/hello"`); may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub matchers: String,
    /// One of the histogram's bucket bounds, in seconds.
    pub threshold_seconds: f64,
}

impl LatencyIndicator {
    /// The matcher of the bucket at the threshold. A whole number is
    /// written `1` by the Go client and `1.0` once Prometheus 3 normalises
    /// it: both are matched. Others print alike in Go and here within the
    /// thresholds allowed (0.0001 s to 100,000 s).
    pub fn le_matcher(&self) -> String {
        let value = self.threshold_seconds;
        if value.fract() == 0.0 {
            format!("le=~\"{value}|{value}\\\\.0\"")
        } else {
            format!("le=\"{value}\"")
        }
    }

    fn selector(&self, suffix: &str, extra: Option<String>) -> String {
        let matchers: Vec<String> = [self.matchers.trim().trim_end_matches(',').to_string()]
            .into_iter()
            .chain(extra)
            .filter(|m| !m.is_empty())
            .collect();
        format!("{}{suffix}{{{}}}", self.histogram, matchers.join(","))
    }

    /// Requests within the threshold, per second over `{{.window}}`.
    pub fn good_query(&self) -> String {
        format!(
            "sum(rate({}[{WINDOW_PLACEHOLDER}]))",
            self.selector("_bucket", Some(self.le_matcher()))
        )
    }

    /// All requests, per second over `{{.window}}`.
    pub fn total_query(&self) -> String {
        format!(
            "sum(rate({}[{WINDOW_PLACEHOLDER}]))",
            self.selector("_count", None)
        )
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let name_ok = self.histogram.chars().enumerate().all(|(i, c)| {
            c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
        }) && !self.histogram.is_empty()
            && self.histogram.len() <= 200;
        if !name_ok {
            problems.push(format!(
                "the latency histogram {:?} is not a metric name",
                self.histogram
            ));
        }
        // The matchers go between braces: anything that could close them
        // would change what the indicator counts.
        if self.matchers.len() > 1000 || !are_label_matchers(&self.matchers) {
            problems.push(
                "the latency matchers must be label matchers such as job=\"api\",handler=\"/hello\""
                    .into(),
            );
        }
        if !(1e-4..=1e5).contains(&self.threshold_seconds) {
            problems.push(format!(
                "the latency threshold must be from 0.0001 to 100000 seconds, not {}",
                self.threshold_seconds
            ));
        }
        problems
    }
}

/// Whether `text` is label matchers as PromQL writes them between braces:
/// `name op "value"` (op `=`, `!=`, `=~`, `!~`; the value in double, single
/// or back quotes, with escapes), separated by commas; a trailing comma and
/// nothing at all are fine. One pass over the text.
fn are_label_matchers(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    let skip_space = |chars: &mut std::iter::Peekable<std::str::Chars>| {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
    };
    loop {
        skip_space(&mut chars);
        let Some(&first) = chars.peek() else {
            return true;
        };
        if !(first.is_ascii_alphabetic() || first == '_') {
            return false;
        }
        while chars
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            chars.next();
        }
        skip_space(&mut chars);
        match (chars.next(), chars.peek()) {
            (Some('='), Some('~')) | (Some('!'), Some('=' | '~')) => {
                chars.next();
            }
            (Some('='), _) => {}
            _ => return false,
        }
        skip_space(&mut chars);
        let Some(quote @ ('"' | '\'' | '`')) = chars.next() else {
            return false;
        };
        loop {
            match chars.next() {
                None | Some('\n') => return false,
                Some('\\') if quote != '`' => {
                    if chars.next().is_none() {
                        return false;
                    }
                }
                Some(c) if c == quote => break,
                Some(_) => {}
            }
        }
        skip_space(&mut chars);
        match chars.next() {
            None => return true,
            Some(',') => {}
            Some(_) => return false,
        }
    }
}

/// The indicator as queries: the counted events (errors or good) and the
/// total, each with `{{.window}}`.
#[derive(Debug, Clone, PartialEq)]
pub enum CountedQueries {
    Errors { errors: String, total: String },
    Good { good: String, total: String },
}

impl Indicator {
    /// Its queries, or what is wrong with it.
    pub fn queries(&self) -> Result<CountedQueries, String> {
        match (&self.errors, &self.good, &self.latency) {
            (Some(errors), None, None) => Ok(CountedQueries::Errors {
                errors: errors.clone(),
                total: self.total.clone(),
            }),
            (None, Some(good), None) => Ok(CountedQueries::Good {
                good: good.clone(),
                total: self.total.clone(),
            }),
            (None, None, Some(latency)) if self.total.is_empty() => Ok(CountedQueries::Good {
                good: latency.good_query(),
                total: latency.total_query(),
            }),
            (None, None, Some(_)) => {
                Err("a latency indicator takes its total from the histogram's count; leave total out".into())
            }
            _ => Err(
                "the indicator needs exactly one of an errors query, a good query (each over a total query) or a latency objective"
                    .into(),
            ),
        }
    }
}

/// One service-level objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Slo {
    /// A short identifier: letters, digits, `-` and `_`.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub service: String,
    #[serde(rename = "sli")]
    pub indicator: Indicator,
    /// The share of good events promised, in percent (99.5).
    #[serde(rename = "objective")]
    pub objective_percent: f64,
    /// The rolling window the objective holds over (`30d`, `28d`, `7d`).
    #[serde(default = "default_period")]
    pub period: String,
    /// How often its alerts are evaluated, in the page and in the exported
    /// group (`30s`); absent: the page's one minute and Prometheus's global
    /// interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

fn default_period() -> String {
    "30d".into()
}

/// The smallest error budget (a 99.9999999 % objective).
const MIN_ERROR_BUDGET: f64 = 1e-9;
/// Characters of a name or a service.
pub const MAX_NAME_CHARS: usize = 200;

/// Where the indicator's queries take their range.
pub const WINDOW_PLACEHOLDER: &str = "{{.window}}";

/// Windows the error ratio is recorded over, shortest first: every window
/// the alerts read.
pub const RECORDED_WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

impl Slo {
    /// What is wrong with it, in words; empty when it can be used.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 64
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            problems.push(format!(
                "the SLO id {:?} must be 1 to 64 letters, digits, '-' or '_'",
                self.id
            ));
        }
        if !(self.objective_percent > 0.0 && self.objective_percent < 100.0) {
            problems.push(format!(
                "the objective must be above 0 % and below 100 %, not {}",
                self.objective_percent
            ));
        } else if self.error_budget() < MIN_ERROR_BUDGET {
            // Rounded to nothing, the budget would divide by zero.
            problems.push(format!(
                "the objective {} leaves no error budget; at most {} % is allowed",
                self.objective_percent,
                100.0 - MIN_ERROR_BUDGET * 100.0
            ));
        }
        for (what, text) in [("name", &self.name), ("service", &self.service)] {
            if text.chars().count() > MAX_NAME_CHARS {
                problems.push(format!(
                    "the {what} is longer than {MAX_NAME_CHARS} characters"
                ));
            }
        }
        if let Some(interval) = &self.interval {
            match parse_prometheus_duration(interval) {
                Ok(seconds) if (1.0..=3600.0).contains(&seconds) => {}
                _ => problems.push(format!(
                    "the evaluation interval {interval:?} must be a duration from 1s to 1h"
                )),
            }
        }
        match self.period_seconds() {
            Ok(seconds) if (86_400.0..=366.0 * 86_400.0).contains(&seconds) => {}
            Ok(_) => problems.push(format!(
                "the period {:?} must be between 1d and 366d",
                self.period
            )),
            Err(error) => problems.push(format!("the period {:?}: {error}", self.period)),
        }
        if let Some(latency) = &self.indicator.latency {
            problems.extend(latency.problems());
        }
        match self.indicator.queries() {
            Ok(CountedQueries::Errors {
                errors: counted,
                total,
            }) => {
                check_window_placeholder(&mut problems, "errors", &counted);
                check_window_placeholder(&mut problems, "total", &total);
            }
            Ok(CountedQueries::Good {
                good: counted,
                total,
            }) => {
                check_window_placeholder(&mut problems, "good", &counted);
                check_window_placeholder(&mut problems, "total", &total);
            }
            Err(problem) => problems.push(problem),
        }
        problems
    }

    /// A dashboard variable in its queries (`$job`), said as a problem: its
    /// alerts and recorded ratios run without the page's selection (an SLO
    /// made from a panel has the selection written in). Checked where an SLO
    /// is made or changed (an import, the settings, the export) rather than
    /// when a dashboard is read, so that a dashboard saved before the check
    /// still opens, and its SLO can be corrected there.
    pub fn variable_problem(&self) -> Option<String> {
        let (what, counted, total) = match self.indicator.queries().ok()? {
            CountedQueries::Errors { errors, total } => ("errors", errors, total),
            CountedQueries::Good { good, total } => ("good", good, total),
        };
        [(what, counted), ("total", total)]
            .into_iter()
            .find_map(|(what, query)| {
                let name = super::rule::dashboard_variable_in(&query)?;
                Some(format!(
                    "the {what} query uses the dashboard variable ${name}; an SLO's rules run without the page's selection, so write the value instead"
                ))
            })
    }

    pub fn period_seconds(&self) -> Result<f64, String> {
        parse_prometheus_duration(&self.period)
    }

    /// The error budget: the share of events allowed to fail (0.005 for 99.5 %).
    pub fn error_budget(&self) -> f64 {
        // Rounded to the objective's own decimals: 1 − 0.995 is 0.0050000000000000044.
        round_to_decimals(1.0 - self.objective_percent / 100.0, 12)
    }

    /// The error ratio over `window` as one PromQL expression. No traffic
    /// gives no sample rather than NaN (the denominator must be above zero):
    /// a NaN would hold every longer window at NaN until it leaves it.
    pub fn error_ratio_expr(&self, window: &str) -> String {
        let with_window = |query: &str| query.replace(WINDOW_PLACEHOLDER, window);
        match self.indicator.queries() {
            // A counter that never moved may not exist yet (no request has
            // failed): counted as zero beside the total, not as no answer.
            Ok(CountedQueries::Errors { errors, total }) => {
                let total = with_window(&total);
                format!(
                    "(({}) or (0 * ({total}))) / (({total}) > 0)",
                    with_window(&errors)
                )
            }
            Ok(CountedQueries::Good { good, total }) => {
                let total = with_window(&total);
                format!(
                    "1 - ((({}) or (0 * ({total}))) / (({total}) > 0))",
                    with_window(&good)
                )
            }
            // Refused by `problems`; nothing counted.
            Err(_) => "vector(0) == 1".into(),
        }
    }

    /// Failed events per second over `window`, and all events: what the
    /// burn-down adds up step by step.
    pub fn error_and_total_rate_exprs(&self, window: &str) -> Option<(String, String)> {
        let with_window = |query: &str| query.replace(WINDOW_PLACEHOLDER, window);
        match self.indicator.queries().ok()? {
            CountedQueries::Errors { errors, total } => {
                Some((with_window(&errors), with_window(&total)))
            }
            CountedQueries::Good { good, total } => Some((
                format!("({}) - ({})", with_window(&total), with_window(&good)),
                with_window(&total),
            )),
        }
    }
}

fn check_window_placeholder(problems: &mut Vec<String>, what: &str, query: &str) {
    let limit = crate::foundation::limits::MAX_QUERY_CHARS;
    if query.chars().count() > limit {
        problems.push(format!(
            "the {what} query is longer than {limit} characters"
        ));
    }
    if !query.contains(WINDOW_PLACEHOLDER) {
        problems.push(format!(
            "the {what} query must take its range from {WINDOW_PLACEHOLDER} (as in `rate(x[{WINDOW_PLACEHOLDER}])`)"
        ));
    }
}

fn round_to_decimals(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// How fast the budget burns: the error ratio over the budget (1 spends it
/// exactly over the period).
pub fn burn_rate(error_ratio: f64, error_budget: f64) -> f64 {
    error_ratio / error_budget
}

/// The share of the period's budget left, given the period's error ratio
/// (negative once overspent).
pub fn budget_remaining(period_error_ratio: f64, error_budget: f64) -> f64 {
    1.0 - period_error_ratio / error_budget
}

/// Seconds until the budget left is spent at a steady `burn_rate`; `None`
/// when nothing burns. A burn rate of 1 spends a whole budget in one period.
pub fn time_left_seconds(remaining: f64, period_seconds: f64, burn_rate: f64) -> Option<f64> {
    if remaining <= 0.0 {
        return Some(0.0);
    }
    (burn_rate > 0.0).then(|| remaining * period_seconds / burn_rate)
}

/// Who an alert wakes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Page,
    Ticket,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        }
    }
}

/// One of the workbook's alert conditions: the error ratio above a burn
/// rate over a long and a short window at once (the short one makes the
/// alert stop soon after the burn does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurnWindows {
    pub severity: Severity,
    pub long: &'static str,
    pub short: &'static str,
    /// The share of the period's budget spent when the long window burns
    /// at the threshold.
    pub budget_share: f64,
}

/// The SRE workbook's pairs ("Alerting on SLOs", multiwindow, multi-burn-rate):
/// 2 % of a 30-day budget in 1 h (14.4×) or 5 % in 6 h (6×) page; 10 % in
/// 1 d (3×) or 3 d (1×) make a ticket. Each short window is a twelfth of its long one.
pub const WORKBOOK_WINDOWS: [BurnWindows; 4] = [
    BurnWindows {
        severity: Severity::Page,
        long: "1h",
        short: "5m",
        budget_share: 0.02,
    },
    BurnWindows {
        severity: Severity::Page,
        long: "6h",
        short: "30m",
        budget_share: 0.05,
    },
    BurnWindows {
        severity: Severity::Ticket,
        long: "1d",
        short: "2h",
        budget_share: 0.10,
    },
    BurnWindows {
        severity: Severity::Ticket,
        long: "3d",
        short: "6h",
        budget_share: 0.10,
    },
];

/// The burn rate at which `windows` alerts for a period of `period_seconds`:
/// the rate that spends its share of the budget within its long window
/// (14.4 for 1 h of a 30-day period; 13.44 for 28 days). The windows stay
/// the workbook's, as Sloth keeps them; Pyrra scales the windows instead.
pub fn burn_rate_threshold(windows: &BurnWindows, period_seconds: f64) -> Result<f64, String> {
    let long = parse_prometheus_duration(windows.long)?;
    Ok(round_to_decimals(
        windows.budget_share * period_seconds / long,
        9,
    ))
}

/// A number as PromQL text, without float noise (`0.005`, `14.4`).
fn decimal(value: f64) -> String {
    let text = format!("{:.12}", round_to_decimals(value, 12));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// The recorded error ratio of `slo` over `window`, as a selector.
fn recorded(slo: &Slo, window: &str) -> String {
    format!(
        "slo:sli_error:ratio_rate{window}{{slo_id={}}}",
        promql_string(&slo.id)
    )
}

fn promql_string(text: &str) -> String {
    format!(
        "\"{}\"",
        text.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

/// The alert expression of one severity: any of its pairs, each the error
/// ratio above the threshold over both windows. `ratio` gives the error
/// ratio over a window (a recorded series, or the expression itself).
pub fn burn_alert_expr(
    slo: &Slo,
    severity: Severity,
    ratio: impl Fn(&str) -> String,
) -> Result<String, String> {
    let period = slo.period_seconds()?;
    let budget = decimal(slo.error_budget());
    let mut pairs = Vec::new();
    for windows in WORKBOOK_WINDOWS.iter().filter(|w| w.severity == severity) {
        let factor = decimal(burn_rate_threshold(windows, period)?);
        let above = |window: &str| {
            format!(
                "max({} > ({factor} * {budget})) without (slo_window)",
                ratio(window)
            )
        };
        pairs.push(format!(
            "({} and {})",
            above(windows.short),
            above(windows.long)
        ));
    }
    Ok(pairs.join(" or "))
}

impl Slo {
    /// The name of its alert of `severity` (`AvailabilityErrorBudgetBurnPage`).
    pub fn alert_name(&self, severity: Severity) -> String {
        format!(
            "{}ErrorBudgetBurn{}",
            alert_name_part(&self.id),
            if severity == Severity::Page {
                "Page"
            } else {
                "Ticket"
            }
        )
    }

    /// The alerts' summary. Prometheus (and the page) run annotations as Go
    /// templates: the name and service are written as literal text, so a
    /// name with `{{` can neither run a query nor break the file.
    fn alert_summary(&self) -> String {
        format!(
            "{} is burning its error budget too fast ({} objective {}% over {})",
            template_literal(&self.name),
            template_literal(&self.service),
            decimal(self.objective_percent),
            self.period
        )
    }

    /// Its page and ticket alerts as rules the page evaluates: the same
    /// conditions as the exported ones, over the error-ratio expressions
    /// themselves (the page has no recording rules).
    pub fn alert_rules(&self) -> Result<Vec<super::rule::AlertRule>, String> {
        [Severity::Page, Severity::Ticket]
            .into_iter()
            .map(|severity| {
                Ok(super::rule::AlertRule {
                    name: self.alert_name(severity),
                    expr: burn_alert_expr(self, severity, |window| {
                        format!("({})", self.error_ratio_expr(window))
                    })?,
                    condition: Default::default(),
                    for_duration: None,
                    keep_firing_for: None,
                    interval: self.interval.clone(),
                    // The labels the exported alert gets (its rule's, and the
                    // recorded ratios' name and service; an empty one is no
                    // label in Prometheus), so both send the same alert.
                    // Labels are rendered as templates: the name and the
                    // service go in as literal text, as in the summary.
                    labels: [
                        ("severity", severity.label()),
                        ("slo_id", self.id.as_str()),
                        ("slo_name", self.name.as_str()),
                        ("slo_service", self.service.as_str()),
                    ]
                    .into_iter()
                    .filter(|(_, value)| !value.is_empty())
                    .map(|(name, value)| (name.to_string(), template_literal(value)))
                    .collect(),
                    annotations: [("summary".to_string(), self.alert_summary())]
                        .into_iter()
                        .collect(),
                    unit: None,
                    actions: Vec::new(),
                })
            })
            .collect()
    }
}

/// `slos` as a Prometheus rule file: per SLO, the error ratio recorded at
/// every window the alerts read and over the period, the objective and the
/// budget left, and a page and a ticket alert. `promtool check rules`
/// accepts it.
pub fn to_prometheus_rules(slos: &[Slo]) -> Result<String, String> {
    Ok(format!("groups:\n{}", slo_rule_groups(slos)?))
}

/// A dashboard's export: its alert rules' group (when it has rules), then
/// each SLO's groups, in one rule file.
pub fn rule_file_with_slos(
    group: &str,
    rules: &[super::rule::AlertRule],
    slos: &[Slo],
) -> Result<String, String> {
    let mut text = if rules.is_empty() && !slos.is_empty() {
        "groups:\n".to_string()
    } else {
        super::rule::to_prometheus_rule_file(group, rules)?
    };
    text.push_str(&slo_rule_groups(slos)?);
    Ok(text)
}

/// The rule groups of `slos` (the entries under `groups:`).
fn slo_rule_groups(slos: &[Slo]) -> Result<String, String> {
    let mut text = String::new();
    for slo in slos {
        let mut problems = slo.problems();
        problems.extend(slo.variable_problem());
        if !problems.is_empty() {
            return Err(format!("SLO {}: {}", slo.id, problems.join("; ")));
        }
        let labels = |window: Option<&str>| {
            let mut lines = format!(
                "        labels:\n          slo_id: {}\n          slo_service: {}\n          slo_name: {}\n",
                yaml_quoted(&slo.id),
                yaml_quoted(&slo.service),
                yaml_quoted(&slo.name)
            );
            if let Some(window) = window {
                lines.push_str(&format!("          slo_window: {}\n", yaml_quoted(window)));
            }
            lines
        };
        // One group: Prometheus evaluates a group's rules in order at one
        // timestamp, so the alerts read the ratios recorded in the same
        // evaluation (Sloth's three groups let the alerts lag the ratios by
        // up to an interval).
        text.push_str(&format!(
            "  - name: {}\n{}    rules:\n",
            yaml_quoted(&format!("slo-{}", slo.id)),
            slo.interval
                .as_deref()
                .map(|i| format!("    interval: {}\n", yaml_quoted(i)))
                .unwrap_or_default()
        ));
        // A period of `1d` or `3d` is one of the windows already: one rule.
        let period =
            (!RECORDED_WINDOWS.contains(&slo.period.as_str())).then_some(slo.period.as_str());
        for window in RECORDED_WINDOWS.iter().copied().chain(period) {
            text.push_str(&format!(
                "      - record: slo:sli_error:ratio_rate{window}\n        expr: {}\n{}",
                yaml_quoted(&slo.error_ratio_expr(window)),
                labels(Some(window))
            ));
        }
        // Sloth records the period's ratio as the mean of the 5-minute
        // ratios; the ratio over the whole period weighs busy hours as
        // they count against the objective.
        text.push_str(&format!(
            "      - record: slo:objective:ratio\n        expr: vector({})\n{}      - record: slo:error_budget:ratio\n        expr: vector({})\n{}      - record: slo:period_error_budget_remaining:ratio\n        expr: {}\n{}",
            decimal(slo.objective_percent / 100.0),
            labels(None),
            decimal(slo.error_budget()),
            labels(None),
            yaml_quoted(&format!(
                "1 - max({}) without (slo_window) / {}",
                recorded(slo, &slo.period),
                decimal(slo.error_budget())
            )),
            labels(None),
        ));
        for severity in [Severity::Page, Severity::Ticket] {
            let expr = burn_alert_expr(slo, severity, |window| recorded(slo, window))?;
            let alert = format!(
                "{}ErrorBudgetBurn{}",
                alert_name_part(&slo.id),
                if severity == Severity::Page {
                    "Page"
                } else {
                    "Ticket"
                }
            );
            text.push_str(&format!(
                "      - alert: {alert}\n        expr: {}\n        labels:\n          severity: {}\n          slo_id: {}\n        annotations:\n          summary: {}\n",
                yaml_quoted(&expr),
                severity.label(),
                yaml_quoted(&slo.id),
                yaml_quoted(&slo.alert_summary())
            ));
        }
    }
    Ok(text)
}

/// `text` as a Go template that prints it: each `{{` becomes an action
/// printing it. Only `{{` opens an action (`}}` outside one is text), and a
/// lone `{` is never followed by another, so no `{{` is left in the text
/// around the actions. (Escaping `}}` too once made `}{}}` into `}{{{ "}}" }}`,
/// an action starting `{ "}}"`, which no template reader accepts.)
fn template_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        out.push_str(r#"{{ "{{" }}"#);
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

/// `availability-api` → `AvailabilityApi`: an alert name's part.
fn alert_name_part(id: &str) -> String {
    id.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn availability() -> Slo {
        Slo {
            id: "availability".into(),
            name: "Availability".into(),
            service: "sample-service".into(),
            indicator: Indicator {
                errors: Some(r#"sum(rate(http_requests_total{job="sample-service",status_code=~"5.."}[{{.window}}]))"#.into()),
                good: None,
                total: r#"sum(rate(http_requests_total{job="sample-service"}[{{.window}}]))"#.into(),
                latency: None,
            },
            objective_percent: 99.5,
            period: "30d".into(),
            interval: None,
        }
    }

    #[test]
    fn the_workbook_thresholds_for_thirty_days_and_scaled_for_other_periods() {
        let thresholds = |period_days: f64| -> Vec<f64> {
            WORKBOOK_WINDOWS
                .iter()
                .map(|w| burn_rate_threshold(w, period_days * 86_400.0).unwrap())
                .collect()
        };
        assert_eq!(thresholds(30.0), [14.4, 6.0, 3.0, 1.0]);
        assert_eq!(thresholds(28.0), [13.44, 5.6, 2.8, 0.933333333]);
        assert_eq!(thresholds(7.0), [3.36, 1.4, 0.7, 0.233333333]);
    }

    #[test]
    fn budget_burn_and_time_left_by_hand() {
        let slo = availability();
        assert_eq!(slo.error_budget(), 0.005);
        // 1 % errors against a 0.5 % budget burns twice as fast as allowed.
        assert_eq!(burn_rate(0.01, slo.error_budget()), 2.0);
        // 0.2 % errors over the period spent 40 % of the budget.
        let remaining = budget_remaining(0.002, slo.error_budget());
        assert!((remaining - 0.6).abs() < 1e-12);
        // 60 % of a 30-day budget at twice the allowed pace: 9 days.
        let left = time_left_seconds(remaining, 30.0 * 86_400.0, 2.0).unwrap();
        assert!((left - 9.0 * 86_400.0).abs() < 1e-6);
        assert_eq!(time_left_seconds(0.6, 86_400.0, 0.0), None);
        assert_eq!(time_left_seconds(-0.1, 86_400.0, 3.0), Some(0.0));
    }

    #[test]
    fn ratios_guard_against_no_traffic_and_good_events_are_turned_into_errors() {
        let slo = availability();
        assert_eq!(
            slo.error_ratio_expr("5m"),
            r#"((sum(rate(http_requests_total{job="sample-service",status_code=~"5.."}[5m]))) or (0 * (sum(rate(http_requests_total{job="sample-service"}[5m]))))) / ((sum(rate(http_requests_total{job="sample-service"}[5m]))) > 0)"#
        );
        let latency = Slo {
            indicator: Indicator {
                errors: None,
                good: Some(r#"sum(rate(d_bucket{le="0.3"}[{{.window}}]))"#.into()),
                total: "sum(rate(d_count[{{.window}}]))".into(),
                latency: None,
            },
            ..availability()
        };
        assert_eq!(
            latency.error_ratio_expr("1h"),
            r#"1 - (((sum(rate(d_bucket{le="0.3"}[1h]))) or (0 * (sum(rate(d_count[1h]))))) / ((sum(rate(d_count[1h]))) > 0))"#
        );
    }

    #[test]
    fn one_group_per_slo_with_its_interval() {
        let slo = Slo {
            interval: Some("30s".into()),
            ..availability()
        };
        let text = to_prometheus_rules(std::slice::from_ref(&slo)).unwrap();
        assert_eq!(text.matches("  - name: ").count(), 1, "{text}");
        assert!(
            text.contains("  - name: \"slo-availability\"\n    interval: \"30s\"\n    rules:\n")
        );
        // The alerts come after the ratios they read.
        assert!(
            text.find("record: slo:sli_error:ratio_rate5m")
                < text.find("alert: AvailabilityErrorBudgetBurnPage")
        );
        let rules = slo.alert_rules().unwrap();
        assert_eq!(rules[0].interval.as_deref(), Some("30s"));
        let slow = Slo {
            interval: Some("2h".into()),
            ..availability()
        };
        assert!(
            slow.problems()[0].contains("from 1s to 1h"),
            "{:?}",
            slow.problems()
        );
    }

    #[test]
    fn label_matchers_are_read_as_promql_writes_them() {
        for fine in [
            "",
            r#"job="api""#,
            r#" job = "api" , handler!~'/x.*', code=~`5..`, "#,
            r#"path="a\"}b""#,
        ] {
            assert!(are_label_matchers(fine), "{fine}");
        }
        for wrong in [
            r#"job="a"}) or vector(1"#,
            r#"job="a"#,
            r#"job=a"#,
            r#"job="a" x="b""#,
            r#"1job="a""#,
            r#"job=="a""#,
            "job=\"a\nb\"",
            r#"job="a\"#,
        ] {
            assert!(!are_label_matchers(wrong), "{wrong}");
        }
    }

    #[test]
    fn a_counter_not_yet_created_counts_as_no_errors() {
        // No request has failed yet: the errors series does not exist, and
        // the ratio is 0 rather than no answer.
        let expr = availability().error_ratio_expr("5m");
        assert!(expr.starts_with("((sum(rate(http_requests_total{job=\"sample-service\",status_code=~\"5..\"}[5m]))) or (0 * (sum(rate(http_requests_total{job=\"sample-service\"}[5m]))))) / ("), "{expr}");
    }

    #[test]
    fn the_page_alerts_carry_the_name_and_service_as_literal_text() {
        let slo = Slo {
            name: "Checkout {{ query \"up\" }}".into(),
            ..availability()
        };
        let rules = slo.alert_rules().unwrap();
        let label = &rules[0].labels["slo_name"];
        assert!(!label.contains("{{ query"), "{label}");
        assert_eq!(rules[0].labels["slo_service"], "sample-service");
    }

    #[test]
    fn a_latency_objective_reads_the_bucket_at_its_threshold() {
        let latency = |threshold: f64, matchers: &str| Slo {
            id: "hello-latency".into(),
            name: "Hello latency".into(),
            service: String::new(),
            indicator: Indicator {
                latency: Some(LatencyIndicator {
                    histogram: "http_request_duration_seconds".into(),
                    matchers: matchers.into(),
                    threshold_seconds: threshold,
                }),
                ..Indicator::default()
            },
            objective_percent: 99.5,
            period: "30d".into(),
            interval: None,
        };
        let slo = latency(0.75, r#"job="api",endpoint="/hello""#);
        assert!(slo.problems().is_empty(), "{:?}", slo.problems());
        let (good, total) = (
            r#"sum(rate(http_request_duration_seconds_bucket{job="api",endpoint="/hello",le="0.75"}[1h]))"#,
            r#"sum(rate(http_request_duration_seconds_count{job="api",endpoint="/hello"}[1h]))"#,
        );
        assert_eq!(
            slo.error_ratio_expr("1h"),
            format!("1 - ((({good}) or (0 * ({total}))) / (({total}) > 0))")
        );
        // Whole seconds match `1` (Go's client) and `1.0` (Prometheus 3);
        // no matchers, no stray comma.
        assert!(latency(1.0, "")
            .error_ratio_expr("5m")
            .contains(r#"http_request_duration_seconds_bucket{le=~"1|1\\.0"}[5m]"#));
        // Matchers that would close the braces, and a total beside a latency, are refused.
        assert!(latency(0.5, r#"job="a"}) or vector(1"#).problems()[0].contains("label matchers"));
        assert!(latency(0.0, "").problems()[0].contains("from 0.0001"));
        let mut with_total = latency(0.5, "");
        with_total.indicator.total = "sum(rate(t[{{.window}}]))".into();
        assert!(with_total.problems()[0].contains("leave total out"));
        // The rules promtool checks are the same text.
        assert!(to_prometheus_rules(&[slo])
            .unwrap()
            .contains(r#"le=\"0.75\""#));
    }

    #[test]
    fn problems_are_named() {
        let bad = Slo {
            id: "a b".into(),
            objective_percent: 100.0,
            period: "2h".into(),
            indicator: Indicator {
                errors: Some("sum(rate(e[5m]))".into()),
                good: None,
                total: "sum(rate(t[{{.window}}]))".into(),
                latency: None,
            },
            ..availability()
        };
        let problems = bad.problems();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[3].contains("errors query"));
        assert!(availability().problems().is_empty());
        assert!(to_prometheus_rules(&[bad]).is_err());
        let neither = Slo {
            indicator: Indicator {
                total: "sum(rate(t[{{.window}}]))".into(),
                ..Indicator::default()
            },
            ..availability()
        };
        assert!(neither.problems()[0].contains("exactly one of an errors query, a good query"));
    }

    #[test]
    fn a_dashboard_variable_in_a_query_is_refused_where_slos_are_made_since_its_rules_could_not_run(
    ) {
        // Found by the slo_import fuzz target: such an SLO was imported and
        // added, and then each of its alerts was a rule the dashboard refuses.
        let with_variable = Slo {
            indicator: Indicator {
                errors: Some(r#"sum(rate(e{job="$job"}[{{.window}}]))"#.into()),
                ..availability().indicator
            },
            ..availability()
        };
        let problem = with_variable.variable_problem().unwrap();
        assert!(
            problem.contains("errors query uses the dashboard variable $job"),
            "{problem}"
        );
        assert!(with_variable.alert_rules().unwrap()[0].problems()[0].contains("$job"));
        // Not exported; still a valid part of a dashboard that has it already.
        let exported = to_prometheus_rules(std::slice::from_ref(&with_variable));
        assert!(exported.unwrap_err().contains("$job"));
        assert!(with_variable.problems().is_empty());
        // A regex anchor is not a variable.
        let anchored = Slo {
            indicator: Indicator {
                errors: Some(r#"sum(rate(e{path=~"/api$"}[{{.window}}]))"#.into()),
                ..availability().indicator
            },
            ..availability()
        };
        assert_eq!(anchored.variable_problem(), None);
        for rule in anchored.alert_rules().unwrap() {
            assert!(rule.problems().is_empty(), "{:?}", rule.problems());
        }
    }

    #[test]
    fn names_are_literal_text_in_templates_and_a_budget_must_remain() {
        let hostile = Slo {
            name: r#"x {{ range query "secret" }}{{ .Labels }}{{ end }}"#.into(),
            service: "a }} b".into(),
            ..availability()
        };
        let summary = hostile.alert_rules().unwrap()[0].annotations["summary"].clone();
        assert!(
            summary.starts_with(r#"x {{ "{{" }} range query "secret" }}{{ "{{" }} .Labels"#),
            "{summary}"
        );
        assert!(summary.contains("(a }} b objective"), "{summary}");
        // Braces next to an escaped `{{` (found by the slo_import fuzz target).
        for text in ["}{}}", "{{{", "{ {{", "}}{{", "x{", "{", "{{{{{"] {
            let literal = template_literal(text);
            let template = crate::alerting::template::Template::parse(&literal)
                .unwrap_or_else(|e| panic!("{text:?} as {literal:?}: {e}"));
            let rendered = template
                .render(&crate::alerting::template::TemplateData::default())
                .unwrap();
            assert_eq!(rendered, text, "{literal:?}");
        }
        // The page's own template engine prints it as written.
        let template = crate::alerting::template::Template::parse(&summary).unwrap();
        let rendered = template
            .render(&crate::alerting::template::TemplateData::default())
            .unwrap();
        assert!(
            rendered
                .starts_with(r#"x {{ range query "secret" }}{{ .Labels }}{{ end }} is burning"#),
            "{rendered}"
        );
        let no_budget = Slo {
            objective_percent: 99.99999999999,
            ..availability()
        };
        assert!(no_budget.problems()[0].contains("leaves no error budget"));
    }

    #[test]
    fn slos_read_and_write_as_json() {
        let json = r#"{"id": "latency", "name": "Fast /hello", "sli": {"good": "g[{{.window}}]", "total": "t[{{.window}}]"}, "objective": 99}"#;
        let slo: Slo = crate::foundation::json::FromJson::from_json(
            &crate::foundation::json::Json::parse(json).unwrap(),
        )
        .unwrap();
        assert_eq!((slo.period.as_str(), slo.objective_percent), ("30d", 99.0));
        assert_eq!(slo.indicator.good.as_deref(), Some("g[{{.window}}]"));
        assert!(slo.problems().is_empty(), "{:?}", slo.problems());
    }

    #[test]
    fn the_page_alert_pairs_the_workbook_windows() {
        let expr = burn_alert_expr(&availability(), Severity::Page, |w| format!("r{w}")).unwrap();
        assert_eq!(
            expr,
            "(max(r5m > (14.4 * 0.005)) without (slo_window) and max(r1h > (14.4 * 0.005)) without (slo_window)) or (max(r30m > (6 * 0.005)) without (slo_window) and max(r6h > (6 * 0.005)) without (slo_window))"
        );
        let rules = to_prometheus_rules(&[availability()]).unwrap();
        assert!(rules.contains("      - record: slo:sli_error:ratio_rate30d\n"));
        assert!(rules.contains("      - alert: AvailabilityErrorBudgetBurnPage\n"));
        assert!(rules.contains("          severity: page\n"));
        assert_eq!(rules.matches("- record:").count(), 8 + 3);
        assert_eq!(alert_name_part("latency_hello-p95"), "LatencyHelloP95");
        // A period that is one of the windows is recorded once.
        let three_days = Slo {
            period: "3d".into(),
            ..availability()
        };
        let rules = to_prometheus_rules(&[three_days]).unwrap();
        assert_eq!(
            rules
                .matches("- record: slo:sli_error:ratio_rate3d\n")
                .count(),
            1
        );
    }
}
