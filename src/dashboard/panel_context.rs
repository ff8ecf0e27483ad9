//! What every panel needs to run its queries: datasource, resolved time range,
//! variable values and the clock details, plus the query runner itself.

use crate::browser::prometheus_client::{fetch_query, fetch_query_range};
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::{OverrideMatchers, SeriesLook, SeriesOverride, Target};
use foresight_core::model::datasource::Datasource;
use foresight_core::query::prometheus_response::{ApiError, ApiSuccess};
use foresight_core::query::prometheus_response::{InstantSample, QueryData};
use foresight_core::query::range_cache::{merge_tail, tail_window, CachedRange};
use foresight_core::query::series::{format_legend, Series};
use foresight_core::query::step::QueryWindow;
use foresight_core::query::template_variables::{
    interpolate, interpolate_text, BuiltinIntervals, VariableValue,
};
use foresight_core::query::time_range::ResolvedRange;
use leptos::prelude::{RwSignal, Signal, StoredValue, UpdateValue, With, WithValue};
use web_sys::AbortSignal;

#[derive(Debug, Clone, PartialEq)]
pub struct PanelContext {
    pub datasource: Datasource,
    pub range: ResolvedRange,
    pub variables: SortedMap<String, VariableValue>,
    pub scrape_interval_seconds: f64,
    /// Time under the pointer on any time-series panel, shared so every panel
    /// shows the same crosshair (seconds).
    pub hover_time: RwSignal<Option<f64>>,
    /// A range picked by dragging on a chart, for the page to zoom to (seconds).
    pub zoom_request: RwSignal<Option<(f64, f64)>>,
    /// The last range answer of each query, so a refresh fetches only the new tail.
    pub range_cache: StoredValue<SortedMap<String, CachedRange>>,
}

/// Queries remembered for refreshes; past this many the cache starts over (a
/// dashboard asks far fewer, so only a long session of changing queries gets there).
const RANGE_CACHE_ENTRIES: usize = 256;

/// A series with the name its legend shows and how the panel's overrides
/// have it drawn (the name is already the override's display name).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedSeries {
    pub name: String,
    pub series: Series,
    pub look: SeriesLook,
}

/// An instant-vector element with its legend name and overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedSample {
    pub name: String,
    pub sample: InstantSample,
    pub look: SeriesLook,
}

/// The legend name after overrides, and the look they give the series.
fn overridden(matchers: &OverrideMatchers, name: String, query: usize) -> (String, SeriesLook) {
    let look = matchers.look(&name, query);
    (look.display_name.clone().unwrap_or(name), look)
}

/// What a panel's queries returned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PanelResult {
    pub series: Vec<NamedSeries>,
    pub samples: Vec<NamedSample>,
    pub warnings: Vec<String>,
    /// The PromQL actually sent, after variable substitution (one per target).
    pub queries: Vec<String>,
    /// When instant queries ran, the time they were evaluated at (seconds).
    pub evaluated_at: Option<f64>,
}

/// Which queries a panel needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QueryPlan {
    /// Range queries over the window (targets marked `instant` are evaluated at its end).
    Range,
    /// Instant queries only, at `at` (tables).
    Instant { at: f64 },
    /// Both: the range for sparklines and statistics, the instant value at `at`
    /// for the number a stat or gauge shows.
    RangeAndInstant { at: f64 },
}

fn legend(
    target: &Target,
    labels: &foresight_core::query::series::Labels,
    fallback: String,
) -> String {
    match &target.legend_format {
        Some(format) if !format.trim().is_empty() => format_legend(format, labels),
        _ => fallback,
    }
}

impl PanelContext {
    /// A range query, answered from the cache plus the new tail when the window
    /// only moved forward on the same step grid (auto-refresh), else in full.
    /// `purpose` keeps a panel's own window and its baseline's apart.
    async fn fetch_range(
        &self,
        query: &str,
        purpose: &str,
        window: &QueryWindow,
        abort: Option<&AbortSignal>,
    ) -> Result<ApiSuccess<QueryData>, ApiError> {
        // The datasource too: back or forward may change it without a reload,
        // and one server's cached points must not be shown as another's.
        let key = format!("{purpose}\u{1}{}\u{1}{query}", self.datasource);
        let cached = self
            .range_cache
            .try_with_value(|cache| cache.get(&key).cloned())
            .flatten();
        let tail = cached
            .as_ref()
            .and_then(|c| Some((c, tail_window(&c.window, window)?)));
        let answer = match tail {
            Some((cached, tail)) => {
                let part = fetch_query_range(&self.datasource, query, &tail, abort).await?;
                match part.data {
                    QueryData::Matrix(series) => {
                        let mut warnings = part.warnings;
                        let merged = merge_tail(cached, series, tail.start, window, &mut warnings);
                        ApiSuccess {
                            data: QueryData::Matrix(merged),
                            warnings,
                        }
                    }
                    _ => part,
                }
            }
            None => fetch_query_range(&self.datasource, query, window, abort).await?,
        };
        if let QueryData::Matrix(series) = &answer.data {
            let entry = CachedRange {
                window: *window,
                series: series.clone(),
            };
            self.range_cache.try_update_value(|cache| {
                if cache.len() >= RANGE_CACHE_ENTRIES && !cache.contains_key(&key) {
                    cache.clear();
                }
                cache.insert(key, entry);
            });
        }
        Ok(answer)
    }

    pub fn builtins(&self, window: &QueryWindow) -> BuiltinIntervals {
        BuiltinIntervals {
            step_seconds: window.step,
            range_seconds: self.range.duration_seconds(),
            scrape_interval_seconds: self.scrape_interval_seconds,
        }
    }

    pub fn expand(&self, expr: &str, window: &QueryWindow) -> Result<String, String> {
        interpolate(expr, &self.variables, &self.builtins(window))
    }

    /// The range queries of `targets` over `window` with variables expanded as for
    /// `expand_window` (a baseline's extra query: the same PromQL, another window).
    pub async fn run_reference(
        &self,
        targets: &[Target],
        window: &QueryWindow,
        expand_window: &QueryWindow,
        abort: Option<&AbortSignal>,
    ) -> Result<Vec<Series>, String> {
        let requests = targets.iter().filter(|t| !t.instant).map(|target| {
            let query = self.expand(&target.expr, expand_window);
            async move {
                match query {
                    Ok(query) => self
                        .fetch_range(&query, "baseline", window, abort)
                        .await
                        .map_err(|error| error.to_string()),
                    Err(problem) => Err(problem),
                }
            }
        });
        let mut series = Vec::new();
        for answer in futures::future::join_all(requests).await {
            match answer?.data {
                QueryData::Matrix(found) => series.extend(found),
                _ => return Err("the baseline query did not return series".into()),
            }
        }
        Ok(series)
    }

    /// Runs every query the plan asks for, all concurrently.
    pub async fn run_targets(
        &self,
        targets: &[Target],
        overrides: &[SeriesOverride],
        window: &QueryWindow,
        plan: QueryPlan,
        abort: Option<&AbortSignal>,
    ) -> Result<PanelResult, String> {
        let queries: Vec<String> = targets
            .iter()
            .map(|t| self.expand(&t.expr, window))
            .collect::<Result<_, _>>()?;
        let mut jobs: Vec<(usize, Option<f64>)> = Vec::new(); // (target, instant time or range)
        for (index, target) in targets.iter().enumerate() {
            match plan {
                QueryPlan::Range if target.instant => jobs.push((index, Some(window.end))),
                QueryPlan::Range => jobs.push((index, None)),
                QueryPlan::Instant { at } => jobs.push((index, Some(at))),
                QueryPlan::RangeAndInstant { at } => {
                    jobs.extend([(index, None), (index, Some(at))])
                }
            }
        }
        let requests = jobs.iter().map(|&(index, instant_at)| {
            let query = &queries[index];
            async move {
                match instant_at {
                    Some(at) => fetch_query(&self.datasource, query, at, abort).await,
                    None => self.fetch_range(query, "panel", window, abort).await,
                }
            }
        });
        let answers = futures::future::join_all(requests).await;
        let evaluated_at = match plan {
            QueryPlan::Range => None,
            QueryPlan::Instant { at } | QueryPlan::RangeAndInstant { at } => Some(at),
        };
        let matchers = OverrideMatchers::new(overrides);
        let mut result = PanelResult {
            queries,
            evaluated_at,
            ..PanelResult::default()
        };
        for (&(index, _), answer) in jobs.iter().zip(answers) {
            let target = &targets[index];
            let answer = answer.map_err(|error| error.to_string())?;
            result.warnings.extend(answer.warnings);
            match answer.data {
                QueryData::Matrix(series) => {
                    result.series.extend(series.into_iter().map(|series| {
                        let name = legend(target, &series.labels, series.legend_name());
                        let (name, look) = overridden(&matchers, name, index);
                        NamedSeries { name, series, look }
                    }))
                }
                QueryData::Vector(samples) => {
                    result.samples.extend(samples.into_iter().map(|sample| {
                        let fallback = Series {
                            labels: sample.labels.clone(),
                            ..Series::default()
                        }
                        .legend_name();
                        let name = legend(target, &sample.labels, fallback);
                        let (name, look) = overridden(&matchers, name, index);
                        NamedSample { name, sample, look }
                    }))
                }
                QueryData::Scalar { timestamp, value } => {
                    let (name, look) = overridden(&matchers, "scalar".into(), index);
                    result.samples.push(NamedSample {
                        name,
                        sample: InstantSample {
                            labels: Default::default(),
                            timestamp,
                            value,
                        },
                        look,
                    })
                }
                QueryData::String { .. } => {
                    return Err("the query returned a string, which no panel can show".into())
                }
            }
        }
        if matchers.over_budget() {
            result.warnings.push(format!(
                "some per-series overrides by pattern were not applied: matching them against {} series would take too long",
                result.series.len() + result.samples.len()
            ));
        }
        Ok(result)
    }
}

/// A panel's or row's title with the variables' values written in, as
/// Grafana shows them ("CPU $instance" → "CPU node-1:9100").
pub fn shown_title(
    title: String,
    context: Signal<Option<PanelContext>>,
) -> impl Fn() -> String + Send + Sync + 'static {
    move || {
        context.with(|c| match c {
            Some(c) => interpolate_text(&title, &c.variables),
            None => title.clone(),
        })
    }
}
