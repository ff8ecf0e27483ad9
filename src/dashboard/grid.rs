//! The panel grid: each panel placed on the 24-column layout as Grafana's grid
//! places it, rows as slim headings that open and close (kept in the link),
//! with the viewer's overlay switches kept in the link and, while editing,
//! the panel's controls.

use crate::dashboard::change_view;
use crate::dashboard::panel::DashboardPanel;
use crate::dashboard::panel_context::PanelContext;
use crate::editor::panel_editor::{PanelEditControls, PanelEditing};
use foresight_core::model::dashboard::{Dashboard, GridPosition, OverlayToggles, Panel, PanelKind};
use foresight_core::model::url_state::ViewState;
use foresight_core::query::template_variables::interpolate_text;
use leptos::prelude::*;

fn placement(position: &GridPosition) -> String {
    format!(
        "grid-column: {} / span {}; grid-row: {} / span {};",
        position.x + 1,
        position.w,
        position.y.saturating_add(1),
        position.h
    )
}

/// Empty until the panels' context exists (the variables have resolved).
#[component]
pub fn PanelGrid(
    dashboard: StoredValue<Dashboard>,
    view_state: RwSignal<ViewState>,
    context: Memo<Option<PanelContext>>,
    editing: Signal<Option<PanelEditing>>,
) -> impl IntoView {
    let ready = Memo::new(move |_| context.with(Option::is_some));
    let row_collapsed = Memo::new(move |_| view_state.with(|s| s.row_collapsed.clone()));
    let positions =
        Memo::new(move |_| dashboard.with_value(|d| row_collapsed.with(|r| d.displayed_layout(r))));
    move || {
        ready.get().then(|| {
            view! {
                <For
                    each=move || positions.get()
                    key=|position| position.panel.clone()
                    children=move |position| {
                        let id = position.panel.clone();
                        let style = move || {
                            positions.with(|all| {
                                all.iter().find(|p| p.panel == id).map(placement).unwrap_or_default()
                            })
                        };
                        let panel = dashboard.with_value(|d| d.panel(&position.panel).cloned());
                        panel.map(|panel| grid_cell(panel, style, dashboard, view_state, context, editing))
                    }
                />
            }
        })
    }
}

fn grid_cell(
    panel: Panel,
    style: impl Fn() -> String + Send + Sync + 'static,
    dashboard: StoredValue<Dashboard>,
    view_state: RwSignal<ViewState>,
    context: Memo<Option<PanelContext>>,
    editing: Signal<Option<PanelEditing>>,
) -> AnyView {
    let edit_id = panel.id.clone();
    let controls = move || {
        editing
            .get()
            .map(|e| view! { <PanelEditControls id=edit_id.clone() editing=e /> })
    };
    if let PanelKind::Row { collapsed } = panel.kind {
        return view! {
            <div class="grid-cell row-cell" style=style>
                <RowHeading panel=panel saved_collapsed=collapsed dashboard=dashboard view_state=view_state context=context />
                {controls}
            </div>
        }
        .into_any();
    }
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
        change_view(view_state, &move |s: &mut ViewState| {
            if toggles == own_toggles {
                s.panel_overlays.remove(&id);
            } else {
                s.panel_overlays.insert(id.clone(), toggles);
            }
        });
    });
    let panel_context = Signal::derive(move || context.get());
    view! {
        <div class="grid-cell" style=style>
            {controls}
            <DashboardPanel panel=panel context=panel_context overlay_override=overlay_override.into() on_overlays=on_overlays />
        </div>
    }
    .into_any()
}

/// A row of the dashboard: a slim heading that opens and closes it, saying
/// how many panels it holds while closed.
#[component]
fn RowHeading(
    panel: Panel,
    saved_collapsed: bool,
    dashboard: StoredValue<Dashboard>,
    view_state: RwSignal<ViewState>,
    context: Memo<Option<PanelContext>>,
) -> impl IntoView {
    let id = panel.id.clone();
    let collapsed = {
        let id = id.clone();
        Memo::new(move |_| {
            view_state.with(|s| s.row_collapsed.get(&id).copied().unwrap_or(saved_collapsed))
        })
    };
    let size = dashboard.with_value(|d| d.row_sizes().get(&id).copied().unwrap_or(0));
    let title = panel.title.clone();
    let shown_title = move || {
        context.with(|c| match c {
            Some(c) => interpolate_text(&title, &c.variables),
            None => title.clone(),
        })
    };
    let toggle = move |_| {
        let id = id.clone();
        let next = !collapsed.get_untracked();
        change_view(view_state, &move |s: &mut ViewState| {
            if next == saved_collapsed {
                s.row_collapsed.remove(&id);
            } else {
                s.row_collapsed.insert(id.clone(), next);
            }
        });
    };
    let panels_word = if size == 1 { "panel" } else { "panels" };
    view! {
        <h2 class="row-heading" data-row=panel.id.clone()>
            <button type="button" aria-expanded=move || (!collapsed.get()).to_string() on:click=toggle>
                <span class="row-chevron" aria-hidden="true">{move || if collapsed.get() { "▸" } else { "▾" }}</span>
                <span class="row-title">{shown_title}</span>
                {move || collapsed.get().then(|| view! { <span class="row-size">{format!("({size} {panels_word})")}</span> })}
            </button>
        </h2>
    }
}
