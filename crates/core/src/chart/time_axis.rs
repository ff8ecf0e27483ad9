//! Time-axis ticks and labels, placed on round local times.

use crate::foundation::calendar::civil_from_unix_seconds;

/// Candidate tick spacings in seconds.
const TICK_SPACINGS: [i64; 20] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
    172_800, 604_800,
];

#[derive(Debug, Clone, PartialEq)]
pub struct TimeTick {
    /// Seconds since the Unix epoch.
    pub timestamp: f64,
    pub label: String,
}

/// Ticks between `start` and `end` (seconds), at most `max_ticks`, aligned to
/// round wall-clock times in a zone `utc_offset_minutes` east of UTC.
pub fn time_ticks(
    start: f64,
    end: f64,
    max_ticks: usize,
    utc_offset_minutes: i32,
) -> Vec<TimeTick> {
    if end.partial_cmp(&start) != Some(std::cmp::Ordering::Greater) || max_ticks == 0 {
        return Vec::new();
    }
    let span = end - start;
    let spacing = TICK_SPACINGS
        .iter()
        .copied()
        .find(|&s| span / s as f64 <= max_ticks as f64)
        .unwrap_or_else(|| ((span / max_ticks as f64 / 86_400.0).ceil() as i64).max(1) * 86_400);
    let offset = i64::from(utc_offset_minutes) * 60;
    let first_local = ((start as i64 + offset) as f64 / spacing as f64).ceil() as i64 * spacing;
    let mut ticks = Vec::new();
    let mut local = first_local;
    while ((local - offset) as f64) <= end {
        ticks.push(TimeTick {
            timestamp: (local - offset) as f64,
            label: tick_label(local, spacing, span),
        });
        local += spacing;
    }
    ticks
}

fn tick_label(local_seconds: i64, spacing: i64, span: f64) -> String {
    let t = civil_from_unix_seconds(local_seconds);
    let at_midnight = t.hour == 0 && t.minute == 0 && t.second == 0;
    if spacing >= 86_400 || (at_midnight && span > 86_400.0) {
        format!("{:02}-{:02}", t.month, t.day)
    } else if spacing < 60 {
        format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second)
    } else {
        format!("{:02}:{:02}", t.hour, t.minute)
    }
}

/// Full local date and time for tooltips and headers, e.g. `2026-11-23 14:05:00`.
pub fn format_local_datetime(timestamp: f64, utc_offset_minutes: i32) -> String {
    let t = civil_from_unix_seconds(timestamp.floor() as i64 + i64::from(utc_offset_minutes) * 60);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_hours_get_hourly_ticks_on_the_hour() {
        let start = 1_763_900_000.0; // 2025-11-23T12:13:20Z
        let ticks = time_ticks(start, start + 6.0 * 3600.0, 8, 0);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["13:00", "14:00", "15:00", "16:00", "17:00", "18:00"]
        );
        assert!(ticks.iter().all(|t| t.timestamp as i64 % 3600 == 0));
    }

    #[test]
    fn ticks_follow_the_local_zone() {
        let start = 1_763_900_000.0;
        let ticks = time_ticks(start, start + 6.0 * 3600.0, 8, 90); // UTC+01:30
        assert_eq!(ticks[0].label, "14:00");
        assert_eq!(ticks[0].timestamp as i64 % 3600, 1800);
    }

    #[test]
    fn multi_day_ranges_show_dates() {
        let start = 1_763_856_000.0; // 2025-11-23T00:00:00Z
        let ticks = time_ticks(start, start + 7.0 * 86400.0, 8, 0);
        assert_eq!(ticks[0].label, "11-23");
        assert_eq!(ticks[1].label, "11-24");
        assert_eq!(
            format_local_datetime(start + 3661.0, 0),
            "2025-11-23 01:01:01"
        );
    }

    #[test]
    fn empty_or_reversed_ranges_have_no_ticks() {
        assert!(time_ticks(10.0, 10.0, 5, 0).is_empty());
        assert!(time_ticks(10.0, 0.0, 5, 0).is_empty());
        assert!(time_ticks(0.0, 10.0, 0, 0).is_empty());
    }
}
