//! Remediation, the last step of the playbook: an alert rule may carry
//! actions — a webhook with a templated body (restart an instance, roll back
//! a version, clear a fault) — that the user runs from a firing alert after
//! seeing the exact request, or that run by themselves.
//!
//! The rules that keep this safe are decided here:
//! - the address is fixed (no template), an http(s) URL, and contacted only
//!   when its origin is among the targets the user confirmed;
//! - an action runs by itself only from a dashboard saved in this browser
//!   (trusted), at most once per alert per [`RemediationAction::every`], and
//!   at most [`MAX_AUTOMATIC_RUNS_PER_HOUR`] times an hour for all alerts;
//! - every run, by hand or by itself, is kept with its answer.

use super::rule::AlertRule;
use super::state_machine::Alert;
use super::template::{render_template, TemplateData};
use crate::foundation::json::Json;
use crate::foundation::ordered::SortedMap;
use crate::query::series::Labels;
use serde::{Deserialize, Serialize};

/// Actions one rule may carry.
pub const MAX_ACTIONS_PER_RULE: usize = 10;
/// Runs kept (the oldest go first).
pub const MAX_KEPT_RUNS: usize = 200;
/// Characters of an answer kept with its run.
pub const MAX_KEPT_ANSWER_CHARS: usize = 500;
/// An automatic action's default least time between two runs for one alert.
pub const DEFAULT_EVERY_SECONDS: f64 = 30.0 * 60.0;
/// Automatic runs of one dashboard's actions within any hour, at most. A rule
/// may fire for hundreds of series; without this, runs past
/// [`MAX_KEPT_RUNS`] would push the oldest out of the kept runs, and the
/// alerts they were for would look due again at every evaluation.
pub const MAX_AUTOMATIC_RUNS_PER_HOUR: usize = 20;

/// One action: where to send what, and whether it may run by itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemediationAction {
    /// "Clear the error spike", "Roll back app-2".
    pub name: String,
    /// Where the request goes; never templated, so what the user confirms is
    /// what is contacted.
    pub url: String,
    /// `POST`, the only method (a JSON body, as webhooks take it).
    #[serde(default = "default_method")]
    pub method: String,
    /// The request body: a template with the alert's `$labels`, `$value`
    /// and `$externalLabels`, as annotations have.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// Runs by itself when the alert fires (only from a saved dashboard).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub automatic: bool,
    /// Least time between two runs for one alert (`30m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<String>,
}

fn default_method() -> String {
    "POST".to_string()
}

/// The exact request an action makes for one alert.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedRequest {
    pub method: String,
    pub url: String,
    pub body: String,
    /// Why it must not be sent (a label value would change the body's shape).
    pub refused: Option<String>,
}

impl PreparedRequest {
    /// The request as the confirmation shows it.
    pub fn describe(&self) -> String {
        let mut text = format!("{} {}", self.method, self.url);
        if !self.body.is_empty() {
            text.push_str(&format!("\n\n{}", self.body));
        }
        if let Some(reason) = &self.refused {
            text.push_str(&format!("\n\nNot sent: {reason}"));
        }
        text
    }
}

/// One run of an action, kept in the alert history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionRun {
    pub rule: String,
    pub action: String,
    #[serde(default)]
    pub labels: Labels,
    pub at: f64,
    pub automatic: bool,
    pub request: String,
    /// `HTTP 200: …` or why it failed.
    pub answer: String,
}

impl RemediationAction {
    /// What is wrong with it, each said in full.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let name = &self.name;
        if name.trim().is_empty() || name.chars().count() > 200 {
            problems.push("an action needs a name of at most 200 characters".to_string());
        }
        if let Err(error) = check_action_url(&self.url) {
            problems.push(format!("action {name:?}: {error}"));
        }
        if self.method != "POST" {
            problems.push(format!(
                "action {name:?}: method {:?} is not POST",
                self.method
            ));
        }
        if self.body.chars().count() > crate::foundation::limits::MAX_TEMPLATE_CHARS {
            problems.push(format!("action {name:?}: the body template is too long"));
        }
        if let Err(error) = self.every_seconds() {
            problems.push(format!("action {name:?}: every {error}"));
        }
        problems
    }

    pub fn every_seconds(&self) -> Result<f64, String> {
        match self.every.as_deref() {
            None => Ok(DEFAULT_EVERY_SECONDS),
            Some(text) => crate::foundation::span::parse_span(text),
        }
    }

    /// The request for `alert` of `rule`: the body's template expanded as an
    /// annotation would be (a template that fails says so in the body).
    pub fn prepare(
        &self,
        rule: &AlertRule,
        alert: &Alert,
        external_labels: &Labels,
    ) -> PreparedRequest {
        self.prepare_with(
            &alert.template_labels(rule.labels.keys().cloned()),
            alert.value,
            external_labels,
        )
    }

    /// The request with `labels` and `value` as the body template's
    /// `$labels` and `$value` (an incident's labels, when run from "What
    /// else moved?").
    pub fn prepare_with(
        &self,
        labels: &Labels,
        value: f64,
        external_labels: &Labels,
    ) -> PreparedRequest {
        // The body is JSON; labels come from the datasource, so each value
        // is written as JSON string content: `a","version":"x` stays one value
        // instead of adding fields. So is each name, for a body that prints
        // them (Prometheus 3 accepts any UTF-8 in a name, quotes included).
        let escaped = |labels: &Labels| -> Labels {
            labels
                .iter()
                .map(|(name, value)| (json_string_content(name), json_string_content(value)))
                .collect()
        };
        let render = |labels: Labels, value: f64| {
            let data = TemplateData {
                labels,
                value,
                external_labels: escaped(external_labels),
                ..TemplateData::default()
            };
            render_template(&self.body, &data)
                .unwrap_or_else(|e| format!("<error expanding template: {e}>"))
        };
        let (body, refused) = if self.body.is_empty() {
            (String::new(), None)
        } else {
            // Escaping protects a label placed inside quotes; one placed
            // outside them may be a number, but could nest (`[1, 2]`) or cut
            // the document short for the receiver (`7}`). Three renderings
            // decide: every label value `0` (the template as its author wrote
            // it), the values without JSON's brackets, braces, commas, quotes
            // and backslashes (the author's branches, for the values at hand),
            // and the real one.
            let with_values = |value_of: &dyn Fn(&str) -> String| -> Labels {
                labels
                    .iter()
                    .map(|(name, v)| (json_string_content(name), value_of(v)))
                    .collect()
            };
            let zero = |_: &str| "0".to_string();
            let body = render(escaped(labels), value);
            let refused = body_shape_problem(
                &body,
                &render(
                    with_values(&|v| json_string_content(&without_json_punctuation(v))),
                    value,
                ),
                &render(with_values(&zero), value),
                (!value.is_finite())
                    .then(|| render(with_values(&zero), 0.0))
                    .as_deref(),
                value,
            );
            (body, refused)
        };
        PreparedRequest {
            method: self.method.clone(),
            url: self.url.clone(),
            body,
            refused,
        }
    }
}

/// `text` as the inside of a JSON string (quotes, backslashes and control
/// characters escaped): the JSON writer's string without its quotes.
fn json_string_content(text: &str) -> String {
    let quoted = Json::String(text.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

/// `text` without what can nest JSON or end a string: quotes, backslashes,
/// brackets, braces and commas.
fn without_json_punctuation(text: &str) -> String {
    text.chars().filter(|&c| !"\"\\{}[],".contains(c)).collect()
}

/// Why a rendered action body must not be sent, if it must not: `body` is
/// the real rendering, `plain` the one with the label values' punctuation
/// taken out, `as_written` the one with every label value `0`, and
/// `as_written_with_zero` the latter with the alert's value `0` (given when
/// that value is not finite). A template that is JSON with plain values or as
/// written (branches on a label may differ between the two) must give a whole
/// JSON document of the same nesting, and number of members at every level,
/// as with plain values (or as written), and name no member twice in an
/// object. A template that gives no JSON object or array in either is sent
/// as written.
fn body_shape_problem(
    body: &str,
    plain: &str,
    as_written: &str,
    as_written_with_zero: Option<&str>,
    value: f64,
) -> Option<String> {
    fn same(a: &Json, b: &Json) -> bool {
        match (a, b) {
            (Json::Array(a), Json::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
            }
            (Json::Object(a), Json::Object(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|((_, a), (_, b))| same(a, b))
            }
            (Json::Array(_) | Json::Object(_), _) | (_, Json::Array(_) | Json::Object(_)) => false,
            _ => true,
        }
    }
    // Receivers differ on a repeated member (most keep the last).
    fn repeats_a_member(value: &Json) -> bool {
        match value {
            Json::Array(items) => items.iter().any(repeats_a_member),
            Json::Object(members) => {
                let names: crate::foundation::ordered::SortedSet<&str> =
                    members.iter().map(|(name, _)| name.as_str()).collect();
                names.len() != members.len() || members.iter().any(|(_, v)| repeats_a_member(v))
            }
            _ => false,
        }
    }
    // A template is judged as JSON when it gives an object or an array; a
    // body that is one label (a plain-text body) is sent as written.
    let document = |text: &str| {
        Json::parse(text)
            .ok()
            .filter(|json| matches!(json, Json::Array(_) | Json::Object(_)))
    };
    let (plain, as_written) = (document(plain), document(as_written));
    if plain.is_none() && as_written.is_none() {
        return as_written_with_zero
            .is_some_and(|zero| document(zero).is_some())
            .then(|| format!("the alert's value ({value}) cannot be written in a JSON body as a number: put {{{{ $value }}}} inside quotes"));
    }
    let Ok(body) = Json::parse(body) else {
        return Some(
            "a label value would make the body no longer JSON (it is placed outside quotes in the body template)".to_string(),
        );
    };
    if !plain
        .or(as_written)
        .is_some_and(|shape| same(&body, &shape))
    {
        return Some(
            "a label value would change the shape of the JSON body (it is placed outside quotes in the body template)".to_string(),
        );
    }
    repeats_a_member(&body).then(|| {
        "a label would name a member of the JSON body twice (receivers differ on which one counts)".to_string()
    })
}

/// An action's address: an http(s) URL as datasources are read, with an
/// optional query of plain characters (`?version=1.4.1`), no fragment.
pub fn check_action_url(url: &str) -> Result<(), String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    crate::foundation::http_url::HttpUrl::parse(base)
        .map_err(|problem| format!("the address {url:?} {}", problem.describe()))?;
    let plain = query
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~%&=+/:,".contains(c));
    if plain && url.len() <= 2048 {
        Ok(())
    } else {
        Err(format!("the address {url:?} has a query with characters other than letters, digits and -._~%&=+/:,"))
    }
}

/// Whether `action` of `rule` may run by itself now for the alert with
/// `labels`: it is automatic, the dashboard is trusted, its address is
/// confirmed, it has not run for this alert within its `every`, and fewer
/// than [`MAX_AUTOMATIC_RUNS_PER_HOUR`] automatic runs were made in the last hour.
pub fn runs_by_itself(
    rule: &str,
    action: &RemediationAction,
    labels: &Labels,
    runs: &[ActionRun],
    now: f64,
    trusted: bool,
    address_confirmed: bool,
) -> bool {
    if !(action.automatic && trusted && address_confirmed) {
        return false;
    }
    let last_hour = runs
        .iter()
        .filter(|run| run.automatic && now - run.at < 3600.0)
        .count();
    if last_hour >= MAX_AUTOMATIC_RUNS_PER_HOUR {
        return false;
    }
    let every = action.every_seconds().unwrap_or(DEFAULT_EVERY_SECONDS);
    !runs.iter().any(|run| {
        run.rule == rule
            && run.action == action.name
            && run.labels == *labels
            && now - run.at < every
    })
}

/// Keeps `run`, dropping the oldest past [`MAX_KEPT_RUNS`]; the answer is cut
/// to [`MAX_KEPT_ANSWER_CHARS`].
pub fn keep_run(runs: &mut Vec<ActionRun>, mut run: ActionRun) {
    if run.answer.chars().count() > MAX_KEPT_ANSWER_CHARS {
        run.answer = run
            .answer
            .chars()
            .take(MAX_KEPT_ANSWER_CHARS)
            .collect::<String>()
            + "…";
    }
    runs.push(run);
    let excess = runs.len().saturating_sub(MAX_KEPT_RUNS);
    runs.drain(..excess);
}

/// Every action of `rules` by its rule's name, for the trust review.
pub fn actions_by_rule(rules: &[AlertRule]) -> SortedMap<String, Vec<RemediationAction>> {
    let mut all = SortedMap::new();
    for rule in rules.iter().filter(|r| !r.actions.is_empty()) {
        all.insert(rule.name.clone(), rule.actions.clone());
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::state_machine::AlertState;

    fn action(automatic: bool) -> RemediationAction {
        RemediationAction {
            name: "Clear the error spike".into(),
            url: "http://127.0.0.1:8001/chaos/clear".into(),
            method: "POST".into(),
            body: r#"{"instance": "{{ $labels.instance }}", "value": {{ $value }}}"#.into(),
            automatic,
            every: Some("10m".into()),
        }
    }

    fn alert() -> Alert {
        Alert {
            labels: [("instance".to_string(), "app-2:8000".to_string())].into(),
            value: 40.0,
            state: AlertState::Firing,
            active_at: 100.0,
            fired_at: Some(160.0),
            resolved_at: None,
            keep_firing_since: None,
            last_sent_at: None,
            series_labels: Labels::new(),
            annotations: SortedMap::new(),
        }
    }

    #[test]
    fn the_request_is_the_template_expanded_for_the_alert() {
        let rule = AlertRule::starter("HighErrorRate", "up", 1.0, "");
        let request = action(false).prepare(&rule, &alert(), &Labels::new());
        assert_eq!(request.url, "http://127.0.0.1:8001/chaos/clear");
        assert_eq!(request.body, r#"{"instance": "app-2:8000", "value": 40}"#);
        assert!(request
            .describe()
            .starts_with("POST http://127.0.0.1:8001/chaos/clear\n\n{"));
        assert!(action(false).problems().is_empty());
    }

    #[test]
    fn label_values_cannot_add_fields_to_the_body() {
        let hostile: Labels = [(
            "instance".to_string(),
            "a\",\"version\":\"evil\\\n\u{1}".to_string(),
        )]
        .into();
        let request = action(false).prepare_with(&hostile, 40.0, &Labels::new());
        let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(body["instance"], "a\",\"version\":\"evil\\\n\u{1}");
        assert_eq!(body.as_object().unwrap().len(), 2, "{}", request.body);
        // Inside quotes, line breaks and control characters are no reason to refuse.
        assert_eq!(request.refused, None, "{}", request.describe());
    }

    #[test]
    fn a_label_may_not_cut_a_body_whose_shape_follows_labels() {
        let labels = |env: &str, shard: &str| -> Labels {
            [
                ("env".to_string(), env.to_string()),
                ("instance".to_string(), "app-2:8000".to_string()),
                ("shard".to_string(), shard.to_string()),
            ]
            .into()
        };
        let mut branching = action(true);
        // Every label `0` takes no branch here (an empty body), and `slice`
        // fails on it: the body is judged by the plain values' rendering.
        for body in [
            r#"{{ if eq $labels.env "prod" }}{"instance": "{{ $labels.instance }}", "shard": {{ $labels.shard }}, "dry_run": true}{{ end }}"#,
            r#"{"host": "{{ slice $labels.instance 0 5 }}", "shard": {{ $labels.shard }}, "dry_run": true}"#,
        ] {
            branching.body = body.into();
            let plain = branching.prepare_with(&labels("prod", "7"), 40.0, &Labels::new());
            assert_eq!(plain.refused, None, "{}", plain.body);
            let cut = branching.prepare_with(&labels("prod", "7}"), 40.0, &Labels::new());
            assert!(cut.refused.is_some(), "{}", cut.body);
        }
    }

    #[test]
    fn a_label_may_not_name_a_member_twice() {
        let mut printing_names = action(true);
        printing_names.body = r#"{"dry_run": true, {{ range $name, $value := $labels }}"{{ $name }}": "{{ $value }}", {{ end }}"source": "x"}"#.into();
        let plain: Labels = [("job".to_string(), "api".to_string())].into();
        assert_eq!(
            printing_names
                .prepare_with(&plain, 1.0, &Labels::new())
                .refused,
            None
        );
        let twice: Labels = [("dry_run".to_string(), "false".to_string())].into();
        let request = printing_names.prepare_with(&twice, 1.0, &Labels::new());
        assert!(
            request
                .describe()
                .contains("Not sent: a label would name a member"),
            "{}",
            request.describe()
        );
    }

    #[test]
    fn a_label_outside_quotes_may_not_change_the_bodys_shape() {
        let mut unquoted = action(true);
        unquoted.body =
            r#"{"instance": "{{ $labels.instance }}", "shard": {{ $labels.shard }}}"#.into();
        let labels = |shard: &str| -> Labels {
            [
                ("instance".to_string(), "app-2:8000".to_string()),
                ("shard".to_string(), shard.to_string()),
            ]
            .into()
        };
        // A plain value is sent as written.
        let plain = unquoted.prepare_with(&labels("7"), 40.0, &Labels::new());
        assert_eq!(plain.refused, None, "{}", plain.body);
        assert_eq!(plain.body, r#"{"instance": "app-2:8000", "shard": 7}"#);
        // Nesting from a label, or a label that breaks a body written as JSON
        // (a receiver reading one value would stop at `7}` and drop what follows): not sent.
        unquoted
            .body
            .insert_str(unquoted.body.len() - 1, r#", "dry_run": true"#);
        for hostile in [
            "[1, 2]",
            "{}",
            "[]",
            "7}",
            "7 ]",
            "7}x",
            "7, force: true",
            "7, \"version\": \"evil\"",
            "x",
        ] {
            let request = unquoted.prepare_with(&labels(hostile), 40.0, &Labels::new());
            assert!(request.refused.is_some(), "{hostile}: {}", request.body);
            assert!(
                request.describe().contains("Not sent: a label value"),
                "{}",
                request.describe()
            );
            // Not even with a value JSON cannot hold, which spoils every rendering.
            let spoiled = unquoted.prepare_with(&labels(hostile), f64::NAN, &Labels::new());
            assert!(
                spoiled.refused.is_some(),
                "{hostile} with NaN: {}",
                spoiled.body
            );
        }
        // Branches on a label's value (colons and spaces kept) are the author's.
        unquoted.body = r#"{"instance": "{{ $labels.instance }}"{{ if eq $labels.instance "app-2:8000" }}, "page": true{{ end }}}"#.into();
        let branch = unquoted.prepare_with(&labels("7"), 40.0, &Labels::new());
        assert_eq!(branch.refused, None, "{}", branch.body);
        assert!(branch.body.contains("\"page\": true"), "{}", branch.body);
        // A body that is not JSON as its template wrote it is not judged,
        // nor one that is a single label.
        for body in ["restart {{ $labels.instance }}", "{{ $labels.instance }}"] {
            unquoted.body = body.into();
            let text = unquoted.prepare_with(&labels("7"), 40.0, &Labels::new());
            assert_eq!(text.refused, None, "{}", text.body);
        }
        // A value JSON cannot hold, printed as a number: said, not sent.
        let shipped = action(false).prepare_with(&labels("7"), f64::NAN, &Labels::new());
        assert_eq!(
            shipped.refused.as_deref(),
            Some("the alert's value (NaN) cannot be written in a JSON body as a number: put {{ $value }} inside quotes"),
            "{}",
            shipped.body
        );
    }

    #[test]
    fn label_names_cannot_add_fields_to_the_body() {
        let hostile: Labels = [("a\":\"b".to_string(), "c".to_string())].into();
        let mut printing_names = action(false);
        printing_names.body =
            r#"{ {{ range $name, $value := $labels }}"{{ $name }}": "{{ $value }}", {{ end }}"value": 1 }"#
                .into();
        let request = printing_names.prepare_with(&hostile, 40.0, &Labels::new());
        let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(body["a\":\"b"], "c", "{}", request.body);
        assert_eq!(body.as_object().unwrap().len(), 2, "{}", request.body);
    }

    #[test]
    fn by_itself_only_when_automatic_trusted_confirmed_and_not_too_soon() {
        let labels = alert().labels;
        let run = ActionRun {
            rule: "HighErrorRate".into(),
            action: "Clear the error spike".into(),
            labels: labels.clone(),
            at: 1000.0,
            automatic: true,
            request: String::new(),
            answer: "HTTP 200".into(),
        };
        let runs = vec![run];
        let may = |action: &RemediationAction, now: f64, trusted: bool, confirmed: bool| {
            runs_by_itself(
                "HighErrorRate",
                action,
                &labels,
                &runs,
                now,
                trusted,
                confirmed,
            )
        };
        assert!(!may(&action(false), 5000.0, true, true), "not automatic");
        assert!(
            !may(&action(true), 5000.0, false, true),
            "a link's dashboard"
        );
        assert!(
            !may(&action(true), 5000.0, true, false),
            "an unconfirmed address"
        );
        assert!(
            !may(&action(true), 1000.0 + 599.0, true, true),
            "ran 10 minutes ago at most"
        );
        assert!(may(&action(true), 1000.0 + 600.0, true, true));
        let other: Labels = [("instance".to_string(), "app-1:8000".to_string())].into();
        assert!(runs_by_itself(
            "HighErrorRate",
            &action(true),
            &other,
            &runs,
            1001.0,
            true,
            true
        ));
    }

    #[test]
    fn a_rule_firing_for_hundreds_of_series_runs_its_action_a_bounded_number_of_times() {
        // 300 alerts, evaluated every 15 s for three hours: each evaluation
        // runs what is due and keeps the runs as the page does.
        let mut runs: Vec<ActionRun> = Vec::new();
        let mut run_at = Vec::new();
        for evaluation in 0..(3 * 3600 / 15) {
            let now = 10_000.0 + f64::from(evaluation) * 15.0;
            for k in 0..300 {
                let labels: Labels = [("instance".to_string(), format!("app-{k}"))].into();
                if runs_by_itself("Down", &action(true), &labels, &runs, now, true, true) {
                    run_at.push(now);
                    keep_run(
                        &mut runs,
                        ActionRun {
                            rule: "Down".into(),
                            action: "Clear the error spike".into(),
                            labels,
                            at: now,
                            automatic: true,
                            request: String::new(),
                            answer: String::new(),
                        },
                    );
                }
            }
        }
        // Before the hourly bound, 300 runs at once and then, with the oldest
        // runs pushed out of the 200 kept, about 100 at every evaluation.
        assert_eq!(run_at.len(), 3 * MAX_AUTOMATIC_RUNS_PER_HOUR);
        for (k, at) in run_at.iter().enumerate() {
            let within_hour = run_at
                .iter()
                .filter(|t| **t <= *at && *at - **t < 3600.0)
                .count();
            assert!(within_hour <= MAX_AUTOMATIC_RUNS_PER_HOUR, "run {k}");
        }
    }

    #[test]
    fn bad_actions_are_named_and_runs_are_bounded() {
        let mut bad = action(true);
        assert!(check_action_url("http://127.0.0.1:8001/chaos/deploy?version=1.4.1").is_ok());
        assert!(check_action_url("http://a/x?q=<script>").is_err());
        assert!(check_action_url("http://user@a/x").is_err());
        bad.url = "javascript:alert(1)".into();
        bad.method = "DELETE".into();
        bad.every = Some("often".into());
        assert_eq!(bad.problems().len(), 3, "{:?}", bad.problems());
        let mut runs = Vec::new();
        for k in 0..(MAX_KEPT_RUNS + 5) {
            keep_run(
                &mut runs,
                ActionRun {
                    rule: "r".into(),
                    action: "a".into(),
                    labels: Labels::new(),
                    at: k as f64,
                    automatic: false,
                    request: String::new(),
                    answer: "x".repeat(MAX_KEPT_ANSWER_CHARS + 10),
                },
            );
        }
        assert_eq!(runs.len(), MAX_KEPT_RUNS);
        assert_eq!(runs[0].at, 5.0);
        assert_eq!(runs[0].answer.chars().count(), MAX_KEPT_ANSWER_CHARS + 1);
    }
}
