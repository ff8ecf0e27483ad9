//! "What else moved?" from a chart: its latest anomaly (a button beside the
//! overlay switches, there while an anomaly is marked), or a window selected
//! with Shift-drag (see the chart's pointer handling).

use crate::browser::clock::BrowserZone;
use crate::dashboard::panel_context::PanelResult;
use foresight_core::analytics::panel_overlays::SeriesOverlay;
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::model::what_else_moved::{question_from_incidents, RelatedQuestion};
use foresight_core::query::step::QueryWindow;
use leptos::prelude::*;

#[component]
pub fn AskWhatElseMoved(
    result: Signal<Option<PanelResult>>,
    overlays: Signal<Option<Vec<SeriesOverlay>>>,
    window: Signal<Option<QueryWindow>>,
    title: String,
) -> impl IntoView {
    let asked = use_context::<RwSignal<Option<RelatedQuestion>>>();
    let question = Memo::new(move |_| {
        let step = window.get()?.step;
        result.with(|r| {
            overlays.with(|o| {
                let (r, o) = (r.as_ref()?, o.as_ref()?);
                let series: Vec<_> = r
                    .series
                    .iter()
                    .zip(o)
                    .map(|(s, overlay)| (s.name.as_str(), &s.series, overlay.incidents.as_slice()))
                    .collect();
                question_from_incidents(&title, &series, step, |t| {
                    format_local_datetime(t, &BrowserZone)
                })
            })
        })
    });
    // Always there (disabled without an anomaly), so the toolbar never
    // reflows when the detector finds one.
    let label = move || {
        question.with(|q| match q {
            Some(latest) => format!("What else moved? ({})", latest.title),
            None => "What else moved? (no anomaly marked on this chart; Shift-drag a window to ask about it)".into(),
        })
    };
    asked.map(|asked| {
        view! {
            <button class="ask-related" data-action="what-else-moved" title=label aria-label=label
                disabled=move || question.with(Option::is_none)
                on:click=move |_| {
                    if let Some(latest) = question.get_untracked() {
                        asked.set(Some(latest));
                    }
                }>"What else moved?"</button>
        }
    })
}
