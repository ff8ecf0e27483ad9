//! Human formatting of sample values.

/// `1234.5` → `1.23k`; keeps three significant digits, SI suffixes up to T.
pub fn format_short(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let magnitude = value.abs();
    let (scaled, suffix) = match magnitude {
        m if m >= 1e12 => (value / 1e12, "T"),
        m if m >= 1e9 => (value / 1e9, "G"),
        m if m >= 1e6 => (value / 1e6, "M"),
        m if m >= 1e3 => (value / 1e3, "k"),
        _ => (value, ""),
    };
    let abs = scaled.abs();
    let decimals = if abs == 0.0 || abs >= 100.0 {
        0
    } else if abs >= 10.0 {
        1
    } else if abs >= 1.0 || !suffix.is_empty() {
        2
    } else {
        // Small numbers: three significant digits.
        (2 - abs.log10().floor() as i32).clamp(2, 12) as usize
    };
    let text = format!("{scaled:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_format_uses_si_suffixes() {
        assert_eq!(format_short(0.0), "0");
        assert_eq!(format_short(12.345), "12.3");
        assert_eq!(format_short(1234.5), "1.23k");
        assert_eq!(format_short(-2_500_000.0), "-2.5M");
        assert_eq!(format_short(3e9), "3G");
        assert_eq!(format_short(0.012_34), "0.0123");
        assert_eq!(format_short(150.0), "150");
        assert_eq!(format_short(f64::NAN), "NaN");
        assert_eq!(format_short(f64::NEG_INFINITY), "-Inf");
    }
}
