//! A dashboard brought in by hand: a pasted text or a chosen file, in
//! Foresight's own JSON or Grafana's. Both are refused by size before anything
//! reads them.

use crate::foundation::json::Json;
use crate::foundation::limits::MAX_GRAFANA_IMPORT_BYTES;
use crate::model::dashboard::Dashboard;
use crate::model::grafana_import::{import_grafana_dashboard, ImportReport};

/// Why `what` (of `bytes`) is not read, when it is larger than any reader
/// takes: the largest is a Grafana export.
pub fn too_large_to_import(what: &str, bytes: f64) -> Option<String> {
    const MIB: f64 = 1_048_576.0;
    (bytes > MAX_GRAFANA_IMPORT_BYTES as f64).then(|| {
        format!(
            "{what} is {:.1} MB; at most {} MB is read",
            bytes / MIB,
            MAX_GRAFANA_IMPORT_BYTES as f64 / MIB
        )
    })
}

/// Reads JSON as a Foresight dashboard (it has a layout and a schema version),
/// or else as Grafana's, with the report of what was carried over.
pub fn read_dashboard_json(text: &str) -> Result<(Dashboard, Option<ImportReport>), String> {
    if let Some(problem) = too_large_to_import("the dashboard", text.len() as f64) {
        return Err(problem);
    }
    let looks_like_ours = Json::parse(text)
        .ok()
        .is_some_and(|v| v.get("layout").is_some() && v.get("schemaVersion").is_some());
    if looks_like_ours {
        return Dashboard::from_json(text).map(|d| (d, None));
    }
    import_grafana_dashboard(text).map(|(d, report)| (d, Some(report)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = r#"{"schemaVersion": 1, "id": "d", "title": "Ours",
        "panels": [{"id": "p", "title": "P", "type": "timeseries", "targets": [{"expr": "up"}]}],
        "layout": [{"panel": "p", "x": 0, "y": 0, "w": 24, "h": 8}]}"#;

    #[test]
    fn ours_is_read_as_ours_and_grafanas_with_its_report() {
        let (dashboard, report) = read_dashboard_json(OURS).unwrap();
        assert_eq!(dashboard.title, "Ours");
        assert!(report.is_none());
        let grafana = r#"{"title": "Theirs", "panels": [{"id": 1, "type": "timeseries", "title": "Up",
            "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "targets": [{"expr": "up"}]}]}"#;
        let (dashboard, report) = read_dashboard_json(grafana).unwrap();
        assert_eq!(dashboard.title, "Theirs");
        assert_eq!(report.unwrap().imported(), 1);
        // Ours with a mistake is reported as ours, not guessed to be Grafana's.
        let broken = OURS.replace(r#""type": "timeseries""#, r#""type": "nonsense""#);
        assert!(read_dashboard_json(&broken).is_err());
    }

    #[test]
    fn over_the_largest_export_nothing_is_read() {
        let padded = format!("{OURS}{}", " ".repeat(MAX_GRAFANA_IMPORT_BYTES));
        assert_eq!(
            read_dashboard_json(&padded).unwrap_err(),
            "the dashboard is 8.0 MB; at most 8 MB is read"
        );
        assert_eq!(
            too_large_to_import("the file", 9.5 * 1_048_576.0).as_deref(),
            Some("the file is 9.5 MB; at most 8 MB is read")
        );
        assert_eq!(
            too_large_to_import("the file", MAX_GRAFANA_IMPORT_BYTES as f64),
            None
        );
    }
}
