//! The bottom layer: reading and writing text and numbers, with nothing of
//! dashboards, queries or charts in it.

pub mod calendar;
pub mod float_text;
pub mod http_url;
pub mod json;
pub mod json_serde;
pub mod limits;
pub mod markdown;
pub mod names;
pub mod ordered;
pub mod span;
pub mod units;
pub mod yaml;
