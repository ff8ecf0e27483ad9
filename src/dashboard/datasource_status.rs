//! The header badge: which server this page talks to, what engine it is and
//! its version, and what works differently there. Each question fails on its
//! own: only a datasource that does not answer queries is shown in red; one
//! whose build info cannot be read (VictoriaMetrics sends it without a
//! cross-origin header) says so in a note while the data flows. While queries
//! fail the probe is sent again every few seconds, so a page opened during an
//! outage recovers by itself.

use crate::browser::clock::sleep_ms;
use crate::browser::prometheus_client::{fetch_build_info, fetch_query_language, remember_engine};
use foresight_core::model::datasource::Datasource;
use foresight_core::query::engine::{believed_engine, describe, DatasourceReport};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How long the badge waits before asking an unreachable datasource again.
const RETRY_MS: i32 = 5_000;

#[component]
pub fn DatasourceStatus(
    datasource: Datasource,
    report: RwSignal<Option<DatasourceReport>>,
) -> impl IntoView {
    let (failure, set_failure) = signal(None::<String>);
    let shown_url = datasource.to_string();
    let tenant = datasource.options().tenant.clone();
    report.set(None);
    spawn_local(async move {
        loop {
            match fetch_query_language(&datasource).await {
                Ok(language) => {
                    let set = datasource.options().engine;
                    // Build info is only asked of an engine that serves it to a page.
                    let engine = believed_engine(set, language);
                    let build_info = match engine {
                        Some(engine) if !engine.build_info_readable() => None,
                        _ => Some(fetch_build_info(&datasource).await),
                    };
                    let tenant = datasource.options().tenant.as_deref();
                    let described = describe(set, language, build_info.as_ref(), tenant);
                    // A badge that is gone (another datasource since) reports nothing:
                    // the page's report is the new datasource's.
                    if set_failure.try_set(None).is_some() {
                        return;
                    }
                    remember_engine(&datasource, described.effective_engine());
                    report.try_set(Some(described));
                    return;
                }
                // Stops when the badge is gone (another datasource).
                Err(error) => {
                    if set_failure.try_set(Some(error.to_string())).is_some() {
                        return;
                    }
                }
            }
            sleep_ms(RETRY_MS).await;
        }
    });
    let engine_name = move || {
        report.with(|r| match r {
            Some(report) => report
                .engine
                .map_or("Prometheus-compatible", |engine| engine.name())
                .to_string(),
            None => "Datasource".to_string(),
        })
    };
    let engine_id = move || report.with(|r| r.as_ref().and_then(|r| r.engine).map(|e| e.id()));
    let notes = move || report.with(|r| r.as_ref().map(|r| r.notes.clone()).unwrap_or_default());
    view! {
        <div class="datasource" data-testid="datasource" data-engine=engine_id>
            <span data-testid="datasource-engine">{engine_name}</span>
            <code data-testid="datasource-url">{shown_url}</code>
            {tenant.map(|tenant| view! { <span class="tenant" data-testid="datasource-tenant">"tenant "<code>{tenant}</code></span> })}
            {move || match (failure.get(), report.with(|r| r.as_ref().map(|r| r.version.clone()))) {
                (Some(message), _) => {
                    view! { <span class="unreachable" data-testid="datasource-error">{message}</span> }.into_any()
                }
                (None, None) => view! { <span class="checking">"checking…"</span> }.into_any(),
                (None, Some(Some(version))) => {
                    view! { <span class="version" data-testid="prometheus-version">{format!("v{version}")}</span> }
                        .into_any()
                }
                (None, Some(None)) => {
                    view! { <span class="version" data-testid="datasource-answering">"answering"</span> }.into_any()
                }
            }}
            {move || {
                let notes = notes();
                (!notes.is_empty()).then(|| {
                    view! {
                        <details class="datasource-notes" data-testid="datasource-notes">
                            <summary>{format!("{} note{}", notes.len(), if notes.len() == 1 { "" } else { "s" })}</summary>
                            <ul>{notes.into_iter().map(|note| view! { <li>{note}</li> }).collect_view()}</ul>
                        </details>
                    }
                })
            }}
        </div>
    }
}
