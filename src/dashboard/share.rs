//! Sharing the view: a link to it as it is (relative times stay relative),
//! or frozen at this moment; the clipboard may refuse, then the link is shown.

use crate::browser::clipboard::clipboard_accepts;
use crate::browser::clock::now_ms;
use crate::browser::location::page_url;
use foresight_core::model::url_state::ViewState;
use foresight_core::query::time_range::TimeExpression;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn copy_to_clipboard(text: &str, feedback: RwSignal<String>) {
    let text = text.to_string();
    spawn_local(async move {
        feedback.set(if clipboard_accepts(&text).await {
            "Link copied".into()
        } else {
            format!("Copy this link: {text}")
        });
    });
}

#[component]
pub fn ShareButtons(
    view_state: RwSignal<ViewState>,
    /// The dashboard's default range, which an absolute link freezes too.
    default_range: (TimeExpression, TimeExpression),
) -> impl IntoView {
    let (share_from, share_to) = default_range;
    let share_feedback = RwSignal::new(String::new());

    view! {
        <button on:click=move |_| copy_to_clipboard(&page_url(&view_state.get_untracked()), share_feedback)>"Copy link"</button>
        <button
            title="A link to exactly this time window, frozen at the current moment"
            on:click=move |_| {
                let frozen = view_state.get_untracked().with_absolute_time(&share_from, &share_to, now_ms());
                copy_to_clipboard(&page_url(&frozen), share_feedback);
            }
        >
            "Copy absolute link"
        </button>
        <span class="share-feedback" role="status">{share_feedback}</span>
    }
}
