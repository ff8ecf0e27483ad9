//! The bodies of the panel types. Each takes the panel's query result and draws it.

mod gauges;
mod heatmap_body;
mod slo_body;
mod stat_body;
mod table_body;
mod text_body;
mod time_series;

pub use gauges::{BarGaugeBody, GaugeBody};
pub use heatmap_body::HeatmapBody;
pub use slo_body::{burn_down_result, SloBody};
pub use stat_body::StatBody;
pub use table_body::TableBody;
pub use text_body::TextBody;
pub use time_series::TimeSeriesBody;

use crate::dashboard::panel_context::PanelResult;
use foresight_core::foundation::units::format_value;
use foresight_core::model::dashboard::{
    mapped_value, threshold_color, threshold_rgb, threshold_state, Panel, Reducer, Threshold,
    TEXT_RGB,
};

/// How a value is shown: its value mapping's text and colour when one
/// matches, else the number in the panel's unit in its threshold colour.
pub fn shown_value(panel: &Panel, value: f64) -> (String, (u8, u8, u8)) {
    let threshold = || value_rgb(&panel.thresholds, value);
    match mapped_value(&panel.mappings, value) {
        Some(mapping) => (
            mapping.text.clone(),
            mapping
                .color
                .as_deref()
                .map_or_else(threshold, threshold_rgb),
        ),
        None => (format_value(value, panel.unit, panel.decimals), threshold()),
    }
}

/// Where a value stands against the panel's thresholds, in words ("at or
/// above 5 %"), so the state is not told by colour alone.
pub fn value_state(panel: &Panel, value: f64) -> Option<String> {
    threshold_state(&panel.thresholds, value, |limit| {
        format_value(limit, panel.unit, panel.decimals)
    })
}

pub fn css_rgb((r, g, b): (u8, u8, u8)) -> String {
    format!("rgb({r}, {g}, {b})")
}

/// The colour a value gets from the panel's thresholds.
pub fn value_rgb(thresholds: &[Threshold], value: f64) -> (u8, u8, u8) {
    threshold_color(thresholds, value).map_or(TEXT_RGB, threshold_rgb)
}

/// One number per series, reduced as the panel says. `Last` is the instant
/// answer at the end of the range when instant queries ran (a series absent then
/// is absent now); otherwise the sample at the end of the window (`window_end`).
pub fn reduced_values(
    result: &PanelResult,
    reduce: Reducer,
    window_end: f64,
) -> Vec<(String, f64)> {
    if reduce == Reducer::Last && result.evaluated_at.is_some() {
        return result
            .samples
            .iter()
            .filter(|s| s.sample.value.is_finite())
            .map(|s| (s.name.clone(), s.sample.value))
            .collect();
    }
    let from_series = result.series.iter().filter_map(|s| match reduce {
        Reducer::Last => {
            let at_end = s
                .series
                .timestamps
                .last()
                .is_some_and(|&t| (t - window_end).abs() < 1e-6);
            let value = *s.series.values.last()?;
            (at_end && value.is_finite()).then(|| (s.name.clone(), value))
        }
        _ => s
            .series
            .stats()
            .map(|stats| (s.name.clone(), stats.reduce(reduce))),
    });
    let from_samples = result
        .samples
        .iter()
        .map(|s| (s.name.clone(), s.sample.value));
    from_series.chain(from_samples).collect()
}
