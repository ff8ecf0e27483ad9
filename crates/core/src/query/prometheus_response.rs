//! Prometheus HTTP API responses become typed values here, once. Sample values
//! arrive as JSON strings (`"1.5"`, `"NaN"`, `"+Inf"`); nothing past this module
//! sees a string.

use crate::foundation::json::{
    decode_items, DecodeError, FromJson, Json, JsonCursor, ObjectReader,
};
use crate::query::series::{Labels, Series};
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
    /// The answer is larger than the page reads ([`crate::foundation::limits::MAX_ANSWER_BYTES`]).
    TooLarge {
        datasource: String,
        limit_mib: usize,
    },
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
            ApiError::Http { status, body_excerpt } if *status >= 500 => write!(
                f,
                "Prometheus (or a proxy in front of it) answered HTTP {status}: {body_excerpt:?}. It may be overloaded or restarting; the page tries again at each refresh."
            ),
            ApiError::Http { status, body_excerpt } => write!(
                f,
                "Prometheus answered HTTP {status} without an API error body: {body_excerpt:?}. Is the datasource URL the Prometheus base URL?"
            ),
            ApiError::TooLarge { datasource, limit_mib } => write!(
                f,
                "Prometheus at {datasource} answered more than {limit_mib} MiB, the most this page reads: ask for a shorter range or fewer series."
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

/// `/api/v1/status/buildinfo`. Every member may be missing: VictoriaMetrics
/// 1.79 answers `"data": {}`, and Mimir adds `application`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildInfo {
    #[serde(default)]
    pub version: String,
    /// Set by Grafana Mimir (`"Grafana Mimir"`), absent from Prometheus.
    #[serde(default)]
    pub application: String,
    #[serde(default)]
    pub revision: String,
    #[serde(default)]
    pub branch: String,
    #[serde(default)]
    pub go_version: String,
}

/// The common envelope of every API answer.
struct Envelope {
    status: String,
    data: Option<Json>,
    error_type: Option<String>,
    error: Option<String>,
    warnings: Vec<String>,
}

/// What a partial answer adds to its warnings: VictoriaMetrics's cluster marks an
/// answer that lacks some storage nodes with `"isPartial": true`, and nothing else.
pub const PARTIAL_ANSWER_WARNING: &str =
    "the answer is partial: some storage nodes did not answer (isPartial), so values may be missing or low";

impl Envelope {
    fn read(body: &str) -> Result<Self, String> {
        let document = Json::parse(body)?;
        let mut envelope = Self::read_members(&document).map_err(|e| e.to_string())?;
        // The data is moved out, not copied: range answers are large.
        if let Json::Object(members) = document {
            envelope.data = members
                .into_iter()
                .rev()
                .find(|(name, _)| name == "data")
                .map(|(_, value)| value)
                .filter(|value| !value.is_null());
        }
        Ok(envelope)
    }

    /// Everything but the data.
    fn read_members(document: &Json) -> Result<Self, DecodeError> {
        let reader = ObjectReader::new(document)?;
        Ok(Self {
            status: reader.required("status")?,
            data: None,
            error_type: reader.optional("errorType")?,
            error: reader.optional("error")?,
            warnings: {
                let mut warnings: Vec<String> = reader.or_default("warnings")?;
                if reader.or_default::<bool>("isPartial")? {
                    warnings.push(PARTIAL_ANSWER_WARNING.to_string());
                }
                warnings
            },
        })
    }
}

/// One `[timestamp, "value"]` pair.
fn sample_pair(value: &Json) -> Result<(f64, f64), DecodeError> {
    match value.as_array().map(Vec::as_slice) {
        Some([Json::Number(timestamp), Json::String(text)]) => sample_number(text)
            .map(|sample| (*timestamp, sample))
            .ok_or_else(|| DecodeError::new(format!("sample value {text:?} is not a number"))),
        _ => Err(DecodeError::new(format!(
            "expected [timestamp, \"value\"], found {}",
            value.kind()
        ))),
    }
}

fn matrix_series(value: &Json) -> Result<Series, DecodeError> {
    let reader = ObjectReader::new(value)?;
    let labels: Labels = reader.required("metric")?;
    let pairs = match reader.value("values") {
        None => &[][..],
        Some(Json::Array(items)) => items.as_slice(),
        Some(other) => return Err(DecodeError::expected("an array", other).in_member("values")),
    };
    let mut timestamps = Vec::with_capacity(pairs.len());
    let mut values = Vec::with_capacity(pairs.len());
    for (index, pair) in pairs.iter().enumerate() {
        let (timestamp, sample) =
            sample_pair(pair).map_err(|e| e.in_item(index).in_member("values"))?;
        timestamps.push(timestamp);
        values.push(sample);
    }
    Ok(Series {
        labels,
        timestamps,
        values,
    })
}

fn vector_sample(value: &Json) -> Result<InstantSample, DecodeError> {
    let reader = ObjectReader::new(value)?;
    let labels: Labels = reader.required("metric")?;
    let (timestamp, value) =
        sample_pair(reader.required_value("value")?).map_err(|e| e.in_member("value"))?;
    Ok(InstantSample {
        labels,
        timestamp,
        value,
    })
}

/// A sample value as Prometheus writes it (`"1.5"`, `"NaN"`, `"+Inf"`).
fn sample_number(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => crate::foundation::float_text::parse_f64(text).filter(|v| v.is_finite()),
    }
}

/// The start of an answer's body, for a message.
fn excerpt(body: &str) -> String {
    crate::foundation::limits::excerpt(body.trim(), 200)
}

/// Decodes the common envelope: error statuses become [`ApiError`]s with
/// Prometheus's own `errorType` and message when it sent them.
fn parse_envelope(http_status: u16, body: &str) -> Result<ApiSuccess<Json>, ApiError> {
    let envelope = match Envelope::read(body) {
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

/// The data of a successful answer read as a `T`, errors prefixed by `what`.
fn parse_data<T: FromJson>(http_status: u16, body: &str, what: &str) -> Result<T, ApiError> {
    let envelope = parse_envelope(http_status, body)?;
    T::from_json(&envelope.data).map_err(|error| ApiError::Malformed {
        detail: format!("{what}: {error}"),
    })
}

/// Parses the answer of `/api/v1/query` or `/api/v1/query_range`.
///
/// A successful range answer of the usual shape is read straight from the
/// text ([`read_matrix_answer`]: no tree, no string per sample; several times
/// faster, which is what keeps a page of thousands of series responsive);
/// anything else, or anything unexpected in it, is read through the tree
/// ([`parse_query_response_by_tree`]), which also words every error. The
/// two agree on every answer: tests and a fuzz target compare them.
pub fn parse_query_response(
    http_status: u16,
    body: &str,
) -> Result<ApiSuccess<QueryData>, ApiError> {
    if (200..300).contains(&http_status) {
        if let Some(answer) = read_matrix_answer(body) {
            return Ok(answer);
        }
    }
    parse_query_response_by_tree(http_status, body)
}

/// A successful matrix answer read without building its tree: `None` for
/// any other answer and at anything unexpected (a repeated key, an escape
/// in a sample value, a malformed pair), so that the tree reads it and
/// words the error.
fn read_matrix_answer(body: &str) -> Option<ApiSuccess<QueryData>> {
    let mut cursor = JsonCursor::new(body);
    if !cursor.eat(b'{') {
        return None;
    }
    let (mut status, mut series, mut warnings) = (None, None, None);
    let mut partial = false;
    let mut seen = 0;
    let mut first = true;
    while !cursor.next_or_close(b'}', first)? {
        first = false;
        let key = member_name(
            &mut cursor,
            &[
                "status",
                "data",
                "warnings",
                "errorType",
                "error",
                "isPartial",
            ],
            &mut seen,
        )?;
        match key.as_str() {
            "status" => status = Some(cursor.string()?),
            "data" => series = Some(read_matrix_data(&mut cursor)?),
            "warnings" => {
                let Json::Array(items) = cursor.value(1)? else {
                    return None;
                };
                let texts: Option<Vec<String>> = items
                    .into_iter()
                    .map(|item| match item {
                        Json::String(text) => Some(text),
                        _ => None,
                    })
                    .collect();
                warnings = Some(texts?);
            }
            "isPartial" => match cursor.value(1)? {
                Json::Bool(value) => partial = value,
                _ => return None,
            },
            // Present on errors only; the tree reads those.
            "errorType" | "error" => return None,
            _ => {
                cursor.value(1)?;
            }
        }
    }
    if !cursor.at_end() || status.as_deref() != Some("success") {
        return None;
    }
    let mut warnings = warnings.unwrap_or_default();
    if partial {
        warnings.push(PARTIAL_ANSWER_WARNING.to_string());
    }
    let data = within_caps(QueryData::Matrix(series?), &mut warnings);
    Some(ApiSuccess { data, warnings })
}

/// An object member's name and its `:`; `None` when one of the `known`
/// names comes a second time (`seen` marks them; the tree keeps the last,
/// and the tree reads such an answer). Other names are not remembered: the
/// reading ignores them, and remembering every one would make an answer
/// of many members quadratic.
fn member_name(cursor: &mut JsonCursor, known: &[&str], seen: &mut u8) -> Option<String> {
    let key = cursor.string()?;
    if !cursor.eat(b':') {
        return None;
    }
    if let Some(index) = known.iter().position(|name| *name == key) {
        let bit = 1u8 << index;
        if *seen & bit != 0 {
            return None;
        }
        *seen |= bit;
    }
    Some(key)
}

/// `{"resultType": "matrix", "result": [...]}`, the type first.
fn read_matrix_data(cursor: &mut JsonCursor) -> Option<Vec<Series>> {
    if !cursor.eat(b'{') {
        return None;
    }
    let (mut is_matrix, mut series) = (false, None);
    let mut seen = 0;
    let mut first = true;
    while !cursor.next_or_close(b'}', first)? {
        first = false;
        match member_name(cursor, &["resultType", "result"], &mut seen)?.as_str() {
            "resultType" => is_matrix = cursor.plain_string()? == "matrix",
            "result" if is_matrix => {
                if !cursor.eat(b'[') {
                    return None;
                }
                let mut read = Vec::new();
                let mut first_series = true;
                while !cursor.next_or_close(b']', first_series)? {
                    first_series = false;
                    read.push(read_series(cursor)?);
                }
                series = Some(read);
            }
            "result" => return None,
            _ => {
                cursor.value(2)?;
            }
        }
    }
    series.filter(|_| is_matrix)
}

/// `{"metric": {...}, "values": [[t, "v"], ...]}`.
fn read_series(cursor: &mut JsonCursor) -> Option<Series> {
    if !cursor.eat(b'{') {
        return None;
    }
    let (mut labels, mut timestamps, mut values) = (None, Vec::new(), Vec::new());
    let mut seen = 0;
    let mut first = true;
    while !cursor.next_or_close(b'}', first)? {
        first = false;
        match member_name(cursor, &["metric", "values"], &mut seen)?.as_str() {
            "metric" => {
                if !cursor.eat(b'{') {
                    return None;
                }
                let mut read = Labels::new();
                let mut first_label = true;
                while !cursor.next_or_close(b'}', first_label)? {
                    first_label = false;
                    let name = cursor.string()?;
                    // In order, as Prometheus writes them: each insert is at
                    // the end (any other order, or a name twice, is left to
                    // the tree, which sorts once).
                    let in_order = read.keys().next_back().is_none_or(|last| *last < name);
                    if !cursor.eat(b':') || !in_order {
                        return None;
                    }
                    read.insert(name, cursor.string()?);
                }
                labels = Some(read);
            }
            "values" => {
                if !cursor.eat(b'[') {
                    return None;
                }
                let mut first_pair = true;
                while !cursor.next_or_close(b']', first_pair)? {
                    first_pair = false;
                    if !cursor.eat(b'[') {
                        return None;
                    }
                    let timestamp = cursor.number()?;
                    if !cursor.eat(b',') {
                        return None;
                    }
                    let value = sample_number(cursor.plain_string()?)?;
                    if !cursor.eat(b']') {
                        return None;
                    }
                    timestamps.push(timestamp);
                    values.push(value);
                }
            }
            _ => {
                cursor.value(4)?;
            }
        }
    }
    Some(Series {
        labels: labels?,
        timestamps,
        values,
    })
}

/// Parses the answer of `/api/v1/query` or `/api/v1/query_range` through the
/// JSON tree: every answer shape, and the words of every error. The reference
/// [`parse_query_response`]'s direct reading is compared with.
pub fn parse_query_response_by_tree(
    http_status: u16,
    body: &str,
) -> Result<ApiSuccess<QueryData>, ApiError> {
    let envelope = parse_envelope(http_status, body)?;
    let malformed = |detail: String| ApiError::Malformed { detail };
    let reader =
        ObjectReader::new(&envelope.data).map_err(|e| malformed(format!("query data: {e}")))?;
    let result_type: String = reader
        .required("resultType")
        .map_err(|e| malformed(format!("query data: {e}")))?;
    let result = reader
        .required_value("result")
        .map_err(|e| malformed(format!("query data: {e}")))?;
    let shape_error = |error: DecodeError| malformed(format!("{result_type} result: {error}"));
    let data = match result_type.as_str() {
        "matrix" => QueryData::Matrix(decode_items(result, matrix_series).map_err(shape_error)?),
        "vector" => QueryData::Vector(decode_items(result, vector_sample).map_err(shape_error)?),
        "scalar" => {
            let (timestamp, value) = sample_pair(result).map_err(shape_error)?;
            QueryData::Scalar { timestamp, value }
        }
        "string" => match result.as_array().map(Vec::as_slice) {
            Some([Json::Number(timestamp), Json::String(value)]) => QueryData::String {
                timestamp: *timestamp,
                value: value.clone(),
            },
            _ => {
                return Err(shape_error(DecodeError::expected(
                    "[timestamp, \"text\"]",
                    result,
                )))
            }
        },
        other => {
            return Err(ApiError::Malformed {
                detail: format!("unknown resultType {other:?}"),
            })
        }
    };
    let mut warnings = envelope.warnings;
    let data = within_caps(data, &mut warnings);
    Ok(ApiSuccess { data, warnings })
}

/// Keeps an answer within what one panel draws: at most
/// [`MAX_SERIES_PER_PANEL`] series (or samples) and [`MAX_POINTS_PER_SERIES`]
/// points each (Prometheus itself refuses more points per query), saying
/// what was left out. A datasource is outside the page's control; its answer
/// cannot be allowed to cost unbounded memory or drawing time.
fn within_caps(data: QueryData, warnings: &mut Vec<String>) -> QueryData {
    use crate::foundation::limits::{MAX_POINTS_PER_SERIES, MAX_SERIES_PER_PANEL};
    match data {
        QueryData::Matrix(mut series) => {
            if series.len() > MAX_SERIES_PER_PANEL {
                warnings.push(format!(
                    "the answer has {} series; the first {MAX_SERIES_PER_PANEL} are shown",
                    series.len()
                ));
                series.truncate(MAX_SERIES_PER_PANEL);
            }
            let mut cut = 0;
            for one in &mut series {
                if one.timestamps.len() > MAX_POINTS_PER_SERIES {
                    one.timestamps.truncate(MAX_POINTS_PER_SERIES);
                    one.values.truncate(MAX_POINTS_PER_SERIES);
                    cut += 1;
                }
            }
            if cut > 0 {
                warnings.push(format!(
                    "{cut} series had more than {MAX_POINTS_PER_SERIES} points; the rest are not shown"
                ));
            }
            QueryData::Matrix(series)
        }
        QueryData::Vector(mut samples) if samples.len() > MAX_SERIES_PER_PANEL => {
            warnings.push(format!(
                "the answer has {} series; the first {MAX_SERIES_PER_PANEL} are shown",
                samples.len()
            ));
            samples.truncate(MAX_SERIES_PER_PANEL);
            QueryData::Vector(samples)
        }
        other => other,
    }
}

/// Parses the answer of `/api/v1/status/buildinfo`.
pub fn parse_build_info_response(http_status: u16, body: &str) -> Result<BuildInfo, ApiError> {
    parse_data(http_status, body, "buildinfo")
}

/// Parses the answer of `/api/v1/label/<name>/values`.
pub fn parse_label_values_response(http_status: u16, body: &str) -> Result<Vec<String>, ApiError> {
    parse_data(http_status, body, "label values")
}

/// Series kept from one `/api/v1/series` answer (the body is bounded already;
/// this bounds the work done on it).
pub const MAX_LISTED_SERIES: usize = 20_000;

/// Parses the answer of `/api/v1/series`: each series' labels, the first
/// [`MAX_LISTED_SERIES`] of them, and how many there were.
pub fn parse_series_response(
    http_status: u16,
    body: &str,
) -> Result<(Vec<crate::query::series::Labels>, usize), ApiError> {
    let mut listed: Vec<crate::query::series::Labels> = parse_data(http_status, body, "series")?;
    let total = listed.len();
    listed.truncate(MAX_LISTED_SERIES);
    Ok((listed, total))
}

/// What `/api/v1/metadata` says about one metric.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MetricMetadata {
    #[serde(default, rename = "type")]
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
) -> Result<crate::foundation::ordered::SortedMap<String, Vec<MetricMetadata>>, ApiError> {
    parse_data(http_status, body, "metadata")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_kept_within_what_a_panel_draws() {
        let series: Vec<String> = (0..600)
            .map(|i| format!(r#"{{"metric": {{"i": "{i}"}}, "values": [[1, "1"]]}}"#))
            .collect();
        let body = format!(
            r#"{{"status": "success", "data": {{"resultType": "matrix", "result": [{}]}}}}"#,
            series.join(",")
        );
        let parsed = parse_query_response(200, &body).unwrap();
        let QueryData::Matrix(kept) = parsed.data else {
            panic!()
        };
        assert_eq!(kept.len(), crate::foundation::limits::MAX_SERIES_PER_PANEL);
        assert_eq!(
            parsed.warnings,
            vec!["the answer has 600 series; the first 500 are shown".to_string()]
        );
        let points: Vec<String> = (0..11_005).map(|t| format!(r#"[{t}, "1"]"#)).collect();
        let body = format!(
            r#"{{"status": "success", "data": {{"resultType": "matrix", "result": [{{"metric": {{}}, "values": [{}]}}]}}}}"#,
            points.join(",")
        );
        let parsed = parse_query_response(200, &body).unwrap();
        let QueryData::Matrix(kept) = parsed.data else {
            panic!()
        };
        assert_eq!(
            kept[0].values.len(),
            crate::foundation::limits::MAX_POINTS_PER_SERIES
        );
        assert!(parsed.warnings[0].contains("more than 11000 points"));
    }

    #[test]
    fn series_answers_parse_and_are_bounded() {
        let (listed, total) = parse_series_response(
            200,
            r#"{"status":"success","data":[{"__name__":"up","job":"a"},{"__name__":"x"}]}"#,
        )
        .unwrap();
        assert_eq!((listed.len(), total), (2, 2));
        assert_eq!(listed[0]["job"], "a");
        let many: Vec<String> = (0..MAX_LISTED_SERIES + 5)
            .map(|i| format!(r#"{{"__name__":"m{i}"}}"#))
            .collect();
        let body = format!(r#"{{"status":"success","data":[{}]}}"#, many.join(","));
        let (listed, total) = parse_series_response(200, &body).unwrap();
        assert_eq!(
            (listed.len(), total),
            (MAX_LISTED_SERIES, MAX_LISTED_SERIES + 5)
        );
        assert!(parse_series_response(200, r#"{"status":"success","data":[{"a":1}]}"#).is_err());
    }

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
    fn a_partial_answer_says_so_whichever_reader_reads_it() {
        for body in [
            r#"{"status":"success","isPartial":true,"data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]]}]}}"#,
            r#"{"status":"success","isPartial":true,"data":{"resultType":"vector","result":[]}}"#,
        ] {
            let parsed = parse_query_response(200, body).unwrap();
            assert_eq!(
                parsed.warnings,
                vec![PARTIAL_ANSWER_WARNING.to_string()],
                "{body}"
            );
            assert_eq!(parse_query_response_by_tree(200, body).unwrap(), parsed);
        }
        let whole =
            r#"{"status":"success","isPartial":false,"data":{"resultType":"matrix","result":[]}}"#;
        assert!(parse_query_response(200, whole)
            .unwrap()
            .warnings
            .is_empty());
        let odd =
            r#"{"status":"success","isPartial":"yes","data":{"resultType":"matrix","result":[]}}"#;
        assert!(parse_query_response(200, odd).is_err());
    }

    #[test]
    fn build_info_may_be_empty_or_name_its_application() {
        let empty = parse_build_info_response(200, r#"{"status":"success","data":{}}"#).unwrap();
        assert_eq!(empty, BuildInfo::default());
        let mimir = parse_build_info_response(
            200,
            r#"{"status":"success","data":{"application":"Grafana Mimir","version":"2.10.0","features":{"ruler_config_api":"true"}}}"#,
        )
        .unwrap();
        assert_eq!(
            (mimir.application.as_str(), mimir.version.as_str()),
            ("Grafana Mimir", "2.10.0")
        );
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

/// The direct reading of range answers against the tree's, on generated
/// answers of every variation the direct reading handles or must leave to
/// the tree, and on damaged copies of them.
#[cfg(test)]
mod direct_reading_agrees_with_the_tree {
    use super::*;

    struct Noise(u64);

    impl Noise {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
            options[self.below(options.len())]
        }

        fn space(&mut self) -> &'static str {
            ["", "", "", " ", "\n  ", "\t"][self.below(6)]
        }
    }

    const LABEL_TEXTS: [&str; 8] = [
        "\"job\"",
        "\"instance\"",
        "\"app-2:8000\"",
        "\"a \\\"quoted\\\" value\"",
        "\"caf\\u00e9\"",
        "\"naïve ✓\"",
        "\"\"",
        "\"back\\\\slash\"",
    ];
    const VALUES: [&str; 12] = [
        "\"1\"",
        "\"0.25\"",
        "\"1.5e3\"",
        "\"NaN\"",
        "\"+Inf\"",
        "\"-Inf\"",
        "\"Inf\"",
        "\"-0\"",
        "\"12345678901234567890\"",
        "\"\\u0031\"",
        "\"abc\"",
        "1",
    ];
    const TIMESTAMPS: [&str; 5] = ["1700000000", "1700000000.5", "1.7e9", "-1", "\"1\""];

    fn series(noise: &mut Noise) -> String {
        let mut members = Vec::new();
        if noise.below(20) != 0 {
            let labels: Vec<String> = (0..noise.below(4))
                .map(|_| {
                    let name = noise.pick(&LABEL_TEXTS);
                    let value = noise.pick(&LABEL_TEXTS);
                    format!("{name}{}:{}{value}", noise.space(), noise.space())
                })
                .collect();
            members.push(format!("\"metric\":{{{}}}", labels.join(",")));
        }
        if noise.below(15) != 0 {
            let pairs: Vec<String> = (0..noise.below(6))
                .map(|_| {
                    // Mostly what Prometheus writes; now and then anything.
                    let (t, v) = if noise.below(40) == 0 {
                        (noise.pick(&TIMESTAMPS), noise.pick(&VALUES))
                    } else {
                        ("1700000060", noise.pick(&VALUES[..8]))
                    };
                    format!(
                        "[{}{t},{}{v}{}]",
                        noise.space(),
                        noise.space(),
                        noise.space()
                    )
                })
                .collect();
            members.push(format!("\"values\":[{}]", pairs.join(",")));
        }
        if noise.below(8) == 0 {
            members.push(r#""histograms":[[1,{"count":"2","buckets":[[0,"1","2","1"]]}]]"#.into());
        }
        if noise.below(30) == 0 {
            members.push("\"values\":[]".into());
        }
        shuffle(noise, &mut members);
        format!("{{{}}}", members.join(&format!(",{}", noise.space())))
    }

    fn shuffle(noise: &mut Noise, items: &mut [String]) {
        for k in (1..items.len()).rev() {
            items.swap(k, noise.below(k + 1));
        }
    }

    fn answer(noise: &mut Noise) -> String {
        let count = if noise.below(40) == 0 {
            crate::foundation::limits::MAX_SERIES_PER_PANEL + 2
        } else {
            noise.below(4)
        };
        let result: Vec<String> = (0..count).map(|_| series(noise)).collect();
        let mut data = vec![
            format!(
                "\"resultType\":{}",
                if noise.below(10) == 0 {
                    noise.pick(&["\"vector\"", "\"m\\u0061trix\"", "1"])
                } else {
                    "\"matrix\""
                }
            ),
            format!("\"result\":[{}]", result.join(",")),
        ];
        // Prometheus writes the type first; the other order is left to the tree.
        if noise.below(8) == 0 {
            data.reverse();
        }
        if noise.below(6) == 0 {
            data.push("\"stats\":{\"timings\":{\"evalTotalTime\":0.1}}".into());
        }
        let mut members = vec![
            format!(
                "\"status\":{}",
                if noise.below(10) == 0 {
                    noise.pick(&["\"error\"", "1", "\"succ\\u0065ss\""])
                } else {
                    "\"success\""
                }
            ),
            format!("\"data\":{{{}}}", data.join(",")),
        ];
        match noise.below(6) {
            0 => members.push("\"warnings\":[\"partial\"]".into()),
            1 => members.push("\"warnings\":null".into()),
            2 => members.push("\"infos\":[\"x\"]".into()),
            3 if noise.below(4) == 0 => members.push("\"status\":\"success\"".into()),
            _ => {}
        }
        shuffle(noise, &mut members);
        format!(
            "{}{{{}}}{}",
            noise.space(),
            members.join(","),
            noise.space()
        )
    }

    /// Equal, NaN and the sign of zero included.
    fn same(a: &ApiSuccess<QueryData>, b: &ApiSuccess<QueryData>) -> bool {
        let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        match (&a.data, &b.data) {
            (QueryData::Matrix(x), QueryData::Matrix(y)) => {
                a.warnings == b.warnings
                    && x.len() == y.len()
                    && x.iter().zip(y).all(|(s, t)| {
                        s.labels == t.labels
                            && bits(&s.timestamps) == bits(&t.timestamps)
                            && bits(&s.values) == bits(&t.values)
                    })
            }
            _ => false,
        }
    }

    fn check(body: &str) -> bool {
        let Some(direct) = read_matrix_answer(body) else {
            return false;
        };
        match parse_query_response_by_tree(200, body) {
            Ok(tree) => assert!(same(&direct, &tree), "{body}\n{direct:?}\n{tree:?}"),
            Err(error) => panic!("read directly, refused by the tree ({error}): {body}"),
        }
        true
    }

    #[test]
    fn on_generated_answers_and_damaged_copies() {
        let mut noise = Noise(7);
        let (mut direct, mut total) = (0, 0);
        for _ in 0..4000 {
            let body = answer(&mut noise);
            total += 1;
            direct += usize::from(check(&body));
            // Damaged: a byte removed, repeated or replaced, or the text cut.
            for _ in 0..3 {
                let bytes = body.as_bytes();
                let at = noise.below(bytes.len());
                let mut damaged = bytes.to_vec();
                match noise.below(4) {
                    0 => {
                        damaged.remove(at);
                    }
                    1 => damaged.insert(at, bytes[at]),
                    2 => {
                        let bytes = b"{}[],:\"\\ 0e-";
                        damaged[at] = bytes[noise.below(bytes.len())];
                    }
                    _ => damaged.truncate(at),
                }
                if let Ok(text) = String::from_utf8(damaged) {
                    check(&text);
                }
            }
        }
        // The direct reading is what most answers get (else this compares little).
        assert!(direct * 4 > total, "{direct} of {total} read directly");
    }

    #[test]
    fn many_members_and_labels_are_read_without_remembering_each() {
        // Unknown members are not remembered (a list of every name seen
        // made 100,000 of them quadratic); labels must come in order, as
        // Prometheus writes them, so each is added at the end.
        let unknown: Vec<String> = (0..100_000).map(|k| format!(r#""k{k}":0"#)).collect();
        let body = format!(
            r#"{{{},"status":"success","data":{{"resultType":"matrix","result":[]}}}}"#,
            unknown.join(",")
        );
        assert!(check(&body));
        let labels: Vec<String> = (0..1000).map(|k| format!(r#""l{k:04}":"v""#)).collect();
        let in_order = format!(
            r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{{}}},"values":[]}}]}}}}"#,
            labels.join(",")
        );
        assert!(check(&in_order));
        let reversed: Vec<String> = labels.iter().rev().cloned().collect();
        let out_of_order = in_order.replace(&labels.join(","), &reversed.join(","));
        assert!(!check(&out_of_order));
        assert!(parse_query_response(200, &out_of_order).is_ok());
    }

    #[test]
    fn what_prometheus_writes_is_read_directly() {
        let body = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[[1700000000,"1"],[1700000015.5,"NaN"],[1700000030,"+Inf"]]}]},"warnings":["w"]}"#;
        assert!(check(body));
        // Nesting is bounded as in the tree, counted from the document's top.
        let deep = format!(
            r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{}},"x":{}1{}}}]}}}}"#,
            "[".repeat(124),
            "]".repeat(124)
        );
        assert!(check(&deep));
        let deeper = deep.replacen("[[", "[[[", 1).replacen("]]", "]]]", 1);
        assert!(read_matrix_answer(&deeper).is_none());
        assert!(parse_query_response_by_tree(200, &deeper).is_err());
    }
}
