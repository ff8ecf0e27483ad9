//! Time series: canvas chart plus a legend with min/max/mean/last; clicking a
//! legend entry isolates that series, clicking it again shows all.

use crate::panel_context::{PanelContext, PanelResult};
use crate::time_series_chart::{draw_time_series, series_color_css, ChartFrame, ChartOptions};
use foresight_core::dashboard_model::{LineStyle, Panel};
use foresight_core::query_step::QueryWindow;
use foresight_core::units::format_value;
use leptos::html::Canvas;
use leptos::prelude::*;

#[component]
pub fn TimeSeriesBody(
    panel: Panel,
    context: PanelContext,
    result: Signal<Option<PanelResult>>,
    window: Signal<Option<QueryWindow>>,
    drawn: RwSignal<bool>,
    style: LineStyle,
    zero_line: bool,
) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    let isolated = RwSignal::new(None::<usize>);
    let resize_count = RwSignal::new(0u32);
    let draw_error = RwSignal::new(None::<String>);
    let listener = window_event_listener(leptos::ev::resize, move |_| {
        resize_count.update(|n| *n += 1)
    });
    on_cleanup(move || listener.remove());
    let options = ChartOptions {
        unit: panel.unit,
        decimals: panel.decimals,
        zero_line,
        points: style == LineStyle::Points,
        ..ChartOptions::default()
    };
    let utc_offset_minutes = context.utc_offset_minutes;
    Effect::new(move |_| {
        resize_count.track();
        let only = isolated.get();
        let (Some(canvas), Some(window)) = (canvas_ref.get(), window.get()) else {
            return;
        };
        result.with(|result| {
            let Some(result) = result else { return };
            let series: Vec<_> = result
                .series
                .iter()
                .enumerate()
                .filter(|(index, _)| only.is_none_or(|o| o == *index))
                .map(|(_, s)| &s.series)
                .collect();
            let frame = ChartFrame {
                start: window.start,
                end: window.end,
                step: window.step,
                utc_offset_minutes,
            };
            match draw_time_series(&canvas, &series, &frame, &options) {
                Ok(()) => drawn.set(true),
                Err(message) => draw_error.set(Some(message)),
            }
        });
    });
    let (unit, decimals) = (panel.unit, panel.decimals);
    let rows = move || {
        result.with(|result| {
            let Some(result) = result else { return Vec::new() };
            result
                .series
                .iter()
                .enumerate()
                .filter_map(|(index, s)| s.series.stats().map(|stats| (index, s.name.clone(), stats)))
                .map(|(index, name, stats)| {
                    let label = name.clone();
                    let dimmed = move || isolated.get().is_some_and(|o| o != index);
                    view! {
                        <tr
                            data-series=name
                            data-min=stats.min.to_string()
                            data-max=stats.max.to_string()
                            data-mean=stats.mean.to_string()
                            data-last=stats.last.to_string()
                            data-samples=stats.samples.to_string()
                            class:dimmed=dimmed
                            title="Click to show only this series; click again to show all"
                            on:click=move |_| isolated.update(|o| *o = if *o == Some(index) { None } else { Some(index) })
                        >
                            <td class="series-name">
                                <span class="swatch" style:background-color=series_color_css(index)></span>
                                {label}
                            </td>
                            <td>{format_value(stats.min, unit, decimals)}</td>
                            <td>{format_value(stats.max, unit, decimals)}</td>
                            <td>{format_value(stats.mean, unit, decimals)}</td>
                            <td>{format_value(stats.last, unit, decimals)}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="chart">
            <canvas node_ref=canvas_ref></canvas>
            {move || draw_error.get().map(|text| view! { <div class="message error" role="alert">{text}</div> })}
        </div>
        <table class="legend" class:empty=move || result.with(|r| r.as_ref().is_none_or(|r| r.series.is_empty()))>
            <thead>
                <tr>
                    <th>"Series"</th>
                    <th>"Min"</th>
                    <th>"Max"</th>
                    <th>"Mean"</th>
                    <th>"Last"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
