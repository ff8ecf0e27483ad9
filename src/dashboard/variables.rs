//! The dashboard's variables: their options (label values from Prometheus, or
//! the custom list), each value resolved against its options (a link cannot
//! inject one), and the pickers.

use crate::browser::clock::now_ms;
use crate::browser::prometheus_client::{fetch_label_values, fetch_query};
use crate::dashboard::change_view;
use crate::hooks::latest_load::LatestLoad;
use foresight_core::foundation::ordered::{SortedMap, SortedSet};
use foresight_core::model::dashboard::{
    parse_label_values_query, Dashboard, VariableSource, ALL_SELECTION,
};
use foresight_core::model::datasource::Datasource;
use foresight_core::model::url_state::ViewState;
use foresight_core::model::variables::ResolvedVariable;
use foresight_core::query::engine::LabelRange;
use foresight_core::query::prometheus_response::QueryData;
use foresight_core::query::series::Labels;
use foresight_core::query::template_variables::{interpolate, BuiltinIntervals, VariableValue};
use foresight_core::query::time_range::ResolvedRange;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The variables of the dashboard on screen, as they load.
#[derive(Clone, Copy)]
pub struct DashboardVariables {
    /// Each variable's options, once loaded (or why they could not be).
    pub options: RwSignal<SortedMap<String, Result<Vec<String>, String>>>,
    /// What each variable stands for, once every variable's options are known.
    pub resolved: Memo<Option<SortedMap<String, ResolvedVariable>>>,
    /// What was wrong with a link's values, one note each.
    pub notes: Memo<Vec<String>>,
    /// The values written into queries.
    pub values: Memo<Option<SortedMap<String, VariableValue>>>,
}

/// Loads the options of `dashboard`'s variables from `datasource` whenever
/// the selection or the datasource changes (and, while some failed, at each
/// refresh), newest load only.
pub fn load_variables(
    dashboard: StoredValue<Dashboard>,
    view_state: RwSignal<ViewState>,
    datasource: Memo<Datasource>,
    // Read when the options load: a variable's options are not looked up
    // again on every change of range.
    range: Memo<ResolvedRange>,
    refresh_tick: RwSignal<u32>,
) -> DashboardVariables {
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
                                LabelRange::covering(
                                    range.get_untracked(),
                                    now_ms() as f64 / 1000.0,
                                ),
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
    let notes = Memo::new(move |_| {
        resolved_variables.with(|all| {
            all.iter()
                .flat_map(|all| all.values())
                .filter_map(|r| r.note.clone())
                .collect::<Vec<_>>()
        })
    });
    let values = Memo::new(move |_| {
        resolved_variables.with(|all| {
            all.as_ref().map(|all| {
                all.iter()
                    .map(|(name, r)| (name.clone(), r.value.clone()))
                    .collect::<SortedMap<_, _>>()
            })
        })
    });
    DashboardVariables {
        options,
        resolved: resolved_variables,
        notes,
        values,
    }
}

/// A picker per variable; a choice goes into the address bar.
#[component]
pub fn VariablePickers(
    dashboard: StoredValue<Dashboard>,
    variables: DashboardVariables,
    view_state: RwSignal<ViewState>,
) -> impl IntoView {
    let DashboardVariables {
        options, resolved, ..
    } = variables;
    let selection = move |name: &str| -> Vec<String> {
        resolved.with(|all| {
            all.as_ref()
                .and_then(|all| all.get(name))
                .map(|r| r.selected.clone())
                .unwrap_or_default()
        })
    };
    let change = move |update: &dyn Fn(&mut ViewState)| change_view(view_state, update);
    move || {
        dashboard.with_value(|d| d.variables.clone()).into_iter().map(|variable| {
            let name = variable.name.clone();
            let label = variable.label.clone().unwrap_or_else(|| name.clone());
            let picker_name = name.clone();
            // How many values a multi-value picker holds, beside its name: it shows one line.
            let count_name = variable.multi.then(|| name.clone());
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
            // A multi-value picker is one line tall, like the others, and opens
            // over the page while it has the focus (instead of a tall list box).
            view! {
                <label class="control">
                    <span>{label}{move || count_name.as_ref().map(|name| {
                        let chosen = selection(name).len();
                        (chosen > 1).then(|| format!(" ({chosen})"))
                    })}</span>
                    <span class="picker-slot" class:multi=variable.multi>
                        <select data-variable=variable.name.clone() multiple=variable.multi size=variable.multi.then_some("8") on:change=on_change>{choices}</select>
                    </span>
                </label>
            }
        }).collect::<Vec<_>>()
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
