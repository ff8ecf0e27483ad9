//! Civil-date arithmetic without a date library (days-from-civil algorithm by
//! Howard Hinnant), so time labels need no dependency and no time zone database:
//! the browser passes its UTC offset in.

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

#[cfg(test)]
mod tests {
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
}
