//! The six community Grafana dashboards, each imported through the page as a
//! new user would (Import → paste → Open → Save → Done) against a real
//! Prometheus scraping a real node exporter, then measured in headless
//! Chromium: the panels' rectangles must not overlap, no title may show a
//! variable unreplaced, and no empty stretch may stand between panels, both
//! as the dashboard opens (collapsed rows collapsed, as in Grafana) and with
//! every row opened. Prints the fidelity table and saves a screenshot of each.

use e2e::browser_session::{BrowserSession, TempDir};
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::{
    artifacts_dir, dist_dir, read_community_dashboard, start_node_exporter, COMMUNITY_DASHBOARDS,
};
use foresight_core::model::datasource::encode_uri_component;
use serde_json::Value;
use std::time::Duration;

/// Vertical space between two panels beyond the grid's own gap (8 px) that
/// counts as an empty stretch: less than one grid row (30 px).
const EMPTY_STRETCH_PX: f64 = 24.0;

/// The grid as drawn: each cell's rectangle (page coordinates) and every
/// visible title.
const MEASURE: &str = r#"
const cells = [...document.querySelectorAll('.dashboard-grid > .grid-cell')].map((cell) => {
    const r = cell.getBoundingClientRect();
    const id = cell.querySelector('[data-panel]')?.dataset.panel ?? cell.querySelector('[data-row]')?.dataset.row ?? '?';
    return { id, x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height };
});
const titles = [...document.querySelectorAll('.grid-cell .panel > h2, .row-heading .row-title')].map((e) => e.textContent);
return { cells, titles, height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth };
"#;

struct Measure {
    cells: usize,
    overlaps: Vec<String>,
    empty_stretches: Vec<String>,
    unreplaced: Vec<String>,
    height: f64,
}

fn has_unreplaced_variable(title: &str) -> bool {
    let chars: Vec<char> = title.chars().collect();
    chars.windows(2).any(|pair| {
        matches!(pair, ['$', c] if *c == '{' || *c == '_' || c.is_ascii_alphabetic())
            || pair == ['[', '[']
    })
}

async fn measure(browser: &BrowserSession) -> Measure {
    let drawn = browser.script(MEASURE).await.unwrap();
    let cells: Vec<(String, f64, f64, f64, f64)> = drawn["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let n = |k: &str| c[k].as_f64().unwrap();
            (
                c["id"].as_str().unwrap().to_string(),
                n("x"),
                n("y"),
                n("w"),
                n("h"),
            )
        })
        .collect();
    let mut overlaps = Vec::new();
    for (i, a) in cells.iter().enumerate() {
        for b in &cells[i + 1..] {
            let across = (a.1 + a.3).min(b.1 + b.3) - a.1.max(b.1);
            let down = (a.2 + a.4).min(b.2 + b.4) - a.2.max(b.2);
            if across > 1.0 && down > 1.0 {
                overlaps.push(format!("{} × {}", a.0, b.0));
            }
        }
    }
    let mut spans: Vec<(f64, f64, &str)> = cells
        .iter()
        .map(|c| (c.2, c.2 + c.4, c.0.as_str()))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut empty_stretches = Vec::new();
    if let Some(first) = spans.first() {
        let mut reached = first.1;
        for &(top, bottom, id) in &spans[1..] {
            if top - reached > 8.0 + EMPTY_STRETCH_PX {
                empty_stretches.push(format!("{:.0} px above {id}", top - reached));
            }
            reached = reached.max(bottom);
        }
    }
    let unreplaced = drawn["titles"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|t| has_unreplaced_variable(t))
        .map(str::to_string)
        .collect();
    Measure {
        cells: cells.len(),
        overlaps,
        empty_stretches,
        unreplaced,
        height: drawn["height"].as_f64().unwrap_or(0.0),
    }
}

/// Panels in Grafana's file, rows and the panels of collapsed rows included.
fn grafana_panel_count(text: &str) -> usize {
    fn count(panels: &Value) -> usize {
        panels
            .as_array()
            .map_or(0, |list| list.iter().map(|p| 1 + count(&p["panels"])).sum())
    }
    let root: Value = serde_json::from_str(text).unwrap();
    let dashboard = if root["dashboard"].is_object() {
        &root["dashboard"]
    } else {
        &root
    };
    count(&dashboard["panels"])
        + dashboard["rows"]
            .as_array()
            .map_or(0, |rows| rows.iter().map(|r| count(&r["panels"])).sum())
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_community_dashboards_keep_their_panels_apart_and_their_titles_filled_in() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-import-layout");
    let (_exporter, exporter_address) = start_node_exporter(&artifacts).unwrap();
    let prometheus = PrometheusFixture::start_scraping(
        &work.0,
        &[("node", &exporter_address)],
        None,
        &artifacts,
    )
    .unwrap();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "import-layout")
        .await
        .unwrap();
    // Rates need a few scrapes.
    tokio::time::sleep(Duration::from_secs(20)).await;
    let page = format!(
        "{}?datasource={}&from=now-5m&to=now",
        site.url(),
        encode_uri_component(&prometheus.base_url())
    );
    let mut problems = Vec::new();
    println!("| dashboard | panels in Grafana's file | imported | shown on opening | overlapping pairs | titles with variables unreplaced | empty stretches | page height (opened / every row open) | panels with data / no data / error |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for name in COMMUNITY_DASHBOARDS {
        let text = read_community_dashboard(name);
        browser.client.goto(&page).await.unwrap();
        browser.settled_panels().await.unwrap();
        let summary = browser.import_through_the_page(&text).await.unwrap();
        browser.settled_panels().await.unwrap();
        let opening = measure(&browser).await;
        browser
            .save_screenshot(&artifacts.join(format!("imported-{name}.png")))
            .await
            .unwrap();
        browser.open_every_row().await.unwrap();
        let states = browser.settled_panels().await.unwrap();
        let open = measure(&browser).await;
        let count = |wanted: &str| states.iter().filter(|(_, s)| s == wanted).count();
        let imported = summary
            .split(": ")
            .nth(1)
            .unwrap_or(&summary)
            .split(',')
            .next()
            .unwrap_or_default()
            .to_string();
        println!(
            "| {name} | {} | {imported} | {} | {} | {} | {} | {:.0} / {:.0} px | {} / {} / {} |",
            grafana_panel_count(&text),
            opening.cells,
            opening.overlaps.len() + open.overlaps.len(),
            opening.unreplaced.len() + open.unreplaced.len(),
            opening.empty_stretches.len() + open.empty_stretches.len(),
            opening.height,
            open.height,
            count("ok"),
            count("nodata"),
            count("error")
        );
        for (when, m) in [("on opening", &opening), ("every row open", &open)] {
            if !m.overlaps.is_empty() || !m.unreplaced.is_empty() || !m.empty_stretches.is_empty() {
                problems.push(format!(
                    "{name}, {when}: overlapping {:?}; unreplaced {:?}; empty stretches {:?}",
                    m.overlaps, m.unreplaced, m.empty_stretches
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
