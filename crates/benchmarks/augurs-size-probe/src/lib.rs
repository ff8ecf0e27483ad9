//! Wasm size probe. `forecast(values, len, out)` reads `len` hourly values,
//! forecasts 48 points with 95 % intervals and writes mean, lower and upper
//! (48 each) to `out`; returns 0 on success. With feature `augurs` it runs
//! augurs's MSTL (periods 24 and, from two weeks of data, 168) with an AutoETS
//! trend; with feature `foresight` it runs `forecast_auto(values, 24, 48)`.
//! Build both with `./build.sh` (sizes raw, after `wasm-opt -Oz`, gzip -9).

#[cfg(all(feature = "augurs", feature = "foresight"))]
compile_error!("enable exactly one of the features `augurs` and `foresight`");

const HORIZON: usize = 48;

#[cfg(feature = "augurs")]
fn run(values: &[f64]) -> Option<[Vec<f64>; 3]> {
    use augurs::ets::{trend::AutoETSTrendModel, AutoETS};
    use augurs::mstl::MSTLModel;
    use augurs::{Fit, Predict};
    let periods = if values.len() >= 2 * 168 {
        vec![24, 168]
    } else {
        vec![24]
    };
    let trend = AutoETSTrendModel::from(AutoETS::non_seasonal());
    let fitted = MSTLModel::new(periods, trend).fit(values).ok()?;
    let forecast = fitted.predict(HORIZON, 0.95).ok()?;
    let intervals = forecast.intervals?;
    Some([forecast.point, intervals.lower, intervals.upper])
}

/// getrandom 0.2 has no source of entropy on wasm32-unknown-unknown without
/// JS glue. augurs only draws random numbers for simulated intervals
/// (multiplicative-trend ETS, which `AutoETS::non_seasonal()` does not try),
/// so a fixed SplitMix64 stream is enough.
#[cfg(feature = "augurs")]
fn fixed_random(buffer: &mut [u8]) -> Result<(), getrandom::Error> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for chunk in buffer.chunks_mut(8) {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
    }
    Ok(())
}
#[cfg(feature = "augurs")]
getrandom::register_custom_getrandom!(fixed_random);

#[cfg(feature = "foresight")]
fn run(values: &[f64]) -> Option<[Vec<f64>; 3]> {
    use foresight_core::analytics::forecast_selection::forecast_auto;
    let forecast = forecast_auto(values, 24, HORIZON)?.forecast;
    Some([forecast.mean, forecast.lower_95, forecast.upper_95])
}

/// Forecasts the `len` values at `values` into `out` (3 × 48 f64s).
///
/// # Safety
/// `values` must point to `len` readable f64s and `out` to 144 writable f64s.
#[no_mangle]
pub unsafe extern "C" fn forecast(values: *const f64, len: usize, out: *mut f64) -> i32 {
    let values = std::slice::from_raw_parts(values, len);
    let out = std::slice::from_raw_parts_mut(out, 3 * HORIZON);
    match run(values) {
        Some(columns) if columns.iter().all(|c| c.len() == HORIZON) => {
            for (target, column) in out.chunks_mut(HORIZON).zip(&columns) {
                target.copy_from_slice(column);
            }
            0
        }
        _ => 1,
    }
}

/// Allocates room for `count` f64s, for a host that fills the input.
#[no_mangle]
pub extern "C" fn alloc_f64(count: usize) -> *mut f64 {
    let mut buffer = vec![0.0f64; count];
    let pointer = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    pointer
}
