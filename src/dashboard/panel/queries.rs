//! The panel's queries: asked again whenever the context changes (range,
//! variables, refresh), the step following the body's pixel width; a refresh
//! that comes while an answer is awaited runs after it; a late answer gets a
//! notice until it comes.

use super::{is_refresh_of, PanelData, MIN_STEP_SECONDS};
use crate::dashboard::panel_context::{PanelContext, PanelResult, QueryPlan};
use foresight_core::model::dashboard::{SeriesOverride, Target};
use foresight_core::query::fetch_failure::{slow_answer_notice, SLOW_ANSWER_MS};
use foresight_core::query::step::QueryWindow;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use web_sys::{AbortController, AbortSignal};

/// What the query loop writes.
#[derive(Clone, Copy)]
pub struct PanelAnswer {
    pub data: RwSignal<PanelData>,
    pub result: RwSignal<Option<PanelResult>>,
    pub query_window: RwSignal<Option<QueryWindow>>,
    /// Shown as aria-busy.
    pub busy: RwSignal<bool>,
    /// The notice while an answer is late.
    pub late: RwSignal<Option<String>>,
    /// The request in flight; a newer one aborts it.
    pub in_flight: StoredValue<Option<AbortController>, LocalStorage>,
}

/// What kind of answer the panel needs.
#[derive(Clone, Copy)]
pub struct QueryKind {
    pub is_text: bool,
    pub is_table: bool,
    pub single_value: bool,
}

/// Runs the panel's queries for as long as it lives.
pub fn run_queries(
    context: Signal<Option<PanelContext>>,
    body_ref: NodeRef<Div>,
    targets: Vec<Target>,
    overrides: Vec<SeriesOverride>,
    kind: QueryKind,
    answer: PanelAnswer,
) {
    let QueryKind {
        is_text,
        is_table,
        single_value,
    } = kind;
    let PanelAnswer {
        data,
        result,
        query_window,
        busy,
        late,
        in_flight,
    } = answer;
    // The context of the queries on their way, and an auto-refresh that came
    // meanwhile (run once they are answered).
    let running = StoredValue::new_local(None::<PanelContext>);
    let next_refresh = StoredValue::new_local(None::<PanelContext>);
    // A notice while an answer is late; each attempt's timer only sets it if
    // that attempt is still the latest and unanswered.
    let attempt = StoredValue::new(0u32);
    Effect::new(move |_| {
        let Some(context) = context.get() else { return };
        // The step depends on the drawn width, so queries start once the body is in the page.
        let Some(body) = body_ref.get() else { return };
        if is_text {
            return;
        }
        // A refresh arriving while the previous answer is awaited runs after it
        // instead of replacing it: with answers slower than the refresh interval,
        // replacing would never show one, and every abandoned request would hold
        // one of the browser's few connections to Prometheus meanwhile.
        if running.with_value(|r| r.as_ref().is_some_and(|r| is_refresh_of(r, &context))) {
            next_refresh.set_value(Some(context));
            return;
        }
        next_refresh.set_value(None);
        running.set_value(Some(context.clone()));
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        if let Some(previous) = in_flight
            .try_update_value(|slot| std::mem::replace(slot, controller))
            .flatten()
        {
            previous.abort();
        }
        let (targets, overrides) = (targets.clone(), overrides.clone());
        busy.set(true);
        spawn_local(async move {
            let mut context = context;
            loop {
                let width = u32::try_from(body.client_width()).unwrap_or(0).max(100);
                let window = QueryWindow::for_range(context.range, width, MIN_STEP_SECONDS);
                // Single values and tables are evaluated at the range's real end, not the step grid.
                let evaluation_time = context.range.end_ms as f64 / 1000.0;
                let plan = if is_table {
                    QueryPlan::Instant {
                        at: evaluation_time,
                    }
                } else if single_value {
                    QueryPlan::RangeAndInstant {
                        at: evaluation_time,
                    }
                } else {
                    QueryPlan::Range
                };
                let Some(mine) = attempt.try_update_value(|n| {
                    *n += 1;
                    *n
                }) else {
                    return; // the panel is gone
                };
                let notice = slow_answer_notice(&context.datasource.to_string());
                set_timeout(
                    move || {
                        if attempt.try_get_value() == Some(mine) {
                            late.try_set(Some(notice));
                        }
                    },
                    Duration::from_millis(SLOW_ANSWER_MS.into()),
                );
                let outcome = context
                    .run_targets(&targets, &overrides, &window, plan, signal.as_ref())
                    .await;
                if signal.as_ref().is_some_and(AbortSignal::aborted) {
                    return; // superseded by a newer query
                }
                attempt.try_update_value(|n| *n += 1);
                late.try_set(None);
                query_window.try_set(Some(window));
                match outcome {
                    Ok(answer) => {
                        result.try_set(Some(answer));
                        data.try_set(PanelData::Ready);
                    }
                    Err(message) => {
                        result.try_set(None);
                        data.try_set(PanelData::Failed(message));
                    }
                }
                match next_refresh.try_update_value(Option::take).flatten() {
                    Some(next) => {
                        running.try_set_value(Some(next.clone()));
                        context = next;
                    }
                    None => break,
                }
            }
            running.try_set_value(None);
            busy.try_set(false);
        });
    });
}
