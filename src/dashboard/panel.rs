//! One dashboard panel: runs its queries once its body has a width (the step
//! follows the pixel width), cancels them when it goes away, and shows loading,
//! error (with Prometheus's message, announced as an alert), no-data and ok
//! states without affecting other panels. An auto-refresh never abandons an
//! answer still on its way, and an answer that is late gets a notice
//! (`data-testid="late-answer"`) until it comes or the page gives up on it.
//! Test hooks on the root: `data-panel`, `data-state`, `data-type`, and the
//! query window (`data-start`, `data-end`, `data-step`).

use crate::dashboard::panel_context::{PanelContext, PanelResult, QueryPlan};
use crate::dashboard::panels::{
    reduced_values, BarGaugeBody, GaugeBody, HeatmapBody, StatBody, TableBody, TextBody,
    TimeSeriesBody,
};
use foresight_core::analytics::baseline::{baseline_query_window, shift_series};
use foresight_core::analytics::panel_overlays::{axis_end, BaselineReference};
use foresight_core::model::dashboard::{
    ForesightOptions, OverlayToggles, Panel, PanelKind, Reducer,
};
use foresight_core::query::fetch_failure::{slow_answer_notice, SLOW_ANSWER_MS};
use foresight_core::query::step::QueryWindow;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use web_sys::{AbortController, AbortSignal};

/// Smallest step asked for, in seconds.
const MIN_STEP_SECONDS: f64 = 1.0;

/// Where the panel's query stands; the answer itself is kept once, in the
/// panel's `result` signal, which the bodies read by reference.
#[derive(Debug, Clone, PartialEq)]
pub enum PanelData {
    Loading,
    Ready,
    Failed(String),
}

/// Whether `next` is an auto-refresh of `current`: the same queries over a
/// window of the same length that only moved on in time.
fn is_refresh_of(current: &PanelContext, next: &PanelContext) -> bool {
    let (now, then) = (&next.range, &current.range);
    now.end_ms >= then.end_ms
        && now.end_ms - now.start_ms == then.end_ms - then.start_ms
        && PanelContext {
            range: *then,
            ..next.clone()
        } == *current
}

/// Whether the panel has something to show: single-value panels need a value at
/// the end of the window, others any finite sample in it.
fn panel_has_values(kind: &PanelKind, result: &PanelResult, window_end: f64) -> bool {
    match kind {
        PanelKind::Stat { reduce, .. }
        | PanelKind::Gauge { reduce }
        | PanelKind::Bargauge { reduce } => !reduced_values(result, *reduce, window_end).is_empty(),
        _ => {
            result.series.iter().any(|s| s.series.stats().is_some())
                || result.samples.iter().any(|s| s.sample.value.is_finite())
        }
    }
}

#[component]
pub fn DashboardPanel(
    panel: Panel,
    /// The panel re-queries whenever this changes (range, variables, refresh),
    /// keeping its current drawing until the new answer arrives.
    context: Signal<Option<PanelContext>>,
    /// The viewer's overlay switches for this panel (from the link), if any.
    overlay_override: Signal<Option<OverlayToggles>>,
    /// Called when the viewer switches overlays.
    on_overlays: Callback<OverlayToggles>,
) -> impl IntoView {
    let body_ref = NodeRef::<Div>::new();
    let is_text = matches!(panel.kind, PanelKind::Text { .. });
    let data = RwSignal::new(if is_text {
        PanelData::Ready
    } else {
        PanelData::Loading
    });
    let result = RwSignal::new(is_text.then(PanelResult::default));
    let query_window = RwSignal::new(None::<QueryWindow>);
    let drawn = RwSignal::new(false);
    let draws_on_canvas = match &panel.kind {
        PanelKind::Timeseries { .. } | PanelKind::Heatmap => true,
        PanelKind::Stat { sparkline, .. } => *sparkline,
        _ => false,
    };
    // The request in flight; a newer one aborts it. `busy` is shown as aria-busy.
    let in_flight = StoredValue::new_local(None::<AbortController>);
    let busy = RwSignal::new(!is_text);

    let targets = panel.targets.clone();
    let single_value = matches!(
        panel.kind,
        PanelKind::Stat {
            reduce: Reducer::Last,
            ..
        } | PanelKind::Gauge {
            reduce: Reducer::Last
        } | PanelKind::Bargauge {
            reduce: Reducer::Last
        }
    );
    let is_table = matches!(panel.kind, PanelKind::Table);
    // Overlays: the dashboard's own, or the viewer's switches.
    let own_foresight = match &panel.kind {
        PanelKind::Timeseries { foresight, .. } => Some(foresight.clone()),
        _ => None,
    };
    let foresight = Memo::new(move |_| {
        own_foresight
            .as_ref()
            .map(|own| match overlay_override.get() {
                Some(toggles) => own.with_toggles(toggles),
                None => own.clone(),
            })
    });
    // What the baseline query depends on: its kind and how far the axis reaches.
    let baseline_plan = Memo::new(move |_| {
        foresight.with(|f| {
            let f = f.as_ref()?;
            let reach = ForesightOptions {
                forecast: f.forecast,
                forecast_horizon: f.forecast_horizon.clone(),
                ..ForesightOptions::default()
            };
            Some((f.baseline?, reach))
        })
    });
    let reference = RwSignal::new(None::<BaselineReference>);
    let reference_in_flight = StoredValue::new_local(None::<AbortController>);
    let reference_busy = RwSignal::new(false);
    let reference_targets = panel.targets.clone();
    // The baseline's extra query follows the panel's window (set after each answer).
    Effect::new(move |_| {
        let plan = baseline_plan.get();
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
    // The context of the queries on their way, and an auto-refresh that came
    // meanwhile (run once they are answered).
    let running = StoredValue::new_local(None::<PanelContext>);
    let next_refresh = StoredValue::new_local(None::<PanelContext>);
    // A notice while an answer is late; each attempt's timer only sets it if
    // that attempt is still the latest and unanswered.
    let late = RwSignal::new(None::<String>);
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
        let targets = targets.clone();
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
                    .run_targets(&targets, &window, plan, signal.as_ref())
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
    on_cleanup(move || {
        in_flight.try_with_value(|controller| controller.as_ref().map(AbortController::abort));
        reference_in_flight
            .try_with_value(|controller| controller.as_ref().map(AbortController::abort));
    });

    let kind = panel.kind.clone();
    let has_values = Signal::derive(move || {
        let end = query_window.get().map_or(f64::INFINITY, |w| w.end);
        data.with(|d| *d == PanelData::Ready)
            && result.with(|r| r.as_ref().is_some_and(|r| panel_has_values(&kind, r, end)))
    });
    let state = move || {
        data.with(|d| match d {
            PanelData::Loading => "loading",
            PanelData::Failed(_) => "error",
            PanelData::Ready if is_text => "ok",
            PanelData::Ready if !has_values.get() => "nodata",
            PanelData::Ready if draws_on_canvas && !drawn.get() => "loading",
            PanelData::Ready => "ok",
        })
    };
    // A performance mark when the panel settles, so load time can be measured
    // from navigation start (see the dashboard end-to-end test).
    let mark_name = format!("foresight:panel-settled:{}", panel.id);
    Effect::new(move |marked: Option<bool>| {
        if marked == Some(true) || state() == "loading" {
            return marked.unwrap_or(false);
        }
        if let Some(performance) = window().performance() {
            let _ = performance.mark(&mark_name);
        }
        true
    });
    let no_value_text = match &panel.kind {
        PanelKind::Stat {
            no_value_text: Some(text),
            ..
        } => text.clone(),
        _ => "No data in this time range".to_string(),
    };
    let message = move || {
        data.with(|d| match d {
            PanelData::Loading => Some("Loading…".to_string()),
            PanelData::Failed(message) => Some(message.clone()),
            PanelData::Ready if !is_text && !has_values.get() => Some(no_value_text.clone()),
            PanelData::Ready => None,
        })
    };
    // A failure is announced at once; loading and "no data" are not urgent.
    let failure_role = move || {
        data.with(|d| {
            if matches!(d, PanelData::Failed(_)) {
                "alert"
            } else {
                "status"
            }
        })
    };
    let warnings = move || {
        result.with(|r| {
            r.as_ref().filter(|r| !r.warnings.is_empty()).map(|r| {
                view! { <p class="warnings">{format!("Prometheus warns: {}", r.warnings.join("; "))}</p> }
            })
        })
    };
    // Bodies borrow the one stored answer; nothing clones it per read (hover included).
    let result: Signal<Option<PanelResult>> = result.into();
    let window_attr = move |pick: fn(&QueryWindow) -> f64| {
        move || query_window.get().map(|w| pick(&w).to_string())
    };
    let queries = move || result.with(|r| r.as_ref().map(|r| r.queries.join("\n")));
    let body = {
        let panel = panel.clone();
        let context = context
            .get_untracked()
            .expect("panels are created once their context exists");
        let window = Signal::derive(move || query_window.get());
        match panel.kind.clone() {
            PanelKind::Timeseries { style, zero_line, .. } => {
                let foresight = Signal::derive(move || foresight.get().unwrap_or_default());
                let reference = reference.into();
                view! { <TimeSeriesBody panel=panel context=context result=result window=window drawn=drawn style=style zero_line=zero_line foresight=foresight reference=reference on_overlays=on_overlays /> }.into_any()
            }
            PanelKind::Stat { reduce, sparkline, .. } => {
                view! { <StatBody panel=panel result=result window=window drawn=drawn reduce=reduce sparkline=sparkline /> }.into_any()
            }
            PanelKind::Gauge { reduce } => view! { <GaugeBody panel=panel result=result window=window reduce=reduce /> }.into_any(),
            PanelKind::Bargauge { reduce } => {
                view! { <BarGaugeBody panel=panel result=result window=window reduce=reduce /> }.into_any()
            }
            PanelKind::Table => view! { <TableBody panel=panel result=result /> }.into_any(),
            PanelKind::Heatmap => {
                view! { <HeatmapBody panel=panel result=result window=window drawn=drawn /> }.into_any()
            }
            PanelKind::Text { content } => view! { <TextBody content=content /> }.into_any(),
        }
    };

    view! {
        <section
            class="panel"
            data-panel=panel.id.clone()
            data-type=panel.kind.type_id()
            data-state=state
            aria-busy=move || (busy.get() || reference_busy.get()).to_string()
            data-query=queries
            data-start=window_attr(|w| w.start)
            data-end=window_attr(|w| w.end)
            data-step=window_attr(|w| w.step)
            data-evaluated-at=move || result.with(|r| r.as_ref().and_then(|r| r.evaluated_at).map(|t| t.to_string()))
        >
            <h2 title=panel.description.clone()>{panel.title.clone()}</h2>
            <div class="panel-body" node_ref=body_ref>
                {body}
                {move || message().map(|text| view! { <div class="message" role=failure_role>{text}</div> })}
            </div>
            {warnings}
            {move || late.get().map(|text| view! { <p class="warnings" role="status" data-testid="late-answer">{text}</p> })}
        </section>
    }
}
