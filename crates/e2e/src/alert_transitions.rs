//! When alerts went pending, firing and resolved, as the page's stored alert
//! history and Prometheus's `ALERTS` series tell it, keyed alike so the two
//! can be compared.

use foresight_core::model::datasource::encode_uri_component;
use serde_json::Value;
use std::collections::BTreeMap;

/// `(alertname, labels without alertname/alertstate) → (pending at, firing at, last firing sample)`.
pub type Transitions = BTreeMap<(String, String), (Option<f64>, Option<f64>, Option<f64>)>;

pub fn label_key(labels: &serde_json::Map<String, Value>) -> String {
    labels
        .iter()
        .filter(|(k, _)| !["alertname", "alertstate", "__name__"].contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(",")
}

/// What Prometheus's ruler did, from the samples of its `ALERTS` series (one per evaluation).
pub fn prometheus_transitions(base: &str) -> Transitions {
    let url = format!(
        "{base}/api/v1/query?query={}",
        encode_uri_component("ALERTS[10m]")
    );
    let answer: Value = serde_json::from_str(&crate::http_get(&url).unwrap()).unwrap();
    let mut transitions = Transitions::new();
    for series in answer["data"]["result"].as_array().unwrap() {
        let labels = series["metric"].as_object().unwrap();
        let name = labels["alertname"].as_str().unwrap().to_string();
        let times: Vec<f64> = series["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v[0].as_f64().unwrap())
            .collect();
        let entry = transitions.entry((name, label_key(labels))).or_default();
        match labels["alertstate"].as_str().unwrap() {
            "pending" => entry.0 = times.first().copied(),
            _ => {
                entry.1 = times.first().copied();
                entry.2 = times.last().copied();
            }
        }
    }
    transitions
}

/// `(alertname, labels) → (pending at, firing at, resolved at)` from the page's stored history.
pub fn browser_transitions(history: &Value) -> Transitions {
    let mut transitions = Transitions::new();
    for entry in history["entries"].as_array().unwrap() {
        let labels = entry["labels"].as_object().unwrap();
        let name = entry["rule"].as_str().unwrap().to_string();
        let at = entry["at"].as_f64().unwrap();
        let slot = transitions.entry((name, label_key(labels))).or_default();
        match entry["to"].as_str().unwrap() {
            "pending" => slot.0 = Some(at),
            "firing" => slot.1 = Some(at),
            _ => slot.2 = Some(at),
        }
    }
    transitions
}
