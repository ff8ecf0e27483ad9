//! Time ranges in Grafana's syntax: `now`, `now-6h`, `now+1d`, `now/d`,
//! `now-1d/d`, or epoch milliseconds. Resolution takes the clock as an argument.

use crate::foundation::calendar::{
    civil_from_unix_seconds, unix_seconds_from_civil, unix_seconds_from_local, CivilTime, UtcOffset,
};
use std::fmt;

/// A point in time as written in a URL or dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeExpression {
    /// `now` shifted by `amount` units (negative is the past), optionally rounded
    /// down to the start of a calendar unit (UTC). Kept as written so it displays unchanged.
    Relative {
        amount: i64,
        unit: CalendarUnit,
        round_to: Option<CalendarUnit>,
    },
    /// Epoch milliseconds.
    Absolute { epoch_ms: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarUnit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl CalendarUnit {
    fn from_suffix(suffix: &str) -> Option<Self> {
        Some(match suffix {
            "s" => Self::Second,
            "m" => Self::Minute,
            "h" => Self::Hour,
            "d" => Self::Day,
            "w" => Self::Week,
            "M" => Self::Month,
            "y" => Self::Year,
            _ => return None,
        })
    }

    fn suffix(self) -> &'static str {
        match self {
            Self::Second => "s",
            Self::Minute => "m",
            Self::Hour => "h",
            Self::Day => "d",
            Self::Week => "w",
            Self::Month => "M",
            Self::Year => "y",
        }
    }

    /// Fixed length used for offsets (months as 30 days and years as 365, as Grafana does for durations).
    fn approximate_ms(self) -> i64 {
        match self {
            Self::Second => 1_000,
            Self::Minute => 60_000,
            Self::Hour => 3_600_000,
            Self::Day => 86_400_000,
            Self::Week => 7 * 86_400_000,
            Self::Month => 30 * 86_400_000,
            Self::Year => 365 * 86_400_000,
        }
    }
}

/// A time expression that could not be understood, with the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeParseError(pub String);

impl fmt::Display for TimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TimeExpression {
    pub fn now() -> Self {
        Self::Relative {
            amount: 0,
            unit: CalendarUnit::Second,
            round_to: None,
        }
    }

    /// `now` minus whole seconds, written in the largest unit that divides it exactly.
    pub fn now_minus_seconds(seconds: i64) -> Self {
        let unit = [
            CalendarUnit::Week,
            CalendarUnit::Day,
            CalendarUnit::Hour,
            CalendarUnit::Minute,
        ]
        .into_iter()
        .find(|unit| seconds % (unit.approximate_ms() / 1000) == 0)
        .unwrap_or(CalendarUnit::Second);
        Self::Relative {
            amount: -seconds / (unit.approximate_ms() / 1000),
            unit,
            round_to: None,
        }
    }

    pub fn parse(input: &str) -> Result<Self, TimeParseError> {
        let text = input.trim();
        let invalid = || {
            TimeParseError(format!(
                "time {text:?} is not understood; use epoch milliseconds or Grafana syntax like now, now-6h, now-7d/d"
            ))
        };
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            let epoch_ms = text.parse::<i64>().map_err(|_| invalid())?;
            return Ok(Self::Absolute { epoch_ms });
        }
        let rest = text.strip_prefix("now").ok_or_else(invalid)?;
        let (offset_part, round_part) = match rest.split_once('/') {
            Some((offset, round)) => (offset, Some(round)),
            None => (rest, None),
        };
        let (amount, unit) = if offset_part.is_empty() {
            (0, CalendarUnit::Second)
        } else {
            let sign = match offset_part.as_bytes()[0] {
                b'-' => -1,
                b'+' => 1,
                _ => return Err(invalid()),
            };
            let body = &offset_part[1..];
            let digits_end = body
                .find(|c: char| !c.is_ascii_digit())
                .ok_or_else(invalid)?;
            if digits_end == 0 {
                return Err(invalid());
            }
            let amount: i64 = body[..digits_end].parse().map_err(|_| invalid())?;
            let unit = CalendarUnit::from_suffix(&body[digits_end..]).ok_or_else(invalid)?;
            amount
                .checked_mul(unit.approximate_ms())
                .ok_or_else(invalid)?;
            (amount * sign, unit)
        };
        let round_to = match round_part {
            None => None,
            Some(unit) => Some(CalendarUnit::from_suffix(unit).ok_or_else(invalid)?),
        };
        Ok(Self::Relative {
            amount,
            unit,
            round_to,
        })
    }

    /// Like [`parse`](Self::parse), and also a local date-time as typed in a picker:
    /// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` or `YYYY-MM-DD HH:MM:SS` (a `T` may separate),
    /// in `zone` (with the offset in force at that time).
    pub fn parse_local(input: &str, zone: &impl UtcOffset) -> Result<Self, TimeParseError> {
        let text = input.trim();
        if let Some(epoch_ms) = parse_local_datetime(text, zone) {
            return Ok(Self::Absolute { epoch_ms });
        }
        Self::parse(text).map_err(|_| {
            TimeParseError(format!(
                "time {text:?} is not understood; use now-6h style, 2026-11-20 10:00, or epoch milliseconds"
            ))
        })
    }

    /// Epoch milliseconds of this expression at the given `now`.
    pub fn resolve(&self, now_ms: i64) -> i64 {
        match *self {
            Self::Absolute { epoch_ms } => epoch_ms,
            Self::Relative {
                amount,
                unit,
                round_to,
            } => {
                let shifted = now_ms.saturating_add(amount.saturating_mul(unit.approximate_ms()));
                match round_to {
                    None => shifted,
                    Some(unit) => round_down_utc(shifted, unit),
                }
            }
        }
    }
}

impl fmt::Display for TimeExpression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Absolute { epoch_ms } => write!(f, "{epoch_ms}"),
            Self::Relative {
                amount,
                unit,
                round_to,
            } => {
                f.write_str("now")?;
                if amount != 0 {
                    write!(
                        f,
                        "{}{}{}",
                        if amount < 0 { '-' } else { '+' },
                        amount.unsigned_abs(),
                        unit.suffix()
                    )?;
                }
                if let Some(unit) = round_to {
                    write!(f, "/{}", unit.suffix())?;
                }
                Ok(())
            }
        }
    }
}

fn parse_local_datetime(text: &str, zone: &impl UtcOffset) -> Option<i64> {
    let (date, time) = match text.split_once([' ', 'T']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut date_parts = date.split('-');
    let year: i64 = date_parts
        .next()?
        .parse()
        .ok()
        .filter(|_| date.len() == 10)?;
    let month: u32 = date_parts
        .next()?
        .parse()
        .ok()
        .filter(|m| (1..=12).contains(m))?;
    let day: u32 = date_parts
        .next()?
        .parse()
        .ok()
        .filter(|d| (1..=31).contains(d))?;
    let (mut hour, mut minute, mut second) = (0, 0, 0);
    if let Some(time) = time {
        let parts: Vec<&str> = time.split(':').collect();
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2) {
            return None;
        }
        hour = parts[0].parse().ok().filter(|h| *h < 24)?;
        minute = parts[1].parse().ok().filter(|m| *m < 60)?;
        second = parts
            .get(2)
            .map_or(Some(0), |s| s.parse().ok().filter(|s| *s < 60))?;
    }
    let civil = CivilTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
    };
    let local_seconds = unix_seconds_from_civil(&civil);
    // Reject dates that do not exist (e.g. 02-31), which would silently roll over.
    if civil_from_unix_seconds(local_seconds) != civil {
        return None;
    }
    Some(unix_seconds_from_local(local_seconds, zone) * 1000)
}

fn round_down_utc(epoch_ms: i64, unit: CalendarUnit) -> i64 {
    let seconds = epoch_ms.div_euclid(1000);
    let t = civil_from_unix_seconds(seconds);
    let rounded = match unit {
        CalendarUnit::Second => t,
        CalendarUnit::Minute => CivilTime { second: 0, ..t },
        CalendarUnit::Hour => CivilTime {
            minute: 0,
            second: 0,
            ..t
        },
        CalendarUnit::Day | CalendarUnit::Week => CivilTime {
            hour: 0,
            minute: 0,
            second: 0,
            ..t
        },
        CalendarUnit::Month => CivilTime {
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            ..t
        },
        CalendarUnit::Year => CivilTime {
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            ..t
        },
    };
    let mut result = unix_seconds_from_civil(&rounded);
    if unit == CalendarUnit::Week {
        // Weeks start on Monday; 1970-01-01 was a Thursday.
        let days = result.div_euclid(86_400);
        result -= (days + 3).rem_euclid(7) * 86_400;
    }
    result * 1000
}

/// A dashboard time range, `from` before `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeRange {
    pub from: TimeExpression,
    pub to: TimeExpression,
}

/// A resolved range in epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedRange {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl ResolvedRange {
    pub fn duration_seconds(&self) -> f64 {
        // In floating point: a link's ends may be ±2^63 ms apart, past i64.
        (self.end_ms as f64 - self.start_ms as f64) / 1000.0
    }
}

impl TimeRange {
    /// The range to show: this one; else `fallback` (the dashboard's default)
    /// with a message saying why; else the last hour, when the default is empty
    /// too (`now` to `now` in a dashboard from a link). Never fails, so no
    /// link can leave the page without a range.
    pub fn resolve_or_fallback(
        &self,
        fallback: &TimeRange,
        now_ms: i64,
    ) -> (ResolvedRange, Option<String>) {
        let error = match self.resolve(now_ms) {
            Ok(range) => return (range, None),
            Err(error) => error,
        };
        match fallback.resolve(now_ms) {
            Ok(range) => (range, Some(format!("{error}; showing the dashboard's default range"))),
            Err(default_error) => (
                ResolvedRange {
                    start_ms: now_ms.saturating_sub(3_600_000),
                    end_ms: now_ms,
                },
                Some(format!(
                    "{error}, and the dashboard's default range is unusable too ({default_error}); showing the last hour"
                )),
            ),
        }
    }

    pub fn last(duration_ms: i64) -> Self {
        Self {
            from: TimeExpression::now_minus_seconds(duration_ms / 1000),
            to: TimeExpression::now(),
        }
    }

    pub fn resolve(&self, now_ms: i64) -> Result<ResolvedRange, TimeParseError> {
        let start_ms = self.from.resolve(now_ms);
        let end_ms = self.to.resolve(now_ms);
        if start_ms >= end_ms {
            return Err(TimeParseError(format!(
                "time range from {} to {} is empty or reversed",
                self.from, self.to
            )));
        }
        Ok(ResolvedRange { start_ms, end_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_763_900_000_123; // 2025-11-23T12:13:20.123Z

    #[test]
    fn an_empty_range_falls_back_to_the_default_then_the_last_hour() {
        let now_to_now = TimeRange {
            from: TimeExpression::now(),
            to: TimeExpression::now(),
        };
        let default = TimeRange::last(6 * 3_600_000);
        let (range, note) = now_to_now.resolve_or_fallback(&default, NOW);
        assert_eq!(range.end_ms - range.start_ms, 6 * 3_600_000);
        assert!(note.unwrap().contains("empty or reversed"));
        let (range, note) = now_to_now.resolve_or_fallback(&now_to_now, NOW);
        assert_eq!((range.start_ms, range.end_ms), (NOW - 3_600_000, NOW));
        assert!(note.unwrap().contains("showing the last hour"));
        let (range, note) = default.resolve_or_fallback(&now_to_now, NOW);
        assert_eq!((range.end_ms, note), (NOW, None));
    }

    #[test]
    fn parses_relative_and_absolute_forms() {
        assert_eq!(TimeExpression::parse("now").unwrap().resolve(NOW), NOW);
        assert_eq!(
            TimeExpression::parse("now-6h").unwrap().resolve(NOW),
            NOW - 6 * 3_600_000
        );
        assert_eq!(
            TimeExpression::parse("now+1d").unwrap().resolve(NOW),
            NOW + 86_400_000
        );
        assert_eq!(
            TimeExpression::parse("now-30d").unwrap().resolve(NOW),
            NOW - 30 * 86_400_000
        );
        assert_eq!(
            TimeExpression::parse("1700000000000").unwrap(),
            TimeExpression::Absolute {
                epoch_ms: 1_700_000_000_000
            }
        );
    }

    #[test]
    fn rounds_to_calendar_units_in_utc() {
        assert_eq!(
            TimeExpression::parse("now/d").unwrap().resolve(NOW),
            1_763_856_000_000
        );
        assert_eq!(
            TimeExpression::parse("now-1d/d").unwrap().resolve(NOW),
            1_763_856_000_000 - 86_400_000
        );
        assert_eq!(
            TimeExpression::parse("now/h").unwrap().resolve(NOW),
            1_763_899_200_000
        );
        // 2025-11-23 is a Sunday: the week started Monday 2025-11-17.
        assert_eq!(
            TimeExpression::parse("now/w").unwrap().resolve(NOW),
            1_763_337_600_000
        );
        assert_eq!(
            TimeExpression::parse("now/M").unwrap().resolve(NOW),
            1_761_955_200_000
        );
    }

    #[test]
    fn rejects_garbage_with_a_hint() {
        for bad in [
            "",
            "yesterday",
            "now-",
            "now-6",
            "now-6x",
            "now*6h",
            "now-99999999999999999y",
            "now/q",
            "12ab",
        ] {
            let error = TimeExpression::parse(bad).unwrap_err();
            assert!(error.0.contains("Grafana syntax"), "{bad}: {error}");
        }
    }

    #[test]
    fn displays_in_grafana_syntax() {
        for text in [
            "now",
            "now-6h",
            "now-7d",
            "now-2w",
            "now+5m",
            "now-1d/d",
            "now-90s",
            "1700000000000",
        ] {
            assert_eq!(TimeExpression::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            TimeExpression::now_minus_seconds(6 * 3600).to_string(),
            "now-6h"
        );
        assert_eq!(TimeExpression::now_minus_seconds(90).to_string(), "now-90s");
    }

    #[test]
    fn local_datetimes_as_typed_in_a_picker() {
        // 2025-11-23 12:13:20 UTC, typed in UTC and in UTC+02:00.
        assert_eq!(
            TimeExpression::parse_local("2025-11-23 12:13:20", &0).unwrap(),
            TimeExpression::Absolute {
                epoch_ms: 1_763_900_000_000
            }
        );
        assert_eq!(
            TimeExpression::parse_local("2025-11-23T14:13:20", &120).unwrap(),
            TimeExpression::Absolute {
                epoch_ms: 1_763_900_000_000
            }
        );
        assert_eq!(
            TimeExpression::parse_local("2025-11-23", &0).unwrap(),
            TimeExpression::Absolute {
                epoch_ms: 1_763_856_000_000
            }
        );
        assert_eq!(
            TimeExpression::parse_local("2025-11-23 12:13", &0).unwrap(),
            TimeExpression::Absolute {
                epoch_ms: 1_763_899_980_000
            }
        );
        assert_eq!(
            TimeExpression::parse_local("now-1h", &0)
                .unwrap()
                .to_string(),
            "now-1h"
        );
        for bad in [
            "2025-02-31",
            "2025-13-01 00:00",
            "2025-11-23 24:00",
            "2025-11-23 1:00",
            "25-11-23",
        ] {
            assert!(TimeExpression::parse_local(bad, &0).is_err(), "{bad}");
        }
    }

    #[test]
    fn reversed_ranges_are_errors() {
        let range = TimeRange {
            from: TimeExpression::parse("now").unwrap(),
            to: TimeExpression::parse("now-1h").unwrap(),
        };
        assert!(range.resolve(NOW).is_err());
        let last_hour = TimeRange::last(3_600_000).resolve(NOW).unwrap();
        assert_eq!(last_hour.duration_seconds(), 3600.0);
    }
}
