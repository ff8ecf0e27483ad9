//! Value units as dashboards name them (Grafana's unit ids, so imported
//! dashboards map one to one) and their human formatting.

crate::foundation::json_serde::json_as_name!(Unit => id);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// Plain number with k/M/G/T suffixes.
    #[default]
    Short,
    /// The number as it is.
    None,
    /// Values 0–100 shown with `%`.
    Percent,
    /// Values 0–1 shown as a percentage.
    PercentUnit,
    Seconds,
    Milliseconds,
    /// Binary multiples: KiB, MiB, GiB…
    BytesIec,
    /// Decimal multiples: kB, MB, GB…
    BytesSi,
    RequestsPerSecond,
    /// Rates, as Grafana writes them: bytes (decimal and binary multiples),
    /// bits, packets, I/O operations and operations per second.
    BytesPerSecondSi,
    BytesPerSecondIec,
    BitsPerSecond,
    PacketsPerSecond,
    IoPerSecond,
    OpsPerSecond,
}

impl Unit {
    pub const ALL: [Unit; 15] = [
        Unit::Short,
        Unit::None,
        Unit::Percent,
        Unit::PercentUnit,
        Unit::Seconds,
        Unit::Milliseconds,
        Unit::BytesIec,
        Unit::BytesSi,
        Unit::RequestsPerSecond,
        Unit::BytesPerSecondSi,
        Unit::BytesPerSecondIec,
        Unit::BitsPerSecond,
        Unit::PacketsPerSecond,
        Unit::IoPerSecond,
        Unit::OpsPerSecond,
    ];

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|unit| unit.id() == id)
    }

    /// The Grafana unit id this unit is written as (`short`, `percentunit`, …).
    pub fn id(self) -> &'static str {
        match self {
            Unit::Short => "short",
            Unit::None => "none",
            Unit::Percent => "percent",
            Unit::PercentUnit => "percentunit",
            Unit::Seconds => "s",
            Unit::Milliseconds => "ms",
            Unit::BytesIec => "bytes",
            Unit::BytesSi => "decbytes",
            Unit::RequestsPerSecond => "reqps",
            Unit::BytesPerSecondSi => "Bps",
            Unit::BytesPerSecondIec => "binBps",
            Unit::BitsPerSecond => "bps",
            Unit::PacketsPerSecond => "pps",
            Unit::IoPerSecond => "iops",
            Unit::OpsPerSecond => "ops",
        }
    }
}

/// Fixed decimals when given, otherwise three significant digits without trailing zeros.
fn number(value: f64, decimals: Option<u8>) -> String {
    if let Some(decimals) = decimals {
        return format!("{value:.prec$}", prec = usize::from(decimals.min(12)));
    }
    let magnitude = value.abs();
    let places = if magnitude == 0.0 || magnitude >= 100.0 {
        0
    } else {
        (2 - magnitude.log10().floor() as i32).clamp(0, 12) as usize
    };
    let text = format!("{value:.places$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn scaled(
    value: f64,
    decimals: Option<u8>,
    base: f64,
    suffixes: &[&str],
    separator: &str,
) -> String {
    let mut index = 0;
    let mut scaled = value;
    while scaled.abs() >= base && index + 1 < suffixes.len() {
        scaled /= base;
        index += 1;
    }
    format!("{}{separator}{}", number(scaled, decimals), suffixes[index])
}

fn duration_seconds(value: f64, decimals: Option<u8>) -> String {
    let magnitude = value.abs();
    let (amount, suffix) = match magnitude {
        0.0 => (value, "s"),
        m if m < 1e-3 => (value * 1e6, "µs"),
        m if m < 1.0 => (value * 1e3, "ms"),
        m if m < 60.0 => (value, "s"),
        m if m < 3600.0 => (value / 60.0, "min"),
        m if m < 86_400.0 => (value / 3600.0, "h"),
        _ => (value / 86_400.0, "d"),
    };
    format!("{} {suffix}", number(amount, decimals))
}

/// How Prometheus spells a value that is not a finite number (`NaN`, `+Inf`, `-Inf`).
pub fn non_finite_text(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value.is_infinite() {
        Some(if value > 0.0 { "+Inf" } else { "-Inf" })
    } else {
        None
    }
}

/// Formats `value` in `unit`; NaN and infinities are spelled out, never shown as a number.
pub fn format_value(value: f64, unit: Unit, decimals: Option<u8>) -> String {
    if let Some(text) = non_finite_text(value) {
        return text.into();
    }
    match unit {
        Unit::None => number(value, decimals),
        Unit::Short => scaled(value, decimals, 1000.0, &["", "k", "M", "G", "T", "P"], ""),
        Unit::Percent => format!("{}%", number(value, decimals)),
        Unit::PercentUnit => format!("{}%", number(value * 100.0, decimals)),
        Unit::Seconds => duration_seconds(value, decimals),
        Unit::Milliseconds => duration_seconds(value / 1000.0, decimals),
        Unit::BytesIec => scaled(
            value,
            decimals,
            1024.0,
            &["B", "KiB", "MiB", "GiB", "TiB", "PiB"],
            " ",
        ),
        Unit::BytesSi => scaled(
            value,
            decimals,
            1000.0,
            &["B", "kB", "MB", "GB", "TB", "PB"],
            " ",
        ),
        Unit::RequestsPerSecond => per_second(value, decimals, "req/s"),
        Unit::BytesPerSecondSi => scaled(
            value,
            decimals,
            1000.0,
            &["B/s", "kB/s", "MB/s", "GB/s", "TB/s", "PB/s"],
            " ",
        ),
        Unit::BytesPerSecondIec => scaled(
            value,
            decimals,
            1024.0,
            &["B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s", "PiB/s"],
            " ",
        ),
        Unit::BitsPerSecond => scaled(
            value,
            decimals,
            1000.0,
            &["b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s", "Pb/s"],
            " ",
        ),
        Unit::PacketsPerSecond => per_second(value, decimals, "p/s"),
        Unit::IoPerSecond => per_second(value, decimals, "io/s"),
        Unit::OpsPerSecond => per_second(value, decimals, "ops/s"),
    }
}

/// A count per second: `1.2k req/s`.
fn per_second(value: f64, decimals: Option<u8>, what: &str) -> String {
    format!(
        "{} {what}",
        scaled(value, decimals, 1000.0, &["", "k", "M", "G"], "")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::json::{FromJson, ToJson};

    #[test]
    fn formats_rates_as_grafana_names_them() {
        assert_eq!(
            format_value(1500.0, Unit::BytesPerSecondSi, None),
            "1.5 kB/s"
        );
        assert_eq!(
            format_value(2048.0, Unit::BytesPerSecondIec, None),
            "2 KiB/s"
        );
        assert_eq!(format_value(3e6, Unit::BitsPerSecond, None), "3 Mb/s");
        assert_eq!(
            format_value(1234.0, Unit::PacketsPerSecond, None),
            "1.23k p/s"
        );
        assert_eq!(format_value(12.0, Unit::IoPerSecond, None), "12 io/s");
        assert_eq!(format_value(0.5, Unit::OpsPerSecond, None), "0.5 ops/s");
        for unit in Unit::ALL {
            assert_eq!(Unit::from_id(unit.id()), Some(unit));
        }
    }

    #[test]
    fn formats_each_unit() {
        assert_eq!(format_value(1234.5, Unit::Short, None), "1.23k");
        assert_eq!(format_value(0.5, Unit::Short, None), "0.5");
        assert_eq!(format_value(12.3456, Unit::Percent, Some(2)), "12.35%");
        assert_eq!(format_value(0.0567, Unit::PercentUnit, None), "5.67%");
        assert_eq!(format_value(0.2346, Unit::Seconds, None), "235 ms");
        assert_eq!(format_value(0.000_012, Unit::Seconds, None), "12 µs");
        assert_eq!(format_value(90.0, Unit::Seconds, None), "1.5 min");
        assert_eq!(format_value(7200.0, Unit::Seconds, None), "2 h");
        assert_eq!(format_value(250.0, Unit::Milliseconds, None), "250 ms");
        assert_eq!(format_value(1536.0, Unit::BytesIec, None), "1.5 KiB");
        assert_eq!(
            format_value(100.0 * 1024.0 * 1024.0 * 1024.0, Unit::BytesIec, None),
            "100 GiB"
        );
        assert_eq!(format_value(1_500_000.0, Unit::BytesSi, Some(1)), "1.5 MB");
        assert_eq!(
            format_value(12.5, Unit::RequestsPerSecond, None),
            "12.5 req/s"
        );
        assert_eq!(format_value(-2_000.0, Unit::Short, None), "-2k");
        assert_eq!(format_value(3.0, Unit::None, Some(3)), "3.000");
    }

    #[test]
    fn nan_and_infinity_are_never_numbers() {
        for unit in [Unit::Short, Unit::Percent, Unit::Seconds, Unit::BytesIec] {
            assert_eq!(format_value(f64::NAN, unit, None), "NaN");
            assert_eq!(format_value(f64::INFINITY, unit, Some(2)), "+Inf");
        }
    }

    #[test]
    fn unit_ids_are_grafanas() {
        assert_eq!(Unit::from_id("percent"), Some(Unit::Percent));
        for unit in [
            Unit::Short,
            Unit::None,
            Unit::Percent,
            Unit::PercentUnit,
            Unit::Seconds,
            Unit::Milliseconds,
            Unit::BytesIec,
            Unit::BytesSi,
            Unit::RequestsPerSecond,
        ] {
            assert_eq!(Unit::from_id(unit.id()), Some(unit), "{}", unit.id());
        }
        assert_eq!(Unit::from_id("decbytes"), Some(Unit::BytesSi));
        assert_eq!(Unit::from_id("reqps"), Some(Unit::RequestsPerSecond));
        assert_eq!(Unit::from_id("furlongs"), None);
        assert_eq!(Unit::Seconds.to_json().to_string(), "\"s\"");
        assert_eq!(Unit::from_json(&"decbytes".into()), Ok(Unit::BytesSi));
    }
}
