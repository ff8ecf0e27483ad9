//! The shipped dashboards, which of them this server has data for, and on a
//! first open (an address that names no dashboard) the one to show: its
//! metrics exist here. Asked once per page with one label lookup, before any
//! panel queries, so that a newcomer pointing the page at their own
//! Prometheus sees a dashboard with data and is told why it was chosen.
//! When the address's datasource changes without a reload (back and
//! forward between links to different servers), the marks are asked again.

use crate::browser::clock::{now_seconds, sleep_ms};
use crate::browser::http::fetch_text;
use crate::browser::location::{default_datasource, location_search};
use crate::browser::prometheus_client::fetch_label_values;
use crate::hooks::latest_load::LatestLoad;
use foresight_core::model::dashboard::DashboardListing;
use foresight_core::model::dashboard_choice::{
    availability, first_dashboard, DashboardAvailability, LOOKBACK_SECONDS,
};
use foresight_core::model::datasource::Datasource;
use foresight_core::model::url_state::{
    names_a_dashboard, DashboardRef, ViewState, DEFAULT_DASHBOARD_ID,
};
use foresight_core::query::engine::LabelRange;
use futures::future::{select, Either};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How long a first open waits for the server's metric names before
/// showing the default dashboard anyway.
const CHOICE_WAIT_MS: i32 = 5_000;

/// What the page knows about the shipped dashboards.
#[derive(Clone, Copy)]
pub struct ShippedDashboards {
    /// The list, for the picker; empty until loaded (the picker is hidden).
    pub listings: RwSignal<Vec<DashboardListing>>,
    /// Which of them have data on this server; empty when unknown.
    pub availability: RwSignal<Vec<DashboardAvailability>>,
    /// True while a first open is still choosing (no dashboard is shown yet).
    pub choosing: RwSignal<bool>,
    /// Why the first open showed the dashboard it did.
    pub reason: RwSignal<Option<String>>,
}

/// Loads the list and the server's metric names, and on a first open
/// switches `view_state` to the dashboard chosen.
pub fn load_shipped_dashboards(view_state: RwSignal<ViewState>) -> ShippedDashboards {
    let shipped = ShippedDashboards {
        listings: RwSignal::new(Vec::new()),
        availability: RwSignal::new(Vec::new()),
        choosing: RwSignal::new(!names_a_dashboard(&location_search())),
        reason: RwSignal::new(None),
    };
    let marks = LatestLoad::new();
    let first = marks.start();
    spawn_local(async move {
        let list = match fetch_text("public/dashboards/index.json", None).await {
            Ok((200..=299, text)) => {
                foresight_core::foundation::json::decode::<Vec<DashboardListing>>(&text)
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        };
        shipped.listings.try_set(list.clone());
        // A link's datasource is asked only once the viewer confirmed it:
        // until then the question goes to the page's default, as the panels do.
        let datasource = asked_datasource(view_state.with_untracked(|s| s.datasource.clone()));
        let range = LabelRange::ending_now(now_seconds(), LOOKBACK_SECONDS);
        let lookup = Box::pin(fetch_label_values(&datasource, "__name__", None, range));
        let names = match select(lookup, Box::pin(sleep_ms(CHOICE_WAIT_MS))).await {
            Either::Left((Ok(names), _)) => Some(names),
            _ => None,
        };
        if let Some(names) = names {
            let found = availability(&list, &names);
            let first_open = shipped.choosing.get_untracked()
                && view_state.with_untracked(|s| {
                    s.dashboard == DashboardRef::Shipped(DEFAULT_DASHBOARD_ID.into())
                });
            if first_open && !list.is_empty() {
                let choice = first_dashboard(&found, DEFAULT_DASHBOARD_ID);
                if choice.id != DEFAULT_DASHBOARD_ID {
                    view_state.try_update(|s| s.dashboard = DashboardRef::Shipped(choice.id));
                }
                shipped.reason.try_set(Some(choice.reason));
            }
            // Unless the datasource changed meanwhile and its own marks are on the way.
            if first.is_newest() {
                shipped.availability.try_set(found);
            }
        }
        // Set only when it changes: the page is drawn anew whenever it is set.
        if shipped.choosing.get_untracked() {
            shipped.choosing.try_set(false);
        }
    });
    // Another datasource in the address (without a reload): the marks are
    // about the server asked, so they are asked again.
    let linked = Memo::new(move |_| view_state.with(|s| s.datasource.clone()));
    Effect::new(move |ran: Option<()>| {
        let linked = linked.get();
        if ran.is_some() {
            shipped.availability.try_set(Vec::new());
            let datasource = asked_datasource(linked);
            let range = LabelRange::ending_now(now_seconds(), LOOKBACK_SECONDS);
            marks.run(
                async move { fetch_label_values(&datasource, "__name__", None, range).await },
                move |names| {
                    if let Ok(names) = names {
                        let found = shipped
                            .listings
                            .with_untracked(|list| availability(list, &names));
                        shipped.availability.try_set(found);
                    }
                },
            );
        }
    });
    shipped
}

/// The server the first-open question and the marks go to: a link's
/// datasource once the viewer confirmed it (as the panels do), else the page's default.
fn asked_datasource(linked: Option<Datasource>) -> Datasource {
    linked
        .filter(crate::trust_banner::datasource_confirmed)
        .unwrap_or_else(default_datasource)
}
