//! The queries one evaluation of an alert rule asks Prometheus: the instant
//! query of a threshold rule, or the history (and the reference a baseline
//! needs) of an analytic condition, then the queries its templates call. What
//! the answers mean, and which queries to run, is decided in the core
//! (`alerting::engine`, `alerting::analytic_condition`).

use crate::browser::prometheus_client::{fetch_query, fetch_query_range};
use foresight_core::alerting::analytic_condition::{
    align_reference, analytic_answers, history_window, reference_window,
};
use foresight_core::alerting::engine::{instant_samples, template_queries_to_run, Answer};
use foresight_core::alerting::rule::AlertRule;
use foresight_core::alerting::template::TemplateData;
use foresight_core::model::datasource::Datasource;
use foresight_core::query::prometheus_response::QueryData;
use foresight_core::query::series::Series;
use foresight_core::query::step::QueryWindow;

async fn fetch_matrix(
    datasource: &Datasource,
    expr: &str,
    window: &QueryWindow,
) -> Result<Vec<Series>, String> {
    match fetch_query_range(datasource, expr, window, None).await {
        Ok(answer) => match answer.data {
            QueryData::Matrix(series) => Ok(series),
            _ => Err("the expression must return series".into()),
        },
        Err(error) => Err(error.to_string()),
    }
}

/// The range answer of a rule over `window`, and its baseline's when it has one.
pub async fn fetch_history(
    datasource: &Datasource,
    rule: &AlertRule,
    window: &QueryWindow,
) -> Result<(Vec<Series>, Option<Result<Vec<Series>, String>>), String> {
    let series = fetch_matrix(datasource, &rule.expr, window).await?;
    let reference = match reference_window(&rule.condition, window) {
        Some((reference_window, shift)) => Some(
            fetch_matrix(datasource, &rule.expr, &reference_window)
                .await
                .map(|s| align_reference(s, shift)),
        ),
        None => None,
    };
    Ok((series, reference))
}

/// What the rule's query says now: `(labels, value)` of each series that
/// counts, and whether there was any data at all.
pub async fn evaluate_query(
    datasource: &Datasource,
    rule: &AlertRule,
    now: f64,
) -> Result<Answer, String> {
    if rule.condition.is_analytic() {
        let interval = rule.interval_seconds().unwrap_or(60.0);
        let window = history_window(&rule.condition, interval, now);
        let (series, reference) = fetch_history(datasource, rule, &window).await?;
        let mut answers = analytic_answers(
            &rule.condition,
            &series,
            reference.as_ref(),
            &window,
            &[window.end],
        )?;
        return Ok(Answer {
            samples: answers.pop().unwrap_or_default(),
            had_data: !series.is_empty(),
        });
    }
    instant_answer(datasource, &rule.expr, now).await
}

/// An instant query's samples at `time`: one request path for a rule's
/// query and its templates' queries alike.
async fn instant_answer(datasource: &Datasource, query: &str, time: f64) -> Result<Answer, String> {
    let answer = fetch_query(datasource, query, time, None)
        .await
        .map_err(|error| error.to_string())?;
    instant_samples(answer.data)
}

/// Runs the queries the rule's templates call for the alerts of `answer`, at
/// the evaluation time `now` (a later round asks what depends on an earlier
/// answer), and puts each answer, or why it failed, in `templates` for the
/// step to render with. Stops between rounds once `wanted` says no (a
/// preview a newer one replaced). The core's `answer_template_queries_now`
/// is the same loop for answers at hand.
pub async fn answer_template_queries(
    datasource: &Datasource,
    rule: &AlertRule,
    answer: &Answer,
    now: f64,
    templates: &mut TemplateData,
    wanted: &dyn Fn() -> bool,
) {
    while wanted() {
        let queries = template_queries_to_run(rule, answer, templates);
        if queries.is_empty() {
            return;
        }
        for query in queries {
            let answer = instant_answer(datasource, &query, now).await;
            templates.answer(query, answer.map(|answer| answer.samples));
        }
    }
}
