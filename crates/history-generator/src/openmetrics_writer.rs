//! Writes metric families in the OpenMetrics text format that
//! `promtool tsdb create-blocks-from openmetrics` reads (timestamps in seconds,
//! each series' samples in time order, `# EOF` at the end).

use std::io::{self, Write};

pub struct OpenMetricsWriter<W: Write> {
    out: W,
    samples_written: u64,
    series_written: u64,
}

/// Escapes a label value as the exposition format requires.
pub fn escape_label_value(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub fn format_labels(labels: &[(&str, &str)]) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape_label_value(v)))
        .collect();
    format!("{{{}}}", pairs.join(","))
}

impl<W: Write> OpenMetricsWriter<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            samples_written: 0,
            series_written: 0,
        }
    }

    pub fn family(&mut self, name: &str, metric_type: &str, help: &str) -> io::Result<()> {
        writeln!(self.out, "# TYPE {name} {metric_type}")?;
        writeln!(self.out, "# HELP {name} {help}")
    }

    /// One series: `sample_name{labels} value timestamp` per point; NaN points are skipped (a gap).
    pub fn series(
        &mut self,
        sample_name: &str,
        labels: &str,
        timestamps: &[i64],
        values: &[f64],
    ) -> io::Result<()> {
        let prefix = format!("{sample_name}{labels} ");
        for (timestamp, value) in timestamps.iter().zip(values) {
            if value.is_nan() {
                continue;
            }
            self.out.write_all(prefix.as_bytes())?;
            if value.fract() == 0.0 && value.abs() < 1e15 {
                writeln!(self.out, "{} {timestamp}", *value as i64)?;
            } else {
                writeln!(self.out, "{value} {timestamp}")?;
            }
            self.samples_written += 1;
        }
        self.series_written += 1;
        Ok(())
    }

    /// Writes `# EOF` and returns (series, samples) written.
    pub fn finish(mut self) -> io::Result<(u64, u64)> {
        writeln!(self.out, "# EOF")?;
        self.out.flush()?;
        Ok((self.series_written, self.samples_written))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_families_series_and_eof() {
        let mut buffer = Vec::new();
        let mut writer = OpenMetricsWriter::new(&mut buffer);
        writer.family("up", "gauge", "Up").unwrap();
        writer
            .series(
                "up",
                &format_labels(&[("job", "a\"b")]),
                &[10, 20, 30],
                &[1.0, f64::NAN, 0.5],
            )
            .unwrap();
        assert_eq!(writer.finish().unwrap(), (1, 2));
        let text = String::from_utf8(buffer).unwrap();
        assert_eq!(text, "# TYPE up gauge\n# HELP up Up\nup{job=\"a\\\"b\"} 1 10\nup{job=\"a\\\"b\"} 0.5 30\n# EOF\n");
    }
}
