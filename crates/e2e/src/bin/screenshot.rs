//! `screenshot URL OUT.png [WIDTH HEIGHT]`: opens URL in headless Chromium, waits
//! until every panel has left the loading state, and saves a PNG (used for the README).

use e2e::artifacts_dir;
use e2e::browser_session::BrowserSession;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (url, out, size) = match args.as_slice() {
        [url, out] => (url, out, None),
        [url, out, width, height] => (
            url,
            out,
            Some((
                width.parse().map_err(|_| "WIDTH")?,
                height.parse().map_err(|_| "HEIGHT")?,
            )),
        ),
        _ => return Err("usage: screenshot URL OUT.png [WIDTH HEIGHT]".into()),
    };
    let browser = BrowserSession::start(&artifacts_dir(), "screenshot").await?;
    if let Some((width, height)) = size {
        browser
            .client
            .set_window_size(width, height)
            .await
            .map_err(|e| e.to_string())?;
    }
    browser.client.goto(url).await.map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pending = browser
            .script("return [...document.querySelectorAll('[data-panel]')].filter(p => p.dataset.state === 'loading').length + (document.querySelector('[data-panel]') ? 0 : 1);")
            .await?;
        if pending.as_u64() == Some(0) {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("panels still loading after 60 s at {url}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    browser.save_screenshot(std::path::Path::new(out)).await?;
    browser.client.close().await.map_err(|e| e.to_string())?;
    println!("saved {out}");
    Ok(())
}
