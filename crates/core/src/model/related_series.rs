//! Where "What else moved?" looks beyond the dashboard's own panels: the
//! metrics that share the incident's identifying labels (its `job`, its
//! `instance`, …), found with Prometheus's label-values API, each turned into
//! something meaningful to compare (a counter as its rate, a histogram as its
//! 95th percentile, a gauge as it is), within a query budget.

use crate::foundation::ordered::SortedMap;

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
pub fn metric_kind(name: &str, declared: Option<&str>, all_names: &[String]) -> MetricKind {
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
        .filter(|(name, _)| is_metric_name(name) && !name.starts_with("__"))
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

/// The candidate queries for the metrics `names` (with their declared types)
/// of the processes `identifying` selects, at most `budget` of them; `rate_window`
/// is the range of rates (`5m`).
pub fn candidate_queries(
    identifying: &SortedMap<String, String>,
    names: &[String],
    declared: &SortedMap<String, String>,
    rate_window: &str,
    budget: usize,
) -> Vec<CandidateQuery> {
    let chosen = selector(identifying);
    let mut queries = Vec::new();
    for name in names.iter().filter(|n| is_metric_name(n)) {
        if queries.len() >= budget {
            break;
        }
        let family = name
            .strip_suffix("_bucket")
            .or_else(|| name.strip_suffix("_total"))
            .unwrap_or(name);
        let declared_type = declared
            .get(name)
            .or_else(|| declared.get(family))
            .map(String::as_str);
        let query = match metric_kind(name, declared_type, names) {
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
        queries.push(query);
    }
    queries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn counters_become_rates_histograms_quantiles_and_change_information_is_left_out() {
        let found = names(&[
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
        ]);
        let identifying: SortedMap<String, String> = [
            ("job".to_string(), "sample-service".to_string()),
            ("instance".to_string(), "app-2:8000".to_string()),
        ]
        .into();
        let queries = candidate_queries(&identifying, &found, &SortedMap::new(), "5m", 50);
        let exprs: Vec<&str> = queries.iter().map(|q| q.expr.as_str()).collect();
        assert_eq!(
            exprs,
            [
                r#"rate(http_requests_total{instance="app-2:8000",job="sample-service"}[5m])"#,
                r#"histogram_quantile(0.95, rate(http_request_duration_seconds_bucket{instance="app-2:8000",job="sample-service"}[5m]))"#,
                r#"http_requests_in_progress{instance="app-2:8000",job="sample-service"}"#,
            ]
        );
        assert_eq!(queries[1].what, "p95 of http_request_duration_seconds");
        assert_eq!(
            candidate_queries(&identifying, &found, &SortedMap::new(), "5m", 2).len(),
            2
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
                &[]
            ),
            MetricKind::Counter
        );
        assert_eq!(metric_kind("temperature", None, &[]), MetricKind::Gauge);
        let odd: SortedMap<String, String> =
            [("job".to_string(), "a\"} or vector(1) #\\".to_string())].into();
        assert_eq!(selector(&odd), r#"{job="a\"} or vector(1) #\\"}"#);
    }
}
