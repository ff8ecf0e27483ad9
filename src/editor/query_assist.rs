//! Help while typing a query: completion at the cursor (metric and function
//! names, then label names and values scoped by the selector being typed), a
//! hint about the metric, and a preview of the first query evaluated now with
//! the dashboard's variables. Each is a load where only the newest lands.

use crate::browser::clock::now_ms;
use crate::browser::prometheus_client::{
    fetch_label_names, fetch_label_values, fetch_metadata, fetch_query,
};
use crate::hooks::latest_load::LatestLoad;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::{Variable, VariableSource};
use foresight_core::model::datasource::Datasource;
use foresight_core::query::engine::LabelRange;
use foresight_core::query::prometheus_response::QueryData;
use foresight_core::query::promql_completion::{
    apply_completion, completion_context, matching, CompletionContext, PROMQL_FUNCTIONS,
};
use foresight_core::query::template_variables::{interpolate, BuiltinIntervals, VariableValue};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The range completion asks about: the last day, in whole minutes.
fn recent() -> LabelRange {
    LabelRange::recent(now_ms() as f64 / 1000.0)
}

/// What the editor shows and calls while a query is typed.
#[derive(Clone, Copy)]
pub struct QueryAssist {
    /// Completed queries for the datalist.
    pub suggestions: RwSignal<Vec<String>>,
    /// About the metric being typed (type, help, labels), or why names are missing.
    pub hint: RwSignal<String>,
    /// The first query's answer now, or Prometheus's error.
    pub preview: RwSignal<Option<Result<String, String>>>,
    /// Runs the preview of the first query.
    pub run_preview: Callback<()>,
    /// Describes the metric a query starts with.
    pub describe_metric: Callback<String>,
    /// Completes the query at a byte offset.
    pub complete: Callback<(String, usize)>,
}

fn preview_variables(variables: &[Variable]) -> SortedMap<String, VariableValue> {
    variables
        .iter()
        .map(|v| {
            let options = match &v.source {
                VariableSource::Custom { values } => values.clone(),
                _ => Vec::new(),
            };
            (v.name.clone(), v.value(&v.default, &options))
        })
        .collect()
}

/// Starts the assistance for queries on `datasource`; `first_query` is what the
/// preview runs.
pub fn query_assist(
    datasource: Datasource,
    variables: Vec<Variable>,
    first_query: Signal<Option<String>>,
) -> QueryAssist {
    // Completion: metric names (and functions) in a datalist; labels and metadata of the metric being typed.
    let metric_names = RwSignal::new(Vec::<String>::new());
    let hint = RwSignal::new(String::new());
    let hint_load = LatestLoad::new();
    {
        let datasource = datasource.clone();
        spawn_local(async move {
            match fetch_label_values(&datasource, "__name__", None, recent()).await {
                Ok(names) => {
                    metric_names.try_set(names);
                }
                Err(error) => {
                    hint.try_set(format!("metric names unavailable: {error}"));
                }
            }
        });
    }
    let describe_metric = {
        let datasource = datasource.clone();
        move |expr: String| {
            let metric: String = expr
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            if metric.is_empty() || !metric_names.with_untracked(|n| n.contains(&metric)) {
                return;
            }
            let datasource = datasource.clone();
            let load = hint_load.start();
            spawn_local(async move {
                let meta = fetch_metadata(&datasource, &metric)
                    .await
                    .unwrap_or_default();
                let labels = fetch_label_names(&datasource, Some(&metric), recent())
                    .await
                    .unwrap_or_default();
                let mut text = metric.clone();
                if let Some(first) = meta.first() {
                    text.push_str(&format!(" ({}): {}", first.kind, first.help));
                }
                if !labels.is_empty() {
                    text.push_str(&format!(" — labels: {}", labels.join(", ")));
                }
                if load.is_newest() {
                    hint.try_set(text);
                }
            });
        }
    };

    // Preview: the first query as an instant query now, or Prometheus's error.
    let preview = RwSignal::new(None::<Result<String, String>>);
    let preview_load = LatestLoad::new();
    // Query variables take their first value from Prometheus (loaded below).
    let variables_for_preview = RwSignal::new(preview_variables(&variables));
    let run_preview = {
        let datasource = datasource.clone();
        move || {
            let Some(expr) = first_query.get_untracked() else {
                return;
            };
            let builtins = BuiltinIntervals {
                step_seconds: 60.0,
                range_seconds: 3600.0,
                scrape_interval_seconds: 15.0,
            };
            let expanded = match variables_for_preview
                .with_untracked(|values| interpolate(&expr, values, &builtins))
            {
                Ok(expanded) => expanded,
                Err(problem) => {
                    preview_load.cancel();
                    preview.set(Some(Err(problem)));
                    return;
                }
            };
            let datasource = datasource.clone();
            preview.set(Some(Ok("running…".into())));
            let load = preview_load.start();
            spawn_local(async move {
                let outcome =
                    match fetch_query(&datasource, &expanded, now_ms() as f64 / 1000.0, None).await
                    {
                        Ok(answer) => Ok(match answer.data {
                            QueryData::Vector(samples) => {
                                let shown: Vec<String> = samples
                                    .iter()
                                    .take(5)
                                    .map(|s| {
                                        format!(
                                            "{} = {}",
                                            foresight_core::query::series::Series {
                                                labels: s.labels.clone(),
                                                ..Default::default()
                                            }
                                            .legend_name(),
                                            s.value
                                        )
                                    })
                                    .collect();
                                format!(
                                    "{} series now: {} (ran {expanded})",
                                    samples.len(),
                                    shown.join("; ")
                                )
                            }
                            QueryData::Scalar { value, .. } => format!("scalar {value}"),
                            QueryData::Matrix(series) => format!("{} series", series.len()),
                            QueryData::String { value, .. } => format!("string {value:?}"),
                        }),
                        Err(error) => Err(error.to_string()),
                    };
                if load.is_newest() {
                    preview.try_set(Some(outcome));
                }
            });
        }
    };
    let run_preview = StoredValue::new(run_preview);
    let describe_metric = StoredValue::new(describe_metric);

    // Completion at the cursor: names, then label names and values scoped by the
    // selector being typed. Each suggestion is the whole query, completed.
    let suggestions = RwSignal::new(Vec::<String>::new());
    let completion_load = LatestLoad::new();
    let complete = {
        let datasource = datasource.clone();
        move |query: String, cursor: usize| {
            let load = completion_load.start();
            let context = completion_context(&query, cursor);
            let datasource = datasource.clone();
            spawn_local(async move {
                let (candidates, prefix) = match &context {
                    CompletionContext::Name { prefix } => {
                        let mut names = metric_names.get_untracked();
                        names.extend(PROMQL_FUNCTIONS.iter().map(|f| f.to_string()));
                        (names, prefix.clone())
                    }
                    CompletionContext::LabelName { selector, prefix } => {
                        let scope = (!selector.starts_with('{')).then_some(selector.as_str());
                        (
                            fetch_label_names(&datasource, scope, recent())
                                .await
                                .unwrap_or_default(),
                            prefix.clone(),
                        )
                    }
                    CompletionContext::LabelValue {
                        selector,
                        label,
                        prefix,
                    } => {
                        let scope = (selector != "{}").then_some(selector.as_str());
                        (
                            fetch_label_values(&datasource, label, scope, recent())
                                .await
                                .unwrap_or_default(),
                            prefix.clone(),
                        )
                    }
                };
                if !load.is_newest() {
                    return; // a newer keystroke asked again
                }
                let completed: Vec<String> = matching(&candidates, &prefix, 50)
                    .into_iter()
                    .map(|candidate| apply_completion(&query, cursor, candidate))
                    .collect();
                suggestions.try_set(completed);
            });
        }
    };
    let complete = StoredValue::new(complete);
    {
        let datasource = datasource.clone();
        spawn_local(async move {
            for variable in &variables {
                let VariableSource::Query { query } = &variable.source else {
                    continue;
                };
                let Ok(parsed) = foresight_core::model::dashboard::parse_label_values_query(query)
                else {
                    continue;
                };
                if let Ok(values) = fetch_label_values(
                    &datasource,
                    &parsed.label,
                    parsed.metric.as_deref(),
                    recent(),
                )
                .await
                {
                    let value = variable.value(&variable.default, &values);
                    variables_for_preview.try_update(|v| {
                        v.insert(variable.name.clone(), value);
                    });
                }
            }
            run_preview.try_with_value(|run| run());
        });
    }
    QueryAssist {
        suggestions,
        hint,
        preview,
        run_preview: Callback::new(move |()| run_preview.with_value(|run| run())),
        describe_metric: Callback::new(move |expr: String| {
            describe_metric.with_value(|describe| describe(expr))
        }),
        complete: Callback::new(move |(query, cursor): (String, usize)| {
            complete.with_value(|complete| complete(query, cursor))
        }),
    }
}
