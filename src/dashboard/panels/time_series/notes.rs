//! Under the chart: when each series is expected to reach the crossing value,
//! and why a series has no baseline band.

use super::ChartShared;
use foresight_core::analytics::time_to_threshold::describe_crossing;
use leptos::prelude::*;

#[component]
pub fn ChartNotes(shared: ChartShared) -> impl IntoView {
    let ChartShared {
        result,
        overlays,
        foresight,
        ..
    } = shared;
    let crossing_label = foresight.with_untracked(|f| f.crossing.as_ref().map(|c| c.label.clone()));
    let crossings = move || {
        let label = crossing_label.clone()?;
        let lines = result.with(|r| {
            overlays.with(|o| {
                let (r, o) = (r.as_ref()?, o.as_ref()?);
                Some(
                    r.series
                        .iter()
                        .zip(o)
                        .filter_map(|(s, overlay)| overlay.crossing.map(|c| (s.name.clone(), c)))
                        .map(|(name, crossing)| {
                            let text = format!("{name}: {}", describe_crossing(&label, &crossing));
                            view! {
                                <p class="crossing" role="status" data-series=name data-seconds=crossing.seconds.to_string()>
                                    {text}
                                </p>
                            }
                        })
                        .collect::<Vec<_>>(),
                )
            })
        })?;
        Some(lines)
    };
    let baseline_notes = move || {
        let kind = foresight.with(|f| f.baseline)?;
        let notes: Vec<String> = result.with(|r| {
            overlays.with(|o| {
                let (Some(r), Some(o)) = (r, o) else {
                    return Vec::new();
                };
                let mut notes: Vec<String> = Vec::new();
                for (s, overlay) in r.series.iter().zip(o) {
                    if let Some(Err(note)) = &overlay.baseline {
                        let line = if r.series.len() == 1 {
                            note.clone()
                        } else {
                            format!("{}: {note}", s.name)
                        };
                        if !notes.iter().any(|n| n.ends_with(note.as_str())) {
                            notes.push(line);
                        }
                    }
                }
                notes
            })
        });
        (!notes.is_empty()).then(|| {
            notes
                .into_iter()
                .map(|note| view! { <p class="baseline-note" role="note">{format!("No baseline band ({}): {note}", kind.describe())}</p> })
                .collect::<Vec<_>>()
        })
    };
    view! { <div class="crossings">{crossings}{baseline_notes}</div> }
}
