//! Silences: the ones in force, each with a way to end it, and a form to add
//! one by label matchers for a while.

use crate::browser::clock::{now_seconds, BrowserZone};
use foresight_core::alerting::silence::{parse_matchers, Silence};
use foresight_core::chart::time_axis::format_local_datetime;
use foresight_core::query::series::Labels;
use leptos::prelude::*;

#[component]
pub fn SilenceList(
    silences: RwSignal<Vec<Silence>>,
    /// Adds a silence: matchers, hours, comment.
    add: Callback<(Labels, f64, String)>,
    /// Ends the silence with this id now.
    expire: Callback<String>,
) -> impl IntoView {
    let time = move |t: f64| format_local_datetime(t, &BrowserZone);

    let matchers_text = RwSignal::new(String::new());
    let hours = RwSignal::new(1.0_f64);
    let comment = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let list = move || {
        let now = now_seconds();
        silences
                .get()
                .into_iter()
                .filter(|s| s.is_active(now))
                .map(|s| {
                    let id = s.id.clone();
                    view! {
                        <li class="silence" data-silence=s.describe_matchers()>
                            {format!("{} — until {}{}", s.describe_matchers(), time(s.ends_at), if s.comment.is_empty() { String::new() } else { format!(" ({})", s.comment) })}
                            <button data-action="expire-silence" on:click=move |_| expire.run(id.clone())>"Expire now"</button>
                        </li>
                    }
                })
                .collect::<Vec<_>>()
    };
    view! {
        <div class="silences">
            <h4>"Silences (notifications from this page are muted while one matches)"</h4>
            <ul>{list}</ul>
            <form class="silence-form" on:submit=move |event| {
                event.prevent_default();
                match parse_matchers(&matchers_text.get_untracked()) {
                    Ok(matchers) => {
                        problem.set(None);
                        add.run((matchers, hours.get_untracked(), comment.get_untracked()));
                        matchers_text.set(String::new());
                        comment.set(String::new());
                    }
                    Err(message) => problem.set(Some(message)),
                }
            }>
                <input name="matchers" aria-label="Silence: label matchers" placeholder="alertname=\"HighErrorRate\", job=\"api\"" prop:value=matchers_text on:input=move |e| matchers_text.set(event_target_value(&e)) />
                <select name="hours" aria-label="Silence: for how long" on:change=move |e| hours.set(foresight_core::foundation::float_text::parse_f64(&event_target_value(&e)).unwrap_or(1.0))>
                    <option value="1">"1 hour"</option>
                    <option value="4">"4 hours"</option>
                    <option value="24">"1 day"</option>
                    <option value="168">"1 week"</option>
                </select>
                <input name="comment" aria-label="Silence: comment" placeholder="why (optional)" prop:value=comment on:input=move |e| comment.set(event_target_value(&e)) />
                <button type="submit">"Add silence"</button>
            </form>
            {move || problem.get().map(|p| view! { <p class="message error" role="alert">{p}</p> })}
        </div>
    }
}
