//! SLO panels: the overview table (every SLO, most urgent first), one SLO's
//! budget left with the time left at the current burn, and its burn rates
//! over the alert windows. The numbers come from the core's `statuses`,
//! over Prometheus's answer to each SLO's status query. (The burn-down is
//! drawn by the time-series body; see `burn_down_result`.)

use crate::dashboard::panel_context::{NamedSeries, PanelResult};
use foresight_core::alerting::slo::{burn_rate_threshold, Slo, WORKBOOK_WINDOWS};
use foresight_core::alerting::slo_status::{
    burn_down, by_urgency, statuses, SloStatus, CURRENT_BURN_WINDOW,
};
use foresight_core::foundation::units::{format_value, Unit};
use foresight_core::model::dashboard::{SeriesLook, SloShow};

/// The ideal burn-down, drawn muted beside the real one.
const IDEAL_LINE_COLOR: &str = "#8a96a8";
use foresight_core::model::slo_panel::{ALL_EVENTS, FAILED_EVENTS};
use foresight_core::query::series::Labels;
use foresight_core::query::step::QueryWindow;
use leptos::prelude::*;

/// Every status the answer gives for `slos`, most urgent first.
fn answered_statuses(slos: &[Slo], result: &PanelResult) -> Vec<SloStatus> {
    let answer: Vec<(Labels, f64)> = result
        .samples
        .iter()
        .map(|s| (s.sample.labels.clone(), s.sample.value))
        .collect();
    by_urgency(slos.iter().flat_map(|slo| statuses(slo, &answer)).collect())
}

fn percent(share: Option<f64>) -> String {
    share.map_or("–".into(), |s| {
        format_value(s * 100.0, Unit::Percent, Some(1))
    })
}

fn burn_text(burn: Option<f64>) -> String {
    burn.map_or("–".into(), |b| {
        format!("{}×", format_value(b, Unit::None, Some(2)))
    })
}

fn time_left_text(status: &SloStatus) -> String {
    match (status.budget_remaining, status.time_left_seconds) {
        (None, _) => "–".into(),
        (Some(left), _) if left <= 0.0 => "spent".into(),
        (_, None) => "not burning".into(),
        (_, Some(seconds)) => format_value(seconds, Unit::Seconds, Some(1)),
    }
}

/// The time left as a sentence, for the budget panel.
fn time_left_sentence(status: &SloStatus) -> String {
    match (status.budget_remaining, status.time_left_seconds) {
        (None, _) => "No events in the period".into(),
        (Some(left), _) if left <= 0.0 => "The budget is spent".into(),
        (_, None) => format!("Not burning over the last {CURRENT_BURN_WINDOW}"),
        (_, Some(seconds)) => format!(
            "{} left at the last {CURRENT_BURN_WINDOW}'s burn",
            format_value(seconds, Unit::Seconds, Some(1))
        ),
    }
}

/// The labels the indicator kept, as `instance=app-2:8000`.
fn labels_text(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The status colour: red while paging or spent, amber for a ticket or
/// under a quarter of the budget left, else green.
fn state_class(status: &SloStatus) -> &'static str {
    use foresight_core::alerting::slo::Severity;
    match (status.alerting, status.budget_remaining) {
        (Some(Severity::Page), _) => "slo-red",
        (_, Some(left)) if left <= 0.0 => "slo-red",
        (Some(Severity::Ticket), _) => "slo-amber",
        (_, Some(left)) if left < 0.25 => "slo-amber",
        _ => "slo-green",
    }
}

#[component]
pub fn SloBody(
    slos: Vec<Slo>,
    show: SloShow,
    result: Signal<Option<PanelResult>>,
) -> impl IntoView {
    let slos = StoredValue::new(slos);
    let body = move || {
        result.with(|result| {
            let result = result.as_ref()?;
            let found = slos.with_value(|slos| answered_statuses(slos, result));
            Some(match show {
                SloShow::Budget => budget_view(found).into_any(),
                SloShow::BurnRates => slos
                    .with_value(|slos| burn_rates_view(slos.first(), found))
                    .into_any(),
                _ => overview_view(found).into_any(),
            })
        })
    };
    view! { <div class="table-body slo-body">{body}</div> }
}

fn overview_view(found: Vec<SloStatus>) -> impl IntoView {
    let rows = found
        .into_iter()
        .map(|status| {
            let fastest = status.fastest_burn().map(|(window, burn)| (window.to_string(), burn));
            let fastest_attr = fastest.as_ref().map(|f| f.1.to_string());
            view! {
                <tr
                    data-slo=status.slo_id.clone()
                    data-labels=labels_text(&status.labels)
                    data-state=status.state_words()
                    data-budget-remaining=status.budget_remaining.map(|v| v.to_string())
                    data-time-left=status.time_left_seconds.map(|v| v.to_string())
                >
                    <td>
                        {status.name.clone()}
                        {(!status.labels.is_empty()).then(|| view! { <span class="slo-labels">{labels_text(&status.labels)}</span> })}
                    </td>
                    <td class="number">{format!("{} % / {}", format_value(status.objective_percent, Unit::None, None), status.period)}</td>
                    <td class=state_class(&status)>{status.state_words()}</td>
                    <td class="number">{percent(status.budget_remaining)}</td>
                    <td class="number">{time_left_text(&status)}</td>
                    <td class="number" data-burn=fastest_attr>
                        {fastest.map_or("–".to_string(), |(window, burn)| format!("{} over {window}", burn_text(Some(burn))))}
                    </td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <table class="data-table slo-overview">
            <thead>
                <tr>
                    <th>"SLO"</th>
                    <th class="number">"Objective"</th>
                    <th>"Status"</th>
                    <th class="number">"Budget left"</th>
                    <th class="number" title=format!("At the burn rate of the last {CURRENT_BURN_WINDOW}")>"Time left"</th>
                    <th class="number">"Fastest burn"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn budget_view(found: Vec<SloStatus>) -> impl IntoView {
    let several = found.len() > 1;
    let items = found
        .into_iter()
        .map(|status| {
            let ratio = status.period_error_ratio.map(|r| {
                format!(
                    "{} failed over {} (objective {} %)",
                    format_value(r * 100.0, Unit::Percent, Some(2)),
                    status.period,
                    format_value(status.objective_percent, Unit::None, None)
                )
            });
            view! {
                <div class="slo-budget" data-slo=status.slo_id.clone() data-labels=labels_text(&status.labels) data-budget-remaining=status.budget_remaining.map(|v| v.to_string()) data-time-left=status.time_left_seconds.map(|v| v.to_string())>
                    {several.then(|| view! { <span class="stat-name">{labels_text(&status.labels)}</span> })}
                    <span class=format!("stat-value {}", state_class(&status))>{percent(status.budget_remaining)}</span>
                    <span class="value-state">"of the error budget left"</span>
                    <span class="slo-time-left">{time_left_sentence(&status)}</span>
                    {ratio.map(|text| view! { <span class="value-state">{text}</span> })}
                </div>
            }
        })
        .collect::<Vec<_>>();
    view! { <div class="slo-budgets" class:several=several>{items}</div> }
}

/// The alert pair a window belongs to, with its burn-rate threshold.
fn alert_threshold(slo: &Slo, window: &str) -> Option<(String, f64)> {
    let period = slo.period_seconds().ok()?;
    WORKBOOK_WINDOWS
        .iter()
        .find(|w| w.long == window || w.short == window)
        .and_then(|w| {
            let threshold = burn_rate_threshold(w, period).ok()?;
            Some((
                format!(
                    "{} with {}",
                    w.severity.label(),
                    if w.long == window { w.short } else { w.long }
                ),
                threshold,
            ))
        })
}

fn burn_rates_view(slo: Option<&Slo>, found: Vec<SloStatus>) -> impl IntoView {
    let slo = slo.cloned();
    let several = found.len() > 1;
    found
        .into_iter()
        .map(|status| {
            let rows = status
                .burns
                .iter()
                .map(|burn| {
                    let threshold = slo.as_ref().and_then(|slo| alert_threshold(slo, &burn.window));
                    let over = matches!((burn.burn_rate, &threshold), (Some(b), Some((_, t))) if b > *t);
                    view! {
                        <tr data-window=burn.window.clone() data-burn=burn.burn_rate.map(|b| b.to_string()) class:slo-over=over>
                            <td>{burn.window.clone()}</td>
                            <td class="number">{burn_text(burn.burn_rate)}</td>
                            <td class="number">{threshold.map_or("–".to_string(), |(pair, t)| format!("{} ({pair})", burn_text(Some(t))))}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>();
            view! {
                <div class="slo-burns" data-slo=status.slo_id.clone() data-labels=labels_text(&status.labels)>
                    {several.then(|| view! { <span class="stat-name">{labels_text(&status.labels)}</span> })}
                    <table class="data-table">
                        <thead><tr><th>"Window"</th><th class="number">"Burn rate"</th><th class="number">"Alerts above"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
        .collect::<Vec<_>>()
}

/// The burn-down as a time-series answer: per label set the indicator kept,
/// the budget left after each step and the ideal line, in percent.
pub fn burn_down_result(
    slo: &Slo,
    result: &PanelResult,
    window: Option<QueryWindow>,
) -> PanelResult {
    let step = window.map_or(60.0, |w| w.step);
    let of = |legend: &str| -> Vec<&NamedSeries> {
        result
            .series
            .iter()
            .filter(|s| s.name == legend || s.name.starts_with(&format!("{legend} ")))
            .collect()
    };
    let failed = of(FAILED_EVENTS);
    let mut series = Vec::new();
    let mut ideal = None;
    for all in of(ALL_EVENTS) {
        let errors = failed
            .iter()
            .find(|f| f.series.labels == all.series.labels)
            .map(|f| f.series.clone())
            .unwrap_or_default();
        let Some(down) = burn_down(&errors, &all.series, step, slo.error_budget()) else {
            continue;
        };
        let suffix = if all.series.labels.is_empty() {
            String::new()
        } else {
            format!(" {}", labels_text(&all.series.labels))
        };
        series.push(NamedSeries {
            name: format!("Budget left{suffix}"),
            series: down.remaining_percent,
            look: all.look.clone(),
        });
        // One ideal line: each label set's differs only by its share of traffic.
        ideal.get_or_insert(NamedSeries {
            name: "Spending exactly the budget".into(),
            series: down.ideal_percent,
            look: SeriesLook {
                color: Some(IDEAL_LINE_COLOR.into()),
                ..all.look.clone()
            },
        });
    }
    series.extend(ideal);
    PanelResult {
        series,
        ..result.clone()
    }
}
