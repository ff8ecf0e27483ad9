//! Template variables of a dashboard: where their values come from, what the
//! selection means, and Grafana's `label_values` query.

use crate::dashboard_model::is_identifier;
use crate::json::{DecodeError, FromJson, Json, ObjectReader, ObjectWriter, ToJson};
use crate::template_variables::VariableValue;

#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    pub label: Option<String>,
    pub source: VariableSource,
    pub multi: bool,
    pub include_all: bool,
    /// What "All" stands for in a regex matcher (e.g. `.*`); absent means every value.
    pub all_value: Option<String>,
    /// Selected when the URL says nothing; `["$__all"]` selects All.
    pub default: Vec<String>,
}

/// Written into the variable's object with its `kind` (`query`, `custom`,
/// `queryResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableSource {
    /// `label_values(metric, label)` or `label_values(label)`.
    Query {
        query: String,
    },
    Custom {
        values: Vec<String>,
    },
    /// The distinct values of `value_label` in the result of the instant query
    /// `query` (Grafana's `query_result(…)` with a `label="(…)"` regex).
    QueryResult {
        query: String,
        /// The label whose values are offered (`valueLabel`: `label` names the picker).
        value_label: String,
    },
}

impl FromJson for Variable {
    fn from_json(value: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(value)?;
        let source = match reader.required::<String>("kind")?.as_str() {
            "query" => VariableSource::Query {
                query: reader.required("query")?,
            },
            "custom" => VariableSource::Custom {
                values: reader.required("values")?,
            },
            "queryResult" => VariableSource::QueryResult {
                query: reader.required("query")?,
                value_label: reader.required("valueLabel")?,
            },
            other => {
                return Err(DecodeError::new(format!(
                    "{other:?} is not a variable kind (query, custom or queryResult)"
                ))
                .in_member("kind"))
            }
        };
        Ok(Self {
            name: reader.required("name")?,
            label: reader.optional("label")?,
            source,
            multi: reader.or_default("multi")?,
            include_all: reader.or_default("includeAll")?,
            all_value: reader.optional("allValue")?,
            default: reader.or_default("default")?,
        })
    }
}

impl ToJson for Variable {
    fn to_json(&self) -> Json {
        let mut object = ObjectWriter::new();
        object
            .member("name", &self.name)
            .optional("label", &self.label);
        match &self.source {
            VariableSource::Query { query } => {
                object.member("kind", &"query").member("query", query);
            }
            VariableSource::Custom { values } => {
                object.member("kind", &"custom").member("values", values);
            }
            VariableSource::QueryResult { query, value_label } => {
                object
                    .member("kind", &"queryResult")
                    .member("query", query)
                    .member("valueLabel", value_label);
            }
        }
        object
            .member("multi", &self.multi)
            .member("includeAll", &self.include_all)
            .optional("allValue", &self.all_value)
            .member_if(!self.default.is_empty(), "default", &self.default)
            .finish()
    }
}

/// A parsed `label_values(metric, label)` / `label_values(label)` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelValuesQuery {
    pub metric: Option<String>,
    pub label: String,
}

/// Parses Grafana's `label_values` variable query.
pub fn parse_label_values_query(query: &str) -> Result<LabelValuesQuery, String> {
    let inner = query
        .trim()
        .strip_prefix("label_values(")
        .and_then(|rest| rest.strip_suffix(')'))
        .ok_or_else(|| format!("variable query {query:?} is not label_values(metric, label) or label_values(label)"))?;
    let (metric, label) = match inner.rfind(',') {
        Some(comma) => (
            Some(inner[..comma].trim().to_string()),
            inner[comma + 1..].trim(),
        ),
        None => (None, inner.trim()),
    };
    if !is_identifier(label) {
        return Err(format!("{label:?} in {query:?} is not a label name"));
    }
    Ok(LabelValuesQuery {
        metric: metric.filter(|m| !m.is_empty()),
        label: label.to_string(),
    })
}

/// The special selection meaning "All".
pub const ALL_SELECTION: &str = "$__all";

impl Variable {
    /// The value to substitute given the current selection and the known options.
    pub fn value(&self, selection: &[String], options: &[String]) -> VariableValue {
        if self.include_all
            && (selection.iter().any(|s| s == ALL_SELECTION)
                || selection.is_empty() && options.is_empty())
        {
            return VariableValue::All {
                values: options.to_vec(),
                custom_all: self.all_value.clone(),
            };
        }
        match selection {
            [] => VariableValue::Single(options.first().cloned().unwrap_or_default()),
            [one] => VariableValue::Single(one.clone()),
            many if self.multi => VariableValue::Multi(many.to_vec()),
            [first, ..] => VariableValue::Single(first.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_queries_parse() {
        assert_eq!(
            parse_label_values_query("label_values(http_requests_total{a=\"b,c\"}, job)").unwrap(),
            LabelValuesQuery {
                metric: Some("http_requests_total{a=\"b,c\"}".into()),
                label: "job".into()
            }
        );
        assert_eq!(
            parse_label_values_query(" label_values(job) ").unwrap(),
            LabelValuesQuery {
                metric: None,
                label: "job".into()
            }
        );
        assert!(parse_label_values_query("query_result(up)").is_err());
        assert!(parse_label_values_query("label_values(up, 9x)").is_err());
    }

    #[test]
    fn variable_values_follow_selection() {
        let job: Variable = crate::json::decode(r#"{"name": "job", "kind": "query", "query": "label_values(up, job)", "includeAll": true}"#).unwrap();
        let options = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            job.value(&["a".into()], &options),
            VariableValue::Single("a".into())
        );
        assert_eq!(
            job.value(&[ALL_SELECTION.into()], &options),
            VariableValue::All {
                values: options.clone(),
                custom_all: None
            }
        );
        assert_eq!(job.value(&[], &options), VariableValue::Single("a".into()));
    }
}
