//! What the page URL says: datasource and time range. Decoding never fails:
//! a bad parameter falls back to its default and leaves a message for the user.

use crate::datasource::Datasource;
use crate::time_range::{TimeExpression, TimeRange};

/// The default range of the first panel: the last six hours.
pub const DEFAULT_RANGE_MS: i64 = 6 * 3_600_000;

#[derive(Debug, Clone, PartialEq)]
pub struct UrlState {
    pub datasource: Datasource,
    pub range: TimeRange,
    /// Human-readable problems with the URL, each already resolved to a default.
    pub problems: Vec<String>,
}

/// Splits `?a=1&b=x%20y` into decoded pairs (`+` is a space, as in forms).
pub fn parse_query_string(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

/// Decodes `%XX` escapes; invalid escapes and invalid UTF-8 are kept visibly (U+FFFD), never dropped.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => decoded.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        decoded.push(byte);
                        index += 3;
                        continue;
                    }
                    None => decoded.push(b'%'),
                }
            }
            byte => decoded.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

impl UrlState {
    pub fn from_query_string(query: &str) -> Self {
        let mut datasource = Datasource::default_local();
        let mut range = TimeRange::last(DEFAULT_RANGE_MS);
        let mut problems = Vec::new();
        for (name, value) in parse_query_string(query) {
            match name.as_str() {
                "datasource" => match Datasource::parse(&value) {
                    Ok(parsed) => datasource = parsed,
                    Err(message) => problems.push(format!("{message}; using {datasource}")),
                },
                "from" => match TimeExpression::parse(&value) {
                    Ok(parsed) => range.from = parsed,
                    Err(error) => problems.push(format!("from: {error}; using {}", range.from)),
                },
                "to" => match TimeExpression::parse(&value) {
                    Ok(parsed) => range.to = parsed,
                    Err(error) => problems.push(format!("to: {error}; using {}", range.to)),
                },
                _ => {}
            }
        }
        Self {
            datasource,
            range,
            problems,
        }
    }

    /// Checks the range against a clock; a reversed range falls back to the default.
    pub fn checked_range(&mut self, now_ms: i64) -> TimeRange {
        if let Err(error) = self.range.resolve(now_ms) {
            self.problems
                .push(format!("{error}; showing the last 6 hours"));
            self.range = TimeRange::last(DEFAULT_RANGE_MS);
        }
        self.range.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_datasource_and_range() {
        let state = UrlState::from_query_string(
            "?datasource=http%3A%2F%2Fprom%3A9090&from=now-1h&to=1700000000000",
        );
        assert_eq!(state.datasource.base_url(), "http://prom:9090");
        assert_eq!(state.range.from.to_string(), "now-1h");
        assert_eq!(state.range.to.to_string(), "1700000000000");
        assert!(state.problems.is_empty());
    }

    #[test]
    fn defaults_when_absent() {
        let state = UrlState::from_query_string("");
        assert_eq!(state.datasource.base_url(), "http://127.0.0.1:9090");
        assert_eq!(state.range, TimeRange::last(DEFAULT_RANGE_MS));
    }

    #[test]
    fn broken_parameters_fall_back_with_messages() {
        let mut state = UrlState::from_query_string(
            "datasource=javascript%3Aalert(1)&from=yesterday&to=now-7d",
        );
        assert_eq!(state.datasource.base_url(), "http://127.0.0.1:9090");
        assert_eq!(state.problems.len(), 2, "{:?}", state.problems);
        let range = state.checked_range(1_700_000_000_000);
        assert_eq!(range, TimeRange::last(DEFAULT_RANGE_MS));
        assert_eq!(state.problems.len(), 3);
    }

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }
}
