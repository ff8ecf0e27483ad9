//! The one model of the demo's service: its instances, endpoints, traffic by
//! time of day, latency distribution, error ratios, versions and faults. The
//! history generator writes weeks of it; the live sample service serves it;
//! both read the same numbers, so the history and the live scrapes join at
//! "now" without a seam (same traffic, latency and errors at the same time of
//! day, same series labels).

/// The Prometheus job of the service.
pub const JOB: &str = "sample-service";
/// The job of the (simulated) node exporter beside each instance.
pub const NODE_JOB: &str = "node";
/// The latency histogram's buckets (seconds); `+Inf` is implied.
pub const DURATION_BUCKETS: [f64; 11] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 1.0, 2.5, 5.0];
/// Spread of the log-normal latency (sigma of its logarithm).
pub const LATENCY_SIGMA: f64 = 0.35;
/// The version every instance runs at the end of the history, and the one the
/// live service reports unless told otherwise.
pub const CURRENT_VERSION: &str = "1.4.3";

/// One process of the service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Instance {
    /// Its `instance` label.
    pub name: &'static str,
    /// Its node exporter's `instance` label.
    pub node_name: &'static str,
    /// Requests per second at the seasonal factor 1.
    pub base_rate: f64,
}

/// One route of the service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Endpoint {
    pub path: &'static str,
    pub method: &'static str,
    /// Share of the instance's requests.
    pub share: f64,
    /// Share answered with HTTP 500 when nothing is wrong.
    pub error_ratio: f64,
    /// Median latency (seconds) at the seasonal factor 1.
    pub median_latency: f64,
}

pub const INSTANCES: [Instance; 2] = [
    Instance {
        name: "app-1:8000",
        node_name: "app-1:9100",
        base_rate: 14.0,
    },
    Instance {
        name: "app-2:8000",
        node_name: "app-2:9100",
        base_rate: 11.0,
    },
];

pub const ENDPOINTS: [Endpoint; 3] = [
    Endpoint {
        path: "/hello",
        method: "GET",
        share: 0.5,
        error_ratio: 0.02,
        median_latency: 0.28,
    },
    Endpoint {
        path: "/api/search",
        method: "GET",
        share: 0.35,
        error_ratio: 0.005,
        median_latency: 0.12,
    },
    Endpoint {
        path: "/api/orders",
        method: "POST",
        share: 0.15,
        error_ratio: 0.01,
        median_latency: 0.22,
    },
];

/// The instance named `name` (its `instance` label, or the part before `:`).
pub fn instance(name: &str) -> Option<&'static Instance> {
    INSTANCES
        .iter()
        .find(|i| i.name == name || i.name.split(':').next() == Some(name))
}

pub fn endpoint(path: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|e| e.path == path)
}

/// Multiplicative traffic shape at Unix time `t` (seconds): a daily peak at
/// 14:00 UTC, quieter weekends.
pub fn seasonal_factor(t: f64) -> f64 {
    let day = 86_400.0;
    let hour = t.rem_euclid(day) / 3600.0;
    let daily = 1.0 + 0.55 * (std::f64::consts::TAU * (hour - 8.0) / 24.0).sin();
    let weekday = ((t / day).floor() as i64 + 4).rem_euclid(7); // 0 = Sunday
    let weekly = if weekday == 0 || weekday == 6 {
        0.65
    } else {
        1.0
    };
    daily * weekly
}

/// What is wrong with the service at a moment: planted in the history, set by
/// chaos commands in the live service. The default is a healthy service.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Faults {
    /// (instance, share of its requests answered with 500).
    pub error_spike: Option<(String, f64)>,
    /// (endpoint path, latency multiplier) on every instance.
    pub latency_regression: Option<(String, f64)>,
    /// Multiplier of every instance's traffic.
    pub traffic_factor: Option<f64>,
    /// (instance, multiplier of its traffic): a batch job's extra load.
    pub busy_instance: Option<(String, f64)>,
}

impl Faults {
    pub fn is_healthy(&self) -> bool {
        *self == Self::default()
    }
}

/// Expected requests per second of `instance` at `t`.
pub fn request_rate(instance: &Instance, t: f64, faults: &Faults) -> f64 {
    let busy = match &faults.busy_instance {
        Some((name, factor)) if name == instance.name => *factor,
        _ => 1.0,
    };
    instance.base_rate * seasonal_factor(t) * faults.traffic_factor.unwrap_or(1.0) * busy
}

/// Share of `endpoint`'s requests on `instance` answered with 500.
pub fn error_ratio(instance: &Instance, endpoint: &Endpoint, faults: &Faults) -> f64 {
    match &faults.error_spike {
        Some((name, ratio)) if name == instance.name => *ratio,
        _ => endpoint.error_ratio,
    }
}

/// Median latency (seconds) of `endpoint` at `t`: a little slower at the
/// daily peak, and as slow as a regression makes it.
pub fn median_latency(endpoint: &Endpoint, t: f64, faults: &Faults) -> f64 {
    let slowdown = match &faults.latency_regression {
        Some((path, factor)) if path == endpoint.path => *factor,
        _ => 1.0,
    };
    endpoint.median_latency * (1.0 + 0.15 * (seasonal_factor(t) - 1.0)) * slowdown
}

/// Mean of the log-normal latency with that median.
pub fn mean_latency(median: f64) -> f64 {
    median * (LATENCY_SIGMA * LATENCY_SIGMA / 2.0).exp()
}

/// A latency (seconds) from the model's distribution, given a standard
/// normal draw.
pub fn latency_from_normal(median: f64, standard_normal: f64) -> f64 {
    median * (LATENCY_SIGMA * standard_normal).exp()
}

/// An endpoint chosen by traffic share, given a uniform draw in [0, 1).
pub fn endpoint_by_share(uniform: f64) -> &'static Endpoint {
    let mut left = uniform;
    for endpoint in &ENDPOINTS {
        if left < endpoint.share {
            return endpoint;
        }
        left -= endpoint.share;
    }
    &ENDPOINTS[ENDPOINTS.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_and_pick_each_endpoint() {
        let total: f64 = ENDPOINTS.iter().map(|e| e.share).sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert_eq!(endpoint_by_share(0.0).path, "/hello");
        assert_eq!(endpoint_by_share(0.6).path, "/api/search");
        assert_eq!(endpoint_by_share(0.999).path, "/api/orders");
    }

    #[test]
    fn faults_change_only_what_they_name() {
        let app_2 = instance("app-2").unwrap();
        let app_1 = instance("app-1:8000").unwrap();
        let search = endpoint("/api/search").unwrap();
        let hello = endpoint("/hello").unwrap();
        let faults = Faults {
            error_spike: Some(("app-2:8000".into(), 0.4)),
            latency_regression: Some(("/api/search".into(), 6.0)),
            traffic_factor: Some(0.25),
            busy_instance: Some(("app-2:8000".into(), 2.0)),
        };
        assert_eq!(error_ratio(app_2, hello, &faults), 0.4);
        assert_eq!(error_ratio(app_1, hello, &faults), hello.error_ratio);
        let t = 1_700_000_000.0;
        let healthy = Faults::default();
        assert!(
            (median_latency(search, t, &faults) / median_latency(search, t, &healthy) - 6.0).abs()
                < 1e-9
        );
        assert_eq!(
            median_latency(hello, t, &faults),
            median_latency(hello, t, &healthy)
        );
        let ratio = |i| request_rate(i, t, &faults) / request_rate(i, t, &healthy);
        assert!((ratio(app_1) - 0.25).abs() < 1e-12);
        assert!((ratio(app_2) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn the_daily_peak_is_at_two_in_the_afternoon_and_weekends_are_quieter() {
        // 2023-11-14 (a Tuesday) 14:00 UTC, and the Saturday after.
        let tuesday = 1_699_970_400.0;
        assert!((seasonal_factor(tuesday) - 1.55).abs() < 1e-9);
        assert!(seasonal_factor(tuesday + 2.0 * 3600.0) < 1.55);
        let saturday = tuesday + 4.0 * 86_400.0;
        assert!((seasonal_factor(saturday) - 1.55 * 0.65).abs() < 1e-9);
    }
}
