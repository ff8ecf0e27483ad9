//! The scale of gauges and bar gauges: from the panel's min (default 0) to its
//! max (default the largest value shown).

/// Share of the way from `min` to `max`, clamped to [0, 1]; 0 for an empty scale or NaN.
pub fn fraction_of_scale(value: f64, min: f64, max: f64) -> f64 {
    if max.partial_cmp(&min) != Some(std::cmp::Ordering::Greater) || !value.is_finite() {
        return 0.0;
    }
    ((value - min) / (max - min)).clamp(0.0, 1.0)
}

/// The scale for `values` given the panel's optional min and max.
pub fn gauge_scale(
    min: Option<f64>,
    max: Option<f64>,
    values: impl IntoIterator<Item = f64>,
) -> (f64, f64) {
    let low = min.unwrap_or(0.0);
    let largest = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(low, f64::max);
    (
        low,
        max.unwrap_or(if largest > low { largest } else { low + 1.0 }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_clamped() {
        assert_eq!(fraction_of_scale(5.0, 0.0, 10.0), 0.5);
        assert_eq!(fraction_of_scale(-5.0, 0.0, 10.0), 0.0);
        assert_eq!(fraction_of_scale(50.0, 0.0, 10.0), 1.0);
        assert_eq!(fraction_of_scale(f64::NAN, 0.0, 10.0), 0.0);
        assert_eq!(fraction_of_scale(1.0, 5.0, 5.0), 0.0);
    }

    #[test]
    fn scale_defaults_to_zero_and_the_largest_value() {
        assert_eq!(gauge_scale(None, None, [3.0, 7.0, f64::NAN]), (0.0, 7.0));
        assert_eq!(gauge_scale(Some(0.0), Some(50.0), [70.0]), (0.0, 50.0));
        assert_eq!(gauge_scale(None, None, []), (0.0, 1.0));
    }
}
