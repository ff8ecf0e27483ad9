//! One alert rule: its health, its expression and settings, the Prometheus
//! server's own state for the same rule, a backtest over the dashboard's range,
//! and its instances with their annotations and a way to silence each.

use crate::alerts::AlertAnnotations;
use crate::browser::clock::{now_seconds, BrowserZone};
use foresight_core::alerting::engine::{describe_labels, RuleHealth};
use foresight_core::alerting::go_fmt::format_go_float;
use foresight_core::alerting::rule::{pages, AlertRule, Episode};
use foresight_core::alerting::server_rules::ServerRule;
use foresight_core::alerting::silence::Silence;
use foresight_core::alerting::state_machine::{AlertState, RuleState};
use foresight_core::alerting::template::TemplateData;
use foresight_core::analytics::time_to_threshold::format_duration;
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::what_else_moved::RelatedQuestion;
use foresight_core::query::series::Labels;
use leptos::prelude::*;

/// What a backtest found, or why it could not run.
pub type BacktestOutcome = Result<Vec<Episode>, String>;

/// What every rule card reads and can ask for.
#[derive(Clone, Copy)]
pub struct RuleCardShared {
    pub health: RwSignal<SortedMap<String, RuleHealth>>,
    pub states: RwSignal<SortedMap<String, RuleState>>,
    pub silences: RwSignal<Vec<Silence>>,
    /// Each rule's backtest: `None` while it runs.
    pub backtests: RwSignal<SortedMap<String, Option<BacktestOutcome>>>,
    pub server_rules: RwSignal<Option<Result<Vec<ServerRule>, String>>>,
    pub external_labels: StoredValue<Labels>,
    pub annotations: Option<RwSignal<Option<AlertAnnotations>>>,
    /// Backtests a rule: its key (see `rule_keys`) and the rule.
    pub run_backtest: Callback<(String, AlertRule)>,
    /// Adds a silence: matchers, hours, comment.
    pub add_silence: Callback<(Labels, f64, String)>,
    /// Asks the user to run a remediation action (shows the exact request).
    pub ask_action: Callback<crate::alerts::remediation::PendingAction>,
}

/// `rule_key`: the rule's key among the dashboard's rules (see `rule_keys`),
/// which its state, health and backtest are kept under.
#[component]
pub fn RuleCard(rule: AlertRule, rule_key: String, shared: RuleCardShared) -> impl IntoView {
    let key = rule_key;
    let RuleCardShared {
        health,
        states,
        silences,
        backtests,
        server_rules,
        external_labels,
        annotations,
        run_backtest,
        add_silence,
        ask_action,
    } = shared;
    let time = move |t: f64| format_local_datetime(t, &BrowserZone);
    let server_line = {
        let name = rule.name.clone();
        move || {
            server_rules.with(|rules| {
            let rule = rules.as_ref()?.as_ref().ok()?.iter().find(|r| r.name == name)?.clone();
            let alerts = rule
                .alerts
                .iter()
                .map(|a| {
                    let since = a.active_at.map(|t| format!(" since {}", time(t))).unwrap_or_default();
                    format!("{} {}{since}", describe_labels(&a.labels), a.state)
                })
                .collect::<Vec<_>>()
                .join("; ");
            let error = rule.last_error.map(|e| format!(" — error: {e}")).unwrap_or_default();
            Some(view! {
                <p class="server-state" data-server-state=rule.state.clone()>
                    {format!("Prometheus server: {}{}{error}", rule.state, if alerts.is_empty() { String::new() } else { format!(" ({alerts})") })}
                </p>
            })
        })
        }
    };
    let name = rule.name.clone();
    let status = {
        let key = key.clone();
        move || {
            health.with(|h| {
                h.get(&key)
                    .map_or(RuleHealth::Waiting.describe(), RuleHealth::describe)
            })
        }
    };
    let instances = {
        let key = key.clone();
        let rule = rule.clone();
        move || {
            let now = now_seconds();
            let muted = silences.get();
            let related = use_context::<RwSignal<Option<RelatedQuestion>>>();
            // Alerts whose annotations were not kept are rendered here,
            // within one budget for the whole list.
            let shown = TemplateData {
                external_labels: external_labels.get_value(),
                ..TemplateData::default()
            };
            states.with(|all| {
                    all.get(&key)
                        .map(|state| {
                            state
                                .alerts
                                .values()
                                .map(|alert| {
                                    let shown_state = match alert.state {
                                        AlertState::Firing if alert.is_recovering() => "recovering",
                                        AlertState::Firing => "firing",
                                        AlertState::Pending => "pending",
                                        AlertState::Inactive => "resolved",
                                    };
                                    let since = match alert.state {
                                        AlertState::Firing => alert.fired_at.unwrap_or(alert.active_at),
                                        AlertState::Inactive => alert.resolved_at.unwrap_or(alert.active_at),
                                        AlertState::Pending => alert.active_at,
                                    };
                                    let annotations = rule.annotations_of(alert, &shown);
                                    let summary = annotations.get("summary").cloned().unwrap_or_default();
                                    let details = annotations
                                        .iter()
                                        .filter(|(k, _)| k.as_str() != "summary")
                                        .map(|(k, v)| view! { <div class="alert-annotation-text"><b>{format!("{k}: ")}</b>{v.clone()}</div> })
                                        .collect::<Vec<_>>();
                                    let silenced_until = muted
                                        .iter()
                                        .filter(|s| s.mutes(&alert.labels, now))
                                        .map(|s| s.ends_at)
                                        .reduce(f64::max);
                                    let labels = alert.labels.clone();
                                    // "What else moved?" about a pending or firing alert:
                                    // from when it became active, up to now.
                                    let ask = related.filter(|_| alert.state != AlertState::Inactive).map(|asked| {
                                        let question = RelatedQuestion {
                                            title: format!("{} {shown_state}", rule.name),
                                            window: (alert.active_at, now.max(alert.active_at + 60.0).min(alert.active_at + 3600.0)),
                                            labels: alert.labels.clone(),
                                        };
                                        view! { <button data-action="what-else-moved" on:click=move |_| asked.set(Some(question.clone()))>"What else moved?"</button> }
                                    });
                                    // Remediation: each action of the rule, asked first.
                                    let actions: Vec<_> = if alert.state == AlertState::Inactive {
                                        Vec::new()
                                    } else {
                                        rule.actions
                                            .iter()
                                            .map(|action| {
                                                let pending = crate::alerts::remediation::PendingAction {
                                                    rule: rule.name.clone(),
                                                    action: action.name.clone(),
                                                    labels: alert.labels.clone(),
                                                    request: action.prepare(&rule, alert, &external_labels.get_value()),
                                                };
                                                view! { <button data-action="run-action" data-action-name=action.name.clone() on:click=move |_| ask_action.run(pending.clone())>{format!("Run: {}", action.name)}</button> }
                                            })
                                            .collect()
                                    };
                                    view! {
                                        <tr class="alert-instance" data-alert-state=shown_state data-active-at=alert.active_at.to_string() data-value=alert.value.to_string() data-silenced=silenced_until.is_some().to_string()>
                                            <td class=format!("alert-state {shown_state}")>{shown_state}</td>
                                            <td>{describe_labels(&alert.labels)}</td>
                                            <td title=format!("for {}", format_duration(now - since))>{format!("since {} ({} ago)", time(since), format_duration(now - since))}</td>
                                            <td class="alert-value" title=format_go_float(alert.value)>{rule.format_value(alert.value)}</td>
                                            <td><div class="alert-summary">{summary}</div>{details}</td>
                                            <td>{match silenced_until {
                                                Some(until) => view! { <span class="silenced">{format!("silenced until {}", time(until))}</span> }.into_any(),
                                                None => view! {
                                                    <button data-action="silence" title="Send no notifications for this alert for an hour" on:click=move |_| add_silence.run((labels.clone(), 1.0, String::new()))>"Silence 1 h"</button>
                                                }.into_any(),
                                            }}{ask}{actions}</td>
                                        </tr>
                                    }
                                })
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default()
                })
        }
    };
    let condition = rule.condition.describe();
    let backtest_rule = rule.clone();
    let backtest_view = {
        let key = key.clone();
        move || {
            backtests.with(|b| b.get(&key).cloned()).map(|outcome| match outcome {
                    None => view! { <p class="backtest" data-testid="backtest" data-running="true" role="status">"Replaying the rule over this range…"</p> }.into_any(),
                    Some(Err(message)) => view! { <p class="backtest error" role="alert">{format!("Backtest failed: {message}")}</p> }.into_any(),
                    Some(Ok(episodes)) => {
                        let pages = pages(&episodes);
                        let rows = episodes.iter().map(|e| {
                            let fired = e.firing_at.map_or_else(|| "never fired".to_string(), |t| format!("fired {}", time(t)));
                            let resolved = e.resolved_at.map_or_else(|| "still active at the end".to_string(), |t| format!("resolved {}", time(t)));
                            view! {
                                <li data-pending-at=e.pending_at.to_string() data-firing-at=e.firing_at.map(|t| t.to_string()) data-resolved-at=e.resolved_at.map(|t| t.to_string())>
                                    {format!("{}: pending {}, {fired}, {resolved}", describe_labels(&e.labels), time(e.pending_at))}
                                </li>
                            }
                        }).collect::<Vec<_>>();
                        view! {
                            <div class="backtest" data-testid="backtest" data-pages=pages.to_string()>
                                <p>
                                    {format!("Over this range the rule would have paged you {pages} time{} ({} episodes), shaded on the panels above.", if pages == 1 { "" } else { "s" }, episodes.len())}
                                    {annotations.map(|a| view! { <button data-action="hide-backtest" on:click=move |_| a.set(None)>"Hide from panels"</button> })}
                                </p>
                                <ul>{rows}</ul>
                            </div>
                        }.into_any()
                    }
                })
        }
    };
    let mut settings = Vec::new();
    if let Some(f) = &rule.for_duration {
        settings.push(format!("for {f}"));
    }
    if let Some(k) = &rule.keep_firing_for {
        settings.push(format!("keep firing for {k}"));
    }
    settings.push(format!(
        "every {}",
        rule.interval.clone().unwrap_or_else(|| "1m".into())
    ));
    view! {
        <section class="alert-rule" data-alert-rule=name.clone()>
            <h3>
                {name.clone()}
                <span class="alert-rule-status">{status}</span>
                <button data-action="backtest" title="Replay this rule over the dashboard's time range and shade it on the panels" on:click=move |_| run_backtest.run((key.clone(), backtest_rule.clone()))>"Backtest this range"</button>
            </h3>
            {server_line}
            {backtest_view}
            <p class="alert-rule-expr"><code>{format!("{} {condition}", rule.expr)}</code>{format!(" — {}", settings.join(", "))}</p>
            <table class="alert-instances"><tbody>{instances}</tbody></table>
        </section>
    }
}
