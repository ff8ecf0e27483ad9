//! Events a dashboard draws on the time axis of every time-series panel: its
//! own annotation queries (Grafana's Prometheus annotations) and the built-in
//! change events (deployments, restarts, reloads, targets down, alerts).

use crate::foundation::limits::MAX_QUERY_CHARS;
use serde::{Deserialize, Serialize};

/// Annotation queries one dashboard may have; each is one more query per refresh.
pub const MAX_ANNOTATION_QUERIES: usize = 20;
/// Longest annotation name, title or text format, in characters.
const MAX_ANNOTATION_TEXT_CHARS: usize = 1000;
/// Labels an annotation may turn into tags.
const MAX_TAG_KEYS: usize = 20;

/// A PromQL expression whose answer becomes events, read as Grafana's
/// Prometheus datasource reads it: samples above zero are active, and active
/// samples at most a step apart make one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnnotationQuery {
    /// Shown on the toggle and in each event's hover text; also its id in links.
    pub name: String,
    pub expr: String,
    /// Switched off, it is kept but neither queried nor drawn.
    #[serde(default = "enabled_by_default", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// `{{label}}` placeholders, as legend formats take.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_format: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text_format: String,
    /// Labels whose values become the event's tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_keys: Vec<String>,
    /// Query step (`60s`); absent, the dashboard's own step for the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The sample's value is the event's time in milliseconds (a deploy
    /// timestamp metric), not the moment it was sampled.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub use_value_as_time: bool,
    /// A colour name or `#rrggbb`; absent, the source's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// The built-in change events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEventOptions {
    /// Off, none of them is queried.
    #[serde(default = "enabled_by_default", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// Label matchers added to the deployment, restart and target-down
    /// queries (`job=~"$job"`), so a dashboard shows its own service's
    /// changes rather than every process Prometheus scrapes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub selector: String,
}

impl Default for ChangeEventOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            selector: String::new(),
        }
    }
}

impl ChangeEventOptions {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

fn enabled_by_default() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

impl AnnotationQuery {
    /// What is wrong with it, each said in full.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let name = &self.name;
        if name.trim().is_empty() {
            problems.push("an annotation query has no name".to_string());
        }
        if self.expr.trim().is_empty() {
            problems.push(format!("annotation {name:?} has no query"));
        }
        if self.expr.chars().count() > MAX_QUERY_CHARS {
            problems.push(format!(
                "annotation {name:?}: the query is longer than {MAX_QUERY_CHARS} characters"
            ));
        }
        let long = [&self.name, &self.title_format, &self.text_format]
            .into_iter()
            .chain(&self.tag_keys)
            .any(|text| text.chars().count() > MAX_ANNOTATION_TEXT_CHARS);
        if long {
            problems.push(format!(
                "annotation {:?}: a name, format or tag is longer than {MAX_ANNOTATION_TEXT_CHARS} characters",
                name.chars().take(40).collect::<String>()
            ));
        }
        if self.tag_keys.len() > MAX_TAG_KEYS {
            problems.push(format!(
                "annotation {name:?} has {} tag labels; at most {MAX_TAG_KEYS} are allowed",
                self.tag_keys.len()
            ));
        }
        if let Some(Err(error)) = self
            .step
            .as_deref()
            .map(crate::foundation::span::parse_span)
        {
            problems.push(format!("annotation {name:?}: step {error}"));
        }
        problems
    }
}

impl ChangeEventOptions {
    pub fn problems(&self) -> Vec<String> {
        let selector = &self.selector;
        // Matchers only: anything that could close the braces would turn the
        // built-in queries into another query.
        let mut problems = Vec::new();
        if selector.chars().count() > MAX_ANNOTATION_TEXT_CHARS {
            problems.push(format!(
                "changeEvents.selector is longer than {MAX_ANNOTATION_TEXT_CHARS} characters"
            ));
        }
        if !selector_is_matchers(selector) {
            problems.push(format!(
                "changeEvents.selector {selector:?} must be label matchers such as job=~\"$job\""
            ));
        }
        problems
    }
}

/// Whether `text` reads as label matchers only (`a="x", b=~"y"`): braces
/// appear only inside quoted values.
pub fn selector_is_matchers(text: &str) -> bool {
    let mut in_quotes = false;
    let mut escaped = false;
    for c in text.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '{' | '}' | '[' | ']' | '(' | ')' | '#' | '`' | '\'' if !in_quotes => return false,
            _ => {}
        }
    }
    !in_quotes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::json::{FromJson, Json, ToJson};

    #[test]
    fn defaults_are_left_out_and_filled_in() {
        let text = r#"{"name":"Deploys","expr":"changes(build_info[1m]) > 0"}"#;
        let query: AnnotationQuery =
            <AnnotationQuery as FromJson>::from_json(&Json::parse(text).unwrap()).unwrap();
        assert!(query.enabled);
        assert!(query.problems().is_empty());
        let written = ToJson::to_json(&query).to_string();
        assert_eq!(written, text);
    }

    #[test]
    fn a_selector_cannot_leave_its_braces() {
        assert!(selector_is_matchers(r#"job=~"$job", instance!="a""#));
        assert!(selector_is_matchers(r#"job="}{""#));
        assert!(selector_is_matchers(""));
        for bad in [
            r#"job="a"} or vector(1) #"#,
            r#"job="a"#,
            "job=`a`",
            r#"job="a"}[5m]"#,
        ] {
            assert!(!selector_is_matchers(bad), "{bad}");
        }
        let options = ChangeEventOptions {
            enabled: true,
            selector: "job=\"a\"} or up{".into(),
        };
        assert_eq!(options.problems().len(), 1);
    }

    #[test]
    fn problems_are_named() {
        let query = AnnotationQuery {
            name: String::new(),
            expr: " ".into(),
            enabled: true,
            title_format: String::new(),
            text_format: String::new(),
            tag_keys: vec!["k".into(); 21],
            step: Some("soon".into()),
            use_value_as_time: false,
            color: None,
        };
        assert_eq!(query.problems().len(), 4, "{:?}", query.problems());
    }
}
