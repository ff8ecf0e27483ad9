//! Editing a dashboard in the page: its undo history and crash-safe draft,
//! saving (which confirms the addresses of what the user wrote or accepted),
//! sharing as a link that carries the whole dashboard, leaving, and deleting
//! what was saved. One `EditSession` holds the state the app bar, the dialogs
//! and the page share.

use crate::browser::clipboard::clipboard_accepts;
use crate::browser::http::deflate_raw;
use crate::browser::location::default_datasource;
use crate::browser::storage::{
    delete_saved_dashboard, load_saved, save_dashboard, saved_title, store_draft,
    update_alert_homes, update_confirmed_origins,
};
use crate::dashboard::change_view;
use crate::trust_banner::page_context;
use foresight_core::alerting::rule::AlertRule;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::datasource::Datasource;
use foresight_core::model::edit::{long_url_warning, EditHistory, SavedDashboards};
use foresight_core::model::inline_dashboard::{dashboard_json, link_text};
use foresight_core::model::trust::{self, AlertHomes, ConfirmedOrigins, Provenance};
use foresight_core::model::url_state::{DashboardRef, ViewState};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Whether the dashboard shown runs without what it was asked about (not
/// accepted): the editor's requests then go where the page's do.
#[derive(Clone, Copy)]
pub struct ShownInert(pub Memo<bool>);

/// The Prometheus a dashboard talks to: the link's, else the dashboard's, else
/// the page's default; while the dashboard is inert, as the page reads it (no
/// tenant of its own, an unconfirmed link datasource left out).
pub fn effective_datasource(view_state: RwSignal<ViewState>, dashboard: &Dashboard) -> Datasource {
    let inert = use_context::<ShownInert>().is_some_and(|shown| shown.0.get_untracked());
    let shown = if inert {
        trust::inert(dashboard)
    } else {
        dashboard.clone()
    };
    let link = view_state
        .with_untracked(|s| s.datasource.clone())
        .filter(|linked| !inert || crate::trust_banner::datasource_confirmed(linked));
    foresight_core::model::datasource::choose_datasource(
        link.as_ref(),
        shown.datasource.as_deref(),
        &shown.datasource_options,
        default_datasource(),
    )
}

/// Which dialog is open over the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Import,
    Settings,
    Panel(String),
    Rules,
    /// The editor of rule `index` (`None`: a new one), with the rule to start from.
    Rule(Option<usize>, Box<AlertRule>),
}

/// What editing shares between the app bar, the dialogs and the page.
#[derive(Clone, Copy)]
pub struct EditSession {
    pub view_state: RwSignal<ViewState>,
    pub confirmed: RwSignal<ConfirmedOrigins>,
    /// The dashboard being edited and its undo history (`None`: not editing).
    pub history: RwSignal<Option<EditHistory>>,
    pub dialog: RwSignal<Option<Dialog>>,
    /// The last thing to tell the user (an error, or what was done).
    pub notice: RwSignal<Option<String>>,
    /// The last shared link, shown in a field to select (the clipboard may refuse).
    pub shared_link: RwSignal<Option<String>>,
    pub share_message: RwSignal<Option<String>>,
    /// True while the editor holds a dashboard that was imported and not yet saved.
    pub editing_import: RwSignal<bool>,
    /// The dashboard as it was when editing began: the viewer's answer to the
    /// trust banner is about it, so their own edits never ask again.
    pub editing_base: RwSignal<Option<Dashboard>>,
    pub saved_list: RwSignal<Result<SavedDashboards, String>>,
    /// Where trusted dashboards' rules run without asking.
    pub alert_homes: RwSignal<AlertHomes>,
}

impl EditSession {
    /// Keeps the editor's draft; a refusal (storage full) is said, not swallowed.
    /// Whether it was kept (a refusal is also said in the notice).
    pub fn keep_draft(self, draft: Option<&Dashboard>) -> bool {
        let stored = store_draft(draft);
        if let Err(message) = &stored {
            self.notice.set(Some(message.clone()));
        }
        stored.is_ok()
    }

    /// Starts editing `from`; `unaccepted`: it came from outside and the
    /// viewer has not accepted what it would do. Such a dashboard is edited
    /// as it is shown, without its extras: saved, it would be trusted.
    pub fn start_editing(self, from: Dashboard, unaccepted: bool) {
        let (from, left_out) = if unaccepted {
            trust::without_unaccepted(from)
        } else {
            (from, Vec::new())
        };
        self.editing_base.set(Some(from.clone()));
        self.history.set(Some(EditHistory::new(from)));
        self.notice.set((!left_out.is_empty()).then(|| {
            format!(
                "Editing the dashboard as shown, without what you did not accept: {}",
                left_out.join(", ")
            )
        }));
    }

    /// Edits an imported (or recovered) dashboard: unsaved until the user saves
    /// it, and untrusted until the user accepts what it would do.
    /// Edits `dashboard`, not saved yet; whether its draft was kept.
    pub fn edit_unsaved(self, dashboard: Dashboard) -> bool {
        self.editing_import.set(true);
        let kept = self.keep_draft(Some(&dashboard));
        self.editing_base.set(Some(dashboard.clone()));
        self.history.set(Some(EditHistory::new_unsaved(dashboard)));
        kept
    }

    pub fn is_dirty(self) -> bool {
        self.history
            .with_untracked(|h| h.as_ref().is_some_and(EditHistory::is_dirty))
    }

    /// Saves the dashboard being edited; `runs_with_extras` says whether it runs
    /// its alert rules and datasource (trusted, or accepted by the viewer), and
    /// `unaccepted` whether it came from outside without the viewer's consent:
    /// then it is saved without its extras (saved, it would be trusted), and
    /// the editor starts afresh from what was saved: no undo may bring the
    /// extras back into a dashboard that is trusted from then on.
    pub fn save(self, runs_with_extras: bool, unaccepted: bool) {
        let Self {
            view_state,
            confirmed,
            history,
            notice,
            editing_import,
            editing_base,
            saved_list,
            alert_homes,
            ..
        } = self;
        let keep_draft = move |draft: Option<&Dashboard>| self.keep_draft(draft);
        let inert = !runs_with_extras;
        {
            let Some(mut current) =
                history.with_untracked(|h| h.as_ref().map(|h| h.current.clone()))
            else {
                return;
            };
            let left_out;
            (current, left_out) = if unaccepted {
                trust::without_unaccepted(current)
            } else {
                (current, Vec::new())
            };
            // A link, an import or a shipped dashboard may carry the id of one
            // saved here (maybe by another tab since this one loaded): saving
            // would replace that one, so the user decides.
            let replaced = saved_title(&current.id).filter(|_| {
                trust::save_replaces_another(
                    &view_state.with_untracked(|s| s.dashboard.clone()),
                    editing_import.get_untracked(),
                    &current.id,
                    true,
                )
            });
            if let Some(title) = replaced {
                let replace = window()
                    .confirm_with_message(&format!(
                        "A dashboard saved in this browser, “{title}”, has the same id. Replace it with this one?"
                    ))
                    .unwrap_or(false);
                if !replace {
                    notice.set(Some(format!("Not saved: “{title}” stays as it was")));
                    return;
                }
            }
            match save_dashboard(&current) {
                Ok(()) => {
                    if left_out.is_empty() {
                        history.update(|h| {
                            if let Some(h) = h {
                                h.mark_saved();
                            }
                        });
                    } else {
                        editing_base.set(Some(current.clone()));
                        history.set(Some(EditHistory::new(current.clone())));
                    }
                    keep_draft(None);
                    editing_import.set(false);
                    // Saved on the server it shows: its rules' home from now on.
                    if !inert {
                        let on = effective_datasource(view_state, &current);
                        if let Ok(stored) =
                            update_alert_homes(|h| h.move_home(Provenance::Saved, &current.id, &on))
                        {
                            alert_homes.set(stored);
                        }
                    }
                    // Saving what runs with its extras (trusted, or accepted) confirms
                    // its notification targets: the user wrote or accepted them.
                    let mut newly_confirmed = false;
                    if !inert {
                        let confirm = |next: &mut ConfirmedOrigins| {
                            for address in current.notify.addresses() {
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
                        };
                        // New to this tab (whose connect policy was made at
                        // start); stored into what other tabs may have added.
                        let mut next = confirmed.get_untracked();
                        confirm(&mut next);
                        if next != confirmed.get_untracked() {
                            if let Ok(stored) = update_confirmed_origins(confirm) {
                                confirmed.set(stored);
                                newly_confirmed = true;
                            }
                        }
                    }
                    saved_list.set(load_saved());
                    notice.set(Some(format!(
                "Saved “{}” in this browser{}{}",
                current.title,
                if left_out.is_empty() {
                    String::new()
                } else {
                    format!(", without what you did not accept: {}", left_out.join(", "))
                },
                if newly_confirmed {
                    "; the addresses it uses are confirmed and will be reached after the page is reloaded"
                } else {
                    ""
                }
            )));
                    change_view(view_state, &|next| {
                        next.dashboard = DashboardRef::Saved(current.id.clone());
                    });
                }
                Err(message) => notice.set(Some(message)),
            }
        }
    }

    /// Leaves editing, after asking if there are unsaved changes.
    pub fn finish(self) {
        let Self {
            history,
            dialog,
            editing_import,
            editing_base,
            ..
        } = self;
        let keep_draft = move |draft: Option<&Dashboard>| self.keep_draft(draft);
        let dirty = move || self.is_dirty();
        {
            let leave = !dirty()
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
        }
    }

    /// Copies a link that carries the whole dashboard being edited.
    pub fn share(self) {
        let Self {
            view_state,
            history,
            notice,
            shared_link,
            share_message,
            ..
        } = self;
        {
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
        }
    }

    /// Deletes a saved dashboard from this browser, after asking.
    pub fn delete_saved(self, id: String) {
        let Self {
            notice,
            saved_list,
            alert_homes,
            ..
        } = self;
        {
            let confirmed = window()
                .confirm_with_message(&format!(
                    "Delete the saved dashboard {id:?} from this browser?"
                ))
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let outcome = delete_saved_dashboard(&id);
            // A dashboard saved later under this id starts at the default home.
            if outcome.is_ok() {
                if let Ok(stored) = update_alert_homes(|h| h.forget(Provenance::Saved, &id)) {
                    alert_homes.set(stored);
                }
            }
            saved_list.set(load_saved());
            notice.set(Some(match outcome {
                Ok(()) => format!("Deleted {id:?} from this browser"),
                Err(message) => message,
            }));
        }
    }
}
