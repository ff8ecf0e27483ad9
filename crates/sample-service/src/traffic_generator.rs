//! Synthetic load: real HTTP requests to the service's own endpoints, so that
//! the whole instrumented path runs exactly as it would for outside clients.
//! With the model's traffic, the rate follows the time of day (and the chaos
//! faults) as the generated history does, and requests arrive as a Poisson
//! process spread over the endpoints by their traffic share.

use crate::options::Traffic;
use crate::SharedService;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn call(address: SocketAddr, method: &str, path: &str) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(address).await?;
    stream
        .write_all(format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nUser-Agent: sample-service-traffic\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes())
        .await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    Ok(())
}

/// Requests per second wanted now.
fn rate_now(traffic: Traffic, instance: &sample_world::Instance, service: &SharedService) -> f64 {
    match traffic {
        Traffic::Fixed(rps) => rps,
        Traffic::Model => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            let faults = service
                .lock()
                .map(|mut s| s.faults().clone())
                .unwrap_or_default();
            sample_world::request_rate(instance, now, &faults)
        }
    }
}

/// Sends requests (each in its own task, so slow answers never lower the
/// rate) until the process exits. The first failure is reported once.
pub async fn run(
    address: SocketAddr,
    traffic: Traffic,
    instance: &'static sample_world::Instance,
    service: SharedService,
) {
    let failure_reported = Arc::new(AtomicBool::new(false));
    loop {
        let rate = rate_now(traffic, instance, &service);
        if rate <= 0.0 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Exponential gaps: a Poisson process at `rate`.
        let gap = -(1.0 - fastrand::f64()).ln() / rate;
        tokio::time::sleep(Duration::from_secs_f64(gap.min(1.0))).await;
        let endpoint = sample_world::endpoint_by_share(fastrand::f64());
        let failure_reported = Arc::clone(&failure_reported);
        tokio::spawn(async move {
            if let Err(error) = call(address, endpoint.method, endpoint.path).await {
                if !failure_reported.swap(true, Ordering::Relaxed) {
                    eprintln!("sample-service: traffic request failed: {error}");
                }
            }
        });
    }
}
