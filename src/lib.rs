//! Foresight's browser side: thin glue between the pure core
//! (`foresight-core`, where every decision is made) and the page.
//!
//! - [`browser`]: the page's surroundings, one concern per file: the address
//!   bar, HTTP and the Prometheus client, storage, the clock, notifications,
//!   the clipboard, performance counters;
//! - [`hooks`]: small pieces of component behaviour, one per file;
//! - [`charts`]: drawing on canvas;
//! - [`dashboard`], [`editor`], [`alerts`]: the components of each part of the
//!   page; [`app`] puts them together, with [`trust_banner`] in front of what
//!   a dashboard from elsewhere would do.

pub mod alerts;
pub mod app;
pub mod browser;
pub mod charts;
pub mod dashboard;
pub mod editor;
pub mod hooks;
pub mod trust_banner;
