//! The panel grid: each panel placed on the 24-column layout as Grafana's grid
//! places it, rows as slim headings that open and close (kept in the link),
//! with the viewer's overlay switches kept in the link and, while editing,
//! the panel's controls.

use crate::browser::focus::{remember_focus, restore_focus};
use crate::dashboard::change_view;
use crate::dashboard::panel::DashboardPanel;
use crate::dashboard::panel_context::{shown_title, PanelContext};
use crate::editor::panel_editor::{PanelEditControls, PanelEditing};
use foresight_core::alerting::slo::Slo;
use foresight_core::model::dashboard::{Dashboard, GridPosition, OverlayToggles, Panel, PanelKind};
use foresight_core::model::slo_panel::slos_shown;
use foresight_core::model::url_state::ViewState;
use leptos::prelude::*;

/// Opening or closing a row lays the grid out again; the panels' answers stay
/// in the page's range cache, so only their newest points are asked for, and a
/// closed row's panels are not mounted (no queries), as in Grafana.
#[component]
pub fn PanelGrid(
    dashboard: StoredValue<Dashboard>,
    view_state: RwSignal<ViewState>,
    context: Memo<Option<PanelContext>>,
    editing: Signal<Option<PanelEditing>>,
) -> impl IntoView {
    let ready = Memo::new(move |_| context.with(Option::is_some));
    let row_collapsed = Memo::new(move |_| view_state.with(|s| s.row_collapsed.clone()));
    move || {
        // Before the variables resolve, each panel's place is held by its
        // title, so nothing below moves when the panels arrive.
        let ready = ready.get();
        dashboard.with_value(|d| {
            row_collapsed.with(|rows| {
                let sizes = d.row_sizes();
                d.displayed_layout(rows)
                    .into_iter()
                    .filter_map(|position| {
                        let panel = d.panel(&position.panel)?.clone();
                        let collapsed = matches!(panel.kind, PanelKind::Row { .. })
                            .then(|| d.row_is_collapsed(&panel.id, rows));
                        let size = sizes.get(&panel.id).copied().unwrap_or(0);
                        let page = PageSignals {
                            ready,
                            view_state,
                            context,
                            editing,
                        };
                        let slos = slos_shown(&panel.kind, &d.slos);
                        Some(grid_cell(panel, slos, &position, collapsed, size, page))
                    })
                    .collect::<Vec<_>>()
            })
        })
    }
}

/// What every cell takes from the page.
#[derive(Clone, Copy)]
struct PageSignals {
    /// The variables have resolved (the panels' context exists).
    ready: bool,
    view_state: RwSignal<ViewState>,
    context: Memo<Option<PanelContext>>,
    editing: Signal<Option<PanelEditing>>,
}

/// A panel's cell at `position`; a row's (`collapsed` is `Some`) holds its heading.
fn grid_cell(
    panel: Panel,
    slos: Vec<Slo>,
    position: &GridPosition,
    collapsed: Option<bool>,
    size: usize,
    page: PageSignals,
) -> AnyView {
    let PageSignals {
        ready,
        view_state,
        context,
        editing,
    } = page;
    let placement = format!(
        "grid-column: {} / span {}; grid-row: {} / span {};",
        position.x + 1,
        position.w,
        position.y.saturating_add(1),
        position.h
    );
    let edit_id = panel.id.clone();
    let controls = move || {
        editing
            .get()
            .map(|e| view! { <PanelEditControls id=edit_id.clone() editing=e /> })
    };
    let panel_context = Signal::derive(move || context.get());
    if let Some(collapsed) = collapsed {
        return view! {
            <div class="grid-cell row-cell" style=placement>
                {row_heading(panel, collapsed, size, view_state, panel_context)}
                {controls}
            </div>
        }
        .into_any();
    }
    if !ready {
        return view! {
            <div class="grid-cell" style=placement>
                <section class="panel" aria-busy="true"><h2>{shown_title(panel.title, panel_context)}</h2></section>
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
    view! {
        <div class="grid-cell" style=placement>
            {controls}
            <DashboardPanel panel=panel context=panel_context overlay_override=overlay_override.into() on_overlays=on_overlays slos=slos />
        </div>
    }
    .into_any()
}

/// A row of the dashboard: a slim heading that opens and closes it, saying
/// how many panels it holds while closed (the chevron and the count follow
/// `aria-expanded` in the style sheet). The grid is laid out again on a
/// click, so the new heading takes the focus back.
fn row_heading(
    panel: Panel,
    collapsed: bool,
    size: usize,
    view_state: RwSignal<ViewState>,
    context: Signal<Option<PanelContext>>,
) -> impl IntoView {
    let Panel {
        id, title, kind, ..
    } = panel;
    let saved = matches!(kind, PanelKind::Row { collapsed: true });
    let row = id.clone();
    let toggle = move |_| {
        let focus = remember_focus();
        let row = row.clone();
        let next = !collapsed;
        change_view(view_state, &|s: &mut ViewState| {
            if next == saved {
                s.row_collapsed.remove(&row);
            } else {
                s.row_collapsed.insert(row.clone(), next);
            }
        });
        restore_focus(&focus);
    };
    let count = format!("({size} {})", if size == 1 { "panel" } else { "panels" });
    view! {
        <h2 class="row-heading" data-row=id>
            <button type="button" aria-expanded=(!collapsed).to_string() on:click=toggle>
                <span class="row-title">{shown_title(title, context)}</span>
                <span class="row-size">{count}</span>
            </button>
        </h2>
    }
}
