//! Annotations over the chart, as Grafana draws them: a backtest's pending and
//! firing stretches, and the dashboard's events.

use crate::alerts::AlertAnnotations;
use crate::browser::clock::BrowserZone;
use foresight_core::chart::event_marks::event_marks;
use foresight_core::chart::geometry::AXES_INSETS;
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::model::dashboard::ForesightOptions;
use foresight_core::query::step::QueryWindow;
use leptos::prelude::*;

#[component]
pub fn AlertAnnotationMarks(
    window: Signal<Option<QueryWindow>>,
    foresight: Signal<ForesightOptions>,
    chart_width: Signal<f64>,
) -> impl IntoView {
    let axis_end = move |w: &QueryWindow| {
        foresight.with(|f| foresight_core::analytics::panel_overlays::axis_end(w, f))
    };
    let chart_width = move || chart_width.get();
    let alert_marks = use_context::<RwSignal<Option<AlertAnnotations>>>();
    move || {
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
    }
}

/// Width of a moment's hover target (the line drawn is thinner).
const MOMENT_TARGET_PX: f64 = 9.0;

/// The dashboard's events (deployments, restarts, annotation queries): a
/// line at each moment, a shaded span for each region, each with its hover
/// text; moments a few pixels apart share one mark.
#[component]
pub fn EventMarks(
    window: Signal<Option<QueryWindow>>,
    foresight: Signal<ForesightOptions>,
    chart_width: Signal<f64>,
) -> impl IntoView {
    let events = use_context::<crate::dashboard::events::DashboardEvents>();
    move || {
        let events = events?;
        let w = window.get()?;
        let end = foresight.with(|f| foresight_core::analytics::panel_overlays::axis_end(&w, f));
        let width = chart_width.get();
        let x = |t: f64| AXES_INSETS.x_of(t, width, w.start, end);
        let marks = events
            .visible
            .with(|all| event_marks(all, w.start, end, x, MOMENT_TARGET_PX / 2.0));
        let colours: Vec<(u8, u8, u8)> = events
            .sources
            .with(|s| s.iter().map(|s| s.query.rgb).collect());
        let count = marks.len();
        let marks: Vec<_> = marks
            .into_iter()
            .map(|mark| {
                let (r, g, b) = colours.get(mark.source).copied().unwrap_or((160, 200, 255));
                let moment = mark.width == 0.0;
                let left = if moment { mark.left - MOMENT_TARGET_PX / 2.0 } else { mark.left };
                let width = if moment { MOMENT_TARGET_PX } else { mark.width };
                view! {
                    <div class="event-mark" class:region=!moment title=mark.text.clone()
                        role="img" aria-label=mark.text data-event-count=mark.count.to_string()
                        style=format!(
                            "--event-rgb: {r}, {g}, {b}; left: {left}px; width: {width}px; top: {}px; bottom: {}px",
                            AXES_INSETS.top, AXES_INSETS.bottom
                        )></div>
                }
            })
            .collect();
        Some(view! { <div class="event-marks" data-event-marks=count.to_string()>{marks}</div> })
    }
}
