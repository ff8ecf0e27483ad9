//! Time-axis ticks and labels, placed on round local times. Each time is
//! labelled with the zone's offset at that time, so a range across a daylight
//! saving change is labelled right on both sides.

use crate::foundation::calendar::{
    civil_from_unix_seconds, local_seconds, unix_seconds_from_local, UtcOffset,
};

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
/// round wall-clock times in `zone`. Where clocks go back, a local time met
/// twice gets one tick; where they go forward, a skipped one is left out.
pub fn time_ticks(start: f64, end: f64, max_ticks: usize, zone: &impl UtcOffset) -> Vec<TimeTick> {
    if end.partial_cmp(&start) != Some(std::cmp::Ordering::Greater) || max_ticks == 0 {
        return Vec::new();
    }
    let span = end - start;
    let spacing = TICK_SPACINGS
        .iter()
        .copied()
        .find(|&s| span / s as f64 <= max_ticks as f64)
        .unwrap_or_else(|| ((span / max_ticks as f64 / 86_400.0).ceil() as i64).max(1) * 86_400);
    let first_local = (local_seconds(start, zone) as f64 / spacing as f64).ceil() as i64 * spacing;
    let mut ticks: Vec<TimeTick> = Vec::new();
    // An offset change adds at most one spacing's worth of local times.
    for step in 0..=max_ticks as i64 + 1 {
        let local = first_local + step * spacing;
        let moment = unix_seconds_from_local(local, zone) as f64;
        if moment > end {
            break;
        }
        let shown = local_seconds(moment, zone);
        if moment < start || shown != local || ticks.last().is_some_and(|t| t.timestamp >= moment) {
            continue; // skipped by the clocks, or already ticked
        }
        ticks.push(TimeTick {
            timestamp: moment,
            label: tick_label(local, spacing, span),
        });
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
pub fn format_local_datetime(timestamp: f64, zone: &impl UtcOffset) -> String {
    let t = civil_from_unix_seconds(local_seconds(timestamp, zone));
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
        let ticks = time_ticks(start, start + 6.0 * 3600.0, 8, &0);
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
        let ticks = time_ticks(start, start + 6.0 * 3600.0, 8, &90); // UTC+01:30
        assert_eq!(ticks[0].label, "14:00");
        assert_eq!(ticks[0].timestamp as i64 % 3600, 1800);
    }

    #[test]
    fn multi_day_ranges_show_dates() {
        let start = 1_763_856_000.0; // 2025-11-23T00:00:00Z
        let ticks = time_ticks(start, start + 7.0 * 86400.0, 8, &0);
        assert_eq!(ticks[0].label, "11-23");
        assert_eq!(ticks[1].label, "11-24");
        assert_eq!(
            format_local_datetime(start + 3661.0, &0),
            "2025-11-23 01:01:01"
        );
    }

    #[test]
    fn empty_or_reversed_ranges_have_no_ticks() {
        assert!(time_ticks(10.0, 10.0, 5, &0).is_empty());
        assert!(time_ticks(10.0, 0.0, 5, &0).is_empty());
        assert!(time_ticks(0.0, 10.0, 0, &0).is_empty());
    }

    #[test]
    fn labels_follow_the_offset_in_force_across_daylight_saving_changes() {
        use crate::foundation::calendar::test_zone::{Berlin2026, FALL_BACK, SPRING_FORWARD};
        let zone = Berlin2026;
        // The night clocks go forward: 00:00 to 06:00 local is five hours.
        let start = (SPRING_FORWARD - 3600) as f64; // 01:00 local (00:00Z)
        let ticks = time_ticks(start, start + 5.0 * 3600.0, 8, &zone);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["01:00", "03:00", "04:00", "05:00", "06:00", "07:00"]
        );
        assert!(ticks
            .windows(2)
            .all(|w| w[1].timestamp - w[0].timestamp == 3600.0));
        assert_eq!(
            format_local_datetime(SPRING_FORWARD as f64, &zone),
            "2026-03-29 03:00:00"
        );
        assert_eq!(
            format_local_datetime((SPRING_FORWARD - 1) as f64, &zone),
            "2026-03-29 01:59:59"
        );
        // The night clocks go back: 02:00 to 03:00 local happens twice and is
        // ticked once, the first time; 03:00 comes an hour and a half later.
        let start = (FALL_BACK - 2 * 3600) as f64; // 23:00Z, 01:00 local summer time
        let ticks = time_ticks(start, start + 4.0 * 3600.0, 8, &zone);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["01:00", "01:30", "02:00", "02:30", "03:00", "03:30", "04:00"]
        );
        assert_eq!(ticks[3].timestamp, (FALL_BACK - 1800) as f64);
        assert_eq!(ticks[4].timestamp, (FALL_BACK + 3600) as f64);
        assert_eq!(
            format_local_datetime(FALL_BACK as f64, &zone),
            "2026-10-25 02:00:00"
        );
        assert_eq!(
            format_local_datetime((FALL_BACK - 1) as f64, &zone),
            "2026-10-25 02:59:59"
        );
        // A week of daily ticks across the change stays on local midnights.
        let start = (SPRING_FORWARD - 3 * 86_400) as f64;
        let ticks = time_ticks(start, start + 7.0 * 86_400.0, 8, &zone);
        assert!(ticks
            .iter()
            .all(|t| format_local_datetime(t.timestamp, &zone).ends_with("00:00:00")));
    }
}
