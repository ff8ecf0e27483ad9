//! A loaded dashboard: the page (header controls and the grid), each panel
//! with its queries, the panel bodies, and the datasource badge.

pub mod datasource_status;
pub mod events;
pub mod grid;
pub mod page;
pub mod panel;
pub mod panel_context;
pub mod panels;
pub mod picker;
pub mod related_loader;
pub mod related_view;
pub mod share;
pub mod time_controls;
pub mod variables;

use crate::browser::location::push_url;
use foresight_core::model::url_state::ViewState;
use leptos::prelude::*;

/// Changes the view: the address bar gets a new history entry, then the page follows.
pub fn change_view(view_state: RwSignal<ViewState>, update: &dyn Fn(&mut ViewState)) {
    let mut next = view_state.get_untracked();
    update(&mut next);
    push_url(&next);
    view_state.set(next);
}
