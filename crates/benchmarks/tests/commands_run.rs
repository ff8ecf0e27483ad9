//! The benchmark commands run end to end on a small synthetic corpus in the
//! real formats (NAB's folders and windows, M4's training CSV), so neither can
//! rot unseen. The figures they print are not results and are not checked;
//! only that each command runs and prints its table.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

fn temporary_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("foresight-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A daily rhythm every 5 minutes for two weeks, with a level shift from
/// `anomaly_at` (a point index) on, if any.
fn nab_file(dir: &Path, name: &str, anomaly_at: Option<usize>) -> Option<(String, String)> {
    let points = 14 * 288;
    let start = 1_396_310_400; // 2014-04-01 00:00:00 UTC
    let stamp = |i: usize| {
        let t =
            foresight_core::foundation::calendar::civil_from_unix_seconds(start + 300 * i as i64);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:00",
            t.year, t.month, t.day, t.hour, t.minute
        )
    };
    let mut csv = String::from("timestamp,value\n");
    for i in 0..points {
        let phase = (i % 288) as f64 / 288.0 * std::f64::consts::TAU;
        let shift = if anomaly_at.is_some_and(|a| i >= a) {
            40.0
        } else {
            0.0
        };
        let noise = ((i * 7919) % 13) as f64 / 13.0;
        writeln!(
            csv,
            "{},{:.3}",
            stamp(i),
            50.0 + 10.0 * phase.sin() + noise + shift
        )
        .unwrap();
    }
    std::fs::write(dir.join(name), csv).unwrap();
    anomaly_at.map(|a| {
        (
            format!("{}.000000", stamp(a - 20)),
            format!("{}.000000", stamp(a + 20)),
        )
    })
}

#[test]
fn nab_runs_on_a_small_corpus_in_its_format() {
    let dir = temporary_dir("nab-smoke");
    // Two categories, so each cross-validation fold has a training set.
    std::fs::create_dir_all(dir.join("synthetic")).unwrap();
    std::fs::create_dir_all(dir.join("other")).unwrap();
    let shifted = nab_file(&dir, "synthetic/shift.csv", Some(3000)).unwrap();
    nab_file(&dir, "synthetic/calm.csv", None);
    let other = nab_file(&dir, "other/shift.csv", Some(2500)).unwrap();
    let windows = format!(
        r#"{{"synthetic/calm.csv": [], "synthetic/shift.csv": [["{}", "{}"]], "other/shift.csv": [["{}", "{}"]]}}"#,
        shifted.0, shifted.1, other.0, other.1
    );
    std::fs::write(dir.join("combined_windows.json"), windows).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_benchmarks"))
        .arg("nab")
        .arg(&dir)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{printed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(printed.contains("standard"), "{printed}");
    for fold in ["synthetic", "other"] {
        assert!(
            printed.lines().any(|line| line.starts_with(fold)),
            "{printed}"
        );
    }
    assert!(printed.contains("cross-validated mean"), "{printed}");
    assert!(printed.contains("pooled held-out score"), "{printed}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn m4_runs_on_a_few_series_in_its_format() {
    let dir = temporary_dir("m4-smoke");
    let mut csv = String::from("\"V1\",\"V2\",\"V3\"\n");
    for series in 1..=3 {
        let mut row = format!("\"H{series}\"");
        for i in 0..(48 + 24 * 14) {
            let hour = (i % 24) as f64 / 24.0 * std::f64::consts::TAU;
            write!(
                row,
                ",\"{:.1}\"",
                100.0 * series as f64 + 20.0 * hour.sin() + i as f64 * 0.1
            )
            .unwrap();
        }
        csv.push_str(&row);
        csv.push('\n');
    }
    let file = dir.join("Hourly-train.csv");
    std::fs::write(&file, csv).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_benchmarks"))
        .arg("m4")
        .arg(&file)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{printed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(printed.contains("M4 hourly"), "{printed}");
    assert!(printed.contains("of 3 series"), "{printed}");
    let _ = std::fs::remove_dir_all(&dir);
}
