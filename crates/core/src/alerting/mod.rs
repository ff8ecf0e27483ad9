//! Alerting evaluated in the browser with Prometheus's semantics: the alert
//! state machine and the annotation/label templates. Pure and replayable.

pub mod analytic_condition;
pub mod engine;
pub mod go_fmt;
pub mod history;
pub mod notify;
pub mod remediation;
pub mod rule;
pub mod rule_file;
pub mod server_rules;
pub mod silence;
pub mod slo;
pub mod slo_import;
pub mod slo_status;
pub mod state_machine;
pub mod template;
