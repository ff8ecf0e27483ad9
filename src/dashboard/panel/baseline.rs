//! A baseline band's extra query (the same query a day or a week earlier, or
//! the last week for a seasonal band), following the panel's window.

use crate::dashboard::panel_context::PanelContext;
use foresight_core::analytics::baseline::{baseline_query_window, shift_series};
use foresight_core::analytics::options::{BaselineKind, ForesightOptions};
use foresight_core::analytics::panel_overlays::{axis_end, BaselineReference};
use foresight_core::model::dashboard::Target;
use foresight_core::query::step::QueryWindow;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{AbortController, AbortSignal};

/// The baseline's answer and whether it is on its way.
#[derive(Clone, Copy)]
pub struct BaselineQuery {
    pub reference: RwSignal<Option<BaselineReference>>,
    pub busy: RwSignal<bool>,
    /// The request in flight, aborted by a newer one or when the panel goes.
    pub in_flight: StoredValue<Option<AbortController>, LocalStorage>,
}

/// Asks for the reference of `plan` (the band's kind and how far the axis
/// reaches) after each answer of the panel (`query_window`).
pub fn follow_baseline(
    plan: Memo<Option<(BaselineKind, ForesightOptions)>>,
    query_window: RwSignal<Option<QueryWindow>>,
    context: Signal<Option<PanelContext>>,
    targets: Vec<Target>,
) -> BaselineQuery {
    let reference = RwSignal::new(None::<BaselineReference>);
    let reference_in_flight = StoredValue::new_local(None::<AbortController>);
    let reference_busy = RwSignal::new(false);
    let reference_targets = targets;
    // The baseline's extra query follows the panel's window (set after each answer).
    Effect::new(move |_| {
        let plan = plan.get();
        let Some(window) = query_window.get() else {
            return;
        };
        if let Some(previous) = reference_in_flight.try_update_value(Option::take).flatten() {
            previous.abort();
        }
        let Some((kind, reach)) = plan else {
            reference.set(None);
            reference_busy.set(false);
            return;
        };
        let Some(context) = context.get_untracked() else {
            return;
        };
        let until = axis_end(&window, &reach);
        let (reference_window, shift) = baseline_query_window(kind, &window, until);
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        reference_in_flight.set_value(controller);
        let targets = reference_targets.clone();
        reference_busy.set(true);
        spawn_local(async move {
            let answer = context
                .run_reference(&targets, &reference_window, &window, signal.as_ref())
                .await
                .map(|mut found| {
                    for series in &mut found {
                        shift_series(series, shift);
                    }
                    found
                })
                .map_err(|message| format!("the baseline query failed: {message}"));
            if signal.as_ref().is_some_and(AbortSignal::aborted) {
                return;
            }
            reference.try_set(Some(answer));
            reference_busy.try_set(false);
        });
    });
    BaselineQuery {
        reference,
        busy: reference_busy,
        in_flight: reference_in_flight,
    }
}
