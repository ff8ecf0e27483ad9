//! The dashboard and everything that reads, writes or changes one: its JSON,
//! variables, datasource and refresh, edits, links (URL state and inline
//! dashboards), Grafana import, and what a dashboard from elsewhere may do
//! (trust). The top layer: it refers to the features' options and rules,
//! never the other way round.

pub mod dashboard;
pub mod dashboard_choice;
pub mod dashboard_import;
pub mod datasource;
pub mod drafts;
pub mod edit;
pub mod event_sources;
pub mod grafana_import;
pub mod inline_dashboard;
pub mod panel_form;
pub mod refresh;
pub mod related_series;
pub mod slo_panel;
pub mod trust;
pub mod url_state;
pub mod variables;
pub mod what_else_moved;
