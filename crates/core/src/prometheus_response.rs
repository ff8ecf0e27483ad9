//! Prometheus HTTP API responses become typed values here, once. Sample values
//! arrive as JSON strings (`"1.5"`, `"NaN"`, `"+Inf"`); nothing past this module
//! sees a string.

use crate::series::{Labels, Series};
use serde::Deserialize;
use std::fmt;

/// Why a request to Prometheus produced no usable data, phrased for a person.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The request never got an HTTP answer (server down, CORS refused, DNS, aborted).
    /// `datasource` is the base URL the user configured, not the full request URL.
    Unreachable { datasource: String, detail: String },
    /// Prometheus answered `"status":"error"`, e.g. a PromQL parse error.
    Prometheus { error_type: String, message: String },
    /// An HTTP error status without a Prometheus error body (a proxy, a wrong path).
    Http { status: u16, body_excerpt: String },
    /// The body is not the JSON the API documents.
    Malformed { detail: String },
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unreachable { datasource, detail } => write!(
                f,
                "Cannot reach Prometheus at {datasource} ({detail}). Check that it is running, that the datasource URL is right, and that it allows cross-origin requests from this page."
            ),
            ApiError::Prometheus { error_type, message } => {
                write!(f, "Prometheus refused the query ({error_type}): {message}")
            }
            ApiError::Http { status, body_excerpt } => write!(
                f,
                "Prometheus answered HTTP {status} without an API error body: {body_excerpt:?}. Is the datasource URL the Prometheus base URL?"
            ),
            ApiError::Malformed { detail } => write!(
                f,
                "The answer is not a valid Prometheus API response ({detail}). Is the datasource a Prometheus-compatible server?"
            ),
        }
    }
}

impl std::error::Error for ApiError {}

/// A successful answer, with the warnings Prometheus attached to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiSuccess<T> {
    pub data: T,
    pub warnings: Vec<String>,
}

/// The `data` of `/api/v1/query` and `/api/v1/query_range`.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryData {
    Matrix(Vec<Series>),
    Vector(Vec<InstantSample>),
    Scalar { timestamp: f64, value: f64 },
    String { timestamp: f64, value: String },
}

/// One element of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct InstantSample {
    pub labels: Labels,
    pub timestamp: f64,
    pub value: f64,
}

/// `/api/v1/status/buildinfo`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BuildInfo {
    pub version: String,
    #[serde(default)]
    pub revision: String,
    #[serde(default)]
    pub branch: String,
    #[serde(default, rename = "goVersion")]
    pub go_version: String,
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
struct RawQueryData {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct RawMatrixSeries {
    metric: Labels,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

#[derive(Deserialize)]
struct RawVectorSample {
    metric: Labels,
    value: (f64, String),
}

/// Parses a sample value as Prometheus writes it.
pub fn parse_sample_value(text: &str) -> Result<f64, ApiError> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| ApiError::Malformed {
                detail: format!("sample value {text:?} is not a number"),
            }),
    }
}

fn excerpt(body: &str) -> String {
    const LIMIT: usize = 200;
    let trimmed = body.trim();
    match trimmed.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_string(),
    }
}

/// Decodes the common envelope: error statuses become [`ApiError`]s with
/// Prometheus's own `errorType` and message when it sent them.
fn parse_envelope(http_status: u16, body: &str) -> Result<ApiSuccess<serde_json::Value>, ApiError> {
    let envelope: Envelope = match serde_json::from_str(body) {
        Ok(envelope) => envelope,
        Err(error) if (200..300).contains(&http_status) => {
            return Err(ApiError::Malformed {
                detail: format!("invalid JSON: {error}; body starts {:?}", excerpt(body)),
            })
        }
        Err(_) => {
            return Err(ApiError::Http {
                status: http_status,
                body_excerpt: excerpt(body),
            })
        }
    };
    if envelope.status == "error" {
        return Err(ApiError::Prometheus {
            error_type: envelope.error_type.unwrap_or_else(|| "unknown".into()),
            message: envelope.error.unwrap_or_else(|| "no message".into()),
        });
    }
    if envelope.status != "success" {
        return Err(ApiError::Malformed {
            detail: format!("unexpected status {:?}", envelope.status),
        });
    }
    if !(200..300).contains(&http_status) {
        return Err(ApiError::Http {
            status: http_status,
            body_excerpt: excerpt(body),
        });
    }
    let data = envelope.data.ok_or_else(|| ApiError::Malformed {
        detail: "success without data".into(),
    })?;
    Ok(ApiSuccess {
        data,
        warnings: envelope.warnings,
    })
}

fn parse_samples(raw: Vec<(f64, String)>) -> Result<(Vec<f64>, Vec<f64>), ApiError> {
    let mut timestamps = Vec::with_capacity(raw.len());
    let mut values = Vec::with_capacity(raw.len());
    for (timestamp, text) in raw {
        timestamps.push(timestamp);
        values.push(parse_sample_value(&text)?);
    }
    Ok((timestamps, values))
}

/// Parses the answer of `/api/v1/query` or `/api/v1/query_range`.
pub fn parse_query_response(
    http_status: u16,
    body: &str,
) -> Result<ApiSuccess<QueryData>, ApiError> {
    let envelope = parse_envelope(http_status, body)?;
    let raw: RawQueryData =
        serde_json::from_value(envelope.data).map_err(|error| ApiError::Malformed {
            detail: format!("query data: {error}"),
        })?;
    let shape_error = |error: serde_json::Error| ApiError::Malformed {
        detail: format!("{} result: {error}", raw.result_type),
    };
    let data = match raw.result_type.as_str() {
        "matrix" => {
            let raw_series: Vec<RawMatrixSeries> =
                serde_json::from_value(raw.result).map_err(shape_error)?;
            let mut series = Vec::with_capacity(raw_series.len());
            for item in raw_series {
                let (timestamps, values) = parse_samples(item.values)?;
                series.push(Series {
                    labels: item.metric,
                    timestamps,
                    values,
                });
            }
            QueryData::Matrix(series)
        }
        "vector" => {
            let raw_samples: Vec<RawVectorSample> =
                serde_json::from_value(raw.result).map_err(shape_error)?;
            let mut samples = Vec::with_capacity(raw_samples.len());
            for item in raw_samples {
                samples.push(InstantSample {
                    labels: item.metric,
                    timestamp: item.value.0,
                    value: parse_sample_value(&item.value.1)?,
                });
            }
            QueryData::Vector(samples)
        }
        "scalar" => {
            let (timestamp, text): (f64, String) =
                serde_json::from_value(raw.result).map_err(shape_error)?;
            QueryData::Scalar {
                timestamp,
                value: parse_sample_value(&text)?,
            }
        }
        "string" => {
            let (timestamp, value): (f64, String) =
                serde_json::from_value(raw.result).map_err(shape_error)?;
            QueryData::String { timestamp, value }
        }
        other => {
            return Err(ApiError::Malformed {
                detail: format!("unknown resultType {other:?}"),
            })
        }
    };
    Ok(ApiSuccess {
        data,
        warnings: envelope.warnings,
    })
}

/// Parses the answer of `/api/v1/status/buildinfo`.
pub fn parse_build_info_response(http_status: u16, body: &str) -> Result<BuildInfo, ApiError> {
    let envelope = parse_envelope(http_status, body)?;
    serde_json::from_value(envelope.data).map_err(|error| ApiError::Malformed {
        detail: format!("buildinfo: {error}"),
    })
}

/// Parses the answer of `/api/v1/label/<name>/values`.
pub fn parse_label_values_response(http_status: u16, body: &str) -> Result<Vec<String>, ApiError> {
    let envelope = parse_envelope(http_status, body)?;
    serde_json::from_value(envelope.data).map_err(|error| ApiError::Malformed {
        detail: format!("label values: {error}"),
    })
}

/// What `/api/v1/metadata` says about one metric.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct MetricMetadata {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub unit: String,
}

/// Parses `/api/v1/metadata`: metric name → its metadata entries.
pub fn parse_metadata_response(
    http_status: u16,
    body: &str,
) -> Result<std::collections::BTreeMap<String, Vec<MetricMetadata>>, ApiError> {
    let envelope = parse_envelope(http_status, body)?;
    serde_json::from_value(envelope.data).map_err(|error| ApiError::Malformed {
        detail: format!("metadata: {error}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_answers_parse() {
        let body = r#"{"status":"success","data":{"up":[{"type":"gauge","help":"Target is up.","unit":""}]}}"#;
        let parsed = parse_metadata_response(200, body).unwrap();
        assert_eq!(parsed["up"][0].kind, "gauge");
        assert_eq!(parsed["up"][0].help, "Target is up.");
        assert!(parse_metadata_response(200, r#"{"status":"success","data":[1]}"#).is_err());
    }

    #[test]
    fn parses_a_matrix_with_special_values() {
        let body = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"status_code":"200"},"values":[[1700000000,"1.5"],[1700000015.5,"NaN"],[1700000030,"+Inf"],[1700000045,"-Inf"]]}]}}"#;
        let parsed = parse_query_response(200, body).unwrap();
        let QueryData::Matrix(series) = parsed.data else {
            panic!("not a matrix")
        };
        assert_eq!(series.len(), 1);
        assert_eq!(
            series[0].labels.get("status_code").map(String::as_str),
            Some("200")
        );
        assert_eq!(
            series[0].timestamps,
            vec![
                1_700_000_000.0,
                1_700_000_015.5,
                1_700_000_030.0,
                1_700_000_045.0
            ]
        );
        assert_eq!(series[0].values[0], 1.5);
        assert!(series[0].values[1].is_nan());
        assert_eq!(series[0].values[2], f64::INFINITY);
        assert_eq!(series[0].values[3], f64::NEG_INFINITY);
    }

    #[test]
    fn parses_vector_scalar_and_warnings() {
        let body = r#"{"status":"success","warnings":["partial data"],"data":{"resultType":"vector","result":[{"metric":{},"value":[10,"3"]}]}}"#;
        let parsed = parse_query_response(200, body).unwrap();
        assert_eq!(parsed.warnings, vec!["partial data".to_string()]);
        assert_eq!(
            parsed.data,
            QueryData::Vector(vec![InstantSample {
                labels: Labels::new(),
                timestamp: 10.0,
                value: 3.0
            }])
        );
        let scalar = parse_query_response(
            200,
            r#"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}"#,
        );
        assert_eq!(
            scalar.unwrap().data,
            QueryData::Scalar {
                timestamp: 1.0,
                value: 2.0
            }
        );
    }

    #[test]
    fn prometheus_errors_keep_type_and_message() {
        let body = r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \")\""}"#;
        let error = parse_query_response(400, body).unwrap_err();
        assert_eq!(
            error,
            ApiError::Prometheus {
                error_type: "bad_data".into(),
                message: "1:5: parse error: unexpected \")\"".into()
            }
        );
        assert!(error.to_string().contains("bad_data"));
    }

    #[test]
    fn non_json_bodies_give_actionable_errors() {
        let html = "<html><body>502 Bad Gateway</body></html>";
        assert!(matches!(
            parse_query_response(502, html),
            Err(ApiError::Http { status: 502, .. })
        ));
        let error = parse_query_response(200, html).unwrap_err();
        assert!(matches!(error, ApiError::Malformed { .. }));
        assert!(error.to_string().contains("Prometheus-compatible"));
        assert!(parse_query_response(200, r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}"#).is_err());
        assert!(parse_query_response(
            200,
            r#"{"status":"success","data":{"resultType":"matrix","result":{}}}"#
        )
        .is_err());
        assert!(parse_query_response(
            200,
            r#"{"status":"success","data":{"resultType":"histogram","result":[]}}"#
        )
        .is_err());
        let truncated = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"#;
        assert!(matches!(
            parse_query_response(200, truncated),
            Err(ApiError::Malformed { .. })
        ));
    }

    #[test]
    fn long_bodies_are_excerpted_on_char_boundaries() {
        let body = "é".repeat(1000);
        let ApiError::Http { body_excerpt, .. } = parse_query_response(500, &body).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(body_excerpt.chars().count(), 201);
    }

    #[test]
    fn parses_label_values() {
        let values = parse_label_values_response(
            200,
            r#"{"status":"success","data":["node","sample-service"]}"#,
        )
        .unwrap();
        assert_eq!(
            values,
            vec!["node".to_string(), "sample-service".to_string()]
        );
        assert!(parse_label_values_response(200, r#"{"status":"success","data":[1]}"#).is_err());
    }

    #[test]
    fn parses_build_info() {
        let body = r#"{"status":"success","data":{"version":"2.42.0","revision":"abc","branch":"HEAD","buildUser":"x","buildDate":"y","goVersion":"go1.19"}}"#;
        let info = parse_build_info_response(200, body).unwrap();
        assert_eq!(info.version, "2.42.0");
        assert_eq!(info.go_version, "go1.19");
    }

    #[test]
    fn hostile_label_values_survive_unchanged() {
        let body = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"path":"<script>alert(1)</script>\"\n"},"value":[1,"1"]}]}}"#;
        let QueryData::Vector(samples) = parse_query_response(200, body).unwrap().data else {
            panic!()
        };
        assert_eq!(samples[0].labels["path"], "<script>alert(1)</script>\"\n");
    }
}
