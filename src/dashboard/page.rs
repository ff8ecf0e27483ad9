//! A loaded dashboard: header controls (datasource, variables, time range,
//! refresh, share) and the panel grid. Panels stay in place when their inputs
//! change; each asks again, aborting its request in flight.

use crate::alerts::view::AlertsView;
use crate::browser::clock::now_ms;
use crate::browser::location::default_datasource;
use crate::browser::prometheus_client::DatasourceEngine;
use crate::dashboard::change_view;
use crate::dashboard::datasource_status::DatasourceStatus;
use crate::dashboard::events::EventToggles;
use crate::dashboard::grid::PanelGrid;
use crate::dashboard::panel_context::PanelContext;
use crate::dashboard::picker::DashboardPicker;
use crate::dashboard::related_view::RelatedMoves;
use crate::dashboard::share::ShareButtons;
use crate::dashboard::time_controls::{range_label, TimeControls};
use crate::dashboard::variables::{load_variables, DashboardVariables, VariablePickers};
use crate::editor::panel_editor::PanelEditing;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::{Dashboard, DashboardListing};
use foresight_core::model::dashboard_choice::DashboardAvailability;
use foresight_core::model::datasource::choose_datasource;
use foresight_core::model::refresh::parse_refresh;
use foresight_core::model::url_state::ViewState;
use foresight_core::model::what_else_moved::RelatedQuestion;
use foresight_core::query::engine::DatasourceReport;
use foresight_core::query::time_range::{TimeExpression, TimeRange};
use leptos::prelude::*;
use std::time::Duration;

/// The variable values of the dashboard on screen, as its panels use them:
/// written by the page, read by whoever provides it (the app, to prefill an
/// alert rule from a panel).
#[derive(Clone, Copy)]
pub struct CurrentVariables(
    pub RwSignal<SortedMap<String, foresight_core::query::template_variables::VariableValue>>,
);

#[component]
pub fn DashboardPage(
    dashboard: Dashboard,
    view_state: RwSignal<ViewState>,
    /// Shipped dashboards to offer in the picker (may be empty).
    #[prop(optional)]
    listings: Signal<Vec<DashboardListing>>,
    /// Which of them have data on this server (empty when unknown).
    #[prop(optional)]
    availability: Signal<Vec<DashboardAvailability>>,
    start_ms: i64,
    /// While editing: per-panel controls on the grid.
    #[prop(optional, into)]
    editing: Signal<Option<PanelEditing>>,
    /// A dashboard from outside the viewer has not accepted: only a confirmed
    /// datasource is read, and refresh is no faster than the floor.
    #[prop(optional)]
    inert: bool,
    /// Where its alert state lives (see `trust::alert_state_namespace`).
    state_namespace: String,
    /// Where a dashboard from outside came from (`Provenance::outside_label`).
    #[prop(default = None)]
    from_outside: Option<&'static str>,
) -> impl IntoView {
    let dashboard = StoredValue::new(dashboard);
    // A backtest's episodes, shaded on every time-series panel.
    provide_context(RwSignal::new(None::<crate::alerts::AlertAnnotations>));
    // Validated when the dashboard was read; a stored one that predates a rule
    // still gets a range.
    let default_from = dashboard.with_value(|d| {
        TimeExpression::parse(&d.time.from)
            .unwrap_or_else(|_| TimeExpression::now_minus_seconds(6 * 3600))
    });
    let default_to = dashboard.with_value(|d| {
        TimeExpression::parse(&d.time.to).unwrap_or_else(|_| TimeExpression::now())
    });
    let refresh_tick = RwSignal::new(0u32);
    // Switching a panel's overlays or opening a row changes the link but must
    // not re-query the dashboard.
    let navigation = Memo::new(move |_| {
        view_state.with(|s| ViewState {
            panel_overlays: SortedMap::new(),
            row_collapsed: SortedMap::new(),
            events_shown: SortedMap::new(),
            ..s.clone()
        })
    });
    let now = Memo::new(move |previous: Option<&i64>| {
        refresh_tick.track();
        navigation.track();
        if previous.is_none() {
            start_ms
        } else {
            now_ms()
        }
    });
    let datasource = Memo::new(move |_| {
        let chosen = view_state.with(|s| {
            dashboard.with_value(|d| {
                choose_datasource(
                    s.datasource.as_ref(),
                    d.datasource.as_deref(),
                    &d.datasource_options,
                    default_datasource(),
                )
            })
        });
        let permitted = !inert || crate::trust_banner::datasource_confirmed(&chosen);
        if permitted {
            chosen
        } else {
            default_datasource()
        }
    });

    let (fallback_from, fallback_to) = (default_from.clone(), default_to.clone());
    // The absolute link freezes the same defaults.
    let (share_from, share_to) = (default_from.clone(), default_to.clone());
    let time_range = Memo::new(move |_| {
        view_state.with(|s| TimeRange {
            from: s.from.clone().unwrap_or_else(|| default_from.clone()),
            to: s.to.clone().unwrap_or_else(|| default_to.clone()),
        })
    });
    let resolution = Memo::new(move |_| {
        let fallback = TimeRange {
            from: fallback_from.clone(),
            to: fallback_to.clone(),
        };
        time_range.get().resolve_or_fallback(&fallback, now.get())
    });
    let resolved = Memo::new(move |_| resolution.with(|(range, _)| *range));
    let range_problem = Memo::new(move |_| resolution.with(|(_, problem)| problem.clone()));

    // What the datasource turns out to be, for everything that adapts to it.
    let engine_report = RwSignal::new(None::<DatasourceReport>);
    provide_context(DatasourceEngine(engine_report));
    let variables = load_variables(dashboard, view_state, datasource, resolved, refresh_tick);
    let DashboardVariables {
        notes: variable_notes,
        values: variable_values,
        ..
    } = variables;
    if let Some(current) = use_context::<CurrentVariables>() {
        Effect::new(move |_| {
            if let Some(values) = variable_values.get() {
                current.0.set(values);
            }
        });
    }
    let range_cache = StoredValue::new(SortedMap::new());
    let hover_time = RwSignal::new(None::<f64>);
    let zoom_request = RwSignal::new(None::<(f64, f64)>);
    let context = Memo::new(move |_| {
        Some(PanelContext {
            hover_time,
            zoom_request,
            datasource: datasource.get(),
            range: resolved.get(),
            variables: variable_values.get()?,
            scrape_interval_seconds: dashboard.with_value(|d| d.scrape_interval_seconds),
            range_cache,
        })
    });

    let events = crate::dashboard::events::provide_dashboard_events(
        dashboard,
        context,
        view_state,
        state_namespace.clone(),
    );
    // "What else moved?", asked from a chart's anomaly or Shift-drag, or a firing alert.
    let related_question = RwSignal::new(None::<RelatedQuestion>);
    provide_context(related_question);
    // The alerts' store, shared with "What else moved?", whose remediation
    // runs are kept in the same history.
    let alert_store = dashboard.with_value(|d| {
        let drop_earlier_rules = editing.with_untracked(Option::is_none);
        crate::alerts::evaluation::AlertStore::open(
            &state_namespace,
            &d.evaluated_rules(),
            drop_earlier_rules,
        )
    });

    // Auto-refresh, paused while the tab is hidden.
    let refresh = Memo::new(move |_| {
        let chosen = view_state
            .with(|s| s.refresh.clone())
            .unwrap_or_else(|| dashboard.with_value(|d| d.refresh.clone()));
        if inert {
            foresight_core::model::trust::bounded_refresh(&chosen)
        } else {
            chosen
        }
    });
    Effect::new(move |_| {
        let Some(seconds) = parse_refresh(&refresh.get()) else {
            return;
        };
        let tick = move || {
            if !document().hidden() {
                refresh_tick.update(|n| *n += 1);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, Duration::from_secs(u64::from(seconds)))
        {
            on_cleanup(move || handle.clear());
        }
    });

    let change = move |update: &dyn Fn(&mut ViewState)| change_view(view_state, update);

    // Drag-to-zoom on any chart, and the zoom-out button: absolute ranges in the URL.
    let zoom_to = move |start_seconds: f64, end_seconds: f64| {
        let (from, to) = (
            (start_seconds * 1000.0).round() as i64,
            (end_seconds * 1000.0).round() as i64,
        );
        if to > from {
            change(&move |s: &mut ViewState| {
                s.from = Some(TimeExpression::Absolute { epoch_ms: from });
                s.to = Some(TimeExpression::Absolute { epoch_ms: to });
            });
        }
    };
    Effect::new(move |_| {
        if let Some((start, end)) = zoom_request.get() {
            zoom_request.set(None);
            zoom_to(start, end);
        }
    });
    let zoom_out = move |()| {
        let range = resolved.get_untracked();
        let (start, end) = (range.start_ms as f64 / 1000.0, range.end_ms as f64 / 1000.0);
        let half = end - start;
        zoom_to(
            start - half / 2.0,
            (end + half / 2.0)
                .min(now_ms() as f64 / 1000.0)
                .max(start + half),
        );
    };

    let range_label = move || range_label(&time_range.get());
    // At the "now" edge: an engine that does not show its newest seconds yet
    // (VictoriaMetrics's latency offset) would otherwise look like a dip.
    let recent_hidden = move || {
        let hidden = engine_report.with(|r| {
            r.as_ref()
                .map_or(0.0, |r| r.effective_engine().hidden_recent_seconds())
        });
        let name = engine_report.with(|r| r.as_ref().map(|r| r.effective_engine().name()));
        let at_now = resolved.with(|r| r.end_ms as f64 >= now_ms() as f64 - 2.0 * hidden * 1000.0);
        (hidden > 0.0 && at_now).then(|| {
            view! {
                <span class="recent-hidden" data-testid="recent-hidden" title="The engine hides samples this recent, which may still be arriving">
                    {format!(" · the newest {hidden:.0} s are not shown yet ({})", name.unwrap_or_default())}
                </span>
            }
        })
    };
    let custom_problem = RwSignal::new(None::<String>);
    let title = dashboard.with_value(|d| d.title.clone());
    // One from outside is none of the listed ones, whatever its id says.
    let current_id = match from_outside {
        Some(_) => String::new(),
        None => dashboard.with_value(|d| d.id.clone()),
    };
    let alerts = {
        let (rules, notify, notes) =
            dashboard.with_value(|d| (d.evaluated_rules(), d.notify.clone(), d.unevaluated_slos()));
        view! { <AlertsView state_namespace=state_namespace rules=rules notes=notes notify=notify store=alert_store datasource=Signal::derive(move || datasource.get()) range=Signal::derive(move || resolved.get()) on_edit=Signal::derive(move || editing.get().map(|e| e.apply)) /> }
    };
    view! {
        <header class="topbar">
            <h1 data-testid="dashboard-title">{title.clone()}</h1>
            {from_outside.map(|label| view! { <span class="provenance" data-testid="provenance">{label}</span> })}
            <DashboardPicker listings=listings availability=availability current_id=current_id current_title=title view_state=view_state />
            {move || view! { <DatasourceStatus datasource=datasource.get() report=engine_report /> }}
            <div class="controls">
                <VariablePickers dashboard=dashboard variables=variables view_state=view_state />
                <TimeControls
                    view_state=view_state
                    time_range=time_range
                    refresh=refresh
                    zoom_out=Callback::new(zoom_out)
                    custom_problem=custom_problem
                />
                <ShareButtons view_state=view_state default_range=(share_from, share_to) />
            </div>
            <span class="time-range" data-testid="time-range">{range_label}{recent_hidden}</span>
            <EventToggles events=events view_state=view_state />
        </header>
        {move || custom_problem.get().or_else(|| range_problem.get()).map(|p| view! { <div class="url-problems" role="alert">{p}</div> })}
        {move || {
            let notes = variable_notes.get();
            (!notes.is_empty()).then(|| view! {
                <div class="url-problems" role="alert" data-testid="variable-notes">
                    <ul>{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect::<Vec<_>>()}</ul>
                </div>
            })
        }}
        <RelatedMoves dashboard=dashboard context=context view_state=view_state question=related_question alert_store=alert_store />
        <main class="dashboard-grid">
            <PanelGrid dashboard=dashboard view_state=view_state context=context editing=editing />
        </main>
        {alerts}
    }
}
