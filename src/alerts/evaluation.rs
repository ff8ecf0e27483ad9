//! The dashboard's alert rules evaluated in the page: their state, history and
//! silences kept in local storage (a reload keeps pending time), one tab per
//! dashboard evaluating (a Web Lock) on each rule's interval, each evaluation
//! one `alerting::engine::step`; the others show what it stored.

use crate::alerts::notifications::send;
use crate::alerts::queries::{answer_template_queries, evaluate_query};
use crate::browser::clock::now_seconds;
use crate::browser::notifications::{
    notification_permission, play_alert_sound, show_browser_notification, sound_enabled,
};
use crate::browser::storage::{load_json, load_json_reporting, store_json};
use crate::hooks::web_lock::{hold_leadership, still_leads};
use foresight_core::alerting::engine::{step, EvaluationSchedule, RuleHealth, StepContext};
use foresight_core::alerting::history::AlertHistory;
use foresight_core::alerting::rule::{rule_keys, AlertRule};
use foresight_core::alerting::silence::{prune_expired, Silence};
use foresight_core::alerting::state_machine::RuleState;
use foresight_core::alerting::template::TemplateData;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::NotifyTargets;
use foresight_core::model::datasource::Datasource;
use foresight_core::model::trust::{earlier_rules_state_removable, evaluation_lock_name};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

fn states_key(dashboard_id: &str) -> String {
    format!("foresight.alert-state.{dashboard_id}")
}

fn history_key(dashboard_id: &str) -> String {
    format!("foresight.alert-history.{dashboard_id}")
}

/// The alert history this browser keeps for the dashboard under `namespace`
/// (what the page's own alert events are read from).
pub fn stored_alert_history(namespace: &str) -> AlertHistory {
    load_json(&history_key(namespace))
}

fn silences_key(dashboard_id: &str) -> String {
    format!("foresight.silences.{dashboard_id}")
}

/// What the alerts of one dashboard keep, in signals and in local storage.
#[derive(Clone, Copy)]
pub struct AlertStore {
    /// Storage keys: states, history, silences.
    pub keys: StoredValue<(String, String, String)>,
    pub states: RwSignal<SortedMap<String, RuleState>>,
    pub history: RwSignal<AlertHistory>,
    pub silences: RwSignal<Vec<Silence>>,
    pub health: RwSignal<SortedMap<String, RuleHealth>>,
    /// Each notification target's last outcome, by URL.
    pub deliveries: RwSignal<SortedMap<String, String>>,
    /// Whether the browser shows notifications (`granted`, …).
    pub permission: RwSignal<&'static str>,
    /// Why the last write to local storage failed, if it did.
    pub storage_problem: RwSignal<Option<String>>,
    /// What stored could not be read (and where its text was kept).
    pub unreadable: RwSignal<Option<String>>,
}

impl AlertStore {
    /// Writes the history to local storage (a remediation run was kept in it).
    pub fn store_history(&self) {
        let history = self.history;
        let stored = self.keys.with_value(|(_, history_key, _)| {
            history.with_untracked(|h| store_json(history_key, h))
        });
        self.storage_problem.try_set(stored.err());
    }

    /// Opens what is stored for the dashboard `state_namespace`, dropping the
    /// state of rules it no longer has; `drop_earlier_rules`: also the state
    /// and history kept for its earlier rules (not while it is being edited:
    /// an edit may be undone or left unsaved).
    pub fn open(state_namespace: &str, rules: &[AlertRule], drop_earlier_rules: bool) -> Self {
        // Silences are the user's, so they outlive rule edits: keyed by where the
        // dashboard came from and its id, without the rules' fingerprint.
        let family = state_namespace
            .rsplit_once('.')
            .map_or(state_namespace, |(family, _)| family)
            .to_string();
        let keys = (
            states_key(state_namespace),
            history_key(state_namespace),
            silences_key(&family),
        );
        // State and history of this dashboard's earlier rules would stay
        // forever; those another tab evaluates (it may be editing them) stay.
        if drop_earlier_rules {
            let (current, family) = (state_namespace.to_string(), family.clone());
            leptos::task::spawn_local(async move {
                let held = crate::browser::tab::held_locks().await;
                // Copies kept of unreadable ones too (see `load_json_reporting`).
                for kind in [
                    "foresight.alert-state.",
                    "foresight.alert-history.",
                    "foresight.unreadable.foresight.alert-state.",
                    "foresight.unreadable.foresight.alert-history.",
                ] {
                    crate::browser::storage::remove_keys_where(kind, |namespace| {
                        earlier_rules_state_removable(namespace, &current, &family, held.as_ref())
                    });
                }
            });
        }
        let store = Self {
            keys: StoredValue::new(keys),
            states: RwSignal::new(SortedMap::new()),
            history: RwSignal::new(AlertHistory::default()),
            silences: RwSignal::new(Vec::new()),
            health: RwSignal::new(SortedMap::new()),
            deliveries: RwSignal::new(SortedMap::new()),
            permission: RwSignal::new(notification_permission()),
            storage_problem: RwSignal::new(None),
            unreadable: RwSignal::new(None),
        };
        let (mut stored_states, stored_history, stored_silences) = store.load();
        // States of rules no longer in the dashboard would otherwise stay forever.
        let keys = rule_keys(rules);
        stored_states.retain(|key, _| keys.contains(key));
        store.states.set(stored_states);
        store.history.set(stored_history);
        store.silences.set(stored_silences);
        store
    }

    /// States, history and silences as stored now (another tab may have
    /// written them); one that cannot be read is said in `unreadable`.
    pub fn load(&self) -> (SortedMap<String, RuleState>, AlertHistory, Vec<Silence>) {
        let (states, history, silences, problems) =
            self.keys.with_value(|(states, history, silences)| {
                let (states, states_problem) = load_json_reporting(states);
                let (history, history_problem) = load_json_reporting(history);
                let (silences, silences_problem) = load_json_reporting(silences);
                let problems: Vec<String> = [states_problem, history_problem, silences_problem]
                    .into_iter()
                    .flatten()
                    .collect();
                (states, history, silences, problems)
            });
        if !problems.is_empty() {
            self.unreadable.try_set(Some(problems.join("; ")));
        }
        (states, history, silences)
    }
}

/// Runs the automatic actions of `rule` due for its firing alerts (see
/// `remediation::runs_by_itself`): confirmed addresses only, at most once
/// per alert per the action's `every`.
fn run_automatic_actions(
    rule: &AlertRule,
    key: &str,
    now: f64,
    states: RwSignal<SortedMap<String, RuleState>>,
    history: RwSignal<AlertHistory>,
    notify: StoredValue<NotifyTargets>,
    store_history: Callback<()>,
) {
    use foresight_core::alerting::remediation::runs_by_itself;
    use foresight_core::alerting::state_machine::AlertState;
    let confirmed = crate::browser::storage::load_confirmed_origins();
    let firing: Vec<_> = states.with_untracked(|all| {
        all.get(key)
            .map(|s| {
                s.alerts
                    .values()
                    .filter(|a| a.state == AlertState::Firing)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    });
    let external = notify.with_value(|n| n.external_labels.clone());
    for alert in &firing {
        for action in &rule.actions {
            let due = history.with_untracked(|h| {
                runs_by_itself(
                    &rule.name,
                    action,
                    &alert.labels,
                    &h.action_runs,
                    now,
                    true,
                    confirmed.permits_notification(&action.url),
                )
            });
            if due {
                let pending = crate::alerts::remediation::PendingAction {
                    rule: rule.name.clone(),
                    action: action.name.clone(),
                    labels: alert.labels.clone(),
                    request: action.prepare(rule, alert, &external),
                };
                crate::alerts::remediation::run_and_keep(pending, true, history, store_history);
            }
        }
    }
}

/// Evaluates `rules` while the calling component lives, in this tab once it
/// holds the dashboard's lock; returns whether it does.
pub fn run_evaluation(
    state_namespace: &str,
    rules: StoredValue<Vec<AlertRule>>,
    notify: StoredValue<NotifyTargets>,
    datasource: Signal<Datasource>,
    store: AlertStore,
) -> RwSignal<bool> {
    let AlertStore {
        keys,
        states,
        history,
        silences,
        health,
        deliveries,
        permission,
        storage_problem,
        ..
    } = store;
    let load_all = move || store.load();
    // Actions run by themselves only from a shipped or saved dashboard.
    let trusted = foresight_core::model::trust::namespace_is_trusted(state_namespace);
    let store_history = Callback::new(move |()| store.store_history());
    // One tab evaluates and notifies; the others show what it stored.
    let leader = RwSignal::new(false);
    let lock_name = evaluation_lock_name(state_namespace);
    hold_leadership(lock_name.clone(), leader, move || {
        let (s, h, _) = load_all();
        states.try_set(s);
        history.try_set(h);
    });

    // When each rule is due, and which are still being evaluated (see
    // `EvaluationSchedule`).
    let schedule = StoredValue::new(EvaluationSchedule::default());
    let finished = move |key: &str| {
        schedule.try_update_value(|s| s.finished(key));
    };
    let evaluate = move |key: String, rule: AlertRule, at: f64| {
        let lock_name = lock_name.clone();
        if !leader.get_untracked() || !still_leads(&lock_name) {
            finished(&key);
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
        let done = key.clone();
        let evaluation = async move {
            let now = at;
            let answer = evaluate_query(&datasource, &rule, now).await;
            let mut templates = TemplateData {
                external_labels: notify.with_value(|n| n.external_labels.clone()),
                ..TemplateData::default()
            };
            if let Ok(answer) = &answer {
                // Stops if this tab stops evaluating or the view goes away.
                let leads = || leader.try_get_untracked().unwrap_or(false);
                answer_template_queries(&datasource, &rule, answer, now, &mut templates, &leads)
                    .await;
            }
            // Silences may have been changed in another tab.
            let mut muted = keys.with_value(|(_, _, key)| load_json::<Vec<Silence>>(key));
            prune_expired(&mut muted, now);
            let mut outcome = None;
            states.try_update(|all| {
                history.try_update(|h| {
                    outcome = Some(step(
                        &rule,
                        answer,
                        all.entry(key.clone()).or_default(),
                        h,
                        StepContext {
                            templates: &templates,
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
            // Without Web Locks, a tab whose timers slept may have lost its
            // lease meanwhile: then another tab leads, and this result is stale.
            if !still_leads(&lock_name) {
                return;
            }
            notify.with_value(|targets| send(targets, &outcome.due, deliveries));
            for notice in &outcome.notices {
                show_browser_notification(&notice.title, &notice.body, &notice.tag);
            }
            if !outcome.notices.is_empty() && sound_enabled() {
                play_alert_sound();
            }
            silences.try_set(muted);
            if trusted && !rule.actions.is_empty() {
                run_automatic_actions(&rule, &key, now, states, history, notify, store_history);
            }
            let failed = matches!(outcome.health, RuleHealth::Error(_));
            health.try_update(|h| {
                h.insert(key, outcome.health);
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
        };
        spawn_local(async move {
            evaluation.await;
            finished(&done);
        });
    };
    // Each rule at multiples of its interval; becoming the evaluating tab
    // starts at the next tick.
    let led_last_tick = StoredValue::new(false);
    let tick = move || {
        let now = now_seconds();
        let leads = leader.get_untracked();
        if leads != led_last_tick.get_value() {
            // Just became (or stopped being) the evaluating tab: evaluate now.
            led_last_tick.set_value(leads);
            schedule.update_value(EvaluationSchedule::restart);
        }
        let due: Vec<(String, AlertRule, f64)> = rules.with_value(|rules| {
            let keys = rule_keys(rules);
            schedule
                .try_update_value(|s| {
                    s.due(rules, now)
                        .into_iter()
                        .map(|(index, at)| (keys[index].clone(), rules[index].clone(), at))
                        .collect()
                })
                .unwrap_or_default()
        });
        for (key, rule, at) in due {
            evaluate(key, rule, at);
        }
    };
    if rules.with_value(|r| !r.is_empty()) {
        tick();
        if let Ok(handle) = set_interval_with_handle(tick, Duration::from_millis(250)) {
            on_cleanup(move || handle.clear());
        }
    }
    leader
}
