//! End-to-end harness: starts real processes on free loopback ports (Prometheus
//! with generated history, the sample service, ChromeDriver), serves the release
//! build of the app, and stops everything it started when dropped, even when a
//! test fails.

pub mod browser_session;
pub mod managed_process;
pub mod prometheus_answers;
pub mod prometheus_fixture;
pub mod static_file_server;

use std::path::PathBuf;

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root exists")
}

/// Where tests put screenshots and process logs (git-ignored).
pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("FORESIGHT_ARTIFACTS")
        .map_or_else(|| workspace_root().join("artifacts"), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("artifacts directory can be created");
    dir
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
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
