//! The number reader that replaces `str::parse::<f64>` in the browser build.
//! It is documented to read exactly what the standard library reads (sign,
//! digits with an optional point, an optional exponent, `inf`, `infinity`,
//! `nan` in any case) to the same value, so the two are compared on every
//! input: both refuse, or both give the same bits (any NaN for NaN).
#![no_main]

use foresight_core::foundation::float_text::parse_f64;
use foresight_fuzz::text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let ours = parse_f64(&text);
    let standard = text.parse::<f64>().ok();
    match (ours, standard) {
        (Some(ours), Some(standard)) if ours.is_nan() || standard.is_nan() => assert!(
            ours.is_nan() && standard.is_nan(),
            "{text:?}: {ours} but the standard library reads {standard}"
        ),
        (ours, standard) => assert_eq!(
            ours.map(f64::to_bits),
            standard.map(f64::to_bits),
            "{text:?}: {ours:?} but the standard library reads {standard:?}"
        ),
    }
});
