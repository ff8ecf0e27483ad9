//! Answers from the datasource, which may be any server: every Prometheus API
//! answer reader, the alerting-rules reader, and sample values (which must be
//! read exactly as the standard library reads what Prometheus writes). Range
//! answers read directly from the text must read exactly as through the JSON
//! tree. The first input byte picks the HTTP status; the rest is the body.
#![no_main]

use foresight_core::alerting::rule::to_prometheus_rule_file;
use foresight_core::alerting::server_rules::{parse_rfc3339, parse_rules_response};
use foresight_core::query::prometheus_response::{
    parse_build_info_response, parse_label_values_response, parse_metadata_response,
    parse_query_response, parse_query_response_by_tree, ApiSuccess, QueryData,
};
use foresight_fuzz::text;
use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 8] = [200, 204, 299, 400, 422, 500, 503, 0];

/// Read alike: the same data, NaN and the sign of zero included.
fn read_alike(a: &ApiSuccess<QueryData>, b: &ApiSuccess<QueryData>) -> bool {
    let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    a.warnings == b.warnings
        && match (&a.data, &b.data) {
            (QueryData::Matrix(x), QueryData::Matrix(y)) => {
                x.len() == y.len()
                    && x.iter().zip(y).all(|(s, t)| {
                        s.labels == t.labels
                            && bits(&s.timestamps) == bits(&t.timestamps)
                            && bits(&s.values) == bits(&t.values)
                    })
            }
            (x, y) => format!("{x:?}") == format!("{y:?}"),
        }
}

fuzz_target!(|data: &[u8]| {
    let Some((&status, body)) = data.split_first() else {
        return;
    };
    let status = STATUSES[usize::from(status) % STATUSES.len()];
    let body = text(body);

    match (
        parse_query_response(status, &body),
        parse_query_response_by_tree(status, &body),
    ) {
        (Ok(answer), Ok(tree)) => {
            assert!(
                (200..300).contains(&status),
                "{answer:?} from HTTP {status}"
            );
            assert!(read_alike(&answer, &tree), "{answer:?} but the tree read {tree:?}");
        }
        (Err(error), Err(_)) => {
            let _ = error.to_string();
        }
        (answer, tree) => panic!("{answer:?} but the tree read {tree:?}"),
    }
    if let Err(error) = parse_build_info_response(status, &body) {
        let _ = error.to_string();
    }
    if let Err(error) = parse_label_values_response(status, &body) {
        let _ = error.to_string();
    }
    if let Err(error) = parse_metadata_response(status, &body) {
        let _ = error.to_string();
    }

    if let Ok(rules) = parse_rules_response(&body) {
        let imported: Vec<_> = rules.iter().map(|rule| rule.to_alert_rule()).collect();
        for rule in &imported {
            let _ = rule.problems();
        }
        let _ = to_prometheus_rule_file("imported", &imported);
    }
    let _ = parse_rfc3339(&body);

    // A sample value, read where answers carry them (a scalar answer): finite
    // numbers exactly as the standard library reads them, and Prometheus's own
    // spellings of the special values.
    let value = serde_json::to_string(&body).expect("a string can be written as JSON");
    let answer =
        format!(r#"{{"status":"success","data":{{"resultType":"scalar","result":[1,{value}]}}}}"#);
    match parse_query_response(200, &answer).map(|success| success.data) {
        Ok(QueryData::Scalar { value, .. }) if value.is_finite() => {
            let expected = body.parse::<f64>().ok().filter(|v| v.is_finite());
            assert_eq!(
                expected.map(f64::to_bits),
                Some(value.to_bits()),
                "{body:?}"
            );
        }
        Ok(QueryData::Scalar { value, .. }) => assert!(
            matches!(&*body, "NaN" | "+Inf" | "Inf" | "-Inf"),
            "{body:?} read as {value}"
        ),
        Ok(other) => panic!("a scalar answer read as {other:?}"),
        Err(_) => assert!(
            body.parse::<f64>().map_or(true, |v| !v.is_finite()),
            "{body:?} is a number the standard library reads"
        ),
    }
});
