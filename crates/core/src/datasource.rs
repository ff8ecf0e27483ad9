//! The Prometheus-compatible server Foresight queries, validated once.

use std::fmt;

pub const DEFAULT_DATASOURCE_URL: &str = "http://127.0.0.1:9090";

/// A validated base URL of a Prometheus-compatible HTTP API (no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datasource {
    base_url: String,
}

impl Datasource {
    /// Accepts `http://host[:port][/path]` or `https://…`. Anything else gets a message
    /// saying what a valid value looks like.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        let rest = trimmed
            .strip_prefix("http://")
            .or_else(|| trimmed.strip_prefix("https://"))
            .ok_or_else(|| {
                format!(
                    "datasource {trimmed:?} is not an http(s) URL; expected something like {DEFAULT_DATASOURCE_URL}"
                )
            })?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() {
            return Err(format!("datasource {trimmed:?} has no host; expected something like {DEFAULT_DATASOURCE_URL}"));
        }
        if trimmed.contains(['?', '#'])
            || trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(format!(
                "datasource {trimmed:?} must be a plain base URL without query, fragment or spaces"
            ));
        }
        Ok(Self {
            base_url: trimmed.trim_end_matches('/').to_string(),
        })
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
