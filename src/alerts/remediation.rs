//! Remediation actions in the page: "Run" on an alert asks first, showing the
//! exact request; an address not yet confirmed is confirmed there, by the
//! user, or the request is not sent. Every run is kept in the alert history
//! with its answer. (What may run, and when, is decided in the core:
//! `foresight_core::alerting::remediation`.)

use crate::browser::clock::{now_seconds, BrowserZone};
use crate::browser::storage::{load_confirmed_origins, store_confirmed_origins};
use foresight_core::alerting::history::AlertHistory;
use foresight_core::alerting::remediation::{keep_run, ActionRun, PreparedRequest};
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::model::trust::origin_of;
use foresight_core::query::series::Labels;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// An action the user asked to run, waiting for their go.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingAction {
    pub rule: String,
    pub action: String,
    pub labels: Labels,
    pub request: PreparedRequest,
}

/// Sends `request`; the answer as it is kept ("HTTP 200: …", or the failure).
pub async fn send_action(request: &PreparedRequest) -> String {
    if let Some(reason) = &request.refused {
        return format!("not sent: {reason}");
    }
    match crate::browser::http::fetch_text(&request.url, Some(&request.body)).await {
        Ok((status, text)) => format!("HTTP {status}: {}", text.trim()),
        Err(error) => format!("not sent: {error}"),
    }
}

/// Runs `request` for the alert and keeps the run in `history`; `then`
/// stores the history.
pub fn run_and_keep(
    pending: PendingAction,
    automatic: bool,
    history: RwSignal<AlertHistory>,
    then: Callback<()>,
) {
    // Kept before it is sent, so a second evaluation meanwhile sees it ran.
    let run = ActionRun {
        rule: pending.rule.clone(),
        action: pending.action.clone(),
        labels: pending.labels.clone(),
        at: now_seconds(),
        automatic,
        request: pending.request.describe(),
        answer: "sending…".into(),
    };
    let at = run.at;
    history.try_update(|h| keep_run(&mut h.action_runs, run));
    then.run(());
    spawn_local(async move {
        let answer = send_action(&pending.request).await;
        history.try_update(|h| {
            if let Some(run) =
                h.action_runs.iter_mut().rev().find(|r| {
                    r.at == at && r.action == pending.action && r.labels == pending.labels
                })
            {
                run.answer = answer
                    .chars()
                    .take(foresight_core::alerting::remediation::MAX_KEPT_ANSWER_CHARS)
                    .collect();
            }
        });
        then.run(());
    });
}

/// The confirmation: the exact request, and Send (or Allow and send, for an
/// address not confirmed yet) or Cancel.
#[component]
pub fn ActionConfirmation(
    pending: RwSignal<Option<PendingAction>>,
    history: RwSignal<AlertHistory>,
    stored: Callback<()>,
) -> impl IntoView {
    move || {
        let asked = pending.get()?;
        let origin = origin_of(&asked.request.url);
        let confirmed = load_confirmed_origins().permits_notification(&asked.request.url);
        // The page's connection policy learns newly confirmed origins only
        // when it starts: another host takes a reload before it can be sent.
        let needs_reload = !confirmed
            && origin.as_deref().is_some_and(|o| {
                !foresight_core::model::trust::reachable_without_reload(
                    &crate::trust_banner::page_context(),
                    o,
                )
            });
        let send = {
            let asked = asked.clone();
            let origin = origin.clone();
            move |_| {
                if !confirmed {
                    // The user confirms the address here, having seen the request.
                    let mut origins = load_confirmed_origins();
                    if let Some(origin) = origin.clone() {
                        origins.notification_targets.insert(origin);
                        let _ = store_confirmed_origins(&origins);
                    }
                }
                if needs_reload {
                    let _ = window().location().reload();
                    return;
                }
                run_and_keep(asked.clone(), false, history, stored);
                pending.set(None);
            }
        };
        let label = match (&origin, confirmed) {
            (_, true) => "Send".to_string(),
            (Some(origin), false) if needs_reload => {
                format!("Allow {origin} and reload (then run it again)")
            }
            (Some(origin), false) => format!("Allow {origin} and send"),
            (None, false) => "Send".to_string(),
        };
        Some(view! {
            <div class="action-confirmation" role="dialog" aria-label="Run a remediation action" data-testid="action-confirmation">
                <p>{format!("Run \"{}\" for {} {}? This request will be sent:", asked.action, asked.rule, foresight_core::alerting::engine::describe_labels(&asked.labels))}</p>
                <pre data-testid="action-request">{asked.request.describe()}</pre>
                {(!confirmed).then(|| view! { <p class="warning">"This address is not among the targets you confirmed in this browser; sending confirms it."</p> })}
                <button data-action="send-action" on:click=send disabled=origin.is_none() || asked.request.refused.is_some()>{label}</button>
                <button data-action="cancel-action" on:click=move |_| pending.set(None)>"Cancel"</button>
            </div>
        })
    }
}

/// The runs kept in the history, newest first.
#[component]
pub fn ActionRuns(history: RwSignal<AlertHistory>) -> impl IntoView {
    move || {
        let runs = history.with(|h| h.action_runs.clone());
        (!runs.is_empty()).then(|| {
            let rows: Vec<_> = runs
                .into_iter()
                .rev()
                .map(|run| {
                    view! {
                        <li class="action-run" data-automatic=run.automatic.to_string()>
                            {format!(
                                "{} — {} for {} {}{}: {}",
                                format_local_datetime(run.at, &BrowserZone),
                                run.action,
                                run.rule,
                                foresight_core::alerting::engine::describe_labels(&run.labels),
                                if run.automatic { " (by itself)" } else { "" },
                                run.answer
                            )}
                        </li>
                    }
                })
                .collect();
            view! {
                <section class="action-runs" data-testid="action-runs">
                    <h4>"Actions run"</h4>
                    <ul>{rows}</ul>
                </section>
            }
        })
    }
}
