//! A time-series panel: runs one range query sized to its own pixel width, draws
//! the result, and shows a legend with min/max/mean/last. Its root carries the
//! test hooks `data-panel` and `data-state` (loading|ok|error|nodata), plus the
//! exact query window it asked for so tests can ask Prometheus the same thing.

use crate::prometheus_client::fetch_query_range;
use crate::time_series_chart::{draw_time_series, series_color_css, ChartFrame};
use foresight_core::datasource::Datasource;
use foresight_core::prometheus_response::QueryData;
use foresight_core::query_step::QueryWindow;
use foresight_core::series::Series;
use foresight_core::time_range::ResolvedRange;
use foresight_core::value_format::format_short;
use leptos::html::Canvas;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

/// Smallest step asked for, in seconds.
const MIN_STEP_SECONDS: f64 = 1.0;

#[derive(Debug, Clone, PartialEq)]
enum PanelData {
    Loading,
    Ready {
        series: Vec<Series>,
        warnings: Vec<String>,
    },
    Failed(String),
}

fn series_from(data: QueryData) -> Result<Vec<Series>, String> {
    match data {
        QueryData::Matrix(series) => Ok(series),
        QueryData::Vector(_) | QueryData::Scalar { .. } | QueryData::String { .. } => Err(
            "the query returned an instant value, but a time-series panel needs a range result"
                .into(),
        ),
    }
}

#[component]
pub fn TimeSeriesPanel(
    id: String,
    title: String,
    query: String,
    datasource: Datasource,
    range: ResolvedRange,
    utc_offset_minutes: i32,
) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    let data = RwSignal::new(PanelData::Loading);
    let query_window = RwSignal::new(None::<QueryWindow>);
    let drawn = RwSignal::new(false);
    let draw_error = RwSignal::new(None::<String>);
    let resize_count = RwSignal::new(0u32);
    let abort = StoredValue::new_local(AbortController::new().ok());

    // The step depends on the drawn width, so the query starts once the canvas is in the page.
    let fetch_query = query.clone();
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        let Some(canvas) = canvas_ref.get() else {
            return false;
        };
        let width = u32::try_from(canvas.client_width()).unwrap_or(0).max(100);
        let window = QueryWindow::for_range(range, width, MIN_STEP_SECONDS);
        query_window.set(Some(window));
        let datasource = datasource.clone();
        let query = fetch_query.clone();
        let signal =
            abort.with_value(|controller| controller.as_ref().map(AbortController::signal));
        spawn_local(async move {
            let result = fetch_query_range(&datasource, &query, &window, signal.as_ref()).await;
            let next = match result {
                Ok(success) => match series_from(success.data) {
                    Ok(series) => PanelData::Ready {
                        series,
                        warnings: success.warnings,
                    },
                    Err(message) => PanelData::Failed(message),
                },
                Err(error) => PanelData::Failed(error.to_string()),
            };
            data.try_set(next);
        });
        true
    });
    on_cleanup(move || {
        abort.try_with_value(|controller| controller.as_ref().map(AbortController::abort));
    });

    let resize_listener = window_event_listener(leptos::ev::resize, move |_| {
        resize_count.update(|n| *n += 1)
    });
    on_cleanup(move || resize_listener.remove());

    Effect::new(move |_| {
        resize_count.track();
        let (Some(canvas), Some(window)) = (canvas_ref.get(), query_window.get()) else {
            return;
        };
        data.with(|current| {
            if let PanelData::Ready { series, .. } = current {
                let frame = ChartFrame {
                    start: window.start,
                    end: window.end,
                    step: window.step,
                    utc_offset_minutes,
                };
                match draw_time_series(&canvas, series, &frame) {
                    Ok(()) => drawn.set(true),
                    Err(message) => draw_error.set(Some(message)),
                }
            }
        });
    });

    let has_data = move || {
        data.with(|d| matches!(d, PanelData::Ready { series, .. } if series.iter().any(|s| s.stats().is_some())))
    };
    let state = move || {
        if draw_error.with(Option::is_some) {
            return "error";
        }
        data.with(|d| match d {
            PanelData::Loading => "loading",
            PanelData::Failed(_) => "error",
            PanelData::Ready { .. } if !has_data() => "nodata",
            PanelData::Ready { .. } if drawn.get() => "ok",
            PanelData::Ready { .. } => "loading",
        })
    };
    let message = move || {
        if let Some(error) = draw_error.get() {
            return Some(error);
        }
        data.with(|d| match d {
            PanelData::Loading => Some("Loading…".to_string()),
            PanelData::Failed(message) => Some(message.clone()),
            PanelData::Ready { .. } if !has_data() => {
                Some("No data in this time range".to_string())
            }
            PanelData::Ready { .. } => None,
        })
    };
    let warnings = move || {
        data.with(|d| match d {
            PanelData::Ready { warnings, .. } if !warnings.is_empty() => {
                Some(view! { <p class="warnings">{format!("Prometheus warns: {}", warnings.join("; "))}</p> })
            }
            _ => None,
        })
    };
    let legend_rows = move || {
        data.with(|d| match d {
            PanelData::Ready { series, .. } => series
                .iter()
                .enumerate()
                .filter_map(|(index, one)| one.stats().map(|stats| (index, one.legend_name(), stats)))
                .map(|(index, name, stats)| {
                    let label = name.clone();
                    view! {
                        <tr
                            data-series=name
                            data-min=stats.min.to_string()
                            data-max=stats.max.to_string()
                            data-mean=stats.mean.to_string()
                            data-last=stats.last.to_string()
                            data-samples=stats.samples.to_string()
                        >
                            <td class="series-name">
                                <span class="swatch" style:background-color=series_color_css(index)></span>
                                {label}
                            </td>
                            <td>{format_short(stats.min)}</td>
                            <td>{format_short(stats.max)}</td>
                            <td>{format_short(stats.mean)}</td>
                            <td>{format_short(stats.last)}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };
    let window_attr = move |pick: fn(&QueryWindow) -> f64| {
        move || query_window.get().map(|w| pick(&w).to_string())
    };

    view! {
        <section
            class="panel"
            data-panel=id
            data-state=state
            data-query=query
            data-start=window_attr(|w| w.start)
            data-end=window_attr(|w| w.end)
            data-step=window_attr(|w| w.step)
        >
            <h2>{title}</h2>
            <div class="chart">
                <canvas node_ref=canvas_ref></canvas>
                {move || message().map(|text| view! { <div class="message" role="status">{text}</div> })}
            </div>
            {warnings}
            <table class="legend" class:empty=move || !has_data()>
                <thead>
                    <tr>
                        <th>"Series"</th>
                        <th>"Min"</th>
                        <th>"Max"</th>
                        <th>"Mean"</th>
                        <th>"Last"</th>
                    </tr>
                </thead>
                <tbody>{legend_rows}</tbody>
            </table>
        </section>
    }
}
