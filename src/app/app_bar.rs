//! The bar above the dashboard: edit, import, the dashboards saved here and the
//! confirmed addresses; while editing, the editing actions.

use crate::app::session::{Dialog, EditSession};
use crate::browser::clipboard::download_text;
use crate::dashboard::change_view;
use crate::trust_banner::ConfirmedAddresses;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::edit::{Edit, EditHistory};
use foresight_core::model::url_state::DashboardRef;
use leptos::prelude::*;

#[component]
pub fn AppBar(
    session: EditSession,
    /// The dashboard on screen (to start editing it).
    dashboard: RwSignal<Option<Result<Dashboard, String>>>,
    dashboard_ref: Memo<DashboardRef>,
    apply: Callback<Edit>,
    /// Whether the dashboard runs its extras (for what saving confirms).
    inert: Memo<bool>,
    /// From outside and not accepted: edited and saved without its extras.
    unaccepted: Memo<bool>,
) -> impl IntoView {
    let EditSession {
        view_state,
        confirmed,
        history,
        dialog,
        notice,
        saved_list,
        ..
    } = session;
    let editing = Memo::new(move |_| history.with(Option::is_some));
    let dirty = Memo::new(move |_| history.with(|h| h.as_ref().is_some_and(EditHistory::is_dirty)));
    let keep_draft = move |draft: Option<&Dashboard>| session.keep_draft(draft);
    let save = move || session.save(!inert.get_untracked(), unaccepted.get_untracked());
    let share = move || session.share();
    let finish = move || session.finish();
    let delete_saved = move |id: String| session.delete_saved(id);
    let start_editing =
        move |from: Dashboard| session.start_editing(from, unaccepted.get_untracked());
    move || {
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
                            change_view(view_state, &|next| {
                                next.dashboard = DashboardRef::Saved(id.clone());
                                next.variables.clear();
                            });
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
    }
}
