//! A Prometheus rule file imported into a dashboard: the YAML reader and the
//! import rule by rule. Every rule it imports must be one the dashboard
//! accepts, and adding them must respect the dashboard's cap.
#![no_main]

use foresight_core::alerting::rule_file::import_rule_file;
use foresight_core::foundation::limits::MAX_ALERT_RULES;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(import) = import_rule_file(&text) else {
        return;
    };
    for imported in &import.imported {
        let problems = imported.rule.problems();
        assert!(problems.is_empty(), "imported with problems: {problems:?}");
    }
    let summary = import.summary();
    assert!(summary.contains("alerting rules imported"), "{summary}");
    let (added, _) = import.rules_to_add(&[]);
    assert!(added.len() <= MAX_ALERT_RULES);
});
