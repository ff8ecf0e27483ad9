//! Auto-refresh without re-downloading what is already drawn: the query window
//! only moves forward, on the same step grid, so a refresh asks Prometheus for
//! the new tail (from the last point already held, which may have been computed
//! before its latest scrape arrived) and merges it into the cached series.

use crate::query::series::Series;
use crate::query::step::QueryWindow;

/// A range answer and the window it was asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedRange {
    pub window: QueryWindow,
    pub series: Vec<Series>,
}

/// What a refresh has to fetch to go from `cached` to `wanted`: `None` when
/// only a full query will do (another step, a window that moved back or jumped
/// past the cache, or off the cached grid); otherwise the tail window, which
/// starts at the cache's last point.
pub fn tail_window(cached: &QueryWindow, wanted: &QueryWindow) -> Option<QueryWindow> {
    let step = wanted.step;
    let on_grid = |a: f64, b: f64| ((a - b) / step - ((a - b) / step).round()).abs() < 1e-9;
    let usable = cached.step == step
        && wanted.start >= cached.start
        && wanted.end >= cached.end
        && wanted.start <= cached.end
        && on_grid(wanted.start, cached.start)
        && on_grid(wanted.end, cached.end);
    usable.then_some(QueryWindow {
        start: cached.end,
        end: wanted.end,
        step,
    })
}

/// The cached series cut to `wanted.start`, with the tail's points replacing
/// everything from the tail's start on. Series only in the tail are added;
/// series with no point left are dropped.
///
/// The merged answer is held to the caps a full answer is held to: the tail
/// comes from the datasource, and refresh after refresh it could otherwise add
/// series, or points at times already held, without end. A tail's point out
/// of order or outside `tail_start..=wanted.end` is left out; what a cap
/// leaves out is said in `warnings`.
pub fn merge_tail(
    cached: &CachedRange,
    tail: Vec<Series>,
    tail_start: f64,
    wanted: &QueryWindow,
    warnings: &mut Vec<String>,
) -> Vec<Series> {
    use crate::foundation::limits::{MAX_POINTS_PER_SERIES, MAX_SERIES_PER_PANEL};
    let mut merged: Vec<Series> = cached
        .series
        .iter()
        .map(|old| {
            let from = old.timestamps.partition_point(|&t| t < wanted.start);
            let to = old
                .timestamps
                .partition_point(|&t| t < tail_start)
                .max(from);
            Series {
                labels: old.labels.clone(),
                timestamps: old.timestamps.get(from..to).unwrap_or_default().to_vec(),
                values: old.values.get(from..to).unwrap_or_default().to_vec(),
            }
        })
        .collect();
    // Series that aged out of the window leave room for new ones.
    merged.retain(|s| !s.timestamps.is_empty());
    let (mut series_left_out, mut points_left_out) = (0, 0);
    for new in tail {
        let index = match merged.iter().position(|s| s.labels == new.labels) {
            Some(index) => index,
            None if merged.len() < MAX_SERIES_PER_PANEL => {
                merged.push(Series {
                    labels: new.labels,
                    ..Series::default()
                });
                merged.len() - 1
            }
            None => {
                series_left_out += 1;
                continue;
            }
        };
        let existing = &mut merged[index];
        for (&t, &v) in new.timestamps.iter().zip(&new.values) {
            let in_order = existing.timestamps.last().is_none_or(|&last| t > last);
            if !(in_order && t >= tail_start && t <= wanted.end) {
                continue;
            }
            if existing.timestamps.len() >= MAX_POINTS_PER_SERIES {
                points_left_out += 1;
                continue;
            }
            existing.timestamps.push(t);
            existing.values.push(v);
        }
    }
    if series_left_out > 0 {
        warnings.push(format!(
            "{series_left_out} more series in the refreshed answer; the first {MAX_SERIES_PER_PANEL} are shown"
        ));
    }
    if points_left_out > 0 {
        warnings.push(format!(
            "{points_left_out} refreshed points past {MAX_POINTS_PER_SERIES} per series are not shown"
        ));
    }
    merged.retain(|s| !s.timestamps.is_empty());
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::series::Labels;

    fn window(start: f64, end: f64) -> QueryWindow {
        QueryWindow {
            start,
            end,
            step: 15.0,
        }
    }

    /// What Prometheus would answer for `window` (series "a" always, "b" from t = 300 on).
    fn answer(window: &QueryWindow) -> Vec<Series> {
        let mut out = Vec::new();
        for (name, from) in [("a", 0.0), ("b", 300.0)] {
            let timestamps: Vec<f64> = (0..)
                .map(|k| window.start + k as f64 * window.step)
                .take_while(|t| *t <= window.end)
                .filter(|t| *t >= from)
                .collect();
            if timestamps.is_empty() {
                continue;
            }
            out.push(Series {
                labels: Labels::from([("name".to_string(), name.to_string())]),
                values: timestamps.iter().map(|t| t * 2.0).collect(),
                timestamps,
            });
        }
        out
    }

    #[test]
    fn refreshes_cannot_grow_the_cache_past_the_caps_of_one_answer() {
        use crate::foundation::limits::{MAX_POINTS_PER_SERIES, MAX_SERIES_PER_PANEL};
        let first = window(0.0, 270.0);
        let mut cached = CachedRange {
            window: first,
            series: answer(&first),
        };
        let mut wanted = first;
        let mut warnings = Vec::new();
        for refresh in 0..40 {
            wanted = window(wanted.start + 15.0, wanted.end + 15.0);
            let tail = tail_window(&cached.window, &wanted).unwrap();
            // A hostile tail: 500 new series each time, thousands of points at
            // the tail's first instant, and points from before it.
            let hostile: Vec<Series> = (0..MAX_SERIES_PER_PANEL)
                .map(|k| Series {
                    labels: Labels::from([("k".to_string(), format!("{refresh}-{k}"))]),
                    timestamps: vec![tail.start - 100.0, tail.start, tail.start, tail.start],
                    values: vec![1.0; 4],
                })
                .chain(std::iter::once(Series {
                    labels: Labels::from([("name".to_string(), "a".to_string())]),
                    timestamps: (0..20_000)
                        .map(|i| tail.start + f64::from(i) * 1e-3)
                        .collect(),
                    values: vec![0.0; 20_000],
                }))
                .collect();
            cached = CachedRange {
                window: wanted,
                series: merge_tail(&cached, hostile, tail.start, &wanted, &mut warnings),
            };
            assert!(cached.series.len() <= MAX_SERIES_PER_PANEL);
            for one in &cached.series {
                assert!(one.timestamps.len() <= MAX_POINTS_PER_SERIES);
                assert_eq!(one.timestamps.len(), one.values.len());
                assert!(one.timestamps.windows(2).all(|p| p[0] < p[1]), "in order");
                assert!(one
                    .timestamps
                    .iter()
                    .all(|&t| t >= wanted.start && t <= wanted.end));
            }
        }
        assert!(
            warnings.iter().any(|w| w.contains("more series")),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains("points past")),
            "{warnings:?}"
        );

        // Series that aged out of the window make room: 500 old ones, 500 new.
        let old: Vec<Series> = (0..MAX_SERIES_PER_PANEL)
            .map(|k| Series {
                labels: Labels::from([("old".to_string(), k.to_string())]),
                timestamps: vec![0.0],
                values: vec![1.0],
            })
            .collect();
        let fresh: Vec<Series> = (0..MAX_SERIES_PER_PANEL)
            .map(|k| Series {
                labels: Labels::from([("new".to_string(), k.to_string())]),
                timestamps: vec![300.0],
                values: vec![1.0],
            })
            .collect();
        let cached = CachedRange {
            window: window(0.0, 285.0),
            series: old,
        };
        let mut warnings = Vec::new();
        let merged = merge_tail(&cached, fresh, 285.0, &window(15.0, 300.0), &mut warnings);
        assert_eq!(merged.len(), MAX_SERIES_PER_PANEL);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_refresh_fetches_the_tail_and_merges_to_the_full_answer() {
        let first = window(0.0, 270.0);
        let cached = CachedRange {
            window: first,
            series: answer(&first),
        };
        let wanted = window(45.0, 360.0);
        let tail = tail_window(&first, &wanted).unwrap();
        assert_eq!(
            (tail.start, tail.end),
            (270.0, 360.0),
            "from the last point held"
        );
        let merged = merge_tail(&cached, answer(&tail), tail.start, &wanted, &mut Vec::new());
        assert_eq!(merged, answer(&wanted));
    }

    #[test]
    fn anything_else_is_a_full_query() {
        let cached = window(0.0, 300.0);
        assert!(
            tail_window(
                &cached,
                &QueryWindow {
                    step: 30.0,
                    ..window(0.0, 330.0)
                }
            )
            .is_none(),
            "another step"
        );
        assert!(
            tail_window(&cached, &window(-15.0, 300.0)).is_none(),
            "moved back"
        );
        assert!(
            tail_window(&cached, &window(315.0, 600.0)).is_none(),
            "jumped past the cache"
        );
        assert!(
            tail_window(&cached, &window(7.0, 307.0)).is_none(),
            "off the grid"
        );
        let same = tail_window(&cached, &cached).unwrap();
        assert_eq!(
            (same.start, same.end),
            (300.0, 300.0),
            "the same window re-asks only its last point"
        );
    }
}
