//! A "forecast crosses X within H" rule judged the way the page judges it
//! (a range query, then the least-squares trend of the last `H` at every
//! evaluation time) against the expression Foresight exports for Prometheus,
//! `predict_linear((expr)[H:step], H)`, evaluated by a real Prometheus over the
//! generated history (free disk space falling towards full). The predictions
//! and the times the alert condition holds must be the same.

use e2e::browser_session::TempDir;
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::{artifacts_dir, http_get};
use foresight_core::alerting::analytic_condition::analytic_answers;
use foresight_core::alerting::rule::{Comparison, Condition};
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::query::prometheus_response::{parse_query_response, QueryData};
use foresight_core::query::series::{Labels, Series};
use foresight_core::query::step::QueryWindow;
use std::collections::BTreeMap;

const STEP: f64 = 300.0;
const HORIZON: f64 = 4.0 * 3600.0;
const EXPR: &str = r#"node_filesystem_free_bytes{mountpoint="/"}"#;

fn range_query(base: &str, query: &str, start: f64, end: f64) -> Vec<Series> {
    let url = format!(
        "{base}/api/v1/query_range?query={}&start={start}&end={end}&step={STEP}",
        encode_uri_component(query)
    );
    match parse_query_response(200, &http_get(&url).unwrap())
        .unwrap()
        .data
    {
        QueryData::Matrix(series) => series,
        other => panic!("{query}: not a matrix: {other:?}"),
    }
}

/// `(time, labels without __name__) → value` of every sample.
fn samples(series: &[Series]) -> BTreeMap<(i64, String), f64> {
    let mut all = BTreeMap::new();
    for s in series {
        let mut labels: Labels = s.labels.clone();
        labels.remove("__name__");
        for (t, v) in s.timestamps.iter().zip(&s.values) {
            all.insert((*t as i64, format!("{labels:?}")), *v);
        }
    }
    all
}

fn page_answers(
    condition: &Condition,
    series: &[Series],
    window: &QueryWindow,
    times: &[f64],
) -> BTreeMap<(i64, String), f64> {
    let answers = analytic_answers(condition, series, None, window, times).unwrap();
    let mut all = BTreeMap::new();
    for (t, answer) in times.iter().zip(answers) {
        for (labels, value) in answer {
            let mut labels = labels;
            labels.remove("__name__");
            all.insert((*t as i64, format!("{labels:?}")), value);
        }
    }
    all
}

#[test]
fn forecast_crossing_rules_judge_like_predict_linear() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-forecast-rule");
    let prometheus = PrometheusFixture::start(&work.0, None, None, &artifacts).unwrap();
    let base = prometheus.base_url();
    let end = (prometheus.manifest.end as f64 / STEP).floor() * STEP;
    let start = end - 2.0 * 86_400.0;
    let times: Vec<f64> = (0..)
        .map(|k| start + STEP * k as f64)
        .take_while(|t| *t <= end)
        .collect();
    // What the page asks for: the range from one horizon before the first evaluation.
    let window = QueryWindow {
        start: start - HORIZON,
        end,
        step: STEP,
    };
    let history = range_query(&base, EXPR, window.start, end);
    assert!(
        !history.is_empty(),
        "the generated history has free disk space"
    );
    let exported = format!("predict_linear(({EXPR})[4h:5m], {HORIZON})");

    // Every prediction: a condition every finite value meets.
    let everything = Condition::ForecastCrosses {
        op: Comparison::Above,
        value: -1e300,
        within: "4h".into(),
    };
    let page = page_answers(&everything, &history, &window, &times);
    let server = samples(&range_query(&base, &exported, start, end));
    assert_eq!(
        page.len(),
        server.len(),
        "the same evaluations have a prediction"
    );
    let mut worst = 0.0_f64;
    for (key, theirs) in &server {
        let ours = page
            .get(key)
            .unwrap_or_else(|| panic!("the page has no prediction at {key:?}"));
        let relative = (ours - theirs).abs() / theirs.abs().max(1.0);
        worst = worst.max(relative);
        assert!(relative < 1e-9, "{key:?}: page {ours}, Prometheus {theirs}");
    }
    println!(
        "{} predictions compared; largest relative difference {worst:e}",
        server.len()
    );

    // The alert condition: "free space forecast below X within 4 h", with X the
    // median prediction, holds at exactly the same evaluations.
    let mut predictions: Vec<f64> = server.values().copied().collect();
    predictions.sort_by(f64::total_cmp);
    let threshold = predictions[predictions.len() / 2].round();
    let below = Condition::ForecastCrosses {
        op: Comparison::Below,
        value: threshold,
        within: "4h".into(),
    };
    let page_alerting: Vec<_> = page_answers(&below, &history, &window, &times)
        .into_keys()
        .collect();
    let server_alerting: Vec<_> = samples(&range_query(
        &base,
        &format!("{exported} < {threshold}"),
        start,
        end,
    ))
    .into_keys()
    .collect();
    assert_eq!(page_alerting, server_alerting);
    assert!(
        !page_alerting.is_empty() && page_alerting.len() < server.len(),
        "the condition both holds and does not"
    );
    println!(
        "forecast below {threshold}: {} of {} evaluations (series × times), identical on both sides",
        page_alerting.len(),
        server.len()
    );
}
