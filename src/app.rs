//! The page: header (datasource, version, range), URL problems, and the panels.

use crate::browser_clock::{now_ms, utc_offset_minutes};
use crate::datasource_status::DatasourceStatus;
use crate::time_series_panel::TimeSeriesPanel;
use foresight_core::time_axis::format_local_datetime;
use foresight_core::time_range::TimeExpression;
use foresight_core::url_state::UrlState;
use leptos::prelude::*;

/// Request rate by status code of the sample service, per second.
pub const REQUEST_RATE_BY_STATUS_QUERY: &str =
    r#"sum by (status_code) (rate(http_requests_total{job="sample-service"}[5m]))"#;

/// Reads the page URL and shows the dashboard it describes.
#[component]
pub fn App() -> impl IntoView {
    let query_string = window().location().search().unwrap_or_default();
    view! { <Dashboard query_string=query_string now_ms=now_ms() /> }
}

fn describe(expression: &TimeExpression, utc_offset_minutes: i32) -> String {
    match expression {
        TimeExpression::Absolute { epoch_ms } => {
            format_local_datetime(*epoch_ms as f64 / 1000.0, utc_offset_minutes)
        }
        relative => relative.to_string(),
    }
}

/// The dashboard for a URL query string at a given moment (both passed in, so tests can pin them).
#[component]
pub fn Dashboard(query_string: String, now_ms: i64) -> impl IntoView {
    let mut url_state = UrlState::from_query_string(&query_string);
    let range = url_state.checked_range(now_ms);
    let resolved = range
        .resolve(now_ms)
        .expect("checked_range returns a valid range");
    let offset = utc_offset_minutes(now_ms);
    let range_label = format!(
        "{} → {}",
        describe(&range.from, offset),
        describe(&range.to, offset)
    );
    let problems = url_state.problems.clone();
    let datasource = url_state.datasource.clone();
    view! {
        <header class="topbar">
            <h1>"Foresight"</h1>
            <DatasourceStatus datasource=datasource.clone() />
            <span class="time-range" data-testid="time-range">{range_label}</span>
        </header>
        {(!problems.is_empty())
            .then(|| {
                view! {
                    <div class="url-problems" role="alert" data-testid="url-problems">
                        "Parts of this link could not be used:"
                        <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect::<Vec<_>>()}</ul>
                    </div>
                }
            })}
        <main class="dashboard">
            <TimeSeriesPanel
                id="request-rate-by-status".to_string()
                title="Request rate by status code (req/s)".to_string()
                query=REQUEST_RATE_BY_STATUS_QUERY.to_string()
                datasource=datasource
                range=resolved
                utc_offset_minutes=offset
            />
        </main>
    }
}
