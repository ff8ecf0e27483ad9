//! Auto-refresh intervals.

/// The intervals the refresh picker offers.
pub const REFRESH_CHOICES: [&str; 6] = ["off", "5s", "10s", "30s", "1m", "5m"];

/// Seconds of a refresh interval such as `30s`, `1m`, `2h`; `None` for `off` or nonsense.
pub fn parse_refresh(text: &str) -> Option<u32> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let amount: u32 = text[..split].parse().ok()?;
    let seconds = match &text[split..] {
        "s" => amount,
        "m" => amount.checked_mul(60)?,
        "h" => amount.checked_mul(3600)?,
        _ => return None,
    };
    (seconds > 0).then_some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_refresh_intervals() {
        assert_eq!(parse_refresh("5s"), Some(5));
        assert_eq!(parse_refresh("1m"), Some(60));
        assert_eq!(parse_refresh("2h"), Some(7200));
        for bad in ["off", "", "0s", "5", "s", "5d", "-5s"] {
            assert_eq!(parse_refresh(bad), None, "{bad}");
        }
    }
}
