//! Service-level objectives from a pasted or chosen Sloth or OpenSLO spec.
//! Whatever the import reads must be an SLO the page can use: "Add" puts it
//! in a dashboard that validates and writes back the same, its alerts are
//! rules the dashboard accepts, and its exported rule file is YAML that reads
//! again (as the import of a rule file does).
#![no_main]

use foresight_core::alerting::rule_file::import_rule_file;
use foresight_core::alerting::slo::rule_file_with_slos;
use foresight_core::alerting::slo_import::{import_slo_specs, is_slo_spec};
use foresight_core::foundation::limits::MAX_SLOS;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::edit::{apply_edit, Edit};
use foresight_fuzz::{check_dashboard, text};
use libfuzzer_sys::fuzz_target;

const BASE: &str = r#"{"schemaVersion": 1, "id": "fuzz", "title": "Fuzz",
    "panels": [{"id": "p", "title": "P", "type": "timeseries", "targets": [{"expr": "up"}]}],
    "layout": [{"panel": "p", "x": 0, "y": 0, "w": 24, "h": 8}]}"#;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let _ = is_slo_spec(&text);
    let Ok(import) = import_slo_specs(&text, "30d") else {
        return;
    };
    assert!(
        import.slos.len() <= MAX_SLOS,
        "{} SLOs kept",
        import.slos.len()
    );
    let (to_add, _notes) = import.to_add(&[]);
    for slo in &to_add {
        let problems = slo.problems();
        assert!(problems.is_empty(), "imported with problems: {problems:?}");
        for rule in slo.alert_rules().expect("an imported SLO's alerts") {
            let problems = rule.problems();
            assert!(problems.is_empty(), "{}: {problems:?}", rule.name);
        }
    }
    let base = Dashboard::from_json(BASE).expect("the base dashboard");
    let added = apply_edit(&base, &Edit::AddSlos(to_add.clone()))
        .unwrap_or_else(|error| panic!("adding the imported SLOs failed: {error}"));
    check_dashboard(&added);
    let exported = rule_file_with_slos(&added.title, &added.alerts, &added.slos)
        .unwrap_or_else(|error| panic!("the SLOs' rule file: {error}"));
    let again = import_rule_file(&exported).unwrap_or_else(|error| {
        panic!("the exported rule file does not read again: {error}\n{exported}")
    });
    // Every SLO's page and ticket alert reads back as a rule the dashboard accepts.
    assert!(again.refused.is_empty(), "{:?}\n{exported}", again.refused);
    assert_eq!(again.imported.len(), 2 * added.slos.len(), "{exported}");
});
