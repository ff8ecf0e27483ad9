//! Entry points for the chart benchmark (built only with the `bench` feature):
//! the benchmark page hands the same arrays it gives uPlot to [`bench_load`]
//! once, then times [`bench_draw`] — the dashboard's own `draw_time_series`.

use crate::charts::time_series::{draw_time_series, ChartFrame, ChartOptions, DrawnSeries};
use foresight_core::foundation::units::Unit;
use foresight_core::model::dashboard::SeriesLook;
use foresight_core::query::series::{Labels, Series};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static LOADED: RefCell<Vec<Series>> = const { RefCell::new(Vec::new()) };
}

/// Keeps `series_count` series sharing `timestamps`; `values` holds them one after another.
#[wasm_bindgen]
pub fn bench_load(timestamps: Vec<f64>, values: Vec<f64>, series_count: usize) {
    let n = timestamps.len();
    let series = (0..series_count)
        .map(|k| Series {
            labels: Labels::from([("series".to_string(), k.to_string())]),
            timestamps: timestamps.clone(),
            values: values[k * n..(k + 1) * n].to_vec(),
        })
        .collect();
    LOADED.with(|loaded| *loaded.borrow_mut() = series);
}

/// Draws the loaded series between `start` and `end` (seconds) into `canvas`.
#[wasm_bindgen]
pub fn bench_draw(canvas: web_sys::HtmlCanvasElement, start: f64, end: f64) -> Result<(), JsValue> {
    LOADED.with(|loaded| {
        let loaded = loaded.borrow();
        let look = SeriesLook::default();
        let drawn: Vec<DrawnSeries> = loaded
            .iter()
            .enumerate()
            .map(|(index, series)| DrawnSeries::new(series, index, &look, Unit::Short))
            .collect();
        let step = loaded
            .first()
            .and_then(|s| Some(s.timestamps.get(1)? - s.timestamps.first()?))
            .unwrap_or(1.0);
        let frame = ChartFrame {
            start,
            end,
            step,
            forecast_until: end,
        };
        draw_time_series(&canvas, &drawn, &frame, &ChartOptions::default(), &[])
            .map_err(|message| JsValue::from_str(&message))
    })
}
