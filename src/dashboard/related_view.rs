//! "What else moved?": the ranked list under the header, with aligned
//! sparklines, the reason for each rank, the likely trigger, each series a
//! click away from being added as a panel or opened on its own, and a
//! copyable incident summary. Asked from an anomaly on a panel, a firing
//! alert, or a window selected with Shift-drag.

use crate::alerts::evaluation::AlertStore;
use crate::alerts::remediation::{ActionConfirmation, PendingAction};
use crate::browser::clipboard::clipboard_accepts;
use crate::browser::clock::BrowserZone;
use crate::browser::location::page_url;
use crate::dashboard::panel_context::PanelContext;
use crate::dashboard::related_loader::{ask, RelatedState};
use crate::hooks::latest_load::LatestLoad;
use foresight_core::analytics::related_moves::LEAD_SECONDS;
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::inline_dashboard::{
    uncompressed_inline_dashboard, LONG_LINK_WARNING_CHARS,
};
use foresight_core::model::related_series::DEFAULT_QUERY_BUDGET;
use foresight_core::model::url_state::{DashboardRef, ViewState};
use foresight_core::model::what_else_moved::{
    incident_summary, single_query_dashboard, Candidate, LikelyTrigger, RankedCandidate,
    RelatedQuestion,
};
use foresight_core::query::time_range::TimeExpression;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Lines shown at most (the summary takes the top five).
const SHOWN_LINES: usize = 20;
const SPARK_WIDTH: f64 = 180.0;
const SPARK_HEIGHT: f64 = 28.0;

/// Adds a time-series panel (title, PromQL) to the dashboard being edited;
/// provided by the app, which owns editing.
#[derive(Clone, Copy)]
pub struct AddRelatedPanel(pub Callback<(String, String)>);

/// The view at the incident's time: the same dashboard, from the lead before
/// it to its end.
fn view_at(state: &ViewState, window: (f64, f64)) -> ViewState {
    ViewState {
        from: Some(TimeExpression::Absolute {
            epoch_ms: ((window.0 - LEAD_SECONDS) * 1000.0) as i64,
        }),
        to: Some(TimeExpression::Absolute {
            epoch_ms: (window.1 * 1000.0) as i64,
        }),
        ..state.clone()
    }
}

/// A link opening `candidate` alone, as a one-panel dashboard over `window`;
/// none when it would be too long for common servers (a query with many
/// values written in).
fn own_link(candidate: &Candidate, state: &ViewState, window: (f64, f64)) -> Option<String> {
    let title = format!("{} ({})", candidate.name, candidate.origin);
    let datasource = state.datasource.as_ref().map(|d| d.to_string());
    let dashboard = single_query_dashboard(&title, &candidate.expr, datasource.as_deref()).ok()?;
    let alone = ViewState {
        dashboard: DashboardRef::Inline(uncompressed_inline_dashboard(&dashboard)),
        variables: Default::default(),
        panel_overlays: Default::default(),
        row_collapsed: Default::default(),
        events_shown: Default::default(),
        ..view_at(state, window)
    };
    Some(page_url(&alone)).filter(|link| link.len() <= LONG_LINK_WARNING_CHARS)
}

/// An inline SVG of the candidate from the lead before the window to its
/// end, every line on the same time axis; a mark where the incident began.
fn sparkline(candidate: &Candidate, window: (f64, f64), trigger_at: Option<f64>) -> impl IntoView {
    let from = window.0 - LEAD_SECONDS;
    let span = (window.1 - from).max(1.0);
    let points: Vec<(f64, f64)> = candidate
        .series
        .timestamps
        .iter()
        .zip(&candidate.series.values)
        .filter(|(t, v)| **t >= from && **t <= window.1 && v.is_finite())
        .map(|(t, v)| (*t, *v))
        .collect();
    let (low, high) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), (_, v)| {
            (l.min(*v), h.max(*v))
        });
    let height = if high > low { high - low } else { 1.0 };
    let path: Vec<String> = points
        .iter()
        .map(|(t, v)| {
            format!(
                "{:.1},{:.1}",
                (t - from) / span * SPARK_WIDTH,
                SPARK_HEIGHT - 2.0 - (v - low) / height * (SPARK_HEIGHT - 4.0)
            )
        })
        .collect();
    let x = |t: f64| format!("{:.1}", (t - from) / span * SPARK_WIDTH);
    view! {
        <svg class="sparkline" width=SPARK_WIDTH height=SPARK_HEIGHT aria-hidden="true"
            viewBox=format!("0 0 {SPARK_WIDTH} {SPARK_HEIGHT}")>
            <line class="incident-start" x1=x(window.0) x2=x(window.0) y1="0" y2=SPARK_HEIGHT></line>
            {trigger_at.map(|t| view! { <line class="trigger-at" x1=x(t) x2=x(t) y1="0" y2=SPARK_HEIGHT></line> })}
            <polyline points=path.join(" ")></polyline>
        </svg>
    }
}

/// The dashboard's remediation actions, offered for the incident (its
/// labels fill the body's template; there is no alert value).
fn remediation(
    dashboard: StoredValue<Dashboard>,
    asked: &RelatedQuestion,
    pending: RwSignal<Option<PendingAction>>,
) -> Option<impl IntoView> {
    let buttons: Vec<_> = dashboard.with_value(|d| {
        d.alerts
            .iter()
            .flat_map(|rule| rule.actions.iter().map(move |action| (rule, action)))
            .map(|(rule, action)| {
                let request =
                    action.prepare_with(&asked.labels, f64::NAN, &d.notify.external_labels);
                let asked_run = PendingAction {
                    rule: rule.name.clone(),
                    action: action.name.clone(),
                    labels: asked.labels.clone(),
                    request,
                };
                view! {
                    <button data-action="run-incident-action" data-action-name=action.name.clone()
                        on:click=move |_| pending.set(Some(asked_run.clone()))>
                        {format!("Run: {} ({})", action.name, rule.name)}
                    </button>
                }
            })
            .collect()
    });
    (!buttons.is_empty()).then(|| {
        view! { <p class="related-remediation">"Remediate: "{buttons}</p> }
    })
}

/// What the list shows of an answer: its figures and its first lines.
#[derive(Default)]
struct ShownAnswer {
    done: usize,
    planned: usize,
    finished: bool,
    cancelled: bool,
    series: usize,
    moved: usize,
    first_answer_ms: Option<f64>,
    last_answer_ms: Option<f64>,
    trigger: Option<LikelyTrigger>,
    lines: Vec<(RankedCandidate, Candidate)>,
    failed: Vec<String>,
    notes: Vec<String>,
}

impl ShownAnswer {
    fn of(found: &RelatedState) -> Self {
        Self {
            done: found.done,
            planned: found.planned,
            finished: found.finished,
            cancelled: found.cancelled,
            series: found.candidates.len(),
            moved: found.report.moved,
            first_answer_ms: found.first_answer_ms,
            last_answer_ms: found.last_answer_ms,
            trigger: found.report.trigger.clone(),
            lines: found
                .report
                .ranked
                .iter()
                .take(SHOWN_LINES)
                .map(|line| (line.clone(), found.candidates[line.candidate].clone()))
                .collect(),
            failed: found.failed.clone(),
            notes: found.notes.clone(),
        }
    }
}

#[component]
pub fn RelatedMoves(
    dashboard: StoredValue<Dashboard>,
    context: Memo<Option<PanelContext>>,
    view_state: RwSignal<ViewState>,
    question: RwSignal<Option<RelatedQuestion>>,
    /// Where remediation runs are kept (the alerts' history).
    alert_store: AlertStore,
) -> impl IntoView {
    let state = RwSignal::new(None::<RelatedState>);
    // The incident's remediation: any action of the dashboard's rules, run
    // with the incident's labels after the user sees the request.
    let pending_action = RwSignal::new(None::<PendingAction>);
    let stored = Callback::new(move |()| alert_store.store_history());
    let load = LatestLoad::new();
    let budget = RwSignal::new(DEFAULT_QUERY_BUDGET);
    let copied = RwSignal::new(String::new());
    // The last summary, shown to select when the clipboard refuses.
    let summary_text = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some(asked) = question.get() else {
            load.cancel();
            state.set(None);
            return;
        };
        let Some(context) = context.get_untracked() else {
            return;
        };
        let planned_budget = budget.get_untracked();
        dashboard.with_value(|d| ask(asked, d, context, planned_budget, load, state));
    });
    let cancel = move |_| {
        load.cancel();
        state.update(|s| {
            if let Some(s) = s {
                s.cancelled = true;
            }
        });
    };
    let close = move |_| question.set(None);
    let add_panel = use_context::<AddRelatedPanel>();
    let time_text = |t: f64| format_local_datetime(t, &BrowserZone);
    let copy_summary = move |_| {
        let Some(asked) = question.get_untracked() else {
            return;
        };
        let current = view_state.get_untracked();
        // Read in place: the answer holds every candidate's series.
        let text = state.with_untracked(|found| {
            let found = found.as_ref()?;
            let mut links = vec![(
                "The dashboard at the incident".to_string(),
                page_url(&view_at(&current, asked.window)),
            )];
            for line in found.report.ranked.iter().take(3) {
                let candidate = &found.candidates[line.candidate];
                if let Some(link) = own_link(candidate, &current, asked.window) {
                    links.push((format!("{} ({})", candidate.name, candidate.origin), link));
                }
            }
            Some(incident_summary(
                &asked.title,
                asked.window,
                &found.report,
                &found.candidates,
                &links,
                time_text,
            ))
        });
        let Some(text) = text else {
            return;
        };
        summary_text.set(Some(text.clone()));
        spawn_local(async move {
            copied.set(if clipboard_accepts(&text).await {
                "Summary copied".into()
            } else {
                "The clipboard refused; select the summary below".into()
            });
        });
    };
    move || {
        let asked = question.get()?;
        // Only what is shown is copied out of the answer, which holds every
        // candidate's series (thousands, on a wide dashboard).
        let found = state
            .with(|s| s.as_ref().map(ShownAnswer::of))
            .unwrap_or_default();
        let progress = format!(
            "{} of {} queries{}, {} series, {} moved{}",
            found.done,
            found.planned,
            if found.finished { "" } else { "…" },
            found.series,
            found.moved,
            match (found.first_answer_ms, found.last_answer_ms) {
                (Some(first), Some(last)) =>
                    format!("; first answer {first:.0} ms, last {last:.0} ms"),
                _ => String::new(),
            }
        );
        let trigger = found.trigger.clone();
        let trigger_at = trigger.as_ref().map(|t| t.event.start);
        let trigger_line = match &trigger {
            Some(t) => format!(
                "Likely trigger: {} at {} — {}",
                t.source,
                time_text(t.event.start),
                t.reason
            ),
            None if found.finished => {
                "No likely trigger: no change came shortly before the first move".into()
            }
            None => "Looking for the trigger…".into(),
        };
        let current = view_state.get_untracked();
        let lines: Vec<_> = found
            .lines
            .into_iter()
            .enumerate()
            .map(|(rank, (line, candidate))| {
                let similar = match line.similar.len() {
                    0 => String::new(),
                    n => format!(" · and {n} similar"),
                };
                let own = own_link(&candidate, &current, asked.window);
                let add = add_panel.map(|AddRelatedPanel(add)| {
                    let (title, expr) = (format!("{} ({})", candidate.name, candidate.origin), candidate.expr.clone());
                    view! { <button data-action="add-related-panel" on:click=move |_| add.run((title.clone(), expr.clone()))>"Add as panel"</button> }
                });
                view! {
                    <li class="related-line" data-rank=(rank + 1).to_string() data-expr=candidate.expr.clone()>
                        {sparkline(&candidate, asked.window, trigger_at)}
                        <span class="related-name">{candidate.name.clone()}<small>{format!(" {}", candidate.origin)}</small></span>
                        <span class="related-reason">{format!("{}{similar}", line.reason)}</span>
                        <span class="related-actions">
                            {add}
                            {own.map(|href| view! { <a href=href target="_blank" rel="noopener" data-action="open-related">"Open on its own"</a> })}
                        </span>
                    </li>
                }
            })
            .collect();
        let failed = found.failed.clone();
        let notes = found.notes.join(" · ");
        Some(view! {
            <section class="related-moves" data-testid="related-moves" aria-label="What else moved"
                data-finished=found.finished.to_string()>
                <header>
                    <h2>{format!("What else moved? {}", asked.title)}</h2>
                    <span class="related-when">{format!("{} – {}", time_text(asked.window.0), time_text(asked.window.1))}</span>
                    <label>"Query budget "
                        <input type="number" min="5" max="500" prop:value=move || budget.get().to_string()
                            on:change=move |ev| {
                                if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                                    budget.set(n.clamp(5, 500));
                                }
                            } />
                    </label>
                    {(!found.finished && !found.cancelled).then(|| view! { <button data-action="cancel-related" on:click=cancel>"Cancel"</button> })}
                    <button data-action="copy-summary" on:click=copy_summary>"Copy summary"</button>
                    <button data-action="close-related" on:click=close>"Close"</button>
                </header>
                <p class="related-progress" role="status" data-testid="related-progress">{progress}{move || copied.get().is_empty().then(String::new).unwrap_or_else(|| format!(" · {}", copied.get()))}</p>
                <p class="related-trigger" data-testid="related-trigger" data-found=trigger.is_some().to_string()>{trigger_line}</p>
                <ol class="related-list">{lines}</ol>
                {remediation(dashboard, &asked, pending_action)}
                <ActionConfirmation pending=pending_action history=alert_store.history stored=stored />
                {move || summary_text.get().map(|text| view! {
                    <textarea class="related-summary" data-testid="related-summary" readonly rows="8" aria-label="Incident summary (Markdown)">{text}</textarea>
                })}
                {(!notes.is_empty()).then(|| view! { <p class="related-notes" data-testid="related-notes">{notes}</p> })}
                {(!failed.is_empty()).then(|| view! {
                    <details class="related-failed"><summary>{format!("{} queries failed", failed.len())}</summary>
                        <ul>{failed.into_iter().map(|f| view! { <li>{f}</li> }).collect::<Vec<_>>()}</ul>
                    </details>
                })}
            </section>
        })
    }
}
