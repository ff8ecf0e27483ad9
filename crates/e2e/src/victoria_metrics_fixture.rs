//! A real VictoriaMetrics (Debian's `victoria-metrics`, single node) on a free
//! loopback port: the generated history imported through its own import API,
//! its own metrics scraped by itself, and live data from the given targets
//! through a real `vmagent` remote-writing into it, as a VictoriaMetrics site
//! collects. Also `vmalert`, evaluating a rule file against it.

use crate::managed_process::ManagedProcess;
use crate::prometheus_fixture::history_ending_now;
use crate::{free_port, wait_for_http};
use history_generator::{generate_history, HistoryConfig, Manifest};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A VictoriaMetrics program: the copy `scripts/ensure-tools.sh` unpacks
/// into `.tools/`, else whichever the PATH has.
pub fn binary(name: &str) -> PathBuf {
    let unpacked = crate::workspace_root()
        .join(".tools/victoria-metrics/usr/bin")
        .join(name);
    if unpacked.exists() {
        unpacked
    } else {
        PathBuf::from(name)
    }
}

pub struct VictoriaMetricsFixture {
    pub port: u16,
    pub manifest: Manifest,
    /// The history it holds, to load the same into a Prometheus for comparison.
    pub history: HistoryConfig,
    pub work_dir: PathBuf,
    _server: ManagedProcess,
    _agent: Option<ManagedProcess>,
}

/// Rewrites OpenMetrics samples (`name{labels} value seconds`) as the
/// Prometheus text format VictoriaMetrics imports (`… value milliseconds`),
/// leaving out comments and `# EOF`.
fn openmetrics_as_prometheus_text(openmetrics: &Path, text: &Path) -> Result<(), String> {
    let input = BufReader::new(std::fs::File::open(openmetrics).map_err(|e| e.to_string())?);
    let mut output = BufWriter::new(std::fs::File::create(text).map_err(|e| e.to_string())?);
    for line in input.lines() {
        let line = line.map_err(|e| e.to_string())?;
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (sample, seconds) = line
            .rsplit_once(' ')
            .ok_or_else(|| format!("an OpenMetrics sample without a timestamp: {line}"))?;
        let seconds: f64 = seconds
            .parse()
            .map_err(|e| format!("timestamp of {line}: {e}"))?;
        writeln!(output, "{sample} {}", (seconds * 1000.0).round() as i64)
            .map_err(|e| e.to_string())?;
    }
    output.flush().map_err(|e| e.to_string())
}

impl VictoriaMetricsFixture {
    /// Starts VictoriaMetrics over the default history (ending five minutes
    /// ago), scraping itself every 5 s and, through vmagent, each
    /// `(job, host:port)` of `targets` every 5 s.
    pub fn start(
        work_dir: &Path,
        targets: &[(&str, &str)],
        log_dir: &Path,
    ) -> Result<Self, String> {
        std::fs::create_dir_all(work_dir).map_err(|e| e.to_string())?;
        let config = history_ending_now(None)?;
        let openmetrics = work_dir.join("history.om");
        let file = std::fs::File::create(&openmetrics).map_err(|e| e.to_string())?;
        let manifest =
            generate_history(&config, file).map_err(|e| format!("generating history: {e}"))?;
        let import = work_dir.join("history.prom");
        openmetrics_as_prometheus_text(&openmetrics, &import)?;
        let _ = std::fs::remove_file(&openmetrics);

        let port = free_port();
        let mut command = Command::new(binary("victoria-metrics"));
        command.args([
            format!(
                "-storageDataPath={}",
                work_dir.join("victoria-metrics-data").display()
            ),
            format!("-httpListenAddr=127.0.0.1:{port}"),
            "-retentionPeriod=100y".to_string(),
            "-selfScrapeInterval=5s".to_string(),
        ]);
        let mut server = ManagedProcess::start("victoria-metrics", command, log_dir)?;
        let base = format!("http://127.0.0.1:{port}");
        wait_for_http(&format!("{base}/health"), Duration::from_secs(60))
            .map_err(|e| format!("{e}; {}", server.ensure_running().err().unwrap_or_default()))?;

        let body = std::fs::File::open(&import).map_err(|e| e.to_string())?;
        ureq::post(&format!("{base}/api/v1/import/prometheus"))
            .timeout(Duration::from_secs(600))
            .send(body)
            .map_err(|e| format!("importing the history into VictoriaMetrics: {e}"))?;
        let _ = std::fs::remove_file(&import);
        // Imported samples become searchable once flushed.
        crate::http_get(&format!("{base}/internal/force_flush"))?;
        wait_until_searchable(&base, manifest.end)?;

        let agent = if targets.is_empty() {
            None
        } else {
            Some(start_vmagent(work_dir, &base, targets, log_dir)?)
        };
        Ok(Self {
            port,
            manifest,
            history: config,
            work_dir: work_dir.to_path_buf(),
            _server: server,
            _agent: agent,
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Waits until the history's last minute answers a query.
fn wait_until_searchable(base: &str, end: i64) -> Result<(), String> {
    let url = format!(
        "{base}/api/v1/query?query=count(http_requests_total)&time={}",
        end - 60
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let answer = crate::http_get(&url)?;
        if answer.contains("\"value\"") {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("the imported history is not searchable: {answer}"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// vmagent scraping `targets` every 5 s and remote-writing to `base`.
fn start_vmagent(
    work_dir: &Path,
    base: &str,
    targets: &[(&str, &str)],
    log_dir: &Path,
) -> Result<ManagedProcess, String> {
    let mut config = String::from("global:\n  scrape_interval: 5s\nscrape_configs:\n");
    for (job, target) in targets {
        config.push_str(&format!(
            "  - job_name: {job}\n    static_configs: [{{targets: ['{target}']}}]\n"
        ));
    }
    let config_path = work_dir.join("vmagent.yml");
    std::fs::write(&config_path, config).map_err(|e| e.to_string())?;
    let port = free_port();
    let mut command = Command::new(binary("vmagent"));
    command.args([
        format!("-promscrape.config={}", config_path.display()),
        format!("-remoteWrite.url={base}/api/v1/write"),
        format!(
            "-remoteWrite.tmpDataPath={}",
            work_dir.join("vmagent-data").display()
        ),
        format!("-httpListenAddr=127.0.0.1:{port}"),
    ]);
    let mut agent = ManagedProcess::start("vmagent", command, log_dir)?;
    wait_for_http(
        &format!("http://127.0.0.1:{port}/health"),
        Duration::from_secs(60),
    )
    .map_err(|e| format!("{e}; {}", agent.ensure_running().err().unwrap_or_default()))?;
    Ok(agent)
}

/// vmalert evaluating `rule_file` against `datasource` every `interval`,
/// sending its alerts to the Alertmanager API at `notifier` and writing its
/// `ALERTS` series to `remote_write` (as Prometheus's ruler keeps them);
/// returns it with its base URL (`/api/v1/alerts` lists its alerts).
pub fn start_vmalert(
    rule_file: &Path,
    datasource: &str,
    notifier: &str,
    interval: &str,
    remote_write: &str,
    log_dir: &Path,
) -> Result<(ManagedProcess, String), String> {
    let port = free_port();
    let mut command = Command::new(binary("vmalert"));
    command.args([
        format!("-rule={}", rule_file.display()),
        format!("-datasource.url={datasource}"),
        format!("-notifier.url={notifier}"),
        format!("-evaluationInterval={interval}"),
        format!("-remoteWrite.url={remote_write}"),
        "-remoteWrite.flushInterval=1s".to_string(),
        format!("-httpListenAddr=127.0.0.1:{port}"),
    ]);
    let mut process = ManagedProcess::start("vmalert", command, log_dir)?;
    let base = format!("http://127.0.0.1:{port}");
    wait_for_http(&format!("{base}/health"), Duration::from_secs(60)).map_err(|e| {
        format!(
            "{e}; {}",
            process.ensure_running().err().unwrap_or_default()
        )
    })?;
    Ok((process, base))
}
