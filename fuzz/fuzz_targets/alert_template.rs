//! Alert templates (`{{ $value | humanize }}`) and the rule checks around
//! them. Input: the template, then NUL-separated: a value (number text; the
//! template is also rendered with one of NaN, ±Inf, -0 and the extreme doubles), the
//! series' labels and the external labels as `name=value` lines. The value
//! text also serves as the rule's durations, which the rule checks parse.
#![no_main]

use foresight_core::alerting::rule::{to_prometheus_rule_file, AlertRule, Comparison, Condition};
use foresight_core::alerting::go_fmt::{format_go_float, sprintf, GoValue};
use foresight_core::alerting::template::{render_template, Template, TemplateData};
use foresight_core::foundation::ordered::SortedMap;
use foresight_fuzz::{labels_from_lines, split_field, text, AWKWARD_VALUES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let (template, rest) = split_field(&text);
    let (value_text, rest) = split_field(rest);
    let (labels, external) = split_field(rest);
    let labels = labels_from_lines(labels);
    let external_labels = labels_from_lines(external);
    let typed_value = value_text.trim().parse::<f64>().ok();

    let parsed = Template::parse(template);
    // The value typed, and one awkward value picked by the input (all nine
    // each time made every run ten renderings and the target ten times
    // slower; the fuzzer still reaches each of them).
    let awkward = AWKWARD_VALUES[value_text.len() % AWKWARD_VALUES.len()];
    for value in typed_value.into_iter().chain([awkward]) {
        let data = TemplateData {
            labels: labels.clone(),
            external_labels: external_labels.clone(),
            external_url: value_text.to_string(),
            value,
            ..TemplateData::default()
        };
        // Each query the template asks for is answered (with the series
        // itself), as the page answers them, until the template stops asking.
        if let Ok(parsed) = &parsed {
            while let Some(query) = parsed.next_query(&data) {
                data.answer(query, Ok(vec![(labels.clone(), value)]));
            }
        }
        // Each rendering with a budget of its own (clones share one).
        let fresh = || TemplateData {
            spent: Default::default(),
            ..data.clone()
        };
        let rendered = render_template(template, &fresh());
        // Parsing once and rendering many times is the same as doing both each time.
        match &parsed {
            Ok(parsed) => assert_eq!(parsed.render(&fresh()), rendered),
            Err(error) => assert_eq!(&rendered, &Err(error.clone())),
        }
        let _ = format_go_float(value);
        // The template text as a printf format, with a number and a string.
        let _ = sprintf(template, &[GoValue::Float(value), GoValue::Text(value_text)]);
    }

    let condition = match value_text.len() % 5 {
        0 => Condition::Returns,
        1 => Condition::Threshold {
            op: Comparison::ALL[value_text.len() % Comparison::ALL.len()],
            value: typed_value.unwrap_or(0.0),
        },
        2 => Condition::AnomalyScore {
            above: typed_value.unwrap_or(0.5),
        },
        _ => Condition::ForecastCrosses {
            op: Comparison::Below,
            value: typed_value.unwrap_or(0.0),
            within: value_text.to_string(),
        },
    };
    let rule = AlertRule {
        name: "FuzzedRule".into(),
        expr: "up".into(),
        condition,
        for_duration: Some(value_text.to_string()),
        keep_firing_for: Some(value_text.to_string()),
        interval: Some(value_text.to_string()),
        labels: [("severity".to_string(), template.to_string())].into(),
        annotations: [("summary".to_string(), template.to_string())].into(),
        unit: None,
        actions: Vec::new(),
    };
    let problems = rule.problems();
    if parsed.is_err() {
        assert!(
            !problems.is_empty(),
            "a rule with a broken template has no problems"
        );
    }
    let _ = rule.for_seconds();
    let _ = rule.interval_seconds();
    let _ = rule.keep_firing_for_seconds();
    let file = to_prometheus_rule_file("fuzzed", std::slice::from_ref(&rule));
    // Conditions PromQL cannot express are left out of the file, problems or not.
    let left_out = matches!(
        rule.condition,
        Condition::AnomalyScore { .. } | Condition::OutsideBaseline { .. }
    );
    assert_eq!(
        file.is_ok(),
        problems.is_empty() || left_out,
        "{file:?} {problems:?}"
    );
    for value in AWKWARD_VALUES {
        let _ = rule.outputs(&[(labels.clone(), value)], &external_labels);
        let _ = rule.render_annotations(&labels, value, &SortedMap::new());
    }
});
