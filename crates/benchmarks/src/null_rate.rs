//! False alarms on anomaly-free series the NAB files do not resemble: how
//! often the detector reports on synthetic noise with no anomaly in it —
//! Gaussian, log-normal, Pareto (heavy-tailed), sparse counts (ties), bursty
//! counts with a daily rhythm, a quantised utilisation with hourly jobs. Each
//! is a kind of series users have; none was used to choose a setting. A
//! detector calibrated to each series' own tail reports about as rarely on
//! every kind; one that assumes Gaussian tails reports far more on the
//! heavy-tailed ones.

use foresight_core::analytics::anomaly_detector::{score_series, DetectorConfig};

/// Deterministic generator (splitmix64), so every run prints the same figures.
struct Random(u64);

impl Random {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
    fn poisson(&mut self, mean: f64) -> f64 {
        if mean > 50.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0);
        }
        let limit = (-mean).exp();
        let (mut count, mut product) = (0.0, self.uniform());
        while product > limit {
            count += 1.0;
            product *= self.uniform();
        }
        count
    }
}

const POINTS: usize = 20_000;
const SEEDS: u64 = 5;
/// Five-minute steps: a day.
const DAY: usize = 288;

fn generate(kind: &str, seed: u64) -> Vec<f64> {
    let mut random = Random(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ kind.len() as u64);
    let daily =
        |t: usize| 1.0 + 0.8 * (std::f64::consts::TAU * (t % DAY) as f64 / DAY as f64).sin();
    let mut burst_left = 0usize;
    let mut burst_factor = 1.0;
    (0..POINTS)
        .map(|t| match kind {
            "gaussian" => 100.0 + 5.0 * random.normal(),
            "log-normal" => (random.normal()).exp(),
            "pareto" => random.uniform().powf(-1.0 / 1.5),
            "sparse counts" => random.poisson(0.7),
            "bursty counts" => {
                if burst_left == 0 && random.uniform() < 0.004 {
                    burst_left = 1 + (random.uniform() * 6.0) as usize;
                    burst_factor = (1.5 + random.normal()).exp().max(1.0);
                }
                let factor = if burst_left > 0 {
                    burst_left -= 1;
                    burst_factor
                } else {
                    1.0
                };
                random.poisson(20.0 * daily(t) * factor)
            }
            _ => {
                // Utilisation in steps of 0.2 %, with a job at the top of every hour.
                let job = if t % 12 == 0 {
                    30.0 + 10.0 * random.uniform()
                } else {
                    0.0
                };
                ((8.0 + random.normal() + job) * 5.0).round() / 5.0
            }
        })
        .collect()
}

pub const KINDS: [&str; 6] = [
    "gaussian",
    "log-normal",
    "pareto",
    "sparse counts",
    "bursty counts",
    "quantised utilisation with hourly jobs",
];

/// Reports per 10,000 points of each kind (after the first 15 %, as NAB scores).
pub fn reports_per_10k(config: DetectorConfig) -> Vec<(&'static str, f64)> {
    KINDS
        .iter()
        .map(|&kind| {
            let mut reports = 0usize;
            let mut scored = 0usize;
            for seed in 0..SEEDS {
                let values = generate(kind, seed);
                let scores = score_series(&values, config);
                let start = POINTS * 15 / 100;
                reports += scores[start..]
                    .iter()
                    .filter(|&&s| s >= config.report_score)
                    .count();
                scored += POINTS - start;
            }
            (kind, reports as f64 * 10_000.0 / scored as f64)
        })
        .collect()
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut config = DetectorConfig::with_density_stage();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<f64>()
                .map_err(|_| format!("{flag} {value:?} is not a number"))
        };
        match flag.as_str() {
            "--report-score" => config.report_score = number()?,
            "--window" => config.window = number()? as usize,
            "--density-average" => config.density_average = number()? as usize,
            other => return Err(format!("unknown option {other}")),
        }
    }
    println!("reports per 10,000 points on anomaly-free series ({SEEDS} seeds × {POINTS} points each), report level {}, window {}", config.report_score, config.window);
    for (kind, rate) in reports_per_10k(config) {
        println!("{kind:<40} {rate:>8.1}");
    }
    Ok(())
}
