//! The page: the URL is the state. It is decoded into a [`ViewState`], the
//! dashboard it names is loaded, and every change (range, refresh, variables)
//! writes a new URL with one history entry; back/forward restores it.

use crate::browser_clock::now_ms;
use crate::dashboard_page::DashboardPage;
use foresight_core::dashboard_model::{Dashboard, DashboardListing};
use foresight_core::datasource::{Datasource, DEFAULT_DATASOURCE_URL};
use foresight_core::url_state::{DashboardRef, ViewState};
use gloo_net::http::Request;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn location_search() -> String {
    window().location().search().unwrap_or_default()
}

/// The page's default datasource: the page's own origin when Prometheus serves it
/// (`--web.user-assets` puts it under `/user/`), otherwise the local default.
pub fn default_datasource() -> Datasource {
    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    let origin = location.origin().unwrap_or_default();
    if path.starts_with("/user/") {
        if let Ok(same_origin) = Datasource::parse(&origin) {
            return same_origin;
        }
    }
    Datasource::parse(DEFAULT_DATASOURCE_URL).expect("the default datasource is valid")
}

/// Writes `state` into the address bar as a new history entry.
pub fn push_url(state: &ViewState) {
    let url = format!(
        "{}{}",
        window().location().pathname().unwrap_or_default(),
        state.encode()
    );
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

async fn load_shipped_dashboard(id: &str) -> Result<Dashboard, String> {
    // Relative to the page, so the app works from any sub-path.
    let url = format!("public/dashboards/{id}.json");
    let response = Request::get(&url)
        .send()
        .await
        .map_err(|e| format!("cannot load dashboard {id:?}: {e}"))?;
    if response.status() == 404 {
        return Err(format!(
            "there is no dashboard {id:?} (public/dashboards/{id}.json was not found)"
        ));
    }
    if !response.ok() {
        return Err(format!(
            "loading dashboard {id:?} failed with HTTP {}",
            response.status()
        ));
    }
    let text = response
        .text()
        .await
        .map_err(|e| format!("cannot read dashboard {id:?}: {e}"))?;
    Dashboard::from_json(&text).map_err(|e| format!("dashboard {id:?}: {e}"))
}

#[component]
pub fn App() -> impl IntoView {
    let (initial, problems) = ViewState::decode(&location_search());
    let view_state = RwSignal::new(initial);
    let url_problems = RwSignal::new(problems);
    let listener = window_event_listener(leptos::ev::popstate, move |_| {
        let (state, problems) = ViewState::decode(&location_search());
        url_problems.set(problems);
        view_state.set(state);
    });
    on_cleanup(move || listener.remove());

    // The list of shipped dashboards, for the picker; without it the picker is hidden.
    let listings = RwSignal::new(Vec::<DashboardListing>::new());
    spawn_local(async move {
        if let Ok(response) = Request::get("public/dashboards/index.json").send().await {
            if let Ok(list) = response.json::<Vec<DashboardListing>>().await {
                listings.try_set(list);
            }
        }
    });

    let dashboard = RwSignal::new(None::<Result<Dashboard, String>>);
    let dashboard_ref = Memo::new(move |_| view_state.with(|s| s.dashboard.clone()));
    Effect::new(move |_| match dashboard_ref.get() {
        DashboardRef::Inline(inline) => dashboard.set(Some(Ok(*inline))),
        DashboardRef::Shipped(id) => {
            dashboard.set(None);
            spawn_local(async move {
                let loaded = load_shipped_dashboard(&id).await;
                dashboard.try_set(Some(loaded));
            });
        }
    });

    view! {
        {move || {
            let problems = url_problems.get();
            (!problems.is_empty())
                .then(|| {
                    view! {
                        <div class="url-problems" role="alert" data-testid="url-problems">
                            "Parts of this link could not be used:"
                            <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect::<Vec<_>>()}</ul>
                        </div>
                    }
                })
        }}
        {move || match dashboard.get() {
            None => view! { <p class="page-message">"Loading dashboard…"</p> }.into_any(),
            Some(Err(message)) => {
                view! { <p class="page-message error" role="alert" data-testid="dashboard-error">{message}</p> }.into_any()
            }
            Some(Ok(dashboard)) => {
                view! { <DashboardPage dashboard=dashboard view_state=view_state listings=listings.into() start_ms=now_ms() /> }
                    .into_any()
            }
        }}
    }
}
