//! Runs "What else moved?" in the page: the dashboard's panel queries, the
//! metrics discovered through the incident's identifying labels (its `job`
//! and `instance`, and its series' other labels), and the change sources, at
//! most a budget of queries, a few at a time; the ranking is redone as each
//! answer lands, so results appear as they come. A newer question or Cancel
//! makes the running one stale and aborts its requests.

use crate::browser::clock::now_ms;
use crate::browser::prometheus_client::{fetch_all_metadata, fetch_query_range, fetch_series};
use crate::dashboard::panel_context::PanelContext;
use crate::hooks::latest_load::{LatestLoad, LoadTicket};
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::event_sources::{event_queries, EventQuery, SourceEvents};
use foresight_core::model::related_series::{
    candidate_queries, declared_types, discovered_metrics, discovery_selectors, selector,
};
use foresight_core::model::what_else_moved::{
    add_candidates, candidate_range_start, what_else_moved, Candidate, RelatedQuestion,
    RelatedReport, CANDIDATE_STEP_SECONDS, MAX_CANDIDATES,
};
use foresight_core::query::prometheus_response::QueryData;
use foresight_core::query::step::QueryWindow;
use foresight_core::query::template_variables::VariableValue;
use futures::stream::{FuturesUnordered, StreamExt};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Requests in flight at once: the datasource is shared with the panels.
const CONCURRENT_QUERIES: usize = 4;
/// Change events are looked for this long before the window.
const EVENT_LOOKBACK_SECONDS: f64 = 3600.0;

/// What the page shows while and after the question is answered.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RelatedState {
    pub candidates: Vec<Candidate>,
    pub events: Vec<SourceEvents>,
    pub report: RelatedReport,
    pub planned: usize,
    pub done: usize,
    pub failed: Vec<String>,
    /// What was left out on purpose (a series list cut to its first part).
    pub notes: Vec<String>,
    /// Series answered past the number that is ranked, left out.
    pub candidates_left_out: usize,
    pub finished: bool,
    pub cancelled: bool,
    /// Milliseconds from the question to the first and the last answer.
    pub first_answer_ms: Option<f64>,
    pub last_answer_ms: Option<f64>,
    pub step: f64,
}

/// One query of the plan.
enum Planned {
    Panel { origin: String, expr: String },
    Discovered { origin: String, expr: String },
    Event(EventQuery),
}

/// The labels that find the incident's processes: its own `job` and
/// `instance`, else the dashboard's variables of those names (one value).
fn identifying(
    question: &RelatedQuestion,
    variables: &SortedMap<String, VariableValue>,
) -> SortedMap<String, String> {
    let mut found = SortedMap::new();
    for name in ["job", "instance"] {
        let value = question
            .labels
            .get(name)
            .cloned()
            .or_else(|| match variables.get(name) {
                Some(VariableValue::Single(value)) if !value.is_empty() => Some(value.clone()),
                _ => None,
            });
        if let Some(value) = value {
            found.insert(name.to_string(), value);
        }
    }
    found
}

/// Starts answering `question`; `state` follows the answers.
pub fn ask(
    question: RelatedQuestion,
    dashboard: &Dashboard,
    context: PanelContext,
    budget: usize,
    load: LatestLoad,
    state: RwSignal<Option<RelatedState>>,
) {
    let ticket = load.start();
    let started = now_ms() as f64;
    let range_start = candidate_range_start(question.window);
    let span_ms = ((question.window.1 - range_start) * 1000.0) as i64;
    let mut window = QueryWindow::for_range(
        foresight_core::query::time_range::ResolvedRange {
            start_ms: (range_start * 1000.0) as i64,
            end_ms: ((range_start * 1000.0) as i64).saturating_add(span_ms),
        },
        600,
        CANDIDATE_STEP_SECONDS.max(context.scrape_interval_seconds),
    );
    window.end = window.end.max(question.window.1);
    let mut plan: Vec<Planned> = Vec::new();
    for panel in dashboard.panels.iter().filter(|p| p.kind.queries_data()) {
        for target in panel.targets.iter().filter(|t| !t.instant) {
            if let Ok(expr) = context.expand(&target.expr, &window) {
                plan.push(Planned::Panel {
                    origin: format!("panel {}", panel.title),
                    expr,
                });
            }
        }
    }
    plan.extend(event_queries(dashboard).into_iter().map(Planned::Event));
    plan.truncate(budget);
    let identifying = identifying(&question, &context.variables);
    let selectors = discovery_selectors(&identifying, &question.labels);
    // Discovery is two requests: the series list and the declared types.
    let discovery_requests = if selectors.is_empty() { 0 } else { 2 };
    state.set(Some(RelatedState {
        planned: plan.len() + discovery_requests,
        step: window.step,
        ..RelatedState::default()
    }));
    spawn_local(async move {
        let abort = web_sys::AbortController::new().ok();
        let signal = abort.as_ref().map(|a| a.signal());
        let stale = move |ticket: &LoadTicket| !ticket.is_newest();
        // Discovery first: its queries join the plan within the budget.
        if !selectors.is_empty() {
            let matchers: Vec<String> = selectors.iter().map(selector).collect();
            let (listed, metadata) = futures::join!(
                fetch_series(&context.datasource, &matchers, range_start, window.end),
                fetch_all_metadata(&context.datasource)
            );
            if stale(&ticket) {
                return;
            }
            let room = budget.saturating_sub(plan.len() + discovery_requests);
            // Without declared types, names decide (`_total` is a counter).
            let declared = metadata.map(|m| declared_types(&m)).unwrap_or_default();
            match listed {
                Ok((series, total)) => {
                    let metrics = discovered_metrics(&selectors, &series);
                    let found = candidate_queries(&metrics, &declared, "5m", room);
                    state.update(|s| {
                        let Some(s) = s else { return };
                        if total > series.len() {
                            s.notes.push(format!(
                                "{total} related series listed; the first {} were looked at",
                                series.len()
                            ));
                        }
                        if found.over_budget > 0 {
                            s.notes.push(format!(
                                "{} more related metrics were not compared: the budget is {budget} queries",
                                found.over_budget
                            ));
                        }
                    });
                    plan.extend(found.queries.into_iter().map(|q| Planned::Discovered {
                        origin: q.what,
                        expr: q.expr,
                    }));
                }
                Err(error) => state.update(|s| {
                    if let Some(s) = s {
                        s.failed.push(format!("finding related metrics: {error}"));
                    }
                }),
            }
            state.update(|s| {
                if let Some(s) = s {
                    s.done += discovery_requests;
                    s.planned = plan.len() + discovery_requests;
                }
            });
        }
        let events_window = QueryWindow {
            start: ((question.window.0 - EVENT_LOOKBACK_SECONDS) / window.step).floor()
                * window.step,
            ..window
        };
        let mut running = FuturesUnordered::new();
        let mut pending = plan.into_iter();
        let datasource = context.datasource.clone();
        let run = |planned: Planned| {
            let datasource = datasource.clone();
            let signal = signal.clone();
            async move {
                let (expr, span) = match &planned {
                    Planned::Panel { expr, .. } | Planned::Discovered { expr, .. } => {
                        (expr.clone(), window)
                    }
                    Planned::Event(query) => (query.expr.clone(), events_window),
                };
                let answer = fetch_query_range(&datasource, &expr, &span, signal.as_ref()).await;
                (planned, expr, answer)
            }
        };
        let context_for_events = context.clone();
        loop {
            while running.len() < CONCURRENT_QUERIES {
                let Some(next) = pending.next() else { break };
                // Event queries carry variables (`job="$job"`): written in here.
                let next = match next {
                    Planned::Event(mut query) => {
                        match context_for_events.expand(&query.expr, &events_window) {
                            Ok(expr) => query.expr = expr,
                            Err(problem) => {
                                state.update(|s| {
                                    if let Some(s) = s {
                                        s.failed.push(problem);
                                    }
                                });
                                continue;
                            }
                        }
                        Planned::Event(query)
                    }
                    other => other,
                };
                running.push(run(next));
            }
            let Some((planned, expr, answer)) = running.next().await else {
                break;
            };
            if stale(&ticket) {
                if let Some(abort) = &abort {
                    abort.abort();
                }
                return;
            }
            let elapsed = now_ms() as f64 - started;
            state.update(|s| {
                let Some(s) = s else { return };
                s.done += 1;
                s.first_answer_ms.get_or_insert(elapsed);
                s.last_answer_ms = Some(elapsed);
                let series = match answer.map(|a| a.data) {
                    Ok(QueryData::Matrix(series)) => series,
                    Ok(_) => Vec::new(),
                    Err(error) => {
                        s.failed.push(format!("{expr}: {error}"));
                        Vec::new()
                    }
                };
                let changed = match planned {
                    Planned::Panel { origin, .. } | Planned::Discovered { origin, .. } => {
                        let before = s.candidates.len();
                        let more = series.into_iter().map(|series| Candidate {
                            name: series.legend_name(),
                            origin: origin.clone(),
                            expr: expr.clone(),
                            series,
                        });
                        s.candidates_left_out += add_candidates(&mut s.candidates, more);
                        s.candidates.len() > before
                    }
                    Planned::Event(query) => {
                        s.events.push(SourceEvents {
                            events: query.events(&series, window.step),
                            query,
                            problem: None,
                        });
                        true
                    }
                };
                // Ranking again only when something new can change it.
                if changed {
                    s.report = crate::browser::perf::timed("relatedMs", || {
                        what_else_moved(&s.candidates, &s.events, question.window, window.step)
                    });
                }
            });
        }
        state.update(|s| {
            if let Some(s) = s {
                if s.candidates_left_out > 0 {
                    s.notes.push(format!(
                        "{} more series were not compared: at most {MAX_CANDIDATES} are ranked",
                        s.candidates_left_out
                    ));
                }
                s.finished = true;
            }
        });
    });
}
