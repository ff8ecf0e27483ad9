//! A time series as Foresight holds it: columnar timestamps (seconds) and values,
//! with NaN marking a gap.

use crate::foundation::ordered::SortedMap;
use std::collections::BTreeMap;
use std::ops::Range;

/// Label set of a series, sorted by name (as Prometheus prints them).
pub type Labels = SortedMap<String, String>;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub labels: Labels,
    /// Seconds since the Unix epoch, strictly increasing.
    pub timestamps: Vec<f64>,
    pub values: Vec<f64>,
}

/// Grafana's legend format: `{{name}}` becomes the label's value (empty when
/// absent). The name is cut, with `…`, at [`MAX_LEGEND_BYTES`]: a format from a
/// link may repeat a placeholder thousands of times over long label values.
///
/// [`MAX_LEGEND_BYTES`]: crate::foundation::limits::MAX_LEGEND_BYTES
pub fn format_legend(template: &str, labels: &Labels) -> String {
    use crate::foundation::limits::MAX_LEGEND_BYTES;
    /// Appends what fits; false once the name is full.
    fn push(out: &mut String, text: &str) -> bool {
        if out.len() + text.len() <= MAX_LEGEND_BYTES {
            out.push_str(text);
            return true;
        }
        let mut cut = MAX_LEGEND_BYTES.saturating_sub(out.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&text[..cut]);
        out.push('…');
        false
    }
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        if !push(&mut out, &rest[..open]) {
            return out;
        }
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => {
                let name = after[..close].trim();
                if !push(&mut out, labels.get(name).map_or("", String::as_str)) {
                    return out;
                }
                rest = &after[close + 2..];
            }
            None => {
                push(&mut out, &rest[open..]);
                return out;
            }
        }
    }
    push(&mut out, rest);
    out
}

/// Legend statistics over the finite samples of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesStats {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub last: f64,
    /// Number of finite samples the statistics were computed from.
    pub samples: usize,
}

impl SeriesStats {
    /// The one number a stat or gauge shows.
    pub fn reduce(&self, reducer: Reducer) -> f64 {
        match reducer {
            Reducer::Last => self.last,
            Reducer::Mean => self.mean,
            Reducer::Max => self.max,
            Reducer::Min => self.min,
        }
    }
}

impl Series {
    /// Min, max, mean and last over finite values; `None` when there are none.
    pub fn stats(&self) -> Option<SeriesStats> {
        let mut finite = self.values.iter().copied().filter(|v| v.is_finite());
        let first = finite.next()?;
        let (mut min, mut max, mut sum, mut count, mut last) = (first, first, first, 1usize, first);
        for value in finite {
            min = min.min(value);
            max = max.max(value);
            sum += value;
            count += 1;
            last = value;
        }
        Some(SeriesStats {
            min,
            max,
            mean: sum / count as f64,
            last,
            samples: count,
        })
    }

    /// Legend text: `{a="1", b="2"}` minus `__name__`, or the metric name alone.
    pub fn legend_name(&self) -> String {
        let name = self.labels.get("__name__").cloned().unwrap_or_default();
        let pairs: Vec<String> = self
            .labels
            .iter()
            .filter(|(key, _)| key.as_str() != "__name__")
            .map(|(key, value)| format!("{key}={value:?}"))
            .collect();
        match (name.is_empty(), pairs.is_empty()) {
            (true, true) => "{}".to_string(),
            (false, true) => name,
            (_, false) => format!("{name}{{{}}}", pairs.join(", ")),
        }
    }
}

/// Indices of samples within [start, end], widened by one on each side so lines
/// run to the plot's edges.
pub fn visible_index_range(timestamps: &[f64], start: f64, end: f64) -> Range<usize> {
    let first = timestamps.partition_point(|&t| t < start).saturating_sub(1);
    let last = (timestamps.partition_point(|&t| t <= end) + 1).min(timestamps.len());
    first..last.max(first)
}

/// Lowest and highest finite value among the samples a chart of `[start, end]`
/// draws (the visible ones and the one just outside each edge), so a zoomed
/// chart fits what it shows and never scans what it does not.
pub fn visible_value_extent<'a>(
    series: impl IntoIterator<Item = &'a Series>,
    start: f64,
    end: f64,
) -> Option<(f64, f64)> {
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for one in series {
        let range = visible_index_range(&one.timestamps, start, end);
        for &v in &one.values[range] {
            if v.is_finite() {
                if v < low {
                    low = v;
                }
                if v > high {
                    high = v;
                }
            }
        }
    }
    (low <= high).then_some((low, high))
}

/// Stacks series on each other (for stacked charts): at each timestamp, series `i`
/// becomes the sum of series `0..=i` there. A series without a finite sample at a
/// timestamp stays a gap there; the ones above it stack on what is present.
pub fn stack_series(series: &[&Series]) -> Vec<Series> {
    let mut running: BTreeMap<i64, f64> = BTreeMap::new();
    series
        .iter()
        .map(|one| {
            let values = one
                .timestamps
                .iter()
                .zip(&one.values)
                .map(|(t, v)| {
                    if !v.is_finite() {
                        return f64::NAN;
                    }
                    let total = running.entry((t * 1000.0).round() as i64).or_insert(0.0);
                    *total += v;
                    *total
                })
                .collect();
            Series {
                labels: one.labels.clone(),
                timestamps: one.timestamps.clone(),
                values,
            }
        })
        .collect()
}

/// How a series becomes one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reducer {
    #[default]
    Last,
    Mean,
    Max,
    Min,
}

crate::foundation::json_serde::json_as_name!(Reducer => id);

impl Reducer {
    pub const ALL: [Reducer; 4] = [Self::Last, Self::Mean, Self::Max, Self::Min];

    pub fn id(self) -> &'static str {
        match self {
            Self::Last => "last",
            Self::Mean => "mean",
            Self::Max => "max",
            Self::Min => "min",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(timestamps: &[f64], values: &[f64]) -> Series {
        Series {
            labels: Labels::new(),
            timestamps: timestamps.to_vec(),
            values: values.to_vec(),
        }
    }

    #[test]
    fn stats_ignore_nan_and_infinities() {
        let s = series(
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            &[2.0, f64::NAN, 4.0, f64::INFINITY, 6.0],
        );
        let stats = s.stats().unwrap();
        assert_eq!(
            (stats.min, stats.max, stats.mean, stats.last, stats.samples),
            (2.0, 6.0, 4.0, 6.0, 3)
        );
        assert!(series(&[1.0], &[f64::NAN]).stats().is_none());
        assert!(series(&[], &[]).stats().is_none());
    }

    #[test]
    fn a_legend_format_repeating_a_long_value_makes_a_name_of_bounded_length() {
        use crate::foundation::limits::MAX_LEGEND_BYTES;
        let labels: Labels = [("a".to_string(), "é".repeat(5_000))].into();
        let name = format_legend(&"{{a}}".repeat(100_000), &labels);
        assert!(name.len() <= MAX_LEGEND_BYTES + '…'.len_utf8());
        assert!(name.ends_with('…'));
        assert!(name.trim_end_matches('…').chars().all(|c| c == 'é'));
        // Short ones are unchanged, an unclosed placeholder kept as written.
        let short: Labels = [("job".to_string(), "api".to_string())].into();
        assert_eq!(format_legend("{{ job }} / {{x", &short), "api / {{x");
        assert_eq!(
            format_legend(&"x".repeat(MAX_LEGEND_BYTES), &short).len(),
            MAX_LEGEND_BYTES
        );
    }

    #[test]
    fn legend_names_follow_prometheus_notation() {
        let mut s = series(&[], &[]);
        assert_eq!(s.legend_name(), "{}");
        s.labels.insert("__name__".into(), "up".into());
        assert_eq!(s.legend_name(), "up");
        s.labels.insert("job".into(), "a\"b".into());
        assert_eq!(s.legend_name(), "up{job=\"a\\\"b\"}");
    }

    #[test]
    fn legend_formats_fill_labels() {
        let labels: Labels = [
            ("instance".to_string(), "a:1".to_string()),
            ("le".to_string(), "0.5".to_string()),
        ]
        .into();
        assert_eq!(
            format_legend("{{instance}} le={{ le }}", &labels),
            "a:1 le=0.5"
        );
        assert_eq!(format_legend("{{missing}}x", &labels), "x");
        assert_eq!(format_legend("p95 {{unclosed", &labels), "p95 {{unclosed");
    }

    #[test]
    fn stacking_sums_lower_series_per_timestamp() {
        let a = series(&[0.0, 60.0, 120.0], &[1.0, 2.0, 3.0]);
        let b = series(&[0.0, 60.0, 120.0], &[10.0, f64::NAN, 30.0]);
        let c = series(&[60.0, 120.0], &[100.0, 100.0]);
        let stacked = stack_series(&[&a, &b, &c]);
        assert_eq!(stacked[0].values, vec![1.0, 2.0, 3.0]);
        assert_eq!(stacked[1].values[0], 11.0);
        assert!(stacked[1].values[1].is_nan());
        assert_eq!(stacked[1].values[2], 33.0);
        assert_eq!(stacked[2].values, vec![102.0, 133.0]);
    }

    #[test]
    fn extent_covers_all_series() {
        let a = series(&[0.0, 1.0], &[1.0, 5.0]);
        let b = series(&[0.0, 1.0], &[-2.0, f64::NAN]);
        assert_eq!(visible_value_extent([&a, &b], 0.0, 1.0), Some((-2.0, 5.0)));
        // Zoomed in: only what is drawn (the samples and one beyond each edge).
        let long = series(&[0.0, 1.0, 2.0, 3.0, 4.0], &[100.0, 1.0, 2.0, 3.0, -50.0]);
        assert_eq!(visible_value_extent([&long], 1.5, 2.5), Some((1.0, 3.0)));
    }
}
