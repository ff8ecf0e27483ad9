//! Faults between the page and a real Prometheus, injected end to end: the
//! release build in headless Chromium talks to a fault-injecting proxy in front
//! of a real Prometheus (generated history, scraping the live sample service).
//! For each fault — Prometheus killed mid-refresh and restarted, answers taking
//! 10 s, an answer that never comes, HTTP 500/503, truncated JSON, a 50 MB
//! answer, missing CORS headers — the affected panels say what went wrong
//! while the rest of the page keeps working, the page recovers by itself once
//! the fault is gone, and nothing kept in the browser is lost: a saved
//! dashboard and a draft stay as written, alert states stay readable and
//! complete.
//!
//! The cases share one Prometheus, proxy and browser (starting them is most of
//! the cost) and take turns: each opens the dashboard afresh, waits until it
//! has settled, injects its fault and removes it again.

use e2e::browser_session::{BrowserSession, TempDir};
use e2e::fault_proxy::{ErrorBody, Fault, FaultProxy};
use e2e::managed_process::ManagedProcess;
use e2e::prometheus_fixture::PrometheusFixture;
use e2e::static_file_server::StaticFileServer;
use e2e::{artifacts_dir, dist_dir, start_sample_service};
use foresight_core::alerting::state_machine::RuleState;
use foresight_core::foundation::json::decode;
use foresight_core::foundation::ordered::SortedMap;
use foresight_core::model::dashboard::Dashboard;
use foresight_core::model::datasource::encode_uri_component;
use foresight_core::model::edit::saved_dashboard_key;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

/// The queries a scoped fault hits: every panel about request counts (error
/// rate, request rate by status, traffic, traffic vs last week) and their baselines.
const FAULTED_METRIC: &str = "http_requests_total";
/// How long the page gets to show a fault, or to recover from one: a few refreshes.
const FEW_REFRESHES: Duration = Duration::from_secs(45);
/// Until every panel has settled after opening the dashboard.
const SETTLE: Duration = Duration::from_secs(90);
const HUGE_ANSWER_BYTES: usize = 50 * 1024 * 1024;

/// A draft the page keeps per tab: this one as left by a tab that crashed.
const ORPHAN_DRAFT_KEY: &str = "foresight.draft.fault-drill-crashed-tab";
/// Where the page keeps its alert rules' states (one key per dashboard).
const ALERT_STATE_PREFIX: &str = "foresight.alert-state.";

/// Everything the cases share. Dropped (processes stopped, browser closed) when
/// the last case holding it ends.
struct Drill {
    browser: BrowserSession,
    proxy: FaultProxy,
    site: StaticFileServer,
    prometheus: Mutex<PrometheusFixture>,
    stored: StoredState,
    _service: ManagedProcess,
    _work: TempDir,
    /// Last: the browser session's connection runs on it until the end.
    runtime: tokio::runtime::Runtime,
}

/// What was written to local storage before any fault, by key.
struct StoredState {
    saved: (String, String),
    draft: (String, String),
}

/// The alert states the page keeps: rule states by rule, by storage key.
type AlertStates = SortedMap<String, SortedMap<String, RuleState>>;

static SHARED: Mutex<Weak<Drill>> = Mutex::new(Weak::new());
/// Cases take turns: they share one page and one proxy.
static TURN: Mutex<()> = Mutex::new(());

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Drill {
    /// The running drill, started by whichever case comes first. Taken before
    /// waiting for a turn, so it stays up while cases are queued for it.
    fn shared() -> Arc<Drill> {
        let mut slot = lock(&SHARED);
        if let Some(drill) = slot.upgrade() {
            return drill;
        }
        let drill = Arc::new(Drill::start());
        *slot = Arc::downgrade(&drill);
        drill
    }

    fn start() -> Drill {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let artifacts = artifacts_dir();
        let work = TempDir::new("foresight-e2e-faults");
        let (service, service_address) =
            start_sample_service(&artifacts, "sample-service-faults").unwrap();
        let prometheus =
            PrometheusFixture::start(&work.0, Some(&service_address), None, &artifacts).unwrap();
        let proxy = FaultProxy::start(prometheus.port).unwrap();
        let site = StaticFileServer::start(&dist_dir()).unwrap();
        let browser = runtime
            .block_on(BrowserSession::start(&artifacts, "fault-injection"))
            .unwrap();
        let stored = runtime.block_on(store_state(&browser, &site, &proxy));
        Drill {
            browser,
            proxy,
            site,
            prometheus: Mutex::new(prometheus),
            stored,
            _service: service,
            _work: work,
            runtime,
        }
    }

    fn dashboard_url(&self) -> String {
        dashboard_url(&self.site, &self.proxy)
    }

    /// No fault, Prometheus running, connections accepted: how each case starts
    /// even if the one before failed half way.
    fn heal(&self) {
        self.proxy.inject(Fault::PassThrough);
        self.proxy.accept_connections().unwrap();
        let mut prometheus = lock(&self.prometheus);
        if !prometheus.is_running() {
            prometheus.restart().unwrap();
        }
    }
}

impl Drop for Drill {
    fn drop(&mut self) {
        let client = self.browser.client.clone();
        let _ = self.runtime.block_on(client.close());
    }
}

/// The Service health dashboard over the last 15 minutes (so that every
/// panel's window moves on at each refresh), refreshed every 5 s, through the proxy.
fn dashboard_url(site: &StaticFileServer, proxy: &FaultProxy) -> String {
    format!(
        "{}?datasource={}&from=now-15m&to=now&refresh=5s",
        site.url(),
        encode_uri_component(&proxy.base_url())
    )
}

/// Runs one case on the shared drill, in its turn.
fn run_case<F>(case: impl FnOnce(Arc<Drill>) -> F)
where
    F: std::future::Future<Output = ()>,
{
    let drill = Drill::shared();
    let _turn = lock(&TURN);
    drill.heal();
    let started = Instant::now();
    drill.runtime.block_on(case(Arc::clone(&drill)));
    println!("case took {:.1} s", started.elapsed().as_secs_f64());
}

/// Accepts the dashboard's request for a 5 s refresh (faster than a link may
/// set on its own) the first time this tab is asked, as a viewer would.
async fn accept_if_asked(browser: &BrowserSession) {
    browser
        .wait_for_count(r#"[data-testid="refresh"]"#)
        .await
        .unwrap();
    let asked = browser
        .script(r#"return !!document.querySelector('[data-testid="trust-banner"]');"#)
        .await
        .unwrap();
    if asked == Value::Bool(true) {
        browser.accept_dashboard().await.unwrap();
    }
}

/// Opens the dashboard once (accepting it for this tab), waits until it has
/// stored its alert state, then writes a saved dashboard and a draft left by a
/// crashed tab into the page's local storage, in the page's own format.
async fn store_state(
    browser: &BrowserSession,
    site: &StaticFileServer,
    proxy: &FaultProxy,
) -> StoredState {
    browser
        .client
        .goto(&dashboard_url(site, proxy))
        .await
        .unwrap();
    accept_if_asked(browser).await;
    let deadline = Instant::now() + SETTLE;
    while alert_states(browser).await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the dashboard never stored its alert state"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let dashboard = |id: &str, title: &str| {
        Dashboard::from_json(&format!(
            r#"{{"schemaVersion": 1, "id": "{id}", "title": "{title}",
                "panels": [{{"id": "requests", "title": "Requests", "type": "timeseries",
                             "targets": [{{"expr": "sum(rate(http_requests_total[5m]))"}}]}}],
                "layout": [{{"panel": "requests", "x": 0, "y": 0, "w": 24, "h": 8}}]}}"#
        ))
        .unwrap()
    };
    let saved = (
        saved_dashboard_key("fault-drill"),
        dashboard("fault-drill", "Fault drill").to_json(),
    );
    let draft = (
        ORPHAN_DRAFT_KEY.to_string(),
        dashboard("fault-drill-draft", "Unsaved fault drill").to_json(),
    );
    // Written from a file of the same site that is not the app (local storage
    // belongs to the origin), so that no running app writes in between.
    browser
        .client
        .goto(&format!("{}public/favicon.svg", site.url()))
        .await
        .unwrap();
    for (key, text) in [&saved, &draft] {
        browser
            .script(&format!(
                "localStorage.setItem({}, {});",
                json!(key),
                json!(text)
            ))
            .await
            .unwrap();
    }
    StoredState { saved, draft }
}

/// Every alert state the page keeps, read with the page's own model.
async fn alert_states(browser: &BrowserSession) -> AlertStates {
    let stored = browser
        .script(&format!(
            "return Object.keys(localStorage).filter(k => k.startsWith({}))
                .map(k => [k, localStorage.getItem(k)]);",
            json!(ALERT_STATE_PREFIX)
        ))
        .await
        .unwrap();
    stored
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            let (key, text) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            let rules = decode(text)
                .unwrap_or_else(|e| panic!("the alert state {key} is unreadable: {e}: {text}"));
            (key.to_string(), rules)
        })
        .collect()
}

/// One panel as the page shows it.
#[derive(Debug, Clone)]
struct PanelView {
    id: String,
    /// `data-state`: ok, nodata, error or loading.
    state: String,
    busy: bool,
    /// End of the last answered query window (seconds), not on text panels.
    end: Option<f64>,
    /// `data-step`: the query window's step (seconds).
    step: Option<f64>,
    query: String,
    /// The message over the panel's body (loading, failure, no data), if any.
    message: Option<String>,
    /// Its ARIA role: `alert` for a failure, `status` otherwise.
    message_role: Option<String>,
    /// The notice shown while an answer is late, if any.
    late: Option<String>,
}

impl PanelView {
    /// Answered: showing data or saying there is none (on live data a panel
    /// may move between the two from one refresh to the next).
    fn is_healthy(&self) -> bool {
        self.state == "ok" || self.state == "nodata"
    }
}

async fn panels(browser: &BrowserSession) -> Vec<PanelView> {
    let found = browser
        .script(
            "return [...document.querySelectorAll('[data-panel]')].map(p => [
                p.dataset.panel, p.dataset.state, p.getAttribute('aria-busy') === 'true',
                p.dataset.end ?? null, p.dataset.query ?? '',
                p.querySelector('.message')?.textContent ?? null,
                p.querySelector('.message')?.getAttribute('role') ?? null,
                p.querySelector('[data-testid=late-answer]')?.textContent ?? null,
                p.dataset.step ?? null]);",
        )
        .await
        .unwrap();
    let text = |v: &Value| v.as_str().map(str::to_string);
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|p| PanelView {
            id: text(&p[0]).unwrap(),
            state: text(&p[1]).unwrap_or_default(),
            busy: p[2].as_bool().unwrap_or(false),
            end: p[3].as_str().and_then(|e| e.parse().ok()),
            query: text(&p[4]).unwrap_or_default(),
            message: text(&p[5]),
            message_role: text(&p[6]),
            late: text(&p[7]),
            step: p[8].as_str().and_then(|e| e.parse().ok()),
        })
        .collect()
}

/// Polls the page until `check` accepts its panels; fails with the last
/// panels seen and `what` after `timeout`.
async fn wait_for_panels(
    browser: &BrowserSession,
    what: &str,
    timeout: Duration,
    check: impl Fn(&[PanelView]) -> bool,
) -> Vec<PanelView> {
    let deadline = Instant::now() + timeout;
    loop {
        let seen = panels(browser).await;
        if check(&seen) {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not so after {timeout:?}; panels: {seen:#?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The dashboard, settled, before any fault.
struct Baseline {
    /// How many panels it shows.
    panel_count: usize,
    /// Panels whose queries a scoped fault hits.
    affected: Vec<String>,
    /// Panels with queries the scoped faults leave alone.
    unaffected: Vec<String>,
    /// Panels with queries at all (not text).
    queried: Vec<String>,
    /// The alert states kept before the fault.
    alert_states: AlertStates,
}

/// The shipped dashboard's panels (rows are headings, not panels).
fn shipped_panel_count() -> usize {
    foresight_core::model::dashboard::Dashboard::from_json(include_str!(
        "../../../public/dashboards/service-health.json"
    ))
    .unwrap()
    .panels
    .iter()
    .filter(|p| {
        !matches!(
            p.kind,
            foresight_core::model::dashboard::PanelKind::Row { .. }
        )
    })
    .count()
}

/// Opens the dashboard afresh (refreshing every 5 s) and waits until every
/// panel has settled.
async fn open_dashboard(drill: &Drill) -> Baseline {
    let browser = &drill.browser;
    browser.client.goto(&drill.dashboard_url()).await.unwrap();
    accept_if_asked(browser).await;
    // What the app logs as an error (a panic's message, say) goes with any failure report.
    browser
        .script(
            "window.consoleErrors = []; const log = console.error;
             console.error = (...args) => { window.consoleErrors.push(args.join(' ')); log(...args); };",
        )
        .await
        .unwrap();
    let settled = wait_for_panels(browser, "every panel settles", SETTLE, |seen| {
        seen.len() == shipped_panel_count() && seen.iter().all(|p| !p.busy && p.state != "loading")
    })
    .await;
    assert_eq!(
        browser
            .script(r#"return document.querySelector('[data-testid="refresh"]').value;"#)
            .await
            .unwrap(),
        json!("5s"),
        "the dashboard refreshes every 5 s"
    );
    for panel in &settled {
        assert!(
            panel.state != "error",
            "{} fails before any fault: {:?}",
            panel.id,
            panel.message
        );
    }
    // A panel whose window steps by an hour (an SLO's burn-down over 30
    // days) moves its end once an hour, not at every refresh.
    let queried: Vec<String> = settled
        .iter()
        .filter(|p| p.end.is_some() && p.step.is_some_and(|step| step <= 60.0))
        .map(|p| p.id.clone())
        .collect();
    let (affected, unaffected): (Vec<String>, Vec<String>) =
        queried.iter().cloned().partition(|id| {
            settled
                .iter()
                .any(|p| &p.id == id && p.query.contains(FAULTED_METRIC))
        });
    assert!(
        affected.len() >= 3 && unaffected.len() >= 3,
        "both kinds of panel: {affected:?} / {unaffected:?}"
    );
    Baseline {
        panel_count: settled.len(),
        affected,
        unaffected,
        queried,
        alert_states: alert_states(browser).await,
    }
}

fn view_of<'a>(seen: &'a [PanelView], id: &str) -> &'a PanelView {
    seen.iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("no panel {id}"))
}

/// Waits until every panel in `ids` fails with a message containing each of `phrases`.
async fn wait_for_failures(drill: &Drill, ids: &[String], phrases: &[&str]) -> Vec<PanelView> {
    wait_for_failures_within(drill, ids, phrases, FEW_REFRESHES).await
}

async fn wait_for_failures_within(
    drill: &Drill,
    ids: &[String],
    phrases: &[&str],
    timeout: Duration,
) -> Vec<PanelView> {
    let seen = wait_for_panels(
        &drill.browser,
        &format!("{ids:?} fail saying {phrases:?}"),
        timeout,
        |seen| {
            ids.iter().all(|id| {
                let panel = view_of(seen, id);
                panel.state == "error"
                    && panel
                        .message
                        .as_deref()
                        .is_some_and(|m| phrases.iter().all(|p| m.contains(p)))
            })
        },
    )
    .await;
    println!(
        "{} says: {}",
        ids[0],
        view_of(&seen, &ids[0])
            .message
            .as_deref()
            .unwrap_or_default()
    );
    for id in ids {
        // Announced to assistive technology as it happens.
        assert_eq!(
            view_of(&seen, id).message_role.as_deref(),
            Some("alert"),
            "{id}: the failure's role"
        );
    }
    seen
}

/// The panels the fault leaves alone keep being answered while others fail:
/// each shows a newer window than in `before`, with data or "no data".
async fn assert_keep_working(drill: &Drill, baseline: &Baseline, before: &[PanelView]) {
    let ids = &baseline.unaffected;
    wait_for_panels(
        &drill.browser,
        &format!("{ids:?} keep refreshing"),
        FEW_REFRESHES,
        |seen| {
            ids.iter().all(|id| {
                let (now, then) = (view_of(seen, id), view_of(before, id));
                now.end > then.end && now.is_healthy()
            })
        },
    )
    .await;
}

/// The page itself is alive: no uncaught error, and the app still answers a
/// viewer (the refresh picker changes the link, which only the app does).
async fn assert_page_alive(drill: &Drill) {
    let browser = &drill.browser;
    let errors = browser
        .script("return window.foresightErrors;")
        .await
        .unwrap();
    let logged = browser
        .script("return window.consoleErrors;")
        .await
        .unwrap();
    assert_eq!(
        errors,
        json!([]),
        "uncaught errors in the page; it logged {logged}"
    );
    let wasm = browser
        .script("return !!window.foresightWasm && window.foresightWasm.memory.buffer.byteLength;")
        .await
        .unwrap();
    assert!(
        wasm.as_f64().unwrap_or(0.0) > 0.0,
        "the wasm instance: {wasm}"
    );
    for (choice, wanted) in [("10s", "refresh=10s"), ("5s", "refresh=5s")] {
        browser
            .choose(r#"[data-testid="refresh"]"#, choice)
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let search = browser.script("return location.search;").await.unwrap();
            if search.as_str().unwrap_or_default().contains(wanted) {
                break;
            }
            assert!(Instant::now() < deadline, "the app did not react: {search}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Once the fault is gone, every panel comes back by itself, without a
/// reload: answered again (data or "no data"), no failure or late notice, a
/// window newer than in `since`.
async fn assert_recovers(drill: &Drill, baseline: &Baseline, since: &[PanelView]) {
    wait_for_panels(
        &drill.browser,
        "every panel recovers by itself",
        FEW_REFRESHES,
        |seen| {
            seen.len() == baseline.panel_count
                && seen.iter().all(|p| {
                    // An hour-step window (an SLO's burn-down) keeps its end
                    // within the hour; its health alone says it answered again.
                    let newer = match view_of(since, &p.id).end {
                        Some(_) if p.step.is_some_and(|step| step > 60.0) => true,
                        Some(then) => p.end.is_some_and(|now| now > then),
                        None => true,
                    };
                    p.is_healthy()
                        && p.message_role.as_deref() != Some("alert")
                        && p.late.is_none()
                        && newer
                })
        },
    )
    .await;
}

/// What the page keeps in local storage survived the fault: the saved
/// dashboard and the draft exactly as written, and every alert state kept
/// before (`before`) still there and readable, each rule evaluated no earlier
/// than before and still holding every alert it held.
async fn assert_storage_kept(drill: &Drill, before: &AlertStates) {
    for (key, text) in [&drill.stored.saved, &drill.stored.draft] {
        let now = drill
            .browser
            .script(&format!("return localStorage.getItem({});", json!(key)))
            .await
            .unwrap();
        assert_eq!(now.as_str(), Some(text.as_str()), "{key}");
    }
    let now = alert_states(&drill.browser).await;
    for (key, rules) in before {
        let kept = now
            .get(key)
            .unwrap_or_else(|| panic!("the alert state {key} is gone: {now:?}"));
        for (rule, state) in rules {
            let kept = kept
                .get(rule)
                .unwrap_or_else(|| panic!("{key}: the state of {rule} is gone: {kept:?}"));
            assert!(
                kept.last_evaluation >= state.last_evaluation,
                "{key}: {rule} went back in time: {state:?} -> {kept:?}"
            );
            for alert in state.alerts.keys() {
                assert!(
                    kept.alerts.contains_key(alert),
                    "{key}: {rule} lost an alert: {state:?} -> {kept:?}"
                );
            }
        }
    }
    // The page still reads both: the saved dashboard is listed, the draft offered.
    drill
        .browser
        .wait_for_text(r#"[data-testid="saved-picker"]"#, "Fault drill")
        .await
        .unwrap();
    drill
        .browser
        .wait_for_text(r#"[data-testid="draft-banner"]"#, "Unsaved fault drill")
        .await
        .unwrap();
}

async fn screenshot(drill: &Drill, name: &str) {
    drill
        .browser
        .save_screenshot(&artifacts_dir().join(format!("fault-{name}.png")))
        .await
        .unwrap();
}

/// A fault on the request-count queries only: those panels say so, the others
/// keep refreshing; then the page recovers and storage is intact.
/// Each of `faults` is `(fault, screenshot name, phrases its message must contain)`.
async fn scoped_fault(drill: &Drill, faults: &[(Fault, &str, &[&str])]) {
    let baseline = open_dashboard(drill).await;
    let before = panels(&drill.browser).await;
    for (fault, name, phrases) in faults {
        drill.proxy.inject_where(fault.clone(), FAULTED_METRIC);
        wait_for_failures(drill, &baseline.affected, phrases).await;
        screenshot(drill, name).await;
    }
    assert_keep_working(drill, &baseline, &before).await;
    assert_page_alive(drill).await;
    assert!(drill.proxy.faulted_answers() > 0);
    let during = panels(&drill.browser).await;
    drill.proxy.inject(Fault::PassThrough);
    assert_recovers(drill, &baseline, &during).await;
    assert_page_alive(drill).await;
    assert_storage_kept(drill, &baseline.alert_states).await;
}

#[test]
fn prometheus_killed_mid_refresh_and_restarted_is_reported_and_recovered_from() {
    run_case(|drill| async move {
        let baseline = open_dashboard(&drill).await;
        let datasource = drill.proxy.base_url();
        // Answers held back a little, so that a refresh is surely under way when
        // Prometheus dies.
        drill.proxy.inject(Fault::Slow(Duration::from_secs(3)));
        wait_for_panels(
            &drill.browser,
            "a refresh is under way",
            FEW_REFRESHES,
            |seen| seen.iter().any(|p| p.busy) && drill.proxy.requests_in_flight() > 0,
        )
        .await;
        lock(&drill.prometheus).kill().unwrap();
        // Nothing listens any more, as on Prometheus's own port.
        drill.proxy.refuse_connections();
        let reachability = format!("Cannot reach Prometheus at {datasource}");
        wait_for_failures(&drill, &baseline.queried, &[&reachability]).await;
        screenshot(&drill, "prometheus-killed").await;
        assert_page_alive(&drill).await;
        assert_storage_kept(&drill, &baseline.alert_states).await;

        // Opened while Prometheus is down, the page says so in the header too...
        drill.browser.client.refresh().await.unwrap();
        let header = drill
            .browser
            .wait_for_text(r#"[data-testid="datasource-error"]"#, &reachability)
            .await
            .unwrap();
        println!("header while down: {header}");
        let down = wait_for_failures(&drill, &baseline.queried, &[&reachability]).await;
        screenshot(&drill, "prometheus-down-on-load").await;

        // ...and recovers by itself once Prometheus is back on the same port and data.
        lock(&drill.prometheus).restart().unwrap();
        drill.proxy.inject(Fault::PassThrough);
        drill.proxy.accept_connections().unwrap();
        assert_recovers(&drill, &baseline, &down).await;
        drill
            .browser
            .wait_for_count(r#"[data-testid="prometheus-version"]"#)
            .await
            .unwrap();
        assert_page_alive(&drill).await;
        assert_storage_kept(&drill, &baseline.alert_states).await;
    });
}

#[test]
fn ten_second_answers_show_a_waiting_notice_and_still_arrive() {
    run_case(|drill| async move {
        let baseline = open_dashboard(&drill).await;
        let before = panels(&drill.browser).await;
        drill
            .proxy
            .inject_where(Fault::Slow(Duration::from_secs(10)), FAULTED_METRIC);
        let notice = format!("Waiting for Prometheus at {}", drill.proxy.base_url());
        let affected = &baseline.affected;
        let seen = wait_for_panels(
            &drill.browser,
            "the slow panels say they are waiting",
            FEW_REFRESHES,
            |seen| {
                affected.iter().all(|id| {
                    let panel = view_of(seen, id);
                    panel.late.as_deref().is_some_and(|m| m.contains(&notice)) && panel.is_healthy()
                })
            },
        )
        .await;
        println!(
            "{} says: {}",
            affected[0],
            view_of(&seen, &affected[0])
                .late
                .as_deref()
                .unwrap_or_default()
        );
        screenshot(&drill, "slow-answers").await;
        // Slow is not broken: the late answers are shown when they come, and
        // no panel gives up on them.
        wait_for_panels(
            &drill.browser,
            "late answers are shown",
            FEW_REFRESHES,
            |seen| {
                affected
                    .iter()
                    .all(|id| view_of(seen, id).end > view_of(&before, id).end)
                    && seen.iter().all(|p| p.state != "error")
            },
        )
        .await;
        assert_keep_working(&drill, &baseline, &before).await;
        assert_page_alive(&drill).await;
        let during = panels(&drill.browser).await;
        drill.proxy.inject(Fault::PassThrough);
        assert_recovers(&drill, &baseline, &during).await;
        assert_page_alive(&drill).await;
        assert_storage_kept(&drill, &baseline.alert_states).await;
    });
}

#[test]
fn an_answer_that_never_comes_is_given_up_after_30_s_with_a_message() {
    run_case(|drill| async move {
        let baseline = open_dashboard(&drill).await;
        // Far longer than the page waits: to the page, an answer that never comes.
        drill
            .proxy
            .inject_where(Fault::Slow(Duration::from_secs(90)), FAULTED_METRIC);
        let datasource = drill.proxy.base_url();
        wait_for_failures_within(
            &drill,
            &baseline.affected,
            &[
                &format!("Cannot reach Prometheus at {datasource}"),
                "(no answer within 30 s)",
            ],
            // The next refresh, the page's 30 s, and some slack.
            FEW_REFRESHES + Duration::from_secs(30),
        )
        .await;
        screenshot(&drill, "hung-answers").await;
        // While hung requests hold the browser's few connections to the server
        // (six per server over HTTP/1.1), other panels wait too: only the page
        // itself is checked here, not their refreshes.
        assert_page_alive(&drill).await;
        let during = panels(&drill.browser).await;
        drill.proxy.inject(Fault::PassThrough);
        assert_recovers(&drill, &baseline, &during).await;
        assert_page_alive(&drill).await;
        assert_storage_kept(&drill, &baseline.alert_states).await;
    });
}

#[test]
fn server_errors_503_and_500_are_shown_on_the_affected_panels_only() {
    run_case(|drill| async move {
        scoped_fault(
            &drill,
            &[
                (
                    Fault::ServerError {
                        status: 503,
                        body: ErrorBody::PrometheusJson,
                    },
                    "http-503",
                    &[
                        "Prometheus refused the query (unavailable)",
                        "injected fault: HTTP 503",
                    ],
                ),
                (
                    Fault::ServerError {
                        status: 500,
                        body: ErrorBody::PlainText,
                    },
                    "http-500",
                    &["HTTP 500", "injected fault"],
                ),
            ],
        )
        .await;
    });
}

#[test]
fn truncated_json_is_reported_as_an_invalid_answer() {
    run_case(|drill| async move {
        scoped_fault(
            &drill,
            &[(
                Fault::TruncatedJson,
                "truncated-json",
                &["not a valid Prometheus API response", "invalid JSON"],
            )],
        )
        .await;
    });
}

/// The app's WebAssembly memory, which only ever grows.
async fn wasm_memory_bytes(browser: &BrowserSession) -> f64 {
    browser
        .script("return window.foresightWasm.memory.buffer.byteLength;")
        .await
        .unwrap()
        .as_f64()
        .unwrap()
}

#[test]
fn a_50_mb_answer_is_refused_with_a_message_without_being_parsed() {
    run_case(|drill| async move {
        // Measured once the dashboard has settled, before the fault.
        let baseline = open_dashboard(&drill).await;
        let before_bytes = wasm_memory_bytes(&drill.browser).await;
        let before = panels(&drill.browser).await;
        drill
            .proxy
            .inject_where(Fault::HugeBody(HUGE_ANSWER_BYTES), FAULTED_METRIC);
        wait_for_failures(
            &drill,
            &baseline.affected,
            &["MiB, the most this page reads"],
        )
        .await;
        screenshot(&drill, "huge-answer").await;
        assert_keep_working(&drill, &baseline, &before).await;
        assert_page_alive(&drill).await;
        let during_bytes = wasm_memory_bytes(&drill.browser).await;
        println!(
            "wasm memory: {:.1} MiB before, {:.1} MiB with 50 MB answers refused",
            before_bytes / 1048576.0,
            during_bytes / 1048576.0
        );
        // Had one huge answer reached the app, its memory would have grown by
        // at least that much (it never shrinks).
        assert!(
            during_bytes - before_bytes < HUGE_ANSWER_BYTES as f64 / 2.0,
            "no huge answer was copied into the app: {before_bytes} -> {during_bytes} bytes"
        );
        let during = panels(&drill.browser).await;
        drill.proxy.inject(Fault::PassThrough);
        assert_recovers(&drill, &baseline, &during).await;
        assert_page_alive(&drill).await;
        assert_storage_kept(&drill, &baseline.alert_states).await;
    });
}

#[test]
fn answers_without_cors_headers_are_reported_on_every_panel() {
    run_case(|drill| async move {
        let baseline = open_dashboard(&drill).await;
        // A server whose CORS settings do not admit the page's origin: every answer is withheld.
        drill.proxy.inject(Fault::NoCors);
        let reachability = format!("Cannot reach Prometheus at {}", drill.proxy.base_url());
        let failed = wait_for_failures(
            &drill,
            &baseline.queried,
            &[&reachability, "blocked by CORS"],
        )
        .await;
        screenshot(&drill, "no-cors").await;
        assert_page_alive(&drill).await;
        drill.proxy.inject(Fault::PassThrough);
        assert_recovers(&drill, &baseline, &failed).await;
        assert_page_alive(&drill).await;
        assert_storage_kept(&drill, &baseline.alert_states).await;
    });
}

/// The options of the variable picker `name`, as the page shows them.
async fn picker_options(browser: &BrowserSession, name: &str) -> Vec<String> {
    let options = browser
        .script(&format!(
            "const s = document.querySelector('select[data-variable=\"{name}\"]');
             return s ? [...s.options].map(o => o.value) : [];"
        ))
        .await
        .unwrap();
    serde_json::from_value(options).unwrap()
}

/// Prometheus's values of `job` on series of `metric`, asked directly.
fn jobs_of(drill: &Drill, metric: &str) -> Vec<String> {
    let answer = e2e::http_get(&format!(
        "{}/api/v1/label/job/values?match[]={metric}",
        drill.proxy.base_url()
    ))
    .unwrap();
    let answer: Value = serde_json::from_str(&answer).unwrap();
    serde_json::from_value(answer["data"].clone()).unwrap()
}

#[test]
fn a_late_answer_for_an_older_variable_selection_never_replaces_a_newer_one() {
    run_case(|drill| async move {
        // `job`'s options depend on the metric picked: a new pick loads them again.
        let (older, newer) = ("up", FAULTED_METRIC);
        let (older_jobs, newer_jobs) = (jobs_of(&drill, older), jobs_of(&drill, newer));
        assert_ne!(
            older_jobs, newer_jobs,
            "the race needs two different answers"
        );
        let dashboard = Dashboard::from_json(
            &json!({
                "schemaVersion": 1, "id": "variable-race", "title": "Variable race",
                "variables": [
                    {"name": "metric", "kind": "custom", "values": [older, newer]},
                    {"name": "job", "kind": "query", "query": "label_values($metric, job)"}
                ],
                "panels": [{"id": "count", "title": "Series", "type": "stat",
                            "targets": [{"expr": "count($metric{job=\"$job\"})"}]}],
                "layout": [{"panel": "count", "x": 0, "y": 0, "w": 12, "h": 6}]
            })
            .to_string(),
        )
        .unwrap();
        let browser = &drill.browser;
        // The first load (options for `up`) is held back by the proxy for 15 s.
        let late = Duration::from_secs(15);
        drill
            .proxy
            .inject_where(Fault::Slow(late), &format!("match%5B%5D={older}"));
        browser
            .client
            .goto(&format!(
                "{}?inline={}&datasource={}&var-metric={older}",
                drill.site.url(),
                foresight_core::model::inline_dashboard::encode_inline_dashboard(&dashboard),
                encode_uri_component(&drill.proxy.base_url())
            ))
            .await
            .unwrap();
        let asked_at = Instant::now();
        browser
            .wait_for_count(r#"select[data-variable="metric"] option"#)
            .await
            .unwrap();
        // While it is on its way, the viewer picks the other metric: its options come at once.
        browser
            .choose(r#"select[data-variable="metric"]"#, newer)
            .await
            .unwrap();
        let deadline = Instant::now() + SETTLE;
        while picker_options(browser, "job").await != newer_jobs {
            assert!(
                Instant::now() < deadline,
                "the newer options never came: {:?}",
                picker_options(browser, "job").await
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(
            asked_at.elapsed() < late,
            "the newer answer waited for the older one"
        );
        // The older answer arrives after the newer one and must change nothing.
        while drill.proxy.requests_in_flight() > 0 || asked_at.elapsed() < late {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(picker_options(browser, "job").await, newer_jobs);
        let picked = browser
            .script(r#"return document.querySelector('select[data-variable="metric"]').value;"#)
            .await
            .unwrap();
        assert_eq!(picked, json!(newer));
        assert!(
            drill.proxy.faulted_answers() > 0,
            "the older answer was held back"
        );
        assert_page_alive(&drill).await;
    });
}
