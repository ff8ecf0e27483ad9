//! What is sent where, and when: Prometheus's resend rules (firing alerts are
//! re-sent every `resend_delay`, a resolution is sent at once and repeated
//! until the resolved alert is forgotten, pending alerts are never sent), the
//! Alertmanager `/api/v2/alerts` body (`startsAt`, `endsAt`, `generatorURL`),
//! the documented webhook payload (with a Slack-compatible `text`), and the
//! retry schedule for failed deliveries.

use super::rule::AlertRule;
use super::state_machine::{Alert, AlertState, RuleState};
use super::template::TemplateData;
use crate::foundation::json::{Json, ObjectWriter};
use crate::query::series::Labels;

/// Prometheus's default `--rules.alert.resend-delay`.
pub const RESEND_DELAY_SECONDS: f64 = 60.0;
/// Waits before each retry of a failed delivery; then it is given up.
pub const RETRY_DELAYS_SECONDS: [f64; 4] = [1.0, 2.0, 4.0, 8.0];

/// RFC 3339 in UTC with milliseconds, from seconds since the epoch.
pub fn rfc3339(seconds: f64) -> String {
    let millis = (seconds * 1000.0).round() as i64;
    let civil = crate::foundation::calendar::civil_from_unix_seconds(millis.div_euclid(1000));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        civil.year,
        civil.month,
        civil.day,
        civil.hour,
        civil.minute,
        civil.second,
        millis.rem_euclid(1000)
    )
}

/// Prometheus's `needsSending`.
pub fn needs_sending(alert: &Alert, now: f64, resend_delay: f64) -> bool {
    if alert.state == AlertState::Pending {
        return false;
    }
    let last = alert.last_sent_at.unwrap_or(f64::NEG_INFINITY);
    if alert.resolved_at.is_some_and(|resolved| resolved > last) {
        return true;
    }
    last + resend_delay < now
}

/// One alert as notifiers see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub labels: Labels,
    pub annotations: crate::foundation::ordered::SortedMap<String, String>,
    pub firing: bool,
    pub starts_at: f64,
    pub ends_at: f64,
    pub value: f64,
}

/// The alerts of `state` due at `now`, marked as sent.
pub fn due_alerts(
    rule: &AlertRule,
    state: &mut RuleState,
    now: f64,
    external_labels: &Labels,
) -> Vec<Outgoing> {
    let interval = rule.interval_seconds().unwrap_or(60.0);
    // Prometheus: a firing alert is valid for four resend periods (or evaluations).
    let valid_for = 4.0 * interval.max(RESEND_DELAY_SECONDS);
    let mut due = Vec::new();
    let context = TemplateData {
        external_labels: external_labels.clone(),
        ..TemplateData::default()
    };
    for alert in state.alerts.values_mut() {
        if !needs_sending(alert, now, RESEND_DELAY_SECONDS) {
            continue;
        }
        let firing = alert.state == AlertState::Firing;
        // As Prometheus's notifier: external labels, unless the alert has its own.
        let mut labels = alert.labels.clone();
        for (name, value) in external_labels {
            labels.entry(name.clone()).or_insert_with(|| value.clone());
        }
        due.push(Outgoing {
            labels,
            annotations: rule.annotations_of(alert, &context),
            firing,
            starts_at: alert.fired_at.unwrap_or(alert.active_at),
            ends_at: if firing {
                now + valid_for
            } else {
                alert.resolved_at.unwrap_or(now)
            },
            value: alert.value,
        });
        alert.last_sent_at = Some(now);
    }
    due
}

/// The body of a POST to Alertmanager's `/api/v2/alerts`.
pub fn alertmanager_body(alerts: &[Outgoing], generator_url: &str) -> Json {
    Json::Array(
        alerts
            .iter()
            .map(|a| {
                ObjectWriter::new()
                    .member("labels", &a.labels)
                    .member("annotations", &a.annotations)
                    .member("startsAt", &rfc3339(a.starts_at))
                    .member("endsAt", &rfc3339(a.ends_at))
                    .member("generatorURL", &generator_url)
                    .finish()
            })
            .collect(),
    )
}

fn status_name(firing: bool) -> &'static str {
    if firing {
        "firing"
    } else {
        "resolved"
    }
}

/// Text for Slack's mrkdwn: `&`, `<` and `>` are its control characters
/// (`<https://evil|click here>` would be a disguised link, `<!channel>` a
/// mention of everyone).
/// Line breaks become spaces: each alert is one line of the text, and a
/// summary holding `\n[RESOLVED] …` would show a line of its own.
fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'], " ")
}

/// Longest `generatorURL` sent: a link that carries its dashboard is usually
/// a few KB (kept whole, so the alert leads back to the view) but can be
/// megabytes, and it is copied into every alert.
pub const MAX_GENERATOR_URL_CHARS: usize = 16 * 1024;

/// The page's address as the alerts' `generatorURL`: whole when short, else
/// the page without its query (which carried the dashboard).
pub fn generator_url(page_address: &str) -> &str {
    if page_address.len() <= MAX_GENERATOR_URL_CHARS {
        return page_address;
    }
    let without_query = page_address.split(['?', '#']).next().unwrap_or_default();
    if without_query.len() <= MAX_GENERATOR_URL_CHARS {
        without_query
    } else {
        ""
    }
}

/// The webhook payload: `version`, overall `status`, each alert, and a one-line
/// `text` for Slack-compatible receivers.
pub fn webhook_body(alerts: &[Outgoing], generator_url: &str) -> Json {
    let firing = alerts.iter().filter(|a| a.firing).count();
    let text = alerts
        .iter()
        .map(|a| {
            let name = a.labels.get("alertname").cloned().unwrap_or_default();
            let summary = a.annotations.get("summary").cloned().unwrap_or_default();
            format!(
                "[{}] {}: {}",
                if a.firing { "FIRING" } else { "RESOLVED" },
                slack_escaped(&name),
                slack_escaped(&summary)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let alert_objects: Vec<Json> = alerts
        .iter()
        .map(|a| {
            ObjectWriter::new()
                .member("status", &status_name(a.firing))
                .member("labels", &a.labels)
                .member("annotations", &a.annotations)
                .member("startsAt", &rfc3339(a.starts_at))
                .member("endsAt", &rfc3339(a.ends_at))
                .member("value", &a.value)
                .finish()
        })
        .collect();
    ObjectWriter::new()
        .member("version", &"1")
        .member("status", &status_name(firing > 0))
        .member("generatorURL", &generator_url)
        .member("alerts", &alert_objects)
        .member("text", &text)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> AlertRule {
        crate::foundation::json::decode(
            r#"{"name": "Down", "expr": "up == 0", "for": "1m",
                "annotations": {"summary": "{{ $labels.instance }} is down"}}"#,
        )
        .unwrap()
    }

    fn labels() -> Labels {
        [
            ("alertname".to_string(), "Down".to_string()),
            ("instance".to_string(), "a".to_string()),
        ]
        .into()
    }

    #[test]
    fn a_summary_cannot_add_lines_and_a_long_link_is_not_copied_into_every_alert() {
        let mut alert = Outgoing {
            labels: labels(),
            annotations: Default::default(),
            firing: true,
            starts_at: 0.0,
            ends_at: 60.0,
            value: 1.0,
        };
        alert.annotations.insert(
            "summary".into(),
            "db\n[RESOLVED] DBDown: recovered\u{2028}x".into(),
        );
        let body = webhook_body(&[alert], "http://foresight/");
        let text = body.get("text").and_then(Json::as_str).unwrap_or_default();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            !text.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']),
            "{text}"
        );
        let long = format!(
            "http://foresight/index.html?inline={}",
            "a".repeat(3_000_000)
        );
        assert_eq!(generator_url(&long), "http://foresight/index.html");
        let usual = format!("http://foresight/index.html?inline={}", "a".repeat(8_000));
        assert_eq!(generator_url(&usual), usual);
        assert_eq!(
            generator_url("http://foresight/?dashboard=x"),
            "http://foresight/?dashboard=x"
        );
        assert_eq!(generator_url(&"a".repeat(20_000)), "");
    }

    #[test]
    fn slack_text_cannot_mention_everyone_or_disguise_links() {
        assert_eq!(
            slack_escaped("<!channel> <https://evil.example|docs> & co"),
            "&lt;!channel&gt; &lt;https://evil.example|docs&gt; &amp; co"
        );
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_484_160.5), "2026-11-24T01:36:00.500Z");
    }

    #[test]
    fn firing_is_resent_every_minute_and_resolution_at_once() {
        let rule = rule();
        let mut state = RuleState::default();
        let out = vec![(labels(), 0.0)];
        state.evaluate(0.0, &out, 60.0, 0.0);
        assert!(
            due_alerts(&rule, &mut state, 0.0, &Labels::new()).is_empty(),
            "pending is not sent"
        );
        state.evaluate(60.0, &out, 60.0, 0.0);
        let sent = due_alerts(&rule, &mut state, 60.0, &Labels::new());
        assert_eq!(sent.len(), 1);
        assert!(sent[0].firing);
        assert_eq!(sent[0].starts_at, 60.0);
        assert_eq!(sent[0].ends_at, 60.0 + 240.0);
        assert_eq!(sent[0].annotations["summary"], "a is down");
        state.evaluate(90.0, &out, 60.0, 0.0);
        assert!(
            due_alerts(&rule, &mut state, 90.0, &Labels::new()).is_empty(),
            "not before the resend delay"
        );
        state.evaluate(121.0, &out, 60.0, 0.0);
        assert_eq!(
            due_alerts(&rule, &mut state, 121.0, &Labels::new()).len(),
            1
        );
        state.evaluate(130.0, &[], 60.0, 0.0);
        let resolved = due_alerts(&rule, &mut state, 130.0, &Labels::new());
        assert_eq!(resolved.len(), 1, "a resolution goes out at once");
        assert!(!resolved[0].firing);
        assert_eq!(resolved[0].ends_at, 130.0);
        let body = alertmanager_body(&resolved, "http://foresight/?dashboard=x");
        assert_eq!(body[0]["endsAt"], "1970-01-01T00:02:10.000Z");
        assert_eq!(body[0]["generatorURL"], "http://foresight/?dashboard=x");
        let hook = webhook_body(&resolved, "g");
        assert_eq!(hook["status"], "resolved");
        assert_eq!(hook["text"], "[RESOLVED] Down: a is down");
    }

    #[test]
    fn external_labels_are_added_unless_the_alert_has_them() {
        let mut rule = rule();
        rule.annotations
            .insert("description".into(), "in {{ $externalLabels.site }}".into());
        let mut state = RuleState::default();
        state.evaluate(0.0, &[(labels(), 0.0)], 0.0, 0.0);
        let external: Labels = [
            ("site".to_string(), "lab".to_string()),
            ("instance".to_string(), "ignored".to_string()),
        ]
        .into();
        let sent = due_alerts(&rule, &mut state, 0.0, &external);
        assert_eq!(sent[0].labels["site"], "lab");
        assert_eq!(
            sent[0].labels["instance"], "a",
            "the alert's own label wins"
        );
        assert_eq!(sent[0].annotations["description"], "in lab");
    }
}
