//! "What else moved?" on hostile answers: `/api/v1/series` and
//! `/api/v1/metadata` answers from any server, and an incident's labels (an
//! answer too). The queries it then sends must be the ones it means: every
//! metric name a name, every label value a closed PromQL string that reads
//! back as the value, within the query budget. Fields are separated by NUL:
//! the series answer, the metadata answer, the incident's `name=value` lines.
#![no_main]

use foresight_core::model::related_series::{
    candidate_queries, declared_types, discovered_metrics, discovery_selectors, DiscoveredMetric,
    DEFAULT_QUERY_BUDGET,
};
use foresight_core::query::prometheus_response::{
    parse_metadata_response, parse_series_response, MAX_LISTED_SERIES,
};
use foresight_core::query::series::Labels;
use foresight_fuzz::{labels_from_lines, split_field, text};
use libfuzzer_sys::fuzz_target;

/// The string literals of `expr`, unescaped, and the text outside them.
/// Panics on a literal that does not close or an escape the page never writes.
fn literals(expr: &str) -> (Vec<String>, String) {
    let mut found = Vec::new();
    let mut outside = String::new();
    let mut chars = expr.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            outside.push(c);
            continue;
        }
        let mut literal = String::new();
        loop {
            match chars.next() {
                None => panic!("a string that does not close in {expr:?}"),
                Some('"') => break,
                Some('\n') => panic!("a raw line break in a string in {expr:?}"),
                Some('\\') => match chars.next() {
                    Some('\\') => literal.push('\\'),
                    Some('"') => literal.push('"'),
                    Some('n') => literal.push('\n'),
                    other => panic!("escape {other:?} in {expr:?}"),
                },
                Some(other) => literal.push(other),
            }
        }
        found.push(literal);
        outside.push_str("\"\"");
    }
    (found, outside)
}

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let (series_body, rest) = split_field(&text);
    let (metadata_body, incident_lines) = split_field(rest);
    let Ok((series, total)) = parse_series_response(200, series_body) else {
        return;
    };
    assert!(series.len() <= MAX_LISTED_SERIES && series.len() <= total);
    let incident = labels_from_lines(incident_lines);
    let identifying: Labels = incident
        .iter()
        .filter(|(name, _)| *name == "job" || *name == "instance")
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let selectors = discovery_selectors(&identifying, &incident);
    let metrics = discovered_metrics(&selectors, &series);
    let metadata = parse_metadata_response(200, metadata_body).unwrap_or_default();
    let declared = declared_types(&metadata);
    let plan = candidate_queries(&metrics, &declared, "5m", DEFAULT_QUERY_BUDGET);
    assert!(plan.queries.len() <= DEFAULT_QUERY_BUDGET);
    // The same metrics with every label value empty: the values cannot
    // change what is asked, only which strings it is asked with.
    let blank: Vec<DiscoveredMetric> = metrics
        .iter()
        .map(|metric| DiscoveredMetric {
            name: metric.name.clone(),
            selector: metric
                .selector
                .keys()
                .map(|name| (name.clone(), String::new()))
                .collect(),
        })
        .collect();
    let shapes = candidate_queries(&blank, &declared, "5m", DEFAULT_QUERY_BUDGET);
    assert_eq!(shapes.queries.len(), plan.queries.len());
    for (query, shape) in plan.queries.iter().zip(&shapes.queries) {
        let (values, outside) = literals(&query.expr);
        assert_eq!(outside, shape.expr, "{:?}", query.expr);
        // Each string is the value of its label in the selector that found the metric.
        let metric = metrics
            .iter()
            .filter(|metric| outside.contains(&format!("{}{{", metric.name)))
            .max_by_key(|metric| metric.name.len())
            .unwrap_or_else(|| panic!("{:?} names no metric found", query.expr));
        let matchers = outside
            .split_once('{')
            .and_then(|(_, rest)| rest.split_once('}'))
            .map_or("", |(inside, _)| inside);
        let expected: Vec<&str> = matchers
            .split(',')
            .filter(|matcher| !matcher.is_empty())
            .map(|matcher| {
                let name = matcher.strip_suffix("=\"\"").expect("name=\"\"");
                metric.selector.get(name).map_or("", String::as_str)
            })
            .collect();
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        assert_eq!(values, expected, "{:?}", query.expr);
        // Outside its strings, a query is names, `{}`, `()`, `[]`, `=`, `,`, `.` and digits.
        assert!(
            outside
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_:{}()[],=.\" ".contains(c)),
            "{:?}",
            query.expr
        );
    }
});
