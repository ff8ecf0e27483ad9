//! Turns cumulative histogram bucket series (`…_bucket` rates by `le`) into a
//! heatmap: per time step, the rate falling into each bucket.

use crate::foundation::ordered::sort_stable_by;
use crate::query::series::Series;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// Upper bounds of the buckets, ascending (the last may be +Inf).
    pub upper_bounds: Vec<f64>,
    pub timestamps: Vec<f64>,
    /// `cells[t][b]`: rate in bucket `b` at `timestamps[t]`; NaN where data is missing.
    pub cells: Vec<Vec<f64>>,
}

impl Heatmap {
    pub fn max_cell(&self) -> f64 {
        self.cells
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    }
}

/// Builds the heatmap from series that each carry an `le` label. Series without a
/// parseable `le` make it fail with a message, since the panel cannot be drawn.
pub fn heatmap_from_buckets(series: &[Series]) -> Result<Heatmap, String> {
    use crate::foundation::limits::{MAX_HEATMAP_BUCKETS, MAX_HEATMAP_ROWS};
    // Every bucket is a column of every row: bounded, or an answer with
    // thousands of `le` values would cost gigabytes.
    if series.len() > MAX_HEATMAP_BUCKETS {
        return Err(format!(
            "the answer has {} buckets; a heatmap draws at most {MAX_HEATMAP_BUCKETS} (sum by (le) the buckets first)",
            series.len()
        ));
    }
    let mut buckets: Vec<(f64, &Series)> = Vec::with_capacity(series.len());
    for one in series {
        let le = one.labels.get("le").ok_or("a heatmap needs histogram buckets: every series must have an `le` label (try sum by (le) (rate(…_bucket[5m])))")?;
        let bound = match le.as_str() {
            "+Inf" | "Inf" | "inf" => f64::INFINITY,
            text => crate::foundation::float_text::parse_f64(text)
                .filter(|bound| !bound.is_nan())
                .ok_or_else(|| format!("le={text:?} is not a number"))?,
        };
        buckets.push((bound, one));
    }
    sort_stable_by(&mut buckets, |a, b| a.0.total_cmp(&b.0));
    // Series with one bound (`1` and `1.0` across Prometheus 3's change of
    // `le`, or buckets not summed by `le`) are one bucket, added up: the
    // cumulative counts of a sum are the sums of the cumulative counts.
    let mut upper_bounds: Vec<f64> = Vec::with_capacity(buckets.len());
    let mut column_of = Vec::with_capacity(buckets.len());
    for (bound, _) in &buckets {
        if upper_bounds.last() != Some(bound) {
            upper_bounds.push(*bound);
        }
        column_of.push(upper_bounds.len() - 1);
    }
    let mut grid: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for ((_, one), &index) in buckets.iter().zip(&column_of) {
        for (t, v) in one.timestamps.iter().zip(&one.values) {
            let millis = (t * 1000.0).round() as i64;
            // Every distinct time is a row of a cell per bucket: bounded, or
            // buckets answered at different times would cost gigabytes.
            if grid.len() >= MAX_HEATMAP_ROWS && !grid.contains_key(&millis) {
                return Err(format!(
                    "the buckets are answered at more than {MAX_HEATMAP_ROWS} different times; a heatmap draws at most that many columns"
                ));
            }
            let cell = &mut grid
                .entry(millis)
                .or_insert_with(|| vec![f64::NAN; upper_bounds.len()])[index];
            if cell.is_nan() {
                *cell = *v;
            } else if v.is_finite() {
                *cell += *v;
            }
        }
    }
    let mut timestamps = Vec::with_capacity(grid.len());
    let mut cells = Vec::with_capacity(grid.len());
    for (millis, cumulative) in grid {
        timestamps.push(millis as f64 / 1000.0);
        let mut row = Vec::with_capacity(cumulative.len());
        let mut below = 0.0;
        for value in cumulative {
            row.push(if value.is_finite() {
                (value - below).max(0.0)
            } else {
                f64::NAN
            });
            if value.is_finite() {
                below = value;
            }
        }
        cells.push(row);
    }
    Ok(Heatmap {
        upper_bounds,
        timestamps,
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::series::Labels;

    fn bucket(le: &str, values: &[f64]) -> Series {
        let labels: Labels = [("le".to_string(), le.to_string())].into();
        Series {
            labels,
            timestamps: (0..values.len()).map(|i| i as f64 * 60.0).collect(),
            values: values.to_vec(),
        }
    }

    #[test]
    fn series_of_one_bound_are_one_bucket_and_a_nan_bound_is_refused() {
        // `1` and `1.0` (before and after Prometheus 3), and two instances' `+Inf`.
        let map = heatmap_from_buckets(&[
            bucket("1", &[2.0, f64::NAN]),
            bucket("1.0", &[f64::NAN, 3.0]),
            bucket("+Inf", &[5.0, 5.0]),
            bucket("+Inf", &[1.0, 1.0]),
        ])
        .unwrap();
        assert_eq!(map.upper_bounds, [1.0, f64::INFINITY]);
        assert_eq!(map.cells, [[2.0, 4.0], [3.0, 3.0]]);
        assert_eq!(
            heatmap_from_buckets(&[bucket("NaN", &[1.0])]).unwrap_err(),
            "le=\"NaN\" is not a number"
        );
    }

    #[test]
    fn buckets_answered_at_too_many_different_times_are_refused_with_a_message() {
        use crate::foundation::limits::MAX_HEATMAP_ROWS;
        // Each bucket at its own times: rows would be buckets × points.
        let scattered: Vec<Series> = (0..20)
            .map(|i| Series {
                labels: [("le".to_string(), i.to_string())].into(),
                timestamps: (0..1_000).map(|k| f64::from(k * 20 + i) * 0.5).collect(),
                values: vec![1.0; 1_000],
            })
            .collect();
        assert!(heatmap_from_buckets(&scattered)
            .unwrap_err()
            .contains(&format!("more than {MAX_HEATMAP_ROWS} different times")));
        // The same buckets at shared times draw.
        let aligned: Vec<Series> = (0..20)
            .map(|i| Series {
                labels: [("le".to_string(), i.to_string())].into(),
                timestamps: (0..MAX_HEATMAP_ROWS).map(|k| k as f64).collect(),
                values: vec![1.0; MAX_HEATMAP_ROWS],
            })
            .collect();
        assert_eq!(
            heatmap_from_buckets(&aligned).unwrap().timestamps.len(),
            MAX_HEATMAP_ROWS
        );
    }

    #[test]
    fn too_many_buckets_are_refused_with_a_message() {
        let many: Vec<Series> = (0..=crate::foundation::limits::MAX_HEATMAP_BUCKETS)
            .map(|i| Series {
                labels: [("le".to_string(), i.to_string())].into(),
                timestamps: vec![0.0],
                values: vec![1.0],
            })
            .collect();
        assert!(heatmap_from_buckets(&many)
            .unwrap_err()
            .contains("at most 200"));
        assert!(heatmap_from_buckets(&many[..10]).is_ok());
    }

    #[test]
    fn cumulative_buckets_become_per_bucket_rates() {
        let series = [
            bucket("+Inf", &[10.0, 20.0]),
            bucket("0.1", &[2.0, 5.0]),
            bucket("0.5", &[7.0, 15.0]),
        ];
        let heatmap = heatmap_from_buckets(&series).unwrap();
        assert_eq!(heatmap.upper_bounds, vec![0.1, 0.5, f64::INFINITY]);
        assert_eq!(heatmap.timestamps, vec![0.0, 60.0]);
        assert_eq!(
            heatmap.cells,
            vec![vec![2.0, 5.0, 3.0], vec![5.0, 10.0, 5.0]]
        );
        assert_eq!(heatmap.max_cell(), 10.0);
    }

    #[test]
    fn missing_samples_stay_missing_and_bad_labels_explain() {
        let mut sparse = bucket("0.5", &[7.0]);
        sparse.timestamps = vec![60.0];
        let heatmap = heatmap_from_buckets(&[bucket("0.1", &[1.0, 2.0]), sparse]).unwrap();
        assert!(heatmap.cells[0][1].is_nan());
        assert_eq!(heatmap.cells[1], vec![2.0, 5.0]);
        let no_le = Series {
            labels: Labels::new(),
            timestamps: vec![0.0],
            values: vec![1.0],
        };
        assert!(heatmap_from_buckets(&[no_le])
            .unwrap_err()
            .contains("`le` label"));
        assert!(heatmap_from_buckets(&[bucket("abc", &[1.0])])
            .unwrap_err()
            .contains("not a number"));
    }
}
