//! The dashboard's alert rules, evaluated in the page on their interval with
//! the pure state machine, their state kept in local storage (a reload keeps
//! pending time), shown as a list of rules and instances, with a banner while
//! anything fires.

use crate::browser_clock::now_ms;
use crate::prometheus_client::fetch_query;
use foresight_core::alerting::notify::{
    alertmanager_body, due_alerts, webhook_body, Outgoing, RETRY_DELAYS_SECONDS,
};
use foresight_core::alerting::rule::AlertRule;
use foresight_core::alerting::state_machine::{AlertState, RuleState};
use foresight_core::dashboard_model::NotifyTargets;
use foresight_core::datasource::Datasource;
use foresight_core::prometheus_response::QueryData;
use foresight_core::series::Labels;
use foresight_core::time_axis::format_local_datetime;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// How a rule's last evaluation went.
#[derive(Debug, Clone, PartialEq)]
enum RuleHealth {
    Waiting,
    Ok,
    NoData,
    Error(String),
}

fn storage_key(dashboard_id: &str) -> String {
    format!("foresight.alert-state.{dashboard_id}")
}

fn load_states(dashboard_id: &str) -> BTreeMap<String, RuleState> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(&storage_key(dashboard_id)).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn store_states(dashboard_id: &str, states: &BTreeMap<String, RuleState>) {
    if let (Some(storage), Ok(text)) = (
        web_sys::window().and_then(|w| w.local_storage().ok().flatten()),
        serde_json::to_string(states),
    ) {
        let _ = storage.set_item(&storage_key(dashboard_id), &text);
    }
}

fn describe_labels(labels: &Labels) -> String {
    labels
        .iter()
        .filter(|(name, _)| name.as_str() != "alertname")
        .map(|(name, value)| format!("{name}=\"{value}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// POSTs `body` to `url`, retrying with backoff; reports each outcome.
async fn deliver(
    url: String,
    body: String,
    what: String,
    status: RwSignal<BTreeMap<String, String>>,
) {
    let attempts = RETRY_DELAYS_SECONDS.len() + 1;
    for attempt in 1..=attempts {
        let outcome = match gloo_net::http::Request::post(&url)
            .header("Content-Type", "application/json")
            .body(body.clone())
        {
            Ok(request) => match request.send().await {
                Ok(response) if response.ok() => Ok(()),
                Ok(response) => Err(format!("HTTP {}", response.status())),
                Err(error) => Err(error.to_string()),
            },
            Err(error) => Err(error.to_string()),
        };
        let line = match &outcome {
            Ok(()) => format!("{what}: delivered to {url} at {}", format_local_datetime(now_ms() as f64 / 1000.0, 0)),
            Err(error) if attempt < attempts => format!("{what}: delivery to {url} failed ({error}), attempt {attempt} of {attempts}, retrying"),
            Err(error) => format!("{what}: delivery to {url} failed ({error}); gave up after {attempts} attempts"),
        };
        status.try_update(|s| {
            s.insert(url.clone(), line);
        });
        if outcome.is_ok() {
            return;
        }
        if let Some(delay) = RETRY_DELAYS_SECONDS.get(attempt - 1) {
            sleep_ms((delay * 1000.0) as i32).await;
        }
    }
}

fn send(notify: &NotifyTargets, alerts: &[Outgoing], status: RwSignal<BTreeMap<String, String>>) {
    if alerts.is_empty() {
        return;
    }
    let generator = window().location().href().unwrap_or_default();
    if let Some(base) = &notify.alertmanager {
        let url = format!("{}/api/v2/alerts", base.trim_end_matches('/'));
        let body = alertmanager_body(alerts, &generator).to_string();
        spawn_local(deliver(url, body, "Alertmanager".into(), status));
    }
    for url in &notify.webhooks {
        let body = webhook_body(alerts, &generator).to_string();
        spawn_local(deliver(url.clone(), body, "Webhook".into(), status));
    }
}

#[component]
pub fn AlertsView(
    dashboard_id: String,
    rules: Vec<AlertRule>,
    /// Where alerts are sent (may be empty).
    notify: NotifyTargets,
    datasource: Signal<Datasource>,
    /// The dashboard's time range, for backtests.
    range: Signal<foresight_core::time_range::ResolvedRange>,
    utc_offset_minutes: i32,
) -> impl IntoView {
    let states = RwSignal::new(load_states(&dashboard_id));
    let health = RwSignal::new(BTreeMap::<String, RuleHealth>::new());
    let rules = StoredValue::new(rules);
    let id = StoredValue::new(dashboard_id);
    let notify = StoredValue::new(notify);
    let deliveries = RwSignal::new(BTreeMap::<String, String>::new());

    // One tab evaluates and notifies (the holder of a Web Lock per dashboard);
    // the others show what it stored. When it closes, the next tab takes over.
    let leader = RwSignal::new(false);
    let release = StoredValue::new_local(None::<js_sys::Function>);
    {
        let lock_name = id.with_value(|id| format!("foresight-alerts:{id}"));
        let locks = web_sys::window()
            .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"locks".into()).ok())
            .filter(|l| !l.is_undefined() && !l.is_null());
        let request = locks.as_ref().and_then(|l| {
            js_sys::Reflect::get(l, &"request".into())
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        });
        match (locks, request) {
            (Some(locks), Some(request)) => {
                let granted = wasm_bindgen::closure::Closure::once_into_js(
                    move |_lock: wasm_bindgen::JsValue| {
                        if leader.try_set(true).is_some() {
                            // The page moved on before the lock came: give it back at once.
                            return js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED);
                        }
                        states.try_set(id.try_with_value(|id| load_states(id)).unwrap_or_default());
                        // Held until this view goes away (or the tab closes).
                        js_sys::Promise::new(&mut |resolve, _| {
                            release.try_set_value(Some(resolve));
                        })
                    },
                );
                let _ = request.call2(
                    &locks,
                    &wasm_bindgen::JsValue::from_str(&lock_name),
                    &granted,
                );
            }
            // No Web Locks (very old browsers): every tab evaluates.
            _ => leader.set(true),
        }
    }
    on_cleanup(move || {
        release.try_with_value(|resolve| {
            if let Some(resolve) = resolve {
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            }
        });
    });

    let evaluate = move |rule: AlertRule| {
        if !leader.get_untracked() {
            // Another tab evaluates: show what it stored.
            states.set(id.with_value(|id| load_states(id)));
            return;
        }
        let datasource = datasource.get_untracked();
        spawn_local(async move {
            let now = now_ms() as f64 / 1000.0;
            let (for_s, keep_s) = (
                rule.for_seconds().unwrap_or(0.0),
                rule.keep_firing_for_seconds().unwrap_or(0.0),
            );
            let outcome = fetch_query(&datasource, &rule.expr, now, None).await;
            let answer: Result<Vec<(Labels, f64)>, String> = match outcome {
                Ok(success) => match success.data {
                    QueryData::Vector(samples) => {
                        Ok(samples.into_iter().map(|s| (s.labels, s.value)).collect())
                    }
                    QueryData::Scalar { value, .. } => Ok(vec![(Labels::new(), value)]),
                    _ => Err("the expression must return an instant vector".into()),
                },
                Err(error) => Err(error.to_string()),
            };
            match answer {
                // As in Prometheus, a failed evaluation leaves the alerts as they were.
                Err(message) => {
                    health.try_update(|h| {
                        h.insert(rule.name.clone(), RuleHealth::Error(message));
                    });
                }
                Ok(answer) => {
                    let outputs = rule.outputs(&answer, &Labels::new());
                    let empty = outputs.is_empty() && answer.is_empty();
                    let mut due = Vec::new();
                    states.try_update(|all| {
                        let state = all.entry(rule.name.clone()).or_default();
                        state.evaluate(now, &outputs, for_s, keep_s);
                        if !notify.with_value(NotifyTargets::is_empty) {
                            due = due_alerts(&rule, state, now, &Labels::new());
                        }
                    });
                    notify.with_value(|targets| send(targets, &due, deliveries));
                    health.try_update(|h| {
                        h.insert(
                            rule.name.clone(),
                            if empty {
                                RuleHealth::NoData
                            } else {
                                RuleHealth::Ok
                            },
                        );
                    });
                    states.with_untracked(|all| id.with_value(|id| store_states(id, all)));
                }
            }
        });
    };
    // Each rule on its own interval, starting now.
    // Becoming the evaluating tab starts at once, from the stored state.
    Effect::new(move |_| {
        if leader.get() {
            for rule in rules.get_value() {
                evaluate(rule);
            }
        }
    });
    for rule in rules.get_value() {
        let interval = rule.interval_seconds().unwrap_or(60.0).max(1.0);
        evaluate(rule.clone());
        if let Ok(handle) = set_interval_with_handle(
            move || evaluate(rule.clone()),
            Duration::from_secs_f64(interval),
        ) {
            on_cleanup(move || handle.clear());
        }
    }

    let firing_count = move || {
        states.with(|all| {
            all.values()
                .flat_map(|rule| rule.alerts.values())
                .filter(|a| a.state == AlertState::Firing)
                .count()
        })
    };
    let time = move |t: f64| format_local_datetime(t, utc_offset_minutes);
    // Backtests: the rule replayed over the dashboard's range, per rule.
    let backtests = RwSignal::new(BTreeMap::<
        String,
        Result<Vec<foresight_core::alerting::rule::Episode>, String>,
    >::new());
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
            let window = foresight_core::query_step::QueryWindow { start, end, step };
            let outcome = match crate::prometheus_client::fetch_query_range(
                &datasource,
                &rule.expr,
                &window,
                None,
            )
            .await
            {
                Ok(answer) => match answer.data {
                    QueryData::Matrix(series) => {
                        let mut replay = rule.clone();
                        replay.interval = Some(format!("{}s", step as u64));
                        replay.backtest(&series, start, end)
                    }
                    _ => Err("the expression must return series".into()),
                },
                Err(error) => Err(error.to_string()),
            };
            backtests.try_update(|b| {
                b.insert(name, outcome);
            });
        });
    };
    let rule_rows = move || {
        rules
            .get_value()
            .into_iter()
            .map(|rule| {
                let name = rule.name.clone();
                let status = {
                    let name = name.clone();
                    move || match health.with(|h| h.get(&name).cloned()).unwrap_or(RuleHealth::Waiting) {
                        RuleHealth::Waiting => "waiting for the first evaluation".to_string(),
                        RuleHealth::Ok => "evaluated".to_string(),
                        RuleHealth::NoData => "no data".to_string(),
                        RuleHealth::Error(message) => format!("error: {message}"),
                    }
                };
                let instances = {
                    let name = name.clone();
                    let rule = rule.clone();
                    move || {
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
                                            let summary = rule
                                                .render_annotations(&alert.labels, alert.value, &Labels::new())
                                                .get("summary")
                                                .cloned()
                                                .unwrap_or_default();
                                            view! {
                                                <tr class="alert-instance" data-alert-state=shown_state data-active-at=alert.active_at.to_string() data-value=alert.value.to_string()>
                                                    <td class=format!("alert-state {shown_state}")>{shown_state}</td>
                                                    <td>{describe_labels(&alert.labels)}</td>
                                                    <td>{format!("since {}", time(since))}</td>
                                                    <td>{foresight_core::alerting::template::format_go_float(alert.value)}</td>
                                                    <td class="alert-summary">{summary}</td>
                                                </tr>
                                            }
                                        })
                                        .collect::<Vec<_>>()
                                })
                                .unwrap_or_default()
                        })
                    }
                };
                let condition = match rule.condition {
                    foresight_core::alerting::rule::Condition::Returns => String::new(),
                    foresight_core::alerting::rule::Condition::Threshold { op, value } => format!(" {} {value}", op.symbol()),
                };
                let backtest_rule = rule.clone();
                let backtest_view = {
                    let name = name.clone();
                    move || {
                        backtests.with(|b| b.get(&name).cloned()).map(|outcome| match outcome {
                            Err(message) => view! { <p class="backtest error" role="alert">{format!("Backtest failed: {message}")}</p> }.into_any(),
                            Ok(episodes) => {
                                let pages = foresight_core::alerting::rule::pages(&episodes);
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
                                        <p>{format!("Over this range the rule would have paged you {pages} time{} ({} episodes).", if pages == 1 { "" } else { "s" }, episodes.len())}</p>
                                        <ul>{rows}</ul>
                                    </div>
                                }.into_any()
                            }
                        })
                    }
                };
                view! {
                    <section class="alert-rule" data-alert-rule=name.clone()>
                        <h3>
                            {name.clone()}
                            <span class="alert-rule-status">{status}</span>
                            <button data-action="backtest" title="Replay this rule over the dashboard's time range" on:click=move |_| run_backtest(backtest_rule.clone())>"Backtest this range"</button>
                        </h3>
                        {backtest_view}
                        <p class="alert-rule-expr"><code>{format!("{}{condition}", rule.expr)}</code>{rule.for_duration.clone().map(|f| format!(" for {f}"))}</p>
                        <table class="alert-instances"><tbody>{instances}</tbody></table>
                    </section>
                }
            })
            .collect::<Vec<_>>()
    };
    view! {
        {move || (firing_count() > 0).then(|| view! {
            <div class="firing-banner" role="alert" data-testid="firing-banner">
                {format!("{} alert{} firing — see Alerts below", firing_count(), if firing_count() == 1 { "" } else { "s" })}
            </div>
        })}
        <details class="alerts-view" data-testid="alerts-view" open=true>
            <summary data-leader=move || leader.get().to_string()>{move || format!(
                "Alerts ({} rules, {} firing) — evaluated {}",
                rules.with_value(Vec::len),
                firing_count(),
                if leader.get() { "in this tab" } else { "in another tab of this browser" }
            )}</summary>
            <ul class="deliveries" data-testid="deliveries">
                {move || deliveries.get().into_iter().map(|(url, line)| view! { <li data-delivery=url>{line}</li> }).collect::<Vec<_>>()}
            </ul>
            {rule_rows}
        </details>
    }
}
