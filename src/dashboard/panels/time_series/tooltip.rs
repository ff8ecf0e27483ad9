//! The tooltip under the pointer: each shown series' value with its usual
//! range, expected value, score and anomaly flag; past the data, the forecast.

use super::ChartShared;
use crate::browser::clock::BrowserZone;
use crate::charts::time_series::series_color_css;
use foresight_core::chart::geometry::{nearest_sample, AXES_INSETS};
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::foundation::units::format_value;
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
                    .filter(|(index, _)| only.is_none_or(|o| o == *index))
                    .filter_map(|(index, s)| {
                        let overlay = overlays.with(|o| o.as_ref().and_then(|o| o.get(index).cloned())).unwrap_or_default();
                        // Past the data: the forecast and its 80 % band; on the data: the value, flagged if anomalous.
                        let text = if t > w.end {
                            let (future, forecast) = overlay.forecast.as_ref()?;
                            let k = nearest_sample(future, t, w.step * 0.75)?;
                            format!(
                                "expected {} (80 %: {} – {})",
                                format_value(forecast.mean[k], unit, decimals),
                                format_value(forecast.lower_80[k], unit, decimals),
                                format_value(forecast.upper_80[k], unit, decimals)
                            )
                        } else {
                            let at = nearest_sample(&s.series.timestamps, t, w.step * 0.75)?;
                            let value = format_value(s.series.values[at], unit, decimals);
                            let mut parts = vec![value];
                            let band = overlay.baseline.as_ref().and_then(|b| b.as_ref().ok()).and_then(|b| b.at(s.series.timestamps[at], w.step * 0.75));
                            if let Some((center, lower, upper)) = band {
                                parts.push(format!(
                                    "usual {} ({} – {})",
                                    format_value(center, unit, decimals),
                                    format_value(lower, unit, decimals),
                                    format_value(upper, unit, decimals)
                                ));
                            } else if let Some(point) = overlay.scores.get(at).filter(|p| p.expected.is_finite()) {
                                parts.push(format!("expected {}", format_value(point.expected, unit, decimals)));
                            }
                            if let Some(point) = overlay.scores.get(at) {
                                parts.push(format!("score {:.3}", point.score));
                            }
                            if overlay.incidents.iter().any(|i| i.contains(at)) {
                                parts.push("⚠ anomaly".into());
                            }
                            parts.join(" · ")
                        };
                        Some(view! {
                            <div class="tooltip-row">
                                <span class="swatch" style:background-color=series_color_css(index)></span>
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
