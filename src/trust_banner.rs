//! The consent banner for dashboards from outside, and the page's connect
//! policy. The decisions (what to ask, what accepting confirms, what runs
//! meanwhile) are `foresight_core::model::trust`'s; this file shows the question,
//! stores the answer and adds the policy to the page.

use crate::browser::location::default_datasource;
use foresight_core::model::datasource::Datasource;
use foresight_core::model::trust::{Capability, ConfirmedOrigins, PageContext};
use leptos::prelude::*;

/// Where this page runs and what it queries by default.
pub fn page_context() -> PageContext {
    PageContext {
        page_origin: window().location().origin().unwrap_or_default(),
        default_datasource: default_datasource(),
    }
}

/// Whether the page may read `datasource` without asking: the default, one
/// on the page's own host, or one this browser's user confirmed.
pub fn datasource_confirmed(datasource: &Datasource) -> bool {
    crate::browser::storage::load_confirmed_origins()
        .permits_datasource(&page_context(), datasource)
}

/// Adds `connect-src` for the confirmed origins to the page's
/// Content-Security-Policy, so that even a bug in the page cannot reach an
/// address the user did not confirm. A policy can only be narrowed once the
/// page runs, so newly confirmed origins take effect after a reload.
pub fn install_connect_policy(confirmed: &ConfirmedOrigins) {
    let policy = foresight_core::model::trust::connect_policy(confirmed, &page_context());
    let document = document();
    let (Ok(meta), Some(head)) = (document.create_element("meta"), document.head()) else {
        return;
    };
    let _ = meta.set_attribute("http-equiv", "Content-Security-Policy");
    let _ = meta.set_attribute("content", &policy);
    let _ = meta.set_attribute("data-foresight", "connect-policy");
    let _ = head.append_child(&meta);
}

/// Lists what a dashboard from outside would do beyond drawing, with Accept
/// and "Open without these". Until one is chosen the dashboard runs inert.
#[component]
pub fn TrustBanner(
    asks: Vec<Capability>,
    /// `Provenance::banner_heading`.
    heading: &'static str,
    on_accept: Callback<()>,
    on_decline: Callback<()>,
) -> impl IntoView {
    let items = asks
        .iter()
        .map(|ask| view! { <li>{ask.describe()}</li> })
        .collect::<Vec<_>>();
    view! {
        <div class="trust-banner" role="alertdialog" aria-labelledby="trust-banner-title" data-testid="trust-banner">
            <strong id="trust-banner-title">{heading}</strong>
            <ul>{items}</ul>
            <button data-action="accept-dashboard" on:click=move |_| on_accept.run(())>"Accept"</button>
            <button data-action="decline-dashboard" on:click=move |_| on_decline.run(())>"Open without these"</button>
        </div>
    }
}

/// The origins confirmed in this browser, each with a button to forget it
/// (the page reloads so that its connect policy no longer lists it).
#[component]
pub fn ConfirmedAddresses(confirmed: RwSignal<ConfirmedOrigins>) -> impl IntoView {
    let forget = move |origin: String| {
        let stored = crate::browser::storage::update_confirmed_origins(|next| {
            next.datasources.remove(&origin);
            next.notification_targets.remove(&origin);
        });
        if let Ok(stored) = stored {
            confirmed.set(stored);
            let _ = window().location().reload();
        }
    };
    let rows = move |kind: &'static str, origins: Vec<String>| {
        origins
            .into_iter()
            .map(|origin| {
                let forgotten = origin.clone();
                let shown = origin.clone();
                view! {
                    <li data-confirmed=kind data-origin=origin>
                        {shown}
                        <button data-action="forget-origin" on:click=move |_| forget(forgotten.clone())>"Forget"</button>
                    </li>
                }
            })
            .collect::<Vec<_>>()
    };
    view! {
        <details class="confirmed-addresses" data-testid="confirmed-addresses">
            <summary>"Addresses"</summary>
            <p>"Foresight connects only to your page's own host, its default datasource and the addresses you confirmed here."</p>
            <h4>"Datasources"</h4>
            <ul>{move || rows("datasource", confirmed.with(|c| c.datasources.iter().cloned().collect()))}</ul>
            <h4>"Notification targets"</h4>
            <ul>{move || rows("notification", confirmed.with(|c| c.notification_targets.iter().cloned().collect()))}</ul>
        </details>
    }
}
