//! The settings' service-level objectives: each one's name, objective and
//! period, editable (the indicator stays as imported or made from a panel),
//! and removable. The core's `edited_slo` reads and checks what was typed.

use foresight_core::alerting::slo::Slo;
use foresight_core::model::slo_panel::{edited_slo, PERIOD_CHOICES};
use leptos::prelude::*;

/// One SLO as its row: name, objective and period as typed, and the SLO.
#[derive(Clone)]
pub struct SloRow {
    name: RwSignal<String>,
    objective: RwSignal<String>,
    period: RwSignal<String>,
    original: Slo,
}

/// The rows of `slos`, in order.
pub fn slo_rows_of(slos: &[Slo]) -> RwSignal<Vec<SloRow>> {
    RwSignal::new(
        slos.iter()
            .map(|slo| SloRow {
                name: RwSignal::new(slo.name.clone()),
                objective: RwSignal::new(slo.objective_percent.to_string()),
                period: RwSignal::new(slo.period.clone()),
                original: slo.clone(),
            })
            .collect(),
    )
}

/// The SLOs as the rows now say, or the first problem.
pub fn edited_slos(rows: RwSignal<Vec<SloRow>>) -> Result<Vec<Slo>, String> {
    rows.get_untracked()
        .iter()
        .map(|row| {
            edited_slo(
                &row.original,
                &row.name.get_untracked(),
                &row.objective.get_untracked(),
                &row.period.get_untracked(),
            )
        })
        .collect()
}

#[component]
pub fn SloSettings(rows: RwSignal<Vec<SloRow>>) -> impl IntoView {
    let row_view = move |(index, row): (usize, SloRow)| {
        let SloRow {
            name,
            objective,
            period,
            original,
        } = row;
        // The SLO's own period stays offered when it is not a usual one.
        let own =
            (!PERIOD_CHOICES.contains(&original.period.as_str())).then(|| original.period.clone());
        let periods: Vec<String> = PERIOD_CHOICES
            .iter()
            .map(|p| p.to_string())
            .chain(own)
            .collect();
        view! {
            <div class="slo-row" data-slo-row=original.id.clone()>
                <input class="slo-name" aria-label="SLO name" prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
                <input class="slo-objective" aria-label="Objective, percent" inputmode="decimal" prop:value=move || objective.get() on:input=move |e| objective.set(event_target_value(&e)) />
                <span>"% over"</span>
                <select class="slo-period" aria-label="Period" on:change=move |e| period.set(event_target_value(&e))>
                    {periods.into_iter().map(|p| { let (chosen, value) = (p.clone(), p.clone()); view! { <option value=value selected=move || period.get() == chosen>{p}</option> } }).collect::<Vec<_>>()}
                </select>
                <button aria-label=format!("Remove the SLO {}", original.name) on:click=move |_| rows.update(|r| { if index < r.len() { r.remove(index); } })>"✕"</button>
            </div>
        }
    };
    view! {
        <div class="field"><span>"Service-level objectives"</span>
            <div class="slo-rows">
                {move || rows.get().into_iter().enumerate().map(row_view).collect::<Vec<_>>()}
                {move || rows.with(Vec::is_empty).then_some(view! { <p class="hint">"None yet: import a Sloth or OpenSLO spec with the alert rules, or press SLO on a panel whose query is a ratio (errors / total)."</p> })}
            </div>
        </div>
    }
}
