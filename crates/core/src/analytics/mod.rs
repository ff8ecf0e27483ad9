//! Analytics that run on the data Prometheus already returned: forecasts,
//! baselines and anomaly scores. Pure functions; the browser and the native
//! benchmarks run the same code.

pub mod anomaly_detector;
pub mod baseline;
pub mod chart_readout;
pub mod forecast_selection;
pub mod incidents;
pub mod linear_forecast;
pub mod nab_scoring;
pub mod options;
pub mod panel_overlays;
pub mod related_moves;
pub mod seasonal_forecast;
pub mod time_to_threshold;

/// The median of unsorted values in linear time (reorders them).
pub(crate) fn median_of_unsorted(values: &mut [f64]) -> f64 {
    let n = values.len();
    let (below, upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        upper
    } else {
        let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}
