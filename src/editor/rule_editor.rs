//! Editing a dashboard's alert rules: the list (with the notification targets
//! and the Prometheus rule-file export) and the rule editor, which checks
//! templates and settings as you type and previews what the rule says now.

use crate::alerts::queries::{answer_template_queries, evaluate_query};
use crate::browser::clipboard::download_text;
use crate::browser::clock::now_ms;
use crate::editor::modal::Modal;
use crate::editor::rule_file_import::RuleFileImporter;
use crate::hooks::latest_load::LatestLoad;
use foresight_core::alerting::rule::{AlertRule, Comparison, Condition};
use foresight_core::alerting::slo::{rule_file_with_slos, Slo};
use foresight_core::alerting::template::TemplateData;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::foundation::units::Unit;
use foresight_core::model::dashboard::{BaselineKind, NotifyTargets, Sensitivity};
use foresight_core::model::datasource::Datasource;
use foresight_core::model::edit::Edit;
use foresight_core::query::series::Labels;
use leptos::prelude::*;
use leptos::task::spawn_local;

const COMPARISONS: [Comparison; 6] = [
    Comparison::Above,
    Comparison::AtLeast,
    Comparison::Below,
    Comparison::AtMost,
    Comparison::Equal,
    Comparison::NotEqual,
];

fn comparison(symbol: &str) -> Comparison {
    COMPARISONS
        .into_iter()
        .find(|c| c.symbol() == symbol)
        .unwrap_or(Comparison::Above)
}

fn condition_kind(condition: &Condition) -> &'static str {
    match condition {
        Condition::Returns => "returns",
        Condition::Threshold { .. } => "threshold",
        Condition::OutsideBaseline { .. } => "outsideBaseline",
        Condition::AnomalyScore { .. } => "anomalyScore",
        Condition::ForecastCrosses { .. } => "forecastCrosses",
    }
}

/// `name=value` per line.
fn format_pairs(pairs: &SortedMap<String, String>) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_pairs(text: &str) -> Result<SortedMap<String, String>, String> {
    let mut pairs = SortedMap::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let (name, value) = line
            .split_once('=')
            .ok_or_else(|| format!("label line {line:?} is not name=value"))?;
        pairs.insert(name.trim().to_string(), value.trim().to_string());
    }
    Ok(pairs)
}

/// The dashboard's rules, where they notify, and the export.
#[component]
pub fn RulesDialog(
    dashboard_id: String,
    rules: Vec<AlertRule>,
    /// Exported with the rules: their recording rules and burn-rate alerts.
    slos: Vec<Slo>,
    notify: NotifyTargets,
    on_edit: Callback<Edit>,
    /// Open the editor for rule `index` (`None`: a new rule).
    on_open_rule: Callback<(Option<usize>, AlertRule)>,
    on_close: Callback<()>,
) -> impl IntoView {
    let alertmanager = RwSignal::new(notify.alertmanager.clone().unwrap_or_default());
    let webhooks = RwSignal::new(notify.webhooks.join("\n"));
    let external_labels = RwSignal::new(format_pairs(&notify.external_labels));
    let problem = RwSignal::new(None::<String>);
    let export_rules = rules.clone();
    let slo_note = (!slos.is_empty()).then(|| {
        format!(
            "The file also records the error ratios of the {} service-level objective(s) and pages or tickets on their burn rates (the SRE workbook's windows).",
            slos.len()
        )
    });
    let existing_rules = rules.clone();
    let existing_slos = slos.clone();
    let export = move |_| {
        let outcome =
            rule_file_with_slos(&format!("foresight-{dashboard_id}"), &export_rules, &slos)
                .and_then(|text| download_text(&format!("{dashboard_id}-rules.yml"), &text));
        problem.set(outcome.err());
    };
    let rows = rules
        .into_iter()
        .enumerate()
        .map(|(index, rule)| {
            let edited = rule.clone();
            view! {
                <tr data-rule-row=rule.name.clone()>
                    <td>{rule.name.clone()}</td>
                    <td><code>{format!("{} {}", rule.expr, rule.condition.describe())}</code></td>
                    <td>{rule.for_duration.clone().map(|f| format!("for {f}"))}</td>
                    <td>
                        <button data-action="edit-rule" on:click=move |_| on_open_rule.run((Some(index), edited.clone()))>"Edit"</button>
                        <button data-action="delete-rule" on:click=move |_| {
                            let sure = window().confirm_with_message("Delete this alert rule?").unwrap_or(false);
                            if sure { on_edit.run(Edit::DeleteAlertRule(index)); }
                        }>"Delete"</button>
                    </td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    let apply_targets = move |_| {
        let external_labels = match parse_pairs(&external_labels.get_untracked()) {
            Ok(labels) => labels,
            Err(message) => return problem.set(Some(message)),
        };
        let targets = NotifyTargets {
            external_labels,
            alertmanager: Some(alertmanager.get_untracked().trim().to_string())
                .filter(|u| !u.is_empty()),
            webhooks: webhooks
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
        };
        on_edit.run(Edit::SetNotify(targets));
    };
    let blank = AlertRule::starter(
        "NewAlert",
        "",
        0.0,
        "{{ $labels.instance }} is at {{ humanize $value }}",
    );
    view! {
        <Modal class="rules" label="Alert rules" testid="rules-dialog" on_close=on_close>
                <h2>"Alert rules"</h2>
                <table class="rule-list"><tbody>{rows}</tbody></table>
                <button data-action="new-rule" on:click=move |_| on_open_rule.run((None, blank.clone()))>"New rule"</button>
                <RuleFileImporter existing=existing_rules existing_slos=existing_slos on_edit=on_edit />
                <h3>"Where alerts are sent"</h3>
                <label class="field"><span>"Alertmanager"</span><input data-field="alertmanager" placeholder="http://alertmanager:9093" prop:value=alertmanager on:input=move |e| alertmanager.set(event_target_value(&e)) /></label>
                <label class="field"><span>"Webhooks (one per line)"</span><textarea data-field="webhooks" rows="3" prop:value=webhooks on:input=move |e| webhooks.set(event_target_value(&e))></textarea></label>
                <label class="field"><span>"External labels (name=value per line; added to every alert, {{ $externalLabels.name }} in templates)"</span><textarea data-field="external-labels" rows="2" prop:value=external_labels on:input=move |e| external_labels.set(event_target_value(&e))></textarea></label>
                <button data-action="apply-targets" on:click=apply_targets>"Apply"</button>
                {move || problem.get().map(|p| view! { <p class="form-problem" role="alert">{p}</p> })}
                <div class="dialog-buttons">
                    <button data-action="export-rules" title="A Prometheus rule file (promtool check rules accepts it)" on:click=export>"Download Prometheus rule file"</button>
                    {slo_note.map(|note| view! { <small class="slo-export-note">{note}</small> })}
                    <button data-action="close-rules" on:click=move |_| on_close.run(())>"Close"</button>
                </div>
        </Modal>
    }
}

/// One rule's editor.
#[component]
pub fn RuleEditor(
    index: Option<usize>,
    rule: AlertRule,
    datasource: Datasource,
    /// For `{{ $externalLabels.x }}` in the preview.
    external_labels: Labels,
    on_apply: Callback<(Option<usize>, AlertRule)>,
    on_close: Callback<()>,
) -> impl IntoView {
    let draft = RwSignal::new(rule.clone());
    let labels_text = RwSignal::new(format_pairs(&rule.labels));
    let numbers_problem = RwSignal::new(None::<String>);
    let annotation = |name: &'static str| {
        let value = move || draft.with(|r| r.annotations.get(name).cloned().unwrap_or_default());
        let set = move |text: String| {
            draft.update(|r| {
                if text.trim().is_empty() {
                    r.annotations.remove(name);
                } else {
                    r.annotations.insert(name.to_string(), text);
                }
            })
        };
        (value, set)
    };
    let optional = |text: String| Some(text.trim().to_string()).filter(|t| !t.is_empty());
    // Everything wrong, said while typing (template errors included).
    let problems = move || {
        let mut problems = draft.with(AlertRule::problems);
        if let Err(message) = parse_pairs(&labels_text.get()) {
            problems.push(message);
        }
        problems.extend(numbers_problem.get());
        problems
    };
    let number = move |text: String, set: &dyn Fn(&mut Condition, f64)| {
        match foresight_core::foundation::float_text::parse_f64(text.trim()) {
            Some(value) => {
                numbers_problem.set(None);
                draft.update(|r| set(&mut r.condition, value));
            }
            None => numbers_problem.set(Some(format!("{text:?} is not a number"))),
        }
    };
    let set_kind = move |kind: String| {
        draft.update(|r| {
            r.condition = match kind.as_str() {
                "returns" => Condition::Returns,
                "outsideBaseline" => Condition::OutsideBaseline {
                    baseline: BaselineKind::WeekAgo,
                    sensitivity: Sensitivity::Medium,
                },
                "anomalyScore" => Condition::AnomalyScore { above: 0.99 },
                "forecastCrosses" => Condition::ForecastCrosses {
                    op: Comparison::Above,
                    value: 0.0,
                    within: "4h".into(),
                },
                _ => Condition::Threshold {
                    op: Comparison::Above,
                    value: 0.0,
                },
            }
        })
    };
    // Re-drawn when the kind changes, not at every keystroke (the inputs keep focus).
    let kind = Memo::new(move |_| draft.with(|r| condition_kind(&r.condition)));
    let condition_fields = move || {
        kind.track();
        let op_select = |op: Comparison| {
            view! {
                <select data-field="rule-op" on:change=move |e| {
                    let picked = comparison(&event_target_value(&e));
                    draft.update(|r| match &mut r.condition {
                        Condition::Threshold { op, .. } | Condition::ForecastCrosses { op, .. } => *op = picked,
                        _ => {}
                    });
                }>
                    {COMPARISONS.into_iter().map(|c| view! { <option value=c.symbol() selected=c == op>{c.symbol()}</option> }).collect::<Vec<_>>()}
                </select>
            }
        };
        match draft.with_untracked(|r| r.condition.clone()) {
            Condition::Returns => view! { <span class="hint">"alerts on every series the expression returns (put the comparison in the PromQL)"</span> }.into_any(),
            Condition::Threshold { op, value } => view! {
                <span>{op_select(op)}<input data-field="rule-value" type="number" step="any" value=value.to_string()
                    on:input=move |e| number(event_target_value(&e), &|c, v| if let Condition::Threshold { value, .. } = c { *value = v })/></span>
            }.into_any(),
            Condition::OutsideBaseline { baseline, sensitivity } => view! {
                <span>
                    <select data-field="rule-baseline" on:change=move |e| {
                        let picked = BaselineKind::parse(&event_target_value(&e)).unwrap_or(BaselineKind::WeekAgo);
                        draft.update(|r| if let Condition::OutsideBaseline { baseline, .. } = &mut r.condition { *baseline = picked });
                    }>
                        {BaselineKind::ALL.into_iter().map(|k| view! { <option value=k.id() selected=k == baseline>{k.describe()}</option> }).collect::<Vec<_>>()}
                    </select>
                    <select data-field="rule-sensitivity" on:change=move |e| {
                        let picked = Sensitivity::parse(&event_target_value(&e)).unwrap_or_default();
                        draft.update(|r| if let Condition::OutsideBaseline { sensitivity, .. } = &mut r.condition { *sensitivity = picked });
                    }>
                        {Sensitivity::ALL.into_iter().map(|s| view! { <option value=s.id() selected=s == sensitivity>{format!("{} sensitivity", s.id())}</option> }).collect::<Vec<_>>()}
                    </select>
                </span>
            }.into_any(),
            Condition::AnomalyScore { above } => view! {
                <span>"score above "<input data-field="rule-score" type="number" step="0.001" min="0" max="1" value=above.to_string()
                    on:input=move |e| number(event_target_value(&e), &|c, v| if let Condition::AnomalyScore { above } = c { *above = v })/></span>
            }.into_any(),
            Condition::ForecastCrosses { op, value, within } => view! {
                <span>
                    "forecast " {op_select(op)}
                    <input data-field="rule-value" type="number" step="any" value=value.to_string()
                        on:input=move |e| number(event_target_value(&e), &|c, v| if let Condition::ForecastCrosses { value, .. } = c { *value = v })/>
                    " within "
                    <input data-field="rule-within" value=within on:input=move |e| {
                        let text = event_target_value(&e);
                        draft.update(|r| if let Condition::ForecastCrosses { within, .. } = &mut r.condition { *within = text.trim().to_string() });
                    }/>
                </span>
            }.into_any(),
        }
    };
    // What the rule says right now, with the summary rendered for each alerting series.
    let preview = RwSignal::new(None::<Result<Vec<(Labels, f64, String)>, String>>);
    let preview_load = LatestLoad::new();
    let run_preview = move |_| {
        let rule = draft.get_untracked();
        let datasource = datasource.clone();
        let external_labels = external_labels.clone();
        preview.set(Some(Ok(Vec::new())));
        let load = preview_load.start();
        spawn_local(async move {
            let now = now_ms() as f64 / 1000.0;
            let mut templates = TemplateData {
                external_labels,
                ..TemplateData::default()
            };
            let outcome = match evaluate_query(&datasource, &rule, now).await {
                Ok(answer) => {
                    answer_template_queries(
                        &datasource,
                        &rule,
                        &answer,
                        now,
                        &mut templates,
                        &|| load.is_newest(),
                    )
                    .await;
                    Ok(rule
                        .outputs_with(&answer.samples, &templates)
                        .into_iter()
                        .map(|output| {
                            let summary = rule
                                .render_annotations_with(
                                    &output.series_labels,
                                    output.value,
                                    &templates,
                                )
                                .remove("summary")
                                .unwrap_or_default();
                            (output.labels, output.value, summary)
                        })
                        .collect())
                }
                Err(message) => Err(message),
            };
            if load.is_newest() {
                preview.try_set(Some(outcome));
            }
        });
    };
    let preview_view = move || {
        // The value in the unit the rule shows it in.
        let shown = draft.get_untracked();
        preview.get().map(|outcome| match outcome {
            Err(message) => view! { <p class="form-problem" role="alert" data-testid="rule-preview">{format!("Prometheus: {message}")}</p> }.into_any(),
            Ok(rows) => {
                let count = rows.len();
                view! {
                <div class="rule-preview" data-testid="rule-preview" data-alerting=count.to_string()>
                    {format!("Now: {count} series would be alerting.")}
                    <ul>{rows.into_iter().take(10).map(|(labels, value, summary)| view! {
                        <li>{format!("{} = {} — {summary}", labels.iter().filter(|(k, _)| k.as_str() != "alertname").map(|(k, v)| format!("{k}=\"{v}\"")).collect::<Vec<_>>().join(", "), shown.format_value(value))}</li>
                    }).collect::<Vec<_>>()}</ul>
                </div>
            }.into_any()
            }
        })
    };
    let apply = move |_| {
        if !problems().is_empty() {
            return;
        }
        let mut rule = draft.get_untracked();
        if let Ok(labels) = parse_pairs(&labels_text.get_untracked()) {
            rule.labels = labels;
        }
        on_apply.run((index, rule));
    };
    let (summary, set_summary) = annotation("summary");
    let (description, set_description) = annotation("description");
    let (runbook, set_runbook) = annotation("runbook_url");
    view! {
        <Modal class="rule-editor" label="Edit alert rule" testid="rule-editor" on_close=on_close>
                <h2>{if index.is_some() { "Edit alert rule" } else { "New alert rule" }}</h2>
                <label class="field"><span>"Name"</span><input data-field="rule-name" prop:value=move || draft.with(|r| r.name.clone()) on:input=move |e| { let v = event_target_value(&e); draft.update(|r| r.name = v.trim().to_string()); } /></label>
                <label class="field"><span>"Expression"</span><textarea data-field="rule-expr" rows="3" prop:value=move || draft.with(|r| r.expr.clone()) on:input=move |e| { let v = event_target_value(&e); draft.update(|r| r.expr = v); }></textarea></label>
                <div class="field"><span>"Alert when"</span>
                    <select data-field="rule-condition" on:change=move |e| set_kind(event_target_value(&e))>
                        {[("threshold", "the value is"), ("returns", "the expression returns series"), ("outsideBaseline", "outside the baseline band"), ("anomalyScore", "the anomaly score is"), ("forecastCrosses", "the forecast crosses")]
                            .into_iter()
                            .map(|(v, t)| view! { <option value=v selected=move || draft.with(|r| condition_kind(&r.condition) == v)>{t}</option> })
                            .collect::<Vec<_>>()}
                    </select>
                    {condition_fields}
                </div>
                <div class="field"><span>"Timing"</span>
                    "for " <input data-field="rule-for" size="5" prop:value=move || draft.with(|r| r.for_duration.clone().unwrap_or_default()) on:input=move |e| { let v = optional(event_target_value(&e)); draft.update(|r| r.for_duration = v); } />
                    " keep firing for " <input data-field="rule-keep" size="5" prop:value=move || draft.with(|r| r.keep_firing_for.clone().unwrap_or_default()) on:input=move |e| { let v = optional(event_target_value(&e)); draft.update(|r| r.keep_firing_for = v); } />
                    " every " <input data-field="rule-interval" size="5" placeholder="1m" prop:value=move || draft.with(|r| r.interval.clone().unwrap_or_default()) on:input=move |e| { let v = optional(event_target_value(&e)); draft.update(|r| r.interval = v); } />
                </div>
                <label class="field"><span>"Value shown in"</span>
                    <select data-field="rule-unit" on:change=move |e| { let unit = Unit::from_id(&event_target_value(&e)); draft.update(|r| r.unit = unit); }>
                        <option value="" selected=move || draft.with(|r| r.unit.is_none())>"(a plain number)"</option>
                        {Unit::ALL.into_iter().map(|u| view! { <option value=u.id() selected=move || draft.with(|r| r.unit == Some(u))>{u.id()}</option> }).collect::<Vec<_>>()}
                    </select>
                </label>
                <label class="field"><span>"Labels (name=value per line)"</span><textarea data-field="rule-labels" rows="2" prop:value=labels_text on:input=move |e| labels_text.set(event_target_value(&e))></textarea></label>
                <label class="field"><span>"Summary"</span><input data-field="rule-summary" prop:value=summary on:input=move |e| set_summary(event_target_value(&e)) /></label>
                <label class="field"><span>"Description"</span><input data-field="rule-description" prop:value=description on:input=move |e| set_description(event_target_value(&e)) /></label>
                <label class="field"><span>"Runbook URL"</span><input data-field="rule-runbook" prop:value=runbook on:input=move |e| set_runbook(event_target_value(&e)) /></label>
                <p class="hint">"Templates: {{ $value }}, {{ $labels.instance }}, {{ humanize $value }}, {{ humanizePercentage $value }}, {{ humanizeDuration $value }}, {{ printf \"%.1f\" $value }}."</p>
                <ul class="form-problem" data-testid="rule-problems">
                    {move || problems().into_iter().map(|p| view! { <li role="alert">{p}</li> }).collect::<Vec<_>>()}
                </ul>
                {preview_view}
                <div class="dialog-buttons">
                    <button data-action="preview-rule" on:click=run_preview>"Preview now"</button>
                    <button data-action="apply-rule" disabled=move || !problems().is_empty() on:click=apply>"Apply"</button>
                    <button on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
        </Modal>
    }
}
