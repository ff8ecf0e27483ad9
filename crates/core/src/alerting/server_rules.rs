//! Alerting rules a Prometheus server evaluates (`/api/v1/rules`): read so the
//! page can show the server's own alert states beside the browser's, and
//! import a server rule into a dashboard.

use super::rule::{AlertRule, Condition};
use crate::foundation::calendar::{unix_seconds_from_civil, CivilTime};
use crate::foundation::json::Json;
use crate::foundation::ordered::SortedMap;
use crate::query::series::Labels;

/// One alert of a server rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerAlert {
    pub labels: Labels,
    /// `pending` or `firing`.
    pub state: String,
    pub active_at: Option<f64>,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServerRule {
    pub group: String,
    pub group_interval_seconds: f64,
    pub name: String,
    pub query: String,
    pub for_seconds: f64,
    pub keep_firing_for_seconds: f64,
    pub labels: SortedMap<String, String>,
    pub annotations: SortedMap<String, String>,
    /// `inactive`, `pending` or `firing`.
    pub state: String,
    /// `ok`, `err` or `unknown`.
    pub health: String,
    pub last_error: Option<String>,
    pub alerts: Vec<ServerAlert>,
}

/// Seconds since the epoch of an RFC 3339 time (`2026-11-24T04:36:23.476909499Z`
/// or with a `+01:00` offset).
pub fn parse_rfc3339(text: &str) -> Option<f64> {
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
    let civil = CivilTime {
        year: i64::from(number(0..4)?),
        month: number(5..7)?,
        day: number(8..10)?,
        hour: number(11..13)?,
        minute: number(14..16)?,
        second: number(17..19)?,
    };
    let rest = text.get(19..)?;
    let (fraction, zone) = match rest.strip_prefix('.') {
        Some(after) => {
            let digits = after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len());
            (
                crate::foundation::float_text::parse_f64(&format!("0.{}", &after[..digits]))?,
                &after[digits..],
            )
        }
        None => (0.0, rest),
    };
    let offset = match zone {
        "Z" | "z" => 0.0,
        _ => {
            let sign = match zone.get(..1)? {
                "+" => 1.0,
                "-" => -1.0,
                _ => return None,
            };
            let hours = crate::foundation::float_text::parse_f64(zone.get(1..3)?)?;
            let minutes = crate::foundation::float_text::parse_f64(zone.get(4..6)?)?;
            sign * (hours * 3600.0 + minutes * 60.0)
        }
    };
    Some(unix_seconds_from_civil(&civil) as f64 + fraction - offset)
}

fn string_map(value: &Json) -> SortedMap<String, String> {
    value
        .as_object()
        .map(|object| {
            object
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The alerting rules of a `/api/v1/rules` answer (recording rules are skipped).
pub fn parse_rules_response(text: &str) -> Result<Vec<ServerRule>, String> {
    let body = Json::parse(text).map_err(|e| format!("the rules answer is not JSON ({e})"))?;
    if body["status"] != "success" {
        return Err(format!(
            "Prometheus refused the rules request: {}",
            body["error"].as_str().unwrap_or("no reason given")
        ));
    }
    let groups = body["data"]["groups"]
        .as_array()
        .ok_or("the rules answer has no data.groups list")?;
    let mut rules = Vec::new();
    for group in groups {
        for rule in group["rules"].as_array().into_iter().flatten() {
            if rule["type"] != "alerting" {
                continue;
            }
            let name = rule["name"]
                .as_str()
                .ok_or("an alerting rule without a name")?;
            let alerts = rule["alerts"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|alert| ServerAlert {
                    labels: string_map(&alert["labels"]),
                    state: alert["state"].as_str().unwrap_or_default().to_string(),
                    active_at: alert["activeAt"].as_str().and_then(parse_rfc3339),
                    value: alert["value"]
                        .as_str()
                        .and_then(crate::foundation::float_text::parse_f64)
                        .unwrap_or(f64::NAN),
                })
                .collect();
            rules.push(ServerRule {
                group: group["name"].as_str().unwrap_or_default().to_string(),
                group_interval_seconds: group["interval"].as_f64().unwrap_or(60.0),
                name: name.to_string(),
                query: rule["query"].as_str().unwrap_or_default().to_string(),
                for_seconds: rule["duration"].as_f64().unwrap_or(0.0),
                keep_firing_for_seconds: rule["keepFiringFor"].as_f64().unwrap_or(0.0),
                labels: string_map(&rule["labels"]),
                annotations: string_map(&rule["annotations"]),
                state: rule["state"].as_str().unwrap_or("inactive").to_string(),
                health: rule["health"].as_str().unwrap_or("unknown").to_string(),
                last_error: rule["lastError"]
                    .as_str()
                    .filter(|e| !e.is_empty())
                    .map(str::to_string),
                alerts,
            });
        }
    }
    Ok(rules)
}

fn span(seconds: f64) -> Option<String> {
    (seconds > 0.0).then(|| format!("{}s", seconds.round() as u64))
}

impl ServerRule {
    /// The rule as a dashboard rule (the comparison stays in the expression).
    pub fn to_alert_rule(&self) -> AlertRule {
        AlertRule {
            unit: None,
            actions: Vec::new(),
            name: self.name.clone(),
            expr: self.query.clone(),
            condition: Condition::Returns,
            for_duration: span(self.for_seconds),
            keep_firing_for: span(self.keep_firing_for_seconds),
            interval: span(self.group_interval_seconds),
            labels: self.labels.clone(),
            annotations: self.annotations.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = r#"{"status":"success","data":{"groups":[{"name":"g","file":"/r.yml","rules":[
        {"state":"pending","name":"Up","query":"up > 0","duration":4,"keepFiringFor":10,
         "labels":{"severity":"page"},"annotations":{"summary":"up {{ $value }}"},
         "alerts":[{"labels":{"alertname":"Up","job":"prometheus","severity":"page"},"annotations":{"summary":"up 1"},
                    "state":"pending","activeAt":"2026-11-24T04:36:23.476909499Z","value":"1e+00"}],
         "health":"ok","evaluationTime":0.0006,"lastEvaluation":"2026-11-24T04:36:25.478301408Z","type":"alerting"},
        {"name":"job:up:sum","query":"sum(up)","health":"ok","type":"recording"}],
        "interval":2,"limit":0}]}}"#;

    #[test]
    fn reads_alerting_rules_and_their_alerts() {
        let rules = parse_rules_response(ANSWER).unwrap();
        assert_eq!(rules.len(), 1, "recording rules are skipped");
        let rule = &rules[0];
        assert_eq!(rule.state, "pending");
        assert_eq!(rule.alerts[0].value, 1.0);
        let active_at = rule.alerts[0].active_at.unwrap();
        assert!(
            (active_at - 1_795_494_983.476_909_5).abs() < 1e-3,
            "{active_at}"
        );
        let imported = rule.to_alert_rule();
        assert_eq!(imported.for_duration.as_deref(), Some("4s"));
        assert_eq!(imported.keep_firing_for.as_deref(), Some("10s"));
        assert_eq!(imported.interval.as_deref(), Some("2s"));
        assert!(imported.problems().is_empty());
    }

    #[test]
    fn refusals_and_garbage_are_explained() {
        assert!(parse_rules_response("<html>")
            .unwrap_err()
            .contains("not JSON"));
        assert!(
            parse_rules_response(r#"{"status":"error","error":"forbidden"}"#)
                .unwrap_err()
                .contains("forbidden")
        );
        assert_eq!(
            parse_rfc3339("2026-11-24T05:36:23+01:00"),
            parse_rfc3339("2026-11-24T04:36:23Z")
        );
    }
}
