//! Requests to the Prometheus HTTP API. Answers are handed to the pure core to
//! parse; this file only moves bytes and turns transport failures into messages.
//! Panels asking the very same thing at the same time share one request.

use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::datasource::Datasource;
use foresight_core::query::engine::{
    probe_language, Engine, LabelRange, QueryLanguage, PROBE_QUERY,
};
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

use crate::browser::http::{fetch_failure, start_tenant_fetch, status_and_text};

thread_local! {
    /// Requests on their way, by URL, each a promise of `[status, body]`.
    static IN_FLIGHT: RefCell<SortedMap<String, js_sys::Promise>> = const { RefCell::new(SortedMap::new()) };
    /// The engine behind each base URL, once its probe answered.
    static KNOWN_ENGINES: RefCell<SortedMap<String, Engine>> = const { RefCell::new(SortedMap::new()) };
}

/// Remembers what engine answers at `datasource`, so that endpoints it does
/// not serve are not asked (each would be a failed request and a console error).
pub fn remember_engine(datasource: &Datasource, engine: Engine) {
    KNOWN_ENGINES.with(|known| {
        known
            .borrow_mut()
            .insert(datasource.base_url().to_string(), engine)
    });
}

/// Whether `datasource` is known not to serve what `serves` asks about.
fn known_not_to(datasource: &Datasource, serves: fn(Engine) -> bool) -> bool {
    KNOWN_ENGINES.with(|known| {
        known
            .borrow()
            .get(datasource.base_url())
            .is_some_and(|&engine| !serves(engine))
    })
}

/// One fetch of `url` (bounded in time and size, with the tenant header if
/// any), its body kept as a JavaScript string until a caller reads it.
/// `key` names it among the requests on their way.
fn start_request(url: &str, tenant: Option<&str>, key: String) -> js_sys::Promise {
    let owned = url.to_string();
    let tenant = tenant.map(str::to_string);
    wasm_bindgen_futures::future_to_promise(async move {
        let outcome = JsFuture::from(start_tenant_fetch(&owned, tenant.as_deref())).await;
        if let Ok(answer) = &outcome {
            crate::browser::perf::add("requests", 1.0);
            // Counted in JavaScript: the body is copied into wasm only when read.
            let body = answer.unchecked_ref::<js_sys::Array>().get(1);
            crate::browser::perf::add(
                "bytes",
                f64::from(body.dyn_ref::<js_sys::JsString>().map_or(0, |s| s.length())),
            );
        }
        IN_FLIGHT.with(|requests| requests.borrow_mut().remove(&key));
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
    let tenant = datasource.tenant_header().map(|(_, tenant)| tenant);
    // The same URL for another tenant is another request.
    let key = format!("{url}\u{0}{}", tenant.unwrap_or(""));
    let shared = IN_FLIGHT.with(|requests| requests.borrow().get(&key).cloned());
    if shared.is_some() {
        crate::browser::perf::add("sharedRequests", 1.0);
    }
    let request = shared.unwrap_or_else(|| {
        let promise = start_request(url, tenant, key.clone());
        IN_FLIGHT.with(|requests| requests.borrow_mut().insert(key, promise.clone()));
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

/// The probe that tells the query language apart ([`PROBE_QUERY`]): it also
/// shows whether queries work at all.
pub async fn fetch_query_language(datasource: &Datasource) -> Result<QueryLanguage, ApiError> {
    let url = datasource.api_url("/api/v1/query", &[("query", PROBE_QUERY.to_string())]);
    let (status, body) = get_text(datasource, &url, None).await?;
    Ok(probe_language(&parse_query_response(status, &body)?.data))
}

pub async fn fetch_query_range(
    datasource: &Datasource,
    query: &str,
    window: &QueryWindow,
    abort: Option<&AbortSignal>,
) -> Result<ApiSuccess<QueryData>, ApiError> {
    let mut params = vec![
        ("query", query.to_string()),
        ("start", window.start.to_string()),
        ("end", window.end.to_string()),
        ("step", window.step.to_string()),
    ];
    params.extend(datasource.options().query_parameters());
    let url = datasource.api_url("/api/v1/query_range", &params);
    let (status, body) = get_text(datasource, &url, abort).await?;
    crate::browser::perf::timed("parseMs", || parse_query_response(status, &body))
}

pub async fn fetch_query(
    datasource: &Datasource,
    query: &str,
    time: f64,
    abort: Option<&AbortSignal>,
) -> Result<ApiSuccess<QueryData>, ApiError> {
    let mut params = vec![("query", query.to_string()), ("time", time.to_string())];
    params.extend(datasource.options().query_parameters());
    let url = datasource.api_url("/api/v1/query", &params);
    let (status, body) = get_text(datasource, &url, abort).await?;
    crate::browser::perf::timed("parseMs", || parse_query_response(status, &body))
}

/// `match[]` (if any) with the range asked about. The range is always sent:
/// without one, Prometheus searches all its data and VictoriaMetrics only
/// the current day, so the same question would get different answers.
fn label_params(selector: Option<&str>, range: LabelRange) -> Vec<(&'static str, String)> {
    let mut params: Vec<(&str, String)> = selector
        .map(|m| vec![("match[]", m.to_string())])
        .unwrap_or_default();
    params.push(("start", range.start.to_string()));
    params.push(("end", range.end.to_string()));
    params
}

/// Values of a label over `range`, optionally only on series matching `metric` (`/api/v1/series`
/// would give the same; the label endpoint with `match[]` is cheaper).
pub async fn fetch_label_values(
    datasource: &Datasource,
    label: &str,
    metric: Option<&str>,
    range: LabelRange,
) -> Result<Vec<String>, ApiError> {
    let path = format!(
        "/api/v1/label/{}/values",
        foresight_core::model::datasource::encode_uri_component(label)
    );
    let url = datasource.api_url(&path, &label_params(metric, range));
    let (status, body) = get_text(datasource, &url, None).await?;
    foresight_core::query::prometheus_response::parse_label_values_response(status, &body)
}

/// `/api/v1/labels` over `range`, optionally only labels of series matching `selector`.
pub async fn fetch_label_names(
    datasource: &Datasource,
    selector: Option<&str>,
    range: LabelRange,
) -> Result<Vec<String>, ApiError> {
    let url = datasource.api_url("/api/v1/labels", &label_params(selector, range));
    let (status, body) = get_text(datasource, &url, None).await?;
    parse_label_values_response(status, &body)
}

/// `/api/v1/metadata` for one metric (empty when Prometheus knows nothing about it).
pub async fn fetch_metadata(
    datasource: &Datasource,
    metric: &str,
) -> Result<Vec<MetricMetadata>, ApiError> {
    if known_not_to(datasource, Engine::serves_metadata) {
        return Ok(Vec::new());
    }
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
/// (servers that do not know `limit_per_metric` send them all); nothing,
/// without asking, from an engine that keeps no metadata.
pub async fn fetch_all_metadata(
    datasource: &Datasource,
) -> Result<SortedMap<String, Vec<MetricMetadata>>, ApiError> {
    if known_not_to(datasource, Engine::serves_metadata) {
        return Ok(SortedMap::new());
    }
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

/// What the datasource turned out to be ([`foresight_core::query::engine::describe`]),
/// once its probe answered; `None` until then. Provided by the dashboard page
/// to everything that adapts to the engine (server rules, metadata).
#[derive(Clone, Copy)]
pub struct DatasourceEngine(
    pub leptos::prelude::RwSignal<Option<foresight_core::query::engine::DatasourceReport>>,
);
