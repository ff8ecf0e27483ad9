//! `what-else-moved [--seeds 42,7,…]`: runs "What else moved?" over every
//! cascade the history generator planted, against a real Prometheus holding
//! the history, with the same core code and the same queries as the page:
//! the default dashboard's panels, the metrics discovered through the first
//! incident's labels (`/api/v1/series` over its `job` and `instance` and each
//! other label it carries, typed by `/api/v1/metadata`), and the built-in
//! change sources.
//!
//! Prints, per cascade, the rank of the true trigger among the changes
//! considered and the rank of each affected series among all candidates,
//! then trigger accuracy (the trigger named first where there is one, none
//! claimed where there is none) and precision@3 (the share of the top three
//! that belong to the cascade). The window asked about is the first
//! incident's (at most its first hour), as the manifest has it: what a user
//! would select on the anomaly. Settings are the core's defaults; nothing
//! here tunes them.

use e2e::artifacts_dir;
use e2e::browser_session::TempDir;
use e2e::prometheus_fixture::{history_ending_now, PrometheusFixture};
use foresight_core::analytics::related_moves::{BASELINE_SECONDS, LEAD_SECONDS};
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::model::event_sources::{event_queries, SourceEvents};
use foresight_core::model::related_series::{
    candidate_queries, declared_types, discovered_metrics, discovery_selectors, selector,
    DEFAULT_QUERY_BUDGET,
};
use foresight_core::model::what_else_moved::{what_else_moved, Candidate, CANDIDATE_STEP_SECONDS};
use foresight_core::query::prometheus_response::{
    parse_metadata_response, parse_query_response, parse_series_response, MetricMetadata, QueryData,
};
use foresight_core::query::series::{Labels, Series};
use foresight_core::query::template_variables::{interpolate, BuiltinIntervals, VariableValue};
use history_generator::{ChangeKind, Incident, IncidentKind, Manifest, PlanChoice};
use std::time::Instant;

/// The page's step for candidates (the history's own step too).
const STEP: f64 = CANDIDATE_STEP_SECONDS;

struct Prometheus {
    base: String,
    queries: usize,
}

impl Prometheus {
    fn range(&mut self, expr: &str, start: f64, end: f64) -> Result<Vec<Series>, String> {
        self.queries += 1;
        let url = format!(
            "{}/api/v1/query_range?query={}&start={start}&end={end}&step={STEP}",
            self.base,
            encode_uri_component(expr)
        );
        let body = e2e::http_get(&url)?;
        match parse_query_response(200, &body)
            .map_err(|e| e.to_string())?
            .data
        {
            QueryData::Matrix(series) => Ok(series),
            _ => Err(format!("{expr}: not a matrix")),
        }
    }

    fn series(
        &mut self,
        selectors: &[Labels],
        start: f64,
        end: f64,
    ) -> Result<Vec<Labels>, String> {
        self.queries += 1;
        let matchers: String = selectors
            .iter()
            .map(|s| format!("match[]={}&", encode_uri_component(&selector(s))))
            .collect();
        let url = format!(
            "{}/api/v1/series?{matchers}start={start}&end={end}",
            self.base
        );
        let (listed, _) =
            parse_series_response(200, &e2e::http_get(&url)?).map_err(|e| e.to_string())?;
        Ok(listed)
    }

    fn metadata(&mut self) -> Result<SortedMap<String, Vec<MetricMetadata>>, String> {
        self.queries += 1;
        let url = format!("{}/api/v1/metadata?limit_per_metric=1", self.base);
        parse_metadata_response(200, &e2e::http_get(&url)?).map_err(|e| e.to_string())
    }
}

/// Whether `candidate` shows `incident`: the same metric family for its kind,
/// and no label that contradicts the incident's (a series summed over
/// instances still shows one instance's spike).
fn shows(incident: &Incident, candidate: &Candidate) -> bool {
    let labels = &candidate.series.labels;
    let expr = &candidate.expr;
    let consistent = incident
        .selector
        .iter()
        .filter(|(name, _)| name.as_str() != "job")
        .all(|(name, value)| match labels.get(name) {
            Some(found) => found == value,
            None => {
                !expr.contains(&format!("{name}=\""))
                    || expr.contains(&format!("{name}=\"{value}\""))
            }
        });
    let errors_only = labels
        .get("status_code")
        .is_some_and(|s| s.starts_with('5'))
        || expr.contains("status_code=~\"5..\"");
    let family = match incident.kind {
        IncidentKind::ErrorRateSpike => expr.contains("http_requests_total") && errors_only,
        IncidentKind::LatencyRegression => expr.contains("http_request_duration_seconds"),
        // Every count of requests: the requests counter, or the latency
        // histogram's buckets as rates (not as a quantile).
        IncidentKind::TrafficDrop | IncidentKind::BatchJob => {
            (expr.contains("http_requests_total")
                || (expr.contains("http_request_duration_seconds")
                    && !expr.contains("histogram_quantile")))
                && !errors_only
        }
        IncidentKind::DiskFill => expr.contains("node_filesystem"),
        IncidentKind::InstanceRestart => false,
    };
    consistent && family
}

struct CascadeResult {
    trigger_correct: bool,
    precision_at_3: f64,
    affected_top_3: usize,
    affected: usize,
}

#[derive(Default)]
struct Totals {
    cascades: usize,
    correct: usize,
    precision: f64,
    top_3: usize,
    affected: usize,
}

impl Totals {
    fn add(&mut self, result: &CascadeResult) {
        self.cascades += 1;
        self.correct += usize::from(result.trigger_correct);
        self.precision += result.precision_at_3;
        self.top_3 += result.affected_top_3;
        self.affected += result.affected;
    }

    fn summary(&self) -> String {
        format!(
            "trigger accuracy {}/{}; precision@3 {:.2}; affected series in the top 3: {}/{}",
            self.correct,
            self.cascades,
            self.precision / self.cascades.max(1) as f64,
            self.top_3,
            self.affected
        )
    }
}

fn run_cascade(
    prometheus: &mut Prometheus,
    manifest: &Manifest,
    dashboard: &Dashboard,
    cascade: &history_generator::Cascade,
) -> Result<CascadeResult, String> {
    let first = manifest
        .incident_by_id(&cascade.incidents[0])
        .ok_or("the cascade names no incident")?;
    let window = (
        first.start as f64,
        (first.end as f64).min(first.start as f64 + 3600.0),
    );
    let (from, to) = (window.0 - LEAD_SECONDS - BASELINE_SECONDS, window.1);
    let queries_before = prometheus.queries;
    let started = Instant::now();
    let variables: SortedMap<String, VariableValue> = [(
        "job".to_string(),
        VariableValue::Single(manifest.job.clone()),
    )]
    .into();
    let builtins = BuiltinIntervals {
        step_seconds: STEP,
        range_seconds: to - from,
        scrape_interval_seconds: dashboard.scrape_interval_seconds,
    };
    // The dashboard's panels, as the page runs them.
    let mut candidates: Vec<Candidate> = Vec::new();
    for panel in dashboard.panels.iter().filter(|p| p.kind.queries_data()) {
        for target in panel.targets.iter().filter(|t| !t.instant) {
            let expr = interpolate(&target.expr, &variables, &builtins)?;
            for series in prometheus.range(&expr, from, to)? {
                candidates.push(Candidate {
                    name: series.legend_name(),
                    origin: format!("panel {}", panel.title),
                    expr: expr.clone(),
                    series,
                });
            }
        }
    }
    // Discovered through the incident's processes.
    let identifying: SortedMap<String, String> = first
        .selector
        .iter()
        .filter(|(name, _)| ["job", "instance"].contains(&name.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let selectors =
        discovery_selectors(&identifying, &first.selector.clone().into_iter().collect());
    let listed = prometheus.series(&selectors, from, to)?;
    let declared = declared_types(&prometheus.metadata()?);
    let metrics = discovered_metrics(&selectors, &listed);
    let budget = DEFAULT_QUERY_BUDGET.saturating_sub(prometheus.queries - queries_before);
    for query in candidate_queries(&metrics, &declared, "5m", budget).queries {
        for series in prometheus.range(&query.expr, from, to)? {
            candidates.push(Candidate {
                name: series.legend_name(),
                origin: query.what.clone(),
                expr: query.expr.clone(),
                series,
            });
        }
    }
    // The changes, as the page's event sources read them.
    let mut events = Vec::new();
    for query in event_queries(dashboard) {
        let expr = interpolate(&query.expr, &variables, &builtins)?;
        let series = prometheus.range(&expr, window.0 - 3600.0, window.1)?;
        events.push(SourceEvents {
            events: query.events(&series, STEP),
            query,
            problem: None,
        });
    }
    let report = what_else_moved(&candidates, &events, window, STEP);
    let elapsed = started.elapsed();

    // The true trigger's rank among the changes considered.
    let is_true_trigger = |source: &str, event: &foresight_core::query::annotations::TimeEvent| {
        cascade.triggers.iter().any(|id| {
            manifest.change(id).is_some_and(|change| {
                let wanted = match change.kind {
                    ChangeKind::Deployment => "Deployments",
                    ChangeKind::Restart => "Restarts",
                };
                source == wanted
                    && event.labels.get("instance") == Some(&change.instance)
                    && (event.start - change.at as f64).abs() <= STEP
            })
        })
    };
    let trigger_rank = report
        .changes_considered
        .iter()
        .position(|(source, event, _)| is_true_trigger(source, event))
        .map(|k| k + 1);
    let claimed = report
        .trigger
        .as_ref()
        .map(|t| format!("{} ({:.2})", t.event.title, t.score));
    let trigger_correct = match (&report.trigger, cascade.triggers.is_empty()) {
        (None, true) => true,
        (Some(t), false) => is_true_trigger(&t.source, &t.event),
        _ => false,
    };
    // A line shows an incident when its series or one folded into it does.
    let line_shows =
        |incident: &Incident, line: &foresight_core::model::what_else_moved::RankedCandidate| {
            std::iter::once(line.candidate)
                .chain(line.similar.iter().copied())
                .any(|c| shows(incident, &candidates[c]))
        };
    let rank_of = |incident: &Incident| {
        report
            .ranked
            .iter()
            .position(|r| line_shows(incident, r))
            .map(|k| k + 1)
    };
    let incidents: Vec<&Incident> = cascade
        .incidents
        .iter()
        .filter_map(|id| manifest.incident_by_id(id))
        .collect();
    let top_3 = report.ranked.iter().take(3);
    let relevant = top_3
        .clone()
        .filter(|r| incidents.iter().any(|i| line_shows(i, r)))
        .count();
    let precision_at_3 = relevant as f64 / report.ranked.len().clamp(1, 3) as f64;
    let ranks: Vec<String> = incidents
        .iter()
        .map(|i| {
            format!(
                "{} #{}",
                i.id,
                rank_of(i).map_or("–".into(), |r| r.to_string())
            )
        })
        .collect();
    let affected_top_3 = incidents
        .iter()
        .filter(|i| rank_of(i).is_some_and(|r| r <= 3))
        .count();
    println!(
        "| {} | {} | {} | {} | {} | {} of {} | {:.2} | {} | {:.1} s |",
        cascade.id,
        cascade
            .triggers
            .first()
            .and_then(|id| manifest.change(id))
            .map_or("none", |change| match change.kind {
                ChangeKind::Deployment => "deployment",
                ChangeKind::Restart => "restart",
            }),
        trigger_rank.map_or("–".into(), |r| format!("#{r}")),
        claimed.unwrap_or_else(|| "none".into()),
        ranks.join(", "),
        report.ranked.len(),
        candidates.len(),
        precision_at_3,
        prometheus.queries - queries_before,
        elapsed.as_secs_f64()
    );
    for (rank, moved) in report.ranked.iter().take(3).enumerate() {
        let candidate = &candidates[moved.candidate];
        println!(
            "|  | top {} | | | {} {} ({}) — {}, {} similar | | | | |",
            rank + 1,
            candidate.name,
            candidate.origin,
            if incidents.iter().any(|i| line_shows(i, moved)) {
                "affected"
            } else {
                "other"
            },
            moved.reason,
            moved.similar.len()
        );
    }
    Ok(CascadeResult {
        trigger_correct,
        precision_at_3,
        affected_top_3,
        affected: incidents.len(),
    })
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: what-else-moved [--seeds 42,7,…] [--held-out 2027,…]";
    let list = |text: &str| -> Result<Vec<u64>, String> {
        text.split(',')
            .map(|s| s.trim().parse().map_err(|_| format!("seed {s:?}")))
            .collect()
    };
    let mut seeds = Vec::new();
    let mut held_out = Vec::new();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or(usage)?;
        match flag.as_str() {
            "--seeds" => seeds = list(value)?,
            "--held-out" => held_out = list(value)?,
            _ => return Err(usage.into()),
        }
    }
    if seeds.is_empty() && held_out.is_empty() {
        seeds.push(history_generator::HistoryConfig::DEFAULT_SEED);
    }
    let dashboard = Dashboard::from_json(include_str!(
        "../../../../public/dashboards/service-health.json"
    ))?;
    let runs = [
        (
            "standard plan (the cascades the ranking was designed on: in-sample)",
            seeds
                .iter()
                .map(|&s| (s, PlanChoice::Standard))
                .collect::<Vec<_>>(),
        ),
        (
            "held-out plans (random cascades, never used to choose a setting)",
            held_out
                .iter()
                .map(|&s| (s, PlanChoice::HeldOut(s)))
                .collect(),
        ),
    ];
    for (title, histories) in runs.iter().filter(|(_, h)| !h.is_empty()) {
        println!("\n## {title}");
        let mut totals = Totals::default();
        for &(seed, plan) in histories {
            let mut config = history_ending_now(Some(seed))?;
            config.plan = plan;
            let work = TempDir::new("foresight-what-else-moved");
            let fixture = PrometheusFixture::start_with_history(&work.0, config, &artifacts_dir())?;
            let manifest = fixture.manifest.clone();
            let mut prometheus = Prometheus {
                base: fixture.base_url(),
                queries: 0,
            };
            println!(
                "\nHistory seed {seed}, {} cascades\n",
                manifest.cascades.len()
            );
            println!("| cascade | trigger | true trigger's rank | claimed trigger | affected series' ranks | moved of candidates | precision@3 | queries | time |");
            println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            for cascade in &manifest.cascades {
                totals.add(&run_cascade(
                    &mut prometheus,
                    &manifest,
                    &dashboard,
                    cascade,
                )?);
            }
        }
        println!("\n{title}: {}", totals.summary());
    }
    scale();
    Ok(())
}

/// How long one ranking of many candidates takes (the page redoes it as each
/// answer lands): synthetic series of two hours at one point a minute.
fn scale() {
    for count in [100usize, 1000, 2000] {
        let candidates: Vec<Candidate> = (0..count)
            .map(|k| {
                let level = 1.0 + (k % 13) as f64;
                let shift_from = 90 + k % 20;
                Candidate {
                    name: format!("s{k}"),
                    origin: "synthetic".into(),
                    expr: format!("metric_{}{{}}", k % 7),
                    series: Series {
                        labels: Default::default(),
                        timestamps: (0..120).map(|m| m as f64 * 60.0).collect(),
                        values: (0..120)
                            .map(|m| {
                                let wiggle = ((m * 7919 + k * 104_729) % 100) as f64 / 1000.0;
                                level + wiggle + if m >= shift_from { 5.0 } else { 0.0 }
                            })
                            .collect(),
                    },
                }
            })
            .collect();
        let started = Instant::now();
        let report = what_else_moved(&candidates, &[], (5400.0, 7140.0), STEP);
        println!(
            "ranking {count} candidates: {:.1} ms ({} moved, {} lines)",
            started.elapsed().as_secs_f64() * 1000.0,
            report.moved,
            report.ranked.len()
        );
    }
}
