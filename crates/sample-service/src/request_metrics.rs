//! The service's Prometheus metrics, registered with the official client library.

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Duration;

use std::sync::atomic::AtomicU64;

/// The model's latency buckets, the same as the history's.
pub use sample_world::DURATION_BUCKETS;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    endpoint: String,
    status_code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    version: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    endpoint: String,
}

fn duration_histogram() -> Histogram {
    Histogram::new(DURATION_BUCKETS)
}

pub struct RequestMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    in_progress: Gauge,
    durations: Family<EndpointLabels, Histogram, fn() -> Histogram>,
}

/// Decrements the in-progress gauge when the request ends, however it ends.
pub struct InProgressGuard(Gauge);

impl Drop for InProgressGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl RequestMetrics {
    pub const CONTENT_TYPE: &'static str =
        "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// A process's metrics: `version` for `sample_service_build_info`,
    /// started at `start_seconds` (Unix time) for `process_start_time_seconds`.
    pub fn new(version: &str, start_seconds: f64) -> Self {
        let mut registry = Registry::default();
        let build_info = Family::<VersionLabels, Gauge>::default();
        build_info
            .get_or_create(&VersionLabels {
                version: version.to_string(),
            })
            .set(1);
        registry.register(
            "sample_service_build_info",
            "The version this process runs (always 1)",
            build_info,
        );
        let start_time = Gauge::<f64, AtomicU64>::default();
        start_time.set(start_seconds);
        registry.register(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds",
            start_time,
        );
        let requests = Family::<RequestLabels, Counter>::default();
        let in_progress = Gauge::default();
        let durations =
            Family::<EndpointLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                duration_histogram,
            );
        registry.register(
            "http_requests",
            "Total HTTP requests by method, endpoint and status code",
            requests.clone(),
        );
        registry.register(
            "http_requests_in_progress",
            "HTTP requests being served right now",
            in_progress.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency in seconds",
            durations.clone(),
        );
        Self {
            registry,
            requests,
            in_progress,
            durations,
        }
    }

    pub fn start_request(&self) -> InProgressGuard {
        self.in_progress.inc();
        InProgressGuard(self.in_progress.clone())
    }

    pub fn finish_request(
        &self,
        method: &str,
        endpoint: &str,
        status_code: u16,
        elapsed: Duration,
    ) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                endpoint: endpoint.to_string(),
                status_code: status_code.to_string(),
            })
            .inc();
        self.durations
            .get_or_create(&EndpointLabels {
                endpoint: endpoint.to_string(),
            })
            .observe(elapsed.as_secs_f64());
    }

    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposes_requests_latency_version_and_start_time() {
        let metrics = RequestMetrics::new("1.4.3", 1_700_000_000.5);
        let guard = metrics.start_request();
        metrics.finish_request("GET", "/hello", 500, Duration::from_millis(250));
        let text = metrics.encode().unwrap();
        assert!(text.contains("http_requests_in_progress 1"), "{text}");
        drop(guard);
        let text = metrics.encode().unwrap();
        assert!(text.contains("# TYPE http_requests counter"));
        assert!(
            text.contains(
                r#"http_requests_total{method="GET",endpoint="/hello",status_code="500"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains("http_requests_in_progress 0"));
        assert!(text.contains("# TYPE http_request_duration_seconds histogram"));
        assert!(
            text.contains(r#"http_request_duration_seconds_bucket{le="0.2",endpoint="/hello"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"http_request_duration_seconds_bucket{le="0.3",endpoint="/hello"} 1"#),
            "{text}"
        );
        assert!(text.contains(r#"http_request_duration_seconds_count{endpoint="/hello"} 1"#));
        let families: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .collect();
        assert_eq!(families.len(), 5, "{families:?}");
        assert!(
            text.contains(r#"sample_service_build_info{version="1.4.3"} 1"#),
            "{text}"
        );
        assert!(
            text.contains("process_start_time_seconds 1700000000.5"),
            "{text}"
        );
        assert!(text.trim_end().ends_with("# EOF"));
    }
}
