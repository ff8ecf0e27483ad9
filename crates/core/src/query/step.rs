//! The step of a range query: one sample per pixel column at most, never more
//! than Prometheus's 11,000 points per series, rounded to a readable interval and
//! aligned so that refreshes ask for the same grid.

use crate::query::time_range::ResolvedRange;

/// Prometheus refuses `query_range` calls that would return more points than this per series.
pub const PROMETHEUS_MAX_POINTS_PER_SERIES: f64 = 11_000.0;

/// Readable step sizes in seconds, as Grafana rounds intervals.
const NICE_STEPS: [f64; 22] = [
    1.0,
    2.0,
    5.0,
    10.0,
    15.0,
    20.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    900.0,
    1200.0,
    1800.0,
    3600.0,
    7200.0,
    10800.0,
    21600.0,
    43200.0,
    86400.0,
    604800.0,
    2_592_000.0,
];

/// Step in seconds for a range drawn `width_px` pixels wide, never below `min_step_seconds`.
pub fn step_for_range(duration_seconds: f64, width_px: u32, min_step_seconds: f64) -> f64 {
    let per_pixel = duration_seconds / f64::from(width_px.max(1));
    let floor = (duration_seconds / PROMETHEUS_MAX_POINTS_PER_SERIES)
        .max(min_step_seconds)
        .max(per_pixel);
    NICE_STEPS
        .iter()
        .copied()
        .find(|&step| step >= floor)
        .unwrap_or_else(|| (floor / 86_400.0).ceil() * 86_400.0)
}

/// The query window: start and end rounded down to multiples of the step (seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueryWindow {
    pub start: f64,
    pub end: f64,
    pub step: f64,
}

impl QueryWindow {
    pub fn for_range(range: ResolvedRange, width_px: u32, min_step_seconds: f64) -> Self {
        let step = step_for_range(range.duration_seconds(), width_px, min_step_seconds);
        let align = |ms: i64| ((ms as f64 / 1000.0) / step).floor() * step;
        Self {
            start: align(range.start_ms),
            end: align(range.end_ms),
            step,
        }
    }

    /// The window from `start` to `end` (seconds) at `step` or coarser, so
    /// that no series has more than `max_points`, with start and end rounded
    /// down to multiples of the step. Every engine then evaluates at the same
    /// instants: Prometheus at `start + k × step` as asked, VictoriaMetrics
    /// on its own multiples of the step whenever an answer has 50 points or
    /// more; unaligned, the two disagree by up to a step.
    pub fn aligned(start: f64, end: f64, step: f64, max_points: f64) -> Self {
        let step = step
            .max(1.0)
            .max(((end - start) / (max_points - 1.0).max(1.0)).ceil());
        Self {
            start: (start / step).floor() * step,
            end: (end / step).floor() * step,
            step,
        }
    }

    pub fn point_count(&self) -> usize {
        ((self.end - self.start) / self.step).round() as usize + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_point_per_pixel_rounded_up_to_a_nice_step() {
        assert_eq!(step_for_range(6.0 * 3600.0, 1200, 1.0), 20.0);
        assert_eq!(step_for_range(3600.0, 1200, 15.0), 15.0);
        assert_eq!(step_for_range(7.0 * 86400.0, 1000, 1.0), 900.0);
    }

    #[test]
    fn never_exceeds_prometheus_point_limit() {
        for &(duration, width) in &[
            (30.0 * 86400.0, 100_000u32),
            (365.0 * 86400.0, 50_000),
            (1e9, 1),
        ] {
            let step = step_for_range(duration, width, 1.0);
            assert!(
                duration / step <= PROMETHEUS_MAX_POINTS_PER_SERIES,
                "{duration} {width} {step}"
            );
        }
    }

    #[test]
    fn aligned_windows_start_and_end_on_the_step_within_the_point_limit() {
        let window = QueryWindow::aligned(1_000_013.0, 1_007_213.0, 60.0, 11_000.0);
        assert_eq!(
            (window.start, window.end, window.step),
            (999_960.0, 1_007_160.0, 60.0)
        );
        let long = QueryWindow::aligned(0.0, 16.0 * 86_400.0, 15.0, 11_000.0);
        assert!(long.point_count() <= 11_000, "{long:?}");
        assert_eq!(long.start % long.step, 0.0);
        let finer = QueryWindow::aligned(0.0, 16.0 * 86_400.0, 15.0, 30_000.0);
        assert!(finer.step < long.step && finer.point_count() <= 30_000);
    }

    #[test]
    fn windows_are_aligned_so_refreshes_are_stable() {
        let a = QueryWindow::for_range(
            ResolvedRange {
                start_ms: 1_000_003_000,
                end_ms: 1_000_003_000 + 21_600_000,
            },
            1200,
            1.0,
        );
        let b = QueryWindow::for_range(
            ResolvedRange {
                start_ms: 1_000_009_000,
                end_ms: 1_000_009_000 + 21_600_000,
            },
            1200,
            1.0,
        );
        assert_eq!(a.start % a.step, 0.0);
        assert_eq!(a.end % a.step, 0.0);
        assert_eq!(a, b, "a few seconds later the same grid is asked for");
        assert_eq!(a.point_count(), 1081);
    }
}
