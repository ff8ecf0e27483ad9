//! Grafana import on real community dashboards, downloaded at test time from
//! the package registries by `scripts/fetch-community-dashboards.sh` (they are
//! third-party files and are not part of this repository).
//!
//! Each import must be deterministic, survive our JSON round trip, and match
//! the committed summary in `tests/snapshots/grafana-import.txt` (counts per
//! panel type, imported vs placeholders and why, notes, and a hash of the
//! produced dashboard). `UPDATE_SNAPSHOTS=1` rewrites the summary.

use e2e::{read_community_dashboard, COMMUNITY_DASHBOARDS, MORE_COMMUNITY_DASHBOARDS};
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::{Dashboard, GridPosition, PanelKind};
use foresight_core::model::grafana_import::{import_grafana_dashboard, ImportReport};
use foresight_core::query::template_variables::{interpolate_text, VariableValue};
use std::collections::BTreeMap;
use std::path::PathBuf;

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

fn overlapping_pairs(layout: &[GridPosition]) -> usize {
    let mut pairs = 0;
    for (i, a) in layout.iter().enumerate() {
        for b in &layout[i + 1..] {
            let rows = u64::from(a.y) < u64::from(b.y) + u64::from(b.h)
                && u64::from(b.y) < u64::from(a.y) + u64::from(a.h);
            let columns = a.x < b.x + b.w && b.x < a.x + a.w;
            pairs += usize::from(rows && columns);
        }
    }
    pairs
}

/// Grid rows, between the top and the lowest panel, that no panel covers.
fn empty_rows(layout: &[GridPosition]) -> u64 {
    let mut covered: Vec<(u64, u64)> = layout
        .iter()
        .map(|p| (u64::from(p.y), u64::from(p.y) + u64::from(p.h)))
        .collect();
    covered.sort_unstable();
    let mut reached = 0;
    let mut empty = 0;
    for (top, bottom) in covered {
        empty += top.saturating_sub(reached);
        reached = reached.max(bottom);
    }
    empty
}

/// Whether a title still holds a variable reference once every variable of
/// its dashboard has a value.
fn has_unreplaced_variable(title: &str) -> bool {
    let chars: Vec<char> = title.chars().collect();
    chars.windows(2).any(|pair| {
        matches!(pair, ['$', c] if *c == '{' || *c == '_' || c.is_ascii_alphabetic())
            || pair == ['[', '[']
    })
}

#[test]
fn community_dashboards_place_every_panel_apart_and_fill_in_every_title() {
    println!("| dashboard | panels | rows (collapsed) | overlapping pairs | empty grid rows | titles with unreplaced variables |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut problems = Vec::new();
    for name in COMMUNITY_DASHBOARDS
        .iter()
        .chain(&MORE_COMMUNITY_DASHBOARDS)
    {
        let text = read_community_dashboard(name);
        let (dashboard, report) =
            import_grafana_dashboard(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
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
        let outside = dashboard
            .layout
            .iter()
            .filter(|p| p.x + p.w > 24 || p.w == 0 || p.h == 0)
            .count();
        if outside > 0 {
            problems.push(format!("{name}: {outside} panels outside the 24 columns"));
        }
        let values: SortedMap<String, VariableValue> = dashboard
            .variables
            .iter()
            .map(|v| (v.name.clone(), VariableValue::Single("value".into())))
            .collect();
        let unreplaced: Vec<String> = dashboard
            .panels
            .iter()
            .map(|p| interpolate_text(&p.title, &values))
            .filter(|title| has_unreplaced_variable(title))
            .collect();
        let rows = dashboard
            .panels
            .iter()
            .filter(|p| matches!(p.kind, PanelKind::Row { .. }))
            .count();
        let collapsed = dashboard
            .panels
            .iter()
            .filter(|p| matches!(p.kind, PanelKind::Row { collapsed: true }))
            .count();
        // Every row opened: the layout at its largest.
        let all_rows: SortedMap<String, bool> = dashboard
            .panels
            .iter()
            .filter(|p| matches!(p.kind, PanelKind::Row { .. }))
            .map(|p| (p.id.clone(), false))
            .collect();
        let opened = dashboard.displayed_layout(&all_rows);
        let shown = dashboard.displayed_layout(&SortedMap::new());
        let overlaps = overlapping_pairs(&dashboard.layout)
            + overlapping_pairs(&opened)
            + overlapping_pairs(&shown);
        let empty = empty_rows(&opened) + empty_rows(&shown);
        println!(
            "| {} | {} | {rows} ({collapsed}) | {overlaps} | {empty} | {} |",
            dashboard.title,
            dashboard.panels.len(),
            unreplaced.len()
        );
        if overlaps > 0 || empty > 0 || !unreplaced.is_empty() {
            problems.push(format!(
                "{name}: {overlaps} overlapping pairs, {empty} empty grid rows, unreplaced: {unreplaced:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
