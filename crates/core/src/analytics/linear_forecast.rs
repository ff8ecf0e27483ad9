//! Least-squares linear forecasts, computed exactly as PromQL's
//! `predict_linear` and `deriv` do (Kahan-compensated sums, the intercept taken
//! at the evaluation time, a constant series has slope 0), so a forecast drawn
//! by Foresight and an alert rule evaluated by Prometheus agree.

/// Slope (per second) and intercept (the value at `intercept_time`) of the
/// least-squares line through the samples. `None` for fewer than two samples.
pub fn linear_regression(
    timestamps: &[f64],
    values: &[f64],
    intercept_time: f64,
) -> Option<(f64, f64)> {
    if timestamps.len() < 2 || timestamps.len() != values.len() {
        return None;
    }
    let initial = values[0];
    if values.iter().all(|&v| v == initial) {
        // PromQL: a constant series has no slope; an infinite one has no line.
        return Some(if initial.is_infinite() {
            (f64::NAN, f64::NAN)
        } else {
            (0.0, initial)
        });
    }
    let (mut sum_x, mut sum_y, mut sum_xy, mut sum_x2) = (
        KahanSum::default(),
        KahanSum::default(),
        KahanSum::default(),
        KahanSum::default(),
    );
    for (&t, &y) in timestamps.iter().zip(values) {
        // Prometheus works in integer milliseconds and divides by 1e3.
        let x = ((t * 1000.0).round() - (intercept_time * 1000.0).round()) / 1e3;
        sum_x.add(x);
        sum_y.add(y);
        sum_xy.add(x * y);
        sum_x2.add(x * x);
    }
    let n = timestamps.len() as f64;
    let (sum_x, sum_y, sum_xy, sum_x2) =
        (sum_x.total(), sum_y.total(), sum_xy.total(), sum_x2.total());
    let covariance = sum_xy - sum_x * sum_y / n;
    let variance = sum_x2 - sum_x * sum_x / n;
    let slope = covariance / variance;
    let intercept = sum_y / n - slope * sum_x / n;
    Some((slope, intercept))
}

/// PromQL's `predict_linear(v[range], horizon)` evaluated at `evaluation_time`,
/// given the samples the range selected.
pub fn predict_linear(
    timestamps: &[f64],
    values: &[f64],
    evaluation_time: f64,
    horizon_seconds: f64,
) -> Option<f64> {
    let (slope, intercept) = linear_regression(timestamps, values, evaluation_time)?;
    Some(slope * horizon_seconds + intercept)
}

/// Neumaier's variant of Kahan summation, as Prometheus's `kahanSumInc`.
#[derive(Debug, Default, Clone, Copy)]
struct KahanSum {
    sum: f64,
    compensation: f64,
}

impl KahanSum {
    fn add(&mut self, value: f64) {
        let total = self.sum + value;
        if total.is_infinite() {
            self.compensation = 0.0;
        } else if self.sum.abs() >= value.abs() {
            self.compensation += (self.sum - total) + value;
        } else {
            self.compensation += (value - total) + self.sum;
        }
        self.sum = total;
    }

    fn total(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_line_is_recovered() {
        let t: Vec<f64> = (0..60)
            .map(|i| 1_700_000_000.0 + 60.0 * f64::from(i))
            .collect();
        let v: Vec<f64> = t
            .iter()
            .map(|t| 5e9 - 2000.0 * (t - 1_700_000_000.0))
            .collect();
        let now = *t.last().unwrap();
        let (slope, intercept) = linear_regression(&t, &v, now).unwrap();
        assert!((slope + 2000.0).abs() < 1e-9);
        assert!((intercept - v[59]).abs() < 1e-3);
        let in_four_hours = predict_linear(&t, &v, now, 4.0 * 3600.0).unwrap();
        assert!((in_four_hours - (v[59] - 2000.0 * 14_400.0)).abs() < 1e-3);
    }

    #[test]
    fn constant_and_degenerate_series() {
        assert_eq!(
            linear_regression(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0], 3.0),
            Some((0.0, 4.0))
        );
        let (slope, intercept) =
            linear_regression(&[1.0, 2.0], &[f64::INFINITY, f64::INFINITY], 2.0).unwrap();
        assert!(slope.is_nan() && intercept.is_nan());
        assert_eq!(linear_regression(&[1.0], &[1.0], 1.0), None);
        assert_eq!(linear_regression(&[1.0, 2.0], &[1.0], 1.0), None);
    }

    #[test]
    fn compensated_sums_keep_precision() {
        let mut naive = 0.0;
        let mut kahan = KahanSum::default();
        for value in [1e16, 1.0, -1e16].into_iter().cycle().take(3000) {
            naive += value;
            kahan.add(value);
        }
        assert_eq!(kahan.total(), 1000.0);
        assert_ne!(naive, 1000.0, "plain summation loses the small terms");
    }
}
