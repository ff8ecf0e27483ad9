//! Grafana dashboard exports, imported as Foresight dashboards. The importer
//! promises a valid dashboard for anything it accepts (an invalid one is its
//! own bug) and a report line for every panel.
#![no_main]

use foresight_core::model::grafana_import::import_grafana_dashboard;
use foresight_fuzz::{check_dashboard, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    match import_grafana_dashboard(&text) {
        Ok((dashboard, report)) => {
            check_dashboard(&dashboard);
            assert_eq!(
                report.imported() + report.unsupported(),
                report.panels.len()
            );
            for panel in &report.panels {
                assert!(
                    dashboard.panel(&panel.id).is_some(),
                    "the report names panel {:?}, which the dashboard does not have",
                    panel.id
                );
            }
        }
        Err(error) => assert!(
            !error.starts_with("the imported dashboard is not valid"),
            "{error}"
        ),
    }
});
