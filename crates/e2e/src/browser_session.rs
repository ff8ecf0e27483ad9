//! Headless Chromium driven over WebDriver (ChromeDriver + fantoccini), with a
//! fresh profile per session.

use crate::managed_process::ManagedProcess;
use crate::{free_port, wait_for_http};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// One episode of an alert rule's backtest, as the page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestEpisode {
    /// The list item's text (the alert's labels and times).
    pub text: String,
    pub pending_at: f64,
    pub firing_at: Option<f64>,
    pub resolved_at: Option<f64>,
}

/// How long the page gets to reach an expected state (slow machines, cold Prometheus).
pub const PAGE_WAIT: Duration = Duration::from_secs(90);

pub struct BrowserSession {
    pub client: Client,
    /// ChromeDriver's address, for its Chrome DevTools commands.
    driver_url: String,
    _profile: TempDir,
    _driver: ManagedProcess,
}

/// A directory removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("temporary directory can be created");
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const CHROMIUM_FLAGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
];

impl BrowserSession {
    pub async fn start(log_dir: &Path, name: &str) -> Result<Self, String> {
        Self::start_with_args(log_dir, name, &[]).await
    }

    /// Like [`Self::start`], with extra Chromium flags (e.g. `--force-device-scale-factor=2`).
    pub async fn start_with_args(
        log_dir: &Path,
        name: &str,
        extra_args: &[&str],
    ) -> Result<Self, String> {
        let port = free_port();
        let mut command =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()));
        command.arg(format!("--port={port}"));
        let driver = ManagedProcess::start(&format!("chromedriver-{name}"), command, log_dir)?;
        wait_for_http(
            &format!("http://127.0.0.1:{port}/status"),
            Duration::from_secs(30),
        )?;
        let profile = TempDir::new("foresight-chromium");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.0.display()));
        args.extend(extra_args.iter().map(|a| a.to_string()));
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": binary, "args": args }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| format!("cannot start a Chromium session: {e}"))?;
        Ok(Self {
            client,
            driver_url: format!("http://127.0.0.1:{port}"),
            _profile: profile,
            _driver: driver,
        })
    }

    /// Runs `script` in every page this window opens from now on, before the
    /// page's own scripts (Chrome DevTools' `Page.addScriptToEvaluateOnNewDocument`):
    /// to take away a browser feature the page would use, as an older or
    /// stricter browser lacks it.
    pub async fn run_before_each_page(&self, script: &str) -> Result<(), String> {
        let session = self
            .client
            .session_id()
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no WebDriver session")?;
        ureq::post(&format!(
            "{}/session/{session}/goog/cdp/execute",
            self.driver_url
        ))
        .timeout(Duration::from_secs(30))
        .set("Content-Type", "application/json")
        .send_string(
            &json!({
                "cmd": "Page.addScriptToEvaluateOnNewDocument",
                "params": { "source": script }
            })
            .to_string(),
        )
        .map_err(|e| format!("Chrome DevTools command refused: {e}"))?;
        Ok(())
    }

    /// Waits until the element matching `css` has attribute `name` in `wanted`; returns the value.
    pub async fn wait_for_attribute(
        &self,
        css: &str,
        name: &str,
        wanted: &[&str],
        timeout: Duration,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        let mut last = None;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                last = element.attr(name).await.ok().flatten();
                if let Some(value) = &last {
                    if wanted.contains(&value.as_str()) {
                        return Ok(value.clone());
                    }
                }
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{css} [{name}] is {last:?}, not one of {wanted:?} after {timeout:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn attribute(&self, css: &str, name: &str) -> Result<String, String> {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("{css}: {e}"))?;
        element
            .attr(name)
            .await
            .map_err(|e| format!("{css}: {e}"))?
            .ok_or_else(|| format!("{css} has no {name}"))
    }

    pub async fn text(&self, css: &str) -> Result<String, String> {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("{css}: {e}"))?;
        element.text().await.map_err(|e| format!("{css}: {e}"))
    }

    /// Runs `action`, JavaScript acting on `e` (the first element matching
    /// `css`) with `value` as `arguments[1]`; an error naming `css` when nothing matches.
    async fn act_on(&self, css: &str, action: &str, value: Value) -> Result<(), String> {
        let script = format!(
            "const e = document.querySelector(arguments[0]); if (!e) return false; {action} return true;"
        );
        let found = self
            .client
            .execute(&script, vec![json!(css), value])
            .await
            .map_err(|e| format!("acting on {css}: {e}"))?;
        if found == Value::Bool(true) {
            Ok(())
        } else {
            Err(format!("nothing matches {css}"))
        }
    }

    /// Clicks the first element matching `css`, as a user would.
    pub async fn click(&self, css: &str) -> Result<(), String> {
        self.act_on(css, "e.click();", Value::Null).await
    }

    /// Types into an input or textarea as a user would (value, then input and change events).
    pub async fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        self.set_value(
            css,
            text,
            "e.dispatchEvent(new Event('input', { bubbles: true }));",
        )
        .await
    }

    /// Opens the import dialog and reads `text` as pasted JSON, as a user would.
    pub async fn paste_import(&self, text: &str) -> Result<(), String> {
        self.click(r#"[data-action="import"]"#).await?;
        self.type_into(r#"[data-field="import-text"]"#, text)
            .await?;
        self.click(r#"[data-field="import-pasted"]"#).await
    }

    /// Picks `value` in a select (value, then a change event).
    pub async fn choose(&self, css: &str, value: &str) -> Result<(), String> {
        self.set_value(css, value, "").await
    }

    async fn set_value(&self, css: &str, value: &str, before_change: &str) -> Result<(), String> {
        let action = format!(
            "e.value = arguments[1]; {before_change} e.dispatchEvent(new Event('change', {{ bubbles: true }}));"
        );
        self.act_on(css, &action, json!(value)).await
    }

    /// Waits until the text of the element matching `css` contains `wanted`; returns the text.
    pub async fn wait_for_text(&self, css: &str, wanted: &str) -> Result<String, String> {
        let deadline = Instant::now() + PAGE_WAIT;
        loop {
            let text = self.text(css).await.unwrap_or_default();
            if text.contains(wanted) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                return Err(format!("{css} never said {wanted:?}; it says {text:?}"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until `css` matches something; returns how many elements match.
    pub async fn wait_for_count(&self, css: &str) -> Result<usize, String> {
        let deadline = Instant::now() + PAGE_WAIT;
        loop {
            let found = self
                .client
                .execute(
                    "return document.querySelectorAll(arguments[0]).length;",
                    vec![json!(css)],
                )
                .await
                .map_err(|e| format!("counting {css}: {e}"))?
                .as_u64()
                .unwrap_or(0);
            if found > 0 {
                return Ok(usize::try_from(found).unwrap_or(usize::MAX));
            }
            if Instant::now() > deadline {
                return Err(format!("nothing matched {css} after {PAGE_WAIT:?}"));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits until the page shows panels and none is loading; returns each
    /// panel's `(id, state)`.
    pub async fn settled_panels(&self) -> Result<Vec<(String, String)>, String> {
        let deadline = Instant::now() + PAGE_WAIT;
        loop {
            let states = self
                .script(
                    "return [...document.querySelectorAll('[data-panel]')]
                         .map(p => [p.dataset.panel, p.getAttribute('aria-busy') === 'true' ? 'loading' : p.dataset.state]);",
                )
                .await?;
            let states: Vec<(String, String)> =
                serde_json::from_value(states).map_err(|e| format!("panel states: {e}"))?;
            if !states.is_empty() && states.iter().all(|(_, s)| s != "loading") {
                return Ok(states);
            }
            // A dead page never settles: say so at once, with what it shows.
            let crashed = self
                .script("return !!document.querySelector('[data-testid=\"crash\"]');")
                .await?;
            if Instant::now() > deadline || crashed == json!(true) {
                return Err(format!(
                    "panels not settled (waited up to {PAGE_WAIT:?}): {states:?}; the page: {}",
                    self.page_report().await
                ));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// What a failed wait needs to be understood: the address, uncaught
    /// errors, the crash message, the trust banner and the requests made.
    pub async fn page_report(&self) -> Value {
        self.script(
            "return {
                href: location.href,
                ready: document.readyState,
                errors: window.foresightErrors,
                crash: document.querySelector('[data-testid=\"crash\"]')?.textContent ?? null,
                banner: document.querySelector('[data-testid=\"trust-banner\"]')?.textContent ?? null,
                panels: [...document.querySelectorAll('[data-panel]')].map(p => ({
                    id: p.dataset.panel, state: p.dataset.state, busy: p.getAttribute('aria-busy'),
                    end: p.dataset.end ?? null, message: p.querySelector('.message')?.textContent ?? null,
                    values: [...p.querySelectorAll('[data-value]')].map(v => v.dataset.value),
                    canvases: [...p.querySelectorAll('canvas')].map(c => [c.clientWidth, c.clientHeight, c.width, c.height]),
                })),
                requests: performance.getEntriesByType('resource')
                    .map(r => [r.name.slice(0, 160), Math.round(r.startTime), Math.round(r.duration), r.responseStatus]),
            };",
        )
        .await
        .unwrap_or_else(|e| json!({ "unreadable": e }))
    }

    /// Accepts, as a user would, what a dashboard from a link would do beyond
    /// drawing (the trust banner), and waits until the page runs it: newly
    /// confirmed addresses take a reload.
    pub async fn accept_dashboard(&self) -> Result<(), String> {
        self.wait_for_count(r#"[data-testid="trust-banner"]"#)
            .await?;
        self.click(r#"[data-action="accept-dashboard"]"#).await?;
        let deadline = Instant::now() + PAGE_WAIT;
        loop {
            // While the page reloads a script may fail: try again.
            let running = self
                .script(
                    r#"return document.readyState === "complete"
                        && !document.querySelector('[data-testid="trust-banner"]')
                        && !!document.querySelector('[data-testid="dashboard-title"]');"#,
                )
                .await;
            if running == Ok(Value::Bool(true)) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("the accepted dashboard never ran: {running:?}"));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Shift-drags across the chart `chart` (a CSS selector) from time `from`
    /// to `to` (seconds), as a user selecting a window would; the chart's
    /// axis spans `axis_start` to its `data-axis-end`.
    pub async fn shift_drag(
        &self,
        chart: &str,
        axis_start: f64,
        from: f64,
        to: f64,
    ) -> Result<(), String> {
        let geometry = self
            .script(&format!(
                r#"const c = document.querySelector('{chart}');
                   const box = c.getBoundingClientRect();
                   return [box.left, box.top + box.height / 2, box.width, Number(c.dataset.axisEnd)];"#
            ))
            .await?;
        let number = |k: usize| geometry[k].as_f64().unwrap_or(f64::NAN);
        let (left, middle, width, end) = (number(0), number(1), number(2), number(3));
        let insets = foresight_core::chart::geometry::AXES_INSETS;
        let x = |t: f64| left + insets.x_of(t, width, axis_start, end);
        let script = format!(
            r#"const c = document.querySelector('{chart}');
               const at = (type, x, shift) => c.dispatchEvent(new MouseEvent(type, {{
                   bubbles: true, cancelable: true, button: 0, clientX: x, clientY: {middle}, shiftKey: shift }}));
               at('mousedown', {a}, true);
               at('mousemove', {b}, true);
               at('mouseup', {b}, true);
               return true;"#,
            a = x(from),
            b = x(to)
        );
        self.script(&script).await.map(|_| ())
    }

    /// Runs the backtest of the alert rule `rule` from its card, as a user
    /// would, and waits until it finished (no longer `data-running`, its
    /// pages counted); an error shown instead fails. Returns the number of
    /// pages the card reports and its episodes.
    pub async fn backtest(&self, rule: &str) -> Result<(u32, Vec<BacktestEpisode>), String> {
        let card = format!(r#"[data-alert-rule="{rule}"]"#);
        self.click(&format!(r#"{card} [data-action="backtest"]"#))
            .await?;
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let last = self
                .script(&format!(
                    r#"const b = document.querySelector('{card} [data-testid="backtest"]');
                       const error = document.querySelector('{card} .backtest.error');
                       if (error) return {{error: error.textContent}};
                       return {{done: !!b && !b.dataset.running && b.dataset.pages !== undefined,
                                pages: b ? +b.dataset.pages : 0,
                                episodes: b ? [...b.querySelectorAll('li')].map(li => [li.textContent,
                                    +li.dataset.pendingAt, +(li.dataset.firingAt || 0), +(li.dataset.resolvedAt || 0)]) : []}};"#
                ))
                .await?;
            if let Some(error) = last.get("error") {
                return Err(format!("the backtest of {rule} failed: {error}"));
            }
            if last["done"] == true {
                let at = |value: &Value| value.as_f64().filter(|t| *t != 0.0);
                let episodes = last["episodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| BacktestEpisode {
                        text: e[0].as_str().unwrap_or_default().to_string(),
                        pending_at: e[1].as_f64().unwrap_or(f64::NAN),
                        firing_at: at(&e[2]),
                        resolved_at: at(&e[3]),
                    })
                    .collect();
                return Ok((last["pages"].as_u64().unwrap_or(0) as u32, episodes));
            }
            if Instant::now() > deadline {
                return Err(format!("the backtest of {rule} did not finish: {last}"));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    pub async fn script(&self, script: &str) -> Result<Value, String> {
        self.client
            .execute(script, vec![])
            .await
            .map_err(|e| format!("script failed: {e}"))
    }

    /// Imports a dashboard as a user would: Import, paste, Import pasted
    /// JSON, Open, Save, Done. Returns the import summary.
    pub async fn import_through_the_page(&self, text: &str) -> Result<String, String> {
        self.click(r#"[data-action="import"]"#).await?;
        self.type_into(r#"[data-field="import-text"]"#, text)
            .await?;
        self.click(r#"[data-field="import-pasted"]"#).await?;
        let summary = self
            .wait_for_text(r#"[data-testid="import-summary"]"#, "panels")
            .await?;
        self.click(r#"[data-field="open-imported"]"#).await?;
        self.click(r#"[data-action="save"]"#).await?;
        self.wait_for_text(r#"[data-testid="notice"]"#, "Saved")
            .await?;
        self.click(r#"[data-action="done"]"#).await?;
        Ok(summary)
    }

    /// Opens every collapsed row, one click each, as a viewer would; returns
    /// how many were opened.
    pub async fn open_every_row(&self) -> Result<usize, String> {
        let mut opened = 0;
        while self
            .click(r#".row-heading button[aria-expanded="false"]"#)
            .await
            .is_ok()
        {
            opened += 1;
            if opened > crate::MAX_ROWS_OPENED {
                return Err("a row would not open".into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        // A click that failed for another reason must not pass for "all open".
        let closed = self
            .script(r#"return document.querySelectorAll('.row-heading button[aria-expanded="false"]').length;"#)
            .await?;
        if closed != serde_json::json!(0) {
            return Err(format!("{closed} rows are still closed"));
        }
        Ok(opened)
    }

    pub async fn save_screenshot(&self, path: &Path) -> Result<(), String> {
        let png = self
            .client
            .screenshot()
            .await
            .map_err(|e| format!("screenshot: {e}"))?;
        std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))
    }
}
