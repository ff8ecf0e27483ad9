//! Value-axis ticks on round numbers (1, 2 or 5 times a power of ten), and the
//! mapping between values and vertical pixels, so the chart, its crosshair and
//! its text alternative agree on where a value sits.

/// Tick values inside `[low, high]` on a round step: about `max_ticks` of
/// them, and at least two where a step of up to twice as many allows it (one
/// label alone does not tell the scale).
pub fn value_ticks(low: f64, high: f64, max_ticks: usize) -> Vec<f64> {
    let ticks = ticks_on_round_step(low, high, max_ticks);
    if ticks.len() >= 2 {
        return ticks;
    }
    let finer = ticks_on_round_step(low, high, max_ticks.saturating_mul(2));
    if finer.len() > ticks.len() {
        finer
    } else {
        ticks
    }
}

/// At most `max_ticks + 1` ticks on the smallest round step that gives no more.
fn ticks_on_round_step(low: f64, high: f64, max_ticks: usize) -> Vec<f64> {
    if !(low.is_finite() && high.is_finite()) || high <= low || max_ticks == 0 {
        return Vec::new();
    }
    // Halved first: the span of ±1.7e308 overflows.
    let Some((multiple, exponent)) = round_step((high / 2.0 - low / 2.0) / max_ticks as f64 * 2.0)
    else {
        return Vec::new();
    };
    // n × multiple ÷ 10^k is exact where it can be; n × 0.2 gives 0.6000000000000001.
    let scale = 10f64.powi(exponent.abs());
    let value_at = |n: f64| {
        if exponent < 0 {
            n * multiple / scale
        } else {
            n * multiple * scale
        }
    };
    let step = value_at(1.0);
    if !(step.is_finite() && step > 0.0) {
        return Vec::new();
    }
    let first = (low / step).ceil();
    let last = (high / step).floor();
    if !(first.is_finite() && last.is_finite()) || last < first {
        return Vec::new();
    }
    // `step` is at least the range over `max_ticks`, so this is bounded by it.
    let count = ((last - first) as usize)
        .saturating_add(1)
        .min(max_ticks.saturating_add(1));
    let mut ticks: Vec<f64> = (0..count)
        .map(|k| {
            let value = value_at(first + k as f64);
            // -0 and 1e-17 where 0 was meant print as "-0" and "1e-17".
            if value.abs() < step * 1e-9 {
                0.0
            } else {
                value
            }
        })
        .collect();
    // Past 2^53 a step can fall below one unit of the values: equal ticks
    // would draw one label several times.
    ticks.dedup();
    ticks
}

/// The smallest of 1, 2, 5 × 10ⁿ that is at least `raw`, as (1, 2 or 5, n).
fn round_step(raw: f64) -> Option<(f64, i32)> {
    if !(raw.is_finite() && raw > 0.0) {
        return None;
    }
    let exponent = raw.log10().floor() as i32;
    let magnitude = 10f64.powi(exponent);
    [(1.0, exponent), (2.0, exponent), (5.0, exponent)]
        .into_iter()
        .find(|&(multiple, _)| multiple * magnitude >= raw * (1.0 - 1e-12))
        // log10 rounding can leave 10ⁿ⁺¹ as the only one at least `raw`.
        .or(Some((1.0, exponent + 1)))
}

/// Vertical position of `value` in a plot from `top` to `top + height` (CSS
/// px), `low` at the bottom and `high` at the top.
pub fn y_of(value: f64, (low, high): (f64, f64), top: f64, height: f64) -> f64 {
    // In halves, so that ±1.7e308 does not overflow.
    let half_span = high / 2.0 - low / 2.0;
    if !(half_span.is_finite() && half_span > 0.0) {
        return top + height / 2.0;
    }
    top + (high / 2.0 - value / 2.0) / half_span * height
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_land_on_round_numbers() {
        assert_eq!(
            value_ticks(0.0, 10.0, 5),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(value_ticks(0.13, 0.87, 4), vec![0.2, 0.4, 0.6, 0.8]);
        assert_eq!(value_ticks(-3.0, 3.0, 3), vec![-2.0, 0.0, 2.0]);
        assert_eq!(value_ticks(95.0, 105.0, 2), vec![95.0, 100.0, 105.0]);
        assert_eq!(
            value_ticks(96.0, 104.0, 1),
            vec![100.0],
            "twice as many steps give no more"
        );
        // One round tick in the range is not a scale: a finer step gives more.
        assert_eq!(value_ticks(25e9, 55e9, 2), vec![30e9, 40e9, 50e9]);
    }

    #[test]
    fn zero_is_printed_as_zero() {
        let ticks = value_ticks(-0.3, 0.3, 6);
        let zero = ticks.iter().find(|t| **t == 0.0).expect("a zero tick");
        assert!(zero.is_sign_positive(), "0, not -0");
        assert!(ticks.iter().all(|t| *t == 0.0 || t.abs() >= 0.1 - 1e-12));
    }

    #[test]
    fn never_more_than_asked_whatever_the_range() {
        for (low, high) in [
            (0.0, 1e-300),
            (1e300, 1.7e308),
            (-1.7e308, 1.7e308),
            (0.1, 0.100_000_000_000_001),
            (1e15, 1e15 + 3.0),
            (1e16, 1e16 + 2.0),
        ] {
            for max in 1..12 {
                let ticks = value_ticks(low, high, max);
                assert!(
                    ticks.len() <= 2 * max + 1,
                    "{low}..{high} max {max}: {ticks:?}"
                );
                assert!(ticks.iter().all(|t| t.is_finite()));
                assert!(ticks.windows(2).all(|w| w[0] < w[1]), "{ticks:?}");
            }
        }
    }

    #[test]
    fn the_widest_range_still_has_ticks() {
        let ticks = value_ticks(-1.7e308, 1.7e308, 4);
        assert!(ticks.len() >= 2 && ticks.contains(&0.0), "{ticks:?}");
    }

    #[test]
    fn empty_or_broken_ranges_have_no_ticks() {
        assert!(value_ticks(1.0, 1.0, 5).is_empty());
        assert!(value_ticks(2.0, 1.0, 5).is_empty());
        assert!(value_ticks(f64::NAN, 1.0, 5).is_empty());
        assert!(value_ticks(0.0, f64::INFINITY, 5).is_empty());
        assert!(value_ticks(0.0, 1.0, 0).is_empty());
    }

    #[test]
    fn values_map_to_rows_with_high_at_the_top() {
        assert_eq!(y_of(10.0, (0.0, 10.0), 8.0, 100.0), 8.0);
        assert_eq!(y_of(0.0, (0.0, 10.0), 8.0, 100.0), 108.0);
        assert_eq!(y_of(5.0, (5.0, 5.0), 8.0, 100.0), 58.0);
        assert_eq!(y_of(0.0, (-1.7e308, 1.7e308), 8.0, 100.0), 58.0);
    }
}
