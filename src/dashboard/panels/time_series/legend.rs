//! The legend: min, max, mean and last of each series; clicking a row shows
//! only that series, clicking it again shows all. Each row also carries, as
//! data attributes, what the overlays found (anomalies, incidents, the
//! baseline's last point) for the end-to-end tests to check against Prometheus.

use super::ChartShared;
use crate::charts::time_series::series_color_css;
use foresight_core::foundation::units::format_value;
use foresight_core::model::dashboard::LegendMode;
use leptos::prelude::*;

/// The legend in the panel's mode: a table of statistics, a list of names, or
/// nothing (the keys 1–9 on the chart still pick a series).
#[component]
pub fn SeriesLegend(
    shared: ChartShared,
    mode: LegendMode,
    /// The panel's title: the legend's name says whose series these are.
    title: String,
) -> impl IntoView {
    let label = format!("Legend of {title}");
    match mode {
        LegendMode::Table => view! { <div class="legend-box" role="group" aria-label=label><LegendTable shared=shared /></div> }.into_any(),
        LegendMode::List => view! { <div class="legend-box" role="group" aria-label=label><LegendList shared=shared /></div> }.into_any(),
        LegendMode::Hidden => ().into_any(),
    }
}

/// Each series' name, as a button that shows it alone.
#[component]
fn LegendList(shared: ChartShared) -> impl IntoView {
    let ChartShared {
        result, isolated, ..
    } = shared;
    move || {
        let only = isolated.get();
        result.with(|result| {
            let items = result
                .as_ref()?
                .series
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.look.hide_in_legend)
                .map(|(index, s)| {
                    let (name, color) = (s.name.clone(), series_color_css(index, &s.look));
                    let label = name.clone();
                    view! {
                        <li data-series=name class:dimmed=only.is_some_and(|o| o != index)>
                            <button
                                class="series-toggle"
                                aria-pressed=(only == Some(index)).to_string()
                                on:click=move |_| isolated.update(|o| *o = if *o == Some(index) { None } else { Some(index) })
                            >
                                <span class="swatch" style:background-color=color></span>
                                {label}
                            </button>
                        </li>
                    }
                })
                .collect::<Vec<_>>();
            Some(view! { <ul class="legend legend-list">{items}</ul> })
        })
    }
}

/// Each series' min, max, mean and last value; a row shows its series alone.
#[component]
fn LegendTable(shared: ChartShared) -> impl IntoView {
    let ChartShared {
        result,
        window,
        overlays,
        isolated,
        unit,
        decimals,
        ..
    } = shared;
    let anomaly_times = move |index: usize| -> String {
        let times: Vec<String> = result.with(|r| {
            overlays.with(|o| match (r, o) {
                (Some(r), Some(o)) => o.get(index).map_or_else(Vec::new, |overlay| {
                    overlay
                        .anomalies
                        .iter()
                        .map(|&i| r.series[index].series.timestamps[i].to_string())
                        .collect()
                }),
                _ => Vec::new(),
            })
        });
        times.join(",")
    };
    let incidents = move |index: usize| -> String {
        result.with(|r| {
            overlays.with(|o| match (r, o) {
                (Some(r), Some(o)) => o.get(index).map_or_else(String::new, |overlay| {
                    let t = &r.series[index].series.timestamps;
                    overlay
                        .incidents
                        .iter()
                        .map(|i| {
                            format!(
                                "{},{},{},{}",
                                t[i.start_index],
                                t[i.end_index],
                                t[i.peak_index],
                                i.direction.id()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(";")
                }),
                _ => String::new(),
            })
        })
    };
    let baseline_points = move |index: usize| -> String {
        overlays.with(|o| {
            o.as_ref()
                .and_then(|o| o.get(index))
                .and_then(|o| o.baseline.as_ref())
                .and_then(|b| b.as_ref().ok())
                .map_or(0, |b| b.timestamps.len())
                .to_string()
        })
    };
    // The band's last point in the data range, for checking it against Prometheus.
    let baseline_last = move |index: usize| -> Option<(f64, f64)> {
        let end = window.get()?.end;
        overlays.with(|o| {
            let band = o.as_ref()?.get(index)?.baseline.as_ref()?.as_ref().ok()?;
            let last = band
                .timestamps
                .partition_point(|&t| t <= end)
                .checked_sub(1)?;
            Some((band.timestamps[last], band.center[last]))
        })
    };
    // Why a series has no band, said once per distinct reason.
    let anomaly_count = move |index: usize| {
        overlays
            .with(|o| {
                o.as_ref()
                    .and_then(|o| o.get(index))
                    .map_or(0, |o| o.anomalies.len())
            })
            .to_string()
    };
    // Rebuilt on every refresh, so nothing inside a row may be a reactive closure:
    // one made anew on each rebuild is never freed (measured: 0.3 KB per refresh).
    let rows = move || {
        let only = isolated.get();
        result.with(|result| {
            let Some(result) = result else { return Vec::new() };
            result
                .series
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.look.hide_in_legend)
                .map(|(index, s)| {
                    // A series with no sample in the window still has its row
                    // (its number key picks it), with its figures left blank.
                    let stats = s.series.stats();
                    let figure = |pick: fn(&foresight_core::query::series::SeriesStats) -> f64| {
                        stats.as_ref().map_or_else(String::new, |stats| {
                            format_value(pick(stats), s.look.unit.unwrap_or(unit), decimals)
                        })
                    };
                    let data = |pick: fn(&foresight_core::query::series::SeriesStats) -> f64| {
                        stats.as_ref().map(|stats| pick(stats).to_string())
                    };
                    let (name, color) = (s.name.clone(), series_color_css(index, &s.look));
                    let label = name.clone();
                    let dimmed = only.is_some_and(|o| o != index);
                    view! {
                        <tr
                            data-series=name
                            data-min=data(|s| s.min)
                            data-max=data(|s| s.max)
                            data-mean=data(|s| s.mean)
                            data-last=data(|s| s.last)
                            data-samples=stats.as_ref().map_or(0, |s| s.samples).to_string()
                            data-anomalies=anomaly_count(index)
                            data-anomaly-times=anomaly_times(index)
                            data-incidents=incidents(index)
                            data-baseline-points=baseline_points(index)
                            data-baseline-last-time=baseline_last(index).map(|(t, _)| t.to_string())
                            data-baseline-last-center=baseline_last(index).map(|(_, c)| c.to_string())
                            class:dimmed=dimmed
                            title="Click to show only this series; click again to show all"
                            on:click=move |_| isolated.update(|o| *o = if *o == Some(index) { None } else { Some(index) })
                        >
                            <td class="series-name">
                                // A button, so the keyboard can isolate a series too; its click reaches the row.
                                <button class="series-toggle" aria-pressed=(only == Some(index)).to_string()>
                                    <span class="swatch" style:background-color=color></span>
                                    {label}
                                </button>
                            </td>
                            <td>{figure(|s| s.min)}</td>
                            <td>{figure(|s| s.max)}</td>
                            <td>{figure(|s| s.mean)}</td>
                            <td>{figure(|s| s.last)}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <table class="legend" class:empty=move || result.with(|r| r.as_ref().is_none_or(|r| r.series.is_empty()))>
            <thead>
                <tr>
                    <th>"Series"</th>
                    <th>"Min"</th>
                    <th>"Max"</th>
                    <th>"Mean"</th>
                    <th>"Last"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
