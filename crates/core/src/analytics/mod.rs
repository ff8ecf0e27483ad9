//! Analytics that run on the data Prometheus already returned: forecasts,
//! baselines and anomaly scores. Pure functions; the browser and the native
//! benchmarks run the same code.

pub mod anomaly_detector;
pub mod forecast_selection;
pub mod linear_forecast;
pub mod nab_scoring;
pub mod panel_overlays;
pub mod seasonal_forecast;
pub mod time_to_threshold;
