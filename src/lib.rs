//! Foresight's browser side: thin glue between the pure core
//! (`foresight-core`) and the page (Leptos components, fetch, canvas).

pub mod app;
pub mod browser_clock;
pub mod datasource_status;
pub mod prometheus_client;
pub mod time_series_chart;
pub mod time_series_panel;
