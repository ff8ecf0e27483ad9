//! Editing: a panel's queries and options, dashboard settings, import, and
//! alert rules.

pub mod datasource_settings;
pub mod modal;
pub mod panel_editor;
pub mod query_assist;
pub mod rule_editor;
pub mod rule_file_import;
pub mod slo_settings;
