//! What Prometheus itself answers, read straight from its JSON (independently of
//! the app's parser), so tests can compare the page's numbers with the source.

use crate::http_get;
use foresight_core::model::datasource::encode_uri_component;
use serde_json::Value;
use std::collections::BTreeMap;

/// Per-series statistics of a range query: min, max, mean, last, finite sample count.
pub type RangeStats = [f64; 5];

fn success_data(body: &str) -> Value {
    let json: Value = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("Prometheus answered non-JSON ({e}): {body}"));
    assert_eq!(json["status"], "success", "{body}");
    json["data"].clone()
}

fn labels_of(series: &Value) -> BTreeMap<String, String> {
    series["metric"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// `query_range` statistics keyed by each series' label set.
pub fn range_stats(
    base_url: &str,
    query: &str,
    start: &str,
    end: &str,
    step: &str,
) -> BTreeMap<BTreeMap<String, String>, RangeStats> {
    let body = http_get(&format!(
        "{base_url}/api/v1/query_range?query={}&start={start}&end={end}&step={step}",
        encode_uri_component(query)
    ))
    .unwrap();
    let mut stats = BTreeMap::new();
    for series in success_data(&body)["result"].as_array().expect("a matrix") {
        let values: Vec<f64> = series["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| pair[1].as_str().unwrap().parse::<f64>().unwrap())
            .filter(|v| v.is_finite())
            .collect();
        if values.is_empty() {
            continue;
        }
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        stats.insert(
            labels_of(series),
            [min, max, mean, *values.last().unwrap(), values.len() as f64],
        );
    }
    stats
}

/// Instant query at `time`: each series' label set and value.
pub fn instant_values(
    base_url: &str,
    query: &str,
    time: &str,
) -> Vec<(BTreeMap<String, String>, f64)> {
    let body = http_get(&format!(
        "{base_url}/api/v1/query?query={}&time={time}",
        encode_uri_component(query)
    ))
    .unwrap();
    success_data(&body)["result"]
        .as_array()
        .expect("a vector")
        .iter()
        .map(|sample| {
            (
                labels_of(sample),
                sample["value"][1].as_str().unwrap().parse::<f64>().unwrap(),
            )
        })
        .collect()
}

/// The stat or gauge value panel `id` shows, and the server's (at `base`)
/// instant answer to the same substituted query at the same evaluation time.
pub async fn page_and_server_value(
    browser: &crate::browser_session::BrowserSession,
    base: &str,
    id: &str,
) -> (f64, f64) {
    let panel = format!(r#"[data-panel="{id}"]"#);
    let page: f64 = match browser
        .attribute(&format!("{panel} [data-value]"), "data-value")
        .await
    {
        Ok(value) => value.parse().unwrap(),
        Err(error) => {
            let html = browser
                .script(&format!(
                    "return document.querySelector('{panel}').outerHTML;"
                ))
                .await;
            panic!("{error}\npanel HTML: {html:?}");
        }
    };
    let query = browser.attribute(&panel, "data-query").await.unwrap();
    let end = browser
        .attribute(&panel, "data-evaluated-at")
        .await
        .unwrap();
    let answer = instant_values(base, &query, &end);
    assert_eq!(answer.len(), 1, "{id}: {query} at {end} gave {answer:?}");
    (page, answer[0].1)
}

pub fn assert_close(what: &str, page: f64, prometheus: f64) {
    let tolerance = 1e-9 * prometheus.abs().max(1.0);
    assert!(
        (page - prometheus).abs() <= tolerance,
        "{what}: page shows {page}, Prometheus says {prometheus}"
    );
}
