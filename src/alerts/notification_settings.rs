//! Whether this browser shows a notification (asked once, after saying why)
//! and plays a sound when an alert starts firing.

use crate::browser::notifications::{
    play_alert_sound, request_notification_permission, set_sound_enabled, sound_enabled,
};
use leptos::prelude::*;

#[component]
pub fn NotificationSettings(
    /// The browser's answer so far (`granted`, `denied`, `default`, `unsupported`).
    permission: RwSignal<&'static str>,
) -> impl IntoView {
    let sound = RwSignal::new(sound_enabled());
    move || {
        let choice = match permission.get() {
            "default" => view! {
                <span>
                    "Foresight can show a system notification when an alert starts firing, even while this tab is in the background. Your browser will ask you once. "
                    <button data-action="enable-notifications" on:click=move |_| request_notification_permission(move |answer| { permission.try_set(answer); })>"Enable browser notifications"</button>
                </span>
            }.into_any(),
            "granted" => view! { <span data-notifications="granted">"Browser notifications are on for alerts that start firing."</span> }.into_any(),
            "denied" => view! { <span data-notifications="denied">"Browser notifications are blocked for this page; allow them in the browser's site settings to get them."</span> }.into_any(),
            _ => view! { <span>"This browser cannot show notifications."</span> }.into_any(),
        };
        view! {
            <div class="alert-notification-settings">
                {choice}
                <label>
                    <input type="checkbox" data-action="alert-sound" prop:checked=sound on:change=move |e| {
                        let on = event_target_checked(&e);
                        set_sound_enabled(on);
                        sound.set(on);
                        if on { play_alert_sound(); }
                    } />
                    " Play a sound"
                </label>
            </div>
        }
    }
}
