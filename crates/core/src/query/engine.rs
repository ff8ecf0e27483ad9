//! Which engine answers the Prometheus HTTP API, told from its answers, and
//! what the page does differently for each. Prometheus, VictoriaMetrics,
//! Thanos, Mimir and Cortex all speak the API, but a browser client meets
//! their differences at once: endpoints without a cross-origin header, the
//! newest seconds hidden, other point limits, no rules or metadata.
//!
//! Every decision is here; the browser only asks the questions
//! ([`PROBE_QUERY`], `/api/v1/status/buildinfo` when [`Engine::build_info_readable`])
//! and hands the answers to [`describe`].

use crate::query::prometheus_response::{ApiError, BuildInfo, QueryData};
use serde::{Deserialize, Serialize};

/// The query that tells PromQL engines from MetricsQL without an error on
/// either: PromQL answers the literal `1` as a `scalar`, VictoriaMetrics's
/// MetricsQL as a one-sample `vector`. An erroring probe would do too, but
/// a browser logs every 4xx answer as a console error.
pub const PROBE_QUERY: &str = "1";

/// A Prometheus-compatible query engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Prometheus,
    #[serde(rename = "victoriametrics")]
    VictoriaMetrics,
    Thanos,
    Mimir,
    Cortex,
}

/// Every engine, in the order the settings list them.
pub const ENGINES: [Engine; 5] = [
    Engine::Prometheus,
    Engine::VictoriaMetrics,
    Engine::Thanos,
    Engine::Mimir,
    Engine::Cortex,
];

impl Engine {
    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Prometheus => "Prometheus",
            Engine::VictoriaMetrics => "VictoriaMetrics",
            Engine::Thanos => "Thanos",
            Engine::Mimir => "Mimir",
            Engine::Cortex => "Cortex",
        }
    }

    /// Its name in the dashboard JSON (`"engine": "victoriametrics"`).
    pub fn id(self) -> &'static str {
        match self {
            Engine::Prometheus => "prometheus",
            Engine::VictoriaMetrics => "victoriametrics",
            Engine::Thanos => "thanos",
            Engine::Mimir => "mimir",
            Engine::Cortex => "cortex",
        }
    }

    pub fn from_id(id: &str) -> Option<Engine> {
        ENGINES.into_iter().find(|engine| engine.id() == id)
    }

    /// Points per series a `query_range` may ask for: Prometheus (and the
    /// engines that run its query engine) refuse more than 11,000;
    /// VictoriaMetrics's `-search.maxPointsPerTimeseries` is 30,000 by default.
    pub fn max_points_per_series(self) -> f64 {
        match self {
            Engine::VictoriaMetrics => 30_000.0,
            _ => crate::query::step::PROMETHEUS_MAX_POINTS_PER_SERIES,
        }
    }

    /// Seconds before now the engine does not show yet: VictoriaMetrics hides
    /// the newest 30 s by default (`-search.latencyOffset`) so that samples
    /// still on their way do not make the last point dip.
    pub fn hidden_recent_seconds(self) -> f64 {
        match self {
            Engine::VictoriaMetrics => 30.0,
            _ => 0.0,
        }
    }

    /// Whether `/api/v1/status/buildinfo` can be read from a page on another
    /// origin. VictoriaMetrics answers it without a cross-origin header (and
    /// with an empty `data` in 1.79), so asking only adds a console error.
    pub fn build_info_readable(self) -> bool {
        self != Engine::VictoriaMetrics
    }

    /// Whether the server lists alerting rules at `/api/v1/rules`.
    /// VictoriaMetrics's rules run in vmalert, a separate server; the
    /// single-node answer is always empty and cannot be read cross-origin.
    pub fn serves_rules(self) -> bool {
        self != Engine::VictoriaMetrics
    }

    /// Whether `/api/v1/metadata` says what type a metric is.
    /// VictoriaMetrics keeps no metadata (its answer is always empty).
    pub fn serves_metadata(self) -> bool {
        self != Engine::VictoriaMetrics
    }

    /// Where the engine's answers to the same PromQL are known to differ
    /// from Prometheus's, said once so that nobody mistakes it for a bug.
    pub fn known_differences(self) -> &'static [&'static str] {
        match self {
            Engine::VictoriaMetrics => &[
                "the newest 30 s are not shown yet (-search.latencyOffset)",
                "histogram_quantile interpolates within buckets differently: percentiles may differ slightly from Prometheus's",
                "rate and increase do not extrapolate to the window's edges as Prometheus does",
                "alert rules run in vmalert, not here: the server's rules are not listed",
                "no metric metadata: metric types are told from their names",
            ],
            Engine::Thanos => &[
                "answers may be partial when a store does not answer; a panel says so when it happens",
                "replicas are deduplicated unless the settings say otherwise",
            ],
            Engine::Mimir | Engine::Cortex => &[
                "every request carries the tenant (X-Scope-OrgID), which makes the browser ask for cross-origin permission first",
            ],
            Engine::Prometheus => &[],
        }
    }
}

/// The time range a label lookup (`/api/v1/labels`, `/api/v1/label/…/values`)
/// asks about, in seconds. Always sent: without it Prometheus searches all
/// its data and VictoriaMetrics only the current UTC day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelRange {
    pub start: f64,
    pub end: f64,
}

/// How far back completion looks for metric names, labels and values.
pub const COMPLETION_LOOKBACK_SECONDS: f64 = 86_400.0;

impl LabelRange {
    /// A dashboard's range, widened to whole minutes so that the questions
    /// of one minute are the same request (shared, and cacheable).
    pub fn of(range: crate::query::time_range::ResolvedRange) -> Self {
        Self {
            start: (range.start_ms as f64 / 60_000.0).floor() * 60.0,
            end: (range.end_ms as f64 / 60_000.0).ceil() * 60.0,
        }
    }

    /// What a variable's options are looked up over: the dashboard's range
    /// and the last day, together. A host retired within the range stays
    /// among the options while the range shows it; a range in the past
    /// still offers what exists now.
    pub fn covering(range: crate::query::time_range::ResolvedRange, now_seconds: f64) -> Self {
        let (shown, recent) = (Self::of(range), Self::recent(now_seconds));
        Self {
            start: shown.start.min(recent.start),
            end: shown.end.max(recent.end),
        }
    }

    /// The last [`COMPLETION_LOOKBACK_SECONDS`] before `now_seconds`, in whole minutes.
    pub fn recent(now_seconds: f64) -> Self {
        Self::ending_now(now_seconds, COMPLETION_LOOKBACK_SECONDS)
    }

    /// The `lookback_seconds` before `now_seconds`, ending on the next whole minute.
    pub fn ending_now(now_seconds: f64, lookback_seconds: f64) -> Self {
        let end = (now_seconds / 60.0).ceil() * 60.0;
        Self {
            start: end - lookback_seconds,
            end,
        }
    }
}

/// What the probe query's answer says about the query language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    PromQl,
    MetricsQl,
}

/// Reads the answer to [`PROBE_QUERY`].
pub fn probe_language(answer: &QueryData) -> QueryLanguage {
    match answer {
        QueryData::Vector(_) => QueryLanguage::MetricsQl,
        _ => QueryLanguage::PromQl,
    }
}

/// The engine that gave these answers. `build_info` is `None` when it was
/// not asked or could not be read.
///
/// - MetricsQL → VictoriaMetrics (whatever its build info claims: newer
///   versions answer with a Prometheus-like version for Grafana's sake).
/// - `application` naming Mimir → Mimir (it sets `"Grafana Mimir"`).
/// - a `0.x` version → Thanos (Prometheus's versions start at 1; Thanos
///   Query reports its own 0.x version, and no `application`).
/// - any other version → Prometheus. Cortex answers exactly like Prometheus
///   (with its own 1.x version, when build info is on at all), so a
///   dashboard on Cortex says so in its options.
/// - nothing readable → `None`: a Prometheus-compatible engine not told apart.
pub fn detect(language: QueryLanguage, build_info: Option<&BuildInfo>) -> Option<Engine> {
    if language == QueryLanguage::MetricsQl {
        return Some(Engine::VictoriaMetrics);
    }
    let info = build_info?;
    let application = info.application.to_ascii_lowercase();
    if application.contains("mimir") {
        return Some(Engine::Mimir);
    }
    let version = info.version.trim_start_matches('v');
    if version.starts_with("0.") {
        Some(Engine::Thanos)
    } else if version.starts_with(|c: char| c.is_ascii_digit()) {
        Some(Engine::Prometheus)
    } else {
        None
    }
}

/// The engine to believe before build info is read: the dashboard's, unless
/// the probe proves it wrong. PromQL or MetricsQL is conclusive: an engine
/// that answers like VictoriaMetrics is VictoriaMetrics, and one that answers
/// PromQL is not, whatever a dashboard (perhaps from a link) says.
pub fn believed_engine(
    set_by_dashboard: Option<Engine>,
    language: QueryLanguage,
) -> Option<Engine> {
    match set_by_dashboard {
        Some(set) if (set == Engine::VictoriaMetrics) == (language == QueryLanguage::MetricsQl) => {
            Some(set)
        }
        _ => detect(language, None),
    }
}

/// What the header says about the datasource.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasourceReport {
    /// `None`: Prometheus-compatible, engine not told apart.
    pub engine: Option<Engine>,
    /// Whether the engine was set in the dashboard rather than detected.
    pub engine_set_by_dashboard: bool,
    pub version: Option<String>,
    /// Notes on what works differently here, one feature each.
    pub notes: Vec<String>,
}

impl DatasourceReport {
    /// "VictoriaMetrics", "Prometheus 2.42.0", "Prometheus-compatible server".
    pub fn title(&self) -> String {
        let name = self
            .engine
            .map_or("Prometheus-compatible server", Engine::name);
        match &self.version {
            Some(version) => format!("{name} {version}"),
            None => name.to_string(),
        }
    }

    /// The engine whose adjustments apply: an engine not told apart is
    /// treated as Prometheus, whose API they all implement.
    pub fn effective_engine(&self) -> Engine {
        self.engine.unwrap_or(Engine::Prometheus)
    }
}

/// The report on a datasource that answered the probe query (a datasource
/// that did not is unreachable, and says so with its error).
///
/// `set_by_dashboard` is the engine the dashboard names, if any: it is
/// believed over detection (a proxy may hide what is behind it).
/// `build_info` is the answer to `/api/v1/status/buildinfo`, `None` when it was
/// not asked. A build info that cannot be read does not make the datasource
/// unreachable: the data flows, only the version is unknown.
pub fn describe(
    set_by_dashboard: Option<Engine>,
    language: QueryLanguage,
    build_info: Option<&Result<BuildInfo, ApiError>>,
    tenant: Option<&str>,
) -> DatasourceReport {
    let readable_info = build_info.and_then(|answer| answer.as_ref().ok());
    let detected = detect(language, readable_info);
    let believed = believed_engine(set_by_dashboard, language);
    // Build info refines what the probe cannot tell (Thanos, Mimir), unless
    // the dashboard named an engine the probe does not contradict.
    let engine = if believed == set_by_dashboard && believed.is_some() {
        believed
    } else {
        detected.or(believed)
    };
    let mut notes = Vec::new();
    if let (Some(set), Some(found)) = (set_by_dashboard, detected) {
        if set != found {
            notes.push(format!(
                "the dashboard says {}, but the answers look like {}{}",
                set.name(),
                found.name(),
                if engine == Some(found) {
                    ": the page goes by the answers"
                } else {
                    ""
                }
            ));
        }
    }
    let version = readable_info
        .map(|info| info.version.trim().trim_start_matches('v').to_string())
        .filter(|version| !version.is_empty())
        .map(|version| crate::foundation::limits::excerpt(&version, 40));
    match build_info {
        None => notes.push(
            "version not asked: this engine's /api/v1/status/buildinfo cannot be read from a page"
                .to_string(),
        ),
        Some(Err(ApiError::Unreachable { .. })) => notes.push(
            "version unknown: /api/v1/status/buildinfo cannot be read from this page (no cross-origin header); the data is not affected"
                .to_string(),
        ),
        Some(Err(error)) => notes.push(format!(
            "version unknown: /api/v1/status/buildinfo answered {}",
            crate::foundation::limits::excerpt(&error.to_string(), 160)
        )),
        Some(Ok(_)) if version.is_none() => {
            notes.push("version unknown: the server's build info names none".to_string())
        }
        Some(Ok(_)) => {}
    }
    if engine.is_none() {
        notes.push(
            "engine not told apart: the page uses Prometheus's limits and asks for every feature"
                .to_string(),
        );
    }
    let effective = engine.unwrap_or(Engine::Prometheus);
    notes.extend(
        effective
            .known_differences()
            .iter()
            .map(|note| note.to_string()),
    );
    if matches!(effective, Engine::Mimir | Engine::Cortex) && tenant.is_none() {
        notes.push(format!(
            "no tenant set: {} refuses requests without X-Scope-OrgID unless multi-tenancy is off",
            effective.name()
        ));
    }
    DatasourceReport {
        engine,
        engine_set_by_dashboard: set_by_dashboard.is_some(),
        version,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::prometheus_response::{parse_build_info_response, parse_query_response};

    fn language_of(body: &str) -> QueryLanguage {
        probe_language(&parse_query_response(200, body).unwrap().data)
    }

    /// The answers to `query=1` as each engine gives them (VictoriaMetrics
    /// 1.79.5's and Prometheus 2.42's, copied from the servers).
    const PROMQL_ANSWER: &str =
        r#"{"status":"success","data":{"resultType":"scalar","result":[1796451839.123,"1"]}}"#;
    const METRICSQL_ANSWER: &str = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1796451839,"1"]}]}}"#;

    fn info(version: &str, application: &str) -> BuildInfo {
        BuildInfo {
            version: version.into(),
            application: application.into(),
            ..BuildInfo::default()
        }
    }

    #[test]
    fn engines_are_told_apart_by_their_answers() {
        assert_eq!(language_of(PROMQL_ANSWER), QueryLanguage::PromQl);
        assert_eq!(language_of(METRICSQL_ANSWER), QueryLanguage::MetricsQl);
        let vm_info = parse_build_info_response(200, r#"{"status":"success","data":{}}"#).unwrap();
        let cases = [
            (
                QueryLanguage::MetricsQl,
                Some(vm_info),
                Some(Engine::VictoriaMetrics),
            ),
            // Newer VictoriaMetrics claims a Prometheus version; MetricsQL tells.
            (
                QueryLanguage::MetricsQl,
                Some(info("2.24.0", "")),
                Some(Engine::VictoriaMetrics),
            ),
            (
                QueryLanguage::MetricsQl,
                None,
                Some(Engine::VictoriaMetrics),
            ),
            (
                QueryLanguage::PromQl,
                Some(info("2.42.0", "")),
                Some(Engine::Prometheus),
            ),
            (
                QueryLanguage::PromQl,
                Some(info("3.5.0", "")),
                Some(Engine::Prometheus),
            ),
            (
                QueryLanguage::PromQl,
                Some(info("v0.37.2", "")),
                Some(Engine::Thanos),
            ),
            (
                QueryLanguage::PromQl,
                Some(info("2.10.0", "Grafana Mimir")),
                Some(Engine::Mimir),
            ),
            // Cortex's build info is Prometheus's shape with Cortex's version.
            (
                QueryLanguage::PromQl,
                Some(info("1.16.0", "")),
                Some(Engine::Prometheus),
            ),
            (QueryLanguage::PromQl, Some(info("", "")), None),
            (QueryLanguage::PromQl, None, None),
        ];
        for (language, build_info, expected) in cases {
            assert_eq!(
                detect(language, build_info.as_ref()),
                expected,
                "{build_info:?}"
            );
        }
    }

    #[test]
    fn victoria_metrics_is_reported_with_what_differs_and_nothing_red() {
        let report = describe(None, QueryLanguage::MetricsQl, None, None);
        assert_eq!(report.title(), "VictoriaMetrics");
        assert_eq!(report.effective_engine().max_points_per_series(), 30_000.0);
        assert!(report.notes.iter().any(|n| n.contains("latencyOffset")));
        assert!(report.notes.iter().any(|n| n.contains("vmalert")));
        assert!(report
            .notes
            .iter()
            .any(|n| n.contains("histogram_quantile")));
    }

    #[test]
    fn an_unreadable_build_info_costs_the_version_only() {
        let unreachable = Err(ApiError::Unreachable {
            datasource: "http://vm:8428".into(),
            detail: "Failed to fetch".into(),
        });
        let report = describe(None, QueryLanguage::PromQl, Some(&unreachable), None);
        assert_eq!(report.engine, None);
        assert_eq!(report.title(), "Prometheus-compatible server");
        assert!(
            report.notes[0].contains("cross-origin"),
            "{:?}",
            report.notes
        );
        let prometheus = describe(
            None,
            QueryLanguage::PromQl,
            Some(&Ok(info("2.42.0", ""))),
            None,
        );
        assert_eq!(prometheus.title(), "Prometheus 2.42.0");
        assert!(prometheus.notes.is_empty(), "{:?}", prometheus.notes);
    }

    #[test]
    fn the_dashboard_names_the_engine_and_a_disagreement_is_noted() {
        let report = describe(Some(Engine::Mimir), QueryLanguage::MetricsQl, None, None);
        assert_eq!(report.engine, Some(Engine::VictoriaMetrics));
        assert!(report.engine_set_by_dashboard);
        assert!(report.notes[0].contains("look like VictoriaMetrics"));
        let untenanted = describe(Some(Engine::Mimir), QueryLanguage::PromQl, None, None);
        assert_eq!(untenanted.engine, Some(Engine::Mimir));
        assert!(untenanted.notes.iter().any(|n| n.contains("no tenant set")));
        let with_tenant = describe(
            Some(Engine::Mimir),
            QueryLanguage::PromQl,
            Some(&Ok(info("2.10.0", "Grafana Mimir"))),
            Some("team-a"),
        );
        assert!(!with_tenant.notes.iter().any(|n| n.contains("no tenant")));
    }

    #[test]
    fn label_ranges_are_whole_minutes() {
        let range = crate::query::time_range::ResolvedRange {
            start_ms: 1_700_000_030_500,
            end_ms: 1_700_003_630_500,
        };
        assert_eq!(
            LabelRange::of(range),
            LabelRange {
                start: 1_699_999_980.0,
                end: 1_700_003_640.0
            }
        );
        let week_ago = crate::query::time_range::ResolvedRange {
            start_ms: 1_699_395_200_000,
            end_ms: 1_699_481_600_000,
        };
        let covering = LabelRange::covering(week_ago, 1_700_000_001.0);
        assert_eq!(
            (covering.start, covering.end),
            (1_699_395_180.0, 1_700_000_040.0)
        );
        let recent = LabelRange::recent(1_700_000_001.0);
        assert_eq!(
            (recent.start, recent.end),
            (1_699_913_640.0, 1_700_000_040.0)
        );
    }

    #[test]
    fn a_dashboard_cannot_name_an_engine_the_answers_contradict() {
        // A link saying VictoriaMetrics about a Prometheus: Prometheus's
        // limits, rules and metadata stay.
        assert_eq!(
            believed_engine(Some(Engine::VictoriaMetrics), QueryLanguage::PromQl),
            None
        );
        let report = describe(
            Some(Engine::VictoriaMetrics),
            QueryLanguage::PromQl,
            Some(&Ok(info("2.42.0", ""))),
            None,
        );
        assert_eq!(report.engine, Some(Engine::Prometheus));
        assert_eq!(report.effective_engine().max_points_per_series(), 11_000.0);
        assert!(
            report.notes[0].contains("goes by the answers"),
            "{:?}",
            report.notes
        );
        // Naming Thanos or Cortex (which answer PromQL) is believed.
        assert_eq!(
            believed_engine(Some(Engine::Cortex), QueryLanguage::PromQl),
            Some(Engine::Cortex)
        );
        assert_eq!(
            believed_engine(Some(Engine::Thanos), QueryLanguage::MetricsQl),
            Some(Engine::VictoriaMetrics)
        );
        let thanos = describe(
            None,
            QueryLanguage::PromQl,
            Some(&Ok(info("v0.37.2", ""))),
            None,
        );
        assert_eq!(thanos.title(), "Thanos 0.37.2");
    }

    #[test]
    fn engine_ids_round_trip() {
        for engine in ENGINES {
            assert_eq!(Engine::from_id(engine.id()), Some(engine));
            use crate::foundation::json::ToJson;
            assert_eq!(engine.to_json().to_string(), format!("\"{}\"", engine.id()));
            assert_eq!(
                crate::foundation::json::decode::<Engine>(&format!("\"{}\"", engine.id())),
                Ok(engine)
            );
        }
        assert_eq!(Engine::from_id("influx"), None);
    }
}
