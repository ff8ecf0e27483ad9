//! What the dashboard on screen would do beyond drawing that the viewer has
//! not agreed to (`model::trust::review`), this tab's answer, and the banner
//! that asks. A dashboard shipped with the page or saved here is trusted: its
//! own datasource is confirmed on its author's authority.

use crate::browser::location::default_datasource;
use crate::browser::storage::{store_tab_choices, update_alert_homes, update_confirmed_origins};
use crate::trust_banner::{page_context, TrustBanner};
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::datasource::{choose_datasource, Datasource};
use foresight_core::model::trust::{self, AlertHomes, Capability, ConfirmedOrigins, Provenance};
use foresight_core::model::url_state::{DashboardRef, ViewState};
use leptos::prelude::*;

/// The review of the dashboard on screen.
#[derive(Clone, Copy)]
pub struct DashboardTrust {
    pub provenance: Memo<Provenance>,
    /// What would be asked, and the key of this tab's answer for each.
    pub review: Memo<(Vec<String>, Vec<Capability>)>,
    /// This tab's answer, if it gave one.
    pub choice: Memo<Option<bool>>,
    /// Asked about and not accepted: the page draws without the extras.
    pub inert: Memo<bool>,
}

/// What the review reads.
#[derive(Clone, Copy)]
pub struct TrustInputs {
    pub view_state: RwSignal<ViewState>,
    pub dashboard_ref: Memo<DashboardRef>,
    /// The dashboard loaded from the address.
    pub dashboard: RwSignal<Option<Result<Dashboard, String>>>,
    /// What is on screen (the edited dashboard while editing).
    pub shown: Memo<Option<Result<Dashboard, String>>>,
    pub editing: Memo<bool>,
    pub editing_import: RwSignal<bool>,
    pub editing_base: RwSignal<Option<Dashboard>>,
    pub confirmed: RwSignal<ConfirmedOrigins>,
    /// Where trusted dashboards' rules run without asking.
    pub alert_homes: RwSignal<AlertHomes>,
    pub tab_choices: RwSignal<SortedMap<String, bool>>,
    pub notice: RwSignal<Option<String>>,
}

/// The server a trusted `dashboard`'s rules would run on in a view whose
/// link names `linked` (as the page chooses it, before any trust decision),
/// when that is not their home (`AlertHomes::away`).
pub fn away_from_home(
    homes: &AlertHomes,
    provenance: Provenance,
    dashboard: &Dashboard,
    linked: Option<&Datasource>,
) -> Option<Datasource> {
    let default = default_datasource();
    let evaluated = choose_datasource(
        linked,
        dashboard.datasource.as_deref(),
        &dashboard.datasource_options,
        default.clone(),
    );
    homes
        .away(provenance, dashboard, &evaluated, &default)
        .cloned()
}

pub fn review_dashboard(inputs: TrustInputs) -> DashboardTrust {
    let TrustInputs {
        view_state,
        dashboard_ref,
        dashboard,
        shown,
        editing,
        editing_import,
        editing_base,
        confirmed,
        alert_homes,
        tab_choices,
        ..
    } = inputs;
    // What the dashboard on screen would do beyond drawing, that the viewer has
    // not agreed to; and whether this tab already answered for it.
    let provenance = Memo::new(move |_| {
        if editing_import.get() {
            Provenance::Import
        } else {
            Provenance::of(&dashboard_ref.get())
        }
    });
    let review = Memo::new(move |_| {
        let Some(Ok(current)) = shown.get() else {
            return (Vec::new(), Vec::new());
        };
        let confirmed = confirmed.get();
        let base = editing_base.get().unwrap_or_else(|| current.clone());
        view_state.with(|s| {
            let provenance = provenance.get();
            let mut asks = trust::review(
                provenance,
                &current,
                s.datasource.as_ref(),
                s.refresh.as_deref(),
                &confirmed,
                &page_context(),
            );
            let (away, home) = alert_homes.with(|h| {
                (
                    away_from_home(h, provenance, &current, s.datasource.as_ref()),
                    h.home(provenance, &current, &default_datasource()),
                )
            });
            asks.extend(trust::alerting_away_ask(&current, away.as_ref(), &home));
            let keys =
                trust::answer_keys(&asks, &base, s.datasource.as_ref(), s.refresh.as_deref());
            (keys, asks)
        })
    });
    let choice = Memo::new(move |_| {
        review.with(|(keys, _)| tab_choices.with(|c| trust::tab_answer(keys, c)))
    });
    // Inert: asked about and not accepted; the page draws without the extras.
    let inert =
        Memo::new(move |_| review.with(|(_, asks)| !asks.is_empty()) && choice.get() != Some(true));
    // A dashboard shipped with the page or saved here names its datasource on
    // its author's authority: confirm it, and reload once so that the page's
    // connect policy lets it through.
    Effect::new(move |_| {
        if editing.get() || !provenance.get().is_trusted() {
            return;
        }
        let Some(Ok(current)) = dashboard.get() else {
            return;
        };
        let Some(own) = current
            .datasource
            .as_deref()
            .and_then(|d| Datasource::parse(d).ok())
        else {
            return;
        };
        // A link's datasource overrides it; that one is the banner's to ask about.
        if view_state.with_untracked(|s| s.datasource.is_some()) {
            return;
        }
        // This tab's connect policy was made from what it read at start.
        if confirmed.with_untracked(|c| c.permits_datasource(&page_context(), &own)) {
            return;
        }
        let stored = update_confirmed_origins(|c| {
            c.datasources.insert(own.origin());
        });
        if stored.is_ok() {
            let _ = window().location().reload();
        }
    });
    DashboardTrust {
        provenance,
        review,
        choice,
        inert,
    }
}

/// The banner, while there is something to ask and this tab has not answered.
#[component]
pub fn TrustPrompt(trust: DashboardTrust, inputs: TrustInputs) -> impl IntoView {
    let DashboardTrust {
        review,
        choice,
        provenance,
        ..
    } = trust;
    let TrustInputs {
        confirmed,
        alert_homes,
        tab_choices,
        notice,
        shown,
        ..
    } = inputs;
    let answer = move |accepted: bool| {
        let (keys, asks) = review.get_untracked();
        let record = move |accepted: bool| {
            tab_choices.update(|c| {
                for key in &keys {
                    c.insert(key.clone(), accepted);
                }
            });
            store_tab_choices(&tab_choices.get_untracked());
        };
        if accepted {
            let before = confirmed.get_untracked();
            let mut after = before.clone();
            trust::confirm(&mut after, &asks);
            if after != before {
                if let Err(message) = update_confirmed_origins(|c| trust::confirm(c, &asks)) {
                    notice.set(Some(message));
                    return;
                }
            }
            // Rules accepted on another server run there from now on.
            let moved_to = asks.iter().find_map(|ask| match ask {
                Capability::AlertsOnOtherData { address, .. } => Datasource::parse(address).ok(),
                _ => None,
            });
            let id = shown.with_untracked(|d| {
                d.as_ref()
                    .and_then(|d| d.as_ref().ok())
                    .map(|d| d.id.clone())
            });
            if let (Some(to), Some(id)) = (moved_to, id) {
                let provenance = provenance.get_untracked();
                match update_alert_homes(|h| h.move_home(provenance, &id, &to)) {
                    Ok(stored) => alert_homes.set(stored),
                    Err(message) => {
                        notice.set(Some(message));
                        return;
                    }
                }
            }
            record(true);
            if after != before {
                // The page's connect policy lists the new origins only after a reload.
                let _ = window().location().reload();
            }
        } else {
            record(false);
        }
    };
    move || {
        let asks = review.with(|(_, asks)| asks.clone());
        (!asks.is_empty() && choice.get().is_none()).then(|| {
            view! {
                <TrustBanner
                    asks=asks
                    heading=provenance.get().banner_heading()
                    on_accept=Callback::new(move |_| answer(true))
                    on_decline=Callback::new(move |_| answer(false))
                />
            }
        })
    }
}
