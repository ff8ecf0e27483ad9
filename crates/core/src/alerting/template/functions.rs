//! Prometheus's template functions (and the text helpers Go's built-ins
//! need), each as Prometheus 2.42 computes it.

use crate::alerting::go_fmt;
use crate::foundation::calendar::civil_from_unix_seconds;
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
    // Greek with ypogegrammeni: Go's simple mapping keeps one character
    // (ᾳ → ᾼ) where the full mapping makes two (ΑΙ).
    match c {
        '\u{1F80}'..='\u{1F87}' | '\u{1F90}'..='\u{1F97}' | '\u{1FA0}'..='\u{1FA7}' => {
            char::from_u32(c as u32 + 8).unwrap_or(c)
        }
        '\u{1FB3}' | '\u{1FC3}' | '\u{1FF3}' => char::from_u32(c as u32 + 9).unwrap_or(c),
        _ => single(c.to_uppercase()).unwrap_or(c),
    }
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
    // Exactly 2^63 passes Go's `> MaxInt64` test and converts to the
    // smallest int64 on the machines Prometheus runs on.
    if nanos == 9_223_372_036_854_775_808.0 {
        return Ok(i64::MIN / 1_000_000);
    }
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&nanos) {
        return Err(format!(
            "{} cannot be represented as a nanoseconds timestamp since it overflows int64",
            go_fmt::format_go_float(seconds)
        ));
    }
    Ok(nanos as i64 / 1_000_000)
}

/// Go's `time.Time.String()` in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC`.
pub(crate) fn go_time_text(millis: i64) -> String {
    let fraction = millis.rem_euclid(1000);
    let t = civil_from_unix_seconds(millis.div_euclid(1000));
    let mut text = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    );
    if fraction != 0 {
        let digits = format!("{fraction:03}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text.push_str(" +0000 UTC");
    text
}

/// A method of `*time.Time` that takes no argument and returns a number
/// (the two that alert templates use).
pub(crate) fn time_method(millis: i64, name: &str) -> Option<i64> {
    match name {
        "Unix" => Some(millis.div_euclid(1000)),
        "UnixMilli" => Some(millis),
        _ => None,
    }
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
    // As Prometheus: the nanoseconds as a float, divided (past 2^53 the
    // nanoseconds round first, so it is not the milliseconds divided).
    Ok((total * 1_000_000) as f64 / 1e9)
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

/// Go's `net.ParseIP` of dotted IPv4: four decimal parts up to 255, no
/// leading zeros. (std's parser would cost the page 1 KB for this one use.)
fn is_ipv4(text: &str) -> bool {
    let mut parts = 0;
    for part in text.split('.') {
        let bytes = part.as_bytes();
        if !(1..=3).contains(&bytes.len()) || (bytes.len() > 1 && bytes[0] == b'0') {
            return false;
        }
        let value = bytes.iter().try_fold(0u32, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        });
        if value.is_none_or(|v| v > 255) {
            return false;
        }
        parts += 1;
    }
    parts == 4
}

/// Go's `net.ParseIP` of IPv6: eight groups of up to four hex digits, or
/// fewer with one `::` standing for at least one, the last two possibly
/// written as IPv4.
fn is_ipv6(text: &str) -> bool {
    let text = match text.rfind(':') {
        // An IPv4 tail is two groups.
        Some(colon) if text[colon + 1..].contains('.') => {
            if !is_ipv4(&text[colon + 1..]) {
                return false;
            }
            format!("{}0:0", &text[..=colon])
        }
        _ => text.to_string(),
    };
    let groups = |side: &str| -> Option<usize> {
        if side.is_empty() {
            return Some(0);
        }
        side.split(':').try_fold(0, |n, g| {
            ((1..=4).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_hexdigit()))
                .then_some(n + 1)
        })
    };
    match text.split_once("::") {
        Some((left, right)) => {
            !right.contains("::")
                && matches!((groups(left), groups(right)), (Some(l), Some(r)) if l + r <= 7)
        }
        None => groups(&text) == Some(8),
    }
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
    if is_ipv4(host) || is_ipv6(host) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The address checks against std's parser (which accepts what Go's
    /// `net.ParseIP` accepts, zones aside), on written and random cases.
    #[test]
    fn addresses_are_recognised_as_std_recognises_them() {
        let mut cases: Vec<String> = [
            "1.2.3.4",
            "255.255.255.255",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "",
            ".",
            "::",
            "::1",
            "1::",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7::",
            "::1:2:3:4:5:6:7",
            "1::2::3",
            ":::",
            "1:",
            ":1",
            "12345::",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3",
            "g::1",
            "fe80::1%eth0",
            "db.example.com",
            "[::1]",
            "0.0.0.0",
            "::0.0.0.0",
            "1::2:3.4.5.6",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let alphabet = b"0123456789abcdefg:.";
        for _ in 0..20_000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            for k in 0..(seed % 20) {
                text.push(alphabet[((seed >> (k * 3)) % alphabet.len() as u64) as usize] as char);
            }
            cases.push(text);
        }
        for case in &cases {
            assert_eq!(
                is_ipv4(case) || is_ipv6(case),
                case.parse::<std::net::IpAddr>().is_ok(),
                "{case:?}"
            );
        }
    }
}
