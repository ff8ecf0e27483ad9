//! Importing a Prometheus rule file into the dashboard: a file or pasted
//! YAML, read by `alerting::rule_file` into a report of every alerting rule
//! (imported, or named with why not) before anything is added. A Sloth or
//! OpenSLO spec is read by `alerting::slo_import` into the dashboard's SLOs
//! the same way.

use crate::browser::clipboard::read_chosen_file;
use foresight_core::alerting::rule::AlertRule;
use foresight_core::alerting::rule_file::{import_rule_file, RefusedRule, RuleFileImport};
use foresight_core::alerting::slo::Slo;
use foresight_core::alerting::slo_import::{import_slo_specs, is_slo_spec, SloImport};
use foresight_core::model::edit::Edit;
use leptos::prelude::*;

/// "group / rule: why", one line per rule not added.
fn refused_line(rule: &RefusedRule) -> AnyView {
    let line = format!("{} / {}: {}", rule.group, rule.name, rule.reason);
    view! { <li data-refused-rule=rule.name.clone()>{line}</li> }.into_any()
}

/// The report of one file and the button that adds its rules.
fn report(
    import: RuleFileImport,
    existing: &[AlertRule],
    on_edit: Callback<Edit>,
) -> impl IntoView {
    let (to_add, left_out) = import.rules_to_add(existing);
    let count = to_add.len();
    let notes = import
        .notes
        .iter()
        .cloned()
        .chain(import.unlisted())
        .map(|note| view! { <li>{note}</li> }.into_any());
    let lines: Vec<AnyView> = import
        .refused
        .iter()
        .chain(&left_out)
        .map(refused_line)
        .chain(notes)
        .collect();
    let add = (count > 0).then(|| {
        let label = format!("Add {count} rule{} to this dashboard", if count == 1 { "" } else { "s" });
        view! { <button data-action="add-imported-rules" on:click=move |_| on_edit.run(Edit::AddAlertRules(to_add.clone()))>{label}</button> }
    });
    view! {
        <div class="import-report" data-testid="rule-import-report">
            <p class="import-summary" data-testid="rule-import-summary">{import.summary()}</p>
            <ul class="import-notes">{lines}</ul>
            {add}
        </div>
    }
}

/// The report of an SLO spec and the button that adds its objectives.
fn slo_report(import: SloImport, existing: &[Slo], on_edit: Callback<Edit>) -> impl IntoView {
    let (to_add, notes) = import.to_add(existing);
    let count = to_add.len();
    let lines: Vec<AnyView> = notes
        .into_iter()
        .map(|note| view! { <li>{note}</li> }.into_any())
        .collect();
    let add = (count > 0).then(|| {
        let label = format!("Add {count} SLO{} to this dashboard", if count == 1 { "" } else { "s" });
        view! { <button data-action="add-imported-slos" on:click=move |_| on_edit.run(Edit::AddSlos(to_add.clone()))>{label}</button> }
    });
    view! {
        <div class="import-report" data-testid="slo-import-report">
            <p class="import-summary">{format!("{count} service-level objective(s) read")}</p>
            <ul class="import-notes">{lines}</ul>
            {add}
        </div>
    }
}

/// What a pasted or chosen file was read as.
#[derive(Clone)]
enum Imported {
    Rules(RuleFileImport),
    Slos(SloImport),
}

fn read_text(text: &str) -> Result<Imported, String> {
    if is_slo_spec(text) {
        // Sloth's specs carry no period; its own default is 30 days.
        import_slo_specs(text, "30d").map(Imported::Slos)
    } else {
        import_rule_file(text).map(Imported::Rules)
    }
}

/// A rule file (`groups:` or a Kubernetes PrometheusRule) to add to the
/// dashboard's rules, or a Sloth or OpenSLO spec to add to its SLOs.
#[component]
pub fn RuleFileImporter(
    existing: Vec<AlertRule>,
    existing_slos: Vec<Slo>,
    on_edit: Callback<Edit>,
) -> impl IntoView {
    let pasted = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<Imported, String>>);
    let read = move |text: String| outcome.set(Some(read_text(&text)));
    let on_file = move |event: leptos::ev::Event| {
        read_chosen_file(&event, move |text| {
            outcome.set(Some(text.and_then(|text| read_text(&text))))
        })
    };
    let existing = StoredValue::new(existing);
    let existing_slos = StoredValue::new(existing_slos);
    let report_view = move || {
        outcome.get().map(|result| match result {
            Err(message) => view! { <p class="form-problem" role="alert" data-testid="rule-import-error">{message}</p> }.into_any(),
            Ok(Imported::Rules(import)) => existing.with_value(|existing| report(import, existing, on_edit)).into_any(),
            Ok(Imported::Slos(import)) => existing_slos.with_value(|existing| slo_report(import, existing, on_edit)).into_any(),
        })
    };
    view! {
        <details class="rule-file-import" data-testid="rule-file-import">
            <summary>"Import a Prometheus rule file"</summary>
            <p>"A rule file (groups: …) or a Kubernetes PrometheusRule: choose a file or paste it. Each alerting rule is imported as it is, or named with the reason it is not. A Sloth spec (version: prometheus/v1) or an OpenSLO v1 SLO adds service-level objectives instead."</p>
            <input type="file" accept=".yml,.yaml" data-field="rule-file" on:change=on_file />
            <textarea data-field="rule-file-text" rows="6" placeholder="groups:\n  - name: example\n    rules:\n      - alert: …" prop:value=move || pasted.get() on:input=move |e| pasted.set(event_target_value(&e))></textarea>
            <button data-action="read-rule-file" on:click=move |_| read(pasted.get_untracked())>"Read pasted rules"</button>
            {report_view}
        </details>
    }
}
