//! Foresight's pure core.
//!
//! Everything here is plain Rust with no browser dependency, so the same code
//! runs natively under `cargo test`, in the native tools, and in the browser.
//! A clock is always passed in, never read from the environment.

pub mod alerting;
pub mod analytics;
pub mod calendar;
pub mod chart_geometry;
pub mod dashboard_edit;
pub mod dashboard_model;
pub mod dashboard_variables;
pub mod datasource;
pub mod decimation;
pub mod fetch_failure;
pub mod float_text;
pub mod gauge_scale;
pub mod grafana_import;
pub mod histogram_heatmap;
pub mod inline_dashboard;
pub mod json;
pub mod limits;
pub mod markdown;
pub mod ordered;
pub mod prometheus_response;
pub mod promql_completion;
pub mod query_step;
pub mod range_cache;
pub mod refresh;
pub mod series;
pub mod template_variables;
pub mod time_axis;
pub mod time_range;
pub mod trust;
pub mod units;
pub mod url_state;
