//! Heatmap of histogram buckets over time.

use crate::charts::heatmap::draw_heatmap;
use crate::dashboard::panel_context::PanelResult;
use foresight_core::chart::heatmap::heatmap_from_buckets;
use foresight_core::model::dashboard::Panel;
use foresight_core::query::step::QueryWindow;
use leptos::html::Canvas;
use leptos::prelude::*;

#[component]
pub fn HeatmapBody(
    panel: Panel,
    result: Signal<Option<PanelResult>>,
    window: Signal<Option<QueryWindow>>,
    drawn: RwSignal<bool>,
) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    let problem = RwSignal::new(None::<String>);
    let resize_count = crate::hooks::canvas_size::canvas_size_changes(canvas_ref);
    Effect::new(move |_| {
        resize_count.track();
        let (Some(canvas), Some(window)) = (canvas_ref.get(), window.get()) else {
            return;
        };
        result.with(|result| {
            let Some(result) = result else { return };
            let series: Vec<_> = result.series.iter().map(|s| s.series.clone()).collect();
            let drawing = heatmap_from_buckets(&series).and_then(|heatmap| {
                crate::browser::perf::timed("drawMs", || {
                    draw_heatmap(
                        &canvas,
                        &heatmap,
                        window.start,
                        window.end,
                        window.step,
                        panel.unit,
                    )
                })
            });
            // A drawing that failed is settled too: the panel says why. Before
            // layout there is nothing to see; the size hook redraws once there is.
            problem.set(
                drawing
                    .err()
                    .filter(|_| crate::charts::time_series::is_laid_out(&canvas)),
            );
            drawn.set(true);
        });
    });
    view! {
        <div class="chart">
            <canvas node_ref=canvas_ref></canvas>
            {move || problem.get().map(|text| view! { <div class="message error" role="alert">{text}</div> })}
        </div>
    }
}
