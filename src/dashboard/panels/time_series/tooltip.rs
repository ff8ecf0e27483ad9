//! The tooltip under the pointer (or the keyboard's crosshair): each shown
//! series' reading, in the core's words (`chart_readout`).

use super::ChartShared;
use crate::browser::clock::BrowserZone;
use crate::charts::time_series::series_color_css;
use foresight_core::analytics::chart_readout::{reading_at, ShownSeries, ValueFormat};
use foresight_core::chart::geometry::AXES_INSETS;
use foresight_core::chart::time_axis::format_local_datetime;
use leptos::prelude::*;

#[component]
pub fn ChartTooltip(
    shared: ChartShared,
    /// The pointer is over the chart and not dragging.
    showing: Signal<bool>,
    chart_width: Signal<f64>,
) -> impl IntoView {
    let ChartShared {
        result,
        window,
        overlays,
        isolated,
        hover_time,
        foresight,
        unit,
        decimals,
    } = shared;
    let axis_end = move |w: &foresight_core::query::step::QueryWindow| {
        foresight.with(|f| foresight_core::analytics::panel_overlays::axis_end(w, f))
    };
    let chart_width = move || chart_width.get();
    let format = ValueFormat { unit, decimals };
    move || {
        if !showing.get() {
            return None;
        }
        let (t, w) = (hover_time.get()?, window.get()?);
        let only = isolated.get();
        let lines = result.with(|result| {
            result.as_ref().map(|result| {
                result
                    .series
                    .iter()
                    .enumerate()
                    .filter(|(index, s)| {
                        only.is_none_or(|o| o == *index)
                            && !s.look.hide_in_chart
                            && !s.look.hide_in_tooltip
                    })
                    .filter_map(|(index, s)| {
                        let overlay = overlays.with(|o| o.as_ref().and_then(|o| o.get(index).cloned()));
                        let shown = ShownSeries { name: &s.name, series: &s.series, overlay: overlay.as_ref(), unit: s.look.unit };
                        let text = reading_at(t, &w, &shown, format)?;
                        Some(view! {
                            <div class="tooltip-row">
                                <span class="swatch" style:background-color=series_color_css(index, &s.look)></span>
                                <span class="tooltip-name">{s.name.clone()}</span>
                                <span class="tooltip-value">{text}</span>
                            </div>
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })?;
        let x = AXES_INSETS.x_of(t, chart_width(), w.start, axis_end(&w));
        let flip = x > chart_width() / 2.0;
        let position = if flip {
            format!("right: {}px", chart_width() - x + 12.0)
        } else {
            format!("left: {}px", x + 12.0)
        };
        Some(view! {
            <div class="chart-tooltip" style=position role="tooltip">
                <div class="tooltip-time">{format_local_datetime(t, &BrowserZone)}</div>
                {lines}
            </div>
        })
    }
}
