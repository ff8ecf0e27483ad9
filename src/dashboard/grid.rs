//! The panel grid: each panel placed on the 24-column layout, with the viewer's
//! overlay switches kept in the link and, while editing, the panel's controls.

use crate::dashboard::change_view;
use crate::dashboard::panel::DashboardPanel;
use crate::dashboard::panel_context::PanelContext;
use crate::editor::panel_editor::{PanelEditControls, PanelEditing};
use foresight_core::model::dashboard::{Dashboard, OverlayToggles, PanelKind};
use foresight_core::model::url_state::ViewState;
use leptos::prelude::*;

/// Empty until the panels' context exists (the variables have resolved).
#[component]
pub fn PanelGrid(
    dashboard: StoredValue<Dashboard>,
    view_state: RwSignal<ViewState>,
    context: Memo<Option<PanelContext>>,
    editing: Signal<Option<PanelEditing>>,
) -> impl IntoView {
    let change = move |update: &dyn Fn(&mut ViewState)| change_view(view_state, update);
    let ready = Memo::new(move |_| context.with(Option::is_some));
    let panel_context = Signal::derive(move || context.get());
    move || {
        if !ready.get() {
            return None;
        }
        let cells = dashboard.with_value(|d| {
            d.layout
                .iter()
                .filter_map(|position| {
                    let panel = d.panel(&position.panel)?.clone();
                    let placement = format!(
                        "grid-column: {} / span {}; grid-row: {} / span {};",
                        position.x + 1,
                        position.w,
                        position.y + 1,
                        position.h
                    );
                    let id = panel.id.clone();
                    let own_toggles = match &panel.kind {
                        PanelKind::Timeseries { foresight, .. } => foresight.toggles(),
                        _ => OverlayToggles::default(),
                    };
                    let overlay_override = {
                        let id = id.clone();
                        Memo::new(move |_| view_state.with(|s| s.panel_overlays.get(&id).copied()))
                    };
                    let on_overlays = Callback::new(move |toggles: OverlayToggles| {
                        let id = id.clone();
                        change(&move |s: &mut ViewState| {
                            if toggles == own_toggles {
                                s.panel_overlays.remove(&id);
                            } else {
                                s.panel_overlays.insert(id.clone(), toggles);
                            }
                        });
                    });
                    let edit_id = position.panel.clone();
                    let controls = move || {
                        editing.get().map(|e| view! { <PanelEditControls id=edit_id.clone() editing=e /> })
                    };
                    Some(view! {
                        <div class="grid-cell" style=placement>
                            {controls}
                            <DashboardPanel panel=panel context=panel_context overlay_override=overlay_override.into() on_overlays=on_overlays />
                        </div>
                    })
                })
                .collect::<Vec<_>>()
        });
        Some(cells)
    }
}
