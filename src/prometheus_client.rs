//! Requests to the Prometheus HTTP API. Answers are handed to the pure core to
//! parse; this file only moves bytes and turns transport failures into messages.

use foresight_core::datasource::Datasource;
use foresight_core::prometheus_response::{
    parse_build_info_response, parse_label_values_response, parse_metadata_response,
    parse_query_response, ApiError, ApiSuccess, BuildInfo, MetricMetadata, QueryData,
};
use foresight_core::query_step::QueryWindow;
use gloo_net::http::Request;
use web_sys::AbortSignal;

async fn get_text(
    datasource: &Datasource,
    url: &str,
    abort: Option<&AbortSignal>,
) -> Result<(u16, String), ApiError> {
    let unreachable = |detail: String| ApiError::Unreachable {
        datasource: datasource.to_string(),
        detail,
    };
    let response = Request::get(url)
        .abort_signal(abort)
        .send()
        .await
        .map_err(|error| unreachable(error.to_string()))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|error| unreachable(format!("reading the answer failed: {error}")))?;
    Ok((status, body))
}

pub async fn fetch_build_info(datasource: &Datasource) -> Result<BuildInfo, ApiError> {
    let url = datasource.api_url("/api/v1/status/buildinfo", &[]);
    let (status, body) = get_text(datasource, &url, None).await?;
    parse_build_info_response(status, &body)
}

pub async fn fetch_query_range(
    datasource: &Datasource,
    query: &str,
    window: &QueryWindow,
    abort: Option<&AbortSignal>,
) -> Result<ApiSuccess<QueryData>, ApiError> {
    let url = datasource.api_url(
        "/api/v1/query_range",
        &[
            ("query", query.to_string()),
            ("start", window.start.to_string()),
            ("end", window.end.to_string()),
            ("step", window.step.to_string()),
        ],
    );
    let (status, body) = get_text(datasource, &url, abort).await?;
    parse_query_response(status, &body)
}

pub async fn fetch_query(
    datasource: &Datasource,
    query: &str,
    time: f64,
    abort: Option<&AbortSignal>,
) -> Result<ApiSuccess<QueryData>, ApiError> {
    let url = datasource.api_url(
        "/api/v1/query",
        &[("query", query.to_string()), ("time", time.to_string())],
    );
    let (status, body) = get_text(datasource, &url, abort).await?;
    parse_query_response(status, &body)
}

/// Values of a label, optionally only on series matching `metric` (`/api/v1/series`
/// would give the same; the label endpoint with `match[]` is cheaper).
pub async fn fetch_label_values(
    datasource: &Datasource,
    label: &str,
    metric: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    let path = format!(
        "/api/v1/label/{}/values",
        foresight_core::datasource::encode_uri_component(label)
    );
    let params: Vec<(&str, String)> = metric
        .map(|m| vec![("match[]", m.to_string())])
        .unwrap_or_default();
    let url = datasource.api_url(&path, &params);
    let (status, body) = get_text(datasource, &url, None).await?;
    foresight_core::prometheus_response::parse_label_values_response(status, &body)
}

/// `/api/v1/labels`, optionally only labels of series matching `selector`.
pub async fn fetch_label_names(
    datasource: &Datasource,
    selector: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    let params: Vec<(&str, String)> = selector
        .map(|m| vec![("match[]", m.to_string())])
        .unwrap_or_default();
    let url = datasource.api_url("/api/v1/labels", &params);
    let (status, body) = get_text(datasource, &url, None).await?;
    parse_label_values_response(status, &body)
}

/// `/api/v1/metadata` for one metric (empty when Prometheus knows nothing about it).
pub async fn fetch_metadata(
    datasource: &Datasource,
    metric: &str,
) -> Result<Vec<MetricMetadata>, ApiError> {
    let url = datasource.api_url("/api/v1/metadata", &[("metric", metric.to_string())]);
    let (status, body) = get_text(datasource, &url, None).await?;
    Ok(parse_metadata_response(status, &body)?
        .remove(metric)
        .unwrap_or_default())
}

/// The server's alerting rules and their alerts (`/api/v1/rules?type=alert`).
pub async fn fetch_alerting_rules(
    datasource: &Datasource,
) -> Result<Vec<foresight_core::alerting::server_rules::ServerRule>, String> {
    let url = datasource.api_url("/api/v1/rules", &[("type", "alert".to_string())]);
    let (_, body) = get_text(datasource, &url, None)
        .await
        .map_err(|e| e.to_string())?;
    foresight_core::alerting::server_rules::parse_rules_response(&body)
}
