//! Where "What else moved?" looks beyond the dashboard's own panels: the
//! series that share the incident's identifying labels (its processes' `job`
//! and `instance`, and any other label its series carries that names a thing,
//! such as a `handler`), listed with Prometheus's `/api/v1/series`, each
//! metric turned into something meaningful to compare by the type
//! `/api/v1/metadata` declares (a counter as its rate, a histogram as its
//! 95th percentile, a gauge as it is), within a query budget.

use crate::foundation::ordered::{sort_stable_by, SortedMap, SortedSet};
use crate::query::prometheus_response::MetricMetadata;
use crate::query::series::Labels;

/// Queries one "What else moved?" may send by default.
pub const DEFAULT_QUERY_BUDGET: usize = 50;

/// How a metric is read, from its declared type or, without one, its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Counter,
    /// Its `_bucket` series.
    Histogram,
    Gauge,
    /// Not worth comparing: a histogram's `_sum`/`_count`, change information
    /// (`*_build_info`, start times, which are events here), scrape
    /// bookkeeping.
    Skip,
}

/// Labels never a selector on their own: `job` and `instance` make the
/// processes' selector together; the rest split one metric into parts rather
/// than name what it is about (`{code="500"}` would find every failing
/// request of every service).
const NEVER_ALONE: [&str; 8] = [
    "le",
    "quantile",
    "code",
    "status",
    "status_code",
    "method",
    "job",
    "instance",
];

/// Selectors beyond the processes' own: the incident's other labels, each alone.
const MAX_EXTRA_SELECTORS: usize = 4;

/// The `match[]` selectors that find the incident's neighbours, most telling
/// first: its processes (`identifying`: `job`, `instance`), then each other
/// label of the incident's series that names a thing (`handler="/api/search"`
/// finds that endpoint's series in other jobs too, such as a proxy's).
pub fn discovery_selectors(identifying: &Labels, incident: &Labels) -> Vec<Labels> {
    let mut selectors = Vec::new();
    if !identifying.is_empty() {
        selectors.push(identifying.clone());
    }
    let extra = incident
        .iter()
        .filter(|(name, value)| {
            !name.starts_with("__")
                && is_metric_name(name)
                && !name.contains(':')
                && !value.is_empty()
                && !NEVER_ALONE.contains(&name.as_str())
        })
        .take(MAX_EXTRA_SELECTORS)
        .map(|(name, value)| Labels::from([(name.clone(), value.clone())]));
    selectors.extend(extra);
    selectors
}

/// A metric found beside the incident, and the selector that found it.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoveredMetric {
    pub name: String,
    pub selector: Labels,
}

/// Each metric of the listed `series` once, with the first of `selectors`
/// (most telling first) that its series match; series no selector matches
/// (an answer that ignored them) are left out.
pub fn discovered_metrics(selectors: &[Labels], series: &[Labels]) -> Vec<DiscoveredMetric> {
    let mut found: Vec<(String, usize)> = Vec::new();
    for labels in series {
        let Some(name) = labels.get("__name__").filter(|n| is_metric_name(n)) else {
            continue;
        };
        let matching = selectors.iter().position(|selector| {
            selector
                .iter()
                .all(|(label, value)| labels.get(label) == Some(value))
        });
        if let Some(matching) = matching {
            found.push((name.clone(), matching));
        }
    }
    // Each name once, with its most telling selector: sorted once, as
    // inserting 20,000 names one by one in falling order would move
    // memory quadratically.
    sort_stable_by(&mut found, |a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    found.dedup_by(|later, earlier| later.0 == earlier.0);
    // The processes' own metrics first, then by name: the budget cuts the rest.
    let mut by_selector: Vec<(usize, String)> =
        found.into_iter().map(|(name, k)| (k, name)).collect();
    by_selector.sort_by_key(|(k, _)| *k);
    by_selector
        .into_iter()
        .map(|(k, name)| DiscoveredMetric {
            name,
            selector: selectors[k].clone(),
        })
        .collect()
}

/// Each metric family's declared type (`counter`, `histogram`, …), from
/// `/api/v1/metadata`: the first entry with a type.
pub fn declared_types(
    metadata: &SortedMap<String, Vec<MetricMetadata>>,
) -> SortedMap<String, String> {
    metadata
        .iter()
        .filter_map(|(family, entries)| {
            entries
                .iter()
                .find(|e| !e.kind.is_empty())
                .map(|e| (family.clone(), e.kind.clone()))
        })
        .collect()
}

/// A query whose series are candidates, with what it measures.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateQuery {
    pub expr: String,
    /// "rate of http_requests_total", "p95 of http_request_duration_seconds".
    pub what: String,
}

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        && name.len() <= 200
}

/// The kind of metric `name`, given the type Prometheus's metadata declares
/// for its family (`counter`, `histogram`, …) if known, and every metric name
/// of the target (a `_sum` beside a `_bucket` belongs to a histogram).
pub fn metric_kind(
    name: &str,
    declared: Option<&str>,
    all_names: &SortedSet<String>,
) -> MetricKind {
    let has = |other: String| all_names.contains(&other);
    let skipped = name.ends_with("_build_info")
        || name.ends_with("_created")
        || name == "process_start_time_seconds"
        || name.starts_with("scrape_")
        || name == "up";
    if skipped {
        return MetricKind::Skip;
    }
    for suffix in ["_sum", "_count"] {
        if let Some(family) = name.strip_suffix(suffix) {
            // A histogram's or a summary's parts: its buckets (or nothing) say more.
            if has(format!("{family}_bucket")) || declared == Some("summary") {
                return MetricKind::Skip;
            }
        }
    }
    if name.ends_with("_bucket") {
        return MetricKind::Histogram;
    }
    match declared {
        Some("counter") => MetricKind::Counter,
        Some("gauge") | Some("unknown") => MetricKind::Gauge,
        _ if name.ends_with("_total") => MetricKind::Counter,
        _ => MetricKind::Gauge,
    }
}

/// `{job="a",instance="b"}` with the values escaped as PromQL strings.
pub fn selector(labels: &SortedMap<String, String>) -> String {
    let matchers: Vec<String> = labels
        .iter()
        // A label name: a metric name without `:`.
        .filter(|(name, _)| is_metric_name(name) && !name.contains(':') && !name.starts_with("__"))
        .map(|(name, value)| {
            let escaped = value
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{name}=\"{escaped}\"")
        })
        .collect();
    format!("{{{}}}", matchers.join(","))
}

/// The queries for the metrics found, and how many worth comparing the
/// budget left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CandidatePlan {
    pub queries: Vec<CandidateQuery>,
    pub over_budget: usize,
}

/// The candidate queries for the `metrics` found (with their families'
/// declared types), each over the selector that found it, at most `budget`
/// of them; `rate_window` is the range of rates (`5m`).
pub fn candidate_queries(
    metrics: &[DiscoveredMetric],
    declared: &SortedMap<String, String>,
    rate_window: &str,
    budget: usize,
) -> CandidatePlan {
    // A set: each `_sum` and `_count` looks for its family's `_bucket`.
    let names: SortedSet<String> = metrics.iter().map(|m| m.name.clone()).collect();
    let mut plan = CandidatePlan::default();
    for metric in metrics {
        let name = &metric.name;
        let chosen = selector(&metric.selector);
        let family = name
            .strip_suffix("_bucket")
            .or_else(|| name.strip_suffix("_total"))
            .unwrap_or(name);
        let declared_type = declared
            .get(name)
            .or_else(|| declared.get(family))
            .map(String::as_str);
        let query = match metric_kind(name, declared_type, &names) {
            MetricKind::Skip => continue,
            MetricKind::Counter => CandidateQuery {
                expr: format!("rate({name}{chosen}[{rate_window}])"),
                what: format!("rate of {name}"),
            },
            MetricKind::Histogram => CandidateQuery {
                expr: format!("histogram_quantile(0.95, rate({name}{chosen}[{rate_window}]))"),
                what: format!("p95 of {family}"),
            },
            MetricKind::Gauge => CandidateQuery {
                expr: format!("{name}{chosen}"),
                what: name.clone(),
            },
        };
        if plan.queries.len() < budget {
            plan.queries.push(query);
        } else {
            plan.over_budget += 1;
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn twenty_thousand_listed_metrics_in_falling_order_are_each_read_once() {
        // Names in falling order, half `_sum` and half `_count` with long
        // shared prefixes: one by one insertion and a list search per name
        // took quadratic time here.
        let prefix = "p".repeat(180);
        let selector: Labels = [("job".to_string(), "api".to_string())].into();
        let series: Vec<Labels> = (0..20_000)
            .rev()
            .map(|k| {
                let name = if k % 2 == 0 {
                    format!("{prefix}_{k:05}_sum")
                } else {
                    format!("{prefix}_{k:05}_count")
                };
                [
                    ("__name__".to_string(), name),
                    ("job".to_string(), "api".to_string()),
                ]
                .into()
            })
            .collect();
        let metrics = discovered_metrics(std::slice::from_ref(&selector), &series);
        let plan = candidate_queries(&metrics, &SortedMap::new(), "5m", 100_000);
        assert_eq!(metrics.len(), 20_000);
        assert!(
            metrics.windows(2).all(|p| p[0].name < p[1].name),
            "each name once, by name"
        );
        assert_eq!(plan.queries.len(), 20_000);
    }

    #[test]
    fn counters_become_rates_histograms_quantiles_and_change_information_is_left_out() {
        let identifying = labels(&[("job", "sample-service"), ("instance", "app-2:8000")]);
        let listed: Vec<Labels> = names(&[
            "http_requests_total",
            "http_request_duration_seconds_bucket",
            "http_request_duration_seconds_sum",
            "http_request_duration_seconds_count",
            "http_requests_in_progress",
            "sample_service_build_info",
            "process_start_time_seconds",
            "scrape_duration_seconds",
            "up",
            "bad name{}",
        ])
        .into_iter()
        .map(|name| {
            let mut series = identifying.clone();
            series.insert("__name__".into(), name);
            series
        })
        .collect();
        let found = discovered_metrics(std::slice::from_ref(&identifying), &listed);
        let queries = candidate_queries(&found, &SortedMap::new(), "5m", 50).queries;
        let exprs: Vec<&str> = queries.iter().map(|q| q.expr.as_str()).collect();
        assert_eq!(
            exprs,
            [
                r#"histogram_quantile(0.95, rate(http_request_duration_seconds_bucket{instance="app-2:8000",job="sample-service"}[5m]))"#,
                r#"http_requests_in_progress{instance="app-2:8000",job="sample-service"}"#,
                r#"rate(http_requests_total{instance="app-2:8000",job="sample-service"}[5m])"#,
            ]
        );
        assert_eq!(queries[0].what, "p95 of http_request_duration_seconds");
        let cut = candidate_queries(&found, &SortedMap::new(), "5m", 2);
        assert_eq!((cut.queries.len(), cut.over_budget), (2, 1));
    }

    #[test]
    fn the_incidents_other_labels_find_series_of_other_jobs_after_its_own_processes() {
        let identifying = labels(&[("job", "api"), ("instance", "a:1")]);
        let incident = labels(&[
            ("__name__", "http_requests_total"),
            ("job", "api"),
            ("instance", "a:1"),
            ("handler", "/search"),
            ("code", "500"),
            ("le", "0.5"),
        ]);
        let selectors = discovery_selectors(&identifying, &incident);
        assert_eq!(
            selectors,
            [identifying.clone(), labels(&[("handler", "/search")])]
        );
        let listed = [
            labels(&[
                ("__name__", "proxy_requests_total"),
                ("job", "proxy"),
                ("handler", "/search"),
            ]),
            labels(&[
                ("__name__", "http_requests_total"),
                ("job", "api"),
                ("instance", "a:1"),
                ("handler", "/search"),
            ]),
            labels(&[
                ("__name__", "queue_depth"),
                ("job", "api"),
                ("instance", "a:1"),
            ]),
            // Matches no selector: an answer that ignored them.
            labels(&[("__name__", "unrelated"), ("job", "other")]),
        ];
        let found = discovered_metrics(&selectors, &listed);
        let summary: Vec<(&str, &Labels)> = found
            .iter()
            .map(|m| (m.name.as_str(), &m.selector))
            .collect();
        assert_eq!(
            summary,
            [
                ("http_requests_total", &identifying),
                ("queue_depth", &identifying),
                ("proxy_requests_total", &selectors[1]),
            ]
        );
        // Without job or instance, the other labels still find neighbours.
        assert_eq!(
            discovery_selectors(&Labels::new(), &incident),
            [labels(&[("handler", "/search")])]
        );
    }

    #[test]
    fn declared_types_come_from_the_first_entry_with_one() {
        let metadata = crate::query::prometheus_response::parse_metadata_response(
            200,
            r#"{"status":"success","data":{"jobs_done":[{"type":"","help":""},{"type":"counter","help":"Jobs."}],"temperature":[{"type":"gauge"}]}}"#,
        )
        .unwrap();
        let declared = declared_types(&metadata);
        assert_eq!(declared["jobs_done"], "counter");
        assert_eq!(declared["temperature"], "gauge");
        let found = discovered_metrics(&[Labels::new()], &[labels(&[("__name__", "jobs_done")])]);
        assert_eq!(
            candidate_queries(&found, &declared, "5m", 50).queries[0].expr,
            "rate(jobs_done{}[5m])"
        );
    }

    #[test]
    fn declared_types_win_over_names_and_values_are_escaped() {
        let declared: SortedMap<String, String> =
            [("jobs_done".to_string(), "counter".to_string())].into();
        assert_eq!(
            metric_kind(
                "jobs_done",
                declared.get("jobs_done").map(String::as_str),
                &SortedSet::new()
            ),
            MetricKind::Counter
        );
        assert_eq!(
            metric_kind("temperature", None, &SortedSet::new()),
            MetricKind::Gauge
        );
        let odd: SortedMap<String, String> =
            [("job".to_string(), "a\"} or vector(1) #\\".to_string())].into();
        assert_eq!(selector(&odd), r#"{job="a\"} or vector(1) #\\"}"#);
    }
}
