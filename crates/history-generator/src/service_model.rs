//! The simulated fleet: request rates with daily and weekly seasonality and
//! noise, error ratios, log-normal latencies bucketed like the sample service's
//! histogram, Little's-law in-flight counts, and filesystems, with the labelled
//! incidents applied on top.

use crate::deterministic_random::{lognormal_cdf, DeterministicRandom};
use crate::fleet_plan::{inside, FleetPlan, PlanChoice};
use crate::incident_manifest::{Incident, IncidentKind, Manifest};
use crate::openmetrics_writer::{format_labels, OpenMetricsWriter};
use std::io::{self, Write};

use sample_world::{
    error_ratio, mean_latency, median_latency, request_rate, ENDPOINTS, INSTANCES, LATENCY_SIGMA,
};
pub use sample_world::{DURATION_BUCKETS, JOB, NODE_JOB};
pub(crate) const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryConfig {
    /// Unix seconds of the last sample (a multiple of the step).
    pub end: i64,
    pub days: u32,
    pub step_seconds: i64,
    pub seed: u64,
    /// The incidents, changes and cascades it follows.
    pub plan: PlanChoice,
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
            plan: PlanChoice::Standard,
        }
    }

    pub fn start(&self) -> i64 {
        self.end - i64::from(self.days) * 86_400
    }
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

    /// One step's increment; after a gap or a restart the counter starts
    /// again from zero.
    fn record_after(&mut self, increment: f64, gap: bool, restarted: bool) {
        if restarted {
            self.total = 0.0;
        }
        if gap {
            self.total = 0.0;
            self.values.push(f64::NAN);
        } else {
            self.total += increment;
            self.values.push(self.total);
        }
    }
}

/// `sample_service_build_info` (one series per instance and version, 1 while
/// it runs) and `process_start_time_seconds`, as the live service exports
/// them: what deployment and restart markers are read from.
fn write_build_info_and_start_times<W: Write>(
    writer: &mut OpenMetricsWriter<W>,
    timestamps: &[i64],
    plan: &FleetPlan,
    restart: &Incident,
    history_start: i64,
) -> io::Result<()> {
    writer.family(
        "sample_service_build_info",
        "gauge",
        "The version this process runs (always 1)",
    )?;
    for instance in &INSTANCES {
        let mut versions: Vec<&str> = Vec::new();
        for &t in timestamps {
            let version = plan.version_at(instance.name, t);
            if !versions.contains(&version) {
                versions.push(version);
            }
        }
        for version in versions {
            let values: Vec<f64> = timestamps
                .iter()
                .map(|&t| {
                    let running = plan.version_at(instance.name, t) == version
                        && !(instance.name == "app-1:8000" && inside(restart, t));
                    if running {
                        1.0
                    } else {
                        f64::NAN
                    }
                })
                .collect();
            let labels = format_labels(&[
                ("job", JOB),
                ("instance", instance.name),
                ("version", version),
            ]);
            writer.series("sample_service_build_info", &labels, timestamps, &values)?;
        }
    }
    writer.family(
        "process_start_time_seconds",
        "gauge",
        "Start time of the process since unix epoch in seconds",
    )?;
    for instance in &INSTANCES {
        let values: Vec<f64> = timestamps
            .iter()
            .map(|&t| {
                if instance.name == "app-1:8000" && inside(restart, t) {
                    f64::NAN
                } else {
                    plan.process_start(instance.name, t, history_start - 3 * 86_400) as f64
                }
            })
            .collect();
        let labels = format_labels(&[("job", JOB), ("instance", instance.name)]);
        writer.series("process_start_time_seconds", &labels, timestamps, &values)?;
    }
    Ok(())
}

/// Generates the whole history into `out` and returns its manifest.
pub fn generate_history<W: Write>(config: &HistoryConfig, out: W) -> io::Result<Manifest> {
    let step = config.step_seconds;
    let timestamps: Vec<i64> = (config.start()..=config.end)
        .step_by(step as usize)
        .collect();
    let len = timestamps.len();
    let plan = FleetPlan::chosen(config.plan, config.end);
    let find = |kind| {
        plan.incidents
            .iter()
            .find(|i: &&Incident| i.kind == kind)
            .expect("planned")
    };
    let (disk_fill, restart) = (
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
        let faults = plan.faults_at(t);
        let now = t as f64;
        for (i, instance) in INSTANCES.iter().enumerate() {
            traffic_noise[i] = 0.9 * traffic_noise[i] + 0.3 * random.normal();
            let gap = instance.name == "app-1:8000" && inside(restart, t);
            // A deployment restarts the process: its counters begin again.
            let restarted = plan.restarted_within(instance.name, t, step);
            let rate = request_rate(instance, now, &faults) * (0.08 * traffic_noise[i]).exp();
            let mut in_flight = 0.0;
            for (e, endpoint) in ENDPOINTS.iter().enumerate() {
                let expected = rate * endpoint.share * step as f64;
                let count = (expected + expected.sqrt() * random.normal())
                    .round()
                    .max(0.0);
                let error_ratio = error_ratio(instance, endpoint, &faults);
                let expected_errors = count * error_ratio;
                let errors = (expected_errors
                    + (expected_errors * (1.0 - error_ratio)).sqrt() * random.normal())
                .round()
                .clamp(0.0, count);
                requests[i][e][0].record_after(count - errors, gap, restarted);
                requests[i][e][1].record_after(errors, gap, restarted);

                let median = median_latency(endpoint, now, &faults);
                for (b, le) in DURATION_BUCKETS.iter().enumerate() {
                    buckets[i][e][b].record_after(
                        (count * lognormal_cdf(*le, median, LATENCY_SIGMA)).round(),
                        gap,
                        restarted,
                    );
                }
                buckets[i][e][DURATION_BUCKETS.len()].record_after(count, gap, restarted);
                let mean_latency = mean_latency(median);
                latency_sums[i][e].record_after(count * mean_latency, gap, restarted);
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

    write_build_info_and_start_times(&mut writer, &timestamps, &plan, restart, config.start())?;
    crate::filesystem_model::write_filesystems(&mut writer, &timestamps, disk_fill, &mut random)?;
    let (series_count, sample_count) = writer.finish()?;
    Ok(Manifest {
        format_version: 2,
        seed: config.seed,
        start: config.start(),
        end: config.end,
        step_seconds: step,
        job: JOB.into(),
        instances: INSTANCES.iter().map(|i| i.name.to_string()).collect(),
        endpoints: ENDPOINTS.iter().map(|e| e.path.to_string()).collect(),
        node_job: NODE_JOB.into(),
        incidents: plan.incidents.clone(),
        changes: plan.changes.clone(),
        cascades: plan.cascades.clone(),
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
        plan: PlanChoice::Standard,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

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
            2 * 3 * 2 + 2 + 2 * 3 * (12 + 2) + (4 + 5) + 2 + 2 * 2 * 2
        );
    }

    #[test]
    fn incidents_lie_inside_the_history_and_in_the_past() {
        let config = HistoryConfig::ending_before(1_763_900_000);
        assert!(config.end <= 1_763_900_000 - 300);
        assert_eq!(config.end % 60, 0);
        let incidents = FleetPlan::for_history_ending(config.end).incidents;
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
    fn counters_are_monotonic_except_where_a_process_started_again() {
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
                    let instance = manifest
                        .instances
                        .iter()
                        .find(|i| series.contains(&format!("instance=\"{i}\"")))
                        .unwrap();
                    let at_change = manifest
                        .changes
                        .iter()
                        .any(|c| &c.instance == instance && c.at > last_t && c.at <= timestamp);
                    assert!(
                        at_change || (last_t < restart.end && timestamp >= restart.end),
                        "unexpected reset in {series} at {timestamp}"
                    );
                    resets += 1;
                }
            }
        }
        assert!(resets > 0, "the restart resets counters");
    }

    #[test]
    fn build_info_and_start_times_show_every_deployment() {
        let mut text = Vec::new();
        let manifest = generate_history(&small_config(), &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        // The first sample of each version's series is its deployment.
        let mut first_seen: BTreeMap<&str, i64> = BTreeMap::new();
        let mut start_times: BTreeMap<(&str, i64), ()> = BTreeMap::new();
        for line in text.lines() {
            let mut parts = line.rsplitn(3, ' ');
            let (Some(t), Some(value), Some(series)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let Ok(t) = t.parse::<i64>() else { continue };
            if series.starts_with("sample_service_build_info{") {
                first_seen.entry(series).or_insert(t);
            } else if series.starts_with("process_start_time_seconds{") {
                start_times.insert((series, value.parse::<f64>().unwrap() as i64), ());
            }
        }
        let in_range: Vec<_> = manifest
            .changes
            .iter()
            .filter(|c| c.at > manifest.start)
            .collect();
        for change in &in_range {
            let series = format!(
                "sample_service_build_info{{job=\"sample-service\",instance=\"{}\",version=\"{}\"}}",
                change.instance, change.version
            );
            if change.kind == crate::ChangeKind::Deployment {
                assert_eq!(
                    first_seen.get(series.as_str()),
                    Some(&change.at),
                    "{series}"
                );
            }
            let start = format!(
                "process_start_time_seconds{{job=\"sample-service\",instance=\"{}\"}}",
                change.instance
            );
            assert!(
                start_times.contains_key(&(start.as_str(), change.at)),
                "{}",
                change.id
            );
        }
        assert!(in_range.len() >= 6, "{}", in_range.len());
    }
}
