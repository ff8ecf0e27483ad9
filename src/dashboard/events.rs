//! The dashboard's events (change sources and annotation queries): loaded
//! once per range and refresh for all panels, offered as toggles in the
//! header, and drawn by every time-series panel (see `EventMarks`).

use crate::alerts::evaluation::stored_alert_history;
use crate::browser::clock::BrowserZone;
use crate::browser::prometheus_client::fetch_query_range;
use crate::dashboard::change_view;
use crate::dashboard::panel_context::PanelContext;
use crate::hooks::latest_load::LatestLoad;
use foresight_core::chart::event_marks::ChartEvent;
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::event_sources::{
    chart_events, event_queries, page_alert_events, page_alerts_source, source_shown, EventQuery,
    SourceEvents,
};
use foresight_core::model::url_state::ViewState;
use foresight_core::query::prometheus_response::QueryData;
use foresight_core::query::step::QueryWindow;
use leptos::prelude::*;

/// Width the event queries' step is chosen for: about a wide panel's.
const EVENT_QUERY_WIDTH_PX: u32 = 1200;

/// What every time-series panel reads to draw the events.
#[derive(Clone, Copy)]
pub struct DashboardEvents {
    /// The dashboard's sources, known before anything loads: the toggles
    /// stand in place from the first frame, so nothing below them jumps.
    pub queries: StoredValue<Vec<EventQuery>>,
    pub sources: RwSignal<Vec<SourceEvents>>,
    /// The shown sources' events, with their hover lines.
    pub visible: Memo<Vec<ChartEvent>>,
}

/// Runs one source's query over the page's range.
async fn load_source(context: &PanelContext, query: EventQuery) -> SourceEvents {
    let mut window = QueryWindow::for_range(
        context.range,
        EVENT_QUERY_WIDTH_PX,
        context.scrape_interval_seconds,
    );
    if let Some(step) = query.step.filter(|s| *s > window.step) {
        window = QueryWindow::for_range(context.range, EVENT_QUERY_WIDTH_PX, step);
    }
    let answer = match context.expand(&query.expr, &window) {
        Ok(expr) => fetch_query_range(&context.datasource, &expr, &window, None)
            .await
            .map_err(|e| e.to_string()),
        Err(problem) => Err(problem),
    };
    match answer.map(|a| a.data) {
        Ok(QueryData::Matrix(series)) => SourceEvents {
            events: query.events(&series, window.step),
            query,
            problem: None,
        },
        Ok(_) => SourceEvents {
            query,
            events: Vec::new(),
            problem: Some("the query did not return series".into()),
        },
        Err(problem) => SourceEvents {
            query,
            events: Vec::new(),
            problem: Some(problem),
        },
    }
}

/// Loads the events whenever the range, variables or datasource change (a
/// refresh moves the range), and provides them to the panels.
pub fn provide_dashboard_events(
    dashboard: StoredValue<Dashboard>,
    context: Memo<Option<PanelContext>>,
    view_state: RwSignal<ViewState>,
    state_namespace: String,
) -> DashboardEvents {
    let has_alerts = dashboard.with_value(|d| !d.evaluated_rules().is_empty());
    let namespace = StoredValue::new(state_namespace);
    let sources = RwSignal::new(Vec::<SourceEvents>::new());
    let load = LatestLoad::new();
    Effect::new(move |_| {
        let Some(context) = context.get() else {
            return;
        };
        let queries = dashboard.with_value(event_queries);
        // The page's own alerts, from what this browser kept of them.
        let page_alerts = has_alerts.then(|| {
            let (from, to) = (
                context.range.start_ms as f64 / 1000.0,
                context.range.end_ms as f64 / 1000.0,
            );
            let history = namespace.with_value(|n| stored_alert_history(n));
            SourceEvents {
                query: page_alerts_source(),
                events: page_alert_events(&history, from, to),
                problem: None,
            }
        });
        load.run(
            async move {
                let loads = queries
                    .into_iter()
                    .map(|query| load_source(&context, query));
                futures::future::join_all(loads).await
            },
            move |mut loaded| {
                loaded.extend(page_alerts);
                sources.set(loaded);
            },
        );
    });
    let shown = Memo::new(move |_| view_state.with(|s| s.events_shown.clone()));
    let visible = Memo::new(move |_| {
        sources.with(|all| {
            shown.with(|shown| chart_events(all, shown, |t| format_local_datetime(t, &BrowserZone)))
        })
    });
    let mut listed = dashboard.with_value(event_queries);
    if has_alerts {
        listed.push(page_alerts_source());
    }
    let events = DashboardEvents {
        queries: StoredValue::new(listed),
        sources,
        visible,
    };
    provide_context(events);
    events
}

/// A switch per event source, with its count (once loaded) and colour; a
/// failed source says why in its hover text.
#[component]
pub fn EventToggles(events: DashboardEvents, view_state: RwSignal<ViewState>) -> impl IntoView {
    let toggles: Vec<_> = events.queries.with_value(|queries| {
        queries
            .iter()
            .map(|query| {
                let id = query.id.clone();
                let loaded = {
                    let id = id.clone();
                    move || events.sources.with(|all| all.iter().find(|s| s.query.id == id).map(|s| (s.events.len(), s.problem.clone())))
                };
                let shown = {
                    let id = id.clone();
                    move || view_state.with(|s| source_shown(&id, &s.events_shown))
                };
                let (r, g, b) = query.rgb;
                let (label, expr) = (query.label.clone(), query.expr.clone());
                let hint = {
                    let loaded = loaded.clone();
                    move || match loaded() {
                        Some((_, Some(problem))) => problem,
                        Some((count, None)) => format!("{count} in this range; {expr}"),
                        None => format!("loading; {expr}"),
                    }
                };
                let count_text = {
                    let loaded = loaded.clone();
                    move || loaded().map_or_else(|| "…".to_string(), |(count, _)| count.to_string())
                };
                let count_attribute = {
                    let loaded = loaded.clone();
                    move || loaded().map(|(count, _)| count.to_string())
                };
                let failed = move || loaded().is_some_and(|(_, problem)| problem.is_some());
                let toggle = move |ev: leptos::ev::Event| {
                    let on = event_target_checked(&ev);
                    let id = id.clone();
                    change_view(view_state, &move |s: &mut ViewState| {
                        // The default (shown) is not written into the link.
                        if on {
                            s.events_shown.remove(&id);
                        } else {
                            s.events_shown.insert(id.clone(), false);
                        }
                    });
                };
                view! {
                    <label class="event-toggle" title=hint data-event-source=query.id.clone()
                        data-event-count=count_attribute class:failed=failed>
                        <input type="checkbox" prop:checked=shown on:change=toggle />
                        <span class="swatch" style:background-color=format!("rgb({r}, {g}, {b})")></span>
                        {label}" ("{count_text}")"
                    </label>
                }
            })
            .collect()
    });
    (!toggles.is_empty()).then(|| {
        view! { <div class="event-toggles" role="group" aria-label="Events on the charts">{toggles}</div> }
    })
}
