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
pub fn merge_tail(
    cached: &CachedRange,
    tail: Vec<Series>,
    tail_start: f64,
    wanted: &QueryWindow,
) -> Vec<Series> {
    let mut merged: Vec<Series> = cached
        .series
        .iter()
        .map(|old| {
            let from = old.timestamps.partition_point(|&t| t < wanted.start);
            let to = old.timestamps.partition_point(|&t| t < tail_start);
            Series {
                labels: old.labels.clone(),
                timestamps: old.timestamps[from..to.max(from)].to_vec(),
                values: old.values[from..to.max(from)].to_vec(),
            }
        })
        .collect();
    for new in tail {
        match merged.iter_mut().find(|s| s.labels == new.labels) {
            Some(existing) => {
                existing.timestamps.extend(new.timestamps);
                existing.values.extend(new.values);
            }
            None => merged.push(new),
        }
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
        let merged = merge_tail(&cached, answer(&tail), tail.start, &wanted);
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
