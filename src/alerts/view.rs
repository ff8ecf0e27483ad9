//! The dashboard's alert rules, evaluated in the page on their interval with
//! the pure state machine by one tab per dashboard (a Web Lock), their state,
//! history and silences kept in local storage (a reload keeps pending time),
//! shown as rules and instances with a timeline, beside the states of the
//! Prometheus server's own rules; notifications go out through
//! `alert_notifications`, and backtests are drawn on the panels.

use crate::alerts::evaluation::{run_evaluation, AlertStore};
use crate::alerts::notification_settings::NotificationSettings;
use crate::alerts::queries::fetch_history;
use crate::alerts::remediation::{ActionConfirmation, ActionRuns, PendingAction};
use crate::alerts::rule_card::{BacktestOutcome, RuleCard, RuleCardShared};
use crate::alerts::sections::{AlertTimeline, ServerRulesTable};
use crate::alerts::silences::SilenceList;
use crate::alerts::AlertAnnotations;
use crate::browser::clock::{now_ms, now_seconds};
use crate::browser::prometheus_client::{fetch_alerting_rules, DatasourceEngine};
use crate::browser::storage::{load_json, store_json};
use foresight_core::alerting::rule::{rule_keys, AlertRule};
use foresight_core::alerting::server_rules::ServerRule;
use foresight_core::alerting::silence::{prune_expired, Silence};
use foresight_core::alerting::state_machine::AlertState;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::NotifyTargets;
use foresight_core::model::datasource::Datasource;
use foresight_core::model::edit::Edit;
use foresight_core::query::series::Labels;
use foresight_core::query::step::{QueryWindow, PROMETHEUS_MAX_POINTS_PER_SERIES};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How often the server's own rules are read while the alerts are shown.
const SERVER_RULES_SECONDS: u64 = 15;

#[component]
pub fn AlertsView(
    /// Keys its state, history, silences and evaluation lock: a link cannot
    /// share them with a saved dashboard of the same id.
    state_namespace: String,
    rules: Vec<AlertRule>,
    /// What the dashboard holds but the page does not evaluate, and why.
    #[prop(optional)]
    notes: Vec<String>,
    /// Where alerts are sent (may be empty).
    notify: NotifyTargets,
    datasource: Signal<Datasource>,
    /// The dashboard's time range, for backtests.
    range: Signal<foresight_core::query::time_range::ResolvedRange>,
    /// While editing: server rules can be added to the dashboard.
    #[prop(optional, into)]
    on_edit: Signal<Option<Callback<Edit>>>,
    /// The dashboard's alert store, when the page opened it.
    #[prop(optional)]
    store: Option<AlertStore>,
) -> impl IntoView {
    // Opened by the page when it offers remediation elsewhere too (from
    // "What else moved?"), so both keep runs in the same history.
    let store = store.unwrap_or_else(|| {
        AlertStore::open(
            &state_namespace,
            &rules,
            on_edit.with_untracked(Option::is_none),
        )
    });
    let AlertStore {
        keys,
        states,
        history,
        silences,
        health,
        deliveries,
        permission,
        storage_problem,
        unreadable,
    } = store;
    let has_rules = !rules.is_empty();
    let rules = StoredValue::new(rules);
    let notify = StoredValue::new(notify);
    let annotations = use_context::<RwSignal<Option<AlertAnnotations>>>();

    // Nothing to evaluate (a dashboard shown without its rules until they are
    // accepted): no claim on the evaluation lock, which the dashboard
    // opened elsewhere with its rules needs.
    let leader = if has_rules {
        run_evaluation(&state_namespace, rules, notify, datasource, store)
    } else {
        RwSignal::new(false)
    };
    // A remediation action waiting for the user's go, and storing the
    // history once a run is kept in it.
    let pending_action = RwSignal::new(None::<PendingAction>);
    let store_history = Callback::new(move |()| store.store_history());

    // The Prometheus server's own alerting rules, read while there is something to compare.
    let server_rules = RwSignal::new(None::<Result<Vec<ServerRule>, String>>);
    // Said instead when the engine keeps its rules elsewhere (not an error).
    let rules_elsewhere = RwSignal::new(None::<String>);
    let engine = use_context::<DatasourceEngine>().map(|e| e.0);
    let load_server_rules = move || {
        let datasource = datasource.get_untracked();
        let report = engine.and_then(|e| e.get_untracked());
        // Not asked of an engine whose rules live elsewhere (vmalert): its
        // answer is empty, and refused to a page besides.
        if let Some(report) = report.filter(|r| !r.effective_engine().serves_rules()) {
            rules_elsewhere.set(Some(format!(
                "{} keeps its alerting rules in a separate server (vmalert), which this page does not read; the rules below are evaluated here.",
                report.effective_engine().name()
            )));
            return;
        }
        spawn_local(async move {
            let outcome = fetch_alerting_rules(&datasource).await;
            server_rules.try_set(Some(outcome));
        });
    };
    // The polling belongs to the view, not to the effect that starts it: an
    // effect's cleanup runs at each of its re-runs.
    let server_polling = StoredValue::new(None::<IntervalHandle>);
    on_cleanup(move || {
        if let Some(handle) = server_polling.get_value() {
            handle.clear();
        }
    });
    // Only once the engine is known: an engine without a rules API is not asked at all.
    let engine_known = move || engine.is_none_or(|e| e.with_untracked(Option::is_some));
    let start_server_polling = move || {
        if server_polling.with_value(Option::is_some) || !engine_known() {
            return;
        }
        load_server_rules();
        if let Ok(handle) =
            set_interval_with_handle(load_server_rules, Duration::from_secs(SERVER_RULES_SECONDS))
        {
            server_polling.set_value(Some(handle));
        }
    };
    // Wanted while there is something to compare, or once the section is opened.
    let server_rules_wanted = RwSignal::new(has_rules);
    Effect::new(move |_| {
        if let Some(engine) = engine {
            engine.track();
        }
        if server_rules_wanted.get() {
            untrack(start_server_polling);
        }
    });

    let firing_count = move || {
        states.with(|all| {
            all.values()
                .flat_map(|rule| rule.alerts.values())
                .filter(|a| a.state == AlertState::Firing)
                .count()
        })
    };
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
    let backtests = RwSignal::new(SortedMap::<String, Option<BacktestOutcome>>::new());
    let run_backtest = move |(key, rule): (String, AlertRule)| {
        let datasource = datasource.get_untracked();
        let range = range.get_untracked();
        let name = rule.name.clone();
        backtests.update(|b| {
            b.insert(key.clone(), None);
        });
        spawn_local(async move {
            let step = rule.interval_seconds().unwrap_or(60.0).max(1.0);
            let (start, end) = (range.start_ms as f64 / 1000.0, range.end_ms as f64 / 1000.0);
            // Within the engine's point limit, on instants every engine evaluates at.
            let max_points = engine
                .and_then(|e| e.get_untracked())
                .map_or(PROMETHEUS_MAX_POINTS_PER_SERIES, |r| {
                    r.effective_engine().max_points_per_series()
                });
            let window = QueryWindow::aligned(start, end, step, max_points);
            let (start, end, step) = (window.start, window.end, window.step);
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
                b.insert(key, Some(outcome));
            });
        });
    };

    let card_shared = RuleCardShared {
        health,
        states,
        silences,
        backtests,
        server_rules,
        external_labels: StoredValue::new(notify.with_value(|n| n.external_labels.clone())),
        annotations,
        run_backtest: Callback::new(run_backtest),
        add_silence: Callback::new(move |(matchers, hours, comment)| {
            add_silence(matchers, hours, comment)
        }),
        ask_action: Callback::new(move |asked: PendingAction| pending_action.set(Some(asked))),
    };
    let rule_rows = move || {
        let rules = rules.get_value();
        let keys = rule_keys(&rules);
        rules
            .into_iter()
            .zip(keys)
            .map(|(rule, key)| view! { <RuleCard rule=rule rule_key=key shared=card_shared /> })
            .collect::<Vec<_>>()
    };

    view! {
        {move || (firing_count() > 0).then(|| view! {
            <div class="firing-banner" role="alert" data-testid="firing-banner">
                {format!("{} alert{} firing — see Alerts below", firing_count(), if firing_count() == 1 { "" } else { "s" })}
            </div>
        })}
        <details class="alerts-view" data-testid="alerts-view" open=has_rules on:toggle=move |_| server_rules_wanted.set(true)>
            <summary data-leader=move || leader.get().to_string()>{move || format!(
                "Alerts ({} rules, {} firing){}",
                rules.with_value(Vec::len),
                firing_count(),
                // Without rules nothing is evaluated, here or elsewhere.
                match (has_rules, leader.get()) {
                    (false, _) => "",
                    (true, true) => " — evaluated in this tab",
                    (true, false) => " — evaluated in another tab of this browser",
                }
            )}</summary>
            <NotificationSettings permission=permission />
            {notes.into_iter().map(|note| view! { <p class="message" data-testid="unevaluated-slo">{note}</p> }).collect::<Vec<_>>()}
            {move || storage_problem.get().map(|p| view! { <p class="message error" role="alert" data-testid="alert-storage-problem">{p}</p> })}
            {move || unreadable.get().map(|p| view! { <p class="message error" role="alert" data-testid="alert-storage-unreadable">{p}</p> })}
            <ul class="deliveries" data-testid="deliveries">
                {move || deliveries.get().into_iter().map(|(url, line)| view! { <li data-delivery=url>{line}</li> }).collect::<Vec<_>>()}
            </ul>
            <ActionConfirmation pending=pending_action history=history stored=store_history />
            {rule_rows}
            <ActionRuns history=history />
            <AlertTimeline states=states history=history />
            <SilenceList
                silences=silences
                add=Callback::new(move |(matchers, hours, comment)| add_silence(matchers, hours, comment))
                expire=Callback::new(move |id: String| change_silences(&move |all: &mut Vec<Silence>| all.retain(|s| s.id != id)))
            />
            <ServerRulesTable server_rules=server_rules rules_elsewhere=rules_elsewhere rules=rules on_edit=on_edit />
        </details>
    }
}
