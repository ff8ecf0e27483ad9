//! `benchmarks template-budget` — times one evaluation of alert rules whose
//! templates each stay within a rendering's caps but are as slow as those caps
//! allow, for one alert and for a thousand: what a hostile rule costs the page
//! per evaluation, with the evaluation's shared budget (see `MAX_EVALUATION_*`
//! in `foundation::limits`), beside what a thousand renderings alone would cost.

use foresight_core::alerting::engine::{step, Answer, StepContext};
use foresight_core::alerting::history::AlertHistory;
use foresight_core::alerting::rule::AlertRule;
use foresight_core::alerting::state_machine::RuleState;
use foresight_core::alerting::template::TemplateData;
use std::time::Instant;

/// Templates that spend one of a rendering's budgets to its end.
fn hostile_templates() -> Vec<(&'static str, String)> {
    let ten = "args 1 2 3 4 5 6 7 8 9 10";
    let haystack = "x".repeat(16 * 1024);
    vec![
        (
            "steps (nested ranges)",
            format!("{{{{ range {ten} }}}}{{{{ range {ten} }}}}{{{{ range {ten} }}}}{{{{ range {ten} }}}}{{{{ range {ten} }}}}{{{{ end }}}}{{{{ end }}}}{{{{ end }}}}{{{{ end }}}}{{{{ end }}}}"),
        ),
        (
            "regular expressions (a slow pattern)",
            format!("{{{{ range {ten} }}}}{{{{ range {ten} }}}}{{{{ if match \"(x?){{40}}(x|y){{20}}y\" \"{haystack}\" }}}}y{{{{ end }}}}{{{{ end }}}}{{{{ end }}}}"),
        ),
        (
            "text made on the way (long comparisons)",
            format!("{{{{ range {ten} }}}}{{{{ range {ten} }}}}{{{{ range {ten} }}}}{{{{ if eq \"{haystack}\" \"{haystack}\" }}}}{{{{ end }}}}{{{{ end }}}}{{{{ end }}}}{{{{ end }}}}"),
        ),
    ]
}

fn evaluate(rule: &AlertRule, alerts: usize) -> f64 {
    let answer = Answer {
        samples: (0..alerts)
            .map(|i| ([("i".to_string(), i.to_string())].into(), 1.0))
            .collect(),
        had_data: true,
    };
    let templates = TemplateData::default();
    let started = Instant::now();
    step(
        rule,
        Ok(answer),
        &mut RuleState::default(),
        &mut AlertHistory::default(),
        StepContext {
            templates: &templates,
            sends_notifications: true,
            silences: &[],
            now: 60.0,
        },
    );
    started.elapsed().as_secs_f64()
}

pub fn run(_args: &[String]) -> Result<(), String> {
    println!("one evaluation of a rule whose summary spends a rendering's whole budget:");
    println!(
        "{:<42} {:>12} {:>18} {:>16}",
        "template", "1 alert (s)", "1000 alone (est. s)", "1000 alerts (s)"
    );
    for (name, template) in hostile_templates() {
        let mut rule = AlertRule::starter("Hostile", "up", 0.0, &template);
        rule.for_duration = None;
        let one = evaluate(&rule, 1);
        let thousand = evaluate(&rule, 1000);
        println!(
            "{name:<42} {one:>12.3} {:>18.1} {thousand:>16.3}",
            one * 1000.0
        );
    }
    Ok(())
}
