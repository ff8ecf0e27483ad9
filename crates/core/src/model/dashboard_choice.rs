//! Which shipped dashboard the first open shows: the one whose metrics the
//! server has. Foresight ships dashboards for the sample service, hosts (node
//! exporter), VictoriaMetrics and Prometheus itself; pointed at a server that
//! does not scrape the sample service, the default dashboard would be empty
//! panels. The page asks the server for its metric names once and this
//! module, without any I/O, says what each dashboard would find and which one
//! to open, with a sentence saying why.
//!
//! The rule: the default dashboard when the server has its metrics; otherwise
//! the first dashboard in `index.json`'s order that has all of its metrics.
//! `index.json` is therefore ordered from the most specific dashboard to the
//! least: every Prometheus has its own `prometheus_*` metrics, so "Prometheus
//! health" is the choice of last resort, after hosts (what an on-call engineer
//! looks at first) and VictoriaMetrics (a VictoriaMetrics fed by a Prometheus
//! holds that Prometheus's metrics too, but the server being looked at is
//! VictoriaMetrics).

use crate::foundation::ordered::SortedMap;
use crate::model::dashboard::DashboardListing;

/// How far back, in seconds, the first open asks
/// `/api/v1/label/__name__/values` for metric names: a metric written in the
/// last hour is one the dashboards' default ranges will show. `start` and
/// `end` are always sent: without them VictoriaMetrics answers for the last
/// day only, and Prometheus for all of its retention (slow on a big server,
/// and it would count metrics long gone).
pub const LOOKBACK_SECONDS: f64 = 3600.0;

/// At most this many metric names of the server's answer are looked at. The
/// answer comes from the server, so its size is not ours to choose; a server
/// with more distinct metric names than this is rare (a few thousand is
/// usual). Prometheus and VictoriaMetrics answer in alphabetical order, so a
/// dashboard whose metrics sort after the cap counts as missing them.
pub const MAX_METRIC_NAMES_CONSIDERED: usize = 200_000;

/// What one listed dashboard would find on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardAvailability {
    pub id: String,
    pub title: String,
    /// The metrics it requires that the server has, in the listing's order.
    pub present: Vec<String>,
    /// The metrics it requires that the server does not have.
    pub missing: Vec<String>,
}

impl DashboardAvailability {
    /// Whether the server has every metric the dashboard requires. A listing
    /// that requires nothing is [`unknown`](Self::unknown), not "has data":
    /// nothing says its panels would show anything.
    pub fn has_data(&self) -> bool {
        !self.unknown() && self.missing.is_empty()
    }

    /// Whether the listing does not say which metrics the dashboard needs.
    pub fn unknown(&self) -> bool {
        self.present.is_empty() && self.missing.is_empty()
    }
}

/// What each listing would find among `metric_names` (the server's answer to
/// `/api/v1/label/__name__/values`), in the listings' order.
///
/// One pass over the names: the required names (a handful per dashboard) are
/// the lookup table, so the time is linear in the number of names and nothing
/// is allocated per name. Only the first [`MAX_METRIC_NAMES_CONSIDERED`]
/// names are looked at.
pub fn availability(
    listings: &[DashboardListing],
    metric_names: &[String],
) -> Vec<DashboardAvailability> {
    let mut found: SortedMap<&str, bool> = listings
        .iter()
        .flat_map(|listing| listing.requires.iter())
        .map(|name| (name.as_str(), false))
        .collect();
    for name in metric_names.iter().take(MAX_METRIC_NAMES_CONSIDERED) {
        if let Some(seen) = found.get_mut(name.as_str()) {
            *seen = true;
        }
    }
    listings
        .iter()
        .map(|listing| {
            let (present, missing) = listing
                .requires
                .iter()
                .cloned()
                .partition(|name| found.get(name.as_str()).copied().unwrap_or(false));
            DashboardAvailability {
                id: listing.id.clone(),
                title: listing.title.clone(),
                present,
                missing,
            }
        })
        .collect()
}

/// The dashboard the first open shows, and why (shown to the user, so that a
/// dashboard other than the one they expected is not a mystery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstChoice {
    pub id: String,
    pub reason: String,
}

/// Picks the dashboard to open first: `default_id` when the server has its
/// metrics; otherwise the first dashboard in the listings' order whose
/// metrics are all there (the reason says what was found and why the default
/// was passed over); otherwise `default_id` still, saying that no shipped
/// dashboard's metrics were found (its panels will say what is empty).
pub fn first_dashboard(availability: &[DashboardAvailability], default_id: &str) -> FirstChoice {
    let default = availability.iter().find(|entry| entry.id == default_id);
    if let Some(default) = default.filter(|entry| entry.has_data()) {
        return FirstChoice {
            id: default.id.clone(),
            reason: format!(
                "{}: this server has {}",
                default.title,
                word_list(&default.present)
            ),
        };
    }
    let why_not_default = match default {
        Some(entry) if entry.unknown() => {
            format!("{} does not list the metrics it needs", entry.title)
        }
        Some(entry) => format!(
            "{} needs {}, which this server does not have",
            entry.title,
            word_list(&entry.missing)
        ),
        None => format!("the default dashboard {default_id:?} is not listed"),
    };
    if let Some(chosen) = availability.iter().find(|entry| entry.has_data()) {
        return FirstChoice {
            id: chosen.id.clone(),
            reason: format!(
                "{}: this server has {} ({why_not_default})",
                chosen.title,
                word_list(&chosen.present)
            ),
        };
    }
    FirstChoice {
        id: default_id.to_string(),
        reason: format!(
            "No shipped dashboard's metrics were found on this server ({why_not_default})"
        ),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn word_list(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::json::decode;

    const INDEX: &str = include_str!("../../../../public/dashboards/index.json");
    const DEFAULT: &str = "service-health";

    /// Each shipped dashboard's JSON text, by id.
    const SHIPPED: [(&str, &str); 5] = [
        (
            "service-health",
            include_str!("../../../../public/dashboards/service-health.json"),
        ),
        (
            "instances",
            include_str!("../../../../public/dashboards/instances.json"),
        ),
        (
            "node-exporter",
            include_str!("../../../../public/dashboards/node-exporter.json"),
        ),
        (
            "victoriametrics",
            include_str!("../../../../public/dashboards/victoriametrics.json"),
        ),
        (
            "prometheus-health",
            include_str!("../../../../public/dashboards/prometheus-health.json"),
        ),
    ];

    fn shipped_listings() -> Vec<DashboardListing> {
        decode(INDEX).unwrap()
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    fn choose(metric_names: &[&str]) -> FirstChoice {
        first_dashboard(
            &availability(&shipped_listings(), &names(metric_names)),
            DEFAULT,
        )
    }

    /// What a bare Prometheus 2.42 says about itself (a sample of its names).
    const PROMETHEUS_OWN: [&str; 6] = [
        "go_goroutines",
        "process_resident_memory_bytes",
        "prometheus_http_requests_total",
        "prometheus_tsdb_head_samples_appended_total",
        "prometheus_tsdb_head_series",
        "up",
    ];

    /// Node exporter 1.5's names (a sample).
    const NODE_EXPORTER: [&str; 4] = [
        "node_cpu_seconds_total",
        "node_filesystem_avail_bytes",
        "node_load1",
        "node_memory_MemAvailable_bytes",
    ];

    #[test]
    fn a_prometheus_scraping_a_node_exporter_opens_the_hosts_dashboard() {
        let mut server: Vec<&str> = PROMETHEUS_OWN.to_vec();
        server.extend(NODE_EXPORTER);
        server.sort_unstable();
        let choice = choose(&server);
        assert_eq!(choice.id, "node-exporter");
        assert!(
            choice.reason.contains("node_cpu_seconds_total"),
            "{}",
            choice.reason
        );
        assert!(
            choice.reason.contains(
                "Service health needs http_requests_total and http_request_duration_seconds_bucket, which this server does not have"
            ),
            "{}",
            choice.reason
        );
    }

    #[test]
    fn a_bare_prometheus_opens_prometheus_health() {
        let choice = choose(&PROMETHEUS_OWN);
        assert_eq!(choice.id, "prometheus-health");
        assert!(
            choice.reason.contains("prometheus_tsdb_head_series"),
            "{}",
            choice.reason
        );
    }

    #[test]
    fn the_sample_services_server_opens_the_default() {
        let mut server: Vec<&str> = PROMETHEUS_OWN.to_vec();
        server.extend(NODE_EXPORTER);
        server.extend([
            "http_request_duration_seconds_bucket",
            "http_request_duration_seconds_count",
            "http_requests_in_progress",
            "http_requests_total",
        ]);
        let choice = choose(&server);
        assert_eq!(choice.id, "service-health");
        assert_eq!(
            choice.reason,
            "Service health: this server has http_requests_total and http_request_duration_seconds_bucket"
        );
    }

    #[test]
    fn a_victoriametrics_that_scrapes_only_itself_opens_its_dashboard() {
        let choice = choose(&[
            "process_resident_memory_bytes",
            "vm_cache_entries",
            "vm_free_disk_space_bytes",
            "vm_http_requests_total",
            "vm_rows",
            "vm_rows_inserted_total",
        ]);
        assert_eq!(choice.id, "victoriametrics");
        assert!(
            choice.reason.contains("vm_rows_inserted_total"),
            "{}",
            choice.reason
        );
    }

    #[test]
    fn a_server_without_any_known_metric_keeps_the_default_and_says_so() {
        for server in [&[][..], &["my_app_jobs_total", "up"][..]] {
            let choice = choose(server);
            assert_eq!(choice.id, DEFAULT);
            assert_eq!(
                choice.reason,
                "No shipped dashboard's metrics were found on this server (Service health needs http_requests_total and http_request_duration_seconds_bucket, which this server does not have)"
            );
        }
    }

    #[test]
    fn half_of_a_dashboards_metrics_is_not_enough() {
        let found = availability(&shipped_listings(), &names(&["http_requests_total"]));
        let service = &found[0];
        assert_eq!(service.present, names(&["http_requests_total"]));
        assert_eq!(
            service.missing,
            names(&["http_request_duration_seconds_bucket"])
        );
        assert!(!service.has_data() && !service.unknown());
    }

    #[test]
    fn a_listing_that_requires_nothing_is_unknown_and_never_chosen() {
        let listings = [
            DashboardListing {
                id: "mystery".into(),
                title: "Mystery".into(),
                requires: Vec::new(),
            },
            DashboardListing {
                id: "hosts".into(),
                title: "Hosts".into(),
                requires: names(&["node_load1"]),
            },
        ];
        let found = availability(&listings, &names(&["node_load1"]));
        assert!(found[0].unknown() && !found[0].has_data());
        assert!(found[1].has_data() && !found[1].unknown());
        let choice = first_dashboard(&found, "mystery");
        assert_eq!(choice.id, "hosts");
        assert_eq!(
            choice.reason,
            "Hosts: this server has node_load1 (Mystery does not list the metrics it needs)"
        );
        // Nothing known anywhere: the default, even though it is unknown.
        let choice = first_dashboard(&availability(&listings, &[]), "mystery");
        assert_eq!(choice.id, "mystery");
        assert!(choice.reason.starts_with("No shipped dashboard's metrics"));
    }

    #[test]
    fn a_default_missing_from_the_list_is_said_to_be() {
        let choice = first_dashboard(
            &availability(&shipped_listings(), &names(&NODE_EXPORTER)),
            "gone",
        );
        assert_eq!(choice.id, "node-exporter");
        assert!(
            choice
                .reason
                .ends_with("(the default dashboard \"gone\" is not listed)"),
            "{}",
            choice.reason
        );
    }

    #[test]
    fn names_past_the_cap_are_not_looked_at() {
        let listings = [DashboardListing {
            id: "late".into(),
            title: "Late".into(),
            requires: names(&["zz_last"]),
        }];
        let mut server: Vec<String> = (0..MAX_METRIC_NAMES_CONSIDERED)
            .map(|i| format!("m{i}"))
            .collect();
        server.push("zz_last".into());
        assert_eq!(
            availability(&listings, &server)[0].missing,
            names(&["zz_last"])
        );
        server.swap(0, MAX_METRIC_NAMES_CONSIDERED);
        assert!(availability(&listings, &server)[0].has_data());
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(word_list(&names(&["a"])), "a");
        assert_eq!(word_list(&names(&["a", "b"])), "a and b");
        assert_eq!(word_list(&names(&["a", "b", "c"])), "a, b and c");
    }

    /// The index cannot drift from the dashboards: every metric a listing
    /// requires is one its dashboard's own queries use, and every listing
    /// says what it requires (the first open relies on it).
    #[test]
    fn every_required_metric_is_queried_by_its_dashboard() {
        let listings = shipped_listings();
        assert_eq!(listings.len(), SHIPPED.len());
        for (listing, (id, text)) in listings.iter().zip(SHIPPED) {
            assert_eq!(listing.id, id, "index.json is in the order of SHIPPED");
            assert!(!listing.requires.is_empty(), "{id} requires nothing");
            let dashboard = crate::model::dashboard::Dashboard::from_json(text).unwrap();
            let queries: Vec<&str> = dashboard
                .panels
                .iter()
                .flat_map(|panel| panel.targets.iter())
                .map(|target| target.expr.as_str())
                .collect();
            for metric in &listing.requires {
                assert!(
                    queries.iter().any(|expr| uses_metric(expr, metric)),
                    "{id} requires {metric}, which none of its panels queries"
                );
            }
        }
    }

    /// Whether `expr` names `metric` as a whole word (not as the start of a
    /// longer name: `http_requests_total` is not in `http_requests_total_x`).
    fn uses_metric(expr: &str, metric: &str) -> bool {
        let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
        expr.match_indices(metric).any(|(at, _)| {
            let before = expr[..at].chars().next_back();
            let after = expr[at + metric.len()..].chars().next();
            !before.is_some_and(is_name_char) && !after.is_some_and(is_name_char)
        })
    }
}
