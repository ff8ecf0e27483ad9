//! The page's surroundings, each behind a small Rust API so that components
//! never touch `web_sys` for them: the address bar, HTTP and the Prometheus
//! client, storage, the clock and time zone, browser notifications, the
//! clipboard and downloads, and the performance counters the benchmarks read.

pub mod clipboard;
pub mod clock;
pub mod dom_table;
pub mod focus;
pub mod http;
pub mod location;
pub mod notifications;
pub mod perf;
pub mod prometheus_client;
pub mod storage;
pub mod tab;
