//! The page: the URL is the state. It is decoded into a [`ViewState`], the
//! dashboard it names is loaded, and every change (range, refresh, variables)
//! writes a new URL with one history entry; back/forward restores it.

mod app_bar;
mod dialogs;
mod draft_banner;
mod first_open;
mod loading;
mod session;
mod trust;

use crate::browser::clock::now_ms;
use crate::browser::location::location_search;
use crate::browser::storage::{
    load_alert_homes, load_confirmed_origins, load_saved_reporting, load_tab_choices, store_draft,
    CONFIRMED_ORIGINS_KEY,
};
use crate::dashboard::page::{CurrentVariables, DashboardPage};
use crate::editor::panel_editor::PanelEditing;
use crate::trust_banner::install_connect_policy;
use app_bar::AppBar;
use dialogs::Dialogs;
use draft_banner::{offer_kept_draft, DraftBanner};
use first_open::load_shipped_dashboards;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::edit::{Edit, EditHistory};
use foresight_core::model::slo_panel::suggested_slo;
use foresight_core::model::trust as trust_model;
use foresight_core::model::url_state::ViewState;
use leptos::prelude::*;
use loading::follow_dashboard;
use session::{Dialog, EditSession};
use trust::{review_dashboard, DashboardTrust, TrustInputs, TrustPrompt};

#[component]
pub fn App() -> impl IntoView {
    // Before anything is fetched: the page may connect only to confirmed origins.
    let confirmed = RwSignal::new(load_confirmed_origins());
    install_connect_policy(&confirmed.get_untracked());
    // Another tab forgot an origin: this tab no longer counts it either. An
    // origin another tab confirmed is not taken over: this tab's connect
    // policy, made at start, does not list it, so here it is still asked
    // about, and accepting it reloads the page.
    let storage_listener = window_event_listener(leptos::ev::storage, move |event| {
        if event.key().is_some_and(|key| key == CONFIRMED_ORIGINS_KEY) {
            let stored = load_confirmed_origins();
            confirmed.update(|mine| *mine = mine.still_confirmed_in(&stored));
        }
    });
    on_cleanup(move || storage_listener.remove());
    let tab_choices = RwSignal::new(load_tab_choices());
    let alert_homes = RwSignal::new(load_alert_homes());
    let (initial, problems) = ViewState::decode(&location_search());
    let view_state = RwSignal::new(initial);
    let url_problems = RwSignal::new(problems);
    let listener = window_event_listener(leptos::ev::popstate, move |_| {
        let (state, problems) = ViewState::decode(&location_search());
        url_problems.set(problems);
        view_state.set(state);
    });
    on_cleanup(move || listener.remove());

    // The shipped dashboards for the picker, which have data here, and on a
    // first open the one whose metrics this server has.
    let shipped = load_shipped_dashboards(view_state);
    let listings = shipped.listings;
    // A memo, so that the page is drawn anew only when choosing ends.
    let choosing = Memo::new(move |_| shipped.choosing.get());

    // Editing: the dashboard being edited, its undo history and a crash-safe draft.
    let history = RwSignal::new(None::<EditHistory>);
    let dialog = RwSignal::new(None::<Dialog>);
    let notice = RwSignal::new(None::<String>);
    // The last shared link, shown in a field to select (the clipboard may refuse);
    // any later notice replaces it.
    let shared_link = RwSignal::new(None::<String>);
    let share_message = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if notice.with(Option::is_some) {
            shared_link.set(None);
        }
    });
    // True while the editor holds a dashboard that was imported and not yet saved.
    let editing_import = RwSignal::new(false);
    // The dashboard as it was when editing began: the viewer's answer to the
    // trust banner is about it, so their own edits never ask again.
    let editing_base = RwSignal::new(None::<Dashboard>);
    let recovered = offer_kept_draft(history);
    // A saved dashboard that cannot be read is named here; the others load.
    let (saved_at_start, saved_problems) = match load_saved_reporting() {
        Ok((saved, problems)) => (Ok(saved), problems),
        Err(message) => (Err(message.clone()), vec![message]),
    };
    if !saved_problems.is_empty() {
        notice.set(Some(saved_problems.join("; ")));
    }
    let saved_list = RwSignal::new(saved_at_start);
    let (dashboard, dashboard_ref) = follow_dashboard(view_state, url_problems, saved_list);
    let editing = Memo::new(move |_| history.with(Option::is_some));
    // Editing something else writes this tab's draft: the offer is over.
    Effect::new(move |_| {
        if editing.get() {
            recovered.set(None);
        }
    });
    let dirty = Memo::new(move |_| history.with(|h| h.as_ref().is_some_and(EditHistory::is_dirty)));
    let shown = Memo::new(move |_| {
        history
            .with(|h| h.as_ref().map(|h| Ok(h.current.clone())))
            .or_else(|| dashboard.get())
    });
    let session = EditSession {
        view_state,
        confirmed,
        history,
        dialog,
        notice,
        shared_link,
        share_message,
        editing_import,
        editing_base,
        saved_list,
        alert_homes,
    };
    let apply = Callback::new(move |edit: Edit| {
        let mut outcome = Ok(());
        history.update(|h| {
            if let Some(h) = h {
                outcome = h.apply(&edit);
                if outcome.is_ok() {
                    outcome = store_draft(Some(&h.current));
                }
            }
        });
        notice.set(outcome.err());
    });
    let open_panel = Callback::new(move |id: String| dialog.set(Some(Dialog::Panel(id))));
    // The variable values the shown dashboard resolved (kept up to date by the page).
    let current_variables = RwSignal::new(SortedMap::new());
    provide_context(CurrentVariables(current_variables));
    // "Create alert from this panel": its first query, the page's variable selection written in.
    let alert_from_panel = Callback::new(move |id: String| {
        let values = current_variables.get_untracked();
        let rule = history.with_untracked(|h| {
            let panel = h.as_ref()?.current.panel(&id)?;
            Some(panel.suggested_alert_rule(&values))
        });
        if let Some(rule) = rule {
            dialog.set(Some(Dialog::Rule(None, Box::new(rule))));
        }
    });
    // "Create an SLO from this panel": its ratio query as an indicator, added
    // with a budget and a burn-down panel; or why the query cannot be one.
    let slo_from_panel = Callback::new(move |id: String| {
        let values = current_variables.get_untracked();
        let suggested = history.with_untracked(|h| {
            let current = &h.as_ref()?.current;
            let taken: Vec<String> = current.slos.iter().map(|s| s.id.clone()).collect();
            Some(suggested_slo(current.panel(&id)?, &values, &taken))
        });
        match suggested {
            Some(Ok(slo)) => {
                let words = format!(
                    "Added the SLO {:?}: {} % of events over {}, with its budget and burn-down panels at the bottom. Change its objective and period in the settings; save to keep it.",
                    slo.name, slo.objective_percent, slo.period
                );
                apply.run(Edit::AddSloWithPanels(Box::new(slo)));
                if notice.with_untracked(Option::is_none) {
                    notice.set(Some(words));
                }
            }
            Some(Err(problem)) => notice.set(Some(format!("No SLO made: {problem}"))),
            None => {}
        }
    });
    let panel_editing = Signal::derive(move || {
        editing.get().then_some(PanelEditing {
            apply,
            open: open_panel,
            alert: alert_from_panel,
            slo: slo_from_panel,
        })
    });
    let unload = window_event_listener(leptos::ev::beforeunload, move |event| {
        if dirty.get_untracked() {
            event.prevent_default();
            event.set_return_value("Unsaved changes to this dashboard will be lost.");
        }
    });
    on_cleanup(move || unload.remove());
    let trust_inputs = TrustInputs {
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
        notice,
    };
    let trust = review_dashboard(trust_inputs);
    let DashboardTrust {
        provenance, inert, ..
    } = trust;
    provide_context(session::ShownInert(inert));
    // From outside and not accepted: edited (and saved) without its extras.
    let unaccepted = Memo::new(move |_| inert.get() && !provenance.get().is_trusted());
    // The link's server, apart from the rest of the view: another server is
    // another page (its alert state is kept apart).
    let linked_datasource = Memo::new(move |_| view_state.with(|s| s.datasource.clone()));
    // "Add as panel" from "What else moved?": into the dashboard being edited,
    // starting to edit the one shown when not editing yet (saved only when
    // the user saves).
    provide_context(crate::dashboard::related_view::AddRelatedPanel(
        Callback::new(move |(title, expr): (String, String)| {
            if !editing.get_untracked() {
                match dashboard.get_untracked() {
                    Some(Ok(current)) => session.start_editing(current, unaccepted.get_untracked()),
                    _ => return,
                }
            }
            apply.run(Edit::AddQueryPanel { title, expr });
            if notice.with_untracked(Option::is_none) {
                notice.set(Some(
                    "Added as a panel at the bottom; save to keep it".into(),
                ));
            }
        }),
    ));
    view! {
        <TrustPrompt trust=trust inputs=trust_inputs />
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
        <DraftBanner recovered=recovered session=session />
        <AppBar session=session dashboard=dashboard dashboard_ref=dashboard_ref apply=apply inert=inert unaccepted=unaccepted />
        {move || notice.get().map(|text| view! { <div class="notice" role="status" data-testid="notice">{text}</div> })}
        {move || shipped.reason.get().map(|reason| view! {
            <div class="notice first-open" role="status" data-testid="first-dashboard-reason">
                <span>{format!("Opened {reason}")}</span>
                <button data-action="close-first-open" title="Close" on:click=move |_| shipped.reason.set(None)>"×"</button>
            </div>
        })}
        {move || {
            let select_all = |event: leptos::ev::FocusEvent| {
                event_target::<web_sys::HtmlInputElement>(&event).select();
            };
            let message = share_message.get();
            shared_link.get().map(|url| view! {
                <div class="notice shared" role="status" data-testid="share-notice">
                    <span>{message.unwrap_or_else(|| "Copying the link…".into())}</span>
                    <input class="shared-link" data-testid="shared-link" readonly=true prop:value=url
                        on:focus=select_all />
                    <button data-action="close-share" title="Close" on:click=move |_| shared_link.set(None)>"×"</button>
                </div>
            })
        }}
        <Dialogs session=session apply=apply />
        {move || match shown.get() {
            _ if choosing.get() => {
                view! { <p class="page-message">"Choosing a dashboard for this server…"</p> }.into_any()
            }
            None => view! { <p class="page-message">"Loading dashboard…"</p> }.into_any(),
            Some(Err(message)) => {
                view! { <p class="page-message error" role="alert" data-testid="dashboard-error">{message}</p> }.into_any()
            }
            Some(Ok(dashboard)) => {
                let inert = inert.get();
                // Away from their home, the rules' state is kept apart. (The
                // homes are read as they are now: one moves only with an
                // answer or a save, which render the page again anyway.)
                let provenance = provenance.get();
                let linked = linked_datasource.get();
                let away = alert_homes.with_untracked(|h| trust::away_from_home(h, provenance, &dashboard, linked.as_ref()));
                let namespace = trust_model::alert_state_namespace_on(provenance, &dashboard, away.as_ref());
                let dashboard = if inert { trust_model::inert(&dashboard) } else { dashboard };
                view! { <DashboardPage dashboard=dashboard view_state=view_state listings=listings.into() availability=shipped.availability.into() start_ms=now_ms() editing=panel_editing inert=inert state_namespace=namespace from_outside=provenance.outside_label() /> }
                    .into_any()
            }
        }}
    }
}
