//! A loaded dashboard: header controls (datasource, variables, time range,
//! refresh, share) and the panel grid. Panels stay in place when their inputs
//! change; each asks again, aborting its request in flight.

use crate::alerts::view::AlertsView;
use crate::browser::clipboard::clipboard_accepts;
use crate::browser::clock::{now_ms, BrowserZone};
use crate::browser::location::{default_datasource, push_url};
use crate::browser::prometheus_client::{fetch_label_values, fetch_query};
use crate::dashboard::datasource_status::DatasourceStatus;
use crate::dashboard::panel::DashboardPanel;
use crate::dashboard::panel_context::PanelContext;
use crate::editor::panel_editor::{PanelEditControls, PanelEditing};
use crate::hooks::latest_load::LatestLoad;
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::foundation::ordered::{SortedMap, SortedSet};
use foresight_core::model::dashboard::{
    parse_label_values_query, Dashboard, DashboardListing, OverlayToggles, PanelKind,
    VariableSource, ALL_SELECTION,
};
use foresight_core::model::datasource::Datasource;
use foresight_core::model::refresh::{parse_refresh, REFRESH_CHOICES};
use foresight_core::model::url_state::{DashboardRef, ViewState};
use foresight_core::query::prometheus_response::QueryData;
use foresight_core::query::series::Labels;
use foresight_core::query::template_variables::{interpolate, BuiltinIntervals, VariableValue};
use foresight_core::query::time_range::{TimeExpression, TimeRange};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

const QUICK_RANGES: [(&str, &str); 10] = [
    ("now-5m", "Last 5 minutes"),
    ("now-15m", "Last 15 minutes"),
    ("now-1h", "Last 1 hour"),
    ("now-6h", "Last 6 hours"),
    ("now-12h", "Last 12 hours"),
    ("now-24h", "Last 24 hours"),
    ("now-2d", "Last 2 days"),
    ("now-7d", "Last 7 days"),
    ("now-14d", "Last 14 days"),
    ("now-30d", "Last 30 days"),
];

fn describe(expression: &TimeExpression) -> String {
    match expression {
        TimeExpression::Absolute { epoch_ms } => {
            format_local_datetime(*epoch_ms as f64 / 1000.0, &BrowserZone)
        }
        relative => relative.to_string(),
    }
}

fn copy_to_clipboard(text: &str, feedback: RwSignal<String>) {
    let text = text.to_string();
    spawn_local(async move {
        feedback.set(if clipboard_accepts(&text).await {
            "Link copied".into()
        } else {
            format!("Copy this link: {text}")
        });
    });
}

/// The variable values of the dashboard on screen, as its panels use them:
/// written by the page, read by whoever provides it (the app, to prefill an
/// alert rule from a panel).
#[derive(Clone, Copy)]
pub struct CurrentVariables(
    pub RwSignal<SortedMap<String, foresight_core::query::template_variables::VariableValue>>,
);

#[component]
pub fn DashboardPage(
    dashboard: Dashboard,
    view_state: RwSignal<ViewState>,
    /// Shipped dashboards to offer in the picker (may be empty).
    #[prop(optional)]
    listings: Signal<Vec<DashboardListing>>,
    start_ms: i64,
    /// While editing: per-panel controls on the grid.
    #[prop(optional, into)]
    editing: Signal<Option<PanelEditing>>,
    /// A dashboard from outside the viewer has not accepted: only a confirmed
    /// datasource is read, and refresh is no faster than the floor.
    #[prop(optional)]
    inert: bool,
    /// Where its alert state lives (see `trust::alert_state_namespace`).
    state_namespace: String,
) -> impl IntoView {
    let dashboard = StoredValue::new(dashboard);
    // A backtest's episodes, shaded on every time-series panel.
    provide_context(RwSignal::new(
        None::<crate::dashboard::panel_context::AlertAnnotations>,
    ));
    // Validated when the dashboard was read; a stored one that predates a rule
    // still gets a range.
    let default_from = dashboard.with_value(|d| {
        TimeExpression::parse(&d.time.from)
            .unwrap_or_else(|_| TimeExpression::now_minus_seconds(6 * 3600))
    });
    let default_to = dashboard.with_value(|d| {
        TimeExpression::parse(&d.time.to).unwrap_or_else(|_| TimeExpression::now())
    });
    let refresh_tick = RwSignal::new(0u32);
    // Switching a panel's overlays changes the link but must not re-query the dashboard.
    let navigation = Memo::new(move |_| {
        view_state.with(|s| ViewState {
            panel_overlays: SortedMap::new(),
            ..s.clone()
        })
    });
    let now = Memo::new(move |previous: Option<&i64>| {
        refresh_tick.track();
        navigation.track();
        if previous.is_none() {
            start_ms
        } else {
            now_ms()
        }
    });
    let datasource = Memo::new(move |_| {
        view_state
            .with(|s| s.datasource.clone())
            .or_else(|| {
                dashboard.with_value(|d| {
                    d.datasource
                        .as_deref()
                        .and_then(|d| Datasource::parse(d).ok())
                })
            })
            .filter(|chosen| {
                !inert
                    || crate::browser::storage::load_confirmed_origins()
                        .permits_datasource(&crate::trust_banner::page_context(), chosen)
            })
            .unwrap_or_else(default_datasource)
    });

    let (fallback_from, fallback_to) = (default_from.clone(), default_to.clone());
    // The absolute link freezes the same defaults.
    let (share_from, share_to) = (default_from.clone(), default_to.clone());
    let time_range = Memo::new(move |_| {
        view_state.with(|s| TimeRange {
            from: s.from.clone().unwrap_or_else(|| default_from.clone()),
            to: s.to.clone().unwrap_or_else(|| default_to.clone()),
        })
    });
    let resolution = Memo::new(move |_| {
        let fallback = TimeRange {
            from: fallback_from.clone(),
            to: fallback_to.clone(),
        };
        time_range.get().resolve_or_fallback(&fallback, now.get())
    });
    let resolved = Memo::new(move |_| resolution.with(|(range, _)| *range));
    let range_problem = Memo::new(move |_| resolution.with(|(_, problem)| problem.clone()));

    // Variable options: label values from Prometheus, or the custom list. They
    // load in order, so a variable's query can use the value of the ones before
    // it (`label_values(up{job="$job"}, instance)`). Each value is resolved
    // against its options (a link cannot inject one), and only the newest load
    // may write: an older answer arriving late is dropped.
    let options = RwSignal::new(SortedMap::<String, Result<Vec<String>, String>>::new());
    let selections = Memo::new(move |_| view_state.with(|s| s.variables.clone()));
    let options_load = LatestLoad::new();
    Effect::new(move |_| {
        let datasource = datasource.get();
        let selected = selections.get();
        // Options that failed to load (Prometheus down when the page opened)
        // are asked for again at each refresh until they come.
        if options.with_untracked(|o| o.values().any(Result::is_err)) {
            refresh_tick.track();
        }
        let variables = dashboard.with_value(|d| d.variables.clone());
        let load = options_load.start();
        spawn_local(async move {
            let mut known: SortedMap<String, VariableValue> = SortedMap::new();
            let builtins = BuiltinIntervals {
                step_seconds: 60.0,
                range_seconds: 3600.0,
                scrape_interval_seconds: 15.0,
            };
            for variable in variables {
                let loaded = match &variable.source {
                    VariableSource::Custom { values } => Ok(values.clone()),
                    VariableSource::Query { query } => {
                        match interpolate(query, &known, &builtins)
                            .and_then(|expanded| parse_label_values_query(&expanded))
                        {
                            Ok(parsed) => fetch_label_values(
                                &datasource,
                                &parsed.label,
                                parsed.metric.as_deref(),
                            )
                            .await
                            .map_err(|e| e.to_string()),
                            Err(message) => Err(message),
                        }
                    }
                    VariableSource::QueryResult { query, value_label } => {
                        match interpolate(query, &known, &builtins) {
                            Ok(expanded) => {
                                fetch_query(&datasource, &expanded, now_ms() as f64 / 1000.0, None)
                                    .await
                                    .map_err(|e| e.to_string())
                                    .map(|answer| label_values_in(&answer.data, value_label))
                            }
                            Err(message) => Err(message),
                        }
                    }
                };
                let loaded = loaded.map(|mut values| {
                    values.truncate(foresight_core::foundation::limits::MAX_VARIABLE_VALUES);
                    values
                });
                let resolved = variable.resolve(
                    selected.get(&variable.name).map(Vec::as_slice),
                    loaded.as_deref().ok(),
                );
                known.insert(variable.name.clone(), resolved.value);
                if !load.is_newest() {
                    return; // a newer load (or none: the page went away) owns the options
                }
                options.update(|o| {
                    o.insert(variable.name.clone(), loaded);
                });
            }
        });
    });
    // What each variable stands for, once every variable's options are known.
    let resolved_variables = Memo::new(move |_| {
        let options = options.get();
        let selected = selections.get();
        let mut resolved = SortedMap::new();
        for variable in dashboard.with_value(|d| d.variables.clone()) {
            let known = options.get(&variable.name)?; // still loading
            resolved.insert(
                variable.name.clone(),
                variable.resolve(
                    selected.get(&variable.name).map(Vec::as_slice),
                    known.as_deref().ok(),
                ),
            );
        }
        Some(resolved)
    });
    let selection = move |name: &str| -> Vec<String> {
        resolved_variables.with(|all| {
            all.as_ref()
                .and_then(|all| all.get(name))
                .map(|r| r.selected.clone())
                .unwrap_or_default()
        })
    };
    let variable_notes = Memo::new(move |_| {
        resolved_variables.with(|all| {
            all.iter()
                .flat_map(|all| all.values())
                .filter_map(|r| r.note.clone())
                .collect::<Vec<_>>()
        })
    });
    let variable_values = Memo::new(move |_| {
        resolved_variables.with(|all| {
            all.as_ref().map(|all| {
                all.iter()
                    .map(|(name, r)| (name.clone(), r.value.clone()))
                    .collect::<SortedMap<_, _>>()
            })
        })
    });
    if let Some(current) = use_context::<CurrentVariables>() {
        Effect::new(move |_| {
            if let Some(values) = variable_values.get() {
                current.0.set(values);
            }
        });
    }
    let range_cache = StoredValue::new(SortedMap::new());
    let hover_time = RwSignal::new(None::<f64>);
    let zoom_request = RwSignal::new(None::<(f64, f64)>);
    let context = Memo::new(move |_| {
        Some(PanelContext {
            hover_time,
            zoom_request,
            datasource: datasource.get(),
            range: resolved.get(),
            variables: variable_values.get()?,
            scrape_interval_seconds: dashboard.with_value(|d| d.scrape_interval_seconds),
            range_cache,
        })
    });

    // Auto-refresh, paused while the tab is hidden.
    let refresh = Memo::new(move |_| {
        let chosen = view_state
            .with(|s| s.refresh.clone())
            .unwrap_or_else(|| dashboard.with_value(|d| d.refresh.clone()));
        if inert {
            foresight_core::model::trust::bounded_refresh(&chosen)
        } else {
            chosen
        }
    });
    Effect::new(move |_| {
        let Some(seconds) = parse_refresh(&refresh.get()) else {
            return;
        };
        let tick = move || {
            if !document().hidden() {
                refresh_tick.update(|n| *n += 1);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, Duration::from_secs(u64::from(seconds)))
        {
            on_cleanup(move || handle.clear());
        }
    });

    let change = move |update: &dyn Fn(&mut ViewState)| {
        let mut next = view_state.get_untracked();
        update(&mut next);
        push_url(&next);
        view_state.set(next);
    };

    // Drag-to-zoom on any chart, and the zoom-out button: absolute ranges in the URL.
    let zoom_to = move |start_seconds: f64, end_seconds: f64| {
        let (from, to) = (
            (start_seconds * 1000.0).round() as i64,
            (end_seconds * 1000.0).round() as i64,
        );
        if to > from {
            change(&move |s: &mut ViewState| {
                s.from = Some(TimeExpression::Absolute { epoch_ms: from });
                s.to = Some(TimeExpression::Absolute { epoch_ms: to });
            });
        }
    };
    Effect::new(move |_| {
        if let Some((start, end)) = zoom_request.get() {
            zoom_request.set(None);
            zoom_to(start, end);
        }
    });
    let zoom_out = move |_| {
        let range = resolved.get_untracked();
        let (start, end) = (range.start_ms as f64 / 1000.0, range.end_ms as f64 / 1000.0);
        let half = end - start;
        zoom_to(
            start - half / 2.0,
            (end + half / 2.0)
                .min(now_ms() as f64 / 1000.0)
                .max(start + half),
        );
    };

    let variable_pickers = move || {
        dashboard.with_value(|d| d.variables.clone()).into_iter().map(|variable| {
            let name = variable.name.clone();
            let label = variable.label.clone().unwrap_or_else(|| name.clone());
            let picker_name = name.clone();
            let choices = move || {
                let selected = selection(&picker_name);
                let mut list: Vec<(String, String)> = Vec::new();
                if variable.include_all {
                    list.push((ALL_SELECTION.to_string(), "All".to_string()));
                }
                match options.with(|o| o.get(&picker_name).cloned()) {
                    Some(Ok(values)) => list.extend(values.into_iter().map(|v| (v.clone(), v))),
                    Some(Err(message)) => return view! { <option disabled=true>{format!("cannot load values: {message}")}</option> }.into_any(),
                    None => return view! { <option disabled=true>"loading…"</option> }.into_any(),
                }
                list.into_iter()
                    .map(|(value, text)| {
                        let is_selected = selected.contains(&value);
                        view! { <option value=value selected=is_selected>{text}</option> }
                    })
                    .collect::<Vec<_>>()
                    .into_any()
            };
            let on_change = move |event: leptos::ev::Event| {
                let element: web_sys::HtmlSelectElement = event_target(&event);
                let options = element.selected_options();
                let chosen: Vec<String> = (0..options.length())
                    .filter_map(|i| options.item(i))
                    .filter_map(|o| o.get_attribute("value"))
                    .collect();
                let name = name.clone();
                change(&move |s: &mut ViewState| {
                    s.variables.insert(name.clone(), chosen.clone());
                });
            };
            view! {
                <label class="control">
                    <span>{label}</span>
                    <select data-variable=variable.name.clone() multiple=variable.multi on:change=on_change>{choices}</select>
                </label>
            }
        }).collect::<Vec<_>>()
    };

    let range_label = move || {
        let range = time_range.get();
        format!("{} → {}", describe(&range.from), describe(&range.to))
    };
    let custom_from = RwSignal::new(String::new());
    let custom_to = RwSignal::new(String::new());
    let custom_problem = RwSignal::new(None::<String>);
    let apply_custom = move |_| match (
        TimeExpression::parse_local(&custom_from.get(), &BrowserZone),
        TimeExpression::parse_local(&custom_to.get(), &BrowserZone),
    ) {
        (Ok(from), Ok(to)) => {
            if let Err(error) = (TimeRange {
                from: from.clone(),
                to: to.clone(),
            })
            .resolve(now_ms())
            {
                custom_problem.set(Some(error.to_string()));
                return;
            }
            custom_problem.set(None);
            change(&move |s: &mut ViewState| {
                s.from = Some(from.clone());
                s.to = Some(to.clone());
            });
        }
        (Err(error), _) | (_, Err(error)) => custom_problem.set(Some(error.to_string())),
    };
    let share_feedback = RwSignal::new(String::new());
    let page_url = move |state: &ViewState| {
        let location = window().location();
        format!(
            "{}{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default(),
            state.encode()
        )
    };

    let title = dashboard.with_value(|d| d.title.clone());
    let current_id = dashboard.with_value(|d| d.id.clone());
    let current_title = dashboard.with_value(|d| d.title.clone());
    let picker = move || {
        let list = listings.get();
        (list.len() > 1).then(|| {
            let current_id = current_id.clone();
            view! {
                <select
                    class="dashboard-picker"
                    data-testid="dashboard-picker"
                    title="Switch dashboard"
                    on:change=move |event| {
                        let id = event_target_value(&event);
                        change(&move |s: &mut ViewState| {
                            s.dashboard = DashboardRef::Shipped(id.clone());
                            s.variables.clear();
                        });
                    }
                >
                    {(!list.iter().any(|entry| entry.id == current_id)).then(|| {
                        view! { <option value="" selected=true disabled=true>{current_title.clone()}</option> }
                    })}
                    {list
                        .into_iter()
                        .map(|entry| {
                            let selected = entry.id == current_id;
                            view! { <option value=entry.id selected=selected>{entry.title}</option> }
                        })
                        .collect::<Vec<_>>()}
                </select>
            }
        })
    };
    let alerts = {
        let (rules, notify) = dashboard.with_value(|d| (d.alerts.clone(), d.notify.clone()));
        view! { <AlertsView state_namespace=state_namespace rules=rules notify=notify datasource=Signal::derive(move || datasource.get()) range=Signal::derive(move || resolved.get()) editing=editing /> }
    };
    let ready = Memo::new(move |_| context.with(Option::is_some));
    let panel_context = Signal::derive(move || context.get());
    let grid = move || {
        if !ready.get() {
            return None;
        }
        let cells = dashboard.with_value(|d| {
            d.layout
                .iter()
                .filter_map(|position| {
                    let panel = d.panel(&position.panel)?.clone();
                    let placement = format!(
                        "grid-column: {} / span {}; grid-row: {} / span {};",
                        position.x + 1,
                        position.w,
                        position.y + 1,
                        position.h
                    );
                    let id = panel.id.clone();
                    let own_toggles = match &panel.kind {
                        PanelKind::Timeseries { foresight, .. } => foresight.toggles(),
                        _ => OverlayToggles::default(),
                    };
                    let overlay_override = {
                        let id = id.clone();
                        Memo::new(move |_| view_state.with(|s| s.panel_overlays.get(&id).copied()))
                    };
                    let on_overlays = Callback::new(move |toggles: OverlayToggles| {
                        let id = id.clone();
                        change(&move |s: &mut ViewState| {
                            if toggles == own_toggles {
                                s.panel_overlays.remove(&id);
                            } else {
                                s.panel_overlays.insert(id.clone(), toggles);
                            }
                        });
                    });
                    let edit_id = position.panel.clone();
                    let controls = move || {
                        editing.get().map(|e| view! { <PanelEditControls id=edit_id.clone() editing=e /> })
                    };
                    Some(view! {
                        <div class="grid-cell" style=placement>
                            {controls}
                            <DashboardPanel panel=panel context=panel_context overlay_override=overlay_override.into() on_overlays=on_overlays />
                        </div>
                    })
                })
                .collect::<Vec<_>>()
        });
        Some(cells)
    };

    view! {
        <header class="topbar">
            <h1 data-testid="dashboard-title">{title}</h1>
            {picker}
            {move || view! { <DatasourceStatus datasource=datasource.get() /> }}
            <div class="controls">
                {variable_pickers}
                <label class="control">
                    <span>"Range"</span>
                    <select data-testid="quick-range" on:change=move |event| {
                        let from = event_target_value(&event);
                        if let Ok(parsed) = TimeExpression::parse(&from) {
                            change(&move |s: &mut ViewState| {
                                s.from = Some(parsed.clone());
                                s.to = Some(TimeExpression::now());
                            });
                        }
                    }>
                        <option value="" selected=true disabled=true>{range_label}</option>
                        {QUICK_RANGES.iter().map(|(value, text)| view! { <option value=*value>{*text}</option> }).collect::<Vec<_>>()}
                    </select>
                </label>
                <span class="control custom-range">
                    <input placeholder="from: now-7d or 2026-11-20 10:00" prop:value=custom_from on:input=move |e| custom_from.set(event_target_value(&e)) />
                    <input placeholder="to: now" prop:value=custom_to on:input=move |e| custom_to.set(event_target_value(&e)) />
                    <button on:click=apply_custom>"Apply"</button>
                </span>
                <button data-testid="zoom-out" title="Show twice the time range" on:click=zoom_out>"Zoom out"</button>
                <label class="control">
                    <span>"Refresh"</span>
                    <select data-testid="refresh" on:change=move |event| {
                        let chosen = event_target_value(&event);
                        change(&move |s: &mut ViewState| s.refresh = Some(chosen.clone()));
                    }>
                        {move || {
                            let current = refresh.get();
                            REFRESH_CHOICES
                                .iter()
                                .map(|choice| view! { <option value=*choice selected=current == *choice>{*choice}</option> })
                                .collect::<Vec<_>>()
                        }}
                    </select>
                </label>
                <button on:click=move |_| copy_to_clipboard(&page_url(&view_state.get_untracked()), share_feedback)>"Copy link"</button>
                <button
                    title="A link to exactly this time window, frozen at the current moment"
                    on:click=move |_| {
                        let frozen = view_state.get_untracked().with_absolute_time(&share_from, &share_to, now_ms());
                        copy_to_clipboard(&page_url(&frozen), share_feedback);
                    }
                >
                    "Copy absolute link"
                </button>
                <span class="share-feedback" role="status">{share_feedback}</span>
            </div>
            <span class="time-range" data-testid="time-range">{range_label}</span>
        </header>
        {move || custom_problem.get().or_else(|| range_problem.get()).map(|p| view! { <div class="url-problems" role="alert">{p}</div> })}
        {move || {
            let notes = variable_notes.get();
            (!notes.is_empty()).then(|| view! {
                <div class="url-problems" role="alert" data-testid="variable-notes">
                    <ul>{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect::<Vec<_>>()}</ul>
                </div>
            })
        }}
        <main class="dashboard-grid">{grid}</main>
        {alerts}
    }
}

/// The distinct values of `label` in an instant query's answer, sorted.
fn label_values_in(data: &QueryData, label: &str) -> Vec<String> {
    let labels: Vec<&Labels> = match data {
        QueryData::Vector(samples) => samples.iter().map(|s| &s.labels).collect(),
        QueryData::Matrix(series) => series.iter().map(|s| &s.labels).collect(),
        _ => Vec::new(),
    };
    let values: SortedSet<String> = labels
        .into_iter()
        .filter_map(|labels| labels.get(label).cloned())
        .collect();
    values.into_iter().collect()
}
