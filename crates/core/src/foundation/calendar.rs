//! Civil-date arithmetic without a date library (days-from-civil algorithm by
//! Howard Hinnant), so time labels need no dependency and no time zone database:
//! the browser says its zone's UTC offset at each moment ([`UtcOffset`]), which
//! changes with daylight saving.

/// A calendar date and wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Converts seconds since the Unix epoch (already shifted to local time) to a civil time.
pub fn civil_from_unix_seconds(seconds: i64) -> CivilTime {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    CivilTime {
        year,
        month,
        day,
        hour: second_of_day / 3600,
        minute: (second_of_day % 3600) / 60,
        second: second_of_day % 60,
    }
}

/// Seconds since the Unix epoch of a civil time (interpreted in the same zone it was given in).
pub fn unix_seconds_from_civil(time: &CivilTime) -> i64 {
    let year = time.year - i64::from(time.month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(time.month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(time.day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    days * 86_400
        + i64::from(time.hour) * 3600
        + i64::from(time.minute) * 60
        + i64::from(time.second)
}

/// ISO 8601 UTC rendering, e.g. `2026-11-23T14:05:00Z`.
pub fn format_iso8601_utc(unix_seconds: i64) -> String {
    let t = civil_from_unix_seconds(unix_seconds);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// A time zone as far as labels need it: minutes east of UTC at a moment.
/// The browser's zone changes offset with daylight saving; an `i32` is a fixed
/// offset.
pub trait UtcOffset {
    fn minutes_at(&self, unix_seconds: f64) -> i32;
}

impl UtcOffset for i32 {
    fn minutes_at(&self, _unix_seconds: f64) -> i32 {
        *self
    }
}

/// The local wall-clock seconds of a moment (whole seconds).
pub fn local_seconds(unix_seconds: f64, zone: &impl UtcOffset) -> i64 {
    unix_seconds.floor() as i64 + i64::from(zone.minutes_at(unix_seconds)) * 60
}

/// The moment a local wall-clock time names, with the offset in force then. A
/// time repeated when clocks go back is its first occurrence; a time skipped
/// when they go forward is read with the offset before the change, so it lands
/// just past the gap (as the browser reads one). Assumes at most one offset
/// change within a day of it.
pub fn unix_seconds_from_local(local: i64, zone: &impl UtcOffset) -> i64 {
    let offset_around = |shift: i64| i64::from(zone.minutes_at((local + shift) as f64)) * 60;
    let (before, after) = (offset_around(-86_400), offset_around(86_400));
    for offset in [before, after] {
        let moment = local - offset;
        if i64::from(zone.minutes_at(moment as f64)) * 60 == offset {
            return moment;
        }
    }
    local - before
}

/// A zone with daylight saving, for tests of anything that labels time.
#[cfg(test)]
pub(crate) mod test_zone {
    use super::UtcOffset;

    /// Central European time in 2026: UTC+1, and UTC+2 from 29 March 01:00 UTC
    /// to 25 October 01:00 UTC.
    pub struct Berlin2026;

    pub const SPRING_FORWARD: i64 = 1_774_746_000; // 2026-03-29T01:00:00Z
    pub const FALL_BACK: i64 = 1_792_890_000; // 2026-10-25T01:00:00Z

    impl UtcOffset for Berlin2026 {
        fn minutes_at(&self, unix_seconds: f64) -> i32 {
            if (SPRING_FORWARD as f64..FALL_BACK as f64).contains(&unix_seconds) {
                120
            } else {
                60
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_zone::{Berlin2026, FALL_BACK, SPRING_FORWARD};
    use super::*;

    #[test]
    fn epoch_is_1970_01_01() {
        assert_eq!(format_iso8601_utc(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn known_dates_convert_both_ways() {
        // 2024-02-29T12:34:56Z is a leap day.
        let t = civil_from_unix_seconds(1_709_210_096);
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second),
            (2024, 2, 29, 12, 34, 56)
        );
        assert_eq!(unix_seconds_from_civil(&t), 1_709_210_096);
        assert_eq!(format_iso8601_utc(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn round_trip_over_many_days() {
        for day in (-800_000..800_000).step_by(997) {
            let seconds = day * 86_400 + 3_723;
            assert_eq!(
                unix_seconds_from_civil(&civil_from_unix_seconds(seconds)),
                seconds
            );
        }
    }

    fn civil(y: i64, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        unix_seconds_from_civil(&CivilTime {
            year: y,
            month: mo,
            day: d,
            hour: h,
            minute: mi,
            second: 0,
        })
    }

    #[test]
    fn local_times_map_to_moments_across_daylight_saving_changes() {
        let zone = Berlin2026;
        // 01:30 local on 29 March is still winter time: 00:30Z.
        assert_eq!(
            unix_seconds_from_local(civil(2026, 3, 29, 1, 30), &zone),
            SPRING_FORWARD - 1800
        );
        // 02:30 does not exist that night; it is read as 01:30Z, shown as 03:30.
        let skipped = unix_seconds_from_local(civil(2026, 3, 29, 2, 30), &zone);
        assert_eq!(skipped, SPRING_FORWARD + 1800);
        assert_eq!(
            local_seconds(skipped as f64, &zone),
            civil(2026, 3, 29, 3, 30)
        );
        // 03:30 is summer time: 01:30Z.
        assert_eq!(
            unix_seconds_from_local(civil(2026, 3, 29, 3, 30), &zone),
            SPRING_FORWARD + 1800
        );
        // 02:30 on 25 October happens twice; the first is 00:30Z (summer time).
        assert_eq!(
            unix_seconds_from_local(civil(2026, 10, 25, 2, 30), &zone),
            FALL_BACK - 1800
        );
        // Noon in July is 10:00Z, in December 11:00Z.
        assert_eq!(
            unix_seconds_from_local(civil(2026, 7, 1, 12, 0), &zone),
            civil(2026, 7, 1, 10, 0)
        );
        assert_eq!(
            unix_seconds_from_local(civil(2026, 12, 1, 12, 0), &zone),
            civil(2026, 12, 1, 11, 0)
        );
        // A fixed offset is just a shift.
        assert_eq!(unix_seconds_from_local(7200, &120), 0);
        assert_eq!(local_seconds(0.5, &120), 7200);
    }
}
