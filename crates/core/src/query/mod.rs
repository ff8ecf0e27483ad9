//! What is asked of Prometheus and what it answers: answers and series, time
//! ranges and steps, template variables written into queries, PromQL
//! completion, the range cache, and why a request failed.

pub mod annotations;
pub mod engine;
pub mod fetch_failure;
pub mod prometheus_response;
pub mod promql_completion;
pub mod range_cache;
pub mod series;
pub mod step;
pub mod template_variables;
pub mod time_range;
