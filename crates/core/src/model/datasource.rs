//! The Prometheus-compatible server Foresight queries, validated once.

use crate::foundation::http_url::{HttpUrl, UrlProblem};
use std::fmt;

pub const DEFAULT_DATASOURCE_URL: &str = "http://127.0.0.1:9090";

/// A validated base URL of a Prometheus-compatible HTTP API (no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datasource {
    base_url: String,
}

impl Datasource {
    /// Accepts `http://host[:port][/path]` or `https://…`, parsed as a browser
    /// parses URLs (the WHATWG URL standard, see `foundation::http_url`), so
    /// what is checked is what the browser will connect to. Refused, with a message saying what a valid
    /// value looks like: other schemes, user names or passwords
    /// (`http://evil\@prom:9090` is the host `prom` to some parsers and `evil`
    /// to others), queries, fragments and spaces.
    pub fn parse(input: &str) -> Result<Self, String> {
        // What the URL standard strips: C0 controls and spaces, not all of
        // Unicode's white space (`http://h\u{a0}` is not `http://h`).
        let trimmed = input.trim_matches(|c: char| c <= ' ');
        let url = HttpUrl::parse(trimmed).map_err(|problem| {
            let shown = crate::foundation::limits::excerpt(trimmed, 100);
            let what = match problem {
                UrlProblem::NotHttp => "is not an http(s) URL",
                UrlProblem::NoHost => "has no host",
                UrlProblem::UserInfo => "carries a user name or password, which a link must not",
                UrlProblem::QueryOrFragment => "must be a plain base URL without query or fragment",
                other => other.describe(),
            };
            format!("datasource {shown:?} {what}; expected something like {DEFAULT_DATASOURCE_URL}")
        })?;
        let base = url.serialization().trim_end_matches('/').to_string();
        Ok(Self { base_url: base })
    }

    /// `scheme://host[:port]`: what a browser's same-origin and
    /// Content-Security-Policy rules compare.
    pub fn origin(&self) -> String {
        HttpUrl::parse(&self.base_url)
            .map(|url| url.origin())
            .unwrap_or_else(|_| self.base_url.clone())
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Full URL of an API path such as `/api/v1/query_range` with encoded parameters.
    pub fn api_url(&self, path: &str, params: &[(&str, String)]) -> String {
        let mut url = format!("{}{}", self.base_url, path);
        for (index, (name, value)) in params.iter().enumerate() {
            url.push(if index == 0 { '?' } else { '&' });
            url.push_str(&encode_uri_component(name));
            url.push('=');
            url.push_str(&encode_uri_component(value));
        }
        url
    }
}

impl fmt::Display for Datasource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base_url)
    }
}

/// Percent-encodes everything except RFC 3986 unreserved characters.
pub fn encode_uri_component(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_and_strips_trailing_slash() {
        assert_eq!(
            Datasource::parse("http://127.0.0.1:9090/")
                .unwrap()
                .base_url(),
            "http://127.0.0.1:9090"
        );
        assert_eq!(
            Datasource::parse(" https://prom.example/prefix ")
                .unwrap()
                .base_url(),
            "https://prom.example/prefix"
        );
    }

    #[test]
    fn rejects_non_urls_with_an_actionable_message() {
        let error = Datasource::parse("javascript:alert(1)").unwrap_err();
        assert!(error.contains("not an http(s) URL"), "{error}");
        assert!(Datasource::parse("http://")
            .unwrap_err()
            .contains("no host"));
        assert!(Datasource::parse("http://a:1/?x=1").is_err());
        assert!(Datasource::parse("http://a b").is_err());
    }

    #[test]
    fn user_info_and_confusing_forms_are_refused() {
        for hostile in [
            "http://evil\\@prom:9090",
            "http://evil@prom:9090",
            "http://user:pass@prom:9090",
            "http://prom:9090@evil.example",
            "http://prom:99999",
            "http:/\\evil.example",
            "http://[::1",
            "https://",
            "ftp://prom",
            "http://O\u{ff}",
            "https://EEEE%EE]",
            "http://pr%6Fm:9090",
            "https:///p;;;$YYYY",
            "http://prom/\u{202e}x",
            "http://рrom.example",
        ] {
            assert!(Datasource::parse(hostile).is_err(), "{hostile}");
        }
    }

    #[test]
    fn urls_are_normalised_as_a_browser_would() {
        let parse = |text: &str| Datasource::parse(text).unwrap();
        assert_eq!(
            parse("HTTP://Prom.Example:80/").base_url(),
            "http://prom.example"
        );
        assert_eq!(
            parse("https://prom.example:443/x/").base_url(),
            "https://prom.example/x"
        );
        assert_eq!(parse("http://[::1]:9090").base_url(), "http://[::1]:9090");
        assert_eq!(
            parse("http://127.0.0.1:9090/prom").origin(),
            "http://127.0.0.1:9090"
        );
        assert_eq!(
            parse("http://0x7f.1:9090").base_url(),
            "http://127.0.0.1:9090"
        );
        assert_eq!(
            parse("http://My_Prom:9090").base_url(),
            "http://my_prom:9090"
        );
        assert_eq!(
            parse("http://prom/%E2%80%AEx").base_url(),
            "http://prom/%E2%80%AEx"
        );
    }

    #[test]
    fn builds_encoded_api_urls() {
        let ds = Datasource::parse("http://h:9090").unwrap();
        let url = ds.api_url(
            "/api/v1/query",
            &[
                ("query", "sum(rate(x{a=\"b c\"}[5m]))".into()),
                ("time", "1.5".into()),
            ],
        );
        assert_eq!(url, "http://h:9090/api/v1/query?query=sum%28rate%28x%7Ba%3D%22b%20c%22%7D%5B5m%5D%29%29&time=1.5");
    }
}
