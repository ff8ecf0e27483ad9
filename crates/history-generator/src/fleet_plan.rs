//! What happens to the fleet over the history: the incidents, the changes
//! (deployments, restarts) and the cascades that tie a change to the
//! incidents it set off — the ground truth "what else moved" is scored on.
//!
//! Everything is placed relative to the end of the history, so every view of
//! the last week shows it and the bad deployment falls in the last 6 hours.
//! Around the true causes stand things that are not causes: a batch job's
//! traffic bump just before the bad deployment, a harmless deployment on the
//! other instance, and a traffic drop with no change behind it.

use crate::incident_manifest::{Cascade, Change, ChangeKind, Incident, IncidentKind};
use sample_world::{Faults, CURRENT_VERSION, JOB, NODE_JOB};
use std::collections::BTreeMap;

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// What both instances run when the history starts.
pub const FIRST_VERSION: &str = "1.3.9";

pub(crate) fn selector(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The history's incidents, changes and cascades.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetPlan {
    pub incidents: Vec<Incident>,
    pub changes: Vec<Change>,
    pub cascades: Vec<Cascade>,
    /// What each incident does to the service while it lasts.
    pub faults: Vec<PlannedFault>,
}

/// What an incident does to the service, as a chaos command would.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// (instance, share of its requests answered with 500).
    ErrorSpike(String, f64),
    /// (endpoint path, latency multiplier) on every instance.
    Latency(String, f64),
    /// Multiplier of every instance's traffic.
    Traffic(f64),
    /// (instance, multiplier of its traffic).
    Busy(String, f64),
    /// Nothing the request model shows (a disk filling, a restart's gap).
    None,
}

/// An incident and its fault.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedFault {
    pub incident: String,
    pub fault: Fault,
}

/// Which plan a history follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlanChoice {
    /// The fixed plan the demo, the tests and the ranking's design used.
    #[default]
    Standard,
    /// Cascades drawn at random from this seed, of shapes and sizes the
    /// ranking was not designed on: for held-out measurement only.
    HeldOut(u64),
}

pub(crate) fn inside(incident: &Incident, t: i64) -> bool {
    t >= incident.start && t < incident.end
}

impl FleetPlan {
    /// The plan `choice` names for a history ending at `end`.
    pub fn chosen(choice: PlanChoice, end: i64) -> Self {
        match choice {
            PlanChoice::Standard => Self::for_history_ending(end),
            PlanChoice::HeldOut(seed) => crate::held_out_plan::held_out(end, seed),
        }
    }

    pub fn for_history_ending(end: i64) -> Self {
        let spike_start = end - 4 * HOUR;
        let spike_end = end - 3 * HOUR - 15 * MINUTE;
        let search_start = end - 2 * DAY - 3 * HOUR;
        let search_end = end - 2 * DAY - HOUR;
        // The incidents the tests have always found by kind come first, so
        // that `Manifest::incident(kind)` still names them.
        let incidents = vec![
            Incident {
                id: "error-rate-spike".into(),
                kind: IncidentKind::ErrorRateSpike,
                start: spike_start,
                end: spike_end,
                selector: selector(&[("job", JOB), ("instance", "app-2:8000")]),
                description: "app-2 answers 40 % of requests with HTTP 500 for 45 minutes, from a minute after version 1.4.2 reached it".into(),
            },
            Incident {
                id: "latency-regression".into(),
                kind: IncidentKind::LatencyRegression,
                start: search_start,
                end: search_end,
                selector: selector(&[("job", JOB), ("endpoint", "/api/search")]),
                description: "/api/search median latency 6x slower for 2 hours after version 1.4.0 rolled out (p95 regression)".into(),
            },
            Incident {
                id: "traffic-drop".into(),
                kind: IncidentKind::TrafficDrop,
                start: end - 3 * DAY - 14 * HOUR,
                end: end - 3 * DAY - 12 * HOUR - 30 * MINUTE,
                selector: selector(&[("job", JOB)]),
                description: "request rate falls to a quarter on every instance for 90 minutes; no change of the service is behind it".into(),
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
                end: end - 6 * DAY - 2 * HOUR + 3 * MINUTE,
                selector: selector(&[("job", JOB), ("instance", "app-1:8000")]),
                description:
                    "app-1 restarts: 3 minutes without samples, then counters start again from zero"
                        .into(),
            },
            Incident {
                id: "orders-latency".into(),
                kind: IncidentKind::LatencyRegression,
                start: spike_start + 2 * MINUTE,
                end: spike_end,
                selector: selector(&[("job", JOB), ("endpoint", "/api/orders")]),
                description: "/api/orders, which waits on app-2, is 3x slower two minutes after app-2's errors began".into(),
            },
            Incident {
                id: "batch-job".into(),
                kind: IncidentKind::BatchJob,
                start: spike_start - 25 * MINUTE,
                end: spike_start - 5 * MINUTE,
                selector: selector(&[("job", JOB), ("instance", "app-1:8000")]),
                description: "a batch job sends app-1 80 % more traffic for 20 minutes, shortly before the bad deployment; it is not a cause".into(),
            },
        ];
        let restart_end = end - 6 * DAY - 2 * HOUR + 3 * MINUTE;
        let mut changes = vec![
            deployment(
                "app-1:8000",
                search_start - 2 * MINUTE,
                FIRST_VERSION,
                "1.4.0",
            ),
            deployment("app-2:8000", search_start - MINUTE, FIRST_VERSION, "1.4.0"),
            deployment("app-1:8000", search_end, "1.4.0", "1.4.1"),
            deployment("app-2:8000", search_end + MINUTE, "1.4.0", "1.4.1"),
            deployment("app-2:8000", spike_start - MINUTE, "1.4.1", "1.4.2"),
            deployment("app-2:8000", spike_end, "1.4.2", CURRENT_VERSION),
            // Harmless: the other instance catches up two hours later.
            deployment("app-1:8000", end - 2 * HOUR, "1.4.1", CURRENT_VERSION),
            Change {
                id: "restart-app-1".into(),
                kind: ChangeKind::Restart,
                at: restart_end,
                instance: "app-1:8000".into(),
                version: FIRST_VERSION.into(),
                previous_version: FIRST_VERSION.into(),
            },
        ];
        changes.sort_by_key(|c| c.at);
        let cascades = vec![
            Cascade {
                id: "bad-deployment-app-2".into(),
                triggers: vec![format!("deploy-app-2-1.4.2")],
                incidents: vec!["error-rate-spike".into(), "orders-latency".into()],
                description: "1.4.2 reaches app-2; a minute later its error rate rises to 40 %, two minutes after that /api/orders slows down; fixed by 1.4.3".into(),
            },
            Cascade {
                id: "search-regression".into(),
                triggers: vec!["deploy-app-1-1.4.0".into(), "deploy-app-2-1.4.0".into()],
                incidents: vec!["latency-regression".into()],
                description: "1.4.0 rolls out to both instances; /api/search is 6x slower until 1.4.1".into(),
            },
            Cascade {
                id: "traffic-drop".into(),
                triggers: Vec::new(),
                incidents: vec!["traffic-drop".into()],
                description: "traffic falls on every instance with no change behind it (upstream)".into(),
            },
        ];
        let fault = |incident: &str, fault: Fault| PlannedFault {
            incident: incident.into(),
            fault,
        };
        let faults = vec![
            fault(
                "error-rate-spike",
                Fault::ErrorSpike("app-2:8000".into(), 0.4),
            ),
            fault(
                "latency-regression",
                Fault::Latency("/api/search".into(), 6.0),
            ),
            fault("orders-latency", Fault::Latency("/api/orders".into(), 3.0)),
            fault("traffic-drop", Fault::Traffic(0.25)),
            fault("batch-job", Fault::Busy("app-1:8000".into(), 1.8)),
        ];
        Self {
            incidents,
            changes,
            cascades,
            faults,
        }
    }

    pub(crate) fn incident(&self, id: &str) -> &Incident {
        self.incidents
            .iter()
            .find(|i| i.id == id)
            .expect("planned incident")
    }

    /// What is wrong with the service at `t`, as the live service's chaos
    /// commands would set it (the first active fault of each kind).
    pub fn faults_at(&self, t: i64) -> Faults {
        let mut faults = Faults::default();
        for planned in &self.faults {
            if !inside(self.incident(&planned.incident), t) {
                continue;
            }
            match &planned.fault {
                Fault::ErrorSpike(instance, ratio) => {
                    faults.error_spike.get_or_insert((instance.clone(), *ratio));
                }
                Fault::Latency(endpoint, factor) => {
                    faults
                        .latency_regression
                        .get_or_insert((endpoint.clone(), *factor));
                }
                Fault::Traffic(factor) => {
                    faults.traffic_factor.get_or_insert(*factor);
                }
                Fault::Busy(instance, factor) => {
                    faults
                        .busy_instance
                        .get_or_insert((instance.clone(), *factor));
                }
                Fault::None => {}
            }
        }
        faults
    }

    /// The version `instance` runs at `t`.
    pub fn version_at(&self, instance: &str, t: i64) -> &str {
        self.changes
            .iter()
            .rev()
            .find(|c| c.instance == instance && c.at <= t)
            .map_or(FIRST_VERSION, |c| c.version.as_str())
    }

    /// When the process of `instance` running at `t` started: its last
    /// deployment or restart, else the start of the history.
    pub fn process_start(&self, instance: &str, t: i64, history_start: i64) -> i64 {
        self.changes
            .iter()
            .rev()
            .find(|c| c.instance == instance && c.at <= t)
            .map_or(history_start, |c| c.at)
    }

    /// Whether the process of `instance` started again within (`t - step`, `t`]:
    /// its counters begin again from zero at `t`.
    pub fn restarted_within(&self, instance: &str, t: i64, step: i64) -> bool {
        self.changes
            .iter()
            .any(|c| c.instance == instance && c.at > t - step && c.at <= t)
    }
}

pub(crate) fn deployment(instance: &str, at: i64, from: &str, to: &str) -> Change {
    let short = instance.split(':').next().unwrap_or(instance);
    Change {
        id: format!("deploy-{short}-{to}"),
        kind: ChangeKind::Deployment,
        at,
        instance: instance.into(),
        version: to.into(),
        previous_version: from.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const END: i64 = 1_763_900_040;

    #[test]
    fn every_cascade_names_planned_changes_and_incidents_and_ends_on_the_current_version() {
        let plan = FleetPlan::for_history_ending(END);
        for cascade in &plan.cascades {
            for trigger in &cascade.triggers {
                let change = plan.changes.iter().find(|c| &c.id == trigger);
                let change = change.unwrap_or_else(|| panic!("{trigger} is not planned"));
                // A trigger comes before the first incident it sets off.
                let first = plan.incident(&cascade.incidents[0]);
                assert!(change.at < first.start && first.start - change.at <= 5 * MINUTE);
            }
            for id in &cascade.incidents {
                plan.incident(id);
            }
        }
        assert!(plan.cascades.iter().any(|c| c.triggers.is_empty()));
        for instance in ["app-1:8000", "app-2:8000"] {
            assert_eq!(plan.version_at(instance, END), CURRENT_VERSION);
            assert_eq!(plan.version_at(instance, END - 16 * DAY), FIRST_VERSION);
        }
        // Change ids are unique, and each deployment's previous version is
        // what the instance ran just before.
        for (k, change) in plan.changes.iter().enumerate() {
            assert!(plan.changes[..k].iter().all(|c| c.id != change.id));
            assert_eq!(
                plan.version_at(&change.instance, change.at - 1),
                change.previous_version
            );
        }
    }

    #[test]
    fn faults_follow_the_incidents() {
        let plan = FleetPlan::for_history_ending(END);
        let spike = plan.incident("error-rate-spike").clone();
        assert!(plan.faults_at(spike.start - 6 * HOUR).is_healthy());
        let during = plan.faults_at(spike.start + 5 * MINUTE);
        assert_eq!(during.error_spike, Some(("app-2:8000".into(), 0.4)));
        assert_eq!(during.latency_regression, Some(("/api/orders".into(), 3.0)));
        let before = plan.faults_at(spike.start - 10 * MINUTE);
        assert_eq!(before.busy_instance, Some(("app-1:8000".into(), 1.8)));
        assert_eq!(before.error_spike, None);
        assert!(plan.restarted_within("app-2:8000", spike.start - MINUTE, 60));
        assert!(!plan.restarted_within("app-1:8000", spike.start - MINUTE, 60));
        assert_eq!(
            plan.process_start("app-2:8000", spike.start, 0),
            spike.start - MINUTE
        );
    }
}
