//! A backtest's pending and firing stretches over the chart, as Grafana draws
//! annotations.

use crate::alerts::AlertAnnotations;
use crate::browser::clock::BrowserZone;
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
