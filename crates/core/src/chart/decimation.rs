//! Reduces a series to what a chart can show: only the visible index range
//! (binary search), and when points outnumber pixel columns, the first, min, max
//! and last point of each column in time order (uPlot's approach), so a
//! million-point series draws like a few thousand. Gaps survive as NaN breaks.

use crate::query::series::visible_index_range;
use std::ops::Range;

/// Points to draw; a NaN `y` ends one connected line and the next point starts another.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DrawPoints {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

impl DrawPoints {
    fn push(&mut self, x: f64, y: f64) {
        self.x.push(x);
        self.y.push(y);
    }

    fn push_break(&mut self) {
        if self.y.last().is_some_and(|y| !y.is_nan()) {
            self.push(f64::NAN, f64::NAN);
        }
    }

    /// Index ranges of connected lines (between breaks).
    pub fn runs(&self) -> Vec<Range<usize>> {
        let mut runs = Vec::new();
        let mut start = None;
        for (index, y) in self.y.iter().enumerate() {
            match (start, y.is_nan()) {
                (None, false) => start = Some(index),
                (Some(s), true) => {
                    runs.push(s..index);
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            runs.push(s..self.y.len());
        }
        runs
    }
}

/// The first, lowest, highest and last sample of one pixel column.
#[derive(Debug, Clone, Copy, Default)]
struct ColumnPoints {
    first: (f64, f64),
    low: (f64, f64),
    high: (f64, f64),
    last: (f64, f64),
}

impl ColumnPoints {
    fn new(t: f64, v: f64) -> Self {
        Self {
            first: (t, v),
            low: (t, v),
            high: (t, v),
            last: (t, v),
        }
    }

    #[inline]
    fn add(&mut self, t: f64, v: f64) {
        if v < self.low.1 {
            self.low = (t, v);
        }
        if v > self.high.1 {
            self.high = (t, v);
        }
        self.last = (t, v);
    }

    /// In time order, each point once.
    fn emit(&self, out: &mut DrawPoints) {
        let (a, b) = if self.low.0 <= self.high.0 {
            (self.low, self.high)
        } else {
            (self.high, self.low)
        };
        let mut previous = f64::NAN;
        for (t, v) in [self.first, a, b, self.last] {
            if t != previous {
                out.push(t, v);
                previous = t;
            }
        }
    }
}

/// Decimates the visible part of a series to at most four points per pixel column.
/// Consecutive samples further apart than `max_gap` seconds, or non-finite values,
/// break the line.
pub fn decimate_min_max(
    timestamps: &[f64],
    values: &[f64],
    start: f64,
    end: f64,
    columns: usize,
    max_gap: f64,
) -> DrawPoints {
    let range = visible_index_range(timestamps, start, end);
    let mut out = DrawPoints::default();
    if range.is_empty() || columns == 0 || end <= start {
        return out;
    }
    let column_width = (end - start) / columns as f64;
    let dense = range.len() > 2 * columns;
    if !dense {
        let mut previous_t = f64::NEG_INFINITY;
        for index in range {
            let (t, v) = (timestamps[index], values[index]);
            if !v.is_finite() || t - previous_t > max_gap {
                out.push_break();
            }
            previous_t = t;
            if v.is_finite() {
                out.push(t, v);
            }
        }
    } else {
        // The open column's first, lowest, highest and last point. The hot loop
        // compares with the column's right edge instead of dividing per sample.
        let mut column = ColumnPoints::default();
        let mut open = false;
        let mut boundary = f64::NEG_INFINITY;
        let mut previous_t = timestamps[range.start];
        for index in range {
            let (t, v) = (timestamps[index], values[index]);
            let gap = t - previous_t > max_gap;
            previous_t = t;
            if gap || !v.is_finite() {
                if open {
                    column.emit(&mut out);
                    open = false;
                }
                out.push_break();
                boundary = f64::NEG_INFINITY;
                if !v.is_finite() {
                    continue;
                }
            }
            if open && t < boundary {
                column.add(t, v);
                continue;
            }
            if open {
                column.emit(&mut out);
            }
            let index_of_column = ((t - start) / column_width).floor();
            boundary = start + (index_of_column + 1.0) * column_width;
            column = ColumnPoints::new(t, v);
            open = true;
        }
        if open {
            column.emit(&mut out);
        }
    }
    if out.y.last().is_some_and(|y| y.is_nan()) {
        out.x.pop();
        out.y.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_series_pass_through_with_gaps() {
        let t = [0.0, 10.0, 20.0, 60.0, 70.0, 80.0];
        let v = [1.0, 2.0, 3.0, 4.0, f64::NAN, 6.0];
        let out = decimate_min_max(&t, &v, 0.0, 80.0, 1000, 15.0);
        assert_eq!(out.runs().len(), 3, "{out:?}");
        let finite: Vec<f64> = out.y.iter().copied().filter(|y| !y.is_nan()).collect();
        assert_eq!(finite, vec![1.0, 2.0, 3.0, 4.0, 6.0]);
    }

    #[test]
    fn dense_series_keep_extremes_per_column() {
        let n = 1_000_000;
        let t: Vec<f64> = (0..n).map(f64::from).collect();
        let mut v: Vec<f64> = (0..n).map(|i| f64::from(i % 100)).collect();
        v[123_456] = 1e6; // a spike must survive
        v[654_321] = -1e6;
        let out = decimate_min_max(&t, &v, 0.0, f64::from(n - 1), 1000, 2.0);
        assert!(out.x.len() <= 4 * 1001, "{} points", out.x.len());
        assert!(
            out.y.contains(&1e6) && out.y.contains(&-1e6),
            "spikes survive decimation"
        );
        assert!(out.x.windows(2).all(|w| w[0] <= w[1]), "time order kept");
        assert_eq!(out.runs().len(), 1);
    }

    #[test]
    fn only_the_visible_range_is_used() {
        let t: Vec<f64> = (0..100).map(f64::from).collect();
        assert_eq!(visible_index_range(&t, 10.0, 20.0), 9..22);
        assert_eq!(visible_index_range(&t, -50.0, -10.0), 0..1);
        assert_eq!(visible_index_range(&t, 200.0, 300.0), 99..100);
        assert_eq!(visible_index_range(&[], 0.0, 1.0), 0..0);
        let out = decimate_min_max(&t, &t, 10.0, 20.0, 500, 2.0);
        assert_eq!(out.x.first(), Some(&9.0));
        assert_eq!(out.x.last(), Some(&21.0));
    }
}
