//! Requests to the Prometheus HTTP API. Answers are handed to the pure core to
//! parse; this file only moves bytes and turns transport failures into messages.
//! Panels asking the very same thing at the same time share one request.

use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::datasource::Datasource;
use foresight_core::query::prometheus_response::{
    parse_build_info_response, parse_label_values_response, parse_metadata_response,
    parse_query_response, parse_series_response, ApiError, ApiSuccess, BuildInfo, MetricMetadata,
    QueryData,
};
use foresight_core::query::series::Labels;
use foresight_core::query::step::QueryWindow;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::browser::http::{fetch_failure, start_fetch, status_and_text};

thread_local! {
    /// Requests on their way, by URL, each a promise of `[status, body]`.
    static IN_FLIGHT: RefCell<SortedMap<String, js_sys::Promise>> = const { RefCell::new(SortedMap::new()) };
}

/// One fetch of `url` (bounded in time and size), its body kept as a
/// JavaScript string until a caller reads it.
fn start_request(url: &str) -> js_sys::Promise {
    let owned = url.to_string();
    wasm_bindgen_futures::future_to_promise(async move {
        let outcome = JsFuture::from(start_fetch(&owned, None)).await;
        if let Ok(answer) = &outcome {
            crate::browser::perf::add("requests", 1.0);
            // Counted in JavaScript: the body is copied into wasm only when read.
            let body = answer.unchecked_ref::<js_sys::Array>().get(1);
            crate::browser::perf::add(
                "bytes",
                f64::from(body.dyn_ref::<js_sys::JsString>().map_or(0, |s| s.length())),
            );
        }
        IN_FLIGHT.with(|requests| requests.borrow_mut().remove(&owned));
        outcome
    })
}

/// GETs `url`; a request for the same URL already on its way is shared rather
/// than sent again. The request is not cancelled when a caller's `abort` fires
/// (another panel may be waiting for it): the caller drops the answer instead.
async fn get_text(
    datasource: &Datasource,
    url: &str,
    abort: Option<&AbortSignal>,
) -> Result<(u16, String), ApiError> {
    let shared = IN_FLIGHT.with(|requests| requests.borrow().get(url).cloned());
    if shared.is_some() {
        crate::browser::perf::add("sharedRequests", 1.0);
    }
    let request = shared.unwrap_or_else(|| {
        let promise = start_request(url);
        IN_FLIGHT.with(|requests| {
            requests
                .borrow_mut()
                .insert(url.to_string(), promise.clone())
        });
        promise
    });
    let answer = JsFuture::from(request)
        .await
        .map_err(|rejection| fetch_failure(&rejection).api_error(&datasource.to_string()))?;
    if abort.is_some_and(AbortSignal::aborted) {
        return Err(ApiError::Unreachable {
            datasource: datasource.to_string(),
            detail: "superseded by a newer request".into(),
        });
    }
    Ok(status_and_text(&answer))
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
    crate::browser::perf::timed("parseMs", || parse_query_response(status, &body))
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
    crate::browser::perf::timed("parseMs", || parse_query_response(status, &body))
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
        foresight_core::model::datasource::encode_uri_component(label)
    );
    let params: Vec<(&str, String)> = metric
        .map(|m| vec![("match[]", m.to_string())])
        .unwrap_or_default();
    let url = datasource.api_url(&path, &params);
    let (status, body) = get_text(datasource, &url, None).await?;
    foresight_core::query::prometheus_response::parse_label_values_response(status, &body)
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

/// `/api/v1/series`: the series any of `selectors` matches between `start`
/// and `end` (seconds), and how many the answer listed.
pub async fn fetch_series(
    datasource: &Datasource,
    selectors: &[String],
    start: f64,
    end: f64,
) -> Result<(Vec<Labels>, usize), ApiError> {
    let mut params: Vec<(&str, String)> =
        selectors.iter().map(|s| ("match[]", s.clone())).collect();
    params.push(("start", start.to_string()));
    params.push(("end", end.to_string()));
    let url = datasource.api_url("/api/v1/series", &params);
    let (status, body) = get_text(datasource, &url, None).await?;
    parse_series_response(status, &body)
}

/// `/api/v1/metadata` for every metric the server knows, one entry each
/// (servers that do not know `limit_per_metric` send them all).
pub async fn fetch_all_metadata(
    datasource: &Datasource,
) -> Result<SortedMap<String, Vec<MetricMetadata>>, ApiError> {
    let url = datasource.api_url("/api/v1/metadata", &[("limit_per_metric", "1".to_string())]);
    let (status, body) = get_text(datasource, &url, None).await?;
    parse_metadata_response(status, &body)
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
