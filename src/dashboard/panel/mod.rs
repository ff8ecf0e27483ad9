//! One dashboard panel: runs its queries once its body has a width (the step
//! follows the pixel width), cancels them when it goes away, and shows loading,
//! error (with Prometheus's message, announced as an alert), no-data and ok
//! states without affecting other panels. An auto-refresh never abandons an
//! answer still on its way, and an answer that is late gets a notice
//! (`data-testid="late-answer"`) until it comes or the page gives up on it.
//! Test hooks on the root: `data-panel`, `data-state`, `data-type`, and the
//! query window (`data-start`, `data-end`, `data-step`).

mod baseline;
mod queries;

use crate::dashboard::panel_context::{shown_title, PanelContext, PanelResult};
use crate::dashboard::panels::{
    burn_down_result, reduced_values, BarGaugeBody, GaugeBody, HeatmapBody, SloBody, StatBody,
    TableBody, TextBody, TimeSeriesBody,
};
use baseline::{follow_baseline, BaselineQuery};
use foresight_core::alerting::slo::Slo;
use foresight_core::foundation::units::Unit;
use foresight_core::model::dashboard::{
    ForesightOptions, OverlayToggles, Panel, PanelKind, Reducer,
};
use foresight_core::model::dashboard::{LegendOptions, LineStyle, SloShow};
use foresight_core::model::slo_panel::{slo_panel_range, slo_panel_targets};
use foresight_core::query::step::QueryWindow;
use foresight_core::query::template_variables::interpolate_text;

use leptos::html::Div;
use leptos::prelude::*;
use queries::{run_queries, PanelAnswer, QueryKind};
use web_sys::AbortController;

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
        && now.end_ms.wrapping_sub(now.start_ms) == then.end_ms.wrapping_sub(then.start_ms)
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
        | PanelKind::Bargauge { reduce, .. } => {
            !reduced_values(result, *reduce, window_end).is_empty()
        }
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
    /// The SLOs an SLO panel shows (see `slos_shown`); empty for other panels.
    #[prop(optional)]
    slos: Vec<Slo>,
) -> impl IntoView {
    // An SLO's burn-down spans the SLO's period, whatever the dashboard's range.
    let context = {
        let (kind, slos) = (panel.kind.clone(), slos.clone());
        Signal::derive(move || {
            context.get().map(|c| PanelContext {
                range: slo_panel_range(&kind, &slos, c.range),
                ..c
            })
        })
    };
    let is_burn_down = matches!(
        panel.kind,
        PanelKind::Slo {
            show: SloShow::BurnDown,
            ..
        }
    );
    let body_ref = NodeRef::<Div>::new();
    let is_text = !panel.kind.queries_data();
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
        _ => is_burn_down,
    };
    // The request in flight; a newer one aborts it. `busy` is shown as aria-busy.
    let in_flight = StoredValue::new_local(None::<AbortController>);
    let busy = RwSignal::new(!is_text);

    let targets = slo_panel_targets(&panel.kind, &slos).unwrap_or_else(|| panel.targets.clone());
    let single_value = matches!(
        panel.kind,
        PanelKind::Stat {
            reduce: Reducer::Last,
            ..
        } | PanelKind::Gauge {
            reduce: Reducer::Last
        } | PanelKind::Bargauge {
            reduce: Reducer::Last,
            ..
        }
    );
    let is_table = matches!(panel.kind, PanelKind::Table)
        || matches!(panel.kind, PanelKind::Slo { .. }) && !is_burn_down;
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
    let BaselineQuery {
        reference,
        busy: reference_busy,
        in_flight: reference_in_flight,
    } = follow_baseline(baseline_plan, query_window, context, panel.targets.clone());
    let late = RwSignal::new(None::<String>);
    run_queries(
        context,
        body_ref,
        targets.clone(),
        panel.overrides.clone(),
        QueryKind {
            is_text,
            is_table,
            single_value,
        },
        PanelAnswer {
            data,
            result,
            query_window,
            busy,
            late,
            in_flight,
        },
    );
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
                view! { <p class="warnings" data-testid="answer-warnings">{format!("The datasource warns: {}", r.warnings.join("; "))}</p> }
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
            PanelKind::Timeseries { style, zero_line, legend, .. } => {
                let foresight = Signal::derive(move || foresight.get().unwrap_or_default());
                let reference = reference.into();
                view! { <TimeSeriesBody panel=panel context=context result=result window=window drawn=drawn style=style zero_line=zero_line legend=legend foresight=foresight reference=reference on_overlays=on_overlays /> }.into_any()
            }
            PanelKind::Stat { reduce, sparkline, .. } => {
                view! { <StatBody panel=panel result=result window=window drawn=drawn reduce=reduce sparkline=sparkline /> }.into_any()
            }
            PanelKind::Gauge { reduce } => {
                // A gauge is named by its title when its series has no labels: the title as shown.
                let panel = Panel { title: interpolate_text(&panel.title, &context.variables), ..panel };
                view! { <GaugeBody panel=panel result=result window=window reduce=reduce /> }.into_any()
            }
            PanelKind::Bargauge { reduce, display, orientation } => {
                view! { <BarGaugeBody panel=panel result=result window=window reduce=reduce display=display orientation=orientation /> }.into_any()
            }
            PanelKind::Table => view! { <TableBody panel=panel result=result /> }.into_any(),
            PanelKind::Heatmap => {
                view! { <HeatmapBody panel=panel result=result window=window drawn=drawn /> }.into_any()
            }
            PanelKind::Text { content } => view! { <TextBody content=content /> }.into_any(),
            // Rows are drawn by the grid as headings, never as panels.
            PanelKind::Row { .. } => ().into_any(),
            PanelKind::Slo { .. } if targets.is_empty() => {
                view! { <p class="message" role="status">"This panel's SLO is not defined, or has problems: see the rules dialog."</p> }.into_any()
            }
            PanelKind::Slo { show: SloShow::BurnDown, .. } => {
                let slo = slos[0].clone();
                let drawn_result = Signal::derive(move || {
                    result.with(|r| r.as_ref().map(|r| burn_down_result(&slo, r, query_window.get())))
                });
                let panel = Panel { unit: Unit::Percent, decimals: Some(1), ..panel };
                let foresight = Signal::derive(ForesightOptions::default);
                let reference = Signal::derive(|| None);
                view! { <TimeSeriesBody panel=panel context=context result=drawn_result window=window drawn=drawn style=LineStyle::Lines zero_line=true legend=LegendOptions::default() foresight=foresight reference=reference on_overlays=on_overlays plain=true /> }.into_any()
            }
            PanelKind::Slo { show, .. } => view! { <SloBody slos=slos.clone() show=show result=result /> }.into_any(),
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
            <h2 title=panel.description.clone()>{shown_title(panel.title.clone(), context)}</h2>
            <div class="panel-body" node_ref=body_ref tabindex=is_text.then_some("0")>
                {body}
                {move || message().map(|text| view! { <div class="message" role=failure_role>{text}</div> })}
            </div>
            {warnings}
            {move || late.get().map(|text| view! { <p class="warnings" role="status" data-testid="late-answer">{text}</p> })}
        </section>
    }
}
