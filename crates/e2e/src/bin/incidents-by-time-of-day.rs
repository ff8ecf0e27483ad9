//! `incidents-by-time-of-day [--every 20] [--at HH:MM,…] [--seed 42]`: the
//! demo's history ends five minutes before "now", so where its incidents fall
//! in the day (and so the traffic around them, and the batch job's load just
//! before the error spike) moves with the clock. This loads one history
//! ending at each time of day `--every` minutes from midnight UTC (or at the
//! `--at` times), each the latest such instant in the past, so that two runs
//! within a day compare the same histories; and asks, with the same core code
//! and queries as the page, whether each panel the end-to-end test checks
//! flags its incident on the same six-hour view: the error spike on *Request
//! rate by status* (500s), the latency regression on p95, the traffic drop
//! on *Traffic vs last week* and on *Traffic* judged against last week.
//!
//! Prints one row per history and how many flagged each incident. A figure,
//! not a setting: nothing here chooses a parameter.

use e2e::artifacts_dir;
use e2e::browser_session::TempDir;
use e2e::incident_flags::{clock, first_flags, incident_name, latest_past, CHECKS};
use e2e::prometheus_fixture::PrometheusFixture;
use history_generator::{HistoryConfig, IncidentKind};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

fn argument(args: &[String], name: &str, default: i64) -> Result<i64, String> {
    match args.iter().position(|a| a == name) {
        Some(at) => args
            .get(at + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} needs a whole number")),
        None => Ok(default),
    }
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let every = argument(&args, "--every", 20)?.max(1);
    let seed = argument(&args, "--seed", HistoryConfig::DEFAULT_SEED as i64)? as u64;
    let minutes: Vec<i64> = match args.iter().position(|a| a == "--at") {
        Some(at) => args
            .get(at + 1)
            .ok_or("--at needs times like 05:30,18:50")?
            .split(',')
            .map(|t| {
                let (h, m) = t.split_once(':').ok_or("a time is HH:MM")?;
                match (h.parse::<i64>(), m.parse::<i64>()) {
                    (Ok(h), Ok(m)) if (0..24).contains(&h) && (0..60).contains(&m) => {
                        Ok(h * 60 + m)
                    }
                    _ => Err(format!("not a time of day: {t}")),
                }
            })
            .collect::<Result<_, String>>()?,
        None => (0..24 * 60).step_by(every as usize).collect(),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    println!(
        "Each history ends at the time shown; its incidents keep their place relative to the end."
    );
    println!("A cell is the first flag's delay after the incident's start (seconds), or MISSED.\n");
    print!("| history ends (UTC) | spike starts (UTC) |");
    for check in &CHECKS {
        print!(" {} on {} |", incident_name(check.incident), check.panel);
    }
    println!(" time |");
    println!("|{}", " --- |".repeat(CHECKS.len() + 3));
    let mut flagged = [0usize; CHECKS.len()];
    let mut histories = 0;
    for minute_of_day in minutes {
        let started = Instant::now();
        // `ending_before` ends the history five minutes before the instant it is given.
        let mut config = HistoryConfig::ending_before(latest_past(now, minute_of_day) + 300);
        config.seed = seed;
        let work = TempDir::new("foresight-time-of-day");
        let fixture = PrometheusFixture::start_with_history(&work.0, config, &artifacts_dir())?;
        let manifest = fixture.manifest.clone();
        let spike = manifest
            .incident(IncidentKind::ErrorRateSpike)
            .ok_or("no error spike in the history")?;
        print!("| {} | {} |", clock(manifest.end), clock(spike.start));
        for (count, flag) in flagged
            .iter_mut()
            .zip(first_flags(&fixture.base_url(), &manifest)?)
        {
            match flag {
                Some(delay) => {
                    *count += 1;
                    print!(" {delay:.0} |");
                }
                None => print!(" MISSED |"),
            }
        }
        println!(" {:.0} s |", started.elapsed().as_secs_f64());
        histories += 1;
    }
    println!();
    for (count, check) in flagged.iter().zip(&CHECKS) {
        println!(
            "{} on {}: flagged in {count} of {histories} histories",
            incident_name(check.incident),
            check.panel
        );
    }
    Ok(())
}
