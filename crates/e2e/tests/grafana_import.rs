//! Grafana import on real community dashboards, downloaded at test time from
//! the package registries by `scripts/fetch-community-dashboards.sh` (they are
//! third-party files and are not part of this repository).
//!
//! Each import must be deterministic, survive our JSON round trip, and match
//! the committed summary in `tests/snapshots/grafana-import.txt` (counts per
//! panel type, imported vs placeholders and why, notes, and a hash of the
//! produced dashboard). `UPDATE_SNAPSHOTS=1` rewrites the summary.

use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::grafana_import::{import_grafana_dashboard, ImportReport};
use std::collections::BTreeMap;
use std::path::PathBuf;

const COMMUNITY_DASHBOARDS: [&str; 6] = [
    "node-exporter-full",
    "ceph-host-details",
    "ceph-cluster",
    "ceph-osds-overview",
    "kubernetes-cluster",
    "redis",
];

fn community_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/community-dashboards")
}

pub fn read_community_dashboard(name: &str) -> String {
    let path = community_dir().join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run scripts/fetch-community-dashboards.sh (the test command does)",
            path.display()
        )
    })
}

/// FNV-1a, 64 bits: a stable fingerprint of the produced dashboard.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn counted(items: impl IntoIterator<Item = String>) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for item in items {
        *counts.entry(item).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(item, n)| format!("    {n} × {item}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn summary(name: &str, dashboard: &Dashboard, report: &ImportReport) -> String {
    let types = counted(report.panels.iter().map(|p| p.grafana_type.clone()));
    let unsupported = counted(report.panels.iter().filter_map(|p| p.unsupported.clone()));
    let notes = counted(
        report
            .panels
            .iter()
            .flat_map(|p| p.notes.iter().cloned())
            .chain(report.notes.iter().cloned()),
    );
    format!(
        "## {name}: {:?}\npanels {}, imported {}, placeholders {}; variables {}\n  Grafana panel types:\n{types}\n  placeholders:\n{unsupported}\n  notes:\n{notes}\n  dashboard fingerprint {:016x}\n",
        dashboard.title,
        report.panels.len(),
        report.imported(),
        report.unsupported(),
        dashboard.variables.len(),
        fingerprint(&dashboard.to_json())
    )
}

#[test]
fn community_dashboards_import_deterministically_and_as_recorded() {
    let mut all = String::new();
    println!("| dashboard | panels | imported | placeholders |");
    println!("| --- | --- | --- | --- |");
    for name in COMMUNITY_DASHBOARDS {
        let text = read_community_dashboard(name);
        let (dashboard, report) =
            import_grafana_dashboard(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (again, _) = import_grafana_dashboard(&text).unwrap();
        assert_eq!(
            dashboard.to_json(),
            again.to_json(),
            "{name}: deterministic"
        );
        assert_eq!(
            Dashboard::from_json(&dashboard.to_json()).unwrap(),
            dashboard,
            "{name}: our JSON round trip is the identity"
        );
        assert_eq!(
            dashboard.panels.len(),
            report.panels.len(),
            "{name}: every Grafana panel is in the report"
        );
        println!(
            "| {} | {} | {} | {} |",
            dashboard.title,
            report.panels.len(),
            report.imported(),
            report.unsupported()
        );
        all.push_str(&summary(name, &dashboard, &report));
        all.push('\n');
    }
    let snapshot =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/grafana-import.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, &all).unwrap();
    }
    let recorded = std::fs::read_to_string(&snapshot).unwrap_or_default();
    assert_eq!(
        recorded, all,
        "the import changed; if intended, run with UPDATE_SNAPSHOTS=1 and review the diff"
    );
}
