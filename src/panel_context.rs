//! What every panel needs to run its queries: datasource, resolved time range,
//! variable values and the clock details, plus the query runner itself.

use crate::prometheus_client::{fetch_query, fetch_query_range};
use foresight_core::dashboard_model::Target;
use foresight_core::datasource::Datasource;
use foresight_core::prometheus_response::{InstantSample, QueryData};
use foresight_core::query_step::QueryWindow;
use foresight_core::series::{format_legend, Series};
use foresight_core::template_variables::{interpolate, BuiltinIntervals, VariableValue};
use foresight_core::time_range::ResolvedRange;
use leptos::prelude::RwSignal;
use std::collections::BTreeMap;
use web_sys::AbortSignal;

#[derive(Debug, Clone, PartialEq)]
pub struct PanelContext {
    pub datasource: Datasource,
    pub range: ResolvedRange,
    pub variables: BTreeMap<String, VariableValue>,
    pub scrape_interval_seconds: f64,
    pub utc_offset_minutes: i32,
    /// Time under the pointer on any time-series panel, shared so every panel
    /// shows the same crosshair (seconds).
    pub hover_time: RwSignal<Option<f64>>,
    /// A range picked by dragging on a chart, for the page to zoom to (seconds).
    pub zoom_request: RwSignal<Option<(f64, f64)>>,
}

/// A series with the name its legend shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedSeries {
    pub name: String,
    pub series: Series,
}

/// An instant-vector element with its legend name.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedSample {
    pub name: String,
    pub sample: InstantSample,
}

/// What a panel's queries returned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PanelResult {
    pub series: Vec<NamedSeries>,
    pub samples: Vec<NamedSample>,
    pub warnings: Vec<String>,
    /// The PromQL actually sent, after variable substitution (one per target).
    pub queries: Vec<String>,
}

fn legend(target: &Target, labels: &foresight_core::series::Labels, fallback: String) -> String {
    match &target.legend_format {
        Some(format) if !format.trim().is_empty() => format_legend(format, labels),
        _ => fallback,
    }
}

impl PanelContext {
    pub fn builtins(&self, window: &QueryWindow) -> BuiltinIntervals {
        BuiltinIntervals {
            step_seconds: window.step,
            range_seconds: self.range.duration_seconds(),
            scrape_interval_seconds: self.scrape_interval_seconds,
        }
    }

    pub fn expand(&self, expr: &str, window: &QueryWindow) -> String {
        interpolate(expr, &self.variables, &self.builtins(window))
    }

    /// Runs every target concurrently: range queries over `window`, or instant
    /// queries at its end for targets marked instant (or when `instant` is forced).
    pub async fn run_targets(
        &self,
        targets: &[Target],
        window: &QueryWindow,
        force_instant: bool,
        abort: Option<&AbortSignal>,
    ) -> Result<PanelResult, String> {
        let queries: Vec<String> = targets
            .iter()
            .map(|t| self.expand(&t.expr, window))
            .collect();
        let requests = targets
            .iter()
            .zip(&queries)
            .map(|(target, query)| async move {
                if force_instant || target.instant {
                    fetch_query(&self.datasource, query, window.end, abort).await
                } else {
                    fetch_query_range(&self.datasource, query, window, abort).await
                }
            });
        let answers = futures::future::join_all(requests).await;
        let mut result = PanelResult {
            queries,
            ..PanelResult::default()
        };
        for (target, answer) in targets.iter().zip(answers) {
            let answer = answer.map_err(|error| error.to_string())?;
            result.warnings.extend(answer.warnings);
            match answer.data {
                QueryData::Matrix(series) => {
                    result
                        .series
                        .extend(series.into_iter().map(|series| NamedSeries {
                            name: legend(target, &series.labels, series.legend_name()),
                            series,
                        }))
                }
                QueryData::Vector(samples) => {
                    result.samples.extend(samples.into_iter().map(|sample| {
                        NamedSample {
                            name: legend(
                                target,
                                &sample.labels,
                                Series {
                                    labels: sample.labels.clone(),
                                    ..Series::default()
                                }
                                .legend_name(),
                            ),
                            sample,
                        }
                    }))
                }
                QueryData::Scalar { timestamp, value } => result.samples.push(NamedSample {
                    name: "scalar".into(),
                    sample: InstantSample {
                        labels: Default::default(),
                        timestamp,
                        value,
                    },
                }),
                QueryData::String { .. } => {
                    return Err("the query returned a string, which no panel can show".into())
                }
            }
        }
        Ok(result)
    }
}
