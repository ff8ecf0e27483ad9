//! Geometry for drawing, independent of any canvas: time axes, decimation to
//! the pixel columns, nearest samples, gauge scales and heatmap buckets.

pub mod decimation;
pub mod event_marks;
pub mod gauge_scale;
pub mod geometry;
pub mod heatmap;
pub mod keyboard;
pub mod time_axis;
pub mod value_axis;
