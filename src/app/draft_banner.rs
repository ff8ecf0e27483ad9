//! The offer of a draft kept from before: this tab's own after a reload, one
//! a closed or crashed tab left behind, or a copy of one another open tab is
//! editing (whose draft stays that tab's: copied, never removed from here).

use crate::browser::storage::{forget_kept_draft, load_draft, KeptDraft};
use crate::browser::tab::claim_tab;
use foresight_core::model::drafts::DraftOwner;
use foresight_core::model::edit::EditHistory;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::session::EditSession;

/// The draft to offer, once this tab has made its id its own (a duplicated
/// tab starts with the original's) and knows which other tabs are open; none
/// once an edit began meanwhile (it writes this tab's draft).
pub fn offer_kept_draft(history: RwSignal<Option<EditHistory>>) -> RwSignal<Option<KeptDraft>> {
    let recovered = RwSignal::new(None);
    spawn_local(async move {
        let open_tabs = claim_tab().await;
        if history.with_untracked(Option::is_none) {
            recovered.set(load_draft(open_tabs.as_ref()));
        }
    });
    recovered
}

#[component]
pub fn DraftBanner(recovered: RwSignal<Option<KeptDraft>>, session: EditSession) -> impl IntoView {
    move || {
        recovered.get().map(|kept| {
            let (title, owner) = (kept.dashboard.title.clone(), kept.owner);
            let (message, resume, discard) = if owner.may_remove() {
                (
                    format!("Unsaved changes to “{title}” were kept from your last visit."),
                    "Resume editing",
                    "Discard",
                )
            } else {
                (
                    format!("Another open tab has unsaved changes to “{title}”."),
                    "Edit a copy here",
                    "Dismiss",
                )
            };
            let dismissed = kept.clone();
            view! {
                <div class="draft-banner" role="status" data-testid="draft-banner">
                    {message}
                    <button data-action="resume-draft" on:click=move |_| {
                        recovered.set(None);
                        // Kept as this tab's draft first; then a closed tab's copy goes.
                        let stored_here = session.edit_unsaved(kept.dashboard.clone());
                        if stored_here && owner == DraftOwner::ClosedTab {
                            spawn_local(forget_kept_draft(kept.clone()));
                        }
                    }>{resume}</button>
                    <button data-action="discard-draft" on:click=move |_| {
                        recovered.set(None);
                        spawn_local(forget_kept_draft(dismissed.clone()));
                    }>{discard}</button>
                </div>
            }
        })
    }
}
