//! Foresight's pure core.
//!
//! Everything here is plain Rust with no browser dependency, so the same code
//! runs natively under `cargo test`, in the native tools, and in the browser.
//! A clock is always passed in, never read from the environment.
//!
//! The folders are layers; each uses only the layers listed before it (the
//! `layers` test reads the sources and fails on an upward reference):
//!
//! 1. [`foundation`]: text and numbers (JSON, floats, calendar, Markdown,
//!    ordered maps, units, names, limits), knowing nothing of dashboards;
//! 2. [`query`]: Prometheus answers and series, time ranges, steps, template
//!    variables, completion;
//! 3. [`chart`]: geometry for drawing (axes, decimation, heatmaps, gauges);
//! 4. [`analytics`]: forecasts, baselines, anomaly scores, and the options
//!    that configure them;
//! 5. [`alerting`]: rules, the evaluation step, templates, notifications;
//! 6. [`model`]: the dashboard that refers to all of the above, its JSON, its
//!    edits, links, Grafana import and what a dashboard from elsewhere may do.

pub mod alerting;
pub mod analytics;
pub mod chart;
pub mod foundation;
pub mod model;
pub mod query;
