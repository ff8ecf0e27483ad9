//! Editing in the page: per-panel controls on the grid, the panel editor (its
//! form is `model::panel_form`; help while typing a query is `query_assist`),
//! the dashboard settings, and the import dialog (Grafana or Foresight JSON,
//! from a file or pasted). The edits themselves are pure (`model::edit`).

use crate::browser::clipboard::read_chosen_file;
use crate::browser::prometheus_client::fetch_label_values;
use crate::editor::datasource_settings::{DatasourceForm, DatasourceSettings};
use crate::editor::modal::Modal;
use crate::editor::query_assist::{query_assist, QueryAssist};
use crate::editor::slo_settings::{edited_slos, slo_rows_of, SloSettings};
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::foundation::units::Unit;
use foresight_core::model::dashboard::{Dashboard, Panel, PanelKind, Variable, VariableSource};
use foresight_core::model::dashboard_import::read_dashboard_json;
use foresight_core::model::datasource::Datasource;
use foresight_core::model::edit::Edit;
use foresight_core::model::grafana_import::ImportReport;
use foresight_core::model::panel_form::{PanelForm, QueryForm};
use foresight_core::model::refresh::REFRESH_CHOICES;
use foresight_core::query::engine::LabelRange;
use foresight_core::query::promql_completion::byte_offset_of_utf16;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What the grid needs to offer editing: apply an edit, open a panel's editor.
#[derive(Clone, Copy)]
pub struct PanelEditing {
    pub apply: Callback<Edit>,
    pub open: Callback<String>,
    /// Open the rule editor with an alert made from this panel.
    pub alert: Callback<String>,
    /// Add an SLO made from this panel's ratio query.
    pub slo: Callback<String>,
}

/// The small toolbar on each panel while editing.
#[component]
pub fn PanelEditControls(id: String, editing: PanelEditing) -> impl IntoView {
    let button = |label: &'static str,
                  action: &'static str,
                  title: &'static str,
                  edit: Box<dyn Fn() -> Option<Edit> + Send + Sync>| {
        let open = editing.open;
        let apply = editing.apply;
        let id = id.clone();
        view! {
            <button
                data-edit=action
                title=title
                on:click=move |_| match edit() {
                    Some(edit) => apply.run(edit),
                    None => open.run(id.clone()),
                }
            >
                {label}
            </button>
        }
    };
    let id_for = |f: fn(String) -> Edit| {
        let id = id.clone();
        Box::new(move || Some(f(id.clone()))) as Box<dyn Fn() -> Option<Edit> + Send + Sync>
    };
    let moved = |dx: i32, dy: i32| {
        let id = id.clone();
        Box::new(move || {
            Some(Edit::Move {
                panel: id.clone(),
                dx,
                dy,
            })
        }) as Box<dyn Fn() -> Option<Edit> + Send + Sync>
    };
    let resized = |dw: i32, dh: i32| {
        let id = id.clone();
        Box::new(move || {
            Some(Edit::Resize {
                panel: id.clone(),
                dw,
                dh,
            })
        }) as Box<dyn Fn() -> Option<Edit> + Send + Sync>
    };
    view! {
        <div class="panel-edit-controls" data-edit-panel=id.clone()>
            {button("Edit", "edit", "Edit this panel", Box::new(|| None))}
            {button("Copy", "duplicate", "Duplicate this panel", id_for(Edit::Duplicate))}
            {
                let (alert, id) = (editing.alert, id.clone());
                view! { <button data-edit="alert" title="Create an alert rule from this panel's query" on:click=move |_| alert.run(id.clone())>"Alert"</button> }
            }
            {
                let (slo, id) = (editing.slo, id.clone());
                view! { <button data-edit="slo" title="Create a service-level objective from this panel's ratio query (errors / total)" on:click=move |_| slo.run(id.clone())>"SLO"</button> }
            }
            {button("←", "left", "Move left", moved(-1, 0))}
            {button("→", "right", "Move right", moved(1, 0))}
            {button("↑", "up", "Move up", moved(0, -1))}
            {button("↓", "down", "Move down", moved(0, 1))}
            {button("W−", "narrower", "Narrower", resized(-1, 0))}
            {button("W+", "wider", "Wider", resized(1, 0))}
            {button("H−", "shorter", "Shorter", resized(0, -1))}
            {button("H+", "taller", "Taller", resized(0, 1))}
            {button("✕", "delete", "Delete this panel", id_for(Edit::Delete))}
        </div>
    }
}

/// Values to preview a query with: each variable's default (or first custom value).
/// One query row of the panel editor.
#[derive(Debug, Clone, PartialEq)]
struct QueryRow {
    expr: RwSignal<String>,
    legend: RwSignal<String>,
    instant: RwSignal<bool>,
    /// The panel's query this row was, if any.
    origin: Option<usize>,
}

#[component]
pub fn PanelEditor(
    panel: Panel,
    variables: Vec<Variable>,
    datasource: Datasource,
    on_apply: Callback<Panel>,
    on_close: Callback<()>,
    /// The dashboard's SLOs (id, name), for SLO panels.
    #[prop(optional)]
    slos: Vec<(String, String)>,
) -> impl IntoView {
    let original = StoredValue::new(panel.clone());
    let form = PanelForm::of(&panel);
    let title = RwSignal::new(form.title);
    let kind = RwSignal::new(form.kind);
    let unit = RwSignal::new(form.unit);
    let decimals = RwSignal::new(form.decimals);
    let thresholds = RwSignal::new(form.thresholds);
    let content = RwSignal::new(form.content);
    let forecast = RwSignal::new(form.forecast);
    let baseline = RwSignal::new(form.baseline);
    let anomalies = RwSignal::new(form.anomalies);
    let horizon = RwSignal::new(form.horizon);
    let legend = RwSignal::new(form.legend);
    let legend_placement = RwSignal::new(form.legend_placement);
    let bar_display = RwSignal::new(form.bar_display);
    let bar_orientation = RwSignal::new(form.bar_orientation);
    let slo = RwSignal::new(form.slo);
    let slo_show = RwSignal::new(form.slo_show);
    let rows = RwSignal::new(
        form.queries
            .into_iter()
            .map(|q| QueryRow {
                expr: RwSignal::new(q.expr),
                legend: RwSignal::new(q.legend),
                instant: RwSignal::new(q.instant),
                origin: q.origin,
            })
            .collect::<Vec<_>>(),
    );
    let problem = RwSignal::new(None::<String>);

    let first_query = Signal::derive(move || rows.with(|r| r.first().map(|row| row.expr.get())));
    let QueryAssist {
        suggestions,
        hint,
        preview,
        run_preview,
        describe_metric,
        complete,
    } = query_assist(datasource, variables, first_query);

    let build = move || -> Result<Panel, String> {
        let form = PanelForm {
            title: title.get_untracked(),
            kind: kind.get_untracked(),
            unit: unit.get_untracked(),
            decimals: decimals.get_untracked(),
            thresholds: thresholds.get_untracked(),
            content: content.get_untracked(),
            forecast: forecast.get_untracked(),
            baseline: baseline.get_untracked(),
            anomalies: anomalies.get_untracked(),
            horizon: horizon.get_untracked(),
            legend: legend.get_untracked(),
            legend_placement: legend_placement.get_untracked(),
            bar_display: bar_display.get_untracked(),
            bar_orientation: bar_orientation.get_untracked(),
            slo: slo.get_untracked(),
            slo_show: slo_show.get_untracked(),
            queries: rows
                .get_untracked()
                .iter()
                .map(|row| QueryForm {
                    expr: row.expr.get_untracked(),
                    legend: row.legend.get_untracked(),
                    instant: row.instant.get_untracked(),
                    origin: row.origin,
                })
                .collect(),
        };
        form.panel(&original.get_value())
    };

    let query_rows = move || {
        rows.get()
            .into_iter()
            .enumerate()
            .map(|(index, row)| {
                view! {
                    <div class="query-row" data-query-row=index.to_string()>
                        <input
                            class="query-expr"
                            list="promql-completion"
                            placeholder="PromQL, e.g. sum(rate(http_requests_total[$__rate_interval]))"
                            prop:value=move || row.expr.get()
                            on:input=move |e| {
                                let input: web_sys::HtmlInputElement = event_target(&e);
                                let value = input.value();
                                // selectionStart counts UTF-16 units; the core wants a byte offset.
                                let cursor_units = input.selection_start().ok().flatten().map_or(usize::MAX, |u| u as usize);
                                let cursor = byte_offset_of_utf16(&value, cursor_units);
                                row.expr.set(value.clone());
                                complete.run((value, cursor));
                            }
                            on:change=move |e| {
                                describe_metric.run(event_target_value(&e));
                                run_preview.run(());
                            }
                        />
                        <input class="query-legend" placeholder="legend, e.g. {{instance}}" prop:value=move || row.legend.get() on:input=move |e| row.legend.set(event_target_value(&e)) />
                        <label class="overlay-switch"><input type="checkbox" prop:checked=move || row.instant.get() on:change=move |e| row.instant.set(event_target_checked(&e)) />"instant"</label>
                        <button title="Remove this query" on:click=move |_| rows.update(|r| { if index < r.len() { r.remove(index); } })>"✕"</button>
                    </div>
                }
            })
            .collect::<Vec<_>>()
    };

    view! {
        <Modal class="panel-editor" label="Edit panel" testid="panel-editor" on_close=on_close>
                <h2>"Edit panel"</h2>
                <datalist id="promql-completion" data-testid="completions">
                    {move || suggestions.get().into_iter().map(|text| view! { <option value=text></option> }).collect::<Vec<_>>()}
                </datalist>
                <label class="field"><span>"Title"</span><input data-field="title" prop:value=move || title.get() on:input=move |e| title.set(event_target_value(&e)) /></label>
                <label class="field"><span>"Type"</span>
                    <select data-field="type" on:change=move |e| kind.set(event_target_value(&e))>
                        {PanelKind::TYPE_IDS.iter().map(|t| view! { <option value=*t selected=move || kind.get() == *t>{*t}</option> }).collect::<Vec<_>>()}
                    </select>
                </label>
                <Show when=move || kind.get() == "text">
                    <label class="field"><span>"Markdown"</span><textarea data-field="content" prop:value=move || content.get() on:input=move |e| content.set(event_target_value(&e))></textarea></label>
                </Show>
                <Show when=move || kind.get() == "slo">
                    <div class="field"><span>"SLO"</span>
                        <select data-field="slo" aria-label="SLO" on:change=move |e| slo.set(event_target_value(&e))>
                            <option value="" selected=move || slo.get().is_empty()>"Every SLO (overview)"</option>
                            {slos.iter().map(|(id, name)| { let id = id.clone(); let value = id.clone(); view! { <option value=value selected=move || slo.get() == id>{name.clone()}</option> } }).collect::<Vec<_>>()}
                        </select>
                        {choice("slo-show", "What the panel shows", slo_show, &[("overview", "Status table, most urgent first"), ("budget", "Error budget left"), ("burnRates", "Burn rate over each window"), ("burnDown", "Budget burn-down over the period")])}
                    </div>
                </Show>
                <Show when=move || kind.get() != "text" && kind.get() != "slo">
                    <div class="field"><span>"Queries"</span>
                        <div class="queries">{query_rows}</div>
                        <button data-field="add-query" on:click=move |_| rows.update(|r| r.push(QueryRow { expr: RwSignal::new(String::new()), legend: RwSignal::new(String::new()), instant: RwSignal::new(false), origin: None }))>"Add query"</button>
                        <button data-field="run-preview" on:click=move |_| run_preview.run(())>"Preview"</button>
                    </div>
                    <p class="metric-hint" data-testid="metric-hint">{move || hint.get()}</p>
                    {move || preview.get().map(|outcome| match outcome {
                        Ok(text) => view! { <p class="query-preview" data-testid="query-preview">{text}</p> }.into_any(),
                        Err(error) => view! { <p class="query-preview error" role="alert" data-testid="query-error">{error}</p> }.into_any(),
                    })}
                    <label class="field"><span>"Unit"</span>
                        <select data-field="unit" on:change=move |e| unit.set(event_target_value(&e))>
                            {Unit::ALL.map(Unit::id).into_iter().map(|u| view! { <option value=u selected=move || unit.get() == u>{u}</option> }).collect::<Vec<_>>()}
                        </select>
                    </label>
                    <label class="field"><span>"Decimals"</span><input data-field="decimals" prop:value=move || decimals.get() on:input=move |e| decimals.set(event_target_value(&e)) /></label>
                    <label class="field"><span>"Thresholds"</span><input data-field="thresholds" placeholder="green, 80 amber, 90 red" prop:value=move || thresholds.get() on:input=move |e| thresholds.set(event_target_value(&e)) /></label>
                </Show>
                <Show when=move || kind.get() == "timeseries">
                    <div class="field"><span>"Overlays"</span>
                        <select data-field="forecast" on:change=move |e| forecast.set(event_target_value(&e))>
                            {[("none", "No forecast"), ("linear", "Linear forecast"), ("seasonal", "Seasonal forecast")].into_iter().map(|(v, t)| view! { <option value=v selected=move || forecast.get() == v>{t}</option> }).collect::<Vec<_>>()}
                        </select>
                        <input data-field="horizon" placeholder="horizon, e.g. 4h" prop:value=move || horizon.get() on:input=move |e| horizon.set(event_target_value(&e)) />
                        <select data-field="baseline" on:change=move |e| baseline.set(event_target_value(&e))>
                            {[("none", "No baseline"), ("1d", "Yesterday"), ("1w", "Last week"), ("seasonal", "Time of day")].into_iter().map(|(v, t)| view! { <option value=v selected=move || baseline.get() == v>{t}</option> }).collect::<Vec<_>>()}
                        </select>
                        <label class="overlay-switch"><input type="checkbox" data-field="anomalies" prop:checked=move || anomalies.get() on:change=move |e| anomalies.set(event_target_checked(&e)) />"Anomalies"</label>
                    </div>
                    <div class="field"><span>"Legend"</span>
                        {choice("legend", "Legend", legend, &[("table", "Table of statistics"), ("list", "List of names"), ("hidden", "No legend")])}
                        {choice("legend-placement", "Legend placement", legend_placement, &[("bottom", "Below the chart"), ("right", "Right of the chart")])}
                    </div>
                </Show>
                <Show when=move || kind.get() == "bargauge">
                    <div class="field"><span>"Bars"</span>
                        {choice("bar-display", "Bar display", bar_display, &[("basic", "One colour"), ("gradient", "Gradient"), ("lcd", "Lit cells")])}
                        {choice("bar-orientation", "Bar orientation", bar_orientation, &[("horizontal", "Horizontal"), ("vertical", "Vertical"), ("auto", "By the panel's shape")])}
                    </div>
                </Show>
                {move || problem.get().map(|p| view! { <p class="form-problem" role="alert" data-testid="editor-problem">{p}</p> })}
                <div class="dialog-buttons">
                    <button data-field="apply" on:click=move |_| match build() {
                        Ok(panel) => { problem.set(None); on_apply.run(panel); }
                        Err(message) => problem.set(Some(message)),
                    }>"Apply"</button>
                    <button on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
        </Modal>
    }
}

/// A select of `options` (value, words) bound to `chosen`, named for screen readers.
fn choice(
    field: &'static str,
    name: &'static str,
    chosen: RwSignal<String>,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    view! {
        <select data-field=field aria-label=name on:change=move |e| chosen.set(event_target_value(&e))>
            {options.iter().map(|&(value, words)| view! { <option value=value selected=move || chosen.get() == value>{words}</option> }).collect::<Vec<_>>()}
        </select>
    }
}

/// Dashboard settings: title, default range, refresh, datasource and its
/// options, variables, SLOs.
#[component]
pub fn SettingsDialog(
    dashboard: Dashboard,
    /// Where variable previews are asked.
    datasource: Datasource,
    /// Applies the edits; what the dashboard refused, said in the dialog.
    on_apply: Callback<Vec<Edit>, Option<String>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let title = RwSignal::new(dashboard.title.clone());
    let from = RwSignal::new(dashboard.time.from.clone());
    let to = RwSignal::new(dashboard.time.to.clone());
    let refresh = RwSignal::new(dashboard.refresh.clone());
    let datasource_text = RwSignal::new(dashboard.datasource.clone().unwrap_or_default());
    let datasource_form = DatasourceForm::of(&dashboard.datasource_options);
    // Variables as editable rows: name, kind, query or comma-separated values.
    let variable_rows = RwSignal::new(
        dashboard
            .variables
            .iter()
            .map(|v| {
                let (kind, text) = match &v.source {
                    VariableSource::Query { query } => ("query", query.clone()),
                    VariableSource::Custom { values } => ("custom", values.join(",")),
                    VariableSource::QueryResult { query, value_label } => {
                        ("result", format!("{value_label}:{query}"))
                    }
                };
                (
                    RwSignal::new(v.name.clone()),
                    RwSignal::new(kind.to_string()),
                    RwSignal::new(text),
                    v.clone(),
                )
            })
            .collect::<Vec<_>>(),
    );
    let slo_rows = slo_rows_of(&dashboard.slos);
    let previews = RwSignal::new(SortedMap::<usize, String>::new());
    let datasource_for_preview = StoredValue::new(datasource);
    let problem = RwSignal::new(None::<String>);
    let build = move || -> Result<Vec<Edit>, String> {
        let mut variables = Vec::new();
        for (name, kind, text, original) in variable_rows.get_untracked() {
            let name = name.get_untracked().trim().to_string();
            let text = text.get_untracked();
            let source = match kind.get_untracked().as_str() {
                "query" => VariableSource::Query {
                    query: text.trim().to_string(),
                },
                "result" => {
                    let (label, query) = text
                        .split_once(':')
                        .ok_or_else(|| format!("variable {name}: write label:query"))?;
                    VariableSource::QueryResult {
                        query: query.trim().to_string(),
                        value_label: label.trim().to_string(),
                    }
                }
                _ => VariableSource::Custom {
                    values: text
                        .split(',')
                        .map(|v| v.trim().to_string())
                        .filter(|v| !v.is_empty())
                        .collect(),
                },
            };
            variables.push(Variable {
                name,
                source,
                ..original
            });
        }
        Ok(vec![
            Edit::SetTitle(title.get_untracked()),
            Edit::SetTime {
                from: from.get_untracked(),
                to: to.get_untracked(),
            },
            Edit::SetRefresh(refresh.get_untracked()),
            Edit::SetDatasource(Some(datasource_text.get_untracked())),
            Edit::SetDatasourceOptions(datasource_form.read()?),
            Edit::SetVariables(variables),
            Edit::SetSlos(edited_slos(slo_rows)?),
        ])
    };
    let preview_variable = move |index: usize| {
        let Some((_, kind, text, _)) = variable_rows.with_untracked(|r| r.get(index).cloned())
        else {
            return;
        };
        let datasource = datasource_for_preview.get_value();
        let (kind, text) = (kind.get_untracked(), text.get_untracked());
        spawn_local(async move {
            let shown = match kind.as_str() {
                "query" => {
                    match foresight_core::model::dashboard::parse_label_values_query(&text) {
                        Ok(parsed) => fetch_label_values(
                            &datasource,
                            &parsed.label,
                            parsed.metric.as_deref(),
                            LabelRange::recent(crate::browser::clock::now_ms() as f64 / 1000.0),
                        )
                        .await
                        .map(|values| {
                            format!(
                                "{} values: {}",
                                values.len(),
                                values
                                    .iter()
                                    .take(10)
                                    .cloned()
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        })
                        .unwrap_or_else(|e| e.to_string()),
                        Err(message) => message,
                    }
                }
                _ => format!("values: {text}"),
            };
            previews.try_update(|p| {
                p.insert(index, shown);
            });
        });
    };
    view! {
        <Modal class="settings" label="Dashboard settings" testid="settings-dialog" on_close=on_close>
                <h2>"Dashboard settings"</h2>
                <label class="field"><span>"Title"</span><input data-field="dashboard-title" prop:value=move || title.get() on:input=move |e| title.set(event_target_value(&e)) /></label>
                <label class="field"><span>"Default range"</span>
                    <input data-field="from" prop:value=move || from.get() on:input=move |e| from.set(event_target_value(&e)) />
                    <input data-field="to" prop:value=move || to.get() on:input=move |e| to.set(event_target_value(&e)) />
                </label>
                <label class="field"><span>"Refresh"</span>
                    <select data-field="refresh" on:change=move |e| refresh.set(event_target_value(&e))>
                        {REFRESH_CHOICES.iter().map(|r| view! { <option value=*r selected=move || refresh.get() == *r>{*r}</option> }).collect::<Vec<_>>()}
                    </select>
                </label>
                <label class="field"><span>"Datasource"</span><input data-field="datasource" placeholder="empty: the page's default" prop:value=move || datasource_text.get() on:input=move |e| datasource_text.set(event_target_value(&e)) /></label>
                <DatasourceSettings form=datasource_form />
                <div class="field"><span>"Variables"</span>
                    <div class="variables">
                        {move || variable_rows.get().into_iter().enumerate().map(|(index, (name, kind, text, _))| view! {
                            <div class="variable-row" data-variable-row=index.to_string()>
                                <input class="variable-name" placeholder="name" prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
                                <select class="variable-kind" on:change=move |e| kind.set(event_target_value(&e))>
                                    {[("query", "label_values(…)"), ("custom", "values"), ("result", "label:query")].into_iter().map(|(v, t)| view! { <option value=v selected=move || kind.get() == v>{t}</option> }).collect::<Vec<_>>()}
                                </select>
                                <input class="variable-text" placeholder="label_values(up, job) or a,b,c" prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e)) />
                                <button on:click=move |_| preview_variable(index)>"Preview"</button>
                                <button on:click=move |_| variable_rows.update(|r| { if index < r.len() { r.remove(index); } })>"✕"</button>
                                <span class="variable-preview" data-variable-preview=index.to_string()>{move || previews.with(|p| p.get(&index).cloned())}</span>
                            </div>
                        }).collect::<Vec<_>>()}
                    </div>
                    <button data-field="add-variable" on:click=move |_| variable_rows.update(|r| {
                        let template = Variable { name: format!("var{}", r.len() + 1), label: None, source: VariableSource::Custom { values: Vec::new() }, multi: false, include_all: false, all_value: None, default: Vec::new() };
                        r.push((RwSignal::new(template.name.clone()), RwSignal::new("custom".to_string()), RwSignal::new(String::new()), template));
                    })>"Add variable"</button>
                </div>
                <SloSettings rows=slo_rows />
                {move || problem.get().map(|p| view! { <p class="form-problem" role="alert" data-testid="settings-problem">{p}</p> })}
                <div class="dialog-buttons">
                    <button data-field="apply-settings" on:click=move |_| match build() {
                        Ok(edits) => problem.set(on_apply.run(edits)),
                        Err(message) => problem.set(Some(message)),
                    }>"Apply"</button>
                    <button on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
        </Modal>
    }
}

/// The import dialog: a file or pasted JSON (Grafana's or Foresight's).
#[component]
pub fn ImportDialog(on_open: Callback<Dashboard>, on_close: Callback<()>) -> impl IntoView {
    let pasted = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<(Dashboard, Option<ImportReport>), String>>);
    let read = move |text: String| outcome.set(Some(read_dashboard_json(&text)));
    let on_file = move |event: leptos::ev::Event| {
        read_chosen_file(&event, move |text| {
            outcome.set(Some(text.and_then(|text| read_dashboard_json(&text))))
        })
    };
    let report_view = move || {
        outcome.get().map(|result| match result {
            Err(message) => view! { <p class="form-problem" role="alert" data-testid="import-error">{message}</p> }.into_any(),
            Ok((dashboard, report)) => {
                let summary = match &report {
                    Some(r) => format!("{}: {} panels, {} imported, {} placeholders", dashboard.title, r.panels.len(), r.imported(), r.unsupported()),
                    None => format!("{}: a Foresight dashboard with {} panels", dashboard.title, dashboard.panels.len()),
                };
                let rows = report.as_ref().map(|r| r.panels.iter().map(|p| {
                    let result = p.unsupported.clone().map_or_else(|| "imported".to_string(), |why| format!("placeholder: {why}"));
                    view! {
                        <tr data-import-panel=p.id.clone() data-imported=p.unsupported.is_none().to_string()>
                            <td>{p.title.clone()}</td><td>{p.grafana_type.clone()}</td><td>{result}</td><td>{p.notes.join("; ")}</td>
                        </tr>
                    }
                }).collect::<Vec<_>>());
                let notes = report.as_ref().map(|r| r.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect::<Vec<_>>());
                let open = dashboard.clone();
                view! {
                    <div class="import-report" data-testid="import-report">
                        <p class="import-summary" data-testid="import-summary">{summary}</p>
                        <ul class="import-notes">{notes}</ul>
                        <table class="import-table"><thead><tr><th>"Panel"</th><th>"Grafana type"</th><th>"Result"</th><th>"Not carried over"</th></tr></thead><tbody>{rows}</tbody></table>
                        <button data-field="open-imported" on:click=move |_| on_open.run(open.clone())>"Open and edit"</button>
                    </div>
                }.into_any()
            }
        })
    };
    view! {
        <Modal class="import" label="Import a dashboard" testid="import-dialog" on_close=on_close>
                <h2>"Import a dashboard"</h2>
                <p>"A Grafana dashboard (exported JSON) or a Foresight dashboard: choose a file or paste it."</p>
                <input type="file" aria-label="Dashboard JSON file" accept=".json,application/json" data-field="import-file" on:change=on_file />
                <textarea data-field="import-text" aria-label="Dashboard JSON" placeholder="{ \"title\": …, \"panels\": [ … ] }" prop:value=move || pasted.get() on:input=move |e| pasted.set(event_target_value(&e))></textarea>
                <div class="dialog-buttons">
                    <button data-field="import-pasted" on:click=move |_| read(pasted.get_untracked())>"Import pasted JSON"</button>
                    <button on:click=move |_| on_close.run(())>"Close"</button>
                </div>
                {report_view}
        </Modal>
    }
}
