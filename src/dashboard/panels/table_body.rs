//! Table of an instant vector: one row per series, a column per label, then the value.

use super::shown_value;
use crate::dashboard::panel_context::PanelResult;
use foresight_core::foundation::ordered::SortedSet;
use foresight_core::model::dashboard::Panel;
use leptos::prelude::*;

#[component]
pub fn TableBody(panel: Panel, result: Signal<Option<PanelResult>>) -> impl IntoView {
    let table = move || {
        result.with(|result| {
            let result = result.as_ref()?;
            let columns: SortedSet<String> = result.samples.iter().flat_map(|s| s.sample.labels.keys().filter(|k| k.as_str() != "__name__").cloned()).collect();
            let header = columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect::<Vec<_>>();
            let rows = result
                .samples
                .iter()
                .map(|s| {
                    let cells = columns
                        .iter()
                        .map(|c| view! { <td>{s.sample.labels.get(c).cloned().unwrap_or_default()}</td> })
                        .collect::<Vec<_>>();
                    view! {
                        <tr data-series=s.name.clone() data-value=s.sample.value.to_string()>
                            {cells}
                            <td class="number">{shown_value(&panel, s.sample.value).0}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>();
            Some(view! {
                <table class="data-table">
                    <thead>
                        <tr>{header}<th class="number">"Value"</th></tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            })
        })
    };
    view! { <div class="table-body">{table}</div> }
}
