//! What a time-series chart says in words: each series' reading at one time
//! (the tooltip, and what the keyboard crosshair announces), a summary
//! sentence (the chart's text alternative) and its samples as table rows
//! ("show as table"). The pointer, the keyboard and a screen reader all read
//! the same words.

use super::panel_overlays::SeriesOverlay;
use crate::chart::geometry::nearest_sample;
use crate::chart::time_axis::format_local_datetime;
use crate::foundation::calendar::UtcOffset;
use crate::foundation::units::{format_value, Unit};
use crate::query::series::Series;
use crate::query::step::QueryWindow;

/// How the chart writes values.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ValueFormat {
    pub unit: Unit,
    pub decimals: Option<u8>,
}

impl ValueFormat {
    fn write(self, value: f64) -> String {
        format_value(value, self.unit, self.decimals)
    }

    /// The format for one series: its own unit when an override gives it one.
    fn of(self, shown: &ShownSeries<'_>) -> Self {
        Self {
            unit: shown.unit.unwrap_or(self.unit),
            ..self
        }
    }
}

/// One series as the chart shows it: its legend name, its samples and what is
/// drawn over them.
#[derive(Debug, Clone, Copy)]
pub struct ShownSeries<'a> {
    pub name: &'a str,
    pub series: &'a Series,
    pub overlay: Option<&'a SeriesOverlay>,
    /// Its own unit (a per-series override) instead of the panel's.
    pub unit: Option<Unit>,
}

/// The series summarised in a sentence; the rest are counted.
const SUMMARISED_SERIES: usize = 4;
/// Series read out at one time; the rest are counted.
const ANNOUNCED_SERIES: usize = 6;

/// What `series` reads at time `t`: past the data, the forecast and its 80 %
/// band; on the data, the value with its usual range (or expected value),
/// score and an anomaly flag. `None` where it has nothing near `t`.
pub fn reading_at(
    t: f64,
    window: &QueryWindow,
    shown: &ShownSeries<'_>,
    format: ValueFormat,
) -> Option<String> {
    let reach = window.step * 0.75;
    let empty = SeriesOverlay::default();
    let overlay = shown.overlay.unwrap_or(&empty);
    if t > window.end {
        let (future, forecast) = overlay.forecast.as_ref()?;
        let k = nearest_sample(future, t, reach)?;
        return Some(format!(
            "expected {} (80 %: {} – {})",
            format.write(forecast.mean[k]),
            format.write(forecast.lower_80[k]),
            format.write(forecast.upper_80[k])
        ));
    }
    let series = shown.series;
    let at = nearest_sample(&series.timestamps, t, reach)?;
    let mut parts = vec![format.write(series.values[at])];
    let band = overlay
        .baseline
        .as_ref()
        .and_then(|b| b.as_ref().ok())
        .and_then(|b| b.at(series.timestamps[at], reach));
    if let Some((center, lower, upper)) = band {
        parts.push(format!(
            "usual {} ({} – {})",
            format.write(center),
            format.write(lower),
            format.write(upper)
        ));
    } else if let Some(point) = overlay.scores.get(at).filter(|p| p.expected.is_finite()) {
        parts.push(format!("expected {}", format.write(point.expected)));
    }
    if let Some(point) = overlay.scores.get(at) {
        parts.push(format!("score {:.3}", point.score));
    }
    if overlay.incidents.iter().any(|i| i.contains(at)) {
        parts.push("⚠ anomaly".into());
    }
    Some(parts.join(" · "))
}

/// The oldest and newest sample times the shown series have inside the window.
pub fn sample_span(window: &QueryWindow, shown: &[ShownSeries<'_>]) -> Option<(f64, f64)> {
    let inside = |t: &&f64| (window.start..=window.end).contains(*t);
    let first = shown
        .iter()
        .filter_map(|s| s.series.timestamps.iter().find(inside))
        .copied()
        .reduce(f64::min)?;
    let last = shown
        .iter()
        .filter_map(|s| s.series.timestamps.iter().rev().find(inside))
        .copied()
        .reduce(f64::max)?;
    Some((first, last))
}

/// What the keyboard crosshair announces at `t`: the time, then each series'
/// reading.
pub fn announcement_at(
    t: f64,
    window: &QueryWindow,
    shown: &[ShownSeries<'_>],
    format: ValueFormat,
    zone: &impl UtcOffset,
) -> String {
    let readings: Vec<String> = shown
        .iter()
        .filter_map(|s| Some(format!("{}: {}", s.name, reading_at(t, window, s, format)?)))
        .collect();
    let time = format_local_datetime(t, zone);
    if readings.is_empty() {
        return format!("{time}: no data");
    }
    let mut text = format!(
        "{time}. {}",
        readings[..readings.len().min(ANNOUNCED_SERIES)].join("; ")
    );
    if readings.len() > ANNOUNCED_SERIES {
        text.push_str(&format!(
            "; and {} more series",
            readings.len() - ANNOUNCED_SERIES
        ));
    }
    text
}

/// The chart's text alternative: what it spans, and for each series its
/// latest, lowest and highest value and how many anomalies are marked.
pub fn chart_summary(
    title: &str,
    window: &QueryWindow,
    shown: &[ShownSeries<'_>],
    format: ValueFormat,
    zone: &impl UtcOffset,
) -> String {
    let span = format!(
        "from {} to {}",
        format_local_datetime(window.start, zone),
        format_local_datetime(window.end, zone)
    );
    let title = if title.trim().is_empty() {
        "Chart"
    } else {
        title.trim()
    };
    let described: Vec<String> = shown
        .iter()
        .filter_map(|s| series_sentence(window, s, format))
        .collect();
    if described.is_empty() {
        return format!("{title}: no data {span}.");
    }
    let count = match described.len() {
        1 => "1 series".to_string(),
        n => format!("{n} series"),
    };
    let mut text = format!(
        "{title}: {count} {span}. {}",
        described[..described.len().min(SUMMARISED_SERIES)].join(" ")
    );
    if described.len() > SUMMARISED_SERIES {
        text.push_str(&format!(
            " And {} more series; show the chart as a table to read them all.",
            described.len() - SUMMARISED_SERIES
        ));
    }
    text
}

fn series_sentence(
    window: &QueryWindow,
    shown: &ShownSeries<'_>,
    format: ValueFormat,
) -> Option<String> {
    let format = format.of(shown);
    let series = shown.series;
    let visible: Vec<f64> = series
        .timestamps
        .iter()
        .zip(&series.values)
        .filter(|(t, v)| **t >= window.start && **t <= window.end && v.is_finite())
        .map(|(_, v)| *v)
        .collect();
    let latest = *visible.last()?;
    let lowest = visible.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = visible.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sentence = format!(
        "{}: latest {}, lowest {}, highest {}",
        shown.name,
        format.write(latest),
        format.write(lowest),
        format.write(highest)
    );
    let anomalies = shown.overlay.map_or(0, |o| o.anomalies.len());
    match anomalies {
        0 => {}
        1 => sentence.push_str(", 1 anomaly marked"),
        n => sentence.push_str(&format!(", {n} anomalies marked")),
    }
    sentence.push('.');
    Some(sentence)
}

/// A chart's samples as a table: one row per time, one column per series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartTable {
    /// "Time", then the series' names.
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Every how many sample times a row is kept (1 when all are).
    pub every: usize,
    /// Series not given a column.
    pub columns_left_out: usize,
}

impl ChartTable {
    /// What the table is, for its caption.
    pub fn caption(&self, title: &str) -> String {
        let mut caption = format!("{title}: samples, newest first");
        if self.every > 1 {
            caption.push_str(&format!(" (one row per {} sample times)", self.every));
        }
        if self.columns_left_out > 0 {
            caption.push_str(&format!(
                "; {} more series not shown",
                self.columns_left_out
            ));
        }
        caption
    }
}

/// What is read out when the keyboard shows one series alone, or all again.
pub fn isolation_announcement(alone: Option<&str>) -> String {
    match alone {
        Some(name) => format!("Showing only {name}"),
        None => "Showing every series".into(),
    }
}

/// The samples of `shown` inside the window as table rows, newest first; at
/// most `max_rows` rows (every k-th time) and `max_series` series columns.
pub fn chart_table(
    window: &QueryWindow,
    shown: &[ShownSeries<'_>],
    format: ValueFormat,
    zone: &impl UtcOffset,
    (max_rows, max_series): (usize, usize),
) -> ChartTable {
    let columns = &shown[..shown.len().min(max_series)];
    let mut times: Vec<f64> = columns
        .iter()
        .flat_map(|s| s.series.timestamps.iter().copied())
        .filter(|t| *t >= window.start && *t <= window.end)
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let every = times.len().div_ceil(max_rows.max(1)).max(1);
    let rows = times
        .iter()
        .rev()
        .step_by(every)
        .map(|&t| {
            let mut row = vec![format_local_datetime(t, zone)];
            row.extend(columns.iter().map(|s| {
                let series = s.series;
                let at = series.timestamps.partition_point(|x| *x < t);
                match series.timestamps.get(at) {
                    Some(x) if *x == t => format.of(s).write(series.values[at]),
                    _ => String::new(),
                }
            }));
            row
        })
        .collect();
    let mut header = vec!["Time".to_string()];
    header.extend(columns.iter().map(|s| s.name.to_string()));
    ChartTable {
        header,
        rows,
        every,
        columns_left_out: shown.len() - columns.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::incidents::{Direction, Incident};

    fn series(values: &[f64]) -> Series {
        Series {
            labels: Default::default(),
            timestamps: (0..values.len()).map(|k| 60.0 * k as f64).collect(),
            values: values.to_vec(),
        }
    }

    fn window(points: usize) -> QueryWindow {
        QueryWindow {
            start: 0.0,
            end: 60.0 * (points as f64 - 1.0),
            step: 60.0,
        }
    }

    const PLAIN: ValueFormat = ValueFormat {
        unit: Unit::None,
        decimals: Some(1),
    };

    #[test]
    fn readings_follow_the_nearest_sample_and_flag_anomalies() {
        let data = series(&[1.0, 2.0, 30.0, 3.0]);
        let overlay = SeriesOverlay {
            anomalies: vec![2],
            incidents: vec![Incident {
                start_index: 2,
                end_index: 2,
                peak_index: 2,
                direction: Direction::Up,
                expected: 2.0,
                peak_sigmas: 9.0,
                peak_score: 0.999,
            }],
            ..Default::default()
        };
        let shown = ShownSeries {
            name: "api",
            series: &data,
            overlay: Some(&overlay),
            unit: None,
        };
        let w = window(4);
        assert_eq!(reading_at(70.0, &w, &shown, PLAIN).as_deref(), Some("2.0"));
        assert_eq!(
            reading_at(120.0, &w, &shown, PLAIN).as_deref(),
            Some("30.0 · ⚠ anomaly")
        );
        assert_eq!(reading_at(10_000.0, &w, &shown, PLAIN), None, "no forecast");
        let said = announcement_at(120.0, &w, &[shown], PLAIN, &0);
        assert_eq!(said, "1970-01-01 00:02:00. api: 30.0 · ⚠ anomaly");
        assert_eq!(
            announcement_at(5_000.0, &w, &[shown], PLAIN, &0),
            "1970-01-01 01:23:20: no data"
        );
    }

    #[test]
    fn the_sample_span_covers_every_shown_series_inside_the_window() {
        let (a, b) = (series(&[1.0, 2.0, 3.0]), series(&[1.0, 2.0, 3.0, 4.0, 5.0]));
        let shown = |s| ShownSeries {
            name: "",
            series: s,
            overlay: None,
            unit: None,
        };
        let w = QueryWindow {
            start: 30.0,
            end: 200.0,
            step: 60.0,
        };
        assert_eq!(
            sample_span(&w, &[shown(&a), shown(&b)]),
            Some((60.0, 180.0))
        );
        assert_eq!(sample_span(&w, &[]), None);
    }

    #[test]
    fn the_summary_names_the_chart_its_span_and_each_series() {
        let (a, b) = (series(&[1.0, 5.0, 2.0]), series(&[f64::NAN, 7.0, 8.0]));
        let overlay = SeriesOverlay {
            anomalies: vec![1, 2],
            ..Default::default()
        };
        let shown = [
            ShownSeries {
                name: "a",
                series: &a,
                overlay: None,
                unit: None,
            },
            ShownSeries {
                name: "b",
                series: &b,
                overlay: Some(&overlay),
                unit: None,
            },
        ];
        assert_eq!(
            chart_summary("Request rate", &window(3), &shown, PLAIN, &0),
            "Request rate: 2 series from 1970-01-01 00:00:00 to 1970-01-01 00:02:00. \
             a: latest 2.0, lowest 1.0, highest 5.0. \
             b: latest 8.0, lowest 7.0, highest 8.0, 2 anomalies marked."
        );
        assert_eq!(
            chart_summary(" ", &window(3), &[], PLAIN, &0),
            "Chart: no data from 1970-01-01 00:00:00 to 1970-01-01 00:02:00."
        );
    }

    #[test]
    fn many_series_are_counted_not_listed() {
        let data: Vec<Series> = (0..9).map(|k| series(&[k as f64])).collect();
        let names: Vec<String> = (0..9).map(|k| format!("s{k}")).collect();
        let shown: Vec<ShownSeries> = data
            .iter()
            .zip(&names)
            .map(|(series, name)| ShownSeries {
                name,
                series,
                overlay: None,
                unit: None,
            })
            .collect();
        let summary = chart_summary("t", &window(1), &shown, PLAIN, &0);
        assert!(
            summary.contains("s3: latest") && !summary.contains("s4:"),
            "{summary}"
        );
        assert!(summary.contains("And 5 more series"), "{summary}");
        let said = announcement_at(0.0, &window(1), &shown, PLAIN, &0);
        assert!(said.ends_with("; and 3 more series"), "{said}");
    }

    #[test]
    fn the_table_keeps_every_kth_time_newest_first_and_caps_columns() {
        let (a, b) = (series(&[1.0, 2.0, 3.0, 4.0, 5.0]), series(&[10.0, 20.0]));
        let c = series(&[0.0]);
        let shown = [
            ShownSeries {
                name: "a",
                series: &a,
                overlay: None,
                unit: None,
            },
            ShownSeries {
                name: "b",
                series: &b,
                overlay: None,
                unit: None,
            },
            ShownSeries {
                name: "c",
                series: &c,
                overlay: None,
                unit: None,
            },
        ];
        let table = chart_table(&window(5), &shown, PLAIN, &0, (3, 2));
        assert_eq!(table.header, ["Time", "a", "b"]);
        assert_eq!(table.every, 2);
        assert_eq!(table.columns_left_out, 1);
        let cells: Vec<Vec<&str>> = table
            .rows
            .iter()
            .map(|r| r[1..].iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            cells,
            [vec!["5.0", ""], vec!["3.0", ""], vec!["1.0", "10.0"]]
        );
        assert!(chart_table(&window(5), &[], PLAIN, &0, (3, 2))
            .rows
            .is_empty());
    }
}
