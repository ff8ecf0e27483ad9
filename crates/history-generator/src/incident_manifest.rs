//! The manifest of the generated history: its time span and the labelled
//! incidents, with the series each one shows in.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MANIFEST_FILE_NAME: &str = "history-manifest.json";
pub const OPENMETRICS_FILE_NAME: &str = "history.om";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    ErrorRateSpike,
    LatencyRegression,
    TrafficDrop,
    DiskFill,
    /// Not an incident of the service but a fact of the data: counters restart from zero after a gap.
    InstanceRestart,
    /// Extra traffic on one instance from a batch job: a bump that is no one's fault.
    BatchJob,
}

/// What changed in the fleet at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new version rolled out (the process restarts with it).
    Deployment,
    /// The process started again, same version.
    Restart,
}

/// A change event: what a deploy marker or a restart marker should show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: String,
    pub kind: ChangeKind,
    /// Unix seconds.
    pub at: i64,
    /// The `instance` label of the process that changed.
    pub instance: String,
    /// The version it runs from `at` on.
    pub version: String,
    pub previous_version: String,
}

/// A chain of incidents set off by one change (its trigger), or by none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cascade {
    pub id: String,
    /// The changes that set it off (ids in `changes`); empty when nothing did.
    pub triggers: Vec<String>,
    /// Its incidents (ids in `incidents`), in the order they began.
    pub incidents: Vec<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    pub kind: IncidentKind,
    /// Unix seconds, inclusive.
    pub start: i64,
    /// Unix seconds, exclusive.
    pub end: i64,
    /// Labels that select the affected series (e.g. `instance`, `endpoint`, `mountpoint`).
    pub selector: BTreeMap<String, String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub seed: u64,
    /// Unix seconds of the first and last sample.
    pub start: i64,
    pub end: i64,
    pub step_seconds: i64,
    pub job: String,
    pub instances: Vec<String>,
    pub endpoints: Vec<String>,
    pub node_job: String,
    pub incidents: Vec<Incident>,
    /// Deployments and restarts, in time order.
    #[serde(default)]
    pub changes: Vec<Change>,
    /// Which incidents belong together, and what set them off.
    #[serde(default)]
    pub cascades: Vec<Cascade>,
    pub sample_count: u64,
    pub series_count: u64,
}

impl Manifest {
    pub fn incident(&self, kind: IncidentKind) -> Option<&Incident> {
        self.incidents.iter().find(|incident| incident.kind == kind)
    }

    pub fn incident_by_id(&self, id: &str) -> Option<&Incident> {
        self.incidents.iter().find(|incident| incident.id == id)
    }

    pub fn change(&self, id: &str) -> Option<&Change> {
        self.changes.iter().find(|change| change.id == id)
    }

    pub fn read(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a history manifest: {e}", path.display()))
    }
}
