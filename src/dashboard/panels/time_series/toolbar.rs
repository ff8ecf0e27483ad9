//! The chart's toolbar: the overlay switches and the line style.

use foresight_core::model::dashboard::{
    BaselineKind, ForecastKind, ForesightOptions, LineStyle, OverlayToggles, Sensitivity,
};
use leptos::prelude::*;

/// The overlay switches: forecast, baseline band, anomaly markers and sensitivity.
#[component]
pub fn OverlayControls(
    foresight: Signal<ForesightOptions>,
    on_overlays: Callback<OverlayToggles>,
    /// The panel's title, so each control's name says which chart it belongs to.
    title: String,
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
            aria-label=format!("Forecast for {}", title)
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
            aria-label=format!("Baseline for {}", title)
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
                aria-label=format!("Mark anomalies on {}", title)
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
            aria-label=format!("Anomaly sensitivity for {}", title)
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

/// How the series are drawn: lines, area, stacked or points.
#[component]
pub fn StylePicker(
    style: LineStyle,
    chosen: RwSignal<LineStyle>,
    /// The panel's title, so the control's name says which chart it belongs to.
    title: String,
) -> impl IntoView {
    view! {
        <select
            class="style-picker"
            title="How the series are drawn"
            aria-label=format!("Line style for {}", title)
            on:change=move |event| {
                let picked = match event_target_value(&event).as_str() {
                    "area" => LineStyle::Area,
                    "stacked" => LineStyle::Stacked,
                    "points" => LineStyle::Points,
                    _ => LineStyle::Lines,
                };
                chosen.set(picked);
            }
        >
            {[(LineStyle::Lines, "lines", "Lines"), (LineStyle::Area, "area", "Area"), (LineStyle::Stacked, "stacked", "Stacked"), (LineStyle::Points, "points", "Points")]
                .into_iter()
                .map(|(value, id, text)| view! { <option value=id selected=value == style>{text}</option> })
                .collect::<Vec<_>>()}
        </select>
    }
}
