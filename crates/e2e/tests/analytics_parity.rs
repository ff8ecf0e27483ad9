//! Foresight's linear forecast against Prometheus's own `predict_linear` and
//! `deriv`, on the generated history, to 1e-9 relative.

use e2e::browser_session::TempDir;
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::{artifacts_dir, http_get};
use foresight_core::analytics::linear_forecast::{linear_regression, predict_linear};
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::query::prometheus_response::{parse_query_response, QueryData};
use foresight_core::query::series::Labels;
use history_generator::IncidentKind;
use std::collections::BTreeMap;

fn query_at(base_url: &str, query: &str, time: i64) -> QueryData {
    let body = http_get(&format!(
        "{base_url}/api/v1/query?query={}&time={time}",
        encode_uri_component(query)
    ))
    .unwrap();
    parse_query_response(200, &body).unwrap().data
}

fn by_labels(data: QueryData) -> BTreeMap<Labels, f64> {
    let QueryData::Vector(samples) = data else {
        panic!("expected a vector")
    };
    samples.into_iter().map(|s| (s.labels, s.value)).collect()
}

fn relative_difference(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn predict_linear_and_deriv_match_prometheus() {
    let work = TempDir::new("foresight-e2e-parity");
    let prometheus = PrometheusFixture::start(&work.0, None, None, &artifacts_dir()).unwrap();
    let base = prometheus.base_url();
    let fill = prometheus
        .manifest
        .incident(IncidentKind::DiskFill)
        .unwrap()
        .clone();
    // Evaluation times across the fill (steep slope), the moment it ends (a jump), and quiet hours.
    let mut times: Vec<i64> = (0..24).map(|i| fill.start - 3600 + i * 1800 + 17).collect();
    times.extend((0..12).map(|i| prometheus.manifest.end - i * 7 * 3600 - 31));
    let (mut compared, mut worst) = (0usize, 0.0f64);
    for &time in &times {
        let selector = "node_filesystem_free_bytes";
        let QueryData::Matrix(raw) = query_at(&base, &format!("{selector}[1h]"), time) else {
            panic!("expected a matrix")
        };
        let predicted = by_labels(query_at(
            &base,
            &format!("predict_linear({selector}[1h], 4 * 3600)"),
            time,
        ));
        let derivatives = by_labels(query_at(&base, &format!("deriv({selector}[1h])"), time));
        assert_eq!(raw.len(), predicted.len(), "same series at {time}");
        for series in raw {
            let mut labels = series.labels.clone();
            labels.remove("__name__");
            let ours = predict_linear(
                &series.timestamps,
                &series.values,
                time as f64,
                4.0 * 3600.0,
            )
            .unwrap();
            let theirs = predicted[&labels];
            let difference = relative_difference(ours, theirs);
            assert!(
                difference <= 1e-9,
                "predict_linear at {time} for {labels:?}: ours {ours}, Prometheus {theirs}"
            );
            let (slope, _) =
                linear_regression(&series.timestamps, &series.values, time as f64).unwrap();
            let theirs_slope = derivatives[&labels];
            assert!(
                relative_difference(slope, theirs_slope) <= 1e-9,
                "deriv at {time}: ours {slope}, Prometheus {theirs_slope}"
            );
            worst = worst.max(difference);
            compared += 1;
        }
    }
    println!(
        "predict_linear parity: {compared} series-evaluations, worst relative difference {worst:e}"
    );
    assert!(compared >= 100);
}
