//! Where the plot sits inside a chart, in CSS pixels, so that drawing, the
//! crosshair, the tooltip and drag-to-zoom all map pixels and times the same way.

/// Space around the plot area, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotInsets {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

/// A full chart: value axis on the left, time axis below.
pub const AXES_INSETS: PlotInsets = PlotInsets {
    left: 64.0,
    right: 12.0,
    top: 8.0,
    bottom: 22.0,
};
/// A sparkline: no axes.
pub const SPARKLINE_INSETS: PlotInsets = PlotInsets {
    left: 0.0,
    right: 0.0,
    top: 2.0,
    bottom: 0.0,
};

impl PlotInsets {
    pub fn plot_width(&self, chart_width: f64) -> f64 {
        (chart_width - self.left - self.right).max(1.0)
    }

    /// The time under horizontal position `x` (CSS px from the chart's left), clamped to the range.
    pub fn time_at(&self, x: f64, chart_width: f64, start: f64, end: f64) -> f64 {
        let fraction = ((x - self.left) / self.plot_width(chart_width)).clamp(0.0, 1.0);
        start + fraction * (end - start)
    }

    /// Horizontal position of time `t` (CSS px from the chart's left).
    pub fn x_of(&self, t: f64, chart_width: f64, start: f64, end: f64) -> f64 {
        self.left + (t - start) / (end - start) * self.plot_width(chart_width)
    }
}

/// Index of the sample nearest to `t`, if one lies within `max_distance` seconds.
pub fn nearest_sample(timestamps: &[f64], t: f64, max_distance: f64) -> Option<usize> {
    let after = timestamps.partition_point(|&s| s < t);
    let candidates = [
        after.checked_sub(1),
        (after < timestamps.len()).then_some(after),
    ];
    candidates
        .into_iter()
        .flatten()
        .min_by(|&a, &b| {
            (timestamps[a] - t)
                .abs()
                .total_cmp(&(timestamps[b] - t).abs())
        })
        .filter(|&index| (timestamps[index] - t).abs() <= max_distance)
}

/// Index runs of a band that can be filled: consecutive points whose time
/// and both edges are finite, no further apart than `max_gap`. (One missing
/// edge inside a polygon would close it with a chord across the band.)
pub fn band_runs(
    times: &[f64],
    lower: &[f64],
    upper: &[f64],
    max_gap: f64,
) -> Vec<std::ops::Range<usize>> {
    let count = times.len().min(lower.len()).min(upper.len());
    let usable = |k: usize| times[k].is_finite() && lower[k].is_finite() && upper[k].is_finite();
    let mut runs = Vec::new();
    let mut start: Option<usize> = None;
    for k in 0..count {
        let joins = start.is_some() && usable(k) && times[k] - times[k - 1] <= max_gap;
        if !joins {
            if let Some(from) = start.take() {
                runs.push(from..k);
            }
            if usable(k) {
                start = Some(k);
            }
        }
    }
    if let Some(from) = start {
        runs.push(from..count);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_break_at_gaps_and_missing_edges() {
        let t = [0.0, 60.0, 120.0, 300.0, 360.0, 420.0];
        let lower = [1.0, 1.0, 1.0, 1.0, f64::NAN, 1.0];
        let upper = [2.0; 6];
        assert_eq!(band_runs(&t, &lower, &upper, 90.0), vec![0..3, 3..4, 5..6]);
        assert_eq!(
            band_runs(&t, &lower, &upper, f64::INFINITY),
            vec![0..4, 5..6]
        );
        assert!(band_runs(&[], &[], &[], 1.0).is_empty());
    }

    #[test]
    fn pixels_and_times_map_both_ways() {
        let (start, end, width) = (1000.0, 2000.0, 576.0); // plot width 500
        assert_eq!(AXES_INSETS.time_at(64.0, width, start, end), 1000.0);
        assert_eq!(AXES_INSETS.time_at(314.0, width, start, end), 1500.0);
        assert_eq!(
            AXES_INSETS.time_at(5000.0, width, start, end),
            2000.0,
            "clamped"
        );
        assert_eq!(AXES_INSETS.x_of(1500.0, width, start, end), 314.0);
    }

    #[test]
    fn nearest_sample_within_reach() {
        let t = [0.0, 60.0, 120.0, 300.0];
        assert_eq!(nearest_sample(&t, 70.0, 30.0), Some(1));
        assert_eq!(nearest_sample(&t, 95.0, 30.0), Some(2));
        assert_eq!(nearest_sample(&t, 210.0, 30.0), None, "inside a gap");
        assert_eq!(nearest_sample(&t, -10.0, 30.0), Some(0));
        assert_eq!(nearest_sample(&[], 1.0, 30.0), None);
    }
}
