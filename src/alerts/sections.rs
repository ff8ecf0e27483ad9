//! The parts of the alerts view that only show what is known: the timeline of
//! state changes, and the Prometheus server's own alerting rules.

use crate::browser::clock::now_seconds;
use foresight_core::alerting::engine::describe_labels;
use foresight_core::alerting::history::{AlertHistory, TimelineRow};
use foresight_core::alerting::rule::AlertRule;
use foresight_core::alerting::server_rules::ServerRule;
use foresight_core::alerting::state_machine::{AlertState, RuleState};
use foresight_core::analytics::time_to_threshold::format_duration;
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::edit::Edit;
use leptos::prelude::*;

/// Each rule instance's pending and firing stretches over the last day, and the
/// last 20 state changes.
#[component]
pub fn AlertTimeline(
    states: RwSignal<SortedMap<String, RuleState>>,
    history: RwSignal<AlertHistory>,
) -> impl IntoView {
    let time = move |t: f64| format_local_datetime(t, &crate::browser::clock::BrowserZone);
    move || {
        // Re-drawn at every evaluation, so "now" moves on.
        states.track();
        let now = now_seconds();
        history.with(|h| {
            let earliest = h.entries.first().map_or(now, |e| e.at);
            let from = (now - 86_400.0).max(earliest.min(now - 900.0));
            let rows = h.timeline(from, now);
            let span = (now - from).max(1.0);
            let percent = |t: f64| (t.clamp(from, now) - from) / span * 100.0;
            let recent: Vec<_> = h.entries.iter().rev().take(20).cloned().collect();
            view! {
                <div class="alert-timeline" data-testid="alert-timeline">
                    <h4>{format!("History (the last {})", format_duration(span))}</h4>
                    {rows.into_iter().map(|row: TimelineRow| {
                        let segments = row.segments.iter().map(|s| {
                            let state = s.state.id();
                            let (left, right) = (percent(s.start), percent(s.end.unwrap_or(now)));
                            let title = format!("{state} from {} {}", time(s.start), s.end.map_or_else(|| "until now".to_string(), |e| format!("to {}", time(e))));
                            view! {
                                <span class=format!("timeline-segment {state}") data-state=state data-start=s.start.to_string() data-end=s.end.map(|e| e.to_string())
                                    style:left=format!("{left:.3}%") style:width=format!("{:.3}%", (right - left).max(0.4)) title=title></span>
                            }
                        }).collect::<Vec<_>>();
                        view! {
                            <div class="timeline-row" data-rule=row.rule.clone()>
                                <span class="timeline-label">{format!("{} {}", row.rule, describe_labels(&row.labels))}</span>
                                <span class="timeline-track">{segments}</span>
                            </div>
                        }
                    }).collect::<Vec<_>>()}
                    <ol class="alert-history">
                        {recent.into_iter().map(|e| {
                            let to = match e.to { AlertState::Firing => "firing", AlertState::Pending => "pending", AlertState::Inactive => "resolved" };
                            view! {
                                <li data-rule=e.rule.clone() data-to=to data-at=e.at.to_string() data-labels=describe_labels(&e.labels)>
                                    {format!("{} {} {} {to}", time(e.at), e.rule, describe_labels(&e.labels))}
                                </li>
                            }
                        }).collect::<Vec<_>>()}
                    </ol>
                </div>
            }
        })
    }
}

/// The server's alerting rules (`/api/v1/rules`), each with its state and
/// health; while editing, one that is not in the dashboard can be added to it.
#[component]
pub fn ServerRulesTable(
    server_rules: RwSignal<Option<Result<Vec<ServerRule>, String>>>,
    /// Why the server's rules are not read at all (an engine that keeps them elsewhere).
    rules_elsewhere: RwSignal<Option<String>>,
    /// The dashboard's own rules.
    rules: StoredValue<Vec<AlertRule>>,
    on_edit: Signal<Option<Callback<Edit>>>,
) -> impl IntoView {
    // Re-rendered at every poll: rows hold no reactive closures, which would never be freed.
    move || {
        if let Some(note) = rules_elsewhere.get() {
            return Some(
                view! { <p class="server-rules" data-testid="rules-elsewhere">{note}</p> }
                    .into_any(),
            );
        }
        let editing_now = on_edit.get();
        let known: Vec<String> = rules.with_value(|r| r.iter().map(|r| r.name.clone()).collect());
        server_rules.get().map(|outcome| match outcome {
            Err(message) => view! { <p class="server-rules message error">{format!("The server's alert rules could not be read: {message}")}</p> }.into_any(),
            Ok(list) if list.is_empty() => view! { <p class="server-rules">"The Prometheus server has no alerting rules."</p> }.into_any(),
            Ok(list) => {
                let rows = list.into_iter().map(|server| {
                    let here = known.contains(&server.name);
                    let imported = server.to_alert_rule();
                    let action = match (here, editing_now) {
                        (true, _) => view! { <span>"also in this dashboard"</span> }.into_any(),
                        (false, Some(apply)) => {
                            let rule = imported.clone();
                            view! { <button data-action="import-server-rule" on:click=move |_| apply.run(Edit::SetAlertRule { index: None, rule: Box::new(rule.clone()) })>"Add to this dashboard"</button> }.into_any()
                        }
                        (false, None) => view! { <span>"Edit the dashboard to add it"</span> }.into_any(),
                    };
                    view! {
                        <tr data-server-rule=server.name.clone() data-server-state=server.state.clone()>
                            <td>{server.name.clone()}</td>
                            <td><code>{server.query.clone()}</code></td>
                            <td>{format!("{} ({} alert{})", server.state, server.alerts.len(), if server.alerts.len() == 1 { "" } else { "s" })}</td>
                            <td>{server.last_error.clone().map(|e| format!("error: {e}")).unwrap_or_else(|| server.health.clone())}</td>
                            <td>{action}</td>
                        </tr>
                    }
                }).collect::<Vec<_>>();
                view! {
                    <div class="server-rules">
                        <h4>"Alerting rules on the Prometheus server"</h4>
                        <table><tbody>{rows}</tbody></table>
                    </div>
                }.into_any()
            }
        })
    }
}
