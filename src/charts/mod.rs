//! Drawing on canvas: time series (lines, areas, stacks, points, bands and
//! marks) and heatmaps, from geometry the core computes.

#[cfg(feature = "bench")]
pub mod benchmark;
pub mod heatmap;
pub mod time_series;
