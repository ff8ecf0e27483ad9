//! The nodes' filesystems: `/` rotated nightly, `/data` slowly filling, and the
//! disk-fill incident on one of them.

use crate::deterministic_random::DeterministicRandom;
use crate::fleet_plan::inside;
use crate::incident_manifest::Incident;
use crate::openmetrics_writer::{format_labels, OpenMetricsWriter};
use crate::service_model::{GIB, NODE_JOB};
use sample_world::INSTANCES;
use std::io::{self, Write};

struct Filesystem {
    mountpoint: &'static str,
    device: &'static str,
    fstype: &'static str,
    size: f64,
    free_at_start: f64,
    /// Bytes consumed per day between nightly clean-ups (`/`) or for good (`/data`).
    daily_growth: f64,
    rotated_nightly: bool,
}

const FILESYSTEMS: [Filesystem; 2] = [
    Filesystem {
        mountpoint: "/",
        device: "/dev/vda1",
        fstype: "ext4",
        size: 100.0 * GIB,
        free_at_start: 62.0 * GIB,
        daily_growth: 0.4 * GIB,
        rotated_nightly: true,
    },
    Filesystem {
        mountpoint: "/data",
        device: "/dev/vdb1",
        fstype: "xfs",
        size: 500.0 * GIB,
        free_at_start: 320.0 * GIB,
        daily_growth: 2.0 * GIB,
        rotated_nightly: false,
    },
];

pub(crate) fn write_filesystems<W: Write>(
    writer: &mut OpenMetricsWriter<W>,
    timestamps: &[i64],
    disk_fill: &Incident,
    random: &mut DeterministicRandom,
) -> io::Result<()> {
    const FILL_RATE_PER_SECOND: f64 = 6.0 * GIB / 3600.0;
    let start = timestamps[0];
    let mut free: Vec<Vec<Vec<f64>>> = Vec::new();
    for instance in &INSTANCES {
        let mut per_mount = Vec::new();
        for fs in &FILESYSTEMS {
            let values = timestamps
                .iter()
                .map(|&t| {
                    let used_since = if fs.rotated_nightly {
                        t.rem_euclid(86_400)
                    } else {
                        t - start
                    } as f64;
                    let mut bytes = fs.free_at_start - fs.daily_growth * used_since / 86_400.0
                        + 50e6 * random.normal();
                    let filling = instance.node_name == disk_fill.selector["instance"]
                        && fs.mountpoint == disk_fill.selector["mountpoint"]
                        && inside(disk_fill, t);
                    if filling {
                        bytes -= FILL_RATE_PER_SECOND * (t - disk_fill.start) as f64;
                    }
                    // A full filesystem keeps a little reserved space and never goes negative.
                    bytes.clamp(0.008 * fs.size, fs.size).round()
                })
                .collect();
            per_mount.push(values);
        }
        free.push(per_mount);
    }
    for (name, help) in [
        ("node_filesystem_size_bytes", "Filesystem size in bytes"),
        (
            "node_filesystem_free_bytes",
            "Filesystem free space in bytes",
        ),
    ] {
        writer.family(name, "gauge", help)?;
        for (i, instance) in INSTANCES.iter().enumerate() {
            for (f, fs) in FILESYSTEMS.iter().enumerate() {
                let labels = format_labels(&[
                    ("job", NODE_JOB),
                    ("instance", instance.node_name),
                    ("device", fs.device),
                    ("fstype", fs.fstype),
                    ("mountpoint", fs.mountpoint),
                ]);
                if name == "node_filesystem_size_bytes" {
                    writer.series(name, &labels, timestamps, &vec![fs.size; timestamps.len()])?;
                } else {
                    writer.series(name, &labels, timestamps, &free[i][f])?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service_model::{generate_history, small_config};
    use crate::IncidentKind;

    #[test]
    fn disk_fills_during_the_incident_only() {
        let mut text = Vec::new();
        let manifest = generate_history(&small_config(), &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        let fill = manifest.incident(IncidentKind::DiskFill).unwrap();
        let free_root_app1: Vec<(i64, f64)> = text
            .lines()
            .filter(|l| {
                l.starts_with("node_filesystem_free_bytes")
                    && l.contains("app-1:9100")
                    && l.contains("mountpoint=\"/\"")
            })
            .map(|l| {
                let mut parts = l.rsplitn(3, ' ');
                let t = parts.next().unwrap().parse().unwrap();
                (t, parts.next().unwrap().parse().unwrap())
            })
            .collect();
        let min_inside = free_root_app1
            .iter()
            .filter(|(t, _)| *t >= fill.start && *t < fill.end)
            .map(|p| p.1)
            .fold(f64::MAX, f64::min);
        let min_outside = free_root_app1
            .iter()
            .filter(|(t, _)| *t < fill.start || *t >= fill.end)
            .map(|p| p.1)
            .fold(f64::MAX, f64::min);
        assert!(
            min_inside < 0.01 * 100.0 * GIB,
            "the disk gets full: {min_inside}"
        );
        assert!(min_outside > 50.0 * GIB, "otherwise healthy: {min_outside}");
    }
}
