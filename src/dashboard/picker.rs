//! Switching to another shipped dashboard.

use crate::dashboard::change_view;
use foresight_core::model::dashboard::DashboardListing;
use foresight_core::model::dashboard_choice::DashboardAvailability;
use foresight_core::model::url_state::{DashboardRef, ViewState};
use leptos::prelude::*;

/// Shown when there is more than one dashboard to pick from.
#[component]
pub fn DashboardPicker(
    listings: Signal<Vec<DashboardListing>>,
    /// Which dashboards have data on this server; empty when unknown.
    availability: Signal<Vec<DashboardAvailability>>,
    current_id: String,
    current_title: String,
    view_state: RwSignal<ViewState>,
) -> impl IntoView {
    let change = move |update: &dyn Fn(&mut ViewState)| change_view(view_state, update);
    move || {
        let list = listings.get();
        // Shown with the current title alone while the list loads, so the
        // header does not move when it arrives.
        (list.len() != 1).then(|| {
            let current_id = current_id.clone();
            view! {
                <select
                    class="dashboard-picker"
                    data-testid="dashboard-picker"
                    title="Switch dashboard"
                    on:change=move |event| {
                        let id = event_target_value(&event);
                        change(&move |s: &mut ViewState| {
                            s.dashboard = DashboardRef::Shipped(id.clone());
                            s.variables.clear();
                        });
                    }
                >
                    {(!list.iter().any(|entry| entry.id == current_id)).then(|| {
                        view! { <option value="" selected=true disabled=true>{current_title.clone()}</option> }
                    })}
                    {list
                        .into_iter()
                        .map(|entry| {
                            let selected = entry.id == current_id;
                            let found = availability.with(|all| {
                                all.iter().find(|a| a.id == entry.id).map(|a| (a.has_data(), a.unknown()))
                            });
                            // Said in the text too: an option's colour is not read out.
                            let (label, has_data) = match found {
                                Some((true, _)) => (format!("{} · has data", entry.title), Some("true")),
                                Some((false, false)) => (format!("{} · no data here", entry.title), Some("false")),
                                _ => (entry.title, None),
                            };
                            view! { <option value=entry.id selected=selected data-has-data=has_data>{label}</option> }
                        })
                        .collect::<Vec<_>>()}
                </select>
            }
        })
    }
}
