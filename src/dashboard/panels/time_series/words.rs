//! The chart in words: its samples as a table ("Table" in the toolbar), and a
//! live region that reads out what the keyboard's crosshair lands on. The words
//! themselves come from the core (`chart_readout`).

use super::ChartShared;
use crate::browser::clock::BrowserZone;
use crate::browser::dom_table::fill_table;
use foresight_core::analytics::chart_readout::{chart_table, ShownSeries, ValueFormat};
use leptos::html::Div;
use leptos::prelude::*;

/// Rows and series columns a chart's table shows at most: past them it keeps
/// every k-th time and says so, so a week at 15 s steps stays a page, not 40,000 rows.
const TABLE_LIMITS: (usize, usize) = (500, 20);

/// The series of `shared` that the chart shows (all but those its overrides
/// hide from it, or the isolated one), as the core reads them.
pub fn with_shown_series<R>(
    shared: ChartShared,
    read: impl FnOnce(&[ShownSeries<'_>]) -> R,
) -> Option<R> {
    let only = shared.isolated.get();
    shared.result.with(|result| {
        let result = result.as_ref()?;
        shared.overlays.with(|overlays| {
            let shown: Vec<ShownSeries> = result
                .series
                .iter()
                .enumerate()
                .filter(|(index, s)| only.is_none_or(|o| o == *index) && !s.look.hide_in_chart)
                .map(|(index, s)| ShownSeries {
                    name: &s.name,
                    series: &s.series,
                    overlay: overlays.as_ref().and_then(|o| o.get(index)),
                    unit: s.look.unit,
                })
                .collect();
            Some(read(&shown))
        })
    })
}

pub fn value_format(shared: ChartShared) -> ValueFormat {
    ValueFormat {
        unit: shared.unit,
        decimals: shared.decimals,
    }
}

/// The chart's samples as a table, newest first, scrolling inside the chart's place.
#[component]
pub fn ChartTableView(shared: ChartShared, title: String) -> impl IntoView {
    let container = NodeRef::<Div>::new();
    let label = format!("{title} as a table");
    Effect::new(move |_| {
        let (Some(element), Some(window)) = (container.get(), shared.window.get()) else {
            return;
        };
        let Some(table) = with_shown_series(shared, |shown| {
            chart_table(
                &window,
                shown,
                value_format(shared),
                &BrowserZone,
                TABLE_LIMITS,
            )
        }) else {
            return;
        };
        let caption = table.caption(&title);
        let columns = table.header.len() as u32;
        let cells = table
            .header
            .into_iter()
            .chain(table.rows.into_iter().flatten());
        fill_table(&element, &caption, columns, cells.collect());
    });
    view! {
        <div
            class="chart-table"
            tabindex="0"
            role="region"
            aria-label=label
            node_ref=container
        ></div>
    }
}
