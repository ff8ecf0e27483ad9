//! Which dashboard the page shows: the one the address names (shipped with
//! the page, saved in this browser, or carried in the link), newest only.

use crate::browser::http::{fetch_text, open_inline_dashboard};
use crate::browser::storage::load_saved;
use crate::hooks::latest_load::LatestLoad;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::edit::SavedDashboards;
use foresight_core::model::url_state::{DashboardRef, ViewState, DEFAULT_DASHBOARD_ID};
use leptos::prelude::*;

async fn load_shipped_dashboard(id: &str) -> Result<Dashboard, String> {
    // Relative to the page, so the app works from any sub-path.
    let url = format!("public/dashboards/{id}.json");
    let (status, text) = fetch_text(&url, None)
        .await
        .map_err(|e| format!("cannot load dashboard {id:?}: {e}"))?;
    if status == 404 {
        return Err(format!(
            "there is no dashboard {id:?} (public/dashboards/{id}.json was not found)"
        ));
    }
    if !(200..300).contains(&status) {
        return Err(format!(
            "loading dashboard {id:?} failed with HTTP {status}"
        ));
    }
    Dashboard::from_json(&text).map_err(|e| format!("dashboard {id:?}: {e}"))
}

/// The dashboard the address names, loaded whenever it names another one
/// (`None` while it loads); a link whose dashboard cannot be opened says so and
/// shows the default one.
pub fn follow_dashboard(
    view_state: RwSignal<ViewState>,
    url_problems: RwSignal<Vec<String>>,
    // Read again when it changes: saving the dashboard on screen keeps its
    // address, and the page must not go back to the version before.
    saved_list: RwSignal<Result<SavedDashboards, String>>,
) -> (
    RwSignal<Option<Result<Dashboard, String>>>,
    Memo<DashboardRef>,
) {
    let dashboard = RwSignal::new(None::<Result<Dashboard, String>>);
    let dashboard_ref = Memo::new(move |_| view_state.with(|s| s.dashboard.clone()));
    // An answer that arrives after the page has moved on to another dashboard is dropped.
    let dashboard_load = LatestLoad::new();
    Effect::new(move |_| {
        match dashboard_ref.get() {
            DashboardRef::Inline(link_text) => {
                dashboard.set(None);
                dashboard_load.run(
                    async move { open_inline_dashboard(&link_text).await },
                    move |opened| {
                        match opened {
                            Ok(inline) => {
                                dashboard.try_set(Some(Ok(inline)));
                            }
                            // Like any unusable part of a link: say so and show the default dashboard.
                            Err(problem) => {
                                url_problems.try_update(|problems| {
                                    problems
                                        .push(format!("{problem}; showing {DEFAULT_DASHBOARD_ID}"))
                                });
                                view_state.try_update(|s| {
                                    s.dashboard = DashboardRef::Shipped(DEFAULT_DASHBOARD_ID.into())
                                });
                            }
                        }
                    },
                );
            }
            DashboardRef::Saved(id) => {
                saved_list.track();
                dashboard_load.cancel();
                dashboard.set(Some(load_saved().and_then(|saved| {
            saved.dashboards.get(&id).cloned().ok_or_else(|| {
                format!("no dashboard {id:?} is saved in this browser (saved dashboards stay in the browser that saved them; share a link or the JSON instead)")
            })
        })))
            }
            DashboardRef::Shipped(id) => {
                dashboard.set(None);
                dashboard_load.run(
                    async move { load_shipped_dashboard(&id).await },
                    move |loaded| {
                        dashboard.try_set(Some(loaded));
                    },
                );
            }
        }
    });

    (dashboard, dashboard_ref)
}
