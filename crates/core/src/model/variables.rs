//! Template variables of a dashboard: where their values come from, what the
//! selection means, and Grafana's `label_values` query.

use crate::foundation::json::{DecodeError, Json, ObjectReader};
use crate::foundation::json_serde::{not_one_of, read_object};
use crate::foundation::names::is_identifier;
use crate::query::template_variables::VariableValue;
use serde::{Deserialize, Deserializer, Serialize};

/// Read by [`Variable::read`]; written by serde's derive.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(flatten)]
    pub source: VariableSource,
    pub multi: bool,
    pub include_all: bool,
    /// What "All" stands for in a regex matcher (e.g. `.*`); absent means every value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_value: Option<String>,
    /// Selected when the URL says nothing; `["$__all"]` selects All.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub default: Vec<String>,
}

/// Written into the variable's object with its `kind` (`query`, `custom`,
/// `queryResult`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
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

// Which members a variable has depends on its `kind`: read with an
// ObjectReader (see `read_object`) rather than serde's derive.
impl<'de> Deserialize<'de> for Variable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_object(deserializer, Variable::read)
    }
}

impl Variable {
    fn read(object: &ObjectReader, _: &Json) -> Result<Self, DecodeError> {
        Ok(Self {
            name: object.required("name")?,
            label: object.optional("label")?,
            source: VariableSource::read(object)?,
            multi: object.or_default("multi")?,
            include_all: object.or_default("includeAll")?,
            all_value: object.optional("allValue")?,
            default: object.or_default("default")?,
        })
    }
}

impl VariableSource {
    /// Every source's `kind`, in the order of the enum.
    pub const KINDS: [&'static str; 3] = ["query", "custom", "queryResult"];

    fn read(object: &ObjectReader) -> Result<Self, DecodeError> {
        let kind: String = object.required("kind")?;
        Ok(match kind.as_str() {
            "query" => Self::Query {
                query: object.required("query")?,
            },
            "custom" => Self::Custom {
                values: object.required("values")?,
            },
            "queryResult" => Self::QueryResult {
                query: object.required("query")?,
                value_label: object.required("valueLabel")?,
            },
            other => return Err(not_one_of(other, &Self::KINDS).in_member("kind")),
        })
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

/// A variable as the page uses it: the value its panels get, the selection its
/// picker shows (always the same choice), and, when the link's choice or the
/// dashboard's default could not be used, why.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedVariable {
    pub value: VariableValue,
    pub selected: Vec<String>,
    pub note: Option<String>,
}

fn quoted_list(values: &[String]) -> String {
    // A link's value can be megabytes long: the note quotes its start.
    let shown: Vec<String> = values
        .iter()
        .take(3)
        .map(|v| format!("{:?}", crate::foundation::limits::excerpt(v, 60)))
        .collect();
    let more = values.len().saturating_sub(3);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

impl Variable {
    /// Decides what the variable stands for. A value from a link is used only
    /// when it is one of the variable's options (or "All" where offered): a
    /// link is written by someone else, and anything else it says could change
    /// what a panel computes while the picker shows a harmless choice. The
    /// dashboard's default is used when the link says nothing usable, and the
    /// first option when the default is not among the options either (a
    /// dashboard written for a job of another name). `options` is `None` when
    /// they could not be loaded: then only the dashboard's own default is used.
    pub fn resolve(
        &self,
        from_link: Option<&[String]>,
        options: Option<&[String]>,
    ) -> ResolvedVariable {
        let name = &self.name;
        let link: Vec<String> = from_link
            .unwrap_or_default()
            .iter()
            .take(crate::foundation::limits::MAX_VARIABLE_VALUES)
            .cloned()
            .collect();
        let Some(options) = options else {
            let note = (!link.is_empty() && link != self.default).then(|| {
                format!(
                    "${name}: its values could not be loaded, so the link's choice {} cannot be checked; using the dashboard's default",
                    quoted_list(&link)
                )
            });
            return ResolvedVariable {
                value: self.value(&self.default, &[]),
                selected: self.default.clone(),
                note,
            };
        };
        // Looked up in one sorted set, not by a search of the list per value:
        // a link may carry 10,000 values against 10,000 options.
        let known: crate::foundation::ordered::SortedSet<&str> =
            options.iter().map(String::as_str).collect();
        let acceptable = |value: &String| {
            (self.include_all && value == ALL_SELECTION) || known.contains(value.as_str())
        };
        let mut notes = Vec::new();
        let mut selected: Vec<String> = link.iter().filter(|v| acceptable(v)).cloned().collect();
        let refused: Vec<String> = link.iter().filter(|v| !acceptable(v)).cloned().collect();
        if !refused.is_empty() {
            notes.push(format!(
                "the link's {} for ${name} {} not among its values",
                quoted_list(&refused),
                if refused.len() == 1 { "is" } else { "are" }
            ));
        }
        if selected.is_empty() {
            selected = self
                .default
                .iter()
                .filter(|v| acceptable(v))
                .cloned()
                .collect();
            if selected.is_empty() && !self.default.is_empty() {
                notes.push(format!(
                    "the dashboard's default {} is not among ${name}'s values",
                    quoted_list(&self.default)
                ));
            }
        }
        if selected.is_empty() {
            selected = match options.first() {
                Some(first) => vec![first.clone()],
                None if self.include_all => vec![ALL_SELECTION.to_string()],
                None => Vec::new(),
            };
        }
        if !self.multi && selected.len() > 1 {
            selected.truncate(1);
        }
        let value = self.value(&selected, options);
        let note = (!notes.is_empty()).then(|| {
            let shown = match &value {
                VariableValue::All { .. } => "All".to_string(),
                VariableValue::Single(v) => format!("{v:?}"),
                VariableValue::Multi(vs) => quoted_list(vs),
            };
            format!("{}; showing {shown}", notes.join("; "))
        });
        ResolvedVariable {
            value,
            selected,
            note,
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
        let job: Variable = crate::foundation::json::decode(r#"{"name": "job", "kind": "query", "query": "label_values(up, job)", "includeAll": true}"#).unwrap();
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

    fn quantile() -> Variable {
        crate::foundation::json::decode(r#"{"name": "quantile", "kind": "custom", "values": ["0.5", "0.9", "0.99"], "default": ["0.5"]}"#).unwrap()
    }

    #[test]
    fn a_link_value_outside_the_options_is_refused() {
        let q = quantile();
        let options = ["0.5".to_string(), "0.9".into(), "0.99".into()];
        let forged = "0.99,vector(0)) or label_replace(vector(42),\"x\",\"\",\"\",\"\") or histogram_quantile(0.99".to_string();
        let resolved = q.resolve(Some(&[forged]), Some(&options));
        assert_eq!(resolved.value, VariableValue::Single("0.5".into()));
        assert_eq!(resolved.selected, vec!["0.5".to_string()]);
        let note = resolved.note.unwrap();
        assert!(
            note.contains("not among its values; showing \"0.5\""),
            "{note}"
        );
        let fine = q.resolve(Some(&["0.9".into()]), Some(&options));
        assert_eq!(
            (fine.value, fine.note),
            (VariableValue::Single("0.9".into()), None)
        );
    }

    #[test]
    fn a_huge_link_value_is_quoted_by_its_start() {
        let huge = "x".repeat(1_000_000);
        let note = quantile()
            .resolve(Some(&[huge]), Some(&["0.5".to_string()]))
            .note
            .unwrap();
        assert!(note.len() < 200, "{} bytes", note.len());
        assert!(note.contains(&format!("\"{}…\"", "x".repeat(60))), "{note}");
    }

    #[test]
    fn a_default_missing_from_the_options_falls_back_to_the_first_option() {
        let job: Variable = crate::foundation::json::decode(r#"{"name": "job", "kind": "query", "query": "label_values(up, job)", "default": ["sample-service"]}"#).unwrap();
        let options = ["node".to_string(), "sample_app".into()];
        let resolved = job.resolve(None, Some(&options));
        assert_eq!(resolved.value, VariableValue::Single("node".into()));
        assert!(resolved
            .note
            .unwrap()
            .contains("default \"sample-service\" is not among $job's values"));
        // When its values cannot be loaded, the link cannot be checked: the default stands.
        let unchecked = job.resolve(Some(&["x".into()]), None);
        assert_eq!(
            unchecked.value,
            VariableValue::Single("sample-service".into())
        );
        assert!(unchecked.note.unwrap().contains("cannot be checked"));
    }

    #[test]
    fn multi_and_all_selections_keep_only_known_values() {
        let instance: Variable = crate::foundation::json::decode(r#"{"name": "instance", "kind": "query", "query": "label_values(up, instance)", "multi": true, "includeAll": true, "default": ["$__all"]}"#).unwrap();
        let options = ["a".to_string(), "b".into()];
        let resolved = instance.resolve(
            Some(&["a".into(), "evil\"".into(), "b".into()]),
            Some(&options),
        );
        assert_eq!(
            resolved.value,
            VariableValue::Multi(vec!["a".into(), "b".into()])
        );
        assert!(resolved
            .note
            .unwrap()
            .contains("the link's \"evil\\\"\" for $instance is not among its values"));
        let all = instance.resolve(None, Some(&options));
        assert_eq!(all.selected, vec![ALL_SELECTION.to_string()]);
        assert_eq!(all.note, None);
    }
}
