//! The simulated fleet: request rates with daily and weekly seasonality and
//! noise, error ratios, log-normal latencies bucketed like the sample service's
//! histogram, Little's-law in-flight counts, and filesystems, with the labelled
//! incidents applied on top.

use crate::deterministic_random::{lognormal_cdf, DeterministicRandom};
use crate::incident_manifest::{Incident, IncidentKind, Manifest};
use crate::openmetrics_writer::{format_labels, OpenMetricsWriter};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The latency buckets of the sample service (seconds); `+Inf` is implied.
pub const DURATION_BUCKETS: [f64; 11] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 1.0, 2.5, 5.0];
pub const JOB: &str = "sample-service";
pub const NODE_JOB: &str = "node";
const LATENCY_SIGMA: f64 = 0.35;
pub(crate) const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryConfig {
    /// Unix seconds of the last sample (a multiple of the step).
    pub end: i64,
    pub days: u32,
    pub step_seconds: i64,
    pub seed: u64,
}

impl HistoryConfig {
    pub const DEFAULT_DAYS: u32 = 16;
    pub const DEFAULT_SEED: u64 = 42;
    pub const DEFAULT_STEP_SECONDS: i64 = 60;

    /// History ending at least five minutes before `now`, so live scrapes append after it.
    pub fn ending_before(now_unix: i64) -> Self {
        let step = Self::DEFAULT_STEP_SECONDS;
        Self {
            end: (now_unix - 300).div_euclid(step) * step,
            days: Self::DEFAULT_DAYS,
            step_seconds: step,
            seed: Self::DEFAULT_SEED,
        }
    }

    pub fn start(&self) -> i64 {
        self.end - i64::from(self.days) * 86_400
    }
}

pub(crate) struct Instance {
    pub(crate) name: &'static str,
    pub(crate) node_name: &'static str,
    base_rate: f64,
}

struct Endpoint {
    path: &'static str,
    method: &'static str,
    share: f64,
    error_ratio: f64,
    median_latency: f64,
}

pub(crate) const INSTANCES: [Instance; 2] = [
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

const ENDPOINTS: [Endpoint; 3] = [
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

fn selector(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Incident windows, placed relative to the end of the history so that every
/// view of the last week shows them, and the error spike falls in the last 6 hours.
fn plan_incidents(end: i64) -> Vec<Incident> {
    const HOUR: i64 = 3600;
    const DAY: i64 = 86_400;
    vec![
        Incident {
            id: "error-rate-spike".into(),
            kind: IncidentKind::ErrorRateSpike,
            start: end - 4 * HOUR,
            end: end - 3 * HOUR - 15 * 60,
            selector: selector(&[("job", JOB), ("instance", "app-2:8000")]),
            description: "app-2 answers 40 % of requests with HTTP 500 for 45 minutes".into(),
        },
        Incident {
            id: "latency-regression".into(),
            kind: IncidentKind::LatencyRegression,
            start: end - 2 * DAY - 3 * HOUR,
            end: end - 2 * DAY - HOUR,
            selector: selector(&[("job", JOB), ("endpoint", "/api/search")]),
            description: "/api/search median latency 6x slower for 2 hours (p95 regression)".into(),
        },
        Incident {
            id: "traffic-drop".into(),
            kind: IncidentKind::TrafficDrop,
            start: end - 3 * DAY - 14 * HOUR,
            end: end - 3 * DAY - 12 * HOUR - 30 * 60,
            selector: selector(&[("job", JOB)]),
            description: "request rate falls to a quarter on every instance for 90 minutes".into(),
        },
        Incident {
            id: "disk-fill".into(),
            kind: IncidentKind::DiskFill,
            start: end - 4 * DAY - 6 * HOUR,
            end: end - 4 * DAY + 6 * HOUR,
            selector: selector(&[
                ("job", NODE_JOB),
                ("instance", "app-1:9100"),
                ("mountpoint", "/"),
            ]),
            description:
                "runaway log fills / on app-1 at 6 GiB/h until it is full, then is cleaned up"
                    .into(),
        },
        Incident {
            id: "app-1-restart".into(),
            kind: IncidentKind::InstanceRestart,
            start: end - 6 * DAY - 2 * HOUR,
            end: end - 6 * DAY - 2 * HOUR + 180,
            selector: selector(&[("job", JOB), ("instance", "app-1:8000")]),
            description:
                "app-1 restarts: 3 minutes without samples, then counters start again from zero"
                    .into(),
        },
    ]
}

pub(crate) fn inside(incident: &Incident, t: i64) -> bool {
    t >= incident.start && t < incident.end
}

/// Multiplicative traffic shape: daily peak at 14:00 UTC, quieter weekends.
fn seasonal_factor(t: i64) -> f64 {
    let hour = (t.rem_euclid(86_400)) as f64 / 3600.0;
    let daily = 1.0 + 0.55 * (std::f64::consts::TAU * (hour - 8.0) / 24.0).sin();
    let weekday = (t.div_euclid(86_400) + 4).rem_euclid(7); // 0 = Sunday
    let weekly = if weekday == 0 || weekday == 6 {
        0.65
    } else {
        1.0
    };
    daily * weekly
}

/// A counter sample per step with NaN during gaps and a reset after a restart.
struct CounterSeries {
    total: f64,
    values: Vec<f64>,
}

impl CounterSeries {
    fn new(len: usize) -> Self {
        Self {
            total: 0.0,
            values: Vec::with_capacity(len),
        }
    }

    fn record(&mut self, increment: f64, gap: bool) {
        if gap {
            self.total = 0.0;
            self.values.push(f64::NAN);
        } else {
            self.total += increment;
            self.values.push(self.total);
        }
    }
}

/// Generates the whole history into `out` and returns its manifest.
pub fn generate_history<W: Write>(config: &HistoryConfig, out: W) -> io::Result<Manifest> {
    let step = config.step_seconds;
    let timestamps: Vec<i64> = (config.start()..=config.end)
        .step_by(step as usize)
        .collect();
    let len = timestamps.len();
    let incidents = plan_incidents(config.end);
    let find = |kind| {
        incidents
            .iter()
            .find(|i: &&Incident| i.kind == kind)
            .expect("planned")
    };
    let (error_spike, latency_regression, traffic_drop, disk_fill, restart) = (
        find(IncidentKind::ErrorRateSpike),
        find(IncidentKind::LatencyRegression),
        find(IncidentKind::TrafficDrop),
        find(IncidentKind::DiskFill),
        find(IncidentKind::InstanceRestart),
    );
    let mut random = DeterministicRandom::new(config.seed);

    // [instance][endpoint][0 = ok, 1 = error]
    let mut requests: Vec<Vec<[CounterSeries; 2]>> = INSTANCES
        .iter()
        .map(|_| {
            ENDPOINTS
                .iter()
                .map(|_| [CounterSeries::new(len), CounterSeries::new(len)])
                .collect()
        })
        .collect();
    // [instance][endpoint][bucket..., +Inf]
    let mut buckets: Vec<Vec<Vec<CounterSeries>>> = INSTANCES
        .iter()
        .map(|_| {
            ENDPOINTS
                .iter()
                .map(|_| {
                    (0..=DURATION_BUCKETS.len())
                        .map(|_| CounterSeries::new(len))
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut latency_sums: Vec<Vec<CounterSeries>> = INSTANCES
        .iter()
        .map(|_| ENDPOINTS.iter().map(|_| CounterSeries::new(len)).collect())
        .collect();
    let mut in_progress: Vec<Vec<f64>> =
        INSTANCES.iter().map(|_| Vec::with_capacity(len)).collect();
    let mut traffic_noise = [0.0f64; INSTANCES.len()];

    for &t in &timestamps {
        let season = seasonal_factor(t);
        let drop = if inside(traffic_drop, t) { 0.25 } else { 1.0 };
        for (i, instance) in INSTANCES.iter().enumerate() {
            traffic_noise[i] = 0.9 * traffic_noise[i] + 0.3 * random.normal();
            let gap = instance.name == "app-1:8000" && inside(restart, t);
            let rate = instance.base_rate * season * drop * (0.08 * traffic_noise[i]).exp();
            let mut in_flight = 0.0;
            for (e, endpoint) in ENDPOINTS.iter().enumerate() {
                let expected = rate * endpoint.share * step as f64;
                let count = (expected + expected.sqrt() * random.normal())
                    .round()
                    .max(0.0);
                let error_ratio = if instance.name == "app-2:8000" && inside(error_spike, t) {
                    0.4
                } else {
                    endpoint.error_ratio
                };
                let expected_errors = count * error_ratio;
                let errors = (expected_errors
                    + (expected_errors * (1.0 - error_ratio)).sqrt() * random.normal())
                .round()
                .clamp(0.0, count);
                requests[i][e][0].record(count - errors, gap);
                requests[i][e][1].record(errors, gap);

                let slowdown = if endpoint.path == "/api/search" && inside(latency_regression, t) {
                    6.0
                } else {
                    1.0
                };
                let median = endpoint.median_latency * (1.0 + 0.15 * (season - 1.0)) * slowdown;
                for (b, le) in DURATION_BUCKETS.iter().enumerate() {
                    buckets[i][e][b].record(
                        (count * lognormal_cdf(*le, median, LATENCY_SIGMA)).round(),
                        gap,
                    );
                }
                buckets[i][e][DURATION_BUCKETS.len()].record(count, gap);
                let mean_latency = median * (LATENCY_SIGMA * LATENCY_SIGMA / 2.0).exp();
                latency_sums[i][e].record(count * mean_latency, gap);
                in_flight += count / step as f64 * mean_latency;
            }
            let sampled = (in_flight + in_flight.sqrt() * random.normal())
                .round()
                .max(0.0);
            in_progress[i].push(if gap { f64::NAN } else { sampled });
        }
    }

    let mut writer = OpenMetricsWriter::new(io::BufWriter::with_capacity(1 << 20, out));
    writer.family(
        "http_requests",
        "counter",
        "Total HTTP requests by method, endpoint and status code",
    )?;
    for (i, instance) in INSTANCES.iter().enumerate() {
        for (e, endpoint) in ENDPOINTS.iter().enumerate() {
            for (s, status) in ["200", "500"].iter().enumerate() {
                let labels = format_labels(&[
                    ("job", JOB),
                    ("instance", instance.name),
                    ("method", endpoint.method),
                    ("endpoint", endpoint.path),
                    ("status_code", status),
                ]);
                writer.series(
                    "http_requests_total",
                    &labels,
                    &timestamps,
                    &requests[i][e][s].values,
                )?;
            }
        }
    }
    writer.family(
        "http_requests_in_progress",
        "gauge",
        "HTTP requests being served right now",
    )?;
    for (i, instance) in INSTANCES.iter().enumerate() {
        let labels = format_labels(&[("job", JOB), ("instance", instance.name)]);
        writer.series(
            "http_requests_in_progress",
            &labels,
            &timestamps,
            &in_progress[i],
        )?;
    }
    writer.family(
        "http_request_duration_seconds",
        "histogram",
        "HTTP request latency in seconds",
    )?;
    for (i, instance) in INSTANCES.iter().enumerate() {
        for (e, endpoint) in ENDPOINTS.iter().enumerate() {
            for (b, series) in buckets[i][e].iter().enumerate() {
                let le = DURATION_BUCKETS
                    .get(b)
                    .map_or_else(|| "+Inf".to_string(), |le| format!("{le:?}"));
                let labels = format_labels(&[
                    ("job", JOB),
                    ("instance", instance.name),
                    ("endpoint", endpoint.path),
                    ("le", &le),
                ]);
                writer.series(
                    "http_request_duration_seconds_bucket",
                    &labels,
                    &timestamps,
                    &series.values,
                )?;
            }
            let labels = format_labels(&[
                ("job", JOB),
                ("instance", instance.name),
                ("endpoint", endpoint.path),
            ]);
            writer.series(
                "http_request_duration_seconds_sum",
                &labels,
                &timestamps,
                &latency_sums[i][e].values,
            )?;
            let counts = &buckets[i][e][DURATION_BUCKETS.len()].values;
            writer.series(
                "http_request_duration_seconds_count",
                &labels,
                &timestamps,
                counts,
            )?;
        }
    }

    crate::filesystem_model::write_filesystems(&mut writer, &timestamps, disk_fill, &mut random)?;
    let (series_count, sample_count) = writer.finish()?;
    Ok(Manifest {
        format_version: 1,
        seed: config.seed,
        start: config.start(),
        end: config.end,
        step_seconds: step,
        job: JOB.into(),
        instances: INSTANCES.iter().map(|i| i.name.to_string()).collect(),
        endpoints: ENDPOINTS.iter().map(|e| e.path.to_string()).collect(),
        node_job: NODE_JOB.into(),
        incidents,
        sample_count,
        series_count,
    })
}

/// A week of history at a fixed end, small enough for unit tests.
#[cfg(test)]
pub(crate) fn small_config() -> HistoryConfig {
    HistoryConfig {
        end: 1_763_900_040,
        days: 7,
        step_seconds: 60,
        seed: 42,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_byte_identical_for_the_same_seed_and_end() {
        let mut first = Vec::new();
        let mut second = Vec::new();
        let manifest = generate_history(&small_config(), &mut first).unwrap();
        generate_history(&small_config(), &mut second).unwrap();
        assert!(first == second, "generation is not deterministic");
        assert!(first.ends_with(b"# EOF\n"));
        assert_eq!(
            manifest.series_count,
            2 * 3 * 2 + 2 + 2 * 3 * (12 + 2) + 2 * 2 * 2
        );
    }

    #[test]
    fn incidents_lie_inside_the_history_and_in_the_past() {
        let config = HistoryConfig::ending_before(1_763_900_000);
        assert!(config.end <= 1_763_900_000 - 300);
        assert_eq!(config.end % 60, 0);
        let incidents = plan_incidents(config.end);
        for incident in &incidents {
            assert!(incident.start < incident.end);
            assert!(
                incident.start >= config.start() && incident.end <= config.end,
                "{}",
                incident.id
            );
        }
        let spike = incidents
            .iter()
            .find(|i| i.kind == IncidentKind::ErrorRateSpike)
            .unwrap();
        assert!(
            config.end - spike.start <= 6 * 3600,
            "the error spike is in the default 6-hour view"
        );
    }

    #[test]
    fn counters_are_monotonic_except_at_the_restart() {
        let mut text = Vec::new();
        let manifest = generate_history(&small_config(), &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        let restart = manifest.incident(IncidentKind::InstanceRestart).unwrap();
        let mut previous: BTreeMap<&str, (f64, i64)> = BTreeMap::new();
        let mut resets = 0;
        for line in text
            .lines()
            .filter(|l| l.starts_with("http_requests_total"))
        {
            let mut parts = line.rsplitn(3, ' ');
            let timestamp: i64 = parts.next().unwrap().parse().unwrap();
            let value: f64 = parts.next().unwrap().parse().unwrap();
            let series = parts.next().unwrap();
            if let Some((last, last_t)) = previous.insert(series, (value, timestamp)) {
                if value < last {
                    assert!(
                        last_t < restart.end && timestamp >= restart.end,
                        "unexpected reset in {series}"
                    );
                    resets += 1;
                }
            }
        }
        assert!(resets > 0, "the restart resets counters");
    }
}
