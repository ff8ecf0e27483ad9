//! What the page makes of answers from the datasource, beyond reading them:
//! series names from legend formats, change and annotation events, heatmaps,
//! and a refresh's tail merged into the cached answer. Each must stay within
//! its caps whatever the answer holds (a 2 MB label on a series that changes
//! at every sample; buckets at scattered times; tails that add series without
//! end). Input: a legend format, a NUL, the cached answer's body, a NUL, the
//! refreshed tail's body.
#![no_main]

use foresight_core::chart::heatmap::heatmap_from_buckets;
use foresight_core::foundation::limits::{
    MAX_HEATMAP_ROWS, MAX_LEGEND_BYTES, MAX_POINTS_PER_SERIES, MAX_SERIES_PER_PANEL,
};
use foresight_core::query::annotations::{
    annotation_events, config_reloads, counter_resets, restarts, version_changes, AnnotationFormat,
    TimeEvent, MAX_EVENTS, MAX_EVENT_BYTES,
};
use foresight_core::query::prometheus_response::{parse_query_response, QueryData};
use foresight_core::query::range_cache::{merge_tail, CachedRange};
use foresight_core::query::series::{format_legend, Series};
use foresight_core::query::step::QueryWindow;
use foresight_fuzz::{split_field, text};
use libfuzzer_sys::fuzz_target;

fn series_of(body: &str) -> Vec<Series> {
    match parse_query_response(200, body).map(|answer| answer.data) {
        Ok(QueryData::Matrix(series)) => series,
        _ => Vec::new(),
    }
}

fn within_event_caps(events: &[TimeEvent]) {
    assert!(events.len() <= MAX_EVENTS, "{} events", events.len());
    let bytes: usize = events
        .iter()
        .map(|e| {
            e.title.len()
                + e.text.len()
                + e.tags.iter().map(String::len).sum::<usize>()
                + e.labels
                    .iter()
                    .map(|(k, v)| k.len() + v.len())
                    .sum::<usize>()
        })
        .sum();
    assert!(bytes <= MAX_EVENT_BYTES, "{bytes} bytes of events");
}

fuzz_target!(|data: &[u8]| {
    let input = text(data);
    let (format, rest) = split_field(&input);
    let (cached_body, tail_body) = split_field(rest);
    let cached = series_of(cached_body);
    let tail = series_of(tail_body);

    for one in cached.iter().chain(&tail) {
        let name = format_legend(format, &one.labels);
        assert!(
            name.len() <= MAX_LEGEND_BYTES + '…'.len_utf8(),
            "{} bytes",
            name.len()
        );
    }

    let annotations = AnnotationFormat {
        title: format.to_string(),
        text: format.chars().rev().collect(),
        tag_keys: cached
            .first()
            .map(|s| s.labels.keys().cloned().collect())
            .unwrap_or_default(),
        value_is_time: format.len() % 2 == 1,
    };
    let step = (format.len() % 600 + 1) as f64;
    within_event_caps(&annotation_events(&cached, &annotations, step));
    within_event_caps(&restarts(&cached));
    within_event_caps(&config_reloads(&tail));
    within_event_caps(&counter_resets(&cached));
    within_event_caps(&version_changes(&tail));

    if let Ok(heatmap) = heatmap_from_buckets(&cached) {
        assert!(heatmap.timestamps.len() <= MAX_HEATMAP_ROWS);
        assert_eq!(heatmap.cells.len(), heatmap.timestamps.len());
        assert!(heatmap
            .cells
            .iter()
            .all(|row| row.len() == heatmap.upper_bounds.len()));
        // One column per bound, in order: series of one bound are added up.
        assert!(heatmap.upper_bounds.windows(2).all(|w| w[0] < w[1]));
    }

    // The tail starts where the cached window ends, as a refresh asks for it.
    let end_of = |series: &[Series]| {
        series
            .iter()
            .filter_map(|s| s.timestamps.last().copied())
            .filter(|t| t.is_finite())
            .fold(0.0, f64::max)
    };
    let cached_end = end_of(&cached);
    let window = QueryWindow {
        start: cached_end - step * 100.0,
        end: cached_end,
        step,
    };
    let wanted = QueryWindow {
        start: window.start + step,
        end: window.end + step * 10.0,
        step,
    };
    // Order is promised for what the tail adds to an answer that was in order.
    let in_order = cached
        .iter()
        .all(|s| s.timestamps.windows(2).all(|p| p[0] < p[1]));
    let cache = CachedRange {
        window,
        series: cached,
    };
    let mut warnings = Vec::new();
    let merged = merge_tail(&cache, tail, window.end, &wanted, &mut warnings);
    assert!(
        merged.len() <= MAX_SERIES_PER_PANEL,
        "{} series",
        merged.len()
    );
    for one in &merged {
        assert_eq!(one.timestamps.len(), one.values.len());
        assert!(one.timestamps.len() <= MAX_POINTS_PER_SERIES);
        assert!(!one.timestamps.is_empty());
        if !in_order {
            continue;
        }
        // What the tail added is in order and inside the window asked for.
        let from = one.timestamps.partition_point(|&t| t < window.end);
        let added = &one.timestamps[from..];
        assert!(added.windows(2).all(|p| p[0] < p[1]), "{added:?}");
        assert!(added.iter().all(|&t| t <= wanted.end), "{added:?}");
    }
});
