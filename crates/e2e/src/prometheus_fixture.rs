//! A real Prometheus on a free loopback port, its TSDB backfilled with the
//! generated history (via promtool), scraping itself and optionally the sample service.

use crate::managed_process::ManagedProcess;
use crate::{free_port, wait_for_http};
use history_generator::{generate_history, HistoryConfig, Manifest};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub struct PrometheusFixture {
    pub port: u16,
    pub manifest: Manifest,
    pub work_dir: PathBuf,
    /// `None` between [`Self::kill`] and [`Self::restart`].
    process: Option<ManagedProcess>,
    /// Its arguments, to start it again the same way.
    arguments: Vec<String>,
    log_dir: PathBuf,
    restarts: u32,
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Writes the samples of the OpenMetrics file `openmetrics` as TSDB blocks
/// into `data` (one block may span the whole history).
fn load_openmetrics(openmetrics: &Path, data: &Path) -> Result<(), String> {
    run(Command::new("promtool")
        .args([
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--max-block-duration=240h",
        ])
        .arg(openmetrics)
        .arg(data))
}

/// Generates history ending five minutes ago and loads it into a fresh TSDB in `work_dir/data`.
pub fn backfill_history(work_dir: &Path) -> Result<Manifest, String> {
    backfill_history_with(work_dir, history_ending_now(None)?)
}

/// The default history ending five minutes ago, with another noise seed if given.
pub fn history_ending_now(seed: Option<u64>) -> Result<HistoryConfig, String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    let mut config = HistoryConfig::ending_before(now);
    if let Some(seed) = seed {
        config.seed = seed;
    }
    Ok(config)
}

/// Generates the history `config` describes into a fresh TSDB in `work_dir/data`.
pub fn backfill_history_with(work_dir: &Path, config: HistoryConfig) -> Result<Manifest, String> {
    let openmetrics = work_dir.join("history.om");
    let file = std::fs::File::create(&openmetrics).map_err(|e| e.to_string())?;
    let manifest =
        generate_history(&config, file).map_err(|e| format!("generating history: {e}"))?;
    let data = work_dir.join("data");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    load_openmetrics(&openmetrics, &data)?;
    let _ = std::fs::remove_file(&openmetrics);
    std::fs::write(
        work_dir.join("history-manifest.json"),
        serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    Ok(manifest)
}

impl PrometheusFixture {
    /// `scrape_targets`: extra `host:port` targets scraped as job `sample-service` every 5 s.
    /// `user_assets`: a directory Prometheus serves under `/user/` (same-origin hosting).
    pub fn start(
        work_dir: &Path,
        sample_service_target: Option<&str>,
        user_assets: Option<&Path>,
        log_dir: &Path,
    ) -> Result<Self, String> {
        let targets: Vec<(&str, &str)> = sample_service_target
            .map(|t| ("sample-service", t))
            .into_iter()
            .collect();
        Self::start_scraping(work_dir, &targets, user_assets, log_dir)
    }

    /// Like [`Self::start`], scraping each `(job, host:port)` every 5 s.
    pub fn start_scraping(
        work_dir: &Path,
        targets: &[(&str, &str)],
        user_assets: Option<&Path>,
        log_dir: &Path,
    ) -> Result<Self, String> {
        Self::start_configured(work_dir, targets, user_assets, None, log_dir)
    }

    /// Like [`Self::start_scraping`], with the ruler evaluating `rule_file`.
    pub fn start_with_rules(
        work_dir: &Path,
        targets: &[(&str, &str)],
        rule_file: &Path,
        log_dir: &Path,
    ) -> Result<Self, String> {
        Self::start_configured(work_dir, targets, None, Some(rule_file), log_dir)
    }

    /// Like [`Self::start`] with no targets, over the history `config` describes.
    pub fn start_with_history(
        work_dir: &Path,
        config: HistoryConfig,
        log_dir: &Path,
    ) -> Result<Self, String> {
        Self::start_configured_with(work_dir, &[], None, None, log_dir, config)
    }

    fn start_configured(
        work_dir: &Path,
        targets: &[(&str, &str)],
        user_assets: Option<&Path>,
        rule_file: Option<&Path>,
        log_dir: &Path,
    ) -> Result<Self, String> {
        let config = history_ending_now(None)?;
        Self::start_configured_with(work_dir, targets, user_assets, rule_file, log_dir, config)
    }

    fn start_configured_with(
        work_dir: &Path,
        targets: &[(&str, &str)],
        user_assets: Option<&Path>,
        rule_file: Option<&Path>,
        log_dir: &Path,
        history: HistoryConfig,
    ) -> Result<Self, String> {
        std::fs::create_dir_all(work_dir).map_err(|e| e.to_string())?;
        let manifest = backfill_history_with(work_dir, history)?;
        let port = free_port();
        let mut config = format!(
            "global:\n  scrape_interval: 5s\n  evaluation_interval: 5s\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n"
        );
        if let Some(rule_file) = rule_file {
            config.insert_str(0, &format!("rule_files: ['{}']\n", rule_file.display()));
        }
        for (job, target) in targets {
            config.push_str(&format!(
                "  - job_name: {job}\n    static_configs: [{{targets: ['{target}']}}]\n"
            ));
        }
        let config_path = work_dir.join("prometheus.yml");
        std::fs::write(&config_path, config).map_err(|e| e.to_string())?;
        let mut arguments = vec![
            format!("--config.file={}", config_path.display()),
            format!("--storage.tsdb.path={}", work_dir.join("data").display()),
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--storage.tsdb.retention.time=100y".to_string(),
        ];
        if rule_file.is_some() {
            // The rules can be replaced while it runs (POST /-/reload).
            arguments.push("--web.enable-lifecycle".to_string());
        }
        if let Some(assets) = user_assets {
            arguments.push(format!("--web.user-assets={}", assets.display()));
        }
        let mut fixture = Self {
            port,
            manifest,
            work_dir: work_dir.to_path_buf(),
            process: None,
            arguments,
            log_dir: log_dir.to_path_buf(),
            restarts: 0,
        };
        fixture.launch("prometheus")?;
        Ok(fixture)
    }

    /// Stops Prometheus, loads the OpenMetrics file `openmetrics` into its
    /// TSDB beside the history, and starts it again (blocks are read at start).
    pub fn backfill_and_restart(&mut self, openmetrics: &Path) -> Result<(), String> {
        self.kill()?;
        load_openmetrics(openmetrics, &self.work_dir.join("data"))?;
        self.restart()
    }

    /// The file where the running Prometheus wrote its process id.
    fn pid_file(&self) -> PathBuf {
        self.work_dir.join("prometheus.pid")
    }

    /// Starts Prometheus with the fixture's arguments and waits until it is ready.
    fn launch(&mut self, log_name: &str) -> Result<(), String> {
        // Through a shell that records its process id and then becomes
        // Prometheus (exec keeps the id), so that `kill` can end it abruptly.
        let mut command = Command::new("sh");
        command
            .args(["-c", r#"echo $$ > "$0" && exec prometheus "$@""#])
            .arg(self.pid_file())
            .args(&self.arguments);
        let mut process = ManagedProcess::start(log_name, command, &self.log_dir)?;
        wait_for_http(
            &format!("http://127.0.0.1:{}/-/ready", self.port),
            Duration::from_secs(60),
        )
        .map_err(|e| {
            format!(
                "{e}; {}",
                process.ensure_running().err().unwrap_or_default()
            )
        })?;
        self.process = Some(process);
        Ok(())
    }

    /// Kills Prometheus at once (SIGKILL, as a crash or the out-of-memory
    /// killer would): connections it was answering are cut, its port closes,
    /// and its data directory stays as it was at that instant.
    pub fn kill(&mut self) -> Result<(), String> {
        let Some(mut process) = self.process.take() else {
            return Err("Prometheus is not running".into());
        };
        let pid = std::fs::read_to_string(self.pid_file())
            .map_err(|e| format!("{}: {e}", self.pid_file().display()))?;
        run(Command::new("kill").args(["-KILL", pid.trim()]))?;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while process.ensure_running().is_ok() {
            if std::time::Instant::now() > deadline {
                return Err(format!("Prometheus (pid {}) outlived SIGKILL", pid.trim()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Gone and reaped: dropping it would signal a process group that no longer exists.
        std::mem::forget(process);
        Ok(())
    }

    /// Starts Prometheus again after [`Self::kill`], on the same port with the
    /// same data directory (it replays its write-ahead log), and waits until it is ready.
    pub fn restart(&mut self) -> Result<(), String> {
        if self.is_running() {
            return Err("Prometheus is still running".into());
        }
        self.restarts += 1;
        let log_name = format!("prometheus-restart-{}", self.restarts);
        self.launch(&log_name)
    }

    /// Whether Prometheus is running (not killed, not exited).
    pub fn is_running(&mut self) -> bool {
        self.process
            .as_mut()
            .is_some_and(|p| p.ensure_running().is_ok())
    }

    /// Re-reads the configuration and rule files (needs [`Self::start_with_rules`]).
    pub fn reload(&self) -> Result<(), String> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port))
            .map_err(|e| format!("cannot reach Prometheus: {e}"))?;
        stream
            .write_all(b"POST /-/reload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .map_err(|e| e.to_string())?;
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .map_err(|e| e.to_string())?;
        if answer.starts_with("HTTP/1.1 200") {
            Ok(())
        } else {
            Err(format!("Prometheus refused the reload: {answer}"))
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}
