//! Foresight's browser side: thin glue between the pure core
//! (`foresight-core`) and the page (Leptos components, fetch, canvas).

pub mod alert_notifications;
pub mod alert_queries;
pub mod alert_sections;
pub mod alerts_view;
pub mod app;
pub mod browser_clock;
pub mod browser_storage;
#[cfg(feature = "bench")]
pub mod chart_benchmark;
pub mod dashboard_page;
pub mod dashboard_panel;
pub mod datasource_status;
pub mod editor;
pub mod heatmap_chart;
pub mod hooks;
pub mod http;
pub mod panel_context;
pub mod panels;
pub mod perf_counters;
pub mod prometheus_client;
pub mod rule_editor;
pub mod time_series_chart;
pub mod trust_banner;
