//! The header badge: which Prometheus this page talks to and its version.
//! While Prometheus cannot be reached it is asked again every few seconds, so
//! a page opened during an outage shows the version once it is back.

use crate::browser::clock::sleep_ms;
use crate::browser::prometheus_client::fetch_build_info;
use foresight_core::model::datasource::Datasource;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How long the badge waits before asking an unreachable Prometheus again.
const RETRY_MS: i32 = 5_000;

#[component]
pub fn DatasourceStatus(datasource: Datasource) -> impl IntoView {
    let (status, set_status) = signal(None::<Result<String, String>>);
    let shown_url = datasource.to_string();
    spawn_local(async move {
        loop {
            let result = fetch_build_info(&datasource)
                .await
                .map(|info| info.version)
                .map_err(|error| error.to_string());
            let answered = result.is_ok();
            // Stops once answered, or when the badge is gone (another datasource).
            if set_status.try_set(Some(result)).is_some() || answered {
                return;
            }
            sleep_ms(RETRY_MS).await;
        }
    });
    view! {
        <div class="datasource" data-testid="datasource">
            <span>"Prometheus"</span>
            <code data-testid="datasource-url">{shown_url}</code>
            {move || match status.get() {
                None => view! { <span class="checking">"checking…"</span> }.into_any(),
                Some(Ok(version)) => {
                    view! { <span class="version" data-testid="prometheus-version">{format!("v{version}")}</span> }
                        .into_any()
                }
                Some(Err(message)) => {
                    view! { <span class="unreachable" data-testid="datasource-error">{message}</span> }.into_any()
                }
            }}
        </div>
    }
}
