//! Spans people write in dashboards and rules (`30m`, `4h`, `2d`, `1w`).

/// Seconds of a span such as `90s`, `30m`, `4h`, `2d` or `1w`.
pub fn parse_span(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let problem = || format!("{text:?} is not a duration like 30m, 4h, 2d or 1w");
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(problem)?;
    let amount: u32 = text[..split].parse().map_err(|_| problem())?;
    let unit = match &text[split..] {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        _ => return Err(problem()),
    };
    let seconds = f64::from(amount) * unit;
    (seconds > 0.0).then_some(seconds).ok_or_else(problem)
}

/// Seconds of a Prometheus duration as rule files write them (`for: 1h30m`):
/// whole numbers with the units `y w d h m s ms`, each at most once and in
/// that order, or `0`. A year is 365 days, as in Prometheus.
pub fn parse_prometheus_duration(text: &str) -> Result<f64, String> {
    const UNITS: [(&str, f64); 7] = [
        ("y", 31_536_000.0),
        ("w", 604_800.0),
        ("d", 86_400.0),
        ("h", 3600.0),
        ("m", 60.0),
        ("s", 1.0),
        ("ms", 0.001),
    ];
    let problem = || {
        format!(
            "{:?} is not a duration like 30s, 5m, 1h30m or 2d",
            crate::foundation::limits::excerpt(text, 40)
        )
    };
    if text == "0" {
        return Ok(0.0);
    }
    let mut rest = text;
    let mut next_unit = 0;
    let mut seconds = 0.0;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 || digits > 15 {
            return Err(problem());
        }
        // Whole numbers only (at most 15 digits: exact in an f64); read as an
        // integer, which keeps the float parser's tables out of the app.
        let amount = rest[..digits].parse::<u64>().map_err(|_| problem())? as f64;
        rest = &rest[digits..];
        // `ms` before `m`, so that `5ms` is not five minutes and an `s`.
        let unit = (next_unit..UNITS.len())
            .filter(|&index| rest.starts_with(UNITS[index].0))
            .max_by_key(|&index| UNITS[index].0.len())
            .ok_or_else(problem)?;
        rest = &rest[UNITS[unit].0.len()..];
        seconds += amount * UNITS[unit].1;
        next_unit = unit + 1;
    }
    if text.is_empty() {
        return Err(problem());
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_prometheus_durations() {
        for (text, seconds) in [
            ("0", 0.0),
            ("0s", 0.0),
            ("30s", 30.0),
            ("5m", 300.0),
            ("1h30m", 5400.0),
            ("2d", 172_800.0),
            ("1w", 604_800.0),
            ("1y", 31_536_000.0),
            ("500ms", 0.5),
            ("1m30s500ms", 90.5),
            ("1h0m", 3600.0),
        ] {
            assert_eq!(parse_prometheus_duration(text), Ok(seconds), "{text}");
        }
        for text in [
            "", "5", "m", "5 m", "1m1h", "1m1m", "1.5h", "-5m", "5M", "1s1ms1s",
        ] {
            assert!(parse_prometheus_duration(text).is_err(), "{text}");
        }
    }
}
