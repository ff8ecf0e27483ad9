//! The dashboard's alert rules, evaluated in the page on their interval with
//! the pure state machine by one tab per dashboard (a Web Lock), their state,
//! history and silences kept in local storage (a reload keeps pending time),
//! shown as rules and instances with a timeline, beside the states of the
//! Prometheus server's own rules; notifications go out through
//! `alert_notifications`, and backtests are drawn on the panels.

use crate::alerts::notifications::send;
use crate::alerts::queries::{evaluate_query, fetch_history};
use crate::alerts::sections::{AlertTimeline, ServerRulesTable};
use crate::browser::clock::{now_ms, now_seconds, BrowserZone};
use crate::browser::notifications::{
    notification_permission, play_alert_sound, request_notification_permission, set_sound_enabled,
    show_browser_notification, sound_enabled,
};
use crate::browser::prometheus_client::fetch_alerting_rules;
use crate::browser::storage::{load_json, store_json};
use crate::dashboard::panel_context::AlertAnnotations;
use crate::editor::panel_editor::PanelEditing;
use crate::hooks::web_lock::hold_leadership;
use foresight_core::alerting::engine::{
    describe_labels, step, EvaluationSchedule, RuleHealth, StepContext,
};
use foresight_core::alerting::history::AlertHistory;
use foresight_core::alerting::rule::{pages, AlertRule, Episode};
use foresight_core::alerting::server_rules::ServerRule;
use foresight_core::alerting::silence::{parse_matchers, prune_expired, Silence};
use foresight_core::alerting::state_machine::{AlertState, RuleState};
use foresight_core::alerting::template::format_go_float;
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::NotifyTargets;
use foresight_core::model::datasource::Datasource;
use foresight_core::query::series::Labels;
use foresight_core::query::step::QueryWindow;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How often the server's own rules are read while the alerts are shown.
const SERVER_RULES_SECONDS: u64 = 15;

fn states_key(dashboard_id: &str) -> String {
    format!("foresight.alert-state.{dashboard_id}")
}

fn history_key(dashboard_id: &str) -> String {
    format!("foresight.alert-history.{dashboard_id}")
}

fn silences_key(dashboard_id: &str) -> String {
    format!("foresight.silences.{dashboard_id}")
}

#[component]
pub fn AlertsView(
    /// Keys its state, history, silences and evaluation lock: a link cannot
    /// share them with a saved dashboard of the same id.
    state_namespace: String,
    rules: Vec<AlertRule>,
    /// Where alerts are sent (may be empty).
    notify: NotifyTargets,
    datasource: Signal<Datasource>,
    /// The dashboard's time range, for backtests.
    range: Signal<foresight_core::query::time_range::ResolvedRange>,
    /// While editing: server rules can be added to the dashboard.
    #[prop(optional, into)]
    editing: Signal<Option<PanelEditing>>,
) -> impl IntoView {
    // Silences are the user's, so they outlive rule edits: keyed by where the
    // dashboard came from and its id, without the rules' fingerprint.
    let family = state_namespace
        .rsplit_once('.')
        .map_or(state_namespace.as_str(), |(family, _)| family)
        .to_string();
    let keys = (
        states_key(&state_namespace),
        history_key(&state_namespace),
        silences_key(&family),
    );
    // State and history of this dashboard's earlier rules would stay forever.
    for kind in ["foresight.alert-state.", "foresight.alert-history."] {
        crate::browser::storage::remove_keys_except(
            &format!("{kind}{family}."),
            &format!("{kind}{state_namespace}"),
        );
    }
    let storage_problem = RwSignal::new(None::<String>);
    let keys = StoredValue::new(keys);
    let load_all = move || {
        keys.with_value(|(states, history, silences)| {
            (
                load_json::<SortedMap<String, RuleState>>(states),
                load_json::<AlertHistory>(history),
                load_json::<Vec<Silence>>(silences),
            )
        })
    };
    let (mut stored_states, stored_history, stored_silences) = load_all();
    // States of rules no longer in the dashboard would otherwise stay forever.
    stored_states.retain(|name, _| rules.iter().any(|r| r.name == *name));
    let states = RwSignal::new(stored_states);
    let history = RwSignal::new(stored_history);
    let silences = RwSignal::new(stored_silences);
    let health = RwSignal::new(SortedMap::<String, RuleHealth>::new());
    let has_rules = !rules.is_empty();
    let rules = StoredValue::new(rules);
    let notify = StoredValue::new(notify);
    let deliveries = RwSignal::new(SortedMap::<String, String>::new());
    let permission = RwSignal::new(notification_permission());
    let sound = RwSignal::new(sound_enabled());
    let annotations = use_context::<RwSignal<Option<AlertAnnotations>>>();

    // One tab evaluates and notifies; the others show what it stored.
    let leader = RwSignal::new(false);
    hold_leadership(
        format!("foresight-alerts:{state_namespace}"),
        leader,
        move || {
            let (s, h, _) = load_all();
            states.try_set(s);
            history.try_set(h);
        },
    );

    let evaluate = move |rule: AlertRule, at: f64| {
        if !leader.get_untracked() {
            // Another tab evaluates: show what it stored.
            let (s, h, q) = load_all();
            states.set(s);
            history.set(h);
            silences.set(q);
            return;
        }
        // The permission may have been changed in the browser's settings meanwhile.
        permission.set(notification_permission());
        let datasource = datasource.get_untracked();
        spawn_local(async move {
            let now = at;
            let answer = evaluate_query(&datasource, &rule, now).await;
            // Silences may have been changed in another tab.
            let mut muted = keys.with_value(|(_, _, key)| load_json::<Vec<Silence>>(key));
            prune_expired(&mut muted, now);
            let external = notify.with_value(|n| n.external_labels.clone());
            let mut outcome = None;
            states.try_update(|all| {
                history.try_update(|h| {
                    outcome = Some(step(
                        &rule,
                        answer,
                        all.entry(rule.name.clone()).or_default(),
                        h,
                        StepContext {
                            external_labels: &external,
                            sends_notifications: !notify.with_value(NotifyTargets::is_empty),
                            silences: &muted,
                            now,
                        },
                    ));
                });
            });
            let Some(outcome) = outcome else {
                return; // the view went away meanwhile
            };
            notify.with_value(|targets| send(targets, &outcome.due, deliveries));
            for notice in &outcome.notices {
                show_browser_notification(&notice.title, &notice.body, &notice.tag);
            }
            if !outcome.notices.is_empty() && sound_enabled() {
                play_alert_sound();
            }
            silences.try_set(muted);
            let failed = matches!(outcome.health, RuleHealth::Error(_));
            health.try_update(|h| {
                h.insert(rule.name.clone(), outcome.health);
            });
            if failed {
                return; // nothing changed to store
            }
            let stored = keys.with_value(|(states_key, history_key, _)| {
                states
                    .with_untracked(|all| store_json(states_key, all))
                    .and_then(|()| history.with_untracked(|h| store_json(history_key, h)))
            });
            storage_problem.try_set(stored.err());
        });
    };
    // Each rule at multiples of its interval (see `EvaluationSchedule`);
    // becoming the evaluating tab starts at the next tick.
    let schedule = StoredValue::new(EvaluationSchedule::default());
    let led_last_tick = StoredValue::new(false);
    let tick = move || {
        let now = now_seconds();
        let leads = leader.get_untracked();
        if leads != led_last_tick.get_value() {
            // Just became (or stopped being) the evaluating tab: evaluate now.
            led_last_tick.set_value(leads);
            schedule.update_value(EvaluationSchedule::restart);
        }
        let due: Vec<(AlertRule, f64)> = rules.with_value(|rules| {
            schedule
                .try_update_value(|s| {
                    s.due(rules, now)
                        .into_iter()
                        .map(|(rule, at)| (rule.clone(), at))
                        .collect()
                })
                .unwrap_or_default()
        });
        for (rule, at) in due {
            evaluate(rule, at);
        }
    };
    if has_rules {
        tick();
        if let Ok(handle) = set_interval_with_handle(tick, Duration::from_millis(250)) {
            on_cleanup(move || handle.clear());
        }
    }

    // The Prometheus server's own alerting rules, read while there is something to compare.
    let server_rules = RwSignal::new(None::<Result<Vec<ServerRule>, String>>);
    let load_server_rules = move || {
        let datasource = datasource.get_untracked();
        spawn_local(async move {
            let outcome = fetch_alerting_rules(&datasource).await;
            server_rules.try_set(Some(outcome));
        });
    };
    let server_polling = StoredValue::new(false);
    let start_server_polling = move || {
        if server_polling.get_value() {
            return;
        }
        server_polling.set_value(true);
        load_server_rules();
        if let Ok(handle) =
            set_interval_with_handle(load_server_rules, Duration::from_secs(SERVER_RULES_SECONDS))
        {
            on_cleanup(move || handle.clear());
        }
    };
    if has_rules {
        start_server_polling();
    }

    let firing_count = move || {
        states.with(|all| {
            all.values()
                .flat_map(|rule| rule.alerts.values())
                .filter(|a| a.state == AlertState::Firing)
                .count()
        })
    };
    let time = move |t: f64| format_local_datetime(t, &BrowserZone);
    let change_silences = move |change: &dyn Fn(&mut Vec<Silence>)| {
        let mut all = keys.with_value(|(_, _, key)| load_json::<Vec<Silence>>(key));
        prune_expired(&mut all, now_seconds());
        change(&mut all);
        storage_problem.set(keys.with_value(|(_, _, key)| store_json(key, &all)).err());
        silences.set(all);
    };
    let add_silence = move |matchers: Labels, hours: f64, comment: String| {
        let now = now_seconds();
        change_silences(&|all: &mut Vec<Silence>| {
            all.push(Silence {
                id: format!("{}-{}", now_ms(), all.len()),
                matchers: matchers.clone(),
                created_at: now,
                ends_at: now + hours * 3600.0,
                comment: comment.clone(),
            })
        });
    };

    // Backtests: the rule replayed over the dashboard's range, per rule.
    let backtests = RwSignal::new(SortedMap::<String, Result<Vec<Episode>, String>>::new());
    let run_backtest = move |rule: AlertRule| {
        let datasource = datasource.get_untracked();
        let range = range.get_untracked();
        let name = rule.name.clone();
        backtests.update(|b| {
            b.insert(name.clone(), Ok(Vec::new()));
        });
        spawn_local(async move {
            let step = rule.interval_seconds().unwrap_or(60.0).max(1.0);
            let (start, end) = (range.start_ms as f64 / 1000.0, range.end_ms as f64 / 1000.0);
            // Prometheus answers at most 11 000 points per series.
            let step = step.max(((end - start) / 10_000.0).ceil());
            let window = QueryWindow { start, end, step };
            let outcome = match fetch_history(&datasource, &rule, &window).await {
                Ok((series, reference)) => {
                    let mut replay = rule.clone();
                    replay.interval = Some(format!("{}s", step as u64));
                    replay.backtest(&series, start, end, reference.as_ref())
                }
                Err(message) => Err(message),
            };
            if let (Some(annotations), Ok(episodes)) = (annotations, &outcome) {
                annotations.try_set(Some(AlertAnnotations {
                    rule: name.clone(),
                    episodes: episodes.clone(),
                }));
            }
            backtests.try_update(|b| {
                b.insert(name, outcome);
            });
        });
    };

    let server_line = move |name: String| {
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

    let rule_rows = move || {
        rules
            .get_value()
            .into_iter()
            .map(|rule| {
                let name = rule.name.clone();
                let status = {
                    let name = name.clone();
                    move || {
                        health.with(|h| {
                            h.get(&name)
                                .map_or(RuleHealth::Waiting.describe(), RuleHealth::describe)
                        })
                    }
                };
                let instances = {
                    let name = name.clone();
                    let rule = rule.clone();
                    move || {
                        let now = now_seconds();
                        let muted = silences.get();
                        states.with(|all| {
                            all.get(&name)
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
                                            let annotations = rule.render_annotations(&alert.labels, alert.value, &notify.with_value(|n| n.external_labels.clone()));
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
                                            view! {
                                                <tr class="alert-instance" data-alert-state=shown_state data-active-at=alert.active_at.to_string() data-value=alert.value.to_string() data-silenced=silenced_until.is_some().to_string()>
                                                    <td class=format!("alert-state {shown_state}")>{shown_state}</td>
                                                    <td>{describe_labels(&alert.labels)}</td>
                                                    <td>{format!("since {}", time(since))}</td>
                                                    <td>{format_go_float(alert.value)}</td>
                                                    <td><div class="alert-summary">{summary}</div>{details}</td>
                                                    <td>{match silenced_until {
                                                        Some(until) => view! { <span class="silenced">{format!("silenced until {}", time(until))}</span> }.into_any(),
                                                        None => view! {
                                                            <button data-action="silence" title="Send no notifications for this alert for an hour" on:click=move |_| add_silence(labels.clone(), 1.0, String::new())>"Silence 1 h"</button>
                                                        }.into_any(),
                                                    }}</td>
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
                    let name = name.clone();
                    move || {
                        backtests.with(|b| b.get(&name).cloned()).map(|outcome| match outcome {
                            Err(message) => view! { <p class="backtest error" role="alert">{format!("Backtest failed: {message}")}</p> }.into_any(),
                            Ok(episodes) => {
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
                settings.push(format!("every {}", rule.interval.clone().unwrap_or_else(|| "1m".into())));
                view! {
                    <section class="alert-rule" data-alert-rule=name.clone()>
                        <h3>
                            {name.clone()}
                            <span class="alert-rule-status">{status}</span>
                            <button data-action="backtest" title="Replay this rule over the dashboard's time range and shade it on the panels" on:click=move |_| run_backtest(backtest_rule.clone())>"Backtest this range"</button>
                        </h3>
                        {server_line(name.clone())}
                        {backtest_view}
                        <p class="alert-rule-expr"><code>{format!("{} {condition}", rule.expr)}</code>{format!(" — {}", settings.join(", "))}</p>
                        <table class="alert-instances"><tbody>{instances}</tbody></table>
                    </section>
                }
            })
            .collect::<Vec<_>>()
    };

    let silence_form = {
        let matchers_text = RwSignal::new(String::new());
        let hours = RwSignal::new(1.0_f64);
        let comment = RwSignal::new(String::new());
        let problem = RwSignal::new(None::<String>);
        let list = move || {
            let now = now_seconds();
            silences
                .get()
                .into_iter()
                .filter(|s| s.is_active(now))
                .map(|s| {
                    let id = s.id.clone();
                    view! {
                        <li class="silence" data-silence=s.describe_matchers()>
                            {format!("{} — until {}{}", s.describe_matchers(), time(s.ends_at), if s.comment.is_empty() { String::new() } else { format!(" ({})", s.comment) })}
                            <button data-action="expire-silence" on:click=move |_| {
                                let id = id.clone();
                                change_silences(&move |all: &mut Vec<Silence>| all.retain(|s| s.id != id));
                            }>"Expire now"</button>
                        </li>
                    }
                })
                .collect::<Vec<_>>()
        };
        view! {
            <div class="silences">
                <h4>"Silences (notifications from this page are muted while one matches)"</h4>
                <ul>{list}</ul>
                <form class="silence-form" on:submit=move |event| {
                    event.prevent_default();
                    match parse_matchers(&matchers_text.get_untracked()) {
                        Ok(matchers) => {
                            problem.set(None);
                            add_silence(matchers, hours.get_untracked(), comment.get_untracked());
                            matchers_text.set(String::new());
                            comment.set(String::new());
                        }
                        Err(message) => problem.set(Some(message)),
                    }
                }>
                    <input name="matchers" placeholder="alertname=\"HighErrorRate\", job=\"api\"" prop:value=matchers_text on:input=move |e| matchers_text.set(event_target_value(&e)) />
                    <select name="hours" on:change=move |e| hours.set(foresight_core::foundation::float_text::parse_f64(&event_target_value(&e)).unwrap_or(1.0))>
                        <option value="1">"1 hour"</option>
                        <option value="4">"4 hours"</option>
                        <option value="24">"1 day"</option>
                        <option value="168">"1 week"</option>
                    </select>
                    <input name="comment" placeholder="why (optional)" prop:value=comment on:input=move |e| comment.set(event_target_value(&e)) />
                    <button type="submit">"Add silence"</button>
                </form>
                {move || problem.get().map(|p| view! { <p class="message error" role="alert">{p}</p> })}
            </div>
        }
    };

    let notification_settings = move || {
        let choice = match permission.get() {
            "default" => view! {
                <span>
                    "Foresight can show a system notification when an alert starts firing, even while this tab is in the background. Your browser will ask you once. "
                    <button data-action="enable-notifications" on:click=move |_| request_notification_permission(move |answer| { permission.try_set(answer); })>"Enable browser notifications"</button>
                </span>
            }.into_any(),
            "granted" => view! { <span data-notifications="granted">"Browser notifications are on for alerts that start firing."</span> }.into_any(),
            "denied" => view! { <span data-notifications="denied">"Browser notifications are blocked for this page; allow them in the browser's site settings to get them."</span> }.into_any(),
            _ => view! { <span>"This browser cannot show notifications."</span> }.into_any(),
        };
        view! {
            <div class="alert-notification-settings">
                {choice}
                <label>
                    <input type="checkbox" data-action="alert-sound" prop:checked=sound on:change=move |e| {
                        let on = event_target_checked(&e);
                        set_sound_enabled(on);
                        sound.set(on);
                        if on { play_alert_sound(); }
                    } />
                    " Play a sound"
                </label>
            </div>
        }
    };

    view! {
        {move || (firing_count() > 0).then(|| view! {
            <div class="firing-banner" role="alert" data-testid="firing-banner">
                {format!("{} alert{} firing — see Alerts below", firing_count(), if firing_count() == 1 { "" } else { "s" })}
            </div>
        })}
        <details class="alerts-view" data-testid="alerts-view" open=has_rules on:toggle=move |_| start_server_polling()>
            <summary data-leader=move || leader.get().to_string()>{move || format!(
                "Alerts ({} rules, {} firing) — evaluated {}",
                rules.with_value(Vec::len),
                firing_count(),
                if leader.get() { "in this tab" } else { "in another tab of this browser" }
            )}</summary>
            {notification_settings}
            {move || storage_problem.get().map(|p| view! { <p class="message error" role="alert" data-testid="alert-storage-problem">{p}</p> })}
            <ul class="deliveries" data-testid="deliveries">
                {move || deliveries.get().into_iter().map(|(url, line)| view! { <li data-delivery=url>{line}</li> }).collect::<Vec<_>>()}
            </ul>
            {rule_rows}
            <AlertTimeline states=states history=history />
            {silence_form}
            <ServerRulesTable server_rules=server_rules rules=rules editing=editing />
        </details>
    }
}
