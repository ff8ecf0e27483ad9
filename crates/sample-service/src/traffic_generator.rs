//! Synthetic load: real HTTP requests to the service's own `/hello`, so that the
//! whole instrumented path runs exactly as it would for outside clients.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn call_hello(address: SocketAddr) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(address).await?;
    stream
        .write_all(format!("GET /hello HTTP/1.1\r\nHost: {address}\r\nUser-Agent: sample-service-traffic\r\nConnection: close\r\n\r\n").as_bytes())
        .await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    Ok(())
}

/// Sends `requests_per_second` requests a second (each in its own task, so slow
/// answers never lower the rate) until the process exits. The first failure is reported once.
pub async fn run(address: SocketAddr, requests_per_second: f64) {
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / requests_per_second));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let failure_reported = Arc::new(AtomicBool::new(false));
    loop {
        ticker.tick().await;
        let failure_reported = Arc::clone(&failure_reported);
        tokio::spawn(async move {
            if let Err(error) = call_hello(address).await {
                if !failure_reported.swap(true, Ordering::Relaxed) {
                    eprintln!("sample-service: traffic request failed: {error}");
                }
            }
        });
    }
}
