//! Gauge (an arc from min to max) and bar gauge (one bar per series), coloured
//! by thresholds. `data-value` holds the raw number.

use super::{css_rgb, reduced_values, shown_value, value_state};
use crate::dashboard::panel_context::PanelResult;
use foresight_core::chart::gauge_scale::{fraction_of_scale, gauge_scale};
use foresight_core::model::dashboard::{BarDisplay, BarOrientation, Panel, Reducer};
use foresight_core::query::step::QueryWindow;
use leptos::prelude::*;

/// The reduced values and the scale they are drawn on (tracks `result` and `window`).
fn values_on_scale(
    panel: &Panel,
    result: Signal<Option<PanelResult>>,
    window: Signal<Option<QueryWindow>>,
    reduce: Reducer,
) -> (Vec<(String, f64)>, f64, f64) {
    let end = window.get().map_or(f64::INFINITY, |w| w.end);
    let values = result.with(|r| {
        r.as_ref()
            .map(|r| reduced_values(r, reduce, end))
            .unwrap_or_default()
    });
    let (min, max) = gauge_scale(panel.min, panel.max, values.iter().map(|v| v.1));
    (values, min, max)
}

#[component]
pub fn GaugeBody(
    panel: Panel,
    result: Signal<Option<PanelResult>>,
    window: Signal<Option<QueryWindow>>,
    reduce: Reducer,
) -> impl IntoView {
    // A semicircle of radius 40 has length π·40; the value arc is dashed to its share.
    const ARC_LENGTH: f64 = std::f64::consts::PI * 40.0;
    let gauges = move || {
        let (values, min, max) = values_on_scale(&panel, result, window, reduce);
        let many = values.len() > 1;
        values
            .into_iter()
            .map(|(name, value)| {
                let (shown, color) = shown_value(&panel, value);
                let color = css_rgb(color);
                let dash = format!("{} {}", fraction_of_scale(value, min, max) * ARC_LENGTH, ARC_LENGTH);
                let state = value_state(&panel, value);
                // A series without labels is named "{}": the panel's title says more.
                let who = if name.is_empty() || name == "{}" { panel.title.clone() } else { name.clone() };
                let label = match &state {
                    Some(state) => format!("{who}: {shown}, {state}"),
                    None => format!("{who}: {shown}"),
                };
                view! {
                    <figure class="gauge">
                        <svg viewBox="0 0 100 60" role="img" aria-label=label>
                            <path d="M10 55 A40 40 0 0 1 90 55" class="gauge-track"></path>
                            <path d="M10 55 A40 40 0 0 1 90 55" class="gauge-fill" stroke=color.clone() stroke-dasharray=dash></path>
                            <text x="50" y="50" class="gauge-text" fill=color>{shown}</text>
                        </svg>
                        <figcaption class="stat-value" data-value=value.to_string()>
                            {many.then(|| name.clone())}
                            {state.map(|state| view! { <span class="value-state">{state}</span> })}
                        </figcaption>
                    </figure>
                }
            })
            .collect::<Vec<_>>()
    };
    view! { <div class="gauges">{gauges}</div> }
}

/// One bar per series, filled as the display mode says (the stylesheet draws
/// the modes and the orientations from the classes and `--fill`/`--bar`).
#[component]
pub fn BarGaugeBody(
    panel: Panel,
    result: Signal<Option<PanelResult>>,
    window: Signal<Option<QueryWindow>>,
    reduce: Reducer,
    display: BarDisplay,
    orientation: BarOrientation,
) -> impl IntoView {
    let bars = move || {
        let (values, min, max) = values_on_scale(&panel, result, window, reduce);
        values
            .into_iter()
            .map(|(name, value)| {
                let fill = format!("--fill: {:.2}%", fraction_of_scale(value, min, max) * 100.0);
                let (shown, color) = shown_value(&panel, value);
                let color = css_rgb(color);
                let shown_name = name.clone();
                let state = value_state(&panel, value).map(
                    |state| view! { <span class="visually-hidden">{format!(", {state}")}</span> },
                );
                view! {
                    <div class="bar-gauge" data-value=value.to_string() data-series=name>
                        <span class="bar-name">{shown_name}</span>
                        <span class="bar-track">
                            <span class="bar-fill" style=format!("{fill}; --bar: {color}")></span>
                        </span>
                        <span class="bar-value" style:color=color>{shown}{state}</span>
                    </div>
                }
            })
            .collect::<Vec<_>>()
    };
    let class = format!("bar-gauges {} {}", display.id(), orientation.id());
    view! { <div class="bar-gauge-box"><div class=class>{bars}</div></div> }
}
