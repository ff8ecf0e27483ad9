//! Foresight's alert state machine and templates against Prometheus's own rule
//! engine: for each scenario, Foresight replays the rule minute by minute and
//! writes down which alerts it has firing (with rendered annotations) at every
//! minute; `promtool test rules` (Prometheus's rule unit tests) must agree with
//! every one of those expectations.
//!
//! Beside the fixed scenarios, `generated_rules_and_templates_agree_with_promtool`
//! draws hundreds at random (`scripts/conformance.sh` runs thousands) and
//! shrinks any disagreement to a minimal case.
//!
//! The rule expression is `<metric> > <threshold>`; its value at each minute is
//! worked out the way Prometheus selects an instant sample (the latest sample
//! within the 5-minute lookback, both ends included in Prometheus 2; `stale`
//! ends a series at once).

use foresight_core::alerting::engine::{answer_template_queries_now, step, Answer, StepContext};
use foresight_core::alerting::history::AlertHistory;
use foresight_core::alerting::rule::{to_prometheus_rule_file, AlertRule, Comparison, Condition};
use foresight_core::alerting::rule_file::import_rule_file;
use foresight_core::alerting::state_machine::{AlertState, RuleState};
use foresight_core::alerting::template::TemplateData;
use foresight_core::query::series::Labels;
use std::fmt::Write as _;
use std::process::Command;

/// One sample per minute: a value, a gap (`_`) or a staleness marker.
#[derive(Clone, Copy)]
enum Sample {
    Value(f64),
    Gap,
    Stale,
}
use Sample::{Gap, Stale, Value};

struct Scenario {
    name: &'static str,
    /// `instance` label → samples.
    series: Vec<(&'static str, Vec<Sample>)>,
    threshold: f64,
    for_minutes: u32,
    keep_firing_for_minutes: u32,
    summary: &'static str,
}

fn promtool_values(samples: &[Sample]) -> String {
    samples
        .iter()
        .map(|s| match s {
            Value(v) if v.is_infinite() => (if *v > 0.0 { "Inf" } else { "-Inf" }).into(),
            Value(v) => format!("{v}"),
            Gap => "_".into(),
            Stale => "stale".into(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The instant value of a series at minute `t`, as Prometheus selects it.
fn instant_value(samples: &[Sample], t: usize) -> Option<f64> {
    for index in (0..=t.min(samples.len().saturating_sub(1))).rev() {
        if t - index > 5 {
            return None; // outside the 5-minute lookback (inclusive in Prometheus 2)
        }
        match samples[index] {
            Value(v) => return Some(v),
            Stale => return None,
            Gap => continue,
        }
    }
    None
}

/// A YAML double-quoted string: line breaks and other control characters
/// escaped (a single-quoted one would fold a line break into a space).
fn yaml_string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn check(scenario: &Scenario, work: &std::path::Path) -> usize {
    // The rule as a Foresight dashboard holds it; Prometheus gets its export.
    let alert_rule = AlertRule {
        unit: None,
        actions: Vec::new(),
        name: "TooHigh".into(),
        expr: "metric".into(),
        condition: Condition::Threshold {
            op: Comparison::Above,
            value: scenario.threshold,
        },
        for_duration: Some(format!("{}m", scenario.for_minutes)),
        keep_firing_for: Some(format!("{}m", scenario.keep_firing_for_minutes)),
        interval: Some("1m".into()),
        labels: [("severity".to_string(), "page".to_string())].into(),
        annotations: [("summary".to_string(), scenario.summary.to_string())].into(),
    };
    let series: Vec<(Labels, Vec<Sample>)> = scenario
        .series
        .iter()
        .map(|(instance, samples)| {
            let labels = labels(&[
                ("__name__", "metric"),
                ("instance", instance),
                ("job", "app"),
            ]);
            (labels, samples.clone())
        })
        .collect();
    // Eight minutes past the data, so that `keep_firing_for` runs out.
    compare_with_promtool(scenario.name, &alert_rule, &series, 8, work)
        .unwrap_or_else(|report| panic!("{report}"))
}

#[test]
fn the_state_machine_and_templates_agree_with_promtool_test_rules() {
    let work = std::env::temp_dir().join(format!("foresight-alerting-{}", std::process::id()));
    // `$labels` holds the series' labels, not the rule's: `severity` renders empty, as in Prometheus.
    let summary = "{{ $labels.instance }}{{ $labels.severity }} is at {{ $value }} ({{ $value | humanize }}, {{ humanizePercentage $value }}, {{ printf \"%.1f\" $value }})";
    let scenarios = [
        Scenario {
            name: "for-and-resolve",
            series: vec![
                (
                    "a",
                    vec![
                        Value(1.0),
                        Value(7.0),
                        Value(8.0),
                        Value(9.0),
                        Value(9.5),
                        Value(2.0),
                        Value(1.0),
                    ],
                ),
                (
                    "b",
                    vec![
                        Value(6.0),
                        Value(6.0),
                        Value(1.0),
                        Value(6.0),
                        Value(6.0),
                        Value(6.0),
                        Value(6.0),
                        Value(6.0),
                    ],
                ),
            ],
            threshold: 5.0,
            for_minutes: 2,
            keep_firing_for_minutes: 0,
            summary,
        },
        Scenario {
            name: "for-zero-and-large-values",
            series: vec![(
                "a",
                vec![
                    Value(0.0),
                    Value(1_234_567.0),
                    Value(0.004_2),
                    Value(123_456_789_012.0),
                    Value(0.0),
                ],
            )],
            threshold: 0.001,
            for_minutes: 0,
            keep_firing_for_minutes: 0,
            summary,
        },
        Scenario {
            name: "keep-firing-for",
            series: vec![(
                "a",
                vec![
                    Value(9.0),
                    Value(9.0),
                    Value(9.0),
                    Value(1.0),
                    Value(1.0),
                    Value(9.0),
                    Value(1.0),
                    Value(1.0),
                    Value(1.0),
                    Value(1.0),
                ],
            )],
            threshold: 5.0,
            for_minutes: 1,
            keep_firing_for_minutes: 3,
            summary,
        },
        Scenario {
            name: "gaps-staleness-and-disappearing-series",
            series: vec![
                (
                    "a",
                    vec![
                        Value(9.0),
                        Gap,
                        Gap,
                        Value(9.0),
                        Gap,
                        Gap,
                        Gap,
                        Gap,
                        Gap,
                        Gap,
                        Value(9.0),
                    ],
                ),
                (
                    "b",
                    vec![
                        Value(9.0),
                        Value(9.0),
                        Stale,
                        Value(9.0),
                        Value(9.0),
                        Value(9.0),
                    ],
                ),
            ],
            threshold: 5.0,
            for_minutes: 2,
            keep_firing_for_minutes: 0,
            summary,
        },
        Scenario {
            name: "nan-values",
            series: vec![(
                "a",
                vec![
                    Value(9.0),
                    Value(f64::NAN),
                    Value(9.0),
                    Value(9.0),
                    Value(9.0),
                ],
            )],
            threshold: 5.0,
            for_minutes: 1,
            keep_firing_for_minutes: 0,
            summary,
        },
    ];
    let mut total = 0;
    for scenario in &scenarios {
        let checks = check(scenario, &work);
        println!(
            "{}: promtool agrees on {checks} firing alerts with their annotations",
            scenario.name
        );
        total += checks;
    }
    assert!(total > 20, "the scenarios exercise firing alerts: {total}");
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn the_shipped_rules_export_to_a_file_promtool_accepts() {
    let dashboard = foresight_core::model::dashboard::Dashboard::from_json(include_str!(
        "../../../public/dashboards/service-health.json"
    ))
    .unwrap();
    assert!(
        dashboard.alerts.iter().any(|r| r.name == "HighErrorRate"),
        "the default dashboard ships the error-rate rule"
    );
    let work = std::env::temp_dir().join(format!("foresight-export-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let file = work.join("foresight-rules.yml");
    std::fs::write(
        &file,
        to_prometheus_rule_file(&dashboard.title, &dashboard.alerts).unwrap(),
    )
    .unwrap();
    let outcome = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        outcome.status.success(),
        "promtool check rules:\n{}{}",
        String::from_utf8_lossy(&outcome.stdout),
        String::from_utf8_lossy(&outcome.stderr)
    );
    println!("{}", String::from_utf8_lossy(&outcome.stdout).trim());
    let _ = std::fs::remove_dir_all(&work);
}

/// One rule over labelled series: Foresight's firing alerts at every minute,
/// with all their labels and annotations, written as the expectations of a
/// `promtool test rules` file, which must pass.
fn check_rule(
    name: &str,
    alert_rule: &AlertRule,
    series: &[(Labels, Vec<Sample>)],
    work: &std::path::Path,
) -> usize {
    compare_with_promtool(name, alert_rule, series, 2, work)
        .unwrap_or_else(|report| panic!("{report}"))
}

/// [`check_rule`], with a disagreement returned as promtool's report.
fn compare_with_promtool(
    name: &str,
    alert_rule: &AlertRule,
    series: &[(Labels, Vec<Sample>)],
    minutes_after_data: usize,
    work: &std::path::Path,
) -> Result<usize, String> {
    let minutes = series.iter().map(|(_, s)| s.len()).max().unwrap_or(0) + minutes_after_data;
    let mut state = RuleState::default();
    let mut tests = String::new();
    let mut checks = 0;
    let mut history = AlertHistory::default();
    for t in 0..minutes {
        let answer: Vec<(Labels, f64)> = series
            .iter()
            .filter_map(|(labels, samples)| Some((labels.clone(), instant_value(samples, t)?)))
            .collect();
        // Prometheus answers a selector in the order of the series' labels.
        let mut sorted = answer.clone();
        sorted.sort_by(|(a, _), (b, _)| a.iter().cmp(b.iter()));
        let answer = Answer {
            had_data: !answer.is_empty(),
            samples: answer,
        };
        // One evaluation as the page runs it: the queries the templates call,
        // answered at this minute (`query "metric"` is the selector's
        // answer), then the step, which keeps each alert present now with
        // its rendered annotations (one kept firing keeps those of its last
        // presence, as in Prometheus).
        let mut templates = TemplateData::default();
        answer_template_queries_now(alert_rule, &answer, &mut templates, |query| {
            if query == QUERYABLE {
                Ok(sorted.clone())
            } else {
                Err(format!("no series for {query}"))
            }
        });
        step(
            alert_rule,
            Ok(answer),
            &mut state,
            &mut history,
            StepContext {
                templates: &templates,
                sends_notifications: false,
                silences: &[],
                now: t as f64 * 60.0,
            },
        );
        write!(
            tests,
            "      - eval_time: {t}m\n        alertname: {}\n        exp_alerts:",
            yaml_string(&alert_rule.name)
        )
        .unwrap();
        let firing: Vec<_> = state
            .alerts
            .values()
            .filter(|a| a.state == AlertState::Firing)
            .collect();
        if firing.is_empty() {
            tests.push_str(" []\n");
        } else {
            tests.push('\n');
        }
        for alert in firing {
            checks += 1;
            tests.push_str("          - exp_labels:\n");
            for (label, value) in alert.labels.iter().filter(|(l, _)| *l != "alertname") {
                writeln!(tests, "              {label}: {}", yaml_string(value)).unwrap();
            }
            tests.push_str("            exp_annotations:\n");
            let annotations = &alert.annotations;
            for (annotation, text) in annotations {
                writeln!(tests, "              {annotation}: {}", yaml_string(text)).unwrap();
            }
        }
    }
    // Prometheus reads the rule from a file written in one of the YAML styles
    // rule files use, and the page imports the same file: the rule it imports
    // must be the one evaluated above (as the export writes it).
    let rules = styled_rule_file(alert_rule, name);
    let exported =
        to_prometheus_rule_file("conformance", std::slice::from_ref(alert_rule)).unwrap();
    let expected = import_rule_file(&exported).unwrap().imported;
    let imported = import_rule_file(&rules)
        .map_err(|e| format!("{name}: the rule file was not imported: {e}\n{rules}"))?
        .imported;
    if imported != expected {
        return Err(format!(
            "{name}: the rule file was imported as\n{imported:?}\ninstead of\n{expected:?}\nfrom\n{rules}"
        ));
    }
    let mut input = String::new();
    for (labels, samples) in series {
        let selector: Vec<String> = labels
            .iter()
            .filter(|(l, _)| *l != "__name__")
            .map(|(l, v)| format!("{l}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect();
        writeln!(
            input,
            "      - series: {}\n        values: '{}'",
            yaml_string(&format!(
                "{}{{{}}}",
                labels["__name__"],
                selector.join(", ")
            )),
            promtool_values(samples)
        )
        .unwrap();
    }
    let test_file = format!(
        "rule_files:\n  - rules.yml\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n{input}    alert_rule_test:\n{tests}"
    );
    let dir = work.join(name);
    let (passed, report) = promtool_test_rules(&dir, &rules, &test_file);
    if !passed && !only_error_texts_differ(&report) {
        return Err(format!(
            "{name}: Prometheus disagrees with Foresight\n{report}\n(test file: {})",
            dir.join("test.yml").display()
        ));
    }
    Ok(checks)
}

/// Setting error messages aside hides only error messages: an expected error
/// where Prometheus renders text, or text where it errs, still disagrees.
#[test]
fn only_the_wording_of_template_errors_is_set_aside() {
    let work = std::env::temp_dir().join(format!("foresight-errors-{}", std::process::id()));
    let run = |name: &str, template: &str, expected: &str| {
        let dir = work.join(name);
        let rule = AlertRule {
            unit: None,
            actions: Vec::new(),
            name: "Errors".into(),
            expr: "metric".into(),
            condition: Condition::Returns,
            for_duration: None,
            keep_firing_for: None,
            interval: Some("1m".into()),
            labels: Labels::new(),
            annotations: labels(&[("a", template)]),
        };
        let (passed, report) = promtool_test_rules(
            &dir,
            &to_prometheus_rule_file("errors", std::slice::from_ref(&rule)).unwrap(),
            &format!("rule_files:\n  - rules.yml\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'metric{{instance=\"a\"}}'\n        values: '1'\n    alert_rule_test:\n      - eval_time: 0m\n        alertname: Errors\n        exp_alerts:\n          - exp_labels:\n              instance: a\n            exp_annotations:\n              a: {}\n", yaml_string(expected)),
        );
        assert!(!passed, "{name}: the wording differs");
        only_error_texts_differ(&report)
    };
    assert!(run(
        "both-err",
        "{{ gt $value 1 }}",
        "<error expanding template: ours>"
    ));
    assert!(!run(
        "we-err",
        "{{ gt $value 1.0 }}",
        "<error expanding template: ours>"
    ));
    assert!(!run("they-err", "{{ gt $value 1 }}", "false"));
    let _ = std::fs::remove_dir_all(&work);
}

/// Writes a rule file and a `promtool test rules` file into `dir` and runs
/// promtool on them: whether every expectation held, and what it said
/// (its failures go to standard error).
fn promtool_test_rules(dir: &std::path::Path, rules: &str, test: &str) -> (bool, String) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("rules.yml"), rules).unwrap();
    std::fs::write(dir.join("test.yml"), test).unwrap();
    let outcome = Command::new("promtool")
        .args(["test", "rules", "test.yml"])
        .current_dir(dir)
        .output()
        .expect("promtool (Debian package prometheus) runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&outcome.stdout),
        String::from_utf8_lossy(&outcome.stderr)
    );
    (outcome.status.success(), report)
}

/// The one query the generated templates run (the series' own selector).
const QUERYABLE: &str = "metric";

/// Replaces each `"<error expanding template: …>"` in promtool's report by
/// `"<error>"`: both engines refuse the template, each with its own words.
fn without_error_texts(report: &str) -> String {
    const START: &str = "\"<error expanding template: ";
    let mut out = String::new();
    let mut rest = report;
    while let Some(at) = rest.find(START) {
        out.push_str(&rest[..at]);
        out.push_str("\"<error>\"");
        let mut chars = rest[at + START.len()..].char_indices();
        let mut end = rest.len() - at - START.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &rest[at + START.len() + end..];
    }
    out.push_str(rest);
    out
}

/// Whether every failed expectation in promtool's report differs only in the
/// text of a template error: Foresight's `exp` and promtool's `got` are the
/// same once each error's message is set aside.
fn only_error_texts_differ(report: &str) -> bool {
    let report = without_error_texts(report);
    let mut blocks = 0;
    for block in report.split("alertname: ").skip(1) {
        let (Some(exp), Some(got)) = (block.find("exp:"), block.find("got:")) else {
            return false;
        };
        let expected = block[exp + 4..got].trim().trim_end_matches(',').trim();
        let actual = block[got + 4..].trim();
        if expected != actual {
            return false;
        }
        blocks += 1;
    }
    blocks > 0 && !report.contains("error in ") && !report.contains("could not")
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

/// The examples of the conformance report where Foresight differed from
/// Prometheus: NaN compared with `!=`, rule labels that render empty, `$labels`
/// (the series', `__name__` included, printed whole as a Go map), Go's
/// `printf` flags and `%g` precision, infinities, negative zero, `title`, a
/// literal `}}` and an alert name that is not an identifier.
#[test]
fn the_report_examples_render_as_promtool_renders_them() {
    let work = std::env::temp_dir().join(format!("foresight-templates-{}", std::process::id()));
    let rule = AlertRule {
        unit: None,
        actions: Vec::new(),
        name: "Name(with) odd".into(),
        expr: "metric".into(),
        condition: Condition::Threshold {
            op: Comparison::NotEqual,
            value: 5.0,
        },
        for_duration: Some("0m".into()),
        keep_firing_for: None,
        interval: Some("1m".into()),
        labels: labels(&[("severity", "{{ $labels.missing }}"), ("env", "x")]),
        annotations: labels(&[
            (
                "numbers",
                r#"{{ printf "%0.2f" $value }} {{ printf "%.4g" $value }} {{ printf "%.2f" $value }} {{ humanizePercentage $value }} {{ $value | humanize }} {{ printf "%08.3f|%-9.2e|%+g" $value $value $value }}"#,
            ),
            (
                "labels",
                r#"{{ $labels.__name__ }} {{ $labels.env }} {{ $labels }} {{ $labels.instance | title }} 80 }}."#,
            ),
            ("marks", r#"{{ printf "%d %s" $value }}"#),
        ]),
    };
    let series = vec![
        (
            labels(&[
                ("__name__", "metric"),
                ("instance", "db.example.com:5432"),
                ("env", "straße"),
            ]),
            vec![
                Value(123_456.789),
                Value(60.0),
                Value(-0.0),
                Value(f64::INFINITY),
                Value(f64::NAN),
                Value(5.0),
                Value(0.000_012_345),
                Value(f64::NEG_INFINITY),
            ],
        ),
        (
            labels(&[("__name__", "metric"), ("instance", "web-1:80")]),
            vec![Value(59.5), Value(0.5), Gap, Value(1e21)],
        ),
    ];
    let checks = check_rule("report-examples", &rule, &series, &work);
    println!("report examples: promtool agrees on {checks} firing alerts with their labels and annotations");
    assert!(checks >= 10, "{checks}");
    let _ = std::fs::remove_dir_all(&work);
}

/// The comparison can fail: a template Foresight rendered differently from
/// Prometheus (here, one Foresight no longer renders: `title` as it was, only
/// after spaces) is caught by promtool.
#[test]
fn promtool_catches_a_rendering_that_differs() {
    let work = std::env::temp_dir().join(format!("foresight-mutant-{}", std::process::id()));
    let rule = AlertRule {
        unit: None,
        actions: Vec::new(),
        name: "Mutant".into(),
        expr: "metric".into(),
        condition: Condition::Returns,
        for_duration: None,
        keep_firing_for: None,
        interval: Some("1m".into()),
        labels: Labels::new(),
        annotations: labels(&[("a", "{{ $labels.instance | title }}")]),
    };
    let series = vec![(
        labels(&[("__name__", "metric"), ("instance", "db.example.com")]),
        vec![Value(1.0)],
    )];
    // What the old `title` made of it, written as the expectation by hand.
    let dir = work.join("mutant");
    let (passed, said) = promtool_test_rules(
        &dir,
        &to_prometheus_rule_file("mutant", std::slice::from_ref(&rule)).unwrap(),
        "rule_files:\n  - rules.yml\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'metric{instance=\"db.example.com\"}'\n        values: '1'\n    alert_rule_test:\n      - eval_time: 0m\n        alertname: Mutant\n        exp_alerts:\n          - exp_labels:\n              instance: db.example.com\n            exp_annotations:\n              a: Db.example.com\n",
    );
    assert!(!passed, "promtool must refuse the old rendering");
    assert!(said.contains("Db.Example.Com"), "{said}");
    assert!(
        !only_error_texts_differ(&said),
        "a difference in text is not an error's wording"
    );
    // And the current rendering passes.
    assert!(check_rule("mutant-fixed", &rule, &series, &work) >= 1);
    let _ = std::fs::remove_dir_all(&work);
}

/// Whether `text` reads as itself unquoted in YAML: no indicator first, no
/// `: ` or ` #`, no surrounding blanks, printable ASCII.
fn plain_safe(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && text.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with([':', ' '])
        && !matches!(text, "null" | "Null" | "NULL" | "~")
}

/// `text` as a YAML value in a style chosen by `random`, for a key at `indent`:
/// double- or single-quoted, plain, a literal or folded block, folded or
/// escaped over lines.
fn styled_value(text: &str, indent: usize, random: &mut Seeded) -> String {
    let pad = " ".repeat(indent + 2);
    let printable = !text.chars().any(|c| c.is_control() && c != '\n');
    let lines_plain = text
        .split('\n')
        .all(|line| !line.starts_with([' ', '\t']) && !line.ends_with([' ', '\t']));
    let words: Vec<&str> = text.split(' ').collect();
    let single_spaced = !text.is_empty() && words.iter().all(|w| !w.is_empty() && plain_safe(w));
    match random.below(7) {
        0 if plain_safe(text) => text.to_string(),
        1 if printable && !text.contains('\n') => format!("'{}'", text.replace('\'', "''")),
        2 if printable
            && lines_plain
            && !text.is_empty()
            && !text.trim_end_matches('\n').is_empty() =>
        {
            let trailing = text.len() - text.trim_end_matches('\n').len();
            let chomp = match trailing {
                0 => "-",
                1 => "",
                _ => "+",
            };
            let body: Vec<String> = text
                .trim_end_matches('\n')
                .split('\n')
                .map(|line| {
                    if line.is_empty() {
                        String::new()
                    } else {
                        format!("{pad}{line}")
                    }
                })
                .collect();
            let kept = "\n".repeat(trailing.saturating_sub(1));
            format!("|{chomp}\n{}{kept}", body.join("\n"))
        }
        3 if single_spaced && words.len() > 1 => {
            // Folded: one line per word, joined again with spaces.
            let body: Vec<String> = words.iter().map(|w| format!("{pad}{w}")).collect();
            format!(">-\n{}", body.join("\n"))
        }
        4 if single_spaced && words.len() > 1 => {
            // A plain or quoted scalar folded over lines.
            let (first, rest) = words.split_at(1);
            if plain_safe(text) {
                format!("{}\n{pad}{}", first[0], rest.join(" "))
            } else {
                format!(
                    "\"{}\n{pad}{}\"",
                    first[0].replace('\\', "\\\\").replace('"', "\\\""),
                    rest.join(" ").replace('\\', "\\\\").replace('"', "\\\"")
                )
            }
        }
        5 if text.len() > 4 => {
            // An escaped line break inside a double-quoted scalar joins without a space.
            let cut = text
                .char_indices()
                .nth(text.chars().count() / 2)
                .map_or(0, |(i, _)| i);
            let (head, tail) = text.split_at(cut);
            // The inside of the double-quoted form (one quote off each end).
            let quoted = |part: &str| {
                let whole = yaml_string(part);
                whole[1..whole.len() - 1].to_string()
            };
            format!(
                "\"{}\\\n{pad}{}\"",
                quoted(head),
                quoted(tail).replace(' ', "\\x20")
            )
        }
        _ => yaml_string(text),
    }
}

/// A rule file with `rule`, in a mix of the YAML styles rule files are
/// written in (the choice follows `name`, so each scenario keeps its file).
fn styled_rule_file(rule: &AlertRule, name: &str) -> String {
    let exported = to_prometheus_rule_file("conformance", std::slice::from_ref(rule)).unwrap();
    let prometheus_rule = &import_rule_file(&exported).unwrap().imported[0].rule;
    let seed = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    let random = &mut Seeded(seed | 1);
    let mut text = String::from("# A rule file in the styles people write.\ngroups:\n");
    let (item, indent) = if random.below(2) == 0 {
        ("- ", 2)
    } else {
        ("  - ", 4)
    };
    let pad = " ".repeat(indent);
    text.push_str(&format!("{item}name: conformance\n"));
    if let Some(interval) = &prometheus_rule.interval {
        text.push_str(&format!("{pad}interval: {interval}\n"));
    }
    text.push_str(&format!(
        "{pad}rules:\n{pad}- alert: {}\n",
        styled_value(&prometheus_rule.name, indent + 2, random)
    ));
    let field = " ".repeat(indent + 2);
    text.push_str(&format!(
        "{field}expr: {}\n",
        styled_value(&prometheus_rule.expr, indent + 2, random)
    ));
    for (key, value) in [
        ("for", &prometheus_rule.for_duration),
        ("keep_firing_for", &prometheus_rule.keep_firing_for),
    ] {
        if let Some(value) = value {
            text.push_str(&format!(
                "{field}{key}: {}\n",
                styled_value(value, indent + 2, random)
            ));
        }
    }
    for (section, entries) in [
        ("labels", &prometheus_rule.labels),
        ("annotations", &prometheus_rule.annotations),
    ] {
        if entries.is_empty() {
            continue;
        }
        if random.below(4) == 0 {
            // A flow mapping on one line.
            let members: Vec<String> = entries
                .iter()
                .map(|(key, value)| format!("{key}: {}", yaml_string(value)))
                .collect();
            text.push_str(&format!("{field}{section}: {{{}}}\n", members.join(", ")));
            continue;
        }
        text.push_str(&format!("{field}{section}:  # {section}\n"));
        for (key, value) in entries {
            text.push_str(&format!(
                "{field}  {key}: {}\n",
                styled_value(value, indent + 4, random)
            ));
        }
    }
    text
}

/// xorshift64*: the same scenarios on every run of a seed.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Values that are hard to print: NaN, infinities, both zeros, ties, very
/// large and very small magnitudes, and plain numbers.
fn random_value(random: &mut Seeded) -> f64 {
    match random.below(12) {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => -0.0,
        4 => 0.0,
        5 => random.below(200) as f64 + 0.5,
        6 => random.below(100_000) as f64,
        7 => -(random.below(1000) as f64) / 8.0,
        _ => {
            let mantissa = (random.next() % 1_000_000) as f64 / 1000.0;
            let exponent = random.below(30) as i32 - 12;
            let sign = if random.below(4) == 0 { -1.0 } else { 1.0 };
            sign * mantissa * 10f64.powi(exponent)
        }
    }
}

/// A value expression for the language's functions.
fn random_operand(random: &mut Seeded) -> String {
    random
        .pick(&[
            "$value",
            "$labels.instance",
            "$labels.env",
            "$labels.missing",
            ".Labels.job",
            "$.Value",
            "(len $labels)",
            "(index $labels \"env\")",
            "\"text\"",
            "\"\"",
            "1.5",
            "0",
            "2",
            "true",
            "(args 1 \"a\")",
            "(print $value)",
            "$externalURL",
        ])
        .to_string()
}

/// An operand that is not a map.
fn random_scalar(random: &mut Seeded) -> String {
    loop {
        let operand = random_operand(random);
        if !operand.starts_with("(args") {
            return operand;
        }
    }
}

/// A condition for `if`.
fn random_condition(random: &mut Seeded) -> String {
    let threshold = random.pick(&["1.0", "0.5", "-1e3", "100.0", "1", "0"]);
    match random.below(10) {
        0 => format!("gt $value {threshold}"),
        1 => format!("le $value {threshold}"),
        2 => format!(
            "{} $labels.env \"{}\"",
            random.pick(&["eq", "ne", "lt", "ge"]),
            random.pick(&["a", "straße", "prod", ""])
        ),
        3 => format!("and $labels.env {}", random_operand(random)),
        4 => format!("or $labels.missing {}", random_operand(random)),
        5 => format!("not {}", random_operand(random)),
        6 => format!(
            "ne $labels.instance {}",
            random.pick(&["\"a-0\"", "$labels.job"])
        ),
        7 => format!("eq $value $value {threshold}"),
        8 => format!(
            "match \"{}\" {}",
            go_string(random_pattern(random)),
            random_regex_text(random)
        ),
        _ => random_operand(random),
    }
}

/// A regular expression for `match` and `reReplaceAll`: RE2's syntax, Go's
/// corners (empty matches, lazy repetition, named groups, braces that are
/// text) and some that Go refuses.
fn random_pattern(random: &mut Seeded) -> &'static str {
    random.pick(&[
        "(.*):.*",
        "^db",
        "[a-z]+",
        "\\d+",
        "(?i)DB|PROD",
        "^$",
        "a*",
        "é",
        "(\\w+)-(\\d)",
        "x|y",
        "[[:alpha:]]+",
        "(?P<host>[^:]+):(?P<port>\\d+)",
        "[",
        ".",
        "\\s",
        "ß",
        "a*?",
        "(a|b)+?",
        "e{1,2}",
        "x{a}",
        "a**",
        "(?<n>a)",
        "\\.",
        "(?s).",
        "(?U)a+",
        "[^a-]",
        "\\bp",
        "",
    ])
}

/// A text as the inside of a Go string literal.
fn go_string(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A text for a regular expression to read.
fn random_regex_text(random: &mut Seeded) -> String {
    random
        .pick(&[
            "$labels.instance",
            "$labels.env",
            "$labels.job",
            "(print $value)",
            "\"db1.example:5432\"",
            "\"\"",
            "\"aaa bab\"",
        ])
        .to_string()
}

/// A template from the language Foresight supports: Go's actions, Go's and
/// Prometheus's functions, and what people print with them.
fn random_template(random: &mut Seeded) -> String {
    let mut pieces = Vec::new();
    for _ in 0..1 + random.below(3) {
        let piece = match random.below(43) {
            0 => "{{ $value }}".to_string(),
            1 => "{{ .Value | humanize }}".to_string(),
            2 => "{{ humanize1024 $value }}".to_string(),
            3 => "{{ $value | humanizePercentage }}".to_string(),
            4 => "{{ humanizeDuration $value }}".to_string(),
            5..=7 => {
                let mut format = String::from("%");
                for flag in ["+", "-", " ", "0"] {
                    if random.below(4) == 0 {
                        format.push_str(flag);
                    }
                }
                if random.below(3) == 0 {
                    format.push_str(&random.below(13).to_string());
                }
                if random.below(2) == 0 {
                    format.push_str(&format!(".{}", random.below(9)));
                }
                format.push_str(random.pick(&["v", "d", "f", "F", "e", "E", "g", "G", "s", "q", "x", "t", "c"]));
                let args = random.pick(&[
                    "$value",
                    "$value",
                    "$labels.instance",
                    "",
                    "$value $value",
                    "(len $labels)",
                    "(gt $value 1.0)",
                ]);
                format!("{{{{ printf \"{format} x\" {args} }}}}")
            }
            8 => format!(
                "{{{{ {} $labels.instance }}}}",
                random.pick(&["title", "toUpper", "toLower", "stripPort", "stripDomain", "html", "js", "urlquery", "safeHtml", "len"])
            ),
            9 => format!(
                "{{{{ $labels.env | {} }}}}",
                random.pick(&["title", "toUpper", "toLower", "len", "print", "println"])
            ),
            10 => "{{ $labels }}".to_string(),
            11 => format!(
                "{{{{ $labels.{} }}}}",
                random.pick(&["__name__", "missing", "env", "job"])
            ),
            12 => "{{- \" a \" -}} b }}".to_string(),
            13 => random.pick(&["text", "100%", "a:b", "é"]).to_string(),
            14..=16 => {
                let otherwise = match random.below(3) {
                    0 => String::new(),
                    1 => "{{ else }}no".to_string(),
                    _ => format!("{{{{ else if {} }}}}maybe{{{{ else }}}}no", random_condition(random)),
                };
                format!("{{{{ if {} }}}}yes {{{{ $value }}}}{otherwise}{{{{ end }}}}", random_condition(random))
            }
            17 => format!(
                "{{{{ with {} }}}}on {{{{ . }}}}{{{{ else }}}}none{{{{ end }}}}",
                random.pick(&["$labels.env", "$labels.missing", "$labels.job", "$value", "(len $labels)"])
            ),
            18 => "{{ range $k, $v := $labels }}{{ $k }}={{ $v }}{{ if eq $k \"env\" }}{{ break }}{{ end }};{{ end }}".to_string(),
            19 => "{{ range $labels }}{{ if not . }}{{ continue }}{{ end }}{{ . | toUpper }},{{ else }}empty{{ end }}".to_string(),
            20 => format!("{{{{ $x := {} }}}}[{{{{ $x }}}}]", random_operand(random)),
            21 => "{{ $n := 0 }}{{ range $i, $v := $labels }}{{ $n = len $v }}{{ end }}{{ $n }}".to_string(),
            22 => format!(
                "{{{{ {} {} }}}}",
                random.pick(&["js", "html", "urlquery", "print", "println"]),
                random.pick(&["$labels.instance", "$labels.env", "$value", "$labels.env $value", "(len $labels) $labels"])
            ),
            // Integer and float verbs with `#` and the base prefixes.
            24 if random.below(2) == 0 => format!(
                "{{{{ printf \"%U|%#x|%O|%#o|%#b|%b|%#X\" {} 255 {} 8 5 {} (len $labels) }}}}",
                random.pick(&["65", "(len $labels)", "0x1F600", "-1"]),
                random.pick(&["8", "-8", "0"]),
                random.pick(&["1.0", "$value", "-0.5", "(len $labels)"])
            ),
            // Not a map: Go applies the verb inside a map, which Foresight refuses.
            23 => format!(
                "{{{{ printf \"%q|%x|%X|%c|%5.1q\" {} {} {} 65 {} }}}}",
                random_scalar(random),
                random_scalar(random),
                random_scalar(random),
                random_scalar(random)
            ),
            24 => format!("{{{{ humanizeTimestamp {} }}}}", random.pick(&["$value", "1.5", "\"12\"", "1700000000.123"])),
            25 => format!(
                "{{{{ parseDuration \"{}\" }}}}",
                random.pick(&["1h30m", "90s", "1d2h", "bad", "1.5s", "0", "2w", "1y1w1d1h1m1s1ms", "5m1h", "30y1ms", "200y"])
            ),
            26 => format!("{{{{ {} }}}}", random_condition(random)),
            27 => format!(
                "{{{{ print {} {} }}}}",
                random_operand(random),
                random_operand(random)
            ),
            28 => format!("{{{{ index {} {} }}}}", random.pick(&["$labels", "(args 1 \"b\")"]), random.pick(&["\"env\"", "\"arg1\"", "\"instance\""])),
            29 => "{{ (args $value $labels.env).arg1 }} {{ $.Labels.job }} {{ $externalURL }}".to_string(),
            30 => format!("{{{{ toTime {} }}}}", random.pick(&["$value", "0", "1.5"])),
            31 => "{{/* a comment */}}{{- $labels.instance -}} , {{ len $labels }}".to_string(),
            // Go slices bytes: a cut inside a character makes text that is
            // not UTF-8, which Foresight refuses; "héllo" is cut only between.
            32 => format!("{{{{ slice \"héllo\" {} }}}}", random.pick(&["1", "1 3", "0 0", "9", "3 1", "0 1"])),
            33 => format!("{{{{ title (print $labels.env \"-\" {}) }}}}", random_operand(random)),
            // Queries run against the series themselves.
            34 => format!("{{{{ with query \"{QUERYABLE}\" }}}}{{{{ . | len }}}}{{{{ end }}}}"),
            35 => format!("{{{{ range sortByLabel \"instance\" (query \"{QUERYABLE}\") }}}}{{{{ .Labels.instance }}}}={{{{ .Value }}}};{{{{ end }}}}"),
            // Prometheus answers series that begin together in no fixed
            // order: a template that picks one sorts them first.
            36 => format!("{{{{ query \"{QUERYABLE}\" | sortByLabel \"instance\" | first | value | humanize }}}}"),
            37 => format!("{{{{ with query \"{QUERYABLE}\" | sortByLabel \"instance\" }}}}{{{{ with first . }}}}{{{{ label \"instance\" . }}}} {{{{ strvalue . }}}}|{{{{ . }}}}{{{{ end }}}}{{{{ end }}}}"),
            38 => format!("{{{{ range $i, $s := sortByLabel \"instance\" (query \"{QUERYABLE}\") }}}}{{{{ $i }}}}:{{{{ $s.Labels.env }}}} {{{{ end }}}}"),
            39 | 40 => format!(
                "{{{{ reReplaceAll \"{}\" \"{}\" {} }}}}",
                go_string(random_pattern(random)),
                random.pick(&["$1", "${1}x", "$1x", "[$0]", "$$", "${host}", "-", "", "$", "${port}:$host"]),
                random_regex_text(random)
            ),
            41 => format!(
                "{{{{ if match \"{}\" {} }}}}yes{{{{ else }}}}no{{{{ end }}}}",
                go_string(random_pattern(random)),
                random_regex_text(random)
            ),
            _ => format!("{{{{ {} }}}}", random_operand(random)),
        };
        pieces.push(piece);
    }
    pieces.join(" ")
}

struct GeneratedScenario {
    rule: AlertRule,
    series: Vec<(Labels, Vec<Sample>)>,
}

fn random_scenario(random: &mut Seeded, index: usize) -> GeneratedScenario {
    let op = Comparison::ALL[random.below(Comparison::ALL.len())];
    let threshold = if random.below(2) == 0 {
        random.below(10) as f64
    } else {
        random_value(random).clamp(-1e6, 1e6)
    };
    let threshold = if threshold.is_nan() { 0.0 } else { threshold };
    let mut labels = Labels::new();
    if random.below(3) == 0 {
        let value = random.pick(&[
            "page",
            "{{ $labels.missing }}",
            "{{ $labels.env }}",
            "x-{{ $labels.job }}",
        ]);
        labels.insert("severity".into(), value.into());
    }
    let annotations = (0..1 + random.below(2))
        .map(|k| (format!("a{k}"), random_template(random)))
        .collect();
    let rule = AlertRule {
        name: format!("Generated{index}"),
        expr: "metric".into(),
        condition: Condition::Threshold {
            op,
            value: threshold,
        },
        for_duration: Some(format!("{}m", random.below(3))),
        keep_firing_for: Some(format!("{}m", random.below(3))),
        interval: Some("1m".into()),
        labels,
        annotations,
        unit: None,
        actions: Vec::new(),
    };
    let values = [
        "straße",
        "ÉCOLE d'été",
        "x y-z_w.q",
        "ǆungla",
        "日本 語",
        "db.example.com:5432",
        "ᾳ ῃ-ᾀ",
        "a",
    ];
    let series = (0..1 + random.below(2))
        .map(|k| {
            let mut series_labels = Labels::new();
            series_labels.insert("__name__".into(), "metric".into());
            series_labels.insert("instance".into(), format!("{}-{k}", random.pick(&values)));
            if random.below(2) == 0 {
                series_labels.insert("env".into(), random.pick(&values).into());
            }
            if random.below(2) == 0 {
                series_labels.insert("job".into(), random.pick(&values).into());
            }
            let samples = (0..3 + random.below(4))
                .map(|_| match random.below(10) {
                    0 => Gap,
                    1 => Stale,
                    _ => Value(random_value(random)),
                })
                .collect();
            (series_labels, samples)
        })
        .collect();
    GeneratedScenario { rule, series }
}

/// The smallest scenario that still disagrees: drop annotations, the rule's
/// labels, series and samples while promtool still refuses.
fn shrink(mut scenario: GeneratedScenario, work: &std::path::Path) -> (GeneratedScenario, String) {
    let fails = |candidate: &GeneratedScenario| {
        compare_with_promtool("shrinking", &candidate.rule, &candidate.series, 2, work).err()
    };
    let mut report = fails(&scenario).unwrap_or_default();
    loop {
        let mut candidates = Vec::new();
        for name in scenario.rule.annotations.keys() {
            let mut rule = scenario.rule.clone();
            rule.annotations.remove(name);
            candidates.push(GeneratedScenario {
                rule,
                series: scenario.series.clone(),
            });
        }
        if !scenario.rule.labels.is_empty() {
            let mut rule = scenario.rule.clone();
            rule.labels.clear();
            candidates.push(GeneratedScenario {
                rule,
                series: scenario.series.clone(),
            });
        }
        for k in 0..scenario.series.len() {
            if scenario.series.len() > 1 {
                let mut series = scenario.series.clone();
                series.remove(k);
                candidates.push(GeneratedScenario {
                    rule: scenario.rule.clone(),
                    series,
                });
            }
            for i in 0..scenario.series[k].1.len() {
                if scenario.series[k].1.len() > 1 {
                    let mut series = scenario.series.clone();
                    series[k].1.remove(i);
                    candidates.push(GeneratedScenario {
                        rule: scenario.rule.clone(),
                        series,
                    });
                }
            }
        }
        let smaller = candidates
            .into_iter()
            .find_map(|c| fails(&c).map(|r| (c, r)));
        match smaller {
            Some((candidate, candidate_report)) => {
                scenario = candidate;
                report = candidate_report;
            }
            None => return (scenario, report),
        }
    }
}

/// Randomized differential test: generated rules, series (gaps, staleness,
/// NaN, ±Inf, −0, ties, extreme magnitudes) and templates, evaluated minute by
/// minute by Foresight and by `promtool test rules`; every firing alert's
/// labels and annotations must agree. `FORESIGHT_CONFORMANCE_SCENARIOS` and
/// `FORESIGHT_CONFORMANCE_SEED` choose how many and which (scripts/conformance.sh
/// runs thousands).
#[test]
fn generated_rules_and_templates_agree_with_promtool() {
    let count: usize = std::env::var("FORESIGHT_CONFORMANCE_SCENARIOS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500);
    let seed: u64 = std::env::var("FORESIGHT_CONFORMANCE_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x00f0_4e51_9117);
    let work = std::env::temp_dir().join(format!("foresight-generated-{}", std::process::id()));
    let mut random = Seeded(seed.max(1));
    let (mut agreed, mut minutes, mut alerts) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for index in 0..count {
        let scenario = random_scenario(&mut random, index);
        let scenario_minutes = scenario
            .series
            .iter()
            .map(|(_, s)| s.len())
            .max()
            .unwrap_or(0)
            + 2;
        match compare_with_promtool(
            &format!("generated-{index}"),
            &scenario.rule,
            &scenario.series,
            2,
            &work,
        ) {
            Ok(checked) => {
                agreed += 1;
                minutes += scenario_minutes;
                alerts += checked;
            }
            Err(_) => {
                let (smallest, report) = shrink(scenario, &work);
                let templates: Vec<String> = smallest
                    .rule
                    .annotations
                    .values()
                    .chain(smallest.rule.labels.values())
                    .cloned()
                    .collect();
                disagreements.push(format!(
                    "scenario {index}, shrunk: templates {templates:?}, condition {:?}, series {:?}\n{report}",
                    smallest.rule.condition,
                    smallest
                        .series
                        .iter()
                        .map(|(labels, samples)| (labels.clone(), promtool_values(samples)))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    for disagreement in &disagreements {
        let lines: Vec<&str> = disagreement
            .lines()
            .filter(|line| {
                line.starts_with("scenario")
                    || line.contains("Annotations:")
                    || line.contains("Labels:")
            })
            .take(5)
            .collect();
        println!("{}", lines.join("\n"));
    }
    println!(
        "seed {seed}: {agreed} of {count} scenarios agree with promtool ({minutes} evaluation minutes, {alerts} firing alerts with their labels and annotations compared); {} disagree",
        disagreements.len()
    );
    let _ = std::fs::remove_dir_all(&work);
    assert!(alerts > count, "the scenarios fire: {alerts}");
    assert!(
        disagreements.is_empty(),
        "{} disagreements; the first, shrunk:\n{}",
        disagreements.len(),
        disagreements[0]
    );
}
