//! Breaking the service on purpose, and fixing it: the live state the chaos
//! commands change (faults of the shared model, the version, a restart) so a
//! demo can show an incident being detected, its trigger marked, its cause
//! ranked and the fix applied.
//!
//! `POST /chaos/<command>?<parameters>`:
//! - `error-spike?ratio=0.4` — this instance answers that share with 500;
//! - `latency?endpoint=/api/search&factor=6` — that endpoint slows down;
//! - `traffic?factor=0.25` — this instance's self-traffic scales;
//! - `deploy?version=1.5.0` — a new version starts (a restart: counters from zero);
//! - `restart` — the process starts again, same version;
//! - `clear` — the fix: every fault goes away (the version stays);
//!
//! and `minutes=N` on a fault clears it by itself after N minutes.

use crate::request_metrics::RequestMetrics;
use sample_world::Faults;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What the process is right now.
pub struct LiveService {
    pub metrics: Arc<RequestMetrics>,
    pub version: String,
    faults: Faults,
    faults_until: Option<Instant>,
}

/// A version as `sample_service_build_info` carries it: short, and only
/// characters that need no escaping anywhere.
pub fn checked_version(text: &str) -> Result<String, String> {
    let fine = !text.is_empty()
        && text.len() <= 40
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-+".contains(&b));
    if fine {
        Ok(text.to_string())
    } else {
        Err(format!(
            "version {text:?}: expected up to 40 letters, digits, '.', '_', '-' or '+'"
        ))
    }
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn number(
    parameters: &HashMap<String, String>,
    name: &str,
    range: (f64, f64),
) -> Result<f64, String> {
    let text = parameters
        .get(name)
        .ok_or_else(|| format!("{name}= is missing"))?;
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= range.0 && *v <= range.1)
        .ok_or_else(|| {
            format!(
                "{name}={text:?}: expected a number from {} to {}",
                range.0, range.1
            )
        })
}

impl LiveService {
    pub fn start(version: String) -> Self {
        Self {
            metrics: Arc::new(RequestMetrics::new(&version, now_seconds())),
            version,
            faults: Faults::default(),
            faults_until: None,
        }
    }

    /// The faults in force (a timed one that ran out is gone).
    pub fn faults(&mut self) -> &Faults {
        if self
            .faults_until
            .is_some_and(|until| Instant::now() >= until)
        {
            self.faults = Faults::default();
            self.faults_until = None;
        }
        &self.faults
    }

    /// Carries out one command for `instance`; says what it did.
    pub fn apply(
        &mut self,
        command: &str,
        parameters: &HashMap<String, String>,
        instance: &str,
    ) -> Result<String, String> {
        let timed = match parameters.get("minutes") {
            Some(_) => Some(number(parameters, "minutes", (0.0, 24.0 * 60.0))?),
            None => None,
        };
        let said = match command {
            "error-spike" => {
                let ratio = number(parameters, "ratio", (0.0, 1.0))?;
                self.faults.error_spike = Some((instance.to_string(), ratio));
                format!("{instance} now answers {:.0} % of requests with 500", ratio * 100.0)
            }
            "latency" => {
                let path = parameters
                    .get("endpoint")
                    .ok_or("endpoint= is missing")?;
                let endpoint = sample_world::endpoint(path)
                    .ok_or_else(|| format!("endpoint={path:?}: not one of the service's"))?;
                let factor = number(parameters, "factor", (0.1, 50.0))?;
                self.faults.latency_regression = Some((endpoint.path.to_string(), factor));
                format!("{} is now {factor}x as slow", endpoint.path)
            }
            "traffic" => {
                let factor = number(parameters, "factor", (0.0, 10.0))?;
                self.faults.traffic_factor = Some(factor);
                format!("self-traffic is now {factor}x the model's")
            }
            "deploy" => {
                let version = checked_version(parameters.get("version").ok_or("version= is missing")?)?;
                let previous = std::mem::replace(&mut self.version, version);
                self.restart();
                return Ok(format!("deployed {} (was {previous}); counters start again", self.version));
            }
            "restart" => {
                self.restart();
                return Ok("restarted; counters start again".into());
            }
            "clear" => {
                self.faults = Faults::default();
                self.faults_until = None;
                return Ok("every fault is cleared".into());
            }
            other => {
                return Err(format!(
                    "unknown command {other:?}; try error-spike, latency, traffic, deploy, restart or clear"
                ))
            }
        };
        self.faults_until =
            timed.map(|minutes| Instant::now() + Duration::from_secs_f64(minutes * 60.0));
        Ok(said)
    }

    /// What a restart looks like from Prometheus: a new start time, and
    /// counters from zero.
    fn restart(&mut self) {
        self.metrics = Arc::new(RequestMetrics::new(&self.version, now_seconds()));
    }

    /// The state as JSON, for `GET /chaos`.
    pub fn describe(&mut self) -> String {
        let faults = self.faults().clone();
        let quoted =
            |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
        let error_spike = faults
            .error_spike
            .map_or("null".to_string(), |(_, r)| r.to_string());
        let latency = faults
            .latency_regression
            .map_or("null".to_string(), |(path, factor)| {
                format!("{{\"endpoint\": {}, \"factor\": {factor}}}", quoted(&path))
            });
        let traffic = faults
            .traffic_factor
            .map_or("null".to_string(), |f| f.to_string());
        format!(
            "{{\"version\": {}, \"errorSpikeRatio\": {error_spike}, \"latency\": {latency}, \"trafficFactor\": {traffic}}}\n",
            quoted(&self.version)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parameters(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn commands_change_the_faults_and_clear_fixes_them() {
        let mut live = LiveService::start("1.4.3".into());
        let said = live
            .apply(
                "error-spike",
                &parameters(&[("ratio", "0.4")]),
                "app-2:8000",
            )
            .unwrap();
        assert_eq!(said, "app-2:8000 now answers 40 % of requests with 500");
        live.apply(
            "latency",
            &parameters(&[("endpoint", "/api/orders"), ("factor", "3")]),
            "app-2:8000",
        )
        .unwrap();
        assert_eq!(live.faults().error_spike, Some(("app-2:8000".into(), 0.4)));
        assert!(live.describe().contains("\"factor\": 3"));
        live.apply("clear", &parameters(&[]), "app-2:8000").unwrap();
        assert!(live.faults().is_healthy());
    }

    #[test]
    fn a_deployment_restarts_with_the_new_version() {
        let mut live = LiveService::start("1.4.3".into());
        live.metrics
            .finish_request("GET", "/hello", 200, Duration::from_millis(10));
        let before = Arc::clone(&live.metrics);
        live.apply("deploy", &parameters(&[("version", "1.5.0")]), "app-1:8000")
            .unwrap();
        assert!(!Arc::ptr_eq(&before, &live.metrics));
        let text = live.metrics.encode().unwrap();
        assert!(
            text.contains(r#"sample_service_build_info{version="1.5.0"} 1"#),
            "{text}"
        );
        assert!(
            !text.contains("http_requests_total{"),
            "counters start from zero: {text}"
        );
    }

    #[test]
    fn bad_commands_say_why_and_change_nothing() {
        let mut live = LiveService::start("1.4.3".into());
        for (command, pairs) in [
            ("error-spike", vec![("ratio", "2")]),
            ("latency", vec![("endpoint", "/nope"), ("factor", "2")]),
            ("deploy", vec![("version", "x\"} 1\nfake 2")]),
            ("melt", vec![]),
            ("traffic", vec![("factor", "3"), ("minutes", "-1")]),
        ] {
            assert!(
                live.apply(command, &parameters(&pairs), "app-1:8000")
                    .is_err(),
                "{command}"
            );
        }
        assert!(live.faults().is_healthy());
        assert_eq!(live.version, "1.4.3");
    }

    #[test]
    fn a_timed_fault_ends_by_itself() {
        let mut live = LiveService::start("1.4.3".into());
        live.apply(
            "error-spike",
            &parameters(&[("ratio", "0.5"), ("minutes", "0")]),
            "app-1:8000",
        )
        .unwrap();
        assert!(live.faults().is_healthy());
    }
}
