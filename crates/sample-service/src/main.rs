//! The sample service Foresight's demo watches: a Rust port of the classic
//! Flask example instrumented with the official Prometheus client.
//!
//! `GET /hello` takes 0.1–0.6 s and fails with 500 about 10 % of the time;
//! `GET /metrics` exposes `http_requests_total{method,endpoint,status_code}`,
//! `http_requests_in_progress` and `http_request_duration_seconds{endpoint}`.
//! With `--traffic-rps N` it calls its own `/hello` N times a second, so a demo
//! is alive without any other tool.

mod options;
mod request_metrics;
mod traffic_generator;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use options::ServiceOptions;
use request_metrics::RequestMetrics;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone)]
struct AppState {
    metrics: Arc<RequestMetrics>,
    error_ratio: f64,
}

async fn hello(State(state): State<AppState>) -> Response {
    let latency = Duration::from_secs_f64(fastrand::f64().mul_add(0.5, 0.1));
    tokio::time::sleep(latency).await;
    if fastrand::f64() < state.error_ratio {
        (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong\n").into_response()
    } else {
        (StatusCode::OK, "Hello, World!\n").into_response()
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    match state.metrics.encode() {
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
        "Not found. Try GET /hello or GET /metrics\n",
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
    let in_progress = state.metrics.start_request();
    let response = next.run(request).await;
    drop(in_progress);
    state.metrics.finish_request(
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
    let state = AppState {
        metrics: Arc::new(RequestMetrics::new()),
        error_ratio: options.error_ratio,
    };
    let app = Router::new()
        .route("/hello", get(hello))
        .route("/metrics", get(metrics))
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
    println!("sample-service listening on http://{address} (GET /hello, GET /metrics)");
    if options.traffic_rps > 0.0 {
        println!(
            "sample-service generating {} requests/s to its own /hello",
            options.traffic_rps
        );
        tokio::spawn(traffic_generator::run(address, options.traffic_rps));
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
