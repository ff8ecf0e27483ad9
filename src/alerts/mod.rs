//! The dashboard's alert rules in the page: the view (evaluation loop, rules,
//! instances, silences), its display-only sections, the queries a rule's
//! evaluation asks, and the deliveries to Alertmanager and webhooks.

pub mod evaluation;
pub mod notification_settings;
pub mod notifications;
pub mod queries;
pub mod remediation;
pub mod rule_card;
pub mod sections;
pub mod silences;
pub mod view;

/// A backtest's episodes, drawn on every time-series panel of the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertAnnotations {
    pub rule: String,
    pub episodes: Vec<foresight_core::alerting::rule::Episode>,
}
