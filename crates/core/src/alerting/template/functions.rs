//! Prometheus's template functions (and the text helpers Go's built-ins
//! need), each as Prometheus 2.42 computes it.

use crate::alerting::go_fmt;
use crate::foundation::limits::MAX_TEMPLATE_OUTPUT_BYTES;

/// Prometheus's `humanize` / `humanize1024`: divide down through the prefixes, then `%.4g`.
pub(crate) fn humanize(value: f64, base: f64, large: &[&str], small: &[&str]) -> String {
    let special = value == 0.0 || !value.is_finite();
    if special || (base == 1024.0 && value.abs() <= 1.0) {
        return format_significant(value);
    }
    let mut v = value;
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in large {
            if v.abs() < base {
                break;
            }
            prefix = p;
            v /= base;
        }
    } else {
        for p in small {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= base;
        }
    }
    format!("{}{prefix}", format_significant(v))
}

/// Go's `%.4g`, as Prometheus's `humanize` functions end.
pub(crate) fn format_significant(value: f64) -> String {
    go_fmt::format_significant(value, 4)
}

/// Prometheus's `humanizeDuration`.
pub(crate) fn humanize_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return format_significant(seconds);
    }
    if seconds == 0.0 {
        return format!("{}s", format_significant(seconds)); // `-0s` too, as Go
    }
    if seconds.abs() >= 1.0 {
        let sign = if seconds < 0.0 { "-" } else { "" };
        // Go's `int64(v)`: past 2^63 it is the smallest int64 on the
        // machines Prometheus runs on (Rust's `as` would saturate instead).
        let whole = if seconds.abs() >= 9_223_372_036_854_775_808.0 {
            i64::MIN
        } else {
            seconds.abs().trunc() as i64
        };
        let (days, hours, minutes, secs) = (
            whole / 86_400,
            whole / 3600 % 24,
            whole / 60 % 60,
            whole % 60,
        );
        return if days != 0 {
            format!("{sign}{days}d {hours}h {minutes}m {secs}s")
        } else if hours != 0 {
            format!("{sign}{hours}h {minutes}m {secs}s")
        } else if minutes != 0 {
            format!("{sign}{minutes}m {secs}s")
        } else {
            format!("{sign}{}s", format_significant(seconds.abs()))
        };
    }
    let mut v = seconds;
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", format_significant(v))
}

/// Go's `unicode.ToUpper`: one character for one, so `ß` stays `ß` where
/// Rust's full mapping makes `SS`.
pub(crate) fn go_upper(c: char) -> char {
    single(c.to_uppercase()).unwrap_or(c)
}

/// Go's `unicode.ToLower` (`İ` is `i`, where Rust's full mapping adds a dot).
pub(crate) fn go_lower(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    single(c.to_lowercase()).unwrap_or(c)
}

/// Go's `unicode.ToTitle`: upper case, except the digraphs `ǅ ǈ ǋ ǲ`, whose
/// title case is their own.
fn go_title_case(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        _ => go_upper(c),
    }
}

fn single(mut mapped: impl Iterator<Item = char>) -> Option<char> {
    match (mapped.next(), mapped.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// Go's `strings.Title` (which Prometheus's `title` is): each letter that
/// follows a separator is upper-cased, the rest left as they are. ASCII
/// letters, digits and `_` are not separators, nor are other letters and
/// digits; other ASCII characters and white space are.
pub(crate) fn go_title(text: &str) -> String {
    let separates = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else {
            c.is_whitespace()
        }
    };
    let mut previous = ' ';
    text.chars()
        .map(|c| {
            let upper = separates(previous);
            previous = c;
            if upper {
                go_title_case(c)
            } else {
                c
            }
        })
        .collect()
}

/// `humanizeTimestamp` and `toTime`: seconds to Prometheus's milliseconds
/// (nanoseconds first, refused past `int64`, then truncated as Go divides).
pub(crate) fn timestamp_millis(seconds: f64) -> Result<i64, String> {
    let nanos = seconds * 1e9;
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&nanos) {
        return Err(format!(
            "{} cannot be represented as a nanoseconds timestamp since it overflows int64",
            go_fmt::format_go_float(seconds)
        ));
    }
    Ok(nanos as i64 / 1_000_000)
}

/// The civil date of a day since 1970-01-01 (proleptic Gregorian).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Go's `time.Time.String()` in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC`.
pub(crate) fn go_time_text(millis: i64) -> String {
    let seconds = millis.div_euclid(1000);
    let fraction = millis.rem_euclid(1000);
    let (year, month, day) = civil(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    let mut text = format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    );
    if fraction != 0 {
        let digits = format!("{fraction:03}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text.push_str(" +0000 UTC");
    text
}

/// A method of `*time.Time` that takes no argument and returns a number.
pub(crate) fn time_method(millis: i64, name: &str) -> Option<i64> {
    let seconds = millis.div_euclid(1000);
    let of_day = seconds.rem_euclid(86_400);
    let (year, _, day) = civil(seconds.div_euclid(86_400));
    Some(match name {
        "Unix" => seconds,
        "UnixMilli" => millis,
        "UnixNano" => millis * 1_000_000,
        "Year" => year,
        "Day" => i64::from(day),
        "Hour" => of_day / 3600,
        "Minute" => of_day / 60 % 60,
        "Second" => of_day % 60,
        _ => return None,
    })
}

/// Prometheus's `parseDuration` (`model.ParseDuration`): units in order from
/// years to milliseconds, whole numbers only, in seconds.
pub(crate) fn parse_duration(text: &str) -> Result<f64, String> {
    let invalid = || format!("not a valid duration string: {text:?}");
    if text == "0" {
        return Ok(0.0);
    }
    const UNITS: [(&str, u64); 8] = [
        ("y", 365 * 86_400_000),
        ("w", 7 * 86_400_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
        ("ms", 1),
        ("", 0),
    ];
    let mut rest = text;
    let mut next_unit = 0;
    let mut total: u64 = 0;
    if rest.is_empty() {
        return Err(invalid());
    }
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(invalid());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let letters = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len();
        let unit = &rest[..letters];
        rest = &rest[letters..];
        let index = UNITS[next_unit..7]
            .iter()
            .position(|(name, _)| *name == unit)
            .ok_or_else(invalid)?
            + next_unit;
        next_unit = index + 1;
        total = number
            .checked_mul(UNITS[index].1)
            .and_then(|ms| total.checked_add(ms))
            .filter(|ms| *ms <= i64::MAX as u64 / 1_000_000)
            .ok_or_else(|| "duration out of range".to_string())?;
    }
    Ok(total as f64 / 1000.0)
}

/// Go's `net.SplitHostPort`.
fn split_host_port(text: &str) -> Option<(&str, &str)> {
    if let Some(bracketed) = text.strip_prefix('[') {
        let end = bracketed.find(']')?;
        let port = bracketed[end + 1..].strip_prefix(':')?;
        let host = &bracketed[..end];
        if port.contains([':', '[', ']']) || host.contains('[') {
            return None;
        }
        return Some((host, port));
    }
    let colon = text.rfind(':')?;
    let (host, port) = (&text[..colon], &text[colon + 1..]);
    if host.contains([':', '[', ']']) || port.contains(['[', ']']) {
        return None;
    }
    Some((host, port))
}

/// Prometheus's `stripPort`.
pub(crate) fn strip_port(text: &str) -> String {
    split_host_port(text)
        .map_or(text, |(host, _)| host)
        .to_string()
}

/// Prometheus's `stripDomain`: the first label of a host name, with its
/// port; IP addresses are left whole.
pub(crate) fn strip_domain(text: &str) -> String {
    let (host, port) = split_host_port(text).unwrap_or((text, ""));
    if host.parse::<std::net::IpAddr>().is_ok() {
        return text.to_string();
    }
    let first = host.split('.').next().unwrap_or("");
    if port.is_empty() {
        first.to_string()
    } else if first.contains(':') {
        format!("[{first}]:{port}")
    } else {
        format!("{first}:{port}")
    }
}

/// Go's `url.QueryEscape`.
pub(crate) fn query_escape(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's `template.HTMLEscapeString`.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
pub(crate) fn js_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 || (!c.is_ascii() && c.is_control()) => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Prometheus's `graphLink` and `tableLink`.
pub(crate) fn expression_link(expression: &str, tab: u8) -> String {
    format!("/graph?g0.expr={}&g0.tab={tab}", query_escape(expression))
}

/// The path of an external URL, as `pathPrefix` returns it.
pub(crate) fn url_path(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(slash) => after_scheme[slash..]
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .to_string(),
        None => String::new(),
    }
}

/// Refuses a text past the output cap (a function's result too: `print`
/// of a long text many times would otherwise build megabytes).
pub(crate) fn bounded(text: String) -> Result<String, String> {
    if text.len() > MAX_TEMPLATE_OUTPUT_BYTES {
        return Err("the template renders to more than 16 KiB".into());
    }
    Ok(text)
}
