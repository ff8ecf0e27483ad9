//! What the fuzz targets share: turning one fuzzer input into the texts a
//! parser takes (fields separated by NUL, so every seed stays a readable text
//! file), and the checks every parsed dashboard must pass.

use foresight_core::alerting::rule::to_prometheus_rule_file;
use foresight_core::foundation::markdown::parse_markdown;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::{Dashboard, PanelKind};
use foresight_core::query::series::Labels;
use std::borrow::Cow;

/// The input as text. Every parser here takes `&str`, so invalid UTF-8 is
/// replaced rather than skipped: the fuzzer's byte mutations still reach the parser.
pub fn text(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The text before the first NUL and the text after it (empty when there is none).
pub fn split_field(text: &str) -> (&str, &str) {
    text.split_once('\0').unwrap_or((text, ""))
}

/// Labels from `name=value` lines (a line without `=` is a name with an empty value).
pub fn labels_from_lines(text: &str) -> Labels {
    text.lines()
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap_or((line, ""));
            (name.to_string(), value.to_string())
        })
        .collect()
}

/// Sample values that are easy to get wrong when formatting: NaN, both
/// infinities, negative zero, the smallest and largest doubles.
pub const AWKWARD_VALUES: [f64; 9] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    -0.0,
    0.0,
    5e-324,
    f64::MAX,
    -f64::MAX,
    1e21,
];

/// A dashboard the model accepted must be written so that it reads back the
/// same, and everything that interprets its parts must cope with it.
pub fn check_dashboard(dashboard: &Dashboard) {
    let written = dashboard.to_json();
    match Dashboard::from_json(&written) {
        Ok(again) => assert_eq!(&again, dashboard, "written as\n{written}"),
        Err(error) => panic!("a valid dashboard was written unreadably: {error}\n{written}"),
    }

    for rule in &dashboard.alerts {
        let _ = rule.problems();
        let _ = rule.for_seconds();
        let _ = rule.keep_firing_for_seconds();
        let _ = rule.interval_seconds();
        let labels: Labels = [("instance".to_string(), "host:9100".to_string())].into();
        for value in AWKWARD_VALUES {
            let _ = rule.render_annotations(&labels, value, &dashboard.notify.external_labels);
            let _ = rule.outputs(
                &[(labels.clone(), value)],
                &dashboard.notify.external_labels,
            );
        }
    }
    let _ = to_prometheus_rule_file(&dashboard.title, &dashboard.alerts);

    for panel in &dashboard.panels {
        if let PanelKind::Text { content } = &panel.kind {
            let _ = parse_markdown(content);
        }
        let _ = panel.suggested_alert_rule(&SortedMap::new());
    }
}
