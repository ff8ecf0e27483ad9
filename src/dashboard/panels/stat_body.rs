//! Stat: one big number in its threshold colour, with an optional sparkline.
//! `data-value` holds the raw number for tests and tools.

use super::{css_rgb, reduced_values, shown_value, value_rgb, value_state};
use crate::charts::time_series::{
    draw_time_series, is_laid_out, ChartFrame, ChartOptions, DrawnSeries,
};
use crate::dashboard::panel_context::PanelResult;
use foresight_core::model::dashboard::{Panel, Reducer};
use foresight_core::query::step::QueryWindow;
use leptos::html::Canvas;
use leptos::prelude::*;

#[component]
pub fn StatBody(
    panel: Panel,
    result: Signal<Option<PanelResult>>,
    window: Signal<Option<QueryWindow>>,
    drawn: RwSignal<bool>,
    reduce: Reducer,
    sparkline: bool,
) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    let resize_count = crate::hooks::canvas_size::canvas_size_changes(canvas_ref);
    let draw_error = RwSignal::new(None::<String>);
    let thresholds = panel.thresholds.clone();
    let values = Memo::new(move |_| {
        let end = window.get().map_or(f64::INFINITY, |w| w.end);
        result.with(|r| {
            r.as_ref()
                .map(|r| reduced_values(r, reduce, end))
                .unwrap_or_default()
        })
    });
    let spark_thresholds = thresholds.clone();
    Effect::new(move |_| {
        resize_count.track();
        if !sparkline {
            return;
        }
        let (Some(canvas), Some(window)) = (canvas_ref.get(), window.get()) else {
            return;
        };
        result.with(|result| {
            let Some(result) = result else { return };
            let Some(first) = result.series.first() else {
                // Nothing over the range to draw (a value only at its end): settled.
                drawn.set(true);
                return;
            };
            let color = values.with(|v| {
                v.first()
                    .map(|(_, value)| value_rgb(&spark_thresholds, *value))
            });
            let options = ChartOptions {
                compact: true,
                ..ChartOptions::default()
            };
            let mut line = DrawnSeries::new(&first.series, 0, &first.look, options.unit);
            line.color = color.unwrap_or(line.color);
            // A stat takes an override's name only (as the import notes say).
            line.negative = false;
            let frame = ChartFrame {
                start: window.start,
                end: window.end,
                step: window.step,
                forecast_until: window.end,
            };
            // A sparkline that failed is settled too: the panel says why. Before
            // layout there is nothing to see; the size hook redraws once there is.
            let outcome = draw_time_series(&canvas, &[line], &frame, &options, &[]);
            draw_error.set(outcome.err().filter(|_| is_laid_out(&canvas)));
            drawn.set(true);
        });
    });
    let panel = StoredValue::new(panel);
    let shown = move || {
        values.with(|values| {
            values
                .iter()
                .map(|(name, value)| {
                    let (text, color) = panel.with_value(|panel| shown_value(panel, *value));
                    let color = css_rgb(color);
                    let label = (values.len() > 1)
                        .then(|| view! { <span class="stat-name">{name.clone()}</span> });
                    let state = panel
                        .with_value(|panel| value_state(panel, *value))
                        .map(|state| view! { <span class="value-state">{state}</span> });
                    view! {
                        <div class="stat">
                            <span class="stat-value" data-value=value.to_string() style:color=color>
                                {text}
                            </span>
                            {label}
                            {state}
                        </div>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="stat-body">
            <div class="stat-values">{shown}</div>
            {sparkline.then(|| view! { <canvas class="sparkline" node_ref=canvas_ref></canvas> })}
            {move || draw_error.get().map(|text| view! { <div class="message error" role="alert">{text}</div> })}
        </div>
    }
}
