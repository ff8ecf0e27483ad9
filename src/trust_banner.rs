//! The consent banner for dashboards from outside, and the page's connect
//! policy. The decisions (what to ask, what accepting confirms, what runs
//! meanwhile) are `foresight_core::trust`'s; this file shows the question,
//! stores the answer and adds the policy to the page.

use crate::app::default_datasource;
use foresight_core::trust::{Capability, ConfirmedOrigins, PageContext};
use leptos::prelude::*;

/// Where this page runs and what it queries by default.
pub fn page_context() -> PageContext {
    PageContext {
        page_origin: window().location().origin().unwrap_or_default(),
        default_datasource: default_datasource(),
    }
}

/// Adds `connect-src` for the confirmed origins to the page's
/// Content-Security-Policy, so that even a bug in the page cannot reach an
/// address the user did not confirm. A policy can only be narrowed once the
/// page runs, so newly confirmed origins take effect after a reload.
pub fn install_connect_policy(confirmed: &ConfirmedOrigins) {
    let policy = foresight_core::trust::connect_policy(confirmed, &page_context());
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
    on_accept: Callback<()>,
    on_decline: Callback<()>,
) -> impl IntoView {
    let items = asks
        .iter()
        .map(|ask| view! { <li>{ask.describe()}</li> })
        .collect::<Vec<_>>();
    view! {
        <div class="trust-banner" role="alertdialog" aria-labelledby="trust-banner-title" data-testid="trust-banner">
            <strong id="trust-banner-title">"This dashboard comes from a link or an import. Until you accept, it only draws its panels from your current datasource. It would also:"</strong>
            <ul>{items}</ul>
            <button data-action="accept-dashboard" on:click=move |_| on_accept.run(())>"Accept"</button>
            <button data-action="decline-dashboard" on:click=move |_| on_decline.run(())>"Open without these"</button>
        </div>
    }
}
