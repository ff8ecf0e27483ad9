//! Every PromQL function the query editor completes is one the real
//! Prometheus knows: each is sent to it as a query with no arguments, and the
//! answer may say the arguments are wrong but never that the function is
//! unknown. A made-up name shows the check can fail.

use e2e::prometheus_fixture::PrometheusFixture;
use e2e::{artifacts_dir, browser_session::TempDir};
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::query::promql_completion::PROMQL_FUNCTIONS;

/// Prometheus's own words for a query: its error message, or "ok".
fn prometheus_says(base: &str, query: &str) -> String {
    let url = format!("{base}/api/v1/query?query={}", encode_uri_component(query));
    match ureq::get(&url).call() {
        Ok(_) => "ok".to_string(),
        Err(ureq::Error::Status(_, answer)) => answer.into_string().unwrap_or_default(),
        Err(error) => panic!("GET {url}: {error}"),
    }
}

fn unknown(answer: &str) -> bool {
    answer.contains("unknown function")
}

#[test]
fn every_completed_function_is_one_prometheus_knows() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-promql-functions");
    let prometheus = PrometheusFixture::start(&work.0, None, None, &artifacts).unwrap();
    let base = prometheus.base_url();

    let made_up = prometheus_says(&base, "no_such_function()");
    assert!(unknown(&made_up), "the check cannot fail: {made_up}");

    let refused: Vec<(&str, String)> = PROMQL_FUNCTIONS
        .iter()
        .map(|function| (*function, prometheus_says(&base, &format!("{function})"))))
        .filter(|(_, answer)| unknown(answer))
        .collect();
    assert!(
        refused.is_empty(),
        "completed but unknown to Prometheus: {refused:#?}"
    );
}
