//! Local silences: "don't tell me about alerts matching these labels until
//! then". A silenced alert still goes through its states (and shows them), but
//! this page sends no notification for it anywhere — browser notification,
//! sound, webhooks and Alertmanager — until the silence expires.

use crate::query::series::Labels;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Silence {
    pub id: String,
    /// Labels an alert must all have (equal values) to be silenced.
    pub matchers: Labels,
    pub created_at: f64,
    pub ends_at: f64,
    #[serde(default)]
    pub comment: String,
}

impl Silence {
    pub fn is_active(&self, now: f64) -> bool {
        now < self.ends_at
    }

    pub fn mutes(&self, labels: &Labels, now: f64) -> bool {
        self.is_active(now)
            && self
                .matchers
                .iter()
                .all(|(name, value)| labels.get(name) == Some(value))
    }

    /// `alertname="HighErrorRate", job="api"`.
    pub fn describe_matchers(&self) -> String {
        self.matchers
            .iter()
            .map(|(name, value)| format!("{name}={value:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Whether any active silence mutes an alert with `labels`.
pub fn is_silenced(silences: &[Silence], labels: &Labels, now: f64) -> bool {
    silences.iter().any(|s| s.mutes(labels, now))
}

/// Drops expired silences.
pub fn prune_expired(silences: &mut Vec<Silence>, now: f64) {
    silences.retain(|s| s.is_active(now));
}

/// Parses `alertname="HighErrorRate", job=api` (values quoted or bare; `\"`
/// and `\\` escape inside quotes).
pub fn parse_matchers(text: &str) -> Result<Labels, String> {
    let mut matchers = Labels::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let equals = rest
            .find('=')
            .ok_or_else(|| format!("{rest:?} is not name=\"value\""))?;
        let name = rest[..equals].trim();
        if !crate::foundation::names::is_identifier(name) {
            return Err(format!("{name:?} is not a label name"));
        }
        rest = rest[equals + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut text = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => text.extend(chars.next().map(|(_, c)| c)),
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    c => text.push(c),
                }
            }
            let end = end.ok_or_else(|| format!("the value of {name} has no closing quote"))?;
            value = text;
            rest = quoted[end + 1..].trim_start();
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        matchers.insert(name.to_string(), value);
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix(',') {
            rest = after.trim_start();
        } else if !rest.is_empty() {
            return Err(format!("expected a comma before {rest:?}"));
        }
    }
    if matchers.is_empty() {
        return Err("a silence needs at least one label, e.g. alertname=\"HighErrorRate\"".into());
    }
    Ok(matchers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_quoted_and_bare_values() {
        assert_eq!(
            parse_matchers(r#"alertname="High, \"errors\"", job = api "#).unwrap(),
            labels(&[("alertname", "High, \"errors\""), ("job", "api")])
        );
        assert!(parse_matchers("").unwrap_err().contains("at least one"));
        assert!(parse_matchers("job=\"api")
            .unwrap_err()
            .contains("closing quote"));
        assert!(parse_matchers("1x=2")
            .unwrap_err()
            .contains("not a label name"));
        assert!(parse_matchers("a=\"b\" c=\"d\"")
            .unwrap_err()
            .contains("comma"));
    }

    #[test]
    fn mutes_matching_alerts_until_it_ends() {
        let silence = Silence {
            id: "s1".into(),
            matchers: labels(&[("alertname", "HighErrorRate")]),
            created_at: 0.0,
            ends_at: 3600.0,
            comment: String::new(),
        };
        let alert = labels(&[("alertname", "HighErrorRate"), ("job", "api")]);
        let other = labels(&[("alertname", "DiskFull")]);
        assert!(silence.mutes(&alert, 10.0));
        assert!(!silence.mutes(&other, 10.0));
        assert!(!silence.mutes(&alert, 3600.0), "expired");
        let mut all = vec![silence];
        assert!(is_silenced(&all, &alert, 100.0));
        prune_expired(&mut all, 4000.0);
        assert!(all.is_empty());
    }
}
