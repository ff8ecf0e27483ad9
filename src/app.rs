//! The page: the URL is the state. It is decoded into a [`ViewState`], the
//! dashboard it names is loaded, and every change (range, refresh, variables)
//! writes a new URL with one history entry; back/forward restores it.

use crate::browser::clipboard::{clipboard_accepts, download_text};
use crate::browser::clock::now_ms;
use crate::browser::http::{deflate_raw, fetch_text, open_inline_dashboard};
use crate::browser::location::{default_datasource, location_search, push_url};
use crate::browser::storage::{
    delete_saved_dashboard, forget_draft, load_confirmed_origins, load_draft, load_saved,
    load_saved_reporting, load_tab_choices, save_dashboard, store_confirmed_origins, store_draft,
    store_tab_choices,
};
use crate::dashboard::page::{CurrentVariables, DashboardPage};
use crate::editor::panel_editor::{ImportDialog, PanelEditing, PanelEditor, SettingsDialog};
use crate::editor::rule_editor::{RuleEditor, RulesDialog};
use crate::hooks::latest_load::LatestLoad;
use crate::trust_banner::{install_connect_policy, page_context, ConfirmedAddresses, TrustBanner};
use foresight_core::alerting::rule::AlertRule;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::{Dashboard, DashboardListing, Panel};
use foresight_core::model::datasource::Datasource;
use foresight_core::model::edit::{long_url_warning, Edit, EditHistory};
use foresight_core::model::inline_dashboard::{dashboard_json, link_text};
use foresight_core::model::trust::{self, Provenance};
use foresight_core::model::url_state::{DashboardRef, ViewState, DEFAULT_DASHBOARD_ID};
use leptos::prelude::*;
use leptos::task::spawn_local;

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

/// The Prometheus a dashboard talks to: the link's, else the dashboard's, else the page's default.
fn effective_datasource(view_state: RwSignal<ViewState>, dashboard: &Dashboard) -> Datasource {
    view_state
        .with_untracked(|s| s.datasource.clone())
        .or_else(|| {
            dashboard
                .datasource
                .as_deref()
                .and_then(|d| Datasource::parse(d).ok())
        })
        .unwrap_or_else(default_datasource)
}

/// Which dialog is open over the dashboard.
#[derive(Debug, Clone, PartialEq)]
enum Dialog {
    Import,
    Settings,
    Panel(String),
    Rules,
    /// The editor of rule `index` (`None`: a new one), with the rule to start from.
    Rule(Option<usize>, Box<AlertRule>),
}

#[component]
pub fn App() -> impl IntoView {
    // Before anything is fetched: the page may connect only to confirmed origins.
    let confirmed = RwSignal::new(load_confirmed_origins());
    install_connect_policy(&confirmed.get_untracked());
    let tab_choices = RwSignal::new(load_tab_choices());
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
        if let Ok((200..=299, text)) = fetch_text("public/dashboards/index.json", None).await {
            if let Ok(list) =
                foresight_core::foundation::json::decode::<Vec<DashboardListing>>(&text)
            {
                listings.try_set(list);
            }
        }
    });

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
    let recovered = RwSignal::new(load_draft());
    // A saved dashboard that cannot be read is named here; the others load.
    let (saved_at_start, saved_problems) = match load_saved_reporting() {
        Ok((saved, problems)) => (Ok(saved), problems),
        Err(message) => (Err(message.clone()), vec![message]),
    };
    if !saved_problems.is_empty() {
        notice.set(Some(saved_problems.join("; ")));
    }
    let saved_list = RwSignal::new(saved_at_start);
    // Keeps the editor's draft; a refusal (storage full) is said, not swallowed.
    let keep_draft = move |draft: Option<&Dashboard>| {
        if let Err(message) = store_draft(draft) {
            notice.set(Some(message));
        }
    };
    let editing = Memo::new(move |_| history.with(Option::is_some));
    let dirty = Memo::new(move |_| history.with(|h| h.as_ref().is_some_and(EditHistory::is_dirty)));
    let shown = Memo::new(move |_| {
        history
            .with(|h| h.as_ref().map(|h| Ok(h.current.clone())))
            .or_else(|| dashboard.get())
    });
    let start_editing = move |from: Dashboard| {
        editing_base.set(Some(from.clone()));
        history.set(Some(EditHistory::new(from)));
        notice.set(None);
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
    let panel_editing = Signal::derive(move || {
        editing.get().then_some(PanelEditing {
            apply,
            open: open_panel,
            alert: alert_from_panel,
        })
    });
    let unload = window_event_listener(leptos::ev::beforeunload, move |event| {
        if dirty.get_untracked() {
            event.prevent_default();
            event.set_return_value("Unsaved changes to this dashboard will be lost.");
        }
    });
    on_cleanup(move || unload.remove());
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
            return (String::new(), Vec::new());
        };
        let confirmed = confirmed.get();
        let base = editing_base.get().unwrap_or_else(|| current.clone());
        view_state.with(|s| {
            let asks = trust::review(
                provenance.get(),
                &current,
                s.datasource.as_ref(),
                s.refresh.as_deref(),
                &confirmed,
                &page_context(),
            );
            let key = trust::fingerprint(&format!(
                "{}|{:?}|{:?}",
                trust::dashboard_fingerprint(&base),
                s.datasource.as_ref().map(|d| d.to_string()),
                s.refresh
            ));
            (key, asks)
        })
    });
    let choice =
        Memo::new(move |_| review.with(|(key, _)| tab_choices.with(|c| c.get(key).copied())));
    // Inert: asked about and not accepted; the page draws without the extras.
    let inert =
        Memo::new(move |_| review.with(|(_, asks)| !asks.is_empty()) && choice.get() != Some(true));
    let save = move || {
        let Some(current) = history.with_untracked(|h| h.as_ref().map(|h| h.current.clone()))
        else {
            return;
        };
        match save_dashboard(&current) {
            Ok(()) => {
                history.update(|h| {
                    if let Some(h) = h {
                        h.mark_saved();
                    }
                });
                keep_draft(None);
                editing_import.set(false);
                // Saving what runs with its extras (trusted, or accepted) confirms
                // its notification targets: the user wrote or accepted them.
                let mut newly_confirmed = false;
                if !inert.get_untracked() {
                    let mut next = confirmed.get_untracked();
                    for address in current
                        .notify
                        .alertmanager
                        .iter()
                        .chain(&current.notify.webhooks)
                    {
                        if let Some(origin) = trust::origin_of(address) {
                            next.notification_targets.insert(origin);
                        }
                    }
                    if let Some(own) = current
                        .datasource
                        .as_deref()
                        .and_then(|d| Datasource::parse(d).ok())
                    {
                        if !next.permits_datasource(&page_context(), &own) {
                            next.datasources.insert(own.origin());
                        }
                    }
                    if next != confirmed.get_untracked() && store_confirmed_origins(&next).is_ok() {
                        confirmed.set(next);
                        newly_confirmed = true;
                    }
                }
                saved_list.set(load_saved());
                notice.set(Some(format!(
                    "Saved “{}” in this browser{}",
                    current.title,
                    if newly_confirmed {
                        "; the addresses it uses are confirmed and will be reached after the page is reloaded"
                    } else {
                        ""
                    }
                )));
                let mut next = view_state.get_untracked();
                next.dashboard = DashboardRef::Saved(current.id.clone());
                push_url(&next);
                view_state.set(next);
            }
            Err(message) => notice.set(Some(message)),
        }
    };
    let finish = move || {
        let leave = !dirty.get_untracked()
            || window()
                .confirm_with_message("Leave editing? Unsaved changes will be lost.")
                .unwrap_or(false);
        if leave {
            history.set(None);
            editing_import.set(false);
            editing_base.set(None);
            keep_draft(None);
            dialog.set(None);
        }
    };
    let share = move || {
        let Some(current) = history.with_untracked(|h| h.as_ref().map(|h| h.current.clone()))
        else {
            return;
        };
        notice.set(None);
        share_message.set(None);
        spawn_local(async move {
            let deflated = match deflate_raw(dashboard_json(&current).as_bytes()).await {
                Ok(deflated) => deflated,
                Err(message) => {
                    notice.try_set(Some(message));
                    return;
                }
            };
            let state = ViewState {
                dashboard: DashboardRef::Inline(link_text(&deflated)),
                ..view_state.get_untracked()
            };
            let location = window().location();
            let url = format!(
                "{}{}{}",
                location.origin().unwrap_or_default(),
                location.pathname().unwrap_or_default(),
                state.encode()
            );
            shared_link.try_set(Some(url.clone()));
            let copied = clipboard_accepts(&url).await;
            let said = match (copied, long_url_warning(&url)) {
                (true, None) => format!(
                    "Link copied ({} characters). It holds the whole dashboard.",
                    url.len()
                ),
                (false, None) => format!(
                    "The browser did not let the page copy the link ({} characters): select it below.",
                    url.len()
                ),
                (true, Some(warning)) => format!("Link copied — {warning}"),
                (false, Some(warning)) => format!(
                    "The browser did not let the page copy the link: select it below — {warning}"
                ),
            };
            // A newer share may have replaced this link meanwhile.
            if shared_link.with_untracked(|shown| shown.as_deref() == Some(url.as_str())) {
                share_message.try_set(Some(said));
            }
        });
    };
    let delete_saved = move |id: String| {
        let confirmed = window()
            .confirm_with_message(&format!(
                "Delete the saved dashboard {id:?} from this browser?"
            ))
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        let outcome = delete_saved_dashboard(&id);
        saved_list.set(load_saved());
        notice.set(Some(match outcome {
            Ok(()) => format!("Deleted {id:?} from this browser"),
            Err(message) => message,
        }));
    };

    let app_bar = move || {
        if editing.get() {
            view! {
                <nav class="app-bar editing" data-testid="editor-bar">
                    <strong>"Editing"</strong>
                    <button data-action="add-panel" on:click=move |_| apply.run(Edit::AddPanel)>"Add panel"</button>
                    <button data-action="settings" on:click=move |_| dialog.set(Some(Dialog::Settings))>"Settings"</button>
                    <button data-action="rules" on:click=move |_| dialog.set(Some(Dialog::Rules))>"Alert rules"</button>
                    <button data-action="undo" disabled=move || !history.with(|h| h.as_ref().is_some_and(EditHistory::can_undo)) on:click=move |_| {
                        history.update(|h| { if let Some(h) = h { h.undo(); keep_draft(Some(&h.current)); } });
                    }>"Undo"</button>
                    <button data-action="save" on:click=move |_| save()>"Save"</button>
                    <button data-action="download" on:click=move |_| {
                        if let Some(current) = history.with_untracked(|h| h.as_ref().map(|h| h.current.clone())) {
                            if let Err(message) = download_text(&format!("{}.json", current.id), &current.to_json()) {
                                notice.set(Some(message));
                            }
                        }
                    }>"Download JSON"</button>
                    <button data-action="share" on:click=move |_| share()>"Copy link"</button>
                    <button data-action="done" on:click=move |_| finish()>"Done"</button>
                    <span class="dirty" data-testid="dirty">{move || if dirty.get() { "unsaved changes" } else { "saved" }}</span>
                </nav>
            }
            .into_any()
        } else {
            let saved_choices = move || {
                saved_list.get().map(|saved| {
                    saved
                        .dashboards
                        .values()
                        .map(|d| view! { <option value=d.id.clone()>{d.title.clone()}</option> })
                        .collect::<Vec<_>>()
                })
            };
            let current_saved = move || match dashboard_ref.get() {
                DashboardRef::Saved(id) => Some(id),
                _ => None,
            };
            view! {
                <nav class="app-bar" data-testid="app-bar">
                    <button data-action="edit" on:click=move |_| {
                        if let Some(Ok(current)) = dashboard.get_untracked() { start_editing(current); }
                    }>"Edit"</button>
                    <button data-action="import" on:click=move |_| dialog.set(Some(Dialog::Import))>"Import"</button>
                    <label class="control"><span>"Saved here"</span>
                        <select data-testid="saved-picker" on:change=move |event| {
                            let id = event_target_value(&event);
                            if id.is_empty() { return; }
                            let mut next = view_state.get_untracked();
                            next.dashboard = DashboardRef::Saved(id);
                            next.variables.clear();
                            push_url(&next);
                            view_state.set(next);
                        }>
                            <option value="" selected=true>"choose…"</option>
                            {move || match saved_choices() {
                                Ok(options) => options.into_any(),
                                Err(message) => view! { <option disabled=true>{message}</option> }.into_any(),
                            }}
                        </select>
                    </label>
                    {move || current_saved().map(|id| view! {
                        <button data-action="delete-saved" on:click=move |_| delete_saved(id.clone())>"Delete saved"</button>
                    })}
                    <ConfirmedAddresses confirmed=confirmed />
                </nav>
            }
            .into_any()
        }
    };
    let dialogs = move || match dialog.get()? {
        Dialog::Import => Some(
            view! {
                <ImportDialog
                    on_open=Callback::new(move |imported: Dashboard| {
                        dialog.set(None);
                        notice.set(None);
                        // An imported dashboard is unsaved until the user saves it,
                        // and untrusted until the user accepts what it would do.
                        editing_import.set(true);
                        keep_draft(Some(&imported));
                        editing_base.set(Some(imported.clone()));
                        history.set(Some(EditHistory::new_unsaved(imported.clone())));
                    })
                    on_close=Callback::new(move |_| dialog.set(None))
                />
            }
            .into_any(),
        ),
        Dialog::Settings => {
            let current = history.with_untracked(|h| h.as_ref().map(|h| h.current.clone()))?;
            Some(
                view! {
                    <SettingsDialog
                        datasource=effective_datasource(view_state, &current)
                        dashboard=current
                        on_apply=Callback::new(move |edits: Vec<Edit>| {
                            let mut problem = None;
                            history.update(|h| {
                                if let Some(h) = h {
                                    let before = h.clone();
                                    for edit in &edits {
                                        if let Err(message) = h.apply(edit) {
                                            problem = Some(message);
                                            *h = before;
                                            break;
                                        }
                                    }
                                    keep_draft(Some(&h.current));
                                }
                            });
                            if problem.is_none() { dialog.set(None); }
                            notice.set(problem);
                        })
                        on_close=Callback::new(move |_| dialog.set(None))
                    />
                }
                .into_any(),
            )
        }
        Dialog::Rules => {
            let current = history.with_untracked(|h| h.as_ref().map(|h| h.current.clone()))?;
            Some(
                view! {
                    <RulesDialog
                        dashboard_id=current.id.clone()
                        rules=current.alerts.clone()
                        notify=current.notify.clone()
                        on_edit=Callback::new(move |edit: Edit| {
                            apply.run(edit);
                            // Re-open with the new list (or stay to show the problem).
                            dialog.set(Some(Dialog::Rules));
                        })
                        on_open_rule=Callback::new(move |(index, rule): (Option<usize>, AlertRule)| dialog.set(Some(Dialog::Rule(index, Box::new(rule)))))
                        on_close=Callback::new(move |_| dialog.set(None))
                    />
                }
                .into_any(),
            )
        }
        Dialog::Rule(index, rule) => {
            let (datasource, external_labels) = history.with_untracked(|h| {
                h.as_ref().map(|h| {
                    (
                        effective_datasource(view_state, &h.current),
                        h.current.notify.external_labels.clone(),
                    )
                })
            })?;
            Some(
                view! {
                    <RuleEditor
                        index=index
                        rule=*rule
                        datasource=datasource
                        external_labels=external_labels
                        on_apply=Callback::new(move |(index, rule): (Option<usize>, AlertRule)| {
                            apply.run(Edit::SetAlertRule { index, rule: Box::new(rule) });
                            if notice.with_untracked(Option::is_none) { dialog.set(Some(Dialog::Rules)); }
                        })
                        on_close=Callback::new(move |_| dialog.set(Some(Dialog::Rules)))
                    />
                }
                .into_any(),
            )
        }
        Dialog::Panel(id) => {
            let (panel, variables, datasource) = history.with_untracked(|h| {
                let current = &h.as_ref()?.current;
                let datasource = effective_datasource(view_state, current);
                Some((
                    current.panel(&id)?.clone(),
                    current.variables.clone(),
                    datasource,
                ))
            })?;
            Some(
                view! {
                    <PanelEditor
                        panel=panel
                        variables=variables
                        datasource=datasource
                        on_apply=Callback::new(move |edited: Panel| {
                            apply.run(Edit::Replace(Box::new(edited)));
                            if notice.with_untracked(Option::is_none) { dialog.set(None); }
                        })
                        on_close=Callback::new(move |_| dialog.set(None))
                    />
                }
                .into_any(),
            )
        }
    };

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
        let mut next = confirmed.get_untracked();
        if next.permits_datasource(&page_context(), &own) {
            return;
        }
        next.datasources.insert(own.origin());
        if store_confirmed_origins(&next).is_ok() {
            let _ = window().location().reload();
        }
    });
    let answer = move |accepted: bool| {
        let (key, asks) = review.get_untracked();
        if accepted {
            let before = confirmed.get_untracked();
            let mut after = before.clone();
            trust::confirm(&mut after, &asks);
            if after != before {
                if let Err(message) = store_confirmed_origins(&after) {
                    notice.set(Some(message));
                    return;
                }
            }
            tab_choices.update(|c| {
                c.insert(key, true);
            });
            store_tab_choices(&tab_choices.get_untracked());
            if after != before {
                // The page's connect policy lists the new origins only after a reload.
                let _ = window().location().reload();
            }
        } else {
            tab_choices.update(|c| {
                c.insert(key, false);
            });
            store_tab_choices(&tab_choices.get_untracked());
        }
    };
    let banner = move || {
        let asks = review.with(|(_, asks)| asks.clone());
        (!asks.is_empty() && choice.get().is_none()).then(|| {
            view! {
                <TrustBanner
                    asks=asks
                    on_accept=Callback::new(move |_| answer(true))
                    on_decline=Callback::new(move |_| answer(false))
                />
            }
        })
    };

    view! {
        {banner}
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
        {move || recovered.get().map(|(key, draft)| {
            let title = draft.title.clone();
            let discarded = key.clone();
            view! {
                <div class="draft-banner" role="status" data-testid="draft-banner">
                    {format!("Unsaved changes to “{title}” were kept from your last visit.")}
                    <button data-action="resume-draft" on:click=move |_| {
                        recovered.set(None);
                        editing_import.set(true);
                        // The draft becomes this tab's.
                        forget_draft(&key);
                        keep_draft(Some(&draft));
                        editing_base.set(Some(draft.clone()));
                        history.set(Some(EditHistory::new_unsaved(draft.clone())));
                    }>"Resume editing"</button>
                    <button data-action="discard-draft" on:click=move |_| { recovered.set(None); forget_draft(&discarded); }>"Discard"</button>
                </div>
            }
        })}
        {app_bar}
        {move || notice.get().map(|text| view! { <div class="notice" role="status" data-testid="notice">{text}</div> })}
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
        {dialogs}
        {move || match shown.get() {
            None => view! { <p class="page-message">"Loading dashboard…"</p> }.into_any(),
            Some(Err(message)) => {
                view! { <p class="page-message error" role="alert" data-testid="dashboard-error">{message}</p> }.into_any()
            }
            Some(Ok(dashboard)) => {
                let inert = inert.get();
                let namespace = trust::alert_state_namespace(provenance.get(), &dashboard);
                let dashboard = if inert { trust::inert(&dashboard) } else { dashboard };
                view! { <DashboardPage dashboard=dashboard view_state=view_state listings=listings.into() start_ms=now_ms() editing=panel_editing inert=inert state_namespace=namespace /> }
                    .into_any()
            }
        }}
    }
}
