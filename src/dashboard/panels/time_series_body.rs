//! Time series: canvas chart plus a legend with min/max/mean/last; clicking a
//! legend entry isolates that series, clicking it again shows all. The toolbar
//! switches the overlays (forecast, baseline band, anomalies, sensitivity).

use crate::browser::clock::BrowserZone;
use crate::charts::time_series::{draw_time_series, series_color_css, ChartFrame, ChartOptions};
use crate::dashboard::panel_context::{PanelContext, PanelResult};
use foresight_core::analytics::panel_overlays::{
    axis_end, overlay_for, BaselineReference, SeriesOverlay,
};
use foresight_core::analytics::time_to_threshold::describe_crossing;
use foresight_core::chart::geometry::{nearest_sample, AXES_INSETS};
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::foundation::units::format_value;
use foresight_core::model::dashboard::{
    BaselineKind, ForecastKind, ForesightOptions, LineStyle, OverlayToggles, Panel, Sensitivity,
};
use foresight_core::query::step::QueryWindow;
use leptos::ev::MouseEvent;
use leptos::html::{Canvas, Div};
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
    /// Forecast, baseline, anomaly and crossing overlays.
    foresight: Signal<ForesightOptions>,
    /// What the baseline's extra query returned (`None` while it loads or when off).
    reference: Signal<Option<BaselineReference>>,
    on_overlays: Callback<OverlayToggles>,
) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    let isolated = RwSignal::new(None::<usize>);
    let resize_count = crate::hooks::canvas_size::canvas_size_changes(canvas_ref);
    let draw_error = RwSignal::new(None::<String>);
    let chosen_style = RwSignal::new(style);
    let base_options = ChartOptions {
        unit: panel.unit,
        decimals: panel.decimals,
        zero_line,
        ..ChartOptions::default()
    };
    let crossing_label = foresight.with_untracked(|f| f.crossing.as_ref().map(|c| c.label.clone()));
    // The x axis reaches past the data by the forecast horizon when forecasting.
    let axis_end = move |w: &QueryWindow| foresight.with(|f| axis_end(w, f));
    // How long the last analytics pass took (ms), shown as `data-analytics-ms`.
    let analytics_ms = RwSignal::new(None::<f64>);
    let performance = web_sys::window().and_then(|w| w.performance());
    let overlays = Memo::new(move |_| {
        let window = window.get()?;
        let options = foresight.get();
        let started = performance.as_ref().map(web_sys::Performance::now);
        let computed = reference.with(|reference| {
            result.with(|r| {
                r.as_ref().map(|r| {
                    r.series
                        .iter()
                        .map(|s| overlay_for(&s.series, &window, &options, reference.as_ref()))
                        .collect::<Vec<SeriesOverlay>>()
                })
            })
        });
        if let (Some(performance), Some(started)) = (performance.as_ref(), started) {
            let spent = performance.now() - started;
            crate::browser::perf::add("analyticsMs", spent);
            analytics_ms.set(Some(spent));
        }
        computed
    });
    Effect::new(move |_| {
        resize_count.track();
        let options = ChartOptions {
            style: chosen_style.get(),
            ..base_options
        };
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
                forecast_until: axis_end(&window),
            };
            let shown_overlays: Vec<SeriesOverlay> = overlays.with(|all| {
                all.iter()
                    .flatten()
                    .enumerate()
                    .filter(|(index, _)| only.is_none_or(|o| o == *index))
                    .map(|(_, o)| o.clone())
                    .collect()
            });
            match draw_time_series(&canvas, &series, &frame, &options, &shown_overlays) {
                Ok(()) => drawn.set(true),
                Err(message) => draw_error.set(Some(message)),
            }
        });
    });
    let (unit, decimals) = (panel.unit, panel.decimals);

    // Pointer interaction: HTML on top of the canvas, so hovering never redraws it.
    let chart_ref = NodeRef::<Div>::new();
    let hovering = RwSignal::new(false);
    let drag = RwSignal::new(None::<(f64, f64)>); // (start x, current x) in CSS px
    let (hover_time, zoom_request) = (context.hover_time, context.zoom_request);
    let pointer_x = move |event: &MouseEvent| -> Option<(f64, f64)> {
        let chart = chart_ref.get_untracked()?;
        let rect = chart.get_bounding_client_rect();
        Some((f64::from(event.client_x()) - rect.left(), rect.width()))
    };
    let on_move = move |event: MouseEvent| {
        let (Some((x, width)), Some(w)) = (pointer_x(&event), window.get_untracked()) else {
            return;
        };
        hovering.set(true);
        hover_time.set(Some(AXES_INSETS.time_at(x, width, w.start, axis_end(&w))));
        drag.update(|d| {
            if let Some((_, current)) = d {
                *current = x;
            }
        });
    };
    let on_leave = move |_: MouseEvent| {
        hovering.set(false);
        hover_time.set(None);
        drag.set(None);
    };
    let on_down = move |event: MouseEvent| {
        if event.button() == 0 {
            event.prevent_default();
            drag.set(pointer_x(&event).map(|(x, _)| (x, x)));
        }
    };
    let on_up = move |event: MouseEvent| {
        let (Some((from_x, _)), Some((to_x, width)), Some(w)) = (
            drag.get_untracked(),
            pointer_x(&event),
            window.get_untracked(),
        ) else {
            return;
        };
        drag.set(None);
        if (to_x - from_x).abs() >= 5.0 {
            let (a, b) = (
                AXES_INSETS.time_at(from_x, width, w.start, axis_end(&w)),
                AXES_INSETS.time_at(to_x, width, w.start, axis_end(&w)),
            );
            zoom_request.set(Some((a.min(b), a.max(b))));
        }
    };
    let chart_width = move || {
        resize_count.track();
        chart_ref.get().map_or(0.0, |c| f64::from(c.client_width()))
    };
    let crosshair = move || {
        let (t, w) = (hover_time.get()?, window.get()?);
        (t >= w.start && t <= axis_end(&w)).then(|| {
            let left = format!("{}px", AXES_INSETS.x_of(t, chart_width(), w.start, axis_end(&w)));
            view! { <div class="crosshair" style:left=left style:top=format!("{}px", AXES_INSETS.top) style:bottom=format!("{}px", AXES_INSETS.bottom)></div> }
        })
    };
    // A backtest's pending and firing stretches, as Grafana draws annotations.
    let alert_marks =
        use_context::<RwSignal<Option<crate::dashboard::panel_context::AlertAnnotations>>>();
    let alert_annotations = move || {
        let marks = alert_marks?.get()?;
        let w = window.get()?;
        let (start, end, width) = (w.start, axis_end(&w), chart_width());
        let x = |t: f64| AXES_INSETS.x_of(t.clamp(start, end), width, start, end);
        let spans: Vec<_> = marks
            .episodes
            .iter()
            .flat_map(|e| {
                let pending_end = e.firing_at.or(e.resolved_at).unwrap_or(w.end);
                let pending = Some(("pending", e.pending_at, pending_end));
                let firing = e.firing_at.map(|f| ("firing", f, e.resolved_at.unwrap_or(w.end)));
                [pending, firing].into_iter().flatten()
            })
            .filter(|(_, from, to)| *to >= start && *from <= end)
            .map(|(state, from, to)| {
                let title = format!(
                    "{} {state} {} – {}",
                    marks.rule,
                    format_local_datetime(from, &BrowserZone),
                    format_local_datetime(to, &BrowserZone)
                );
                view! {
                    <div class=format!("alert-annotation {state}") data-state=state title=title
                        style:left=format!("{}px", x(from)) style:width=format!("{}px", (x(to) - x(from)).max(2.0))
                        style:top=format!("{}px", AXES_INSETS.top) style:bottom=format!("{}px", AXES_INSETS.bottom)></div>
                }
            })
            .collect();
        let count = spans.len();
        Some(
            view! { <div class="alert-annotations" data-alert-annotations=count.to_string()>{spans}</div> },
        )
    };
    let selection = move || {
        let (a, b) = drag.get()?;
        ((a - b).abs() >= 1.0).then(|| {
            view! { <div class="drag-selection" style:left=format!("{}px", a.min(b)) style:width=format!("{}px", (a - b).abs())></div> }
        })
    };
    let tooltip = move || {
        if !hovering.get() || drag.get().is_some() {
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
    };

    let anomaly_times = move |index: usize| -> String {
        let times: Vec<String> = result.with(|r| {
            overlays.with(|o| match (r, o) {
                (Some(r), Some(o)) => o.get(index).map_or_else(Vec::new, |overlay| {
                    overlay
                        .anomalies
                        .iter()
                        .map(|&i| r.series[index].series.timestamps[i].to_string())
                        .collect()
                }),
                _ => Vec::new(),
            })
        });
        times.join(",")
    };
    let incidents = move |index: usize| -> String {
        result.with(|r| {
            overlays.with(|o| match (r, o) {
                (Some(r), Some(o)) => o.get(index).map_or_else(String::new, |overlay| {
                    let t = &r.series[index].series.timestamps;
                    overlay
                        .incidents
                        .iter()
                        .map(|i| {
                            format!(
                                "{},{},{},{}",
                                t[i.start_index],
                                t[i.end_index],
                                t[i.peak_index],
                                i.direction.id()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(";")
                }),
                _ => String::new(),
            })
        })
    };
    let baseline_points = move |index: usize| -> String {
        overlays.with(|o| {
            o.as_ref()
                .and_then(|o| o.get(index))
                .and_then(|o| o.baseline.as_ref())
                .and_then(|b| b.as_ref().ok())
                .map_or(0, |b| b.timestamps.len())
                .to_string()
        })
    };
    // The band's last point in the data range, for checking it against Prometheus.
    let baseline_last = move |index: usize| -> Option<(f64, f64)> {
        let end = window.get()?.end;
        overlays.with(|o| {
            let band = o.as_ref()?.get(index)?.baseline.as_ref()?.as_ref().ok()?;
            let last = band
                .timestamps
                .partition_point(|&t| t <= end)
                .checked_sub(1)?;
            Some((band.timestamps[last], band.center[last]))
        })
    };
    // Why a series has no band, said once per distinct reason.
    let baseline_notes = move || {
        let kind = foresight.with(|f| f.baseline)?;
        let notes: Vec<String> = result.with(|r| {
            overlays.with(|o| {
                let (Some(r), Some(o)) = (r, o) else {
                    return Vec::new();
                };
                let mut notes: Vec<String> = Vec::new();
                for (s, overlay) in r.series.iter().zip(o) {
                    if let Some(Err(note)) = &overlay.baseline {
                        let line = if r.series.len() == 1 {
                            note.clone()
                        } else {
                            format!("{}: {note}", s.name)
                        };
                        if !notes.iter().any(|n| n.ends_with(note.as_str())) {
                            notes.push(line);
                        }
                    }
                }
                notes
            })
        });
        (!notes.is_empty()).then(|| {
            notes
                .into_iter()
                .map(|note| view! { <p class="baseline-note" role="note">{format!("No baseline band ({}): {note}", kind.describe())}</p> })
                .collect::<Vec<_>>()
        })
    };
    let anomaly_count = move |index: usize| {
        overlays
            .with(|o| {
                o.as_ref()
                    .and_then(|o| o.get(index))
                    .map_or(0, |o| o.anomalies.len())
            })
            .to_string()
    };
    let crossings = move || {
        let label = crossing_label.clone()?;
        let lines = result.with(|r| {
            overlays.with(|o| {
                let (r, o) = (r.as_ref()?, o.as_ref()?);
                Some(
                    r.series
                        .iter()
                        .zip(o)
                        .filter_map(|(s, overlay)| overlay.crossing.map(|c| (s.name.clone(), c)))
                        .map(|(name, crossing)| {
                            let text = format!("{name}: {}", describe_crossing(&label, &crossing));
                            view! {
                                <p class="crossing" role="status" data-series=name data-seconds=crossing.seconds.to_string()>
                                    {text}
                                </p>
                            }
                        })
                        .collect::<Vec<_>>(),
                )
            })
        })?;
        Some(lines)
    };
    // Rebuilt on every refresh, so nothing inside a row may be a reactive closure:
    // one made anew on each rebuild is never freed (measured: 0.3 KB per refresh).
    let rows = move || {
        let only = isolated.get();
        result.with(|result| {
            let Some(result) = result else { return Vec::new() };
            result
                .series
                .iter()
                .enumerate()
                .filter_map(|(index, s)| s.series.stats().map(|stats| (index, s.name.clone(), stats)))
                .map(|(index, name, stats)| {
                    let label = name.clone();
                    let dimmed = only.is_some_and(|o| o != index);
                    view! {
                        <tr
                            data-series=name
                            data-min=stats.min.to_string()
                            data-max=stats.max.to_string()
                            data-mean=stats.mean.to_string()
                            data-last=stats.last.to_string()
                            data-samples=stats.samples.to_string()
                            data-anomalies=anomaly_count(index)
                            data-anomaly-times=anomaly_times(index)
                            data-incidents=incidents(index)
                            data-baseline-points=baseline_points(index)
                            data-baseline-last-time=baseline_last(index).map(|(t, _)| t.to_string())
                            data-baseline-last-center=baseline_last(index).map(|(_, c)| c.to_string())
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
        <div
            class="chart interactive"
            data-axis-end=move || window.get().map(|w| axis_end(&w).to_string())
            data-analytics-ms=move || analytics_ms.get().map(|ms| format!("{ms:.2}"))
            node_ref=chart_ref
            on:mousemove=on_move
            on:mouseleave=on_leave
            on:mousedown=on_down
            on:mouseup=on_up
        >
            <canvas node_ref=canvas_ref></canvas>
            {alert_annotations}
            {crosshair}
            {selection}
            {tooltip}
            {move || draw_error.get().map(|text| view! { <div class="message error" role="alert">{text}</div> })}
        </div>
        <div class="crossings">{crossings}{baseline_notes}</div>
        <div class="chart-toolbar">
            {overlay_controls(foresight, on_overlays)}
            <select
                class="style-picker"
                title="How the series are drawn"
                on:change=move |event| {
                    let picked = match event_target_value(&event).as_str() {
                        "area" => LineStyle::Area,
                        "stacked" => LineStyle::Stacked,
                        "points" => LineStyle::Points,
                        _ => LineStyle::Lines,
                    };
                    chosen_style.set(picked);
                }
            >
                {[(LineStyle::Lines, "lines", "Lines"), (LineStyle::Area, "area", "Area"), (LineStyle::Stacked, "stacked", "Stacked"), (LineStyle::Points, "points", "Points")]
                    .into_iter()
                    .map(|(value, id, text)| view! { <option value=id selected=value == style>{text}</option> })
                    .collect::<Vec<_>>()}
            </select>
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

/// The overlay switches: forecast, baseline band, anomaly markers and sensitivity.
fn overlay_controls(
    foresight: Signal<ForesightOptions>,
    on_overlays: Callback<OverlayToggles>,
) -> impl IntoView {
    let switch = move |update: &dyn Fn(&mut OverlayToggles)| {
        let mut toggles = foresight.with_untracked(ForesightOptions::toggles);
        update(&mut toggles);
        on_overlays.run(toggles);
    };
    let current = move || foresight.with(ForesightOptions::toggles);
    view! {
        <select
            class="overlay-picker"
            data-overlay="forecast"
            title="Forecast past now, with 80 % and 95 % bands"
            on:change=move |event| {
                let picked = ForecastKind::parse(&event_target_value(&event));
                switch(&move |t| t.forecast = picked);
            }
        >
            {move || {
                let chosen = current().forecast;
                [(None, "none", "No forecast"), (Some(ForecastKind::Linear), "linear", "Linear forecast"), (Some(ForecastKind::Seasonal), "seasonal", "Seasonal forecast")]
                    .into_iter()
                    .map(|(kind, id, text)| view! { <option value=id selected=chosen == kind>{text}</option> })
                    .collect::<Vec<_>>()
            }}
        </select>
        <select
            class="overlay-picker"
            data-overlay="baseline"
            title="The range the series usually lives in"
            on:change=move |event| {
                let picked = BaselineKind::parse(&event_target_value(&event));
                switch(&move |t| t.baseline = picked);
            }
        >
            {move || {
                let chosen = current().baseline;
                std::iter::once((None, "none", "No baseline"))
                    .chain([
                        (Some(BaselineKind::DayAgo), "1d", "Baseline: yesterday"),
                        (Some(BaselineKind::WeekAgo), "1w", "Baseline: last week"),
                        (Some(BaselineKind::Seasonal), "seasonal", "Baseline: time of day"),
                    ])
                    .map(|(kind, id, text)| view! { <option value=id selected=chosen == kind>{text}</option> })
                    .collect::<Vec<_>>()
            }}
        </select>
        <label class="overlay-switch" title="Mark anomalies found by the causal detector">
            <input
                type="checkbox"
                data-overlay="anomalies"
                prop:checked=move || current().anomalies
                on:change=move |event| {
                    let on = event_target_checked(&event);
                    switch(&move |t| t.anomalies = on);
                }
            />
            "Anomalies"
        </label>
        <select
            class="overlay-picker"
            data-overlay="sensitivity"
            title="How readily anomalies are reported and how wide baseline bands are"
            on:change=move |event| {
                let picked = Sensitivity::parse(&event_target_value(&event)).unwrap_or_default();
                switch(&move |t| t.sensitivity = picked);
            }
        >
            {move || {
                let chosen = current().sensitivity;
                Sensitivity::ALL
                    .into_iter()
                    .map(|level| view! { <option value=level.id() selected=chosen == level>{format!("Sensitivity: {}", level.id())}</option> })
                    .collect::<Vec<_>>()
            }}
        </select>
    }
}
