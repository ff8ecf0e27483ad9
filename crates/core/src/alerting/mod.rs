//! Alerting evaluated in the browser with Prometheus's semantics: the alert
//! state machine and the annotation/label templates. Pure and replayable.

pub mod notify;
pub mod rule;
pub mod state_machine;
pub mod template;
