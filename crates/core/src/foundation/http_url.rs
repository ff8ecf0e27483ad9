//! `http://` and `https://` URLs read as a browser reads them (the WHATWG URL
//! standard), for the addresses the page connects to: datasources, Alertmanager
//! and webhooks. Only what those need is read — scheme, host, port and path;
//! a user name, query or fragment is reported, not read — and the result is
//! what the browser will connect to: the scheme and host lowercased, IPv4
//! hosts in every form the standard accepts (`0x7f.1`, `2130706433`,
//! `0177.0.0.1`) written as four decimal numbers, IPv6 hosts compressed, the
//! default port dropped, `.` and `..` segments resolved.
//!
//! Stricter than the standard, on purpose: a host is ASCII letters, digits,
//! `.`, `-` and `_`, or an IP address (no percent-escapes, and no `xn--`
//! labels, whose decoding needs Unicode tables the page does not carry); a
//! path holds RFC 3986's characters only. Held to the `url` crate, which
//! implements the standard, by `tests/http_url_differential.rs`: where this
//! reader accepts an address, both read it the same.

use std::fmt::Write as _;

/// A parsed `http(s)` URL without user name, query or fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// Lowercase; an IPv6 address in brackets.
    pub host: String,
    /// `None` for the scheme's default port.
    pub port: Option<u16>,
    /// Starts with `/`.
    pub path: String,
}

/// Why a text is not a URL this reader takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlProblem {
    NotHttp,
    NoHost,
    UserInfo,
    QueryOrFragment,
    /// The host is not a plain name or IP address (the reason says which).
    Host(&'static str),
    Port,
    /// A path character outside RFC 3986's.
    Path,
    /// A segment like `c:` (a Windows drive letter), which readers of URLs
    /// treat differently before `..`.
    DriveLetter,
}

impl UrlProblem {
    /// What is wrong, as the end of "the address …".
    pub fn describe(self) -> &'static str {
        match self {
            UrlProblem::NotHttp => "is not an http(s) URL",
            UrlProblem::NoHost => "has no host",
            UrlProblem::UserInfo => "has a user name or password",
            UrlProblem::QueryOrFragment => "has a query or fragment",
            UrlProblem::Host(reason) => reason,
            UrlProblem::Port => "has a port that is not a number from 0 to 65535",
            UrlProblem::Path => {
                "has a path character other than letters, digits and -._~!$&'()*+,;=:@/%"
            }
            UrlProblem::DriveLetter => {
                "has a path segment like `c:`, which readers of URLs disagree on"
            }
        }
    }
}

impl HttpUrl {
    pub fn parse(text: &str) -> Result<Self, UrlProblem> {
        let (scheme, rest) = text.split_once("://").ok_or(UrlProblem::NotHttp)?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => "http",
            "https" => "https",
            _ => return Err(UrlProblem::NotHttp),
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, after) = rest.split_at(end);
        if after.contains(['?', '#']) {
            return Err(UrlProblem::QueryOrFragment);
        }
        if authority.contains('@') {
            return Err(UrlProblem::UserInfo);
        }
        let (host, port) = split_port(authority)?;
        let host = parse_host(host)?;
        let default_port = if scheme == "http" { 80 } else { 443 };
        let port = match port {
            None | Some("") => None,
            Some(digits) => {
                if !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(UrlProblem::Port);
                }
                let trimmed = digits.trim_start_matches('0');
                if trimmed.len() > 5 {
                    return Err(UrlProblem::Port);
                }
                let number: u32 = trimmed.parse().unwrap_or(0);
                let number = u16::try_from(number).map_err(|_| UrlProblem::Port)?;
                (number != default_port).then_some(number)
            }
        };
        Ok(Self {
            scheme,
            host,
            port,
            path: normalise_path(after)?,
        })
    }

    /// `scheme://host[:port]`: what same-origin rules compare.
    pub fn origin(&self) -> String {
        let mut origin = format!("{}://{}", self.scheme, self.host);
        if let Some(port) = self.port {
            let _ = write!(origin, ":{port}");
        }
        origin
    }

    /// The whole URL as the browser writes it.
    pub fn serialization(&self) -> String {
        format!("{}{}", self.origin(), self.path)
    }
}

/// The host and the port text of an authority (`[::1]:9090`, `prom:80`).
fn split_port(authority: &str) -> Result<(&str, Option<&str>), UrlProblem> {
    if authority.starts_with('[') {
        let close = authority.find(']').ok_or(UrlProblem::Host(
            "has an IPv6 address without its closing ]",
        ))?;
        let (host, rest) = authority.split_at(close + 1);
        return match rest.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if rest.is_empty() => Ok((host, None)),
            None => Err(UrlProblem::Host("has text after an IPv6 address")),
        };
    }
    Ok(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

fn parse_host(host: &str) -> Result<String, UrlProblem> {
    if host.is_empty() {
        return Err(UrlProblem::NoHost);
    }
    if let Some(inside) = host.strip_prefix('[') {
        let inside = inside
            .strip_suffix(']')
            .ok_or(UrlProblem::Host("has a malformed IPv6 address"))?;
        let pieces = parse_ipv6(inside).ok_or(UrlProblem::Host("has a malformed IPv6 address"))?;
        return Ok(format!("[{}]", write_ipv6(&pieces)));
    }
    let host = host.to_ascii_lowercase();
    if !host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        return Err(UrlProblem::Host(
            "has a host other than letters, digits, '.', '-' and '_', or an IP address",
        ));
    }
    if host.split('.').any(|label| label.starts_with("xn--")) {
        return Err(UrlProblem::Host(
            "has an internationalised (xn--) host name, which is not supported; use its IP address or another name",
        ));
    }
    if ends_in_a_number(&host) {
        let address = parse_ipv4(&host).ok_or(UrlProblem::Host("has a malformed IPv4 address"))?;
        let [a, b, c, d] = address.to_be_bytes();
        return Ok(format!("{a}.{b}.{c}.{d}"));
    }
    Ok(host)
}

/// The standard's test: the last label (after one trailing dot) is a number,
/// so the host is read as an IPv4 address.
fn ends_in_a_number(host: &str) -> bool {
    let host = host
        .strip_suffix('.')
        .filter(|h| !h.is_empty())
        .unwrap_or(host);
    let last = host.rsplit('.').next().unwrap_or("");
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    last.strip_prefix("0x")
        .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// One part of an IPv4 address: decimal, `0x` hexadecimal or `0` octal.
fn ipv4_number(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(hex) = part.strip_prefix("0x") {
        (hex, 16)
    } else if part.len() > 1 && part.starts_with('0') {
        (&part[1..], 8)
    } else {
        (part, 10)
    };
    if digits.is_empty() {
        return Some(0);
    }
    // Long parts are out of range anyway; this keeps the sum from overflowing.
    let digits = digits.trim_start_matches('0');
    if digits.len() > 12 {
        return None;
    }
    let mut value = 0u64;
    for c in digits.chars() {
        value = value * radix + u64::from(c.to_digit(radix as u32)?);
    }
    Some(value)
}

fn parse_ipv4(host: &str) -> Option<u32> {
    let mut parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    if parts.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = parts
        .iter()
        .map(|part| ipv4_number(part))
        .collect::<Option<_>>()?;
    let (last, leading) = numbers.split_last()?;
    if leading.iter().any(|&n| n > 255) || *last >= 256u64.pow(5 - numbers.len() as u32) {
        return None;
    }
    let mut address = *last;
    for (index, number) in leading.iter().enumerate() {
        address += number << (8 * (3 - index));
    }
    u32::try_from(address).ok()
}

/// The standard's IPv6 reader: eight 16-bit pieces, one `::`, and an IPv4
/// address in the last two pieces.
fn parse_ipv6(text: &str) -> Option<[u16; 8]> {
    let input = text.as_bytes();
    let mut pieces = [0u16; 8];
    let mut index = 0;
    let mut compress = None;
    let mut at = 0;
    if input.first() == Some(&b':') {
        if input.get(1) != Some(&b':') {
            return None;
        }
        at = 2;
        index = 1;
        compress = Some(1);
    }
    while at < input.len() {
        if index == 8 {
            return None;
        }
        if input[at] == b':' {
            if compress.is_some() {
                return None;
            }
            at += 1;
            index += 1;
            compress = Some(index);
            continue;
        }
        let mut value = 0u32;
        let mut length = 0;
        while length < 4 && at < input.len() && input[at].is_ascii_hexdigit() {
            value = value * 16 + (input[at] as char).to_digit(16)?;
            at += 1;
            length += 1;
        }
        if at < input.len() && input[at] == b'.' {
            // An IPv4 address in the last two pieces.
            if length == 0 || index > 6 {
                return None;
            }
            at -= length;
            let mut numbers_seen = 0;
            while at < input.len() {
                let mut value: Option<u32> = None;
                if numbers_seen > 0 {
                    if input[at] == b'.' && numbers_seen < 4 {
                        at += 1;
                    } else {
                        return None;
                    }
                }
                if at >= input.len() || !input[at].is_ascii_digit() {
                    return None;
                }
                while at < input.len() && input[at].is_ascii_digit() {
                    let digit = u32::from(input[at] - b'0');
                    value = match value {
                        None => Some(digit),
                        Some(0) => return None,
                        Some(v) => Some(v * 10 + digit),
                    };
                    if value > Some(255) {
                        return None;
                    }
                    at += 1;
                }
                pieces[index] = pieces[index] * 0x100 + value? as u16;
                numbers_seen += 1;
                if numbers_seen == 2 || numbers_seen == 4 {
                    index += 1;
                }
            }
            if numbers_seen != 4 {
                return None;
            }
            break;
        }
        if at < input.len() {
            if input[at] != b':' {
                return None;
            }
            at += 1;
            if at >= input.len() {
                return None;
            }
        }
        pieces[index] = value as u16;
        index += 1;
    }
    match compress {
        Some(start) => {
            let moved = index - start;
            let mut from = index;
            let mut to = 7;
            for _ in 0..moved {
                from -= 1;
                pieces.swap(from, to);
                to -= 1;
            }
        }
        None if index != 8 => return None,
        None => {}
    }
    Some(pieces)
}

/// Lowercase hexadecimal pieces, the first longest run of two or more zero
/// pieces written as `::`.
fn write_ipv6(pieces: &[u16; 8]) -> String {
    let mut best: Option<(usize, usize)> = None;
    let mut index = 0;
    while index < 8 {
        if pieces[index] == 0 {
            let start = index;
            while index < 8 && pieces[index] == 0 {
                index += 1;
            }
            let length = index - start;
            if length > 1 && best.is_none_or(|(_, longest)| length > longest) {
                best = Some((start, length));
            }
        } else {
            index += 1;
        }
    }
    let mut out = String::new();
    let mut index = 0;
    while index < 8 {
        if let Some((start, length)) = best.filter(|(start, _)| *start == index) {
            out.push_str(if start == 0 { "::" } else { ":" });
            index += length;
            continue;
        }
        let _ = write!(out, "{:x}", pieces[index]);
        if index < 7 {
            out.push(':');
        }
        index += 1;
    }
    out
}

/// The path with `.` and `..` segments (also written `%2e`) resolved.
fn normalise_path(path: &str) -> Result<String, UrlProblem> {
    if !path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&b))
    {
        return Err(UrlProblem::Path);
    }
    if path.split('/').any(|segment| {
        segment.len() == 2 && segment.as_bytes()[0].is_ascii_alphabetic() && segment.ends_with(':')
    }) {
        return Err(UrlProblem::DriveLetter);
    }
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    for (index, segment) in parts.iter().enumerate() {
        let last = index + 1 == parts.len();
        let lower = segment.to_ascii_lowercase();
        let single = lower == "." || lower == "%2e";
        let double = matches!(lower.as_str(), ".." | ".%2e" | "%2e." | "%2e%2e");
        if double {
            segments.pop();
        }
        if single || double {
            if last {
                segments.push("");
            }
            continue;
        }
        segments.push(segment);
    }
    Ok(format!("/{}", segments.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> String {
        HttpUrl::parse(text)
            .map(|url| url.serialization())
            .unwrap_or_else(|e| format!("error: {}", e.describe()))
    }

    #[test]
    fn reads_hosts_ports_and_paths_as_a_browser_does() {
        for (text, expected) in [
            ("http://prom:9090", "http://prom:9090/"),
            ("HTTPS://Prom.Example:443/x/", "https://prom.example/x/"),
            ("http://h:80", "http://h/"),
            ("http://h:0080/", "http://h/"),
            ("http://h:", "http://h/"),
            ("http://h:0", "http://h:0/"),
            ("http://0x7f.1:9090", "http://127.0.0.1:9090/"),
            ("http://2130706433", "http://127.0.0.1/"),
            ("http://0177.0.0.1", "http://127.0.0.1/"),
            ("http://127.0.0.1.", "http://127.0.0.1/"),
            ("http://0x", "http://0.0.0.0/"),
            ("http://[::1]:9090", "http://[::1]:9090/"),
            ("http://[0:0:0:0:0:0:0:1]", "http://[::1]/"),
            ("http://[1:0:0:2:0:0:0:3]", "http://[1:0:0:2::3]/"),
            ("http://[::ffff:127.0.0.1]", "http://[::ffff:7f00:1]/"),
            ("http://[1::]", "http://[1::]/"),
            ("http://h/a/./b/../c", "http://h/a/c"),
            ("http://h/a/%2E%2e", "http://h/"),
            ("http://h/a/.", "http://h/a/"),
            ("http://h/..", "http://h/"),
            ("http://my_prom/%E2%80%AEx", "http://my_prom/%E2%80%AEx"),
        ] {
            assert_eq!(written(text), expected, "{text}");
        }
    }

    #[test]
    fn refuses_what_it_does_not_read() {
        for (text, problem) in [
            ("ftp://h", UrlProblem::NotHttp),
            ("http://", UrlProblem::NoHost),
            ("http://u@h", UrlProblem::UserInfo),
            ("http://@h", UrlProblem::UserInfo),
            ("http://h/?q", UrlProblem::QueryOrFragment),
            ("http://h#f", UrlProblem::QueryOrFragment),
            ("http://h:65536", UrlProblem::Port),
            ("http://h:9x", UrlProblem::Port),
            ("http://h/<", UrlProblem::Path),
            // Found by the fuzz target: the `url` crate keeps `m:` before `..`.
            ("https://m./a/m:/../b", UrlProblem::DriveLetter),
        ] {
            assert_eq!(HttpUrl::parse(text), Err(problem), "{text}");
        }
        for text in [
            "http://256.0.0.1",
            "http://1.2.3.4.5",
            "http://0x100000000",
            "http://a.08",
            "http://[::1",
            "http://[1:2:3:4:5:6:7:8:9]",
            "http://[1::2::3]",
            "http://[::1.2.3.256]",
            "http://[::1]x",
            "http://xn--nxasmq6b",
            "http://a%41",
        ] {
            assert!(
                matches!(HttpUrl::parse(text), Err(UrlProblem::Host(_))),
                "{text}"
            );
        }
    }
}
