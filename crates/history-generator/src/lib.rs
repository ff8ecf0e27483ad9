//! Deterministic history for Foresight's demo and tests.
//!
//! Produces weeks of OpenMetrics samples for the sample service's series (several
//! instances and endpoints) and a node's filesystem, with daily and weekly
//! seasonality, noise, a counter reset, and labelled incidents. The same seed and
//! end time always give byte-identical output; the incident windows go to a JSON
//! manifest so tests can check that the dashboard shows them.

pub mod deterministic_random;
mod filesystem_model;
pub mod fleet_plan;
mod held_out_plan;
pub mod incident_manifest;
pub mod openmetrics_writer;
pub mod service_model;

pub use fleet_plan::PlanChoice;
pub use incident_manifest::{Cascade, Change, ChangeKind, Incident, IncidentKind, Manifest};
pub use service_model::{generate_history, HistoryConfig};
