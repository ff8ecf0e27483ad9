//! When a series is expected to cross a value (a disk reaching zero free bytes,
//! an error budget running out): the linear trend of its recent samples, with
//! an 80 % range from the slope's standard error.

use super::linear_forecast::linear_regression;
use super::seasonal_forecast::Z_80;

/// A forecast crossing, in seconds from the evaluation time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    pub seconds: f64,
    /// Half the width of the 80 % range of the crossing time.
    pub plus_minus_seconds: f64,
}

/// Fits the samples in the last `window_seconds` before `now` and returns when
/// the line reaches `threshold`, if it is heading there.
pub fn time_until_crossing(
    timestamps: &[f64],
    values: &[f64],
    now: f64,
    threshold: f64,
    window_seconds: f64,
) -> Option<Crossing> {
    let start = timestamps.partition_point(|&t| t < now - window_seconds);
    let end = timestamps.partition_point(|&t| t <= now);
    let (ts, vs): (Vec<f64>, Vec<f64>) = timestamps[start..end]
        .iter()
        .zip(&values[start..end])
        .filter(|(_, v)| v.is_finite())
        .map(|(t, v)| (*t, *v))
        .unzip();
    if ts.len() < 3 {
        return None;
    }
    let (slope, value_now) = linear_regression(&ts, &vs, now)?;
    let seconds = (threshold - value_now) / slope;
    if !seconds.is_finite() || seconds <= 0.0 {
        return None;
    }
    // Standard error of the slope from the residuals.
    let n = ts.len() as f64;
    let mean_x = ts.iter().map(|t| t - now).sum::<f64>() / n;
    let sxx: f64 = ts.iter().map(|t| (t - now - mean_x).powi(2)).sum();
    let residual_ss: f64 = ts
        .iter()
        .zip(&vs)
        .map(|(t, v)| (v - (value_now + slope * (t - now))).powi(2))
        .sum();
    let slope_error = (residual_ss / (n - 2.0) / sxx).sqrt();
    let bound = |s: f64| (threshold - value_now) / s;
    let (fast, slow) = (
        bound(slope + slope.signum() * Z_80 * slope_error),
        bound(slope - slope.signum() * Z_80 * slope_error),
    );
    let plus_minus_seconds = if slow.is_finite() && slow > 0.0 {
        (slow - fast).abs() / 2.0
    } else {
        f64::INFINITY
    };
    Some(Crossing {
        seconds,
        plus_minus_seconds,
    })
}

/// `3 h 40 m`, `12 m`, `2 d 5 h`: two units at most.
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "?".into();
    }
    let total = seconds.round().max(0.0) as u64;
    let (days, hours, minutes) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{total} s"),
        (0, 0, m) => format!("{m} m"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} m"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// `full in ~3 h 40 m (± 30 m)`.
pub fn describe_crossing(what: &str, crossing: &Crossing) -> String {
    if crossing.plus_minus_seconds.is_finite() {
        format!(
            "{what} in ~{} (± {})",
            format_duration(crossing.seconds),
            format_duration(crossing.plus_minus_seconds)
        )
    } else {
        format!(
            "{what} in ~{} (uncertain)",
            format_duration(crossing.seconds)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filling_disk_reaches_zero_when_the_line_says() {
        // 60 GiB free, losing 6 GiB an hour, sampled every minute with a little noise.
        let t: Vec<f64> = (0..120)
            .map(|i| 1_700_000_000.0 + 60.0 * f64::from(i))
            .collect();
        let v: Vec<f64> = t
            .iter()
            .enumerate()
            .map(|(i, time)| {
                60e9 - 6e9 / 3600.0 * (time - t[0]) + if i % 2 == 0 { 5e7 } else { -5e7 }
            })
            .collect();
        let now = *t.last().unwrap();
        let crossing = time_until_crossing(&t, &v, now, 0.0, 3600.0).unwrap();
        let expected = v[119] / (6e9 / 3600.0);
        assert!(
            (crossing.seconds - expected).abs() < 120.0,
            "{crossing:?} vs {expected}"
        );
        assert!(crossing.plus_minus_seconds < 600.0, "{crossing:?}");
        assert!(describe_crossing("full", &crossing).starts_with("full in ~"));
    }

    #[test]
    fn no_crossing_when_moving_away_or_flat() {
        let t: Vec<f64> = (0..10).map(f64::from).collect();
        assert!(
            time_until_crossing(&t, &t, 9.0, 0.0, 100.0).is_none(),
            "rising away from zero"
        );
        assert!(
            time_until_crossing(&t, &[5.0; 10], 9.0, 0.0, 100.0).is_none(),
            "flat"
        );
        assert!(
            time_until_crossing(&t[..2], &t[..2], 9.0, 0.0, 100.0).is_none(),
            "too few samples"
        );
    }

    #[test]
    fn durations_read_like_a_person_wrote_them() {
        assert_eq!(format_duration(13_200.0), "3 h 40 m");
        assert_eq!(format_duration(1800.0), "30 m");
        assert_eq!(format_duration(7200.0), "2 h");
        assert_eq!(format_duration(190_000.0), "2 d 4 h");
        assert_eq!(format_duration(42.0), "42 s");
    }
}
