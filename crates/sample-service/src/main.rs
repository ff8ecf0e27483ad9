//! The sample service Foresight's demo watches, instrumented with the official
//! Prometheus client, and behaving as the shared service model says (the
//! same model the history generator writes weeks of).
//!
//! `GET /hello`, `GET /api/search` and `POST /api/orders` take a log-normal
//! time around the model's median for the time of day and fail with the
//! model's error ratio; `GET /metrics` exposes
//! `http_requests_total{method,endpoint,status_code}`,
//! `http_requests_in_progress`, `http_request_duration_seconds{endpoint}`,
//! `sample_service_build_info{version}` and `process_start_time_seconds`.
//! With `--traffic-rps model` (or a number) it calls itself, so a demo is
//! alive without any other tool; with `--chaos` it can be broken on purpose.

mod chaos;
mod options;
mod request_metrics;
mod traffic_generator;

use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chaos::LiveService;
use options::ServiceOptions;
use request_metrics::RequestMetrics;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The process's live state, which chaos commands change.
pub type SharedService = Arc<Mutex<LiveService>>;

#[derive(Clone)]
struct AppState {
    service: SharedService,
    instance: &'static sample_world::Instance,
    error_ratio: Option<f64>,
}

/// Serves one of the model's endpoints: its latency and error ratio now.
async fn serve_endpoint(state: &AppState, path: &str, body: &'static str) -> Response {
    let Some(endpoint) = sample_world::endpoint(path) else {
        return not_found().await;
    };
    let faults = state
        .service
        .lock()
        .map(|mut s| s.faults().clone())
        .unwrap_or_default();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let median = sample_world::median_latency(endpoint, now, &faults);
    // A standard normal draw (Box–Muller) for the log-normal latency.
    let normal = (-2.0 * (1.0 - fastrand::f64()).ln()).sqrt()
        * (std::f64::consts::TAU * fastrand::f64()).cos();
    let latency = sample_world::latency_from_normal(median, normal).min(30.0);
    tokio::time::sleep(Duration::from_secs_f64(latency)).await;
    let error_ratio = match (&faults.error_spike, state.error_ratio) {
        (Some((instance, _)), _) if instance == state.instance.name => {
            sample_world::error_ratio(state.instance, endpoint, &faults)
        }
        (_, Some(ratio)) => ratio,
        _ => sample_world::error_ratio(state.instance, endpoint, &faults),
    };
    if fastrand::f64() < error_ratio {
        (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong\n").into_response()
    } else {
        (StatusCode::OK, body).into_response()
    }
}

async fn hello(State(state): State<AppState>) -> Response {
    serve_endpoint(&state, "/hello", "Hello, World!\n").await
}

async fn search(State(state): State<AppState>) -> Response {
    serve_endpoint(&state, "/api/search", "[]\n").await
}

async fn orders(State(state): State<AppState>) -> Response {
    serve_endpoint(&state, "/api/orders", "{\"accepted\": true}\n").await
}

/// The answer to a chaos command; any page may read it (a remediation
/// webhook sent from Foresight in the browser).
fn chaos_answer(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    response
}

async fn chaos_command(
    State(state): State<AppState>,
    Path(command): Path<String>,
    Query(parameters): Query<HashMap<String, String>>,
    method: Method,
) -> Response {
    if method == Method::OPTIONS {
        return chaos_answer(StatusCode::NO_CONTENT, String::new());
    }
    let Ok(mut service) = state.service.lock() else {
        return chaos_answer(StatusCode::INTERNAL_SERVER_ERROR, "state poisoned\n".into());
    };
    match service.apply(&command, &parameters, state.instance.name) {
        Ok(said) => {
            println!("sample-service: chaos {command}: {said}");
            chaos_answer(StatusCode::OK, format!("{said}\n"))
        }
        Err(problem) => chaos_answer(StatusCode::BAD_REQUEST, format!("{problem}\n")),
    }
}

async fn chaos_state(State(state): State<AppState>) -> Response {
    match state.service.lock() {
        Ok(mut service) => chaos_answer(StatusCode::OK, service.describe()),
        Err(_) => chaos_answer(StatusCode::INTERNAL_SERVER_ERROR, "state poisoned\n".into()),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let metrics = state.service.lock().map(|s| Arc::clone(&s.metrics));
    let Ok(metrics) = metrics else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "state poisoned\n").into_response();
    };
    match metrics.encode() {
        Ok(body) => ([(header::CONTENT_TYPE, RequestMetrics::CONTENT_TYPE)], body).into_response(),
        Err(error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("encoding metrics failed: {error}\n"),
        )
            .into_response(),
    }
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        "Not found. Try GET /hello, GET /api/search, POST /api/orders or GET /metrics\n",
    )
        .into_response()
}

/// Counts, times and tracks every request. Unknown paths share one `endpoint`
/// value so that a scanner cannot blow up the series count.
async fn track_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    // The metrics of the process that took the request (a restart while it
    // runs swaps them).
    let Ok(metrics) = state.service.lock().map(|s| Arc::clone(&s.metrics)) else {
        return next.run(request).await;
    };
    let in_progress = metrics.start_request();
    let response = next.run(request).await;
    drop(in_progress);
    metrics.finish_request(
        &method,
        &endpoint,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

#[tokio::main]
async fn main() {
    let options = match ServiceOptions::from_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("sample-service: {message}\n\n{}", ServiceOptions::USAGE);
            std::process::exit(2);
        }
    };
    let service: SharedService = Arc::new(Mutex::new(LiveService::start(options.version.clone())));
    let state = AppState {
        service: Arc::clone(&service),
        instance: options.instance,
        error_ratio: options.error_ratio,
    };
    let mut app = Router::new()
        .route("/hello", get(hello))
        .route("/api/search", get(search))
        .route("/api/orders", post(orders))
        .route("/metrics", get(metrics));
    if options.chaos {
        app = app.route("/chaos", get(chaos_state)).route(
            "/chaos/{command}",
            post(chaos_command).options(chaos_command),
        );
    }
    let app = app
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), track_request))
        .with_state(state);
    let listener = match tokio::net::TcpListener::bind(options.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "sample-service: cannot listen on {}: {error}",
                options.listen
            );
            std::process::exit(1);
        }
    };
    let address = listener
        .local_addr()
        .expect("bound listener has an address");
    println!(
        "sample-service {} ({}) listening on http://{address} (GET /hello, GET /api/search, POST /api/orders, GET /metrics{})",
        options.instance.name,
        options.version,
        if options.chaos { ", POST /chaos/…" } else { "" }
    );
    match options.traffic {
        options::Traffic::Fixed(rps) if rps <= 0.0 => {}
        traffic => {
            println!("sample-service sending itself traffic: {traffic:?}");
            tokio::spawn(traffic_generator::run(
                address,
                traffic,
                options.instance,
                service,
            ));
        }
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(error) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("sample-service: server error: {error}");
        std::process::exit(1);
    }
}
