//! Service-level objectives from the specs teams already write: Sloth's
//! (`version: "prometheus/v1"`, and its Kubernetes form `kind:
//! PrometheusServiceLevel`) and OpenSLO v1 (`kind: SLO` with a ratio
//! metric). What does not map (Sloth's raw and plugin indicators, OpenSLO
//! thresholds) is named in the notes, not guessed at.

use super::slo::{Indicator, Slo, MAX_NAME_CHARS, WINDOW_PLACEHOLDER};
use crate::foundation::limits::excerpt;
use crate::foundation::yaml::{parse_documents, Yaml};

/// What an import found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SloImport {
    pub slos: Vec<Slo>,
    /// What was left out, and why.
    pub notes: Vec<String>,
}

impl SloImport {
    /// The SLOs to add beside `existing` (an id already there is left out,
    /// and said), and the notes with those.
    pub fn to_add(&self, existing: &[Slo]) -> (Vec<Slo>, Vec<String>) {
        let mut notes = self.notes.clone();
        let mut added: Vec<Slo> = Vec::new();
        for slo in &self.slos {
            let taken = existing
                .iter()
                .chain(&added)
                .any(|other| other.id == slo.id);
            if taken {
                notes.push(format!(
                    "SLO {:?} left out: the dashboard has one with that id",
                    slo.id
                ));
            } else {
                added.push(slo.clone());
            }
        }
        (added, notes)
    }
}

/// Whether `text` is an SLO spec rather than a rule file (what the import
/// reads it as): a document of it says so at its top (`version:
/// "prometheus/v1"`, `apiVersion: sloth.slok.dev/…` or `openslo/…`).
pub fn is_slo_spec(text: &str) -> bool {
    if text.len() > crate::foundation::limits::MAX_RULE_FILE_BYTES {
        return false;
    }
    parse_documents(text).is_ok_and(|documents| {
        documents.iter().any(|document| {
            scalar(document.get("version")).as_deref() == Some("prometheus/v1")
                || scalar(document.get("apiVersion")).is_some_and(|api| {
                    api.starts_with("sloth.slok.dev/") || api.starts_with("openslo/")
                })
        })
    })
}

/// Documents read from one file, at most.
const MAX_DOCUMENTS: usize = 50;

/// Reads every Sloth or OpenSLO document in `text`. Sloth specs carry no
/// period (its command line sets one): `default_period` is used.
pub fn import_slo_specs(text: &str, default_period: &str) -> Result<SloImport, String> {
    use crate::foundation::limits::MAX_RULE_FILE_BYTES;
    if text.len() > MAX_RULE_FILE_BYTES {
        return Err(format!(
            "the spec is {} KiB; at most {} KiB is read",
            text.len() / 1024,
            MAX_RULE_FILE_BYTES / 1024
        ));
    }
    let documents = parse_documents(text).map_err(|e| e.to_string())?;
    let mut found = SloImport::default();
    for (index, document) in documents.iter().enumerate().take(MAX_DOCUMENTS) {
        let version = scalar(document.get("version"));
        let api = scalar(document.get("apiVersion"));
        let kind = scalar(document.get("kind"));
        match (version.as_deref(), api.as_deref(), kind.as_deref()) {
            (Some("prometheus/v1"), _, _) => sloth(document, false, default_period, &mut found),
            (_, Some(api), Some("PrometheusServiceLevel"))
                if api.starts_with("sloth.slok.dev/") =>
            {
                match document.get("spec") {
                    Some(spec) => sloth(spec, true, default_period, &mut found),
                    None => found.notes.push(format!("document {}: no spec", index + 1)),
                }
            }
            (_, Some("openslo/v1"), Some("SLO")) => open_slo(document, &mut found),
            _ => found.notes.push(format!(
                "document {}: not a Sloth spec (version: \"prometheus/v1\") or an OpenSLO v1 SLO",
                index + 1
            )),
        }
    }
    // A dashboard holds at most this many: past it, the rest are counted.
    let cap = crate::foundation::limits::MAX_SLOS;
    if found.slos.len() > cap {
        found.notes.push(format!(
            "{} SLOs read; a dashboard holds at most {cap}, so the first {cap} are kept",
            found.slos.len()
        ));
        found.slos.truncate(cap);
    }
    if documents.len() > MAX_DOCUMENTS {
        found.notes.push(format!(
            "{} documents; the first {MAX_DOCUMENTS} were read",
            documents.len()
        ));
    }
    Ok(found)
}

fn scalar(node: Option<&Yaml>) -> Option<String> {
    match node {
        Some(Yaml::Scalar { text, .. }) => Some(text.clone()),
        _ => None,
    }
}

fn number(node: Option<&Yaml>) -> Option<f64> {
    scalar(node)
        .and_then(|text| crate::foundation::float_text::parse_f64(text.trim()))
        .filter(|n| n.is_finite())
}

/// An SLO id from a name: letters, digits, `-` and `_`, at most 64.
fn id_from(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}

/// Keeps `slo` if it is valid; else says why in the notes.
fn keep(slo: Slo, found: &mut SloImport) {
    use crate::foundation::limits::MAX_QUERY_CHARS;
    let indicator = &slo.indicator;
    let queries = [&indicator.errors, &indicator.good]
        .into_iter()
        .flatten()
        .chain([&indicator.total]);
    if queries.into_iter().any(|q| q.len() > MAX_QUERY_CHARS) {
        found.notes.push(format!(
            "SLO {:?} left out: a query is longer than {} KiB",
            slo.id,
            MAX_QUERY_CHARS / 1024
        ));
        return;
    }
    let mut problems = slo.problems();
    problems.extend(slo.variable_problem());
    if problems.is_empty() {
        found.slos.push(slo);
    } else {
        found.notes.push(format!(
            "SLO {:?} left out: {}",
            slo.name,
            problems.join("; ")
        ));
    }
}

/// A Sloth spec's `service` and `slos` (`camel`: the Kubernetes form's
/// member names, `errorQuery` for `error_query`).
fn sloth(spec: &Yaml, camel: bool, default_period: &str, found: &mut SloImport) {
    let service = scalar(spec.get("service")).unwrap_or_default();
    // Checked once: every SLO of the spec carries a copy.
    if service.chars().count() > MAX_NAME_CHARS {
        found.notes.push(format!(
            "Sloth spec left out: its service is longer than {MAX_NAME_CHARS} characters"
        ));
        return;
    }
    let Some(Yaml::Sequence(slos)) = spec.get("slos") else {
        found
            .notes
            .push(format!("Sloth spec of {service:?}: no slos"));
        return;
    };
    let (error_key, total_key) = if camel {
        ("errorQuery", "totalQuery")
    } else {
        ("error_query", "total_query")
    };
    for slo in slos {
        let name = scalar(slo.get("name")).unwrap_or_default();
        let sli = slo.get("sli");
        let Some(events) = sli.and_then(|s| s.get("events")) else {
            let kind = if sli.and_then(|s| s.get("raw")).is_some() {
                "a raw error-ratio query"
            } else if sli.and_then(|s| s.get("plugin")).is_some() {
                "a Sloth plugin"
            } else {
                "no indicator"
            };
            found.notes.push(format!(
                "SLO {name:?} left out: its indicator is {kind}; Foresight reads event counts (error_query over total_query)"
            ));
            continue;
        };
        let Some(objective) = number(slo.get("objective")) else {
            found
                .notes
                .push(format!("SLO {name:?} left out: no numeric objective"));
            continue;
        };
        keep(
            Slo {
                id: id_from(&name),
                name: name.clone(),
                service: service.clone(),
                indicator: Indicator {
                    errors: scalar(events.get(error_key)),
                    good: None,
                    total: scalar(events.get(total_key)).unwrap_or_default(),
                    latency: None,
                },
                objective_percent: objective,
                period: default_period.to_string(),
                interval: None,
            },
            found,
        );
    }
}

/// An OpenSLO query as a window-taking one: one that already has
/// `{{.window}}` is kept; a plain selector (`http_requests_total{…}`)
/// becomes the sum of its rate; anything else cannot be windowed safely.
fn windowed(query: &str) -> Option<String> {
    let query = query.trim();
    if query.contains(WINDOW_PLACEHOLDER) {
        return Some(query.to_string());
    }
    let plain_selector = !query.is_empty()
        && !query.contains(['(', '[', ' '])
        && query
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':' || c == '{');
    plain_selector.then(|| format!("sum(rate({query}[{WINDOW_PLACEHOLDER}]))"))
}

fn open_slo_query(metric: Option<&Yaml>) -> Option<String> {
    let spec = metric?.get("metricSource")?;
    let source = scalar(spec.get("type")).unwrap_or_default();
    if !source.eq_ignore_ascii_case("prometheus") {
        return None;
    }
    scalar(spec.get("spec")?.get("query"))
}

fn open_slo(document: &Yaml, found: &mut SloImport) {
    let metadata = document.get("metadata");
    let name = scalar(metadata.and_then(|m| m.get("name"))).unwrap_or_default();
    let display = scalar(metadata.and_then(|m| m.get("displayName"))).unwrap_or(name.clone());
    let Some(spec) = document.get("spec") else {
        found.notes.push(format!("SLO {name:?} left out: no spec"));
        return;
    };
    // What would change the meaning of the numbers: refused, not ignored.
    let first_window = spec.get("timeWindow").and_then(|w| match w {
        Yaml::Sequence(items) => items.first(),
        _ => None,
    });
    let method = scalar(spec.get("budgetingMethod")).unwrap_or_else(|| "Occurrences".into());
    let refusal = if !method.eq_ignore_ascii_case("occurrences") {
        Some(format!(
            "it budgets by {:?}; Foresight counts events (Occurrences)",
            excerpt(&method, 40)
        ))
    } else if first_window
        .and_then(|w| scalar(w.get("isRolling")))
        .as_deref()
        == Some("false")
    {
        Some("its window is a calendar window (isRolling: false); Foresight's windows roll".into())
    } else {
        None
    };
    if let Some(why) = refusal {
        found.notes.push(format!("SLO {name:?} left out: {why}"));
        return;
    }
    let ratio = spec
        .get("indicator")
        .and_then(|i| i.get("spec"))
        .and_then(|s| s.get("ratioMetric"));
    let Some(ratio) = ratio else {
        found.notes.push(format!(
            "SLO {name:?} left out: only an inline indicator with a ratio metric maps (a threshold metric or an indicatorRef does not)"
        ));
        return;
    };
    if scalar(ratio.get("counter")).as_deref() == Some("false") {
        found.notes.push(format!(
            "SLO {name:?} left out: its metrics are gauges (counter: false); Foresight reads counters of events"
        ));
        return;
    }
    let good = open_slo_query(ratio.get("good"));
    let bad = open_slo_query(ratio.get("bad"));
    let total = open_slo_query(ratio.get("total"));
    let (Some(total), Some(counted)) = (total, good.clone().or(bad.clone())) else {
        found.notes.push(format!(
            "SLO {name:?} left out: its ratio needs Prometheus queries for total and good or bad"
        ));
        return;
    };
    let (Some(total), Some(counted)) = (windowed(&total), windowed(&counted)) else {
        found.notes.push(format!(
            "SLO {name:?} left out: its queries are neither plain selectors nor written with {WINDOW_PLACEHOLDER}"
        ));
        return;
    };
    let objectives = match spec.get("objectives") {
        Some(Yaml::Sequence(items)) => items.as_slice(),
        _ => &[],
    };
    if objectives.len() > 1 {
        found.notes.push(format!(
            "SLO {name:?}: only the first of its {} objectives is kept",
            objectives.len()
        ));
    }
    let target = objectives
        .first()
        .and_then(|first| number(first.get("target")));
    let Some(target) = target else {
        found
            .notes
            .push(format!("SLO {name:?} left out: no objectives[0].target"));
        return;
    };
    let period = first_window
        .and_then(|first| scalar(first.get("duration")))
        .unwrap_or_else(|| "30d".into());
    let is_good = good.is_some();
    keep(
        Slo {
            id: id_from(&name),
            name: display,
            service: scalar(spec.get("service")).unwrap_or_default(),
            indicator: Indicator {
                errors: (!is_good).then(|| counted.clone()),
                good: is_good.then_some(counted),
                total,
                latency: None,
            },
            // OpenSLO's target is a ratio (0.995).
            objective_percent: (target * 100.0 * 1e9).round() / 1e9,
            period,
            interval: None,
        },
        found,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sloth's getting-started example (its README), as written.
    const SLOTH: &str = r##"
version: "prometheus/v1"
service: "myservice"
labels:
  owner: "myteam"
  repo: "myorg/myservice"
  tier: "2"
slos:
  # We allow failing (5xx and 429) 1 request every 1000 requests (99.9%).
  - name: "requests-availability"
    objective: 99.9
    description: "Common SLO based on availability for HTTP request responses."
    sli:
      events:
        error_query: sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
    alerting:
      name: MyServiceHighErrorRate
      labels:
        category: "availability"
      annotations:
        # Overwrite default Sloth SLO alert summmary on ticket and page alerts.
        summary: "High error rate on 'myservice' requests responses"
      page_alert:
        labels:
          severity: pageteam
          routing_key: myteam
      ticket_alert:
        labels:
          severity: "slack"
          slack_channel: "#alerts-myteam"
  - name: "raw-ratio"
    objective: 99
    sli:
      raw:
        error_ratio_query: sum(rate(x_errors[{{.window}}])) / sum(rate(x[{{.window}}]))
"##;

    #[test]
    fn sloth_specs_map_their_event_slos_and_name_the_rest() {
        let found = import_slo_specs(SLOTH, "30d").unwrap();
        assert_eq!(found.slos.len(), 1);
        let slo = &found.slos[0];
        assert_eq!(
            (
                slo.id.as_str(),
                slo.service.as_str(),
                slo.objective_percent,
                slo.period.as_str()
            ),
            ("requests-availability", "myservice", 99.9, "30d")
        );
        assert_eq!(
            slo.indicator.errors.as_deref(),
            Some(
                r#"sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))"#
            )
        );
        assert!(
            found.notes[0].contains("a raw error-ratio query"),
            "{:?}",
            found.notes
        );
        let kubernetes = r#"
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: sloth-slo-my-service
spec:
  service: "myservice"
  slos:
    - name: "requests-availability"
      objective: 99.9
      sli:
        events:
          errorQuery: sum(rate(e[{{.window}}]))
          totalQuery: sum(rate(t[{{.window}}]))
"#;
        let found = import_slo_specs(kubernetes, "28d").unwrap();
        assert_eq!(found.slos[0].indicator.total, "sum(rate(t[{{.window}}]))");
        assert_eq!(found.slos[0].period, "28d");
    }

    #[test]
    fn open_slo_ratio_metrics_map_and_plain_selectors_take_the_window() {
        let spec = r#"
apiVersion: openslo/v1
kind: SLO
metadata:
  name: web-availability
  displayName: Web availability
spec:
  service: web
  indicator:
    metadata:
      name: web-successful-requests-ratio
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{job="web",code!~"5.."}
        total:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{job="web"}
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      target: 0.995
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: latency
spec:
  service: web
  indicator:
    metadata:
      name: latency
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: histogram_quantile(0.9, x)
  objectives:
    - target: 0.9
"#;
        let found = import_slo_specs(spec, "30d").unwrap();
        assert_eq!(found.slos.len(), 1, "{:?}", found.notes);
        let slo = &found.slos[0];
        assert_eq!(slo.name, "Web availability");
        assert_eq!((slo.objective_percent, slo.period.as_str()), (99.5, "28d"));
        assert_eq!(
            slo.indicator.good.as_deref(),
            Some(r#"sum(rate(http_requests_total{job="web",code!~"5.."}[{{.window}}]))"#)
        );
        assert!(found.notes[0].contains("ratio metric"), "{:?}", found.notes);
        // What would change the numbers' meaning is refused, not ignored.
        let first = spec.split("---").next().unwrap_or_default();
        for (changed, why) in [
            (
                "budgetingMethod: Occurrences",
                "budgetingMethod: Timeslices",
            ),
            ("isRolling: true", "isRolling: false"),
            ("counter: true", "counter: false"),
        ] {
            let found = import_slo_specs(&first.replace(changed, why), "30d").unwrap();
            assert!(found.slos.is_empty(), "{why}");
            assert!(
                found.notes[0].contains("left out"),
                "{why}: {:?}",
                found.notes
            );
        }
        let two = first.replace(
            "      target: 0.995",
            "      target: 0.995\n    - target: 0.99",
        );
        let found = import_slo_specs(&two, "30d").unwrap();
        assert_eq!(found.slos[0].objective_percent, 99.5);
        assert_eq!(
            found.notes,
            ["SLO \"web-availability\": only the first of its 2 objectives is kept"]
        );
    }

    #[test]
    fn a_long_service_is_refused_once_not_copied_into_every_slo() {
        let slo =
            "  - name: a\n    objective: 99\n    sli: {events: {error_query: x, total_query: y}}\n";
        let spec = format!(
            "version: prometheus/v1\nservice: {}\nslos:\n{}",
            "s".repeat(100_000),
            slo.repeat(2_000)
        );
        let found = import_slo_specs(&spec, "30d").unwrap();
        assert!(found.slos.is_empty());
        assert_eq!(
            found.notes,
            ["Sloth spec left out: its service is longer than 200 characters"]
        );
    }

    #[test]
    fn an_id_already_in_the_dashboard_is_left_out_and_said() {
        let found = import_slo_specs(SLOTH, "30d").unwrap();
        assert!(is_slo_spec(SLOTH) && !is_slo_spec("groups: []"));
        // A rule file that only mentions a spec is still a rule file.
        assert!(!is_slo_spec(
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          summary: see prometheus/v1 and openslo/v1\n"
        ));
        let (added, notes) = found.to_add(&found.slos);
        assert!(added.is_empty());
        assert!(notes.last().unwrap().contains("has one with that id"));
        let (added, _) = found.to_add(&[]);
        assert_eq!(added.len(), 1);
    }

    #[test]
    fn a_spec_of_many_slos_keeps_what_a_dashboard_holds() {
        let one = |k: usize| {
            format!("  - name: s{k}\n    objective: 99\n    sli:\n      events:\n        error_query: e[{{{{.window}}}}]\n        total_query: t[{{{{.window}}}}]\n")
        };
        let spec = format!(
            "version: \"prometheus/v1\"\nservice: s\nslos:\n{}",
            (0..30).map(one).collect::<String>()
        );
        let found = import_slo_specs(&spec, "30d").unwrap();
        assert_eq!(found.slos.len(), crate::foundation::limits::MAX_SLOS);
        assert!(found.notes[0].contains("30 SLOs read"), "{:?}", found.notes);
        let huge = "x".repeat(crate::foundation::limits::MAX_RULE_FILE_BYTES + 1);
        assert!(import_slo_specs(&huge, "30d").is_err());
    }

    #[test]
    fn anything_else_is_named_not_guessed() {
        let found = import_slo_specs("groups: []\n", "30d").unwrap();
        assert!(found.slos.is_empty());
        assert!(found.notes[0].contains("not a Sloth spec"));
        assert_eq!(windowed("sum(x)"), None);
        assert_eq!(windowed("up"), Some("sum(rate(up[{{.window}}]))".into()));
        assert!(import_slo_specs("a: [", "30d").is_err());
        let bad = "version: \"prometheus/v1\"\nservice: s\nslos:\n  - name: x\n    objective: 120\n    sli:\n      events:\n        error_query: e[{{.window}}]\n        total_query: t[{{.window}}]\n";
        let found = import_slo_specs(bad, "30d").unwrap();
        assert!(found.notes[0].contains("below 100"), "{:?}", found.notes);
    }
}
