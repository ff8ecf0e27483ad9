//! Time series: the canvas chart with its overlays, the pointer layer above it
//! (crosshair, zoom by dragging, tooltip, alert annotations), notes, the
//! toolbar and the legend, each in its own file.

mod annotations;
mod legend;
mod notes;
mod related_button;
mod toolbar;
mod tooltip;
mod words;

use annotations::{AlertAnnotationMarks, EventMarks};
use legend::SeriesLegend;
use notes::ChartNotes;
use related_button::AskWhatElseMoved;
use toolbar::{OverlayControls, StylePicker};
use tooltip::ChartTooltip;
use words::{value_format, with_shown_series, ChartTableView};

use crate::browser::clock::BrowserZone;
use crate::charts::time_series::{
    draw_time_series, is_laid_out, ChartFrame, ChartOptions, DrawnSeries,
};
use crate::dashboard::panel_context::{PanelContext, PanelResult};
use foresight_core::analytics::chart_readout::{
    announcement_at, chart_summary, isolation_announcement, sample_span,
};
use foresight_core::analytics::panel_overlays::{
    axis_end, overlay_for, BaselineReference, SeriesOverlay,
};
use foresight_core::chart::geometry::AXES_INSETS;
use foresight_core::chart::keyboard::{chart_key, ChartKeyAction, ChartKeyState, KeyPress};
use foresight_core::model::dashboard::{
    ForesightOptions, LegendMode, LegendOptions, LegendPlacement, LineStyle, OverlayToggles, Panel,
};
use foresight_core::model::what_else_moved::RelatedQuestion;
use foresight_core::query::step::QueryWindow;
use foresight_core::query::template_variables::interpolate_text;
use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::html::{Canvas, Div};
use leptos::prelude::*;

/// How the chart is steered, for screen readers (the README lists the same keys).
const CHART_KEYS_HINT: &str = "Left and right arrows move the crosshair (Shift: ten steps), Home and End go to the first and last sample, plus and minus zoom, 1 to 9 show one series, 0 all, Escape leaves.";

#[component]
pub fn TimeSeriesBody(
    panel: Panel,
    context: PanelContext,
    result: Signal<Option<PanelResult>>,
    window: Signal<Option<QueryWindow>>,
    drawn: RwSignal<bool>,
    style: LineStyle,
    zero_line: bool,
    /// The legend's mode and place (a table below the chart by default).
    #[prop(optional)]
    legend: LegendOptions,
    /// Forecast, baseline, anomaly and crossing overlays.
    foresight: Signal<ForesightOptions>,
    /// What the baseline's extra query returned (`None` while it loads or when off).
    reference: Signal<Option<BaselineReference>>,
    on_overlays: Callback<OverlayToggles>,
    /// Without the overlay switches and "What else moved?" (a derived chart
    /// such as an SLO's burn-down, which they would not read right).
    #[prop(optional)]
    plain: bool,
) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    let panel_id = panel.id.clone();
    let title = interpolate_text(&panel.title, &context.variables);
    let title = StoredValue::new(if title.trim().is_empty() {
        "Untitled chart".to_string()
    } else {
        title
    });
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
            let shown = |index: usize| {
                only.is_none_or(|o| o == index)
                    && result
                        .series
                        .get(index)
                        .is_some_and(|s| !s.look.hide_in_chart)
            };
            let series: Vec<DrawnSeries> = result
                .series
                .iter()
                .enumerate()
                .filter(|(index, _)| shown(*index))
                .map(|(index, s)| DrawnSeries::new(&s.series, index, &s.look, base_options.unit))
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
                    .filter(|(index, _)| shown(*index))
                    .map(|(_, o)| o.clone())
                    .collect()
            });
            // A drawing that failed is settled too: the panel says why. Before
            // layout there is nothing to see; the size hook redraws once there is.
            let outcome = draw_time_series(&canvas, &series, &frame, &options, &shown_overlays);
            draw_error.set(outcome.err().filter(|_| is_laid_out(&canvas)));
            drawn.set(true);
        });
    });
    let (unit, decimals) = (panel.unit, panel.decimals);

    // Pointer interaction: HTML on top of the canvas, so hovering never redraws it.
    let chart_ref = NodeRef::<Div>::new();
    let hovering = RwSignal::new(false);
    let drag = RwSignal::new(None::<(f64, f64)>); // (start x, current x) in CSS px
    let (hover_time, zoom_request) = (context.hover_time, context.zoom_request);
    let asked = use_context::<RwSignal<Option<RelatedQuestion>>>();
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
            // Shift-drag asks what else moved in the window instead of zooming.
            match asked.filter(|_| event.shift_key()) {
                Some(asked) => asked.set(Some(RelatedQuestion {
                    title: format!("{}, selected window", title.get_value()),
                    window: (a.min(b), a.max(b)),
                    labels: Default::default(),
                })),
                None => zoom_request.set(Some((a.min(b), a.max(b)))),
            }
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
    let selection = move || {
        let (a, b) = drag.get()?;
        ((a - b).abs() >= 1.0).then(|| {
            view! { <div class="drag-selection" style:left=format!("{}px", a.min(b)) style:width=format!("{}px", (a - b).abs())></div> }
        })
    };
    let chart_width = Signal::derive(chart_width);
    let shared = ChartShared {
        result,
        window,
        overlays: overlays.into(),
        isolated,
        hover_time,
        foresight,
        unit,
        decimals,
    };
    // The keyboard's crosshair: moved by keys, read out through a live region.
    let keyboard_crosshair = RwSignal::new(false);
    let announced = RwSignal::new(String::new());
    let as_table = RwSignal::new(false);
    // Positions of the series the chart can show: those the digit keys pick.
    let drawable = move || -> Vec<usize> {
        result.with_untracked(|r| {
            r.as_ref().map_or_else(Vec::new, |r| {
                (0..r.series.len())
                    .filter(|&k| !r.series[k].look.hide_in_chart)
                    .collect()
            })
        })
    };
    let on_key = move |event: KeyboardEvent| {
        let Some(w) = window.get_untracked() else {
            return;
        };
        let state = ChartKeyState {
            start: w.start,
            end: w.end,
            axis_end: axis_end(&w),
            step: w.step,
            crosshair: hover_time
                .get_untracked()
                .filter(|_| keyboard_crosshair.get_untracked()),
            samples: with_shown_series(shared, |shown| sample_span(&w, shown)).flatten(),
            series_count: drawable().len(),
            now: crate::browser::clock::now_seconds(),
        };
        let key = event.key();
        let press = KeyPress {
            key: &key,
            shift: event.shift_key(),
            browser_modifier: event.ctrl_key() || event.meta_key() || event.alt_key(),
        };
        let Some(action) = chart_key(press, &state) else {
            return;
        };
        event.prevent_default();
        match action {
            ChartKeyAction::MoveCrosshair(t) => {
                keyboard_crosshair.set(true);
                hover_time.set(Some(t));
                let said = with_shown_series(shared, |shown| {
                    announcement_at(t, &w, shown, value_format(shared), &BrowserZone)
                });
                announced.set(said.unwrap_or_default());
            }
            ChartKeyAction::Zoom(from, to) => zoom_request.set(Some((from, to))),
            ChartKeyAction::Isolate(which) => {
                // The k-th series the chart can show (overrides may hide some).
                let which = which.and_then(|k| drawable().get(k).copied());
                isolated.set(which);
                let name = which.and_then(|k| {
                    result.with_untracked(|r| Some(r.as_ref()?.series.get(k)?.name.clone()))
                });
                announced.set(isolation_announcement(name.as_deref()));
            }
            ChartKeyAction::LeaveCrosshair => {
                keyboard_crosshair.set(false);
                hover_time.set(None);
                announced.set(String::new());
            }
        }
    };
    let on_blur = move |_| {
        if keyboard_crosshair.get_untracked() {
            keyboard_crosshair.set(false);
            hover_time.set(None);
        }
    };
    // The chart's text alternative, in the core's words.
    let summary = Memo::new(move |_| {
        let w = window.get()?;
        with_shown_series(shared, |shown| {
            chart_summary(
                &title.get_value(),
                &w,
                shown,
                value_format(shared),
                &BrowserZone,
            )
        })
    });
    let keys_hint_id = format!("chart-keys-{panel_id}");
    let right = legend.placement == LegendPlacement::Right && legend.mode != LegendMode::Hidden;
    let showing = Signal::derive(move || {
        (hovering.get() || keyboard_crosshair.get()) && drag.get().is_none()
    });
    view! {
        <div
            class="chart-and-legend"
            class:legend-right=right
            style=legend.width.filter(|_| right).map(|w| format!("--legend-width: {w}px"))
        >
        <div class="chart-frame">
            <div
                class="chart interactive"
                data-axis-end=move || window.get().map(|w| axis_end(&w).to_string())
                data-analytics-ms=move || analytics_ms.get().map(|ms| format!("{ms:.2}"))
                node_ref=chart_ref
                tabindex="0"
                // An application: a screen reader in browse mode would keep the
                // arrow keys for itself, and the crosshair needs them.
                role="application"
                aria-roledescription="chart"
                aria-label=move || summary.get().unwrap_or_else(|| format!("{}: loading", title.get_value()))
                aria-describedby=keys_hint_id.clone()
                on:mousemove=on_move
                on:mouseleave=on_leave
                on:mousedown=on_down
                on:mouseup=on_up
                on:keydown=on_key
                on:blur=on_blur
            >
                <canvas node_ref=canvas_ref></canvas>
                <AlertAnnotationMarks window=window foresight=foresight chart_width=chart_width />
                <EventMarks window=window foresight=foresight chart_width=chart_width />
                {crosshair}
                {selection}
                <ChartTooltip shared=shared showing=showing chart_width=chart_width />
            </div>
            {move || as_table.get().then(|| view! { <ChartTableView shared=shared title=title.get_value() /> })}
            {move || draw_error.get().map(|text| view! { <div class="message error" role="alert">{text}</div> })}
        </div>
        {right.then(|| view! { <SeriesLegend shared=shared mode=legend.mode title=title.get_value() /> })}
        </div>
        <p class="visually-hidden" id=keys_hint_id>{CHART_KEYS_HINT}</p>
        <div class="visually-hidden" aria-live="polite" data-chart-readout="">{move || announced.get()}</div>
        <ChartNotes shared=shared />
        <div class="chart-toolbar">
            {(!plain).then(|| view! {
                <OverlayControls foresight=foresight on_overlays=on_overlays title=title.get_value() />
                <AskWhatElseMoved result=result overlays=overlays.into() window=window title=title.get_value() />
            })}
            <StylePicker style=style chosen=chosen_style title=title.get_value() />
            <button
                class="table-toggle"
                aria-pressed=move || as_table.get().to_string()
                aria-label=format!("Show {} as a table", title.get_value())
                on:click=move |_| as_table.update(|on| *on = !*on)
            >
                "Table"
            </button>
        </div>
        {(!right).then(|| view! { <SeriesLegend shared=shared mode=legend.mode title=title.get_value() /> })}
    }
}

/// What the parts of a time-series panel read: the answer, its window, the
/// overlays computed on it, the isolated series, the pointer's time, the
/// overlay options and how values are written.
#[derive(Clone, Copy)]
pub struct ChartShared {
    pub result: Signal<Option<PanelResult>>,
    pub window: Signal<Option<QueryWindow>>,
    pub overlays: Signal<Option<Vec<SeriesOverlay>>>,
    pub isolated: RwSignal<Option<usize>>,
    pub hover_time: RwSignal<Option<f64>>,
    pub foresight: Signal<ForesightOptions>,
    pub unit: foresight_core::foundation::units::Unit,
    pub decimals: Option<u8>,
}
