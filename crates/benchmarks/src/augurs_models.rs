//! Grafana's augurs (crates.io `augurs`, features `mstl` + `ets`) as extra rows
//! of the M4 comparison, built only with `--features augurs`.
//!
//! - MSTL (STL per seasonal period, then AutoETS on trend + remainder), with a
//!   daily period and with daily + weekly periods. MSTL needs at least two full
//!   cycles of every period (`stlrs` rejects the series otherwise), so a history
//!   shorter than two weeks drops the weekly period and says so in its label.
//! - AutoETS alone. augurs 0.10 has no seasonal ETS (`fit` reaches an
//!   `unimplemented!` for any seasonal component), so it is non-seasonal:
//!   the `ZZN` search (error A/M, trend none/additive/damped, no season).
//!
//! The 95 % and 80 % bands are augurs's own prediction intervals (`predict` at
//! level 0.95 and 0.8), so coverage and MSIS measure augurs's intervals.

use augurs::ets::{trend::AutoETSTrendModel, AutoETS};
use augurs::mstl::MSTLModel;
use augurs::{Fit, Predict};
use foresight_core::analytics::seasonal_forecast::Forecast;

const DAY: usize = 24;
const WEEK: usize = 7 * DAY;

/// The augurs configurations compared with Foresight's own forecasts.
#[derive(Debug, Clone, Copy)]
pub enum AugursModel {
    /// MSTL with a daily period, AutoETS (non-seasonal) on the trend.
    MstlDaily,
    /// MSTL with daily and weekly periods, AutoETS on the trend.
    MstlDailyWeekly,
    /// Non-seasonal AutoETS on the raw series.
    AutoEts,
}

impl AugursModel {
    pub const ALL: [Self; 3] = [Self::MstlDaily, Self::MstlDailyWeekly, Self::AutoEts];

    /// Row name in the benchmark table (at most 22 characters).
    pub fn name(self) -> &'static str {
        match self {
            Self::MstlDaily => "augurs MSTL 24 + ETS",
            Self::MstlDailyWeekly => "augurs MSTL 24,168+ETS",
            Self::AutoEts => "augurs AutoETS (ZZN)",
        }
    }

    /// Fits on `history` and forecasts `horizon` points with 80 % and 95 %
    /// intervals; the label says which periods or ETS model were used.
    pub fn forecast(self, history: &[f64], horizon: usize) -> Result<(Forecast, String), String> {
        match self {
            Self::MstlDaily => mstl_ets(history, &[DAY], horizon),
            Self::MstlDailyWeekly if history.len() >= 2 * WEEK => {
                mstl_ets(history, &[DAY, WEEK], horizon)
            }
            Self::MstlDailyWeekly => mstl_ets(history, &[DAY], horizon)
                .map(|(forecast, label)| (forecast, format!("{label} (under two weeks)"))),
            Self::AutoEts => auto_ets(history, horizon),
        }
    }
}

fn mstl_ets(
    history: &[f64],
    periods: &[usize],
    horizon: usize,
) -> Result<(Forecast, String), String> {
    let trend = AutoETSTrendModel::from(AutoETS::non_seasonal());
    let fitted = MSTLModel::new(periods.to_vec(), trend)
        .fit(history)
        .map_err(|e| format!("MSTL fit: {e}"))?;
    let forecast = to_forecast(
        fitted.predict(horizon, 0.8).map_err(|e| e.to_string())?,
        fitted.predict(horizon, 0.95).map_err(|e| e.to_string())?,
        horizon,
    )?;
    Ok((forecast, format!("MSTL {periods:?} + AutoETS")))
}

fn auto_ets(history: &[f64], horizon: usize) -> Result<(Forecast, String), String> {
    let fitted = AutoETS::non_seasonal()
        .fit(history)
        .map_err(|e| format!("AutoETS fit: {e}"))?;
    let forecast = to_forecast(
        fitted.predict(horizon, 0.8).map_err(|e| e.to_string())?,
        fitted.predict(horizon, 0.95).map_err(|e| e.to_string())?,
        horizon,
    )?;
    let model = fitted.model();
    let damped = if model.damped() { " damped" } else { "" };
    Ok((forecast, format!("ETS({}){damped}", model.model_type())))
}

/// Foresight's `Forecast` from augurs's forecasts at levels 0.8 and 0.95 (the
/// point forecasts of the two are the same).
fn to_forecast(
    at_80: augurs::Forecast,
    at_95: augurs::Forecast,
    horizon: usize,
) -> Result<Forecast, String> {
    let (Some(i80), Some(i95)) = (at_80.intervals, at_95.intervals) else {
        return Err("no prediction intervals".to_string());
    };
    let forecast = Forecast {
        mean: at_95.point,
        lower_80: i80.lower,
        upper_80: i80.upper,
        lower_95: i95.lower,
        upper_95: i95.upper,
    };
    let columns = [
        &forecast.mean,
        &forecast.lower_80,
        &forecast.upper_80,
        &forecast.lower_95,
        &forecast.upper_95,
    ];
    if columns
        .iter()
        .any(|c| c.len() != horizon || c.iter().any(|v| !v.is_finite()))
    {
        return Err("forecast has missing or non-finite values".to_string());
    }
    Ok(forecast)
}
