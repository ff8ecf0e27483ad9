//! The Prometheus-compatible server Foresight queries, validated once.

use crate::foundation::http_url::{HttpUrl, UrlProblem};
use crate::query::engine::Engine;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const DEFAULT_DATASOURCE_URL: &str = "http://127.0.0.1:9090";

/// The header Mimir and Cortex read the tenant from.
pub const TENANT_HEADER: &str = "X-Scope-OrgID";

/// Longest tenant ID Mimir accepts.
const MAX_TENANT_ID_CHARS: usize = 150;
/// Most tenants one request may name (`a|b|c`, Mimir's tenant federation).
const MAX_TENANTS: usize = 32;

/// How to talk to the dashboard's datasource beyond its URL. Kept in the
/// dashboard JSON (`"datasourceOptions"`), so it travels with a shared
/// dashboard; none of it is a credential. Foresight sends no credentials at
/// all: a server that needs them belongs behind a proxy that adds them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasourceOptions {
    /// The engine, believed over what the answers suggest (a proxy may hide
    /// it); absent, the page tells it from the answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    /// Sent as `X-Scope-OrgID` (Mimir, Cortex); `a|b` queries several tenants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Thanos: merge replicas (`dedup`; Thanos's default is to merge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup: Option<bool>,
    /// Thanos: answer with what the reachable stores have when some do not
    /// answer (`partial_response`); the panel then shows Thanos's warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial_response: Option<bool>,
    /// Thanos: the coarsest downsampled data a query may use
    /// (`max_source_resolution`: `auto`, `0s`, `5m` or `1h`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_source_resolution: Option<String>,
}

impl DatasourceOptions {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// What is wrong with these options, each a sentence.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(tenant) = &self.tenant {
            if let Err(problem) = check_tenant(tenant) {
                problems.push(problem);
            }
        }
        if let Some(resolution) = &self.max_source_resolution {
            if !["auto", "0s", "5m", "1h"].contains(&resolution.as_str()) {
                problems.push(format!(
                    "maxSourceResolution {:?} is not one of auto, 0s, 5m, 1h",
                    crate::foundation::limits::excerpt(resolution, 40)
                ));
            }
        }
        problems
    }

    /// Parameters added to `query` and `query_range` requests (Thanos's).
    pub fn query_parameters(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(dedup) = self.dedup {
            params.push(("dedup", dedup.to_string()));
        }
        if let Some(partial) = self.partial_response {
            params.push(("partial_response", partial.to_string()));
        }
        if let Some(resolution) = &self.max_source_resolution {
            params.push(("max_source_resolution", resolution.clone()));
        }
        params
    }
}

/// The settings form's choices for a tri-state flag: the server's default,
/// on or off.
pub const FLAG_CHOICES: [&str; 3] = ["default", "on", "off"];
/// The settings form's choices for Thanos's `max_source_resolution`.
pub const RESOLUTION_CHOICES: [&str; 5] = ["default", "auto", "0s", "5m", "1h"];

impl DatasourceOptions {
    /// Options from the settings form: the engine's id or `auto`, the
    /// tenant (empty: none), and [`FLAG_CHOICES`] / [`RESOLUTION_CHOICES`].
    pub fn from_form(
        engine: &str,
        tenant: &str,
        dedup: &str,
        partial_response: &str,
        max_source_resolution: &str,
    ) -> Result<Self, String> {
        let flag = |text: &str| match text {
            "on" => Some(true),
            "off" => Some(false),
            _ => None,
        };
        let options = Self {
            engine: Engine::from_id(engine),
            tenant: Some(tenant.trim().to_string()).filter(|t| !t.is_empty()),
            dedup: flag(dedup),
            partial_response: flag(partial_response),
            max_source_resolution: Some(max_source_resolution.to_string())
                .filter(|r| r != "default"),
        };
        let problems = options.problems();
        if problems.is_empty() {
            Ok(options)
        } else {
            Err(problems.join("; "))
        }
    }

    /// The form's value of a tri-state flag.
    pub fn flag_choice(flag: Option<bool>) -> &'static str {
        match flag {
            Some(true) => "on",
            Some(false) => "off",
            None => "default",
        }
    }
}

/// A tenant as Mimir accepts it: up to 150 of `A-Z a-z 0-9 ! - _ . * ' ( )`,
/// not `.` or `..`, several joined by `|`. Anything else could not be a
/// tenant, and a header value must not carry line breaks.
fn check_tenant(tenant: &str) -> Result<(), String> {
    let shown = crate::foundation::limits::excerpt(tenant, 60);
    let tenants: Vec<&str> = tenant.split('|').collect();
    if tenants.len() > MAX_TENANTS {
        return Err(format!(
            "the tenant {shown:?} names more than {MAX_TENANTS} tenants"
        ));
    }
    for one in tenants {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "!-_.*'()".contains(c);
        if one.is_empty()
            || one == "."
            || one == ".."
            || one.chars().count() > MAX_TENANT_ID_CHARS
            || !one.chars().all(allowed)
        {
            return Err(format!(
                "the tenant {shown:?} is not a tenant ID (up to {MAX_TENANT_ID_CHARS} letters, digits and !-_.*'(), several joined by |)"
            ));
        }
    }
    Ok(())
}

/// A validated base URL of a Prometheus-compatible HTTP API (no trailing
/// slash), with the options requests to it need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datasource {
    base_url: String,
    options: DatasourceOptions,
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
        Ok(Self {
            base_url: base,
            options: DatasourceOptions::default(),
        })
    }

    /// This datasource with `options` (ones with problems are left out,
    /// each problem said by the dashboard's validation).
    pub fn with_options(mut self, options: &DatasourceOptions) -> Self {
        self.options = if options.problems().is_empty() {
            options.clone()
        } else {
            DatasourceOptions {
                engine: options.engine,
                ..DatasourceOptions::default()
            }
        };
        self
    }

    pub fn options(&self) -> &DatasourceOptions {
        &self.options
    }

    /// Headers every request carries: the tenant, if one is set.
    pub fn tenant_header(&self) -> Option<(&'static str, &str)> {
        self.options
            .tenant
            .as_deref()
            .map(|tenant| (TENANT_HEADER, tenant))
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

/// The datasource a dashboard talks to: the link's, else the dashboard's
/// own (`dashboard_url`), else `page_default`. The dashboard's options come
/// along unless the link names another server than the dashboard's own: a
/// tenant or engine meant for one server would only break another.
pub fn choose_datasource(
    link: Option<&Datasource>,
    dashboard_url: Option<&str>,
    options: &DatasourceOptions,
    page_default: Datasource,
) -> Datasource {
    // Without a URL of its own, the dashboard's server is the page's default.
    let own = dashboard_url
        .and_then(|url| Datasource::parse(url).ok())
        .unwrap_or(page_default);
    match link {
        Some(link) if link.base_url != own.base_url => link.clone(),
        _ => own.with_options(options),
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
    fn options_are_checked_and_become_parameters_and_headers() {
        let options = DatasourceOptions {
            engine: Some(Engine::Thanos),
            tenant: Some("team-a|team_b".into()),
            dedup: Some(false),
            partial_response: Some(true),
            max_source_resolution: Some("5m".into()),
        };
        assert!(options.problems().is_empty(), "{:?}", options.problems());
        let ds = Datasource::parse("http://h:9090")
            .unwrap()
            .with_options(&options);
        assert_eq!(ds.tenant_header(), Some(("X-Scope-OrgID", "team-a|team_b")));
        assert_eq!(
            ds.options().query_parameters(),
            vec![
                ("dedup", "false".to_string()),
                ("partial_response", "true".to_string()),
                ("max_source_resolution", "5m".to_string())
            ]
        );
        for bad in ["", ".", "a\r\nX-Evil: 1", "a b", "a||b", &"x".repeat(151)] {
            let options = DatasourceOptions {
                tenant: Some(bad.to_string()),
                ..DatasourceOptions::default()
            };
            assert_eq!(options.problems().len(), 1, "{bad:?}");
            let ds = Datasource::parse("http://h:9090")
                .unwrap()
                .with_options(&options);
            assert_eq!(ds.tenant_header(), None, "a bad tenant is never sent");
        }
        let odd = DatasourceOptions {
            max_source_resolution: Some("2h".into()),
            ..DatasourceOptions::default()
        };
        assert_eq!(odd.problems().len(), 1);
    }

    #[test]
    fn options_follow_the_dashboard_onto_its_own_server_only() {
        let options = DatasourceOptions {
            engine: Some(Engine::Mimir),
            tenant: Some("team-a".into()),
            ..DatasourceOptions::default()
        };
        let page = Datasource::parse("http://page:9090").unwrap();
        let link = Datasource::parse("http://other:9090").unwrap();
        let mimir = "http://mimir:8080/prometheus";
        let chosen = choose_datasource(None, Some(mimir), &options, page.clone());
        assert_eq!((chosen.base_url(), chosen.options()), (mimir, &options));
        let chosen = choose_datasource(Some(&link), Some(mimir), &options, page.clone());
        assert_eq!(chosen, link, "another server: no tenant, no engine");
        let same = Datasource::parse(mimir).unwrap();
        let chosen = choose_datasource(Some(&same), Some(mimir), &options, page.clone());
        assert_eq!(chosen.options(), &options);
        let chosen = choose_datasource(None, None, &options, page.clone());
        assert_eq!(
            (chosen.base_url(), chosen.options()),
            ("http://page:9090", &options)
        );
        // No URL of its own: its server is the page's default, not the link's.
        let chosen = choose_datasource(Some(&link), None, &options, page.clone());
        assert_eq!(chosen, link);
        let chosen = choose_datasource(Some(&page), None, &options, page.clone());
        assert_eq!(chosen.options(), &options);
    }

    #[test]
    fn the_settings_form_reads_into_options() {
        let options =
            DatasourceOptions::from_form("thanos", " team-a ", "off", "on", "5m").unwrap();
        assert_eq!(options.engine, Some(Engine::Thanos));
        assert_eq!(options.tenant.as_deref(), Some("team-a"));
        assert_eq!(
            (options.dedup, options.partial_response),
            (Some(false), Some(true))
        );
        assert_eq!(options.max_source_resolution.as_deref(), Some("5m"));
        let plain =
            DatasourceOptions::from_form("auto", "", "default", "default", "default").unwrap();
        assert!(plain.is_default());
        assert!(
            DatasourceOptions::from_form("auto", "a b", "default", "default", "default").is_err()
        );
        assert_eq!(DatasourceOptions::flag_choice(Some(false)), "off");
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
