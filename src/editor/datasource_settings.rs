//! The settings' datasource options: which engine (or detect it), the tenant
//! for Mimir and Cortex, and Thanos's deduplication, partial answers and
//! downsampling. Read into `DatasourceOptions` by the core, which checks them.

use foresight_core::model::datasource::{DatasourceOptions, FLAG_CHOICES, RESOLUTION_CHOICES};
use foresight_core::query::engine::ENGINES;
use leptos::prelude::*;

/// The form's fields, as text.
#[derive(Clone, Copy)]
pub struct DatasourceForm {
    engine: RwSignal<String>,
    tenant: RwSignal<String>,
    dedup: RwSignal<String>,
    partial_response: RwSignal<String>,
    max_source_resolution: RwSignal<String>,
}

impl DatasourceForm {
    pub fn of(options: &DatasourceOptions) -> Self {
        Self {
            engine: RwSignal::new(options.engine.map_or("auto", |e| e.id()).to_string()),
            tenant: RwSignal::new(options.tenant.clone().unwrap_or_default()),
            dedup: RwSignal::new(DatasourceOptions::flag_choice(options.dedup).to_string()),
            partial_response: RwSignal::new(
                DatasourceOptions::flag_choice(options.partial_response).to_string(),
            ),
            max_source_resolution: RwSignal::new(
                options
                    .max_source_resolution
                    .clone()
                    .unwrap_or_else(|| "default".into()),
            ),
        }
    }

    /// The options the form says, or what is wrong with them.
    pub fn read(&self) -> Result<DatasourceOptions, String> {
        DatasourceOptions::from_form(
            &self.engine.get_untracked(),
            &self.tenant.get_untracked(),
            &self.dedup.get_untracked(),
            &self.partial_response.get_untracked(),
            &self.max_source_resolution.get_untracked(),
        )
        .map_err(|problem| format!("datasource options: {problem}"))
    }
}

/// A `<select>` over `choices` bound to `value`.
fn choice_field(
    field: &'static str,
    value: RwSignal<String>,
    choices: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <select data-field=field on:change=move |e| value.set(event_target_value(&e))>
            {choices
                .into_iter()
                .map(|(id, text)| {
                    let selected = id.clone();
                    view! { <option value=id selected=move || value.get() == selected>{text}</option> }
                })
                .collect::<Vec<_>>()}
        </select>
    }
}

#[component]
pub fn DatasourceSettings(form: DatasourceForm) -> impl IntoView {
    let engines = std::iter::once(("auto".to_string(), "detect from its answers".to_string()))
        .chain(
            ENGINES
                .iter()
                .map(|e| (e.id().to_string(), e.name().to_string())),
        )
        .collect();
    let flags = |server_default: &str| {
        FLAG_CHOICES
            .iter()
            .map(|choice| {
                let text = if *choice == "default" {
                    server_default.to_string()
                } else {
                    choice.to_string()
                };
                (choice.to_string(), text)
            })
            .collect()
    };
    let resolutions = RESOLUTION_CHOICES
        .iter()
        .map(|r| {
            (
                r.to_string(),
                if *r == "default" {
                    "Thanos's default".to_string()
                } else {
                    r.to_string()
                },
            )
        })
        .collect();
    view! {
        <label class="field"><span>"Engine"</span>{choice_field("engine", form.engine, engines)}</label>
        <label class="field"><span>"Tenant (X-Scope-OrgID)"</span>
            <input data-field="tenant" placeholder="Mimir or Cortex tenant; a|b for several" prop:value=move || form.tenant.get() on:input=move |e| form.tenant.set(event_target_value(&e)) />
        </label>
        <div class="field"><span>"Thanos"</span>
            <label>"dedup "{choice_field("dedup", form.dedup, flags("Thanos's default (on)"))}</label>
            <label>" partial answers "{choice_field("partial-response", form.partial_response, flags("the querier's default"))}</label>
            <label>" downsampled data "{choice_field("max-source-resolution", form.max_source_resolution, resolutions)}</label>
        </div>
    }
}
