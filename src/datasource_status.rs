//! The header badge: which Prometheus this page talks to and its version.

use crate::prometheus_client::fetch_build_info;
use foresight_core::datasource::Datasource;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn DatasourceStatus(datasource: Datasource) -> impl IntoView {
    let (status, set_status) = signal(None::<Result<String, String>>);
    let shown_url = datasource.to_string();
    spawn_local(async move {
        let result = fetch_build_info(&datasource)
            .await
            .map(|info| info.version)
            .map_err(|error| error.to_string());
        set_status.set(Some(result));
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
