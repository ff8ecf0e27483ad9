//! The time controls: quick ranges, a typed range, zoom out, and the refresh.

use crate::browser::clock::{now_ms, BrowserZone};
use crate::dashboard::change_view;
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::model::refresh::REFRESH_CHOICES;
use foresight_core::model::url_state::ViewState;
use foresight_core::query::time_range::{TimeExpression, TimeRange};
use leptos::prelude::*;

const QUICK_RANGES: [(&str, &str); 10] = [
    ("now-5m", "Last 5 minutes"),
    ("now-15m", "Last 15 minutes"),
    ("now-1h", "Last 1 hour"),
    ("now-6h", "Last 6 hours"),
    ("now-12h", "Last 12 hours"),
    ("now-24h", "Last 24 hours"),
    ("now-2d", "Last 2 days"),
    ("now-7d", "Last 7 days"),
    ("now-14d", "Last 14 days"),
    ("now-30d", "Last 30 days"),
];

/// A time as the range label shows it: local date and time, or as written (`now-6h`).
pub fn describe(expression: &TimeExpression) -> String {
    match expression {
        TimeExpression::Absolute { epoch_ms } => {
            format_local_datetime(*epoch_ms as f64 / 1000.0, &BrowserZone)
        }
        relative => relative.to_string(),
    }
}

/// The range as its label shows it: `now-6h → now`.
pub fn range_label(range: &TimeRange) -> String {
    format!("{} → {}", describe(&range.from), describe(&range.to))
}

#[component]
pub fn TimeControls(
    view_state: RwSignal<ViewState>,
    time_range: Memo<TimeRange>,
    /// The refresh in force.
    refresh: Memo<String>,
    /// Zooms out around the range.
    zoom_out: Callback<()>,
    /// What was wrong with a typed range (shown with the page's other problems).
    custom_problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let change = move |update: &dyn Fn(&mut ViewState)| change_view(view_state, update);
    let range_label = move || range_label(&time_range.get());
    let custom_from = RwSignal::new(String::new());
    let custom_to = RwSignal::new(String::new());
    let apply_custom = move |_| match (
        TimeExpression::parse_local(&custom_from.get(), &BrowserZone),
        TimeExpression::parse_local(&custom_to.get(), &BrowserZone),
    ) {
        (Ok(from), Ok(to)) => {
            if let Err(error) = (TimeRange {
                from: from.clone(),
                to: to.clone(),
            })
            .resolve(now_ms())
            {
                custom_problem.set(Some(error.to_string()));
                return;
            }
            custom_problem.set(None);
            change(&move |s: &mut ViewState| {
                s.from = Some(from.clone());
                s.to = Some(to.clone());
            });
        }
        (Err(error), _) | (_, Err(error)) => custom_problem.set(Some(error.to_string())),
    };
    view! {
        <label class="control">
            <span>"Range"</span>
            <select data-testid="quick-range" on:change=move |event| {
                let from = event_target_value(&event);
                if let Ok(parsed) = TimeExpression::parse(&from) {
                    change(&move |s: &mut ViewState| {
                        s.from = Some(parsed.clone());
                        s.to = Some(TimeExpression::now());
                    });
                }
            }>
                <option value="" selected=true disabled=true>{range_label}</option>
                {QUICK_RANGES.iter().map(|(value, text)| view! { <option value=*value>{*text}</option> }).collect::<Vec<_>>()}
            </select>
        </label>
        <span class="control custom-range">
            <input aria-label="From" placeholder="from: now-7d or 2026-11-20 10:00" prop:value=custom_from on:input=move |e| custom_from.set(event_target_value(&e)) />
            <input aria-label="To" placeholder="to: now" prop:value=custom_to on:input=move |e| custom_to.set(event_target_value(&e)) />
            <button on:click=apply_custom>"Apply"</button>
        </span>
        <button data-testid="zoom-out" title="Show twice the time range" on:click=move |_| zoom_out.run(())>"Zoom out"</button>
        <label class="control">
            <span>"Refresh"</span>
            <select data-testid="refresh" on:change=move |event| {
                let chosen = event_target_value(&event);
                change(&move |s: &mut ViewState| s.refresh = Some(chosen.clone()));
            }>
                {move || {
                    let current = refresh.get();
                    REFRESH_CHOICES
                        .iter()
                        .map(|choice| view! { <option value=*choice selected=current == *choice>{*choice}</option> })
                        .collect::<Vec<_>>()
                }}
            </select>
        </label>
    }
}
