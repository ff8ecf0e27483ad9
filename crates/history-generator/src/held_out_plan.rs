//! Cascades drawn at random, for measuring "What else moved?" on cases its
//! ranking was not designed on. The standard plan has three fixed cascades,
//! and the ranking's settings were chosen while looking at them; a score on
//! them is in-sample. This plan draws, per seed, six cascades of five
//! shapes, each shape at least once (two of them absent from the standard
//! plan: a restart as the trigger, and a latency regression with no change
//! behind it), with random
//! instances, endpoints, lags, sizes and lengths, and decoys around them (a
//! batch job's traffic, a harmless deployment of the other instance).
//!
//! The disk fill and app-1's restart stay where the rest of the history
//! expects them; everything else of the standard plan is left out.

use crate::deterministic_random::DeterministicRandom;
use crate::fleet_plan::{selector, Fault, FleetPlan, PlannedFault, FIRST_VERSION};
use crate::incident_manifest::{Cascade, Change, ChangeKind, Incident, IncidentKind};
use sample_world::{CURRENT_VERSION, ENDPOINTS, INSTANCES, JOB};

const MINUTE: i64 = 60;
const DAY: i64 = 86_400;
/// Cascades per seed, two days apart.
const CASCADES: i64 = 6;
/// Shapes of cascade: deployment → errors, rollout → latency, restart →
/// errors, no change → traffic drop, no change → latency.
const SHAPES: i64 = 5;

/// A change before versions are given out (they follow the order in time).
struct Planned {
    id: String,
    kind: ChangeKind,
    instance: String,
    at: i64,
}

struct Draw(DeterministicRandom);

impl Draw {
    /// A whole number in `low..=high`.
    fn int(&mut self, low: i64, high: i64) -> i64 {
        low + (self.0.uniform() * (high - low + 1) as f64).floor() as i64
    }

    fn real(&mut self, low: f64, high: f64) -> f64 {
        low + self.0.uniform() * (high - low)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.0.uniform() < p
    }

    fn instance(&mut self) -> &'static str {
        INSTANCES[self.int(0, INSTANCES.len() as i64 - 1) as usize].name
    }

    fn endpoint(&mut self) -> &'static str {
        ENDPOINTS[self.int(0, ENDPOINTS.len() as i64 - 1) as usize].path
    }
}

fn other_instance(instance: &str) -> &'static str {
    INSTANCES
        .iter()
        .map(|i| i.name)
        .find(|name| *name != instance)
        .unwrap_or(INSTANCES[0].name)
}

fn short(instance: &str) -> &str {
    instance.split(':').next().unwrap_or(instance)
}

/// The plan of held-out cascades for a history ending at `end`.
pub fn held_out(end: i64, seed: u64) -> FleetPlan {
    let standard = FleetPlan::for_history_ending(end);
    let mut incidents: Vec<Incident> = standard
        .incidents
        .iter()
        .filter(|i| {
            matches!(
                i.kind,
                IncidentKind::DiskFill | IncidentKind::InstanceRestart
            )
        })
        .cloned()
        .collect();
    let mut planned: Vec<Planned> = standard
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Restart)
        .map(|c| Planned {
            id: c.id.clone(),
            kind: c.kind,
            instance: c.instance.clone(),
            at: c.at,
        })
        .collect();
    let mut cascades = Vec::new();
    let mut faults = Vec::new();
    // Another stream than the noise's, so the two seeds do not move together.
    let mut draw = Draw(DeterministicRandom::new(seed ^ 0x9e37_79b9_7f4a_7c15));
    // Every shape in every plan, in an order that depends on the seed.
    let first_shape = draw.int(0, SHAPES - 1);
    for slot in 0..CASCADES {
        let t0 = (end - (2 * slot + 1) * DAY - DAY / 2 + draw.int(-6 * 60, 6 * 60) * MINUTE)
            .div_euclid(MINUTE)
            * MINUTE;
        let name = |what: &str| format!("held-out-{slot}-{what}");
        let change = |planned: &mut Vec<Planned>, what: &str, kind, instance: &str, at| {
            let id = name(&format!("{what}-{}", short(instance)));
            planned.push(Planned {
                id: id.clone(),
                kind,
                instance: instance.into(),
                at,
            });
            id
        };
        let mut incident = |id: String, kind, start, end, labels: &[(&str, &str)], text: String| {
            incidents.push(Incident {
                id: id.clone(),
                kind,
                start,
                end,
                selector: selector(labels),
                description: text,
            });
            id
        };
        let shape = (first_shape + slot) % SHAPES;
        let (shape_name, triggers, members, affected_instance, first_start) = match shape {
            // A deployment, then its instance's errors, maybe a slower endpoint downstream.
            0 | 2 => {
                let x = draw.instance();
                let (kind, what) = if shape == 0 {
                    (ChangeKind::Deployment, "deploy")
                } else {
                    (ChangeKind::Restart, "restart")
                };
                let trigger = change(&mut planned, what, kind, x, t0);
                let start = t0 + draw.int(1, 3) * MINUTE;
                let stop = start + draw.int(20, 60) * MINUTE;
                let ratio = draw.real(0.15, 0.5);
                let errors = incident(
                    name("errors"),
                    IncidentKind::ErrorRateSpike,
                    start,
                    stop,
                    &[("job", JOB), ("instance", x)],
                    format!("{x} answers {:.0} % with HTTP 500", ratio * 100.0),
                );
                faults.push(PlannedFault {
                    incident: errors.clone(),
                    fault: Fault::ErrorSpike(x.into(), ratio),
                });
                let mut members = vec![errors];
                if draw.chance(0.6) {
                    let endpoint = draw.endpoint();
                    let factor = draw.real(2.0, 5.0);
                    let slow = incident(
                        name("downstream"),
                        IncidentKind::LatencyRegression,
                        start + draw.int(1, 4) * MINUTE,
                        stop,
                        &[("job", JOB), ("endpoint", endpoint)],
                        format!("{endpoint} {factor:.1}x slower while {x} fails"),
                    );
                    faults.push(PlannedFault {
                        incident: slow.clone(),
                        fault: Fault::Latency(endpoint.into(), factor),
                    });
                    members.push(slow);
                }
                // The fix: the same kind of change again.
                change(&mut planned, &format!("{what}-fix"), kind, x, stop);
                let shape_name = if shape == 0 {
                    "deployment → errors"
                } else {
                    "restart → errors"
                };
                (shape_name, vec![trigger], members, Some(x), start)
            }
            // A rollout to both instances, then one endpoint slower everywhere.
            1 => {
                let first = draw.instance();
                let second = other_instance(first);
                let a = change(&mut planned, "deploy", ChangeKind::Deployment, first, t0);
                let second_at = t0 + draw.int(1, 3) * MINUTE;
                let b = change(
                    &mut planned,
                    "deploy",
                    ChangeKind::Deployment,
                    second,
                    second_at,
                );
                let endpoint = draw.endpoint();
                let factor = draw.real(2.0, 6.0);
                let start = second_at + draw.int(1, 3) * MINUTE;
                let stop = start + draw.int(45, 180) * MINUTE;
                let slow = incident(
                    name("latency"),
                    IncidentKind::LatencyRegression,
                    start,
                    stop,
                    &[("job", JOB), ("endpoint", endpoint)],
                    format!("{endpoint} {factor:.1}x slower after a rollout"),
                );
                faults.push(PlannedFault {
                    incident: slow.clone(),
                    fault: Fault::Latency(endpoint.into(), factor),
                });
                change(&mut planned, "fix", ChangeKind::Deployment, first, stop);
                change(
                    &mut planned,
                    "fix",
                    ChangeKind::Deployment,
                    second,
                    stop + MINUTE,
                );
                ("rollout → latency", vec![a, b], vec![slow], None, start)
            }
            // No change behind it: traffic falls upstream.
            3 => {
                let factor = draw.real(0.2, 0.5);
                let stop = t0 + draw.int(30, 120) * MINUTE;
                let drop = incident(
                    name("traffic"),
                    IncidentKind::TrafficDrop,
                    t0,
                    stop,
                    &[("job", JOB)],
                    format!("traffic falls to {:.0} % with no change", factor * 100.0),
                );
                faults.push(PlannedFault {
                    incident: drop.clone(),
                    fault: Fault::Traffic(factor),
                });
                ("no change → traffic drop", Vec::new(), vec![drop], None, t0)
            }
            // No change behind it: a dependency slows one endpoint down.
            _ => {
                let endpoint = draw.endpoint();
                let factor = draw.real(2.0, 5.0);
                let stop = t0 + draw.int(30, 120) * MINUTE;
                let slow = incident(
                    name("latency"),
                    IncidentKind::LatencyRegression,
                    t0,
                    stop,
                    &[("job", JOB), ("endpoint", endpoint)],
                    format!("{endpoint} {factor:.1}x slower with no change"),
                );
                faults.push(PlannedFault {
                    incident: slow.clone(),
                    fault: Fault::Latency(endpoint.into(), factor),
                });
                ("no change → latency", Vec::new(), vec![slow], None, t0)
            }
        };
        // Decoys: a batch job's traffic shortly before, a harmless deployment nearby.
        if draw.chance(0.5) {
            let start = first_start - draw.int(25, 45) * MINUTE;
            let busy = draw.instance();
            let batch = incident(
                name("batch"),
                IncidentKind::BatchJob,
                start,
                start + 20 * MINUTE,
                &[("job", JOB), ("instance", busy)],
                format!("a batch job loads {busy}; not a cause"),
            );
            faults.push(PlannedFault {
                incident: batch,
                fault: Fault::Busy(busy.into(), draw.real(1.5, 2.0)),
            });
        }
        if shape != 1 && draw.chance(0.5) {
            let bystander = affected_instance.map_or_else(|| draw.instance(), other_instance);
            let at = first_start - draw.int(5, 50) * MINUTE;
            change(
                &mut planned,
                "harmless",
                ChangeKind::Deployment,
                bystander,
                at,
            );
        }
        cascades.push(Cascade {
            id: name("cascade"),
            triggers,
            incidents: members,
            description: shape_name.into(),
        });
    }
    // Both instances end on the version the live service runs.
    for instance in INSTANCES {
        planned.push(Planned {
            id: format!("final-{}", short(instance.name)),
            kind: ChangeKind::Deployment,
            instance: instance.name.into(),
            at: end - 40 * MINUTE,
        });
    }
    FleetPlan {
        incidents,
        changes: with_versions(planned),
        cascades,
        faults,
    }
}

/// Gives out versions in the order of time: each deployment a new one (the
/// last ones the current version), a restart keeps what ran.
fn with_versions(mut planned: Vec<Planned>) -> Vec<Change> {
    planned.sort_by_key(|p| p.at);
    let mut running: Vec<(String, String)> = Vec::new();
    let mut release = 0;
    planned
        .into_iter()
        .map(|p| {
            let previous = running
                .iter()
                .find(|(instance, _)| *instance == p.instance)
                .map_or(FIRST_VERSION.to_string(), |(_, v)| v.clone());
            let version = match p.kind {
                ChangeKind::Restart => previous.clone(),
                ChangeKind::Deployment if p.id.starts_with("final-") => CURRENT_VERSION.to_string(),
                ChangeKind::Deployment => {
                    release += 1;
                    format!("2.{release}.0")
                }
            };
            running.retain(|(instance, _)| *instance != p.instance);
            running.push((p.instance.clone(), version.clone()));
            Change {
                id: p.id,
                kind: p.kind,
                at: p.at,
                instance: p.instance,
                version,
                previous_version: previous,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const END: i64 = 1_763_900_040;

    #[test]
    fn held_out_cascades_are_well_formed_and_differ_by_seed() {
        for seed in [1, 2, 3, 101] {
            let plan = held_out(END, seed);
            assert_eq!(plan.cascades.len() as i64, CASCADES);
            for cascade in &plan.cascades {
                let first = plan.incident(&cascade.incidents[0]);
                for trigger in &cascade.triggers {
                    let change = plan.changes.iter().find(|c| &c.id == trigger).unwrap();
                    assert!(change.at < first.start && first.start - change.at <= 10 * MINUTE);
                }
                for id in &cascade.incidents {
                    let incident = plan.incident(id);
                    assert!(incident.start < incident.end);
                    assert!(incident.start > END - 16 * DAY + DAY && incident.end < END);
                }
            }
            for instance in INSTANCES {
                assert_eq!(plan.version_at(instance.name, END), CURRENT_VERSION);
            }
            for (k, change) in plan.changes.iter().enumerate() {
                assert!(plan.changes[..k].iter().all(|c| c.id != change.id));
                assert_eq!(
                    plan.version_at(&change.instance, change.at - 1),
                    change.previous_version
                );
            }
            // Every incident with a fault has it, and the disk fill stays.
            assert!(plan
                .incidents
                .iter()
                .any(|i| i.kind == IncidentKind::DiskFill));
        }
        assert_ne!(held_out(END, 1).cascades, held_out(END, 2).cascades);
        for seed in [1, 2027] {
            let shapes: std::collections::BTreeSet<String> = held_out(END, seed)
                .cascades
                .into_iter()
                .map(|c| c.description)
                .collect();
            assert_eq!(shapes.len() as i64, SHAPES, "{shapes:?}");
        }
    }
}
